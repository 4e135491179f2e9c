package faults_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// phoneScript moves the simulated phone on at random: new calls ring,
// calls are answered, held, resumed, dialled and hung up.
type phoneScript struct {
	sim   *skysim.Server
	rng   *rand.Rand
	ended []string // calls the script ended, in order
	n     int
}

func (p *phoneScript) step() {
	calls := p.sim.Calls(did)
	p.n++
	if len(calls) < 2 || (len(calls) < 6 && p.rng.IntN(3) == 0) {
		if p.rng.IntN(4) == 0 {
			p.sim.Dial(did, fmt.Sprintf("212555%04d", p.n))
		} else {
			p.sim.Ring(did, fmt.Sprintf("1646555%04d", p.n), ptr("6465551000"))
		}
		return
	}
	c := calls[p.rng.IntN(len(calls))]
	next := map[string][]string{
		skysim.StateRinging:   {skysim.StateConnected, skysim.StateDeleted},
		skysim.StatePending:   {skysim.StateConnected, skysim.StateDeleted},
		skysim.StateConnected: {skysim.StateHolding, skysim.StateDeleted},
		skysim.StateHolding:   {skysim.StateConnected, skysim.StateDeleted},
	}[c.State]
	if len(next) == 0 {
		return
	}
	st := next[p.rng.IntN(len(next))]
	p.sim.SetState(did, c.ID, st)
	if st == skysim.StateDeleted {
		p.ended = append(p.ended, c.ID)
	}
}

// TestConnectionDrops cuts the stream 50 times at random moments while
// calls come and go, some of the changes landing while the console is
// disconnected. After every drop the table must hold exactly the phone's
// calls, in the phone's states, within 5 s; every call the table had seen
// end is in its history.
func TestConnectionDrops(t *testing.T) {
	sim, d := newDesk(t)
	p := &phoneScript{sim: sim, rng: rand.New(rand.NewPCG(7, 50))}
	for range 3 {
		p.step()
	}
	d.waitInSync(t, within)

	for i := range 50 {
		seen := map[string]bool{}
		for _, r := range d.rows() {
			seen[strings.Fields(r)[0]] = true
		}
		before := sim.Stats().Streams
		endedBefore := len(p.ended)

		// Changes on the wire, and the cut somewhere among them.
		for range p.rng.IntN(4) {
			p.step()
		}
		time.Sleep(time.Duration(p.rng.IntN(3000)) * time.Microsecond)
		sim.DropConnections(did)
		// Changes while the console is away: only listCalls can tell it.
		for range p.rng.IntN(3) {
			p.step()
		}
		eventually(t, within, "a new stream after drop "+strconv.Itoa(i), func() bool {
			return sim.Stats().Streams > before
		})
		if i%4 == 3 {
			// And once in a while cut the new stream during its handshake.
			sim.DropConnections(did)
		}
		d.waitInSync(t, within)

		hist := d.historyIDs()
		for _, id := range p.ended[endedBefore:] {
			if seen[id] && !hist[id] {
				t.Errorf("drop %d: call %s ended but is not in the history", i, id)
			}
		}
	}
	if st := sim.Stats(); st.OpenStreams != 1 || st.Subscribers[did] != 1 {
		t.Errorf("after the drops: %d open streams, %d subscribed, want 1 and 1", st.OpenStreams, st.Subscribers[did])
	}
	if s, _ := d.lastConn(); s.Status != transport.ConnLive || s.Err != nil {
		t.Errorf("connection after the drops: %+v", s)
	}
}

