package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/stats"
)

// todayCalls is a scripted morning on two lines.
func todayCalls(day time.Time) []model.CallRecord {
	at := func(h, m int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, day.Location())
	}
	c := func(did string, start time.Time, o model.Outcome, ring time.Duration, last model.State) model.CallRecord {
		return model.CallRecord{CallID: start.Format("1504") + did, DID: did, Start: start, Outcome: o, Ring: ring,
			Outbound: o == model.OutcomeOutbound, LastState: last}
	}
	return []model.CallRecord{
		c("6465550100", at(8, 55), model.OutcomeAnswered, 8*time.Second, model.StateConnected),
		c("6465550100", at(9, 10), model.OutcomeAnswered, 14*time.Second, model.StateConnected),
		c("6465550100", at(9, 20), model.OutcomeMissed, 52*time.Second, model.StateRinging),
		c("6465550100", at(9, 45), model.OutcomeOutbound, 6*time.Second, model.StateConnected),
		c("6465550100", at(10, 5), model.OutcomeAnswered, 21*time.Second, model.StateHolding),
		c("2125550000", at(10, 30), model.OutcomeIgnored, 4*time.Second, model.StateRinging),
		c("2125550000", at(11, 0), model.OutcomeAnswered, 9*time.Second, model.StateConnected),
	}
}

func TestTodayViewGolden(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		noColor bool
		w, h    int
		calls   bool
	}{
		{"colour", false, 90, 24, true},
		{"nocolor", true, 90, 24, true},
		{"narrow", false, 50, 20, true},
		{"empty", false, 90, 12, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := New(Options{Now: func() time.Time { return now }, NoColor: tc.noColor})
			v := todayView{sh: m.sh}
			v.setSize(tc.w, tc.h)
			var calls []model.CallRecord
			if tc.calls {
				calls = todayCalls(now)
			}
			v.take(stats.Compute(now, calls, m.lines.entryLabel))
			lines := v.lines()
			if len(lines) != tc.h {
				t.Fatalf("%d lines, want %d", len(lines), tc.h)
			}
			for i, l := range lines {
				if ansi.StringWidth(l) > tc.w {
					t.Errorf("line %d wider than %d: %q", i, tc.w, ansi.Strip(l))
				}
			}
			out := strings.Join(lines, "\n")
			plain := ansi.Strip(out)
			if tc.calls {
				// The total row: 7 calls, 4 answered, 1 missed, 1 ignored, 1
				// out, 1 ended on hold, 13 s to answer on average (8, 14, 21
				// and 9 s), 52 s the longest wait.
				if !containsAll(plain, []string{"All lines", "(646) 555", "(212) 555", "0:13", "TODAY · Tuesday 1 December"}) {
					t.Errorf("figures missing:\n%s", plain)
				}
			} else if !strings.Contains(plain, "No calls yet today.") {
				t.Errorf("empty day:\n%s", plain)
			}
			if tc.calls && tc.w >= 90 && !containsAll(plain, []string{"(646) 555-0100", "0:52", "IGNORED", "ON HOLD"}) {
				t.Errorf("a wide view misses columns:\n%s", plain)
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func TestLoadTodayReadsTheDaysCalls(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 30, 0, 0, time.UTC)
	r := &memRecords{}
	for _, e := range append(todayCalls(now), model.CallRecord{CallID: "y", Start: now.Add(-24 * time.Hour), Outcome: model.OutcomeMissed}) {
		r.SaveCalls([]model.CallRecord{e})
	}
	msg, ok := loadToday(r, now, &lineSet{})().(todayLoadedMsg)
	if !ok || msg.err != nil {
		t.Fatalf("message = %+v", msg)
	}
	if tot := msg.day.Total; tot.Calls != 7 || tot.Missed != 1 || tot.Answered != 4 {
		t.Errorf("today = %+v (yesterday's call must not count)", tot)
	}
}

// TestGoldenTodayTab: the fourth tab, read from the records.
func TestGoldenTodayTab(t *testing.T) {
	for _, tc := range []struct {
		name string
		prof colorprofile.Profile
	}{{"ascii", colorprofile.ASCII}, {"truecolor", colorprofile.TrueColor}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &memRecords{}
			seedHistory(rec)
			for _, e := range todayCalls(epoch) {
				e.Start = e.Start.Add(-3 * time.Hour) // the morning before 09:26
				rec.SaveCalls([]model.CallRecord{e})
			}
			pr := startProgram(t, 100, 28, tc.prof, nil, func(o *Options) { o.Records = rec })
			pr.live()
			for range 3 {
				pr.key("tab")
			}
			pr.waitFor("TODAY · Friday 14 March", "All lines", "calls", "missed")
			plain := ansi.Strip(pr.p.current())
			// Nine calls today (seven and two of seedHistory), not
			// yesterday's.
			if !strings.Contains(plain, "All lines") || !regexp.MustCompile(`All lines\s+9\s+5\s+2\s+1\s+1\s+1`).MatchString(plain) {
				t.Errorf("total row wrong:\n%s", plain)
			}
			pr.golden()
		})
	}
}

// Today names each line as the rest of the console does: by the label of
// the number dialled or of the line, not by the DID.
func TestTodayNamesLinesByTheirLabels(t *testing.T) {
	rec := &memRecords{}
	h, _, _ := twoLines(t, func(o *Options) { o.Records = rec })
	at := h.clock.Now().Add(-time.Hour)
	for _, e := range []model.CallRecord{
		{CallID: "1", DID: "2125550100", Start: at, Outcome: model.OutcomeAnswered},
		{CallID: "2", DID: "2125550000", Start: at, Outcome: model.OutcomeMissed},
		{CallID: "3", Line: "lee", Start: at, Outcome: model.OutcomeAnswered},
		{CallID: "4", DID: "(212) 555-0200", Start: at, Outcome: model.OutcomeAnswered},
		{CallID: "5", DID: "9175550000", Start: at, Outcome: model.OutcomeIgnored},
	} {
		rec.SaveCalls([]model.CallRecord{e})
	}
	for range 3 {
		for _, msg := range h.key("tab") {
			if m, ok := msg.(todayLoadedMsg); ok {
				h.send(m)
			}
		}
	}
	h.wantScreen("TODAY ·")
	for _, row := range []string{`Acme Dental\s+1 `, `Acme Ortho\s+1 `, `Lee & Co\s+2 `, `\(917\) 555-0000\s+1 `, `All lines\s+5 `} {
		if !regexp.MustCompile(row).MatchString(h.screen()) {
			t.Errorf("no row %q:\n%s", row, h.screen())
		}
	}
	if strings.Contains(h.screen(), "(212) 555") {
		t.Errorf("a line named by its DID:\n%s", h.screen())
	}
}
