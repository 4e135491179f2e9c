package skysim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

const (
	testDID  = "6465551000"
	testPIN  = "12345"
	otherDID = "2125550199"
	otherPIN = "97531"
)

// wait is the deadline for anything a test awaits.
const wait = 5 * time.Second

type fixture struct {
	srv   *Server
	url   string
	clock *ManualClock
}

func newFixture(t *testing.T, mutate ...func(*Config)) *fixture {
	t.Helper()
	clock := NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	cfg := Config{
		Accounts:         []Account{{DID: testDID, PIN: testPIN}, {DID: otherDID, PIN: otherPIN}},
		Seed:             1,
		DialConnectDelay: 2 * time.Second,
		Clock:            clock,
	}
	for _, m := range mutate {
		m(&cfg)
	}
	srv := New(cfg)
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return &fixture{srv: srv, url: u, clock: clock}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// cmdDoc builds a request document the way the guide prints it.
func cmdDoc(name, user, pin, id string, args ...string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<Command>\n")
	fmt.Fprintf(&b, "  <Name>%s</Name>\n  <User>%s</User>\n  <Password>%s</Password>\n", name, user, pin)
	for _, a := range args {
		fmt.Fprintf(&b, `  <Arguments xsi:type="ns3:string" xmlns:ns3="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">%s</Arguments>`+"\n", a)
	}
	if id != "" {
		fmt.Fprintf(&b, "  <Id>%s</Id>\n", id)
	}
	b.WriteString("</Command>\n")
	return b.Bytes()
}

// get runs one command over GET and decodes the reply.
func get(t *testing.T, base, name, user, pin string, args ...string) (transport.Response, string) {
	t.Helper()
	q := url.Values{"name": {name}, "user": {user}, "password": {pin}}
	for _, a := range args {
		q.Add("args", a)
	}
	resp, err := http.Get(base + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", name, resp.StatusCode)
	}
	return decode(t, body), string(body)
}

func decode(t testing.TB, doc []byte) transport.Response {
	t.Helper()
	var r transport.Response
	if err := xml.Unmarshal(doc, &r); err != nil {
		t.Fatalf("decode %q: %v", doc, err)
	}
	return r
}

// stream is a hand-written client of the long-lived POST: it writes the
// request and its chunks on a raw TCP connection and reads the response's
// chunks one by one, so tests can see chunk boundaries.
type stream struct {
	t       testing.TB
	conn    net.Conn
	chunks  chan []byte
	end     chan error // nil: the response ended with its zero-length chunk
	interim chan string
	buf     []byte
}

func openStream(t testing.TB, rawURL string) *stream {
	return openStreamHeader(t, rawURL, "Transfer-Encoding: chunked\r\n", nil)
}

// openStreamHeader sends the request head with extra header lines and an
// optional first body part written straight after it.
func openStreamHeader(t testing.TB, rawURL, header string, body []byte) *stream {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, wait)
	if err != nil {
		t.Fatal(err)
	}
	s := &stream{t: t, conn: conn, chunks: make(chan []byte, 1024), end: make(chan error, 1), interim: make(chan string, 4)}
	t.Cleanup(func() { _ = conn.Close() })
	head := "POST " + u.Path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: text/xml\r\n" + header + "\r\n"
	if _, err := conn.Write(append([]byte(head), body...)); err != nil {
		t.Fatal(err)
	}
	go s.read()
	return s
}

func (s *stream) read() {
	br := bufio.NewReader(s.conn)
	tp := textproto.NewReader(br)
	status, err := tp.ReadLine()
	if err != nil {
		s.end <- err
		close(s.chunks)
		return
	}
	for strings.HasPrefix(status, "HTTP/1.1 100 ") { // interim response
		s.interim <- status
		if _, err := tp.ReadMIMEHeader(); err != nil {
			s.end <- err
			close(s.chunks)
			return
		}
		if status, err = tp.ReadLine(); err != nil {
			s.end <- err
			close(s.chunks)
			return
		}
	}
	if !strings.Contains(status, " 200 ") {
		s.end <- fmt.Errorf("status %q", status)
		close(s.chunks)
		return
	}
	hdr, err := tp.ReadMIMEHeader()
	if err != nil {
		s.end <- err
		close(s.chunks)
		return
	}
	if hdr.Get("Transfer-Encoding") != "chunked" {
		s.end <- fmt.Errorf("response is not chunked: %v", hdr)
		close(s.chunks)
		return
	}
	for {
		line, err := tp.ReadLine()
		if err != nil {
			s.end <- err
			close(s.chunks)
			return
		}
		n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 64)
		if err != nil {
			s.end <- err
			close(s.chunks)
			return
		}
		if n == 0 {
			s.end <- nil
			close(s.chunks)
			return
		}
		c := make([]byte, n+2)
		if _, err := io.ReadFull(br, c); err != nil {
			s.end <- err
			close(s.chunks)
			return
		}
		s.chunks <- c[:n]
	}
}