// TestError17 injects the forced unsubscription 50 times: the stream
// subscribes again every time, on the same connection, and the
// receptionist never sees it, neither in the connection states nor on
// screen.
func TestError17(t *testing.T) {
	sim, d := newDeskTee(t, true)
	c := startConsole(t, d.phone(), 100, 24)
	c.waitView(t, "● live")
	id := sim.Ring(did, "16465551234", nil)
	d.waitInSync(t, within)
	st0 := sim.Stats()

	for i := range 50 {
		before := sim.Stats().Subscribes
		sim.InjectError(did, skysim.ErrCodeUnsubscribed, "")
		ctx, cancel := context.WithTimeout(context.Background(), within)
		err := sim.WaitFor(ctx, func(st skysim.Stats) bool {
			return st.Subscribes > before && st.Subscribers[did] == 1
		})
		cancel()
		if err != nil {
			t.Fatalf("injection %d: no resubscribe: %v", i, err)
		}
		// Events flow on the new subscription.
		if i%2 == 0 {
			sim.SetState(did, id, skysim.StateConnected)
		} else {
			sim.SetState(did, id, skysim.StateHolding)
		}
		d.waitInSync(t, within)
		if v := c.text(); !strings.Contains(v, "● live") || strings.Contains(v, "✗") {
			t.Fatalf("injection %d: screen shows trouble:\n%s", i, v)
		}
	}
	st := sim.Stats()
	if got := st.Subscribes - st0.Subscribes; got != 50 {
		t.Errorf("%d subscribes for 50 injections, want exactly 50", got)
	}
	if st.Streams != st0.Streams || st.Connections != st0.Connections {
		t.Errorf("error 17 caused reconnects: streams %d→%d, connections %d→%d",
			st0.Streams, st.Streams, st0.Connections, st.Connections)
	}
	states := d.connStates()
	first := slices.IndexFunc(states, func(s transport.ConnState) bool { return s.Status == transport.ConnLive })
	for _, s := range states {
		if s.Err != nil {
			t.Errorf("the stream reported an error to the console: %+v", s)
		}
	}
	for _, s := range states[first:] {
		if s.Status != transport.ConnLive {
			t.Errorf("the connection left live: %v", stateCounts(states))
			break
		}
	}
}

