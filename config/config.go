// Package config gathers frontdesk's settings from flags, FRONTDESK_*
// environment variables and the config file, in that order of precedence,
// and finds the account's PIN without ever putting it on a command line.
package config

import (
	"cmp"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Defaults.
const (
	DefaultServer      = transport.DefaultServer
	DefaultHoldWarn    = 60 * time.Second
	DefaultHistoryDays = 90
	DefaultRingWarn    = 20 * time.Second
	DefaultRingAlert   = 45 * time.Second
)

// Environment variable names.
const (
	EnvConfig      = "FRONTDESK_CONFIG"
	EnvServer      = "FRONTDESK_SERVER"
	EnvUser        = "FRONTDESK_USER"
	EnvPIN         = "FRONTDESK_PIN"
	EnvPINFile     = "FRONTDESK_PIN_FILE"
	EnvEndpoint    = "FRONTDESK_ENDPOINT"
	EnvCAFile      = "FRONTDESK_CA_FILE"
	EnvAccount     = "FRONTDESK_ACCOUNT"
	EnvLog         = "FRONTDESK_LOG"
	EnvHoldWarn    = "FRONTDESK_HOLD_WARN"
	EnvBell        = "FRONTDESK_BELL"
	EnvQuiet       = "FRONTDESK_QUIET"
	EnvNotify      = "FRONTDESK_NOTIFY"
	EnvDirectory   = "FRONTDESK_DIRECTORY"
	EnvHistory     = "FRONTDESK_HISTORY"
	EnvHistoryDays = "FRONTDESK_HISTORY_DAYS"
	EnvRingWarn    = "FRONTDESK_RING_WARN"
	EnvRingAlert   = "FRONTDESK_RING_ALERT"
)

// PINSource says where the PIN came from (never what it is).
type PINSource int

const (
	PINNone       PINSource = iota // not configured yet
	PINEnv                         // FRONTDESK_PIN
	PINFileFlag                    // --pin-file
	PINFileEnv                     // FRONTDESK_PIN_FILE
	PINFileConfig                  // pin_file in the config file
	PINPrompt                      // typed at the terminal
)

// Config is the resolved set of settings.
type Config struct {
	// Path is the config file that was consulted; it may not exist.
	Path string
	// FileFound reports whether Path existed and was read.
	FileFound bool

	Server   string
	User     string
	Endpoint string
	CAFile   string
	// Account is the name of the [[account]] selected with --account or
	// FRONTDESK_ACCOUNT (the first, when several are); empty when the
	// top-level settings are used. Server, User, Endpoint and the PIN are
	// that account's.
	Account string
	// TopUser is the file's top-level DID, whichever account is chosen;
	// "" when the file has none.
	TopUser string
	// Label and Greeting are the top-level account's.
	Label    string
	Greeting string

	// Lines are the phones the console works: one per account chosen with
	// --account, FRONTDESK_ACCOUNT or lines in the file, or the top-level
	// account alone. Empty when no DID is configured.
	Lines []Line
	// Numbers are the [[line]] entries: the label and greeting of calls to
	// a number, whichever line they ring on.
	Numbers []model.DialledNumber
	// DialLine is the line the console dials from without asking, when
	// several are chosen and dial_line names one of them.
	DialLine string

	// PIN is set by Load when FRONTDESK_PIN is set, otherwise by ReadPIN.
	PIN       transport.Secret
	PINSource PINSource
	// PINFile is the file ReadPIN reads, when the PIN comes from a file.
	PINFile string

	LogFile  string
	HoldWarn time.Duration
	// RingWarn and RingAlert are how long a call may ring before it is
	// drawn in the warning style, then the alert style; 0 turns a step off.
	RingWarn    time.Duration
	RingAlert   time.Duration
	Bell        bool
	Quiet       bool
	Notify      bool
	Directory   string
	History     string
	HistoryDays int
	SMTP        SMTP   // mails messages to the people they are for
	WebhookURL  string // also posts each message, as JSON, here

	// SpeedDials are the [[speed_dial]] entries, by key.
	SpeedDials []SpeedDial

	// Accounts are the [[account]] entries, for a server that maps SSH keys
	// to accounts.
	Accounts []Account

	// Warnings are problems that do not stop frontdesk, for the caller to
	// print before the console takes the screen.
	Warnings []string
}

// Load reads the settings. getenv is os.Getenv outside tests. flags may be
// nil when a command takes none of the shared flags.
func Load(flags *Flags, getenv func(string) string) (*Config, error) {
	return loadSettings(flags, getenv, true)
}

// LoadWithoutAccount reads the settings except the account ones (server,
// user, endpoint, CA file, PIN, --account and [[account]]), which it
// ignores wherever they are set, even when they are malformed. It is for a
// command that brings its own account, such as the demo. The result has
// the default server and no user.
func LoadWithoutAccount(flags *Flags, getenv func(string) string) (*Config, error) {
	return loadSettings(flags, getenv, false)
}

func (c *Config) validate() error {
	u, err := url.Parse(c.Server)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("server %q is not an http(s) URL: set --server, %s or server in %s to the API URL, e.g. %s",
			transport.DisplayURL(c.Server), EnvServer, c.Path, DefaultServer)
	}
	if u.User != nil {
		return fmt.Errorf("server URL %q must not carry a user or password: set the DID with --user or %s and the PIN with %s or --pin-file",
			transport.DisplayURL(c.Server), EnvUser, EnvPIN)
	}
	if c.User != "" && !isDID(c.User) {
		return fmt.Errorf("user %q is not a DID: set it to the phone's ten-digit number, digits only, e.g. 6465551000", c.User)
	}
	if c.HoldWarn < 0 {
		return fmt.Errorf("hold_warn %v is negative: use a duration such as 60s, or 0 to turn the warning off", c.HoldWarn)
	}
	if c.RingWarn < 0 || c.RingAlert < 0 {
		return fmt.Errorf("ring_warn %v or ring_alert %v is negative: use a duration such as 20s, or 0 to turn the step off", c.RingWarn, c.RingAlert)
	}
	if c.RingWarn > 0 && c.RingAlert > 0 && c.RingAlert <= c.RingWarn {
		return fmt.Errorf("ring_alert %v is not longer than ring_warn %v: the alert comes after the warning (e.g. ring_warn = \"20s\", ring_alert = \"45s\")", c.RingAlert, c.RingWarn)
	}
	if c.HistoryDays < 0 {
		return fmt.Errorf("history_days %d is negative: use a number of days, or 0 to keep history forever", c.HistoryDays)
	}
	if HistoryIsURL(c.History) {
		// Only the scheme is repeated: the rest may hold a password.
		scheme, _, _ := strings.Cut(c.History, "://")
		if s := strings.ToLower(scheme); s != "postgres" && s != "postgresql" {
			return fmt.Errorf("history: %q URLs are not supported: give a file path (an SQLite database) or a postgres:// URL (PostgreSQL, for a team of boxes)", scheme)
		}
	}
	return nil
}

