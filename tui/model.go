// Package tui is the console: a Bubble Tea program that shows the phone's
// calls live and works them from the keyboard.
//
// Data flows one way. The phone's event stream is read by a re-arming
// command, one message per event; Update applies each to the model's call
// table; View draws the table. Actions (answer, hold, …) are commands that
// call the phone and report back with a typed message. Nothing but Update
// changes the Model.
package tui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/theme"
	"github.com/frontdesk/frontdesk/transport"
)

// focus says which component receives keys.
type focus int

const (
	focusCalls focus = iota
	focusDial
)

// Smallest usable terminal.
const (
	minWidth  = 30
	minHeight = 8
)

// Model is the root model of one console session.
type Model struct {
	opts  Options
	sh    *shared
	table *model.Table

	version uint64 // table version the list was built from
	built   bool
	ringing map[string]struct{}

	list   callList
	frame  frame // layout decided by the last Update
	calls  []model.Call
	dial   dialPrompt
	status statusLine
	help   help.Model
	conn   connView
	focus  focus

	// Tick loop: one outstanding tick at a time, identified by tickGen.
	tickGen     int
	tickPending bool
	tickFast    bool
}

var _ tea.Model = (*Model)(nil)

// New builds a console session.
func New(opts Options) *Model {
	opts = opts.withDefaults()
	sh := &shared{
		keys:     DefaultKeyMap(),
		log:      opts.Logger,
		now:      opts.Now(),
		holdWarn: opts.HoldWarn,
		isDark:   true,
		noColor:  opts.NoColor,
		after:    after,
	}
	m := &Model{
		opts:    opts,
		sh:      sh,
		table:   model.NewTable(opts.HistoryCap),
		ringing: map[string]struct{}{},
		list:    newCallList(sh),
		status:  statusLine{sh: sh},
		help:    help.New(),
	}
	m.restyle()
	m.dial = newDialPrompt(sh)
	return m
}

// Init starts reading the phone's events and asks for the terminal's
// background colour.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.ensureTick()}
	if m.opts.Phone != nil {
		cmds = append(cmds, waitForEvent(m.opts.Phone.Events()))
	}
	return tea.Batch(cmds...)
}

// restyle rebuilds every style from the current background and colour
// settings.
func (m *Model) restyle() {
	m.sh.styles = theme.New(m.sh.isDark, m.sh.noColor || m.sh.monochrome)
	st := m.sh.styles
	m.help.Styles = help.Styles{
		Ellipsis:       st.HelpSep,
		ShortKey:       st.HelpKey,
		ShortDesc:      st.HelpDesc,
		ShortSeparator: st.HelpSep,
		FullKey:        st.HelpKey,
		FullDesc:       st.HelpDesc,
		FullSeparator:  st.HelpSep,
	}
	if m.dial.sh != nil {
		m.dial.restyle()
	}
	if m.list.sh != nil {
		m.list.restyle()
	}
}

// Update applies one message. It is the only place the Model changes.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.sh.now = m.opts.Now()
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.sh.width, m.sh.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		m.sh.isDark = msg.IsDark()
		m.restyle()
	case tea.ColorProfileMsg:
		// A terminal without colour gets the no-colour palette, which marks
		// the header, selection and states with reverse video and bold.
		if mono := msg.Profile <= colorprofile.ASCII; mono != m.sh.monochrome {
			m.sh.monochrome = mono
			m.restyle()
		}
	case tea.EnvMsg:
		if v, ok := msg.LookupEnv("NO_COLOR"); ok && v != "" && !m.sh.noColor {
			m.sh.noColor = true
			m.restyle()
		}
	case tea.KeyPressMsg:
		cmds = append(cmds, m.handleKey(msg))
	case tea.PasteMsg:
		if m.focus == focusDial {
			cmds = append(cmds, m.dial.update(msg))
		}
	case eventMsg:
		cmds = append(cmds, m.handleEvent(msg.ev))
	case streamClosedMsg:
		m.conn.closed = true
		m.sh.log.Warn("call event stream closed")
	case tickMsg:
		if msg.gen == m.tickGen {
			m.tickPending = false
		}
	case clearStatusMsg:
		m.status.clear(msg.id)
	case answeredMsg, ignoredMsg, heldMsg, resumedMsg, releasedMsg, dialedMsg:
		cmds = append(cmds, m.handleResult(msg))
	case historySavedMsg:
		if msg.err != nil {
			m.sh.log.Error("saving call history", "calls", msg.n, "err", msg.err)
		}
	}
	cmds = append(cmds, m.ensureTick())
	m.relayout()
	return m, tea.Batch(cmds...)
}

