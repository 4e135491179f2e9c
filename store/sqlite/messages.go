package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
	err = s.write(ctx, "save the message", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO messages (`+store.MessageColumns("created_ms")+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, store.MessageValues(m, ms(m.Created))...)
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, d := range m.Deliveries {
			if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (message_id, channel, recipient, state, next_try_ms)
				VALUES (?, ?, ?, 'queued', ?)`, id, string(d.Channel), d.To, ms(m.Created)); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// Messages returns the messages in scope that match q, newest first.
func (s *Store) Messages(ctx context.Context, scope store.Scope, q store.MessageQuery) ([]model.Message, error) {
	cond, args := inScope("account", scope)
	where := []string{cond}
	if q.OpenOnly {
		where = append(where, `done = 0`)
	}
	if q.For != "" {
		where = append(where, `for_whom = ?`)
		args = append(args, q.For)
	}
	query := `SELECT id, ` + store.MessageColumns("created_ms") + ` FROM messages
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_ms DESC, id DESC`
	if q.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, q.Limit)
	}
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("history: messages: %w", classify(err))
	}
	out, err := collect(rows, func(row scanner) (model.Message, error) {
		var m model.Message
		var created int64
		err := row.Scan(store.MessageDest(&m, &created)...)
		m.Created = fromMS(created)
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
	return s.write(ctx, fmt.Sprintf("mark message %d", id), func(tx *sql.Tx) error {
		cond, args := inScope("account", scope)
		res, err := tx.ExecContext(ctx, `UPDATE messages SET done = ? WHERE id = ? AND `+cond, append([]any{done, id}, args...)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return store.ErrNotFound
		}
		return nil
	})
}
