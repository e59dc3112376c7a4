/*
 * notify_util.h - small helpers shared by the notifier plugins (email,
 * slack, webhook): a growable text buffer, URL checks, time and severity
 * formatting, random ids. Compiled into each plugin with hidden symbols;
 * nothing here keeps state or logs: callers decide what to say.
 */
#ifndef CRMSYNC_NOTIFY_UTIL_H
#define CRMSYNC_NOTIFY_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <crmsync/plugin.h>

#include "hmac_sha256.h" /* CRMSYNC_HIDDEN */

/* A NUL-terminated growable buffer. After an allocation failure it keeps
 * what it had, ignores further additions and sets `oom`. Free with nbuf_free. */
struct nbuf {
	char *p;
	size_t len, cap;
	int oom;
};

CRMSYNC_HIDDEN void nbuf_add(struct nbuf *b, const char *s, size_t n);
CRMSYNC_HIDDEN void nbuf_adds(struct nbuf *b, const char *s);
CRMSYNC_HIDDEN void nbuf_addc(struct nbuf *b, char c);
CRMSYNC_HIDDEN void nbuf_addf(struct nbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
CRMSYNC_HIDDEN void nbuf_free(struct nbuf *b);

/* Split an absolute URL into its lowercased scheme and host (brackets of an
 * IPv6 literal removed, port dropped). Refuses URLs with user information
 * ("user:pass@host": credentials belong in files) or an empty host.
 * Returns 0 or -EINVAL. */
CRMSYNC_HIDDEN int url_split(const char *url, char *scheme, size_t scheme_size, char *host,
			     size_t host_size);
/* 1 for 127.0.0.1, localhost and ::1 (the hosts the core lets plain http
 * reach), else 0. */
CRMSYNC_HIDDEN int host_is_loopback(const char *host);
/* Check a notifier's HTTP target: https, or http to a loopback host. On
 * success copies the host (for log lines) and returns 0; otherwise returns
 * -EINVAL and sets *why to a static explanation. */
CRMSYNC_HIDDEN int url_check_http(const char *url, char *host, size_t host_size, const char **why);

/* POST `body` to `url` through the daemon's HTTP (TLS on, timeouts). 0 and
 * *resp (free with host->http_free) when an answer came, whatever its status;
 * otherwise what deliver() should return: the negative errno of a request the
 * daemon will never send (a refused URL), or CRMSYNC_RETRY. Logs the failure
 * naming `log_host`, never the URL (it may be a secret). */
CRMSYNC_HIDDEN int post_body(const struct crmsync_host *host, struct crmsync_instance *inst,
			     const char *url, const char *log_host, const char *const *headers,
			     const char *body, int64_t timeout_ms,
			     struct crmsync_http_response **resp);

/* "2026-11-22T16:41:04Z" (UTC, seconds) into out (at least 21 bytes). */
CRMSYNC_HIDDEN void format_iso8601(int64_t ms, char *out, size_t size);
/* "error", "warning", "notice", "info", "debug" (unknown -> "notice"). */
CRMSYNC_HIDDEN const char *severity_name(int severity);
/* 2n lowercase hex digits of n random bytes into out (2n + 1 bytes).
 * Returns 0 or a negative errno. */
CRMSYNC_HIDDEN int random_hex(char *out, size_t n);

/* Length of the longest prefix of s, at most max bytes, that does not cut
 * a UTF-8 sequence. */
CRMSYNC_HIDDEN size_t utf8_prefix(const char *s, size_t max);

#endif
