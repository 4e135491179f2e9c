// Package skysim is an embedded simulator of the ShoreTel Sky Hosted API: a
// real HTTP server on loopback that speaks the same API as the service, over
// both transports the guide describes (one-shot GET requests and the
// long-lived chunked POST stream), with a simulated phone per account.
//
// It backs the demo, the tests and the benchmarks, and offers a test and
// fault API (Ring, SetState, Burst, InjectError, DropConnections, ...) for
// driving a client through the situations the guide warns about.
//
// Where the guide leaves a choice open, the simulator does this:
//
//   - Errors are checked in this order: the command name (2 no class,
//     3 no method, 4 no such method), the DID and PIN (5), the number of
//     arguments (13), the phone being logged in (8), the listCalls rate limit
//     (6). Subscribe over GET is "no such method" (4): the GET interface has
//     no subscribe. A non-blank endpoint argument that is not the phone's MAC
//     address is error 8 ("Endpoint not found").
//   - A request without an <Id>, every GET, and a document that cannot be
//     read as a Command (error 19) get a random numeric Id in the reply.
//   - Error 19's message is "Failed to unmarshall XML: " and the reason. After
//     a malformed document the stream skips to its </Command> (or to the next
//     XML declaration) and goes on reading.
//   - The stream's response header is sent at once, or after the first body
//     bytes when the client sent "Expect: 100-continue". The end of the
//     request body ends the session: replies to the commands already read
//     (and the events they cause) are written, then the response ends and
//     any subscription is gone. A Content-Length body is a batch of commands.
//   - Each reply and each event is one chunk. Replies come before the events
//     the command caused. A second subscribe on a stream moves the
//     subscription to the new Id.
//   - Dial accepts only digits in the guide's forms (4 digit extension, 10
//     digits, 1 and 10 digits, 011 and an international number); anything
//     else is Result false, not an error. Outbound calls carry no CLID.
//   - Release acts on CONNECTED, HOLDING and PENDING calls, not RINGING ones
//     (ignore those). A call in a state the simulator does not know (see
//     SetState) cannot be acted on.
//   - Like a handset, the phone talks on one call at a time: answering or
//     resuming a call, or dialling, first puts the connected call on hold
//     (its HOLDING event comes before the other call's).
//   - Error 17 (InjectError) ends the subscription, as the service's forced
//     unsubscription does; other injected errors leave it in place.
package skysim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Path is the resource the API is served at.
const Path = "/bobl/bobl"

// FirstCallID is the Id given to the first call when Config.FirstCallID is 0.
const FirstCallID = 65885

// DefaultDialConnectDelay is used when Config.DialConnectDelay is 0.
const DefaultDialConnectDelay = 3 * time.Second

// Account is one DID (the API's user) and its PIN (the password).
type Account struct {
	DID string
	PIN string
	// Endpoint is the MAC address of the account's phone; blank derives
	// one from the DID.
	Endpoint string
}

// String never shows the PIN.
func (a Account) String() string { return "Account{DID:" + a.DID + " PIN:[redacted]}" }

// GoString never shows the PIN.
func (a Account) GoString() string { return a.String() }

// Config describes a simulator.
type Config struct {
	Accounts []Account
	// Seed makes the demo scenario (callers, ring and talk times) repeatable.
	Seed int64
	// DialConnectDelay is how long a dialled call stays PENDING before it
	// is CONNECTED. 0 means DefaultDialConnectDelay; negative means never.
	DialConnectDelay time.Duration
	// RingRate is the number of random incoming callers per minute per
	// account in the demo scenario; 0 means none.
	RingRate float64
	// Names makes the demo scenario's callers come mostly from the built-in
	// directory (DemoContacts), so a console with that directory shows names.
	Names bool
	// Clock drives durations, timers and the rate limit; nil is the real clock.
	Clock Clock
	// FirstCallID is the numeric Id of the first call; 0 means FirstCallID.
	FirstCallID int
	// IDsPerAccount numbers each account's calls on its own from
	// FirstCallID, as separate phone systems would, so that two accounts
	// have calls with the same Id. Otherwise Ids are unique server-wide.
	IDsPerAccount bool
	// Logger receives one line per connection and command (never the PIN);
	// nil discards.
	Logger *slog.Logger
}

