/*
 * store.c - the state database's connection: opening (mode 0600, WAL,
 * synchronous=FULL, foreign keys, busy timeout), schema migrations, the
 * transactions, the cache of prepared statements and the translation of
 * SQLite's failures into errnos and messages that say what to do.
 *
 * The tables themselves are handled in store_map.c, store_kv.c,
 * store_errors.c and store_resync.c. Nothing outside store*.c sees SQL.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_priv.h"
#include "util.h"

#define BUSY_TIMEOUT_MS 5000

int64_t store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int store_errno(int rc)
{
	if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
		return -ENOENT;   /* the row it refers to is not there */
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_IOERR:
		return -EIO;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -STORE_ECORRUPT;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_TOOBIG:
		return -E2BIG;
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
	case SQLITE_MISMATCH:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* What the admin should do about a failure, after its description. */
static const char *advice(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ": another process holds the write lock; retried later";
	case SQLITE_FULL:
		return ": the disk (or the file size limit) is full; free space, nothing was lost";
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return ": the file is damaged; stop crmsyncd, move the file and its -wal and -shm "
		       "files aside, then restore a backup or run "
		       "'sqlite3 OLD .recover | sqlite3 NEW' and put NEW in its place";
	case SQLITE_READONLY:
		return ": the file (or its directory) is not writable by this user";
	case SQLITE_IOERR:
		return ": check the disk, the system log and the file size limit; the "
		       "transaction was not committed";
	default:
		return "";
	}
}

int store_fail(struct store *s, int rc, const char *what)
{
	const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	int level = rc == s->last_failed_rc ? LOG_LVL_DEBUG : LOG_LVL_ERR;

	const char *hint = advice(rc);

	if ((rc & 0xff) == SQLITE_READONLY && (s->flags & STORE_READONLY))
		hint = ": this command opened it read-only";
	log_msg(level, "state database '%s': cannot %s: %s%s", s->path, what, msg, hint);
	s->last_failed_rc = rc;
	return store_errno(rc);
}

void store_ok(struct store *s)
{
	s->last_failed_rc = 0;
}

int store_prep(struct store *s, enum store_stmt_id id, const char *sql, sqlite3_stmt **out)
{
	int rc;

	if (!s->st[id]) {
		rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st[id], NULL);
		if (rc != SQLITE_OK) {
			s->st[id] = NULL;
			return store_fail(s, rc, "prepare a statement");
		}
	}
	*out = s->st[id];
	return 0;
}

void store_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int store_step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st), err = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(s, rc, what);
	store_done(st);
	return err;
}

int store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (!v)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

int store_bind_key(sqlite3_stmt *st, int i, const char *v)
{
	return sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

char *store_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

void store_col_copy(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? (size_t)sqlite3_column_bytes(st, i) : 0;

	if (n >= size)
		n = size - 1;
	if (n)
		memcpy(buf, t, n);
	buf[n] = '\0';
}

/* ---- transactions --------------------------------------------------------- */

static int exec_cached(struct store *s, enum store_stmt_id id, const char *sql, const char *what)
{
	sqlite3_stmt *st;
	int err = store_prep(s, id, sql, &st);

	return err ? err : store_step_done(s, st, what);
}

int store_in_transaction(struct store *s)
{
	return !sqlite3_get_autocommit(s->db);
}

int store_begin(struct store *s)
{
	if (store_in_transaction(s)) {
		log_err("state database '%s': cannot begin a transaction: one is already open",
			s->path);
		return -EALREADY;
	}
	return exec_cached(s, ST_BEGIN, "BEGIN IMMEDIATE", "begin a transaction");
}

int store_commit(struct store *s)
{
	int err = exec_cached(s, ST_COMMIT, "COMMIT", "commit");

	if (err) {
		/* Leave no half-open transaction behind: the caller redoes the batch. */
		if (store_in_transaction(s))
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	store_ok(s);
	return 0;
}

int store_rollback(struct store *s)
{
	if (!store_in_transaction(s))
		return 0;
	return exec_cached(s, ST_ROLLBACK, "ROLLBACK", "roll back");
}

int store_atomic_begin(struct store *s, int *own)
{
	*own = !store_in_transaction(s);
	if (*own)
		return store_begin(s);
	return exec_cached(s, ST_SAVEPOINT, "SAVEPOINT store_call", "open a savepoint");
}

int store_atomic_end(struct store *s, int own, int rc)
{
	if (own) {
		if (rc) {
			store_rollback(s);
			return rc;
		}
		return store_commit(s);
	}
	if (rc) {
		exec_cached(s, ST_ROLLBACK_TO, "ROLLBACK TO store_call", "roll back a savepoint");
		exec_cached(s, ST_RELEASE, "RELEASE store_call", "release a savepoint");
		return rc;
	}
	return exec_cached(s, ST_RELEASE, "RELEASE store_call", "release a savepoint");
}

/* ---- opening and migrations ----------------------------------------------- */

static int pragma_int(struct store *s, const char *pragma, int64_t *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, pragma, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK && rc != SQLITE_DONE)
		return store_fail(s, rc, "read the file header");
	return 0;
}

static int exec_sql(struct store *s, const char *sql, const char *what)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_fail(s, rc, what);
}

int store_schema_latest(void)
{
	return (int)store_n_migrations;
}

