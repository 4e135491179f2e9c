package store

import (
	"time"

	"github.com/frontdesk/frontdesk/model"
)

// Merge combines two records of one call (same account and call Id, seen
// by two consoles) into the one row the store keeps: the earliest start,
// the latest end, the longest ring, talk and hold, the most telling
// outcome (a call anyone saw connect was answered; one anyone ignored was
// ignored rather than missed), and b's text where it has any, a's
// otherwise. The stored row's ID is kept.
func Merge(a, b model.CallRecord) model.CallRecord {
	out := a
	if b.Start.Before(out.Start) || out.Start.IsZero() {
		out.Start = b.Start
	}
	if b.End.After(out.End) || (b.End.Equal(out.End) && out.LastState == model.StateUnknown) {
		out.End = b.End
		out.LastState = b.LastState // the state it ended in, as the last to see it saw it
	}
	out.Ring, out.Talk, out.Hold = max(a.Ring, b.Ring), max(a.Talk, b.Talk), max(a.Hold, b.Hold)
	out.Outbound = a.Outbound || b.Outbound
	out.Outcome = a.Outcome
	if outcomeRank(b.Outcome) > outcomeRank(a.Outcome) {
		out.Outcome = b.Outcome
	}
	if out.Outbound {
		out.Outcome = model.OutcomeOutbound
	}
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&out.Ani, b.Ani}, {&out.DID, b.DID}, {&out.Name, b.Name},
	} {
		if f.src != "" {
			*f.dst = f.src
		}
	}
	if b.HasCLID && b.CLID != "" {
		out.CLID, out.HasCLID = b.CLID, true
	}
	return out
}

func outcomeRank(o model.Outcome) int {
	switch o {
	case model.OutcomeOutbound:
		return 4
	case model.OutcomeAnswered:
		return 3
	case model.OutcomeIgnored:
		return 2
	case model.OutcomeMissed:
		return 1
	}
	return 0
}

// SameCall reports whether a stored call (start, end; a zero end is
// unknown) and a new record of the same account and call Id are one call.
func SameCall(start, end time.Time, r model.CallRecord) bool {
	if end.IsZero() {
		end = start
	}
	rEnd := r.At()
	return !r.Start.After(end.Add(SameCallSlack)) && !rEnd.Before(start.Add(-SameCallSlack))
}
