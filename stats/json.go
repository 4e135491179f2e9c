package stats

import (
	"math"
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// Report is a day's figures as `frontdesk stats --json` prints them: the
// total at the top level, each line under "lines". Durations are seconds,
// to a tenth.
type Report struct {
	Day string `json:"day"` // YYYY-MM-DD
	FiguresReport
	Lines []LineReport `json:"lines"`
}

// FiguresReport is Figures in the JSON shape.
type FiguresReport struct {
	Calls                int     `json:"calls"`
	Answered             int     `json:"answered"`
	Missed               int     `json:"missed"`
	Ignored              int     `json:"ignored"`
	Outbound             int     `json:"outbound"`
	EndedOnHold          int     `json:"ended_on_hold"`
	AverageAnswerSeconds float64 `json:"average_answer_seconds"`
	LongestWaitSeconds   float64 `json:"longest_wait_seconds"`
	ByHour               [24]int `json:"by_hour"`
	MissedByHour         [24]int `json:"missed_by_hour"`
}

// LineReport is one line's figures in the JSON shape.
type LineReport struct {
	Line string `json:"line"`
	FiguresReport
}

// Report returns the day in its JSON shape. Line names are cleaned of
// control characters: they come from the phone system.
func (d Day) Report() Report {
	r := Report{Day: d.Start.Format(time.DateOnly), FiguresReport: d.Total.report(), Lines: []LineReport{}}
	for _, l := range d.Lines {
		r.Lines = append(r.Lines, LineReport{Line: model.Clean(l.Name, 80), FiguresReport: l.report()})
	}
	return r
}

func (f Figures) report() FiguresReport {
	return FiguresReport{
		Calls:                f.Calls,
		Answered:             f.Answered,
		Missed:               f.Missed,
		Ignored:              f.Ignored,
		Outbound:             f.Outbound,
		EndedOnHold:          f.EndedOnHold,
		AverageAnswerSeconds: seconds(f.AverageAnswer),
		LongestWaitSeconds:   seconds(f.LongestWait),
		ByHour:               f.ByHour,
		MissedByHour:         f.MissedByHour,
	}
}

func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*10) / 10 }
