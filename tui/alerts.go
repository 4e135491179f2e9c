package tui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
)

// Alerts: the terminal bell and desktop notifications for a call that starts
// ringing and for a call left on hold past the limit.

// notifyKind is the desktop notification escape a terminal understands.
type notifyKind int

const (
	notifyNone   notifyKind = iota
	notifyOSC9              // ESC ] 9 ; text BEL: iTerm2, WezTerm, ghostty
	notifyOSC99             // ESC ] 99 ; metadata ; text BEL: kitty's own
	notifyOSC777            // ESC ] 777 ; notify ; title ; body BEL: foot, urxvt, VTE
)

// alerts decides which alerts a session gets and remembers which hold
// limits it has already alerted for.
type alerts struct {
	bell   bool
	notify bool
	kind   notifyKind
	// held counts, per call on hold, the hold limits already alerted for;
	// gen marks the entries seen in the latest pass.
	held map[string]holdMark
	gen  uint64
}

type holdMark struct {
	n   int
	gen uint64
}

func newAlerts(bell, notify bool) alerts {
	return alerts{bell: bell, notify: notify, held: map[string]holdMark{}}
}

// notifyFor picks the notification escape from the client's environment
// (over SSH, tea.EnvMsg describes the receptionist's terminal).
func notifyFor(getenv func(string) string) notifyKind {
	prog := strings.ToLower(getenv("TERM_PROGRAM"))
	term := strings.ToLower(getenv("TERM"))
	switch {
	case strings.Contains(term, "kitty"), getenv("KITTY_WINDOW_ID") != "":
		return notifyOSC99
	case prog == "iterm.app", prog == "wezterm", prog == "ghostty",
		strings.Contains(term, "ghostty"), strings.Contains(term, "wezterm"),
		getenv("WEZTERM_EXECUTABLE") != "":
		return notifyOSC9
	case strings.HasPrefix(term, "foot"), strings.HasPrefix(term, "rxvt-unicode"), getenv("VTE_VERSION") != "":
		return notifyOSC777
	}
	return notifyNone
}

// detect reads the terminal kind from the client's environment.
func (a *alerts) detect(env tea.EnvMsg) {
	a.kind = notifyFor(env.Getenv)
}

// notification is the escape sequence that shows title and body on the
// desktop, or "" when the terminal has none. Text is cleaned of control
// characters so caller text cannot end the sequence early.
func notification(kind notifyKind, title, body string) string {
	title = strings.ReplaceAll(model.Clean(title, 60), ";", ",")
	body = model.Clean(body, 160)
	switch kind {
	case notifyOSC9:
		return ansi.Notify(title + ": " + body)
	case notifyOSC99:
		// One sequence, no metadata: the text is the notification's title.
		return ansi.DesktopNotification(title + ": " + body)
	case notifyOSC777:
		return ansi.URxvtExt("notify", title, body)
	}
	return ""
}

// alert rings the bell and shows a notification, as configured.
func (a *alerts) alert(title, body string) tea.Cmd {
	var out string
	if a.bell {
		out += "\a"
	}
	if a.notify {
		out += notification(a.kind, title, body)
	}
	if out == "" {
		return nil
	}
	return tea.Raw(out)
}

// ring alerts for a call that started ringing.
func (a *alerts) ring(who string) tea.Cmd {
	return a.alert("frontdesk", "Incoming call: "+who)
}

// holdAlerts alerts once for every call whose hold crosses another multiple
// of the hold limit, and forgets calls no longer on hold.
func (m *Model) holdAlerts() tea.Cmd {
	a := &m.alerts
	limit := m.sh.holdWarn
	if limit <= 0 {
		return nil
	}
	var cmds []tea.Cmd
	a.gen++
	for i := range m.calls {
		c := &m.calls[i]
		if c.State != model.StateHolding {
			continue
		}
		n := int(c.HeldFor(m.sh.now) / limit)
		mark, known := a.held[c.ID]
		if !known && n == 0 {
			continue // nothing to remember until the first limit
		}
		if n > mark.n {
			who := m.sh.names.who(c.Ani)
			cmds = append(cmds, a.alert("frontdesk", who+" on hold for "+holdText(c.HeldFor(m.sh.now))))
			mark.n = n
		}
		mark.gen = a.gen
		a.held[c.ID] = mark
	}
	for id, mark := range a.held {
		if mark.gen != a.gen {
			delete(a.held, id)
		}
	}
	return tea.Batch(cmds...)
}

// holdText is a hold span in words: "1 min", "3 min", "45 s".
func holdText(d time.Duration) string {
	if d < time.Minute {
		return itoa(int(d/time.Second)) + " s"
	}
	return itoa(int(d/time.Minute)) + " min"
}
