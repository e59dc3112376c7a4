/*
 * HubSpot side of crmsync-sim: the basic Objects API for every object type
 * (/crm/v3/objects/{objectType}): list with `after` paging, read (also by
 * idProperty), create, update, archive; the shared write checks used by the
 * batch endpoints; and the admin "edit as a user would" entry point.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

#define MAX_PROPS 256

/* Collect `properties` (repeated and/or comma-separated) into names[]. */
static int collect_list(const struct sim_req *req, const char *arg, char *buf, size_t buflen,
			const char **names, int max)
{
	const char *vals[64];
	size_t nv = sim_req_arg_all(req, arg, vals, 64), o = 0;
	int n = 0;

	for (size_t i = 0; i < nv; i++) {
		for (const char *p = vals[i]; *p && n < max;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);

			if (len && o + len + 1 <= buflen) {
				memcpy(buf + o, p, len);
				buf[o + len] = '\0';
				names[n++] = buf + o;
				o += len + 1;
			}
			p += len + (comma ? 1 : 0);
		}
	}
	return n;
}

static void not_found(struct sim_resp *resp, const char *id)
{
	json_t *b = hs_err_body("OBJECT_NOT_FOUND", "Object not found.  objectId are usually numeric.");

	json_object_set_new(b, "context", json_pack("{s:[s]}", "id", id));
	sim_resp_json(resp, 404, b);
}

/* ---- shared write checks -------------------------------------------------- */

static void uniq_batch_key(const char *prop, const char *v, char *key, size_t len)
{
	size_t o = (size_t)snprintf(key, len, "%s\x1f", prop);

	if (o < len)
		sim_ascii_lower(key + o, v, len - o);
}

int hs_write_check(struct sim_side *s, struct hs_objtype *ot, struct hs_record *self,
		   json_t *props, bool create, struct hs_strmap *batch, json_t **norm, json_t **err)
{
	struct hs_verrs errs;
	const char *name;
	json_t *v;

	*norm = hs_props_check(s, ot, props, create, &errs);
	if (!*norm) {
		*err = hs_verr_body(&errs);
		return 400;
	}
	json_object_foreach(*norm, name, v) {
		const char *val = json_string_value(v);
		uint64_t owner, dummy;
		char key[512];

		if (!val || !hs_prop_unique(ot, name))
			continue;
		owner = hs_uniq_owner(ot, name, val);
		if (owner && (!self || owner != self->id)) {
			if (ot->t == HS_CONTACTS && !strcmp(name, "email"))
				*err = hs_err_body("CONFLICT", "Contact already exists. Existing ID: %llu",
						   (unsigned long long)owner);
			else
				*err = hs_err_body("CONFLICT",
						   "A %s with the unique value '%s' for property '%s' already exists. Existing ID: %llu",
						   ot->singular, val, name, (unsigned long long)owner);
			json_decref(*norm);
			*norm = NULL;
			return 409;
		}
		uniq_batch_key(name, val, key, sizeof(key));
		if (batch && !hs_strmap_get(batch, key, &dummy)) {
			*err = hs_err_body("VALIDATION_ERROR",
					   "Duplicate value '%s' for unique property '%s' in the batch input",
					   val, name);
			json_decref(*norm);
			*norm = NULL;
			return 400;
		}
	}
	return 0;
}

void hs_batch_note_unique(struct hs_objtype *ot, json_t *norm, struct hs_strmap *batch)
{
	const char *name;
	json_t *v;
	char key[512];

	json_object_foreach(norm, name, v) {
		if (json_string_value(v) && hs_prop_unique(ot, name)) {
			uniq_batch_key(name, json_string_value(v), key, sizeof(key));
			hs_strmap_put(batch, key, 1);
		}
	}
}

