/*
 * HubSpot side of crmsync-sim: forms and their submissions. The Forms API
 * (/marketing/v3/forms: list, read, create, archive), the submissions read
 * (/form-integrations/v1/submissions/forms/{guid}, newest first), the storage
 * behind them with save/load/dump, and the contact's conversion properties.
 * The submit endpoints (api.hsforms.com in production) are in
 * hs_forms_submit.c. Forms are not CRM objects: nothing here goes through
 * the objects store except the contacts a submission touches.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

#define FORMS_LIMIT_DEFAULT 20
#define FORMS_LIMIT_MAX 100
#define SUBS_LIMIT_DEFAULT 20
#define SUBS_LIMIT_MAX 50

static const char *const form_types[] = {"hubspot", "captured", "flow", "blog_comment"};

/* ---- storage ----------------------------------------------------------------- */

/* Order of (time, uuid) keys: forms by creation, submissions by submittedAt. */
static int key_cmp(int64_t a_at, const char *a_id, int64_t b_at, const char *b_id)
{
	if (a_at != b_at)
		return a_at < b_at ? -1 : 1;
	return strcmp(a_id, b_id);
}

/* First form whose key is >= (at, id). */
static size_t forms_lower(const struct sim_side *s, int64_t at, const char *id)
{
	size_t lo = 0, hi = s->nforms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(s->forms[mid]->created, s->forms[mid]->id, at, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t subs_lower(const struct hs_form *f, int64_t at, const char *id)
{
	size_t lo = 0, hi = f->nsubs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(f->subs[mid].at, f->subs[mid].id, at, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct hs_form *hs_form_find(struct sim_side *s, const char *id)
{
	for (size_t i = 0; i < s->nforms; i++)
		if (!strcmp(s->forms[i]->id, id))
			return s->forms[i];
	return NULL;
}

struct hs_form *hs_form_add(struct sim_side *s, const char *id, int64_t created, json_t *def)
{
	struct hs_form *f;
	char ts[32];
	size_t at;

	if (s->nforms == s->capforms) {
		size_t ncap = s->capforms ? s->capforms * 2 : 8;
		struct hs_form **nf = realloc(s->forms, ncap * sizeof(*nf));

		if (!nf)
			goto out_put_def;
		s->forms = nf;
		s->capforms = ncap;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		goto out_put_def;
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->created = created;
	hs_iso(created, ts);
	/* the members in the order HubSpot sends them; def's own times win */
	f->json = json_pack("{s:s,s:O,s:O,s:s,s:s,s:b}", "id", f->id,
			    "name", json_object_get(def, "name"), "formType", json_object_get(def, "formType"),
			    "createdAt", ts, "updatedAt", ts, "archived", 0);
	if (!f->json) {
		free(f);
		goto out_put_def;   /* no name or formType */
	}
	json_object_del(def, "id");
	json_object_update(f->json, def);
	json_decref(def);
	at = forms_lower(s, created, f->id);
	memmove(s->forms + at + 1, s->forms + at, (s->nforms - at) * sizeof(*s->forms));
	s->forms[at] = f;
	s->nforms++;
	return f;
out_put_def:
	json_decref(def);
	return NULL;
}

int hs_form_record(struct hs_form *f, const char *cid, int64_t at, json_t *values,
		   const char *page_url, bool sorted)
{
	struct hs_submission *sub;
	size_t pos = f->nsubs;

	if (f->nsubs == f->capsubs) {
		size_t ncap = f->capsubs ? f->capsubs * 2 : 16;
		struct hs_submission *ns = realloc(f->subs, ncap * sizeof(*ns));

		if (!ns) {
			json_decref(values);
			return -ENOMEM;
		}
		f->subs = ns;
		f->capsubs = ncap;
	}
	if (sorted) {
		pos = subs_lower(f, at, cid);
		memmove(f->subs + pos + 1, f->subs + pos, (f->nsubs - pos) * sizeof(*f->subs));
	}
	sub = &f->subs[pos];
	sub->at = at;
	snprintf(sub->id, sizeof(sub->id), "%s", cid);
	sub->json = json_pack("{s:s,s:I,s:o}", "conversionId", cid, "submittedAt",
			      (json_int_t)at, "values", values);
	if (page_url)
		json_object_set_new(sub->json, "pageUrl", json_string(page_url));
	f->nsubs++;
	return 0;
}

static int sub_cmp(const void *a, const void *b)
{
	const struct hs_submission *x = a, *y = b;

	return key_cmp(x->at, x->id, y->at, y->id);
}

void hs_forms_sort(struct sim_side *s)
{
	for (size_t i = 0; i < s->nforms; i++)
		qsort(s->forms[i]->subs, s->forms[i]->nsubs, sizeof(struct hs_submission), sub_cmp);
}

static void form_free(struct hs_form *f)
{
	for (size_t k = 0; k < f->nsubs; k++)
		json_decref(f->subs[k].json);
	free(f->subs);
	json_decref(f->json);
	free(f);
}

void hs_forms_free(struct sim_side *s)
{
	for (size_t i = 0; i < s->nforms; i++)
		form_free(s->forms[i]);
	free(s->forms);
	s->forms = NULL;
	s->nforms = s->capforms = 0;
}

/* ---- definitions ------------------------------------------------------------ */

static json_t *default_configuration(void)
{
	return json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:[],s:b,s:b,s:b,s:[],s:{s:s,s:s}}",
		"language", "en", "cloneable", 1, "editable", 1, "archivable", 1,
		"recaptchaEnabled", 0, "notifyContactOwner", 0, "notifyRecipients",
		"createNewContactForNewEmail", 1, "prePopulateKnownValues", 1,
		"allowLinkToResetKnownValues", 0, "lifecycleStages",
		"postSubmitAction", "type", "thank_you", "value", "Thanks for submitting the form.");
}

static json_t *default_display(void)
{
	return json_pack("{s:b,s:s,s:s,s:{}}", "renderRawHtml", 0, "theme", "default_style",
			 "submitButtonText", "Submit", "style");
}

static const char *field_type_of(const char *name)
{
	if (!strcmp(name, "email"))
		return "email";
	if (!strcmp(name, "phone"))
		return "phone";
	if (!strcmp(name, "mobilephone"))
		return "mobile_phone";
	if (!strcmp(name, "message"))
		return "multi_line_text";
	return "single_line_text";
}

/* Fill a field group's and its fields' missing members with the defaults. */
static void group_defaults(json_t *g)
{
	json_t *fld;
	size_t i;

	json_object_update_missing_new(g, json_pack("{s:s,s:s}", "groupType", "default_group",
						    "richTextType", "text"));
	json_array_foreach(json_object_get(g, "fields"), i, fld) {
		const char *name = json_string_value(json_object_get(fld, "name"));

		json_object_update_missing_new(fld, json_pack("{s:s,s:s,s:b,s:b,s:s}",
			"objectTypeId", "0-1", "label", name ? name : "", "required", 0, "hidden", 0,
			"fieldType", field_type_of(name ? name : "")));
	}
}

json_t *hs_form_def(struct sim_side *s, const char *name, const char *const *fields, int nfields)
{
	json_t *groups = json_array();

	for (int i = 0; i < nfields; i++) {
		json_t *pd = json_object_get(s->types[HS_CONTACTS].propdefs, fields[i]);
		const char *label = json_string_value(json_object_get(pd, "label"));

		json_array_append_new(groups, json_pack("{s:s,s:s,s:[{s:s,s:s,s:s,s:b,s:b,s:s}]}",
			"groupType", "default_group", "richTextType", "text", "fields",
			"objectTypeId", "0-1", "name", fields[i], "label", label ? label : fields[i],
			"required", i == 0, "hidden", 0, "fieldType", field_type_of(fields[i])));
	}
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:{s:s}}", "name", name, "formType", "hubspot",
			 "fieldGroups", groups, "configuration", default_configuration(),
			 "displayOptions", default_display(), "legalConsentOptions", "type", "none");
}

/* ---- contacts ------------------------------------------------------------------ */

static int64_t prop_ms(const struct hs_record *r, const char *name)
{
	const char *v = json_string_value(json_object_get(r->props, name));

	return v ? sim_parse_time(v) : -1;
}

void hs_contact_converted(struct sim_side *s, struct hs_record *r, json_t *norm,
			  const char *form_name, int64_t at, int64_t now)
{
	struct hs_objtype *ct = &s->types[HS_CONTACTS];
	const char *n = json_string_value(json_object_get(r->props, "num_conversion_events"));
	json_t *p = norm ? json_incref(norm) : json_object();
	int64_t first = prop_ms(r, "first_conversion_date");
	char ts[32], num[24];

	hs_iso(at, ts);
	if (first < 0 || at < first) {
		json_object_set_new(p, "first_conversion_date", json_string(ts));
		json_object_set_new(p, "first_conversion_event_name", json_string(form_name));
	}
	if (at >= prop_ms(r, "recent_conversion_date")) {
		json_object_set_new(p, "recent_conversion_date", json_string(ts));
		json_object_set_new(p, "recent_conversion_event_name", json_string(form_name));
	}
	snprintf(num, sizeof(num), "%lld", (n ? strtoll(n, NULL, 10) : 0) + 1);
	json_object_set_new(p, "num_conversion_events", json_string(num));
	hs_rec_apply(ct, r, p, now);
	json_decref(p);
}

/* ---- save / load / dump ----------------------------------------------------------- */

json_t *hs_forms_save(struct sim_side *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->nforms; i++) {
		struct hs_form *f = s->forms[i];
		json_t *subs = json_array();

		for (size_t k = 0; k < f->nsubs; k++)
			json_array_append(subs, f->subs[k].json);
		json_array_append_new(arr, json_pack("{s:O,s:I,s:I,s:o}", "form", f->json,
				      "c", (json_int_t)f->created, "a", (json_int_t)f->archived_at,
				      "subs", subs));
	}
	return arr;
}

