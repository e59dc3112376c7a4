/*
 * HubSpot side of crmsync-sim: associations. HUBSPOT_DEFINED types between
 * contacts, companies, deals and engagements (each stored on both records
 * with its inverse type), the per-record limit, the Associations v4 API
 * (/crm/v4/associations/... and /crm/v4/objects/.../associations/...) and
 * the `associations` blocks of Objects API answers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

struct atype {
	enum hs_type from, to;
	int id, inverse;
	bool primary;
};

#define P(f, t, a, b) {f, t, a, b, false}, {t, f, b, a, false}
static const struct atype atypes[] = {
	{HS_CONTACTS, HS_COMPANIES, 1, 2, true}, {HS_COMPANIES, HS_CONTACTS, 2, 1, true},
	{HS_DEALS, HS_COMPANIES, 5, 6, true}, {HS_COMPANIES, HS_DEALS, 6, 5, true},
	P(HS_CONTACTS, HS_COMPANIES, 279, 280), P(HS_DEALS, HS_CONTACTS, 3, 4),
	P(HS_DEALS, HS_COMPANIES, 341, 342),
	P(HS_TASKS, HS_CONTACTS, 204, 203), P(HS_TASKS, HS_COMPANIES, 192, 191),
	P(HS_TASKS, HS_DEALS, 216, 215),
	P(HS_NOTES, HS_CONTACTS, 202, 201), P(HS_NOTES, HS_COMPANIES, 190, 189),
	P(HS_NOTES, HS_DEALS, 214, 213),
	P(HS_MEETINGS, HS_CONTACTS, 200, 199), P(HS_MEETINGS, HS_COMPANIES, 188, 187),
	P(HS_MEETINGS, HS_DEALS, 212, 211),
	P(HS_CALLS, HS_CONTACTS, 194, 193), P(HS_CALLS, HS_COMPANIES, 182, 181),
	P(HS_CALLS, HS_DEALS, 206, 205),
	P(HS_EMAILS, HS_CONTACTS, 198, 197), P(HS_EMAILS, HS_COMPANIES, 186, 185),
	P(HS_EMAILS, HS_DEALS, 210, 209),
};
#define NATYPES (sizeof(atypes) / sizeof(atypes[0]))

static const struct atype *atype_find(enum hs_type from, int id)
{
	for (size_t i = 0; i < NATYPES; i++)
		if (atypes[i].from == from && atypes[i].id == id)
			return &atypes[i];
	return NULL;
}

int hs_assoc_default_type(enum hs_type from, enum hs_type to)
{
	for (size_t i = 0; i < NATYPES; i++)
		if (atypes[i].from == from && atypes[i].to == to && !atypes[i].primary)
			return atypes[i].id;
	return 0;
}

static bool pair_has_primary(enum hs_type from, enum hs_type to)
{
	for (size_t i = 0; i < NATYPES; i++)
		if (atypes[i].from == from && atypes[i].to == to && atypes[i].primary)
			return true;
	return false;
}

static struct hs_link *link_find(struct hs_record *r, enum hs_type tt, uint64_t id)
{
	for (uint32_t i = 0; i < r->nlinks; i++)
		if (r->links[i].to_type == tt && r->links[i].to_id == id)
			return &r->links[i];
	return NULL;
}

static uint32_t links_to(const struct hs_record *r, enum hs_type tt)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < r->nlinks; i++)
		n += r->links[i].to_type == tt;
	return n;
}

static int link_add(struct hs_record *r, enum hs_type tt, uint64_t id, int type)
{
	struct hs_link *l = link_find(r, tt, id);

	if (!l) {
		if (r->nlinks == r->caplinks) {
			uint32_t ncap = r->caplinks ? r->caplinks * 2 : 4;
			struct hs_link *nl = realloc(r->links, ncap * sizeof(*nl));

			if (!nl)
				return -ENOMEM;
			r->links = nl;
			r->caplinks = ncap;
		}
		l = &r->links[r->nlinks++];
		memset(l, 0, sizeof(*l));
		l->to_type = (uint8_t)tt;
		l->to_id = id;
	}
	for (int k = 0; k < l->ntypes; k++)
		if (l->types[k] == type)
			return 0;
	if (l->ntypes < HS_LINK_TYPES)
		l->types[l->ntypes++] = (int16_t)type;
	return 0;
}

/* Drop `type` (or every type when type == 0) from r's link to (tt, id). */
static void link_drop(struct hs_record *r, enum hs_type tt, uint64_t id, int type)
{
	struct hs_link *l = link_find(r, tt, id);
	int o = 0;

	if (!l)
		return;
	for (int k = 0; k < l->ntypes; k++)
		if (type && l->types[k] != type)
			l->types[o++] = l->types[k];
	l->ntypes = (uint8_t)o;
	if (!o)
		*l = r->links[--r->nlinks];
}

int hs_assoc_add(struct sim_side *s, struct hs_objtype *fot, struct hs_record *from,
		 struct hs_objtype *tot, struct hs_record *to, int type_id)
{
	const struct atype *at = atype_find(fot->t, type_id);

