package transport_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

const (
	did  = "6465551000"
	pin  = "12345"
	wait = 5 * time.Second
)

type rig struct {
	sim   *skysim.Server
	clock *skysim.ManualClock
	acct  transport.Account
}

func newRig(t testing.TB) *rig {
	clock := skysim.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	sim := skysim.New(skysim.Config{
		Accounts:         []skysim.Account{{DID: did, PIN: pin}},
		Seed:             1,
		DialConnectDelay: time.Second,
		Clock:            clock,
	})
	u, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return &rig{sim: sim, clock: clock, acct: transport.Account{Server: u, User: did, PIN: pin}}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// streamOpts keep the retry timers short for tests.
var streamOpts = []transport.StreamOption{
	transport.WithBackoff(5*time.Millisecond, 40*time.Millisecond),
	transport.WithListCallsBackoff(40*time.Millisecond, 80*time.Millisecond),
	transport.WithPhoneRetry(100 * time.Millisecond),
	transport.WithCommandTimeout(3 * time.Second),
}

// startStream runs a stream against the rig and returns it with a function
// that waits for Run's result.
func (r *rig) startStream(t testing.TB, acct transport.Account, opts ...transport.StreamOption) (*transport.Stream, func() error) {
	s, err := transport.NewStream(acct, append(append([]transport.StreamOption{}, streamOpts...), opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	var runErr error
	result := func() error {
		once.Do(func() {
			select {
			case runErr = <-done:
			case <-time.After(wait):
				t.Fatal("Run did not return")
			}
		})
		return runErr
	}
	t.Cleanup(func() { cancel(); result() })
	return s, result
}

// live starts a stream and waits for its first snapshot.
func (r *rig) live(t testing.TB) *transport.Stream {
	s, _ := r.startStream(t, r.acct)
	waitEvent(t, s, snapshot)
	return s
}

func waitEvent(t testing.TB, s *transport.Stream, keep func(transport.Event) bool) transport.Event {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				t.Fatal("events closed")
			}
			if keep(ev) {
				return ev
			}
		case <-deadline:
			t.Fatal("timed out waiting for an event")
		}
	}
}

func snapshot(ev transport.Event) bool { return ev.Kind == transport.EventSnapshot }

func connIs(st transport.ConnStatus) func(transport.Event) bool {
	return func(ev transport.Event) bool { return ev.Kind == transport.EventConn && ev.Conn.Status == st }
}

func callIs(id, state string) func(transport.Event) bool {
	return func(ev transport.Event) bool {
		return ev.Kind == transport.EventCall && ev.Call.ID == id && ev.Call.State == state
	}
}

func (r *rig) waitState(t testing.TB, id, state string) {
	t.Helper()
	err := r.sim.WaitCalls(ctxT(t), did, func(calls []transport.Call) bool {
		for _, c := range calls {
			if c.ID == id {
				return c.State == state
			}
		}
		return state == skysim.StateDeleted
	})
	if err != nil {
		t.Fatalf("call %s never reached %s: %v", id, state, err)
	}
}

