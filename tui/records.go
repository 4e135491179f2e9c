package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
)

// Records is the console's persistent side: the call history and the
// "while you were out" messages. The console calls it only from commands,
// never from Update, so a slow disk cannot freeze the screen. main adapts
// the history package's store to it.
type Records interface {
	// AddCall stores an ended call with the caller's name as the directory
	// knew it when the call ended ("" if unknown).
	AddCall(CallRecord) error
	// Calls returns the stored calls that match q, newest first.
	Calls(q CallQuery) ([]CallRecord, error)
	// MissedSince counts missed calls that ended after t; LastSeen is when
	// the history was last looked at, MarkSeen records that it was.
	MissedSince(t time.Time) (int, error)
	LastSeen() (time.Time, error)
	MarkSeen(t time.Time) error
	// Prune deletes calls that started before t.
	Prune(before time.Time) (int64, error)

	AddMessage(Message) (int64, error)
	// Messages returns every message, newest first.
	Messages() ([]Message, error)
	MarkDone(id int64, done bool) error
}

// CallRecord is one stored call.
type CallRecord struct {
	ID    int64 // assigned by the store
	Entry model.HistoryEntry
	Name  string // the directory's name for the caller at save time
}

// CallQuery selects stored calls. Missed, Inbound and Outbound combine with
// OR (none set: every call); Since and Search narrow further.
type CallQuery struct {
	Missed, Inbound, Outbound bool
	Since                     time.Time
	Search                    string
	Limit                     int
}

// Message is a note taken for someone who was out.
type Message struct {
	ID           int64
	For          string
	CallerName   string
	CallerNumber string
	Text         string
	CallID       string
	Created      time.Time
	Done         bool
}

// Messages the record commands report back with.
type (
	callsSavedMsg struct {
		n      int
		missed bool // one of the saved calls was missed
		err    error
	}
	historyLoadedMsg struct {
		gen  int
		rows []CallRecord
		err  error
	}
	missedCountMsg struct {
		n   int
		err error
	}
	seenMarkedMsg struct{ err error }
	prunedMsg     struct {
		n   int64
		err error
	}
	pruneDueMsg       struct{}
	messagesLoadedMsg struct {
		msgs []Message
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

// saveCalls stores ended calls with the names the directory gave them.
func saveCalls(r Records, recs []CallRecord) tea.Cmd {
	return func() tea.Msg {
		missed := false
		for _, rec := range recs {
			if rec.Entry.Outcome == model.OutcomeMissed {
				missed = true
			}
			if err := r.AddCall(rec); err != nil {
				return callsSavedMsg{n: len(recs), missed: missed, err: err}
			}
		}
		return callsSavedMsg{n: len(recs), missed: missed}
	}
}

// loadHistory queries the stored calls; gen tells a stale answer from the
// current one.
func loadHistory(r Records, q CallQuery, gen int) tea.Cmd {
	return func() tea.Msg {
		rows, err := r.Calls(q)
		return historyLoadedMsg{gen: gen, rows: rows, err: err}
	}
}

// countMissed counts the missed calls since the history was last looked at.
func countMissed(r Records) tea.Cmd {
	return func() tea.Msg {
		t, err := r.LastSeen()
		if err != nil {
			return missedCountMsg{err: err}
		}
		n, err := r.MissedSince(t)
		return missedCountMsg{n: n, err: err}
	}
}

// markSeen records that the receptionist looked at the history at t.
func markSeen(r Records, t time.Time) tea.Cmd {
	return func() tea.Msg { return seenMarkedMsg{err: r.MarkSeen(t)} }
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

func saveMessage(r Records, m Message) tea.Cmd {
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
