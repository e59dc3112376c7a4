/*
 * crmsync-sim, Salesforce side: record writes. sf_rec_write() checks what a
 * request may set (unknown fields, field-level security, types, lengths,
 * number ranges, e-mail format, restricted picklists, lookups), merges,
 * derives computed fields, checks required fields and hands over to the
 * org's rules (sf_rules.c) before storing. It never talks HTTP.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

static size_t sf_utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static bool sf_email_ok(const char *v)
{
	const char *at = strchr(v, '@'), *dot;
	if (!at || at == v || strchr(at + 1, '@'))
		return false;
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0' || strlen(dot + 1) < 2)
		return false;
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c <= ' ' || c >= 0x7f || strchr("()<>,;:\\\"[]", c))
			return false;
	}
	return strstr(v, "..") == NULL && at[-1] != '.' && v[0] != '.';
}

static bool sf_date_ok(const char *v)
{
	int y, m, d;
	char tail;
	if (strlen(v) != 10 || sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
		return false;
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

static const char *sf_json_kind(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "START_OBJECT";
	case JSON_ARRAY: return "START_ARRAY";
	case JSON_STRING: return "VALUE_STRING";
	case JSON_INTEGER: return "VALUE_NUMBER_INT";
	case JSON_REAL: return "VALUE_NUMBER_FLOAT";
	case JSON_TRUE: return "VALUE_TRUE";
	case JSON_FALSE: return "VALUE_FALSE";
	default: return "VALUE_NULL";
	}
}

static int sf_bad_type(struct sf_err *e, const struct sf_field *f, const char *want, json_t *v)
{
	char *txt = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	sf_err_set(e, 400, "JSON_PARSER_ERROR", f->name,
		   "Cannot deserialize instance of %s from %s value %.80s or request may be "
		   "missing a required field", want, sf_json_kind(v), txt ? txt : "");
	free(txt);
	return -EINVAL;
}

static json_t *sf_out_of_range(struct sf_err *e, const struct sf_field *f, json_t *v)
{
	char *txt = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	sf_err_set(e, 400, "NUMBER_OUTSIDE_VALID_RANGE", f->name,
		   "%s: value outside of valid range on numeric field: %.60s", f->label,
		   txt ? txt : json_string_value(v));
	free(txt);
	return NULL;
}

static bool sf_pick_has(const struct sf_field *f, const char *v, size_t len)
{
	for (size_t i = 0; i < f->npicklist; i++)
		if (strlen(f->picklist[i]) == len && strncmp(f->picklist[i], v, len) == 0)
			return true;
	return false;
}

/* Check one value and return the stored form (new reference) or NULL. */
static json_t *sf_check_value(struct sim_side *s, const struct sf_field *f, json_t *v,
			      struct sf_err *e)
{
	const char *str;
	char norm[19];

