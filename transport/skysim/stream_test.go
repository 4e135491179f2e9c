package skysim

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

func TestContentLengthBody(t *testing.T) {
	f := newFixture(t)
	f.srv.Ring(testDID, "2125550101", nil)
	body := bytes.Join([][]byte{
		cmdDoc(transport.CmdSubscribe, testDID, testPIN, "1"),
		cmdDoc(transport.CmdListCalls, testDID, testPIN, "2", ""),
		cmdDoc(transport.CmdAnswer, testDID, testPIN, "3", "", ""),
	}, nil)
	s := openStreamHeader(t, f.url, "Content-Length: "+strconv.Itoa(len(body))+"\r\n", body)
	if r := s.next(); r.ID != "1" || r.Result.Text != "0" {
		t.Fatalf("subscribe: %+v", r)
	}
	if r := s.next(); r.ID != "2" || len(r.Result.Items) != 1 {
		t.Fatalf("listCalls: %+v", r)
	}
	if r := s.next(); r.ID != "3" || !boolResult(t, r) {
		t.Fatalf("answer: %+v", r)
	}
	if c := eventCall(t, s.next(), "1"); c.State != StateConnected {
		t.Fatalf("answer event: %+v", c)
	}
	// The body is complete, so the session is over: the subscription does
	// not outlive it and the response ends cleanly.
	if err := s.expectEnd(); err != nil {
		t.Fatalf("end: %v", err)
	}
	if len(s.buf) != 0 {
		t.Fatalf("more after the replies: %q", s.buf)
	}
	if st := f.srv.Stats(); st.Subscribers[testDID] != 0 {
		t.Fatalf("subscription outlived the session: %+v", st.Subscribers)
	}
}

func TestDocumentsSplitAndPackedAcrossChunks(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	var all []byte
	for i := 1; i <= 4; i++ {
		all = append(all, cmdDoc(transport.CmdHold, testDID, testPIN, strconv.Itoa(i), "")...)
	}
	// Document 1 byte by byte, 2 and 3 and the start of 4 in one chunk, the
	// rest of 4 in another.
	one := len(cmdDoc(transport.CmdHold, testDID, testPIN, "1", ""))
	for i := 0; i < one; i++ {
		s.chunk(all[i : i+1])
	}
	rest := all[one:]
	cut := len(rest) - 20
	s.chunk(rest[:cut])
	s.chunk(rest[cut:])
	for i := 1; i <= 4; i++ {
		if r := s.next(); r.ID != strconv.Itoa(i) || boolResult(t, r) {
			t.Fatalf("reply %d: %+v", i, r)
		}
	}
}

func TestDocumentVariants(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	cred := "<User>" + testDID + "</User><Password>" + testPIN + "</Password>"
	docs := []string{
		// no declaration, no whitespace
		"<Command><Name>" + transport.CmdListCalls + "</Name>" + cred + "<Arguments></Arguments><Id>1</Id></Command>",
		// single-quoted declaration, lots of whitespace, CRLF
		"\r\n\r\n  <?xml version='1.0' encoding='UTF-8' standalone='yes'?>\r\n<Command>\r\n\t<Name>\r\n" + transport.CmdListCalls + "\r\n</Name>\r\n" + cred + "\r\n<Arguments/>\r\n<Id> 2 </Id>\r\n</Command>\r\n\r\n",
		// self-closing blank argument, arguments without xsi attributes
		"<Command><Name>" + transport.CmdAnswer + "</Name>" + cred + "<Arguments/><Arguments></Arguments><Id>3</Id></Command>",
		// a byte order mark
		"\xef\xbb\xbf<Command><Name>" + transport.CmdIgnore + "</Name>" + cred + "<Arguments/><Id>4</Id></Command>",
	}
	s.chunk([]byte(strings.Join(docs, "")))
	for i := 1; i <= 4; i++ {
		r := s.next()
		if r.ID != strconv.Itoa(i) || r.ErrorCount != 0 {
			t.Fatalf("reply %d: %+v", i, r)
		}
	}
}

var numericID = regexp.MustCompile(`^[0-9]+$`)

