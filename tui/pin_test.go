package tui

import (
	"errors"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/frontdesk/frontdesk/transport"
)

func connIs(status transport.ConnStatus, err error) transport.Event {
	return transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: status, Err: err}}
}

// After a PIN is typed again, the status line says how it fared: refused
// again, not tried at all (the phone declined it, saying why), or taken,
// with the note on where the PIN is kept. The PIN is never on screen.
func TestTypedPINOutcome(t *testing.T) {
	const note = "Kept in memory only: ask the administrator to fix the pin file."
	h := newHarness(t, 160, 24, func(o *Options) { o.PINNote = note })
	refused := connIs(transport.ConnReconnecting, &transport.APIError{Command: "subscribe", Major: 5})
	h.event(refused)
	h.wantScreen("✗ DID or PIN refused · p types it again")
	typePIN := func(pin string) {
		t.Helper()
		h.key("p")
		h.wantScreen(note)
		h.typeText(pin)
		h.key("enter")
	}

	typePIN("1357")
	h.wantScreen("Trying the new PIN…")
	h.wantSent(phoneCmd{"setpin", ""})
	// A refusal from before the PIN was tried says nothing of it.
	h.event(refused)
	h.wantScreen("Trying the new PIN…")
	h.event(connIs(transport.ConnConnecting, nil))
	h.event(refused)
	h.wantScreen("The phone service refused that PIN too; p types it again")

	// The phone says before the PIN is typed that it would not try one.
	wait := errors.New("a PIN was tried on this account moments ago; the next one can be tried in 20s")
	h.phone.failWith("pinwait", wait)
	h.key("p")
	h.wantScreen("Not now: a PIN was tried on this account moments ago; the next one can be tried in 20s")
	h.wantNoScreen("PIN:")
	h.phone.failWith("pinwait", nil)
	// Or declines it once typed (another console's came first).
	h.phone.failWith("setpin", wait)
	typePIN("2468")
	h.wantScreen("PIN not tried: a PIN was tried on this account moments ago; the next one can be tried in 20s")
	h.event(connIs(transport.ConnConnecting, nil))
	h.event(connIs(transport.ConnLive, nil))
	h.wantNoScreen("The phone service took the PIN")

	h.event(refused)
	h.phone.failWith("setpin", nil)
	typePIN("3579")
	h.event(connIs(transport.ConnConnecting, nil))
	h.event(connIs(transport.ConnLive, nil))
	h.wantScreen("The phone service took the PIN")
	for _, pin := range []string{"1357", "2468", "3579"} {
		h.wantNoScreen(pin)
	}
}

// The PIN prompt of a console that shares its account's connection, on 80
// columns: the note on where the PIN is kept wraps under the prompt.
func TestGoldenPINPromptShared(t *testing.T) {
	pr := startProgram(t, 80, 12, colorprofile.ASCII, nil, func(o *Options) {
		o.PINNote = "This PIN is for every console of this account and is kept in memory only, not in the pin file: ask the administrator to correct the file."
	})
	pr.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{
		Status: transport.ConnReconnecting, NextTry: pr.clock.Now().Add(5 * time.Minute), Attempt: 1,
		Err: &transport.APIError{Command: "subscribe", Major: 5}}})
	pr.waitFor("p types it again")
	pr.key("p")
	pr.waitFor("PIN:", "ask the administrator to correct the file.")
	pr.tm.Type("2468")
	pr.golden()
}
