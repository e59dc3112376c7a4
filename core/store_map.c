/*
 * store_map.c - the id map (which HubSpot record is which Salesforce record,
 * and the external id crmsync gave the pair before creating it), the base
 * values of each pair, and the cursors.
 *
 * A pair is written before its create call goes out (store_idmap_pending),
 * so a replay after a crash finds it and re-sends the same external id. Base
 * values are one row per pair, a length-prefixed blob: one b-tree entry per
 * record instead of one per field. tests/store/bench_store.c, 100k pairs x 20
 * fields in one transaction: id map + blob bases 3.3-3.9 s, the per-field
 * layout 3.4-5.8 s for the bases alone; reading back is the same (~0.9 s).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "log.h"
#include "store_priv.h"
#include "util.h"

/* "" counts as absent. */
static const char *nz(const char *v)
{
	return v && *v ? v : NULL;
}

static int side_ok(struct store *s, enum crmsync_side side)
{
	if (side == CRMSYNC_SIDE_HUBSPOT || side == CRMSYNC_SIDE_SALESFORCE)
		return 1;
	log_err("state database '%s': side %d is neither HubSpot nor Salesforce", s->path,
		(int)side);
	return 0;
}

static int check_len(struct store *s, const char *what, const char *v, size_t max)
{
	if (v && strlen(v) > max) {
		log_err("state database '%s': %s '%.40s...' is longer than %zu bytes", s->path,
			what, v, max);
		return -EINVAL;
	}
	return 0;
}

int store_new_ext_id(char out[STORE_EXT_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[STORE_EXT_ID_LEN / 2];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(b)) {
		n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("cannot draw an external id from the kernel: %s", strerror(errno));
			return -errno;
		}
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[STORE_EXT_ID_LEN] = '\0';
	return 0;
}

/* ---- id map ------------------------------------------------------------- */

#define PAIR_COLS "id, ext_id, hs_id, sf_type, sf_id, updated_at, deleted_at"

static void read_pair(sqlite3_stmt *st, struct store_pair *p)
{
	p->id = sqlite3_column_int64(st, 0);
	store_col_copy(st, 1, p->ext_id, sizeof(p->ext_id));
	store_col_copy(st, 2, p->hs_id, sizeof(p->hs_id));
	store_col_copy(st, 3, p->sf_type, sizeof(p->sf_type));
	store_col_copy(st, 4, p->sf_id, sizeof(p->sf_id));
	p->updated_at = sqlite3_column_int64(st, 5);
	p->deleted_at = sqlite3_column_int64(st, 6);
}

static int lookup(struct store *s, enum store_stmt_id id, const char *sql, const char *object,
		  const char *key, struct store_pair *out)
{
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, id, sql, &st)))
		return err;
	store_bind_key(st, 1, object);
	store_bind_key(st, 2, key);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		read_pair(st, out);
		err = 0;
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	} else {
		err = store_fail(s, rc, "look up the id map");
	}
	store_done(st);
	return err;
}

int store_idmap_by_hs(struct store *s, const char *object, const char *hs_id,
		      struct store_pair *out)
{
	return lookup(s, ST_MAP_BY_HS, "SELECT " PAIR_COLS " FROM idmap WHERE object = ?1 AND hs_id = ?2",
		      object, hs_id, out);
}

int store_idmap_by_sf(struct store *s, const char *object, const char *sf_id,
		      struct store_pair *out)
{
	return lookup(s, ST_MAP_BY_SF, "SELECT " PAIR_COLS " FROM idmap WHERE object = ?1 AND sf_id = ?2",
		      object, sf_id, out);
}

int store_idmap_by_ext(struct store *s, const char *object, const char *ext_id,
		       struct store_pair *out)
{
	return lookup(s, ST_MAP_BY_EXT, "SELECT " PAIR_COLS " FROM idmap WHERE object = ?1 AND ext_id = ?2",
		      object, ext_id, out);
}

/* Find the one pair the given ids belong to: 0 and *p, -ENOENT, or -EEXIST
 * when they belong to different pairs. */
static int find_pair(struct store *s, const char *object, const char *hs_id, const char *sf_id,
		     const char *ext_id, struct store_pair *p)
{
	struct store_pair q;
	int found = 0, err;

	if (ext_id) {
		if (!(err = store_idmap_by_ext(s, object, ext_id, p)))
			found = 1;
		else if (err != -ENOENT)
			return err;
	}
	for (int k = 0; k < 2; k++) {
		const char *id = k ? sf_id : hs_id;

		if (!id)
			continue;
		err = k ? store_idmap_by_sf(s, object, id, &q) : store_idmap_by_hs(s, object, id, &q);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		if (found && q.id != p->id) {
			log_err("state database '%s': %s '%s' belongs to another pair than %s: "
				"not mapping it twice", s->path, k ? "Salesforce id" : "HubSpot id",
				id, p->ext_id);
			return -EEXIST;
		}
		*p = q;
		found = 1;
	}
	return found ? 0 : -ENOENT;
}