func TestMissingIDGetsARandomOne(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.send(transport.CmdListCalls, testDID, testPIN, "", "")
	s.send(transport.CmdListCalls, testDID, testPIN, "", "")
	a, b := s.next(), s.next()
	if !numericID.MatchString(a.ID) || !numericID.MatchString(b.ID) || a.ID == b.ID {
		t.Fatalf("ids %q %q", a.ID, b.ID)
	}
	if a.ErrorCount != 0 || localType(a.Result.Type) != transport.TypeXMLList {
		t.Fatalf("reply %+v", a)
	}
	// The command log keeps what was received: no Id.
	if log := f.srv.Stats().Log; len(log) != 2 || log[0].ID != "" {
		t.Fatalf("log %+v", log)
	}
	// Subscribing without an Id: events carry the Id the reply gave.
	s.send(transport.CmdSubscribe, testDID, testPIN, "")
	sub := s.next()
	if err := f.srv.WaitSubscribed(ctxT(t), testDID, 1); err != nil {
		t.Fatal(err)
	}
	f.srv.Ring(testDID, "2125550101", nil)
	eventCall(t, s.next(), sub.ID)
}

func TestMalformedDocuments(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	good := func(id string) []byte { return cmdDoc(transport.CmdHold, testDID, testPIN, id, "") }
	cases := []struct {
		what string
		doc  []byte
		why  string
	}{
		{"mismatched tag", []byte("<Command><Name>x</Nme></Command>"), "element <Name> closed by </Nme>"},
		{"wrong root", []byte("<Request><Name>x</Name></Request>"), "expected element type <Command> but have <Request>"},
		{"text before the document", []byte("hello <Command><Name>x</Name></Command>"), "content is not allowed in prolog"},
		{"bad declaration", []byte(`<?xml version="2.0"?><Command><Name>x</Name></Command>`), "unsupported version"},
		{"unquoted attribute", []byte(`<Command><Arguments a=b>1</Arguments></Command>`), "unquoted or missing attribute value"},
	}
	for i, tc := range cases {
		t.Run(tc.what, func(t *testing.T) {
			id := strconv.Itoa(i + 1)
			// The malformed document and a good one in one chunk: the bad
			// one gets error 19, the good one is still run.
			s.chunk(append(append([]byte{}, tc.doc...), good(id)...))
			r := s.next()
			code, msg := errorOf(t, r)
			if code != 19 || !strings.HasPrefix(msg, "Failed to unmarshall XML: ") || !strings.Contains(msg, tc.why) {
				t.Fatalf("error %d %q, want 19 mentioning %q", code, msg, tc.why)
			}
			if !numericID.MatchString(r.ID) {
				t.Fatalf("error Id %q", r.ID)
			}
			if r := s.next(); r.ID != id {
				t.Fatalf("good document after the bad one: %+v", r)
			}
		})
	}
	t.Run("malformed document split across chunks", func(t *testing.T) {
		bad := []byte("<Command><Name>x</Nme><User>1</User><Password>2</Password><Id>5</Id></Command>")
		s.chunk(bad[:25])
		s.chunk(bad[25:])
		s.chunk(good("90"))
		if code, _ := errorOf(t, s.next()); code != 19 {
			t.Fatalf("code %d", code)
		}
		if r := s.next(); r.ID != "90" {
			t.Fatalf("after: %+v", r)
		}
	})
	t.Run("unfinished document at the end of the body", func(t *testing.T) {
		s.chunk([]byte("<Command><Name>"))
		s.closeBody()
		code, msg := errorOf(t, s.next())
		if code != 19 || msg != "Failed to unmarshall XML: premature end of file" {
			t.Fatalf("%d %q", code, msg)
		}
		if err := s.expectEnd(); err != nil {
			t.Fatal(err)
		}
	})
	if st := f.srv.Stats(); st.Errors[19] != len(cases)+2 {
		t.Fatalf("errors %v", st.Errors)
	}
}