// phone is what both transports offer.
type phone interface {
	Answer(ctx context.Context, id string) error
	Ignore(ctx context.Context, id string) error
	Hold(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
	Release(ctx context.Context, id string) error
	Dial(ctx context.Context, number string) error
	ListCalls(ctx context.Context) ([]transport.Call, error)
}

var (
	_ phone = (*transport.Stream)(nil)
	_ phone = (*transport.Client)(nil)
)

func TestSimEveryCommand(t *testing.T) {
	for _, via := range []string{"stream", "get"} {
		t.Run(via, func(t *testing.T) {
			r := newRig(t)
			var p phone
			var s *transport.Stream
			if via == "stream" {
				s = r.live(t)
				p = s
			} else {
				c, err := transport.NewClient(r.acct)
				if err != nil {
					t.Fatal(err)
				}
				p = c
			}
			ctx := ctxT(t)
			expect := func(id, state string) {
				t.Helper()
				r.waitState(t, id, state)
				if s != nil {
					waitEvent(t, s, callIs(id, state))
				}
			}
			id := r.sim.Ring(did, "6465551234", nil)
			expect(id, skysim.StateRinging)
			calls, err := p.ListCalls(ctx)
			if err != nil || len(calls) != 1 || calls[0].ID != id || calls[0].State != "RINGING" || calls[0].CLID != nil {
				t.Fatalf("ListCalls: %+v %v", calls, err)
			}
			if s != nil {
				waitEvent(t, s, snapshot) // a stream listCalls is a snapshot too
			}
			must := func(what string, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			must("answer", p.Answer(ctx, id))
			expect(id, skysim.StateConnected)
			must("hold", p.Hold(ctx, id))
			expect(id, skysim.StateHolding)
			must("resume", p.Resume(ctx, ""))
			expect(id, skysim.StateConnected)
			must("release", p.Release(ctx, id))
			expect(id, skysim.StateDeleted)

			id2 := r.sim.Ring(did, "2125550100", ptr("6465551000"))
			expect(id2, skysim.StateRinging)
			must("ignore", p.Ignore(ctx, ""))
			expect(id2, skysim.StateDeleted)

			must("dial", p.Dial(ctx, "6465551234"))
			var out string
			r.sim.WaitCalls(ctx, did, func(cs []transport.Call) bool {
				if len(cs) == 1 && cs[0].Originated {
					out = cs[0].ID
				}
				return out != ""
			})
			expect(out, skysim.StatePending)

			// Nothing ringing: the phone does not act.
			if err := p.Answer(ctx, ""); !errors.Is(err, transport.ErrNotApplied) {
				t.Errorf("answer with nothing ringing: %v", err)
			}
			if err := p.Resume(ctx, "424242"); !errors.Is(err, transport.ErrNotApplied) {
				t.Errorf("resume of an unknown call: %v", err)
			}

			// The simulator saw the guide's argument counts.
			counts := map[string]int{transport.CmdDial: 2, transport.CmdAnswer: 2, transport.CmdIgnore: 1, transport.CmdHold: 1,
				transport.CmdResume: 1, transport.CmdRelease: 1, transport.CmdListCalls: 1, transport.CmdSubscribe: 0}
			for _, rec := range r.sim.Stats().Log {
				if rec.Error != 0 || len(rec.Args) != counts[rec.Name] {
					t.Errorf("simulator got %+v", rec)
				}
				if via == "get" && rec.Transport != "GET" || via == "stream" && rec.Transport != "POST" {
					t.Errorf("sent over %s", rec.Transport)
				}
			}
		})
	}
}

func ptr(s string) *string { return &s }

func TestSimErrorCodes(t *testing.T) {
	r := newRig(t)
	s := r.live(t)
	c, _ := transport.NewClient(r.acct)
	ctx := ctxT(t)

	r.sim.SetLoggedIn(did, false)
	for name, p := range map[string]phone{"stream": s, "get": c} {
		err := p.Hold(ctx, "")
		var ae *transport.APIError
		if !errors.Is(err, transport.ErrPhoneNotLoggedIn) || !errors.As(err, &ae) || ae.Command != "hold" || ae.Major != 8 {
			t.Errorf("%s hold while logged out: %v", name, err)
		}
	}
	r.sim.SetLoggedIn(did, true)

	r.sim.RateLimitListCalls(time.Minute)
	if _, err := c.ListCalls(ctx); !errors.Is(err, transport.ErrRateLimited) {
		t.Errorf("get listCalls inside the window: %v", err)
	}
	if _, err := s.ListCalls(ctx); !errors.Is(err, transport.ErrRateLimited) {
		t.Errorf("stream listCalls inside the window: %v", err)
	}
	// The stream now refuses locally instead of asking again.
	before := r.sim.Stats().ListCalls
	if _, err := s.ListCalls(ctx); !errors.Is(err, transport.ErrRateLimited) {
		t.Errorf("second stream listCalls: %v", err)
	}
	if after := r.sim.Stats().ListCalls; after != before {
		t.Errorf("listCalls sent during the backoff window (%d -> %d)", before, after)
	}

	bad := r.acct
	bad.PIN = "00000"
	cb, _ := transport.NewClient(bad)
	if err := cb.Answer(ctx, ""); !errors.Is(err, transport.ErrAuth) || strings.Contains(err.Error(), "00000") {
		t.Errorf("wrong PIN over GET: %v", err)
	}
	r.sim.SetBlocked(did, true)
	if err := c.Answer(ctx, ""); !errors.Is(err, transport.ErrAuth) || !strings.Contains(err.Error(), "blocked") {
		t.Errorf("blocked over GET: %v", err)
	}
}

// TestSimAuthRefused: a refused PIN keeps the stream waiting (the slow
// auth retry) with the reason, and the right PIN typed again connects at
// once. A block mid-session fails the commands, not the stream.
func TestSimAuthRefused(t *testing.T) {
	r := newRig(t)
	bad := r.acct
	bad.PIN = "99999"
	s, _ := r.startStream(t, bad, transport.WithAuthRetry(time.Hour))
	ev := waitEvent(t, s, connIs(transport.ConnReconnecting))
	if !errors.Is(ev.Conn.Err, transport.ErrAuth) || time.Until(ev.Conn.NextTry) < 50*time.Minute {
		t.Errorf("reconnecting %+v", ev.Conn)
	}
	if st := r.sim.Stats(); st.Streams != 1 || st.Subscribes != 1 || st.ListCalls != 0 {
		t.Errorf("after error 5: %d streams, %d subscribes, %d listCalls", st.Streams, st.Subscribes, st.ListCalls)
	}
	if err := s.SetPIN(r.acct.PIN); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, s, snapshot)

	// Blocked mid-session: the command fails, the stream stays.
	s2, _ := r.startStream(t, r.acct)
	waitEvent(t, s2, snapshot)
	id := r.sim.Ring(did, "6465551234", nil)
	waitEvent(t, s2, callIs(id, "RINGING"))
	r.sim.SetBlocked(did, true)
	if err := s2.Answer(ctxT(t), id); !errors.Is(err, transport.ErrAuth) {
		t.Errorf("answer while blocked: %v", err)
	}
	r.sim.SetBlocked(did, false)
	if err := s2.Answer(ctxT(t), id); err != nil {
		t.Errorf("answer once unblocked: %v", err)
	}
	if st := s2.State(); st.Status != transport.ConnLive {
		t.Errorf("stream state %+v after a refused command", st)
	}
}

func TestSimReconnectKeepsCall(t *testing.T) {
	r := newRig(t)
	s := r.live(t)
	ctx := ctxT(t)
	id := r.sim.Ring(did, "6465551234", nil)
	waitEvent(t, s, callIs(id, "RINGING"))
	if err := s.Answer(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, s, callIs(id, "CONNECTED"))

	r.sim.DropConnections(did)
	ev := waitEvent(t, s, connIs(transport.ConnReconnecting))
	if ev.Conn.Err == nil || ev.Conn.NextTry.IsZero() {
		t.Errorf("reconnecting %+v", ev.Conn)
	}
	waitEvent(t, s, connIs(transport.ConnConnecting))
	waitEvent(t, s, connIs(transport.ConnLive))
	snap := waitEvent(t, s, snapshot)
	if len(snap.Calls) != 1 || snap.Calls[0].ID != id || snap.Calls[0].State != "CONNECTED" {
		t.Fatalf("snapshot after reconnect: %+v", snap.Calls)
	}
	if st := r.sim.Stats(); st.Streams != 2 || st.Subscribes != 2 || st.ListCalls != 2 {
		t.Errorf("streams %d subscribes %d listCalls %d", st.Streams, st.Subscribes, st.ListCalls)
	}
	// Commands work on the new connection.
	if err := s.Hold(ctx, id); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, s, callIs(id, "HOLDING"))
}