// handleKey routes a key press by focus.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "ctrl+c" {
		return tea.Quit
	}
	if m.focus == focusDial {
		return m.dialKey(msg)
	}
	return m.callsKey(msg)
}

// callsKey handles keys while the call table has focus.
func (m *Model) callsKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	if m.tooSmall() {
		// Only quitting and help make sense on a screen this small.
		if key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
	case msg.String() == "esc":
		m.help.ShowAll = false
	case key.Matches(msg, k.Up):
		m.list.move(-1)
	case key.Matches(msg, k.Down):
		m.list.move(1)
	case key.Matches(msg, k.Top):
		m.list.selectIndex(0)
	case key.Matches(msg, k.Bottom):
		m.list.selectIndex(len(m.list.calls) - 1)
	case key.Matches(msg, k.PgUp):
		m.list.move(-m.list.page())
	case key.Matches(msg, k.PgDown):
		m.list.move(m.list.page())
	case key.Matches(msg, k.Answer):
		return m.act(model.ActAnswer)
	case key.Matches(msg, k.Ignore):
		return m.act(model.ActIgnore)
	case key.Matches(msg, k.Hold):
		return m.act(m.holdAction())
	case key.Matches(msg, k.Release):
		return m.act(model.ActRelease)
	case key.Matches(msg, k.Dial):
		m.focus = focusDial
		return m.dial.show()
	}
	return nil
}

// dialKey handles keys while the dial prompt has focus.
func (m *Model) dialKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	switch {
	case key.Matches(msg, k.DialCancel):
		m.closeDial()
		return m.status.set(statusOK, "Dialling cancelled")
	case key.Matches(msg, k.DialSend):
		if !m.dial.valid() {
			m.dial.tried = true
			return nil
		}
		n := m.dial.number
		m.closeDial()
		return tea.Batch(
			m.status.set(statusPending, "Dialling "+n.Display+"…"),
			m.placeCall(n.Digits, n.Display),
		)
	}
	return m.dial.update(msg)
}

func (m *Model) closeDial() {
	m.dial.hide()
	m.focus = focusCalls
}

// holdAction is what the hold key does now: resume the selected call if it
// is on hold, otherwise hold. With nothing selected it holds the first
// connected call, or else resumes the first held one.
func (m *Model) holdAction() model.Action {
	if c, ok := m.list.selected(); ok {
		if c.State == model.StateHolding {
			return model.ActResume
		}
		return model.ActHold
	}
	if _, err := m.table.Target("", model.ActHold); err == nil {
		return model.ActHold
	}
	if _, err := m.table.Target("", model.ActResume); err == nil {
		return model.ActResume
	}
	return model.ActHold
}

