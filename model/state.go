package model

import "strings"

// State is a call's state as the Sky API reports it. The zero value is
// StateUnknown, so a State nobody set never reads as a real state.
type State int

// Call states. StateUnknown stands for any state text the table does not
// recognise; the original text is kept in Call.RawState.
const (
	StateUnknown   State = iota
	StateRinging         // ringing into the phone
	StatePending         // ringing out from the phone (dialling)
	StateConnected       // connected and active
	StateHolding         // connected, on hold
	StateDeleted         // ended, no longer on this phone
)

// ParseState reads the API's state text. Case and surrounding white space
// do not matter, and "CONNNECTED" (the guide's own spelling in one place) is
// StateConnected; anything else it does not know is StateUnknown.
func ParseState(raw string) State {
	switch raw { // the API's own spelling, without allocation or folding
	case "RINGING":
		return StateRinging
	case "PENDING":
		return StatePending
	case "CONNECTED", misspeltConnected:
		return StateConnected
	case "HOLDING":
		return StateHolding
	case "DELETED":
		return StateDeleted
	}
	s := strings.TrimSpace(raw)
	switch {
	case strings.EqualFold(s, "RINGING"):
		return StateRinging
	case strings.EqualFold(s, "PENDING"):
		return StatePending
	case strings.EqualFold(s, "CONNECTED"), strings.EqualFold(s, misspeltConnected):
		return StateConnected
	case strings.EqualFold(s, "HOLDING"):
		return StateHolding
	case strings.EqualFold(s, "DELETED"):
		return StateDeleted
	}
	return StateUnknown
}

// misspeltConnected is how one copy of the guide spells CONNECTED.
const misspeltConnected = "CONNNECTED"

// String is the API's spelling of the state ("RINGING"); "UNKNOWN" for
// StateUnknown.
func (s State) String() string {
	switch s {
	case StateRinging:
		return "RINGING"
	case StatePending:
		return "PENDING"
	case StateConnected:
		return "CONNECTED"
	case StateHolding:
		return "HOLDING"
	case StateDeleted:
		return "DELETED"
	}
	return "UNKNOWN"
}

// Label is the state in a receptionist's words: "ringing", "dialling",
// "connected", "on hold", "ended", "unknown".
func (s State) Label() string {
	switch s {
	case StateRinging:
		return "ringing"
	case StatePending:
		return "dialling"
	case StateConnected:
		return "connected"
	case StateHolding:
		return "on hold"
	case StateDeleted:
		return "ended"
	}
	return "unknown"
}

// Symbol is a one-character mark for the state, so a row reads without
// colour: ☎ ringing, → dialling, ● connected, ‖ on hold, ✕ ended, ? unknown.
// Several of these are East Asian "ambiguous width"; ASCII gives a fallback.
func (s State) Symbol() string {
	switch s {
	case StateRinging:
		return "☎"
	case StatePending:
		return "→"
	case StateConnected:
		return "●"
	case StateHolding:
		return "‖"
	case StateDeleted:
		return "✕"
	}
	return "?"
}

// ASCII is the plain-ASCII fallback for Symbol, one character wide in every
// terminal: ! ringing, > dialling, * connected, = on hold, x ended, ? unknown.
func (s State) ASCII() string {
	switch s {
	case StateRinging:
		return "!"
	case StatePending:
		return ">"
	case StateConnected:
		return "*"
	case StateHolding:
		return "="
	case StateDeleted:
		return "x"
	}
	return "?"
}

// Live reports whether a call in this state is still on the phone: every
// state except StateDeleted (an unknown state stays visible).
func (s State) Live() bool { return s != StateDeleted }
