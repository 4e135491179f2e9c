package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stream is the long-lived session the guide describes: one HTTP/1.1 POST
// with a chunked request body that stays open, carrying the subscription and
// every command; replies and pushed call events come back on the response
// body and are matched to requests by Id.
//
// Run connects, subscribes, lists the calls (EventSnapshot) and then
// reports each pushed call update (EventCall), reconnecting with
// exponential backoff and full jitter when the connection drops. Commands
// may be issued from any goroutine while Run is running; several may be in
// flight at once. A command issued while the stream is not live fails at
// once with ErrNotConnected rather than waiting: a queued "release" with a
// blank call Id sent after a reconnect could hang up a different call.
//
// Events must be drained: a consumer that stops reading stalls the stream
// (and with it command replies) once the buffer is full.
type Stream struct {
	callCommands // Answer, Ignore, Hold, Resume, Release, Dial
	link

	log    *slog.Logger
	events chan Event

	running atomic.Bool

	mu    sync.Mutex
	cur   *conn // the live connection; nil when not live
	state ConnState
	list  listGate

	pinNow atomic.Pointer[Secret] // the PIN; SetPIN replaces it
	wake   chan struct{}          // SetPIN: stop waiting, connect now
}

// listGate spaces out listCalls after the server rate-limits it (error 6).
type listGate struct {
	fails     int
	notBefore time.Time
}

// NewStream checks the account and prepares a stream; Run starts it.
func NewStream(acct Account, opts ...StreamOption) (*Stream, error) {
	l, err := newLink(acct, opts, true)
	if err != nil {
		return nil, err
	}
	o := &l.opts
	if o.stableAfter <= 0 {
		o.stableAfter = o.backoffMax
	}
	if o.backoffMax < o.backoffMin {
		o.backoffMax = o.backoffMin
	}
	if o.listMax < o.listMin {
		o.listMax = o.listMin
	}
	s := &Stream{
		link:   l,
		log:    o.logger,
		events: make(chan Event, o.eventBuffer),
		state:  ConnState{Status: ConnConnecting},
		wake:   make(chan struct{}, 1),
	}
	pin := l.pin()
	s.pinNow.Store(&pin)
	s.link.pin = func() Secret { return *s.pinNow.Load() }
	s.callCommands = callCommands{ln: &s.link, send: s.command}
	return s, nil
}

// String describes the stream without its PIN.
func (s *Stream) String() string { return s.describe("Stream") }

// GoString describes the stream without its PIN.
func (s *Stream) GoString() string { return s.String() }

// Format prints the stream without its PIN for every verb.
func (s *Stream) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// SetPIN replaces the PIN (typed again after the server refused it) and, if
// the stream is waiting to reconnect, connects at once with it. The PIN is
// kept only in memory, like the first one. A stream always takes the PIN:
// the error is for phones that may decline one (a shared connection that
// limits how often its account's PIN is tried).
func (s *Stream) SetPIN(pin Secret) error {
	s.pinNow.Store(&pin)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Events returns the event channel. It is closed when Run returns.
func (s *Stream) Events() <-chan Event { return s.events }

// State returns the current connection state.
func (s *Stream) State() ConnState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// ListCalls returns the calls on the phone now. A successful listCalls also
// puts an EventSnapshot on the event stream, in stream order. While the
// server's rate limit is being respected it fails at once with an error
// matching ErrRateLimited. At most one listCalls is on the wire per
// connection: a caller that comes while one is in flight (the stream's own
// snapshot retry included) shares its reply.
func (s *Stream) ListCalls(ctx context.Context) ([]Call, error) {
	c, err := s.live(CmdListCalls)
	if err != nil {
		return nil, err
	}
	resp, err := c.listCalls(ctx)
	if err != nil {
		return nil, err
	}
	return listResult(resp, s.pin())
}

// command sends one command on the live connection and waits for its reply.
func (s *Stream) command(ctx context.Context, name string, args ...string) (*Response, error) {
	c, err := s.live(name)
	if err != nil {
		return nil, err
	}
	return c.call(ctx, name, nil, args...)
}

// live returns the live connection or an ErrNotConnected error.
func (s *Stream) live(name string) (*conn, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		return s.cur, nil
	}
	st := s.state
	switch st.Status {
	case ConnReconnecting:
		return nil, fmt.Errorf("%s: %w (reconnecting at %s)", ShortName(name), ErrNotConnected, st.NextTry.Format("15:04:05"))
	case ConnFailed:
		return nil, fmt.Errorf("%s: %w (stopped: %v)", ShortName(name), ErrNotConnected, st.Err)
	}
	return nil, fmt.Errorf("%s: %w (%s)", ShortName(name), ErrNotConnected, st.Status)
}

