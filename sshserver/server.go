// Package sshserver serves the frontdesk console over SSH: every SSH session
// gets its own console, and the consoles on one phone account share one
// upstream connection through a hub. Logins are by public key only, checked
// against an authorized_keys file; each key maps to a phone account.
package sshserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
	rm "charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// DefaultAddr is where `frontdesk serve` listens unless told otherwise.
const DefaultAddr = ":2222"

// DefaultCheckInterval is how often a server checks its keys for
// revocation unless told otherwise.
const DefaultCheckInterval = time.Second

// AccountResolver maps the key a client logged in with to the phone
// accounts its console works: one, or several in one console. An error
// refuses the session; its text is shown to the client and logged, so it
// must not carry a PIN.
type AccountResolver func(key gossh.PublicKey) ([]Line, error)

// Line is one phone account a key opens, and what the console calls it.
type Line struct {
	// Name is the account's name in the settings.
	Name string
	model.Naming
	Account transport.Account
}

// SessionLine is one of a session's lines with its handle on the
// account's shared upstream.
type SessionLine struct {
	Line
	Phone *hub.Client
}

// ErrNoAccount is what a resolver returns for a key with no account of its
// own when there is no default account either.
var ErrNoAccount = errors.New("this key is not mapped to a phone account and the server has no default account")

// Session is what a console needs to know about the SSH session it runs in.
type Session struct {
	// Lines are the session's phone accounts, in the order the resolver
	// gave them (the DID of each is Account.User).
	Lines []SessionLine
	// Fingerprint is the SHA256 fingerprint of the client's key.
	Fingerprint string
	// User is the SSH user name the client gave (not checked: keys decide),
	// cleaned of control characters.
	User string
	// KeyComment is the comment of the client's key in authorized_keys
	// (usually user@host), cleaned; "" when it has none.
	KeyComment string
	// Remote is the client's address.
	Remote net.Addr
	// Environ is the client's environment as sent over SSH, with TERM.
	Environ []string
	// Logger is the server logger with this session's fields attached.
	Logger *log.Logger
	// Context ends when the session does.
	Context context.Context
}

// Config configures a Server.
type Config struct {
	// Addr to listen on (DefaultAddr when empty).
	Addr string
	// HostKeyPath is the server's private key, generated on first start.
	HostKeyPath string
	// AuthorizedKeysPath lists the client keys allowed to log in.
	AuthorizedKeysPath string
	// Accounts maps a key to its account. Required.
	Accounts AccountResolver
	// Hub shares upstreams among consoles. Required; the caller shuts it
	// down after the server.
	Hub *hub.Hub
	// NewConsole builds the console model for a session. Required.
	NewConsole func(Session) tea.Model
	// MaxSessions caps concurrent consoles; 0 means no cap.
	MaxSessions int
	// MaxSessionsPerKey caps one key's concurrent consoles, so one user
	// cannot take every slot; 0 means no cap.
	MaxSessionsPerKey int
	// MaxSessionsPerAccount caps one phone account's concurrent consoles;
	// 0 means no cap.
	MaxSessionsPerAccount int
	// NoSessionTimeout closes a connection that has no session open for
	// this long: one that logged in and opened nothing, or stayed after its
	// last console; 0 means never.
	NoSessionTimeout time.Duration
	// CheckInterval is how often the server looks for a changed
	// authorized_keys file and asks AccountsChanged, ending the consoles
	// of keys that lost their access (DefaultCheckInterval when 0).
	CheckInterval time.Duration
	// AccountsChanged, when set, re-reads the key-to-account settings if
	// they changed (always, with force) and reports whether they did; the
	// open consoles' keys are then resolved again.
	AccountsChanged func(force bool) bool
	// IdleTimeout closes a console that has had no keyboard input for this
	// long; 0 means never. (Connection-level idleness would never trigger:
	// the console redraws its timers every second.)
	IdleTimeout time.Duration
	// Logger is the server log; nil logs to stderr.
	Logger *log.Logger
}

// Server is the SSH console server.
type Server struct {
	cfg     Config
	log     *log.Logger
	srv     *ssh.Server
	keys    *authorizedKeys
	hostKey gossh.PublicKey

	mu        sync.Mutex
	sessions  map[ssh.Session]*console // every session past the logging middleware
	active    int                      // consoles counted against MaxSessions
	byKey     map[string]int           // consoles per key fingerprint
	byAccount map[string]int           // consoles per account DID
	closing   bool
	drained   chan struct{}  // closed when closing and no sessions remain
	stop      chan struct{}  // closed to end the revocation watch
	listeners []net.Listener // what Serve was given, for Shutdown and Close
}

