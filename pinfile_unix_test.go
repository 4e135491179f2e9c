//go:build unix

package main

import (
	"context"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/config"
)

// --pin-file naming a named pipe is a mistake said at once (exit 2), not a
// command waiting forever for someone to write to the pipe.
func TestPINFileFIFORefused(t *testing.T) {
	srv, env := startSim(t)
	delete(env, config.EnvPIN)
	fifo := filepath.Join(t.TempDir(), "pin")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan result, 1)
	go func() { done <- runWith(t, context.Background(), env, "calls", "--pin-file", fifo) }()
	select {
	case r := <-done:
		if r.code != exitUsage || !strings.Contains(r.stderr, fifo) || !strings.Contains(r.stderr, "named pipe") {
			t.Errorf("calls --pin-file FIFO: exit %d, stderr %q; want %d and a message naming %s", r.code, r.stderr, exitUsage, fifo)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("calls --pin-file FIFO blocked")
	}
	if st := srv.Stats(); st.Connections != 0 {
		t.Errorf("a refused PIN file reached the server: %+v", st)
	}
}
