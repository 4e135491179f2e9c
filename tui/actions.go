package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The action table: every key the console answers to, declared once per
// pane with its bindings, when it applies (and the words of its refusal),
// what it does and its help text. Key handling, the footer and the ?
// overlay all read it; see doc.go for the rules it keeps.

// pane is a set of keys that apply together: one per view, one per form
// or prompt, and one for a question waiting for y/N.
type pane int

const (
	paneCalls pane = iota
	paneHistory
	paneMessages
	paneToday
	paneDial
	panePicker
	paneSearch
	paneForm
	panePIN
	paneQuestion
	paneCount
)

// action is one thing the receptionist can do in a pane.
type action struct {
	bind key.Binding // keys and help text
	// label, when set, is the help text's description for the moment
	// (the hold key says "resume" over a held call).
	label func(m *Model) string
	// why says why the action cannot be taken now, in the words the
	// status line shows; "" when it can. Nil: it always can.
	why func(m *Model) string
	do  func(m *Model) tea.Cmd
	// short puts the action in the one-line footer while it applies.
	short bool
}

// paneActions is one pane's part of the table.
type paneActions struct {
	title   string // for the ? overlay
	actions []action
	// text takes the keys no action matched (typed text); nil drops them.
	text func(m *Model, msg tea.KeyPressMsg) tea.Cmd
}

// actionTable is the whole table for a key map. Views list their own
// actions first and then the ones every view shares, so a view may give a
// shared key (/) a meaning of its own.
func actionTable(k KeyMap) [paneCount]paneActions {
	var t [paneCount]paneActions
	t[paneCalls] = paneActions{title: "Calls", actions: unshadow(append(callsActions(k), viewActions(k)...))}
	t[paneHistory] = paneActions{title: "History", actions: unshadow(append(historyActions(k), viewActions(k)...))}
	t[paneToday] = paneActions{title: "Today", actions: unshadow(append(todayActions(k), viewActions(k)...))}
	t[paneMessages] = paneActions{title: "Messages", actions: unshadow(append(messagesActions(k), viewActions(k)...))}
	t[paneDial] = paneActions{title: "Dial", actions: dialActions(k), text: (*Model).dialText}
	t[panePicker] = paneActions{title: "Directory", actions: pickerActions(k), text: (*Model).pickerText}
	t[paneSearch] = paneActions{title: "Search", actions: searchActions(k), text: (*Model).searchText}
	t[paneForm] = paneActions{title: "Message", actions: formActions(k), text: (*Model).formText}
	t[panePIN] = paneActions{title: "PIN", actions: pinActions(k), text: (*Model).pinText}
	t[paneQuestion] = paneActions{title: "Question", actions: questionActions(k), text: (*Model).questionOther}
	return t
}

// unshadow takes from each action the keys an earlier action of the pane
// already answers to, so that help never shows a key that does something
// else there (History's / searches; D and F6 still find).
func unshadow(acts []action) []action {
	seen := map[string]bool{}
	for i := range acts {
		b := &acts[i].bind
		var keep []string
		for _, k := range b.Keys() {
			if !seen[k] {
				keep = append(keep, k)
			}
		}
		if len(keep) < len(b.Keys()) {
			b.SetKeys(keep...)
			b.SetHelp(keyText(keep), b.Help().Desc)
		}
		for _, k := range keep {
			seen[k] = true
		}
	}
	return acts
}

// keyText is keys as help writes them: "D/F6". A capital that only
// doubles a lower-case letter (Caps Lock) is left out.
func keyText(keys []string) string {
	var parts []string
	has := map[string]bool{}
	for _, k := range keys {
		has[k] = true
	}
	for _, k := range keys {
		if len(k) == 1 && k != strings.ToLower(k) && has[strings.ToLower(k)] {
			continue
		}
		if len(k) >= 2 && k[0] == 'f' && k[1] >= '0' && k[1] <= '9' {
			k = "F" + k[1:]
		}
		parts = append(parts, k)
	}
	return strings.Join(parts, "/")
}

