package tui

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/transport"
)

// twoLines is a harness for a console of two lines, Acme and Lee, each
// with its own fake phone.
func twoLines(t *testing.T, mod ...func(*Options)) (*harness, *fakePhone, *fakePhone) {
	t.Helper()
	acme, lee := newFakePhone(), newFakePhone()
	close(acme.events)
	close(lee.events)
	h := newHarness(t, 120, 24, append([]func(*Options){func(o *Options) {
		o.Lines = []Line{
			{Name: "acme", DID: "2125550100", Naming: model.Naming{Label: "Acme Dental", Greeting: "Good morning, Acme Dental"}, Phone: acme},
			{Name: "lee", DID: "2125550200", Naming: model.Naming{Label: "Lee & Co"}, Phone: lee},
		}
		o.Numbers = model.NewNumbers([]model.DialledNumber{{Number: "(212) 555-0000", Naming: model.Naming{Label: "Acme Ortho", Greeting: "Acme Orthodontics"}}})
	}}, mod...)...)
	for i := range 2 {
		h.send(eventMsg{i, transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnLive}}})
		h.send(eventMsg{i, transport.Event{Kind: transport.EventSnapshot}})
	}
	return h, acme, lee
}

func TestDialAsksWhichLine(t *testing.T) {
	h, acme, lee := twoLines(t)
	h.key("d")
	h.wantScreen("tab chooses the line to dial from")
	h.typeText("2125550199")
	h.key("enter")
	// Nothing is dialled until a line is chosen, and the number stays.
	h.wantScreen("which line? tab chooses the line to dial from")
	if len(acme.sent())+len(lee.sent()) != 0 {
		t.Fatalf("dialled before a line was chosen: %v %v", acme.sent(), lee.sent())
	}
	h.key("tab")
	h.wantScreen("from Acme Dental (tab changes)")
	h.key("tab")
	h.wantScreen("from Lee & Co (tab changes)")
	h.key("enter")
	if got := lee.sent(); len(got) != 1 || got[0] != (phoneCmd{"dial", "2125550199"}) || len(acme.sent()) != 0 {
		t.Fatalf("dialled on Acme %v, Lee %v; want Lee only", acme.sent(), lee.sent())
	}
}

func TestDialLineSetsTheDefault(t *testing.T) {
	h, acme, lee := twoLines(t, func(o *Options) { o.DialLine = "acme" })
	h.key("d")
	h.wantScreen("from Acme Dental (tab changes)")
	h.typeText("2125550199")
	h.key("enter")
	if got := acme.sent(); len(got) != 1 || got[0] != (phoneCmd{"dial", "2125550199"}) || len(lee.sent()) != 0 {
		t.Fatalf("dialled on Acme %v, Lee %v; want Acme only", acme.sent(), lee.sent())
	}
}

func TestLinesHeaderLabelsAndGreeting(t *testing.T) {
	h, acme, lee := twoLines(t)
	h.send(eventMsg{1, transport.Event{Kind: transport.EventConn, Conn: transport.ConnState{Status: transport.ConnReconnecting, Err: transport.ErrAuth}}})
	h.wantScreen("Acme Dental ● live")
	h.wantScreen("Lee & Co ✗ DID or PIN refused")
	// The same call Id on both lines: two calls, each labelled, the one to
	// the orthodontist's number by that number's label.
	ortho := "2125550000"
	h.send(eventMsg{0, transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: "7", Ani: "6465550101", CLID: &ortho, State: "RINGING"}}})
	h.clock.Advance(2 * time.Second)
	h.send(eventMsg{1, transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: "7", Ani: "6465550102", State: "RINGING"}}})
	h.wantScreen("Acme Ortho")
	h.wantScreen("Lee & Co")
	h.wantScreen("space ☎ Acme Ortho: “Acme Orthodontics”")
	h.key("space")
	if got := acme.sent(); len(got) != 1 || got[0] != (phoneCmd{"answer", "7"}) || len(lee.sent()) != 0 {
		t.Fatalf("answered on Acme %v, Lee %v; want Acme's call 7 only", acme.sent(), lee.sent())
	}
	h.wantScreen("✓ answered · Acme Ortho: “Acme Orthodontics”")
	h.send(eventMsg{0, transport.Event{Kind: transport.EventCall, Call: transport.Call{ID: "7", Ani: "6465550101", CLID: &ortho, State: "CONNECTED"}}})
	// It stays a few seconds, then goes; Lee's caller is greeted next, by
	// the line's label alone (Lee has no greeting).
	h.clock.Advance(greetStay - time.Second)
	h.send(tickMsg{gen: h.m.tickGen})
	h.wantScreen("✓ answered · Acme Ortho")
	h.clock.Advance(2 * time.Second)
	h.send(tickMsg{gen: h.m.tickGen})
	h.wantNoScreen("Acme Orthodontics")
}
