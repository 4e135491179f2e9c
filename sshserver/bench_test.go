package sshserver

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"
)

// The benchmark's SSH clients run in a child process (this test binary,
// re-executed), so the CPU and memory measured in the benchmark are the
// server's: sshd side, consoles, hub, stream and the idle simulator.
const benchChildEnv = "FRONTDESK_BENCH_CLIENTS"

func TestMain(m *testing.M) {
	if os.Getenv(benchChildEnv) != "" {
		if err := benchClients(); err != nil {
			fmt.Fprintln(os.Stderr, "bench clients:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const benchCalls = 20

// BenchmarkSessions runs n concurrent SSH consoles on one DID with 20 live
// calls and measures two windows of the server process (sshd side,
// consoles, hub, stream and the simulator):
//
//   - idle, while only the on-screen timers change: CPU (rusage delta over
//     the window, as a share of one core), per session, and the bytes each
//     session receives per second;
//   - one call event per second (a new caller rings): CPU
//     as a share of one core (the goal: under 50 % at 1,000 consoles), the
//     CPU each event adds over idle, and the fan-out time from the
//     simulator's ring to the last console's terminal receiving the frame
//     that shows it (p50 and the worst of the events).
//
// Memory per session is the growth of the live heap and of RSS from
// opening the sessions, divided by n.
func BenchmarkSessions(b *testing.B) {
	for _, n := range []int{50, 200, 1000} {
		b.Run(fmt.Sprintf("sessions=%d", n), func(b *testing.B) { benchSessions(b, n) })
	}
}

func benchSessions(b *testing.B, n int) {
	s, acct, _ := sim(b)
	h := newHarness(b, harnessOptions{open: openStream, keyNames: []string{"desk"}}, realConsole)
	h.setDefault(&acct)

	// 20 live calls: ringing, connected and on hold.
	for i := range benchCalls {
		id := s.Ring(did, fmt.Sprintf("21255501%02d", i), nil)
		switch {
		case i < 10:
			s.SetState(did, id, "CONNECTED")
		case i < 14:
			s.SetState(did, id, "HOLDING")
		}
	}

	keyPath := filepath.Join(h.dir, "client_key")
	writePrivateKey(b, keyPath, h.privs["desk"])
	hostKey := string(gossh.MarshalAuthorizedKey(h.srv.HostKey()))

	heap0, rss0 := memNow()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(),
		benchChildEnv+"=1",
		"FRONTDESK_BENCH_ADDR="+h.addr,
		"FRONTDESK_BENCH_KEY="+keyPath,
		"FRONTDESK_BENCH_HOSTKEY="+hostKey,
		"FRONTDESK_BENCH_N="+strconv.Itoa(n),
		fmt.Sprintf("FRONTDESK_BENCH_MARK=555-01%02d", benchCalls-1),
	)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		fmt.Fprintln(stdin, "quit")
		cmd.Wait()
		// Let every console end before the harness shuts the server down
		// (within its 10 s): a thousand take a while on 2 cores.
		for end := time.Now().Add(2 * time.Minute); h.hub.Consoles() > 0 && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
	}()
	lines := bufio.NewScanner(stdout)
	ask := func(q string) int64 {
		fmt.Fprintln(stdin, q)
		if !lines.Scan() {
			b.Fatalf("client process: %v", lines.Err())
		}
		v, err := strconv.ParseInt(strings.TrimSpace(lines.Text()), 10, 64)
		if err != nil {
			b.Fatalf("client process said %q", lines.Text())
		}
		return v
	}
	if got := ask("ready"); got != int64(n) {
		b.Fatalf("%d of %d consoles ready", got, n)
	}
	if st := s.Stats(); st.Subscribes != 1 || st.ListCalls != 1 {
		b.Fatalf("%d consoles: subscribes=%d listCalls=%d", n, st.Subscribes, st.ListCalls)
	}
	heap1, rss1 := memNow()

	// Let the first frames settle, then measure whole seconds of timers.
	const window = 3 * time.Second
	time.Sleep(time.Second)
	b.ResetTimer()
	var cpu time.Duration
	var bytes int64
	for range b.N {
		cpu0, bytes0, t0 := cpuNow(), ask("bytes"), time.Now()
		time.Sleep(window)
		cpu1, bytes1, t1 := cpuNow(), ask("bytes"), time.Now()
		scale := float64(window) / float64(t1.Sub(t0))
		cpu += time.Duration(float64(cpu1-cpu0) * scale)
		bytes += int64(float64(bytes1-bytes0) * scale)
	}
	b.StopTimer()
	secs := window.Seconds() * float64(b.N)
	idle := cpu.Seconds() / secs // CPU seconds per second
	b.ReportMetric(idle*100, "cpu-%")
	b.ReportMetric(float64(cpu.Microseconds())/secs/float64(n), "cpu-µs/session/s")
	b.ReportMetric(float64(heap1-heap0)/float64(n)/1024, "heap-KiB/session")
	b.ReportMetric(float64(rss1-rss0)/float64(n)/1024, "rss-KiB/session")
	b.ReportMetric(float64(bytes)/secs/float64(n), "B/session/s")

	// One call event a second: a new caller rings.
	const events = 6
	var fanout []time.Duration
	evCPU0, evT0 := cpuNow(), time.Now()
	ringing := 0
	for _, c := range s.Calls(did) {
		if c.State == "RINGING" {
			ringing++
		}
	}
	for i := range events {
		// The window title counts the ringing calls; it is sent whole, where
		// the table's rows are sent as differences from the last frame.
		number := fmt.Sprintf("21255572%02d", i)
		text := fmt.Sprintf("frontdesk — %d ringing", ringing+i+1)
		next := evT0.Add(time.Duration(i) * time.Second)
		time.Sleep(time.Until(next))
		if got := ask("expect " + text); got != 0 {
			b.Fatalf("client process: expect said %d", got)
		}
		t0 := time.Now()
		s.Ring(did, number, nil)
		for {
			if got := ask("found"); got == int64(n) {
				break
			}
			if time.Since(t0) > time.Minute {
				b.Fatalf("the event reached %d of %d consoles in a minute", ask("found"), n)
			}
			time.Sleep(time.Millisecond)
		}
		fanout = append(fanout, time.Since(t0))
	}
	time.Sleep(time.Until(evT0.Add(events * time.Second)))
	evSecs := time.Since(evT0).Seconds()
	evCPU := (cpuNow() - evCPU0).Seconds()
	b.ReportMetric(evCPU/evSecs*100, "event-cpu-%")
	b.ReportMetric((evCPU-idle*evSecs)/events*1e3, "cpu-ms/event")
	slices.Sort(fanout)
	b.ReportMetric(float64(fanout[len(fanout)/2].Microseconds())/1e3, "fanout-p50-ms")
	b.ReportMetric(float64(fanout[len(fanout)-1].Microseconds())/1e3, "fanout-max-ms")
	b.ReportMetric(0, "ns/op")
}

// memNow returns the live heap after a collection and the process RSS.
// Both are signed: the difference of two readings can be negative.
func memNow() (heap, rss int64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if data, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(data)); len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			rss = pages * int64(os.Getpagesize())
		}
	}
	return int64(ms.HeapAlloc), rss
}

