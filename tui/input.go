package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
)

// The dial prompt, switching views, messages about a call, pasting and
// quitting.

// dialActions are the dial prompt's keys; everything else is typed into it.
func dialActions(k KeyMap) []action {
	return []action{
		{bind: k.DialSend, do: (*Model).dialSend, short: true},
		{bind: k.DialCancel, do: (*Model).dialCancel, short: true},
	}
}

func (m *Model) dialText(msg tea.KeyPressMsg) tea.Cmd { return m.dial.update(msg) }

func (m *Model) openDial() tea.Cmd {
	m.focus = focusDial
	return m.dial.show()
}

func (m *Model) openPicker() tea.Cmd {
	m.focus = focusPicker
	return m.picker.show()
}

// dialCancel closes the dial prompt, asking first when a number has been
// typed.
func (m *Model) dialCancel() tea.Cmd {
	return m.closeAsking(m.dial.input.Value() != "", "Discard the number you typed?", func(m *Model) tea.Cmd {
		m.closeDial()
		return m.status.set(statusOK, "Dialling cancelled")
	})
}

func (m *Model) dialSend() tea.Cmd {
	if !m.dial.valid() {
		m.dial.tried = true
		return nil
	}
	n := m.dial.number
	m.closeDial()
	return tea.Batch(
		m.status.set(statusPending, "Dialling "+n.Display+"…"),
		m.placeCall(n.Digits, n.Display),
	)
}

// switchView shows view v, loading what it lists.
func (m *Model) switchView(v view) tea.Cmd {
	m.view = v
	r := m.opts.Records
	if r == nil {
		return nil
	}
	switch v {
	case viewHistory:
		m.missed = 0
		r.MarkSeen(m.sh.now)
		return m.hist.reload(r)
	case viewMessages:
		return loadMessages(r)
	case viewToday:
		return loadToday(r, m.sh.now)
	}
	return nil
}

// whyMessageCall says why no message can be taken about the selected call.
// With no calls at all the form opens blank.
func (m *Model) whyMessageCall() string {
	if m.opts.Records == nil {
		return "Messages need the history database, which is not open (see the log)"
	}
	if _, ok := m.list.selected(); !ok && len(m.list.calls) > 0 {
		return "No call is selected: choose one with ↑/↓ first"
	}
	return ""
}

// messageCall opens the message form about the selected call.
func (m *Model) messageCall() tea.Cmd {
	c, ok := m.list.selected()
	if !ok {
		return m.openForm("", "", "")
	}
	return m.openForm(c.ID, m.sh.names.name(c.Ani), model.FormatNumber(c.Ani))
}

// dialNumber validates input as the dial prompt does and, if it is a
// number, places the call; otherwise the status line says why not.
func (m *Model) dialNumber(input, who string) tea.Cmd {
	n, err := model.ParseDial(input)
	if err != nil {
		return m.status.set(statusError, "Cannot dial "+model.Clean(input, 40)+": "+err.Error())
	}
	label := n.Display
	if who != "" {
		label = who + " " + n.Display
	}
	return tea.Batch(m.status.set(statusPending, "Dialling "+label+"…"), m.placeCall(n.Digits, label))
}

func (m *Model) closeDial() {
	m.dial.hide()
	m.focus = focusCalls
}

// handlePaste sends pasted text to the input that has focus, or opens the
// dial prompt for it: pasting a number is the quickest way to dial it.
func (m *Model) handlePaste(msg tea.PasteMsg) tea.Cmd {
	if m.tooSmall() || m.question != nil {
		return nil
	}
	switch m.focus {
	case focusPicker:
		return m.picker.update(msg)
	case focusSearch:
		return m.searchUpdate(msg)
	case focusForm:
		return m.form.update(msg)
	case focusPIN:
		return m.pin.update(msg)
	}
	var cmd tea.Cmd
	if m.focus != focusDial {
		if strings.TrimSpace(msg.Content) == "" {
			return nil
		}
		m.focus = focusDial
		cmd = m.dial.show()
	}
	return tea.Batch(cmd, m.dial.update(msg))
}