func TestSimResubscribeOnError17(t *testing.T) {
	r := newRig(t)
	s := r.live(t)
	r.sim.InjectError(did, 17, "")
	if err := r.sim.WaitFor(ctxT(t), func(st skysim.Stats) bool { return st.Subscribes == 2 && st.Subscribers[did] == 1 }); err != nil {
		t.Fatalf("no resubscribe: %v", err)
	}
	id := r.sim.Ring(did, "6465551234", nil)
	// The next event is the call: no connection change, no snapshot.
	ev := waitEvent(t, s, func(transport.Event) bool { return true })
	if ev.Kind != transport.EventCall || ev.Call.ID != id {
		t.Fatalf("after error 17 got %+v", ev)
	}
	if st := r.sim.Stats(); st.Streams != 1 || st.ListCalls != 1 {
		t.Errorf("streams %d listCalls %d", st.Streams, st.ListCalls)
	}
}

func TestSimListCallsBackoff(t *testing.T) {
	r := newRig(t)
	s := r.live(t)
	r.sim.RateLimitListCalls(time.Minute) // on the simulator's manual clock
	r.sim.DropConnections(did)
	ev := waitEvent(t, s, func(ev transport.Event) bool {
		return ev.Kind == transport.EventConn && ev.Conn.Status == transport.ConnLive && ev.Conn.Err != nil
	})
	if !errors.Is(ev.Conn.Err, transport.ErrRateLimited) {
		t.Fatalf("live with %v", ev.Conn.Err)
	}
	// Events flow while the snapshot waits.
	id := r.sim.Ring(did, "6465551234", nil)
	waitEvent(t, s, callIs(id, "RINGING"))

	// Retries are spaced by the listCalls backoff (40 ms doubling to 80 ms,
	// never less than half of that), never hammering the server.
	start := time.Now()
	base := r.sim.Stats().ListCalls
	if err := r.sim.WaitFor(ctxT(t), func(st skysim.Stats) bool { return st.ListCalls >= base+3 }); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("three listCalls retries within %v", d)
	}
	r.clock.Advance(time.Minute)
	snap := waitEvent(t, s, snapshot)
	if len(snap.Calls) != 1 || snap.Calls[0].ID != id {
		t.Errorf("snapshot %+v", snap.Calls)
	}
	ev = waitEvent(t, s, func(ev transport.Event) bool { return ev.Kind == transport.EventConn })
	if ev.Conn.Status != transport.ConnLive || ev.Conn.Err != nil {
		t.Errorf("after the snapshot: %+v", ev.Conn)
	}
	if st := r.sim.Stats(); st.Streams != 2 {
		t.Errorf("rate limiting caused a reconnect: %d streams", st.Streams)
	}
}