func (s *Stream) listWait() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Until(s.list.notBefore)
}

// listLimited records an error 6 on listCalls and returns the wait.
func (s *Stream) listLimited() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list.fails++
	d := s.opts.listMin << min(s.list.fails-1, 20)
	if d > s.opts.listMax || d <= 0 {
		d = s.opts.listMax
	}
	// Equal jitter: never sooner than half the window.
	d = d/2 + rand.N(d/2+1)
	s.list.notBefore = time.Now().Add(d)
	return d
}

func (s *Stream) listOK() {
	s.mu.Lock()
	s.list.fails = 0
	s.mu.Unlock()
}

func (s *Stream) setConn(c *conn) {
	s.mu.Lock()
	s.cur = c
	s.mu.Unlock()
}

// emit delivers an event unless ctx ends first.
func (s *Stream) emit(ctx context.Context, ev Event) {
	ev.At = s.opts.now()
	select {
	case s.events <- ev:
	case <-ctx.Done():
	}
}

func (s *Stream) emitConn(ctx context.Context, st ConnState) {
	s.mu.Lock()
	s.state = st
	if st.Status != ConnLive {
		s.cur = nil
	}
	s.mu.Unlock()
	s.log.Info("stream "+st.Status.String(), "attempt", st.Attempt, "next_try", st.NextTry, "err", st.Err)
	s.emit(ctx, Event{Kind: EventConn, Conn: st})
}

// backoff returns a full-jitter delay for the attempt (1-based).
func (s *Stream) backoff(attempt int) time.Duration {
	ceil := s.opts.backoffMin << min(attempt-1, 30)
	if ceil > s.opts.backoffMax || ceil <= 0 {
		ceil = s.opts.backoffMax
	}
	return rand.N(ceil + 1)
}

// Run keeps the stream connected until ctx ends, then returns nil. It may
// be called once; the Events channel is closed when it returns.
//
// Between sessions it waits: the reconnect backoff for a dropped
// connection; minutes for a failure that will not fix itself (an untrusted
// certificate, an HTTP 4xx answer) or a refused DID or PIN (error 5: the
// provider may lift a block; SetPIN tries a new PIN at once); the phone
// retry while the phone is not logged in (error 8).
func (s *Stream) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("stream: Run called more than once")
	}
	defer close(s.events)
	attempt := 0
	for {
		s.emitConn(ctx, ConnState{Status: ConnConnecting, Attempt: attempt})
		liveFor, err := s.session(ctx, attempt)
		if ctx.Err() != nil {
			return nil
		}
		if liveFor >= s.opts.stableAfter {
			attempt = 0
		}
		attempt++
		delay := s.retryDelay(err, attempt)
		s.emitConn(ctx, ConnState{Status: ConnReconnecting, Attempt: attempt, NextTry: s.opts.now().Add(delay), Err: err})
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// retryDelay is how long to wait before connecting again after err.
func (s *Stream) retryDelay(err error, attempt int) time.Duration {
	switch {
	case errors.Is(err, ErrAuth):
		s.log.Warn("the DID or PIN was refused; trying again later", "retry_in", s.opts.authRetry)
		return s.opts.authRetry
	case errors.Is(err, ErrPhoneNotLoggedIn):
		return s.opts.phoneRetry
	case permanent(err):
		s.log.Warn("connection failure that will not fix itself; retrying slowly", "err", err, "retry_in", s.opts.slowRetry)
		return s.opts.slowRetry
	}
	return s.backoff(attempt)
}

var (
	errConnectTimeout = errors.New("timed out connecting and subscribing")
	errSessionEnded   = errors.New("stream session ended")
	errServerClosed   = errors.New("the server closed the stream")
	errTooMalformed   = errors.New("too many malformed documents in a row")
)

const maxMalformedInARow = 16

// session runs one connection: connect, subscribe, snapshot, then serve
// until the connection fails. It returns how long the session was live.
func (s *Stream) session(parent context.Context, attempt int) (time.Duration, error) {
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(errSessionEnded)
	c := newConn(s, ctx)
	connectTimer := time.AfterFunc(s.opts.connTimeout, func() { cancel(errConnectTimeout) })
	defer connectTimer.Stop()

	// The subscribe is queued before the request starts: it becomes the
	// first chunk, written as soon as the transport reads the body.
	subReply := c.start(ctx, CmdSubscribe, func(r *Response) {
		if subscribeResult(r, s.pin()) == nil {
			// Live from here: commands are accepted and events flow.
			s.setConn(c)
			s.emitConn(ctx, ConnState{Status: ConnLive})
		}
	})
	stop, err := s.connect(ctx, parent, c, attempt)
	defer func() {
		s.setConn(nil)
		cancel(errSessionEnded)
		stop()
	}()
	if err != nil {
		return 0, err
	}
	if err := c.subscribe(ctx, subReply); err != nil {
		return 0, err
	}
	connectTimer.Stop()
	liveAt := time.Now()
	err = c.serve(ctx)
	return time.Since(liveAt), err
}

// connect starts the stream's POST with c's commands as its body and its
// reader on the response. stop tears the connection down without ending
// the chunked body cleanly (no 0-length chunk) and fails the commands still
// waiting; call it once ctx is cancelled, whatever connect returned.
func (s *Stream) connect(ctx, parent context.Context, c *conn, attempt int) (stop func(), err error) {
	pr, pw := io.Pipe()
	// When the session ends for any reason, fail the body: net/http's
	// writer is blocked reading it, and RoundTrip does not return on
	// cancellation until that writer stops. An error (not EOF) aborts the
	// request rather than ending it with a 0-length chunk.
	stopBody := context.AfterFunc(ctx, func() { pw.CloseWithError(errSessionEnded) })
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.writeLoop(pw) }()
	stop = func() {
		stopBody()
		pw.CloseWithError(errSessionEnded)
		wg.Wait()
		c.failPending()
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url.String(), pr)
	if err != nil {
		return stop, fmt.Errorf("building the stream request: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
	req.Header.Set("User-Agent", s.opts.userAgent)
	s.log.Info("stream connecting", "server", safeURL(s.url), "attempt", attempt)
	resp, err := s.client.Do(req)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && parent.Err() == nil {
			return stop, cause
		}
		return stop, netError("connecting to", safeURL(s.url), err)
	}
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		return stop, &HTTPError{Code: resp.StatusCode, Status: resp.Status, Server: safeURL(s.url)}
	}
	wg.Add(1)
	go func() { defer wg.Done(); defer resp.Body.Close(); c.readLoop(resp.Body) }()
	return stop, nil
}