	if (json_is_null(v))
		return json_null();
	switch (f->type) {
	case SF_T_BOOLEAN:
		if (json_is_boolean(v))
			return json_incref(v);
		sf_bad_type(e, f, "boolean", v);
		return NULL;
	case SF_T_INT:
		if (json_is_integer(v))
			return json_incref(v);
		if (json_is_real(v) && json_real_value(v) == (double)(long long)json_real_value(v))
			return json_integer((json_int_t)json_real_value(v));
		sf_bad_type(e, f, "int", v);
		return NULL;
	case SF_T_DOUBLE: case SF_T_CURRENCY: case SF_T_PERCENT: {
		double d = 0;
		bool ok = json_is_number(v);
		if (ok) {
			d = json_number_value(v);
		} else if (json_is_string(v)) {
			char *end;
			d = strtod(json_string_value(v), &end);
			ok = *json_string_value(v) && *end == '\0';
		}
		if (!ok) {
			sf_bad_type(e, f, "double", v);
			return NULL;
		}
		/* no number field holds more than 18 digits (precision <= 18) */
		if (!isfinite(d) || fabs(d) >= 1e18)
			return sf_out_of_range(e, f, v);
		return json_real(d);
	}
	case SF_T_DATE:
		if (json_is_string(v) && sf_date_ok(json_string_value(v)))
			return json_incref(v);
		sf_bad_type(e, f, "date", v);
		return NULL;
	case SF_T_DATETIME: {
		char buf[40];
		int64_t ms = json_is_string(v) ? sim_parse_time(json_string_value(v)) : -1;
		if (ms < 0) {
			sf_bad_type(e, f, "datetime", v);
			return NULL;
		}
		sim_fmt_sf_time(ms, buf, sizeof(buf));
		return json_string(buf);
	}
	case SF_T_REFERENCE: case SF_T_ID: {
		struct sf_rec *t;
		if (!json_is_string(v)) {
			sf_bad_type(e, f, "id", v);
			return NULL;
		}
		str = json_string_value(v);
		if (*str == '\0')
			return json_null();
		if (sf_id_norm(str, norm) < 0) {
			sf_err_set(e, 400, "MALFORMED_ID", f->name,
				   "%s: id value of incorrect type: %.80s", f->label, str);
			return NULL;
		}
		t = sf_map_get(s->ids, norm);
		if (!t || !f->refs) {
			sf_err_set(e, 400, "INVALID_CROSS_REFERENCE_KEY", f->name,
				   "invalid cross reference id");
			return NULL;
		}
		if (!strstr(f->refs, t->obj->name)) {
			/* an existing record of another object (API-NOTES §2) */
			sf_err_set(e, 400, "FIELD_INTEGRITY_EXCEPTION", f->name,
				   "%s: id value of incorrect type: %s", f->label, norm);
			return NULL;
		}
		if (t->deleted) {
			/* Salesforce names no field here ("entity is deleted: []") */
			sf_err_set(e, 400, "ENTITY_IS_DELETED", NULL, "entity is deleted");
			return NULL;
		}
		return json_string(norm);
	}
	default:
		break;
	}
	/* text kinds */
	if (json_is_integer(v) || json_is_real(v)) {
		char *txt = json_dumps(v, JSON_ENCODE_ANY);
		json_t *conv = json_string(txt ? txt : "");
		json_t *res;
		free(txt);
		res = sf_check_value(s, f, conv, e);
		json_decref(conv);
		return res;
	}
	if (!json_is_string(v)) {
		sf_bad_type(e, f, "string", v);
		return NULL;
	}
	str = json_string_value(v);
	if (f->length && sf_utf8_len(str) > (size_t)f->length) {
		sf_err_set(e, 400, "STRING_TOO_LONG", f->name,
			   "%s: data value too large: %.60s (max length=%d)", f->label, str, f->length);
		return NULL;
	}
	if (f->type == SF_T_EMAIL && *str && !sf_email_ok(str)) {
		sf_err_set(e, 400, "INVALID_EMAIL_ADDRESS", f->name,
			   "%s: invalid email address: %.100s", f->label, str);
		return NULL;
	}
	if ((f->flags & SF_F_RPL) && !(f->flags & SF_F_CODE) && *str) {
		const char *p = str;
		bool ok = true;
		if (f->type == SF_T_MULTIPICKLIST) {
			while (ok && *p) {
				const char *semi = strchr(p, ';');
				size_t len = semi ? (size_t)(semi - p) : strlen(p);
				ok = sf_pick_has(f, p, len);
				p = semi ? semi + 1 : p + len;
			}
		} else {
			ok = sf_pick_has(f, str, strlen(str));
		}
		if (!ok) {
			sf_err_set(e, 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", f->name,
				   "%s: bad value for restricted picklist field: %.100s", f->label, str);
			return NULL;
		}
	}
	if (*str == '\0')
		return json_null();
	return json_incref(v);
}

