package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/log/v2"
	"github.com/spf13/pflag"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/sshserver"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/tui"
)

// serveOptions are serve's own flags.
type serveOptions struct {
	listen, authKeys, hostKey, logPath string
	maxSessions, perKey, perAccount    int
	idle, grace, noSession             time.Duration
}

func serveCmd(fs *pflag.FlagSet) body {
	flags := config.NewFlags(fs, config.ConfigFlag|config.AccountFlags|config.AlertFlags|config.DirectoryFlag|config.HistoryFlag|config.RetentionFlag)
	var o serveOptions
	fs.StringVar(&o.listen, "listen", sshserver.DefaultAddr, "listen on `address`")
	fs.StringVar(&o.authKeys, "authorized-keys", "", "`file` of the public keys allowed to log in (default $XDG_CONFIG_HOME/frontdesk/authorized_keys)")
	fs.StringVar(&o.hostKey, "host-key", "", "the server's private host key `file`, created on first start (default $XDG_STATE_HOME/frontdesk/ssh_host_ed25519)")
	fs.IntVar(&o.maxSessions, "max-sessions", 0, "most consoles at once, 0 = no limit")
	fs.IntVar(&o.perKey, "max-sessions-per-key", 5, "most consoles one SSH key may have open, 0 = no limit")
	fs.IntVar(&o.perAccount, "max-sessions-per-account", 20, "most consoles one phone account may have open, 0 = no limit")
	fs.DurationVar(&o.noSession, "no-session-timeout", time.Minute, "close a logged-in connection that has no console open for this long, 0 = never")
	fs.DurationVar(&o.idle, "idle-timeout", 0, "close a console after this long without a key press, 0 = never")
	fs.DurationVar(&o.grace, "upstream-grace", 30*time.Second, "keep an account's connection this long after its last console leaves")
	fs.StringVar(&o.logPath, "log", "", "append the log to `file` (mode 0600) instead of standard error, which is the journal under systemd")
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
		store := openHistory(c, s, cmd, logger)
		if store != nil {
			defer store.Close()
		}
		sd := newServeDesk(ctx, c, s, cmd, logger, store)
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
				opts := tui.Options{
					Phone:    sess.Phone,
					Account:  sess.Account.User,
					Logger:   sess.Logger,
					HoldWarn: c.HoldWarn,
					Bell:     c.Bell && !c.Quiet,
				}
				waitOptions(c)(&opts)
				sd.forAccount(sess.Account.User, &opts)
				return tui.New(opts)
			},
		})
		if err != nil {
			return failure(s, cmd, err)
		}
		return serveUntilDone(ctx, s, cmd, srv, logger)
	}
}

// serveSettings loads the settings and, when the top level configures an
// account, its PIN: that account serves the keys no [[account]] lists.
func serveSettings(cmd string, flags *config.Flags, s sys) (*config.Config, *transport.Account, int) {
	c, err := config.Load(flags, s.getenv)
	if err != nil {
		return nil, nil, usageError(s, cmd, "%v", err)
	}
	if err := c.OnePhone(cmd); err != nil {
		return nil, nil, usageError(s, cmd, "%v", err)
	}
	var fallback *transport.Account
	if c.User != "" {
		if err := c.ReadPIN(s.prompt); err != nil {
			return nil, nil, usageError(s, cmd, "%v", err)
		}
		a := c.TransportAccount()
		fallback = &a
	} else if len(c.Accounts) == 0 {
		return nil, nil, usageError(s, cmd, "no account to serve: add [[account]] entries (name, user, pin_file, keys) to %s, or set a default account with %s and %s or --pin-file",
			c.Path, config.EnvUser, config.EnvPIN)
	}
	for _, w := range c.Warnings {
		fmt.Fprintf(s.stderr, "%s: warning: %s\n", cmd, w)
	}
	return c, fallback, exitOK
}

// serverLogger is the server's log: standard error (the journal, under
// systemd) unless --log names a file.
func serverLogger(cmd, path string, s sys) (*log.Logger, func(), int) {
	level := log.InfoLevel
	if lv := s.getenv("FRONTDESK_LOG_LEVEL"); lv != "" {
		var err error
		if level, err = log.ParseLevel(lv); err != nil {
			return nil, nil, usageError(s, cmd, "FRONTDESK_LOG_LEVEL=%q: want debug, info, warn or error", lv)
		}
	}
	if path == "" {
		return log.NewWithOptions(s.stderr, log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339, Level: level}), func() {}, exitOK
	}
	logger, closeLog, err := cli.OpenLog(path, "")
	if err != nil {
		return nil, nil, failure(s, cmd, err)
	}
	logger.SetLevel(level)
	return logger, closeLog, exitOK
}

// serveUntilDone serves until ctx ends, re-reading authorized_keys and
// the accounts on SIGHUP, then gives the sessions 15s to close.
func serveUntilDone(ctx context.Context, s sys, cmd string, srv *sshserver.Server, logger *log.Logger) int {
	served := make(chan error, 1)
	go func() { served <- srv.ListenAndServe() }()
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

func shutdownHub(h *hub.Hub, logger *log.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		logger.Warn("hub shutdown", "err", err)
	}
}
