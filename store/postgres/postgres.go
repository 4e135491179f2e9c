// Package postgres is the store on a PostgreSQL server: one history and one
// set of messages for a team of front-desk boxes.
//
// Every box opens the same database by URL. A call that several boxes see
// is one row: writers of one account's call Id take a transaction lock on
// it, so the second finds the first's row and merges into it. Every change
// is announced on a LISTEN/NOTIFY channel by triggers, so each box's
// consoles hear of the others' writes at once. A lost connection fails the
// operation in hand with an error (the console queues and retries its
// writes); the pool and the listener connect again on their own.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/frontdesk/frontdesk/store"
)

// ConnectTimeout bounds how long opening a connection may take, so that a
// box cut off from the server fails its writes quickly (and queues them)
// instead of hanging.
const ConnectTimeout = 5 * time.Second

// Store is an open PostgreSQL history database.
type Store struct {
	pool *pgxpool.Pool
	conf *pgx.ConnConfig // for the listener's own connection
	name string          // the URL without its password, for messages

	migrateMu sync.Mutex
	migrated  bool // the schema is known to be current

	watchMu sync.Mutex
	watch   *store.Feed // started by the first Watch
}

var _ store.Store = (*Store)(nil)

// Redact returns a history URL with its password replaced, fit for a log
// line or an error message. A setting that does not parse as a URL is not
// repeated at all: it may hold a password in a shape we cannot find.
func Redact(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Scheme == "" {
		return "(a PostgreSQL URL that does not parse)"
	}
	q := u.Query()
	masked := false
	for k := range q {
		if k == "password" || k == "sslpassword" {
			q.Set(k, "xxxxx")
			masked = true
		}
	}
	if masked {
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// Open connects to the database at rawURL (postgres://user:password@host/db)
// and brings its schema up to date. Errors never contain the password.
//
// A server that cannot be reached is not an error: a box must start while
// the database is down. Every operation then fails with the reason until
// the server is back, and the first to reach it brings the schema up to
// date. A bad URL, a refused login, a missing database or a schema newer
// than this program are errors.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	name := Redact(rawURL)
	conf, err := pgxpool.ParseConfig(strings.TrimSpace(rawURL))
	if err != nil {
		// pgx's own message repeats the URL (with the password masked);
		// say what is wrong with our own words.
		return nil, fmt.Errorf("history: %s is not a valid PostgreSQL URL: %w", name, parseReason(err))
	}
	conf.ConnConfig.ConnectTimeout = ConnectTimeout
	if conf.ConnConfig.RuntimeParams["application_name"] == "" {
		conf.ConnConfig.RuntimeParams["application_name"] = "frontdesk"
	}
	conf.MaxConns = 4
	conf.MinConns = 0
	conf.HealthCheckPeriod = 30 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, conf)
	if err != nil {
		return nil, fmt.Errorf("history: %s: %w", name, err)
	}
	s := &Store{pool: pool, conf: conf.ConnConfig, name: name}
	if err := s.ready(ctx); err != nil && !unreachable(err) {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// ready brings the schema up to date once.
func (s *Store) ready(ctx context.Context) error {
	s.migrateMu.Lock()
	defer s.migrateMu.Unlock()
	if s.migrated {
		return nil
	}
	if err := s.migrate(ctx); err != nil {
		return fmt.Errorf("history: %s: %w", s.name, classify(err))
	}
	s.migrated = true
	return nil
}

// unreachable reports whether err is the server not answering (down, cut
// off, timed out) rather than the server refusing.
func unreachable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// The server is starting up or shutting down: it will be back.
		return pe.Code == "57P03" || pe.Code == "57P01" || pe.Code == "57P02"
	}
	var ce *pgconn.ConnectError
	return errors.As(err, &ce) || pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// parseReason is pgx's reason a URL does not parse, without the URL (which
// both pgx's and net/url's errors repeat).
func parseReason(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap()
	}
	return errors.New("check its form: postgres://user:password@host:5432/database")
}

// Name is the database's URL without its password.
func (s *Store) Name() string { return s.name }

// Close stops the change feed and closes every connection.
func (s *Store) Close() error {
	s.watchMu.Lock()
	if s.watch != nil {
		s.watch.Close()
		s.watch = nil
	}
	s.watchMu.Unlock()
	s.pool.Close()
	return nil
}

// write runs fn in one transaction.
func (s *Store) write(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, fn)
	if err != nil {
		return fmt.Errorf("history: %s: %w", what, classify(err))
	}
	return nil
}

// classify wraps a server error in the store error that says what is wrong,
// keeping the server's own words.
func classify(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return oneLine{err}
	}
	switch pe.Code {
	case "53100": // disk_full
		return fmt.Errorf("%w: %w", store.ErrFull, err)
	case "25006": // read_only_sql_transaction: a standby, or a read-only role
		return fmt.Errorf("%w: %w", store.ErrReadOnly, err)
	case "XX001", "XX002": // data_corrupted, index_corrupted
		return fmt.Errorf("%w: %w", store.ErrDamaged, err)
	}
	return err
}

// oneLine is an error whose text is one line: pgx lists each address it
// tried to connect to on a line of its own, and the console shows errors
// in its status line.
type oneLine struct{ error }

func (e oneLine) Error() string {
	return strings.Join(strings.Fields(strings.ReplaceAll(e.error.Error(), "\n", "; ")), " ")
}

func (e oneLine) Unwrap() error { return e.error }

// inScope is the condition that limits column to scope's accounts, with
// its argument as parameter $n. The zero scope matches nothing.
func inScope(column string, scope store.Scope, n int) (string, []any) {
	owners := scope.Owners()
	if len(owners) == 0 {
		return "false", nil
	}
	return fmt.Sprintf("%s = ANY($%d)", column, n), []any{owners}
}