func TestZeroLengthChunkEndsTheSession(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "1")
	s.send(transport.CmdListCalls, testDID, testPIN, "2", "")
	s.closeBody()
	// Anything after the zero-length chunk is not part of the session.
	s.send(transport.CmdDial, testDID, testPIN, "3", "1234", "")
	if r := s.next(); r.ID != "2" {
		t.Fatalf("listCalls %+v", r)
	}
	if err := s.expectEnd(); err != nil {
		t.Fatalf("end: %v", err)
	}
	if err := f.srv.WaitFor(ctxT(t), func(st Stats) bool { return st.OpenStreams == 0 }); err != nil {
		t.Fatal(err)
	}
	if st := f.srv.Stats(); st.Commands[transport.CmdDial] != 0 || st.Subscribers[testDID] != 0 {
		t.Fatalf("stats after the session: %+v", st)
	}
	if len(f.srv.Calls(testDID)) != 0 {
		t.Fatal("the command after the end ran")
	}
}

func TestEventsGoToEverySubscriberOfTheDID(t *testing.T) {
	f := newFixture(t)
	a, b, o := openStream(t, f.url), openStream(t, f.url), openStream(t, f.url)
	a.subscribe(f, testDID, testPIN, "10")
	b.subscribe(f, testDID, testPIN, "20")
	o.subscribe(f, otherDID, otherPIN, "30")
	id := f.srv.Ring(testDID, "2125550101", nil)
	for _, x := range []struct {
		s   *stream
		sub string
	}{{a, "10"}, {b, "20"}} {
		if c := eventCall(t, x.s.next(), x.sub); c.ID != id || c.State != StateRinging || c.DID != testDID || c.Originated {
			t.Fatalf("event %+v", c)
		}
	}
	// A command from stream a changes the call: a gets the reply first,
	// then the event; b gets the event.
	a.send(transport.CmdIgnore, testDID, testPIN, "11", id)
	if !boolResult(t, a.next()) {
		t.Fatal("ignore false")
	}
	if c := eventCall(t, a.next(), "10"); c.State != StateDeleted {
		t.Fatalf("a: %+v", c)
	}
	if c := eventCall(t, b.next(), "20"); c.State != StateDeleted {
		t.Fatalf("b: %+v", c)
	}
	o.quiet(50 * time.Millisecond)
	if len(f.srv.Calls(testDID)) != 0 {
		t.Fatal("deleted call still listed")
	}
	// A GET command's changes reach the stream subscribers too.
	r, _ := get(t, f.url, transport.CmdDial, otherDID, otherPIN, "6465551234", "")
	boolResult(t, r)
	if c := eventCall(t, o.next(), "30"); c.State != StatePending || !c.Originated || c.DID != otherDID {
		t.Fatalf("o: %+v", c)
	}
	f.clock.Advance(2 * time.Second)
	if c := eventCall(t, o.next(), "30"); c.State != StateConnected {
		t.Fatalf("o: %+v", c)
	}
}

func TestSubscribeTwiceMovesTheSubscriptionId(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "1")
	s.send(transport.CmdSubscribe, testDID, testPIN, "2")
	if r := s.next(); r.ID != "2" {
		t.Fatalf("%+v", r)
	}
	f.srv.Ring(testDID, "1234", nil)
	eventCall(t, s.next(), "2")
	s.quiet(30 * time.Millisecond)
	if st := f.srv.Stats(); st.Subscribes != 2 || st.Subscribers[testDID] != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestBurstIsOneChunk(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "1")
	calls := []transport.Call{
		{Ani: "2125550101", ID: "70001", Originated: false, State: StatePending},
		{Ani: "2125550101", ID: "70001", Originated: false, State: StateConnected, Duration: 1},
		{Ani: "2125550101", ID: "70001", Originated: false, State: StateDeleted, Duration: 1},
	}
	f.srv.Burst(testDID, calls...)
	chunk, ok := s.nextChunk()
	if !ok {
		t.Fatal("ended")
	}
	if n := bytes.Count(chunk, docEnd); n != 3 {
		t.Fatalf("chunk holds %d documents: %q", n, chunk)
	}
	s.buf = chunk
	for _, want := range []string{StatePending, StateConnected, StateDeleted} {
		c := eventCall(t, s.next(), "1")
		if c.State != want || c.ID != "70001" || c.DID != testDID || c.Endpoint == "" || c.CLID != nil {
			t.Fatalf("burst event %+v, want %s", c, want)
		}
	}
	if len(f.srv.Calls(testDID)) != 0 {
		t.Fatal("burst left the call listed")
	}
	// A burst that leaves a call up is listed.
	f.srv.Burst(testDID, transport.Call{Ani: "1234", ID: "70002", State: "CONNNECTED", Duration: 12})
	if c := f.srv.Calls(testDID); len(c) != 1 || c[0].State != "CONNNECTED" || c[0].Duration != 12 {
		t.Fatalf("calls %+v", c)
	}
}

