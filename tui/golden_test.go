package tui

import (
	"bytes"
	"fmt"
	"image/color"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/frontdesk/frontdesk/transport"
)

// probe wraps the console so a test can see each frame as the program
// draws it, without touching the model from another goroutine.
type probe struct {
	*Model
	mu    sync.Mutex
	frame string
	// Start-up messages applied so far. Bubble Tea sends the colour
	// profile, window size and environment from goroutines of their own,
	// so they can reach Update after the first frames.
	gotProfile, gotSize, gotEnv bool
	// Frames awaited by expect: each is closed by the first frame that
	// contains all of its strings.
	watches []*frameWatch
}

type frameWatch struct {
	subs []string
	seen chan struct{}
}

func (p *probe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := p.Model.Update(msg)
	content := p.Model.View().Content
	p.mu.Lock()
	p.frame = content
	if len(p.watches) > 0 {
		plain := ansi.Strip(content)
		p.watches = slices.DeleteFunc(p.watches, func(w *frameWatch) bool {
			if !containsAll(plain, w.subs) {
				return false
			}
			close(w.seen)
			return true
		})
	}
	switch msg.(type) {
	case tea.ColorProfileMsg:
		p.gotProfile = true
	case tea.WindowSizeMsg:
		p.gotSize = true
	case tea.EnvMsg:
		p.gotEnv = true
	}
	p.mu.Unlock()
	return p, cmd
}

// started says whether the program's start-up messages have all been
// applied.
func (p *probe) started() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.gotProfile && p.gotSize && p.gotEnv
}

func (p *probe) current() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.frame
}

// program is a console running in a real Bubble Tea program (teatest) with
// a fake phone and a fixed clock.
type program struct {
	t     *testing.T
	tm    *teatest.TestModel
	p     *probe
	phone *fakePhone
	clock *testClock
	prof  colorprofile.Profile
}

func startProgram(t *testing.T, w, h int, prof colorprofile.Profile, env []string, mod ...func(*Options)) *program {
	t.Helper()
	ph := newFakePhone()
	clk := newClock()
	opts := Options{Phone: ph, Account: "6465550100", Now: clk.Now, Bell: true}
	for _, f := range mod {
		f(&opts)
	}
	p := &probe{Model: New(opts)}
	tm := teatest.NewTestModel(t, p,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(prof), tea.WithEnvironment(env)),
	)
	pr := &program{t: t, tm: tm, p: p, phone: ph, clock: clk, prof: prof}
	t.Cleanup(func() { _ = tm.Quit() })
	// No terminal answers the background-colour query here: say it is
	// dark, as the console assumes, so every frame is drawn the same way.
	tm.Send(tea.BackgroundColorMsg{Color: color.Black})
	pr.waitStarted()
	return pr
}

// waitStarted waits until the colour profile, size and environment the
// program was started with have reached the model, so a test's first
// frame already has the styles its golden file was made with.
func (pr *program) waitStarted() {
	pr.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !pr.p.started() {
		if time.Now().After(deadline) {
			pr.t.Fatal("the program's start-up messages never reached the model")
		}
		time.Sleep(time.Millisecond)
	}
}

// waitFor polls the latest frame until it contains every one of subs.
func (pr *program) waitFor(subs ...string) {
	pr.t.Helper()
	pr.poll(fmt.Sprintf("%q", subs), func(frame string) bool { return containsAll(frame, subs) })
}

// expect starts watching every frame for one that contains every one of
// subs, and returns the wait for it. Call it before the key that brings
// the text: the wait passes even if a later frame no longer shows it (a
// status that fades or gives way to the next one while the test was not
// looking).
func (pr *program) expect(subs ...string) (wait func()) {
	w := &frameWatch{subs: subs, seen: make(chan struct{})}
	pr.p.mu.Lock()
	pr.p.watches = append(pr.p.watches, w)
	pr.p.mu.Unlock()
	return func() {
		pr.t.Helper()
		select {
		case <-w.seen:
		case <-time.After(5 * time.Second):
			pr.t.Fatalf("timed out waiting for a frame with %q; last frame:\n%s", subs, ansi.Strip(pr.p.current()))
		}
	}
}

// waitRow polls the latest frame until one line of it contains every one
// of subs: a call's row showing a given state.
func (pr *program) waitRow(subs ...string) {
	pr.t.Helper()
	pr.poll(fmt.Sprintf("a row with %q", subs), func(frame string) bool {
		for line := range strings.Lines(frame) {
			if containsAll(line, subs) {
				return true
			}
		}
		return false
	})
}

