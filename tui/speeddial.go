package tui

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
)

// speedDialActions are the Calls view's digit keys, one per speed dial:
// the key asks before it dials, as call back does, and help lists it.
func speedDialActions(dials []SpeedDial) []action {
	var out []action
	for _, sd := range dials {
		k := strconv.Itoa(sd.Key)
		out = append(out, action{
			bind: key.NewBinding(key.WithKeys(k), key.WithHelp(k, "dial "+model.Clean(sd.Name, 40))),
			do:   func(m *Model) tea.Cmd { return m.speedDial(sd) },
		})
	}
	return out
}

// speedDial asks whether to dial a speed dial's number.
func (m *Model) speedDial(sd SpeedDial) tea.Cmd {
	name := model.Clean(sd.Name, 40)
	n, err := model.ParseDial(sd.Number)
	if err != nil {
		return m.status.set(statusError, "Cannot dial "+name+": "+err.Error())
	}
	m.askFirst("Dial "+name+" on "+n.Display+"?", "Not dialled", func(m *Model) tea.Cmd {
		return m.dialNumber(sd.Number, name, -1)
	})
	m.question.enterYes = true
	return nil
}
