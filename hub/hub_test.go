package hub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// fakeUpstream is an in-memory Upstream driven by the test.
type fakeUpstream struct {
	events chan transport.Event
	fail   chan error // a value makes Run return it

	mu       sync.Mutex
	commands []string
	pin      transport.Secret // the last PIN SetPIN gave
	running  bool
	stopped  bool
}

func newFake() *fakeUpstream {
	return &fakeUpstream{events: make(chan transport.Event, 16), fail: make(chan error, 1)}
}

func (f *fakeUpstream) Run(ctx context.Context) error {
	f.mu.Lock()
	f.running = true
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running, f.stopped = false, true
		f.mu.Unlock()
	}()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case err := <-f.fail:
		return err
	}
}

func (f *fakeUpstream) Events() <-chan transport.Event { return f.events }

func (f *fakeUpstream) record(name, arg string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.commands = append(f.commands, name+" "+arg)
	return nil
}

func (f *fakeUpstream) Answer(_ context.Context, id string) error  { return f.record("answer", id) }
func (f *fakeUpstream) Ignore(_ context.Context, id string) error  { return f.record("ignore", id) }
func (f *fakeUpstream) Hold(_ context.Context, id string) error    { return f.record("hold", id) }
func (f *fakeUpstream) Resume(_ context.Context, id string) error  { return f.record("resume", id) }
func (f *fakeUpstream) Release(_ context.Context, id string) error { return f.record("release", id) }
func (f *fakeUpstream) Dial(_ context.Context, n string) error     { return f.record("dial", n) }

func (f *fakeUpstream) SetPIN(pin transport.Secret) error {
	f.mu.Lock()
	f.pin = pin
	f.mu.Unlock()
	return f.record("setpin", "")
}

func (f *fakeUpstream) lastPIN() transport.Secret {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pin
}

func (f *fakeUpstream) isStopped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped
}

func (f *fakeUpstream) cmds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.commands...)
}

// opener hands out fakes and remembers them.
type opener struct {
	mu    sync.Mutex
	opens []*fakeUpstream
	pins  []transport.Secret // the PIN each was opened with
}

func (o *opener) open(acct transport.Account) (Upstream, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	f := newFake()
	o.opens = append(o.opens, f)
	o.pins = append(o.pins, acct.PIN)
	return f, nil
}

func (o *opener) lastPIN() transport.Secret {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pins[len(o.pins)-1]
}

func (o *opener) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.opens)
}

func (o *opener) last() *fakeUpstream {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.opens[len(o.opens)-1]
}

