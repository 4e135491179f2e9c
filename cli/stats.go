package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/stats"
	"github.com/frontdesk/frontdesk/tui"
)

// ParseDay reads a --day value, a date as YYYY-MM-DD in loc; "" is today.
func ParseDay(v string, now time.Time, loc *time.Location) (time.Time, error) {
	if v == "" {
		return stats.DayStart(now.In(loc)), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("--day %q is not a date: write it as YYYY-MM-DD, e.g. %s", v, now.In(loc).Format(time.DateOnly))
	}
	return d, nil
}

// Stats writes the figures of the day that starts at day, read from the
// history: every line's calls, or only those of line when it is set.
// lineName names a line (its account's label); nil writes the DID.
func Stats(r tui.Records, w io.Writer, day time.Time, lineName func(string) string, asJSON bool) error {
	recs, err := r.Calls(tui.CallQuery{Since: stats.DayStart(day)})
	if err != nil {
		return err
	}
	calls := make([]model.HistoryEntry, len(recs))
	for i, rec := range recs {
		calls[i] = rec.Entry
	}
	d := stats.Compute(day, calls, nil)
	if asJSON {
		enc := json.NewEncoder(terminalSafe(w))
		enc.SetIndent("", "  ")
		return enc.Encode(d.Report())
	}
	return d.WriteText(w, lineName)
}
