package perf_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/tui"
)

// fakePhone feeds the console events from a channel; commands succeed.
type fakePhone struct{ events chan transport.Event }

func newFakePhone() *fakePhone { return &fakePhone{events: make(chan transport.Event, 16)} }

func (f *fakePhone) Events() <-chan transport.Event        { return f.events }
func (f *fakePhone) Answer(context.Context, string) error  { return nil }
func (f *fakePhone) Ignore(context.Context, string) error  { return nil }
func (f *fakePhone) Hold(context.Context, string) error    { return nil }
func (f *fakePhone) Resume(context.Context, string) error  { return nil }
func (f *fakePhone) Release(context.Context, string) error { return nil }
func (f *fakePhone) Dial(context.Context, string) error    { return nil }
func (f *fakePhone) live() {
	f.events <- transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}, At: time.Now()}
}
func (f *fakePhone) snapshot(calls []transport.Call) {
	f.events <- transport.Event{Kind: transport.EventSnapshot, Calls: calls, At: time.Now()}
}

var states = []string{"RINGING", "CONNECTED", "HOLDING", "PENDING", "CONNECTED", "HOLDING"}

// someCalls is n calls in a mix of states, a third with a CLID.
func someCalls(n int) []transport.Call {
	calls := make([]transport.Call, n)
	clid := "6465551000"
	for i := range calls {
		calls[i] = transport.Call{ID: strconv.Itoa(100000 + i), Ani: fmt.Sprintf("1646555%04d", i%10000),
			DID: did, State: states[i%len(states)], Duration: i % 600, Originated: i%6 == 3}
		if i%3 == 0 {
			calls[i].CLID = &clid
		}
	}
	return calls
}

// BenchmarkView: View with n calls at 120×40, colour on, one row selected.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run("calls="+strconv.Itoa(n), func(b *testing.B) {
			ph := newFakePhone()
			c := startConsole(b, ph, 120, 40)
			ph.live()
			ph.snapshot(someCalls(n))
			c.waitView(b, "(646) 555-") // the snapshot is applied in one Update
			c.Do(func() {
				c.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
				m := c.Model()
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					_ = m.View()
				}
				b.StopTimer()
			})
		})
	}
}

// countWriter counts what the program writes to its terminal, and tells
// wrote (when set) after each write.
type countWriter struct {
	bytes, writes atomic.Int64
	wrote         chan struct{}
}

func (w *countWriter) Write(p []byte) (int, error) {
	w.bytes.Add(int64(len(p)))
	w.writes.Add(1)
	if w.wrote != nil {
		select {
		case w.wrote <- struct{}{}:
		default:
		}
	}
	return len(p), nil
}

// threadCPU is the calling thread's CPU time (lock the goroutine to it).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_THREAD, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measureWindow is how long the idle figures are observed, after warmUp.
const (
	warmUp        = 1500 * time.Millisecond
	measureWindow = 4 * time.Second
)

