/*
 * links.c - links between objects' records (ABI 1.3, struct crmsync_link):
 * a Salesforce lookup field (Contact.AccountId, Task.WhoId) on one side, a
 * HubSpot association on the other. The HubSpot associations of the units
 * in a cycle are read in bulk; both sides are translated into Salesforce's
 * id space through the target object's id map and merged like a two-way
 * field whose base is kept with the record's other fields ("link:FIELD").
 * A record whose linked record has not synced yet is held back as an
 * association sync error (PARTNER_NOT_SYNCED) and read again on each cycle
 * until its partner syncs. Matching links (CRMSYNC_LINK_MATCH) pair an
 * unpaired record with the one Salesforce record its synced partners point
 * at (companies through their contacts' Accounts).
 *
 * Only hubspot.c/salesforce.c speak the wire; this file decides what to
 * write, never how.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "engine_priv.h"
#include "log.h"

#define ASSOC_CHUNK 100
#define WAIT_CODE "PARTNER_NOT_SYNCED"

/* ---- string lists ------------------------------------------------------- */

static void sl_add(struct strlist *l, const char *v)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(v ? v : "");
}

static void sl_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static ssize_t sl_find(const struct strlist *l, const char *v)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], v) == 0)
			return (ssize_t)i;
	return -1;
}

static void sl_remove_at(struct strlist *l, size_t i)
{
	free(l->v[i]);
	memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

/* ";a;b;" membership in a base list */
static int in_base(const char *base, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = base; p && (p = strstr(p, id)); p += n)
		if ((p == base || p[-1] == ';') && (p[n] == ';' || p[n] == '\0'))
			return 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The list sorted and ';'-joined (a base value). Owned by the caller. */
static char *sl_join_sorted(const struct strlist *l)
{
	char **v = xcalloc(l->n + 1, sizeof(*v));
	struct strbuf sb = { 0 };

	memcpy(v, l->v, l->n * sizeof(*v));
	qsort(v, l->n, sizeof(*v), cmp_str);
	strbuf_addstr(&sb, "");
	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(&sb, "%s%s", i ? ";" : "", v[i]);
	free(v);
	return strbuf_detach(&sb);
}

struct hs_error;
static int junction_read(struct sync_obj *o, struct unit **units, size_t n);
static void junction_stage(struct sync_obj *o, struct unit *u, int create_to_sf, int create_to_hs,
			   const struct store_fields *old);
static int junction_push(struct sync_obj *o);
static const char *error_record_id(json_t *e);

/* Key prefixes of the standard objects a link may point at. */
static const char *prefix_of(const char *sobject)
{
	static const struct { const char *o, *p; } t[] = {
		{ "Account", "001" }, { "Contact", "003" }, { "Opportunity", "006" },
		{ "Lead", "00Q" }, { "Task", "00T" }, { "Event", "00U" },
	};

	for (size_t i = 0; sobject && i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(t[i].o, sobject) == 0)
			return t[i].p;
	return NULL;
}

/* The instance of an enabled object component named `name`, or NULL. */
static struct crmsync_instance *object_enabled(struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ninst; i++)
		if (cfg->inst[i]->kind == KIND_OBJECT && cfg->inst[i]->enabled && cfg->inst[i]->plugin &&
		    strcmp(cfg->inst[i]->name, name) == 0)
			return cfg->inst[i];
	return NULL;
}

static int link_usable(const struct crmsync_link *l)
{
	return l && l->size >= sizeof(*l) && l->name && l->target && l->salesforce_field &&
	       l->target_hubspot_object;
}

static void select_field(struct sf_obj *so, const char *field)
{
	for (size_t i = 0; i < so->nselect; i++)
		if (strcmp(so->select[i], field) == 0)
			return;
	if (!json_object_get(so->types, field))
		return;
	so->select = xrealloc(so->select, (so->nselect + 1) * sizeof(*so->select));
	so->select[so->nselect++] = xstrdup(field);
}

int links_setup(struct sync_obj *o)
{
	const struct crmsync_link *const *ls = o->ops->size >= offsetof(struct crmsync_object_ops, links) +
							     sizeof(o->ops->links) ? o->ops->links : NULL;

	for (; ls && *ls; ls++) {
		const struct crmsync_link *l = *ls;
		struct link_group *g = NULL;

		if (!link_usable(l) || (l->flags & CRMSYNC_LINK_MATCH))
			continue;
		if (!object_enabled(o->e->cfg, l->target)) {
			log_debug("%s: link '%s' is off: object '%s' is not enabled", o->inst->tag, l->name,
				  l->target);
			continue;
		}
		if (l->flags & CRMSYNC_LINK_JUNCTION) {
			if (l->junction_key && l->salesforce_object && o->njl < JUNCTION_MAX)
				o->jl[o->njl++] = l;
			continue;
		}
		for (size_t i = 0; i < o->nlg; i++)
			if (strcmp(o->lg[i].field, l->salesforce_field) == 0)
				g = &o->lg[i];
		if (!g) {
			o->lg = xrealloc(o->lg, (o->nlg + 1) * sizeof(*o->lg));
			g = &o->lg[o->nlg++];
			memset(g, 0, sizeof(*g));
			g->field = l->salesforce_field;
			snprintf(g->base_name, sizeof(g->base_name), "link:%s", l->salesforce_field);
		}
		if (g->n < LINK_GROUP_MAX)
			g->links[g->n++] = l;
		for (size_t k = 0; k < o->nsfo; k++)
			if (!l->salesforce_object || strcmp(l->salesforce_object, o->sfo[k].name) == 0)
				select_field(&o->sfo[k], l->salesforce_field);
	}
	for (ls = o->ops->size >= offsetof(struct crmsync_object_ops, links) + sizeof(o->ops->links)
			  ? o->ops->links : NULL;
	     ls && *ls; ls++)
		if (link_usable(*ls) && ((*ls)->flags & CRMSYNC_LINK_MATCH) &&
		    object_enabled(o->e->cfg, (*ls)->target))
			o->match_link = *ls;
	return 0;
}

static int group_applies(const struct link_group *g, const char *sf_type)
{
	for (size_t i = 0; i < g->n; i++)
		if (!g->links[i]->salesforce_object || (sf_type && *sf_type &&
							strcmp(g->links[i]->salesforce_object, sf_type) == 0))
			return 1;
	return 0;
}

void links_unit_release(struct unit *u)
{
	for (size_t i = 0; u->ls && i < u->nls; i++) {
		free(u->ls[i].hs_sf);
		free(u->ls[i].hs_id);
		free(u->ls[i].want_hs);
		free(u->ls[i].old_hs);
	}
	free(u->ls);
	u->ls = NULL;
	u->nls = 0;
	for (size_t j = 0; u->js && j < JUNCTION_MAX; j++) {
		struct junction_state *js = &u->js[j];
		struct strlist *all[] = { &js->hs, &js->hs_ids, &js->sf, &js->sf_rows, &js->add_sf,
					  &js->del_sf_rows, &js->add_hs, &js->del_hs };

		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
			sl_clear(all[k]);
	}
	free(u->js);
	u->js = NULL;
}

static struct link_state *state_of(struct sync_obj *o, struct unit *u, size_t gi)
{
	if (!u->ls) {
		u->ls = xcalloc(o->nlg, sizeof(*u->ls));
		u->nls = o->nlg;
	}
	return &u->ls[gi];
}

/* The Salesforce id of the target's HubSpot record hs_id, or NULL (not
 * synced; *known is 0 then). Owned by the caller. */
static char *hs_to_sf(struct sync_obj *o, const struct crmsync_link *l, const char *hs_id)
{
	struct store_pair p;

	if (store_idmap_by_hs(o->e->store, l->target, hs_id, &p) != 0 || !p.sf_id[0] || p.deleted_at)
		return NULL;
	if (l->target_salesforce_object && strcmp(p.sf_type, l->target_salesforce_object) != 0)
		return NULL;
	return xstrdup(p.sf_id);
}