// subscribe waits for the subscribe's reply, subscribing again a few times
// if the server unsubscribes at once.
func (c *conn) subscribe(ctx context.Context, reply *pending) error {
	s := c.s
	for try := 1; ; try++ {
		r, err := c.wait(ctx, reply)
		if err != nil {
			return c.sessionErr(ctx, err)
		}
		err = subscribeResult(r, s.pin())
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrUnsubscribed) || try >= s.opts.resubscribes {
			return err
		}
		reply = c.start(ctx, CmdSubscribe, reply.hook)
	}
}

// serve takes the snapshot the subscription needs, then keeps the session
// going: snapshots when asked for (a forced resubscribe, a state the table
// cannot know) within the rate limit, until the connection fails.
func (c *conn) serve(ctx context.Context) error {
	c.needSnapshot.Store(true)
	if err := c.snapshot(ctx); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-c.done:
			return c.sessionErr(ctx, c.err)
		case err := <-c.fatal:
			return err
		case <-c.listTimer.C:
			if err := c.snapshot(ctx); err != nil {
				return err
			}
		case <-c.resync:
			if err := c.snapshot(ctx); err != nil {
				return err
			}
		case <-c.resub:
			if err := c.resubscribe(ctx); err != nil {
				return err
			}
			if err := c.snapshot(ctx); err != nil {
				return err
			}
		}
	}
}

// snapshot sends listCalls if the session needs one. Inside the rate-limit
// window, or when it is refused, it is retried on the listCalls backoff.
func (c *conn) snapshot(ctx context.Context) error {
	s := c.s
	if !c.needSnapshot.Load() {
		return nil
	}
	r, err := c.listCalls(ctx)
	var soon *listTooSoon
	if errors.As(err, &soon) {
		c.listTimer.Reset(soon.wait)
		return nil
	}
	if err != nil {
		return c.sessionErr(ctx, err)
	}
	_, err = listResult(r, s.pin())
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrPhoneNotLoggedIn):
		return err
	case errors.Is(err, ErrRateLimited):
		// listLimited ran in the reader when the reply arrived.
		s.emitConn(ctx, ConnState{Status: ConnLive, Err: err})
	default:
		s.log.Warn("listCalls failed; retrying later", "err", err)
		s.listLimited()
	}
	c.listTimer.Reset(max(s.listWait(), s.opts.listMin/10))
	return nil
}

