package sqlite

import (
	"context"
	"fmt"
)

// migrations[i] brings the schema from user_version i to i+1. Never edit
// one that has shipped: add another.
var migrations = []string{
	// 1: calls, the seen mark and messages, with no accounts.
	`CREATE TABLE calls (
		id        INTEGER PRIMARY KEY,
		call_id   TEXT    NOT NULL,
		did       TEXT    NOT NULL DEFAULT '',
		direction TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
		outcome   TEXT    NOT NULL CHECK (outcome IN ('answered', 'missed', 'ignored', 'outbound', 'unknown')),
		number    TEXT    NOT NULL DEFAULT '',
		digits    TEXT    NOT NULL DEFAULT '',
		name      TEXT    NOT NULL DEFAULT '',
		clid      TEXT    NOT NULL DEFAULT '',
		folded    TEXT    NOT NULL DEFAULT '', -- lower-case name and clid, for search
		start_ms  INTEGER NOT NULL,
		ring_ms   INTEGER NOT NULL DEFAULT 0,
		talk_ms   INTEGER NOT NULL DEFAULT 0,
		hold_ms   INTEGER NOT NULL DEFAULT 0,
		ended_ms  INTEGER,
		UNIQUE (call_id, start_ms)
	);
	CREATE INDEX calls_by_start ON calls (start_ms);
	CREATE INDEX calls_by_outcome ON calls (outcome, start_ms);
	CREATE INDEX calls_missed_by_end ON calls (COALESCE(ended_ms, start_ms)) WHERE outcome = 'missed';
	CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value ANY
	) WITHOUT ROWID;
	CREATE TABLE messages (
		id            INTEGER PRIMARY KEY,
		for_whom      TEXT    NOT NULL DEFAULT '',
		caller_name   TEXT    NOT NULL DEFAULT '',
		caller_number TEXT    NOT NULL DEFAULT '',
		text          TEXT    NOT NULL DEFAULT '',
		call_id       TEXT    NOT NULL DEFAULT '',
		created_ms    INTEGER NOT NULL,
		done          INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX messages_by_created ON messages (created_ms);`,

	// 2: everything belongs to an account. A call's account is the line it
	// was stored under (the console filled did with its account's DID);
	// messages kept before have none (''), and so has the old seen mark.
	// A call is found again by account and call id, not by its start
	// time, which two consoles see a few milliseconds apart.
	`CREATE TABLE calls2 (
		id        INTEGER PRIMARY KEY,
		account   TEXT    NOT NULL DEFAULT '',
		call_id   TEXT    NOT NULL,
		did       TEXT    NOT NULL DEFAULT '',
		direction TEXT    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
		outcome   TEXT    NOT NULL CHECK (outcome IN ('answered', 'missed', 'ignored', 'outbound', 'unknown')),
		number    TEXT    NOT NULL DEFAULT '',
		digits    TEXT    NOT NULL DEFAULT '',
		name      TEXT    NOT NULL DEFAULT '',
		clid      TEXT    NOT NULL DEFAULT '',
		folded    TEXT    NOT NULL DEFAULT '',
		start_ms  INTEGER NOT NULL,
		ring_ms   INTEGER NOT NULL DEFAULT 0,
		talk_ms   INTEGER NOT NULL DEFAULT 0,
		hold_ms   INTEGER NOT NULL DEFAULT 0,
		ended_ms  INTEGER,
		last_state TEXT   NOT NULL DEFAULT '' -- the state it ended in ('' unknown)
	);
	INSERT INTO calls2 (id, account, call_id, did, direction, outcome, number, digits, name, clid, folded,
		start_ms, ring_ms, talk_ms, hold_ms, ended_ms)
		SELECT id, did, call_id, did, direction, outcome, number, digits, name, clid, folded,
		start_ms, ring_ms, talk_ms, hold_ms, ended_ms FROM calls;
	DROP TABLE calls;
	ALTER TABLE calls2 RENAME TO calls;
	CREATE INDEX calls_by_call ON calls (account, call_id, start_ms);
	CREATE INDEX calls_by_start ON calls (start_ms);
	CREATE INDEX calls_by_account ON calls (account, start_ms);
	CREATE INDEX calls_missed_by_end ON calls (account, COALESCE(ended_ms, start_ms)) WHERE outcome = 'missed';

	CREATE TABLE seen (
		account TEXT PRIMARY KEY,
		at_ms   INTEGER NOT NULL
	) WITHOUT ROWID;
	INSERT INTO seen (account, at_ms)
		SELECT '', CAST(value AS INTEGER) FROM meta WHERE key = 'last_seen';
	DELETE FROM meta WHERE key = 'last_seen';

	ALTER TABLE messages ADD COLUMN account TEXT NOT NULL DEFAULT '';
	DROP INDEX messages_by_created;
	CREATE INDEX messages_by_account ON messages (account, created_ms);`,

	// 3: who took a message, and its deliveries to the person it is for
	// (the outbox): stored with the message, sent after.
	`ALTER TABLE messages ADD COLUMN taken_by TEXT NOT NULL DEFAULT '';
	CREATE TABLE deliveries (
		id          INTEGER PRIMARY KEY,
		message_id  INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
		channel     TEXT    NOT NULL CHECK (channel IN ('mail', 'webhook')),
		recipient   TEXT    NOT NULL DEFAULT '',
		state       TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
		attempts    INTEGER NOT NULL DEFAULT 0,
		last_error  TEXT    NOT NULL DEFAULT '',
		next_try_ms INTEGER NOT NULL,
		updated_ms  INTEGER
	);
	CREATE INDEX deliveries_by_message ON deliveries (message_id);
	CREATE INDEX deliveries_due ON deliveries (next_try_ms, id) WHERE state = 'queued';`,

	// 4: follow-ups. A missed call is open until a later call to or from
	// its number connects, or someone marks it handled. number_key is the
	// number as model.NumberKey reduces it, so that "+1 646 555 0101" and
	// "6465550101" are one number.
	`ALTER TABLE calls ADD COLUMN number_key TEXT NOT NULL DEFAULT '';
	UPDATE calls SET number_key = CASE
		WHEN length(digits) = 11 AND substr(digits, 1, 1) = '1' THEN substr(digits, 2)
		WHEN length(digits) > 11 AND substr(digits, 1, 3) = '011' THEN substr(digits, 4)
		WHEN length(digits) > 10 AND substr(digits, 1, 2) = '00' THEN substr(digits, 3)
		ELSE digits END;
	ALTER TABLE calls ADD COLUMN handled_ms INTEGER;
	ALTER TABLE calls ADD COLUMN handled_by TEXT NOT NULL DEFAULT '';
	CREATE INDEX calls_by_number ON calls (account, number_key, start_ms);`,

	// 5: the mark kept from before marks had accounts stands in for an
	// account without its own, frozen as it was: a console that clears
	// the unowned calls' badge now must not clear other accounts'. (Seen
	// marks are no longer read: the badge counts open missed calls.)
	`INSERT INTO seen (account, at_ms) SELECT 'before-accounts', at_ms FROM seen WHERE account = '';`,

	// 6: indexes that fit the open missed calls' count (the badge): the
	// open candidates (missed, not handled) by number, and the calls that
	// close them (connected) by number, so that each number costs one
	// look-up of the second. They replace the missed calls by end (no
	// longer read) and the calls by number (whose only reader, the
	// reached look-up, now uses the connected ones).
	`DROP INDEX calls_missed_by_end;
	DROP INDEX calls_by_number;
	CREATE INDEX calls_unhandled_missed ON calls (account, number_key, start_ms)
		WHERE outcome = 'missed' AND handled_ms IS NULL;
	CREATE INDEX calls_connected_by_number ON calls (account, number_key, start_ms)
		WHERE outcome = 'answered' OR (outcome = 'outbound' AND talk_ms > 0);`,
}

// migrate brings the schema up to date in one transaction.
func (s *Store) migrate(ctx context.Context) error {
	done, err := s.takeTurn(ctx)
	if err != nil {
		return err
	}
	defer done()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var version int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("the database has schema version %d, newer than this program knows (%d)", version, len(migrations))
	}
	if version == len(migrations) {
		return nil
	}
	for i, m := range migrations[version:] {
		if _, err := tx.ExecContext(ctx, m); err != nil {
			return fmt.Errorf("schema migration %d: %w", version+i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
}