// New checks the configuration, loads (or creates) the host key and reads the
// authorized keys. It does not listen yet.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.Accounts == nil:
		return nil, errors.New("sshserver: no account resolver")
	case cfg.Hub == nil:
		return nil, errors.New("sshserver: no hub")
	case cfg.NewConsole == nil:
		return nil, errors.New("sshserver: no console")
	case cfg.HostKeyPath == "":
		return nil, errors.New("sshserver: no host key path")
	case cfg.AuthorizedKeysPath == "":
		return nil, errors.New("sshserver: no authorized keys path")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = log.New(os.Stderr)
	}
	if cfg.CheckInterval <= 0 {
		cfg.CheckInterval = DefaultCheckInterval
	}
	s := &Server{
		cfg:       cfg,
		log:       cfg.Logger,
		sessions:  map[ssh.Session]*console{},
		byKey:     map[string]int{},
		byAccount: map[string]int{},
		drained:   make(chan struct{}),
		stop:      make(chan struct{}),
	}

	signer, created, err := loadHostKey(cfg.HostKeyPath)
	if err != nil {
		return nil, err
	}
	s.hostKey = signer.PublicKey()
	if created {
		s.log.Info("generated a new host key", "path", cfg.HostKeyPath, "fingerprint", gossh.FingerprintSHA256(s.hostKey))
	}
	if s.keys, err = newAuthorizedKeys(cfg.AuthorizedKeysPath, s.log); err != nil {
		return nil, err
	}

	// The last middleware listed runs first: recover is outermost, then the
	// session log, then the terminal check, then the console itself.
	s.srv, err = wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithVersion("frontdesk"),
		ssh.PublicKeyAuth(s.publicKeyAllowed),
		func(srv *ssh.Server) error {
			srv.AddHostKey(signer)
			srv.HandshakeTimeout = 30 * time.Second
			srv.ConnectionFailedCallback = s.connectionFailed
			srv.ConnCallback = s.watchConn
			srv.ChannelHandlers = map[string]ssh.ChannelHandler{"session": s.sessionChannel}
			return nil
		},
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program),
			s.consoleMiddleware,
			s.requireTerminal,
			s.logMiddleware,
			rm.MiddlewareWithLogger(s.log.StandardLog(log.StandardLogOptions{ForceLevel: log.ErrorLevel})),
		),
	)
	if err != nil {
		return nil, fmt.Errorf("sshserver: %w", err)
	}
	return s, nil
}

// HostKey is the server's public host key, for known_hosts.
func (s *Server) HostKey() gossh.PublicKey { return s.hostKey }

// ListenAndServe listens on the configured address and serves until
// Shutdown or Close, then returns ssh.ErrServerClosed.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve serves on l until Shutdown or Close, then returns
// ssh.ErrServerClosed (at once if they came first).
func (s *Server) Serve(l net.Listener) error {
	// charm.land/ssh's Serve does not look whether the server was shut down
	// before it starts accepting: a Shutdown that came first would leave it
	// accepting for ever. So the listener is checked in here, under the lock
	// Shutdown and Close take to close it.
	s.mu.Lock()
	if s.stopped() {
		s.mu.Unlock()
		_ = l.Close()
		return ssh.ErrServerClosed
	}
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	s.log.Info("listening", "addr", l.Addr().String(), "host-key", gossh.FingerprintSHA256(s.hostKey),
		"authorized-keys", s.cfg.AuthorizedKeysPath, "max-sessions", s.cfg.MaxSessions,
		"max-sessions-per-key", s.cfg.MaxSessionsPerKey, "max-sessions-per-account", s.cfg.MaxSessionsPerAccount,
		"idle-timeout", s.cfg.IdleTimeout, "no-session-timeout", s.cfg.NoSessionTimeout)
	go s.watchKeys()
	err := s.srv.Serve(l)
	if s.stopped() {
		return ssh.ErrServerClosed
	}
	return err
}

// stopped reports whether Shutdown or Close was called.
func (s *Server) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

// stopLocked marks the server stopped and closes its listeners.
func (s *Server) stopLocked() {
	closeOnce(s.stop)
	for _, l := range s.listeners {
		_ = l.Close()
	}
	s.listeners = nil
}

// Sessions reports how many consoles are running.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active
}