/* Refuse to overwrite an id a pair already has with another one. */
static int same_or_unset(struct store *s, const struct store_pair *p, const char *what,
			 const char *have, const char *want)
{
	if (!want || !*have || strcmp(have, want) == 0)
		return 0;
	log_err("state database '%s': pair %s already has %s '%s', not '%s'", s->path,
		p->ext_id, what, have, want);
	return -EEXIST;
}

static int insert_pair(struct store *s, const char *object, const char *hs_id,
		       const char *sf_type, const char *sf_id, const char *ext_id, int64_t *pair_id)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_MAP_INSERT,
			      "INSERT INTO idmap (object, ext_id, hs_id, sf_type, sf_id, updated_at)"
			      " VALUES (?1, ?2, ?3, ?4, ?5, ?6)", &st)))
		return err;
	store_bind_key(st, 1, object);
	store_bind_key(st, 2, ext_id);
	store_bind_text(st, 3, hs_id);
	store_bind_text(st, 4, sf_type);
	store_bind_text(st, 5, sf_id);
	sqlite3_bind_int64(st, 6, store_now_ms());
	if ((err = store_step_done(s, st, "add to the id map")))
		return err;
	if (pair_id)
		*pair_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static int check_ids(struct store *s, const char *hs_id, const char *sf_type, const char *sf_id,
		     const char *ext_id)
{
	int err;

	if ((err = check_len(s, "HubSpot id", hs_id, STORE_ID_MAX)) ||
	    (err = check_len(s, "Salesforce id", sf_id, STORE_ID_MAX)) ||
	    (err = check_len(s, "Salesforce type", sf_type, STORE_TYPE_MAX)) ||
	    (err = check_len(s, "external id", ext_id, STORE_EXT_ID_LEN)))
		return err;
	return 0;
}

int store_idmap_put(struct store *s, const char *object, const char *hs_id,
		    const char *sf_type, const char *sf_id, const char *ext_id,
		    int64_t *pair_id)
{
	struct store_pair p;
	char fresh[STORE_EXT_ID_LEN + 1];
	sqlite3_stmt *st;
	int own, err;

	hs_id = nz(hs_id), sf_type = nz(sf_type), sf_id = nz(sf_id), ext_id = nz(ext_id);
	if (!hs_id && !sf_id && !ext_id) {
		log_err("state database '%s': a pair of '%s' needs at least one id", s->path, object);
		return -EINVAL;
	}
	if ((err = check_ids(s, hs_id, sf_type, sf_id, ext_id)))
		return err;
	if ((err = store_atomic_begin(s, &own)))
		return err;
	err = find_pair(s, object, hs_id, sf_id, ext_id, &p);
	if (err == -ENOENT) {
		if (!ext_id && (err = store_new_ext_id(fresh)))
			goto out;
		err = insert_pair(s, object, hs_id, sf_type, sf_id, ext_id ? ext_id : fresh, pair_id);
		goto out;
	}
	if (err)
		goto out;
	if ((err = same_or_unset(s, &p, "HubSpot id", p.hs_id, hs_id)) ||
	    (err = same_or_unset(s, &p, "Salesforce id", p.sf_id, sf_id)) ||
	    (err = same_or_unset(s, &p, "external id", p.ext_id, ext_id)))
		goto out;
	if ((err = store_prep(s, ST_MAP_UPDATE,
			      "UPDATE idmap SET hs_id = coalesce(?1, hs_id),"
			      " sf_type = coalesce(?2, sf_type), sf_id = coalesce(?3, sf_id),"
			      " updated_at = ?4 WHERE id = ?5", &st)))
		goto out;
	store_bind_text(st, 1, hs_id);
	store_bind_text(st, 2, sf_type);
	store_bind_text(st, 3, sf_id);
	sqlite3_bind_int64(st, 4, store_now_ms());
	sqlite3_bind_int64(st, 5, p.id);
	err = store_step_done(s, st, "update the id map");
	if (!err && pair_id)
		*pair_id = p.id;
out:
	return store_atomic_end(s, own, err);
}

