// Package storetest is the suite every store engine passes: the same
// assertions on SQLite and PostgreSQL. An engine's test calls Run with a
// function that makes a fresh, empty database and returns a way to open
// handles onto it (each handle stands for another console process or
// another box).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

// NewDatabase makes a fresh, empty database for one test and returns a
// function that opens a new handle onto it. The suite closes every handle
// it opens.
type NewDatabase func(t *testing.T) (open func() (store.Store, error))

// Base is a fixed instant; times in the suite are whole milliseconds so
// that they survive every engine's round trip exactly.
var Base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Accounts used throughout.
const (
	AcctA = "2125550100"
	AcctB = "2125550200"
)

// Run runs the whole suite.
func Run(t *testing.T, newDB NewDatabase) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func() store.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"OneRowPerCall", testOneRowPerCall},
		{"ReusedCallID", testReusedCallID},
		{"RejectsBadCalls", testRejectsBadCalls},
		{"BatchIsOneTransaction", testBatchIsOneTransaction},
		{"QueryFilters", testQueryFilters},
		{"ScopeKeepsAccountsApart", testScope},
		{"FollowUps", testFollowUps},
		{"FollowUpsOfARepeatCaller", testRepeatCaller},
		{"Prune", testPrune},
		{"Messages", testMessages},
		{"MessagesKeepAccountsApart", testMessageScope},
		{"HandlesWriteAtOnce", testHandlesWriteAtOnce},
		{"TwoHandlesOneRowPerCall", testTwoHandlesOneRow},
		{"WatchSeesOtherHandles", testWatch},
		{"DeliveriesOutbox", testDeliveries},
		{"DeliveryClaimedByOneHandle", testDeliveryClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opener := newDB(t)
			tt.fn(t, func() store.Store {
				t.Helper()
				s, err := opener()
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}

var ctx = context.Background()

// Call is an answered inbound call on account starting at start and
// lasting 105 s.
func Call(account, id string, start time.Time) model.CallRecord {
	return model.CallRecord{
		Account: account, CallID: id, DID: account, Ani: "6465550101", Outcome: model.OutcomeAnswered,
		Start: start, Ring: 5 * time.Second, Talk: 90 * time.Second, Hold: 10 * time.Second,
		End: start.Add(105 * time.Second), LastState: model.StateConnected,
	}
}

func write(t *testing.T, s store.Store, calls ...model.CallRecord) {
	t.Helper()
	if err := s.Write(ctx, store.Batch{Calls: calls}); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func calls(t *testing.T, s store.Store, scope store.Scope, q model.CallQuery) []model.CallRecord {
	t.Helper()
	got, err := s.Calls(ctx, scope, q)
	if err != nil {
		t.Fatalf("Calls: %v", err)
	}
	return got
}

func ids(rs []model.CallRecord) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.CallID)
	}
	return b.String()
}

func scope(accounts ...string) store.Scope { return store.Scope{Accounts: accounts} }

func openMissed(t *testing.T, s store.Store, sc store.Scope) int {
	t.Helper()
	n, err := s.OpenMissed(ctx, sc)
	if err != nil {
		t.Fatalf("OpenMissed: %v", err)
	}
	return n
}

