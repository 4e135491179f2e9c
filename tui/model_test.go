package tui

import (
	"errors"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/transport"
)

func clid(s string) *string { return &s }

func hasMsg[T any](msgs []tea.Msg) (T, bool) {
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

func (h *harness) wantSent(want ...phoneCmd) {
	h.t.Helper()
	got := h.phone.sent()
	if len(got) != len(want) {
		h.t.Fatalf("sent %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			h.t.Fatalf("sent %v, want %v", got, want)
		}
	}
}

func (h *harness) wantScreen(sub string) {
	h.t.Helper()
	if s := h.screen(); !strings.Contains(s, sub) {
		h.t.Fatalf("screen lacks %q:\n%s", sub, s)
	}
}

func (h *harness) wantNoScreen(sub string) {
	h.t.Helper()
	if s := h.screen(); strings.Contains(s, sub) {
		h.t.Fatalf("screen has %q:\n%s", sub, s)
	}
}

func (h *harness) selected() string { return h.m.list.selKey }

func TestRingingCallIsShownSelectedAndRings(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.live()
	msgs := h.call("101", "16465551234", "RINGING")
	if raw, ok := hasMsg[tea.RawMsg](msgs); !ok || raw.Msg != "\a" {
		t.Fatalf("no bell on a new ring: %v", msgs)
	}
	if h.selected() != "101" {
		t.Fatalf("selected %q, want the ringing call", h.selected())
	}
	h.wantScreen("☎ ringing")
	h.wantScreen("(646) 555-1234")
	if got := h.m.View().WindowTitle; got != "frontdesk — 1 ringing · longest wait 0:00" {
		t.Fatalf("title %q", got)
	}
	// The same call again is not a new ring.
	if _, ok := hasMsg[tea.RawMsg](h.call("101", "16465551234", "RINGING")); ok {
		t.Fatal("bell rang again for the same call")
	}
}

func TestBellOff(t *testing.T) {
	h := newHarness(t, 80, 24, func(o *Options) { o.Bell = false })
	if _, ok := hasMsg[tea.RawMsg](h.call("101", "6465551234", "RINGING")); ok {
		t.Fatal("bell rang with Bell off")
	}
}

func TestAnswerSelectedCall(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.live()
	h.call("101", "6465551234", "RINGING")
	h.clock.Advance(time.Second)
	h.call("102", "2125550199", "RINGING")
	h.key("j") // select the second ringing call
	if h.selected() != "102" {
		t.Fatalf("selected %q", h.selected())
	}
	msgs := h.key("a")
	if _, ok := hasMsg[answeredMsg](msgs); !ok {
		t.Fatalf("no answeredMsg: %v", msgs)
	}
	h.wantSent(phoneCmd{"answer", "102"})
	h.wantScreen("✓ Answered (212) 555-0199")
}

func TestPendingStatusBeforeResult(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	_, cmd := h.m.Update(keyPress("a"))
	h.wantScreen("… Answering (646) 555-1234…")
	h.run(cmd)
	h.wantScreen("✓ Answered (646) 555-1234")
}

func TestFKeysAndEnter(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	h.key("f2")
	h.call("101", "6465551234", "CONNECTED")
	h.key("f3")
	h.call("101", "6465551234", "HOLDING")
	h.key("f3")
	h.call("101", "6465551234", "CONNECTED")
	h.key("f4")
	h.call("101", "6465551234", "DELETED")
	h.call("102", "6465551235", "RINGING")
	h.key("enter")
	h.wantSent(
		phoneCmd{"answer", "101"}, phoneCmd{"hold", "101"}, phoneCmd{"resume", "101"},
		phoneCmd{"release", "101"}, phoneCmd{"answer", "102"},
	)
	h.key("f5")
	if h.m.focus != focusDial {
		t.Fatal("F5 did not open the dial prompt")
	}
}

func TestHoldTogglesResume(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "CONNECTED")
	h.key("j")
	h.key("h")
	h.call("101", "6465551234", "HOLDING")
	h.wantScreen("h/F3 resume")
	h.key("h")
	h.wantSent(phoneCmd{"hold", "101"}, phoneCmd{"resume", "101"})
	h.wantScreen("✓ Resumed (646) 555-1234")
}

