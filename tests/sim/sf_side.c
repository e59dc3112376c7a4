/*
 * crmsync-sim, Salesforce side: the side's entry points (struct
 * sim_side_ops): create/destroy, request dispatch with session checks, the
 * daily API allocation and the Sforce-Limit-Info header, and the routing of
 * /services/data/v59.0/... to the endpoint groups. Admin and persistence are
 * in sf_admin.c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

static int sf_load_schema_file(struct sim_side *s, const char *path)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);
	int rc;

	if (!j) {
		fprintf(stderr, "crmsync-sim: cannot read schema file '%s': %s (line %d)\n",
			path, jerr.text, jerr.line);
		return -EINVAL;
	}
	json_object_del(j, "_doc");
	rc = sf_config_merge(s->config, j);
	json_decref(j);
	return rc;
}

static struct sim_side *sf_create(const struct sim_opts *opts)
{
	struct sim_side *s = calloc(1, sizeof(*s));
	uint64_t st;

	if (!s)
		return NULL;
	s->opts = *opts;
	s->base_url = strdup(opts->sf_base_url ? opts->sf_base_url : "http://127.0.0.1:8401");
	s->opts.sf_base_url = s->base_url;
	s->opts.hs_base_url = NULL;
	s->opts.schema_file = NULL;
	if (s->opts.token_ttl <= 0)
		s->opts.token_ttl = 7200;
	s->api_max = opts->sf_daily_limit > 0 ? opts->sf_daily_limit : 100000;
	s->rng = opts->seed ^ 0x5A1E5F0Cull;
	s->started_ms = sim_now_ms();
	s->config = sf_config_default();
	s->ids = sf_map_new();
	if (!s->base_url || !s->config || !s->ids)
		goto out_free;
	if (opts->schema_file && sf_load_schema_file(s, opts->schema_file) < 0)
		goto out_free;
	if (sf_schema_build(s) < 0)
		goto out_free;
	for (int i = 0; i < SF_NOBJ; i++)
		s->objs[i].next_id = 6100000u + (opts->seed % 9973u) * 7919u + (uint64_t)i * 104729u;
	st = opts->seed * 0x9E3779B97F4A7C15ull + 17;
	snprintf(s->client_id, sizeof(s->client_id), "3MVG9sim%016llx",
		 (unsigned long long)sim_rand_next(&st));
	snprintf(s->client_secret, sizeof(s->client_secret), "%016llX%08llX",
		 (unsigned long long)sim_rand_next(&st),
		 (unsigned long long)(sim_rand_next(&st) & 0xffffffffu));
	snprintf(s->refresh_token, sizeof(s->refresh_token), "5Aep861sim.%016llx%016llx",
		 (unsigned long long)sim_rand_next(&st), (unsigned long long)sim_rand_next(&st));
	snprintf(s->username, sizeof(s->username), "integration@crmsync-sim.example");
	sf_id_make("00D", 1 + opts->seed % 1000, s->org_id);
	s->approve_user = 0;
	if (sf_generate(s) < 0 || sf_users_init(s) < 0)
		goto out_free;
	return s;

out_free:
	sf_store_free(s);
	sf_schema_free(s);
	json_decref(s->config);
	free(s->base_url);
	free(s);
	return NULL;
}

static void sf_destroy(struct sim_side *s)
{
	if (!s)
		return;
	sf_cursors_free(s);
	sf_bulk_free(s);
	sf_store_free(s);
	sf_schema_free(s);
	sf_users_free(s);
	json_decref(s->config);
	free(s->tokens);
	free(s->refresh);
	free(s->jwt_cert);
	free(s->base_url);
	free(s);
}

static json_t *sf_credentials(struct sim_side *s)
{
	char sandbox[256];

	sf_org_url(s, SF_ORG_SANDBOX, sandbox, sizeof(sandbox));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "login_url", s->base_url,
			 "sandbox_login_url", sandbox, "client_id", s->client_id,
			 "client_secret", s->client_secret, "refresh_token", s->refresh_token,
			 "username", s->username, "api_version", SF_VERSION,
			 "org_id", s->org_id, "sandbox_org_id", s->sandbox_org_id);
}

void sf_limits_handle(struct sim_side *s, struct sf_out *o)
{
	long rem = s->api_max - s->api_used;
	json_t *daily;

	if (rem < 0)
		rem = 0;
	daily = json_pack("{s:I, s:I}", "Max", (json_int_t)s->api_max, "Remaining", (json_int_t)rem);
	json_object_set_new(daily, "crmsync", json_pack("{s:i, s:i}", "Max", 0, "Remaining", 0));
	sf_out_json(o, 200, json_pack(
		"{s:o, s:{s:i,s:i}, s:{s:i,s:i}, s:{s:i,s:i}, s:{s:i,s:i}, s:{s:i,s:i},"
		" s:{s:i,s:i}, s:{s:i,s:i}, s:{s:i,s:i}}",
		"DailyApiRequests", daily,
		"DailyAsyncApexExecutions", "Max", 250000, "Remaining", 250000,
		"DailyBulkApiBatches", "Max", 15000, "Remaining", 15000,
		"DailyBulkV2QueryJobs", "Max", 10000, "Remaining", 10000,
		"DailyBulkV2QueryFileStorageMB", "Max", 976562, "Remaining", 976562,
		"DataStorageMB", "Max", 1024, "Remaining", 1000,
		"FileStorageMB", "Max", 1024, "Remaining", 1024,
		"SingleEmail", "Max", 15, "Remaining", 15,
		"ConcurrentSyncReportRuns", "Max", 20, "Remaining", 20));
}

static void sf_versions(struct sim_side *s, struct sim_resp *resp)
{
	json_t *arr = json_array();
	static const char *const vs[] = {"57.0", "58.0", "59.0", "60.0", "61.0", "62.0"};
	static const char *const labels[] = {"Spring '23", "Summer '23", "Winter '24",
					     "Spring '24", "Summer '24", "Winter '25"};

	(void)s;
	for (size_t i = 0; i < sizeof(vs) / sizeof(vs[0]); i++) {
		char url[64];
		snprintf(url, sizeof(url), "/services/data/v%s", vs[i]);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "label", labels[i],
						     "url", url, "version", vs[i]));
	}
	sim_resp_json(resp, 200, arr);
}

/* Parse the request's query string arguments we care about into an object. */
static json_t *sf_req_args(const struct sim_req *req)
{
	static const char *const names[] = {
		"q", "ids", "fields", "start", "end", "allOrNone", "locator", "maxRecords",
		"format",
	};
	json_t *a = json_object();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = sim_req_arg(req, names[i]);
		if (v)
			json_object_set_new(a, names[i], json_string(v));
	}
	return a;
}