// act sends action a to the selected call (or, with none selected, the
// first call it fits). If it fits no call, the status line says why and
// nothing is sent.
func (m *Model) act(a model.Action) tea.Cmd {
	id, err := m.table.Target(m.list.selID, a)
	if err != nil {
		msg := sentence(err.Error())
		if (a == model.ActAnswer || a == model.ActIgnore) && m.list.selID != "" && m.table.Count(model.StateRinging) > 0 {
			msg += "; the ringing call is at the top (g)"
		}
		return m.status.set(statusError, msg)
	}
	c, _ := m.table.Get(id)
	who := c.Caller()
	m.sh.log.Info("action", "action", a.String(), "call", id)
	var verb string
	var cmd tea.Cmd
	switch a {
	case model.ActAnswer:
		verb, cmd = "Answering "+who+"…", m.answer(id, who)
	case model.ActIgnore:
		verb, cmd = "Ignoring "+who+"…", m.ignore(id, who)
	case model.ActHold:
		verb, cmd = "Putting "+who+" on hold…", m.hold(id, who)
	case model.ActResume:
		verb, cmd = "Resuming "+who+"…", m.resume(id, who)
	case model.ActRelease:
		verb, cmd = "Hanging up "+who+"…", m.release(id, who)
	default:
		return nil
	}
	return tea.Batch(m.status.set(statusPending, verb), cmd)
}

// handleResult reports how an action went.
func (m *Model) handleResult(msg tea.Msg) tea.Cmd {
	var r result
	var done, failed string
	switch msg := msg.(type) {
	case answeredMsg:
		r, done, failed = msg.result, "Answered "+msg.who, "answer"
	case ignoredMsg:
		r, done, failed = msg.result, "Ignored "+msg.who+": it goes to voicemail if nobody answers", "ignore"
		if msg.err == nil {
			m.table.MarkIgnored(msg.id)
		}
	case heldMsg:
		r, done, failed = msg.result, msg.who+" is on hold", "hold"
	case resumedMsg:
		r, done, failed = msg.result, "Resumed "+msg.who, "resume"
	case releasedMsg:
		r, done, failed = msg.result, "Hung up "+msg.who, "hang up"
	case dialedMsg:
		r, done, failed = result{id: msg.number, who: msg.who, err: msg.err}, "Dialled "+msg.who, "dial"
	}
	if r.err != nil {
		m.sh.log.Error("action failed", "action", failed, "call", r.id, "err", r.err)
		return m.status.set(statusError, "Could not "+failed+" "+r.who+": "+explain(r.err, m.opts.CommandTimeout))
	}
	m.sh.log.Info("action done", "action", failed, "call", r.id)
	return m.status.set(statusOK, done)
}

// explain turns an action's error into what happened and what to do.
func explain(err error, timeout time.Duration) string {
	var s string
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		s = "no reply from the phone service within " + timeout.String() + "; check the connection (top right) and try again"
	case errors.Is(err, transport.ErrNotConnected):
		s = "not connected to the phone service; wait until the header shows live, then try again"
	case errors.Is(err, transport.ErrNotApplied):
		s = "the phone did not act on it; the call may have changed or ended"
	default:
		s = err.Error()
	}
	return model.Clean(s, 300)
}

// sentence capitalises the first letter of s.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// handleEvent applies one stream event to the table.
func (m *Model) handleEvent(ev transport.Event) tea.Cmd {
	now := m.sh.now
	switch ev.Kind {
	case transport.EventConn:
		m.conn.known = true
		m.conn.state = ev.Conn
		m.sh.log.Info("connection", "status", ev.Conn.Status.String(), "attempt", ev.Conn.Attempt, "err", ev.Conn.Err)
	case transport.EventSnapshot:
		ups := make([]model.Update, len(ev.Calls))
		for i, c := range ev.Calls {
			ups[i] = toUpdate(c)
		}
		m.table.Reconcile(ups, now)
	case transport.EventCall:
		m.table.Apply(toUpdate(ev.Call), now)
	}
	cmds := []tea.Cmd{waitForEvent(m.opts.Phone.Events())}
	if m.refresh() && m.opts.Bell {
		cmds = append(cmds, bell())
	}
	if ended := m.table.Ended(); len(ended) > 0 && m.opts.History != nil {
		cmds = append(cmds, saveHistory(m.opts.History, ended))
	}
	return tea.Batch(cmds...)
}

