package tui

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/theme"
	"github.com/frontdesk/frontdesk/transport"
)

// connView is what the header knows about the connection.
type connView struct {
	known  bool // a ConnState has arrived
	state  transport.ConnState
	closed bool // the event stream ended
	// confirmed: a listCalls has confirmed the table since the stream
	// last went down (the Model keeps it).
	confirmed bool
	// canPIN: the phone takes a PIN typed again (PINChanger).
	canPIN bool
}

// text describes the connection for the receptionist, with a symbol so it
// reads without colour, and the style to show it in. It says why the
// stream is down, and never "live" over rows not confirmed since.
func (c connView) text(sh *shared) (string, lipgloss.Style) {
	st := sh.styles
	if c.closed {
		if c.known && c.state.Status == transport.ConnFailed {
			return failedText(c.state.Err), st.ConnFailed
		}
		return "✗ disconnected", st.ConnFailed
	}
	if !c.known {
		return "◌ connecting…", st.ConnConnecting
	}
	s := c.state
	switch s.Status {
	case transport.ConnLive:
		switch {
		case c.confirmed:
			return "● live", st.ConnLive
		case errors.Is(s.Err, transport.ErrRateLimited):
			return "◐ call list delayed by the phone service", st.ConnReconnecting
		}
		return "◐ confirming the calls…", st.ConnReconnecting
	case transport.ConnReconnecting:
		retry := ""
		if !s.NextTry.IsZero() {
			if d := s.NextTry.Sub(sh.now); d > 0 {
				retry = "in " + seconds(d)
			}
		}
		switch {
		case errors.Is(s.Err, transport.ErrAuth):
			t := "✗ DID or PIN refused"
			if c.canPIN {
				t += " · p types it again"
			}
			if retry != "" {
				t += " · retry " + retry
			}
			return t, st.ConnFailed
		case errors.Is(s.Err, transport.ErrPhoneNotLoggedIn):
			if retry == "" {
				return "! phone not logged in · retrying…", st.ConnFailed
			}
			return "! phone not logged in · retry " + retry, st.ConnFailed
		}
		t := "↻ reconnecting…"
		if retry != "" {
			t = "↻ reconnecting " + retry
		}
		if r := transport.Reason(s.Err); r != "" {
			t += " · " + r
		}
		return t, st.ConnReconnecting
	case transport.ConnFailed:
		return failedText(s.Err), st.ConnFailed
	}
	if errors.Is(s.Err, transport.ErrPhoneNotLoggedIn) {
		return "! phone not logged in", st.ConnFailed
	}
	return "◌ connecting…", st.ConnConnecting
}

// failedText says why the stream stopped for good.
func failedText(err error) string {
	switch {
	case errors.Is(err, transport.ErrAuth):
		return "✗ wrong DID or PIN"
	case errors.Is(err, transport.ErrPhoneNotLoggedIn):
		return "✗ phone not logged in"
	case err == nil:
		return "✗ stopped"
	}
	return "✗ stopped: " + model.Clean(err.Error(), 60)
}

// seconds rounds d up to whole seconds: "5s", "2m05s".
func seconds(d time.Duration) string {
	s := int((d + time.Second - 1) / time.Second)
	if s < 60 {
		return strconv.Itoa(s) + "s"
	}
	return strconv.Itoa(s/60) + "m" + two(s%60) + "s"
}

// header renders the top bar: product, account, connection, clock. Parts
// are dropped from the least important when the width is short; the bar is
// always exactly w cells.
// headerExtra is what the header shows about the views: which is current,
// and the open missed calls.
type headerExtra struct {
	view      view
	missed    int
	records   bool // History and Messages exist
	waiting   waiting
	notSaving bool // the history cannot be written
}

// headerConn is one line's connection state in the header, in full and
// shortened for a narrow terminal.
type headerConn struct {
	full, short string
	style       lipgloss.Style
}

func header(sh *shared, account string, conns []headerConn, w int, x headerExtra) string {
	st := sh.styles
	clockText := sh.now.Format("15:04")
	acct := model.Clean(account, 32)

	type part struct {
		text  string
		style lipgloss.Style
	}
	build := func(title, showAcct, showClock, showTabs, fullConn bool) ([]part, []part) {
		var left, right []part
		if title {
			left = append(left, part{" frontdesk ", st.HeaderTitle})
		}
		if showAcct && acct != "" {
			left = append(left, part{" " + acct + " ", st.Account})
		}
		if x.records {
			for v := range viewCount {
				if v == x.view {
					left = append(left, part{" " + v.String() + " ", st.TabActive})
				} else if showTabs {
					left = append(left, part{" " + v.String() + " ", st.Tab})
				}
			}
		}
		if x.notSaving {
			right = append(right, part{" history not saving ", st.Badge})
		}
		if w := x.waiting; w.ringing+w.held > 0 {
			style := st.Account
			if w.step > theme.WaitCalm {
				style = st.Badge
			}
			mark := ""
			if w.step > theme.WaitCalm {
				mark = w.step.Mark() + " "
			}
			right = append(right, part{" " + mark + w.text() + " ", style})
		}
		if x.missed > 0 {
			right = append(right, part{" " + itoa(x.missed) + " missed ", st.Badge})
		}
		for _, c := range conns {
			text := c.full
			if !fullConn {
				text = c.short
			}
			right = append(right, part{" " + text + " ", c.style})
		}
		if showClock {
			right = append(right, part{" " + clockText + " ", st.Clock})
		}
		return left, right
	}
	width := func(ps []part) int {
		n := 0
		for _, p := range ps {
			n += ansi.StringWidth(p.text)
		}
		return n
	}
	var left, right []part
	for _, opt := range [][5]bool{
		{true, true, true, true, true},
		{false, true, true, true, true},
		{false, true, false, true, true},
		{false, true, false, false, true},
		{false, false, false, false, true},
		{false, false, false, false, false},
	} {
		left, right = build(opt[0], opt[1], opt[2], opt[3], opt[4])
		if width(left)+width(right) <= w {
			break
		}
	}
	var b strings.Builder
	for _, p := range left {
		b.WriteString(p.style.Render(p.text))
	}
	gap := w - width(left) - width(right)
	if gap > 0 {
		b.WriteString(st.Header.Render(strings.Repeat(" ", gap)))
	}
	for _, p := range right {
		b.WriteString(p.style.Render(p.text))
	}
	return ansi.Truncate(b.String(), w, "…")
}
