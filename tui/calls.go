package tui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/theme"
)

// callList is the live call table: the calls in display order, the
// selection (by call Id, so it follows the call as the order changes) and
// the scroll offset. It renders only the rows that fit, one line each.
//
// The selection is a call, never a row position: when the selected call
// ends nothing is selected, and only the receptionist moves the cursor.
type callList struct {
	sh     *shared
	calls  []model.Call
	selKey string // the selected call's key (see model.Key)
	selIdx int    // index of selKey in calls; -1 when nothing is selected
	// gap is the row where the selected call was when it ended, so the
	// movement keys start from there; -1 when none.
	gap    int
	offset int // first visible row
	width  int
	height int // rows available for calls, title line excluded
	cols   layout
	paints tablePaints
	// busy is the state cell text of calls with a command in flight, by
	// call key.
	busy map[string]string
	// unconfirmed holds the lines whose rows no listCalls has confirmed
	// since their connection dropped; they are drawn dim, timers marked
	// "~".
	unconfirmed map[string]bool
	// lines names each call's line for the line column.
	lines *lineSet
	// What View shows, drawn by draw: the column title line (for width
	// and cols) and the rows on screen.
	title      string
	titleWidth int
	titleCols  layout
	titleOK    bool
	shown      []string
	// The rows on screen as last drawn, by call key; next is the map the
	// following draw fills (the two are swapped, so neither is rebuilt).
	drawn, next map[string]drawnRow
}

func newCallList(sh *shared) callList {
	return callList{sh: sh, selIdx: -1, gap: -1}
}

// restyle rebuilds the row paints from the current styles.
func (l *callList) restyle() {
	l.paints = newTablePaints(l.sh.styles)
	l.titleOK = false
	clear(l.drawn)
}

// setCalls replaces the calls. The selection stays on the same call; if
// that call has gone, nothing is selected and ended reports it.
func (l *callList) setCalls(calls []model.Call) (ended bool) {
	l.calls = calls
	if l.selKey == "" {
		l.selIdx = -1
		l.clampOffset()
		return false
	}
	for i := range calls {
		if calls[i].Key() == l.selKey {
			l.selIdx = i
			l.scrollTo()
			return false
		}
	}
	l.gap = l.selIdx
	l.selKey, l.selIdx = "", -1
	l.clampOffset()
	return true
}

// selected returns the selected call.
func (l *callList) selected() (model.Call, bool) {
	if l.selIdx < 0 || l.selIdx >= len(l.calls) {
		return model.Call{}, false
	}
	return l.calls[l.selIdx], true
}

// selectKey selects the call with this key (see model.Key), if it is
// listed.
func (l *callList) selectKey(key string) {
	for i := range l.calls {
		if l.calls[i].Key() == key {
			l.selectIndex(i)
			return
		}
	}
}

func (l *callList) selectIndex(i int) {
	if len(l.calls) == 0 {
		l.selKey, l.selIdx = "", -1
		return
	}
	i = min(max(i, 0), len(l.calls)-1)
	l.selIdx, l.selKey, l.gap = i, l.calls[i].Key(), -1
	l.scrollTo()
}

// move changes the selection by delta rows. With nothing selected it starts
// from where the last selected call was (down: the call that took its
// row), or else down selects the first row and up the last.
func (l *callList) move(delta int) {
	if len(l.calls) == 0 {
		return
	}
	if l.selIdx < 0 {
		switch {
		case l.gap >= 0 && delta > 0:
			l.selectIndex(l.gap + delta - 1)
		case l.gap >= 0:
			l.selectIndex(l.gap + delta)
		case delta > 0:
			l.selectIndex(0)
		default:
			l.selectIndex(len(l.calls) - 1)
		}
		return
	}
	l.selectIndex(l.selIdx + delta)
}

func (l *callList) page() int { return max(1, l.height-1) }