static void sf_set_name(json_t *m)
{
	const char *fn = json_string_value(json_object_get(m, "FirstName"));
	const char *ln = json_string_value(json_object_get(m, "LastName"));
	char buf[300];

	if (!ln) {
		json_object_del(m, "Name");
		return;
	}
	snprintf(buf, sizeof(buf), "%s%s%s", fn ? fn : "", fn ? " " : "", ln);
	json_object_set_new(m, "Name", json_string(buf));
}

static int sf_stage_prob(const char *stage)
{
	static const struct { const char *s; int p; } tab[] = {
		{"Prospecting", 10}, {"Qualification", 10}, {"Needs Analysis", 20},
		{"Value Proposition", 50}, {"Id. Decision Makers", 60},
		{"Perception Analysis", 70}, {"Proposal/Price Quote", 75},
		{"Negotiation/Review", 90}, {"Closed Won", 100}, {"Closed Lost", 0},
	};
	for (size_t i = 0; stage && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(tab[i].s, stage) == 0)
			return tab[i].p;
	return 10;
}

/* Computed and defaulted fields. */
void sf_derive(struct sim_side *s, struct sf_object *o, json_t *m, json_t *in, bool create)
{
	const char *st;

	if (create) {
		for (size_t i = 0; i < o->nfields; i++) {
			const struct sf_field *f = &o->fields[i];
			if (f->type == SF_T_BOOLEAN && !json_object_get(m, f->name))
				json_object_set_new(m, f->name, json_false());
		}
		if (!json_object_get(m, "OwnerId") && sf_field_find(o, "OwnerId"))
			json_object_set_new(m, "OwnerId", json_string(s->user_id));
	}
	switch (o->kind) {
	case SF_LEAD:
		if (create && !json_object_get(m, "Status"))
			json_object_set_new(m, "Status", json_string("Open - Not Contacted"));
		sf_set_name(m);
		break;
	case SF_CONTACT: case SF_USER:
		sf_set_name(m);
		break;
	case SF_OPPORTUNITY:
		st = json_string_value(json_object_get(m, "StageName"));
		json_object_set_new(m, "IsClosed", json_boolean(st && strncmp(st, "Closed", 6) == 0));
		json_object_set_new(m, "IsWon", json_boolean(st && strcmp(st, "Closed Won") == 0));
		if (json_object_get(in, "StageName") && !json_object_get(in, "Probability"))
			json_object_set_new(m, "Probability", json_real(sf_stage_prob(st)));
		if (json_object_get(in, "StageName") && !json_object_get(in, "ForecastCategoryName"))
			json_object_set_new(m, "ForecastCategoryName", json_string(
				st && strcmp(st, "Closed Won") == 0 ? "Closed" :
				st && strcmp(st, "Closed Lost") == 0 ? "Omitted" : "Pipeline"));
		break;
	case SF_TASK:
		if (create && !json_object_get(m, "Status"))
			json_object_set_new(m, "Status", json_string("Not Started"));
		if (create && !json_object_get(m, "Priority"))
			json_object_set_new(m, "Priority", json_string("Normal"));
		if (create && !json_object_get(m, "TaskSubtype"))
			json_object_set_new(m, "TaskSubtype", json_string("Task"));
		st = json_string_value(json_object_get(m, "Status"));
		json_object_set_new(m, "IsClosed", json_boolean(st && strcmp(st, "Completed") == 0));
		st = json_string_value(json_object_get(m, "Priority"));
		json_object_set_new(m, "IsHighPriority", json_boolean(st && strcmp(st, "High") == 0));
		st = json_string_value(json_object_get(m, "WhatId"));
		if (st && strncmp(st, "001", 3) == 0)
			json_object_set_new(m, "AccountId", json_string(st));
		break;
	case SF_EVENT:
		if (!json_object_get(m, "StartDateTime") && json_object_get(m, "ActivityDateTime"))
			json_object_set(m, "StartDateTime", json_object_get(m, "ActivityDateTime"));
		if (create && !json_object_get(m, "ShowAs"))
			json_object_set_new(m, "ShowAs", json_string("Busy"));
		break;
	default:
		break;
	}
}