// cpuNow is this process's user+system CPU time.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func writePrivateKey(b testing.TB, path string, priv ed25519.PrivateKey) {
	b.Helper()
	block, err := gossh.MarshalPrivateKey(priv, "")
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		b.Fatal(err)
	}
}

// benchClients is the child process: it opens N consoles, says how many
// are ready once each shows the last call, then answers byte counts.
func benchClients() error {
	n, _ := strconv.Atoi(os.Getenv("FRONTDESK_BENCH_N"))
	keyPEM, err := os.ReadFile(os.Getenv("FRONTDESK_BENCH_KEY"))
	if err != nil {
		return err
	}
	signer, err := gossh.ParsePrivateKey(keyPEM)
	if err != nil {
		return err
	}
	hostKey, _, _, _, err := gossh.ParseAuthorizedKey([]byte(os.Getenv("FRONTDESK_BENCH_HOSTKEY")))
	if err != nil {
		return err
	}
	cfg := &gossh.ClientConfig{
		User:            "bench",
		Auth:            []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.FixedHostKey(hostKey),
		Timeout:         30 * time.Second,
	}
	mark := os.Getenv("FRONTDESK_BENCH_MARK")
	// The text the next event brings ("expect TEXT"), and how many consoles
	// have received it since ("found").
	var expect struct {
		sync.Mutex
		gen  int
		text string
	}
	var found atomic.Int64
	var total atomic.Int64
	var ready sync.WaitGroup
	var readyN atomic.Int64
	var mu sync.Mutex
	var clients []*gossh.Client
	errs := make(chan error, n)
	// A few handshakes at a time: a thousand at once time out on 2 cores.
	dialing := make(chan struct{}, 8)
	for range n {
		ready.Add(1)
		go func() {
			dialing <- struct{}{}
			c, err := gossh.Dial("tcp", os.Getenv("FRONTDESK_BENCH_ADDR"), cfg)
			<-dialing
			if err != nil {
				errs <- err
				ready.Done()
				return
			}
			mu.Lock()
			clients = append(clients, c)
			mu.Unlock()
			sess, err := c.NewSession()
			if err == nil {
				err = sess.RequestPty("xterm-256color", 40, 100, gossh.TerminalModes{})
			}
			var out io.Reader
			if err == nil {
				out, err = sess.StdoutPipe()
			}
			if err == nil {
				_, err = sess.StdinPipe()
			}
			if err == nil {
				err = sess.Shell()
			}
			if err != nil {
				errs <- err
				ready.Done()
				return
			}
			var seen strings.Builder
			buf := make([]byte, 32*1024)
			isReady := false
			gen, hit := 0, false
			var tail []byte
			for {
				k, err := out.Read(buf)
				total.Add(int64(k))
				expect.Lock()
				if expect.gen != gen {
					gen, hit, tail = expect.gen, false, tail[:0]
				}
				text := expect.text
				expect.Unlock()
				if text != "" && !hit {
					tail = append(tail, buf[:k]...)
					if bytes.Contains(tail, []byte(text)) {
						hit = true
						found.Add(1)
					}
				}
				if !isReady {
					seen.Write(buf[:k])
					if strings.Contains(ansi.Strip(seen.String()), mark) {
						isReady = true
						seen = strings.Builder{}
						readyN.Add(1)
						ready.Done()
					}
				}
				if err != nil {
					if !isReady {
						ready.Done()
					}
					return
				}
			}
		}()
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if text, ok := strings.CutPrefix(in.Text(), "expect "); ok {
			expect.Lock()
			expect.gen++
			expect.text = text
			found.Store(0)
			expect.Unlock()
			fmt.Println(0)
			continue
		}
		switch in.Text() {
		case "ready":
			done := make(chan struct{})
			go func() { ready.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Minute):
			case err := <-errs:
				return err
			}
			fmt.Println(readyN.Load())
		case "bytes":
			fmt.Println(total.Load())
		case "found":
			fmt.Println(found.Load())
		case "quit":
			mu.Lock()
			for _, c := range clients {
				c.Close()
			}
			mu.Unlock()
			return nil
		}
	}
	return nil
}

