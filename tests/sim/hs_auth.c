/*
 * HubSpot side of crmsync-sim: authentication (private app token, OAuth
 * access tokens from /oauth/v1/token), the rate limits (rolling 10-second
 * window per token kind, daily counter, searches per second) with the
 * X-HubSpot-RateLimit-* headers and 429 bodies, and /__admin/config to change
 * the limits at run time.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs.h"

static const char no_creds[] =
	"Authentication credentials not found. This API supports OAuth 2.0 authentication and "
	"you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview";

/* ---- rolling windows -------------------------------------------------------- */

static void win_init(struct hs_window *w, int cap)
{
	free(w->t);
	memset(w, 0, sizeof(*w));
	if (cap > 0) {
		w->t = calloc((size_t)cap, sizeof(*w->t));
		w->cap = w->t ? cap : 0;
	}
}

static int win_count(struct hs_window *w, int64_t now, int64_t span)
{
	while (w->n && w->t[w->head] <= now - span) {
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
	return w->n;
}

static void win_push(struct hs_window *w, int64_t now)
{
	if (!w->cap)
		return;
	if (w->n == w->cap) {
		w->head = (w->head + 1) % w->cap;
		w->n--;
	}
	w->t[(w->head + w->n) % w->cap] = now;
	w->n++;
}

void hs_auth_init(struct sim_side *s)
{
	win_init(&s->burst_pat, s->burst_limit);
	win_init(&s->burst_oauth, s->burst_limit);
	win_init(&s->search, s->search_rate);
}

void hs_auth_free(struct sim_side *s)
{
	win_init(&s->burst_pat, 0);
	win_init(&s->burst_oauth, 0);
	win_init(&s->search, 0);
}

static void rate_429(struct sim_resp *resp, const char *policy, const char *message)
{
	char cid[37], rid[37];

	sim_uuid(cid);
	sim_uuid(rid);
	sim_resp_json(resp, 429, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "status", "error",
		"message", message, "errorType", "RATE_LIMIT", "correlationId", cid,
		"policyName", policy, "requestId", rid));
}

static struct hs_access *access_find(struct sim_side *s, const char *tok)
{
	for (int i = 0; i < s->naccess; i++)
		if (!strcmp(s->access[i].token, tok))
			return &s->access[i];
	return NULL;
}

