package tui

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// End-to-end tests of the console's safety rules: the real console in a
// real program, the real stream, the simulator over loopback. Each asserts
// what reaches the wire (the simulator's command log) and the screen.

const safeDID, safePIN = "6465550100", "2468"

// callCommands is the simulator's log of call commands: everything but
// subscribe and listCalls.
func callCommands(srv *skysim.Server) []skysim.CommandRecord {
	var out []skysim.CommandRecord
	for _, r := range srv.Stats().Log {
		if r.Name != transport.CmdSubscribe && r.Name != transport.CmdListCalls {
			out = append(out, r)
		}
	}
	return out
}

// countSent counts the commands named name for call id.
func countSent(srv *skysim.Server, name, id string) int {
	n := 0
	for _, r := range callCommands(srv) {
		if r.Name == name && len(r.Args) > 0 && r.Args[0] == id {
			n++
		}
	}
	return n
}

// waitCall waits until the simulator has call id in state ("gone": ended).
func waitCall(t *testing.T, srv *skysim.Server, id, state string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.WaitCalls(ctx, safeDID, func(calls []transport.Call) bool {
		for _, c := range calls {
			if c.ID == id {
				return c.State == state
			}
		}
		return state == "gone"
	})
	if err != nil {
		t.Fatalf("call %s never %s: %v (calls %+v)", id, state, err, srv.Calls(safeDID))
	}
}

// waitStats waits until cond holds for the simulator's stats.
func waitStats(t *testing.T, srv *skysim.Server, what string, cond func(skysim.Stats) bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.WaitFor(ctx, cond); err != nil {
		t.Fatalf("server never saw %s: %v", what, err)
	}
}

// Item 1: the selected call ends on the phone; the next key does not act on
// the call that took its row.
func TestE2ESelectedCallEndsNothingElseIsActedOn(t *testing.T) {
	pr, srv, _ := startEndToEnd(t, safeDID, safePIN, Options{})
	pr.waitFor("● live")
	srv.Burst(safeDID,
		transport.Call{ID: "9001", Ani: "3125550111", State: "CONNECTED", Duration: 20},
		transport.Call{ID: "9002", Ani: "6465551234", State: "CONNECTED", Duration: 10})
	pr.waitRow("▸● connected", "(312) 555-0111") // the top call, selected as the list filled
	pr.waitRow("● connected", "(646) 555-1234")
	pr.key("j")
	pr.waitRow("▸● connected", "(646) 555-1234")
	srv.SetState(safeDID, "9002", "DELETED") // the caller hangs up
	pr.waitFor("Call from (646) 555-1234 ended; nothing is selected")
	pr.waitRow(" ● connected", "(312) 555-0111") // not selected
	pr.key("r")
	pr.waitFor("No call is selected: choose one with ↑/↓ first")

	// The same with ringing calls and ignore.
	srv.Burst(safeDID,
		transport.Call{ID: "9003", Ani: "2125550101", State: "RINGING", Duration: 9},
		transport.Call{ID: "9004", Ani: "2125550102", State: "RINGING", Duration: 5})
	pr.waitRow("☎ ringing", "(212) 555-0101")
	pr.waitRow("☎ ringing", "(212) 555-0102")
	pr.key("g")
	pr.key("j")
	pr.waitRow("▸☎ ringing", "(212) 555-0102")
	srv.SetState(safeDID, "9004", "DELETED")
	pr.waitFor("Call from (212) 555-0102 ended")
	pr.key("i")
	pr.waitFor("No call is selected")
	if got := callCommands(srv); len(got) != 0 {
		t.Fatalf("commands reached the phone: %+v", got)
	}
}

// Item 2: one command per intent.
func TestE2EOneCommandPerIntent(t *testing.T) {
	pr, srv, _ := startEndToEnd(t, safeDID, safePIN, Options{})
	pr.waitFor("● live")
	id := srv.Ring(safeDID, "6465551234", nil)
	pr.waitRow("▸☎ ringing", "(646) 555-1234")
	pr.key("a")
	pr.key("a")
	pr.key("a")
	waitCall(t, srv, id, "CONNECTED")
	pr.waitRow("● connected", "(646) 555-1234")
	pr.key("r")
	pr.key("r")
	waitCall(t, srv, id, "gone")
	pr.waitFor("No calls. Incoming calls appear here")
	if a, r := countSent(srv, transport.CmdAnswer, id), countSent(srv, transport.CmdRelease, id); a != 1 || r != 1 {
		t.Fatalf("%d answers and %d releases reached the phone, want 1 each: %+v", a, r, callCommands(srv))
	}
	if strings.Contains(pr.p.current(), "did not act") {
		t.Fatal("a repeat reached the phone and failed")
	}
}

