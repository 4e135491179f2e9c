package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// serveConsole is one SSH console on a running `frontdesk serve`.
type serveConsole struct {
	client *gossh.Client
	screen *syncbuffer.Buffer
	keys   io.Writer // what the receptionist types
	done   chan error
}

func openServeConsole(t *testing.T, addr string, signer gossh.Signer) *serveConsole {
	t.Helper()
	client, err := gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "desk", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	sess, err := client.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	c := &serveConsole{client: client, screen: &syncbuffer.Buffer{}, done: make(chan error, 1)}
	sess.Stdout = c.screen
	if c.keys, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- sess.Wait() }()
	return c
}

// The [[account]] entries are read again when the config file changes,
// and on SIGHUP even when it looks unchanged; a key that lost its account
// has its console ended with a goodbye.
func TestServeRereadsAccounts(t *testing.T) {
	const did2 = "6465552000"
	sim := skysim.New(skysim.Config{Accounts: []skysim.Account{{DID: testDID, PIN: testPIN}, {DID: did2, PIN: testPIN}}, DialConnectDelay: -1})
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })

	dir := t.TempDir()
	signers, pubs := sshKeys(t, "alice", "bob")
	write := fileWriter(t, dir)
	settings := func(frontDID, frontKeys, backDID, backKeys string) string {
		return "server = \"" + url + "\"\n\n" +
			"[[account]]\nname = \"front\"\nuser = \"" + frontDID + "\"\npin_file = \"desk.pin\"\nkeys = [" + frontKeys + "]\n\n" +
			"[[account]]\nname = \"back\"\nuser = \"" + backDID + "\"\npin_file = \"desk.pin\"\nkeys = [" + backKeys + "]\n"
	}
	quoted := func(name string) string { return `"` + pubs[name] + `"` }
	write("desk.pin", testPIN+"\n")
	cfg := write("config.toml", settings(testDID, quoted("alice"), did2, quoted("bob")))
	ak := write("authorized_keys", pubs["alice"]+"\n"+pubs["bob"]+"\n")

	served := startServe(t, dir, cfg, ak)
	errOut, addr := served.log, served.addr

	alice := openServeConsole(t, addr, signers["alice"])
	bob := openServeConsole(t, addr, signers["bob"])
	waitStep(t, func() bool { return strings.Contains(alice.screen.String(), testDID) }, alice.screen.String)
	waitStep(t, func() bool { return strings.Contains(bob.screen.String(), did2) }, bob.screen.String)

	// alice's key leaves her account: the changed file is noticed.
	write("config.toml", settings(testDID, "", did2, quoted("bob")))
	select {
	case <-alice.done:
	case <-time.After(stepTimeout):
		t.Fatalf("alice's console stayed open:\n%s", errOut.String())
	}
	if !strings.Contains(alice.screen.String(), "your key no longer works phone account "+testDID+". Goodbye.") {
		t.Fatalf("alice's goodbye:\n%q", alice.screen.String())
	}

	// The accounts swap DIDs in a file of the same size and time, put in
	// place at once: only SIGHUP makes the server read it.
	st, err := os.Stat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	next := write("config.next", settings(did2, "", testDID, quoted("bob")))
	if err := os.Chtimes(next, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, cfg); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	select {
	case <-bob.done:
	case <-time.After(stepTimeout):
		t.Fatalf("bob's console stayed open after SIGHUP:\n%s", errOut.String())
	}
	if !strings.Contains(bob.screen.String(), "your key no longer works phone account "+did2+". Goodbye.") {
		t.Fatalf("bob's goodbye:\n%q", bob.screen.String())
	}
	if !strings.Contains(errOut.String(), "reloading keys and accounts") {
		t.Fatalf("no reload in the log:\n%s", errOut.String())
	}
	// bob logs in again and gets his key's account as it is now.
	again := openServeConsole(t, addr, signers["bob"])
	waitStep(t, func() bool { return strings.Contains(again.screen.String(), testDID) }, again.screen.String)

	served.stop(t)
}

// servedDesk is a `frontdesk serve` run by a test.
type servedDesk struct {
	addr   string             // where it listens
	log    *syncbuffer.Buffer // its standard error: the server's log
	cancel context.CancelFunc
	done   chan int
}

// startServe runs `frontdesk serve --config cfg --authorized-keys ak` with
// HOME dir and its host key under dir, plus args, on a free loopback port,
// and waits until it listens. It is stopped when the test ends, if stop
// has not stopped it.
func startServe(t *testing.T, dir, cfg, ak string, args ...string) *servedDesk {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &servedDesk{log: &syncbuffer.Buffer{}, cancel: cancel, done: make(chan int, 1)}
	argv := append([]string{"serve", "--config", cfg, "--listen", "127.0.0.1:0", "--authorized-keys", ak,
		"--host-key", filepath.Join(dir, "state", "hk")}, args...)
	go func() {
		d.done <- run(ctx, argv, sys{getenv: func(k string) string { return map[string]string{"HOME": dir}[k] },
			stdout: &syncbuffer.Buffer{}, stderr: d.log, prompt: func(string) (string, error) { return "", config.ErrNoTerminal }})
	}()
	t.Cleanup(cancel)
	addrRE := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
	waitStep(t, func() bool { return addrRE.MatchString(d.log.String()) }, d.log.String)
	d.addr = addrRE.FindStringSubmatch(d.log.String())[1]
	return d
}

// stop ends the server and checks that it exits cleanly.
func (d *servedDesk) stop(t *testing.T) {
	t.Helper()
	d.cancel()
	select {
	case code := <-d.done:
		if code != exitOK {
			t.Errorf("serve exit %d, log %q", code, d.log.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// sshKeys makes a new ed25519 key for each name: the signers the SSH
// clients use and the authorized_keys lines (without comment) by name.
func sshKeys(t *testing.T, names ...string) (signers map[string]gossh.Signer, pubs map[string]string) {
	t.Helper()
	signers, pubs = map[string]gossh.Signer{}, map[string]string{}
	for _, name := range names {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if signers[name], err = gossh.NewSignerFromKey(priv); err != nil {
			t.Fatal(err)
		}
		pubs[name] = strings.TrimSpace(string(gossh.MarshalAuthorizedKey(signers[name].PublicKey())))
	}
	return signers, pubs
}

// fileWriter returns a function that writes a file of dir, mode 0600, and
// returns its path.
func fileWriter(t *testing.T, dir string) func(name, text string) string {
	return func(name, text string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
}
