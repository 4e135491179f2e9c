// Command frontdesk is a terminal receptionist console for the ShoreTel Sky
// Hosted API. The package is the command line and the wiring; the work is
// done in the packages it imports:
//
//   - commands.go: every command, its help page and its body (a new
//     command is one entry and one ...Cmd function there)
//   - command.go: how the table becomes the command line (cobra, fang),
//     help pages, mistakes and exit codes
//   - main.go: the entry point and what the bodies share (loading the
//     account, reporting errors)
//   - console.go, desk.go, serve.go: the console on this terminal, what it
//     is given, and the SSH server
//
// The printing of the commands that do not take over the screen (calls,
// dial, watch, messages, stats, sim, version) is in package cli.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/transport"
)

// version is set at link time: go build -ldflags "-X main.version=v1.2.3".
var version string

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1 // something went wrong while running
	exitUsage   = 2 // the command line or the settings are wrong
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], sys{getenv: os.Getenv, stdout: os.Stdout, stderr: os.Stderr, prompt: config.TerminalPrompt})
	stop()
	os.Exit(code)
}

// sys is the outside world a command sees; tests supply their own.
type sys struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
	prompt config.Prompter
}

// usageError prints a usage problem and returns exitUsage.
func usageError(s sys, cmd, format string, args ...any) int {
	fmt.Fprintf(s.stderr, "%s: %s\n", cmd, fmt.Sprintf(format, args...))
	return exitUsage
}

// failure prints a runtime problem and returns exitFailure.
func failure(s sys, cmd string, err error) int {
	fmt.Fprintf(s.stderr, "%s: %v\n", cmd, err)
	return exitFailure
}

// loadAccount loads the settings for a command that talks to the API and
// makes sure there is a DID and a PIN (for every line; with onePhone, a
// command that works one phone refuses several). It returns an exit code
// when the command cannot go on.
func loadAccount(cmd string, flags *config.Flags, s sys, onePhone bool) (*config.Config, int) {
	c, err := config.Load(flags, s.getenv)
	if err != nil {
		return nil, usageError(s, cmd, "%v", err)
	}
	if err := c.RequireAccount(); err != nil {
		return nil, usageError(s, cmd, "%v", err)
	}
	if onePhone {
		if err := c.OnePhone(cmd); err != nil {
			return nil, usageError(s, cmd, "%v", err)
		}
	}
	if err := c.ReadPIN(s.prompt); err != nil {
		return nil, usageError(s, cmd, "%v", err)
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(s.stderr, "%s: warning: %s\n", cmd, w)
	}
	return c, exitOK
}

// withAccount loads the account (see loadAccount) of a command that works
// one phone and opens a transport for it with open (transport.NewClient or
// transport.NewStream).
func withAccount[T any](cmd string, flags *config.Flags, s sys, open func(transport.Account, ...transport.Option) (T, error)) (*config.Config, T, int) {
	var zero T
	c, code := loadAccount(cmd, flags, s, true)
	if c == nil {
		return nil, zero, code
	}
	t, err := open(c.TransportAccount())
	if err != nil {
		return nil, zero, usageError(s, cmd, "%v", err)
	}
	return c, t, exitOK
}

// exitCode is the exit code for a command's outcome, printing err.
func exitCode(s sys, cmd string, err error) int {
	if err != nil {
		return failure(s, cmd, err)
	}
	return exitOK
}

func noArgs(cmd string, pos []string, s sys) int {
	if len(pos) > 0 {
		return usageError(s, cmd, "unexpected argument %q\nRun '%s --help' for usage.", pos[0], cmd)
	}
	return exitOK
}

// names returns a lookup in the configured directory, or nil.
func names(c *config.Config, s sys, cmd string) cli.Names {
	path := cli.DirectoryPath(c.Directory, s.getenv)
	if path == "" {
		return nil
	}
	d, _, err := directory.Load(path)
	if err != nil {
		fmt.Fprintf(s.stderr, "%s: warning: directory: %v\n", cmd, err)
		return nil
	}
	return func(number string) (string, bool) {
		ct, ok := d.Lookup(number)
		return ct.Name, ok
	}
}
