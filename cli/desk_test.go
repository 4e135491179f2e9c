package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/history"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport/skysim"
	"github.com/frontdesk/frontdesk/tui"
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

func openStore(t *testing.T) *history.Store {
	t.Helper()
	s, err := history.Open(filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecordsRoundTrip(t *testing.T) {
	r := Records{Store: openStore(t), DID: "6465550100"}
	start := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	in := tui.CallRecord{Name: "Ada Whitfield", Entry: model.HistoryEntry{CallID: "66517", Ani: "16465550142",
		Outcome: model.OutcomeMissed, Start: start, End: start.Add(30 * time.Second), Ring: 30 * time.Second}}
	if err := r.AddCall(in); err != nil {
		t.Fatal(err)
	}
	out := tui.CallRecord{Name: "", Entry: model.HistoryEntry{CallID: "66518", Ani: "2125550187", Outbound: true,
		Outcome: model.OutcomeOutbound, Start: start.Add(time.Minute), End: start.Add(2 * time.Minute)}}
	if err := r.AddCall(out); err != nil {
		t.Fatal(err)
	}
	got, err := r.Calls(tui.CallQuery{Missed: true})
	if err != nil || len(got) != 1 {
		t.Fatalf("missed: %v %v", got, err)
	}
	g := got[0]
	if g.Name != "Ada Whitfield" || g.Entry.Ani != "16465550142" || g.Entry.Outcome != model.OutcomeMissed ||
		g.Entry.Outbound || !g.Entry.Start.Equal(start) || g.Entry.Duration() != 30*time.Second || g.Entry.DID != "6465550100" {
		t.Fatalf("round trip %+v", g)
	}
	if got, _ := r.Calls(tui.CallQuery{Search: "whit"}); len(got) != 1 {
		t.Fatalf("search by name: %v", got)
	}
	if got, _ := r.Calls(tui.CallQuery{Search: "555-0187"}); len(got) != 1 || !got[0].Entry.Outbound {
		t.Fatalf("search by number: %v", got)
	}
	if n, _ := r.MissedSince(time.Time{}); n != 1 {
		t.Fatalf("missed since: %d", n)
	}
	r.MarkSeen(start.Add(time.Hour))
	if n, _ := r.MissedSince(start.Add(time.Hour)); n != 0 {
		t.Fatalf("missed after seen: %d", n)
	}
}

func TestMessagesStoreListDoneExport(t *testing.T) {
	store := openStore(t)
	r := Records{Store: store}
	at := time.Date(2026, 3, 2, 14, 5, 0, 0, time.Local)
	id, err := r.AddMessage(tui.Message{For: "Dana Whitfield", CallerName: "Ada Whitfield", CallerNumber: "(646) 555-0142",
		Text: "Call back about the lease", CallID: "66517", Created: at})
	if err != nil {
		t.Fatal(err)
	}
	r.AddMessage(tui.Message{For: "Rachel Kim", CallerName: "Noah Feldman", Text: "Parcel at the desk", Created: at.Add(time.Minute)})
	msgs, _ := r.Messages()
	if len(msgs) != 2 || msgs[1].ID != id || msgs[1].CallID != "66517" {
		t.Fatalf("messages %+v", msgs)
	}
	if err := r.MarkDone(id, true); err != nil {
		t.Fatal(err)
	}

	var text bytes.Buffer
	if err := Messages(store, &text, false, false); err != nil {
		t.Fatal(err)
	}
	if s := text.String(); !strings.Contains(s, "[open]") || !strings.Contains(s, "Parcel at the desk") || strings.Contains(s, "lease") {
		t.Fatalf("open listing:\n%s", s)
	}
	text.Reset()
	Messages(store, &text, false, true)
	if s := text.String(); !strings.Contains(s, "[done] 2026-03-02 14:05  for Dana Whitfield") ||
		!strings.Contains(s, "from Ada Whitfield, (646) 555-0142") {
		t.Fatalf("full listing:\n%s", s)
	}
	var js bytes.Buffer
	Messages(store, &js, true, true)
	var decoded []history.Message
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil || len(decoded) != 2 || decoded[1].CallID != "66517" || !decoded[1].Done {
		t.Fatalf("json %s: %v", js.String(), err)
	}
	text.Reset()
	store2 := openStore(t)
	Messages(store2, &text, false, false)
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