// BenchmarkProgramIdle runs the console in a real tea.Program (output to a
// counting writer, no input, 120×40, true colour) with n calls whose only
// change is their clocks, and reports over a few seconds: bytes written
// to the terminal per second, writes (frames) per second, messages through
// Update per second (the console's own ticks), and the process's CPU
// time as a share of one core and its wake-ups (context switches of all
// its threads) per second. The phone is a fake, so nothing else of the
// console runs in the process; the benchmark's own goroutine sleeps.
//
// The last case is the same idle console with Bubble Tea's frame rate at 1
// instead of 60: it shows how many of the wake-ups are the renderer's.
func BenchmarkProgramIdle(b *testing.B) {
	for _, tc := range []struct {
		name  string
		calls int
		fps   int
	}{{"calls=20", 20, 0}, {"calls=0", 0, 0}, {"calls=0,fps=1", 0, 1}} {
		n := tc.calls
		b.Run(tc.name, func(b *testing.B) {
			for range b.N {
				ph := newFakePhone()
				var msgs atomic.Int64
				out := &countWriter{}
				p := tea.NewProgram(tui.New(tui.Options{Phone: ph, Account: did}),
					tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(120, 40),
					tea.WithColorProfile(colorprofile.TrueColor), tea.WithoutSignalHandler(),
					tea.WithFilter(func(_ tea.Model, m tea.Msg) tea.Msg { msgs.Add(1); return m }),
					tea.WithFPS(tc.fps))
				done := make(chan struct{})
				go func() { p.Run(); close(done) }()
				ph.live()
				ph.snapshot(someCalls(n))
				time.Sleep(warmUp)
				bytes0, writes0, msgs0, cpu0 := out.bytes.Load(), out.writes.Load(), msgs.Load(), cpuTime()
				p0, _ := consoletest.ReadProc(os.Getpid())
				t0 := time.Now()
				time.Sleep(measureWindow)
				el := time.Since(t0).Seconds()
				b.ReportMetric(float64(out.bytes.Load()-bytes0)/el, "term-B/s")
				b.ReportMetric(float64(out.writes.Load()-writes0)/el, "frames/s")
				b.ReportMetric(float64(msgs.Load()-msgs0)/el, "msgs/s")
				b.ReportMetric(100*(cpuTime()-cpu0).Seconds()/el, "cpu-%")
				p1, _ := consoletest.ReadProc(os.Getpid())
				b.ReportMetric(float64(p1.Switches-p0.Switches)/el, "wakeups/s")
				p.Kill()
				<-done
			}
		})
	}
}

// BenchmarkWholeFrame: the CPU of one whole frame of the console in a real
// tea.Program (output to a counting writer, 120×40, true colour): Update of
// a key press that moves the selection ("j", then "k"), View, and Bubble
// Tea's renderer parsing the frame into cells, diffing it against the last
// one and writing the difference. Each press waits for its frame to be
// written. Reported: cpu-µs/frame, the process CPU over the presses less
// what the same program spends idle (its 60 fps ticker and the calls'
// clocks) over as long, per frame; and view-µs, View alone, for the split.
// Run it with a fixed count (-benchtime 300x).
func BenchmarkWholeFrame(b *testing.B) {
	for _, n := range []int{20, 1000} {
		b.Run("calls="+strconv.Itoa(n), func(b *testing.B) {
			ph := newFakePhone()
			out := &countWriter{wrote: make(chan struct{}, 1)}
			var model atomic.Pointer[tea.Model]
			p := tea.NewProgram(tui.New(tui.Options{Phone: ph, Account: did}),
				tea.WithInput(nil), tea.WithOutput(out), tea.WithWindowSize(120, 40),
				tea.WithColorProfile(colorprofile.TrueColor), tea.WithoutSignalHandler(),
				tea.WithFilter(func(m tea.Model, msg tea.Msg) tea.Msg { model.Store(&m); return msg }))
			done := make(chan struct{})
			go func() { p.Run(); close(done) }()
			defer func() { p.Kill(); <-done }()
			ph.live()
			ph.snapshot(someCalls(n))
			time.Sleep(warmUp)

			// Idle: what the program spends with nothing pressed.
			cpu0, t0 := cpuTime(), time.Now()
			time.Sleep(time.Second)
			idle := float64(cpuTime()-cpu0) / float64(time.Since(t0))

			keys := []tea.KeyPressMsg{{Code: 'j', Text: "j"}, {Code: 'k', Text: "k"}}
			b.ResetTimer()
			cpu0, t0 = cpuTime(), time.Now()
			for i := range b.N {
				select { // a frame written before this press
				case <-out.wrote:
				default:
				}
				p.Send(keys[i%2])
				<-out.wrote
			}
			el := time.Since(t0)
			cpu := float64(cpuTime()-cpu0) - idle*float64(el)
			b.StopTimer()
			b.ReportMetric(cpu/1e3/float64(b.N), "cpu-µs/frame")

			// View alone on the same model, for the split: this thread's
			// CPU, so that time spent waiting for a core does not count.
			m := *model.Load()
			const views = 200
			runtime.LockOSThread()
			v0 := threadCPU()
			for range views {
				_ = m.View()
			}
			b.ReportMetric(float64((threadCPU()-v0).Nanoseconds())/1e3/views, "view-µs")
			runtime.UnlockOSThread()
			b.ReportMetric(0, "ns/op")
		})
	}
}
