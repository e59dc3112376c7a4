/*
 * HubSpot side of crmsync-sim: batch endpoints of the Objects API
 * (/crm/v3/objects/{objectType}/batch/{read,create,update,upsert,archive}).
 * At most 100 inputs. Writes are checked in full before anything is applied:
 * without objectWriteTraceId one bad input fails the whole batch with its
 * error; with it, good inputs are applied and the answer is 207 with one
 * error per bad input.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

enum bop { B_READ, B_CREATE, B_UPDATE, B_UPSERT, B_ARCHIVE };

struct plan {
	struct hs_record *target;       /* NULL: create */
	json_t *norm;                   /* owned */
	json_t *in;                     /* borrowed input */
	const char *trace;
	int status;                     /* 0 = fine */
	json_t *err;                    /* owned error body */
};

static json_t *batch_body(json_t *results, json_t *errors)
{
	char now[32];
	json_t *b;

	hs_iso(sim_now_ms(), now);
	b = json_pack("{s:s,s:o,s:s,s:s,s:s}", "status", "COMPLETE", "results", results,
		      "requestedAt", now, "startedAt", now, "completedAt", now);
	if (errors && json_array_size(errors)) {
		json_object_set_new(b, "numErrors", json_integer((json_int_t)json_array_size(errors)));
		json_object_set(b, "errors", errors);
	}
	json_decref(errors);
	return b;
}

/* A StandardError from a full error body, with the input's trace id. */
static json_t *to_std_error(json_t *err, const char *trace)
{
	json_t *ctx = json_object(), *e, *details = json_object_get(err, "errors");

	if (trace)
		json_object_set_new(ctx, "objectWriteTraceId", json_pack("[s]", trace));
	e = hs_std_error(json_string_value(json_object_get(err, "category")),
			 json_string_value(json_object_get(err, "message")), ctx);
	if (json_is_array(details))
		json_object_set(e, "errors", details);
	return e;
}

static void batch_read(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
		       json_t *body, json_t *inputs, struct sim_resp *resp)
{
	const char *idprop = json_string_value(json_object_get(body, "idProperty"));
	const char *arch = sim_req_arg(req, "archived");
	bool want_archived = arch && !strcmp(arch, "true");
	json_t *jp = json_object_get(body, "properties"), *jh = json_object_get(body, "propertiesWithHistory");
	const char *props[256];
	json_t *results = json_array(), *missing = json_array(), *in, *v;
	size_t i;
	int np = 0;

	if (json_array_size(jh) && json_array_size(inputs) > 50) {
		json_decref(results);
		json_decref(missing);
		hs_error(resp, 400, "VALIDATION_ERROR",
			 "The maximum number of inputs supported in a batch request for property histories is 50. Please reduce the number of items and try again");
		return;
	}
	json_array_foreach(jp, i, v)
		if (json_string_value(v) && np < 256)
			props[np++] = json_string_value(v);
	json_array_foreach(inputs, i, in) {
		const char *id = json_string_value(json_object_get(in, "id"));
		struct hs_record *r = hs_rec_lookup(ot, id, idprop);

		if (r && (r->archived_at != 0) == want_archived) {
			json_t *o = hs_rec_json(s, ot, r, json_is_array(jp) ? props : NULL,
						json_is_array(jp) ? np : 0, NULL, 0);
			size_t k;
			json_t *hp;

			if (json_array_size(jh)) {
				json_t *hist = json_object();

				json_array_foreach(jh, k, hp) {
					const char *pn = json_string_value(hp);
					json_t *cur = pn ? json_object_get(r->props, pn) : NULL;
					char ts[32];

					if (!cur)
						continue;
					hs_iso(r->updated, ts);
					json_object_set_new(hist, pn, json_pack("[{s:O,s:s,s:s}]", "value", cur,
						"timestamp", ts, "sourceType", "API"));
				}
				json_object_set_new(o, "propertiesWithHistory", hist);
			}
			json_array_append_new(results, o);
		} else {
			json_array_append_new(missing, json_string(id ? id : ""));
		}
	}
	if (json_array_size(missing)) {
		char msg[160];
		json_t *errors = json_array();

		snprintf(msg, sizeof(msg),
			 "Could not get some %s objects, they may be deleted or not exist. Check that ids are valid.",
			 ot->upper);
		json_array_append_new(errors, hs_std_error("OBJECT_NOT_FOUND", msg,
							   json_pack("{s:o}", "ids", missing)));
		sim_resp_json(resp, 207, batch_body(results, errors));
		return;
	}
	json_decref(missing);
	sim_resp_json(resp, 200, batch_body(results, NULL));
}

static void batch_archive(struct hs_objtype *ot, json_t *inputs, struct sim_resp *resp)
{
	int64_t now = sim_now_ms();
	size_t i;
	json_t *in;

	json_array_foreach(inputs, i, in) {
		struct hs_record *r = hs_rec_lookup(ot, json_string_value(json_object_get(in, "id")), NULL);

		if (r)
			hs_rec_archive(ot, r, now);
	}
	sim_resp_json(resp, 204, NULL);
}

/* Decide what one write input will do; fills p->status/err on failure. */
static void plan_input(struct sim_side *s, struct hs_objtype *ot, enum bop op, json_t *in,
		       struct hs_strmap *seen, struct plan *p)
{
	json_t *props = json_object_get(in, "properties");
	const char *id = json_string_value(json_object_get(in, "id"));
	const char *idprop = json_string_value(json_object_get(in, "idProperty"));

