package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/transport/skysim"
	"github.com/frontdesk/frontdesk/tui"
)

const (
	testDID = "6465551000"
	testPIN = "80417"
)

type result struct {
	code           int
	stdout, stderr string
}

// runWith runs frontdesk with args and the environment env (and nothing
// else: no real config file, no terminal).
func runWith(t *testing.T, ctx context.Context, env map[string]string, args ...string) result {
	t.Helper()
	home := t.TempDir()
	full := map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.Join(home, "config"), "XDG_STATE_HOME": filepath.Join(home, "state")}
	for k, v := range env {
		full[k] = v
	}
	var out, errOut syncbuffer.Buffer
	code := run(ctx, args, sys{
		getenv: func(k string) string { return full[k] },
		stdout: &out,
		stderr: &errOut,
		prompt: func(string) (string, error) { return "", config.ErrNoTerminal },
	})
	r := result{code, out.String(), errOut.String()}
	if strings.Contains(r.stdout, testPIN) || strings.Contains(r.stderr, testPIN) {
		t.Errorf("frontdesk %v printed the PIN:\nstdout: %s\nstderr: %s", args, r.stdout, r.stderr)
	}
	return r
}

// startSim starts a simulator with the test account.
func startSim(t *testing.T) (*skysim.Server, map[string]string) {
	t.Helper()
	srv := skysim.New(skysim.Config{Accounts: []skysim.Account{{DID: testDID, PIN: testPIN}}, DialConnectDelay: -1})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, map[string]string{config.EnvServer: url, config.EnvUser: testDID, config.EnvPIN: testPIN}
}

func TestUsageErrors(t *testing.T) {
	_, env := startSim(t)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"calls", "extra"}, `unexpected argument "extra"`},
		{[]string{"calls", "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"watch", "--json=maybe"}, "invalid boolean value"},
		{[]string{"dial"}, "which number?"},
		{[]string{"dial", "916465551234"}, "frontdesk dial: "},
		{[]string{"dial", "--user", "not-a-did", "6465551234"}, "not a DID"},
		{[]string{"calls", "--hold-warn", "5s"}, "flag provided but not defined"},
		{[]string{"sim", "--ring-rate", "lots"}, "invalid value"},
		{[]string{"version", "now"}, "unexpected argument"},
		{[]string{"--user", "6465551000", "calls"}, `unknown command "calls"`},
	}
	for _, tc := range cases {
		r := runWith(t, context.Background(), env, tc.args...)
		if r.code != exitUsage {
			t.Errorf("frontdesk %q: exit %d, want %d (stderr %q)", tc.args, r.code, exitUsage, r.stderr)
		}
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("frontdesk %q: stderr %q, want it to contain %q", tc.args, r.stderr, tc.want)
		}
	}
}

func TestDialBadNumberSaysWhy(t *testing.T) {
	// No account at all: the number is checked first.
	r := runWith(t, context.Background(), nil, "dial", "916465551234")
	if r.code != exitUsage {
		t.Fatalf("exit %d, want 2; stderr %q", r.code, r.stderr)
	}
	_, want := cli.ParseNumber("916465551234")
	if want == nil || !strings.Contains(r.stderr, want.Error()) {
		t.Errorf("stderr %q does not give the reason %v", r.stderr, want)
	}
}

