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
	if m.focus == focusDial {
		return m.dialKey(msg)
	}
	return m.callsKey(msg)
}

// callsKey handles keys while the call table has focus.
func (m *Model) callsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	if m.tooSmall() {
		// Only quitting and help make sense on a screen this small.
		if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
	case msg.String() == "esc":
		m.help.ShowAll = false
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
	case key.Matches(msg, k.Dial):
		m.focus = focusDial
		return m.dial.show()
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
