package config

import (
	"strings"
	"testing"
	"time"
)

func TestRingWaitSettings(t *testing.T) {
	e, path := setup(t)
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.RingWarn != 20*time.Second || c.RingAlert != 45*time.Second {
		t.Errorf("defaults: ring_warn %v ring_alert %v, want 20s and 45s", c.RingWarn, c.RingAlert)
	}
	write(t, path, "ring_warn = \"15s\"\nring_alert = 30\n", 0o600)
	if c, err = load(t, e); err != nil || c.RingWarn != 15*time.Second || c.RingAlert != 30*time.Second {
		t.Errorf("file: %v %v %v", c.RingWarn, c.RingAlert, err)
	}
	e[EnvRingWarn], e[EnvRingAlert] = "25s", "1m"
	if c, err = load(t, e); err != nil || c.RingWarn != 25*time.Second || c.RingAlert != time.Minute {
		t.Errorf("environment over file: %v %v %v", c.RingWarn, c.RingAlert, err)
	}
	if c, err = load(t, e, "--ring-warn", "10s", "--ring-alert", "0"); err != nil || c.RingWarn != 10*time.Second || c.RingAlert != 0 {
		t.Errorf("flags over environment: %v %v %v", c.RingWarn, c.RingAlert, err)
	}
	e[EnvRingWarn], e[EnvRingAlert] = "50s", "40s"
	if _, err := load(t, e); err == nil || !strings.Contains(err.Error(), "ring_alert 40s is not longer than ring_warn 50s") {
		t.Errorf("alert before warn: %v", err)
	}
	e[EnvRingAlert] = "soon"
	if _, err := load(t, e); err == nil || !strings.Contains(err.Error(), EnvRingAlert) {
		t.Errorf("bad %s: %v", EnvRingAlert, err)
	}
}

func TestSpeedDial(t *testing.T) {
	e, path := setup(t)
	write(t, path, `
[[speed_dial]]
key = 1
name = "Building security"
number = "(212) 555-0199"

[[speed_dial]]
key = 9
name = "Dana"
number = "x2101"
`, 0o600)
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SpeedDials) != 2 {
		t.Fatalf("speed dials = %+v", c.SpeedDials)
	}
	if s := c.SpeedDials[0]; s.Key != 1 || s.Name != "Building security" || s.Number.Digits != "2125550199" {
		t.Errorf("first = %+v", s)
	}
	if s := c.SpeedDials[1]; s.Key != 9 || s.Number.Digits != "2101" {
		t.Errorf("second = %+v", s)
	}

	for _, tc := range []struct{ text, want string }{
		{"[[speed_dial]]\nkey = 0\nname = \"a\"\nnumber = \"2125550199\"\n", "[[speed_dial]] #1: key 0 is not a digit from 1 to 9"},
		{"[[speed_dial]]\nkey = 10\nname = \"a\"\nnumber = \"2125550199\"\n", "key 10 is not a digit"},
		{"[[speed_dial]]\nkey = 2\nname = \"a\"\nnumber = \"2125550199\"\n[[speed_dial]]\nkey = 2\nname = \"b\"\nnumber = \"2125550198\"\n", "#2: key 2 is also [[speed_dial]] #1"},
		{"[[speed_dial]]\nkey = 3\nnumber = \"2125550199\"\n", "#1 has no name"},
		{"[[speed_dial]]\nkey = 3\nname = \"Bad\"\nnumber = \"555\"\n", `#1 (Bad): number "555"`},
		{"[[speed_dial]]\nkey = 3\nname = \"a\x07\"\nnumber = \"2125550199\"\n", "control character"},
		{"[[speed_dial]]\nkey = 3\nname = \"a\"\nnumbre = \"2125550199\"\n", `unknown setting "speed_dial.numbre"`},
	} {
		write(t, path, tc.text, 0o600)
		if _, err := load(t, e); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: error %v, want %q", tc.text, err, tc.want)
		}
	}
}
