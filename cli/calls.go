// Package cli holds what frontdesk's commands that do not take over the
// screen print and how: calls, dial, watch, messages, stats, sim and
// version. Each command's body, which reads the settings and opens the
// transport or the history, is in package main (commands.go).
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
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

// CallJSON is one call as the --json outputs print it. CLID is null when the
// server did not send one.
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

// Calls lists the current calls once and prints them to w: a table, or with
// asJSON a JSON array of CallJSON ([] when the phone is idle).
func Calls(ctx context.Context, l Lister, w io.Writer, asJSON bool, names Names) error {
	calls, err := l.ListCalls(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		out := make([]CallJSON, 0, len(calls))
		for _, c := range calls {
			out = append(out, NewCallJSON(c, names))
		}
		enc := json.NewEncoder(terminalSafe(w))
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(calls) == 0 {
		_, err := fmt.Fprintln(w, "No calls.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tDIR\tCALLER\tNAME\tDIALLED\tTIME")
	for _, c := range calls {
		name := ""
		if names != nil {
			name, _ = names(c.Ani)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			model.Clean(c.ID, 20), stateText(c.State), direction(c.Originated), caller(c.Ani),
			model.Clean(name, 40), clid(c.CLID), clock(time.Duration(c.Duration)*time.Second))
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
