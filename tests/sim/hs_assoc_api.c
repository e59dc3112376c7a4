/*
 * HubSpot side of crmsync-sim: the Associations v4 endpoints —
 * /crm/v4/associations/{from}/{to}/batch/{create,associate/default,read,
 * archive,labels/archive}, /labels, and the per-record
 * /crm/v4/objects/{from}/{id}/associations/... calls. Storage and the
 * per-record limit are in hs_assoc.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

#define ASSOC_READ_MAX 1000

static json_t *batch_out(json_t *results, json_t *errors)
{
	char now[32];
	json_t *b;

	hs_iso(sim_now_ms(), now);
	b = json_pack("{s:s,s:o,s:s,s:s}", "status", "COMPLETE", "results", results,
		      "startedAt", now, "completedAt", now);
	if (json_array_size(errors)) {
		json_object_set_new(b, "numErrors", json_integer((json_int_t)json_array_size(errors)));
		json_object_set(b, "errors", errors);
	}
	json_decref(errors);
	return b;
}

static json_t *types_json(const struct hs_link *l, bool primary_label(enum hs_type, int),
			  enum hs_type from)
{
	json_t *arr = json_array();

	for (int k = 0; k < l->ntypes; k++) {
		bool prim = primary_label(from, l->types[k]);

		json_t *t = json_pack("{s:s,s:i}", "category", "HUBSPOT_DEFINED", "typeId", l->types[k]);

		if (prim) /* unlabelled types carry no label */
			json_object_set_new(t, "label", json_string("Primary"));
		json_array_append_new(arr, t);
	}
	return arr;
}

static bool is_primary(enum hs_type from, int type)
{
	(void)from;
	return type >= 1 && type <= 6;
}

static long long id_num(const char *id)
{
	return id ? strtoll(id, NULL, 10) : 0;
}

static json_t *not_found_err(struct hs_objtype *ot, const char *id)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s %s does not exist", ot->upper, id ? id : "(none)");
	return hs_std_error("OBJECT_NOT_FOUND", msg, json_pack("{s:[s]}", "ids", id ? id : ""));
}

