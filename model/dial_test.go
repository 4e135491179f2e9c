package model

import (
	"strings"
	"testing"
)

// The guide's EX_TN examples, every one of them.
func TestParseDialGuideExamples(t *testing.T) {
	for _, tc := range []struct {
		in    string
		valid bool
	}{
		{"6465551234", true},
		{"16465551234", true},
		{"916465551234", false},
		{"1234", true},
		{"01161212345678", true},
		{"101161212345678", false},
		{"61212345678", false},
	} {
		n, err := ParseDial(tc.in)
		if tc.valid {
			if err != nil {
				t.Errorf("ParseDial(%q): %v, want valid", tc.in, err)
			} else if n.Digits != tc.in {
				t.Errorf("ParseDial(%q).Digits = %q, want it unchanged", tc.in, n.Digits)
			}
		} else if err == nil {
			t.Errorf("ParseDial(%q) = %+v, want an error", tc.in, n)
		}
	}
}

func TestParseDial(t *testing.T) {
	for _, tc := range []struct {
		in, digits, display string
		kind                NumberKind
	}{
		{"6465551234", "6465551234", "(646) 555-1234", Domestic},
		{"16465551234", "16465551234", "(646) 555-1234", Domestic},
		{"(646) 555-1234", "6465551234", "(646) 555-1234", Domestic},
		{"646.555.1234", "6465551234", "(646) 555-1234", Domestic},
		{" 646-555-1234 ", "6465551234", "(646) 555-1234", Domestic},
		{"1 (646) 555-1234", "16465551234", "(646) 555-1234", Domestic},
		{"+1 646 555 1234", "16465551234", "(646) 555-1234", Domestic},
		{"+16465551234", "16465551234", "(646) 555-1234", Domestic},
		{"9175551234", "9175551234", "(917) 555-1234", Domestic},
		{"1234", "1234", "x1234", Extension},
		{"x1234", "1234", "x1234", Extension},
		{"ext. 1234", "1234", "x1234", Extension},
		{"EXT 1234", "1234", "x1234", Extension},
		{"01161212345678", "01161212345678", "+61 2 1234 5678", International},
		{"011 61 2 1234 5678", "01161212345678", "+61 2 1234 5678", International},
		{"+61 2 1234 5678", "01161212345678", "+61 2 1234 5678", International},
		{"+44 20 7946 0958", "011442079460958", "+44 20 7946 0958", International},
		{"+7 495 123 45 67", "01174951234567", "+7 495 123-45-67", International},
		{"+353 1 234 5678", "01135312345678", "+353 1 234 5678", International},
	} {
		n, err := ParseDial(tc.in)
		if err != nil {
			t.Errorf("ParseDial(%q): %v", tc.in, err)
			continue
		}
		if n.Digits != tc.digits || n.Display != tc.display || n.Kind != tc.kind {
			t.Errorf("ParseDial(%q) = %+v, want {%s %s %v}", tc.in, n, tc.digits, tc.display, tc.kind)
		}
	}
}

func TestParseDialErrors(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // part of the message
	}{
		{"", "enter a number"},
		{"   ", "enter a number"},
		{"()-", "enter a number"},
		{"916465551234", "drop the leading 9: the API adds the outside line itself"},
		{"9 646 555 1234", "drop the leading 9: the API adds the outside line itself"},
		{"96465551234", "drop the leading 9"},
		{"901161212345678", "drop the leading 9"},
		{"101161212345678", "drop the leading 1 before 011"},
		{"61212345678", "international numbers start with 011, e.g. 011 61 2 1234 5678"},
		{"442079460958", "011 44 20 7946 0958"},
		{"64655512345", "11 digits is one too many: a North American number has 10 digits"},
		{"0061212345678", "dial 011 instead of 00"},
		{"0212345678", "start with 011"},
		{"call me", "letters cannot be dialled"},
		{"646555ABCD", "letters cannot be dialled"},
		{"911", "dial 911 on the desk phone"},
		{"9-911", "dial 911 on the desk phone"},
		{"12", "too short"},
		{"123", "too short"},
		{"12345", "5 digits is too short"},
		{"5551234", "add the area code"},
		{"646555123", "9 digits is too short"},
		{"1646555123", "a leading 1 needs 10 more digits"},
		{"164655512345", "too long"},
		{"0646555123", "do not start with 0"},
		{"1046555123", "a leading 1"},
		{"10465551234", "area codes do not start with 0 or 1"},
		{"+1 646 555 123", "10 digits after the 1"},
		{"+1 046 555 1234", "area codes"},
		{"+011 61 2 1234 5678", "either + or 011"},
		{"646+5551234", "a + can only go at the start"},
		{"++61212345678", "a + can only go at the start"},
		{"x12345", "extensions have 4 digits"},
		{"x+1234", "a + can only go"},
		{"*67 646 555 1234", "* and # cannot be dialled"},
		{"1234#", "* and # cannot be dialled"},
		{"011", "add the country code"},
		{"0110", "never start with 0"},
		{"0111 646 555 1234", "without 011 1"},
		{"011 61 12", "too short"},
		{"011 1234567890123456", "without 011 1"},
		{"011 6123456789012345", "too long"},
		{"6123456789012345", "too long"},
		{"６４６５５５１２３４", "not a plain digit"},
		{"646_555_1234", "cannot be dialled"},
		{"646\x1b[2J5551234", "cannot be dialled"},
		{strings.Repeat("6", 40), "far too long"},
	} {
		n, err := ParseDial(tc.in)
		if err == nil {
			t.Errorf("ParseDial(%q) = %+v, want error containing %q", tc.in, n, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseDial(%q) error %q, want it to contain %q", tc.in, err, tc.want)
		}
		if n != (Number{}) {
			t.Errorf("ParseDial(%q) returned %+v with an error", tc.in, n)
		}
	}
}

// A North American number with one digit too many is not sent abroad:
// the advice says first that a digit is extra, whatever country the
// digits would reach with 011 in front.
func TestDialOneDigitTooManyStaysHome(t *testing.T) {
	for _, in := range []string{"64655512345", "212 555 01877", "(415) 555-01088"} {
		_, err := ParseDial(in)
		if err == nil || !strings.HasPrefix(err.Error(), "11 digits is one too many") {
			t.Errorf("ParseDial(%q): %v", in, err)
		}
	}
}
