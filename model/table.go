package model

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// endedCap is how many ended calls the table keeps for Ended when nobody
// drains it.
const endedCap = 1024

// recentDeleted is how many deleted call Ids the table remembers, so that a
// late event for an ended call does not bring it back.
const recentDeleted = 1024

// Table is the live call table, keyed by line and call Id (see Key): calls
// from several phones share one table, and two phones may use the same Id.
// It is not safe for concurrent use: one owner (the tui's Update) applies
// events and reads it.
type Table struct {
	calls map[string]*entry

	// order is the display order as of the last sort. Since then, moved
	// calls were added or changed state and gone calls ended; dirty says
	// there is anything to repair.
	order  []*entry
	moved  []*entry
	dirty  bool
	resort bool // too much moved for a repair: sort it all

	counts  [StateDeleted + 1]int // live calls per state
	version uint64
	gen     uint64 // Reconcile generation

	deleted recentSet
	ended   []CallRecord
}

type entry struct {
	Call
	seen  uint64 // the last Reconcile generation that listed the call
	pos   int    // index in Table.order after the last sort
	moved bool   // in Table.moved
	gone  bool   // ended
}

// NewTable makes an empty table.
func NewTable() *Table {
	return &Table{
		calls:   make(map[string]*entry),
		deleted: newRecentSet(recentDeleted),
	}
}

// Apply applies one call event at now and reports whether the table
// changed.
//
// DELETED removes the call and records it in the history. An event for an
// Id deleted recently is dropped unless it is RINGING (a new ring). A state
// the table does not know keeps the call listed as StateUnknown with its
// RawState. Updates with a blank Id are dropped.
func (t *Table) Apply(u Update, now time.Time) bool {
	id := strings.TrimSpace(u.ID)
	if id == "" {
		return false
	}
	k := Key(u.Line, id)
	st := ParseState(u.State)
	e, ok := t.calls[k]
	if st == StateDeleted {
		t.deleted.add(k)
		if !ok {
			return false
		}
		t.end(e, now)
		return true
	}
	if !ok {
		if st != StateRinging && t.deleted.has(k) {
			return false
		}
		t.deleted.remove(k)
		t.add(k, id, u, st, now)
		return true
	}
	return t.update(e, u, st, now)
}

// Reconcile brings the table in line with a full listCalls result taken at
// now: listed calls are added or updated, calls the snapshot does not list
// have ended (into the history), and no call is ever listed twice. Items
// follow the same rules as events: the last item for an Id wins, and an Id
// deleted recently comes back only RINGING (a snapshot that crossed the
// DELETED on the wire must not leave a ghost call on screen until the next
// reconnect).
//
// The snapshot is one line's: calls of other lines are left alone, and
// each item's Line is taken to be line.
func (t *Table) Reconcile(line string, snapshot []Update, now time.Time) {
	t.gen++
	for _, u := range snapshot {
		id := strings.TrimSpace(u.ID)
		if id == "" {
			continue
		}
		u.Line = line
		k := Key(line, id)
		st := ParseState(u.State)
		e, ok := t.calls[k]
		if st == StateDeleted {
			t.deleted.add(k)
			if ok {
				t.end(e, now)
			}
			continue
		}
		switch {
		case ok:
			t.update(e, u, st, now)
		case st != StateRinging && t.deleted.has(k):
			continue
		default:
			t.deleted.remove(k)
			e = t.add(k, id, u, st, now)
		}
		e.seen = t.gen
	}
	var gone []*entry
	for _, e := range t.calls {
		if e.Line == line && e.seen != t.gen {
			gone = append(gone, e)
		}
	}
	if len(gone) == 0 {
		return
	}
	// A stable order, so the history reads the same on every run.
	slices.SortFunc(gone, func(a, b *entry) int {
		if c := a.Began.Compare(b.Began); c != 0 {
			return c
		}
		return compareIDs(a.ID, b.ID)
	})
	for _, e := range gone {
		t.deleted.add(e.Key())
		t.end(e, now)
	}
}

// MarkIgnored records that an ignore was sent for the call with this key
// (see Key), so that when it ends without being answered its outcome is
// ignored rather than missed.
func (t *Table) MarkIgnored(key string) {
	if e, ok := t.calls[strings.TrimSpace(key)]; ok && !e.Ignored {
		e.Ignored = true
		t.version++
	}
}

// Calls returns the live calls in display order: ringing (longest ringing
// first), on hold (longest held first), connected, dialling, then unknown
// states; ties by Id. The order depends only on the calls, never on the
// clock, so it is stable between ticks. The slice is the caller's.
func (t *Table) Calls() []Call {
	order := t.sorted()
	out := make([]Call, len(order))
	for i, e := range order {
		out[i] = e.Call
	}
	return out
}

