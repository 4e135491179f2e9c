// Package stats works out a day's figures from the stored calls: how many
// were answered, missed, ignored and placed, how many ended while the caller
// was on hold, how long callers waited, and how the calls spread over the
// hours of the day; per line and in total. It only computes: the calls come
// from the history store, and the console and `frontdesk stats` show them.
package stats

import (
	"cmp"
	"slices"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// Figures are the counts and waits of one set of calls.
type Figures struct {
	Calls       int // every call that started in the day
	Answered    int // inbound calls that connected
	Missed      int // inbound calls that rang and never connected
	Ignored     int // inbound calls the receptionist sent away
	Outbound    int // calls placed from the desk
	EndedOnHold int // calls that ended while the other party was on hold
	// AverageAnswer is the mean time from the first ring to the connect of
	// the answered calls; zero when none was answered.
	AverageAnswer time.Duration
	// LongestWait is the longest an inbound caller rang before being
	// answered or giving up.
	LongestWait time.Duration
	// ByHour counts the calls by the local hour they started in; MissedByHour
	// counts the missed ones among them.
	ByHour       [24]int
	MissedByHour [24]int

	answerSum time.Duration
}

// Line is the figures of one line.
type Line struct {
	Name string
	Figures
}

// Day is one day's figures.
type Day struct {
	// Start is the day's first instant, in the location the day was asked
	// for; the day ends at the next midnight there.
	Start time.Time
	Total Figures
	Lines []Line // by name; a line without a name is listed as ""
}

// DayStart is the midnight that begins t's day in t's location.
func DayStart(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// Compute works out the figures of the day that contains day (in day's
// location) from calls, which may hold calls of other days: only those that
// started within the day count. lineOf names the line of a call; nil
// groups the calls by their DID.
func Compute(day time.Time, calls []model.CallRecord, lineOf func(model.CallRecord) string) Day {
	if lineOf == nil {
		lineOf = func(e model.CallRecord) string { return e.DID }
	}
	start := DayStart(day)
	end := start.AddDate(0, 0, 1)
	out := Day{Start: start}
	lines := map[string]*Line{}
	for _, c := range calls {
		if c.Start.Before(start) || !c.Start.Before(end) {
			continue
		}
		hour := c.Start.In(start.Location()).Hour()
		out.Total.add(c, hour)
		name := lineOf(c)
		l, ok := lines[name]
		if !ok {
			l = &Line{Name: name}
			lines[name] = l
		}
		l.add(c, hour)
	}
	out.Total.finish()
	for _, l := range lines {
		l.finish()
		out.Lines = append(out.Lines, *l)
	}
	slices.SortFunc(out.Lines, func(a, b Line) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

func (f *Figures) add(c model.CallRecord, hour int) {
	f.Calls++
	f.ByHour[hour]++
	switch c.Outcome {
	case model.OutcomeAnswered:
		f.Answered++
		f.answerSum += c.Ring
	case model.OutcomeMissed:
		f.Missed++
		f.MissedByHour[hour]++
	case model.OutcomeIgnored:
		f.Ignored++
	case model.OutcomeOutbound:
		f.Outbound++
	}
	if c.LastState == model.StateHolding {
		f.EndedOnHold++
	}
	if !c.Outbound && c.Ring > f.LongestWait {
		f.LongestWait = c.Ring
	}
}

func (f *Figures) finish() {
	if f.Answered > 0 {
		f.AverageAnswer = f.answerSum / time.Duration(f.Answered)
	}
}

// Busiest is the largest count of calls in one hour.
func (f Figures) Busiest() int { return slices.Max(f.ByHour[:]) }
