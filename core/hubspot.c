/*
 * hubspot.c - HubSpot CRM v3 client over http.c. Knows the paths, the JSON,
 * the rate-limit headers and the 10,000-result search cap. Never logs a
 * token.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth_state.h"
#include "cred.h"
#include "hubspot.h"
#include "http.h"
#include "log.h"
#include "salesforce.h"
#include "util.h"

#define HS_SEARCH_PAGE 200
#define HS_SEARCH_CAP 10000

struct hs_client {
	char *base_url;
	char *cred_path;
	char *client_id;
	char *client_secret;  /* secret */
	char *refresh_token;  /* secret */
	char *access_token;   /* secret */
	char *auth_header;    /* secret */
	int oauth;
	int fixed;            /* hs_set_token: never read the credentials */
	int refused;          /* the token was refused: no more calls */
	struct store *store;  /* borrowed; NULL: no revocation record */
	char last_refusal[160];
	struct http_conn *conn;
	long calls;
};

int hs_client_new(struct hs_client **out, const struct hubspot_settings *s)
{
	struct hs_client *hs = xcalloc(1, sizeof(*hs));

	hs->conn = http_conn_new();
	if (!hs->conn) {
		free(hs);
		return -ENOMEM;
	}
	hs->base_url = xstrdup(s->base_url);
	hs->cred_path = xstrdup(s->credentials);
	*out = hs;
	return 0;
}

void hs_client_free(struct hs_client *hs)
{
	if (!hs)
		return;
	http_conn_free(hs->conn);
	free(hs->base_url);
	free(hs->cred_path);
	free(hs->client_id);
	secret_free(&hs->client_secret);
	secret_free(&hs->refresh_token);
	secret_free(&hs->access_token);
	secret_free(&hs->auth_header);
	free(hs);
}

long hs_calls(const struct hs_client *hs)
{
	return hs->calls;
}

void hs_set_store(struct hs_client *hs, struct store *store)
{
	hs->store = store;
}

void hs_set_token(struct hs_client *hs, const char *access_token)
{
	secret_free(&hs->access_token);
	secret_free(&hs->auth_header);
	hs->access_token = xstrdup(access_token);
	hs->auth_header = xasprintf("Authorization: Bearer %s", access_token);
	hs->oauth = 0;
	hs->fixed = 1;
}

int hs_is_oauth(const struct hs_client *hs)
{
	return hs->oauth;
}

void hs_error_from_body(struct hs_error *err, int status, const char *body, size_t len)
{
	json_t *root, *first;
	const char *s;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->http_status = status;
	if (body && len)
		snprintf(err->raw, sizeof(err->raw), "%.*s", (int)(len < sizeof(err->raw) ? len : sizeof(err->raw) - 1), body);
	root = body ? json_loadb(body, len, 0, NULL) : NULL;
	s = json_string_value(json_object_get(root, "category"));
	if (!s)
		s = json_string_value(json_object_get(root, "errorType"));
	if (!s)
		s = json_string_value(json_object_get(root, "status"));
	snprintf(err->category, sizeof(err->category), "%s", s ? s : "HTTP_ERROR");
	first = json_array_get(json_object_get(root, "errors"), 0);
	s = json_string_value(json_object_get(first, "code"));
	if (!s)
		s = json_string_value(json_object_get(root, "subCategory"));
	if (s)
		snprintf(err->subcode, sizeof(err->subcode), "%s", s);
	s = json_string_value(json_object_get(root, "message"));
	if (s)
		snprintf(err->message, sizeof(err->message), "%s", s);
	else
		snprintf(err->message, sizeof(err->message), "HTTP %d%s", status,
			 root || !len ? "" : " with an unparsable body");
	json_decref(root);
}

#define json_str cred_str

