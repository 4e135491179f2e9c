package history

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// seed bulk-inserts n calls, one every five minutes back from base, in a
// single transaction.
func seed(b *testing.B, s *Store, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	names := []string{"Alice Adams", "Bob Brown", "Carol Cho", "Dan Dorsey", "Elena Evans", "Frank Fischer", "Grace Garcia", ""}
	tx, err := s.db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.Prepare(insertCall)
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		e := Entry{
			CallID: fmt.Sprint(100000 + i), Direction: Inbound, Outcome: OutcomeAnswered,
			Number: fmt.Sprintf("1%03d555%04d", 200+r.IntN(20), r.IntN(100)),
			Name:   names[r.IntN(len(names))],
			Start:  base.Add(-time.Duration(i) * 5 * time.Minute),
			Ring:   time.Duration(r.IntN(20)) * time.Second, Talk: time.Duration(r.IntN(600)) * time.Second,
		}
		e.Ended = e.Start.Add(e.Ring + e.Talk)
		switch p := r.IntN(100); {
		case p < 15:
			e.Outcome = OutcomeMissed
		case p < 20:
			e.Outcome = OutcomeIgnored
		case p < 40:
			e.Direction, e.Outcome = Outbound, OutcomeOutbound
		}
		args, err := callArgs(e)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := stmt.Exec(args...); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

func openSeeded(b *testing.B, n int) *Store {
	b.Helper()
	s, _ := openTemp(b)
	start := time.Now()
	seed(b, s, n)
	b.Logf("seeded %d rows in %v", n, time.Since(start).Round(time.Millisecond))
	return s
}

// BenchmarkAdd adds calls, each its own transaction, to a history of
// 100,000 calls.
func BenchmarkAdd(b *testing.B) {
	s := openSeeded(b, 100_000)
	i := 0
	for b.Loop() {
		i++
		e := entry(fmt.Sprint("new-", i), base.Add(time.Duration(i)*time.Second), Inbound, OutcomeMissed, "16465550101", "Alice Adams")
		if err := s.Add(e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuery runs the queries the history view makes, on 100,000 calls.
func BenchmarkQuery(b *testing.B) {
	s := openSeeded(b, 100_000)
	for _, q := range []struct {
		name string
		f    Filter
	}{
		{"newest50", Filter{Limit: 50}},
		{"missed50", Filter{Missed: true, Limit: 50}},
		{"outbound-offset2000", Filter{Outbound: true, Limit: 50, Offset: 2000}},
		{"since-week", Filter{Since: base.Add(-7 * 24 * time.Hour)}},
		{"search-name50", Filter{Search: "carol", Limit: 50}},
		{"search-number50", Filter{Search: "(205) 555-0042", Limit: 50}},
		{"search-none", Filter{Search: "nobody at all", Limit: 50}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Query(q.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("missed-since", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.MissedSince(base.Add(-24 * time.Hour)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
