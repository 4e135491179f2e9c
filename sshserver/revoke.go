package sshserver

import (
	"slices"
	"time"
)

// watchKeys checks the keys every CheckInterval until the server stops:
// a key removed from authorized_keys or from its account, or past its
// expiry-time, ends its open consoles within a check.
func (s *Server) watchKeys() {
	t := time.NewTicker(s.cfg.CheckInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.recheck(false)
		}
	}
}

// Reload re-reads authorized_keys and the account settings now (as on
// SIGHUP), and ends the consoles whose keys lost their access.
func (s *Server) Reload() {
	s.log.Info("reloading keys and accounts")
	s.recheck(true)
}

// recheck re-reads what changed (everything, with force) and checks every
// running console's key against it.
func (s *Server) recheck(force bool) {
	s.keys.changed(force)
	accounts := false
	if s.cfg.AccountsChanged != nil {
		accounts = s.cfg.AccountsChanged(force)
	}
	s.mu.Lock()
	open := make([]*console, 0, len(s.sessions))
	for _, c := range s.sessions {
		open = append(open, c)
	}
	s.mu.Unlock()
	now := time.Now()
	for _, c := range open {
		if reason := s.revoked(c, accounts, now); reason != "" {
			// c.log is the session's own; this goroutine logs through the
			// server's.
			s.log.Info("ending the console of a revoked key", "fingerprint", c.fingerprint,
				"remote", c.sess.RemoteAddr().String(), "reason", reason)
			c.end(reason)
		} else if accounts {
			s.settingsPINs(c)
		}
	}
}

// settingsPINs hands the hub the PINs the reloaded settings give for c's
// accounts: a corrected pin file brings a refused account back without a
// restart.
func (s *Server) settingsPINs(c *console) {
	c.mu.Lock()
	lines := c.lines
	c.mu.Unlock()
	key := c.sess.PublicKey()
	if len(lines) == 0 || key == nil {
		return
	}
	current, err := s.cfg.Accounts(key)
	if err != nil {
		return
	}
	for _, l := range lines {
		for _, n := range current {
			if n.Account.User == l.Account.User && n.Account.Server == l.Account.Server && n.Account.Endpoint == l.Account.Endpoint {
				l.Phone.SettingsPIN(n.Account.PIN)
			}
		}
	}
}

// revoked says why c's key may no longer run its console ("" when it
// still may). With accounts, the key's account is resolved again too.
func (s *Server) revoked(c *console, accounts bool, now time.Time) string {
	c.mu.Lock()
	running := len(c.lines) > 0 && !c.ending
	lines := c.lines
	c.mu.Unlock()
	key := c.sess.PublicKey()
	if !running || key == nil {
		return ""
	}
	entry, why, ok := s.keys.check(key, c.sess.RemoteAddr(), now)
	switch {
	case !ok && why != "":
		return "your key is no longer allowed in: " + why
	case !ok:
		return "your key was removed from this server"
	case entry.noPTY:
		return "your key may no longer open a terminal here"
	}
	if !accounts {
		return ""
	}
	current, err := s.cfg.Accounts(key)
	for _, l := range lines {
		acct := l.Account
		if err != nil || !slices.ContainsFunc(current, func(n Line) bool {
			return n.Account.User == acct.User && n.Account.Server == acct.Server
		}) {
			return "your key no longer works phone account " + acct.User
		}
	}
	return ""
}
