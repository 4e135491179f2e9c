package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
)

// question is a y/N question that holds the keys until it is answered:
// quitting with callers on the line, discarding typed text. Anything but
// y is no.
type question struct {
	text string
	yes  func(m *Model) tea.Cmd
	no   string // the status after no
	// enterYes makes Enter say yes, for a question whose yes loses
	// nothing (call back); otherwise Enter, like any other key, is no.
	enterYes bool
}

func questionActions(k KeyMap) []action {
	return []action{
		{bind: k.Yes, do: (*Model).questionYes, short: true},
		{bind: k.No, do: (*Model).questionNo, short: true},
	}
}

// askFirst puts a question; yes runs if the receptionist says y.
func (m *Model) askFirst(text, no string, yes func(m *Model) tea.Cmd) tea.Cmd {
	m.question = &question{text: text, yes: yes, no: no}
	return nil
}

func (m *Model) questionYes() tea.Cmd {
	q := m.question
	m.question = nil
	return q.yes(m)
}

func (m *Model) questionNo() tea.Cmd {
	q := m.question
	m.question = nil
	return m.status.set(statusOK, q.no)
}

func (m *Model) questionOther(msg tea.KeyPressMsg) tea.Cmd {
	if m.question.enterYes && msg.String() == "enter" {
		return m.questionYes()
	}
	return m.questionNo()
}

// questionLines draws the question where the status line goes.
func (m *Model) questionLines(w int) []string {
	q := m.question
	hint := " y/N"
	if q.enterYes {
		hint = " y/enter yes · any other key no"
	}
	return []string{m.sh.styles.Warning.Render(ansi.Truncate("? "+q.text+hint, w, "…"))}
}

// closeAsking runs close at once, or when the form holds typed text, after
// asking whether to discard it.
func (m *Model) closeAsking(typed bool, text string, close func(m *Model) tea.Cmd) tea.Cmd {
	if !typed {
		return close(m)
	}
	return m.askFirst(text, "Kept what you typed", close)
}

// quit ends the console, asking first while callers are on the line.
func (m *Model) quit() tea.Cmd {
	if on := m.onTheLine(); on != "" {
		return m.askFirst(on+" — quit anyway?", "Not quitting", (*Model).saveAndQuit)
	}
	return m.saveAndQuit()
}

// onTheLine counts the calls a quit would leave behind: "2 calls on hold,
// 1 ringing"; "" when there are none.
func (m *Model) onTheLine() string {
	var parts []string
	for _, s := range []model.State{model.StateHolding, model.StateConnected, model.StateRinging} {
		n := m.table.Count(s)
		if n == 0 {
			continue
		}
		if len(parts) == 0 {
			parts = append(parts, plural(n, "call")+" "+s.Label())
		} else {
			parts = append(parts, itoa(n)+" "+s.Label())
		}
	}
	return strings.Join(parts, ", ")
}
