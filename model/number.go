package model

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// NumberKind is what sort of number a dial string is.
type NumberKind int

// Kinds of dialable number.
const (
	Extension     NumberKind = iota + 1 // 4 digits, on the same system
	Domestic                            // 10 digits, or 11 starting with 1
	International                       // 011, country code, number
)

// String names the kind: "extension", "domestic", "international".
func (k NumberKind) String() string {
	switch k {
	case Extension:
		return "extension"
	case Domestic:
		return "domestic"
	case International:
		return "international"
	}
	return "none"
}

// Number is a validated number to dial.
type Number struct {
	Digits  string // what the API gets as EX_TN
	Display string // formatted for the receptionist
	Kind    NumberKind
}

// String is the Display form.
func (n Number) String() string { return n.Display }

// Limits on international numbers after 011 (E.164 allows 15 digits,
// country code included; the shortest real numbers have about 7).
const (
	intlMin = 7
	intlMax = 15
)

// ParseDial checks what the receptionist typed against the guide's EX_TN
// rules and returns the digits to send. It accepts spaces, dashes, dots,
// slashes and parentheses; "+1" before a North American number; "+" for
// 011; "x" or "ext" before a 4-digit extension. Each error says what is
// wrong and how to fix it.
func ParseDial(input string) (Number, error) {
	s := strings.TrimSpace(input)
	if s == "" {
		return Number{}, errors.New("enter a number to dial")
	}
	ext := false
	if len(s) >= 3 && strings.EqualFold(s[:3], "ext") {
		ext, s = true, strings.TrimLeft(s[3:], ". ")
	} else if s[0] == 'x' || s[0] == 'X' {
		ext, s = true, s[1:]
	}
	plus := false
	var d strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			d.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || unicode.IsSpace(r):
		case r == '+':
			if plus || d.Len() > 0 || ext {
				return Number{}, errors.New("a + can only go at the start of the number")
			}
			plus = true
		case r == '*' || r == '#':
			return Number{}, errors.New("* and # cannot be dialled: the API does not send tones")
		case unicode.IsDigit(r):
			return Number{}, fmt.Errorf("%q is not a plain digit: type the number with 0-9", r)
		case unicode.IsLetter(r):
			return Number{}, fmt.Errorf("letters cannot be dialled (%q): type the number with digits only", r)
		default:
			return Number{}, fmt.Errorf("%q cannot be dialled: type the number with digits only", r)
		}
	}
	n := d.String()
	switch {
	case n == "":
		return Number{}, errors.New("enter a number to dial: digits only")
	case len(n) > 32:
		return Number{}, errors.New("that number is far too long: check it")
	case ext:
		if len(n) != 4 {
			return Number{}, fmt.Errorf("extensions have 4 digits, not %d", len(n))
		}
		return number(n, Extension), nil
	case plus:
		return parsePlus(n)
	}
	return parsePlain(n)
}

// parsePlus handles a number typed after "+".
func parsePlus(n string) (Number, error) {
	switch {
	case strings.HasPrefix(n, "0"):
		return Number{}, errors.New("after + comes the country code, which never starts with 0: use either + or 011, not both")
	case n[0] == '1':
		if len(n) != 11 {
			return Number{}, fmt.Errorf("a +1 number has 10 digits after the 1, not %d", len(n)-1)
		}
		if err := areaCode(n[1:]); err != nil {
			return Number{}, err
		}
		return number(n, Domestic), nil
	}
	return international(n)
}

// parsePlain handles digits typed with no "+".
func parsePlain(n string) (Number, error) {
	switch {
	case strings.HasPrefix(n, "011"):
		return international(n[3:])
	case strings.HasPrefix(n, "1011"):
		return Number{}, errors.New("drop the leading 1 before 011: international numbers start with 011")
	case strings.HasPrefix(n, "9011"):
		return Number{}, errors.New("drop the leading 9: the API adds the outside line itself")
	case strings.HasPrefix(n, "00"):
		return Number{}, errors.New("dial 011 instead of 00 for international numbers, e.g. 011 61 2 1234 5678")
	}
	if n == "911" || n == "9911" {
		return Number{}, errors.New("for an emergency, dial 911 on the desk phone itself")
	}
	switch len(n) {
	case 4:
		return number(n, Extension), nil
	case 7:
		return Number{}, errors.New("add the area code: a 7-digit number needs its 3-digit area code in front")
	case 10:
		if n[0] == '0' {
			return Number{}, errors.New("numbers in North America do not start with 0; international numbers start with 011")
		}
		if n[0] == '1' {
			return Number{}, errors.New("10 digits starting with 1: a leading 1 needs 10 more digits after it, or drop the 1 and add the missing digit")
		}
		return number(n, Domestic), nil
	case 11:
		switch n[0] {
		case '1':
			if err := areaCode(n[1:]); err != nil {
				return Number{}, err
			}
			return number(n, Domestic), nil
		case '9':
			if n[1] != '0' && n[1] != '1' {
				return Number{}, errors.New("drop the leading 9: the API adds the outside line itself")
			}
		}
	case 12:
		if strings.HasPrefix(n, "91") && n[2] != '0' && n[2] != '1' {
			return Number{}, errors.New("drop the leading 9: the API adds the outside line itself (an international number starts with 011)")
		}
	}
	switch {
	case len(n) < 10:
		return Number{}, fmt.Errorf("%d digits is too short: dial a 4-digit extension or a 10-digit number", len(n))
	case n[0] == '0':
		return Number{}, errors.New("international numbers start with 011, e.g. 011 61 2 1234 5678")
	case n[0] == '1':
		return Number{}, fmt.Errorf("%d digits is too long: a number starting with 1 has 11 digits", len(n))
	case len(n) == 11 && n[3] >= '2':
		// It reads as a North American number with a digit typed twice;
		// 011 in front would ring abroad, so that comes second, if at all.
		msg := "11 digits is one too many: a North American number has 10 digits (or 1 and 10); check for a digit typed twice"
		if validIntl("+" + n) {
			msg += "; a number abroad starts with 011 (011 " + strings.TrimPrefix(intlDisplay("+"+n), "+") + ")"
		}
		return Number{}, errors.New(msg)
	case len(n) <= intlMax:
		return Number{}, errors.New("international numbers start with 011, e.g. 011 " + strings.TrimPrefix(intlDisplay("+"+n), "+") + ": add the 011")
	}
	return Number{}, fmt.Errorf("%d digits is too long: a domestic number has 10 digits, an international one 011 and at most 15 more", len(n))
}

