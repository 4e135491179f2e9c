package faults_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// noPIN fails the test if text holds the PIN, in clear or in base64.
func noPIN(t testing.TB, where, text string) {
	t.Helper()
	for _, form := range []string{pin, base64.StdEncoding.EncodeToString([]byte(did + ":" + pin)), base64.StdEncoding.EncodeToString([]byte(pin))} {
		if i := strings.Index(text, form); i >= 0 {
			t.Errorf("the PIN is in %s: …%s…", where, text[max(0, i-60):min(len(text), i+len(form)+20)])
		}
	}
}

// TestPINNeverLeaksInProcess takes a session through every fault (error
// 17, drops, error 8, error 6, a refused command) and checks every URL and
// header the stream sent, its debug log, every error it reported, the
// printed forms of the account and stream, and the screen after each step.
func TestPINNeverLeaksInProcess(t *testing.T) {
	sim, d := newDeskTee(t, true)
	c := startConsole(t, d.phone(), 100, 24)
	c.waitView(t, "● live")
	var screens []string
	snap := func() { screens = append(screens, c.View().Content, c.View().WindowTitle) }

	id := sim.Ring(did, "16465551234", nil)
	d.waitInSync(t, within)
	snap()
	sim.InjectError(did, skysim.ErrCodeUnsubscribed, "")
	sim.DropConnections(did)
	d.waitInSync(t, within)
	snap()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	if err := d.stream.Hold(ctx, id); err == nil {
		t.Log("hold of a ringing call was accepted")
	} else {
		noPIN(t, "a command error", err.Error()+fmt.Sprintf("%+v %#v", err, err))
	}
	sim.SetLoggedIn(did, false)
	before := sim.Stats().Streams
	sim.DropConnections(did)
	eventually(t, within, "the not-logged-in state", func() bool {
		s, _ := d.lastConn()
		return s.Status == transport.ConnReconnecting && sim.Stats().Streams > before
	})
	c.waitView(t, "phone not logged in")
	snap()
	sim.SetLoggedIn(did, true)
	sim.RateLimitListCalls(time.Hour)
	sim.DropConnections(did)
	eventually(t, within, "the rate-limited state", func() bool {
		s, _ := d.lastConn()
		return s.Status == transport.ConnLive && s.Err != nil
	})
	snap()
	sim.RateLimitListCalls(0)

	for _, u := range d.urls.all() {
		noPIN(t, "a request the stream sent", u)
	}
	noPIN(t, "the stream's debug log", d.log.String())
	for _, s := range d.connStates() {
		if s.Err != nil {
			noPIN(t, "a connection error", s.Err.Error()+fmt.Sprintf(" %v %+v %#v", s.Err, s, s))
		}
	}
	acct := transport.Account{Server: sim.URL(), User: did, PIN: pin}
	noPIN(t, "printed values", fmt.Sprintf("%v %+v %#v %s %v %+v %#v", acct, acct, acct, acct.PIN, d.stream, d.stream, d.stream))
	for _, s := range screens {
		noPIN(t, "the screen", s)
	}
	for _, r := range sim.Stats().Log {
		noPIN(t, "the server's command log", fmt.Sprintf("%+v", r))
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	consoletest.RemoveBinary()
	os.Exit(code)
}

// env is a clean environment for the binary: the account from the
// environment (FRONTDESK_PIN, never a flag), a private home and log.
func env(t testing.TB, server, pinValue string) ([]string, string) {
	home := t.TempDir()
	logFile := filepath.Join(home, "state", "frontdesk.log")
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_STATE_HOME=" + filepath.Join(home, "state"),
		"XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"TERM=xterm-256color",
		"FRONTDESK_SERVER=" + server,
		"FRONTDESK_USER=" + did,
		"FRONTDESK_PIN=" + pinValue,
		"FRONTDESK_LOG=" + logFile,
		"FRONTDESK_LOG_LEVEL=debug",
	}, logFile
}

// cmdline is the process's argv as the kernel shows it to ps.
func cmdline(t testing.TB, pid int) string {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		t.Fatalf("reading argv of %d: %v", pid, err)
	}
	return strings.ReplaceAll(string(b), "\x00", " ")
}

// proc is a started command whose end is awaited once.
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func startProc(t testing.TB, cmd *exec.Cmd, start func() error) *proc {
	t.Helper()
	if err := start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// wait waits for the process to end, killing it if it takes too long.
func (p *proc) wait(t testing.TB) error {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		_ = p.cmd.Process.Kill()
		<-p.done
		t.Errorf("%s did not stop", p.cmd.Args)
	}
	return p.err
}

// stop interrupts the process, if it still runs, and waits for it.
func (p *proc) stop(t testing.TB) {
	t.Helper()
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	p.wait(t)
}

