package sshserver

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/internal/syncbuffer"
)

// sizeConsole shows the terminal size the program was given.
type sizeConsole struct{ w, h int }

func (m sizeConsole) Init() tea.Cmd { return nil }

func (m sizeConsole) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
	case tea.KeyPressMsg:
		if msg.String() == "q" {
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m sizeConsole) View() tea.View { return tea.NewView(fmt.Sprintf("size=%dx%d", m.w, m.h)) }

func TestTerminalSizeCapped(t *testing.T) {
	_, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream}, func(Session) tea.Model { return sizeConsole{} })
	h.setDefault(&acct)

	tm := h.open("alice", 10000, 10000)
	tm.waitFor(fmt.Sprintf("size=%dx%d", MaxWidth, MaxHeight))
	if err := tm.sess.WindowChange(9000, 300); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(fmt.Sprintf("size=300x%d", MaxHeight))
	if err := tm.sess.WindowChange(40, 1<<30); err != nil {
		t.Fatal(err)
	}
	tm.waitFor(fmt.Sprintf("size=%dx40", MaxWidth))
	if err := tm.sess.WindowChange(30, 100); err != nil {
		t.Fatal(err)
	}
	tm.waitFor("size=100x30")
}

// dialResult logs in as name and reports whether the key was accepted.
func (h *harness) accepted(name string) bool {
	c, err := h.dial(h.keys[name])
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func TestAuthorizedKeysOptions(t *testing.T) {
	_, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream}, realConsole)
	h.setDefault(&acct)
	alice := h.keyLine("alice")

	for _, tc := range []struct {
		name  string
		lines []string
		ok    bool
		log   string // what the server logs about the line or the refusal
	}{
		{"from this address", []string{`from="127.0.0.1" ` + alice}, true, ""},
		{"from another address", []string{`from="10.9.9.9" ` + alice}, false, "from= list does not include 127.0.0.1"},
		{"from a pattern", []string{`from="10.0.0.0/8,127.0.0.*" ` + alice}, true, ""},
		{"from a block", []string{`from="10.0.0.0/8,127.0.0.0/24" ` + alice}, true, ""},
		{"from a block, this address negated", []string{`from="127.0.0.0/8,!127.0.0.1" ` + alice}, false, "from= list does not include"},
		{"from a negated pattern alone", []string{`from="!10.*" ` + alice}, false, "from= list does not include"},
		{"from a bad block", []string{`from="127.0.0.0/99" ` + alice}, false, "is not an address block"},
		{"expired", []string{`expiry-time="20000101" ` + alice}, false, "expiry-time has passed"},
		{"not yet expired", []string{`expiry-time="29991231Z" ` + alice}, true, ""},
		{"bad expiry", []string{`expiry-time="2026" ` + alice}, false, "want YYYYMMDD"},
		{"forced command", []string{`command="/bin/date" ` + alice}, false, "command= forces a command"},
		{"certificate authority", []string{`cert-authority ` + alice}, false, "does not accept certificates"},
		{"unknown option", []string{`frobnicate ` + alice}, false, `unknown option`},
		{"forwarding options", []string{`no-port-forwarding,no-agent-forwarding,no-X11-forwarding ` + alice}, true, ""},
		{"second line lets in", []string{`from="10.9.9.9" ` + alice, alice}, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.log.String())
			h.writeKeys(tc.lines...)
			if got := h.accepted("alice"); got != tc.ok {
				t.Fatalf("accepted=%v, want %v; log:\n%s", got, tc.ok, h.log.String()[before:])
			}
			if tc.log != "" && !strings.Contains(h.log.String()[before:], tc.log) {
				t.Fatalf("log does not say %q:\n%s", tc.log, h.log.String()[before:])
			}
		})
	}

	// no-pty and restrict let the key log in but not open the console,
	// and the user is told why; restrict,pty gives the terminal back.
	for _, opts := range []string{"no-pty", "restrict"} {
		h.writeKeys(opts + " " + alice)
		c, err := h.dial(h.keys["alice"])
		if err != nil {
			t.Fatalf("%s: %v", opts, err)
		}
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err == nil {
			t.Fatalf("%s: terminal granted", opts)
		}
		out, err := sess.CombinedOutput("")
		if exitStatus(err) != 1 || !strings.Contains(string(out), "may not open a terminal (no-pty or restrict") {
			t.Fatalf("%s: status %d, output %q", opts, exitStatus(err), out)
		}
		c.Close()
	}
	h.writeKeys("restrict,pty " + alice)
	h.open("alice", 80, 24).waitFor(did)
}

