package store

import (
	"context"
	"sync"
)

// Watchers is an engine's set of Watch channels: every change is handed to
// each of them, merged with one its reader has not taken yet, so a slow
// reader never blocks the feed. The zero value is ready to use.
type Watchers struct {
	mu   sync.Mutex
	subs map[chan Change]struct{}
}

// Add returns a new watcher's channel, closed when ctx ends or done is
// closed (the feed stopped).
func (w *Watchers) Add(ctx context.Context, done <-chan struct{}) <-chan Change {
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
func (w *Watchers) Send(c Change) {
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
func (w *Watchers) CloseAll() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for ch := range w.subs {
		delete(w.subs, ch)
		close(ch)
	}
}
