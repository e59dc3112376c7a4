/*
 * oauth.c - OAuth 2.0 client pieces for `crmsync connect` and the API
 * clients: PKCE, the loopback redirect listener (127.0.0.1 only, one
 * request at a time, no body read), token endpoint requests, bearer GETs
 * and the RS256 JWT assertion (libcrypto). Must never log a code, a token,
 * a key or a response body: they are secrets.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "http.h"
#include "log.h"
#include "oauth.h"
#include "util.h"

#define JWT_LIFETIME_S 180   /* Salesforce wants the assertion to expire within 3 minutes */

static void b64url(const unsigned char *in, size_t n, struct strbuf *sb)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		char out[4];
		size_t k = 2;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8, k++;
		if (i + 2 < n)
			v |= in[i + 2], k++;
		out[0] = tab[(v >> 18) & 63];
		out[1] = tab[(v >> 12) & 63];
		out[2] = tab[(v >> 6) & 63];
		out[3] = tab[v & 63];
		strbuf_add(sb, out, k);
	}
	if (!sb->buf)
		strbuf_addstr(sb, "");
}

void oauth_s256(const char *s, char *out, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	struct strbuf sb = { 0 };

	EVP_Digest(s, strlen(s), md, &mdlen, EVP_sha256(), NULL);
	b64url(md, mdlen, &sb);
	snprintf(out, len, "%s", sb.buf);
	strbuf_release(&sb);
}

static int random_b64url(char *out, size_t len, size_t nbytes)
{
	unsigned char raw[64];
	struct strbuf sb = { 0 };
	ssize_t got;

	if (nbytes > sizeof(raw))
		return -EINVAL;
	got = getrandom(raw, nbytes, 0);
	if (got != (ssize_t)nbytes)
		return got < 0 ? -errno : -EIO;
	b64url(raw, nbytes, &sb);
	snprintf(out, len, "%s", sb.buf);
	secure_zero(raw, sizeof(raw));
	secure_zero(sb.buf, sb.len);
	strbuf_release(&sb);
	return 0;
}

int oauth_pkce_new(struct oauth_pkce *p)
{
	int err;

	memset(p, 0, sizeof(*p));
	/* 32 random bytes: a 43-character verifier, the shortest RFC 7636 allows */
	err = random_b64url(p->verifier, sizeof(p->verifier), 32);
	if (!err)
		err = random_b64url(p->state, sizeof(p->state), 18);
	if (err) {
		log_err("cannot get random bytes for PKCE: %s", strerror(-err));
		return err;
	}
	oauth_s256(p->verifier, p->challenge, sizeof(p->challenge));
	return 0;
}

/* ---- the loopback listener ------------------------------------------------- */

int oauth_listen(struct oauth_listener *l, int port)
{
	struct sockaddr_in a = { 0 };
	socklen_t alen = sizeof(a);
	int one = 1, err;

	l->port = 0;
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return -errno;
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(l->fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l->fd, 4) < 0 ||
	    getsockname(l->fd, (struct sockaddr *)&a, &alen) < 0) {
		err = -errno;
		log_err("cannot listen on 127.0.0.1:%d for the OAuth redirect: %s", port, strerror(-err));
		close(l->fd);
		l->fd = -1;
		return err;
	}
	l->port = ntohs(a.sin_port);
	return 0;
}

