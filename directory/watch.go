package directory

import (
	"context"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultWatchInterval is how often Watch polls when the file system gives
// no change notifications and no interval is given.
const DefaultWatchInterval = 2 * time.Second

// settle is how long Watch waits after the last change notification before
// reading the file, so that a file written in several pieces is read once.
const settle = 50 * time.Millisecond

// Reload is a new version of a watched contacts file, or the reason it could
// not be read.
type Reload struct {
	Dir  *Directory // nil when Err is set
	Rows []RowError // records skipped in this version
	Err  error      // the file is missing or unreadable; keep the old directory
}

// Watch delivers a Reload whenever the file at path changes (its
// modification time or size), and once when it becomes unreadable (it keeps
// watching, and delivers again when the file is back). A file that changes
// while it is being read is read again, and an empty file is taken as one
// being saved (a save truncates the file before it writes it) and read at its
// next change, so a half-written file is not delivered.
//
// It is told of changes by the operating system (inotify, kqueue…) on the
// file's folder, and on the folder of the file a symbolic link points to, so
// an idle console does not wake up; where that is not available (or the
// folder goes away) it polls every interval (DefaultWatchInterval if
// interval <= 0).
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
		if w.notified(ctx) {
			return
		}
		w.poll(ctx, interval)
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

// notified follows the file through change notifications until ctx is done
// (true), or until they stop working (false: poll instead).
func (w *watcher) notified(ctx context.Context) bool {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return false
	}
	defer fw.Close()
	names := map[string]bool{filepath.Clean(w.path): true}
	if target, err := filepath.EvalSymlinks(w.path); err == nil {
		names[filepath.Clean(target)] = true
	}
	dirs := map[string]bool{}
	for name := range names {
		dirs[filepath.Dir(name)] = true
	}
	for dir := range dirs {
		if err := fw.Add(dir); err != nil {
			return false
		}
	}
	// Look once (after settle, like any change) at anything that changed
	// before the folders were watched.
	wait := time.NewTimer(settle)
	defer wait.Stop()
	for {
		select {
		case <-ctx.Done():
			return true
		case ev, ok := <-fw.Events:
			if !ok {
				return false
			}
			name := filepath.Clean(ev.Name)
			if dirs[name] && ev.Has(fsnotify.Remove|fsnotify.Rename) {
				return false // the folder itself is gone: its watch with it
			}
			if names[name] {
				wait.Reset(settle)
			}
		case _, ok := <-fw.Errors:
			if !ok {
				return false
			}
			// Notifications were lost (the kernel's queue overflowed):
			// look at the file as it is now.
			wait.Reset(settle)
		case <-wait.C:
			w.check()
		}
	}
}

// poll looks at the file every interval until ctx is done.
func (w *watcher) poll(ctx context.Context, interval time.Duration) {
	w.check()
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
}

// check reads the file again if it changed, and delivers the result.
func (w *watcher) check() {
	st, err := os.Stat(w.path)
	if err != nil {
		w.fail(err)
		return
	}
	if w.known && stampOf(st).equal(w.base) {
		return
	}
	if st.Size() == 0 {
		// Being written: a save truncates the file before it writes it.
		// Its next change is read.
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
		return // still being written: its next change is read again
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
