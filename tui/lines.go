package tui

import (
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/frontdesk/frontdesk/model"
)

// Line is one phone the console works. A console of several lines shows
// all their calls in one list; each call's actions go out on its own
// line's Phone.
type Line struct {
	// Name tells this line's calls from the other lines' (two phones may
	// use the same call Id); unique among the console's lines.
	Name string
	// DID is the phone's number: stored calls carry it, so the History
	// view can tell their line.
	DID string
	// Naming is what the line's calls are labelled and greeted with,
	// unless the number the caller dialled has its own.
	model.Naming
	// Phone is the line's call stream and command channel. Required.
	Phone Phone
}

// lineState is a line and what the console knows of its connection.
type lineState struct {
	Line
	conn connView
	// confirmed is cleared when the line's stream goes down and set again
	// when a listCalls has confirmed its calls; meanwhile its rows are
	// shown as unconfirmed.
	confirmed bool
}

// lineSet is the console's lines and the numbers that name calls.
type lineSet struct {
	all     []lineState
	byName  map[string]int
	byDID   map[string]int
	numbers *model.Numbers
}

func newLineSet(lines []Line, numbers *model.Numbers) lineSet {
	s := lineSet{
		all:     make([]lineState, len(lines)),
		byName:  make(map[string]int, len(lines)),
		byDID:   make(map[string]int, len(lines)),
		numbers: numbers,
	}
	for i, l := range lines {
		s.all[i] = lineState{Line: l, confirmed: true}
		s.byName[l.Name] = i
		if d := model.NumberKey(l.DID); d != "" {
			if _, dup := s.byDID[d]; !dup {
				s.byDID[d] = i
			}
		}
	}
	return s
}

// several reports whether the console works more than one line.
func (s *lineSet) several() bool { return len(s.all) > 1 }

// of returns the line called name.
func (s *lineSet) of(name string) (*lineState, bool) {
	i, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	return &s.all[i], true
}

// callNaming is the label and greeting of a live call: the number the
// caller dialled, if named, over its line's.
func (s *lineSet) callNaming(c *model.Call) model.Naming {
	var own model.Naming
	if l, ok := s.of(c.Line); ok {
		own = l.Naming
	}
	return s.numbers.For(model.Dialled(c.CLID, c.HasCLID, c.DID), own)
}

// entryNaming is the label and greeting of an ended call: the number
// dialled's over its line's.
func (s *lineSet) entryNaming(e *model.CallRecord) model.Naming {
	return s.numbers.For(model.Dialled(e.CLID, e.HasCLID, e.DID), s.entryLineNaming(e))
}

// entryLineNaming is the naming of an ended call's line: by its line when
// it ended in this console, else by the DID it was stored with.
func (s *lineSet) entryLineNaming(e *model.CallRecord) model.Naming {
	if l, ok := s.of(e.Line); ok && e.Line != "" {
		return l.Naming
	}
	if i, ok := s.byDID[model.NumberKey(e.DID)]; ok {
		return s.all[i].Naming
	}
	return model.Naming{}
}

// entryLabel is the line Today counts an ended call under (see
// model.Numbers.LineLabel, which `frontdesk stats` names lines with too).
func (s *lineSet) entryLabel(e model.CallRecord) string {
	return s.numbers.LineLabel(e, s.entryLineNaming(&e))
}

// names is a copy of the lines for a command to name calls with, which
// must not read the Model. The maps and numbers are only read once made.
func (s *lineSet) names() *lineSet {
	c := *s
	c.all = slices.Clone(s.all)
	return &c
}

// account is the account (DID) of the line called name, "" when the line
// has none given: the store then files it under the console's first.
func (s *lineSet) account(name string) string {
	if l, ok := s.of(name); ok {
		return l.DID
	}
	return ""
}

// didLabel names the line of a DID as stored with a call: the line's label,
// or the number formatted.
func (s *lineSet) didLabel(did string) string {
	if i, ok := s.byDID[model.NumberKey(did)]; ok && s.all[i].Label != "" {
		return model.Clean(s.all[i].Label, 0)
	}
	return model.FormatNumber(did)
}

// entryLine is the index of the line an ended call was on, or -1.
func (s *lineSet) entryLine(e *model.CallRecord) int {
	if i, ok := s.byName[e.Line]; ok && (e.Line != "" || !s.several()) {
		return i
	}
	if i, ok := s.byDID[model.NumberKey(e.DID)]; ok {
		return i
	}
	if !s.several() && len(s.all) == 1 {
		return 0
	}
	return -1
}

// named reports whether calls have labels to show: several lines, or
// numbers with names of their own.
func (s *lineSet) named() bool { return s.several() || s.numbers.Len() > 0 }

// callLabel is what a call's line column shows: its label, or, with
// nothing named, the number dialled.
func (s *lineSet) callLabel(c *model.Call) string {
	if s.named() {
		if l := s.callNaming(c).Label; l != "" {
			return model.Clean(l, 0)
		}
	}
	return c.Dialled()
}

// connPart is one line's connection state in the header: "Acme ● live",
// shortened to "Acme ●" when short is set.
func connPart(sh *shared, label string, conn connView, short bool) (string, lipgloss.Style) {
	text, style := conn.text(sh)
	label = model.Clean(label, 20)
	if short {
		sym, _, _ := strings.Cut(text, " ")
		return label + " " + sym, style
	}
	return label + " " + text, style
}
