/*
 * HubSpot side of crmsync-sim: the Forms API (/marketing/v3/forms: list,
 * read, create, archive), the submissions read
 * (/form-integrations/v1/submissions/forms/{guid}, newest first) and the
 * routing of every forms path. Cursors name the last item returned by its
 * (time, uuid) key, so items added between two page reads never shift the
 * pages. Storage is in hs_forms_store.c, the submit endpoints in
 * hs_forms_submit.c. Forms are not CRM objects: they have their own store.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

#define FORMS_LIMIT_DEFAULT 20
#define FORMS_LIMIT_MAX 100
#define SUBS_LIMIT_DEFAULT 20
#define SUBS_LIMIT_MAX 50

static const char *const form_types[] = {"hubspot", "captured", "flow", "blog_comment"};

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
		i = hs_forms_lower(s, at, id);
		if (i < s->nforms && !hs_form_key_cmp(s->forms[i]->created, s->forms[i]->id, at, id))
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

static int bad_input(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad_input(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* 0, or -EINVAL with the reason in why. */
static int check_form_input(json_t *body, char *why, size_t len)
{
	const char *type = json_string_value(json_object_get(body, "formType"));
	json_t *groups = json_object_get(body, "fieldGroups"), *g;
	size_t i, k;
	bool known = false;

	if (!json_string_value(json_object_get(body, "name")) ||
	    !*json_string_value(json_object_get(body, "name")))
		return bad_input(why, len, "Some required fields were not set: [name]");
	for (k = 0; type && k < sizeof(form_types) / sizeof(form_types[0]); k++)
		known |= !strcmp(type, form_types[k]);
	if (!known)
		return bad_input(why, len, "formType must be one of hubspot, captured, flow, "
				 "blog_comment, got '%s'", type ? type : "(none)");
	if (!json_is_array(groups))
		return bad_input(why, len, "Some required fields were not set: [fieldGroups]");
	json_array_foreach(groups, i, g) {
		json_t *fld;

		if (!json_is_object(g) || !json_is_array(json_object_get(g, "fields")))
			return bad_input(why, len, "fieldGroups[%zu].fields must be an array", i);
		json_array_foreach(json_object_get(g, "fields"), k, fld)
			if (!json_string_value(json_object_get(fld, "name")))
				return bad_input(why, len, "fieldGroups[%zu].fields[%zu].name is required",
						 i, k);
	}
	return 0;
}

static void create_form(struct sim_side *s, json_t *body, struct sim_resp *resp)
{
	struct hs_form *f;
	char why[256], id[37];
	json_t *def;

	if (check_form_input(body, why, sizeof(why))) {
		hs_error(resp, 400, "VALIDATION_ERROR", "%s", why);
		return;
	}
	def = json_deep_copy(body);
	hs_form_fill_defaults(def);
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
	i = given ? hs_subs_lower(f, at, id) : f->nsubs;
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
