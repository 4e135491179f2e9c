package transport

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

var guideResponseFiles = []string{
	"02-example-reply.xml", "05-dial-response.xml", "17-listcalls-response.xml",
	"19-subscribe-response.xml", "20-subscribe-event.xml", "21-error-response.xml",
}

func guideStream(t testing.TB) []byte {
	var b []byte
	for _, f := range guideResponseFiles {
		b = append(b, readGuide(t, f)...)
	}
	return b
}

// outcome is one result of Next, reduced to something comparable.
type outcome struct {
	doc       string // dump of the response
	malformed bool
}

func drain(t testing.TB, r io.Reader) ([]outcome, error) {
	dec := NewResponseDecoder(r, 4096)
	var out []outcome
	for i := 0; ; i++ {
		if i > 100000 {
			t.Fatal("decoder does not terminate")
		}
		resp, err := dec.Next()
		if err != nil {
			var me *MalformedError
			if errors.As(err, &me) {
				out = append(out, outcome{malformed: true})
				continue
			}
			return out, err
		}
		out = append(out, outcome{doc: dump(resp)})
	}
}

func TestDecoderPackedAndSplit(t *testing.T) {
	stream := guideStream(t)
	whole, err := drain(t, bytes.NewReader(stream))
	if err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	if len(whole) != len(guideResponseFiles) {
		t.Fatalf("got %d documents, want %d: %+v", len(whole), len(guideResponseFiles), whole)
	}
	for _, o := range whole {
		if o.malformed {
			t.Fatalf("guide document reported malformed: %+v", whole)
		}
	}
	split, err := drain(t, iotest.OneByteReader(bytes.NewReader(stream)))
	if err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	if !equalOutcomes(whole, split) {
		t.Errorf("byte-by-byte reading differs:\n%+v\n%+v", whole, split)
	}
	// Split into two reads at every byte position of a reply followed by
	// an event.
	pair := append(readGuide(t, "19-subscribe-response.xml"), readGuide(t, "20-subscribe-event.xml")...)
	want, _ := drain(t, bytes.NewReader(pair))
	for i := 1; i < len(pair); i++ {
		r := io.MultiReader(bytes.NewReader(pair[:i]), bytes.NewReader(pair[i:]))
		got, err := drain(t, r)
		if err != io.EOF || len(got) != 2 || !equalOutcomes(want, got) {
			t.Fatalf("split at %d: %v %+v", i, err, got)
		}
	}
}

