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
 * This file: setup, reading the associations, holding back and reading
 * again the records that wait, and the helpers links_priv.h shares with
 * links_write.c (merge, association writes), links_junction.c and
 * links_match.c. Only hubspot.c/salesforce.c speak the wire; these files
 * decide what to write, never how.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links_priv.h"
#include "log.h"

/* ---- string lists ------------------------------------------------------- */

void lk_sl_add(struct strlist *l, const char *v)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(v ? v : "");
}

void lk_sl_clear(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

ssize_t lk_sl_find(const struct strlist *l, const char *v)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], v) == 0)
			return (ssize_t)i;
	return -1;
}

void lk_sl_remove_at(struct strlist *l, size_t i)
{
	free(l->v[i]);
	memmove(l->v + i, l->v + i + 1, (l->n - i - 1) * sizeof(*l->v));
	l->n--;
}

/* ";a;b;" membership in a base list */
int lk_in_base(const char *base, const char *id)
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
char *lk_sl_join_sorted(const struct strlist *l)
{
	char **v = xcalloc(l->n + 1, sizeof(*v));
	struct strbuf sb = { 0 };

	if (l->n) {   /* an empty list has no array */
		memcpy(v, l->v, l->n * sizeof(*v));
		qsort(v, l->n, sizeof(*v), cmp_str);
	}
	strbuf_addstr(&sb, "");
	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(&sb, "%s%s", i ? ";" : "", v[i]);
	free(v);
	return strbuf_detach(&sb);
}

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
struct crmsync_instance *lk_object_enabled(struct config *cfg, const char *name)
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
		if (!lk_object_enabled(o->e->cfg, l->target)) {
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
		    lk_object_enabled(o->e->cfg, (*ls)->target))
			o->match_link = *ls;
	return 0;
}

int lk_group_applies(const struct link_group *g, const char *sf_type)
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
			lk_sl_clear(all[k]);
	}
	free(u->js);
	u->js = NULL;
}

struct link_state *lk_state_of(struct sync_obj *o, struct unit *u, size_t gi)
{
	if (!u->ls) {
		u->ls = xcalloc(o->nlg, sizeof(*u->ls));
		u->nls = o->nlg;
	}
	return &u->ls[gi];
}

/* The Salesforce id of the target's HubSpot record hs_id, or NULL (not
 * synced; *known is 0 then). Owned by the caller. */
char *lk_hs_to_sf(struct sync_obj *o, const struct crmsync_link *l, const char *hs_id)
{
	struct store_pair p;

	if (store_idmap_by_hs(o->e->store, l->target, hs_id, &p) != 0 || !p.sf_id[0] || p.deleted_at)
		return NULL;
	if (l->target_salesforce_object && strcmp(p.sf_type, l->target_salesforce_object) != 0)
		return NULL;
	return xstrdup(p.sf_id);
}

char *lk_sf_to_hs(struct sync_obj *o, const struct crmsync_link *l, const char *sf_id)
{
	struct store_pair p;

	if (store_idmap_by_sf(o->e->store, l->target, sf_id, &p) != 0 || !p.hs_id[0] || p.deleted_at)
		return NULL;
	return xstrdup(p.hs_id);
}

/* The link of group g a Salesforce id belongs to (by key prefix), or NULL. */
const struct crmsync_link *lk_link_of_sf_id(const struct link_group *g, const char *id)
{
	for (size_t i = 0; id && i < g->n; i++) {
		const char *p = prefix_of(g->links[i]->target_salesforce_object);

		if (!g->links[i]->target_salesforce_object || (p && strncmp(id, p, 3) == 0))
			return g->links[i];
	}
	return NULL;
}

/* ---- reading the HubSpot side -------------------------------------------- */

const char *lk_to_id_text(json_t *v, char *buf, size_t size)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return NULL;
}

/* A feed has no associations API: its records name their partners in the
 * property "feed.associations.<object>" (ids separated by ';'). */
static int feed_assocs(struct sync_obj *o, const char *to_object, struct unit **units, size_t n,
		       void (*cb)(struct sync_obj *, struct unit *, const char *, int, void *),
		       void *arg)
{
	char name[128];

	snprintf(name, sizeof(name), "feed.associations.%s", to_object);
	for (size_t i = 0; i < n; i++) {
		const char *v = record_get(units[i]->hs, name);
		char *ids, *save = NULL;

		if (!v)
			continue;
		ids = xstrdup(v);
		for (char *id = strtok_r(ids, ";", &save); id; id = strtok_r(NULL, ";", &save))
			cb(o, units[i], id, 0, arg);
		free(ids);
	}
	return 0;
}

