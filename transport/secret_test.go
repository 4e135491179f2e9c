package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/internal/syncbuffer"
)

const testPIN = "98765"

// Printing an Account held in an unexported field of another struct would
// bypass its methods; the transport's own types hold it by pointer.
func TestPINNeverPrinted(t *testing.T) {
	acct := Account{Server: "http://127.0.0.1:1/bobl/bobl", User: "6465551000", PIN: testPIN, Endpoint: "e"}
	s, err := NewStream(acct)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(acct)
	if err != nil {
		t.Fatal(err)
	}
	cmd := NewCommand(CmdAnswer, acct.User, string(acct.PIN), "1", "66517", "")
	type holder struct {
		A   Account
		P   *Account
		S   Secret
		Cmd Command
	}
	values := []any{acct, &acct, acct.PIN, s, c, *c, cmd, &cmd, holder{acct, &acct, acct.PIN, cmd}, []Secret{acct.PIN}, map[string]Secret{"pin": acct.PIN}}
	for _, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, testPIN) || strings.Contains(out, fmt.Sprintf("%x", testPIN)) || strings.Contains(out, fmt.Sprintf("%X", testPIN)) {
				t.Errorf("%s of %T shows the PIN: %s", verb, v, out)
			}
		}
	}
	for _, v := range []any{acct, holder{acct, &acct, acct.PIN, cmd}} {
		b, err := json.Marshal(v)
		if err != nil || bytes.Contains(b, []byte(testPIN)) {
			t.Errorf("json: %s %v", b, err)
		}
	}
	if fmt.Sprint(acct.PIN) != "[redacted]" {
		t.Error("Secret does not print [redacted]")
	}
	// The command document itself does carry it, as the API requires.
	if !bytes.Contains(cmd.Encode(), []byte("<Password>"+testPIN+"</Password>")) {
		t.Error("encoded command lacks the password")
	}
}

func TestPINNotInErrorsOrLogs(t *testing.T) {
	var logs syncbuffer.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	// GET to a port nobody listens on: the url.Error would carry the query.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	acct := Account{Server: "http://" + addr + "/bobl/bobl", User: "6465551000", PIN: testPIN}
	c, _ := NewClient(acct, WithLogger(logger))
	err = c.Dial(context.Background(), "6465551234")
	if err == nil {
		t.Fatal("dial to a closed port succeeded")
	}
	check := func(what, s string) {
		t.Helper()
		if strings.Contains(s, testPIN) || strings.Contains(s, "password=") {
			t.Errorf("%s shows the PIN: %s", what, s)
		}
	}
	check("GET error", err.Error())
	check("GET error %+v", fmt.Sprintf("%+v %#v", err, err))
	for e := err; e != nil; e = errors.Unwrap(e) {
		check("wrapped GET error", e.Error())
	}

	// A server that echoes the PIN in its error messages.
	gs := newGetServer(t, false, func(w http.ResponseWriter, name string, args []string) {
		writeResponse(w, &Response{Errors: []Error{{MajorErrorCode: 19, Message: "Failed to unmarshall XML: <Password>" + testPIN + "</Password>"}}})
	})
	acct.Server = gs.srv.URL + "/bobl/bobl"
	c, _ = NewClient(acct, WithLogger(logger))
	err = c.Hold(context.Background(), "")
	if !errors.Is(err, ErrBadXML) {
		t.Fatalf("hold: %v", err)
	}
	check("API error", err.Error())

	// The stream: an error 19 echoing the PIN, then error 5, with debug logs.
	fs := newFakeServer(t)
	sacct := fs.account()
	sacct.PIN = testPIN
	s, _ := NewStream(sacct, WithLogger(logger), WithBackoff(5e6, 1e7))
	cancel, result := runStream(t, s)
	fc := fs.conn()
	sub := fc.next()
	if sub.Password != testPIN {
		t.Fatalf("subscribe password %q", sub.Password)
	}
	fc.replyError("", 19, "bad: "+testPIN)
	fc.replyError(sub.ID, 5, "Authorization or authentication failed for "+testPIN)
	ev := nextEvent(t, s, isConn(ConnReconnecting))
	if !errors.Is(ev.Conn.Err, ErrAuth) {
		t.Fatalf("reconnecting for %v", ev.Conn.Err)
	}
	check("stream error", ev.Conn.Err.Error())
	check("the reason on screen", Reason(ev.Conn.Err))
	cancel()
	if err := result(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	for ev := range s.Events() {
		if ev.Conn.Err != nil {
			check("conn event error", ev.Conn.Err.Error())
		}
	}
	check("logs", logs.String())
	if !strings.Contains(logs.String(), "stream") {
		t.Error("nothing was logged")
	}
}
