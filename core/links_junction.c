/*
 * links_junction.c - many-to-many links through a Salesforce junction
 * object (ABI 1.3, CRMSYNC_LINK_JUNCTION): OpportunityContactRole rows
 * against deal -> contact associations, merged as a set against the last
 * synced set, added and removed on either side in batches.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "links_priv.h"
#include "log.h"

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
	char *sf = lk_hs_to_sf(o, jr->l, to);

	(void)primary;
	if (sf && lk_sl_find(&js->hs, sf) < 0) {
		lk_sl_add(&js->hs, sf);
		lk_sl_add(&js->hs_ids, to);
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
	if (lk_sl_find(&js->sf, target) >= 0)
		return 0;
	lk_sl_add(&js->sf, target);
	lk_sl_add(&js->sf_rows, row);
	return 0;
}

int lk_junction_read(struct sync_obj *o, struct unit **units, size_t n)
{
	int err = 0;

	for (size_t j = 0; j < o->njl && !err; j++) {
		const struct crmsync_link *l = o->jl[j];
		struct junction_read jr = { j, l, o };
		char **ids = xcalloc(o->nunits + 1, sizeof(*ids));
		size_t nids = 0;

		err = lk_read_assocs(o, l->target_hubspot_object, 0, units, n, on_junction_assoc, &jr);
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
void lk_junction_stage(struct sync_obj *o, struct unit *u, int create_to_sf, int create_to_hs,
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
		lk_sl_clear(&js->add_sf);
		lk_sl_clear(&js->del_sf_rows);
		lk_sl_clear(&js->add_hs);
		lk_sl_clear(&js->del_hs);
		js->failed = 0;
		if (create_to_sf) {
			for (size_t i = 0; i < js->hs.n; i++)
				lk_sl_add(&js->add_sf, js->hs.v[i]);
			lk_base_add(u, name, "", 0);
			continue;
		}
		if (create_to_hs) {
			for (size_t i = 0; i < js->sf.n; i++) {
				char *hs = lk_sf_to_hs(o, l, js->sf.v[i]);

				if (hs)
					lk_sl_add(&js->add_hs, hs);
				free(hs);
			}
			lk_base_add(u, name, "", 0);
			continue;
		}
		base = lk_base_of(old, name, &have_base);
		for (size_t i = 0; i < js->hs.n; i++) {
			const char *c = js->hs.v[i];

			if (lk_sl_find(&js->sf, c) >= 0)
				lk_sl_add(&result, c);
			else if (have_base && lk_in_base(base, c))
				lk_sl_add(&js->del_hs, js->hs_ids.v[i]); /* removed in Salesforce */
			else {
				lk_sl_add(&js->add_sf, c);
				lk_sl_add(&result, c);
			}
		}
		for (size_t i = 0; i < js->sf.n; i++) {
			const char *c = js->sf.v[i];
			char *hs;

			if (lk_sl_find(&js->hs, c) >= 0)
				continue;
			if (have_base && lk_in_base(base, c)) {
				lk_sl_add(&js->del_sf_rows, js->sf_rows.v[i]); /* removed in HubSpot */
				continue;
			}
			hs = lk_sf_to_hs(o, l, c);
			if (hs) {
				lk_sl_add(&js->add_hs, hs);
				lk_sl_add(&result, c);
			}
			free(hs);
		}
		joined = lk_sl_join_sorted(&result);
		lk_base_add(u, name, joined, 0);
		free(joined);
		lk_sl_clear(&result);
	}
}

static void junction_failed(struct sync_obj *o, struct unit *u, size_t j, enum crmsync_side side,
			    int status, const char *code, const char *message)
{
	record_failure(o, u, side, status, code, NULL, message, NULL);
	u->js[j].failed = 1;
}

/* One junction row to create (target id) or delete (row id). */
struct jrow {
	struct unit *u;
	const char *what;
};

/* The rows of one kind the units queued; a unit whose own write failed
 * queues none and keeps its old base (its changes are not made). */
static struct jrow *queued_rows(struct sync_obj *o, size_t j, int del, size_t *n)
{
	struct jrow *rows = NULL;
	size_t cap = 0;

	*n = 0;
	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];
		struct junction_state *js = u->js ? &u->js[j] : NULL;
		const struct strlist *l = js ? (del ? &js->del_sf_rows : &js->add_sf) : NULL;
		const char *id = u->pair.sf_id[0] ? u->pair.sf_id : (u->sf ? u->sf->id : NULL);

		if (!l || !l->n)
			continue;
		if (u->sf_failed || !id || (u->action != ACT_UPDATE && (del || u->action != ACT_CREATE_SF))) {
			js->failed = 1;
			continue;
		}
		for (size_t k = 0; k < l->n; k++) {
			if (*n == cap) {
				cap = cap ? cap * 2 : 64;
				rows = xrealloc(rows, cap * sizeof(*rows));
			}
			rows[*n].u = u;
			rows[(*n)++].what = l->v[k];
		}
	}
	return rows;
}

