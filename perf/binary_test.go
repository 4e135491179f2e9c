package perf_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// ptyProc is the frontdesk binary running on a pseudo-terminal whose
// output is read continuously, counted, and searched.
type ptyProc struct {
	cmd  *exec.Cmd
	tty  *os.File
	done chan struct{}

	mu    sync.Mutex
	n     int64
	reads []time.Time // when recent reads returned, oldest first
	tail  []byte      // the last output, for searching
	found map[string]time.Time
	want  []string
}

// startPTY starts bin with args on a 120×40 terminal.
func startPTY(b testing.TB, env []string, bin string, args ...string) *ptyProc {
	b.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	p := &ptyProc{cmd: cmd, done: make(chan struct{}), found: map[string]time.Time{}}
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		b.Fatal(err)
	}
	p.tty = tty
	go p.read()
	b.Cleanup(p.stop)
	return p
}

func (p *ptyProc) read() {
	defer close(p.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := p.tty.Read(buf)
		if n > 0 {
			now := time.Now()
			p.mu.Lock()
			p.n += int64(n)
			if len(p.reads) >= 1024 {
				p.reads = append(p.reads[:0], p.reads[512:]...)
			}
			p.reads = append(p.reads, now)
			p.tail = append(p.tail, buf[:n]...)
			if len(p.tail) > 256<<10 {
				p.tail = append(p.tail[:0], p.tail[len(p.tail)-16<<10:]...)
			}
			for _, w := range p.want {
				if _, ok := p.found[w]; !ok && (bytes.Contains(p.tail, []byte(w)) || bytes.Contains([]byte(ansi.Strip(string(p.tail))), []byte(w))) {
					p.found[w] = now
				}
			}
			p.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// watch starts looking for text in the output from now on.
func (p *ptyProc) watch(text string) {
	p.mu.Lock()
	p.tail = p.tail[:0]
	delete(p.found, text)
	p.want = append(p.want, text)
	p.mu.Unlock()
}

// waitFor waits until watched text has been written and returns when.
func (p *ptyProc) waitFor(b testing.TB, text string, limit time.Duration) time.Time {
	deadline := time.Now().Add(limit)
	for {
		p.mu.Lock()
		at, ok := p.found[text]
		p.mu.Unlock()
		if ok {
			return at
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s never showed %q", p.cmd.Args, text)
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// lastRead is when output last arrived.
func (p *ptyProc) lastRead() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.reads) == 0 {
		return time.Time{}
	}
	return p.reads[len(p.reads)-1]
}

// firstReadAfter waits for output that arrives at or after t0 and returns
// when the first of it did.
func (p *ptyProc) firstReadAfter(b testing.TB, t0 time.Time) time.Time {
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		for _, t := range p.reads {
			if !t.Before(t0) {
				p.mu.Unlock()
				return t
			}
		}
		p.mu.Unlock()
		if time.Now().After(deadline) {
			b.Fatalf("%s wrote nothing within 5s", p.cmd.Args)
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func (p *ptyProc) written() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// stop quits the console with q, then interrupts and kills it if needed.
func (p *ptyProc) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	p.tty.Write([]byte("q"))
	exited := make(chan struct{})
	go func() { p.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(2 * time.Second):
		p.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-exited:
		case <-time.After(2 * time.Second):
			p.cmd.Process.Kill()
			<-exited
		}
	}
	p.tty.Close()
	<-p.done
}

// BenchmarkConsoleIdle runs the built frontdesk console on a
// pseudo-terminal against the simulator, with n calls whose only change is
// their clocks, and reports over a few seconds: bytes the terminal
// received per second, the console process's CPU as a share of one core
// (from /proc/PID/stat), and its wake-ups per second (context switches of
// all its threads, from /proc/PID/task/*/status).
func BenchmarkConsoleIdle(b *testing.B) {
	bin := consoletest.BuildBinary(b)
	for _, n := range []int{20, 0} {
		b.Run("calls="+strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				sim := newSim(b)
				ringN(sim, n)
				p := startPTY(b, childEnv(b, sim.URL()), bin)
				p.watch("live")
				p.waitFor(b, "live", 10*time.Second)
				time.Sleep(warmUp)
				pid := p.cmd.Process.Pid
				p0, err := consoletest.ReadProc(pid)
				if err != nil {
					b.Fatal(err)
				}
				out0 := p.written()
				t0 := time.Now()
				time.Sleep(measureWindow)
				el := time.Since(t0).Seconds()
				p1, _ := consoletest.ReadProc(pid)
				b.ReportMetric(float64(p.written()-out0)/el, "term-B/s")
				b.ReportMetric(100*(p1.CPU-p0.CPU).Seconds()/el, "cpu-%")
				b.ReportMetric(float64(p1.Switches-p0.Switches)/el, "wakeups/s")
				p.stop()
			}
		})
	}
}

// BenchmarkDemoFirstFrame: from exec of `frontdesk demo` on a
// pseudo-terminal to the first output containing the header's account
// label "(demo)".
func BenchmarkDemoFirstFrame(b *testing.B) {
	bin := consoletest.BuildBinary(b)
	env := childEnv(b, "")
	var lat latencies
	for range b.N {
		b.StopTimer()
		t0 := time.Now()
		b.StartTimer()
		p := startPTY(b, env, bin, "demo", "--ring-rate", "0")
		p.watch("(demo)")
		at := p.waitFor(b, "(demo)", 10*time.Second)
		b.StopTimer()
		lat = append(lat, at.Sub(t0))
		p.stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(lat.pct(50).Microseconds())/1e3, "first-frame-p50-ms")
	b.ReportMetric(float64(lat.pct(99).Microseconds())/1e3, "first-frame-p99-ms")
}

// BenchmarkMillionEventsBinary pushes 1,000,000 call events through one
// session of the built console: the simulator (in this process) writes them in
// bursts on the stream, and the console (its own process, on a
// pseudo-terminal) decodes, applies and draws them. Calls are born and
// ended all the time (PENDING, CONNECTED, HOLDING, DELETED), so the history
// ring and the deleted-Id bookkeeping are exercised; the call history is on
// (its default file under XDG_STATE_HOME), so every ended call is saved.
// Reported: the console's VmRSS after 250k and after 1M events, its peak
// (VmHWM), and the events per second it absorbed.
//
// This takes minutes (about 4.5 on an idle 2-core box, more under load; each
// 100,000 events may take up to 5 minutes): it runs only with
// FRONTDESK_PERF_LONG=1.
// BenchmarkMillionEvents is the quick form make bench runs.
func BenchmarkMillionEventsBinary(b *testing.B) {
	if os.Getenv("FRONTDESK_PERF_LONG") == "" {
		b.Skip("set FRONTDESK_PERF_LONG=1 to run (minutes)")
	}
	bin := consoletest.BuildBinary(b)
	const total = 1_000_000
	for range b.N {
		sim := newSim(b)
		p := startPTY(b, childEnv(b, sim.URL()), bin)
		p.watch("live")
		p.waitFor(b, "live", 10*time.Second)
		pid := p.cmd.Process.Pid

		sent, next := 0, 100_000
		var rss250 int64
		perCall := []string{skysim.StatePending, skysim.StateConnected, skysim.StateHolding, skysim.StateDeleted}
		t0 := time.Now()
		for id := 500000; sent < total; {
			burst := make([]transport.Call, 0, 100)
			for len(burst)+len(perCall) <= 100 && sent+len(burst) < total {
				for _, st := range perCall {
					burst = append(burst, transport.Call{ID: strconv.Itoa(id), Ani: fmt.Sprintf("1212555%04d", id%10000), State: st, Duration: 3})
				}
				id++
			}
			sim.Burst(did, burst...)
			sent += len(burst)
			if sent >= next {
				next += 100_000
				// Let the console catch up before sampling.
				marker := sim.Ring(did, fmt.Sprintf("1917555%04d", sent/100_000), nil)
				p.watch("frontdesk — 1 ringing") // the window title
				p.waitFor(b, "frontdesk — 1 ringing", 5*time.Minute)
				b.Logf("%d events in %v", sent, time.Since(t0).Round(time.Millisecond))
				sim.SetState(did, marker, skysim.StateDeleted)
				if sent >= 250_000 && rss250 == 0 {
					pr, _ := consoletest.ReadProc(pid)
					rss250 = pr.RSS
				}
			}
		}
		el := time.Since(t0).Seconds()
		pr, err := consoletest.ReadProc(pid)
		if err != nil {
			b.Fatal(err)
		}
		rss, hwm := pr.RSS, pr.HWM
		b.ReportMetric(float64(rss250)/(1<<20), "rss-250k-MB")
		b.ReportMetric(float64(rss)/(1<<20), "rss-1M-MB")
		b.ReportMetric(float64(hwm)/(1<<20), "hwm-MB")
		b.ReportMetric(float64(total)/el, "events/s")
		b.ReportMetric(float64(p.written())/(1<<20), "term-MB")
		p.stop()
	}
}
