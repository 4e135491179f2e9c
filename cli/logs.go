package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"charm.land/log/v2"

	"github.com/frontdesk/frontdesk/history"
	"github.com/frontdesk/frontdesk/model"
)

// OpenLog opens the log file (mode 0600, its directory 0700) for a logger
// that never writes to the screen.
func OpenLog(path, level string) (*log.Logger, func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("log directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("log file: %w", err)
	}
	l := log.NewWithOptions(f, log.Options{ReportTimestamp: true, TimeFormat: time.RFC3339, Level: log.InfoLevel})
	if level != "" {
		lv, err := log.ParseLevel(level)
		if err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("FRONTDESK_LOG_LEVEL=%q: want debug, info, warn or error", level)
		}
		l.SetLevel(lv)
	}
	l = l.With("pid", strconv.Itoa(os.Getpid()))
	return l, func() { f.Close() }, nil
}

// HistoryLog is the console's model.HistoryStore: it records ended calls in
// the history database, with the caller's name from the directory when
// there is one.
type HistoryLog struct {
	Store *history.Store
	Names Names
}

// Add records one ended call.
func (h HistoryLog) Add(e model.HistoryEntry) error {
	dir := history.Inbound
	if e.Outbound {
		dir = history.Outbound
	}
	name := ""
	if h.Names != nil {
		name, _ = h.Names(e.Ani)
	}
	return h.Store.Add(history.Entry{
		CallID: e.CallID, DID: e.DID, Direction: dir, Outcome: history.Outcome(e.Outcome.String()),
		Number: e.Ani, Name: name, CLID: e.CLID,
		Start: e.Start, Ring: e.Ring, Talk: e.Talk, Hold: e.Hold, Ended: e.End,
	})
}
