package config

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontdesk/frontdesk/model"
)

const officeConfig = `
label = "Main"
greeting = "Good morning, Shared Office"
lines = ["acme", "lee"]
dial_line = "lee"

[[account]]
name = "acme"
user = "2125550100"
pin_file = "acme.pin"
label = "Acme Dental"
greeting = "Good morning, Acme Dental"

[[account]]
name = "lee"
user = "2125550200"
pin_file = "lee.pin"

[[account]]
name = "spare"
user = "2125550300"

[[line]]
number = "(212) 555-0000"
label = "Acme Ortho"
greeting = "Acme Orthodontics, how may I help?"

[[line]]
number = "+1 212 555 0001"
label = "Lee & Co"
`

func officeSetup(t *testing.T) (env, string) {
	t.Helper()
	e, path := setup(t)
	dir := filepath.Dir(path)
	write(t, filepath.Join(dir, "acme.pin"), "1111\n", 0o600)
	write(t, filepath.Join(dir, "lee.pin"), "2222\n", 0o600)
	write(t, path, officeConfig, 0o600)
	return e, path
}

func TestLinesFromTheFile(t *testing.T) {
	e, _ := officeSetup(t)
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReadPIN(func(string) (string, error) { t.Fatal("asked for a PIN with pin_files set"); return "", nil }); err != nil {
		t.Fatal(err)
	}
	if len(c.Lines) != 2 {
		t.Fatalf("lines: %+v", c.Lines)
	}
	acme, lee := c.Lines[0], c.Lines[1]
	if acme.Name != "acme" || acme.User != "2125550100" || string(acme.PIN) != "1111" || acme.Server != DefaultServer ||
		acme.Naming != (model.Naming{Label: "Acme Dental", Greeting: "Good morning, Acme Dental"}) {
		t.Errorf("acme: %+v", acme)
	}
	// Without a label of its own a line is called by its name.
	if lee.Name != "lee" || string(lee.PIN) != "2222" || lee.Label != "lee" || lee.Greeting != "" {
		t.Errorf("lee: %+v", lee)
	}
	if c.DialLine != "lee" || c.User != "2125550100" {
		t.Errorf("dial line %q, first user %q", c.DialLine, c.User)
	}
	if err := c.OnePhone("frontdesk calls"); err == nil || !strings.Contains(err.Error(), "acme, lee") {
		t.Errorf("OnePhone with two lines: %v", err)
	}
	n := model.NewNumbers(c.Numbers)
	if got := n.For("12125550000", acme.Naming); got.Label != "Acme Ortho" || got.Greeting != "Acme Orthodontics, how may I help?" {
		t.Errorf("[[line]] (212) 555-0000: %+v", got)
	}
	if got := n.For("2125550001", acme.Naming); got.Label != "Lee & Co" || got.Greeting != "Good morning, Acme Dental" {
		t.Errorf("[[line]] +1 212 555 0001: %+v", got)
	}
}

