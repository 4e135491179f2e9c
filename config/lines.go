package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Line is one phone a console works: an [[account]] chosen with --account
// (or lines in the file), or the top-level account.
type Line struct {
	// Name is the [[account]] name; "" for the top-level account.
	Name string
	// Naming is the line's label (its own, else its name, else its DID)
	// and greeting.
	model.Naming
	Server   string
	User     string
	Endpoint string
	CAFile   string
	// PINFile is where ReadPIN reads the PIN; "" asks at the terminal
	// (or, for a single line, the PIN settings of Config say).
	PINFile string
	// PIN is set by ReadPIN (or KeyLines).
	PIN transport.Secret
}

// TransportAccount is the line's account for the transport clients.
func (l Line) TransportAccount() transport.Account {
	return transport.Account{Server: l.Server, User: l.User, PIN: l.PIN, Endpoint: l.Endpoint, CAFile: l.CAFile}
}

// fileLine is a [[line]] entry: a number callers dial, named.
type fileLine struct {
	Number   string `toml:"number"`
	Label    string `toml:"label"`
	Greeting string `toml:"greeting"`
}

// minLineDigits is the fewest digits a [[line]] number may have: an
// extension.
const minLineDigits = 4

// checkLines checks lines, dial_line and the [[line]] entries against the
// [[account]] names.
func (f *fileConfig) checkLines(path string, accounts map[string]bool) error {
	if err := checkText(path, f.Label, f.Greeting); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, n := range f.Lines {
		if !accounts[n] {
			return fmt.Errorf("%s: lines names %q, which is not an [[account]] name", path, n)
		}
		if seen[n] {
			return fmt.Errorf("%s: lines names %q twice", path, n)
		}
		seen[n] = true
	}
	if f.DialLine != "" && !accounts[f.DialLine] {
		return fmt.Errorf("%s: dial_line %q is not an [[account]] name", path, f.DialLine)
	}
	keys := map[string]int{}
	for i, l := range f.Line {
		where := fmt.Sprintf("%s: [[line]] #%d", path, i+1)
		k := model.NumberKey(l.Number)
		if len(k) < minLineDigits {
			return fmt.Errorf("%s: number %q is not a phone number: write the number callers dial, e.g. number = \"(212) 555-0000\"", where, l.Number)
		}
		where = fmt.Sprintf("%s: [[line]] %q", path, l.Number)
		if j, dup := keys[k]; dup {
			return fmt.Errorf("%s is the same number as [[line]] #%d: list each number once", where, j+1)
		}
		keys[k] = i
		if l.Label == "" && l.Greeting == "" {
			return fmt.Errorf("%s has neither label nor greeting: add label = \"...\" or greeting = \"...\"", where)
		}
		if err := checkText(where, l.Label, l.Greeting); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses a label or greeting with control characters: they are
// drawn on the receptionist's screen.
func checkText(where, label, greeting string) error {
	for _, t := range []struct{ name, v string }{{"label", label}, {"greeting", greeting}} {
		for _, r := range t.v {
			if r < ' ' || (r >= 0x7f && r < 0xa0) {
				return fmt.Errorf("%s: %s has a control character: write it on one line, as plain text", where, t.name)
			}
		}
	}
	return nil
}

// numbers returns the [[line]] entries.
func (f *fileConfig) numbers() []model.DialledNumber {
	out := make([]model.DialledNumber, len(f.Line))
	for i, l := range f.Line {
		out[i] = model.DialledNumber{Number: l.Number, Naming: model.Naming{Label: l.Label, Greeting: l.Greeting}}
	}
	return out
}

// accountLine is the line of [[account]] a, its server defaulting to
// server, or to the top-level one when that is "".
func (c *Config) accountLine(a Account, server string) Line {
	switch {
	case a.Server != "":
		server = a.Server
	case server == "":
		server = c.Server
	}
	return Line{
		Name:     a.Name,
		Naming:   model.Naming{Label: labelOf(a.Label, a.Name, a.User), Greeting: a.Greeting},
		Server:   server,
		User:     a.User,
		Endpoint: a.Endpoint,
		CAFile:   c.CAFile,
		PINFile:  a.PINFile,
	}
}

func labelOf(label, name, did string) string {
	switch {
	case label != "":
		return label
	case name != "":
		return name
	}
	return model.FormatNumber(did)
}

// chosenAccounts is the [[account]] names picked by --account (repeatable)
// or FRONTDESK_ACCOUNT (comma-separated), or else lines in the file when
// no --user or FRONTDESK_USER picks a phone instead.
func chosenAccounts(flags *Flags, getenv func(string) string, fileLines []string) []string {
	switch {
	case len(flags.account.v) > 0:
		return flags.account.v
	case getenv(EnvAccount) != "":
		var names []string
		for n := range strings.SplitSeq(getenv(EnvAccount), ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		return names
	case flags.user.set || getenv(EnvUser) != "":
		return nil
	}
	return fileLines
}

// oneLineOnly lists the settings that name one phone's user, endpoint or
// PIN, which cannot apply to several lines at once.
func oneLineOnly(flags *Flags, getenv func(string) string) []string {
	var set []string
	for _, s := range []struct {
		flag opt
		name string
		env  string
	}{
		{flags.user, "--user", EnvUser},
		{flags.endpoint, "--endpoint", EnvEndpoint},
		{flags.pinFile, "--pin-file", EnvPINFile},
	} {
		if s.flag.set {
			set = append(set, s.name)
		}
		if getenv(s.env) != "" {
			set = append(set, s.env)
		}
	}
	if getenv(EnvPIN) != "" {
		set = append(set, EnvPIN)
	}
	return set
}

// setLines fills c.Lines: one line per chosen account, or the top-level
// account alone. --server and FRONTDESK_SERVER apply to every line.
func (c *Config) setLines(names []string, flags *Flags, getenv func(string) string, f *fileConfig) error {
	if f != nil {
		c.Numbers = f.numbers()
	}
	if len(names) <= 1 {
		if c.User == "" {
			return nil
		}
		l := Line{Name: c.Account, Server: c.Server, User: c.User, Endpoint: c.Endpoint, CAFile: c.CAFile, PINFile: c.PINFile}
		if a, ok := c.findAccount(c.Account); ok {
			l.Naming = model.Naming{Label: labelOf(a.Label, a.Name, c.User), Greeting: a.Greeting}
		} else {
			l.Naming = model.Naming{Label: labelOf(c.Label, "", c.User), Greeting: c.Greeting}
		}
		c.Lines = []Line{l}
		return nil
	}
	if set := oneLineOnly(flags, getenv); len(set) > 0 {
		return fmt.Errorf("%s names one phone, and %s are chosen (%s): set user, endpoint and pin_file in each [[account]] instead",
			strings.Join(set, " and "), plural(len(names), "line"), strings.Join(names, ", "))
	}
	server := ""
	if flags.server.set {
		server = flags.server.v
	} else if v := getenv(EnvServer); v != "" {
		server = v
	}
	seen := map[string]bool{}
	for _, n := range names {
		a, ok := c.findAccount(n)
		if !ok {
			return c.unknownAccount(n)
		}
		if seen[n] {
			return fmt.Errorf("account %q is chosen twice", n)
		}
		seen[n] = true
		c.Lines = append(c.Lines, c.accountLine(a, server))
		if f != nil && f.DialLine == n {
			c.DialLine = n
		}
	}
	return nil
}

// readLinePINs reads each line's PIN from its pin_file, or asks for it.
func (c *Config) readLinePINs(prompt Prompter) error {
	if prompt == nil {
		prompt = TerminalPrompt
	}
	for i := range c.Lines {
		l := &c.Lines[i]
		if l.PINFile != "" {
			pin, warn, err := readPINFile(l.PINFile)
			if err != nil {
				return fmt.Errorf("account %q: PIN file %s: %v", l.Name, l.PINFile, err)
			}
			if warn != "" {
				c.Warnings = append(c.Warnings, warn)
			}
			l.PIN = transport.Secret(pin)
			continue
		}
		pin, err := prompt(l.User)
		if errors.Is(err, ErrNoTerminal) {
			return fmt.Errorf("account %q has no pin_file and there is no terminal to ask for its PIN on: set pin_file in its [[account]] in %s", l.Name, c.Path)
		}
		if err != nil {
			return fmt.Errorf("reading the PIN of account %q: %v", l.Name, err)
		}
		if pin, err = cleanPIN(pin); err != nil {
			return fmt.Errorf("PIN of account %q typed at the terminal: %v", l.Name, err)
		}
		l.PIN = transport.Secret(pin)
	}
	c.PIN = c.Lines[0].PIN
	return nil
}

// Line returns the chosen line called name.
func (c *Config) Line(name string) (Line, bool) {
	for _, l := range c.Lines {
		if l.Name == name {
			return l, true
		}
	}
	return Line{}, false
}

// OnePhone returns an error for a command that works one phone when
// several lines are chosen.
func (c *Config) OnePhone(cmd string) error {
	if len(c.Lines) <= 1 {
		return nil
	}
	names := make([]string, len(c.Lines))
	for i, l := range c.Lines {
		names[i] = l.Name
	}
	return fmt.Errorf("%s works one phone and %s are chosen (%s): pick one with --account NAME",
		cmd, plural(len(names), "line"), strings.Join(names, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// LineLabel is the label of the phone whose DID is did (matched on
// model.NumberKey), for reports, as the console names it: the chosen
// line's, else the [[account]]'s, else the top-level account's; "" when
// none has that DID.
func (c *Config) LineLabel(did string) string {
	key := model.NumberKey(did)
	if key == "" {
		return ""
	}
	for _, l := range c.Lines {
		if model.NumberKey(l.User) == key {
			return l.Label
		}
	}
	for _, a := range c.Accounts {
		if model.NumberKey(a.User) == key {
			return labelOf(a.Label, a.Name, a.User)
		}
	}
	if model.NumberKey(c.TopUser) == key {
		return labelOf(c.Label, "", c.TopUser)
	}
	return ""
}
