package tui

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
)

// dialPrompt is the two-line dial prompt: the input, then live feedback (the
// normalised number, or why it cannot be dialled).
type dialPrompt struct {
	sh     *shared
	input  textinput.Model
	open   bool
	number model.Number
	err    error
	// tried is set once Enter was pressed on an invalid number, so the
	// reason is shown as an error rather than a hint.
	tried bool
	// from is the label of the line the call goes out on, when the console
	// has several; "" while the receptionist is still to choose it.
	from    string
	several bool
}

const dialPromptText = "Dial: "

func newDialPrompt(sh *shared) dialPrompt {
	ti := newInput(dialPromptText, "number or extension", 40)
	// The real terminal cursor: no blink timer waking the program up.
	ti.SetVirtualCursor(false)
	return dialPrompt{sh: sh, input: ti}
}

// restyle applies the current theme to the input.
func (d *dialPrompt) restyle() {
	st := d.sh.styles
	state := textinput.StyleState{
		Prompt:      st.Prompt,
		Text:        st.PromptText,
		Placeholder: st.PromptHint,
		Suggestion:  st.PromptHint,
	}
	s := textinput.Styles{Focused: state, Blurred: state}
	s.Cursor.Shape = tea.CursorBar
	d.input.SetStyles(s)
}

// show opens the prompt, empty.
func (d *dialPrompt) show() tea.Cmd {
	d.open = true
	d.input.Reset()
	d.tried = false
	d.validate()
	return d.input.Focus()
}

// hide closes the prompt.
func (d *dialPrompt) hide() {
	d.open = false
	d.input.Blur()
	d.input.Reset()
}

// update feeds a key or paste to the input and revalidates.
func (d *dialPrompt) update(msg tea.Msg) tea.Cmd {
	before := d.input.Value()
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	if d.input.Value() != before {
		d.tried = false
	}
	d.validate()
	return cmd
}

func (d *dialPrompt) validate() {
	d.number, d.err = model.ParseDial(d.input.Value())
}

// valid reports whether Enter would dial.
func (d *dialPrompt) valid() bool { return d.err == nil }

// setSize fits the input in w cells; the prompt is always two lines.
func (d *dialPrompt) setSize(w, _ int) {
	// Prompt text plus one column for the cursor at the end.
	d.input.SetWidth(max(1, w-width(dialPromptText)-1))
}

// lines renders the prompt at width w: input line, feedback line.
func (d *dialPrompt) lines(w int) []string {
	st := d.sh.styles
	in := ansi.Truncate(d.input.View(), w, "")
	var fb string
	var style lipgloss.Style
	switch {
	case d.input.Value() == "":
		fb, style = "  type a number, then enter to dial · esc to cancel", st.PromptHint
	case d.err == nil && d.several && d.from == "" && d.tried:
		fb, style = "  ✗ which line? tab chooses the line to dial from", st.PromptInvalid
	case d.err == nil:
		fb, style = "  → "+d.number.Display+"  (enter to dial)", st.PromptValid
	case d.tried:
		fb, style = "  ✗ cannot dial: "+d.err.Error(), st.PromptInvalid
	default:
		fb, style = "  ✗ "+d.err.Error(), st.PromptInvalid
	}
	if d.several {
		line := "  from " + model.Clean(d.from, 30) + " (tab changes)"
		if d.from == "" {
			line = "  tab chooses the line to dial from"
		}
		fb = line + " ·" + fb
	}
	return []string{in, style.Render(ansi.Truncate(model.Clean(fb, 200), w, "…"))}
}

// cursor is the real cursor for the input drawn at row y.
func (d *dialPrompt) cursor(y int) *tea.Cursor {
	c := d.input.Cursor()
	if c == nil {
		return nil
	}
	c.Position.Y += y
	return c
}
