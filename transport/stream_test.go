package transport

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer is a raw API endpoint for framing tests: each stream POST
// becomes a fakeConn through which the test reads the client's commands and
// writes whatever bytes it likes.
type fakeServer struct {
	t      *testing.T
	status chan int // when a value is ready, the next stream gets that HTTP status
	srv    *httptest.Server
	conns  chan *fakeConn
}

type fakeConn struct {
	t     *testing.T
	cmds  chan Command
	mu    sync.Mutex
	w     io.Writer
	flush func() error
	drop  chan struct{}
	end   chan struct{}
	once  sync.Once
	split int // write in pieces of this many bytes (0 = whole)
	ended bool
	nc    net.Conn
}

type netConnKey struct{}

func newFakeServer(t *testing.T) *fakeServer { return newFakeServerTLS(t, false) }

// newFakeServerTLS serves over TLS (with HTTP/2 on offer) when tls is set.
func newFakeServerTLS(t *testing.T, tls bool) *fakeServer {
	fs := &fakeServer{t: t, conns: make(chan *fakeConn, 16), status: make(chan int, 4)}
	fs.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/bobl/bobl" || r.URL.RawQuery != "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if len(r.TransferEncoding) != 1 || r.TransferEncoding[0] != "chunked" || r.ProtoMajor != 1 || r.ProtoMinor != 1 {
			http.Error(w, "want HTTP/1.1 chunked", http.StatusBadRequest)
			return
		}
		select {
		case st := <-fs.status:
			// Send the status at once: net/http would otherwise wait for
			// the (endless) request body to end before answering.
			rc := http.NewResponseController(w)
			rc.EnableFullDuplex()
			w.WriteHeader(st)
			rc.Flush()
			return
		default:
		}
		rc := http.NewResponseController(w)
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("full duplex: %v", err)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		rc.Flush()
		fc := &fakeConn{t: t, cmds: make(chan Command, 64), w: w, flush: rc.Flush, drop: make(chan struct{}), end: make(chan struct{}), nc: r.Context().Value(netConnKey{}).(net.Conn)}
		defer func() {
			fc.mu.Lock()
			fc.ended = true
			fc.mu.Unlock()
		}()
		fs.conns <- fc
		go func() {
			d := xml.NewDecoder(r.Body)
			for {
				tok, err := d.Token()
				if err != nil {
					close(fc.cmds)
					return
				}
				if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "Command" {
					var c Command
					if err := d.DecodeElement(&c, &se); err != nil {
						close(fc.cmds)
						return
					}
					fc.cmds <- c
				}
			}
		}()
		select {
		case <-fc.drop:
			fc.nc.Close() // cut the connection, no clean end
		case <-fc.end:
			// return: net/http ends the chunked body cleanly
		case <-r.Context().Done():
		}
	}))
	fs.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, netConnKey{}, c)
	}
	if tls {
		fs.srv.EnableHTTP2 = true
		fs.srv.StartTLS()
	} else {
		fs.srv.Start()
	}
	t.Cleanup(fs.srv.Close)
	return fs
}

func (fs *fakeServer) account() Account {
	return Account{Server: fs.srv.URL + "/bobl/bobl", User: "6465551000", PIN: "12345", Endpoint: "0010492e1234"}
}

func (fs *fakeServer) conn() *fakeConn {
	fs.t.Helper()
	select {
	case c := <-fs.conns:
		return c
	case <-time.After(5 * time.Second):
		fs.t.Fatal("no stream connection")
		return nil
	}
}

func (fc *fakeConn) next() Command {
	fc.t.Helper()
	select {
	case c, ok := <-fc.cmds:
		if !ok {
			fc.t.Fatal("stream closed while waiting for a command")
		}
		return c
	case <-time.After(5 * time.Second):
		fc.t.Fatal("no command arrived")
		return Command{}
	}
}

func (fc *fakeConn) expect(name string, nargs int) Command {
	fc.t.Helper()
	c := fc.next()
	if c.Name != name || len(c.Arguments) != nargs || c.User != "6465551000" || c.Password != "12345" {
		fc.t.Fatalf("got %v, want %s with %d arguments", c, name, nargs)
	}
	return c
}

func (fc *fakeConn) write(b []byte) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for len(b) > 0 && !fc.ended {
		n := len(b)
		if fc.split > 0 && fc.split < n {
			n = fc.split
		}
		if _, err := fc.w.Write(b[:n]); err != nil {
			return
		}
		fc.flush()
		b = b[n:]
	}
}

