package postgres

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

const callColumns = `id, account, call_id, did, direction, outcome, number, name, clid, start_at, ring_ms, talk_ms, hold_ms, ended_at, last_state, handled_at, handled_by, ` + reachedColumn

// reachedColumn is when a missed call's number was reached: the start of
// the first later call on the account with the same number that
// connected (answered, or placed and talked). NULL for other calls.
const reachedColumn = `CASE WHEN calls.outcome = 'missed' AND calls.number_key <> '' THEN
	(SELECT min(r.start_at) FROM calls AS r
	 WHERE r.account = calls.account AND r.number_key = calls.number_key AND r.start_at > calls.start_at
	   AND (r.outcome = 'answered' OR (r.outcome = 'outbound' AND r.talk_ms > 0))) END`

// openMissed is the condition of a missed call still open.
const openMissed = `calls.outcome = 'missed' AND calls.handled_at IS NULL AND (` + reachedColumn + `) IS NULL`

// insertTypes are the types of callArgs' values, in order.
var insertTypes = []string{"text", "text", "text", "text", "text", "text", "text", "text", "text", "text",
	"timestamptz", "bigint", "bigint", "bigint", "timestamptz", "text", "text"}

// insertCalls inserts new rows from one array per column (see callArgs).
var insertCalls = func() string {
	params := make([]string, len(insertTypes))
	for i, t := range insertTypes {
		params[i] = fmt.Sprintf("$%d::%s[]", i+1, t)
	}
	return `INSERT INTO calls
		(account, call_id, did, direction, outcome, number, digits, name, clid, folded, start_at, ring_ms, talk_ms, hold_ms, ended_at, last_state, number_key)
		SELECT * FROM unnest(` + strings.Join(params, ", ") + `)`
}()

// Write applies b in one transaction.
//
// Two boxes that saw one call write it at about the same time. Before
// looking for the call's row, a writer takes a transaction lock on its
// account and call Id, so the second writer waits for the first to commit
// and then finds its row. The locks of a batch are taken in one order, so
// two batches never wait for each other in a circle.
func (s *Store) Write(ctx context.Context, b store.Batch) error {
	if err := b.Check(); err != nil {
		return fmt.Errorf("history: %w", err)
	}
	return s.write(ctx, fmt.Sprintf("save %d calls", len(b.Calls)), func(tx pgx.Tx) error {
		var writes pgx.Batch
		if len(b.Calls) > 0 {
			if err := saveCalls(ctx, tx, b.Calls, &writes); err != nil {
				return err
			}
		}
		if writes.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, &writes).Close()
	})
}

