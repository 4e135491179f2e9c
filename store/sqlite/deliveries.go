package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

const deliveryColumns = `d.id, d.message_id, d.channel, d.recipient, d.state, d.attempts, d.last_error, d.next_try_ms, d.updated_ms`

func scanDelivery(row scanner, extra ...any) (model.Delivery, error) {
	var ds store.DeliveryScan
	var next int64
	var updated sql.NullInt64
	if err := row.Scan(append(ds.Dest(&next, &updated), extra...)...); err != nil {
		return model.Delivery{}, err
	}
	return ds.Delivery(fromMS(next), fromNullMS(updated)), nil
}

// attachDeliveries fills in each message's deliveries.
func (s *Store) attachDeliveries(ctx context.Context, msgs []model.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	args := make([]any, len(msgs))
	for i, m := range msgs {
		args[i] = m.ID
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries d
		WHERE d.message_id IN (`+placeholders(len(args))+`) ORDER BY d.id`, args...)
	if err != nil {
		return err
	}
	ds, err := collect(rows, func(row scanner) (model.Delivery, error) { return scanDelivery(row) })
	if err != nil {
		return err
	}
	store.Attach(msgs, ds)
	return nil
}

// ClaimDeliveries returns the queued deliveries due at or before now,
// oldest first, with their messages, and when the next later one is due;
// it moves the returned ones' next try to now+lease in the same
// transaction, which is the claim.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration) ([]store.DueDelivery, time.Time, error) {
	var due []store.DueDelivery
	var next sql.NullInt64
	err := s.write(ctx, "claim deliveries", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+`,
				m.id, m.account, m.for_whom, m.caller_name, m.caller_number, m.text, m.call_id, m.created_ms, m.done, m.taken_by
			FROM deliveries d JOIN messages m ON m.id = d.message_id
			WHERE d.state = 'queued' AND d.next_try_ms <= ? ORDER BY d.next_try_ms, d.id LIMIT ?`, ms(now), maxClaim)
		if err != nil {
			return err
		}
		due, err = collect(rows, func(row scanner) (store.DueDelivery, error) {
			var m model.Message
			var created int64
			d, err := scanDelivery(row, store.MessageDest(&m, &created)...)
			m.Created = fromMS(created)
			return store.DueDelivery{Delivery: d, Message: m}, err
		})
		if err != nil {
			return err
		}
		for _, d := range due {
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_try_ms = ? WHERE id = ?`, ms(now.Add(lease)), d.Delivery.ID); err != nil {
				return err
			}
		}
		return tx.QueryRowContext(ctx, `SELECT MIN(next_try_ms) FROM deliveries WHERE state = 'queued' AND next_try_ms > ?`, ms(now)).Scan(&next)
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return due, fromNullMS(next), nil
}

// maxClaim bounds one claim, so a long outage's backlog goes out in turns.
const maxClaim = 100

// RecordDelivery stores the outcome of an attempt.
func (s *Store) RecordDelivery(ctx context.Context, d model.Delivery) error {
	return s.write(ctx, fmt.Sprintf("record delivery %d", d.ID), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, next_try_ms = ?, updated_ms = ?
			WHERE id = ?`, string(d.State), d.Attempts, strings.TrimSpace(d.LastError), ms(d.NextTry), nullMS(d.Updated), d.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}
