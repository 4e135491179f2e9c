package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/history"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
)

func TestMessagesCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	env := map[string]string{"FRONTDESK_HISTORY": db}
	r := runWith(t, context.Background(), env, "messages")
	if r.code != exitOK || r.stdout != "No open messages.\n" {
		t.Fatalf("empty: %+v", r)
	}
	store, err := history.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	id, _ := store.AddMessage(history.Message{For: "Dana Whitfield", CallerName: "Ada Whitfield", Text: "Lease", CallID: "66517", Created: at})
	store.AddMessage(history.Message{For: "Rachel Kim", Text: "Parcel", Created: at})
	store.MarkDone(id, true)
	store.Close()

	r = runWith(t, context.Background(), env, "messages")
	if r.code != exitOK || !strings.Contains(r.stdout, "Parcel") || strings.Contains(r.stdout, "Lease") {
		t.Fatalf("open only: %+v", r)
	}
	r = runWith(t, context.Background(), env, "messages", "--all", "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"call_id": "66517"`) || !strings.Contains(r.stdout, `"done": true`) {
		t.Fatalf("json: %+v", r)
	}
}

func TestConsoleDeskLoadsAndWatchesDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "frontdesk", "directory.csv")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("Name,Number\nAda Whitfield,(646) 555-0142\nNo Number,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var errOut syncbuffer.Buffer
	s := sys{getenv: func(k string) string { return map[string]string{"XDG_CONFIG_HOME": dir}[k] }, stderr: &errOut}
	var logBuf syncbuffer.Buffer
	logger := log.New(&logBuf)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := consoleDesk(ctx, &config.Config{Notify: true}, s, "frontdesk", logger, nil)
	if d.dir == nil || d.dir.Len() != 1 || d.skipped != 1 || !d.notify {
		t.Fatalf("desk %+v", d)
	}
	if !strings.Contains(logBuf.String(), "directory row skipped") {
		t.Fatalf("skipped row not logged: %s", logBuf.String())
	}
	later := time.Now().Add(2 * time.Second)
	if err := os.WriteFile(path, []byte("Name,Number\nAda Whitfield,(646) 555-0142\nGrace Liu,(415) 555-0108\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, later, later)
	select {
	case r := <-d.updates:
		if r.Err != nil || r.Dir.Len() != 2 || len(r.Rows) != 0 {
			t.Fatalf("reload %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reload after the file changed")
	}
}
