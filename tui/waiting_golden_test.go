package tui

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// waiting puts calls on the phone at every waiting step: ringing fresh,
// past ring_warn (20s) and past ring_alert (45s); on hold past hold_warn
// (60s) and past twice it.
func (pr *program) waiting() {
	pr.live()
	pr.call("402", "6465550002", "HOLDING")
	pr.waitFor("(646) 555-0002")
	pr.clock.Advance(55 * time.Second)
	pr.call("403", "6465550003", "HOLDING")
	pr.waitFor("(646) 555-0003")
	pr.clock.Advance(25 * time.Second)
	pr.call("401", "6465550001", "RINGING")
	pr.waitFor("(646) 555-0001")
	pr.clock.Advance(20 * time.Second)
	pr.call("404", "6465550004", "RINGING")
	pr.waitFor("(646) 555-0004")
	pr.clock.Advance(25 * time.Second)
	pr.call("405", "6465550005", "RINGING")
	pr.waitFor("(646) 555-0005")
	pr.clock.Advance(5 * time.Second)
	pr.call("406", "6465550006", "CONNECTED")
	pr.waitFor("(646) 555-0006")
}

// checkWaitMarks checks each row's timer mark, so the steps read without
// colour: "!!" past the alert, "!" past the warning, nothing before.
func checkWaitMarks(t *testing.T, frame string) {
	t.Helper()
	want := map[string]string{
		"(646) 555-0001": "!!0:50", // ringing 50 s: past ring_alert
		"(646) 555-0004": "!0:30",  // ringing 30 s: past ring_warn
		"(646) 555-0005": " 0:05",  // ringing 5 s
		"(646) 555-0002": "!!2:10", // on hold 130 s: past twice hold_warn
		"(646) 555-0003": "!1:15",  // on hold 75 s: past hold_warn
	}
	for _, line := range strings.Split(ansi.Strip(frame), "\n") {
		for caller, mark := range want {
			if strings.Contains(line, caller) {
				if !strings.Contains(line, mark) {
					t.Errorf("row %q: want the timer %q", line, mark)
				}
				delete(want, caller)
			}
		}
	}
	for caller := range want {
		t.Errorf("no row for %s in\n%s", caller, ansi.Strip(frame))
	}
}

func TestGoldenWaitingColours(t *testing.T) {
	pr := startProgram(t, 80, 16, colorprofile.TrueColor, nil)
	pr.waiting()
	checkWaitMarks(t, pr.p.current())
	// The alert and warning rows are drawn differently from a fresh
	// ringing call, in colour.
	rows := map[string]string{}
	for _, line := range strings.Split(pr.p.current(), "\n") {
		for _, c := range []string{"(646) 555-0001", "(646) 555-0004", "(646) 555-0005"} {
			if strings.Contains(ansi.Strip(line), c) {
				rows[c] = sgrOnly(line)
			}
		}
	}
	if rows["(646) 555-0001"] == rows["(646) 555-0005"] || rows["(646) 555-0004"] == rows["(646) 555-0005"] || rows["(646) 555-0001"] == rows["(646) 555-0004"] {
		t.Errorf("waiting rows are styled like a fresh one: %q", rows)
	}
	pr.golden()
}

func TestGoldenWaitingNoColour(t *testing.T) {
	pr := startProgram(t, 80, 16, colorprofile.ASCII, nil)
	pr.waiting()
	checkWaitMarks(t, pr.p.current())
	pr.golden()
}

// sgrOnly is the SGR sequences of s, its text removed.
func sgrOnly(s string) string {
	var b strings.Builder
	for _, m := range sgrRE.FindAllString(s, -1) {
		b.WriteString(m)
	}
	return b.String()
}

var sgrRE = regexp.MustCompile("\x1b\\[[0-9;:]*m")