func TestAuthorizedKeysFileChecks(t *testing.T) {
	_, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream}, realConsole)
	h.setDefault(&acct)
	path := h.srv.cfg.AuthorizedKeysPath
	dir := filepath.Dir(path)
	newServer := func() error {
		_, err := New(Config{HostKeyPath: filepath.Join(h.dir, "hk"), AuthorizedKeysPath: path,
			Accounts: h.resolve, Hub: h.hub, NewConsole: realConsole, Logger: h.srv.log})
		return err
	}

	// At start: a file or a folder others may write is refused.
	os.Chmod(path, 0o620)
	if err := newServer(); err == nil || !strings.Contains(err.Error(), "writable by group or others (mode 0620): run chmod go-w "+path) {
		t.Fatalf("group-writable file: %v", err)
	}
	os.Chmod(path, 0o600)
	os.Chmod(dir, 0o777)
	if err := newServer(); err == nil || !strings.Contains(err.Error(), "folder "+dir+" is writable by group or others") {
		t.Fatalf("world-writable folder: %v", err)
	}
	os.Chmod(dir, 0o700)
	fifo := filepath.Join(h.dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{HostKeyPath: filepath.Join(h.dir, "hk"), AuthorizedKeysPath: fifo,
		Accounts: h.resolve, Hub: h.hub, NewConsole: realConsole}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("FIFO: %v", err)
	}
	// A line longer than the reader takes is an error, not a silent stop.
	long := "ssh-ed25519 " + strings.Repeat("A", maxAuthorizedKeysLine+10)
	h.writeKeys(h.keyLine("bob"), long, h.keyLine("alice"))
	if err := newServer(); err == nil || !strings.Contains(err.Error(), "line 2 is longer than") {
		t.Fatalf("long line: %v", err)
	}

	// While serving: the file turning unsafe ends the open consoles, with
	// the reason in the log, until it is safe again.
	h.writeKeys(h.keyLine("alice"))
	tm := h.open("alice", 80, 24)
	tm.waitFor(did)
	os.Chmod(path, 0o666)
	tm.wait()
	if !strings.Contains(tm.screen(), "your key is no longer allowed in: the server's authorized_keys file is unusable (its log says why). Goodbye.") {
		t.Fatalf("no goodbye:\n%s", tm.screen())
	}
	if !strings.Contains(h.log.String(), "refusing all logins") || !strings.Contains(h.log.String(), "writable by group or others (mode 0666)") {
		t.Fatalf("log:\n%s", h.log.String())
	}
	if h.accepted("alice") {
		t.Fatal("logged in with an unsafe authorized_keys")
	}
	os.Chmod(path, 0o600)
	if !h.accepted("alice") {
		t.Fatal("refused once the file was safe again")
	}
	// The long line while serving: logged, and nobody gets in.
	h.writeKeys(h.keyLine("alice"), long)
	if h.accepted("alice") {
		t.Fatal("logged in although the file could not be read to the end")
	}
	if !strings.Contains(h.log.String(), "line 2 is longer than") {
		t.Fatalf("long line not logged:\n%s", h.log.String())
	}
}

