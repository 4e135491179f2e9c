package transport

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// getServer answers GET commands with reply(name, args) and records the raw
// queries it saw.
type getServer struct {
	srv     *httptest.Server
	mu      sync.Mutex
	queries []string
	reply   func(w http.ResponseWriter, name string, args []string)
}

func newGetServer(t *testing.T, tls bool, reply func(w http.ResponseWriter, name string, args []string)) *getServer {
	gs := &getServer{reply: reply}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gs.mu.Lock()
		gs.queries = append(gs.queries, r.URL.RawQuery)
		gs.mu.Unlock()
		if r.Method != http.MethodGet || r.URL.Path != "/bobl/bobl" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		q := r.URL.Query()
		gs.reply(w, q.Get("name"), q["args"])
	})
	if tls {
		gs.srv = httptest.NewUnstartedServer(h)
		gs.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted-certificate case is expected
		gs.srv.StartTLS()
	} else {
		gs.srv = httptest.NewServer(h)
	}
	t.Cleanup(gs.srv.Close)
	return gs
}

func (gs *getServer) account() Account {
	return Account{Server: gs.srv.URL + "/bobl/bobl", User: "6465551000", PIN: "12345"}
}

func (gs *getServer) lastQuery() string {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	if len(gs.queries) == 0 {
		return ""
	}
	return gs.queries[len(gs.queries)-1]
}

func writeResponse(w http.ResponseWriter, r *Response) {
	w.Header().Set("Content-Type", "text/xml")
	w.Write(r.Encode())
}

func TestClientQueriesExactlyAsGuide(t *testing.T) {
	gs := newGetServer(t, false, func(w http.ResponseWriter, name string, args []string) {
		if name == CmdListCalls {
			writeResponse(w, &Response{ID: "1", Result: &Result{Type: TypeXMLList, Items: []Call{ringing("66517")}}})
			return
		}
		writeResponse(w, &Response{ID: "1", Result: &Result{Type: TypeBoolean, Text: "true"}})
	})
	c, err := NewClient(gs.account())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const pre = "name=org.m5.apps.v1.cti.ClickToDial."
	const auth = "&user=6465551000&password=12345"
	tests := []struct {
		do   func() error
		want string
	}{
		{func() error { return c.Dial(ctx, "6465551234") }, pre + "dial" + auth + "&args=6465551234&args="},
		{func() error { return c.Answer(ctx, "") }, pre + "answer" + auth + "&args=&args="},
		{func() error { return c.Answer(ctx, "66517") }, pre + "answer" + auth + "&args=66517&args="},
		{func() error { return c.Ignore(ctx, "66517") }, pre + "ignore" + auth + "&args=66517"},
		{func() error { return c.Release(ctx, "") }, pre + "release" + auth + "&args="},
		{func() error { return c.Hold(ctx, "66517") }, pre + "hold" + auth + "&args=66517"},
		{func() error { return c.Resume(ctx, "66517") }, pre + "resume" + auth + "&args=66517"},
		{func() error {
			calls, err := c.ListCalls(ctx)
			if err == nil && (len(calls) != 1 || calls[0].ID != "66517") {
				return errors.New("wrong calls")
			}
			return err
		}, pre + "listCalls" + auth + "&args="},
		{func() error { return c.Dial(ctx, "+1 (646) 555&x") }, pre + "dial" + auth + "&args=%2B1+%28646%29+555%26x&args="},
	}
	for _, tt := range tests {
		if err := tt.do(); err != nil {
			t.Errorf("%s: %v", tt.want, err)
		}
		if got := gs.lastQuery(); got != tt.want {
			t.Errorf("query\n got  %s\n want %s", got, tt.want)
		}
	}
	// With an endpoint, it is the last argument of dial, answer, listCalls.
	acct := gs.account()
	acct.Endpoint = "0010492e1234"
	c2, _ := NewClient(acct)
	c2.Dial(ctx, "1234")
	if got := gs.lastQuery(); got != pre+"dial"+auth+"&args=1234&args=0010492e1234" {
		t.Errorf("dial with endpoint: %s", got)
	}
	if err := c.Dial(ctx, " "); err == nil {
		t.Error("dial with no number")
	}
}