func TestSimPhoneNotLoggedInRetriesSlowly(t *testing.T) {
	r := newRig(t)
	r.sim.SetLoggedIn(did, false)
	s, _ := r.startStream(t, r.acct)
	ev := waitEvent(t, s, connIs(transport.ConnReconnecting))
	if !errors.Is(ev.Conn.Err, transport.ErrPhoneNotLoggedIn) || !strings.Contains(ev.Conn.Err.Error(), "not logged in") {
		t.Fatalf("reconnecting with %v", ev.Conn.Err)
	}
	if d := ev.Conn.NextTry.Sub(ev.At); d < 90*time.Millisecond || d > 110*time.Millisecond {
		t.Errorf("next try in %v, want the phone retry interval", d)
	}
	start := time.Now()
	waitEvent(t, s, connIs(transport.ConnReconnecting))
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("retried after %v", d)
	}
	r.sim.SetLoggedIn(did, true)
	waitEvent(t, s, connIs(transport.ConnLive))
	waitEvent(t, s, snapshot)
}

func TestSimBurstSplitAndGarbage(t *testing.T) {
	r := newRig(t)
	s := r.live(t)
	r.sim.SplitWrites(1)
	r.sim.Burst(did,
		transport.Call{ID: "500", Ani: "6465559999", State: "PENDING"},
		transport.Call{ID: "500", Ani: "6465559999", State: "CONNECTED"},
		transport.Call{ID: "500", Ani: "6465559999", State: "DELETED"})
	for _, st := range []string{"PENDING", "CONNECTED", "DELETED"} {
		waitEvent(t, s, callIs("500", st))
	}
	r.sim.SplitWrites(0)
	r.sim.SendRaw(did, []byte("<?xml version=\"1.0\"?><org.m5.api.v1.Response><Id>1</Id><Result>&junk;</Result></org.m5.api.v1.Response>\n<<<garbage"))
	id := r.sim.Ring(did, "6465551234", ptr("8005551212"))
	r.sim.SetState(did, id, "CONNNECTED")
	ev := waitEvent(t, s, func(ev transport.Event) bool { return ev.Kind == transport.EventCall })
	if ev.Call.ID != id || ev.Call.CLID == nil || *ev.Call.CLID != "8005551212" {
		t.Fatalf("after garbage: %+v", ev)
	}
	waitEvent(t, s, callIs(id, "CONNNECTED"))
	if st := r.sim.Stats(); st.Streams != 1 {
		t.Errorf("garbage caused a reconnect")
	}
}

