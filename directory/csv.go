package directory

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A quoted field may span at most this many bytes and lines: a stray quote
// must not swallow the rest of a large file as one field, and retrying after
// it must stay cheap.
const (
	maxQuotedLen   = 16 << 10
	maxQuotedLines = 50
)

// record is one CSV record and the line it starts on.
type record struct {
	line   int
	fields []string
}

// csvScanner is a forgiving RFC 4180 reader. Quotes inside an unquoted field
// are literal, text after a closing quote is kept, records may have any number
// of fields, line ends may be LF, CRLF or CR, and a quoted field that never
// closes costs only its own record.
type csvScanner struct {
	s     string
	pos   int
	line  int
	delim byte
}

// next returns the next record. bad is non-empty when the record was broken
// and skipped. ok is false at the end of input.
func (r *csvScanner) next() (rec record, bad string, ok bool) {
	if r.pos >= len(r.s) {
		return record{}, "", false
	}
	rec.line = r.line
	var field strings.Builder
	for {
		field.Reset()
		if r.pos < len(r.s) && r.s[r.pos] == '"' {
			quoteLine := r.line
			quotePos := r.pos
			r.pos++
			closed := false
			for r.pos < len(r.s) && field.Len() <= maxQuotedLen && r.line-quoteLine <= maxQuotedLines {
				c := r.s[r.pos]
				if c == '"' {
					if r.pos+1 < len(r.s) && r.s[r.pos+1] == '"' {
						field.WriteByte('"')
						r.pos += 2
						continue
					}
					r.pos++
					closed = true
					break
				}
				if c == '\n' {
					r.line++
				}
				field.WriteByte(c)
				r.pos++
			}
			if !closed {
				// Resume on the line after the opening quote.
				r.line = quoteLine
				r.pos = quotePos
				r.skipLine()
				return rec, fmt.Sprintf("unterminated quoted field (line %d)", quoteLine), true
			}
		}
		// The field up to the delimiter: all of an unquoted one, and
		// anything after a quoted one's closing quote.
		for r.pos < len(r.s) && r.s[r.pos] != r.delim && r.s[r.pos] != '\n' && r.s[r.pos] != '\r' {
			field.WriteByte(r.s[r.pos])
			r.pos++
		}
		rec.fields = append(rec.fields, field.String())
		if r.pos < len(r.s) && r.s[r.pos] == r.delim {
			r.pos++
			continue
		}
		r.endLine()
		return rec, "", true
	}
}

// endLine consumes one line ending (LF, CRLF or CR) if present.
func (r *csvScanner) endLine() {
	if r.pos >= len(r.s) {
		return
	}
	if r.s[r.pos] == '\r' {
		r.pos++
		if r.pos < len(r.s) && r.s[r.pos] == '\n' {
			r.pos++
		}
		r.line++
		return
	}
	if r.s[r.pos] == '\n' {
		r.pos++
		r.line++
	}
}

// skipLine moves to the start of the next line.
func (r *csvScanner) skipLine() {
	for r.pos < len(r.s) && r.s[r.pos] != '\n' && r.s[r.pos] != '\r' {
		r.pos++
	}
	r.endLine()
}

