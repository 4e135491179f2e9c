package main

import (
	"context"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/transport/skysim"
)

// Over `frontdesk serve`, the phone service holds a PIN other than the pin
// file's. A console of the refused account types the right one (hidden):
// the shared upstream goes live for every console of the account, the pin
// file stays as it was, and the log says who typed it, never the PIN. A
// console of another account sees none of it and cannot set a PIN; a
// wrong PIN is refused again, and the next one waits, but the corrected
// pin file, on a reload, is tried at once.
func TestServePINTypedAgain(t *testing.T) {
	const (
		backDID, sideDID = "6465552000", "6465553000"
		frontPIN         = "731904" // what the phone service holds for the front desk
		sidePIN          = "562817"
		wrongPIN         = "149630"
	)
	sim := skysim.New(skysim.Config{Accounts: []skysim.Account{{DID: testDID, PIN: frontPIN}, {DID: backDID, PIN: testPIN},
		{DID: sideDID, PIN: sidePIN}}, DialConnectDelay: -1})
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })

	dir := t.TempDir()
	signers, pubs := sshKeys(t, "alice", "dana", "bob", "erin")
	write := fileWriter(t, dir)
	// The front and side desks' pin files hold the PIN before it changed.
	frontFile := write("front.pin", testPIN+"\n")
	write("back.pin", testPIN+"\n")
	write("side.pin", testPIN+"\n")
	account := func(name, did string, keys ...string) string {
		for i, k := range keys {
			keys[i] = `"` + pubs[k] + `"`
		}
		return "[[account]]\nname = \"" + name + "\"\nuser = \"" + did + "\"\npin_file = \"" + name + ".pin\"\nkeys = [" + strings.Join(keys, ", ") + "]\n\n"
	}
	cfg := write("config.toml", "server = \""+url+"\"\n\n"+account("front", testDID, "alice", "dana")+
		account("back", backDID, "bob")+account("side", sideDID, "erin"))
	ak := write("authorized_keys", pubs["alice"]+"\n"+pubs["dana"]+"\n"+pubs["bob"]+"\n"+pubs["erin"]+"\n")
	d := startServe(t, dir, cfg, ak)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	send := func(c *serveConsole, keys string) {
		t.Helper()
		if _, err := io.WriteString(c.keys, keys); err != nil {
			t.Fatalf("typing %q: %v", keys, err)
		}
	}
	// shows waits for text on the console's latest screen: what was
	// drawn since mark.
	shows := func(c *serveConsole, mark int, text string) {
		t.Helper()
		waitFor(t, ctx, func() bool { return strings.Contains(ansi.Strip(c.screen.String()[mark:]), text) }, func() string {
			return ansi.Strip(c.screen.String()[mark:]) + "\n" + d.log.String()
		})
	}
	typePIN := func(c *serveConsole, pin string) int {
		t.Helper()
		mark := len(c.screen.String())
		send(c, "p")
		shows(c, mark, "Type the PIN (not shown)")
		shows(c, mark, "kept in memory only, not in the pin file")
		mark = len(c.screen.String())
		send(c, pin+"\r")
		return mark
	}

	alice := openServeConsole(t, d.addr, signers["alice"])
	dana := openServeConsole(t, d.addr, signers["dana"])
	bob := openServeConsole(t, d.addr, signers["bob"])
	erin := openServeConsole(t, d.addr, signers["erin"])
	for _, c := range []*serveConsole{alice, dana, erin} {
		shows(c, 0, "✗ DID or PIN refused · p types it again")
	}
	shows(bob, 0, "● live")

	// The back desk is not refused: p does nothing there, and its console
	// can reach no other account's PIN.
	mark := len(bob.screen.String())
	send(bob, "p")
	shows(bob, mark, "The phone service has not refused the PIN")

	// alice types the front desk's PIN: both front consoles go live, on
	// one upstream.
	mark = typePIN(alice, frontPIN)
	shows(alice, mark, "● live")
	shows(alice, mark, "The phone service took the PIN")
	shows(dana, 0, "● live")
	if err := sim.WaitSubscribed(ctx, testDID, 1); err != nil {
		t.Fatal(err)
	}
	if n := sim.Stats().Subscribers[testDID]; n != 1 {
		t.Fatalf("the front desk has %d subscriptions, want its one upstream", n)
	}
	// A front-desk console that comes later is live without typing.
	late := openServeConsole(t, d.addr, signers["dana"])
	shows(late, 0, "● live")

	// erin's wrong PIN is refused again; p at once says when the next one
	// can be tried, before a PIN is typed.
	mark = typePIN(erin, wrongPIN)
	shows(erin, mark, "The phone service refused that PIN too; p types it again")
	mark = len(erin.screen.String())
	send(erin, "p")
	shows(erin, mark, "Not now: a PIN was tried on this account moments ago; the next one can be tried in")
	if n := sim.Stats().Subscribers[sideDID]; n != 0 {
		t.Fatalf("the side desk has %d subscriptions after a wrong PIN", n)
	}
	// The administrator corrects the side desk's pin file and reloads the
	// server: the side desk goes live without a restart.
	mark = len(erin.screen.String())
	write("side.pin", sidePIN+"\n")
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	shows(erin, mark, "● live")

	for name, c := range map[string]*serveConsole{"alice": alice, "dana": dana, "late": late, "bob": bob, "erin": erin} {
		for _, pin := range []string{frontPIN, sidePIN, wrongPIN} {
			if strings.Contains(c.screen.String(), pin) {
				t.Errorf("%s's screen shows a typed PIN", name)
			}
		}
	}
	if s := ansi.Strip(bob.screen.String()); strings.Contains(s, "PIN refused") || strings.Contains(s, "took the PIN") {
		t.Errorf("the back desk hears of another account's PIN:\n%s", s)
	}
	logged := d.log.String()
	for _, pin := range []string{frontPIN, sidePIN, wrongPIN} {
		if strings.Contains(logged, pin) {
			t.Fatalf("the log holds a typed PIN:\n%s", logged)
		}
	}
	aliceFP := gossh.FingerprintSHA256(signers["alice"].PublicKey())
	if !hasLine(logged, "PIN typed at a console; trying it", "did="+testDID, "fingerprint="+aliceFP) {
		t.Errorf("the log does not say alice typed the front desk's PIN:\n%s", logged)
	}
	if !hasLine(logged, "PIN typed at a console; trying it", "did="+sideDID, "fingerprint="+gossh.FingerprintSHA256(signers["erin"].PublicKey())) ||
		!hasLine(logged, "PIN typed at a console refused", "did="+sideDID) {
		t.Errorf("the log does not tell the side desk's PINs:\n%s", logged)
	}
	if !hasLine(logged, "the settings give a new PIN for the refused account; trying it", "did="+sideDID) {
		t.Errorf("the log does not say the corrected pin file was tried:\n%s", logged)
	}
	if b, err := os.ReadFile(frontFile); err != nil || string(b) != testPIN+"\n" {
		t.Errorf("the pin file changed: %q, %v", b, err)
	}
	d.stop(t)
}

// hasLine reports whether one line of the log holds every part.
func hasLine(log string, parts ...string) bool {
	for _, l := range strings.Split(log, "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			return true
		}
	}
	return false
}
