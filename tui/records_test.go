package tui

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// memRecords is an in-memory Records for tests, with the store's query
// rules (kinds OR-ed, Since and Search narrowing).
type memRecords struct {
	mu       sync.Mutex
	calls    []CallRecord
	msgs     []Message
	lastSeen time.Time
	pruned   []time.Time
}

func (r *memRecords) AddCall(c CallRecord) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	c.ID = int64(len(r.calls) + 1)
	r.calls = append(r.calls, c)
	return nil
}

func (r *memRecords) Calls(q CallQuery) ([]CallRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []CallRecord
	for _, c := range r.calls {
		e := c.Entry
		if q.Missed || q.Inbound || q.Outbound {
			if !(q.Missed && e.Outcome == model.OutcomeMissed || q.Inbound && !e.Outbound || q.Outbound && e.Outbound) {
				continue
			}
		}
		if !q.Since.IsZero() && e.Start.Before(q.Since) {
			continue
		}
		if s := strings.ToLower(q.Search); s != "" {
			if d := model.Digits(s); d != "" && d == strings.NewReplacer(" ", "", "-", "", "(", "", ")", "").Replace(s) {
				if !strings.Contains(model.Digits(e.Ani), d) {
					continue
				}
			} else if !strings.Contains(strings.ToLower(c.Name), s) {
				continue
			}
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b CallRecord) int { return b.Entry.Start.Compare(a.Entry.Start) })
	return out, nil
}

func (r *memRecords) MissedSince(t time.Time) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		if c.Entry.Outcome == model.OutcomeMissed && c.Entry.End.After(t) {
			n++
		}
	}
	return n, nil
}

func (r *memRecords) LastSeen() (time.Time, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastSeen, nil
}

func (r *memRecords) MarkSeen(t time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t.After(r.lastSeen) {
		r.lastSeen = t
	}
	return nil
}

func (r *memRecords) Prune(before time.Time) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruned = append(r.pruned, before)
	return 0, nil
}

func (r *memRecords) AddMessage(m Message) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.ID = int64(len(r.msgs) + 1)
	r.msgs = append(r.msgs, m)
	return m.ID, nil
}

func (r *memRecords) Messages() ([]Message, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := slices.Clone(r.msgs)
	slices.Reverse(out)
	return out, nil
}

func (r *memRecords) MarkDone(id int64, done bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.msgs {
		if r.msgs[i].ID == id {
			r.msgs[i].Done = done
		}
	}
	return nil
}

func (r *memRecords) messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}
