package tui

import "github.com/frontdesk/frontdesk/transport"

// eventMsg carries one event from the phone's stream.
type eventMsg struct{ ev transport.Event }

// eventsMsg carries several events that were waiting together, in the
// order the stream delivered them.
type eventsMsg struct{ evs []transport.Event }

// streamClosedMsg says the phone's event channel was closed: the stream
// stopped for good.
type streamClosedMsg struct{}

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
