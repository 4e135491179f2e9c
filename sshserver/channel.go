package sshserver

import (
	"context"
	"net"
	"sync"
	"time"

	"charm.land/log/v2"
	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/model"
)

// The largest terminal a console is given. A client may ask for any size;
// the screen buffers grow with width×height, so one client asking for
// 10000×10000 would otherwise take the memory every other console needs.
const (
	MaxWidth  = 500
	MaxHeight = 200
)

// Session requests the console refuses: it forwards nothing.
const (
	agentRequest = "auth-agent-req@openssh.com"
	x11Request   = "x11-req"
)

// sessionChannel wraps the SSH library's session handler: it sees every
// request of the channel first, clamps terminal sizes, refuses agent and
// X11 forwarding, and counts the connection's open sessions.
func (s *Server) sessionChannel(srv *ssh.Server, conn *gossh.ServerConn, newChan gossh.NewChannel, ctx ssh.Context) {
	w, _ := ctx.Value(connWatchKey).(*connWatch)
	if w != nil {
		w.opened()
		defer w.closed()
	}
	noPTY := false
	if k, ok := ctx.Value(ssh.ContextKeyPublicKey).(ssh.PublicKey); ok && k != nil {
		if e, _, ok := s.keys.check(k, ctx.RemoteAddr(), time.Now()); ok {
			noPTY = e.noPTY
		}
	}
	lg := s.log.With("remote", ctx.RemoteAddr().String())
	ssh.DefaultSessionHandler(srv, conn, filteredChannel{NewChannel: newChan, filter: func(req *gossh.Request) bool {
		return filterRequest(req, noPTY, lg)
	}}, ctx)
}

// filterRequest handles the requests the console refuses or changes; it
// reports whether req goes on to the session.
func filterRequest(req *gossh.Request, noPTY bool, lg *log.Logger) bool {
	switch req.Type {
	case "pty-req":
		if noPTY {
			lg.Info("terminal refused: the key's authorized_keys line has no-pty or restrict")
			_ = req.Reply(false, nil)
			return false
		}
		req.Payload = clampPtyRequest(req.Payload)
	case "window-change":
		req.Payload = clampWindowChange(req.Payload)
	case agentRequest, x11Request:
		lg.Info("forwarding refused", "request", req.Type)
		_ = req.Reply(false, nil)
		return false
	}
	return true
}

// ptyRequest is RFC 4254's pty-req payload.
type ptyRequest struct {
	Term          string
	Columns, Rows uint32
	Width, Height uint32 // pixels
	Modes         string
}

// windowChange is RFC 4254's window-change payload.
type windowChange struct {
	Columns, Rows uint32
	Width, Height uint32
}

func clampPtyRequest(payload []byte) []byte {
	var p ptyRequest
	if gossh.Unmarshal(payload, &p) != nil {
		return payload // the session refuses what it cannot parse
	}
	p.Columns, p.Rows = clampSize(p.Columns, p.Rows)
	p.Width, p.Height = 0, 0
	return gossh.Marshal(p)
}

func clampWindowChange(payload []byte) []byte {
	var w windowChange
	if gossh.Unmarshal(payload, &w) != nil {
		return payload
	}
	w.Columns, w.Rows = clampSize(w.Columns, w.Rows)
	w.Width, w.Height = 0, 0
	return gossh.Marshal(w)
}

func clampSize(cols, rows uint32) (uint32, uint32) {
	return min(cols, MaxWidth), min(rows, MaxHeight)
}

// filteredChannel is a NewChannel whose accepted channel passes its
// requests through filter first.
type filteredChannel struct {
	gossh.NewChannel
	filter func(*gossh.Request) bool
}

func (f filteredChannel) Accept() (gossh.Channel, <-chan *gossh.Request, error) {
	ch, reqs, err := f.NewChannel.Accept()
	if err != nil {
		return ch, reqs, err
	}
	out := make(chan *gossh.Request)
	go func() {
		defer close(out)
		for req := range reqs {
			if f.filter(req) {
				out <- req
			}
		}
	}()
	return ch, out, nil
}

// connWatch closes a logged-in connection that keeps no session open: one
// that never opens a console, or stays after its last console ended,
// holds a connection slot and a goroutine for nothing.
type connWatch struct {
	conn    net.Conn
	timeout time.Duration
	log     *log.Logger

	mu       sync.Mutex
	sessions int
	timer    *time.Timer
	gone     bool // the connection has closed
}

type contextKey string

const connWatchKey contextKey = "frontdesk-conn-watch"

// watchConn is the server's ConnCallback: it sets up the connection's
// watch, whose timer starts once a key is accepted (the handshake has its
// own timeout).
func (s *Server) watchConn(ctx ssh.Context, conn net.Conn) net.Conn {
	if s.cfg.NoSessionTimeout <= 0 {
		return conn
	}
	w := &connWatch{conn: conn, timeout: s.cfg.NoSessionTimeout, log: s.log.With("remote", conn.RemoteAddr().String())}
	ctx.SetValue(connWatchKey, w)
	context.AfterFunc(ctx, w.stop)
	return conn
}

// loggedIn starts the timer, once.
func (w *connWatch) loggedIn() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.timer == nil && !w.gone {
		w.timer = time.AfterFunc(w.timeout, w.expire)
	}
}

// stop ends the watch when the connection has closed.
func (w *connWatch) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.gone = true
	if w.timer != nil {
		w.timer.Stop()
	}
}

func (w *connWatch) opened() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sessions++
	if w.timer != nil {
		w.timer.Stop()
	}
}

func (w *connWatch) closed() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sessions--
	if w.sessions == 0 && !w.gone && w.timer != nil {
		w.timer.Reset(w.timeout)
	}
}

func (w *connWatch) expire() {
	w.mu.Lock()
	idle := w.sessions == 0 && !w.gone
	w.mu.Unlock()
	if idle {
		w.log.Info("closing a connection with no session open", "after", w.timeout)
		_ = w.conn.Close()
	}
}

// cleanField makes client-supplied text (a user name, a terminal type) or
// a file's comment safe for one log line.
func cleanField(s string) string { return model.Clean(s, 100) }