func (fc *fakeConn) reply(id string, r *Response) {
	r.ID = id
	fc.write(r.Encode())
}

func (fc *fakeConn) replyBool(id string, v bool) {
	fc.reply(id, &Response{Result: &Result{Type: TypeBoolean, Text: strconv.FormatBool(v)}})
}

func (fc *fakeConn) replyError(id string, major int, msg string) {
	fc.reply(id, &Response{Errors: []Error{{MajorErrorCode: major, Message: msg}}})
}

func (fc *fakeConn) replyCalls(id string, calls ...Call) {
	fc.reply(id, &Response{Result: &Result{Type: TypeXMLList, Items: calls}})
}

func (fc *fakeConn) cut() { fc.once.Do(func() { close(fc.drop) }) }

func (fc *fakeConn) finish() { fc.once.Do(func() { close(fc.end) }) }

// handshake answers the subscribe and the listCalls that follow a connect.
func (fc *fakeConn) handshake(calls ...Call) (subID string) {
	fc.t.Helper()
	sub := fc.expect(CmdSubscribe, 0)
	fc.reply(sub.ID, &Response{Result: &Result{Type: TypeInt, Text: "0"}})
	lc := fc.expect(CmdListCalls, 1)
	if lc.Arguments[0].Value != "0010492e1234" {
		fc.t.Errorf("listCalls endpoint %q", lc.Arguments[0].Value)
	}
	fc.replyCalls(lc.ID, calls...)
	return sub.ID
}

func ringing(id string) Call {
	return Call{Ani: "6465551234", CLID: ptr("6465551000"), DID: "6465551000", Endpoint: "0010492e1234", ID: id, State: "RINGING"}
}

// runStream starts s.Run and returns a function that waits for its result.
func runStream(t *testing.T, s *Stream) (cancel func(), result func() error) {
	ctx, cancelFn := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	var err error
	result = func() error {
		once.Do(func() {
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return")
			}
		})
		return err
	}
	t.Cleanup(func() { cancelFn(); result() })
	return cancelFn, result
}

// nextEvent returns the next event matching keep, failing after a while.
func nextEvent(t *testing.T, s *Stream, keep func(Event) bool) Event {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				t.Fatal("events closed")
			}
			if keep == nil || keep(ev) {
				return ev
			}
		case <-deadline:
			t.Fatal("timed out waiting for an event")
		}
	}
}

func isConn(st ConnStatus) func(Event) bool {
	return func(ev Event) bool { return ev.Kind == EventConn && ev.Conn.Status == st }
}

func isKind(k EventKind) func(Event) bool { return func(ev Event) bool { return ev.Kind == k } }

