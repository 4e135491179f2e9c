package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/crypto/ssh"
)

const testPIN = "80417"

// env is a fake environment.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// setup makes a home with an XDG config dir and returns the env and the
// config file path.
func setup(t *testing.T) (env, string) {
	t.Helper()
	home := t.TempDir()
	e := env{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "cfg"), "XDG_STATE_HOME": filepath.Join(home, "state")}
	path := filepath.Join(home, "cfg", "frontdesk", "config.toml")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	return e, path
}

func write(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func load(t *testing.T, e env, args ...string) (*Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	f := NewFlags(fs, AllFlags)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return Load(f, e.get)
}

func TestDefaults(t *testing.T) {
	e, _ := setup(t)
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != DefaultServer || c.HoldWarn != 60*time.Second || !c.Bell || !c.Notify || c.Quiet || c.HistoryDays != 90 {
		t.Errorf("defaults: %+v", c)
	}
	if want := filepath.Join(e["HOME"], "state", "frontdesk", "frontdesk.log"); c.LogFile != want {
		t.Errorf("log = %q, want %q", c.LogFile, want)
	}
	if want := filepath.Join(e["HOME"], "cfg", "frontdesk", "config.toml"); c.Path != want || c.FileFound {
		t.Errorf("path = %q found=%v, want %q", c.Path, c.FileFound, want)
	}
	if c.PINSource != PINNone || c.User != "" {
		t.Errorf("account configured from nothing: %+v", c)
	}
}

func TestXDGUnsetFallsBackToHome(t *testing.T) {
	home := t.TempDir()
	c, err := Load(nil, env{"HOME": home}.get)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".config", "frontdesk", "config.toml"); c.Path != want {
		t.Errorf("path = %q, want %q", c.Path, want)
	}
	if want := filepath.Join(home, ".local", "state", "frontdesk", "frontdesk.log"); c.LogFile != want {
		t.Errorf("log = %q, want %q", c.LogFile, want)
	}
}

func TestPrecedence(t *testing.T) {
	e, path := setup(t)
	write(t, path, `
server = "https://file.example/bobl/bobl"
user = "1110000001"
endpoint = "file-endpoint"
hold_warn = "90s"
bell = false
notify = false
history_days = 30
directory = "contacts.csv"
`, 0o600)

	// File only.
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != "https://file.example/bobl/bobl" || c.User != "1110000001" || c.Endpoint != "file-endpoint" ||
		c.HoldWarn != 90*time.Second || c.Bell || c.Notify || c.HistoryDays != 30 || !c.FileFound {
		t.Errorf("file values not used: %+v", c)
	}
	if want := filepath.Join(filepath.Dir(path), "contacts.csv"); c.Directory != want {
		t.Errorf("relative directory = %q, want %q", c.Directory, want)
	}

	// Environment over file.
	e[EnvServer] = "https://env.example/bobl/bobl"
	e[EnvUser] = "2220000002"
	e[EnvHoldWarn] = "2m"
	e[EnvBell] = "true"
	e[EnvNotify] = "1"
	c, err = load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != "https://env.example/bobl/bobl" || c.User != "2220000002" || c.HoldWarn != 2*time.Minute || !c.Bell || !c.Notify {
		t.Errorf("environment did not override the file: %+v", c)
	}
	if c.Endpoint != "file-endpoint" {
		t.Errorf("unset env cleared a file value: endpoint %q", c.Endpoint)
	}

	// Flags over environment.
	c, err = load(t, e, "--server", "http://flag.example/bobl/bobl", "--user", "3330000003", "--hold-warn", "5s", "--bell=false", "--notify=false", "--history-days", "7")
	if err != nil {
		t.Fatal(err)
	}
	if c.Server != "http://flag.example/bobl/bobl" || c.User != "3330000003" || c.HoldWarn != 5*time.Second || c.Bell || c.Notify || c.HistoryDays != 7 {
		t.Errorf("flags did not override: %+v", c)
	}
}

