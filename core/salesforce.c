/*
 * salesforce.c - Salesforce REST client over http.c. Knows the OAuth token
 * endpoint, the /services/data paths and their JSON; refreshes the access
 * token once on 401 INVALID_SESSION_ID; reads throttling from the error body
 * (REQUEST_LIMIT_EXCEEDED), not only from the status. Never logs a token.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth_state.h"
#include "budget.h"
#include "cred.h"
#include "http.h"
#include "log.h"
#include "oauth.h"
#include "salesforce.h"
#include "store.h"
#include "util.h"

#define JWT_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"


struct sf_client {
	char *login_url;
	char *api_version;
	char *cred_path;
	char *client_id;
	char *client_secret;   /* secret */
	char *refresh_token;   /* secret */
	char *access_token;    /* secret */
	char *instance_url;
	char *identity_url;
	char *jwt_key;         /* JWT bearer flow: the key file and the user */
	char *jwt_user;
	char *audience;
	char *auth_header;     /* "Authorization: Bearer ..." (secret) */
	struct http_conn *conn;
	struct budget *budget;
	struct store *store;   /* borrowed; NULL: no lease, no revocation record */
	int fixed_session;     /* sf_set_session: never read the credentials */
	char last_refusal[160];
	long calls;
};

int sf_client_new(struct sf_client **out, const struct salesforce_settings *s,
		  struct budget *budget)
{
	struct sf_client *sf = xcalloc(1, sizeof(*sf));

	sf->conn = http_conn_new();
	if (!sf->conn) {
		free(sf);
		return -ENOMEM;
	}
	sf->login_url = xstrdup(s->login_url);
	sf->api_version = xstrdup(s->api_version);
	sf->cred_path = xstrdup(s->credentials);
	sf->budget = budget;
	*out = sf;
	return 0;
}

void sf_client_free(struct sf_client *sf)
{
	if (!sf)
		return;
	http_conn_free(sf->conn);
	free(sf->login_url);
	free(sf->api_version);
	free(sf->cred_path);
	free(sf->client_id);
	free(sf->instance_url);
	free(sf->identity_url);
	free(sf->jwt_key);
	free(sf->jwt_user);
	free(sf->audience);
	secret_free(&sf->client_secret);
	secret_free(&sf->refresh_token);
	secret_free(&sf->access_token);
	secret_free(&sf->auth_header);
	free(sf);
}

const char *sf_instance_url(const struct sf_client *sf)
{
	return sf->instance_url;
}

const char *sf_identity_url(const struct sf_client *sf)
{
	return sf->identity_url;
}

void sf_set_store(struct sf_client *sf, struct store *store)
{
	sf->store = store;
}

void sf_set_session(struct sf_client *sf, const char *access_token, const char *instance_url,
		    const char *identity_url)
{
	secret_free(&sf->access_token);
	secret_free(&sf->auth_header);
	sf->access_token = xstrdup(access_token);
	sf->auth_header = xasprintf("Authorization: Bearer %s", access_token);
	free(sf->instance_url);
	sf->instance_url = xstrdup(instance_url);
	free(sf->identity_url);
	sf->identity_url = identity_url ? xstrdup(identity_url) : NULL;
	sf->fixed_session = 1;
}

long sf_calls(const struct sf_client *sf)
{
	return sf->calls;
}

void sf_error_from_body(struct sf_error *err, int status, const char *body, size_t len)
{
	json_t *root, *first;
	const char *code = NULL, *msg = NULL;

	if (!err)
		return;
	memset(err, 0, sizeof(*err));
	err->http_status = status;
	if (body && len)
		snprintf(err->raw, sizeof(err->raw), "%.*s", (int)(len < sizeof(err->raw) ? len : sizeof(err->raw) - 1), body);
	root = body ? json_loadb(body, len, 0, NULL) : NULL;
	first = json_is_array(root) ? json_array_get(root, 0) : root;
	if (json_is_object(first)) {
		code = json_string_value(json_object_get(first, "errorCode"));
		if (!code)
			code = json_string_value(json_object_get(first, "statusCode"));
		if (!code)
			code = json_string_value(json_object_get(first, "error"));
		msg = json_string_value(json_object_get(first, "message"));
		if (!msg)
			msg = json_string_value(json_object_get(first, "error_description"));
	}
	snprintf(err->code, sizeof(err->code), "%s", code ? code : (status ? "HTTP_ERROR" : "TRANSPORT"));
	if (msg)
		snprintf(err->message, sizeof(err->message), "%s", msg);
	else if (!root && body && len)
		snprintf(err->message, sizeof(err->message), "unparsable response (%zu bytes) with HTTP %d",
			 len, status);
	else
		snprintf(err->message, sizeof(err->message), "HTTP %d", status);
	json_decref(root);
}

