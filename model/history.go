package model

import "time"

// Outcome is how a call ended, for the history.
type Outcome int

// Outcomes. An inbound call that connected is answered, one that rang here
// and never connected is missed (or ignored, if the receptionist ignored
// it); every outbound call is outbound; anything else is unknown.
const (
	OutcomeUnknown Outcome = iota
	OutcomeAnswered
	OutcomeMissed
	OutcomeIgnored
	OutcomeOutbound
)

// String is the outcome in a receptionist's words.
func (o Outcome) String() string {
	switch o {
	case OutcomeAnswered:
		return "answered"
	case OutcomeMissed:
		return "missed"
	case OutcomeIgnored:
		return "ignored"
	case OutcomeOutbound:
		return "outbound"
	}
	return "unknown"
}

// HistoryEntry is one ended call.
type HistoryEntry struct {
	CallID   string
	Line     string // the phone (account) the call was on; see Update.Line
	Ani      string // the other party, as received (untrusted text)
	CLID     string
	HasCLID  bool
	DID      string
	Outbound bool
	Outcome  Outcome
	Start    time.Time
	End      time.Time
	// Ring is the time before the call connected (ringing in, or dialling
	// out); for a call that never connected, its whole life.
	Ring time.Duration
	// Talk is connected time, holds excluded. Hold is every hold together.
	Talk time.Duration
	Hold time.Duration
	// LastState is the state the call was in when it ended (before
	// DELETED, or when a snapshot no longer listed it); RawState its text.
	LastState State
	RawState  string
}

// Direction is "inbound" or "outbound".
func (h HistoryEntry) Direction() string {
	if h.Outbound {
		return "outbound"
	}
	return "inbound"
}

// Caller is the other party formatted for display.
func (h HistoryEntry) Caller() string { return callerText(h.Ani) }

// Duration is the call's whole life.
func (h HistoryEntry) Duration() time.Duration { return since(h.Start, h.End) }

// HistoryStore keeps ended calls beyond the table's in-memory ring.
type HistoryStore interface {
	Add(HistoryEntry) error
}

// outcomeOf decides how a call that is ending went.
func outcomeOf(c *Call) Outcome {
	switch {
	case c.Outbound:
		return OutcomeOutbound
	case c.Answered:
		return OutcomeAnswered
	case c.Ignored:
		return OutcomeIgnored
	case c.Rang:
		return OutcomeMissed
	}
	return OutcomeUnknown
}

// entryFor builds the history entry of c ending at end.
func entryFor(c *Call, end time.Time) HistoryEntry {
	if end.Before(c.Began) {
		end = c.Began
	}
	hold := c.HoldAll(end)
	h := HistoryEntry{
		CallID:    c.ID,
		Line:      c.Line,
		Ani:       c.Ani,
		CLID:      c.CLID,
		HasCLID:   c.HasCLID,
		DID:       c.DID,
		Outbound:  c.Outbound,
		Outcome:   outcomeOf(c),
		Start:     c.Began,
		End:       end,
		Hold:      hold,
		LastState: c.State,
		RawState:  c.RawState,
	}
	if c.ConnectedAt.IsZero() {
		h.Ring = since(c.Began, end)
		return h
	}
	h.Ring = since(c.Began, c.ConnectedAt)
	if talk := since(c.ConnectedAt, end) - hold; talk > 0 {
		h.Talk = talk
	}
	return h
}

// ring is a bounded buffer of history entries, oldest overwritten first.
type ring struct {
	buf  []HistoryEntry
	next int // where the next entry goes
	full bool
}

func newRing(n int) ring { return ring{buf: make([]HistoryEntry, n)} }

func (r *ring) add(h HistoryEntry) {
	if len(r.buf) == 0 {
		return
	}
	r.buf[r.next] = h
	r.next++
	if r.next == len(r.buf) {
		r.next = 0
		r.full = true
	}
}

func (r *ring) len() int {
	if r.full {
		return len(r.buf)
	}
	return r.next
}

// newestFirst copies the entries out, newest first.
func (r *ring) newestFirst() []HistoryEntry {
	n := r.len()
	out := make([]HistoryEntry, 0, n)
	for i := 1; i <= n; i++ {
		j := r.next - i
		if j < 0 {
			j += len(r.buf)
		}
		out = append(out, r.buf[j])
	}
	return out
}