static int read_credentials(struct hs_client *hs)
{
	json_t *root;
	int err = cred_read(hs->cred_path, "hubspot", &root);

	if (err)
		return err;
	if (json_str(root, "access_token") && !json_str(root, "refresh_token")) {
		hs->oauth = 0;
		secret_free(&hs->access_token);
		hs->access_token = xstrdup(json_str(root, "access_token"));
	} else if (json_str(root, "refresh_token") && json_str(root, "client_id") &&
		   json_str(root, "client_secret")) {
		hs->oauth = 1;
		free(hs->client_id);
		hs->client_id = xstrdup(json_str(root, "client_id"));
		secret_free(&hs->client_secret);
		hs->client_secret = xstrdup(json_str(root, "client_secret"));
		secret_free(&hs->refresh_token);
		hs->refresh_token = xstrdup(json_str(root, "refresh_token"));
	} else {
		log_err("hubspot credentials '%s' need either access_token (private app) or "
			"client_id, client_secret and refresh_token (OAuth): reconnect with "
			"'crmsync connect hubspot'", hs->cred_path);
		json_decref(root);
		return -EINVAL;
	}
	json_decref(root);
	return 0;
}

static int oauth_refresh(struct hs_client *hs)
{
	static const char *const form_headers[] = {
		"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL
	};
	struct http_retry_policy policy = { "hubspot", 4, 500, 8000, NULL, NULL };
	struct crmsync_http_response *resp = NULL;
	struct strbuf body = { 0 };
	struct http_call call = { 0 };
	json_t *root = NULL;
	char *url, *e1, *e2, *e3;
	int err;

	e1 = http_urlencode(hs->refresh_token);
	e2 = http_urlencode(hs->client_id);
	e3 = http_urlencode(hs->client_secret);
	strbuf_addf(&body, "grant_type=refresh_token&refresh_token=%s&client_id=%s&client_secret=%s",
		    e1, e2, e3);
	secret_free(&e1);
	free(e2);
	secret_free(&e3);
	url = xasprintf("%s/oauth/v1/token", hs->base_url);
	call.method = "POST";
	call.url = url;
	call.headers = form_headers;
	call.body = body.buf;
	call.body_len = body.len;
	err = http_perform_retry(hs->conn, &call, &policy, &resp, NULL);
	secure_zero(body.buf, body.len);
	strbuf_release(&body);
	if (err) {
		log_err("cannot reach '%s': %s", url, strerror(-err));
		goto out;
	}
	hs->calls++;
	root = json_loadb(resp->body ? resp->body : "", resp->body_len, 0, NULL);
	if (resp->status != 200 || !json_str(root, "access_token")) {
		if (resp->status == 400 || resp->status == 401) {
			log_err("hubspot refused the stored refresh token (%s): reconnect with "
				"'crmsync connect hubspot'",
				json_str(root, "status") ? json_str(root, "status") : "HTTP error");
			snprintf(hs->last_refusal, sizeof(hs->last_refusal), "%s: %s",
				 json_str(root, "status") ? json_str(root, "status") : "HTTP error",
				 json_str(root, "message") ? json_str(root, "message") : "");
			err = -EKEYREJECTED;
		} else {
			log_err("hubspot token endpoint '%s' answered HTTP %d", url, resp->status);
			err = -EIO;
		}
		goto out;
	}
	secret_free(&hs->access_token);
	hs->access_token = xstrdup(json_str(root, "access_token"));
	if (json_str(root, "refresh_token") && strcmp(json_str(root, "refresh_token"), hs->refresh_token)) {
		json_t *chg = json_pack("{s:s}", "refresh_token", json_str(root, "refresh_token"));

		secret_free(&hs->refresh_token);
		hs->refresh_token = xstrdup(json_str(root, "refresh_token"));
		if (cred_update(hs->cred_path, "hubspot", chg) == 0)
			log_info("hubspot rotated the refresh token; saved the new one in '%s'",
				 hs->cred_path);
		json_decref(chg);
	}
out:
	json_decref(root);
	http_response_free(resp);
	free(url);
	return err;
}

/* Like Salesforce: after a refused refresh token, stay stopped until the
 * credentials file changes. */
