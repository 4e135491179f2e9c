package tui

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestEveryBindingHasHelp: every action of every pane says what it does,
// and every KeyMap binding is reached through the action table.
func TestEveryBindingHasHelp(t *testing.T) {
	k := DefaultKeyMap()
	table := actionTable(k)
	for p := range table {
		for _, a := range table[p].actions {
			h := a.bind.Help()
			if h.Key == "" || h.Desc == "" || len(a.bind.Keys()) == 0 || a.do == nil {
				t.Errorf("pane %s: action %q/%q has no keys, help or handler", table[p].title, h.Key, h.Desc)
			}
		}
	}
}

// readmeKeys reads the README's key tables: for each table title ("calls"),
// the keys its first column names, as help writes them.
func readmeKeys(t *testing.T) map[string][]string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string][]string{}
	title := ""
	tick := regexp.MustCompile("`([^`]+)`")
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSpace(line)
		if m := regexp.MustCompile(`^\| key \| (.+) \|$`).FindStringSubmatch(line); m != nil {
			title = m[1]
			continue
		}
		if title == "" || !strings.HasPrefix(line, "|") {
			title = ""
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) < 3 || strings.HasPrefix(cells[1], "---") {
			continue
		}
		for _, m := range tick.FindAllStringSubmatch(cells[1], -1) {
			tables[title] = append(tables[title], strings.Fields(m[1])...)
		}
	}
	return tables
}

// readmeName is a binding's key as the README writes it.
func readmeName(k string) string {
	names := map[string]string{
		"enter": "Enter", "space": "Space", "up": "↑", "down": "↓", "home": "Home", "end": "End",
		"pgup": "PgUp", "pgdown": "PgDn", "tab": "Tab", "shift+tab": "Shift+Tab", "ctrl+c": "Ctrl+C", "esc": "Esc",
	}
	if n, ok := names[k]; ok {
		return n
	}
	if len(k) >= 2 && k[0] == 'f' && k[1] >= '0' && k[1] <= '9' {
		return "F" + k[1:]
	}
	return k
}

// TestREADMEKeysMatchTheActionTable: the README's key tables name exactly
// the keys of the action table, view by view.
func TestREADMEKeysMatchTheActionTable(t *testing.T) {
	k := DefaultKeyMap()
	table := actionTable(k)
	nShared := len(viewActions(k)) // every view's list ends with them
	readme := readmeKeys(t)
	want := map[string][]string{}
	for p, title := range map[pane]string{paneCalls: "calls", paneHistory: "history", paneMessages: "messages"} {
		acts := table[p].actions
		for i, a := range acts {
			dest := title
			if i >= len(acts)-nShared {
				dest = "every view"
			}
			keys := a.bind.Keys()
			for _, key := range keys {
				// A capital that only doubles its letter is Caps Lock's.
				if lower := strings.ToLower(key); lower != key && slices.Contains(keys, lower) {
					continue
				}
				if n := readmeName(key); !slices.Contains(want[dest], n) {
					want[dest] = append(want[dest], n)
				}
			}
		}
	}
	for title, keys := range want {
		got := readme[title]
		for _, k := range keys {
			if !slices.Contains(got, k) {
				t.Errorf("README's %q keys lack %s", title, k)
			}
		}
		for _, k := range got {
			if !slices.Contains(keys, k) {
				t.Errorf("README's %q keys name %s, which the action table does not bind there", title, k)
			}
		}
	}
	if len(readme) != len(want) {
		t.Errorf("README has key tables %v, want %d", readme, len(want))
	}
}