	p->in = in;
	p->trace = json_string_value(json_object_get(in, "objectWriteTraceId"));
	if (!json_is_object(in)) {
		p->status = 400;
		p->err = hs_err_body("VALIDATION_ERROR", "Invalid input JSON: each input must be an object");
		return;
	}
	if (op == B_UPDATE) {
		p->target = hs_rec_lookup(ot, id, idprop);
		if (!p->target || p->target->archived_at) {
			p->status = 404;
			p->err = hs_err_body("OBJECT_NOT_FOUND", "Could not find %s with id %s",
					     ot->upper, id ? id : "(none)");
			json_object_set_new(p->err, "context", json_pack("{s:[s]}", "ids", id ? id : ""));
			return;
		}
	} else if (op == B_UPSERT) {
		if (!idprop || !id || !hs_prop_unique(ot, idprop)) {
			p->status = 400;
			p->err = hs_err_body("VALIDATION_ERROR",
					     "Upsert needs 'id' and an 'idProperty' that has unique values (got '%s')",
					     idprop ? idprop : "");
			return;
		}
		p->target = hs_rec_lookup(ot, id, idprop);
		if (p->target && p->target->archived_at)
			p->target = NULL;
		props = props ? json_deep_copy(props) : json_object();
		json_object_set_new(props, idprop, json_string(id));
		p->status = hs_write_check(s, ot, p->target, props, !p->target, seen, &p->norm, &p->err);
		json_decref(props);
		goto out_note;
	}
	p->status = hs_write_check(s, ot, p->target, props, op == B_CREATE, seen, &p->norm, &p->err);
	if (!p->status && op == B_CREATE && json_object_get(in, "associations"))
		p->status = hs_assoc_apply_inputs(s, ot, NULL, json_object_get(in, "associations"), &p->err);
out_note:
	if (!p->status)
		hs_batch_note_unique(ot, p->norm, seen);
}

static void batch_write(struct sim_side *s, struct hs_objtype *ot, enum bop op, json_t *inputs,
			struct sim_resp *resp)
{
	size_t n = json_array_size(inputs), i;
	struct plan *plans = calloc(n ? n : 1, sizeof(*plans));
	struct hs_strmap seen = { 0 };
	json_t *results, *errors;
	bool multi = false;
	int first_bad = -1;
	int64_t now = sim_now_ms();

	if (!plans) {
		hs_error(resp, 500, "INTERNAL_ERROR", "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		plan_input(s, ot, op, json_array_get(inputs, i), &seen, &plans[i]);
		if (plans[i].trace)
			multi = true;
		if (plans[i].status && first_bad < 0)
			first_bad = (int)i;
	}
	if (first_bad >= 0 && !multi) {
		sim_resp_json(resp, plans[first_bad].status, json_incref(plans[first_bad].err));
		goto out_free;
	}
	results = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		struct plan *p = &plans[i];
		bool created = false;
		json_t *o;

		if (p->status) {
			json_array_append_new(errors, to_std_error(p->err, p->trace));
			continue;
		}
		if (!p->target) {
			p->target = hs_rec_new(ot, 0, now);
			if (!p->target)
				continue;
			created = true;
		}
		hs_rec_apply(ot, p->target, p->norm, now);
		if (created && op == B_CREATE && json_object_get(p->in, "associations")) {
			json_t *aerr = NULL;

			hs_assoc_apply_inputs(s, ot, p->target, json_object_get(p->in, "associations"), &aerr);
			json_decref(aerr);
		}
		o = hs_rec_json_written(s, ot, p->target, p->norm);
		if (op == B_UPSERT)
			json_object_set_new(o, "new", json_boolean(created));
		if (p->trace)
			json_object_set_new(o, "objectWriteTraceId", json_string(p->trace));
		json_array_append_new(results, o);
	}
	if (json_array_size(errors))
		sim_resp_json(resp, 207, batch_body(results, errors));
	else
		sim_resp_json(resp, op == B_CREATE ? 201 : 200, batch_body(results, errors));
out_free:
	for (i = 0; i < n; i++) {
		json_decref(plans[i].norm);
		json_decref(plans[i].err);
	}
	free(plans);
	hs_strmap_free(&seen);
}

void hs_batch_api(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
		  const char *op, struct sim_resp *resp)
{
	static const char *const names[] = { "read", "create", "update", "upsert", "archive" };
	json_t *body, *inputs;
	int k;

	for (k = 0; k < 5; k++)
		if (!strcmp(op, names[k]))
			break;
	if (k == 5 || strcmp(req->method, "POST")) {
		hs_error(resp, k == 5 ? 404 : 405, k == 5 ? "OBJECT_NOT_FOUND" : "VALIDATION_ERROR",
			 "No resource for %s %s", req->method, req->path);
		return;
	}
	if (!(body = hs_parse_body(req, resp)))
		return;
	inputs = json_object_get(body, "inputs");
	if (!json_is_array(inputs)) {
		hs_error(resp, 400, "VALIDATION_ERROR",
			 "Invalid input JSON on line 1, column 1: Some required fields were not set: [inputs]");
	} else if (json_array_size(inputs) > HS_BATCH_MAX) {
		hs_error(resp, 400, "VALIDATION_ERROR",
			 "Too many inputs in the batch: %zu. The maximum number of inputs per batch is %d.",
			 json_array_size(inputs), HS_BATCH_MAX);
	} else if (k == B_READ) {
		batch_read(s, req, ot, body, inputs, resp);
	} else if (k == B_ARCHIVE) {
		batch_archive(ot, inputs, resp);
	} else {
		batch_write(s, ot, (enum bop)k, inputs, resp);
	}
	json_decref(body);
}
