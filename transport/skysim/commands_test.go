package skysim

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// phoneClient runs commands over one transport, so the same scenario can be
// checked over GET and over the stream.
type phoneClient interface {
	run(name string, args ...string) transport.Response
}

type getClient struct {
	t   *testing.T
	url string
	did string
	pin string
}

func (g getClient) run(name string, args ...string) transport.Response {
	g.t.Helper()
	r, _ := get(g.t, g.url, name, g.did, g.pin, args...)
	return r
}

type streamClient struct {
	t      *testing.T
	s      *stream
	did    string
	pin    string
	nextID int
	events []transport.Call // events that arrived while waiting for a reply
	subID  string
}

func (c *streamClient) run(name string, args ...string) transport.Response {
	c.t.Helper()
	c.nextID++
	id := strconv.Itoa(c.nextID)
	c.s.send(name, c.did, c.pin, id, args...)
	for {
		r := c.s.next()
		if r.ID == id {
			return r
		}
		if c.subID != "" && r.ID == c.subID {
			c.events = append(c.events, eventCall(c.t, r, c.subID))
			continue
		}
		c.t.Fatalf("reply for an unknown Id: %+v", r)
	}
}

func bothTransports(t *testing.T, body func(t *testing.T, f *fixture, c phoneClient)) {
	t.Run("GET", func(t *testing.T) {
		f := newFixture(t)
		body(t, f, getClient{t: t, url: f.url, did: testDID, pin: testPIN})
	})
	t.Run("POST", func(t *testing.T) {
		f := newFixture(t)
		body(t, f, &streamClient{t: t, s: openStream(t, f.url), did: testDID, pin: testPIN, nextID: 100})
	})
}

func stateOf(t *testing.T, f *fixture, id string) string {
	t.Helper()
	for _, c := range f.srv.Calls(testDID) {
		if c.ID == id {
			return c.State
		}
	}
	return ""
}

func TestEveryCommandBothTransports(t *testing.T) {
	bothTransports(t, func(t *testing.T, f *fixture, c phoneClient) {
		a := f.srv.Ring(testDID, "16465551234", nil)
		if !boolResult(t, c.run(transport.CmdAnswer, a, "")) || stateOf(t, f, a) != StateConnected {
			t.Fatal("answer")
		}
		if !boolResult(t, c.run(transport.CmdHold, a)) || stateOf(t, f, a) != StateHolding {
			t.Fatal("hold")
		}
		if !boolResult(t, c.run(transport.CmdResume, a)) || stateOf(t, f, a) != StateConnected {
			t.Fatal("resume")
		}
		r := c.run(transport.CmdListCalls, "")
		if len(r.Result.Items) != 1 || r.Result.Items[0].ID != a || r.Result.Items[0].State != StateConnected || r.Result.Items[0].CLID != nil {
			t.Fatalf("listCalls %+v", r.Result.Items)
		}
		if !boolResult(t, c.run(transport.CmdRelease, a)) || stateOf(t, f, a) != "" {
			t.Fatal("release")
		}
		b := f.srv.Ring(testDID, "2125550123", strp(testDID))
		if !boolResult(t, c.run(transport.CmdIgnore, b)) || len(f.srv.Calls(testDID)) != 0 {
			t.Fatal("ignore")
		}
		if !boolResult(t, c.run(transport.CmdDial, "6465551234", "")) {
			t.Fatal("dial")
		}
		calls := f.srv.Calls(testDID)
		if len(calls) != 1 || calls[0].State != StatePending || !calls[0].Originated || calls[0].Ani != "6465551234" {
			t.Fatalf("dialled call %+v", calls)
		}
		f.clock.Advance(2 * time.Second)
		if st := stateOf(t, f, calls[0].ID); st != StateConnected {
			t.Fatalf("dialled call is %s after the connect delay", st)
		}
		if !boolResult(t, c.run(transport.CmdRelease, "")) || len(f.srv.Calls(testDID)) != 0 {
			t.Fatal("release blank")
		}
	})
}

