package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
)

// The receptionist's desk: key handling for the directory picker, the
// History and Messages views and the message form, and the results of the
// record commands.

// pruneEvery is how often old history is pruned while the console runs.
const pruneEvery = 24 * time.Hour

// pickerKey handles keys while the directory picker is open.
func (m *Model) pickerKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	switch {
	case key.Matches(msg, k.Close):
		m.picker.hide()
		m.focus = focusCalls
		return nil
	case key.Matches(msg, k.PickUp):
		m.picker.move(-1)
		return nil
	case key.Matches(msg, k.PickDown):
		m.picker.move(1)
		return nil
	case msg.String() == "pgup":
		m.picker.move(-max(1, m.picker.height-1))
		return nil
	case msg.String() == "pgdown":
		m.picker.move(max(1, m.picker.height-1))
		return nil
	case key.Matches(msg, k.Choose):
		c, ok := m.picker.chosen()
		if !ok {
			m.picker.err = "no contact matches: change the search, or esc and d to dial a number"
			return nil
		}
		raw := contactNumber(c)
		if _, err := model.ParseDial(raw); err != nil {
			m.picker.err = "cannot dial " + model.Clean(c.Name, 40) + " (" + model.Clean(raw, 30) + "): " + err.Error()
			return nil
		}
		m.picker.hide()
		m.focus = focusCalls
		m.view = viewCalls
		return m.dialNumber(raw, model.Clean(c.Name, 60))
	}
	return m.picker.update(msg)
}

// historyKey handles keys in the History view.
func (m *Model) historyKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	h := &m.hist
	if h.confirm != nil {
		rec := *h.confirm
		h.confirm = nil
		if s := msg.String(); s == "y" || s == "Y" || s == "enter" || key.Matches(msg, k.CallBack) {
			return m.dialNumber(rec.Entry.Ani, h.who(rec))
		}
		return m.status.set(statusOK, "Call back cancelled")
	}
	r := m.opts.Records
	if h.navigate(msg, &k, len(h.rows)) {
		return nil
	}
	switch {
	case key.Matches(msg, k.FilterMissed):
		h.missed = !h.missed
		return h.reload(r)
	case key.Matches(msg, k.FilterIn):
		h.inbound = !h.inbound
		return h.reload(r)
	case key.Matches(msg, k.FilterOut):
		h.outbound = !h.outbound
		return h.reload(r)
	case key.Matches(msg, k.FilterToday):
		h.today = !h.today
		return h.reload(r)
	case key.Matches(msg, k.FilterAll):
		h.missed, h.inbound, h.outbound, h.today = false, false, false, false
		h.search.Reset()
		return h.reload(r)
	case key.Matches(msg, k.Search):
		m.focus = focusSearch
		return h.search.Focus()
	case key.Matches(msg, k.CallBack):
		rec, ok := h.selected()
		if !ok {
			return m.status.set(statusError, "No call selected to call back")
		}
		n, err := model.ParseDial(rec.Entry.Ani)
		if err != nil {
			return m.status.set(statusError, "Cannot call back "+h.who(rec)+": "+err.Error())
		}
		h.confirm = &rec
		return m.status.set(statusPending, "Call back "+h.who(rec)+" on "+n.Display+"? y/enter calls · any other key cancels")
	case key.Matches(msg, k.Message):
		rec, ok := h.selected()
		if !ok {
			return m.openForm("", "", "")
		}
		return m.openForm(rec.Entry.CallID, h.nameOf(rec), model.FormatNumber(rec.Entry.Ani))
	}
	return nil
}

// nameOf is a stored call's contact name, or "".
func (h *historyView) nameOf(r CallRecord) string {
	if r.Name != "" {
		return model.Clean(r.Name, 60)
	}
	return h.sh.names.name(r.Entry.Ani)
}

// searchKey handles keys while the History search input has focus: enter
// keeps the search, esc clears it.
func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	h := &m.hist
	switch {
	case key.Matches(msg, k.Close):
		h.search.Reset()
		h.search.Blur()
		m.focus = focusCalls
		return h.reload(m.opts.Records)
	case msg.String() == "enter":
		h.search.Blur()
		m.focus = focusCalls
		return nil
	case key.Matches(msg, k.PickUp):
		h.move(-1)
		return nil
	case key.Matches(msg, k.PickDown):
		h.move(1)
		return nil
	}
	return m.searchUpdate(msg)
}

// searchUpdate feeds the search input and queries again when it changed.
func (m *Model) searchUpdate(msg tea.Msg) tea.Cmd {
	h := &m.hist
	before := h.search.Value()
	var cmd tea.Cmd
	h.search, cmd = h.search.Update(msg)
	if h.search.Value() != before {
		return tea.Batch(cmd, h.reload(m.opts.Records))
	}
	return cmd
}