var acct = transport.Account{Server: "http://sim/bobl/bobl", User: "6465551000", PIN: "1234"}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// next reads one event or fails.
func next(t *testing.T, c *Client) transport.Event {
	t.Helper()
	select {
	case ev, ok := <-c.Events():
		if !ok {
			t.Fatal("events closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return transport.Event{}
}

func noEvent(t *testing.T, c *Client) {
	t.Helper()
	select {
	case ev := <-c.Events():
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

func call(id, state string) transport.Call {
	return transport.Call{ID: id, Ani: "6465551234", DID: acct.User, State: state}
}

func live() transport.Event {
	return transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}}
}

func ids(calls []transport.Call) string {
	s := ""
	for _, c := range calls {
		s += c.ID + ":" + c.State + " "
	}
	return s
}

func TestSharedUpstreamAndLateJoinerState(t *testing.T) {
	o := &opener{}
	h := New(o.open, time.Hour, nil)
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	a, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	noEvent(t, a) // nothing known yet
	up := o.last()
	up.events <- live()
	up.events <- transport.Event{Kind: transport.EventSnapshot, Calls: []transport.Call{call("1", "RINGING"), call("2", "CONNECTED")}}
	up.events <- transport.Event{Kind: transport.EventCall, Call: call("2", "DELETED")}
	up.events <- transport.Event{Kind: transport.EventCall, Call: call("3", "HOLDING")}
	up.events <- transport.Event{Kind: transport.EventCall, Call: call("1", "CONNECTED")}
	for range 5 {
		next(t, a)
	}

	// The same DID on the same server shares the upstream, whatever the PIN.
	other := acct
	other.PIN = "9999"
	b, err := h.Attach(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if o.count() != 1 {
		t.Fatalf("opens = %d, want 1", o.count())
	}
	if ev := next(t, b); ev.Kind != transport.EventConn || ev.Conn.Status != transport.ConnLive {
		t.Fatalf("first event for late joiner = %+v, want live conn", ev)
	}
	ev := next(t, b)
	if ev.Kind != transport.EventSnapshot || ids(ev.Calls) != "1:CONNECTED 3:HOLDING " {
		t.Fatalf("snapshot = %v %q", ev.Kind, ids(ev.Calls))
	}
	if ev.At.IsZero() {
		t.Fatal("synthesised snapshot has no time")
	}
	noEvent(t, b)

	// Live events reach both; commands from either go upstream.
	up.events <- transport.Event{Kind: transport.EventCall, Call: call("4", "RINGING")}
	for _, c := range []*Client{a, b} {
		if ev := next(t, c); ev.Call.ID != "4" {
			t.Fatalf("got %+v", ev)
		}
	}
	if err := b.Answer(ctx, "4"); err != nil {
		t.Fatal(err)
	}
	if err := a.Dial(ctx, "2125550100"); err != nil {
		t.Fatal(err)
	}
	_ = a.Hold(ctx, "1")
	_ = a.Resume(ctx, "1")
	_ = a.Ignore(ctx, "5")
	_ = a.Release(ctx, "1")
	got := fmt.Sprint(up.cmds())
	if got != "[answer 4 dial 2125550100 hold 1 resume 1 ignore 5 release 1]" {
		t.Fatalf("commands = %s", got)
	}

	// A different DID gets its own upstream.
	c2 := acct
	c2.User = "6465552000"
	if _, err := h.Attach(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if o.count() != 2 || h.Upstreams() != 2 || h.Consoles() != 3 {
		t.Fatalf("opens=%d upstreams=%d consoles=%d", o.count(), h.Upstreams(), h.Consoles())
	}
}

func TestGraceReuseAndClose(t *testing.T) {
	o := &opener{}
	const grace = 50 * time.Millisecond
	h := New(o.open, grace, nil)
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	a, _ := h.Attach(ctx, acct)
	up := o.last()
	a.Close()
	a.Close() // idempotent
	if _, ok := <-a.Events(); ok {
		t.Fatal("events not closed after Close")
	}
	if err := a.Answer(ctx, "1"); !errors.Is(err, ErrClosed) {
		t.Fatalf("command after close: %v", err)
	}
	// Back within the grace period: same upstream.
	b, _ := h.Attach(ctx, acct)
	if o.count() != 1 {
		t.Fatalf("reattach within grace opened a new upstream")
	}
	start := time.Now()
	b.Close()
	waitFor(t, "upstream to close", up.isStopped)
	if d := time.Since(start); d < grace {
		t.Fatalf("upstream closed after %v, before the grace period %v", d, grace)
	}
	if h.Upstreams() != 0 {
		t.Fatalf("upstreams = %d", h.Upstreams())
	}
	// After that, a new console opens a new one.
	if _, err := h.Attach(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if o.count() != 2 {
		t.Fatalf("opens = %d, want 2", o.count())
	}
}

func TestSlowConsoleIsResynced(t *testing.T) {
	o := &opener{}
	h := New(o.open, time.Hour, nil, WithBuffer(4))
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	slow, _ := h.Attach(ctx, acct)
	fast, _ := h.Attach(ctx, acct)
	up := o.last()

	// The fast console keeps reading; it must reach all 30 calls while the
	// slow one reads nothing.
	fastGot := make(chan struct{})
	go func() {
		state := map[string]bool{}
		for ev := range fast.Events() {
			switch ev.Kind {
			case transport.EventSnapshot:
				clear(state)
				for _, c := range ev.Calls {
					state[c.ID] = true
				}
			case transport.EventCall:
				state[ev.Call.ID] = true
			}
			if len(state) == 30 {
				close(fastGot)
				for range fast.Events() {
				}
				return
			}
		}
	}()
	up.events <- live()
	up.events <- transport.Event{Kind: transport.EventSnapshot}
	for i := range 30 {
		up.events <- transport.Event{Kind: transport.EventCall, Call: call(fmt.Sprint(i), "RINGING")}
	}
	select {
	case <-fastGot:
	case <-time.After(5 * time.Second):
		t.Fatal("a slow console held up the other")
	}
	// An empty upstream channel does not mean the last event is published:
	// the pump may still be fanning it out (resyncing the slow console).
	// The hub records a call and fans it out under the feed's lock, so once
	// that lock shows all 30 calls the last fan-out is done.
	waitFor(t, "the hub to publish every call", func() bool {
		h.mu.Lock()
		f := h.feeds[accountKey(acct)]
		h.mu.Unlock()
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.calls) == 30
	})
	if slow.Resyncs() == 0 {
		t.Fatal("slow console was never resynced")
	}
	// Replaying what the slow console has queued (a resync snapshot and
	// whatever followed it) must give the full picture: 30 calls.
	state := map[string]bool{}
	sawSnapshot := false
drain:
	for {
		select {
		case ev := <-slow.Events():
			switch ev.Kind {
			case transport.EventSnapshot:
				sawSnapshot = true
				clear(state)
				for _, c := range ev.Calls {
					state[c.ID] = true
				}
			case transport.EventCall:
				state[ev.Call.ID] = true
			}
		default:
			break drain
		}
	}
	if !sawSnapshot || len(state) != 30 {
		t.Fatalf("slow console replays to %d calls (snapshot %v), want 30", len(state), sawSnapshot)
	}
}

func TestFatalUpstreamFailsConsolesAndReopens(t *testing.T) {
	o := &opener{}
	h := New(o.open, time.Hour, nil)
	defer h.Shutdown(context.Background())
	ctx := context.Background()

	a, _ := h.Attach(ctx, acct)
	up := o.last()
	up.events <- live()
	next(t, a)
	up.fail <- errors.New("the phone system refused the DID or PIN")
	ev := next(t, a)
	if ev.Kind != transport.EventConn || ev.Conn.Status != transport.ConnFailed || ev.Conn.Err == nil {
		t.Fatalf("got %+v, want failed conn", ev)
	}
	waitFor(t, "retire", func() bool { return h.Upstreams() == 0 })
	if h.Consoles() != 1 {
		t.Fatalf("consoles = %d, the failed console is still attached", h.Consoles())
	}
	if _, err := h.Attach(ctx, acct); err != nil {
		t.Fatal(err)
	}
	if o.count() != 2 {
		t.Fatalf("opens = %d, want a fresh upstream", o.count())
	}
	a.Close()
}

func TestShutdown(t *testing.T) {
	o := &opener{}
	h := New(o.open, time.Hour, nil)
	a, _ := h.Attach(context.Background(), acct)
	if err := h.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !o.last().isStopped() {
		t.Fatal("upstream still running")
	}
	if _, ok := <-a.Events(); ok {
		t.Fatal("events open after shutdown")
	}
	a.Close()
	if _, err := h.Attach(context.Background(), acct); !errors.Is(err, ErrClosed) {
		t.Fatalf("attach after shutdown: %v", err)
	}
}

func TestOpenError(t *testing.T) {
	h := New(func(transport.Account) (Upstream, error) { return nil, errors.New("no server URL") }, 0, nil)
	if _, err := h.Attach(context.Background(), acct); err == nil {
		t.Fatal("want error")
	}
	if h.Upstreams() != 0 {
		t.Fatal("failed open left an upstream")
	}
}

// Many consoles attaching, commanding and leaving while events flow: the
// race detector checks the locking, the counts check the bookkeeping.
func TestConcurrentChurn(t *testing.T) {
	o := &opener{}
	h := New(o.open, time.Millisecond, nil, WithBuffer(8))
	ctx := context.Background()
	keep, _ := h.Attach(ctx, acct) // holds the upstream open throughout
	up := o.last()
	stop := make(chan struct{})
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case up.events <- transport.Event{Kind: transport.EventCall, Call: call(fmt.Sprint(i%7), []string{"RINGING", "CONNECTED", "DELETED"}[i%3])}:
			}
		}
	}()
	go func() {
		for range keep.Events() {
		}
	}()
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				c, err := h.Attach(ctx, acct)
				if err != nil {
					t.Error(err)
					return
				}
				for range w % 3 {
					<-c.Events()
				}
				_ = c.Answer(ctx, "1")
				c.Close()
			}
		}()
	}
	wg.Wait()
	close(stop)
	if o.count() != 1 {
		t.Fatalf("opens = %d, want 1", o.count())
	}
	if h.Consoles() != 1 {
		t.Fatalf("consoles = %d", h.Consoles())
	}
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