static void row_failed(struct sync_obj *o, size_t j, struct jrow *r, json_t *res)
{
	json_t *e0 = json_array_get(json_object_get(res, "errors"), 0);

	junction_failed(o, r->u, j, CRMSYNC_SIDE_SALESFORCE, 400,
			json_string_value(json_object_get(e0, "statusCode")),
			json_string_value(json_object_get(e0, "message")));
}

static int junction_push_sf(struct sync_obj *o, size_t j)
{
	const struct crmsync_link *l = o->jl[j];
	struct sf_error serr;
	int err = 0;

	for (int del = 0; del <= 1 && !err; del++) {
		size_t n;
		struct jrow *rows = queued_rows(o, j, del, &n);

		for (size_t i = 0; i < n && !err; i += 200) {
			size_t m = n - i < 200 ? n - i : 200;
			const char *ids[200];
			json_t *recs = NULL, *res = NULL;

			if (del) {
				for (size_t k = 0; k < m; k++)
					ids[k] = rows[i + k].what;
				err = sf_delete_collection(o->e->sf, ids, m, &res, &serr);
			} else {
				recs = json_array();
				for (size_t k = 0; k < m; k++) {
					struct unit *u = rows[i + k].u;
					const char *id = u->pair.sf_id[0] ? u->pair.sf_id : u->sf->id;

					json_array_append_new(recs, json_pack("{s:{s:s}, s:s, s:s}", "attributes",
									      "type", l->salesforce_object,
									      l->junction_key, id,
									      l->salesforce_field,
									      rows[i + k].what));
				}
				err = sf_create_collection(o->e->sf, recs, &res, &serr);
				json_decref(recs);
			}
			if (err == -EREMOTEIO) {
				for (size_t k = 0; k < m; k++)
					junction_failed(o, rows[i + k].u, j, CRMSYNC_SIDE_SALESFORCE,
							serr.http_status, serr.code, serr.message);
				err = 0;
				continue;
			}
			if (err) {
				o->incomplete = 1;
				break;
			}
			for (size_t k = 0; k < m; k++) {
				struct jrow *r = &rows[i + k];
				struct junction_state *js = &r->u->js[j];
				json_t *one = json_array_get(res, k);
				const char *rid = json_string_value(json_object_get(one, "id"));

				if (!json_is_true(json_object_get(one, "success"))) {
					row_failed(o, j, r, one);
				} else if (del) {
					ssize_t at = lk_sl_find(&js->sf_rows, r->what);

					if (at >= 0) {
						lk_sl_remove_at(&js->sf, (size_t)at);
						lk_sl_remove_at(&js->sf_rows, (size_t)at);
					}
				} else if (rid) {
					lk_sl_add(&js->sf, r->what);
					lk_sl_add(&js->sf_rows, rid);
					o->n_associated++;
				}
			}
			json_decref(res);
		}
		free(rows);
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
			const char *id = lk_error_record_id(e);
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

			if (!js || !list->n)
				continue;
			if (!hs_id || u->hs_failed ||
			    (u->action != ACT_UPDATE && u->action != ACT_CREATE_HS)) {
				js->failed = 1; /* its changes are not made: the old base stays */
				continue;
			}
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
				ssize_t at = lk_sl_find(&js->hs_ids, it[k].to);

				if (at >= 0) {
					lk_sl_remove_at(&js->hs, (size_t)at);
					lk_sl_remove_at(&js->hs_ids, (size_t)at);
				}
			} else {
				char *sf = lk_hs_to_sf(o, l, it[k].to);

				if (sf) {
					lk_sl_add(&js->hs, sf);
					lk_sl_add(&js->hs_ids, it[k].to);
					o->n_associated++;
				}
				free(sf);
			}
		}
		free(it);
	}
	for (size_t i = 0; i < o->nunits; i++)
		if (o->units[i]->js) {
			lk_sl_clear(&o->units[i]->js[j].add_hs);
			lk_sl_clear(&o->units[i]->js[j].del_hs);
		}
	return err;
}

int lk_junction_push(struct sync_obj *o)
{
	int err = 0;

	if (o->e->opts.dry_run)
		return 0;
	for (size_t j = 0; j < o->njl && !err; j++) {
		err = junction_push_sf(o, j);
		for (size_t i = 0; i < o->nunits; i++)
			if (o->units[i]->js) {
				lk_sl_clear(&o->units[i]->js[j].add_sf);
				lk_sl_clear(&o->units[i]->js[j].del_sf_rows);
			}
		if (!err)
			err = junction_push_hs(o, j);
	}
	return err;
}

