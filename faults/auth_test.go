package faults_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// TestWrongPIN: error 5 stops the stream with one clear message and no
// retry storm: the server sees one connection and one subscribe over two
// seconds, and the screen says the DID or PIN is wrong, once.
func TestWrongPIN(t *testing.T) {
	t.Parallel()
	sim, acct := newSim(t)
	acct.PIN = "24681357"
	d := startDesk(t, sim, acct, true)
	c := startConsole(t, d.phone(), 100, 24)

	err := d.result()
	if !errors.Is(err, transport.ErrAuth) {
		t.Fatalf("Run returned %v, want the auth error", err)
	}
	screen := c.waitView(t, "wrong DID or PIN")
	if n := strings.Count(screen, "wrong DID or PIN"); n != 1 {
		t.Errorf("the message is on screen %d times:\n%s", n, screen)
	}
	// Watch the server for two seconds: nothing more may arrive.
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if st := sim.Stats(); st.Connections > 1 || st.Subscribes > 1 {
			t.Fatalf("retry storm after a refused PIN: %d connections, %d subscribes", st.Connections, st.Subscribes)
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := sim.Stats()
	if st.Connections != 1 || st.Streams != 1 || st.Subscribes != 1 || st.Errors[skysim.ErrCodeAuth] != 1 {
		t.Errorf("server saw %d connections, %d streams, %d subscribes, %d auth errors; want 1 each",
			st.Connections, st.Streams, st.Subscribes, st.Errors[skysim.ErrCodeAuth])
	}
	failed := 0
	for _, s := range d.connStates() {
		if s.Status == transport.ConnFailed {
			failed++
			for _, secret := range []string{pin, string(acct.PIN)} {
				if strings.Contains(s.Err.Error(), secret) {
					t.Errorf("the error names the PIN: %v", s.Err)
				}
			}
		}
		if s.Status == transport.ConnReconnecting {
			t.Errorf("reconnect after a refused PIN: %+v", s)
		}
	}
	if failed != 1 {
		t.Errorf("%d failed states, want 1", failed)
	}
	if screen := c.text(); strings.Contains(screen, string(acct.PIN)) {
		t.Error("the PIN is on screen")
	}
}

// TestPhoneLoggedOut: error 8 is shown as "phone not logged in", retried
// on the slow phone interval (never the fast reconnect back-off), and the
// console recovers once the phone is back.
func TestPhoneLoggedOut(t *testing.T) {
	t.Parallel()
	const retry = 300 * time.Millisecond
	sim, acct := newSim(t)
	sim.SetLoggedIn(did, false)
	d := startDesk(t, sim, acct, true, transport.WithPhoneRetry(retry))
	c := startConsole(t, d.phone(), 100, 24)
	c.waitView(t, "phone not logged in")

	time.Sleep(4 * retry)
	var subs []skysim.CommandRecord
	for _, r := range sim.Stats().Log {
		if r.Name == transport.CmdSubscribe {
			subs = append(subs, r)
		}
	}
	if len(subs) < 2 || len(subs) > 6 {
		t.Errorf("%d subscribe attempts in %v with a %v phone retry", len(subs), 4*retry, retry)
	}
	for i := 1; i < len(subs); i++ {
		if subs[i-1].Error != skysim.ErrCodeNotLoggedIn {
			t.Errorf("attempt %d got error %d, want 8", i, subs[i-1].Error)
		}
		if gap := subs[i].At.Sub(subs[i-1].At); gap < retry {
			t.Errorf("attempt %d came %v after the last; the phone retry is %v", i+1, gap, retry)
		}
	}
	for _, s := range d.connStates() {
		if s.Status == transport.ConnFailed {
			t.Fatalf("the stream gave up on a logged-out phone: %+v", s)
		}
		if s.Status == transport.ConnReconnecting && !errors.Is(s.Err, transport.ErrPhoneNotLoggedIn) {
			t.Errorf("reconnecting for %v, want the phone error", s.Err)
		}
	}

	sim.SetLoggedIn(did, true)
	sim.Ring(did, "16465551234", nil)
	d.waitInSync(t, retry+within)
	screen := c.waitView(t, "● live", "(646) 555-1234")
	if strings.Contains(screen, "not logged in") {
		t.Errorf("still says not logged in:\n%s", screen)
	}
}
