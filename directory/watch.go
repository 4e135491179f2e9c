package directory

import (
	"context"
	"os"
	"time"
)

// DefaultWatchInterval is how often Watch polls when given no interval.
const DefaultWatchInterval = 2 * time.Second

// Reload is a new version of a watched contacts file, or the reason it could
// not be read.
type Reload struct {
	Dir  *Directory // nil when Err is set
	Rows []RowError // records skipped in this version
	Err  error      // the file is missing or unreadable; keep the old directory
}

// Watch polls path every interval (DefaultWatchInterval if interval <= 0) and
// delivers a Reload whenever the file's modification time or size changes,
// and once when it becomes unreadable (it keeps polling, and delivers again
// when the file is back). A file that changes while it is being read is read
// again on the next poll, so a half-written file is not delivered.
//
// current is the directory already loaded from path, if any: changes are
// judged against it. When current is nil (or came from another file), the
// file is loaded and delivered straight away.
//
// The channel holds at most one pending Reload: a slow reader gets the newest
// version rather than a backlog. It is closed when ctx is done.
func Watch(ctx context.Context, path string, interval time.Duration, current *Directory) <-chan Reload {
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	ch := make(chan Reload, 1)
	w := &watcher{ctx: ctx, path: path, ch: ch}
	if current != nil && current.path == path {
		w.base, w.known = current.stamp, true
	}
	go func() {
		defer close(ch)
		if !w.known {
			w.check()
		}
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				w.check()
			}
		}
	}()
	return ch
}

type watcher struct {
	ctx     context.Context
	path    string
	ch      chan Reload
	base    fileStamp
	known   bool
	lastErr string
}

func (w *watcher) check() {
	st, err := os.Stat(w.path)
	if err != nil {
		w.fail(err)
		return
	}
	if w.known && stampOf(st).equal(w.base) {
		return
	}
	d, rows, err := LoadContext(w.ctx, w.path)
	if w.ctx.Err() != nil {
		return
	}
	if err != nil {
		w.fail(err)
		return
	}
	if after, err := os.Stat(w.path); err != nil || !stampOf(after).equal(d.stamp) {
		return // still being written: try again on the next poll
	}
	w.base, w.known, w.lastErr = d.stamp, true, ""
	w.send(Reload{Dir: d, Rows: rows})
}

// fail reports an error once per distinct error.
func (w *watcher) fail(err error) {
	w.known = false
	if err.Error() == w.lastErr {
		return
	}
	w.lastErr = err.Error()
	w.send(Reload{Err: err})
}

// send replaces any undelivered Reload with r. The watcher goroutine is the
// only sender, so after draining the buffer the send cannot block.
func (w *watcher) send(r Reload) {
	for {
		select {
		case w.ch <- r:
			return
		default:
			select {
			case <-w.ch:
			default:
			}
		}
	}
}
