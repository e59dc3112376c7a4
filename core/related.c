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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "log.h"

static const struct crmsync_related *const *specs(const struct sync_obj *o)
{
	return o->ops->salesforce_related;
}

/* A spec the core can use: complete, and its parent is one of ours. */
static struct sf_obj *parent_of(struct sync_obj *o, const struct crmsync_related *r)
{
	if (!r || r->size < sizeof(*r) || !r->name || !r->parent || !r->object || !r->key ||
	    !r->fields)
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

static int on_id(json_t *j, void *user)
{
	struct collect *c = user;

	id_add(c->ids, json_string_value(json_object_get(j, c->field)));
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
	if (!err) {
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

/* "Opportunity.IsWon" in {"Opportunity": {"IsWon": true}} */
static json_t *path_get(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *part = strtok_r(copy, ".", &save); part && j; part = strtok_r(NULL, ".", &save))
		j = json_object_get(j, part);
	free(copy);
	return j;
}

static int on_related(json_t *j, void *user)
{
	struct attach *a = user;
	const char *key = json_string_value(json_object_get(j, a->r->key));
	struct unit *u = key ? strmap_get(&a->o->by_sf, key) : NULL;
	const char *c;
	char name[512], num[24];
	long n;

	if (!u || !u->sf || strcmp(u->sf->object, a->r->parent) != 0)
		return 0;
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
	return 0;
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

			if (!u->sf || u->action == ACT_SKIP || strcmp(u->sf->object, so->name) != 0)
				continue;
			record_set(u->sf, cnt, "0");
			ids[n++] = u->sf->id;
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
