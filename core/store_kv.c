/*
 * store_kv.c - the store's small tables: settings (key -> value), the
 * API-call ledger in one-minute buckets, the notifier schedule, the last
 * cycle of each object, the copies of unsynced feed records and the
 * services' metadata. No secret is ever written here: keys that name one
 * are refused.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "store_priv.h"
#include "util.h"

#define MINUTE_MS 60000LL

/* ---- settings --------------------------------------------------------------- */

static int key_is_secret(const char *key)
{
	static const char *const words[] = { "password", "passwd", "secret", "token",
					     "credential", "private_key", "apikey", "api_key" };
	size_t kl = strlen(key);

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t wl = strlen(words[i]);

		for (size_t j = 0; j + wl <= kl; j++)
			if (strncasecmp(key + j, words[i], wl) == 0)
				return 1;
	}
	return 0;
}

int store_kv_put(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int err;

	if (!key || !*key || !value)
		return -EINVAL;
	if (key_is_secret(key)) {
		log_err("state database '%s': refusing to store setting '%s': secrets belong in "
			"the credentials files, never in the state", s->path, key);
		return -EPERM;
	}
	if ((err = store_prep(s, ST_KV_PUT,
			      "INSERT INTO kv (key, value, updated_at) VALUES (?1, ?2, ?3)"
			      " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
			      " updated_at = excluded.updated_at", &st)))
		return err;
	store_bind_key(st, 1, key);
	store_bind_key(st, 2, value);
	sqlite3_bind_int64(st, 3, store_now_ms());
	return store_step_done(s, st, "write a setting");
}

int store_kv_get(struct store *s, const char *key, char **out)
{
	sqlite3_stmt *st;
	int rc, err;

	*out = NULL;
	if ((err = store_prep(s, ST_KV_GET, "SELECT value FROM kv WHERE key = ?1", &st)))
		return err;
	store_bind_key(st, 1, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = store_col_dup(st, 0);
	else
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "read a setting");
	store_done(st);
	return err;
}

int store_kv_get_int(struct store *s, const char *key, int64_t *out)
{
	char *v;
	int err = store_kv_get(s, key, &v);

	if (err)
		return err;
	err = parse_int64(v, out);
	if (err)
		log_err("state database '%s': setting '%s' is not a number: '%s'", s->path, key, v);
	free(v);
	return err;
}

int store_kv_del(struct store *s, const char *key)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_KV_DEL, "DELETE FROM kv WHERE key = ?1", &st)))
		return err;
	store_bind_key(st, 1, key);
	if ((err = store_step_done(s, st, "delete a setting")))
		return err;
	return sqlite3_changes(s->db) ? 0 : -ENOENT;
}

/* ---- the API-call ledger ------------------------------------------------------ */

static int64_t minute_of(int64_t ms)
{
	return ms >= 0 ? ms / MINUTE_MS : -((-ms + MINUTE_MS - 1) / MINUTE_MS);
}

int store_ledger_prune(struct store *s, int64_t before_ms)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_LEDGER_PRUNE, "DELETE FROM ledger WHERE minute < ?1", &st)))
		return err;
	sqlite3_bind_int64(st, 1, minute_of(before_ms));
	return store_step_done(s, st, "prune the API-call ledger");
}

int store_ledger_add(struct store *s, enum crmsync_side side, int64_t when_ms,
		     int64_t n_calls, const char *endpoint_class)
{
	int64_t minute = minute_of(when_ms);
	sqlite3_stmt *st;
	int err;

	if (n_calls < 0 || (side != CRMSYNC_SIDE_HUBSPOT && side != CRMSYNC_SIDE_SALESFORCE))
		return -EINVAL;
	if ((err = store_prep(s, ST_LEDGER_ADD,
			      "INSERT INTO ledger (side, minute, class, calls) VALUES (?1, ?2, ?3, ?4)"
			      " ON CONFLICT (side, minute, class) DO UPDATE"
			      " SET calls = calls + excluded.calls", &st)))
		return err;
	sqlite3_bind_int(st, 1, (int)side);
	sqlite3_bind_int64(st, 2, minute);
	store_bind_key(st, 3, endpoint_class);
	sqlite3_bind_int64(st, 4, n_calls);
	if ((err = store_step_done(s, st, "count API calls")))
		return err;
	/* Prune about once an hour of ledger time, not on every call. */
	if (minute >= s->ledger_pruned_min + 60) {
		if ((err = store_ledger_prune(s, when_ms - STORE_LEDGER_KEEP_MS)))
			return err;
		s->ledger_pruned_min = minute;
	}
	return 0;
}