// setSize fits the list in w×h cells, its title line included.
func (l *callList) setSize(w, h int) {
	l.width, l.height = w, max(0, h-1)
	l.cols = columnsFor(w)
	l.scrollTo()
}

// scrollTo keeps the selection visible.
func (l *callList) scrollTo() {
	if l.selIdx >= 0 && l.height > 0 {
		if l.selIdx < l.offset {
			l.offset = l.selIdx
		}
		if l.selIdx >= l.offset+l.height {
			l.offset = l.selIdx - l.height + 1
		}
	}
	l.clampOffset()
}

func (l *callList) clampOffset() {
	l.offset = min(l.offset, max(0, len(l.calls)-l.height))
	l.offset = max(l.offset, 0)
}

// Column layout.

// layout holds each column's width; 0 means the column is hidden.
type layout struct {
	state  int // state label after the marker and symbol
	caller int
	line   int
	dir    int
	time   int // time in state
	total  int
}

const (
	markerWidth = 3 // selection marker, state symbol, space
	stateWidth  = 10
	callerMin   = 16
	callerWant  = 18
	lineMin     = 10
	lineWant    = 22
	dirWidth    = 3
	timeWidth   = 7
)

// columnsFor fits the columns into w cells. The caller and time columns are
// always there; the rest are added while they fit, in order of importance:
// state label, line (CLID), total, direction.
func columnsFor(w int) layout {
	c := layout{caller: callerMin, time: timeWidth}
	// Every cell is followed by one space, the last one included.
	used := markerWidth + c.caller + 1 + c.time + 1
	// Strict priority: once a column does not fit, none after it is added.
	fits := true
	add := func(col *int, width int) {
		if fits && used+width+1 <= w {
			*col = width
			used += width + 1
			return
		}
		fits = false
	}
	add(&c.state, stateWidth)
	add(&c.line, lineMin)
	add(&c.total, timeWidth)
	add(&c.dir, dirWidth)
	// Spare room widens the caller, then the line, then the caller again.
	spare := w - used
	grow := func(col *int, limit int) {
		if *col == 0 || spare <= 0 {
			return
		}
		d := min(spare, max(0, limit-*col))
		*col += d
		spare -= d
	}
	grow(&c.caller, callerWant)
	grow(&c.line, lineWant)
	// Callers named from the directory ("Name (Department)") need the room
	// more than the dialled line does.
	grow(&c.caller, 36)
	grow(&c.line, 40)
	// Below the minimum, the caller column takes what is left.
	if used > w {
		c.caller = max(1, c.caller-(used-w))
	}
	return c
}

// draw draws the title line and the rows on screen for View, each again
// only when what it shows changed.
func (l *callList) draw() {
	if !l.titleOK || l.titleWidth != l.width || l.titleCols != l.cols {
		l.title = l.drawTitle()
		l.titleWidth, l.titleCols, l.titleOK = l.width, l.cols, true
	}
	l.shown = l.rows()
}

func (l *callList) drawTitle() string {
	c := l.cols
	var b strings.Builder
	b.WriteString("   ")
	cell := func(text string, w int, right bool) {
		if w == 0 {
			return
		}
		b.WriteString(pad(text, w, right))
		b.WriteByte(' ')
	}
	cell("STATE", c.state, false)
	cell("CALLER", c.caller, false)
	cell("LINE", c.line, false)
	cell("DIR", c.dir, false)
	cell("TIME", c.time, true)
	cell("TOTAL", c.total, true)
	title := strings.TrimRight(b.String(), " ")
	return l.sh.styles.TableHeader.Render(ansi.Truncate(title, l.width, ""))
}

