/*
 * related.c - Salesforce records related to an object's records (ABI 1.2,
 * struct crmsync_related), e.g. a Contact's opportunity contact roles:
 * changes to them, or to the records they watch, bring their parents into
 * the cycle; their fields are read in bulk and attached to each parent as
 * "<name>.count" and "<name>.<i>.<field>". What the object plugin makes of
 * them (the lifecycle stage) is the plugin's business.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "log.h"

static const struct crmsync_related *const *specs(const struct sync_obj *o)
{
	return o->ops->salesforce_related;
}

#define RELATED_1_2_SIZE offsetof(struct crmsync_related, parent_key)

/* Members since 1.3, NULL for a spec of the 1.2 size. */
static const char *parent_key(const struct crmsync_related *r)
{
	return r->size >= offsetof(struct crmsync_related, parent_key) + sizeof(r->parent_key)
		       ? r->parent_key : NULL;
}

static const char *spec_option(const struct crmsync_related *r)
{
	return r->size >= offsetof(struct crmsync_related, option) + sizeof(r->option) ? r->option
											  : NULL;
}

/* A spec switched on by a BOOL option of the instance (declared as data:
 * the core reads the parsed value from the context). */
static int spec_on(const struct sync_obj *o, const struct crmsync_related *r)
{
	const char *key = spec_option(r);

	if (!key)
		return 1;
	for (const struct crmsync_option *opt = o->inst->options; opt && opt->key; opt++)
		if (strcmp(opt->key, key) == 0 && opt->type == CRMSYNC_OPT_BOOL && o->inst->ctx)
			return *(const int *)((const char *)o->inst->ctx + opt->offset) != 0;
	return 0;
}

/* A spec the core can use: complete, on, and its parent is one of ours. */
static struct sf_obj *parent_of(struct sync_obj *o, const struct crmsync_related *r)
{
	if (!r || r->size < RELATED_1_2_SIZE || !r->name || !r->parent || !r->object || !r->key ||
	    !r->fields || !spec_on(o, r))
		return NULL;
	return sync_sf_obj(o, r->parent);
}

/* ---- triggers: parents whose related records changed ---------------------- */

struct id_list {
	char **v;
	size_t n;
	struct strmap seen;
};

static void id_add(struct id_list *l, const char *id)
{
	if (!id || !*id || strmap_get(&l->seen, id))
		return;
	strmap_put(&l->seen, id, (void *)1);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(id);
}

static void id_release(struct id_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	strmap_release(&l->seen);
	memset(l, 0, sizeof(*l));
}

struct collect {
	struct id_list *ids;
	const char *field;
};

