package tui

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/transport"
)

// fakePhone is a Phone whose events come from a channel and whose commands
// are recorded.
type fakePhone struct {
	events chan transport.Event

	mu   sync.Mutex
	cmds []phoneCmd
	errs map[string]error // command name -> error to return
}

type phoneCmd struct{ name, arg string }

func newFakePhone() *fakePhone {
	return &fakePhone{events: make(chan transport.Event, 64), errs: map[string]error{}}
}

func (f *fakePhone) Events() <-chan transport.Event { return f.events }

func (f *fakePhone) do(name, arg string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cmds = append(f.cmds, phoneCmd{name, arg})
	return f.errs[name]
}

func (f *fakePhone) Answer(_ context.Context, id string) error  { return f.do("answer", id) }
func (f *fakePhone) Ignore(_ context.Context, id string) error  { return f.do("ignore", id) }
func (f *fakePhone) Hold(_ context.Context, id string) error    { return f.do("hold", id) }
func (f *fakePhone) Resume(_ context.Context, id string) error  { return f.do("resume", id) }
func (f *fakePhone) Release(_ context.Context, id string) error { return f.do("release", id) }
func (f *fakePhone) Dial(_ context.Context, n string) error     { return f.do("dial", n) }

func (f *fakePhone) sent() []phoneCmd {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]phoneCmd(nil), f.cmds...)
}

func (f *fakePhone) failWith(name string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs[name] = err
}

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

var epoch = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func newClock() *testClock { return &testClock{t: epoch} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness drives a Model through Update directly, running the commands an
// action returns (but not the event wait or timers) so results come back.
type harness struct {
	t      testing.TB
	m      *Model
	phone  *fakePhone
	clock  *testClock
	timers []timerMsg
}

// timerMsg stands for a scheduled message: the harness records it instead of
// waiting, and fire delivers it.
type timerMsg struct {
	d   time.Duration
	msg tea.Msg
}

func newHarness(t testing.TB, w, h int, mod ...func(*Options)) *harness {
	t.Helper()
	ph := newFakePhone()
	clk := newClock()
	opts := Options{Phone: ph, Account: "6465550100", Now: clk.Now, Bell: true}
	for _, f := range mod {
		f(&opts)
	}
	m := New(opts)
	m.sh.after = func(d time.Duration, msg tea.Msg) tea.Cmd {
		return func() tea.Msg { return timerMsg{d, msg} }
	}
	// Events go straight to Update in these tests; with the channel closed
	// the re-armed wait returns at once (and its message is dropped).
	close(ph.events)
	hs := &harness{t: t, m: m, phone: ph, clock: clk}
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	return hs
}

// send delivers msg and returns the messages produced by the resulting
// commands that complete immediately (phone commands); waits on the event
// channel and timers are not run.
func (h *harness) send(msg tea.Msg) []tea.Msg {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	return h.run(cmd)
}

// run executes cmd, feeding results of phone commands back into Update.
func (h *harness) run(cmd tea.Cmd) []tea.Msg {
	var out []tea.Msg
	var pending []tea.Cmd
	if cmd != nil {
		pending = append(pending, cmd)
	}
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		msg := runQuick(c)
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			pending = append(pending, msg...)
		case timerMsg:
			h.timers = append(h.timers, msg)
		case streamClosedMsg:
		case answeredMsg, ignoredMsg, heldMsg, resumedMsg, releasedMsg, dialedMsg,
			recordsChangedMsg, historyLoadedMsg, missedCountMsg, prunedMsg,
			messagesLoadedMsg, messageSavedMsg, messageMarkedMsg, handledMsg, pinNotTriedMsg:
			out = append(out, msg)
			_, next := h.m.Update(msg)
			if next != nil {
				pending = append(pending, next)
			}
		default:
			out = append(out, msg)
		}
	}
	return out
}

// runQuick runs a command; every command in these tests returns at once.
func runQuick(c tea.Cmd) tea.Msg {
	done := make(chan tea.Msg, 1)
	go func() { done <- c() }()
	select {
	case m := <-done:
		return m
	case <-time.After(5 * time.Second):
		panic("command blocked")
	}
}

// fireStatus delivers every recorded status fade and forgets them.
func (h *harness) fireStatus() {
	var keep []timerMsg
	timers := h.timers
	h.timers = nil
	for _, tm := range timers {
		if _, ok := tm.msg.(clearStatusMsg); ok {
			h.send(tm.msg)
			continue
		}
		keep = append(keep, tm)
	}
	h.timers = append(keep, h.timers...)
}

// ticks returns the recorded tick timers.
func (h *harness) ticks() []timerMsg {
	var out []timerMsg
	for _, tm := range h.timers {
		if _, ok := tm.msg.(tickMsg); ok {
			out = append(out, tm)
		}
	}
	return out
}

func (h *harness) key(s string) []tea.Msg {
	h.t.Helper()
	return h.send(keyPress(s))
}

func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// event applies one stream event directly.
func (h *harness) event(ev transport.Event) []tea.Msg {
	h.t.Helper()
	return h.send(eventMsg{0, ev})
}

func (h *harness) call(id, ani, state string) []tea.Msg {
	return h.event(transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: id, Ani: ani, State: state, DID: "6465550100"}})
}

func (h *harness) live() {
	h.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}})
}

// screen is the current view without styling.
func (h *harness) screen() string {
	return ansi.Strip(h.m.View().Content)
}

func keyPress(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "f2":
		return tea.KeyPressMsg{Code: tea.KeyF2}
	case "f3":
		return tea.KeyPressMsg{Code: tea.KeyF3}
	case "f4":
		return tea.KeyPressMsg{Code: tea.KeyF4}
	case "f5":
		return tea.KeyPressMsg{Code: tea.KeyF5}
	case "f1":
		return tea.KeyPressMsg{Code: tea.KeyF1}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "ctrl+s":
		return tea.KeyPressMsg{Code: 's', Mod: tea.ModCtrl}
	}
	r := []rune(s)
	if len(r) != 1 {
		panic("unknown key " + s)
	}
	return tea.KeyPressMsg{Code: r[0], Text: s}
}

var errBoom = errors.New("boom")

// SetPIN records that a PIN was typed again, never the PIN itself.
func (f *fakePhone) SetPIN(transport.Secret) error { return f.do("setpin", "") }

// PINWait is nil unless the test set an error for "pinwait".
func (f *fakePhone) PINWait() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.errs["pinwait"]
}
