/*
 * crmsync-sim, Salesforce side: OAuth 2.0 token endpoint (refresh_token,
 * client_credentials, authorization_code and JWT bearer grants; the last two
 * are checked in sf_oauth.c) and the session check of REST calls, per org and
 * user. Access tokens expire after opts.token_ttl seconds; the client only
 * learns it from a 401 INVALID_SESSION_ID, as with the real service. Includes
 * a small SHA-256/HMAC/base64 for the response's `signature` and PKCE.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

/* ---- SHA-256 (FIPS 180-4) --------------------------------------------- */

static const uint32_t sf_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sf_sha_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh;

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
			      sf_k[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

void sf_sha256(const unsigned char *data, size_t len, unsigned char out[32])
{
	uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
			 0x1f83d9ab, 0x5be0cd19};
	unsigned char blk[64];
	size_t i = 0, rem;
	uint64_t bits = (uint64_t)len * 8;

	for (; i + 64 <= len; i += 64)
		sf_sha_block(h, data + i);
	rem = len - i;
	memset(blk, 0, sizeof(blk));
	memcpy(blk, data + i, rem);
	blk[rem] = 0x80;
	if (rem >= 56) {
		sf_sha_block(h, blk);
		memset(blk, 0, sizeof(blk));
	}
	for (int k = 0; k < 8; k++)
		blk[63 - k] = (unsigned char)(bits >> (8 * k));
	sf_sha_block(h, blk);
	for (int k = 0; k < 8; k++) {
		out[4 * k] = (unsigned char)(h[k] >> 24);
		out[4 * k + 1] = (unsigned char)(h[k] >> 16);
		out[4 * k + 2] = (unsigned char)(h[k] >> 8);
		out[4 * k + 3] = (unsigned char)h[k];
	}
}

void sf_hmac_sha256(const unsigned char *key, size_t klen, const unsigned char *msg,
		    size_t mlen, unsigned char out[32])
{
	unsigned char k0[64] = {0}, ipad[64], opad[64], inner[32];
	unsigned char *buf;

	if (klen > 64)
		sf_sha256(key, klen, k0);
	else
		memcpy(k0, key, klen);
	for (int i = 0; i < 64; i++) {
		ipad[i] = k0[i] ^ 0x36;
		opad[i] = k0[i] ^ 0x5c;
	}
	buf = malloc(64 + (mlen > 32 ? mlen : 32));
	if (!buf) {
		memset(out, 0, 32);
		return;
	}
	memcpy(buf, ipad, 64);
	memcpy(buf + 64, msg, mlen);
	sf_sha256(buf, 64 + mlen, inner);
	memcpy(buf, opad, 64);
	memcpy(buf + 64, inner, 32);
	sf_sha256(buf, 96, out);
	free(buf);
}

void sf_base64(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i < len && o + 4 < outlen; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
}

/* ---- the token endpoint ------------------------------------------------ */

static int sf_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Value of name in an x-www-form-urlencoded body (decoded), or -ENOENT. */
int sf_form_get(const char *body, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name), i = 0;

	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end - i > nl && strncmp(body + i, name, nl) == 0 && body[i + nl] == '=') {
			size_t o = 0;
			for (size_t k = i + nl + 1; k < end && o + 1 < outlen; k++) {
				char c = body[k];
				if (c == '+') {
					c = ' ';
				} else if (c == '%' && k + 2 < end + 1 && sf_hexval(body[k + 1]) >= 0 &&
					   sf_hexval(body[k + 2]) >= 0) {
					c = (char)(sf_hexval(body[k + 1]) * 16 + sf_hexval(body[k + 2]));
					k += 2;
				}
				out[o++] = c;
			}
			out[o] = '\0';
			return 0;
		}
		i = end + 1;
	}
	return -ENOENT;
}

void sf_oauth_error(struct sim_resp *resp, int status, const char *err, const char *desc)
{
	sim_resp_json(resp, status, json_pack("{s:s, s:s}", "error", err, "error_description", desc));
}