func TestSetStateAnyText(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "1")
	id := f.srv.Ring(testDID, "2125550101", nil)
	eventCall(t, s.next(), "1")
	// The guide's misspelling is pushed as spelt; the phone has the call
	// connected, so it can be held.
	f.srv.SetState(testDID, id, "CONNNECTED")
	if c := eventCall(t, s.next(), "1"); c.State != "CONNNECTED" {
		t.Fatalf("%+v", c)
	}
	if c := f.srv.Calls(testDID); len(c) != 1 || c[0].State != StateConnected {
		t.Fatalf("listed %+v", c)
	}
	s.send(transport.CmdHold, testDID, testPIN, "2", id)
	if !boolResult(t, s.next()) {
		t.Fatal("hold of a CONNNECTED call")
	}
	eventCall(t, s.next(), "1")
	// PushState spells a state oddly without changing the call.
	f.srv.PushState(testDID, id, "PARKED")
	if c := eventCall(t, s.next(), "1"); c.State != "PARKED" {
		t.Fatalf("%+v", c)
	}
	if c := f.srv.Calls(testDID); len(c) != 1 || c[0].State != StateHolding {
		t.Fatalf("listed %+v", c)
	}
	// A call in a state the phone does not know cannot be acted on.
	f.srv.SetState(testDID, id, "PARKED")
	eventCall(t, s.next(), "1")
	s.send(transport.CmdResume, testDID, testPIN, "3", id)
	if boolResult(t, s.next()) {
		t.Fatal("resume of a PARKED call")
	}
	f.srv.SetState(testDID, id, StateDeleted)
	if c := eventCall(t, s.next(), "1"); c.State != StateDeleted {
		t.Fatalf("%+v", c)
	}
	if len(f.srv.Calls(testDID)) != 0 {
		t.Fatal("still listed")
	}
	f.srv.SetState(testDID, "nope", StateConnected) // unknown call: nothing
	s.quiet(30 * time.Millisecond)
}

func TestSplitWrites(t *testing.T) {
	f := newFixture(t)
	f.srv.SplitWrites(1)
	s := openStream(t, f.url)
	s.send(transport.CmdListCalls, testDID, testPIN, "1", "")
	doc := s.nextDoc() // reassembled from single-byte chunks
	if r := decode(t, doc); r.ID != "1" {
		t.Fatalf("%+v", r)
	}
	f.srv.SplitWrites(7)
	s.send(transport.CmdHold, testDID, testPIN, "2", "")
	var sizes []int
	for !bytes.Contains(s.buf, docEnd) {
		c, _ := s.nextChunk()
		sizes = append(sizes, len(c))
		s.buf = append(s.buf, c...)
	}
	for i, n := range sizes {
		if n > 7 || (i < len(sizes)-1 && n != 7) {
			t.Fatalf("chunk sizes %v", sizes)
		}
	}
	boolResult(t, s.next())
	f.srv.SplitWrites(0)
	s.send(transport.CmdHold, testDID, testPIN, "3", "")
	c, _ := s.nextChunk()
	if !bytes.HasSuffix(c, docEnd) || !bytes.HasPrefix(c, []byte("<?xml")) {
		t.Fatalf("whole document in one chunk: %q", c)
	}
}