func testStream(t *testing.T, fs *fakeServer, opts ...StreamOption) *Stream {
	t.Helper()
	base := []StreamOption{WithBackoff(5*time.Millisecond, 20*time.Millisecond), WithListCallsBackoff(40*time.Millisecond, 80*time.Millisecond),
		WithPhoneRetry(60 * time.Millisecond), WithCommandTimeout(3 * time.Second)}
	s, err := NewStream(fs.account(), append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStreamHandshakeSnapshotAndEvents(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)

	if ev := nextEvent(t, s, nil); ev.Kind != EventConn || ev.Conn.Status != ConnConnecting {
		t.Fatalf("first event %+v", ev)
	}
	fc := fs.conn()
	subID := fc.handshake(ringing("66517"), Call{ID: "65885", State: "CONNECTED", Originated: true})
	if ev := nextEvent(t, s, nil); ev.Kind != EventConn || ev.Conn.Status != ConnLive || ev.Conn.Err != nil {
		t.Fatalf("want live, got %+v", ev)
	}
	snap := nextEvent(t, s, nil)
	if snap.Kind != EventSnapshot || len(snap.Calls) != 2 || snap.Calls[0].ID != "66517" || *snap.Calls[0].CLID != "6465551000" || snap.Calls[1].CLID != nil {
		t.Fatalf("snapshot %+v", snap)
	}
	// Events with the subscribe's Id, another Id, and no Id at all; a burst
	// of three states in one document.
	fc.replyCalls(subID, Call{ID: "66517", State: "CONNECTED"})
	fc.replyCalls("999", Call{ID: "70000", State: "RINGING"})
	fc.write([]byte(strings.Replace(string((&Response{Result: &Result{Type: TypeXMLList, Items: []Call{{ID: "71"}}}}).Encode()), "  <Id></Id>\n", "", 1)))
	fc.replyCalls(subID, Call{ID: "8", State: "PENDING"}, Call{ID: "8", State: "CONNECTED"}, Call{ID: "8", State: "DELETED"})
	want := []string{"66517/CONNECTED", "70000/RINGING", "71/", "8/PENDING", "8/CONNECTED", "8/DELETED"}
	for _, w := range want {
		ev := nextEvent(t, s, nil)
		if ev.Kind != EventCall || ev.Call.ID+"/"+ev.Call.State != w {
			t.Fatalf("want call %s, got %+v", w, ev)
		}
	}
	if st := s.State(); st.Status != ConnLive {
		t.Errorf("state %v", st)
	}
}

func TestStreamFraming(t *testing.T) {
	for _, split := range []int{1, 7, 0} {
		t.Run(fmt.Sprintf("split=%d", split), func(t *testing.T) {
			fs := newFakeServer(t)
			s := testStream(t, fs)
			runStream(t, s)
			fc := fs.conn()
			fc.split = split
			subID := fc.handshake()
			nextEvent(t, s, isKind(EventSnapshot))
			// Several documents packed into one write, with declarations,
			// whitespace and a comment between them, then garbage the
			// decoder skips, then one more event.
			var packed []byte
			for i := range 3 {
				packed = (&Response{ID: subID, Result: &Result{Type: TypeXMLList, Items: []Call{ringing(strconv.Itoa(i))}}}).AppendXML(packed)
				packed = append(packed, "\r\n<!-- x -->  "...)
			}
			packed = append(packed, "<org.m5.api.v1.Response><Id>1</Idd> junk &bad; <"...)
			packed = (&Response{ID: subID, Result: &Result{Type: TypeXMLList, Items: []Call{ringing("3")}}}).AppendXML(packed)
			fc.write(packed)
			for i := range 4 {
				ev := nextEvent(t, s, isKind(EventCall))
				if ev.Call.ID != strconv.Itoa(i) {
					t.Fatalf("event %d: %+v", i, ev)
				}
			}
			// Still the same connection, and commands still work.
			errc := make(chan error, 1)
			go func() { errc <- s.Hold(context.Background(), "3") }()
			c := fc.expect(CmdHold, 1)
			fc.replyBool(c.ID, true)
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			select {
			case <-fs.conns:
				t.Fatal("the stream reconnected")
			default:
			}
		})
	}
}

func TestStreamConcurrentCommandsOutOfOrder(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))

	type op struct {
		name string
		do   func(ctx context.Context, id string) error
		ok   bool
	}
	ops := []op{
		{CmdAnswer, s.Answer, true}, {CmdIgnore, s.Ignore, false}, {CmdHold, s.Hold, true},
		{CmdResume, s.Resume, false}, {CmdRelease, s.Release, true},
		{CmdDial, s.Dial, true}, {CmdAnswer, s.Answer, false}, {CmdHold, s.Hold, true},
	}
	errs := make([]chan error, len(ops))
	for i, o := range ops {
		errs[i] = make(chan error, 1)
		go func() { errs[i] <- o.do(context.Background(), "call"+strconv.Itoa(i)) }()
	}
	// Collect all, then answer in reverse order of arrival; the result for
	// each depends on the call Id it named.
	got := make([]Command, 0, len(ops))
	ids := map[string]bool{}
	for range ops {
		c := fc.next()
		if ids[c.ID] {
			t.Fatalf("Id %s used twice", c.ID)
		}
		ids[c.ID] = true
		got = append(got, c)
	}
	for i := len(got) - 1; i >= 0; i-- {
		c := got[i]
		n, _ := strconv.Atoi(strings.TrimPrefix(c.Arguments[0].Value, "call"))
		if c.Name != ops[n].name || len(c.Arguments) != commandArgs(c.Name) {
			t.Errorf("command %v for op %d", c, n)
		}
		fc.replyBool(c.ID, ops[n].ok)
	}
	for i, o := range ops {
		err := <-errs[i]
		if o.ok && err != nil {
			t.Errorf("op %d: %v", i, err)
		}
		if !o.ok && !errors.Is(err, ErrNotApplied) {
			t.Errorf("op %d: want ErrNotApplied, got %v", i, err)
		}
		if !o.ok && !strings.Contains(err.Error(), "call"+strconv.Itoa(i)) {
			t.Errorf("op %d: error does not name the call: %v", i, err)
		}
	}
}

