package tui

import (
	"time"
)

// listCursor is the selection in a scrolled list of rows: the selected
// row, the first row shown and how many rows fit.
type listCursor struct {
	sel, offset, height int
}

// step moves the selection by d within n rows and scrolls to it.
func (c *listCursor) step(d, n int) {
	if n == 0 {
		return
	}
	c.sel = min(max(c.sel+d, 0), n-1)
	c.follow(n)
}

// follow scrolls so the selection is shown and no space is left below the
// last of n rows.
func (c *listCursor) follow(n int) {
	if c.sel < c.offset {
		c.offset = c.sel
	}
	if c.height > 0 && c.sel >= c.offset+c.height {
		c.offset = c.sel - c.height + 1
	}
	c.offset = max(0, min(c.offset, n-c.height))
}

// fill appends to out the rows from the first one shown, drawn by row, while
// they fit in h lines, then blank lines up to h, and returns the h lines.
func (c *listCursor) fill(out []string, h, n int, row func(i int) string) []string {
	for i := c.offset; i < n && len(out) < h; i++ {
		out = append(out, row(i))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out[:h]
}

// shortWhen is a time in a list row: its clock time after today when it is
// on now's day, else its date and clock time.
func shortWhen(t, now time.Time, today string) string {
	t = t.In(now.Location())
	if y, m, d := t.Date(); y == now.Year() && m == now.Month() && d == now.Day() {
		return today + t.Format("15:04")
	}
	return t.Format("Jan 02 15:04")
}
