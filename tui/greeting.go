package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
)

// greetStay is how long the greeting of a caller just answered stays on
// screen after the phone connected them.
const greetStay = 5 * time.Second

// greeter remembers the greeting of the caller being answered, so it stays
// on screen while the answer goes out and a few seconds after.
type greeter struct {
	key      string // the answered call's key
	label    string
	greeting string
	// until is when the greeting goes; zero while the answer is in flight.
	until time.Time
}

// answering keeps the greeting of the call with this key while it is
// answered.
func (g *greeter) answering(n model.Naming, key string) {
	*g = greeter{key: key, label: n.Label, greeting: n.Greeting}
}

// answered starts the greeting's last few seconds, or drops it when the
// answer failed.
func (g *greeter) answered(key string, ok bool, now time.Time) {
	if g.key != key {
		return
	}
	if !ok {
		*g = greeter{}
		return
	}
	g.until = now.Add(greetStay)
}

// expire drops the greeting once its time is up.
func (g *greeter) expire(now time.Time) {
	if g.key != "" && !g.until.IsZero() && !now.Before(g.until) {
		*g = greeter{}
	}
}

// greetLines are the greetings to say: the caller Space would answer, the
// selected ringing call when that is another, and the caller just
// answered. Empty when no greeting applies.
func (m *Model) greetLines(w int) []string {
	st := m.sh.styles
	var parts []string
	say := func(prefix string, n model.Naming) {
		if n.Greeting == "" {
			return
		}
		text := prefix
		if m.lines.named() && n.Label != "" {
			text += model.Clean(n.Label, 30) + ": "
		}
		parts = append(parts, text+"“"+model.Clean(n.Greeting, 120)+"”")
	}
	if g := &m.greet; g.key != "" {
		say("✓ answered · ", model.Naming{Label: g.label, Greeting: g.greeting})
	}
	next := ""
	if key, err := m.table.Target("", model.ActAnswer); err == nil && key != m.greet.key {
		if c, ok := m.table.Get(key); ok {
			next = key
			say("space ☎ ", m.lines.callNaming(&c))
		}
	}
	if c, ok := m.list.selected(); ok && c.State == model.StateRinging && c.Key() != next && c.Key() != m.greet.key {
		say("▸ ", m.lines.callNaming(&c))
	}
	if len(parts) == 0 {
		return nil
	}
	return []string{st.PromptValid.Render(ansi.Truncate(strings.Join(parts, "  ·  "), w, "…"))}
}
