package tui

import (
	"context"
	"strings"
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

// pickerActions are the directory picker's keys; the rest is the search.
func pickerActions(k KeyMap) []action {
	return []action{
		{bind: k.Choose, do: (*Model).pickerChoose, short: true},
		{bind: k.PickUp, do: func(m *Model) tea.Cmd { m.picker.move(-1); return nil }, short: true},
		{bind: k.PickDown, do: func(m *Model) tea.Cmd { m.picker.move(1); return nil }, short: true},
		{bind: k.PgUp, do: func(m *Model) tea.Cmd { m.picker.move(-max(1, m.picker.height-1)); return nil }},
		{bind: k.PgDown, do: func(m *Model) tea.Cmd { m.picker.move(max(1, m.picker.height-1)); return nil }},
		{bind: k.Close, do: func(m *Model) tea.Cmd {
			// Esc leaves the choice of numbers for the search, then closes.
			if m.picker.choices != nil {
				m.picker.choices = nil
				return nil
			}
			m.picker.hide()
			m.focus = focusCalls
			return nil
		}, short: true},
	}
}

func (m *Model) pickerText(msg tea.KeyPressMsg) tea.Cmd {
	if m.picker.choices != nil {
		return nil // choosing a number: the search waits
	}
	return m.picker.update(msg)
}

// pickerChoose dials the chosen contact, first asking which number when
// the contact has several.
func (m *Model) pickerChoose() tea.Cmd {
	c, ok := m.picker.chosen()
	if !ok {
		m.picker.err = "no contact matches: change the search, or esc and d to dial a number"
		return nil
	}
	raw := contactNumber(c)
	if m.picker.choices != nil {
		raw = m.picker.choices[m.picker.choice].Number
	} else if ds := c.Dialables(); len(ds) > 1 {
		m.picker.choices, m.picker.choice = ds, 0
		return nil
	}
	if _, err := model.ParseDial(raw); err != nil {
		m.picker.err = "cannot dial " + model.Clean(c.Name, 40) + " (" + model.Clean(raw, 30) + "): " + err.Error()
		return nil
	}
	m.picker.choices = nil
	m.picker.hide()
	m.focus = focusCalls
	m.view = viewCalls
	return m.dialNumber(raw, model.Clean(c.Name, 60), -1)
}

// historyActions are the History view's own keys.
func historyActions(k KeyMap) []action {
	rows := func(m *Model) string {
		if len(m.hist.rows) == 0 {
			return "No calls listed"
		}
		return ""
	}
	move := func(b key.Binding, d func(m *Model) int) action {
		return action{bind: b, why: rows, do: func(m *Model) tea.Cmd { m.hist.step(d(m), len(m.hist.rows)); return nil }}
	}
	filter := func(b key.Binding, flip func(h *historyView)) action {
		return action{bind: b, why: (*Model).whyNoRecords, do: func(m *Model) tea.Cmd {
			flip(&m.hist)
			return m.hist.reload(m.opts.Records)
		}, short: true}
	}
	page := func(m *Model) int { return max(1, m.hist.height-1) }
	return []action{
		{bind: k.AnswerNextLetter, why: (*Model).whyNoneRinging, do: (*Model).answerNext, short: true},
		{bind: k.CallBack, why: rows, do: (*Model).callBack, short: true},
		{bind: k.Message, why: (*Model).whyNoRecords, do: (*Model).messageEntry, short: true},
		filter(k.FilterMissed, func(h *historyView) { h.missed = !h.missed }),
		filter(k.FilterIn, func(h *historyView) { h.inbound = !h.inbound }),
		filter(k.FilterOut, func(h *historyView) { h.outbound = !h.outbound }),
		filter(k.FilterToday, func(h *historyView) { h.today = !h.today }),
		filter(k.FilterOpen, func(h *historyView) { h.open = !h.open }),
		{bind: k.MarkHandled, why: (*Model).whyNotHandleable, do: (*Model).markHandled, short: true},
		filter(k.FilterAll, func(h *historyView) {
			h.missed, h.inbound, h.outbound, h.today, h.open = false, false, false, false, false
			h.search.Reset()
		}),
		{bind: k.Search, why: (*Model).whyNoRecords, do: func(m *Model) tea.Cmd {
			m.focus = focusSearch
			return m.hist.search.Focus()
		}, short: true},
		move(k.Up, func(*Model) int { return -1 }),
		move(k.Down, func(*Model) int { return 1 }),
		move(k.Top, func(m *Model) int { return -len(m.hist.rows) }),
		move(k.Bottom, func(m *Model) int { return len(m.hist.rows) }),
		move(k.PgUp, func(m *Model) int { return -page(m) }),
		move(k.PgDown, page),
	}
}

// whyNotHandleable says why the selected History entry cannot be marked
// handled.
func (m *Model) whyNotHandleable() string {
	if why := m.whyNoRecords(); why != "" {
		return why
	}
	rec, ok := m.hist.selected()
	switch {
	case !ok:
		return "No call selected"
	case rec.Outcome != model.OutcomeMissed:
		return "Only a missed call is marked handled"
	case !rec.Handled.IsZero():
		return "Already " + followUpText(rec, m.sh.now)
	case !rec.Reached.IsZero():
		return "Already dealt with: " + followUpText(rec, m.sh.now)
	}
	return ""
}

// markHandled marks the selected missed call handled by whoever is at the
// desk.
func (m *Model) markHandled() tea.Cmd {
	rec, _ := m.hist.selected()
	return markHandled(m.opts.Records, rec.ID, m.opts.Operator, m.hist.who(rec), m.sh.now)
}

func (m *Model) whyNoRecords() string {
	if m.opts.Records == nil {
		return "The history database is not open (see the log)"
	}
	return ""
}

// callBack asks whether to call the selected caller back.
func (m *Model) callBack() tea.Cmd {
	h := &m.hist
	rec, ok := h.selected()
	if !ok {
		return m.status.set(statusError, "No call selected to call back")
	}
	n, err := model.ParseDial(rec.Ani)
	if err != nil {
		return m.status.set(statusError, "Cannot call back "+h.who(rec)+": "+err.Error())
	}
	m.askFirst("Call back "+h.who(rec)+" on "+n.Display+"?", "Call back cancelled", func(m *Model) tea.Cmd {
		return m.dialNumber(rec.Ani, h.who(rec), m.lines.entryLine(&rec))
	})
	m.question.enterYes = true
	return nil
}

// messageEntry opens the message form about the selected History entry.
func (m *Model) messageEntry() tea.Cmd {
	h := &m.hist
	rec, ok := h.selected()
	if !ok {
		return m.openForm("", "", "", "")
	}
	return m.openForm(rec.CallID, rec.Account, h.nameOf(rec), model.FormatNumber(rec.Ani))
}

// nameOf is a stored call's contact name, or "".
func (h *historyView) nameOf(r model.CallRecord) string {
	if r.Name != "" {
		return model.Clean(r.Name, 60)
	}
	return h.sh.names.name(r.Ani)
}

// searchActions are the History search's keys; the rest is the search text.
func searchActions(k KeyMap) []action {
	return []action{
		{bind: k.KeepSearch, do: func(m *Model) tea.Cmd {
			m.hist.search.Blur()
			m.focus = focusCalls
			return nil
		}, short: true},
		{bind: k.ClearSearch, do: func(m *Model) tea.Cmd {
			h := &m.hist
			h.search.Reset()
			h.search.Blur()
			m.focus = focusCalls
			return h.reload(m.opts.Records)
		}, short: true},
		{bind: k.PickUp, do: func(m *Model) tea.Cmd { m.hist.move(-1); return nil }},
		{bind: k.PickDown, do: func(m *Model) tea.Cmd { m.hist.move(1); return nil }},
	}
}

func (m *Model) searchText(msg tea.KeyPressMsg) tea.Cmd { return m.searchUpdate(msg) }

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

// messagesActions are the Messages view's own keys.
func messagesActions(k KeyMap) []action {
	rows := func(m *Model) string {
		if len(m.msgs.msgs) == 0 {
			return "No messages"
		}
		return ""
	}
	// The movement keys move the selection, or scroll the message read.
	move := func(b key.Binding, reading string, d func(m *Model) int) action {
		return action{bind: b, why: rows, label: func(m *Model) string {
			if m.msgs.reading {
				return reading
			}
			return b.Help().Desc
		}, do: func(m *Model) tea.Cmd {
			if m.msgs.reading {
				m.msgs.scroll(d(m))
			} else {
				m.msgs.step(d(m), len(m.msgs.msgs))
			}
			return nil
		}}
	}
	page := func(m *Model) int {
		if m.msgs.reading {
			return max(1, m.msgs.readShown-1)
		}
		return max(1, m.msgs.height-1)
	}
	all := func(m *Model) int { return len(m.msgs.msgs) + m.msgs.readLen }
	return []action{
		{bind: k.AnswerNextLetter, why: (*Model).whyNoneRinging, do: (*Model).answerNext, short: true},
		{bind: k.ReadMessage, why: rows, label: func(m *Model) string {
			if m.msgs.reading {
				return "back to the list"
			}
			return "read"
		}, do: func(m *Model) tea.Cmd { m.msgs.read(!m.msgs.reading); return nil }, short: true},
		{bind: k.CallBack, why: rows, do: (*Model).callBackMessage, short: true},
		{bind: k.ToggleDone, why: rows, do: (*Model).toggleDone, short: true},
		{bind: k.NewMessage, why: (*Model).whyNoRecords, do: func(m *Model) tea.Cmd { return m.openForm("", "", "", "") }, short: true},
		move(k.Up, "scroll up", func(*Model) int { return -1 }),
		move(k.Down, "scroll down", func(*Model) int { return 1 }),
		move(k.Top, "top of the message", func(m *Model) int { return -all(m) }),
		move(k.Bottom, "end of the message", all),
		move(k.PgUp, "page up", func(m *Model) int { return -page(m) }),
		move(k.PgDown, "page down", page),
	}
}

// callBackMessage asks whether to call back the caller of the selected
// message, as call back in History does.
func (m *Model) callBackMessage() tea.Cmd {
	msg, ok := m.msgs.selected()
	if !ok {
		return m.status.set(statusError, "No message selected to call back from")
	}
	who := model.Clean(msg.CallerName, 60)
	if who == "" {
		who = model.FormatNumber(msg.CallerNumber)
	}
	if strings.TrimSpace(msg.CallerNumber) == "" {
		return m.status.set(statusError, "The message from "+who+" has no number to call back")
	}
	n, err := model.ParseDial(msg.CallerNumber)
	if err != nil {
		return m.status.set(statusError, "Cannot call back "+who+": "+err.Error())
	}
	m.askFirst("Call back "+who+" on "+n.Display+"?", "Call back cancelled", func(m *Model) tea.Cmd {
		return m.dialNumber(msg.CallerNumber, who, -1)
	})
	m.question.enterYes = true
	return nil
}

// toggleDone marks the selected message done, or open again.
func (m *Model) toggleDone() tea.Cmd {
	v := &m.msgs
	sel, ok := v.selected()
	if !ok || m.opts.Records == nil {
		return nil
	}
	// Shown at once; the store confirms (or the reload corrects it).
	v.msgs[v.sel].Done = !sel.Done
	return markMessage(m.opts.Records, sel.ID, !sel.Done)
}

// openForm opens the message form prefilled for a call.
func (m *Model) openForm(callID, account, name, number string) tea.Cmd {
	if m.opts.Records == nil {
		return m.status.set(statusError, "Messages need the history database, which is not open (see the log)")
	}
	m.focus = focusForm
	return m.form.show(callID, account, name, number)
}

// formActions are the message form's keys; the rest is typed into it.
func formActions(k KeyMap) []action {
	onFor := func(m *Model) string {
		if m.form.field != formFor {
			return "Only the For field suggests names"
		}
		return ""
	}
	return []action{
		{bind: k.FormSave, why: (*Model).whySaving, do: (*Model).saveForm, short: true},
		{bind: k.FormEnter, why: (*Model).whySaving, do: func(m *Model) tea.Cmd {
			if m.form.field == formText {
				return m.saveForm()
			}
			return m.form.next(1)
		}},
		{bind: k.FormNext, do: func(m *Model) tea.Cmd { return m.form.next(1) }, short: true},
		{bind: k.FormPrev, do: func(m *Model) tea.Cmd { return m.form.next(-1) }, short: true},
		{bind: k.PickUp, why: onFor, do: func(m *Model) tea.Cmd { m.form.choose(-1); return nil }},
		{bind: k.PickDown, why: onFor, do: func(m *Model) tea.Cmd { m.form.choose(1); return nil }},
		{bind: k.Close, do: (*Model).closeForm, short: true},
	}
}

// formText types into the focused field; the up and down keys outside the
// For field move in the message text.
func (m *Model) formText(msg tea.KeyPressMsg) tea.Cmd {
	if m.form.saving {
		return nil
	}
	return m.form.update(msg)
}

func (m *Model) whySaving() string {
	if m.form.saving {
		return "Saving the message…"
	}
	return ""
}

// closeForm closes the message form, asking first if it holds typed text.
func (m *Model) closeForm() tea.Cmd {
	return m.closeAsking(m.form.typed(), "Discard the message you typed?", func(m *Model) tea.Cmd {
		m.form.hide()
		m.focus = focusCalls
		return m.status.set(statusOK, "Message not taken")
	})
}

// saveForm stores the message, or says what is missing. The form stays open
// until the store says it is saved, so a failure loses nothing.
func (m *Model) saveForm() tea.Cmd {
	f := &m.form
	msg, problem := f.message()
	if problem != "" {
		f.err = problem
		return nil
	}
	msg.Created = m.sh.now
	if m.opts.Address != nil {
		m.opts.Address(&msg, m.sh.names.dir)
	}
	f.saving, f.err = true, ""
	return tea.Batch(m.status.set(statusPending, "Saving the message for "+model.Clean(msg.For, 60)+"…"), saveMessage(m.opts.Records, msg))
}

// takeSaving brings the header's "history not saving" mark up to date,
// and says why in the status line when saving stops.
func (m *Model) takeSaving() tea.Cmd {
	err := m.opts.Records.Saving()
	was := m.notSaving
	m.notSaving = err != nil
	switch {
	case m.quitting: // the wait for the history says it all
	case err != nil && (!was || err.Error() != m.savingErr):
		m.savingErr = err.Error()
		m.sh.log.Error("history not saving", "err", err)
		return m.status.set(statusError, "History not saving, retrying: "+model.Clean(err.Error(), 200))
	case err == nil && was:
		m.savingErr = ""
		m.sh.log.Info("history saving again")
		return m.status.set(statusOK, "History saving again")
	}
	return nil
}

// saveAndQuit ends the console, first waiting (up to QuitWait, with a
// word on screen) for the history still queued to be saved.
func (m *Model) saveAndQuit() tea.Cmd {
	r := m.opts.Records
	if r == nil || m.quitting {
		return tea.Quit
	}
	n := r.Pending()
	if n == 0 {
		return tea.Quit
	}
	m.quitting = true
	wait := m.opts.QuitWait
	return tea.Batch(m.status.set(statusPending, "Saving "+itoa(n)+" history writes before quitting…"), func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		return historySavedMsg{err: r.Flush(ctx)}
	})
}

