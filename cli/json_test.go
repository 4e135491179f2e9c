package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// rawUnsafe lists characters a terminal would act on (C1 CSI, NEL) or that
// reorder or hide text (bidi override, isolate, zero-width joiner).
var rawUnsafe = []string{"\u009b", "\u0085", "\u202e", "\u2066", "\u200d"}

func checkTerminalSafe(t *testing.T, what string, out []byte) {
	t.Helper()
	for _, c := range rawUnsafe {
		if bytes.Contains(out, []byte(c)) {
			t.Errorf("%s prints %q raw:\n%s", what, c, out)
		}
	}
}

// The JSON outputs escape what the screen would strip, and still carry the
// exact values.
func TestJSONOutputsAreTerminalSafe(t *testing.T) {
	evil := "Bob\u009b31m \u202eevil\u2066 \u0085x\u200d"
	var b bytes.Buffer
	if err := Calls(context.Background(), one(fakeLister{calls: []transport.Call{{ID: "1", Ani: evil, State: "RINGING"}}}), &b, true, nil); err != nil {
		t.Fatal(err)
	}
	checkTerminalSafe(t, "calls --json", b.Bytes())
	var calls []CallJSON
	if err := json.Unmarshal(b.Bytes(), &calls); err != nil || len(calls) != 1 || calls[0].Ani != evil {
		t.Fatalf("calls --json does not read back: %v %+v", err, calls)
	}

	b.Reset()
	if err := WriteMessagesJSON(terminalSafe(&b), []model.Message{{CallerName: evil, Text: evil, Created: time.Unix(0, 0)}}); err != nil {
		t.Fatal(err)
	}
	checkTerminalSafe(t, "messages --json", b.Bytes())
	var msgs []jsonMessage
	if err := json.Unmarshal(b.Bytes(), &msgs); err != nil || len(msgs) != 1 || msgs[0].Text != evil {
		t.Fatalf("messages --json does not read back: %v %+v", err, msgs)
	}

	// watch --json: one line per event.
	b.Reset()
	events := make(chan transport.Event, 1)
	events <- transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: "2", Ani: evil, State: "RINGING"}}
	close(events)
	if err := Watch(context.Background(), one(fakeStreamer{events}), &b, &bytes.Buffer{}, true, nil); err != nil {
		t.Fatal(err)
	}
	checkTerminalSafe(t, "watch --json", b.Bytes())
	var line WatchJSON
	if err := json.Unmarshal(b.Bytes(), &line); err != nil || strings.Count(b.String(), "\n") != 1 || line.Call == nil || line.Call.Ani != evil {
		t.Fatalf("watch --json line %q: %v", b.String(), err)
	}
}

// fakeStreamer has its events queued and closed before it runs: Watch
// prints them whether it reads them first or after Run returns.
type fakeStreamer struct{ events chan transport.Event }

func (f fakeStreamer) Events() <-chan transport.Event { return f.events }

func (f fakeStreamer) Run(context.Context) error { return nil }
