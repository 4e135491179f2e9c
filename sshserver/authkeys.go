package sshserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"time"

	"charm.land/log/v2"
	gossh "golang.org/x/crypto/ssh"
)

// authorizedKeys is the allow-list of client keys, read from an OpenSSH
// authorized_keys file with its options, and read again whenever the file
// changes (checked on each login and by the server's watch).
type authorizedKeys struct {
	path string
	log  *log.Logger

	mu       sync.Mutex
	stamp    fileStamp
	keys     map[string][]keyEntry // marshalled key -> its usable lines, in file order
	unusable bool                  // the file is unsafe or unreadable: nobody gets in
}

// fileStamp tells one version of a file from another without reading it.
type fileStamp struct {
	mtime time.Time
	size  int64
	mode  os.FileMode
	dir   os.FileMode
}

// maxAuthorizedKeysLine is the longest line read; a longer one makes the
// whole file an error rather than silently dropping the keys after it.
const maxAuthorizedKeysLine = 64 << 10

// maxAuthorizedKeysFile caps how much of the file is read.
const maxAuthorizedKeysFile = 16 << 20

func newAuthorizedKeys(path string, logger *log.Logger) (*authorizedKeys, error) {
	a := &authorizedKeys{path: path, log: logger}
	st, err := checkAuthorizedKeysFile(path)
	if err != nil {
		return nil, err
	}
	if err := a.load(st); err != nil {
		return nil, err
	}
	if len(a.keys) == 0 {
		logger.Warn("no usable keys in the authorized keys file; every login will be refused until some are added", "path", path)
	}
	return a, nil
}

// checkAuthorizedKeysFile refuses, as sshd's StrictModes does, a file that
// is not a regular file or that the group or others may write, and a file
// in a folder that they may write: anyone who can change the list can let
// themselves in.
func checkAuthorizedKeysFile(path string) (fileStamp, error) {
	st, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, fmt.Errorf("authorized keys: %w (list the public keys allowed to connect there, one per line, as in ~/.ssh/authorized_keys)", err)
	}
	if !st.Mode().IsRegular() {
		return fileStamp{}, fmt.Errorf("authorized keys %s is not a regular file", path)
	}
	if st.Mode().Perm()&0o022 != 0 {
		return fileStamp{}, fmt.Errorf("authorized keys %s is writable by group or others (mode %04o): run chmod go-w %s", path, st.Mode().Perm(), path)
	}
	dir := filepath.Dir(path)
	if real, err := filepath.EvalSymlinks(path); err == nil {
		dir = filepath.Dir(real)
	}
	dst, err := os.Stat(dir)
	if err != nil {
		return fileStamp{}, fmt.Errorf("authorized keys folder: %w", err)
	}
	if dst.Mode().Perm()&0o022 != 0 {
		return fileStamp{}, fmt.Errorf("authorized keys folder %s is writable by group or others (mode %04o): run chmod go-w %s", dir, dst.Mode().Perm(), dir)
	}
	return fileStamp{mtime: st.ModTime(), size: st.Size(), mode: st.Mode(), dir: dst.Mode()}, nil
}

// load parses the file. Lines that do not parse, or whose options this
// server cannot honour, are skipped and logged; the rest still count. A
// line too long to read is an error for the whole file.
func (a *authorizedKeys) load(stamp fileStamp) error {
	f, err := os.Open(a.path)
	if err != nil {
		return fmt.Errorf("authorized keys: %w", err)
	}
	defer f.Close()
	keys := map[string][]keyEntry{}
	sc := bufio.NewScanner(io.LimitReader(f, maxAuthorizedKeysFile))
	sc.Buffer(make([]byte, 0, 4096), maxAuthorizedKeysLine)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		key, comment, options, _, err := gossh.ParseAuthorizedKey(line)
		if err != nil {
			if !blankOrComment(line) {
				a.log.Warn("skipping a line of the authorized keys file", "path", a.path, "line", n, "err", err)
			}
			continue
		}
		entry, err := parseKeyOptions(options)
		if err != nil {
			a.log.Warn("skipping a key of the authorized keys file", "path", a.path, "line", n, "fingerprint", gossh.FingerprintSHA256(key), "reason", err)
			continue
		}
		entry.comment = cleanField(comment)
		keys[string(key.Marshal())] = append(keys[string(key.Marshal())], entry)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("authorized keys %s: line %d is longer than %d bytes", a.path, n+1, maxAuthorizedKeysLine)
		}
		return fmt.Errorf("authorized keys: %w", err)
	}
	a.keys, a.stamp = keys, stamp
	return nil
}

func blankOrComment(line []byte) bool {
	for _, b := range line {
		switch b {
		case ' ', '\t', '\r':
			continue
		case '#':
			return true
		}
		return false
	}
	return true
}

// refresh re-reads the file if it changed, and reports whether it did. A
// file that disappears, becomes unsafe or cannot be read refuses everyone
// rather than keeping stale keys.
func (a *authorizedKeys) refresh() bool {
	stamp, err := checkAuthorizedKeysFile(a.path)
	if err != nil {
		changed := !a.unusable
		if changed {
			a.log.Error("refusing all logins", "err", err)
		}
		a.keys, a.stamp, a.unusable = nil, fileStamp{}, true
		return changed
	}
	if stamp == a.stamp {
		return false
	}
	if err := a.load(stamp); err != nil {
		// Kept as this version of the file: logged once, read again when
		// it changes.
		a.log.Error("refusing all logins", "err", err)
		a.keys, a.stamp, a.unusable = nil, stamp, true
		return true
	}
	a.unusable = false
	a.log.Info("authorized keys reloaded", "path", a.path, "keys", len(a.keys))
	return true
}

// authorize finds the first line listing key whose options let it in from
// remote now. When none does, why says what stopped it ("" when the key is
// not listed at all).
func (a *authorizedKeys) authorize(key gossh.PublicKey, remote net.Addr, now time.Time) (entry keyEntry, why string, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.refresh()
	return a.match(key, remote, now)
}

// check is authorize without re-reading the file.
func (a *authorizedKeys) check(key gossh.PublicKey, remote net.Addr, now time.Time) (keyEntry, string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.match(key, remote, now)
}

// changed re-reads the file if it changed and reports whether it did.
func (a *authorizedKeys) changed(force bool) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if force {
		a.stamp = fileStamp{}
	}
	return a.refresh()
}

func (a *authorizedKeys) match(key gossh.PublicKey, remote net.Addr, now time.Time) (keyEntry, string, bool) {
	if a.unusable {
		return keyEntry{}, "the server's authorized_keys file is unusable (its log says why)", false
	}
	entries := a.keys[string(key.Marshal())]
	why := ""
	ip := addrIP(remote)
	for _, e := range entries {
		if reason := e.permits(ip, now); reason != "" {
			why = reason
			continue
		}
		return e, "", true
	}
	return keyEntry{}, why, false
}

// addrIP is the IP address of a TCP remote address (invalid otherwise).
func addrIP(remote net.Addr) netip.Addr {
	if remote == nil {
		return netip.Addr{}
	}
	if ap, err := netip.ParseAddrPort(remote.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}