/* Associations of the units' HubSpot records with one HubSpot object:
 * calls cb(unit, to_id, is_primary) for each. */
int lk_read_assocs(struct sync_obj *o, const char *to_object, uint32_t primary_type,
		       struct unit **units, size_t n,
		       void (*cb)(struct sync_obj *, struct unit *, const char *, int, void *), void *arg)
{
	int err = 0;

	if (o->feed)
		return feed_assocs(o, to_object, units, n, cb, arg);
	for (size_t i = 0; i < n && !err; i += ASSOC_READ_CHUNK) {
		json_t *inputs = json_array(), *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < n && k < i + ASSOC_READ_CHUNK; k++)
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
			const char *from = lk_to_id_text(json_object_get(json_object_get(r, "from"), "id"), b1,
						      sizeof(b1));
			struct unit *u = from ? strmap_get(&o->by_hs, from) : NULL;
			json_t *t;
			size_t m;

			if (!u)
				continue;
			json_array_foreach(json_object_get(r, "to"), m, t) {
				const char *to = lk_to_id_text(json_object_get(t, "toObjectId"), b2, sizeof(b2));
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
	struct link_state *st = lk_state_of(o, u, gr->gi);
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
	st->hs_sf = lk_hs_to_sf(o, gr->l, to);
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

			err = lk_read_assocs(o, g->links[li]->target_hubspot_object, g->links[li]->primary_type,
					  units, n, on_assoc, &gr);
		}
	}
	if (!err && o->njl)
		err = lk_junction_read(o, units, n);
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
	if (!o->e->opts.dry_run) {
		/* and on the partner's own errors (why it has not synced), this
		 * record is one of those it holds back */
		struct store_ref ref = { side, side == CRMSYNC_SIDE_HUBSPOT ? o->hs_object : u->sf->object,
					 side == CRMSYNC_SIDE_HUBSPOT ? u->hs->id : u->sf->id };

		store_error_add_affected_of_record(o->e->store, l->target,
						   side == CRMSYNC_SIDE_HUBSPOT ? partner : NULL,
						   side == CRMSYNC_SIDE_SALESFORCE ? partner : NULL, &ref, NULL);
	}
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

		if (!lk_group_applies(g, u->sf_type))
			continue;
		if (st && st->hs_id && !st->hs_sf && st->link && (st->link->flags & CRMSYNC_LINK_WAIT)) {
			hold(o, u, CRMSYNC_SIDE_HUBSPOT, st->link, st->hs_id);
			break;
		}
		sv = u->sf ? record_get(u->sf, g->field) : NULL;
		l = sv && *sv ? lk_link_of_sf_id(g, sv) : NULL;
		if (!l || !(l->flags & CRMSYNC_LINK_WAIT) || (l->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY))
			continue;
		hs = lk_sf_to_hs(o, l, sv);
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

const char *lk_base_of(const struct store_fields *old, const char *name, int *have)
{
	const char *v = NULL;

	*have = old && store_fields_find(old, name, &v);
	return *have ? (v ? v : "") : NULL;
}

void lk_base_add(struct unit *u, const char *name, const char *value, int side)
{
	u->base_names = xrealloc(u->base_names, (u->nbase + 1) * sizeof(char *));
	u->base_values = xrealloc(u->base_values, (u->nbase + 1) * sizeof(char *));
	u->base_side = xrealloc(u->base_side, u->nbase + 1);
	u->base_names[u->nbase] = xstrdup(name);
	u->base_values[u->nbase] = value ? xstrdup(value) : NULL;
	u->base_side[u->nbase] = (unsigned char)side;
	u->nbase++;
}

int lk_same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

const char *lk_error_record_id(json_t *e)
{
	json_t *ctx = json_object_get(e, "context");
	const char *id = json_string_value(json_array_get(json_object_get(ctx, "fromObjectId"), 0));

	return id ? id : json_string_value(json_array_get(json_object_get(ctx, "ids"), 0));
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