/* "Opportunity.IsWon" in {"Opportunity": {"IsWon": true}} */
static json_t *path_get(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *part = strtok_r(copy, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = json_object_get(j, part);
	free(copy);
	return j;
}

static int on_id(json_t *j, void *user)
{
	struct collect *c = user;

	id_add(c->ids, json_string_value(path_get(j, c->field))); /* a field or a path */
	return 0;
}

static int query_ids(struct sync_obj *o, const char *soql, const char *field, struct id_list *out)
{
	struct collect c = { out, field };
	struct sf_error serr;
	int err = sf_query(o->e->sf, soql, 1, on_id, &c, &serr);

	if (err)
		log_err("%s: cannot read related Salesforce records: %s %s", o->inst->tag, serr.code,
			serr.message);
	return err;
}

static int trigger_one(struct sync_obj *o, const struct crmsync_related *r, struct sf_obj *so)
{
	struct id_list parents = { 0 }, watched = { 0 };
	char when[40], *soql;
	int err;

	if (so->cursor < 0)
		return 0; /* a full pull has every parent already */
	sf_soql_datetime(so->cursor - o->e->cfg->core.overlap_ms, when, sizeof(when));
	soql = xasprintf("SELECT %s FROM %s WHERE SystemModstamp >= %s", r->key, r->object, when);
	err = query_ids(o, soql, r->key, &parents);
	free(soql);
	if (!err && r->watch && r->watch_key) {
		soql = xasprintf("SELECT Id FROM %s WHERE SystemModstamp >= %s", r->watch, when);
		err = query_ids(o, soql, "Id", &watched);
		free(soql);
		if (!err && watched.n) {
			struct collect c = { &parents, r->key };
			struct sf_lookups l = { 0 };
			void *users = &c;

			soql = xasprintf("SELECT %s FROM %s", r->key, r->object);
			lookups_add_soql(&l, soql, r->watch_key, watched.v, watched.n, users);
			free(soql);
			err = lookups_run(o, &l, on_id);
			lookups_release(&l);
		}
	}
	if (!err && parent_key(r) && parents.n) {
		/* the keys are values of the parents' field: read every parent
		 * holding one (on_sf_record keeps one unit per record) */
		struct pull_ctx pc = { o, so };
		struct sf_lookups l = { 0 };

		lookups_add(&l, so, parent_key(r), parents.v, parents.n, &pc);
		err = lookups_run(o, &l, on_sf_record);
		lookups_release(&l);
		log_info("%s: %s records of %zu %s values read again: their %s changed", o->inst->tag,
			 so->name, parents.n, parent_key(r), r->object);
	} else if (!err) {
		/* parents not in this cycle yet: read them like pulled records */
		struct id_list missing = { 0 };
		struct pull_ctx pc = { o, so };

		for (size_t i = 0; i < parents.n; i++)
			if (!strmap_get(&o->by_sf, parents.v[i]))
				id_add(&missing, parents.v[i]);
		if (missing.n) {
			struct sf_lookups l = { 0 };

			lookups_add(&l, so, "Id", missing.v, missing.n, &pc);
			err = lookups_run(o, &l, on_sf_record);
			lookups_release(&l);
			log_info("%s: %zu %s records changed through their %s", o->inst->tag, missing.n,
				 so->name, r->object);
		}
		id_release(&missing);
	}
	id_release(&parents);
	id_release(&watched);
	return err;
}

int related_triggers(struct sync_obj *o)
{
	int err = 0;

	for (const struct crmsync_related *const *r = specs(o); r && *r && !err; r++) {
		struct sf_obj *so = parent_of(o, *r);

		if (so)
			err = trigger_one(o, *r, so);
	}
	return err;
}

/* ---- attach: the related records' fields on each parent ------------------- */

struct attach {
	struct sync_obj *o;
	const struct crmsync_related *r;
};


static void attach_one(struct attach *a, struct unit *u, json_t *j);

static int on_related(json_t *j, void *user)
{
	struct attach *a = user;
	const char *key = json_string_value(path_get(j, a->r->key));
	struct unit *u;

	if (!key)
		return 0;
	if (parent_key(a->r)) {
		/* every parent whose field holds the key */
		for (size_t i = 0; i < a->o->nunits; i++) {
			const char *v;

			u = a->o->units[i];
			if (!u->sf || u->action == ACT_SKIP || strcmp(u->sf->object, a->r->parent) != 0)
				continue;
			v = record_get(u->sf, parent_key(a->r));
			if (v && strcmp(v, key) == 0)
				attach_one(a, u, j);
		}
		return 0;
	}
	u = strmap_get(&a->o->by_sf, key);
	if (!u || !u->sf || strcmp(u->sf->object, a->r->parent) != 0)
		return 0;
	attach_one(a, u, j);
	return 0;
}

static void attach_one(struct attach *a, struct unit *u, json_t *j)
{
	const char *c;
	char name[512], num[24];
	long n;

	snprintf(name, sizeof(name), "%s.count", a->r->name);
	c = record_get(u->sf, name);
	n = c ? atol(c) : 0;
	for (const char *const *f = a->r->fields; *f; f++) {
		json_t *v = path_get(j, *f);
		char buf[64];
		const char *text = NULL;

		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_true(v))
			text = "true";
		else if (json_is_false(v))
			text = "false";
		else if (json_is_number(v)) {
			snprintf(buf, sizeof(buf), "%g", json_number_value(v));
			text = buf;
		}
		snprintf(name, sizeof(name), "%s.%ld.%s", a->r->name, n, *f);
		record_set(u->sf, name, text);
	}
	snprintf(name, sizeof(name), "%s.count", a->r->name);
	snprintf(num, sizeof(num), "%ld", n + 1);
	record_set(u->sf, name, num);
}

int related_attach(struct sync_obj *o)
{
	int err = 0;

	for (const struct crmsync_related *const *r = specs(o); r && *r && !err; r++) {
		struct sf_obj *so = parent_of(o, *r);
		struct attach a = { o, *r };
		struct sf_lookups l = { 0 };
		struct strbuf sel = { 0 };
		char **ids;
		char cnt[256];
		size_t n = 0;

		if (!so)
			continue;
		ids = xcalloc(o->nunits + 1, sizeof(*ids));
		snprintf(cnt, sizeof(cnt), "%s.count", (*r)->name);
		for (size_t i = 0; i < o->nunits; i++) {
			struct unit *u = o->units[i];

			const char *v;

			if (!u->sf || u->action == ACT_SKIP || strcmp(u->sf->object, so->name) != 0)
				continue;
			record_set(u->sf, cnt, "0");
			v = parent_key(*r) ? record_get(u->sf, parent_key(*r)) : u->sf->id;
			if (!v || !*v)
				continue;
			if (parent_key(*r)) {
				size_t k;

				for (k = 0; k < n && strcmp(ids[k], v) != 0; k++)
					;
				if (k < n)
					continue; /* one query per value */
			}
			ids[n++] = (char *)v;
		}
		strbuf_addf(&sel, "SELECT %s", (*r)->key);
		for (const char *const *f = (*r)->fields; *f; f++)
			strbuf_addf(&sel, ", %s", *f);
		strbuf_addf(&sel, " FROM %s", (*r)->object);
		lookups_add_soql(&l, sel.buf, (*r)->key, ids, n, &a);
		err = lookups_run(o, &l, on_related);
		lookups_release(&l);
		strbuf_release(&sel);
		free(ids);
	}
	return err;
}