func TestBlankIDPicksFirstCallInTheRightState(t *testing.T) {
	bothTransports(t, func(t *testing.T, f *fixture, c phoneClient) {
		a := f.srv.Ring(testDID, "2125550101", nil)
		b := f.srv.Ring(testDID, "2125550102", nil)
		// answer "" takes the first ringing call: a.
		if !boolResult(t, c.run(transport.CmdAnswer, "", "")) || stateOf(t, f, a) != StateConnected || stateOf(t, f, b) != StateRinging {
			t.Fatal("answer blank")
		}
		// hold "" takes the first connected call: a, not the older-ringing b.
		if !boolResult(t, c.run(transport.CmdHold, "")) || stateOf(t, f, a) != StateHolding {
			t.Fatal("hold blank")
		}
		// answer "" again: b is now the first ringing call.
		if !boolResult(t, c.run(transport.CmdAnswer, "", "")) || stateOf(t, f, b) != StateConnected {
			t.Fatal("answer blank second")
		}
		// resume "" takes the held call a, and puts b, connected, on hold.
		if !boolResult(t, c.run(transport.CmdResume, "")) || stateOf(t, f, a) != StateConnected || stateOf(t, f, b) != StateHolding {
			t.Fatal("resume blank")
		}
		// release "" ends the first active call (a); b stays on hold.
		if !boolResult(t, c.run(transport.CmdRelease, "")) || stateOf(t, f, a) != "" || stateOf(t, f, b) != StateHolding {
			t.Fatal("release blank")
		}
		// ignore "" with nothing ringing: false.
		if boolResult(t, c.run(transport.CmdIgnore, "")) {
			t.Fatal("ignore blank with nothing ringing")
		}
	})
}

// TestAnsweringHoldsTheConnectedCall: like a handset, the phone talks on
// one call at a time; answering, resuming or dialling holds the other.
func TestAnsweringHoldsTheConnectedCall(t *testing.T) {
	bothTransports(t, func(t *testing.T, f *fixture, c phoneClient) {
		a := f.srv.Ring(testDID, "2125550101", nil)
		b := f.srv.Ring(testDID, "2125550102", nil)
		if !boolResult(t, c.run(transport.CmdAnswer, a, "")) || stateOf(t, f, a) != StateConnected {
			t.Fatal("answer a")
		}
		if !boolResult(t, c.run(transport.CmdAnswer, b, "")) || stateOf(t, f, b) != StateConnected || stateOf(t, f, a) != StateHolding {
			t.Fatalf("answer b: a %s, b %s", stateOf(t, f, a), stateOf(t, f, b))
		}
		if !boolResult(t, c.run(transport.CmdResume, a)) || stateOf(t, f, a) != StateConnected || stateOf(t, f, b) != StateHolding {
			t.Fatal("resume a")
		}
		if !boolResult(t, c.run(transport.CmdDial, "6465551234", "")) || stateOf(t, f, a) != StateHolding {
			t.Fatal("dial")
		}
		connected := 0
		for _, call := range f.srv.Calls(testDID) {
			if call.State == StateConnected {
				connected++
			}
		}
		if connected > 1 {
			t.Fatalf("%d calls connected at once", connected)
		}
	})
}

func TestResultFalse(t *testing.T) {
	bothTransports(t, func(t *testing.T, f *fixture, c phoneClient) {
		ringing := f.srv.Ring(testDID, "2125550101", nil)
		cases := []struct {
			name string
			args []string
		}{
			{transport.CmdAnswer, []string{"99999", ""}},      // no such call
			{transport.CmdHold, []string{ringing}},            // ringing, not connected
			{transport.CmdResume, []string{ringing}},          // not held
			{transport.CmdRelease, []string{ringing}},         // ringing: ignore it instead
			{transport.CmdIgnore, []string{"65884"}},          // no such call
			{transport.CmdRelease, []string{""}},              // nothing active
			{transport.CmdHold, []string{""}},                 // nothing connected
			{transport.CmdResume, []string{""}},               // nothing held
			{transport.CmdDial, []string{"916465551234", ""}}, // outbound dial digit
			{transport.CmdDial, []string{"101161212345678", ""}},
			{transport.CmdDial, []string{"61212345678", ""}},
			{transport.CmdDial, []string{"", ""}},
			{transport.CmdDial, []string{"646-555-1234", ""}},
		}
		for _, tc := range cases {
			if boolResult(t, c.run(tc.name, tc.args...)) {
				t.Errorf("%s %q: true, want false", tc.name, tc.args)
			}
		}
		if calls := f.srv.Calls(testDID); len(calls) != 1 || calls[0].State != StateRinging {
			t.Fatalf("calls changed: %+v", calls)
		}
		for _, n := range []string{"6465551234", "16465551234", "1234", "01161212345678"} {
			if !boolResult(t, c.run(transport.CmdDial, n, "")) {
				t.Errorf("dial %s: false, want true", n)
			}
		}
	})
}

