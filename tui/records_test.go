package tui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// memRecords is an in-memory Records for the synchronous harness, with
// the store's query rules (kinds OR-ed, Since and Search narrowing). It
// has no change feed: a test sends recordsChangedMsg where the feed would.
// The end-to-end tests use the real store.
type memRecords struct {
	mu      sync.Mutex
	calls   []model.CallRecord
	msgs    []model.Message
	pruned  []time.Time
	saveErr error // what Saving reports
}

func (r *memRecords) SaveCalls(cs []model.CallRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range cs {
		r.add(c)
	}
}

func (r *memRecords) add(c model.CallRecord) {
	c.ID = int64(len(r.calls) + 1)
	r.calls = append(r.calls, c)
}

func (r *memRecords) Changed() <-chan struct{} { return nil }
func (r *memRecords) Pending() int             { return 0 }
func (r *memRecords) Flush(context.Context) error {
	return nil
}

func (r *memRecords) Saving() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.saveErr
}

func (r *memRecords) Calls(q model.CallQuery) ([]model.CallRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []model.CallRecord
	for _, c := range r.calls {
		c.Reached = r.reachedLocked(c)
		e := c
		if q.Open && !e.Open() {
			continue
		}
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
	slices.SortStableFunc(out, func(a, b model.CallRecord) int { return b.Start.Compare(a.Start) })
	return out, nil
}

// reachedLocked is when a later call with c's number connected, as the
// store works it out.
func (r *memRecords) reachedLocked(c model.CallRecord) time.Time {
	var at time.Time
	k := model.NumberKey(c.Ani)
	if c.Outcome != model.OutcomeMissed || k == "" {
		return at
	}
	for _, o := range r.calls {
		connected := o.Outcome == model.OutcomeAnswered || (o.Outcome == model.OutcomeOutbound && o.Talk > 0)
		if connected && o.Account == c.Account && model.NumberKey(o.Ani) == k && o.Start.After(c.Start) && (at.IsZero() || o.Start.Before(at)) {
			at = o.Start
		}
	}
	return at
}

func (r *memRecords) OpenMissed() (int, error) {
	open, err := r.Calls(model.CallQuery{Open: true})
	return len(open), err
}

func (r *memRecords) MarkHandled(id int64, by string, at time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.calls {
		if r.calls[i].ID == id {
			r.calls[i].Handled, r.calls[i].HandledBy = at, by
			return nil
		}
	}
	return errors.New("no such call")
}

func (r *memRecords) Prune(before time.Time) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pruned = append(r.pruned, before)
	return 0, nil
}

func (r *memRecords) AddMessage(m model.Message) (int64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.ID = int64(len(r.msgs) + 1)
	r.msgs = append(r.msgs, m)
	return m.ID, nil
}

func (r *memRecords) Messages() ([]model.Message, error) {
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

func (r *memRecords) messages() []model.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.msgs)
}
