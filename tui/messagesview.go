package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/model"
)

// messagesView lists the "while you were out" messages: open ones first,
// each group newest first.
type messagesView struct {
	sh   *shared
	msgs []Message
	listCursor
	loaded bool
	err    string
}

// take replaces the messages, keeping the selection on the same message.
func (v *messagesView) take(msgs []Message) {
	var selID int64 = -1
	if m, ok := v.selected(); ok {
		selID = m.ID
	}
	slices.SortStableFunc(msgs, func(a, b Message) int {
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

func (v *messagesView) selected() (Message, bool) {
	if v.sel < 0 || v.sel >= len(v.msgs) {
		return Message{}, false
	}
	return v.msgs[v.sel], true
}

// lines renders the view in h lines of width w.
func (v *messagesView) lines(w, h int) []string {
	st := v.sh.styles
	title := "MESSAGES · " + itoa(v.open()) + " open"
	if done := len(v.msgs) - v.open(); done > 0 {
		title += ", " + itoa(done) + " done"
	}
	out := []string{st.TableHeader.Render(ansi.Truncate(title, w, "…"))}
	v.height = max(0, h-1)
	v.follow(len(v.msgs))
	switch {
	case v.err != "":
		out = append(out, st.StatusError.Render(ansi.Truncate("  "+v.err, w, "…")))
	case v.loaded && len(v.msgs) == 0 && v.height > 0:
		out = append(out, st.Empty.Render(ansi.Truncate("  No messages. m on a call or a history entry takes one.", w, "…")))
	}
	now := v.sh.now
	forW := min(20, max(8, w/5))
	fromW := min(30, max(10, w/4))
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
		if n := model.FormatNumber(m.CallerNumber); strings.TrimSpace(n) != "" {
			if from != "" {
				from += " "
			}
			from += n
		}
		text := strings.Join(strings.Fields(model.Clean(strings.ReplaceAll(m.Text, "\n", " "), 400)), " ")
		line := mark + box + pad(when, 12, false) + " " +
			pad("for "+model.Clean(m.For, 60), forW, false) + " " +
			pad("from "+from, fromW, false) + " " + text
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