// toUpdate converts a wire call to a table update.
func toUpdate(c transport.Call) model.Update {
	u := model.Update{
		ID:         c.ID,
		Ani:        c.Ani,
		DID:        c.DID,
		Endpoint:   c.Endpoint,
		Originated: c.Originated,
		State:      c.State,
		Duration:   c.Duration,
	}
	if c.CLID != nil {
		u.CLID, u.HasCLID = *c.CLID, true
	}
	return u
}

// refresh rebuilds the list from the table if it changed, and reports
// whether a call started ringing. When one did and nothing is selected, the
// first ringing call is selected.
func (m *Model) refresh() (rang bool) {
	if m.built && m.table.Version() == m.version {
		return false
	}
	m.built, m.version = true, m.table.Version()
	m.calls = m.table.AppendCalls(m.calls[:0])
	calls := m.calls
	m.list.setCalls(calls)
	first := ""
	ringing := make(map[string]struct{}, len(m.ringing))
	for i := range calls {
		if calls[i].State != model.StateRinging {
			continue
		}
		id := calls[i].ID
		ringing[id] = struct{}{}
		if first == "" {
			first = id
		}
		if _, was := m.ringing[id]; !was {
			rang = true
		}
	}
	m.ringing = ringing
	if rang && m.list.selID == "" {
		m.list.selectID(first)
	}
	return rang
}

// Ticking: while calls are live or a reconnect countdown runs, the screen
// changes every second; otherwise only the header clock changes, once a
// minute. Exactly one tick is outstanding.

func (m *Model) needFastTick() bool {
	if m.table.NeedsTick() {
		return true
	}
	c := m.conn
	return c.known && !c.closed && c.state.Status == transport.ConnReconnecting &&
		c.state.NextTry.After(m.sh.now)
}

func (m *Model) ensureTick() tea.Cmd {
	fast := m.needFastTick()
	if m.tickPending && (m.tickFast || !fast) {
		return nil
	}
	m.tickGen++
	m.tickPending, m.tickFast = true, fast
	return m.sh.after(untilNext(m.sh.now, fast), tickMsg{gen: m.tickGen})
}

// untilNext is the wait until just after the next whole second (fast) or
// minute, so the clocks on screen turn over together.
func untilNext(now time.Time, fast bool) time.Duration {
	const slack = 20 * time.Millisecond
	unit := time.Minute
	if fast {
		unit = time.Second
	}
	next := now.Add(slack).Truncate(unit).Add(unit)
	return next.Sub(now) + slack
}

// Layout.

func (m *Model) tooSmall() bool {
	return m.sh.width < minWidth || m.sh.height < minHeight
}

// frame is the vertical layout for the current size and state.
type frame struct {
	status []string
	dial   []string
	footer string
	pos    string // scroll position, when not every call fits
	rows   int    // call rows
}

