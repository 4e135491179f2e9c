package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/consoletest"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
	"github.com/frontdesk/frontdesk/store/sqlite"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
	"github.com/frontdesk/frontdesk/tui"
)

// A shared office: two companies' phones, each its own account and DID,
// answered in one console.
const (
	acmeDID, acmePIN = "2125550100", "1111"
	leeDID, leePIN   = "2125550200", "2222"
	// orthoNumber is a number that rings Acme's phone and has a [[line]]
	// of its own.
	orthoNumber = "2125550000"
)

// officeSim starts a simulator with the two accounts, numbering each
// account's calls on its own so that both have a call 65885.
func officeSim(t *testing.T) (*skysim.Server, string) {
	t.Helper()
	srv := skysim.New(skysim.Config{
		Accounts:         []skysim.Account{{DID: acmeDID, PIN: acmePIN}, {DID: leeDID, PIN: leePIN}},
		DialConnectDelay: -1,
		IDsPerAccount:    true,
	})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, url
}

// officeConfig writes a config file for the office with the given PIN in
// lee's PIN file, and returns its path.
func officeConfig(t *testing.T, url, leeFilePIN string) string {
	t.Helper()
	dir := t.TempDir()
	for name, pin := range map[string]string{"acme.pin": acmePIN, "lee.pin": leeFilePIN} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(pin+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "config.toml")
	text := fmt.Sprintf(`
server = %q
lines = ["acme", "lee"]

[[account]]
name = "acme"
user = %q
pin_file = "acme.pin"
label = "Acme Dental"
greeting = "Good morning, Acme Dental"

[[account]]
name = "lee"
user = %q
pin_file = "lee.pin"
label = "Lee & Co"
greeting = "Lee and Company, good morning"

[[line]]
number = "(212) 555-0000"
label = "Acme Ortho"
greeting = "Acme Orthodontics, how may I help?"
`, url, acmeDID, leeDID)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// runOffice runs `frontdesk` with env, drives its console with body and
// returns what the command printed on standard error once the console
// ends, and its exit code.
func runOffice(t *testing.T, env map[string]string, body func(ctx context.Context, d *consoletest.Driver, screen func(...string))) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	orig := runConsole
	t.Cleanup(func() { runConsole = orig })
	runConsole = func(ctx context.Context, opts tui.Options) error {
		d := consoletest.New(tui.New(opts), 120, 30, consoletest.Options{})
		defer d.Close()
		screen := screenShows(t, ctx, d)
		body(ctx, d, screen)
		return nil
	}
	r := runWith(t, ctx, env)
	if strings.Contains(r.stderr, acmePIN) || strings.Contains(r.stderr, leePIN) {
		t.Errorf("a PIN was printed: %q", r.stderr)
	}
	return r
}

var space = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}

// answers returns the answer commands the simulator received, in order.
func answers(srv *skysim.Server) []skysim.CommandRecord {
	var out []skysim.CommandRecord
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdAnswer {
			out = append(out, r)
		}
	}
	return out
}

// subscribedOn is the stream each DID subscribed on.
func subscribedOn(srv *skysim.Server) map[string]int {
	out := map[string]int{}
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdSubscribe && r.Error == 0 {
			out[r.User] = r.Stream
		}
	}
	return out
}

func callState(srv *skysim.Server, did, id string) string {
	for _, c := range srv.Calls(did) {
		if c.ID == id {
			return c.State
		}
	}
	return ""
}

