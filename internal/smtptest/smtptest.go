// Package smtptest runs a real SMTP server on loopback for tests, keeping
// the mail it receives.
package smtptest

import (
	"io"
	"net"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Server is an SMTP server on loopback.
type Server struct {
	Addr   string
	server *smtp.Server

	mu      sync.Mutex
	got     []Mail
	reject  int
	arrived chan struct{}
}

// Mail is one message received: the envelope and the data as sent.
type Mail struct {
	From, To string
	Data     string
}

// Start starts a server on addr ("" for any free loopback port), stopped
// when the test ends.
func Start(t testing.TB, addr string) *Server {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), arrived: make(chan struct{}, 1000)}
	s.server = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{server: s}, nil
	}))
	s.server.Domain = "localhost"
	go func() { _ = s.server.Serve(ln) }()
	t.Cleanup(func() { _ = s.server.Close() })
	return s
}

// FreeAddr is a loopback address where no server listens (yet).
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Reject makes the server refuse every recipient with code (0: accept).
func (s *Server) Reject(code int) {
	s.mu.Lock()
	s.reject = code
	s.mu.Unlock()
}

// Received is every mail received so far.
func (s *Server) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.got...)
}

// Arrived signals each mail as it arrives.
func (s *Server) Arrived() <-chan struct{} { return s.arrived }

type session struct {
	server   *Server
	from, to string
}

func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.server.mu.Lock()
	code := s.server.reject
	s.server.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, Message: "no such mailbox"}
	}
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.server.mu.Lock()
	s.server.got = append(s.server.got, Mail{From: s.from, To: s.to, Data: string(b)})
	s.server.mu.Unlock()
	s.server.arrived <- struct{}{}
	return nil
}