func TestErrorCodes(t *testing.T) {
	const ac = "org.m5.apps.v1.cti.ClickToDial."
	cases := []struct {
		what, name, user, pin string
		args                  []string
		code                  int
		msg                   string
	}{
		{"no name", "", testDID, testPIN, nil, 2, "Command is missing a class name."},
		{"no class", "answer", testDID, testPIN, []string{"", ""}, 2, "Command is missing a class name."},
		{"no method", ac, testDID, testPIN, []string{"", ""}, 3, "Command is missing a method name."},
		{"unknown method", ac + "transfer", testDID, testPIN, []string{"", ""}, 4, "No such method"},
		{"wrong case", ac + "listcalls", testDID, testPIN, []string{""}, 4, "No such method"},
		{"unknown class", "org.m5.apps.v1.cti.ClickToCall.answer", testDID, testPIN, []string{"", ""}, 4, "No such method"},
		{"wrong PIN", transport.CmdAnswer, testDID, "00000", []string{"", ""}, 5, "Authorization or authentication failed"},
		{"unknown DID", transport.CmdAnswer, "9995550000", testPIN, []string{"", ""}, 5, "Authorization or authentication failed"},
		{"other account's PIN", transport.CmdAnswer, testDID, otherPIN, []string{"", ""}, 5, "Authorization or authentication failed"},
		{"too few args", transport.CmdAnswer, testDID, testPIN, []string{""}, 13, "The command expected arguments of different type or amount"},
		{"too many args", transport.CmdHold, testDID, testPIN, []string{"", ""}, 13, "The command expected arguments of different type or amount"},
		{"no args for listCalls", transport.CmdListCalls, testDID, testPIN, nil, 13, "The command expected arguments of different type or amount"},
		{"dial without endpoint arg", transport.CmdDial, testDID, testPIN, []string{"6465551234"}, 13, "The command expected arguments of different type or amount"},
		{"unknown endpoint", transport.CmdListCalls, testDID, testPIN, []string{"00aabbccddee"}, 8, "Endpoint not found. Log into your phone."},
	}
	check := func(t *testing.T, r transport.Response, code int, msg string) {
		t.Helper()
		gotCode, gotMsg := errorOf(t, r)
		if gotCode != code || gotMsg != msg {
			t.Errorf("got %d %q, want %d %q", gotCode, gotMsg, code, msg)
		}
	}
	f := newFixture(t)
	s := openStream(t, f.url)
	for i, tc := range cases {
		t.Run(tc.what, func(t *testing.T) {
			r, _ := get(t, f.url, tc.name, tc.user, tc.pin, tc.args...)
			check(t, r, tc.code, tc.msg)
			id := strconv.Itoa(1000 + i)
			s.send(tc.name, tc.user, tc.pin, id, tc.args...)
			r = s.next()
			if r.ID != id {
				t.Fatalf("reply Id %q, want %q", r.ID, id)
			}
			check(t, r, tc.code, tc.msg)
		})
	}
	t.Run("subscribe over GET", func(t *testing.T) {
		r, _ := get(t, f.url, transport.CmdSubscribe, testDID, testPIN)
		check(t, r, 4, "No such method")
	})
	t.Run("subscribe with arguments", func(t *testing.T) {
		s.send(transport.CmdSubscribe, testDID, testPIN, "77", "")
		check(t, s.next(), 13, "The command expected arguments of different type or amount")
	})
	t.Run("blocked user", func(t *testing.T) {
		f.srv.SetBlocked(otherDID, true)
		defer f.srv.SetBlocked(otherDID, false)
		r, _ := get(t, f.url, transport.CmdListCalls, otherDID, otherPIN, "")
		check(t, r, 5, "Your user has been temporarily blocked for API abuse.")
	})
	t.Run("phone logged out", func(t *testing.T) {
		f.srv.SetLoggedIn(testDID, false)
		for _, name := range []string{transport.CmdAnswer, transport.CmdDial, transport.CmdListCalls} {
			args := map[string][]string{transport.CmdAnswer: {"", ""}, transport.CmdDial: {"1234", ""}, transport.CmdListCalls: {""}}[name]
			r, _ := get(t, f.url, name, testDID, testPIN, args...)
			check(t, r, 8, "Endpoint not found. Log into your phone.")
		}
		s.send(transport.CmdSubscribe, testDID, testPIN, "78")
		check(t, s.next(), 8, "Endpoint not found. Log into your phone.")
		// The other account's phone is unaffected.
		r, _ := get(t, f.url, transport.CmdListCalls, otherDID, otherPIN, "")
		if r.ErrorCount != 0 {
			t.Fatalf("other DID: %+v", r)
		}
		f.srv.SetLoggedIn(testDID, true)
		r, _ = get(t, f.url, transport.CmdListCalls, testDID, testPIN, "")
		if r.ErrorCount != 0 {
			t.Fatalf("logged back in: %+v", r)
		}
	})
	t.Run("endpoint given in another spelling", func(t *testing.T) {
		ep := strings.ToUpper(f.srv.phones[testDID].endpoint)
		ep = ep[:2] + ":" + ep[2:4] + ":" + ep[4:6] + ":" + ep[6:8] + ":" + ep[8:10] + ":" + ep[10:]
		r, _ := get(t, f.url, transport.CmdListCalls, testDID, testPIN, ep)
		if r.ErrorCount != 0 {
			t.Fatalf("endpoint %s: %+v", ep, r)
		}
	})
}