func TestPINPrecedence(t *testing.T) {
	e, path := setup(t)
	dir := filepath.Dir(path)
	write(t, filepath.Join(dir, "file.pin"), "11111\n", 0o600)
	write(t, filepath.Join(dir, "env.pin"), "22222\n", 0o600)
	write(t, filepath.Join(dir, "flag.pin"), "33333\r\n", 0o600)
	write(t, path, "user = \"6465551000\"\npin_file = \"file.pin\"\n", 0o600)

	check := func(want string, src PINSource, args ...string) {
		t.Helper()
		c, err := load(t, e, args...)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ReadPIN(func(string) (string, error) { return "", errors.New("prompted") }); err != nil {
			t.Fatal(err)
		}
		if string(c.PIN) != want || c.PINSource != src {
			t.Errorf("PIN source %v (%s), want %v", c.PINSource, c.DescribePIN(), src)
		}
	}
	check("11111", PINFileConfig)
	e[EnvPINFile] = filepath.Join(dir, "env.pin")
	check("22222", PINFileEnv)
	e[EnvPIN] = " 44444\n"
	check("44444", PINEnv)
	check("33333", PINFileFlag, "--pin-file", filepath.Join(dir, "flag.pin"))
}

func TestPINPrompt(t *testing.T) {
	e, _ := setup(t)
	c, err := load(t, e, "--user", "6465551000")
	if err != nil {
		t.Fatal(err)
	}
	asked := ""
	if err := c.ReadPIN(func(user string) (string, error) { asked = user; return testPIN + "\n", nil }); err != nil {
		t.Fatal(err)
	}
	if asked != "6465551000" || string(c.PIN) != testPIN || c.PINSource != PINPrompt {
		t.Errorf("prompt: asked %q, source %v", asked, c.PINSource)
	}

	// Off a terminal: a clear error naming what to set.
	c, err = load(t, e, "--user", "6465551000")
	if err != nil {
		t.Fatal(err)
	}
	err = c.ReadPIN(func(string) (string, error) { return "", ErrNoTerminal })
	if err == nil || !strings.Contains(err.Error(), EnvPIN) || !strings.Contains(err.Error(), "--pin-file") {
		t.Errorf("no-terminal error = %v", err)
	}
}

func TestPINFileChecks(t *testing.T) {
	e, path := setup(t)
	dir := filepath.Dir(path)
	cases := []struct {
		name, text string
		mode       os.FileMode
		wantErr    string
		wantWarn   bool
	}{
		{"ok", testPIN + "\n", 0o600, "", false},
		{"crlf", testPIN + "\r\n", 0o400, "", false},
		{"world", testPIN + "\n", 0o604, "chmod 600", false},
		{"group", testPIN + "\n", 0o640, "", true},
		{"empty", "\n", 0o600, "empty", false},
		{"two lines", testPIN + "\n" + testPIN + "\n", 0o600, "single line", false},
		{"huge", strings.Repeat("9", 1000), 0o600, "too large", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".pin")
			write(t, p, tc.text, tc.mode)
			c, err := load(t, e, "--user", "6465551000", "--pin-file", p)
			if err != nil {
				t.Fatal(err)
			}
			err = c.ReadPIN(nil)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ReadPIN: %v", err)
				}
				if string(c.PIN) != testPIN {
					t.Errorf("PIN not trimmed to the digits")
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ReadPIN error = %v, want it to mention %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), p) {
					t.Errorf("error %q does not name the file", err)
				}
				if strings.Contains(err.Error(), testPIN) {
					t.Errorf("error shows the PIN: %q", err)
				}
			}
			if got := len(c.Warnings) > 0; got != tc.wantWarn {
				t.Errorf("warnings = %q, want warning %v", c.Warnings, tc.wantWarn)
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		c, err := load(t, e, "--user", "6465551000", "--pin-file", filepath.Join(dir, "nope"))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ReadPIN(nil); err == nil || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("missing pin file: %v", err)
		}
	})
}

func TestNoAccount(t *testing.T) {
	e, path := setup(t)
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	err = c.RequireAccount()
	var na *NoAccountError
	if !errors.As(err, &na) {
		t.Fatalf("RequireAccount = %v, want *NoAccountError", err)
	}
	msg := err.Error()
	for _, want := range []string{EnvUser, EnvPIN, "--pin-file", path, "frontdesk demo"} {
		if !strings.Contains(msg, want) {
			t.Errorf("no-account message lacks %q:\n%s", want, msg)
		}
	}
	e[EnvUser] = "6465551000"
	c, _ = load(t, e)
	if err := c.RequireAccount(); err != nil {
		t.Errorf("RequireAccount with a user: %v", err)
	}
}

