package config

import (
	"fmt"

	"github.com/frontdesk/frontdesk/model"
)

// SpeedDial is one [[speed_dial]] entry: a digit key (1 to 9) in the
// Calls view that dials a number, after a confirmation.
type SpeedDial struct {
	Key    int
	Name   string
	Number model.Number // checked as the dial prompt checks what is typed
}

type fileSpeedDial struct {
	Key    int    `toml:"key"`
	Name   string `toml:"name"`
	Number string `toml:"number"`
}

// speedDials checks the [[speed_dial]] entries: a key from 1 to 9, used
// once; a name; a number the phone can dial.
func (f *fileConfig) speedDials(path string) ([]SpeedDial, error) {
	var out []SpeedDial
	used := map[int]int{}
	for i, s := range f.SpeedDial {
		where := fmt.Sprintf("%s: [[speed_dial]] #%d", path, i+1)
		if s.Key < 1 || s.Key > 9 {
			return nil, fmt.Errorf("%s: key %d is not a digit from 1 to 9: write key = 1 for the 1 key", where, s.Key)
		}
		if j, dup := used[s.Key]; dup {
			return nil, fmt.Errorf("%s: key %d is also [[speed_dial]] #%d: give each entry its own key", where, s.Key, j+1)
		}
		used[s.Key] = i
		if s.Name == "" {
			return nil, fmt.Errorf("%s has no name: add name = \"...\" (the help lists it)", where)
		}
		if err := checkText(where, s.Name, ""); err != nil {
			return nil, err
		}
		n, err := model.ParseDial(s.Number)
		if err != nil {
			return nil, fmt.Errorf("%s (%s): number %q: %v", where, s.Name, s.Number, err)
		}
		out = append(out, SpeedDial{Key: s.Key, Name: s.Name, Number: n})
	}
	return out, nil
}
