package tui

import (
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"

	"github.com/frontdesk/frontdesk/model"
)

// deskProgram is a console in a real program with a directory and seeded
// in-memory records.
func deskProgram(t *testing.T, prof colorprofile.Profile) (*program, *memRecords) {
	t.Helper()
	rec := &memRecords{}
	seedHistory(rec)
	at := epoch.Add(-30 * time.Minute)
	rec.AddMessage(model.Message{For: "Dana Whitfield", CallerName: "Ada Whitfield", CallerNumber: "(646) 555-0142",
		Text: "Call back about the lease", CallID: "903", Created: at})
	rec.AddMessage(model.Message{For: "Rachel Kim", CallerName: "Noah Feldman", Text: "Parcel at the desk", Created: at.Add(5 * time.Minute), Done: true})
	rec.AddMessage(model.Message{For: "the landlord", CallerNumber: "2125550199", Text: "Heating engineer comes Tuesday", Created: at.Add(10 * time.Minute)})
	dir := testDirectory(t)
	pr := startProgram(t, 100, 16, prof, nil, func(o *Options) {
		o.Records = rec
		o.Directory = dir
	})
	pr.live()
	pr.waitFor("1 missed") // the count arrives from the store
	return pr, rec
}

func TestGoldenHistory(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.ASCII)
	pr.waitFor("1 missed")
	pr.key("tab")
	pr.waitFor("HISTORY · all calls · 3 calls", "Priya Raman")
	pr.golden()
}

func TestGoldenHistoryFilteredTrueColor(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.TrueColor)
	pr.key("tab")
	pr.waitFor("3 calls")
	pr.key("2")
	pr.waitFor("inbound · 2 calls")
	pr.golden()
}

func TestGoldenMessages(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.ASCII)
	pr.key("tab")
	pr.waitFor("HISTORY")
	pr.key("tab")
	pr.waitFor("MESSAGES · 2 open, 1 done", "Heating engineer")
	pr.golden()
}

func TestGoldenDirectoryPicker(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.ASCII)
	pr.key("/")
	pr.waitFor("Find:")
	for _, r := range "whit" {
		pr.key(string(r))
	}
	pr.waitFor("2 matches of 5", "Dana Whitfield")
	pr.golden()
}

func TestGoldenMessageForm(t *testing.T) {
	pr, _ := deskProgram(t, colorprofile.ASCII)
	pr.call("101", "16465550142", "CONNECTED")
	pr.waitFor("Ada Whitfield (Client")
	pr.key("m")
	pr.waitFor("TAKE A MESSAGE")
	for _, r := range "dan" {
		pr.key(string(r))
	}
	pr.waitFor("▸ Dana Whitfield · Management")
	pr.golden()
}
