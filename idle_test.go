package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/transport/skysim"
	"github.com/frontdesk/frontdesk/tui"
)

// idleChildEnv makes the test binary run the console for
// BenchmarkConsoleWithoutRenderer instead of running tests.
const idleChildEnv = "FRONTDESK_IDLE_CONSOLE"

// The child is this test binary: it becomes the console before any test
// (or TestMain) starts.
func init() {
	if os.Getenv(idleChildEnv) != "" {
		os.Exit(runIdleConsole())
	}
}

// runIdleConsole is the console as `frontdesk` runs it (settings, stream,
// history store with its pruning, directory watch, every tick of the
// console), with one difference: the model is driven the way Bubble Tea's
// event loop drives it (Update, then View) but without Bubble Tea's
// renderer, whose 60 fps ticker would hide the console's own wake-ups.
// On standard input, "msgs" asks how many messages went through Update,
// and "quit" ends it.
func runIdleConsole() int {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var msgs atomic.Int64
	runConsole = func(ctx context.Context, opts tui.Options) error {
		d := consoletest.New(tui.New(opts), 120, 40, consoletest.Options{
			Draw:        true,
			AfterUpdate: func(tea.Msg, time.Time) { msgs.Add(1) },
		})
		defer d.Close()
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			switch in.Text() {
			case "msgs":
				fmt.Println(msgs.Load())
			case "quit":
				return nil
			}
		}
		return nil
	}
	return run(ctx, nil, sys{getenv: os.Getenv, stdout: os.Stderr, stderr: os.Stderr})
}

// BenchmarkConsoleWithoutRenderer measures what frontdesk's own code does
// while nothing happens: the console (another process: this test binary,
// see runIdleConsole) runs against the simulator with a contacts file being
// watched and the call history on, and n calls whose only change is their
// clocks. Reported over a few seconds: the console's messages through
// Update per second (its ticks), its CPU as a share of one core and its
// wake-ups per second (context switches of all its threads). With no calls
// the goal is none: no polling, no timers but the header's minute.
func BenchmarkConsoleWithoutRenderer(b *testing.B) {
	for _, n := range []int{0, 20} {
		b.Run("calls="+strconv.Itoa(n), func(b *testing.B) {
			for range b.N {
				measureIdleConsole(b, n)
			}
		})
	}
}

func measureIdleConsole(b *testing.B, calls int) {
	srv := skysim.New(skysim.Config{Accounts: []skysim.Account{{DID: testDID, PIN: testPIN}}, DialConnectDelay: -1})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	for i := range calls {
		id := srv.Ring(testDID, fmt.Sprintf("1646555%04d", i), nil)
		if i%2 == 1 {
			srv.SetState(testDID, id, skysim.StateConnected)
		}
	}
	dir := b.TempDir()
	// Where they would be: the contacts in the configuration folder, the
	// history in the state folder (its writes are not the watch's business).
	contacts := filepath.Join(dir, "config", "contacts.csv")
	if err := os.MkdirAll(filepath.Dir(contacts), 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(contacts, []byte("Name,Number\nAlice Adams,6465550101\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{
		idleChildEnv + "=1",
		"HOME=" + dir,
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		config.EnvServer + "=" + url,
		config.EnvUser + "=" + testDID,
		config.EnvPIN + "=" + testPIN,
		config.EnvDirectory + "=" + contacts,
		config.EnvHistory + "=" + filepath.Join(dir, "state", "history.db"),
	}
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		fmt.Fprintln(stdin, "quit")
		cmd.Wait()
	}()
	lines := bufio.NewScanner(stdout)
	askMsgs := func() int64 {
		fmt.Fprintln(stdin, "msgs")
		if !lines.Scan() {
			b.Fatalf("console process: %v", lines.Err())
		}
		v, err := strconv.ParseInt(strings.TrimSpace(lines.Text()), 10, 64)
		if err != nil {
			b.Fatalf("console process said %q", lines.Text())
		}
		return v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitFor(ctx, func(st skysim.Stats) bool { return st.Subscribers[testDID] == 1 && st.ListCalls >= 1 }); err != nil {
		b.Fatal("the console never subscribed and listed the calls")
	}
	// Let start-up end: the first prune, the directory, the first frames,
	// and the status line's "connected" fading after 4 s.
	time.Sleep(5 * time.Second)

	// The questions about messages are asked outside the window: each
	// wakes the console, and after any wake-up the Go runtime's monitor
	// thread polls for some 20 ms (dozens of context switches) before it
	// sleeps again.
	pid := cmd.Process.Pid
	m0 := askMsgs()
	time.Sleep(100 * time.Millisecond)
	p0, err := consoletest.ReadProc(pid)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	time.Sleep(4 * time.Second)
	p1, _ := consoletest.ReadProc(pid)
	el := time.Since(t0).Seconds()
	m1 := askMsgs()
	b.ReportMetric(float64(m1-m0)/el, "msgs/s")
	b.ReportMetric(100*(p1.CPU-p0.CPU).Seconds()/el, "cpu-%")
	b.ReportMetric(float64(p1.Switches-p0.Switches)/el, "wakeups/s")
	b.ReportMetric(0, "ns/op")
}
