package tui

import "github.com/frontdesk/frontdesk/transport"

// eventMsg carries one event from a line's stream (line is its index in
// the console's lines).
type eventMsg struct {
	line int
	ev   transport.Event
}

// eventsMsg carries several events of a line that were waiting together,
// in the order the stream delivered them.
type eventsMsg struct {
	line int
	evs  []transport.Event
}

// streamClosedMsg says a line's event channel was closed: its stream
// stopped for good.
type streamClosedMsg struct{ line int }

// tickMsg drives the on-screen clocks. gen identifies the tick loop that
// scheduled it; a tick from a superseded loop is ignored.
type tickMsg struct{ gen int }

// clearStatusMsg fades the status line, if it still shows status id.
type clearStatusMsg struct{ id int }

// result is what every call action reports back: which call, who it was
// (for the status line) and how it went.
type result struct {
	id  string
	who string
	err error
}

// Typed results, one per action.
type (
	answeredMsg struct{ result }
	ignoredMsg  struct{ result }
	heldMsg     struct{ result }
	resumedMsg  struct{ result }
	releasedMsg struct{ result }
	// dialedMsg: number is what was sent, who its display form.
	dialedMsg struct {
		number string
		who    string
		err    error
	}
)
