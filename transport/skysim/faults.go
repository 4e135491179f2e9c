package skysim

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// maxLog bounds Stats.Log; older records are dropped first.
const maxLog = 10000

// CommandRecord is one command the server received, as it arrived. It never
// holds the password.
type CommandRecord struct {
	Name      string
	User      string
	Args      []string
	ID        string // the request's <Id>, "" when it had none (or over GET)
	Transport string // "GET" or "POST"
	Stream    int    // the stream's number (see Stats.Streams); 0 over GET
	Error     int    // the major error code of the reply; 0 for success
	At        time.Time
}

// Stats is a snapshot of what the server has seen.
type Stats struct {
	// Subscribes and ListCalls count those commands received (refused or not).
	Subscribes int
	ListCalls  int
	// Commands counts every command received by its name as sent.
	Commands map[string]int
	// Errors counts error replies by major code.
	Errors map[int]int
	// Streams is the number of long-lived POST streams accepted so far;
	// OpenStreams how many are open now.
	Streams     int
	OpenStreams int
	// Connections is the number of TCP connections accepted so far (GET and
	// POST alike).
	Connections int
	// GETs is the number of GET requests served.
	GETs int
	// Events is the number of call events pushed (once per change, whatever
	// the number of subscribers).
	Events int
	// Subscribers is the number of streams subscribed to each DID now.
	Subscribers map[string]int
	// Log holds the most recent commands, oldest first.
	Log []CommandRecord
}

type statsCounters struct {
	commands map[string]int
	errors   map[int]int
	streams  int
	tcpConns int
	gets     int
	events   int
	log      []CommandRecord
}

type commandRecord struct {
	Name      string
	User      string
	Args      []string
	ID        string
	Transport string
	Error     int
	stream    *session
}

func (s *Server) recordLocked(r commandRecord) {
	rec := CommandRecord{Name: r.Name, User: r.User, Args: r.Args, ID: r.ID, Transport: r.Transport, Error: r.Error, At: s.clock.Now()}
	if r.stream != nil {
		rec.Stream = r.stream.id
	}
	s.stats.commands[r.Name]++
	if r.Error != 0 {
		if s.stats.errors == nil {
			s.stats.errors = make(map[int]int)
		}
		s.stats.errors[r.Error]++
	}
	if len(s.stats.log) >= maxLog {
		s.stats.log = slices.Delete(s.stats.log, 0, len(s.stats.log)-maxLog+1)
	}
	s.stats.log = append(s.stats.log, rec)
	s.notifyLocked()
}

// Stats returns a snapshot of the counters and the command log.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.statsLocked()
}

func (s *Server) statsLocked() Stats {
	st := Stats{
		Subscribes:  s.stats.commands[transport.CmdSubscribe],
		ListCalls:   s.stats.commands[transport.CmdListCalls],
		Commands:    maps.Clone(s.stats.commands),
		Errors:      maps.Clone(s.stats.errors),
		Streams:     s.stats.streams,
		OpenStreams: len(s.sessions),
		Connections: s.stats.tcpConns,
		GETs:        s.stats.gets,
		Events:      s.stats.events,
		Subscribers: make(map[string]int),
		Log:         make([]CommandRecord, len(s.stats.log)),
	}
	if st.Errors == nil {
		st.Errors = make(map[int]int)
	}
	for i, r := range s.stats.log {
		r.Args = slices.Clone(r.Args)
		st.Log[i] = r
	}
	for sess := range s.sessions {
		for did := range sess.subs {
			st.Subscribers[did]++
		}
	}
	return st
}

// WaitFor blocks until cond holds for the server's stats, or ctx ends.
// cond is checked at once and after every change the server makes.
func (s *Server) WaitFor(ctx context.Context, cond func(Stats) bool) error {
	return waitFor(ctx, s, s.statsLocked, cond)
}