func subscribeResult(r *Response, pin Secret) error {
	if err := r.apiError(CmdSubscribe, pin); err != nil {
		return err
	}
	if n, ok := r.Result.Int(); ok && n != 0 {
		return fmt.Errorf("subscribe: %w: result %d", ErrUnexpectedReply, n)
	}
	return nil
}

// conn is one stream connection: the Id counter, the in-flight requests and
// the goroutines that write commands and read replies.
type conn struct {
	s      *Stream
	ctx    context.Context
	nextID atomic.Int64
	writes chan *pending

	mu      sync.Mutex
	pending map[string]*pending
	closed  bool

	done   chan struct{} // closed when the reader stops
	err    error         // why the reader stopped
	resub  chan struct{} // error 17 seen
	resync chan struct{} // an event in a state the guide does not list
	fatal  chan error    // error 5 pushed for no request: the subscription is refused

	listTimer *time.Timer // the next snapshot try, when one is due

	needSnapshot atomic.Bool
	listing      *listFlight // guarded by mu: the latest listCalls
}

// listFlight is one listCalls on the wire and the callers sharing it.
type listFlight struct {
	done chan struct{} // closed when resp and err are set
	resp *Response
	err  error
}

// listTooSoon refuses a listCalls inside the rate-limit back-off window
// without sending it.
type listTooSoon struct{ wait time.Duration }

func (e *listTooSoon) Error() string {
	return fmt.Sprintf("listCalls: %v; next try in %s", ErrRateLimited, e.wait.Round(time.Second))
}

func (e *listTooSoon) Unwrap() error { return ErrRateLimited }

type pending struct {
	id    string
	name  string
	doc   []byte
	ctx   context.Context
	hook  func(*Response) // run by the reader, in stream order
	reply chan *Response

	flight *listFlight // listCalls: the callers sharing this one
}

func newConn(s *Stream, ctx context.Context) *conn {
	return &conn{
		s:       s,
		ctx:     ctx,
		writes:  make(chan *pending, 64),
		pending: make(map[string]*pending),
		done:    make(chan struct{}),
		resub:   make(chan struct{}, 1),
		resync:  make(chan struct{}, 1),
		fatal:   make(chan error, 1),
		listTimer: func() *time.Timer {
			t := time.NewTimer(time.Hour)
			t.Stop()
			return t
		}(),
	}
}

// start registers and queues a command; wait collects its reply.
func (c *conn) start(ctx context.Context, name string, hook func(*Response), args ...string) *pending {
	return c.send(c.newPending(ctx, name, hook, args...))
}

func (c *conn) newPending(ctx context.Context, name string, hook func(*Response), args ...string) *pending {
	id := strconv.FormatInt(c.nextID.Add(1), 10)
	s := c.s
	return &pending{
		id:    id,
		name:  name,
		doc:   NewCommand(name, s.acct.User, string(s.pin()), id, args...).Encode(),
		ctx:   ctx,
		hook:  hook,
		reply: make(chan *Response, 1),
	}
}

// send registers and queues p.
func (c *conn) send(p *pending) *pending {
	ctx, id := p.ctx, p.id
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		close(p.reply)
		return p
	}
	c.pending[id] = p
	c.mu.Unlock()
	select {
	case c.writes <- p:
	case <-ctx.Done():
		c.forget(id)
	case <-c.done:
	}
	return p
}

// listCalls sends listCalls unless one is already in flight on this
// connection, in which case it waits for that one's reply: the server counts
// every listCalls against its rate limit, so the stream's snapshot retry and
// a caller's ListCalls at the end of a back-off window must not both go out.
// Inside the back-off window it fails at once with *listTooSoon.
func (c *conn) listCalls(ctx context.Context) (*Response, error) {
	s := c.s
	c.mu.Lock()
	f := c.listing
	if f != nil {
		select {
		case <-f.done:
			f = nil
		default:
		}
	}
	if f == nil {
		// Checked under c.mu: the reader records a rate limit before the
		// flight ends, so a caller never slips between the two.
		if wait := s.listWait(); wait > 0 {
			c.mu.Unlock()
			return nil, &listTooSoon{wait: wait}
		}
		f = &listFlight{done: make(chan struct{})}
		c.listing = f
		c.mu.Unlock()
		go c.fly(f)
	} else {
		c.mu.Unlock()
	}
	select {
	case <-f.done:
		return f.resp, f.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("listCalls: no reply in time: %w", ctx.Err())
		}
		return nil, fmt.Errorf("listCalls: %w", context.Cause(ctx))
	}
}

