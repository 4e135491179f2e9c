package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/postgres"
	"github.com/frontdesk/frontdesk/store/sqlite"
	"github.com/frontdesk/frontdesk/tui"
)

// history is the open history database and its one writer, shared by
// every console of the process.
type history struct {
	db store.Store
	w  *store.Writer
	// off is why there is no database (it could not be opened); the
	// console shows it.
	off error
}

// quitFlush is how long a process that ends waits for the history still
// queued to be saved.
const quitFlush = 5 * time.Second

// openHistory opens the call history. The console runs without it, after
// a warning, when the database cannot be opened (a damaged one is
// reported as such). The console prunes it to the retention itself, at
// start-up and daily.
func openHistory(ctx context.Context, c *config.Config, s sys, cmd string, logger *log.Logger) *history {
	db, err := openStore(ctx, c.History)
	if err != nil {
		fmt.Fprintf(s.stderr, "%s: warning: call history is off: %v\n", cmd, err)
		logger.Error("call history is off", "err", err)
		return &history{off: err}
	}
	return &history{db: db, w: store.NewWriter(db, 0)}
}

// openStore opens the database the history setting names: a postgres://
// URL is PostgreSQL, shared by a team of boxes (a server that cannot be
// reached yet is waited for), anything else an SQLite file.
func openStore(ctx context.Context, setting string) (store.Store, error) {
	if config.HistoryIsURL(setting) {
		db, err := postgres.Open(ctx, setting)
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	db, err := sqlite.Open(setting)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// openForReading opens the history for a command that only reads it: an
// SQLite file this user cannot write is fine, and no file at all is nil
// (nothing recorded yet).
func openForReading(ctx context.Context, setting string) (store.Store, error) {
	if config.HistoryIsURL(setting) {
		return openStore(ctx, setting)
	}
	if _, err := os.Stat(setting); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	db, err := sqlite.Open(setting, sqlite.ReadOnly())
	if err != nil {
		return nil, err
	}
	return db, nil
}

// close saves what is queued (waiting up to quitFlush) and closes the
// database; what could not be saved is reported.
func (h *history) close(s sys, cmd string, logger *log.Logger) {
	if h.off != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), quitFlush)
	defer cancel()
	if err := h.w.Close(ctx); err != nil {
		fmt.Fprintf(s.stderr, "%s: warning: %v\n", cmd, err)
		logger.Error("history not saved", "err", err)
	}
	h.db.Close()
}

// scopeFor is what a console of the accounts dids sees: their own
// records, and those kept before records had an account when one of them
// is the top-level account (or the file has none).
func scopeFor(c *config.Config, dids ...string) store.Scope {
	sc := store.Scope{Accounts: dids, Unowned: c.TopUser == ""}
	for _, did := range dids {
		if did == c.TopUser {
			sc.Unowned = true
		}
	}
	return sc
}

// consoleScope is what the console of c's lines sees.
func consoleScope(c *config.Config) store.Scope {
	var dids []string
	for _, l := range c.Lines {
		dids = append(dids, l.User)
	}
	if len(dids) == 0 && c.User != "" {
		dids = []string{c.User}
	}
	return scopeFor(c, dids...)
}

// everyAccount is every account of the file, and the records kept before
// records had accounts.
func everyAccount(c *config.Config) store.Scope {
	sc := store.Scope{Unowned: true}
	dids := []string{c.TopUser, c.User}
	for _, a := range c.Accounts {
		dids = append(dids, a.User)
	}
	for _, did := range dids {
		if did != "" {
			sc.Accounts = append(sc.Accounts, did)
		}
	}
	return sc
}

// desk is the receptionist's desk the console gets: the directory (with
// its reloads), the call history and messages, and the alert settings.
type desk struct {
	records    tui.Records
	dir        *directory.Directory
	skipped    int
	updates    <-chan directory.Reload
	notify     bool
	retention  time.Duration
	historyOff error // why there is no history database
	address    func(*model.Message, *directory.Directory)
}

// apply sets the console options the desk provides.
func (d desk) apply(o *tui.Options) {
	o.Records = d.records
	o.Directory = d.dir
	o.DirectorySkipped = d.skipped
	o.DirectoryUpdates = d.updates
	o.Notify = d.notify
	o.Retention = d.retention
	o.HistoryOff = d.historyOff
	o.Address = d.address
}

