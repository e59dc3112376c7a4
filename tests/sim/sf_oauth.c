/*
 * crmsync-sim, Salesforce side: the users crmsync can connect as, the two
 * orgs (production and a sandbox with its own org id and login host), and
 * the OAuth flows beyond the refresh grant: the authorize endpoint of the
 * web-server flow (auto-approves the configured user, PKCE S256 checked at
 * the code exchange), the identity URL, refresh-token rotation and the JWT
 * bearer grant. Must never accept a code twice or a verifier that does not
 * match its challenge.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBCRYPTO
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#endif

#include "sf.h"

#define CODE_TTL_MS (15 * 60 * 1000)

/* The users when the config has no "users": the integration user of the
 * generated data, a second one with the same rights, one that may not edit
 * Contact.Title / Lead.Title and cannot create Opportunities, and the
 * integration user of the sandbox. */
static const char default_users[] =
	"[{\"username\":\"integration@crmsync-sim.example\",\"name\":\"crmsync Integration\","
	"\"org\":\"production\"},"
	"{\"username\":\"second@crmsync-sim.example\",\"name\":\"Second Integration\","
	"\"org\":\"production\"},"
	"{\"username\":\"limited@crmsync-sim.example\",\"name\":\"Limited User\",\"org\":\"production\","
	"\"field_permissions\":{\"Contact\":{\"Title\":\"read\"},\"Lead\":{\"Title\":\"read\"}},"
	"\"object_permissions\":{\"Opportunity\":\"read\"}},"
	"{\"username\":\"integration@crmsync-sim.example.sandbox\",\"name\":\"Sandbox Integration\","
	"\"org\":\"sandbox\"}]";

void sf_users_free(struct sim_side *s)
{
	for (size_t i = 0; i < s->nusers; i++) {
		json_decref(s->users[i].fls);
		json_decref(s->users[i].ops);
	}
	free(s->users);
	s->users = NULL;
	s->nusers = 0;
}

int sf_users_init(struct sim_side *s)
{
	json_t *list = json_object_get(s->config, "users"), *own = NULL, *u;
	size_t i;

	if (!json_is_array(list) || !json_array_size(list))
		list = own = json_loads(default_users, 0, NULL);
	if (!list)
		return -ENOMEM;
	sf_users_free(s);
	s->users = calloc(json_array_size(list), sizeof(*s->users));
	if (!s->users) {
		json_decref(own);
		return -ENOMEM;
	}
	sf_id_make("00D", 500 + s->opts.seed % 1000, s->sandbox_org_id);
	json_array_foreach(list, i, u) {
		struct sf_user *x = &s->users[s->nusers];
		const char *name = json_string_value(json_object_get(u, "username"));
		const char *org = json_string_value(json_object_get(u, "org"));

		if (!name)
			continue;
		snprintf(x->username, sizeof(x->username), "%s", name);
		snprintf(x->name, sizeof(x->name), "%s",
			 json_string_value(json_object_get(u, "name")) ?
			 json_string_value(json_object_get(u, "name")) : name);
		x->org = org && strcmp(org, "sandbox") == 0 ? SF_ORG_SANDBOX : SF_ORG_PRODUCTION;
		/* the first user is the one the generated data belongs to */
		if (s->nusers == 0 && s->user_id[0])
			memcpy(x->id, s->user_id, 19);
		else
			sf_id_make("005", 900000 + s->nusers, x->id);
		x->fls = json_incref(json_object_get(u, "field_permissions"));
		x->ops = json_incref(json_object_get(u, "object_permissions"));
		s->nusers++;
	}
	json_decref(own);
	if (!s->nusers)
		return -EINVAL;
	if (s->approve_user < 0 || (size_t)s->approve_user >= s->nusers)
		s->approve_user = 0;
	/* the demo refresh token of the ready line belongs to the first user */
	if (!s->nrefresh) {
		struct sf_refresh *r = calloc(16, sizeof(*r));

		if (!r)
			return -ENOMEM;
		s->refresh = r;
		s->caprefresh = 16;
		snprintf(r->tok, sizeof(r->tok), "%s", s->refresh_token);
		s->nrefresh = 1;
	}
	s->cur_user = -1;
	sf_user_activate(s, 0);
	return 0;
}

int sf_user_find(struct sim_side *s, const char *username)
{
	for (size_t i = 0; username && i < s->nusers; i++)
		if (strcmp(s->users[i].username, username) == 0)
			return (int)i;
	return -ENOENT;
}

