package stats

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

var newYork = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

// at is a time on 2026-03-09 in New York (the day after the spring clock
// change, so a wrong day boundary shows).
func at(hour, min int) time.Time { return time.Date(2026, 3, 9, hour, min, 0, 0, newYork) }

func inbound(id, did string, start time.Time, o model.Outcome, ring time.Duration) model.CallRecord {
	return model.CallRecord{CallID: id, DID: did, Start: start, End: start.Add(ring + time.Minute), Outcome: o, Ring: ring, LastState: model.StateConnected}
}

func TestComputeCountsTheDay(t *testing.T) {
	calls := []model.CallRecord{
		inbound("a1", "front", at(9, 5), model.OutcomeAnswered, 10*time.Second),
		inbound("a2", "front", at(9, 40), model.OutcomeAnswered, 30*time.Second),
		inbound("a3", "lobby", at(14, 0), model.OutcomeAnswered, 20*time.Second),
		inbound("m1", "front", at(9, 50), model.OutcomeMissed, 75*time.Second),
		inbound("m2", "lobby", at(16, 10), model.OutcomeMissed, 5*time.Second),
		inbound("i1", "front", at(11, 0), model.OutcomeIgnored, 3*time.Second),
		{CallID: "o1", DID: "front", Start: at(10, 0), Outbound: true, Outcome: model.OutcomeOutbound, Ring: 90 * time.Second, LastState: model.StateConnected},
		// Ended while the caller was on hold.
		{CallID: "h1", DID: "lobby", Start: at(15, 0), Outcome: model.OutcomeAnswered, Ring: 40 * time.Second, LastState: model.StateHolding},
		// Other days: the evening before and the first minute of the next.
		inbound("y1", "front", time.Date(2026, 3, 8, 23, 59, 0, 0, newYork), model.OutcomeMissed, 500*time.Second),
		inbound("t1", "front", time.Date(2026, 3, 10, 0, 0, 0, 0, newYork), model.OutcomeMissed, 500*time.Second),
	}
	day := Compute(at(12, 0), calls, nil)

	if got, want := day.Start, time.Date(2026, 3, 9, 0, 0, 0, 0, newYork); !got.Equal(want) {
		t.Errorf("day starts %v, want %v", got, want)
	}
	tot := day.Total
	if tot.Calls != 8 || tot.Answered != 4 || tot.Missed != 2 || tot.Ignored != 1 || tot.Outbound != 1 || tot.EndedOnHold != 1 {
		t.Errorf("total = %+v", tot)
	}
	// Answered rings 10, 30, 20 and 40 s: 25 s on average.
	if tot.AverageAnswer != 25*time.Second {
		t.Errorf("average answer = %v, want 25s", tot.AverageAnswer)
	}
	// The outbound call's 90 s of dialling is nobody's wait.
	if tot.LongestWait != 75*time.Second {
		t.Errorf("longest wait = %v, want 75s (the missed caller)", tot.LongestWait)
	}
	if tot.ByHour[9] != 3 || tot.ByHour[10] != 1 || tot.ByHour[14] != 1 || tot.ByHour[0] != 0 || tot.Busiest() != 3 {
		t.Errorf("by hour = %v", tot.ByHour)
	}
	if tot.MissedByHour[9] != 1 || tot.MissedByHour[16] != 1 {
		t.Errorf("missed by hour = %v", tot.MissedByHour)
	}

	if len(day.Lines) != 2 || day.Lines[0].Name != "front" || day.Lines[1].Name != "lobby" {
		t.Fatalf("lines = %+v", day.Lines)
	}
	front, lobby := day.Lines[0], day.Lines[1]
	if front.Calls != 5 || front.Answered != 2 || front.Missed != 1 || front.Ignored != 1 || front.Outbound != 1 || front.AverageAnswer != 20*time.Second {
		t.Errorf("front = %+v", front.Figures)
	}
	if lobby.Calls != 3 || lobby.Answered != 2 || lobby.Missed != 1 || lobby.EndedOnHold != 1 || lobby.AverageAnswer != 30*time.Second || lobby.LongestWait != 40*time.Second {
		t.Errorf("lobby = %+v", lobby.Figures)
	}
}

func TestComputeEmptyDay(t *testing.T) {
	day := Compute(at(8, 0), nil, nil)
	if day.Total.Calls != 0 || day.Total.AverageAnswer != 0 || len(day.Lines) != 0 || day.Total.Busiest() != 0 {
		t.Errorf("empty day = %+v", day)
	}
}

func TestComputeGroupsByTheGivenLine(t *testing.T) {
	calls := []model.CallRecord{
		{CallID: "1", DID: "d", CLID: "Acme", HasCLID: true, Start: at(9, 0), Outcome: model.OutcomeAnswered},
		{CallID: "2", DID: "d", CLID: "Bolt", HasCLID: true, Start: at(9, 0), Outcome: model.OutcomeAnswered},
	}
	day := Compute(at(9, 0), calls, func(e model.CallRecord) string { return e.CLID })
	if len(day.Lines) != 2 || day.Lines[0].Name != "Acme" || day.Lines[1].Name != "Bolt" {
		t.Errorf("lines = %+v", day.Lines)
	}
}

func TestReportJSON(t *testing.T) {
	calls := []model.CallRecord{
		inbound("a1", "front\x1b[31m", at(9, 5), model.OutcomeAnswered, 12340*time.Millisecond),
		inbound("m1", "front\x1b[31m", at(9, 50), model.OutcomeMissed, 61*time.Second),
	}
	b, err := json.Marshal(Compute(at(12, 0), calls, nil).Report())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{
		"day": "2026-03-09", "answered": 1.0, "missed": 1.0, "ignored": 0.0, "outbound": 0.0,
		"average_answer_seconds": 12.3, "longest_wait_seconds": 61.0,
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v (%s)", key, got[key], want, b)
		}
	}
	hours, ok := got["by_hour"].([]any)
	if !ok || len(hours) != 24 || hours[9] != 2.0 {
		t.Errorf("by_hour = %v", got["by_hour"])
	}
	if strings.Contains(string(b), "\x1b") || strings.Contains(string(b), `\u001b`) {
		t.Errorf("a control character reached the JSON: %s", b)
	}
	if lines, _ := got["lines"].([]any); len(lines) != 1 {
		t.Errorf("lines = %v", got["lines"])
	}
}

func TestWriteText(t *testing.T) {
	calls := []model.CallRecord{
		inbound("a1", "6465550100", at(9, 5), model.OutcomeAnswered, 12*time.Second),
		inbound("m1", "6465550100", at(9, 50), model.OutcomeMissed, 61*time.Second),
		inbound("a2", "2125550000", at(14, 5), model.OutcomeAnswered, 8*time.Second),
	}
	var b strings.Builder
	if err := Compute(at(12, 0), calls, func(e model.CallRecord) string { return "line " + e.DID }).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"Monday 9 March 2026", "line 6465550100", "line 2125550000", "all lines",
		"0:10", // the average answer of 12 and 8 s
		"1:01", // the longest wait
		"Calls per hour: 09:00 2 (1 missed), 14:00 1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing from\n%s", want, out)
		}
	}
	b.Reset()
	if err := Compute(at(12, 0), nil, nil).WriteText(&b); err != nil || !strings.Contains(b.String(), "No calls.") {
		t.Errorf("empty day: %v\n%s", err, b.String())
	}
}
