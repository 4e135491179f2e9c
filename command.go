package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"charm.land/fang/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
	mcobra "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/frontdesk/frontdesk/cli"
	"github.com/frontdesk/frontdesk/config"
)

// This file turns the commands() table into the cobra command tree that
// fang runs, and holds what every command shares: the help page, the
// errors for a mistyped command line, and the exit codes.

// command is one sub-command: its help page and its body. A new command
// is one more entry in commands().
type command struct {
	name     string // "" is the console itself
	args     string // positional arguments, for the usage line
	summary  string
	about    string   // paragraphs after the summary
	examples []string // command lines; a line "# what" says what the next one does
	env      []string // "NAME\twhat" read besides the flags' variables
	files    []string // "path\twhat"
	exits    []string // "code\twhat"; usageExit is added
	flags    func(fs *pflag.FlagSet) body
}

// body runs a command with its positional arguments. It prints its own
// errors and returns the exit code.
type body func(ctx context.Context, pos []string, s sys) int

// usageExit is the line every command's exit codes end with.
const usageExit = "2\tthe command line or the settings are wrong; nothing was sent"

// run runs frontdesk with args (without the program name) and returns the
// exit code.
func run(ctx context.Context, args []string, s sys) int {
	args = longFlags(args)
	pages := newHelpPages()
	root := newRoot(s, pages)
	// The command's name comes first: "frontdesk --user X calls" is the
	// console with a stray argument, not calls.
	if len(args) > 0 && strings.HasPrefix(args[0], "-") {
		if c, _, err := root.Find(args); err == nil && c != root {
			fmt.Fprintf(s.stderr, "frontdesk: unknown command %q\nRun 'frontdesk help' for the commands.\n", c.Name())
			return exitUsage
		}
	}
	// fang's help function is the root's own, so "frontdesk --help" is
	// "frontdesk help", which adds the console's environment, files and
	// exit status to fang's page as every other command's page does.
	if c, _, err := root.Find(args); err == nil && c == root && asksHelp(args) {
		args = []string{"help"}
	}
	root.SetArgs(args)
	info, _ := debug.ReadBuildInfo()
	err := fang.Execute(ctx, root,
		fang.WithVersion(cli.Version(version, info)),
		fang.WithColorSchemeFunc(pages.colorScheme),
		fang.WithoutManpage(), // man below writes to the command's output
		fang.WithErrorHandler(func(w io.Writer, _ fang.Styles, err error) {
			var code exitError
			if !errors.As(err, &code) {
				fmt.Fprintln(w, err)
			}
		}),
	)
	var code exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &code):
		return int(code)
	default:
		return exitUsage
	}
}

// asksHelp reports whether args hold -h or --help before any "--".
func asksHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help":
			return true
		}
	}
	return false
}

// exitError is a body's exit code other than 0; the body has said why.
type exitError int

func (e exitError) Error() string { return "exit status " + strconv.Itoa(int(e)) }

// mistake is a mistake on the command line, said in full: what is wrong
// and where to read more.
type mistake string

func (m mistake) Error() string { return string(m) }

// badCommandLine is a mistake in c's flags or arguments.
func badCommandLine(c *cobra.Command, format string, args ...any) error {
	return mistake(fmt.Sprintf("%s: %s\nRun '%s --help' for usage.", c.CommandPath(), fmt.Sprintf(format, args...), c.CommandPath()))
}

// longFlags reads "-json" as "--json", as frontdesk always has; pflag
// would take it for the shorthands -j -s -o -n. Arguments after "--" stay.
func longFlags(args []string) []string {
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' && (a[1] >= 'a' && a[1] <= 'z') {
			out[i] = "-" + a
		}
	}
	return out
}

