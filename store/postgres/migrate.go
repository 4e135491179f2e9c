package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// migrations[i] brings the schema from version i to i+1. Never edit one
// that has shipped: add another.
var migrations = []string{
	// 1: calls, messages and each account's seen mark, with the triggers
	// that announce every change on the notifyChannel.
	`CREATE TABLE calls (
		id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		account   text        NOT NULL DEFAULT '',
		call_id   text        NOT NULL,
		did       text        NOT NULL DEFAULT '',
		direction text        NOT NULL CHECK (direction IN ('inbound', 'outbound')),
		outcome   text        NOT NULL CHECK (outcome IN ('answered', 'missed', 'ignored', 'outbound', 'unknown')),
		number    text        NOT NULL DEFAULT '',
		digits    text        NOT NULL DEFAULT '', -- the number's digits, for search
		name      text        NOT NULL DEFAULT '',
		clid      text        NOT NULL DEFAULT '',
		folded    text        NOT NULL DEFAULT '', -- lower-case name and clid, for search
		start_at  timestamptz NOT NULL,
		ring_ms   bigint      NOT NULL DEFAULT 0,
		talk_ms   bigint      NOT NULL DEFAULT 0,
		hold_ms   bigint      NOT NULL DEFAULT 0,
		ended_at  timestamptz,
		last_state text       NOT NULL DEFAULT '' -- the state it ended in ('' unknown)
	);
	CREATE INDEX calls_by_call ON calls (account, call_id, start_at);
	CREATE INDEX calls_by_start ON calls (start_at);
	CREATE INDEX calls_by_account ON calls (account, start_at);
	CREATE INDEX calls_missed_by_end ON calls (account, COALESCE(ended_at, start_at)) WHERE outcome = 'missed';

	CREATE TABLE seen (
		account text PRIMARY KEY,
		at      timestamptz NOT NULL
	);

	CREATE TABLE messages (
		id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		account       text        NOT NULL DEFAULT '',
		for_whom      text        NOT NULL DEFAULT '',
		caller_name   text        NOT NULL DEFAULT '',
		caller_number text        NOT NULL DEFAULT '',
		text          text        NOT NULL DEFAULT '',
		call_id       text        NOT NULL DEFAULT '',
		created_at    timestamptz NOT NULL,
		done          boolean     NOT NULL DEFAULT false
	);
	CREATE INDEX messages_by_account ON messages (account, created_at);

	-- One notification per kind and account per transaction: the server
	-- folds identical ones, so a batch of 500 calls is one.
	CREATE FUNCTION frontdesk_notify() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF TG_OP = 'DELETE' THEN
			PERFORM pg_notify('frontdesk', TG_ARGV[0] || ' ' || OLD.account);
		ELSE
			PERFORM pg_notify('frontdesk', TG_ARGV[0] || ' ' || NEW.account);
		END IF;
		RETURN NULL;
	END $$;
	CREATE TRIGGER calls_notify AFTER INSERT OR UPDATE OR DELETE ON calls
		FOR EACH ROW EXECUTE FUNCTION frontdesk_notify('calls');
	CREATE TRIGGER messages_notify AFTER INSERT OR UPDATE OR DELETE ON messages
		FOR EACH ROW EXECUTE FUNCTION frontdesk_notify('messages');
	CREATE TRIGGER seen_notify AFTER INSERT OR UPDATE OR DELETE ON seen
		FOR EACH ROW EXECUTE FUNCTION frontdesk_notify('seen');`,

	// 2: who took a message, and its deliveries to the person it is for
	// (the outbox): stored with the message, sent after. An attempt's
	// outcome is a change to the message, for every console to show.
	`ALTER TABLE messages ADD COLUMN taken_by text NOT NULL DEFAULT '';
	CREATE TABLE deliveries (
		id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		message_id bigint      NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
		channel    text        NOT NULL CHECK (channel IN ('mail', 'webhook')),
		recipient  text        NOT NULL DEFAULT '',
		state      text        NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
		attempts   integer     NOT NULL DEFAULT 0,
		last_error text        NOT NULL DEFAULT '',
		next_try   timestamptz NOT NULL,
		updated    timestamptz
	);
	CREATE INDEX deliveries_by_message ON deliveries (message_id);
	CREATE INDEX deliveries_due ON deliveries (next_try, id) WHERE state = 'queued';
	CREATE FUNCTION frontdesk_notify_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		PERFORM pg_notify('frontdesk', 'messages ' ||
			COALESCE((SELECT account FROM messages WHERE id = NEW.message_id), ''));
		RETURN NULL;
	END $$;
	CREATE TRIGGER deliveries_notify AFTER UPDATE ON deliveries FOR EACH ROW
		WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.attempts IS DISTINCT FROM NEW.attempts
			OR OLD.last_error IS DISTINCT FROM NEW.last_error)
		EXECUTE FUNCTION frontdesk_notify_delivery();`,

	// 3: follow-ups. A missed call is open until a later call to or from
	// its number connects, or someone marks it handled. number_key is the
	// number as model.NumberKey reduces it.
	`ALTER TABLE calls ADD COLUMN number_key text NOT NULL DEFAULT '';
	UPDATE calls SET number_key = CASE
		WHEN length(digits) = 11 AND substr(digits, 1, 1) = '1' THEN substr(digits, 2)
		WHEN length(digits) > 11 AND substr(digits, 1, 3) = '011' THEN substr(digits, 4)
		WHEN length(digits) > 10 AND substr(digits, 1, 2) = '00' THEN substr(digits, 3)
		ELSE digits END;
	ALTER TABLE calls ADD COLUMN handled_at timestamptz;
	ALTER TABLE calls ADD COLUMN handled_by text NOT NULL DEFAULT '';
	CREATE INDEX calls_by_number ON calls (account, number_key, start_at);`,

	// 4: indexes that fit the open missed calls' count (the badge): the
	// open candidates (missed, not handled) by number, and the calls that
	// close them (connected) by number, so that each number costs one
	// look-up of the second. They replace the missed calls by end (never
	// read) and the calls by number (whose only reader, the reached
	// look-up, now uses the connected ones).
	`DROP INDEX calls_missed_by_end;
	DROP INDEX calls_by_number;
	CREATE INDEX calls_unhandled_missed ON calls (account, number_key, start_at)
		WHERE outcome = 'missed' AND handled_at IS NULL;
	CREATE INDEX calls_connected_by_number ON calls (account, number_key, start_at)
		WHERE outcome = 'answered' OR (outcome = 'outbound' AND talk_ms > 0);`,
}

// migrationLock is the advisory lock key that makes boxes starting at the
// same time migrate one after the other.
const migrationLock = 0x66726f6e74 // "front"

// migrate brings the schema up to date in one transaction: PostgreSQL's
// schema changes are transactional, so a failed step leaves nothing.
func (s *Store) migrate(ctx context.Context) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)`); err != nil {
			return err
		}
		var version int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0) FROM schema_version`).Scan(&version); err != nil {
			return err
		}
		if version > len(migrations) {
			return fmt.Errorf("the database has schema version %d, newer than this program knows (%d): upgrade frontdesk on this box", version, len(migrations))
		}
		for i, m := range migrations[version:] {
			if _, err := tx.Exec(ctx, m); err != nil {
				return fmt.Errorf("schema migration %d: %w", version+i+1, err)
			}
		}
		if version == len(migrations) {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM schema_version`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, len(migrations))
		return err
	})
}
