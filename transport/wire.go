// Package transport speaks the ShoreTel Sky Hosted API: the XML wire types,
// the long-lived chunked stream session, the one-shot GET client and the
// API's typed errors.
//
// Choices where the guide leaves room:
//
//   - Responses are decoded leniently: unknown elements and attributes are
//     skipped, a missing <CLID> is a nil pointer, numbers and booleans may
//     carry spaces, a missing <Id> is "", and State is passed on as sent
//     (the model decides what an unknown spelling means).
//   - On the stream, a reply whose Id matches a request in flight answers it;
//     any call list that does not (including those carrying a subscribe's Id,
//     which the server reuses for pushed events) is a call event.
//   - Every successful listCalls on the stream is also reported as an
//     EventSnapshot, in stream order, so the call table reconciles at the
//     right point among the events.
//   - Error 17: subscribe again without telling the user. A prompt
//     resubscribe is not followed by listCalls; one that needed retries or
//     took over a second is, since events may have been missed.
//   - Error 6 on listCalls: the stream keeps running, reports ConnLive with
//     the rate-limit error, and retries listCalls on its own backoff; a
//     ListCalls call inside the window fails at once without asking.
//   - Error 8 while connecting: the stream reports ConnReconnecting with an
//     error matching ErrPhoneNotLoggedIn and tries again every 30 s.
//   - Error 5 on subscribe: ConnReconnecting with an error matching ErrAuth,
//     and the next try in minutes (SetPIN tries a new PIN at once); error 5
//     on any other command fails that command alone.
//   - A failure that will not fix itself (an untrusted certificate, an HTTP
//     4xx answer) is retried in minutes, not on the reconnect backoff.
//     Reason says why the stream is down in a few words, for the screen.
//   - An event in a state the guide does not list asks for a listCalls,
//     within the rate limit, so the call's true state shows soon.
//   - Stream commands issued while not live fail at once (ErrNotConnected);
//     a command in flight when the connection drops fails with
//     ErrConnectionLost. Neither is ever resent: a late "release" with a
//     blank call Id could hang up a different call.
//   - A malformed document is skipped when the decoder can find the start of
//     the next one; sixteen in a row, an oversized document or an endless run
//     of garbage ends the connection and the stream reconnects.
package transport

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Command names, as the guide spells them.
const (
	CmdDial      = "org.m5.apps.v1.cti.ClickToDial.dial"
	CmdAnswer    = "org.m5.apps.v1.cti.ClickToDial.answer"
	CmdIgnore    = "org.m5.apps.v1.cti.ClickToDial.ignore"
	CmdRelease   = "org.m5.apps.v1.cti.ClickToDial.release"
	CmdHold      = "org.m5.apps.v1.cti.ClickToDial.hold"
	CmdResume    = "org.m5.apps.v1.cti.ClickToDial.resume"
	CmdListCalls = "org.m5.apps.v1.cti.ClickToDial.listCalls"
	CmdSubscribe = "org.m5.apps.v1.cti.ClickToDial.subscribe"
)

// Namespaces and xsi types used in the guide's documents.
const (
	nsXSD = "http://www.w3.org/2001/XMLSchema"
	nsXSI = "http://www.w3.org/2001/XMLSchema-instance"

	TypeBoolean = "boolean"
	TypeInt     = "int"
	TypeString  = "string"
	TypeXMLList = "xmlList"
	TypeCall    = "org.m5.data.v1.cti.Call"
	TypeError   = "org.m5.api.v1.Error"
)

// Command is a request document, sent on the stream or mirrored by a GET.
type Command struct {
	XMLName   xml.Name   `xml:"Command"`
	Name      string     `xml:"Name"`
	User      string     `xml:"User"`
	Password  string     `xml:"Password"`
	Arguments []Argument `xml:"Arguments"`
	// ID is the raw text of <Id>; empty when the element is absent.
	ID string `xml:"Id,omitempty"`
}

// Argument is one positional <Arguments> element. Blank arguments are still
// sent: the API counts them.
type Argument struct {
	Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr,omitempty"`
	Value string `xml:",chardata"`
}

// GoString keeps the password out of %#v.
func (c Command) GoString() string { return c.String() }

// Format keeps the password out of every fmt verb.
func (c Command) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// MarshalJSON keeps the password out of JSON.
func (c Command) MarshalJSON() ([]byte, error) {
	type plain Command
	p := plain(c)
	p.Password = redacted
	return json.Marshal(p)
}

