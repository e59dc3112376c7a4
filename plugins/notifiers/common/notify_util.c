/*
 * notify_util.c - see notify_util.h. Must not log and must not touch
 * process-wide state (locale, signals): plugins run inside the daemon.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "notify_util.h"

static int nbuf_reserve(struct nbuf *b, size_t n)
{
	size_t want;
	char *p;

	if (b->oom)
		return -1;
	if (b->len + n + 1 <= b->cap)
		return 0;
	want = b->cap ? b->cap : 256;
	while (want < b->len + n + 1)
		want *= 2;
	p = realloc(b->p, want);
	if (!p) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = want;
	return 0;
}

void nbuf_add(struct nbuf *b, const char *s, size_t n)
{
	if (nbuf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void nbuf_adds(struct nbuf *b, const char *s)
{
	nbuf_add(b, s, strlen(s));
}

void nbuf_addc(struct nbuf *b, char c)
{
	nbuf_add(b, &c, 1);
}

void nbuf_addf(struct nbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || nbuf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void nbuf_free(struct nbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

int url_split(const char *url, char *scheme, size_t scheme_size, char *host, size_t host_size)
{
	const char *p = strstr(url, "://"), *auth, *end, *h, *he;
	size_t n;

	if (!p || p == url || (size_t)(p - url) >= scheme_size)
		return -EINVAL;
	for (n = 0; url + n < p; n++) {
		char c = url[n];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
			return -EINVAL;
		scheme[n] = c;
	}
	scheme[n] = '\0';
	auth = p + 3;
	end = auth + strcspn(auth, "/?#");
	if (memchr(auth, '@', (size_t)(end - auth)))
		return -EINVAL;
	for (const char *c = auth; c < end; c++)
		if ((unsigned char)*c <= 0x20 || *c == '\\')
			return -EINVAL;
	if (*auth == '[') {
		h = auth + 1;
		he = memchr(h, ']', (size_t)(end - h));
		if (!he || (he + 1 != end && he[1] != ':'))
			return -EINVAL;
	} else {
		h = auth;
		he = memchr(h, ':', (size_t)(end - h));
		if (!he)
			he = end;
	}
	n = (size_t)(he - h);
	if (!n || n >= host_size)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		host[i] = h[i] >= 'A' && h[i] <= 'Z' ? (char)(h[i] - 'A' + 'a') : h[i];
	host[n] = '\0';
	return 0;
}

int host_is_loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 ||
	       strcmp(host, "::1") == 0;
}

int url_check_http(const char *url, char *host, size_t host_size, const char **why)
{
	char scheme[16];

	if (url_split(url, scheme, sizeof(scheme), host, host_size)) {
		*why = "not an absolute URL with a host (and without user:password@)";
		return -EINVAL;
	}
	if (strcmp(scheme, "https") == 0)
		return 0;
	if (strcmp(scheme, "http") == 0 && host_is_loopback(host))
		return 0;
	*why = strcmp(scheme, "http") == 0 ? "plain http is allowed to a loopback host only: use https"
					  : "the scheme must be https";
	return -EINVAL;
}

void format_iso8601(int64_t ms, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, size, "1970-01-01T00:00:00Z");
}

const char *severity_name(int severity)
{
	static const char *const names[] = { "error", "warning", "notice", "info", "debug" };

	if (severity >= 3 && severity <= 7)
		return names[severity - 3];
	return "notice";
}

int random_hex(char *out, size_t n)
{
	unsigned char buf[32];
	size_t got = 0;

	if (n > sizeof(buf))
		return -EINVAL;
	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	hex_encode(buf, n, out);
	return 0;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return n;
	n = max;
	/* step back over continuation bytes to the start of a sequence */
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

int post_body(const struct crmsync_host *host, struct crmsync_instance *inst, const char *url,
	      const char *log_host, const char *const *headers, const char *body,
	      int64_t timeout_ms, struct crmsync_http_response **resp)
{
	struct crmsync_http_request req;
	int err;

	memset(&req, 0, sizeof(req));
	req.size = sizeof(req);
	req.side = CRMSYNC_SIDE_NONE;
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	req.timeout_ms = timeout_ms;
	*resp = NULL;
	err = host->http_request(inst, &req, resp);
	if (!err)
		return 0;
	if (err == -EPERM || err == -EINVAL || err == -EOPNOTSUPP) {
		host->log(inst, CRMSYNC_LOG_ERR, "cannot post to '%s': %s", log_host, strerror(-err));
		return err;
	}
	host->log(inst, CRMSYNC_LOG_WARNING, "cannot post to '%s': %s: will retry", log_host,
		  strerror(-err));
	return CRMSYNC_RETRY;
}
