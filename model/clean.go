package model

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Clean makes untrusted text safe to print on one terminal line: it removes
// escape sequences (CSI, OSC, DCS and the other string controls, in their
// 7-bit and 8-bit forms), every other C0 and C1 control character, bidi
// overrides and isolates, and invisible format characters; line breaks and
// tabs become spaces; invalid UTF-8 becomes U+FFFD; surrounding space is
// trimmed. Printable non-ASCII text is kept. With max > 0 the result is at
// most max runes, ending in "…" when it was cut.
func Clean(s string, max int) string {
	if plainASCII(s) {
		return capRunes(strings.TrimSpace(s), max)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteRune(utf8.RuneError)
		case r == 0x1b: // ESC
			i = skipEscape(s, i)
		case r == 0x9b: // CSI
			i = skipCSI(s, i)
		case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // DCS SOS OSC PM APC
			i = skipString(s, i)
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' ||
			r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0):
			// other C0/C1 controls and DEL
		case r == 0x200c || r == 0x200d:
			// zero-width non-joiner and joiner: scripts and emoji need
			// them between two characters; anywhere else one would join
			// whatever is drawn next to the text and shift the columns.
			if joins(b.String(), s[i:]) {
				b.WriteRune(r)
			}
		case unicode.Is(unicode.Cf, r):
			// other format characters: bidi embeddings, overrides, isolates
			// and marks, zero-width space, BOM...
		case unicode.IsSpace(r):
			b.WriteByte(' ')
		case !unicode.IsGraphic(r):
			// private use, unassigned, surrogates
		default:
			b.WriteRune(r)
		}
	}
	return capRunes(strings.TrimSpace(b.String()), max)
}

// joins reports whether a joiner between before and after stands between
// two visible characters.
func joins(before, after string) bool {
	p, _ := utf8.DecodeLastRuneInString(before)
	n, _ := utf8.DecodeRuneInString(after)
	return visible(p) && visible(n)
}

func visible(r rune) bool {
	return r != utf8.RuneError && unicode.IsGraphic(r) && !unicode.IsSpace(r) && !unicode.Is(unicode.Cf, r)
}

// plainASCII reports whether s is printable ASCII only, which needs no
// cleaning.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// capRunes cuts s to max runes, the last being "…" when it was cut.
func capRunes(s string, max int) string {
	if max <= 0 || len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			if utf8.RuneCountInString(s[i:]) == 1 {
				return s
			}
			// A joiner left at the cut would join the "…".
			return strings.TrimRight(s[:i], "\u200c\u200d") + "…"
		}
		n++
	}
	return s
}

// skipEscape skips what follows an ESC at s[i:], returning the index after
// the sequence.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		return skipCSI(s, i+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return skipString(s, i+1)
	case c >= 0x20 && c <= 0x2f: // intermediates, then a final byte
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) && s[i] >= 0x30 && s[i] <= 0x7e {
			i++
		}
		return i
	case c >= 0x30 && c <= 0x7e: // two-character escape such as ESC c
		return i + 1
	}
	return i
}

// skipCSI skips a control sequence's parameters, intermediates and final
// byte.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString skips a control string (OSC, DCS...) up to and including its
// terminator: BEL, ESC \ or the 8-bit ST. Another ESC ends it without
// being consumed; an unterminated string runs to the end of s.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c: // U+009C ST
			return i + 2
		}
		i++
	}
	return i
}

// TerminalSafeJSON escapes, in encoded JSON, the characters encoding/json
// leaves raw but a terminal acts on or that reorder or hide text: DEL, the
// C1 controls, bidi embeddings, overrides and isolates and the other
// invisible format characters, and anything else not printable. Outside
// strings encoded JSON is plain ASCII, so the result is the same JSON
// value; only its bytes are safe to print.
func TerminalSafeJSON(b []byte) []byte {
	var out []byte
	last := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r >= 0x7f && (r < 0xa0 || unicode.Is(unicode.Cf, r) || !unicode.IsPrint(r)) && !(r == utf8.RuneError && size == 1) {
			out = append(out, b[last:i]...)
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				out = fmt.Appendf(out, `\u%04x\u%04x`, r1, r2)
			} else {
				out = fmt.Appendf(out, `\u%04x`, r)
			}
			last = i + size
		}
		i += size
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}