// fly sends one listCalls and ends f with its reply. It is bounded by the
// connection and the command timeout, not by the first caller: the others
// sharing it still want the reply.
func (c *conn) fly(f *listFlight) {
	ctx, cancel := context.WithTimeout(c.ctx, c.s.opts.cmdTimeout)
	defer cancel()
	p := c.newPending(ctx, CmdListCalls, nil, c.s.acct.Endpoint)
	p.flight = f
	resp, err := c.wait(ctx, c.send(p))
	f.resp, f.err = resp, err
	close(f.done)
}

// call sends a command and waits for its reply, bounded by ctx and the
// command timeout.
func (c *conn) call(ctx context.Context, name string, hook func(*Response), args ...string) (*Response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.s.opts.cmdTimeout)
	defer cancel()
	p := c.start(ctx, name, hook, args...)
	return c.wait(ctx, p)
}

func (c *conn) wait(ctx context.Context, p *pending) (*Response, error) {
	short := ShortName(p.name)
	select {
	case r, ok := <-p.reply:
		if !ok {
			return nil, fmt.Errorf("%s: %w", short, ErrConnectionLost)
		}
		return r, nil
	case <-c.done:
		select {
		case r, ok := <-p.reply:
			if ok {
				return r, nil
			}
		default:
		}
		return nil, fmt.Errorf("%s: %w", short, ErrConnectionLost)
	case <-ctx.Done():
		// The entry stays registered: a late reply is still read and, for
		// listCalls, still becomes a snapshot.
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("%s: no reply in time: %w", short, ctx.Err())
		}
		return nil, fmt.Errorf("%s: %w", short, context.Cause(ctx))
	}
}

func (c *conn) forget(id string) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// failPending ends every waiting command with ErrConnectionLost.
func (c *conn) failPending() {
	c.mu.Lock()
	c.closed = true
	ps := c.pending
	c.pending = map[string]*pending{}
	c.mu.Unlock()
	for _, p := range ps {
		close(p.reply)
	}
}

// sessionErr prefers the reason the session ended over a command's error.
func (c *conn) sessionErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	select {
	case <-c.done:
		if c.err != nil {
			return c.err
		}
	default:
	}
	return err
}

// writeLoop writes each queued command as one write on the request body,
// which net/http sends as one chunk. It never writes zero bytes and never
// closes the body.
func (c *conn) writeLoop(w io.Writer) {
	for {
		select {
		case <-c.ctx.Done():
			return
		case p := <-c.writes:
			if p.ctx.Err() != nil {
				c.forget(p.id) // the caller gave up before it was sent
				continue
			}
			c.s.log.Debug("stream command", "command", ShortName(p.name), "id", p.id)
			if _, err := w.Write(p.doc); err != nil {
				return
			}
		}
	}
}

// readLoop decodes replies and events until the body fails.
func (c *conn) readLoop(body io.Reader) {
	defer close(c.done)
	dec := NewResponseDecoder(body, c.s.opts.maxDocument)
	bad := 0
	for {
		r, err := dec.Next()
		if err != nil {
			var me *MalformedError
			if errors.As(err, &me) {
				bad++
				c.s.log.Warn("skipped a malformed document", "err", serverText(cleanText(me.Error(), 200), c.s.pin()))
				if bad >= maxMalformedInARow {
					c.err = errTooMalformed
					return
				}
				continue
			}
			if errors.Is(err, io.EOF) {
				err = errServerClosed
			} else {
				err = netError("reading the stream from", safeURL(c.s.url), err)
			}
			c.err = err
			return
		}
		bad = 0
		c.dispatch(r)
	}
}

