package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
)

// messageForm takes a "while you were out" message: for whom (completed
// from the directory, free text allowed), the caller's name and number
// (prefilled from the call), and the message.
type messageForm struct {
	sh     *shared
	field  int // formFor … formText
	forIn  textinput.Model
	nameIn textinput.Model
	numIn  textinput.Model
	text   textarea.Model
	callID string
	// account is the account the message is taken on: the line of the
	// call it is about; "" for the console's first.
	account string

	// Suggestions for the For field; pick is the chosen one, -1 for the
	// text as typed.
	sugg []directory.Contact
	pick int
	err  string
	// saving is set while the store saves the message; the form stays
	// open, with its text, until the store says it is saved.
	saving bool
	// The caller's name and number as the form was opened with them, so
	// typed() can tell what the receptionist typed.
	openName, openNumber string
	// textView is the message's text area as drawText last drew it;
	// textSize is the width and height it was last given.
	textView string
	textSize [2]int
}

const (
	formFor = iota
	formName
	formNumber
	formText
	formFields
)

const formSuggestions = 3

func newMessageForm(sh *shared) messageForm {
	ta := textarea.New()
	ta.ShowLineNumbers = false
	ta.Prompt = "  "
	ta.Placeholder = "the message"
	ta.CharLimit = 1000
	ta.KeyMap.InsertNewline = key.NewBinding(key.WithKeys("ctrl+j", "alt+enter"))
	ta.SetHeight(3)
	return messageForm{
		sh:     sh,
		forIn:  newInput("For:     ", "name (from the directory) or anyone", 80),
		nameIn: newInput("Caller:  ", "caller's name", 80),
		numIn:  newInput("Number:  ", "caller's number", 40),
		text:   ta,
		pick:   -1,
	}
}

func (f *messageForm) restyle() {
	s := inputStyles(f.sh)
	f.forIn.SetStyles(s)
	f.nameIn.SetStyles(s)
	f.numIn.SetStyles(s)
	st := f.sh.styles
	ts := textarea.DefaultStyles(f.sh.isDark)
	ts.Focused.CursorLine = st.PromptText
	ts.Focused.Text = st.PromptText
	ts.Focused.Placeholder = st.PromptHint
	ts.Focused.Prompt = st.Prompt
	ts.Blurred.Text = st.PromptText
	ts.Blurred.CursorLine = st.PromptText
	ts.Blurred.Placeholder = st.PromptHint
	ts.Blurred.Prompt = st.Dim
	ts.Focused.EndOfBuffer = st.Dim
	ts.Blurred.EndOfBuffer = st.Dim
	ts.Cursor.Blink = false
	f.text.SetStyles(ts)
	f.textSize = [2]int{} // its width depends on the styles
}

// show opens the form, prefilled with the caller's name and number.
func (f *messageForm) show(callID, account, name, number string) tea.Cmd {
	f.forIn.Reset()
	f.openName, f.openNumber = model.Clean(name, 80), model.Clean(number, 40)
	f.nameIn.SetValue(f.openName)
	f.numIn.SetValue(f.openNumber)
	f.saving = false
	f.text.Reset()
	f.callID, f.account = callID, account
	f.err = ""
	f.sugg, f.pick = nil, -1
	f.field = formFor
	return f.focus()
}

func (f *messageForm) hide() {
	f.forIn.Blur()
	f.nameIn.Blur()
	f.numIn.Blur()
	f.text.Blur()
}

// typed reports whether the receptionist typed anything into the form.
func (f *messageForm) typed() bool {
	return strings.TrimSpace(f.forIn.Value()) != "" || strings.TrimSpace(f.text.Value()) != "" ||
		f.nameIn.Value() != f.openName || f.numIn.Value() != f.openNumber
}

// focus moves the input focus to f.field.
func (f *messageForm) focus() tea.Cmd {
	f.hide()
	switch f.field {
	case formFor:
		return f.forIn.Focus()
	case formName:
		return f.nameIn.Focus()
	case formNumber:
		return f.numIn.Focus()
	}
	return f.text.Focus()
}

// next moves to the field d away, taking a chosen suggestion first.
func (f *messageForm) next(d int) tea.Cmd {
	if f.field == formFor {
		f.takeSuggestion()
	}
	f.field = (f.field + d + formFields) % formFields
	return f.focus()
}

func (f *messageForm) takeSuggestion() {
	if f.pick >= 0 && f.pick < len(f.sugg) {
		f.forIn.SetValue(model.Clean(f.sugg[f.pick].Name, 80))
		f.forIn.CursorEnd()
	}
	f.sugg, f.pick = nil, -1
}

