package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/history"
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
