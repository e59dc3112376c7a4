/*
 * HubSpot side of crmsync-sim: the side's entry points (sim_hubspot_ops),
 * request routing for CRM v3/v4, forms and OAuth paths, HubSpot's error
 * shapes, the demo credentials and the side's own admin endpoint
 * (/__admin/config). The endpoints themselves live in hs_objects.c,
 * hs_search.c, hs_assoc.c, hs_meta.c, hs_forms*.c and hs_auth.c.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

/* ---- errors and helpers ---------------------------------------------------- */

static json_t *err_body_v(const char *category, const char *fmt, va_list ap)
{
	char msg[1024], cid[37];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	sim_uuid(cid);
	return json_pack("{s:s,s:s,s:s,s:s}", "status", "error", "message", msg,
			 "correlationId", cid, "category", category);
}

json_t *hs_err_body(const char *category, const char *fmt, ...)
{
	va_list ap;
	json_t *b;

	va_start(ap, fmt);
	b = err_body_v(category, fmt, ap);
	va_end(ap);
	return b;
}

void hs_error(struct sim_resp *resp, int status, const char *category, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sim_resp_json(resp, status, err_body_v(category, fmt, ap));
	va_end(ap);
}

json_t *hs_std_error(const char *category, const char *message, json_t *context)
{
	return json_pack("{s:s,s:s,s:s,s:o,s:[],s:{}}", "status", "error", "category", category,
			 "message", message, "context", context ? context : json_object(),
			 "errors", "links");
}

json_t *hs_parse_body(const struct sim_req *req, struct sim_resp *resp)
{
	json_error_t jerr;
	json_t *body;

	if (!req->body_len) {
		hs_error(resp, 400, "VALIDATION_ERROR", "Invalid input JSON: no content to map due to end-of-input");
		return NULL;
	}
	body = json_loadb(req->body, req->body_len, 0, &jerr);
	if (!body) {
		hs_error(resp, 400, "VALIDATION_ERROR", "Invalid input JSON on line %d, column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(body)) {
		json_decref(body);
		hs_error(resp, 400, "VALIDATION_ERROR", "Invalid input JSON on line 1, column 1: expected an object");
		return NULL;
	}
	return body;
}

void hs_label(struct sim_resp *resp, const struct sim_req *req, const char *fmt, ...)
{
	char path[80];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	snprintf(resp->endpoint, sizeof(resp->endpoint), "%s %s", req->method, path);
}

/* ---- side lifecycle --------------------------------------------------------- */

static const struct {
	const char *name, *type_id, *upper, *singular, *createprop, *modprop;
} type_table[HS_NTYPES] = {
	{"contacts", "0-1", "CONTACT", "contact", "createdate", "lastmodifieddate"},
	{"companies", "0-2", "COMPANY", "company", "createdate", "hs_lastmodifieddate"},
	{"deals", "0-3", "DEAL", "deal", "createdate", "hs_lastmodifieddate"},
	{"tasks", "0-27", "TASK", "task", "hs_createdate", "hs_lastmodifieddate"},
	{"notes", "0-46", "NOTE", "note", "hs_createdate", "hs_lastmodifieddate"},
	{"meetings", "0-47", "MEETING", "meeting", "hs_createdate", "hs_lastmodifieddate"},
	{"calls", "0-48", "CALL", "call", "hs_createdate", "hs_lastmodifieddate"},
	{"emails", "0-49", "EMAIL", "email", "hs_createdate", "hs_lastmodifieddate"},
};

static void fmt_secret(uint64_t *st, char *out, size_t len, const char *prefix)
{
	uint64_t a = sim_rand_next(st), b = sim_rand_next(st);

	snprintf(out, len, "%s%08x-%04x-%04x-%04x-%012llx", prefix, (unsigned)(a >> 32),
		 (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xffff, (unsigned)(b >> 48),
		 (unsigned long long)(b & 0xffffffffffffull));
}

static struct sim_side *hs_create(const struct sim_opts *opts)
{
	struct sim_side *s = calloc(1, sizeof(*s));
	uint64_t st;

	if (!s)
		return NULL;
	s->opts = *opts;
	s->burst_limit = opts->hs_burst_limit;
	s->daily_limit = opts->hs_daily_limit;
	s->search_rate = opts->hs_search_rate;
	s->assoc_limit = opts->hs_assoc_limit > 0 ? opts->hs_assoc_limit : 1000;
	s->token_ttl = opts->token_ttl > 0 && opts->token_ttl < 1800 ? opts->token_ttl : 1800;
	for (int t = 0; t < HS_NTYPES; t++) {
		struct hs_objtype *ot = &s->types[t];

		ot->t = (enum hs_type)t;
		ot->name = type_table[t].name;
		ot->type_id = type_table[t].type_id;
		ot->upper = type_table[t].upper;
		ot->singular = type_table[t].singular;
		ot->createprop = type_table[t].createprop;
		ot->modprop = type_table[t].modprop;
		/* below 2^31: the published v4 schema types object ids as int32 */
		ot->next_id = (uint64_t)(t + 1) * 100000000ull + 101;
	}
	st = opts->seed ^ 0x48554253504f54ull;
	fmt_secret(&st, s->pat, sizeof(s->pat), "pat-na1-");
	fmt_secret(&st, s->client_id, sizeof(s->client_id), "");
	fmt_secret(&st, s->client_secret, sizeof(s->client_secret), "");
	fmt_secret(&st, s->refresh_token, sizeof(s->refresh_token), "na1-");
	hs_meta_init(s);
	hs_props_init(s);
	hs_auth_init(s);
	hs_seed(s);
	return s;
}

static void hs_destroy(struct sim_side *s)
{
	if (!s)
		return;
	hs_store_free(s);
	hs_auth_free(s);
	json_decref(s->pipelines);
	json_decref(s->owners);
	free(s);
}

static json_t *hs_credentials(struct sim_side *s)
{
	char url[128];

	snprintf(url, sizeof(url), "%s/oauth/v1/token", s->opts.hs_base_url ? s->opts.hs_base_url : "");
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i}", "token", s->pat, "client_id", s->client_id,
			 "client_secret", s->client_secret, "refresh_token", s->refresh_token,
			 "token_url", url, "portal_id", 4410001);
}