func TestDropConnections(t *testing.T) {
	f := newFixture(t)
	mine, other := openStream(t, f.url), openStream(t, f.url)
	mine.subscribe(f, testDID, testPIN, "1")
	other.subscribe(f, otherDID, otherPIN, "1")
	f.srv.DropConnections(testDID)
	err := mine.expectEnd()
	if err == nil {
		t.Fatal("a dropped stream ended cleanly")
	}
	if err := f.srv.WaitFor(ctxT(t), func(st Stats) bool { return st.OpenStreams == 1 }); err != nil {
		t.Fatal(err)
	}
	// The other DID's stream is untouched and a new stream works.
	other.send(transport.CmdListCalls, otherDID, otherPIN, "2", "")
	if r := other.next(); r.ID != "2" {
		t.Fatalf("%+v", r)
	}
	again := openStream(t, f.url)
	again.subscribe(f, testDID, testPIN, "1")
	f.srv.DropConnections("")
	if again.expectEnd() == nil || other.expectEnd() == nil {
		t.Fatal("clean end after dropping every stream")
	}
	if st := f.srv.Stats(); st.Streams != 3 {
		t.Fatalf("streams %d", st.Streams)
	}
}

func TestInjectError(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "5")
	f.srv.InjectError(testDID, 17, "")
	r := s.next()
	code, msg := errorOf(t, r)
	if r.ID != "5" || code != 17 || msg != MsgUnsubscribed {
		t.Fatalf("%+v", r)
	}
	if err := f.srv.WaitFor(ctxT(t), func(st Stats) bool { return st.Subscribers[testDID] == 0 }); err != nil {
		t.Fatal(err)
	}
	// Unsubscribed: no events until the client subscribes again.
	f.srv.Ring(testDID, "1234", nil)
	s.quiet(50 * time.Millisecond)
	s.subscribe(f, testDID, testPIN, "6")
	f.srv.Ring(testDID, "1235", nil)
	if c := eventCall(t, s.next(), "6"); c.Ani != "1235" {
		t.Fatalf("%+v", c)
	}
	// Another code with a custom message keeps the subscription.
	f.srv.InjectError(testDID, 99, "Something odd")
	if code, msg := errorOf(t, s.next()); code != 99 || msg != "Something odd" {
		t.Fatalf("%d %q", code, msg)
	}
	if f.srv.Stats().Subscribers[testDID] != 1 {
		t.Fatal("subscription lost")
	}
}

func TestSendRaw(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "1")
	raw := []byte("<org.m5.api.v1.Response><ErrorCount>zero</ErrorCount><Id>1</Id><Result")
	f.srv.SendRaw(testDID, raw)
	c, _ := s.nextChunk()
	if !bytes.Equal(c, raw) {
		t.Fatalf("raw chunk %q", c)
	}
}

