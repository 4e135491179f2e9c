package model

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestParseState(t *testing.T) {
	for raw, want := range map[string]State{
		"RINGING":       StateRinging,
		"ringing":       StateRinging,
		"  Ringing\n":   StateRinging,
		"PENDING":       StatePending,
		"CONNECTED":     StateConnected,
		"\tconnected ":  StateConnected,
		"HOLDING":       StateHolding,
		"DELETED":       StateDeleted,
		"deleted":       StateDeleted,
		"CONNNECTED":    StateConnected,
		" connnected ":  StateConnected,
		"PARKED":        StateUnknown,
		"":              StateUnknown,
		"CONNECTED!":    StateUnknown,
		"CON NECTED":    StateUnknown,
		"\u00a0HOLDING": StateHolding,
	} {
		if got := ParseState(raw); got != want {
			t.Errorf("ParseState(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestStateText(t *testing.T) {
	seen := map[string]State{}
	seenASCII := map[string]State{}
	for _, s := range []State{StateUnknown, StateRinging, StatePending, StateConnected, StateHolding, StateDeleted} {
		if s != StateUnknown && ParseState(s.String()) != s {
			t.Errorf("ParseState(%v.String()) does not round-trip", s)
		}
		if utf8.RuneCountInString(s.Symbol()) != 1 || len(s.ASCII()) != 1 {
			t.Errorf("%v: Symbol %q / ASCII %q should be one character", s, s.Symbol(), s.ASCII())
		}
		if s.ASCII()[0] < 0x21 || s.ASCII()[0] > 0x7e {
			t.Errorf("%v: ASCII %q is not printable ASCII", s, s.ASCII())
		}
		if o, dup := seen[s.Symbol()]; dup {
			t.Errorf("%v and %v share the symbol %q", s, o, s.Symbol())
		}
		if o, dup := seenASCII[s.ASCII()]; dup {
			t.Errorf("%v and %v share the ASCII mark %q", s, o, s.ASCII())
		}
		seen[s.Symbol()], seenASCII[s.ASCII()] = s, s
		if s.Label() == "" {
			t.Errorf("%v has no label", s)
		}
	}
	if StateHolding.Label() != "on hold" || StatePending.Label() != "dialling" || StateRinging.Symbol() != "☎" ||
		StateHolding.Symbol() != "‖" || StateConnected.Symbol() != "●" || StatePending.Symbol() != "→" || StateUnknown.Symbol() != "?" {
		t.Error("labels and symbols changed")
	}
	if State(42).String() != "UNKNOWN" || State(-1).Symbol() != "?" || !StateUnknown.Live() || StateDeleted.Live() {
		t.Error("out-of-range states read as unknown")
	}
}

func TestFormatNumber(t *testing.T) {
	for raw, want := range map[string]string{
		"6465551234":          "(646) 555-1234",
		"16465551234":         "(646) 555-1234",
		"+16465551234":        "(646) 555-1234",
		"+1 (646) 555-1234":   "(646) 555-1234",
		"646-555-1234":        "(646) 555-1234",
		"1234":                "x1234",
		"01161212345678":      "+61 2 1234 5678",
		"+61212345678":        "+61 2 1234 5678",
		"+442079460958":       "+44 20 7946 0958",
		"011442079460958":     "+44 20 7946 0958",
		"+8613912345678":      "+86 139 1234 5678",
		"+35312345678":        "+353 1 234 5678",
		"+33123456789":        "+33 1 23 45 67 89",
		"+44 (0)20 7946 0958": "+44 20 7946 0958",
		"+7 495 123 45 67":    "+7 495 123-45-67",
		"+3":                  "+3",
		"+0123":               "+0123",
		"0110":                "x0110",
		"Anonymous":           "Anonymous",
		"sip:bob@example.com": "sip:bob@example.com",
		"555-1234":            "555-1234",
		"":                    "",
		"  ":                  "",
		"\x1b[31m6465551234":  "(646) 555-1234",
		"Bob\x07\x1b]0;x\x07": "Bob",
		"+1 646 555 123":      "+1 646 555 123",
		"12":                  "12",
	} {
		if got := FormatNumber(raw); got != want {
			t.Errorf("FormatNumber(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestDigits(t *testing.T) {
	for raw, want := range map[string]string{
		"(646) 555-1234": "6465551234",
		"+1 646":         "1646",
		"Anonymous":      "",
		"x1234":          "1234",
		"６４６":            "",
	} {
		if got := Digits(raw); got != want {
			t.Errorf("Digits(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in   string
		max  int
		want string
	}{
		{"Bob Smith", 0, "Bob Smith"},
		{"  Bob  ", 0, "Bob"},
		{"Bob\x1b[31mRed\x1b[0m", 0, "BobRed"},
		{"a\x1b[?1049hb", 0, "ab"},
		{"a\x1b[38;2;255;0;0mb", 0, "ab"},
		{"title\x1b]0;owned\x07after", 0, "titleafter"},
		{"link\x1b]8;;http://x\x1b\\text\x1b]8;;\x1b\\", 0, "linktext"},
		{"dcs\x1bPq#0;2;0;0;0\x1b\\end", 0, "dcsend"},
		{"apc\x1b_payload\x1b\\z", 0, "apcz"},
		{"esc\x1bcreset", 0, "escreset"},
		{"esc\x1b(Bcharset", 0, "esccharset"},
		{"trailing\x1b", 0, "trailing"},
		{"unterminated\x1b]0;title", 0, "unterminated"},
		{"osc then esc\x1b]0;x\x1b[31mred", 0, "osc then escred"},
		{"c1\u009b31mcsi", 0, "c1csi"},
		{"c1\u009d0;t\u009cosc", 0, "c1osc"},
		{"c1\u0085nel", 0, "c1 nel"},
		{"c1\u0090dcs\u009cx", 0, "c1x"},
		{"bell\x07nul\x00del\x7f", 0, "bellnuldel"},
		{"tab\tnl\ncr\r", 0, "tab nl cr"},
		{"bidi\u202egnp.exe", 0, "bidignp.exe"},
		{"iso\u2066late\u2069", 0, "isolate"},
		{"mark\u200e\u200f\u061c", 0, "mark"},
		{"zw\u200bsp\ufeff", 0, "zwsp"},
		{"ls\u2028ps\u2029", 0, "ls ps"},
		{"nb\u00a0sp", 0, "nb sp"},
		{"José Müller", 0, "José Müller"},
		{"李小龍", 0, "李小龍"},
		{"👩\u200d💻", 0, "👩\u200d💻"},
		{"bad\xffutf8", 0, "bad\ufffdutf8"},
		{"pua\ue000x", 0, "puax"},
		{"abcdef", 4, "abc…"},
		{"abcd", 4, "abcd"},
		{"abcde", 1, "…"},
		{"Müller-Lüdenscheidt", 6, "Mülle…"},
		{"李小龍李小龍", 3, "李小…"},
		{"\x1b[31m\x1b[0m", 5, ""},
		{"abc", -1, "abc"},
	} {
		if got := Clean(tc.in, tc.max); got != tc.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// cleanOK checks the promises Clean makes about its output.
func cleanOK(t *testing.T, in, out string, max int) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Clean(%q) = %q: invalid UTF-8", in, out)
	}
	if max > 0 && utf8.RuneCountInString(out) > max {
		t.Fatalf("Clean(%q, %d) = %q: longer than max", in, max, out)
	}
	for _, r := range out {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == 0x1b {
			t.Fatalf("Clean(%q) = %q: control %U left", in, out, r)
		}
		if (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f {
			t.Fatalf("Clean(%q) = %q: bidi control %U left", in, out, r)
		}
		if !unicode.IsGraphic(r) && r != 0x200c && r != 0x200d {
			t.Fatalf("Clean(%q) = %q: non-graphic %U left", in, out, r)
		}
	}
	if strings.TrimSpace(out) != out {
		t.Fatalf("Clean(%q) = %q: not trimmed", in, out)
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"Bob", "\x1b[31mx", "\x1b]0;t\x07", "\u202e", "a\x9bb", "\xc2\x9b31m", "李"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		out := Clean(s, max)
		cleanOK(t, s, out, max)
		if again := Clean(out, 0); again != out {
			t.Fatalf("Clean is not idempotent: %q -> %q -> %q", s, out, again)
		}
		cleanOK(t, s, FormatNumber(s), 0)
	})
}

// Ways of writing one number share a key; other numbers do not.
func TestNumberKeyMatchesWaysOfWriting(t *testing.T) {
	same := [][]string{
		{"+44 (0)20 7946 0958", "+44 20 7946 0958", "011 44 20 7946 0958", "0044 20 7946 0958", "+442079460958"},
		{"(646) 555-1234", "+1 646 555 1234", "16465551234", "646.555.1234"},
		{"+33 1 23 45 67 89", "011 33 1 23 45 67 89"},
		{"x1234", "1234"},
	}
	for _, group := range same {
		want := NumberKey(group[0])
		for _, raw := range group[1:] {
			if got := NumberKey(raw); got != want {
				t.Errorf("NumberKey(%q) = %q, NumberKey(%q) = %q: want them equal", raw, got, group[0], want)
			}
		}
	}
	if NumberKey("+44 20 7946 0958") == NumberKey("+44 20 7946 0959") || NumberKey("+44 20 7946 0958") == NumberKey("2079460958") {
		t.Error("different numbers share a key")
	}
}

func TestDeliveryNote(t *testing.T) {
	for _, tc := range []struct {
		ds   []Delivery
		want string
	}{
		{nil, ""},
		{[]Delivery{{Channel: ChannelMail, State: DeliverySent}}, "mailed"},
		{[]Delivery{{Channel: ChannelMail, State: DeliveryQueued}}, "mail queued"},
		{[]Delivery{{Channel: ChannelMail, State: DeliveryQueued, LastError: "connection \x1b[2Jrefused"}, {Channel: ChannelWebhook, State: DeliverySent}},
			"mail queued: connection refused, webhook sent"},
		{[]Delivery{{Channel: ChannelWebhook, State: DeliveryFailed, LastError: "webhook answered HTTP 404"}}, "webhook failed: webhook answered HTTP 404"},
	} {
		if got := DeliveryNote(tc.ds); got != tc.want {
			t.Errorf("DeliveryNote(%+v) = %q, want %q", tc.ds, got, tc.want)
		}
	}
}

// A number the phone-number library would show without one of its digits
// is shown as dialled, so typing back what is shown calls the same number.
func TestFormatNumberKeepsEveryDigit(t *testing.T) {
	for _, raw := range []string{"+20000000000", "+25400302330"} {
		shown := FormatNumber(raw)
		if Digits(shown) != Digits(raw) {
			t.Errorf("FormatNumber(%q) = %q: digits lost", raw, shown)
		}
	}
	if got := FormatNumber("+44 (0)20 7946 0958"); got != "+44 20 7946 0958" {
		t.Errorf("bracketed national prefix: %q", got)
	}
}
