package faults_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/tui"
)

// console drives the real tui model the way a Bubble Tea program does:
// every command runs on its own goroutine, its message comes back to one
// loop that calls Update, and nothing else touches the model. Views are
// taken on that loop too.
type console struct {
	m     tea.Model
	msgs  chan tea.Msg
	calls chan func()
	stop  chan struct{}
	done  chan struct{}
}

// startConsole runs a console on phone at w×h cells, without colour, until
// the test ends.
func startConsole(t testing.TB, phone tui.Phone, w, h int) *console {
	t.Helper()
	c := &console{
		m:     tui.New(tui.Options{Phone: phone, Account: did, NoColor: true}),
		msgs:  make(chan tea.Msg, 1024),
		calls: make(chan func()),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go c.loop(w, h)
	t.Cleanup(func() {
		close(c.stop)
		<-c.done
	})
	return c
}

func (c *console) loop(w, h int) {
	defer close(c.done)
	c.exec(c.m.Init())
	c.update(tea.WindowSizeMsg{Width: w, Height: h})
	for {
		select {
		case <-c.stop:
			return
		case f := <-c.calls:
			f()
		case msg := <-c.msgs:
			c.update(msg)
		}
	}
}

func (c *console) update(msg tea.Msg) {
	if cmds, ok := asCmds(msg); ok {
		for _, cmd := range cmds {
			c.exec(cmd)
		}
		return
	}
	var cmd tea.Cmd
	c.m, cmd = c.m.Update(msg)
	c.exec(cmd)
}

// asCmds unpacks tea.BatchMsg and the (unexported) sequence message.
func asCmds(msg tea.Msg) ([]tea.Cmd, bool) {
	if b, ok := msg.(tea.BatchMsg); ok {
		return b, true
	}
	v := reflect.ValueOf(msg)
	if v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		return cmds, true
	}
	return nil, false
}

func (c *console) exec(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		msg := cmd()
		if msg == nil {
			return
		}
		select {
		case c.msgs <- msg:
		case <-c.stop:
		}
	}()
}

// do runs f on the loop.
func (c *console) do(f func()) {
	ran := make(chan struct{})
	select {
	case c.calls <- func() { f(); close(ran) }:
		<-ran
	case <-c.done:
	}
}

// send delivers a message as if the terminal had sent it.
func (c *console) send(msg tea.Msg) { c.do(func() { c.update(msg) }) }

// key presses a key by its text ("a", "enter", "esc").
func (c *console) key(k string) {
	switch k {
	case "enter":
		c.send(tea.KeyPressMsg{Code: tea.KeyEnter})
	case "esc":
		c.send(tea.KeyPressMsg{Code: tea.KeyEscape})
	default:
		r := []rune(k)[0]
		c.send(tea.KeyPressMsg{Code: r, Text: k})
	}
}

// view is the screen as View returns it now.
func (c *console) view() tea.View {
	var v tea.View
	c.do(func() { v = c.m.View() })
	return v
}

// text is the screen without its styling.
func (c *console) text() string { return ansi.Strip(c.view().Content) }

// waitView polls the screen until its text contains every one of want, and
// returns the text.
func (c *console) waitView(t testing.TB, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		s := c.text()
		ok := true
		for _, w := range want {
			if !strings.Contains(s, w) {
				ok = false
				break
			}
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("screen never showed %q:\n%s", want, s)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
