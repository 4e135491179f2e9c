// Package history keeps the console's call history and its "while you were
// out" messages in a SQLite database, so that they survive restarts and can
// be shared by several consoles on the same machine.
//
// The database runs in WAL mode with a busy timeout, so several processes
// may read and write it at once; every write is a single transaction, so a
// console that is killed loses at most the write it was making. Times are
// stored as Unix milliseconds and durations as milliseconds.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// BusyTimeout is how long a write waits for another console's write to
// finish before giving up.
const BusyTimeout = 5 * time.Second

// ErrNotFound is returned for an id that is not in the store.
var ErrNotFound = errors.New("history: not found")

// Store is an open history database. It is safe for concurrent use.
type Store struct {
	db   *sql.DB
	path string
}

// migrations[i] brings the schema from user_version i to i+1.
var migrations = []string{
	`CREATE TABLE calls (
		id        INTEGER PRIMARY KEY,
		call_id   TEXT    NOT NULL,
		did       TEXT    NOT NULL DEFAULT '',
		direction TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
		outcome   TEXT    NOT NULL CHECK (outcome IN ('answered', 'missed', 'ignored', 'outbound', 'unknown')),
		number    TEXT    NOT NULL DEFAULT '',
		digits    TEXT    NOT NULL DEFAULT '',
		name      TEXT    NOT NULL DEFAULT '',
		clid      TEXT    NOT NULL DEFAULT '',
		folded    TEXT    NOT NULL DEFAULT '', -- lower-case name and clid, for search
		start_ms  INTEGER NOT NULL,
		ring_ms   INTEGER NOT NULL DEFAULT 0,
		talk_ms   INTEGER NOT NULL DEFAULT 0,
		hold_ms   INTEGER NOT NULL DEFAULT 0,
		ended_ms  INTEGER,
		UNIQUE (call_id, start_ms)
	);
	CREATE INDEX calls_by_start ON calls (start_ms);
	CREATE INDEX calls_by_outcome ON calls (outcome, start_ms);
	CREATE INDEX calls_missed_by_end ON calls (COALESCE(ended_ms, start_ms)) WHERE outcome = 'missed';
	CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value ANY
	) WITHOUT ROWID;
	CREATE TABLE messages (
		id            INTEGER PRIMARY KEY,
		for_whom      TEXT    NOT NULL DEFAULT '',
		caller_name   TEXT    NOT NULL DEFAULT '',
		caller_number TEXT    NOT NULL DEFAULT '',
		text          TEXT    NOT NULL DEFAULT '',
		call_id       TEXT    NOT NULL DEFAULT '',
		created_ms    INTEGER NOT NULL,
		done          INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX messages_by_created ON messages (created_ms);`,
}

// Open opens the history database at path, creating the file (mode 0600) and
// its directories (mode 0700) if needed, and brings its schema up to date.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("history: no database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	// Create the file ourselves so that it is private to the user: call
	// history is personal data. SQLite gives the -wal and -shm files the
	// same mode.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	f.Close()

	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(BusyTimeout.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate") // writers take the lock up front: no upgrade deadlocks
	dsn := (&url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}).String()

	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(2)
	s := &Store{db: db, path: abs}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, fmt.Errorf("history: %s: %w", abs, err)
	}
	return s, nil
}

func (s *Store) migrate() error {
	tx, err := s.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this program knows (%d)", version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	for _, m := range migrations[version:] {
		if _, err := tx.Exec(m); err != nil {
			return fmt.Errorf("schema migration: %w", err)
		}
	}
	if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
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

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

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

// digits returns only the ASCII digits of s.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// MarkSeen records that the receptionist has looked at the history at t.
// The mark never moves backwards, so two consoles cannot undo each other.
func (s *Store) MarkSeen(t time.Time) error {
	_, err := s.db.Exec(`INSERT INTO meta (key, value) VALUES ('last_seen', ?)
		ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), excluded.value)`, ms(t))
	if err != nil {
		return fmt.Errorf("history: mark seen: %w", err)
	}
	return nil
}

// LastSeen returns the time of the latest MarkSeen (the zero time if none).
func (s *Store) LastSeen() (time.Time, error) {
	var v int64
	err := s.db.QueryRow(`SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_seen'`).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("history: last seen: %w", err)
	}
	return fromMS(v), nil
}

// checkIntegrity runs SQLite's integrity check.
func (s *Store) checkIntegrity(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("integrity check: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Check verifies the database file's integrity.
func (s *Store) Check() error {
	if err := s.checkIntegrity(context.Background()); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return nil
}
