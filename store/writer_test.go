package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
	"github.com/frontdesk/frontdesk/store/storetest"
)

var scopeA = store.Scope{Accounts: []string{storetest.AcctA}}

// A burst of ended calls, queued faster than one transaction per call
// could keep up, then a quit: every call is stored, each once.
func TestWriterLosesNothingAcrossBurstAndQuit(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := store.NewWriter(db, 500) // a small queue: the burst meets back-pressure
	const calls = 3000
	for i := 0; i < calls; i += 100 {
		batch := make([]model.CallRecord, 100)
		for j := range batch {
			batch[j] = storetest.Call(storetest.AcctA, fmt.Sprint(i+j), storetest.Base.Add(time.Duration(i+j)*time.Hour))
		}
		w.AddCalls(batch)
		if n := w.Pending(); n > 500 {
			t.Fatalf("queue holds %d, over its limit (the store: %v)", n, w.Err())
		}
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	got, err := db.Calls(context.Background(), scopeA, model.CallQuery{})
	if err != nil || len(got) != calls {
		t.Fatalf("%d calls stored of %d, %v", len(got), calls, err)
	}
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c.CallID] {
			t.Fatalf("call %s stored twice", c.CallID)
		}
		seen[c.CallID] = true
	}
}

// flaky is a store whose writes fail while down is set.
type flaky struct {
	store.Store
	down   chan bool // holds the current state
	writes chan store.Batch
}

func (f *flaky) Write(ctx context.Context, b store.Batch) error {
	down := <-f.down
	f.down <- down
	if down {
		return fmt.Errorf("history: save: %w", store.ErrFull)
	}
	if err := f.Store.Write(ctx, b); err != nil {
		return err
	}
	f.writes <- b
	return nil
}

func (f *flaky) set(down bool) {
	<-f.down
	f.down <- down
}