static char *sf_to_hs(struct sync_obj *o, const struct crmsync_link *l, const char *sf_id)
{
	struct store_pair p;

	if (store_idmap_by_sf(o->e->store, l->target, sf_id, &p) != 0 || !p.hs_id[0] || p.deleted_at)
		return NULL;
	return xstrdup(p.hs_id);
}

/* The link of group g a Salesforce id belongs to (by key prefix), or NULL. */
static const struct crmsync_link *link_of_sf_id(const struct link_group *g, const char *id)
{
	for (size_t i = 0; id && i < g->n; i++) {
		const char *p = prefix_of(g->links[i]->target_salesforce_object);

		if (!g->links[i]->target_salesforce_object || (p && strncmp(id, p, 3) == 0))
			return g->links[i];
	}
	return NULL;
}

/* ---- reading the HubSpot side -------------------------------------------- */

static const char *to_id_text(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return NULL;
}

/* Associations of the units' HubSpot records with one HubSpot object:
 * calls cb(unit, to_id, is_primary) for each. */
static int read_assocs(struct sync_obj *o, const char *to_object, uint32_t primary_type,
		       struct unit **units, size_t n,
		       void (*cb)(struct sync_obj *, struct unit *, const char *, int, void *), void *arg)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i += ASSOC_CHUNK) {
		json_t *inputs = json_array(), *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < n && k < i + ASSOC_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", units[k]->hs->id));
		err = hs_assoc_batch(o->e->hs, o->hs_object, to_object, "read", inputs, &resp, &herr);
		json_decref(inputs);
		if (err) {
			log_err("%s: cannot read HubSpot associations with %s: %s %s", o->inst->tag,
				to_object, herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			char b1[32], b2[32];
			const char *from = to_id_text(json_object_get(json_object_get(r, "from"), "id"), b1,
						      sizeof(b1));
			struct unit *u = from ? strmap_get(&o->by_hs, from) : NULL;
			json_t *t;
			size_t m;

			if (!u)
				continue;
			json_array_foreach(json_object_get(r, "to"), m, t) {
				const char *to = to_id_text(json_object_get(t, "toObjectId"), b2, sizeof(b2));
				json_t *ty;
				size_t q;
				int primary = 0;

				json_array_foreach(json_object_get(t, "associationTypes"), q, ty)
					if (primary_type &&
					    json_integer_value(json_object_get(ty, "typeId")) == primary_type)
						primary = 1;
				if (to)
					cb(o, u, to, primary, arg);
			}
		}
		json_decref(resp);
	}
	return err;
}

struct group_read {
	size_t gi, li;
	const struct crmsync_link *l;
};

/* Append to the record's "associations.<object>" list (the association
 * resolver names partners from it) and choose the link's value: a group's
 * earlier link wins (WhatId: the deal before the company), then a primary
 * association, then the first one. */
static void on_assoc(struct sync_obj *o, struct unit *u, const char *to, int primary, void *arg)
{
	struct group_read *gr = arg;
	struct link_state *st = state_of(o, u, gr->gi);
	char name[128];
	const char *have;

	snprintf(name, sizeof(name), "associations.%s", gr->l->target_hubspot_object);
	have = record_get(u->hs, name);
	if (!have) {
		record_set(u->hs, name, to);
	} else if (strlen(have) < 4000) {
		char *v = xasprintf("%s;%s", have, to);

		record_set(u->hs, name, v);
		free(v);
	}
	if (st->hs_id && !(gr->li < st->link_index ||
			   (gr->li == st->link_index && primary && !st->primary)))
		return;
	free(st->hs_id);
	free(st->hs_sf);
	st->hs_id = xstrdup(to);
	st->hs_sf = hs_to_sf(o, gr->l, to);
	st->link = gr->l;
	st->link_index = gr->li;
	st->primary = primary;
}

int links_read(struct sync_obj *o)
{
	struct unit **units;
	size_t n = 0;
	int err = 0;

	if (!o->nlg && !o->njl)
		return 0;
	units = xcalloc(o->nunits + 1, sizeof(*units));
	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (u->hs && u->hs->id && u->action != ACT_SKIP)
			units[n++] = u;
	}
	for (size_t gi = 0; gi < o->nlg && !err; gi++) {
		struct link_group *g = &o->lg[gi];

		for (size_t li = 0; li < g->n && !err; li++) {
			struct group_read gr = { gi, li, g->links[li] };

			err = read_assocs(o, g->links[li]->target_hubspot_object, g->links[li]->primary_type,
					  units, n, on_assoc, &gr);
		}
	}
	if (!err && o->njl)
		err = junction_read(o, units, n);
	free(units);
	return err;
}

/* ---- holding back records whose partner has not synced ------------------- */

static void hold(struct sync_obj *o, struct unit *u, enum crmsync_side side,
		 const struct crmsync_link *l, const char *partner)
{
	char msg[512];

	snprintf(msg, sizeof(msg),
		 "%s record is associated with %s %s %s, which has not synced yet: it waits and "
		 "syncs on the cycle after its partner does",
		 side == CRMSYNC_SIDE_HUBSPOT ? "the HubSpot" : "the Salesforce",
		 side == CRMSYNC_SIDE_HUBSPOT ? "HubSpot" : "Salesforce",
		 side == CRMSYNC_SIDE_HUBSPOT ? l->target_hubspot_object
					      : (l->target_salesforce_object ? l->target_salesforce_object
									     : l->target),
		 partner);
	record_failure(o, u, side, 0, WAIT_CODE, NULL, msg, NULL);
	u->action = ACT_SKIP;
	u->skip_reason = "waits for an associated record to sync";
	o->n_waiting++;
}

/* After planning: 1 when the unit was held back because a partner it
 * links to (with CRMSYNC_LINK_WAIT) has not synced. */
int links_hold(struct sync_obj *o, struct unit *u)
{
	if (u->action != ACT_CREATE_SF && u->action != ACT_CREATE_HS && u->action != ACT_UPDATE)
		return 0;
	for (size_t gi = 0; gi < o->nlg; gi++) {
		struct link_group *g = &o->lg[gi];
		struct link_state *st = u->ls && gi < u->nls ? &u->ls[gi] : NULL;
		const char *sv;
		const struct crmsync_link *l;
		char *hs;

		if (!group_applies(g, u->sf_type))
			continue;
		if (st && st->hs_id && !st->hs_sf && st->link && (st->link->flags & CRMSYNC_LINK_WAIT)) {
			hold(o, u, CRMSYNC_SIDE_HUBSPOT, st->link, st->hs_id);
			break;
		}
		sv = u->sf ? record_get(u->sf, g->field) : NULL;
		l = sv && *sv ? link_of_sf_id(g, sv) : NULL;
		if (!l || !(l->flags & CRMSYNC_LINK_WAIT) || (l->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY))
			continue;
		hs = sf_to_hs(o, l, sv);
		free(hs);
		if (!hs) {
			hold(o, u, CRMSYNC_SIDE_SALESFORCE, l, sv);
			break;
		}
	}
	if (u->action != ACT_SKIP)
		return 0;
	record_free(u->out_sf);
	record_free(u->out_hs);
	u->out_sf = u->out_hs = NULL;
	u->synced = 0;
	return 1;
}

/* ---- staging: the lookup field or the association ------------------------ */

static const char *base_of(const struct store_fields *old, const char *name, int *have)
{
	const char *v = NULL;

	*have = old && store_fields_find(old, name, &v);
	return *have ? (v ? v : "") : NULL;
}

static void links_base_add(struct unit *u, const char *name, const char *value, int side)
{
	u->base_names = xrealloc(u->base_names, (u->nbase + 1) * sizeof(char *));
	u->base_values = xrealloc(u->base_values, (u->nbase + 1) * sizeof(char *));
	u->base_side = xrealloc(u->base_side, u->nbase + 1);
	u->base_names[u->nbase] = xstrdup(name);
	u->base_values[u->nbase] = value ? xstrdup(value) : NULL;
	u->base_side[u->nbase] = (unsigned char)side;
	u->nbase++;
}

static int same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Queue the HubSpot association of group g towards the Salesforce id sv
 * (translated), replacing the one the unit has now. */