static int form_load(struct sim_side *s, json_t *jf)
{
	json_t *def = json_object_get(jf, "form"), *js;
	const char *id = json_string_value(json_object_get(def, "id"));
	struct hs_form *f;
	size_t k;

	if (!id || !json_is_object(def))
		return -EINVAL;
	f = hs_form_add(s, id, json_integer_value(json_object_get(jf, "c")), json_deep_copy(def));
	if (!f)
		return -ENOMEM;
	f->archived_at = json_integer_value(json_object_get(jf, "a"));
	json_array_foreach(json_object_get(jf, "subs"), k, js) {
		const char *cid = json_string_value(json_object_get(js, "conversionId"));
		int64_t at = json_integer_value(json_object_get(js, "submittedAt"));
		json_t *values = json_object_get(js, "values");

		if (!cid || !json_is_array(values))
			return -EINVAL;
		if (hs_form_record(f, cid, at, json_deep_copy(values),
				   json_string_value(json_object_get(js, "pageUrl")), false))
			return -ENOMEM;
	}
	return 0;
}

int hs_forms_load(struct sim_side *s, json_t *forms)
{
	json_t *jf;
	size_t i;
	int err;

	hs_forms_free(s);
	json_array_foreach(forms, i, jf)
		if ((err = form_load(s, jf)))
			return err;
	hs_forms_sort(s);
	return 0;
}