void oauth_listener_close(struct oauth_listener *l)
{
	if (l && l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The decoded value of name in a query string (up to a space or '#'), or NULL. */
static char *query_get(const char *q, const char *name)
{
	size_t nl = strlen(name);

	while (q && *q) {
		const char *end = q + strcspn(q, "& #\r\n");

		if ((size_t)(end - q) > nl && strncmp(q, name, nl) == 0 && q[nl] == '=') {
			struct strbuf sb = { 0 };

			for (const char *p = q + nl + 1; p < end; p++) {
				char c = *p;

				if (c == '+') {
					c = ' ';
				} else if (c == '%' && p + 2 < end + 1 && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
					c = (char)(hexval(p[1]) * 16 + hexval(p[2]));
					p += 2;
				}
				strbuf_add(&sb, &c, 1);
			}
			return strbuf_detach(&sb);
		}
		if (*end != '&')
			break;
		q = end + 1;
	}
	return NULL;
}

/* A redirect's query: 0 and *code; or why not. */
static int take_query(const char *q, const char *state, char **code)
{
	char *err = query_get(q, "error"), *c = query_get(q, "code"), *st = query_get(q, "state");
	int rc = 0;

	if (err) {
		char *desc = query_get(q, "error_description");

		log_err("the authorization was refused: %s%s%s", err, desc ? ": " : "", desc ? desc : "");
		free(desc);
		rc = -EACCES;
	} else if (!c || !*c) {
		rc = -ENOENT;
	} else if (st && state && strcmp(st, state) != 0) {
		log_err("the redirect carries another state than this request's: ignoring it (was the "
			"authorization URL opened twice?)");
		rc = -EPROTO;
	}
	if (!rc) {
		*code = c;
		c = NULL;
	}
	secret_free(&c);
	free(err);
	free(st);
	return rc;
}

static void reply(int fd, int status, const char *text)
{
	char *r = xasprintf("HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
			    "Connection: close\r\nCache-Control: no-store\r\nContent-Length: %zu\r\n\r\n%s",
			    status, status == 200 ? "OK" : "Not Found", strlen(text), text);
	ssize_t w = write(fd, r, strlen(r));

	(void)w;
	free(r);
}

/* Serve one connection: 1 with *code, 0 for a request to ignore, < 0 refused. */
static int serve_one(int lfd, const char *state, char **code)
{
	char buf[8192];
	size_t n = 0;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), rc = 0;
	char *line_end, *q;

	if (fd < 0)
		return 0;
	while (n < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 5000) <= 0)
			break;
		r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			break;
	}
	buf[n] = '\0';
	line_end = strpbrk(buf, "\r\n");
	if (line_end)
		*line_end = '\0';
	q = strncmp(buf, "GET ", 4) == 0 ? strchr(buf + 4, '?') : NULL;
	if (!q) {
		reply(fd, 404, "<html><body>Not the OAuth redirect.</body></html>\n");
		goto out;
	}
	rc = take_query(q + 1, state, code);
	if (rc == 0) {
		reply(fd, 200, "<html><body><h1>crmsync is connected</h1><p>You can close this window "
			       "and go back to the terminal.</p></body></html>\n");
		rc = 1;
	} else if (rc == -ENOENT) {
		reply(fd, 404, "<html><body>No authorization code in this request.</body></html>\n");
		rc = 0;
	} else {
		reply(fd, 200, "<html><body><h1>crmsync was not connected</h1><p>See the terminal."
			       "</p></body></html>\n");
	}
out:
	secure_zero(buf, sizeof(buf));
	close(fd);
	return rc;
}

int oauth_wait_code(struct oauth_listener *l, int paste_fd, const char *state, int timeout_s,
		    char **code)
{
	time_t deadline = time(NULL) + timeout_s;
	char line[4096];
	size_t ln = 0;
	int rc;

	*code = NULL;
	for (;;) {
		struct pollfd p[2];
		int np = 0, left = (int)(deadline - time(NULL));

		if (left <= 0)
			return -ETIMEDOUT;
		if (l && l->fd >= 0)
			p[np++] = (struct pollfd){ l->fd, POLLIN, 0 };
		if (paste_fd >= 0)
			p[np++] = (struct pollfd){ paste_fd, POLLIN, 0 };
		if (!np)
			return -ETIMEDOUT;
		if (poll(p, (nfds_t)np, left * 1000) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < np; i++) {
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (l && p[i].fd == l->fd) {
				rc = serve_one(l->fd, state, code);
				if (rc)
					return rc < 0 ? rc : 0;
				continue;
			}
			/* a pasted line: the redirected URL, or the code alone */
			{
				ssize_t r = read(paste_fd, line + ln, sizeof(line) - 1 - ln);
				char *nl;

				if (r <= 0) {
					paste_fd = -1; /* end of input: only the listener is left */
					continue;
				}
				ln += (size_t)r;
				line[ln] = '\0';
				nl = strchr(line, '\n');
				if (!nl && ln < sizeof(line) - 1)
					continue;
				if (nl)
					*nl = '\0';
				{
					char *s = str_trim(line), *qm = strchr(s, '?');

					if (qm || strstr(s, "code="))
						rc = take_query(qm ? qm + 1 : s, state, code);
					else if (*s)
						rc = (*code = xstrdup(s)) ? 0 : -ENOMEM;
					else
						rc = -ENOENT;
				}
				secure_zero(line, sizeof(line));
				ln = 0;
				if (rc != -ENOENT)
					return rc;
			}
		}
	}
}

/* ---- token endpoint and bearer requests -------------------------------------- */

void oauth_form_add(char **form, const char *name, const char *value)
{
	char *v = http_urlencode(value), *old = *form;

	*form = xasprintf("%s%s%s=%s", old ? old : "", old && *old ? "&" : "", name, v);
	secret_free(&v);
	secret_free(&old);
}