static int sf_required(struct sf_object *o, json_t *m, struct sf_err *e)
{
	char list[512] = "";
	json_t *fields = json_array();

	for (size_t i = 0; i < o->nfields; i++) {
		const struct sf_field *f = &o->fields[i];
		if (!(f->flags & SF_F_CRE) || (f->flags & (SF_F_NIL | SF_F_DEF)) ||
		    f->type == SF_T_BOOLEAN || json_object_get(m, f->name))
			continue;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 json_array_size(fields) ? ", " : "", f->name);
		json_array_append_new(fields, json_string(f->name));
	}
	if (json_array_size(fields) == 0) {
		json_decref(fields);
		return 0;
	}
	sf_err_set(e, 400, "REQUIRED_FIELD_MISSING", NULL, "Required fields are missing: [%s]", list);
	json_decref(e->fields);
	e->fields = fields;
	return -EINVAL;
}

/* Unknown fields and fields this caller may not set. */
static int sf_check_keys(struct sf_object *o, struct sf_rec *r, json_t *in, unsigned wflags,
			 struct sf_err *e)
{
	const char *key;
	json_t *v, *bad = json_array();
	char list[512] = "";

	json_object_foreach(in, key, v) {
		const struct sf_field *f;
		bool ok;

		if (strcmp(key, "attributes") == 0)
			continue;
		f = sf_field_find(o, key);
		if (!f) {
			json_decref(bad);
			sf_err_set(e, 400, "INVALID_FIELD", NULL,
				   "No such column '%.80s' on sobject of type %s", key, o->name);
			return -EINVAL;
		}
		if (f->type == SF_T_ID) {
			if (!r) {
				json_decref(bad);
				sf_err_set(e, 400, "INVALID_FIELD", NULL,
					   "Record ID: cannot specify Id in an insert call");
				return -EINVAL;
			}
			continue;
		}
		ok = (f->flags & (r ? SF_F_UPD : SF_F_CRE)) != 0;
		if (!(wflags & SF_W_ADMIN) && (f->flags & SF_F_FLSRO))
			ok = false;
		if (!ok) {
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 json_array_size(bad) ? ", " : "", f->name);
			json_array_append_new(bad, json_string(f->name));
		}
	}
	if (json_array_size(bad) == 0) {
		json_decref(bad);
		return 0;
	}
	sf_err_set(e, 400, "INVALID_FIELD_FOR_INSERT_UPDATE", NULL,
		   "Unable to create/update fields: %s. Please check the security settings of "
		   "this field and verify that it is read/write for your profile or permission set.",
		   list);
	json_decref(e->fields);
	e->fields = bad;
	return -EINVAL;
}

static void sf_primary_ocr(struct sim_side *s, struct sf_rec *r, int64_t stamp)
{
	const char *opp = json_string_value(json_object_get(r->f, "OpportunityId"));
	struct sf_object *o = r->obj;
	const char *key;

	if (!opp || !json_is_true(json_object_get(r->f, "IsPrimary")))
		return;
	for (size_t i = 0; i < o->nrecs; i++) {
		struct sf_rec *x = o->recs[i];
		json_t *nf;
		if (x == r || x->deleted || !json_is_true(json_object_get(x->f, "IsPrimary")))
			continue;
		key = json_string_value(json_object_get(x->f, "OpportunityId"));
		if (!key || strcmp(key, opp) != 0)
			continue;
		nf = json_copy(x->f);
		json_object_set_new(nf, "IsPrimary", json_false());
		sf_rec_replace(s, x, nf, stamp);
	}
}