func TestPINNeverInErrors(t *testing.T) {
	e, path := setup(t)
	// A PIN written into the config file is refused without echoing it.
	for _, text := range []string{
		"user = \"6465551000\"\npin = \"" + testPIN + "\"\n",
		"user = \"6465551000\"\npin = " + testPIN + "x\n",
		"user = \"6465551000\"\npin = " + testPIN + "\n",
		"[[account]]\nname = \"a\"\nuser = \"6465550001\"\npin = \"" + testPIN + "\"\n",
	} {
		write(t, path, text, 0o600)
		_, err := load(t, e)
		if err == nil {
			t.Fatalf("config with a pin key accepted: %q", text)
		}
		if strings.Contains(err.Error(), testPIN) {
			t.Errorf("error shows the PIN: %q", err)
		}
		if !strings.Contains(err.Error(), "pin_file") {
			t.Errorf("error does not say what to do: %q", err)
		}
	}
	// A bad FRONTDESK_PIN is reported without its value.
	write(t, path, "", 0o600)
	e[EnvPIN] = testPIN + "\n" + testPIN
	_, err := load(t, e)
	if err == nil || strings.Contains(err.Error(), testPIN) {
		t.Errorf("bad FRONTDESK_PIN: %v", err)
	}
	// The PIN does not show in %v of the config.
	e[EnvPIN] = testPIN
	c, err := load(t, e, "--user", "6465551000")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(c.TransportAccount())} {
		if strings.Contains(s, testPIN) {
			t.Errorf("PIN visible in %q", s)
		}
	}
}

func TestFileErrors(t *testing.T) {
	e, path := setup(t)
	cases := []struct{ text, want string }{
		{"user = \"6465551000\"\nbell = maybe\n", path + ":2"},
		{"user = \"6465551000\"\n\nhold_warn = \"soon\"\n", path + ":3"},
		{"user = \"6465551000\"\nhold_warn = true\n", path + ":2"},
		{"user = \"6465551000\"\ncolour = \"red\"\n", path + `:2: unknown setting "colour"`},
		{"history_days = \"ninety\"\n", path + ":1"},
		{"user = \"x646\"\n", "not a DID"},
		{"server = \"ftp://x\"\n", "not an http(s) URL"},
		{"[[account]]\nuser = \"6465550001\"\n", "has no name"},
		{"[[account]]\nname = \"a\"\nuser = \"6465550001\"\nkeys = [\"nonsense\"]\n", `"a": keys[0] is not an SSH public key`},
	}
	for _, tc := range cases {
		write(t, path, tc.text, 0o600)
		_, err := load(t, e)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: error %v, want it to contain %q", tc.text, err, tc.want)
		}
	}
	// An explicitly named config file must exist.
	if _, err := load(t, e, "--config", filepath.Join(e["HOME"], "missing.toml")); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Errorf("missing --config file: %v", err)
	}
	// Bad environment values name the variable.
	write(t, path, "", 0o600)
	e[EnvHoldWarn] = "soon"
	if _, err := load(t, e); err == nil || !strings.Contains(err.Error(), EnvHoldWarn) {
		t.Errorf("bad %s: %v", EnvHoldWarn, err)
	}
}

const otherKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILbXAnJgfQ8ncHfpSWx7y5kQe95WFyxV4yPV+B4n2G+9 bob@desk"

const edKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQDH1pmY5ElCFBRHuFeItW6v9nTGx2xC+2EyPL3p3Vi alice@desk"

