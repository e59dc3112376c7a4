/*
 * crmsync-sim, Salesforce side: admin endpoints (dump, records as a UI user,
 * config, limits, lead conversion, session control) and persistence of the
 * whole state as JSON. Admin edits run the org's rules but bypass FLS.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

static void sf_admin_err(struct sim_resp *resp, int status, const char *msg)
{
	sim_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

void sf_admin_dump(struct sim_side *s, const char *object, struct sim_resp *resp)
{
	struct sf_object *o = sf_object_find(s, object);
	json_t *arr;

	snprintf(resp->endpoint, sizeof(resp->endpoint), "GET /__admin/dump");
	if (!o) {
		sf_admin_err(resp, 404, "unknown object");
		return;
	}
	arr = json_array();
	for (size_t i = 0; i < o->nrecs; i++)
		json_array_append_new(arr, sf_rec_json(s, o->recs[i], NULL));
	sim_resp_json(resp, 200, arr);
}

void sf_admin_records(struct sim_side *s, const char *method, const char *object,
		      const char *id, json_t *body, struct sim_resp *resp)
{
	struct sf_object *o = sf_object_find(s, object);
	struct sf_rec *r = NULL;
	struct sf_err e = {0};
	int rc;

	snprintf(resp->endpoint, sizeof(resp->endpoint), "%s /__admin/records", method);
	if (!o) {
		sf_admin_err(resp, 404, "unknown object");
		return;
	}
	if (id && (!(r = sf_rec_get(s, id)) || r->obj != o)) {
		sf_admin_err(resp, 404, "no such record");
		return;
	}
	if (strcmp(method, "DELETE") == 0 && r) {
		rc = sf_rec_delete(s, r, SF_W_ADMIN, &e);
	} else if (strcmp(method, "POST") == 0 && r && json_is_true(json_object_get(body, "convert"))) {
		rc = sf_lead_convert(s, r, body, &e);
	} else if ((strcmp(method, "POST") == 0 && !r) || (strcmp(method, "PATCH") == 0 && r)) {
		unsigned wf = SF_W_ADMIN;
		if (json_is_true(json_object_get(body, "allowSave")) || json_object_get(body, "allowSave")) {
			json_object_del(body, "allowSave");
			wf |= SF_W_ALLOWSAVE;
		}
		rc = sf_rec_write(s, o, r, body ? body : json_object(), wf, &r, &e);
	} else if (strcmp(method, "GET") == 0 && r) {
		sim_resp_json(resp, 200, sf_rec_json(s, r, NULL));
		return;
	} else {
		sf_admin_err(resp, 405, "use POST (create), PATCH/DELETE/GET with an id, or POST "
			     "{\"convert\":true} on a Lead");
		return;
	}
	if (rc < 0) {
		sim_resp_json(resp, e.status ? e.status : 400, sf_err_rest(&e));
		sf_err_clear(&e);
		return;
	}
	if (strcmp(method, "DELETE") == 0)
		sim_resp_json(resp, 200, json_pack("{s:s, s:b}", "id", r->id, "deleted", 1));
	else
		sim_resp_json(resp, strcmp(method, "POST") == 0 && !id ? 201 : 200, sf_rec_json(s, r, NULL));
}

static json_t *sf_limits_json(struct sim_side *s)
{
	return json_pack("{s:I, s:I}", "used", (json_int_t)s->api_used, "max", (json_int_t)s->api_max);
}

int sf_admin_other(struct sim_side *s, const struct sim_req *req, const char *what,
		   struct sim_resp *resp)
{
	json_t *body = NULL;
	bool write = strcmp(req->method, "GET") != 0;

	if (strcmp(what, "config") && strcmp(what, "limits") && strcmp(what, "convert") &&
	    strcmp(what, "auth"))
		return -ENOENT;
	snprintf(resp->endpoint, sizeof(resp->endpoint), "%s /__admin/%s", req->method, what);
	if (write && req->body_len) {
		body = json_loadb(req->body, req->body_len, 0, NULL);
		if (!json_is_object(body)) {
			json_decref(body);
			sf_admin_err(resp, 400, "body must be a JSON object");
			return 0;
		}
	}
	if (strcmp(what, "config") == 0) {
		if (write && body) {
			json_object_del(body, "custom_fields");
			sf_config_merge(s->config, body);
			if (json_object_get(body, "users"))
				sf_users_init(s);
			sf_schema_apply_perms(s);
		}
		sim_resp_json(resp, 200, json_incref(s->config));
	} else if (strcmp(what, "limits") == 0) {
		json_t *v;
		if ((v = json_object_get(body, "used")) && json_is_integer(v))
			s->api_used = (long)json_integer_value(v);
		if ((v = json_object_get(body, "max")) && json_is_integer(v))
			s->api_max = (long)json_integer_value(v);
		sim_resp_json(resp, 200, sf_limits_json(s));
	} else if (strcmp(what, "convert") == 0) {
		const char *id = json_string_value(json_object_get(body, "leadId"));
		struct sf_rec *r = id ? sf_rec_get(s, id) : NULL;
		struct sf_err e = {0};
		if (!write || !r) {
			sf_admin_err(resp, 400, "POST {\"leadId\": ..., [\"accountId\"], [\"contactId\"]}");
		} else if (sf_lead_convert(s, r, body, &e) < 0) {
			sim_resp_json(resp, 400, sf_err_rest(&e));
			sf_err_clear(&e);
		} else {
			sim_resp_json(resp, 200, sf_rec_json(s, r, NULL));
		}
	} else {
		/* auth: {"revoke_refresh_token": bool, "expire_tokens": true,
		 * "approve_user": NAME, "rotate_refresh_tokens": bool,
		 * "revoke_user": NAME, "jwt_public_key": PEM} */
		json_t *out;

		if (json_is_boolean(json_object_get(body, "revoke_refresh_token")))
			s->refresh_revoked = json_is_true(json_object_get(body, "revoke_refresh_token"));
		if (json_is_true(json_object_get(body, "expire_tokens")))
			s->ntokens = 0;
		if (body)
			sf_oauth_admin(s, body);
		out = sf_oauth_admin_json(s);
		json_object_set_new(out, "refresh_token_revoked", json_boolean(s->refresh_revoked));
		json_object_set_new(out, "tokens", json_integer((json_int_t)s->ntokens));
		sim_resp_json(resp, 200, out);
	}
	json_decref(body);
	return 0;
}

