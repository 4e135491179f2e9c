package tui

import (
	"context"
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Commands do the I/O. None of them touches the Model: each captures the
// values it needs and reports back with a typed message.

// maxEventBatch bounds how many waiting events one message carries.
const maxEventBatch = 256

// waitForEvent waits for the next stream event, then takes every event
// already waiting behind it (up to maxEventBatch), so a burst costs one
// Update and one frame rather than one each. Events keep their order.
// Update re-arms it after every eventMsg or eventsMsg, so exactly one is
// outstanding at a time.
func waitForEvent(line int, events <-chan transport.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return streamClosedMsg{line}
		}
		var evs []transport.Event
	drain:
		for len(evs) < maxEventBatch {
			select {
			case next, ok := <-events:
				if !ok {
					break drain // the re-armed wait reports the close
				}
				if evs == nil {
					evs = make([]transport.Event, 1, 16)
					evs[0] = ev
				}
				evs = append(evs, next)
			default:
				break drain
			}
		}
		if evs == nil {
			return eventMsg{line, ev}
		}
		return eventsMsg{line, evs}
	}
}

// phoneCall runs one phone command with a timeout.
func phoneCall(timeout time.Duration, do func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return do(ctx)
}

// phoneFor is the phone of the line called name.
func (m *Model) phoneFor(line string) Phone {
	if l, ok := m.lines.of(line); ok {
		return l.Phone
	}
	return nil
}

// callCommand runs do (one of Phone's call commands) for call c on its own
// line's phone, and reports with the message done makes of the result.
func (m *Model) callCommand(c model.Call, who string, do func(Phone, context.Context, string) error, done func(result) tea.Msg) tea.Cmd {
	p, d, key, id := m.phoneFor(c.Line), m.opts.CommandTimeout, c.Key(), c.ID
	return func() tea.Msg {
		err := errNoLine
		if p != nil {
			err = phoneCall(d, func(ctx context.Context) error { return do(p, ctx, id) })
		}
		return done(result{key, who, err})
	}
}

// errNoLine is a command for a call whose line the console does not have.
var errNoLine = errors.New("the call's line is not open in this console")

// placeCall places a call from line to number (already validated: the
// API's digits).
func (m *Model) placeCall(line, number, who string) tea.Cmd {
	p, d := m.phoneFor(line), m.opts.CommandTimeout
	return func() tea.Msg {
		err := errNoLine
		if p != nil {
			err = phoneCall(d, func(ctx context.Context) error { return p.Dial(ctx, number) })
		}
		return dialedMsg{number: number, who: who, err: err}
	}
}

// after delivers msg once d has passed: the timer every tick and fade uses.
func after(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}
