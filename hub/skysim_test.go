package hub_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

const (
	did  = "6465551000"
	did2 = "6465552000"
	pin  = "4321"
)

// startSim runs a simulator on loopback and returns it with the account for
// each DID.
func startSim(t *testing.T) (*skysim.Server, transport.Account, transport.Account) {
	t.Helper()
	sim := skysim.New(skysim.Config{
		Accounts:         []skysim.Account{{DID: did, PIN: pin}, {DID: did2, PIN: pin}},
		DialConnectDelay: -1,
	})
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim,
		transport.Account{Server: url, User: did, PIN: pin},
		transport.Account{Server: url, User: did2, PIN: pin}
}

func openStream(acct transport.Account) (hub.Upstream, error) {
	return transport.NewStream(acct, transport.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// watcher replays a client's events into the picture a console would have.
type watcher struct {
	t     *testing.T
	c     *hub.Client
	conn  transport.ConnStatus
	err   error             // the last connection state's error
	calls map[string]string // id -> state
	kinds []transport.EventKind
}

func watch(t *testing.T, c *hub.Client) *watcher {
	return &watcher{t: t, c: c, conn: -1, calls: map[string]string{}}
}

// until applies events until cond holds.
func (w *watcher) until(what string, cond func() bool) {
	w.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case ev, ok := <-w.c.Events():
			if !ok {
				w.t.Fatalf("events closed waiting for %s", what)
			}
			w.kinds = append(w.kinds, ev.Kind)
			switch ev.Kind {
			case transport.EventConn:
				w.conn, w.err = ev.Conn.Status, ev.Conn.Err
			case transport.EventSnapshot:
				clear(w.calls)
				for _, c := range ev.Calls {
					w.calls[c.ID] = c.State
				}
			case transport.EventCall:
				if c := ev.Call; c.State == "DELETED" {
					delete(w.calls, c.ID)
				} else {
					w.calls[c.ID] = c.State
				}
			}
		case <-deadline:
			w.t.Fatalf("timed out waiting for %s (conn %v, calls %v)", what, w.conn, w.calls)
		}
	}
}

func (w *watcher) live() { w.until("live", func() bool { return w.conn == transport.ConnLive }) }

// snapshot waits until the client is live and has had a snapshot of the calls.
func (w *watcher) snapshot() {
	w.until("live with a snapshot", func() bool {
		return w.conn == transport.ConnLive && slices.Contains(w.kinds, transport.EventSnapshot)
	})
}

func TestHubOverSkysim(t *testing.T) {
	sim, acct, acct2 := startSim(t)
	const grace = 150 * time.Millisecond
	h := hub.New(openStream, grace, nil)
	t.Cleanup(func() { h.Shutdown(context.Background()) })
	ctx := ctxT(t)

	// Two consoles on one DID: one stream, one subscribe, one listCalls.
	a, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	wa, wb := watch(t, a), watch(t, b)
	// Live comes with the subscribe reply; the listCalls snapshot follows
	// it on the stream, so wait for that too before counting listCalls.
	wa.snapshot()
	wb.snapshot()
	st := sim.Stats()
	if st.Subscribes != 1 || st.Streams != 1 || st.ListCalls != 1 {
		t.Fatalf("subscribes=%d streams=%d listCalls=%d, want 1, 1 and 1", st.Subscribes, st.Streams, st.ListCalls)
	}

	// A new call reaches both.
	id := sim.Ring(did, "6465550199", nil)
	for _, w := range []*watcher{wa, wb} {
		w.until("the new call", func() bool { return w.calls[id] == "RINGING" })
	}

	// A command from one goes over the shared stream; both see the result.
	if err := b.Answer(ctx, id); err != nil {
		t.Fatal(err)
	}
	answered := false
	for _, r := range sim.Stats().Log {
		if r.Name == transport.CmdAnswer && len(r.Args) > 0 && r.Args[0] == id && r.Transport == "POST" {
			answered = true
		}
	}
	if !answered {
		t.Fatalf("simulator has no answer for call %s on the stream: %+v", id, sim.Stats().Log)
	}
	for _, w := range []*watcher{wa, wb} {
		w.until("the call connected", func() bool { return w.calls[id] == "CONNECTED" })
	}

	// A third console gets the state from the hub: no listCalls.
	lists := sim.Stats().ListCalls
	c, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	wc := watch(t, c)
	wc.until("state from the hub", func() bool { return wc.conn == transport.ConnLive && wc.calls[id] == "CONNECTED" })
	if len(wc.kinds) != 2 || wc.kinds[0] != transport.EventConn || wc.kinds[1] != transport.EventSnapshot {
		t.Fatalf("third console got %v, want [conn snapshot]", wc.kinds)
	}
	if st := sim.Stats(); st.ListCalls != lists || st.Subscribes != 1 {
		t.Fatalf("third console: listCalls %d -> %d, subscribes %d", lists, st.ListCalls, st.Subscribes)
	}

	// A dropped connection shows in every console, and comes back.
	sim.DropConnections(did)
	for _, w := range []*watcher{wa, wb, wc} {
		w.until("reconnecting", func() bool { return w.conn != transport.ConnLive })
	}
	for _, w := range []*watcher{wa, wb, wc} {
		w.live()
	}
	if err := sim.WaitSubscribed(ctx, did, 1); err != nil {
		t.Fatal(err)
	}
	if st := sim.Stats(); st.Subscribes != 2 {
		t.Fatalf("subscribes after reconnect = %d, want 2", st.Subscribes)
	}

	// Another DID has its own stream.
	d, err := h.Attach(ctx, acct2)
	if err != nil {
		t.Fatal(err)
	}
	watch(t, d).live()
	if err := sim.WaitSubscribed(ctx, did2, 1); err != nil {
		t.Fatal(err)
	}
	d.Close()

	// The last console leaving closes the stream, but only after the grace.
	a.Close()
	b.Close()
	left := time.Now()
	c.Close()
	if err := sim.WaitFor(ctx, func(st skysim.Stats) bool { return st.Subscribers[did] == 0 }); err != nil {
		t.Fatal(err)
	}
	if gone := time.Since(left); gone < grace {
		t.Fatalf("stream closed %v after the last console left, before the %v grace", gone, grace)
	}
	if err := sim.WaitFor(ctx, func(st skysim.Stats) bool { return st.OpenStreams == 0 }); err != nil {
		t.Fatal(err)
	}
	if h.Upstreams() != 0 {
		t.Fatalf("upstreams = %d", h.Upstreams())
	}
}

