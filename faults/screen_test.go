package faults_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/charmbracelet/x/ansi"
)

// sgr is the only escape sequence the console itself writes in View:
// Select Graphic Rendition.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// TestHostileCallerText rings calls whose Ani and CLID carry terminal
// escape sequences (title change, clear screen, colour, OSC 8 link,
// cursor moves, 8-bit CSI), bidi overrides, very long strings and
// non-ASCII text, and renders the console at 80 columns. No escape from
// the payload may survive, every line fits in 80 cells, the screen keeps
// its 24 lines, and readable non-ASCII text is still shown.
func TestHostileCallerText(t *testing.T) {
	sim, d := newDeskTee(t, true)
	c := startConsole(t, d.phone(), 80, 24)
	c.waitView(t, "● live")

	// Through the simulator: it writes the text into well-formed XML, so C0
	// controls such as ESC arrive as U+FFFD, while C1 controls, DEL, bidi
	// overrides and the text of the sequences arrive as they are.
	hostile := []struct{ ani, clid string }{
		{"\x1b]0;owned\x07\x1b[2J\x1b[H6465551234", "\u009b5;31mRED\u009b0m6465551000"},
		{"\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\", "\u009b6n\u009d2;x\u009c\u202eevil\u202c\x7f"},
		{strings.Repeat("9", 400), strings.Repeat("Zoë Ångström 東京 ", 40)},
	}
	for _, h := range hostile {
		sim.Ring(did, h.ani, ptr(h.clid))
	}
	// Straight onto the wire: character references for C1 controls and
	// DEL, which XML 1.0 allows.
	sim.SendRaw(did, []byte(strings.Replace(string(doc("990001", "RINGING", "")),
		"<Ani>6465551234</Ani>", "<Ani>&#x9b;5;31m&#x9b;2J&#x9d;0;t&#x9c;Zoë&#x7f;&#x202e;6465551234</Ani>", 1)))
	eventually(t, within, "four calls ringing on screen", func() bool {
		return strings.Contains(c.View().WindowTitle, "4 ringing")
	})
	v := c.View().Content
	check := func(screen string) {
		t.Helper()
		lines := strings.Split(screen, "\n")
		if len(lines) > 24 {
			t.Errorf("%d lines on a 24-line screen", len(lines))
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > 80 {
				t.Errorf("line %d is %d cells wide: %q", i, w, ansi.Strip(l))
			}
			rest := sgr.ReplaceAllString(l, "")
			for _, r := range rest {
				if r == 0x1b || r == 0x7f || (r < 0x20) || (r >= 0x80 && r < 0xa0) ||
					(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
					t.Errorf("line %d carries control %U: %q", i, r, l)
					break
				}
			}
			for _, seq := range sgr.FindAllString(l, -1) {
				if strings.Contains(seq, "31") || strings.Contains(seq, "5;") || strings.Contains(seq, "2J") {
					t.Errorf("line %d carries the payload's colour %q", i, seq)
				}
			}
		}
		for _, bad := range []string{"\x1b]", "\x1bP", "\x1b\\"} {
			if strings.Contains(screen, bad) {
				t.Errorf("the screen carries %q", bad)
			}
		}
	}
	check(v)
	plain := ansi.Strip(v)
	if !strings.Contains(plain, "…") {
		t.Errorf("long caller text was not cut with …:\n%s", plain)
	}
	if !strings.ContainsFunc(plain, func(r rune) bool { return r > unicode.MaxLatin1 && unicode.IsLetter(r) }) &&
		!strings.Contains(plain, "Zoë") {
		t.Errorf("readable non-ASCII text is gone:\n%s", plain)
	}
	if title := c.View().WindowTitle; strings.ContainsAny(title, "\x1b\x07") {
		t.Errorf("window title %q", title)
	}
	// Scrolling through every row keeps the layout.
	for range 4 {
		c.key("j")
		check(c.View().Content)
	}
}

// TestRawControlCharacters sends a call whose Ani carries raw ESC, BEL and
// NUL bytes, which no XML parser accepts, as a sloppy server might. The
// call must still be shown (the bytes as U+FFFD, then cleaned), the stream
// stays up, nothing crashes, no control reaches the screen, and the next
// events are applied.
func TestRawControlCharacters(t *testing.T) {
	sim, d := newDeskTee(t, true)
	c := startConsole(t, d.phone(), 80, 24)
	c.waitView(t, "● live")
	streams := sim.Stats().Streams

	sim.SendRaw(did, []byte(strings.Replace(string(doc("990002", "RINGING", "")),
		"<Ani>6465551234</Ani>", "<Ani>\x1b]0;owned\x07\x00\x1b[2J6465551234</Ani>", 1)))
	id := sim.Ring(did, "13125550100", nil)
	eventually(t, within, "both calls listed", func() bool {
		var hostile, next bool
		for _, r := range d.rows() {
			hostile = hostile || r == "990002 RINGING"
			next = next || strings.HasPrefix(r, id+" ")
		}
		return hostile && next
	})
	eventually(t, within, "both calls on screen", func() bool {
		return strings.Contains(c.View().WindowTitle, "2 ringing")
	})
	screen := c.View().Content
	if strings.ContainsAny(sgr.ReplaceAllString(screen, ""), "\x1b\x07\x00") {
		t.Errorf("a raw control reached the screen: %q", screen)
	}
	if st := sim.Stats(); st.Streams != streams {
		t.Errorf("the stream reconnected (%d → %d streams)", streams, st.Streams)
	}
}