// HistoryIsURL reports whether the history setting is a database server's
// URL (postgres://user:password@host/database) rather than an SQLite file.
func HistoryIsURL(s string) bool { return strings.Contains(s, "://") }

// RequireAccount returns a *NoAccountError when no DID is configured.
func (c *Config) RequireAccount() error {
	if c.User == "" {
		return &NoAccountError{Path: c.Path, HavePIN: c.PINSource != PINNone}
	}
	return nil
}

// NoAccountError explains what to set when no account is configured.
type NoAccountError struct {
	Path    string
	HavePIN bool
}

func (e *NoAccountError) Error() string {
	var b strings.Builder
	b.WriteString("no account configured: frontdesk needs the phone's DID and its PIN.\n")
	fmt.Fprintf(&b, "  DID: set %s, or pass --user, or set user in %s\n", EnvUser, e.Path)
	if !e.HavePIN {
		fmt.Fprintf(&b, "  PIN: set %s, or pass --pin-file FILE, or set pin_file in %s\n", EnvPIN, e.Path)
		b.WriteString("       (on a terminal, frontdesk asks for the PIN if none is set)\n")
	}
	b.WriteString("To try the console without an account, run: frontdesk demo")
	return b.String()
}

// DescribePIN names where the PIN comes from, for messages.
func (c *Config) DescribePIN() string {
	switch c.PINSource {
	case PINEnv:
		return EnvPIN
	case PINFileFlag:
		return "--pin-file " + c.PINFile
	case PINFileEnv:
		return EnvPINFile + "=" + c.PINFile
	case PINFileConfig:
		return "pin_file " + c.PINFile + " (from " + c.Path + ")"
	case PINPrompt:
		return "the terminal"
	}
	return "nowhere"
}