// TestListCallsRateLimit makes the server refuse listCalls (error 6) more
// often than once per 2 s, while the stream keeps reconnecting and then
// while the console keeps asking. The server's own receipt times prove the
// client waits out its back-off window after every refusal before the next
// listCalls arrives: with reconnects cutting replies off, at least the
// smallest window (half of min, by the equal jitter); with one caller on a
// steady connection, the exact window, at least half of min·2^(k-1) after
// the k-th refusal in a row. The connection stays live throughout, the
// console is told the call list is delayed, and the table is right once
// the list comes through.
func TestListCallsRateLimit(t *testing.T) {
	const (
		window  = 2 * time.Second
		listMin = 100 * time.Millisecond
		listMax = 400 * time.Millisecond
	)
	sim, d := newDeskTee(t, true, transport.WithListCallsBackoff(listMin, listMax))
	c := startConsole(t, d.phone(), 100, 24)
	sim.RateLimitListCalls(window)
	sim.Ring(did, "16465551234", nil)
	d.waitInSync(t, within)

	listCalls := func(from int) []skysim.CommandRecord {
		var out []skysim.CommandRecord
		for _, r := range sim.Stats().Log[from:] {
			if r.Name == transport.CmdListCalls {
				out = append(out, r)
			}
		}
		return out
	}
	// check walks the listCalls the server saw; exact says every refusal's
	// reply reached the client, so the refusals in a row are its count.
	// Without exact, a refusal followed by a listCalls on another stream is
	// not timed: the drop may have cut the refusal's reply off, and a client
	// that never read it has no window to wait out.
	check := func(phase string, lists []skysim.CommandRecord, exact bool) (refused int) {
		t.Helper()
		inRow := 0
		for i := 0; i+1 < len(lists); i++ {
			r := lists[i]
			if r.Error != skysim.ErrCodeRateLimited {
				inRow = 0
				continue
			}
			refused++
			inRow++
			if !exact && lists[i+1].Stream != r.Stream {
				continue
			}
			w := listMin
			if exact {
				w = min(listMin<<(inRow-1), listMax)
			}
			if gap := lists[i+1].At.Sub(r.At); gap < w/2 {
				t.Errorf("%s: listCalls %d (stream %d) came %v after a refusal (%d in a row, stream %d); the back-off window was at least %v",
					phase, i+1, lists[i+1].Stream, gap, inRow, r.Stream, w/2)
			}
		}
		return refused
	}

	// Phase 1: reconnects in quick succession, each session wanting a
	// snapshot; some cuts land between a refusal and its reply.
	mark := len(sim.Stats().Log)
	for range 5 {
		before := sim.Stats().Streams
		sim.DropConnections(did)
		// A new stream has subscribed, and the dropped one is gone: a
		// dropped stream counts as a subscriber until its handler ends,
		// which may be after the client has opened the next one.
		ctx, cancel := context.WithTimeout(context.Background(), within)
		err := sim.WaitFor(ctx, func(st skysim.Stats) bool {
			return st.Subscribers[did] == 1 && slices.ContainsFunc(st.Log, func(r skysim.CommandRecord) bool {
				return r.Name == transport.CmdSubscribe && r.Stream > before && r.Error == 0
			})
		})
		cancel()
		if err != nil {
			st := sim.Stats()
			t.Fatalf("no new stream subscribed after drop (streams %d, before %d, subscribers %d): %v\nconn states %s\nstream log:\n%s",
				st.Streams, before, st.Subscribers[did], err, stateCounts(d.connStates()), d.log.String())
		}
		sim.Ring(did, "1312555"+strconv.Itoa(1000+before), nil)
	}
	d.waitInSync(t, within+window)
	refused := check("reconnecting", listCalls(mark), false)
	// The table can match the phone before the last stream's list came
	// through: wait for the server to have answered it.
	latest := sim.Stats().Streams
	ctx, cancel := context.WithTimeout(context.Background(), within+window)
	err := sim.WaitFor(ctx, func(st skysim.Stats) bool {
		return slices.ContainsFunc(st.Log, func(r skysim.CommandRecord) bool {
			return r.Name == transport.CmdListCalls && r.Stream == latest && r.Error == 0
		})
	})
	cancel()
	if err != nil {
		t.Fatalf("the list of stream %d never came through: %v", latest, err)
	}

	// Phase 2: one reconnect just after a good list: the new session's list
	// is refused, and the console hears the list is delayed while live.
	// Only what the stream reports after the drop counts: the states left
	// from phase 1 say the same.
	seen := len(d.connStates())
	sim.DropConnections(did)
	eventually(t, within, "the console told the call list is delayed after the reconnect", func() bool {
		after := d.connStates()[seen:]
		i := slices.IndexFunc(after, func(s transport.ConnState) bool { return s.Status == transport.ConnReconnecting })
		return i >= 0 && slices.ContainsFunc(after[i:], func(s transport.ConnState) bool {
			return s.Status == transport.ConnLive && errors.Is(s.Err, transport.ErrRateLimited)
		})
	})
	// The table can match the phone before the list comes through (no
	// call changed): wait for the stream to say the list is back.
	eventually(t, within+window, "the call list back", func() bool {
		s, _ := d.lastConn()
		return s.Status == transport.ConnLive && s.Err == nil
	})
	d.waitInSync(t, within)

	// Phase 3: a console that keeps asking on a steady connection: one
	// caller, one request at a time, and no snapshot of the session's own
	// pending (Stream.ListCalls and the session's retry are not one
	// flight: both would go when the window ends).
	mark = len(sim.Stats().Log)
	deadline := time.Now().Add(1500 * time.Millisecond)
	limited := 0
	for time.Now().Before(deadline) {
		_, err := d.stream.ListCalls(context.Background())
		if errors.Is(err, transport.ErrRateLimited) {
			limited++
		} else if err != nil {
			t.Fatalf("listCalls: %v\nconn states %s\nstream log:\n%s", err, stateCounts(d.connStates()), d.log.String())
		}
		time.Sleep(time.Millisecond)
	}
	asked := listCalls(mark)
	steady := check("steady", asked, true)
	t.Logf("reconnecting: %d refusals; steady: %d listCalls reached the server, %d refused, %d answered at once without a request",
		refused, len(asked), steady, limited)
	if steady == 0 || limited == 0 {
		t.Error("the rate limit never applied on the steady connection")
	}
	// The table can match the phone while a refused list is still to be
	// retried (as in phase 2): once the stream says the list came through,
	// the table is right and the console says live.
	eventually(t, within+window, "the call list back after the steady phase", func() bool {
		s, _ := d.lastConn()
		return s.Status == transport.ConnLive && s.Err == nil
	})
	d.waitInSync(t, within)
	eventually(t, within, "the console saying live, not delayed", func() bool {
		screen := c.text()
		return !strings.Contains(screen, "delayed") && strings.Contains(screen, "● live")
	})

	for _, s := range d.connStates() {
		if s.Status == transport.ConnLive && s.Err != nil && !errors.Is(s.Err, transport.ErrRateLimited) {
			t.Errorf("unexpected error while live: %v", s.Err)
		}
		if s.Status == transport.ConnReconnecting && errors.Is(s.Err, transport.ErrRateLimited) {
			t.Errorf("a refused listCalls dropped the connection: %+v", s)
		}
	}
}

