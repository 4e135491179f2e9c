package skysim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/frontdesk/frontdesk/transport"
)

// The simulator writes its replies with its own code, from the guide's
// examples, rather than with transport's encoder (transport.Response),
// though the two look alike (renderCallItems and Call's encoding): a
// misreading of the guide in transport then shows up as a test failure
// instead of being mirrored by the simulator.

// The fixed parts of a reply, exactly as the guide prints them.
const (
	docHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
		`<org.m5.api.v1.Response xmlns:m5="http://www.m5net.com/org/m5/data/v2/cti" xmlns:csta="http://www.ecma-international.org/standards/ecma-323/csta/ed5">` + "\n"
	docTail      = "</org.m5.api.v1.Response>\n"
	resultScalar = `  <Result xsi:type="ns5:%s" xmlns:ns5="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
	resultList   = `  <Result xsi:type="xmlList" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"`
)

func writeEscaped(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

func writeHead(b *bytes.Buffer, errorCount int) {
	b.WriteString(docHead)
	b.WriteString("  <ErrorCount>")
	b.WriteString(strconv.Itoa(errorCount))
	b.WriteString("</ErrorCount>\n")
}

func writeID(b *bytes.Buffer, id string) {
	b.WriteString("  <Id>")
	writeEscaped(b, id)
	b.WriteString("</Id>\n")
}

func renderScalar(id, typ, text string) []byte {
	var b bytes.Buffer
	writeHead(&b, 0)
	writeID(&b, id)
	b.WriteString(strings.Replace(resultScalar, "%s", typ, 1))
	b.WriteString(text)
	b.WriteString("</Result>\n")
	b.WriteString(docTail)
	return b.Bytes()
}

func renderBool(id string, v bool) []byte {
	return renderScalar(id, transport.TypeBoolean, strconv.FormatBool(v))
}

func renderInt(id string, v int) []byte {
	return renderScalar(id, transport.TypeInt, strconv.Itoa(v))
}

// renderCallItems writes the <item> elements of an xmlList.
func renderCallItems(calls []transport.Call) []byte {
	var b bytes.Buffer
	for _, c := range calls {
		b.WriteString(`    <item xsi:type="org.m5.data.v1.cti.Call">` + "\n")
		field := func(name, v string) {
			b.WriteString("      <" + name + ">")
			writeEscaped(&b, v)
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
		b.WriteString("    </item>\n")
	}
	return b.Bytes()
}

// renderList wraps pre-rendered items (see renderCallItems) in a response.
// An empty list is written as an empty element, with no child nodes.
func renderList(id string, items []byte) []byte {
	var b bytes.Buffer
	writeHead(&b, 0)
	writeID(&b, id)
	b.WriteString(resultList)
	if len(items) == 0 {
		b.WriteString("/>\n")
	} else {
		b.WriteString(">\n")
		b.Write(items)
		b.WriteString("  </Result>\n")
	}
	b.WriteString(docTail)
	return b.Bytes()
}

func renderError(id string, major, minor int, msg string) []byte {
	var b bytes.Buffer
	writeHead(&b, 1)
	b.WriteString("  <Errors>\n")
	b.WriteString(`    <item xsi:type="org.m5.api.v1.Error" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` + "\n")
	b.WriteString("      <MajorErrorCode>" + strconv.Itoa(major) + "</MajorErrorCode>\n")
	b.WriteString("      <Message>")
	writeEscaped(&b, msg)
	b.WriteString("</Message>\n")
	b.WriteString("      <MinorErrorCode>" + strconv.Itoa(minor) + "</MinorErrorCode>\n")
	b.WriteString("    </item>\n")
	b.WriteString("  </Errors>\n")
	writeID(&b, id)
	b.WriteString(docTail)
	return b.Bytes()
}

// maxDocument bounds one request document; a longer one is refused with
// error 19 and skipped.
const maxDocument = 256 << 10

// frame is one request document cut from the stream, or the reason a stretch
// of the stream could not be read as one.
type frame struct {
	doc []byte
	err error
}

// framer cuts a byte stream into XML documents. Documents may arrive split
// across reads or several to a read, with or without an XML declaration and
// with whitespace between them. After a malformed document it skips to the
// end of that document (its </Command>) or the start of the next one.
type framer struct {
	buf      []byte
	skipping bool
	// waiting is set when the buffer held only part of a document; until a
	// '>' arrives it cannot hold a whole one, so it is not parsed again.
	waiting bool
}

var (
	endCommand = []byte("</Command>")
	startDecl  = []byte("<?xml")
	utf8BOM    = []byte("\xef\xbb\xbf")
)

func (f *framer) feed(p []byte) {
	f.buf = append(f.buf, p...)
	if bytes.IndexByte(p, '>') >= 0 {
		f.waiting = false
	}
}

// next returns the next complete frame, if the buffer holds one. At end of
// input (eof) whatever is left that is not whitespace is a malformed frame.
func (f *framer) next(eof bool) (frame, bool) {
	for {
		if f.skipping {
			if !f.resync() {
				if eof {
					f.buf = nil
				}
				return frame{}, false
			}
		}
		f.buf = bytes.TrimLeft(f.buf, " \t\r\n")
		f.buf = bytes.TrimPrefix(f.buf, utf8BOM)
		if len(f.buf) == 0 {
			f.buf = nil
			return frame{}, false
		}
		if f.waiting && !eof {
			return frame{}, false
		}
		if f.buf[0] != '<' {
			f.skipping = true
			return frame{err: errors.New("content is not allowed in prolog")}, true
		}
		end, err := documentEnd(f.buf)
		switch {
		case err == nil:
			doc := f.buf[:end:end]
			f.buf = f.buf[end:]
			if end > maxDocument {
				return frame{err: errTooLarge}, true
			}
			return frame{doc: doc}, true
		case errors.Is(err, errIncomplete):
			f.waiting = true
			if eof {
				f.buf = nil
				return frame{err: errors.New("premature end of file")}, true
			}
			if len(f.buf) > maxDocument {
				f.waiting = false
				f.buf = f.buf[1:]
				f.skipping = true
				return frame{err: errTooLarge}, true
			}
			return frame{}, false
		default:
			f.buf = f.buf[1:]
			f.skipping = true
			return frame{err: err}, true
		}
	}
}

// resync drops the rest of a malformed document: through its </Command>,
// or up to the next XML declaration if one comes first (the broken document
// was cut short). It reports whether it found either; if not, it keeps only
// a short tail that could be the start of a marker split across reads.
func (f *framer) resync() bool {
	end := bytes.Index(f.buf, endCommand)
	decl := bytes.Index(f.buf, startDecl)
	if end >= 0 && (decl < 0 || end < decl) {
		f.buf = f.buf[end+len(endCommand):]
		f.skipping = false
		return true
	}
	if decl >= 0 {
		f.buf = f.buf[decl:]
		f.skipping = false
		return true
	}
	if keep := len(endCommand) - 1; len(f.buf) > keep {
		f.buf = append(f.buf[:0], f.buf[len(f.buf)-keep:]...)
	}
	return false
}

var (
	errIncomplete = errors.New("incomplete document")
	errTooLarge   = errors.New("document is larger than " + strconv.Itoa(maxDocument) + " bytes")
)

// documentEnd finds where the first document in b ends: after the end tag
// of its root element. It returns errIncomplete if b holds only part of it.
func documentEnd(b []byte) (int, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return 0, errIncomplete
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) && se.Msg == "unexpected EOF" {
				return 0, errIncomplete
			}
			return 0, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
			if depth == 0 {
				return int(d.InputOffset()), nil
			}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return 0, errors.New("content is not allowed in prolog")
			}
		}
	}
}

// parseCommand decodes one request document.
func parseCommand(doc []byte) (transport.Command, error) {
	var cmd transport.Command
	if err := xml.Unmarshal(doc, &cmd); err != nil {
		return transport.Command{}, err
	}
	cmd.Name = strings.TrimSpace(cmd.Name)
	cmd.User = strings.TrimSpace(cmd.User)
	cmd.Password = strings.TrimSpace(cmd.Password)
	cmd.ID = strings.TrimSpace(cmd.ID)
	for i := range cmd.Arguments {
		cmd.Arguments[i].Value = strings.TrimSpace(cmd.Arguments[i].Value)
	}
	return cmd, nil
}