void sf_route(struct sim_side *s, const struct sf_call *c, struct sf_out *o)
{
	const char *rest = c->path + strlen(SF_BASE);
	struct sf_object *obj;
	char name[64];

	if (strcmp(rest, "") == 0 || strcmp(rest, "/") == 0) {
		snprintf(o->endpoint, sizeof(o->endpoint), "GET /services/data/vXX.X");
		sf_out_json(o, 200, json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"limits", SF_BASE "/limits", "sobjects", SF_BASE "/sobjects",
			"query", SF_BASE "/query", "queryAll", SF_BASE "/queryAll",
			"composite", SF_BASE "/composite", "jobs", SF_BASE "/jobs",
			"search", SF_BASE "/search"));
		return;
	}
	if (strcmp(rest, "/limits") == 0 || strcmp(rest, "/limits/") == 0) {
		snprintf(o->endpoint, sizeof(o->endpoint), "GET /limits");
		sf_limits_handle(s, o);
		return;
	}
	if (strncmp(rest, "/query", 6) == 0) {
		sf_query_handle(s, c, rest, o);
		return;
	}
	if (strncmp(rest, "/composite/sobjects", 19) == 0) {
		sf_collections_handle(s, c, rest + 19, o);
		return;
	}
	if (strcmp(rest, "/composite") == 0 || strcmp(rest, "/composite/") == 0) {
		sf_composite_handle(s, c, o);
		return;
	}
	if (strncmp(rest, "/jobs/", 6) == 0) {
		sf_bulk_handle(s, c, rest + 5, o);
		return;
	}
	if (strcmp(rest, "/sobjects") == 0 || strcmp(rest, "/sobjects/") == 0) {
		snprintf(o->endpoint, sizeof(o->endpoint), "GET /sobjects");
		sf_describe_global(s, o);
		return;
	}
	if (strncmp(rest, "/sobjects/", 10) == 0) {
		const char *p = rest + 10, *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), p);
		obj = sf_object_find(s, name);
		if (!obj) {
			snprintf(o->endpoint, sizeof(o->endpoint), "%s /sobjects/{obj}", c->method);
			sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
			return;
		}
		if (slash && (strcmp(slash, "/describe") == 0 || strcmp(slash, "/describe/") == 0)) {
			sf_describe_handle(s, c, obj, o);
			return;
		}
		if (slash && (strncmp(slash, "/updated", 8) == 0 || strncmp(slash, "/deleted", 8) == 0) &&
		    (slash[8] == '\0' || strcmp(slash + 8, "/") == 0)) {
			sf_replication_handle(s, c, obj, slash[1] == 'd', o);
			return;
		}
		sf_records_handle(s, c, rest + 10, o);
		return;
	}
	snprintf(o->endpoint, sizeof(o->endpoint), "%s (unknown)", c->method);
	sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
}

