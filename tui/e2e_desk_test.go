package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
	"github.com/frontdesk/frontdesk/transport/skysim"
)

// TestEndToEndDesk: a missed call from a contact is stored under the
// contact's name, shows in History, and is called back through the real
// stream; dial-by-name reaches the simulator with the contact's number.
func TestEndToEndDesk(t *testing.T) {
	const did, pin = "6465550100", "2468"
	srv := skysim.New(skysim.Config{Accounts: []skysim.Account{{DID: did, PIN: pin}}, DialConnectDelay: -1})
	url, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	stream, err := transport.NewStream(transport.Account{Server: url, User: did, PIN: transport.Secret(pin)},
		transport.WithBackoff(10*time.Millisecond, 200*time.Millisecond))
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

	rec := &memRecords{}
	p := &probe{Model: New(Options{Phone: stream, Account: did, Records: rec, Directory: testDirectory(t)})}
	tm := teatest.NewTestModel(t, p, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.ASCII)))
	pr := &program{t: t, tm: tm, p: p}
	t.Cleanup(func() { _ = tm.Quit() })
	pr.waitFor("● live")

	id := srv.Ring(did, "16465550142", nil)
	pr.waitFor("☎ ringing", "Ada Whitfield (Client")
	srv.SetState(did, id, "DELETED")
	pr.waitFor("1 missed")
	calls, _ := rec.Calls(CallQuery{Missed: true})
	if len(calls) != 1 || calls[0].Name != "Ada Whitfield" || calls[0].Entry.Outcome != model.OutcomeMissed {
		t.Fatalf("stored %+v", calls)
	}

	pr.key("tab")
	pr.waitFor("HISTORY", "✗ missed", "Ada Whitfield")
	pr.key("c")
	pr.waitFor("Call back Ada Whitfield on (646) 555-0142?")
	pr.key("enter")
	pr.waitFor("✓ Dialled Ada Whitfield")

	pr.key("D") // in History, / searches the history; D opens the directory
	pr.waitFor("Find:")
	pr.tm.Type("priya")
	pr.waitFor("Priya Raman")
	pr.key("enter")
	pr.waitFor("✓ Dialled Priya Raman")

	var dials []string
	for _, r := range srv.Stats().Log {
		if r.Name == transport.CmdDial && len(r.Args) > 0 {
			dials = append(dials, r.Args[0])
		}
	}
	if len(dials) != 2 || dials[0] != "16465550142" || dials[1] != "9175550123" {
		t.Fatalf("server saw dials %v", dials)
	}
	pr.key("q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
