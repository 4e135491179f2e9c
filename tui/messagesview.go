package tui

import (
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
)

// messagesView lists the "while you were out" messages: open ones first,
// each group newest first.
type messagesView struct {
	sh   *shared
	msgs []model.Message
	listCursor
	loaded bool
	err    string
	// reading shows the selected message in full instead of the list:
	// its lines from readTop, readShown of readLen at a time (setSize).
	reading                     bool
	readTop, readShown, readLen int
	// callLines names each message's line, for the line column.
	callLines *lineSet
}

// take replaces the messages, keeping the selection on the same message.
func (v *messagesView) take(msgs []model.Message) {
	var selID int64 = -1
	if m, ok := v.selected(); ok {
		selID = m.ID
	}
	slices.SortStableFunc(msgs, func(a, b model.Message) int {
		if a.Done != b.Done {
			if a.Done {
				return 1
			}
			return -1
		}
		return b.Created.Compare(a.Created)
	})
	v.msgs, v.loaded, v.err = msgs, true, ""
	v.sel = min(v.sel, max(0, len(msgs)-1))
	for i := range msgs {
		if msgs[i].ID == selID {
			v.sel = i
		}
	}
	v.follow(len(v.msgs))
}

func (v *messagesView) open() int {
	n := 0
	for _, m := range v.msgs {
		if !m.Done {
			n++
		}
	}
	return n
}

func (v *messagesView) selected() (model.Message, bool) {
	if v.sel < 0 || v.sel >= len(v.msgs) {
		return model.Message{}, false
	}
	return v.msgs[v.sel], true
}

// setSize fits the view in w×h cells, its title line included, and the
// message being read in what is left.
func (v *messagesView) setSize(w, h int) {
	v.height = max(0, h-1)
	v.follow(len(v.msgs))
	v.readLen, v.readShown = 0, 0
	if m, ok := v.selected(); ok && v.reading {
		v.readLen = len(v.readLines(m, w))
		v.readShown = max(0, h-len(v.head(w)))
		if v.readLen > v.readShown && v.readShown > 1 {
			v.readShown-- // the last row says where the text is
		}
	}
	v.scroll(0)
}

// read opens the selected message at its top, or goes back to the list.
func (v *messagesView) read(on bool) { v.reading, v.readTop = on, 0 }

// scroll moves the message being read by d lines, within its text.
func (v *messagesView) scroll(d int) {
	v.readTop = max(0, min(v.readTop+d, v.readLen-v.readShown))
}

// head is the title line, then why there is nothing to list, if so.
func (v *messagesView) head(w int) []string {
	st := v.sh.styles
	title := "MESSAGES · " + itoa(v.open()) + " open"
	if done := len(v.msgs) - v.open(); done > 0 {
		title += ", " + itoa(done) + " done"
	}
	out := []string{st.TableHeader.Render(ansi.Truncate(title, w, "…"))}
	switch {
	case v.err != "":
		out = append(out, st.StatusError.Render(ansi.Truncate("  "+v.err, w, "…")))
	case v.loaded && len(v.msgs) == 0 && v.height > 0:
		out = append(out, st.Empty.Render(ansi.Truncate("  No messages. m on a call or a history entry takes one.", w, "…")))
	}
	return out
}