static void want_hs(struct sync_obj *o, struct unit *u, size_t gi, const char *sv)
{
	struct link_state *st = state_of(o, u, gi);
	const struct crmsync_link *l = sv && *sv ? link_of_sf_id(&o->lg[gi], sv) : st->link;
	char *hs = l && sv && *sv ? sf_to_hs(o, l, sv) : NULL;

	if (sv && *sv && !hs)
		return; /* partner not synced: nothing to associate yet */
	free(st->want_hs);
	free(st->old_hs);
	st->old_hs = st->hs_id ? xstrdup(st->hs_id) : NULL;
	st->old_link = st->link;
	st->want_hs = hs;
	st->want_link = l;
	st->write_hs = 1;
}

void links_stage(struct sync_obj *o, struct unit *u, int create_to_sf, int create_to_hs,
		 const struct store_fields *old)
{
	for (size_t gi = 0; gi < o->nlg; gi++) {
		struct link_group *g = &o->lg[gi];
		struct link_state *st;
		const char *hv, *sv, *base;
		int have_base, to_sf = 0, to_hs = 0;

		if (!group_applies(g, u->sf_type))
			continue;
		st = state_of(o, u, gi);
		hv = st->hs_sf;
		if (create_to_sf) {
			if (hv)
				record_set(u->out_sf, g->field, hv);
			links_base_add(u, g->base_name, hv ? hv : "", hv ? 1 : 0);
			continue;
		}
		sv = u->sf ? record_get(u->sf, g->field) : NULL;
		if (create_to_hs) {
			const struct crmsync_link *l = sv ? link_of_sf_id(g, sv) : NULL;

			if (sv && l && !(l->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY))
				want_hs(o, u, gi, sv);
			/* the base follows once the association is made (read-back pass) */
			links_base_add(u, g->base_name, "", 0);
			continue;
		}
		/* update: a two-way merge in Salesforce's id space */
		if (st->hs_id && !hv)
			continue; /* HubSpot's partner not synced (a non-waiting link) */
		if (sv && *sv && !link_of_sf_id(g, sv))
			continue; /* a lookup to an object no link covers */
		base = base_of(old, g->base_name, &have_base);
		if (same(hv, sv)) {
			links_base_add(u, g->base_name, sv ? sv : "", 0);
			continue;
		}
		if (!have_base) {
			to_sf = !sv || !*sv;
			to_hs = !to_sf;
		} else {
			int hs_changed = !same(hv, base), sf_changed = !same(sv, base);

			if (hs_changed && sf_changed)
				to_sf = u->hs_mod >= u->sf_mod, to_hs = !to_sf;
			else
				to_sf = hs_changed, to_hs = sf_changed;
		}
		if (to_hs && st->link && (st->link->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY))
			to_hs = 0;
		if (to_hs && sv && *sv) {
			const struct crmsync_link *l = link_of_sf_id(g, sv);

			if (l && (l->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY))
				to_hs = 0;
		}
		if (to_sf) {
			record_set(u->out_sf, g->field, hv);
			links_base_add(u, g->base_name, hv ? hv : "", 1);
		} else if (to_hs) {
			want_hs(o, u, gi, sv);
			if (st->write_hs)
				links_base_add(u, g->base_name, sv ? sv : "", 2);
			else if (base)
				links_base_add(u, g->base_name, base, 0);
		} else if (base) {
			links_base_add(u, g->base_name, base, 0);
		}
	}
	if (o->njl)
		junction_stage(o, u, create_to_sf, create_to_hs, old);
}

/* ---- junction links (a set through a Salesforce junction object) --------- */

static struct junction_state *js_of(struct unit *u, size_t j)
{
	if (!u->js)
		u->js = xcalloc(JUNCTION_MAX, sizeof(*u->js));
	return &u->js[j];
}

struct junction_read {
	size_t j;
	const struct crmsync_link *l;
	struct sync_obj *o;
};

static void on_junction_assoc(struct sync_obj *o, struct unit *u, const char *to, int primary,
			      void *arg)
{
	struct junction_read *jr = arg;
	struct junction_state *js = js_of(u, jr->j);
	char *sf = hs_to_sf(o, jr->l, to);

	(void)primary;
	if (sf && sl_find(&js->hs, sf) < 0) {
		sl_add(&js->hs, sf);
		sl_add(&js->hs_ids, to);
	}
	free(sf);
}

static int on_junction_row(json_t *j, void *user)
{
	struct junction_read *jr = user;
	const char *row = json_string_value(json_object_get(j, "Id"));
	const char *key = json_string_value(json_object_get(j, jr->l->junction_key));
	const char *target = json_string_value(json_object_get(j, jr->l->salesforce_field));
	struct unit *u = key ? strmap_get(&jr->o->by_sf, key) : NULL;
	struct junction_state *js;

	if (!u || !row || !target || (json_is_true(json_object_get(j, "IsDeleted"))))
		return 0;
	js = js_of(u, jr->j);
	if (sl_find(&js->sf, target) >= 0)
		return 0;
	sl_add(&js->sf, target);
	sl_add(&js->sf_rows, row);
	return 0;
}

static int junction_read(struct sync_obj *o, struct unit **units, size_t n)
{
	int err = 0;

	for (size_t j = 0; j < o->njl && !err; j++) {
		const struct crmsync_link *l = o->jl[j];
		struct junction_read jr = { j, l, o };
		char **ids = xcalloc(o->nunits + 1, sizeof(*ids));
		size_t nids = 0;

		err = read_assocs(o, l->target_hubspot_object, 0, units, n, on_junction_assoc, &jr);
		for (size_t i = 0; i < o->nunits && !err; i++) {
			struct unit *u = o->units[i];

			js_of(u, j);
			if (u->sf && u->sf->id && u->action != ACT_SKIP)
				ids[nids++] = u->sf->id;
		}
		if (!err && nids) {
			struct sf_lookups lk = { 0 };
			char *sel = xasprintf("SELECT Id, %s, %s FROM %s", l->junction_key,
					      l->salesforce_field, l->salesforce_object);

			lookups_add_soql(&lk, sel, l->junction_key, ids, nids, &jr);
			free(sel);
			/* lookups use queryAll: deleted rows are skipped by IsDeleted,
			 * which the select does not carry; read live rows only */
			for (size_t q = 0; q < lk.n; q++) {
				char *full = xasprintf("%s AND IsDeleted = false", lk.soql[q]);

				free(lk.soql[q]);
				lk.soql[q] = full;
			}
			err = lookups_run(o, &lk, on_junction_row);
			lookups_release(&lk);
		}
		free(ids);
	}
	return err;
}

/* Stage one unit's junction changes and its new base. */
static void junction_stage(struct sync_obj *o, struct unit *u, int create_to_sf, int create_to_hs,
			   const struct store_fields *old)
{
	for (size_t j = 0; j < o->njl; j++) {
		const struct crmsync_link *l = o->jl[j];
		struct junction_state *js = js_of(u, j);
		struct strlist result = { 0 };
		char name[96], *joined;
		const char *base;
		int have_base;

		snprintf(name, sizeof(name), "link:%s", l->salesforce_object);
		sl_clear(&js->add_sf);
		sl_clear(&js->del_sf_rows);
		sl_clear(&js->add_hs);
		sl_clear(&js->del_hs);
		js->failed = 0;
		if (create_to_sf) {
			for (size_t i = 0; i < js->hs.n; i++)
				sl_add(&js->add_sf, js->hs.v[i]);
			links_base_add(u, name, "", 0);
			continue;
		}
		if (create_to_hs) {
			for (size_t i = 0; i < js->sf.n; i++) {
				char *hs = sf_to_hs(o, l, js->sf.v[i]);

				if (hs)
					sl_add(&js->add_hs, hs);
				free(hs);
			}
			links_base_add(u, name, "", 0);
			continue;
		}
		base = base_of(old, name, &have_base);
		for (size_t i = 0; i < js->hs.n; i++) {
			const char *c = js->hs.v[i];

			if (sl_find(&js->sf, c) >= 0)
				sl_add(&result, c);
			else if (have_base && in_base(base, c))
				sl_add(&js->del_hs, js->hs_ids.v[i]); /* removed in Salesforce */
			else {
				sl_add(&js->add_sf, c);
				sl_add(&result, c);
			}
		}
		for (size_t i = 0; i < js->sf.n; i++) {
			const char *c = js->sf.v[i];
			char *hs;

			if (sl_find(&js->hs, c) >= 0)
				continue;
			if (have_base && in_base(base, c)) {
				sl_add(&js->del_sf_rows, js->sf_rows.v[i]); /* removed in HubSpot */
				continue;
			}
			hs = sf_to_hs(o, l, c);
			if (hs) {
				sl_add(&js->add_hs, hs);
				sl_add(&result, c);
			}
			free(hs);
		}
		joined = sl_join_sorted(&result);
		links_base_add(u, name, joined, 0);
		free(joined);
		sl_clear(&result);
	}
}

