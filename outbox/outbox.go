// Package outbox delivers the messages a receptionist takes to the people
// they are for: by e-mail through an SMTP server and, when configured, as
// JSON to a webhook.
//
// A message is stored first and sent after: the store keeps one delivery per
// message and channel, and the outbox sends whichever deliveries are due,
// recording each attempt's result. A server that is down is retried with
// backoff for as long as it takes; a refusal that will not change (a 5xx
// reply, a webhook answering 4xx) marks the delivery failed with the reason.
// Nothing is kept only in memory, so a restart loses nothing.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Channel is how a delivery reaches its person.
type Channel string

const (
	Mail    Channel = "mail"
	Webhook Channel = "webhook"
)

// State is where a delivery stands.
type State string

const (
	Queued State = "queued" // not sent yet, or waiting to be tried again
	Sent   State = "sent"
	Failed State = "failed" // refused for good; LastError says why
)

// Delivery is one message on its way through one channel.
type Delivery struct {
	ID        int64 // the store's delivery id
	MessageID int64
	Channel   Channel
	To        string // an e-mail address for Mail; empty for Webhook
	Attempts  int    // attempts made before this one
	Letter    Letter
}

// Letter is what the person is told: who called, their number, when, the
// message, and who took it.
type Letter struct {
	Account      string    `json:"account,omitempty"`
	For          string    `json:"for"`
	CallerName   string    `json:"caller_name"`
	CallerNumber string    `json:"caller_number"`
	Text         string    `json:"text"`
	Taken        time.Time `json:"taken"`
	TakenBy      string    `json:"taken_by,omitempty"`
}

// Result is the outcome of one attempt, as the store records it.
type Result struct {
	State     State
	Attempts  int       // attempts made, this one included
	LastError string    // empty after a success
	NextTry   time.Time // when a Queued delivery is due again
	At        time.Time // when the attempt ended
}

// Queue is the store's side of the outbox.
type Queue interface {
	// Due returns the Queued deliveries whose next try is at or before now,
	// oldest first, and the time the next later one is due (zero if none).
	Due(ctx context.Context, now time.Time) (due []Delivery, next time.Time, err error)
	// Record stores the result of an attempt on delivery id.
	Record(ctx context.Context, id int64, r Result) error
}

// Sender sends one delivery. An error wrapped by Permanent is not retried.
type Sender interface {
	Send(ctx context.Context, d Delivery) error
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

// Outbox sends due deliveries through the sender of their channel.
type Outbox struct {
	queue   Queue
	senders map[Channel]Sender
	backoff Backoff
	now     func() time.Time
	wake    chan struct{}
	report  func(Delivery, Result)
}

// New returns an outbox over queue. Deliveries of a channel with no sender
// stay queued (the setting may be added later).
func New(queue Queue, senders map[Channel]Sender, backoff Backoff) *Outbox {
	return &Outbox{
		queue:   queue,
		senders: senders,
		backoff: backoff,
		now:     time.Now,
		wake:    make(chan struct{}, 1),
		report:  func(Delivery, Result) {},
	}
}

// OnResult sets a function called after every attempt (for logs). It must
// be set before Run.
func (o *Outbox) OnResult(f func(Delivery, Result)) { o.report = f }

// Wake asks Run to look for due deliveries now: call it after storing a
// message.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx ends. A store error is retried with
// the same backoff as a send.
func (o *Outbox) Run(ctx context.Context) error {
	storeFailures := 0
	for {
		next, err := o.sendDue(ctx)
		wait := time.Duration(-1)
		switch {
		case err != nil:
			storeFailures++
			wait = o.backoff.After(storeFailures)
		case !next.IsZero():
			storeFailures = 0
			wait = max(next.Sub(o.now()), 0)
		default:
			storeFailures = 0
		}
		if err := o.sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// sleep waits for wait (forever when negative), a Wake, or the end of ctx.
func (o *Outbox) sleep(ctx context.Context, wait time.Duration) error {
	var timer <-chan time.Time
	if wait >= 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-o.wake:
	case <-timer:
	}
	return nil
}

// sendDue sends every delivery due now and returns when the next one is
// due.
func (o *Outbox) sendDue(ctx context.Context) (time.Time, error) {
	due, next, err := o.queue.Due(ctx, o.now())
	if err != nil {
		return time.Time{}, fmt.Errorf("outbox: %w", err)
	}
	for _, d := range due {
		sender, ok := o.senders[d.Channel]
		if !ok {
			continue
		}
		r := o.attempt(ctx, sender, d)
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
		if err := o.queue.Record(ctx, d.ID, r); err != nil {
			return time.Time{}, fmt.Errorf("outbox: %w", err)
		}
		o.report(d, r)
		if r.State == Queued && (next.IsZero() || r.NextTry.Before(next)) {
			next = r.NextTry
		}
	}
	return next, nil
}

func (o *Outbox) attempt(ctx context.Context, sender Sender, d Delivery) Result {
	err := sender.Send(ctx, d)
	r := Result{Attempts: d.Attempts + 1, At: o.now()}
	var permanent *PermanentError
	switch {
	case err == nil:
		r.State = Sent
	case errors.As(err, &permanent):
		r.State = Failed
		r.LastError = err.Error()
	default:
		r.State = Queued
		r.LastError = err.Error()
		r.NextTry = r.At.Add(o.backoff.After(r.Attempts))
	}
	return r
}
