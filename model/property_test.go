package model

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// Property tests: random event sequences against a small reference model of
// what the table must show.

var (
	genID       = rapid.SampledFrom([]string{"1", "2", "3", "4", "5", " 3", "4\n", ""})
	genRawState = rapid.SampledFrom([]string{
		"RINGING", "PENDING", "CONNECTED", "HOLDING", "DELETED",
		"ringing", " connected ", "Holding\n", "deleted",
		"CONNNECTED", "", "??", "\x1b[31mRINGING",
	})
)

func genUpdate(t *rapid.T) Update {
	u := Update{
		ID:         genID.Draw(t, "id"),
		Ani:        rapid.SampledFrom([]string{"6465551234", "", "+61212345678", "Bob\x1b[2J"}).Draw(t, "ani"),
		Originated: rapid.Bool().Draw(t, "originated"),
		State:      genRawState.Draw(t, "state"),
		Duration:   rapid.IntRange(-5, 600).Draw(t, "duration"),
	}
	if rapid.Bool().Draw(t, "hasCLID") {
		u.CLID, u.HasCLID = "6465551000", true
	}
	return u
}

// ref is the reference model: per Id, is it live and in what state.
type ref struct {
	live    map[string]Update // last update that applied
	deleted map[string]bool
	ended   int
}

func (r *ref) apply(u Update) (seen bool) {
	id := strings.TrimSpace(u.ID)
	if id == "" {
		return false
	}
	st := ParseState(u.State)
	_, live := r.live[id]
	switch {
	case st == StateDeleted:
		if live {
			r.ended++
			delete(r.live, id)
		}
		r.deleted[id] = true
		return false
	case live:
		r.live[id] = u
	case r.deleted[id] && st != StateRinging:
		return false
	default:
		delete(r.deleted, id)
		r.live[id] = u
	}
	return true
}

func (r *ref) reconcile(snap []Update) {
	seen := map[string]bool{}
	for _, u := range snap {
		if r.apply(u) {
			seen[strings.TrimSpace(u.ID)] = true
		}
	}
	for id := range r.live {
		if !seen[id] {
			r.ended++
			delete(r.live, id)
			r.deleted[id] = true
		}
	}
}

func TestTableProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb := NewTable()
		r := &ref{live: map[string]Update{}, deleted: map[string]bool{}}
		now := t0
		endedSeen := 0

		t.Repeat(map[string]func(*rapid.T){
			"apply": func(t *rapid.T) {
				u := genUpdate(t)
				tb.Apply(u, now)
				r.apply(u)
			},
			"burst": func(t *rapid.T) {
				id := genID.Draw(t, "burstID")
				for _, s := range rapid.SliceOfN(genRawState, 2, 5).Draw(t, "burst") {
					u := Update{ID: id, State: s, Ani: "6465551234"}
					tb.Apply(u, now)
					r.apply(u)
				}
			},
			"reconcile": func(t *rapid.T) {
				snap := rapid.SliceOfN(rapid.Custom(genUpdate), 0, 6).Draw(t, "snapshot")
				tb.Reconcile("", snap, now)
				r.reconcile(snap)
			},
			"ignore": func(t *rapid.T) {
				tb.MarkIgnored(genID.Draw(t, "ignoreID"))
			},
			"tick": func(t *rapid.T) {
				now = now.Add(time.Duration(rapid.IntRange(-1, 90).Draw(t, "seconds")) * time.Second)
			},
			"": func(t *rapid.T) {
				calls := tb.Calls()
				if len(calls) != tb.Len() || len(calls) != len(r.live) {
					t.Fatalf("Calls %d, Len %d, want %d live: %v", len(calls), tb.Len(), len(r.live), ids(calls))
				}
				if tb.NeedsTick() != (len(calls) > 0) {
					t.Fatal("NeedsTick disagrees with the live calls")
				}
				seen := map[string]bool{}
				var counts [StateDeleted + 1]int
				for i, c := range calls {
					if seen[c.ID] {
						t.Fatalf("call %s listed twice: %v", c.ID, ids(calls))
					}
					seen[c.ID] = true
					counts[c.State]++
					u, ok := r.live[c.ID]
					if !ok {
						t.Fatalf("call %s is listed but should not be", c.ID)
					}
					if c.State != ParseState(u.State) || c.RawState != u.State {
						t.Fatalf("call %s is %v (%q), last state was %q", c.ID, c.State, c.RawState, u.State)
					}
					if c.State == StateDeleted {
						t.Fatalf("call %s listed as deleted", c.ID)
					}
					if c.Total(now) < 0 || c.InState(now) < 0 || c.HeldFor(now) < 0 || c.HoldTotal < 0 {
						t.Fatalf("negative clock on %+v", c)
					}
					if c.Answered && c.Outbound {
						t.Fatalf("an outbound call marked answered: %+v", c)
					}
					if i > 0 {
						a, b := &entry{Call: calls[i-1]}, &entry{Call: c}
						if compareCalls(a, b) >= 0 {
							t.Fatalf("calls out of order at %d: %v", i, ids(calls))
						}
					}
					if g, ok := tb.Get(c.ID); !ok || g != c {
						t.Fatalf("Get(%s) disagrees with Calls", c.ID)
					}
				}
				for s := range counts {
					if tb.Count(State(s)) != counts[s] {
						t.Fatalf("Count(%v) = %d, want %d", State(s), tb.Count(State(s)), counts[s])
					}
				}
				endedSeen += len(tb.Ended())
				if endedSeen != r.ended {
					t.Fatalf("%d calls ended, history got %d", r.ended, endedSeen)
				}
				for _, a := range []Action{ActAnswer, ActIgnore, ActHold, ActResume, ActRelease} {
					id, err := tb.Target("", a)
					i := slices.IndexFunc(calls, func(c Call) bool { return a.Applies(c.State) })
					if i < 0 {
						if err == nil {
							t.Fatalf("Target(%v) = %q with no call in a fitting state", a, id)
						}
					} else if err != nil || id != calls[i].ID {
						t.Fatalf("Target(%v) = %q, %v; want %q", a, id, err, calls[i].ID)
					}
				}
			},
		})
	})
}