func testRoundTrip(t *testing.T, open func() store.Store) {
	s := open()
	in := model.CallRecord{
		Account: AcctA, CallID: "66517", DID: "2125550199", Ani: "16465550101", Name: "Alice Adams",
		CLID: "ADAMS ALICE", HasCLID: true, Outcome: model.OutcomeAnswered,
		Start: Base.Add(1234 * time.Millisecond), Ring: 4500 * time.Millisecond,
		Talk: 2*time.Minute + 3*time.Millisecond, Hold: 30 * time.Second, End: Base.Add(3 * time.Minute),
		LastState: model.StateHolding,
	}
	write(t, s, in)
	got := calls(t, s, scope(AcctA), model.CallQuery{})
	if len(got) != 1 {
		t.Fatalf("Calls = %+v", got)
	}
	out := got[0]
	if out.ID == 0 {
		t.Error("no id assigned")
	}
	if !out.Start.Equal(in.Start) || !out.End.Equal(in.End) {
		t.Errorf("times: %v %v, want %v %v", out.Start, out.End, in.Start, in.End)
	}
	out.ID, out.Start, out.End = 0, in.Start, in.End
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}

	// An unknown end and outcome, outbound, no caller id.
	write(t, s, model.CallRecord{Account: AcctA, CallID: "x", Outbound: true, Start: Base.Add(time.Hour)})
	got = calls(t, s, scope(AcctA), model.CallQuery{Outbound: true})
	if len(got) != 1 || !got[0].End.IsZero() || got[0].Outcome != model.OutcomeUnknown || !got[0].At().Equal(Base.Add(time.Hour)) || got[0].HasCLID {
		t.Errorf("partial record = %+v", got)
	}
}

// Two consoles record one call: they saw it start a few milliseconds apart
// and end at different times, one knew the caller's name and one saw it
// answered. One row, with the most each knew.
func testOneRowPerCall(t *testing.T, open func() store.Store) {
	s := open()
	a := Call(AcctA, "42", Base)
	a.Outcome, a.Talk, a.Name = model.OutcomeMissed, 0, "Alice"
	b := Call(AcctA, "42", Base.Add(37*time.Millisecond))
	b.End, b.Talk, b.CLID, b.HasCLID = a.End.Add(2*time.Second), time.Minute, "ADAMS", true
	write(t, s, a)
	write(t, s, b)
	write(t, s, a) // again: still one
	got := calls(t, s, scope(AcctA), model.CallQuery{})
	if len(got) != 1 {
		t.Fatalf("%d rows for one call: %+v", len(got), got)
	}
	g := got[0]
	if g.Outcome != model.OutcomeAnswered || g.Name != "Alice" || g.CLID != "ADAMS" || g.Talk != time.Minute ||
		!g.Start.Equal(a.Start) || !g.End.Equal(b.End) {
		t.Errorf("merged row: %+v", g)
	}
	if got := calls(t, s, scope(AcctA), model.CallQuery{Search: "adams"}); len(got) != 1 {
		t.Errorf("search for the merged caller-ID name: %+v", got)
	}
	if got := calls(t, s, scope(AcctA), model.CallQuery{Search: "alice"}); len(got) != 1 {
		t.Errorf("search keeps the name: %+v", got)
	}
	// The same call Id on another account is another call.
	write(t, s, Call(AcctB, "42", Base))
	if got := calls(t, s, store.Scope{Accounts: []string{AcctA, AcctB}}, model.CallQuery{}); len(got) != 2 {
		t.Errorf("%d rows, want one per account", len(got))
	}
}

// A call Id seen again long after the first call ended is a new call.
func testReusedCallID(t *testing.T, open func() store.Store) {
	s := open()
	write(t, s, Call(AcctA, "7", Base), Call(AcctA, "7", Base.Add(time.Hour)))
	if got := calls(t, s, scope(AcctA), model.CallQuery{}); len(got) != 2 {
		t.Errorf("%d rows, want 2", len(got))
	}
}

func testRejectsBadCalls(t *testing.T, open func() store.Store) {
	s := open()
	for name, c := range map[string]model.CallRecord{
		"no id":    {Account: AcctA, Start: Base},
		"no start": {Account: AcctA, CallID: "1"},
	} {
		if err := s.Write(ctx, store.Batch{Calls: []model.CallRecord{c}}); err == nil {
			t.Errorf("%s: Write succeeded", name)
		}
	}
}

