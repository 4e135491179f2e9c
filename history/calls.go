package history

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Direction says who placed the call.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Outcome is how a call ended. The values are the words model.Outcome's
// String method uses, so a caller converts with Outcome(o.String()).
type Outcome string

// Outcomes.
const (
	OutcomeAnswered Outcome = "answered"
	OutcomeMissed   Outcome = "missed"
	OutcomeIgnored  Outcome = "ignored"
	OutcomeOutbound Outcome = "outbound"
	OutcomeUnknown  Outcome = "unknown"
)

func (o Outcome) valid() bool {
	switch o {
	case OutcomeAnswered, OutcomeMissed, OutcomeIgnored, OutcomeOutbound, OutcomeUnknown:
		return true
	}
	return false
}

// Entry is one ended call.
type Entry struct {
	ID        int64 // assigned by the store
	CallID    string
	DID       string // the account's line the call was on, if known
	Direction Direction
	Outcome   Outcome // "" is stored as OutcomeUnknown
	Number    string  // the other party's number, as received
	Name      string  // from the directory, if found
	CLID      string  // caller-ID name from the phone system
	Start     time.Time
	Ring      time.Duration
	Talk      time.Duration
	Hold      time.Duration
	Ended     time.Time // zero if unknown
}

// At is when the call ended, or when it started if its end is unknown.
func (e Entry) At() time.Time {
	if e.Ended.IsZero() {
		return e.Start
	}
	return e.Ended
}

const insertCall = `INSERT INTO calls
	(call_id, did, direction, outcome, number, digits, name, clid, folded, start_ms, ring_ms, talk_ms, hold_ms, ended_ms)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (call_id, start_ms) DO UPDATE SET
		did       = CASE WHEN excluded.did    <> '' THEN excluded.did    ELSE did    END,
		direction = excluded.direction,
		outcome   = excluded.outcome,
		number    = CASE WHEN excluded.number <> '' THEN excluded.number ELSE number END,
		digits    = CASE WHEN excluded.number <> '' THEN excluded.digits ELSE digits END,
		name      = CASE WHEN excluded.name   <> '' THEN excluded.name   ELSE name   END,
		clid      = CASE WHEN excluded.clid   <> '' THEN excluded.clid   ELSE clid   END,
		folded    = lower(CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END) || char(10) ||
		            lower(CASE WHEN excluded.clid <> '' THEN excluded.clid ELSE clid END),
		ring_ms   = excluded.ring_ms,
		talk_ms   = excluded.talk_ms,
		hold_ms   = excluded.hold_ms,
		ended_ms  = COALESCE(excluded.ended_ms, ended_ms)`

// Add records an ended call in one transaction. Adding the same call again
// (same CallID and Start, to the millisecond) updates the row instead of
// duplicating it; empty text fields do not overwrite known ones.
func (s *Store) Add(e Entry) error {
	args, err := callArgs(e)
	if err != nil {
		return err
	}
	if _, err := s.db.Exec(insertCall, args...); err != nil {
		return fmt.Errorf("history: add call %s: %w", e.CallID, err)
	}
	return nil
}

func callArgs(e Entry) ([]any, error) {
	if e.CallID == "" {
		return nil, errors.New("history: call without an id")
	}
	if e.Start.IsZero() {
		return nil, fmt.Errorf("history: call %s without a start time", e.CallID)
	}
	if e.Direction != Inbound && e.Direction != Outbound {
		return nil, fmt.Errorf("history: call %s: direction %q is neither inbound nor outbound", e.CallID, e.Direction)
	}
	if e.Outcome == "" {
		e.Outcome = OutcomeUnknown
	}
	if !e.Outcome.valid() {
		return nil, fmt.Errorf("history: call %s: unknown outcome %q", e.CallID, e.Outcome)
	}
	return []any{
		e.CallID, e.DID, string(e.Direction), string(e.Outcome), e.Number, digits(e.Number),
		e.Name, e.CLID, strings.ToLower(e.Name) + "\n" + strings.ToLower(e.CLID),
		ms(e.Start), e.Ring.Milliseconds(), e.Talk.Milliseconds(), e.Hold.Milliseconds(), nullMS(e.Ended),
	}, nil
}

