/*
 * HubSpot side of crmsync-sim: the form submission endpoints, served on the
 * HubSpot port although production has them on api.hsforms.com:
 * POST /submissions/v3/integration/secure/submit/{portalId}/{formGuid} (token
 * checked, fields not on the form accepted) and .../integration/submit/...
 * (no token, every field must be on the form). A submission is recorded on
 * its form and, as HubSpot does, creates or updates the contact with that
 * email and its conversion properties. Errors use the forms host's shape
 * ({status, message, correlationId, errors[{message, errorType}]}), not the
 * CRM one.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

#define MAX_FIELDS 1000

static const char not_valid[] = "The request is not valid";

struct submit_in {
	json_t *values;         /* owned: [{name, value}] in the order given */
	json_t *props;          /* owned: contact property -> value */
	const char *email;      /* borrowed from the body, NULL if absent */
	const char *page;       /* borrowed, context.pageUri */
	int64_t at;
};

/* errtype NULL: no errors[] entry (malformed requests). */
static void form_error(struct sim_resp *resp, int status, const char *message,
		       const char *errmsg, const char *errtype)
{
	json_t *errs = json_array();
	char cid[37];

	sim_uuid(cid);
	if (errtype)
		json_array_append_new(errs, json_pack("{s:s,s:s}", "message", errmsg,
						      "errorType", errtype));
	sim_resp_json(resp, status, json_pack("{s:s,s:s,s:s,s:o}", "status", "error",
			      "message", message, "correlationId", cid, "errors", errs));
}

static void invalid(struct sim_resp *resp, const char *errtype, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void invalid(struct sim_resp *resp, const char *errtype, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	form_error(resp, 400, not_valid, msg, errtype);
}

static void no_such_form(struct sim_resp *resp, const char *guid)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "The form '%.100s' does not exist", guid);
	form_error(resp, 404, msg, msg, "FORM_DOES_NOT_EXIST");
}

/* The form's field definition for `name`, or NULL. */
static json_t *form_field(const struct hs_form *f, const char *name)
{
	json_t *g, *fld;
	size_t i, k;

	json_array_foreach(json_object_get(f->json, "fieldGroups"), i, g)
		json_array_foreach(json_object_get(g, "fields"), k, fld)
			if (!strcmp(json_string_value(json_object_get(fld, "name")) ?
				    json_string_value(json_object_get(fld, "name")) : "", name))
				return fld;
	return NULL;
}

static bool writable_contact_prop(struct sim_side *s, const char *name)
{
	json_t *def = json_object_get(s->types[HS_CONTACTS].propdefs, name);

	return def && !json_is_true(json_object_get(json_object_get(def, "modificationMetadata"),
						    "readOnlyValue"));
}

/* ---- reading the request ----------------------------------------------------- */

static int read_field(struct sim_side *s, const struct hs_form *f, json_t *jf, bool secure,
		      struct submit_in *in, struct sim_resp *resp)
{
	const char *name = json_string_value(json_object_get(jf, "name"));
	const char *value = json_string_value(json_object_get(jf, "value"));
	const char *otype = json_string_value(json_object_get(jf, "objectTypeId"));

	if (!name || !value) {
		form_error(resp, 400, "Invalid input JSON: every field needs a string 'name' and 'value'",
			   NULL, NULL);
		return -EINVAL;
	}
	if (!secure && !form_field(f, name)) {
		invalid(resp, "FIELD_NOT_IN_FORM_DEFINITION",
			"Error in 'fields.%s'. Field '%s' is not in the form definition.", name, name);
		return -EINVAL;
	}
	json_array_append_new(in->values, json_pack("{s:s,s:s}", "name", name, "value", value));
	if (otype && strcmp(otype, "0-1"))
		return 0; /* recorded; only contact fields set properties here */
	if (!strcmp(name, "email"))
		in->email = value;
	if (writable_contact_prop(s, name))
		json_object_set_new(in->props, name, json_string(value));
	return 0;
}

/* Every required field of the form must be there, and an email always. */
static int check_required(const struct hs_form *f, const struct submit_in *in,
			  struct sim_resp *resp)
{
	json_t *g, *fld, *v;
	size_t i, k, n;

	json_array_foreach(json_object_get(f->json, "fieldGroups"), i, g) {
		json_array_foreach(json_object_get(g, "fields"), k, fld) {
			const char *name = json_string_value(json_object_get(fld, "name"));
			bool found = false;

			if (!name || !json_is_true(json_object_get(fld, "required")))
				continue;
			json_array_foreach(in->values, n, v)
				found |= !strcmp(json_string_value(json_object_get(v, "name")), name) &&
					 *json_string_value(json_object_get(v, "value"));
			if (!found) {
				invalid(resp, "REQUIRED_FIELD", "Error in 'fields.%s'. Required field '%s' is missing",
					name, name);
				return -EINVAL;
			}
		}
	}
	if (!in->email || !*in->email) {
		invalid(resp, "REQUIRED_FIELD", "Error in 'fields.email'. Required field 'email' is missing");
		return -EINVAL;
	}
	return 0;
}

static int read_time(json_t *body, int64_t *at, struct sim_resp *resp)
{
	json_t *jt = json_object_get(body, "submittedAt");
	const char *v = json_string_value(jt);
	char *end;

	*at = sim_now_ms();
	if (!jt || json_is_null(jt))
		return 0;
	if (json_is_integer(jt)) {
		*at = json_integer_value(jt);
		return 0;
	}
	if (v && *v) {
		*at = strtoll(v, &end, 10);
		if (!*end && *at > 0)
			return 0;
	}
	form_error(resp, 400, "Invalid input JSON: 'submittedAt' must be milliseconds since the epoch",
		   NULL, NULL);
	return -EINVAL;
}

