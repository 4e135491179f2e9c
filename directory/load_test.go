package directory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadWithin runs LoadContext and fails the test if it does not return:
// a FIFO with no writer or an endless device would hang it.
func loadWithin(t *testing.T, ctx context.Context, path string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, _, err := LoadContext(ctx, path)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("loading %s did not return", path)
		return nil
	}
}

func TestLoadReadsRegularFilesOnly(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "contacts.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{fifo, "/dev/zero", dir} {
		err := loadWithin(t, context.Background(), path)
		if err == nil || !(strings.Contains(err.Error(), "not a regular file") || strings.Contains(err.Error(), "is a directory")) {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func TestLoadCapsSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: the size is over the limit without writing it.
	if err := f.Truncate(maxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := loadWithin(t, context.Background(), path); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("oversized file: %v", err)
	}
}

func TestLoadIsCancellable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(path, []byte("Name,Number\nAlice,646-555-1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := loadWithin(t, ctx, path); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled load: %v", err)
	}
	d, _, err := LoadContext(context.Background(), path)
	if err != nil || d.Len() != 1 {
		t.Fatalf("load: %v", err)
	}
}
