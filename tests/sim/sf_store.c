/*
 * crmsync-sim, Salesforce side: the record store. Records live in one array
 * per object plus an id map; unique/external-id/e-mail fields are indexed.
 * Every change made inside a transaction is logged so that allOrNone can undo
 * it. No validation here (see sf_write.c / sf_rules.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

enum sf_undo_kind { SF_UNDO_CREATE, SF_UNDO_UPDATE, SF_UNDO_DELETE };

struct sf_undo {
	enum sf_undo_kind kind;
	struct sf_rec *rec;
	json_t *old;
	int64_t old_stamp;
};

int64_t sf_stamp(struct sim_side *s)
{
	int64_t now = sim_now_ms();
	/* a frozen clock: one time for every write, as in a bulk load
	 * (SystemModstamp has whole seconds on a real org) */
	if (sim_clock_frozen() && now >= s->last_stamp) {
		s->last_stamp = now;
		return now;
	}
	if (now <= s->last_stamp)
		now = s->last_stamp + 1;
	s->last_stamp = now;
	return now;
}

struct sf_rec *sf_rec_get(struct sim_side *s, const char *id)
{
	char norm[19];
	if (sf_id_norm(id, norm) < 0)
		return NULL;
	return sf_map_get(s->ids, norm);
}

static void sf_lower_into(const char *in, char *out, size_t len)
{
	size_t i;
	for (i = 0; in[i] && i + 1 < len; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

static const char *sf_index_key(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v)) {
		sf_lower_into(json_string_value(v), buf, len);
		return buf;
	}
	if (json_is_integer(v)) {
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, len, "%.17g", json_real_value(v));
		return buf;
	}
	return NULL;
}

const struct sf_vec *sf_index_lookup(const struct sf_field *f, const char *value)
{
	char key[1024];
	if (!f->idx)
		return NULL;
	sf_lower_into(value, key, sizeof(key));
	return sf_map_get(f->idx, key);
}

void sf_index_add(struct sf_rec *r)
{
	struct sf_object *o = r->obj;
	char key[1024];

	for (size_t i = 0; i < o->nfields; i++) {
		struct sf_field *f = &o->fields[i];
		const char *k;
		struct sf_vec *v;

		if (!f->idx || !(k = sf_index_key(json_object_get(r->f, f->name), key, sizeof(key))))
			continue;
		v = sf_map_get(f->idx, k);
		if (!v) {
			v = calloc(1, sizeof(*v));
			if (!v || sf_map_put(f->idx, k, v) < 0) {
				free(v);
				continue;
			}
		}
		sf_vec_push(v, r);
	}
}

void sf_index_remove(struct sf_rec *r)
{
	struct sf_object *o = r->obj;
	char key[1024];

	for (size_t i = 0; i < o->nfields; i++) {
		struct sf_field *f = &o->fields[i];
		const char *k;
		struct sf_vec *v;

		if (!f->idx || !(k = sf_index_key(json_object_get(r->f, f->name), key, sizeof(key))))
			continue;
		v = sf_map_get(f->idx, k);
		if (!v)
			continue;
		sf_vec_remove(v, r);
		if (v->n == 0)
			sf_vec_free(sf_map_del(f->idx, k));
	}
}

static void sf_undo_push(struct sim_side *s, enum sf_undo_kind kind, struct sf_rec *r,
			 json_t *old, int64_t old_stamp)
{
	if (s->txn_depth == 0) {
		json_decref(old);
		return;
	}
	if (s->nundo == s->capundo) {
		size_t ncap = s->capundo ? s->capundo * 2 : 64;
		struct sf_undo *nu = realloc(s->undo, ncap * sizeof(*nu));
		if (!nu) {
			json_decref(old);
			return; /* cannot log: the change stays (best effort) */
		}
		s->undo = nu;
		s->capundo = ncap;
	}
	s->undo[s->nundo++] = (struct sf_undo){kind, r, old, old_stamp};
}

