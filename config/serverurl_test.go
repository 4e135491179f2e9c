package config

import (
	"strings"
	"testing"
)

// A bad server URL is reported as typed, but without the user, password
// and query it may carry.
func TestBadServerURLReportedWithoutSecrets(t *testing.T) {
	e, path := setup(t)
	for _, server := range []string{
		"ftp://front:4711@sky.example.com/bobl/bobl?password=4711",
		"https://front:4711@sky.example.com:99999999/bobl",
		"sky.example.com/bobl?password=4711",
		"https://front:4711@[::1/bobl",
	} {
		write(t, path, "server = \""+server+"\"\n", 0o600)
		_, err := load(t, e)
		if err == nil {
			t.Errorf("%s: accepted", server)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "4711") || strings.Contains(msg, "front:") || strings.Contains(msg, "password=") {
			t.Errorf("%s: %s", server, msg)
		}
		if !strings.Contains(msg, "sky.example.com") && !strings.Contains(msg, "[::1/bobl") {
			t.Errorf("%s: the URL is not named: %s", server, msg)
		}
	}
}
