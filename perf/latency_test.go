package perf_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// BenchmarkEventToScreen: a call event written by the simulator on the
// loopback stream, decoded by the real transport.Stream, applied by the
// console's Update and drawn by View, with 20 calls on screen at 120×40.
// Reported: p50 and p99 from the simulator's write to the end of View.
// (Bubble Tea then flushes the frame on its next 60 fps tick, up to
// 16.7 ms later; that pacing is the framework's, not measured here.)
func BenchmarkEventToScreen(b *testing.B) {
	sim := newSim(b)
	ids := ringN(sim, 20)
	s, _ := startStream(b, sim)
	p := tap(s)
	c := startConsole(b, p, 120, 40)
	c.waitView(b, "(646) 555-0019")
	for len(p.seen) > 0 {
		<-p.seen
	}
	drawn := make(chan time.Time, 1024)
	c.SetAfterUpdate(func(msg tea.Msg, at time.Time) {
		if isEvent(msg) {
			drawn <- at
		}
	})
	id := ids[1] // connected
	states := [2]string{skysim.StateHolding, skysim.StateConnected}
	lat := make(latencies, 0, b.N)
	var wire, draw latencies
	b.ResetTimer()
	for i := range b.N {
		t0 := time.Now()
		sim.SetState(did, id, states[i%2])
		select {
		case at := <-drawn:
			lat = append(lat, at.Sub(t0))
			seen := <-p.seen
			wire = append(wire, seen.Sub(t0))
			draw = append(draw, at.Sub(seen))
		case <-time.After(5 * time.Second):
			b.Fatal("the event never reached the screen")
		}
	}
	b.StopTimer()
	lat.report(b, "")
	// Where the time goes: the simulator's write to the stream's event,
	// and that event through Update and View.
	wire.report(b, "wire-")
	draw.report(b, "draw-")
}

// BenchmarkKeyToWire: a key press ("h", hold or resume the selected call)
// entering the console's Update, to the command's bytes written on the
// stream's TCP socket. Between presses the benchmark waits, untimed, for
// the phone's event to come back and be drawn.
func BenchmarkKeyToWire(b *testing.B) {
	sim := newSim(b)
	ringN(sim, 19)
	s, stamps := startStream(b, sim)
	p := tap(s)
	c := startConsole(b, p, 120, 40)
	c.waitView(b, "(646) 555-0018")
	// A connected call at the bottom of the list, selected with G.
	id := sim.Ring(did, "13125550100", nil)
	c.waitView(b, "(312) 555-0100")
	if err := s.Answer(context.Background(), id); err != nil {
		b.Fatal(err)
	}
	for sim.Calls(did)[19].State != skysim.StateConnected {
		time.Sleep(time.Millisecond)
	}
	c.waitView(b, "● connected  (312) 555-0100")
	c.Send(tea.KeyPressMsg{Code: 'G', Text: "G"})
	if v := c.view(); !strings.Contains(v, "▸● connected  (312) 555-0100") {
		b.Fatalf("the answered call is not selected:\n%s", v)
	}
	drawn := make(chan time.Time, 1024)
	c.SetAfterUpdate(func(msg tea.Msg, at time.Time) {
		if isEvent(msg) {
			drawn <- at
		}
	})
	key := tea.KeyPressMsg{Code: 'h', Text: "h"}
	lat := make(latencies, 0, b.N)
	var upd, send latencies
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		c.Send(key)
		at := stamps.firstAfter(b, t0)
		lat = append(lat, at.Sub(t0))
		select {
		case called := <-p.called:
			upd = append(upd, called.Sub(t0))
			send = append(send, at.Sub(called))
		case <-time.After(5 * time.Second):
			b.Fatal("the console never called the phone")
		}
		b.StopTimer()
		// The phone's event for this press, drawn, before the next.
		for {
			select {
			case d := <-drawn:
				if d.After(t0) {
					goto next
				}
			case <-time.After(5 * time.Second):
				b.Fatal("no event after the key press")
			}
		}
	next:
		b.StartTimer()
	}
	b.StopTimer()
	lat.report(b, "")
	// Where the time goes: the key through Update to the phone command,
	// and the command through the stream to the socket.
	upd.report(b, "update-")
	send.report(b, "send-")
	if got := sim.Stats().Commands[transport.CmdHold]; got == 0 {
		b.Fatal("no hold reached the server")
	}
}

// holdToggler is a client that alternates hold and resume on one call.
type holdToggler interface {
	Hold(ctx context.Context, id string) error
	Resume(ctx context.Context, id string) error
}

// freshPOST is how simple clients work: every command is a new TCP
// connection and one POST carrying one command document.
type freshPOST struct {
	url string
	hc  *http.Client
	n   int
}

func newFreshPOST(url string) *freshPOST {
	return &freshPOST{url: url, hc: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
}

func (f *freshPOST) do(ctx context.Context, name, id string) error {
	f.n++
	body := transport.NewCommand(name, did, pin, strconv.Itoa(f.n), id).Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/xml; charset=UTF-8")
	resp, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	r, err := transport.NewResponseDecoder(resp.Body, 0).Next()
	if err != nil {
		return err
	}
	if v, ok := r.Result.Bool(); !ok || !v || r.ErrorCount != 0 {
		return fmt.Errorf("%s: unexpected reply %+v", name, r)
	}
	return nil
}

func (f *freshPOST) Hold(ctx context.Context, id string) error {
	return f.do(ctx, transport.CmdHold, id)
}

func (f *freshPOST) Resume(ctx context.Context, id string) error {
	return f.do(ctx, transport.CmdResume, id)
}

// BenchmarkCommandRoundTrip: one command (hold, then resume, alternately)
// sent and its reply read, on loopback against the simulator, by:
//
//	stream      the long-lived chunked POST (transport.Stream), Id-matched;
//	fresh-post  a new connection and one POST per command, keep-alives off;
//	get         transport.Client, one GET per command on a kept-alive connection.
//
// A stream subscribed to the phone runs in every case, so the server does
// the same work. perf/report prints fresh-post ÷ stream.
func BenchmarkCommandRoundTrip(b *testing.B) {
	for _, kind := range []string{"stream", "fresh-post", "get"} {
		b.Run(kind, func(b *testing.B) {
			sim := newSim(b)
			s, _ := startStream(b, sim)
			drain(s)
			id := sim.Ring(did, "16465551234", nil)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := sim.WaitSubscribed(ctx, did, 1); err != nil {
				b.Fatal(err)
			}
			sim.SetState(did, id, skysim.StateConnected)
			var cl holdToggler
			switch kind {
			case "stream":
				for s.State().Status != transport.ConnLive {
					time.Sleep(time.Millisecond)
				}
				cl = s
			case "fresh-post":
				cl = newFreshPOST(sim.URL())
			case "get":
				gc, err := transport.NewClient(account(sim))
				if err != nil {
					b.Fatal(err)
				}
				cl = gc
			}
			lat := make(latencies, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				t0 := time.Now()
				var err error
				if i%2 == 0 {
					err = cl.Hold(ctx, id)
				} else {
					err = cl.Resume(ctx, id)
				}
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			lat.report(b, "")
		})
	}
}