static void junction_failed(struct sync_obj *o, struct unit *u, size_t j, enum crmsync_side side,
			    int status, const char *code, const char *message)
{
	record_failure(o, u, side, status, code, NULL, message, NULL);
	u->js[j].failed = 1;
}

static int junction_push_sf(struct sync_obj *o, size_t j)
{
	const struct crmsync_link *l = o->jl[j];
	struct sf_error serr;
	int err = 0;

	/* creates, 200 a call */
	for (size_t i = 0; i < o->nunits && !err;) {
		struct unit *who[200];
		const char *what[200];
		json_t *recs = json_array(), *res = NULL;
		size_t n = 0;

		for (; i < o->nunits && n < 200; i++) {
			struct unit *u = o->units[i];
			const char *id = u->pair.sf_id[0] ? u->pair.sf_id : (u->sf ? u->sf->id : NULL);
			struct junction_state *js = u->js ? &u->js[j] : NULL;

			if (!js || !id || u->sf_failed || (u->action != ACT_UPDATE && u->action != ACT_CREATE_SF))
				continue;
			for (size_t k = 0; k < js->add_sf.n && n < 200; k++) {
				json_t *r = json_pack("{s:{s:s}, s:s, s:s}", "attributes", "type",
						      l->salesforce_object, l->junction_key, id,
						      l->salesforce_field, js->add_sf.v[k]);

				json_array_append_new(recs, r);
				who[n] = u;
				what[n++] = js->add_sf.v[k];
			}
		}
		if (!n) {
			json_decref(recs);
			break;
		}
		err = sf_create_collection(o->e->sf, recs, &res, &serr);
		json_decref(recs);
		if (err == -EREMOTEIO) {
			for (size_t k = 0; k < n; k++)
				junction_failed(o, who[k], j, CRMSYNC_SIDE_SALESFORCE, serr.http_status, serr.code,
						serr.message);
			err = 0;
			continue;
		}
		for (size_t k = 0; k < n && !err; k++) {
			json_t *r = json_array_get(res, k);
			const char *rid = json_string_value(json_object_get(r, "id"));

			if (json_is_true(json_object_get(r, "success")) && rid) {
				sl_add(&who[k]->js[j].sf, what[k]);
				sl_add(&who[k]->js[j].sf_rows, rid);
				o->n_associated++;
			} else {
				json_t *e0 = json_array_get(json_object_get(r, "errors"), 0);

				junction_failed(o, who[k], j, CRMSYNC_SIDE_SALESFORCE, 400,
						json_string_value(json_object_get(e0, "statusCode")),
						json_string_value(json_object_get(e0, "message")));
			}
		}
		json_decref(res);
	}
	/* deletes, 200 a call */
	for (size_t i = 0; i < o->nunits && !err;) {
		struct unit *who[200];
		const char *rows[200];
		json_t *res = NULL;
		size_t n = 0;

		for (; i < o->nunits && n < 200; i++) {
			struct unit *u = o->units[i];
			struct junction_state *js = u->js ? &u->js[j] : NULL;

			if (!js || u->action != ACT_UPDATE)
				continue;
			for (size_t k = 0; k < js->del_sf_rows.n && n < 200; k++) {
				who[n] = u;
				rows[n++] = js->del_sf_rows.v[k];
			}
		}
		if (!n)
			break;
		err = sf_delete_collection(o->e->sf, rows, n, &res, &serr);
		if (err == -EREMOTEIO) {
			for (size_t k = 0; k < n; k++)
				junction_failed(o, who[k], j, CRMSYNC_SIDE_SALESFORCE, serr.http_status, serr.code,
						serr.message);
			err = 0;
			continue;
		}
		for (size_t k = 0; k < n && !err; k++) {
			json_t *r = json_array_get(res, k);
			struct junction_state *js = &who[k]->js[j];
			ssize_t at = sl_find(&js->sf_rows, rows[k]);

			if (json_is_true(json_object_get(r, "success"))) {
				if (at >= 0) {
					sl_remove_at(&js->sf, (size_t)at);
					sl_remove_at(&js->sf_rows, (size_t)at);
				}
			} else {
				json_t *e0 = json_array_get(json_object_get(r, "errors"), 0);

				junction_failed(o, who[k], j, CRMSYNC_SIDE_SALESFORCE, 400,
						json_string_value(json_object_get(e0, "statusCode")),
						json_string_value(json_object_get(e0, "message")));
			}
		}
		json_decref(res);
	}
	return err;
}

/* HubSpot side: associations made and removed, 100 a call; a refusal
 * belongs to the record its context names (else to the whole call). */
struct jitem {
	struct unit *u;
	const char *from, *to;
};

static int junction_send_hs(struct sync_obj *o, size_t j, int archive, struct jitem *it, size_t n)
{
	const struct crmsync_link *l = o->jl[j];

	for (size_t i = 0; i < n; i += ASSOC_CHUNK) {
		size_t m = n - i < ASSOC_CHUNK ? n - i : ASSOC_CHUNK;
		json_t *in = json_array(), *resp = NULL, *e;
		struct hs_error herr = { 0 };
		size_t k;
		int err;

		for (k = i; k < i + m; k++) {
			if (archive)
				json_array_append_new(in, json_pack("{s:{s:s}, s:[{s:s}]}", "from", "id",
								    it[k].from, "to", "id", it[k].to));
			else if (l->association_type)
				json_array_append_new(in, json_pack("{s:{s:s}, s:{s:s}, s:[{s:s, s:i}]}",
								    "from", "id", it[k].from, "to", "id",
								    it[k].to, "types", "associationCategory",
								    "HUBSPOT_DEFINED", "associationTypeId",
								    (int)l->association_type));
			else
				json_array_append_new(in, json_pack("{s:{s:s}, s:{s:s}}", "from", "id",
								    it[k].from, "to", "id", it[k].to));
		}
		err = hs_assoc_batch(o->e->hs, o->hs_object, l->target_hubspot_object,
				     archive ? "archive" : l->association_type ? "create" : "associate/default",
				     in, &resp, &herr);
		json_decref(in);
		if (err == -EREMOTEIO) {
			for (k = i; k < i + m; k++)
				if (!it[k].u->js[j].failed)
					junction_failed(o, it[k].u, j, CRMSYNC_SIDE_HUBSPOT, herr.http_status,
							herr.category, herr.message);
			continue;
		}
		if (err) {
			o->incomplete = 1;
			return err;
		}
		json_array_foreach(json_object_get(resp, "errors"), k, e) {
			const char *id = error_record_id(e);
			const char *cat = json_string_value(json_object_get(e, "category"));
			const char *msg = json_string_value(json_object_get(e, "message"));

			for (size_t q = i; q < i + m; q++)
				if ((!id || strcmp(id, it[q].from) == 0 || strcmp(id, it[q].to) == 0) &&
				    !it[q].u->js[j].failed)
					junction_failed(o, it[q].u, j, CRMSYNC_SIDE_HUBSPOT, 207,
							cat ? cat : "VALIDATION_ERROR",
							msg ? msg : "association refused");
		}
		json_decref(resp);
	}
	return 0;
}

