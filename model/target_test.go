package model

import (
	"errors"
	"strings"
	"testing"
)

func TestActionApplies(t *testing.T) {
	want := map[Action][]State{
		ActAnswer:  {StateRinging},
		ActIgnore:  {StateRinging},
		ActHold:    {StateConnected},
		ActResume:  {StateHolding},
		ActRelease: {StateConnected, StateHolding, StatePending, StateUnknown},
	}
	all := []State{StateUnknown, StateRinging, StatePending, StateConnected, StateHolding, StateDeleted}
	for a, ok := range want {
		for _, s := range all {
			exp := false
			for _, o := range ok {
				exp = exp || o == s
			}
			if a.Applies(s) != exp {
				t.Errorf("%v.Applies(%v) = %v, want %v", a, s, !exp, exp)
			}
		}
	}
	if Action(42).Applies(StateRinging) || Action(42).String() != "unknown action" {
		t.Error("an unknown action applies to nothing")
	}
}

func targetTable() *Table {
	tb := NewTable()
	tb.Apply(in("r1", "RINGING"), at(1))
	tb.Apply(in("r0", "RINGING"), at(0))
	tb.Apply(in("c1", "CONNECTED"), at(0))
	tb.Apply(in("c2", "CONNECTED"), at(1))
	tb.Apply(in("h1", "CONNECTED"), at(0))
	tb.Apply(in("h1", "HOLDING"), at(2))
	tb.Apply(out("p1", "PENDING"), at(0))
	tb.Apply(in("u1", "PARKED"), at(0))
	return tb
}

func TestTargetWithSelection(t *testing.T) {
	tb := targetTable()
	for _, tc := range []struct {
		sel     string
		a       Action
		wantID  string
		wantErr string
	}{
		{"r1", ActAnswer, "r1", ""},
		{"r1", ActIgnore, "r1", ""},
		{"c2", ActHold, "c2", ""},
		{"h1", ActResume, "h1", ""},
		{"c2", ActRelease, "c2", ""},
		{"h1", ActRelease, "h1", ""},
		{"p1", ActRelease, "p1", ""},
		{" c2 ", ActHold, "c2", ""},
		{"r1", ActHold, "", "call from (646) 555-1234 is ringing: answer it first"},
		{"r1", ActResume, "", "is ringing, not on hold: answer it instead"},
		{"r1", ActRelease, "", "is ringing: ignore it instead"},
		{"c1", ActAnswer, "", "call from (646) 555-1234 is already connected"},
		{"c1", ActIgnore, "", "is connected: hang up instead"},
		{"c1", ActResume, "", "is not on hold"},
		{"h1", ActHold, "", "is already on hold"},
		{"h1", ActAnswer, "", "is on hold: resume it instead"},
		{"h1", ActIgnore, "", "is on hold: hang up instead"},
		{"p1", ActAnswer, "", "call to (212) 555-0000 is still dialling out"},
		{"p1", ActIgnore, "", "is dialling out: hang up instead"},
		{"p1", ActHold, "", "is still dialling: wait until it connects"},
		{"p1", ActResume, "", "is dialling, not on hold"},
		{"u1", ActRelease, "u1", ""},
		{"u1", ActHold, "", `state frontdesk does not know ("PARKED")`},
		{"gone", ActAnswer, "", "that call has ended: select a call first"},
	} {
		id, err := tb.Target(tc.sel, tc.a)
		if tc.wantErr == "" {
			if err != nil || id != tc.wantID {
				t.Errorf("Target(%q, %v) = %q, %v; want %q", tc.sel, tc.a, id, err, tc.wantID)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || id != "" {
			t.Errorf("Target(%q, %v) = %q, %v; want error containing %q", tc.sel, tc.a, id, err, tc.wantErr)
		}
	}
	if _, err := tb.Target("gone", ActHold); !errors.Is(err, ErrNoSelection) {
		t.Errorf("a vanished selection should be ErrNoSelection, got %v", err)
	}
}

func TestTargetWithoutSelection(t *testing.T) {
	tb := targetTable()
	for a, want := range map[Action]string{
		ActAnswer:  "r0", // the longest ringing
		ActIgnore:  "r0",
		ActHold:    "c1",
		ActResume:  "h1",
		ActRelease: "h1", // held calls come before connected ones on screen
	} {
		if id, err := tb.Target("", a); err != nil || id != want {
			t.Errorf("Target(\"\", %v) = %q, %v; want %q", a, id, err, want)
		}
	}

	empty := NewTable()
	if _, err := empty.Target("", ActAnswer); err == nil || err.Error() != "there are no calls" {
		t.Errorf("empty table: %v", err)
	}
	only := NewTable()
	only.Apply(in("1", "RINGING"), at(0))
	for a, want := range map[Action]string{
		ActHold:    "no call is connected",
		ActResume:  "no call is on hold",
		ActRelease: "no call to hang up",
	} {
		if _, err := only.Target("", a); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Target(\"\", %v) error %v, want %q", a, err, want)
		}
	}
	only.Apply(in("1", "CONNECTED"), at(1))
	if _, err := only.Target("", ActAnswer); err == nil || err.Error() != "no call is ringing" {
		t.Errorf("answer with nothing ringing: %v", err)
	}
}

func TestTargetDescribesHostileCaller(t *testing.T) {
	tb := NewTable()
	tb.Apply(Update{ID: "1", Ani: "\x1b]0;pwned\x07Bob\x1b[31m", State: "RINGING"}, at(0))
	_, err := tb.Target("1", ActHold)
	if err == nil || strings.ContainsRune(err.Error(), 0x1b) || !strings.Contains(err.Error(), "call from Bob is ringing") {
		t.Fatalf("error %q", err)
	}
	tb.Apply(Update{ID: "2", Ani: "", State: "RINGING"}, at(0))
	if _, err := tb.Target("2", ActHold); err == nil || !strings.HasPrefix(err.Error(), "call 2 is ringing") {
		t.Fatalf("no Ani: %v", err)
	}
}
