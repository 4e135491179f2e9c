package tui

import (
	"errors"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

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
	return []string{
		ansi.Truncate(p.input.View(), w, ""),
		st.Dim.Render(ansi.Truncate("The phone service refused the DID or PIN. Type the PIN (not shown), enter tries it, esc cancels.", w, "…")),
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

// authRefused reports whether the phone service refused the DID or PIN and
// the phone can take a new one.
func (m *Model) authRefused() bool {
	_, ok := m.opts.Phone.(PINChanger)
	return ok && m.conn.known && errors.Is(m.conn.state.Err, transport.ErrAuth) &&
		m.conn.state.Status != transport.ConnLive
}

func (m *Model) whyNoPIN() string {
	if !m.authRefused() {
		return "The phone service has not refused the PIN"
	}
	return ""
}

func (m *Model) openPIN() tea.Cmd {
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
	pc, ok := m.opts.Phone.(PINChanger)
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