func TestStartWithCallsSelectsTop(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.event(transport.Event{Kind: transport.EventSnapshot, Calls: []transport.Call{
		{ID: "201", Ani: "6465551234", State: "HOLDING"},
		{ID: "202", Ani: "2125550199", State: "CONNECTED"},
	}})
	// The list went from empty to not empty: the top call is selected,
	// visibly, and the keys act on it alone.
	if h.selected() != "201" {
		t.Fatalf("selected %q, want the top call", h.selected())
	}
	h.wantScreen("▸‖ on hold")
	h.key("h") // resumes the selected held call, not the connected one
	h.wantSent(phoneCmd{"resume", "201"})
}

func TestActionThatDoesNotApplySaysWhy(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	h.key("h")
	h.key("r")
	h.wantSent()
	h.wantScreen("✗ Call from (646) 555-1234 is ringing: ignore it instead")
	h = newHarness(t, 80, 24)
	h.key("a")
	h.wantSent()
	h.wantScreen("✗ There are no calls")
}

func TestIgnoreMarksCall(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	h.key("i")
	h.wantSent(phoneCmd{"ignore", "101"})
	c, _ := h.m.table.Get("101")
	if !c.Ignored {
		t.Fatal("ignored call not marked")
	}
	h.wantScreen("Ignored (646) 555-1234")
}

func TestActionErrorExplains(t *testing.T) {
	h := newHarness(t, 120, 24)
	h.phone.failWith("answer", transport.ErrNotApplied)
	h.call("101", "6465551234", "RINGING")
	h.key("a")
	h.wantScreen("✗ Could not answer (646) 555-1234: the phone did not act on it")
	h.phone.failWith("hold", &transport.APIError{Command: "hold", Major: 8, Message: "Phone \x1b[2Jnot found"})
	h.call("101", "6465551234", "CONNECTED")
	h.key("h")
	h.wantScreen("the phone is not logged in; log into the phone")
	if strings.Contains(h.m.View().Content, "\x1b[2J") {
		t.Fatal("server text reached the screen unclean")
	}
}

func TestStatusFadesOnlyItself(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	h.key("h") // error status 1
	first := h.timers
	h.timers = nil
	h.key("a") // pending, then answered: a newer status
	// The first status's fade arrives late: it must not clear the newer one.
	for _, tm := range first {
		h.send(tm.msg)
	}
	h.wantScreen("✓ Answered")
	h.fireStatus()
	h.wantNoScreen("Answered")
	if h.m.status.showing() {
		t.Fatal("status still showing after its fade")
	}
}

func TestSelectionFollowsCall(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "CONNECTED")
	h.call("102", "2125550199", "CONNECTED")
	h.key("j")
	h.key("j")
	if h.selected() != "102" {
		t.Fatalf("selected %q", h.selected())
	}
	// A new ring goes to the top; the selection stays on call 102.
	h.call("103", "3125550111", "RINGING")
	if h.selected() != "102" {
		t.Fatalf("selection moved to %q", h.selected())
	}
	if c, _ := h.m.list.selected(); c.ID != "102" {
		t.Fatalf("selected row is %q", c.ID)
	}
}

func TestSelectedCallEndsSelectsNothing(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "CONNECTED")
	h.call("102", "2125550199", "CONNECTED")
	h.call("103", "3125550111", "CONNECTED")
	h.key("j") // 102
	h.call("102", "2125550199", "DELETED")
	if h.selected() != "" {
		t.Fatalf("after the selected call ended, selected %q, want none", h.selected())
	}
	h.wantScreen("Call from (212) 555-0199 ended")
	// Keys that need a call refuse; nothing is sent.
	for _, k := range []string{"m", "r", "h", "i"} {
		h.key(k)
	}
	h.wantSent()
	h.wantScreen("No call is selected")
	// A new call does not take the selection.
	h.call("104", "3125550112", "RINGING")
	if h.selected() != "" {
		t.Fatalf("a new call took the selection: %q", h.selected())
	}
	// Down starts from the ended call's row: the call that took its place.
	h.key("j")
	if c, _ := h.m.list.selected(); c.ID != h.m.list.calls[1].ID {
		t.Fatalf("down selected %q, want the row where the call was", c.ID)
	}
	for _, id := range []string{"101", "103", "104"} {
		h.call(id, "", "DELETED")
	}
	if h.selected() != "" {
		t.Fatalf("selected %q with no calls", h.selected())
	}
	// From empty to not empty: the top call is selected.
	h.call("105", "3125550113", "RINGING")
	if h.selected() != "105" {
		t.Fatalf("selected %q, want the only call", h.selected())
	}
}

