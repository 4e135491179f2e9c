package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
)

func TestBuildCallerContext(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	rec := func(ani string, start time.Time, o model.Outcome) model.CallRecord {
		return model.CallRecord{Ani: ani, Start: start, Outcome: o}
	}
	recs := []model.CallRecord{ // newest first, as the store returns them
		rec("+1 646 555 0142", now.Add(-time.Hour), model.OutcomeMissed),
		rec("6465550142999", now.Add(-90*time.Minute), model.OutcomeAnswered), // another number with the same digits inside
		rec("(646) 555-0142", now.Add(-2*time.Hour), model.OutcomeAnswered),
		rec("6465550142", now.Add(-26*time.Hour), model.OutcomeAnswered), // yesterday
	}
	msgs := []model.Message{
		{CallerNumber: "646-555-0142"},
		{CallerNumber: "646-555-0142", Done: true},
		{CallerNumber: "212-555-0000"},
	}
	cc := buildCallerContext("6465550142", now, recs, msgs)
	if cc.callsToday != 2 || !cc.hasLast || cc.last.Outcome != model.OutcomeMissed || cc.openMsgs != 1 {
		t.Errorf("context = %+v", cc)
	}
	if got := lastCallText(recs[3], now); got != "answered yesterday 09:00" {
		t.Errorf("last call text = %q", got)
	}
	if got := ordinal(2) + ordinal(3) + ordinal(11) + ordinal(21) + ordinal(112); got != "2nd3rd11th21st112th" {
		t.Errorf("ordinals = %q", got)
	}
}

func TestCallerContextLineGolden(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	m := New(Options{Now: func() time.Time { return now }})
	m.sh.now = now
	known := contactInfo{found: true, contact: directory.Contact{
		Name: "Dana Whitfield", Department: "Management", Notes: "Managing partner; interrupt only for clients\x1b[2J",
	}}
	cc := callerContext{callsToday: 2, hasLast: true, openMsgs: 1,
		last: model.CallRecord{Start: now.Add(-40 * time.Minute), Outcome: model.OutcomeMissed}}
	var out []string
	for _, tc := range []struct {
		c     contactInfo
		cc    callerContext
		hasCC bool
		width int
	}{
		{known, cc, true, 140},
		{known, cc, true, 60},
		{known, callerContext{}, false, 140},        // the records not read yet
		{contactInfo{}, callerContext{}, true, 140}, // a stranger
	} {
		line := callerContextLine(m.sh, tc.c, tc.cc, tc.hasCC, tc.width)
		if w := ansi.StringWidth(line); w > tc.width {
			t.Errorf("line %d wide in %d: %q", w, tc.width, ansi.Strip(line))
		}
		out = append(out, line)
	}
	plain := ansi.Strip(out[0])
	for _, want := range []string{"Dana Whitfield, Management", "interrupt only for clients", "3rd call today", "last: missed 10:20", "1 open message"} {
		if !strings.Contains(plain, want) {
			t.Errorf("%q missing from %q", want, plain)
		}
	}
	if strings.Contains(out[0], "\x1b[2J") {
		t.Error("a control sequence from the directory reached the screen")
	}
	if !strings.Contains(ansi.Strip(out[3]), "first call from this number") {
		t.Errorf("stranger: %q", out[3])
	}
	golden.RequireEqual(t, []byte(strings.Join(out, "\n")))
}

func TestLoadCallerContextReadsTheRecords(t *testing.T) {
	now := time.Date(2026, 12, 1, 11, 0, 0, 0, time.UTC)
	r := &memRecords{}
	for _, c := range []model.CallRecord{
		{CallID: "1", Ani: "6465550142", Start: now.Add(-time.Hour), Outcome: model.OutcomeMissed},
		{CallID: "2", Ani: "2125550000", Start: now.Add(-time.Hour), Outcome: model.OutcomeAnswered},
	} {
		r.SaveCalls([]model.CallRecord{c})
	}
	if _, err := r.AddMessage(model.Message{CallerNumber: "+1 646 555 0142", Text: "call back"}); err != nil {
		t.Fatal(err)
	}
	msg, ok := loadCallerContext(r, "(646) 555-0142", now)().(callerContextMsg)
	if !ok || msg.err != nil || msg.key != "6465550142" {
		t.Fatalf("message = %+v", msg)
	}
	if cc := msg.cc; cc.callsToday != 1 || cc.last.CallID != "1" || cc.openMsgs != 1 {
		t.Errorf("context = %+v", cc)
	}
}

// TestGoldenCallerContextOnScreen: a caller who rang before today, with an
// open message and a directory entry, rings; the line above the status
// says so.
func TestGoldenCallerContextOnScreen(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.ASCII)
	pr.call("950", "+1 646 555 0142", "RINGING")
	pr.waitFor("» Ada Whitfield", "2nd call today", "last: missed 08:26", "1 open message")
	pr.golden()
}
