package tui

import (
	"reflect"
	"strconv"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/theme"
)

// focus says which component receives keys.
type focus int

const (
	focusCalls  focus = iota // the current view's list
	focusDial                // the dial prompt
	focusPicker              // the directory picker
	focusSearch              // the History view's search input
	focusForm                // the message form
	focusPIN                 // the PIN prompt
)

// view is which list the screen shows; Tab cycles through them.
type view int

const (
	viewCalls view = iota
	viewHistory
	viewMessages
	viewToday
	viewCount
)

func (v view) String() string {
	switch v {
	case viewHistory:
		return "History"
	case viewMessages:
		return "Messages"
	case viewToday:
		return "Today"
	}
	return "Calls"
}

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

	list     callList
	frame    frame // layout decided by the last Update
	calls    []model.Call
	dial     dialPrompt
	status   statusLine
	help     help.Model
	foot     footerCache
	winTitle string // the terminal window's title
	// The header bar as last drawn, and what it was drawn from.
	headKey   headerKey
	headLine  string
	headDrawn bool
	lines     lineSet
	// dialFrom is the index of the line the dial prompt dials from; -1
	// until the receptionist chooses one.
	dialFrom int
	// greet keeps the greeting of the caller being answered on screen.
	greet greeter

	notSaving bool   // the history cannot be written: header mark
	savingErr string // why, as last shown
	quitting  bool   // waiting for the history to be saved
	focus     focus
	view      view

	today todayView
	// callers is what the records know about the numbers ringing now,
	// by model.NumberKey; entries go when no call from the number rings.
	callers map[string]callerContext
	hist    historyView
	msgs    messagesView
	picker  dirPicker
	form    messageForm
	pin     pinPrompt
	alerts  alerts

	// acts is the action table (actions.go).
	acts [paneCount]paneActions
	// pending is the command in flight for each call, by call Id.
	pending    map[string]pendingAction
	pendingSeq int
	// question, when set, holds the keys until it is answered.
	question *question
	// missed is the count of open missed calls, shown in the header.
	missed int

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
		keys:      DefaultKeyMap(),
		log:       opts.Logger,
		now:       opts.Now(),
		holdWarn:  opts.HoldWarn,
		ringWarn:  opts.RingWarn,
		ringAlert: opts.RingAlert,
		isDark:    true,
		noColor:   opts.NoColor,
		after:     after,
		names:     newCallerNames(opts.Directory),

		dirSkipped: opts.DirectorySkipped,
	}
	m := &Model{
		opts:    opts,
		sh:      sh,
		table:   model.NewTable(),
		ringing: map[string]struct{}{},
		list:    newCallList(sh),
		status:  statusLine{sh: sh},
		help:    help.New(),
		alerts:  newAlerts(opts.Bell, opts.Notify),
		acts:    actionTable(sh.keys),
		pending: map[string]pendingAction{},
		lines:   newLineSet(opts.Lines, opts.Numbers),
	}
	m.acts[paneCalls].actions = append(m.acts[paneCalls].actions, speedDialActions(opts.SpeedDials)...)
	m.callers = map[string]callerContext{}
	m.today = todayView{sh: sh, noRecords: opts.Records == nil}
	m.list.lines = &m.lines
	m.list.unconfirmed = map[string]bool{}
	m.hist = newHistoryView(sh)
	m.hist.callLines = &m.lines
	m.msgs = messagesView{sh: sh, callLines: &m.lines}
	m.picker = newDirPicker(sh)
	m.form = newMessageForm(sh)
	m.pin = newPINPrompt(sh)
	m.dial = newDialPrompt(sh)
	// Every component exists before it is styled: restyle styles them all.
	m.restyle()
	m.relayout() // View reads what relayout leaves, from the first frame
	return m
}

