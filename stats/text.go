package stats

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// WriteText writes the day as a plain table, one row per line and one for
// all lines, then the calls per hour. Lines are named as Compute named
// them.
func (d Day) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\t\t\t\t\t\t\t\t\t\n", d.Start.Format("Monday 2 January 2006"))
	fmt.Fprint(tw, "line\tcalls\tanswered\tmissed\tignored\toutbound\tended on hold\taverage answer\tlongest wait\t\n")
	row := func(name string, f Figures) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t\n", name, f.Calls, f.Answered, f.Missed, f.Ignored,
			f.Outbound, f.EndedOnHold, clock(f.AverageAnswer), clock(f.LongestWait))
	}
	for _, l := range d.Lines {
		name := l.Name
		if name == "" {
			name = "(no line)"
		}
		row(strings.ReplaceAll(model.Clean(name, 40), "\t", " "), l.Figures)
	}
	row("all lines", d.Total)
	if err := tw.Flush(); err != nil {
		return err
	}
	var hours []string
	for h, n := range d.Total.ByHour {
		if n > 0 {
			s := fmt.Sprintf("%02d:00 %d", h, n)
			if m := d.Total.MissedByHour[h]; m > 0 {
				s += " (" + strconv.Itoa(m) + " missed)"
			}
			hours = append(hours, s)
		}
	}
	if len(hours) == 0 {
		_, err := fmt.Fprintln(w, "No calls.")
		return err
	}
	_, err := fmt.Fprintln(w, "Calls per hour: "+strings.Join(hours, ", "))
	return err
}

// clock writes a duration as m:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
