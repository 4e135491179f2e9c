package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/transport"
)

type fakeLister struct {
	calls []transport.Call
	err   error
}

func (f fakeLister) ListCalls(context.Context) ([]transport.Call, error) { return f.calls, f.err }

func TestCallsStripsControlCharacters(t *testing.T) {
	evil := "6465551234\x1b]0;owned\x07\x1b[2J"
	var b bytes.Buffer
	err := Calls(context.Background(), one(fakeLister{calls: []transport.Call{{ID: "1\x1b[31m", Ani: evil, State: "CONN\x1bNECTED"}}}), &b, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") {
		t.Errorf("control characters reached the output: %q", b.String())
	}
	if !strings.Contains(b.String(), "? ") {
		t.Errorf("unknown state not marked: %q", b.String())
	}
	line := CallLine(time.Now(), transport.Call{ID: "2", Ani: evil, State: "RINGING"}, func(string) (string, bool) { return "Eve\x1b[5m", true })
	if strings.ContainsAny(line, "\x1b\x07") {
		t.Errorf("control characters in the watch line: %q", line)
	}
}

func TestCallsJSONKeepsRawValues(t *testing.T) {
	var b bytes.Buffer
	err := Calls(context.Background(), one(fakeLister{calls: []transport.Call{{ID: "7", Ani: "1 (646) 555-1234", State: "CONNNECTED", Duration: 61}}}), &b, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []CallJSON
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Ani != "1 (646) 555-1234" || got[0].State != "CONNNECTED" || got[0].CLID != nil || got[0].Duration != 61 {
		t.Errorf("JSON = %+v", got)
	}
}

func TestCallsError(t *testing.T) {
	want := errors.New("boom")
	if err := Calls(context.Background(), one(fakeLister{err: want}), &bytes.Buffer{}, false, nil); !errors.Is(err, want) {
		t.Errorf("err = %v", err)
	}
}

func TestClock(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00", 61 * time.Second: "1:01", 3725 * time.Second: "1:02:05", -time.Second: "0:00"} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestConnLine(t *testing.T) {
	now := time.Now()
	got := ConnLine(transport.ConnState{Status: transport.ConnReconnecting, NextTry: now.Add(2 * time.Second), Attempt: 3, Err: errors.New("connection reset")}, now)
	if got != "connection: reconnecting in 2s (attempt 3): connection reset" {
		t.Errorf("ConnLine = %q", got)
	}
}

func TestVersion(t *testing.T) {
	if got := Version("v1.2.3", nil); !strings.HasPrefix(got, "frontdesk v1.2.3 (go") {
		t.Errorf("linked version: %q", got)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"}}}
	if got := Version("", info); !strings.HasPrefix(got, "frontdesk devel-0123456789ab-dirty (go1.26.8 ") {
		t.Errorf("vcs version: %q", got)
	}
	info = &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.4.0"}}
	if got := Version("", info); !strings.HasPrefix(got, "frontdesk v0.4.0 ") {
		t.Errorf("module version: %q", got)
	}
	if got := Version("", &debug.BuildInfo{GoVersion: "go1.26.8"}); !strings.HasPrefix(got, "frontdesk devel ") {
		t.Errorf("no version: %q", got)
	}
}

// one is a single, unnamed line.
func one[T any](phone T) []Line[T] { return []Line[T]{{Label: "6465551000", Phone: phone}} }

// liveStreamer runs until its context ends, handing on what is sent on
// events.
type liveStreamer struct{ events chan transport.Event }

func (l liveStreamer) Events() <-chan transport.Event { return l.events }

func (l liveStreamer) Run(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

// failedStreamer reports that it failed, and stops with err.
type failedStreamer struct {
	events chan transport.Event
	err    error
}

func (f failedStreamer) Events() <-chan transport.Event { return f.events }

func (f failedStreamer) Run(context.Context) error {
	f.events <- transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnFailed, Err: f.err}}
	return f.err
}

// A line that stops for good does not stop the others; Watch returns its
// error, named by its line, once stopped.
func TestWatchLineStopsOthersGoOn(t *testing.T) {
	refused := errors.New("refused")
	live := liveStreamer{make(chan transport.Event)}
	lines := []Line[Streamer]{
		{Label: "Acme", Account: "acme", Phone: live},
		{Label: "Lee & Co", Account: "lee", Phone: failedStreamer{make(chan transport.Event, 1), refused}},
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncbuffer.Buffer
	done := make(chan error, 1)
	go func() { done <- Watch(ctx, lines, &out, &errOut, false, nil) }()
	live.events <- transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: "7", Ani: "6465550101", State: "RINGING"}}
	// Once Lee's failure is out, Acme's events still are.
	until := func(cond func() bool) {
		t.Helper()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for !cond() {
			select {
			case err := <-done:
				t.Fatalf("Watch returned %v while a line was live; stdout %q, stderr %q", err, out.String(), errOut.String())
			case <-tick.C:
			}
		}
	}
	until(func() bool { return strings.Contains(errOut.String(), "Lee & Co: connection: failed: refused") })
	select {
	case err := <-done:
		t.Fatalf("Watch returned %v while a line was live", err)
	case live.events <- transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: "7", Ani: "6465550101", State: "CONNECTED"}}:
	}
	until(func() bool { return strings.Count(out.String(), "Acme      ") == 2 })
	cancel()
	if err := <-done; !errors.Is(err, refused) || !strings.HasPrefix(err.Error(), "Lee & Co: ") {
		t.Errorf("Watch error %v, want Lee's, named", err)
	}
}
