package tui

import (
	"errors"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/theme"
	"github.com/frontdesk/frontdesk/transport"
)

// Layout and drawing of the whole screen.

func (m *Model) tooSmall() bool {
	return m.sh.width < minWidth || m.sh.height < minHeight
}

// frame is the vertical layout for the current size and state.
type frame struct {
	greet  []string // what to say to the callers ringing
	caller []string // what the desk knows about the caller ringing
	status []string
	dial   []string
	footer string
	pos    string // scroll position, when not every call fits
	rows   int    // call rows
}

// layoutFrame decides what goes where. Help shrinks to one line, and errors
// to one line, before the table loses its last row. When not every call
// fits, the footer's last line ends with the scroll position. Only
// relayout calls it: it fills the footer and status caches.
func (m *Model) layoutFrame() frame {
	w, h := m.sh.width, m.sh.height
	var f frame
	f.greet = m.greetLines(w)
	f.status = m.status.lines(w)
	if line := m.callerLine(w); line != "" {
		f.caller = []string{line}
	}
	if m.question != nil {
		f.status = m.questionLines(w)
	}
	switch m.focus {
	case focusDial:
		f.dial = m.dial.lines(w)
	case focusPIN:
		f.dial = m.pin.lines(w, m.opts.PINNote)
	}
	keys := m.helpKeys()
	// The ? overlay takes the table's place; the footer stays one line.
	full := false
	m.foot.check(keys)
	footer := func(width int) string {
		if out, ok := m.foot.get(full, width); ok {
			return out
		}
		out := m.drawFooter(keys, full, width)
		m.foot.put(full, width, out)
		return out
	}
	f.footer = footer(w)
	fixed := func() int {
		return 2 + len(f.dial) + len(f.greet) + len(f.caller) + len(f.status) + strings.Count(f.footer, "\n") + 1
	}
	if h-fixed() < 2 {
		f.caller = nil // the calls come first
	}
	if h-fixed() < 1 && len(f.status) > 1 {
		f.status = f.status[:1]
	}
	if h-fixed() < 1 {
		f.greet = nil
	}
	f.rows = max(0, h-fixed())
	if n := len(m.list.calls); n > f.rows && f.rows > 0 && m.view == viewCalls && m.focus != focusPicker && m.focus != focusForm && !m.help.ShowAll {
		offset := min(m.list.offset, n-f.rows)
		f.pos = " " + itoa(offset+1) + "–" + itoa(offset+f.rows) + " of " + itoa(n)
		if pw := ansi.StringWidth(f.pos); w-pw >= 10 {
			lines := strings.Split(footer(w-pw), "\n")
			i := len(lines) - 1
			lines[i] += strings.Repeat(" ", max(0, w-pw-ansi.StringWidth(lines[i]))) + m.sh.styles.Dim.Render(f.pos)
			f.footer = strings.Join(lines, "\n")
		}
	}
	return f
}

// drawFooter renders the help footer for keys at width.
func (m *Model) drawFooter(keys help.KeyMap, full bool, width int) string {
	m.help.SetWidth(width)
	var out string
	if full {
		out = m.help.FullHelpView(keys.FullHelp())
	} else {
		out = m.shortHelp(keys.ShortHelp(), width)
	}
	// help can overrun its width when even the ellipsis does not fit.
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "")
	}
	return strings.Join(lines, "\n")
}

// footerCache keeps the rendered help footer. Drawing it is most of the
// work of a frame, and it only changes when the bindings that apply (or
// their help text), the width, the help mode or the styles change.
type footerCache struct {
	sig     []bindingSig // what the drawn footers were drawn from
	entries [4]footerEntry
	n       int
	scratch []bindingSig
}

type bindingSig struct {
	on        bool
	key, desc string
}

type footerEntry struct {
	full  bool
	width int
	out   string
}

// check forgets the drawn footers when keys differ from the ones they were
// drawn from.
func (c *footerCache) check(keys help.KeyMap) {
	sig := c.scratch[:0]
	add := func(b key.Binding) {
		h := b.Help()
		sig = append(sig, bindingSig{b.Enabled(), h.Key, h.Desc})
	}
	for _, b := range keys.ShortHelp() {
		add(b)
	}
	sig = append(sig, bindingSig{})
	for _, col := range keys.FullHelp() {
		for _, b := range col {
			add(b)
		}
		sig = append(sig, bindingSig{})
	}
	if slices.Equal(sig, c.sig) {
		c.scratch = sig
		return
	}
	c.scratch, c.sig = c.sig, sig
	c.n = 0
}

func (c *footerCache) get(full bool, width int) (string, bool) {
	for _, e := range c.entries[:c.n] {
		if e.full == full && e.width == width {
			return e.out, true
		}
	}
	return "", false
}

func (c *footerCache) put(full bool, width int, out string) {
	if c.n == len(c.entries) {
		copy(c.entries[:], c.entries[1:])
		c.n--
	}
	c.entries[c.n] = footerEntry{full, width, out}
	c.n++
}

// reset forgets every drawn footer (the styles changed).
func (c *footerCache) reset() {
	c.sig, c.n = nil, 0
}