void sf_user_activate(struct sim_side *s, int u)
{
	if (u == s->cur_user || u < 0 || (size_t)u >= s->nusers)
		return;
	s->cur_user = u;
	sf_schema_apply_perms(s);
}

int sf_refresh_issue(struct sim_side *s, int u, char *out, size_t len)
{
	struct sf_refresh *r;

	if (s->nrefresh == s->caprefresh) {
		size_t ncap = s->caprefresh ? s->caprefresh * 2 : 16;

		r = realloc(s->refresh, ncap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		s->refresh = r;
		s->caprefresh = ncap;
	}
	r = &s->refresh[s->nrefresh++];
	memset(r, 0, sizeof(*r));
	r->user = u;
	snprintf(r->tok, sizeof(r->tok), "5Aep861sim.%016llx%016llx",
		 (unsigned long long)sim_rand_next(&s->rng), (unsigned long long)sim_rand_next(&s->rng));
	snprintf(out, len, "%s", r->tok);
	return 0;
}

int sf_refresh_lookup(struct sim_side *s, const char *tok)
{
	for (size_t i = 0; i < s->nrefresh; i++)
		if (strcmp(s->refresh[i].tok, tok) == 0)
			return s->refresh[i].revoked || (size_t)s->refresh[i].user >= s->nusers
				       ? -ENOENT : s->refresh[i].user;
	return -ENOENT;
}

void sf_refresh_revoke(struct sim_side *s, const char *tok)
{
	for (size_t i = 0; i < s->nrefresh; i++)
		if (strcmp(s->refresh[i].tok, tok) == 0)
			s->refresh[i].revoked = true;
}

void sf_org_url(struct sim_side *s, int org, char *out, size_t len)
{
	snprintf(out, len, "%s%s", s->base_url, org == SF_ORG_SANDBOX ? SF_SANDBOX_PREFIX : "");
}

const char *sf_org_id(struct sim_side *s, int org)
{
	return org == SF_ORG_SANDBOX ? s->sandbox_org_id : s->org_id;
}

void sf_base64url(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	size_t w = 0;

	sf_base64(in, len, out, outlen);
	for (size_t i = 0; out[i]; i++) {
		if (out[i] == '=')
			break;
		out[w++] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	}
	out[w] = '\0';
}

/* ---- the authorize endpoint ------------------------------------------------ */

static int redirect_allowed(const char *uri)
{
	/* the connected app's callbacks: loopback on any port (a CLI's listener) */
	static const char *const ok[] = { "http://127.0.0.1:", "http://localhost:", "http://[::1]:" };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strncmp(uri, ok[i], strlen(ok[i])) == 0)
			return 1;
	return 0;
}

static void redirect(struct sim_resp *resp, const char *uri, const char *query)
{
	sim_resp_header(resp, "Location", "%s%s%s", uri, strchr(uri, '?') ? "&" : "?", query);
	sim_resp_raw(resp, 302, "text/html", "<html><body>Redirecting</body></html>\n", 38);
}