// newRoot builds the command tree: the console at the root, every other
// entry of commands() under it, then help and man.
func newRoot(s sys, pages *helpPages) *cobra.Command {
	cobra.EnableCommandSorting = false // the order of commands()
	var root *cobra.Command
	for _, c := range commands() {
		cc := &cobra.Command{
			Use:   strings.TrimSpace(c.name + " " + c.args),
			Short: c.summary,
			Long:  longText(c),
			// Bodies check their own positional arguments.
			Args:                  cobra.ArbitraryArgs,
			DisableFlagsInUseLine: true,
			Annotations:           map[string]string{},
		}
		b := c.flags(cc.Flags())
		cc.Example = strings.Join(c.examples, "\n")
		cc.RunE = func(cmd *cobra.Command, pos []string) error {
			if code := b(cmd.Context(), pos, s); code != exitOK {
				return exitError(code)
			}
			return nil
		}
		if root == nil {
			cc.Use = "frontdesk"
			cc.Short = "a terminal receptionist console for the ShoreTel Sky Hosted API"
			cc.Long = "frontdesk is " + cc.Short + ". Without a command, it runs " + c.summary + ".\n\n" + c.about
			cc.Args = unknownCommand
			root = cc
			continue
		}
		cc.SetHelpFunc(func(cmd *cobra.Command, _ []string) { pages.show(cmd, c) })
		root.AddCommand(cc)
	}
	root.SetOut(s.stdout)
	root.SetErr(s.stderr)
	root.SetFlagErrorFunc(flagError)
	root.SuggestionsMinimumDistance = 2
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetHelpCommand(helpCommand(pages))
	root.AddCommand(manCommand())
	// Here rather than as cobra runs, so that help lists them.
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	if c, _, err := root.Find([]string{"completion"}); err == nil {
		c.Short = "print the shell completion script (bash, zsh, fish or powershell)"
		// Runnable, so that an unknown shell is a mistake (exit 2) rather
		// than a request for help.
		c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	}
	for _, name := range []string{"help", "man", "completion"} {
		if c, _, err := root.Find([]string{name}); err == nil && c != root {
			c.SetHelpFunc(showFang) // the shells' commands under completion inherit it
		}
	}
	return root
}

// longText is the description man and help print: the summary as a
// sentence, then the paragraphs about the command.
func longText(c command) string {
	t := strings.ToUpper(c.summary[:1]) + c.summary[1:] + "."
	if c.about != "" {
		t += "\n\n" + c.about
	}
	return t
}

// unknownCommand refuses arguments to the console: they are a command
// mistyped, and cobra found none of that name.
func unknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	return commandNotFound(c, args[0])
}

func commandNotFound(root *cobra.Command, name string) error {
	msg := fmt.Sprintf("frontdesk: unknown command %q", name)
	if s := root.SuggestionsFor(name); len(s) > 0 {
		msg += fmt.Sprintf(": did you mean %q?", s[0])
	}
	return mistake(msg + "\nRun 'frontdesk help' for the commands.")
}

// pinAdvice answers --pin: the flag does not exist on purpose.
const pinAdvice = "there is no --pin flag: a command line is visible to every user of the machine (ps). " +
	"Set " + config.EnvPIN + ", or pass --pin-file FILE (mode 0600), or set pin_file in config.toml; " +
	"on a terminal frontdesk asks for the PIN"

// flagError says what is wrong with a flag, in the words frontdesk has
// always used, with the nearest flag when one was mistyped.
func flagError(c *cobra.Command, err error) error {
	var missing *pflag.NotExistError
	var invalid *pflag.InvalidValueError
	switch {
	case errors.As(err, &missing) && missing.GetSpecifiedName() == "pin":
		return badCommandLine(c, "%s", pinAdvice)
	case errors.As(err, &missing) && missing.GetSpecifiedName() != "":
		name := missing.GetSpecifiedName()
		msg := "flag provided but not defined: -" + name
		if near := nearestFlag(c, name); near != "" {
			msg += fmt.Sprintf(" (did you mean --%s?)", near)
		}
		return badCommandLine(c, "%s", msg)
	case errors.As(err, &invalid):
		f := invalid.GetFlag()
		what, why := "value", errors.Unwrap(invalid)
		var num *strconv.NumError
		switch {
		case f.Value.Type() == "bool":
			what, why = "boolean value", errors.New("want true or false")
		case errors.As(why, &num):
			why = errors.New("want a number")
		}
		return badCommandLine(c, "invalid %s %q for --%s: %v", what, invalid.GetValue(), f.Name, why)
	}
	return badCommandLine(c, "%v", err)
}