static void sf_out_to_resp(struct sim_side *s, struct sf_out *o, struct sim_resp *resp,
			   bool limit_header)
{
	if (o->json)
		sim_resp_json(resp, o->status, json_incref(o->json));
	else if (o->raw)
		sim_resp_raw(resp, o->status, o->raw_type ? o->raw_type : "text/csv",
			     o->raw, o->raw_len);
	else
		sim_resp_raw(resp, o->status, NULL, "", 0);
	for (int i = 0; i < o->nh; i++)
		sim_resp_header(resp, o->hname[i], "%s", o->hvalue[i]);
	if (limit_header)
		sim_resp_header(resp, "Sforce-Limit-Info", "api-usage=%ld/%ld", s->api_used, s->api_max);
	snprintf(resp->endpoint, sizeof(resp->endpoint), "%s", o->endpoint);
}

static void sf_handle(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp)
{
	struct sf_call c = {0};
	struct sf_out o = {0};
	struct sim_req sub;
	int org = SF_ORG_PRODUCTION, user;

	/* the sandbox's login host and instance live under /sandbox */
	if (strncmp(req->path, SF_SANDBOX_PREFIX "/", sizeof(SF_SANDBOX_PREFIX)) == 0) {
		sub = *req;
		sub.path = req->path + sizeof(SF_SANDBOX_PREFIX) - 1;
		req = &sub;
		org = SF_ORG_SANDBOX;
	}
	if (strcmp(req->path, "/services/oauth2/token") == 0) {
		sf_auth_token(s, req, org, resp);
		return;
	}
	if (strcmp(req->path, "/services/oauth2/authorize") == 0) {
		sf_oauth_authorize(s, req, org, resp);
		return;
	}
	if (strncmp(req->path, "/id/", 4) == 0) {
		sf_identity(s, req, org, resp);
		return;
	}
	if (strcmp(req->path, "/services/data") == 0 || strcmp(req->path, "/services/data/") == 0) {
		snprintf(resp->endpoint, sizeof(resp->endpoint), "GET /services/data");
		sf_versions(s, resp);
		return;
	}
	if (strncmp(req->path, "/services/data/v", 16) != 0) {
		snprintf(resp->endpoint, sizeof(resp->endpoint), "%s (unknown)", req->method);
		sim_resp_json(resp, 404, sf_error_body("NOT_FOUND",
						       "The requested resource does not exist"));
		return;
	}
	if ((user = sf_auth_check(s, sim_req_header(req, "Authorization"), org)) < 0) {
		snprintf(resp->endpoint, sizeof(resp->endpoint), "%s (401)", req->method);
		sim_resp_json(resp, 401, sf_error_body("INVALID_SESSION_ID",
						       "Session expired or invalid"));
		return;
	}
	if (strncmp(req->path, SF_BASE, strlen(SF_BASE)) != 0 ||
	    (req->path[strlen(SF_BASE)] != '\0' && req->path[strlen(SF_BASE)] != '/')) {
		snprintf(resp->endpoint, sizeof(resp->endpoint), "%s (other version)", req->method);
		sim_resp_json(resp, 404, sf_error_body("NOT_FOUND",
			"The requested resource does not exist (this simulator serves v" SF_VERSION ")"));
		return;
	}
	if (s->api_used >= s->api_max) {
		snprintf(resp->endpoint, sizeof(resp->endpoint), "%s (403 limit)", req->method);
		sim_resp_json(resp, 403, sf_error_body("REQUEST_LIMIT_EXCEEDED",
						       "TotalRequests Limit exceeded."));
		sim_resp_header(resp, "Sforce-Limit-Info", "api-usage=%ld/%ld", s->api_used, s->api_max);
		return;
	}
	s->api_used++;
	sf_user_activate(s, user);
	c.method = req->method;
	c.path = req->path;
	c.args = sf_req_args(req);
	c.body = req->body;
	c.body_len = req->body_len;
	c.content_type = sim_req_header(req, "Content-Type");
	c.query_options = sim_req_header(req, "Sforce-Query-Options");
	c.dup_header = sim_req_header(req, "Sforce-Duplicate-Rule-Header");
	c.if_modified_since = sim_req_header(req, "If-Modified-Since");
	sf_route(s, &c, &o);
	sf_out_to_resp(s, &o, resp, true);
	sf_out_free(&o);
	json_decref(c.args);
}

const struct sim_side_ops sim_salesforce_ops = {
	.name = "salesforce",
	.create = sf_create,
	.destroy = sf_destroy,
	.handle = sf_handle,
	.admin_dump = sf_admin_dump,
	.admin_records = sf_admin_records,
	.admin_other = sf_admin_other,
	.save = sf_save,
	.load = sf_load,
	.credentials = sf_credentials,
};