// sniffDelimiter picks ',', ';' or tab by counting them outside quotes on the
// first line. Ties go to the comma.
func sniffDelimiter(line string) byte {
	counts := map[byte]int{}
	quoted := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',' || c == ';' || c == '\t':
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

// column roles.
type role int

const (
	roleNone role = iota
	roleName
	roleFirst
	roleMiddle
	roleLast
	rolePhone
	roleExt
	roleDept
	roleCompany
	roleNotes
	roleEmail
	roleCount
)

// mobileRank is the rank of a mobile phone column.
const mobileRank = 2

// headerRoles maps a folded header (lower case letters only, digits removed)
// to its role. For phone columns the rank orders preference: the work number
// before the mobile before the home number.
var headerRoles = map[string]struct {
	role role
	rank int
}{
	"name": {roleName, 0}, "fullname": {roleName, 0}, "displayname": {roleName, 0},
	"contactname": {roleName, 0}, "contact": {roleName, 0}, "person": {roleName, 0},
	"firstname": {roleFirst, 0}, "givenname": {roleFirst, 0}, "first": {roleFirst, 0}, "forename": {roleFirst, 0},
	"middlename": {roleMiddle, 0}, "additionalname": {roleMiddle, 0},
	"lastname": {roleLast, 0}, "surname": {roleLast, 0}, "familyname": {roleLast, 0}, "last": {roleLast, 0},

	"number": {rolePhone, 0}, "phone": {rolePhone, 0}, "phonenumber": {rolePhone, 0},
	"telephone": {rolePhone, 0}, "tel": {rolePhone, 0}, "telephonenumber": {rolePhone, 0},
	"businessphone": {rolePhone, 0}, "workphone": {rolePhone, 0}, "officephone": {rolePhone, 0},
	"directdial": {rolePhone, 0}, "did": {rolePhone, 0}, "primaryphone": {rolePhone, 0},
	"companymainphone": {rolePhone, 1}, "mainphone": {rolePhone, 1},
	"mobile": {rolePhone, mobileRank}, "mobilephone": {rolePhone, mobileRank}, "mobilenumber": {rolePhone, mobileRank},
	"cell": {rolePhone, mobileRank}, "cellphone": {rolePhone, mobileRank}, "cellular": {rolePhone, mobileRank},
	"homephone": {rolePhone, 3}, "home": {rolePhone, 3}, "otherphone": {rolePhone, 4},
	"phonevalue": {rolePhone, 5}, // Google: "Phone 1 - Value"

	"extension": {roleExt, 0}, "ext": {roleExt, 0}, "extn": {roleExt, 0}, "x": {roleExt, 0},

	"department": {roleDept, 0}, "dept": {roleDept, 0}, "team": {roleDept, 0}, "group": {roleDept, 0},
	"company": {roleCompany, 0}, "companyname": {roleCompany, 0}, "organization": {roleCompany, 0},
	"organisation": {roleCompany, 0}, "org": {roleCompany, 0}, "organizationname": {roleCompany, 0},

	"notes": {roleNotes, 0}, "note": {roleNotes, 0}, "comments": {roleNotes, 0},
	"comment": {roleNotes, 0}, "description": {roleNotes, 0}, "memo": {roleNotes, 0},

	"email": {roleEmail, 0}, "emailaddress": {roleEmail, 0}, "mail": {roleEmail, 0},
	"emailvalue": {roleEmail, 1}, // Google: "E-mail 1 - Value"
}

// foldHeader lower-cases a header and keeps only its letters, so that
// "E-mail Address", "Business Phone 2" and "Phone 1 - Value" compare as
// "emailaddress", "businessphone" and "phonevalue".
func foldHeader(h string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(h) {
		if r >= 'a' && r <= 'z' {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}

type phoneColumn struct{ col, rank int }

// layout says which column holds what.
type layout struct {
	cols   [roleCount]int // each role's column, -1 when absent (phones: see phones)
	phones []phoneColumn
}

func newLayout() layout {
	var l layout
	for r := range l.cols {
		l.cols[r] = -1
	}
	return l
}

// has reports whether any of roles has a column.
func (l layout) has(roles ...role) bool {
	for _, r := range roles {
		if l.cols[r] >= 0 {
			return true
		}
	}
	return false
}

// headerLayout interprets a header record. recognised is false when the
// record names neither a name nor a number column (a file without header).
// The first column of a role counts; every phone column does, in order of
// rank (columns of equal rank in the file's order).
func headerLayout(fields []string) (l layout, recognised bool) {
	l = newLayout()
	for col, h := range fields {
		hr, ok := headerRoles[foldHeader(h)]
		switch {
		case !ok:
		case hr.role == rolePhone:
			l.phones = append(l.phones, phoneColumn{col, hr.rank})
		case l.cols[hr.role] < 0:
			l.cols[hr.role] = col
		}
	}
	slices.SortStableFunc(l.phones, func(a, b phoneColumn) int { return cmp.Compare(a.rank, b.rank) })
	return l, l.has(roleName, roleFirst, roleLast, roleExt) || len(l.phones) > 0
}

// positionalLayout is used for a file without a recognisable header:
// name, number, extension, department, notes.
func positionalLayout() layout {
	l := newLayout()
	l.cols[roleName], l.cols[roleExt], l.cols[roleDept], l.cols[roleNotes] = 0, 2, 3, 4
	l.phones = []phoneColumn{{1, 0}}
	return l
}

func parseCSV(text string) ([]Contact, []RowError) {
	var rows []RowError
	sc := &csvScanner{s: text, line: 1}

	// Excel may write "sep=;" as the first line.
	firstLine := text
	if i := strings.IndexAny(text, "\r\n"); i >= 0 {
		firstLine = text[:i]
	}
	if l := strings.ToLower(strings.TrimSpace(firstLine)); strings.HasPrefix(l, "sep=") && len(l) == 5 {
		sc.delim = l[4]
		sc.skipLine()
	}

	// The header is the first non-blank record.
	var header record
	for {
		rec, bad, ok := sc.next()
		if !ok {
			return nil, rows
		}
		if bad != "" {
			rows = append(rows, RowError{rec.line, "header: " + bad})
			continue
		}
		if blank(rec.fields) {
			continue
		}
		header = rec
		break
	}
	if sc.delim == 0 {
		// Sniff on the header line and re-read it with that delimiter.
		sc.delim = sniffDelimiter(lineAt(text, header.line))
		sc.pos, sc.line = lineOffset(text, header.line), header.line
		rec, _, _ := sc.next()
		header = rec
	}

	l, recognised := headerLayout(header.fields)
	var out []Contact
	if !recognised {
		l = positionalLayout()
		if c, reason := l.contact(header.fields); reason == "" {
			out = append(out, c)
		} else if reason != "blank" {
			rows = append(rows, RowError{header.line, "no header row recognised; " + reason})
		}
	} else {
		switch {
		case !l.has(roleName, roleFirst, roleLast, roleCompany):
			return nil, append(rows, RowError{header.line, "no name column (looked for name, full name, display name, first name, last name, company)"})
		case len(l.phones) == 0 && !l.has(roleExt):
			return nil, append(rows, RowError{header.line, "no number column (looked for number, phone, telephone, mobile, business phone, work phone, extension)"})
		}
	}
	for {
		rec, bad, ok := sc.next()
		if !ok {
			break
		}
		if bad != "" {
			rows = append(rows, RowError{rec.line, bad})
			continue
		}
		c, reason := l.contact(rec.fields)
		switch reason {
		case "":
			out = append(out, c)
		case "blank":
		default:
			rows = append(rows, RowError{rec.line, reason})
		}
	}
	return out, rows
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// lineOffset returns the byte offset where 1-based line n starts, counting
// LF, CRLF and CR as line ends.
func lineOffset(s string, n int) int {
	line := 1
	for i := 0; i < len(s) && line < n; i++ {
		switch s[i] {
		case '\n':
			line++
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			line++
		}
		if line == n {
			return i + 1
		}
	}
	if n <= 1 {
		return 0
	}
	return len(s)
}

func lineAt(s string, n int) string {
	s = s[lineOffset(s, n):]
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		return s[:i]
	}
	return s
}

// contact builds a contact from one record. reason is "" on success, "blank"
// for a record with nothing in it, otherwise why it was skipped.
func (l layout) contact(fields []string) (Contact, string) {
	field := func(col int) string {
		if col < 0 || col >= len(fields) {
			return ""
		}
		return fields[col]
	}
	get := func(r role) string { return field(l.cols[r]) }
	if blank(fields) {
		return Contact{}, "blank"
	}
	c := Contact{
		Name:       clean(get(roleName), maxFieldLen),
		Department: clean(get(roleDept), maxFieldLen),
		Notes:      clean(get(roleNotes), maxNotesLen),
		Email:      emailAddress(get(roleEmail)),
	}
	company := clean(get(roleCompany), maxFieldLen)
	if c.Name == "" {
		c.Name = clean(strings.Join([]string{get(roleFirst), get(roleMiddle), get(roleLast)}, " "), maxFieldLen)
	}
	if c.Name == "" {
		c.Name = company
	}
	if c.Department == "" {
		c.Department = company
	}

	ext := Digits(get(roleExt))
	for _, p := range l.phones {
		raw := clean(field(p.col), maxFieldLen)
		num, x := splitExtension(raw)
		if Digits(num) == "" {
			continue
		}
		if x != "" && ext == "" && c.Number == "" {
			ext = x
		}
		switch {
		case c.Number == "":
			c.Number = num
		case p.rank == mobileRank && c.Mobile == "":
			c.Mobile = num
		default:
			c.Other = append(c.Other, num)
		}
	}
	return complete(c, ext, csvMissing)
}

// missing says, in a format's own words, what a contact lacks.
type missing struct{ both, name, number string }

var csvMissing = missing{both: "missing name and number", name: "missing name", number: "missing number"}

// complete finishes a contact read from a file: its number and extension
// sorted out (see sortNumberAndExt), and reason, why it is skipped: it
// lacks a name or a number ("" when it has both).
func complete(c Contact, ext string, why missing) (_ Contact, reason string) {
	c.Number, c.Extension = sortNumberAndExt(c.Number, ext, &c.Other)
	noNumber := c.Number == "" && c.Extension == ""
	switch {
	case c.Name == "" && noNumber:
		return Contact{}, why.both
	case c.Name == "":
		return Contact{}, why.name
	case noNumber:
		return Contact{}, why.number
	}
	return c, ""
}

// sortNumberAndExt puts a short number in the extension and a long
// "extension" in the numbers.
func sortNumberAndExt(number, ext string, other *[]string) (string, string) {
	if ext == "" && number != "" && len(Digits(number)) <= maxExtDigits {
		return "", Digits(number)
	}
	if len(ext) > maxExtDigits {
		if number == "" {
			return ext, ""
		}
		*other = append(*other, ext)
		return number, ""
	}
	return number, ext
}
