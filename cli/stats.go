package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/stats"
	"github.com/frontdesk/frontdesk/store"
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
// history: the calls of the accounts in scope, per line named as the
// console's Today names them (model.Numbers.LineLabel): numbers are the
// [[line]] entries, and lineLabel is the label of the phone (account)
// with a DID, "" if unknown. A nil st is a history that does not exist
// yet.
func Stats(ctx context.Context, st store.Store, scope store.Scope, w io.Writer, day time.Time, numbers *model.Numbers, lineLabel func(did string) string, asJSON bool) error {
	var calls []model.CallRecord
	if st != nil {
		var err error
		if calls, err = st.Calls(ctx, scope, model.CallQuery{Since: stats.DayStart(day)}); err != nil {
			return err
		}
	}
	d := stats.Compute(day, calls, func(e model.CallRecord) string {
		return numbers.LineLabel(e, model.Naming{Label: lineLabel(e.DID)})
	})
	if asJSON {
		enc := json.NewEncoder(terminalSafe(w))
		enc.SetIndent("", "  ")
		return enc.Encode(d.Report())
	}
	return d.WriteText(w)
}