func TestDialPrompt(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.key("d")
	h.wantScreen("Dial: ")
	h.typeText("555")
	h.wantScreen("✗ ")
	h.key("enter") // invalid: stays open, text kept, nothing sent
	if h.m.focus != focusDial || h.m.dial.input.Value() != "555" {
		t.Fatalf("invalid Enter closed the prompt or lost the text: %q", h.m.dial.input.Value())
	}
	h.wantSent()
	h.key("backspace")
	h.key("backspace")
	h.key("backspace")
	h.typeText("12")
	h.send(tea.PasteMsg{Content: "35"})
	h.key("backspace")
	h.typeText("4")
	h.wantScreen("→ x1234")
	h.key("esc")
	h.wantScreen("Discard the number you typed? y/N")
	h.key("n")
	if h.m.focus != focusDial || h.m.dial.input.Value() != "1234" {
		t.Fatal("no to the question lost the number")
	}
	h.key("esc")
	h.key("y")
	if h.m.focus != focusCalls {
		t.Fatal("esc and y did not close the prompt")
	}
	h.wantSent()

	h.key("d")
	if h.m.dial.input.Value() != "" {
		t.Fatal("prompt did not open empty")
	}
	h.send(tea.PasteMsg{Content: "(646) 555-1234"})
	h.wantScreen("→ (646) 555-1234")
	h.key("enter")
	h.wantSent(phoneCmd{"dial", "6465551234"})
	h.wantScreen("✓ Dialled (646) 555-1234")
	if h.m.focus != focusCalls {
		t.Fatal("prompt still open after dialling")
	}
}

func TestDialPromptKeysAreText(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	h.key("d")
	h.typeText("qahr")
	h.wantSent()
	if h.m.dial.input.Value() != "qahr" {
		t.Fatalf("value %q", h.m.dial.input.Value())
	}
	// Ctrl+C closes the prompt (asking, as it holds text), not the console.
	if _, ok := hasMsg[tea.QuitMsg](h.key("ctrl+c")); ok {
		t.Fatal("ctrl+c quit from the prompt")
	}
	h.wantScreen("Discard the number you typed?")
	h.key("y")
	if h.m.focus != focusCalls {
		t.Fatal("ctrl+c and y did not close the prompt")
	}
}

func TestDialCursor(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.key("d")
	h.typeText("12")
	v := h.m.View()
	if v.Cursor == nil {
		t.Fatal("no cursor in the dial prompt")
	}
	lines := strings.Split(ansi.Strip(v.Content), "\n")
	if !strings.HasPrefix(lines[v.Cursor.Position.Y], "Dial: 12") {
		t.Fatalf("cursor row %d is %q", v.Cursor.Position.Y, lines[v.Cursor.Position.Y])
	}
	if v.Cursor.Position.X != len("Dial: 12") {
		t.Fatalf("cursor column %d", v.Cursor.Position.X)
	}
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		h := newHarness(t, 80, 24)
		if _, ok := hasMsg[tea.QuitMsg](h.key(k)); !ok {
			t.Fatalf("%s did not quit", k)
		}
	}
	h := newHarness(t, 20, 5)
	if _, ok := hasMsg[tea.QuitMsg](h.key("q")); !ok {
		t.Fatal("q did not quit on a tiny terminal")
	}
}

func TestQuitAsksWithCallersOnTheLine(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		h := newHarness(t, 80, 24)
		h.call("101", "6465551234", "HOLDING")
		h.call("102", "6465551235", "HOLDING")
		h.call("103", "6465551236", "RINGING")
		if _, ok := hasMsg[tea.QuitMsg](h.key(k)); ok {
			t.Fatalf("%s quit with callers on hold", k)
		}
		h.wantScreen("2 calls on hold, 1 ringing — quit anyway? y/N")
		// Anything but y keeps the console, the second Ctrl+C included.
		if _, ok := hasMsg[tea.QuitMsg](h.key(k)); ok {
			t.Fatalf("a second %s quit", k)
		}
		h.wantScreen("Not quitting")
		h.key(k)
		if _, ok := hasMsg[tea.QuitMsg](h.key("y")); !ok {
			t.Fatal("y did not quit")
		}
	}
}

