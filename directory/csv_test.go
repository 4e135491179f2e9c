package directory

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/frontdesk/frontdesk/model"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []Contact // sorted by name
		lines []int     // lines of the row errors
	}{
		{
			name: "plain",
			in:   "Name,Number,Extension,Department,Notes\nAlice Adams,646-555-0101,1234,Sales,VIP\nBob Brown,(917) 555-0102,,Acme,\n",
			want: []Contact{
				{Name: "Alice Adams", Number: "646-555-0101", Extension: "1234", Department: "Sales", Notes: "VIP"},
				{Name: "Bob Brown", Number: "(917) 555-0102", Department: "Acme"},
			},
		},
		{
			name: "BOM, CRLF, semicolons and header case",
			in:   "\uFEFFNAME;TELEPHONE;EXT;DEPT\r\nAlice;6465550101;12;Sales\r\nBob;9175550102;;\r\n",
			want: []Contact{
				{Name: "Alice", Number: "6465550101", Extension: "12", Department: "Sales"},
				{Name: "Bob", Number: "9175550102"},
			},
		},
		{
			name: "tabs",
			in:   "full name\tmobile\tcompany\nAlice\t646 555 0101\tAcme, Inc.\n",
			want: []Contact{{Name: "Alice", Number: "646 555 0101", Department: "Acme, Inc."}},
		},
		{
			name: "excel sep line",
			in:   "sep=;\nName;Phone\nAlice, the first;6465550101\n",
			want: []Contact{{Name: "Alice, the first", Number: "6465550101"}},
		},
		{
			name: "quoted fields with delimiters, quotes and line breaks",
			in:   "Name,Phone,Notes\n\"Adams, Alice\",\"646-555-0101\",\"says \"\"hi\"\"\nand more\"\nBob,9175550102,x\n",
			want: []Contact{
				{Name: "Adams, Alice", Number: "646-555-0101", Notes: `says "hi" and more`},
				{Name: "Bob", Number: "9175550102", Notes: "x"},
			},
		},
		{
			name: "outlook export: first/last, business phone, mobile, company",
			in: "First Name,Middle Name,Last Name,Company,Department,Business Phone,Business Phone 2,Mobile Phone,Business Fax\n" +
				"Alice,B.,Adams,Acme,Sales,646-555-0101 x204,,917-555-0199,212-555-0000\n" +
				",,,Acme Corp,,212-555-0150,,,\n",
			want: []Contact{
				{Name: "Acme Corp", Number: "212-555-0150", Department: "Acme Corp"},
				{Name: "Alice B. Adams", Number: "646-555-0101", Extension: "204", Department: "Sales", Mobile: "917-555-0199"},
			},
		},
		{
			name: "google export",
			in:   "Name,Given Name,Family Name,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Organization 1 - Name\nAlice Adams,Alice,Adams,Work,+1 646-555-0101,Mobile,+1 917-555-0199,Acme\n",
			want: []Contact{{Name: "Alice Adams", Number: "+1 646-555-0101", Department: "Acme", Other: []string{"+1 917-555-0199"}}},
		},
		{
			name: "extra and missing columns",
			in:   "Name,Number,Extension\nAlice,6465550101,11,extra,more\nBob,9175550102\nCarol\n",
			want: []Contact{
				{Name: "Alice", Number: "6465550101", Extension: "11"},
				{Name: "Bob", Number: "9175550102"},
			},
			lines: []int{4},
		},
		{
			name: "missing name and missing number",
			in:   "Name,Number\n,6465550101\nBob,\nCarol,n/a\nDave,555-0104\n",
			want: []Contact{
				{Name: "Dave", Number: "555-0104"},
			},
			lines: []int{2, 3, 4},
		},
		{
			name: "short number is an extension",
			in:   "Name,Number\nAlice,1234\n",
			want: []Contact{{Name: "Alice", Extension: "1234"}},
		},
		{
			name: "unterminated quote costs only its row",
			in:   "Name,Number\nAlice,6465550101\n\"Bob,9175550102\nCarol,2125550103\n",
			want: []Contact{
				{Name: "Alice", Number: "6465550101"},
				{Name: "Carol", Number: "2125550103"},
			},
			lines: []int{3},
		},
		{
			name: "stray quote inside a field is literal",
			in:   "Name,Number\nAl \"the boss\" Adams,6465550101\n\"Bob\" Brown,9175550102\n",
			want: []Contact{
				{Name: `Al "the boss" Adams`, Number: "6465550101"},
				{Name: "Bob Brown", Number: "9175550102"},
			},
		},
		{
			name: "blank lines and empty rows are skipped silently",
			in:   "\n\nName,Number\n\n,,\nAlice,6465550101\n , \n",
			want: []Contact{{Name: "Alice", Number: "6465550101"}},
		},
		{
			name: "control characters are removed",
			in:   "Name,Number\n\"Al\x1b[31mice\u202e\",6465550101\n",
			want: []Contact{{Name: "Al[31mice", Number: "6465550101"}},
		},
		{
			name: "no header: name, number, extension, department",
			in:   "Alice,6465550101,11,Sales\nBob,9175550102\n",
			want: []Contact{
				{Name: "Alice", Number: "6465550101", Extension: "11", Department: "Sales"},
				{Name: "Bob", Number: "9175550102"},
			},
		},
		{
			name: "e-mail column, with and without a display name, and a bad one",
			in:   "Name,Number,E-mail Address\nAda,6465550101,Ada Lovelace <ada@example.com>\nBob,9175550102,bob@example.com\nCy,7185550103,not an address\n",
			want: []Contact{
				{Name: "Ada", Number: "6465550101", Email: "ada@example.com"},
				{Name: "Bob", Number: "9175550102", Email: "bob@example.com"},
				{Name: "Cy", Number: "7185550103"},
			},
		},
		{
			name:  "header without a number column",
			in:    "Name,Email\nAlice,a@example.com\n",
			lines: []int{1},
		},
		{name: "empty file", in: ""},
		{name: "header only", in: "Name,Number,Extension\r\n"},
		{
			name:  "old mac line ends",
			in:    "Name,Number\rAlice,6465550101\rBob,\r",
			want:  []Contact{{Name: "Alice", Number: "6465550101"}},
			lines: []int{3},
		},
		{
			name: "windows-1252",
			in:   "Name,Number\nJos\xe9 M\xfcller \x96 Sales,6465550101\n",
			want: []Contact{{Name: "José Müller – Sales", Number: "6465550101"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, rows, err := ParseCSV([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseCSV: %v", err)
			}
			if got := d.Contacts(); !reflect.DeepEqual(got, tt.want) && (len(got) > 0 || len(tt.want) > 0) {
				t.Errorf("contacts:\n got %#v\nwant %#v", got, tt.want)
			}
			var lines []int
			for _, r := range rows {
				lines = append(lines, r.Line)
				if r.Reason == "" {
					t.Errorf("row error without a reason: %+v", r)
				}
			}
			if !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("row error lines = %v, want %v (%v)", lines, tt.lines, rows)
			}
		})
	}
}

