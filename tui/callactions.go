package tui

import (
	"context"
	"errors"
	"time"
	"unicode"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Call actions: which call an action goes to, the one command in flight
// per call, and what the receptionist is told while it runs and when it is
// done.

// settleAfter is how long a call stays pending after the phone said yes,
// waiting for the event that shows the new state. Replies come before the
// events they cause, so without it a quick second press would act again on
// a call whose row still shows the old state.
const settleAfter = 2 * time.Second

// pendingAction is a command sent for a call and not yet settled.
type pendingAction struct {
	act  model.Action
	from model.State // the call's state when it was sent
	seq  int
}

// callsActions are the Calls view's own keys.
func callsActions(k KeyMap) []action {
	on := func(a model.Action) action {
		return action{
			why:   func(m *Model) string { return m.whyAct(a) },
			do:    func(m *Model) tea.Cmd { return m.act(a) },
			short: true,
		}
	}
	answer, ignore, release := on(model.ActAnswer), on(model.ActIgnore), on(model.ActRelease)
	answer.bind, ignore.bind, release.bind = k.Answer, k.Ignore, k.Release
	moves := func(b key.Binding, d func(m *Model) int) action {
		return action{bind: b, why: (*Model).whyNoCalls, do: func(m *Model) tea.Cmd { m.list.move(d(m)); return nil }}
	}
	return []action{
		answer,
		ignore,
		{
			bind:  k.Hold,
			label: func(m *Model) string { return m.holdAction().String() },
			why:   func(m *Model) string { return m.whyAct(m.holdAction()) },
			do:    func(m *Model) tea.Cmd { return m.act(m.holdAction()) },
			short: true,
		},
		release,
		{bind: k.Message, why: (*Model).whyMessageCall, do: (*Model).messageCall, short: true},
		moves(k.Up, func(*Model) int { return -1 }),
		moves(k.Down, func(*Model) int { return 1 }),
		{bind: k.Top, why: (*Model).whyNoCalls, do: func(m *Model) tea.Cmd { m.list.selectIndex(0); return nil }},
		{bind: k.Bottom, why: (*Model).whyNoCalls, do: func(m *Model) tea.Cmd { m.list.selectIndex(len(m.list.calls) - 1); return nil }},
		moves(k.PgUp, func(m *Model) int { return -m.list.page() }),
		moves(k.PgDown, func(m *Model) int { return m.list.page() }),
	}
}

func (m *Model) whyNoCalls() string {
	if len(m.list.calls) == 0 {
		return "There are no calls"
	}
	return ""
}

// holdAction is what the hold key does now: resume the selected call if it
// is on hold, otherwise hold it.
func (m *Model) holdAction() model.Action {
	if c, ok := m.list.selected(); ok && c.State == model.StateHolding {
		return model.ActResume
	}
	return model.ActHold
}

// whyAct says why action a cannot go to the selected call now: nothing is
// selected, the call is not in a state it fits, or a command for it is
// still in flight.
func (m *Model) whyAct(a model.Action) string {
	c, ok := m.list.selected()
	if !ok {
		if len(m.list.calls) == 0 {
			return "There are no calls"
		}
		return "No call is selected: choose one with ↑/↓ first"
	}
	who := m.sh.names.who(c.Ani)
	if p, busy := m.pending[c.Key()]; busy {
		if p.act == a {
			return "Already " + gerund(a) + " " + who + "…"
		}
		return "Still " + gerund(p.act) + " " + who + ": wait for it before you " + a.String()
	}
	if _, err := m.table.Target(c.Key(), a); err != nil {
		why := sentence(err.Error())
		if a == model.ActAnswer && m.table.Count(model.StateRinging) > 0 {
			why += "; space answers the caller ringing longest"
		}
		return why
	}
	return ""
}

// whyNoneRinging says why answer-next has no caller to answer.
func (m *Model) whyNoneRinging() string {
	id, err := m.table.Target("", model.ActAnswer)
	if err != nil {
		return "No call is ringing"
	}
	if p, busy := m.pending[id]; busy {
		c, _ := m.table.Get(id)
		return "Already " + gerund(p.act) + " " + m.sh.names.who(c.Ani) + "…"
	}
	return ""
}

// answerNext answers the caller who has been ringing longest and selects
// the call.
func (m *Model) answerNext() tea.Cmd {
	id, err := m.table.Target("", model.ActAnswer)
	if err != nil {
		return m.status.set(statusError, "No call is ringing")
	}
	m.list.selectKey(id)
	return m.send(model.ActAnswer, id)
}

// act sends action a to the selected call (whyAct has said it may).
func (m *Model) act(a model.Action) tea.Cmd {
	c, ok := m.list.selected()
	if !ok {
		return nil
	}
	return m.send(a, c.Key())
}

// send sends action a for the call with this key (see model.Key) on its
// own line, and marks the call pending until the phone answers and the
// call's new state arrives.
func (m *Model) send(a model.Action, key string) tea.Cmd {
	c, ok := m.table.Get(key)
	if !ok {
		return nil
	}
	who := m.sh.names.who(c.Ani)
	m.sh.log.Info("action", "action", a.String(), "call", c.ID, "line", c.Line)
	m.pendingSeq++
	m.pending[key] = pendingAction{act: a, from: c.State, seq: m.pendingSeq}
	m.list.busy = m.busyLabels()
	var verb string
	var cmd tea.Cmd
	switch a {
	case model.ActAnswer:
		verb, cmd = "Answering "+who+"…", m.callCommand(c, who, Phone.Answer, func(r result) tea.Msg { return answeredMsg{r} })
		m.greet.answering(m.lines.callNaming(&c), key)
	case model.ActIgnore:
		// Marked when sent, not when the result returns: the call may end
		// (DELETED) before the reply, and must not be recorded as missed.
		m.table.MarkIgnored(key)
		verb, cmd = "Ignoring "+who+"…", m.callCommand(c, who, Phone.Ignore, func(r result) tea.Msg { return ignoredMsg{r} })
	case model.ActHold:
		verb, cmd = "Putting "+who+" on hold…", m.callCommand(c, who, Phone.Hold, func(r result) tea.Msg { return heldMsg{r} })
	case model.ActResume:
		verb, cmd = "Resuming "+who+"…", m.callCommand(c, who, Phone.Resume, func(r result) tea.Msg { return resumedMsg{r} })
	case model.ActRelease:
		verb, cmd = "Hanging up "+who+"…", m.callCommand(c, who, Phone.Release, func(r result) tea.Msg { return releasedMsg{r} })
	default:
		delete(m.pending, key)
		return nil
	}
	return tea.Batch(m.status.set(statusPending, verb), cmd)
}

// gerund is the action as "-ing": "answering", "hanging up".
func gerund(a model.Action) string {
	switch a {
	case model.ActAnswer:
		return "answering"
	case model.ActIgnore:
		return "ignoring"
	case model.ActHold:
		return "holding"
	case model.ActResume:
		return "resuming"
	case model.ActRelease:
		return "hanging up"
	}
	return a.String()
}

// busyLabel is what a pending call's state cell shows.
func busyLabel(a model.Action) string {
	if a == model.ActRelease {
		return "ending…"
	}
	return gerund(a) + "…"
}

// busyLabels is the state cell text of every pending call, by Id.
func (m *Model) busyLabels() map[string]string {
	if len(m.pending) == 0 {
		return nil
	}
	out := make(map[string]string, len(m.pending))
	for id, p := range m.pending {
		out[id] = busyLabel(p.act)
	}
	return out
}

// settlePending forgets pending actions whose call ended or reached a new
// state: the phone has acted (its reply may still be on its way), and the
// row shows what the next key will act on.
func (m *Model) settlePending() {
	changed := false
	for id, p := range m.pending {
		c, ok := m.table.Get(id)
		if !ok || c.State != p.from {
			delete(m.pending, id)
			changed = true
		}
	}
	if changed {
		m.list.busy = m.busyLabels()
	}
}

// settledMsg ends a pending action whose new state never came.
type settledMsg struct {
	id  string
	seq int
}

// handleResult reports how an action went and re-enables the call: at
// once on a failure, when the new state arrives on success.
func (m *Model) handleResult(msg tea.Msg) tea.Cmd {
	var r result
	var done, failed string
	switch msg := msg.(type) {
	case answeredMsg:
		r, done, failed = msg.result, "Answered "+msg.who, "answer"
	case ignoredMsg:
		r, done, failed = msg.result, "Ignored "+msg.who+": it goes to voicemail if nobody answers", "ignore"
	case heldMsg:
		r, done, failed = msg.result, msg.who+" is on hold", "hold"
	case resumedMsg:
		r, done, failed = msg.result, "Resumed "+msg.who, "resume"
	case releasedMsg:
		r, done, failed = msg.result, "Hung up "+msg.who, "hang up"
	case dialedMsg:
		r, done, failed = result{id: msg.number, who: msg.who, err: msg.err}, "Dialled "+msg.who, "dial"
	}
	if _, ok := msg.(answeredMsg); ok {
		m.greet.answered(r.id, r.err == nil, m.sh.now)
	}
	var settle tea.Cmd
	if p, ok := m.pending[r.id]; ok {
		if r.err != nil {
			delete(m.pending, r.id)
		} else {
			settle = m.sh.after(settleAfter, settledMsg{r.id, p.seq})
		}
		m.settlePending()
		m.list.busy = m.busyLabels()
	}
	if r.err != nil {
		m.sh.log.Error("action failed", "action", failed, "call", r.id, "err", r.err)
		return m.status.set(statusError, "Could not "+failed+" "+r.who+": "+explain(r.err, m.opts.CommandTimeout))
	}
	m.sh.log.Info("action done", "action", failed, "call", r.id)
	return tea.Batch(settle, m.status.set(statusOK, done))
}

// handleSettled ends a pending action whose new state did not come in time.
func (m *Model) handleSettled(msg settledMsg) {
	if p, ok := m.pending[msg.id]; ok && p.seq == msg.seq {
		delete(m.pending, msg.id)
		m.list.busy = m.busyLabels()
	}
}

// explain turns an action's error into what happened and what to do.
func explain(err error, timeout time.Duration) string {
	var s string
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		s = "no reply from the phone service within " + timeout.String() + "; check the connection (top right) and try again"
	case errors.Is(err, transport.ErrNotConnected):
		s = "not connected to the phone service; wait until the header shows live, then try again"
	case errors.Is(err, transport.ErrNotApplied):
		s = "the phone did not act on it; the call may have changed or ended"
	case errors.Is(err, transport.ErrAuth):
		s = "the phone service refused the DID or PIN for this command; the connection stays up, try again"
	default:
		s = err.Error()
	}
	return model.Clean(s, 300)
}

// sentence capitalises the first letter of s.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