func TestRevokedKeysConsolesEnd(t *testing.T) {
	_, acct, acct2 := sim(t)
	var accountsChanged, forced atomic.Bool
	h := newHarness(t, harnessOptions{open: openStream, accountsChanged: func(force bool) bool {
		if force {
			forced.Store(true)
		}
		return accountsChanged.Swap(false) || force
	}}, realConsole)
	h.mapKey("alice", acct)
	h.mapKey("bob", acct)
	h.mapKey("carol", acct)

	a := h.open("alice", 80, 24)
	b := h.open("bob", 80, 24)
	c := h.open("carol", 80, 24)
	a.waitFor(did)
	b.waitFor(did)
	c.waitFor(did)

	// alice leaves authorized_keys: her console ends with a goodbye; the
	// others carry on.
	h.writeKeys(h.keyLine("bob"), h.keyLine("carol"))
	if st := exitStatus(a.wait()); st != 0 {
		t.Fatalf("alice's exit status %d", st)
	}
	if !strings.Contains(a.screen(), "frontdesk: your key was removed from this server. Goodbye.") {
		t.Fatalf("alice's goodbye:\n%s", a.screen())
	}
	// bob's key moves to another account in the settings.
	h.mapKey("bob", acct2)
	accountsChanged.Store(true)
	b.wait()
	if !strings.Contains(b.screen(), "your key no longer works phone account "+did+". Goodbye.") {
		t.Fatalf("bob's goodbye:\n%s", b.screen())
	}
	// A reload (SIGHUP) re-reads with force; carol, unchanged, stays.
	h.srv.Reload()
	if !forced.Load() {
		t.Fatal("Reload did not force the accounts to be read again")
	}
	select {
	case err := <-c.done:
		t.Fatalf("carol's console ended: %v\n%s", err, c.screen())
	default:
	}
	c.send("?")
	c.waitFor("previous view")
	if n := strings.Count(h.log.String(), "ending the console of a revoked key"); n != 2 {
		t.Fatalf("%d revocations logged:\n%s", n, h.log.String())
	}
}

func TestSessionLimitsPerKeyAndAccount(t *testing.T) {
	_, acct, acct2 := sim(t)
	h := newHarness(t, harnessOptions{open: openStream, perKey: 1, perAccount: 2}, realConsole)
	h.mapKey("alice", acct)
	h.mapKey("bob", acct)
	h.mapKey("carol", acct)

	refused := func(name, want string) {
		t.Helper()
		c, err := h.dial(h.keys[name])
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		tm, err := startTerm(t, c, 80, 24)
		if err != nil {
			t.Fatal(err)
		}
		if st := exitStatus(tm.wait()); st != 1 || !strings.Contains(tm.errOut.String(), want) {
			t.Fatalf("%s: status %d, told %q", name, st, tm.errOut.String())
		}
	}
	a := h.open("alice", 80, 24)
	a.waitFor(did)
	refused("alice", "this key already has 1 console open, its limit")
	h.open("bob", 80, 24).waitFor(did)
	refused("carol", "phone account "+did+" already has 2 consoles open, its limit")
	// Another account is not held back by the first one's limit.
	h.mapKey("carol", acct2)
	h.open("carol", 80, 24).waitFor(did2)
	// A slot freed is a slot to use.
	a.send("q")
	a.wait()
	waitUntil(t, "alice's slot to free", func() bool { return h.srv.Sessions() == 2 }, nil)
	h.open("alice", 80, 24).waitFor(did)
}

func TestConnectionWithoutSessionIsClosed(t *testing.T) {
	_, acct, _ := sim(t)
	h := newHarness(t, harnessOptions{open: openStream, noSession: 2 * time.Second}, realConsole)
	h.setDefault(&acct)

	tm := h.open("alice", 80, 24)
	tm.waitFor(did)
	idle, err := h.dial(h.keys["bob"])
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	closed := make(chan error, 1)
	go func() { closed <- idle.Wait() }()
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatal("a connection without a session stayed open")
	}
	if !strings.Contains(h.log.String(), "closing a connection with no session open") {
		t.Fatalf("log:\n%s", h.log.String())
	}
	// The console's connection, open all along, still works.
	tm.send("?")
	tm.waitFor("previous view")
}

