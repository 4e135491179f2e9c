package skysim

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// Call states, as the guide spells them.
const (
	StateRinging   = "RINGING"
	StatePending   = "PENDING"
	StateConnected = "CONNECTED"
	StateHolding   = "HOLDING"
	StateDeleted   = "DELETED"
)

// phone is the simulated phone behind one DID. Guarded by Server.mu.
type phone struct {
	did       string
	pin       string
	endpoint  string
	loggedIn  bool
	blocked   bool
	calls     []*call // in the order they began
	lastList  time.Time
	listedYet bool
	nextID    int // the next call Id, with Config.IDsPerAccount
}

type call struct {
	id         string
	ani        string
	clid       *string
	did        string
	endpoint   string
	originated bool
	state      string
	start      time.Time
	demo       bool // created by the demo scenario: gives up, hangs up
	stop       func() bool
}

func (c *call) stopTimer() {
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
}

func newPhone(a Account) *phone {
	ep := a.Endpoint
	if ep == "" {
		h := fnv.New32a()
		h.Write([]byte(a.DID))
		ep = "001049" + strconv.FormatUint(uint64(h.Sum32()&0xffffff)|1<<24, 16)[1:]
	}
	return &phone{did: a.DID, pin: a.PIN, endpoint: ep, loggedIn: true}
}

func (p *phone) find(id string) *call {
	for _, c := range p.calls {
		if c.id == id {
			return c
		}
	}
	return nil
}

// target picks the call a command acts on: the one with the given Id if it
// is in one of the states, or with a blank Id the first call in one of them.
func (p *phone) target(id string, states ...string) *call {
	in := func(c *call) bool {
		for _, st := range states {
			if c.state == st {
				return true
			}
		}
		return false
	}
	if id != "" {
		if c := p.find(id); c != nil && in(c) {
			return c
		}
		return nil
	}
	for _, c := range p.calls {
		if in(c) {
			return c
		}
	}
	return nil
}

func (p *phone) remove(c *call) {
	for i, x := range p.calls {
		if x == c {
			p.calls = append(p.calls[:i], p.calls[i+1:]...)
			return
		}
	}
}

// endpointMatches reports whether an endpoint argument names this phone:
// blank always does; otherwise the MAC address compared without case or
// separators.
func (p *phone) endpointMatches(arg string) bool {
	if arg == "" {
		return true
	}
	norm := func(s string) string {
		s = strings.ToLower(s)
		return strings.NewReplacer(":", "", "-", "", ".", "", " ", "").Replace(s)
	}
	return norm(arg) == norm(p.endpoint)
}

func (c *call) wire(now time.Time) transport.Call {
	d := int(now.Sub(c.start) / time.Second)
	if d < 0 {
		d = 0
	}
	var clid *string
	if c.clid != nil {
		v := *c.clid
		clid = &v
	}
	return transport.Call{
		Ani:        c.ani,
		CLID:       clid,
		DID:        c.did,
		Duration:   d,
		Endpoint:   c.endpoint,
		ID:         c.id,
		Originated: c.originated,
		State:      c.state,
	}
}

// validDialNumber applies the guide's <EX_TN> rules: digits only; a 4 digit
// extension, a 10 digit number, 1 and 10 digits, or 011 and an
// international number. No outbound dial digit.
func validDialNumber(n string) bool {
	if n == "" {
		return false
	}
	for _, r := range n {
		if r < '0' || r > '9' {
			return false
		}
	}
	switch {
	case len(n) == 4:
		return true
	case len(n) == 10:
		return n[0] >= '2'
	case len(n) == 11 && n[0] == '1':
		return n[1] >= '2'
	case strings.HasPrefix(n, "011"):
		return len(n) >= 3+7 && len(n) <= 3+15
	}
	return false
}
