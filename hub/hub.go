// Package hub shares one upstream phone connection per account among many
// consoles. The first console on an account opens the stream (subscribe and
// listCalls happen once); every later console is handed the hub's current
// picture of the calls and then the same live events. Commands from any
// console go over the shared stream, so every console sees their effect,
// and so does a PIN typed again at any console of the account while the
// phone service refuses it (Client.SetPIN).
package hub

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/transport"
)

// Upstream is one account's live connection to the phone system, as the hub
// uses it. *transport.Stream satisfies it.
type Upstream interface {
	// Run connects and keeps the connection up until ctx is done or a fatal
	// error; it reports what happens on Events.
	Run(ctx context.Context) error
	Events() <-chan transport.Event

	Answer(ctx context.Context, callID string) error
	Ignore(ctx context.Context, callID string) error
	Hold(ctx context.Context, callID string) error
	Resume(ctx context.Context, callID string) error
	Release(ctx context.Context, callID string) error
	Dial(ctx context.Context, number string) error

	// SetPIN replaces the PIN and, if the upstream is waiting to connect
	// again, connects at once with it.
	SetPIN(pin transport.Secret) error
}

// Opener builds the upstream for an account. It is called with the hub's
// lock held, so it must not block on the network: *transport.Stream connects
// in Run, not in NewStream.
type Opener func(acct transport.Account) (Upstream, error)

// ErrClosed is returned by Attach after Shutdown, and by a client's commands
// after the client was closed.
var ErrClosed = errors.New("hub: closed")

// DefaultBuffer is how many events a console may fall behind before the hub
// drops its backlog and sends it a fresh snapshot instead.
const DefaultBuffer = 64

// Option adjusts a Hub.
type Option func(*Hub)

// WithBuffer sets the per-console event buffer (at least 2: a resync is a
// connection state followed by a snapshot).
func WithBuffer(n int) Option {
	return func(h *Hub) { h.buffer = max(n, 2) }
}

// WithClock replaces time.Now for the At of synthesised snapshots.
func WithClock(now func() time.Time) Option {
	return func(h *Hub) { h.now = now }
}

// Hub owns the shared upstreams. The zero value is not usable; call New.
type Hub struct {
	open   Opener
	grace  time.Duration
	log    *log.Logger
	buffer int
	now    func() time.Time

	pinFirst, pinMost time.Duration // spacing of PINs typed at consoles

	mu      sync.Mutex
	feeds   map[string]*feed     // open upstreams by account key
	pins    map[string]*pinState // PINs typed at consoles, by account key
	retired map[*feed]struct{}   // stopped by themselves, consoles still attached
	closed  bool
	wg      sync.WaitGroup // one per running feed
}

