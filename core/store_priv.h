/*
 * store_priv.h - what the store_*.c files share and nothing else includes:
 * the connection, the cache of prepared statements, the mapping of SQLite
 * failures to errnos, and the small transaction helper that makes a
 * multi-statement call atomic inside or outside the caller's transaction.
 */
#ifndef CRMSYNC_STORE_PRIV_H
#define CRMSYNC_STORE_PRIV_H

#include <sqlite3.h>

#include "store.h"

/* PRAGMA application_id of a crmsync state file: "crms". */
#define STORE_APP_ID 1668443507

/* One slot per statement; each is prepared on first use and kept until
 * store_close(). */
enum store_stmt_id {
	ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_SAVEPOINT, ST_RELEASE, ST_ROLLBACK_TO,
	ST_KV_PUT, ST_KV_GET, ST_KV_DEL,
	ST_CURSOR_PUT, ST_CURSOR_GET,
	ST_MAP_BY_HS, ST_MAP_BY_SF, ST_MAP_BY_EXT, ST_MAP_INSERT, ST_MAP_UPDATE,
	ST_MAP_PENDING_LIST, ST_MAP_TOMBSTONE, ST_MAP_DELETE, ST_MAP_REKEY,
	ST_BASE_GET, ST_BASE_PUT,
	ST_LEDGER_ADD, ST_LEDGER_SUM, ST_LEDGER_PRUNE,
	ST_ERR_FIND, ST_ERR_INSERT, ST_ERR_UPDATE, ST_ERR_AFF_ADD, ST_ERR_AFF_LIST,
	ST_ERR_LIST, ST_ERR_LIST_TYPE, ST_ERR_LIST_SINCE, ST_ERR_LIST_DUE, ST_ERR_GET,
	ST_ERR_RETRIED, ST_ERR_COUNTS, ST_ERR_TO_HISTORY, ST_ERR_DELETE,
	ST_HIST_LIST, ST_HIST_LIST_TYPE, ST_ERR_EXISTS, ST_ERR_OF_RECORD, ST_ERR_OF_SETUP,
	ST_RESYNC_ADD, ST_RESYNC_TYPE_CANDIDATES, ST_RESYNC_TYPE_COUNT,
	ST_RESYNC_CLAIMABLE, ST_RESYNC_CLAIM, ST_RESYNC_DONE, ST_RESYNC_COUNT,
	ST_NOTIFY_GET, ST_NOTIFY_PUT,
	ST_CYCLE_PUT, ST_CYCLE_GET, ST_CYCLE_LIST,
	ST_FEED_PUT, ST_FEED_GET, ST_FEED_DEL,
	ST_META_PUT, ST_META_GET, ST_META_CLEAR,
	ST_COUNT_
};

struct store {
	sqlite3 *db;
	char *path;
	int flags;
	int last_failed_rc;        /* the failure last logged, to log it once */
	int64_t ledger_pruned_min; /* minute of the last automatic prune */
	sqlite3_stmt *st[ST_COUNT_];
};

/* The statement for id, prepared from sql on first use. 0 or -errno. */
int store_prep(struct store *s, enum store_stmt_id id, const char *sql, sqlite3_stmt **out);
/* Reset a cached statement for its next use. */
void store_done(sqlite3_stmt *st);
/* Log a SQLite failure of "what" (once while it repeats) and return its
 * errno. */
int store_fail(struct store *s, int rc, const char *what);
int store_errno(int rc);
/* A SQLite call succeeded: the next failure is logged again. */
void store_ok(struct store *s);

/* Make a call of several statements atomic: a transaction of its own when
 * none is open, a savepoint inside the caller's. store_atomic_end() commits
 * when rc is 0, else undoes, and returns rc (or the commit's failure). */
int store_atomic_begin(struct store *s, int *own);
int store_atomic_end(struct store *s, int own, int rc);

/* Binding helpers: NULL binds SQL NULL (text) or '' (key). */
int store_bind_text(sqlite3_stmt *st, int i, const char *v);
int store_bind_key(sqlite3_stmt *st, int i, const char *v);
/* A column as a new string (NULL for SQL NULL). */
char *store_col_dup(sqlite3_stmt *st, int i);
/* Copy a column into a fixed buffer ("" for NULL). */
void store_col_copy(sqlite3_stmt *st, int i, char *buf, size_t size);

/* Step a write statement to completion: 0 or -errno (logged). */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);

/* Length-prefixed (name, value) lists stored as one blob. */
void store_blob_encode(const char *const *names, const char *const *values, size_t n,
		       unsigned char **out, size_t *len);
int store_blob_decode(const unsigned char *p, size_t len, struct store_fields *out);

/* The schema: ordered migration steps (store_schema.c). */
extern const char *const store_migrations[];
extern const size_t store_n_migrations;

#endif
