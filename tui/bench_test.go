package tui

import (
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

var benchStates = []string{"RINGING", "CONNECTED", "HOLDING", "PENDING", "CONNECTED", "HOLDING"}

// benchModel is a console at 120×40 showing n calls.
func benchModel(b testing.TB, n int) (*Model, *testClock) {
	b.Helper()
	clk := newClock()
	m := New(Options{Phone: newFakePhone(), Account: "6465550100", Now: clk.Now})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	calls := make([]transport.Call, n)
	for i := range calls {
		c := transport.Call{ID: strconv.Itoa(10000 + i), Ani: "1646555" + strconv.Itoa(1000+i%9000), State: benchStates[i%len(benchStates)]}
		if i%3 == 0 {
			c.CLID = clid("6465551000")
		}
		calls[i] = c
	}
	m.Update(eventMsg{0, transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}}})
	m.Update(eventMsg{0, transport.Event{Kind: transport.EventSnapshot, Calls: calls}})
	clk.Advance(95 * time.Second)
	m.Update(tickMsg{gen: m.tickGen})
	m.Update(keyPress("j"))
	m.Update(keyPress("j"))
	return m, clk
}

func BenchmarkView(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run("calls="+strconv.Itoa(n), func(b *testing.B) {
			m, _ := benchModel(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkEventToView is one call event through Update, then View.
func BenchmarkEventToView(b *testing.B) {
	for _, n := range []int{10, 1000} {
		b.Run("calls="+strconv.Itoa(n), func(b *testing.B) {
			m, _ := benchModel(b, n)
			evs := [2]eventMsg{}
			for i, st := range []string{"HOLDING", "CONNECTED"} {
				evs[i] = eventMsg{0, transport.Event{Kind: transport.EventCall,
					Call: transport.Call{ID: strconv.Itoa(10001), Ani: "16465551001", State: st}}}
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				m.Update(evs[i&1])
				_ = m.View()
				i++
			}
		})
	}
}

// BenchmarkKeyToCommand is a key press ("h" on a selected connected call)
// through Update, which returns the hold command, then View. Between
// presses, untimed, the phone refuses the hold: a press while it is in
// flight would be absorbed.
func BenchmarkKeyToCommand(b *testing.B) {
	m, _ := benchModel(b, 20)
	m.Update(keyPress("g"))
	for i := 0; i < 20; i++ {
		if c, ok := m.list.selected(); ok && c.State == model.StateConnected {
			break
		}
		m.Update(keyPress("j"))
	}
	if c, ok := m.list.selected(); !ok || c.State != model.StateConnected {
		b.Fatalf("no connected call selected: %+v", c)
	}
	c, _ := m.list.selected()
	key, refused := keyPress("h"), heldMsg{result{id: c.Key(), who: "bench", err: errBoom}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, cmd := m.Update(key); cmd == nil {
			b.Fatal("no command")
		}
		_ = m.View()
		b.StopTimer()
		m.Update(refused)
		b.StartTimer()
	}
}
