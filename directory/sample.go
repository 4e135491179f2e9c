package directory

import (
	_ "embed"
	"slices"
)

//go:embed sample.csv
var sampleCSV []byte

// SampleCSV returns the demo directory as CSV: the receptionist's colleagues
// with extensions and departments, and a few frequent outside callers. All
// numbers are in the 555-0100 to 555-0199 range reserved for fiction.
func SampleCSV() []byte { return slices.Clone(sampleCSV) }

// Sample returns the demo directory.
func Sample() *Directory {
	d, _, err := ParseCSV(sampleCSV)
	if err != nil {
		return New(nil)
	}
	return d
}
