package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/transport"
)

// Account is one [[account]] entry: a phone that a server can hand to the
// SSH users whose keys are listed.
type Account struct {
	Name     string
	Label    string // "" when not set
	Greeting string
	User     string
	Server   string // empty: the top-level server
	Endpoint string
	PINFile  string
	// Keys are authorized_keys lines allowed to use this account.
	Keys []string

	parsed []ssh.PublicKey
}

// AccountsForKey returns the accounts that list key among their keys, in
// the file's order: a key listed in several gets all of them.
func (c *Config) AccountsForKey(key ssh.PublicKey) []Account {
	want := key.Marshal()
	var out []Account
	for _, a := range c.Accounts {
		for _, k := range a.parsed {
			if bytes.Equal(k.Marshal(), want) {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// ErrUnknownKey is returned by KeyLines for a key no account lists.
var ErrUnknownKey = errors.New("no [[account]] lists this SSH key")

// KeyLines returns the lines an SSH user's key opens: every [[account]]
// that lists the key, each with its PIN read from its pin_file (read on
// every call, so a changed PIN file takes effect for the next session). The
// server and CA file default to the top-level settings.
func (c *Config) KeyLines(key ssh.PublicKey) ([]Line, error) {
	accts := c.AccountsForKey(key)
	if len(accts) == 0 {
		return nil, ErrUnknownKey
	}
	lines := make([]Line, len(accts))
	for i, a := range accts {
		if a.PINFile == "" {
			return nil, fmt.Errorf("account %q in %s has no pin_file", a.Name, c.Path)
		}
		pin, _, err := readPINFile(a.PINFile)
		if err != nil {
			return nil, fmt.Errorf("account %q: PIN file %s: %v", a.Name, a.PINFile, err)
		}
		lines[i] = c.accountLine(a, "")
		lines[i].PIN = transport.Secret(pin)
	}
	return lines, nil
}

// fileConfig is config.toml's layout.
type fileConfig struct {
	Server      string    `toml:"server"`
	User        string    `toml:"user"`
	PINFile     string    `toml:"pin_file"`
	Endpoint    string    `toml:"endpoint"`
	CAFile      string    `toml:"ca_file"`
	Log         string    `toml:"log"`
	HoldWarn    *duration `toml:"hold_warn"`
	RingWarn    *duration `toml:"ring_warn"`
	RingAlert   *duration `toml:"ring_alert"`
	Bell        *bool     `toml:"bell"`
	Quiet       *bool     `toml:"quiet"`
	Notify      *bool     `toml:"notify"`
	Directory   string    `toml:"directory"`
	History     string    `toml:"history"`
	HistoryDays *int      `toml:"history_days"`
	Label       string    `toml:"label"`
	Greeting    string    `toml:"greeting"`
	Lines       []string  `toml:"lines"`
	DialLine    string    `toml:"dial_line"`

	Account   []fileAccount   `toml:"account"`
	Line      []fileLine      `toml:"line"`
	SpeedDial []fileSpeedDial `toml:"speed_dial"`
	SMTP      *fileSMTP       `toml:"smtp"`
	Webhook   *fileWebhook    `toml:"webhook"`

	accounts  []Account
	speedDial []SpeedDial
	// The checked [smtp] and [webhook] sections.
	smtp       SMTP
	webhookURL string
}

type fileAccount struct {
	Name     string   `toml:"name"`
	Label    string   `toml:"label"`
	Greeting string   `toml:"greeting"`
	User     string   `toml:"user"`
	Server   string   `toml:"server"`
	Endpoint string   `toml:"endpoint"`
	PINFile  string   `toml:"pin_file"`
	Keys     []string `toml:"keys"`
}

// duration reads "60s", "2m" or a number of seconds.
type duration struct{ d time.Duration }

func (d *duration) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case int64:
		d.d = time.Duration(v) * time.Second
		return nil
	case string:
		x, err := parseDuration(v)
		if err != nil {
			return err
		}
		d.d = x
		return nil
	}
	return errors.New("not a duration: use e.g. \"45s\", \"2m\" or 90 (seconds)")
}

// readFile reads and checks the config file. Paths in it are relative to
// its directory; ~/ is the home directory. Without accounts the [[account]]
// entries are neither checked nor returned.
func readFile(path, home string, accounts bool) (*fileConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("config file: %v", err)
	}
	var f fileConfig
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, tomlError(path, data, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		line := keyLine(data, k)
		last := k[len(k)-1]
		if len(k) == 2 && k[0] == "smtp" && last == "password" {
			return nil, fmt.Errorf("%s:%d: the SMTP password does not belong in the config file: put it in a file only you can read (chmod 600) and set password_file in [smtp] to that file",
				path, line)
		}
		if last == "pin" || last == "password" {
			return nil, fmt.Errorf("%s:%d: the PIN does not belong in the config file: put it in a file only you can read (chmod 600) and set pin_file to that file, or set %s",
				path, line, EnvPIN)
		}
		where := path
		if line > 0 {
			where = fmt.Sprintf("%s:%d", path, line)
		}
		return nil, fmt.Errorf("%s: unknown setting %q (settings: server, user, pin_file, endpoint, ca_file, label, greeting, lines, dial_line, log, hold_warn, ring_warn, ring_alert, bell, quiet, notify, directory, history, history_days, [[account]], [[line]], [[speed_dial]], [smtp], [webhook])",
			where, k.String())
	}

	dir := filepath.Dir(path)
	abs := func(p string) string {
		if p == "" {
			return ""
		}
		p = expandHome(p, home)
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return p
	}
	f.PINFile, f.CAFile, f.Log = abs(f.PINFile), abs(f.CAFile), abs(f.Log)
	f.Directory = abs(f.Directory)
	if !HistoryIsURL(f.History) {
		f.History = abs(f.History)
	}
	if err := f.checkMail(abs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}

	names := map[string]bool{}
	if !accounts {
		f.Account = nil
		f.Lines, f.DialLine = nil, ""
	}
	for i, fa := range f.Account {
		where := fmt.Sprintf("%s: [[account]] #%d", path, i+1)
		if fa.Name == "" {
			return nil, fmt.Errorf("%s has no name: add name = \"...\"", where)
		}
		where = fmt.Sprintf("%s: [[account]] %q", path, fa.Name)
		if names[fa.Name] {
			return nil, fmt.Errorf("%s appears twice: account names must be unique", where)
		}
		names[fa.Name] = true
		if !isDID(fa.User) {
			return nil, fmt.Errorf("%s: user must be the phone's DID, ten digits, e.g. user = \"6465551000\"", where)
		}
		if err := checkText(where, fa.Label, fa.Greeting); err != nil {
			return nil, err
		}
		a := Account{Name: fa.Name, Label: fa.Label, Greeting: fa.Greeting, User: fa.User, Server: fa.Server,
			Endpoint: fa.Endpoint, PINFile: abs(fa.PINFile), Keys: fa.Keys}
		for j, line := range fa.Keys {
			pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
			if err != nil {
				return nil, fmt.Errorf("%s: keys[%d] is not an SSH public key (want a line as in authorized_keys, e.g. \"ssh-ed25519 AAAA... name\")", where, j)
			}
			a.parsed = append(a.parsed, pk)
		}
		f.accounts = append(f.accounts, a)
	}
	if err := f.checkLines(path, names); err != nil {
		return nil, err
	}
	if f.speedDial, err = f.speedDials(path); err != nil {
		return nil, err
	}
	return &f, nil
}

var tomlLineRE = regexp.MustCompile(`^toml: line (\d+)(?: \(last key "([^"]*)"\))?: (.*)$`)

var tomlTypeRE = regexp.MustCompile(`incompatible types: TOML value has type (\S+); destination has type (\S+)`)

var tomlTypeNames = map[string]string{
	"string": "text (in quotes)", "int64": "a number", "integer": "a whole number", "float64": "a number",
	"bool": "true or false", "boolean": "true or false", "map[string]any": "a table", "[]any": "a list",
	"[]map[string]any": "a list of tables", "time.Time": "a date", "slice": "a list", "map": "a table",
	"float": "a number",
}

func tomlTypeName(t string) string {
	if n, ok := tomlTypeNames[t]; ok {
		return n
	}
	return t
}

// tomlError turns a decoder error into "file:line: message". A message
// about a pin key is replaced, in case it quotes the value.
func tomlError(path string, data []byte, err error) error {
	var pe toml.ParseError
	line, key, msg := 0, "", err.Error()
	if errors.As(err, &pe) {
		line, key, msg = pe.Position.Line, pe.LastKey, pe.Message
	} else if m := tomlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		key, msg = m[2], m[3]
	} else {
		msg = strings.TrimPrefix(msg, "toml: ")
	}
	if m := tomlTypeRE.FindStringSubmatch(msg); m != nil {
		msg = "this is " + tomlTypeName(m[1]) + ", want " + tomlTypeName(m[2])
	}
	if line > 0 && mentionsPIN(data, line, key) {
		msg = "the PIN does not belong in the config file: set pin_file to a file only you can read, or set " + EnvPIN
	}
	where := path
	if line > 0 {
		where = fmt.Sprintf("%s:%d", path, line)
	}
	if key != "" {
		return fmt.Errorf("%s: %s: %s", where, key, msg)
	}
	return fmt.Errorf("%s: %s", where, msg)
}