func TestForwardingRefusedAndClientFieldsCleaned(t *testing.T) {
	_, acct, _ := sim(t)
	got := make(chan Session, 1)
	h := newHarness(t, harnessOptions{open: openStream}, func(s Session) tea.Model {
		got <- s
		return realConsole(s)
	})
	h.setDefault(&acct)

	cfg := h.clientConfig(gossh.PublicKeys(h.keys["alice"]))
	cfg.User = "front\ndesk level=ERROR msg=\"forged\"\x1b[31m"
	c, err := gossh.Dial("tcp", h.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range []string{"auth-agent-req@openssh.com", "x11-req"} {
		ok, err := sess.SendRequest(req, true, nil)
		if err != nil || ok {
			t.Fatalf("%s: granted=%v err=%v", req, ok, err)
		}
	}
	out := &syncbuffer.Buffer{}
	sess.Stdout = out
	if err := sess.RequestPty("xterm\r\nfake line\x07", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	s := <-got
	if s.User != `front desk level=ERROR msg="forged"` {
		t.Fatalf("session user %q", s.User)
	}
	waitUntil(t, "the session log", func() bool { return strings.Contains(h.log.String(), "session started") }, h.log.String)
	logText := h.log.String()
	for _, bad := range []string{"\ndesk", "\x1b[31m", "\r\nfake", "\x07"} {
		if strings.Contains(logText, bad) {
			t.Fatalf("log carries the client's %q:\n%s", bad, logText)
		}
	}
	if !strings.Contains(logText, "forwarding refused") || !strings.Contains(logText, "request=x11-req") {
		t.Fatalf("refusals not logged:\n%s", logText)
	}
}

func TestFromPatterns(t *testing.T) {
	for _, tc := range []struct {
		from string
		ip   string
		ok   bool
	}{
		{"192.168.1.*", "192.168.1.40", true},
		{"192.168.1.*", "192.168.10.4", false},
		{"192.168.1.?", "192.168.1.4", true},
		{"192.168.1.?", "192.168.1.40", false},
		{"*", "2001:db8::1", true},
		{"2001:db8::/32", "2001:db8::1", true},
		{"2001:db8::/32,!2001:db8::1", "2001:db8::1", false},
		{"!192.168.1.4,192.168.1.0/24", "192.168.1.4", false},
		{"!192.168.1.4,192.168.1.0/24", "192.168.1.5", true},
		{"10.0.0.0/8", "::ffff:10.1.2.3", true},
		{"desk.example.com", "10.1.2.3", false},
	} {
		patterns, err := parseFrom(tc.from)
		if err != nil {
			t.Fatalf("%s: %v", tc.from, err)
		}
		if got := fromAllows(patterns, netip.MustParseAddr(tc.ip).Unmap()); got != tc.ok {
			t.Errorf("from=%q, %s: %v, want %v", tc.from, tc.ip, got, tc.ok)
		}
	}
	for _, bad := range []string{"", "10.0.0.0/33", "!", "a,,b"} {
		if _, err := parseFrom(bad); err == nil {
			t.Errorf("from=%q accepted", bad)
		}
	}
}

func TestExpiryTime(t *testing.T) {
	e, err := parseKeyOptions([]string{`expiry-time="202612312359Z"`})
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC); !e.expires.Equal(want) {
		t.Fatalf("expires %v, want %v", e.expires, want)
	}
	if why := e.permits(netip.MustParseAddr("127.0.0.1"), e.expires.Add(-time.Second)); why != "" {
		t.Fatalf("a second before: %s", why)
	}
	if why := e.permits(netip.MustParseAddr("127.0.0.1"), e.expires); why == "" {
		t.Fatal("admitted at the expiry time")
	}
	local, err := parseKeyOptions([]string{`expiry-time="20261231235901"`})
	if err != nil || local.expires.Location() != time.Local || local.expires.Second() != 1 {
		t.Fatalf("local expiry %v, %v", local.expires, err)
	}
}
