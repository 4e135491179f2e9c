package main

import (
	"context"
	"encoding/json"
	"maps"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
	"github.com/frontdesk/frontdesk/tui"
)

// TestStatsAfterAScriptedDay runs the console against the simulator
// through a day of calls (one answered, two missed, one ignored from the
// keyboard, one placed from the phone), each recorded by the console in
// the history database; then `frontdesk stats --json` reads them back.
func TestStatsAfterAScriptedDay(t *testing.T) {
	srv, env := startSim(t)
	env[config.EnvHistory] = filepath.Join(t.TempDir(), "history.db")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	stored := func() int {
		s, err := sqlite.Open(env[config.EnvHistory], sqlite.ReadOnly())
		if err != nil {
			return 0
		}
		defer s.Close()
		rows, _ := s.Calls(context.Background(), store.Scope{Accounts: []string{env[config.EnvUser]}, Unowned: true}, model.CallQuery{})
		return len(rows)
	}
	orig := runConsole
	t.Cleanup(func() { runConsole = orig })
	runConsole = func(ctx context.Context, opts tui.Options) error {
		d := consoletest.New(tui.New(opts), 100, 30, consoletest.Options{})
		defer d.Close()
		screen := screenShows(t, ctx, d)
		screen("● live")
		end := func(id string, calls int) {
			t.Helper()
			srv.SetState(testDID, id, "DELETED")
			waitFor(t, ctx, func() bool { return stored() == calls }, func() string { return "calls stored: " + strconv.Itoa(stored()) })
		}

		// Answered on the handset.
		id := srv.Ring(testDID, "6465550142", nil)
		screen("(646) 555-0142")
		srv.SetState(testDID, id, "CONNECTED")
		screen("connected")
		end(id, 1)
		// Two missed.
		id = srv.Ring(testDID, "2125550187", nil)
		screen("(212) 555-0187")
		end(id, 2)
		id = srv.Ring(testDID, "2125550188", nil)
		screen("(212) 555-0188")
		end(id, 3)
		// Ignored from the keyboard: the only call, so the selected one.
		srv.Ring(testDID, "9175550123", nil)
		screen("(917) 555-0123")
		d.Send(tea.KeyPressMsg{Code: 'i', Text: "i"})
		waitFor(t, ctx, func() bool { return stored() == 4 }, func() string { return d.View().Content })
		// Placed from the phone.
		id = srv.Dial(testDID, "7185550166")
		screen("(718) 555-0166")
		srv.SetState(testDID, id, "CONNECTED")
		screen("connected")
		end(id, 5)
		return nil
	}
	if r := runWith(t, ctx, env); r.code != exitOK {
		t.Fatalf("console: %+v", r)
	}

	r := runWith(t, ctx, env, "stats", "--json")
	if r.code != exitOK {
		t.Fatalf("stats: %+v", r)
	}
	var got struct {
		Day                  string  `json:"day"`
		Calls                int     `json:"calls"`
		Answered             int     `json:"answered"`
		Missed               int     `json:"missed"`
		Ignored              int     `json:"ignored"`
		Outbound             int     `json:"outbound"`
		AverageAnswerSeconds float64 `json:"average_answer_seconds"`
		LongestWaitSeconds   float64 `json:"longest_wait_seconds"`
		ByHour               []int   `json:"by_hour"`
		Lines                []struct {
			Line  string `json:"line"`
			Calls int    `json:"calls"`
		} `json:"lines"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stats --json is not one JSON object: %v\n%s", err, r.stdout)
	}
	if got.Day != time.Now().Format(time.DateOnly) || got.Calls != 5 || got.Answered != 1 || got.Missed != 2 || got.Ignored != 1 || got.Outbound != 1 {
		t.Errorf("stats = %+v\n%s", got, r.stdout)
	}
	sum := 0
	for _, n := range got.ByHour {
		sum += n
	}
	if len(got.ByHour) != 24 || sum != 5 {
		t.Errorf("by_hour = %v", got.ByHour)
	}
	if len(got.Lines) != 1 || got.Lines[0].Line != model.FormatNumber(testDID) || got.Lines[0].Calls != 5 {
		t.Errorf("lines = %+v", got.Lines)
	}

	// Another day has no calls; a malformed day is a usage error.
	if r := runWith(t, ctx, env, "stats", "--json", "--day", "2001-02-03"); r.code != exitOK || !strings.Contains(r.stdout, `"answered": 0`) {
		t.Errorf("another day: %+v", r)
	}
	if r := runWith(t, ctx, env, "stats", "--day", "yesterday"); r.code != exitUsage || !strings.Contains(r.stderr, "YYYY-MM-DD") {
		t.Errorf("bad --day: %+v", r)
	}
	if r := runWith(t, ctx, env, "stats"); r.code != exitOK || !strings.Contains(r.stdout, "all lines") {
		t.Errorf("text: %+v", r)
	}
}

// TestStatsNamesLinesAsToday: `frontdesk stats` counts the calls of the
// shared office under the lines the console's Today shows (see
// tui.TestTodayNamesLinesByTheirLabels): the [[line]] of the number
// dialled (its CLID, else its DID), else the account's label, else the
// number formatted.
func TestStatsNamesLinesAsToday(t *testing.T) {
	_, url := officeSim(t)
	history := filepath.Join(t.TempDir(), "history.db")
	env := map[string]string{config.EnvConfig: officeConfig(t, url, leePIN), config.EnvHistory: history}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	db, err := sqlite.Open(history)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now()
	calls := []model.CallRecord{
		{Account: acmeDID, CallID: "1", DID: acmeDID, Outcome: model.OutcomeAnswered},
		{Account: acmeDID, CallID: "2", DID: orthoNumber, Outcome: model.OutcomeMissed},
		{Account: acmeDID, CallID: "3", CLID: "(212) 555-0000", HasCLID: true, DID: acmeDID, Outcome: model.OutcomeAnswered},
		{Account: leeDID, CallID: "4", DID: leeDID, Outcome: model.OutcomeAnswered},
		{Account: leeDID, CallID: "5", DID: "(212) 555-0200", Outcome: model.OutcomeAnswered},
		{Account: leeDID, CallID: "6", DID: "9175550000", Outcome: model.OutcomeIgnored},
	}
	for i := range calls {
		calls[i].Start, calls[i].End = at, at
	}
	err = db.Write(ctx, store.Batch{Calls: calls})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]int{"Acme Dental": 1, "Acme Ortho": 2, "Lee & Co": 2, "(917) 555-0000": 1}
	r := runWith(t, ctx, env, "stats", "--json")
	if r.code != exitOK {
		t.Fatalf("stats: %+v", r)
	}
	var got struct {
		Lines []struct {
			Line  string `json:"line"`
			Calls int    `json:"calls"`
		} `json:"lines"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stats --json is not one JSON object: %v\n%s", err, r.stdout)
	}
	byLine := map[string]int{}
	for _, l := range got.Lines {
		byLine[l.Line] = l.Calls
	}
	if !maps.Equal(byLine, want) {
		t.Errorf("lines = %v, want %v\n%s", byLine, want, r.stdout)
	}

	r = runWith(t, ctx, env, "stats")
	if r.code != exitOK {
		t.Fatalf("stats: %+v", r)
	}
	for line, n := range want {
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(line) + `\s+` + strconv.Itoa(n) + ` `).MatchString(r.stdout) {
			t.Errorf("no row %q with %d calls:\n%s", line, n, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "(212) 555") || strings.Contains(r.stdout, "212555") {
		t.Errorf("a line named by its DID:\n%s", r.stdout)
	}
}
