package tui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

type statusKind int

const (
	statusNone statusKind = iota
	statusPending
	statusOK
	statusError
)

// How long a finished status stays on screen.
const (
	statusOKFade    = 4 * time.Second
	statusErrorFade = 10 * time.Second
	// statusMaxLines bounds how many lines an error may take.
	statusMaxLines = 3
)

// statusLine is the one-line (errors: up to three) feedback under the call
// table. Each new status gets an id; the fade timer clears only the status
// it was started for.
type statusLine struct {
	sh   *shared
	id   int
	kind statusKind
	text string

	// The lines as last drawn, and what they were drawn from.
	drawn     []string
	drawnKind statusKind
	drawnText string
	drawnW    int
	drawnOK   bool
}

// set shows text and returns the command that fades it (nil for pending
// statuses, which are replaced by their result).
func (s *statusLine) set(kind statusKind, text string) tea.Cmd {
	s.id++
	s.kind, s.text = kind, text
	switch kind {
	case statusOK:
		return s.sh.after(statusOKFade, clearStatusMsg{s.id})
	case statusError:
		return s.sh.after(statusErrorFade, clearStatusMsg{s.id})
	}
	return nil
}

// clear fades status id, if it is still the one showing.
func (s *statusLine) clear(id int) {
	if id == s.id {
		s.kind, s.text = statusNone, ""
	}
}

func (s *statusLine) showing() bool { return s.kind != statusNone }

// lines renders the status at width w: one line, or for an error up to
// statusMaxLines wrapped lines. Never wider than w.
// The result is shared with later calls: callers must not change it.
func (s *statusLine) lines(w int) []string {
	if s.drawnOK && s.drawnKind == s.kind && s.drawnText == s.text && s.drawnW == w {
		return s.drawn
	}
	s.drawn = s.draw(w)
	s.drawnKind, s.drawnText, s.drawnW, s.drawnOK = s.kind, s.text, w, true
	return s.drawn
}

// restyle forgets the drawn lines (the styles changed).
func (s *statusLine) restyle() { s.drawnOK = false }

func (s *statusLine) draw(w int) []string {
	if s.kind == statusNone || w <= 0 {
		return []string{""}
	}
	st := s.sh.styles
	var style lipgloss.Style
	var icon string
	switch s.kind {
	case statusPending:
		style, icon = st.StatusPending, "… "
	case statusOK:
		style, icon = st.StatusOK, "✓ "
	default:
		style, icon = st.StatusError, "✗ "
	}
	text := icon + s.text
	max := 1
	if s.kind == statusError {
		max = statusMaxLines
	}
	var out []string
	if max > 1 && ansi.StringWidth(text) > w {
		wrapped := strings.Split(ansi.Wrap(text, w, " "), "\n")
		if len(wrapped) > max {
			wrapped = wrapped[:max]
			wrapped[max-1] = ansi.Truncate(wrapped[max-1]+" …", w, "…")
		}
		for _, l := range wrapped {
			out = append(out, style.Render(ansi.Truncate(strings.TrimRight(l, " "), w, "…")))
		}
		return out
	}
	return []string{style.Render(ansi.Truncate(text, w, "…"))}
}
