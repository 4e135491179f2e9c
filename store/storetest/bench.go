package storetest

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

// History is n calls of AcctA, one every five minutes back from Base,
// from 2,000 numbers: 60 % answered, 20 % placed, 15 % missed and 5 %
// ignored. The same every time, so that both engines' benchmarks query
// the same rows.
func History(n int) []model.CallRecord {
	r := rand.New(rand.NewPCG(7, 11))
	names := []string{"Alice Adams", "Bob Brown", "Carol Cho", "Dan Dorsey", "Elena Evans", "Frank Fischer", "Grace Garcia", ""}
	out := make([]model.CallRecord, 0, n)
	for i := range n {
		c := model.CallRecord{
			Account: AcctA, CallID: fmt.Sprint(100000 + i), Outcome: model.OutcomeAnswered,
			Ani:   fmt.Sprintf("1%03d555%04d", 200+r.IntN(20), r.IntN(100)),
			Name:  names[r.IntN(len(names))],
			Start: Base.Add(-time.Duration(i) * 5 * time.Minute),
			Ring:  time.Duration(r.IntN(20)) * time.Second, Talk: time.Duration(r.IntN(600)) * time.Second,
		}
		c.End = c.Start.Add(c.Ring + c.Talk)
		switch p := r.IntN(100); {
		case p < 15:
			c.Outcome = model.OutcomeMissed
		case p < 20:
			c.Outcome = model.OutcomeIgnored
		case p < 40:
			c.Outbound, c.Outcome = true, model.OutcomeOutbound
		}
		out = append(out, c)
	}
	return out
}

// Seed writes History(n) to s, store.MaxBatch calls a transaction as the
// console's writer hands them over.
func Seed(tb testing.TB, s store.Store, n int) {
	tb.Helper()
	calls := History(n)
	for len(calls) > 0 {
		batch := calls[:min(store.MaxBatch, len(calls))]
		calls = calls[len(batch):]
		if err := s.Write(ctx, store.Batch{Calls: batch}); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkQueries runs the queries the console makes (the history view's
// and the badge's count of open missed calls) on s, which holds History.
func BenchmarkQueries(b *testing.B, s store.Store) {
	scope := store.Scope{Accounts: []string{AcctA}}
	for _, q := range []struct {
		name string
		q    model.CallQuery
	}{
		{"newest50", model.CallQuery{Limit: 50}},
		{"missed50", model.CallQuery{Missed: true, Limit: 50}},
		{"outbound-offset2000", model.CallQuery{Outbound: true, Limit: 50, Offset: 2000}},
		{"since-week", model.CallQuery{Since: Base.Add(-7 * 24 * time.Hour)}},
		{"search-name50", model.CallQuery{Search: "carol", Limit: 50}},
		{"search-number50", model.CallQuery{Search: "(205) 555-0042", Limit: 50}},
		{"search-none", model.CallQuery{Search: "nobody at all", Limit: 50}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Calls(ctx, scope, q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("open-missed", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.OpenMissed(ctx, scope); err != nil {
				b.Fatal(err)
			}
		}
	})
}
