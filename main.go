// Command frontdesk is a terminal receptionist console for the ShoreTel Sky
// Hosted API. This file holds the command line, the settings and the
// wiring; the work is done in the packages it imports.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/spf13/pflag"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/history"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/tui"
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

// Files and variables the help pages name.
var (
	configFile    = "$XDG_CONFIG_HOME/frontdesk/config.toml\tsettings and [[account]] entries (--config)"
	directoryFile = "$XDG_CONFIG_HOME/frontdesk/directory.csv or .vcf\tthe directory, when no directory setting names one"
	historyFile   = "$XDG_STATE_HOME/frontdesk/history.db\tcall history and messages, when no history setting names one"
	logFile       = "$XDG_STATE_HOME/frontdesk/frontdesk.log\tthe log, when no log setting names one"
	pinEnv        = config.EnvPIN + "\tthe PIN (never a flag: a command line is visible in ps)"
	logLevelEnv   = "FRONTDESK_LOG_LEVEL\tdebug, info (the default), warn or error"
	xdgEnv        = "XDG_CONFIG_HOME, XDG_STATE_HOME\twhere the files above live (default ~/.config, ~/.local/state)"
	apiExit       = "1\tthe API refused the request or could not be reached"
)

// commands is every command, the console first, in the order help lists
// them.
func commands() []command {
	return []command{{
		summary: "the console, with the configured account",
		about:   "Shows every call on the phone live and answers, holds, resumes, hangs up and dials from the keyboard; ? in the console lists the keys. Settings come from flags, then FRONTDESK_* environment variables, then the config file. The PIN comes from " + config.EnvPIN + ", a --pin-file or pin_file in the config file; on a terminal frontdesk asks for it.",
		examples: []string{
			"frontdesk\t# the configured account",
			"frontdesk --account front --account annex\t# two phones in one console",
			"FRONTDESK_USER=6465551000 frontdesk --pin-file ~/.config/frontdesk/pin",
		},
		env:   []string{pinEnv, logLevelEnv, "NO_COLOR\tno colours", xdgEnv},
		files: []string{configFile, directoryFile, historyFile, logFile},
		exits: []string{"0\tthe receptionist quit", "1\tthe console or the connection failed"},
		flags: consoleCmd,
	}, {
		name:     "demo",
		summary:  "the console against the built-in simulator (no account needed)",
		about:    "Random callers ring a simulated phone; every key works as on a real one. The demo uses its own directory and a throwaway history, never the configured account's.",
		examples: []string{"frontdesk demo", "frontdesk demo --ring-rate 0\t# no callers until the simulator is told"},
		env:      []string{logLevelEnv, "NO_COLOR\tno colours", xdgEnv},
		files:    []string{configFile, logFile},
		exits:    []string{"0\tthe receptionist quit", "1\tthe console failed"},
		flags:    demoCmd,
	}, {
		name:     "sim",
		summary:  "the simulator alone, on loopback, printing its URL and demo account",
		about:    "For trying frontdesk's other commands, or another client, against the API without a phone.",
		examples: []string{"frontdesk sim --listen 127.0.0.1:8080"},
		exits:    []string{"0\tstopped with Ctrl-C", "1\tit could not listen"},
		flags:    simCmd,
	}, {
		name:     "calls",
		summary:  "list the current calls once and exit",
		about:    "Asks the API for the phone's calls (listCalls) and prints them as a table, or as a JSON array of objects (id, state, outbound, ani, name, clid, did, endpoint, duration in seconds).",
		examples: []string{"frontdesk calls", "frontdesk calls --json | jq -r '.[] | select(.state == \"RINGING\") | .ani'"},
		env:      []string{pinEnv, xdgEnv},
		files:    []string{configFile, directoryFile},
		exits:    []string{"0\tthe calls were listed", apiExit},
		flags:    callsCmd,
	}, {
		name:     "dial",
		args:     "NUMBER",
		summary:  "place a call and exit",
		about:    "The number is checked before anything is sent: ten digits, 1 and ten digits, 011 and an international number, or a four-digit extension; spaces, dashes, dots and brackets are ignored.",
		examples: []string{"frontdesk dial 646 555 1234", "frontdesk dial +44 20 7946 0958"},
		env:      []string{pinEnv, xdgEnv},
		files:    []string{configFile, directoryFile},
		exits:    []string{"0\tthe phone is placing the call", apiExit},
		flags:    dialCmd,
	}, {
		name:     "watch",
		summary:  "print call events as they arrive, one per line, until Ctrl-C",
		about:    "Subscribes to the phone's events and prints each call's changes; connection changes go to standard error. With --json, one object per line with time, id, state, ani, clid, name, outbound.",
		examples: []string{"frontdesk watch", "frontdesk watch --json | jq -c 'select(.state == \"RINGING\")'"},
		env:      []string{pinEnv, xdgEnv},
		files:    []string{configFile, directoryFile},
		exits:    []string{"0\tstopped with Ctrl-C", apiExit},
		flags:    watchCmd,
	}, {
		name:     "messages",
		summary:  "list the messages taken for people who were out (open ones; --all for every one)",
		examples: []string{"frontdesk messages", "frontdesk messages --all --json"},
		env:      []string{xdgEnv},
		files:    []string{configFile, historyFile},
		exits:    []string{"0\tthe messages were listed", "1\tthe history could not be read"},
		flags:    messagesCmd,
	}, {
		name:    "stats",
		summary: "the day's figures from the call history: answered, missed, ignored, outbound, waits, calls per hour",
		about:   "Every line in the history counts, unless --account (or " + config.EnvAccount + ") names one phone.",
		examples: []string{
			"frontdesk stats",
			"frontdesk stats --day 2026-03-02 --account front --json",
		},
		env:   []string{xdgEnv},
		files: []string{configFile, historyFile},
		exits: []string{"0\tthe figures were printed", "1\tthe history could not be read"},
		flags: statsCmd,
	}, {
		name:    "serve",
		summary: "serve the console over SSH: each session gets its own console",
		about:   "Each SSH key is mapped to its phone by the [[account]] entries of the config file (name, user, pin_file, keys); the top-level account, when configured, serves the keys no entry lists. Sessions on the same account share one connection to the API.",
		examples: []string{
			"frontdesk serve --listen :2222",
			"ssh -p 2222 -t frontdesk.example.com\t# from a receptionist's machine",
		},
		env: []string{pinEnv, logLevelEnv, xdgEnv},
		files: []string{
			configFile, directoryFile, historyFile,
			"$XDG_CONFIG_HOME/frontdesk/authorized_keys\tkeys allowed to log in (--authorized-keys)",
			"$XDG_STATE_HOME/frontdesk/ssh_host_ed25519\tthe host key, created on first start (--host-key)",
		},
		exits: []string{"0\tstopped by a signal", "1\tit could not listen or serve"},
		flags: serveCmd,
	}, {
		name:     "version",
		summary:  "print the version",
		examples: []string{"frontdesk version", "frontdesk --version"},
		exits:    []string{"0\tprinted"},
		flags:    versionCmd,
	}}
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
// makes sure there is a DID and a PIN. It returns an exit code when the
// command cannot go on.
func loadAccount(cmd string, flags *config.Flags, s sys) (*config.Config, int) {
	c, err := config.Load(flags, s.getenv)
	if err != nil {
		return nil, usageError(s, cmd, "%v", err)
	}
	if err := c.RequireAccount(); err != nil {
		return nil, usageError(s, cmd, "%v", err)
	}
	if err := c.OnePhone(cmd); err != nil {
		return nil, usageError(s, cmd, "%v", err)
	}
	if err := c.ReadPIN(s.prompt); err != nil {
		return nil, usageError(s, cmd, "%v", err)
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(s.stderr, "%s: warning: %s\n", cmd, w)
	}
	return c, exitOK
}

// withAccount loads the account (see loadAccount) and opens a transport
// for it with open (transport.NewClient or transport.NewStream).
func withAccount[T any](cmd string, flags *config.Flags, s sys, open func(transport.Account, ...transport.Option) (T, error)) (*config.Config, T, int) {
	var zero T
	c, code := loadAccount(cmd, flags, s)
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

func callsCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags|config.DirectoryFlag)
	asJSON := fs.Bool("json", false, "print a JSON array of calls")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk calls"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		c, client, code := withAccount(cmd, flags, s, transport.NewClient)
		if code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Calls(ctx, client, s.stdout, *asJSON, names(c, s, cmd)))
	}
}

func dialCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags|config.DirectoryFlag)
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk dial"
		if len(pos) == 0 {
			return usageError(s, cmd, "which number? Usage: frontdesk dial NUMBER")
		}
		// "dial 646 555 1234" is one number typed with spaces.
		n, err := cli.ParseNumber(strings.Join(pos, " "))
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		c, client, code := withAccount(cmd, flags, s, transport.NewClient)
		if code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Dial(ctx, client, n, s.stdout, names(c, s, cmd)))
	}
}

func watchCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags|config.DirectoryFlag)
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk watch"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		c, stream, code := withAccount(cmd, flags, s, transport.NewStream)
		if code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Watch(ctx, stream, s.stdout, s.stderr, *asJSON, names(c, s, cmd)))
	}
}

func simCmd(fs *pflag.FlagSet) body {
	listen := fs.String("listen", "127.0.0.1:0", "listen on `address` (port 0 picks a free port)")
	seed := fs.Int64("seed", 0, "random seed for the callers, 0 = from the clock")
	rate := fs.Float64("ring-rate", cli.DefaultRingRate, "random incoming callers per `minute`, 0 = none")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk sim"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Sim(ctx, cli.SimOptions{Listen: *listen, Seed: *seed, RingRate: *rate}, s.stdout))
	}
}

