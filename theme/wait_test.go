package theme

import (
	"testing"
	"time"
)

func TestWaitFor(t *testing.T) {
	const warn, alert = 20 * time.Second, 45 * time.Second
	tests := []struct {
		d          time.Duration
		warn, alrt time.Duration
		want       Wait
	}{
		{0, warn, alert, WaitCalm},
		{warn - time.Millisecond, warn, alert, WaitCalm},
		{warn, warn, alert, WaitWarn},
		{alert - time.Millisecond, warn, alert, WaitWarn},
		{alert, warn, alert, WaitAlert},
		{time.Hour, 0, 0, WaitCalm},      // both limits off
		{time.Hour, 0, alert, WaitAlert}, // warn off, alert on
		{time.Hour, warn, 0, WaitWarn},   // alert off
	}
	for _, tt := range tests {
		if got := WaitFor(tt.d, tt.warn, tt.alrt); got != tt.want {
			t.Errorf("WaitFor(%v, %v, %v) = %d, want %d", tt.d, tt.warn, tt.alrt, got, tt.want)
		}
	}
	if got := HoldWaitFor(119*time.Second, time.Minute); got != WaitWarn {
		t.Errorf("1m59s on hold with hold_warn 1m = %d, want warn", got)
	}
	if got := HoldWaitFor(2*time.Minute, time.Minute); got != WaitAlert {
		t.Errorf("2m on hold with hold_warn 1m = %d, want alert (twice hold_warn)", got)
	}
	if got := HoldWaitFor(time.Hour, 0); got != WaitCalm {
		t.Errorf("hold_warn off = %d, want calm", got)
	}
}

func TestWaitMarksDiffer(t *testing.T) {
	if WaitCalm.Mark() != "" || WaitWarn.Mark() == "" || WaitAlert.Mark() == WaitWarn.Mark() {
		t.Errorf("marks: calm %q, warn %q, alert %q", WaitCalm.Mark(), WaitWarn.Mark(), WaitAlert.Mark())
	}
}

// Every step of a wait looks different from the one before it in every
// palette, the no-colour ones included, so that a receptionist who cannot
// tell colours apart still sees who has waited too long.
func TestWaitStepsAreDistinctInEveryTheme(t *testing.T) {
	for _, dark := range []bool{true, false} {
		for _, noColor := range []bool{false, true} {
			s := New(dark, noColor)
			for kind, style := range map[string]func(Wait) string{
				"ring": func(w Wait) string { return s.RingStyle(w).Render("x") },
				"hold": func(w Wait) string { return s.HoldStyle(w).Render("x") },
			} {
				seen := map[string]Wait{}
				for _, w := range []Wait{WaitCalm, WaitWarn, WaitAlert} {
					out := style(w)
					if prev, ok := seen[out]; ok {
						t.Errorf("dark=%v noColor=%v: %s step %d looks like step %d: %q", dark, noColor, kind, w, prev, out)
					}
					seen[out] = w
				}
			}
			// The alert steps stand out from the row even without colour.
			for name, st := range map[string]string{"RingAlert": s.RingAlert.Render("x"), "HoldAlert": s.HoldAlert.Render("x")} {
				if noColor && st == s.Row.Render("x") {
					t.Errorf("dark=%v: no-colour %s is plain text", dark, name)
				}
			}
		}
	}
}
