package directory

import (
	"fmt"
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
			// Keep anything between the closing quote and the delimiter.
			for r.pos < len(r.s) && r.s[r.pos] != r.delim && r.s[r.pos] != '\n' && r.s[r.pos] != '\r' {
				field.WriteByte(r.s[r.pos])
				r.pos++
			}
		} else {
			for r.pos < len(r.s) && r.s[r.pos] != r.delim && r.s[r.pos] != '\n' && r.s[r.pos] != '\r' {
				field.WriteByte(r.s[r.pos])
				r.pos++
			}
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
	name, first, middle, last, ext, dept, company, notes, email int // -1 when absent
	phones                                                      []phoneColumn
}

func newLayout() layout {
	return layout{name: -1, first: -1, middle: -1, last: -1, ext: -1, dept: -1, company: -1, notes: -1, email: -1}
}

// headerLayout interprets a header record. recognised is false when the
// record names neither a name nor a number column (a file without header).
func headerLayout(fields []string) (l layout, recognised bool) {
	l = newLayout()
	set := func(p *int, col int) {
		if *p < 0 {
			*p = col
		}
	}
	for col, h := range fields {
		hr, ok := headerRoles[foldHeader(h)]
		if !ok {
			continue
		}
		switch hr.role {
		case roleName:
			set(&l.name, col)
		case roleFirst:
			set(&l.first, col)
		case roleMiddle:
			set(&l.middle, col)
		case roleLast:
			set(&l.last, col)
		case rolePhone:
			l.phones = append(l.phones, phoneColumn{col, hr.rank})
		case roleExt:
			set(&l.ext, col)
		case roleDept:
			set(&l.dept, col)
		case roleCompany:
			set(&l.company, col)
		case roleNotes:
			set(&l.notes, col)
		case roleEmail:
			set(&l.email, col)
		}
	}
	// Stable insertion sort by rank: columns of equal rank keep their order.
	for i := 1; i < len(l.phones); i++ {
		for j := i; j > 0 && l.phones[j].rank < l.phones[j-1].rank; j-- {
			l.phones[j], l.phones[j-1] = l.phones[j-1], l.phones[j]
		}
	}
	hasName := l.name >= 0 || l.first >= 0 || l.last >= 0
	hasNumber := len(l.phones) > 0 || l.ext >= 0
	return l, hasName || hasNumber
}

// positionalLayout is used for a file without a recognisable header:
// name, number, extension, department, notes.
func positionalLayout() layout {
	l := newLayout()
	l.name, l.ext, l.dept, l.notes = 0, 2, 3, 4
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
		hasName := l.name >= 0 || l.first >= 0 || l.last >= 0 || l.company >= 0
		hasNumber := len(l.phones) > 0 || l.ext >= 0
		switch {
		case !hasName:
			return nil, append(rows, RowError{header.line, "no name column (looked for name, full name, display name, first name, last name, company)"})
		case !hasNumber:
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
	get := func(col int) string {
		if col < 0 || col >= len(fields) {
			return ""
		}
		return fields[col]
	}
	if blank(fields) {
		return Contact{}, "blank"
	}
	c := Contact{
		Name:       clean(get(l.name), maxFieldLen),
		Department: clean(get(l.dept), maxFieldLen),
		Notes:      clean(get(l.notes), maxNotesLen),
		Email:      emailAddress(get(l.email)),
	}
	company := clean(get(l.company), maxFieldLen)
	if c.Name == "" {
		c.Name = clean(strings.Join([]string{get(l.first), get(l.middle), get(l.last)}, " "), maxFieldLen)
	}
	if c.Name == "" {
		c.Name = company
	}
	if c.Department == "" {
		c.Department = company
	}

	ext := Digits(get(l.ext))
	for _, p := range l.phones {
		raw := clean(get(p.col), maxFieldLen)
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
	c.Number, c.Extension = sortNumberAndExt(c.Number, ext, &c.Other)

	switch {
	case c.Name == "" && c.Number == "" && c.Extension == "":
		return Contact{}, "missing name and number"
	case c.Name == "":
		return Contact{}, "missing name"
	case c.Number == "" && c.Extension == "":
		return Contact{}, "missing number"
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