// lines renders the view in h lines of width w.
func (v *messagesView) lines(w, h int) []string {
	st := v.sh.styles
	out := v.head(w)
	if m, ok := v.selected(); ok && v.reading {
		text := v.readLines(m, w)
		end := min(len(text), v.readTop+v.readShown)
		out = append(out, text[v.readTop:end]...)
		if v.readShown < len(text) {
			where := "  lines " + itoa(v.readTop+1) + "–" + itoa(end) + " of " + itoa(len(text)) + " · ↑↓ PgUp PgDn scroll"
			out = append(out, st.Dim.Render(ansi.Truncate(where, w, "…")))
		}
		return v.fill(out, h, 0, nil)
	}
	now := v.sh.now
	forW := min(20, max(8, w/5))
	fromW := min(24, max(10, w/5))
	// The caller's number is shown in full: it is what gets called back.
	numW := 0
	for _, m := range v.msgs {
		numW = max(numW, ansi.StringWidth(model.FormatNumber(m.CallerNumber)))
	}
	numW = min(numW, 24)
	whenW := 0
	for _, m := range v.msgs {
		whenW = max(whenW, ansi.StringWidth(shortWhen(m.Created, now, "")))
	}
	// The line column, with several lines.
	lineW := 0
	if v.callLines != nil && v.callLines.several() {
		lineW = 14
	}
	return v.fill(out, h, len(v.msgs), func(i int) string {
		m := v.msgs[i]
		mark := "  "
		if i == v.sel {
			mark = "▸ "
		}
		box := "[ ] "
		if m.Done {
			box = "[x] "
		}
		when := shortWhen(m.Created, now, "")
		from := model.Clean(m.CallerName, 60)
		if from == "" {
			from = "—"
		}
		text := strings.Join(strings.Fields(model.Clean(strings.ReplaceAll(m.Text, "\n", " "), 400)), " ")
		if note := model.DeliveryNote(m.Deliveries); note != "" {
			text = "(" + note + ") " + text
		}
		line := mark + box + pad(when, whenW, false) + " "
		if lineW > 0 {
			line += pad(v.callLines.didLabel(m.Account), lineW, false) + " "
		}
		line += pad("for "+model.Clean(m.For, 60), forW, false) + " " +
			pad("from "+from, fromW, false) + " "
		if numW > 0 {
			line += pad(model.FormatNumber(m.CallerNumber), numW, false) + " "
		}
		line += text
		line = pad(line, w, false)
		style := st.Row
		if m.Done {
			style = st.Done
		}
		if i == v.sel {
			style = style.Inherit(st.SelectedRow)
		}
		return style.Render(line)
	})
}

// deliveryLine says where one delivery of a message stands: sent when,
// queued with the last failure and the next try, or failed and why.
func deliveryLine(d model.Delivery, now time.Time) string {
	to := string(d.Channel)
	if d.To != "" {
		to = model.Clean(d.To, 80) + " by " + to
	}
	switch d.State {
	case model.DeliverySent:
		return to + ": sent " + d.Updated.In(now.Location()).Format("15:04")
	case model.DeliveryFailed:
		return to + ": failed: " + model.Clean(d.LastError, 200)
	}
	line := to + ": queued"
	if d.LastError != "" {
		line += ", next try " + d.NextTry.In(now.Location()).Format("15:04:05") + " (" + model.Clean(d.LastError, 200) + ")"
	}
	return line
}

// readLines draws message m in full: who it is for, who called and on
// what number, when, and the whole text wrapped to the width.
func (v *messagesView) readLines(m model.Message, w int) []string {
	st := v.sh.styles
	var out []string
	field := func(name, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		out = append(out, ansi.Truncate(st.TableHeader.Render("  "+pad(name, 8, false))+" "+value, w, "…"))
	}
	field("For", model.Clean(m.For, 80))
	field("From", model.Clean(m.CallerName, 80))
	field("Number", model.FormatNumber(m.CallerNumber))
	field("Taken", m.Created.In(v.sh.now.Location()).Format("Monday 2 January 2006, 15:04"))
	state := "open"
	if m.Done {
		state = "done"
	}
	field("State", state)
	field("Taken by", model.Clean(m.TakenBy, 80))
	for _, d := range m.Deliveries {
		field("Sent to", deliveryLine(d, v.sh.now))
	}
	out = append(out, "")
	if strings.TrimSpace(m.Text) == "" {
		out = append(out, st.Empty.Render("  (no text)"))
	}
	for _, para := range strings.Split(strings.ReplaceAll(strings.TrimSpace(m.Text), "\r", ""), "\n") {
		for _, l := range strings.Split(ansi.Wordwrap(model.Clean(para, 0), max(10, w-4), ""), "\n") {
			out = append(out, "  "+ansi.Truncate(l, w-2, "…"))
		}
	}
	return append(out, "", st.Dim.Render(ansi.Truncate("  c calls back · x marks done · enter or esc goes back to the list", w, "…")))
}
