/*
 * crmsync-sim, Salesforce side: single-record REST resources
 *   /sobjects/{Obj}                        GET (basic info), POST (create)
 *   /sobjects/{Obj}/{id}                   GET [?fields=], PATCH, DELETE
 *   /sobjects/{Obj}/{ExtField}/{value}     GET, PATCH (upsert: 201/200/300)
 * and the wire shape of a record (attributes + fields, nulls included).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

json_t *sf_rec_value(const struct sf_rec *r, const struct sf_field *f)
{
	char ts[40];

	if (strcmp(f->name, "IsDeleted") == 0)
		return json_boolean(r->deleted);
	if (strcmp(f->name, "SystemModstamp") == 0) {
		sim_fmt_sf_time(r->modstamp_ms, ts, sizeof(ts));
		return json_string(ts);
	}
	if (f->type == SF_T_ID)
		return json_string(r->id);
	{
		json_t *v = json_object_get(r->f, f->name);
		return v ? json_incref(v) : json_null();
	}
}

json_t *sf_rec_json(struct sim_side *s, const struct sf_rec *r, json_t *fields)
{
	json_t *o = json_object();
	char url[128];

	(void)s;
	snprintf(url, sizeof(url), SF_BASE "/sobjects/%s/%s", r->obj->name, r->id);
	json_object_set_new(o, "attributes", json_pack("{s:s, s:s}", "type", r->obj->name, "url", url));
	if (fields) {
		size_t i;
		json_t *v;
		json_array_foreach(fields, i, v) {
			const struct sf_field *f = sf_field_find(r->obj, json_string_value(v));
			if (f)
				json_object_set_new(o, f->name, sf_rec_value(r, f));
		}
		return o;
	}
	for (size_t i = 0; i < r->obj->nfields; i++) {
		const struct sf_field *f = &r->obj->fields[i];
		json_object_set_new(o, f->name, sf_rec_value(r, f));
	}
	return o;
}

/* "a,b,c" -> ["a","b","c"], checking each against the object. */
static json_t *sf_field_list(struct sf_object *o, const char *list, struct sf_out *out)
{
	json_t *arr = json_array();
	char name[128];

	while (list && *list) {
		const char *comma = strchr(list, ',');
		size_t len = comma ? (size_t)(comma - list) : strlen(list);
		while (len && *list == ' ') {
			list++;
			len--;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(len < 127 ? len : 127), list);
		if (!sf_field_find(o, name)) {
			sf_out_err(out, 400, "INVALID_FIELD",
				   "No such column '%s' on sobject of type %s", name, o->name);
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, json_string(name));
		list = comma ? comma + 1 : NULL;
	}
	return arr;
}

static void sf_save_result(struct sf_out *o, int status, struct sf_rec *r, int created)
{
	json_t *body = json_pack("{s:s, s:b, s:[]}", "id", r->id, "success", 1, "errors");
	if (created >= 0)
		json_object_set_new(body, "created", json_boolean(created));
	sf_out_json(o, status, body);
	sf_out_header(o, "Location", SF_BASE "/sobjects/%s/%s", r->obj->name, r->id);
}

static void sf_err_out(struct sf_out *o, struct sf_err *e)
{
	sf_out_json(o, e->status ? e->status : 400, sf_err_rest(e));
	sf_err_clear(e);
}

static void sf_get_one(struct sim_side *s, const struct sf_call *c, struct sf_rec *r,
		       struct sf_out *o)
{
	json_t *fields = NULL;
	const char *fl = sf_arg(c, "fields");

	if (r->deleted) {
		sf_out_err(o, 404, "ENTITY_IS_DELETED", "entity is deleted");
		return;
	}
	if (fl && !(fields = sf_field_list(r->obj, fl, o)))
		return;
	sf_out_json(o, 200, sf_rec_json(s, r, fields));
	json_decref(fields);
}