// Init starts reading the phone's events and asks for the terminal's
// background colour.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.ensureTick()}
	for i, l := range m.lines.all {
		cmds = append(cmds, waitForEvent(i, l.Phone.Events()))
	}
	if m.opts.DirectoryUpdates != nil {
		cmds = append(cmds, waitForReload(m.opts.DirectoryUpdates))
	}
	if r := m.opts.Records; r != nil {
		cmds = append(cmds, countMissed(r), loadMessages(r), waitForChange(r.Changed()))
		if m.opts.Retention > 0 {
			cmds = append(cmds, prune(r, m.sh.now.Add(-m.opts.Retention)), m.sh.after(pruneEvery, pruneDueMsg{}))
		}
	}
	if d := m.opts.Directory; d != nil {
		cmds = append(cmds, m.status.set(statusOK, directorySummary(d.Len(), m.sh.dirSkipped)))
	}
	if err := m.opts.HistoryOff; err != nil { // after the directory's word: this one matters more
		m.notSaving = true
		cmds = append(cmds, m.status.set(statusError, "History is off: "+model.Clean(err.Error(), 200)))
	}
	return tea.Batch(cmds...)
}

// restyle rebuilds every style from the current background and colour
// settings, and styles every component; New calls it once all of them are
// built.
func (m *Model) restyle() {
	m.sh.styles = theme.New(m.sh.isDark, m.sh.noColor || m.sh.monochrome)
	st := m.sh.styles
	m.foot.reset()
	m.headDrawn = false
	m.status.restyle()
	m.help.Styles = help.Styles{
		Ellipsis:       st.HelpSep,
		ShortKey:       st.HelpKey,
		ShortDesc:      st.HelpDesc,
		ShortSeparator: st.HelpSep,
		FullKey:        st.HelpKey,
		FullDesc:       st.HelpDesc,
		FullSeparator:  st.HelpSep,
	}
	m.dial.restyle()
	m.hist.restyle()
	m.picker.restyle()
	m.form.restyle()
	m.pin.restyle()
	m.list.restyle()
}

// Update applies one message. It is the only place the Model changes.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.sh.now = m.opts.Now()
	m.greet.expire(m.sh.now)
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
		m.alerts.detect(msg)
		if v, ok := msg.LookupEnv("NO_COLOR"); ok && v != "" && !m.sh.noColor {
			m.sh.noColor = true
			m.restyle()
		}
	case tea.KeyPressMsg:
		cmds = append(cmds, m.handleKey(msg))
	case tea.PasteMsg:
		cmds = append(cmds, m.handlePaste(msg))
	case eventMsg:
		cmds = append(cmds, m.handleEvents(msg.line, msg.ev))
	case eventsMsg:
		cmds = append(cmds, m.handleEvents(msg.line, msg.evs...))
	case streamClosedMsg:
		m.lines.all[msg.line].conn.closed = true
		m.sh.log.Warn("call event stream closed", "line", m.lines.all[msg.line].Name)
	case tickMsg:
		if msg.gen == m.tickGen {
			m.tickPending = false
		}
		cmds = append(cmds, m.holdAlerts())
	case clearStatusMsg:
		m.status.clear(msg.id)
	case settledMsg:
		m.handleSettled(msg)
	case pinNotTriedMsg:
		cmds = append(cmds, m.pinNotTried(msg))
	case answeredMsg, ignoredMsg, heldMsg, resumedMsg, releasedMsg, dialedMsg:
		cmds = append(cmds, m.handleResult(msg))
	case directoryReloadMsg:
		cmds = append(cmds, m.handleReload(msg))
	case directoryClosedMsg:
	case recordsChangedMsg, historyLoadedMsg, missedCountMsg, handledMsg, todayLoadedMsg,
		messagesLoadedMsg, messageSavedMsg, messageMarkedMsg, callerContextMsg,
		prunedMsg, pruneDueMsg, historySavedMsg:
		cmds = append(cmds, m.handleRecords(msg))
	default:
		// Bubble Tea's other reports (key releases, focus, mouse, …):
		// nothing here asks for them.
		m.sh.log.Debug("message not handled", "type", reflect.TypeOf(msg))
	}
	cmds = append(cmds, m.ensureTick())
	m.relayout()
	return m, tea.Batch(cmds...)
}

func itoa(n int) string { return strconv.Itoa(n) }