static int junction_push_hs(struct sync_obj *o, size_t j)
{
	const struct crmsync_link *l = o->jl[j];
	int err = 0;

	for (int archive = 0; archive <= 1 && !err; archive++) {
		struct jitem *it = NULL;
		size_t n = 0, cap = 0;

		for (size_t i = 0; i < o->nunits; i++) {
			struct unit *u = o->units[i];
			struct junction_state *js = u->js ? &u->js[j] : NULL;
			const char *hs_id = u->pair.hs_id[0] ? u->pair.hs_id : (u->hs ? u->hs->id : NULL);
			struct strlist *list = js ? (archive ? &js->del_hs : &js->add_hs) : NULL;

			if (!js || !hs_id || u->hs_failed ||
			    (u->action != ACT_UPDATE && u->action != ACT_CREATE_HS))
				continue;
			for (size_t k = 0; k < list->n; k++) {
				if (n == cap) {
					cap = cap ? cap * 2 : 64;
					it = xrealloc(it, cap * sizeof(*it));
				}
				it[n].u = u;
				it[n].from = hs_id;
				it[n++].to = list->v[k];
			}
		}
		if (n)
			err = junction_send_hs(o, j, archive, it, n);
		/* what went through is the units' HubSpot side now */
		for (size_t k = 0; k < n && !err; k++) {
			struct junction_state *js = &it[k].u->js[j];

			if (js->failed)
				continue;
			if (archive) {
				ssize_t at = sl_find(&js->hs_ids, it[k].to);

				if (at >= 0) {
					sl_remove_at(&js->hs, (size_t)at);
					sl_remove_at(&js->hs_ids, (size_t)at);
				}
			} else {
				char *sf = hs_to_sf(o, l, it[k].to);

				if (sf) {
					sl_add(&js->hs, sf);
					sl_add(&js->hs_ids, it[k].to);
					o->n_associated++;
				}
				free(sf);
			}
		}
		free(it);
	}
	for (size_t i = 0; i < o->nunits; i++)
		if (o->units[i]->js) {
			sl_clear(&o->units[i]->js[j].add_hs);
			sl_clear(&o->units[i]->js[j].del_hs);
		}
	return err;
}

static int junction_push(struct sync_obj *o)
{
	int err = 0;

	if (o->e->opts.dry_run)
		return 0;
	for (size_t j = 0; j < o->njl && !err; j++) {
		err = junction_push_sf(o, j);
		for (size_t i = 0; i < o->nunits; i++)
			if (o->units[i]->js) {
				sl_clear(&o->units[i]->js[j].add_sf);
				sl_clear(&o->units[i]->js[j].del_sf_rows);
			}
		if (!err)
			err = junction_push_hs(o, j);
	}
	return err;
}

/* ---- writing associations ------------------------------------------------- */

static void assoc_failed(struct sync_obj *o, struct unit *u, size_t gi, const struct hs_error *herr)
{
	struct link_state *st = &u->ls[gi];

	record_failure(o, u, CRMSYNC_SIDE_HUBSPOT, herr->http_status, herr->category, herr->subcode,
		       herr->message, NULL);
	st->write_hs = 0;
	st->failed = 1;
}

/* One association change of a unit's link group. */
struct aitem {
	struct unit *u;
	size_t gi;
	const char *from;
};

static const char *error_record_id(json_t *e)
{
	json_t *ctx = json_object_get(e, "context");
	const char *id = json_string_value(json_array_get(json_object_get(ctx, "fromObjectId"), 0));

	return id ? id : json_string_value(json_array_get(json_object_get(ctx, "ids"), 0));
}

/* Send one kind of association change for items of one link, 100 a call;
 * refusals become the items' failures (an association limit, a partner
 * deleted meanwhile). */
static int assoc_send(struct sync_obj *o, const struct crmsync_link *l, int archive,
		      struct aitem *it, size_t n)
{
	const char *op = archive ? "archive" : l->association_type ? "create" : "associate/default";

	for (size_t i = 0; i < n; i += ASSOC_CHUNK) {
		size_t m = n - i < ASSOC_CHUNK ? n - i : ASSOC_CHUNK;
		json_t *in = json_array(), *resp = NULL, *e;
		struct hs_error herr = { 0 };
		size_t k;
		int err;

		for (k = i; k < i + m; k++) {
			struct link_state *st = &it[k].u->ls[it[k].gi];

			if (archive) {
				json_array_append_new(in, json_pack("{s:{s:s}, s:[{s:s}]}", "from", "id",
								    it[k].from, "to", "id", st->old_hs));
			} else if (l->association_type) {
				json_t *types = json_pack("[{s:s, s:i}]", "associationCategory",
							  "HUBSPOT_DEFINED", "associationTypeId",
							  (int)l->association_type);

				if (l->primary_type)
					json_array_append_new(types, json_pack("{s:s, s:i}", "associationCategory",
									       "HUBSPOT_DEFINED",
									       "associationTypeId",
									       (int)l->primary_type));
				json_array_append_new(in, json_pack("{s:{s:s}, s:{s:s}, s:o}", "from", "id",
								    it[k].from, "to", "id", st->want_hs,
								    "types", types));
			} else {
				json_array_append_new(in, json_pack("{s:{s:s}, s:{s:s}}", "from", "id",
								    it[k].from, "to", "id", st->want_hs));
			}
		}
		err = hs_assoc_batch(o->e->hs, o->hs_object, l->target_hubspot_object, op, in, &resp,
				     &herr);
		json_decref(in);
		if (err == -EREMOTEIO) {
			for (k = i; k < i + m; k++)
				assoc_failed(o, it[k].u, it[k].gi, &herr);
			continue;
		}
		if (err) {
			o->incomplete = 1;
			return err;
		}
		json_array_foreach(json_object_get(resp, "errors"), k, e) {
			const char *id = error_record_id(e);
			struct hs_error one = { 0 };

			one.http_status = 207;
			snprintf(one.category, sizeof(one.category), "%s",
				 json_string_value(json_object_get(e, "category"))
					 ? json_string_value(json_object_get(e, "category")) : "VALIDATION_ERROR");
			snprintf(one.message, sizeof(one.message), "%s",
				 json_string_value(json_object_get(e, "message"))
					 ? json_string_value(json_object_get(e, "message")) : "association refused");
			for (size_t q = i; q < i + m; q++) {
				struct link_state *st = &it[q].u->ls[it[q].gi];

				if (!id || strcmp(id, it[q].from) == 0 ||
				    (st->want_hs && strcmp(id, st->want_hs) == 0))
					if (!st->failed)
						assoc_failed(o, it[q].u, it[q].gi, &one);
			}
		}
		if (!archive)
			for (k = i; k < i + m; k++)
				if (!it[k].u->ls[it[k].gi].failed)
					o->n_associated++;
		json_decref(resp);
	}
	return 0;
}

/* After the record writes: the association changes the merge queued,
 * batched per link and kind (archives first, so a primary moves cleanly). */
