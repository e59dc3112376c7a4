/*
 * crmsync-sim, Salesforce side: sObject Collections (/composite/sobjects):
 * create (POST), update (PATCH), upsert (PATCH /{Obj}/{ExtField}), delete
 * (DELETE ?ids=), retrieve (GET /{Obj}?ids=&fields= or POST /{Obj}). At most
 * 200 records (2000 ids to retrieve); per-record {id, success, errors[]}
 * results; allOrNone rolls every change of the request back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

static json_t *sf_item_err(const char *id, const struct sf_err *e)
{
	json_t *it = json_pack("{s:b, s:[o]}", "success", 0, "errors", sf_err_item(e));
	if (id)
		json_object_set_new(it, "id", json_string(id));
	return it;
}

static json_t *sf_item_ok(const char *id)
{
	return json_pack("{s:s, s:b, s:[]}", "id", id, "success", 1, "errors");
}

static void sf_rolled_back(json_t *results, const bool *failed)
{
	struct sf_err e = {0};
	json_t *it;
	size_t i;

	sf_err_set(&e, 400, "ALL_OR_NONE_OPERATION_ROLLED_BACK", NULL,
		   "Record rolled back because not all records were valid and the request was "
		   "using AllOrNone header");
	json_array_foreach(results, i, it) {
		if (failed[i])
			continue;
		json_t *id = json_object_get(it, "id");
		json_t *nit = sf_item_err(json_string_value(id), &e);
		json_array_set_new(results, i, nit);
	}
	sf_err_clear(&e);
}

static bool sf_bool_arg(json_t *v, const char *s)
{
	if (v)
		return json_is_true(v);
	return s && strcmp(s, "true") == 0;
}

/* Create / update / upsert: one loop with the operation's specifics. */
static void sf_coll_write(struct sim_side *s, const struct sf_call *c, struct sf_object *uobj,
			  const struct sf_field *ext, bool update, struct sf_out *o)
{
	json_t *body = sf_parse_body(c, o), *recs, *results, *rec;
	bool all_or_none, *failed, any_failed = false;
	unsigned wflags = sf_call_wflags(c);
	size_t i, mark;

	if (!body)
		return;
	recs = json_object_get(body, "records");
	if (!json_is_object(body) || !json_is_array(recs)) {
		json_decref(body);
		sf_out_err(o, 400, "JSON_PARSER_ERROR",
			   "The request body must be an object with a 'records' array");
		return;
	}
	if (json_array_size(recs) > SF_COLLECTION_MAX) {
		json_decref(body);
		sf_out_err(o, 400, "EXCEEDED_ID_LIMIT",
			   "record limit reached. cannot submit more than 200 records into this call");
		return;
	}
	all_or_none = json_is_true(json_object_get(body, "allOrNone"));
	failed = calloc(json_array_size(recs) + 1, sizeof(*failed));
	results = json_array();
	if (!failed || !results) {
		free(failed);
		json_decref(results);
		json_decref(body);
		sf_out_err(o, 500, "UNKNOWN_EXCEPTION", "out of memory");
		return;
	}
	mark = sf_txn_begin(s);
	json_array_foreach(recs, i, rec) {
		struct sf_err e = {0};
		struct sf_rec *r = NULL;
		struct sf_object *obj = uobj;
		const char *type = json_string_value(json_object_get(json_object_get(rec, "attributes"), "type"));
		const char *id = json_string_value(json_object_get(rec, "Id"));
		json_t *in = json_is_object(rec) ? json_copy(rec) : NULL;
		int rc = -EINVAL;

		if (!in) {
			sf_err_set(&e, 400, "JSON_PARSER_ERROR", NULL, "each record must be an object");
		} else if (!obj && !(obj = type ? sf_object_find(s, type) : NULL)) {
			sf_err_set(&e, 400, "INVALID_TYPE", NULL, type ?
				   "sObject type '%s' is not supported." :
				   "%sWhen creating or updating sObjects, you must specify the type in "
				   "the attributes", type ? type : "");
		} else if (uobj && type && sf_object_find(s, type) != uobj) {
			sf_err_set(&e, 400, "INVALID_TYPE", NULL,
				   "The sObject type in attributes must match the URL: %s", uobj->name);
		} else if (ext) {
			const struct sf_vec *matches = NULL;
			json_t *kv = json_object_get(in, ext->name);
			char val[512];
			if (json_is_string(kv))
				snprintf(val, sizeof(val), "%s", json_string_value(kv));
			else if (json_is_integer(kv))
				snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(kv));
			else
				val[0] = '\0';
			json_object_del(in, ext->name);
			if (!val[0]) {
				sf_err_set(&e, 400, "MISSING_ARGUMENT", ext->name, "%s not specified",
					   ext->name);
			} else if (json_object_get(in, "Id")) {
				sf_err_set(&e, 400, "INVALID_FIELD", NULL,
					   "The Id field should not be specified in the sobject data.");
			} else {
				json_object_del(in, "attributes");
				rc = sf_upsert_one(s, obj, ext, val, in, wflags, &r, &e, &matches);
				if (rc == -EEXIST) {
					sf_err_set(&e, 300, "DUPLICATE_EXTERNAL_ID", ext->name,
						   "%s: more than one record found for external id field: "
						   "[%s, %s]", ext->name, matches->v[0]->id, matches->v[1]->id);
					rc = -EINVAL;
				}
			}
		} else if (update) {
			if (!id) {
				sf_err_set(&e, 400, "MISSING_ARGUMENT", "Id", "Id not specified in an update call");
			} else if (sf_id_norm(id, (char[19]){0}) < 0) {
				sf_err_set(&e, 400, "MALFORMED_ID", "Id", "Record ID: id value of incorrect type: %.40s", id);
			} else if (!(r = sf_rec_get(s, id)) || r->obj != obj) {
				sf_err_set(&e, 400, "INVALID_CROSS_REFERENCE_KEY", "Id", "invalid cross reference id");
			} else {
				json_object_del(in, "attributes");
				rc = sf_rec_write(s, obj, r, in, wflags, &r, &e);
			}
		} else {
			json_object_del(in, "attributes");
			rc = sf_rec_write(s, obj, NULL, in, wflags, &r, &e);
		}
		json_decref(in);
		if (rc < 0) {
			failed[i] = true;
			any_failed = true;
			json_array_append_new(results, sf_item_err(update && !ext ? id : NULL, &e));
		} else {
			json_t *it = sf_item_ok(r->id);
			if (ext)
				json_object_set_new(it, "created", json_boolean(rc == 1));
			json_array_append_new(results, it);
		}
		sf_err_clear(&e);
	}
	if (all_or_none && any_failed)
		sf_rolled_back(results, failed);
	sf_txn_end(s, mark, !(all_or_none && any_failed));
	free(failed);
	json_decref(body);
	sf_out_json(o, 200, results);
}

