package model

import (
	"errors"
	"fmt"
	"strings"
)

// Action is something the receptionist does to a call.
type Action int

// Actions, one per API command that takes a call Id.
const (
	ActAnswer Action = iota
	ActIgnore
	ActHold
	ActResume
	ActRelease
)

// String is the action as a verb: "answer", "ignore", "hold", "resume",
// "hang up".
func (a Action) String() string {
	switch a {
	case ActAnswer:
		return "answer"
	case ActIgnore:
		return "ignore"
	case ActHold:
		return "hold"
	case ActResume:
		return "resume"
	case ActRelease:
		return "hang up"
	}
	return "unknown action"
}

// Applies reports whether the action can be taken on a call in state s:
// answer and ignore a ringing call, hold a connected one, resume one on
// hold, hang up one that is connected, on hold or dialling, or in a state
// the table does not know (whatever it is, the receptionist can end it).
func (a Action) Applies(s State) bool {
	switch a {
	case ActAnswer, ActIgnore:
		return s == StateRinging
	case ActHold:
		return s == StateConnected
	case ActResume:
		return s == StateHolding
	case ActRelease:
		return s == StateConnected || s == StateHolding || s == StatePending || s == StateUnknown
	}
	return false
}

// ErrNoSelection is returned by Target when the selected call is gone.
var ErrNoSelection = errors.New("select a call first")

// Target picks the call an action applies to and returns its key (see
// Key). With a selection (the selected call's key) it is that call, or an
// error saying why the action does not fit it. With no selection it is the
// first call in display order whose state fits, on whichever line, which is
// what the API would pick for a blank Id; the key is returned so the
// command names its line and Id explicitly. Error texts are written for the
// receptionist.
func (t *Table) Target(selected string, a Action) (string, error) {
	if selected = strings.TrimSpace(selected); selected != "" {
		e, ok := t.calls[selected]
		if !ok {
			return "", fmt.Errorf("that call has ended: %w", ErrNoSelection)
		}
		if a.Applies(e.State) {
			return e.Key(), nil
		}
		return "", misfit(&e.Call, a)
	}
	for _, e := range t.sorted() {
		if a.Applies(e.State) {
			return e.Key(), nil
		}
	}
	if len(t.calls) == 0 {
		return "", errors.New("there are no calls")
	}
	switch a {
	case ActAnswer:
		return "", errors.New("no call is ringing")
	case ActIgnore:
		return "", errors.New("no call is ringing to ignore")
	case ActHold:
		return "", errors.New("no call is connected to put on hold")
	case ActResume:
		return "", errors.New("no call is on hold")
	case ActRelease:
		return "", errors.New("no call to hang up: ignore a ringing call instead")
	}
	return "", ErrNoSelection
}

// describe names a call the way a receptionist would: "call from (646)
// 555-1234", "call to x1234".
func describe(c *Call) string {
	who := FormatNumber(c.Ani)
	if who == "" {
		return "call " + Clean(c.ID, 20)
	}
	if c.Outbound {
		return "call to " + who
	}
	return "call from " + who
}

// misfit explains why action a does not apply to call c.
func misfit(c *Call, a Action) error {
	who := describe(c)
	if c.State == StateUnknown {
		return fmt.Errorf("%s is in a state frontdesk does not know (%q): wait for the phone to update it, or hang it up",
			who, Clean(c.RawState, 24))
	}
	var why string
	switch a {
	case ActAnswer, ActIgnore:
		switch c.State {
		case StateConnected:
			why = "is already connected"
			if a == ActIgnore {
				why = "is connected: hang up instead"
			}
		case StateHolding:
			why = "is on hold: resume it instead"
			if a == ActIgnore {
				why = "is on hold: hang up instead"
			}
		case StatePending:
			why = "is still dialling out: only a ringing call can be answered"
			if a == ActIgnore {
				why = "is dialling out: hang up instead"
			}
		}
	case ActHold:
		switch c.State {
		case StateRinging:
			why = "is ringing: answer it first"
		case StateHolding:
			why = "is already on hold"
		case StatePending:
			why = "is still dialling: wait until it connects"
		}
	case ActResume:
		switch c.State {
		case StateRinging:
			why = "is ringing, not on hold: answer it instead"
		case StateConnected:
			why = "is not on hold"
		case StatePending:
			why = "is dialling, not on hold"
		}
	case ActRelease:
		if c.State == StateRinging {
			why = "is ringing: ignore it instead"
		}
	}
	if why == "" {
		why = "cannot " + a.String() + " while " + c.State.Label()
	}
	return errors.New(who + " " + why)
}