// nearestFlag is the command's flag closest to a mistyped name: one it
// starts, or one at most two edits away.
func nearestFlag(c *cobra.Command, name string) string {
	best, bestDist := "", 3
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := editDistance(name, f.Name)
		if strings.HasPrefix(f.Name, name) {
			d = 1
		}
		if d < bestDist {
			best, bestDist = f.Name, d
		}
	})
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// helpCommand is "frontdesk help [COMMAND]": the same page as
// "COMMAND --help".
func helpCommand(pages *helpPages) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "help for a command",
		Args:  cobra.MaximumNArgs(1),
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			for _, sub := range c.Root().Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			if len(args) == 0 {
				root.InitDefaultHelpFlag()
				root.InitDefaultVersionFlag()
				pages.show(root, commands()[0])
				return nil
			}
			found, _, err := root.Find(args)
			if err != nil || found == root {
				return commandNotFound(root, args[0])
			}
			// As cobra's help command does: the page lists -h as the
			// command's --help shows it.
			found.InitDefaultHelpFlag()
			return found.Help()
		},
	}
}

// manCommand is "frontdesk man": the manual page, in roff, on standard
// output.
func manCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "man",
		Short: "print the manual page (roff); e.g. frontdesk man | man -l -",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			root := c.Root()
			page, err := mcobra.NewManPage(1, root)
			if err != nil {
				return err
			}
			console := commands()[0]
			page = page.
				WithSection("Environment", strings.Join(tabbed(environment(root, console)), "\n")).
				WithSection("Files", strings.Join(tabbed(console.files), "\n")).
				WithSection("Exit status", strings.Join(tabbed(exits(console)), "\n"))
			if _, err := fmt.Fprint(c.OutOrStdout(), page.Build(roff.NewDocument())); err != nil {
				return exitError(exitFailure)
			}
			return nil
		},
	}
}

// tabbed turns "name\twhat" rows into "name: what" lines.
func tabbed(rows []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = strings.Replace(r, "\t", ": ", 1)
	}
	return out
}

// environment lists the variables a command reads: those standing for its
// flags, then its own.
func environment(c *cobra.Command, page command) []string {
	var rows []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if env := f.Annotations[config.EnvAnnotation]; len(env) > 0 {
			rows = append(rows, env[0]+"\tas --"+f.Name)
		}
	})
	return append(rows, page.env...)
}

func exits(page command) []string {
	return append(append([]string{}, page.exits...), usageExit)
}

// helpPages draws the help pages: fang's page (description, usage,
// examples, commands, flags), then the sections of a manual page fang does
// not draw (environment, files, exit status) in fang's colours. Appending
// keeps a page in the order of a manual page, and leaves Long the
// description that man prints as such.
type helpPages struct {
	// scheme is the one fang picked for this run (it asks the terminal
	// for its background), caught by its ColorSchemeFunc.
	scheme fang.ColorScheme
}

func newHelpPages() *helpPages {
	return &helpPages{scheme: fang.DefaultColorScheme(lipgloss.LightDark(true))}
}

// colorScheme is fang's default scheme, kept for the added sections.
func (h *helpPages) colorScheme(c lipgloss.LightDarkFunc) fang.ColorScheme {
	h.scheme = fang.DefaultColorScheme(c)
	return h.scheme
}

// show writes c's page. The root's help function is fang's, which every
// command would inherit.
func (h *helpPages) show(c *cobra.Command, page command) {
	defer plainOutput(c)()
	c.Root().HelpFunc()(c, nil)
	// As fang does: styled on a terminal, plain text through a pipe, no
	// colours under NO_COLOR.
	w := colorprofile.NewWriter(c.OutOrStdout(), os.Environ())
	width := helpWidth(c.OutOrStdout())
	h.section(w, width, "environment", environment(c, page))
	h.section(w, width, "files", page.files)
	h.section(w, width, "exit status", exits(page))
}

