package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
)

// Records is the console's persistent side: the call history and the
// "while you were out" messages of the accounts it works. The console
// calls it from commands, never from Update, except SaveCalls, which only
// queues. store.Accounts implements it.
type Records interface {
	// SaveCalls queues ended calls for the history. It returns at once,
	// or in a burst once the queue has room.
	SaveCalls([]model.CallRecord)
	// Calls returns the stored calls that match q, newest first.
	Calls(q model.CallQuery) ([]model.CallRecord, error)
	// OpenMissed counts the missed calls still to deal with; MarkHandled
	// records that someone (by) dealt with the stored call id.
	OpenMissed() (int, error)
	MarkHandled(id int64, by string, at time.Time) error
	// Prune deletes calls that started before t.
	Prune(before time.Time) (int64, error)

	AddMessage(model.Message) (int64, error)
	// Messages returns every message, newest first.
	Messages() ([]model.Message, error)
	MarkDone(id int64, done bool) error

	// Changed signals that the records changed (by this console or any
	// other) or that Saving changed.
	Changed() <-chan struct{}
	// Saving is nil while the history is being saved, or why it is not.
	Saving() error
	// Pending is how many writes wait to be saved; Flush waits for them.
	Pending() int
	Flush(ctx context.Context) error
}

// Messages the record commands report back with.
type (
	recordsChangedMsg struct{}
	// historySavedMsg ends the wait for the history when quitting.
	historySavedMsg  struct{ err error }
	historyLoadedMsg struct {
		gen  int
		rows []model.CallRecord
		err  error
	}
	missedCountMsg struct {
		n   int
		err error
	}
	prunedMsg struct {
		n   int64
		err error
	}
	pruneDueMsg       struct{}
	messagesLoadedMsg struct {
		msgs []model.Message
		err  error
	}
	messageSavedMsg struct {
		id  int64
		who string
		err error
	}
	messageMarkedMsg struct {
		id   int64
		done bool
		err  error
	}
)

// waitForChange waits for the next change of the records (nil: the
// records have no change feed).
func waitForChange(ch <-chan struct{}) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		<-ch
		return recordsChangedMsg{}
	}
}

// loadHistory queries the stored calls; gen tells a stale answer from the
// current one.
func loadHistory(r Records, q model.CallQuery, gen int) tea.Cmd {
	return func() tea.Msg {
		rows, err := r.Calls(q)
		return historyLoadedMsg{gen: gen, rows: rows, err: err}
	}
}

// countMissed counts the missed calls still open, for the header.
func countMissed(r Records) tea.Cmd {
	return func() tea.Msg {
		n, err := r.OpenMissed()
		return missedCountMsg{n: n, err: err}
	}
}

// prune deletes calls older than the retention.
func prune(r Records, before time.Time) tea.Cmd {
	return func() tea.Msg {
		n, err := r.Prune(before)
		return prunedMsg{n: n, err: err}
	}
}

func loadMessages(r Records) tea.Cmd {
	return func() tea.Msg {
		msgs, err := r.Messages()
		return messagesLoadedMsg{msgs: msgs, err: err}
	}
}

func saveMessage(r Records, m model.Message) tea.Cmd {
	return func() tea.Msg {
		id, err := r.AddMessage(m)
		return messageSavedMsg{id: id, who: m.For, err: err}
	}
}

func markMessage(r Records, id int64, done bool) tea.Cmd {
	return func() tea.Msg {
		return messageMarkedMsg{id: id, done: done, err: r.MarkDone(id, done)}
	}
}

// handledMsg reports a missed call marked handled.
type handledMsg struct {
	who string
	err error
}

// markHandled marks the stored missed call id handled by by.
func markHandled(r Records, id int64, by, who string, at time.Time) tea.Cmd {
	return func() tea.Msg { return handledMsg{who: who, err: r.MarkHandled(id, by, at)} }
}
