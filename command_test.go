package main

import (
	"context"
	"strings"
	"testing"
)

func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -F __start_frontdesk frontdesk",
		"zsh":  "#compdef frontdesk",
		"fish": "complete -c frontdesk",
	} {
		r := runWith(t, context.Background(), nil, "completion", shell)
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("completion %s: exit %d, stdout lacks %q (stderr %q)", shell, r.code, want, r.stderr)
		}
	}
	// The script completes from frontdesk itself: the commands come back.
	r := runWith(t, context.Background(), nil, "__complete", "ca")
	if r.code != exitOK || !strings.Contains(r.stdout, "calls") {
		t.Errorf("__complete ca: exit %d stdout %q", r.code, r.stdout)
	}
	if r := runWith(t, context.Background(), nil, "completion", "tcsh"); r.code != exitUsage {
		t.Errorf("completion tcsh: exit %d, want %d", r.code, exitUsage)
	}
}

func TestManPage(t *testing.T) {
	r := runWith(t, context.Background(), nil, "man")
	if r.code != exitOK {
		t.Fatalf("man: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{".TH FRONTDESK 1", ".SH NAME", "dial", "--pin-file", ".SH ENVIRONMENT", "FRONTDESK_PIN", ".SH EXIT STATUS"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("man page lacks %q", want)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	flag := runWith(t, context.Background(), nil, "--version")
	cmd := runWith(t, context.Background(), nil, "version")
	if flag.code != exitOK || flag.stdout != cmd.stdout || !strings.HasPrefix(flag.stdout, "frontdesk ") {
		t.Errorf("--version: exit %d %q; version: %q", flag.code, flag.stdout, cmd.stdout)
	}
}

func TestDidYouMean(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"call"}, `did you mean "calls"?`},
		{[]string{"help", "dail"}, `did you mean "dial"?`},
		{[]string{"calls", "--jsno"}, "did you mean --json?"},
		{[]string{"watch", "--direcotry", "x.csv"}, "did you mean --directory?"},
	}
	for _, tc := range cases {
		r := runWith(t, context.Background(), nil, tc.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("frontdesk %q: exit %d, stderr %q, want %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

func TestPinFlagExplains(t *testing.T) {
	srv, env := startSim(t)
	delete(env, "FRONTDESK_PIN")
	r := runWith(t, context.Background(), env, "calls", "--pin="+testPIN)
	if r.code != exitUsage {
		t.Fatalf("--pin: exit %d", r.code)
	}
	for _, want := range []string{"no --pin flag", "FRONTDESK_PIN", "--pin-file"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("--pin: stderr %q lacks %q", r.stderr, want)
		}
	}
	if st := srv.Stats(); st.Connections != 0 {
		t.Errorf("--pin reached the server: %+v", st)
	}
}

func TestDIDNotTenDigitsRefused(t *testing.T) {
	srv, env := startSim(t)
	for _, did := range []string{"646555100", "16465551000"} {
		env["FRONTDESK_USER"] = did
		for _, args := range [][]string{{"calls"}, {"dial", "6465551234"}, {"calls", "--user", did}} {
			r := runWith(t, context.Background(), env, args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, "not a DID") {
				t.Errorf("DID %s, frontdesk %q: exit %d, stderr %q", did, args, r.code, r.stderr)
			}
		}
	}
	if st := srv.Stats(); st.Connections != 0 {
		t.Errorf("a refused DID reached the server: %+v", st)
	}
}

func TestFlagsFollowSettingsUsed(t *testing.T) {
	cases := []struct {
		cmd       string
		has, lack []string
	}{
		{"calls", []string{"--directory", "--user"}, []string{"--history", "--hold-warn", "--log "}},
		{"watch", []string{"--directory", "--json"}, []string{"--history", "--bell"}},
		{"dial", []string{"--directory", "--server"}, []string{"--history", "--notify"}},
		{"serve", []string{"--directory", "--history", "--hold-warn", "--quiet", "--authorized-keys"}, []string{"--json"}},
		{"messages", []string{"--history", "--all", "--account", "--user"}, []string{"--server", "--pin-file", "--directory", "--hold-warn"}},
		{"demo", []string{"--hold-warn", "--log"}, []string{"--user", "--directory", "--history"}},
	}
	for _, tc := range cases {
		r := runWith(t, context.Background(), nil, tc.cmd, "--help")
		for _, f := range tc.has {
			if !strings.Contains(r.stdout, "  "+f) {
				t.Errorf("%s --help lacks %s", tc.cmd, f)
			}
		}
		for _, f := range tc.lack {
			if strings.Contains(r.stdout, "  "+f) {
				t.Errorf("%s --help lists %s, which it does not use", tc.cmd, f)
			}
		}
		for _, want := range []string{"Examples:", "Exit status:", "  2  "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s --help lacks %q", tc.cmd, want)
			}
		}
	}
}

func TestSingleDashFlags(t *testing.T) {
	_, env := startSim(t)
	r := runWith(t, context.Background(), env, "calls", "-json")
	if r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("calls -json: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

// Every command's page has what a manual page has, and "help COMMAND"
// shows the same page as "COMMAND --help".
func TestEveryCommandHasItsPage(t *testing.T) {
	for _, c := range commands()[1:] {
		r := runWith(t, context.Background(), nil, c.name, "--help")
		h := runWith(t, context.Background(), nil, "help", c.name)
		if r.code != exitOK || h.code != exitOK || r.stdout != h.stdout {
			t.Errorf("%s: --help exit %d, help exit %d, same page %v", c.name, r.code, h.code, r.stdout == h.stdout)
		}
		for _, want := range []string{"Usage: frontdesk " + c.name, "Examples:", "Exit status:", "  0  ", "  2  "} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s --help lacks %q", c.name, want)
			}
		}
	}
}
