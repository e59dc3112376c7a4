/*
 * links_write.c - the merge of a unit's links (ABI 1.3) and what it writes:
 * the lookup field goes out with the record (staged here), the HubSpot
 * association right after the record writes, batched per link and kind; a
 * refusal (an association limit) becomes the record's sync error and keeps
 * the link's old base.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links_priv.h"
#include "log.h"

/* Queue the HubSpot association of group g towards the Salesforce id sv
 * (translated), replacing the one the unit has now. */
static void want_hs(struct sync_obj *o, struct unit *u, size_t gi, const char *sv)
{
	struct link_state *st = lk_state_of(o, u, gi);
	const struct crmsync_link *l = sv && *sv ? lk_link_of_sf_id(&o->lg[gi], sv) : st->link;
	char *hs = l && sv && *sv ? lk_sf_to_hs(o, l, sv) : NULL;

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

		if (!lk_group_applies(g, u->sf_type))
			continue;
		st = lk_state_of(o, u, gi);
		/* a new plan: what an earlier pass queued was written (or refused
		 * and reverted) already */
		st->write_hs = 0;
		st->failed = 0;
		hv = st->hs_sf;
		if (create_to_sf) {
			if (hv)
				record_set(u->out_sf, g->field, hv);
			lk_base_add(u, g->base_name, hv ? hv : "", hv ? 1 : 0);
			continue;
		}
		sv = u->sf ? record_get(u->sf, g->field) : NULL;
		if (create_to_hs) {
			const struct crmsync_link *l = sv ? lk_link_of_sf_id(g, sv) : NULL;

			if (sv && l && !(l->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY))
				want_hs(o, u, gi, sv);
			/* the base follows once the association is made (read-back pass) */
			lk_base_add(u, g->base_name, "", 0);
			continue;
		}
		/* update: a two-way merge in Salesforce's id space */
		if (st->hs_id && !hv)
			continue; /* HubSpot's partner not synced (a non-waiting link) */
		if (sv && *sv && !lk_link_of_sf_id(g, sv))
			continue; /* a lookup to an object no link covers */
		base = lk_base_of(old, g->base_name, &have_base);
		if (lk_same(hv, sv)) {
			lk_base_add(u, g->base_name, sv ? sv : "", 0);
			continue;
		}
		if (!have_base) {
			to_sf = !sv || !*sv;
			to_hs = !to_sf;
		} else {
			int hs_changed = !lk_same(hv, base), sf_changed = !lk_same(sv, base);

			if (hs_changed && sf_changed)
				to_sf = u->hs_mod >= u->sf_mod, to_hs = !to_sf;
			else
				to_sf = hs_changed, to_hs = sf_changed;
		}
		if (to_hs && ((st->link && (st->link->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY)) ||
			      o->feed))
			to_hs = 0;   /* a feed's records are never written */
		if (to_hs && sv && *sv) {
			const struct crmsync_link *l = lk_link_of_sf_id(g, sv);

			if (l && (l->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY))
				to_hs = 0;
		}
		if (to_sf) {
			record_set(u->out_sf, g->field, hv);
			lk_base_add(u, g->base_name, hv ? hv : "", 1);
		} else if (to_hs) {
			/* refused earlier in this cycle (an association limit): the
			 * base stays, so the next cycle tries again */
			if (!st->refused)
				want_hs(o, u, gi, sv);
			if (st->write_hs)
				lk_base_add(u, g->base_name, sv ? sv : "", 2);
			else if (base)
				lk_base_add(u, g->base_name, base, 0);
		} else if (base) {
			lk_base_add(u, g->base_name, base, 0);
		}
	}
	if (o->njl)
		lk_junction_stage(o, u, create_to_sf, create_to_hs, old);
}

/* ---- writing associations ------------------------------------------------- */

static void assoc_failed(struct sync_obj *o, struct unit *u, size_t gi, const struct hs_error *herr)
{
	struct link_state *st = &u->ls[gi];

	record_failure(o, u, CRMSYNC_SIDE_HUBSPOT, herr->http_status, herr->category, herr->subcode,
		       herr->message, NULL);
	st->write_hs = 0;
	st->failed = 1;
	st->refused = 1;
}

/* One association change of a unit's link group. */
struct aitem {
	struct unit *u;
	size_t gi;
	const char *from;
};

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
			const char *id = lk_error_record_id(e);
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

					if (!st || !st->write_hs || st->failed || st->refused || u->hs_failed ||
					    !hs_id ||
					    (u->action != ACT_UPDATE && u->action != ACT_CREATE_HS))
						continue;
					if (archive ? !(st->old_hs && st->old_link == g->links[li] &&
							!(st->want_hs && lk_same(st->want_hs, st->old_hs)))
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
	return lk_junction_push(o);
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