// TestSeveralLinesInOneConsole: both accounts subscribed on their own
// streams, calls labelled by line (and by the [[line]] of the number
// dialled), Space answering the caller ringing longest on whichever line,
// each answer on its own account's stream, the greeting shown first.
func TestSeveralLinesInOneConsole(t *testing.T) {
	srv, url := officeSim(t)
	env := map[string]string{config.EnvConfig: officeConfig(t, url, leePIN), config.EnvHistory: filepath.Join(t.TempDir(), "history.db")}
	r := runOffice(t, env, func(ctx context.Context, d *consoletest.Driver, screen func(...string)) {
		screen("Acme Dental ● live", "Lee & Co ● live")
		if err := srv.WaitSubscribed(ctx, acmeDID, 1); err != nil {
			t.Fatal(err)
		}
		if err := srv.WaitSubscribed(ctx, leeDID, 1); err != nil {
			t.Fatal(err)
		}
		streams := subscribedOn(srv)
		if streams[acmeDID] == streams[leeDID] || streams[acmeDID] == 0 {
			t.Fatalf("subscribed on streams %v: want one stream per account", streams)
		}

		// Lee's caller rings first, then a caller to the orthodontist's
		// number on Acme's phone, with the same call Id.
		leeCall := srv.Ring(leeDID, "6465550101", nil)
		screen("(646) 555-0101", "Lee & Co", "space ☎ Lee & Co: “Lee and Company, good morning”")
		ortho := orthoNumber
		acmeCall := srv.Ring(acmeDID, "6465550102", &ortho)
		if acmeCall != leeCall {
			t.Fatalf("call Ids %s and %s: the test wants the same Id on both lines", acmeCall, leeCall)
		}
		screen("(646) 555-0102", "Acme Ortho")

		// Space answers the caller ringing longest: Lee's, on Lee's stream.
		d.Send(space)
		waitFor(t, ctx, func() bool { return callState(srv, leeDID, leeCall) == skysim.StateConnected },
			func() string { return d.View().Content })
		if got := callState(srv, acmeDID, acmeCall); got != skysim.StateRinging {
			t.Fatalf("Acme's call with the same Id is %s, want still ringing", got)
		}
		// Now Acme's caller is next, greeted as the number they dialled.
		screen("space ☎ Acme Ortho: “Acme Orthodontics, how may I help?”")
		d.Send(space)
		waitFor(t, ctx, func() bool { return callState(srv, acmeDID, acmeCall) == skysim.StateConnected },
			func() string { return d.View().Content })
		// The greeting stays a moment after answering.
		screen("✓ answered · Acme Ortho: “Acme Orthodontics, how may I help?”")

		// Each line's ended call is stored on its own account.
		srv.SetState(leeDID, leeCall, skysim.StateDeleted)
		srv.SetState(acmeDID, acmeCall, skysim.StateDeleted)
		storedOn := func(did string) int {
			db, err := sqlite.Open(env[config.EnvHistory], sqlite.ReadOnly())
			if err != nil {
				return 0
			}
			defer db.Close()
			rows, _ := db.Calls(context.Background(), store.Scope{Accounts: []string{did}}, model.CallQuery{})
			return len(rows)
		}
		waitFor(t, ctx, func() bool { return storedOn(leeDID) == 1 && storedOn(acmeDID) == 1 },
			func() string { return fmt.Sprintf("stored: Lee %d, Acme %d", storedOn(leeDID), storedOn(acmeDID)) })

		got := answers(srv)
		if len(got) != 2 {
			t.Fatalf("answers sent: %+v, want 2", got)
		}
		for i, want := range []string{leeDID, acmeDID} {
			r := got[i]
			if r.User != want || r.Args[0] != leeCall || r.Stream != streams[want] || r.Error != 0 {
				t.Errorf("answer %d: user %s call %v on stream %d (error %d), want %s's call %s on its stream %d",
					i, r.User, r.Args, r.Stream, r.Error, want, leeCall, streams[want])
			}
		}
	})
	if r.code != exitOK {
		t.Fatalf("frontdesk: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestOneLineRefusedOtherLive: Lee's PIN is wrong; Lee's line says so in
// the header and Acme's goes on working. The PIN typed again at the
// console goes to Lee's line, which then comes up.
func TestOneLineRefusedOtherLive(t *testing.T) {
	srv, url := officeSim(t)
	env := map[string]string{config.EnvConfig: officeConfig(t, url, "9999"), config.EnvHistory: filepath.Join(t.TempDir(), "history.db")}
	r := runOffice(t, env, func(ctx context.Context, d *consoletest.Driver, screen func(...string)) {
		screen("Acme Dental ● live", "Lee & Co ✗ DID or PIN refused")
		id := srv.Ring(acmeDID, "6465550103", nil)
		screen("(646) 555-0103", "space ☎ Acme Dental: “Good morning, Acme Dental”")
		d.Send(space)
		waitFor(t, ctx, func() bool { return callState(srv, acmeDID, id) == skysim.StateConnected },
			func() string { return d.View().Content })
		screen("● connected")
		if n := srv.Stats().Subscribers[leeDID]; n != 0 {
			t.Errorf("Lee's refused line has %d subscriptions", n)
		}

		d.Send(tea.KeyPressMsg{Code: 'p', Text: "p"})
		screen("refused the DID or PIN of Lee & Co")
		for _, r := range leePIN {
			d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
		d.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
		screen("Acme Dental ● live", "Lee & Co ● live")
		if err := srv.WaitSubscribed(ctx, leeDID, 1); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(d.View().Content, leePIN) {
			t.Error("the typed PIN is on screen")
		}
	})
	if r.code != exitOK {
		t.Errorf("frontdesk: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestServeKeyOnTwoAccounts: over `frontdesk serve`, a key listed in both
// accounts gets one console of both lines through a real SSH client; each
// account has one upstream, and Space answers on the right one.
func TestServeKeyOnTwoAccounts(t *testing.T) {
	srv, url := officeSim(t)
	cfg := officeConfig(t, url, leePIN)
	dir := filepath.Dir(cfg)
	signers, pubs := sshKeys(t, "alice")
	signer, pub := signers["alice"], pubs["alice"]
	// The same key in both [[account]] entries; no lines at the top level.
	text, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	withKeys := strings.Replace(string(text), `lines = ["acme", "lee"]`, "", 1)
	withKeys = strings.ReplaceAll(withKeys, `pin_file = "acme.pin"`, `pin_file = "acme.pin"`+"\nkeys = [\""+pub+"\"]")
	withKeys = strings.ReplaceAll(withKeys, `pin_file = "lee.pin"`, `pin_file = "lee.pin"`+"\nkeys = [\""+pub+"\"]")
	if err := os.WriteFile(cfg, []byte(withKeys), 0o600); err != nil {
		t.Fatal(err)
	}
	ak := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(ak, []byte(pub+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	served := startServe(t, dir, cfg, ak, "--history", filepath.Join(dir, "history.db"))
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	addr := served.addr

	desk := openServeConsole(t, addr, signer)
	screen := func(s string) {
		t.Helper()
		waitFor(t, wctx, func() bool { return strings.Contains(desk.screen.String(), s) }, desk.screen.String)
	}
	screen("Acme Dental ● live")
	screen("Lee & Co ● live")
	for _, did := range []string{acmeDID, leeDID} {
		if err := srv.WaitSubscribed(wctx, did, 1); err != nil {
			t.Fatal(err)
		}
	}
	streams := subscribedOn(srv)

	leeCall := srv.Ring(leeDID, "6465550101", nil)
	screen("Lee and Company, good morning")
	ortho := orthoNumber
	acmeCall := srv.Ring(acmeDID, "6465550102", &ortho)
	screen("(646) 555-0102")
	if _, err := io.WriteString(desk.keys, " "); err != nil {
		t.Fatal(err)
	}
	waitFor(t, wctx, func() bool { return callState(srv, leeDID, leeCall) == skysim.StateConnected }, desk.screen.String)
	if got := callState(srv, acmeDID, acmeCall); got != skysim.StateRinging {
		t.Fatalf("Acme's call with the same Id is %s, want still ringing", got)
	}
	// Space again once the console has Lee's caller connected and greets
	// Acme's as next (until then a second Space is absorbed as a repeat).
	screen("Acme Orthodontics, how may I help?")
	if _, err := io.WriteString(desk.keys, " "); err != nil {
		t.Fatal(err)
	}
	waitFor(t, wctx, func() bool { return callState(srv, acmeDID, acmeCall) == skysim.StateConnected }, desk.screen.String)

	got := answers(srv)
	if len(got) != 2 || got[0].User != leeDID || got[0].Stream != streams[leeDID] ||
		got[1].User != acmeDID || got[1].Stream != streams[acmeDID] || streams[acmeDID] == streams[leeDID] {
		t.Errorf("answers %+v on streams %v: want Lee's then Acme's, each on its account's stream", got, streams)
	}
	// One upstream per account, whatever the number of consoles.
	if st := srv.Stats(); st.Subscribers[acmeDID] != 1 || st.Subscribers[leeDID] != 1 {
		t.Errorf("subscribers %v, want one per account", st.Subscribers)
	}

	served.stop(t)
	if log := served.log.String(); strings.Contains(log, acmePIN) || strings.Contains(log, leePIN) {
		t.Error("serve logged a PIN")
	}
}
