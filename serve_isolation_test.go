package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/frontdesk/frontdesk/transport/skysim"
)

// serveTwoDesks runs `frontdesk serve` with two [[account]] entries, front
// (testDID, alice's key) and back (did2, bob's key), on one history
// database, and returns the simulator, the server, the keys and the config
// path.
func serveTwoDesks(t *testing.T, did2 string) (sim *skysim.Server, served *servedDesk, signers map[string]gossh.Signer, cfg string) {
	t.Helper()
	sim = skysim.New(skysim.Config{Accounts: []skysim.Account{{DID: testDID, PIN: testPIN}, {DID: did2, PIN: testPIN}}, DialConnectDelay: -1})
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	dir := t.TempDir()
	signers, pubs := sshKeys(t, "alice", "bob")
	write := fileWriter(t, dir)
	write("desk.pin", testPIN+"\n")
	cfg = write("config.toml", "server = \""+url+"\"\nhistory = \""+filepath.Join(dir, "history.db")+"\"\n\n"+
		"[[account]]\nname = \"front\"\nuser = \""+testDID+"\"\npin_file = \"desk.pin\"\nkeys = [\""+pubs["alice"]+"\"]\n\n"+
		"[[account]]\nname = \"back\"\nuser = \""+did2+"\"\npin_file = \"desk.pin\"\nkeys = [\""+pubs["bob"]+"\"]\n")
	ak := write("authorized_keys", pubs["alice"]+"\n"+pubs["bob"]+"\n")

	return sim, startServe(t, dir, cfg, ak), signers, cfg
}

// Two accounts served by one `frontdesk serve` on one database, with no
// top-level account: a missed call and a message on one are not seen on
// the other, in its consoles or in `frontdesk messages --account`.
func TestServeKeepsAccountsApart(t *testing.T) {
	const did2 = "6465552000"
	sim, served, signers, cfg := serveTwoDesks(t, did2)
	addr, errOut := served.addr, served.log
	send := func(c *serveConsole, keys string) {
		t.Helper()
		if _, err := io.WriteString(c.keys, keys); err != nil {
			t.Fatalf("typing %q: %v", keys, err)
		}
	}
	shows := func(c *serveConsole, text string) {
		t.Helper()
		waitStep(t, func() bool { return strings.Contains(ansi.Strip(c.screen.String()), text) }, func() string {
			return ansi.Strip(c.screen.String()) + "\n" + errOut.String()
		})
	}

	alice := openServeConsole(t, addr, signers["alice"])
	bob := openServeConsole(t, addr, signers["bob"])
	shows(alice, "● live")
	shows(bob, "● live")

	// A caller rings the front desk and gives up.
	id := sim.Ring(testDID, "2125550187", nil)
	shows(alice, "(212) 555-0187")
	sim.SetState(testDID, id, "DELETED")
	shows(alice, "1 missed")

	// alice takes a message for the front desk from the Calls view, then
	// looks at Messages the other way round, past Today.
	send(alice, "m")
	shows(alice, "the message")
	send(alice, "Dana\t\t\tPlease call the courier back")
	send(alice, "\x13") // ctrl+s
	shows(alice, "Message for Dana saved")
	send(alice, "\x1b[Z") // shift+tab: Calls → Today
	shows(alice, "█ calls")
	send(alice, "\x1b[Z") // Today → Messages
	shows(alice, "MESSAGES · 1 open")

	// The badge is kept with the account: a new front-desk console counts
	// the missed call too.
	again := openServeConsole(t, addr, signers["alice"])
	shows(again, "1 missed")

	// bob, on the back desk, sees neither; his History view is his own.
	send(bob, "\t")
	shows(bob, "HISTORY")
	send(bob, "\t")
	shows(bob, "MESSAGES · 0 open")
	if s := ansi.Strip(bob.screen.String()); strings.Contains(s, "✗ missed") || strings.Contains(s, "courier") || strings.Contains(s, "555-0187") {
		t.Fatalf("the back desk shows the front desk's call or message:\n%s", s)
	}

	// `frontdesk messages` per account.
	r := runWith(t, context.Background(), nil, "messages", "--config", cfg, "--account", "back", "--json")
	if r.code != exitOK || strings.Contains(r.stdout, "courier") {
		t.Fatalf("messages --account back: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runWith(t, context.Background(), nil, "messages", "--config", cfg, "--account", "front", "--json")
	if r.code != exitOK || !strings.Contains(r.stdout, "courier") {
		t.Fatalf("messages --account front: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	served.stop(t)
}