// BenchmarkHugeTerminal opens consoles (the real one, over a real SSH
// client) whose clients ask for a terminal of the given size, each shown
// until its first frame names the account, and measures the server's
// memory: live heap and RSS growth per console, and the process's RSS
// high-water mark so far (the sizes run in this order, smallest first).
// Sizes are clamped to MaxWidth×MaxHeight, so 10000×10000 costs what
// 500×200 does.
func BenchmarkHugeTerminal(b *testing.B) {
	for _, size := range [][2]int{{120, 40}, {MaxWidth, MaxHeight}, {10000, 10000}} {
		b.Run(fmt.Sprintf("asked=%dx%d", size[0], size[1]), func(b *testing.B) {
			_, acct, _ := sim(b)
			h := newHarness(b, harnessOptions{open: openStream, keyNames: []string{"desk"}}, realConsole)
			h.setDefault(&acct)
			heap0, rss0 := memNow()
			b.ResetTimer()
			for range b.N {
				h.open("desk", size[0], size[1]).waitFor(did)
			}
			b.StopTimer()
			heap1, rss1 := memNow()
			b.ReportMetric(float64(int64(heap1)-int64(heap0))/float64(b.N)/(1<<20), "heap-MiB/session")
			b.ReportMetric(float64(int64(rss1)-int64(rss0))/float64(b.N)/(1<<20), "rss-MiB/session")
			b.ReportMetric(float64(peakRSS())/(1<<20), "peak-rss-MiB")
		})
	}
}

// peakRSS is the process's resident-set high-water mark (VmHWM).
func peakRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
