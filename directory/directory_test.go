package directory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testDirectory() *Directory {
	return New([]Contact{
		{Name: "Alice Adams", Number: "646-555-1234", Extension: "1234", Department: "Sales"},
		{Name: "Bob Brown", Number: "+44 20 7946 0958", Department: "London office"},
		{Name: "Carol Cho", Extension: "2208", Department: "Facilities"},
		{Name: "Dan Dorsey", Number: "(917) 555-0102", Other: []string{"718-555-0111", "301"}},
		{Name: "Acme Main Line", Number: "212-555-0150"},
		{Name: "Acme Reception", Number: "212 555 0150"}, // shares the number: the first owns it
	})
}

func TestLookup(t *testing.T) {
	d := testDirectory()
	tests := []struct {
		raw, want string
	}{
		{"1234", "Alice Adams"},
		{"6465551234", "Alice Adams"},
		{"16465551234", "Alice Adams"},
		{"+1 646-555-1234", "Alice Adams"},
		{"(646) 555-1234", "Alice Adams"},
		{"442079460958", "Bob Brown"},
		{"011442079460958", "Bob Brown"},
		{"00442079460958", "Bob Brown"},
		{"2208", "Carol Cho"},
		{"x2208", "Carol Cho"},
		{"9175550102", "Dan Dorsey"},
		{"17185550111", "Dan Dorsey"},
		{"301", "Dan Dorsey"},
		{"2125550150", "Acme Main Line"},
		{"6465552208", ""}, // an extension is not a number suffix
		{"5551234", ""},
		{"", ""},
		{"anonymous", ""},
		{"12", ""},
	}
	for _, tt := range tests {
		c, ok := d.Lookup(tt.raw)
		if ok != (tt.want != "") || c.Name != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.raw, c.Name, ok, tt.want)
		}
	}
	var nilDir *Directory
	if _, ok := nilDir.Lookup("1234"); ok || nilDir.Len() != 0 || nilDir.Search("a", 1) != nil {
		t.Error("a nil directory is not empty")
	}
}

func TestSearch(t *testing.T) {
	d := testDirectory()
	names := func(ms []Match) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Contact.Name)
		}
		return out
	}
	if got := names(d.Search("", 0)); strings.Join(got, "|") != "Acme Main Line|Acme Reception|Alice Adams|Bob Brown|Carol Cho|Dan Dorsey" {
		t.Errorf("empty query = %v", got)
	}
	if got := d.Search("  ", 2); len(got) != 2 {
		t.Errorf("empty query with limit 2 = %d results", len(got))
	}
	tests := []struct {
		query string
		first string
		count int // -1: don't check
	}{
		{"alice", "Alice Adams", 1},
		{"cc", "", 0}, // letters scattered over two words are not a match
		{"carol c", "Carol Cho", 1},
		{"facil", "Carol Cho", 1},
		{"london", "Bob Brown", 1},
		{"917-555", "Dan Dorsey", 1},
		{"(917) 555 01", "Dan Dorsey", 1},
		{"2208", "Carol Cho", 1},
		{"zzz", "", 0},
	}
	for _, tt := range tests {
		got := d.Search(tt.query, 0)
		if tt.count >= 0 && len(got) != tt.count {
			t.Errorf("Search(%q) = %v, want %d results", tt.query, names(got), tt.count)
		}
		if tt.first != "" && (len(got) == 0 || got[0].Contact.Name != tt.first) {
			t.Errorf("Search(%q) = %v, want %s first", tt.query, names(got), tt.first)
		}
	}
	m := d.Search("adams", 1)[0]
	if idx := m.NameIndexes(); fmt.Sprint(idx) != "[6 7 8 9 10]" {
		t.Errorf("NameIndexes = %v (text %q, indexes %v)", idx, m.Text, m.Indexes)
	}
	if got := d.Search("a", 2); len(got) != 2 {
		t.Errorf("limit ignored: %d results", len(got))
	}
}