// doc is an event document as the service sends it, for one call.
func doc(id, state string, extra string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">
  <ErrorCount>0</ErrorCount>` + extra + `
  <Id>1</Id>
  <Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <item xsi:type="org.m5.data.v1.cti.Call">
      <Ani>6465551234</Ani>` + extra + `
      <DID>6465551000</DID>
      <Duration>0</Duration>
      <Endpoint>0010492e1234</Endpoint>
      <Id>` + id + `</Id>
      <Originated>false</Originated>
      <State>` + state + `</State>
    </item>
  </Result>
</org.m5.api.v1.Response>
`)
}

// TestMalformedDocuments sends documents the decoder must survive:
// garbage, truncation, unclosed elements, wrong types, unknown elements,
// one document over the size limit, a run of malformed ones. After each
// the stream carries on or reconnects, and the table matches the phone.
func TestMalformedDocuments(t *testing.T) {
	sim, d := newDesk(t)
	id := sim.Ring(did, "16465551234", ptr("6465551000"))
	d.waitInSync(t, within)
	full := doc("990001", "RINGING", "")

	cases := []struct {
		name string
		raw  []byte
	}{
		{"binary garbage", []byte("\x00\x01\x02\xff\xfe<<<>>>&&&;;;]]>")},
		{"truncated document", full[:len(full)/2]},
		{"truncated at every length", func() []byte {
			var b []byte
			for n := 1; n < len(full); n += 37 {
				b = append(b, full[:n]...)
			}
			return b
		}()},
		{"unclosed elements", []byte(`<org.m5.api.v1.Response><ErrorCount>0</ErrorCount><Result xsi:type="xmlList"><item><Id>5`)},
		{"mismatched end tag", []byte(`<org.m5.api.v1.Response><ErrorCount>0</Oops></org.m5.api.v1.Response>`)},
		{"wrong types", []byte(strings.NewReplacer("<ErrorCount>0", "<ErrorCount>many", "<Duration>0", "<Duration>-x1", "<Originated>false", "<Originated>perhaps").Replace(string(doc(id, "RINGING", ""))))},
		{"entity bomb", []byte(`<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><org.m5.api.v1.Response><ErrorCount>0</ErrorCount><Id>&b;</Id></org.m5.api.v1.Response>`)},
		{"reply to nobody", []byte(`<org.m5.api.v1.Response><ErrorCount>0</ErrorCount><Id>424242</Id><Result xsi:type="ns5:boolean">true</Result></org.m5.api.v1.Response>`)},
		{"unknown top-level element", []byte(`<Surprise><Id>1</Id></Surprise>`)},
		{"over the size limit", []byte("<org.m5.api.v1.Response><ErrorCount>0</ErrorCount><Id>1</Id><Junk>" + strings.Repeat("x", 2<<20) + "</Junk></org.m5.api.v1.Response>")},
		{"many malformed in a row", []byte(strings.Repeat("<org.m5.api.v1.Response></oops>", 40))},
	}
	for i, tc := range cases {
		t.Logf("sending %s", tc.name) // shown with a failure: which case it was
		sim.SendRaw(did, tc.raw)
		// Something real after it: a state change the table must see.
		if i%2 == 0 {
			sim.SetState(did, id, skysim.StateConnected)
		} else {
			sim.SetState(did, id, skysim.StateHolding)
		}
		// The client reads the oversized document up to the limit, a
		// megabyte, before it reconnects.
		wait := within
		if len(tc.raw) > 1<<20 {
			wait = withinHeavy
		}
		d.waitInSync(t, wait)
	}

	// Unknown elements inside a good document are skipped and the call
	// still applies; a call the phone does not have is then ended the same
	// way, so the table matches the phone again.
	extra := `
  <Unexpected kind="x"><Nested>1</Nested></Unexpected>`
	sim.SendRaw(did, append([]byte("<Prelude/>"), doc("990001", "RINGING", extra)...))
	eventually(t, within, "the call with extra elements listed", func() bool {
		return slices.Contains(d.rows(), "990001 RINGING")
	})
	sim.SendRaw(did, doc("990001", "DELETED", extra))
	d.waitInSync(t, within)

	if s := sim.Stats(); s.Streams < 2 {
		t.Logf("the stream never reconnected (%d streams)", s.Streams)
	}
}

// TestSplitAtEveryByte has the server flush every reply and event one
// byte at a time while calls ring and the console works them over the
// same stream.
func TestSplitAtEveryByte(t *testing.T) {
	sim, d := newDesk(t)
	sim.SplitWrites(1)
	defer sim.SplitWrites(0)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()

	id := sim.Ring(did, "16465551234", ptr("6465551000"))
	d.waitInSync(t, within)
	for _, step := range []struct {
		name string
		do   func(context.Context, string) error
	}{
		{"answer", d.stream.Answer},
		{"hold", d.stream.Hold},
		{"resume", d.stream.Resume},
		{"release", d.stream.Release},
	} {
		if err := step.do(ctx, id); err != nil {
			t.Fatalf("%s over a byte-split stream: %v", step.name, err)
		}
		d.waitInSync(t, within)
	}
	for i := range 5 {
		sim.Ring(did, "1212555010"+strconv.Itoa(i), nil)
	}
	sim.DropConnections(did)
	d.waitInSync(t, within)
	calls, err := d.stream.ListCalls(ctx)
	if err != nil || len(calls) != 5 {
		t.Fatalf("listCalls over a byte-split stream: %d calls, %v", len(calls), err)
	}
}

// TestBurst pushes PENDING, CONNECTED and DELETED for many calls in one
// chunk, as Call Screening and Find Me rules make the service do, both
// call by call and state by state. The table must end up with exactly the
// calls left connected, and the rest in its history.
func TestBurst(t *testing.T) {
	sim, d := newDesk(t, transport.WithEventBuffer(8))
	for _, grouped := range []bool{false, true} {
		const n = 150
		base := 700000
		if grouped {
			base = 800000
		}
		var calls []transport.Call
		states := []string{skysim.StatePending, skysim.StateConnected, skysim.StateDeleted}
		add := func(i int, st string) {
			if i%5 == 0 && st == skysim.StateDeleted {
				return // every fifth call stays connected
			}
			calls = append(calls, transport.Call{ID: strconv.Itoa(base + i), Ani: fmt.Sprintf("1646555%04d", i), State: st})
		}
		if grouped {
			for _, st := range states {
				for i := range n {
					add(i, st)
				}
			}
		} else {
			for i := range n {
				for _, st := range states {
					add(i, st)
				}
			}
		}
		sim.Burst(did, calls...)
		d.waitInSync(t, withinHeavy)
		rows := d.rows()
		if len(rows) != n/5*(btoi(grouped)+1) {
			t.Errorf("grouped=%v: %d calls listed, want %d", grouped, len(rows), n/5*(btoi(grouped)+1))
		}
		// The table can match the phone before the burst's last calls
		// (born and ended in it) have been read: wait for the history.
		missing := func() []string {
			hist := d.historyIDs()
			var out []string
			for i := range n {
				if id := strconv.Itoa(base + i); i%5 != 0 && !hist[id] {
					out = append(out, id)
				}
			}
			return out
		}
		eventually(t, withinHeavy, "every call ended in the burst in the history", func() bool { return len(missing()) == 0 })
		d.waitInSync(t, within)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