static int still_revoked(struct hs_client *hs)
{
	static int told; /* once per stop, not once per cycle */
	char *reason = NULL;
	int64_t at = 0;

	if (auth_revoked_get(hs->store, "hubspot", &reason, &at)) {
		told = 0;
		return 0;
	}
	if (cred_mtime_ms(hs->cred_path) > at) {
		free(reason);
		told = 0;
		return 0;
	}
	if (!told++)
		log_err("hubspot sync is stopped: the credentials were refused (%s); reconnect with "
			"'crmsync connect hubspot'", reason);
	free(reason);
	return 1;
}

int hs_login(struct hs_client *hs)
{
	int err, leased = 0;

	if (hs->fixed)
		goto header;
	if (hs->store && still_revoked(hs))
		return -EKEYREJECTED;
	if (!hs->access_token && !hs->refresh_token) {
		err = read_credentials(hs);
		if (err)
			return err;
	}
	if (hs->oauth) {
		if (hs->store) {
			err = auth_lease_take(hs->store, "hubspot", AUTH_LEASE_MS);
			if (err && err != -EALREADY)
				return err;
			leased = !err;
			if (leased && (err = read_credentials(hs))) {
				auth_lease_release(hs->store, "hubspot");
				return err;
			}
		}
		err = oauth_refresh(hs);
		if (hs->store && err == -EKEYREJECTED)
			auth_revoked_set(hs->store, "hubspot", hs->last_refusal[0] ? hs->last_refusal : "refused");
		if (leased)
			auth_lease_release(hs->store, "hubspot");
		if (err)
			return err;
	}
	if (hs->store) {
		char *reason = NULL;
		int64_t at;

		if (auth_revoked_get(hs->store, "hubspot", &reason, &at) == 0)
			auth_revoked_clear(hs->store, "hubspot");
		free(reason);
	}
header:
	secret_free(&hs->auth_header);
	hs->auth_header = xasprintf("Authorization: Bearer %s", hs->access_token);
	return 0;
}

/* 429: wait out the 10-second window (HubSpot promises no Retry-After); the
 * daily limit is final for this cycle. */
static enum http_verdict rest_classify(const struct crmsync_http_response *r, void *user,
				       long *retry_after_ms)
{
	const char *h;

	if (r->status == 401)
		return HTTP_REAUTH;
	if (r->status == 429) {
		if (r->body && strstr(r->body, "\"DAILY\""))
			return HTTP_DONE;
		h = http_response_header(r, "X-HubSpot-RateLimit-Interval-Milliseconds");
		*retry_after_ms = h ? atol(h) : 10000;
		if (*retry_after_ms <= 0 || *retry_after_ms > 60000)
			*retry_after_ms = 10000;
		return HTTP_RETRY;
	}
	if (r->status >= 500)
		return HTTP_RETRY;
	return HTTP_DONE;
}

