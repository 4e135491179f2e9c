package sshserver

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
	"github.com/frontdesk/frontdesk/tui"
)

const (
	did  = "6465551000"
	did2 = "6465552000"
	pin  = "4321"
)

// sim runs a simulator for two DIDs on loopback.
func sim(t testing.TB) (*skysim.Server, transport.Account, transport.Account) {
	t.Helper()
	s := skysim.New(skysim.Config{
		Accounts:         []skysim.Account{{DID: did, PIN: pin}, {DID: did2, PIN: pin}},
		DialConnectDelay: -1,
	})
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, transport.Account{Server: url, User: did, PIN: pin}, transport.Account{Server: url, User: did2, PIN: pin}
}

func openStream(acct transport.Account) (hub.Upstream, error) {
	return transport.NewStream(acct, transport.WithBackoff(10*time.Millisecond, 100*time.Millisecond))
}

// realConsole is the frontdesk console, as `frontdesk serve` builds it.
func realConsole(s Session) tea.Model {
	lines := make([]tui.Line, len(s.Lines))
	for i, l := range s.Lines {
		lines[i] = tui.Line{Name: l.Name, DID: l.Account.User, Naming: l.Naming, Phone: l.Phone}
		if lines[i].Label == "" {
			lines[i].Label = l.Account.User
		}
	}
	return tui.New(tui.Options{Lines: lines, Logger: s.Logger})
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestConsoleOverSSH(t *testing.T) {
	s, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream}, realConsole)
	h.mapKey("alice", acct)

	tm := h.open("alice", 100, 30)
	tm.waitFor(did)
	id := s.Ring(did, "6465550199", nil)
	tm.waitFor("555-0199")

	tm.send("a")
	ctx := ctxT(t)
	if err := s.WaitFor(ctx, func(st skysim.Stats) bool {
		for _, r := range st.Log {
			if r.Name == transport.CmdAnswer && len(r.Args) > 0 && r.Args[0] == id {
				return true
			}
		}
		return false
	}); err != nil {
		t.Fatalf("no answer for call %s reached the simulator: %v\n%s", id, err, tm.screen())
	}
	if err := s.WaitCalls(ctx, did, func(cs []transport.Call) bool { return len(cs) == 1 && cs[0].State == "CONNECTED" }); err != nil {
		t.Fatal(err)
	}

	// q asks first with a caller connected; y quits the console and ends
	// the session cleanly.
	tm.send("q")
	tm.waitFor("quit anyway? y/N")
	tm.send("y")
	if err := tm.wait(); err != nil {
		t.Fatalf("session ended with %v", err)
	}
	waitUntil(t, "the session log", func() bool {
		return strings.Contains(h.log.String(), "session ended")
	}, h.log.String)
	logText := h.log.String()
	fp := gossh.FingerprintSHA256(h.keys["alice"].PublicKey())
	for _, want := range []string{"session started", fp, did, "127.0.0.1"} {
		if !strings.Contains(logText, want) {
			t.Errorf("server log lacks %q:\n%s", want, logText)
		}
	}
	if strings.Contains(logText, pin) {
		t.Errorf("server log contains the PIN:\n%s", logText)
	}
}

