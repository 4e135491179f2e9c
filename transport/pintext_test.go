package transport

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
)

// An error never has the PIN's digits cut out of it: with a one-digit PIN
// that occurs in the server's port, the port is shown whole, and the query
// (which carries the PIN) is not shown at all.
func TestErrorsShowNumbersThatContainThePIN(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, port, _ := net.SplitHostPort(addr)
	for _, pin := range []Secret{Secret(port[len(port)-1:]), Secret(port[:2])} {
		c, err := NewClient(Account{Server: "http://" + addr + "/bobl/bobl", User: "6465551000", PIN: pin})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Dial(context.Background(), "6465551234")
		if err == nil {
			t.Fatal("dial to a closed port succeeded")
		}
		msg := err.Error()
		if !strings.Contains(msg, addr) || strings.Contains(msg, "redacted") || strings.Contains(msg, "password") || strings.Contains(msg, "?") {
			t.Errorf("PIN %q: %s", pin, msg)
		}
	}

	// The server's text: numbers that merely contain the PIN stay as they
	// are; text that repeats the PIN is left out whole.
	for _, tc := range []struct {
		pin, text string
		shown     bool
	}{
		{"7", "argument 2 of 17 is not a number (line 47110)", true},
		{"4711", "port 47110, call 14711 refused", true},
		{"7", "password 7 refused", false},
		{"4711", "<Password>4711</Password>", false},
		{"7", "7", false},
	} {
		gs := newGetServer(t, false, func(w http.ResponseWriter, name string, args []string) {
			writeResponse(w, &Response{Errors: []Error{{MajorErrorCode: 13, Message: tc.text}}})
		})
		acct := gs.account()
		acct.PIN = Secret(tc.pin)
		c, _ := NewClient(acct)
		err := c.Hold(context.Background(), "")
		if err == nil {
			t.Fatal("hold succeeded")
		}
		msg := err.Error()
		if strings.Contains(msg, "redacted") {
			t.Errorf("PIN %s, server text %q: %s", tc.pin, tc.text, msg)
		}
		if got := strings.Contains(msg, tc.text); got != tc.shown {
			t.Errorf("PIN %s, server text %q: shown=%v: %s", tc.pin, tc.text, got, msg)
		}
		if !tc.shown && !strings.Contains(msg, "it repeats the PIN") {
			t.Errorf("PIN %s: no word of the left-out text: %s", tc.pin, msg)
		}
	}
}

func TestDisplayURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://front:4711@sky.example.com/bobl?password=4711#x": "https://sky.example.com/bobl",
		"https://sky.example.com:8443/bobl/bobl":                  "https://sky.example.com:8443/bobl/bobl",
		"front:4711@sky.example.com":                              "sky.example.com",
		"https://a@b@sky.example.com/x@y":                         "https://sky.example.com/x@y",
		"https://front:4711@[::1/bobl":                            "https://[::1/bobl",
	} {
		if got := DisplayURL(raw); got != want {
			t.Errorf("DisplayURL(%q) = %q, want %q", raw, got, want)
		}
	}
	_, err := Account{Server: "https://front:4711@sky.example.com/bobl", User: "6465551000", PIN: "1"}.validate()
	if err == nil || strings.Contains(err.Error(), "4711") || !strings.Contains(err.Error(), "must not carry a user or password") {
		t.Fatalf("server URL with a password: %v", err)
	}
}
