package tui

import (
	"strconv"
	"testing"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// A burst of events already waiting on the channel is read as one message,
// in order and bounded; a lone event is its own message; the close is
// reported by the next wait.
func TestWaitForEventBatchesWaitingEvents(t *testing.T) {
	const n = maxEventBatch + 44
	ch := make(chan transport.Event, n+1)
	for i := range n {
		ch <- transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: strconv.Itoa(i), State: "RINGING"}}
	}
	wait := waitForEvent(0, ch)
	next := 0
	for _, want := range []int{maxEventBatch, n - maxEventBatch} {
		msg, ok := wait().(eventsMsg)
		if !ok {
			t.Fatalf("burst of %d: got %T, want eventsMsg", want, msg)
		}
		if len(msg.evs) != want {
			t.Fatalf("burst carries %d events, want %d", len(msg.evs), want)
		}
		for _, ev := range msg.evs {
			if ev.Call.ID != strconv.Itoa(next) {
				t.Fatalf("event %s out of order, want %d", ev.Call.ID, next)
			}
			next++
		}
	}
	ch <- transport.Event{Kind: transport.EventConn}
	if msg, ok := wait().(eventMsg); !ok || msg.ev.Kind != transport.EventConn {
		t.Fatalf("lone event: got %#v", msg)
	}
	ch <- transport.Event{Kind: transport.EventConn}
	close(ch)
	if _, ok := wait().(eventMsg); !ok {
		t.Fatal("the event before the close was lost")
	}
	if _, ok := wait().(streamClosedMsg); !ok {
		t.Fatal("the close was not reported")
	}
}

// One batch is applied in order: a call that rang, was answered and put on
// hold within it ends up holding, and a call that rang and ended within it
// is in history as missed.
func TestBurstAppliedInOrder(t *testing.T) {
	h, rec := deskHarness(t, 100, 20)
	call := func(id, state string) transport.Event {
		return transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: id, Ani: "646555" + id, State: state, DID: "6465550100"}}
	}
	h.send(eventsMsg{0, []transport.Event{
		{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}},
		call("1001", "RINGING"),
		call("1002", "RINGING"),
		call("1001", "CONNECTED"),
		call("1001", "HOLDING"),
		call("1002", "DELETED"),
	}})
	if c, ok := h.m.table.Get("1001"); !ok || c.State != model.StateHolding {
		t.Fatalf("call 1001: %+v, want holding", c)
	}
	if _, ok := h.m.table.Get("1002"); ok {
		t.Fatal("call 1002 ended but is still in the table")
	}
	hist, _ := rec.Calls(model.CallQuery{})
	if len(hist) != 1 || hist[0].CallID != "1002" || hist[0].Outcome != model.OutcomeMissed {
		t.Fatalf("history %+v, want 1002 missed", hist)
	}
	if !h.m.lines.all[0].conn.known || h.m.lines.all[0].conn.state.Status != transport.ConnLive {
		t.Fatalf("connection %+v, want live", h.m.lines.all[0].conn)
	}
}