func versionCmd(fs *pflag.FlagSet) body {
	return func(_ context.Context, pos []string, s sys) int {
		if code := noArgs("frontdesk version", pos, s); code != exitOK {
			return code
		}
		info, _ := debug.ReadBuildInfo()
		fmt.Fprintln(s.stdout, cli.Version(version, info))
		return exitOK
	}
}

func consoleCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.AllFlags)
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk"
		if len(pos) > 0 {
			return usageError(s, cmd, "unknown command %q\nRun 'frontdesk help' for the commands.", pos[0])
		}
		c, code := loadAccount(cmd, flags, s)
		if c == nil {
			return code
		}
		logger, closeLog, err := cli.OpenLog(c.LogFile, s.getenv("FRONTDESK_LOG_LEVEL"))
		if err != nil {
			return failure(s, cmd, err)
		}
		defer closeLog()
		stream, err := transport.NewStream(c.TransportAccount(), transport.WithLogger(slog.New(logger)))
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		logger.Info("console starting", "user", c.User, "server", c.Server, "pin", c.DescribePIN())
		o := consoleOptions{
			account:  c.User,
			logger:   logger,
			holdWarn: c.HoldWarn,
			waits:    waitOptions(c),
			bell:     c.Bell && !c.Quiet,
		}
		store := openHistory(c, s, cmd, logger)
		if store != nil {
			defer store.Close()
		}
		o.desk = consoleDesk(ctx, c, s, cmd, logger, store)
		return console(ctx, s, cmd, stream, o)
	}
}

func demoCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.LogFlag|config.AlertFlags)
	seed := fs.Int64("seed", 0, "random seed for the callers, 0 = from the clock")
	rate := fs.Float64("ring-rate", cli.DefaultRingRate, "random incoming callers per `minute`, 0 = none")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk demo"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		// The demo brings its own account: the user's may be absent or
		// broken, and must not stop it.
		c, err := config.LoadWithoutAccount(flags, s.getenv)
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		logger, closeLog, err := cli.OpenLog(c.LogFile, s.getenv("FRONTDESK_LOG_LEVEL"))
		if err != nil {
			return failure(s, cmd, err)
		}
		defer closeLog()
		srv, url, err := cli.StartSim(cli.SimOptions{Seed: *seed, RingRate: *rate, Logger: slog.New(logger.WithPrefix("skysim"))})
		if err != nil {
			return failure(s, cmd, err)
		}
		defer srv.Close()
		stream, err := transport.NewStream(transport.Account{Server: url, User: cli.DemoDID, PIN: cli.DemoPIN},
			transport.WithLogger(slog.New(logger)))
		if err != nil {
			return failure(s, cmd, err)
		}
		logger.Info("demo starting", "server", url)
		d, closeDesk := demoDesk(c, s, cmd, logger)
		defer closeDesk()
		return console(ctx, s, cmd, stream, consoleOptions{
			account:  cli.DemoDID + " (demo)",
			logger:   logger,
			holdWarn: c.HoldWarn,
			waits:    waitOptions(c),
			bell:     c.Bell && !c.Quiet,
			desk:     d,
		})
	}
}

type consoleOptions struct {
	account  string
	logger   *log.Logger
	holdWarn time.Duration
	waits    func(*tui.Options)
	bell     bool
	desk     desk
}

// waitOptions sets the console's ringing limits and speed dials from the
// settings. A limit of 0 in the settings is "never", which the console
// spells as a negative limit (its zero is "the default").
func waitOptions(c *config.Config) func(*tui.Options) {
	never := func(d time.Duration) time.Duration {
		if d == 0 {
			return -1
		}
		return d
	}
	return func(o *tui.Options) {
		o.RingWarn, o.RingAlert = never(c.RingWarn), never(c.RingAlert)
		o.SpeedDials = nil
		for _, sd := range c.SpeedDials {
			o.SpeedDials = append(o.SpeedDials, tui.SpeedDial{Key: sd.Key, Name: sd.Name, Number: sd.Number.Digits})
		}
	}
}

// openHistory opens the call history. The console runs without it, after
// a warning, when the database cannot be opened. The console prunes it to
// the retention itself, at start-up and daily.
func openHistory(c *config.Config, s sys, cmd string, logger *log.Logger) *history.Store {
	store, err := history.Open(c.History)
	if err != nil {
		fmt.Fprintf(s.stderr, "%s: warning: call history is off: %v\n", cmd, err)
		logger.Warn("call history is off", "err", err)
		return nil
	}
	return store
}

// runConsole runs the console on the terminal until the receptionist quits
// or ctx ends. Tests replace it.
var runConsole = func(ctx context.Context, opts tui.Options) error {
	_, err := tea.NewProgram(tui.New(opts), tea.WithContext(ctx)).Run()
	return err
}

// console runs the stream in the background and the console in the
// foreground until the receptionist quits or ctx ends.
func console(ctx context.Context, s sys, cmd string, stream *transport.Stream, o consoleOptions) int {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- stream.Run(ctx) }()

	opts := tui.Options{
		Phone:    stream,
		Account:  o.account,
		Logger:   o.logger,
		HoldWarn: o.holdWarn,
		Bell:     o.bell,
		NoColor:  s.getenv("NO_COLOR") != "",
	}
	if o.waits != nil {
		o.waits(&opts)
	}
	o.desk.apply(&opts)
	err := runConsole(ctx, opts)
	cancel()
	var streamErr error
	select {
	case streamErr = <-runErr:
	case <-time.After(5 * time.Second):
		o.logger.Warn("the stream did not stop within 5s")
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		o.logger.Error("console", "err", err)
		return failure(s, cmd, err)
	}
	if streamErr != nil && !errors.Is(streamErr, context.Canceled) {
		o.logger.Error("stream stopped", "err", streamErr)
		return failure(s, cmd, streamErr)
	}
	return exitOK
}