func TestAccounts(t *testing.T) {
	e, path := setup(t)
	dir := filepath.Dir(path)
	write(t, filepath.Join(dir, "front.pin"), testPIN+"\n", 0o600)
	write(t, path, `
user = "1110000001"

[[account]]
name = "front"
user = "6465551000"
pin_file = "front.pin"
keys = ["`+edKey+`"]

[[account]]
name = "back"
user = "6465552000"
server = "https://other.example/bobl/bobl"
`, 0o600)
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "1110000001" || len(c.Accounts) != 2 {
		t.Fatalf("top-level account and entries: %+v", c)
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(edKey))
	if err != nil {
		t.Fatal(err)
	}
	if a := c.AccountsForKey(pk); len(a) != 1 || a[0].Name != "front" || a[0].PINFile != filepath.Join(dir, "front.pin") {
		t.Errorf("AccountsForKey = %+v", a)
	}

	lines, err := c.KeyLines(pk)
	if err != nil || len(lines) != 1 {
		t.Fatalf("KeyLines = %v, %v", lines, err)
	}
	if acct := lines[0].TransportAccount(); acct.User != "6465551000" || string(acct.PIN) != testPIN || acct.Server != DefaultServer || lines[0].Label != "front" {
		t.Errorf("KeyLines = %+v", lines[0])
	}
	other, _, _, _, err := ssh.ParseAuthorizedKey([]byte(otherKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.KeyLines(other); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("KeyLines(unlisted key) = %v", err)
	}

	c, err = load(t, e, "--account", "front")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ReadPIN(nil); err != nil {
		t.Fatal(err)
	}
	if c.User != "6465551000" || string(c.PIN) != testPIN || c.Server != DefaultServer {
		t.Errorf("--account front: user %q server %q", c.User, c.Server)
	}
	e[EnvAccount] = "back"
	c, err = load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "6465552000" || c.Server != "https://other.example/bobl/bobl" {
		t.Errorf("FRONTDESK_ACCOUNT=back: user %q server %q", c.User, c.Server)
	}
	if _, err := load(t, e, "--account", "nobody"); err == nil || !strings.Contains(err.Error(), "front, back") {
		t.Errorf("unknown account: %v", err)
	}

	// A key listed in several accounts opens all of them, in the file's
	// order.
	dir = filepath.Dir(path)
	write(t, filepath.Join(dir, "a.pin"), "1111\n", 0o600)
	write(t, filepath.Join(dir, "b.pin"), "2222\n", 0o600)
	write(t, path, `
[[account]]
name = "a"
user = "6465550001"
pin_file = "a.pin"
keys = ["`+edKey+`"]
[[account]]
name = "b"
user = "6465550002"
pin_file = "b.pin"
label = "Lobby"
keys = ["`+edKey+`"]
`, 0o600)
	delete(e, EnvAccount)
	c, err = load(t, e, "--config", path)
	if err != nil {
		t.Fatal(err)
	}
	lines, err = c.KeyLines(pk)
	if err != nil || len(lines) != 2 || lines[0].User != "6465550001" || string(lines[0].PIN) != "1111" ||
		lines[1].User != "6465550002" || string(lines[1].PIN) != "2222" || lines[1].Label != "Lobby" {
		t.Errorf("a key on two accounts: %+v, %v", lines, err)
	}
}

func TestLoadWithoutAccount(t *testing.T) {
	e, path := setup(t)
	write(t, path, `
server = "not a url"
user = "front desk"
pin_file = "/nowhere/pin"
ca_file = "/nowhere/ca.pem"
quiet = true
notify = false
log = "demo.log"

[[account]]
user = "not digits"
`, 0o600)
	e[EnvUser] = "6465x"
	e[EnvServer] = "ftp://example.com"
	e[EnvPIN] = "not a pin"
	e[EnvAccount] = "nobody"
	e[EnvEndpoint] = "00:11"
	e[EnvHoldWarn] = "2m"
	e[EnvBell] = "false"

	if _, err := Load(nil, e.get); err == nil {
		t.Fatal("Load accepted the malformed account settings")
	}

	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	f := NewFlags(fs, ConfigFlag|LogFlag|AlertFlags)
	if err := fs.Parse([]string{"--hold-warn", "90s"}); err != nil {
		t.Fatal(err)
	}
	c, err := LoadWithoutAccount(f, e.get)
	if err != nil {
		t.Fatalf("LoadWithoutAccount: %v", err)
	}
	if c.User != "" || c.Server != DefaultServer || c.Endpoint != "" || c.CAFile != "" || c.Account != "" ||
		c.PIN != "" || c.PINSource != PINNone || c.PINFile != "" || len(c.Accounts) != 0 {
		t.Errorf("account settings leaked in: %+v", c)
	}
	want := filepath.Join(filepath.Dir(path), "demo.log")
	if c.HoldWarn != 90*time.Second || c.Bell || !c.Quiet || c.Notify || c.LogFile != want {
		t.Errorf("display settings: hold_warn %v bell %v quiet %v notify %v log %q (want log %q)",
			c.HoldWarn, c.Bell, c.Quiet, c.Notify, c.LogFile, want)
	}

	// A malformed display setting still fails.
	e[EnvBell] = "loud"
	if _, err := LoadWithoutAccount(nil, e.get); err == nil || !strings.Contains(err.Error(), EnvBell) {
		t.Errorf("malformed %s: %v", EnvBell, err)
	}
}

func TestSMTPAndWebhookSections(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := func(k string) string {
		if k == EnvConfig {
			return path
		}
		return ""
	}
	write("[smtp]\nserver = \"mail.example.com:2525\"\nfrom = \"desk@example.com\"\nuser = \"desk\"\npassword_file = \"smtp-password\"\ntls = \"TLS\"\n[webhook]\nurl = \"https://hooks.example.com/frontdesk\"\n")
	c, err := LoadWithoutAccount(nil, env)
	if err != nil {
		t.Fatal(err)
	}
	want := SMTP{Server: "mail.example.com:2525", From: "desk@example.com", User: "desk", PasswordFile: filepath.Join(dir, "smtp-password"), TLS: "tls"}
	if c.SMTP != want || c.WebhookURL != "https://hooks.example.com/frontdesk" {
		t.Fatalf("got %+v %q, want %+v and the webhook", c.SMTP, c.WebhookURL, want)
	}

	if err := os.WriteFile(want.PasswordFile, []byte("s3cret-pass\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SMTP.ReadSMTPPassword(); err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a password file open to others: %v", err)
	}
	if err := os.Chmod(want.PasswordFile, 0o600); err != nil {
		t.Fatal(err)
	}
	if pw, err := c.SMTP.ReadSMTPPassword(); err != nil || pw != "s3cret-pass" {
		t.Errorf("ReadSMTPPassword = %q, %v", pw, err)
	}

	for body, wantErr := range map[string]string{
		"[smtp]\nfrom = \"a@b\"\n":                                         "server is not set",
		"[smtp]\nserver = \"m\"\n":                                         "from is not set",
		"[smtp]\nserver = \"m\"\nfrom = \"a@b\"\ntls = \"ssl\"\n":          `use "starttls"`,
		"[smtp]\nserver = \"m\"\nfrom = \"a@b\"\nuser = \"u\"\n":           "without password_file",
		"[smtp]\nserver = \"m\"\nfrom = \"a@b\"\npassword = \"hunter2\"\n": "SMTP password does not belong in the config file",
		"[webhook]\nurl = \"ftp://x\"\n":                                   "http:// or https://",
	} {
		write(body)
		_, err := LoadWithoutAccount(nil, env)
		if err == nil || !strings.Contains(err.Error(), wantErr) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error %v, want one saying %q", body, err, wantErr)
		}
	}
}

