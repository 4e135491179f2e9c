//go:build unix

package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A PIN "file" that is a named pipe, a directory or a device is refused at
// once, naming the path and what it is, instead of waiting on it.
func TestPINFileNotRegular(t *testing.T) {
	e, path := setup(t)
	dir := filepath.Dir(path)
	fifo := filepath.Join(dir, "pin.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "pin.d")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	for p, kind := range map[string]string{fifo: "named pipe", sub: "directory", os.DevNull: "device"} {
		c, err := load(t, e, "--user", "6465551000", "--pin-file", p)
		if err != nil {
			t.Fatal(err)
		}
		read := make(chan error, 1)
		go func() { read <- c.ReadPIN(nil) }()
		select {
		case err := <-read:
			if err == nil || !strings.Contains(err.Error(), kind) || !strings.Contains(err.Error(), p) {
				t.Errorf("PIN file %s: error %v, want one naming it and %q", p, err, kind)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("reading the PIN from %s (%s) blocked", p, kind)
		}
	}
}
