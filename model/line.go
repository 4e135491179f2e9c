package model

import "strings"

// Naming is how calls to a number or a phone are shown and answered: the
// label in the call list's line column and the greeting the receptionist
// says ("Good morning, Acme Dental").
type Naming struct {
	Label    string
	Greeting string
}

// or fills n's blank fields from fallback.
func (n Naming) or(fallback Naming) Naming {
	if n.Label == "" {
		n.Label = fallback.Label
	}
	if n.Greeting == "" {
		n.Greeting = fallback.Greeting
	}
	return n
}

// DialledNumber names one number callers dial (a [[line]] entry).
type DialledNumber struct {
	Number string // as people write it: "(212) 555-0000", "+1 212 555 0000"
	Naming
}

// Numbers resolves the label and greeting of a call from the number the
// caller dialled. The zero value (or nil) knows no numbers.
type Numbers struct {
	byKey map[string]Naming
}

// NewNumbers indexes the numbers by their digits (see NumberKey). A number
// listed twice keeps its first naming; the config checks for that.
func NewNumbers(list []DialledNumber) *Numbers {
	n := &Numbers{byKey: make(map[string]Naming, len(list))}
	for _, d := range list {
		k := NumberKey(d.Number)
		if _, dup := n.byKey[k]; k != "" && !dup {
			n.byKey[k] = d.Naming
		}
	}
	return n
}

// Len is how many numbers are known.
func (n *Numbers) Len() int {
	if n == nil {
		return 0
	}
	return len(n.byKey)
}

// Dialled is the number the caller dialled: the call's CLID, or its DID
// when the API sent no CLID.
func Dialled(clid string, hasCLID bool, did string) string {
	if hasCLID && strings.TrimSpace(clid) != "" {
		return clid
	}
	return did
}

// For is the naming of a call to the number dialled on a phone named
// phone: the number's own label and greeting win, and what it leaves blank
// comes from the phone's.
func (n *Numbers) For(dialled string, phone Naming) Naming {
	if n == nil {
		return phone
	}
	if k := NumberKey(dialled); k != "" {
		if own, ok := n.byKey[k]; ok {
			return own.or(phone)
		}
	}
	return phone
}

// LineLabel is the line an ended call is counted under, in the console's
// Today and in `frontdesk stats`: its label as History names it (the
// number dialled's, else that of its phone, own), else the number it came
// in on.
func (n *Numbers) LineLabel(e CallRecord, own Naming) string {
	if l := Clean(n.For(Dialled(e.CLID, e.HasCLID, e.DID), own).Label, 0); l != "" {
		return l
	}
	return FormatNumber(e.DID)
}
