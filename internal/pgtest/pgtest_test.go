package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func TestDatabasesAreSeparateAndCanBeCut(t *testing.T) {
	ctx := context.Background()
	a, b := NewDatabase(t), NewDatabase(t)
	if a.Name == b.Name {
		t.Fatalf("two tests share database %s", a.Name)
	}
	conn, err := pgx.Connect(ctx, a.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE t (x int)`); err != nil {
		t.Fatal(err)
	}

	a.Cut(t)
	if err := conn.Ping(ctx); err == nil {
		t.Fatal("a connection to a cut database still works")
	}
	if c, err := pgx.Connect(ctx, a.URL); err == nil {
		c.Close(ctx)
		t.Fatal("a cut database accepts new connections")
	}
	other, err := pgx.Connect(ctx, b.URL)
	if err != nil {
		t.Fatalf("cutting one database cut another: %v", err)
	}
	other.Close(ctx)

	a.Restore(t)
	again, err := pgx.Connect(ctx, a.URL)
	if err != nil {
		t.Fatalf("after Restore: %v", err)
	}
	defer again.Close(ctx)
	var n int
	if err := again.QueryRow(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatalf("the table made before the cut: %v", err)
	}
}