// TestPINNeverLeaksFromBinary runs the built frontdesk with the PIN in
// FRONTDESK_PIN: `watch` and `calls` on pipes, the console under a
// pseudo-terminal. The PIN must not be in any argv (/proc/PID/cmdline),
// anything printed or drawn, or the log file, through reconnects and
// error 17; and a refused PIN is not echoed either.
func TestPINNeverLeaksFromBinary(t *testing.T) {
	bin := consoletest.BuildBinary(t)
	sim, _ := newSim(t)
	sim.Ring(did, "16465551234", nil)

	t.Run("watch", func(t *testing.T) {
		vars, _ := env(t, sim.URL(), pin)
		var out, errOut syncbuffer.Buffer
		cmd := exec.Command(bin, "watch")
		cmd.Env, cmd.Stdout, cmd.Stderr = vars, &out, &errOut
		p := startProc(t, cmd, cmd.Start)
		eventually(t, within, "watch live", func() bool { return strings.Contains(errOut.String(), "connection: live") })
		noPIN(t, "the argv of frontdesk watch", cmdline(t, cmd.Process.Pid))
		id := sim.Ring(did, "13125550111", nil)
		eventually(t, within, "watch printing the call", func() bool { return strings.Contains(out.String(), id) })
		before := sim.Stats().Streams
		sim.InjectError(did, skysim.ErrCodeUnsubscribed, "")
		sim.DropConnections(did)
		eventually(t, within, "watch back", func() bool {
			return sim.Stats().Streams > before && strings.Count(errOut.String(), "connection: live") >= 2
		})
		p.stop(t)
		noPIN(t, "the output of frontdesk watch", out.String()+errOut.String())
	})

	t.Run("calls", func(t *testing.T) {
		// Hold the request until argv has been read: the command is quick.
		target, _ := url.Parse(sim.URL())
		target.Path = ""
		proxy := httputil.NewSingleHostReverseProxy(target)
		arrived := make(chan chan struct{}, 1)
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			release := make(chan struct{})
			select {
			case arrived <- release:
				<-release
			default:
			}
			proxy.ServeHTTP(w, r)
		}))
		defer hs.Close()
		for _, tc := range []struct{ name, pin string }{{"right PIN", pin}, {"wrong PIN", "86420975"}} {
			vars, _ := env(t, hs.URL+skysim.Path, tc.pin)
			var out, errOut syncbuffer.Buffer
			cmd := exec.Command(bin, "calls")
			cmd.Env, cmd.Stdout, cmd.Stderr = vars, &out, &errOut
			p := startProc(t, cmd, cmd.Start)
			var release chan struct{}
			select {
			case release = <-arrived:
			case <-time.After(within):
				t.Fatalf("%s: frontdesk calls sent no request", tc.name)
			}
			noPIN(t, "the argv of frontdesk calls", cmdline(t, cmd.Process.Pid))
			close(release)
			err := p.wait(t)
			all := out.String() + errOut.String()
			if tc.pin == pin && (err != nil || !strings.Contains(all, "555-1234")) {
				t.Errorf("%s: %v\n%s", tc.name, err, all)
			}
			if tc.pin != pin {
				if err == nil || !strings.Contains(strings.ToLower(all), "pin") {
					t.Errorf("%s: exit %v, output %q: want a failure naming the PIN", tc.name, err, all)
				}
				if strings.Contains(all, tc.pin) {
					t.Errorf("%s: the refused PIN is printed: %q", tc.name, all)
				}
			}
			noPIN(t, "the output of frontdesk calls", all)
		}
	})

	t.Run("console", func(t *testing.T) {
		vars, logFile := env(t, sim.URL(), pin)
		cmd := exec.Command(bin)
		cmd.Env = vars
		var tty *os.File
		p := startProc(t, cmd, func() (err error) {
			tty, err = pty.StartWithSize(cmd, &pty.Winsize{Rows: 24, Cols: 100})
			return err
		})
		defer tty.Close()
		var screen syncbuffer.Buffer
		copied := make(chan struct{})
		go func() { io.Copy(&screen, tty); close(copied) }()
		eventually(t, within, "the console live", func() bool { return strings.Contains(ansi.Strip(screen.String()), "live") })
		noPIN(t, "the argv of the console", cmdline(t, cmd.Process.Pid))
		id := sim.Ring(did, "13125550199", nil)
		before := sim.Stats().Streams
		sim.InjectError(did, skysim.ErrCodeUnsubscribed, "")
		sim.DropConnections(did)
		eventually(t, within, "the console back", func() bool { return sim.Stats().Streams > before && sim.Stats().Subscribers[did] >= 1 })
		eventually(t, within, "the console showing the call", func() bool { return strings.Contains(ansi.Strip(screen.String()), "555-0199") })
		_ = id
		if _, err := tty.Write([]byte("q")); err != nil {
			t.Fatal(err)
		}
		// A caller is ringing: the console asks before it quits.
		eventually(t, within, "the quit question", func() bool { return strings.Contains(ansi.Strip(screen.String()), "quit anyway?") })
		if _, err := tty.Write([]byte("y")); err != nil {
			t.Fatal(err)
		}
		if err := p.wait(t); err != nil {
			t.Errorf("the console: %v", err)
		}
		tty.Close()
		<-copied
		noPIN(t, "the console's terminal output", screen.String())
		logText, err := os.ReadFile(logFile)
		if err != nil {
			t.Fatal(err)
		}
		if len(logText) == 0 {
			t.Error("the console wrote no log")
		}
		noPIN(t, "the log file", string(logText))
	})
}