func TestAccountFlagRepeats(t *testing.T) {
	e, _ := officeSetup(t)
	c, err := load(t, e, "--account", "lee", "--account", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Lines) != 2 || c.Lines[0].Name != "lee" || c.Lines[1].Name != "acme" {
		t.Fatalf("--account lee --account acme: %+v", c.Lines)
	}

	// One --account is one line, its label and greeting kept.
	c, err = load(t, e, "--account", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReadPIN(nil); err != nil {
		t.Fatal(err)
	}
	if len(c.Lines) != 1 || c.Lines[0].Label != "Acme Dental" || string(c.Lines[0].PIN) != "1111" || c.OnePhone("x") != nil {
		t.Fatalf("--account acme: %+v", c.Lines)
	}

	e[EnvAccount] = "acme, lee"
	if c, err = load(t, e); err != nil || len(c.Lines) != 2 {
		t.Fatalf("%s=acme, lee: %+v %v", EnvAccount, c, err)
	}
	delete(e, EnvAccount)

	// --user picks one phone instead of the file's lines: the top-level
	// label and greeting go with it.
	c, err = load(t, e, "--user", "6465551000")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Lines) != 1 || c.Lines[0].Naming != (model.Naming{Label: "Main", Greeting: "Good morning, Shared Office"}) {
		t.Fatalf("--user: %+v", c.Lines)
	}

	// A setting for one phone cannot go with several lines.
	e[EnvPIN] = testPIN
	if _, err := load(t, e); err == nil || !strings.Contains(err.Error(), EnvPIN+" names one phone") || strings.Contains(err.Error(), testPIN) {
		t.Errorf("%s with two lines: %v", EnvPIN, err)
	}
	delete(e, EnvPIN)
	if _, err := load(t, e, "--account", "acme", "--account", "nobody"); err == nil || !strings.Contains(err.Error(), `"nobody"`) {
		t.Errorf("unknown second account: %v", err)
	}
	if _, err := load(t, e, "--account", "acme", "--account", "acme"); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("account chosen twice: %v", err)
	}
	// A line's server follows --server.
	c, err = load(t, e, "--server", "http://127.0.0.1:9/bobl/bobl")
	if err != nil || c.Lines[1].Server != "http://127.0.0.1:9/bobl/bobl" {
		t.Errorf("--server with lines: %+v %v", c, err)
	}
}

func TestLinePINPrompt(t *testing.T) {
	e, path := officeSetup(t)
	c, err := load(t, e, "--account", "acme", "--account", "spare")
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	err = c.ReadPIN(func(user string) (string, error) { asked = append(asked, user); return "3333\n", nil })
	if err != nil || len(asked) != 1 || asked[0] != "2125550300" || string(c.Lines[1].PIN) != "3333" {
		t.Fatalf("asked %v: %v %+v", asked, err, c.Lines)
	}
	c, _ = load(t, e, "--account", "acme", "--account", "spare")
	err = c.ReadPIN(func(string) (string, error) { return "", ErrNoTerminal })
	if err == nil || !strings.Contains(err.Error(), `account "spare" has no pin_file`) || !strings.Contains(err.Error(), path) {
		t.Errorf("no terminal: %v", err)
	}
	c, _ = load(t, e, "--account", "acme", "--account", "spare")
	if err := c.ReadPIN(func(string) (string, error) { return "", errors.New("eof") }); err == nil || !strings.Contains(err.Error(), `"spare"`) {
		t.Errorf("prompt failure: %v", err)
	}
}

func TestLineSettingErrors(t *testing.T) {
	const acct = "\n[[account]]\nname = \"a\"\nuser = \"2125550100\"\n"
	for _, tc := range []struct {
		name, file, want string
	}{
		{"lines names no account", `lines = ["b"]` + acct, `lines names "b", which is not an [[account]] name`},
		{"lines twice", `lines = ["a", "a"]` + acct, `lines names "a" twice`},
		{"dial_line", `dial_line = "b"` + acct, `dial_line "b" is not an [[account]] name`},
		{"line number", "[[line]]\nnumber = \"Acme\"\nlabel = \"Acme\"\n", `[[line]] #1: number "Acme" is not a phone number`},
		{"line same number", "[[line]]\nnumber = \"(212) 555-0000\"\nlabel = \"A\"\n[[line]]\nnumber = \"+1 212 555 0000\"\nlabel = \"B\"\n",
			`[[line]] "+1 212 555 0000" is the same number as [[line]] #1`},
		{"line without naming", "[[line]]\nnumber = \"2125550000\"\n", "has neither label nor greeting"},
		{"greeting control", "greeting = \"Hello\\u001b[2J\"\n", "greeting has a control character"},
		{"account label control", "[[account]]\nname = \"a\"\nuser = \"6465550001\"\nlabel = \"a\\nb\"\n", `[[account]] "a": label has a control character`},
		{"unknown line setting", "[[line]]\nnumber = \"2125550000\"\nlabel = \"A\"\ncolour = \"red\"\n", `unknown setting "line.colour"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, path := setup(t)
			write(t, path, tc.file, 0o600)
			if _, err := load(t, e); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
}
