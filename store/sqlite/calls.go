package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

const insertCall = `INSERT INTO calls
	(account, call_id, did, direction, outcome, number, digits, name, clid, folded, start_ms, ring_ms, talk_ms, hold_ms, ended_ms, last_state, number_key)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

const callColumns = `id, account, call_id, did, direction, outcome, number, name, clid, start_ms, ring_ms, talk_ms, hold_ms, ended_ms, last_state, handled_ms, handled_by, ` + reachedColumn

// reachedColumn is when a missed call's number was reached: the start of
// the first later call on the account with the same number that
// connected (answered, or placed and talked). NULL for other calls.
const reachedColumn = `CASE WHEN calls.outcome = 'missed' AND calls.number_key <> '' THEN
	(SELECT min(r.start_ms) FROM calls AS r INDEXED BY calls_connected_by_number
	 WHERE r.account = calls.account AND r.number_key = calls.number_key AND r.start_ms > calls.start_ms
	   AND (r.outcome = 'answered' OR (r.outcome = 'outbound' AND r.talk_ms > 0))) END`

// openMissed is the condition of a missed call still open.
const openMissed = `calls.outcome = 'missed' AND calls.handled_ms IS NULL AND (` + reachedColumn + `) IS NULL`

// Write applies b in one transaction.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	for _, c := range b.Calls {
		if err := validCall(c); err != nil {
			return fmt.Errorf("history: %w", err)
		}
	}
	return s.write(ctx, fmt.Sprintf("save %d calls", len(b.Calls)), func(tx *sql.Tx) error {
		find, err := tx.PrepareContext(ctx, `SELECT `+callColumns+` FROM calls INDEXED BY calls_by_call
			WHERE account = ? AND call_id = ? AND start_ms <= ? AND COALESCE(ended_ms, start_ms) >= ?
			ORDER BY start_ms DESC LIMIT 1`)
		if err != nil {
			return err
		}
		defer find.Close()
		insert, err := tx.PrepareContext(ctx, insertCall)
		if err != nil {
			return err
		}
		defer insert.Close()
		for _, c := range b.Calls {
			if err := saveCall(ctx, tx, find, insert, c); err != nil {
				return fmt.Errorf("call %s: %w", c.CallID, err)
			}
		}
		return nil
	})
}

func validCall(c model.CallRecord) error {
	switch {
	case c.CallID == "":
		return errors.New("a call without an id")
	case c.Start.IsZero():
		return fmt.Errorf("call %s without a start time", c.CallID)
	}
	return nil
}

// saveCall merges c into the row of the same call, or inserts it.
func saveCall(ctx context.Context, tx *sql.Tx, find, insert *sql.Stmt, c model.CallRecord) error {
	old, err := scanCall(find.QueryRowContext(ctx, c.Account, c.CallID,
		ms(c.At().Add(store.SameCallSlack)), ms(c.Start.Add(-store.SameCallSlack))))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err := insert.ExecContext(ctx, callArgs(c)...)
		return err
	case err != nil:
		return err
	}
	m := store.Merge(old, c)
	_, err = tx.ExecContext(ctx, `UPDATE calls SET
		account = ?, call_id = ?, did = ?, direction = ?, outcome = ?, number = ?, digits = ?, name = ?, clid = ?, folded = ?,
		start_ms = ?, ring_ms = ?, talk_ms = ?, hold_ms = ?, ended_ms = ?, last_state = ?, number_key = ?
		WHERE id = ?`, append(callArgs(m), old.ID)...)
	return err
}

func callArgs(c model.CallRecord) []any {
	clid := ""
	if c.HasCLID {
		clid = c.CLID
	}
	return []any{
		c.Account, c.CallID, c.DID, c.Direction(), c.Outcome.String(), c.Ani, digits(c.Ani),
		c.Name, clid, strings.ToLower(c.Name) + "\n" + strings.ToLower(clid),
		ms(c.Start), c.Ring.Milliseconds(), c.Talk.Milliseconds(), c.Hold.Milliseconds(), nullMS(c.End),
		lastState(c.LastState), model.NumberKey(c.Ani),
	}
}

// lastState is how a call's last state is stored: the API's word, or ""
// when unknown.
func lastState(s model.State) string {
	if s == model.StateUnknown {
		return ""
	}
	return s.String()
}

type scanner interface{ Scan(dest ...any) error }

func scanCall(row scanner) (model.CallRecord, error) {
	var c model.CallRecord
	var dir, outcome, last string
	var start, ring, talk, hold int64
	var ended, handled, reached sql.NullInt64
	if err := row.Scan(&c.ID, &c.Account, &c.CallID, &c.DID, &dir, &outcome, &c.Ani, &c.Name, &c.CLID,
		&start, &ring, &talk, &hold, &ended, &last, &handled, &c.HandledBy, &reached); err != nil {
		return c, err
	}
	c.Handled, c.Reached = fromNullMS(handled), fromNullMS(reached)
	c.LastState = model.ParseState(last)
	c.HasCLID = c.CLID != ""
	c.Outbound, c.Outcome = dir == "outbound", model.ParseOutcome(outcome)
	c.Start, c.End = fromMS(start), fromNullMS(ended)
	c.Ring, c.Talk, c.Hold = time.Duration(ring)*time.Millisecond, time.Duration(talk)*time.Millisecond, time.Duration(hold)*time.Millisecond
	return c, nil
}

// Calls returns the calls in scope that match q, newest first.
func (s *Store) Calls(ctx context.Context, scope store.Scope, q model.CallQuery) ([]model.CallRecord, error) {
	cond, args := inScope("account", scope)
	where := []string{cond}
	if q.Missed || q.Inbound || q.Outbound {
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
		where = append(where, "("+strings.Join(kinds, " OR ")+")")
	}
	if q.Open {
		where = append(where, openMissed)
	}
	if !q.Since.IsZero() {
		where = append(where, `start_ms >= ?`)
		args = append(args, ms(q.Since))
	}
	if text := strings.TrimSpace(q.Search); text != "" {
		if d := digits(text); d != "" && phoneLike(text) {
			if len(d) == 11 && d[0] == '1' {
				d = d[1:]
			}
			where = append(where, `instr(digits, ?) > 0`)
			args = append(args, d)
		} else {
			where = append(where, `instr(folded, ?) > 0`)
			args = append(args, strings.ToLower(text))
		}
	}
	query := `SELECT ` + callColumns + ` FROM calls WHERE ` + strings.Join(where, " AND ") + ` ORDER BY start_ms DESC, id DESC`
	if q.Limit > 0 || q.Offset > 0 {
		limit := q.Limit
		if limit <= 0 {
			limit = -1
		}
		query += ` LIMIT ? OFFSET ?`
		args = append(args, limit, max(q.Offset, 0))
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("history: calls: %w", classify(err))
	}
	defer rows.Close()
	var out []model.CallRecord
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, fmt.Errorf("history: calls: %w", classify(err))
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: calls: %w", classify(err))
	}
	return out, nil
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

func phoneLike(q string) bool {
	for _, r := range q {
		if !(r >= '0' && r <= '9') && !strings.ContainsRune("+-(). x", r) {
			return false
		}
	}
	return true
}

// OpenMissed counts the missed calls in scope still open. Rather than
// look for a later connected call once per missed call, it finds each
// number's last connected call once, then counts the number's unhandled
// missed calls that came after it (or at the same moment): on a history
// with repeat callers that is several times fewer look-ups.
func (s *Store) OpenMissed(ctx context.Context, scope store.Scope) (int, error) {
	cond, args := inScope("g.account", scope)
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM calls AS m INDEXED BY calls_unhandled_missed
		JOIN (SELECT g.account, g.number_key,
				(SELECT max(r.start_ms) FROM calls AS r INDEXED BY calls_connected_by_number
				 WHERE r.account = g.account AND r.number_key = g.number_key
				   AND (r.outcome = 'answered' OR (r.outcome = 'outbound' AND r.talk_ms > 0))) AS last_connected
			FROM calls AS g INDEXED BY calls_unhandled_missed
			WHERE `+cond+` AND g.outcome = 'missed' AND g.handled_ms IS NULL
			GROUP BY g.account, g.number_key) AS n ON m.account = n.account AND m.number_key = n.number_key
		WHERE m.outcome = 'missed' AND m.handled_ms IS NULL
		  AND (m.number_key = '' OR n.last_connected IS NULL OR n.last_connected <= m.start_ms)`, args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("history: count open missed calls: %w", classify(err))
	}
	return n, nil
}

// MarkHandled marks the missed call id handled.
func (s *Store) MarkHandled(ctx context.Context, scope store.Scope, id int64, by string, at time.Time) error {
	cond, args := inScope("account", scope)
	return s.write(ctx, fmt.Sprintf("mark call %d handled", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE calls SET handled_ms = ?, handled_by = ? WHERE id = ? AND `+cond,
			append([]any{ms(at), by, id}, args...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("call %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// Prune deletes the calls that started before t.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "prune", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM calls WHERE start_ms < ?`, ms(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
