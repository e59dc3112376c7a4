/*
 * store_errors.c - the sync-error store: one row per (object, refusing side,
 * HubSpot id, Salesforce id, cause code), updated in place when the same
 * failure recurs; the records each error holds back; counts per type for the
 * health cards; resolution, which moves an error to history with when and
 * how. It does not classify errors (the resolvers do) nor decide retries.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_priv.h"
#include "util.h"

#define MESSAGE_MAX 2048

#define ERR_COLS "id, object, side, hs_id, sf_type, sf_id, code, type, message, raw, hint," \
	" details, retry, next_retry_at, attempts, count, created_at, last_seen"

/* What a store_error handed out owns. */
struct err_priv {
	void **p;
	size_t n, cap;
	struct store_fields details;
};

static void *own(struct err_priv *pv, void *p)
{
	if (pv->n == pv->cap) {
		pv->cap = pv->cap ? 2 * pv->cap : 16;
		pv->p = xrealloc(pv->p, pv->cap * sizeof(*pv->p));
	}
	pv->p[pv->n++] = p;
	return p;
}

static const char *col(struct err_priv *pv, sqlite3_stmt *st, int i)
{
	char *v = store_col_dup(st, i);

	return v ? own(pv, v) : NULL;
}

void store_error_release(struct store_error *e)
{
	struct err_priv *pv = e->priv_;

	if (!pv)
		return;
	for (size_t i = 0; i < pv->n; i++)
		free(pv->p[i]);
	free(pv->p);
	store_fields_release(&pv->details);
	free(pv);
	memset(e, 0, sizeof(*e));
}

/* Read the ERR_COLS of the current row into e (owned by e->priv_). */
static void read_error(sqlite3_stmt *st, struct store_error *e)
{
	struct err_priv *pv = xcalloc(1, sizeof(*pv));
	struct store_detail *d;

	memset(e, 0, sizeof(*e));
	e->priv_ = pv;
	e->id = sqlite3_column_int64(st, 0);
	e->object = col(pv, st, 1);
	e->side = (enum crmsync_side)sqlite3_column_int(st, 2);
	e->hs_id = col(pv, st, 3);
	e->sf_type = col(pv, st, 4);
	e->sf_id = col(pv, st, 5);
	e->code = col(pv, st, 6);
	e->type = col(pv, st, 7);
	e->message = col(pv, st, 8);
	e->raw = col(pv, st, 9);
	e->hint = col(pv, st, 10);
	if (sqlite3_column_type(st, 11) == SQLITE_BLOB &&
	    store_blob_decode(sqlite3_column_blob(st, 11), (size_t)sqlite3_column_bytes(st, 11),
			      &pv->details) == 0 && pv->details.n) {
		d = own(pv, xcalloc(pv->details.n, sizeof(*d)));
		for (size_t i = 0; i < pv->details.n; i++) {
			d[i].key = pv->details.f[i].name;
			d[i].value = pv->details.f[i].value;
		}
		e->details = d;
		e->ndetails = pv->details.n;
	}
	e->retry = (enum crmsync_retry)sqlite3_column_int(st, 12);
	e->next_retry_at = sqlite3_column_int64(st, 13);
	e->attempts = sqlite3_column_int64(st, 14);
	e->count = sqlite3_column_int64(st, 15);
	e->created_at = sqlite3_column_int64(st, 16);
	e->last_seen = sqlite3_column_int64(st, 17);
}

static int read_affected(struct store *s, struct store_error *e)
{
	struct err_priv *pv = e->priv_;
	struct store_ref *r = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, ST_ERR_AFF_LIST,
			      "SELECT side, object, record_id FROM sync_error_affected"
			      " WHERE error_id = ?1 ORDER BY side, object, record_id", &st)))
		return err;
	sqlite3_bind_int64(st, 1, e->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			r = xrealloc(r, cap * sizeof(*r));
		}
		r[n].side = (enum crmsync_side)sqlite3_column_int(st, 0);
		r[n].object = col(pv, st, 1);
		r[n].id = col(pv, st, 2);
		n++;
	}
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "read the records an error holds back");
	store_done(st);
	if (r)
		own(pv, r);
	e->affected = r;
	e->naffected = n;
	return err;
}

/* Cut s to at most max bytes without splitting a UTF-8 sequence. */
static char *cut_utf8(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return NULL;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return xstrndup(s, n);
}