func TestHelpToggleAndDisabledBindings(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.wantNoScreen("answer")
	h.wantScreen("d/F5 dial")
	h.call("101", "6465551234", "RINGING")
	h.wantScreen("a/F2 answer")
	h.wantNoScreen("hang up")
	h.key("?")
	h.wantScreen("↑/k")
	h.key("?")
	h.wantNoScreen("↑/k")
}

func TestTicking(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.send(nil)
	ticks := h.ticks()
	// 09:26:53: the next wake-up is for the header clock, at 09:27.
	if len(ticks) != 1 || ticks[0].d < 7*time.Second || ticks[0].d > 7100*time.Millisecond {
		t.Fatalf("idle: want one tick at the next minute, got %v", ticks)
	}
	h.timers = nil
	h.call("101", "6465551234", "RINGING")
	ticks = h.ticks()
	if len(ticks) != 1 || ticks[0].d > time.Second+100*time.Millisecond {
		t.Fatalf("with a call: want one 1 s tick, got %v", ticks)
	}
	// The tick re-arms itself while the call lasts.
	h.timers = nil
	h.clock.Advance(time.Second)
	h.send(ticks[0].msg)
	if n := len(h.ticks()); n != 1 {
		t.Fatalf("tick did not re-arm exactly once: %d", n)
	}
	// A stale tick from a superseded loop does nothing.
	h.timers = nil
	h.send(tickMsg{gen: -1})
	if n := len(h.ticks()); n != 0 {
		t.Fatalf("stale tick scheduled %d ticks", n)
	}
	// Once the call ends, the fast tick is not renewed.
	h.call("101", "6465551234", "DELETED")
	h.timers = nil
	h.send(tickMsg{gen: h.m.tickGen})
	ticks = h.ticks()
	if len(ticks) != 1 || ticks[0].d < 2*time.Second {
		t.Fatalf("after the call: want a slow tick, got %v", ticks)
	}
}

func TestTimersAdvance(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "CONNECTED")
	h.clock.Advance(75 * time.Second)
	h.send(tickMsg{gen: h.m.tickGen})
	h.wantScreen("1:15")
}

func TestHoldWarning(t *testing.T) {
	h := newHarness(t, 80, 24, func(o *Options) { o.HoldWarn = 30 * time.Second })
	h.call("101", "6465551234", "HOLDING")
	h.call("102", "6465551235", "RINGING")
	h.key("g") // the ringing call, so the held row is drawn unselected
	warn := strings.Split(h.m.sh.styles.HoldWarning.Render("x"), "x")[0] + "  !0:31"
	heldRow := func() string {
		for _, l := range strings.Split(h.m.View().Content, "\n") {
			if strings.Contains(ansi.Strip(l), "‖ on hold") {
				return l
			}
		}
		t.Fatal("no held row")
		return ""
	}
	h.clock.Advance(29 * time.Second)
	h.send(tickMsg{gen: h.m.tickGen})
	if strings.Contains(heldRow(), strings.Split(warn, "x")[0]+"   0:29") {
		t.Fatal("warning too early")
	}
	h.clock.Advance(2 * time.Second)
	h.send(tickMsg{gen: h.m.tickGen})
	if !strings.Contains(heldRow(), warn) {
		t.Fatalf("held call past HoldWarn not in the warning style:\n%q", heldRow())
	}
}

func TestConnectionHeader(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.wantScreen("◌ connecting…")
	h.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{
		Status: transport.ConnReconnecting, NextTry: epoch.Add(5 * time.Second), Attempt: 2, Err: errBoom}})
	h.wantScreen("↻ reconnecting in 5s · connection failed")
	if len(h.ticks()) == 0 || h.ticks()[len(h.ticks())-1].d > 2*time.Second {
		t.Fatal("countdown does not tick every second")
	}
	h.clock.Advance(2 * time.Second)
	h.send(nil)
	h.wantScreen("↻ reconnecting in 3s")
	h.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{
		Status: transport.ConnReconnecting, NextTry: h.clock.Now().Add(30 * time.Second), Err: transport.ErrPhoneNotLoggedIn}})
	h.wantScreen("phone not logged in · retry in 30s")
	h.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{
		Status: transport.ConnFailed, Err: &transport.APIError{Command: "subscribe", Major: 5}}})
	h.wantScreen("✗ wrong DID or PIN")
	// Live again, but the calls not yet confirmed by a listCalls: never
	// "live" over them.
	h.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive, Err: transport.ErrRateLimited}})
	h.wantScreen("◐ call list delayed by the phone service")
	h.wantNoScreen("● live")
	h.event(transport.Event{Kind: transport.EventSnapshot})
	h.wantScreen("● live")
	h.wantScreen("6465550100")
	h.send(streamClosedMsg{0})
	h.wantScreen("✗ disconnected")
}