// New returns a hub that opens upstreams with open and closes each one grace
// after the last console on its account leaves. A nil logger discards.
func New(open Opener, grace time.Duration, logger *log.Logger, opts ...Option) *Hub {
	if logger == nil {
		logger = log.New(io.Discard)
	}
	h := &Hub{
		open:     open,
		grace:    grace,
		log:      logger,
		buffer:   DefaultBuffer,
		now:      time.Now,
		pinFirst: DefaultPINFirst,
		pinMost:  DefaultPINMost,
		feeds:    map[string]*feed{},
		pins:     map[string]*pinState{},
		retired:  map[*feed]struct{}{},
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// accountKey identifies one upstream: the same DID on the same server and
// endpoint shares a stream. The PIN is not part of it.
func accountKey(a transport.Account) string {
	return a.Server + "\x00" + a.User + "\x00" + a.Endpoint
}

// feed is one shared upstream and the state the hub keeps for it.
type feed struct {
	key string
	did string
	up  Upstream
	// settingsPIN is the PIN the settings gave when the upstream opened;
	// pins follows the PINs typed at the account's consoles.
	settingsPIN transport.Secret
	pins        *pinState
	stop        context.CancelFunc
	done        chan struct{} // closed when Run and the event pump have returned

	// Guarded by Hub.mu.
	idleGen uint64 // bumped on every attach; a grace timer only acts on its own generation
	timer   *time.Timer

	// Guarded by mu. Membership changes also hold Hub.mu (taken first).
	mu       sync.Mutex
	clients  map[*Client]struct{}
	conn     transport.Event // latest EventConn
	haveConn bool
	calls    map[string]seenCall
	order    []string // call IDs in the order the hub first saw them
	haveSnap bool
}

// Attach returns a console's view of acct's upstream, opening it if no
// console uses it (or it is still within its grace period, in which case it
// is reused). The client's Events start with the hub's current connection
// state and calls when it has them, then carry live events.
func (h *Hub) Attach(ctx context.Context, acct transport.Account, opts ...AttachOption) (*Client, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	key := accountKey(acct)
	f := h.feeds[key]
	if f == nil {
		var err error
		if f, err = h.start(key, acct); err != nil {
			return nil, err
		}
		h.feeds[key] = f
	}
	f.idleGen++
	if f.timer != nil {
		f.timer.Stop()
		f.timer = nil
	}

	c := &Client{hub: h, feed: f, ch: make(chan transport.Event, h.buffer), log: h.log}
	for _, o := range opts {
		o(c)
	}
	f.mu.Lock()
	for _, ev := range f.stateLocked(h.now()) {
		c.ch <- ev // fresh channel with room for both
	}
	f.clients[c] = struct{}{}
	n := len(f.clients)
	f.mu.Unlock()
	h.log.Debug("console attached", "did", f.did, "consoles", n)
	return c, nil
}

// start opens a new upstream and its event pump. Called with h.mu held.
func (h *Hub) start(key string, acct transport.Account) (*feed, error) {
	pins := h.pinsFor(key)
	settingsPIN := acct.PIN
	acct.PIN = pins.openPIN(acct)
	up, err := h.open(acct)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	f := &feed{
		key:         key,
		did:         acct.User,
		up:          up,
		settingsPIN: settingsPIN,
		pins:        pins,
		stop:        cancel,
		done:        make(chan struct{}),
		clients:     map[*Client]struct{}{},
		calls:       map[string]seenCall{},
	}
	h.wg.Add(1)
	go h.pump(ctx, f)
	h.log.Info("upstream opened", "did", f.did)
	return f, nil
}

// pump runs the upstream and fans its events out until Run returns.
func (h *Hub) pump(ctx context.Context, f *feed) {
	defer h.wg.Done()
	defer close(f.done)

	runErr := make(chan error, 1)
	go func() { runErr <- f.up.Run(ctx) }()

	events := f.up.Events()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			h.publish(f, ev)
		case err := <-runErr:
			// Deliver whatever the stream had already queued.
		drain:
			for events != nil {
				select {
				case ev, ok := <-events:
					if !ok {
						break drain
					}
					h.publish(f, ev)
				default:
					break drain
				}
			}
			h.stopped(ctx, f, err)
			return
		}
	}
}

// stopped handles the end of Run. When the hub did not ask for it (a fatal
// error such as a wrong PIN), the feed is retired so that the next console
// opens a fresh one, and its consoles are told the connection failed if the
// stream did not say so itself.
func (h *Hub) stopped(ctx context.Context, f *feed, err error) {
	if ctx.Err() != nil {
		h.log.Info("upstream closed", "did", f.did)
		return
	}
	h.mu.Lock()
	if h.feeds[f.key] == f {
		delete(h.feeds, f.key)
		if f.timer != nil {
			f.timer.Stop()
			f.timer = nil
		}
		f.mu.Lock()
		if len(f.clients) > 0 {
			h.retired[f] = struct{}{}
		}
		f.mu.Unlock()
	}
	h.mu.Unlock()
	f.stop()

	if err == nil {
		err = errors.New("the connection to the phone system ended")
	}
	h.log.Error("upstream stopped", "did", f.did, "err", err)
	f.mu.Lock()
	failed := f.haveConn && f.conn.Conn.Status == transport.ConnFailed
	f.mu.Unlock()
	if !failed {
		h.publish(f, transport.Event{
			Kind: transport.EventConn,
			Conn: transport.ConnState{Status: transport.ConnFailed, Err: err},
			At:   h.now(),
		})
	}
}