static int find_error(struct store *s, const struct store_error *e, int64_t *id)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, ST_ERR_FIND,
			      "SELECT id FROM sync_error WHERE object = ?1 AND side = ?2"
			      " AND hs_id = ?3 AND sf_id = ?4 AND code = ?5", &st)))
		return err;
	store_bind_key(st, 1, e->object);
	sqlite3_bind_int(st, 2, (int)e->side);
	store_bind_key(st, 3, e->hs_id);
	store_bind_key(st, 4, e->sf_id);
	store_bind_key(st, 5, e->code);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	else
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "look up a sync error");
	store_done(st);
	return err;
}

static int add_affected(struct store *s, int64_t id, const struct store_error *e)
{
	sqlite3_stmt *st;
	int err;

	if (!e->naffected)
		return 0;
	if ((err = store_prep(s, ST_ERR_AFF_ADD,
			      "INSERT OR IGNORE INTO sync_error_affected (error_id, side, object,"
			      " record_id) VALUES (?1, ?2, ?3, ?4)", &st)))
		return err;
	for (size_t i = 0; i < e->naffected; i++) {
		const struct store_ref *r = &e->affected[i];

		if (!r->id || !*r->id)
			continue;
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int(st, 2, (int)r->side);
		store_bind_key(st, 3, r->object);
		store_bind_key(st, 4, r->id);
		if ((err = store_step_done(s, st, "record an affected record")))
			return err;
	}
	return 0;
}

/* Bind the columns an upsert writes: 1..9 (both statements use them). */
static void bind_common(sqlite3_stmt *st, const struct store_error *e, const char *message,
			const char *raw, const unsigned char *details, size_t dlen, int64_t seen)
{
	store_bind_key(st, 1, e->type);
	store_bind_text(st, 2, message);
	store_bind_text(st, 3, raw);
	store_bind_text(st, 4, e->hint);
	if (details)
		sqlite3_bind_blob(st, 5, details, (int)dlen, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 5);
	sqlite3_bind_int(st, 6, (int)e->retry);
	sqlite3_bind_int64(st, 7, e->next_retry_at);
	sqlite3_bind_int64(st, 8, seen);
	store_bind_key(st, 9, e->sf_type);
}

static int write_error(struct store *s, const struct store_error *e, int64_t *id)
{
	char *message = e->message ? cut_utf8(e->message, MESSAGE_MAX) : NULL;
	char *raw = e->raw ? cut_utf8(e->raw, STORE_RAW_MAX) : NULL;
	const char **k = NULL, **v = NULL;
	unsigned char *details = NULL;
	size_t dlen = 0;
	int64_t seen = e->last_seen ? e->last_seen : store_now_ms();
	sqlite3_stmt *st;
	int err;

	if (e->ndetails) {
		k = xcalloc(e->ndetails, sizeof(*k));
		v = xcalloc(e->ndetails, sizeof(*v));
		for (size_t i = 0; i < e->ndetails; i++) {
			k[i] = e->details[i].key ? e->details[i].key : "";
			v[i] = e->details[i].value;
		}
		store_blob_encode(k, v, e->ndetails, &details, &dlen);
	}
	err = find_error(s, e, id);
	if (err == 0) {
		err = store_prep(s, ST_ERR_UPDATE,
				 "UPDATE sync_error SET type = ?1, message = ?2, raw = ?3, hint = ?4,"
				 " details = ?5, retry = ?6, last_seen = ?8,"
				 /* a recurring failure keeps its retry schedule (the retry
				  * pass moves it on), unless its policy is now "never" */
				 " next_retry_at = CASE WHEN ?7 = 0 THEN 0 WHEN next_retry_at > 0"
				 " THEN next_retry_at ELSE ?7 END,"
				 " sf_type = CASE ?9 WHEN '' THEN sf_type ELSE ?9 END,"
				 " count = count + 1 WHERE id = ?10", &st);
		if (!err) {
			bind_common(st, e, message ? message : e->message, raw ? raw : e->raw,
				    details, dlen, seen);
			sqlite3_bind_int64(st, 10, *id);
			err = store_step_done(s, st, "update a sync error");
		}
	} else if (err == -ENOENT) {
		err = store_prep(s, ST_ERR_INSERT,
				 "INSERT INTO sync_error (type, message, raw, hint, details, retry,"
				 " next_retry_at, last_seen, sf_type, created_at, object, side, hs_id,"
				 " sf_id, code) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?10,"
				 " ?11, ?12, ?13, ?14)", &st);
		if (!err) {
			bind_common(st, e, message ? message : e->message, raw ? raw : e->raw,
				    details, dlen, seen);
			store_bind_key(st, 10, e->object);
			sqlite3_bind_int(st, 11, (int)e->side);
			store_bind_key(st, 12, e->hs_id);
			store_bind_key(st, 13, e->sf_id);
			store_bind_key(st, 14, e->code);
			err = store_step_done(s, st, "record a sync error");
			*id = sqlite3_last_insert_rowid(s->db);
		}
	}
	if (!err)
		err = add_affected(s, *id, e);
	free(details);
	free(k);
	free(v);
	free(message);
	free(raw);
	return err;
}

