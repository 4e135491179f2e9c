package pgtest

import (
	"context"
	"errors"
	"strings"
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

// Without PostgreSQL, Start says which package to install (NewDatabase
// then skips the test, or fails it when CI=true).
func TestStartWithoutPostgreSQL(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	orig := debianBinaries
	debianBinaries = "/nonexistent/postgresql/*/bin/pg_ctl"
	defer func() { debianBinaries = orig }()
	_, err := Start()
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "apt-get install postgresql") {
		t.Errorf("Start without PostgreSQL: %v", err)
	}
}
