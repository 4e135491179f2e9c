package perf_test

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// The figures a receptionist sees, measured from outside: the built
// frontdesk console on a pseudo-terminal, against the simulator, timed to
// the first byte the terminal receives. They include Bubble Tea's renderer,
// which writes a frame only on its next 60 fps tick (up to 16.7 ms after
// the View that drew it).

// quietMoment waits until a sample cannot be confused with the calls'
// clocks: away from the whole second (when the clocks turn over and the
// console draws them) and 40 ms after the terminal last received anything.
func quietMoment(p *ptyProc) {
	for {
		now := time.Now()
		ms := now.Nanosecond() / 1e6
		if ms >= 150 && ms <= 800 && now.Sub(p.lastRead()) >= 40*time.Millisecond {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// BenchmarkTerminalLatency, with 20 calls on a 120×40 terminal:
//
//	key    a key press ("j" then "k": the selection moves) written to the
//	       terminal, to the first byte of the frame that shows it;
//	event  a call's state changed in the simulator (connected ⇄ held), which
//	       writes the event on the stream, to the first byte of the frame.
//
// Every sample is taken at a quiet moment (see quietMoment); run it with a
// fixed count (-benchtime 200x). Reported: p50 and p99 in µs.
func BenchmarkTerminalLatency(b *testing.B) {
	bin := consoletest.BuildBinary(b)
	for _, kind := range []string{"key", "event"} {
		b.Run(kind, func(b *testing.B) {
			sim := newSim(b)
			ids := ringN(sim, 20)
			p := startPTY(b, childEnv(b, sim.URL()), bin)
			p.watch("(646) 555-0019")
			p.waitFor(b, "(646) 555-0019", 10*time.Second)
			keys := []string{"j", "k"}
			states := []string{skysim.StateHolding, skysim.StateConnected}
			id := ids[1] // connected
			lat := make(latencies, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				b.StopTimer()
				quietMoment(p)
				b.StartTimer()
				t0 := time.Now()
				if kind == "key" {
					if _, err := p.tty.Write([]byte(keys[i%2])); err != nil {
						b.Fatal(err)
					}
				} else {
					sim.SetState(did, id, states[i%2])
				}
				lat = append(lat, p.firstReadAfter(b, t0).Sub(t0))
			}
			b.StopTimer()
			lat.report(b, "")
		})
	}
}

// BenchmarkConsoleFirstFrame: from exec of `frontdesk` (the console, with
// an account on the simulator and 20 calls) on a pseudo-terminal to the
// first output showing the account in the header (first-frame), and to
// the first showing the last of the calls (calls: connected, subscribed,
// listed and drawn).
func BenchmarkConsoleFirstFrame(b *testing.B) {
	bin := consoletest.BuildBinary(b)
	sim := newSim(b)
	ringN(sim, 20)
	var first, calls latencies
	for range b.N {
		b.StopTimer()
		env := childEnv(b, sim.URL())
		t0 := time.Now()
		b.StartTimer()
		p := startPTY(b, env, bin)
		p.watch(did)
		p.watch("(646) 555-0019")
		at := p.waitFor(b, did, 10*time.Second)
		all := p.waitFor(b, "(646) 555-0019", 10*time.Second)
		b.StopTimer()
		first = append(first, at.Sub(t0))
		calls = append(calls, all.Sub(t0))
		p.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(first.pct(50).Microseconds())/1e3, "first-frame-p50-ms")
	b.ReportMetric(float64(first.pct(99).Microseconds())/1e3, "first-frame-p99-ms")
	b.ReportMetric(float64(calls.pct(50).Microseconds())/1e3, "calls-p50-ms")
	b.ReportMetric(float64(calls.pct(99).Microseconds())/1e3, "calls-p99-ms")
}