/* ---- persistence -------------------------------------------------------- */

json_t *sf_save(struct sim_side *s)
{
	json_t *st = json_object(), *objs = json_object();

	for (int i = 0; i < SF_NOBJ; i++) {
		struct sf_object *o = &s->objs[i];
		json_t *arr = json_array();
		for (size_t k = 0; k < o->nrecs; k++) {
			struct sf_rec *r = o->recs[k];
			json_t *e = json_pack("{s:s, s:O, s:I, s:I, s:b, s:I}", "id", r->id, "fields", r->f,
					      "created", (json_int_t)r->created_ms,
					      "modstamp", (json_int_t)r->modstamp_ms, "deleted", r->deleted,
					      "deletedAt", (json_int_t)r->deleted_ms);
			json_array_append_new(arr, e);
		}
		json_object_set_new(objs, o->name, json_pack("{s:I, s:o}", "nextId",
							     (json_int_t)o->next_id, "records", arr));
	}
	json_object_set_new(st, "version", json_integer(1));
	json_object_set(st, "config", s->config);
	json_object_set_new(st, "objects", objs);
	json_object_set_new(st, "lastStamp", json_integer(s->last_stamp));
	json_object_set_new(st, "apiUsed", json_integer(s->api_used));
	json_object_set_new(st, "apiMax", json_integer(s->api_max));
	json_object_set_new(st, "userId", json_string(s->user_id));
	json_object_set_new(st, "adminId", json_string(s->admin_id));
	json_object_set_new(st, "refreshRevoked", json_boolean(s->refresh_revoked));
	json_object_set_new(st, "oauth", sf_oauth_save(s));
	return st;
}

int sf_load(struct sim_side *s, json_t *st)
{
	json_t *objs = json_object_get(st, "objects"), *cfg = json_object_get(st, "config");
	int rc;

	if (json_integer_value(json_object_get(st, "version")) != 1 || !json_is_object(objs) ||
	    !json_is_object(cfg))
		return -EINVAL;
	sf_cursors_free(s);
	sf_bulk_free(s);
	sf_store_free(s);
	sf_schema_free(s);
	json_decref(s->config);
	s->config = json_deep_copy(cfg);
	s->ids = sf_map_new();
	if (!s->config || !s->ids || (rc = sf_schema_build(s)) < 0)
		return -ENOMEM;
	for (int i = 0; i < SF_NOBJ; i++) {
		struct sf_object *o = &s->objs[i];
		json_t *jo = json_object_get(objs, o->name), *e;
		size_t k;
		json_array_foreach(json_object_get(jo, "records"), k, e) {
			const char *id = json_string_value(json_object_get(e, "id"));
			json_t *f = json_deep_copy(json_object_get(e, "fields"));
			struct sf_rec *r;
			if (!id || strlen(id) != 18 || !json_is_object(f)) {
				json_decref(f);
				return -EINVAL;
			}
			r = sf_rec_insert(s, o, f, json_integer_value(json_object_get(e, "created")),
					  json_integer_value(json_object_get(e, "modstamp")));
			if (!r)
				return -ENOMEM;
			/* keep the saved id (insert made a fresh one) */
			sf_index_remove(r);
			sf_map_del(s->ids, r->id);
			memcpy(r->id, id, 19);
			json_object_set_new(r->f, "Id", json_string(id));
			sf_map_put(s->ids, r->id, r);
			r->deleted = json_is_true(json_object_get(e, "deleted"));
			r->deleted_ms = json_integer_value(json_object_get(e, "deletedAt"));
			if (!r->deleted)
				sf_index_add(r);
		}
		o->next_id = (uint64_t)json_integer_value(json_object_get(jo, "nextId"));
	}
	s->last_stamp = json_integer_value(json_object_get(st, "lastStamp"));
	s->api_used = (long)json_integer_value(json_object_get(st, "apiUsed"));
	s->api_max = (long)json_integer_value(json_object_get(st, "apiMax"));
	snprintf(s->user_id, sizeof(s->user_id), "%s",
		 json_string_value(json_object_get(st, "userId")) ? json_string_value(json_object_get(st, "userId")) : "");
	snprintf(s->admin_id, sizeof(s->admin_id), "%s",
		 json_string_value(json_object_get(st, "adminId")) ? json_string_value(json_object_get(st, "adminId")) : "");
	s->refresh_revoked = json_is_true(json_object_get(st, "refreshRevoked"));
	if (sf_users_init(s) < 0)
		return -ENOMEM;
	sf_oauth_load(s, json_object_get(st, "oauth"));
	return 0;
}
