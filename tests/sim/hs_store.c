/*
 * HubSpot side of crmsync-sim: record storage. Per object type, an array of
 * records sorted by id (ids only grow, so lookups are binary searches) and a
 * hash index over unique property values; the wire shape of a record; state
 * save/load and the admin dump (the forms' part is in hs_forms_store.c).
 * No HTTP handling and no validation here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

const char *const hs_tomb = "\x01tomb";

/* ---- string -> id hash map (open addressing, FNV-1a) -------------------- */

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static int strmap_grow(struct hs_strmap *m)
{
	struct hs_strmap old = *m;
	size_t ncap = m->cap ? m->cap * 2 : 64;

	if (m->n * 2 < m->cap)
		ncap = m->cap; /* only tombstones: rehash in place */
	m->slots = calloc(ncap, sizeof(*m->slots));
	if (!m->slots) {
		*m = old;
		return -ENOMEM;
	}
	m->cap = ncap;
	m->n = m->used = 0;
	for (size_t i = 0; i < old.cap; i++) {
		char *k = old.slots[i].key;

		if (k && k != hs_tomb) {
			size_t j = fnv1a(k) & (m->cap - 1);

			while (m->slots[j].key)
				j = (j + 1) & (m->cap - 1);
			m->slots[j] = old.slots[i];
			m->n++;
			m->used++;
		}
	}
	free(old.slots);
	return 0;
}

int hs_strmap_put(struct hs_strmap *m, const char *key, uint64_t val)
{
	size_t j, tomb = SIZE_MAX;

	if ((m->used + 1) * 4 >= m->cap * 3 && strmap_grow(m))
		return -ENOMEM;
	j = fnv1a(key) & (m->cap - 1);
	for (; m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
		if (m->slots[j].key == hs_tomb) {
			if (tomb == SIZE_MAX)
				tomb = j;
		} else if (!strcmp(m->slots[j].key, key)) {
			m->slots[j].val = val;
			return 0;
		}
	}
	if (tomb != SIZE_MAX)
		j = tomb;
	else
		m->used++;
	m->slots[j].key = strdup(key);
	if (!m->slots[j].key)
		return -ENOMEM;
	m->slots[j].val = val;
	m->n++;
	return 0;
}

static struct hs_strmap_slot *strmap_slot(const struct hs_strmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	for (size_t j = fnv1a(key) & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
		if (m->slots[j].key != hs_tomb && !strcmp(m->slots[j].key, key))
			return &m->slots[j];
	return NULL;
}

int hs_strmap_get(const struct hs_strmap *m, const char *key, uint64_t *val)
{
	struct hs_strmap_slot *sl = strmap_slot(m, key);

	if (!sl)
		return -ENOENT;
	*val = sl->val;
	return 0;
}

void hs_strmap_del(struct hs_strmap *m, const char *key)
{
	struct hs_strmap_slot *sl = strmap_slot(m, key);

	if (sl) {
		free(sl->key);
		sl->key = (char *)hs_tomb;
		m->n--;
	}
}

void hs_strmap_free(struct hs_strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key != hs_tomb)
			free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/* ---- object types and records ------------------------------------------ */

struct hs_objtype *hs_type_find(struct sim_side *s, const char *name)
{
	for (int i = 0; i < HS_NTYPES; i++) {
		struct hs_objtype *ot = &s->types[i];

		if (!strcmp(name, ot->name) || !strcmp(name, ot->type_id) ||
		    !strcmp(name, ot->singular))
			return ot;
	}
	return NULL;
}

struct hs_record *hs_rec_find(const struct hs_objtype *ot, uint64_t id)
{
	size_t lo = 0, hi = ot->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ot->recs[mid]->id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ot->n && ot->recs[lo]->id == id ? ot->recs[lo] : NULL;
}

static void uniq_key(const char *prop, const char *value, char *key, size_t len)
{
	size_t o = (size_t)snprintf(key, len, "%s\x1f", prop);

	if (o < len)
		sim_ascii_lower(key + o, value, len - o);
}

uint64_t hs_uniq_owner(const struct hs_objtype *ot, const char *prop, const char *value)
{
	char key[512];
	uint64_t id;

	uniq_key(prop, value, key, sizeof(key));
	return hs_strmap_get(&ot->uniq, key, &id) ? 0 : id;
}

struct hs_record *hs_rec_lookup(struct hs_objtype *ot, const char *id, const char *prop)
{
	char *end;
	unsigned long long v;

	if (!id)
		return NULL;
	if (prop && *prop && strcmp(prop, "hs_object_id")) {
		uint64_t owner = hs_prop_unique(ot, prop) ? hs_uniq_owner(ot, prop, id) : 0;

		return owner ? hs_rec_find(ot, owner) : NULL;
	}
	v = strtoull(id, &end, 10);
	if (*end || end == id)
		return NULL;
	return hs_rec_find(ot, (uint64_t)v);
}

void hs_iso(int64_t ms, char *buf)
{
	sim_fmt_iso_time(ms, buf, 32);
}

struct hs_record *hs_rec_new(struct hs_objtype *ot, uint64_t id, int64_t now)
{
	struct hs_record *r;
	char buf[32];

	if (ot->n == ot->cap) {
		size_t ncap = ot->cap ? ot->cap * 2 : 256;
		struct hs_record **nr = realloc(ot->recs, ncap * sizeof(*nr));

		if (!nr)
			return NULL;
		ot->recs = nr;
		ot->cap = ncap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (!id)
		id = ot->next_id++;
	else if (id >= ot->next_id)
		ot->next_id = id + 1;
	r->id = id;
	r->created = r->updated = now;
	r->props = json_object();
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)id);
	json_object_set_new(r->props, "hs_object_id", json_string(buf));
	hs_iso(now, buf);
	json_object_set_new(r->props, ot->createprop, json_string(buf));
	json_object_set_new(r->props, ot->modprop, json_string(buf));
	ot->recs[ot->n++] = r; /* ids only grow: stays sorted */
	return r;
}