// Server is the simulator. Its methods are safe for concurrent use.
type Server struct {
	cfg   Config
	clock Clock
	log   *slog.Logger

	mu         sync.Mutex
	phones     map[string]*phone
	order      []string // DIDs in configuration order
	nextCallID int
	rng        *rand.Rand // demo scenario randomness; guarded by mu
	sessions   map[*session]struct{}
	nextSessID int
	listWindow time.Duration
	closed     bool
	stats      statsCounters
	changed    chan struct{}  // closed and replaced on every observable change
	pending    []pendingChunk // events waiting for flushLocked

	splitWrites atomic.Int64

	hs       *http.Server
	ln       net.Listener
	url      string
	ctx      context.Context
	cancel   context.CancelFunc
	handlers sync.WaitGroup
	serveErr chan error
}

type connKey struct{}

// New returns a simulator for cfg. It does nothing until Start.
func New(cfg Config) *Server {
	s := &Server{
		cfg:        cfg,
		clock:      cfg.Clock,
		log:        cfg.Logger,
		phones:     make(map[string]*phone),
		nextCallID: cfg.FirstCallID,
		sessions:   make(map[*session]struct{}),
		changed:    make(chan struct{}),
		rng:        rand.New(rand.NewPCG(uint64(cfg.Seed), uint64(cfg.Seed)^0x5ca1ab1e)),
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.nextCallID == 0 {
		s.nextCallID = FirstCallID
	}
	s.stats.commands = make(map[string]int)
	for _, a := range cfg.Accounts {
		if _, dup := s.phones[a.DID]; dup {
			continue
		}
		p := newPhone(a)
		p.nextID = s.nextCallID
		s.phones[a.DID] = p
		s.order = append(s.order, a.DID)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves the
// API in the background. It returns the API URL, ending in /bobl/bobl.
func (s *Server) Start(addr string) (string, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", errors.New("skysim: server is closed")
	}
	if s.hs != nil {
		s.mu.Unlock()
		return "", errors.New("skysim: server already started")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.mu.Unlock()
		return "", fmt.Errorf("skysim: listen: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc(Path, s.serveAPI)
	s.hs = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.mu.Lock()
				s.stats.tcpConns++
				s.mu.Unlock()
			}
		},
		ErrorLog: nil,
	}
	s.ln = ln
	s.url = "http://" + ln.Addr().String() + Path
	s.serveErr = make(chan error, 1)
	hs := s.hs
	s.startScenarioLocked()
	s.mu.Unlock()
	go func() { s.serveErr <- hs.Serve(ln) }()
	s.log.Info("simulator listening", "url", s.url)
	return s.url, nil
}

// URL returns the API URL once started, or "".
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops the server: the listener, every connection (streaming ones
// included), the timers and the scenario. It waits for the handlers to end.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for _, p := range s.phones {
		for _, c := range p.calls {
			c.stopTimer()
		}
	}
	hs := s.hs
	sessions := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.notifyLocked()
	s.mu.Unlock()

	s.cancel()
	var err error
	if hs != nil {
		err = hs.Close()
		for _, sess := range sessions {
			sess.drop()
		}
		if serr := <-s.serveErr; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	s.handlers.Wait()
	return err
}

// afterLocked schedules f on the clock; Close cancels it. f runs with s.mu
// held and is skipped once the server is closed.
func (s *Server) afterLocked(d time.Duration, f func()) func() bool {
	return s.clock.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.closed {
			return
		}
		f()
		s.flushLocked()
	})
}

// notifyLocked wakes every waiter (WaitFor and friends).
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func randomID() string {
	return fmt.Sprintf("%d", 100000000+rand.Int64N(900000000))
}
