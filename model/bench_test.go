package model

import (
	"strconv"
	"testing"
	"time"
)

var benchSizes = []int{10, 1000, 10000}

// benchTable holds n connected calls; ids are their Ids.
func benchTable(n int) (*Table, []string) {
	tb := NewTable()
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(60000 + i)
		tb.Apply(Update{ID: ids[i], Ani: "6465551234", State: "CONNECTED", Duration: i % 300}, t0)
	}
	return tb, ids
}

// BenchmarkApply applies state changes (hold, resume) to calls in a table
// of n calls: every event changes a state, none adds or removes a call.
func BenchmarkApply(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			tb, ids := benchTable(n)
			states := [2]string{"HOLDING", "CONNECTED"}
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				now = now.Add(time.Millisecond)
				tb.Apply(Update{ID: ids[i%n], Ani: "6465551234", State: states[(i/n)%2]}, now)
			}
		})
	}
}

// BenchmarkApplyRing is a call's whole life: ring, answer, hang up (into
// the history), in a table that already holds n calls.
func BenchmarkApplyRing(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			tb, _ := benchTable(n)
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				now = now.Add(time.Second)
				u := Update{ID: strconv.Itoa(i), Ani: "6465551234", State: "RINGING"}
				tb.Apply(u, now)
				u.State = "CONNECTED"
				tb.Apply(u, now)
				u.State = "DELETED"
				tb.Apply(u, now)
				if i%1000 == 0 {
					tb.Ended()
				}
			}
		})
	}
}

// BenchmarkReconcile reconciles a full listCalls of n calls in which every
// call changed state.
func BenchmarkReconcile(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			tb, ids := benchTable(n)
			var snaps [2][]Update
			for k, s := range []string{"HOLDING", "CONNECTED"} {
				snaps[k] = make([]Update, n)
				for i, id := range ids {
					snaps[k][i] = Update{ID: id, Ani: "6465551234", State: s, Duration: 400}
				}
			}
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				now = now.Add(time.Second)
				tb.Reconcile("", snaps[i%2], now)
			}
		})
	}
}

// BenchmarkCalls is the view's read after a change: sort and copy out.
func BenchmarkCalls(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			tb, ids := benchTable(n)
			states := [2]string{"HOLDING", "CONNECTED"}
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				now = now.Add(time.Millisecond)
				tb.Apply(Update{ID: ids[i%n], State: states[(i/n)%2]}, now)
				if len(tb.Calls()) != n {
					b.Fatal("lost calls")
				}
			}
		})
	}
}

func BenchmarkParseDial(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDial("+1 (646) 555-1234"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClean(b *testing.B) {
	b.Run("ascii", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Clean("Bob Smith (646) 555-1234", 24)
		}
	})
	b.Run("escapes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Clean("\x1b]0;t\x07José \x1b[31mMüller\u202e", 24)
		}
	})
}

// BenchmarkAppendCalls is the view's read after a change into a reused
// buffer.
func BenchmarkAppendCalls(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			tb, ids := benchTable(n)
			states := [2]string{"HOLDING", "CONNECTED"}
			buf := make([]Call, 0, n)
			now := t0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				now = now.Add(time.Millisecond)
				tb.Apply(Update{ID: ids[i%n], State: states[(i/n)%2]}, now)
				buf = tb.AppendCalls(buf[:0])
			}
		})
	}
}
