package directory

import (
	"reflect"
	"testing"
)

func TestParseVCard(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  []Contact
		lines []int
	}{
		{
			name: "3.0 with several TEL, ORG and NOTE",
			in: "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Adams;Alice;B.;Dr.;\r\nFN:Alice Adams\r\nORG:Acme\\, Inc.;Sales\r\n" +
				"TEL;TYPE=CELL:+1 917 555 0199\r\nTEL;TYPE=WORK,VOICE:+1 646 555 0101\r\nTEL;TYPE=HOME:718-555-0111\r\n" +
				"NOTE:Prefers email\\nafter 5\r\nEND:VCARD\r\n",
			want: []Contact{{
				Name: "Alice Adams", Number: "+1 646 555 0101", Department: "Acme, Inc., Sales",
				Notes: "Prefers email after 5", Mobile: "+1 917 555 0199", Other: []string{"718-555-0111"},
			}},
		},
		{
			name: "EMAIL: the preferred address wins over the first",
			in: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Grace Hopper\r\nTEL:+1 646 555 0104\r\n" +
				"EMAIL;TYPE=INTERNET:grace@home.example\r\nEMAIL;TYPE=INTERNET,PREF:grace@navy.example\r\nEND:VCARD\r\n",
			want: []Contact{{Name: "Grace Hopper", Number: "+1 646 555 0104", Email: "grace@navy.example"}},
		},
		{
			name: "4.0 uri values, PREF and an extension",
			in: "BEGIN:VCARD\nVERSION:4.0\nFN:Bob Brown\nTEL;VALUE=uri;TYPE=\"voice,home\":tel:+1-718-555-0111\n" +
				"TEL;VALUE=uri;PREF=1;TYPE=\"voice,work\":tel:+1-646-555-0102;ext=204\nEND:VCARD\n",
			want: []Contact{{Name: "Bob Brown", Number: "+1-646-555-0102", Extension: "204", Other: []string{"+1-718-555-0111"}}},
		},
		{
			name: "N fallback, grouped properties and folded lines",
			in:   "BEGIN:VCARD\nVERSION:3.0\nN:Cho;Carol;;;\nitem1.TEL:212-555-\n 0103\nitem1.X-ABLabel:Office\nNOTE:a long\n\t note\nEND:VCARD\n",
			want: []Contact{{Name: "Carol Cho", Number: "212-555-0103", Notes: "a long note"}},
		},
		{
			name: "ORG only, short TEL is an extension",
			in:   "BEGIN:VCARD\nVERSION:3.0\nORG:Facilities\nTEL;TYPE=WORK:2208\nEND:VCARD\n",
			want: []Contact{{Name: "Facilities", Extension: "2208", Department: "Facilities"}},
		},
		{
			name: "2.1 quoted-printable and bare types",
			in: "BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jos=C3=A9 M=C3=BC=\nller\n" +
				"TEL;WORK;VOICE:6465550104\nEND:VCARD\n",
			want: []Contact{{Name: "José Müller", Number: "6465550104"}},
		},
		{
			name: "broken quoted-printable does not crash",
			in:   "BEGIN:VCARD\nFN;ENCODING=QUOTED-PRINTABLE:Bad=ZZ=\nTEL:6465550105\nEND:VCARD\n",
			// The soft break joins the TEL line into FN: no number is left.
			lines: []int{1},
		},
		{
			name: "missing name, missing number, missing END",
			in: "BEGIN:VCARD\nTEL:6465550106\nEND:VCARD\nBEGIN:VCARD\nFN:No Number\nEMAIL:x@example.com\nEND:VCARD\n" +
				"BEGIN:VCARD\nFN:Dana\nTEL:6465550107\nBEGIN:VCARD\nFN:Eve\nTEL:6465550108\n",
			want: []Contact{
				{Name: "Dana", Number: "6465550107"},
				{Name: "Eve", Number: "6465550108"},
			},
			lines: []int{1, 4},
		},
		{
			name:  "no cards",
			in:    "hello\nworld\n",
			lines: []int{1},
		},
		{name: "empty", in: ""},
		{
			name: "lines without colons and junk outside cards are ignored",
			in:   "junk\nTEL:6465550000\nBEGIN:VCARD\nnonsense\nFN:Fay\nTEL:6465550109\nEND:VCARD\n",
			want: []Contact{{Name: "Fay", Number: "6465550109"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, rows, err := ParseVCard([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseVCard: %v", err)
			}
			got := d.Contacts()
			if !reflect.DeepEqual(got, tt.want) && (len(got) > 0 || len(tt.want) > 0) {
				t.Errorf("contacts:\n got %#v\nwant %#v", got, tt.want)
			}
			var lines []int
			for _, r := range rows {
				lines = append(lines, r.Line)
			}
			if !reflect.DeepEqual(lines, tt.lines) {
				t.Errorf("row error lines = %v, want %v (%v)", lines, tt.lines, rows)
			}
		})
	}
}