int store_ledger_sum(struct store *s, enum crmsync_side side, int64_t since_ms, int64_t *out)
{
	sqlite3_stmt *st;
	int rc, err;

	*out = 0;
	if ((err = store_prep(s, ST_LEDGER_SUM,
			      "SELECT coalesce(sum(calls), 0) FROM ledger"
			      " WHERE side = ?1 AND minute >= ?2", &st)))
		return err;
	sqlite3_bind_int(st, 1, (int)side);
	sqlite3_bind_int64(st, 2, minute_of(since_ms));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		err = store_fail(s, rc, "sum the API-call ledger");
	store_done(st);
	return err;
}

/* ---- notifier schedule ---------------------------------------------------------- */

int store_notify_get(struct store *s, const char *channel, struct store_notify *out)
{
	sqlite3_stmt *st;
	int rc, err;

	memset(out, 0, sizeof(*out));
	if ((err = store_prep(s, ST_NOTIFY_GET,
			      "SELECT last_digest_at, next_digest_at, failures, last_error, watermark"
			      " FROM notify WHERE channel = ?1", &st)))
		return err;
	store_bind_key(st, 1, channel);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->last_digest_at = sqlite3_column_int64(st, 0);
		out->next_digest_at = sqlite3_column_int64(st, 1);
		out->failures = sqlite3_column_int64(st, 2);
		store_col_copy(st, 3, out->last_error, sizeof(out->last_error));
		out->watermark = sqlite3_column_int64(st, 4);
	} else {
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "read a notifier schedule");
	}
	store_done(st);
	return err;
}

