package tui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// TestEndToEndRingAlert: against the simulator, a caller who has rung past
// ring_alert is drawn differently from one who has just started ringing.
func TestEndToEndRingAlert(t *testing.T) {
	const did, pin = "6465550100", "2468"
	pr, srv, _ := startEndToEnd(t, did, pin, Options{RingWarn: 300 * time.Millisecond, RingAlert: 600 * time.Millisecond})
	pr.waitFor("● live")

	srv.Ring(did, "6465550001", nil)
	pr.waitRow("!!", "(646) 555-0001") // past ring_alert: the strong mark
	srv.Ring(did, "6465550002", nil)
	pr.waitRow("☎ ringing", "(646) 555-0002")

	var old, fresh string
	for _, line := range strings.Split(pr.p.current(), "\n") {
		switch plain := ansi.Strip(line); {
		case strings.Contains(plain, "(646) 555-0001"):
			old = line
		case strings.Contains(plain, "(646) 555-0002"):
			fresh = line
		}
	}
	if strings.Contains(ansi.Strip(fresh), "!") {
		t.Errorf("the fresh caller is marked: %q", ansi.Strip(fresh))
	}
	if sgrOnly(old) == sgrOnly(fresh) {
		t.Errorf("the caller past ring_alert is styled like the fresh one:\n%q\n%q", old, fresh)
	}
	pr.key("q")
}

// TestEndToEndSpeedDial: a speed dial key asks first, then dials its
// number through the real stream; no, or another key, dials nothing.
func TestEndToEndSpeedDial(t *testing.T) {
	const did, pin = "6465550100", "2468"
	pr, srv, _ := startEndToEnd(t, did, pin, Options{SpeedDials: []SpeedDial{
		{Key: 1, Name: "Building security", Number: "2125550199"},
		{Key: 7, Name: "Dana", Number: "2101"},
	}})
	pr.waitFor("● live")

	pr.key("?")
	pr.waitFor("dial Building security", "dial Dana")
	pr.key("esc")

	pr.key("1")
	pr.waitFor("Dial Building security on (212) 555-0199?")
	pr.key("n")
	pr.waitFor("Not dialled")
	pr.key("7")
	pr.waitFor("Dial Dana on x2101?")
	pr.key("y")
	pr.waitFor("✓ Dialled Dana")
	pr.key("1")
	pr.waitFor("Dial Building security on (212) 555-0199?")
	pr.key("enter")
	pr.waitFor("✓ Dialled Building security")

	var dials []string
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdDial && len(r.Args) > 0 {
			dials = append(dials, r.Args[0])
		}
	}
	if strings.Join(dials, " ") != "2101 2125550199" {
		t.Fatalf("server saw dials %v, want 2101 then 2125550199", dials)
	}
}

// TestEndToEndCallBackFromMessage: a message is read in full with Enter,
// and c calls its caller back through the real stream after a y/N.
func TestEndToEndCallBackFromMessage(t *testing.T) {
	const did, pin = "6465550100", "2468"
	rec := &memRecords{}
	long := "Please call back about the lease renewal. She is in meetings until four, then free; the landlord's agent needs an answer by Friday."
	rec.AddMessage(model.Message{For: "Dana Whitfield", CallerName: "Ada Whitfield", CallerNumber: "+1 (646) 555-0142", Text: long, Created: time.Now()})
	pr, srv, _ := startEndToEnd(t, did, pin, Options{Records: rec, Directory: testDirectory(t)})
	pr.waitFor("● live")

	pr.key("tab")
	pr.waitFor("HISTORY")
	pr.key("tab")
	pr.waitFor("MESSAGES · 1 open", "(646) 555-0142")
	pr.key("enter")
	pr.waitFor("Number", "needs an answer by Friday.") // the whole text, wrapped
	pr.key("c")
	pr.waitFor("Call back Ada Whitfield on (646) 555-0142?")
	pr.key("n")
	pr.waitFor("Call back cancelled")
	pr.key("c")
	pr.waitFor("Call back Ada Whitfield on (646) 555-0142?")
	pr.key("y")
	pr.waitFor("✓ Dialled Ada Whitfield")
	pr.key("esc")
	pr.waitFor("MESSAGES · 1 open")

	var dials []string
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdDial && len(r.Args) > 0 {
			dials = append(dials, r.Args[0])
		}
	}
	if len(dials) != 1 || dials[0] != "16465550142" {
		t.Fatalf("server saw dials %v, want one to 16465550142", dials)
	}
}

