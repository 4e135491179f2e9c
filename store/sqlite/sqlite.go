// Package sqlite is the store on an embedded SQLite database: the default,
// for the consoles of one box.
//
// The database runs in WAL mode with a busy timeout, so several processes
// may read and write it at once; every write is one transaction, so a
// process that is killed loses at most the write it was making. Times are
// stored as Unix milliseconds and durations as milliseconds. The schema is
// brought up to date by numbered migrations (PRAGMA user_version).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	sqlite "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/frontdesk/frontdesk/store"
)

// BusyTimeout is how long a write waits for another console's write to
// finish before giving up.
const BusyTimeout = 5 * time.Second

// writeTurns holds, for each database file this process opened for
// writing, the turn its writers take one at a time before they ask SQLite
// for the write lock (a channel of one: waiters are served in order, and
// give up with their context). SQLite's busy handler only sleeps and tries
// again, so a writer that has just committed takes the lock again at once
// while the others sleep: with several writers in one process (consoles
// sharing a handle, or handles on one file) one of them could wait out
// BusyTimeout although no write was slow. Between processes the busy
// timeout still applies.
var writeTurns sync.Map // absolute path → chan struct{}

// Store is an open SQLite history database.
type Store struct {
	db       *sql.DB
	path     string
	readOnly bool
	turn     chan struct{} // this file's writeTurns entry

	watchMu sync.Mutex
	watch   *store.Feed // started by the first Watch
}

var _ store.Store = (*Store)(nil)

// Option changes how Open opens the database.
type Option func(*options)

type options struct {
	readOnly bool
	maxPages int
}

// ReadOnly opens an existing database for reading only, without taking
// any lock that needs write access: for a command that only reads, even a
// database file (or folder) it cannot write. The schema must be current.
func ReadOnly() Option { return func(o *options) { o.readOnly = true } }

// MaxPages caps the database at n pages (of 4 KiB): a quota on a shared
// box. A write past it fails with store.ErrFull, as on a full disk.
func MaxPages(n int) Option { return func(o *options) { o.maxPages = n } }

// Open opens the history database at path, creating the file (mode 0600)
// and its directories (mode 0700) if needed, checks it (PRAGMA
// quick_check: a damaged file is store.ErrDamaged) and brings its schema up
// to date.
func Open(path string, opts ...Option) (*Store, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		return nil, errors.New("history: no database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	q := url.Values{}
	q.Set("_txlock", "immediate") // writers take the lock up front: no upgrade deadlocks
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	if o.readOnly {
		st, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("history: %s is not a database file", abs)
		}
		q.Set("mode", "ro")
	} else {
		if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		// Create the file ourselves so that it is private to the user: call
		// history is personal data. SQLite gives the -wal and -shm files
		// the same mode.
		f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("history: %w", err)
		}
		f.Close()
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
		if o.maxPages > 0 {
			q.Add("_pragma", fmt.Sprintf("max_page_count(%d)", o.maxPages))
		}
	}
	dsn := (&url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	turn, _ := writeTurns.LoadOrStore(abs, make(chan struct{}, 1))
	s := &Store{db: db, path: abs, readOnly: o.readOnly, turn: turn.(chan struct{})}
	if err := s.open(o); err != nil {
		db.Close()
		return nil, fmt.Errorf("history: %s: %w", abs, err)
	}
	return s, nil
}

// open checks the file and brings the schema up to date.
func (s *Store) open(o options) error {
	ctx := context.Background()
	if o.readOnly {
		if err := s.quickCheck(ctx); err != nil {
			return err
		}
		var version int
		if err := s.db.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
			return classify(err)
		}
		if version != len(migrations) {
			return fmt.Errorf("the database has schema version %d and this program reads %d: open it once with write access (run the console) to upgrade it", version, len(migrations))
		}
		return nil
	}
	// A database that is not one fails here (SQLITE_NOTADB) or in the check.
	if err := s.migrate(ctx); err != nil {
		return classify(err)
	}
	return s.quickCheck(ctx)
}

