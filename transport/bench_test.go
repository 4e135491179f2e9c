package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// benchDocs is a stream of n event documents in the guide's layout.
func benchDocs(n int) []byte {
	states := []string{"RINGING", "CONNECTED", "HOLDING", "CONNECTED", "DELETED"}
	var b []byte
	for i := range n {
		clid := "6465551000"
		r := &transport.Response{ID: "1", Result: &transport.Result{Type: transport.TypeXMLList, Items: []transport.Call{{
			Ani: "6465551234", CLID: &clid, DID: "6465551000", Duration: i % 300, Endpoint: "0010492e1234",
			ID: strconv.Itoa(66517 + i/5), State: states[i%len(states)],
		}}}}
		b = r.AppendXML(b)
	}
	return b
}

// BenchmarkDecodeStream decodes a packed stream of call events in memory.
func BenchmarkDecodeStream(b *testing.B) {
	const n = 1000
	stream := benchDocs(n)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	events := 0
	for b.Loop() {
		dec := transport.NewResponseDecoder(bytes.NewReader(stream), 0)
		for {
			r, err := dec.Next()
			if err != nil {
				if err != io.EOF {
					b.Fatal(err)
				}
				break
			}
			events += len(r.Result.Items)
		}
	}
	if events != n*b.N {
		b.Fatalf("decoded %d events, want %d", events, n*b.N)
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStreamEvents measures events from the simulator to the Events
// channel over loopback: 100 calls per burst, one chunk each.
func BenchmarkStreamEvents(b *testing.B) {
	r := newRig(b)
	s := r.live(b)
	burst := make([]transport.Call, 100)
	for i := range burst {
		burst[i] = transport.Call{ID: "9" + strconv.Itoa(i), Ani: "6465551234", State: "RINGING"}
	}
	events := 0
	for b.Loop() {
		r.sim.Burst(did, burst...)
		for range burst {
			ev := <-s.Events()
			if ev.Kind != transport.EventCall {
				b.Fatalf("unexpected %+v", ev)
			}
			events++
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRoundTrip measures one command's round trip on the stream over
// loopback (a resume of an unknown call: a full reply, no state change).
func BenchmarkRoundTrip(b *testing.B) {
	r := newRig(b)
	s := r.live(b)
	go func() {
		for range s.Events() {
		}
	}()
	benchRoundTrips(b, s.Resume)
}

// BenchmarkRoundTripGET is the same command as one HTTP GET each.
func BenchmarkRoundTripGET(b *testing.B) {
	r := newRig(b)
	c, err := transport.NewClient(r.acct)
	if err != nil {
		b.Fatal(err)
	}
	benchRoundTrips(b, c.Resume)
}

func benchRoundTrips(b *testing.B, resume func(context.Context, string) error) {
	ctx := context.Background()
	lat := make([]time.Duration, 0, 1<<16)
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		err := resume(ctx, "424242")
		lat = append(lat, time.Since(t0))
		if !errors.Is(err, transport.ErrNotApplied) {
			b.Fatal(err)
		}
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkRoundTripParallel keeps many commands in flight on one stream.
func BenchmarkRoundTripParallel(b *testing.B) {
	r := newRig(b)
	s := r.live(b)
	go func() {
		for range s.Events() {
		}
	}()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.Resume(context.Background(), "424242"); !errors.Is(err, transport.ErrNotApplied) {
				b.Error(err)
				return
			}
		}
	})
}