bool hs_forms_dump(struct sim_side *s, const char *object, struct sim_resp *resp)
{
	bool subs = !strcmp(object, "form_submissions");
	json_t *arr;

	if (!subs && strcmp(object, "forms"))
		return false;
	arr = json_array();
	for (size_t i = 0; i < s->nforms; i++) {
		struct hs_form *f = s->forms[i];

		if (!subs)
			json_array_append(arr, f->json);
		for (size_t k = 0; subs && k < f->nsubs; k++) {
			json_t *o = json_copy(f->subs[k].json);

			json_object_set_new(o, "formId", json_string(f->id));
			json_array_append_new(arr, o);
		}
	}
	sim_resp_json(resp, 200, arr);
	return true;
}

/* ---- query arguments and cursors --------------------------------------------------- */

/* limit=N in 1..max (default dflt); -EINVAL with the 400 already sent. */
static int arg_limit(const struct sim_req *req, long dflt, long max, long *out,
		     struct sim_resp *resp)
{
	const char *v = sim_req_arg(req, "limit");
	char *end;

	*out = dflt;
	if (!v)
		return 0;
	*out = strtol(v, &end, 10);
	if (*end || end == v || *out < 1 || *out > max) {
		hs_error(resp, 400, "VALIDATION_ERROR",
			 "limit must be a number between 1 and %ld, got '%s'", max, v);
		return -EINVAL;
	}
	return 0;
}