// A console that attaches later dates calls from their Duration: the hub
// ages it by the time since the call was reported.
func TestLateJoinerSeesAgedDurations(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	o := &opener{}
	h := New(o.open, time.Hour, nil, WithClock(clock))
	defer h.Shutdown(context.Background())
	a, _ := h.Attach(context.Background(), acct)
	up := o.last()
	c := call("7", "CONNECTED")
	c.Duration = 10
	up.events <- transport.Event{Kind: transport.EventSnapshot, Calls: []transport.Call{c}}
	next(t, a)

	mu.Lock()
	now = now.Add(7*time.Second + 600*time.Millisecond)
	mu.Unlock()
	b, _ := h.Attach(context.Background(), acct)
	ev := next(t, b)
	if len(ev.Calls) != 1 || ev.Calls[0].Duration != 17 {
		t.Fatalf("late joiner got %+v, want Duration 17", ev.Calls)
	}
	if !ev.At.Equal(clock()) {
		t.Fatalf("snapshot At %v", ev.At)
	}
}

// BenchmarkFanout measures one call update reaching 200 consoles that keep
// up with their events.
func BenchmarkFanout(b *testing.B) {
	o := &opener{}
	h := New(o.open, time.Hour, nil, WithBuffer(1024))
	defer h.Shutdown(context.Background())
	const consoles = 200
	var got sync.WaitGroup
	for range consoles {
		c, _ := h.Attach(context.Background(), acct)
		go func() {
			for ev := range c.Events() {
				if ev.Kind == transport.EventCall {
					got.Done()
				}
			}
		}()
	}
	up := o.last()
	up.events <- transport.Event{Kind: transport.EventSnapshot, Calls: []transport.Call{call("1", "RINGING")}}
	b.ResetTimer()
	for i := range b.N {
		got.Add(consoles)
		up.events <- transport.Event{Kind: transport.EventCall, Call: call("1", []string{"CONNECTED", "HOLDING"}[i%2])}
		got.Wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/consoles, "ns/console")
}
