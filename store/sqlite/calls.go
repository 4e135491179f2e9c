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
	if err := b.Check(); err != nil {
		return fmt.Errorf("history: %w", err)
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
	return store.CallValues(c, func(t time.Time) any { return nullMS(t) })
}

func scanCall(row scanner) (model.CallRecord, error) {
	var sc store.CallScan
	var start int64
	var ended, handled, reached sql.NullInt64
	if err := row.Scan(sc.Dest(&start, &ended, &handled, &reached)...); err != nil {
		return model.CallRecord{}, err
	}
	return sc.Record(fromMS(start), fromNullMS(ended), fromNullMS(handled), fromNullMS(reached)), nil
}

// Calls returns the calls in scope that match q, newest first.
func (s *Store) Calls(ctx context.Context, scope store.Scope, q model.CallQuery) ([]model.CallRecord, error) {
	cond, args := inScope("account", scope)
	where := []string{cond}
	if kinds := store.KindCondition(q); kinds != "" {
		where = append(where, kinds)
	}
	if q.Open {
		where = append(where, openMissed)
	}
	if !q.Since.IsZero() {
		where = append(where, `start_ms >= ?`)
		args = append(args, ms(q.Since))
	}
	if column, value := store.SearchTerm(q.Search); column != "" {
		where = append(where, `instr(`+column+`, ?) > 0`)
		args = append(args, value)
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
	out, err := collect(rows, scanCall)
	if err != nil {
		return nil, fmt.Errorf("history: calls: %w", classify(err))
	}
	return out, nil
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
