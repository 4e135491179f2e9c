package main

import (
	"context"
	"fmt"
	"time"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/history"
	"github.com/frontdesk/frontdesk/tui"
)

// desk is the receptionist's desk the console gets: the directory (with
// its reloads), the call history and messages, and the alert settings.
type desk struct {
	records   tui.Records
	dir       *directory.Directory
	skipped   int
	updates   <-chan directory.Reload
	notify    bool
	retention time.Duration
}

// apply sets the console options the desk provides.
func (d desk) apply(o *tui.Options) {
	o.Records = d.records
	o.Directory = d.dir
	o.DirectorySkipped = d.skipped
	o.DirectoryUpdates = d.updates
	o.Notify = d.notify
	o.Retention = d.retention
}

// notifyOn reports whether the console sends desktop notifications: the
// notify setting, never with quiet.
func notifyOn(c *config.Config) bool { return c.Notify && !c.Quiet }

// consoleDesk opens the configured directory (watching it for changes
// until ctx ends) and wraps the history store, if open.
func consoleDesk(ctx context.Context, c *config.Config, s sys, cmd string, logger *log.Logger, store *history.Store) desk {
	d := desk{notify: notifyOn(c)}
	if store != nil {
		d.records = cli.Records{Store: store, DID: c.User}
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
func demoDesk(c *config.Config, s sys, cmd string, logger *log.Logger) (desk, func()) {
	d := desk{notify: notifyOn(c)}
	if dir, err := cli.DemoDirectory(); err == nil {
		d.dir = dir
	} else {
		logger.Warn("demo directory", "err", err)
	}
	store, cleanup, err := cli.DemoHistory()
	if err != nil {
		fmt.Fprintf(s.stderr, "%s: warning: call history is off: %v\n", cmd, err)
		return d, func() {}
	}
	d.records = cli.Records{Store: store, DID: cli.DemoDID}
	return d, cleanup
}

// serveDesk is the desk the SSH server's consoles share: one directory
// (loaded once at start-up; restart the server to reload it) and one
// history database. forAccount gives each session's console its desk, its
// History limited to its own account's line.
type serveDesk struct {
	base  desk
	store *history.Store
}

func newServeDesk(ctx context.Context, c *config.Config, s sys, cmd string, logger *log.Logger, store *history.Store) serveDesk {
	// No watcher: one reload channel cannot feed several sessions.
	d := desk{notify: notifyOn(c)}
	_, d.dir, d.skipped = loadDirectory(ctx, c, s, cmd, logger)
	if store != nil && c.HistoryDays > 0 {
		d.retention = time.Duration(c.HistoryDays) * 24 * time.Hour
	}
	return serveDesk{base: d, store: store}
}

func (sd serveDesk) forAccount(did string, o *tui.Options) {
	d := sd.base
	if sd.store != nil {
		d.records = cli.Records{Store: sd.store, DID: did, Line: did}
	}
	d.apply(o)
}
