package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/transport"
)

// Ticking: while calls are live or a reconnect countdown runs, the screen
// changes every second; otherwise only the header clock changes, once a
// minute. Exactly one tick is outstanding.

func (m *Model) needFastTick() bool {
	if m.table.NeedsTick() {
		return true
	}
	for _, l := range m.lines.all {
		c := l.conn
		if c.known && !c.closed && c.state.Status == transport.ConnReconnecting && c.state.NextTry.After(m.sh.now) {
			return true
		}
	}
	return false
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
