package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"charm.land/log/v2"
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