int store_error_upsert(struct store *s, const struct store_error *e, int64_t *id)
{
	int64_t tmp;
	int own_txn, err;

	if (!e->object || !*e->object || !e->code || !*e->code || !e->type || !*e->type ||
	    (e->side != CRMSYNC_SIDE_HUBSPOT && e->side != CRMSYNC_SIDE_SALESFORCE)) {
		log_err("state database '%s': a sync error needs an object, a side, a code and a "
			"type", s->path);
		return -EINVAL;
	}
	if ((err = store_atomic_begin(s, &own_txn)))
		return err;
	err = write_error(s, e, id ? id : &tmp);
	return store_atomic_end(s, own_txn, err);
}

/* Run sql (bound by bind) and hand each row, with its affected records, to
 * cb. Rows are collected first, so that cb may write to the store. */
static int list_errors(struct store *s, enum store_stmt_id sid, const char *sql,
		       const char *text, int64_t num, int history, store_error_cb cb, void *arg)
{
	struct store_error *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, sid, sql, &st)))
		return err;
	if (text)
		store_bind_key(st, 1, text);
	sqlite3_bind_int64(st, text ? 2 : 1, num);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		read_error(st, &v[n]);
		if (history) {
			v[n].resolved_at = sqlite3_column_int64(st, 18);
			v[n].how = col(v[n].priv_, st, 19);
		}
		n++;
	}
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "list sync errors");
	store_done(st);
	for (size_t i = 0; !err && !history && i < n; i++)
		err = read_affected(s, &v[i]);
	for (size_t i = 0; !err && i < n; i++)
		err = cb(&v[i], arg);
	for (size_t i = 0; i < n; i++)
		store_error_release(&v[i]);
	free(v);
	return err;
}

int store_error_list(struct store *s, const char *type, store_error_cb cb, void *arg)
{
	if (type)
		return list_errors(s, ST_ERR_LIST_TYPE,
				   "SELECT " ERR_COLS " FROM sync_error WHERE type = ?1 AND id > ?2"
				   " ORDER BY id", type, 0, 0, cb, arg);
	return list_errors(s, ST_ERR_LIST, "SELECT " ERR_COLS " FROM sync_error WHERE id > ?1"
			   " ORDER BY id", NULL, 0, 0, cb, arg);
}

int store_error_list_since(struct store *s, int64_t after_id, store_error_cb cb, void *arg)
{
	return list_errors(s, ST_ERR_LIST_SINCE, "SELECT " ERR_COLS " FROM sync_error"
			   " WHERE id > ?1 ORDER BY id", NULL, after_id, 0, cb, arg);
}

int store_error_list_due(struct store *s, int64_t now_ms, store_error_cb cb, void *arg)
{
	return list_errors(s, ST_ERR_LIST_DUE, "SELECT " ERR_COLS " FROM sync_error"
			   " WHERE next_retry_at > 0 AND next_retry_at <= ?1"
			   " ORDER BY next_retry_at, id", NULL, now_ms, 0, cb, arg);
}

int store_error_history(struct store *s, const char *type, size_t limit,
			store_error_cb cb, void *arg)
{
	int64_t lim = limit ? (int64_t)limit : -1;

	if (type)
		return list_errors(s, ST_HIST_LIST_TYPE,
				   "SELECT " ERR_COLS ", resolved_at, how FROM"
				   " (SELECT *, 0 AS next_retry_at FROM sync_error_history)"
				   " WHERE type = ?1 ORDER BY resolved_at DESC, id DESC LIMIT ?2",
				   type, lim, 1, cb, arg);
	return list_errors(s, ST_HIST_LIST,
			   "SELECT " ERR_COLS ", resolved_at, how FROM"
			   " (SELECT *, 0 AS next_retry_at FROM sync_error_history)"
			   " ORDER BY resolved_at DESC, id DESC LIMIT ?1", NULL, lim, 1, cb, arg);
}