// notifyOn reports whether the console sends desktop notifications: the
// notify setting, never with quiet.
func notifyOn(c *config.Config) bool { return c.Notify && !c.Quiet }

// consoleDesk opens the configured directory (watching it for changes
// until ctx ends) and wraps the history store, if open.
func consoleDesk(ctx context.Context, c *config.Config, s sys, cmd string, logger *log.Logger, h *history) desk {
	d := desk{notify: notifyOn(c)}
	if h != nil {
		d.historyOff = h.off
	}
	if h != nil && h.off == nil {
		d.records = store.NewAccounts(ctx, h.w, consoleScope(c))
		if c.HistoryDays > 0 {
			d.retention = time.Duration(c.HistoryDays) * 24 * time.Hour
		}
	}
	path, dir, skipped := loadDirectory(ctx, c, s, cmd, logger)
	if path == "" {
		return d
	}
	d.dir, d.skipped = dir, skipped
	d.updates = directory.Watch(ctx, path, 0, dir)
	return d
}

// loadDirectory loads the configured (or default) directory file. Each
// skipped row is logged. path is "" when there is no directory file; dir
// is nil when it could not be read.
func loadDirectory(ctx context.Context, c *config.Config, s sys, cmd string, logger *log.Logger) (path string, dir *directory.Directory, skipped int) {
	path = cli.DirectoryPath(c.Directory, s.getenv)
	if path == "" {
		return "", nil, 0
	}
	dir, rows, err := directory.LoadContext(ctx, path)
	if err != nil {
		fmt.Fprintf(s.stderr, "%s: warning: directory: %v (callers are shown by number until it can be read)\n", cmd, err)
		logger.Warn("directory not loaded", "path", path, "err", err)
		return path, nil, 0
	}
	for _, r := range rows {
		logger.Warn("directory row skipped", "path", path, "line", r.Line, "reason", r.Reason)
	}
	logger.Info("directory loaded", "path", path, "contacts", dir.Len(), "skipped", len(rows))
	return path, dir, len(rows)
}

// demoDesk is the demo's desk: the built-in directory of the simulator's
// callers and a throwaway history database, removed when the demo ends,
// so the demo never touches the user's real history.
func demoDesk(ctx context.Context, c *config.Config, s sys, cmd string, logger *log.Logger) (desk, func()) {
	d := desk{notify: notifyOn(c)}
	if dir, err := cli.DemoDirectory(); err == nil {
		d.dir = dir
	} else {
		logger.Warn("demo directory", "err", err)
	}
	db, cleanup, err := cli.DemoHistory()
	if err != nil {
		fmt.Fprintf(s.stderr, "%s: warning: call history is off: %v\n", cmd, err)
		return d, func() {}
	}
	h := &history{db: db, w: store.NewWriter(db, 0)}
	d.records = store.NewAccounts(ctx, h.w, store.Scope{Accounts: []string{cli.DemoDID}})
	return d, func() {
		h.close(s, cmd, logger)
		cleanup()
	}
}

// serveDesk is the desk the SSH server's consoles share: one directory
// (loaded once at start-up; restart the server to reload it) and one
// history database. forAccounts gives each session's console its desk, its
// History limited to its own accounts' lines.
type serveDesk struct {
	base    desk
	history *history
	cfg     *config.Config
}

func newServeDesk(ctx context.Context, c *config.Config, s sys, cmd string, logger *log.Logger, h *history) serveDesk {
	// No watcher: one reload channel cannot feed several sessions.
	d := desk{notify: notifyOn(c)}
	_, d.dir, d.skipped = loadDirectory(ctx, c, s, cmd, logger)
	if h != nil && c.HistoryDays > 0 {
		d.retention = time.Duration(c.HistoryDays) * 24 * time.Hour
	}
	if h != nil && h.off != nil {
		d.historyOff, h = h.off, nil
	}
	return serveDesk{base: d, history: h, cfg: c}
}

// forAccounts gives the console of a session on accounts dids its desk,
// until ctx (the session) ends.
func (sd serveDesk) forAccounts(ctx context.Context, dids []string, o *tui.Options) {
	d := sd.base
	if sd.history != nil {
		d.records = store.NewAccounts(ctx, sd.history.w, scopeFor(sd.cfg, dids...))
	}
	d.apply(o)
}