/* Percent-encode s into out (RFC 3986 unreserved kept). */
static void enc(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s && o + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~') {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

void sf_oauth_authorize(struct sim_side *s, const struct sim_req *req, int org,
			struct sim_resp *resp)
{
	const char *rt = sim_req_arg(req, "response_type"), *cid = sim_req_arg(req, "client_id");
	const char *uri = sim_req_arg(req, "redirect_uri"), *state = sim_req_arg(req, "state");
	const char *ch = sim_req_arg(req, "code_challenge");
	const char *method = sim_req_arg(req, "code_challenge_method");
	char q[512], st[256] = "";
	struct sf_code *c;
	int u = (size_t)s->approve_user < s->nusers ? s->approve_user : 0;

	snprintf(resp->endpoint, sizeof(resp->endpoint), "GET /services/oauth2/authorize");
	if (!cid || strcmp(cid, s->client_id) != 0) {
		sf_oauth_error(resp, 400, "invalid_client_id", "client identifier invalid");
		return;
	}
	if (!uri || !redirect_allowed(uri)) {
		sf_oauth_error(resp, 400, "redirect_uri_mismatch",
			       "redirect_uri must match configuration");
		return;
	}
	if (state)
		enc(state, st, sizeof(st));
	if (!rt || strcmp(rt, "code") != 0) {
		snprintf(q, sizeof(q), "error=unsupported_response_type&error_description=%s&state=%s",
			 "response%20type%20not%20supported", st);
		redirect(resp, uri, q);
		return;
	}
	if (ch && method && strcmp(method, "S256") != 0) {
		snprintf(q, sizeof(q), "error=invalid_request&error_description=%s&state=%s",
			 "code_challenge_method%20must%20be%20S256", st);
		redirect(resp, uri, q);
		return;
	}
	if (s->users[u].org != org) {
		/* the approved user signs in at the other environment's login host */
		snprintf(q, sizeof(q), "error=access_denied&error_description=%s&state=%s",
			 org == SF_ORG_SANDBOX ? "user%20is%20not%20a%20sandbox%20user"
					       : "user%20is%20a%20sandbox%20user", st);
		redirect(resp, uri, q);
		return;
	}
	c = &s->codes[s->next_code++ % SF_MAX_CODES];
	memset(c, 0, sizeof(*c));
	snprintf(c->code, sizeof(c->code), "aPrx%016llx%08llx",
		 (unsigned long long)sim_rand_next(&s->rng),
		 (unsigned long long)(sim_rand_next(&s->rng) & 0xffffffffu));
	c->user = u;
	c->org = org;
	snprintf(c->challenge, sizeof(c->challenge), "%s", ch ? ch : "");
	snprintf(c->redirect, sizeof(c->redirect), "%s", uri);
	c->expires_ms = sim_now_ms() + CODE_TTL_MS;
	snprintf(q, sizeof(q), "code=%s&state=%s", c->code, st);
	redirect(resp, uri, q);
}

int sf_grant_code(struct sim_side *s, const struct sim_req *req, int org, int *user,
		  struct sim_resp *resp)
{
	char code[64], uri[256], verifier[160], want[64];
	unsigned char sum[32];
	struct sf_code *c = NULL;

	if (sf_form_get(req->body, req->body_len, "code", code, sizeof(code)) < 0) {
		sf_oauth_error(resp, 400, "invalid_request", "code is missing");
		return -EINVAL;
	}
	for (size_t i = 0; i < SF_MAX_CODES; i++)
		if (s->codes[i].code[0] && strcmp(s->codes[i].code, code) == 0)
			c = &s->codes[i];
	if (!c || c->used || c->expires_ms < sim_now_ms() || c->org != org ||
	    (size_t)c->user >= s->nusers) {
		sf_oauth_error(resp, 400, "invalid_grant", "invalid authorization code");
		return -EINVAL;
	}
	c->used = true;
	if (sf_form_get(req->body, req->body_len, "redirect_uri", uri, sizeof(uri)) < 0 ||
	    strcmp(uri, c->redirect) != 0) {
		sf_oauth_error(resp, 400, "redirect_uri_mismatch", "redirect_uri must match configuration");
		return -EINVAL;
	}
	if (c->challenge[0]) {
		if (sf_form_get(req->body, req->body_len, "code_verifier", verifier, sizeof(verifier)) < 0) {
			sf_oauth_error(resp, 400, "invalid_request", "code_verifier is missing");
			return -EINVAL;
		}
		sf_sha256((const unsigned char *)verifier, strlen(verifier), sum);
		sf_base64url(sum, sizeof(sum), want, sizeof(want));
		if (strcmp(want, c->challenge) != 0) {
			sf_oauth_error(resp, 400, "invalid_grant", "invalid code verifier");
			return -EINVAL;
		}
	}
	*user = c->user;
	return 0;
}

/* ---- the JWT bearer grant ----------------------------------------------------- */

static int b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap, size_t *len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		const char *p = in[i] ? strchr(tab, in[i]) : NULL;

		if (in[i] == '=')
			break;
		if (!p)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= cap)
				return -E2BIG;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	*len = o;
	return 0;
}

static int jwt_sig_ok(struct sim_side *s, const char *signed_part, size_t n,
		      const unsigned char *sig, size_t siglen)
{
#ifdef HAVE_LIBCRYPTO
	EVP_PKEY *key;
	EVP_MD_CTX *md;
	BIO *bio;
	int ok = 0;

	if (!s->jwt_cert)
		return 0;
	bio = BIO_new_mem_buf(s->jwt_cert, -1);
	key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!key)
		return 0;
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
	    EVP_DigestVerify(md, sig, siglen, (const unsigned char *)signed_part, n) == 1)
		ok = 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return ok;
#else
	(void)s; (void)signed_part; (void)n; (void)sig; (void)siglen;
	return 0;