static void sf_by_id(struct sim_side *s, const struct sf_call *c, struct sf_object *obj,
		     const char *id, struct sf_out *o)
{
	struct sf_rec *r = sf_rec_get(s, id);
	struct sf_err e = {0};
	json_t *body;

	snprintf(o->endpoint, sizeof(o->endpoint), "%s /sobjects/{obj}/{id}", c->method);
	if (!r || r->obj != obj) {
		if (sf_id_norm(id, (char[19]){0}) < 0)
			sf_out_err(o, 404, "NOT_FOUND",
				   "Provided external ID field does not exist or is not accessible: %.40s", id);
		else
			sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
		return;
	}
	if (strcmp(c->method, "GET") == 0) {
		sf_get_one(s, c, r, o);
	} else if (strcmp(c->method, "PATCH") == 0) {
		if (!(body = sf_parse_body(c, o)))
			return;
		if (sf_rec_write(s, obj, r, body, sf_call_wflags(c), NULL, &e) < 0)
			sf_err_out(o, &e);
		else
			sf_out_json(o, 204, NULL);
		json_decref(body);
	} else if (strcmp(c->method, "DELETE") == 0) {
		if (sf_rec_delete(s, r, 0, &e) < 0)
			sf_err_out(o, &e);
		else
			sf_out_json(o, 204, NULL);
	} else {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED",
			   "HTTP Method '%s' not allowed. Allowed are GET,PATCH,DELETE", c->method);
	}
}

int sf_upsert_one(struct sim_side *s, struct sf_object *obj, const struct sf_field *f,
		  const char *value, json_t *body, unsigned wflags, struct sf_rec **out,
		  struct sf_err *e, const struct sf_vec **matches)
{
	struct sf_rec *hit = NULL;
	const struct sf_vec *v;
	size_t live = 0;
	int rc;

	if (f->type == SF_T_ID) {
		hit = sf_rec_get(s, value);
		if (!hit || hit->obj != obj || hit->deleted)
			hit = NULL;
		if (!hit && sf_id_norm(value, (char[19]){0}) < 0) {
			sf_err_set(e, 400, "MALFORMED_ID", "Id", "Id: id value of incorrect type: %.40s", value);
			return -EINVAL;
		}
	} else {
		v = sf_index_lookup(f, value);
		for (size_t i = 0; v && i < v->n; i++) {
			if (!v->v[i]->deleted) {
				hit = v->v[i];
				live++;
			}
		}
		if (live > 1) {
			*matches = v;
			return -EEXIST;
		}
	}
	if (hit) {
		json_t *x = json_object_get(body, f->name);
		if (x && f->type != SF_T_ID) {
			/* the key field may be repeated in the body only with the same value */
			json_object_del(body, f->name);
		}
		rc = sf_rec_write(s, obj, hit, body, wflags, out, e);
		return rc < 0 ? rc : 0;
	}
	if (f->type == SF_T_ID) {
		sf_err_set(e, 404, "NOT_FOUND", NULL, "The requested resource does not exist");
		return -EINVAL;
	}
	json_object_set_new(body, f->name, json_string(value));
	rc = sf_rec_write(s, obj, NULL, body, wflags, out, e);
	return rc < 0 ? rc : 1;
}