// publish records ev in the feed's state and hands it to every console.
func (h *Hub) publish(f *feed, ev transport.Event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch ev.Kind {
	case transport.EventConn:
		if !f.haveConn || f.conn.Conn.Status != ev.Conn.Status {
			h.log.Info("upstream connection", "did", f.did, "status", ev.Conn.Status, "err", ev.Conn.Err)
		}
		f.conn, f.haveConn = ev, true
		h.observeLocked(f, ev.Conn)
	case transport.EventSnapshot:
		clear(f.calls)
		f.order = f.order[:0]
		now := h.now()
		for _, c := range ev.Calls {
			f.putLocked(c, now)
		}
		f.haveSnap = true
	case transport.EventCall:
		f.putLocked(ev.Call, h.now())
	}
	for c := range f.clients {
		if ev.Kind == transport.EventSnapshot {
			ev.Calls = slices.Clone(ev.Calls)
		}
		select {
		case c.ch <- ev:
			continue
		default:
		}
		h.resyncLocked(f, c)
	}
}

// resyncLocked replaces a console's backlog with the current state: it has
// fallen a whole buffer behind, so the queued events are worth less than a
// snapshot. Called with f.mu held.
func (h *Hub) resyncLocked(f *feed, c *Client) {
	c.resyncs.Add(1)
drain:
	for {
		select {
		case <-c.ch:
		default:
			break drain
		}
	}
	for _, ev := range f.stateLocked(h.now()) {
		select {
		case c.ch <- ev:
		default:
		}
	}
	h.log.Warn("console fell behind; sent a fresh snapshot", "did", f.did)
}

// seenCall is a call as last reported, and when the hub got that report.
type seenCall struct {
	call transport.Call
	at   time.Time
}

// putLocked records one call update: DELETED removes the call.
func (f *feed) putLocked(c transport.Call, now time.Time) {
	if isDeleted(c.State) {
		if _, ok := f.calls[c.ID]; ok {
			delete(f.calls, c.ID)
			f.order = slices.DeleteFunc(f.order, func(id string) bool { return id == c.ID })
		}
		return
	}
	if _, ok := f.calls[c.ID]; !ok {
		f.order = append(f.order, c.ID)
	}
	f.calls[c.ID] = seenCall{call: c, at: now}
}

// stateLocked is what a console needs to catch up: the latest connection
// state and a snapshot of the live calls, each only once the upstream has
// produced it.
func (f *feed) stateLocked(now time.Time) []transport.Event {
	var evs []transport.Event
	if f.haveConn {
		evs = append(evs, f.conn)
	}
	if f.haveSnap {
		calls := make([]transport.Call, 0, len(f.order))
		for _, id := range f.order {
			// Duration is the call's age when it was reported; a console
			// dates the call from it, so age it to now.
			sc := f.calls[id]
			if d := now.Sub(sc.at); d > 0 {
				sc.call.Duration += int(d / time.Second)
			}
			calls = append(calls, sc.call)
		}
		evs = append(evs, transport.Event{Kind: transport.EventSnapshot, Calls: calls, At: now})
	}
	return evs
}

func isDeleted(state string) bool {
	return strings.EqualFold(strings.TrimSpace(state), "DELETED")
}

// detach removes c from its feed and starts the grace timer when it was the
// last console.
func (h *Hub) detach(c *Client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f := c.feed
	f.mu.Lock()
	_, ok := f.clients[c]
	if ok {
		delete(f.clients, c)
		close(c.ch)
	}
	n := len(f.clients)
	f.mu.Unlock()
	if !ok {
		return
	}
	h.log.Debug("console detached", "did", f.did, "consoles", n)
	if n == 0 {
		delete(h.retired, f)
	}
	if n > 0 || h.feeds[f.key] != f {
		return
	}
	gen := f.idleGen
	f.timer = time.AfterFunc(h.grace, func() { h.expire(f, gen) })
}