#endif
}

int sf_grant_jwt(struct sim_side *s, const struct sim_req *req, int org, int *user,
		 struct sim_resp *resp)
{
	char a[4096], aud[256];
	unsigned char part[2048], sig[1024];
	const char *d1, *d2;
	size_t n, siglen;
	json_t *hdr = NULL, *claims = NULL;
	const char *iss, *sub, *caud;
	int64_t exp;
	int u, rc = -EINVAL;

	if (sf_form_get(req->body, req->body_len, "assertion", a, sizeof(a)) < 0 ||
	    !(d1 = strchr(a, '.')) || !(d2 = strchr(d1 + 1, '.'))) {
		sf_oauth_error(resp, 400, "invalid_grant", "invalid assertion");
		return -EINVAL;
	}
	if (b64url_decode(a, (size_t)(d1 - a), part, sizeof(part) - 1, &n) == 0)
		hdr = json_loadb((const char *)part, n, 0, NULL);
	if (b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), part, sizeof(part) - 1, &n) == 0)
		claims = json_loadb((const char *)part, n, 0, NULL);
	if (!hdr || !claims || !json_object_get(hdr, "alg") ||
	    strcmp(json_string_value(json_object_get(hdr, "alg")) ?
		   json_string_value(json_object_get(hdr, "alg")) : "", "RS256") != 0 ||
	    b64url_decode(d2 + 1, strlen(d2 + 1), sig, sizeof(sig), &siglen) < 0) {
		sf_oauth_error(resp, 400, "invalid_grant", "invalid assertion");
		goto out;
	}
	iss = json_string_value(json_object_get(claims, "iss"));
	sub = json_string_value(json_object_get(claims, "sub"));
	caud = json_string_value(json_object_get(claims, "aud"));
	exp = json_integer_value(json_object_get(claims, "exp"));
	if (!iss || strcmp(iss, s->client_id) != 0) {
		sf_oauth_error(resp, 400, "invalid_client_id", "client identifier invalid");
		goto out;
	}
	sf_org_url(s, org, aud, sizeof(aud));
	if (!caud || (strcmp(caud, aud) != 0 &&
		      strcmp(caud, org == SF_ORG_SANDBOX ? "https://test.salesforce.com"
							 : "https://login.salesforce.com") != 0)) {
		sf_oauth_error(resp, 400, "invalid_grant", "audience is invalid");
		goto out;
	}
	if (exp * 1000 < sim_now_ms() || exp * 1000 > sim_now_ms() + 5 * 60 * 1000) {
		sf_oauth_error(resp, 400, "invalid_grant", "expired authorization code");
		goto out;
	}
	if (!jwt_sig_ok(s, a, (size_t)(d2 - a), sig, siglen)) {
		sf_oauth_error(resp, 400, "invalid_grant", "invalid assertion");
		goto out;
	}
	u = sf_user_find(s, sub);
	if (u < 0 || s->users[u].org != org) {
		sf_oauth_error(resp, 400, "invalid_grant", "user hasn't approved this consumer");
		goto out;
	}
	*user = u;
	rc = 0;
out:
	json_decref(hdr);
	json_decref(claims);
	return rc;
}

/* ---- the identity URL ----------------------------------------------------------- */

void sf_identity(struct sim_side *s, const struct sim_req *req, int org, struct sim_resp *resp)
{
	char want[64], login[256], idurl[320], rest[320], sob[320], qry[320], first[96];
	int u = sf_auth_check(s, sim_req_header(req, "Authorization"), org);
	const struct sf_user *x;
	const char *sp;

	snprintf(resp->endpoint, sizeof(resp->endpoint), "GET /id/{org}/{user}");
	if (u < 0) {
		sim_resp_raw(resp, 403, "text/plain", "Bad_OAuth_Token", 15);
		return;
	}
	x = &s->users[u];
	snprintf(want, sizeof(want), "/id/%s/%s", sf_org_id(s, org), x->id);
	if (strcmp(req->path, want) != 0) {
		sim_resp_raw(resp, 403, "text/plain", "Bad_Id", 6);
		return;
	}
	sf_org_url(s, org, login, sizeof(login));
	snprintf(idurl, sizeof(idurl), "%s%s", login, want);
	snprintf(rest, sizeof(rest), "%s/services/data/v{version}/", login);
	snprintf(sob, sizeof(sob), "%s/services/data/v{version}/sobjects/", login);
	snprintf(qry, sizeof(qry), "%s/services/data/v{version}/query/", login);
	sp = strchr(x->name, ' ');
	snprintf(first, sizeof(first), "%.*s", sp ? (int)(sp - x->name) : 0, x->name);
	sim_resp_json(resp, 200, json_pack(
		"{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:b, s:s, s:s, s:s,"
		" s:i, s:{s:s, s:s, s:s}}",
		"id", idurl, "asserted_user", 1, "user_id", x->id, "organization_id", sf_org_id(s, org),
		"username", x->username, "nick_name", x->username, "display_name", x->name,
		"email", x->username, "first_name", first, "email_verified", 1,
		"last_name", sp ? sp + 1 : x->name, "timezone", "Etc/UTC", "active", 1,
		"user_type", "STANDARD", "language", "en_US", "locale", "en_US", "utcOffset", 0,
		"urls", "rest", rest, "sobjects", sob, "query", qry));
}