// rows draws the visible rows. A row whose text, paints and width are the
// same as when it was last drawn is not drawn again: between a call's
// changes only its clocks move, once a second.
func (l *callList) rows() []string {
	end := min(len(l.calls), l.offset+l.height)
	out := make([]string, 0, max(0, end-l.offset))
	if l.next == nil {
		l.next = map[string]drawnRow{}
	}
	for i := l.offset; i < end; i++ {
		c := &l.calls[i]
		k := l.rowKey(c, i == l.selIdx)
		d, ok := l.drawn[c.Key()]
		if !ok || d.key != k {
			d = drawnRow{key: k, line: l.row(k)}
		}
		l.next[c.Key()] = d
		out = append(out, d.line)
	}
	// Keep only the rows on screen.
	l.drawn, l.next = l.next, l.drawn
	clear(l.next)
	return out
}

// drawnRow is a row as last drawn, and what it was drawn from.
type drawnRow struct {
	key  rowKey
	line string
}

// rowKey is everything a row shows, as text, and how: two equal keys draw
// the same line.
type rowKey struct {
	selected, unconfirmed bool
	state                 model.State
	wait                  theme.Wait
	symbol, label         string
	caller, line, dir     string
	held, total           string
	width                 int
	cols                  layout
}

func (l *callList) rowKey(c *model.Call, selected bool) rowKey {
	now := l.sh.now
	inState := c.InState(now)
	k := rowKey{
		selected: selected, unconfirmed: l.unconfirmed[c.Line],
		state: c.State, wait: l.sh.waitOf(c, inState),
		symbol: c.State.Symbol(), label: c.State.Label(),
		caller: l.sh.names.label(c.Ani), line: l.lines.callLabel(c), dir: "in",
		width: l.width, cols: l.cols,
	}
	if busy, isBusy := l.busy[c.Key()]; isBusy {
		k.label = busy
	} else if c.State == model.StateUnknown {
		// Show what the server sent, so an odd state is plain to see.
		if raw := model.Clean(c.RawState, 20); raw != "" {
			k.label = raw
		}
	}
	if c.Outbound {
		k.dir = "out"
	}
	k.held, k.total = k.wait.Mark()+clock(inState), clock(c.Total(now))
	if k.unconfirmed {
		k.held, k.total = "~"+k.held, "~"+k.total
	}
	return k
}

// row renders one call as exactly one line of k.width cells.
func (l *callList) row(k rowKey) string {
	cols := k.cols
	p := l.paints.forCall(k.state, k.wait, k.selected)
	if k.unconfirmed {
		p = l.paints.stale[btoi(k.selected)]
	}

	var b strings.Builder
	b.Grow(k.width + 96)
	w := spanWriter{b: &b}
	if k.selected {
		w.write(p.base, "▸")
	} else {
		w.write(p.base, " ")
	}
	w.write(p.state, k.symbol)
	w.write(p.state, " ")
	used := 1 + width(k.symbol) + 1
	cell := func(pt paint, s string, n int, right bool) {
		if n == 0 {
			return
		}
		w.write(pt, pad(s, n, right))
		w.write(pt, " ")
		used += n + 1
	}
	cell(p.state, k.label, cols.state, false)
	cell(p.base, k.caller, cols.caller, false)
	cell(p.base, k.line, cols.line, false)
	cell(p.base, k.dir, cols.dir, false)
	cell(p.time, k.held, cols.time, true)
	cell(p.base, k.total, cols.total, true)
	if rest := k.width - used; rest > 0 {
		w.write(p.base, strings.Repeat(" ", rest))
	}
	w.end()
	if used > k.width {
		return ansi.Truncate(b.String(), k.width, "")
	}
	return b.String()
}

// paint is a style reduced to the escape sequences around its text, for
// the hot path of drawing rows (lipgloss.Style.Render is far slower).
// Only for styles made of colours and attributes: no padding or borders.
type paint struct{ pre, post string }

func newPaint(st lipgloss.Style) paint {
	const mark = "x"
	out := st.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return paint{}
	}
	return paint{pre: out[:i], post: out[i+len(mark):]}
}

// spanWriter writes text in paints, opening a new span only when the paint
// changes.
type spanWriter struct {
	b    *strings.Builder
	cur  paint
	open bool
}