static int sf_token_issue(struct sim_side *s, int user, int org, char *tok, size_t len)
{
	struct sf_token *t;
	int64_t now = sim_now_ms();
	size_t w = 0;

	/* drop expired tokens; keep the table bounded */
	for (size_t i = 0; i < s->ntokens; i++)
		if (s->tokens[i].expires_ms > now)
			s->tokens[w++] = s->tokens[i];
	s->ntokens = w;
	if (s->ntokens >= 4096) {
		memmove(s->tokens, s->tokens + 1, (s->ntokens - 1) * sizeof(*s->tokens));
		s->ntokens--;
	}
	if (s->ntokens == s->captokens) {
		size_t ncap = s->captokens ? s->captokens * 2 : 16;
		t = realloc(s->tokens, ncap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		s->tokens = t;
		s->captokens = ncap;
	}
	t = &s->tokens[s->ntokens++];
	t->user = user;
	t->org = org;
	snprintf(t->tok, sizeof(t->tok), "%.15s!AQ0AQsim%016llx%016llx", sf_org_id(s, org),
		 (unsigned long long)sim_rand_next(&s->rng),
		 (unsigned long long)sim_rand_next(&s->rng));
	t->expires_ms = now + (int64_t)s->opts.token_ttl * 1000;
	snprintf(tok, len, "%s", t->tok);
	return 0;
}

void sf_auth_token(struct sim_side *s, const struct sim_req *req, int org, struct sim_resp *resp)
{
	char grant[128], cid[128], secret[128], rt[160], tok[96], idurl[320], issued[32], sig[64];
	char newrt[96] = "", login[256];
	unsigned char mac[32];
	const char *ct = sim_req_header(req, "Content-Type");
	bool have_secret;
	int user = 0;
	json_t *body;

	snprintf(resp->endpoint, sizeof(resp->endpoint), "POST /services/oauth2/token");
	if (strcmp(req->method, "POST") != 0) {
		sf_oauth_error(resp, 400, "invalid_request", "must use HTTP POST");
		return;
	}
	if (ct && !strstr(ct, "application/x-www-form-urlencoded")) {
		sf_oauth_error(resp, 400, "invalid_request", "unsupported content type");
		return;
	}
	if (sf_form_get(req->body, req->body_len, "grant_type", grant, sizeof(grant)) < 0) {
		sf_oauth_error(resp, 400, "invalid_request", "grant type is missing");
		return;
	}
	if (strcmp(grant, "urn:ietf:params:oauth:grant-type:jwt-bearer") == 0) {
		/* the client is named by the assertion's iss */
		if (sf_grant_jwt(s, req, org, &user, resp) < 0)
			return;
		goto issue;
	}
	if (sf_form_get(req->body, req->body_len, "client_id", cid, sizeof(cid)) < 0 ||
	    strcmp(cid, s->client_id) != 0) {
		sf_oauth_error(resp, 400, "invalid_client_id", "client identifier invalid");
		return;
	}
	have_secret = sf_form_get(req->body, req->body_len, "client_secret", secret, sizeof(secret)) == 0;
	if (have_secret && strcmp(secret, s->client_secret) != 0) {
		sf_oauth_error(resp, 400, "invalid_client", "invalid client credentials");
		return;
	}
	if (strcmp(grant, "refresh_token") == 0) {
		if (sf_form_get(req->body, req->body_len, "refresh_token", rt, sizeof(rt)) < 0 ||
		    s->refresh_revoked || (user = sf_refresh_lookup(s, rt)) < 0 ||
		    s->users[user].org != org) {
			sf_oauth_error(resp, 400, "invalid_grant", "expired access/refresh token");
			return;
		}
		if (s->rotate_refresh) {
			if (sf_refresh_issue(s, user, newrt, sizeof(newrt)) < 0) {
				sf_oauth_error(resp, 500, "server_error", "out of memory");
				return;
			}
			sf_refresh_revoke(s, rt);
		}
	} else if (strcmp(grant, "authorization_code") == 0) {
		if (sf_grant_code(s, req, org, &user, resp) < 0)
			return;
		if (sf_refresh_issue(s, user, newrt, sizeof(newrt)) < 0) {
			sf_oauth_error(resp, 500, "server_error", "out of memory");
			return;
		}
	} else if (strcmp(grant, "client_credentials") == 0) {
		if (!have_secret) {
			sf_oauth_error(resp, 400, "invalid_client", "invalid client credentials");
			return;
		}
	} else {
		sf_oauth_error(resp, 400, "unsupported_grant_type", "grant type not supported");
		return;
	}
issue:
	if (sf_token_issue(s, user, org, tok, sizeof(tok)) < 0) {
		sf_oauth_error(resp, 500, "server_error", "out of memory");
		return;
	}
	sf_org_url(s, org, login, sizeof(login));
	snprintf(idurl, sizeof(idurl), "%s/id/%s/%s", login, sf_org_id(s, org), s->users[user].id);
	snprintf(issued, sizeof(issued), "%lld", (long long)sim_now_ms());
	{
		char msg[400];
		int n = snprintf(msg, sizeof(msg), "%s%s", idurl, issued);
		sf_hmac_sha256((const unsigned char *)s->client_secret, strlen(s->client_secret),
			       (const unsigned char *)msg, (size_t)n, mac);
	}
	sf_base64(mac, sizeof(mac), sig, sizeof(sig));
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"access_token", tok, "signature", sig, "scope", "refresh_token api id",
		"instance_url", login, "id", idurl, "token_type", "Bearer", "issued_at", issued);
	if (newrt[0])
		json_object_set_new(body, "refresh_token", json_string(newrt));
	sim_resp_json(resp, 200, body);
}

int sf_auth_check(struct sim_side *s, const char *authz, int org)
{
	int64_t now = sim_now_ms();
	const char *tok;

	if (!authz)
		return -EACCES;
	if (strncmp(authz, "Bearer ", 7) == 0)
		tok = authz + 7;
	else if (strncmp(authz, "OAuth ", 6) == 0)
		tok = authz + 6;
	else
		return -EACCES;
	for (size_t i = s->ntokens; i-- > 0;)
		if (strcmp(s->tokens[i].tok, tok) == 0)
			return s->tokens[i].expires_ms > now && s->tokens[i].org == org &&
				       (size_t)s->tokens[i].user < s->nusers
				       ? s->tokens[i].user : -EACCES;
	return -EACCES;
}