func TestParseCSVReasons(t *testing.T) {
	_, rows, _ := ParseCSV([]byte("Name,Number\n,6465550101\nBob,\n\"Carol,1\n"))
	want := []RowError{{2, "missing name"}, {3, "missing number"}, {4, "unterminated quoted field (line 4)"}}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows = %v, want %v", rows, want)
	}
	if got := rows[0].Error(); got != "line 2: missing name" {
		t.Errorf("Error() = %q", got)
	}
}

func TestParseCSVUTF16(t *testing.T) {
	text := "Name\tPhone\r\nZoë\t6465550101\r\n"
	u := utf16.Encode([]rune(text))
	le := []byte{0xFF, 0xFE}
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
	}
	d, rows, err := ParseCSV(le)
	if err != nil || len(rows) != 0 {
		t.Fatalf("ParseCSV: %v %v", err, rows)
	}
	if c, ok := d.Lookup("6465550101"); !ok || c.Name != "Zoë" {
		t.Fatalf("Lookup = %+v %v", c, ok)
	}
}

func TestParseCSVBinary(t *testing.T) {
	for name, in := range map[string][]byte{
		"NUL bytes": {0x00, 0x01, 0x02, 0xff, 0x00, 'a', ','},
		"workbook":  []byte("PK\x03\x04\x14\x00\x06\x00 [Content_Types].xml"),
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := ParseCSV(in)
			if !errors.Is(err, ErrNotText) {
				t.Fatalf("err = %v, want ErrNotText", err)
			}
		})
	}
	// Junk without NUL bytes is text: it yields row errors, not a crash.
	junk := []byte("\xff\xfe\xfd\x80,\x81\n\x01\x02,\x03\n")
	if _, _, err := ParseCSV(junk[2:]); err != nil {
		t.Fatalf("junk: %v", err)
	}
}

func TestRowErrorsAreCapped(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("Name,Number\n")
	for range 500 {
		sb.WriteString("Nobody,\n")
	}
	_, rows, err := ParseCSV([]byte(sb.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != maxRowErrors+1 {
		t.Fatalf("%d row errors, want %d", len(rows), maxRowErrors+1)
	}
	if last := rows[len(rows)-1]; !strings.Contains(last.Reason, "400 more") || last.Line != maxRowErrors+2 {
		t.Errorf("summary = %+v", last)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csvPath := write("people.csv", "Name,Number\nAlice,6465550101\n")
	vcfPath := write("people.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Bob\nTEL:9175550102\nEND:VCARD\n")
	sniffed := write("export.dat", "BEGIN:VCARD\nFN:Carol\nTEL:2125550103\nEND:VCARD\n")
	for path, name := range map[string]string{csvPath: "Alice", vcfPath: "Bob", sniffed: "Carol"} {
		d, rows, err := Load(path)
		if err != nil || len(rows) != 0 {
			t.Fatalf("Load(%s): %v %v", path, err, rows)
		}
		if d.Len() != 1 || d.Contacts()[0].Name != name || d.Path() != path {
			t.Errorf("Load(%s) = %+v", path, d.Contacts())
		}
	}
	if _, _, err := Load(filepath.Join(dir, "missing.csv")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	if _, _, err := Load(dir); err == nil {
		t.Error("Load of a directory succeeded")
	}
}

func TestSample(t *testing.T) {
	d, rows, err := ParseCSV(SampleCSV())
	if err != nil || len(rows) != 0 {
		t.Fatalf("sample: %v %v", err, rows)
	}
	if d.Len() < 12 {
		t.Fatalf("sample has %d contacts", d.Len())
	}
	if Sample().Len() != d.Len() {
		t.Error("Sample() differs from SampleCSV()")
	}
	for _, c := range d.Contacts() {
		if c.Number == "" {
			continue
		}
		if k := model.NumberKey(c.Number); len(k) != 10 || k[3:6] != "555" || k[6:8] != "01" {
			t.Errorf("%s: %s is not a fictional 555-01xx number", c.Name, c.Number)
		}
	}
	if c, ok := d.Lookup("+1 212 555 0101"); !ok || c.Extension != "201" {
		t.Errorf("Lookup in sample = %+v %v", c, ok)
	}
}