// viewActions are the keys every view shares.
func viewActions(k KeyMap) []action {
	return []action{
		{bind: k.AnswerNext, why: (*Model).whyNoneRinging, do: (*Model).answerNext, short: true},
		{bind: k.Dial, do: (*Model).openDial, short: true},
		{bind: k.Directory, do: (*Model).openPicker, short: true},
		{bind: k.PIN, why: (*Model).whyNoPIN, do: (*Model).openPIN, short: true},
		{bind: k.NextView, do: func(m *Model) tea.Cmd { return m.switchView((m.view + 1) % viewCount) }, short: true},
		{bind: k.PrevView, do: func(m *Model) tea.Cmd { return m.switchView((m.view + viewCount - 1) % viewCount) }},
		{bind: k.Help, do: func(m *Model) tea.Cmd { m.help.ShowAll = !m.help.ShowAll; return nil }, short: true},
		{bind: k.CloseHelp, label: func(m *Model) string {
			if !m.help.ShowAll && m.view == viewMessages && m.msgs.reading {
				return "back to the list"
			}
			return "close help"
		}, why: func(m *Model) string {
			if !m.help.ShowAll && !(m.view == viewMessages && m.msgs.reading) {
				return "Help is not open"
			}
			return ""
		}, do: func(m *Model) tea.Cmd {
			// Esc closes help first, then an open message.
			if m.help.ShowAll {
				m.help.ShowAll = false
			} else {
				m.msgs.read(false)
			}
			return nil
		}},
		{bind: k.Quit, do: (*Model).quit, short: true},
	}
}

// pane is the pane that has the keys now.
func (m *Model) pane() pane {
	if m.question != nil {
		return paneQuestion
	}
	switch m.focus {
	case focusDial:
		return paneDial
	case focusPicker:
		return panePicker
	case focusSearch:
		return paneSearch
	case focusForm:
		return paneForm
	case focusPIN:
		return panePIN
	}
	switch m.view {
	case viewHistory:
		return paneHistory
	case viewMessages:
		return paneMessages
	case viewToday:
		return paneToday
	}
	return paneCalls
}

// handleKey finds the key's action in the current pane and takes it, or
// says why not; keys no action matches go to the pane's text input.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.tooSmall() && m.question == nil && m.focus != focusForm {
		// Only quitting makes sense on a screen this small.
		if key.Matches(msg, m.sh.keys.Quit) {
			return m.quit()
		}
		return nil
	}
	p := &m.acts[m.pane()]
	for i := range p.actions {
		a := &p.actions[i]
		if !key.Matches(msg, a.bind) {
			continue
		}
		if a.why != nil {
			if why := a.why(m); why != "" {
				return m.refuse(why)
			}
		}
		return a.do(m)
	}
	if p.text != nil {
		return p.text(m, msg)
	}
	return nil
}

// refuse says why an action was not taken. A repeat of an action still in
// flight is not an error: it reads as the pending action it waits for.
func (m *Model) refuse(why string) tea.Cmd {
	if c, ok := m.list.selected(); ok {
		if _, busy := m.pending[c.Key()]; busy {
			return m.status.set(statusPending, why)
		}
	}
	return m.status.set(statusError, why)
}

// bindingsNow is the current pane's bindings as help shows them: each
// enabled only while its action applies, with its label of the moment.
func (m *Model) bindingsNow() (short, all []key.Binding) {
	p := &m.acts[m.pane()]
	for i := range p.actions {
		a := &p.actions[i]
		b := a.bind
		if a.label != nil {
			b.SetHelp(b.Help().Key, a.label(m))
		}
		b.SetEnabled(a.why == nil || a.why(m) == "")
		all = append(all, b)
		if a.short {
			short = append(short, b)
		}
	}
	return short, all
}

// paneHelp is a pane's bindings as a help.KeyMap.
type paneHelp struct{ short, all []key.Binding }

func (p paneHelp) ShortHelp() []key.Binding  { return p.short }
func (p paneHelp) FullHelp() [][]key.Binding { return [][]key.Binding{p.all} }

// helpKeys is the help for the current pane.
func (m *Model) helpKeys() help.KeyMap {
	short, all := m.bindingsNow()
	return paneHelp{short, all}
}

// overlay is the ? screen: every key of the current pane, those that do
// not apply at the moment dimmed with the reason.
func (m *Model) overlay(w, h int) []string {
	st := m.sh.styles
	p := &m.acts[m.pane()]
	out := []string{st.TableHeader.Render(ansi.Truncate("KEYS · "+p.title+" (dimmed: not now) · ? or esc closes", w, "…"))}
	for i := range p.actions {
		a := &p.actions[i]
		hb := a.bind.Help()
		desc := hb.Desc
		if a.label != nil {
			desc = a.label(m)
		}
		line := "  " + pad(hb.Key, 12, false) + " " + desc
		why := ""
		if a.why != nil {
			why = a.why(m)
		}
		if why == "" {
			out = append(out, ansi.Truncate(st.HelpKey.Render("  "+pad(hb.Key, 12, false))+" "+st.HelpDesc.Render(desc), w, "…"))
			continue
		}
		out = append(out, st.Dim.Render(ansi.Truncate(line+" · "+why, w, "…")))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return out[:h]
}