int store_error_get(struct store *s, int64_t id, struct store_error *out)
{
	sqlite3_stmt *st;
	int rc, err;

	memset(out, 0, sizeof(*out));
	if ((err = store_prep(s, ST_ERR_GET, "SELECT " ERR_COLS " FROM sync_error WHERE id = ?1",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_error(st, out);
	else
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "read a sync error");
	store_done(st);
	if (!err && (err = read_affected(s, out)))
		store_error_release(out);
	return err;
}

int store_error_retried(struct store *s, int64_t id, int64_t next_retry_at)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_ERR_RETRIED,
			      "UPDATE sync_error SET attempts = attempts + 1, next_retry_at = ?2"
			      " WHERE id = ?1", &st)))
		return err;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, next_retry_at);
	if ((err = store_step_done(s, st, "count a retry")))
		return err;
	return sqlite3_changes(s->db) ? 0 : -ENOENT;
}

int store_error_counts(struct store *s, struct store_error_count **out, size_t *n)
{
	struct store_error_count *v = NULL;
	size_t cap = 0;
	sqlite3_stmt *st;
	int rc, err;

	*out = NULL;
	*n = 0;
	/* A record is (object, side, id); an error's own record is its HubSpot
	 * one when known, else its Salesforce one. */
	if ((err = store_prep(s, ST_ERR_COUNTS,
			      "SELECT type, count(DISTINCT eid), count(DISTINCT rec) FROM ("
			      /* an error naming no record (a mapping problem) affects none */
			      " SELECT type, id AS eid, object || x'1f' || CASE WHEN hs_id <> ''"
			      "  THEN '1' || x'1f' || hs_id WHEN sf_id <> '' THEN '2' || x'1f' || sf_id"
			      "  END AS rec"
			      "  FROM sync_error"
			      " UNION ALL"
			      " SELECT e.type, e.id, a.object || x'1f' || a.side || x'1f' || a.record_id"
			      "  FROM sync_error_affected a JOIN sync_error e ON e.id = a.error_id)"
			      " GROUP BY type ORDER BY type", &st)))
		return err;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			v = xrealloc(v, cap * sizeof(*v));
		}
		store_col_copy(st, 0, v[*n].type, sizeof(v[*n].type));
		v[*n].errors = sqlite3_column_int64(st, 1);
		v[*n].records = sqlite3_column_int64(st, 2);
		(*n)++;
	}
	if (rc != SQLITE_DONE) {
		err = store_fail(s, rc, "count sync errors");
		free(v);
		v = NULL;
		*n = 0;
	}
	store_done(st);
	*out = v;
	return err;
}

