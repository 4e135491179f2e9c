package postgres

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/store"
)

// notifyChannel is the LISTEN/NOTIFY channel the triggers announce every
// change on, with the payload "KIND ACCOUNT" (KIND: calls, messages, seen).
// Seen marks are no longer read; only a box on an older version writes them.
const notifyChannel = "frontdesk"

// The listener's timings: how often it checks that a quiet connection is
// still alive (a cut network does not close it), and how long it waits
// between attempts to connect again.
const (
	listenCheck     = 30 * time.Second
	reconnectFirst  = 100 * time.Millisecond
	reconnectLatest = 5 * time.Second
)

// Watch reports every change to the database, by any box, as the server
// announces it. While the connection is lost nothing is reported; once it
// is back the feed reports store.ChangedAll, since anything may have
// changed meanwhile. The feed is one goroutine and one connection of its
// own, however many consoles watch.
func (s *Store) Watch(ctx context.Context) (<-chan store.Change, error) {
	s.watchMu.Lock()
	defer s.watchMu.Unlock()
	if s.watch == nil {
		s.watch = s.startListener()
	}
	return s.watch.Watch(ctx), nil
}

// startListener starts the feed and waits until it listens (or its first
// attempt failed, when it goes on trying in the background), so that a
// change made right after Watch returns is not missed.
func (s *Store) startListener() *store.Feed {
	first := make(chan struct{})
	f := store.StartFeed(func(ctx context.Context, send func(store.Change)) {
		listenUntil(ctx, s.conf, first, send)
	})
	<-first
	return f
}

// listenUntil listens until ctx ends, connecting again whenever the
// connection is lost. first is closed after the first attempt.
func listenUntil(ctx context.Context, conf *pgx.ConnConfig, first chan struct{}, send func(store.Change)) {
	wait := reconnectFirst
	for attempt := 0; ; attempt++ {
		conn, err := listen(ctx, conf)
		if attempt == 0 {
			close(first)
		}
		if err == nil {
			if attempt > 0 {
				send(store.Change{What: store.ChangedAll})
			}
			wait = reconnectFirst
			receive(ctx, conn, send)
			conn.Close(context.Background())
		}
		if ctx.Err() != nil {
			return
		}
		// Jitter, so that the boxes of a team do not all come back at once.
		d := wait/2 + rand.N(wait)
		wait = min(wait*2, reconnectLatest)
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
	}
}

// listen opens a connection and listens on the channel.
func listen(ctx context.Context, conf *pgx.ConnConfig) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, conf)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(cctx, `LISTEN `+notifyChannel); err != nil {
		conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

// receive hands on notifications until the connection fails or ctx ends.
func receive(ctx context.Context, conn *pgx.Conn, send func(store.Change)) {
	for {
		wctx, cancel := context.WithTimeout(ctx, listenCheck)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case errors.Is(err, context.DeadlineExceeded):
			pctx, cancel := context.WithTimeout(ctx, ConnectTimeout)
			err = conn.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
		case err != nil:
			return
		default:
			if c, ok := parseChange(n.Payload); ok {
				send(c)
			}
		}
	}
}

// parseChange reads a trigger's payload, "KIND ACCOUNT"; ok is false for
// a change nothing reads (a seen mark).
func parseChange(payload string) (c store.Change, ok bool) {
	kind, account, _ := strings.Cut(payload, " ")
	switch kind {
	case "calls":
		return store.Change{What: store.ChangedCalls, Account: account}, true
	case "messages":
		return store.Change{What: store.ChangedMessages, Account: account}, true
	case "seen":
		return store.Change{}, false
	}
	return store.Change{What: store.ChangedAll}, true
}
