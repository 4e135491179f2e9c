package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
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
		if helpSection(r.stdout, "EXAMPLES") == "" || !strings.Contains(helpSection(r.stdout, "EXIT STATUS"), "  2  ") {
			t.Errorf("%s --help lacks its examples or exit status 2:\n%s", tc.cmd, r.stdout)
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
		if usage := helpSection(r.stdout, "USAGE"); !strings.HasPrefix(strings.TrimSpace(usage), "frontdesk "+c.name) {
			t.Errorf("%s --help: usage %q", c.name, usage)
		}
		exits := helpSection(r.stdout, "EXIT STATUS")
		for _, want := range []string{"  0  ", "  2  "} {
			if !strings.Contains(exits, want) {
				t.Errorf("%s --help: exit status %q lacks %q", c.name, exits, want)
			}
		}
		if helpSection(r.stdout, "EXAMPLES") == "" {
			t.Errorf("%s --help has no examples", c.name)
		}
	}
}

// Through a pipe every page is clean text: no line ends in a space or a
// tab (fang pads its blocks to the terminal's width), and every section is
// still there.
func TestHelpPipedHasNoTrailingBlanks(t *testing.T) {
	all := []string{"USAGE", "EXAMPLES", "FLAGS", "ENVIRONMENT", "FILES", "EXIT STATUS"}
	pages := map[string][]string{
		"help":                   append([]string{"COMMANDS"}, all...),
		"--help":                 append([]string{"COMMANDS"}, all...),
		"help help":              {"USAGE", "FLAGS"},
		"man -h":                 {"USAGE", "FLAGS"},
		"completion":             {"USAGE", "COMMANDS", "FLAGS"},
		"completion bash --help": {"USAGE", "FLAGS"},
	}
	root := newRoot(sys{}, newHelpPages())
	for _, c := range commands()[1:] {
		want := []string{"USAGE", "EXAMPLES", "FLAGS", "EXIT STATUS"}
		if cc, _, err := root.Find([]string{c.name}); err != nil || len(environment(cc, c)) > 0 {
			want = append(want, "ENVIRONMENT")
		}
		if len(c.files) > 0 {
			want = append(want, "FILES")
		}
		pages[c.name+" --help"] = want
		pages["help "+c.name] = want
	}
	for args, want := range pages {
		r := runWith(t, context.Background(), nil, strings.Fields(args)...)
		if r.code != exitOK {
			t.Errorf("%s: exit %d, stderr %q", args, r.code, r.stderr)
			continue
		}
		for i, line := range strings.Split(r.stdout, "\n") {
			if strings.TrimRight(line, " \t") != line {
				t.Errorf("%s: line %d ends in blanks: %q", args, i+1, line)
			}
		}
		for _, title := range want {
			if !strings.Contains(r.stdout, "\n  "+title+"\n\n") {
				t.Errorf("%s: no %s section:\n%s", args, title, r.stdout)
			}
		}
	}
}

// helpSection is the text under a section's title in a plain help page,
// up to the next title.
func helpSection(page, title string) string {
	var rows []string
	in := false
	for _, line := range strings.Split(page, "\n") {
		if t := strings.TrimSpace(line); strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && t != "" && t == strings.ToUpper(t) {
			in = t == title
			continue
		}
		if in && strings.TrimSpace(line) != "" {
			rows = append(rows, line)
		}
	}
	return strings.Join(rows, "\n")
}

// On a terminal the help page is styled, all of it, fang's part and the
// sections frontdesk adds; through a pipe it is the same text, plain;
// NO_COLOR leaves it without colours.
func TestHelpStyledOnTerminal(t *testing.T) {
	t.Setenv("TERM", "xterm-256color")
	t.Setenv("NO_COLOR", "")
	styled := helpOnTerminal(t, "calls", "--help")
	plain := runWith(t, context.Background(), nil, "calls", "--help").stdout

	if strings.Contains(plain, "\x1b") {
		t.Errorf("help through a pipe has escape codes:\n%q", plain)
	}
	_, added, ok := strings.Cut(styled, "ENVIRONMENT")
	if !strings.Contains(styled, "\x1b[") || !ok || !strings.Contains(added, "\x1b[38;") {
		t.Errorf("help on a terminal is not styled in colour to the end:\n%q", styled)
	}
	// The terminal's code blocks have padding above and below.
	if got := textOf(ansi.Strip(styled)); got != textOf(plain) {
		t.Errorf("help on a terminal says something else than through a pipe:\nterminal:\n%s\npipe:\n%s", got, plain)
	}

	t.Setenv("NO_COLOR", "1")
	if noColor := helpOnTerminal(t, "calls", "--help"); strings.Contains(noColor, "\x1b[38;") || textOf(ansi.Strip(noColor)) != textOf(plain) {
		t.Errorf("NO_COLOR help has colours or other text:\n%q", noColor)
	}
}

// helpOnTerminal runs frontdesk with its standard output on a
// pseudo-terminal and returns what the terminal received.
func helpOnTerminal(t *testing.T, args ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	read := make(chan struct{})
	go func() {
		_, _ = io.Copy(&got, ptmx) // ends with EIO once the terminal is closed
		close(read)
	}()
	var errOut bytes.Buffer
	code := run(context.Background(), args, sys{
		getenv: func(string) string { return "" },
		stdout: tty,
		stderr: &errOut,
	})
	tty.Close()
	<-read
	if code != exitOK {
		t.Fatalf("frontdesk %q on a terminal: exit %d, stderr %q", args, code, errOut.String())
	}
	return strings.ReplaceAll(got.String(), "\r\n", "\n")
}

// textOf is a page's lines that have text, without trailing spaces.
func textOf(page string) string {
	var lines []string
	for _, l := range strings.Split(page, "\n") {
		if l = strings.TrimRight(l, " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// A line may come in pieces; the last one may have no newline.
func TestLineTrimmer(t *testing.T) {
	var out bytes.Buffer
	w := &lineTrimmer{out: &out}
	for _, p := range []string{"  a  ", "b \t\n", "   \n\n\tc", " d  \t"} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	w.flush()
	if got, want := out.String(), "  a  b\n\n\n\tc d"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
