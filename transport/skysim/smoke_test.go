package skysim

import (
	"testing"

	"github.com/frontdesk/frontdesk/transport"
)

func TestStreamSmoke(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "1")
	id := f.srv.Ring(testDID, "16465551234", strp(testDID))
	c := eventCall(t, s.next(), "1")
	if c.ID != id || c.State != StateRinging || c.CLID == nil || *c.CLID != testDID {
		t.Fatalf("ring event %+v", c)
	}
	s.send(transport.CmdAnswer, testDID, testPIN, "2", "", "")
	if !boolResult(t, s.next()) {
		t.Fatal("answer: false")
	}
	if c := eventCall(t, s.next(), "1"); c.State != StateConnected {
		t.Fatalf("answer event %+v", c)
	}
	s.closeBody()
	if err := s.expectEnd(); err != nil {
		t.Fatal(err)
	}
}