func TestWatch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.csv")
	mtime := time.Now().Add(-time.Hour)
	write := func(body string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		// Distinct modification times even on coarse file systems.
		mtime = mtime.Add(time.Second)
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	next := func(ch <-chan Reload) Reload {
		t.Helper()
		select {
		case r, ok := <-ch:
			if !ok {
				t.Fatal("watch channel closed")
			}
			return r
		case <-time.After(10 * time.Second):
			t.Fatal("no reload within 10s")
		}
		return Reload{}
	}

	write("Name,Number\nAlice,6465550101\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Without a current directory the file is delivered at once.
	r := next(Watch(ctx, path, 5*time.Millisecond, nil))
	if r.Err != nil || r.Dir.Len() != 1 {
		t.Fatalf("initial reload = %+v", r)
	}

	d, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ch := Watch(ctx, path, 5*time.Millisecond, d)

	write("Name,Number\nAlice,6465550101\nBob,9175550102\nNobody,\n")
	r = next(ch)
	if r.Err != nil || r.Dir.Len() != 2 || len(r.Rows) != 1 || r.Rows[0].Line != 4 {
		t.Fatalf("reload after change = %+v", r)
	}
	if _, ok := r.Dir.Lookup("9175550102"); !ok {
		t.Error("new contact not found")
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if r = next(ch); r.Err == nil || r.Dir != nil {
		t.Fatalf("reload after removal = %+v", r)
	}

	write("Name,Number\nCarol,2125550103\n")
	if r = next(ch); r.Err != nil || r.Dir.Len() != 1 || r.Dir.Contacts()[0].Name != "Carol" {
		t.Fatalf("reload after re-creation = %+v", r)
	}

	cancel()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("channel not closed after cancel")
		}
	}
}

