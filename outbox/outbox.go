// Package outbox delivers the messages a receptionist takes to the people
// they are for: by e-mail through an SMTP server and, when configured, as
// JSON to a webhook.
//
// A message is stored first, with its deliveries queued, and sent after:
// the outbox claims the deliveries that are due from the store, sends each
// through the sender of its channel and records the outcome. A server that
// is down is retried with backoff for as long as it takes; a refusal that
// will not change (a 5xx reply, a webhook answering 4xx) marks the delivery
// failed with the reason. Nothing is kept only in memory, so a restart
// loses nothing, and a claim keeps two boxes on one database from sending a
// delivery twice.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

// Queue is the store's side of the outbox (store.Store has it). Its
// change feed wakes the outbox for a message taken by another console or
// box.
type Queue interface {
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration) ([]store.DueDelivery, time.Time, error)
	RecordDelivery(ctx context.Context, d model.Delivery) error
	Watch(ctx context.Context) (<-chan store.Change, error)
}

// Sender sends one delivery of message m. An error wrapped by Permanent
// is not retried.
type Sender interface {
	Send(ctx context.Context, d model.Delivery, m model.Message) error
}

// PermanentError is a refusal that sending again will not change.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as a refusal not worth retrying.
func Permanent(err error) error { return &PermanentError{Err: err} }

// Backoff is the wait before retry number n (n ≥ 1): doubling from First up
// to Max.
type Backoff struct{ First, Max time.Duration }

// DefaultBackoff retries after 30 s, then 1, 2, 4… minutes, at most every
// 15 minutes.
var DefaultBackoff = Backoff{First: 30 * time.Second, Max: 15 * time.Minute}

// After returns the wait after n failed attempts.
func (b Backoff) After(n int) time.Duration {
	d := b.First
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// lease is how long a claimed delivery is kept from other senders: longer
// than any attempt takes (the SMTP and webhook timeouts are 30 s).
const lease = 2 * time.Minute

// Outbox sends due deliveries through the sender of their channel.
type Outbox struct {
	queue   Queue
	senders map[model.Channel]Sender
	backoff Backoff
	now     func() time.Time
	wake    chan struct{}
	report  func(model.Delivery, model.Message)
}

// New returns an outbox over queue. A delivery whose channel has no sender
// stays queued (its setting may come back).
func New(queue Queue, senders map[model.Channel]Sender, backoff Backoff) *Outbox {
	return &Outbox{
		queue:   queue,
		senders: senders,
		backoff: backoff,
		now:     time.Now,
		wake:    make(chan struct{}, 1),
		report:  func(model.Delivery, model.Message) {},
	}
}

// OnResult sets a function called with each attempt's outcome (for the
// log). Set it before Run.
func (o *Outbox) OnResult(f func(model.Delivery, model.Message)) { o.report = f }

// Wake asks Run to look for due deliveries now: call it after storing a
// message.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends. A store that fails is asked
// again with the same backoff as a send.
func (o *Outbox) Run(ctx context.Context) error {
	changes, err := o.queue.Watch(ctx)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	storeFailures := 0
	for {
		next, err := o.sendDue(ctx)
		wait := time.Duration(-1) // until woken
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			storeFailures++
			wait = o.backoff.After(storeFailures)
		case !next.IsZero():
			storeFailures = 0
			wait = max(next.Sub(o.now()), 0)
		default:
			storeFailures = 0
		}
		if err := o.sleep(ctx, wait, changes); err != nil {
			return err
		}
	}
}

// sleep waits for wait (until woken when negative), a Wake, a change to
// the messages, or the end of ctx.
func (o *Outbox) sleep(ctx context.Context, wait time.Duration, changes <-chan store.Change) error {
	var timer <-chan time.Time
	if wait >= 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-o.wake:
			return nil
		case <-timer:
			return nil
		case c, ok := <-changes:
			if !ok {
				return ctx.Err()
			}
			if c.What&store.ChangedMessages != 0 {
				return nil
			}
		}
	}
}

// sendDue sends every delivery due now and returns when the next one is
// due.
func (o *Outbox) sendDue(ctx context.Context) (time.Time, error) {
	due, next, err := o.queue.ClaimDeliveries(ctx, o.now(), lease)
	if err != nil {
		return time.Time{}, fmt.Errorf("outbox: %w", err)
	}
	for _, dd := range due {
		d := dd.Delivery
		sender, ok := o.senders[d.Channel]
		if !ok {
			continue // claimed, so tried again after the lease
		}
		d = o.attempt(ctx, sender, d, dd.Message)
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		if err := o.queue.RecordDelivery(ctx, d); err != nil {
			return time.Time{}, fmt.Errorf("outbox: %w", err)
		}
		o.report(d, dd.Message)
		if d.State == model.DeliveryQueued && (next.IsZero() || d.NextTry.Before(next)) {
			next = d.NextTry
		}
	}
	return next, nil
}

// attempt sends d once and returns it with the outcome.
func (o *Outbox) attempt(ctx context.Context, sender Sender, d model.Delivery, m model.Message) model.Delivery {
	err := sender.Send(ctx, d, m)
	d.Attempts++
	d.Updated = o.now()
	var permanent *PermanentError
	switch {
	case err == nil:
		d.State, d.LastError = model.DeliverySent, ""
	case errors.As(err, &permanent):
		d.State, d.LastError = model.DeliveryFailed, err.Error()
	default:
		d.State, d.LastError = model.DeliveryQueued, err.Error()
		d.NextTry = d.Updated.Add(o.backoff.After(d.Attempts))
	}
	return d
}