struct sf_rec *sf_rec_insert(struct sim_side *s, struct sf_object *o, json_t *f,
			     int64_t created, int64_t modstamp)
{
	struct sf_rec *r;

	if (o->nrecs == o->cap) {
		size_t ncap = o->cap ? o->cap * 2 : 256;
		struct sf_rec **nr = realloc(o->recs, ncap * sizeof(*nr));
		if (!nr)
			goto out_fail;
		o->recs = nr;
		o->cap = ncap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		goto out_fail;
	r->obj = o;
	r->f = f;
	r->created_ms = created;
	r->modstamp_ms = modstamp;
	sf_id_make(o->prefix, o->next_id++, r->id);
	json_object_set_new(f, "Id", json_string(r->id));
	if (sf_map_put(s->ids, r->id, r) < 0) {
		free(r);
		goto out_fail;
	}
	o->recs[o->nrecs++] = r;
	sf_index_add(r);
	sf_undo_push(s, SF_UNDO_CREATE, r, NULL, 0);
	return r;

out_fail:
	json_decref(f);
	return NULL;
}

void sf_rec_replace(struct sim_side *s, struct sf_rec *r, json_t *f, int64_t stamp)
{
	json_t *old = r->f;

	sf_index_remove(r);
	sf_undo_push(s, SF_UNDO_UPDATE, r, old, r->modstamp_ms);
	r->f = f;
	r->modstamp_ms = stamp;
	sf_index_add(r);
}

void sf_rec_soft_delete(struct sim_side *s, struct sf_rec *r, int64_t stamp)
{
	sf_index_remove(r);
	sf_undo_push(s, SF_UNDO_DELETE, r, NULL, r->modstamp_ms);
	r->deleted = true;
	r->deleted_ms = stamp;
	r->modstamp_ms = stamp;
}

static void sf_grave(struct sim_side *s, struct sf_rec *r)
{
	if (s->ngrave == s->capgrave) {
		size_t ncap = s->capgrave ? s->capgrave * 2 : 64;
		struct sf_rec **ng = realloc(s->graveyard, ncap * sizeof(*ng));
		if (!ng)
			return; /* leak rather than risk a dangling pointer */
		s->graveyard = ng;
		s->capgrave = ncap;
	}
	s->graveyard[s->ngrave++] = r;
}

static void sf_undo_one(struct sim_side *s, struct sf_undo *u)
{
	struct sf_rec *r = u->rec;
	struct sf_object *o = r->obj;

	switch (u->kind) {
	case SF_UNDO_CREATE:
		sf_index_remove(r);
		sf_map_del(s->ids, r->id);
		/* creates are undone newest first, so r is the last of its array */
		for (size_t i = o->nrecs; i-- > 0;) {
			if (o->recs[i] == r) {
				memmove(&o->recs[i], &o->recs[i + 1],
					(o->nrecs - i - 1) * sizeof(*o->recs));
				o->nrecs--;
				break;
			}
		}
		r->dead = true;
		sf_grave(s, r);
		break;
	case SF_UNDO_UPDATE:
		sf_index_remove(r);
		json_decref(r->f);
		r->f = u->old;
		u->old = NULL;
		r->modstamp_ms = u->old_stamp;
		sf_index_add(r);
		break;
	case SF_UNDO_DELETE:
		r->deleted = false;
		r->deleted_ms = 0;
		r->modstamp_ms = u->old_stamp;
		sf_index_add(r);
		break;
	}
}

size_t sf_txn_begin(struct sim_side *s)
{
	s->txn_depth++;
	return s->nundo;
}

void sf_txn_end(struct sim_side *s, size_t mark, bool commit)
{
	if (!commit) {
		while (s->nundo > mark) {
			struct sf_undo *u = &s->undo[--s->nundo];
			sf_undo_one(s, u);
			json_decref(u->old);
		}
	}
	if (--s->txn_depth == 0) {
		for (size_t i = 0; i < s->nundo; i++)
			json_decref(s->undo[i].old);
		s->nundo = 0;
	}
}

void sf_store_free(struct sim_side *s)
{
	for (int i = 0; i < SF_NOBJ; i++) {
		struct sf_object *o = &s->objs[i];
		for (size_t k = 0; k < o->nrecs; k++) {
			sf_index_remove(o->recs[k]);
			json_decref(o->recs[k]->f);
			free(o->recs[k]);
		}
		free(o->recs);
		o->recs = NULL;
		o->nrecs = o->cap = 0;
	}
	for (size_t i = 0; i < s->ngrave; i++) {
		json_decref(s->graveyard[i]->f);
		free(s->graveyard[i]);
	}
	free(s->graveyard);
	s->graveyard = NULL;
	s->ngrave = s->capgrave = 0;
	for (size_t i = 0; i < s->nundo; i++)
		json_decref(s->undo[i].old);
	free(s->undo);
	s->undo = NULL;
	s->nundo = s->capundo = 0;
	sf_map_free(s->ids, NULL);
	s->ids = NULL;
}