// WaitSubscribed blocks until at least n streams are subscribed to did.
func (s *Server) WaitSubscribed(ctx context.Context, did string, n int) error {
	return s.WaitFor(ctx, func(st Stats) bool { return st.Subscribers[did] >= n })
}

// WaitCalls blocks until cond holds for did's calls, or ctx ends.
func (s *Server) WaitCalls(ctx context.Context, did string, cond func([]transport.Call) bool) error {
	return waitFor(ctx, s, func() []transport.Call { return s.callsLocked(did) }, cond)
}

// waitFor blocks until cond holds for what snapshot returns, or ctx ends:
// at once and after every change the server makes, it takes a snapshot
// under the lock and checks it outside.
func waitFor[T any](ctx context.Context, s *Server, snapshot func() T, cond func(T) bool) error {
	for {
		s.mu.Lock()
		v, changed := snapshot(), s.changed
		s.mu.Unlock()
		if cond(v) {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Calls returns did's current calls as listCalls would (DELETED calls are gone).
func (s *Server) Calls(did string) []transport.Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(did)
}

func (s *Server) callsLocked(did string) []transport.Call {
	p := s.phones[did]
	if p == nil {
		return nil
	}
	now := s.clock.Now()
	out := make([]transport.Call, len(p.calls))
	for i, c := range p.calls {
		out[i] = c.wire(now)
	}
	return out
}

// Ring starts an incoming call ringing on did's phone and pushes it to the
// subscribers. clid nil leaves CLID out. It returns the new call's Id, or ""
// for an unknown DID.
func (s *Server) Ring(did, ani string, clid *string) string {
	return s.startCall(did, ani, clid, false, StateRinging)
}

// Dial places an outbound call from did's phone as if dialled on the handset
// (PENDING, then CONNECTED after the dial connect delay). It returns the
// call's Id, or "" for an unknown DID.
func (s *Server) Dial(did, number string) string {
	return s.startCall(did, number, nil, true, StatePending)
}

// startCall starts a call on did's phone in state and pushes it to the
// subscribers; "" for an unknown DID or a closed server.
func (s *Server) startCall(did, number string, clid *string, outbound bool, state string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.phones[did]
	if p == nil || s.closed {
		return ""
	}
	c := s.newCallLocked(p, number, clid, outbound, state)
	s.changeLocked(p, c, state)
	s.flushLocked()
	return c.id
}

// SetState sets a call's state to any text (a state the guide lists or not)
// and pushes the change. DELETED ends the call (the far end hung up).
// "CONNNECTED", the guide's own misspelling, is pushed as spelt and the
// phone takes the call as CONNECTED. An unknown call is ignored.
func (s *Server) SetState(did, callID, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c := s.callLocked(did, callID)
	if c == nil {
		return
	}
	actual := state
	if state == misspeltConnected {
		actual = StateConnected
	}
	s.changeSpeltLocked(p, c, actual, state)
	s.flushLocked()
}

// misspeltConnected is how one copy of the guide spells CONNECTED.
const misspeltConnected = "CONNNECTED"

// PushState pushes an event for a call with its state spelt as given (a
// state the guide does not list), without changing the call: listCalls
// still reports its true state. An unknown call is ignored.
func (s *Server) PushState(did, callID, spelt string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, c := s.callLocked(did, callID)
	if c == nil {
		return
	}
	wc := c.wire(s.clock.Now())
	wc.State = spelt
	s.pushCallLocked(did, wc)
	s.notifyLocked()
	s.flushLocked()
}

// callLocked finds a call on did's phone; c is nil for an unknown DID or
// call.
func (s *Server) callLocked(did, callID string) (p *phone, c *call) {
	if p = s.phones[did]; p != nil {
		c = p.find(callID)
	}
	return p, c
}

// Burst pushes one Response per call to every subscriber of did, all in ONE
// chunk, as the service does for calls moved on by Call Screening or Find
// Me rules (PENDING, CONNECTED and DELETED at once). The phone takes the
// calls' states too: an unknown Id starts a call, DELETED ends one. Blank
// DID and Endpoint are filled in; the other fields are sent as given.
func (s *Server) Burst(did string, calls ...transport.Call) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.phones[did]
	if p == nil || len(calls) == 0 {
		return
	}
	now := s.clock.Now()
	items := make([][]byte, len(calls))
	for i, wc := range calls {
		if wc.DID == "" {
			wc.DID = p.did
		}
		if wc.Endpoint == "" {
			wc.Endpoint = p.endpoint
		}
		items[i] = renderCallItems([]transport.Call{wc})
		c := p.find(wc.ID)
		if c == nil {
			if wc.State == StateDeleted {
				continue
			}
			c = &call{id: wc.ID, did: p.did, start: now.Add(-time.Duration(wc.Duration) * time.Second)}
			p.calls = append(p.calls, c)
		}
		c.stopTimer()
		c.ani, c.did, c.endpoint, c.originated, c.state = wc.Ani, wc.DID, wc.Endpoint, wc.Originated, wc.State
		c.clid = nil
		if wc.CLID != nil {
			v := *wc.CLID
			c.clid = &v
		}
		if c.state == StateDeleted {
			p.remove(c)
		}
		s.stats.events++
	}
	s.forSubscribersLocked(did, func(sess *session, subID string) {
		var chunk []byte
		for _, it := range items {
			chunk = append(chunk, renderList(subID, it)...)
		}
		sess.enqueue(chunk)
	})
	s.notifyLocked()
}

// InjectError sends an error Response (with the subscription's Id) to every
// subscriber of did. msg "" uses the guide's message for the code. Error 17
// also ends those subscriptions, as the service's forced unsubscription does.
func (s *Server) InjectError(did string, major int, msg string) {
	if msg == "" {
		msg = DefaultMessage(major)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forSubscribersLocked(did, func(sess *session, subID string) {
		sess.enqueue(renderError(subID, major, 0, msg))
		if major == ErrCodeUnsubscribed {
			delete(sess.subs, did)
		}
	})
	s.notifyLocked()
}

// DropConnections closes, mid-stream, the TCP connection of every stream
// that has carried a command for did ("" drops every stream).
func (s *Server) DropConnections(did string) {
	s.mu.Lock()
	var victims []*session
	for sess := range s.sessions {
		_, subscribed := sess.subs[did]
		if did == "" || subscribed || sess.users[did] {
			victims = append(victims, sess)
		}
	}
	s.mu.Unlock()
	for _, sess := range victims {
		sess.drop()
	}
}

// RateLimitListCalls refuses (error 6) a listCalls that comes less than
// window after the DID's last successful one; 0 lifts the limit.
func (s *Server) RateLimitListCalls(window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.listWindow = window
}

// SetLoggedIn logs did's phone in or out; while out every command for did
// gets error 8.
func (s *Server) SetLoggedIn(did string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.phones[did]; p != nil {
		p.loggedIn = ok
	}
}

// SetBlocked blocks did for API abuse: every command gets error 5 with the
// guide's "temporarily blocked" message.
func (s *Server) SetBlocked(did string, blocked bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.phones[did]; p != nil {
		p.blocked = blocked
	}
}

// SendRaw writes raw bytes, as one chunk, to every subscriber of did ("" to
// every open stream): for malformed or unexpected documents.
func (s *Server) SendRaw(did string, raw []byte) {
	raw = slices.Clone(raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	for sess := range s.sessions {
		if _, ok := sess.subs[did]; ok || did == "" {
			sess.enqueue(raw)
		}
	}
}

// SplitWrites makes the stream write every reply and event in chunks of at
// most n bytes, each flushed on its own (1 = every byte); 0 restores one
// chunk per document.
func (s *Server) SplitWrites(n int) {
	s.splitWrites.Store(int64(max(n, 0)))
}

func itoa(n int) string { return strconv.Itoa(n) }