#define json_str cred_str

static int read_credentials(struct sf_client *sf)
{
	json_t *root;
	int err = cred_read(sf->cred_path, "salesforce", &root);

	if (err)
		return err;
	if (!json_str(root, "client_id") ||
	    (!json_str(root, "refresh_token") &&
	     (!json_str(root, "jwt_key_file") || !json_str(root, "username")))) {
		log_err("salesforce credentials '%s' lack client_id, or refresh_token (or jwt_key_file "
			"and username): reconnect with 'crmsync connect salesforce'", sf->cred_path);
		json_decref(root);
		return -EINVAL;
	}
	free(sf->client_id);
	sf->client_id = xstrdup(json_str(root, "client_id"));
	secret_free(&sf->client_secret);
	if (json_str(root, "client_secret"))
		sf->client_secret = xstrdup(json_str(root, "client_secret"));
	secret_free(&sf->refresh_token);
	if (json_str(root, "refresh_token"))
		sf->refresh_token = xstrdup(json_str(root, "refresh_token"));
	free(sf->jwt_key);
	free(sf->jwt_user);
	free(sf->audience);
	sf->jwt_key = sf->refresh_token || !json_str(root, "jwt_key_file") ? NULL
				: xstrdup(json_str(root, "jwt_key_file"));
	sf->jwt_user = sf->jwt_key ? xstrdup(json_str(root, "username")) : NULL;
	sf->audience = json_str(root, "audience") ? xstrdup(json_str(root, "audience")) : NULL;
	if (json_str(root, "login_url")) {
		free(sf->login_url);
		sf->login_url = xstrdup(json_str(root, "login_url"));
	}
	json_decref(root);
	return 0;
}

/* Token endpoint failures are final for invalid_grant; 5xx and transport
 * failures retry. */
static enum http_verdict token_classify(const struct crmsync_http_response *r, void *user,
					long *retry_after_ms)
{
	return r->status >= 500 || r->status == 429 ? HTTP_RETRY : HTTP_DONE;
}

