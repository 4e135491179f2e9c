package main

import (
	"errors"
	"os"
	"sync"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/sshserver"
	"github.com/frontdesk/frontdesk/transport"
)

// serveAccounts maps the SSH users' keys to phone accounts for `frontdesk
// serve`: the [[account]] whose keys list the key, else the top-level
// account (fallback, read once at start), else none. The [[account]]
// entries are read again when the config file changes, and on SIGHUP.
type serveAccounts struct {
	reload   func() (*config.Config, error)
	fallback *transport.Account
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

func newServeAccounts(c *config.Config, fallback *transport.Account, reload func() (*config.Config, error), logger *log.Logger) *serveAccounts {
	return &serveAccounts{reload: reload, fallback: fallback, log: logger, cfg: c, stamp: stampOf(c.Path)}
}

// resolve is the server's AccountResolver.
func (a *serveAccounts) resolve(key gossh.PublicKey) (transport.Account, error) {
	a.mu.Lock()
	c := a.cfg
	a.mu.Unlock()
	lines, err := c.KeyLines(key)
	switch {
	case errors.Is(err, config.ErrUnknownKey) && a.fallback != nil:
		return *a.fallback, nil
	case errors.Is(err, config.ErrUnknownKey):
		return transport.Account{}, sshserver.ErrNoAccount
	case err != nil:
		return transport.Account{}, err
	}
	return lines[0].TransportAccount(), nil
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
