package store

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// What both engines store alike: the columns of a call and of a message
// in one order, the values derived for search and follow-ups, and the
// conditions of a call query that read the same in either SQL dialect.
// Each engine writes its own SQL around them (its placeholders, its
// column types: SQLite keeps times as Unix milliseconds, PostgreSQL as
// timestamptz).

// Check reports the first call of the batch that cannot be stored.
func (b Batch) Check() error {
	for _, c := range b.Calls {
		switch {
		case c.CallID == "":
			return errors.New("a call without an id")
		case c.Start.IsZero():
			return fmt.Errorf("call %s without a start time", c.CallID)
		}
	}
	return nil
}

// CallValues are the values of a call's stored columns, in this order:
// account, call_id, did, direction, outcome, number, digits, name, clid,
// folded, the start, ring_ms, talk_ms, hold_ms, the end, last_state,
// number_key. at encodes the start and the end (a zero end is NULL) as
// the engine stores times.
func CallValues(c model.CallRecord, at func(time.Time) any) []any {
	clid := ""
	if c.HasCLID {
		clid = c.CLID
	}
	lastState := "" // unknown
	if c.LastState != model.StateUnknown {
		lastState = c.LastState.String()
	}
	return []any{
		c.Account, c.CallID, c.DID, c.Direction(), c.Outcome.String(), c.Ani, digits(c.Ani),
		c.Name, clid, strings.ToLower(c.Name) + "\n" + strings.ToLower(clid),
		at(c.Start), c.Ring.Milliseconds(), c.Talk.Milliseconds(), c.Hold.Milliseconds(), at(c.End),
		lastState, model.NumberKey(c.Ani),
	}
}

// CallScan receives a stored call's columns, read in this order: id,
// account, call_id, did, direction, outcome, number, name, clid, the
// start, ring_ms, talk_ms, hold_ms, the end, last_state, the time it was
// handled, handled_by, the time it was reached.
type CallScan struct {
	rec                      model.CallRecord
	direction, outcome, last string
	ringMS, talkMS, holdMS   int64
}

// Dest is what to scan a row into; start, end, handled and reached
// receive the times as the engine stores them.
func (s *CallScan) Dest(start, end, handled, reached any) []any {
	r := &s.rec
	return []any{&r.ID, &r.Account, &r.CallID, &r.DID, &s.direction, &s.outcome, &r.Ani, &r.Name, &r.CLID,
		start, &s.ringMS, &s.talkMS, &s.holdMS, end, &s.last, handled, &r.HandledBy, reached}
}

// Record is the call scanned, given its times decoded (zero for NULL).
func (s *CallScan) Record(start, end, handled, reached time.Time) model.CallRecord {
	c := s.rec
	c.Start, c.End, c.Handled, c.Reached = start, end, handled, reached
	c.LastState = model.ParseState(s.last)
	c.HasCLID = c.CLID != ""
	c.Outbound, c.Outcome = s.direction == "outbound", model.ParseOutcome(s.outcome)
	c.Ring = time.Duration(s.ringMS) * time.Millisecond
	c.Talk = time.Duration(s.talkMS) * time.Millisecond
	c.Hold = time.Duration(s.holdMS) * time.Millisecond
	return c
}

// KindCondition is the condition of q's Missed, Inbound and Outbound
// filters (a call that is any of those asked for), or "" when q asks for
// none.
func KindCondition(q model.CallQuery) string {
	var kinds []string
	if q.Missed {
		kinds = append(kinds, `outcome = 'missed'`)
	}
	if q.Inbound {
		kinds = append(kinds, `direction = 'inbound'`)
	}
	if q.Outbound {
		kinds = append(kinds, `direction = 'outbound'`)
	}
	if len(kinds) == 0 {
		return ""
	}
	return "(" + strings.Join(kinds, " OR ") + ")"
}

// SearchTerm says how a search is matched: a search that looks like a
// phone number is looked for in the number's digits (column "digits",
// without a North American leading 1), any other in the lower-cased name
// and CLID ("folded"). column is "" for no search.
func SearchTerm(search string) (column, value string) {
	text := strings.TrimSpace(search)
	if text == "" {
		return "", ""
	}
	if d := digits(text); d != "" && phoneLike(text) {
		if len(d) == 11 && d[0] == '1' {
			d = d[1:]
		}
		return "digits", d
	}
	return "folded", strings.ToLower(text)
}

// digits returns only the ASCII digits of s.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// phoneLike reports whether a search looks like a phone number, to be
// matched against the digits rather than the names.
func phoneLike(q string) bool {
	for _, r := range q {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+-(). x", r) {
			return false
		}
	}
	return true
}

// NewMessage is m as AddMessage stores it: refused with ErrEmptyMessage
// when it says nothing, created now when it has no time.
func NewMessage(m model.Message) (model.Message, error) {
	if m.Empty() {
		return m, ErrEmptyMessage
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	return m, nil
}

// MessageColumns are a message's stored columns but its id, in the order
// of MessageDest, with created for the column of its creation time.
func MessageColumns(created string) string {
	return `account, for_whom, caller_name, caller_number, text, call_id, ` + created + `, done, taken_by`
}

// MessageValues are the values of MessageColumns for m, with created its
// creation time as the engine stores it.
func MessageValues(m model.Message, created any) []any {
	return []any{m.Account, m.For, m.CallerName, m.CallerNumber, m.Text, m.CallID, created, m.Done, m.TakenBy}
}

// MessageDest is what to scan a message's id and MessageColumns into;
// created receives the creation time as the engine stores it.
func MessageDest(m *model.Message, created any) []any {
	return []any{&m.ID, &m.Account, &m.For, &m.CallerName, &m.CallerNumber, &m.Text, &m.CallID, created, &m.Done, &m.TakenBy}
}

// DeliveryScan receives a delivery's columns, read in this order: id,
// message_id, channel, recipient, state, attempts, last_error, the next
// try, the last update.
type DeliveryScan struct {
	d              model.Delivery
	channel, state string
}

// Dest is what to scan a row into; next and updated receive the times as
// the engine stores them.
func (s *DeliveryScan) Dest(next, updated any) []any {
	d := &s.d
	return []any{&d.ID, &d.MessageID, &s.channel, &d.To, &s.state, &d.Attempts, &d.LastError, next, updated}
}

// Delivery is the delivery scanned, given its times decoded (zero for
// NULL).
func (s *DeliveryScan) Delivery(next, updated time.Time) model.Delivery {
	d := s.d
	d.Channel, d.State = model.Channel(s.channel), model.DeliveryState(s.state)
	d.NextTry, d.Updated = next, updated
	return d
}

// Attach adds each delivery to the message it belongs to.
func Attach(msgs []model.Message, ds []model.Delivery) {
	byID := make(map[int64]*model.Message, len(msgs))
	for i := range msgs {
		byID[msgs[i].ID] = &msgs[i]
	}
	for _, d := range ds {
		if m := byID[d.MessageID]; m != nil {
			m.Deliveries = append(m.Deliveries, d)
		}
	}
}