static int token_grant(struct sf_client *sf)
{
	static const char *const form_headers[] = {
		"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL
	};
	struct http_retry_policy policy = { "salesforce", 4, 500, 8000, token_classify, NULL };
	struct crmsync_http_response *resp = NULL;
	struct strbuf body = { 0 };
	struct http_call call = { 0 };
	json_t *root = NULL;
	char *url, *e1, *e2, *e3 = NULL;
	int err;

	if (sf->jwt_key) {
		char *assertion = NULL;

		err = oauth_jwt_assertion(sf->jwt_key, sf->client_id, sf->jwt_user,
					  sf->audience ? sf->audience : sf->login_url, &assertion);
		if (err)
			return err;
		e1 = http_urlencode(assertion);
		secret_free(&assertion);
		strbuf_addf(&body, "grant_type=%s&assertion=%s&format=json", JWT_GRANT, e1);
		e2 = NULL;
	} else {
		e1 = http_urlencode(sf->refresh_token);
		e2 = http_urlencode(sf->client_id);
		strbuf_addf(&body, "grant_type=refresh_token&refresh_token=%s&client_id=%s&format=json",
			    e1, e2);
	}
	if (sf->client_secret && !sf->jwt_key) {
		e3 = http_urlencode(sf->client_secret);
		strbuf_addf(&body, "&client_secret=%s", e3);
	}
	url = xasprintf("%s/services/oauth2/token", sf->login_url);
	call.method = "POST";
	call.url = url;
	call.headers = form_headers;
	call.body = body.buf;
	call.body_len = body.len;
	err = http_perform_retry(sf->conn, &call, &policy, &resp, NULL);
	secure_zero(body.buf, body.len);
	strbuf_release(&body);
	secret_free(&e1);
	free(e2);
	secret_free(&e3);
	if (err) {
		log_err("cannot reach '%s': %s", url, strerror(-err));
		goto out;
	}
	sf->calls++;
	root = json_loadb(resp->body ? resp->body : "", resp->body_len, 0, NULL);
	if (resp->status != 200) {
		const char *code = json_str(root, "error");

		if (code && (strcmp(code, "invalid_grant") == 0 || strcmp(code, "invalid_client") == 0 ||
			     strcmp(code, "invalid_client_id") == 0)) {
			log_err("salesforce refused the stored credentials (%s: %s): reconnect with "
				"'crmsync connect salesforce'", code,
				json_str(root, "error_description") ? json_str(root, "error_description") : "");
			snprintf(sf->last_refusal, sizeof(sf->last_refusal), "%s: %s", code,
				 json_str(root, "error_description") ? json_str(root, "error_description") : "");
			err = -EKEYREJECTED;
		} else {
			log_err("salesforce token endpoint '%s' answered HTTP %d%s%s", url, resp->status,
				code ? ": " : "", code ? code : "");
			err = -EIO;
		}
		goto out;
	}
	if (!json_str(root, "access_token") || !json_str(root, "instance_url")) {
		log_err("salesforce token endpoint '%s' answered without access_token/instance_url", url);
		err = -EBADMSG;
		goto out;
	}
	if (!http_url_allowed(json_str(root, "instance_url"))) {
		log_err("salesforce gave an instance_url that is neither https nor loopback; refusing it");
		err = -EPERM;
		goto out;
	}
	secret_free(&sf->access_token);
	secret_free(&sf->auth_header);
	sf->access_token = xstrdup(json_str(root, "access_token"));
	sf->auth_header = xasprintf("Authorization: Bearer %s", sf->access_token);
	free(sf->instance_url);
	sf->instance_url = xstrdup(json_str(root, "instance_url"));
	free(sf->identity_url);
	sf->identity_url = json_str(root, "id") ? xstrdup(json_str(root, "id")) : NULL;
	/* a rotated refresh token is the new one to keep: saved at once, since
	 * the old one no longer works */
	if (sf->refresh_token && json_str(root, "refresh_token") &&
	    strcmp(json_str(root, "refresh_token"), sf->refresh_token)) {
		json_t *chg = json_pack("{s:s}", "refresh_token", json_str(root, "refresh_token"));

		secret_free(&sf->refresh_token);
		sf->refresh_token = xstrdup(json_str(root, "refresh_token"));
		if (cred_update(sf->cred_path, "salesforce", chg) == 0)
			log_info("salesforce rotated the refresh token; saved the new one in '%s'",
				 sf->cred_path);
		json_decref(chg);
	}
	err = 0;
out:
	json_decref(root);
	http_response_free(resp);
	free(url);
	return err;
}

/* The side stays stopped after a refused refresh until the credentials
 * file changes (a reconnect): no request reaches the token endpoint. */
static int still_revoked(struct sf_client *sf)
{
	static int told; /* once per stop, not once per cycle */
	char *reason = NULL;
	int64_t at = 0;

	if (auth_revoked_get(sf->store, "salesforce", &reason, &at)) {
		told = 0;
		return 0;
	}
	if (cred_mtime_ms(sf->cred_path) > at) {
		free(reason);
		told = 0;
		return 0;
	}
	if (!told++)
		log_err("salesforce sync is stopped: the credentials were refused (%s); reconnect with "
			"'crmsync connect salesforce'", reason);
	free(reason);
	return 1;
}

/* The org of the token (from its identity URL, /id/<org>/<user>) against
 * the org whose id map the state holds: another org's records would be
 * matched against this one's ids. The first login records it. */