// Filter selects calls for Query. Missed, Inbound and Outbound select by
// kind and combine with OR (Missed is the missed inbound calls; none set
// means every call); the other fields narrow further.
type Filter struct {
	Missed, Inbound, Outbound bool
	DID                       string    // only calls on this line, if set
	Since                     time.Time // only calls that started at or after Since, if set
	// Search matches a substring of the name or caller-ID name (any case),
	// or, when it looks like a phone number, a run of the number's digits.
	Search string
	Limit  int // 0 means no limit
	Offset int
}

// Query returns the calls that match f, newest first.
func (s *Store) Query(f Filter) ([]Entry, error) {
	var where []string
	var args []any
	if f.Missed || f.Inbound || f.Outbound {
		var kinds []string
		if f.Missed {
			kinds = append(kinds, `outcome = 'missed'`)
		}
		if f.Inbound {
			kinds = append(kinds, `direction = 'inbound'`)
		}
		if f.Outbound {
			kinds = append(kinds, `direction = 'outbound'`)
		}
		where = append(where, "("+strings.Join(kinds, " OR ")+")")
	}
	if f.DID != "" {
		where = append(where, `did = ?`)
		args = append(args, f.DID)
	}
	if !f.Since.IsZero() {
		where = append(where, `start_ms >= ?`)
		args = append(args, ms(f.Since))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		if d := digits(q); d != "" && phoneLike(q) {
			if len(d) == 11 && d[0] == '1' {
				d = d[1:]
			}
			where = append(where, `instr(digits, ?) > 0`)
			args = append(args, d)
		} else {
			where = append(where, `instr(folded, ?) > 0`)
			args = append(args, strings.ToLower(q))
		}
	}
	query := `SELECT id, call_id, did, direction, outcome, number, name, clid, start_ms, ring_ms, talk_ms, hold_ms, ended_ms FROM calls`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += ` ORDER BY start_ms DESC, id DESC`
	if f.Limit > 0 || f.Offset > 0 {
		limit := f.Limit
		if limit <= 0 {
			limit = -1
		}
		query += ` LIMIT ? OFFSET ?`
		args = append(args, limit, max(f.Offset, 0))
	}
	rows, err := s.db.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("history: query: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var dir, outcome string
		var start, ring, talk, hold int64
		var ended sql.NullInt64
		if err := rows.Scan(&e.ID, &e.CallID, &e.DID, &dir, &outcome, &e.Number, &e.Name, &e.CLID,
			&start, &ring, &talk, &hold, &ended); err != nil {
			return nil, fmt.Errorf("history: query: %w", err)
		}
		e.Direction, e.Outcome = Direction(dir), Outcome(outcome)
		e.Start, e.Ended = fromMS(start), fromNullMS(ended)
		e.Ring, e.Talk, e.Hold = time.Duration(ring)*time.Millisecond, time.Duration(talk)*time.Millisecond, time.Duration(hold)*time.Millisecond
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: query: %w", err)
	}
	return out, nil
}

func phoneLike(q string) bool {
	for _, r := range q {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+-(). x", r) {
			return false
		}
	}
	return true
}

// MissedSince counts the missed calls that ended after t (or started after
// t, when their end is unknown): "missed calls since you last looked" is
// MissedSince(LastSeen()).
func (s *Store) MissedSince(t time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(`SELECT count(*) FROM calls INDEXED BY calls_missed_by_end
		WHERE outcome = 'missed' AND COALESCE(ended_ms, start_ms) > ?`, ms(t)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("history: count missed: %w", err)
	}
	return n, nil
}

// Prune deletes the calls that started before olderThan and returns how many
// it deleted. It can take a while on a large history: call it off the UI.
func (s *Store) Prune(olderThan time.Time) (int64, error) {
	res, err := s.db.Exec(`DELETE FROM calls WHERE start_ms < ?`, ms(olderThan))
	if err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("history: prune: %w", err)
	}
	return n, nil
}