/* Create associations of the given type ids (or the default one when types is NULL). */
static void create_batch(struct sim_side *s, struct hs_objtype *fot, struct hs_objtype *tot,
			 json_t *inputs, bool deflt, struct sim_resp *resp)
{
	json_t *results = json_array(), *errors = json_array(), *in;
	size_t i;
	bool limit_hit = false;

	json_array_foreach(inputs, i, in) {
		const char *fid = json_string_value(json_object_get(json_object_get(in, "from"), "id"));
		const char *tid = json_string_value(json_object_get(json_object_get(in, "to"), "id"));
		struct hs_record *from = hs_rec_lookup(fot, fid, NULL), *to = hs_rec_lookup(tot, tid, NULL);
		json_t *types = json_object_get(in, "types"), *t;
		int dtype = hs_assoc_default_type(fot->t, tot->t);
		size_t k;

		if (!from || from->archived_at || !to || to->archived_at) {
			json_array_append_new(errors, !from || from->archived_at ?
					      not_found_err(fot, fid) : not_found_err(tot, tid));
			continue;
		}
		if (deflt) {
			int err = hs_assoc_add(s, fot, from, tot, to, dtype);

			if (err == -ENOSPC) {
				char msg[200];

				limit_hit = true;
				snprintf(msg, sizeof(msg),
					 "Failed to create associations: the limit of %d associations per record was reached",
					 s->assoc_limit);
				json_array_append_new(errors, hs_std_error("VALIDATION_ERROR", msg,
					json_pack("{s:[s]}", "fromObjectId", fid)));
				continue;
			}
			json_array_append_new(results, json_pack("{s:{s:s},s:{s:s},s:{s:s,s:i}}",
				"from", "id", fid, "to", "id", tid, "associationSpec",
				"associationCategory", "HUBSPOT_DEFINED", "associationTypeId", dtype));
			continue;
		}
		json_t *labels = json_array();
		bool failed = false;

		json_array_foreach(types, k, t) {
			int type = (int)json_integer_value(json_object_get(t, "associationTypeId"));
			int err = hs_assoc_add(s, fot, from, tot, to, type);
			char msg[200];

			if (err == -EINVAL) {
				snprintf(msg, sizeof(msg), "%d is not a valid association type between %s and %s",
					 type, fot->singular, tot->singular);
				json_array_append_new(errors, hs_std_error("VALIDATION_ERROR", msg, NULL));
				failed = true;
				break;
			}
			if (err == -ENOSPC) {
				snprintf(msg, sizeof(msg),
					 "Failed to create associations: the limit of %d associations per record was reached",
					 s->assoc_limit);
				json_array_append_new(errors, hs_std_error("VALIDATION_ERROR", msg,
					json_pack("{s:[s]}", "fromObjectId", fid)));
				limit_hit = failed = true;
				break;
			}
			if (is_primary(fot->t, type))
				json_array_append_new(labels, json_string("Primary"));
		}
		if (failed) {
			json_decref(labels);
			continue;
		}
		json_array_append_new(results, json_pack("{s:s,s:I,s:s,s:I,s:o}",
			"fromObjectTypeId", fot->type_id, "fromObjectId", (json_int_t)id_num(fid),
			"toObjectTypeId", tot->type_id, "toObjectId", (json_int_t)id_num(tid),
			"labels", labels));
	}
	if (json_array_size(errors) && !json_array_size(results) && json_array_size(inputs) == 1) {
		/* a single failing input: answer with the plain error */
		json_t *e = json_array_get(errors, 0);
		json_t *b = hs_err_body(json_string_value(json_object_get(e, "category")), "%s",
					json_string_value(json_object_get(e, "message")));

		if (limit_hit)
			json_object_set_new(b, "subCategory", json_string("crm.associations.TOO_MANY_ASSOCIATIONS"));
		json_decref(results);
		json_decref(errors);
		sim_resp_json(resp, 400, b);
		return;
	}
	sim_resp_json(resp, json_array_size(errors) ? 207 : deflt ? 200 : 201,
		      batch_out(results, errors));
}

static void read_batch(struct sim_side *s, struct hs_objtype *fot, struct hs_objtype *tot,
		       json_t *inputs, struct sim_resp *resp)
{
	json_t *results = json_array(), *errors = json_array(), *in;
	size_t i;

	(void)s;
	json_array_foreach(inputs, i, in) {
		const char *fid = json_string_value(json_object_get(in, "id"));
		struct hs_record *from = hs_rec_lookup(fot, fid, NULL);
		json_t *to = json_array();

		if (!from || from->archived_at) {
			json_decref(to);
			json_array_append_new(errors, not_found_err(fot, fid));
			continue;
		}
		for (uint32_t k = 0; k < from->nlinks; k++)
			if (from->links[k].to_type == tot->t)
				json_array_append_new(to, json_pack("{s:I,s:o}", "toObjectId",
					(json_int_t)from->links[k].to_id, "associationTypes",
					types_json(&from->links[k], is_primary, fot->t)));
		if (!json_array_size(to)) {
			char msg[160];
			json_t *e;

			json_decref(to);
			snprintf(msg, sizeof(msg), "No %s is associated with %s %s.", tot->singular,
				 fot->singular, fid);
			e = hs_std_error("OBJECT_NOT_FOUND", msg, json_pack("{s:[s]}", "fromObjectId", fid));
			json_object_set_new(e, "subCategory", json_string("crm.associations.NO_ASSOCIATIONS_FOUND"));
			json_array_append_new(errors, e);
			continue;
		}
		json_array_append_new(results, json_pack("{s:{s:s},s:o}", "from", "id", fid, "to", to));
	}
	sim_resp_json(resp, json_array_size(errors) ? 207 : 200, batch_out(results, errors));
}

