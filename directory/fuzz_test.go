package directory

import (
	"strings"
	"testing"
)

// checkParsed asserts what must hold for any input: no panic (implicit),
// every contact usable, every row error explained, lookups consistent.
func checkParsed(t *testing.T, d *Directory, rows []RowError, err error) {
	t.Helper()
	if err != nil {
		if d != nil {
			t.Fatalf("error %v with a directory", err)
		}
		return
	}
	if len(rows) > maxRowErrors+1 {
		t.Fatalf("%d row errors", len(rows))
	}
	for _, r := range rows {
		if r.Line < 1 || r.Reason == "" {
			t.Fatalf("bad row error %+v", r)
		}
	}
	for _, c := range d.Contacts() {
		if c.Name == "" || (Digits(c.Number) == "" && c.Extension == "") {
			t.Fatalf("unusable contact %#v", c)
		}
		if strings.ContainsFunc(c.Name+c.Number+c.Department+c.Notes, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Fatalf("control character in %#v", c)
		}
		if got, ok := d.Lookup(c.Number + " " + c.Extension); c.Extension == "" && c.Number != "" && !ok {
			t.Fatalf("contact %#v not found by its number (got %#v)", c, got)
		}
	}
	d.Search("a", 5)
	d.Search("1", 5)
}

func FuzzLoadCSV(f *testing.F) {
	f.Add([]byte("Name,Number,Extension,Department,Notes\nAlice,646-555-0101,1234,Sales,VIP\n"))
	f.Add([]byte("\uFEFFname;phone\r\n\"Bob \"\"B\"\"\";917 555 0102\r\n"))
	f.Add([]byte("sep=\t\nFirst Name\tLast Name\tMobile Phone\tCompany\nA\tB\t+1 (718) 555-0111 x2\tC\n"))
	f.Add([]byte("Name,Number\n\"unterminated,1\nCarol,2125550103\n"))
	f.Add([]byte{0xFF, 0xFE, 'N', 0, ',', 0, 'P', 0})
	f.Add(SampleCSV())
	f.Fuzz(func(t *testing.T, b []byte) {
		d, rows, err := ParseCSV(b)
		checkParsed(t, d, rows, err)
	})
}

func FuzzLoadVCard(f *testing.F) {
	f.Add([]byte("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Adams;Alice;;;\r\nFN:Alice Adams\r\nORG:Acme;Sales\r\nTEL;TYPE=WORK:+1 646 555 0101\r\nNOTE:x\\ny\r\nEND:VCARD\r\n"))
	f.Add([]byte("BEGIN:VCARD\nVERSION:4.0\nFN:B\nTEL;VALUE=uri;PREF=1;TYPE=\"voice,work\":tel:+1-646-555-0102;ext=204\nEND:VCARD\n"))
	f.Add([]byte("BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9=\n=\nTEL:1\nEND:VCARD"))
	f.Add([]byte("BEGIN:VCARD\nitem1.TEL:212-555-\n 0103\nBEGIN:VCARD\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, rows, err := ParseVCard(b)
		checkParsed(t, d, rows, err)
	})
}
