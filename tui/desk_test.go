package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

const testDirectoryCSV = `Name,Number,Extension,Department
Ada Whitfield,(646) 555-0142,,Client — Whitfield & Sons
Dana Whitfield,(212) 555-0101,2101,Management
Rachel Kim,,4101,Sales
Old Desk,,201,Archive
Priya Raman,(917) 555-0123,,Client — Raman Architecture
`

func testDirectory(t testing.TB) *directory.Directory {
	t.Helper()
	d, rows, err := directory.ParseCSV([]byte(testDirectoryCSV))
	if err != nil || len(rows) > 0 {
		t.Fatalf("directory: %v %v", rows, err)
	}
	return d
}

// deskHarness is a console with a directory and in-memory records.
func deskHarness(t *testing.T, w, h int, mod ...func(*Options)) (*harness, *memRecords) {
	t.Helper()
	rec := &memRecords{}
	dir := testDirectory(t)
	hs := newHarness(t, w, h, append([]func(*Options){func(o *Options) {
		o.Records = rec
		o.Directory = dir
		o.Retention = 90 * 24 * time.Hour
		o.Operator = "alice"
	}}, mod...)...)
	hs.run(hs.m.Init())
	return hs, rec
}

func (h *harness) keys(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.key(k)
	}
}

func TestCallerNamesFromDirectory(t *testing.T) {
	h, _ := deskHarness(t, 100, 24)
	h.live()
	h.call("101", "16465550142", "RINGING")
	h.call("102", "4101", "CONNECTED")
	h.call("103", "2125559999", "HOLDING")
	h.wantScreen("Ada Whitfield (Client")
	h.wantScreen("Rachel Kim (Sales)")
	h.wantScreen("(212) 555-9999")
	h.key("a")
	h.wantScreen("Answered Ada Whitfield")
}

func TestStartUpShowsDirectorySummaryAndPrunes(t *testing.T) {
	h, rec := deskHarness(t, 100, 24, func(o *Options) { o.DirectorySkipped = 2 })
	h.wantScreen("directory: 5 contacts, 2 rows skipped (see log)")
	if len(rec.pruned) != 1 || !rec.pruned[0].Equal(epoch.Add(-90*24*time.Hour)) {
		t.Fatalf("pruned %v, want once at start-up, 90 days back", rec.pruned)
	}
	var due bool
	for _, tm := range h.timers {
		if _, ok := tm.msg.(pruneDueMsg); ok && tm.d == 24*time.Hour {
			due = true
		}
	}
	if !due {
		t.Fatal("no daily prune scheduled")
	}
}

func TestEndedCallStoredWithNameAndCountedMissed(t *testing.T) {
	h, rec := deskHarness(t, 100, 24)
	h.live()
	h.call("101", "16465550142", "RINGING")
	h.clock.Advance(20 * time.Second)
	h.call("101", "16465550142", "DELETED")
	calls, _ := rec.Calls(model.CallQuery{})
	if len(calls) != 1 || calls[0].Name != "Ada Whitfield" || calls[0].Outcome != model.OutcomeMissed {
		t.Fatalf("stored %+v", calls)
	}
	h.send(recordsChangedMsg{}) // the store's change feed
	headerLine := func() string { return strings.SplitN(h.screen(), "\n", 2)[0] }
	if !strings.Contains(headerLine(), "1 missed") {
		t.Fatalf("header %q lacks the missed count", headerLine())
	}
	// Opening History does not clear the count: the call is still to be
	// dealt with.
	h.key("tab")
	if !strings.Contains(headerLine(), "1 missed") {
		t.Fatalf("header %q lost the open missed call", headerLine())
	}
	h.wantScreen("✗ missed")
	h.wantScreen("Ada Whitfield")
	h.wantScreen("● open")
	// x marks it handled, by whoever is at the desk.
	h.key("x")
	h.wantScreen("Marked the missed call from Ada Whitfield handled")
	h.send(recordsChangedMsg{})
	h.wantScreen("handled by alice")
	if strings.Contains(headerLine(), "missed") {
		t.Fatalf("header %q still counts a handled call", headerLine())
	}
	calls, _ = rec.Calls(model.CallQuery{})
	if calls[0].HandledBy != "alice" || !calls[0].Handled.Equal(h.clock.Now()) {
		t.Fatalf("stored %+v", calls[0])
	}
	// A handled call cannot be handled again.
	h.key("x")
	h.wantScreen("Already handled by alice")
}

