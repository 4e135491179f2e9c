package tui

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// TestEndToEndDesk: a missed call from a contact is stored under the
// contact's name, shows in History, and is called back through the real
// stream; dial-by-name reaches the simulator with the contact's number.
func TestEndToEndDesk(t *testing.T) {
	const did, pin = "6465550100", "2468"
	rec := &memRecords{}
	pr, srv, _ := startEndToEnd(t, did, pin, Options{Records: rec, Directory: testDirectory(t)})
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
	pr.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
