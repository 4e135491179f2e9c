package sqlite

import (
	"database/sql"
	"fmt"
)

// openV1 creates a database with the first schema only, as the first
// release left it.
func openV1(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(migrations[0]); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", 1)); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
