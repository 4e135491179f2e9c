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
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
)

func TestMessagesCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "h.db")
	env := map[string]string{"FRONTDESK_HISTORY": db}
	r := runWith(t, context.Background(), env, "messages")
	if r.code != exitOK || r.stdout != "No open messages.\n" {
		t.Fatalf("empty: %+v", r)
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	id, _ := st.AddMessage(ctx, model.Message{For: "Dana Whitfield", CallerName: "Ada Whitfield", Text: "Lease", CallID: "66517", Created: at})
	st.AddMessage(ctx, model.Message{For: "Rachel Kim", Text: "Parcel", Created: at})
	st.MarkDone(ctx, store.Scope{Unowned: true}, id, true)
	st.Close()

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

// Each account sees its own messages: --account chooses the
// [[account]], the top-level account also sees messages kept before
// messages had accounts, and --json says whose each one is.
func TestMessagesCommandPerAccount(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	cfg := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfg, []byte(`user = "2125550100"
history = "h.db"

[[account]]
name = "sales"
user = "2125550200"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	for _, m := range []model.Message{
		{Account: "2125550100", Text: "For the front desk", Created: at},
		{Account: "2125550200", Text: "For sales", Created: at},
		{Text: "Kept before accounts", Created: at},
	} {
		if _, err := st.AddMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	env := map[string]string{"FRONTDESK_CONFIG": cfg}
	r := runWith(t, ctx, env, "messages")
	if r.code != exitOK || !strings.Contains(r.stdout, "For the front desk") || !strings.Contains(r.stdout, "Kept before accounts") || strings.Contains(r.stdout, "For sales") {
		t.Fatalf("top-level account: %+v", r)
	}
	r = runWith(t, ctx, env, "messages", "--account", "sales", "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, `"account": "2125550200"`) || strings.Contains(r.stdout, "front desk") || strings.Contains(r.stdout, "Kept before") {
		t.Fatalf("sales: %+v", r)
	}
	r = runWith(t, ctx, env, "messages", "--account", "nobody")
	if r.code != exitUsage || !strings.Contains(r.stderr, "nobody") {
		t.Fatalf("unknown account: %+v", r)
	}
}
