package consoletest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	buildDir  string
	binary    string
	buildErr  error
)

// BuildBinary builds the frontdesk command once per test binary and
// returns its path. Call RemoveBinary from TestMain when the tests end.
func BuildBinary(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "frontdesk-bin-")
		if buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "frontdesk")
		gotool, err := exec.LookPath("go")
		if err != nil {
			gotool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
		}
		// Built by import path: any directory inside the module will do.
		args := append([]string{"build"}, BuildFlags()...)
		cmd := exec.Command(gotool, append(args, "-o", binary, "github.com/frontdesk/frontdesk")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binary
}

// RemoveBinary deletes what BuildBinary built, if it built anything.
func RemoveBinary() {
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
}

// BuildFlags are the go build flags the running test binary was built
// with that change how packages compile: -race under `go test -race`. A
// binary built with them reuses the packages the tests compiled, instead
// of compiling every dependency a second time, and runs under the same
// race detector.
func BuildFlags() []string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "-race" && s.Value == "true" {
				return []string{"-race"}
			}
		}
	}
	return nil
}