func (w *spanWriter) write(p paint, s string) {
	if !w.open || p.pre != w.cur.pre {
		if w.open {
			w.b.WriteString(w.cur.post)
		}
		w.b.WriteString(p.pre)
		w.cur, w.open = p, true
	}
	w.b.WriteString(s)
}

func (w *spanWriter) end() {
	if w.open {
		w.b.WriteString(w.cur.post)
		w.open = false
	}
}

// rowPaints are the paints for one kind of row: the row's base, its state
// cells and its timer.
type rowPaints struct{ base, state, time paint }

// tablePaints holds rowPaints for every state, plain and selected, and for
// a call held too long.
type tablePaints struct {
	byState [model.StateDeleted + 1][2]rowPaints
	// Ringing and held calls that have waited past their limits, by step
	// (theme.WaitWarn, theme.WaitAlert).
	ringWait [theme.WaitAlert + 1][2]rowPaints
	holdWait [theme.WaitAlert + 1][2]rowPaints
	stale    [2]rowPaints // an unconfirmed row
}

func newTablePaints(st theme.Styles) tablePaints {
	var t tablePaints
	mk := func(base, state, timer lipgloss.Style) [2]rowPaints {
		sel := st.SelectedRow
		return [2]rowPaints{
			{newPaint(base), newPaint(state), newPaint(timer)},
			{newPaint(base.Inherit(sel)), newPaint(state.Inherit(sel)), newPaint(timer.Inherit(sel))},
		}
	}
	for s := range t.byState {
		state := stateStyleFor(st, model.State(s))
		base := st.Row
		if model.State(s) == model.StateRinging {
			base = state
		}
		t.byState[s] = mk(base, state, state)
	}
	for _, w := range []theme.Wait{theme.WaitWarn, theme.WaitAlert} {
		ring := st.RingStyle(w)
		t.ringWait[w] = mk(ring, ring, ring)
		hold := st.HoldStyle(w)
		t.holdWait[w] = mk(st.Row, hold, hold)
	}
	t.stale = mk(st.Dim, st.Dim, st.Dim)
	return t
}

func (t *tablePaints) forCall(s model.State, wait theme.Wait, selected bool) rowPaints {
	i := 0
	if selected {
		i = 1
	}
	switch {
	case wait > theme.WaitCalm && s == model.StateRinging:
		return t.ringWait[wait][i]
	case wait > theme.WaitCalm && s == model.StateHolding:
		return t.holdWait[wait][i]
	}
	if s < 0 || int(s) >= len(t.byState) {
		s = model.StateUnknown
	}
	return t.byState[s][i]
}

// stateStyleFor maps a call state to its style.
func stateStyleFor(st theme.Styles, s model.State) lipgloss.Style {
	switch s {
	case model.StateRinging:
		return st.Ringing
	case model.StatePending:
		return st.Pending
	case model.StateConnected:
		return st.Connected
	case model.StateHolding:
		return st.Holding
	}
	return st.Unknown
}

// width is the display width of s, fast for plain ASCII.
func width(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// pad truncates s to w cells (with …) and pads it with spaces to exactly w.
func pad(s string, w int, right bool) string {
	if w <= 0 {
		return ""
	}
	sw := width(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = width(s)
	}
	if sw == w {
		return s
	}
	if right {
		return strings.Repeat(" ", w-sw) + s
	}
	return s + strings.Repeat(" ", w-sw)
}

// clock formats a duration as m:ss, or h:mm:ss from an hour.
func clock(d time.Duration) string {
	s := int(d / time.Second)
	if s < 0 {
		s = 0
	}
	h, m, sec := s/3600, s/60%60, s%60
	if h > 0 {
		return strconv.Itoa(h) + ":" + two(m) + ":" + two(sec)
	}
	return strconv.Itoa(m) + ":" + two(sec)
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
