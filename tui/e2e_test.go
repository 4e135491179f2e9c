package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// TestEndToEnd runs the console in a real program against the simulator
// over loopback, through the real stream: every action must reach the
// server naming the right call.
func TestEndToEnd(t *testing.T) {
	const did, pin = "6465550100", "2468"
	pr, srv, ctx := startEndToEnd(t, did, pin, Options{})

	pr.waitFor("● live")
	if strings.Contains(ansi.Strip(pr.p.current()), pin) {
		t.Fatal("the PIN is on screen")
	}

	waitServer := func(what string, cond func([]transport.Call) bool) {
		t.Helper()
		wctx, wcancel := context.WithTimeout(ctx, 5*time.Second)
		defer wcancel()
		if err := srv.WaitCalls(wctx, did, cond); err != nil {
			t.Fatalf("server never saw %s: %v (calls %+v)", what, err, srv.Calls(did))
		}
	}
	state := func(id, want string) func([]transport.Call) bool {
		return func(calls []transport.Call) bool {
			for _, c := range calls {
				if c.ID == id {
					return c.State == want
				}
			}
			return want == "gone"
		}
	}

	// A second call, already connected, so the actions must pick the
	// right one by Id rather than by luck.
	other := srv.Ring(did, "3125550111", nil)
	pr.waitRow("☎ ringing", "(312) 555-0111")
	pr.key("a")
	waitServer("the first call answered", state(other, "CONNECTED"))
	pr.waitRow("● connected", "(312) 555-0111")

	id := srv.Ring(did, "16465551234", nil)
	pr.waitRow("☎ ringing", "(646) 555-1234")

	// The answered call keeps the selection; answering it again is refused
	// without a command, and the ringing call is at the top.
	pr.key("a")
	pr.waitFor("is already connected")
	pr.key("g")
	pr.key("a")
	waitServer("answer", state(id, "CONNECTED"))
	// The reply to answer can arrive before the CONNECTED event; a key is
	// pressed only once the console shows the state it acts on.
	pr.waitFor("✓ Answered (646) 555-1234")
	pr.waitRow("● connected", "(646) 555-1234")

	pr.key("h")
	waitServer("hold", state(id, "HOLDING"))
	pr.waitRow("‖ on hold", "(646) 555-1234")
	pr.waitFor("h/F3 resume")

	pr.key("h")
	waitServer("resume", state(id, "CONNECTED"))
	pr.waitFor("✓ Resumed (646) 555-1234")
	pr.waitRow("● connected", "(646) 555-1234")

	pr.key("r")
	waitServer("release", state(id, "gone"))
	pr.waitFor("✓ Hung up (646) 555-1234")

	pr.key("d")
	pr.waitFor("Dial:")
	pr.tm.Type("(212) 555-0199")
	pr.waitFor("→ (212) 555-0199")
	pr.key("enter")
	waitServer("dial", func(calls []transport.Call) bool {
		for _, c := range calls {
			if c.Ani == "2125550199" && c.State == "PENDING" {
				return true
			}
		}
		return false
	})
	pr.waitFor("→ dialling", "(212) 555-0199")

	want := []struct{ name, arg string }{
		{transport.CmdAnswer, other},
		{transport.CmdAnswer, id},
		{transport.CmdHold, id},
		{transport.CmdResume, id},
		{transport.CmdRelease, id},
		{transport.CmdDial, "2125550199"},
	}
	var got []skysim.CommandRecord
	for _, r := range srv.Stats().Log {
		switch r.Name {
		case transport.CmdSubscribe, transport.CmdListCalls:
			continue
		}
		got = append(got, r)
	}
	if len(got) != len(want) {
		t.Fatalf("server saw %d commands, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		r := got[i]
		if r.Name != w.name || len(r.Args) == 0 || r.Args[0] != w.arg {
			t.Errorf("command %d: %s %v, want %s [%s …]", i, r.Name, r.Args, w.name, w.arg)
		}
		if r.Transport != "POST" || r.Error != 0 {
			t.Errorf("command %d: via %s, error %d", i, r.Transport, r.Error)
		}
	}

	// A caller is still connected: quitting asks first.
	pr.key("q")
	pr.waitFor("1 call on hold — quit anyway? y/N")
	pr.key("y")
	pr.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// startEndToEnd starts the simulator with one account, whose dialled calls
// stay PENDING, the real stream to it over loopback and the console on that
// stream with opts in a real program. It returns the program, the simulator
// and a context cancelled as the test ends; the test's cleanup quits the
// console, stops the stream and closes the simulator. before, when given,
// runs once the simulator is up and before the console starts.
func startEndToEnd(t *testing.T, did, pin string, opts Options, before ...func(*skysim.Server)) (*program, *skysim.Server, context.Context) {
	t.Helper()
	srv, acct := startSim(t, did, pin)
	for _, f := range before {
		f(srv)
	}
	pr, ctx := startConsoleOn(t, acct, opts)
	return pr, srv, ctx
}

// startSim starts the simulator with one account, whose dialled calls stay
// PENDING, until the test ends.
func startSim(t *testing.T, did, pin string) (*skysim.Server, transport.Account) {
	t.Helper()
	srv := skysim.New(skysim.Config{
		Accounts:         []skysim.Account{{DID: did, PIN: pin}},
		DialConnectDelay: -1, // a dialled call stays PENDING
	})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, transport.Account{Server: url, User: did, PIN: transport.Secret(pin)}
}

// startConsoleOn runs the real stream for acct, with a fast backoff and
// sopts, and the console on it with opts in a real program.
func startConsoleOn(t *testing.T, acct transport.Account, opts Options, sopts ...transport.StreamOption) (*program, context.Context) {
	t.Helper()
	stream, err := transport.NewStream(acct, append([]transport.StreamOption{transport.WithBackoff(10*time.Millisecond, 200*time.Millisecond)}, sopts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan error, 1)
	go func() { runDone <- stream.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		// The console has quit by now: nothing else reads the events.
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			for {
				select {
				case <-stream.Events():
				case <-stop:
					return
				}
			}
		}()
		select {
		case <-runDone:
		case <-time.After(5 * time.Second):
			t.Error("stream did not stop")
		}
	})

	opts.Phone, opts.Account = stream, acct.User
	p := &probe{Model: New(opts)}
	tm := teatest.NewTestModel(t, p,
		teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)),
	)
	pr := &program{t: t, tm: tm, p: p}
	t.Cleanup(func() { _ = tm.Quit() })
	return pr, ctx
}