static void uniq_update(struct hs_objtype *ot, struct hs_record *r, const char *prop,
			const char *oldv, const char *newv)
{
	char key[512];

	if (oldv && *oldv) {
		uniq_key(prop, oldv, key, sizeof(key));
		uint64_t owner;

		if (!hs_strmap_get(&ot->uniq, key, &owner) && owner == r->id)
			hs_strmap_del(&ot->uniq, key);
	}
	if (newv && *newv) {
		uniq_key(prop, newv, key, sizeof(key));
		hs_strmap_put(&ot->uniq, key, r->id);
	}
}

void hs_rec_apply(struct hs_objtype *ot, struct hs_record *r, json_t *norm, int64_t now)
{
	const char *name;
	json_t *v;
	char buf[32];

	json_object_foreach(norm, name, v) {
		const char *oldv = json_string_value(json_object_get(r->props, name));

		if (!r->archived_at && hs_prop_unique(ot, name))
			uniq_update(ot, r, name, oldv, json_string_value(v));
		if (json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
			json_object_del(r->props, name);
		else
			json_object_set(r->props, name, v);
	}
	if (now > r->updated)
		r->updated = now;
	hs_iso(r->updated, buf);
	json_object_set_new(r->props, ot->modprop, json_string(buf));
}

void hs_rec_archive(struct hs_objtype *ot, struct hs_record *r, int64_t now)
{
	const char *name;
	json_t *v;

	if (r->archived_at)
		return;
	json_object_foreach(r->props, name, v)
		if (hs_prop_unique(ot, name))
			uniq_update(ot, r, name, json_string_value(v), NULL);
	r->archived_at = now;
	if (now > r->updated)
		r->updated = now;
}

static const char *const default_props[HS_NTYPES][9] = {
	[HS_CONTACTS] = {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
	[HS_COMPANIES] = {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
	[HS_DEALS] = {"amount", "closedate", "createdate", "dealname", "dealstage",
		      "hs_lastmodifieddate", "hs_object_id", "pipeline"},
	[HS_TASKS] = {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
	[HS_NOTES] = {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
	[HS_MEETINGS] = {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
	[HS_CALLS] = {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
	[HS_EMAILS] = {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
};

static void put_prop(json_t *out, const struct hs_objtype *ot, const struct hs_record *r,
		     const char *name)
{
	json_t *v = json_object_get(r->props, name);

	if (v)
		json_object_set(out, name, v);
	else if (json_object_get(ot->propdefs, name))
		json_object_set_new(out, name, json_null());
}

json_t *hs_rec_json(struct sim_side *s, const struct hs_objtype *ot, const struct hs_record *r,
		    const char *const *props, int nprops, const char *const *assoc, int nassoc)
{
	json_t *p, *o;
	char id[24], c[32], u[32];

	if (nprops < 0) {
		p = json_copy(r->props);
	} else {
		p = json_object();
		if (!props) {
			for (int i = 0; default_props[ot->t][i]; i++)
				put_prop(p, ot, r, default_props[ot->t][i]);
		} else {
			for (int i = 0; i < nprops; i++)
				put_prop(p, ot, r, props[i]);
			put_prop(p, ot, r, "hs_object_id");
			put_prop(p, ot, r, ot->createprop);
			put_prop(p, ot, r, ot->modprop);
		}
	}
	snprintf(id, sizeof(id), "%llu", (unsigned long long)r->id);
	hs_iso(r->created, c);
	hs_iso(r->updated, u);
	o = json_pack("{s:s,s:o,s:s,s:s,s:b}", "id", id, "properties", p, "createdAt", c,
		      "updatedAt", u, "archived", r->archived_at != 0);
	if (r->archived_at) {
		hs_iso(r->archived_at, c);
		json_object_set_new(o, "archivedAt", json_string(c));
	}
	if (nassoc > 0) {
		json_t *a = hs_assoc_json(s, ot, r, assoc, nassoc);

		if (json_object_size(a))
			json_object_set_new(o, "associations", a);
		else
			json_decref(a);
	}
	return o;
}

/* ---- save / load / dump --------------------------------------------------- */

static json_t *rec_save(const struct hs_record *r)
{
	json_t *links = json_array();

	for (uint32_t i = 0; i < r->nlinks; i++) {
		json_t *types = json_array();
		char id[24];

		for (int k = 0; k < r->links[i].ntypes; k++)
			json_array_append_new(types, json_integer(r->links[i].types[k]));
		snprintf(id, sizeof(id), "%llu", (unsigned long long)r->links[i].to_id);
		json_array_append_new(links, json_pack("[i,s,o]", r->links[i].to_type, id, types));
	}
	return json_pack("{s:I,s:I,s:I,s:I,s:O,s:o}", "id", (json_int_t)r->id,
			 "c", (json_int_t)r->created, "u", (json_int_t)r->updated,
			 "a", (json_int_t)r->archived_at, "p", r->props, "l", links);
}

json_t *hs_save(struct sim_side *s)
{
	json_t *objs = json_object(), *defs = json_object();

	for (int t = 0; t < HS_NTYPES; t++) {
		struct hs_objtype *ot = &s->types[t];
		json_t *arr = json_array();

		for (size_t i = 0; i < ot->n; i++)
			json_array_append_new(arr, rec_save(ot->recs[i]));
		json_object_set_new(objs, ot->name, json_pack("{s:I,s:o}", "next_id",
				    (json_int_t)ot->next_id, "records", arr));
		json_object_set(defs, ot->name, ot->propdefs);
	}
	return json_pack("{s:o,s:o,s:I,s:I,s:o}", "objects", objs, "propdefs", defs,
			 "daily_used", (json_int_t)s->daily_used, "tokseq", (json_int_t)s->tokseq,
			 "forms", hs_forms_save(s));
}

static void type_clear(struct hs_objtype *ot)
{
	for (size_t i = 0; i < ot->n; i++) {
		json_decref(ot->recs[i]->props);
		free(ot->recs[i]->links);
		free(ot->recs[i]);
	}
	ot->n = 0;
	hs_strmap_free(&ot->uniq);
}

static int rec_load(struct hs_objtype *ot, json_t *jr)
{
	json_t *links = json_object_get(jr, "l"), *jl, *props = json_object_get(jr, "p");
	struct hs_record *r;
	size_t i;

	if (!json_is_integer(json_object_get(jr, "id")) || !json_is_object(props))
		return -EINVAL;
	r = hs_rec_new(ot, (uint64_t)json_integer_value(json_object_get(jr, "id")), 0);
	if (!r)
		return -ENOMEM;
	json_decref(r->props);
	r->props = json_deep_copy(props);
	r->created = json_integer_value(json_object_get(jr, "c"));
	r->updated = json_integer_value(json_object_get(jr, "u"));
	r->archived_at = json_integer_value(json_object_get(jr, "a"));
	json_array_foreach(links, i, jl) {
		struct hs_link l = { 0 };
		json_t *types = json_array_get(jl, 2), *jt;
		size_t k;

		l.to_type = (uint8_t)json_integer_value(json_array_get(jl, 0));
		l.to_id = strtoull(json_string_value(json_array_get(jl, 1)) ?
				   json_string_value(json_array_get(jl, 1)) : "0", NULL, 10);
		json_array_foreach(types, k, jt)
			if (l.ntypes < HS_LINK_TYPES)
				l.types[l.ntypes++] = (int16_t)json_integer_value(jt);
		if (r->nlinks == r->caplinks) {
			uint32_t ncap = r->caplinks ? r->caplinks * 2 : 4;
			struct hs_link *nl = realloc(r->links, ncap * sizeof(*nl));

			if (!nl)
				return -ENOMEM;
			r->links = nl;
			r->caplinks = ncap;
		}
		r->links[r->nlinks++] = l;
	}
	if (!r->archived_at) {
		const char *name;
		json_t *v;

		json_object_foreach(r->props, name, v)
			if (hs_prop_unique(ot, name))
				uniq_update(ot, r, name, NULL, json_string_value(v));
	}
	return 0;
}

int hs_load(struct sim_side *s, json_t *st)
{
	json_t *objs = json_object_get(st, "objects"), *defs = json_object_get(st, "propdefs");
	int err;

	if (!json_is_object(objs))
		return -EINVAL;
	for (int t = 0; t < HS_NTYPES; t++) {
		struct hs_objtype *ot = &s->types[t];
		json_t *jo = json_object_get(objs, ot->name), *jr;
		json_t *d = json_object_get(defs, ot->name);
		size_t i;

		if (json_is_object(d)) {
			json_t *loaded = json_deep_copy(d);

			/* built-in definitions newer than the state file stay */
			json_object_update_missing(loaded, ot->propdefs);
			json_decref(ot->propdefs);
			ot->propdefs = loaded;
		}
		type_clear(ot);
		json_array_foreach(json_object_get(jo, "records"), i, jr)
			if ((err = rec_load(ot, jr)))
				return err;
		ot->next_id = (uint64_t)json_integer_value(json_object_get(jo, "next_id"));
		if (ot->n && ot->next_id <= ot->recs[ot->n - 1]->id)
			ot->next_id = ot->recs[ot->n - 1]->id + 1;
	}
	s->daily_used = (long)json_integer_value(json_object_get(st, "daily_used"));
	s->tokseq = (uint64_t)json_integer_value(json_object_get(st, "tokseq"));
	return hs_forms_load(s, json_object_get(st, "forms"));
}

void hs_admin_dump(struct sim_side *s, const char *object, struct sim_resp *resp)
{
	struct hs_objtype *ot = hs_type_find(s, object);
	json_t *arr;

	snprintf(resp->endpoint, sizeof(resp->endpoint), "admin dump");
	if (hs_forms_dump(s, object, resp))
		return;
	if (!ot) {
		sim_resp_json(resp, 404, json_pack("{s:s}", "error", "unknown object type"));
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < ot->n; i++) {
		const char *all[HS_NTYPES];

		for (int t = 0; t < HS_NTYPES; t++)
			all[t] = s->types[t].name;
		json_array_append_new(arr, hs_rec_json(s, ot, ot->recs[i], NULL, -1, all, HS_NTYPES));
	}
	sim_resp_json(resp, 200, arr);
}

void hs_store_free(struct sim_side *s)
{
	for (int t = 0; t < HS_NTYPES; t++) {
		type_clear(&s->types[t]);
		free(s->types[t].recs);
		json_decref(s->types[t].propdefs);
	}
	hs_forms_free(s);
}
