package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
	"github.com/frontdesk/frontdesk/internal/syncbuffer"
)

// calls lists the calls of every chosen line: the table with a LINE
// column, the JSON with each call's line and account.
func TestCallsEveryLine(t *testing.T) {
	srv, url := officeSim(t)
	env := map[string]string{config.EnvConfig: officeConfig(t, url, leePIN)}
	srv.Ring(acmeDID, "6465550101", nil)
	srv.Ring(leeDID, "6465550102", nil)

	r := runWith(t, context.Background(), env, "calls")
	if r.code != exitOK {
		t.Fatalf("calls: exit %d, stderr %q", r.code, r.stderr)
	}
	rows := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "LINE ") ||
		!strings.HasPrefix(rows[1], "Acme Dental ") || !strings.Contains(rows[1], "(646) 555-0101") ||
		!strings.HasPrefix(rows[2], "Lee & Co ") || !strings.Contains(rows[2], "(646) 555-0102") {
		t.Errorf("calls with two lines:\n%s", r.stdout)
	}

	r = runWith(t, context.Background(), env, "calls", "--json")
	var got []cli.CallJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || r.code != exitOK {
		t.Fatalf("calls --json: exit %d, %v: %s", r.code, err, r.stdout)
	}
	want := map[string]string{"acme": "6465550101", "lee": "6465550102"}
	labels := map[string]string{"acme": "Acme Dental", "lee": "Lee & Co"}
	if len(got) != 2 {
		t.Fatalf("calls --json: %d calls, want 2: %s", len(got), r.stdout)
	}
	for _, c := range got {
		if want[c.Account] != c.Ani || labels[c.Account] != c.Line {
			t.Errorf("call %+v: want account %q's caller on line %q", c, c.Account, labels[c.Account])
		}
	}
}

// A line whose PIN is refused is named on standard error and makes the
// exit code 1; the other line's calls are still listed.
func TestCallsOneLineRefused(t *testing.T) {
	srv, url := officeSim(t)
	env := map[string]string{config.EnvConfig: officeConfig(t, url, "9999")}
	srv.Ring(acmeDID, "6465550101", nil)
	r := runWith(t, context.Background(), env, "calls")
	if r.code != exitFailure || !strings.Contains(r.stdout, "(646) 555-0101") || !strings.Contains(r.stderr, "Lee & Co: ") {
		t.Errorf("calls with Lee's PIN refused: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
}

// watch follows every chosen line, each event marked with its line.
func TestWatchEveryLine(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		srv, url := officeSim(t)
		env := map[string]string{config.EnvConfig: officeConfig(t, url, leePIN)}
		args := []string{"watch"}
		if asJSON {
			args = append(args, "--json")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var out, errOut syncbuffer.Buffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, args, sys{getenv: func(k string) string { return env[k] }, stdout: &out, stderr: &errOut,
				prompt: func(string) (string, error) { return "", config.ErrNoTerminal }})
		}()
		for _, did := range []string{acmeDID, leeDID} {
			if err := srv.WaitSubscribed(ctx, did, 1); err != nil {
				t.Fatalf("%s not subscribed: %v (stderr %q)", did, err, errOut.String())
			}
		}
		srv.Ring(acmeDID, "6465550101", nil)
		srv.Ring(leeDID, "6465550102", nil)
		seen := func() bool {
			if asJSON {
				var acme, lee bool
				for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
					var ev cli.WatchJSON
					if json.Unmarshal([]byte(l), &ev) != nil || ev.Event != "call" || ev.Call == nil {
						continue
					}
					acme = acme || ev.Account == "acme" && ev.Line == "Acme Dental" && ev.Call.Ani == "6465550101" && ev.Call.Account == "acme"
					lee = lee || ev.Account == "lee" && ev.Line == "Lee & Co" && ev.Call.Ani == "6465550102" && ev.Call.Account == "lee"
				}
				return acme && lee
			}
			var acme, lee bool
			for _, l := range strings.Split(out.String(), "\n") {
				acme = acme || strings.HasPrefix(l, "Acme Dental  ") && strings.Contains(l, "(646) 555-0101")
				lee = lee || strings.HasPrefix(l, "Lee & Co     ") && strings.Contains(l, "(646) 555-0102")
			}
			return acme && lee
		}
		waitFor(t, ctx, seen, func() string { return "stdout:\n" + out.String() + "\nstderr:\n" + errOut.String() })
		if e := errOut.String(); !strings.Contains(e, "Acme Dental: connection: live") || !strings.Contains(e, "Lee & Co: connection: live") {
			t.Errorf("watch --json=%v: connection lines not marked by line:\n%s", asJSON, e)
		}
		cancel()
		if code := <-done; code != exitOK {
			t.Errorf("watch --json=%v: exit %d, stderr %q", asJSON, code, errOut.String())
		}
	}
}

// dial places one call, so it still wants one line, and says which
// lines are chosen.
func TestDialWantsOneLine(t *testing.T) {
	srv, url := officeSim(t)
	env := map[string]string{config.EnvConfig: officeConfig(t, url, leePIN)}
	r := runWith(t, context.Background(), env, "dial", "6465551234")
	if r.code != exitUsage || !strings.Contains(r.stderr, "acme, lee") || !strings.Contains(r.stderr, "--account") {
		t.Errorf("dial with two lines: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := runWith(t, context.Background(), env, "dial", "--account", "lee", "6465551234"); r.code != exitOK {
		t.Errorf("dial --account lee: exit %d, stderr %q", r.code, r.stderr)
	}
	if calls := srv.Calls(leeDID); len(calls) != 1 || len(srv.Calls(acmeDID)) != 0 {
		t.Errorf("dial --account lee placed calls: lee %+v, acme %+v", calls, srv.Calls(acmeDID))
	}
}

// A line whose PIN is refused says so on standard error, marked with its
// label, while watch goes on with the other line.
func TestWatchOneLineRefused(t *testing.T) {
	srv, url := officeSim(t)
	env := map[string]string{config.EnvConfig: officeConfig(t, url, "9999")}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errOut syncbuffer.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"watch"}, sys{getenv: func(k string) string { return env[k] }, stdout: &out, stderr: &errOut,
			prompt: func(string) (string, error) { return "", config.ErrNoTerminal }})
	}()
	show := func() string { return "stdout:\n" + out.String() + "\nstderr:\n" + errOut.String() }
	waitFor(t, ctx, func() bool { return strings.Contains(errOut.String(), "Lee & Co: connection: reconnecting") }, show)
	if err := srv.WaitSubscribed(ctx, acmeDID, 1); err != nil {
		t.Fatal(err)
	}
	srv.Ring(acmeDID, "6465550101", nil)
	waitFor(t, ctx, func() bool {
		return strings.Contains(out.String(), "Acme Dental  ") && strings.Contains(out.String(), "(646) 555-0101")
	}, show)
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("watch with Lee's PIN refused, stopped: exit %d\n%s", code, show())
	}
}
