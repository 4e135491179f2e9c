package sqlite

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/frontdesk/frontdesk/store"
)

// watchPoll is how often the watch asks SQLite whether the database
// changed when the file system cannot tell it (no inotify).
const watchPoll = 500 * time.Millisecond

// looks are how long after a write to the files the watch looks at the
// database, each after the one before: soon, and again in case the
// writer had not yet published its commit (a busy machine).
var looks = []time.Duration{10 * time.Millisecond, 30 * time.Millisecond, 60 * time.Millisecond, 150 * time.Millisecond, 500 * time.Millisecond}

// Watch reports every commit to the database, by this handle or any
// other process, within a second (at once where the file system reports
// changes). SQLite cannot tell what changed: every Change is
// store.ChangedAll for every account.
//
// The feed is one goroutine and one connection, however many consoles
// watch. Every commit to the database, by any process, writes its file or
// its write-ahead log; the file system says so (inotify), and PRAGMA
// data_version, which changes when another connection committed, tells a
// real change from a read or our own checkpoint. Nothing wakes up while
// nobody writes.
func (s *Store) Watch(ctx context.Context) (<-chan store.Change, error) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if s.watch == nil {
		f, err := s.startWatch()
		if err != nil {
			return nil, err
		}
		s.watch = f
	}
	return s.watch.Watch(ctx), nil
}

func (s *Store) startWatch() (*store.Feed, error) {
	// Its own connection, outside the pool: data_version is per connection
	// and must never see our own writes as someone else's.
	q := url.Values{}
	q.Set("mode", "ro")
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: s.path, RawQuery: q.Encode()}).String())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	var version int64
	if err := db.QueryRow(`PRAGMA data_version`).Scan(&version); err != nil {
		db.Close()
		return nil, classify(err)
	}
	var events <-chan fsnotify.Event
	fw, err := fsnotify.NewWatcher()
	if err == nil {
		if err = fw.Add(filepath.Dir(s.path)); err == nil {
			events = fw.Events
		} else {
			fw.Close()
			fw = nil
		}
	} else {
		fw = nil
	}
	return store.StartFeed(func(ctx context.Context, send func(store.Change)) {
		defer db.Close()
		if fw != nil {
			defer fw.Close()
		}
		var poll <-chan time.Time
		if events == nil {
			t := time.NewTicker(watchPoll)
			defer t.Stop()
			poll = t.C
		}
		names := map[string]bool{s.path: true, s.path + "-wal": true}
		// A commit writes the log before it publishes the change in the
		// shared index: look a moment after the writes, and once more a
		// little later, so a change is never missed and an idle database
		// costs nothing.
		settle := time.NewTimer(time.Hour)
		settle.Stop()
		defer settle.Stop()
		next, armed := 0, false
		var due time.Time // when the armed look is
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				// A write brings the next look forward to soon, but never
				// postpones it: a steady stream of commits is still
				// looked at every few milliseconds.
				if names[ev.Name] && (!armed || time.Until(due) > looks[0]) {
					next, armed, due = 1, true, time.Now().Add(looks[0])
					settle.Reset(looks[0])
				}
				continue
			case <-settle.C:
				if next < len(looks) {
					due = time.Now().Add(looks[next])
					settle.Reset(looks[next])
					next++
				} else {
					armed = false
				}
			case <-poll:
			}
			var now int64
			if err := db.QueryRow(`PRAGMA data_version`).Scan(&now); err != nil || now == version {
				continue
			}
			version = now
			send(store.Change{What: store.ChangedAll})
		}
	}), nil
}
