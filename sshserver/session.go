package sshserver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"charm.land/ssh"
	bm "charm.land/wish/v2/bubbletea"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/hub"
)

// console is the server's record of one SSH session.
type console struct {
	sess        ssh.Session
	start       time.Time
	fingerprint string
	log         *log.Logger
	lastInput   atomic.Int64 // unix nanoseconds of the last keyboard input

	// Set by the console middleware before the program starts.
	lines []SessionLine
	idle  *time.Timer

	mu      sync.Mutex
	program *tea.Program
	cancel  context.CancelFunc // the program's context
	reason  string             // why the server ended the session; shown as a goodbye
	ending  bool
}

// killAfter is how long a program may take to quit after its connection
// closed before its context is cancelled.
const killAfter = 2 * time.Second

// programContext ties the program's lifetime to the connection. When the
// connection closes, the bubbletea middleware quits the program gracefully;
// the context is cancelled only if that has not worked within killAfter, so
// an ordinary disconnect is not reported as a killed program. The context
// is cancelled for good when the session handler returns.
func (c *console) programContext(conn context.Context) context.Context {
	ctx, cancel := context.WithCancel(context.WithoutCancel(conn))
	context.AfterFunc(conn, func() {
		t := time.AfterFunc(killAfter, cancel)
		context.AfterFunc(ctx, func() { t.Stop() })
	})
	c.mu.Lock()
	c.cancel = cancel
	c.mu.Unlock()
	return ctx
}

// end asks the console to quit, remembering why. The first reason wins.
func (c *console) end(reason string) {
	c.mu.Lock()
	if c.reason == "" {
		c.reason = reason
	}
	c.ending = true
	p := c.program
	c.mu.Unlock()
	if p != nil {
		// Quit blocks until the program reads it (or has ended).
		go p.Quit()
	}
}

func (c *console) goodbye() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// touch records keyboard input, for the idle timeout.
func (c *console) touch() { c.lastInput.Store(time.Now().UnixNano()) }

// inputTracker is the session as the program sees it: reads mark activity.
type inputTracker struct {
	ssh.Session
	c *console
}

func (t inputTracker) Read(p []byte) (int, error) {
	n, err := t.Session.Read(p)
	if n > 0 {
		t.c.touch()
	}
	return n, err
}

// watchIdle ends the console once it has had no input for the timeout.
func (s *Server) watchIdle(c *console) {
	d := s.cfg.IdleTimeout
	var check func()
	check = func() {
		idle := time.Since(time.Unix(0, c.lastInput.Load()))
		if idle >= d {
			c.log.Info("closing idle console", "idle", idle.Round(time.Second))
			c.end(fmt.Sprintf("no keyboard input for %s", d))
			return
		}
		c.mu.Lock()
		if !c.ending {
			c.idle = time.AfterFunc(d-idle, check)
		}
		c.mu.Unlock()
	}
	c.mu.Lock()
	c.idle = time.AfterFunc(d, check)
	c.mu.Unlock()
}

func (c *console) stopIdle() {
	c.mu.Lock()
	c.ending = true
	if c.idle != nil {
		c.idle.Stop()
	}
	c.mu.Unlock()
}

// logMiddleware records the session and logs who connected (key fingerprint,
// account DID, address), and how long they stayed. It never logs a PIN.
func (s *Server) logMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		c := &console{sess: sess, start: time.Now()}
		c.touch()
		if k := sess.PublicKey(); k != nil {
			c.fingerprint = gossh.FingerprintSHA256(k)
		}
		c.log = s.log.With("fingerprint", c.fingerprint, "remote", sess.RemoteAddr().String())

		s.mu.Lock()
		s.sessions[sess] = c
		s.mu.Unlock()
		defer func() {
			s.mu.Lock()
			delete(s.sessions, sess)
			if s.closing && len(s.sessions) == 0 {
				closeOnce(s.drained)
			}
			s.mu.Unlock()
		}()

		next(sess)
		if len(c.lines) > 0 {
			reason := c.goodbye()
			switch {
			case reason != "":
			case sess.Context().Err() != nil:
				reason = "connection closed"
			default:
				reason = "quit"
			}
			c.log.Info("session ended", "duration", time.Since(c.start).Round(time.Millisecond), "reason", reason)
		}
	}
}

