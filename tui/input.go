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
		{bind: k.DialLine, why: (*Model).whyOneLine, do: (*Model).nextDialLine, short: true},
		{bind: k.DialCancel, do: (*Model).dialCancel, short: true},
	}
}

func (m *Model) dialText(msg tea.KeyPressMsg) tea.Cmd { return m.dial.update(msg) }

func (m *Model) openDial() tea.Cmd {
	m.focus = focusDial
	m.dialFrom = m.defaultDialLine()
	m.showDialLine()
	return m.dial.show()
}

// defaultDialLine is the line a call goes out on without asking: the only
// line, or the configured one; -1 asks.
func (m *Model) defaultDialLine() int {
	if !m.lines.several() {
		return 0
	}
	if i, ok := m.lines.byName[m.opts.DialLine]; ok && m.opts.DialLine != "" {
		return i
	}
	return -1
}

// showDialLine tells the prompt which line it dials from.
func (m *Model) showDialLine() {
	m.dial.several, m.dial.from = m.lines.several(), ""
	if m.dialFrom >= 0 && m.dialFrom < len(m.lines.all) {
		m.dial.from = m.lines.all[m.dialFrom].Label
	}
}

func (m *Model) whyOneLine() string {
	if !m.lines.several() {
		return "There is one line to dial from"
	}
	return ""
}

// nextDialLine moves the prompt to the next line to dial from.
func (m *Model) nextDialLine() tea.Cmd {
	m.dialFrom = (m.dialFrom + 1) % len(m.lines.all)
	m.showDialLine()
	return nil
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
	if !m.dial.valid() || m.dialFrom < 0 {
		m.dial.tried = true
		return nil
	}
	n, from := m.dial.number, m.lines.all[m.dialFrom]
	m.closeDial()
	return tea.Batch(
		m.status.set(statusPending, "Dialling "+n.Display+m.fromText(from.Label)+"…"),
		m.placeCall(from.Name, n.Digits, n.Display),
	)
}

// fromText is " from LABEL" when the console has several lines.
func (m *Model) fromText(label string) string {
	if !m.lines.several() {
		return ""
	}
	return " from " + model.Clean(label, 30)
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
		return m.hist.reload(r)
	case viewMessages:
		return loadMessages(r)
	case viewToday:
		return loadToday(r, m.sh.now, m.lines.names())
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
		return m.openForm("", "", "", "")
	}
	return m.openForm(c.ID, m.lines.account(c.Line), m.sh.names.name(c.Ani), model.FormatNumber(c.Ani))
}

// dialNumber validates input as the dial prompt does and, if it is a
// number, places the call from line (an index; -1 for the default line);
// otherwise the status line says why not. When the line is still to be
// chosen, the dial prompt opens with the number in it.
func (m *Model) dialNumber(input, who string, line int) tea.Cmd {
	n, err := model.ParseDial(input)
	if err != nil {
		return m.status.set(statusError, "Cannot dial "+model.Clean(input, 40)+": "+err.Error())
	}
	if line < 0 {
		line = m.defaultDialLine()
	}
	if line < 0 {
		cmd := m.openDial()
		m.dial.input.SetValue(n.Display)
		m.dial.input.CursorEnd()
		m.dial.validate()
		return tea.Batch(cmd, m.status.set(statusOK, "Which line? tab chooses the line to dial "+model.Clean(who, 40)+" from"))
	}
	label := n.Display
	if who != "" {
		label = who + " " + n.Display
	}
	from := m.lines.all[line]
	return tea.Batch(m.status.set(statusPending, "Dialling "+label+m.fromText(from.Label)+"…"), m.placeCall(from.Name, n.Digits, label))
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