func TestStreamCommandContext(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))

	// Cancelled while waiting for the reply.
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Answer(ctx, "1") }()
	c := fc.expect(CmdAnswer, 2)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("want canceled, got %v", err)
	}
	// Timed out.
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Release(ctx, "1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
	late := fc.expect(CmdRelease, 1)
	// The late replies are dropped; the next command gets its own.
	fc.replyBool(c.ID, true)
	fc.replyBool(late.ID, true)
	go func() { errc <- s.Hold(context.Background(), "2") }()
	h := fc.expect(CmdHold, 1)
	fc.replyBool(h.ID, false)
	if err := <-errc; !errors.Is(err, ErrNotApplied) {
		t.Fatalf("hold: %v", err)
	}
	// Already cancelled: nothing is sent.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if err := s.Dial(ctx, "6465551234"); !errors.Is(err, context.Canceled) {
		t.Fatalf("dial: %v", err)
	}
	go func() { errc <- s.Resume(context.Background(), "") }()
	if c := fc.next(); c.Name != CmdResume || c.Arguments[0].Value != "" {
		t.Fatalf("expected only the resume, got %v", c)
	} else {
		fc.replyBool(c.ID, true)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestStreamNotConnected(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	err := s.Answer(context.Background(), "")
	if !errors.Is(err, ErrNotConnected) || !strings.Contains(err.Error(), "answer") {
		t.Fatalf("before Run: %v", err)
	}
	if _, err := s.ListCalls(context.Background()); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("listCalls before Run: %v", err)
	}
}

func TestStreamReconnectsAfterDrop(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	fc.handshake(ringing("1"))
	nextEvent(t, s, isKind(EventSnapshot))

	// A command in flight when the connection drops fails with
	// ErrConnectionLost and is not resent.
	errc := make(chan error, 1)
	go func() { errc <- s.Answer(context.Background(), "1") }()
	fc.expect(CmdAnswer, 2)
	fc.cut()
	if err := <-errc; !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("in-flight answer: %v", err)
	}
	ev := nextEvent(t, s, isConn(ConnReconnecting))
	if ev.Conn.Err == nil || ev.Conn.Attempt != 1 || ev.Conn.NextTry.IsZero() {
		t.Errorf("reconnecting %+v", ev.Conn)
	}
	if err := s.Hold(context.Background(), "1"); !errors.Is(err, ErrNotConnected) {
		t.Errorf("command while reconnecting: %v", err)
	}
	fc2 := fs.conn()
	fc2.handshake(Call{ID: "1", State: "CONNECTED"})
	nextEvent(t, s, isConn(ConnLive))
	snap := nextEvent(t, s, isKind(EventSnapshot))
	if len(snap.Calls) != 1 || snap.Calls[0].State != "CONNECTED" {
		t.Fatalf("snapshot after reconnect %+v", snap)
	}
	// The new connection has its own Id counter.
	go func() { errc <- s.Release(context.Background(), "1") }()
	if c := fc2.expect(CmdRelease, 1); c.ID != "3" {
		t.Errorf("third command on the new connection has Id %s", c.ID)
	} else {
		fc2.replyBool(c.ID, true)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	// A clean end of the response body reconnects too.
	fc2.finish()
	fs.conn().handshake()
	nextEvent(t, s, isKind(EventSnapshot))
}

func TestStreamResubscribesOnError17(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	subID := fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))

	fc.replyError(subID, 17, "A temporary problem forced the unsubscription from updates. Try subscribing again.")
	sub := fc.expect(CmdSubscribe, 0)
	fc.reply(sub.ID, &Response{Result: &Result{Type: TypeInt, Text: "0"}})
	fc.replyCalls(sub.ID, ringing("5"))
	ev := nextEvent(t, s, nil)
	if ev.Kind != EventCall || ev.Call.ID != "5" {
		t.Fatalf("after resubscribe: %+v (the user must not be told)", ev)
	}
	// No listCalls after a prompt resubscribe, and no reconnect.
	go func() { _ = s.Hold(context.Background(), "5") }()
	if c := fc.next(); c.Name != CmdHold {
		t.Fatalf("unexpected %v", c)
	}
	select {
	case <-fs.conns:
		t.Fatal("reconnected")
	default:
	}
}