static int same_org(struct sf_client *sf)
{
	const char *p = sf->identity_url ? strstr(sf->identity_url, "/id/") : NULL;
	char org[32] = "", user[32] = "", *known = NULL;
	int err = 0;

	if (!p || sscanf(p, "/id/%31[^/]/%31[^/?]", org, user) != 2)
		return 0;
	if (store_kv_get(sf->store, "salesforce.org_id", &known) == -ENOENT) {
		/* best effort: checked next time */
		store_kv_put(sf->store, "salesforce.org_id", org);
		store_kv_put(sf->store, "salesforce.user_id", user);
		return 0;
	}
	if (known && strcmp(known, org) != 0) {
		log_err("salesforce credentials '%s' belong to org %s, but the state '%s' holds the id "
			"map of org %s: reconnect a user of org %s, or start afresh with 'crmsync connect "
			"salesforce --new-org'", sf->cred_path, org, store_path(sf->store), known, known);
		err = -EXDEV;
	} else {
		/* who the state syncs as: `crmsync connect` checks a new user against it */
		store_kv_put(sf->store, "salesforce.user_id", user);
	}
	free(known);
	return err;
}

int sf_login(struct sf_client *sf)
{
	int err, leased = 0;

	if (sf->fixed_session)
		return -EKEYREJECTED; /* a session given by sf_set_session cannot be renewed */
	if (sf->store) {
		if (still_revoked(sf))
			return -EKEYREJECTED;
		err = auth_lease_take(sf->store, "salesforce", AUTH_LEASE_MS);
		if (err && err != -EALREADY)
			return err;
		leased = !err;
	}
	/* with the lease, read the file again: another process may have
	 * rotated the refresh token while we waited */
	if ((!sf->refresh_token && !sf->jwt_key) || leased) {
		err = read_credentials(sf);
		if (err)
			goto out;
	}
	err = token_grant(sf);
	if (!err && sf->store)
		err = same_org(sf);
	if (sf->store) {
		char *reason = NULL;
		int64_t at;

		if (err == -EKEYREJECTED) {
			reason = xasprintf("%s", sf->last_refusal[0] ? sf->last_refusal : "refused");
			auth_revoked_set(sf->store, "salesforce", reason);
		} else if (!err) {
			if (auth_revoked_get(sf->store, "salesforce", &reason, &at) == 0)
				auth_revoked_clear(sf->store, "salesforce");
			auth_ok(sf->store, "salesforce");
		}
		free(reason);
	}
out:
	if (leased)
		auth_lease_release(sf->store, "salesforce");
	return err;
}

int sf_identity(struct sf_client *sf, json_t **out)
{
	int status = 0, err;

	*out = NULL;
	if (!sf->access_token && (err = sf_login(sf)))
		return err;
	if (!sf->identity_url) {
		log_err("salesforce gave no identity URL with the access token");
		return -ENOENT;
	}
	err = oauth_get_json(sf->identity_url, sf->access_token, out, &status);
	sf->calls++;
	if (err == -EACCES && !sf->fixed_session) {
		err = sf_login(sf);
		if (!err)
			err = oauth_get_json(sf->identity_url, sf->access_token, out, &status);
	}
	if (err)
		log_err("cannot read the salesforce identity '%s': %s", sf->identity_url,
			status ? "refused" : strerror(-err));
	return err;
}

/* Parse "api-usage=18/100000" from Sforce-Limit-Info. */
static void observe_limits(struct sf_client *sf, const struct crmsync_http_response *r)
{
	const char *h = http_response_header(r, "Sforce-Limit-Info");
	long used, max;

	if (!h || !sf->budget)
		return;
	h = strstr(h, "api-usage=");
	if (h && sscanf(h, "api-usage=%ld/%ld", &used, &max) == 2 && used >= 0 && max > 0)
		budget_observe(sf->budget, used, max);
}

static enum http_verdict rest_classify(const struct crmsync_http_response *r, void *user,
				       long *retry_after_ms)
{
	if (r->status == 401)
		return HTTP_REAUTH;
	if (r->status == 429 || r->status >= 500)
		return HTTP_RETRY;
	if (r->status == 403 && r->body && strstr(r->body, "REQUEST_LIMIT_EXCEEDED")) {
		/* concurrency limits clear quickly; the daily one does not, and the
		 * budget pauses the engine long before it (see budget.c) */
		if (strstr(r->body, "ConcurrentPerOrgLongTxn"))
			return HTTP_RETRY;
		return HTTP_DONE;
	}
	return HTTP_DONE;
}

