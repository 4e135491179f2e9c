package model

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A joiner is kept between two visible characters (emoji sequences,
// scripts) and dropped anywhere else, where it would join the text to
// whatever the screen draws beside it.
func TestCleanKeepsOnlyJoinersThatJoin(t *testing.T) {
	for in, want := range map[string]string{
		"\u200dBob":            "Bob",
		"Bob\u200d":            "Bob",
		"Bob \u200d Ray":       "Bob  Ray",
		"Bob\u200d\u200dRay":   "Bob\u200dRay",
		"\u200c":               "",
		"👨\u200d👩\u200d👧":      "👨\u200d👩\u200d👧",
		"क्\u200dष":            "क्\u200dष",
		"Bob\u200d\u202eRay":   "BobRay", // what follows is removed:
		"Bob\u200d\x1b[31mRay": "BobRay", // the joiner goes too
	} {
		if got := Clean(in, 0); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
	// Cut to fit, a joiner is not left to join the "…".
	if got := Clean("a\u200dbcdef", 3); got != "a…" {
		t.Errorf("cut: %q", got)
	}
	// Padded to a column, the cleaned text takes the width it measures.
	for _, in := range []string{"\u200dBob", "Bob\u200d", "\u200d"} {
		cell := Clean(in, 0) + "|"
		if strings.ContainsRune(cell, 0x200d) || ansi.StringWidth(cell) != len(strings.TrimSpace(Clean(in, 0)))+1 {
			t.Errorf("%q: cell %q", in, cell)
		}
	}
}

func TestTerminalSafeJSON(t *testing.T) {
	in := "a\x7f\u0085\u009b31m\u202eevil\u2066\u200d\U000E0041\uE000 café 👍"
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	safe := TerminalSafeJSON(raw)
	for _, r := range "\x7f\u0085\u009b\u202e\u2066\u200d\U000E0041\uE000" {
		if strings.ContainsRune(string(safe), r) {
			t.Errorf("%U left raw in %s", r, safe)
		}
	}
	if !strings.Contains(string(safe), "café 👍") || !strings.Contains(string(safe), `\udb40\udc41`) {
		t.Errorf("printable text escaped or a supplementary character mis-escaped: %s", safe)
	}
	var back string
	if err := json.Unmarshal(safe, &back); err != nil || back != in {
		t.Fatalf("does not read back: %q, %v", back, err)
	}
	plain := []byte(`{"ani":"6465551234"}`)
	if got := TerminalSafeJSON(plain); &got[0] != &plain[0] {
		t.Error("plain JSON copied")
	}
}
