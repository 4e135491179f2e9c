package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/internal/pgtest"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/postgres"
	"github.com/frontdesk/frontdesk/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() (store.Store, error) {
		db := pgtest.NewDatabase(t)
		return func() (store.Store, error) { return postgres.Open(ctx, db.URL) }
	})
}

func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Boxes that start at the same time on a new database migrate it once.
func TestBoxesStartingTogetherMigrateOnce(t *testing.T) {
	db := pgtest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(ctx, db.URL)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var rows, version int
	if err := conn.QueryRow(ctx, `SELECT count(*), max(version) FROM schema_version`).Scan(&rows, &version); err != nil {
		t.Fatal(err)
	}
	if rows != 1 || version < 1 {
		t.Errorf("schema_version has %d rows, version %d", rows, version)
	}
}

func TestRefusesANewerSchema(t *testing.T) {
	db := pgtest.NewDatabase(t)
	open(t, db.URL).Close()
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE schema_version SET version = 999`); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(ctx, db.URL)
	if err == nil || !strings.Contains(err.Error(), "newer than this program") {
		t.Errorf("Open of a newer schema: %v", err)
	}
}

// The password of a history URL is never in an error, whatever goes wrong.
func TestErrorsNeverContainThePassword(t *testing.T) {
	const secret = "s3cr3t-PW"
	for name, url := range map[string]string{
		"no server":         "postgres://desk:" + secret + "@127.0.0.1:1/frontdesk?connect_timeout=2",
		"bad port":          "postgres://desk:" + secret + "@db.example:port/frontdesk",
		"password in query": "postgres://desk@127.0.0.1:1/frontdesk?password=" + secret + "&connect_timeout=2",
		"bad escape":        "postgres://desk:" + secret + "%zz@127.0.0.1/frontdesk",
	} {
		t.Run(name, func(t *testing.T) {
			// With no server, Open succeeds (the box waits for it) and
			// the first operation fails.
			s, err := postgres.Open(ctx, url)
			if err == nil {
				_, err = s.Messages(ctx, store.Scope{Accounts: []string{storetest.AcctA}}, store.MessageQuery{})
				s.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("the error shows the password: %v", err)
			}
			if r := postgres.Redact(url); strings.Contains(r, secret) {
				t.Errorf("Redact(%q) = %q", name, r)
			}
		})
	}
	if got := postgres.Redact("postgres://desk:" + secret + "@db.example:5432/frontdesk"); got != "postgres://desk:xxxxx@db.example:5432/frontdesk" {
		t.Errorf("Redact = %q", got)
	}
}

// While the network to the database is down, reads and writes fail with an
// error that does not show the password (the console queues its writes);
// when it is back, the same handles work again and the watch reports that
// anything may have changed, then hears every change as before.
func TestConnectionLostAndBack(t *testing.T) {
	db := pgtest.NewDatabase(t)
	net := db.Proxy(t)
	box1, box2 := open(t, net.URL()), open(t, net.URL())
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, err := box1.Watch(wctx)
	if err != nil {
		t.Fatal(err)
	}
	scopeA := store.Scope{Accounts: []string{storetest.AcctA}}
	if err := box2.Write(ctx, store.Batch{Calls: []model.CallRecord{storetest.Call(storetest.AcctA, "1", storetest.Base)}}); err != nil {
		t.Fatal(err)
	}
	waitChange(t, changes, "first call")

	net.Cut()
	second := storetest.Call(storetest.AcctA, "2", storetest.Base.Add(time.Hour))
	err = box2.Write(ctx, store.Batch{Calls: []model.CallRecord{second}})
	if err == nil {
		t.Fatal("a write over a cut network succeeded")
	}
	if strings.Contains(err.Error(), pgtest.ProxyPassword) {
		t.Errorf("the error shows the password: %v", err)
	}
	if _, err := box1.Calls(ctx, scopeA, model.CallQuery{}); err == nil {
		t.Fatal("a read over a cut network succeeded")
	}
	drain(changes)

	net.Mend(t)
	if c := waitChange(t, changes, "reconnected"); c.What != store.ChangedAll {
		t.Errorf("change after reconnecting = %+v, want everything", c)
	}
	if err := box2.Write(ctx, store.Batch{Calls: []model.CallRecord{second}}); err != nil {
		t.Fatalf("write after the network came back: %v", err)
	}
	if _, err := box2.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: "after the outage"}); err != nil {
		t.Fatal(err)
	}
	// The call written just before may be reported first.
	for c := waitChange(t, changes, "message after reconnecting"); c.What&store.ChangedMessages == 0; {
		c = waitChange(t, changes, "message after reconnecting")
	}
	got, err := box1.Calls(ctx, scopeA, model.CallQuery{})
	if err != nil || len(got) != 2 {
		t.Errorf("calls after the outage: %d, %v", len(got), err)
	}
}

// A box starts while the database is unreachable: it opens, fails each
// operation until the network is back, and then sets the schema up and
// works, its watch included.
func TestStartsWhileTheDatabaseIsDown(t *testing.T) {
	db := pgtest.NewDatabase(t)
	net := db.Proxy(t)
	net.Cut()
	box := open(t, net.URL())
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, err := box.Watch(wctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := box.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: "while down"}); err == nil {
		t.Fatal("a message was stored with the database down")
	}
	net.Mend(t)
	waitChange(t, changes, "reconnected")
	if _, err := box.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: "once it is up"}); err != nil {
		t.Fatal(err)
	}
	msgs, err := box.Messages(ctx, store.Scope{Accounts: []string{storetest.AcctA}}, store.MessageQuery{})
	if err != nil || len(msgs) != 1 {
		t.Errorf("messages = %+v, %v", msgs, err)
	}
}

// A refused login is an error at once, not a database to wait for.
func TestWrongDatabaseIsAnError(t *testing.T) {
	db := pgtest.NewDatabase(t)
	if _, err := postgres.Open(ctx, strings.Replace(db.URL, db.Name, "no_such_database", 1)); err == nil || !strings.Contains(err.Error(), "no_such_database") {
		t.Errorf("Open of a missing database: %v", err)
	}
}

// The feed says what changed and for which account, so a console of
// another account need not reload.
func TestChangesNameKindAndAccount(t *testing.T) {
	db := pgtest.NewDatabase(t)
	box1, box2 := open(t, db.URL), open(t, db.URL)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, err := box1.Watch(wctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := box2.AddMessage(ctx, model.Message{Account: storetest.AcctB, Text: "for B"}); err != nil {
		t.Fatal(err)
	}
	c := waitChange(t, changes, "message")
	if c.What != store.ChangedMessages || c.Account != storetest.AcctB {
		t.Errorf("change = %+v", c)
	}
	if c.Concerns(store.Scope{Accounts: []string{storetest.AcctA}}) {
		t.Error("a change of B's messages concerns a console of A")
	}
}

func waitChange(t *testing.T, changes <-chan store.Change, what string) store.Change {
	t.Helper()
	select {
	case c, ok := <-changes:
		if !ok {
			t.Fatalf("%s: the feed closed", what)
		}
		return c
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: no change reported", what)
	}
	return store.Change{}
}

func drain(ch <-chan store.Change) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// BenchmarkNotifyLatency measures how long a message taken on one box
// takes to reach another box's watch: the write's commit, the server's
// notification and the listener's hand-over.
func BenchmarkNotifyLatency(b *testing.B) {
	db := pgtest.NewDatabase(b)
	box1, err := postgres.Open(ctx, db.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer box1.Close()
	box2, err := postgres.Open(ctx, db.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer box2.Close()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	changes, err := box2.Watch(wctx)
	if err != nil {
		b.Fatal(err)
	}
	var worst time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		if _, err := box1.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: fmt.Sprint("message ", i)}); err != nil {
			b.Fatal(err)
		}
		select {
		case <-changes:
		case <-time.After(10 * time.Second):
			b.Fatal(errors.New("no notification"))
		}
		worst = max(worst, time.Since(start))
	}
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
}

// BenchmarkWriterCalls queues 20,000 ended calls through one writer into
// PostgreSQL, 100 at a time as the console hands them over, then flushes.
// Reported: calls stored per second.
func BenchmarkWriterCalls(b *testing.B) {
	const calls = 20_000
	for range b.N {
		db := pgtest.NewDatabase(b)
		s, err := postgres.Open(ctx, db.URL)
		if err != nil {
			b.Fatal(err)
		}
		w := store.NewWriter(s, 0)
		t0 := time.Now()
		for i := 0; i < calls; i += 100 {
			batch := make([]model.CallRecord, 100)
			for j := range batch {
				batch[j] = storetest.Call(storetest.AcctA, fmt.Sprint(i+j), storetest.Base.Add(time.Duration(i+j)*time.Minute))
			}
			w.AddCalls(batch)
		}
		if err := w.Close(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(calls/time.Since(t0).Seconds(), "calls/s")
		s.Close()
	}
}

// BenchmarkQuery runs the queries the console makes on 100,000 calls,
// with the planner's statistics as the server's autovacuum keeps them.
func BenchmarkQuery(b *testing.B) {
	db := pgtest.NewDatabase(b)
	s, err := postgres.Open(ctx, db.URL)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	storetest.Seed(b, s, 100_000)
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		b.Fatal(err)
	}
	_, err = conn.Exec(ctx, `VACUUM ANALYZE calls`)
	conn.Close(ctx)
	if err != nil {
		b.Fatal(err)
	}
	storetest.BenchmarkQueries(b, s)
}