// The header counts open missed calls: a missed call that comes in while
// History is open is counted there too.
func TestHistoryCountsOpenMissedWhileOpen(t *testing.T) {
	h, _ := deskHarness(t, 100, 24)
	h.live()
	h.key("tab")
	for range 3 {
		h.send(recordsChangedMsg{}) // another console's message…
	}
	h.call("101", "16465550142", "RINGING")
	h.clock.Advance(20 * time.Second)
	h.call("101", "16465550142", "DELETED")
	h.send(recordsChangedMsg{})
	h.send(recordsChangedMsg{})
	if header := strings.SplitN(h.screen(), "\n", 2)[0]; !strings.Contains(header, "1 missed") {
		t.Fatalf("header %q does not count the open missed call", header)
	}
}

func TestIgnoreMarkedWhenSent(t *testing.T) {
	h, rec := deskHarness(t, 100, 24)
	h.call("101", "16465550142", "RINGING")
	// The ignore goes out; the call ends before its result comes back.
	h.m.Update(keyPress("i"))
	h.call("101", "16465550142", "DELETED")
	calls, _ := rec.Calls(model.CallQuery{})
	if len(calls) != 1 || calls[0].Outcome != model.OutcomeIgnored {
		t.Fatalf("stored %+v, want ignored", calls)
	}
}

// seedHistory stores a missed call today, an answered one today, an
// outbound one yesterday.
func seedHistory(rec *memRecords) {
	day := func(d time.Duration, id, ani, name string, out bool, o model.Outcome) {
		start := epoch.Add(d)
		rec.SaveCalls([]model.CallRecord{{Name: name, CallID: id, Ani: ani, Outbound: out, Outcome: o,
			Start: start, End: start.Add(90 * time.Second)}})
	}
	day(-26*time.Hour, "901", "9175550123", "Priya Raman", true, model.OutcomeOutbound)
	day(-2*time.Hour, "902", "2125550101", "Dana Whitfield", false, model.OutcomeAnswered)
	day(-1*time.Hour, "903", "16465550142", "Ada Whitfield", false, model.OutcomeMissed)
}

func TestHistoryFiltersSearchAndCallBack(t *testing.T) {
	h, rec := deskHarness(t, 100, 24)
	seedHistory(rec)
	h.live()
	h.key("tab")
	h.wantScreen("HISTORY · all calls · 3 calls")
	s := h.screen()
	if a, d, p := strings.Index(s, "Ada"), strings.Index(s, "Dana"), strings.Index(s, "Priya"); !(a < d && d < p) {
		t.Fatalf("not newest first:\n%s", s)
	}
	h.key("1")
	h.wantScreen("missed · 1 call")
	h.wantNoScreen("Dana")
	h.key("1")
	h.key("3")
	h.wantScreen("outbound · 1 call")
	h.wantScreen("Priya Raman")
	h.key("0")
	h.key("4")
	h.wantScreen("today · 2 calls")
	h.wantNoScreen("Priya")
	h.key("0")
	h.key("/")
	h.typeText("dana")
	h.wantScreen("Dana Whitfield")
	h.wantNoScreen("Ada Whit")
	h.key("enter")
	h.wantScreen("search “dana” · 1 call")
	h.key("0")
	h.wantScreen("3 calls")

	// Call back the missed call (first row): asks, then dials.
	h.key("g")
	h.key("c")
	h.wantScreen("Call back Ada Whitfield on (646) 555-0142? y/enter yes")
	h.wantSent()
	h.key("y")
	h.wantSent(phoneCmd{"dial", "16465550142"})
	h.wantScreen("Dialled Ada Whitfield (646) 555-0142")

	// Any other key cancels.
	h.key("c")
	h.key("n")
	h.wantSent(phoneCmd{"dial", "16465550142"})
	h.wantScreen("Call back cancelled")
}