func TestStreamListCallsRateLimited(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	sub := fc.expect(CmdSubscribe, 0)
	fc.reply(sub.ID, &Response{Result: &Result{Type: TypeInt, Text: "0"}})
	lc := fc.expect(CmdListCalls, 1)
	limitedAt := time.Now()
	fc.replyError(lc.ID, 6, "This application has been temporarily blocked for API misuse.")
	nextEvent(t, s, isConn(ConnLive))
	ev := nextEvent(t, s, isKind(EventConn))
	if ev.Conn.Status != ConnLive || !errors.Is(ev.Conn.Err, ErrRateLimited) {
		t.Fatalf("want live with rate limit, got %+v", ev.Conn)
	}
	// Inside the window ListCalls fails fast without sending anything.
	if _, err := s.ListCalls(context.Background()); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("ListCalls in the window: %v", err)
	}
	// Events still flow meanwhile.
	fc.replyCalls(sub.ID, ringing("9"))
	if ev := nextEvent(t, s, nil); ev.Kind != EventCall {
		t.Fatalf("%+v", ev)
	}
	lc = fc.expect(CmdListCalls, 1)
	if waited := time.Since(limitedAt); waited < 20*time.Millisecond {
		t.Errorf("listCalls retried after %v, before half the window", waited)
	}
	fc.replyCalls(lc.ID, ringing("9"))
	if ev := nextEvent(t, s, nil); ev.Kind != EventSnapshot || len(ev.Calls) != 1 {
		t.Fatalf("%+v", ev)
	}
	if ev := nextEvent(t, s, nil); ev.Kind != EventConn || ev.Conn.Status != ConnLive || ev.Conn.Err != nil {
		t.Fatalf("want live again, got %+v", ev)
	}
	// A user ListCalls works now and is a snapshot too.
	type res struct {
		calls []Call
		err   error
	}
	rc := make(chan res, 1)
	go func() { c, err := s.ListCalls(context.Background()); rc <- res{c, err} }()
	lc = fc.expect(CmdListCalls, 1)
	fc.replyCalls(lc.ID)
	if r := <-rc; r.err != nil || r.calls == nil || len(r.calls) != 0 {
		t.Fatalf("ListCalls: %+v", r)
	}
	if ev := nextEvent(t, s, nil); ev.Kind != EventSnapshot || len(ev.Calls) != 0 {
		t.Fatalf("%+v", ev)
	}
}

// TestStreamAuthRefusedRetriesSlowly: a refused subscribe (error 5) waits
// the auth retry, not the reconnect backoff, and SetPIN connects at once
// with the new PIN.
func TestStreamAuthRefusedRetriesSlowly(t *testing.T) {
	fs := newFakeServer(t)
	fixed := time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC)
	s := testStream(t, fs, WithClock(func() time.Time { return fixed }), WithAuthRetry(time.Hour))
	runStream(t, s)
	fc := fs.conn()
	sub := fc.expect(CmdSubscribe, 0)
	fc.replyError(sub.ID, 5, "Authorization or authentication failed")
	ev := nextEvent(t, s, isConn(ConnReconnecting))
	if !errors.Is(ev.Conn.Err, ErrAuth) || ev.Conn.NextTry.Sub(fixed) != time.Hour {
		t.Fatalf("want reconnecting in an hour for the auth error, got %+v", ev.Conn)
	}
	if r := Reason(ev.Conn.Err); r != "DID or PIN refused" {
		t.Errorf("reason %q", r)
	}
	select {
	case <-fs.conns:
		t.Fatal("reconnected at the normal pace after error 5")
	case <-time.After(100 * time.Millisecond):
	}
	if err := s.Answer(context.Background(), ""); !errors.Is(err, ErrNotConnected) {
		t.Errorf("answer while refused: %v", err)
	}

	if err := s.SetPIN("13579"); err != nil {
		t.Fatal(err)
	}
	fc = fs.conn()
	sub = fc.next()
	if sub.Name != CmdSubscribe || sub.Password != "13579" {
		t.Fatalf("after SetPIN: %s with password %q", sub.Name, sub.Password)
	}
	fc.reply(sub.ID, &Response{Result: &Result{Type: TypeInt, Text: "0"}})
	if lc := fc.next(); lc.Name != CmdListCalls || lc.Password != "13579" {
		t.Fatalf("then %s with password %q", lc.Name, lc.Password)
	} else {
		fc.replyCalls(lc.ID)
	}
	nextEvent(t, s, isKind(EventSnapshot))
}

