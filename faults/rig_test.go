package faults_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// The account every test uses. The PIN is chosen so that it cannot turn up
// by accident in a call Id, a port, a duration or a timestamp.
const (
	did = "6465551000"
	pin = "97531864"
)

// within bounds every wait in the suite but those below.
const within = 5 * time.Second

// withinHeavy bounds a wait that includes reading a lot of XML (an
// oversized document, a burst of hundreds): the decoder reads byte by byte,
// which takes seconds under the race detector on a busy machine.
const withinHeavy = 30 * time.Second

// fastOpts keep the stream's retry timers short.
func fastOpts() []transport.StreamOption {
	return []transport.StreamOption{
		transport.WithBackoff(5*time.Millisecond, 50*time.Millisecond),
		transport.WithStableAfter(10 * time.Millisecond),
		transport.WithListCallsBackoff(40*time.Millisecond, 160*time.Millisecond),
		transport.WithPhoneRetry(150 * time.Millisecond),
		transport.WithCommandTimeout(3 * time.Second),
		transport.WithConnectTimeout(3 * time.Second),
	}
}

// newSim starts a simulator with the test account on loopback.
func newSim(t testing.TB) (*skysim.Server, transport.Account) {
	t.Helper()
	sim := skysim.New(skysim.Config{
		Accounts:         []skysim.Account{{DID: did, PIN: pin}},
		Seed:             1,
		DialConnectDelay: -1, // a dialled call stays PENDING until told
	})
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim, transport.Account{Server: url, User: did, PIN: transport.Secret(pin)}
}

// urlLog records every URL and header a client sends, for the PIN scan.
type urlLog struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (u *urlLog) RoundTrip(r *http.Request) (*http.Response, error) {
	u.mu.Lock()
	u.seen = append(u.seen, r.Method+" "+r.URL.String())
	for k, vs := range r.Header {
		u.seen = append(u.seen, k+": "+strings.Join(vs, ","))
	}
	u.mu.Unlock()
	return u.next.RoundTrip(r)
}

func (u *urlLog) all() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.seen)
}

// desk is what a receptionist's console keeps: the real stream, and a call
// table fed from its events on one goroutine, as the tui does. It records
// every connection state the stream reported.
type desk struct {
	t      testing.TB
	sim    *skysim.Server
	stream *transport.Stream
	urls   *urlLog
	log    *syncbuffer.Buffer
	cancel context.CancelFunc
	ran    chan error

	mu        sync.Mutex
	table     *model.Table
	ended     map[string]bool // call ids that ended
	conns     []transport.ConnState
	snapshots int
	events    int
	closed    bool
	fwd       chan transport.Event // when set, every event is passed on
}