int store_idmap_pending(struct store *s, const char *object, enum crmsync_side side,
			const char *id, const char *sf_type, struct store_pair *out)
{
	char ext[STORE_EXT_ID_LEN + 1];
	int hs = side == CRMSYNC_SIDE_HUBSPOT;
	int own, err;

	if (!side_ok(s, side) || !nz(id))
		return -EINVAL;
	if ((err = check_ids(s, id, sf_type, id, NULL)))
		return err;
	if ((err = store_atomic_begin(s, &own)))
		return err;
	err = hs ? store_idmap_by_hs(s, object, id, out) : store_idmap_by_sf(s, object, id, out);
	if (err != -ENOENT)
		goto out;   /* found (a replay), or failed */
	if ((err = store_new_ext_id(ext)) ||
	    (err = insert_pair(s, object, hs ? id : NULL, nz(sf_type), hs ? NULL : id, ext, NULL)))
		goto out;
	err = store_idmap_by_ext(s, object, ext, out);
out:
	return store_atomic_end(s, own, err);
}

int store_idmap_list_pending(struct store *s, const char *object, store_pair_cb cb, void *arg)
{
	struct store_pair *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, err;

	if ((err = store_prep(s, ST_MAP_PENDING_LIST,
			      "SELECT " PAIR_COLS " FROM idmap WHERE object = ?1"
			      " AND (hs_id IS NULL OR sf_id IS NULL) AND deleted_at IS NULL"
			      " ORDER BY id", &st)))
		return err;
	store_bind_key(st, 1, object);
	/* Collected first, so that cb may write to the store. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = xrealloc(v, cap * sizeof(*v));
		}
		read_pair(st, &v[n++]);
	}
	if (rc != SQLITE_DONE)
		err = store_fail(s, rc, "list pending pairs");
	store_done(st);
	for (size_t i = 0; !err && i < n; i++)
		err = cb(&v[i], arg);
	free(v);
	return err;
}

static int update_by_id(struct store *s, enum store_stmt_id id, const char *sql, int64_t pair,
			int64_t when, const char *what)
{
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, id, sql, &st)))
		return err;
	sqlite3_bind_int64(st, 1, pair);
	if (when)
		sqlite3_bind_int64(st, 2, when);
	if ((err = store_step_done(s, st, what)))
		return err;
	return sqlite3_changes(s->db) ? 0 : -ENOENT;
}

int store_idmap_tombstone(struct store *s, int64_t pair_id, int64_t when_ms)
{
	if (!when_ms)
		when_ms = store_now_ms();
	return update_by_id(s, ST_MAP_TOMBSTONE,
			    "UPDATE idmap SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
			    pair_id, when_ms, "tombstone a pair");
}

int store_idmap_rekey_sf(struct store *s, int64_t pair_id, const char *sf_type, const char *sf_id)
{
	sqlite3_stmt *st;
	int err;

	if (!sf_type || !sf_id || !*sf_id || strlen(sf_id) > STORE_ID_MAX ||
	    strlen(sf_type) > STORE_TYPE_MAX)
		return -EINVAL;
	if ((err = store_prep(s, ST_MAP_REKEY,
			      "UPDATE idmap SET sf_type = ?2, sf_id = ?3, updated_at = ?4 WHERE id = ?1",
			      &st)))
		return err;
	sqlite3_bind_int64(st, 1, pair_id);
	sqlite3_bind_text(st, 2, sf_type, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sf_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, store_now_ms());
	if ((err = store_step_done(s, st, "re-point a pair")))
		return err;
	return sqlite3_changes(s->db) ? 0 : -ENOENT;
}

int store_idmap_delete(struct store *s, int64_t pair_id)
{
	return update_by_id(s, ST_MAP_DELETE, "DELETE FROM idmap WHERE id = ?1", pair_id, 0,
			    "delete a pair");
}

/* ---- base values ---------------------------------------------------------- */

#define BLOB_VERSION 1
#define BLOB_NULL 0xffffffffu

static void put_u32(struct strbuf *sb, uint32_t v)
{
	char b[4] = { (char)(v & 0xff), (char)(v >> 8 & 0xff), (char)(v >> 16 & 0xff),
		      (char)(v >> 24) };

	strbuf_add(sb, b, 4);
}

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void store_blob_encode(const char *const *names, const char *const *values, size_t n,
		       unsigned char **out, size_t *len)
{
	struct strbuf sb = { 0 };
	char v = BLOB_VERSION;

	strbuf_add(&sb, &v, 1);
	put_u32(&sb, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(names[i]);

		put_u32(&sb, (uint32_t)nl);
		strbuf_add(&sb, names[i], nl);
		if (!values[i]) {
			put_u32(&sb, BLOB_NULL);
			continue;
		}
		nl = strlen(values[i]);
		put_u32(&sb, (uint32_t)nl);
		strbuf_add(&sb, values[i], nl);
	}
	*len = sb.len;
	*out = (unsigned char *)strbuf_detach(&sb);
}

int store_blob_decode(const unsigned char *p, size_t len, struct store_fields *out)
{
	const unsigned char *end = p + len;
	uint32_t n, l;

	out->f = NULL;
	out->n = 0;
	if (len < 5 || p[0] != BLOB_VERSION)
		return -STORE_ECORRUPT;
	n = get_u32(p + 1);
	p += 5;
	if (n > len / 8)
		return -STORE_ECORRUPT;
	out->f = xcalloc(n ? n : 1, sizeof(*out->f));
	for (uint32_t i = 0; i < n; i++) {
		struct store_field *f = &out->f[i];

		if (end - p < 4 || (l = get_u32(p)) > (size_t)(end - p - 4))
			goto out_corrupt;
		f->name = xstrndup((const char *)p + 4, l);
		p += 4 + l;
		out->n++;
		if (end - p < 4)
			goto out_corrupt;
		if ((l = get_u32(p)) == BLOB_NULL) {
			p += 4;
			continue;
		}
		if (l > (size_t)(end - p - 4))
			goto out_corrupt;
		f->value = xstrndup((const char *)p + 4, l);
		p += 4 + l;
	}
	if (p == end)
		return 0;
out_corrupt:
	store_fields_release(out);
	return -STORE_ECORRUPT;
}

void store_fields_release(struct store_fields *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->f[i].name);
		free(f->f[i].value);
	}
	free(f->f);
	f->f = NULL;
	f->n = 0;
}