// suggest refreshes the For field's suggestions from the directory.
func (f *messageForm) suggest() {
	q := strings.TrimSpace(f.forIn.Value())
	f.sugg, f.pick = nil, -1
	if q == "" {
		return
	}
	for _, m := range f.sh.names.dir.Search(q, formSuggestions) {
		f.sugg = append(f.sugg, m.Contact)
	}
	if len(f.sugg) > 0 {
		f.pick = 0
	}
}

// choose moves the suggestion choice; past the top is the typed text.
func (f *messageForm) choose(d int) {
	if len(f.sugg) == 0 {
		return
	}
	f.pick = min(max(f.pick+d, -1), len(f.sugg)-1)
}

// update feeds a key or paste to the focused input.
func (f *messageForm) update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	f.err = ""
	switch f.field {
	case formFor:
		before := f.forIn.Value()
		f.forIn, cmd = f.forIn.Update(msg)
		if f.forIn.Value() != before {
			f.suggest()
		}
	case formName:
		f.nameIn, cmd = f.nameIn.Update(msg)
	case formNumber:
		f.numIn, cmd = f.numIn.Update(msg)
	default:
		f.text, cmd = f.text.Update(msg)
	}
	return cmd
}

// message is the form's content, or why it cannot be saved.
func (f *messageForm) message() (model.Message, string) {
	f.takeSuggestion()
	m := model.Message{
		For:          strings.TrimSpace(f.forIn.Value()),
		CallerName:   strings.TrimSpace(f.nameIn.Value()),
		CallerNumber: strings.TrimSpace(f.numIn.Value()),
		Text:         strings.TrimSpace(f.text.Value()),
		CallID:       f.callID,
		Account:      f.account,
	}
	switch {
	case m.For == "":
		return m, "who is the message for?"
	case m.Text == "" && m.CallerName == "" && m.CallerNumber == "":
		return m, "write the message, or at least who called"
	}
	return m, ""
}

// setSize fits the form in w×h cells: the inputs take the width, the text
// area what is left of the height, up to four lines.
func (f *messageForm) setSize(w, h int) {
	for _, ti := range []*textinput.Model{&f.forIn, &f.nameIn, &f.numIn} {
		ti.SetWidth(max(1, w-width(ti.Prompt)-3))
	}
	// Above the text: the title, the three inputs, the suggestions under
	// the first, and the "Message:" label.
	above := 5
	if f.field == formFor {
		above += len(f.sugg)
	}
	// The text area wraps its text again whenever it is sized.
	if size := [2]int{max(10, w-2), max(1, min(4, h-above-2))}; size != f.textSize {
		f.text.SetWidth(size[0])
		f.text.SetHeight(size[1])
		f.textSize = size
	}
}

// drawText draws the text area for View. The text area's own View scrolls
// and caches as it draws, so it is drawn here, in Update.
func (f *messageForm) drawText() { f.textView = f.text.View() }

// lines renders the form in h lines of width w.
func (f *messageForm) lines(w, h int) []string {
	st := f.sh.styles
	title := "TAKE A MESSAGE"
	if f.callID != "" {
		title += " · call " + model.Clean(f.callID, 20)
	}
	out := []string{st.TableHeader.Render(ansi.Truncate(title, w, "…"))}
	input := func(ti *textinput.Model) string {
		return ansi.Truncate(" "+ti.View(), w, "")
	}
	out = append(out, input(&f.forIn))
	if f.field == formFor {
		for i, c := range f.sugg {
			s := "           " + model.Clean(c.Name, 60)
			if d := model.Clean(c.Department, 60); d != "" {
				s += " · " + d
			}
			s = pad(s, w, false)
			if i == f.pick {
				out = append(out, st.SelectedRow.Render("         ▸"+s[10:]))
			} else {
				out = append(out, st.Dim.Render(s))
			}
		}
	}
	out = append(out, input(&f.nameIn), input(&f.numIn))
	label := st.Prompt
	if f.field != formText {
		label = st.Dim
	}
	out = append(out, " "+label.Render("Message:"))
	for _, l := range strings.Split(f.textView, "\n") {
		out = append(out, ansi.Truncate(l, w, ""))
	}
	switch {
	case f.saving:
		out = append(out, st.StatusPending.Render(ansi.Truncate("  … saving", w, "…")))
	case f.err != "":
		out = append(out, st.PromptInvalid.Render(ansi.Truncate("  ✗ "+f.err, w, "…")))
	default:
		out = append(out, st.Dim.Render(ansi.Truncate("  tab next field · ↑↓ pick a name · enter on the message (or ctrl+s) saves · ctrl+j new line · esc cancels", w, "…")))
	}
	if len(out) > h {
		out = out[:h]
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out
}
