/*
 * oauth.h - the OAuth 2.0 pieces `crmsync connect` and the API clients
 * share: PKCE (S256), the loopback redirect listener of the web-server flow
 * (or a code pasted on a headless server), token endpoint requests and their
 * error bodies, and the RS256 assertion of the Salesforce JWT bearer flow.
 * Every string that comes back may be a secret: callers wipe them
 * (secret_free) and never log them.
 */
#ifndef CRMSYNC_OAUTH_H
#define CRMSYNC_OAUTH_H

#include <jansson.h>
#include <stddef.h>

/* RFC 7636: verifier = 43..128 unreserved characters; challenge =
 * base64url(SHA-256(verifier)) without padding. state guards the redirect. */
struct oauth_pkce {
	char verifier[64];
	char challenge[64];
	char state[33];
};
int oauth_pkce_new(struct oauth_pkce *p);
/* base64url(SHA-256(s)) without padding, into out (>= 44 bytes). */
void oauth_s256(const char *s, char *out, size_t len);

/* A listener on 127.0.0.1 for the browser's redirect to the loopback
 * redirect URI. port 0 picks a free one. */
struct oauth_listener {
	int fd;
	int port;
};
int oauth_listen(struct oauth_listener *l, int port);
void oauth_listener_close(struct oauth_listener *l);

/* Wait up to timeout_s for the authorization code: the browser's request
 * to the listener (l may be NULL), or a line on paste_fd (-1: none) holding
 * the whole redirected URL or the bare code. The state must match when one
 * comes with the code. 0 and *code (caller wipes), -ETIMEDOUT, -EACCES when
 * the user or the service refused (message logged), -EPROTO on a state
 * mismatch. */
int oauth_wait_code(struct oauth_listener *l, int paste_fd, const char *state, int timeout_s,
		    char **code);

/* Append "&name=value" (or "name=value" first) to a form body, encoded. */
void oauth_form_add(char **form, const char *name, const char *value);

/* The OAuth error of a failed token request ("invalid_grant" ...). */
struct oauth_error {
	int http_status;
	char error[64];
	char description[256];
};

/* POST form to url (a token endpoint). 0 and *out (new reference) on HTTP
 * 200 with a JSON object; -EKEYREJECTED with err filled when the service
 * refused (any 4xx with an OAuth or HubSpot error body); -EIO/transport
 * errors otherwise. Logs only transport failures, never the body. */
int oauth_token_request(const char *url, const char *form, json_t **out, struct oauth_error *err);

/* GET url with a bearer token: 0 and *out (new reference) for a JSON 200;
 * otherwise -EACCES for 401/403, -EIO, or a transport error; *status gets
 * the HTTP status (0 on transport failure). */
int oauth_get_json(const char *url, const char *access_token, json_t **out, int *status);

/* The JWT bearer assertion (RFC 7523) for Salesforce: header {"alg":"RS256"},
 * claims iss, sub, aud and exp (now + 3 minutes), signed with the PEM
 * private key in keyfile (mode 0600 required). 0 and *out (caller wipes). */
int oauth_jwt_assertion(const char *keyfile, const char *iss, const char *sub, const char *aud,
			char **out);

#endif
