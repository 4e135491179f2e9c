package skysim

import (
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

type seenCall struct {
	ani, clid string
	hasCLID   bool
	start     time.Duration // since the scenario began
	end       time.Duration // 0 while still up
	answered  bool
}

// runScenario advances a demo simulator second by second for d, answering
// every third caller, and returns the calls it saw in order.
func runScenario(t *testing.T, seed int64, d time.Duration) []*seenCall {
	t.Helper()
	f := newFixture(t, func(c *Config) {
		c.Accounts = c.Accounts[:1]
		c.Seed = seed
		c.RingRate = 4
		c.Names = true
	})
	var order []*seenCall
	byID := map[string]*seenCall{}
	n := 0
	for el := time.Duration(0); el <= d; el += time.Second {
		f.clock.Advance(time.Second)
		up := map[string]bool{}
		for _, c := range f.srv.Calls(testDID) {
			up[c.ID] = true
			if byID[c.ID] == nil {
				sc := &seenCall{ani: c.Ani, hasCLID: c.CLID != nil, start: el}
				if c.CLID != nil {
					sc.clid = *c.CLID
				}
				byID[c.ID] = sc
				order = append(order, sc)
				if n++; n%3 == 0 {
					r, _ := get(t, f.url, transport.CmdAnswer, testDID, testPIN, c.ID, "")
					sc.answered = boolResult(t, r)
				}
			}
		}
		for id, sc := range byID {
			if !up[id] && sc.end == 0 {
				sc.end = el
			}
		}
	}
	return order
}

func TestScenarioIsDeterministicAndRealistic(t *testing.T) {
	a := runScenario(t, 42, 10*time.Minute)
	b := runScenario(t, 42, 10*time.Minute)
	if len(a) != len(b) {
		t.Fatalf("same seed, %d and %d callers", len(a), len(b))
	}
	for i := range a {
		if *a[i] != *b[i] {
			t.Fatalf("caller %d differs: %+v vs %+v", i, *a[i], *b[i])
		}
	}
	// About four callers a minute, fewer when the phone is busy.
	if len(a) < 15 || len(a) > 60 {
		t.Fatalf("%d callers in 10 minutes at 4 a minute", len(a))
	}
	if a[0].start > 3*time.Second {
		t.Fatalf("first caller after %v", a[0].start)
	}
	known := map[string]bool{}
	for _, c := range DemoContacts() {
		known[digitsOf(c.Number)] = true
		known[c.Extension] = true
	}
	var withCLID, withoutCLID, named, missed, ended int
	for _, c := range a {
		if c.hasCLID {
			withCLID++
		} else {
			withoutCLID++
		}
		if known[c.ani] || known[strings.TrimPrefix(c.ani, "1")] || known[strings.TrimPrefix(c.ani, "011")] || known["44"+strings.TrimPrefix(c.ani, "01144")] {
			named++
		}
		if !validDialNumber(c.ani) {
			t.Errorf("caller number %q is not a number the API uses", c.ani)
		}
		if c.end != 0 {
			life := c.end - c.start
			if !c.answered {
				missed++
				if life < demoRingMin-time.Second || life > demoRingMax+time.Second {
					t.Errorf("unanswered caller gave up after %v", life)
				}
			} else {
				ended++
				if life < demoTalkMin || life > demoTalkMax+time.Second {
					t.Errorf("answered call lasted %v", life)
				}
			}
		}
	}
	if withCLID == 0 || withoutCLID == 0 {
		t.Errorf("CLID present %d, absent %d: want both", withCLID, withoutCLID)
	}
	if named == 0 || named == len(a) {
		t.Errorf("%d of %d callers from the demo directory: want some, not all", named, len(a))
	}
	if missed == 0 || ended == 0 {
		t.Errorf("missed %d, answered and ended %d: want both", missed, ended)
	}
	c := runScenario(t, 43, 3*time.Minute)
	same := len(c) > 1 && len(a) > 1 && *c[0] == *a[0] && *c[1] == *a[1]
	if same {
		t.Error("a different seed gave the same callers")
	}
}

func TestDemoDialledCallsEnd(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.RingRate = 0.001; c.Seed = 7 })
	r, _ := get(t, f.url, transport.CmdDial, testDID, testPIN, "6465551234", "")
	boolResult(t, r)
	f.clock.Advance(2 * time.Second)
	dialled := func() []transport.Call {
		var out []transport.Call
		for _, c := range f.srv.Calls(testDID) {
			if c.Originated {
				out = append(out, c)
			}
		}
		return out
	}
	if c := dialled(); len(c) != 1 || c[0].State != StateConnected {
		t.Fatalf("%+v", c)
	}
	f.clock.Advance(demoTalkMax + time.Second)
	if c := dialled(); len(c) != 0 {
		t.Fatalf("demo call still up: %+v", c)
	}
}

func TestDemoContacts(t *testing.T) {
	cs := DemoContacts()
	if len(cs) < 10 {
		t.Fatalf("%d contacts", len(cs))
	}
	cs[0].Name = "changed"
	if DemoContacts()[0].Name == "changed" {
		t.Fatal("DemoContacts shares its slice")
	}
	for _, c := range DemoContacts() {
		if c.Name == "" || (c.Number == "") == (c.Extension == "") {
			t.Errorf("contact %+v: want a name and a number or an extension", c)
		}
	}
}

func TestManualClock(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := NewManualClock(start)
	var fired []int
	c.AfterFunc(3*time.Second, func() { fired = append(fired, 3) })
	stop := c.AfterFunc(2*time.Second, func() { fired = append(fired, 2) })
	c.AfterFunc(time.Second, func() {
		fired = append(fired, 1)
		c.AfterFunc(time.Second, func() { fired = append(fired, 21) }) // due at 2s
	})
	if !stop() || stop() {
		t.Fatal("stop")
	}
	c.Advance(2 * time.Second)
	if got := c.Now().Sub(start); got != 2*time.Second {
		t.Fatalf("now %v", got)
	}
	c.Advance(5 * time.Second)
	if len(fired) != 3 || fired[0] != 1 || fired[1] != 21 || fired[2] != 3 || c.Pending() != 0 {
		t.Fatalf("fired %v, pending %d", fired, c.Pending())
	}
}
