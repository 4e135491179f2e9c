package tui

import (
	"crypto/x509"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/frontdesk/frontdesk/transport"
)

// Golden screens of the safety rules: the ringing badge outside the Calls
// view, unconfirmed rows, why the console is offline, the quit question and
// the PIN prompt.

func TestGoldenRingingBadgeHistory(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.ASCII)
	pr.call("401", "6465551234", "RINGING")
	pr.waitFor("(646) 555-1234")
	pr.clock.Advance(48 * time.Second)
	pr.key("tab")
	pr.waitFor("HISTORY · all calls · 3 calls", "Priya Raman", "☎ 1 ringing · longest 0:48")
	pr.golden()
}

func TestGoldenRingingBadgeMessages(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.ASCII)
	pr.call("401", "6465551234", "RINGING")
	pr.waitFor("(646) 555-1234")
	pr.clock.Advance(48 * time.Second)
	pr.call("402", "2125550199", "RINGING")
	pr.waitFor("(212) 555-0199")
	pr.key("tab")
	pr.key("tab")
	pr.waitFor("MESSAGES · 2 open, 1 done", "Heating engineer", "☎ 2 ringing · longest 0:48")
	pr.golden()
}

func TestGoldenUnconfirmedRows(t *testing.T) {
	pr := startProgram(t, 100, 12, colorprofile.ASCII, nil)
	pr.live()
	pr.snapshot(transport.Call{ID: "101", Ani: "6465551234", State: "HOLDING"}, transport.Call{ID: "102", Ani: "2125550199", State: "RINGING"})
	pr.waitFor("(212) 555-0199", "(646) 555-1234")
	pr.clock.Advance(75 * time.Second)
	pr.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{
		Status: transport.ConnReconnecting, NextTry: pr.clock.Now().Add(3 * time.Second), Attempt: 1,
		Err: fmt.Errorf("connecting: %w", syscall.ECONNREFUSED)}})
	pr.waitFor("↻ reconnecting in 3s · connection refused", "~1:15")
	pr.golden()
}

func TestGoldenOfflineReason(t *testing.T) {
	pr := startProgram(t, 100, 10, colorprofile.ASCII, nil)
	pr.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{
		Status: transport.ConnReconnecting, NextTry: pr.clock.Now().Add(2 * time.Minute), Attempt: 1,
		Err: fmt.Errorf("connecting: %w", x509.UnknownAuthorityError{})}})
	pr.waitFor("certificate not trusted (set ca_file)", "Next try at 09:28:53")
	pr.golden()
}

func TestGoldenQuitQuestion(t *testing.T) {
	pr := startProgram(t, 80, 10, colorprofile.ASCII, nil)
	pr.live()
	pr.snapshot(transport.Call{ID: "101", Ani: "6465551234", State: "HOLDING"}, transport.Call{ID: "102", Ani: "2125550199", State: "HOLDING"},
		transport.Call{ID: "103", Ani: "3125550111", State: "RINGING"})
	pr.waitFor("(312) 555-0111", "(212) 555-0199", "(646) 555-1234")
	pr.key("q")
	pr.waitFor("2 calls on hold, 1 ringing — quit anyway? y/N")
	pr.golden()
}

func TestGoldenPINPrompt(t *testing.T) {
	pr := startProgram(t, 100, 10, colorprofile.ASCII, nil)
	pr.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{
		Status: transport.ConnReconnecting, NextTry: pr.clock.Now().Add(5 * time.Minute), Attempt: 1,
		Err: &transport.APIError{Command: "subscribe", Major: 5}}})
	pr.waitFor("✗ DID or PIN refused · p types it again · retry in 5m00s")
	pr.key("p")
	pr.waitFor("PIN:")
	pr.tm.Type("2468")
	pr.golden()
}