// Shutdown stops accepting connections, tells every console the server is
// going away (each gets a goodbye line after its screen is restored), waits
// for them to end and closes the connections. If ctx ends first, the
// remaining connections are cut.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	s.stopLocked()
	open := make([]*console, 0, len(s.sessions))
	for _, c := range s.sessions {
		open = append(open, c)
	}
	if len(s.sessions) == 0 {
		closeOnce(s.drained)
	}
	s.mu.Unlock()
	s.log.Info("shutting down", "sessions", len(open))

	// Stop listening first so nobody new arrives while consoles close.
	shut := make(chan error, 1)
	go func() { shut <- s.srv.Shutdown(ctx) }()
	for _, c := range open {
		c.end("the server is shutting down")
	}
	var err error
	select {
	case <-s.drained:
	case <-ctx.Done():
		err = ctx.Err()
	}
	// Every console has ended. Clients normally hang up on their own once
	// their session closes; give them a moment, then cut the rest.
	var serr error
	wait := time.NewTimer(clientHangup)
	defer wait.Stop()
	select {
	case serr = <-shut:
		shut = nil
	case <-wait.C:
	case <-ctx.Done():
	}
	_ = s.srv.Close()
	if shut != nil {
		serr = <-shut
	}
	// The listeners are closed already (stopLocked): closing them again
	// inside the library is not a failure of the shutdown.
	if err == nil && serr != nil && !errors.Is(serr, context.Canceled) && !errors.Is(serr, context.DeadlineExceeded) && !errors.Is(serr, net.ErrClosed) {
		err = serr
	}
	return err
}

// clientHangup is how long Shutdown waits for clients to close their
// connections after their consoles ended.
const clientHangup = time.Second

// Close cuts every connection at once.
func (s *Server) Close() error {
	s.mu.Lock()
	s.stopLocked()
	s.mu.Unlock()
	if err := s.srv.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	return nil
}

func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// publicKeyAllowed is the only login method offered: password and
// keyboard-interactive handlers are not set, so the server does not offer
// them.
func (s *Server) publicKeyAllowed(ctx ssh.Context, key ssh.PublicKey) bool {
	_, why, ok := s.keys.authorize(key, ctx.RemoteAddr(), time.Now())
	switch {
	case ok:
		if w, _ := ctx.Value(connWatchKey).(*connWatch); w != nil {
			w.loggedIn()
		}
	case why != "":
		// A listed key whose options keep it out: worth an administrator's
		// attention, as sshd logs it.
		s.log.Info("key refused", "fingerprint", gossh.FingerprintSHA256(key), "remote", ctx.RemoteAddr().String(), "user", cleanField(ctx.User()), "reason", why)
	default:
		// Clients offer every key they hold; one miss is not yet a refusal.
		s.log.Debug("key not authorized", "fingerprint", gossh.FingerprintSHA256(key), "remote", ctx.RemoteAddr().String(), "user", cleanField(ctx.User()))
	}
	return ok
}

func (s *Server) connectionFailed(conn net.Conn, err error) {
	if errors.Is(err, io.EOF) {
		s.log.Debug("connection closed before login", "remote", conn.RemoteAddr().String())
		return
	}
	s.log.Warn("connection refused", "remote", conn.RemoteAddr().String(), "err", err)
}

// requireTerminal turns away sessions that asked for no terminal (ssh -T, or
// a command) with one line that says what to do instead.
func (s *Server) requireTerminal(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok && s.noPTY(sess) {
			fmt.Fprintln(sess.Stderr(), "frontdesk: this key may not open a terminal (no-pty or restrict in authorized_keys), and the console needs one; ask the administrator.")
			_ = sess.Exit(1)
			return
		} else if !ok {
			fmt.Fprintln(sess.Stderr(), "frontdesk: the console needs a terminal; connect with plain `ssh` (or `ssh -t`), without -T or a command.")
			_ = sess.Exit(1)
			return
		}
		if len(sess.Command()) > 0 {
			fmt.Fprintln(sess.Stderr(), "frontdesk: this server only runs the console; connect without a command.")
			_ = sess.Exit(1)
			return
		}
		next(sess)
	}
}

// noPTY reports whether the session's key may not have a terminal.
func (s *Server) noPTY(sess ssh.Session) bool {
	k := sess.PublicKey()
	if k == nil {
		return false
	}
	e, _, ok := s.keys.check(k, sess.RemoteAddr(), time.Now())
	return ok && e.noPTY
}

// DefaultPaths are the serve defaults under the XDG directories:
// $XDG_CONFIG_HOME/frontdesk/authorized_keys and
// $XDG_STATE_HOME/frontdesk/ssh_host_ed25519.
func DefaultPaths(getenv func(string) string) (authorizedKeys, hostKey string) {
	home := getenv("HOME")
	config := getenv("XDG_CONFIG_HOME")
	if config == "" || !filepath.IsAbs(config) {
		config = filepath.Join(home, ".config")
	}
	state := getenv("XDG_STATE_HOME")
	if state == "" || !filepath.IsAbs(state) {
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(config, "frontdesk", "authorized_keys"), filepath.Join(state, "frontdesk", "ssh_host_ed25519")
}