// TestStreamCommandAuthErrorFailsOnlyIt: error 5 on one command fails that
// command; the stream stays live and the next command goes through.
func TestStreamCommandAuthErrorFailsOnlyIt(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))
	done := make(chan error, 1)
	go func() { done <- s.Answer(context.Background(), "66517") }()
	ans := fc.expect(CmdAnswer, 2)
	fc.replyError(ans.ID, 5, "Authorization or authentication failed")
	if err := <-done; !errors.Is(err, ErrAuth) {
		t.Fatalf("answer: %v", err)
	}
	go func() { done <- s.Hold(context.Background(), "66517") }()
	hold := fc.expect(CmdHold, 1)
	fc.replyBool(hold.ID, true)
	if err := <-done; err != nil {
		t.Fatalf("hold after the refused answer: %v", err)
	}
	if st := s.State(); st.Status != ConnLive {
		t.Fatalf("state %+v", st)
	}
	select {
	case <-fs.conns:
		t.Fatal("reconnected after error 5 on a command")
	default:
	}
}

// TestStreamUnknownStateResyncs: an event in a state the guide does not
// list asks for a listCalls, so the call's true state shows soon.
func TestStreamUnknownStateResyncs(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	subID := fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))
	c := ringing("66517")
	c.State = "CONNNECTED" // the guide's spelling: no resync needed
	fc.replyCalls(subID, c)
	c.State = "PARKED"
	fc.replyCalls(subID, c)
	lc := fc.expect(CmdListCalls, 1)
	c.State = "HOLDING"
	fc.replyCalls(lc.ID, c)
	ev := nextEvent(t, s, isKind(EventSnapshot))
	if len(ev.Calls) != 1 || ev.Calls[0].State != "HOLDING" {
		t.Fatalf("snapshot %+v", ev.Calls)
	}
}

func TestStreamPhoneNotLoggedIn(t *testing.T) {
	fs := newFakeServer(t)
	fixed := time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC)
	s := testStream(t, fs, WithClock(func() time.Time { return fixed }))
	runStream(t, s)
	fc := fs.conn()
	sub := fc.expect(CmdSubscribe, 0)
	fc.replyError(sub.ID, 8, "Endpoint not found. Log into your phone.")
	ev := nextEvent(t, s, isConn(ConnReconnecting))
	if !errors.Is(ev.Conn.Err, ErrPhoneNotLoggedIn) || !ev.At.Equal(fixed) || ev.Conn.NextTry.Sub(fixed) != 60*time.Millisecond {
		t.Fatalf("reconnecting %+v at %v", ev.Conn, ev.At)
	}
	began := time.Now()
	fc2 := fs.conn()
	if d := time.Since(began); d > time.Second {
		t.Errorf("slow retry took %v", d)
	}
	fc2.handshake()
	nextEvent(t, s, isKind(EventSnapshot))
}

func TestStreamAPIErrorsNameTheCommand(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))
	cases := []struct {
		major int
		want  error
	}{{2, ErrBadCommand}, {3, ErrBadCommand}, {4, ErrBadCommand}, {13, ErrBadArguments}, {19, ErrBadXML}, {8, ErrPhoneNotLoggedIn}, {42, nil}}
	for _, tc := range cases {
		errc := make(chan error, 1)
		go func() { errc <- s.Ignore(context.Background(), "7") }()
		c := fc.expect(CmdIgnore, 1)
		fc.replyError(c.ID, tc.major, "server text\x1b[31m")
		err := <-errc
		var ae *APIError
		if !errors.As(err, &ae) || ae.Major != tc.major || ae.Command != "ignore" {
			t.Fatalf("error %d: %v", tc.major, err)
		}
		if tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("error %d does not match %v", tc.major, tc.want)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "ignore failed: ") || strings.ContainsRune(msg, 0x1b) {
			t.Errorf("message %q", msg)
		}
	}
}