// bodyGate holds back what a response body delivers while it is held, so a
// test can keep a reply from reaching the client.
type bodyGate struct {
	mu   sync.Mutex
	open chan struct{} // closed while the gate is open
}

func newBodyGate() *bodyGate {
	g := &bodyGate{open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *bodyGate) hold() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default:
	}
}

func (g *bodyGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

func (g *bodyGate) wait() {
	g.mu.Lock()
	ch := g.open
	g.mu.Unlock()
	<-ch
}

func (g *bodyGate) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		resp.Body = gatedBody{resp.Body, g}
	}
	return resp, err
}

type gatedBody struct {
	io.ReadCloser
	g *bodyGate
}

// Read reads, then waits for the gate: bytes that arrive while it is held
// are delivered when it opens.
func (b gatedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.g.wait()
	return n, err
}

// At the end of a listCalls back-off window the stream's own snapshot retry
// and every caller of ListCalls want a listCalls at once. Exactly one goes
// to the server; the others share its reply.
func TestSimListCallsSingleFlight(t *testing.T) {
	r := newRig(t)
	gate := newBodyGate()
	s, _ := r.startStream(t, r.acct, transport.WithHTTPClient(&http.Client{Transport: gate}),
		transport.WithListCallsBackoff(time.Second, time.Second))
	t.Cleanup(gate.release)
	waitEvent(t, s, snapshot)

	// On the manual clock every listCalls is refused until it advances.
	r.sim.RateLimitListCalls(time.Minute)
	r.sim.DropConnections(did)
	waitEvent(t, s, func(ev transport.Event) bool {
		return ev.Kind == transport.EventConn && ev.Conn.Status == transport.ConnLive && errors.Is(ev.Conn.Err, transport.ErrRateLimited)
	})
	id := r.sim.Ring(did, "6465551234", nil)
	waitEvent(t, s, callIs(id, "RINGING"))

	// The back-off window is at least half a second from here. Hold the
	// replies back so that every caller meets the listCalls in flight, and
	// let the server take exactly one more: a second would be refused.
	gate.hold()
	r.clock.Advance(time.Minute)
	before := r.sim.Stats()

	const callers = 6
	ctx := ctxT(t)
	type result struct {
		calls []transport.Call
		err   error
	}
	results := make(chan result, callers)
	for range callers {
		go func() {
			for {
				calls, err := s.ListCalls(ctx)
				var ae *transport.APIError
				if errors.Is(err, transport.ErrRateLimited) && !errors.As(err, &ae) && ctx.Err() == nil {
					// Refused locally inside the window: poll until it ends.
					time.Sleep(200 * time.Microsecond)
					continue
				}
				results <- result{calls, err}
				return
			}
		}()
	}
	if err := r.sim.WaitFor(ctx, func(st skysim.Stats) bool { return st.ListCalls > before.ListCalls }); err != nil {
		t.Fatal(err)
	}
	for transport.ParkedIn("transport.(*conn).listCalls", t.Name()) < callers {
		if ctx.Err() != nil {
			t.Fatalf("only %d of %d callers wait for the listCalls in flight", transport.ParkedIn("transport.(*conn).listCalls", t.Name()), callers)
		}
		time.Sleep(time.Millisecond)
	}
	gate.release()

	for range callers {
		res := <-results
		if res.err != nil || len(res.calls) != 1 || res.calls[0].ID != id {
			t.Fatalf("ListCalls: %+v %v", res.calls, res.err)
		}
	}
	snap := waitEvent(t, s, snapshot)
	if len(snap.Calls) != 1 || snap.Calls[0].ID != id {
		t.Errorf("snapshot %+v", snap.Calls)
	}
	waitEvent(t, s, func(ev transport.Event) bool { return ev.Kind == transport.EventConn && ev.Conn.Err == nil })
	after := r.sim.Stats()
	if sent := after.ListCalls - before.ListCalls; sent != 1 {
		t.Errorf("%d listCalls sent at the end of the window, want 1", sent)
	}
	if refused := after.Errors[6] - before.Errors[6]; refused != 0 {
		t.Errorf("%d listCalls refused with error 6 after the window", refused)
	}
}
