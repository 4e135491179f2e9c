package tui

import (
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// The call table keeps each row as last drawn and draws it again only when
// what it shows changes. After every kind of change (selection, state,
// clocks, a busy command, width, a call ending) the rows the Update drew
// must be the rows a fresh draw gives, and a row that did not change must
// be the very line kept.
func TestRowsKeptMatchAFreshDraw(t *testing.T) {
	h := newHarness(t, 100, 20)
	h.live()
	h.call("1", "16465550101", "RINGING")
	h.call("2", "16465550102", "CONNECTED")
	h.call("3", "16465550103", "HOLDING")

	check := func(step string) []string {
		t.Helper()
		kept := h.m.list.shown
		fresh := h.m.list
		fresh.drawn, fresh.next = nil, nil
		fresh.draw()
		if want := fresh.shown; !slices.Equal(kept, want) {
			t.Fatalf("%s: kept rows\n%q\nwant\n%q", step, kept, want)
		}
		return kept
	}
	before := check("start")
	h.send(tickMsg{gen: h.m.tickGen})
	again := check("nothing changed")
	if !slices.Equal(before, again) {
		t.Fatal("rows changed with nothing changed")
	}

	h.key("j")
	check("selection moved")
	h.call("2", "16465550102", "HOLDING")
	check("state changed")
	h.clock.Advance(1500 * time.Millisecond)
	h.send(tickMsg{gen: h.m.tickGen})
	check("clocks moved")
	h.m.list.busy = map[string]string{"3": "resuming…"}
	h.m.relayout() // as the Update that sent the command does
	check("command in flight")
	h.m.list.busy = nil
	h.send(tea.WindowSizeMsg{Width: 80, Height: 20})
	check("narrower")
	h.call("1", "16465550101", "DELETED")
	rows := check("a call ended")
	if len(rows) != 2 || len(h.m.list.drawn) != 2 {
		t.Fatalf("%d rows drawn, %d kept, want 2 and 2", len(rows), len(h.m.list.drawn))
	}
}
