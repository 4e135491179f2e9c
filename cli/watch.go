package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Streamer is a live connection to the phone; *transport.Stream satisfies it.
type Streamer interface {
	Run(ctx context.Context) error
	Events() <-chan transport.Event
}

// WatchJSON is one line of `watch --json`: a call event, or the snapshot
// of every call sent after each (re)subscribe.
type WatchJSON struct {
	At    time.Time  `json:"at"`
	Event string     `json:"event"` // "call" or "snapshot"
	Call  *CallJSON  `json:"call,omitempty"`
	Calls []CallJSON `json:"calls,omitempty"`
}

// Watch runs the stream until ctx is done and prints every call event to
// out as one line (text, or JSON with asJSON), and connection changes to
// errOut. The snapshot sent after each (re)subscribe is one JSON line, or
// in text one line per call, with the count on errOut. It returns nil when ctx ends, or the stream's fatal error (such as
// a wrong DID or PIN).
func Watch(ctx context.Context, s Streamer, out, errOut io.Writer, asJSON bool, names Names) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	enc := json.NewEncoder(terminalSafe(out))
	enc.SetEscapeHTML(false)
	print := func(ev transport.Event) error {
		switch ev.Kind {
		case transport.EventConn:
			_, err := fmt.Fprintln(errOut, ConnLine(ev.Conn, ev.At))
			return err
		case transport.EventCall:
			if asJSON {
				c := NewCallJSON(ev.Call, names)
				return enc.Encode(WatchJSON{At: ev.At, Event: "call", Call: &c})
			}
			_, err := fmt.Fprintln(out, CallLine(ev.At, ev.Call, names))
			return err
		case transport.EventSnapshot:
			if asJSON {
				calls := make([]CallJSON, 0, len(ev.Calls))
				for _, c := range ev.Calls {
					calls = append(calls, NewCallJSON(c, names))
				}
				return enc.Encode(WatchJSON{At: ev.At, Event: "snapshot", Calls: calls})
			}
			fmt.Fprintf(errOut, "calls on the phone now: %d\n", len(ev.Calls))
			for _, c := range ev.Calls {
				if _, err := fmt.Fprintln(out, CallLine(ev.At, c, names)); err != nil {
					return err
				}
			}
		}
		return nil
	}

	events := s.Events()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if err := print(ev); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		case err := <-done:
			// Print what the stream reported before it stopped.
		drain:
			for {
				select {
				case ev, ok := <-events:
					if !ok {
						break drain
					}
					if perr := print(ev); perr != nil {
						return fmt.Errorf("writing output: %w", perr)
					}
				default:
					break drain
				}
			}
			if err == nil || errors.Is(err, context.Canceled) || ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

// CallLine is a call as one line of text: time, state, Id, direction,
// caller, name and the number the caller dialled.
func CallLine(at time.Time, c transport.Call, names Names) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %-9s  %-8s  %-3s  %s", at.Local().Format("15:04:05"), stateText(c.State), model.Clean(c.ID, 20), direction(c.Originated), caller(c.Ani))
	if names != nil {
		if n, ok := names(c.Ani); ok && n != "" {
			b.WriteString("  " + model.Clean(n, 40))
		}
	}
	if c.CLID != nil && *c.CLID != "" {
		b.WriteString("  via " + clid(c.CLID))
	}
	fmt.Fprintf(&b, "  %s", clock(time.Duration(c.Duration)*time.Second))
	return b.String()
}

// ConnLine describes a connection change.
func ConnLine(cs transport.ConnState, at time.Time) string {
	var b strings.Builder
	b.WriteString("connection: ")
	switch cs.Status {
	case transport.ConnConnecting:
		b.WriteString("connecting")
	case transport.ConnLive:
		b.WriteString("live")
	case transport.ConnReconnecting:
		b.WriteString("reconnecting")
		if !cs.NextTry.IsZero() {
			if d := cs.NextTry.Sub(at).Round(100 * time.Millisecond); d > 0 {
				fmt.Fprintf(&b, " in %v", d)
			}
		}
		if cs.Attempt > 0 {
			fmt.Fprintf(&b, " (attempt %d)", cs.Attempt)
		}
	case transport.ConnFailed:
		b.WriteString("failed")
	default:
		b.WriteString(cs.Status.String())
	}
	if cs.Err != nil {
		b.WriteString(": " + model.Clean(cs.Err.Error(), 300))
	}
	return b.String()
}
