package transport

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// ResponseDecoder reads a stream of <org.m5.api.v1.Response> documents
// however the server splits or packs them: XML declarations, whitespace,
// comments and unknown top-level elements between documents are skipped.
//
// A malformed document is reported as a *MalformedError and the decoder
// resynchronises on the next "<?xml" or "<org.m5.api.v1.Response" in the
// byte stream, so a later call to Next carries on. Errors from the
// underlying reader, a document larger than the size limit, or more than
// the skip limit of bytes without a document start are returned as they
// are and end the stream.
type ResponseDecoder struct {
	src   *countingReader
	d     *xml.Decoder
	stale bool              // d hit an error; resynchronise before the next document
	next  *xml.StartElement // a document's start tag already read
	dirty bool              // d still has a cut-short document open

	// MaxSkip bounds how many bytes resynchronisation may discard.
	MaxSkip int64
}

// MalformedError reports a document that could not be decoded and was
// skipped.
type MalformedError struct{ Err error }

func (e *MalformedError) Error() string { return "malformed document skipped: " + e.Err.Error() }
func (e *MalformedError) Unwrap() error { return e.Err }

// ErrDocumentTooLarge is returned when one document exceeds the size limit.
var ErrDocumentTooLarge = errors.New("response document too large")

// errSkipLimit is returned when resynchronising discards too much.
var errSkipLimit = errors.New("no response document found in the stream")

var (
	markResponse = []byte("<org.m5.api.v1.Response")
	markDecl     = []byte("<?xml")
)

// NewResponseDecoder reads documents from r; maxDocument bounds one
// document's size in bytes (<= 0 means 1 MiB).
func NewResponseDecoder(r io.Reader, maxDocument int64) *ResponseDecoder {
	if maxDocument <= 0 {
		maxDocument = 1 << 20
	}
	src := &countingReader{br: bufio.NewReaderSize(r, 32<<10), max: maxDocument}
	rd := &ResponseDecoder{src: src, MaxSkip: maxDocument}
	rd.d = rd.newXML()
	return rd
}

func (rd *ResponseDecoder) newXML() *xml.Decoder {
	// The countingReader is an io.ByteReader, so the xml.Decoder reads from
	// it directly without buffering of its own: after an error, the bytes
	// it has not consumed are still in rd.src for resynchronisation.
	d := xml.NewDecoder(rd.src)
	d.Strict = true
	d.Entity = xml.HTMLEntity
	return d
}

// Next returns the next response. Errors are either *MalformedError (the
// document was skipped; call Next again) or final.
func (rd *ResponseDecoder) Next() (*Response, error) {
	if rd.stale {
		if err := rd.resync(); err != nil {
			return nil, err
		}
	}
	rd.src.n = 0
	if st := rd.next; st != nil {
		rd.next = nil
		return rd.decode(st)
	}
	for {
		tok, err := rd.d.Token()
		if err != nil {
			return nil, rd.fail(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != responseName {
				if err := skipElement(rd.d); err != nil {
					return nil, rd.fail(err)
				}
				rd.src.n = 0
				continue
			}
			return rd.decode(&t)
		default:
			// Declarations, whitespace, comments and stray text between
			// documents carry nothing.
			rd.src.n = 0
		}
	}
}

func (rd *ResponseDecoder) decode(start *xml.StartElement) (*Response, error) {
	var resp Response
	if err := rd.d.DecodeElement(&resp, start); err != nil {
		return nil, rd.fail(err)
	}
	if rd.dirty {
		// Drop the cut-short document's open elements: the decoder has
		// consumed exactly up to this document's closing '>', so a fresh
		// one continues from the same byte.
		rd.d, rd.dirty = rd.newXML(), false
	}
	return &resp, nil
}

// fail classifies an error: reader errors end the stream, anything the XML
// decoder complains about is a skipped document.
func (rd *ResponseDecoder) fail(err error) error {
	if rd.src.err != nil {
		return rd.src.err
	}
	var nested *errNested
	if errors.As(err, &nested) {
		// The previous document was cut short; the next one has begun and
		// the decoder is inside it, so carry on from its start tag.
		rd.next, rd.dirty = &nested.start, true
		return &MalformedError{Err: err}
	}
	rd.stale = true
	return &MalformedError{Err: err}
}

// resync discards bytes up to the next document start and begins a fresh
// XML decoder there.
func (rd *ResponseDecoder) resync() error {
	br := rd.src.br
	var skipped int64
	for {
		b, err := br.ReadByte()
		if err != nil {
			return err
		}
		skipped++
		if skipped > rd.MaxSkip {
			return errSkipLimit
		}
		if b != '<' {
			continue
		}
		if rd.atMark(markResponse) || rd.atMark(markDecl) {
			rd.src.pushBack('<')
			rd.stale = false
			rd.src.err = nil
			rd.d = rd.newXML()
			return nil
		}
	}
}

// atMark reports whether the bytes after a just-read '<' continue mark.
func (rd *ResponseDecoder) atMark(mark []byte) bool {
	rest := mark[1:]
	p, _ := rd.src.br.Peek(len(rest))
	return bytes.Equal(p, rest)
}

// countingReader feeds the XML decoder byte by byte, counts the bytes of
// the current document and remembers the underlying reader's error.
//
// It also turns each raw C0 control byte (other than tab, line feed and
// carriage return) into U+FFFD. XML 1.0 allows them nowhere, so a server
// that writes one into a caller's Ani or CLID would otherwise make the
// whole document, and with it the call, be skipped; as U+FFFD the text
// decodes and model.Clean shows it safely.
type countingReader struct {
	br     *bufio.Reader
	n      int64
	max    int64
	err    error
	back   byte
	hasBak bool
	repl   []byte // the rest of a U+FFFD being returned
}

// pushBack makes b the next byte read.
func (c *countingReader) pushBack(b byte) { c.back, c.hasBak = b, true }

func (c *countingReader) ReadByte() (byte, error) {
	if c.hasBak {
		c.hasBak = false
		c.n++
		return c.back, nil
	}
	if len(c.repl) > 0 {
		b := c.repl[0]
		c.repl = c.repl[1:]
		c.n++
		return b, nil
	}
	if c.n >= c.max {
		c.err = fmt.Errorf("%w (over %d bytes)", ErrDocumentTooLarge, c.max)
		return 0, c.err
	}
	b, err := c.br.ReadByte()
	if err != nil {
		c.err = err
		return 0, err
	}
	c.n++
	if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
		c.repl = replacement[1:]
		return replacement[0], nil
	}
	return b, nil
}

// replacement is U+FFFD in UTF-8.
var replacement = []byte("\uFFFD")

func (c *countingReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	b, err := c.ReadByte()
	if err != nil {
		return 0, err
	}
	p[0] = b
	return 1, nil
}
