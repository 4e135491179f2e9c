package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

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
func waitForEvent(events <-chan transport.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-events
		if !ok {
			return streamClosedMsg{}
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
			return eventMsg{ev}
		}
		return eventsMsg{evs}
	}
}

// phoneCall runs one phone command with a timeout.
func phoneCall(timeout time.Duration, do func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return do(ctx)
}

// answer asks the phone to answer call id.
func (m *Model) answer(id, who string) tea.Cmd {
	p, d := m.opts.Phone, m.opts.CommandTimeout
	return func() tea.Msg {
		err := phoneCall(d, func(ctx context.Context) error { return p.Answer(ctx, id) })
		return answeredMsg{result{id, who, err}}
	}
}

// ignore asks the phone to stop ringing for call id.
func (m *Model) ignore(id, who string) tea.Cmd {
	p, d := m.opts.Phone, m.opts.CommandTimeout
	return func() tea.Msg {
		err := phoneCall(d, func(ctx context.Context) error { return p.Ignore(ctx, id) })
		return ignoredMsg{result{id, who, err}}
	}
}

// hold puts call id on hold.
func (m *Model) hold(id, who string) tea.Cmd {
	p, d := m.opts.Phone, m.opts.CommandTimeout
	return func() tea.Msg {
		err := phoneCall(d, func(ctx context.Context) error { return p.Hold(ctx, id) })
		return heldMsg{result{id, who, err}}
	}
}

// resume takes call id off hold.
func (m *Model) resume(id, who string) tea.Cmd {
	p, d := m.opts.Phone, m.opts.CommandTimeout
	return func() tea.Msg {
		err := phoneCall(d, func(ctx context.Context) error { return p.Resume(ctx, id) })
		return resumedMsg{result{id, who, err}}
	}
}

// release hangs up call id.
func (m *Model) release(id, who string) tea.Cmd {
	p, d := m.opts.Phone, m.opts.CommandTimeout
	return func() tea.Msg {
		err := phoneCall(d, func(ctx context.Context) error { return p.Release(ctx, id) })
		return releasedMsg{result{id, who, err}}
	}
}

// placeCall places a call to number (already validated: the API's digits).
func (m *Model) placeCall(number, who string) tea.Cmd {
	p, d := m.opts.Phone, m.opts.CommandTimeout
	return func() tea.Msg {
		err := phoneCall(d, func(ctx context.Context) error { return p.Dial(ctx, number) })
		return dialedMsg{number: number, who: who, err: err}
	}
}

// after delivers msg once d has passed: the timer every tick and fade uses.
func after(d time.Duration, msg tea.Msg) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return msg })
}