static int rest_call(struct hs_client *hs, const char *method, const char *path, json_t *body_json,
		     json_t **out, struct hs_error *herr)
{
	struct http_retry_policy policy = { "hubspot", 6, 1000, 30000, rest_classify, NULL };
	struct crmsync_http_response *r = NULL;
	struct http_call call = { 0 };
	const char *headers[4];
	char *url, *body = NULL;
	json_error_t jerr;
	int err = 0;

	*out = NULL;
	if (hs->refused) {
		err = -EKEYREJECTED;
		goto out_fail;
	}
	if (!hs->auth_header) {
		err = hs_login(hs);
		if (err)
			goto out_fail;
	}
	if (body_json)
		body = json_dumps(body_json, JSON_COMPACT);
	url = xasprintf("%s%s", hs->base_url, path);
	for (int tries = 0; tries < 2; tries++) {
		enum http_verdict v;

		headers[0] = hs->auth_header;
		headers[1] = "Accept: application/json";
		headers[2] = body ? "Content-Type: application/json" : NULL;
		headers[3] = NULL;
		call.method = method;
		call.url = url;
		call.headers = headers;
		call.body = body;
		call.body_len = body ? strlen(body) : 0;
		err = http_perform_retry(hs->conn, &call, &policy, &r, &v);
		hs->calls++;
		if (err || v != HTTP_REAUTH || !hs->oauth || tries == 1)
			break;
		http_response_free(r);
		r = NULL;
		log_info("hubspot access token expired; refreshing it");
		err = hs_login(hs);
		if (err)
			break;
	}
	free(url);
	free(body);
out_fail:
	if (err) {
		if (herr) {
			memset(herr, 0, sizeof(*herr));
			snprintf(herr->category, sizeof(herr->category), "TRANSPORT");
			snprintf(herr->message, sizeof(herr->message), "%s", strerror(-err));
		}
		return err;
	}
	if (r->status >= 300 && r->status != 207) {
		hs_error_from_body(herr, r->status, r->body, r->body_len);
		err = r->status == 401 ? -EACCES : -EREMOTEIO;
		/* a private-app token does not expire: a 401 means it was rotated
		 * or the app deleted; stop until someone reconnects */
		if (r->status == 401 && !hs->oauth && !hs->fixed && hs->store) {
			char *why = xasprintf("INVALID_AUTHENTICATION: the private app token was refused");

			if (auth_revoked_set(hs->store, "hubspot", why) == 1)
				log_err("hubspot refused the private app token: reconnect with 'crmsync "
					"connect hubspot'");
			free(why);
			hs->refused = 1;
			err = -EKEYREJECTED;
		}
		goto out;
	}
	if (r->status == 204 || !r->body_len)
		goto out;
	*out = json_loadb(r->body, r->body_len, 0, &jerr);
	if (!*out) {
		log_warn("hubspot sent a malformed response (HTTP %d, %zu bytes): %s", r->status,
			 r->body_len, jerr.text);
		if (herr) {
			memset(herr, 0, sizeof(*herr));
			herr->http_status = r->status;
			snprintf(herr->category, sizeof(herr->category), "MALFORMED_RESPONSE");
			snprintf(herr->message, sizeof(herr->message), "response is not JSON: %s", jerr.text);
		}
		err = -EBADMSG;
	}
out:
	http_response_free(r);
	return err;
}

int hs_request(struct hs_client *hs, const char *method, const char *path, json_t *body,
	       json_t **out, struct hs_error *herr)
{
	return rest_call(hs, method, path, body, out, herr);
}

int hs_get(struct hs_client *hs, const char *path, json_t **out, struct hs_error *herr)
{
	return rest_call(hs, "GET", path, NULL, out, herr);
}

int hs_batch_read(struct hs_client *hs, const char *object, json_t *properties, json_t *inputs,
		  const char *id_property, json_t **out, struct hs_error *herr)
{
	/* propertiesWithHistory: optional for the API, required by its published
	 * description; an empty list satisfies both */
	json_t *body = json_pack("{s:O, s:O, s:[]}", "inputs", inputs, "properties", properties,
				 "propertiesWithHistory");
	char *path = xasprintf("/crm/v3/objects/%s/batch/read", object);
	int err;

	if (id_property)
		json_object_set_new(body, "idProperty", json_string(id_property));
	err = rest_call(hs, "POST", path, body, out, herr);
	free(path);
	json_decref(body);
	return err;
}

int hs_batch(struct hs_client *hs, const char *object, const char *op, json_t *inputs,
	     const char *id_property, json_t **out, struct hs_error *herr)
{
	json_t *body = json_pack("{s:O}", "inputs", inputs);
	char *path = xasprintf("/crm/v3/objects/%s/batch/%s", object, op);
	int err;

	if (id_property)
		json_object_set_new(body, "idProperty", json_string(id_property));
	err = rest_call(hs, "POST", path, body, out, herr);
	free(path);
	json_decref(body);
	return err;
}

long long hs_parse_time(const char *s)
{
	int64_t v;

	if (!s || !*s)
		return -1;
	if (parse_int64(s, &v) == 0)
		return v;
	return sf_parse_datetime(s);
}

/* Ids already delivered at the window's lower bound (same timestamp). */
struct seen {
	char **ids;
	size_t n;
};

static int seen_has(const struct seen *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return 1;
	return 0;
}

static void seen_reset(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->ids[i]);
	s->n = 0;
}