func TestDirectoryPickerDials(t *testing.T) {
	h, _ := deskHarness(t, 100, 24)
	h.live()
	h.key("/")
	h.wantScreen("Find:")
	h.typeText("whit")
	h.wantScreen("Ada Whitfield")
	h.wantScreen("Dana Whitfield")
	h.wantNoScreen("Rachel")
	// The second match, by arrow.
	first := h.m.picker.matches[0].Contact.Name
	h.key("down")
	want := map[string]string{"Ada Whitfield": "2125550101", "Dana Whitfield": "6465550142"}[first]
	h.key("enter")
	if first == "Ada Whitfield" {
		// Dana has a number and an extension: the picker asks which.
		h.wantScreen("Dial Dana Whitfield on which number?")
		h.wantScreen("extension  x2101")
		h.key("enter")
	}
	h.wantSent(phoneCmd{"dial", want})
	if h.m.focus != focusCalls {
		t.Fatal("picker still open after dialling")
	}

	// By department, and by extension-only contact.
	h.key("D")
	h.typeText("sales")
	h.key("enter")
	h.wantSent(phoneCmd{"dial", want}, phoneCmd{"dial", "4101"})

	// A contact whose number cannot be dialled explains itself.
	h.key("/")
	h.typeText("old desk")
	h.key("enter")
	h.wantScreen("cannot dial Old Desk (201)")
	h.wantSent(phoneCmd{"dial", want}, phoneCmd{"dial", "4101"})
	h.key("esc")
	h.wantNoScreen("Find:")

	// The extension is dialled as the extension; esc goes back to the
	// search first.
	h.key("/")
	h.typeText("dana")
	h.key("enter")
	h.wantScreen("Dial Dana Whitfield on which number?")
	h.key("esc")
	h.wantNoScreen("on which number?")
	h.wantScreen("Find:")
	h.key("enter")
	h.key("down")
	h.key("enter")
	h.wantSent(phoneCmd{"dial", want}, phoneCmd{"dial", "4101"}, phoneCmd{"dial", "2101"})
}

func TestMessageFromCallToDone(t *testing.T) {
	h, rec := deskHarness(t, 100, 30)
	h.live()
	h.call("101", "16465550142", "CONNECTED")
	h.key("m")
	h.wantScreen("TAKE A MESSAGE · call 101")
	h.wantScreen("Ada Whitfield")
	h.wantScreen("(646) 555-0142")
	h.typeText("dana")
	h.wantScreen("▸ Dana Whitfield · Management")
	h.key("enter") // takes the suggestion, moves on
	if got := h.m.form.forIn.Value(); got != "Dana Whitfield" {
		t.Fatalf("for %q", got)
	}
	h.keys("tab", "tab") // past caller and number to the message
	h.typeText("Call back about the lease")
	h.key("enter")
	msgs := rec.messages()
	if len(msgs) != 1 {
		t.Fatalf("messages %+v", msgs)
	}
	m := msgs[0]
	if m.For != "Dana Whitfield" || m.CallerName != "Ada Whitfield" || m.CallerNumber != "(646) 555-0142" ||
		m.Text != "Call back about the lease" || m.CallID != "101" || !m.Created.Equal(epoch) {
		t.Fatalf("saved %+v", m)
	}
	h.wantScreen("Message for Dana Whitfield saved")

	// Messages view: open first; x marks done, x again reopens.
	h.keys("tab", "tab")
	h.wantScreen("MESSAGES · 1 open")
	h.wantScreen("[ ]")
	h.wantScreen("Call back about the lease")
	h.key("x")
	if !rec.messages()[0].Done {
		t.Fatal("not marked done")
	}
	h.wantScreen("[x]")
	h.wantScreen("0 open, 1 done")
	h.key("x")
	if rec.messages()[0].Done {
		t.Fatal("not reopened")
	}
}

func TestMessageFormFreeTextAndValidation(t *testing.T) {
	h, rec := deskHarness(t, 100, 30)
	h.keys("tab", "tab", "m")
	h.key("enter")
	h.keys("enter", "enter", "enter")
	h.wantScreen("who is the message for?")
	for range 3 {
		h.key("shift+tab")
	}
	h.typeText("the landlord")
	h.key("up") // past the suggestions: the text as typed
	h.key("tab")
	h.typeText("Mr Lee")
	h.key("ctrl+s")
	msgs := rec.messages()
	if len(msgs) != 1 || msgs[0].For != "the landlord" || msgs[0].CallerName != "Mr Lee" {
		t.Fatalf("saved %+v", msgs)
	}
}