static void archive_batch(struct sim_side *s, struct hs_objtype *fot, struct hs_objtype *tot,
			  json_t *inputs, bool labels_only, struct sim_resp *resp)
{
	json_t *in, *t;
	size_t i, k;

	json_array_foreach(inputs, i, in) {
		struct hs_record *from = hs_rec_lookup(fot,
			json_string_value(json_object_get(json_object_get(in, "from"), "id")), NULL);
		json_t *to = json_object_get(in, "to");

		if (!from)
			continue;
		if (labels_only) {
			struct hs_record *tr = hs_rec_lookup(tot, json_string_value(json_object_get(to, "id")), NULL);

			json_array_foreach(json_object_get(in, "types"), k, t) {
				int type = (int)json_integer_value(json_object_get(t, "associationTypeId"));

				if (tr && type != hs_assoc_default_type(fot->t, tot->t)) {
					/* dropping a label keeps the unlabelled association */
					hs_assoc_remove(s, fot, from, tot, tr->id);
					hs_assoc_add(s, fot, from, tot, tr, hs_assoc_default_type(fot->t, tot->t));
				}
			}
			continue;
		}
		json_array_foreach(to, k, t) {
			const char *tid = json_string_value(json_object_get(t, "id"));

			if (tid)
				hs_assoc_remove(s, fot, from, tot, strtoull(tid, NULL, 10));
		}
	}
	sim_resp_json(resp, 204, NULL);
}

static void labels(struct hs_objtype *fot, struct hs_objtype *tot, struct sim_resp *resp)
{
	json_t *res = json_array();
	int d = hs_assoc_default_type(fot->t, tot->t);

	if (d)
		json_array_append_new(res, json_pack("{s:s,s:i}", "category", "HUBSPOT_DEFINED",
						     "typeId", d));
	if ((fot->t == HS_CONTACTS && tot->t == HS_COMPANIES) || (fot->t == HS_DEALS && tot->t == HS_COMPANIES) ||
	    (fot->t == HS_COMPANIES && (tot->t == HS_CONTACTS || tot->t == HS_DEALS))) {
		int p = fot->t == HS_CONTACTS ? 1 : fot->t == HS_DEALS ? 5 : tot->t == HS_CONTACTS ? 2 : 6;

		json_array_append_new(res, json_pack("{s:s,s:i,s:s}", "category", "HUBSPOT_DEFINED",
						     "typeId", p, "label", "Primary"));
	}
	sim_resp_json(resp, 200, json_pack("{s:o}", "results", res));
}

void hs_assoc_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		  struct sim_resp *resp)
{
	char from[64], to[64], op[64];
	struct hs_objtype *fot, *tot;
	json_t *body, *inputs;

	from[0] = to[0] = op[0] = '\0';
	sscanf(rest, "%63[^/]/%63[^/]/%63s", from, to, op);
	hs_label(resp, req, "/crm/v4/associations/{from}/{to}/%s", op);
	fot = hs_type_find(s, from);
	tot = hs_type_find(s, to);
	if (!fot || !tot) {
		hs_error(resp, 400, "VALIDATION_ERROR", "Unable to infer object type from: %s",
			 fot ? to : from);
		return;
	}
	if (!strcmp(op, "labels") && !strcmp(req->method, "GET")) {
		labels(fot, tot, resp);
		return;
	}
	if (strcmp(req->method, "POST") || strncmp(op, "batch/", 6)) {
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "No resource for %s %s", req->method, req->path);
		return;
	}
	if (!(body = hs_parse_body(req, resp)))
		return;
	inputs = json_object_get(body, "inputs");
	if (!json_is_array(inputs))
		hs_error(resp, 400, "VALIDATION_ERROR", "Invalid input JSON: Some required fields were not set: [inputs]");
	else if (json_array_size(inputs) > (strcmp(op, "batch/read") ? (size_t)HS_BATCH_MAX * 10 : ASSOC_READ_MAX))
		hs_error(resp, 400, "VALIDATION_ERROR", "Too many inputs in the batch: %zu. The maximum is %d.",
			 json_array_size(inputs), strcmp(op, "batch/read") ? HS_BATCH_MAX * 10 : ASSOC_READ_MAX);
	else if (!strcmp(op, "batch/create"))
		create_batch(s, fot, tot, inputs, false, resp);
	else if (!strcmp(op, "batch/associate/default"))
		create_batch(s, fot, tot, inputs, true, resp);
	else if (!strcmp(op, "batch/read"))
		read_batch(s, fot, tot, inputs, resp);
	else if (!strcmp(op, "batch/archive"))
		archive_batch(s, fot, tot, inputs, false, resp);
	else if (!strcmp(op, "batch/labels/archive"))
		archive_batch(s, fot, tot, inputs, true, resp);
	else
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "No resource for %s %s", req->method, req->path);
	json_decref(body);
}

