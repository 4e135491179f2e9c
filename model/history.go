package model

import (
	"strings"
	"time"
)

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

// String is the outcome in a receptionist's words; stores keep it as text.
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

// ParseOutcome reads the words String writes; anything else is unknown.
func ParseOutcome(s string) Outcome {
	switch s {
	case "answered":
		return OutcomeAnswered
	case "missed":
		return OutcomeMissed
	case "ignored":
		return OutcomeIgnored
	case "outbound":
		return OutcomeOutbound
	}
	return OutcomeUnknown
}

// CallRecord is one ended call: what the table hands over when a call ends
// and what the history store keeps and returns.
type CallRecord struct {
	ID      int64  // assigned by the store; 0 until stored
	Account string // the account (its DID) whose phone saw the call
	CallID  string
	Line    string // the phone (account) the call was on in a console of several; see Update.Line
	Ani     string // the other party, as received (untrusted text)
	CLID    string
	HasCLID bool
	DID     string // the number the call was on, as the server reported it
	// Name is the directory's name for the other party when the call was
	// stored ("" if unknown).
	Name     string
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
	// DELETED, or when a snapshot no longer listed it).
	LastState State

	// A missed call stays open until it is dealt with. Reached is the
	// start of the first later call on the account to or from the same
	// number that connected; Handled is when the receptionist marked it
	// dealt with, and HandledBy who did. The store fills them in.
	Reached   time.Time
	Handled   time.Time
	HandledBy string
}

// Open reports whether r is a missed call still to be dealt with.
func (r CallRecord) Open() bool {
	return r.Outcome == OutcomeMissed && r.Reached.IsZero() && r.Handled.IsZero()
}

// Direction is "inbound" or "outbound".
func (r CallRecord) Direction() string {
	if r.Outbound {
		return "outbound"
	}
	return "inbound"
}

// Caller is the other party formatted for display.
func (r CallRecord) Caller() string { return callerText(r.Ani) }

// Duration is the call's whole life.
func (r CallRecord) Duration() time.Duration { return since(r.Start, r.End) }

// At is when the call ended, or when it started if its end is unknown.
func (r CallRecord) At() time.Time {
	if r.End.IsZero() {
		return r.Start
	}
	return r.End
}

// CallQuery selects stored calls. Missed, Inbound and Outbound combine with
// OR (none set: every call; Missed is the missed inbound calls); Since and
// Search narrow further.
type CallQuery struct {
	Missed, Inbound, Outbound bool
	Since                     time.Time // calls that started at or after Since, if set
	// Search matches a substring of the name or caller-ID name (any case),
	// or, when it looks like a phone number, a run of the number's digits.
	Search string
	// Open narrows to the missed calls still open (see CallRecord.Open).
	Open   bool
	Limit  int // 0: no limit
	Offset int
}

// Message is a "while you were out" note the receptionist takes for
// someone.
type Message struct {
	ID           int64  // assigned by the store; 0 until stored
	Account      string // the account it was taken on; "" for notes kept before accounts were
	For          string // the person the message is for
	CallerName   string
	CallerNumber string
	Text         string
	CallID       string // the call it was taken on, if any
	Created      time.Time
	Done         bool
	TakenBy      string     // who took it: the SSH key's comment or the local user
	Deliveries   []Delivery // how it is sent to its person, if at all
}

// Empty reports whether the message says nothing: no text, caller name or
// number.
func (m Message) Empty() bool {
	return strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.CallerName) == "" && strings.TrimSpace(m.CallerNumber) == ""
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

// recordFor builds the record of c ending at end.
func recordFor(c *Call, end time.Time) CallRecord {
	if end.Before(c.Began) {
		end = c.Began
	}
	hold := c.HoldAll(end)
	r := CallRecord{
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
	}
	if c.ConnectedAt.IsZero() {
		r.Ring = since(c.Began, end)
		return r
	}
	r.Ring = since(c.Began, c.ConnectedAt)
	if talk := since(c.ConnectedAt, end) - hold; talk > 0 {
		r.Talk = talk
	}
	return r
}