// AppendCalls appends the live calls to dst in display order (see Calls)
// and returns the extended slice, so a view can reuse one buffer.
func (t *Table) AppendCalls(dst []Call) []Call {
	for _, e := range t.sorted() {
		dst = append(dst, e.Call)
	}
	return dst
}

// Index is the position of the call with this key (see Key) in display
// order, or -1.
func (t *Table) Index(key string) int {
	e, ok := t.calls[strings.TrimSpace(key)]
	if !ok {
		return -1
	}
	t.sorted()
	return e.pos
}

// Get returns the live call with this key (see Key).
func (t *Table) Get(key string) (Call, bool) {
	e, ok := t.calls[strings.TrimSpace(key)]
	if !ok {
		return Call{}, false
	}
	return e.Call, true
}

// Len is the number of live calls.
func (t *Table) Len() int { return len(t.calls) }

// Count is the number of live calls in state s.
func (t *Table) Count(s State) int {
	if s < 0 || int(s) >= len(t.counts) {
		return 0
	}
	return t.counts[s]
}

// NeedsTick reports whether any call is live, i.e. whether the clocks on
// screen are moving and the UI should keep ticking.
func (t *Table) NeedsTick() bool { return len(t.calls) > 0 }

// Version increases on every change to the table (calls, states, history),
// so a view can tell whether it must rebuild.
func (t *Table) Version() uint64 { return t.version }

// Ended returns the calls that ended since the last call of Ended, oldest
// first, and forgets them. If nobody drains it, it keeps only the most
// recent ones (between 768 and 1024).
func (t *Table) Ended() []CallRecord {
	out := t.ended
	t.ended = nil
	return out
}

func (t *Table) add(key, id string, u Update, st State, now time.Time) *entry {
	began := now.Add(-durationOf(u.Duration))
	e := &entry{Call: Call{
		ID:       id,
		Line:     u.Line,
		Ani:      u.Ani,
		CLID:     u.CLID,
		HasCLID:  u.HasCLID,
		DID:      u.DID,
		Endpoint: u.Endpoint,
		Outbound: u.Originated,
		State:    st,
		RawState: u.State,
		Began:    began,
	}}
	// How long the call has been in its state is known only for the states
	// a call starts in; a call first seen connected has most likely been
	// connected all along, one first seen on hold or in an unknown state is
	// counted from now.
	switch st {
	case StateRinging, StatePending, StateConnected:
		e.StateSince = began
	default:
		e.StateSince = now
	}
	if st == StateConnected || st == StateHolding {
		e.ConnectedAt = began
	}
	reached(&e.Call, st)
	t.calls[key] = e
	t.counts[st]++
	t.move(e)
	t.version++
	return e
}

// update applies u to a live call and reports whether anything changed.
func (t *Table) update(e *entry, u Update, st State, now time.Time) bool {
	c := &e.Call
	changed := false
	if u.Ani != "" && u.Ani != c.Ani {
		c.Ani, changed = u.Ani, true
	}
	if u.HasCLID && (!c.HasCLID || u.CLID != c.CLID) {
		c.CLID, c.HasCLID, changed = u.CLID, true, true
	}
	if u.DID != "" && u.DID != c.DID {
		c.DID, changed = u.DID, true
	}
	if u.Endpoint != "" && u.Endpoint != c.Endpoint {
		c.Endpoint, changed = u.Endpoint, true
	}
	if u.Originated != c.Outbound {
		c.Outbound, changed = u.Originated, true
	}
	newRaw := strings.TrimSpace(u.State) != strings.TrimSpace(c.RawState)
	if st != c.State || (st == StateUnknown && newRaw) {
		if c.State == StateHolding {
			c.HoldTotal += since(c.StateSince, now)
		}
		t.counts[c.State]--
		t.counts[st]++
		c.State = st
		c.StateSince = now
		if c.ConnectedAt.IsZero() && (st == StateConnected || st == StateHolding) {
			c.ConnectedAt = now
		}
		t.move(e)
		changed = true
	}
	if u.State != c.RawState {
		c.RawState, changed = u.State, true
	}
	if reached(c, st) {
		changed = true
	}
	if changed {
		t.version++
	}
	return changed
}

// reached records the milestones of reaching st: rang here, answered (an
// inbound call that has been connected).
func reached(c *Call, st State) (changed bool) {
	if st == StateRinging && !c.Rang {
		c.Rang, changed = true, true
	}
	if answered := !c.Outbound && !c.ConnectedAt.IsZero(); answered != c.Answered {
		c.Answered, changed = answered, true
	}
	return changed
}

