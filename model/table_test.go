package model

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

func at(sec int) time.Time { return t0.Add(time.Duration(sec) * time.Second) }

func in(id, state string) Update {
	return Update{ID: id, Ani: "6465551234", CLID: "6465551000", HasCLID: true, DID: "6465551000", State: state}
}

func out(id, state string) Update {
	return Update{ID: id, Ani: "2125550000", DID: "6465551000", Originated: true, State: state}
}

func ids(cs []Call) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func mustGet(t *testing.T, tb *Table, id string) Call {
	t.Helper()
	c, ok := tb.Get(id)
	if !ok {
		t.Fatalf("call %s is not in the table", id)
	}
	return c
}

func TestApplyLifecycleInbound(t *testing.T) {
	tb := NewTable()
	u := in("66517", "RINGING")
	u.Duration = 3
	if !tb.Apply(u, at(10)) {
		t.Fatal("a new call should change the table")
	}
	c := mustGet(t, tb, "66517")
	if c.State != StateRinging || !c.Began.Equal(at(7)) || !c.StateSince.Equal(at(7)) || c.Outbound || !c.Rang {
		t.Fatalf("after ring: %+v", c)
	}
	if got := c.Total(at(12)); got != 5*time.Second {
		t.Errorf("Total = %v, want 5s", got)
	}
	if tb.Apply(in("66517", "RINGING"), at(11)) {
		t.Error("the same state again should not change the table")
	}
	tb.Apply(in("66517", "CONNECTED"), at(20))
	c = mustGet(t, tb, "66517")
	if c.State != StateConnected || !c.Answered || !c.StateSince.Equal(at(20)) || !c.ConnectedAt.Equal(at(20)) {
		t.Fatalf("after answer: %+v", c)
	}
	tb.Apply(in("66517", "HOLDING"), at(30))
	c = mustGet(t, tb, "66517")
	if got := c.HeldFor(at(45)); got != 15*time.Second {
		t.Errorf("HeldFor = %v, want 15s", got)
	}
	if c.InState(at(45)) != 15*time.Second {
		t.Errorf("InState = %v, want 15s", c.InState(at(45)))
	}
	tb.Apply(in("66517", "CONNECTED"), at(50))
	tb.Apply(in("66517", "HOLDING"), at(60))
	tb.Apply(in("66517", "CONNECTED"), at(65))
	c = mustGet(t, tb, "66517")
	if c.HoldTotal != 25*time.Second || c.HeldFor(at(70)) != 0 {
		t.Errorf("HoldTotal = %v HeldFor = %v, want 25s and 0", c.HoldTotal, c.HeldFor(at(70)))
	}
	if !tb.Apply(in("66517", "DELETED"), at(100)) {
		t.Fatal("DELETED should change the table")
	}
	if _, ok := tb.Get("66517"); ok || tb.Len() != 0 || tb.NeedsTick() {
		t.Fatal("a deleted call must leave the live view")
	}
	want := CallRecord{
		CallID: "66517", Ani: "6465551234", CLID: "6465551000", HasCLID: true, DID: "6465551000",
		Outcome: OutcomeAnswered, Start: at(7), End: at(100),
		Ring: 13 * time.Second, Hold: 25 * time.Second, Talk: 55 * time.Second,
		LastState: StateConnected,
	}
	if e := tb.Ended(); len(e) != 1 || !reflect.DeepEqual(e[0], want) {
		t.Fatalf("Ended = %+v\nwant %+v", e, want)
	}
	if e := tb.Ended(); len(e) != 0 {
		t.Fatalf("Ended should drain, got %+v", e)
	}
}

func TestOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		steps  []Update
		ignore bool
		want   Outcome
	}{
		{"answered", []Update{in("1", "RINGING"), in("1", "CONNECTED")}, false, OutcomeAnswered},
		{"answered then held", []Update{in("1", "RINGING"), in("1", "CONNECTED"), in("1", "HOLDING")}, false, OutcomeAnswered},
		{"first seen on hold", []Update{in("1", "HOLDING")}, false, OutcomeAnswered},
		{"missed", []Update{in("1", "RINGING")}, false, OutcomeMissed},
		{"ignored", []Update{in("1", "RINGING")}, true, OutcomeIgnored},
		{"ignored but answered anyway", []Update{in("1", "RINGING"), in("1", "CONNECTED")}, true, OutcomeAnswered},
		{"outbound", []Update{out("1", "PENDING"), out("1", "CONNECTED")}, false, OutcomeOutbound},
		{"outbound unanswered", []Update{out("1", "PENDING")}, false, OutcomeOutbound},
		{"unknown state only", []Update{in("1", "PARKED")}, false, OutcomeUnknown},
		{"inbound pending only", []Update{in("1", "PENDING")}, false, OutcomeUnknown},
		{"screening burst", []Update{in("1", "PENDING"), in("1", "CONNECTED")}, false, OutcomeAnswered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tb := NewTable()
			for i, u := range tc.steps {
				tb.Apply(u, at(i))
			}
			if tc.ignore {
				tb.MarkIgnored("1")
			}
			tb.Apply(in("1", "DELETED"), at(10))
			h := tb.Ended()
			if len(h) != 1 || h[0].Outcome != tc.want {
				t.Fatalf("history %+v, want one %v", h, tc.want)
			}
		})
	}
}

func TestBurstEndsAsLastStateSays(t *testing.T) {
	tb := NewTable()
	now := at(0)
	for _, s := range []string{"PENDING", "CONNECTED", "DELETED"} {
		tb.Apply(in("7", s), now)
	}
	if tb.Len() != 0 {
		t.Fatalf("burst ending DELETED left %v", ids(tb.Calls()))
	}
	if h := tb.Ended(); len(h) != 1 || h[0].Start != now || h[0].End != now {
		t.Fatalf("history %+v", h)
	}
	for _, s := range []string{"RINGING", "PENDING", "CONNECTED"} {
		tb.Apply(in("8", s), now)
	}
	if c := mustGet(t, tb, "8"); c.State != StateConnected || tb.Len() != 1 {
		t.Fatalf("burst ending CONNECTED: %+v", c)
	}
}

func TestUnknownStateStaysVisible(t *testing.T) {
	tb := NewTable()
	tb.Apply(in("1", "RINGING"), at(0))
	tb.Apply(in("1", "PARKED"), at(2))
	c := mustGet(t, tb, "1")
	if c.State != StateUnknown || c.RawState != "PARKED" || !c.Flagged() || c.Answered {
		t.Fatalf("unknown state: %+v", c)
	}
	if !tb.Apply(in("1", "HELD?"), at(3)) {
		t.Error("a different unknown text is a change")
	}
	if c := mustGet(t, tb, "1"); c.RawState != "HELD?" || !c.StateSince.Equal(at(3)) {
		t.Errorf("second unknown: %+v", c)
	}
	tb.Apply(in("1", " connected\n"), at(4))
	if c := mustGet(t, tb, "1"); c.State != StateConnected || c.Flagged() {
		t.Errorf("tolerant spelling: %+v", c)
	}
}

func TestDeletedIdsDoNotComeBack(t *testing.T) {
	tb := NewTable()
	tb.Apply(in("1", "RINGING"), at(0))
	tb.Apply(in("1", "DELETED"), at(1))
	for _, s := range []string{"CONNECTED", "HOLDING", "PENDING", "junk", "DELETED"} {
		if tb.Apply(in("1", s), at(2)) {
			t.Errorf("late %s for a deleted call changed the table", s)
		}
	}
	if ended := tb.Ended(); tb.Len() != 0 || len(ended) != 1 {
		t.Fatalf("late events resurrected the call: %v, ended %d", ids(tb.Calls()), len(ended))
	}
	// A DELETED for a call never seen also blocks its late events.
	tb.Apply(in("2", "DELETED"), at(3))
	tb.Apply(in("2", "CONNECTED"), at(3))
	if tb.Len() != 0 {
		t.Fatal("a late CONNECTED after DELETED of an unseen call added it")
	}
	// A new ring on the same Id is a new call.
	if !tb.Apply(in("1", "RINGING"), at(10)) {
		t.Fatal("a new ring should add the call again")
	}
	c := mustGet(t, tb, "1")
	if !c.Began.Equal(at(10)) || c.Answered {
		t.Fatalf("re-rung call should start fresh: %+v", c)
	}
	tb.Apply(in("1", "CONNECTED"), at(11))
	if mustGet(t, tb, "1").State != StateConnected {
		t.Fatal("after a new ring, the call takes events again")
	}
}