// handleRecords takes the results of the record commands (Update lists
// each of them).
func (m *Model) handleRecords(msg tea.Msg) tea.Cmd {
	r := m.opts.Records
	switch msg := msg.(type) {
	case recordsChangedMsg:
		// Someone (this console, another one, another box) changed the
		// records, or the history stopped or started being saved.
		cmds := []tea.Cmd{waitForChange(r.Changed()), loadMessages(r), m.takeSaving(), countMissed(r)}
		if m.view == viewHistory {
			cmds = append(cmds, m.hist.reload(r))
		}
		if m.view == viewToday {
			cmds = append(cmds, loadToday(r, m.sh.now, m.lines.names()))
		}
		return tea.Batch(cmds...)
	case callerContextMsg:
		if msg.err != nil {
			m.sh.log.Error("reading what the desk knows about a caller", "err", msg.err)
			return nil
		}
		m.callers[msg.key] = msg.cc
	case todayLoadedMsg:
		if msg.err != nil {
			m.sh.log.Error("reading today's calls", "err", msg.err)
			m.today.err = "Could not read the history (see the log)"
			return nil
		}
		m.today.take(msg.day)
	case historySavedMsg:
		if msg.err != nil {
			m.sh.log.Error("history not saved before quitting", "err", msg.err)
		}
		return tea.Quit
	case historyLoadedMsg:
		m.hist.take(msg)
	case missedCountMsg:
		if msg.err != nil {
			m.sh.log.Error("counting missed calls", "err", msg.err)
			return nil
		}
		m.missed = msg.n
	case handledMsg:
		if msg.err != nil {
			m.sh.log.Error("marking a missed call handled", "err", msg.err)
			return m.status.set(statusError, "Could not mark the call from "+msg.who+" handled: "+model.Clean(msg.err.Error(), 200))
		}
		return tea.Batch(m.status.set(statusOK, "Marked the missed call from "+msg.who+" handled"), m.hist.reload(r), countMissed(r))
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
		m.form.saving = false
		if msg.err != nil {
			m.sh.log.Error("saving a message", "err", msg.err)
			m.form.err = "not saved: " + model.Clean(msg.err.Error(), 200) + " — ctrl+s tries again"
			return m.status.set(statusError, "Could not save the message: "+model.Clean(msg.err.Error(), 200))
		}
		if m.focus == focusForm {
			m.form.hide()
			m.focus = focusCalls
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