int store_fields_find(const struct store_fields *f, const char *name, const char **value)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0) {
			*value = f->f[i].value;
			return 1;
		}
	return 0;
}

int store_base_get(struct store *s, int64_t pair_id, struct store_fields *out)
{
	sqlite3_stmt *st;
	int rc, err;

	out->f = NULL;
	out->n = 0;
	if ((err = store_prep(s, ST_BASE_GET, "SELECT fields FROM base WHERE pair_id = ?1", &st)))
		return err;
	sqlite3_bind_int64(st, 1, pair_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		err = store_blob_decode(sqlite3_column_blob(st, 0),
					(size_t)sqlite3_column_bytes(st, 0), out);
		if (err)
			log_err("state database '%s': the base values of pair %lld are damaged; "
				"the next sync of that record treats both sides as changed",
				s->path, (long long)pair_id);
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	} else {
		err = store_fail(s, rc, "read base values");
	}
	store_done(st);
	return err;
}

int store_base_put(struct store *s, int64_t pair_id, const char *const *names,
		   const char *const *values, size_t n)
{
	unsigned char *blob;
	size_t len;
	sqlite3_stmt *st;
	int err;

	if ((err = store_prep(s, ST_BASE_PUT,
			      "INSERT INTO base (pair_id, fields, updated_at) VALUES (?1, ?2, ?3)"
			      " ON CONFLICT (pair_id) DO UPDATE SET fields = excluded.fields,"
			      " updated_at = excluded.updated_at", &st)))
		return err;
	store_blob_encode(names, values, n, &blob, &len);
	sqlite3_bind_int64(st, 1, pair_id);
	sqlite3_bind_blob(st, 2, blob, (int)len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, store_now_ms());
	err = store_step_done(s, st, "write base values");
	free(blob);
	return err;
}

/* ---- cursors -------------------------------------------------------------- */

int store_cursor_get(struct store *s, const char *object, enum crmsync_side side, char **out)
{
	sqlite3_stmt *st;
	int rc, err;

	*out = NULL;
	if (!side_ok(s, side))
		return -EINVAL;
	if ((err = store_prep(s, ST_CURSOR_GET,
			      "SELECT value FROM cursor WHERE object = ?1 AND side = ?2", &st)))
		return err;
	store_bind_key(st, 1, object);
	sqlite3_bind_int(st, 2, (int)side);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = store_col_dup(st, 0);
	else
		err = rc == SQLITE_DONE ? -ENOENT : store_fail(s, rc, "read a cursor");
	store_done(st);
	return err;
}

int store_cursor_put(struct store *s, const char *object, enum crmsync_side side,
		     const char *cursor)
{
	sqlite3_stmt *st;
	int err;

	if (!side_ok(s, side) || !cursor)
		return -EINVAL;
	if ((err = store_prep(s, ST_CURSOR_PUT,
			      "INSERT INTO cursor (object, side, value, updated_at)"
			      " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (object, side) DO UPDATE"
			      " SET value = excluded.value, updated_at = excluded.updated_at", &st)))
		return err;
	store_bind_key(st, 1, object);
	sqlite3_bind_int(st, 2, (int)side);
	store_bind_key(st, 3, cursor);
	sqlite3_bind_int64(st, 4, store_now_ms());
	return store_step_done(s, st, "write a cursor");
}
