package tui

import (
	"errors"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// PINChanger is a Phone that can take a new PIN after the phone service
// refused one, and try it at once. *transport.Stream is one.
type PINChanger interface {
	SetPIN(pin transport.Secret)
}

// pinPrompt reads a PIN with nothing echoed. The typed PIN leaves the input
// as soon as it is handed to the phone, and is never drawn, logged or kept.
type pinPrompt struct {
	sh    *shared
	input textinput.Model
	// line is the line whose PIN is typed; its label is shown when the
	// console has several.
	line  string
	label string
}

const pinPromptText = "PIN: "

func newPINPrompt(sh *shared) pinPrompt {
	ti := newInput(pinPromptText, "", 64)
	ti.EchoMode = textinput.EchoNone
	p := pinPrompt{sh: sh, input: ti}
	p.restyle()
	return p
}

func (p *pinPrompt) restyle() { p.input.SetStyles(inputStyles(p.sh)) }

func (p *pinPrompt) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

// take empties the input and returns what was typed.
func (p *pinPrompt) take() string {
	v := p.input.Value()
	p.input.Reset()
	p.input.Blur()
	return v
}

func (p *pinPrompt) lines(w int) []string {
	st := p.sh.styles
	whose := "the DID or PIN"
	if p.label != "" {
		whose = "the DID or PIN of " + model.Clean(p.label, 30)
	}
	return []string{
		ansi.Truncate(p.input.View(), w, ""),
		st.Dim.Render(ansi.Truncate("The phone service refused "+whose+". Type the PIN (not shown), enter tries it, esc cancels.", w, "…")),
	}
}

func pinActions(k KeyMap) []action {
	return []action{
		{bind: k.PINSend, do: (*Model).sendPIN, short: true},
		{bind: k.PINCancel, do: func(m *Model) tea.Cmd {
			m.pin.take()
			m.focus = focusCalls
			return m.status.set(statusOK, "PIN not changed")
		}, short: true},
	}
}

func (m *Model) pinText(msg tea.KeyPressMsg) tea.Cmd { return m.pin.update(msg) }

// refusedLine is the first line whose DID or PIN the phone service
// refused and whose phone can take a new one.
func (m *Model) refusedLine() (*lineState, bool) {
	for i := range m.lines.all {
		l := &m.lines.all[i]
		if _, ok := l.Phone.(PINChanger); ok && l.conn.known && errors.Is(l.conn.state.Err, transport.ErrAuth) &&
			l.conn.state.Status != transport.ConnLive {
			return l, true
		}
	}
	return nil, false
}

func (m *Model) whyNoPIN() string {
	if _, ok := m.refusedLine(); !ok {
		return "The phone service has not refused the PIN"
	}
	return ""
}

func (m *Model) openPIN() tea.Cmd {
	l, ok := m.refusedLine()
	if !ok {
		return nil
	}
	m.pin.line, m.pin.label = l.Name, ""
	if m.lines.several() {
		m.pin.label = l.Label
	}
	m.focus = focusPIN
	m.pin.input.Reset()
	return m.pin.input.Focus()
}

// sendPIN hands the typed PIN to the phone, which tries it at once.
func (m *Model) sendPIN() tea.Cmd {
	pin := m.pin.take()
	m.focus = focusCalls
	if pin == "" {
		return m.status.set(statusError, "No PIN typed; p to try again")
	}
	pc, ok := m.phoneFor(m.pin.line).(PINChanger)
	if !ok {
		return nil
	}
	m.sh.log.Info("trying a new PIN typed at the console")
	return tea.Batch(m.status.set(statusPending, "Trying the new PIN…"), setPIN(pc, transport.Secret(pin)))
}

// setPIN gives the phone a new PIN, off the Update loop.
func setPIN(pc PINChanger, pin transport.Secret) tea.Cmd {
	return func() tea.Msg {
		pc.SetPIN(pin)
		return nil
	}
}
