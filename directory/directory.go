// Package directory holds the receptionist's contacts: it loads them from a
// CSV or vCard file, names callers by their number and finds people by a
// fuzzy search for dial-by-name.
//
// Number matching is deliberately simple. Every number is reduced to its
// digits; an 11-digit North American number starting with 1 is matched
// without the 1, and an international number written with 011 or 00 in front
// is matched without that prefix. A contact is found by any of its numbers
// and by its extension (up to six digits). So a contact with Extension 1234
// and Number 646-555-1234 is found by "1234", "6465551234", "16465551234" and
// "+1 646-555-1234". A full number is never guessed from an extension alone:
// a contact listed only as x1234 is not found by 646-555-1234.
package directory

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// Contact is one person or organisation the receptionist deals with.
type Contact struct {
	Name       string
	Number     string // as written in the file, e.g. "(646) 555-0101"
	Extension  string // digits only
	Department string // or company, for people outside the firm
	Notes      string
	Email      string // where messages for this contact are mailed; empty if none
	Mobile     string // a mobile number besides Number, as written in the file
	// Other holds further numbers for the same contact (a vCard with several
	// TEL lines, a spreadsheet with mobile and work columns). Lookup finds the
	// contact by any of them. The slice of a contact returned by Lookup or
	// Search is shared with the directory: do not modify it.
	Other []string
}

// RowError reports one record of a contacts file that was skipped.
type RowError struct {
	Line   int // 1-based line where the record starts
	Reason string
}

func (e RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Match is one search result.
type Match struct {
	Contact Contact
	Score   int
	// Text is the string the query was matched against: the name, the
	// department, the digits of each number and the extension, separated by
	// spaces. Indexes are byte offsets into Text of the matched characters.
	Text    string
	Indexes []int
}

// NameIndexes returns the matched byte offsets that fall inside
// Contact.Name (Text starts with the name), for highlighting.
func (m Match) NameIndexes() []int {
	n := len(m.Contact.Name)
	var out []int
	for _, i := range m.Indexes {
		if i < n {
			out = append(out, i)
		}
	}
	return out
}

// Directory is an immutable, loaded set of contacts. It is safe for
// concurrent use.
type Directory struct {
	contacts []Contact // sorted by name
	haystack []string  // search text per contact, same order
	tokens   [][]token // the words of each haystack, for search
	byNumber map[string]int
	byExt    map[string]int

	path  string
	stamp fileStamp
}

// New builds a directory from contacts, e.g. a demo list. Contacts without a
// name or without any number are kept for search but cannot be looked up by
// number. When two contacts share a number, the first in the list owns it.
func New(contacts []Contact) *Directory {
	n := len(contacts)
	// Sort positions rather than contacts so that the file order is still
	// known when indexing numbers. The sort is stable: people with the same
	// name keep the file's order.
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	folded := make([]string, n)
	for i, c := range contacts {
		folded[i] = strings.ToLower(c.Name)
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(folded[a], folded[b]) })

	d := &Directory{
		contacts: make([]Contact, n),
		haystack: make([]string, n),
		tokens:   make([][]token, n),
		byNumber: make(map[string]int, n),
		byExt:    make(map[string]int, n),
	}
	sortedAt := make([]int, n)
	for i, o := range order {
		c := contacts[o]
		c.Other = slices.Clone(c.Other)
		d.contacts[i] = c
		sortedAt[o] = i

		d.haystack[i], d.tokens[i] = searchText(c)
	}
	// Index in file order, so that the first contact in the file owns a
	// number that several share.
	for o := range contacts {
		i := sortedAt[o]
		c := d.contacts[i]
		if ext := Digits(c.Extension); ext != "" {
			addKey(d.byExt, ext, i)
		}
		for _, num := range c.numbers() {
			k := model.NumberKey(num)
			switch {
			case k == "":
			case len(k) <= maxExtDigits:
				addKey(d.byExt, k, i)
			default:
				addKey(d.byNumber, k, i)
			}
		}
	}
	return d
}

// numbers returns Number, Mobile and Other.
func (c Contact) numbers() []string {
	if len(c.Other) == 0 && c.Mobile == "" {
		return []string{c.Number}
	}
	out := make([]string, 0, 2+len(c.Other))
	out = append(out, c.Number)
	if c.Mobile != "" {
		out = append(out, c.Mobile)
	}
	return append(out, c.Other...)
}

// Dialable is one way to reach a contact: what it is and what to dial.
type Dialable struct {
	Kind   string // "number", "extension", "mobile" or "other"
	Number string // as written in the file; an extension is its digits alone
}

// Dialables lists the ways to reach c, in the order to offer them: the
// number, the extension, the mobile, then any others; a number written
// twice is offered once. An extension is dialled as the extension, never
// glued to the main number.
func (c Contact) Dialables() []Dialable {
	var out []Dialable
	seen := map[string]bool{}
	add := func(kind, number string) {
		k := model.NumberKey(number)
		if k == "" || seen[k] {
			return
		}
		seen[k] = true
		out = append(out, Dialable{Kind: kind, Number: number})
	}
	add("number", c.Number)
	add("extension", Digits(c.Extension))
	add("mobile", c.Mobile)
	for _, o := range c.Other {
		add("other", o)
	}
	return out
}

func addKey(m map[string]int, k string, i int) {
	if _, taken := m[k]; !taken {
		m[k] = i
	}
}

// Len returns the number of contacts.
func (d *Directory) Len() int {
	if d == nil {
		return 0
	}
	return len(d.contacts)
}

// Contacts returns every contact, sorted by name. The slice is a copy.
func (d *Directory) Contacts() []Contact {
	if d == nil {
		return nil
	}
	return slices.Clone(d.contacts)
}