func testBatchIsOneTransaction(t *testing.T, open func() store.Store) {
	s := open()
	bad := store.Batch{Calls: []model.CallRecord{Call(AcctA, "1", Base), {Account: AcctA, Start: Base}}}
	if err := s.Write(ctx, bad); err == nil {
		t.Fatal("a batch with a bad call was written")
	}
	if got := calls(t, s, scope(AcctA), model.CallQuery{}); len(got) != 0 {
		t.Errorf("a failed batch left %d rows", len(got))
	}
	var big store.Batch
	for i := range 500 {
		big.Calls = append(big.Calls, Call(AcctA, fmt.Sprint("b", i), Base.Add(time.Duration(i)*time.Hour)))
	}
	if err := s.Write(ctx, big); err != nil {
		t.Fatal(err)
	}
	if got := calls(t, s, scope(AcctA), model.CallQuery{}); len(got) != 500 {
		t.Errorf("%d rows after a batch of 500", len(got))
	}
}

func testQueryFilters(t *testing.T, open func() store.Store) {
	s := open()
	mk := func(id string, min int, outbound bool, outcome model.Outcome, number, name string) model.CallRecord {
		c := Call(AcctA, id, Base.Add(time.Duration(min)*time.Minute))
		c.Outbound, c.Outcome, c.Ani, c.Name = outbound, outcome, number, name
		return c
	}
	c7 := mk("7", 7, false, model.OutcomeAnswered, "4420794600", "")
	c7.CLID, c7.HasCLID = "Zoë ÉCOLE", true
	write(t, s,
		mk("1", 1, false, model.OutcomeAnswered, "16465550101", "Alice Adams"),
		mk("2", 2, false, model.OutcomeMissed, "9175550102", "Bob Brown"),
		mk("3", 3, true, model.OutcomeOutbound, "2125550103", "Carol Cho"),
		mk("4", 4, false, model.OutcomeIgnored, "7185550104", ""),
		mk("5", 5, false, model.OutcomeMissed, "6465550101", "Alice Adams"),
		mk("6", 6, false, model.OutcomeMissed, "2208", "100% Legit_Co"),
		c7,
	)
	for _, tt := range []struct {
		name string
		q    model.CallQuery
		want string // call ids, newest first
	}{
		{"all", model.CallQuery{}, "7654321"},
		{"missed", model.CallQuery{Missed: true}, "652"},
		{"inbound", model.CallQuery{Inbound: true}, "765421"},
		{"outbound", model.CallQuery{Outbound: true}, "3"},
		{"missed or outbound", model.CallQuery{Missed: true, Outbound: true}, "6532"},
		{"since", model.CallQuery{Since: Base.Add(5 * time.Minute)}, "765"},
		{"limit", model.CallQuery{Limit: 2}, "76"},
		{"offset", model.CallQuery{Limit: 2, Offset: 2}, "54"},
		{"offset without limit", model.CallQuery{Offset: 5}, "21"},
		{"name any case", model.CallQuery{Search: "aLiCe"}, "51"},
		{"name substring", model.CallQuery{Search: "bro"}, "2"},
		{"clid, unicode case", model.CallQuery{Search: "école"}, "7"},
		{"number digits", model.CallQuery{Search: "(646) 555"}, "51"},
		{"number with +1", model.CallQuery{Search: "+1 646-555-0101"}, "51"},
		{"extension", model.CallQuery{Search: "2208"}, "6"},
		{"percent", model.CallQuery{Search: "100%"}, "6"},
		{"percent is not a wildcard", model.CallQuery{Search: "1%t"}, ""},
		{"underscore", model.CallQuery{Search: "legit_co"}, "6"},
		{"underscore is not a wildcard", model.CallQuery{Search: "e_i"}, ""},
		{"combined", model.CallQuery{Missed: true, Search: "alice", Since: Base.Add(2 * time.Minute)}, "5"},
		{"no match", model.CallQuery{Search: "nobody"}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := ids(calls(t, s, scope(AcctA), tt.q)); got != tt.want {
				t.Errorf("Calls(%+v) = %q, want %q", tt.q, got, tt.want)
			}
		})
	}
}

