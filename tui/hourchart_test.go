package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/frontdesk/frontdesk/stats"
	"github.com/frontdesk/frontdesk/theme"
)

func chartFigures() stats.Figures {
	var f stats.Figures
	for h, n := range map[int]int{8: 2, 9: 12, 10: 7, 11: 5, 13: 1, 14: 9, 19: 3} {
		f.ByHour[h] = n
	}
	f.MissedByHour[9] = 4
	f.MissedByHour[19] = 1
	return f
}

func TestHourChartGolden(t *testing.T) {
	for _, tc := range []struct {
		name    string
		noColor bool
		width   int
	}{
		{"wide", false, 60},
		{"narrow", false, 30},
		{"nocolor", true, 60},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := hourChart(theme.New(true, tc.noColor), chartFigures(), tc.width, 7)
			if out == "" {
				t.Fatal("no chart")
			}
			lines := strings.Split(out, "\n")
			if len(lines) != 7 {
				t.Errorf("%d lines, want 7", len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > tc.width {
					t.Errorf("line %d is %d cells wide, more than %d: %q", i, w, tc.width, ansi.Strip(l))
				}
			}
			golden.RequireEqual(t, []byte(out))
		})
	}
}

func TestHourChartShape(t *testing.T) {
	out := ansi.Strip(hourChart(theme.New(true, true), chartFigures(), 60, 7))
	lines := strings.Split(out, "\n")
	// The busiest hour reaches the top row; the axis says how many it had.
	if !strings.HasPrefix(lines[0], "12┤") {
		t.Errorf("top row %q does not start with the busiest count", lines[0])
	}
	// Calls after the working day widen the range to 19:00.
	if labels := lines[5]; !strings.Contains(labels, "08") || !strings.Contains(labels, "19") {
		t.Errorf("hour labels %q miss 08 or 19", labels)
	}
	// Missed calls show with their own glyph, so they read without colour.
	if !strings.Contains(out, missedGlyph) || !strings.Contains(lines[6], "missed") {
		t.Errorf("no missed calls in\n%s", out)
	}
	// An hour with one call against a busiest of 12 still shows a bar.
	if !strings.ContainsAny(lines[4], "▁▂▃▄▅▆▇█") {
		t.Errorf("foot row %q has no bar for the quiet hours", lines[4])
	}
	if hourChart(theme.New(true, true), chartFigures(), 10, 7) != "" {
		t.Error("a chart was drawn in 10 cells")
	}
}