// consoleMiddleware admits the session (account, limits), attaches it to
// the account's upstream, runs the console (next), then detaches and says
// goodbye when the server ended the session.
func (s *Server) consoleMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		s.mu.Lock()
		c := s.sessions[sess]
		s.mu.Unlock()
		if c == nil {
			fmt.Fprintln(sess.Stderr(), "frontdesk: internal error.")
			_ = sess.Exit(1)
			return
		}
		key := sess.PublicKey()
		if key == nil {
			c.log.Warn("session refused", "reason", "no public key")
			fmt.Fprintln(sess.Stderr(), "frontdesk: log in with a public key.")
			_ = sess.Exit(1)
			return
		}
		lines, err := s.cfg.Accounts(key)
		if err == nil && len(lines) == 0 {
			err = ErrNoAccount
		}
		if err != nil {
			c.log.Warn("session refused", "reason", err)
			// Other failures (an unreadable PIN file, say) name server
			// paths: the client is told only where to look.
			msg := "the server could not load the phone account for this key; its log says why"
			if errors.Is(err, ErrNoAccount) {
				msg = err.Error()
			}
			fmt.Fprintf(sess.Stderr(), "frontdesk: %s (key %s).\n", msg, c.fingerprint)
			_ = sess.Exit(1)
			return
		}
		dids := make([]string, len(lines))
		for i, l := range lines {
			dids[i] = l.Account.User
		}
		if refuse := s.admit(c.fingerprint, dids); refuse != "" {
			c.log.Warn("session refused", "dids", dids, "reason", refuse)
			fmt.Fprintf(sess.Stderr(), "frontdesk: %s.\n", refuse)
			_ = sess.Exit(1)
			return
		}
		defer s.release(c.fingerprint, dids)

		// One upstream per account, shared through the hub, which logs
		// what this console does to it (a PIN typed again) as this key's.
		attached := make([]SessionLine, 0, len(lines))
		who := hub.WithConsoleLog(c.log.With("user", cleanField(sess.User())))
		closeAll := func() {
			for _, l := range attached {
				l.Phone.Close()
			}
		}
		for _, l := range lines {
			client, err := s.cfg.Hub.Attach(sess.Context(), l.Account, who)
			if err != nil {
				closeAll()
				c.log.Error("session refused", "did", l.Account.User, "reason", err)
				fmt.Fprintf(sess.Stderr(), "frontdesk: cannot reach the phone account %s: %v.\n", l.Account.User, err)
				_ = sess.Exit(1)
				return
			}
			attached = append(attached, SessionLine{Line: l, Phone: client})
		}
		c.mu.Lock()
		c.lines = attached
		c.log = c.log.With("dids", dids)
		c.mu.Unlock()
		pty, _, _ := sess.Pty()
		c.log.Info("session started", "user", cleanField(sess.User()), "term", cleanField(pty.Term),
			"width", pty.Window.Width, "height", pty.Window.Height, "client", cleanField(sess.Context().ClientVersion()))
		if s.cfg.IdleTimeout > 0 {
			s.watchIdle(c)
		}

		next(sess)

		c.stopIdle()
		c.mu.Lock()
		if c.cancel != nil {
			c.cancel()
		}
		c.mu.Unlock()
		closeAll()
		if reason := c.goodbye(); reason != "" {
			fmt.Fprintf(sess, "\nfrontdesk: %s. Goodbye.\n", reason)
		}
		// Exit here rather than after the outer middlewares return: once this
		// session is off the books a shutting-down server closes the
		// connection, and the exit status must be on the wire before that.
		_ = sess.Exit(0)
	}
}

// admit counts a console against the server's and the key's limits, and
// each of its accounts' limits, or says why it cannot run.
func (s *Server) admit(fingerprint string, dids []string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closing:
		return "the server is shutting down"
	case s.cfg.MaxSessions > 0 && s.active >= s.cfg.MaxSessions:
		return fmt.Sprintf("the server is full (%s in use); try again later", plural(s.cfg.MaxSessions, "console"))
	case s.cfg.MaxSessionsPerKey > 0 && s.byKey[fingerprint] >= s.cfg.MaxSessionsPerKey:
		return fmt.Sprintf("this key already has %s open, its limit; close one first", plural(s.cfg.MaxSessionsPerKey, "console"))
	}
	for _, did := range dids {
		if s.cfg.MaxSessionsPerAccount > 0 && s.byAccount[did] >= s.cfg.MaxSessionsPerAccount {
			return fmt.Sprintf("phone account %s already has %s open, its limit; try again later", did, plural(s.cfg.MaxSessionsPerAccount, "console"))
		}
	}
	s.active++
	s.byKey[fingerprint]++
	for _, did := range dids {
		s.byAccount[did]++
	}
	return ""
}

func (s *Server) release(fingerprint string, dids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active--
	if s.byKey[fingerprint]--; s.byKey[fingerprint] == 0 {
		delete(s.byKey, fingerprint)
	}
	for _, did := range dids {
		if s.byAccount[did]--; s.byAccount[did] == 0 {
			delete(s.byAccount, did)
		}
	}
}

// program builds the session's Bubble Tea program: the client's terminal
// size, environment and colour profile (MakeOptions), the connection's
// context, and no signal handling of its own (the server owns SIGINT and
// SIGTERM).
func (s *Server) program(sess ssh.Session) *tea.Program {
	s.mu.Lock()
	c := s.sessions[sess]
	s.mu.Unlock()
	if c == nil || len(c.lines) == 0 {
		return nil
	}
	pty, _, _ := sess.Pty()
	comment := ""
	if k := sess.PublicKey(); k != nil {
		if e, _, ok := s.keys.check(k, sess.RemoteAddr(), time.Now()); ok {
			comment = e.comment
		}
	}
	model := s.cfg.NewConsole(Session{
		KeyComment:  comment,
		Lines:       c.lines,
		Fingerprint: c.fingerprint,
		User:        cleanField(sess.User()),
		Remote:      sess.RemoteAddr(),
		Environ:     append(sess.Environ(), "TERM="+pty.Term),
		Logger:      c.log,
		Context:     sess.Context(),
	})
	opts := append(bm.MakeOptions(inputTracker{Session: sess, c: c}),
		tea.WithContext(c.programContext(sess.Context())),
		tea.WithoutSignalHandler(),
	)
	p := tea.NewProgram(model, opts...)
	c.mu.Lock()
	c.program = p
	ending := c.ending && c.reason != ""
	c.mu.Unlock()
	if ending {
		go p.Quit()
	}
	return p
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