// startDesk runs a stream for acct with the fast options plus opts, and
// feeds a table from it until the test ends.
// With tee, every event is also passed on to phone's channel for a console.
func startDesk(t testing.TB, sim *skysim.Server, acct transport.Account, tee bool, opts ...transport.StreamOption) *desk {
	t.Helper()
	d := &desk{t: t, sim: sim, table: model.NewTable(), ended: map[string]bool{}, ran: make(chan error, 1), log: &syncbuffer.Buffer{}}
	if tee {
		d.fwd = make(chan transport.Event, 1<<16)
	}
	d.urls = &urlLog{next: &http.Transport{}}
	all := append(fastOpts(),
		transport.WithHTTPClient(&http.Client{Transport: d.urls}),
		transport.WithLogger(slog.New(slog.NewTextHandler(d.log, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	all = append(all, opts...)
	s, err := transport.NewStream(acct, all...)
	if err != nil {
		t.Fatal(err)
	}
	d.stream = s
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	go func() { d.ran <- s.Run(ctx) }()
	go d.consume()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.ran:
		case <-time.After(within):
			t.Error("the stream did not stop")
		}
	})
	return d
}

func (d *desk) consume() {
	for ev := range d.stream.Events() {
		now := time.Now()
		d.mu.Lock()
		d.events++
		switch ev.Kind {
		case transport.EventConn:
			d.conns = append(d.conns, ev.Conn)
		case transport.EventSnapshot:
			d.snapshots++
			ups := make([]model.Update, len(ev.Calls))
			for i, c := range ev.Calls {
				ups[i] = toUpdate(c)
			}
			d.table.Reconcile("", ups, now)
		case transport.EventCall:
			d.table.Apply(toUpdate(ev.Call), now)
		}
		for _, h := range d.table.Ended() { // drained, as the tui does
			d.ended[h.CallID] = true
		}
		d.mu.Unlock()
		if d.fwd != nil {
			d.fwd <- ev
		}
	}
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	if d.fwd != nil {
		close(d.fwd)
	}
}

// phone returns a tui.Phone on the desk's stream whose events are the ones
// the desk has seen, so a console and the table watch the same stream.
// The desk must have been started with tee.
func (d *desk) phone() *teePhone {
	if d.fwd == nil {
		d.t.Fatal("desk started without tee")
	}
	return &teePhone{Stream: d.stream, events: d.fwd}
}

// teePhone is the stream with the desk's copy of its events.
type teePhone struct {
	*transport.Stream
	events chan transport.Event
}

func (p *teePhone) Events() <-chan transport.Event { return p.events }

// toUpdate is the tui's conversion of a wire call.
func toUpdate(c transport.Call) model.Update {
	u := model.Update{ID: c.ID, Ani: c.Ani, DID: c.DID, Endpoint: c.Endpoint,
		Originated: c.Originated, State: c.State, Duration: c.Duration}
	if c.CLID != nil {
		u.CLID, u.HasCLID = *c.CLID, true
	}
	return u
}

// connStates returns every connection state reported so far.
func (d *desk) connStates() []transport.ConnState {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.conns)
}

func (d *desk) lastConn() (transport.ConnState, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.conns) == 0 {
		return transport.ConnState{}, false
	}
	return d.conns[len(d.conns)-1], true
}

// rows is the table as "id STATE" lines, sorted.
func (d *desk) rows() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for _, c := range d.table.Calls() {
		out = append(out, c.ID+" "+c.RawState)
	}
	sort.Strings(out)
	return out
}

// historyIDs is every call that ended.
func (d *desk) historyIDs() map[string]bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.ended)
}

// simRows is the simulator's phone as "id STATE" lines, sorted.
func simRows(sim *skysim.Server) []string {
	var out []string
	for _, c := range sim.Calls(did) {
		out = append(out, c.ID+" "+c.State)
	}
	sort.Strings(out)
	return out
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// waitLive waits until the stream's last reported state is live.
func (d *desk) waitLive(t testing.TB) {
	t.Helper()
	eventually(t, within, "stream live", func() bool {
		st, ok := d.lastConn()
		return ok && st.Status == transport.ConnLive
	})
}

// waitInSync waits until the table lists exactly the simulator's calls in
// the simulator's states, and the stream is live.
func (d *desk) waitInSync(t testing.TB, wait time.Duration) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		st, _ := d.lastConn()
		got, want := d.rows(), simRows(d.sim)
		if st.Status == transport.ConnLive && slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("table not in sync within %v (conn %v):\n table %v\n phone %v", wait, st.Status, got, want)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// newDesk starts a simulator and a desk on it, live and in sync.
func newDesk(t testing.TB, opts ...transport.StreamOption) (*skysim.Server, *desk) {
	return newDeskTee(t, false, opts...)
}

func newDeskTee(t testing.TB, tee bool, opts ...transport.StreamOption) (*skysim.Server, *desk) {
	t.Helper()
	sim, acct := newSim(t)
	d := startDesk(t, sim, acct, tee, opts...)
	d.waitLive(t)
	d.waitInSync(t, within)
	return sim, d
}

func ptr(s string) *string { return &s }

func stateCounts(states []transport.ConnState) string {
	m := map[string]int{}
	for _, s := range states {
		k := s.Status.String()
		if s.Err != nil {
			k += "(" + s.Err.Error() + ")"
		}
		m[k]++
	}
	return fmt.Sprint(m)
}