/* Split "a,b,c" into a JSON array of strings. */
static json_t *sf_split(const char *list)
{
	json_t *arr = json_array();
	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		if (len)
			json_array_append_new(arr, json_stringn(list, len));
		list = comma ? comma + 1 : NULL;
	}
	return arr;
}

static void sf_coll_delete(struct sim_side *s, const struct sf_call *c, struct sf_out *o)
{
	json_t *ids = sf_split(sf_arg(c, "ids")), *results = json_array(), *v;
	bool all_or_none = sf_bool_arg(NULL, sf_arg(c, "allOrNone")), *failed, any = false;
	size_t i, mark;

	if (json_array_size(ids) == 0 || json_array_size(ids) > SF_COLLECTION_MAX) {
		json_decref(ids);
		json_decref(results);
		if (json_array_size(ids) == 0)
			sf_out_err(o, 400, "MISSING_ARGUMENT", "ids parameter is required");
		else
			sf_out_err(o, 400, "EXCEEDED_ID_LIMIT",
				   "record limit reached. cannot submit more than 200 records into this call");
		return;
	}
	failed = calloc(json_array_size(ids), sizeof(*failed));
	mark = sf_txn_begin(s);
	json_array_foreach(ids, i, v) {
		struct sf_err e = {0};
		const char *id = json_string_value(v);
		struct sf_rec *r = sf_rec_get(s, id);
		int rc = -EINVAL;

		if (sf_id_norm(id, (char[19]){0}) < 0)
			sf_err_set(&e, 400, "MALFORMED_ID", NULL, "malformed id %.40s", id);
		else if (!r)
			sf_err_set(&e, 400, "INVALID_CROSS_REFERENCE_KEY", NULL, "invalid cross reference id");
		else
			rc = sf_rec_delete(s, r, 0, &e);
		if (rc < 0) {
			if (failed)
				failed[i] = true;
			any = true;
			json_array_append_new(results, sf_item_err(id, &e));
		} else {
			json_array_append_new(results, sf_item_ok(r->id));
		}
		sf_err_clear(&e);
	}
	if (all_or_none && any && failed)
		sf_rolled_back(results, failed);
	sf_txn_end(s, mark, !(all_or_none && any));
	free(failed);
	json_decref(ids);
	sf_out_json(o, 200, results);
}