/* ---- routing ------------------------------------------------------------------ */

static void hs_handle(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp)
{
	const char *p = req->path;
	char obj[64];
	struct hs_objtype *ot;

	if (!strncmp(p, "/oauth/v1/", 10)) {
		hs_oauth_api(s, req, p + 10, resp);
		return;
	}
	if (!strcmp(p, "/oauth/authorize")) {
		hs_oauth_authorize(s, req, resp);
		return;
	}
	if (!strcmp(p, "/account-info/v3/details")) {
		hs_label(resp, req, "%s", p);
		if (hs_auth_check(s, req, false, resp))
			return;
		sim_resp_json(resp, 200, json_pack("{s:i,s:s,s:s,s:s,s:[],s:s,s:i,s:s,s:s}",
			"portalId", 4410001, "accountType", "STANDARD", "timeZone", "Europe/Berlin",
			"companyCurrency", "EUR", "additionalCurrencies", "utcOffset", "+01:00",
			"utcOffsetMilliseconds", 3600000, "uiDomain", "app.hubspot.com",
			"dataHostingLocation", "na1"));
		return;
	}
	if (hs_forms_path(p)) {
		hs_forms_api(s, req, resp);
		return;
	}
	if (strncmp(p, "/crm/", 5)) {
		hs_label(resp, req, "(unknown path)");
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "No resource at %s", p);
		return;
	}
	if (!strncmp(p, "/crm/v3/objects/", 16)) {
		const char *rest = p + 16, *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		bool search = slash && !strcmp(slash, "/search");

		if (n >= sizeof(obj))
			n = sizeof(obj) - 1;
		memcpy(obj, rest, n);
		obj[n] = '\0';
		ot = hs_type_find(s, obj);
		hs_label(resp, req, "/crm/v3/objects/%s%s", ot ? ot->name : "{objectType}",
			 search ? "/search" : "");
		if (hs_auth_check(s, req, search, resp))
			return;
		if (!ot) {
			hs_error(resp, 400, "VALIDATION_ERROR", "Unable to infer object type from: %s", obj);
			return;
		}
		if (search && !strcmp(req->method, "POST"))
			hs_search_api(s, req, ot, resp);
		else
			hs_objects_api(s, req, ot, slash ? slash + 1 : "", resp);
		return;
	}
	hs_label(resp, req, "%s", p);
	if (hs_auth_check(s, req, false, resp))
		return;
	if (!strncmp(p, "/crm/v3/properties/", 19))
		hs_props_api(s, req, p + 19, resp);
	else if (!strncmp(p, "/crm/v3/pipelines/", 18))
		hs_pipelines_api(s, req, p + 18, resp);
	else if (!strcmp(p, "/crm/v3/owners") || !strncmp(p, "/crm/v3/owners/", 15))
		hs_owners_api(s, req, p[14] ? p + 15 : "", resp);
	else if (!strncmp(p, "/crm/v4/associations/", 21))
		hs_assoc_api(s, req, p + 21, resp);
	else if (!strncmp(p, "/crm/v4/objects/", 16))
		hs_assoc_objects_api(s, req, p + 16, resp);
	else {
		hs_label(resp, req, "(unknown path)");
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "No resource at %s", p);
	}
}

static void hs_dump(struct sim_side *s, const char *object, struct sim_resp *resp)
{
	hs_admin_dump(s, object, resp);
}

static int hs_admin_other(struct sim_side *s, const struct sim_req *req, const char *what,
			  struct sim_resp *resp)
{
	if (!strcmp(what, "config"))
		return hs_admin_config(s, req, resp);
	return -ENOENT;
}

static json_t *hs_save_state(struct sim_side *s)
{
	return hs_save(s);
}

static int hs_load_state(struct sim_side *s, json_t *st)
{
	return hs_load(s, st);
}

const struct sim_side_ops sim_hubspot_ops = {
	.name = "hubspot",
	.create = hs_create,
	.destroy = hs_destroy,
	.handle = hs_handle,
	.admin_dump = hs_dump,
	.admin_records = hs_admin_records,
	.admin_other = hs_admin_other,
	.save = hs_save_state,
	.load = hs_load_state,
	.credentials = hs_credentials,
};