// end removes a live call and records it for Ended.
func (t *Table) end(e *entry, now time.Time) {
	h := recordFor(&e.Call, now)
	if len(t.ended) >= endedCap {
		// Nobody is draining: drop the oldest quarter at once, so that
		// keeping the rest is not a copy on every call that ends.
		n := copy(t.ended, t.ended[endedCap/4:])
		clear(t.ended[n:])
		t.ended = t.ended[:n]
	}
	t.ended = append(t.ended, h)
	delete(t.calls, e.Key())
	t.counts[e.State]--
	e.gone = true
	t.dirty = true
	t.version++
}

// rank is a state's band in the display order.
func rank(s State) int {
	switch s {
	case StateRinging:
		return 0
	case StateHolding:
		return 1
	case StateConnected:
		return 2
	case StatePending:
		return 3
	}
	return 4
}

// sortKey is the time a call is ordered by within its band: ringing and
// holding calls by when that started (longest waiting first), the rest by
// when the call began.
func sortKey(c *Call) time.Time {
	if c.State == StateRinging || c.State == StateHolding {
		return c.StateSince
	}
	return c.Began
}

func compareCalls(a, b *entry) int {
	if c := cmp.Compare(rank(a.State), rank(b.State)); c != 0 {
		return c
	}
	if c := sortKey(&a.Call).Compare(sortKey(&b.Call)); c != 0 {
		return c
	}
	if c := compareIDs(a.ID, b.ID); c != 0 {
		return c
	}
	return strings.Compare(a.Line, b.Line)
}

// move notes that e is new or its place in the display order changed.
func (t *Table) move(e *entry) {
	t.dirty = true
	if e.moved || t.resort {
		return
	}
	if len(t.moved) >= 64 && len(t.moved) > len(t.calls) {
		// Nobody has read the order for a while: a full sort is due
		// anyway, and the list need not grow any further.
		t.forgetMoved()
		t.resort = true
		return
	}
	e.moved = true
	t.moved = append(t.moved, e)
}

func (t *Table) forgetMoved() {
	for _, e := range t.moved {
		e.moved = false
	}
	clear(t.moved)
	t.moved = t.moved[:0]
}

// sorted returns the calls in display order. Apply only marks what moved;
// the order is repaired here, when someone reads it: a few moved calls are
// taken out and put back in place by binary search, many mean a full sort.
func (t *Table) sorted() []*entry {
	if !t.dirty {
		return t.order
	}
	if t.resort || (len(t.moved) > 32 && len(t.moved) > len(t.order)/8) {
		clear(t.order)
		t.order = t.order[:0]
		for _, e := range t.calls {
			t.order = append(t.order, e)
		}
		slices.SortFunc(t.order, compareCalls)
		t.forgetMoved()
		t.resort = false
	} else {
		kept := t.order[:0]
		for _, e := range t.order {
			if !e.moved && !e.gone {
				kept = append(kept, e)
			}
		}
		clear(t.order[len(kept):])
		t.order = kept
		for _, e := range t.moved {
			e.moved = false
			if e.gone {
				continue
			}
			i, _ := slices.BinarySearchFunc(t.order, e, compareCalls)
			t.order = slices.Insert(t.order, i, e)
		}
		clear(t.moved)
		t.moved = t.moved[:0]
	}
	for i, e := range t.order {
		e.pos = i
	}
	t.dirty = false
	return t.order
}

// compareIDs orders numeric Ids by value ("9" before "10") and anything
// else as text.
func compareIDs(a, b string) int {
	if isDigits(a) && isDigits(b) {
		a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// recentSet remembers the last n call keys added to it.
type recentSet struct {
	seq  uint64
	m    map[string]uint64 // Id -> seq of its latest add
	fifo []recentID
	next int
}

type recentID struct {
	id  string
	seq uint64
}

func newRecentSet(n int) recentSet {
	return recentSet{m: make(map[string]uint64), fifo: make([]recentID, n)}
}

func (r *recentSet) add(id string) {
	r.seq++
	if old := r.fifo[r.next]; old.id != "" && r.m[old.id] == old.seq {
		delete(r.m, old.id)
	}
	r.fifo[r.next] = recentID{id, r.seq}
	r.next = (r.next + 1) % len(r.fifo)
	r.m[id] = r.seq
}

func (r *recentSet) has(id string) bool { _, ok := r.m[id]; return ok }

func (r *recentSet) remove(id string) { delete(r.m, id) }