static void seen_add(struct seen *s, const char *id)
{
	s->ids = xrealloc(s->ids, (s->n + 1) * sizeof(*s->ids));
	s->ids[s->n++] = xstrdup(id);
}

int hs_search_modified(struct hs_client *hs, const char *object, const char *modprop,
		       long long since_ms, const char *const *properties,
		       int (*cb)(json_t *record, void *user), void *user, long long *max_ms,
		       struct hs_error *herr)
{
	char *path = xasprintf("/crm/v3/objects/%s/search", object);
	struct seen at_bound = { 0 }, at_max = { 0 };
	long long bound = since_ms, newest = since_ms;
	long offset = 0;
	int err = 0;

	for (;;) {
		json_t *body, *props = json_array(), *resp = NULL, *results, *rec;
		char value[32], after[32];
		const char *next;
		size_t i;

		json_array_append_new(props, json_string(modprop));
		for (const char *const *p = properties; p && *p; p++)
			json_array_append_new(props, json_string(*p));
		snprintf(value, sizeof(value), "%lld", bound);
		snprintf(after, sizeof(after), "%ld", offset);
		body = json_pack("{s:[{s:[{s:s, s:s, s:s}]}], s:[{s:s, s:s}], s:o, s:i, s:s}",
				 "filterGroups", "filters", "propertyName", modprop, "operator", "GTE",
				 "value", value, "sorts", "propertyName", modprop, "direction", "ASCENDING",
				 "properties", props, "limit", HS_SEARCH_PAGE, "after", after);
		err = rest_call(hs, "POST", path, body, &resp, herr);
		json_decref(body);
		if (err)
			break;
		results = json_object_get(resp, "results");
		if (!json_is_array(results)) {
			log_warn("hubspot search response for '%s' lacks results", object);
			json_decref(resp);
			err = -EBADMSG;
			break;
		}
		json_array_foreach(results, i, rec) {
			const char *id = json_str(rec, "id");
			long long m = hs_parse_time(json_str(json_object_get(rec, "properties"), modprop));

			if (!id || m < 0)
				continue;
			/* records at the bound were delivered by the previous window */
			if (m == bound && seen_has(&at_bound, id))
				continue;
			err = cb(rec, user);
			if (err)
				break;   /* a record cb did not take is not "seen" */
			if (m > newest) {
				newest = m;
				seen_reset(&at_max);
			}
			if (m == newest)
				seen_add(&at_max, id);
		}
		next = json_str(json_object_get(json_object_get(resp, "paging"), "next"), "after");
		if (err || !next) {
			json_decref(resp);
			break;
		}
		offset = atol(next);
		json_decref(resp);
		if (offset + HS_SEARCH_PAGE > HS_SEARCH_CAP) {
			/* narrow the window: restart at the newest timestamp seen */
			if (newest == bound) {
				log_err("hubspot: more than %d '%s' records share the modification time %lld; "
					"cannot page past them", HS_SEARCH_CAP, object, bound);
				err = -E2BIG;
				break;
			}
			bound = newest;
			seen_reset(&at_bound);
			for (size_t k = 0; k < at_max.n; k++)
				seen_add(&at_bound, at_max.ids[k]);
			offset = 0;
		}
	}
	seen_reset(&at_bound);
	seen_reset(&at_max);
	free(at_bound.ids);
	free(at_max.ids);
	free(path);
	if (max_ms)
		*max_ms = newest;
	return err;
}

int hs_account(struct hs_client *hs, json_t **out, struct hs_error *herr)
{
	return rest_call(hs, "GET", "/account-info/v3/details", NULL, out, herr);
}

int hs_assoc_batch(struct hs_client *hs, const char *from, const char *to, const char *op,
		   json_t *inputs, json_t **out, struct hs_error *herr)
{
	json_t *body = json_pack("{s:O}", "inputs", inputs);
	char *path = xasprintf("/crm/v4/associations/%s/%s/batch/%s", from, to, op);
	int err;

	err = rest_call(hs, "POST", path, body, out, herr);
	free(path);
	json_decref(body);
	return err;
}
