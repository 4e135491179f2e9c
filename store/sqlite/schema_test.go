package sqlite

import (
	"database/sql"
	"fmt"
)

// openAt creates a database with the schema of the given version, as the
// release that brought it left it.
func openAt(path string, version int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, err
	}
	for _, m := range migrations[:version] {
		if _, err := db.Exec(m); err != nil {
			db.Close()
			return nil, err
		}
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", version)); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