func (s *stream) chunk(b []byte) {
	s.t.Helper()
	if _, err := fmt.Fprintf(s.conn, "%x\r\n%s\r\n", len(b), b); err != nil {
		s.t.Fatal(err)
	}
}

// closeBody sends the zero-length chunk that ends the request body.
func (s *stream) closeBody() {
	s.t.Helper()
	if _, err := io.WriteString(s.conn, "0\r\n\r\n"); err != nil {
		s.t.Fatal(err)
	}
}

func (s *stream) send(name, user, pin, id string, args ...string) {
	s.t.Helper()
	s.chunk(cmdDoc(name, user, pin, id, args...))
}

// nextChunk returns the next response chunk; ok false at the end.
func (s *stream) nextChunk() ([]byte, bool) {
	s.t.Helper()
	select {
	case c, ok := <-s.chunks:
		return c, ok
	case <-time.After(wait):
		s.t.Fatal("timed out waiting for a chunk")
		return nil, false
	}
}

var docEnd = []byte("</org.m5.api.v1.Response>\n")

// nextDoc returns the next whole response document, however it was chunked.
func (s *stream) nextDoc() []byte {
	s.t.Helper()
	for {
		if i := bytes.Index(s.buf, docEnd); i >= 0 {
			doc := s.buf[:i+len(docEnd)]
			s.buf = s.buf[i+len(docEnd):]
			return doc
		}
		c, ok := s.nextChunk()
		if !ok {
			s.t.Fatalf("stream ended (%v) waiting for a document; have %q", <-s.end, s.buf)
		}
		s.buf = append(s.buf, c...)
	}
}

func (s *stream) next() transport.Response {
	s.t.Helper()
	return decode(s.t, s.nextDoc())
}

// expectEnd waits for the response to end and returns how: nil for a clean
// zero-length chunk.
func (s *stream) expectEnd() error {
	s.t.Helper()
	for {
		c, ok := s.nextChunk()
		if !ok {
			return <-s.end
		}
		s.buf = append(s.buf, c...)
	}
}

// quiet asserts nothing arrives for a short while.
func (s *stream) quiet(d time.Duration) {
	s.t.Helper()
	select {
	case c, ok := <-s.chunks:
		if ok {
			s.t.Fatalf("unexpected chunk %q", c)
		}
		s.t.Fatalf("stream ended unexpectedly: %v", <-s.end)
	case <-time.After(d):
	}
}

// subscribe subscribes the stream to did and waits until the server has it.
func (s *stream) subscribe(f *fixture, did, pin, id string) {
	s.t.Helper()
	before := f.srv.Stats().Subscribers[did]
	s.send(transport.CmdSubscribe, did, pin, id)
	r := s.next()
	if r.ErrorCount != 0 || r.ID != id || r.Result == nil || r.Result.Text != "0" {
		s.t.Fatalf("subscribe reply %+v", r)
	}
	if err := f.srv.WaitSubscribed(ctxT(s.t), did, before+1); err != nil {
		s.t.Fatal(err)
	}
}

func boolResult(t *testing.T, r transport.Response) bool {
	t.Helper()
	if r.ErrorCount != 0 || r.Result == nil || localType(r.Result.Type) != transport.TypeBoolean {
		t.Fatalf("want a boolean result, got %+v", r)
	}
	return r.Result.Text == "true"
}

func errorOf(t *testing.T, r transport.Response) (int, string) {
	t.Helper()
	if r.ErrorCount != 1 || len(r.Errors) != 1 || r.Result != nil {
		t.Fatalf("want one error, got %+v", r)
	}
	return r.Errors[0].MajorErrorCode, r.Errors[0].Message
}

func eventCall(t testing.TB, r transport.Response, subID string) transport.Call {
	t.Helper()
	if r.ErrorCount != 0 || r.ID != subID || r.Result == nil || localType(r.Result.Type) != transport.TypeXMLList || len(r.Result.Items) != 1 {
		t.Fatalf("want an event for subscription %s, got %+v", subID, r)
	}
	return r.Result.Items[0]
}

func strp(s string) *string { return &s }

// localType drops a namespace prefix ("ns5:boolean" -> "boolean"), whether
// or not the wire types already did.
func localType(t string) string {
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		return t[i+1:]
	}
	return t
}
