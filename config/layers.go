package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// The settings come in layers, each over the one before: the defaults,
// the config file, the [[account]] chosen by name, the environment, the
// flags; then the PIN's source, the lines and a last check.
//
// A new setting needs a field in Config, its default in defaults, its key
// in fileConfig (file.go) and a line in fromFile; when it has an
// environment variable and a flag, a line in layered and the flag in
// NewFlags, and the environment and flag layers pick it up from there.

// loader carries what every layer needs.
type loader struct {
	flags   *Flags
	getenv  func(string) string
	home    string
	account bool // false: the account settings are ignored wherever they are set
}

func loadSettings(flags *Flags, getenv func(string) string, account bool) (*Config, error) {
	if flags == nil {
		flags = &Flags{}
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	l := loader{flags: flags, getenv: getenv, home: homeDir(getenv), account: account}
	c := l.defaults()
	f, err := l.readConfigFile(c)
	if err != nil {
		return nil, err
	}
	pinFile := ""
	if f != nil {
		pinFile = l.fromFile(c, f)
	}
	chosen, err := l.chosenAccount(c, f, &pinFile)
	if err != nil {
		return nil, err
	}
	settings := l.layered(c)
	if err := l.fromEnvironment(settings); err != nil {
		return nil, err
	}
	l.fromFlags(settings)
	if err := l.pinSource(c, pinFile); err != nil {
		return nil, err
	}
	if account {
		if err := c.setLines(chosen, flags, getenv, f); err != nil {
			return nil, err
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// defaults are the settings before any layer.
func (l loader) defaults() *Config {
	stateHome := xdgDir(l.getenv, "XDG_STATE_HOME", l.home, filepath.Join(".local", "state"))
	return &Config{
		Server:      DefaultServer,
		HoldWarn:    DefaultHoldWarn,
		RingWarn:    DefaultRingWarn,
		RingAlert:   DefaultRingAlert,
		Bell:        true,
		Notify:      true,
		HistoryDays: DefaultHistoryDays,
		LogFile:     filepath.Join(stateHome, "frontdesk", "frontdesk.log"),
		History:     filepath.Join(stateHome, "frontdesk", "history.db"),
	}
}

// readConfigFile finds and reads the config file: --config, then
// FRONTDESK_CONFIG, then the default path, which alone may be missing. It
// returns nil when there is no file.
func (l loader) readConfigFile(c *Config) (*fileConfig, error) {
	explicit := false
	switch {
	case l.flags.config.set:
		c.Path, explicit = expandHome(l.flags.config.v, l.home), true
	case l.getenv(EnvConfig) != "":
		c.Path, explicit = expandHome(l.getenv(EnvConfig), l.home), true
	default:
		configHome := xdgDir(l.getenv, "XDG_CONFIG_HOME", l.home, ".config")
		c.Path = filepath.Join(configHome, "frontdesk", "config.toml")
	}
	f, err := readFile(c.Path, l.home, l.account)
	switch {
	case errors.Is(err, os.ErrNotExist) && !explicit:
		return nil, nil
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("config file %s does not exist (named by %s)", c.Path, configOrigin(l.flags))
	case err != nil:
		return nil, err
	}
	c.FileFound = true
	return f, nil
}

// fromFile applies the file's settings and returns its pin_file.
func (l loader) fromFile(c *Config, f *fileConfig) (pinFile string) {
	if l.account {
		c.Accounts = f.accounts
		setStr(&c.Server, f.Server)
		setStr(&c.User, f.User)
		setStr(&c.Endpoint, f.Endpoint)
		setStr(&c.CAFile, f.CAFile)
		pinFile = f.PINFile
		c.Label, c.Greeting = f.Label, f.Greeting
	}
	setStr(&c.LogFile, f.Log)
	c.SMTP, c.WebhookURL = f.smtp, f.webhookURL
	setStr(&c.Directory, f.Directory)
	setStr(&c.History, f.History)
	if f.HoldWarn != nil {
		c.HoldWarn = f.HoldWarn.d
	}
	if f.RingWarn != nil {
		c.RingWarn = f.RingWarn.d
	}
	if f.RingAlert != nil {
		c.RingAlert = f.RingAlert.d
	}
	c.SpeedDials = f.speedDial
	setPtr(&c.Bell, f.Bell)
	setPtr(&c.Quiet, f.Quiet)
	setPtr(&c.Notify, f.Notify)
	setPtr(&c.HistoryDays, f.HistoryDays)
	return pinFile
}

// chosenAccount applies the [[account]] chosen by name (the first, when
// several are), which stands in for the file's top-level account settings,
// its pin_file included. It returns every chosen name.
func (l loader) chosenAccount(c *Config, f *fileConfig, pinFile *string) ([]string, error) {
	if !l.account {
		return nil, nil
	}
	var fileLines []string
	if f != nil {
		fileLines = f.Lines
	}
	chosen := chosenAccounts(l.flags, l.getenv, fileLines)
	c.TopUser = c.User
	if len(chosen) == 0 {
		return nil, nil
	}
	c.Account = chosen[0]
	a, ok := c.findAccount(c.Account)
	if !ok {
		return nil, c.unknownAccount(c.Account)
	}
	c.User, c.Endpoint, *pinFile = a.User, a.Endpoint, a.PINFile
	setStr(&c.Server, a.Server)
	return chosen, nil
}

// setting is one setting that an environment variable and a flag set:
// set parses the text of either into its Config field.
type setting struct {
	env  string
	flag *opt
	set  func(string) error
}

// layered lists the settings with an environment variable and a flag.
func (l loader) layered(c *Config) []setting {
	f := l.flags
	s := []setting{
		{EnvLog, &f.log, l.path(&c.LogFile)},
		{EnvDirectory, &f.directory, l.path(&c.Directory)},
		{EnvHistory, &f.history, l.path(&c.History)},
		{EnvHoldWarn, &f.holdWarn, into(&c.HoldWarn, parseDuration)},
		{EnvRingWarn, &f.ringWarn, into(&c.RingWarn, parseDuration)},
		{EnvRingAlert, &f.ringAlert, into(&c.RingAlert, parseDuration)},
		{EnvBell, &f.bell, into(&c.Bell, parseBool)},
		{EnvQuiet, &f.quiet, into(&c.Quiet, parseBool)},
		{EnvNotify, &f.notify, into(&c.Notify, parseBool)},
		{EnvHistoryDays, &f.historyDays, into(&c.HistoryDays, parseDays)},
	}
	if l.account {
		s = append(s,
			setting{EnvServer, &f.server, into(&c.Server, text)},
			setting{EnvUser, &f.user, into(&c.User, text)},
			setting{EnvEndpoint, &f.endpoint, into(&c.Endpoint, text)},
			setting{EnvCAFile, &f.caFile, l.path(&c.CAFile)},
		)
	}
	return s
}

// fromEnvironment applies the FRONTDESK_* variables that are set.
func (l loader) fromEnvironment(settings []setting) error {
	for _, s := range settings {
		v := l.getenv(s.env)
		if v == "" {
			continue
		}
		if err := s.set(v); err != nil {
			return fmt.Errorf("%s=%q: %v", s.env, v, err)
		}
	}
	return nil
}

// fromFlags applies the flags given; their values were checked as they
// were parsed.
func (l loader) fromFlags(settings []setting) {
	for _, s := range settings {
		if s.flag.set {
			_ = s.set(s.flag.v)
		}
	}
}

// pinSource decides where the PIN comes from: --pin-file, then
// FRONTDESK_PIN, then FRONTDESK_PIN_FILE, then pin_file in the config file
// (the chosen account's). ReadPIN reads files and prompts.
func (l loader) pinSource(c *Config, pinFile string) error {
	switch {
	case !l.account:
	case l.flags.pinFile.set:
		c.PINSource, c.PINFile = PINFileFlag, expandHome(l.flags.pinFile.v, l.home)
	case l.getenv(EnvPIN) != "":
		pin, err := cleanPIN(l.getenv(EnvPIN))
		if err != nil {
			return fmt.Errorf("%s: %v", EnvPIN, err)
		}
		c.PINSource, c.PIN = PINEnv, transport.Secret(pin)
	case l.getenv(EnvPINFile) != "":
		c.PINSource, c.PINFile = PINFileEnv, expandHome(l.getenv(EnvPINFile), l.home)
	case pinFile != "":
		c.PINSource, c.PINFile = PINFileConfig, pinFile
	}
	return nil
}

// path sets a file setting; ~/ is the home directory.
func (l loader) path(dst *string) func(string) error {
	return func(v string) error {
		*dst = expandHome(v, l.home)
		return nil
	}
}

// into sets *dst to the value parse reads.
func into[T any](dst *T, parse func(string) (T, error)) func(string) error {
	return func(v string) error {
		x, err := parse(v)
		if err != nil {
			return err
		}
		*dst = x
		return nil
	}
}

// checkWith is a flag's check by the parser of its setting.
func checkWith[T any](parse func(string) (T, error)) func(string) error {
	return func(v string) error {
		_, err := parse(v)
		return err
	}
}

func text(v string) (string, error) { return v, nil }

func parseBool(v string) (bool, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, errors.New("want true or false")
	}
	return b, nil
}

func parseDays(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, errors.New("want a whole number of days")
	}
	return n, nil
}

// setPtr sets *dst to the file's value when the file has one.
func setPtr[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// parseDuration reads "45s", "2m" or a number of seconds.
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a duration: use e.g. 45s, 2m or 90 (seconds)")
	}
	return d, nil
}