// Item 3: CONNNECTED is connected; an unknown state can be hung up and
// asks for a listCalls.
func TestE2EMisspeltAndUnknownStates(t *testing.T) {
	pr, srv, _ := startEndToEnd(t, safeDID, safePIN, Options{})
	pr.waitFor("● live")
	id := srv.Ring(safeDID, "6465551234", nil)
	pr.waitRow("☎ ringing", "(646) 555-1234")
	srv.SetState(safeDID, id, "CONNNECTED")
	pr.waitRow("▸● connected", "(646) 555-1234")
	pr.key("h")
	waitCall(t, srv, id, "HOLDING")
	pr.waitRow("‖ on hold", "(646) 555-1234")

	// A state the guide does not list: the stream lists the calls again
	// and the true state shows.
	lists := srv.Stats().ListCalls
	srv.PushState(safeDID, id, "PARKED")
	waitStats(t, srv, "a listCalls after the unknown state", func(st skysim.Stats) bool { return st.ListCalls > lists })
	pr.waitRow("‖ on hold", "(646) 555-1234")

	// While listCalls is refused, the call stays shown with its raw state
	// and can be hung up.
	srv.RateLimitListCalls(time.Hour)
	srv.PushState(safeDID, id, "PARKED")
	pr.waitRow("▸? PARKED", "(646) 555-1234")
	pr.key("r")
	waitCall(t, srv, id, "gone")
	pr.waitFor("✓ Hung up (646) 555-1234")
	if n := countSent(srv, transport.CmdRelease, id); n != 1 {
		t.Fatalf("%d releases", n)
	}
}

// Item 4: ringing calls show in the header of every view, and Space (a/F2
// outside Calls) answers the caller ringing longest from there.
func TestE2EAnswerNextFromEveryView(t *testing.T) {
	pr, srv, _ := startEndToEnd(t, safeDID, safePIN, Options{Records: &memRecords{}})
	pr.waitFor("● live")
	pr.key("tab")
	pr.waitFor("HISTORY")
	first := srv.Ring(safeDID, "6465551234", nil)
	second := srv.Ring(safeDID, "2125550199", nil)
	pr.waitFor("HISTORY", "☎ 2 ringing · longest")
	pr.key("space")
	waitCall(t, srv, first, "CONNECTED")
	pr.waitFor("HISTORY", "☎ 1 ringing")
	pr.key("tab")
	pr.waitFor("MESSAGES", "☎ 1 ringing")
	pr.key("f2")
	waitCall(t, srv, second, "CONNECTED")
	waitCall(t, srv, first, "HOLDING") // the phone holds the other call
	pr.waitFor("MESSAGES", "✓ Answered (212) 555-0199")
	pr.poll("nobody ringing", func(frame string) bool {
		return strings.Contains(frame, "1 on hold") && !strings.Contains(frame, "ringing")
	})
	third := srv.Ring(safeDID, "3125550111", nil)
	pr.waitFor("MESSAGES", "☎ 1 ringing")
	pr.key("a")
	waitCall(t, srv, third, "CONNECTED")
	var answered []string
	for _, r := range callCommands(srv) {
		if r.Name == transport.CmdAnswer {
			answered = append(answered, r.Args[0])
		}
	}
	if !slices.Equal(answered, []string{first, second, third}) {
		t.Fatalf("answered %v, want %v", answered, []string{first, second, third})
	}
}

// failingRecords refuses to save messages while fail is set.
type failingRecords struct {
	memRecords
	fail atomic.Bool
}

func (r *failingRecords) AddMessage(m model.Message) (int64, error) {
	if r.fail.Load() {
		return 0, errors.New("disk full")
	}
	return r.memRecords.AddMessage(m)
}