func equalOutcomes(a, b []outcome) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDecoderBetweenDocuments(t *testing.T) {
	ev := string(readGuide(t, "20-subscribe-event.xml"))
	body := strings.TrimPrefix(ev, xmlDecl)
	in := "\r\n  " + ev + "\n\n<!-- keepalive -->\n" + body + `<?xml version="1.0"?>` + "<Unknown><x/></Unknown>" + ev + "  \n"
	got, err := drain(t, strings.NewReader(in))
	if err != io.EOF {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	for _, o := range got {
		if o.malformed || !strings.Contains(o.doc, "66517/6465551234/6465551000/RINGING") {
			t.Errorf("outcome %+v", o)
		}
	}
}

func TestDecoderResynchronises(t *testing.T) {
	ev := string(readGuide(t, "20-subscribe-event.xml"))
	tests := []struct {
		name string
		in   string
		want []bool // malformed?
	}{
		{"mismatched tag then good", `<org.m5.api.v1.Response><Id>1</Idd></org.m5.api.v1.Response>` + ev, []bool{true, false}},
		{"garbage text and tags", "garbage <<>> &bogus; " + ev, []bool{true, false}},
		{"unclosed start tag eats the declaration", `<org.m5.api.v1.Response <Id>` + ev + ev, []bool{true, false, false}},
		{"truncated document then a new one", `<?xml version="1.0"?><org.m5.api.v1.Response><Id>1</Id><Result>` + ev, []bool{true, false}},
		{"cut short inside a call", `<org.m5.api.v1.Response><Id>1</Id><Result><item><Ani>12` + ev + ev, []bool{true, false, false}},
		{"cut short inside errors", `<org.m5.api.v1.Response><Errors><item><Message>x</Message>` + ev, []bool{true, false}},
		{"stray end tag", "</org.m5.api.v1.Response>" + ev, []bool{true, false}},
		{"bad entity inside", `<org.m5.api.v1.Response><Id>&nope;</Id></org.m5.api.v1.Response>` + ev, []bool{true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := drain(t, strings.NewReader(tt.in))
			if err != io.EOF {
				t.Fatalf("end: %v (%+v)", err, got)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want malformed pattern %v", got, tt.want)
			}
			for i, o := range got {
				if o.malformed != tt.want[i] {
					t.Errorf("%d: %+v", i, o)
				}
				if !o.malformed && !strings.Contains(o.doc, "66517") {
					t.Errorf("%d: wrong document %s", i, o.doc)
				}
			}
		})
	}
}

func TestDecoderLimits(t *testing.T) {
	huge := "<org.m5.api.v1.Response><Id>" + strings.Repeat("1", 10000) + "</Id></org.m5.api.v1.Response>"
	_, err := drain(t, strings.NewReader(huge))
	if !errors.Is(err, ErrDocumentTooLarge) {
		t.Errorf("huge document: %v", err)
	}
	_, err = drain(t, strings.NewReader("<x"+strings.Repeat("y", 10000)))
	if !errors.Is(err, ErrDocumentTooLarge) {
		t.Errorf("endless tag: %v", err)
	}
	got, err := drain(t, strings.NewReader("</>"+strings.Repeat("y", 10000)))
	if !errors.Is(err, errSkipLimit) || len(got) != 1 || !got[0].malformed {
		t.Errorf("endless junk: %v %+v", err, got)
	}
	// Whitespace between documents does not add up towards the limit.
	ev := string(readGuide(t, "20-subscribe-event.xml"))
	var b strings.Builder
	for range 20 {
		b.WriteString(ev + strings.Repeat(" ", 1000))
	}
	got, err = drain(t, strings.NewReader(b.String()))
	if err != io.EOF || len(got) != 20 {
		t.Errorf("spaced documents: %v, %d", err, len(got))
	}
}

func TestDecoderReaderErrorIsFinal(t *testing.T) {
	ev := readGuide(t, "20-subscribe-event.xml")
	boom := errors.New("connection reset")
	r := io.MultiReader(bytes.NewReader(ev), bytes.NewReader(ev[:100]), iotest.ErrReader(boom))
	got, err := drain(t, r)
	if !errors.Is(err, boom) || len(got) != 1 {
		t.Errorf("got %+v, %v", got, err)
	}
}

func FuzzStreamDecoder(f *testing.F) {
	for _, name := range guideResponseFiles {
		f.Add(readGuide(f, name))
	}
	f.Add(guideStream(f))
	f.Add([]byte(`<org.m5.api.v1.Response><Id>1</Idd>` + string(readGuide(f, "19-subscribe-response.xml"))))
	f.Add([]byte("<?xml<org.m5.api.v1.Response<<"))
	f.Fuzz(func(t *testing.T, data []byte) {
		whole, errWhole := drain(t, bytes.NewReader(data))
		split, errSplit := drain(t, iotest.OneByteReader(bytes.NewReader(data)))
		if !equalOutcomes(whole, split) || (errWhole == nil) != (errSplit == nil) {
			t.Fatalf("reading in one piece and byte by byte differ:\n%+v %v\n%+v %v", whole, errWhole, split, errSplit)
		}
		if errWhole == nil {
			t.Fatal("drain ended without an error")
		}
	})
}

// TestDecoderRawControlBytes: a server that writes raw control bytes into
// a caller's text (XML allows none of them) still delivers the call, with
// each control byte as U+FFFD, split however the bytes arrive; tab, line
// feed and carriage return are left alone.
func TestDecoderRawControlBytes(t *testing.T) {
	ev := string(readGuide(t, "20-subscribe-event.xml"))
	hostile := strings.Replace(ev, "<Ani>6465551234</Ani>", "<Ani>\x1b]0;x\x07\x00\x1b[2J6465551234\t</Ani>", 1)
	if hostile == ev {
		t.Fatal("the guide's event has no Ani to replace")
	}
	for _, r := range []io.Reader{strings.NewReader(hostile + ev), iotest.OneByteReader(strings.NewReader(hostile + ev))} {
		dec := NewResponseDecoder(r, 0)
		for i := range 2 {
			resp, err := dec.Next()
			if err != nil {
				t.Fatalf("document %d: %v", i, err)
			}
			if resp.Result == nil || len(resp.Result.Items) != 1 || resp.Result.Items[0].ID != "66517" {
				t.Fatalf("document %d: %s", i, dump(resp))
			}
			if i == 0 {
				if got, want := resp.Result.Items[0].Ani, "\uFFFD]0;x\uFFFD\uFFFD\uFFFD[2J6465551234"; got != want {
					t.Errorf("Ani %q, want %q", got, want)
				}
			}
		}
	}
}
