package store

import (
	"context"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// queryTimeout bounds one read or one direct write of a console.
const queryTimeout = 10 * time.Second

// Accounts is the store as one console sees it: only the accounts it
// works. New calls and messages belong to its first account unless they
// name one. It is the console's Records.
type Accounts struct {
	w       *Writer
	scope   Scope
	home    string
	changed chan struct{}
}

// NewAccounts gives a console the store behind w, limited to scope. Until
// ctx ends, Changed signals changes in scope made by anyone, and changes
// of the writer's health.
func NewAccounts(ctx context.Context, w *Writer, scope Scope) *Accounts {
	a := &Accounts{w: w, scope: scope, changed: make(chan struct{}, 1)}
	if len(scope.Accounts) > 0 {
		a.home = scope.Accounts[0]
	}
	health, stop := w.Subscribe()
	feed, err := w.Store().Watch(ctx)
	if err != nil {
		feed = nil // no feed: the console still works, refreshing on its own actions
	}
	go func() {
		defer stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-health:
			case c, ok := <-feed:
				if !ok {
					feed = nil
					continue
				}
				if !c.Concerns(a.scope) {
					continue
				}
			}
			signal(a.changed)
		}
	}()
	return a
}

// Scope is what the console sees.
func (a *Accounts) Scope() Scope { return a.scope }

func (a *Accounts) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), queryTimeout)
}

// SaveCalls queues ended calls (see Writer.AddCalls).
func (a *Accounts) SaveCalls(calls []model.CallRecord) {
	for i := range calls {
		if calls[i].Account == "" {
			calls[i].Account = a.home
		}
	}
	a.w.AddCalls(calls)
}

// Calls returns the stored calls in scope that match q, newest first.
func (a *Accounts) Calls(q model.CallQuery) ([]model.CallRecord, error) {
	ctx, cancel := a.ctx()
	defer cancel()
	return a.w.Store().Calls(ctx, a.scope, q)
}

// OpenMissed counts the open missed calls in scope.
func (a *Accounts) OpenMissed() (int, error) {
	ctx, cancel := a.ctx()
	defer cancel()
	return a.w.Store().OpenMissed(ctx, a.scope)
}

// MarkHandled marks the missed call id handled by by at at.
func (a *Accounts) MarkHandled(id int64, by string, at time.Time) error {
	ctx, cancel := a.ctx()
	defer cancel()
	return a.w.Store().MarkHandled(ctx, a.scope, id, by, at)
}

// Prune deletes calls (of every account: retention is the box's) that
// started before t.
func (a *Accounts) Prune(before time.Time) (int64, error) {
	ctx, cancel := a.ctx()
	defer cancel()
	return a.w.Store().Prune(ctx, before)
}

// AddMessage stores a message at once (the receptionist waits for it:
// a message that cannot be saved stays in the form).
func (a *Accounts) AddMessage(m model.Message) (int64, error) {
	if m.Account == "" {
		m.Account = a.home
	}
	ctx, cancel := a.ctx()
	defer cancel()
	return a.w.Store().AddMessage(ctx, m)
}

// Messages returns every message in scope, newest first.
func (a *Accounts) Messages() ([]model.Message, error) {
	ctx, cancel := a.ctx()
	defer cancel()
	return a.w.Store().Messages(ctx, a.scope, MessageQuery{})
}

// MarkDone marks a message in scope done or open.
func (a *Accounts) MarkDone(id int64, done bool) error {
	ctx, cancel := a.ctx()
	defer cancel()
	return a.w.Store().MarkDone(ctx, a.scope, id, done)
}

// Changed signals that something in scope, or the writer's health,
// changed.
func (a *Accounts) Changed() <-chan struct{} { return a.changed }

// Saving is nil while the history is being saved, or why it is not.
func (a *Accounts) Saving() error { return a.w.Err() }

// Pending is how many writes wait to be saved.
func (a *Accounts) Pending() int { return a.w.Pending() }

// Flush waits until every queued write is saved, or ctx ends.
func (a *Accounts) Flush(ctx context.Context) error { return a.w.Flush(ctx) }