int store_notify_put(struct store *s, const char *channel, const struct store_notify *n)
{
	sqlite3_stmt *st;
	int err;

	if (!channel || !*channel)
		return -EINVAL;
	if ((err = store_prep(s, ST_NOTIFY_PUT,
			      "INSERT OR REPLACE INTO notify (channel, last_digest_at, next_digest_at,"
			      " failures, last_error, watermark) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st)))
		return err;
	store_bind_key(st, 1, channel);
	sqlite3_bind_int64(st, 2, n->last_digest_at);
	sqlite3_bind_int64(st, 3, n->next_digest_at);
	sqlite3_bind_int64(st, 4, n->failures);
	store_bind_text(st, 5, n->last_error[0] ? n->last_error : NULL);
	sqlite3_bind_int64(st, 6, n->watermark);
	return store_step_done(s, st, "write a notifier schedule");
}

/* ---- cycle reports ------------------------------------------------------------------ */

#define CYCLE_COLS "object, started_at, finished_at, n_read, n_written, n_failed, status, message"

static void read_cycle(sqlite3_stmt *st, struct store_cycle *c)
{
	store_col_copy(st, 0, c->object, sizeof(c->object));
	c->started_at = sqlite3_column_int64(st, 1);
	c->finished_at = sqlite3_column_int64(st, 2);
	c->n_read = sqlite3_column_int64(st, 3);
	c->n_written = sqlite3_column_int64(st, 4);
	c->n_failed = sqlite3_column_int64(st, 5);
	store_col_copy(st, 6, c->status, sizeof(c->status));
	store_col_copy(st, 7, c->message, sizeof(c->message));
}

int store_cycle_put(struct store *s, const struct store_cycle *c)
{
	sqlite3_stmt *st;
	int err;

	if (!c->object[0])
		return -EINVAL;
	if ((err = store_prep(s, ST_CYCLE_PUT,
			      "INSERT OR REPLACE INTO cycle (" CYCLE_COLS ")"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", &st)))
		return err;
	store_bind_key(st, 1, c->object);
	sqlite3_bind_int64(st, 2, c->started_at);
	sqlite3_bind_int64(st, 3, c->finished_at);
	sqlite3_bind_int64(st, 4, c->n_read);
	sqlite3_bind_int64(st, 5, c->n_written);
	sqlite3_bind_int64(st, 6, c->n_failed);
	store_bind_key(st, 7, c->status);
	store_bind_text(st, 8, c->message[0] ? c->message : NULL);
	return store_step_done(s, st, "write a cycle report");
}

int store_cycle_get(struct store *s, const char *object, struct store_cycle *out)
{
	sqlite3_stmt *st;
	int rc, err;

	memset(out, 0, sizeof(*out));
	if ((err = store_prep(s, ST_CYCLE_GET,
			      "SELECT " CYCLE_COLS " FROM cycle WHERE object = ?1", &st)))
		return err;
	store_bind_key(st, 1, object);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_cycle(st, out);
	else
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "read a cycle report");
	store_done(st);
	return err;
}

int store_cycle_list(struct store *s, store_cycle_cb cb, void *arg)
{
	struct store_cycle *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, ST_CYCLE_LIST,
			      "SELECT " CYCLE_COLS " FROM cycle ORDER BY object", &st)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			v = xrealloc(v, cap * sizeof(*v));
		}
		read_cycle(st, &v[n++]);
	}
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "list cycle reports");
	store_done(st);
	for (size_t i = 0; !err && i < n; i++)
		err = cb(&v[i], arg);
	free(v);
	return err;
}

/* ---- feed records ------------------------------------------------------------ */

int store_feed_put(struct store *s, const char *object, const char *hs_id, const char *body)
{
	sqlite3_stmt *st;
	int err;

	if (!object || !hs_id || !body)
		return -EINVAL;
	if ((err = store_prep(s, ST_FEED_PUT,
			      "INSERT INTO feed_record (object, hs_id, body, read_at) VALUES (?1, ?2, ?3, ?4)"
			      " ON CONFLICT (object, hs_id) DO UPDATE SET body = excluded.body,"
			      " read_at = excluded.read_at", &st)))
		return err;
	store_bind_key(st, 1, object);
	store_bind_key(st, 2, hs_id);
	store_bind_key(st, 3, body);
	sqlite3_bind_int64(st, 4, store_now_ms());
	return store_step_done(s, st, "keep a feed record");
}

int store_feed_get(struct store *s, const char *object, const char *hs_id, char **body)
{
	sqlite3_stmt *st;
	int rc, err;

	*body = NULL;
	if ((err = store_prep(s, ST_FEED_GET,
			      "SELECT body FROM feed_record WHERE object = ?1 AND hs_id = ?2", &st)))
		return err;
	store_bind_key(st, 1, object);
	store_bind_key(st, 2, hs_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*body = store_col_dup(st, 0);
	else
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "read a feed record");
	store_done(st);
	return err;
}

int store_feed_del(struct store *s, const char *object, const char *hs_id)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_FEED_DEL,
			      "DELETE FROM feed_record WHERE object = ?1 AND hs_id = ?2", &st)))
		return err;
	store_bind_key(st, 1, object);
	store_bind_key(st, 2, hs_id);
	return store_step_done(s, st, "drop a feed record");
}

/* ---- the services' metadata ---------------------------------------------------- */

int store_meta_put(struct store *s, const char *key, const char *body)
{
	sqlite3_stmt *st;
	int err;

	if (!key || !body)
		return -EINVAL;
	if ((err = store_prep(s, ST_META_PUT,
			      "INSERT INTO metadata (key, body, fetched_at) VALUES (?1, ?2, ?3)"
			      " ON CONFLICT (key) DO UPDATE SET body = excluded.body,"
			      " fetched_at = excluded.fetched_at", &st)))
		return err;
	store_bind_key(st, 1, key);
	store_bind_key(st, 2, body);
	sqlite3_bind_int64(st, 3, store_now_ms());
	return store_step_done(s, st, "keep metadata");
}

int store_meta_get(struct store *s, const char *key, int64_t min_fetched_at, char **body)
{
	sqlite3_stmt *st;
	int rc, err;

	*body = NULL;
	if ((err = store_prep(s, ST_META_GET,
			      "SELECT body FROM metadata WHERE key = ?1 AND fetched_at >= ?2", &st)))
		return err;
	store_bind_key(st, 1, key);
	sqlite3_bind_int64(st, 2, min_fetched_at);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*body = store_col_dup(st, 0);
	else
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "read metadata");
	store_done(st);
	return err;
}

int store_meta_clear(struct store *s, const char *key)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_META_CLEAR, "DELETE FROM metadata WHERE ?1 IS NULL OR key = ?1",
			      &st)))
		return err;
	if (key)
		store_bind_key(st, 1, key);
	else
		sqlite3_bind_null(st, 1);
	return store_step_done(s, st, "forget metadata");
}