/* /crm/v4/objects/{from}/{id}/associations/{to}[/{toId}] and .../default/{to}/{toId} */
void hs_assoc_objects_api(struct sim_side *s, const struct sim_req *req, const char *rest,
			  struct sim_resp *resp)
{
	char from[64], fid[32], a[32], x[64], y[64], z[64];
	struct hs_objtype *fot, *tot;
	struct hs_record *fr, *tr;
	int n;

	x[0] = y[0] = z[0] = '\0';
	n = sscanf(rest, "%63[^/]/%31[^/]/%31[^/]/%63[^/]/%63[^/]/%63s", from, fid, a, x, y, z);
	bool deflt = n >= 6 && !strcmp(x, "default");
	const char *to = deflt ? y : x, *tid = deflt ? z : y;

	hs_label(resp, req, "/crm/v4/objects/{from}/{id}/associations/%s{to}%s",
		 deflt ? "default/" : "", tid[0] ? "/{toId}" : "");
	fot = hs_type_find(s, from);
	tot = hs_type_find(s, to);
	if (n < 4 || strcmp(a, "associations") || !fot || !tot) {
		hs_error(resp, 400, "VALIDATION_ERROR", "Unable to infer object type from: %s", n >= 4 ? to : rest);
		return;
	}
	fr = hs_rec_lookup(fot, fid, NULL);
	if (!fr || fr->archived_at) {
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "%s %s does not exist", fot->upper, fid);
		return;
	}
	if (!strcmp(req->method, "GET") && !tid[0]) {
		json_t *res = json_array();

		for (uint32_t k = 0; k < fr->nlinks; k++)
			if (fr->links[k].to_type == tot->t)
				json_array_append_new(res, json_pack("{s:I,s:o}", "toObjectId",
					(json_int_t)fr->links[k].to_id, "associationTypes",
					types_json(&fr->links[k], is_primary, fot->t)));
		sim_resp_json(resp, 200, json_pack("{s:o}", "results", res));
		return;
	}
	tr = hs_rec_lookup(tot, tid, NULL);
	if (!strcmp(req->method, "DELETE")) {
		hs_assoc_remove(s, fot, fr, tot, tr ? tr->id : 0);
		sim_resp_json(resp, 204, NULL);
		return;
	}
	if (strcmp(req->method, "PUT")) {
		hs_error(resp, 405, "VALIDATION_ERROR", "HTTP method %s is not supported here", req->method);
		return;
	}
	if (!tr || tr->archived_at) {
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "%s %s does not exist", tot->upper, tid);
		return;
	}
	json_t *in = json_pack("[{s:{s:s},s:{s:s}}]", "from", "id", fid, "to", "id", tid);

	if (deflt) {
		create_batch(s, fot, tot, in, true, resp);
	} else {
		json_error_t jerr;
		json_t *types = req->body_len ? json_loadb(req->body, req->body_len, 0, &jerr) : NULL;

		if (!json_is_array(types)) {
			json_decref(types);
			json_decref(in);
			hs_error(resp, 400, "VALIDATION_ERROR", "Body must be an array of association types");
			return;
		}
		json_object_set_new(json_array_get(in, 0), "types", types);
		create_batch(s, fot, tot, in, false, resp);
		if (resp->status == 201 || resp->status == 200) {
			json_t *b = json_loadb(resp->body, resp->body_len, 0, &jerr);

			resp->status = 0;
			sim_resp_json(resp, 200, json_incref(json_array_get(json_object_get(b, "results"), 0)));
			json_decref(b);
		}
	}
	json_decref(in);
}