// sizer is a pane that lays itself out in w×h cells: it sizes its inputs
// and settles its scroll offset there, so that drawing it changes nothing.
type sizer interface{ setSize(w, h int) }

// body is what fills the screen between the header and the dial prompt.
type body int

const (
	bodyCalls body = iota
	bodyHelp
	bodyPicker
	bodyForm
	bodyHistory
	bodyMessages
	bodyToday
)

// body is what the screen shows now.
func (m *Model) body() body {
	switch {
	case m.help.ShowAll:
		return bodyHelp
	case m.focus == focusPicker:
		return bodyPicker
	case m.focus == focusForm:
		return bodyForm
	case m.view == viewHistory:
		return bodyHistory
	case m.view == viewMessages:
		return bodyMessages
	case m.view == viewToday:
		return bodyToday
	}
	return bodyCalls
}

// relayout runs at the end of every Update: it decides the frame, sizes
// every pane to it and draws what View then only reads (the window title,
// the header, the call rows, the message text area).
func (m *Model) relayout() {
	wait := m.waitingNow()
	m.winTitle = wait.title()
	if m.tooSmall() {
		return
	}
	f := m.layoutFrame()
	// Every pane gets the body: the lines under the header, its own title
	// line included.
	w, h := m.sh.width, f.rows+1
	for _, p := range [...]sizer{&m.list, &m.hist, &m.msgs, &m.today, &m.picker, &m.form, &m.dial} {
		p.setSize(w, h)
	}
	if f.pos != "" {
		// The scroll position in the footer depends on the offset that
		// setSize just settled.
		f = m.layoutFrame()
	}
	m.frame = f
	m.drawHeader(wait)
	switch m.body() {
	case bodyCalls:
		m.list.draw()
	case bodyForm:
		m.form.drawText()
	}
}

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = m.winTitle
	if m.focus == focusDial && !m.tooSmall() {
		v.Cursor = m.dial.cursor(m.dialRow())
	}
	return v
}

// title is the terminal window title.
func (w waiting) title() string {
	if w.ringing+w.held == 0 {
		return "frontdesk"
	}
	var parts []string
	if w.ringing > 0 {
		parts = append(parts, itoa(w.ringing)+" ringing")
	}
	if w.held > 0 {
		parts = append(parts, itoa(w.held)+" on hold")
	}
	return "frontdesk — " + strings.Join(parts, ", ") + " · longest wait " + clock(w.longest)
}

// waiting is who is waiting for the receptionist: callers ringing and on
// hold, the longest wait among them and its waiting step.
type waiting struct {
	ringing, held int
	longest       time.Duration
	step          theme.Wait
}

// text is the header's badge, in every view: "☎ 2 ringing · 1 on hold ·
// longest 0:48".
func (w waiting) text() string {
	var parts []string
	if w.ringing > 0 {
		parts = append(parts, "☎ "+itoa(w.ringing)+" ringing")
	}
	if w.held > 0 {
		parts = append(parts, itoa(w.held)+" on hold")
	}
	return strings.Join(parts, " · ") + " · longest " + clock(w.longest)
}

func (m *Model) waitingNow() waiting {
	var w waiting
	for i := range m.list.calls {
		c := &m.list.calls[i]
		switch c.State {
		case model.StateRinging:
			w.ringing++
		case model.StateHolding:
			w.held++
		default:
			continue
		}
		d := c.InState(m.sh.now)
		w.longest = max(w.longest, d)
		w.step = max(w.step, m.sh.waitOf(c, d))
	}
	// Whole seconds, as shown: the header is drawn again only when what it
	// shows changes, not on every event.
	w.longest = w.longest.Truncate(time.Second)
	return w
}

// dialRow is the screen row of the dial input.
func (m *Model) dialRow() int {
	return 2 + m.list.height
}

func (m *Model) render() string {
	w, h := m.sh.width, m.sh.height
	if w <= 0 || h <= 0 {
		return ""
	}
	st := m.sh.styles
	if m.tooSmall() {
		lines := []string{"Terminal too small", "need " + itoa(minWidth) + "×" + itoa(minHeight) + " · q quits"}
		for i, l := range lines {
			lines[i] = st.Warning.Render(ansi.Truncate(l, w, "…"))
		}
		return strings.Join(lines[:min(len(lines), h)], "\n")
	}
	f := m.frame
	lines := make([]string, 0, h)
	lines = append(lines, m.headLine)
	switch m.body() {
	case bodyHelp:
		lines = append(lines, m.overlay(w, f.rows+1)...)
	case bodyPicker:
		lines = append(lines, m.picker.lines(w, f.rows+1)...)
	case bodyForm:
		lines = append(lines, m.form.lines(w, f.rows+1)...)
	case bodyHistory:
		lines = append(lines, m.hist.lines(w, f.rows+1, m.focus == focusSearch)...)
	case bodyMessages:
		lines = append(lines, m.msgs.lines(w, f.rows+1)...)
	case bodyToday:
		lines = append(lines, m.today.lines()...)
	default:
		lines = append(lines, m.list.title)
		rows := m.list.shown
		if len(m.list.calls) == 0 && f.rows > 0 {
			rows = []string{st.Empty.Render(ansi.Truncate("  "+m.emptyText(), w, "…"))}
		}
		lines = append(lines, rows...)
		for range f.rows - len(rows) {
			lines = append(lines, "")
		}
	}
	lines = append(lines, f.dial...)
	lines = append(lines, f.greet...)
	lines = append(lines, f.caller...)
	lines = append(lines, f.status...)
	lines = append(lines, f.footer)
	return strings.Join(lines, "\n")
}

