/*
 * store_resync.c - resync requests, the CLI's only way to talk to the
 * daemon: `crmsync resync ID...` and `--type T` write rows (at most 100
 * errors per request), crmsyncd claims them in a transaction of its own and
 * deletes them when done. A claim whose taker died is taken again once its
 * lease has run out, so no request is lost to a crash.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_priv.h"
#include "util.h"

#define NOT_WAITING "NOT EXISTS (SELECT 1 FROM resync_request r WHERE r.error_id = e.id)"

static int add_request(struct store *s, int64_t error_id, int64_t now_ms)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_RESYNC_ADD,
			      "INSERT OR IGNORE INTO resync_request (error_id, requested_at)"
			      " VALUES (?1, ?2)", &st)))
		return err;
	sqlite3_bind_int64(st, 1, error_id);
	sqlite3_bind_int64(st, 2, now_ms);
	return store_step_done(s, st, "write a resync request");
}

static int error_exists(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, ST_ERR_EXISTS, "SELECT 1 FROM sync_error WHERE id = ?1", &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		log_err("sync error %lld is not a current error (resolved, or never existed): "
			"'crmsync errors' lists the current ones", (long long)id);
		err = -ENOENT;
	} else if (rc != SQLITE_ROW) {
		err = store_fail(s, rc, "look up a sync error");
	}
	store_done(st);
	return err;
}

int store_resync_request(struct store *s, const int64_t *ids, size_t n, int64_t now_ms)
{
	int own, err = 0;

	if (n > STORE_RESYNC_MAX) {
		log_err("cannot resync %zu errors in one request: at most %d; split the list, or "
			"use 'crmsync resync --type TYPE', which takes %d at a time",
			n, STORE_RESYNC_MAX, STORE_RESYNC_MAX);
		return -E2BIG;
	}
	if (n == 0)
		return -EINVAL;
	if (!now_ms)
		now_ms = store_now_ms();
	if ((err = store_atomic_begin(s, &own)))
		return err;
	for (size_t i = 0; !err && i < n; i++) {
		err = error_exists(s, ids[i]);
		if (!err)
			err = add_request(s, ids[i], now_ms);
	}
	return store_atomic_end(s, own, err);
}

static int count_waiting(struct store *s, const char *type, int64_t *out)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, ST_RESYNC_TYPE_COUNT,
			      "SELECT count(*) FROM sync_error e WHERE type = ?1 AND " NOT_WAITING,
			      &st)))
		return err;
	store_bind_key(st, 1, type);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		err = store_fail(s, rc, "count errors to resync");
	store_done(st);
	return err;
}

int store_resync_request_type(struct store *s, const char *type, int64_t now_ms,
			      size_t *queued, size_t *remaining)
{
	int64_t ids[STORE_RESYNC_MAX], left = 0;
	size_t n = 0;
	sqlite3_stmt *st;
	int own, rc, err;

	if (queued)
		*queued = 0;
	if (remaining)
		*remaining = 0;
	if (!type || !*type)
		return -EINVAL;
	if (!now_ms)
		now_ms = store_now_ms();
	if ((err = store_atomic_begin(s, &own)))
		return err;
	if ((err = store_prep(s, ST_RESYNC_TYPE_CANDIDATES,
			      "SELECT id FROM sync_error e WHERE type = ?1 AND " NOT_WAITING
			      " ORDER BY id LIMIT ?2", &st)))
		goto out;
	store_bind_key(st, 1, type);
	sqlite3_bind_int(st, 2, STORE_RESYNC_MAX);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < STORE_RESYNC_MAX)
		ids[n++] = sqlite3_column_int64(st, 0);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(s, rc, "list errors to resync");
	store_done(st);
	for (size_t i = 0; !err && i < n; i++)
		err = add_request(s, ids[i], now_ms);
	if (!err)
		err = count_waiting(s, type, &left);
out:
	err = store_atomic_end(s, own, err);
	if (!err) {
		if (queued)
			*queued = n;
		if (remaining)
			*remaining = (size_t)left;
	}
	return err;
}

int store_resync_take(struct store *s, int64_t now_ms, int64_t lease_ms,
		      struct store_resync *out, size_t max, size_t *n)
{
	sqlite3_stmt *st;
	int own, rc, err;

	*n = 0;
	if (!max)
		return 0;
	if ((err = store_atomic_begin(s, &own)))
		return err;
	if ((err = store_prep(s, ST_RESYNC_CLAIMABLE,
			      "SELECT id, error_id FROM resync_request"
			      " WHERE claimed_at IS NULL OR claimed_at <= ?1 ORDER BY id LIMIT ?2",
			      &st)))
		goto out;
	sqlite3_bind_int64(st, 1, now_ms - lease_ms);
	sqlite3_bind_int64(st, 2, (int64_t)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		out[*n].request_id = sqlite3_column_int64(st, 0);
		out[*n].error_id = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_fail(s, rc, "read resync requests");
	store_done(st);
	if (!err && (err = store_prep(s, ST_RESYNC_CLAIM,
				      "UPDATE resync_request SET claimed_at = ?2 WHERE id = ?1", &st)))
		goto out;
	for (size_t i = 0; !err && i < *n; i++) {
		sqlite3_bind_int64(st, 1, out[i].request_id);
		sqlite3_bind_int64(st, 2, now_ms);
		err = store_step_done(s, st, "claim a resync request");
	}
out:
	err = store_atomic_end(s, own, err);
	if (err)
		*n = 0;
	return err;
}

int store_resync_done(struct store *s, int64_t request_id)
{
	sqlite3_stmt *st;
	int err;

	/* Already gone (its error was resolved) is fine. */
	if ((err = store_prep(s, ST_RESYNC_DONE, "DELETE FROM resync_request WHERE id = ?1", &st)))
		return err;
	sqlite3_bind_int64(st, 1, request_id);
	return store_step_done(s, st, "finish a resync request");
}

int store_resync_pending(struct store *s, int64_t *n)
{
	sqlite3_stmt *st;
	int rc, err;

	*n = 0;
	if ((err = store_prep(s, ST_RESYNC_COUNT, "SELECT count(*) FROM resync_request", &st)))
		return err;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	else
		err = store_fail(s, rc, "count resync requests");
	store_done(st);
	return err;
}
