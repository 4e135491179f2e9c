package transport

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

func readGuide(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "guide", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var boolTrue = &Response{ErrorCount: 0, ID: "1", Result: &Result{Type: TypeBoolean, Text: "true"}}

// Every response document printed in the guide, byte for byte.
func TestDecodeGuideResponses(t *testing.T) {
	tests := []struct {
		file string
		want *Response
	}{
		{"02-example-reply.xml", boolTrue},
		{"05-dial-response.xml", boolTrue},
		{"07-answer-response.xml", boolTrue},
		{"09-ignore-response.xml", boolTrue},
		{"11-release-response.xml", boolTrue},
		{"13-hold-response.xml", boolTrue},
		{"15-resume-response.xml", boolTrue},
		{"17-listcalls-response.xml", &Response{ID: "1", Result: &Result{Type: TypeXMLList, Items: []Call{{
			Ani: "16465551234", DID: "6465551000", Duration: 46, Endpoint: "0010492e1234",
			ID: "65885", Originated: true, State: "CONNECTED",
		}}}}},
		{"19-subscribe-response.xml", &Response{ID: "1", Result: &Result{Type: TypeInt, Text: "0"}}},
		{"20-subscribe-event.xml", &Response{ID: "1", Result: &Result{Type: TypeXMLList, Items: []Call{{
			Ani: "6465551234", CLID: ptr("6465551000"), DID: "6465551000", Duration: 0, Endpoint: "0010492e1234",
			ID: "66517", Originated: false, State: "RINGING",
		}}}}},
		{"21-error-response.xml", &Response{ErrorCount: 1, ID: "13", Errors: []Error{{
			MajorErrorCode: 5, Message: "Authorization or authentication failed", MinorErrorCode: 0,
		}}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc := readGuide(t, tt.file)
			var got Response
			if err := xml.Unmarshal(doc, &got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			got.XMLName = xml.Name{}
			if !reflect.DeepEqual(&got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", dump(&got), dump(tt.want))
			}
			// The same document through the stream decoder.
			dec := NewResponseDecoder(bytes.NewReader(doc), 0)
			r, err := dec.Next()
			if err != nil {
				t.Fatalf("ResponseDecoder: %v", err)
			}
			r.XMLName = xml.Name{}
			if !reflect.DeepEqual(r, tt.want) {
				t.Errorf("decoder got %+v", dump(r))
			}
		})
	}
}

func dump(r *Response) string {
	var b strings.Builder
	b.WriteString("{Count:" + itoa(r.ErrorCount) + " Id:" + r.ID + " Errors:")
	for _, e := range r.Errors {
		b.WriteString("[" + itoa(e.MajorErrorCode) + "." + itoa(e.MinorErrorCode) + " " + e.Message + "]")
	}
	if r.Result != nil {
		b.WriteString(" Result{" + r.Result.Type + " " + r.Result.Text)
		for _, c := range r.Result.Items {
			clid := "<nil>"
			if c.CLID != nil {
				clid = *c.CLID
			}
			b.WriteString(" " + c.ID + "/" + c.Ani + "/" + clid + "/" + c.State)
		}
		b.WriteString("}")
	}
	return b.String() + "}"
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestDecodeGuideCallObject(t *testing.T) {
	doc := readGuide(t, "03-call-object.xml")
	var c Call
	if err := xml.Unmarshal(doc, &c); err != nil {
		t.Fatal(err)
	}
	want := Call{Ani: "16465551234", CLID: ptr("6465551000"), DID: "6465551000", Duration: 46,
		Endpoint: "0010492e1234", ID: "65885", Originated: true, State: "CONNECTED"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v", c)
	}
}

// guideCommands are the guide's request templates with their placeholders
// filled in, and the command that must encode to exactly those bytes.
var guideCommands = []struct {
	file string
	cmd  Command
}{
	{"00-example-request.xml", NewCommand(CmdDial, "6465551000", "12345", "1", "6465551234", "")},
	{"04-dial-request.xml", NewCommand(CmdDial, "6465551000", "12345", "1", "6465551234", "")},
	{"06-answer-request.xml", NewCommand(CmdAnswer, "6465551000", "12345", "1", "66517", "")},
	{"08-ignore-request.xml", NewCommand(CmdIgnore, "6465551000", "12345", "1", "66517")},
	{"10-release-request.xml", NewCommand(CmdRelease, "6465551000", "12345", "1", "66517")},
	{"12-hold-request.xml", NewCommand(CmdHold, "6465551000", "12345", "1", "66517")},
	{"14-resume-request.xml", NewCommand(CmdResume, "6465551000", "12345", "1", "66517")},
	{"16-listcalls-request.xml", NewCommand(CmdListCalls, "6465551000", "12345", "1", "")},
	{"18-subscribe-request.xml", NewCommand(CmdSubscribe, "6465551000", "12345", "1")},
}

func fillTemplate(doc []byte) []byte {
	r := strings.NewReplacer("<DID>", "6465551000", "<PIN>", "12345", "<EX_TN>", "6465551234",
		"<Call ID>", "66517", "<Endpoint>", "")
	return []byte(r.Replace(string(doc)))
}

func TestEncodeCommandsExactlyAsGuide(t *testing.T) {
	for _, tt := range guideCommands {
		t.Run(tt.file, func(t *testing.T) {
			want := fillTemplate(readGuide(t, tt.file))
			got := tt.cmd.Encode()
			if !bytes.Equal(got, want) {
				t.Errorf("encoded:\n%s\nguide:\n%s", got, want)
			}
			if n := commandArgs(tt.cmd.Name); n != len(tt.cmd.Arguments) {
				t.Errorf("%s has %d arguments, guide says %d", tt.cmd.Name, len(tt.cmd.Arguments), n)
			}
			// And the guide's document decodes back into the command.
			var back Command
			if err := xml.Unmarshal(want, &back); err != nil {
				t.Fatal(err)
			}
			if back.Name != tt.cmd.Name || back.User != tt.cmd.User || back.Password != tt.cmd.Password ||
				back.ID != tt.cmd.ID || len(back.Arguments) != len(tt.cmd.Arguments) {
				t.Errorf("decoded %v", back)
			}
			for i, a := range back.Arguments {
				if a.Value != tt.cmd.Arguments[i].Value || a.Type != "ns3:string" {
					t.Errorf("argument %d = %+v", i, a)
				}
			}
		})
	}
}

func TestEncodeEscapes(t *testing.T) {
	c := NewCommand(CmdDial, "u<&>", "p\"'", "7", "a<b>&c", "")
	var back Command
	if err := xml.Unmarshal(c.Encode(), &back); err != nil {
		t.Fatal(err)
	}
	if back.User != "u<&>" || back.Password != "p\"'" || back.Arguments[0].Value != "a<b>&c" {
		t.Errorf("round trip: %#v %q", back, back.Password)
	}
}

func TestResponseEncodeRoundTrip(t *testing.T) {
	for _, f := range []string{"05-dial-response.xml", "19-subscribe-response.xml", "20-subscribe-event.xml", "21-error-response.xml"} {
		doc := readGuide(t, f)
		var r Response
		if err := xml.Unmarshal(doc, &r); err != nil {
			t.Fatal(err)
		}
		if got := r.Encode(); !bytes.Equal(got, doc) {
			t.Errorf("%s: encoded\n%s\nguide\n%s", f, got, doc)
		}
	}
}

func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want *Response
	}{
		{"spaces around numbers and booleans, no Id, unknown bits",
			`<org.m5.api.v1.Response extra="x"><ErrorCount> 0 </ErrorCount><Unknown><a>1</a></Unknown>` +
				`<Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" foo="bar">` +
				`<item xsi:type="org.m5.data.v1.cti.Call"><Ani> 123 </Ani><Duration>
 17
</Duration><Originated> TRUE </Originated><Id>9</Id><State>CONNNECTED</State><Future>x</Future></item>` +
				`<note>ignored</note></Result></org.m5.api.v1.Response>`,
			&Response{Result: &Result{Type: TypeXMLList, Items: []Call{{Ani: "123", Duration: 17, Originated: true, ID: "9", State: "CONNNECTED"}}}}},
		{"unreadable numbers are zero, empty CLID is present",
			`<org.m5.api.v1.Response><ErrorCount>x</ErrorCount><Id>4</Id><Result xsi:type="xmlList">` +
				`<item><CLID/><Duration>abc</Duration><Originated>maybe</Originated></item></Result></org.m5.api.v1.Response>`,
			&Response{ID: "4", Result: &Result{Type: TypeXMLList, Items: []Call{{CLID: ptr("")}}}}},
		{"other xsi prefixes and a boolean with spaces",
			`<org.m5.api.v1.Response><Id>2</Id><Result a:type="xs:boolean" xmlns:a="http://www.w3.org/2001/XMLSchema-instance"> false
</Result></org.m5.api.v1.Response>`,
			&Response{ID: "2", Result: &Result{Type: TypeBoolean, Text: "false"}}},
		{"error without details",
			`<org.m5.api.v1.Response><ErrorCount>2</ErrorCount><Id>3</Id></org.m5.api.v1.Response>`,
			&Response{ErrorCount: 2, ID: "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Response
			if err := xml.Unmarshal([]byte(tt.doc), &got); err != nil {
				t.Fatal(err)
			}
			got.XMLName = xml.Name{}
			if !reflect.DeepEqual(&got, tt.want) {
				t.Errorf("got  %s\nwant %s", dump(&got), dump(tt.want))
			}
		})
	}
	v, ok := (&Result{Text: " false "}).Bool()
	if v || !ok {
		t.Error("Bool of false")
	}
	if _, ok := (&Result{Text: "nope"}).Bool(); ok {
		t.Error("Bool of nope should not be ok")
	}
}