// String describes the command without its password.
func (c Command) String() string {
	args := make([]string, len(c.Arguments))
	for i, a := range c.Arguments {
		args[i] = a.Value
	}
	return "Command{" + c.Name + " user=" + c.User + " args=[" + strings.Join(args, ",") + "] id=" + c.ID + "}"
}

// Response is an org.m5.api.v1.Response document.
type Response struct {
	XMLName    xml.Name `xml:"org.m5.api.v1.Response"`
	ErrorCount int      `xml:"ErrorCount"`
	Errors     []Error  `xml:"Errors>item"`
	ID         string   `xml:"Id"`
	Result     *Result  `xml:"Result"`
}

// Result carries the typed result: a boolean, an int, or an xmlList of calls.
// Type is the local part of xsi:type ("boolean", "int", "xmlList"), with any
// namespace prefix such as "ns5:" removed.
type Result struct {
	Type  string `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	Text  string `xml:",chardata"`
	Items []Call `xml:"item"`
}

// Call is an org.m5.data.v1.cti.Call. CLID is nil when the element is absent.
type Call struct {
	Ani        string  `xml:"Ani"`
	CLID       *string `xml:"CLID"`
	DID        string  `xml:"DID"`
	Duration   int     `xml:"Duration"`
	Endpoint   string  `xml:"Endpoint"`
	ID         string  `xml:"Id"`
	Originated bool    `xml:"Originated"`
	State      string  `xml:"State"`
}

// Error is an org.m5.api.v1.Error as carried in <Errors>.
type Error struct {
	MajorErrorCode int    `xml:"MajorErrorCode"`
	Message        string `xml:"Message"`
	MinorErrorCode int    `xml:"MinorErrorCode"`
}

// NewCommand builds a command. Every argument is sent, blank ones included:
// the API counts them.
func NewCommand(name, user, password, id string, args ...string) Command {
	c := Command{Name: name, User: user, Password: password, ID: id}
	if len(args) > 0 {
		c.Arguments = make([]Argument, len(args))
		for i, a := range args {
			c.Arguments[i] = Argument{Type: "ns3:" + TypeString, Value: a}
		}
	}
	return c
}

// commandArgs returns the argument count the guide gives for a command, or
// -1 for an unknown name.
func commandArgs(name string) int {
	switch name {
	case CmdSubscribe:
		return 0
	case CmdIgnore, CmdRelease, CmdHold, CmdResume, CmdListCalls:
		return 1
	case CmdDial, CmdAnswer:
		return 2
	}
	return -1
}

const xmlDecl = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// AppendXML appends the command as a document in the guide's exact layout
// (declaration, two-space indent, the xsi:type and both namespace
// declarations on every <Arguments>, <Id> last), ending with a newline.
func (c Command) AppendXML(dst []byte) []byte {
	b := bytes.NewBuffer(dst)
	b.WriteString(xmlDecl)
	b.WriteString("<Command>\n  <Name>")
	escape(b, c.Name)
	b.WriteString("</Name>\n  <User>")
	escape(b, c.User)
	b.WriteString("</User>\n  <Password>")
	escape(b, c.Password)
	b.WriteString("</Password>\n")
	for _, a := range c.Arguments {
		t := a.Type
		if t == "" {
			t = "ns3:" + TypeString
		}
		b.WriteString(`  <Arguments xsi:type="`)
		escape(b, t)
		b.WriteString(`" xmlns:ns3="` + nsXSD + "\"\nxmlns:xsi=\"" + nsXSI + `">`)
		escape(b, a.Value)
		b.WriteString("</Arguments>\n")
	}
	if c.ID != "" {
		b.WriteString("  <Id>")
		escape(b, c.ID)
		b.WriteString("</Id>\n")
	}
	b.WriteString("</Command>\n")
	return b.Bytes()
}

// Encode returns the command as a document; see AppendXML.
func (c Command) Encode() []byte { return c.AppendXML(nil) }