// messagesKey handles keys in the Messages view.
func (m *Model) messagesKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	v := &m.msgs
	if v.navigate(msg, &k, len(v.msgs)) {
		return nil
	}
	switch {
	case key.Matches(msg, k.ToggleDone):
		sel, ok := v.selected()
		if !ok || m.opts.Records == nil {
			return nil
		}
		// Shown at once; the store confirms (or the reload corrects it).
		v.msgs[v.sel].Done = !sel.Done
		return markMessage(m.opts.Records, sel.ID, !sel.Done)
	case key.Matches(msg, k.NewMessage):
		return m.openForm("", "", "")
	}
	return nil
}

// openForm opens the message form prefilled for a call.
func (m *Model) openForm(callID, name, number string) tea.Cmd {
	if m.opts.Records == nil {
		return m.status.set(statusError, "Messages need the history database, which is not open (see the log)")
	}
	m.focus = focusForm
	return m.form.show(callID, name, number)
}

// formKey handles keys while the message form is open.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.sh.keys
	f := &m.form
	switch {
	case key.Matches(msg, k.Close):
		f.hide()
		m.focus = focusCalls
		return m.status.set(statusOK, "Message not taken")
	case key.Matches(msg, k.FormSave), msg.String() == "enter" && f.field == formText:
		return m.saveForm()
	case key.Matches(msg, k.FormNext), msg.String() == "enter":
		return f.next(1)
	case key.Matches(msg, k.FormPrev):
		return f.next(-1)
	case f.field == formFor && key.Matches(msg, k.PickUp):
		f.choose(-1)
		return nil
	case f.field == formFor && key.Matches(msg, k.PickDown):
		f.choose(1)
		return nil
	}
	return f.update(msg)
}

// saveForm stores the message, or says what is missing.
func (m *Model) saveForm() tea.Cmd {
	f := &m.form
	msg, problem := f.message()
	if problem != "" {
		f.err = problem
		return nil
	}
	msg.Created = m.sh.now
	f.hide()
	m.focus = focusCalls
	return tea.Batch(m.status.set(statusPending, "Saving the message for "+model.Clean(msg.For, 60)+"…"), saveMessage(m.opts.Records, msg))
}

// handleRecords takes the results of the record commands.
func (m *Model) handleRecords(msg tea.Msg) tea.Cmd {
	r := m.opts.Records
	switch msg := msg.(type) {
	case callsSavedMsg:
		if msg.err != nil {
			m.sh.log.Error("saving call history", "calls", msg.n, "err", msg.err)
			return nil
		}
		var cmds []tea.Cmd
		if m.view == viewHistory {
			cmds = append(cmds, m.hist.reload(r))
			if msg.missed {
				cmds = append(cmds, markSeen(r, m.sh.now))
			}
		} else if msg.missed {
			cmds = append(cmds, countMissed(r))
		}
		return tea.Batch(cmds...)
	case historyLoadedMsg:
		m.hist.take(msg)
	case missedCountMsg:
		if msg.err != nil {
			m.sh.log.Error("counting missed calls", "err", msg.err)
			return nil
		}
		if m.view != viewHistory {
			m.missed = msg.n
		}
	case seenMarkedMsg:
		if msg.err != nil {
			m.sh.log.Error("marking the history seen", "err", msg.err)
		}
	case prunedMsg:
		if msg.err != nil {
			m.sh.log.Error("pruning the call history", "err", msg.err)
		} else if msg.n > 0 {
			m.sh.log.Info("pruned the call history", "calls", msg.n)
		}
	case pruneDueMsg:
		if r == nil || m.opts.Retention <= 0 {
			return nil
		}
		return tea.Batch(prune(r, m.sh.now.Add(-m.opts.Retention)), m.sh.after(pruneEvery, pruneDueMsg{}))
	case messagesLoadedMsg:
		if msg.err != nil {
			m.sh.log.Error("reading messages", "err", msg.err)
			m.msgs.err = "Could not read the messages (see the log)"
			return nil
		}
		m.msgs.take(msg.msgs)
	case messageSavedMsg:
		if msg.err != nil {
			m.sh.log.Error("saving a message", "err", msg.err)
			return m.status.set(statusError, "Could not save the message: "+model.Clean(msg.err.Error(), 200))
		}
		return tea.Batch(m.status.set(statusOK, "Message for "+model.Clean(msg.who, 60)+" saved (Tab to Messages)"), loadMessages(r))
	case messageMarkedMsg:
		if msg.err != nil {
			m.sh.log.Error("marking a message", "id", msg.id, "err", msg.err)
			return tea.Batch(m.status.set(statusError, "Could not mark the message: "+model.Clean(msg.err.Error(), 200)), loadMessages(r))
		}
		word := "done"
		if !msg.done {
			word = "open again"
		}
		return m.status.set(statusOK, "Message marked "+word)
	}
	return nil
}
