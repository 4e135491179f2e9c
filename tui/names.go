package tui

import (
	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
)

// callerNames names callers from the directory. The table's labels are
// kept per raw number until the directory changes, so drawing a row costs
// a map lookup.
type callerNames struct {
	dir   *directory.Directory
	cache map[string]nameLabel
}

type nameLabel struct {
	name, label string // label: "Name (Department)"
}

func newCallerNames(d *directory.Directory) *callerNames {
	return &callerNames{dir: d, cache: map[string]nameLabel{}}
}

// set replaces the directory.
func (n *callerNames) set(d *directory.Directory) {
	n.dir = d
	clear(n.cache)
}

// lookup is the contact's name and label for a number, as kept or from
// the directory. It keeps nothing, so View may ask it.
func (n *callerNames) lookup(raw string) nameLabel {
	if l, ok := n.cache[raw]; ok {
		return l
	}
	return n.find(raw)
}

// remember is lookup that keeps the answer, for what is drawn on every
// frame; Update only.
func (n *callerNames) remember(raw string) nameLabel {
	if l, ok := n.cache[raw]; ok {
		return l
	}
	l := n.find(raw)
	if len(n.cache) > 4096 {
		clear(n.cache)
	}
	n.cache[raw] = l
	return l
}

func (n *callerNames) find(raw string) nameLabel {
	var l nameLabel
	if c, ok := n.dir.Lookup(model.Digits(raw)); ok {
		l.name = model.Clean(c.Name, 60)
		l.label = l.name
		if dept := model.Clean(c.Department, 60); dept != "" && l.name != "" {
			l.label += " (" + dept + ")"
		}
	}
	return l
}

// name is the contact's name for a number, or "".
func (n *callerNames) name(raw string) string { return n.lookup(raw).name }

// label is what the table shows for a caller: the contact's name and
// department, or the formatted number ("unknown caller" for none). The
// table's rows are drawn in Update, so it keeps what it finds.
func (n *callerNames) label(raw string) string {
	if l := n.remember(raw).label; l != "" {
		return l
	}
	return model.Call{Ani: raw}.Caller()
}

// who is how the status line and notifications name a caller: the
// contact's name, or the formatted number.
func (n *callerNames) who(raw string) string {
	if l := n.lookup(raw).name; l != "" {
		return l
	}
	return model.Call{Ani: raw}.Caller()
}