// AppendXML appends the response as a document in the guide's layout. It
// exists for simulators and tests; the client only decodes responses.
func (r *Response) AppendXML(dst []byte) []byte {
	b := bytes.NewBuffer(dst)
	b.WriteString(xmlDecl)
	b.WriteString(`<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti"` + "\n" +
		`xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">` + "\n")
	count := r.ErrorCount
	if count < len(r.Errors) {
		count = len(r.Errors)
	}
	b.WriteString("  <ErrorCount>" + strconv.Itoa(count) + "</ErrorCount>\n")
	if len(r.Errors) > 0 {
		b.WriteString("  <Errors>\n")
		for _, e := range r.Errors {
			b.WriteString(`    <item xsi:type="` + TypeError + `" xmlns:xsi="` + nsXSI + "\">\n")
			b.WriteString("      <MajorErrorCode>" + strconv.Itoa(e.MajorErrorCode) + "</MajorErrorCode>\n      <Message>")
			escape(b, e.Message)
			b.WriteString("</Message>\n      <MinorErrorCode>" + strconv.Itoa(e.MinorErrorCode) + "</MinorErrorCode>\n    </item>\n")
		}
		b.WriteString("  </Errors>\n")
	}
	b.WriteString("  <Id>")
	escape(b, r.ID)
	b.WriteString("</Id>\n")
	if res := r.Result; res != nil {
		switch typ := res.Type; typ {
		case TypeXMLList:
			b.WriteString(`  <Result xsi:type="xmlList" xmlns:xsi="` + nsXSI + "\">\n")
			for _, c := range res.Items {
				c.appendXML(b, "    ")
			}
			b.WriteString("  </Result>\n")
		default:
			if typ == "" {
				typ = TypeBoolean
			}
			b.WriteString(`  <Result xsi:type="ns5:`)
			escape(b, typ)
			b.WriteString(`" xmlns:ns5="` + nsXSD + "\"\nxmlns:xsi=\"" + nsXSI + `">`)
			escape(b, res.Text)
			b.WriteString("</Result>\n")
		}
	}
	b.WriteString("</org.m5.api.v1.Response>\n")
	return b.Bytes()
}

// Encode returns the response as a document; see AppendXML.
func (r *Response) Encode() []byte { return r.AppendXML(nil) }

func (c Call) appendXML(b *bytes.Buffer, indent string) {
	b.WriteString(indent + `<item xsi:type="` + TypeCall + "\">\n")
	field := func(name, v string) {
		b.WriteString(indent + "  <" + name + ">")
		escape(b, v)
		b.WriteString("</" + name + ">\n")
	}
	field("Ani", c.Ani)
	if c.CLID != nil {
		field("CLID", *c.CLID)
	}
	field("DID", c.DID)
	field("Duration", strconv.Itoa(c.Duration))
	field("Endpoint", c.Endpoint)
	field("Id", c.ID)
	field("Originated", strconv.FormatBool(c.Originated))
	field("State", c.State)
	b.WriteString(indent + "</item>\n")
}

func escape(b *bytes.Buffer, s string) {
	if strings.ContainsAny(s, "<>&'\"\r\n\t") || !isPlain(s) {
		xml.EscapeText(b, []byte(s))
		return
	}
	b.WriteString(s)
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 {
			return false
		}
	}
	return true
}

// localType strips a namespace prefix from an xsi:type value ("ns5:boolean"
// -> "boolean").
func localType(t string) string {
	t = strings.TrimSpace(t)
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		return t[i+1:]
	}
	return t
}

func isTypeAttr(a xml.Attr) bool {
	return a.Name.Local == "type" && (a.Name.Space == nsXSI || a.Name.Space == "xsi")
}

// parseBool is lenient: surrounding space, any case, 1/0.
func parseBool(s string) (v, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true, true
	case "false", "0", "no":
		return false, true
	}
	return false, false
}

// parseInt is lenient about surrounding space; ok is false for non-numbers.
func parseInt(s string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	return n, err == nil
}

// UnmarshalXML decodes a call leniently: unknown elements are skipped, a
// missing <CLID> leaves CLID nil, an unreadable Duration is 0 and an
// unreadable Originated is false. State is kept as sent (trimmed).
func (c *Call) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*c = Call{}
	return eachField(d, func(name, s string) {
		switch name {
		case "Ani":
			c.Ani = s
		case "CLID":
			c.CLID = &s
		case "DID":
			c.DID = s
		case "Duration":
			c.Duration, _ = parseInt(s)
		case "Endpoint":
			c.Endpoint = s
		case "Id":
			c.ID = s
		case "Originated":
			c.Originated, _ = parseBool(s)
		case "State":
			c.State = s
		}
	})
}