int links_push(struct sync_obj *o)
{
	struct aitem *it = NULL;
	int err = 0;

	if (o->e->opts.dry_run)
		return 0;
	if (o->nlg)
		it = xcalloc(o->nunits + 1, sizeof(*it));
	for (size_t gi = 0; gi < o->nlg && !err; gi++) {
		struct link_group *g = &o->lg[gi];

		for (int archive = 1; archive >= 0 && !err; archive--) {
			for (size_t li = 0; li < g->n && !err; li++) {
				size_t n = 0;

				for (size_t i = 0; i < o->nunits; i++) {
					struct unit *u = o->units[i];
					const char *hs_id = u->pair.hs_id[0] ? u->pair.hs_id
									     : (u->hs ? u->hs->id : NULL);
					struct link_state *st = u->ls && gi < u->nls ? &u->ls[gi] : NULL;

					if (!st || !st->write_hs || st->failed || u->hs_failed || !hs_id ||
					    (u->action != ACT_UPDATE && u->action != ACT_CREATE_HS))
						continue;
					if (archive ? !(st->old_hs && st->old_link == g->links[li] &&
							!(st->want_hs && same(st->want_hs, st->old_hs)))
						    : !(st->want_hs && st->want_link == g->links[li]))
						continue;
					it[n].u = u;
					it[n].gi = gi;
					it[n++].from = hs_id;
				}
				if (n)
					err = assoc_send(o, g->links[li], archive, it, n);
			}
		}
		/* the units' HubSpot side is the new value now (the read-back pass
		 * merges against it) */
		for (size_t i = 0; i < o->nunits; i++) {
			struct unit *u = o->units[i];
			struct link_state *st = u->ls && gi < u->nls ? &u->ls[gi] : NULL;

			if (!st || !st->write_hs || st->failed)
				continue;
			free(st->hs_id);
			free(st->hs_sf);
			st->hs_id = st->want_hs ? xstrdup(st->want_hs) : NULL;
			st->hs_sf = NULL;
			if (st->want_hs && u->sf && record_get(u->sf, g->field))
				st->hs_sf = xstrdup(record_get(u->sf, g->field));
			st->link = st->want_link;
			st->write_hs = 0;
		}
	}
	free(it);
	if (err)
		return err;
	return junction_push(o);
}

/* A failed association keeps the link's old base. */
void links_revert_failed(struct sync_obj *o, struct unit *u, const struct store_fields *old)
{
	for (size_t j = 0; u->js && j < o->njl; j++) {
		char name[96];

		if (!u->js[j].failed)
			continue;
		snprintf(name, sizeof(name), "link:%s", o->jl[j]->salesforce_object);
		for (size_t k = 0; k < u->nbase; k++) {
			const char *v = NULL;

			if (strcmp(u->base_names[k], name) != 0)
				continue;
			free(u->base_values[k]);
			u->base_values[k] = old && store_fields_find(old, name, &v) && v ? xstrdup(v) : NULL;
		}
	}
	for (size_t gi = 0; u->ls && gi < u->nls; gi++) {
		if (!u->ls[gi].failed)
			continue;
		for (size_t k = 0; k < u->nbase; k++) {
			const char *v = NULL;

			if (strcmp(u->base_names[k], o->lg[gi].base_name) != 0)
				continue;
			free(u->base_values[k]);
			u->base_values[k] = old && store_fields_find(old, u->base_names[k], &v) && v
						    ? xstrdup(v) : NULL;
		}
	}
}

/* ---- records waiting for a partner: read again every cycle ---------------- */

struct waiting {
	struct sync_obj *o;
	char **hs, **sf;
	size_t nhs, nsf;
};

static int on_waiting(const struct store_error *e, void *arg)
{
	struct waiting *w = arg;

	if (!e->object || strcmp(e->object, w->o->inst->name) != 0 || !e->code ||
	    strcmp(e->code, WAIT_CODE) != 0)
		return 0;
	if (e->hs_id && *e->hs_id && !strmap_get(&w->o->by_hs, e->hs_id)) {
		w->hs = xrealloc(w->hs, (w->nhs + 1) * sizeof(*w->hs));
		w->hs[w->nhs++] = xstrdup(e->hs_id);
	} else if (!(e->hs_id && *e->hs_id) && e->sf_id && *e->sf_id &&
		   !strmap_get(&w->o->by_sf, e->sf_id)) {
		w->sf = xrealloc(w->sf, (w->nsf + 1) * sizeof(*w->sf));
		w->sf[w->nsf++] = xstrdup(e->sf_id);
	}
	return 0;
}

static int on_waiting_hs(struct sync_obj *o, json_t *j, void *arg)
{
	(void)arg;
	return on_hs_record(j, o);
}

int links_requeue(struct sync_obj *o)
{
	struct waiting w = { o, NULL, NULL, 0, 0 };
	int err;

	if (!o->nlg)
		return 0;
	err = store_error_list(o->e->store, "association", on_waiting, &w);
	if (!err && w.nhs)
		err = hs_read_by(o, NULL, w.hs, w.nhs, on_waiting_hs, NULL);
	if (!err && w.nsf) {
		struct pull_ctx *pcs = pull_ctxs(o);
		struct sf_lookups l = { 0 };

		for (size_t k = 0; k < o->nsfo; k++)
			lookups_add(&l, &o->sfo[k], "Id", w.sf, w.nsf, &pcs[k]);
		err = lookups_run(o, &l, on_sf_record);
		lookups_release(&l);
		free(pcs);
	}
	if (w.nhs + w.nsf)
		log_info("%s: %zu records waiting for an associated record read again", o->inst->tag,
			 w.nhs + w.nsf);
	for (size_t i = 0; i < w.nhs; i++)
		free(w.hs[i]);
	for (size_t i = 0; i < w.nsf; i++)
		free(w.sf[i]);
	free(w.hs);
	free(w.sf);
	return err;
}

/* ---- matching through partners (companies through their contacts) ------- */

struct match_read {
	struct strmap acc;      /* unit (as "%p") -> chosen Account id, "" when ambiguous */
	struct strmap contact_unit; /* Salesforce Contact id -> unit */
	char **contacts;
	size_t ncontacts;
	struct strmap unpaired; /* HubSpot contact id (not synced yet) -> unit */
	char **hs_unpaired;
	size_t nunpaired;
	struct strmap email_unit; /* lowercased email -> unit */
};

/* The target object's de-duplication property and field (contacts: email,
 * Email): the path to its records before they are paired. */
static const struct crmsync_object_ops *target_ops(struct sync_obj *o)
{
	struct crmsync_instance *t = object_enabled(o->e->cfg, o->match_link->target);

	return t && t->plugin ? &t->plugin->object : NULL;
}

