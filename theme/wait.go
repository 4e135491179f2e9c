package theme

import (
	"time"

	"charm.land/lipgloss/v2"
)

// Wait is how far a caller's wait has gone past the console's limits: a
// ringing call against ring_warn and ring_alert, a call on hold against
// hold_warn and twice hold_warn.
type Wait int

// Waiting steps, from calm to most urgent.
const (
	WaitCalm Wait = iota
	WaitWarn
	WaitAlert
)

// WaitFor is the step of a wait of d with the limits warn and alert. A limit
// of zero or less is off.
func WaitFor(d, warn, alert time.Duration) Wait {
	switch {
	case alert > 0 && d >= alert:
		return WaitAlert
	case warn > 0 && d >= warn:
		return WaitWarn
	}
	return WaitCalm
}

// HoldWaitFor is the step of a hold of d: warn from holdWarn, alert from
// twice holdWarn.
func HoldWaitFor(d, holdWarn time.Duration) Wait {
	return WaitFor(d, holdWarn, 2*holdWarn)
}

// Mark is the sign drawn before a waiting call's timer, so that the step
// reads without colour: nothing, "!" or "!!".
func (w Wait) Mark() string {
	switch w {
	case WaitWarn:
		return "!"
	case WaitAlert:
		return "!!"
	}
	return ""
}

// RingStyle is the style of a ringing call at step w.
func (s Styles) RingStyle(w Wait) lipgloss.Style {
	switch w {
	case WaitWarn:
		return s.RingWarn
	case WaitAlert:
		return s.RingAlert
	}
	return s.Ringing
}

// HoldStyle is the style of a held call at step w.
func (s Styles) HoldStyle(w Wait) lipgloss.Style {
	switch w {
	case WaitWarn:
		return s.HoldWarning
	case WaitAlert:
		return s.HoldAlert
	}
	return s.Holding
}
