package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

// Messages writes the "while you were out" messages of the accounts in
// scope: the open ones, or with all every one, as a plain listing or as
// JSON.
//
// A nil st is a history database that does not exist yet: no messages.
func Messages(ctx context.Context, st store.Store, scope store.Scope, w io.Writer, asJSON, all bool) error {
	var msgs []model.Message
	if st != nil {
		var err error
		if msgs, err = st.Messages(ctx, scope, store.MessageQuery{OpenOnly: !all}); err != nil {
			return err
		}
	}
	if asJSON {
		return WriteMessagesJSON(terminalSafe(w), msgs)
	}
	if len(msgs) == 0 {
		what := "No open messages."
		if all {
			what = "No messages."
		}
		_, err := io.WriteString(w, what+"\n")
		return err
	}
	return WriteMessagesText(w, msgs)
}

// jsonMessage is one message in `frontdesk messages --json`.
type jsonMessage struct {
	ID           int64     `json:"id"`
	Account      string    `json:"account"` // "" for a message kept before messages had accounts
	For          string    `json:"for"`
	CallerName   string    `json:"caller_name"`
	CallerNumber string    `json:"caller_number"`
	Text         string    `json:"text"`
	CallID       string    `json:"call_id,omitempty"`
	Created      time.Time `json:"created"`
	Done         bool      `json:"done"`
	TakenBy      string    `json:"taken_by,omitempty"`
	// Deliveries say how the message is sent to its person: by mail,
	// to the webhook; empty when it is not sent.
	Deliveries []jsonDelivery `json:"deliveries"`
}

// jsonDelivery is one of a message's deliveries.
type jsonDelivery struct {
	Channel   string     `json:"channel"` // "mail" or "webhook"
	To        string     `json:"to,omitempty"`
	State     string     `json:"state"` // "queued", "sent" or "failed"
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error,omitempty"`
	NextTry   *time.Time `json:"next_try,omitempty"` // when a queued one is tried again
	Updated   *time.Time `json:"updated,omitempty"`
}

func jsonDeliveries(ds []model.Delivery) []jsonDelivery {
	out := make([]jsonDelivery, len(ds))
	for i, d := range ds {
		out[i] = jsonDelivery{Channel: string(d.Channel), To: d.To, State: string(d.State), Attempts: d.Attempts, LastError: d.LastError}
		if d.State == model.DeliveryQueued && !d.NextTry.IsZero() {
			out[i].NextTry = &d.NextTry
		}
		if !d.Updated.IsZero() {
			out[i].Updated = &d.Updated
		}
	}
	return out
}

// WriteMessagesJSON writes msgs as an indented JSON array (an empty array
// for none). Times are RFC 3339.
func WriteMessagesJSON(w io.Writer, msgs []model.Message) error {
	out := make([]jsonMessage, len(msgs))
	for i, m := range msgs {
		out[i] = jsonMessage{ID: m.ID, Account: m.Account, For: m.For, CallerName: m.CallerName, CallerNumber: m.CallerNumber,
			Text: m.Text, CallID: m.CallID, Created: m.Created, Done: m.Done, TakenBy: m.TakenBy, Deliveries: jsonDeliveries(m.Deliveries)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// WriteMessagesText writes msgs as a plain listing, one block per message:
//
//	[open] 2026-03-02 14:05  for Dana Whitfield
//	       from Hannah Brooks, (646) 555-0142
//	       Lunch order 42 is late.
//
// Control characters are removed; line breaks in the text are kept and
// indented.
func WriteMessagesText(w io.Writer, msgs []model.Message) error {
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
		if by := oneLine(m.TakenBy); by != "" {
			fmt.Fprintf(&sb, "       taken by %s\n", by)
		}
		for _, d := range m.Deliveries {
			to := ""
			if d.To != "" {
				to = " to " + oneLine(d.To)
			}
			fmt.Fprintf(&sb, "       %s%s: %s", d.Channel, to, d.State)
			if d.LastError != "" {
				fmt.Fprintf(&sb, " (%s)", oneLine(d.LastError))
			}
			sb.WriteByte('\n')
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
