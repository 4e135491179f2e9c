package directory

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Search matches what a receptionist types against whole words: every typed
// word must begin a word of the contact's name or department ("ann smi"
// finds Ann Smith and Annette Smithers, never Joanna Miles), case and
// accents aside ("tomas" finds Tomás); a typed word of digits must occur in
// one of the contact's numbers or its extension. A query that looks like a
// phone number ("646-555", "(646) 555") is matched by its digits alone.

// Ranks, best first: the name starts with the typed words, in order; every
// typed word begins a word of the name; some words matched only the
// department or a number.
const (
	rankNameStart = 3
	rankNameWords = 2
	rankOther     = 1
)

// field says which part of a contact a token comes from.
type field uint8

const (
	fieldName field = iota
	fieldDept
	fieldNumber
)

// token is one searchable word of a contact.
type token struct {
	folded string // lower case, accents and apostrophes removed; digits for a number
	at     int    // byte offset of the word in the haystack
	field  field
}

// searchText builds a contact's haystack (name, department, the digits of
// each number and the extension, separated by spaces) and its tokens.
func searchText(c Contact) (string, []token) {
	var sb strings.Builder
	var toks []token
	words := func(s string, f field) {
		base := sb.Len()
		sb.WriteString(s)
		for _, w := range splitWords(s) {
			toks = append(toks, token{folded: fold(w.text), at: base + w.at, field: f})
		}
	}
	number := func(digits string) {
		if digits == "" {
			return
		}
		if sb.Len() > 0 {
			sb.WriteByte(' ')
		}
		toks = append(toks, token{folded: digits, at: sb.Len(), field: fieldNumber})
		sb.WriteString(digits)
	}
	words(c.Name, fieldName)
	if c.Department != "" {
		sb.WriteByte(' ')
		words(c.Department, fieldDept)
	}
	for _, num := range c.numbers() {
		number(Digits(num))
	}
	number(Digits(c.Extension))
	return sb.String(), toks
}

type word struct {
	text string
	at   int
}

// splitWords splits s at everything but letters, digits, marks and
// apostrophes ("O'Brien" is one word, "Smith-Jones" two).
func splitWords(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || r == '\'' || r == '’'
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, word{s[start:i], start})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{s[start:], start})
	}
	return out
}

// fold lower-cases s and removes accents and apostrophes.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] == '\'' {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.Predicate(func(r rune) bool {
		return unicode.Is(unicode.Mn, r) || r == '\'' || r == '’'
	})), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// Search finds contacts for query (see above), best first; within a rank,
// by name. An empty query returns every contact sorted by name. limit <= 0
// means no limit.
func (d *Directory) Search(query string, limit int) []Match {
	if d == nil {
		return nil
	}
	query = strings.TrimSpace(query)
	var typed []string
	if isPhoneLike(query) {
		typed = []string{Digits(query)}
	} else {
		for _, w := range splitWords(query) {
			if f := fold(w.text); f != "" {
				typed = append(typed, f)
			}
		}
	}
	if len(typed) == 0 {
		n := len(d.contacts)
		if limit > 0 && limit < n {
			n = limit
		}
		out := make([]Match, n)
		for i := range out {
			out[i] = Match{Contact: d.contacts[i], Text: d.haystack[i]}
		}
		return out
	}
	var out []Match
	for i, toks := range d.tokens {
		if rank, idx, ok := matchTokens(typed, toks, d.haystack[i]); ok {
			out = append(out, Match{Contact: d.contacts[i], Score: rank, Text: d.haystack[i], Indexes: idx})
		}
	}
	// Contacts are sorted by name, so a stable sort by rank keeps names in
	// order within a rank.
	slices.SortStableFunc(out, func(a, b Match) int { return cmp.Compare(b.Score, a.Score) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// matchTokens matches every typed word against a contact's tokens and
// returns the rank and the byte offsets in text of the matched characters.
func matchTokens(typed []string, toks []token, text string) (int, []int, bool) {
	var idx []int
	nameOnly := true
	inOrder := true // typed word i begins name word i
	for i, w := range typed {
		found := -1
		for j, t := range toks {
			if isDigits(w) && t.field == fieldNumber {
				if k := strings.Index(t.folded, w); k >= 0 {
					found = j
					idx = appendRange(idx, t.at+k, len(w))
					break
				}
				continue
			}
			if t.field != fieldNumber && strings.HasPrefix(t.folded, w) {
				found = j
				idx = appendRunes(idx, text, t.at, utf8.RuneCountInString(w))
				break
			}
		}
		if found < 0 {
			return 0, nil, false
		}
		t := toks[found]
		if t.field != fieldName {
			nameOnly = false
		}
		// Name tokens come first, so name word i is token i.
		if t.field != fieldName || found != i {
			inOrder = false
		}
	}
	switch {
	case inOrder:
		return rankNameStart, idx, true
	case nameOnly:
		return rankNameWords, idx, true
	}
	return rankOther, idx, true
}

// appendRange appends the offsets at, at+1, … at+n-1.
func appendRange(idx []int, at, n int) []int {
	for k := range n {
		idx = append(idx, at+k)
	}
	return idx
}

// appendRunes appends the byte offsets of n runes of text from at,
// skipping apostrophes (fold removed them).
func appendRunes(idx []int, text string, at, n int) []int {
	for i, r := range text[at:] {
		if n == 0 {
			break
		}
		if r == '\'' || r == '’' {
			continue
		}
		idx = append(idx, at+i)
		n--
	}
	return idx
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
