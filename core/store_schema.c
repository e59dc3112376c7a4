/*
 * store_schema.c - the state database's schema as ordered migration steps:
 * store_migrations[i] takes a file from version i to i + 1 (PRAGMA
 * user_version). A step, once released, never changes: a change is a new
 * step appended at the end. store.c runs the missing steps in one
 * transaction and refuses files newer than the last step.
 */
#include "config.h"

#include "store_priv.h"

/* STORE_APP_ID marks our files, so another program's SQLite file is not
 * taken for ours. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define APP_ID STR(STORE_APP_ID)

const char *const store_migrations[] = {
	/* 0 -> 1: the id map, base values, cursors, settings, the API ledger. */
	"PRAGMA application_id = " APP_ID ";"
	"CREATE TABLE idmap ("
	"  id INTEGER PRIMARY KEY,"
	"  object TEXT NOT NULL,"
	"  ext_id TEXT NOT NULL,"
	"  hs_id TEXT,"
	"  sf_type TEXT,"
	"  sf_id TEXT,"
	"  updated_at INTEGER NOT NULL,"
	"  UNIQUE (object, ext_id));"
	"CREATE UNIQUE INDEX idmap_hs ON idmap(object, hs_id) WHERE hs_id IS NOT NULL;"
	"CREATE UNIQUE INDEX idmap_sf ON idmap(object, sf_id) WHERE sf_id IS NOT NULL;"
	"CREATE INDEX idmap_pending ON idmap(object) WHERE hs_id IS NULL OR sf_id IS NULL;"
	/* One row per pair: the fields as a length-prefixed blob (store_base.c). */
	"CREATE TABLE base ("
	"  pair_id INTEGER PRIMARY KEY REFERENCES idmap(id) ON DELETE CASCADE,"
	"  fields BLOB NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	"CREATE TABLE cursor ("
	"  object TEXT NOT NULL,"
	"  side INTEGER NOT NULL,"
	"  value TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (object, side)) WITHOUT ROWID;"
	"CREATE TABLE kv ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE ledger ("
	"  side INTEGER NOT NULL,"
	"  minute INTEGER NOT NULL,"
	"  class TEXT NOT NULL,"
	"  calls INTEGER NOT NULL,"
	"  PRIMARY KEY (side, minute, class)) WITHOUT ROWID;",

	/* 1 -> 2: tombstones; the sync-error store, its history, resync requests. */
	"ALTER TABLE idmap ADD COLUMN deleted_at INTEGER;"
	"CREATE TABLE sync_error ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"   /* never reused: watermarks */
	"  object TEXT NOT NULL,"
	"  side INTEGER NOT NULL,"
	"  hs_id TEXT NOT NULL DEFAULT '',"
	"  sf_type TEXT NOT NULL DEFAULT '',"
	"  sf_id TEXT NOT NULL DEFAULT '',"
	"  code TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  message TEXT, raw TEXT, hint TEXT, details BLOB,"
	"  retry INTEGER NOT NULL DEFAULT 0,"
	"  next_retry_at INTEGER NOT NULL DEFAULT 0,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  count INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  UNIQUE (object, side, hs_id, sf_id, code));"
	"CREATE INDEX sync_error_type ON sync_error(type, id);"
	"CREATE INDEX sync_error_due ON sync_error(next_retry_at) WHERE next_retry_at > 0;"
	"CREATE TABLE sync_error_affected ("
	"  error_id INTEGER NOT NULL REFERENCES sync_error(id) ON DELETE CASCADE,"
	"  side INTEGER NOT NULL,"
	"  object TEXT NOT NULL,"
	"  record_id TEXT NOT NULL,"
	"  PRIMARY KEY (error_id, side, object, record_id)) WITHOUT ROWID;"
	"CREATE TABLE sync_error_history ("
	"  id INTEGER PRIMARY KEY,"
	"  object TEXT NOT NULL, side INTEGER NOT NULL,"
	"  hs_id TEXT NOT NULL, sf_type TEXT NOT NULL, sf_id TEXT NOT NULL,"
	"  code TEXT NOT NULL, type TEXT NOT NULL,"
	"  message TEXT, raw TEXT, hint TEXT, details BLOB,"
	"  retry INTEGER NOT NULL, attempts INTEGER NOT NULL, count INTEGER NOT NULL,"
	"  naffected INTEGER NOT NULL,"
	"  created_at INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
	"  resolved_at INTEGER NOT NULL, how TEXT NOT NULL);"
	"CREATE INDEX sync_error_history_type ON sync_error_history(type, resolved_at);"
	"CREATE INDEX sync_error_history_resolved ON sync_error_history(resolved_at);"
	"CREATE TABLE resync_request ("
	"  id INTEGER PRIMARY KEY,"
	"  error_id INTEGER NOT NULL UNIQUE REFERENCES sync_error(id) ON DELETE CASCADE,"
	"  requested_at INTEGER NOT NULL,"
	"  claimed_at INTEGER);",

	/* 2 -> 3: the notifier schedule and the last cycle of each object. */
	"CREATE TABLE notify ("
	"  channel TEXT PRIMARY KEY,"
	"  last_digest_at INTEGER NOT NULL,"
	"  next_digest_at INTEGER NOT NULL,"
	"  failures INTEGER NOT NULL,"
	"  last_error TEXT,"
	"  watermark INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE cycle ("
	"  object TEXT PRIMARY KEY,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER NOT NULL,"
	"  n_read INTEGER NOT NULL,"
	"  n_written INTEGER NOT NULL,"
	"  n_failed INTEGER NOT NULL,"
	"  status TEXT NOT NULL,"
	"  message TEXT) WITHOUT ROWID;",

	/* 3 -> 4: find a record's current errors, to resolve them when it syncs. */
	"CREATE INDEX sync_error_hs ON sync_error(object, hs_id) WHERE hs_id <> '';"
	"CREATE INDEX sync_error_sf ON sync_error(object, sf_id) WHERE sf_id <> '';",

	/* 4 -> 5: records of a HubSpot feed (form submissions) that have not
	 * synced yet, as read: the feed cannot be read again by id; */
	"CREATE TABLE feed_record ("
	"  object TEXT NOT NULL,"
	"  hs_id TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  read_at INTEGER NOT NULL,"
	"  PRIMARY KEY (object, hs_id)) WITHOUT ROWID;"
	/* and the services' metadata (describes, property lists), reused for
	 * [core] metadata_refresh */
	"CREATE TABLE metadata ("
	"  key TEXT PRIMARY KEY,"
	"  body TEXT NOT NULL,"
	"  fetched_at INTEGER NOT NULL) WITHOUT ROWID;",
};

const size_t store_n_migrations = sizeof(store_migrations) / sizeof(store_migrations[0]);
