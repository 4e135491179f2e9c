package cli

import (
	"time"

	"github.com/frontdesk/frontdesk/history"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/tui"
)

// Records adapts the history database to the console's tui.Records.
type Records struct {
	Store *history.Store
	// DID, when set, is stored with calls that carry none (the account's
	// line).
	DID string
	// Line, when set, limits Calls to that line's calls: consoles of
	// several accounts sharing one database each see their own.
	Line string
}

var _ tui.Records = Records{}

// AddCall stores an ended call with the name the directory gave it.
func (r Records) AddCall(c tui.CallRecord) error {
	e := c.Entry
	dir := history.Inbound
	if e.Outbound {
		dir = history.Outbound
	}
	did := e.DID
	if did == "" {
		did = r.DID
	}
	clid := ""
	if e.HasCLID {
		clid = e.CLID
	}
	return r.Store.Add(history.Entry{
		CallID: e.CallID, DID: did, Direction: dir, Outcome: history.Outcome(e.Outcome.String()),
		Number: e.Ani, Name: c.Name, CLID: clid,
		Start: e.Start, Ring: e.Ring, Talk: e.Talk, Hold: e.Hold, Ended: e.End,
	})
}

// Calls returns stored calls, newest first.
func (r Records) Calls(q tui.CallQuery) ([]tui.CallRecord, error) {
	rows, err := r.Store.Query(history.Filter{
		Missed: q.Missed, Inbound: q.Inbound, Outbound: q.Outbound,
		Since: q.Since, Search: q.Search, Limit: q.Limit, DID: r.Line,
	})
	if err != nil {
		return nil, err
	}
	out := make([]tui.CallRecord, len(rows))
	for i, e := range rows {
		out[i] = tui.CallRecord{ID: e.ID, Name: e.Name, Entry: model.HistoryEntry{
			CallID: e.CallID, Ani: e.Number, CLID: e.CLID, HasCLID: e.CLID != "", DID: e.DID,
			Outbound: e.Direction == history.Outbound, Outcome: outcome(e.Outcome),
			Start: e.Start, End: e.Ended, Ring: e.Ring, Talk: e.Talk, Hold: e.Hold,
		}}
	}
	return out, nil
}

func outcome(o history.Outcome) model.Outcome {
	switch o {
	case history.OutcomeAnswered:
		return model.OutcomeAnswered
	case history.OutcomeMissed:
		return model.OutcomeMissed
	case history.OutcomeIgnored:
		return model.OutcomeIgnored
	case history.OutcomeOutbound:
		return model.OutcomeOutbound
	}
	return model.OutcomeUnknown
}

func (r Records) MissedSince(t time.Time) (int, error) { return r.Store.MissedSince(t) }
func (r Records) LastSeen() (time.Time, error)         { return r.Store.LastSeen() }
func (r Records) MarkSeen(t time.Time) error           { return r.Store.MarkSeen(t) }
func (r Records) Prune(before time.Time) (int64, error) {
	return r.Store.Prune(before)
}

// AddMessage stores a message.
func (r Records) AddMessage(m tui.Message) (int64, error) {
	return r.Store.AddMessage(history.Message{
		For: m.For, CallerName: m.CallerName, CallerNumber: m.CallerNumber,
		Text: m.Text, CallID: m.CallID, Created: m.Created, Done: m.Done,
	})
}

// Messages returns every message, newest first.
func (r Records) Messages() ([]tui.Message, error) {
	msgs, err := r.Store.Messages(history.MessageFilter{})
	if err != nil {
		return nil, err
	}
	out := make([]tui.Message, len(msgs))
	for i, m := range msgs {
		out[i] = tui.Message{ID: m.ID, For: m.For, CallerName: m.CallerName, CallerNumber: m.CallerNumber,
			Text: m.Text, CallID: m.CallID, Created: m.Created, Done: m.Done}
	}
	return out, nil
}

// MarkDone marks a message done or open.
func (r Records) MarkDone(id int64, done bool) error { return r.Store.MarkDone(id, done) }
