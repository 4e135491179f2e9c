package skysim

import (
	"crypto/subtle"
	"net/url"
	"slices"
	"strings"

	"github.com/frontdesk/frontdesk/transport"
)

// Error messages, word for word as the guide lists them.
const (
	MsgNoClass      = "Command is missing a class name."
	MsgNoMethod     = "Command is missing a method name."
	MsgNoSuchMethod = "No such method"
	MsgAuth         = "Authorization or authentication failed"
	MsgBlocked      = "Your user has been temporarily blocked for API abuse."
	MsgRateLimited  = "This application has been temporarily blocked for API misuse."
	MsgNotLoggedIn  = "Endpoint not found. Log into your phone."
	MsgBadArguments = "The command expected arguments of different type or amount"
	MsgUnsubscribed = "A temporary problem forced the unsubscription from updates. Try subscribing again. Notify system@m5net.com if this condition persists"
	MsgBadXML       = "Failed to unmarshall XML"
)

// Major error codes from the guide.
const (
	ErrCodeNoClass      = 2
	ErrCodeNoMethod     = 3
	ErrCodeNoSuchMethod = 4
	ErrCodeAuth         = 5
	ErrCodeRateLimited  = 6
	ErrCodeNotLoggedIn  = 8
	ErrCodeBadArguments = 13
	ErrCodeUnsubscribed = 17
	ErrCodeBadXML       = 19
)

// DefaultMessage returns the guide's message for a major error code, or ""
// for a code the guide does not list.
func DefaultMessage(major int) string {
	switch major {
	case ErrCodeNoClass:
		return MsgNoClass
	case ErrCodeNoMethod:
		return MsgNoMethod
	case ErrCodeNoSuchMethod:
		return MsgNoSuchMethod
	case ErrCodeAuth:
		return MsgAuth
	case ErrCodeRateLimited:
		return MsgRateLimited
	case ErrCodeNotLoggedIn:
		return MsgNotLoggedIn
	case ErrCodeBadArguments:
		return MsgBadArguments
	case ErrCodeUnsubscribed:
		return MsgUnsubscribed
	case ErrCodeBadXML:
		return MsgBadXML
	}
	return ""
}

const (
	viaGET  = "GET"
	viaPOST = "POST"
)

// className is the class every command belongs to.
const className = "org.m5.apps.v1.cti.ClickToDial"

// argCounts is how many <Arguments> each method takes (blank ones count).
var argCounts = map[string]int{
	"dial":      2,
	"answer":    2,
	"ignore":    1,
	"release":   1,
	"hold":      1,
	"resume":    1,
	"listCalls": 1,
	"subscribe": 0,
}

type commandOrError struct {
	cmd transport.Command
	err error
}

func commandFromQuery(q url.Values) transport.Command {
	cmd := transport.Command{
		Name:     strings.TrimSpace(q.Get("name")),
		User:     strings.TrimSpace(q.Get("user")),
		Password: strings.TrimSpace(q.Get("password")),
	}
	for _, a := range q["args"] {
		cmd.Arguments = append(cmd.Arguments, transport.Argument{Type: "ns3:string", Value: strings.TrimSpace(a)})
	}
	return cmd
}

// splitName splits "org.m5.apps.v1.cti.ClickToDial.dial" into its class and
// method, or returns the error code for a name missing either.
func splitName(name string) (class, method string, code int) {
	i := strings.LastIndexByte(name, '.')
	if name == "" || i <= 0 {
		return "", "", ErrCodeNoClass
	}
	class, method = name[:i], name[i+1:]
	if method == "" {
		return class, "", ErrCodeNoMethod
	}
	return class, method, 0
}

// badXMLLocked answers a document that could not be read as a Command.
// There is no Id to echo, so the reply carries a random one.
func (s *Server) badXMLLocked(err error, sess *session) []byte {
	id := randomID()
	s.recordLocked(commandRecord{ID: id, Transport: viaPOST, Error: ErrCodeBadXML, stream: sess})
	return renderError(id, ErrCodeBadXML, 0, MsgBadXML+": "+err.Error())
}