// saveCalls locks the calls' account and Id pairs, reads the rows stored
// for them, merges each call into the row of the same call (in the batch's
// order, so a call twice in one batch is one row too) and queues the
// inserts and updates on writes: three round trips for any batch.
func saveCalls(ctx context.Context, tx pgx.Tx, calls []model.CallRecord, writes *pgx.Batch) error {
	locks := make([]int64, 0, len(calls))
	accounts := make([]string, 0, len(calls))
	ids := make([]string, 0, len(calls))
	for _, c := range calls {
		locks = append(locks, callLock(c))
		accounts, ids = append(accounts, c.Account), append(ids, c.CallID)
	}
	slices.Sort(locks)
	locks = slices.Compact(locks)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k ORDER BY k`, locks); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT `+callColumns+` FROM calls
		WHERE (account, call_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, accounts, ids)
	if err != nil {
		return err
	}
	stored, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (model.CallRecord, error) { return scanCall(row) })
	if err != nil {
		return err
	}
	// What each row will hold: stored rows (ID set) and new ones (ID 0).
	type key struct{ account, id string }
	rowsOf := map[key][]*model.CallRecord{}
	for i := range stored {
		r := &stored[i]
		rowsOf[key{r.Account, r.CallID}] = append(rowsOf[key{r.Account, r.CallID}], r)
	}
	changed := map[*model.CallRecord]bool{}
	var fresh []*model.CallRecord
	for _, c := range calls {
		k := key{c.Account, c.CallID}
		var same *model.CallRecord // the latest-starting row of the same call
		for _, r := range rowsOf[k] {
			if store.SameCall(r.Start, r.End, c) && (same == nil || r.Start.After(same.Start)) {
				same = r
			}
		}
		if same == nil {
			r := c
			r.ID = 0
			rowsOf[k] = append(rowsOf[k], &r)
			fresh = append(fresh, &r)
			continue
		}
		if m := store.Merge(*same, c); m != *same {
			*same = m
			changed[same] = true
		}
	}
	if len(fresh) > 0 {
		// One statement for every new row: a column of values each.
		cols := make([][]any, len(insertTypes))
		for _, r := range fresh {
			for i, v := range callArgs(*r) {
				cols[i] = append(cols[i], v)
			}
		}
		args := make([]any, len(cols))
		for i := range cols {
			args[i] = cols[i]
		}
		writes.Queue(insertCalls, args...)
	}
	for i := range stored {
		if r := &stored[i]; changed[r] {
			writes.Queue(`UPDATE calls SET
				account = $1, call_id = $2, did = $3, direction = $4, outcome = $5, number = $6, digits = $7, name = $8,
				clid = $9, folded = $10, start_at = $11, ring_ms = $12, talk_ms = $13, hold_ms = $14, ended_at = $15,
				last_state = $16, number_key = $17
				WHERE id = $18`, append(callArgs(*r), r.ID)...)
		}
	}
	return nil
}

// callLock is the advisory lock key of a call's account and Id.
func callLock(c model.CallRecord) int64 {
	h := fnv.New64a()
	h.Write([]byte(c.Account))
	h.Write([]byte{0})
	h.Write([]byte(c.CallID))
	return int64(h.Sum64())
}

func callArgs(c model.CallRecord) []any {
	return store.CallValues(c, func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t
	})
}

func scanCall(row pgx.Row) (model.CallRecord, error) {
	var sc store.CallScan
	var start time.Time
	var ended, handled, reached *time.Time
	if err := row.Scan(sc.Dest(&start, &ended, &handled, &reached)...); err != nil {
		return model.CallRecord{}, err
	}
	return sc.Record(start.Local(), local(ended), local(handled), local(reached)), nil
}

// local is a nullable time in the local zone, zero for NULL.
func local(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.Local()
}

// Calls returns the calls in scope that match q, newest first.
func (s *Store) Calls(ctx context.Context, scope store.Scope, q model.CallQuery) ([]model.CallRecord, error) {
	cond, args := inScope("account", scope, 1)
	where := []string{cond}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if kinds := store.KindCondition(q); kinds != "" {
		where = append(where, kinds)
	}
	if q.Open {
		where = append(where, openMissed)
	}
	if !q.Since.IsZero() {
		where = append(where, `start_at >= `+arg(q.Since))
	}
	if column, value := store.SearchTerm(q.Search); column != "" {
		where = append(where, `strpos(`+column+`, `+arg(value)+`) > 0`)
	}
	query := `SELECT ` + callColumns + ` FROM calls WHERE ` + strings.Join(where, " AND ") + ` ORDER BY start_at DESC, id DESC`
	if q.Limit > 0 {
		query += ` LIMIT ` + arg(q.Limit)
	}
	if q.Offset > 0 {
		query += ` OFFSET ` + arg(q.Offset)
	}
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("history: calls: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (model.CallRecord, error) { return scanCall(row) })
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
	if err := s.ready(ctx); err != nil {
		return 0, err
	}
	cond, args := inScope("g.account", scope, 1)
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM calls AS m
		JOIN (SELECT g.account, g.number_key,
				(SELECT max(r.start_at) FROM calls AS r
				 WHERE r.account = g.account AND r.number_key = g.number_key
				   AND (r.outcome = 'answered' OR (r.outcome = 'outbound' AND r.talk_ms > 0))) AS last_connected
			FROM calls AS g
			WHERE `+cond+` AND g.outcome = 'missed' AND g.handled_at IS NULL
			GROUP BY g.account, g.number_key) AS n ON m.account = n.account AND m.number_key = n.number_key
		WHERE m.outcome = 'missed' AND m.handled_at IS NULL
		  AND (m.number_key = '' OR n.last_connected IS NULL OR n.last_connected <= m.start_at)`, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("history: count open missed calls: %w", classify(err))
	}
	return n, nil
}

// MarkHandled marks the missed call id handled.
func (s *Store) MarkHandled(ctx context.Context, scope store.Scope, id int64, by string, at time.Time) error {
	cond, args := inScope("account", scope, 4)
	return s.write(ctx, fmt.Sprintf("mark call %d handled", id), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE calls SET handled_at = $1, handled_by = $2 WHERE id = $3 AND `+cond,
			append([]any{at, by, id}, args...)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("call %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// Prune deletes the calls that started before t.
func (s *Store) Prune(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, "prune", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM calls WHERE start_at < $1`, before)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}