func mentionsPIN(data []byte, line int, key string) bool {
	if key == "pin" || strings.HasSuffix(key, ".pin") || key == "password" {
		return true
	}
	lines := strings.Split(string(data), "\n")
	if line < 1 || line > len(lines) {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(lines[line-1]))
	return strings.HasPrefix(t, "pin ") || strings.HasPrefix(t, "pin=") || strings.HasPrefix(t, "password")
}

// keyLine finds the line where key is set, for messages; 0 if not found.
func keyLine(data []byte, k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	last := k[len(k)-1]
	// Look for the key within its table when it is in one.
	table := ""
	if len(k) > 1 {
		table = strings.Join(k[:len(k)-1], ".")
	}
	inTable := table == ""
	for i, raw := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(raw)
		if strings.HasPrefix(t, "[") {
			name := strings.Trim(t, "[] \t")
			if j := strings.IndexByte(name, '#'); j >= 0 {
				name = strings.TrimSpace(name[:j])
			}
			if name == strings.Join(k, ".") {
				return i + 1
			}
			inTable = name == table || (table != "" && strings.HasPrefix(table, name+"."))
			continue
		}
		if !inTable {
			continue
		}
		rest, ok := strings.CutPrefix(t, last)
		if !ok {
			rest, ok = strings.CutPrefix(t, strconv.Quote(last))
		}
		if ok && strings.HasPrefix(strings.TrimSpace(rest), "=") {
			return i + 1
		}
	}
	return 0
}
