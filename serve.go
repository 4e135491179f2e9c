package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/hub"
	"github.com/frontdesk/frontdesk/sshserver"
)

// serveAccounts maps the SSH users' keys to phone accounts for `frontdesk
// serve`: every [[account]] whose keys list the key (several make one
// console of several lines), else the top-level account or the accounts
// lines names (fallback, read once at start), else none. The [[account]]
// entries are read again when the config file changes, and on SIGHUP.
type serveAccounts struct {
	reload   func() (*config.Config, error)
	fallback []sshserver.Line
	log      *log.Logger

	mu    sync.Mutex
	cfg   *config.Config
	stamp fileStamp
}

// fileStamp tells one version of the config file from another.
type fileStamp struct {
	mtime time.Time
	size  int64
}

func stampOf(path string) fileStamp {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{size: -1}
	}
	return fileStamp{mtime: st.ModTime(), size: st.Size()}
}

func newServeAccounts(c *config.Config, fallback []sshserver.Line, reload func() (*config.Config, error), logger *log.Logger) *serveAccounts {
	return &serveAccounts{reload: reload, fallback: fallback, log: logger, cfg: c, stamp: stampOf(c.Path)}
}

// resolve is the server's AccountResolver.
func (a *serveAccounts) resolve(key gossh.PublicKey) ([]sshserver.Line, error) {
	a.mu.Lock()
	c := a.cfg
	a.mu.Unlock()
	lines, err := c.KeyLines(key)
	switch {
	case errors.Is(err, config.ErrUnknownKey) && a.fallback != nil:
		return a.fallback, nil
	case errors.Is(err, config.ErrUnknownKey):
		return nil, sshserver.ErrNoAccount
	case err != nil:
		return nil, err
	}
	return serveLines(lines), nil
}

// serveLines are the config's lines as the server hands them out.
func serveLines(lines []config.Line) []sshserver.Line {
	out := make([]sshserver.Line, len(lines))
	for i, l := range lines {
		out[i] = sshserver.Line{Name: l.Name, Naming: l.Naming, Account: l.TransportAccount()}
	}
	return out
}

// changed is the server's AccountsChanged: it reads the config file again
// when it changed (always, with force) and reports whether the accounts
// were replaced. A file that no longer loads keeps the accounts as they
// were, with the error in the log: a typo must not lock every desk out.
func (a *serveAccounts) changed(force bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	stamp := stampOf(a.cfg.Path)
	if !force && stamp == a.stamp {
		return false
	}
	a.stamp = stamp
	c, err := a.reload()
	if err != nil {
		a.log.Error("config not reloaded; the accounts stay as they were", "err", err)
		return false
	}
	a.cfg = c
	a.log.Info("accounts reloaded", "path", c.Path, "accounts", len(c.Accounts))
	return true
}

// serveSettings loads the settings and, when the top level configures an
// account (or lines names several), their PINs: they serve the keys no
// [[account]] lists.
func serveSettings(cmd string, flags *config.Flags, s sys) (*config.Config, []sshserver.Line, int) {
	c, err := config.Load(flags, s.getenv)
	if err != nil {
		return nil, nil, usageError(s, cmd, "%v", err)
	}
	var fallback []sshserver.Line
	if c.User != "" {
		if err := c.ReadPIN(s.prompt); err != nil {
			return nil, nil, usageError(s, cmd, "%v", err)
		}
		fallback = serveLines(c.Lines)
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

// servePINNote is said under the PIN prompt of a served console: the hub
// lets any console of an account retype its PIN while the phone service
// refuses it, for all of the account's consoles, in memory only (see
// hub.Client.SetPIN).
const servePINNote = "This PIN is for every console of this account and is kept in memory only, not in the pin file: ask the administrator to correct the file."
