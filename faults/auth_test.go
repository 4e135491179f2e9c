package faults_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// TestWrongPIN: error 5 on subscribe keeps the stream waiting on the slow
// auth retry, with no retry storm; the screen says the DID or PIN was
// refused and offers to type it again; the PIN typed at the console (never
// drawn) subscribes at once and the console goes live.
func TestWrongPIN(t *testing.T) {
	t.Parallel()
	sim, acct := newSim(t)
	acct.PIN = "24681357"
	d := startDesk(t, sim, acct, true, transport.WithAuthRetry(time.Hour))
	c := startConsole(t, d.phone(), 100, 24)

	screen := c.waitView(t, "DID or PIN refused · p types it again · retry in 59m")
	if n := strings.Count(screen, "DID or PIN refused"); n != 2 { // the header and the empty table
		t.Errorf("the reason is on screen %d times:\n%s", n, screen)
	}
	// Watch the server a while: nothing more may arrive.
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		if st := sim.Stats(); st.Connections > 1 || st.Subscribes > 1 {
			t.Fatalf("retry storm after a refused PIN: %d connections, %d subscribes", st.Connections, st.Subscribes)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, s := range d.connStates() {
		if s.Status == transport.ConnFailed {
			t.Errorf("the stream gave up: %+v", s)
		}
		if s.Err != nil && strings.Contains(s.Err.Error(), string(acct.PIN)) {
			t.Errorf("the error names the PIN: %v", s.Err)
		}
	}

	// Type the PIN again, in the console.
	c.key("p")
	c.waitView(t, "PIN:", "Type the PIN (not shown)")
	for _, r := range pin {
		c.key(string(r))
	}
	if screen := c.text(); strings.Contains(screen, pin) || strings.Contains(screen, "****") {
		t.Fatalf("the typed PIN shows:\n%s", screen)
	}
	c.key("enter")
	sim.Ring(did, "16465551234", nil)
	c.waitView(t, "● live", "(646) 555-1234")
	var subs []skysim.CommandRecord
	for _, r := range sim.Stats().Log {
		if r.Name == transport.CmdSubscribe {
			subs = append(subs, r)
		}
	}
	if len(subs) != 2 || subs[0].Error != skysim.ErrCodeAuth || subs[1].Error != 0 {
		t.Errorf("subscribes %+v, want one refused then one accepted", subs)
	}
	if screen := c.text(); strings.Contains(screen, string(acct.PIN)) || strings.Contains(screen, pin) {
		t.Error("a PIN is on screen")
	}
}

// TestBlockedAccount: a DID blocked by the provider is retried on the auth
// interval, which the screen shows; once unblocked the console goes live by
// itself. A block mid-session fails the command, not the stream.
func TestBlockedAccount(t *testing.T) {
	t.Parallel()
	const retry = 300 * time.Millisecond
	sim, acct := newSim(t)
	sim.SetBlocked(did, true)
	d := startDesk(t, sim, acct, true, transport.WithAuthRetry(retry))
	c := startConsole(t, d.phone(), 100, 24)
	c.waitView(t, "DID or PIN refused", "Next try at")
	sim.SetBlocked(did, false)
	id := sim.Ring(did, "16465551234", nil)
	d.waitInSync(t, retry+within)
	c.waitView(t, "● live", "☎ ringing")

	// How many streams it took to get here depends on how many retries
	// came while blocked; from here on there must be no new one.
	streams := sim.Stats().Streams
	sim.SetBlocked(did, true)
	c.key("a")
	c.waitView(t, "Could not answer (646) 555-1234", "refused the DID or PIN for this command")
	sim.SetBlocked(did, false)
	c.key("a")
	c.waitView(t, "✓ Answered (646) 555-1234")
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := sim.WaitCalls(ctx, did, func(cs []transport.Call) bool { return len(cs) == 1 && cs[0].State == "CONNECTED" }); err != nil {
		t.Fatal(err)
	}
	var answers []skysim.CommandRecord
	for _, r := range sim.Stats().Log {
		if r.Name == transport.CmdAnswer {
			answers = append(answers, r)
		}
	}
	if len(answers) != 2 || answers[0].Error != skysim.ErrCodeAuth || answers[1].Error != 0 || answers[1].Args[0] != id {
		t.Errorf("answers %+v", answers)
	}
	if st := sim.Stats(); st.Streams != streams {
		t.Errorf("%d streams, %d before the refused command: it tore the stream down", st.Streams, streams)
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