/* One REST call with budget, auth, retries, and one re-login on 401. */
static int rest_call(struct sf_client *sf, const char *method, const char *path, json_t *body_json,
		     struct crmsync_http_response **out, struct sf_error *serr)
{
	struct http_retry_policy policy = { "salesforce", 5, 1000, 60000, rest_classify, NULL };
	const char *headers[5];
	struct http_call call = { 0 };
	char *url, *body = NULL;
	int err = 0;

	*out = NULL;
	if (!sf->access_token) {
		err = sf_login(sf);
		if (err)
			goto out_fail;
	}
	if (body_json)
		body = json_dumps(body_json, JSON_COMPACT);
	url = path[0] == '/' && strncmp(path, "/services/", 10) != 0
		      ? xasprintf("%s/services/data/v%s%s", sf->instance_url, sf->api_version, path)
		      : xasprintf("%s%s", sf->instance_url, path);
	for (int tries = 0; tries < 2; tries++) {
		enum http_verdict v;
		long wait;

		if (sf->budget) {
			err = budget_take(sf->budget, 1, &wait);
			if (err)
				goto out_free;
		}
		headers[0] = sf->auth_header;
		headers[1] = "Accept: application/json";
		headers[2] = body ? "Content-Type: application/json" : NULL;
		headers[3] = NULL;
		call.method = method;
		call.url = url;
		call.headers = headers;
		call.body = body;
		call.body_len = body ? strlen(body) : 0;
		err = http_perform_retry(sf->conn, &call, &policy, out, &v);
		sf->calls++;
		if (err)
			break;
		observe_limits(sf, *out);
		if (v != HTTP_REAUTH || tries == 1)
			break;
		/* the session expired: one refresh, then once more */
		http_response_free(*out);
		*out = NULL;
		log_info("salesforce session expired; refreshing the access token");
		err = sf_login(sf);
		if (err)
			break;
	}
out_free:
	free(url);
	free(body);
out_fail:
	if (err) {
		if (serr) {
			memset(serr, 0, sizeof(*serr));
			snprintf(serr->code, sizeof(serr->code), "%s",
				 err == -EDQUOT ? "ALLOCATION_EXHAUSTED" : "TRANSPORT");
			snprintf(serr->message, sizeof(serr->message), "%s", strerror(-err));
		}
		return err;
	}
	if ((*out)->status >= 300) {
		sf_error_from_body(serr, (*out)->status, (*out)->body, (*out)->body_len);
		return (*out)->status == 401 ? -EACCES : -EREMOTEIO;
	}
	return 0;
}

static int parse_json(const struct crmsync_http_response *r, json_t **out, struct sf_error *serr)
{
	json_error_t jerr;

	*out = json_loadb(r->body ? r->body : "", r->body_len, 0, &jerr);
	if (*out)
		return 0;
	if (serr) {
		memset(serr, 0, sizeof(*serr));
		serr->http_status = r->status;
		snprintf(serr->code, sizeof(serr->code), "MALFORMED_RESPONSE");
		snprintf(serr->message, sizeof(serr->message), "response is not JSON: %s at byte %d",
			 jerr.text, jerr.position);
	}
	log_warn("salesforce sent a malformed response (HTTP %d, %zu bytes): %s", r->status,
		 r->body_len, jerr.text);
	return -EBADMSG;
}

int sf_get(struct sf_client *sf, const char *path, json_t **out, struct sf_error *serr)
{
	struct crmsync_http_response *r;
	int err = rest_call(sf, "GET", path, NULL, &r, serr);

	*out = NULL;
	if (!err)
		err = parse_json(r, out, serr);
	http_response_free(r);
	return err;
}

/* Hand a query page's records to cb; *next gets the next page's path (or
 * NULL when done). Returns 0 or a negative errno. */
static int take_page(json_t *page, int (*cb)(json_t *record, void *user), void *user, char **next,
		     struct sf_error *serr)
{
	json_t *records = json_object_get(page, "records"), *rec;
	size_t i;
	int err = 0;