// quickCheck runs SQLite's quick integrity check.
func (s *Store) quickCheck(ctx context.Context) error {
	problems, err := s.problems(ctx, "quick_check")
	if err != nil {
		return classify(err)
	}
	if len(problems) > 0 {
		if len(problems) > 3 {
			problems = append(problems[:3], fmt.Sprintf("and %d more", len(problems)-3))
		}
		return fmt.Errorf("%w (integrity check: %s); move the file aside to start a new history, or restore it from a backup", store.ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// problems runs an integrity check (PRAGMA quick_check or
// integrity_check) and returns what it found wrong.
func (s *Store) problems(ctx context.Context, check string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `PRAGMA `+check)
	if err != nil {
		return nil, err
	}
	lines, err := collect(rows, func(row scanner) (line string, err error) {
		err = row.Scan(&line)
		return line, err
	})
	return slices.DeleteFunc(lines, func(l string) bool { return l == "ok" }), err
}

// classify wraps an SQLite error in the store error that says what is
// wrong, keeping SQLite's own words.
func classify(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %w", store.ErrFull, err)
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return fmt.Errorf("%w: %w; move the file aside to start a new history, or restore it from a backup", store.ErrDamaged, err)
	case sqlite3.SQLITE_READONLY:
		return fmt.Errorf("%w: %w", store.ErrReadOnly, err)
	}
	return err
}

// DefaultPath is where the console keeps its history:
// $XDG_STATE_HOME/frontdesk/history.db, or ~/.local/state/frontdesk/history.db.
func DefaultPath() (string, error) {
	dir := os.Getenv("XDG_STATE_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("history: no state directory: %w", err)
		}
		dir = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(dir, "frontdesk", "history.db"), nil
}

// Path returns the database file's absolute path.
func (s *Store) Path() string { return s.path }

// Close stops the change feed and closes the database.
func (s *Store) Close() error {
	s.watchMu.Lock()
	if s.watch != nil {
		s.watch.Close()
	}
	s.watchMu.Unlock()
	return s.db.Close()
}

// Check runs SQLite's full integrity check.
func (s *Store) Check() error {
	problems, err := s.problems(context.Background(), "integrity_check")
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("history: %w: %s", store.ErrDamaged, strings.Join(problems, "; "))
	}
	return nil
}

// write runs fn in one write transaction, in this process's turn.
func (s *Store) write(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	if s.readOnly {
		return fmt.Errorf("history: %s: %w", what, store.ErrReadOnly)
	}
	done, err := s.takeTurn(ctx)
	if err != nil {
		return fmt.Errorf("history: %s: %w", what, err)
	}
	defer done()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("history: %s: %w", what, classify(err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("history: %s: %w", what, classify(err))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("history: %s: %w", what, classify(err))
	}
	return nil
}

// takeTurn waits for this process's turn to write the file, and returns
// the function that ends it.
func (s *Store) takeTurn(ctx context.Context) (done func(), err error) {
	select {
	case s.turn <- struct{}{}:
		return func() { <-s.turn }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for this program's other writes: %w", ctx.Err())
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// nullMS is NULL for the zero time.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromMS(v int64) time.Time { return time.UnixMilli(v) }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64)
}

type scanner interface{ Scan(dest ...any) error }

// collect scans every row into a slice and closes the rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// placeholders is "?, ?, …" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// inScope is the condition and arguments that limit column to scope's
// accounts. The zero scope matches nothing.
func inScope(column string, scope store.Scope) (string, []any) {
	owners := scope.Owners()
	if len(owners) == 0 {
		return "0", nil
	}
	args := make([]any, len(owners))
	for i, o := range owners {
		args[i] = o
	}
	return column + " IN (" + placeholders(len(owners)) + ")", args
}