/* ---- admin and persistence ---------------------------------------------------------- */

void sf_oauth_admin(struct sim_side *s, json_t *body)
{
	const char *name = json_string_value(json_object_get(body, "approve_user"));
	json_t *v;

	if (name && sf_user_find(s, name) >= 0)
		s->approve_user = sf_user_find(s, name);
	if (json_is_boolean(v = json_object_get(body, "rotate_refresh_tokens")))
		s->rotate_refresh = json_is_true(v);
	if ((name = json_string_value(json_object_get(body, "revoke_user")))) {
		int u = sf_user_find(s, name);

		for (size_t i = 0; u >= 0 && i < s->nrefresh; i++)
			if (s->refresh[i].user == u)
				s->refresh[i].revoked = true;
	}
	if ((name = json_string_value(json_object_get(body, "jwt_public_key")))) {
		free(s->jwt_cert);
		s->jwt_cert = strdup(name);
	}
}

json_t *sf_oauth_admin_json(struct sim_side *s)
{
	json_t *users = json_array();
	size_t live = 0;
	char login[256];

	for (size_t i = 0; i < s->nusers; i++) {
		sf_org_url(s, s->users[i].org, login, sizeof(login));
		json_array_append_new(users, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
			"username", s->users[i].username, "name", s->users[i].name, "id", s->users[i].id,
			"org", s->users[i].org == SF_ORG_SANDBOX ? "sandbox" : "production",
			"org_id", sf_org_id(s, s->users[i].org), "login_url", login));
	}
	for (size_t i = 0; i < s->nrefresh; i++)
		live += !s->refresh[i].revoked;
	return json_pack("{s:o, s:s, s:b, s:I, s:b}", "users", users, "approve_user",
			 s->users[s->approve_user].username, "rotate_refresh_tokens", s->rotate_refresh,
			 "live_refresh_tokens", (json_int_t)live, "jwt", s->jwt_cert != NULL);
}

json_t *sf_oauth_save(struct sim_side *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->nrefresh; i++)
		json_array_append_new(arr, json_pack("{s:s, s:i, s:b}", "token", s->refresh[i].tok,
						      "user", s->refresh[i].user, "revoked",
						      s->refresh[i].revoked));
	return json_pack("{s:o, s:i, s:b}", "refreshTokens", arr, "approveUser", s->approve_user,
			 "rotate", s->rotate_refresh);
}

void sf_oauth_load(struct sim_side *s, json_t *st)
{
	json_t *e;
	size_t i;
	char tmp[96];

	if (!json_is_object(st))
		return;
	s->approve_user = (int)json_integer_value(json_object_get(st, "approveUser"));
	if (s->approve_user < 0 || (size_t)s->approve_user >= s->nusers)
		s->approve_user = 0;
	s->rotate_refresh = json_is_true(json_object_get(st, "rotate"));
	s->nrefresh = 0;
	json_array_foreach(json_object_get(st, "refreshTokens"), i, e) {
		int u = (int)json_integer_value(json_object_get(e, "user"));
		const char *t = json_string_value(json_object_get(e, "token"));

		if (!t || u < 0 || (size_t)u >= s->nusers || sf_refresh_issue(s, u, tmp, sizeof(tmp)))
			continue;
		snprintf(s->refresh[s->nrefresh - 1].tok, sizeof(s->refresh[0].tok), "%s", t);
		s->refresh[s->nrefresh - 1].revoked = json_is_true(json_object_get(e, "revoked"));
	}
}