	if (!at || at->to != tot->t)
		return -EINVAL;
	if (!link_find(from, tot->t, to->id) &&
	    (links_to(from, tot->t) >= (uint32_t)s->assoc_limit ||
	     links_to(to, fot->t) >= (uint32_t)s->assoc_limit))
		return -ENOSPC;
	if (at->primary) { /* one primary per record and pair */
		for (uint32_t i = 0; i < from->nlinks; i++) {
			struct hs_link *l = &from->links[i];

			for (int k = 0; l->to_type == tot->t && k < l->ntypes; k++) {
				if (l->types[k] == type_id && l->to_id != to->id) {
					struct hs_record *old = hs_rec_find(tot, l->to_id);

					if (old)
						link_drop(old, fot->t, from->id, at->inverse);
					link_drop(from, tot->t, l->to_id, type_id);
					break;
				}
			}
		}
	}
	if (link_add(from, tot->t, to->id, type_id) || link_add(to, fot->t, from->id, at->inverse))
		return -ENOMEM;
	if (at->primary) { /* a labelled association always comes with the unlabelled one */
		int d = hs_assoc_default_type(fot->t, tot->t);
		const struct atype *dt = atype_find(fot->t, d);

		if (dt && (link_add(from, tot->t, to->id, d) || link_add(to, fot->t, from->id, dt->inverse)))
			return -ENOMEM;
	}
	return 0;
}

void hs_assoc_remove(struct sim_side *s, struct hs_objtype *fot, struct hs_record *from,
		     struct hs_objtype *tot, uint64_t to_id)
{
	struct hs_record *to = hs_rec_find(tot, to_id);

	(void)s;
	link_drop(from, tot->t, to_id, 0);
	if (to)
		link_drop(to, fot->t, from->id, 0);
}

json_t *hs_assoc_json(struct sim_side *s, const struct hs_objtype *ot, const struct hs_record *r,
		      const char *const *types, int ntypes)
{
	json_t *out = json_object();

	for (int i = 0; i < ntypes; i++) {
		struct hs_objtype *tot = hs_type_find(s, types[i]);
		json_t *res;

		if (!tot || json_object_get(out, tot->name))
			continue;
		res = json_array();
		for (uint32_t k = 0; k < r->nlinks; k++) {
			const struct hs_link *l = &r->links[k];
			char id[24], label[64];

			if (l->to_type != tot->t)
				continue;
			snprintf(id, sizeof(id), "%llu", (unsigned long long)l->to_id);
			for (int t = 0; t < l->ntypes; t++) {
				const struct atype *at = atype_find(ot->t, l->types[t]);
				bool unl = at && !at->primary && pair_has_primary(ot->t, tot->t);

				snprintf(label, sizeof(label), "%s_to_%s%s", ot->singular, tot->singular,
					 unl ? "_unlabeled" : "");
				json_array_append_new(res, json_pack("{s:s,s:s}", "id", id, "type", label));
			}
		}
		if (json_array_size(res))
			json_object_set_new(out, tot->name, json_pack("{s:o}", "results", res));
		else
			json_decref(res);
	}
	return out;
}

static json_t *limit_error(struct sim_side *s, struct hs_objtype *fot, struct hs_objtype *tot,
			   const char *from_id)
{
	json_t *b = hs_err_body("VALIDATION_ERROR",
		"Failed to create associations: %s %s would exceed the limit of %d associations to %s records.",
		fot->singular, from_id, s->assoc_limit, tot->singular);

	json_object_set_new(b, "subCategory", json_string("crm.associations.TOO_MANY_ASSOCIATIONS"));
	json_object_set_new(b, "context", json_pack("{s:[s],s:[i]}", "fromObjectId", from_id,
						    "limit", s->assoc_limit));
	return b;
}

int hs_assoc_apply_inputs(struct sim_side *s, struct hs_objtype *ot, struct hs_record *r,
			  json_t *assocs, json_t **errbody)
{
	size_t i, k;
	json_t *a, *t;

	if (!json_is_array(assocs)) {
		*errbody = hs_err_body("VALIDATION_ERROR", "associations must be an array");
		return 400;
	}
	json_array_foreach(assocs, i, a) {
		const char *to_id = json_string_value(json_object_get(json_object_get(a, "to"), "id"));

		json_array_foreach(json_object_get(a, "types"), k, t) {
			int tid = (int)json_integer_value(json_object_get(t, "associationTypeId"));
			const struct atype *at = atype_find(ot->t, tid);
			struct hs_objtype *tot = at ? &s->types[at->to] : NULL;
			struct hs_record *to = tot ? hs_rec_lookup(tot, to_id, NULL) : NULL;
			int err;

			if (!at) {
				*errbody = hs_err_body("VALIDATION_ERROR",
						       "%d is not a valid association type id from %s", tid, ot->singular);
				return 400;
			}
			if (!to || to->archived_at) {
				*errbody = hs_err_body("VALIDATION_ERROR", "No %s with id %s exists to associate to",
						       tot->singular, to_id ? to_id : "(none)");
				return 400;
			}
			if (!r) {
				if (links_to(to, ot->t) >= (uint32_t)s->assoc_limit) {
					*errbody = limit_error(s, tot, ot, to_id);
					return 400;
				}
				continue;
			}
			err = hs_assoc_add(s, ot, r, tot, to, tid);
			if (err == -ENOSPC) {
				*errbody = limit_error(s, tot, ot, to_id);
				return 400;
			}
		}
	}
	return 0;
}