func TestHelp(t *testing.T) {
	for _, cmd := range []string{"", "demo", "sim", "calls", "dial", "watch", "serve", "version"} {
		args := []string{"--help"}
		if cmd != "" {
			args = []string{cmd, "--help"}
		}
		r := runWith(t, context.Background(), nil, args...)
		name := strings.TrimSpace("frontdesk " + cmd)
		if r.code != exitOK || !strings.HasPrefix(strings.TrimSpace(helpSection(r.stdout, "USAGE")), name) {
			t.Errorf("%s --help: exit %d, stdout %q", name, r.code, r.stdout)
		}
		if cmd != "" {
			h := runWith(t, context.Background(), nil, "help", cmd)
			if h.code != exitOK || h.stdout != r.stdout {
				t.Errorf("help %s differs from %s --help", cmd, name)
			}
		}
	}
	r := runWith(t, context.Background(), nil, "help")
	for section, want := range map[string][]string{
		"COMMANDS":    {"    demo", "    calls", "    dial NUMBER", "    watch"},
		"ENVIRONMENT": {"    FRONTDESK_PIN "},
	} {
		for _, w := range want {
			if !strings.Contains(helpSection(r.stdout, section), w) {
				t.Errorf("help: %s lacks %q:\n%s", section, w, r.stdout)
			}
		}
	}
	r = runWith(t, context.Background(), nil, "calls", "--help")
	flags := helpSection(r.stdout, "FLAGS")
	for _, want := range []string{"--json ", "--pin-file ", "--user ", "--server ", "--config "} {
		if !strings.Contains(flags, "    "+want) {
			t.Errorf("calls --help: flags lack %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "--pin ") {
		t.Errorf("calls --help offers a --pin flag")
	}
}

func TestNoAccount(t *testing.T) {
	for _, args := range [][]string{nil, {"calls"}, {"watch"}, {"dial", "6465551234"}} {
		r := runWith(t, context.Background(), nil, args...)
		if r.code != exitUsage {
			t.Errorf("frontdesk %q without an account: exit %d, want 2", args, r.code)
		}
		for _, want := range []string{"FRONTDESK_USER", "FRONTDESK_PIN", "--pin-file", "config.toml", "frontdesk demo"} {
			if !strings.Contains(r.stderr, want) {
				t.Errorf("frontdesk %q: no-account message lacks %q:\n%s", args, want, r.stderr)
			}
		}
	}
	// A DID but no PIN, and no terminal to ask on.
	r := runWith(t, context.Background(), map[string]string{config.EnvUser: testDID}, "calls")
	if r.code != exitUsage || !strings.Contains(r.stderr, "no terminal") || !strings.Contains(r.stderr, "FRONTDESK_PIN") {
		t.Errorf("no PIN off a terminal: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestCallsJSON(t *testing.T) {
	srv, env := startSim(t)
	r := runWith(t, context.Background(), env, "calls", "--json")
	if r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
		t.Fatalf("idle phone: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	clid := "8885550100"
	id1 := srv.Ring(testDID, "16465551234", &clid)
	id2 := srv.Ring(testDID, "4101", nil)

	r = runWith(t, context.Background(), env, "calls", "--json")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var got []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, r.stdout)
	}
	if len(got) != 2 {
		t.Fatalf("%d calls, want 2: %s", len(got), r.stdout)
	}
	byID := map[string]map[string]any{}
	for _, c := range got {
		for _, k := range []string{"id", "state", "outbound", "ani", "clid", "did", "endpoint", "duration"} {
			if _, ok := c[k]; !ok {
				t.Errorf("call lacks %q: %v", k, c)
			}
		}
		byID[c["id"].(string)] = c
	}
	if c := byID[id1]; c["state"] != "RINGING" || c["ani"] != "16465551234" || c["clid"] != clid || c["outbound"] != false || c["did"] != testDID {
		t.Errorf("call %s: %v", id1, c)
	}
	if c := byID[id2]; c["clid"] != nil || c["ani"] != "4101" {
		t.Errorf("call %s without CLID: %v", id2, c)
	}
}

func TestCallsTable(t *testing.T) {
	srv, env := startSim(t)
	srv.Ring(testDID, "6465551234", nil)
	dir := t.TempDir()
	contacts := filepath.Join(dir, "contacts.csv")
	if err := os.WriteFile(contacts, []byte("Name,Number\nAda Whitfield,(646) 555-1234\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env[config.EnvDirectory] = contacts
	r := runWith(t, context.Background(), env, "calls")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"STATE", "RINGING", "(646) 555-1234", "Ada Whitfield", "in"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestCallsWrongPIN(t *testing.T) {
	_, env := startSim(t)
	env[config.EnvPIN] = "99999"
	r := runWith(t, context.Background(), env, "calls")
	if r.code != exitFailure {
		t.Errorf("wrong PIN: exit %d, want 1", r.code)
	}
	if r.stderr == "" || strings.Contains(r.stderr, "99999") {
		t.Errorf("wrong PIN: stderr %q", r.stderr)
	}
}

func TestPinFile(t *testing.T) {
	_, env := startSim(t)
	delete(env, config.EnvPIN)
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte(testPIN+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := runWith(t, context.Background(), env, "calls", "--pin-file", pinFile); r.code != exitOK {
		t.Errorf("--pin-file: exit %d, stderr %q", r.code, r.stderr)
	}
	if err := os.Chmod(pinFile, 0o644); err != nil {
		t.Fatal(err)
	}
	r := runWith(t, context.Background(), env, "calls", "--pin-file", pinFile)
	if r.code != exitUsage || !strings.Contains(r.stderr, "chmod 600") {
		t.Errorf("world-readable pin file: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestDial(t *testing.T) {
	srv, env := startSim(t)
	r := runWith(t, context.Background(), env, "dial", "(646)", "555-1234", "--endpoint", "")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "6465551234") || !strings.Contains(r.stdout, "(646) 555-1234") {
		t.Errorf("stdout %q does not show the number", r.stdout)
	}
	calls := srv.Calls(testDID)
	if len(calls) != 1 || calls[0].Ani != "6465551234" || !calls[0].Originated {
		t.Errorf("simulator calls after dial: %+v", calls)
	}
}

func TestWatch(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		srv, env := startSim(t)
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncbuffer.Buffer
		args := []string{"watch"}
		if asJSON {
			args = append(args, "--json")
		}
		done := make(chan int, 1)
		go func() {
			full := map[string]string{"HOME": t.TempDir()}
			for k, v := range env {
				full[k] = v
			}
			done <- run(ctx, args, sys{getenv: func(k string) string { return full[k] }, stdout: &out, stderr: &errOut,
				prompt: func(string) (string, error) { return "", config.ErrNoTerminal }})
		}()
		wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
		// The ring must come after the first snapshot to be a call event.
		waitFor(t, wctx, func() bool {
			if asJSON {
				return strings.Contains(out.String(), `"event":"snapshot"`)
			}
			return strings.Contains(errOut.String(), "calls on the phone now: 0")
		}, func() string { return out.String() + errOut.String() })
		id := srv.Ring(testDID, "6465551234", nil)
		waitFor(t, wctx, func() bool { return strings.Contains(out.String(), id) }, func() string { return out.String() })
		wcancel()
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("watch exit %d, stderr %q", code, errOut.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatal("watch did not stop after cancel")
		}
		if !strings.Contains(errOut.String(), "connection: live") {
			t.Errorf("no connection change on stderr: %q", errOut.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		last := lines[len(lines)-1]
		if asJSON {
			var ev cli.WatchJSON
			if err := json.Unmarshal([]byte(last), &ev); err != nil {
				t.Fatalf("not JSON: %q: %v", last, err)
			}
			if ev.Event != "call" || ev.Call == nil || ev.Call.ID != id || ev.Call.State != "RINGING" || ev.Call.Ani != "6465551234" || ev.At.IsZero() {
				t.Errorf("event line %q", last)
			}
		} else if !strings.Contains(last, "RINGING") || !strings.Contains(last, "(646) 555-1234") || !strings.Contains(last, id) {
			t.Errorf("event line %q", last)
		}
		if strings.Contains(out.String(), testPIN) || strings.Contains(errOut.String(), testPIN) {
			t.Error("watch printed the PIN")
		}
	}
}

func waitFor(t *testing.T, ctx context.Context, cond func() bool, show func() string) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("condition not met; output:\n%s", show())
		case <-tick.C:
		}
	}
}

// stepTimeout bounds one wait of a test that waits many times, so that a
// busy machine slowing the first steps does not eat into the last ones.
const stepTimeout = 30 * time.Second

// screenShows returns a function that waits until d's screen shows every
// one of its arguments.
func screenShows(t *testing.T, ctx context.Context, d *consoletest.Driver) func(subs ...string) {
	return func(subs ...string) {
		t.Helper()
		waitFor(t, ctx, func() bool {
			v := d.View().Content
			for _, s := range subs {
				if !strings.Contains(v, s) {
					return false
				}
			}
			return true
		}, func() string { return d.View().Content })
	}
}

// waitStep is waitFor bounded by stepTimeout.
func waitStep(t *testing.T, cond func() bool, show func() string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	waitFor(t, ctx, cond, show)
}

func TestVersion(t *testing.T) {
	r := runWith(t, context.Background(), nil, "version")
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "frontdesk ") {
		t.Errorf("version: exit %d stdout %q", r.code, r.stdout)
	}
}

// TestBinary builds frontdesk and runs it as a user would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	bin := filepath.Join(t.TempDir(), "frontdesk")
	args := append([]string{"build"}, consoletest.BuildFlags()...)
	build := exec.Command(goBin, append(args, "-ldflags", "-X main.version=v9.9.9-test", "-o", bin, ".")...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "frontdesk v9.9.9-test (") {
		t.Errorf("version: %q, %v", out, err)
	}

	srv, env := startSim(t)
	srv.Ring(testDID, "2125550187", nil)
	cmd := exec.Command(bin, "calls", "--json")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err = cmd.Output()
	var calls []cli.CallJSON
	if err != nil || json.Unmarshal(out, &calls) != nil || len(calls) != 1 || calls[0].Ani != "2125550187" {
		t.Errorf("calls --json: %q, %v", out, err)
	}

	cmd = exec.Command(bin, "dial", "101161212345678")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUsage {
		t.Errorf("dial bad number: %v, stderr %q", err, stderr.String())
	}
}

func TestServe(t *testing.T) {
	srv, env := startSim(t)
	dir := t.TempDir()
	signers, pubs := sshKeys(t, "alice")
	signer, pub := signers["alice"], pubs["alice"]
	write := fileWriter(t, dir)
	write("front.pin", testPIN+"\n")
	cfg := write("config.toml", "server = \""+env[config.EnvServer]+"\"\n\n[[account]]\nname = \"front\"\nuser = \""+testDID+"\"\npin_file = \"front.pin\"\nkeys = [\""+pub+" alice@desk\"]\n")
	ak := write("authorized_keys", pub+" alice@desk\n")

	// No account at all: a usage error.
	r := runWith(t, context.Background(), nil, "serve", "--authorized-keys", ak, "--host-key", filepath.Join(dir, "hk"))
	if r.code != exitUsage || !strings.Contains(r.stderr, "[[account]]") {
		t.Errorf("serve without accounts: exit %d, stderr %q", r.code, r.stderr)
	}

	served := startServe(t, dir, cfg, ak)
	wctx, wcancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer wcancel()
	addr := served.addr

	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "alice", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ssh: %v\n%s", err, served.log.String())
	}
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	var screen syncbuffer.Buffer
	sess.Stdout = &screen
	if err := sess.RequestPty("xterm-256color", 24, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	// The account's stream subscribes and the console shows the DID.
	if err := srv.WaitSubscribed(wctx, testDID, 1); err != nil {
		t.Fatalf("no upstream subscribed: %v\n%s", err, served.log.String())
	}
	waitFor(t, wctx, func() bool { return strings.Contains(screen.String(), testDID) }, screen.String)
	sess.Close()
	client.Close()

	served.stop(t)
	if strings.Contains(served.log.String(), testPIN) {
		t.Error("serve logged the PIN")
	}
}

// The demo brings its own account: broken account settings do not stop
// it, and the display settings still count.
func TestDemoIgnoresAccountSettings(t *testing.T) {
	var got tui.Options
	orig := runConsole
	runConsole = func(ctx context.Context, opts tui.Options) error {
		got = opts
		return nil
	}
	t.Cleanup(func() { runConsole = orig })

	logFile := filepath.Join(t.TempDir(), "demo.log")
	r := runWith(t, context.Background(), map[string]string{
		config.EnvUser:     "front desk",
		config.EnvServer:   "ftp://example.com",
		config.EnvPIN:      "not a pin",
		config.EnvAccount:  "nobody",
		config.EnvHoldWarn: "2m",
		config.EnvQuiet:    "true",
		config.EnvLog:      logFile,
	}, "demo", "--ring-rate", "0")
	if r.code != exitOK {
		t.Fatalf("demo: exit %d, stderr %q", r.code, r.stderr)
	}
	if len(got.Lines) != 1 || got.Lines[0].Label != cli.DemoDID+" (demo)" || got.HoldWarn != 2*time.Minute || got.Bell || got.Notify {
		t.Errorf("demo console options: lines %+v hold_warn %v bell %v notify %v", got.Lines, got.HoldWarn, got.Bell, got.Notify)
	}
	data, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(data), "demo starting") {
		t.Errorf("demo log %s: %q, %v", logFile, data, err)
	}

	// A broken display setting is still an error.
	r = runWith(t, context.Background(), map[string]string{config.EnvUser: "front desk", config.EnvBell: "loud"}, "demo")
	if r.code != exitUsage || !strings.Contains(r.stderr, config.EnvBell) {
		t.Errorf("demo with %s=loud: exit %d, stderr %q", config.EnvBell, r.code, r.stderr)
	}
}

// serve --log FILE logs to the file instead of standard error.
func TestServeLogFile(t *testing.T) {
	_, env := startSim(t)
	dir := t.TempDir()
	logFile := filepath.Join(dir, "logs", "serve.log")
	env["HOME"] = dir
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "authorized_keys"), gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncbuffer.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--log", logFile,
			"--authorized-keys", filepath.Join(dir, "authorized_keys"), "--host-key", filepath.Join(dir, "hk")},
			sys{getenv: func(k string) string { return env[k] }, stdout: &out, stderr: &errOut,
				prompt: func(string) (string, error) { return "", config.ErrNoTerminal }})
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer wcancel()
	logged := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	waitFor(t, wctx, func() bool { return regexp.MustCompile(`addr=127\.0\.0\.1:\d+`).MatchString(logged()) },
		func() string { return "log: " + logged() + "\nstderr: " + errOut.String() })
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exit %d, stderr %q", code, errOut.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
	if errOut.String() != "" {
		t.Errorf("serve with --log wrote to standard error: %q", errOut.String())
	}
	if fi, err := os.Stat(logFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("log file: %v, %v", fi, err)
	}
}