int hs_auth_check(struct sim_side *s, const struct sim_req *req, bool search, struct sim_resp *resp)
{
	const char *h = sim_req_header(req, "Authorization");
	int64_t now = sim_now_ms();
	struct hs_window *w;
	struct hs_access *a = NULL;
	bool oauth = false;
	int used;

	if (!h || strncasecmp(h, "Bearer ", 7)) {
		hs_error(resp, 401, "INVALID_AUTHENTICATION", "%s", no_creds);
		return -EACCES;
	}
	h += 7;
	while (*h == ' ')
		h++;
	if (strcmp(h, s->pat) || s->pat_revoked) {
		a = access_find(s, h);
		if (!a) {
			hs_error(resp, 401, "INVALID_AUTHENTICATION", "%s", no_creds);
			return -EACCES;
		}
		if (a->expires <= now) {
			hs_error(resp, 401, "EXPIRED_AUTHENTICATION",
				 "The OAuth token used to make this call expired %lld minute(s) ago.",
				 (long long)((now - a->expires) / 60000));
			return -EACCES;
		}
		oauth = true;
	}
	if (now / 86400000 != s->daily_day) {
		s->daily_day = now / 86400000;
		s->daily_used = 0;
	}
	if (search && s->search_rate > 0) {
		if (win_count(&s->search, now, 1000) >= s->search_rate) {
			rate_429(resp, "SECONDLY", "You have reached your secondly limit.");
			return -EAGAIN;
		}
		win_push(&s->search, now);
	}
	w = oauth ? &s->burst_oauth : &s->burst_pat;
	used = s->burst_limit > 0 ? win_count(w, now, 10000) : 0;
	if (s->burst_limit > 0 && used >= s->burst_limit) {
		rate_429(resp, "TEN_SECONDLY_ROLLING", "You have reached your ten secondly rolling limit.");
		used = s->burst_limit;
	} else if (s->daily_limit > 0 && s->daily_used >= s->daily_limit) {
		rate_429(resp, "DAILY", "You have reached your daily limit.");
	} else {
		resp->status = 0;
		win_push(w, now);
		used++;
		s->daily_used++;
	}
	if (!search) {
		if (!oauth && s->daily_limit > 0) {
			sim_resp_header(resp, "X-HubSpot-RateLimit-Daily", "%ld", s->daily_limit);
			sim_resp_header(resp, "X-HubSpot-RateLimit-Daily-Remaining", "%ld",
					s->daily_limit > s->daily_used ? s->daily_limit - s->daily_used : 0);
		}
		if (s->burst_limit > 0) {
			sim_resp_header(resp, "X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
			sim_resp_header(resp, "X-HubSpot-RateLimit-Max", "%d", s->burst_limit);
			sim_resp_header(resp, "X-HubSpot-RateLimit-Remaining", "%d", s->burst_limit - used);
		}
	}
	return resp->status == 429 ? -EAGAIN : 0;
}

/* ---- OAuth ------------------------------------------------------------------- */

static void oauth_error(struct sim_resp *resp, const char *status, const char *message)
{
	char cid[37];

	sim_uuid(cid);
	sim_resp_json(resp, 400, json_pack("{s:s,s:s,s:s}", "status", status, "message", message,
					   "correlationId", cid));
}

static void oauth_token(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp)
{
	char grant[64], cid[64], secret[64], rt[128];
	struct hs_access *a;
	uint64_t st;

	if (sim_form_get(req->body, req->body_len, "grant_type", grant, sizeof(grant)) ||
	    (strcmp(grant, "refresh_token") && strcmp(grant, "authorization_code"))) {
		oauth_error(resp, "BAD_GRANT_TYPE", "missing or unknown grant type");
		return;
	}
	if (sim_form_get(req->body, req->body_len, "client_id", cid, sizeof(cid)) ||
	    strcmp(cid, s->client_id)) {
		oauth_error(resp, "BAD_CLIENT_ID", "missing or unknown client id");
		return;
	}
	if (sim_form_get(req->body, req->body_len, "client_secret", secret, sizeof(secret)) ||
	    strcmp(secret, s->client_secret)) {
		oauth_error(resp, "BAD_CLIENT_SECRET", "missing or invalid client secret");
		return;
	}
	if (!strcmp(grant, "authorization_code")) {
		if (sim_form_get(req->body, req->body_len, "code", rt, sizeof(rt)) || strcmp(rt, "demo-code")) {
			oauth_error(resp, "BAD_AUTH_CODE", "missing or unknown auth code");
			return;
		}
	} else if (sim_form_get(req->body, req->body_len, "refresh_token", rt, sizeof(rt)) ||
		   strcmp(rt, s->refresh_token) || s->refresh_revoked) {
		oauth_error(resp, "BAD_REFRESH_TOKEN", "missing or invalid refresh token");
		return;
	}
	if (s->naccess == (int)(sizeof(s->access) / sizeof(s->access[0]))) {
		memmove(&s->access[0], &s->access[1], sizeof(s->access) - sizeof(s->access[0]));
		s->naccess--;
	}
	a = &s->access[s->naccess++];
	st = s->opts.seed ^ (++s->tokseq * 0x9E3779B97F4A7C15ull) ^ (uint64_t)sim_now_ms();
	snprintf(a->token, sizeof(a->token), "COa%016llx%016llxQ%llu",
		 (unsigned long long)sim_rand_next(&st), (unsigned long long)sim_rand_next(&st),
		 (unsigned long long)s->tokseq);
	a->expires = sim_now_ms() + (int64_t)s->token_ttl * 1000;
	sim_resp_json(resp, 200, json_pack("{s:s,s:s,s:s,s:i}", "token_type", "bearer",
		"refresh_token", s->refresh_token, "access_token", a->token, "expires_in", s->token_ttl));
}

void hs_oauth_authorize(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp)
{
	const char *cid = sim_req_arg(req, "client_id"), *uri = sim_req_arg(req, "redirect_uri");
	const char *state = sim_req_arg(req, "state");

	hs_label(resp, req, "/oauth/authorize");
	if (!cid || strcmp(cid, s->client_id)) {
		hs_error(resp, 400, "BAD_CLIENT_ID", "missing or unknown client id");
		return;
	}
	if (!uri || (strncmp(uri, "http://127.0.0.1:", 17) && strncmp(uri, "http://localhost:", 17))) {
		hs_error(resp, 400, "BAD_REDIRECT_URI", "redirect_uri must be a loopback URL here");
		return;
	}
	/* the state is echoed as given: crmsync sends URL-safe characters only */
	sim_resp_header(resp, "Location", "%s%scode=demo-code%s%s", uri, strchr(uri, '?') ? "&" : "?",
			state ? "&state=" : "", state ? state : "");
	sim_resp_raw(resp, 302, "text/html", "<html><body>Redirecting</body></html>\n", 38);
}

void hs_oauth_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		  struct sim_resp *resp)
{
	if (!strcmp(rest, "token")) {
		hs_label(resp, req, "/oauth/v1/token");
		if (strcmp(req->method, "POST"))
			oauth_error(resp, "BAD_REQUEST", "use POST");
		else
			oauth_token(s, req, resp);
		return;
	}
	if (!strncmp(rest, "access-tokens/", 14) && !strcmp(req->method, "GET")) {
		struct hs_access *a = access_find(s, rest + 14);
		int64_t now = sim_now_ms();

		hs_label(resp, req, "/oauth/v1/access-tokens/{token}");
		if (!a || a->expires <= now) {
			hs_error(resp, 404, "OBJECT_NOT_FOUND", "Token not found or expired");
			return;
		}
		sim_resp_json(resp, 200, json_pack(
			"{s:s,s:s,s:s,s:[s,s,s,s,s,s],s:[],s:[],s:[],s:i,s:i,s:I,s:i,s:s}", "token", a->token,
			"user", "alex.morgan@crmsync-demo.example", "hub_domain", "crmsync-demo.hubspot.com",
			"scopes", "oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
			"crm.objects.companies.write", "crm.objects.deals.write", "crm.schemas.contacts.read",
			"scope_to_scope_group_pks", "trial_scopes", "trial_scope_to_scope_group_pks",
			"hub_id", 4410001, "app_id", 1234567, "expires_in", (json_int_t)((a->expires - now) / 1000),
			"user_id", 9100001, "token_type", "access"));
		return;
	}
	if (!strncmp(rest, "refresh-tokens/", 15) && !strcmp(req->method, "GET")) {
		hs_label(resp, req, "/oauth/v1/refresh-tokens/{token}");
		if (strcmp(rest + 15, s->refresh_token)) {
			hs_error(resp, 404, "OBJECT_NOT_FOUND", "Refresh token not found");
			return;
		}
		sim_resp_json(resp, 200, json_pack("{s:s,s:s,s:s,s:[s],s:i,s:s,s:i,s:s}", "token",
			s->refresh_token, "user", "alex.morgan@crmsync-demo.example", "hub_domain",
			"crmsync-demo.hubspot.com", "scopes", "oauth", "hub_id", 4410001,
			"client_id", s->client_id, "user_id", 9100001, "token_type", "refresh"));
		return;
	}
	hs_label(resp, req, "/oauth/v1/(unknown)");
	hs_error(resp, 404, "OBJECT_NOT_FOUND", "No resource at /oauth/v1/%s", rest);
}