// poll polls the latest frame, without its escape codes, until ok holds
// for it, and fails the test after five seconds saying what it waited for.
func (pr *program) poll(what string, ok func(frame string) bool) {
	pr.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		frame := ansi.Strip(pr.p.current())
		if ok(frame) {
			return
		}
		if time.Now().After(deadline) {
			pr.t.Fatalf("timed out waiting for %s; last frame:\n%s", what, frame)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// containsAll reports whether s contains every one of subs.
func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func (pr *program) event(ev transport.Event) { pr.phone.events <- ev }

func (pr *program) call(id, ani, state string, clidText ...string) {
	c := transport.Call{ID: id, Ani: ani, State: state, DID: "6465550100"}
	if len(clidText) > 0 {
		c.CLID = clid(clidText[0])
	}
	pr.event(transport.Event{Kind: transport.EventCall, Call: c})
}

// snapshot puts calls on the phone at once, as a listCalls result does, so
// the table fills in one step whatever the machine's load.
func (pr *program) snapshot(calls ...transport.Call) {
	for i := range calls {
		calls[i].DID = "6465550100"
	}
	pr.event(transport.Event{Kind: transport.EventSnapshot, Calls: calls})
}

func (pr *program) key(s string) { pr.tm.Send(keyPress(s)) }

// golden quits and compares the final frame, as the forced colour profile
// would print it, with testdata/<test>.golden.
func (pr *program) golden() {
	pr.t.Helper()
	if err := pr.tm.Quit(); err != nil {
		pr.t.Fatal(err)
	}
	final := pr.tm.FinalModel(pr.t, teatest.WithFinalTimeout(5*time.Second)).(*probe)
	var buf bytes.Buffer
	w := &colorprofile.Writer{Forward: &buf, Profile: pr.prof}
	if _, err := w.Write([]byte(final.View().Content)); err != nil {
		pr.t.Fatal(err)
	}
	golden.RequireEqual(pr.t, buf.Bytes())
}

func (pr *program) live() {
	pr.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}})
	pr.waitFor("● live")
}

// several puts a representative set of calls on the phone, each with its
// own age.
func (pr *program) several() {
	pr.live()
	pr.call("301", "6465551234", "HOLDING")
	pr.waitFor("(646) 555-1234")
	pr.clock.Advance(40 * time.Second)
	pr.call("302", "12125550199", "CONNECTED", "6465551000")
	pr.call("303", "+442079460958", "HOLDING")
	pr.call("304", "4410", "PENDING")
	pr.waitFor("x4410")
	pr.clock.Advance(35 * time.Second)
	pr.call("305", "3125550111", "RINGING", "6465551000")
	pr.call("306", "9995550000", "PARKED")
	pr.waitFor("(312) 555-0111", "PARKED")
	pr.clock.Advance(12 * time.Second)
	pr.call("307", "", "RINGING")
	pr.waitFor("unknown caller")
}

func TestGoldenEmpty(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.ASCII, nil)
	pr.live()
	pr.waitFor("No calls.")
	pr.golden()
}

func TestGoldenConnecting(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.ASCII, nil)
	pr.tm.Send(nil)
	pr.waitFor("Connecting to the phone service")
	pr.golden()
}

func TestGoldenRinging(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.TrueColor, nil)
	pr.live()
	pr.call("101", "16465551234", "RINGING", "6465551000")
	pr.waitFor("☎ ringing")
	pr.golden()
}

func TestGoldenSeveralCalls(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.ASCII, nil)
	pr.several()
	pr.golden()
}

func TestGoldenSeveralCallsTrueColor(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.TrueColor, nil)
	pr.several()
	pr.golden()
}

func TestGoldenSeveralCallsLight(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.TrueColor, nil)
	pr.tm.Send(tea.BackgroundColorMsg{Color: color.White})
	pr.several()
	pr.golden()
}

func TestGoldenNarrow(t *testing.T) {
	pr := startProgram(t, 40, 12, colorprofile.ASCII, nil)
	pr.several()
	pr.golden()
}

func TestGoldenManyCallsScrolled(t *testing.T) {
	pr := startProgram(t, 80, 16, colorprofile.ASCII, nil)
	pr.live()
	calls := make([]transport.Call, 40)
	for i := range calls {
		calls[i] = transport.Call{ID: itoa(500 + i), Ani: "64655510" + two(i), State: "CONNECTED"}
	}
	pr.event(transport.Event{Kind: transport.EventSnapshot, Calls: calls})
	pr.waitFor("of 40")
	pr.key("G")
	pr.key("k")
	pr.waitFor("29–40 of 40")
	pr.golden()
}

func TestGoldenHelp(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.ASCII, nil)
	pr.live()
	pr.call("101", "6465551234", "CONNECTED")
	pr.waitFor("(646) 555-1234")
	pr.key("?")
	pr.waitFor("↑/k")
	pr.golden()
}

func TestGoldenDialValid(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.ASCII, nil)
	pr.live()
	pr.key("d")
	pr.waitFor("Dial:")
	pr.tm.Type("1 646 555 1234")
	pr.waitFor("→ (646) 555-1234")
	pr.golden()
}

func TestGoldenDialInvalid(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.ASCII, nil)
	pr.live()
	pr.key("d")
	pr.waitFor("Dial:")
	pr.tm.Type("555-12")
	pr.key("enter")
	pr.waitFor("Dial: 555-12", "✗")
	pr.golden()
}

func TestGoldenTooSmall(t *testing.T) {
	pr := startProgram(t, 25, 6, colorprofile.ASCII, nil)
	pr.event(transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}})
	pr.call("101", "6465551234", "RINGING")
	pr.waitFor("Terminal too small")
	pr.golden()
}

func TestGoldenNoColor(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.TrueColor, []string{"TERM=xterm-256color", "NO_COLOR=1"})
	pr.several()
	pr.golden()
}

func TestGoldenActionError(t *testing.T) {
	pr := startProgram(t, 80, 24, colorprofile.ASCII, nil)
	pr.phone.failWith("answer", &transport.APIError{Command: "answer", Major: 8, Message: "Phone not found"})
	pr.live()
	pr.call("101", "6465551234", "RINGING")
	pr.waitFor("☎ ringing")
	pr.key("a")
	pr.waitFor("Could not answer")
	pr.golden()
}