// showFang writes fang's page alone, for the commands frontdesk does not
// describe itself (help, man, completion).
func showFang(c *cobra.Command, _ []string) {
	defer plainOutput(c)()
	c.Root().HelpFunc()(c, nil)
}

// plainOutput makes c's output drop the spaces that end each line when
// it is not a terminal (as fang's colour profile decides), and returns
// the function that flushes it and puts the output back. fang pads its
// blocks to the terminal's width: on a terminal that draws their
// background, in a file or a pipe it is only trailing blanks.
func plainOutput(c *cobra.Command) (restore func()) {
	out := c.OutOrStdout()
	if colorprofile.Detect(out, os.Environ()) != colorprofile.NoTTY {
		return func() {}
	}
	t := &lineTrimmer{out: out}
	c.SetOut(t)
	return func() {
		t.flush()
		c.SetOut(out)
	}
}

// lineTrimmer writes each line without its trailing spaces and tabs. It
// holds a line until its newline; flush writes what is left.
type lineTrimmer struct {
	out  io.Writer
	line []byte
	err  error
}

func (t *lineTrimmer) Write(p []byte) (int, error) {
	t.line = append(t.line, p...)
	for t.err == nil {
		i := bytes.IndexByte(t.line, '\n')
		if i < 0 {
			break
		}
		_, t.err = fmt.Fprintf(t.out, "%s\n", bytes.TrimRight(t.line[:i], " \t"))
		t.line = t.line[i+1:]
	}
	return len(p), t.err
}

func (t *lineTrimmer) flush() {
	if rest := bytes.TrimRight(t.line, " \t"); t.err == nil && len(rest) > 0 {
		_, t.err = t.out.Write(rest)
	}
	t.line = nil
}

// section writes "name\twhat" rows under a title, as fang lays out its
// flags: indented, in two columns. Where the columns would leave the text
// too narrow, each name has its own line with the text below it.
func (h *helpPages) section(w io.Writer, width int, title string, rows []string) {
	if len(rows) == 0 {
		return
	}
	const indent, gap, narrowest, hanging = 4, 2, 30, 8
	titleStyle := lipgloss.NewStyle().Bold(true).Foreground(h.scheme.Title).Transform(strings.ToUpper).
		PaddingBottom(1).Margin(0, 2) // fang's title; its page already ends in a blank line
	nameStyle := lipgloss.NewStyle().Foreground(h.scheme.Flag)
	textStyle := lipgloss.NewStyle().Foreground(h.scheme.Description)

	names := 0
	for _, r := range rows {
		name, _, _ := strings.Cut(r, "\t")
		names = max(names, ansi.StringWidth(name))
	}
	column := indent + names + gap
	if width-column < narrowest {
		column = hanging // each name on its own line
	}

	fmt.Fprintln(w, titleStyle.Render(title))
	for _, r := range rows {
		name, text, _ := strings.Cut(r, "\t")
		lines := strings.Split(ansi.Wrap(capitalise(text), max(width-column, narrowest), ""), "\n")
		line := strings.Repeat(" ", indent) + nameStyle.Render(name)
		if pad := column - indent - ansi.StringWidth(name); pad >= gap {
			line += strings.Repeat(" ", pad) + textStyle.Render(lines[0])
			lines = lines[1:]
		}
		fmt.Fprintln(w, line)
		for _, l := range lines {
			fmt.Fprintln(w, strings.Repeat(" ", column)+textStyle.Render(l))
		}
	}
	fmt.Fprintln(w)
}

// helpWidth is the width fang lays its pages out in: the terminal's, at
// most 120 columns.
func helpWidth(out io.Writer) int {
	const widest = 120
	if f, ok := out.(term.File); ok {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
			return min(w, widest)
		}
	}
	return widest
}

// capitalise starts s with a capital, as fang starts flag descriptions.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