/* A cursor is "<ms>_<uuid>", the key of the last item returned. 1 when
 * given, 0 when absent, -EINVAL (400 sent) when it cannot be read. */
static int arg_after(const struct sim_req *req, int64_t *at, char *id, struct sim_resp *resp)
{
	const char *v = sim_req_arg(req, "after");
	char *end;

	if (!v || !*v)
		return 0;
	*at = strtoll(v, &end, 10);
	if (end == v || *end != '_' || strlen(end + 1) != 36) {
		hs_error(resp, 400, "VALIDATION_ERROR", "Invalid value for 'after': '%s'", v);
		return -EINVAL;
	}
	memcpy(id, end + 1, 37);
	return 1;
}

static void set_paging(json_t *out, const char *base, const char *path, int64_t at,
		       const char *id, long limit, const char *extra)
{
	char cur[64], link[512];

	snprintf(cur, sizeof(cur), "%lld_%s", (long long)at, id);
	snprintf(link, sizeof(link), "%s%s?after=%s&limit=%ld%s", base ? base : "", path, cur,
		 limit, extra);
	json_object_set_new(out, "paging", json_pack("{s:{s:s,s:s}}", "next", "after", cur,
						     "link", link));
}

/* ---- /marketing/v3/forms --------------------------------------------------------- */

static bool type_wanted(const struct sim_req *req, const char *type)
{
	const char *vals[16];
	size_t n = sim_req_arg_all(req, "formTypes", vals, 16);

	if (!n)
		return !strcmp(type, "hubspot");
	for (size_t i = 0; i < n && i < 16; i++) {
		for (const char *p = vals[i]; *p;) {
			size_t len = strcspn(p, ",");

			if ((len == 3 && !strncmp(p, "all", 3)) ||
			    (len == strlen(type) && !strncmp(p, type, len)))
				return true;
			p += len + (p[len] == ',');
		}
	}
	return false;
}

static bool form_listed(const struct sim_req *req, const struct hs_form *f, bool archived)
{
	const char *t = json_string_value(json_object_get(f->json, "formType"));

	return (f->archived_at != 0) == archived && type_wanted(req, t ? t : "");
}

static void list_forms(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp)
{
	const char *arch = sim_req_arg(req, "archived");
	bool archived = arch && !strcmp(arch, "true");
	json_t *results, *out;
	struct hs_form *last = NULL;
	char id[37];
	int64_t at = 0;
	size_t i = 0;
	long limit;
	int given;

	if (arg_limit(req, FORMS_LIMIT_DEFAULT, FORMS_LIMIT_MAX, &limit, resp) ||
	    (given = arg_after(req, &at, id, resp)) < 0)
		return;
	if (given) {
		i = forms_lower(s, at, id);
		if (i < s->nforms && !key_cmp(s->forms[i]->created, s->forms[i]->id, at, id))
			i++;
	}
	results = json_array();
	for (; i < s->nforms; i++) {
		if (!form_listed(req, s->forms[i], archived))
			continue;
		if (json_array_size(results) == (size_t)limit)
			break;
		json_array_append(results, s->forms[i]->json);
		last = s->forms[i];
	}
	out = json_pack("{s:o}", "results", results);
	if (i < s->nforms && last)
		set_paging(out, s->opts.hs_base_url, "/marketing/v3/forms", last->created, last->id,
			   limit, archived ? "&archived=true" : "");
	sim_resp_json(resp, 200, out);
}