// TestEndToEndMissedCallClosedByCallBack: against the simulator, with the
// history in SQLite, a missed call stays open (the header counts it, History
// lists it under open missed) until a later call to its number connects.
func TestEndToEndMissedCallClosedByCallBack(t *testing.T) {
	const did, pin = "6465550100", "2468"
	rec := openRecords(t, filepath.Join(t.TempDir(), "history.db"), did)
	pr, srv, ctx := startEndToEnd(t, did, pin, Options{Records: rec, Directory: testDirectory(t)})
	pr.waitFor("● live")

	id := srv.Ring(did, "16465550142", nil)
	pr.waitFor("☎ ringing", "Ada Whitfield")
	srv.SetState(did, id, "DELETED")
	pr.waitFor("1 missed")

	// History's open filter lists it; looking does not close it.
	pr.key("tab")
	pr.waitFor("HISTORY", "● open")
	pr.key("5")
	pr.waitFor("open missed · 1 call")
	pr.waitFor("1 missed")

	// A call back that is not answered leaves it open.
	pr.key("c")
	pr.waitFor("Call back Ada Whitfield on (646) 555-0142?")
	dialled := pr.expect("✓ Dialled Ada Whitfield")
	pr.key("y")
	dialled()
	out := waitOutbound(t, ctx, srv, did)
	srv.SetState(did, out, "DELETED")
	// Once the ended call back is stored, the console has seen it end
	// (its "Call to … ended" can no longer cover the next dial's status).
	waitStored(t, rec, model.CallQuery{Outbound: true}, 1)
	pr.waitFor("open missed · 1 call")
	if n, err := rec.OpenMissed(); err != nil || n != 1 {
		t.Fatalf("after the unanswered call back, open missed calls = %d, %v; want 1", n, err)
	}

	// The second call back connects: the missed call is closed.
	pr.key("c")
	pr.waitFor("Call back Ada Whitfield on (646) 555-0142?")
	dialled = pr.expect("✓ Dialled Ada Whitfield")
	pr.key("y")
	dialled()
	out = waitOutbound(t, ctx, srv, did)
	pr.key("shift+tab")
	srv.SetState(did, out, "CONNECTED")
	pr.waitRow("● connected", "Ada Whitfield")
	srv.SetState(did, out, "DELETED")
	pr.waitFor("No calls.")
	pr.key("tab")
	pr.waitFor("open missed · 0 calls")
	pr.poll("the header's badge gone", func(frame string) bool {
		header, _, _ := strings.Cut(frame, "\n")
		return !strings.Contains(header, "missed")
	})
	pr.key("0")
	pr.waitFor("reached")
	if n, err := rec.OpenMissed(); err != nil || n != 0 {
		t.Fatalf("open missed calls = %d, %v", n, err)
	}
	var dials []string
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdDial && len(r.Args) > 0 {
			dials = append(dials, r.Args[0])
		}
	}
	if strings.Join(dials, " ") != "16465550142 16465550142" {
		t.Fatalf("server saw dials %v, want two to 16465550142", dials)
	}
}

// waitStored waits until the history holds n calls that match q.
func waitStored(t *testing.T, rec *store.Accounts, q model.CallQuery, n int) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(5 * time.Second)
	for {
		got, err := rec.Calls(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == n {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("the history holds %d calls matching %+v; want %d", len(got), q, n)
		}
	}
}

// waitOutbound waits for the phone's newest outbound call and returns its Id.
func waitOutbound(t *testing.T, ctx context.Context, srv *skysim.Server, did string) string {
	t.Helper()
	var id string
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	err := srv.WaitCalls(wctx, did, func(calls []transport.Call) bool {
		for _, c := range calls {
			if c.Originated && c.State == "PENDING" {
				id = c.ID
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("no outbound call on the phone: %v", err)
	}
	return id
}