json_t *hs_rec_json_written(struct sim_side *s, struct hs_objtype *ot, struct hs_record *r, json_t *norm)
{
	const char *names[MAX_PROPS];
	const char *name;
	json_t *v;
	int n = 0;

	json_object_foreach(norm, name, v)
		if (n < MAX_PROPS)
			names[n++] = name;
	return hs_rec_json(s, ot, r, names, n, NULL, 0);
}

/* ---- single-record calls --------------------------------------------------- */

static void list_records(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
			 struct sim_resp *resp)
{
	char buf[4096], abuf[512];
	const char *props[MAX_PROPS], *assoc[HS_NTYPES];
	int np = collect_list(req, "properties", buf, sizeof(buf), props, MAX_PROPS);
	int na = collect_list(req, "associations", abuf, sizeof(abuf), assoc, HS_NTYPES);
	const char *l = sim_req_arg(req, "limit"), *a = sim_req_arg(req, "after");
	const char *arch = sim_req_arg(req, "archived");
	bool want_archived = arch && !strcmp(arch, "true");
	long limit = l ? strtol(l, NULL, 10) : 10;
	uint64_t after = a ? strtoull(a, NULL, 10) : 0;
	json_t *results = json_array(), *out;
	size_t lo = 0, hi = ot->n;

	if (limit < 1)
		limit = 10;
	if (limit > 100)
		limit = 100;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ot->recs[mid]->id < after)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < ot->n; lo++) {
		struct hs_record *r = ot->recs[lo];

		if ((r->archived_at != 0) != want_archived)
			continue;
		if (json_array_size(results) == (size_t)limit)
			break;
		json_array_append_new(results, hs_rec_json(s, ot, r, np ? props : NULL, np, assoc, na));
	}
	out = json_pack("{s:o}", "results", results);
	if (lo < ot->n) {
		char next[24], link[160];

		snprintf(next, sizeof(next), "%llu", (unsigned long long)ot->recs[lo]->id);
		snprintf(link, sizeof(link), "%s/crm/v3/objects/%s?limit=%ld&after=%s",
			 s->opts.hs_base_url ? s->opts.hs_base_url : "", ot->name, limit, next);
		json_object_set_new(out, "paging", json_pack("{s:{s:s,s:s}}", "next", "after", next,
							     "link", link));
	}
	sim_resp_json(resp, 200, out);
}

static void create_record(struct sim_side *s, struct hs_objtype *ot, json_t *body,
			  struct sim_resp *resp)
{
	json_t *norm, *err = NULL, *assocs = json_object_get(body, "associations");
	struct hs_record *r;
	int status;

	status = hs_write_check(s, ot, NULL, json_object_get(body, "properties"), true, NULL, &norm, &err);
	if (!status && assocs)
		status = hs_assoc_apply_inputs(s, ot, NULL, assocs, &err);
	if (status) {
		json_decref(norm);
		sim_resp_json(resp, status, err);
		return;
	}
	r = hs_rec_new(ot, 0, sim_now_ms());
	if (!r) {
		json_decref(norm);
		hs_error(resp, 500, "INTERNAL_ERROR", "out of memory");
		return;
	}
	hs_rec_apply(ot, r, norm, r->created);
	if (assocs)
		hs_assoc_apply_inputs(s, ot, r, assocs, &err);
	json_decref(norm);
	sim_resp_json(resp, 201, hs_rec_json(s, ot, r, NULL, -1, NULL, 0));
}

static void update_record(struct sim_side *s, struct hs_objtype *ot, struct hs_record *r,
			  json_t *body, struct sim_resp *resp)
{
	json_t *norm, *err = NULL;
	int status;

	status = hs_write_check(s, ot, r, json_object_get(body, "properties"), false, NULL, &norm, &err);
	if (status) {
		sim_resp_json(resp, status, err);
		return;
	}
	hs_rec_apply(ot, r, norm, sim_now_ms());
	json_decref(norm);
	sim_resp_json(resp, 200, hs_rec_json(s, ot, r, NULL, -1, NULL, 0));
}