// TransportAccount is the account for the transport clients. Call ReadPIN
// first.
func (c *Config) TransportAccount() transport.Account {
	return transport.Account{Server: c.Server, User: c.User, PIN: c.PIN, Endpoint: c.Endpoint, CAFile: c.CAFile}
}

func (c *Config) findAccount(name string) (Account, bool) {
	for _, a := range c.Accounts {
		if a.Name == name {
			return a, true
		}
	}
	return Account{}, false
}

func (c *Config) unknownAccount(name string) error {
	if len(c.Accounts) == 0 {
		return fmt.Errorf("account %q: %s has no [[account]] entries; drop --account / %s or add the account to the file", name, c.Path, EnvAccount)
	}
	names := make([]string, len(c.Accounts))
	for i, a := range c.Accounts {
		names[i] = a.Name
	}
	return fmt.Errorf("account %q is not in %s (accounts there: %s)", name, c.Path, strings.Join(names, ", "))
}

func configOrigin(f *Flags) string {
	if f.config.set {
		return "--config"
	}
	return EnvConfig
}

func setStr(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

// isDID reports whether s is a DID: a North American number, ten digits.
func isDID(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return len(s) == 10
}

func homeDir(getenv func(string) string) string {
	if h := getenv("HOME"); h != "" {
		return h
	}
	h, _ := os.UserHomeDir()
	return h
}

func xdgDir(getenv func(string) string, name, home, fallback string) string {
	if d := getenv(name); d != "" && filepath.IsAbs(d) {
		return d
	}
	return filepath.Join(home, fallback)
}

func expandHome(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

// Flags are the settings' command-line flags, registered on one FlagSet.
// A flag counts only when given, so that it can override the environment
// and the file.
type Flags struct {
	config, server, user, pinFile, endpoint, caFile opt
	log, directory, history, holdWarn, historyDays  opt
	bell, quiet, notify                             opt
	ringWarn, ringAlert                             opt
	account                                         optStrings
}

// Group selects which flags a command takes: only those of the settings
// it uses.
type Group int

const (
	// ConfigFlag: --config.
	ConfigFlag Group = 1 << iota
	// AccountFlags: --server --user --pin-file --endpoint --ca-file --account.
	AccountFlags
	// LogFlag: --log, the console's log file.
	LogFlag
	// AlertFlags: --hold-warn --ring-warn --ring-alert --bell --notify
	// --quiet.
	AlertFlags
	// DirectoryFlag: --directory.
	DirectoryFlag
	// HistoryFlag: --history.
	HistoryFlag
	// RetentionFlag: --history-days.
	RetentionFlag
	// RecordsFlags: --user --account, whose records a command that only
	// reads the history shows (AccountFlags includes them).
	RecordsFlags
)

// AllFlags is every group.
const AllFlags = ConfigFlag | AccountFlags | LogFlag | AlertFlags | DirectoryFlag | HistoryFlag | RetentionFlag

// EnvAnnotation is the flag annotation naming the environment variable
// that stands for the flag, for help pages.
const EnvAnnotation = "frontdesk_env"

// NewFlags registers the flags of the given groups on fs.
func NewFlags(fs *pflag.FlagSet, groups Group) *Flags {
	f := &Flags{
		holdWarn:    opt{kind: "duration", check: checkWith(parseDuration)},
		ringWarn:    opt{kind: "duration", check: checkWith(parseDuration)},
		ringAlert:   opt{kind: "duration", check: checkWith(parseDuration)},
		historyDays: opt{kind: "int", check: checkWith(parseDays)},
		bell:        opt{kind: "bool", check: checkWith(parseBool)},
		quiet:       opt{kind: "bool", check: checkWith(parseBool)},
		notify:      opt{kind: "bool", check: checkWith(parseBool)},
	}
	add := func(v pflag.Value, name, env, usage string) {
		fs.Var(v, name, usage)
		if env != "" {
			_ = fs.SetAnnotation(name, EnvAnnotation, []string{env})
		}
		if o, ok := v.(*opt); ok && o.kind == "bool" {
			fs.Lookup(name).NoOptDefVal = "true"
		}
	}
	if groups&ConfigFlag != 0 {
		add(&f.config, "config", EnvConfig, "config file (default $XDG_CONFIG_HOME/frontdesk/config.toml)")
	}
	if groups&AccountFlags != 0 {
		add(&f.server, "server", EnvServer, "the API's URL (default "+DefaultServer+")")
		add(&f.user, "user", EnvUser, "the phone's DID, ten digits")
		add(&f.pinFile, "pin-file", EnvPINFile, "read the PIN from file, mode 0600 (or set "+EnvPIN+")")
		add(&f.endpoint, "endpoint", EnvEndpoint, "the phone's MAC, usually blank")
		add(&f.caFile, "ca-file", EnvCAFile, "extra trusted CA certificates, PEM file")
		add(&f.account, "account", EnvAccount, "use the [[account]] called name in the config file; repeat it to work several phones at once (the variable takes names separated by commas; default lines in the config file)")
	} else if groups&RecordsFlags != 0 {
		add(&f.user, "user", EnvUser, "the phone's DID, ten digits")
		add(&f.account, "account", EnvAccount, "show the records of the [[account]] called name in the config file; repeat it for several")
	}
	if groups&LogFlag != 0 {
		add(&f.log, "log", EnvLog, "log file (default $XDG_STATE_HOME/frontdesk/frontdesk.log)")
	}
	if groups&AlertFlags != 0 {
		add(&f.holdWarn, "hold-warn", EnvHoldWarn, "mark calls on hold longer than duration, 0 = never (default 60s)")
		add(&f.ringWarn, "ring-warn", EnvRingWarn, "mark calls ringing longer than duration, 0 = never (default 20s)")
		add(&f.ringAlert, "ring-alert", EnvRingAlert, "mark calls ringing longer than duration more strongly, 0 = never (default 45s)")
		add(&f.bell, "bell", EnvBell, "ring the terminal bell for incoming calls (default true)")
		add(&f.notify, "notify", EnvNotify, "desktop notifications for ringing calls and long holds, on terminals that show them (default true)")
		add(&f.quiet, "quiet", EnvQuiet, "no bell and no desktop notifications, whatever --bell and --notify say")
	}
	if groups&DirectoryFlag != 0 {
		add(&f.directory, "directory", EnvDirectory, "contacts file, .csv or .vcf")
	}
	if groups&HistoryFlag != 0 {
		add(&f.history, "history", EnvHistory, "call history and messages: an SQLite file, or a postgres:// URL shared by a team of boxes (default $XDG_STATE_HOME/frontdesk/history.db)")
	}
	if groups&RetentionFlag != 0 {
		add(&f.historyDays, "history-days", EnvHistoryDays, "keep call history this many days, 0 = forever (default 90)")
	}
	return f
}

// opt is a flag's value as given. A flag counts only when given
// (set), so that it can override the environment and the file; check
// refuses a malformed value as the flag is parsed.
type opt struct {
	v     string
	set   bool
	kind  string // the value's type, for help: "" is a string
	check func(string) error
}

func (o *opt) String() string { return o.v }
func (o *opt) Set(s string) error {
	if o.check != nil {
		if err := o.check(s); err != nil {
			return err
		}
	}
	o.v, o.set = s, true
	return nil
}
func (o *opt) Type() string { return cmp.Or(o.kind, "string") }

// optStrings is a repeatable flag.
type optStrings struct{ v []string }

func (o *optStrings) String() string     { return strings.Join(o.v, ",") }
func (o *optStrings) Set(s string) error { o.v = append(o.v, s); return nil }
func (o *optStrings) Type() string       { return "stringArray" }
