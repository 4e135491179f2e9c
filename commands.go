package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/pflag"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/sshserver"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/tui"
)

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
			"# the configured account",
			"frontdesk",
			"# two phones in one console",
			"frontdesk --account front --account annex",
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
		examples: []string{"frontdesk demo", "# no callers until the simulator is told", "frontdesk demo --ring-rate 0"},
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
		about:    "Asks the API for the calls on every chosen line (listCalls) and prints them as a table, with a LINE column when there are several lines, or as a JSON array of objects (id, state, outbound, ani, name, clid, did, endpoint, duration in seconds, line, account). A line the API refuses is named on standard error and makes the exit status 1; the others' calls are still listed.",
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
		about:    "Subscribes to the events of every chosen line and prints each call's changes, each line of text starting with the line's label when there are several lines; connection changes go to standard error. With --json, one object per line: at, event (call or snapshot), call or calls, line, account. A line that cannot connect says so on standard error, after its label, while the others go on; one that stops for good makes the exit status 1.",
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
			"# from a receptionist's machine",
			"ssh -p 2222 -t frontdesk.example.com",
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

func consoleCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.AllFlags)
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk"
		if len(pos) > 0 {
			return usageError(s, cmd, "unknown command %q\nRun 'frontdesk help' for the commands.", pos[0])
		}
		c, code := loadAccount(cmd, flags, s, false)
		if c == nil {
			return code
		}
		logger, closeLog, err := cli.OpenLog(c.LogFile, s.getenv("FRONTDESK_LOG_LEVEL"))
		if err != nil {
			return failure(s, cmd, err)
		}
		defer closeLog()
		lines := make([]consoleLine, len(c.Lines))
		for i, l := range c.Lines {
			stream, err := transport.NewStream(l.TransportAccount(), transport.WithLogger(slog.New(logger.With("line", l.Name))))
			if err != nil {
				return usageError(s, cmd, "%v", err)
			}
			lines[i] = consoleLine{tui.Line{Name: l.Name, DID: l.User, Naming: l.Naming, Phone: stream}, stream}
			logger.Info("console line", "line", l.Name, "user", l.User, "server", l.Server)
		}
		logger.Info("console starting", "lines", len(lines), "pin", c.DescribePIN())
		o := consoleOptions{
			logger:   logger,
			holdWarn: c.HoldWarn,
			waits:    waitOptions(c),
			bell:     c.Bell && !c.Quiet,
			numbers:  model.NewNumbers(c.Numbers),
			dialLine: c.DialLine,
		}
		h := openHistory(ctx, c, s, cmd, logger)
		defer h.close(s, cmd, logger)
		outboxCtx, stopOutbox := context.WithCancel(ctx)
		defer stopOutbox() // before the history closes
		post, err := startOutbox(outboxCtx, c, h, logger)
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		o.desk = consoleDesk(ctx, c, s, cmd, logger, h)
		o.desk.address = post.address(localUser())
		return console(ctx, s, cmd, lines, o)
	}
}

func demoCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.LogFlag|config.AlertFlags)
	seed := fs.Int64("seed", 0, "random seed for the callers, 0 = from the clock")
	rate := fs.Float64("ring-rate", cli.DefaultRingRate, "random incoming callers per minute, 0 = none")
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
		d, closeDesk := demoDesk(ctx, c, s, cmd, logger)
		defer closeDesk()
		demo := tui.Line{Naming: model.Naming{Label: cli.DemoDID + " (demo)"}, Phone: stream}
		return console(ctx, s, cmd, []consoleLine{{demo, stream}}, consoleOptions{
			logger:   logger,
			holdWarn: c.HoldWarn,
			waits:    waitOptions(c),
			bell:     c.Bell && !c.Quiet,
			desk:     d,
		})
	}
}

