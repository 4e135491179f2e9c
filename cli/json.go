package cli

import (
	"io"

	"github.com/frontdesk/frontdesk/model"
)

// terminalSafe wraps the writer of a json.Encoder so that what it prints
// carries no raw C1 control, bidi override or other invisible format
// character (they are written as \u escapes: the same JSON value). An
// Encoder writes each value in one Write, so no character is split.
func terminalSafe(w io.Writer) io.Writer { return safeJSONWriter{w} }

type safeJSONWriter struct{ w io.Writer }

func (s safeJSONWriter) Write(p []byte) (int, error) {
	if _, err := s.w.Write(model.TerminalSafeJSON(p)); err != nil {
		return 0, err
	}
	return len(p), nil
}
