package skysim

import (
	"math"
	"strings"
	"time"
)

// DemoContact is one entry of the built-in demo directory: the people the
// demo scenario's callers are drawn from.
type DemoContact struct {
	Name       string
	Number     string // as a person writes it, e.g. "(646) 555-0142"; "" for colleagues reached by extension
	Extension  string // 4 digits for colleagues; "" for outside callers
	Department string
}

var demoContacts = []DemoContact{
	{"Ada Whitfield", "(646) 555-0142", "", "Client — Whitfield & Sons"},
	{"Marcus Oyelaran", "(212) 555-0187", "", "Client — Harbor Freight Partners"},
	{"Priya Raman", "(917) 555-0123", "", "Client — Raman Architecture"},
	{"Tomás Echeverría", "(718) 555-0166", "", "Supplier — Brooklyn Paper Co."},
	{"Grace Liu", "(415) 555-0108", "", "Client — Liu Ventures"},
	{"Dmitri Volkov", "(312) 555-0131", "", "Auditor — Lakeshore CPA"},
	{"Hannah Brooks", "(617) 555-0199", "", "Recruiter — Beacon Talent"},
	{"Samuel Adeyemi", "(202) 555-0114", "", "Counsel — Adeyemi Law"},
	{"Lucia Romano", "(305) 555-0172", "", "Client — Romano Imports"},
	{"Kenji Watanabe", "(206) 555-0150", "", "Client — Sound Robotics"},
	{"Olivia Grant", "(201) 555-0138", "", "Building management"},
	{"Noah Feldman", "(347) 555-0191", "", "Courier — Five Boroughs Express"},
	{"Fatima Haddad", "+44 20 7946 0321", "", "Client — Haddad Partners London"},
	{"Rachel Kim", "", "4101", "Sales"},
	{"Daniel Ortiz", "", "4102", "Sales"},
	{"Beatrice Moreau", "", "4210", "Accounts"},
	{"Ethan Clarke", "", "4305", "Engineering"},
	{"Mei Chen", "", "4400", "Management"},
}

// DemoContacts returns the built-in demo directory. With Config.Names the
// demo scenario's callers mostly come from it, so a console that loads the
// same entries shows callers by name.
func DemoContacts() []DemoContact {
	out := make([]DemoContact, len(demoContacts))
	copy(out, demoContacts)
	return out
}

var demoAreaCodes = []string{"212", "646", "718", "917", "347", "201", "415", "312", "617", "202", "305", "713", "206", "303", "512"}

// demoMainLine is the number callers dialled when their CLID is not the DID:
// the company's main line, reached through the auto attendant.
const demoMainLine = "8885550100"

// Demo timings.
const (
	demoFirstCaller = 1500 * time.Millisecond
	demoRingMin     = 15 * time.Second
	demoRingMax     = 40 * time.Second
	demoTalkMin     = 20 * time.Second
	demoTalkMax     = 150 * time.Second
	demoMaxCalls    = 5 // no new caller while the phone has this many calls
)

// startScenarioLocked starts the demo's random callers on every account.
func (s *Server) startScenarioLocked() {
	if s.cfg.RingRate <= 0 {
		return
	}
	for _, did := range s.order {
		s.scheduleCallerLocked(did, demoFirstCaller)
	}
}

func (s *Server) scheduleCallerLocked(did string, d time.Duration) {
	s.afterLocked(d, func() {
		p := s.phones[did]
		if p == nil {
			return
		}
		if len(p.calls) < demoMaxCalls {
			ani, clid := s.demoCallerLocked(p)
			c := s.newCallLocked(p, ani, clid, false, StateRinging)
			c.demo = true
			s.changeLocked(p, c, StateRinging)
		}
		s.scheduleCallerLocked(did, s.nextCallerGapLocked())
	})
}

// nextCallerGapLocked draws the time to the next caller: exponential with a
// mean of one minute over RingRate, kept between one second and ten means.
func (s *Server) nextCallerGapLocked() time.Duration {
	mean := float64(time.Minute) / s.cfg.RingRate
	gap := -math.Log(1-s.rng.Float64()) * mean
	gap = math.Max(gap, float64(time.Second))
	gap = math.Min(gap, 10*mean)
	return time.Duration(gap)
}

func (s *Server) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(s.rng.Int64N(int64(hi-lo)+1))
}

// demoCallerLocked invents a caller: Ani in one of the forms the service
// uses (10 digits, 1 and 10 digits, an extension, 011 international) and a
// CLID that is sometimes absent.
func (s *Server) demoCallerLocked(p *phone) (ani string, clid *string) {
	r := s.rng
	if s.cfg.Names && r.Float64() < 0.7 {
		c := demoContacts[r.IntN(len(demoContacts))]
		switch {
		case c.Extension != "":
			ani = c.Extension
		case strings.HasPrefix(c.Number, "+"):
			ani = "011" + digitsOf(c.Number)
		default:
			ani = digitsOf(c.Number)
			if r.IntN(2) == 0 {
				ani = "1" + ani
			}
		}
	} else {
		switch x := r.Float64(); {
		case x < 0.05:
			ani = "4" + pad(r.IntN(1000), 3)
		case x < 0.1:
			ani = "011442079460" + pad(r.IntN(1000), 3) // the UK range kept for drama
		default:
			ani = demoAreaCodes[r.IntN(len(demoAreaCodes))] + "55501" + pad(r.IntN(100), 2)
			if r.IntN(3) == 0 {
				ani = "1" + ani
			}
		}
	}
	switch x := r.Float64(); {
	case x < 0.35:
		v := p.did
		clid = &v
	case x < 0.65:
		v := demoMainLine
		clid = &v
	}
	return ani, clid
}

// armLocked schedules what happens to a call next on its own: a dialled
// call connects after the dial connect delay; in the demo a ringing caller
// gives up (a missed call) and a connected call ends after a talk time.
func (s *Server) armLocked(p *phone, c *call) {
	current := func() bool { return p.find(c.id) == c }
	switch {
	case c.state == StatePending && c.originated:
		d := s.cfg.DialConnectDelay
		if d == 0 {
			d = DefaultDialConnectDelay
		}
		if d < 0 {
			return
		}
		c.stop = s.afterLocked(d, func() {
			if current() && c.state == StatePending {
				s.changeLocked(p, c, StateConnected)
			}
		})
	case c.state == StateRinging && c.demo:
		c.stop = s.afterLocked(s.between(demoRingMin, demoRingMax), func() {
			if current() && c.state == StateRinging {
				s.changeLocked(p, c, StateDeleted)
			}
		})
	case c.state == StateConnected && c.demo:
		c.stop = s.afterLocked(s.between(demoTalkMin, demoTalkMax), func() {
			if current() && c.state == StateConnected {
				s.changeLocked(p, c, StateDeleted)
			}
		})
	}
}

func digitsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func pad(n, width int) string {
	s := itoa(n)
	for len(s) < width {
		s = "0" + s
	}
	return s
}