	*next = NULL;
	if (!json_is_array(records) || !json_is_boolean(json_object_get(page, "done"))) {
		log_warn("salesforce query response lacks records/done");
		if (serr) {
			memset(serr, 0, sizeof(*serr));
			snprintf(serr->code, sizeof(serr->code), "MALFORMED_RESPONSE");
			snprintf(serr->message, sizeof(serr->message), "query page without records/done");
		}
		return -EBADMSG;
	}
	json_array_foreach(records, i, rec) {
		if (!json_is_object(rec))
			continue;
		err = cb(rec, user);
		if (err)
			return err;
	}
	if (!json_is_true(json_object_get(page, "done"))) {
		const char *n = json_string_value(json_object_get(page, "nextRecordsUrl"));

		if (!n || strncmp(n, "/services/data/", 15) != 0) {
			log_warn("salesforce query page says not done but has no usable nextRecordsUrl");
			return -EBADMSG;
		}
		*next = xstrdup(n);
	}
	return 0;
}

/* Follow nextRecordsUrl from path until the query is done. */
static int walk_pages(struct sf_client *sf, char *path, int (*cb)(json_t *record, void *user),
		      void *user, struct sf_error *serr)
{
	int err = 0;

	while (path && !err) {
		json_t *page = NULL;
		char *next = NULL;

		err = sf_get(sf, path, &page, serr);
		free(path);
		path = NULL;
		if (!err)
			err = take_page(page, cb, user, &next, serr);
		json_decref(page);
		path = next;
	}
	free(path);
	return err;
}

static char *query_path(struct sf_client *sf, const char *soql, int all, int full)
{
	char *q = http_urlencode(soql);
	char *path = full ? xasprintf("/services/data/v%s/%s?q=%s", sf->api_version,
				      all ? "queryAll" : "query", q)
			  : xasprintf("/%s?q=%s", all ? "queryAll" : "query", q);

	free(q);
	return path;
}

int sf_query(struct sf_client *sf, const char *soql, int all,
	     int (*cb)(json_t *record, void *user), void *user, struct sf_error *serr)
{
	return walk_pages(sf, query_path(sf, soql, all, 0), cb, user, serr);
}

/* A Composite request carries at most 5 query subrequests. */
#define QUERIES_PER_COMPOSITE 5

int sf_query_many(struct sf_client *sf, const char *const *soql, size_t n, int all,
		  int (*cb)(json_t *record, void *user), void *const *users, struct sf_error *serr)
{
	int err = 0;

	for (size_t i = 0; i < n && !err; i += QUERIES_PER_COMPOSITE) {
		size_t m = n - i < QUERIES_PER_COMPOSITE ? n - i : QUERIES_PER_COMPOSITE;
		json_t *subs, *out = NULL, *res;
		size_t k;

		if (m == 1) {
			err = sf_query(sf, soql[i], all, cb, users[i], serr);
			if (err > 0)
				err = 0;   /* that query alone stopped */
			break;
		}
		subs = json_array();
		for (k = 0; k < m; k++) {
			char ref[32], *path = query_path(sf, soql[i + k], all, 1);

			snprintf(ref, sizeof(ref), "q%zu", k);
			json_array_append_new(subs, json_pack("{s:s, s:s, s:s}", "method", "GET", "url",
							      path, "referenceId", ref));
			free(path);
		}
		err = sf_composite(sf, subs, 0, &out, serr);
		json_decref(subs);
		if (err)
			break;
		json_array_foreach(json_object_get(out, "compositeResponse"), k, res) {
			json_t *body = json_object_get(res, "body");
			int status = (int)json_integer_value(json_object_get(res, "httpStatusCode"));
			char *next = NULL;

			if (k >= m)
				break;
			if (status != 200) {
				char *raw = json_dumps(body, JSON_COMPACT);

				sf_error_from_body(serr, status, raw, raw ? strlen(raw) : 0);
				free(raw);
				err = -EREMOTEIO;
				break;
			}
			err = take_page(body, cb, users[i + k], &next, serr);
			if (!err && next)
				err = walk_pages(sf, next, cb, users[i + k], serr);
			else
				free(next);
			if (err > 0)
				err = 0;   /* cb stopped this query; the others go on */
			if (err)
				break;
		}
		json_decref(out);
	}
	return err;
}

