package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
)

// historyView lists stored calls, newest first, with filters and a search.
type historyView struct {
	sh   *shared
	rows []model.CallRecord
	listCursor

	missed, inbound, outbound, today bool
	open                             bool // only missed calls still to deal with
	search                           textinput.Model

	gen     int  // generation of the latest query
	loading bool // a query is out
	loaded  bool
	err     string
	// callLines names each call's line, for the line column.
	callLines *lineSet
}

// historyLimit bounds one query: the view is for recent calls; older ones
// are found by searching.
const historyLimit = 500

func newHistoryView(sh *shared) historyView {
	return historyView{sh: sh, search: newInput("Search: ", "name or number", 60)}
}

func (h *historyView) restyle() { h.search.SetStyles(inputStyles(h.sh)) }

// query is the store query for the current filters.
func (h *historyView) query() model.CallQuery {
	q := model.CallQuery{Missed: h.missed, Inbound: h.inbound, Outbound: h.outbound, Open: h.open, Search: strings.TrimSpace(h.search.Value()), Limit: historyLimit}
	if h.today {
		now := h.sh.now
		q.Since = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	}
	return q
}

// reload asks the store for the rows again.
func (h *historyView) reload(r Records) tea.Cmd {
	if r == nil {
		return nil
	}
	h.gen++
	h.loading = true
	return loadHistory(r, h.query(), h.gen)
}

// loaded takes a query's answer, keeping the selection on the same call.
func (h *historyView) take(msg historyLoadedMsg) {
	if msg.gen != h.gen {
		return
	}
	h.loading, h.loaded = false, true
	if msg.err != nil {
		h.sh.log.Error("reading call history", "err", msg.err)
		h.err = "Could not read the call history: " + model.Clean(msg.err.Error(), 200)
		return
	}
	h.err = ""
	var selID int64 = -1
	if c, ok := h.selected(); ok {
		selID = c.ID
	}
	h.rows = msg.rows
	h.sel = 0
	for i := range h.rows {
		if h.rows[i].ID == selID {
			h.sel = i
		}
	}
	h.follow(len(h.rows))
}

func (h *historyView) selected() (model.CallRecord, bool) {
	if h.sel < 0 || h.sel >= len(h.rows) {
		return model.CallRecord{}, false
	}
	return h.rows[h.sel], true
}

func (h *historyView) move(d int) { h.step(d, len(h.rows)) }

// filterText describes the filters: "missed, today" or "all calls".
func (h *historyView) filterText() string {
	var f []string
	if h.open {
		f = append(f, "open missed")
	}
	if h.missed {
		f = append(f, "missed")
	}
	if h.inbound {
		f = append(f, "inbound")
	}
	if h.outbound {
		f = append(f, "outbound")
	}
	if h.today {
		f = append(f, "today")
	}
	if len(f) == 0 {
		return "all calls"
	}
	return strings.Join(f, ", ")
}

// who names a stored call's other party: the name saved with it, else the
// directory's current name, else the number.
func (h *historyView) who(r model.CallRecord) string {
	if n := model.Clean(r.Name, 60); n != "" {
		return n
	}
	return h.sh.names.who(r.Ani)
}

// followUpText says where a missed call stands: open, reached (a later
// call with the number connected) or handled, and by whom.
func followUpText(r model.CallRecord, now time.Time) string {
	switch {
	case r.Outcome != model.OutcomeMissed:
		return ""
	case !r.Handled.IsZero():
		by := model.Clean(r.HandledBy, 40)
		if by == "" {
			return "handled"
		}
		return "handled by " + by
	case !r.Reached.IsZero():
		return "reached " + shortWhen(r.Reached, now, "")
	}
	return "● open"
}

// outcomeMark is the symbol and word for an outcome.
func outcomeMark(o model.Outcome) string {
	switch o {
	case model.OutcomeAnswered:
		return "✓ answered"
	case model.OutcomeMissed:
		return "✗ missed"
	case model.OutcomeIgnored:
		return "⊘ ignored"
	case model.OutcomeOutbound:
		return "↗ outbound"
	}
	return "? unknown"
}

// setSize fits the view in w×ht cells: the title line (or the search
// input), then rows.
func (h *historyView) setSize(w, ht int) {
	h.search.SetWidth(max(1, w-width(h.search.Prompt)-1))
	h.height = max(0, ht-1)
	h.follow(len(h.rows))
}

// lines renders the view in ht lines of width w: a title line, then rows.
func (h *historyView) lines(w, ht int, searching bool) []string {
	st := h.sh.styles
	var out []string
	if searching {
		out = append(out, ansi.Truncate(h.search.View(), w, ""))
	} else {
		title := "HISTORY · " + h.filterText()
		if q := strings.TrimSpace(h.search.Value()); q != "" {
			title += " · search “" + model.Clean(q, 40) + "”"
		}
		if h.loaded {
			title += " · " + plural(len(h.rows), "call")
		}
		out = append(out, st.TableHeader.Render(ansi.Truncate(title, w, "…")))
	}
	switch {
	case h.err != "":
		out = append(out, st.StatusError.Render(ansi.Truncate("  "+h.err, w, "…")))
	case h.loaded && len(h.rows) == 0 && h.height > 0:
		text := "  No calls yet."
		if h.filterText() != "all calls" || h.search.Value() != "" {
			text = "  No calls match. 0 shows all calls."
		}
		out = append(out, st.Empty.Render(ansi.Truncate(text, w, "…")))
	}
	const markW, outW, dirW, whenW, durW = 2, 11, 4, 12, 8
	followW := 0
	for _, r := range h.rows {
		if r.Outcome == model.OutcomeMissed {
			followW = min(24, w/5)
			break
		}
	}
	numW := 16
	// The line column, with several lines or named numbers.
	lineW := 0
	if h.callLines != nil && h.callLines.named() {
		lineW = 14
	}
	fixedW := markW + outW + dirW + whenW + durW + lineW + btoi(lineW > 0) + followW
	nameW := w - fixedW - numW - 6
	if nameW < 12 {
		numW = 0
		nameW = w - fixedW - 5
	}
	now := h.sh.now
	return h.fill(out, ht, len(h.rows), func(i int) string {
		r := h.rows[i]
		e := r
		mark := "  "
		if i == h.sel {
			mark = "▸ "
		}
		dir := "in"
		if e.Outbound {
			dir = "out"
		}
		at := e.End
		if at.IsZero() {
			at = e.Start
		}
		when := shortWhen(at, now, "today ")
		var b strings.Builder
		b.WriteString(mark)
		b.WriteString(pad(outcomeMark(e.Outcome), outW, false) + " ")
		b.WriteString(pad(dir, dirW, false) + " ")
		if lineW > 0 {
			b.WriteString(pad(model.Clean(h.callLines.entryNaming(&e).Label, 0), lineW, false) + " ")
		}
		name := h.nameOf(r)
		if numW == 0 && name == "" {
			name = h.who(r)
		}
		b.WriteString(pad(name, max(1, nameW), false) + " ")
		if numW > 0 {
			b.WriteString(pad(model.FormatNumber(e.Ani), numW, false) + " ")
		}
		b.WriteString(pad(when, whenW, false) + " ")
		b.WriteString(pad(clock(e.Duration()), durW, true))
		if followW > 0 {
			b.WriteString(" " + pad(followUpText(e, now), followW-1, false))
		}
		line := pad(b.String(), w, false)
		style := st.Row
		if e.Outcome == model.OutcomeMissed {
			style = st.Missed
		}
		if i == h.sel {
			style = style.Inherit(st.SelectedRow)
		}
		return style.Render(line)
	})
}
