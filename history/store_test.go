package history

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// base is a fixed instant; times in tests are whole milliseconds so that
// they survive the round trip exactly.
var base = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

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

func entry(id string, start time.Time, dir Direction, outcome Outcome, number, name string) Entry {
	return Entry{
		CallID: id, Direction: dir, Outcome: outcome, Number: number, Name: name,
		Start: start, Ring: 5 * time.Second, Talk: 90 * time.Second, Hold: 10 * time.Second,
		Ended: start.Add(105 * time.Second),
	}
}

func mustAdd(t testing.TB, s *Store, es ...Entry) {
	t.Helper()
	for _, e := range es {
		if err := s.Add(e); err != nil {
			t.Fatalf("Add(%+v): %v", e, err)
		}
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
	mustAdd(t, s, entry("1", base, Inbound, OutcomeAnswered, "6465550101", "Alice"))
	if err := s.MarkSeen(base); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s2, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.Query(Filter{})
	if err != nil || len(got) != 1 || got[0].Name != "Alice" {
		t.Fatalf("after reopen: %+v, %v", got, err)
	}
	if seen, err := s2.LastSeen(); err != nil || !seen.Equal(base) {
		t.Errorf("LastSeen after reopen = %v, %v", seen, err)
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
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open of a text file succeeded")
	}
	if _, err := Open(t.TempDir()); err == nil {
		t.Fatal("Open of a directory succeeded")
	}
}

func TestDefaultPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/lib/desk")
	if p, err := DefaultPath(); err != nil || p != "/var/lib/desk/frontdesk/history.db" {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/reception")
	if p, err := DefaultPath(); err != nil || p != "/home/reception/.local/state/frontdesk/history.db" {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
}

func TestRoundTrip(t *testing.T) {
	s, _ := openTemp(t)
	in := Entry{
		CallID: "66517", DID: "2125550100", Direction: Inbound, Outcome: OutcomeAnswered,
		Number: "16465550101", Name: "Alice Adams", CLID: "ADAMS ALICE",
		Start: base.Add(1234 * time.Millisecond), Ring: 4500 * time.Millisecond,
		Talk: 2*time.Minute + 3*time.Millisecond, Hold: 30 * time.Second, Ended: base.Add(3 * time.Minute),
	}
	mustAdd(t, s, in)
	got, err := s.Query(Filter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("Query = %+v, %v", got, err)
	}
	out := got[0]
	if out.ID == 0 {
		t.Error("no id assigned")
	}
	if !out.Start.Equal(in.Start) || !out.Ended.Equal(in.Ended) {
		t.Errorf("times: %v %v, want %v %v", out.Start, out.Ended, in.Start, in.Ended)
	}
	out.ID, out.Start, out.Ended = 0, in.Start, in.Ended
	if !reflect.DeepEqual(out, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
	}
	if out.At() != in.Ended {
		t.Errorf("At = %v", out.At())
	}

	// An unknown end and an empty outcome.
	mustAdd(t, s, Entry{CallID: "x", Direction: Outbound, Start: base})
	got, _ = s.Query(Filter{Outbound: true})
	if len(got) != 1 || !got[0].Ended.IsZero() || got[0].Outcome != OutcomeUnknown || !got[0].At().Equal(base) {
		t.Errorf("partial entry = %+v", got)
	}
}

func TestAddIsIdempotent(t *testing.T) {
	s, _ := openTemp(t)
	e := entry("42", base, Inbound, OutcomeMissed, "6465550101", "Alice")
	mustAdd(t, s, e, e)

	// A re-sent end with more detail updates the row; blank text does not
	// erase what was known.
	e2 := e
	e2.Outcome, e2.Name, e2.CLID, e2.Talk = OutcomeAnswered, "", "ADAMS", time.Minute
	mustAdd(t, s, e2)
	got, err := s.Query(Filter{})
	if err != nil || len(got) != 1 {
		t.Fatalf("Query = %+v, %v", got, err)
	}
	if g := got[0]; g.Outcome != OutcomeAnswered || g.Name != "Alice" || g.CLID != "ADAMS" || g.Talk != time.Minute {
		t.Errorf("after re-add: %+v", g)
	}
	if got, _ := s.Query(Filter{Search: "adams"}); len(got) != 1 {
		t.Errorf("search after update: %+v", got)
	}
	if got, _ := s.Query(Filter{Search: "alice"}); len(got) != 1 {
		t.Errorf("search keeps the old name: %+v", got)
	}

	// Same call id, another start: another call.
	mustAdd(t, s, entry("42", base.Add(time.Hour), Inbound, OutcomeMissed, "6465550101", "Alice"))
	if got, _ := s.Query(Filter{}); len(got) != 2 {
		t.Errorf("%d rows, want 2", len(got))
	}
}

func TestAddRejectsBadEntries(t *testing.T) {
	s, _ := openTemp(t)
	for name, e := range map[string]Entry{
		"no id":        {Direction: Inbound, Start: base},
		"no start":     {CallID: "1", Direction: Inbound},
		"no direction": {CallID: "1", Start: base},
		"bad outcome":  {CallID: "1", Direction: Inbound, Start: base, Outcome: "dropped"},
	} {
		if err := s.Add(e); err == nil {
			t.Errorf("%s: Add succeeded", name)
		}
	}
}

func TestQueryFilters(t *testing.T) {
	s, _ := openTemp(t)
	mustAdd(t, s,
		entry("1", base.Add(1*time.Minute), Inbound, OutcomeAnswered, "16465550101", "Alice Adams"),
		entry("2", base.Add(2*time.Minute), Inbound, OutcomeMissed, "9175550102", "Bob Brown"),
		entry("3", base.Add(3*time.Minute), Outbound, OutcomeOutbound, "2125550103", "Carol Cho"),
		entry("4", base.Add(4*time.Minute), Inbound, OutcomeIgnored, "7185550104", ""),
		entry("5", base.Add(5*time.Minute), Inbound, OutcomeMissed, "6465550101", "Alice Adams"),
		entry("6", base.Add(6*time.Minute), Inbound, OutcomeMissed, "2208", "100% Legit_Co"),
	)
	e := entry("7", base.Add(7*time.Minute), Inbound, OutcomeAnswered, "4420794600", "")
	e.CLID, e.DID = "Zoë ÉCOLE", "2125550199"
	mustAdd(t, s, e)

	tests := []struct {
		name string
		f    Filter
		want string // call ids, newest first
	}{
		{"all", Filter{}, "7654321"},
		{"missed", Filter{Missed: true}, "652"},
		{"inbound", Filter{Inbound: true}, "765421"},
		{"outbound", Filter{Outbound: true}, "3"},
		{"missed or outbound", Filter{Missed: true, Outbound: true}, "6532"},
		{"since", Filter{Since: base.Add(5 * time.Minute)}, "765"},
		{"limit", Filter{Limit: 2}, "76"},
		{"offset", Filter{Limit: 2, Offset: 2}, "54"},
		{"offset without limit", Filter{Offset: 5}, "21"},
		{"name any case", Filter{Search: "aLiCe"}, "51"},
		{"name substring", Filter{Search: "bro"}, "2"},
		{"clid, unicode case", Filter{Search: "école"}, "7"},
		{"number digits", Filter{Search: "(646) 555"}, "51"},
		{"number with +1", Filter{Search: "+1 646-555-0101"}, "51"},
		{"extension", Filter{Search: "2208"}, "6"},
		{"percent", Filter{Search: "100%"}, "6"},
		{"percent is not a wildcard", Filter{Search: "1%t"}, ""},
		{"underscore", Filter{Search: "legit_co"}, "6"},
		{"underscore is not a wildcard", Filter{Search: "e_i"}, ""},
		{"did", Filter{DID: "2125550199"}, "7"},
		{"combined", Filter{Missed: true, Search: "alice", Since: base.Add(2 * time.Minute)}, "5"},
		{"no match", Filter{Search: "nobody"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Query(tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var ids strings.Builder
			for _, e := range got {
				ids.WriteString(e.CallID)
			}
			if ids.String() != tt.want {
				t.Errorf("Query(%+v) = %q, want %q", tt.f, ids.String(), tt.want)
			}
		})
	}
}

func TestMissedSinceAndSeen(t *testing.T) {
	s, _ := openTemp(t)
	if seen, err := s.LastSeen(); err != nil || !seen.IsZero() {
		t.Fatalf("LastSeen on a new store = %v, %v", seen, err)
	}
	mustAdd(t, s,
		entry("1", base, Inbound, OutcomeMissed, "1", ""),
		entry("2", base.Add(time.Hour), Inbound, OutcomeMissed, "2", ""),
		entry("3", base.Add(time.Hour), Inbound, OutcomeAnswered, "3", ""),
		Entry{CallID: "4", Direction: Inbound, Outcome: OutcomeMissed, Start: base.Add(2 * time.Hour)}, // end unknown
	)
	if n, err := s.MissedSince(time.Time{}); err != nil || n != 3 {
		t.Errorf("MissedSince(zero) = %d, %v", n, err)
	}
	if err := s.MarkSeen(base.Add(30 * time.Minute)); err != nil {
		t.Fatal(err)
	}
	seen, _ := s.LastSeen()
	if n, _ := s.MissedSince(seen); n != 2 {
		t.Errorf("missed since last seen = %d, want 2", n)
	}
	// A console with an older clock cannot move the mark back.
	if err := s.MarkSeen(base); err != nil {
		t.Fatal(err)
	}
	if seen2, _ := s.LastSeen(); !seen2.Equal(seen) {
		t.Errorf("mark moved back to %v", seen2)
	}
	if err := s.MarkSeen(base.Add(3 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	seen, _ = s.LastSeen()
	if n, _ := s.MissedSince(seen); n != 0 {
		t.Errorf("missed after looking = %d", n)
	}
}

func TestPrune(t *testing.T) {
	s, _ := openTemp(t)
	for i := range 10 {
		mustAdd(t, s, entry(fmt.Sprint(i), base.Add(time.Duration(i)*24*time.Hour), Inbound, OutcomeAnswered, "1", ""))
	}
	n, err := s.Prune(base.Add(4 * 24 * time.Hour))
	if err != nil || n != 4 {
		t.Fatalf("Prune = %d, %v; want 4", n, err)
	}
	got, _ := s.Query(Filter{})
	if len(got) != 6 || got[len(got)-1].CallID != "4" {
		t.Errorf("after prune: %d rows, oldest %s", len(got), got[len(got)-1].CallID)
	}
	if n, err := s.Prune(base); err != nil || n != 0 {
		t.Errorf("second prune = %d, %v", n, err)
	}
}

// TestTwoStoresWriteAtOnce has two stores (two connection pools, as two
// consoles would have) write to one file from several goroutines.
func TestTwoStoresWriteAtOnce(t *testing.T) {
	a, path := openTemp(t)
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	const perWriter = 30
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w, s := range []*Store{a, b, a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				e := entry(fmt.Sprintf("w%d-%d", w, i), base.Add(time.Duration(i)*time.Second), Inbound, OutcomeMissed, "6465550101", "")
				if err := s.Add(e); err != nil {
					errs <- err
					return
				}
				if i%10 == 0 {
					if _, err := s.Query(Filter{Missed: true, Limit: 5}); err != nil {
						errs <- err
						return
					}
					if err := s.MarkSeen(base.Add(time.Duration(i) * time.Second)); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, s := range []*Store{a, b} {
		if n, err := s.MissedSince(time.Time{}); err != nil || n != 4*perWriter {
			t.Errorf("count = %d, %v; want %d", n, err, 4*perWriter)
		}
	}
	if err := a.Check(); err != nil {
		t.Error(err)
	}
}

func TestMessages(t *testing.T) {
	s, _ := openTemp(t)
	m1 := Message{For: "Dana Whitfield", CallerName: "Hannah Brooks", CallerNumber: "6465550142", Text: "Lunch order 42 is late.", CallID: "66517", Created: base}
	m2 := Message{For: "Marcus Bell", CallerName: "Isabel Moreno", Text: "Call back about the proposal", Created: base.Add(time.Hour)}
	id1, err := s.AddMessage(m1)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := s.AddMessage(m2)
	if err != nil || id2 == id1 {
		t.Fatalf("AddMessage: %d, %v", id2, err)
	}
	if _, err := s.AddMessage(Message{For: "Dana"}); err == nil {
		t.Error("empty message accepted")
	}
	noTime, err := s.AddMessage(Message{Text: "no time given"})
	if err != nil {
		t.Fatal(err)
	}

	all, err := s.Messages(MessageFilter{})
	if err != nil || len(all) != 3 || all[0].ID != noTime || all[1].ID != id2 || all[2].ID != id1 {
		t.Fatalf("Messages = %+v, %v", all, err)
	}
	if time.Since(all[0].Created) > time.Hour {
		t.Errorf("zero Created not set to now: %v", all[0].Created)
	}
	m1.ID = id1
	got := all[2]
	if !got.Created.Equal(m1.Created) {
		t.Errorf("Created = %v", got.Created)
	}
	got.Created = m1.Created
	if !reflect.DeepEqual(got, m1) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, m1)
	}

	if err := s.MarkDone(id1, true); err != nil {
		t.Fatal(err)
	}
	open, _ := s.Messages(MessageFilter{OpenOnly: true})
	if len(open) != 2 {
		t.Errorf("open messages = %+v", open)
	}
	if forDana, _ := s.Messages(MessageFilter{For: "Dana Whitfield"}); len(forDana) != 1 || !forDana[0].Done {
		t.Errorf("messages for Dana = %+v", forDana)
	}
	if err := s.MarkDone(id1, false); err != nil {
		t.Fatal(err)
	}
	if open, _ := s.Messages(MessageFilter{OpenOnly: true, Limit: 2}); len(open) != 2 {
		t.Errorf("open after reopening, limit 2 = %+v", open)
	}
	if err := s.MarkDone(9999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkDone(unknown) = %v", err)
	}
}
