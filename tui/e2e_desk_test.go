package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// realRecords is the SQLite store in a temporary folder, as the console
// gets it: through one writer and the account's scope.
func realRecords(t *testing.T, did string) *store.Accounts {
	t.Helper()
	return openRecords(t, filepath.Join(t.TempDir(), "history.db"), did)
}

// openRecords opens the database at path as one console process would:
// its own handle, writer and scope.
func openRecords(t *testing.T, path, did string, opts ...sqlite.Option) *store.Accounts {
	t.Helper()
	db, err := sqlite.Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	w := store.NewWriter(db, 0)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() {
		cancel()
		ctx, stop := context.WithTimeout(context.Background(), time.Second)
		defer stop()
		w.Close(ctx) // a store that cannot be written keeps its queue
		db.Close()
	})
	return store.NewAccounts(ctx, w, store.Scope{Accounts: []string{did}})
}

// TestEndToEndDesk: a missed call from a contact is stored under the
// contact's name, shows in History, and is called back through the real
// stream; dial-by-name reaches the simulator with the contact's number.
func TestEndToEndDesk(t *testing.T) {
	const did, pin = "6465550100", "2468"
	rec := realRecords(t, did)
	pr, srv, _ := startEndToEnd(t, did, pin, Options{Records: rec, Directory: testDirectory(t)})
	pr.waitFor("● live")

	id := srv.Ring(did, "16465550142", nil)
	pr.waitFor("☎ ringing", "Ada Whitfield (Client")
	srv.SetState(did, id, "DELETED")
	pr.waitFor("1 missed")
	calls, _ := rec.Calls(model.CallQuery{Missed: true})
	if len(calls) != 1 || calls[0].Name != "Ada Whitfield" || calls[0].Outcome != model.OutcomeMissed {
		t.Fatalf("stored %+v", calls)
	}

	pr.key("tab")
	pr.waitFor("HISTORY", "✗ missed", "Ada Whitfield")
	pr.key("c")
	pr.waitFor("Call back Ada Whitfield on (646) 555-0142?")
	pr.key("enter")
	pr.waitFor("✓ Dialled Ada Whitfield")

	pr.key("D") // in History, / searches the history; D opens the directory
	pr.waitFor("Find:")
	pr.tm.Type("priya")
	pr.waitFor("Priya Raman")
	pr.key("enter")
	pr.waitFor("✓ Dialled Priya Raman")

	var dials []string
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdDial && len(r.Args) > 0 {
			dials = append(dials, r.Args[0])
		}
	}
	if len(dials) != 2 || dials[0] != "16465550142" || dials[1] != "9175550123" {
		t.Fatalf("server saw dials %v", dials)
	}
	pr.key("q")
	pr.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// A history that cannot be written (here the database is at its size
// limit, as on a full disk) is shown on screen: the header's mark and the
// reason in the status line; the console goes on working.
func TestEndToEndHistoryNotSaving(t *testing.T) {
	const did, pin = "6465550100", "2468"
	path := filepath.Join(t.TempDir(), "history.db")
	const pages = 40
	db, err := sqlite.Open(path, sqlite.MaxPages(pages))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ { // fill it
		err := db.Write(t.Context(), store.Batch{Calls: []model.CallRecord{{Account: did, CallID: "fill" + strconv.Itoa(i),
			Name: strings.Repeat("x", 300), Start: time.Now().Add(-time.Duration(i) * time.Hour)}}})
		if errors.Is(err, store.ErrFull) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	rec := openRecords(t, path, did, sqlite.MaxPages(pages))
	pr, srv, _ := startEndToEnd(t, did, pin, Options{Records: rec, Directory: testDirectory(t)})
	pr.waitFor("● live")
	id := srv.Ring(did, "16465550142", nil)
	pr.waitFor("☎ ringing")
	srv.SetState(did, id, "DELETED")
	pr.waitFor("history not saving", "History not saving, retrying", "the disk is full")
	id = srv.Ring(did, "19175550123", nil)
	pr.waitFor("☎ ringing", "Priya Raman")
	srv.SetState(did, id, "DELETED")
	pr.waitFor("No calls.", "save 2 calls")
	pr.key("q") // quitting waits for what cannot be saved, then gives up
	pr.waitFor("history writes before quitting")
	pr.tm.WaitFinished(t, teatest.WithFinalTimeout(10*time.Second))
}

// Two consoles (two handles on one database, as two processes have) see
// each other's messages and done marks without a key pressed, and a call
// both saw is one row.
func TestEndToEndConsolesShareOneDatabase(t *testing.T) {
	const did, pin = "6465550100", "2468"
	path := filepath.Join(t.TempDir(), "history.db")
	recA, recB := openRecords(t, path, did), openRecords(t, path, did)
	a, srv, _ := startEndToEnd(t, did, pin, Options{Records: recA, Directory: testDirectory(t)})
	b, _ := attachEndToEnd(t, srv, did, pin, Options{Records: recB, Directory: testDirectory(t)})
	a.waitFor("● live")
	b.waitFor("● live")

	id := srv.Ring(did, "16465550142", nil)
	a.waitFor("☎ ringing")
	b.waitFor("☎ ringing")
	srv.SetState(did, id, "DELETED")
	a.waitFor("1 missed")
	b.waitFor("1 missed")
	if calls, _ := recA.Calls(model.CallQuery{}); len(calls) != 1 {
		t.Fatalf("%d rows for one call seen by two consoles", len(calls))
	}
	// Marking the call handled on one clears the badge on both (one
	// account).
	a.key("tab")
	a.waitFor("HISTORY", "● open")
	a.key("x")
	a.waitFor("handled")
	b.poll("the badge cleared", func(frame string) bool { return !strings.Contains(frame, "missed ") })

	if _, err := recA.AddMessage(model.Message{For: "Dana Whitfield", Text: "Call back about the lease"}); err != nil {
		t.Fatal(err)
	}
	b.key("tab")
	b.key("tab")
	b.waitFor("Call back about the lease")
}

// A damaged database found when the console starts is said on screen.
func TestDamagedHistoryShownOnScreen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "history.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("not a database\n", 300)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(path)
	if !errors.Is(err, store.ErrDamaged) {
		t.Fatalf("open: %v", err)
	}
	pr := startProgram(t, 120, 24, colorprofile.ASCII, nil, func(o *Options) { o.HistoryOff = err })
	pr.waitFor("history not saving", "History is off:", "the database is damaged")
}

// attachEndToEnd starts another console, with its own stream, on the
// running simulator srv: a second console process on the same account.
func attachEndToEnd(t *testing.T, srv *skysim.Server, did, pin string, opts Options) (*program, context.Context) {
	t.Helper()
	return startConsoleOn(t, transport.Account{Server: srv.URL(), User: did, PIN: transport.Secret(pin)}, opts)
}
