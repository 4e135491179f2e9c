package faults_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/tui"
)

// console drives the real tui model the way a Bubble Tea program does
// (see consoletest.Driver). Views are taken on its loop too.
type console struct{ *consoletest.Driver }

// startConsole runs a console on phone at w×h cells, without colour, until
// the test ends.
func startConsole(t testing.TB, phone tui.Phone, w, h int) *console {
	t.Helper()
	m := tui.New(tui.Options{Phone: phone, Account: did, NoColor: true})
	c := &console{consoletest.New(m, w, h, consoletest.Options{})}
	t.Cleanup(c.Close)
	return c
}

// key presses a key by its text ("a", "enter", "esc").
func (c *console) key(k string) {
	switch k {
	case "enter":
		c.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	case "esc":
		c.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	default:
		r := []rune(k)[0]
		c.Send(tea.KeyPressMsg{Code: r, Text: k})
	}
}

// text is the screen without its styling.
func (c *console) text() string { return ansi.Strip(c.View().Content) }

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
