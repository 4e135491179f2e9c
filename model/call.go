package model

import (
	"strings"
	"time"
)

// Update is one call object from the API (an event or a listCalls item),
// already decoded. The tui converts transport.Call to Update; a missing CLID
// element is HasCLID false.
type Update struct {
	// Line names the phone (account) the call is on, for a console that
	// works several; "" for a console of one. Call Ids are unique per line
	// only.
	Line       string
	ID         string
	Ani        string
	CLID       string
	HasCLID    bool
	DID        string
	Endpoint   string
	Originated bool   // true: outbound
	State      string // raw state text, as received
	Duration   int    // seconds, the call's whole life including ringing
}

// Call is one live call in the table. Text fields hold the server's text as
// received (untrusted): display them through Clean, FormatNumber or Caller.
type Call struct {
	ID       string
	Line     string // the phone (account) the call is on; see Update.Line
	Ani      string // the other party
	CLID     string // the number originally dialled, when the API sent one
	HasCLID  bool
	DID      string
	Endpoint string
	Outbound bool

	State    State
	RawState string // the state text as received; what StateUnknown stood for

	// Began is when the call started: the first sighting minus the Duration
	// the API reported then. StateSince is when the call entered State (for
	// a call first seen connected or on hold, the first sighting).
	Began      time.Time
	StateSince time.Time

	// HoldTotal is the time spent on completed holds; the current hold, if
	// the call is on hold now, is HeldFor.
	HoldTotal time.Duration

	// Answered is true once an inbound call has been connected (seen
	// CONNECTED or HOLDING). ConnectedAt is when the call (either
	// direction) was first seen connected; zero if never.
	Answered    bool
	ConnectedAt time.Time

	// Rang is true once the call has been seen RINGING on this phone.
	// Ignored is true once MarkIgnored was called for it.
	Rang    bool
	Ignored bool
}

// Key identifies the call among the calls of every line (see Key).
func (c Call) Key() string { return Key(c.Line, c.ID) }

// Key is the table's key for call id on line: the Id alone for a console of
// one line ("" line), so keys and Ids coincide there.
func Key(line, id string) string {
	if line == "" {
		return id
	}
	return line + "\x00" + id
}

// InState is how long the call has been in its current state.
func (c Call) InState(now time.Time) time.Duration { return since(c.StateSince, now) }

// Total is the call's age: ringing, talking and holding.
func (c Call) Total(now time.Time) time.Duration { return since(c.Began, now) }

// HeldFor is the current hold span: how long the call has been on hold now,
// zero when it is not on hold.
func (c Call) HeldFor(now time.Time) time.Duration {
	if c.State != StateHolding {
		return 0
	}
	return since(c.StateSince, now)
}

// HoldAll is every hold so far, the current one included.
func (c Call) HoldAll(now time.Time) time.Duration { return c.HoldTotal + c.HeldFor(now) }

// Flagged reports whether the call is in a state the table does not know;
// RawState says what the API sent.
func (c Call) Flagged() bool { return c.State == StateUnknown }

// Caller is the other party's number formatted for display (control
// characters removed), or "unknown caller" when the API sent none.
func (c Call) Caller() string { return callerText(c.Ani) }

// Dialled is the number the caller dialled (CLID) formatted for display, or
// "" when the API did not send one.
func (c Call) Dialled() string {
	if !c.HasCLID {
		return ""
	}
	return FormatNumber(c.CLID)
}

func callerText(ani string) string {
	s := FormatNumber(ani)
	if strings.TrimSpace(s) == "" {
		return "unknown caller"
	}
	return s
}

// since is now-t, never negative (clocks can step back).
func since(t, now time.Time) time.Duration {
	if t.IsZero() {
		return 0
	}
	d := now.Sub(t)
	if d < 0 {
		return 0
	}
	return d
}

// maxDuration bounds the API's Duration (seconds) so a hostile or broken
// value cannot overflow time arithmetic: 400 days.
const maxDuration = 400 * 24 * 3600

func durationOf(seconds int) time.Duration {
	if seconds <= 0 {
		return 0
	}
	if seconds > maxDuration {
		seconds = maxDuration
	}
	return time.Duration(seconds) * time.Second
}