func TestDeletedSetIsBounded(t *testing.T) {
	tb := NewTable()
	tb.Apply(in("first", "DELETED"), at(0))
	for i := range recentDeleted {
		tb.Apply(in("x"+strings.Repeat("y", i%7)+string(rune('a'+i%26))+itoa(i), "DELETED"), at(0))
	}
	if len(tb.deleted.m) > recentDeleted {
		t.Fatalf("deleted set holds %d ids, want at most %d", len(tb.deleted.m), recentDeleted)
	}
	// "first" has been forgotten: its late event now shows it.
	if !tb.Apply(in("first", "CONNECTED"), at(1)) {
		t.Fatal("an id deleted long ago should be accepted again")
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestFieldsUpdate(t *testing.T) {
	tb := NewTable()
	tb.Apply(Update{ID: " 5 ", Ani: "6465551234", State: "RINGING"}, at(0))
	if _, ok := tb.Get("5"); !ok {
		t.Fatal("Ids are trimmed")
	}
	c := mustGet(t, tb, " 5")
	if c.HasCLID || c.Dialled() != "" {
		t.Fatalf("no CLID yet: %+v", c)
	}
	if !tb.Apply(Update{ID: "5", State: "RINGING", CLID: "6465551000", HasCLID: true, Endpoint: "0010492e1234"}, at(1)) {
		t.Fatal("a CLID arriving is a change")
	}
	c = mustGet(t, tb, "5")
	if c.CLID != "6465551000" || !c.HasCLID || c.Ani != "6465551234" || c.Endpoint != "0010492e1234" {
		t.Fatalf("fields: %+v", c)
	}
	if c.Dialled() != "(646) 555-1000" || c.Caller() != "(646) 555-1234" {
		t.Errorf("Line %q Caller %q", c.Dialled(), c.Caller())
	}
	// A later update without CLID keeps the one we have.
	tb.Apply(Update{ID: "5", State: "CONNECTED"}, at(2))
	if c := mustGet(t, tb, "5"); !c.HasCLID || c.CLID != "6465551000" {
		t.Errorf("CLID lost: %+v", c)
	}
	if tb.Apply(Update{ID: "", State: "RINGING"}, at(3)) || tb.Apply(Update{ID: "  ", State: "RINGING"}, at(3)) {
		t.Error("blank Ids are dropped")
	}
}

func TestReconcile(t *testing.T) {
	tb := NewTable()
	tb.Apply(in("1", "RINGING"), at(0))
	tb.Apply(in("2", "CONNECTED"), at(0))
	tb.Apply(in("3", "HOLDING"), at(0))
	tb.Apply(in("9", "DELETED"), at(0))
	snap := []Update{
		in("2", "HOLDING"),
		in("4", "CONNECTED"), // unknown to the table: added, Began from Duration
		in("9", "CONNECTED"), // deleted earlier: a stale item, not a live call
		in("2", "HOLDING"),   // listed twice: still one call
	}
	snap[1].Duration = 120
	tb.Reconcile("", snap, at(100))
	if got, want := ids(tb.Calls()), []string{"2", "4"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after reconcile %v, want %v", got, want)
	}
	if c := mustGet(t, tb, "4"); !c.Began.Equal(at(-20)) || !c.Answered {
		t.Errorf("added call: %+v", c)
	}
	if c := mustGet(t, tb, "2"); c.State != StateHolding || !c.StateSince.Equal(at(100)) {
		t.Errorf("updated call: %+v", c)
	}
	ended := tb.Ended()
	var got []string
	for _, h := range ended {
		got = append(got, h.CallID+":"+h.Outcome.String())
	}
	if want := []string{"1:missed", "3:answered"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ended %v, want %v", got, want)
	}
	if h := ended[1]; h.Hold != 100*time.Second || h.End != at(100) {
		t.Errorf("held call's entry: %+v", h)
	}
	// Late events for calls a snapshot ended do not bring them back.
	tb.Apply(in("1", "CONNECTED"), at(101))
	if _, ok := tb.Get("1"); ok {
		t.Error("call 1 came back after the snapshot ended it")
	}
	// An empty snapshot ends everything.
	tb.Reconcile("", nil, at(200))
	if tb.Len() != 0 || len(tb.Ended()) != 2 || tb.NeedsTick() {
		t.Fatalf("empty snapshot left %v", ids(tb.Calls()))
	}
}

func TestReconcileDeletedInSnapshot(t *testing.T) {
	tb := NewTable()
	tb.Apply(in("1", "CONNECTED"), at(0))
	tb.Reconcile("", []Update{in("1", "CONNECTED"), in("1", "DELETED"), in("2", "DELETED"), in("3", "DELETED"), in("3", "RINGING")}, at(5))
	if got := ids(tb.Calls()); !reflect.DeepEqual(got, []string{"3"}) {
		t.Fatalf("got %v, want [3]", got)
	}
	if h := tb.Ended(); len(h) != 1 || h[0].CallID != "1" {
		t.Fatalf("ended %+v", h)
	}
}

func TestOrder(t *testing.T) {
	tb := NewTable()
	tb.Apply(out("p1", "PENDING"), at(0))
	tb.Apply(in("c2", "CONNECTED"), at(2))
	tb.Apply(in("c1", "CONNECTED"), at(1))
	tb.Apply(in("u1", "FOO"), at(0))
	tb.Apply(in("r2", "RINGING"), at(5))
	tb.Apply(in("r1", "RINGING"), at(3))
	tb.Apply(in("r3", "RINGING"), at(5)) // same instant as r2: by Id
	tb.Apply(in("h1", "CONNECTED"), at(0))
	tb.Apply(in("h2", "CONNECTED"), at(0))
	tb.Apply(in("h2", "HOLDING"), at(4))
	tb.Apply(in("h1", "HOLDING"), at(6))
	want := []string{"r1", "r2", "r3", "h2", "h1", "c1", "c2", "p1", "u1"}
	if got := ids(tb.Calls()); !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	// Numeric Ids order by value.
	tb2 := NewTable()
	for _, id := range []string{"10", "9", "100", "011"} {
		tb2.Apply(in(id, "RINGING"), at(0))
	}
	if got := ids(tb2.Calls()); !reflect.DeepEqual(got, []string{"9", "10", "011", "100"}) {
		t.Fatalf("numeric order %v", got)
	}
	// Calls returns a copy.
	cs := tb.Calls()
	cs[0].ID = "mutated"
	if tb.Calls()[0].ID != "r1" {
		t.Fatal("Calls must not expose the table's storage")
	}
}

func TestCountAndVersion(t *testing.T) {
	tb := NewTable()
	v := tb.Version()
	tb.Apply(in("1", "RINGING"), at(0))
	tb.Apply(in("2", "RINGING"), at(0))
	tb.Apply(in("3", "CONNECTED"), at(0))
	if tb.Count(StateRinging) != 2 || tb.Count(StateConnected) != 1 || tb.Count(StateHolding) != 0 {
		t.Fatal("counts wrong")
	}
	if tb.Version() == v {
		t.Fatal("version must move on change")
	}
	v = tb.Version()
	tb.Apply(in("3", "CONNECTED"), at(1))
	if tb.Version() != v {
		t.Fatal("version moved without a change")
	}
	tb.Apply(in("1", "CONNECTED"), at(1))
	if tb.Count(StateRinging) != 1 || tb.Count(StateConnected) != 2 || tb.Count(State(99)) != 0 {
		t.Fatal("counts after transition wrong")
	}
}

func TestEndedOldestFirst(t *testing.T) {
	tb := NewTable()
	for i := range 5 {
		id := itoa(i)
		tb.Apply(in(id, "RINGING"), at(i))
		tb.Apply(in(id, "DELETED"), at(i))
	}
	var got []string
	for _, h := range tb.Ended() {
		got = append(got, h.CallID)
	}
	if !reflect.DeepEqual(got, []string{"0", "1", "2", "3", "4"}) {
		t.Fatalf("ended %v, want oldest first", got)
	}
	if len(tb.Ended()) != 0 {
		t.Fatal("Ended should drain")
	}
}

func TestClockStepsBack(t *testing.T) {
	tb := NewTable()
	tb.Apply(in("1", "RINGING"), at(10))
	tb.Apply(in("1", "HOLDING"), at(5))
	c := mustGet(t, tb, "1")
	if c.Total(at(0)) != 0 || c.InState(at(0)) != 0 || c.HeldFor(at(0)) != 0 {
		t.Fatal("durations must never be negative")
	}
	tb.Apply(in("1", "DELETED"), at(0))
	h := tb.Ended()[0]
	if h.Ring < 0 || h.Talk < 0 || h.Hold < 0 || h.End.Before(h.Start) {
		t.Fatalf("negative history: %+v", h)
	}
}

func TestHugeDuration(t *testing.T) {
	tb := NewTable()
	u := in("1", "RINGING")
	u.Duration = 1 << 62
	tb.Apply(u, at(0))
	if got := mustGet(t, tb, "1").Total(at(0)); got != maxDuration*time.Second {
		t.Fatalf("Total = %v, want capped", got)
	}
	u.ID, u.Duration = "2", -50
	tb.Apply(u, at(0))
	if got := mustGet(t, tb, "2").Total(at(0)); got != 0 {
		t.Fatalf("negative Duration gave %v", got)
	}
}

func TestEndedIsBoundedWhenNotDrained(t *testing.T) {
	tb := NewTable()
	for i := range endedCap + 10 {
		id := itoa(i)
		tb.Apply(in(id, "RINGING"), at(i))
		tb.Apply(in(id, "DELETED"), at(i))
	}
	e := tb.Ended()
	if len(e) > endedCap || len(e) < endedCap*3/4 || e[len(e)-1].CallID != itoa(endedCap+9) {
		t.Fatalf("Ended kept %d entries from %s to %s", len(e), e[0].CallID, e[len(e)-1].CallID)
	}
	for i := 1; i < len(e); i++ {
		if e[i].End.Before(e[i-1].End) {
			t.Fatal("Ended is not oldest first")
		}
	}
	if e[0].CallID != itoa(endedCap+10-len(e)) {
		t.Fatalf("Ended should keep the newest entries, starts at %s", e[0].CallID)
	}
}

func TestTextOfEnums(t *testing.T) {
	for o, want := range map[Outcome]string{
		OutcomeAnswered: "answered", OutcomeMissed: "missed", OutcomeIgnored: "ignored",
		OutcomeOutbound: "outbound", OutcomeUnknown: "unknown", Outcome(9): "unknown",
	} {
		if o.String() != want {
			t.Errorf("Outcome %d = %q, want %q", int(o), o.String(), want)
		}
	}
	for a, want := range map[Action]string{
		ActAnswer: "answer", ActIgnore: "ignore", ActHold: "hold", ActResume: "resume", ActRelease: "hang up",
	} {
		if a.String() != want {
			t.Errorf("Action %d = %q, want %q", int(a), a.String(), want)
		}
	}
	for k, want := range map[NumberKind]string{
		Extension: "extension", Domestic: "domestic", International: "international", NumberKind(0): "none",
	} {
		if k.String() != want {
			t.Errorf("NumberKind %d = %q, want %q", int(k), k.String(), want)
		}
	}
	n, _ := ParseDial("6465551234")
	if n.String() != "(646) 555-1234" {
		t.Errorf("Number.String = %q", n.String())
	}
	h := CallRecord{Ani: "6465551234", Start: at(0), End: at(90)}
	if h.Direction() != "inbound" || h.Caller() != "(646) 555-1234" || h.Duration() != 90*time.Second {
		t.Errorf("entry: %s %s %v", h.Direction(), h.Caller(), h.Duration())
	}
	h = CallRecord{Outbound: true, Ani: "\x1b[2J"}
	if h.Direction() != "outbound" || h.Caller() != "unknown caller" {
		t.Errorf("entry: %s %q", h.Direction(), h.Caller())
	}
}

// A table nobody reads (no Calls, no Target) keeps bounded bookkeeping, and
// still gives the right order when it is finally read.
func TestUnreadTableStaysBounded(t *testing.T) {
	tb := NewTable()
	for i := range 5000 {
		id := itoa(i % 50)
		tb.Apply(in(id, []string{"RINGING", "CONNECTED", "HOLDING", "DELETED"}[i%4]), at(i))
		if len(tb.moved) > 64+tb.Len() {
			t.Fatalf("moved list grew to %d with %d calls", len(tb.moved), tb.Len())
		}
	}
	cs := tb.Calls()
	for i := 1; i < len(cs); i++ {
		if compareCalls(&entry{Call: cs[i-1]}, &entry{Call: cs[i]}) >= 0 {
			t.Fatalf("out of order: %v", ids(cs))
		}
	}
	if len(cs) != tb.Len() {
		t.Fatalf("Calls %d, Len %d", len(cs), tb.Len())
	}
}