func TestServerTextIsCleaned(t *testing.T) {
	h := newHarness(t, 100, 24)
	h.event(transport.Event{Kind: transport.EventCall, Call: transport.Call{
		ID: "1\x1b]0;x\a", Ani: "\x1b]0;pwned\a6465551234\x1b[2J", CLID: clid("\x9b31m6465551000"), State: "RINGING\x07"}})
	out := h.m.View().Content
	for _, bad := range []string{"\x1b]", "\x07", "\x1b[2J", "\x9b"} {
		if strings.Contains(out, bad) {
			t.Fatalf("view contains %q", bad)
		}
	}
}

func TestResizeNeverWraps(t *testing.T) {
	h := newHarness(t, 80, 24)
	for i := range 30 {
		h.event(transport.Event{Kind: transport.EventCall, Call: transport.Call{
			ID: itoa(1000 + i), Ani: "+44207946095" + itoa(i%10), CLID: clid("6465551000"), State: []string{"RINGING", "CONNECTED", "HOLDING", "PENDING", "WEIRD"}[i%5]}})
	}
	h.key("?")
	h.phone.failWith("answer", errors.New(strings.Repeat("a long error message ", 20)))
	h.key("a")
	for _, size := range [][2]int{{80, 24}, {40, 12}, {30, 8}, {200, 60}, {29, 24}, {80, 7}, {1, 1}, {45, 9}} {
		h.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, focus := range []string{"", "d"} {
			if focus == "d" {
				h.key("d")
			}
			out := h.m.View().Content
			lines := strings.Split(out, "\n")
			if len(lines) > size[1] {
				t.Errorf("%v: %d lines", size, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%v focus %q: line %d is %d wide: %q", size, focus, i, w, ansi.Strip(l))
				}
			}
			if focus == "d" {
				h.key("esc")
			}
		}
	}
	h.send(tea.WindowSizeMsg{Width: 29, Height: 24})
	h.wantScreen("Terminal too small")
}

func TestScrollKeepsSelectionVisible(t *testing.T) {
	h := newHarness(t, 80, 12)
	for i := range 50 {
		h.call(itoa(100+i), "64655510"+two(i), "CONNECTED")
	}
	h.key("G")
	if c, _ := h.m.list.selected(); c.ID != "149" {
		t.Fatalf("selected %q", c.ID)
	}
	h.wantScreen("(646) 555-1049")
	h.wantNoScreen("(646) 555-1000")
	h.wantScreen("of 50")
	h.key("g")
	h.wantScreen("(646) 555-1000")
	h.key("pgdown")
	if h.m.list.selIdx == 0 {
		t.Fatal("pgdown did not move")
	}
	h.wantScreen(h.m.list.calls[h.m.list.selIdx].Caller())
}

func TestBackgroundAndNoColor(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	dark := h.m.View().Content
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.sh.isDark {
		t.Fatal("white background read as dark")
	}
	if light := h.m.View().Content; light == dark {
		t.Fatal("styles not rebuilt for a light background")
	}
	h.send(tea.EnvMsg{"TERM=xterm", "NO_COLOR=1"})
	out := h.m.View().Content
	if strings.Contains(out, "38;2;") || strings.Contains(out, "48;2;") {
		t.Fatalf("colour with NO_COLOR: %q", out)
	}
	h = newHarness(t, 80, 24, func(o *Options) { o.NoColor = true })
	h.call("101", "6465551234", "RINGING")
	if out := h.m.View().Content; strings.Contains(out, "38;2;") {
		t.Fatal("colour with Options.NoColor")
	}
}

func TestEmptyTexts(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.wantScreen("Connecting to the phone service…")
	h.live()
	h.wantScreen("No calls.")
}

func TestSnapshotReconciles(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "CONNECTED")
	h.call("102", "6465551235", "CONNECTED")
	h.event(transport.Event{Kind: transport.EventSnapshot, Calls: []transport.Call{{ID: "102", Ani: "6465551235", State: "HOLDING"}}})
	if h.m.table.Len() != 1 {
		t.Fatalf("len %d", h.m.table.Len())
	}
	h.wantNoScreen("● connected")
	h.wantScreen("on hold")
}

