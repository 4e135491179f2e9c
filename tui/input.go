package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
)

// Key handling, routed by focus to one small handler per component.

// handleKey routes a key press by focus.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	switch m.focus {
	case focusDial:
		return m.dialKey(msg)
	case focusPicker:
		return m.pickerKey(msg)
	case focusSearch:
		return m.searchKey(msg)
	case focusForm:
		return m.formKey(msg)
	}
	if m.tooSmall() {
		// Only quitting makes sense on a screen this small.
		if key.Matches(msg, m.sh.keys.Quit) {
			return tea.Quit
		}
		return nil
	}
	if cmd, ok := m.viewKey(msg); ok {
		return cmd
	}
	switch m.view {
	case viewHistory:
		return m.historyKey(msg)
	case viewMessages:
		return m.messagesKey(msg)
	}
	return m.callsKey(msg)
}

// viewKey handles the keys every view shares: switching views, help,
// quitting, dialling and the directory. ok is false for other keys.
func (m *Model) viewKey(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool) {
	k := m.sh.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit, true
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
	case msg.String() == "esc":
		m.help.ShowAll = false
	case key.Matches(msg, k.NextView):
		return m.switchView((m.view + 1) % viewCount), true
	case key.Matches(msg, k.PrevView):
		return m.switchView((m.view + viewCount - 1) % viewCount), true
	case key.Matches(msg, k.Dial):
		m.focus = focusDial
		return m.dial.show(), true
	case key.Matches(msg, k.Directory) && !(m.view == viewHistory && key.Matches(msg, k.Search)):
		m.focus = focusPicker
		return m.picker.show(), true
	default:
		return nil, false
	}
	return nil, true
}

// switchView shows view v, loading what it lists.
func (m *Model) switchView(v view) tea.Cmd {
	m.view = v
	var cmd tea.Cmd
	if m.hist.confirm != nil {
		m.hist.confirm = nil
		cmd = m.status.set(statusOK, "Call back cancelled")
	}
	r := m.opts.Records
	if r == nil {
		return cmd
	}
	switch v {
	case viewHistory:
		m.missed = 0
		return tea.Batch(cmd, m.hist.reload(r), markSeen(r, m.sh.now))
	case viewMessages:
		return tea.Batch(cmd, loadMessages(r))
	}
	return cmd
}

// callsKey handles keys while the call table has focus.
func (m *Model) callsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	switch {
	case key.Matches(msg, k.Up):
		m.list.move(-1)
	case key.Matches(msg, k.Down):
		m.list.move(1)
	case key.Matches(msg, k.Top):
		m.list.selectIndex(0)
	case key.Matches(msg, k.Bottom):
		m.list.selectIndex(len(m.list.calls) - 1)
	case key.Matches(msg, k.PgUp):
		m.list.move(-m.list.page())
	case key.Matches(msg, k.PgDown):
		m.list.move(m.list.page())
	case key.Matches(msg, k.Answer):
		return m.act(model.ActAnswer)
	case key.Matches(msg, k.Ignore):
		return m.act(model.ActIgnore)
	case key.Matches(msg, k.Hold):
		return m.act(m.holdAction())
	case key.Matches(msg, k.Release):
		return m.act(model.ActRelease)
	case key.Matches(msg, k.Message):
		c, ok := m.list.selected()
		if !ok && len(m.list.calls) > 0 {
			c, ok = m.list.calls[0], true
		}
		if !ok {
			return m.openForm("", "", "")
		}
		return m.openForm(c.ID, m.sh.names.name(c.Ani), model.FormatNumber(c.Ani))
	}
	return nil
}

// dialKey handles keys while the dial prompt has focus.
func (m *Model) dialKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	switch {
	case key.Matches(msg, k.DialCancel):
		m.closeDial()
		return m.status.set(statusOK, "Dialling cancelled")
	case key.Matches(msg, k.DialSend):
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
	return m.dial.update(msg)
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

// handlePaste sends pasted text to the dial prompt, opening it if need be:
// pasting a number is the quickest way to dial it.
func (m *Model) handlePaste(msg tea.PasteMsg) tea.Cmd {
	if m.tooSmall() {
		return nil
	}
	switch m.focus {
	case focusPicker:
		return m.picker.update(msg)
	case focusSearch:
		return m.searchUpdate(msg)
	case focusForm:
		return m.form.update(msg)
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