static int collection_call(struct sf_client *sf, const char *method, const char *path,
			   json_t *body, size_t expect, json_t **results, struct sf_error *serr)
{
	struct crmsync_http_response *r;
	int err = rest_call(sf, method, path, body, &r, serr);

	*results = NULL;
	if (!err)
		err = parse_json(r, results, serr);
	http_response_free(r);
	if (!err && (!json_is_array(*results) || json_array_size(*results) != expect)) {
		log_warn("salesforce collection response has %zu results for %zu records",
			 json_is_array(*results) ? json_array_size(*results) : 0, expect);
		if (serr) {
			memset(serr, 0, sizeof(*serr));
			snprintf(serr->code, sizeof(serr->code), "MALFORMED_RESPONSE");
			snprintf(serr->message, sizeof(serr->message),
				 "collection response does not match the request");
		}
		json_decref(*results);
		*results = NULL;
		err = -EBADMSG;
	}
	return err;
}

int sf_upsert_collection(struct sf_client *sf, const char *object, const char *ext_field,
			 json_t *records, json_t **results, struct sf_error *serr)
{
	json_t *body = json_pack("{s:b, s:O}", "allOrNone", 0, "records", records);
	char *path = xasprintf("/composite/sobjects/%s/%s", object, ext_field);
	int err = collection_call(sf, "PATCH", path, body, json_array_size(records), results, serr);

	free(path);
	json_decref(body);
	return err;
}

int sf_update_collection(struct sf_client *sf, json_t *records, json_t **results,
			 struct sf_error *serr)
{
	json_t *body = json_pack("{s:b, s:O}", "allOrNone", 0, "records", records);
	int err = collection_call(sf, "PATCH", "/composite/sobjects", body, json_array_size(records),
				  results, serr);

	json_decref(body);
	return err;
}

int sf_create_collection(struct sf_client *sf, json_t *records, json_t **results,
			 struct sf_error *serr)
{
	json_t *body = json_pack("{s:b, s:O}", "allOrNone", 0, "records", records);
	int err = collection_call(sf, "POST", "/composite/sobjects", body, json_array_size(records),
				  results, serr);

	json_decref(body);
	return err;
}

int sf_delete_collection(struct sf_client *sf, const char *const *ids, size_t n, json_t **results,
			 struct sf_error *serr)
{
	struct strbuf sb = { 0 };
	char *path;
	int err;

	strbuf_addstr(&sb, "/composite/sobjects?allOrNone=false&ids=");
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&sb, "%s%s", i ? "," : "", ids[i]);
	path = strbuf_detach(&sb);
	err = collection_call(sf, "DELETE", path, NULL, n, results, serr);
	free(path);
	return err;
}

int sf_composite(struct sf_client *sf, json_t *subrequests, int all_or_none, json_t **out,
		 struct sf_error *serr)
{
	json_t *body = json_pack("{s:b, s:O}", "allOrNone", all_or_none, "compositeRequest",
				 subrequests);
	struct crmsync_http_response *r;
	int err = rest_call(sf, "POST", "/composite", body, &r, serr);

	json_decref(body);
	*out = NULL;
	if (!err)
		err = parse_json(r, out, serr);
	http_response_free(r);
	if (!err && !json_is_array(json_object_get(*out, "compositeResponse"))) {
		json_decref(*out);
		*out = NULL;
		err = -EBADMSG;
	}
	return err;
}

void sf_soql_datetime(long long ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

long long sf_parse_datetime(const char *s)
{
	struct tm tm;
	int ms = 0, off = 0, n = 0;
	char sign = '+';
	time_t t;

	if (!s)
		return -1;
	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	s += n;
	if (*s == '.') {
		int digits = 0;

		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*s - '0');
		while (digits > 0 && digits < 3) {
			ms *= 10;
			digits++;
		}
	}
	if (*s == '+' || *s == '-') {
		int hh = 0, mm = 0;

		sign = *s++;
		if (sscanf(s, "%2d:%2d", &hh, &mm) != 2 && sscanf(s, "%2d%2d", &hh, &mm) != 2)
			return -1;
		off = hh * 3600 + mm * 60;
	} else if (*s != 'Z' && *s != '\0') {
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	t += sign == '+' ? -off : off;
	return (long long)t * 1000 + ms;
}