// execLocked runs one command and returns its reply document. State changes
// queue events (see flushLocked) to be written after the reply.
func (s *Server) execLocked(cmd transport.Command, via string, sess *session) []byte {
	id := cmd.ID
	if id == "" {
		id = randomID()
	}
	args := make([]string, len(cmd.Arguments))
	for i, a := range cmd.Arguments {
		args[i] = a.Value
	}
	rec := commandRecord{Name: cmd.Name, User: cmd.User, Args: args, ID: cmd.ID, Transport: via, stream: sess}
	fail := func(code int, msg string) []byte {
		rec.Error = code
		s.recordLocked(rec)
		s.log.Info("command refused", "via", via, "name", cmd.Name, "user", cmd.User, "id", id, "code", code)
		return renderError(id, code, 0, msg)
	}

	class, method, code := splitName(cmd.Name)
	if code != 0 {
		return fail(code, DefaultMessage(code))
	}
	want, known := argCounts[method]
	if class != className || !known || (via == viaGET && method == "subscribe") {
		return fail(ErrCodeNoSuchMethod, MsgNoSuchMethod)
	}
	p := s.phones[cmd.User]
	if p == nil || subtle.ConstantTimeCompare([]byte(p.pin), []byte(cmd.Password)) != 1 {
		return fail(ErrCodeAuth, MsgAuth)
	}
	if p.blocked {
		return fail(ErrCodeAuth, MsgBlocked)
	}
	if sess != nil {
		sess.users[p.did] = true
	}
	if len(args) != want {
		return fail(ErrCodeBadArguments, MsgBadArguments)
	}
	if !p.loggedIn {
		return fail(ErrCodeNotLoggedIn, MsgNotLoggedIn)
	}
	switch method {
	case "dial", "answer", "listCalls":
		if !p.endpointMatches(args[len(args)-1]) {
			return fail(ErrCodeNotLoggedIn, MsgNotLoggedIn)
		}
	}
	now := s.clock.Now()
	if method == "listCalls" && s.listWindow > 0 && p.listedYet && now.Sub(p.lastList) < s.listWindow {
		return fail(ErrCodeRateLimited, MsgRateLimited)
	}

	s.recordLocked(rec)
	s.log.Info("command", "via", via, "name", cmd.Name, "user", cmd.User, "args", args, "id", id)

	switch method {
	case "subscribe":
		sess.subs[p.did] = id
		s.notifyLocked()
		return renderInt(id, 0)
	case "listCalls":
		p.lastList, p.listedYet = now, true
		calls := make([]transport.Call, len(p.calls))
		for i, c := range p.calls {
			calls[i] = c.wire(now)
		}
		return renderList(id, renderCallItems(calls))
	case "dial":
		return renderBool(id, s.dialLocked(p, args[0]))
	case "answer":
		return renderBool(id, s.takeLocked(p, args[0], StateRinging))
	case "ignore":
		return renderBool(id, s.actLocked(p, args[0], StateDeleted, StateRinging))
	case "hold":
		return renderBool(id, s.actLocked(p, args[0], StateHolding, StateConnected))
	case "resume":
		return renderBool(id, s.takeLocked(p, args[0], StateHolding))
	case "release":
		return renderBool(id, s.actLocked(p, args[0], StateDeleted, StateConnected, StateHolding, StatePending))
	}
	return fail(ErrCodeNoSuchMethod, MsgNoSuchMethod)
}

// actLocked moves the call with the given Id (or, blank, the first call)
// in one of the from states to state to. It reports whether it found one.
func (s *Server) actLocked(p *phone, id, to string, from ...string) bool {
	c := p.target(id, from...)
	if c == nil {
		return false
	}
	s.changeLocked(p, c, to)
	return true
}

// takeLocked connects the call with the given Id (or, blank, the first
// call) in state from, as answer and resume do. Like a handset, the phone
// first puts the call it is talking on on hold: one call is connected at a
// time.
func (s *Server) takeLocked(p *phone, id, from string) bool {
	c := p.target(id, from)
	if c == nil {
		return false
	}
	s.holdOthersLocked(p, c)
	s.changeLocked(p, c, StateConnected)
	return true
}

// holdOthersLocked puts every connected call but keep on hold.
func (s *Server) holdOthersLocked(p *phone, keep *call) {
	for _, o := range slices.Clone(p.calls) {
		if o != keep && o.state == StateConnected {
			s.changeLocked(p, o, StateHolding)
		}
	}
}

// dialLocked places an outbound call: PENDING now, CONNECTED after the
// dial connect delay. A connected call goes on hold first.
func (s *Server) dialLocked(p *phone, number string) bool {
	if !validDialNumber(number) {
		return false
	}
	s.holdOthersLocked(p, nil)
	c := s.newCallLocked(p, number, nil, true, StatePending)
	c.demo = s.cfg.RingRate > 0
	s.changeLocked(p, c, StatePending)
	return true
}

func (s *Server) newCallLocked(p *phone, ani string, clid *string, originated bool, state string) *call {
	id := s.nextCallID
	s.nextCallID++
	if s.cfg.IDsPerAccount {
		id = p.nextID
		p.nextID++
	}
	c := &call{
		id:         itoa(id),
		ani:        ani,
		did:        p.did,
		endpoint:   p.endpoint,
		originated: originated,
		state:      state,
		start:      s.clock.Now(),
	}
	if clid != nil {
		v := *clid
		c.clid = &v
	}
	p.calls = append(p.calls, c)
	return c
}

// changeLocked sets a call's state, pushes it to the DID's subscribers and
// arms whatever follows (a dialled call connecting, a demo caller giving up
// or hanging up). A DELETED call leaves the phone.
func (s *Server) changeLocked(p *phone, c *call, state string) {
	s.changeSpeltLocked(p, c, state, state)
}

// changeSpeltLocked is changeLocked with the event spelling the state as
// spelt (the guide's CONNNECTED for CONNECTED).
func (s *Server) changeSpeltLocked(p *phone, c *call, state, spelt string) {
	c.state = state
	c.stopTimer()
	wc := c.wire(s.clock.Now())
	wc.State = spelt
	s.pushCallLocked(p.did, wc)
	if state == StateDeleted {
		p.remove(c)
	} else {
		s.armLocked(p, c)
	}
	s.notifyLocked()
}

// pushCallLocked queues an event carrying one call to every subscriber of did.
func (s *Server) pushCallLocked(did string, wc transport.Call) {
	items := renderCallItems([]transport.Call{wc})
	s.forSubscribersLocked(did, func(sess *session, subID string) {
		s.pending = append(s.pending, pendingChunk{sess, renderList(subID, items)})
	})
	s.stats.events++
}

func (s *Server) forSubscribersLocked(did string, f func(*session, string)) {
	for sess := range s.sessions {
		if subID, ok := sess.subs[did]; ok {
			f(sess, subID)
		}
	}
}

type pendingChunk struct {
	sess  *session
	chunk []byte
}

// flushLocked hands queued events to their streams.
func (s *Server) flushLocked() {
	for i, pc := range s.pending {
		pc.sess.enqueue(pc.chunk)
		s.pending[i] = pendingChunk{}
	}
	s.pending = s.pending[:0]
}
