package sqlite

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/storetest"
)

var benchScope = store.Scope{Accounts: []string{storetest.AcctA}}

// seed writes n calls, one every five minutes back from base, in one
// batch.
func seed(b *testing.B, s *Store, n int) {
	b.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	names := []string{"Alice Adams", "Bob Brown", "Carol Cho", "Dan Dorsey", "Elena Evans", "Frank Fischer", "Grace Garcia", ""}
	batch := store.Batch{Calls: make([]model.CallRecord, 0, n)}
	for i := range n {
		c := model.CallRecord{
			Account: storetest.AcctA, CallID: fmt.Sprint(100000 + i), Outcome: model.OutcomeAnswered,
			Ani:   fmt.Sprintf("1%03d555%04d", 200+r.IntN(20), r.IntN(100)),
			Name:  names[r.IntN(len(names))],
			Start: base.Add(-time.Duration(i) * 5 * time.Minute),
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
		batch.Calls = append(batch.Calls, c)
	}
	if err := s.Write(ctx, batch); err != nil {
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

// BenchmarkWrite writes batches of 1 and 100 new calls, each batch one
// transaction, to a history of 100,000 calls; ns/call is per call.
func BenchmarkWrite(b *testing.B) {
	s := openSeeded(b, 100_000)
	for _, size := range []int{1, 100} {
		b.Run(fmt.Sprint("batch", size), func(b *testing.B) {
			i := 0
			for b.Loop() {
				batch := store.Batch{Calls: make([]model.CallRecord, size)}
				for j := range batch.Calls {
					i++
					batch.Calls[j] = storetest.Call(storetest.AcctA, fmt.Sprint("new-", size, "-", i), base.Add(time.Duration(i)*time.Second))
				}
				if err := s.Write(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/call")
		})
	}
}

// BenchmarkQuery runs the queries the history view makes, on 100,000 calls.
func BenchmarkQuery(b *testing.B) {
	s := openSeeded(b, 100_000)
	for _, q := range []struct {
		name string
		q    model.CallQuery
	}{
		{"newest50", model.CallQuery{Limit: 50}},
		{"missed50", model.CallQuery{Missed: true, Limit: 50}},
		{"outbound-offset2000", model.CallQuery{Outbound: true, Limit: 50, Offset: 2000}},
		{"since-week", model.CallQuery{Since: base.Add(-7 * 24 * time.Hour)}},
		{"search-name50", model.CallQuery{Search: "carol", Limit: 50}},
		{"search-number50", model.CallQuery{Search: "(205) 555-0042", Limit: 50}},
		{"search-none", model.CallQuery{Search: "nobody at all", Limit: 50}},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Calls(ctx, benchScope, q.q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("open-missed", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.OpenMissed(ctx, benchScope); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkChangeFeed measures how long a message saved through one handle
// (another process, in effect) takes to reach a watcher on another
// handle: the change feed's latency, from the commit to the signal.
func BenchmarkChangeFeed(b *testing.B) {
	path := filepath.Join(b.TempDir(), "history.db")
	a, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	other, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer other.Close()
	changes, err := a.Watch(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for b.Loop() {
		if _, err := other.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: "call back"}); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		<-changes
		total += time.Since(t0)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/change")
}
