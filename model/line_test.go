package model

import "testing"

func TestNumbersMatchOnDigits(t *testing.T) {
	acme := Naming{Label: "Acme Dental", Greeting: "Good morning, Acme Dental"}
	law := Naming{Label: "Lee & Co"}
	n := NewNumbers([]DialledNumber{
		{Number: "(212) 555-0000", Naming: acme},
		{Number: "+1 212 555 0001", Naming: law},
		{Number: "+44 20 7946 0000", Naming: Naming{Label: "London"}},
	})
	phone := Naming{Label: "front", Greeting: "Hello, front desk"}
	for _, tc := range []struct {
		dialled string
		want    Naming
	}{
		{"2125550000", acme},
		{"12125550000", acme},
		{"+1 (212) 555-0000", acme},
		// A number without its own greeting takes the phone's.
		{"2125550001", Naming{Label: "Lee & Co", Greeting: "Hello, front desk"}},
		{"011442079460000", Naming{Label: "London", Greeting: "Hello, front desk"}},
		{"2125550002", phone},
		{"", phone},
		{"unknown", phone},
	} {
		if got := n.For(tc.dialled, phone); got != tc.want {
			t.Errorf("For(%q) = %+v, want %+v", tc.dialled, got, tc.want)
		}
	}
	var none *Numbers
	if got := none.For("2125550000", phone); got != phone || none.Len() != 0 {
		t.Errorf("nil Numbers: %+v", got)
	}
}

func TestDialledIsCLIDThenDID(t *testing.T) {
	if got := Dialled("2125550000", true, "6465551000"); got != "2125550000" {
		t.Errorf("with CLID: %q", got)
	}
	if got := Dialled("", false, "6465551000"); got != "6465551000" {
		t.Errorf("without CLID: %q", got)
	}
	if got := Dialled("  ", true, "6465551000"); got != "6465551000" {
		t.Errorf("blank CLID: %q", got)
	}
}

func TestLinesShareTheTable(t *testing.T) {
	tb := NewTable()
	ring := func(line, id string, sec int) {
		u := in(id, "RINGING")
		u.Line = line
		tb.Apply(u, at(sec))
	}
	// Two phones number their calls alike: the same Id on two lines is two
	// calls.
	ring("front", "1", 0)
	ring("lobby", "1", 5)
	ring("lobby", "2", 10)
	if tb.Len() != 3 {
		t.Fatalf("%d calls, want 3", tb.Len())
	}
	key, err := tb.Target("", ActAnswer)
	if err != nil || key != Key("front", "1") {
		t.Fatalf("longest ringing across lines: %q, %v", key, err)
	}
	c, ok := tb.Get(Key("lobby", "1"))
	if !ok || c.Line != "lobby" || c.ID != "1" || c.Key() != Key("lobby", "1") {
		t.Fatalf("lobby's call 1: %+v %v", c, ok)
	}

	// A snapshot of one line ends only that line's unlisted calls.
	tb.Reconcile("lobby", []Update{in("2", "RINGING")}, at(20))
	if _, ok := tb.Get(Key("front", "1")); !ok {
		t.Fatal("front's call ended by lobby's snapshot")
	}
	if _, ok := tb.Get(Key("lobby", "1")); ok {
		t.Fatal("lobby's unlisted call still live")
	}
	ended := tb.Ended()
	if len(ended) != 1 || ended[0].Line != "lobby" || ended[0].CallID != "1" {
		t.Fatalf("ended: %+v", ended)
	}
	// The DELETED of one line's call leaves the other line's call of that Id.
	del := in("1", "DELETED")
	del.Line = "front"
	tb.Apply(del, at(30))
	ring("lobby", "1", 31)
	if _, ok := tb.Get(Key("lobby", "1")); !ok {
		t.Fatal("a new ring on lobby with front's ended Id")
	}
	up := in("1", "CONNECTED")
	up.Line = "front"
	if tb.Apply(up, at(32)) {
		t.Fatal("a late event for front's ended call brought it back")
	}
}

func TestLineLabelIsNumberThenPhoneThenDID(t *testing.T) {
	n := NewNumbers([]DialledNumber{{Number: "(212) 555-0000", Naming: Naming{Label: "Acme Ortho"}}})
	phone := Naming{Label: "Acme Dental"}
	for _, tc := range []struct {
		e     CallRecord
		phone Naming
		want  string
	}{
		{CallRecord{DID: "2125550100"}, phone, "Acme Dental"},
		{CallRecord{DID: "2125550000"}, phone, "Acme Ortho"},
		{CallRecord{CLID: "2125550000", HasCLID: true, DID: "2125550100"}, phone, "Acme Ortho"},
		{CallRecord{DID: "9175550000"}, Naming{}, "(917) 555-0000"},
		{CallRecord{DID: "9175550000"}, Naming{Label: "Acme\x1b[2J"}, "Acme"},
	} {
		if got := n.LineLabel(tc.e, tc.phone); got != tc.want {
			t.Errorf("LineLabel(%+v, %q) = %q, want %q", tc.e, tc.phone.Label, got, tc.want)
		}
	}
	var none *Numbers
	if got := none.LineLabel(CallRecord{DID: "2125550000"}, Naming{}); got != "(212) 555-0000" {
		t.Errorf("no numbers: LineLabel = %q", got)
	}
}
