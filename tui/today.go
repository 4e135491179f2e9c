package tui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/stats"
)

// todayView is the day so far from the history database: per line and in
// total, the calls answered, missed, ignored and placed, the calls that
// ended on hold, the average time to answer and the longest wait, and a
// chart of calls per hour. It is read again whenever a call is saved and
// when the view is opened, so it survives restarts.
type todayView struct {
	sh     *shared
	day    stats.Day
	loaded bool
	err    string
	// noRecords says the console keeps no history to read.
	noRecords bool
	width     int
	height    int
}

// setSize fits the view in w×h cells, its title line included.
func (v *todayView) setSize(w, h int) { v.width, v.height = w, max(0, h) }

// take shows a newly computed day.
func (v *todayView) take(day stats.Day) { v.day, v.loaded, v.err = day, true, "" }

// todayColumns are the table's columns in the order shown: heading,
// width and priority (1 first) for a narrow terminal, which drops the rest.
// The line's name takes what is left.
var todayColumns = []struct {
	title    string
	width    int
	priority int

	note string // what the heading means, when it needs saying
}{
	{"CALLS", 5, 1, ""}, {"ANSWERED", 8, 2, ""}, {"MISSED", 6, 3, ""}, {"IGNORED", 7, 6, ""}, {"OUT", 4, 7, "placed from here"},
	{"ON HOLD", 7, 8, "ended while the caller was on hold"}, {"AVG ANSWER", 10, 4, "first ring to answer"},
	{"LONGEST", 7, 5, "longest a caller rang"},
}

// todayFit chooses the columns that fit in w cells beside a name column of
// at least todayLineMin.
func todayFit(w int) []bool {
	shown := make([]bool, len(todayColumns))
	used := 2 + todayLineMin
	for p := 1; p <= len(todayColumns); p++ {
		for i, c := range todayColumns {
			if c.priority != p {
				continue
			}
			if used+1+c.width > w {
				return shown
			}
			shown[i] = true
			used += 1 + c.width
		}
	}
	return shown
}

const todayLineMin = 8

// lines renders the view in its size.
func (v *todayView) lines() []string {
	st := v.sh.styles
	w, h := v.width, v.height
	if h == 0 {
		return nil
	}
	title := "TODAY · " + v.day.Start.Format("Monday 2 January")
	if !v.loaded {
		title = "TODAY"
	}
	out := []string{st.TableHeader.Render(ansi.Truncate(title, w, "…"))}
	switch {
	case v.noRecords:
		return v.fill(append(out, st.Empty.Render(ansi.Truncate("  No call history database is open: the day's figures are read from it.", w, "…"))))
	case v.err != "":
		return v.fill(append(out, st.StatusError.Render(ansi.Truncate("  "+v.err, w, "…"))))
	case !v.loaded:
		return v.fill(append(out, st.Empty.Render(ansi.Truncate("  Reading the history…", w, "…"))))
	}

	shown := todayFit(w)
	used := 2 + todayLineMin
	for i, c := range todayColumns {
		if shown[i] {
			used += 1 + c.width
		}
	}
	nameW := todayLineMin + max(0, min(w-used, 24-todayLineMin))

	row := func(name string, f stats.Figures) string {
		var b strings.Builder
		b.WriteString("  ")
		b.WriteString(pad(name, nameW, false))
		cells := []string{
			itoa(f.Calls), itoa(f.Answered), itoa(f.Missed), itoa(f.Ignored), itoa(f.Outbound),
			itoa(f.EndedOnHold), clock(f.AverageAnswer), clock(f.LongestWait),
		}
		for i, c := range todayColumns {
			if shown[i] {
				b.WriteByte(' ')
				b.WriteString(pad(cells[i], c.width, true))
			}
		}
		return ansi.Truncate(b.String(), w, "")
	}
	var head strings.Builder
	head.WriteString("  " + pad("LINE", nameW, false))
	for i, c := range todayColumns {
		if shown[i] {
			head.WriteString(" " + pad(c.title, c.width, true))
		}
	}
	out = append(out, "", st.TableHeader.Render(ansi.Truncate(head.String(), w, "")))
	for _, l := range v.day.Lines {
		name := l.Name
		if name == "" {
			name = "(no line)"
		}
		out = append(out, st.Row.Render(row(model.Clean(name, 40), l.Figures)))
	}
	if len(v.day.Lines) != 1 {
		out = append(out, st.Row.Bold(true).Render(row("All lines", v.day.Total)))
	}
	var notes []string
	for i, c := range todayColumns {
		if shown[i] && c.note != "" {
			notes = append(notes, c.title+": "+c.note)
		}
	}
	// The notes, as many to a line as fit.
	line := ""
	for _, n := range notes {
		if line != "" && 2+ansi.StringWidth(line)+3+ansi.StringWidth(n) > w {
			out = append(out, st.Dim.Render(ansi.Truncate("  "+line, w, "…")))
			line = ""
		}
		if line != "" {
			line += " · "
		}
		line += n
	}
	if line != "" {
		out = append(out, st.Dim.Render(ansi.Truncate("  "+line, w, "…")))
	}

	if v.day.Total.Calls == 0 {
		out = append(out, "", st.Empty.Render(ansi.Truncate("  No calls yet today.", w, "…")))
		return v.fill(out)
	}
	// The chart takes the rest, up to a readable height.
	if rest := h - len(out) - 1; rest >= 4 {
		if chart := hourChart(st, v.day.Total, w-2, min(rest, 9)); chart != "" {
			out = append(out, "")
			for _, l := range strings.Split(chart, "\n") {
				out = append(out, "  "+l)
			}
		}
	}
	return v.fill(out)
}

// fill cuts or pads out to the view's height.
func (v *todayView) fill(out []string) []string {
	for len(out) < v.height {
		out = append(out, "")
	}
	return out[:v.height]
}

// todayLoadedMsg carries the day's figures, read from the history.
type todayLoadedMsg struct {
	day stats.Day
	err error
}

// loadToday reads the calls since midnight of now's day and works out the
// figures, per line as lines names them (see lineSet.entryLabel).
func loadToday(r Records, now time.Time, lines *lineSet) tea.Cmd {
	return func() tea.Msg {
		start := stats.DayStart(now)
		recs, err := r.Calls(model.CallQuery{Since: start})
		if err != nil {
			return todayLoadedMsg{err: err}
		}
		return todayLoadedMsg{day: stats.Compute(now, recs, lines.entryLabel)}
	}
}

// todayActions are the Today view's own keys.
func todayActions(k KeyMap) []action {
	return []action{
		{bind: k.AnswerNextLetter, why: (*Model).whyNoneRinging, do: (*Model).answerNext, short: true},
	}
}
