package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

// AddMessage stores a message and returns its id. A zero Created is set
// to the current time.
func (s *Store) AddMessage(ctx context.Context, m model.Message) (int64, error) {
	m, err := store.NewMessage(m)
	if err != nil {
		return 0, fmt.Errorf("history: %w", err)
	}
	var id int64
	err = s.write(ctx, "save the message", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO messages (`+store.MessageColumns("created_at")+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, store.MessageValues(m, m.Created)...).Scan(&id); err != nil {
			return err
		}
		for _, d := range m.Deliveries {
			if _, err := tx.Exec(ctx, `INSERT INTO deliveries (message_id, channel, recipient, state, next_try)
				VALUES ($1, $2, $3, 'queued', $4)`, id, string(d.Channel), d.To, m.Created); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// Messages returns the messages in scope that match q, newest first.
func (s *Store) Messages(ctx context.Context, scope store.Scope, q store.MessageQuery) ([]model.Message, error) {
	cond, args := inScope("account", scope, 1)
	where := []string{cond}
	if q.OpenOnly {
		where = append(where, `NOT done`)
	}
	if q.For != "" {
		args = append(args, q.For)
		where = append(where, fmt.Sprintf(`for_whom = $%d`, len(args)))
	}
	query := `SELECT id, ` + store.MessageColumns("created_at") + ` FROM messages
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at DESC, id DESC`
	if q.Limit > 0 {
		args = append(args, q.Limit)
		query += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("history: messages: %w", classify(err))
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (model.Message, error) {
		var m model.Message
		err := row.Scan(store.MessageDest(&m, &m.Created)...)
		m.Created = m.Created.Local()
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("history: messages: %w", classify(err))
	}
	if err := s.attachDeliveries(ctx, out); err != nil {
		return nil, fmt.Errorf("history: messages: %w", classify(err))
	}
	return out, nil
}

// MarkDone marks a message in scope done (or open again).
func (s *Store) MarkDone(ctx context.Context, scope store.Scope, id int64, done bool) error {
	return s.write(ctx, fmt.Sprintf("mark message %d", id), func(tx pgx.Tx) error {
		cond, args := inScope("account", scope, 3)
		tag, err := tx.Exec(ctx, `UPDATE messages SET done = $1 WHERE id = $2 AND `+cond, append([]any{done, id}, args...)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}