int store_schema_version(struct store *s)
{
	int64_t v = -1;

	return pragma_int(s, "PRAGMA user_version", &v) ? -1 : (int)v;
}

/* Refuse what this build must not touch; *version gets the file's schema. */
static int check_file(struct store *s, int64_t *version)
{
	int64_t app = 0, tables = 0;
	int err;

	if ((err = pragma_int(s, "PRAGMA application_id", &app)) ||
	    (err = pragma_int(s, "PRAGMA user_version", version)) ||
	    (err = pragma_int(s, "SELECT count(*) FROM sqlite_master", &tables)))
		return err;
	if (app != STORE_APP_ID && (app != 0 || tables != 0)) {
		log_err("state database '%s' is not a crmsync state database (another program's "
			"SQLite file): point [core] state at a new file", s->path);
		return -EINVAL;
	}
	if (*version > (int64_t)store_n_migrations) {
		log_err("state database '%s' has schema version %lld, newer than the %zu this crmsync "
			"knows: it was written by a newer crmsync; upgrade crmsync, or restore a "
			"backup made by this version", s->path, (long long)*version,
			store_n_migrations);
		return -ENOTSUP;
	}
	return 0;
}

static int migrate(struct store *s)
{
	int64_t v;
	char *sql;
	int err;

	if ((err = store_begin(s)))
		return err;
	/* Read again under the write lock: another process may have migrated. */
	if ((err = check_file(s, &v)))
		goto out_rollback;
	for (size_t i = (size_t)v; i < store_n_migrations; i++) {
		sql = xasprintf("migrate the schema to version %zu", i + 1);
		err = exec_sql(s, store_migrations[i], sql);
		free(sql);
		if (err)
			goto out_rollback;
	}
	if (v != (int64_t)store_n_migrations) {
		sql = xasprintf("PRAGMA user_version = %zu", store_n_migrations);
		err = exec_sql(s, sql, "record the schema version");
		free(sql);
		if (err)
			goto out_rollback;
		if (v == 0)
			log_info("state database '%s' created (schema version %zu)", s->path,
				 store_n_migrations);
		else
			log_notice("state database '%s': schema upgraded from version %lld to %zu",
				   s->path, (long long)v, store_n_migrations);
	}
	return store_commit(s);

out_rollback:
	store_rollback(s);
	return err;
}

/* Create the file ourselves, so that it is 0600 whatever the umask. */
static int create_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		int err = -errno;

		log_err("cannot create state database '%s': %s", path, strerror(errno));
		return err;
	}
	close(fd);
	return 0;
}

static int open_rw(struct store *s)
{
	char mode[16];
	sqlite3_stmt *st;
	int rc, err;

	rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			store_col_copy(st, 0, mode, sizeof(mode));
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "switch to WAL journaling");
	if (strcmp(mode, "wal") != 0) {
		log_err("state database '%s': cannot switch to WAL journaling (got '%s'): is it on "
			"a network file system?", s->path, mode);
		return -ENOTSUP;
	}
	if ((err = exec_sql(s, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON",
			    "set durable commits")))
		return err;
	return migrate(s);
}

static int open_ro(struct store *s)
{
	int64_t v;
	int err;

	if ((err = exec_sql(s, "PRAGMA query_only = 1; PRAGMA foreign_keys = ON",
			    "open read-only")) ||
	    (err = check_file(s, &v)))
		return err;
	if (v == 0) {
		log_err("state database '%s' holds no crmsync state yet: start crmsyncd once",
			s->path);
		return -ENOENT;
	}
	if (v < (int64_t)store_n_migrations) {
		log_err("state database '%s' has schema version %lld, this crmsync needs %zu: "
			"restart crmsyncd (or run a read-write command) to upgrade it",
			s->path, (long long)v, store_n_migrations);
		return -ENOTSUP;
	}
	return 0;
}

int store_open(struct store **out, const char *path, int flags)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int rc, err;

	*out = NULL;
	s->path = xstrdup(path);
	s->flags = flags;
	if (flags & STORE_READONLY) {
		if (access(path, R_OK) < 0) {
			err = -errno;
			log_err("cannot open state database '%s': %s%s", path, strerror(errno),
				errno == ENOENT ? ": start crmsyncd once to create it" : "");
			goto out_free;
		}
	} else if ((err = create_file(path))) {
		goto out_free;
	}
	rc = sqlite3_open_v2(path, &s->db,
			     flags & STORE_READONLY ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE,
			     NULL);
	if (rc != SQLITE_OK) {
		err = store_fail(s, rc, "open");
		goto out_close;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	err = flags & STORE_READONLY ? open_ro(s) : open_rw(s);
	if (err)
		goto out_close;
	*out = s;
	return 0;

out_close:
	for (size_t i = 0; i < ST_COUNT_; i++)
		sqlite3_finalize(s->st[i]);
	sqlite3_close_v2(s->db);
out_free:
	free(s->path);
	free(s);
	return err;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (store_in_transaction(s)) {
		log_warn("state database '%s': closed with a transaction open; rolled back",
			 s->path);
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
	for (size_t i = 0; i < ST_COUNT_; i++)
		sqlite3_finalize(s->st[i]);
	if (!(s->flags & STORE_READONLY))
		sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s);
}

const char *store_path(const struct store *s)
{
	return s->path;
}

void store_set_busy_timeout(struct store *s, int ms)
{
	sqlite3_busy_timeout(s->db, ms);
}
