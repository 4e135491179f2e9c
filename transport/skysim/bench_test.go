package skysim

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/frontdesk/frontdesk/transport"
)

func benchServer(b *testing.B) (*Server, string) {
	b.Helper()
	srv := New(Config{Accounts: []Account{{DID: testDID, PIN: testPIN}}})
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv, u
}

// BenchmarkStreamCommand: one command and its reply on the stream.
func BenchmarkStreamCommand(b *testing.B) {
	_, u := benchServer(b)
	s := openStream(b, u)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.send(transport.CmdHold, testDID, testPIN, strconv.Itoa(i), "")
		if r := s.next(); r.ID != strconv.Itoa(i) {
			b.Fatalf("reply %+v", r)
		}
	}
}

// BenchmarkEventFanOut: one state change pushed to 10 subscribed streams.
func BenchmarkEventFanOut(b *testing.B) {
	srv, u := benchServer(b)
	var streams []*stream
	for i := 0; i < 10; i++ {
		s := openStream(b, u)
		s.send(transport.CmdSubscribe, testDID, testPIN, "1")
		s.next()
		streams = append(streams, s)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := srv.Ring(testDID, "1234", nil)
		for _, s := range streams {
			s.next()
		}
		srv.SetState(testDID, id, StateDeleted)
		for _, s := range streams {
			s.next()
		}
	}
}

// BenchmarkGET: one listCalls over GET.
func BenchmarkGET(b *testing.B) {
	_, u := benchServer(b)
	q := url.Values{"name": {transport.CmdListCalls}, "user": {testDID}, "password": {testPIN}, "args": {""}}
	target := u + "?" + q.Encode()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.Get(target)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkFramer: cutting a stream of request documents.
func BenchmarkFramer(b *testing.B) {
	doc := cmdDoc(transport.CmdAnswer, testDID, testPIN, "1", "", "")
	b.SetBytes(int64(len(doc)))
	var f framer
	for i := 0; i < b.N; i++ {
		f.feed(doc)
		if fr, ok := f.next(false); !ok || fr.err != nil {
			b.Fatal("no frame")
		}
	}
}