/* ---- /__admin/config ----------------------------------------------------------- */

int hs_admin_config(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp)
{
	snprintf(resp->endpoint, sizeof(resp->endpoint), "admin config");
	if (!strcmp(req->method, "POST")) {
		json_error_t jerr;
		json_t *b = json_loadb(req->body, req->body_len, 0, &jerr), *v;

		if (!json_is_object(b)) {
			json_decref(b);
			sim_resp_json(resp, 400, json_pack("{s:s}", "error", "body must be a JSON object"));
			return 0;
		}
		if (json_is_integer(v = json_object_get(b, "burst_limit"))) {
			s->burst_limit = (int)json_integer_value(v);
			win_init(&s->burst_pat, s->burst_limit);
			win_init(&s->burst_oauth, s->burst_limit);
		}
		if (json_is_integer(v = json_object_get(b, "search_rate"))) {
			s->search_rate = (int)json_integer_value(v);
			win_init(&s->search, s->search_rate);
		}
		if (json_is_integer(v = json_object_get(b, "daily_limit")))
			s->daily_limit = (long)json_integer_value(v);
		if (json_is_integer(v = json_object_get(b, "daily_used")))
			s->daily_used = (long)json_integer_value(v);
		if (json_is_integer(v = json_object_get(b, "assoc_limit")) && json_integer_value(v) > 0)
			s->assoc_limit = (int)json_integer_value(v);
		if (json_is_integer(v = json_object_get(b, "token_ttl")) && json_integer_value(v) > 0)
			s->token_ttl = (int)json_integer_value(v);
		if (json_is_true(json_object_get(b, "expire_tokens")))
			for (int i = 0; i < s->naccess; i++)
				s->access[i].expires = sim_now_ms() - 1;
		if (json_is_boolean(v = json_object_get(b, "revoke_refresh_token")))
			s->refresh_revoked = json_is_true(v);
		if (json_is_boolean(v = json_object_get(b, "revoke_private_app_token")))
			s->pat_revoked = json_is_true(v);
		json_decref(b);
	} else if (strcmp(req->method, "GET")) {
		sim_resp_json(resp, 405, json_pack("{s:s}", "error", "use GET or POST"));
		return 0;
	}
	sim_resp_json(resp, 200, json_pack("{s:i,s:I,s:I,s:i,s:i,s:i}", "burst_limit", s->burst_limit,
		"daily_limit", (json_int_t)s->daily_limit, "daily_used", (json_int_t)s->daily_used,
		"search_rate", s->search_rate, "assoc_limit", s->assoc_limit, "token_ttl", s->token_ttl));
	return 0;
}
