package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
)

// The directory: reloads from the watched file, and the picker that dials
// a contact by name.

// directoryReloadMsg carries a new version of the directory file.
type directoryReloadMsg struct{ r directory.Reload }

// directoryClosedMsg says the directory watcher stopped.
type directoryClosedMsg struct{}

// waitForReload waits for the next directory version; Update re-arms it.
func waitForReload(ch <-chan directory.Reload) tea.Cmd {
	return func() tea.Msg {
		r, ok := <-ch
		if !ok {
			return directoryClosedMsg{}
		}
		return directoryReloadMsg{r}
	}
}

// directorySummary is the on-screen account of a loaded directory.
func directorySummary(n, skipped int) string {
	s := "directory: " + plural(n, "contact")
	if skipped > 0 {
		s += ", " + plural(skipped, "row") + " skipped (see log)"
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

// handleReload swaps in a new directory, or keeps the old one and says why.
func (m *Model) handleReload(msg directoryReloadMsg) tea.Cmd {
	var next tea.Cmd
	if m.opts.DirectoryUpdates != nil {
		next = waitForReload(m.opts.DirectoryUpdates)
	}
	r := msg.r
	if r.Err != nil {
		m.sh.log.Warn("directory not reloaded", "err", r.Err)
		return tea.Batch(next, m.status.set(statusError, "Directory not reloaded: "+model.Clean(r.Err.Error(), 200)+"; still using the previous one"))
	}
	for _, row := range r.Rows {
		m.sh.log.Warn("directory row skipped", "path", r.Dir.Path(), "line", row.Line, "reason", row.Reason)
	}
	m.sh.names.set(r.Dir)
	m.sh.dirSkipped = len(r.Rows)
	if m.focus == focusPicker {
		m.picker.search()
	}
	return tea.Batch(next, m.status.set(statusOK, "Reloaded "+directorySummary(r.Dir.Len(), len(r.Rows))))
}

// dirPicker is the dial-by-name picker: a query input and the best fuzzy
// matches, one contact per line.
type dirPicker struct {
	sh      *shared
	input   textinput.Model
	matches []directory.Match
	sel     int
	offset  int
	height  int // result rows shown
	err     string
	// choices, when set, are the numbers of the chosen contact to pick
	// one from; choice is the one selected.
	choices []directory.Dialable
	choice  int
}

const pickerLimit = 200

func newDirPicker(sh *shared) dirPicker {
	return dirPicker{sh: sh, input: newInput("Find: ", "name, department or number", 60)}
}

func (p *dirPicker) restyle() { p.input.SetStyles(inputStyles(p.sh)) }

// newInput is a text input with a prompt, a placeholder and a length limit.
func newInput(prompt, placeholder string, limit int) textinput.Model {
	ti := textinput.New()
	ti.Prompt = prompt
	ti.Placeholder = placeholder
	ti.CharLimit = limit
	return ti
}

// inputStyles is the theme for the console's text inputs (virtual cursor,
// no blinking: nothing wakes the program up).
func inputStyles(sh *shared) textinput.Styles {
	st := sh.styles
	state := textinput.StyleState{Prompt: st.Prompt, Text: st.PromptText, Placeholder: st.PromptHint, Suggestion: st.PromptHint}
	s := textinput.Styles{Focused: state, Blurred: textinput.StyleState{Prompt: st.Dim, Text: st.PromptText, Placeholder: st.PromptHint}}
	s.Cursor.Blink = false
	return s
}

func (p *dirPicker) show() tea.Cmd {
	p.input.Reset()
	p.choices = nil
	p.err = ""
	p.search()
	return p.input.Focus()
}

func (p *dirPicker) hide() { p.input.Blur() }

// search runs the query against the directory.
func (p *dirPicker) search() {
	p.matches = p.sh.names.dir.Search(p.input.Value(), pickerLimit)
	p.sel, p.offset = 0, 0
}

func (p *dirPicker) update(msg tea.Msg) tea.Cmd {
	before := p.input.Value()
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	if p.input.Value() != before {
		p.err = ""
		p.search()
	}
	return cmd
}

func (p *dirPicker) move(d int) {
	if p.choices != nil {
		p.choice = min(max(p.choice+d, 0), len(p.choices)-1)
		p.err = ""
		return
	}
	if len(p.matches) == 0 {
		return
	}
	p.sel = min(max(p.sel+d, 0), len(p.matches)-1)
	p.err = ""
	if p.sel < p.offset {
		p.offset = p.sel
	}
	if p.height > 0 && p.sel >= p.offset+p.height {
		p.offset = p.sel - p.height + 1
	}
}

// chosen is the selected contact.
func (p *dirPicker) chosen() (directory.Contact, bool) {
	if p.sel < 0 || p.sel >= len(p.matches) {
		return directory.Contact{}, false
	}
	return p.matches[p.sel].Contact, true
}

// contactNumber is the number to dial for a contact: its number, or its
// extension when it has none.
func contactNumber(c directory.Contact) string {
	if strings.TrimSpace(c.Number) != "" {
		return c.Number
	}
	return c.Extension
}

// pickerHead is the lines above the matches: the input and what it found.
const pickerHead = 2

// setSize fits the picker in w×h cells, and scrolls to the selection.
func (p *dirPicker) setSize(w, h int) {
	p.input.SetWidth(max(1, w-width(p.input.Prompt)-1))
	p.height = max(0, h-pickerHead)
	if p.sel >= p.offset+p.height {
		p.offset = max(0, p.sel-p.height+1)
	}
}

// lines renders the picker in h lines of width w.
func (p *dirPicker) lines(w, h int) []string {
	st := p.sh.styles
	out := []string{ansi.Truncate(p.input.View(), w, "")}
	info := "  " + directorySummary(p.sh.names.dir.Len(), p.sh.dirSkipped)
	if len(p.matches) != p.sh.names.dir.Len() {
		info = "  " + itoa(len(p.matches)) + " matches of " + itoa(p.sh.names.dir.Len())
		if len(p.matches) == 1 {
			info = "  1 match of " + itoa(p.sh.names.dir.Len())
		}
	}
	if p.err != "" {
		out = append(out, st.PromptInvalid.Render(ansi.Truncate("  ✗ "+p.err, w, "…")))
	} else {
		out = append(out, st.Dim.Render(ansi.Truncate(info+" · ↑↓ choose · enter dials · esc closes", w, "…")))
	}
	if c, ok := p.chosen(); ok && p.choices != nil {
		return p.choiceLines(c, out, w, h)
	}
	if p.sh.names.dir.Len() == 0 && p.height > 0 {
		out = append(out, st.Empty.Render(ansi.Truncate("  No directory loaded: set --directory or FRONTDESK_DIRECTORY to a .csv or .vcf file.", w, "…")))
	}
	nameW := min(28, max(10, w/3))
	deptW := min(24, max(0, w/4))
	for i := p.offset; i < len(p.matches) && len(out) < h; i++ {
		c := p.matches[i].Contact
		num := model.FormatNumber(contactNumber(c))
		if c.Extension != "" && c.Number != "" {
			num += " x" + c.Extension
		}
		line := "  " + pad(model.Clean(c.Name, 60), nameW, false) + " " + pad(model.Clean(c.Department, 60), deptW, false) + " " + model.Clean(num, 40)
		line = pad(line, w, false)
		if i == p.sel {
			out = append(out, st.SelectedRow.Render("▸"+line[1:]))
		} else {
			out = append(out, st.Row.Render(line))
		}
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out[:h]
}

// choiceLines draws the numbers of contact c to choose from, after the
// search lines out.
func (p *dirPicker) choiceLines(c directory.Contact, out []string, w, h int) []string {
	st := p.sh.styles
	out = append(out, st.TableHeader.Render(ansi.Truncate("  Dial "+model.Clean(c.Name, 60)+" on which number? ↑↓ choose · enter dials · esc back", w, "…")))
	for i, d := range p.choices {
		line := "  " + pad(d.Kind, 10, false) + " " + model.Clean(model.FormatNumber(d.Number), 40)
		line = pad(line, w, false)
		if i == p.choice {
			out = append(out, st.SelectedRow.Render("▸"+line[1:]))
		} else {
			out = append(out, st.Row.Render(line))
		}
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out[:h]
}