func simCmd(fs *pflag.FlagSet) body {
	listen := fs.String("listen", "127.0.0.1:0", "listen on address (port 0 picks a free port)")
	seed := fs.Int64("seed", 0, "random seed for the callers, 0 = from the clock")
	rate := fs.Float64("ring-rate", cli.DefaultRingRate, "random incoming callers per minute, 0 = none")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk sim"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Sim(ctx, cli.SimOptions{Listen: *listen, Seed: *seed, RingRate: *rate}, s.stdout))
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
		c, lines, code := openLines(cmd, flags, s, transport.NewClient)
		if code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Calls(ctx, lines, s.stdout, *asJSON, names(c, s, cmd)))
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
		c, lines, code := openLines(cmd, flags, s, transport.NewStream)
		if code != exitOK {
			return code
		}
		return exitCode(s, cmd, cli.Watch(ctx, lines, s.stdout, s.stderr, *asJSON, names(c, s, cmd)))
	}
}

// openLines loads the account of a command that works every chosen line
// (see loadAccount) and opens a transport for each with open
// (transport.NewClient or transport.NewStream).
func openLines[T any](cmd string, flags *config.Flags, s sys, open func(transport.Account, ...transport.Option) (T, error)) (*config.Config, []cli.Line[T], int) {
	c, code := loadAccount(cmd, flags, s, false)
	if c == nil {
		return nil, nil, code
	}
	lines := make([]cli.Line[T], len(c.Lines))
	for i, l := range c.Lines {
		t, err := open(l.TransportAccount())
		if err != nil {
			return nil, nil, usageError(s, cmd, "%v", err)
		}
		lines[i] = cli.Line[T]{Label: l.Label, Account: l.Name, Phone: t}
	}
	return c, lines, exitOK
}

func messagesCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.HistoryFlag|config.RecordsFlags)
	asJSON := fs.Bool("json", false, "print a JSON array")
	all := fs.Bool("all", false, "include messages marked done")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk messages"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		c, err := config.Load(flags, s.getenv)
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		db, err := openForReading(ctx, c.History)
		if err != nil {
			return failure(s, cmd, err)
		}
		if db != nil {
			defer db.Close()
		}
		return exitCode(s, cmd, cli.Messages(ctx, db, consoleScope(c), s.stdout, *asJSON, *all))
	}
}

func statsCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.HistoryFlag|config.AccountFlags)
	asJSON := fs.Bool("json", false, "print one JSON object")
	day := fs.String("day", "", "the date to report, YYYY-MM-DD (default today)")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk stats"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		c, err := config.Load(flags, s.getenv)
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		start, err := cli.ParseDay(*day, time.Now(), time.Local)
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		// --account (or FRONTDESK_ACCOUNT) narrows to those phones' calls;
		// without it, every account of the file counts.
		scope := everyAccount(c)
		if c.Account != "" {
			dids := make([]string, len(c.Lines))
			for i, l := range c.Lines {
				dids[i] = l.User
			}
			scope = scopeFor(c, dids...)
		}
		db, err := openForReading(ctx, c.History)
		if err != nil {
			return failure(s, cmd, err)
		}
		if db != nil {
			defer db.Close()
		}
		return exitCode(s, cmd, cli.Stats(ctx, db, scope, s.stdout, start, model.NewNumbers(c.Numbers), c.LineLabel, *asJSON))
	}
}

// serveOptions are serve's own flags.
type serveOptions struct {
	listen, authKeys, hostKey, logPath string
	maxSessions, perKey, perAccount    int
	idle, grace, noSession             time.Duration
}

func serveCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags|config.AlertFlags|config.DirectoryFlag|config.HistoryFlag|config.RetentionFlag)
	var o serveOptions
	fs.StringVar(&o.listen, "listen", sshserver.DefaultAddr, "listen on address")
	fs.StringVar(&o.authKeys, "authorized-keys", "", "file of the public keys allowed to log in (default $XDG_CONFIG_HOME/frontdesk/authorized_keys)")
	fs.StringVar(&o.hostKey, "host-key", "", "the server's private host key file, created on first start (default $XDG_STATE_HOME/frontdesk/ssh_host_ed25519)")
	fs.IntVar(&o.maxSessions, "max-sessions", 0, "most consoles at once, 0 = no limit")
	fs.IntVar(&o.perKey, "max-sessions-per-key", 5, "most consoles one SSH key may have open, 0 = no limit")
	fs.IntVar(&o.perAccount, "max-sessions-per-account", 20, "most consoles one phone account may have open, 0 = no limit")
	fs.DurationVar(&o.noSession, "no-session-timeout", time.Minute, "close a logged-in connection that has no console open for this long, 0 = never")
	fs.DurationVar(&o.idle, "idle-timeout", 0, "close a console after this long without a key press, 0 = never")
	fs.DurationVar(&o.grace, "upstream-grace", 30*time.Second, "keep an account's connection this long after its last console leaves")
	fs.StringVar(&o.logPath, "log", "", "append the log to file (mode 0600) instead of standard error, which is the journal under systemd")
	return func(ctx context.Context, pos []string, s sys) int {
		const cmd = "frontdesk serve"
		if code := noArgs(cmd, pos, s); code != exitOK {
			return code
		}
		c, fallback, code := serveSettings(cmd, flags, s)
		if c == nil {
			return code
		}
		logger, closeLog, code := serverLogger(cmd, o.logPath, s)
		if logger == nil {
			return code
		}
		defer closeLog()
		h := hub.New(func(acct transport.Account) (hub.Upstream, error) {
			return transport.NewStream(acct, transport.WithLogger(slog.New(logger.With("did", acct.User))))
		}, o.grace, logger)
		defer shutdownHub(h, logger)
		accounts := newServeAccounts(c, fallback, func() (*config.Config, error) { return config.Load(flags, s.getenv) }, logger)
		hist := openHistory(ctx, c, s, cmd, logger)
		defer hist.close(s, cmd, logger)
		outboxCtx, stopOutbox := context.WithCancel(ctx)
		defer stopOutbox() // before the history closes
		post, err := startOutbox(outboxCtx, c, hist, logger)
		if err != nil {
			return usageError(s, cmd, "%v", err)
		}
		sd := newServeDesk(ctx, c, s, cmd, logger, hist)
		defKeys, defHost := sshserver.DefaultPaths(s.getenv)
		srv, err := sshserver.New(sshserver.Config{
			Addr:                  o.listen,
			HostKeyPath:           cmp.Or(o.hostKey, defHost),
			AuthorizedKeysPath:    cmp.Or(o.authKeys, defKeys),
			Accounts:              accounts.resolve,
			AccountsChanged:       accounts.changed,
			Hub:                   h,
			MaxSessions:           o.maxSessions,
			MaxSessionsPerKey:     o.perKey,
			MaxSessionsPerAccount: o.perAccount,
			NoSessionTimeout:      o.noSession,
			IdleTimeout:           o.idle,
			Logger:                logger,
			NewConsole: func(sess sshserver.Session) tea.Model {
				lines := make([]tui.Line, len(sess.Lines))
				dids := make([]string, len(sess.Lines))
				for i, l := range sess.Lines {
					lines[i] = tui.Line{Name: l.Name, DID: l.Account.User, Naming: l.Naming, Phone: l.Phone}
					dids[i] = l.Account.User
				}
				opts := tui.Options{
					Lines:    lines,
					Numbers:  model.NewNumbers(c.Numbers),
					DialLine: c.DialLine,
					Logger:   sess.Logger,
					HoldWarn: c.HoldWarn,
					Bell:     c.Bell && !c.Quiet,
					PINNote:  servePINNote,
				}
				waitOptions(c)(&opts)
				// Who marks a missed call handled: the key's holder.
				opts.Operator = sess.KeyComment
				if opts.Operator == "" {
					opts.Operator = sess.User
				}
				sd.forAccounts(sess.Context, dids, &opts)
				opts.Address = post.address(opts.Operator)
				return tui.New(opts)
			},
		})
		if err != nil {
			return failure(s, cmd, err)
		}
		return serveUntilDone(ctx, s, cmd, srv, logger)
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