// Item 5: nothing is lost by one key.
func TestE2ENothingLostByOneKey(t *testing.T) {
	rec := &failingRecords{}
	rec.fail.Store(true)
	pr, srv, _ := startEndToEnd(t, safeDID, safePIN, Options{Records: rec})
	pr.waitFor("● live")
	id := srv.Ring(safeDID, "6465551234", nil)
	pr.waitRow("▸☎ ringing", "(646) 555-1234")
	pr.key("a")
	waitCall(t, srv, id, "CONNECTED")
	pr.waitRow("● connected", "(646) 555-1234")
	pr.key("h")
	waitCall(t, srv, id, "HOLDING")
	pr.waitRow("‖ on hold", "(646) 555-1234")

	pr.key("q")
	pr.waitFor("1 call on hold — quit anyway? y/N")
	pr.key("n")
	pr.waitFor("Not quitting")

	// Ctrl+C in the message form closes the form, asking as it holds text.
	pr.key("m")
	pr.waitFor("TAKE A MESSAGE")
	pr.tm.Type("Dana")
	pr.key("ctrl+c")
	pr.waitFor("Discard the message you typed? y/N")
	pr.key("n")
	pr.waitFor("TAKE A MESSAGE", "Dana")
	pr.key("esc")
	pr.waitFor("Discard the message you typed? y/N")
	pr.key("n")
	// A message that fails to save stays in its form with the error.
	pr.key("tab")
	pr.key("tab")
	pr.key("tab")
	pr.tm.Type("Call back about the lease")
	pr.key("ctrl+s")
	pr.waitFor("TAKE A MESSAGE", "Dana", "Call back about the lease", "not saved: disk full")
	rec.fail.Store(false)
	pr.key("ctrl+s")
	pr.waitFor("Message for Dana saved")
	if msgs, _ := rec.Messages(); len(msgs) != 1 || msgs[0].Text != "Call back about the lease" {
		t.Fatalf("messages %+v", msgs)
	}
	if len(callCommands(srv)) != 2 {
		t.Fatalf("commands %+v", callCommands(srv))
	}
	pr.key("ctrl+c")
	pr.waitFor("1 call on hold — quit anyway? y/N")
	pr.key("y")
	pr.tm.WaitFinished(t)
}

// Item 6: why the console is offline, in words, on screen; a certificate
// failure waits the slow retry.
func TestE2EOfflineReasons(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/bobl/bobl"
	ln.Close()
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		rc := http.NewResponseController(w)
		rc.EnableFullDuplex()
		w.WriteHeader(http.StatusBadGateway)
		rc.Flush()
	}))
	defer gateway.Close()
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer tlsSrv.Close()
	for _, tc := range []struct {
		name, url string
		want      []string
	}{
		{"refused", closed, []string{"↻ reconnecting", "connection refused", "Not connected: connection refused. Next try at"}},
		{"bad gateway", gateway.URL + "/bobl/bobl", []string{"server answered HTTP 502 Bad Gateway"}},
		{"untrusted", tlsSrv.URL + "/bobl/bobl", []string{"certificate not trusted (set ca_file)", "↻ reconnecting in 1m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pr, _ := startConsoleOn(t, transport.Account{Server: tc.url, User: safeDID, PIN: safePIN}, Options{})
			pr.waitFor(tc.want...)
			if strings.Contains(pr.p.current(), safePIN) {
				t.Fatal("the PIN is on screen")
			}
		})
	}
}

// Item 8: rows not confirmed since the connection dropped are marked, and
// the header says why, until a listCalls confirms them.
func TestE2EUnconfirmedRows(t *testing.T) {
	srv, acct := startSim(t, safeDID, safePIN)
	pr, _ := startConsoleOn(t, acct, Options{}, transport.WithListCallsBackoff(50*time.Millisecond, 100*time.Millisecond))
	pr.waitFor("● live")
	id := srv.Ring(safeDID, "6465551234", nil)
	pr.waitRow("☎ ringing", "(646) 555-1234", " 0:0")
	srv.RateLimitListCalls(time.Hour)
	streams := srv.Stats().Streams
	srv.DropConnections(safeDID)
	waitStats(t, srv, "the stream back", func(st skysim.Stats) bool { return st.Streams > streams && st.Subscribers[safeDID] > 0 })
	pr.waitFor("◐ call list delayed by the phone service")
	pr.waitRow("☎ ringing", "(646) 555-1234", "~0:0")
	if strings.Contains(pr.p.current(), "● live") {
		t.Fatal("live over unconfirmed rows")
	}
	srv.RateLimitListCalls(0)
	pr.waitFor("● live")
	pr.waitRow("☎ ringing", "(646) 555-1234", " 0:0")
	if strings.Contains(pr.p.current(), "~") {
		t.Fatal("rows still marked after the listCalls")
	}
	_ = id
}

// Item 9: on start with calls present, the top call is selected, visibly,
// and the keys act on it.
func TestE2EStartWithCallsSelectsTop(t *testing.T) {
	pr, srv, _ := startEndToEnd(t, safeDID, safePIN, Options{}, func(srv *skysim.Server) {
		srv.Burst(safeDID,
			transport.Call{ID: "9101", Ani: "3125550111", State: "HOLDING", Duration: 30},
			transport.Call{ID: "9102", Ani: "6465551234", State: "CONNECTED", Duration: 40})
	})
	pr.waitRow("▸‖ on hold", "(312) 555-0111")
	pr.waitFor("h/F3 resume")
	pr.key("h")
	waitCall(t, srv, "9101", "CONNECTED")
	waitCall(t, srv, "9102", "HOLDING")
	got := callCommands(srv)
	if len(got) != 1 || got[0].Name != transport.CmdResume || got[0].Args[0] != "9101" {
		t.Fatalf("commands %+v, want one resume of the selected call", got)
	}
}