// TestWatchNotified: with a poll interval of an hour, a change (written in
// place, then an editor's save that renames a new file over it, then through
// a symbolic link's target) still arrives: the operating system tells the
// watcher, which does not wake up otherwise.
func TestWatchNotified(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "contacts.csv")
	if err := os.WriteFile(path, []byte("Name,Number\nAlice,6465550101\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := Watch(ctx, path, time.Hour, d)
	want := func(name string) {
		t.Helper()
		select {
		case r := <-ch:
			if r.Err != nil || r.Dir.Len() != 1 || r.Dir.Contacts()[0].Name != name {
				t.Fatalf("reload = %+v, want only %s", r, name)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no reload with %s within 10s", name)
		}
	}

	if err := os.WriteFile(path, []byte("Name,Number\nBob,9175550102\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want("Bob")

	tmp := filepath.Join(dir, ".contacts.csv.new")
	if err := os.WriteFile(tmp, []byte("Name,Number\nCarol,2125550103\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	want("Carol")

	// A link in one folder to the file in another: a change to the file
	// is seen through the link.
	linkDir := t.TempDir()
	link := filepath.Join(linkDir, "contacts.csv")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	ch = Watch(ctx, link, time.Hour, nil)
	want("Carol")
	if err := os.WriteFile(path, []byte("Name,Number\nDan,3125550104\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	want("Dan")
}

func TestWatchNoChangeNoReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(path, []byte("Name,Number\nAlice,6465550101\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ch := Watch(ctx, path, time.Millisecond, d)
	// Let it poll a number of times, then stop it: nothing may arrive.
	timer := time.NewTimer(50 * time.Millisecond)
	select {
	case r := <-ch:
		t.Fatalf("unexpected reload %+v", r)
	case <-timer.C:
	}
	cancel()
	for r := range ch {
		t.Fatalf("unexpected reload %+v", r)
	}
}

// genContacts makes n contacts with plausible names, departments and numbers.
func genContacts(n int) []Contact {
	first := []string{"Alice", "Bob", "Carol", "Dan", "Elena", "Frank", "Grace", "Hiro", "Ines", "Jamal", "Kofi", "Lena", "Marcus", "Nadia", "Omar", "Priya"}
	last := []string{"Adams", "Brown", "Cho", "Dorsey", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova", "Jones", "Kim", "Lopez", "Moreau", "Nguyen", "Okafor", "Patel"}
	depts := []string{"Sales", "Accounts", "Legal", "IT Support", "Facilities", "Marketing", "Acme Corp", "Globex", "Initech", "Umbrella Ltd"}
	r := rand.New(rand.NewPCG(1, 2))
	cs := make([]Contact, n)
	for i := range cs {
		cs[i] = Contact{
			Name:       first[r.IntN(len(first))] + " " + last[r.IntN(len(last))] + fmt.Sprintf(" %d", i),
			Number:     fmt.Sprintf("(%03d) 555-%04d", 200+r.IntN(700), i),
			Department: depts[r.IntN(len(depts))],
		}
		if i%3 == 0 {
			cs[i].Extension = fmt.Sprintf("%d", 10000+i)
		}
	}
	return cs
}

func BenchmarkLookup(b *testing.B) {
	cs := genContacts(10000)
	d := New(cs)
	raws := make([]string, 0, 256)
	for i := 0; i < 256; i++ {
		raws = append(raws, "+1 "+cs[i*37%len(cs)].Number)
	}
	raws = append(raws, "6465550000", "10003")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d.Lookup(raws[i%len(raws)])
	}
}

// BenchmarkSearch searches 10,000 contacts as a receptionist types a name:
// one search per keystroke. "typing" averages over the keystrokes; the
// others are single keystrokes (the first letter matches the most contacts
// and is the slowest).
func BenchmarkSearch(b *testing.B) {
	d := New(genContacts(10000))
	keystrokes := []string{"m", "ma", "mar", "marc", "marcus", "marcus ok", "555-02", "zzz"}
	b.Run("typing", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			d.Search(keystrokes[i%len(keystrokes)], 50)
		}
	})
	for _, q := range keystrokes {
		b.Run(q, func(b *testing.B) {
			for b.Loop() {
				d.Search(q, 50)
			}
		})
	}
}

func BenchmarkLoadCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Name,Number,Extension,Department\n")
	for _, c := range genContacts(10000) {
		fmt.Fprintf(&sb, "%s,%s,%s,%s\n", c.Name, c.Number, c.Extension, c.Department)
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := ParseCSV(data); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSearchRanksNamesThatStartWithTheTypedWords(t *testing.T) {
	d := New([]Contact{
		{Name: "Joanna Miles", Number: "212-555-0001", Department: "Annex"},
		{Name: "Maria Annan", Number: "212-555-0002"},
		{Name: "Ann Smith", Number: "212-555-0003"},
		{Name: "Annette Smithers", Number: "212-555-0004"},
		{Name: "Tomás Echeverría", Number: "212-555-0005", Department: "Supplier — Brooklyn Paper"},
		{Name: "Siobhan O'Brien", Number: "212-555-0006"},
		{Name: "Hannah Baker", Number: "212-555-0007"},
	})
	names := func(q string) string {
		var out []string
		for _, m := range d.Search(q, 0) {
			out = append(out, m.Contact.Name)
		}
		return strings.Join(out, "|")
	}
	tests := []struct{ query, want string }{
		// Names starting with "ann" first, then a later name word, then the
		// department; "Joanna" and "Hannah" only contain the letters.
		{"ann", "Ann Smith|Annette Smithers|Maria Annan|Joanna Miles"},
		{"ann smi", "Ann Smith|Annette Smithers"},
		{"smi ann", "Ann Smith|Annette Smithers"},
		{"Smith", "Ann Smith|Annette Smithers"},
		{"tomas", "Tomás Echeverría"},
		{"echeverria", "Tomás Echeverría"},
		{"brooklyn", "Tomás Echeverría"},
		{"obrien", "Siobhan O'Brien"},
		{"o'brien", "Siobhan O'Brien"},
		{"ann xyz", ""},
		{"nna", ""}, // the middle of a word is not its start
		{"0005", "Tomás Echeverría"},
		{"tom 0005", "Tomás Echeverría"},
		{"tom 0006", ""},
	}
	for _, tt := range tests {
		if got := names(tt.query); got != tt.want {
			t.Errorf("Search(%q) = %q, want %q", tt.query, got, tt.want)
		}
	}
	m := d.Search("tomas eche", 1)[0]
	if got := m.NameIndexes(); fmt.Sprint(got) != "[0 1 2 3 5 7 8 9 10]" {
		t.Errorf("NameIndexes = %v for %q", got, m.Text)
	}
}

func TestDialables(t *testing.T) {
	c := Contact{Name: "Alice Adams", Number: "646-555-0101", Extension: "204", Mobile: "917-555-0199", Other: []string{"+1 646 555 0101", "718-555-0111"}}
	got := fmt.Sprint(c.Dialables())
	want := "[{number 646-555-0101} {extension 204} {mobile 917-555-0199} {other 718-555-0111}]"
	if got != want {
		t.Errorf("Dialables = %s, want %s (the main number written twice is offered once)", got, want)
	}
	if got := fmt.Sprint(Contact{Name: "Carol", Extension: "2208"}.Dialables()); got != "[{extension 2208}]" {
		t.Errorf("extension only = %s", got)
	}
}

func TestMobileIsLookedUp(t *testing.T) {
	d := New([]Contact{{Name: "Alice Adams", Number: "646-555-0101", Mobile: "917-555-0199"}})
	if c, ok := d.Lookup("+1 917 555 0199"); !ok || c.Name != "Alice Adams" {
		t.Errorf("the mobile number does not find its contact: %v %v", c, ok)
	}
}

// A number written with its national prefix in brackets, as people write
// international numbers, matches the caller's number as the API sends it.
func TestLookupInternationalAsWritten(t *testing.T) {
	d := New([]Contact{
		{Name: "Bob Brown", Number: "+44 20 7946 0958"},
		{Name: "Eve Evans", Number: "+33 (0)1 23 45 67 89"},
	})
	for raw, want := range map[string]string{
		"+44 (0)20 7946 0958":  "Bob Brown",
		"011442079460958":      "Bob Brown",
		"+33 1 23 45 67 89":    "Eve Evans",
		"011 33 1 23 45 67 89": "Eve Evans",
		"0033123456789":        "Eve Evans",
	} {
		if c, ok := d.Lookup(raw); !ok || c.Name != want {
			t.Errorf("Lookup(%q) = %q %v, want %q", raw, c.Name, ok, want)
		}
	}
}

func TestNamedFindsThePersonAMessageIsFor(t *testing.T) {
	d := New([]Contact{
		{Name: "Grace Hopper", Number: "6465550104", Email: "grace@example.com"},
		{Name: "Grace Hopper", Number: "9175550104", Email: "grace@example.com"},
		{Name: "Alan Smith", Number: "6465550105", Email: "alan@one.example"},
		{Name: "Alan Smith", Number: "6465550106", Email: "alan@two.example"},
	})
	if c, ok := d.Named("  grace HOPPER "); !ok || c.Email != "grace@example.com" {
		t.Errorf("Named(grace) = %+v, %v", c, ok)
	}
	if c, ok := d.Named("Alan Smith"); ok {
		t.Errorf("two people named Alan Smith with different addresses: got %+v", c)
	}
	if _, ok := d.Named("Nobody"); ok {
		t.Error("found a contact for an unknown name")
	}
	var none *Directory
	if _, ok := none.Named("Grace Hopper"); ok {
		t.Error("a nil directory found someone")
	}
}