func TestPasteOpensDialPrompt(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.send(tea.PasteMsg{Content: "+44 20 7946 0958"})
	if h.m.focus != focusDial {
		t.Fatal("paste did not open the dial prompt")
	}
	h.wantScreen("→ +44 20 7946 0958")
	h.key("enter")
	h.wantSent(phoneCmd{"dial", "011442079460958"})
}

func TestCapsLockLetters(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	h.key("A")
	h.call("101", "6465551234", "CONNECTED")
	h.key("H")
	h.wantSent(phoneCmd{"answer", "101"}, phoneCmd{"hold", "101"})
}

func TestOneCommandPerIntent(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "RINGING")
	// The phone says yes before the CONNECTED event: the repeats are
	// absorbed, and a different action waits.
	h.key("a")
	h.key("a")
	h.key("f2")
	h.wantScreen("Already answering (646) 555-1234…")
	h.wantScreen("answering…")
	h.key("i")
	h.wantScreen("Still answering (646) 555-1234: wait for it before you ignore")
	h.wantSent(phoneCmd{"answer", "101"})
	h.call("101", "6465551234", "CONNECTED")
	h.wantNoScreen("answering…")
	h.key("r")
	h.key("r")
	h.wantSent(phoneCmd{"answer", "101"}, phoneCmd{"release", "101"})

	// A failure re-enables the call at once.
	h.call("102", "6465551235", "RINGING")
	h.key("g")
	h.phone.failWith("answer", transport.ErrNotApplied)
	h.key("a")
	h.wantScreen("Could not answer")
	h.key("a")
	h.wantSent(phoneCmd{"answer", "101"}, phoneCmd{"release", "101"}, phoneCmd{"answer", "102"}, phoneCmd{"answer", "102"})
}

func TestSettleTimeoutReenablesTheCall(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "CONNECTED")
	h.key("h")
	h.wantScreen("holding…")
	// The HOLDING event never comes: after a while the row is free again.
	var settle []timerMsg
	for _, tm := range h.timers {
		if _, ok := tm.msg.(settledMsg); ok {
			settle = append(settle, tm)
		}
	}
	if len(settle) != 1 {
		t.Fatalf("%d settle timers", len(settle))
	}
	h.send(settle[0].msg)
	h.wantNoScreen("holding…")
	h.key("h")
	h.wantSent(phoneCmd{"hold", "101"}, phoneCmd{"hold", "101"})
}

func TestNewStateBeforeTheReplyEndsPending(t *testing.T) {
	h := newHarness(t, 80, 24)
	h.call("101", "6465551234", "CONNECTED")
	_, cmd := h.m.Update(keyPress("h")) // the hold is on its way; its reply not read yet
	if _, busy := h.m.pending["101"]; !busy {
		t.Fatal("the hold is not pending")
	}
	h.call("101", "6465551234", "HOLDING")
	if _, busy := h.m.pending["101"]; busy {
		t.Fatal("still pending once the call is on hold")
	}
	h.wantScreen("h/F3 resume")
	h.run(cmd) // the reply, late
	h.key("h")
	h.wantSent(phoneCmd{"hold", "101"}, phoneCmd{"resume", "101"})
}

// A message no case of Update is for changes nothing and is logged at
// debug level with its type; one of the records' results is taken.
func TestUnhandledMessageIsLoggedAtDebug(t *testing.T) {
	var logged strings.Builder
	logger := log.New(&logged)
	logger.SetLevel(log.DebugLevel)
	h := newHarness(t, 100, 24, func(o *Options) { o.Logger = logger })
	before := h.screen()
	h.send(tea.FocusMsg{})
	if h.screen() != before {
		t.Fatalf("screen changed:\n%s", h.screen())
	}
	if !strings.Contains(logged.String(), "message not handled") || !strings.Contains(logged.String(), "tea.FocusMsg") {
		t.Fatalf("log %q does not name the message", logged.String())
	}
	h.send(missedCountMsg{n: 3})
	h.wantScreen("3 missed")
	if strings.Contains(logged.String(), "missedCountMsg") {
		t.Fatalf("log %q calls a records result unhandled", logged.String())
	}
}