// History entries are always well formed, whatever the sequence.
func TestHistoryProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb := NewTable()
		now := t0
		for _, u := range rapid.SliceOfN(rapid.Custom(genUpdate), 1, 40).Draw(t, "updates") {
			now = now.Add(time.Duration(rapid.IntRange(0, 30).Draw(t, "step")) * time.Second)
			tb.Apply(u, now)
		}
		tb.Reconcile("", nil, now.Add(time.Second))
		for _, h := range tb.Ended() {
			if h.End.Before(h.Start) || h.Ring < 0 || h.Talk < 0 || h.Hold < 0 {
				t.Fatalf("bad entry %+v", h)
			}
			if h.Ring+h.Talk+h.Hold > h.Duration() {
				t.Fatalf("ring+talk+hold exceed the call: %+v", h)
			}
			if h.Outbound != (h.Outcome == OutcomeOutbound) {
				t.Fatalf("direction and outcome disagree: %+v", h)
			}
		}
	})
}

func TestParseDialProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := rapid.StringMatching(`[+]?[0-9 ().-]{0,20}`).Draw(t, "input")
		checkDial(t, in)
	})
}

// checkDial asserts what every ParseDial result must satisfy.
func checkDial(t interface{ Fatalf(string, ...any) }, in string) {
	n, err := ParseDial(in)
	if err != nil {
		if n != (Number{}) || err.Error() == "" {
			t.Fatalf("ParseDial(%q) = %+v, %v", in, n, err)
		}
		return
	}
	d := n.Digits
	if d != Digits(d) || d == "" {
		t.Fatalf("ParseDial(%q).Digits = %q: not all digits", in, d)
	}
	switch n.Kind {
	case Extension:
		if len(d) != 4 || n.Display != "x"+d {
			t.Fatalf("extension %+v", n)
		}
	case Domestic:
		if !(len(d) == 10 || (len(d) == 11 && d[0] == '1')) || !strings.HasPrefix(n.Display, "(") {
			t.Fatalf("domestic %+v", n)
		}
	case International:
		if !strings.HasPrefix(d, "011") || len(d) < 3+intlMin || len(d) > 3+intlMax || !strings.HasPrefix(n.Display, "+") {
			t.Fatalf("international %+v", n)
		}
	default:
		t.Fatalf("ParseDial(%q) has no kind: %+v", in, n)
	}
	if strings.HasPrefix(d, "9") && len(d) > 10 {
		t.Fatalf("ParseDial(%q) kept an outside-line 9: %q", in, d)
	}
	// What we show parses back to the same digits (the receptionist may
	// type back what they see).
	back, err := ParseDial(n.Display)
	same := err == nil && back.Kind == n.Kind && back.Display == n.Display
	if n.Kind == Domestic {
		same = same && back.Digits[len(back.Digits)-10:] == d[len(d)-10:]
	} else {
		same = same && back.Digits == d
	}
	if !same {
		t.Fatalf("Display %q of %q does not parse back: %+v, %v", n.Display, in, back, err)
	}
}

func FuzzParseDial(f *testing.F) {
	for _, s := range []string{
		"6465551234", "16465551234", "916465551234", "1234", "01161212345678", "101161212345678", "61212345678",
		"+1 (646) 555-1234", "+61 2 1234 5678", "x1234", "ext. 1234", "", "call me", "*67", "00 44 20",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkDial(t, s) })
}

// The display order repaired after a batch of changes, small or large, is
// the order a full sort gives.
func TestOrderRepairProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		tb := NewTable()
		now := t0
		var buf []Call
		for range rapid.IntRange(1, 6).Draw(t, "batches") {
			for range rapid.IntRange(0, 120).Draw(t, "batch") {
				u := Update{
					ID:    strconv.Itoa(rapid.IntRange(0, 80).Draw(t, "id")),
					State: genRawState.Draw(t, "state"),
				}
				now = now.Add(time.Duration(rapid.IntRange(0, 2).Draw(t, "step")) * time.Second)
				tb.Apply(u, now)
			}
			buf = tb.AppendCalls(buf[:0])
			want := slices.Clone(buf)
			slices.SortFunc(want, func(a, b Call) int { return compareCalls(&entry{Call: a}, &entry{Call: b}) })
			if !slices.Equal(ids(buf), ids(want)) {
				t.Fatalf("order %v\nwant  %v", ids(buf), ids(want))
			}
			if len(buf) != tb.Len() {
				t.Fatalf("AppendCalls gave %d calls, table has %d", len(buf), tb.Len())
			}
			for i, c := range buf {
				if tb.Index(c.ID) != i {
					t.Fatalf("Index(%s) = %d, want %d", c.ID, tb.Index(c.ID), i)
				}
			}
		}
		if tb.Index("nope") != -1 {
			t.Fatal("Index of an absent call should be -1")
		}
	})
}
