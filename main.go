// Command frontdesk is a terminal receptionist console for the ShoreTel Sky
// Hosted API. This file holds the command line, the settings and the
// wiring; the work is done in the packages it imports.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/history"
	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/sshserver"
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

// command is one sub-command.
type command struct {
	name    string
	args    string // positional arguments, for the usage line
	brief   string // the main flags, for the command list
	summary string
	flags   func(fs *flag.FlagSet) func(ctx context.Context, pos []string, s sys) int
}

func commands() []command {
	return []command{
		{"", "", "", "the console, with the configured account", consoleCmd},
		{"demo", "", "", "the console against the built-in simulator (no account needed)", demoCmd},
		{"sim", "", "[--listen ADDR]", "the simulator alone, on loopback, printing its URL and demo account", simCmd},
		{"calls", "", "[--json]", "list the current calls once and exit", callsCmd},
		{"dial", "NUMBER", "", "place a call and exit", dialCmd},
		{"watch", "", "[--json]", "print call events as they arrive, one per line, until Ctrl-C", watchCmd},
		{"messages", "", "[--json] [--all]", "list the messages taken for people who were out (open ones; --all for every one)", messagesCmd},
		{"stats", "", "[--day YYYY-MM-DD] [--account NAME] [--json]", "the day's figures from the call history: answered, missed, ignored, outbound, waits, calls per hour", statsCmd},
		{"serve", "", "[--listen ADDR] [--log FILE]", "serve the console over SSH: each session gets its own console", serveCmd},
		{"version", "", "", "print the version", versionCmd},
	}
}

// run runs frontdesk with args (without the program name) and returns the
// exit code.
func run(ctx context.Context, args []string, s sys) int {
	name := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		if len(args) == 0 {
			usage(s.stdout)
			return exitOK
		}
		name, args = args[0], []string{"--help"}
	} else if name == "" && len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		// Plain "frontdesk --help" lists the commands too.
		usage(s.stdout)
		fmt.Fprintln(s.stdout)
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		fs := flag.NewFlagSet(commandName(c), flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		fs.Usage = func() {}
		body := c.flags(fs)
		pos, err := parse(fs, args)
		if errors.Is(err, flag.ErrHelp) {
			commandUsage(s.stdout, c, fs)
			return exitOK
		}
		if err != nil {
			fmt.Fprintf(s.stderr, "%s: %v\nRun '%s --help' for usage.\n", commandName(c), err, commandName(c))
			return exitUsage
		}
		return body(ctx, pos, s)
	}
	fmt.Fprintf(s.stderr, "frontdesk: unknown command %q\nRun 'frontdesk help' for the commands.\n", name)
	return exitUsage
}

func commandName(c command) string {
	if c.name == "" {
		return "frontdesk"
	}
	return "frontdesk " + c.name
}

// parse parses flags that may come before, between or after the
// positional arguments ("dial 6465551234 --user 6465551000"). After "--"
// everything is positional.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if i := len(args) - len(rest) - 1; i >= 0 && args[i] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "frontdesk: a terminal receptionist console for the ShoreTel Sky Hosted API")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands() {
		line := commandName(c)
		for _, part := range []string{c.brief, c.args} {
			if part != "" {
				line += " " + part
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\n", line, c.summary)
	}
	fmt.Fprintf(tw, "  %s\t%s\n", "frontdesk help [COMMAND]", "help for a command")
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'frontdesk COMMAND --help' for a command's flags.")
	fmt.Fprintln(w, "Settings come from flags, then FRONTDESK_* environment variables, then")
	fmt.Fprintln(w, "$XDG_CONFIG_HOME/frontdesk/config.toml. The PIN comes from FRONTDESK_PIN or a")
	fmt.Fprintln(w, "--pin-file; on a terminal frontdesk asks for it.")
}

func commandUsage(w io.Writer, c command, fs *flag.FlagSet) {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	line := commandName(c)
	if n > 0 {
		line += " [flags]"
	}
	if c.args != "" {
		line += " " + c.args
	}
	fmt.Fprintf(w, "Usage: %s\n\n%s%s.\n", line, strings.ToUpper(c.summary[:1]), c.summary[1:])
	if n == 0 {
		return
	}
	fmt.Fprintln(w, "\nFlags:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		name := "--" + f.Name
		if arg != "" {
			name += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" && !strings.Contains(text, "default") {
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\n", name, text)
	})
	tw.Flush()
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

func callsCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags)
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

func dialCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags)
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
		_, client, code := withAccount(cmd, flags, s, transport.NewClient)
		if code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Dial(ctx, client, n, s.stdout))
	}
}

func watchCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags)
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

func simCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
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

func versionCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
	return func(_ context.Context, pos []string, s sys) int {
		if code := noArgs("frontdesk version", pos, s); code != exitOK {
			return code
		}
		info, _ := debug.ReadBuildInfo()
		fmt.Fprintln(s.stdout, cli.Version(version, info))
		return exitOK
	}
}

func consoleCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
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

func demoCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
	flags := config.NewFlags(fs, config.ConfigFlag|config.DisplayFlags)
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
			bell:     c.Bell && !c.Quiet,
			desk:     d,
		})
	}
}

