package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

const deliveryColumns = `d.id, d.message_id, d.channel, d.recipient, d.state, d.attempts, d.last_error, d.next_try, d.updated`

// maxClaim bounds one claim, so a long outage's backlog goes out in turns.
const maxClaim = 100

func scanDelivery(row pgx.Row, extra ...any) (model.Delivery, error) {
	var ds store.DeliveryScan
	var next time.Time
	var updated *time.Time
	if err := row.Scan(append(ds.Dest(&next, &updated), extra...)...); err != nil {
		return model.Delivery{}, err
	}
	return ds.Delivery(next.Local(), local(updated)), nil
}

// attachDeliveries fills in each message's deliveries.
func (s *Store) attachDeliveries(ctx context.Context, msgs []model.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT `+deliveryColumns+` FROM deliveries d WHERE d.message_id = ANY($1) ORDER BY d.id`, ids)
	if err != nil {
		return err
	}
	ds, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (model.Delivery, error) { return scanDelivery(row) })
	if err != nil {
		return err
	}
	store.Attach(msgs, ds)
	return nil
}

// ClaimDeliveries returns the queued deliveries due at or before now,
// oldest first, with their messages, and when the next later one is due.
// It moves the returned ones' next try to now+lease in the same
// transaction, which is the claim; rows another box is claiming at the
// same moment are skipped, not waited for.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration) ([]store.DueDelivery, time.Time, error) {
	var due []store.DueDelivery
	var next *time.Time
	err := s.write(ctx, "claim deliveries", func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+deliveryColumns+`,
				m.id, m.account, m.for_whom, m.caller_name, m.caller_number, m.text, m.call_id, m.created_at, m.done, m.taken_by
			FROM deliveries d JOIN messages m ON m.id = d.message_id
			WHERE d.state = 'queued' AND d.next_try <= $1 ORDER BY d.next_try, d.id LIMIT $2
			FOR UPDATE OF d SKIP LOCKED`, now, maxClaim)
		if err != nil {
			return err
		}
		due, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.DueDelivery, error) {
			var m model.Message
			d, err := scanDelivery(row, store.MessageDest(&m, &m.Created)...)
			m.Created = m.Created.Local()
			return store.DueDelivery{Delivery: d, Message: m}, err
		})
		if err != nil {
			return err
		}
		ids := make([]int64, len(due))
		for i, d := range due {
			ids[i] = d.Delivery.ID
		}
		if len(ids) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE deliveries SET next_try = $1 WHERE id = ANY($2)`, now.Add(lease), ids); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, `SELECT min(next_try) FROM deliveries WHERE state = 'queued' AND next_try > $1`, now).Scan(&next)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	if next == nil {
		return due, time.Time{}, nil
	}
	return due, next.Local(), nil
}

// RecordDelivery stores the outcome of an attempt.
func (s *Store) RecordDelivery(ctx context.Context, d model.Delivery) error {
	var updated *time.Time
	if !d.Updated.IsZero() {
		updated = &d.Updated
	}
	return s.write(ctx, fmt.Sprintf("record delivery %d", d.ID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE deliveries SET state = $1, attempts = $2, last_error = $3, next_try = $4, updated = $5
			WHERE id = $6`, string(d.State), d.Attempts, strings.TrimSpace(d.LastError), d.NextTry, updated, d.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}