// expire closes an upstream whose grace period ran out with no console back.
func (h *Hub) expire(f *feed, gen uint64) {
	h.mu.Lock()
	if h.feeds[f.key] != f || f.idleGen != gen {
		h.mu.Unlock()
		return
	}
	delete(h.feeds, f.key)
	f.timer = nil
	h.mu.Unlock()
	h.log.Info("no consoles left; closing upstream", "did", f.did, "grace", h.grace)
	f.stop()
}

// Upstreams reports how many upstreams are open (including ones in their
// grace period).
func (h *Hub) Upstreams() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.feeds)
}

// Consoles reports how many consoles are attached across all upstreams.
func (h *Hub) Consoles() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	count := func(f *feed) {
		f.mu.Lock()
		n += len(f.clients)
		f.mu.Unlock()
	}
	for _, f := range h.feeds {
		count(f)
	}
	for f := range h.retired {
		count(f)
	}
	return n
}

// Shutdown detaches every console (closing their event channels), closes
// every upstream and waits for them to finish, or for ctx.
func (h *Hub) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	feeds := make([]*feed, 0, len(h.feeds))
	for k, f := range h.feeds {
		feeds = append(feeds, f)
		delete(h.feeds, k)
		if f.timer != nil {
			f.timer.Stop()
			f.timer = nil
		}
		f.idleGen++
	}
	for f := range h.retired {
		feeds = append(feeds, f)
		delete(h.retired, f)
	}
	for _, f := range feeds {
		f.mu.Lock()
		for c := range f.clients {
			delete(f.clients, c)
			close(c.ch)
		}
		f.mu.Unlock()
		f.stop()
	}
	h.mu.Unlock()

	done := make(chan struct{})
	go func() { h.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Client is one console's handle on a shared upstream. It satisfies the
// console's Phone interface.
type Client struct {
	hub     *Hub
	feed    *feed
	ch      chan transport.Event
	log     *log.Logger // the hub's, or the console's own (WithConsoleLog)
	closed  atomic.Bool
	resyncs atomic.Int64
}

// Events delivers the hub's current state on attach, then live events. It is
// closed by Close and by the hub's Shutdown.
func (c *Client) Events() <-chan transport.Event { return c.ch }

// DID is the account the client is attached to.
func (c *Client) DID() string { return c.feed.did }

// Resyncs counts how often this client fell a whole buffer behind and was
// sent a fresh snapshot instead of its backlog.
func (c *Client) Resyncs() int64 { return c.resyncs.Load() }

// Close detaches the console. The upstream stays open for the hub's grace
// period if this was its last console. Close is idempotent.
func (c *Client) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	c.hub.detach(c)
	return nil
}

func (c *Client) upstream() (Upstream, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	return c.feed.up, nil
}

// Answer answers a ringing call over the shared stream.
func (c *Client) Answer(ctx context.Context, callID string) error {
	up, err := c.upstream()
	if err != nil {
		return err
	}
	return up.Answer(ctx, callID)
}

// Ignore sends a ringing call to voicemail.
func (c *Client) Ignore(ctx context.Context, callID string) error {
	up, err := c.upstream()
	if err != nil {
		return err
	}
	return up.Ignore(ctx, callID)
}

// Hold puts a connected call on hold.
func (c *Client) Hold(ctx context.Context, callID string) error {
	up, err := c.upstream()
	if err != nil {
		return err
	}
	return up.Hold(ctx, callID)
}

// Resume takes a held call off hold.
func (c *Client) Resume(ctx context.Context, callID string) error {
	up, err := c.upstream()
	if err != nil {
		return err
	}
	return up.Resume(ctx, callID)
}

// Release hangs up a call.
func (c *Client) Release(ctx context.Context, callID string) error {
	up, err := c.upstream()
	if err != nil {
		return err
	}
	return up.Release(ctx, callID)
}

// Dial places a call from the account's phone.
func (c *Client) Dial(ctx context.Context, number string) error {
	up, err := c.upstream()
	if err != nil {
		return err
	}
	return up.Dial(ctx, number)
}