// A server that never answers the subscribe, a bad HTTP status and one
// that sends nothing but malformed documents each end the connection, and
// the stream connects again.
func TestStreamReconnectsOnBadStatusTimeoutAndGarbage(t *testing.T) {
	// The connect timeout is short here so that the silent server is found
	// out quickly; so short that a loaded machine may not answer anything
	// within it, so this stream is only asked to try again.
	fs := newFakeServer(t)
	s := testStream(t, fs, WithConnectTimeout(200*time.Millisecond))
	runStream(t, s)
	fs.conn().expect(CmdSubscribe, 0)
	ev := nextEvent(t, s, isConn(ConnReconnecting))
	if !errors.Is(ev.Conn.Err, errConnectTimeout) || ev.Conn.Attempt != 1 {
		t.Fatalf("after a silent server: %+v", ev.Conn)
	}
	fs.conn().expect(CmdSubscribe, 0)

	// A 503, then garbage, on a stream with the usual connect timeout.
	fs = newFakeServer(t)
	fs.status <- http.StatusServiceUnavailable
	s = testStream(t, fs)
	runStream(t, s)
	ev = nextEvent(t, s, isConn(ConnReconnecting))
	if ev.Conn.Err == nil || !strings.Contains(ev.Conn.Err.Error(), "503") || ev.Conn.Attempt != 1 {
		t.Fatalf("after 503: %+v", ev.Conn)
	}
	fc := fs.conn()
	fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))
	fc.write([]byte(strings.Repeat("<org.m5.api.v1.Response></oops>", maxMalformedInARow)))
	ev = nextEvent(t, s, isConn(ConnReconnecting))
	if !errors.Is(ev.Conn.Err, errTooMalformed) {
		t.Fatalf("after garbage: %+v", ev.Conn)
	}
	fs.conn().handshake()
	nextEvent(t, s, isKind(EventSnapshot))
}

// ParkedIn counts goroutines blocked in a select inside fn whose stack also
// names caller. (Exported for the package's external tests.)
func ParkedIn(fn, caller string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "[select") && strings.Contains(g, fn) && strings.Contains(g, caller) {
			count++
		}
	}
	return count
}

// A ListCalls that comes while one is in flight shares its reply, and a
// caller that gives up does not take the listCalls down with it.
func TestStreamListCallsSharesTheFlight(t *testing.T) {
	fs := newFakeServer(t)
	s := testStream(t, fs)
	runStream(t, s)
	fc := fs.conn()
	fc.handshake()
	nextEvent(t, s, isKind(EventSnapshot))

	type result struct {
		calls []Call
		err   error
	}
	gone, giveUp := context.WithCancel(context.Background())
	first := make(chan result, 1)
	go func() { c, err := s.ListCalls(gone); first <- result{c, err} }()
	lc := fc.expect(CmdListCalls, 1)

	const callers = 3
	shared := make(chan result, callers)
	for range callers {
		go func() { c, err := s.ListCalls(context.Background()); shared <- result{c, err} }()
	}
	deadline := time.Now().Add(5 * time.Second)
	for ParkedIn("transport.(*conn).listCalls", t.Name()) < callers+1 {
		if time.Now().After(deadline) {
			t.Fatal("the callers do not wait for the listCalls in flight")
		}
		time.Sleep(time.Millisecond)
	}
	giveUp()
	if r := <-first; !errors.Is(r.err, context.Canceled) {
		t.Fatalf("the caller that gave up: %+v", r)
	}
	fc.replyCalls(lc.ID, ringing("7"))
	for range callers {
		if r := <-shared; r.err != nil || len(r.calls) != 1 || r.calls[0].ID != "7" {
			t.Fatalf("shared ListCalls: %+v", r)
		}
	}
	if ev := nextEvent(t, s, nil); ev.Kind != EventSnapshot || len(ev.Calls) != 1 {
		t.Fatalf("one snapshot for the shared listCalls, got %+v", ev)
	}
	// The next ListCalls sends its own.
	go func() { c, err := s.ListCalls(context.Background()); shared <- result{c, err} }()
	fc.replyCalls(fc.expect(CmdListCalls, 1).ID)
	if r := <-shared; r.err != nil || len(r.calls) != 0 {
		t.Fatalf("ListCalls after the shared one: %+v", r)
	}
	select {
	case c := <-fc.cmds:
		t.Fatalf("unexpected %v", c)
	default:
	}
}