func TestNotificationsOncePerRingAndHoldLimit(t *testing.T) {
	h, _ := deskHarness(t, 100, 24, func(o *Options) { o.Notify = true })
	h.send(tea.EnvMsg{"TERM_PROGRAM=iTerm.app", "TERM=xterm-256color"})
	raws := func(msgs []tea.Msg) []string {
		var out []string
		for _, m := range msgs {
			if r, ok := m.(tea.RawMsg); ok {
				out = append(out, r.Msg.(string))
			}
		}
		return out
	}
	got := raws(h.call("101", "16465550142", "RINGING"))
	if len(got) != 1 || got[0] != "\a\x1b]9;frontdesk: Incoming call: Ada Whitfield\x07" {
		t.Fatalf("ring alert %q", got)
	}
	if got := raws(h.call("101", "16465550142", "RINGING")); len(got) != 0 {
		t.Fatalf("alerted again for the same ring: %q", got)
	}
	h.call("101", "16465550142", "HOLDING")
	tick := func(d time.Duration) []string {
		h.clock.Advance(d)
		return raws(h.send(tickMsg{gen: h.m.tickGen}))
	}
	if got := tick(59 * time.Second); len(got) != 0 {
		t.Fatalf("alert before the limit: %q", got)
	}
	if got := tick(2 * time.Second); len(got) != 1 || got[0] != "\a\x1b]9;frontdesk: Ada Whitfield on hold for 1 min\x07" {
		t.Fatalf("hold alert %q", got)
	}
	if got := tick(30 * time.Second); len(got) != 0 {
		t.Fatalf("alerted twice for one limit: %q", got)
	}
	if got := tick(30 * time.Second); len(got) != 1 {
		t.Fatalf("no alert at the second limit: %q", got)
	}
	// Resumed and held again: the count starts over.
	h.call("101", "16465550142", "CONNECTED")
	h.call("101", "16465550142", "HOLDING")
	if got := tick(61 * time.Second); len(got) != 1 {
		t.Fatalf("no alert for a new hold: %q", got)
	}
}

func TestNotificationKinds(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		env  func(string) string
		want notifyKind
	}{
		{env("TERM_PROGRAM", "iTerm.app"), notifyOSC9},
		{env("TERM_PROGRAM", "WezTerm"), notifyOSC9},
		{env("TERM", "xterm-kitty"), notifyOSC99},
		{env("KITTY_WINDOW_ID", "3", "TERM", "xterm-256color"), notifyOSC99},
		{env("TERM", "xterm-ghostty"), notifyOSC9},
		{env("TERM", "foot"), notifyOSC777},
		{env("TERM", "xterm-256color", "VTE_VERSION", "7600"), notifyOSC777},
		{env("TERM", "xterm-256color"), notifyNone},
		{env(), notifyNone},
	} {
		if got := notifyFor(c.env); got != c.want {
			t.Errorf("%v: got %v, want %v", c.env("TERM")+c.env("TERM_PROGRAM"), got, c.want)
		}
	}
	got := notification(notifyOSC777, "front;desk", "call \x1b]0;evil\x07 from \u009b31m")
	if !strings.HasPrefix(got, "\x1b]777;notify;front,desk;call ") || !strings.HasSuffix(got, "\x07") ||
		strings.ContainsAny(got[1:len(got)-1], "\x1b\x07\u009b") {
		t.Fatalf("control characters survive: %q", got)
	}
	if got := notification(notifyOSC99, "frontdesk", "Incoming call: Ada \x1b\\Whitfield"); got != "\x1b]99;;frontdesk: Incoming call: Ada Whitfield\x07" {
		t.Fatalf("kitty notification %q", got)
	}
	if got := notification(notifyNone, "a", "b"); got != "" {
		t.Fatalf("notification without support: %q", got)
	}
}

func TestQuietSendsNothing(t *testing.T) {
	h, _ := deskHarness(t, 100, 24, func(o *Options) { o.Bell, o.Notify = false, false })
	h.send(tea.EnvMsg{"TERM_PROGRAM=iTerm.app"})
	if _, ok := hasMsg[tea.RawMsg](h.call("101", "16465550142", "RINGING")); ok {
		t.Fatal("alert with bell and notify off")
	}
}