static char *lowered(const char *v)
{
	char *c = xstrdup(v);

	for (char *p = c; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return c;
}

static void propose(struct match_read *mr, struct unit *u, const char *acc)
{
	char key[32];
	const char *have;

	snprintf(key, sizeof(key), "%p", (void *)u);
	have = strmap_get(&mr->acc, key);
	if (!have)
		strmap_put(&mr->acc, key, xstrdup(acc));
	else if (*have && strcmp(have, acc) != 0) {
		free((char *)have);
		strmap_put(&mr->acc, key, xstrdup("")); /* contacts at different Accounts */
	}
}

static void on_match_assoc(struct sync_obj *o, struct unit *u, const char *to, int primary, void *arg)
{
	struct match_read *mr = arg;
	struct store_pair p;

	(void)primary;
	if (store_idmap_by_hs(o->e->store, o->match_link->target, to, &p) != 0) {
		/* not synced yet: found through its email below */
		if (!strmap_get(&mr->unpaired, to)) {
			strmap_put(&mr->unpaired, to, u);
			mr->hs_unpaired = xrealloc(mr->hs_unpaired,
						   (mr->nunpaired + 1) * sizeof(*mr->hs_unpaired));
			mr->hs_unpaired[mr->nunpaired++] = xstrdup(to);
		}
		return;
	}
	if (!p.sf_id[0] || p.deleted_at || strcmp(p.sf_type, o->match_link->salesforce_object) != 0)
		return;
	if (strmap_get(&mr->contact_unit, p.sf_id))
		return;
	strmap_put(&mr->contact_unit, p.sf_id, u);
	mr->contacts = xrealloc(mr->contacts, (mr->ncontacts + 1) * sizeof(*mr->contacts));
	mr->contacts[mr->ncontacts++] = xstrdup(p.sf_id);
}

struct match_cb {
	struct sync_obj *o;
	struct match_read *mr;
};

static int on_match_contact(json_t *j, void *user)
{
	struct match_cb *mc = user;
	const char *id = json_string_value(json_object_get(j, "Id"));
	const char *acc = json_string_value(json_object_get(j, mc->o->match_link->salesforce_field));
	struct unit *u = id ? strmap_get(&mc->mr->contact_unit, id) : NULL;

	if (u && acc && *acc)
		propose(mc->mr, u, acc);
	return 0;
}

/* A Salesforce Contact found by the email of an unpaired HubSpot contact. */
static int on_match_email(json_t *j, void *user)
{
	struct match_cb *mc = user;
	const struct crmsync_object_ops *t = target_ops(mc->o);
	const char *email = t ? json_string_value(json_object_get(j, t->dedupe_salesforce_field)) : NULL;
	const char *acc = json_string_value(json_object_get(j, mc->o->match_link->salesforce_field));
	struct unit *u;
	char *low;

	if (!email || !acc || !*acc)
		return 0;
	low = lowered(email);
	u = strmap_get(&mc->mr->email_unit, low);
	free(low);
	if (u)
		propose(mc->mr, u, acc);
	return 0;
}

/* Unpaired HubSpot contacts of the companies: their emails, then the
 * Salesforce Contacts with those emails and their Accounts. */
static int match_by_emails(struct sync_obj *o, struct match_read *mr)
{
	const struct crmsync_object_ops *t = target_ops(o);
	char **emails = NULL;
	size_t ne = 0;
	int err = 0;

	if (!t || !t->dedupe_hubspot_property || !t->dedupe_salesforce_field || !mr->nunpaired)
		return 0;
	for (size_t i = 0; i < mr->nunpaired && !err; i += ASSOC_CHUNK) {
		json_t *inputs = json_array(), *props = json_pack("[s]", t->dedupe_hubspot_property);
		json_t *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < mr->nunpaired && k < i + ASSOC_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", mr->hs_unpaired[k]));
		err = hs_batch_read(o->e->hs, o->match_link->target_hubspot_object, props, inputs, NULL,
				    &resp, &herr);
		json_decref(inputs);
		json_decref(props);
		if (err) {
			log_err("%s: cannot read HubSpot %s: %s %s", o->inst->tag,
				o->match_link->target_hubspot_object, herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			const char *id = json_string_value(json_object_get(r, "id"));
			const char *email = json_string_value(json_object_get(json_object_get(r, "properties"),
									       t->dedupe_hubspot_property));
			struct unit *u = id ? strmap_get(&mr->unpaired, id) : NULL;
			char *low;

			if (!u || !email || !*email)
				continue;
			low = lowered(email);
			if (!strmap_get(&mr->email_unit, low)) {
				strmap_put(&mr->email_unit, low, u);
				emails = xrealloc(emails, (ne + 1) * sizeof(*emails));
				emails[ne++] = low;
			} else {
				free(low);
			}
		}
		json_decref(resp);
	}
	if (!err && ne) {
		struct match_cb mc = { o, mr };
		struct sf_lookups l = { 0 };
		char *sel = xasprintf("SELECT Id, %s, %s FROM %s", o->match_link->salesforce_field,
				      t->dedupe_salesforce_field, o->match_link->salesforce_object);

		lookups_add_soql(&l, sel, t->dedupe_salesforce_field, emails, ne, &mc);
		free(sel);
		err = lookups_run(o, &l, on_match_email);
		lookups_release(&l);
	}
	for (size_t i = 0; i < ne; i++)
		free(emails[i]);
	free(emails);
	return err;
}

/* The other way round: an Account without a pair takes the one unpaired
 * HubSpot company that the HubSpot partners of its synced Contacts are
 * associated with (a company HubSpot created from an email domain, say), so
 * the Account does not create a second company. */
struct rmatch {
	struct sync_obj *o;
	struct strmap contact_acc;   /* HubSpot contact id -> Account id (borrowed from units) */
	struct strmap acc_company;   /* Account id -> company id (owned), "" when ambiguous */
	char **hs_contacts;
	size_t nhs;
	struct strmap email_acc;     /* lowercased email of an unpaired Contact -> Account id */
	char **emails;
	size_t nemails;
};

static int on_rmatch_contact(json_t *j, void *user)
{
	struct rmatch *rm = user;
	struct sync_obj *o = rm->o;
	const char *id = json_string_value(json_object_get(j, "Id"));
	const char *acc = json_string_value(json_object_get(j, o->match_link->salesforce_field));
	struct unit *u = acc ? strmap_get(&o->by_sf, acc) : NULL;
	struct store_pair p;

	if (!id || !u || !u->sf || strcmp(u->sf->id, acc) != 0)
		return 0;
	if (store_idmap_by_sf(o->e->store, o->match_link->target, id, &p) != 0) {
		/* not synced yet: its HubSpot partner is found by email below */
		const struct crmsync_object_ops *t = target_ops(o);
		const char *email = t && t->dedupe_salesforce_field
					    ? json_string_value(json_object_get(j, t->dedupe_salesforce_field))
					    : NULL;
		char *low;

		if (!email || !*email)
			return 0;
		low = lowered(email);
		if (!strmap_get(&rm->email_acc, low)) {
			strmap_put(&rm->email_acc, low, u->sf->id);
			rm->emails = xrealloc(rm->emails, (rm->nemails + 1) * sizeof(*rm->emails));
			rm->emails[rm->nemails++] = low;
		} else {
			free(low);
		}
		return 0;
	}
	if (!p.hs_id[0] || p.deleted_at || strmap_get(&rm->contact_acc, p.hs_id))
		return 0;
	strmap_put(&rm->contact_acc, p.hs_id, u->sf->id);
	rm->hs_contacts = xrealloc(rm->hs_contacts, (rm->nhs + 1) * sizeof(*rm->hs_contacts));
	rm->hs_contacts[rm->nhs++] = xstrdup(p.hs_id);
	return 0;
}

static int on_hs_company(struct sync_obj *o, json_t *j, void *arg)
{
	struct crmsync_record *rec = record_from_hs(j, o->hs_object);
	struct unit *u = rec->id ? strmap_get(&o->by_hs, rec->id) : NULL;

	(void)arg;
	if (!u || u->hs) {
		record_free(rec);
		return 0;
	}
	u->hs = rec;
	u->hs_mod = hs_parse_time(record_get(rec, o->hs_modprop));
	return 0;
}

static int match_sf_side(struct sync_obj *o)
{
	struct rmatch rm = { o, { 0 }, { 0 }, NULL, 0, { 0 }, NULL, 0 };
	const struct crmsync_object_ops *tops = target_ops(o);
	char **accs = xcalloc(o->nunits + 1, sizeof(*accs));
	size_t n = 0;
	int err = 0;

	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (u->sf && !u->hs && !u->has_pair && !u->sf_deleted && u->action != ACT_SKIP &&
		    strcmp(u->sf->object, o->match_link->target_salesforce_object) == 0)
			accs[n++] = u->sf->id;
	}
	if (n) {
		struct sf_lookups l = { 0 };
		char *sel = xasprintf("SELECT Id, %s%s%s FROM %s", o->match_link->salesforce_field,
				      tops && tops->dedupe_salesforce_field ? ", " : "",
				      tops && tops->dedupe_salesforce_field ? tops->dedupe_salesforce_field : "",
				      o->match_link->salesforce_object);

		lookups_add_soql(&l, sel, o->match_link->salesforce_field, accs, n, &rm);
		free(sel);
		err = lookups_run(o, &l, on_rmatch_contact);
		lookups_release(&l);
	}
	/* unpaired Contacts: their HubSpot contacts by email */
	for (size_t i = 0; !err && tops && tops->dedupe_hubspot_property && i < rm.nemails; i += ASSOC_CHUNK) {
		json_t *inputs = json_array(), *props = json_pack("[s]", tops->dedupe_hubspot_property);
		json_t *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < rm.nemails && k < i + ASSOC_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", rm.emails[k]));
		err = hs_batch_read(o->e->hs, o->match_link->target_hubspot_object, props, inputs,
				    tops->dedupe_hubspot_property, &resp, &herr);
		json_decref(inputs);
		json_decref(props);
		if (err) {
			log_err("%s: cannot read HubSpot %s by %s: %s %s", o->inst->tag,
				o->match_link->target_hubspot_object, tops->dedupe_hubspot_property,
				herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			const char *id = json_string_value(json_object_get(r, "id"));
			const char *email = json_string_value(json_object_get(json_object_get(r, "properties"),
									       tops->dedupe_hubspot_property));
			char *low = email ? lowered(email) : NULL;
			const char *acc = low ? strmap_get(&rm.email_acc, low) : NULL;

			free(low);
			if (!id || !acc || strmap_get(&rm.contact_acc, id))
				continue;
			strmap_put(&rm.contact_acc, id, (void *)acc);
			rm.hs_contacts = xrealloc(rm.hs_contacts, (rm.nhs + 1) * sizeof(*rm.hs_contacts));
			rm.hs_contacts[rm.nhs++] = xstrdup(id);
		}
		json_decref(resp);
	}
	for (size_t i = 0; !err && i < rm.nhs; i += ASSOC_CHUNK) {
		json_t *inputs = json_array(), *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < rm.nhs && k < i + ASSOC_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", rm.hs_contacts[k]));
		err = hs_assoc_batch(o->e->hs, o->match_link->target_hubspot_object, o->hs_object, "read",
				     inputs, &resp, &herr);
		json_decref(inputs);
		if (err) {
			log_err("%s: cannot read HubSpot associations of %s: %s %s", o->inst->tag,
				o->match_link->target_hubspot_object, herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			char b1[32], b2[32];
			const char *from = to_id_text(json_object_get(json_object_get(r, "from"), "id"), b1,
						      sizeof(b1));
			const char *acc = from ? strmap_get(&rm.contact_acc, from) : NULL;
			json_t *t;
			size_t m;

			if (!acc)
				continue;
			json_array_foreach(json_object_get(r, "to"), m, t) {
				const char *co = to_id_text(json_object_get(t, "toObjectId"), b2, sizeof(b2));
				char *have = strmap_get(&rm.acc_company, acc);
				struct store_pair p;

				if (!co || store_idmap_by_hs(o->e->store, o->inst->name, co, &p) == 0)
					continue; /* that company has its Account already */
				if (!have)
					strmap_put(&rm.acc_company, acc, xstrdup(co));
				else if (*have && strcmp(have, co) != 0) {
					free(have);
					strmap_put(&rm.acc_company, acc, xstrdup(""));
				}
			}
		}
		json_decref(resp);
	}
	if (!err) {
		char **fetch = xcalloc(n + 1, sizeof(*fetch));
		size_t nf = 0;

		for (size_t i = 0; i < n; i++) {
			struct unit *u = strmap_get(&o->by_sf, accs[i]), *other;
			const char *co = strmap_get(&rm.acc_company, accs[i]);

			if (!u || !co)
				continue;
			if (!*co) {
				u->ambiguous = 1;
				o->n_ambiguous++;
				log_info("%s: Account %s: its contacts' HubSpot contacts belong to different "
					 "companies; not matched", o->inst->tag, accs[i]);
				continue;
			}
			other = strmap_get(&o->by_hs, co);
			if (other && other != u) {
				if (other->sf || other->has_pair || !other->hs)
					continue;
				u->hs = other->hs;
				u->hs_mod = other->hs_mod;
				other->hs = NULL;
				other->action = ACT_SKIP;
				other->skip_reason = "merged";
			} else if (!other) {
				fetch[nf++] = xstrdup(co);
			}
			strmap_put(&o->by_hs, co, u);
			log_info("%s: Account %s matched company %s through its contacts", o->inst->tag,
				 accs[i], co);
			o->n_matched_links++;
		}
		if (nf)
			err = hs_read_by(o, NULL, fetch, nf, on_hs_company, NULL);
		for (size_t i = 0; i < nf; i++)
			free(fetch[i]);
		free(fetch);
	}
	for (size_t i = 0; i < rm.acc_company.cap; i++)
		if (rm.acc_company.slots && rm.acc_company.slots[i].key)
			free(rm.acc_company.slots[i].value);
	strmap_release(&rm.acc_company);
	strmap_release(&rm.contact_acc);
	strmap_release(&rm.email_acc);
	for (size_t i = 0; i < rm.nemails; i++)
		free(rm.emails[i]);
	free(rm.emails);
	for (size_t i = 0; i < rm.nhs; i++)
		free(rm.hs_contacts[i]);
	free(rm.hs_contacts);
	free(accs);
	return err;
}

int links_match(struct sync_obj *o)
{
	struct match_read mr = { 0 };
	struct unit **units;
	size_t n = 0;
	int err = 0;

	if (!o->match_link || !o->nsfo)
		return 0;
	units = xcalloc(o->nunits + 1, sizeof(*units));
	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (u->hs && !u->sf && !u->has_pair && u->action != ACT_SKIP)
			units[n++] = u;
	}
	if (n)
		err = read_assocs(o, o->match_link->target_hubspot_object, 0, units, n, on_match_assoc,
				  &mr);
	if (!err && mr.ncontacts) {
		struct match_cb mc = { o, &mr };
		struct sf_lookups l = { 0 };
		char *sel = xasprintf("SELECT Id, %s FROM %s", o->match_link->salesforce_field,
				      o->match_link->salesforce_object);

		lookups_add_soql(&l, sel, "Id", mr.contacts, mr.ncontacts, &mc);
		free(sel);
		err = lookups_run(o, &l, on_match_contact);
		lookups_release(&l);
	}
	if (!err)
		err = match_by_emails(o, &mr);
	if (!err) {
		char **ids = xcalloc(n + 1, sizeof(*ids));
		size_t nids = 0;

		for (size_t i = 0; i < n; i++) {
			struct unit *u = units[i], *other;
			char key[32];
			const char *acc;
			struct store_pair p;

			snprintf(key, sizeof(key), "%p", (void *)u);
			acc = strmap_get(&mr.acc, key);
			if (!acc)
				continue;
			if (!*acc) {
				u->ambiguous = 1;
				o->n_ambiguous++;
				log_info("%s: company %s: its contacts belong to different Accounts; not "
					 "matched", o->inst->tag, u->hs->id);
				continue;
			}
			if (store_idmap_by_sf(o->e->store, o->inst->name, acc, &p) == 0)
				continue; /* that Account has its company already */
			other = strmap_get(&o->by_sf, acc);
			if (other && other != u && other->sf && !other->has_pair) {
				u->sf = other->sf;
				u->sf_mod = other->sf_mod;
				snprintf(u->sf_type, sizeof(u->sf_type), "%s", other->sf_type);
				other->sf = NULL;
				other->action = ACT_SKIP;
				other->skip_reason = "merged";
				strmap_put(&o->by_sf, acc, u);
			} else if (!other) {
				strmap_put(&o->by_sf, acc, u);
				ids[nids++] = xstrdup(acc);
			} else {
				continue;
			}
			log_info("%s: company %s matched Account %s through its contacts", o->inst->tag,
				 u->hs->id, acc);
			o->n_matched_links++;
		}
		if (nids) {
			struct pull_ctx *pcs = pull_ctxs(o);
			struct sf_lookups l = { 0 };

			lookups_add(&l, &o->sfo[0], "Id", ids, nids, &pcs[0]);
			err = lookups_run(o, &l, on_sf_partner);
			lookups_release(&l);
			free(pcs);
			for (size_t i = 0; i < nids; i++) {
				struct unit *u = strmap_get(&o->by_sf, ids[i]);

				if (u && u->sf)
					snprintf(u->sf_type, sizeof(u->sf_type), "%s", u->sf->object);
			}
		}
		for (size_t i = 0; i < nids; i++)
			free(ids[i]);
		free(ids);
	}
	for (size_t i = 0; i < mr.acc.cap; i++)
		if (mr.acc.slots && mr.acc.slots[i].key)
			free(mr.acc.slots[i].value);
	strmap_release(&mr.acc);
	strmap_release(&mr.contact_unit);
	strmap_release(&mr.unpaired);
	strmap_release(&mr.email_unit);
	for (size_t i = 0; i < mr.ncontacts; i++)
		free(mr.contacts[i]);
	free(mr.contacts);
	for (size_t i = 0; i < mr.nunpaired; i++)
		free(mr.hs_unpaired[i]);
	free(mr.hs_unpaired);
	free(units);
	if (!err)
		err = match_sf_side(o);
	return err;
}
