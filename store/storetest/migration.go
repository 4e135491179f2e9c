package storetest

import (
	"testing"
	"time"

	"github.com/frontdesk/frontdesk/model"
	"github.com/frontdesk/frontdesk/store"
)

// MigrationCalls are calls for an engine's migration test to store
// with an older schema, the last of them then marked handled by "dana"
// at MigrationHandled; CheckMigrationCalls asserts that the migrated
// store reads them back.
func MigrationCalls() []model.CallRecord {
	miss := func(id, ani string, start time.Time) model.CallRecord {
		c := Call(AcctA, id, start)
		c.Ani, c.Outcome, c.Talk = ani, model.OutcomeMissed, 0
		return c
	}
	return []model.CallRecord{
		miss("1", "6465550101", Base),                  // reached by call 2
		Call(AcctA, "2", Base.Add(time.Hour)),          // 6465550101, answered
		miss("3", "2125550102", Base.Add(2*time.Hour)), // open
		miss("4", "", Base.Add(3*time.Hour)),           // no number: open
		miss("5", "7185550103", Base.Add(4*time.Hour)), // handled
	}
}

// MigrationHandled is when the last of MigrationCalls was handled.
var MigrationHandled = Base.Add(5 * time.Hour)

// CheckMigrationCalls asserts that s holds MigrationCalls as written,
// the last one handled, and that the same calls are open.
func CheckMigrationCalls(t *testing.T, s store.Store) {
	t.Helper()
	want := MigrationCalls()
	got := calls(t, s, scope(AcctA), model.CallQuery{})
	if len(got) != len(want) {
		t.Fatalf("%d calls after the migration, want %d: %+v", len(got), len(want), got)
	}
	for i, g := range got {
		w := want[len(want)-1-i] // newest first
		if g.CallID != w.CallID || g.Ani != w.Ani || g.Outcome != w.Outcome || !g.Start.Equal(w.Start) || !g.End.Equal(w.End) || g.Talk != w.Talk {
			t.Errorf("call %d after the migration = %+v, want %+v", i, g, w)
		}
		if g.CallID == "5" && (g.HandledBy != "dana" || !g.Handled.Equal(MigrationHandled)) {
			t.Errorf("handled call after the migration = %+v", g)
		}
		if g.CallID == "1" && !g.Reached.Equal(Base.Add(time.Hour)) {
			t.Errorf("call 1 reached %v after the migration, want at call 2", g.Reached)
		}
	}
	if n := openMissed(t, s, scope(AcctA)); n != 2 {
		t.Errorf("open missed calls after the migration = %d, want 2 (3 and 4)", n)
	}
}
