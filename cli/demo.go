package cli

import (
	_ "embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/store/sqlite"
)

// demoDirectoryCSV is the demo's contacts file: the simulator's named
// callers (skysim.DemoContacts), so the demo shows callers by name.
//
//go:embed demo_directory.csv
var demoDirectoryCSV []byte

// DemoDirectory returns the demo's directory.
func DemoDirectory() (*directory.Directory, error) {
	d, rows, err := directory.ParseCSV(demoDirectoryCSV)
	if err != nil {
		return nil, err
	}
	if len(rows) > 0 {
		return nil, fmt.Errorf("demo directory: %v", rows[0])
	}
	return d, nil
}

// DemoHistory opens a throwaway history database in a new temporary
// directory, so the demo's calls and messages never mix with the user's
// real history. cleanup closes it and removes the directory.
func DemoHistory() (db *sqlite.Store, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "frontdesk-demo-")
	if err != nil {
		return nil, nil, fmt.Errorf("demo history: %w", err)
	}
	db, err = sqlite.Open(filepath.Join(dir, "history.db"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return db, func() { db.Close(); os.RemoveAll(dir) }, nil
}

// DirectoryPath is the contacts file to use: the configured one, else
// directory.csv or directory.vcf in $XDG_CONFIG_HOME/frontdesk if one
// exists, else "" (no directory).
func DirectoryPath(configured string, getenv func(string) string) string {
	if configured != "" {
		return configured
	}
	base := getenv("XDG_CONFIG_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home := getenv("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".config")
	}
	for _, name := range []string{"directory.csv", "directory.vcf"} {
		p := filepath.Join(base, "frontdesk", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}
