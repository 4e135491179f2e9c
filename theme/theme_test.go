package theme

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// styles returns every lipgloss.Style field of s by name.
func styles(s Styles) map[string]lipgloss.Style {
	out := map[string]lipgloss.Style{}
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		if st, ok := v.Field(i).Interface().(lipgloss.Style); ok {
			out[v.Type().Field(i).Name] = st
		}
	}
	return out
}

var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// hasColour reports whether out contains an SGR sequence that sets a
// foreground or background colour.
func hasColour(out string) bool {
	for _, m := range sgr.FindAllStringSubmatch(out, -1) {
		params := strings.Split(m[1], ";")
		for i := 0; i < len(params); i++ {
			n, _ := strconv.Atoi(params[i])
			switch {
			case n == 38 || n == 48:
				return true
			case n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107:
				return true
			}
		}
	}
	return false
}

func TestNoColorEmitsNoColour(t *testing.T) {
	for _, dark := range []bool{true, false} {
		s := New(dark, true)
		if !s.NoColor {
			t.Fatal("NoColor not recorded")
		}
		for name, st := range styles(s) {
			out := st.Render("x")
			if hasColour(out) {
				t.Errorf("dark=%v %s renders colour: %q", dark, name, out)
			}
		}
	}
}

func TestColourPalettesColourStates(t *testing.T) {
	for _, dark := range []bool{true, false} {
		s := New(dark, false)
		for _, name := range []string{"Ringing", "Pending", "Connected", "Holding", "HoldWarning", "HoldAlert", "RingWarn", "RingAlert", "StatusOK", "StatusError"} {
			out := styles(s)[name].Render("x")
			if !hasColour(out) {
				t.Errorf("dark=%v %s has no colour: %q", dark, name, out)
			}
		}
	}
}

func TestStatesAreDistinct(t *testing.T) {
	for _, dark := range []bool{true, false} {
		s := New(dark, false)
		seen := map[string]string{}
		for _, name := range []string{"Ringing", "Pending", "Connected", "Holding", "HoldWarning"} {
			out := styles(s)[name].Render("x")
			if prev, ok := seen[out]; ok {
				t.Errorf("dark=%v: %s looks the same as %s", dark, name, prev)
			}
			seen[out] = name
		}
	}
	// Without colour, the states that need attention still stand out.
	s := New(true, true)
	if s.Ringing.Render("x") == s.Connected.Render("x") {
		t.Error("no-colour ringing is indistinguishable from connected")
	}
	if s.HoldWarning.Render("x") == s.Holding.Render("x") {
		t.Error("no-colour hold warning is indistinguishable from holding")
	}
	if s.SelectedRow.Render("x") == s.Row.Render("x") {
		t.Error("no-colour selection is invisible")
	}
}

func TestDarkAndLightDiffer(t *testing.T) {
	d, l := New(true, false), New(false, false)
	if d.Ringing.Render("x") == l.Ringing.Render("x") {
		t.Error("dark and light ringing styles are identical")
	}
	if !d.IsDark || l.IsDark {
		t.Error("IsDark not recorded")
	}
}
