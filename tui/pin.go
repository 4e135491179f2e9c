package tui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// PINChanger is a Phone that can take a new PIN after the phone service
// refused one, and try it at once. *transport.Stream is one; a phone
// shared with other consoles may decline, saying why (the error never
// holds the PIN).
type PINChanger interface {
	SetPIN(pin transport.Secret) error
}

// PINGate is a PINChanger that can say before a PIN is typed that it would
// not try one now (one was tried on the account moments ago), so that the
// receptionist does not type a PIN only to have it dropped.
type PINGate interface {
	PINWait() error
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
	// trying: a typed PIN is being tried on line tryLine; started once
	// that line's connection began again with it.
	trying, started bool
	tryLine         string
}

const pinPromptText = "PIN: "

func newPINPrompt(sh *shared) pinPrompt {
	ti := newInput(pinPromptText, "", 64)
	ti.EchoMode = textinput.EchoNone
	return pinPrompt{sh: sh, input: ti}
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

func (p *pinPrompt) lines(w int, note string) []string {
	st := p.sh.styles
	whose := "the DID or PIN"
	if p.label != "" {
		whose = "the DID or PIN of " + model.Clean(p.label, 30)
	}
	out := []string{
		ansi.Truncate(p.input.View(), w, ""),
		st.Dim.Render(ansi.Truncate("The phone service refused "+whose+". Type the PIN (not shown), enter tries it, esc cancels.", w, "…")),
	}
	if note != "" {
		for _, l := range strings.Split(ansi.Wrap(note, w, " "), "\n") {
			out = append(out, st.Dim.Render(ansi.Truncate(strings.TrimRight(l, " "), w, "…")))
		}
	}
	return out
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
	if g, ok := l.Phone.(PINGate); ok {
		if err := g.PINWait(); err != nil {
			return m.status.set(statusError, "Not now: "+model.Clean(err.Error(), 200))
		}
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
	m.pin.trying, m.pin.started, m.pin.tryLine = true, false, m.pin.line
	return tea.Batch(m.status.set(statusPending, "Trying the new PIN…"), setPIN(pc, m.pin.line, transport.Secret(pin)))
}

// pinNotTriedMsg: the phone declined the PIN typed for line.
type pinNotTriedMsg struct {
	line string
	err  error
}

// setPIN gives the phone a new PIN, off the Update loop.
func setPIN(pc PINChanger, line string, pin transport.Secret) tea.Cmd {
	return func() tea.Msg {
		if err := pc.SetPIN(pin); err != nil {
			return pinNotTriedMsg{line: line, err: err}
		}
		return nil
	}
}

func (m *Model) pinNotTried(msg pinNotTriedMsg) tea.Cmd {
	if m.pin.tryLine == msg.line {
		m.pin.trying = false
	}
	return m.status.set(statusError, "PIN not tried: "+model.Clean(msg.err.Error(), 200))
}

// pinOutcome tells the receptionist how the PIN they typed for line fared,
// from the line's connection states: it starts connecting again, then is
// live or refused.
func (m *Model) pinOutcome(line string, st transport.ConnState) tea.Cmd {
	if !m.pin.trying || m.pin.tryLine != line {
		return nil
	}
	switch st.Status {
	case transport.ConnConnecting:
		m.pin.started = true
		return nil
	case transport.ConnLive:
		m.pin.trying = false
		return m.status.set(statusOK, "The phone service took the PIN")
	}
	if !m.pin.started {
		return nil // a state from before the PIN was tried
	}
	m.pin.trying = false
	if errors.Is(st.Err, transport.ErrAuth) {
		return m.status.set(statusError, "The phone service refused that PIN too; p types it again")
	}
	return m.status.set(statusError, "The PIN could not be tried: "+transport.Reason(st.Err))
}
