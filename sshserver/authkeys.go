package sshserver

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"sync"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"
)

// authorizedKeys is the allow-list of client keys, read from an OpenSSH
// authorized_keys file and read again whenever the file changes (checked on
// each login; a stat is cheap next to an SSH handshake).
type authorizedKeys struct {
	path string
	log  *log.Logger

	mu    sync.Mutex
	mtime time.Time
	size  int64
	keys  map[string]string // marshalled key -> comment
}

func newAuthorizedKeys(path string, logger *log.Logger) (*authorizedKeys, error) {
	a := &authorizedKeys{path: path, log: logger}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("authorized keys: %w (list the public keys allowed to connect there, one per line, as in ~/.ssh/authorized_keys)", err)
	}
	if err := a.load(st); err != nil {
		return nil, err
	}
	if len(a.keys) == 0 {
		logger.Warn("no keys in the authorized keys file; every login will be refused until some are added", "path", path)
	}
	return a, nil
}

// load parses the file. Lines that do not parse are skipped and logged; the
// rest still count.
func (a *authorizedKeys) load(st os.FileInfo) error {
	data, err := os.ReadFile(a.path)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	keys := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		key, comment, _, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			a.log.Warn("skipping a line of the authorized keys file", "path", a.path, "line", n, "err", err)
			continue
		}
		keys[string(key.Marshal())] = comment
	}
	a.keys, a.mtime, a.size = keys, st.ModTime(), st.Size()
	return nil
}

// refresh re-reads the file if its size or modification time changed. A file
// that disappears refuses everyone rather than keeping stale keys.
func (a *authorizedKeys) refresh() {
	st, err := os.Stat(a.path)
	if err != nil {
		if a.keys != nil {
			a.log.Error("authorized keys file unreadable; refusing all logins", "path", a.path, "err", err)
		}
		a.keys, a.mtime, a.size = nil, time.Time{}, -1
		return
	}
	if st.ModTime().Equal(a.mtime) && st.Size() == a.size {
		return
	}
	if err := a.load(st); err != nil {
		a.log.Error("authorized keys file unreadable; refusing all logins", "path", a.path, "err", err)
		a.keys = nil
		return
	}
	a.log.Info("authorized keys reloaded", "path", a.path, "keys", len(a.keys))
}

// allowed reports whether key is listed.
func (a *authorizedKeys) allowed(key gossh.PublicKey) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh()
	_, ok := a.keys[string(key.Marshal())]
	return ok
}
