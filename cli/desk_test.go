package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

func TestDemoDirectoryNamesEveryDemoCaller(t *testing.T) {
	d, err := DemoDirectory()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range skysim.DemoContacts() {
		raw := c.Extension
		if c.Number != "" {
			raw = model.Digits(c.Number)
			if len(raw) == 10 {
				raw = "1" + raw // as the API sends it
			} else {
				raw = "011" + raw
			}
		}
		got, ok := d.Lookup(raw)
		if !ok || got.Name != c.Name {
			t.Errorf("%s (%s): found %q %v", c.Name, raw, got.Name, ok)
		}
	}
}

func exportMessages() []model.Message {
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return []model.Message{
		{ID: 2, Account: "2125550100", For: "Dana Whitfield", CallerName: "Hannah Brooks", CallerNumber: "(646) 555-0142",
			Text: "Lunch order 42 is late.\r\nPlease call back\x1b[2J before 3.", CallID: "66517", Created: base.Add(5*time.Hour + 5*time.Minute)},
		{ID: 1, For: "", CallerName: "", CallerNumber: "9175550163", Text: "Will try again tomorrow", Created: base, Done: true},
	}
}

func TestWriteMessagesText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMessagesText(&buf, exportMessages()); err != nil {
		t.Fatal(err)
	}
	want := `[open] 2026-03-02 14:05  for Dana Whitfield
       from Hannah Brooks, (646) 555-0142
       Lunch order 42 is late.
       Please call back[2J before 3.

[done] 2026-03-02 09:00
       from 9175550163
       Will try again tomorrow
`
	if buf.String() != want {
		t.Errorf("WriteMessagesText:\n%s\nwant:\n%s", buf.String(), want)
	}
	buf.Reset()
	if err := WriteMessagesText(&buf, nil); err != nil || buf.Len() != 0 {
		t.Errorf("WriteMessagesText(nil) = %q, %v", buf.String(), err)
	}
}

func TestWriteMessagesJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMessagesJSON(&buf, exportMessages()); err != nil {
		t.Fatal(err)
	}
	var fields []map[string]any
	if err := json.Unmarshal(buf.Bytes(), &fields); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, buf.String())
	}
	if got := fields[0]; got["for"] != "Dana Whitfield" || got["caller_number"] != "(646) 555-0142" || got["account"] != "2125550100" ||
		got["created"] != "2026-03-02T14:05:00Z" || got["done"] != false || got["call_id"] != "66517" || got["id"] != 2.0 {
		t.Errorf("first message fields = %v", got)
	}
	if _, ok := fields[1]["call_id"]; ok {
		t.Errorf("empty call_id written: %v", fields[1])
	}
	if got, ok := fields[1]["account"]; !ok || got != "" {
		t.Errorf("a message without an account must say so: %v", fields[1])
	}
	buf.Reset()
	if err := WriteMessagesJSON(&buf, nil); err != nil || buf.String() != "[]\n" {
		t.Errorf("WriteMessagesJSON(nil) = %q, %v", buf.String(), err)
	}
}

func TestMessagesListsOnlyTheScope(t *testing.T) {
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	id, _ := db.AddMessage(ctx, model.Message{Account: "2125550100", For: "Dana Whitfield", CallerName: "Ada Whitfield", CallerNumber: "(646) 555-0142",
		Text: "Call back about the lease", CallID: "66517", Created: at})
	db.AddMessage(ctx, model.Message{Account: "2125550100", For: "Rachel Kim", CallerName: "Noah Feldman", Text: "Parcel at the desk", Created: at.Add(time.Minute)})
	db.AddMessage(ctx, model.Message{Account: "2125550200", For: "Other desk", Text: "Not yours", Created: at})
	a := store.Scope{Accounts: []string{"2125550100"}}
	if err := db.MarkDone(ctx, a, id, true); err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := Messages(ctx, db, a, &text, false, false); err != nil {
		t.Fatal(err)
	}
	if s := text.String(); !strings.Contains(s, "[open]") || !strings.Contains(s, "Parcel at the desk") || strings.Contains(s, "lease") || strings.Contains(s, "Not yours") {
		t.Fatalf("open listing:\n%s", s)
	}
	text.Reset()
	Messages(ctx, db, a, &text, false, true)
	if s := text.String(); !strings.Contains(s, "[done] 2026-03-02 14:05  for Dana Whitfield") || strings.Contains(s, "Not yours") {
		t.Fatalf("full listing:\n%s", s)
	}
	text.Reset()
	Messages(ctx, db, store.Scope{Accounts: []string{"2125550300"}}, &text, false, false)
	if text.String() != "No open messages.\n" {
		t.Fatalf("empty listing %q", text.String())
	}
}

func TestDirectoryPathDefault(t *testing.T) {
	dir := t.TempDir()
	env := func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return ""
	}
	if got := DirectoryPath("", env); got != "" {
		t.Fatalf("no file: %q", got)
	}
	if got := DirectoryPath("/x/y.csv", env); got != "/x/y.csv" {
		t.Fatalf("configured: %q", got)
	}
}
