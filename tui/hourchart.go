package tui

import (
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/frontdesk/frontdesk/stats"
	"github.com/frontdesk/frontdesk/theme"
)

// The Today view's chart of calls per hour: one bar per hour, its height
// the hour's calls against the busiest hour, the missed ones at its foot
// in their own style and glyph (so they read without colour), the hours
// below. Working hours (8 to 18) are always shown; calls outside them
// widen the range.

const (
	chartFirstHour = 8
	chartLastHour  = 17
	missedGlyph    = "▒"
)

// eighths are the block glyphs for a cell filled 0/8 to 8/8 from below.
var eighths = [...]string{" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"}

// hourChart draws f's calls per hour in at most width cells and exactly
// height lines (bars, hour labels, legend); "" when it cannot fit.
func hourChart(st theme.Styles, f stats.Figures, width, height int) string {
	barRows := height - 2
	first, last := chartFirstHour, chartLastHour
	for h, n := range f.ByHour {
		if n > 0 {
			first, last = min(first, h), max(last, h)
		}
	}
	busiest := f.Busiest()
	axisW := len(itoa(busiest)) + 1
	hours := last - first + 1
	// Each hour is a bar two cells wide and a gap; with less room, a bar
	// one cell wide and a gap; with less still, bars only.
	cell := 3
	for cell > 1 && axisW+hours*cell > width {
		cell--
	}
	if barRows < 1 || axisW+hours*cell > width {
		return ""
	}
	bar, missed, dim := st.Connected, st.Missed, st.Dim

	lines := make([]string, 0, height)
	for r := barRows - 1; r >= 0; r-- {
		axis := strings.Repeat(" ", axisW-1) + "│"
		if r == barRows-1 {
			axis = pad(itoa(busiest), axisW-1, true) + "┤"
		}
		var b strings.Builder
		b.WriteString(dim.Render(axis))
		for h := first; h <= last; h++ {
			glyph, style := barCell(f.ByHour[h], f.MissedByHour[h], busiest, barRows, r)
			if cell == 3 {
				glyph += glyph
			}
			switch {
			case strings.TrimSpace(glyph) == "":
				b.WriteString(glyph)
			case style == cellMissed:
				b.WriteString(missed.Render(glyph))
			default:
				b.WriteString(bar.Render(glyph))
			}
			if cell > 1 {
				b.WriteByte(' ')
			}
		}
		lines = append(lines, b.String())
	}
	lines = append(lines, dim.Render(strings.Repeat(" ", axisW)+hourLabels(first, last, cell)))
	legend := bar.Render("█") + dim.Render(" calls  ") + missed.Render(missedGlyph) + dim.Render(" missed")
	if lipgloss.Width(legend)+axisW <= width {
		legend = strings.Repeat(" ", axisW) + legend
	} else {
		legend = ""
	}
	lines = append(lines, legend)
	return lipgloss.JoinVertical(lipgloss.Left, lines...)
}

type cellKind int

const (
	cellCalls cellKind = iota
	cellMissed
)

// barCell is the glyph for row r (0 at the foot) of an hour's bar of calls,
// of which missed were missed, against the busiest hour, in rows rows.
func barCell(calls, missed, busiest, rows, r int) (string, cellKind) {
	if calls == 0 || busiest == 0 {
		return " ", cellCalls
	}
	// The bar's height in eighths of a row; a single call still shows.
	units := max(1, (calls*rows*8+busiest/2)/busiest)
	if missed > 0 {
		// Missed calls fill whole rows at the foot, at least one.
		missedRows := max(1, (missed*rows+busiest/2)/busiest)
		if r < missedRows && units > r*8 {
			return missedGlyph, cellMissed
		}
	}
	fill := min(max(units-r*8, 0), 8)
	return eighths[fill], cellCalls
}

// hourLabels writes the hours under their bars: every hour, every second
// or every third, as the bars' width allows.
func hourLabels(first, last, cell int) string {
	step := 4 - cell
	var b strings.Builder
	col := 0
	for h := first; h <= last; h++ {
		at := (h - first) * cell
		if (h-first)%step != 0 || at < col {
			continue
		}
		b.WriteString(strings.Repeat(" ", at-col))
		label := two(h)
		b.WriteString(label)
		col = at + len(label)
	}
	return b.String()
}