int oauth_token_request(const char *url, const char *form, json_t **out, struct oauth_error *oe)
{
	static const char *const headers[] = {
		"Content-Type: application/x-www-form-urlencoded", "Accept: application/json", NULL
	};
	struct http_retry_policy policy = { "oauth", 3, 500, 4000, NULL, NULL };
	struct crmsync_http_response *r = NULL;
	struct http_call call = { "POST", url, headers, form, strlen(form), 30000 };
	struct http_conn *conn = http_conn_new();
	json_t *root = NULL;
	int err;

	*out = NULL;
	memset(oe, 0, sizeof(*oe));
	if (!conn)
		return -ENOMEM;
	if (!http_url_allowed(url)) {
		log_err("refusing to send credentials to '%s': neither https nor loopback", url);
		http_conn_free(conn);
		return -EPERM;
	}
	err = http_perform_retry(conn, &call, &policy, &r, NULL);
	http_conn_free(conn);
	if (err) {
		log_err("cannot reach '%s': %s", url, strerror(-err));
		return err;
	}
	oe->http_status = r->status;
	root = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
	if (r->status == 200 && json_is_object(root)) {
		*out = root;
		root = NULL;
		err = 0;
	} else {
		const char *e = json_string_value(json_object_get(root, "error"));
		const char *d = json_string_value(json_object_get(root, "error_description"));

		/* HubSpot: {"status":"BAD_REFRESH_TOKEN","message":...} */
		if (!e)
			e = json_string_value(json_object_get(root, "status"));
		if (!d)
			d = json_string_value(json_object_get(root, "message"));
		snprintf(oe->error, sizeof(oe->error), "%s", e ? e : "HTTP_ERROR");
		if (d)
			snprintf(oe->description, sizeof(oe->description), "%s", d);
		else
			snprintf(oe->description, sizeof(oe->description), "HTTP %d", r->status);
		err = r->status >= 400 && r->status < 500 ? -EKEYREJECTED : -EIO;
	}
	json_decref(root);
	if (r->body)
		secure_zero(r->body, r->body_len);
	http_response_free(r);
	return err;
}

int oauth_get_json(const char *url, const char *access_token, json_t **out, int *status)
{
	struct crmsync_http_response *r = NULL;
	struct http_retry_policy policy = { "oauth", 3, 500, 4000, NULL, NULL };
	char *auth = xasprintf("Authorization: Bearer %s", access_token);
	const char *headers[] = { auth, "Accept: application/json", NULL };
	struct http_call call = { "GET", url, headers, NULL, 0, 30000 };
	struct http_conn *conn = http_conn_new();
	int err;

	*out = NULL;
	*status = 0;
	if (!conn) {
		secret_free(&auth);
		return -ENOMEM;
	}
	err = http_perform_retry(conn, &call, &policy, &r, NULL);
	http_conn_free(conn);
	secret_free(&auth);
	if (err)
		return err;
	*status = r->status;
	if (r->status == 200) {
		*out = json_loadb(r->body ? r->body : "", r->body_len, 0, NULL);
		err = json_is_object(*out) ? 0 : -EBADMSG;
		if (err) {
			json_decref(*out);
			*out = NULL;
		}
	} else {
		err = r->status == 401 || r->status == 403 ? -EACCES : -EIO;
	}
	http_response_free(r);
	return err;
}

/* ---- the JWT bearer assertion ------------------------------------------------- */

int oauth_jwt_assertion(const char *keyfile, const char *iss, const char *sub, const char *aud,
			char **out)
{
	struct strbuf sb = { 0 };
	unsigned char *sig = NULL;
	size_t siglen = 0;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	struct stat st;
	json_t *claims;
	char *cj;
	FILE *f;
	int err = -EINVAL;

	*out = NULL;
	if (stat(keyfile, &st) < 0) {
		err = -errno;
		log_err("cannot read the JWT key '%s': %s", keyfile, strerror(errno));
		return err;
	}
	if (st.st_mode & 077) {
		log_err("the JWT key '%s' is accessible to others (mode %04o): fix with 'chmod 600 %s'",
			keyfile, (unsigned)(st.st_mode & 07777), keyfile);
		return -EPERM;
	}
	f = fopen(keyfile, "re");
	if (!f) {
		err = -errno;
		log_err("cannot read the JWT key '%s': %s", keyfile, strerror(errno));
		return err;
	}
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!key || EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
		log_err("the JWT key '%s' is not a PEM RSA private key (without a passphrase)", keyfile);
		goto out;
	}
	b64url((const unsigned char *)"{\"alg\":\"RS256\"}", 15, &sb);
	strbuf_addstr(&sb, ".");
	claims = json_pack("{s:s, s:s, s:s, s:I}", "iss", iss, "sub", sub, "aud", aud, "exp",
			   (json_int_t)(time(NULL) + JWT_LIFETIME_S));
	cj = json_dumps(claims, JSON_COMPACT);
	json_decref(claims);
	if (!cj) {
		err = -ENOMEM;
		goto out;
	}
	b64url((const unsigned char *)cj, strlen(cj), &sb);
	free(cj);
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)sb.buf, sb.len) != 1) {
		log_err("cannot sign the JWT assertion with '%s'", keyfile);
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)sb.buf, sb.len) != 1) {
		log_err("cannot sign the JWT assertion with '%s'", keyfile);
		goto out;
	}
	strbuf_addstr(&sb, ".");
	b64url(sig, siglen, &sb);
	*out = strbuf_detach(&sb);
	err = 0;
out:
	free(sig);
	strbuf_release(&sb);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return err;
}