func TestDirectoryReload(t *testing.T) {
	h, _ := deskHarness(t, 100, 24)
	h.call("101", "3125550111", "RINGING")
	h.wantScreen("(312) 555-0111")
	d, rows, _ := directory.ParseCSV([]byte("Name,Number\nDmitri Volkov,(312) 555-0111\n,\nbroken\"row\n"))
	h.send(directoryReloadMsg{directory.Reload{Dir: d, Rows: rows}})
	h.wantScreen("Dmitri Volkov")
	h.wantScreen("Reloaded directory: 1 contact")
	h.send(directoryReloadMsg{directory.Reload{Err: errBoom}})
	h.wantScreen("Directory not reloaded: boom")
	h.wantScreen("Dmitri Volkov")
}

var _ = transport.Event{}

// A console of two phones stores each ended call under its own phone's
// account.
func TestEndedCallsBelongToTheirLine(t *testing.T) {
	rec := &memRecords{}
	sales := newFakePhone()
	close(sales.events) // as newHarness does with the first: events go straight to Update
	h := newHarness(t, 100, 24, func(o *Options) {
		o.Records = rec
		o.Lines = []Line{
			{Name: "front", DID: "2125550100", Phone: o.Phone},
			{Name: "sales", DID: "2125550200", Phone: sales},
		}
	})
	call := func(line int, id, state string) {
		h.send(eventMsg{line, transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: id, Ani: "6465550142", State: state}}})
	}
	call(0, "1", "RINGING")
	call(1, "1", "RINGING")
	call(0, "1", "DELETED")
	call(1, "1", "DELETED")
	calls, _ := rec.Calls(model.CallQuery{})
	got := map[string]string{}
	for _, c := range calls {
		got[c.Line] = c.Account
	}
	if len(calls) != 2 || got["front"] != "2125550100" || got["sales"] != "2125550200" {
		t.Fatalf("stored %+v", calls)
	}
}

// A message longer than the screen scrolls while it is read: the movement
// keys move through its text (the selection stays), ? says so, and the
// last row tells where the text is.
func TestLongMessageScrolls(t *testing.T) {
	h, rec := deskHarness(t, 80, 16)
	var text strings.Builder
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&text, "paragraph %d of the message\n", i)
	}
	rec.AddMessage(model.Message{For: "Dana Whitfield", CallerName: "Long Talker", CallerNumber: "6465550142", Text: text.String(), Created: h.clock.Now()})
	rec.AddMessage(model.Message{For: "Rachel Kim", CallerName: "Short", Text: "call me", Created: h.clock.Now().Add(-time.Minute)})
	h.send(recordsChangedMsg{})
	h.keys("tab", "tab")
	h.wantScreen("MESSAGES · 2 open")
	h.key("enter")
	h.wantScreen("paragraph 1 of")
	h.wantNoScreen("paragraph 40 of")
	h.wantScreen("↑↓ PgUp PgDn scroll")
	h.key("down")
	h.wantScreen("lines 2–")
	h.key("pgdown")
	h.wantNoScreen("paragraph 1 of")
	h.key("G")
	h.wantScreen("paragraph 40 of")
	h.wantScreen("enter or esc goes back to the list")
	if m := regexp.MustCompile(`lines \d+–(\d+) of (\d+)`).FindStringSubmatch(h.screen()); m == nil || m[1] != m[2] {
		t.Fatalf("at the end, the last row says %v:\n%s", m, h.screen())
	}
	h.key("up")
	h.wantNoScreen("enter or esc goes back to the list")
	h.key("g")
	h.wantScreen("paragraph 1 of")
	if sel, _ := h.m.msgs.selected(); sel.CallerName != "Long Talker" {
		t.Fatalf("scrolling moved the selection to %q", sel.CallerName)
	}
	h.key("?")
	h.wantScreen("scroll down")
	h.wantScreen("end of the message")
	h.keys("?", "esc")
	// Back in the list, the same keys move the selection; the next message
	// opens at its top.
	h.key("down")
	if sel, _ := h.m.msgs.selected(); sel.CallerName != "Short" {
		t.Fatalf("selected %q, want the second message", sel.CallerName)
	}
	h.keys("up", "enter")
	h.wantScreen("paragraph 1 of")
}
