package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func TestDatabasesAreSeparate(t *testing.T) {
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
	other, err := pgx.Connect(ctx, b.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	if _, err := other.Exec(ctx, `SELECT * FROM t`); err == nil {
		t.Error("a table made in one database shows in another")
	}
}

func TestProxyCutAndMend(t *testing.T) {
	ctx := context.Background()
	db := NewDatabase(t)
	p := db.Proxy(t)
	conn, err := pgx.Connect(ctx, p.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.Ping(ctx); err != nil {
		t.Fatal(err)
	}

	p.Cut()
	if err := conn.Ping(ctx); err == nil {
		t.Fatal("a connection through a cut proxy still works")
	}
	if c, err := pgx.Connect(ctx, p.URL()); err == nil {
		c.Close(ctx)
		t.Fatal("a cut proxy accepts new connections")
	}
	direct, err := pgx.Connect(ctx, db.URL)
	if err != nil {
		t.Fatalf("cutting the proxy cut the server: %v", err)
	}
	direct.Close(ctx)

	p.Mend(t)
	again, err := pgx.Connect(ctx, p.URL())
	if err != nil {
		t.Fatalf("after Mend: %v", err)
	}
	again.Close(ctx)
}