static int check_form_input(json_t *body, char *why, size_t len)
{
	const char *type = json_string_value(json_object_get(body, "formType"));
	json_t *groups = json_object_get(body, "fieldGroups"), *g;
	size_t i, k;
	bool known = false;

	if (!json_string_value(json_object_get(body, "name")) ||
	    !*json_string_value(json_object_get(body, "name")))
		return snprintf(why, len, "Some required fields were not set: [name]"), -EINVAL;
	for (k = 0; type && k < sizeof(form_types) / sizeof(form_types[0]); k++)
		known |= !strcmp(type, form_types[k]);
	if (!known)
		return snprintf(why, len, "formType must be one of hubspot, captured, flow, "
				"blog_comment, got '%s'", type ? type : "(none)"), -EINVAL;
	if (!json_is_array(groups))
		return snprintf(why, len, "Some required fields were not set: [fieldGroups]"), -EINVAL;
	json_array_foreach(groups, i, g) {
		json_t *fld;

		if (!json_is_object(g) || !json_is_array(json_object_get(g, "fields")))
			return snprintf(why, len, "fieldGroups[%zu].fields must be an array", i), -EINVAL;
		json_array_foreach(json_object_get(g, "fields"), k, fld)
			if (!json_string_value(json_object_get(fld, "name")))
				return snprintf(why, len, "fieldGroups[%zu].fields[%zu].name is required",
						i, k), -EINVAL;
	}
	return 0;
}

static void create_form(struct sim_side *s, json_t *body, struct sim_resp *resp)
{
	json_t *def, *conf = default_configuration(), *disp = default_display(), *g;
	struct hs_form *f;
	char why[256], id[37];
	size_t i;

	if (check_form_input(body, why, sizeof(why))) {
		json_decref(conf);
		json_decref(disp);
		hs_error(resp, 400, "VALIDATION_ERROR", "%s", why);
		return;
	}
	def = json_deep_copy(body);
	json_object_update(conf, json_object_get(def, "configuration"));
	json_object_update(disp, json_object_get(def, "displayOptions"));
	json_object_set_new(def, "configuration", conf);
	json_object_set_new(def, "displayOptions", disp);
	if (!json_is_object(json_object_get(def, "legalConsentOptions")))
		json_object_set_new(def, "legalConsentOptions", json_pack("{s:s}", "type", "none"));
	json_array_foreach(json_object_get(def, "fieldGroups"), i, g)
		group_defaults(g);
	json_object_del(def, "createdAt");
	json_object_del(def, "updatedAt");
	json_object_del(def, "archived");
	json_object_del(def, "archivedAt");
	sim_uuid(id);
	f = hs_form_add(s, id, sim_now_ms(), def);
	if (!f) {
		hs_error(resp, 500, "INTERNAL_ERROR", "out of memory");
		return;
	}
	sim_resp_json(resp, 201, json_incref(f->json));
}

static void form_not_found(struct sim_resp *resp, const char *id)
{
	hs_error(resp, 404, "OBJECT_NOT_FOUND", "Form %s does not exist", id);
}

static void one_form(struct sim_side *s, const struct sim_req *req, const char *id,
		     struct sim_resp *resp)
{
	struct hs_form *f = hs_form_find(s, id);
	const char *arch = sim_req_arg(req, "archived");
	char ts[32];

	if (!strcmp(req->method, "DELETE")) {
		if (!f) {
			form_not_found(resp, id);
			return;
		}
		if (!f->archived_at) {
			f->archived_at = sim_now_ms();
			hs_iso(f->archived_at, ts);
			json_object_set_new(f->json, "archived", json_true());
			json_object_set_new(f->json, "archivedAt", json_string(ts));
		}
		sim_resp_json(resp, 204, NULL);
	} else if (!strcmp(req->method, "GET")) {
		if (!f || (f->archived_at && !(arch && !strcmp(arch, "true"))))
			form_not_found(resp, id);
		else
			sim_resp_json(resp, 200, json_incref(f->json));
	} else {
		hs_error(resp, 405, "VALIDATION_ERROR", "HTTP method %s is not supported here", req->method);
	}
}