// international validates the digits after 011 (or +).
func international(rest string) (Number, error) {
	switch {
	case rest == "":
		return Number{}, errors.New("add the country code and number after 011")
	case rest[0] == '0':
		return Number{}, errors.New("country codes never start with 0: check the digits after 011")
	case rest[0] == '1':
		return Number{}, errors.New("for the US and Canada dial the 10-digit number without 011 1")
	case len(rest) < intlMin:
		return Number{}, errors.New("that international number is too short: it needs the country code and the whole number")
	case len(rest) > intlMax:
		return Number{}, fmt.Errorf("that international number is too long: at most %d digits after 011", intlMax)
	}
	return number("011"+rest, International), nil
}

// areaCode checks the first digit of a 10-digit North American number.
func areaCode(ten string) error {
	if ten[0] == '0' || ten[0] == '1' {
		return errors.New("area codes do not start with 0 or 1: check the number")
	}
	return nil
}

func number(digits string, k NumberKind) Number {
	return Number{Digits: digits, Display: FormatNumber(digits), Kind: k}
}

// FormatNumber shows a phone number the way a receptionist reads it:
// "(646) 555-1234" for 10 digits or 1 and 10 digits (also with +1),
// "x1234" for a 4-digit extension, "+61 2 1234 5678" for 011 or + and a
// country code. Anything else is returned cleaned (see Clean) as it is.
func FormatNumber(raw string) string {
	s := Clean(raw, 0)
	if !phoneish(s) {
		return s
	}
	d := Digits(s)
	if strings.HasPrefix(s, "+") {
		switch {
		case len(d) == 11 && d[0] == '1':
			return nanp(d[1:])
		case len(d) >= 2 && d[0] != '0' && d[0] != '1':
			return intlDisplay(s)
		}
		return s
	}
	switch {
	case len(d) == 4:
		return "x" + d
	case len(d) > 4 && strings.HasPrefix(d, "011") && d[3] != '0':
		return intlDisplay("+" + d[3:])
	case len(d) == 10:
		return nanp(d)
	case len(d) == 11 && d[0] == '1':
		return nanp(d[1:])
	}
	return s
}

// Digits returns only the ASCII digits of raw: a key for lookups.
func Digits(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c >= '0' && c <= '9' {
			if b.Cap() == 0 {
				b.Grow(len(raw) - i)
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// phoneish reports whether s has at least one digit and nothing but digits
// and the punctuation people write numbers with.
func phoneish(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		case c == '+' && i == 0:
		default:
			return false
		}
	}
	return digit
}

func nanp(ten string) string {
	return "(" + ten[:3] + ") " + ten[3:6] + "-" + ten[6:]
}

// intlDisplay writes a number in international form ("+44 20 7946 0958"),
// grouped as people in its country write it; a national prefix written
// in brackets ("+44 (0)20 ...") is dropped. raw starts with "+" and the
// country code. What the library cannot read is shown as "+" and digits.
//
// The display always holds the digits that are dialled: where the library
// would drop one (a leading zero it takes for a national prefix, as in
// "+20 0…"), the number is shown as "+" and its digits, so that what the
// receptionist sees and may type back is what is called.
func intlDisplay(raw string) string {
	raw = strings.ReplaceAll(raw, "(0)", "")
	plain := "+" + Digits(raw)
	n, err := phonenumbers.Parse(raw, "")
	if err != nil {
		return plain
	}
	if shown := phonenumbers.Format(n, phonenumbers.INTERNATIONAL); Digits(shown) == Digits(raw) {
		return shown
	}
	return plain
}

// validIntl reports whether raw ("+" and a country code) is a number in
// that country's numbering plan.
func validIntl(raw string) bool {
	n, err := phonenumbers.Parse(raw, "")
	return err == nil && phonenumbers.IsValidNumber(n)
}

// NumberKey is what two ways of writing one number have in common, for
// matching a caller to a contact: the ten digits of a North American
// number (without 1 or +1), the country code and national number of an
// international one (without 011, 00, + or a bracketed national prefix),
// and the digits of anything else (an extension).
func NumberKey(raw string) string {
	d := Digits(raw)
	s := strings.TrimSpace(raw)
	switch {
	case strings.HasPrefix(s, "+") && len(d) > 1 && d[0] != '1':
		return intlKey(s)
	case len(d) == 11 && d[0] == '1':
		return d[1:]
	case len(d) > 11 && strings.HasPrefix(d, "011"):
		return intlKey("+" + d[3:])
	case len(d) > 10 && strings.HasPrefix(d, "00"):
		return intlKey("+" + d[2:])
	}
	return d
}

func intlKey(raw string) string {
	n, err := phonenumbers.Parse(raw, "")
	if err != nil {
		return Digits(raw)
	}
	return strconv.Itoa(int(n.GetCountryCode())) + phonenumbers.GetNationalSignificantNumber(n)
}