func TestRefusals(t *testing.T) {
	_, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream}, realConsole)
	h.mapKey("alice", acct)

	// A key that is not in authorized_keys.
	if c, err := h.dial(h.stranger); err == nil {
		c.Close()
		t.Fatal("unknown key was let in")
	}
	// A password, and keyboard-interactive: neither is offered.
	if c, err := gossh.Dial("tcp", h.addr, h.clientConfig(gossh.Password(pin))); err == nil {
		c.Close()
		t.Fatal("password login was let in")
	} else if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("password login: %v", err)
	}
	ki := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
		t.Error("server asked a keyboard-interactive question")
		return nil, nil
	})
	if c, err := gossh.Dial("tcp", h.addr, h.clientConfig(ki)); err == nil {
		c.Close()
		t.Fatal("keyboard-interactive login was let in")
	}

	// An authorized key with no PTY gets one line and exit status 1.
	c, err := h.dial(h.keys["alice"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("")
	if exitStatus(err) != 1 || !strings.Contains(string(out), "needs a terminal") || strings.Count(strings.TrimSpace(string(out)), "\n") != 0 {
		t.Fatalf("no-PTY session: status %d, output %q", exitStatus(err), out)
	}

	// An authorized key with no account, and no default account.
	c2, err := h.dial(h.keys["bob"])
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	tm, err := startTerm(t, c2, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	if st := exitStatus(tm.wait()); st != 1 {
		t.Fatalf("unmapped key: exit status %d", st)
	}
	if !strings.Contains(tm.errOut.String(), "not mapped to a phone account") {
		t.Fatalf("unmapped key told %q", tm.errOut.String())
	}
	waitUntil(t, "refusal in the log", func() bool {
		return strings.Contains(h.log.String(), "session refused")
	}, h.log.String)

	// An account that fails to load: the client is not told server paths.
	h.mapKey("carol", transport.Account{})
	c3, err := h.dial(h.keys["carol"])
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	tm3, err := startTerm(t, c3, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	if st := exitStatus(tm3.wait()); st != 1 || strings.Contains(tm3.errOut.String(), "/etc/") || !strings.Contains(tm3.errOut.String(), "could not load") {
		t.Fatalf("failed account: status %d, told %q", st, tm3.errOut.String())
	}
	waitUntil(t, "the reason in the log", func() bool {
		return strings.Contains(h.log.String(), "front.pin")
	}, h.log.String)

	// With a default account, the same key gets a console.
	h.setDefault(&acct)
	tm2 := h.open("bob", 80, 24)
	tm2.waitFor(did)
}

// Two sessions on one DID share one subscription; both see a new call; a
// third makes no listCalls; the last leaving closes the upstream after the
// grace period.
func TestSessionsShareUpstream(t *testing.T) {
	s, acct, acct2 := sim(t)
	const grace = 200 * time.Millisecond
	h := newHarness(t, harnessOptions{open: openStream, grace: grace}, realConsole)
	h.mapKey("alice", acct)
	h.mapKey("bob", acct)
	h.mapKey("carol", acct2)

	a := h.open("alice", 100, 30)
	b := h.open("bob", 100, 30)
	a.waitFor(did)
	b.waitFor(did)
	if err := s.WaitSubscribed(ctxT(t), did, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.WaitFor(ctxT(t), func(st skysim.Stats) bool { return st.ListCalls == 1 }); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Subscribes != 1 || st.Streams != 1 {
		t.Fatalf("two sessions: subscribes=%d streams=%d, want 1, 1", st.Subscribes, st.Streams)
	}

	s.Ring(did, "2125550143", nil)
	a.waitFor("555-0143")
	b.waitFor("555-0143")

	// A third console on the same DID gets the call from the hub.
	c := h.open("alice", 100, 30)
	c.waitFor("555-0143")
	if st := s.Stats(); st.ListCalls != 1 || st.Subscribes != 1 {
		t.Fatalf("third session: listCalls=%d subscribes=%d, want 1, 1", st.ListCalls, st.Subscribes)
	}

	// A session on another DID has its own.
	d := h.open("carol", 100, 30)
	d.waitFor(did2)
	if err := s.WaitSubscribed(ctxT(t), did2, 1); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.screen(), "555-0143") {
		t.Fatal("another DID's console shows the call")
	}

	for _, tm := range []*term{a, b} {
		tm.send("q")
		tm.waitFor("quit anyway? y/N") // a caller is ringing
		tm.send("y")
		tm.wait()
	}
	d.send("q")
	d.wait()
	if st := s.Stats(); st.Subscribers[did] != 1 {
		t.Fatalf("subscribers while a console remains = %d", st.Subscribers[did])
	}
	c.send("q")
	c.waitFor("quit anyway? y/N")
	// The last session leaves after this key: the grace is timed from here.
	left := time.Now()
	c.send("y")
	c.wait()
	if err := s.WaitFor(ctxT(t), func(st skysim.Stats) bool { return st.Subscribers[did] == 0 }); err != nil {
		t.Fatal(err)
	}
	if gone := time.Since(left); gone < grace {
		t.Fatalf("upstream closed %v after the last session, before the %v grace", gone, grace)
	}
}

func TestShutdownSaysGoodbye(t *testing.T) {
	_, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream}, realConsole)
	h.mapKey("alice", acct)
	tm := h.open("alice", 80, 24)
	tm.waitFor(did)

	ctx := ctxT(t)
	if err := h.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if st := exitStatus(tm.wait()); st != 0 {
		t.Fatalf("exit status %d", st)
	}
	out := tm.out.String()
	i := strings.LastIndex(out, "server is shutting down")
	if i < 0 {
		t.Fatalf("no goodbye:\n%q", out)
	}
	// The goodbye comes after the console gave the screen back.
	if j := strings.LastIndex(out, "\x1b[?1049l"); j < 0 || j > i {
		t.Fatalf("goodbye before the alternate screen was left:\n%q", out)
	}
	if _, err := h.dial(h.keys["alice"]); err == nil {
		t.Fatal("connected after shutdown")
	}
	if err := h.hub.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestMaxSessionsAndIdle(t *testing.T) {
	_, acct, _ := sim(t)
	const idle = 2 * time.Second
	h := newHarness(t, harnessOptions{open: openStream, maxSessions: 1, idle: idle}, realConsole)
	h.setDefault(&acct)

	// alice types a key every 50ms from the moment she logs in, however
	// long the rest takes on a busy machine: typing keeps her console up.
	a := h.open("alice", 80, 24)
	started := time.Now()
	stopTyping, typed := make(chan struct{}), make(chan error, 1)
	go func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopTyping:
				typed <- nil
				return
			case <-tick.C:
				if _, err := a.in.Write([]byte("j")); err != nil {
					typed <- err
					return
				}
			}
		}
	}()
	a.waitFor(did)

	// The server is full while alice's console is up.
	c, err := h.dial(h.keys["bob"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, err := startTerm(t, c, 80, 24)
	if err != nil {
		t.Fatal(err)
	}
	if st := exitStatus(b.wait()); st != 1 || !strings.Contains(b.errOut.String(), "server is full (1 console in use)") {
		t.Fatalf("second session: status %d, %q", st, b.errOut.String())
	}

	// Typing for longer than the idle timeout keeps it alive; then silence
	// ends it.
	<-time.After(time.Until(started.Add(idle + 500*time.Millisecond)))
	select {
	case err := <-a.done:
		t.Fatalf("session ended while typing: %v\n%s", err, a.screen())
	default:
	}
	close(stopTyping)
	if err := <-typed; err != nil {
		t.Fatalf("typing: %v", err)
	}
	a.wait()
	if !strings.Contains(a.screen(), "no keyboard input for 2s") {
		t.Fatalf("no idle goodbye:\n%s", a.screen())
	}
	waitUntil(t, "the slot to free", func() bool { return h.srv.Sessions() == 0 }, nil)
	h.open("bob", 80, 24).waitFor(did)
}

func TestClientEnvironmentAndSize(t *testing.T) {
	_, acct, _ := sim(t)
	got := make(chan Session, 1)
	h := newHarness(t, harnessOptions{open: openStream}, func(s Session) tea.Model {
		got <- s
		return realConsole(s)
	})
	h.setDefault(&acct)
	tm := h.open("alice", 120, 40, "NO_COLOR", "1")
	tm.waitFor(did)
	s := <-got
	if s.KeyComment != "alice@desk" {
		t.Errorf("key comment %q, want alice@desk (from authorized_keys)", s.KeyComment)
	}
	env := strings.Join(s.Environ, " ")
	if !strings.Contains(env, "NO_COLOR=1") || !strings.Contains(env, "TERM=xterm-256color") {
		t.Fatalf("console environment %q", env)
	}
	// NO_COLOR from the client: no colour escapes at all.
	n := tm.out.Len()
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a redraw after resize", func() bool { return tm.out.Len() > n }, nil)
	if hasColour(tm.out.String()) {
		t.Fatalf("colour escapes despite NO_COLOR:\n%q", tm.out.String())
	}
	// Without NO_COLOR, the same console is in colour.
	col := h.open("alice", 120, 40)
	col.waitFor(did)
	<-got
	waitUntil(t, "colour", func() bool { return hasColour(col.out.String()) }, nil)
}

// sgrRE matches Select Graphic Rendition sequences.
var sgrRE = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// hasColour reports whether any SGR sequence sets a foreground or
// background colour.
func hasColour(s string) bool {
	for _, m := range sgrRE.FindAllStringSubmatch(s, -1) {
		params := strings.Split(m[1], ";")
		for i := 0; i < len(params); i++ {
			p := strings.SplitN(params[i], ":", 2)[0]
			n, err := strconv.Atoi(p)
			if err != nil {
				continue
			}
			switch {
			case n >= 30 && n <= 38, n >= 40 && n <= 48, n >= 90 && n <= 97, n >= 100 && n <= 107:
				return true
			}
		}
	}
	return false
}

func TestHostKeyPersistsAndAuthorizedKeysReload(t *testing.T) {
	_, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream}, realConsole)
	h.setDefault(&acct)
	keyPath := filepath.Join(h.dir, "state", "frontdesk", "ssh_host_ed25519")
	st, err := os.Stat(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("host key mode %o", st.Mode().Perm())
	}
	if dst, _ := os.Stat(filepath.Dir(keyPath)); dst.Mode().Perm() != 0o700 {
		t.Fatalf("host key dir mode %o", dst.Mode().Perm())
	}
	// A second server on the same path has the same host key.
	again, err := New(Config{HostKeyPath: keyPath, AuthorizedKeysPath: h.srv.cfg.AuthorizedKeysPath,
		Accounts: h.resolve, Hub: h.hub, NewConsole: realConsole, Logger: h.srv.log})
	if err != nil {
		t.Fatal(err)
	}
	if string(again.HostKey().Marshal()) != string(h.srv.HostKey().Marshal()) {
		t.Fatal("host key changed between starts")
	}
	// A host key others can read is refused.
	os.Chmod(keyPath, 0o644)
	if _, err := New(Config{HostKeyPath: keyPath, AuthorizedKeysPath: h.srv.cfg.AuthorizedKeysPath,
		Accounts: h.resolve, Hub: h.hub, NewConsole: realConsole}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("world-readable host key: %v", err)
	}
	os.Chmod(keyPath, 0o600)

	// The stranger's key added to authorized_keys works without a restart;
	// alice removed is refused.
	ak := h.srv.cfg.AuthorizedKeysPath
	data, _ := os.ReadFile(ak)
	var kept []string
	alice := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(h.keys["alice"].PublicKey())))
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !strings.HasPrefix(line, alice) {
			kept = append(kept, line)
		}
	}
	kept = append(kept, "not a key line", strings.TrimSpace(string(gossh.MarshalAuthorizedKey(h.stranger.PublicKey()))))
	if err := os.WriteFile(ak, []byte(strings.Join(kept, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(2 * time.Second)
	os.Chtimes(ak, future, future) // a different mtime even on coarse clocks
	c, err := h.dial(h.stranger)
	if err != nil {
		t.Fatalf("added key refused: %v", err)
	}
	c.Close()
	if c, err := h.dial(h.keys["alice"]); err == nil {
		c.Close()
		t.Fatal("removed key still accepted")
	}
	if !strings.Contains(h.log.String(), "skipping a line") {
		t.Fatalf("bad line not logged:\n%s", h.log.String())
	}
}

// A Shutdown or Close that comes before Serve has got going (the process
// told to stop just as it starts) still stops it: Serve returns instead of
// accepting connections on a server that is gone.
func TestStopBeforeServe(t *testing.T) {
	for _, stop := range []string{"shutdown", "close"} {
		t.Run(stop, func(t *testing.T) {
			dir := t.TempDir()
			ak := filepath.Join(dir, "authorized_keys")
			if err := os.WriteFile(ak, gossh.MarshalAuthorizedKey(newSigner(t).PublicKey()), 0o600); err != nil {
				t.Fatal(err)
			}
			logger := log.New(&syncbuffer.Buffer{})
			srv, err := New(Config{HostKeyPath: filepath.Join(dir, "hk"), AuthorizedKeysPath: ak, Logger: logger,
				Accounts: func(gossh.PublicKey) ([]Line, error) { return nil, ErrNoAccount },
				Hub:      hub.New(openStream, time.Minute, logger), NewConsole: realConsole})
			if err != nil {
				t.Fatal(err)
			}
			if stop == "shutdown" {
				if err := srv.Shutdown(ctxT(t)); err != nil {
					t.Fatal(err)
				}
			} else if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(l) }()
			select {
			case err := <-served:
				if !errors.Is(err, ssh.ErrServerClosed) {
					t.Fatalf("Serve after %s: %v, want %v", stop, err, ssh.ErrServerClosed)
				}
			case <-time.After(10 * time.Second):
				l.Close()
				t.Fatalf("Serve after %s is still serving", stop)
			}
			if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
				c.Close()
				t.Fatalf("the listener still accepts connections after %s", stop)
			}
		})
	}
}
