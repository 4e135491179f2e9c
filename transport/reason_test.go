package transport

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestOfflineReasons: each way the server can be out of reach is told in
// words, and the failures that will not fix themselves wait the slow retry.
func TestOfflineReasons(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/bobl/bobl"
	ln.Close()
	status := func(code int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			// As a proxy answers: at once, without reading the body.
			rc := http.NewResponseController(w)
			rc.EnableFullDuplex()
			w.WriteHeader(code)
			rc.Flush()
		}))
		t.Cleanup(srv.Close)
		return srv.URL + "/bobl/bobl"
	}
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(tlsSrv.Close)

	const slow = time.Hour
	for _, tc := range []struct {
		name, server, reason string
		slow                 bool
	}{
		{"refused", closed, "connection refused", false},
		{"bad gateway", status(http.StatusBadGateway), "server answered HTTP 502 Bad Gateway", false},
		{"not found", status(http.StatusNotFound), "server answered HTTP 404 Not Found", true},
		{"untrusted certificate", tlsSrv.URL + "/bobl/bobl", "certificate not trusted (set ca_file)", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewStream(Account{Server: tc.server, User: "6465551000", PIN: testPIN},
				WithBackoff(time.Millisecond, 10*time.Millisecond), WithSlowRetry(slow))
			if err != nil {
				t.Fatal(err)
			}
			runStream(t, s)
			ev := nextEvent(t, s, isConn(ConnReconnecting))
			if got := Reason(ev.Conn.Err); got != tc.reason {
				t.Errorf("reason %q, want %q (err %v)", got, tc.reason, ev.Conn.Err)
			}
			wait := time.Until(ev.Conn.NextTry)
			if tc.slow != (wait > slow/2) {
				t.Errorf("next try in %v; slow retry %v", wait, tc.slow)
			}
		})
	}
	if got := Reason(&net.DNSError{Err: "no such host", Name: "nowhere.invalid", IsNotFound: true}); got != "server name not found" {
		t.Errorf("DNS: %q", got)
	}
}
