package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Streamer is a live connection to the phone; *transport.Stream satisfies it.
type Streamer interface {
	Run(ctx context.Context) error
	Events() <-chan transport.Event
}

// WatchJSON is one line of `watch --json`: a call event, or the snapshot
// of every call on a line sent after each (re)subscribe. Line and Account
// say which phone it is from.
type WatchJSON struct {
	At      time.Time  `json:"at"`
	Event   string     `json:"event"` // "call" or "snapshot"
	Call    *CallJSON  `json:"call,omitempty"`
	Calls   []CallJSON `json:"calls,omitempty"`
	Line    string     `json:"line,omitempty"`
	Account string     `json:"account,omitempty"`
}

// Watch runs every line's stream until ctx is done and prints every call
// event to out as one line (text, or JSON with asJSON), and connection
// changes to errOut. The snapshot sent after each (re)subscribe is one
// JSON line, or in text one line per call, with the count on errOut. With
// several lines, each text line starts with its line's label. It returns
// nil when ctx ends, or the streams' fatal errors (such as a wrong DID or
// PIN) once every line has stopped or ctx has ended; a line that stops
// leaves the others running.
func Watch[S Streamer](ctx context.Context, lines []Line[S], out, errOut io.Writer, asJSON bool, names Names) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	events := make(chan lineEvent)
	ended := make(chan lineEnd, len(lines))
	for i, l := range lines {
		wg.Go(func() { follow(ctx, i, l.Phone, events, ended) })
	}

	p := watchPrinter{out: out, errOut: errOut, asJSON: asJSON, names: names, enc: json.NewEncoder(terminalSafe(out))}
	p.enc.SetEscapeHTML(false)
	if len(lines) > 1 {
		for _, l := range lines {
			p.width = max(p.width, ansi.StringWidth(model.Clean(l.Label, 40)))
		}
	}
	errs := make([]error, len(lines))
	for running := len(lines); running > 0; {
		select {
		case ev := <-events:
			if err := p.print(lines[ev.line].Label, lines[ev.line].Account, ev.Event); err != nil {
				return fmt.Errorf("writing output: %w", err)
			}
		case end := <-ended:
			running--
			if !errors.Is(end.err, context.Canceled) && ctx.Err() == nil {
				errs[end.line] = end.err
			}
		}
	}
	return linesError(lines, errs)
}

// lineEvent is an event of line number line.
type lineEvent struct {
	line int
	transport.Event
}

// lineEnd is how line number line's stream stopped.
type lineEnd struct {
	line int
	err  error
}

// follow runs one line's stream and hands on its events, then how it
// ended once every event it reported before stopping has been handed on.
func follow(ctx context.Context, line int, s Streamer, events chan<- lineEvent, ended chan<- lineEnd) {
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	send := func(ev transport.Event) {
		select {
		case events <- lineEvent{line, ev}:
		case <-ctx.Done():
		}
	}
	in := s.Events()
	for {
		select {
		case ev, ok := <-in:
			if !ok {
				in = nil
				continue
			}
			send(ev)
		case err := <-done:
			// Hand on what the stream reported before it stopped.
			for {
				select {
				case ev, ok := <-in:
					if ok {
						send(ev)
						continue
					}
				default:
				}
				break
			}
			ended <- lineEnd{line, err}
			return
		}
	}
}

// watchPrinter prints watch's events; width is the widest line label
// when there are several lines, 0 with one.
type watchPrinter struct {
	out, errOut io.Writer
	enc         *json.Encoder
	asJSON      bool
	names       Names
	width       int
}

func (p watchPrinter) print(label, account string, ev transport.Event) error {
	label = model.Clean(label, 40)
	line := Line[struct{}]{Label: label, Account: account}
	var prefix, errPrefix string
	if p.width > 0 {
		prefix = label + strings.Repeat(" ", p.width-ansi.StringWidth(label)) + "  "
		errPrefix = label + ": "
	}
	switch ev.Kind {
	case transport.EventConn:
		_, err := fmt.Fprintln(p.errOut, errPrefix+ConnLine(ev.Conn, ev.At))
		return err
	case transport.EventCall:
		if p.asJSON {
			c := onLine(ev.Call, line, p.names)
			return p.enc.Encode(WatchJSON{At: ev.At, Event: "call", Call: &c, Line: label, Account: account})
		}
		_, err := fmt.Fprintln(p.out, prefix+CallLine(ev.At, ev.Call, p.names))
		return err
	case transport.EventSnapshot:
		if p.asJSON {
			calls := make([]CallJSON, 0, len(ev.Calls))
			for _, c := range ev.Calls {
				calls = append(calls, onLine(c, line, p.names))
			}
			return p.enc.Encode(WatchJSON{At: ev.At, Event: "snapshot", Calls: calls, Line: label, Account: account})
		}
		fmt.Fprintf(p.errOut, "%scalls on the phone now: %d\n", errPrefix, len(ev.Calls))
		for _, c := range ev.Calls {
			if _, err := fmt.Fprintln(p.out, prefix+CallLine(ev.At, c, p.names)); err != nil {
				return err
			}
		}
	}
	return nil
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