static void sf_coll_retrieve(struct sim_side *s, const struct sf_call *c, struct sf_object *obj,
			     struct sf_out *o)
{
	json_t *ids, *fields, *res, *v, *body = NULL;
	size_t i;

	if (strcmp(c->method, "POST") == 0) {
		if (!(body = sf_parse_body(c, o)))
			return;
		ids = json_incref(json_object_get(body, "ids"));
		fields = json_incref(json_object_get(body, "fields"));
		json_decref(body);
	} else {
		ids = sf_split(sf_arg(c, "ids"));
		fields = sf_split(sf_arg(c, "fields"));
	}
	if (!json_is_array(ids) || !json_is_array(fields) || !json_array_size(ids) ||
	    !json_array_size(fields)) {
		sf_out_err(o, 400, "MISSING_ARGUMENT", "ids and fields are required");
		goto out;
	}
	if (json_array_size(ids) > 2000) {
		sf_out_err(o, 400, "EXCEEDED_ID_LIMIT", "cannot retrieve more than 2000 ids");
		goto out;
	}
	json_array_foreach(fields, i, v) {
		if (!json_is_string(v) || !sf_field_find(obj, json_string_value(v))) {
			sf_out_err(o, 400, "INVALID_FIELD", "No such column '%s' on sobject of type %s",
				   json_is_string(v) ? json_string_value(v) : "?", obj->name);
			goto out;
		}
	}
	res = json_array();
	json_array_foreach(ids, i, v) {
		struct sf_rec *r = json_is_string(v) ? sf_rec_get(s, json_string_value(v)) : NULL;
		if (r && r->obj == obj && !r->deleted)
			json_array_append_new(res, sf_rec_json(s, r, fields));
		else
			json_array_append_new(res, json_null());
	}
	sf_out_json(o, 200, res);
out:
	json_decref(ids);
	json_decref(fields);
}

void sf_collections_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
			   struct sf_out *o)
{
	char name[64] = "", field[128] = "";
	struct sf_object *obj = NULL;
	const struct sf_field *ext = NULL;

	if (*rest == '/' && rest[1]) {
		const char *p = rest + 1, *slash = strchr(p, '/');
		snprintf(name, sizeof(name), "%.*s", (int)(slash ? (size_t)(slash - p) : strlen(p)), p);
		if (slash && slash[1])
			snprintf(field, sizeof(field), "%s", slash + 1);
		obj = sf_object_find(s, name);
		if (!obj) {
			snprintf(o->endpoint, sizeof(o->endpoint), "%s /composite/sobjects/{obj}", c->method);
			sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
			return;
		}
	}
	if (field[0]) {
		snprintf(o->endpoint, sizeof(o->endpoint), "%s /composite/sobjects/{obj}/{extField}",
			 c->method);
		ext = sf_field_find(obj, field);
		if (!ext || !(ext->flags & SF_F_IDL) || (ext->type != SF_T_ID && !ext->idx)) {
			sf_out_err(o, 404, "NOT_FOUND",
				   "Provided external ID field does not exist or is not accessible: %s", field);
			return;
		}
		if (strcmp(c->method, "PATCH") != 0) {
			sf_out_err(o, 405, "METHOD_NOT_ALLOWED",
				   "HTTP Method '%s' not allowed. Allowed are PATCH", c->method);
			return;
		}
		sf_coll_write(s, c, obj, ext, true, o);
		return;
	}
	if (obj) {
		snprintf(o->endpoint, sizeof(o->endpoint), "%s /composite/sobjects/{obj}", c->method);
		if (strcmp(c->method, "GET") == 0 || strcmp(c->method, "POST") == 0)
			sf_coll_retrieve(s, c, obj, o);
		else
			sf_out_err(o, 405, "METHOD_NOT_ALLOWED",
				   "HTTP Method '%s' not allowed. Allowed are GET,POST", c->method);
		return;
	}
	snprintf(o->endpoint, sizeof(o->endpoint), "%s /composite/sobjects", c->method);
	if (strcmp(c->method, "POST") == 0)
		sf_coll_write(s, c, NULL, NULL, false, o);
	else if (strcmp(c->method, "PATCH") == 0)
		sf_coll_write(s, c, NULL, NULL, true, o);
	else if (strcmp(c->method, "DELETE") == 0)
		sf_coll_delete(s, c, o);
	else
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED",
			   "HTTP Method '%s' not allowed. Allowed are POST,PATCH,DELETE", c->method);
}