// The history may be a PostgreSQL URL, in the file, the environment or a
// flag; it is kept as given, not taken for a path. Other URLs are refused
// without repeating what may be a password.
func TestHistoryURL(t *testing.T) {
	e, path := setup(t)
	const url = "postgres://desk:pw@db.example:5432/frontdesk?sslmode=require"
	write(t, path, "history = \""+url+"\"\n", 0o600)
	c, err := load(t, e)
	if err != nil {
		t.Fatal(err)
	}
	if c.History != url || !HistoryIsURL(c.History) {
		t.Errorf("history from the file = %q", c.History)
	}
	write(t, path, "history = \"history.db\"\n", 0o600)
	e[EnvHistory] = "postgresql://desk@db.example/frontdesk"
	if c, err = load(t, e); err != nil || c.History != e[EnvHistory] {
		t.Errorf("history from the environment = %q, %v", c.History, err)
	}
	delete(e, EnvHistory)
	if c, err = load(t, e); err != nil || c.History != filepath.Join(filepath.Dir(path), "history.db") || HistoryIsURL(c.History) {
		t.Errorf("history file = %q, %v", c.History, err)
	}
	_, err = load(t, e, "--history", "mysql://desk:s3cret@db.example/frontdesk")
	if err == nil || !strings.Contains(err.Error(), `"mysql" URLs are not supported`) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("mysql URL: %v", err)
	}
}