// eachChild reads the rest of the element whose start tag was just read,
// calling child for each child element (child must read it to its end) and
// appending the character data to text when text is not nil. A new
// document starting inside the element ends it with *errNested.
func eachChild(d *xml.Decoder, text *[]byte, child func(t xml.StartElement) error) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if text != nil {
				*text = append(*text, t...)
			}
		case xml.StartElement:
			if err := checkNested(t); err != nil {
				return err
			}
			if err := child(t); err != nil {
				return err
			}
		case xml.EndElement:
			return nil
		}
	}
}

// eachField reads an element whose children are text fields, calling field
// with each child's name and trimmed text.
func eachField(d *xml.Decoder, field func(name, text string)) error {
	return eachChild(d, nil, func(t xml.StartElement) error {
		s, err := readText(d)
		if err != nil {
			return err
		}
		field(t.Name.Local, s)
		return nil
	})
}

// eachItem reads an element whose <item> children are each a T, appending
// them to items; other children are skipped.
func eachItem[T any](d *xml.Decoder, text *[]byte, items *[]T) error {
	return eachChild(d, text, func(t xml.StartElement) error {
		if t.Name.Local != "item" {
			return skipElement(d)
		}
		var v T
		if err := d.DecodeElement(&v, &t); err != nil {
			return err
		}
		*items = append(*items, v)
		return nil
	})
}

// errNested reports a new <org.m5.api.v1.Response> starting inside another
// one: the outer document was cut short. The decoder is positioned just
// after the new document's start tag.
type errNested struct{ start xml.StartElement }

func (e *errNested) Error() string { return "document cut short by the start of the next one" }

const responseName = "org.m5.api.v1.Response"

func checkNested(t xml.StartElement) error {
	if t.Name.Local == responseName {
		return &errNested{start: t.Copy()}
	}
	return nil
}

// readText returns the trimmed character data of the element whose start
// tag was just read, skipping any child elements.
func readText(d *xml.Decoder) (string, error) {
	var text []byte
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 {
				text = append(text, t...)
			}
		case xml.StartElement:
			if err := checkNested(t); err != nil {
				return "", err
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				return strings.TrimSpace(string(text)), nil
			}
			depth--
		}
	}
}

// skipElement skips the rest of the element whose start tag was just read,
// watching for a new document starting inside it.
func skipElement(d *xml.Decoder) error {
	_, err := readText(d)
	return err
}

// UnmarshalXML decodes a result: its xsi:type with any prefix removed, its
// trimmed text, and each <item> child as a call.
func (r *Result) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*r = Result{}
	for _, a := range start.Attr {
		if isTypeAttr(a) {
			r.Type = localType(a.Value)
		}
	}
	var text []byte
	if err := eachItem(d, &text, &r.Items); err != nil {
		return err
	}
	r.Text = strings.TrimSpace(string(text))
	return nil
}

// UnmarshalXML decodes an error item leniently.
func (e *Error) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*e = Error{}
	return eachField(d, func(name, s string) {
		switch name {
		case "MajorErrorCode":
			e.MajorErrorCode, _ = parseInt(s)
		case "MinorErrorCode":
			e.MinorErrorCode, _ = parseInt(s)
		case "Message":
			e.Message = s
		}
	})
}

// UnmarshalXML decodes a response leniently: unknown elements are skipped,
// a missing <Id> leaves ID empty, an unreadable ErrorCount is 0.
func (r *Response) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	*r = Response{XMLName: start.Name}
	return eachChild(d, nil, func(t xml.StartElement) error {
		switch t.Name.Local {
		case "ErrorCount", "Id":
			s, err := readText(d)
			if err != nil {
				return err
			}
			if t.Name.Local == "Id" {
				r.ID = s
			} else {
				r.ErrorCount, _ = parseInt(s)
			}
		case "Result":
			var res Result
			if err := d.DecodeElement(&res, &t); err != nil {
				return err
			}
			r.Result = &res
		case "Errors":
			return eachItem(d, nil, &r.Errors)
		default:
			return skipElement(d)
		}
		return nil
	})
}

// IsCallList reports whether the result is an xmlList (of calls).
func (r *Response) IsCallList() bool {
	return r.Result != nil && (r.Result.Type == TypeXMLList || len(r.Result.Items) > 0)
}

// Bool interprets a boolean result.
func (r *Result) Bool() (v, ok bool) {
	if r == nil {
		return false, false
	}
	return parseBool(r.Text)
}

// Int interprets an int result.
func (r *Result) Int() (int, bool) {
	if r == nil {
		return 0, false
	}
	return parseInt(r.Text)
}