static int read_request(struct sim_side *s, const struct hs_form *f, json_t *body, bool secure,
			struct submit_in *in, struct sim_resp *resp)
{
	json_t *fields = json_object_get(body, "fields"), *jf;
	size_t i;

	if (!json_is_array(fields)) {
		form_error(resp, 400, "Invalid input JSON: 'fields' must be a list", NULL, NULL);
		return -EINVAL;
	}
	if (json_array_size(fields) > MAX_FIELDS) {
		invalid(resp, "MAX_NUMBER_OF_SUBMITTED_VALUES_EXCEEDED",
			"Error in 'fields'. More than %d values were submitted", MAX_FIELDS);
		return -EINVAL;
	}
	if (read_time(body, &in->at, resp))
		return -EINVAL;
	in->page = json_string_value(json_object_get(json_object_get(body, "context"), "pageUri"));
	json_array_foreach(fields, i, jf)
		if (read_field(s, f, jf, secure, in, resp))
			return -EINVAL;
	return check_required(f, in, resp);
}

/* The contact properties, validated and normalised as the CRM does; NULL
 * with the error sent. */
static json_t *check_props(struct sim_side *s, const struct submit_in *in, struct sim_resp *resp)
{
	struct hs_verrs errs;
	json_t *norm = hs_props_check(s, &s->types[HS_CONTACTS], in->props, false, &errs);
	const struct hs_verr *e = &errs.v[0];

	if (norm)
		return norm;
	if (!strcmp(e->code, "INVALID_EMAIL"))
		invalid(resp, "INVALID_EMAIL", "Error in 'fields.%s'. Invalid email address", e->name);
	else
		invalid(resp, !strcmp(e->code, "INVALID_INTEGER") ? "INVALID_NUMBER" : e->code,
			"Error in 'fields.%s'. %s", e->name, e->message);
	return NULL;
}

/* ---- applying it ---------------------------------------------------------------- */

/* The live contact with this email, or a new one. */
static struct hs_record *contact_for(struct sim_side *s, const char *email, int64_t now)
{
	struct hs_objtype *ct = &s->types[HS_CONTACTS];
	uint64_t id = hs_uniq_owner(ct, "email", email);

	return id ? hs_rec_find(ct, id) : hs_rec_new(ct, 0, now);
}

static int apply(struct sim_side *s, struct hs_form *f, struct submit_in *in, json_t *norm)
{
	const char *email = json_string_value(json_object_get(norm, "email"));
	const char *name = json_string_value(json_object_get(f->json, "name"));
	int64_t now = sim_now_ms();
	struct hs_record *r;
	char cid[37];
	int err;

	sim_uuid(cid);
	err = hs_form_record(f, cid, in->at, json_incref(in->values), in->page, true);
	if (err)
		return err;
	r = contact_for(s, email ? email : in->email, now);
	if (!r)
		return -ENOMEM;
	hs_contact_converted(s, r, norm, name ? name : "", in->at, now);
	return 0;
}

static void answer(const struct hs_form *f, struct sim_resp *resp)
{
	json_t *act = json_object_get(json_object_get(f->json, "configuration"), "postSubmitAction");
	const char *type = json_string_value(json_object_get(act, "type"));
	const char *value = json_string_value(json_object_get(act, "value"));

	if (type && !strcmp(type, "redirect_url"))
		sim_resp_json(resp, 200, json_pack("{s:s}", "redirectUri", value ? value : ""));
	else
		sim_resp_json(resp, 200, json_pack("{s:s}", "inlineMessage",
			      value ? value : "Thanks for submitting the form."));
}

static void submit(struct sim_side *s, struct hs_form *f, json_t *body, bool secure,
		   struct sim_resp *resp)
{
	struct submit_in in = { .values = json_array(), .props = json_object() };
	json_t *norm = NULL;

	if (read_request(s, f, body, secure, &in, resp))
		goto out_free_in;
	norm = check_props(s, &in, resp);
	if (!norm)
		goto out_free_in;
	if (apply(s, f, &in, norm))
		form_error(resp, 500, "out of memory", NULL, NULL);
	else
		answer(f, resp);
	json_decref(norm);
out_free_in:
	json_decref(in.values);
	json_decref(in.props);
}

void hs_forms_submit(struct sim_side *s, const struct sim_req *req, const char *rest, bool secure,
		     struct sim_resp *resp)
{
	const char *slash = strchr(rest, '/'), *guid = slash ? slash + 1 : "";
	struct hs_form *f;
	json_error_t jerr;
	json_t *body;
	char *end;

	hs_label(resp, req, "/submissions/v3/integration/%ssubmit/{portalId}/{formGuid}",
		 secure ? "secure/" : "");
	if (secure && hs_auth_check(s, req, false, resp))
		return;
	if (strcmp(req->method, "POST")) {
		form_error(resp, 405, "HTTP method not supported here", NULL, NULL);
		return;
	}
	if (strtol(rest, &end, 10) != HS_PORTAL_ID || end != slash) {
		int plen = (int)(slash ? (size_t)(slash - rest) : strlen(rest));
		char msg[160];

		snprintf(msg, sizeof(msg), "The portal '%.*s' does not own form '%.60s'",
			 plen < 40 ? plen : 40, rest, guid);
		form_error(resp, 400, msg, NULL, NULL);
		return;
	}
	f = hs_form_find(s, guid);
	if (!f || f->archived_at) {
		no_such_form(resp, guid);
		return;
	}
	body = json_loadb(req->body ? req->body : "", req->body_len, 0, &jerr);
	if (!json_is_object(body)) {
		json_decref(body);
		form_error(resp, 400, "Invalid input JSON: the body must be a JSON object", NULL, NULL);
		return;
	}
	submit(s, f, body, secure, resp);
	json_decref(body);
}
