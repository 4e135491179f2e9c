package directory

import (
	"cmp"
	"io"
	"mime/quotedprintable"
	"slices"
	"strconv"
	"strings"
)

// vLine is one unfolded vCard content line.
type vLine struct {
	line int
	text string
	qp   bool // quoted-printable (vCard 2.1)
}

// unfoldVCard splits text into logical content lines: a physical line that
// starts with a space or tab continues the previous one, and so does the
// line after a quoted-printable line that ends in a soft break ("=").
func unfoldVCard(text string) []vLine {
	var out []vLine
	var cur strings.Builder // the logical line being assembled
	curLine, curQP := 0, false
	flush := func() {
		if cur.Len() > 0 && strings.TrimSpace(cur.String()) != "" {
			out = append(out, vLine{line: curLine, text: cur.String(), qp: curQP})
		}
		cur.Reset()
	}
	line := 0
	for len(text) > 0 {
		line++
		var phys string
		if i := strings.IndexAny(text, "\r\n"); i >= 0 {
			phys = text[:i]
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			text = text[i+1:]
		} else {
			phys, text = text, ""
		}
		if cur.Len() > 0 {
			if phys != "" && (phys[0] == ' ' || phys[0] == '\t') {
				cur.WriteString(phys[1:])
				continue
			}
			if curQP && strings.HasSuffix(cur.String(), "=") {
				cur.WriteByte('\n')
				cur.WriteString(phys)
				continue
			}
		}
		flush()
		if strings.TrimSpace(phys) == "" {
			continue
		}
		cur.WriteString(phys)
		curLine, curQP = line, isQuotedPrintable(phys)
	}
	flush()
	return out
}

// isQuotedPrintable looks for ENCODING=QUOTED-PRINTABLE (or the bare 2.1
// parameter) before the value.
func isQuotedPrintable(s string) bool {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return strings.Contains(strings.ToUpper(s), "QUOTED-PRINTABLE")
}

// vProp is a parsed content line.
type vProp struct {
	name   string            // upper case, group removed
	params map[string]string // upper-case keys; bare 2.1 parameters are TYPE values
	types  []string          // lower-case TYPE values
	value  string            // raw value (escapes intact, quoted-printable decoded)
}

func parseVProp(l vLine) (vProp, bool) {
	// The name and parameters end at the first colon outside double quotes.
	quoted := false
	colon := -1
	for i := 0; i < len(l.text) && colon < 0; i++ {
		switch l.text[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				colon = i
			}
		}
	}
	if colon < 0 {
		return vProp{}, false
	}
	head, value := l.text[:colon], l.text[colon+1:]
	parts := splitUnquoted(head, ';')
	name := strings.ToUpper(strings.TrimSpace(parts[0]))
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:]
	}
	p := vProp{name: name, params: map[string]string{}}
	for _, param := range parts[1:] {
		k, v, hasValue := strings.Cut(param, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		v = strings.Trim(strings.TrimSpace(v), `"`)
		if !hasValue {
			p.types = append(p.types, strings.ToLower(k))
			continue
		}
		p.params[k] = v
		if k == "TYPE" {
			for _, t := range strings.Split(v, ",") {
				p.types = append(p.types, strings.ToLower(strings.TrimSpace(t)))
			}
		}
	}
	if l.qp {
		if b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(value))); err == nil {
			value = string(b)
		}
	}
	p.value = value
	return p, true
}

func splitUnquoted(s string, sep byte) []string {
	var parts []string
	quoted := false
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case sep:
			if !quoted {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// splitValue splits a structured value (N, ORG) on unescaped semicolons and
// unescapes each component.
func splitValue(v string) []string {
	var parts []string
	var sb strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v):
			i++
			switch v[i] {
			case 'n', 'N':
				sb.WriteByte('\n')
			default:
				sb.WriteByte(v[i])
			}
		case c == ';':
			parts = append(parts, sb.String())
			sb.Reset()
		default:
			sb.WriteByte(c)
		}
	}
	return append(parts, sb.String())
}

// unescapeText undoes vCard text escapes (\n, \, \; \\).
func unescapeText(v string) string { return strings.Join(splitValue(v), ";") }

type vTel struct {
	value      string
	pref, kind int // kind: 0 work, 1 voice, mobileKind, 3 home, 5 fax or pager
	order      int
}

// vCard is a card being read.
type vCard struct {
	line  int
	fn, n string
	org   string
	notes []string
	email string
	tels  []vTel
}