func serveCmd(fs *flag.FlagSet) func(context.Context, []string, sys) int {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags)
	listen := fs.String("listen", sshserver.DefaultAddr, "listen on `address`")
	authKeys := fs.String("authorized-keys", "", "`file` of the public keys allowed to log in (default $XDG_CONFIG_HOME/frontdesk/authorized_keys)")
	hostKey := fs.String("host-key", "", "the server's private host key `file`, created on first start (default $XDG_STATE_HOME/frontdesk/ssh_host_ed25519)")
	maxSessions := fs.Int("max-sessions", 0, "most consoles at once, 0 = no limit")
	perKey := fs.Int("max-sessions-per-key", 5, "most consoles one SSH key may have open, 0 = no limit")
	perAccount := fs.Int("max-sessions-per-account", 20, "most consoles one phone account may have open, 0 = no limit")
	noSession := fs.Duration("no-session-timeout", time.Minute, "close a logged-in connection that has no console open for this long, 0 = never")
	idle := fs.Duration("idle-timeout", 0, "close a console after this long without a key press, 0 = never")
	grace := fs.Duration("upstream-grace", 30*time.Second, "keep an account's connection this long after its last console leaves")
	logPath := fs.String("log", "", "append the log to `file` (mode 0600) instead of standard error, which is the journal under systemd")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk serve"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		c, err := config.Load(flags, s.getenv)
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		// The top-level account, when configured, serves the keys that no
		// [[account]] lists.
		var fallback *transport.Account
		if err := c.OnePhone(cmd); err != nil {
			return usageError(s, cmd, "%v", err)
		}
		if c.User != "" {
			if err := c.ReadPIN(s.prompt); err != nil {
				return usageError(s, cmd, "%v", err)
			}
			a := c.TransportAccount()
			fallback = &a
		} else if len(c.Accounts) == 0 {
			return usageError(s, cmd, "no account to serve: add [[account]] entries (name, user, pin_file, keys) to %s, or set a default account with %s and %s or --pin-file",
				c.Path, config.EnvUser, config.EnvPIN)
		}
		for _, w := range c.Warnings {
			fmt.Fprintf(s.stderr, "%s: warning: %s\n", cmd, w)
		}
		defKeys, defHost := sshserver.DefaultPaths(s.getenv)
		if *authKeys == "" {
			*authKeys = defKeys
		}
		if *hostKey == "" {
			*hostKey = defHost
		}

		// A server logs to standard error (the journal, under systemd)
		// unless --log names a file.
		level := log.InfoLevel
		if lv := s.getenv("FRONTDESK_LOG_LEVEL"); lv != "" {
			var err error
			if level, err = log.ParseLevel(lv); err != nil {
				return usageError(s, cmd, "FRONTDESK_LOG_LEVEL=%q: want debug, info, warn or error", lv)
			}
		}
		logger := log.NewWithOptions(s.stderr, log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339, Level: level})
		if *logPath != "" {
			fileLogger, closeLog, err := cli.OpenLog(*logPath, "")
			if err != nil {
				return failure(s, cmd, err)
			}
			defer closeLog()
			fileLogger.SetLevel(level)
			logger = fileLogger
		}
		h := hub.New(func(acct transport.Account) (hub.Upstream, error) {
			return transport.NewStream(acct, transport.WithLogger(slog.New(logger.With("did", acct.User))))
		}, *grace, logger)
		defer shutdownHub(h, logger)
		accounts := newServeAccounts(c, fallback, func() (*config.Config, error) { return config.Load(flags, s.getenv) }, logger)
		store := openHistory(c, s, cmd, logger)
		if store != nil {
			defer store.Close()
		}
		sd := newServeDesk(c, s, cmd, logger, store)
		srv, err := sshserver.New(sshserver.Config{
			Addr:                  *listen,
			HostKeyPath:           *hostKey,
			AuthorizedKeysPath:    *authKeys,
			Accounts:              accounts.resolve,
			AccountsChanged:       accounts.changed,
			Hub:                   h,
			MaxSessions:           *maxSessions,
			MaxSessionsPerKey:     *perKey,
			MaxSessionsPerAccount: *perAccount,
			NoSessionTimeout:      *noSession,
			IdleTimeout:           *idle,
			Logger:                logger,
			NewConsole: func(sess sshserver.Session) tea.Model {
				opts := tui.Options{
					Phone:    sess.Phone,
					Account:  sess.Account.User,
					Logger:   sess.Logger,
					HoldWarn: c.HoldWarn,
					Bell:     c.Bell && !c.Quiet,
				}
				sd.forAccount(sess.Account.User, &opts)
				return tui.New(opts)
			},
		})
		if err != nil {
			return failure(s, cmd, err)
		}
		served := make(chan error, 1)
		go func() { served <- srv.ListenAndServe() }()
		// SIGHUP re-reads authorized_keys and the accounts now.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
	serving:
		for {
			select {
			case err := <-served:
				return failure(s, cmd, err)
			case <-hup:
				srv.Reload()
			case <-ctx.Done():
				break serving
			}
		}
		sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			logger.Warn("shutdown", "err", err)
		}
		<-served
		return exitOK
	}
}

func shutdownHub(h *hub.Hub, logger *log.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		logger.Warn("hub shutdown", "err", err)
	}
}

type consoleOptions struct {
	account  string
	logger   *log.Logger
	holdWarn time.Duration
	bell     bool
	desk     desk
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
