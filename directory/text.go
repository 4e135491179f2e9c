package directory

import (
	"bytes"
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits that keep a hostile or broken file from costing much.
const (
	maxFileSize  = 32 << 20 // bytes read from a contacts file
	maxFieldLen  = 200      // runes kept of a name, department or number
	maxNotesLen  = 1000     // runes kept of notes
	maxRowErrors = 100      // row errors reported before summarising
	maxExtDigits = 6        // longest number treated as an extension
)

// ErrNotText is returned (wrapped) by the loaders for content that is not a
// text file, such as a spreadsheet workbook saved under a .csv name.
var ErrNotText = errors.New("not a text file")

// decodeText turns file bytes into a string: it removes a UTF-8 byte order
// mark, decodes UTF-16 (what spreadsheet programs write for "Unicode text"),
// falls back to Windows-1252 for bytes that are not valid UTF-8, and refuses
// binary content.
func decodeText(b []byte) (string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], false)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], true)
	case len(b) >= 4 && b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return decodeUTF16(b, false)
	case len(b) >= 4 && b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		return decodeUTF16(b, true)
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return "", errors.Join(ErrNotText, errors.New("it is a zip archive (a spreadsheet workbook?): export it as CSV"))
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "", errors.Join(ErrNotText, errors.New("it contains NUL bytes"))
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	return decodeWindows1252(b), nil
}

func decodeUTF16(b []byte, bigEndian bool) (string, error) {
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	s := string(utf16.Decode(u))
	if strings.IndexByte(s, 0) >= 0 {
		return "", errors.Join(ErrNotText, errors.New("it contains NUL characters"))
	}
	return s, nil
}

// cp1252 maps the bytes 0x80-0x9F of Windows-1252; other bytes are Latin-1.
var cp1252 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

func decodeWindows1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		switch {
		case c < 0x80:
			sb.WriteByte(c)
		case c < 0xA0:
			sb.WriteRune(cp1252[c-0x80])
		default:
			sb.WriteRune(rune(c))
		}
	}
	return sb.String()
}

// clean makes a field safe and tidy for display: line breaks and tabs become
// spaces, other control and bidirectional-override characters are dropped,
// runs of spaces collapse, the ends are trimmed and the result is capped at
// max runes.
func clean(s string, max int) string {
	var sb strings.Builder
	space := false
	n := 0
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t' || unicode.IsSpace(r):
			space = sb.Len() > 0
			continue
		case unicode.IsControl(r), isBidiControl(r), r == '\uFEFF':
			continue
		}
		if n >= max {
			break
		}
		if space {
			sb.WriteByte(' ')
			n++
			space = false
		}
		sb.WriteRune(r)
		n++
	}
	return sb.String()
}

func isBidiControl(r rune) bool {
	return (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') || r == '\u200E' || r == '\u200F'
}

// Digits returns only the ASCII digits of s.
func Digits(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	if n == len(s) {
		return s
	}
	b := make([]byte, 0, n)
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	return string(b)
}

// splitExtension separates an extension written after a number, as in
// "646-555-0101 x204", "646 555 0101 ext. 204" or "tel:+16465550101;ext=204".
// It returns the number part and the extension's digits ("" if none).
func splitExtension(s string) (number, ext string) {
	lower := strings.ToLower(s)
	for _, mark := range []string{";ext=", "extension", "ext.", "ext", "x", "#"} {
		i := strings.LastIndex(lower, mark)
		if i <= 0 {
			continue
		}
		tail := strings.TrimSpace(lower[i+len(mark):])
		tail = strings.TrimLeft(tail, ".: ")
		if tail == "" || Digits(tail) != tail || len(tail) > maxExtDigits {
			continue
		}
		head := strings.TrimSpace(s[:i])
		if Digits(head) == "" {
			continue
		}
		return head, tail
	}
	return strings.TrimSpace(s), ""
}

// emailAddress returns the bare address of an e-mail field ("Ada
// <ada@example.com>" or "ada@example.com"), or "" when it is not one.
func emailAddress(field string) string {
	field = clean(field, maxFieldLen)
	if field == "" {
		return ""
	}
	addr, err := mail.ParseAddress(field)
	if err != nil {
		return ""
	}
	return addr.Address
}