func (v *vCard) add(p vProp) {
	switch p.name {
	case "FN":
		if v.fn == "" {
			v.fn = clean(unescapeText(p.value), maxFieldLen)
		}
	case "N":
		if v.n == "" {
			// Family;Given;Additional;Prefix;Suffix
			c := splitValue(p.value)
			for len(c) < 3 {
				c = append(c, "")
			}
			v.n = clean(strings.Join([]string{c[1], c[2], c[0]}, " "), maxFieldLen)
		}
	case "ORG":
		if v.org == "" {
			var units []string
			for _, u := range splitValue(p.value) {
				if u = clean(u, maxFieldLen); u != "" {
					units = append(units, u)
				}
			}
			v.org = clean(strings.Join(units, ", "), maxFieldLen)
		}
	case "NOTE":
		v.notes = append(v.notes, unescapeText(p.value))
	case "EMAIL":
		// The first address, or the one marked preferred.
		preferred := slices.Contains(p.types, "pref") || p.params["PREF"] == "1"
		if addr := emailAddress(unescapeText(strings.TrimPrefix(p.value, "mailto:"))); addr != "" && (v.email == "" || preferred) {
			v.email = addr
		}
	case "TEL":
		value := strings.TrimSpace(p.value)
		if len(value) >= 4 && strings.EqualFold(value[:4], "tel:") {
			value = value[4:]
		}
		t := vTel{value: clean(unescapeText(value), maxFieldLen), pref: 100, kind: 1, order: len(v.tels)}
		if n, err := strconv.Atoi(p.params["PREF"]); err == nil && n > 0 && n < 100 {
			t.pref = n
		}
		kind := 1
		for _, ty := range p.types {
			switch ty {
			case "pref":
				t.pref = min(t.pref, 1)
			case "work":
				kind = min(kind, 0)
			case "cell", "mobile":
				kind = max(kind, mobileKind)
			case "home":
				kind = max(kind, 3)
			case "fax", "pager":
				kind = 5
			}
		}
		t.kind = kind
		v.tels = append(v.tels, t)
	}
}

// mobileKind is the kind of a TEL of TYPE cell or mobile.
const mobileKind = 2

func (v *vCard) contact() (Contact, string) {
	c := Contact{Name: v.fn, Department: v.org, Notes: clean(strings.Join(v.notes, " "), maxNotesLen), Email: v.email}
	if c.Name == "" {
		c.Name = v.n
	}
	if c.Name == "" {
		c.Name = v.org
	}
	slices.SortStableFunc(v.tels, func(a, b vTel) int {
		if d := cmp.Compare(a.pref, b.pref); d != 0 {
			return d
		}
		return cmp.Compare(a.kind, b.kind)
	})
	var ext string
	for _, t := range v.tels {
		num, x := splitExtension(t.value)
		d := Digits(num)
		switch {
		case d == "":
		case len(d) <= maxExtDigits && ext == "":
			ext = d
		case c.Number == "" && len(d) > maxExtDigits:
			c.Number = num
			if ext == "" {
				ext = x
			}
		case t.kind == mobileKind && c.Mobile == "":
			c.Mobile = num
		default:
			c.Other = append(c.Other, num)
		}
	}
	return complete(c, ext, vcardMissing)
}

var vcardMissing = missing{both: "card without a name or number", name: "missing name (no FN, N or ORG)", number: "missing number (no usable TEL)"}

func parseVCard(text string) ([]Contact, []RowError) {
	var out []Contact
	var rows []RowError
	var card *vCard
	sawCard := false
	finish := func() {
		if card == nil {
			return
		}
		if c, reason := card.contact(); reason == "" {
			out = append(out, c)
		} else {
			rows = append(rows, RowError{card.line, reason})
		}
		card = nil
	}
	for _, l := range unfoldVCard(text) {
		p, ok := parseVProp(l)
		if !ok {
			continue
		}
		switch {
		case p.name == "BEGIN" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			finish() // a card without END is kept if it is usable
			card = &vCard{line: l.line}
			sawCard = true
		case p.name == "END" && strings.EqualFold(strings.TrimSpace(p.value), "VCARD"):
			finish()
		case card != nil:
			card.add(p)
		}
	}
	finish()
	if !sawCard && strings.TrimSpace(text) != "" {
		rows = append(rows, RowError{1, "no vCard found (expected BEGIN:VCARD)"})
	}
	return out, rows
}