// headerKey is everything the header bar is drawn from, but the styles.
type headerKey struct {
	conns string // every line's connection text (the text decides the style)
	clock string
	width int
	extra headerExtra
}

// drawHeader draws the top bar again when what it shows changed.
func (m *Model) drawHeader(wait waiting) {
	w := m.sh.width
	conns := m.headerConns()
	var key strings.Builder
	for _, c := range conns {
		key.WriteString(c.full)
		key.WriteByte(0)
	}
	k := headerKey{
		conns: key.String(), clock: m.sh.now.Format("15:04"), width: w,
		extra: headerExtra{view: m.view, missed: m.missed, records: m.opts.Records != nil, waiting: wait, notSaving: m.notSaving},
	}
	if m.headDrawn && k == m.headKey {
		return
	}
	account := m.opts.Account
	if m.lines.several() {
		account = "" // each line names itself beside its state
	}
	m.headLine = header(m.sh, account, conns, w, k.extra)
	m.headKey, m.headDrawn = k, true
}

// headerConns is each line's connection state as the header shows it:
// alone, the state; with several lines, each line's label and state.
func (m *Model) headerConns() []headerConn {
	if !m.lines.several() {
		conn := m.lineConn(0)
		text, style := conn.text(m.sh)
		sym, _, _ := strings.Cut(text, " ")
		return []headerConn{{full: text, short: sym, style: style}}
	}
	out := make([]headerConn, len(m.lines.all))
	for i := range m.lines.all {
		conn := m.lineConn(i)
		full, style := connPart(m.sh, m.lines.all[i].Label, conn, false)
		short, _ := connPart(m.sh, m.lines.all[i].Label, conn, true)
		out[i] = headerConn{full: full, short: short, style: style}
	}
	return out
}

// lineConn is line i's connection as the header and the empty table tell
// it; the zero connView when there is no such line.
func (m *Model) lineConn(i int) connView {
	if i < 0 || i >= len(m.lines.all) {
		return connView{}
	}
	l := &m.lines.all[i]
	c := l.conn
	c.confirmed = l.confirmed
	_, c.canPIN = l.Phone.(PINChanger)
	return c
}

// emptyText is what the table says when there are no calls. With one line:
// while its connection is down, why, in words, and when the next try is.
// With several: the best of their states, since any live line can bring
// a call (the header says how each one is).
func (m *Model) emptyText() string {
	if m.lines.several() {
		return m.linesEmptyText()
	}
	conn := m.lineConn(0)
	s := conn.state
	switch {
	case conn.closed:
		return "Not connected to the phone service."
	case !conn.known || (s.Status == transport.ConnConnecting && s.Err == nil):
		return "Connecting to the phone service…"
	case s.Status == transport.ConnLive:
		return "No calls. Incoming calls appear here; d dials out, / dials by name."
	}
	text := "Not connected to the phone service"
	if r := transport.Reason(s.Err); r != "" {
		text = "Not connected: " + r
	}
	if errors.Is(s.Err, transport.ErrAuth) && conn.canPIN {
		text += ". p types the PIN again"
	}
	if !s.NextTry.IsZero() && s.NextTry.After(m.sh.now) {
		text += ". Next try at " + s.NextTry.In(m.sh.now.Location()).Format("15:04:05")
	}
	return text + "."
}

func (m *Model) linesEmptyText() string {
	best := 0
	for _, l := range m.lines.all {
		c := l.conn
		switch {
		case c.closed:
		case !c.known || c.state.Status == transport.ConnConnecting:
			best = max(best, 2)
		case c.state.Status == transport.ConnLive:
			best = 3
		default:
			best = max(best, 1)
		}
	}
	switch best {
	case 0:
		return "Not connected to the phone service."
	case 2:
		return "Connecting to the phone service…"
	case 3:
		return "No calls. Incoming calls appear here; d dials out, / dials by name."
	}
	return "No calls shown while the lines are down; the header says why."
}

// shortHelp is the one-line help: as many whole bindings as fit in width,
// then "…" if some were left out.
func (m *Model) shortHelp(bindings []key.Binding, width int) string {
	var on []key.Binding
	for _, b := range bindings {
		if b.Enabled() {
			on = append(on, b)
		}
	}
	h := m.help
	h.SetWidth(0)
	for n := len(on); n > 0; n-- {
		out := h.ShortHelpView(on[:n])
		if n < len(on) {
			out += h.Styles.Ellipsis.Render(" …")
		}
		if ansi.StringWidth(out) <= width {
			return out
		}
	}
	return ""
}
