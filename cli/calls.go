// Package cli holds what frontdesk's commands that do not take over the
// screen print and how: calls, dial, watch, messages, stats, sim and
// version. Each command's body, which reads the settings and opens the
// transport or the history, is in package main (commands.go).
package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Lister lists the phone's calls once; *transport.Client satisfies it.
type Lister interface {
	ListCalls(ctx context.Context) ([]transport.Call, error)
}

// Names finds a name for a caller's number; nil means no directory.
type Names func(number string) (name string, ok bool)

// Line is one phone a command works, and what to call it.
type Line[T any] struct {
	Label   string // the line's label, as the console shows it
	Account string // its [[account]] name; "" for the top-level account
	Phone   T
}

// CallJSON is one call as the --json outputs print it. CLID is null when the
// server did not send one. Line and Account say which phone the call is on.
type CallJSON struct {
	ID       string  `json:"id"`
	State    string  `json:"state"`
	Outbound bool    `json:"outbound"`
	Ani      string  `json:"ani"`
	Name     string  `json:"name,omitempty"`
	CLID     *string `json:"clid"`
	DID      string  `json:"did"`
	Endpoint string  `json:"endpoint"`
	Duration int     `json:"duration"`
	Line     string  `json:"line,omitempty"`
	Account  string  `json:"account,omitempty"`
}

// NewCallJSON converts a wire call.
func NewCallJSON(c transport.Call, names Names) CallJSON {
	j := CallJSON{ID: c.ID, State: c.State, Outbound: c.Originated, Ani: c.Ani, CLID: c.CLID, DID: c.DID, Endpoint: c.Endpoint, Duration: c.Duration}
	if names != nil {
		if n, ok := names(c.Ani); ok {
			j.Name = n
		}
	}
	return j
}

// onLine is CallJSON for a call on line l.
func onLine[T any](c transport.Call, l Line[T], names Names) CallJSON {
	j := NewCallJSON(c, names)
	j.Line, j.Account = model.Clean(l.Label, 40), l.Account
	return j
}

// Calls lists the current calls of every line once and prints them to w:
// a table (with a LINE column when there are several lines), or with
// asJSON a JSON array of CallJSON ([] when the phones are idle). A line
// that cannot be listed does not hide the others: their calls are printed
// and the error names it.
func Calls[L Lister](ctx context.Context, lines []Line[L], w io.Writer, asJSON bool, names Names) error {
	calls := make([][]transport.Call, len(lines))
	errs := make([]error, len(lines))
	var wg sync.WaitGroup
	for i, l := range lines {
		wg.Go(func() { calls[i], errs[i] = l.Phone.ListCalls(ctx) })
	}
	wg.Wait()
	err := linesError(lines, errs)
	if !slices.ContainsFunc(errs, func(err error) bool { return err == nil }) {
		return err // not one line listed
	}
	write := writeCallsTable[L]
	if asJSON {
		write = writeCallsJSON[L]
	}
	return cmp.Or(err, write(w, lines, calls, names))
}

// linesError joins the lines' errors, each named by its line when there
// are several.
func linesError[T any](lines []Line[T], errs []error) error {
	if len(lines) == 1 {
		return errs[0]
	}
	var named []error
	for i, err := range errs {
		if err != nil {
			named = append(named, fmt.Errorf("%s: %w", model.Clean(lines[i].Label, 40), err))
		}
	}
	return errors.Join(named...)
}

func writeCallsJSON[T any](w io.Writer, lines []Line[T], calls [][]transport.Call, names Names) error {
	out := []CallJSON{}
	for i, l := range lines {
		for _, c := range calls[i] {
			out = append(out, onLine(c, l, names))
		}
	}
	enc := json.NewEncoder(terminalSafe(w))
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func writeCallsTable[T any](w io.Writer, lines []Line[T], calls [][]transport.Call, names Names) error {
	if len(slices.Concat(calls...)) == 0 {
		_, err := fmt.Fprintln(w, "No calls.")
		return err
	}
	several := len(lines) > 1
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if several {
		fmt.Fprint(tw, "LINE\t")
	}
	fmt.Fprintln(tw, "ID\tSTATE\tDIR\tCALLER\tNAME\tDIALLED\tTIME")
	for i, l := range lines {
		for _, c := range calls[i] {
			name := ""
			if names != nil {
				name, _ = names(c.Ani)
			}
			if several {
				fmt.Fprintf(tw, "%s\t", model.Clean(l.Label, 40))
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				model.Clean(c.ID, 20), stateText(c.State), direction(c.Originated), caller(c.Ani),
				model.Clean(name, 40), clid(c.CLID), clock(time.Duration(c.Duration)*time.Second))
		}
	}
	return tw.Flush()
}

func stateText(raw string) string {
	s := model.ParseState(raw)
	if s == model.StateUnknown {
		return "? " + model.Clean(raw, 16)
	}
	return s.String()
}

func direction(outbound bool) string {
	if outbound {
		return "out"
	}
	return "in"
}

func caller(ani string) string {
	s := model.Clean(model.FormatNumber(ani), 32)
	if s == "" {
		return "-"
	}
	return s
}

func clid(c *string) string {
	if c == nil || *c == "" {
		return "-"
	}
	return caller(*c)
}

// clock formats a duration as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
