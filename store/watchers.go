package store

import (
	"context"
	"sync"
)

// watchers is a feed's set of Watch channels: every change is handed to
// each of them, merged with one its reader has not taken yet, so a slow
// reader never blocks the feed. The zero value is ready to use.
type watchers struct {
	mu   sync.Mutex
	subs map[chan Change]struct{}
}

// Add returns a new watcher's channel, closed when ctx ends or done is
// closed (the feed stopped).
func (w *watchers) Add(ctx context.Context, done <-chan struct{}) <-chan Change {
	ch := make(chan Change, 1)
	w.mu.Lock()
	if w.subs == nil {
		w.subs = map[chan Change]struct{}{}
	}
	w.subs[ch] = struct{}{}
	w.mu.Unlock()
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
		}
		w.mu.Lock()
		if _, ok := w.subs[ch]; ok {
			delete(w.subs, ch)
			close(ch)
		}
		w.mu.Unlock()
	}()
	return ch
}

// Send hands c to every watcher, merging it with one not yet taken.
func (w *watchers) Send(c Change) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs {
		select {
		case ch <- c:
		default:
			select {
			case old := <-ch:
				ch <- old.Merge(c)
			default:
				ch <- c
			}
		}
	}
}

// CloseAll closes every watcher's channel.
func (w *watchers) CloseAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs {
		delete(w.subs, ch)
		close(ch)
	}
}

// Feed is an engine's change feed: one goroutine, however many consoles
// watch, that hands every change to each watcher until Close.
type Feed struct {
	watchers watchers
	stop     context.CancelFunc
	done     chan struct{}
}

// StartFeed runs run in a goroutine of its own until Close: run hands
// changes to send, and returns when ctx ends.
func StartFeed(run func(ctx context.Context, send func(Change))) *Feed {
	ctx, cancel := context.WithCancel(context.Background())
	f := &Feed{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(f.done)
		run(ctx, f.watchers.Send)
	}()
	return f
}

// Watch returns a new watcher's channel, closed when ctx ends or the feed
// is closed.
func (f *Feed) Watch(ctx context.Context) <-chan Change { return f.watchers.Add(ctx, f.done) }

// Close stops the feed and closes every watcher's channel.
func (f *Feed) Close() {
	f.stop()
	<-f.done
	f.watchers.CloseAll()
}
