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
func (m *Model) handleEvents(evs ...transport.Event) tea.Cmd {
	now := m.sh.now
	for i := range evs {
		ev := &evs[i]
		switch ev.Kind {
		case transport.EventConn:
			m.conn.known = true
			m.conn.state = ev.Conn
			m.sh.log.Info("connection", "status", ev.Conn.Status.String(), "attempt", ev.Conn.Attempt, "err", ev.Conn.Err)
		case transport.EventSnapshot:
			ups := make([]model.Update, len(ev.Calls))
			for i, c := range ev.Calls {
				ups[i] = toUpdate(c)
			}
			m.table.Reconcile("", ups, now)
		case transport.EventCall:
			m.table.Apply(toUpdate(ev.Call), now)
		}
	}
	cmds := []tea.Cmd{waitForEvent(m.opts.Phone.Events())}
	for _, id := range m.refresh() {
		if c, ok := m.table.Get(id); ok {
			cmds = append(cmds, m.alerts.ring(m.sh.names.who(c.Ani)))
		}
	}
	cmds = append(cmds, m.holdAlerts())
	if ended := m.table.Ended(); len(ended) > 0 {
		switch {
		case m.opts.Records != nil:
			recs := make([]CallRecord, len(ended))
			for i, e := range ended {
				recs[i] = CallRecord{Entry: e, Name: m.sh.names.name(e.Ani)}
			}
			cmds = append(cmds, saveCalls(m.opts.Records, recs))
		case m.opts.History != nil:
			cmds = append(cmds, saveHistory(m.opts.History, ended))
		}
	}
	return tea.Batch(cmds...)
}

// toUpdate converts a wire call to a table update.
func toUpdate(c transport.Call) model.Update {
	u := model.Update{
		ID:         c.ID,
		Ani:        c.Ani,
		DID:        c.DID,
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
// calls that started ringing. When one did and nothing is selected, the
// first ringing call is selected.
func (m *Model) refresh() (rang []string) {
	if m.built && m.table.Version() == m.version {
		return nil
	}
	m.built, m.version = true, m.table.Version()
	m.calls = m.table.AppendCalls(m.calls[:0])
	calls := m.calls
	m.list.setCalls(calls)
	first := ""
	ringing := make(map[string]struct{}, len(m.ringing))
	for i := range calls {
		if calls[i].State != model.StateRinging {
			continue
		}
		id := calls[i].ID
		ringing[id] = struct{}{}
		if first == "" {
			first = id
		}
		if _, was := m.ringing[id]; !was {
			rang = append(rang, id)
		}
	}
	m.ringing = ringing
	if len(rang) > 0 && m.list.selID == "" {
		m.list.selectID(first)
	}
	return rang
}