func TestHubReattachWithinGrace(t *testing.T) {
	sim, acct, _ := startSim(t)
	h := hub.New(openStream, time.Hour, nil)
	t.Cleanup(func() { h.Shutdown(context.Background()) })
	ctx := ctxT(t)

	a, _ := h.Attach(ctx, acct)
	wa := watch(t, a)
	wa.live()
	id := sim.Ring(did, "2125550123", nil)
	wa.until("the ringing call", func() bool { return wa.calls[id] == "RINGING" })
	if err := sim.WaitFor(ctx, func(st skysim.Stats) bool { return st.ListCalls == 1 }); err != nil {
		t.Fatal(err)
	}
	a.Close()
	b, err := h.Attach(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	wb := watch(t, b)
	wb.until("the ringing call", func() bool { return wb.calls[id] == "RINGING" })
	if st := sim.Stats(); st.Subscribes != 1 || st.Streams != 1 || st.ListCalls != 1 {
		t.Fatalf("reattach: subscribes=%d streams=%d listCalls=%d", st.Subscribes, st.Streams, st.ListCalls)
	}
	// Shutdown closes the stream at once.
	if err := h.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := sim.WaitFor(ctx, func(st skysim.Stats) bool { return st.OpenStreams == 0 }); err != nil {
		t.Fatal(err)
	}
}

func TestHubWrongPIN(t *testing.T) {
	_, acct, _ := startSim(t)
	acct.PIN = "0000"
	h := hub.New(openStream, time.Hour, nil)
	t.Cleanup(func() { h.Shutdown(context.Background()) })
	a, err := h.Attach(ctxT(t), acct)
	if err != nil {
		t.Fatal(err)
	}
	wa := watch(t, a)
	// The stream waits to try again (the provider may unblock the DID or
	// fix the PIN), and says why.
	wa.until("refused", func() bool {
		return wa.conn == transport.ConnReconnecting && errors.Is(wa.err, transport.ErrAuth)
	})
}

// A PIN typed at one console of a refused account brings the account's
// shared stream up for all its consoles at once, not on the stream's
// minutes-long retry; a wrong one is refused again and the next waits.
func TestHubTypedPINOverSkysim(t *testing.T) {
	sim, acct, _ := startSim(t)
	acct.PIN = "0000"
	h := hub.New(openStream, time.Hour, nil, hub.WithPINSpacing(time.Hour, time.Hour))
	t.Cleanup(func() { h.Shutdown(context.Background()) })
	a, err := h.Attach(ctxT(t), acct)
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Attach(ctxT(t), acct)
	if err != nil {
		t.Fatal(err)
	}
	wa, wb := watch(t, a), watch(t, b)
	refused := func(w *watcher) func() bool {
		return func() bool { return w.conn == transport.ConnReconnecting && errors.Is(w.err, transport.ErrAuth) }
	}
	wa.until("refused", refused(wa))
	wb.until("refused", refused(wb))

	if err := b.SetPIN("1111"); err != nil {
		t.Fatal(err)
	}
	wb.until("connecting with the typed PIN", func() bool { return wb.conn == transport.ConnConnecting })
	wb.until("refused again", refused(wb))
	var wait *hub.PINWaitError
	if err := a.SetPIN(pin); !errors.As(err, &wait) {
		t.Fatalf("a PIN typed right after a refused one: %v, want a wait", err)
	}
	if n := sim.Stats().Subscribers[did]; n != 0 {
		t.Fatalf("%d subscriptions after the wrong PIN", n)
	}

	// A fresh hub (the spacing starts over): the right PIN.
	h2 := hub.New(openStream, time.Hour, nil)
	t.Cleanup(func() { h2.Shutdown(context.Background()) })
	c, err := h2.Attach(ctxT(t), acct)
	if err != nil {
		t.Fatal(err)
	}
	d, err := h2.Attach(ctxT(t), acct)
	if err != nil {
		t.Fatal(err)
	}
	wc, wd := watch(t, c), watch(t, d)
	wc.until("refused", refused(wc))
	wd.until("refused", refused(wd))
	if err := c.SetPIN(pin); err != nil {
		t.Fatal(err)
	}
	wc.snapshot()
	wd.snapshot()
	if err := sim.WaitSubscribed(ctxT(t), did, 1); err != nil {
		t.Fatal(err)
	}
}
