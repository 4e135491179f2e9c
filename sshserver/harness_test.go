package sshserver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/transport"
)

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	s, _ := newKey(t)
	return s
}

func newKey(t testing.TB) (gossh.Signer, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, priv
}

// harness is a real server on 127.0.0.1:0 with a hub whose upstreams come
// from open.
type harness struct {
	t        testing.TB
	srv      *Server
	hub      *hub.Hub
	addr     string
	dir      string
	log      *syncbuffer.Buffer
	keys     map[string]gossh.Signer // authorized, by name
	privs    map[string]ed25519.PrivateKey
	stranger gossh.Signer // not authorized
	accounts map[string]transport.Account
	defAcct  *transport.Account
	stamp    time.Time // the last mtime writeKeys set
	mu       sync.Mutex
}

type harnessOptions struct {
	open        hub.Opener
	grace       time.Duration
	maxSessions int
	perKey      int
	perAccount  int
	idle        time.Duration
	noSession   time.Duration
	keyNames    []string
	// accountsChanged is the server's AccountsChanged hook.
	accountsChanged func(force bool) bool
}

func newHarness(t testing.TB, o harnessOptions, console func(Session) tea.Model) *harness {
	t.Helper()
	dir := t.TempDir()
	h := &harness{t: t, dir: dir, stamp: time.Now(), log: &syncbuffer.Buffer{}, keys: map[string]gossh.Signer{}, privs: map[string]ed25519.PrivateKey{}, accounts: map[string]transport.Account{}}
	h.stranger = newSigner(t)
	var authorized []byte
	names := o.keyNames
	if len(names) == 0 {
		names = []string{"alice", "bob", "carol"}
	}
	for _, n := range names {
		s, priv := newKey(t)
		h.keys[n], h.privs[n] = s, priv
		line := bytes.TrimSpace(gossh.MarshalAuthorizedKey(s.PublicKey()))
		authorized = append(authorized, line...)
		authorized = append(authorized, " "+n+"@desk\n"...)
	}
	akPath := filepath.Join(dir, "config", "authorized_keys")
	if err := os.MkdirAll(filepath.Dir(akPath), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(akPath, authorized, 0o600); err != nil {
		t.Fatal(err)
	}
	logger := log.NewWithOptions(h.log, log.Options{Level: log.DebugLevel})
	grace := o.grace
	if grace == 0 {
		grace = time.Minute
	}
	h.hub = hub.New(o.open, grace, logger)
	srv, err := New(Config{
		Addr:                  "127.0.0.1:0",
		HostKeyPath:           filepath.Join(dir, "state", "frontdesk", "ssh_host_ed25519"),
		AuthorizedKeysPath:    akPath,
		Accounts:              h.resolve,
		Hub:                   h.hub,
		NewConsole:            console,
		MaxSessions:           o.maxSessions,
		MaxSessionsPerKey:     o.perKey,
		MaxSessionsPerAccount: o.perAccount,
		IdleTimeout:           o.idle,
		NoSessionTimeout:      o.noSession,
		CheckInterval:         20 * time.Millisecond,
		AccountsChanged:       o.accountsChanged,
		Logger:                logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.srv = srv
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-served
		if err := h.hub.Shutdown(ctx); err != nil {
			t.Errorf("hub shutdown: %v", err)
		}
		if strings.Contains(h.log.String(), "panic") {
			t.Errorf("server log mentions a panic:\n%s", h.log.String())
		}
	})
	return h
}

// keyLine is name's public key as an authorized_keys line (no options,
// no comment).
func (h *harness) keyLine(name string) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(h.keys[name].PublicKey())))
}

// writeKeys replaces authorized_keys with lines, with a later mtime so the
// server sees the change even on a coarse clock.
func (h *harness) writeKeys(lines ...string) {
	h.t.Helper()
	path := h.srv.cfg.AuthorizedKeysPath
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.mu.Lock()
	h.stamp = h.stamp.Add(2 * time.Second)
	later := h.stamp
	h.mu.Unlock()
	if err := os.Chtimes(path, later, later); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) mapKey(name string, acct transport.Account) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.accounts[string(h.keys[name].PublicKey().Marshal())] = acct
}

func (h *harness) setDefault(acct *transport.Account) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.defAcct = acct
}