// Path returns the file the directory was loaded from ("" for New).
func (d *Directory) Path() string {
	if d == nil {
		return ""
	}
	return d.path
}

// Lookup finds the contact for a caller's number as the phone system reports
// it (any punctuation, with or without +1) or an extension. See the package
// documentation for the rules.
func (d *Directory) Lookup(raw string) (Contact, bool) {
	if d == nil {
		return Contact{}, false
	}
	k := model.NumberKey(raw)
	if k == "" {
		return Contact{}, false
	}
	if len(k) <= maxExtDigits {
		if i, ok := d.byExt[k]; ok {
			return d.contacts[i], true
		}
		return Contact{}, false
	}
	if i, ok := d.byNumber[k]; ok {
		return d.contacts[i], true
	}
	return Contact{}, false
}

// Named finds the contact whose name is name, ignoring case and surrounding
// space: the person a message is for, chosen from the directory. Two
// contacts with one name are one person only if they share an address, so
// a name that is not unique by address finds nobody.
func (d *Directory) Named(name string) (Contact, bool) {
	if d == nil {
		return Contact{}, false
	}
	name = strings.TrimSpace(name)
	var found Contact
	n := 0
	for _, c := range d.contacts {
		if !strings.EqualFold(c.Name, name) {
			continue
		}
		if n > 0 && c.Email != found.Email {
			return Contact{}, false
		}
		found, n = c, n+1
	}
	return found, n > 0
}

// isPhoneLike reports whether q has digits and otherwise only the
// punctuation people type in phone numbers.
func isPhoneLike(q string) bool {
	digits := false
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits = true
		case strings.ContainsRune("+-(). ", r):
		default:
			return false
		}
	}
	return digits
}

// Load reads a contacts file. The format is chosen by the file's extension:
// .vcf and .vcard are vCards, .csv, .tsv and .txt are delimited text; any
// other name is sniffed (a file containing BEGIN:VCARD is a vCard). Records
// that cannot be used are skipped and reported as row errors; the error is
// non-nil only when the file cannot be read at all.
func Load(path string) (*Directory, []RowError, error) {
	return LoadContext(context.Background(), path)
}

// LoadContext is Load, given up when ctx ends. Only a regular file is read,
// and at most maxFileSize bytes of it: a FIFO, a device such as /dev/zero
// or a file that keeps growing must not hang the caller or fill memory.
func LoadContext(ctx context.Context, path string) (*Directory, []RowError, error) {
	b, st, err := readContacts(ctx, path)
	if err != nil {
		return nil, nil, fmt.Errorf("contacts: %w", err)
	}
	d, rows, err := parse(b, formatFor(path, b))
	if err != nil {
		return nil, nil, fmt.Errorf("contacts: %s: %w", path, err)
	}
	d.path = path
	d.stamp = stampOf(st)
	return d, rows, nil
}

// readContacts reads a regular file of at most maxFileSize bytes.
func readContacts(ctx context.Context, path string) ([]byte, os.FileInfo, error) {
	// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	// writer; it has no effect on a regular file.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, nil, err
	case st.IsDir():
		return nil, nil, fmt.Errorf("%s is a directory", path)
	case !st.Mode().IsRegular():
		return nil, nil, fmt.Errorf("%s is not a regular file", path)
	case st.Size() > maxFileSize:
		return nil, nil, fmt.Errorf("%s is too large (%d bytes, limit %d)", path, st.Size(), maxFileSize)
	}
	b := make([]byte, 0, st.Size()+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		if len(b) == cap(b) {
			b = slices.Grow(b, 64<<10)
		}
		n, err := f.Read(b[len(b):min(cap(b), maxFileSize+1)])
		b = b[:len(b)+n]
		if len(b) > maxFileSize {
			return nil, nil, fmt.Errorf("%s is too large (over %d bytes)", path, maxFileSize)
		}
		if errors.Is(err, io.EOF) {
			return b, st, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
}

type format int

const (
	formatCSV format = iota
	formatVCard
)

func formatFor(path string, b []byte) format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".vcf", ".vcard":
		return formatVCard
	case ".csv", ".tsv", ".txt":
		return formatCSV
	}
	if len(b) > 4096 {
		b = b[:4096]
	}
	if strings.Contains(strings.ToUpper(string(b)), "BEGIN:VCARD") {
		return formatVCard
	}
	return formatCSV
}

func parse(b []byte, f format) (*Directory, []RowError, error) {
	text, err := decodeText(b)
	if err != nil {
		return nil, nil, err
	}
	var cs []Contact
	var rows []RowError
	if f == formatVCard {
		cs, rows = parseVCard(text)
	} else {
		cs, rows = parseCSV(text)
	}
	return New(cs), capRows(rows), nil
}

func capRows(rows []RowError) []RowError {
	if len(rows) <= maxRowErrors {
		return rows
	}
	more := len(rows) - maxRowErrors
	rows = append(rows[:maxRowErrors:maxRowErrors], RowError{
		Line:   rows[maxRowErrors].Line,
		Reason: fmt.Sprintf("%d more records skipped from here on", more),
	})
	return rows
}

// ParseCSV reads delimited contacts from b (see Load).
func ParseCSV(b []byte) (*Directory, []RowError, error) { return parse(b, formatCSV) }

// ParseVCard reads vCard contacts from b (see Load).
func ParseVCard(b []byte) (*Directory, []RowError, error) { return parse(b, formatVCard) }

// fileStamp is what the watcher compares to notice a change.
type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(st os.FileInfo) fileStamp { return fileStamp{st.ModTime(), st.Size()} }

func (s fileStamp) equal(o fileStamp) bool { return s.mod.Equal(o.mod) && s.size == o.size }