static void forms_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		      struct sim_resp *resp)
{
	json_t *body;

	hs_label(resp, req, "/marketing/v3/forms%s", *rest ? "/{formId}" : "");
	if (hs_auth_check(s, req, false, resp))
		return;
	if (*rest) {
		one_form(s, req, rest, resp);
	} else if (!strcmp(req->method, "GET")) {
		list_forms(s, req, resp);
	} else if (!strcmp(req->method, "POST")) {
		if ((body = hs_parse_body(req, resp))) {
			create_form(s, body, resp);
			json_decref(body);
		}
	} else {
		hs_error(resp, 405, "VALIDATION_ERROR", "HTTP method %s is not supported here", req->method);
	}
}

/* ---- /form-integrations/v1/submissions/forms/{form_guid} --------------------------- */

static void list_submissions(struct sim_side *s, const struct sim_req *req, const char *guid,
			     struct sim_resp *resp)
{
	struct hs_form *f;
	struct hs_submission *last = NULL;
	json_t *results, *out;
	char id[37], path[128];
	int64_t at = 0;
	size_t i;
	long limit;
	int given;

	hs_label(resp, req, "/form-integrations/v1/submissions/forms/{form_guid}");
	if (hs_auth_check(s, req, false, resp))
		return;
	if (strcmp(req->method, "GET")) {
		hs_error(resp, 405, "VALIDATION_ERROR", "HTTP method %s is not supported here", req->method);
		return;
	}
	if (!(f = hs_form_find(s, guid))) {
		form_not_found(resp, guid);
		return;
	}
	if (arg_limit(req, SUBS_LIMIT_DEFAULT, SUBS_LIMIT_MAX, &limit, resp) ||
	    (given = arg_after(req, &at, id, resp)) < 0)
		return;
	/* newest first: walk down from just below the cursor's key */
	i = given ? subs_lower(f, at, id) : f->nsubs;
	results = json_array();
	for (; i > 0 && json_array_size(results) < (size_t)limit; i--) {
		last = &f->subs[i - 1];
		json_array_append(results, last->json);
	}
	out = json_pack("{s:o}", "results", results);
	if (i > 0 && last) {
		snprintf(path, sizeof(path), "/form-integrations/v1/submissions/forms/%s", f->id);
		set_paging(out, s->opts.hs_base_url, path, last->at, last->id, limit, "");
	}
	sim_resp_json(resp, 200, out);
}

/* ---- routing ------------------------------------------------------------------------ */

bool hs_forms_path(const char *p)
{
	return !strcmp(p, "/marketing/v3/forms") || !strncmp(p, "/marketing/v3/forms/", 20) ||
	       !strncmp(p, "/form-integrations/", 19) || !strncmp(p, "/submissions/v3/", 16);
}

void hs_forms_api(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp)
{
	const char *p = req->path;

	if (!strncmp(p, "/marketing/v3/forms", 19) && !strchr(p[19] ? p + 20 : "", '/')) {
		forms_api(s, req, p[19] ? p + 20 : "", resp);
	} else if (!strncmp(p, "/form-integrations/v1/submissions/forms/", 40) && p[40] &&
		   !strchr(p + 40, '/')) {
		list_submissions(s, req, p + 40, resp);
	} else if (!strncmp(p, "/submissions/v3/integration/secure/submit/", 42)) {
		hs_forms_submit(s, req, p + 42, true, resp);
	} else if (!strncmp(p, "/submissions/v3/integration/submit/", 35)) {
		hs_forms_submit(s, req, p + 35, false, resp);
	} else {
		hs_label(resp, req, "(unknown path)");
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "No resource at %s", p);
	}
}