func (h *harness) resolve(key gossh.PublicKey) ([]Line, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if a, ok := h.accounts[string(key.Marshal())]; ok {
		if a.User == "" {
			return nil, errors.New("account \"front\": PIN file /etc/frontdesk/front.pin: permission denied")
		}
		return []Line{{Account: a}}, nil
	}
	if h.defAcct != nil {
		return []Line{{Account: *h.defAcct}}, nil
	}
	return nil, ErrNoAccount
}

func (h *harness) clientConfig(auth ...gossh.AuthMethod) *gossh.ClientConfig {
	return &gossh.ClientConfig{
		User:            "reception",
		Auth:            auth,
		HostKeyCallback: gossh.FixedHostKey(h.srv.HostKey()),
		Timeout:         5 * time.Second,
	}
}

func (h *harness) dial(signer gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", h.addr, h.clientConfig(gossh.PublicKeys(signer)))
}

// term is one interactive SSH session with a PTY.
type term struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	in     interface{ Write([]byte) (int, error) }
	out    *syncbuffer.Buffer
	errOut *syncbuffer.Buffer
	done   chan error
}

// open logs in with the named key and starts a console in a w×h terminal.
func (h *harness) open(name string, w, hgt int, env ...string) *term {
	h.t.Helper()
	c, err := h.dial(h.keys[name])
	if err != nil {
		h.t.Fatalf("dial as %s: %v", name, err)
	}
	tm, err := startTerm(h.t, c, w, hgt, env...)
	if err != nil {
		c.Close()
		h.t.Fatal(err)
	}
	h.t.Cleanup(tm.close)
	return tm
}

func startTerm(t testing.TB, c *gossh.Client, w, hgt int, env ...string) (*term, error) {
	sess, err := c.NewSession()
	if err != nil {
		return nil, err
	}
	for i := 0; i+1 < len(env); i += 2 {
		if err := sess.Setenv(env[i], env[i+1]); err != nil {
			return nil, fmt.Errorf("setenv: %w", err)
		}
	}
	tm := &term{t: t, client: c, sess: sess, out: &syncbuffer.Buffer{}, errOut: &syncbuffer.Buffer{}, done: make(chan error, 1)}
	sess.Stdout = tm.out
	sess.Stderr = tm.errOut
	in, err := sess.StdinPipe()
	if err != nil {
		return nil, err
	}
	tm.in = in
	if err := sess.RequestPty("xterm-256color", hgt, w, gossh.TerminalModes{}); err != nil {
		return nil, fmt.Errorf("pty: %w", err)
	}
	if err := sess.Shell(); err != nil {
		return nil, fmt.Errorf("shell: %w", err)
	}
	go func() { tm.done <- sess.Wait() }()
	return tm, nil
}

func (tm *term) close() {
	tm.sess.Close()
	tm.client.Close()
}

func (tm *term) send(s string) {
	tm.t.Helper()
	if _, err := tm.in.Write([]byte(s)); err != nil {
		tm.t.Fatalf("send %q: %v", s, err)
	}
}

// screen is everything the terminal was sent, without escape sequences.
func (tm *term) screen() string { return ansi.Strip(tm.out.String()) }

// waitFor polls the terminal output until it contains want.
func (tm *term) waitFor(want string) {
	tm.t.Helper()
	waitUntil(tm.t, fmt.Sprintf("terminal to show %q", want), func() bool {
		return strings.Contains(tm.screen(), want)
	}, func() string { return tm.screen() })
}

// wait returns the session's exit error, or fails after a deadline.
func (tm *term) wait() error {
	tm.t.Helper()
	select {
	case err := <-tm.done:
		return err
	case <-time.After(10 * time.Second):
		tm.t.Fatalf("session did not end; output:\n%s", tm.screen())
	}
	return nil
}

func exitStatus(err error) int {
	var ee *gossh.ExitError
	if errors.As(err, &ee) {
		return ee.ExitStatus()
	}
	if err == nil {
		return 0
	}
	return -1
}

func waitUntil(t testing.TB, what string, cond func() bool, show func() string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			extra := ""
			if show != nil {
				extra = "\n" + show()
			}
			t.Fatalf("timed out waiting for %s%s", what, extra)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
