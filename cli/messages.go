package cli

import (
	"io"

	"github.com/frontdesk/frontdesk/history"
)

// Messages writes the "while you were out" messages: the open ones, or
// with all every one, as a plain listing or as JSON.
func Messages(store *history.Store, w io.Writer, asJSON, all bool) error {
	msgs, err := store.Messages(history.MessageFilter{OpenOnly: !all})
	if err != nil {
		return err
	}
	if asJSON {
		return history.WriteJSON(terminalSafe(w), msgs)
	}
	if len(msgs) == 0 {
		what := "No open messages."
		if all {
			what = "No messages."
		}
		_, err := io.WriteString(w, what+"\n")
		return err
	}
	return history.WriteText(w, msgs)
}