static void sf_by_ext(struct sim_side *s, const struct sf_call *c, struct sf_object *obj,
		      const char *field, const char *value, struct sf_out *o)
{
	const struct sf_field *f = sf_field_find(obj, field);
	const struct sf_vec *matches = NULL;
	struct sf_rec *r = NULL;
	struct sf_err e = {0};
	json_t *body;
	int rc;

	snprintf(o->endpoint, sizeof(o->endpoint), "%s /sobjects/{obj}/{extField}/{value}", c->method);
	if (!f || !(f->flags & SF_F_IDL) || (f->type != SF_T_ID && !f->idx)) {
		sf_out_err(o, 404, "NOT_FOUND",
			   "Provided external ID field does not exist or is not accessible: %s", field);
		return;
	}
	if (strcmp(c->method, "GET") == 0) {
		const struct sf_vec *v = f->type == SF_T_ID ? NULL : sf_index_lookup(f, value);
		struct sf_rec *hit = f->type == SF_T_ID ? sf_rec_get(s, value) : NULL;
		size_t live = 0;
		for (size_t i = 0; v && i < v->n; i++)
			if (!v->v[i]->deleted) {
				hit = v->v[i];
				live++;
			}
		if (live > 1) {
			json_t *urls = json_array();
			for (size_t i = 0; i < v->n; i++)
				if (!v->v[i]->deleted)
					json_array_append_new(urls, json_sprintf(SF_BASE "/sobjects/%s/%s",
								obj->name, v->v[i]->id));
			sf_out_json(o, 300, urls);
			return;
		}
		if (!hit || hit->obj != obj) {
			sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
			return;
		}
		sf_get_one(s, c, hit, o);
		return;
	}
	if (strcmp(c->method, "PATCH") != 0 && strcmp(c->method, "POST") != 0) {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED",
			   "HTTP Method '%s' not allowed. Allowed are GET,PATCH", c->method);
		return;
	}
	if (!(body = sf_parse_body(c, o)))
		return;
	if (json_is_object(body) && json_object_get(body, "Id") && f->type != SF_T_ID) {
		sf_out_err(o, 400, "INVALID_FIELD",
			   "The Id field should not be specified in the sobject data.");
		json_decref(body);
		return;
	}
	rc = json_is_object(body) ?
	     sf_upsert_one(s, obj, f, value, body, sf_call_wflags(c), &r, &e, &matches) :
	     sf_rec_write(s, obj, NULL, body, 0, NULL, &e);
	json_decref(body);
	if (rc == -EEXIST) {
		json_t *urls = json_array();
		for (size_t i = 0; i < matches->n; i++)
			if (!matches->v[i]->deleted)
				json_array_append_new(urls, json_sprintf(SF_BASE "/sobjects/%s/%s",
							obj->name, matches->v[i]->id));
		sf_out_json(o, 300, urls);
	} else if (rc < 0) {
		sf_err_out(o, &e);
	} else {
		sf_save_result(o, rc == 1 ? 201 : 200, r, rc == 1);
	}
}

void sf_records_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
		       struct sf_out *o)
{
	char name[64], a[128], b[512];
	const char *p = strchr(rest, '/');
	struct sf_object *obj;

	snprintf(name, sizeof(name), "%.*s", (int)(p ? (size_t)(p - rest) : strlen(rest)), rest);
	obj = sf_object_find(s, name);
	if (!p || p[1] == '\0') {
		snprintf(o->endpoint, sizeof(o->endpoint), "%s /sobjects/{obj}", c->method);
		if (strcmp(c->method, "POST") == 0) {
			struct sf_err e = {0};
			struct sf_rec *r;
			json_t *body = sf_parse_body(c, o);
			if (!body)
				return;
			if (sf_rec_write(s, obj, NULL, body, sf_call_wflags(c), &r, &e) < 0)
				sf_err_out(o, &e);
			else
				sf_save_result(o, 201, r, -1);
			json_decref(body);
		} else if (strcmp(c->method, "GET") == 0) {
			json_t *recent = json_array();
			for (size_t i = obj->nrecs; i-- > 0 && json_array_size(recent) < 3;)
				if (!obj->recs[i]->deleted) {
					json_t *f = json_pack("[s,s]", "Id", "Name");
					json_array_append_new(recent, sf_rec_json(s, obj->recs[i], f));
					json_decref(f);
				}
			sf_out_json(o, 200, json_pack("{s:{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b},s:o}",
				"objectDescribe", "name", obj->name, "label", obj->label,
				"labelPlural", obj->plural, "keyPrefix", obj->prefix,
				"createable", (obj->perms & SF_P_CREATE) != 0,
				"updateable", (obj->perms & SF_P_EDIT) != 0,
				"deletable", (obj->perms & SF_P_DELETE) != 0,
				"queryable", 1, "custom", 0, "recentItems", recent));
		} else {
			sf_out_err(o, 405, "METHOD_NOT_ALLOWED",
				   "HTTP Method '%s' not allowed. Allowed are HEAD,GET,POST", c->method);
		}
		return;
	}
	p++;
	{
		const char *q = strchr(p, '/');
		if (!q) {
			snprintf(a, sizeof(a), "%.127s", p);
			sf_by_id(s, c, obj, a, o);
			return;
		}
		snprintf(a, sizeof(a), "%.*s", (int)((size_t)(q - p) < 127 ? (size_t)(q - p) : 127), p);
		snprintf(b, sizeof(b), "%.511s", q + 1);
		sf_by_ext(s, c, obj, a, b, o);
	}
}