// dispatch routes one response: the reply to a request in flight (matched
// by Id), or a pushed call event. The server reuses the subscribe's Id for
// events, so a call list carrying a subscribe's Id is an event too.
func (c *conn) dispatch(r *Response) {
	s := c.s
	c.mu.Lock()
	p := c.pending[r.ID]
	if p != nil && p.name == CmdSubscribe && r.IsCallList() && r.apiError(CmdSubscribe, "") == nil {
		p = nil // an event with the subscribe's Id, before its own reply
	}
	if p != nil {
		delete(c.pending, r.ID)
	}
	c.mu.Unlock()

	if p != nil {
		c.afterReply(p, r)
		if p.hook != nil {
			p.hook(r)
		}
		p.reply <- r
		return
	}
	if r.IsCallList() && r.apiError("", "") == nil {
		for _, call := range r.Result.Items {
			if !KnownState(call.State) {
				c.requestResync(call)
			}
			s.emit(c.ctx, Event{Kind: EventCall, Call: call})
		}
		return
	}
	err := r.apiError("stream", s.pin())
	switch {
	case err == nil:
		s.log.Debug("reply for no request in flight", "id", r.ID)
	case errors.Is(err, ErrUnsubscribed):
		c.requestResubscribe()
	case errors.Is(err, ErrAuth):
		c.setFatal(err)
	default:
		s.log.Warn("server error for no request in flight", "id", r.ID, "err", err)
	}
}

// afterReply does what a reply means for the stream as a whole, in stream
// order: listCalls results become snapshots and drive the rate-limit gate;
// error 17 asks for a new subscription.
func (c *conn) afterReply(p *pending, r *Response) {
	s, name := c.s, p.name
	// Error 5 on a command fails that command alone (its caller gets the
	// error); a refused subscribe ends the session where it is awaited.
	err := r.apiError(name, s.pin())
	if errors.Is(err, ErrUnsubscribed) && name != CmdSubscribe {
		c.requestResubscribe()
	}
	if name != CmdListCalls {
		return
	}
	ok := err == nil && r.IsCallList()
	switch {
	case ok:
		s.listOK()
		c.needSnapshot.Store(false)
	case errors.Is(err, ErrRateLimited):
		wait := s.listLimited()
		s.log.Warn("listCalls rate limited", "retry_in", wait)
	}
	// The gate is up to date: from here a new caller sends a new listCalls
	// (or is refused locally) rather than sharing this reply.
	c.mu.Lock()
	if c.listing == p.flight {
		c.listing = nil
	}
	c.mu.Unlock()
	if ok {
		calls := r.Result.Items
		if calls == nil {
			calls = []Call{}
		}
		s.emit(c.ctx, Event{Kind: EventSnapshot, Calls: calls})
		if st := s.State(); st.Status == ConnLive && st.Err != nil {
			s.emitConn(c.ctx, ConnState{Status: ConnLive})
		}
	}
}

// requestResync asks for a listCalls (within the rate limit) after an
// event in a state the guide does not list, so the call's true state shows
// soon.
func (c *conn) requestResync(call Call) {
	c.s.log.Info("call in a state the guide does not list; listing the calls again", "call", call.ID, "state", cleanText(call.State, 40))
	c.needSnapshot.Store(true)
	select {
	case c.resync <- struct{}{}:
	default:
	}
}

// KnownState reports whether state is one the guide lists (RINGING,
// PENDING, CONNECTED, HOLDING, DELETED, or the guide's own misspelling
// CONNNECTED), in any case and spacing.
func KnownState(state string) bool {
	switch strings.ToUpper(strings.TrimSpace(state)) {
	case "RINGING", "PENDING", "CONNECTED", "CONNNECTED", "HOLDING", "DELETED":
		return true
	}
	return false
}

func (c *conn) requestResubscribe() {
	c.s.log.Info("server dropped the subscription; subscribing again")
	select {
	case c.resub <- struct{}{}:
	default:
	}
}

func (c *conn) setFatal(err error) {
	select {
	case c.fatal <- err:
	default:
	}
}

// resubscribe answers error 17: subscribe again without telling the user.
// A prompt resubscribe needs no new snapshot; one that took retries or more
// than a second asks for one, since events may have been missed.
func (c *conn) resubscribe(ctx context.Context) error {
	began := time.Now()
	for try := 1; ; try++ {
		r, err := c.call(ctx, CmdSubscribe, nil)
		if err != nil {
			return c.sessionErr(ctx, err)
		}
		err = subscribeResult(r, c.s.pin())
		if err == nil {
			if try > 1 || time.Since(began) > c.s.opts.resyncAfter {
				c.needSnapshot.Store(true)
			}
			return nil
		}
		if !errors.Is(err, ErrUnsubscribed) || try >= c.s.opts.resubscribes {
			return err
		}
		t := time.NewTimer(c.s.opts.backoffMin * time.Duration(try))
		select {
		case <-ctx.Done():
			t.Stop()
			return context.Cause(ctx)
		case <-t.C:
		}
	}
}