// layoutFrame decides what goes where. Help shrinks to one line, and errors
// to one line, before the table loses its last row. When not every call
// fits, the footer's last line ends with the scroll position.
func (m *Model) layoutFrame() frame {
	w, h := m.sh.width, m.sh.height
	var f frame
	f.status = m.status.lines(w)
	if m.focus == focusDial {
		f.dial = m.dial.lines(w)
	}
	keys := m.helpKeys()
	full := m.help.ShowAll
	footer := func(width int) string {
		m.help.SetWidth(width)
		var out string
		if full {
			out = m.help.FullHelpView(keys.FullHelp())
		} else {
			out = m.help.ShortHelpView(keys.ShortHelp())
		}
		// help can overrun its width when even the ellipsis does not fit.
		lines := strings.Split(out, "\n")
		for i, l := range lines {
			lines[i] = ansi.Truncate(l, width, "")
		}
		return strings.Join(lines, "\n")
	}
	f.footer = footer(w)
	fixed := func() int {
		return 2 + len(f.dial) + len(f.status) + strings.Count(f.footer, "\n") + 1
	}
	if h-fixed() < 1 && full {
		full = false
		f.footer = footer(w)
	}
	if h-fixed() < 1 && len(f.status) > 1 {
		f.status = f.status[:1]
	}
	f.rows = max(0, h-fixed())
	if n := len(m.list.calls); n > f.rows && f.rows > 0 {
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

// relayout sizes the components after any change.
func (m *Model) relayout() {
	if m.tooSmall() {
		return
	}
	f := m.layoutFrame()
	m.list.setSize(m.sh.width, f.rows)
	if f.pos != "" {
		// The scroll position in the footer depends on the offset that
		// setSize just settled.
		f = m.layoutFrame()
	}
	m.frame = f
	m.dial.setWidth(m.sh.width)
}

// helpKeys is the key map as help should show it: bindings that do not
// apply to the selected call (or to any call, with none selected) are
// disabled, and the hold key says "resume" when that is what it would do.
func (m *Model) helpKeys() help.KeyMap {
	k := m.sh.keys
	if m.focus == focusDial {
		return dialHelp{k}
	}
	sel, hasSel := m.list.selected()
	applies := func(a model.Action) bool {
		if hasSel {
			return a.Applies(sel.State)
		}
		for i := range m.list.calls {
			if a.Applies(m.list.calls[i].State) {
				return true
			}
		}
		return false
	}
	k.Answer.SetEnabled(applies(model.ActAnswer))
	k.Ignore.SetEnabled(applies(model.ActIgnore))
	if m.holdAction() == model.ActResume {
		k.Hold.SetHelp(k.Hold.Help().Key, "resume")
		k.Hold.SetEnabled(applies(model.ActResume))
	} else {
		k.Hold.SetEnabled(applies(model.ActHold))
	}
	k.Release.SetEnabled(applies(model.ActRelease))
	n := len(m.list.calls)
	k.Up.SetEnabled(n > 0)
	k.Down.SetEnabled(n > 0)
	k.Top.SetEnabled(n > 1)
	k.Bottom.SetEnabled(n > 1)
	k.PgUp.SetEnabled(n > m.list.height)
	k.PgDown.SetEnabled(n > m.list.height)
	return k
}

// View draws the screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = m.title()
	if m.focus == focusDial && !m.tooSmall() {
		v.Cursor = m.dial.cursor(m.dialRow())
	}
	return v
}

// title is the terminal window title.
func (m *Model) title() string {
	if n := m.table.Count(model.StateRinging); n > 0 {
		if n == 1 {
			return "frontdesk — 1 ringing"
		}
		return "frontdesk — " + itoa(n) + " ringing"
	}
	return "frontdesk"
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
	lines = append(lines, header(m.sh, m.opts.Account, m.conn, w))
	lines = append(lines, m.list.titleLine())
	rows := m.list.rows()
	if len(m.list.calls) == 0 && f.rows > 0 {
		rows = []string{st.Empty.Render(ansi.Truncate("  "+m.emptyText(), w, "…"))}
	}
	lines = append(lines, rows...)
	for range f.rows - len(rows) {
		lines = append(lines, "")
	}
	lines = append(lines, f.dial...)
	lines = append(lines, f.status...)
	lines = append(lines, f.footer)
	return strings.Join(lines, "\n")
}

// emptyText is what the table says when there are no calls.
func (m *Model) emptyText() string {
	switch {
	case m.conn.closed:
		return "Not connected to the phone service."
	case !m.conn.known || m.conn.state.Status == transport.ConnConnecting:
		return "Connecting to the phone service…"
	case m.conn.state.Status == transport.ConnLive:
		return "No calls. Incoming calls appear here; d dials out."
	}
	return "No calls shown while the connection is down."
}

func itoa(n int) string { return strconv.Itoa(n) }
