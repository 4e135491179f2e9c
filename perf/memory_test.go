package perf_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
	"github.com/frontdesk/frontdesk/tui"
)

// childEnvVar makes the test binary run as the client of
// BenchmarkMillionEvents instead of running tests.
const childEnvVar = "FRONTDESK_PERF_CLIENT"

// markAni is the caller of the marker calls that measure progress.
const markAni = "1917555"

// runClient is the console side of BenchmarkMillionEvents, in its own
// process so that its memory is its own: the real stream, and the real tui
// model driven through Update for every event with View drawn at 60 fps
// (as Bubble Tea's renderer draws). For every marker call it has applied
// it prints "mark EVENTS VmRSS VmHWM".
func runClient() int {
	s, err := transport.NewStream(transport.Account{Server: os.Getenv(childEnvVar), User: did, PIN: pin},
		transport.WithEventBuffer(1024))
	if err != nil {
		fmt.Println("error", err)
		return 1
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)

	var forwarded, applied atomic.Int64
	marks := make(chan int64, 64)
	ph := &tapPhone{Stream: s, events: make(chan transport.Event, 1024)}
	go func() {
		defer close(ph.events)
		for ev := range s.Events() {
			n := forwarded.Add(1)
			ph.events <- ev
			if ev.Kind == transport.EventCall && strings.HasPrefix(ev.Call.Ani, markAni) && ev.Call.State == skysim.StateRinging {
				marks <- n
			}
			if ev.Kind == transport.EventConn && ev.Conn.Status == transport.ConnLive {
				fmt.Println("live")
			}
		}
	}()
	consoletest.New(tui.New(tui.Options{Phone: ph, Account: did}), 120, 40, consoletest.Options{
		Draw:  true,
		Frame: time.Second / 60,
		AfterUpdate: func(msg tea.Msg, _ time.Time) {
			applied.Add(int64(eventCount(msg)))
		},
	})
	for n := range marks {
		for applied.Load() < n {
			time.Sleep(100 * time.Microsecond)
		}
		pr, _ := consoletest.ReadProc(os.Getpid())
		fmt.Println("mark", n, pr.RSS, pr.HWM)
	}
	return 0
}

// BenchmarkMillionEvents pushes 1,000,000 call events through one stream
// session: the simulator (in this process) writes them in bursts of 100
// on the loopback stream; the client (this test binary re-run as a child
// process, so its memory is its own) decodes them with the real
// transport.Stream and applies every one through the real console's
// Update, drawing View at 60 fps. Calls are born and ended all the time
// (PENDING, CONNECTED, HOLDING, DELETED), so the table's history ring and
// deleted-Id bookkeeping are exercised. Reported: the client's VmRSS after
// 250k and 1M events, its peak VmHWM, and events per second.
func BenchmarkMillionEvents(b *testing.B) {
	const total = 1_000_000
	for range b.N {
		sim := newSim(b)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnvVar+"="+sim.URL())
		out, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		lines := make(chan string, 64)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		next := func(prefix string) []string {
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						b.Fatal("the client ended")
					}
					if strings.HasPrefix(l, prefix) {
						return strings.Fields(l)
					}
				case <-time.After(2 * time.Minute):
					b.Fatalf("no %q from the client", prefix)
				}
			}
		}
		next("live")

		perCall := []string{skysim.StatePending, skysim.StateConnected, skysim.StateHolding, skysim.StateDeleted}
		var rss250, rss, hwm int64
		sent, checkpoint := 0, 250_000
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
			if sent >= checkpoint {
				checkpoint += 250_000
				marker := sim.Ring(did, markAni+strconv.Itoa(1000+sent/250_000), nil)
				f := next("mark")
				rss, _ = strconv.ParseInt(f[2], 10, 64)
				hwm, _ = strconv.ParseInt(f[3], 10, 64)
				if rss250 == 0 {
					rss250 = rss
				}
				sim.SetState(did, marker, skysim.StateDeleted)
			}
		}
		el := time.Since(t0).Seconds()
		cmd.Process.Kill()
		cmd.Wait()
		b.ReportMetric(float64(rss250)/(1<<20), "rss-250k-MB")
		b.ReportMetric(float64(rss)/(1<<20), "rss-1M-MB")
		b.ReportMetric(float64(hwm)/(1<<20), "hwm-MB")
		b.ReportMetric(float64(total)/el, "events/s")
	}
}
