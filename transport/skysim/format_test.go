package skysim

import (
	"strings"
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/transport"
)

// The guide's documents, with its wrapped lines joined.
const (
	guideHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">
`
	guideBoolTrue = guideHead + `  <ErrorCount>0</ErrorCount>
  <Id>1</Id>
  <Result xsi:type="ns5:boolean" xmlns:ns5="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">true</Result>
</org.m5.api.v1.Response>
`
	guideSubscribe = guideHead + `  <ErrorCount>0</ErrorCount>
  <Id>1</Id>
  <Result xsi:type="ns5:int" xmlns:ns5="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">0</Result>
</org.m5.api.v1.Response>
`
	guideListCalls = guideHead + `  <ErrorCount>0</ErrorCount>
  <Id>1</Id>
  <Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <item xsi:type="org.m5.data.v1.cti.Call">
      <Ani>16465551234</Ani>
      <DID>6465551000</DID>
      <Duration>46</Duration>
      <Endpoint>0010492e1234</Endpoint>
      <Id>65885</Id>
      <Originated>true</Originated>
      <State>CONNECTED</State>
    </item>
  </Result>
</org.m5.api.v1.Response>
`
	guideEvent = guideHead + `  <ErrorCount>0</ErrorCount>
  <Id>1</Id>
  <Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <item xsi:type="org.m5.data.v1.cti.Call">
      <Ani>6465551234</Ani>
      <CLID>6465551000</CLID>
      <DID>6465551000</DID>
      <Duration>0</Duration>
      <Endpoint>0010492e1234</Endpoint>
      <Id>66517</Id>
      <Originated>false</Originated>
      <State>RINGING</State>
    </item>
  </Result>
</org.m5.api.v1.Response>
`
	guideAuthError = guideHead + `  <ErrorCount>1</ErrorCount>
  <Errors>
    <item xsi:type="org.m5.api.v1.Error" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
      <MajorErrorCode>5</MajorErrorCode>
      <Message>Authorization or authentication failed</Message>
      <MinorErrorCode>0</MinorErrorCode>
    </item>
  </Errors>
  <Id>13</Id>
</org.m5.api.v1.Response>
`
)

func guideFixture(t *testing.T, firstCall int) *fixture {
	return newFixture(t, func(c *Config) {
		c.Accounts = []Account{{DID: "6465551000", PIN: "12345", Endpoint: "0010492e1234"}}
		c.FirstCallID = firstCall
	})
}

func TestRepliesMatchTheGuideByteForByte(t *testing.T) {
	t.Run("dial", func(t *testing.T) {
		f := guideFixture(t, 0)
		s := openStream(t, f.url)
		s.send(transport.CmdDial, "6465551000", "12345", "1", "6465551234", "")
		if got := string(s.nextDoc()); got != guideBoolTrue {
			t.Fatalf("dial reply:\n%s\nwant:\n%s", got, guideBoolTrue)
		}
	})
	t.Run("subscribe and event", func(t *testing.T) {
		f := guideFixture(t, 66517)
		s := openStream(t, f.url)
		s.send(transport.CmdSubscribe, "6465551000", "12345", "1")
		if got := string(s.nextDoc()); got != guideSubscribe {
			t.Fatalf("subscribe reply:\n%s\nwant:\n%s", got, guideSubscribe)
		}
		if err := f.srv.WaitSubscribed(ctxT(t), "6465551000", 1); err != nil {
			t.Fatal(err)
		}
		f.srv.Ring("6465551000", "6465551234", strp("6465551000"))
		if got := string(s.nextDoc()); got != guideEvent {
			t.Fatalf("event:\n%s\nwant:\n%s", got, guideEvent)
		}
	})
	t.Run("listCalls", func(t *testing.T) {
		f := guideFixture(t, 65885)
		if id := f.srv.Dial("6465551000", "16465551234"); id != "65885" {
			t.Fatalf("dial id %q", id)
		}
		f.clock.Advance(46 * time.Second) // connects after 2s; the duration counts from the start
		s := openStream(t, f.url)
		s.send(transport.CmdListCalls, "6465551000", "12345", "1", "")
		if got := string(s.nextDoc()); got != guideListCalls {
			t.Fatalf("listCalls reply:\n%s\nwant:\n%s", got, guideListCalls)
		}
	})
	t.Run("error", func(t *testing.T) {
		f := guideFixture(t, 0)
		s := openStream(t, f.url)
		s.send(transport.CmdAnswer, "6465551000", "54321", "13", "", "")
		if got := string(s.nextDoc()); got != guideAuthError {
			t.Fatalf("error reply:\n%s\nwant:\n%s", got, guideAuthError)
		}
	})
	t.Run("GET is the same document", func(t *testing.T) {
		f := guideFixture(t, 0)
		_, body := get(t, f.url, transport.CmdDial, "6465551000", "12345", "6465551234", "")
		r := decode(t, []byte(body))
		want := guideBoolTrue
		if got := body; got != replaceID(want, r.ID) {
			t.Fatalf("GET reply:\n%s\nwant:\n%s", got, want)
		}
	})
}

func replaceID(doc, id string) string {
	return strings.Replace(doc, "<Id>1</Id>", "<Id>"+id+"</Id>", 1)
}

func TestEmptyListHasNoChildren(t *testing.T) {
	f := newFixture(t)
	r, body := get(t, f.url, transport.CmdListCalls, testDID, testPIN, "")
	if r.Result == nil || localType(r.Result.Type) != transport.TypeXMLList || len(r.Result.Items) != 0 {
		t.Fatalf("empty list: %+v\n%s", r, body)
	}
	want := `  <Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>` + "\n"
	if !strings.Contains(body, want) {
		t.Fatalf("empty list body:\n%s", body)
	}
}

func TestTextIsEscaped(t *testing.T) {
	f := newFixture(t)
	f.srv.Ring(testDID, `<script>&"x"`, strp("a<b"))
	r, _ := get(t, f.url, transport.CmdListCalls, testDID, testPIN, "")
	c := r.Result.Items[0]
	if c.Ani != `<script>&"x"` || c.CLID == nil || *c.CLID != "a<b" {
		t.Fatalf("round trip: %+v", c)
	}
}