// While the store fails, writes wait in order and Err says why; the
// queue gives up its oldest calls rather than grow; once the store works
// the rest are written in order and Err is nil again. Subscribers hear
// of both changes.
func TestWriterHoldsWritesWhileTheStoreFails(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	f := &flaky{Store: db, down: make(chan bool, 1), writes: make(chan store.Batch, 100)}
	f.down <- true
	w := store.NewWriter(f, 10)
	health, stop := w.Subscribe()
	defer stop()
	for i := range 12 {
		w.AddCalls([]model.CallRecord{storetest.Call(storetest.AcctA, fmt.Sprint(i), storetest.Base.Add(time.Duration(i)*time.Hour))})
	}
	<-health
	if err := w.Err(); !errors.Is(err, store.ErrFull) || !strings.Contains(err.Error(), "given up") {
		t.Fatalf("Err while failing = %v", err)
	}
	if n := w.Pending(); n != 10 {
		t.Fatalf("pending = %d, want the queue's 10", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	if err := w.Flush(ctx); err == nil || !strings.Contains(err.Error(), "10 history writes not saved") {
		t.Errorf("Flush while failing = %v", err)
	}
	cancel()
	f.set(false)
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := w.Err(); err != nil {
		t.Errorf("Err after recovery = %v", err)
	}
	b := <-f.writes
	var ids []string
	for _, c := range b.Calls {
		ids = append(ids, c.CallID)
	}
	if got := strings.Join(ids, " "); got != "2 3 4 5 6 7 8 9 10 11" {
		t.Errorf("written after recovery: %s, want the newest ten in order", got)
	}
	w.Close(context.Background())
}

// slow is a store that cannot write more than max calls before a batch's
// time runs out: a larger batch waits until its context ends.
type slow struct {
	store.Store
	max     int
	mu      sync.Mutex
	written map[string]int // times each call was stored
}

func (s *slow) Write(ctx context.Context, b store.Batch) error {
	if len(b.Calls) > s.max {
		<-ctx.Done()
		return fmt.Errorf("history: save: %w", ctx.Err())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range b.Calls {
		s.written[c.CallID]++
	}
	return nil
}

// A store too slow for a full batch in the time allowed still gets every
// call, each once: the writer retries smaller batches, keeps the queue
// within its limit by back-pressure, drops nothing and never reports the
// history as not saving.
// The bubble's clock makes each 15 s timeout instant.
func TestWriterRetriesTimedOutBatchesSmaller(t *testing.T) {
	synctest.Test(t, testWriterRetriesTimedOutBatchesSmaller)
}

func testWriterRetriesTimedOutBatchesSmaller(t *testing.T) {
	s := &slow{max: 7, written: map[string]int{}}
	const limit, calls = 50, 600
	w := store.NewWriter(s, limit)
	health, stop := w.Subscribe()
	defer stop()
	for i := 0; i < calls; i += 20 {
		batch := make([]model.CallRecord, 20)
		for j := range batch {
			batch[j] = storetest.Call(storetest.AcctA, fmt.Sprint(i+j), storetest.Base.Add(time.Duration(i+j)*time.Hour))
		}
		w.AddCalls(batch)
		if n := w.Pending(); n > limit {
			t.Errorf("queue holds %d, over its limit of %d", n, limit)
			break
		}
		if err := w.Err(); err != nil {
			t.Errorf("Err while the store is only slow = %v", err)
			break
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour) // of the bubble's clock
	defer cancel()
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-health:
		t.Error("health changed while the store was only slow")
	default:
	}
	if len(s.written) != calls {
		t.Errorf("%d calls stored of %d", len(s.written), calls)
	}
	for id, n := range s.written {
		if n != 1 {
			t.Errorf("call %s stored %d times", id, n)
		}
	}
}

// gated is a store whose every write announces its batch's size and then
// waits for the result to give.
type gated struct {
	store.Store
	entered chan int
	results chan error
}

func (g *gated) Write(ctx context.Context, b store.Batch) error {
	g.entered <- len(b.Calls)
	return <-g.results
}

// While the store fails and the whole queue is the batch in flight,
// nothing can give way: more calls wait for that write instead of growing
// the queue past its limit, then the oldest give way.
func TestWriterQueueStaysWithinLimitWhileTheFailingBatchIsInFlight(t *testing.T) {
	synctest.Test(t, testWriterQueueStaysWithinLimitWhileTheFailingBatchIsInFlight)
}

func testWriterQueueStaysWithinLimitWhileTheFailingBatchIsInFlight(t *testing.T) {
	full := fmt.Errorf("history: save: %w", store.ErrFull)
	g := &gated{entered: make(chan int), results: make(chan error)}
	const limit = 10
	w := store.NewWriter(g, limit)
	health, stop := w.Subscribe()
	defer stop()
	call := func(i int) model.CallRecord {
		return storetest.Call(storetest.AcctA, fmt.Sprint(i), storetest.Base.Add(time.Duration(i)*time.Hour))
	}
	w.AddCalls([]model.CallRecord{call(0)})
	<-g.entered
	g.results <- full
	<-health // the store fails
	var fill []model.CallRecord
	for i := 1; i < limit; i++ {
		fill = append(fill, call(i))
	}
	w.AddCalls(fill)
	for n := <-g.entered; n < limit; n = <-g.entered { // a retry of the whole queue
		g.results <- full
	}
	added := make(chan struct{})
	go func() {
		var more []model.CallRecord
		for i := limit; i < limit+5; i++ {
			more = append(more, call(i))
		}
		w.AddCalls(more)
		close(added)
	}()
	synctest.Wait() // AddCalls has returned or waits for the write in flight
	if n := w.Pending(); n > limit {
		t.Errorf("queue holds %d while its whole batch is in flight, over its limit of %d", n, limit)
	}
	go func() {
		for range g.entered {
			g.results <- full
		}
	}()
	g.results <- full // the batch in flight fails
	<-added
	if n := w.Pending(); n != limit {
		t.Errorf("pending after adding past the limit = %d, want %d", n, limit)
	}
	if err := w.Err(); !errors.Is(err, store.ErrFull) || !strings.Contains(err.Error(), "5 ended calls given up") {
		t.Errorf("Err = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w.Close(ctx)
	close(g.entered)
}

// BenchmarkWriterBurst queues the 100,000 ended calls of a 400,000-event
// burst through one writer into SQLite, 100 at a time as the console hands
// them over, then flushes. Reported: calls stored per second, and the
// process's VmRSS (MB) after the flush, which the bounded queue keeps
// flat.
func BenchmarkWriterBurst(b *testing.B) {
	const calls = 100_000
	for range b.N {
		db, err := sqlite.Open(filepath.Join(b.TempDir(), "history.db"))
		if err != nil {
			b.Fatal(err)
		}
		w := store.NewWriter(db, 0)
		t0 := time.Now()
		for i := 0; i < calls; i += 100 {
			batch := make([]model.CallRecord, 100)
			for j := range batch {
				batch[j] = storetest.Call(storetest.AcctA, fmt.Sprint(i+j), storetest.Base.Add(time.Duration(i+j)*time.Minute))
			}
			w.AddCalls(batch)
		}
		if err := w.Close(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(calls/time.Since(t0).Seconds(), "calls/s")
		if rss := vmRSS(); rss > 0 {
			b.ReportMetric(float64(rss)/(1<<20), "rss-MB")
		}
		db.Close()
	}
}

// vmRSS is this process's resident memory in bytes (0 where /proc has no
// status).
func vmRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb << 10
		}
	}
	return 0
}
