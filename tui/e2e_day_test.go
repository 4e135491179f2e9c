package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/transport"
)

// TestEndToEndRingAlert: against the simulator, a caller who has rung past
// ring_alert is drawn differently from one who has just started ringing.
func TestEndToEndRingAlert(t *testing.T) {
	const did, pin = "6465550100", "2468"
	pr, srv, _ := startEndToEnd(t, did, pin, Options{RingWarn: 300 * time.Millisecond, RingAlert: 600 * time.Millisecond})
	pr.waitFor("● live")

	srv.Ring(did, "6465550001", nil)
	pr.waitRow("!!", "(646) 555-0001") // past ring_alert: the strong mark
	srv.Ring(did, "6465550002", nil)
	pr.waitRow("☎ ringing", "(646) 555-0002")

	var old, fresh string
	for _, line := range strings.Split(pr.p.current(), "\n") {
		switch plain := ansi.Strip(line); {
		case strings.Contains(plain, "(646) 555-0001"):
			old = line
		case strings.Contains(plain, "(646) 555-0002"):
			fresh = line
		}
	}
	if strings.Contains(ansi.Strip(fresh), "!") {
		t.Errorf("the fresh caller is marked: %q", ansi.Strip(fresh))
	}
	if sgrOnly(old) == sgrOnly(fresh) {
		t.Errorf("the caller past ring_alert is styled like the fresh one:\n%q\n%q", old, fresh)
	}
	pr.key("q")
}

// TestEndToEndSpeedDial: a speed dial key asks first, then dials its
// number through the real stream; no, or another key, dials nothing.
func TestEndToEndSpeedDial(t *testing.T) {
	const did, pin = "6465550100", "2468"
	pr, srv, _ := startEndToEnd(t, did, pin, Options{SpeedDials: []SpeedDial{
		{Key: 1, Name: "Building security", Number: "2125550199"},
		{Key: 7, Name: "Dana", Number: "2101"},
	}})
	pr.waitFor("● live")

	pr.key("?")
	pr.waitFor("dial Building security", "dial Dana")
	pr.key("esc")

	pr.key("1")
	pr.waitFor("Dial Building security on (212) 555-0199?")
	pr.key("n")
	pr.waitFor("Not dialled")
	pr.key("7")
	pr.waitFor("Dial Dana on x2101?")
	pr.key("y")
	pr.waitFor("✓ Dialled Dana")
	pr.key("1")
	pr.waitFor("Dial Building security on (212) 555-0199?")
	pr.key("enter")
	pr.waitFor("✓ Dialled Building security")

	var dials []string
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdDial && len(r.Args) > 0 {
			dials = append(dials, r.Args[0])
		}
	}
	if strings.Join(dials, " ") != "2101 2125550199" {
		t.Fatalf("server saw dials %v, want 2101 then 2125550199", dials)
	}
}
