package history

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
)

// Message is a "while you were out" note the receptionist takes for someone.
type Message struct {
	ID           int64     `json:"id"`
	For          string    `json:"for"` // the person the message is for
	CallerName   string    `json:"caller_name"`
	CallerNumber string    `json:"caller_number"`
	Text         string    `json:"text"`
	CallID       string    `json:"call_id,omitempty"` // the call it was taken on, if any
	Created      time.Time `json:"created"`
	Done         bool      `json:"done"`
}

// MessageFilter selects messages.
type MessageFilter struct {
	OpenOnly bool   // leave out messages marked done
	For      string // only messages for this person (exact), if set
	Limit    int    // 0 means no limit
}

// AddMessage stores a message and returns its id. A zero Created is set to
// the current time.
func (s *Store) AddMessage(m Message) (int64, error) {
	if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.CallerName) == "" && strings.TrimSpace(m.CallerNumber) == "" {
		return 0, fmt.Errorf("history: empty message")
	}
	if m.Created.IsZero() {
		m.Created = time.Now()
	}
	res, err := s.db.Exec(`INSERT INTO messages (for_whom, caller_name, caller_number, text, call_id, created_ms, done)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, m.For, m.CallerName, m.CallerNumber, m.Text, m.CallID, ms(m.Created), m.Done)
	if err != nil {
		return 0, fmt.Errorf("history: add message: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("history: add message: %w", err)
	}
	return id, nil
}

// Messages returns the messages that match f, newest first.
func (s *Store) Messages(f MessageFilter) ([]Message, error) {
	query := `SELECT id, for_whom, caller_name, caller_number, text, call_id, created_ms, done FROM messages`
	var where []string
	var args []any
	if f.OpenOnly {
		where = append(where, `done = 0`)
	}
	if f.For != "" {
		where = append(where, `for_whom = ?`)
		args = append(args, f.For)
	}
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += ` ORDER BY created_ms DESC, id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	rows, err := s.db.Query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("history: messages: %w", err)
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var created int64
		if err := rows.Scan(&m.ID, &m.For, &m.CallerName, &m.CallerNumber, &m.Text, &m.CallID, &created, &m.Done); err != nil {
			return nil, fmt.Errorf("history: messages: %w", err)
		}
		m.Created = fromMS(created)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("history: messages: %w", err)
	}
	return out, nil
}

// MarkDone marks a message done (or open again). It returns ErrNotFound for
// an unknown id.
func (s *Store) MarkDone(id int64, done bool) error {
	res, err := s.db.Exec(`UPDATE messages SET done = ? WHERE id = ?`, done, id)
	if err != nil {
		return fmt.Errorf("history: mark message %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("history: mark message %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("history: message %d: %w", id, ErrNotFound)
	}
	return nil
}

// WriteJSON writes msgs as an indented JSON array (an empty array for none).
// Times are RFC 3339.
func WriteJSON(w io.Writer, msgs []Message) error {
	if msgs == nil {
		msgs = []Message{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(msgs)
}

// WriteText writes msgs as a plain listing, one block per message:
//
//	[open] 2026-03-02 14:05  for Dana Whitfield
//	       from Hannah Brooks, (646) 555-0142
//	       Lunch order 42 is late.
//
// Control characters are removed; line breaks in the text are kept and
// indented.
func WriteText(w io.Writer, msgs []Message) error {
	var sb strings.Builder
	for i, m := range msgs {
		if i > 0 {
			sb.WriteByte('\n')
		}
		state := "[open]"
		if m.Done {
			state = "[done]"
		}
		fmt.Fprintf(&sb, "%s %s", state, m.Created.Format("2006-01-02 15:04"))
		if f := oneLine(m.For); f != "" {
			fmt.Fprintf(&sb, "  for %s", f)
		}
		sb.WriteByte('\n')
		from := oneLine(m.CallerName)
		if n := oneLine(m.CallerNumber); n != "" {
			if from != "" {
				from += ", "
			}
			from += n
		}
		if from != "" {
			fmt.Fprintf(&sb, "       from %s\n", from)
		}
		for _, line := range strings.Split(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n") {
			if line = oneLine(line); line != "" {
				fmt.Fprintf(&sb, "       %s\n", line)
			}
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// oneLine drops control characters (including line breaks) and trims.
func oneLine(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case unicode.IsControl(r), r >= '\u202A' && r <= '\u202E', r >= '\u2066' && r <= '\u2069':
			return -1
		}
		return r
	}, s))
}