func TestCloseEndsStreamsPromptly(t *testing.T) {
	f := newFixture(t)
	streams := []*stream{openStream(t, f.url), openStream(t, f.url)}
	streams[0].subscribe(f, testDID, testPIN, "1")
	streams[1].chunk([]byte("<Command><Name>")) // mid-document
	if err := f.srv.WaitFor(ctxT(t), func(st Stats) bool { return st.OpenStreams == 2 }); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := f.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Close took %v", d)
	}
	for _, s := range streams {
		if s.expectEnd() == nil {
			t.Fatal("stream ended cleanly on Close")
		}
	}
	if _, err := http.Get(f.url); err == nil {
		t.Fatal("server still answers after Close")
	}
	if f.srv.Ring(testDID, "1234", nil) != "" {
		t.Fatal("Ring after Close")
	}
	if err := f.srv.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestStatsAndLogNeverHoldThePIN(t *testing.T) {
	f := newFixture(t)
	s := openStream(t, f.url)
	s.subscribe(f, testDID, testPIN, "1")
	s.send(transport.CmdDial, testDID, testPIN, "2", "6465551234", "")
	s.next()
	s.next() // the PENDING event
	s.send(transport.CmdDial, testDID, "wrong-pin-4242", "3", "6465551234", "")
	s.next()
	get(t, f.url, transport.CmdListCalls, testDID, testPIN, "")
	st := f.srv.Stats()
	dump := fmt.Sprintf("%v %+v %#v", st, st, st)
	for _, secret := range []string{testPIN, "wrong-pin-4242"} {
		if strings.Contains(dump, secret) {
			t.Fatalf("stats show a PIN: %s", dump)
		}
	}
	if st.Subscribes != 1 || st.ListCalls != 1 || st.Commands[transport.CmdDial] != 2 || st.Streams != 1 || st.GETs != 1 || st.Connections < 2 {
		t.Fatalf("counts %+v", st)
	}
	want := []CommandRecord{
		{Name: transport.CmdSubscribe, User: testDID, Args: []string{}, ID: "1", Transport: "POST", Stream: 1},
		{Name: transport.CmdDial, User: testDID, Args: []string{"6465551234", ""}, ID: "2", Transport: "POST", Stream: 1},
		{Name: transport.CmdDial, User: testDID, Args: []string{"6465551234", ""}, ID: "3", Transport: "POST", Stream: 1, Error: 5},
		{Name: transport.CmdListCalls, User: testDID, Args: []string{""}, Transport: "GET"},
	}
	if len(st.Log) != len(want) {
		t.Fatalf("log %+v", st.Log)
	}
	for i, w := range want {
		g := st.Log[i]
		g.At = time.Time{}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("log[%d] = %+v, want %+v", i, g, w)
		}
	}
	if s := fmt.Sprintf("%v %#v", Account{DID: testDID, PIN: testPIN}, Config{Accounts: []Account{{DID: testDID, PIN: testPIN}}}); strings.Contains(s, testPIN) {
		t.Fatalf("account shows its PIN: %s", s)
	}
}

// TestStandardHTTPClient drives the stream with net/http's client and a
// pipe for the request body, as a Go client would.
func TestStandardHTTPClient(t *testing.T) {
	f := newFixture(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	req, err := http.NewRequestWithContext(ctxT(t), http.MethodPost, f.url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "text/xml")
	go func() {
		_, _ = pw.Write(cmdDoc(transport.CmdSubscribe, testDID, testPIN, "1"))
	}()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	dec := xml.NewDecoder(resp.Body)
	next := func() transport.Response {
		var r transport.Response
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := next(); r.ID != "1" || r.Result.Text != "0" {
		t.Fatalf("%+v", r)
	}
	if err := f.srv.WaitSubscribed(ctxT(t), testDID, 1); err != nil {
		t.Fatal(err)
	}
	id := f.srv.Ring(testDID, "16465551234", nil)
	if r := next(); r.Result.Items[0].ID != id {
		t.Fatalf("%+v", r)
	}
	if _, err := pw.Write(cmdDoc(transport.CmdAnswer, testDID, testPIN, "2", id, "")); err != nil {
		t.Fatal(err)
	}
	if r := next(); r.ID != "2" || r.Result.Text != "true" {
		t.Fatalf("%+v", r)
	}
	if r := next(); r.Result.Items[0].State != StateConnected {
		t.Fatalf("%+v", r)
	}
	pw.Close() // the zero-length chunk: the session ends
	if err := dec.Decode(new(transport.Response)); !errors.Is(err, io.EOF) {
		t.Fatalf("after the end: %v", err)
	}
}

func TestWaitForHonoursContext(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := f.srv.WaitSubscribed(ctx, testDID, 1); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
}

func TestOtherMethodsAndPaths(t *testing.T) {
	f := newFixture(t)
	req, _ := http.NewRequest(http.MethodPut, f.url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d", resp.StatusCode)
	}
	resp, err = http.Get(strings.Replace(f.url, "/bobl/bobl", "/bob1/bob1", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("wrong path: %d", resp.StatusCode)
	}
}

func TestExpectContinue(t *testing.T) {
	f := newFixture(t)
	s := openStreamHeader(t, f.url, "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n", nil)
	select {
	case line := <-s.interim:
		if !strings.Contains(line, "100 Continue") {
			t.Fatalf("interim %q", line)
		}
	case <-time.After(wait):
		t.Fatal("no 100 Continue")
	}
	s.subscribe(f, testDID, testPIN, "1")
	f.srv.Ring(testDID, "1234", nil)
	eventCall(t, s.next(), "1")
}