func testScope(t *testing.T, open func() store.Store) {
	s := open()
	write(t, s, Call(AcctA, "a1", Base), Call(AcctB, "b1", Base.Add(time.Minute)), Call("", "u1", Base.Add(2*time.Minute)))
	for _, tt := range []struct {
		name  string
		scope store.Scope
		want  string
	}{
		{"nobody", store.Scope{}, ""},
		{"A", scope(AcctA), "a1"},
		{"B", scope(AcctB), "b1"},
		{"A and B", scope(AcctA, AcctB), "b1a1"},
		{"A with the unowned", store.Scope{Accounts: []string{AcctA}, Unowned: true}, "u1a1"},
		{"unknown account", scope("9999999999"), ""},
	} {
		if got := ids(calls(t, s, tt.scope, model.CallQuery{})); got != tt.want {
			t.Errorf("%s: Calls = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func testPrune(t *testing.T, open func() store.Store) {
	s := open()
	for i := range 10 {
		write(t, s, Call(AcctA, fmt.Sprint(i), Base.Add(time.Duration(i)*24*time.Hour)))
	}
	n, err := s.Prune(ctx, Base.Add(4*24*time.Hour))
	if err != nil || n != 4 {
		t.Fatalf("Prune = %d, %v; want 4", n, err)
	}
	if got := ids(calls(t, s, scope(AcctA), model.CallQuery{})); got != "987654" {
		t.Errorf("after prune: %q", got)
	}
	if n, err := s.Prune(ctx, Base); err != nil || n != 0 {
		t.Errorf("second prune = %d, %v", n, err)
	}
}

func testMessages(t *testing.T, open func() store.Store) {
	s := open()
	m1 := model.Message{Account: AcctA, For: "Dana Whitfield", CallerName: "Hannah Brooks", CallerNumber: "6465550142", Text: "Lunch order 42 is late.", CallID: "66517", Created: Base}
	m2 := model.Message{Account: AcctA, For: "Marcus Bell", CallerName: "Isabel Moreno", Text: "Call back about the proposal", Created: Base.Add(time.Hour)}
	id1, err := s.AddMessage(ctx, m1)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.AddMessage(ctx, m2)
	if err != nil || id2 == id1 {
		t.Fatalf("AddMessage: %d, %v", id2, err)
	}
	if _, err := s.AddMessage(ctx, model.Message{Account: AcctA, For: "Dana"}); !errors.Is(err, store.ErrEmptyMessage) {
		t.Errorf("empty message: %v", err)
	}
	noTime, err := s.AddMessage(ctx, model.Message{Account: AcctA, Text: "no time given"})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Messages(ctx, scope(AcctA), store.MessageQuery{})
	if err != nil || len(all) != 3 || all[0].ID != noTime || all[1].ID != id2 || all[2].ID != id1 {
		t.Fatalf("Messages = %+v, %v", all, err)
	}
	if time.Since(all[0].Created) > time.Hour {
		t.Errorf("zero Created not set to now: %v", all[0].Created)
	}
	m1.ID = id1
	got := all[2]
	if !got.Created.Equal(m1.Created) {
		t.Errorf("Created = %v", got.Created)
	}
	got.Created = m1.Created
	if !reflect.DeepEqual(got, m1) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, m1)
	}
	if err := s.MarkDone(ctx, scope(AcctA), id1, true); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.Messages(ctx, scope(AcctA), store.MessageQuery{OpenOnly: true}); len(open) != 2 {
		t.Errorf("open messages = %+v", open)
	}
	if forDana, _ := s.Messages(ctx, scope(AcctA), store.MessageQuery{For: "Dana Whitfield"}); len(forDana) != 1 || !forDana[0].Done {
		t.Errorf("messages for Dana = %+v", forDana)
	}
	if err := s.MarkDone(ctx, scope(AcctA), id1, false); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.Messages(ctx, scope(AcctA), store.MessageQuery{OpenOnly: true, Limit: 2}); len(open) != 2 {
		t.Errorf("open after reopening, limit 2 = %+v", open)
	}
	if err := s.MarkDone(ctx, scope(AcctA), 999999, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MarkDone(unknown) = %v", err)
	}
}

func testMessageScope(t *testing.T, open func() store.Store) {
	s := open()
	add := func(account, text string) int64 {
		id, err := s.AddMessage(ctx, model.Message{Account: account, Text: text, Created: Base})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	forA, forB, old := add(AcctA, "for A"), add(AcctB, "for B"), add("", "from before accounts")
	texts := func(sc store.Scope) string {
		msgs, err := s.Messages(ctx, sc, store.MessageQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range msgs {
			out = append(out, m.Text)
		}
		return strings.Join(out, ",")
	}
	if got := texts(scope(AcctA)); got != "for A" {
		t.Errorf("A sees %q", got)
	}
	if got := texts(store.Scope{Accounts: []string{AcctB}, Unowned: true}); got != "from before accounts,for B" {
		t.Errorf("B with the unowned sees %q", got)
	}
	if got := texts(store.Scope{}); got != "" {
		t.Errorf("nobody sees %q", got)
	}
	// A console cannot mark another account's message.
	if err := s.MarkDone(ctx, scope(AcctA), forB, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A marking B's message: %v", err)
	}
	if err := s.MarkDone(ctx, scope(AcctA), old, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A marking an unowned message without the unowned scope: %v", err)
	}
	if msgs, _ := s.Messages(ctx, scope(AcctB), store.MessageQuery{OpenOnly: true}); len(msgs) != 1 {
		t.Errorf("B's message was marked by A: %+v", msgs)
	}
	if err := s.MarkDone(ctx, scope(AcctA), forA, true); err != nil {
		t.Error(err)
	}
	if err := s.MarkDone(ctx, store.Scope{Accounts: []string{AcctB}, Unowned: true}, old, true); err != nil {
		t.Error(err)
	}
}

// Two handles (two processes, or two boxes) write from several goroutines
// at once; nothing is lost.
func testHandlesWriteAtOnce(t *testing.T, open func() store.Store) {
	a, b := open(), open()
	const perWriter = 30
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w, s := range []store.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				c := Call(AcctA, fmt.Sprintf("w%d-%d", w, i), Base.Add(time.Duration(i)*time.Second))
				c.Outcome = model.OutcomeMissed
				if err := s.Write(ctx, store.Batch{Calls: []model.CallRecord{c}}); err != nil {
					errs <- err
					return
				}
				if i%10 == 0 {
					if _, err := s.Calls(ctx, scope(AcctA), model.CallQuery{Missed: true, Limit: 5}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, s := range []store.Store{a, b} {
		if n := openMissed(t, s, scope(AcctA)); n != 4*perWriter {
			t.Errorf("open missed = %d; want %d", n, 4*perWriter)
		}
	}
}

// Two handles record the same calls at the same time, as two consoles on
// one account do: one row per call.
func testTwoHandlesOneRow(t *testing.T, open func() store.Store) {
	a, b := open(), open()
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for h, s := range []store.Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				c := Call(AcctA, fmt.Sprint("c", i), Base.Add(time.Duration(i)*time.Hour+time.Duration(h*3)*time.Millisecond))
				if err := s.Write(ctx, store.Batch{Calls: []model.CallRecord{c}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := calls(t, a, scope(AcctA), model.CallQuery{}); len(got) != n {
		t.Errorf("%d rows for %d calls", len(got), n)
	}
}

// A write on one handle reaches a watcher on another within a second,
// without anything else happening.
func testWatch(t *testing.T, open func() store.Store) {
	a, b := open(), open()
	wctx, cancel := context.WithCancel(ctx)
	changes, err := a.Watch(wctx)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(what string, do func()) {
		t.Helper()
		drainChanges(changes)
		do()
		select {
		case c, ok := <-changes:
			if !ok {
				t.Fatalf("%s: the feed closed", what)
			}
			if c.What == 0 {
				t.Errorf("%s: empty change %+v", what, c)
			}
		case <-time.After(3 * time.Second): // the contract is one second; allow a loaded machine
			t.Fatalf("%s: no change reported", what)
		}
	}
	var id int64
	expect("message taken", func() {
		if id, err = b.AddMessage(ctx, model.Message{Account: AcctA, Text: "call back", Created: Base}); err != nil {
			t.Fatal(err)
		}
	})
	expect("message done", func() {
		if err := b.MarkDone(ctx, scope(AcctA), id, true); err != nil {
			t.Fatal(err)
		}
	})
	expect("call recorded", func() { write(t, b, Call(AcctA, "1", Base)) })
	cancel()
	for range changes {
	}
}

func drainChanges(ch <-chan store.Change) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

func testDeliveries(t *testing.T, open func() store.Store) {
	s := open()
	m := model.Message{Account: AcctA, For: "Grace Hopper", CallerName: "Ada Lovelace", CallerNumber: "6465550101",
		Text: "About the engine", Created: Base, TakenBy: "front desk",
		Deliveries: []model.Delivery{{Channel: model.ChannelMail, To: "grace@example.com"}, {Channel: model.ChannelWebhook}}}
	id, err := s.AddMessage(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMessage(ctx, model.Message{Account: AcctA, Text: "no deliveries", Created: Base}); err != nil {
		t.Fatal(err)
	}

	got, err := s.Messages(ctx, scope(AcctA), store.MessageQuery{For: "Grace Hopper"})
	if err != nil || len(got) != 1 {
		t.Fatalf("Messages = %+v, %v", got, err)
	}
	if got[0].TakenBy != "front desk" || len(got[0].Deliveries) != 2 {
		t.Fatalf("stored message %+v", got[0])
	}
	for i, d := range got[0].Deliveries {
		if d.MessageID != id || d.State != model.DeliveryQueued || d.Attempts != 0 || d.ID == 0 {
			t.Errorf("delivery %d stored as %+v", i, d)
		}
	}
	if d := got[0].Deliveries[0]; d.Channel != model.ChannelMail || d.To != "grace@example.com" {
		t.Errorf("mail delivery %+v", d)
	}

	if due, _, err := s.ClaimDeliveries(ctx, Base.Add(-time.Second), time.Minute); err != nil || len(due) != 0 {
		t.Fatalf("claim before the message was taken = %+v, %v", due, err)
	}
	due, _, err := s.ClaimDeliveries(ctx, Base, time.Minute)
	if err != nil || len(due) != 2 {
		t.Fatalf("claim = %+v, %v", due, err)
	}
	if due[0].Message.ID != id || due[0].Message.For != "Grace Hopper" || due[0].Message.TakenBy != "front desk" || !due[0].Message.Created.Equal(Base) {
		t.Errorf("claimed with message %+v", due[0].Message)
	}

	mail, hook := due[0].Delivery, due[1].Delivery
	if mail.Channel != model.ChannelMail {
		mail, hook = hook, mail
	}
	mail.State, mail.Attempts, mail.Updated = model.DeliverySent, 1, Base.Add(time.Second)
	if err := s.RecordDelivery(ctx, mail); err != nil {
		t.Fatal(err)
	}
	hook.State, hook.Attempts, hook.LastError = model.DeliveryQueued, 1, "webhook answered HTTP 502"
	hook.NextTry, hook.Updated = Base.Add(30*time.Second), Base.Add(time.Second)
	if err := s.RecordDelivery(ctx, hook); err != nil {
		t.Fatal(err)
	}
	due, next, err := s.ClaimDeliveries(ctx, Base.Add(10*time.Second), time.Minute)
	if err != nil || len(due) != 0 || !next.Equal(Base.Add(30*time.Second)) {
		t.Fatalf("claim before the retry = %+v, next %v, %v; want none, next at +30s", due, next, err)
	}
	due, _, err = s.ClaimDeliveries(ctx, Base.Add(30*time.Second), time.Minute)
	if err != nil || len(due) != 1 || due[0].Delivery.ID != hook.ID || due[0].Delivery.Attempts != 1 || due[0].Delivery.LastError != "webhook answered HTTP 502" {
		t.Fatalf("claim at the retry = %+v, %v", due, err)
	}
	hook.State, hook.Attempts, hook.LastError = model.DeliveryFailed, 2, "webhook answered HTTP 404"
	if err := s.RecordDelivery(ctx, hook); err != nil {
		t.Fatal(err)
	}
	got, err = s.Messages(ctx, scope(AcctA), store.MessageQuery{For: "Grace Hopper"})
	if err != nil || len(got) != 1 {
		t.Fatal(err)
	}
	states := map[model.Channel]model.Delivery{}
	for _, d := range got[0].Deliveries {
		states[d.Channel] = d
	}
	if d := states[model.ChannelMail]; d.State != model.DeliverySent || !d.Updated.Equal(Base.Add(time.Second)) {
		t.Errorf("mail after sending: %+v", d)
	}
	if d := states[model.ChannelWebhook]; d.State != model.DeliveryFailed || d.Attempts != 2 || d.LastError != "webhook answered HTTP 404" {
		t.Errorf("webhook after failing: %+v", d)
	}
	if err := s.RecordDelivery(ctx, model.Delivery{ID: 999999, State: model.DeliverySent}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("RecordDelivery(unknown) = %v", err)
	}
}

// testDeliveryClaim: two boxes claiming at once never both get a delivery;
// a claim that is never recorded is handed out again after its lease.
func testDeliveryClaim(t *testing.T, open func() store.Store) {
	a, b := open(), open()
	for i := range 20 {
		m := model.Message{Account: AcctA, Text: fmt.Sprintf("message %d", i), Created: Base,
			Deliveries: []model.Delivery{{Channel: model.ChannelWebhook}}}
		if _, err := a.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[int64]int{}
	var wg sync.WaitGroup
	for _, s := range []store.Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			due, _, err := s.ClaimDeliveries(ctx, Base, time.Minute)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, d := range due {
				claimed[d.Delivery.ID]++
			}
		}()
	}
	wg.Wait()
	if len(claimed) != 20 {
		t.Errorf("%d deliveries claimed, want all 20", len(claimed))
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("delivery %d claimed %d times", id, n)
		}
	}
	if due, _, err := b.ClaimDeliveries(ctx, Base.Add(59*time.Second), time.Minute); err != nil || len(due) != 0 {
		t.Errorf("claim within the lease = %d deliveries, %v", len(due), err)
	}
	if due, _, err := b.ClaimDeliveries(ctx, Base.Add(time.Minute), time.Minute); err != nil || len(due) != 20 {
		t.Errorf("claim after the lease = %d deliveries, %v; want all 20 again", len(due), err)
	}
}

// testFollowUps: a missed call stays open until a later call on its
// account to or from the same number (written any way) connects, or
// someone marks it handled; a call that never connected, a call on another
// account or an earlier one does not close it.
func testFollowUps(t *testing.T, open func() store.Store) {
	s := open()
	miss := func(account, id, ani string, start time.Time) model.CallRecord {
		c := Call(account, id, start)
		c.Ani, c.Outcome, c.Talk = ani, model.OutcomeMissed, 0
		return c
	}
	out := func(account, id, ani string, start time.Time, talk time.Duration) model.CallRecord {
		c := Call(account, id, start)
		c.Ani, c.Outbound, c.Outcome, c.Talk = ani, true, model.OutcomeOutbound, talk
		return c
	}
	in := func(account, id, ani string, start time.Time) model.CallRecord {
		c := Call(account, id, start)
		c.Ani = ani
		return c
	}
	write(t, s,
		in(AcctA, "0", "6465550101", Base.Add(-time.Hour)), // before the miss: does not close it
		miss(AcctA, "1", "+1 (646) 555-0101", Base),
		out(AcctA, "2", "6465550101", Base.Add(10*time.Minute), time.Minute), // called back and talked
		miss(AcctA, "3", "2125550102", Base.Add(time.Minute)),
		out(AcctA, "4", "2125550102", Base.Add(11*time.Minute), 0), // called back, no answer
		miss(AcctA, "5", "7185550103", Base.Add(2*time.Minute)),
		in(AcctB, "6", "7185550103", Base.Add(12*time.Minute)), // answered on another account
		miss(AcctA, "7", "9175550104", Base.Add(3*time.Minute)),
		in(AcctA, "8", "19175550104", Base.Add(13*time.Minute)), // rang again and was answered
		miss(AcctA, "9", "", Base.Add(4*time.Minute)),           // no number: open until handled
	)
	openCount := func(sc store.Scope) int {
		t.Helper()
		n, err := s.OpenMissed(ctx, sc)
		if err != nil {
			t.Fatalf("OpenMissed: %v", err)
		}
		return n
	}
	if n := openCount(scope(AcctA)); n != 3 {
		t.Errorf("A's open missed calls = %d, want 3 (3, 5 and 9)", n)
	}
	if got := ids(calls(t, s, scope(AcctA), model.CallQuery{Open: true})); got != "953" {
		t.Errorf("open missed calls = %q, want 953", got)
	}
	byID := map[string]model.CallRecord{}
	for _, c := range calls(t, s, scope(AcctA), model.CallQuery{Missed: true}) {
		byID[c.CallID] = c
	}
	if c := byID["1"]; c.Open() || !c.Reached.Equal(Base.Add(10*time.Minute)) {
		t.Errorf("call 1 reached %v, open %v; want reached at the call back", c.Reached, c.Open())
	}
	if c := byID["7"]; c.Open() || !c.Reached.Equal(Base.Add(13*time.Minute)) {
		t.Errorf("call 7 reached %v; want reached when it rang again and was answered", c.Reached)
	}
	if !byID["3"].Open() || !byID["5"].Open() {
		t.Errorf("calls 3 and 5 should be open: %+v %+v", byID["3"], byID["5"])
	}

	at := Base.Add(time.Hour)
	if err := s.MarkHandled(ctx, scope(AcctA), byID["3"].ID, "alice@front-desk", at); err != nil {
		t.Fatalf("MarkHandled: %v", err)
	}
	if err := s.MarkHandled(ctx, scope(AcctB), byID["5"].ID, "mallory", at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("marking another account's call = %v, want ErrNotFound", err)
	}
	if n := openCount(scope(AcctA)); n != 2 {
		t.Errorf("open after marking one handled = %d, want 2", n)
	}
	for _, c := range calls(t, s, scope(AcctA), model.CallQuery{Missed: true}) {
		if c.CallID == "3" && (c.Open() || c.HandledBy != "alice@front-desk" || !c.Handled.Equal(at)) {
			t.Errorf("handled call = %+v", c)
		}
	}
	// The mark survives the call being written again by another console.
	again := miss(AcctA, "3", "2125550102", Base.Add(time.Minute))
	write(t, s, again)
	if n := openCount(scope(AcctA)); n != 2 {
		t.Errorf("open after the call was written again = %d, want 2", n)
	}
	if n := openCount(scope(AcctB)); n != 0 {
		t.Errorf("B's open missed calls = %d, want 0", n)
	}
}

// testRepeatCaller: a call back closes the missed calls before it, not
// the ones after; a call back that does not connect closes none.
func testRepeatCaller(t *testing.T, open func() store.Store) {
	s := open()
	miss := func(id string, start time.Time) model.CallRecord {
		c := Call(AcctA, id, start)
		c.Outcome, c.Talk = model.OutcomeMissed, 0
		return c
	}
	noAnswer := Call(AcctA, "5", Base.Add(40*time.Minute))
	noAnswer.Outbound, noAnswer.Outcome, noAnswer.Talk = true, model.OutcomeOutbound, 0
	write(t, s,
		miss("1", Base),
		Call(AcctA, "2", Base.Add(10*time.Minute)), // answered: closes 1
		miss("3", Base.Add(20*time.Minute)),
		miss("4", Base.Add(30*time.Minute)),
		noAnswer,
	)
	if n := openMissed(t, s, scope(AcctA)); n != 2 {
		t.Errorf("open missed calls = %d, want 2 (3 and 4)", n)
	}
	if got := ids(calls(t, s, scope(AcctA), model.CallQuery{Open: true})); got != "43" {
		t.Errorf("open missed calls = %q, want 43", got)
	}
}