func TestRateLimitListCalls(t *testing.T) {
	f := newFixture(t)
	f.srv.RateLimitListCalls(10 * time.Second)
	c := &streamClient{t: t, s: openStream(t, f.url), did: testDID, pin: testPIN}
	if r := c.run(transport.CmdListCalls, ""); r.ErrorCount != 0 {
		t.Fatalf("first listCalls: %+v", r)
	}
	f.clock.Advance(9 * time.Second)
	code, msg := errorOf(t, c.run(transport.CmdListCalls, ""))
	if code != 6 || msg != "This application has been temporarily blocked for API misuse." {
		t.Fatalf("second listCalls: %d %q", code, msg)
	}
	// Over GET too, and per DID: the other account is not limited.
	r, _ := get(t, f.url, transport.CmdListCalls, testDID, testPIN, "")
	if code, _ := errorOf(t, r); code != 6 {
		t.Fatalf("GET listCalls: %d", code)
	}
	if r, _ := get(t, f.url, transport.CmdListCalls, otherDID, otherPIN, ""); r.ErrorCount != 0 {
		t.Fatalf("other DID limited: %+v", r)
	}
	// Other commands are not limited.
	if boolResult(t, c.run(transport.CmdAnswer, "", "")) {
		t.Fatal("answer with nothing ringing")
	}
	f.clock.Advance(time.Second)
	if r := c.run(transport.CmdListCalls, ""); r.ErrorCount != 0 {
		t.Fatalf("after the window: %+v", r)
	}
	f.srv.RateLimitListCalls(0)
	if r := c.run(transport.CmdListCalls, ""); r.ErrorCount != 0 {
		t.Fatalf("limit lifted: %+v", r)
	}
	if st := f.srv.Stats(); st.ListCalls != 6 || st.Errors[6] != 2 {
		t.Fatalf("stats: ListCalls %d, errors %v", st.ListCalls, st.Errors)
	}
}

func TestDurationCountsFromTheCallsStart(t *testing.T) {
	f := newFixture(t)
	id := f.srv.Ring(testDID, "2125550101", nil)
	f.clock.Advance(7 * time.Second)
	r, _ := get(t, f.url, transport.CmdAnswer, testDID, testPIN, id, "")
	boolResult(t, r)
	f.clock.Advance(30*time.Second + 500*time.Millisecond)
	r, _ = get(t, f.url, transport.CmdListCalls, testDID, testPIN, "")
	if d := r.Result.Items[0].Duration; d != 37 {
		t.Fatalf("duration %d, want 37 (ringing included)", d)
	}
}

func TestDialNeverConnectsWithNegativeDelay(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.DialConnectDelay = -1 })
	id := f.srv.Dial(testDID, "1234")
	f.clock.Advance(time.Hour)
	if st := stateOf(t, f, id); st != StatePending {
		t.Fatalf("state %s", st)
	}
}

func TestIDsPerAccount(t *testing.T) {
	const did2 = "2125550200"
	srv := New(Config{Accounts: []Account{{DID: testDID, PIN: testPIN}, {DID: did2, PIN: testPIN}}, IDsPerAccount: true})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	a := srv.Ring(testDID, "2125550101", nil)
	b := srv.Ring(did2, "2125550102", nil)
	if a != strconv.Itoa(FirstCallID) || b != a {
		t.Fatalf("Ids %q and %q: want both %d", a, b, FirstCallID)
	}
	// A command acts on its own account's call with that Id only.
	if !boolResult(t, (getClient{t: t, url: url, did: did2, pin: testPIN}).run(transport.CmdAnswer, b, "")) {
		t.Fatal("answer on the second account")
	}
	if got := srv.Calls(did2)[0].State; got != StateConnected {
		t.Errorf("second account's call: %s", got)
	}
	if got := srv.Calls(testDID)[0].State; got != StateRinging {
		t.Errorf("first account's call with the same Id: %s", got)
	}
}
