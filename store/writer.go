package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// Writer sizes.
const (
	// DefaultQueueLimit is how many writes a Writer holds for the store.
	// While the store works, a full queue makes Add wait (back-pressure);
	// while it fails, the oldest calls give way to the newest.
	DefaultQueueLimit = 20_000
	// MaxBatch is how many queued writes go into one transaction.
	MaxBatch = 1000
	// writeTimeout bounds one batch's transaction. A batch that runs out
	// of time is retried at half its size, so a slow disk still keeps up.
	writeTimeout = 15 * time.Second
	// Retries after a failed write wait from minRetry, doubling, to
	// maxRetry; a Flush retries at once.
	minRetry = 500 * time.Millisecond
	maxRetry = 15 * time.Second
)

// Writer is the one writer of a store's background writes: ended calls,
// from every console of the process. Add never starts a goroutine: the
// writes wait in one bounded queue, and the writer's
// goroutine stores them in order, as many as are waiting in one
// transaction (fewer while the store is slow). When the store fails (the
// disk is full, the database server is gone), the writes stay queued and
// are retried until it works again; Err says why nothing is being saved
// meanwhile.
type Writer struct {
	st    Store
	limit int

	mu       sync.Mutex
	cond     *sync.Cond // queue shrank, health changed or closing
	queue    []model.CallRecord
	inFlight int   // how many of the queue's first calls are being written
	err      error // the last write's failure; nil once one succeeds
	dropped  int   // calls given up while the store failed and the queue was full
	closed   bool
	wake     chan struct{} // new writes
	flush    chan struct{} // a Flush: retry a failing store at once
	subs     map[chan struct{}]struct{}
	done     chan struct{}
}

// NewWriter starts the writer of st. limit is the queue's size
// (DefaultQueueLimit when 0 or less).
func NewWriter(st Store, limit int) *Writer {
	if limit <= 0 {
		limit = DefaultQueueLimit
	}
	w := &Writer{st: st, limit: limit, wake: make(chan struct{}, 1), flush: make(chan struct{}, 1), subs: map[chan struct{}]struct{}{}, done: make(chan struct{})}
	w.cond = sync.NewCond(&w.mu)
	go w.run()
	return w
}

// Store is the store the writer writes to.
func (w *Writer) Store() Store { return w.st }

// AddCalls queues ended calls. It waits while the queue is full and the
// store works; while the store fails, a full queue drops its oldest calls
// instead (Err counts them).
func (w *Writer) AddCalls(calls []model.CallRecord) {
	w.mu.Lock()
	for i := range calls {
		w.push(calls[i])
	}
	w.mu.Unlock()
	w.poke()
}

// push queues one call, waiting for room or dropping the oldest call.
// While the whole queue is being written nothing can be dropped, so push
// waits for that write even when the store fails. w.mu is held.
func (w *Writer) push(c model.CallRecord) {
	for len(w.queue) >= w.limit && !w.closed {
		if w.err != nil && w.dropOldest() {
			break
		}
		signal(w.wake)
		w.cond.Wait()
	}
	w.queue = append(w.queue, c)
}

// dropOldest removes the oldest queued call not being written and says
// whether there was one. w.mu is held.
func (w *Writer) dropOldest() bool {
	i := w.inFlight // the batch in flight stays
	if i >= len(w.queue) {
		return false
	}
	w.queue = append(w.queue[:i], w.queue[i+1:]...)
	w.dropped++
	return true
}

func (w *Writer) poke() { signal(w.wake) }

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Pending is how many writes are queued.
func (w *Writer) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// Err is nil while writes reach the store; otherwise why they do not (and
// how many calls had to be given up).
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.errLocked()
}

func (w *Writer) errLocked() error {
	switch {
	case w.err == nil:
		return nil
	case w.dropped == 0:
		return w.err
	}
	return fmt.Errorf("%w (%d ended calls given up: too many waiting)", w.err, w.dropped)
}

// Subscribe returns a channel that receives a signal whenever Err changes,
// and a function that stops the signals.
func (w *Writer) Subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	w.subs[ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		delete(w.subs, ch)
		w.mu.Unlock()
	}
}

// notify signals the subscribers. w.mu is held.
func (w *Writer) notify() {
	for ch := range w.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Flush waits until every write queued so far is stored, retrying a
// failing store once at once and then at the usual pace, or until ctx
// ends; then it says how many writes are still waiting.
func (w *Writer) Flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	signal(w.flush) // once: a failing store is then retried at its own pace
	w.mu.Lock()
	defer w.mu.Unlock()
	for (len(w.queue) > 0 || w.inFlight > 0) && ctx.Err() == nil && !w.closed {
		w.cond.Wait()
	}
	if n := len(w.queue); n > 0 {
		err := w.errLocked()
		if err == nil {
			err = ctx.Err()
		}
		return fmt.Errorf("%d history writes not saved: %w", n, err)
	}
	return nil
}

// Close flushes (until ctx ends) and stops the writer. It does not close
// the store.
func (w *Writer) Close(ctx context.Context) error {
	err := w.Flush(ctx)
	w.mu.Lock()
	w.closed = true
	w.cond.Broadcast()
	w.mu.Unlock()
	signal(w.wake)
	signal(w.flush)
	<-w.done
	return err
}

func (w *Writer) run() {
	defer close(w.done)
	retry := minRetry
	size := MaxBatch // of the next batch: halved by a timeout, regrown by quick writes
	var wait <-chan time.Time
	for {
		if wait != nil {
			select {
			case <-wait:
			case <-w.flush:
			}
			wait = nil
		} else {
			select {
			case <-w.wake:
			case <-w.flush:
			}
		}
		for {
			w.mu.Lock()
			if w.closed {
				w.mu.Unlock()
				return
			}
			if len(w.queue) == 0 {
				w.cond.Broadcast()
				w.mu.Unlock()
				break
			}
			n := min(len(w.queue), size)
			b := Batch{Calls: append([]model.CallRecord(nil), w.queue[:n]...)}
			w.inFlight = n
			w.mu.Unlock()

			t0 := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
			err := w.st.Write(ctx, b)
			timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded)
			cancel()
			took := time.Since(t0)

			w.mu.Lock()
			w.inFlight = 0
			// A batch that only ran out of time leaves Err alone: the store
			// is slow, not failing, until not even one call fits in the time.
			if err != nil && timedOut && n > 1 {
				size = n / 2
				w.cond.Broadcast()
				w.mu.Unlock()
				continue
			}
			if err != nil {
				changed := w.err == nil || w.err.Error() != err.Error()
				w.err = err
				if changed {
					w.notify()
				}
				w.cond.Broadcast()
				w.mu.Unlock()
				wait = time.After(retry)
				retry = min(2*retry, maxRetry)
				break
			}
			retry = minRetry
			if n == size && took < writeTimeout/4 {
				size = min(2*size, MaxBatch) // twice as many would still take under half the time
			}
			w.queue = append(w.queue[:0:0], w.queue[n:]...)
			if w.err != nil {
				w.err, w.dropped = nil, 0
				w.notify()
			}
			w.cond.Broadcast()
			w.mu.Unlock()
		}
	}
}
