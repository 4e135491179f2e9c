package tui

import (
	"context"
	"errors"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// Call actions: which call an action goes to, and what the receptionist is
// told while it runs and when it is done.

// holdAction is what the hold key does now: resume the selected call if it
// is on hold, otherwise hold. With nothing selected it holds the first
// connected call, or else resumes the first held one.
func (m *Model) holdAction() model.Action {
	if c, ok := m.list.selected(); ok {
		if c.State == model.StateHolding {
			return model.ActResume
		}
		return model.ActHold
	}
	if _, err := m.table.Target("", model.ActHold); err == nil {
		return model.ActHold
	}
	if _, err := m.table.Target("", model.ActResume); err == nil {
		return model.ActResume
	}
	return model.ActHold
}

// act sends action a to the selected call (or, with none selected, the
// first call it fits). If it fits no call, the status line says why and
// nothing is sent.
func (m *Model) act(a model.Action) tea.Cmd {
	id, err := m.table.Target(m.list.selID, a)
	if err != nil {
		msg := sentence(err.Error())
		if (a == model.ActAnswer || a == model.ActIgnore) && m.list.selID != "" && m.table.Count(model.StateRinging) > 0 {
			msg += "; the ringing call is at the top (g)"
		}
		return m.status.set(statusError, msg)
	}
	c, _ := m.table.Get(id)
	who := m.sh.names.who(c.Ani)
	m.sh.log.Info("action", "action", a.String(), "call", id)
	var verb string
	var cmd tea.Cmd
	switch a {
	case model.ActAnswer:
		verb, cmd = "Answering "+who+"…", m.answer(id, who)
	case model.ActIgnore:
		// Marked when sent, not when the result returns: the call may end
		// (DELETED) before the reply, and must not be recorded as missed.
		m.table.MarkIgnored(id)
		verb, cmd = "Ignoring "+who+"…", m.ignore(id, who)
	case model.ActHold:
		verb, cmd = "Putting "+who+" on hold…", m.hold(id, who)
	case model.ActResume:
		verb, cmd = "Resuming "+who+"…", m.resume(id, who)
	case model.ActRelease:
		verb, cmd = "Hanging up "+who+"…", m.release(id, who)
	default:
		return nil
	}
	return tea.Batch(m.status.set(statusPending, verb), cmd)
}

// handleResult reports how an action went.
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
	if r.err != nil {
		m.sh.log.Error("action failed", "action", failed, "call", r.id, "err", r.err)
		return m.status.set(statusError, "Could not "+failed+" "+r.who+": "+explain(r.err, m.opts.CommandTimeout))
	}
	m.sh.log.Info("action done", "action", failed, "call", r.id)
	return m.status.set(statusOK, done)
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
