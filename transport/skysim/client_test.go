package skysim

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// The project's own transport against the simulator: the stream through a
// drop and a forced unsubscription, and the GET client.
func TestTransportClientsAgainstTheSimulator(t *testing.T) {
	f := newFixture(t)
	acct := transport.Account{Server: f.url, User: testDID, PIN: transport.Secret(testPIN)}
	st, err := transport.NewStream(acct, transport.WithBackoff(10*time.Millisecond, 50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runDone := make(chan error, 1)
	go func() { runDone <- st.Run(ctx) }()

	// nextCall waits for a call event matching want, skipping the rest.
	nextCall := func(want func(transport.Call) bool) transport.Call {
		t.Helper()
		for {
			select {
			case ev := <-st.Events():
				if ev.Kind == transport.EventCall && want(ev.Call) {
					return ev.Call
				}
			case <-ctx.Done():
				t.Fatal("timed out waiting for a call event")
			}
		}
	}
	if err := f.srv.WaitSubscribed(ctx, testDID, 1); err != nil {
		t.Fatal(err)
	}
	id := f.srv.Ring(testDID, "16465551234", nil)
	nextCall(func(c transport.Call) bool { return c.ID == id && c.State == StateRinging })
	if err := st.Answer(ctx, ""); err != nil {
		t.Fatal(err)
	}
	nextCall(func(c transport.Call) bool { return c.ID == id && c.State == StateConnected })
	if err := st.Resume(ctx, id); !errors.Is(err, transport.ErrNotApplied) {
		t.Fatalf("resume of a connected call: %v", err)
	}

	// A dropped connection: the stream comes back and resubscribes.
	f.srv.DropConnections(testDID)
	for live := false; !live; {
		select {
		case ev := <-st.Events():
			live = ev.Kind == transport.EventConn && ev.Conn.Status == transport.ConnLive
		case <-ctx.Done():
			t.Fatal("the stream did not come back")
		}
	}
	if s := f.srv.Stats(); s.Streams < 2 || s.Subscribers[testDID] != 1 {
		t.Fatalf("after reconnecting: %+v", s)
	}
	if err := st.Hold(ctx, id); err != nil {
		t.Fatal(err)
	}
	nextCall(func(c transport.Call) bool { return c.ID == id && c.State == StateHolding })

	// Error 17: subscribe again on the same stream.
	subs := f.srv.Stats().Subscribes
	f.srv.InjectError(testDID, 17, "")
	if err := f.srv.WaitFor(ctx, func(s Stats) bool { return s.Subscribes > subs && s.Subscribers[testDID] == 1 }); err != nil {
		t.Fatal(err)
	}
	f.srv.SetState(testDID, id, StateDeleted)
	nextCall(func(c transport.Call) bool { return c.ID == id && c.State == StateDeleted })

	// The GET client.
	cl, err := transport.NewClient(acct)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Dial(ctx, "6465551234"); err != nil {
		t.Fatal(err)
	}
	calls, err := cl.ListCalls(ctx)
	if err != nil || len(calls) != 1 || calls[0].State != StatePending {
		t.Fatalf("listCalls %+v %v", calls, err)
	}
	bad, _ := transport.NewClient(transport.Account{Server: f.url, User: testDID, PIN: "0000"})
	if err := bad.Hold(ctx, ""); !errors.Is(err, transport.ErrAuth) {
		t.Fatalf("wrong PIN: %v", err)
	}
	f.srv.SetLoggedIn(testDID, false)
	if err := cl.Hold(ctx, ""); !errors.Is(err, transport.ErrPhoneNotLoggedIn) {
		t.Fatalf("logged out: %v", err)
	}

	cancel()
	select {
	case <-runDone:
	case <-time.After(wait):
		t.Fatal("Run did not return")
	}
}