int store_error_resolve(struct store *s, int64_t id, int64_t when_ms, const char *how)
{
	sqlite3_stmt *st;
	int own_txn, err;

	if (!how || !*how)
		return -EINVAL;
	if ((err = store_atomic_begin(s, &own_txn)))
		return err;
	if ((err = store_prep(s, ST_ERR_TO_HISTORY,
			      "INSERT INTO sync_error_history (id, object, side, hs_id, sf_type,"
			      " sf_id, code, type, message, raw, hint, details, retry, attempts,"
			      " count, naffected, created_at, last_seen, resolved_at, how)"
			      " SELECT id, object, side, hs_id, sf_type, sf_id, code, type, message,"
			      " raw, hint, details, retry, attempts, count, (SELECT count(*) FROM"
			      " sync_error_affected WHERE error_id = e.id), created_at, last_seen,"
			      " ?2, ?3 FROM sync_error e WHERE id = ?1", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, when_ms ? when_ms : store_now_ms());
	store_bind_key(st, 3, how);
	if ((err = store_step_done(s, st, "move a sync error to history")))
		goto out;
	if (!sqlite3_changes(s->db)) {
		err = -ENOENT;
		goto out;
	}
	/* Its affected records and resync requests go with it (ON DELETE CASCADE). */
	if ((err = store_prep(s, ST_ERR_DELETE, "DELETE FROM sync_error WHERE id = ?1", &st)))
		goto out;
	sqlite3_bind_int64(st, 1, id);
	err = store_step_done(s, st, "remove a resolved sync error");
out:
	return store_atomic_end(s, own_txn, err);
}

static int resolve_ids(struct store *s, sqlite3_stmt *st, int64_t when_ms, const char *how,
		       size_t *n)
{
	int64_t ids[64];
	size_t k = 0, done = 0;
	int err, rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < 64)
		ids[k++] = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(s, rc, "find sync errors to resolve");
	for (size_t i = 0; i < k; i++) {
		err = store_error_resolve(s, ids[i], when_ms, how);
		if (err && err != -ENOENT)
			return err;
		done += err == 0;
	}
	if (n)
		*n = done;
	return 0;
}

int store_error_resolve_setup(struct store *s, const char *object, int64_t seen_before,
			      int64_t when_ms, const char *how, size_t *n)
{
	sqlite3_stmt *st;
	size_t total = 0, k;
	int err;

	if (n)
		*n = 0;
	if (!object || !how)
		return -EINVAL;
	if ((err = store_prep(s, ST_ERR_OF_SETUP,
			      "SELECT id FROM sync_error WHERE object = ?1 AND last_seen < ?2 AND"
			      " coalesce(hs_id, '') = '' AND coalesce(sf_id, '') = '' LIMIT 64",
			      &st)))
		return err;
	store_bind_key(st, 1, object);
	sqlite3_bind_int64(st, 2, seen_before);
	do {
		k = 0;
		err = resolve_ids(s, st, when_ms, how, &k);
		total += k;
	} while (!err && k == 64);
	if (n)
		*n = total;
	return err;
}

int store_error_resolve_record(struct store *s, const char *object, const char *hs_id,
			       const char *sf_id, int64_t seen_before, int64_t when_ms, const char *how,
			       size_t *n)
{
	return store_error_resolve_record_side(s, object, hs_id, sf_id, CRMSYNC_SIDE_NONE,
					       seen_before, when_ms, how, n);
}

int store_error_resolve_record_side(struct store *s, const char *object, const char *hs_id,
				    const char *sf_id, enum crmsync_side side, int64_t seen_before,
				    int64_t when_ms, const char *how, size_t *n)
{
	sqlite3_stmt *st;
	int err;

	if (n)
		*n = 0;
	if (!object || !how || (!(hs_id && *hs_id) && !(sf_id && *sf_id)))
		return -EINVAL;
	if ((err = store_prep(s, ST_ERR_OF_RECORD,
			      /* two index searches (the partial indexes need their
			       * "<> ''" spelled out), not one scan */
			      "SELECT id FROM sync_error WHERE object = ?1 AND hs_id = ?2 AND"
			      " hs_id <> '' AND last_seen < ?4 AND (?5 = 0 OR side = ?5)"
			      " UNION SELECT id FROM sync_error WHERE object = ?1 AND sf_id = ?3 AND"
			      " sf_id <> '' AND last_seen < ?4 AND (?5 = 0 OR side = ?5) LIMIT 64",
			      &st)))
		return err;
	store_bind_key(st, 1, object);
	store_bind_key(st, 2, hs_id ? hs_id : "");
	store_bind_key(st, 3, sf_id ? sf_id : "");
	sqlite3_bind_int64(st, 4, seen_before);
	sqlite3_bind_int(st, 5, (int)side);
	return resolve_ids(s, st, when_ms, how, n);
}

int store_error_add_affected_of_record(struct store *s, const char *object, const char *hs_id,
				       const char *sf_id, const struct store_ref *ref, size_t *n)
{
	/* rare (records held back for a partner): not worth a cached statement */
	static const char sql[] =
		"INSERT OR IGNORE INTO sync_error_affected (error_id, side, object, record_id)"
		" SELECT id, ?4, ?5, ?6 FROM sync_error WHERE object = ?1 AND hs_id = ?2 AND hs_id <> ''"
		" UNION SELECT id, ?4, ?5, ?6 FROM sync_error WHERE object = ?1 AND sf_id = ?3 AND"
		" sf_id <> ''";
	sqlite3_stmt *st = NULL;
	int rc;

	if (n)
		*n = 0;
	if (!object || !ref || !ref->object || !ref->id || !*ref->id ||
	    (!(hs_id && *hs_id) && !(sf_id && *sf_id)))
		return -EINVAL;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_fail(s, rc, "list a held-back record on its partner's errors");
	store_bind_key(st, 1, object);
	store_bind_key(st, 2, hs_id ? hs_id : "");
	store_bind_key(st, 3, sf_id ? sf_id : "");
	sqlite3_bind_int(st, 4, (int)ref->side);
	store_bind_key(st, 5, ref->object);
	store_bind_key(st, 6, ref->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE && n)
		*n = (size_t)sqlite3_changes(s->db);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_fail(s, rc, "list a held-back record on its partner's errors");
}
