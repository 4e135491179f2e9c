package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/frontdesk/frontdesk/internal/pgtest"
	"github.com/frontdesk/frontdesk/store/storetest"
)

// Migration 4 swaps the open missed count's indexes and keeps every row:
// each call reads as before, and the same calls are open.
func TestOpenMissedIndexMigrationKeepsRows(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The database as the release of schema 3 left it.
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_version (version integer NOT NULL);
		INSERT INTO schema_version (version) VALUES (3)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range migrations[:3] {
		if _, err := conn.Exec(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range storetest.MigrationCalls() {
		if _, err := conn.Exec(ctx, `INSERT INTO calls
			(account, call_id, did, direction, outcome, number, digits, name, clid, folded, start_at, ring_ms, talk_ms, hold_ms, ended_at, last_state, number_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`, callArgs(c)...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := conn.Exec(ctx, `UPDATE calls SET handled_at = $1, handled_by = 'dana' WHERE call_id = '5'`, storetest.MigrationHandled); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, db.URL)
	if err != nil {
		t.Fatalf("migrating: %v", err)
	}
	defer s.Close()
	storetest.CheckMigrationCalls(t, s)
	rows, err := conn.Query(ctx, `SELECT indexname FROM pg_indexes WHERE tablename = 'calls' AND indexname <> 'calls_pkey' ORDER BY indexname`)
	if err != nil {
		t.Fatal(err)
	}
	indexes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(indexes, " "), "calls_by_account calls_by_call calls_by_start calls_connected_by_number calls_unhandled_missed"; got != want {
		t.Errorf("calls' indexes after the migration: %s; want %s", got, want)
	}
}