func TestClientResults(t *testing.T) {
	var mu sync.Mutex
	var next *Response
	status := http.StatusOK
	gs := newGetServer(t, false, func(w http.ResponseWriter, name string, args []string) {
		mu.Lock()
		defer mu.Unlock()
		if status != http.StatusOK {
			w.WriteHeader(status)
			return
		}
		if next == nil {
			w.Write([]byte("<html>not xml"))
			return
		}
		writeResponse(w, next)
	})
	set := func(r *Response, st int) { mu.Lock(); next, status = r, st; mu.Unlock() }
	c, _ := NewClient(gs.account())
	ctx := context.Background()

	set(&Response{Result: &Result{Type: TypeBoolean, Text: "false"}}, 200)
	if err := c.Hold(ctx, "9"); !errors.Is(err, ErrNotApplied) || err.Error() != "hold 9: the phone did not act on it" {
		t.Errorf("false: %v", err)
	}
	for major, want := range map[int]error{5: ErrAuth, 6: ErrRateLimited, 8: ErrPhoneNotLoggedIn, 2: ErrBadCommand, 13: ErrBadArguments, 19: ErrBadXML} {
		set(&Response{Errors: []Error{{MajorErrorCode: major, Message: "m"}}}, 200)
		_, err := c.ListCalls(ctx)
		var ae *APIError
		if !errors.Is(err, want) || !errors.As(err, &ae) || ae.Command != "listCalls" {
			t.Errorf("error %d: %v", major, err)
		}
	}
	set(&Response{Result: &Result{Type: TypeBoolean, Text: "true"}}, 200)
	if _, err := c.ListCalls(ctx); !errors.Is(err, ErrUnexpectedReply) {
		t.Errorf("boolean for listCalls: %v", err)
	}
	set(&Response{Result: &Result{Type: TypeXMLList}}, 200)
	if calls, err := c.ListCalls(ctx); err != nil || calls == nil || len(calls) != 0 {
		t.Errorf("idle phone: %v %v", calls, err)
	}
	set(nil, 200)
	if err := c.Answer(ctx, ""); !errors.Is(err, ErrUnexpectedReply) {
		t.Errorf("not xml: %v", err)
	}
	set(nil, http.StatusServiceUnavailable)
	if err := c.Answer(ctx, ""); err == nil || !strings.Contains(err.Error(), "503") || strings.Contains(err.Error(), "12345") {
		t.Errorf("503: %v", err)
	}
}

func TestClientRefusesRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("redirect followed: the PIN went to another server")
	}))
	defer other.Close()
	redir := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/bobl/bobl?"+r.URL.RawQuery, http.StatusFound)
	}))
	defer redir.Close()
	c, _ := NewClient(Account{Server: redir.URL + "/bobl/bobl", User: "1", PIN: "12345"})
	err := c.Answer(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "302") || strings.Contains(err.Error(), "12345") {
		t.Errorf("redirect: %v", err)
	}
}

func writeCA(t *testing.T, srv *httptest.Server) string {
	path := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestClientTLS(t *testing.T) {
	gs := newGetServer(t, true, func(w http.ResponseWriter, name string, args []string) {
		writeResponse(w, &Response{Result: &Result{Type: TypeBoolean, Text: "true"}})
	})
	acct := gs.account()
	// Verification is on: the test server's certificate is not trusted.
	c, err := NewClient(acct)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Answer(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted certificate accepted: %v", err)
	}
	if strings.Contains(err.Error(), "12345") || strings.Contains(err.Error(), "password") {
		t.Errorf("error shows the PIN or query: %v", err)
	}
	// With the CA file it works.
	acct.CAFile = writeCA(t, gs.srv)
	c, err = NewClient(acct)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(context.Background(), ""); err != nil {
		t.Fatalf("with CA file: %v", err)
	}
	acct.CAFile = filepath.Join(t.TempDir(), "missing.pem")
	if _, err := NewClient(acct); err == nil {
		t.Error("missing CA file accepted")
	}
	os.WriteFile(acct.CAFile, []byte("not pem"), 0o600)
	if _, err := NewClient(acct); err == nil {
		t.Error("CA file without certificates accepted")
	}
}

func TestStreamTLS(t *testing.T) {
	fs := newFakeServerTLS(t, true) // HTTP/2 on offer: the client must still speak HTTP/1.1
	acct := fs.account()
	acct.CAFile = writeCA(t, fs.srv)
	s, err := NewStream(acct)
	if err != nil {
		t.Fatal(err)
	}
	runStream(t, s)
	fs.conn().handshake(ringing("1"))
	if ev := nextEvent(t, s, isKind(EventSnapshot)); len(ev.Calls) != 1 {
		t.Fatalf("%+v", ev)
	}
}

func TestAccountValidation(t *testing.T) {
	bad := []Account{
		{Server: "", User: "1", PIN: "2"},
		{Server: "ftp://x/bobl/bobl", User: "1", PIN: "2"},
		{Server: "http://example.com/bobl/bobl", User: "1", PIN: "2"},
		{Server: "https://u:p@example.com/bobl/bobl", User: "1", PIN: "2"},
		{Server: "https://example.com/bobl/bobl?password=2", User: "1", PIN: "2"},
		{Server: "https://example.com/bobl/bobl", User: "", PIN: "2"},
		{Server: "https://example.com/bobl/bobl", User: "1", PIN: ""},
		{Server: "https:///bobl/bobl", User: "1", PIN: "2"},
	}
	for _, a := range bad {
		if _, err := NewClient(a); err == nil {
			t.Errorf("accepted %v", a)
		}
		if _, err := NewStream(a); err == nil {
			t.Errorf("stream accepted %v", a)
		}
	}
	for _, server := range []string{DefaultServer, "http://127.0.0.1:8080/bobl/bobl", "http://localhost/bobl/bobl", "http://[::1]:9/bobl/bobl"} {
		if _, err := NewClient(Account{Server: server, User: "1", PIN: "2"}); err != nil {
			t.Errorf("%s: %v", server, err)
		}
	}
}
