package sqlite

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/storetest"
)

// openSeeded opens a new database holding storetest.History(n).
func openSeeded(b *testing.B, n int) *Store {
	b.Helper()
	s, _ := openTemp(b)
	start := time.Now()
	storetest.Seed(b, s, n)
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

// BenchmarkQuery runs the queries the console makes on 100,000 calls.
func BenchmarkQuery(b *testing.B) {
	storetest.BenchmarkQueries(b, openSeeded(b, 100_000))
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
