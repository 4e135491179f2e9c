package sqlite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/storetest"
)

var (
	ctx    = context.Background()
	base   = storetest.Base
	scopeA = store.Scope{Accounts: []string{storetest.AcctA}}
)

func TestStoreSuite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) func() (store.Store, error) {
		path := filepath.Join(t.TempDir(), "history.db")
		return func() (store.Store, error) { return Open(path) }
	})
}

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state", "frontdesk", "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func mustWrite(t testing.TB, s *Store, calls ...model.CallRecord) {
	t.Helper()
	if err := s.Write(ctx, store.Batch{Calls: calls}); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func TestOpen(t *testing.T) {
	s, path := openTemp(t)
	if st, err := os.Stat(filepath.Dir(path)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, %v; want 0700", st.Mode().Perm(), err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if s.Path() != path {
		t.Errorf("Path = %q, want %q", s.Path(), path)
	}
	for pragma, want := range map[string]string{
		"journal_mode": "wal",
		"busy_timeout": "5000",
		"synchronous":  "1", // NORMAL
		"user_version": fmt.Sprint(len(migrations)),
	} {
		var got string
		if err := s.db.QueryRow("PRAGMA " + pragma).Scan(&got); err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
	if _, err := Open(""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	s, path := openTemp(t)
	mustWrite(t, s, storetest.Call(storetest.AcctA, "1", base))
	s.Close()
	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Calls(ctx, store.Scope{Accounts: []string{storetest.AcctA}}, model.CallQuery{})
	if err != nil || len(got) != 1 {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s2, err := Open(path); err == nil || !strings.Contains(err.Error(), "newer") {
		if s2 != nil {
			s2.Close()
		}
		t.Fatalf("Open of a newer schema: %v", err)
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path); !errors.Is(err, store.ErrDamaged) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open of a text file: %v, want ErrDamaged", err)
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Fatal("Open of a directory succeeded")
	}
}

// A database whose pages were overwritten is reported as damaged when it
// is opened, with SQLite's own account of the damage, and so is one
// damaged beyond reading.
func TestDamagedDatabaseIsReported(t *testing.T) {
	s, path := openTemp(t)
	var batch store.Batch
	for i := range 2000 {
		c := storetest.Call(storetest.AcctA, fmt.Sprint(i), base.Add(time.Duration(i)*time.Hour))
		c.Name = strings.Repeat("x", 100)
		batch.Calls = append(batch.Calls, c)
	}
	if err := s.Write(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Scribble over pages in the middle, leaving the header (page 1) and
	// the schema intact.
	for i := len(data) / 2; i < len(data)/2+8192; i++ {
		data[i] = 0x5a
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(path)
	if err == nil {
		s2.Close()
		t.Fatal("a damaged database opened without complaint")
	}
	if !errors.Is(err, store.ErrDamaged) || !strings.Contains(err.Error(), path) {
		t.Fatalf("damaged database: %v", err)
	}
}

// Migrating a database of the first schema keeps every row: calls take
// their line as their account, messages stay unowned. (The old seen mark
// is migrated too, though nothing reads it any more.)
func TestMigrationKeepsRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Rebuild the file as the first schema with rows in it.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	old, err := openAt(path, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO calls (call_id, did, direction, outcome, number, digits, name, clid, folded, start_ms, ring_ms, talk_ms, hold_ms, ended_ms)
			VALUES ('1', '` + storetest.AcctA + `', 'inbound', 'missed', '6465550101', '6465550101', 'Alice', '', 'alice' || char(10), ` + fmt.Sprint(base.UnixMilli()) + `, 5000, 0, 0, ` + fmt.Sprint(base.Add(5*time.Second).UnixMilli()) + `)`,
		`INSERT INTO calls (call_id, did, direction, outcome, number, digits, name, clid, folded, start_ms, ring_ms, talk_ms, hold_ms, ended_ms)
			VALUES ('2', '', 'outbound', 'outbound', '2125550103', '2125550103', '', '', char(10), ` + fmt.Sprint(base.Add(time.Hour).UnixMilli()) + `, 0, 60000, 0, NULL)`,
		`INSERT INTO meta (key, value) VALUES ('last_seen', ` + fmt.Sprint(base.Add(-time.Hour).UnixMilli()) + `)`,
		`INSERT INTO messages (for_whom, caller_name, caller_number, text, call_id, created_ms, done)
			VALUES ('Dana', 'Hannah', '6465550142', 'Lunch is late', '1', ` + fmt.Sprint(base.UnixMilli()) + `, 0)`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	s, err = Open(path)
	if err != nil {
		t.Fatalf("migrating: %v", err)
	}
	defer s.Close()
	a := store.Scope{Accounts: []string{storetest.AcctA}}
	if got, _ := s.Calls(ctx, a, model.CallQuery{}); len(got) != 1 || got[0].CallID != "1" || got[0].Account != storetest.AcctA || got[0].Name != "Alice" {
		t.Errorf("A's calls after migration: %+v", got)
	}
	unowned := store.Scope{Unowned: true}
	if got, _ := s.Calls(ctx, unowned, model.CallQuery{}); len(got) != 1 || got[0].CallID != "2" || !got[0].End.IsZero() {
		t.Errorf("unowned calls after migration: %+v", got)
	}
	if msgs, _ := s.Messages(ctx, a, store.MessageQuery{}); len(msgs) != 0 {
		t.Errorf("an account without the unowned scope sees old messages: %+v", msgs)
	}
	if msgs, _ := s.Messages(ctx, store.Scope{Accounts: []string{storetest.AcctA}, Unowned: true}, store.MessageQuery{}); len(msgs) != 1 || msgs[0].Text != "Lunch is late" || msgs[0].Account != "" {
		t.Errorf("old messages after migration: %+v", msgs)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// Migration 6 swaps the open missed count's indexes and keeps every row:
// each call and message reads as before, and the same calls are open.
func TestOpenMissedIndexMigrationKeepsRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	old, err := openAt(path, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range storetest.MigrationCalls() {
		if _, err := old.Exec(insertCall, callArgs(c)...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.Exec(`UPDATE calls SET handled_ms = ?, handled_by = 'dana' WHERE call_id = '5'`, ms(storetest.MigrationHandled)); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`INSERT INTO messages (account, for_whom, text, created_ms) VALUES (?, 'Dana', 'call back', ?)`, storetest.AcctA, ms(base)); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err := Open(path)
	if err != nil {
		t.Fatalf("migrating: %v", err)
	}
	defer s.Close()
	storetest.CheckMigrationCalls(t, s)
	if msgs, err := s.Messages(ctx, scopeA, store.MessageQuery{}); err != nil || len(msgs) != 1 || msgs[0].Text != "call back" {
		t.Errorf("messages after the migration = %+v, %v", msgs, err)
	}
	var indexes []string
	rows, err := s.db.Query(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		indexes = append(indexes, name)
	}
	if got, want := strings.Join(indexes, " "), "calls_by_account calls_by_call calls_by_start calls_connected_by_number calls_unhandled_missed"; got != want {
		t.Errorf("calls' indexes after the migration: %s; want %s", got, want)
	}
	if err := s.Check(); err != nil {
		t.Error(err)
	}
}

// A command that only reads can read a database it cannot write.
func TestReadOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "history.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: "call back", Created: base}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if os.Getuid() != 0 { // root writes whatever the mode says
		if err := os.Chmod(path, 0o400); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
	}
	ro, err := Open(path, ReadOnly())
	if err != nil {
		t.Fatalf("read-only open: %v", err)
	}
	defer ro.Close()
	msgs, err := ro.Messages(ctx, store.Scope{Accounts: []string{storetest.AcctA}}, store.MessageQuery{})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("read-only messages: %+v, %v", msgs, err)
	}
	if _, err := ro.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: "x"}); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("write to a read-only store: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "absent.db"), ReadOnly()); err == nil {
		t.Error("read-only open of a missing file succeeded")
	}
}

// Two handles on one file write in turns: while one writes, the other's
// write waits for it (giving up with its context, having written nothing)
// rather than racing it for SQLite's lock, and goes ahead once it is done.
func TestHandlesOfOneFileWriteInTurns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	a, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	done, err := a.takeTurn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	call := storetest.Call(storetest.AcctA, "1", base)
	if err := b.Write(wctx, store.Batch{Calls: []model.CallRecord{call}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("write during the other handle's turn: %v; want it to wait until its deadline", err)
	}
	done()
	if got, err := a.Calls(ctx, scopeA, model.CallQuery{}); err != nil || len(got) != 0 {
		t.Fatalf("calls after the write gave up = %d, %v; want none", len(got), err)
	}
	if err := b.Write(ctx, store.Batch{Calls: []model.CallRecord{call}}); err != nil {
		t.Fatalf("write after the turn: %v", err)
	}
	if got, err := a.Calls(ctx, scopeA, model.CallQuery{}); err != nil || len(got) != 1 {
		t.Fatalf("calls = %d, %v; want 1", len(got), err)
	}
}

// A database at its size limit reports store.ErrFull, as a full disk
// does, and works again once there is room.
func TestFullDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	s, err := Open(path, MaxPages(40))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var err2 error
	for i := 0; i < 10000 && err2 == nil; i++ {
		c := storetest.Call(storetest.AcctA, fmt.Sprint(i), base.Add(time.Duration(i)*time.Hour))
		c.Name = strings.Repeat("n", 500)
		err2 = s.Write(ctx, store.Batch{Calls: []model.CallRecord{c}})
	}
	if !errors.Is(err2, store.ErrFull) {
		t.Fatalf("writing past the limit: %v, want ErrFull", err2)
	}
	if _, err := s.AddMessage(ctx, model.Message{Account: storetest.AcctA, Text: strings.Repeat("m", 20000)}); !errors.Is(err, store.ErrFull) {
		t.Errorf("message on a full database: %v", err)
	}
	if n, err := s.Prune(ctx, base.Add(1000*time.Hour)); err != nil || n == 0 {
		t.Fatalf("prune on a full database: %d, %v", n, err)
	}
	mustWrite(t, s, storetest.Call(storetest.AcctA, "after", base))
}
