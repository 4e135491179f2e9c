package perf_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
	"github.com/frontdesk/frontdesk/tui"
)

const (
	did = "6465551000"
	pin = "97531864"
)

// newSim starts a simulator on loopback; dialled calls stay PENDING.
func newSim(b testing.TB) *skysim.Server {
	b.Helper()
	sim := skysim.New(skysim.Config{
		Accounts:         []skysim.Account{{DID: did, PIN: pin}},
		Seed:             1,
		DialConnectDelay: -1,
	})
	if _, err := sim.Start("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close() })
	return sim
}

func account(sim *skysim.Server) transport.Account {
	return transport.Account{Server: sim.URL(), User: did, PIN: pin}
}

// ring20 puts n calls on the phone: ringing, connected and on hold.
func ringN(sim *skysim.Server, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = sim.Ring(did, fmt.Sprintf("1646555%04d", i), nil)
		switch i % 3 {
		case 1:
			sim.SetState(did, ids[i], skysim.StateConnected)
		case 2:
			sim.SetState(did, ids[i], skysim.StateHolding)
		}
	}
	return ids
}

// writeStamps records when the client last wrote to its socket.
type writeStamps struct {
	mu     sync.Mutex
	writes []time.Time
}

func (w *writeStamps) add(t time.Time) {
	w.mu.Lock()
	w.writes = append(w.writes, t)
	w.mu.Unlock()
}

// firstAfter waits for the first write at or after t0.
func (w *writeStamps) firstAfter(b testing.TB, t0 time.Time) time.Time {
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		for _, t := range w.writes {
			if !t.Before(t0) {
				w.mu.Unlock()
				return t
			}
		}
		w.mu.Unlock()
		if time.Now().After(deadline) {
			b.Fatal("no write to the stream")
		}
		time.Sleep(20 * time.Microsecond)
	}
}

type stampConn struct {
	net.Conn
	w *writeStamps
}

func (c stampConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.w.add(time.Now())
	return n, err
}

// startStream runs a stream on sim whose socket writes are time-stamped.
func startStream(b testing.TB, sim *skysim.Server, opts ...transport.StreamOption) (*transport.Stream, *writeStamps) {
	b.Helper()
	stamps := &writeStamps{}
	d := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return stampConn{c, stamps}, nil
		},
	}}
	s, err := transport.NewStream(account(sim), append([]transport.StreamOption{transport.WithHTTPClient(hc)}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done })
	return s, stamps
}

// drain consumes a stream's events when no console does.
func drain(s *transport.Stream) {
	go func() {
		for range s.Events() {
		}
	}()
}

// console drives the real tui model as a Bubble Tea program does (see
// consoletest.Driver) and draws View after every message, as the renderer
// would.
type console struct{ *consoletest.Driver }

func startConsole(b testing.TB, phone tui.Phone, w, h int) *console {
	b.Helper()
	m := tui.New(tui.Options{Phone: phone, Account: did})
	c := &console{consoletest.New(m, w, h, consoletest.Options{Draw: true})}
	b.Cleanup(c.Close)
	return c
}

// view is the screen's text, without styling.
func (c *console) view() string {
	return ansi.Strip(c.View().Content)
}

func (c *console) waitView(b testing.TB, want string) {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(c.view(), want) {
		if time.Now().After(deadline) {
			b.Fatalf("screen never showed %q:\n%s", want, c.view())
		}
		time.Sleep(time.Millisecond)
	}
}

// isEvent tells the console's stream-event messages (one event, or a
// burst of events that were waiting together) from the others.
func isEvent(msg tea.Msg) bool {
	t := reflect.TypeOf(msg).String()
	return t == "tui.eventMsg" || t == "tui.eventsMsg"
}

// eventCount is how many stream events msg carries.
func eventCount(msg tea.Msg) int {
	switch reflect.TypeOf(msg).String() {
	case "tui.eventMsg":
		return 1
	case "tui.eventsMsg":
		return reflect.ValueOf(msg).Field(0).Len()
	}
	return 0
}

// latencies collects samples and reports percentiles as metrics.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

func (l latencies) report(b *testing.B, prefix string) {
	b.ReportMetric(float64(l.pct(50).Nanoseconds())/1e3, prefix+"p50-µs")
	b.ReportMetric(float64(l.pct(99).Nanoseconds())/1e3, prefix+"p99-µs")
}

func TestMain(m *testing.M) {
	if os.Getenv(childEnvVar) != "" {
		os.Exit(runClient())
	}
	code := m.Run()
	consoletest.RemoveBinary()
	os.Exit(code)
}

// childEnv is a private environment for the binary.
func childEnv(b testing.TB, server string) []string {
	home := b.TempDir()
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"TERM=xterm-256color",
		"COLORTERM=truecolor",
		"FRONTDESK_SERVER=" + server,
		"FRONTDESK_USER=" + did,
		"FRONTDESK_PIN=" + pin,
	}
}

// tapPhone is a stream whose events pass through one more goroutine that
// time-stamps each as the console could first see it.
type tapPhone struct {
	*transport.Stream
	events chan transport.Event
	seen   chan time.Time
	called chan time.Time // when Hold or Resume was entered
}

func (p *tapPhone) Hold(ctx context.Context, id string) error {
	select {
	case p.called <- time.Now():
	default:
	}
	return p.Stream.Hold(ctx, id)
}

func (p *tapPhone) Resume(ctx context.Context, id string) error {
	select {
	case p.called <- time.Now():
	default:
	}
	return p.Stream.Resume(ctx, id)
}

func tap(s *transport.Stream) *tapPhone {
	p := &tapPhone{Stream: s, events: make(chan transport.Event), seen: make(chan time.Time, 1024), called: make(chan time.Time, 1024)}
	go func() {
		defer close(p.events)
		for ev := range s.Events() {
			if ev.Kind == transport.EventCall {
				select {
				case p.seen <- time.Now():
				default:
				}
			}
			p.events <- ev
		}
	}()
	return p
}

func (p *tapPhone) Events() <-chan transport.Event { return p.events }
