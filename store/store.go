// Package store is the console's memory: the call history, the "while you
// were out" messages. Store is
// what every database engine implements (store/sqlite, the default, and
// store/postgres, for a team of boxes); store/storetest is the suite each
// of them passes.
//
// Everything belongs to an account (its DID) and every read is limited to
// a Scope, the accounts one console works. The Writer in front of a Store
// queues the console's background writes (ended calls) and
// keeps them while the database is unreachable; Accounts is the store as
// one console sees it.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// Store is one history and message database. Implementations are safe for
// concurrent use by several consoles, and several processes or boxes may
// share one database.
type Store interface {
	// Write applies b in one transaction: all of it is stored, or none.
	//
	// A call is one row however many consoles saw it: a call already
	// stored for the same account and call Id whose lifetime overlaps (or
	// comes within SameCallSlack of) the new record's is merged into that
	// row with Merge.
	Write(ctx context.Context, b Batch) error
	// Calls returns the stored calls in scope that match q, newest start
	// first.
	Calls(ctx context.Context, scope Scope, q model.CallQuery) ([]model.CallRecord, error)
	// OpenMissed counts the missed calls in scope that are still open: no
	// later call on their account to or from the same number connected
	// (numbers match on model.NumberKey), and nobody marked them handled.
	OpenMissed(ctx context.Context, scope Scope) (int, error)
	// MarkHandled records that the missed call id was dealt with, by whom
	// (a name to show) and when. A call that is not in scope is
	// ErrNotFound.
	MarkHandled(ctx context.Context, scope Scope, id int64, by string, at time.Time) error
	// Prune deletes the calls of every account that started before t and
	// returns how many it deleted.
	Prune(ctx context.Context, before time.Time) (int64, error)

	// AddMessage stores m and returns its id. A message that says nothing
	// (model.Message.Empty) is refused with ErrEmptyMessage. Its
	// Deliveries are stored in the same transaction, queued and due at
	// once, whatever their State says.
	AddMessage(ctx context.Context, m model.Message) (int64, error)
	// Messages returns the messages in scope that match q, newest first.
	Messages(ctx context.Context, scope Scope, q MessageQuery) ([]model.Message, error)
	// ClaimDeliveries returns the queued deliveries of every account due
	// at or before now, oldest first, each with its message, and when the
	// next later one is due (zero if none). Each returned delivery is
	// claimed for lease: no other handle, process or box gets it until
	// then, so a delivery is attempted by one sender at a time, and again
	// after the lease if its sender died before recording the outcome.
	ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration) ([]DueDelivery, time.Time, error)
	// RecordDelivery stores the outcome of an attempt at delivery d.ID:
	// its State, Attempts, LastError, NextTry and Updated.
	RecordDelivery(ctx context.Context, d model.Delivery) error

	// MarkDone marks a message done (or open again). A message that does
	// not exist or is out of scope is ErrNotFound.
	MarkDone(ctx context.Context, scope Scope, id int64, done bool) error

	// Watch reports changes to the database made by anyone (this handle,
	// another process, another box) until ctx ends, when the channel is
	// closed. A change is reported within a second. Changes the reader has
	// not taken yet are merged into one (see Change.Merge), so a slow
	// reader is never blocking the database.
	Watch(ctx context.Context) (<-chan Change, error)

	// Close releases the database.
	Close() error
}

// Batch is what Store.Write applies in one transaction.
type Batch struct {
	Calls []model.CallRecord // ended calls; each needs an Account, a CallID and a Start
}

// Len is how many writes the batch holds.
func (b Batch) Len() int { return len(b.Calls) }

// Scope is the accounts one console (or command) works. The zero Scope
// sees nothing.
type Scope struct {
	Accounts []string // the accounts' DIDs
	// Unowned also shows what was stored before records had an account
	// (Account ""): the top-level account sees it, or every account when
	// there is none.
	Unowned bool
}

// Has reports whether an account's records are in scope.
func (s Scope) Has(account string) bool {
	if account == "" {
		return s.Unowned
	}
	for _, a := range s.Accounts {
		if a == account {
			return true
		}
	}
	return false
}

// Owners is every account value in scope, "" included for Unowned: what a
// query matches its account column against.
func (s Scope) Owners() []string {
	out := make([]string, 0, len(s.Accounts)+1)
	for _, a := range s.Accounts {
		if a != "" {
			out = append(out, a)
		}
	}
	if s.Unowned {
		out = append(out, "")
	}
	return out
}

// DueDelivery is a delivery due to be attempted, with the message it
// carries.
type DueDelivery struct {
	Delivery model.Delivery
	Message  model.Message
}

// MessageQuery selects messages.
type MessageQuery struct {
	OpenOnly bool   // leave out messages marked done
	For      string // only messages for this person (exact), if set
	Limit    int    // 0: no limit
}

// What says which kind of record changed.
type What uint8

// Kinds of change.
const (
	ChangedCalls What = 1 << iota
	ChangedMessages

	ChangedAll = ChangedCalls | ChangedMessages
)

// Change is something that changed in the store. An engine that cannot
// tell what changed reports ChangedAll for every account (Account "").
type Change struct {
	What    What
	Account string // the account whose records changed; "" for any or several
}

// Merge is one change that stands for both c and d.
func (c Change) Merge(d Change) Change {
	out := Change{What: c.What | d.What, Account: c.Account}
	if c.Account != d.Account {
		out.Account = ""
	}
	return out
}

// Concerns reports whether the change may touch what scope sees.
func (c Change) Concerns(scope Scope) bool {
	return c.Account == "" || scope.Has(c.Account)
}

// SameCallSlack is how far apart two sightings of one call Id on one
// account may be and still be one call: clocks of two boxes differ, and a
// console that starts mid-call dates the call's start from its duration.
const SameCallSlack = time.Minute

// Errors an engine wraps, so that the console can say what is wrong.
var (
	ErrNotFound     = errors.New("not found")
	ErrEmptyMessage = errors.New("the message is empty: give a name, a number or some text")
	// ErrDamaged is a database that failed its integrity check or is not
	// a database at all.
	ErrDamaged = errors.New("the database is damaged")
	// ErrFull is a disk (or database size limit) that has no room left.
	ErrFull = errors.New("the disk is full")
	// ErrReadOnly is a write to a store opened read-only.
	ErrReadOnly = errors.New("the database is open read-only")
)
