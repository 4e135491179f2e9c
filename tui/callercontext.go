package tui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/frontdesk/frontdesk/directory"
	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/stats"
)

// callerContext is what the desk knows about a caller's number when the
// call rings: the calls with it today, the last call before this one and
// how it went, the open messages about it. The directory's notes are added
// when the line is drawn, from the directory of the moment.
type callerContext struct {
	key        string // model.NumberKey of the caller's number
	callsToday int
	last       model.CallRecord
	hasLast    bool
	openMsgs   int
}

// callerContextLimit bounds the stored calls read for one caller.
const callerContextLimit = 200

// buildCallerContext sums up recs (stored calls found by the number,
// newest first) and msgs for the number whose key is key, on now's day.
// Calls and messages of other numbers that a digit search also found are
// left out.
func buildCallerContext(key string, now time.Time, recs []model.CallRecord, msgs []model.Message) callerContext {
	cc := callerContext{key: key}
	dayStart := stats.DayStart(now)
	for _, r := range recs {
		if model.NumberKey(r.Ani) != key {
			continue
		}
		if !r.Start.Before(dayStart) {
			cc.callsToday++
		}
		if !cc.hasLast {
			cc.last, cc.hasLast = r, true
		}
	}
	for _, m := range msgs {
		if !m.Done && model.NumberKey(m.CallerNumber) == key {
			cc.openMsgs++
		}
	}
	return cc
}

// callerContextMsg carries a caller's context, read from the records.
type callerContextMsg struct {
	key string
	cc  callerContext
	err error
}

// loadCallerContext reads what the records know about number.
func loadCallerContext(r Records, number string, now time.Time) tea.Cmd {
	key := model.NumberKey(number)
	return func() tea.Msg {
		recs, err := r.Calls(model.CallQuery{Search: key, Limit: callerContextLimit})
		if err != nil {
			return callerContextMsg{key: key, err: err}
		}
		msgs, err := r.Messages()
		if err != nil {
			return callerContextMsg{key: key, err: err}
		}
		return callerContextMsg{key: key, cc: buildCallerContext(key, now, recs, msgs)}
	}
}

// callerContextLine is the one line about a ringing caller: who they are
// to the directory (department and notes), how often they called today,
// the last call and its outcome, and open messages about them. "" when
// nothing is known.
func callerContextLine(sh *shared, c contactInfo, cc callerContext, hasCC bool, width int) string {
	st := sh.styles
	var parts []string
	if c.found {
		who := model.Clean(c.contact.Name, 40)
		if d := model.Clean(c.contact.Department, 40); d != "" {
			who += ", " + d
		}
		parts = append(parts, who)
		if n := model.Clean(c.contact.Notes, 120); n != "" {
			parts = append(parts, `"`+n+`"`)
		}
	}
	if hasCC {
		if cc.callsToday > 0 {
			parts = append(parts, ordinal(cc.callsToday+1)+" call today")
		}
		if cc.hasLast {
			parts = append(parts, "last: "+lastCallText(cc.last, sh.now))
		}
		if cc.openMsgs > 0 {
			parts = append(parts, plural(cc.openMsgs, "open message"))
		}
		if !c.found && cc.callsToday == 0 && !cc.hasLast && cc.openMsgs == 0 {
			parts = append(parts, "first call from this number")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	line := "» " + strings.Join(parts, " · ")
	return st.Dim.Render(ansi.Truncate(line, width, "…"))
}

// contactInfo is a caller's directory entry, if the directory has one.
type contactInfo struct {
	contact directory.Contact
	found   bool
}

// lastCallText says how a caller's last call went and when: "missed
// 10:42", "answered yesterday 16:05", "outbound 3 Nov".
func lastCallText(r model.CallRecord, now time.Time) string {
	e := r
	at := e.Start.In(now.Location())
	when := at.Format("15:04")
	switch days := int(stats.DayStart(now).Sub(stats.DayStart(at)).Hours()+12) / 24; {
	case days == 1:
		when = "yesterday " + when
	case days > 1 && days < 7:
		when = at.Format("Mon 15:04")
	case days >= 7:
		when = at.Format("2 Jan")
	}
	return e.Outcome.String() + " " + when
}

// ordinal writes n as "2nd", "3rd", "11th".
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return itoa(n) + suffix
}

// callerLine is the caller-context line of the call that needs answering:
// the selected call when it rings, else the caller Space would answer. ""
// when no call rings.
func (m *Model) callerLine(w int) string {
	c, ok := m.list.selected()
	if !ok || c.State != model.StateRinging {
		id, err := m.table.Target("", model.ActAnswer)
		if err != nil {
			return ""
		}
		if c, ok = m.table.Get(id); !ok {
			return ""
		}
	}
	var info contactInfo
	info.contact, info.found = m.sh.names.dir.Lookup(c.Ani)
	cc, known := m.callers[model.NumberKey(c.Ani)]
	return callerContextLine(m.sh, info, cc, known, w)
}

// forgetCallers drops the context of numbers no longer ringing.
func (m *Model) forgetCallers() {
	for k := range m.callers {
		ringing := false
		for id := range m.ringing {
			if c, ok := m.table.Get(id); ok && model.NumberKey(c.Ani) == k {
				ringing = true
				break
			}
		}
		if !ringing {
			delete(m.callers, k)
		}
	}
}