int sf_rec_write(struct sim_side *s, struct sf_object *o, struct sf_rec *r,
		 json_t *in, unsigned wflags, struct sf_rec **out, struct sf_err *e)
{
	bool admin = wflags & SF_W_ADMIN;
	const char *key, *who = admin ? s->admin_id : s->user_id;
	json_t *v, *m;
	int64_t stamp;
	char ts[40];

	if (!json_is_object(in)) {
		sf_err_set(e, 400, "JSON_PARSER_ERROR", NULL,
			   "Cannot deserialize instance of %s from %s", o->name, sf_json_kind(in));
		return -EINVAL;
	}
	if (r && r->deleted) {
		sf_err_set(e, 404, "ENTITY_IS_DELETED", NULL, "entity is deleted");
		return -EINVAL;
	}
	if (!admin && !(o->perms & (r ? SF_P_EDIT : SF_P_CREATE))) {
		sf_err_set(e, 400, "INSUFFICIENT_ACCESS_OR_READONLY", NULL,
			   "insufficient access rights on object id");
		return -EINVAL;
	}
	if (r && o->kind == SF_LEAD && json_is_true(json_object_get(r->f, "IsConverted"))) {
		sf_err_set(e, 400, "CANNOT_UPDATE_CONVERTED_LEAD", NULL,
			   "cannot reference converted lead");
		return -EINVAL;
	}
	if (sf_check_keys(o, r, in, wflags, e) < 0)
		return -EINVAL;
	m = r ? json_copy(r->f) : json_object();
	if (!m)
		return -ENOMEM;
	json_object_foreach(in, key, v) {
		const struct sf_field *f;
		json_t *nv;

		if (strcmp(key, "attributes") == 0)
			continue;
		f = sf_field_find(o, key);
		if (f->type == SF_T_ID)
			continue;
		nv = sf_check_value(s, f, v, e);
		if (!nv)
			goto out_fail;
		if (json_is_null(nv))
			json_object_del(m, f->name);
		else
			json_object_set(m, f->name, nv);
		json_decref(nv);
	}
	sf_derive(s, o, m, in, r == NULL);
	if (!(wflags & SF_W_RAW) && sf_address_check(s, o, m, in, e) < 0)
		goto out_fail;
	if (sf_required(o, m, e) < 0)
		goto out_fail;
	if (!(wflags & SF_W_RAW) && sf_rules_check(s, o, r, m, wflags, e) < 0)
		goto out_fail;

	stamp = sf_stamp(s);
	sim_fmt_sf_time(stamp, ts, sizeof(ts));
	json_object_set_new(m, "LastModifiedDate", json_string(ts));
	json_object_set_new(m, "LastModifiedById", json_string(who));
	if (!r) {
		json_object_set_new(m, "CreatedDate", json_string(ts));
		json_object_set_new(m, "CreatedById", json_string(who));
		r = sf_rec_insert(s, o, m, stamp, stamp);
		if (!r) {
			sf_err_set(e, 500, "UNKNOWN_EXCEPTION", NULL, "out of memory");
			return -ENOMEM;
		}
	} else {
		sf_rec_replace(s, r, m, stamp);
	}
	if (o->kind == SF_OCR)
		sf_primary_ocr(s, r, stamp);
	if (out)
		*out = r;
	return 0;

out_fail:
	json_decref(m);
	return -EINVAL;
}

int sf_rec_delete(struct sim_side *s, struct sf_rec *r, unsigned wflags, struct sf_err *e)
{
	int64_t stamp;

	if (r->deleted) {
		sf_err_set(e, 404, "ENTITY_IS_DELETED", NULL, "entity is deleted");
		return -EINVAL;
	}
	if (!(wflags & SF_W_ADMIN) && !(r->obj->perms & SF_P_DELETE)) {
		sf_err_set(e, 400, "INSUFFICIENT_ACCESS_OR_READONLY", NULL,
			   "insufficient access rights on object id");
		return -EINVAL;
	}
	stamp = sf_stamp(s);
	sf_rec_soft_delete(s, r, stamp);
	return 0;
}
