package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// The phone's event stream applied to the call table.

// handleEvents applies stream events to the table, in order, then brings
// the list, alerts and history up to date once for all of them. A call
// that started and stopped ringing within one burst is not announced.
func (m *Model) handleEvents(line int, evs ...transport.Event) tea.Cmd {
	now := m.sh.now
	ln := &m.lines.all[line]
	var pinCmds []tea.Cmd
	for i := range evs {
		ev := &evs[i]
		switch ev.Kind {
		case transport.EventConn:
			ln.conn.known = true
			ln.conn.state = ev.Conn
			if ev.Conn.Status != transport.ConnLive {
				ln.confirmed = false
			}
			m.sh.log.Info("connection", "line", ln.Name, "status", ev.Conn.Status.String(), "attempt", ev.Conn.Attempt, "err", ev.Conn.Err)
			pinCmds = append(pinCmds, m.pinOutcome(ln.Name, ev.Conn))
		case transport.EventSnapshot:
			ups := make([]model.Update, len(ev.Calls))
			for i, c := range ev.Calls {
				ups[i] = ln.toUpdate(c)
			}
			m.table.Reconcile(ln.Name, ups, now)
			ln.confirmed = true
		case transport.EventCall:
			m.table.Apply(ln.toUpdate(ev.Call), now)
		}
	}
	if m.list.unconfirmed[ln.Name] == ln.confirmed {
		if ln.confirmed {
			delete(m.list.unconfirmed, ln.Name)
		} else {
			m.list.unconfirmed[ln.Name] = true
		}
		m.built = false // redraw the rows
	}
	cmds := append([]tea.Cmd{waitForEvent(line, ln.Phone.Events())}, pinCmds...)
	rang, ended := m.refresh()
	cmds = append(cmds, ended)
	for _, key := range rang {
		if c, ok := m.table.Get(key); ok {
			cmds = append(cmds, m.alerts.ring(m.sh.names.who(c.Ani)))
			if r := m.opts.Records; r != nil && model.NumberKey(c.Ani) != "" {
				cmds = append(cmds, loadCallerContext(r, c.Ani, m.sh.now))
			}
		}
	}
	cmds = append(cmds, m.holdAlerts())
	m.forgetCallers()
	if ended := m.table.Ended(); len(ended) > 0 && m.opts.Records != nil {
		for i := range ended {
			ended[i].Name = m.sh.names.name(ended[i].Ani)
			// The call belongs to its line's account (its DID); a line
			// without one leaves it to the records' own account.
			if l, ok := m.lines.of(ended[i].Line); ok && ended[i].Account == "" {
				ended[i].Account = l.DID
			}
		}
		// Queued, not written here: the writer stores them in batches
		// and the change feed brings the views up to date.
		m.opts.Records.SaveCalls(ended)
	}
	return tea.Batch(cmds...)
}

// toUpdate converts a wire call on this line to a table update. A call
// without a DID is on the line's.
func (l *lineState) toUpdate(c transport.Call) model.Update {
	did := c.DID
	if did == "" {
		did = l.DID
	}
	u := model.Update{
		Line:       l.Name,
		ID:         c.ID,
		Ani:        c.Ani,
		DID:        did,
		Endpoint:   c.Endpoint,
		Originated: c.Originated,
		State:      c.State,
		Duration:   c.Duration,
	}
	if c.CLID != nil {
		u.CLID, u.HasCLID = *c.CLID, true
	}
	return u
}

// refresh rebuilds the list from the table if it changed, and returns the
// calls that started ringing. When the list goes from empty to not empty,
// the top call is selected; otherwise the selection only ever changes when
// the selected call ends, and then nothing is selected and the status line
// says so (unless the receptionist's own hang up or ignore ended it).
func (m *Model) refresh() (rang []string, ended tea.Cmd) {
	if m.built && m.table.Version() == m.version {
		return nil, nil
	}
	m.built, m.version = true, m.table.Version()
	// m.calls is about to be overwritten in place: keep the selection.
	prev, hadSel := m.list.selected()
	wasEmpty := len(m.list.calls) == 0
	m.calls = m.table.AppendCalls(m.calls[:0])
	calls := m.calls
	if m.list.setCalls(calls) && hadSel {
		if p, ok := m.pending[prev.Key()]; !ok || (p.act != model.ActRelease && p.act != model.ActIgnore) {
			ended = m.status.set(statusOK, endedText(prev, m.sh.names.who(prev.Ani), len(calls) > 0))
		}
	}
	if wasEmpty && len(calls) > 0 && m.list.selKey == "" {
		m.list.selectIndex(0)
	}
	m.settlePending()
	ringing := make(map[string]struct{}, len(m.ringing))
	for i := range calls {
		if calls[i].State != model.StateRinging {
			continue
		}
		key := calls[i].Key()
		ringing[key] = struct{}{}
		if _, was := m.ringing[key]; !was {
			rang = append(rang, key)
		}
	}
	m.ringing = ringing
	return rang, ended
}

// endedText says that the selected call ended and nothing is selected.
func endedText(c model.Call, who string, others bool) string {
	s := "Call from " + who + " ended"
	if c.Outbound {
		s = "Call to " + who + " ended"
	}
	if others {
		s += "; nothing is selected (↑/↓ chooses a call)"
	}
	return s
}