void hs_objects_api(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
		    const char *rest, struct sim_resp *resp)
{
	const char *m = req->method;
	struct hs_record *r;
	json_t *body;

	if (!strncmp(rest, "batch/", 6)) {
		hs_label(resp, req, "/crm/v3/objects/%s/%s", ot->name, rest);
		hs_batch_api(s, req, ot, rest + 6, resp);
		return;
	}
	hs_label(resp, req, "/crm/v3/objects/%s%s", ot->name, rest[0] ? "/{id}" : "");
	if (!rest[0]) {
		if (!strcmp(m, "GET")) {
			list_records(s, req, ot, resp);
		} else if (!strcmp(m, "POST")) {
			if ((body = hs_parse_body(req, resp))) {
				create_record(s, ot, body, resp);
				json_decref(body);
			}
		} else {
			hs_error(resp, 405, "VALIDATION_ERROR", "HTTP method %s is not supported here", m);
		}
		return;
	}
	if (strchr(rest, '/')) {
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "No resource at %s", req->path);
		return;
	}
	r = hs_rec_lookup(ot, rest, sim_req_arg(req, "idProperty"));
	if (!strcmp(m, "DELETE")) {
		if (r)
			hs_rec_archive(ot, r, sim_now_ms());
		sim_resp_json(resp, 204, NULL);
		return;
	}
	if (r && r->archived_at && !(!strcmp(m, "GET") && sim_req_arg(req, "archived") &&
				     !strcmp(sim_req_arg(req, "archived"), "true")))
		r = NULL;
	if (!strcmp(m, "GET")) {
		char buf[4096], abuf[512];
		const char *props[MAX_PROPS], *assoc[HS_NTYPES];
		int np = collect_list(req, "properties", buf, sizeof(buf), props, MAX_PROPS);
		int na = collect_list(req, "associations", abuf, sizeof(abuf), assoc, HS_NTYPES);

		if (!r)
			not_found(resp, rest);
		else
			sim_resp_json(resp, 200, hs_rec_json(s, ot, r, np ? props : NULL, np, assoc, na));
	} else if (!strcmp(m, "PATCH")) {
		if (!(body = hs_parse_body(req, resp)))
			return;
		if (!r)
			not_found(resp, rest);
		else
			update_record(s, ot, r, body, resp);
		json_decref(body);
	} else {
		hs_error(resp, 405, "VALIDATION_ERROR", "HTTP method %s is not supported here", m);
	}
}

/* ---- admin: edit as a user would --------------------------------------------- */

void hs_admin_records(struct sim_side *s, const char *method, const char *object,
		      const char *id, json_t *body, struct sim_resp *resp)
{
	struct hs_objtype *ot = hs_type_find(s, object);
	struct hs_record *r;
	json_t *in;

	snprintf(resp->endpoint, sizeof(resp->endpoint), "admin records");
	if (!ot) {
		sim_resp_json(resp, 404, json_pack("{s:s}", "error", "unknown object type"));
		return;
	}
	in = json_object_get(body, "properties") ? body : NULL;
	if (!strcmp(method, "POST") && !id) {
		if (!in) {
			sim_resp_json(resp, 400, json_pack("{s:s}", "error", "body must be {\"properties\":{...}}"));
			return;
		}
		create_record(s, ot, in, resp);
		return;
	}
	r = id ? hs_rec_lookup(ot, id, NULL) : NULL;
	if (!r || r->archived_at) {
		sim_resp_json(resp, 404, json_pack("{s:s}", "error", "no such live record"));
		return;
	}
	if (!strcmp(method, "PATCH") && in) {
		update_record(s, ot, r, in, resp);
	} else if (!strcmp(method, "DELETE")) {
		hs_rec_archive(ot, r, sim_now_ms());
		sim_resp_json(resp, 204, NULL);
	} else {
		sim_resp_json(resp, 400, json_pack("{s:s}", "error",
			"use POST records/{object}, PATCH or DELETE records/{object}/{id} with {\"properties\":{...}}"));
	}
}
