/*
 * http.h - the core's HTTP transport (libcurl): TLS verification always on,
 * https-only redirects, connect/total/low-speed timeouts and a response size
 * cap. Service clients (salesforce.c, hubspot.c) and plugins go through it.
 */
#ifndef CRMSYNC_HTTP_H
#define CRMSYNC_HTTP_H

#include <stddef.h>

#include <crmsync/plugin.h>

struct crmsync_http_response {
	int status;
	char *body;
	size_t body_len;
	char **headers;    /* "Name: value" */
	size_t nheaders;
};

/* Process-wide setup; the core calls it once before any thread starts. */
int http_global_init(void);
void http_global_cleanup(void);

/* Maximum response body, bytes. */
#define HTTP_MAX_BODY (64u * 1024 * 1024)

/* A request from a plugin. For side NONE the URL must be absolute (https, or
 * http to a loopback host). Returns 0 with *resp set, or a negative errno
 * after logging why under `tag`. */
int http_plugin_request(const char *tag, const struct crmsync_http_request *req,
			struct crmsync_http_response **resp);

int http_response_status(const struct crmsync_http_response *resp);
const char *http_response_body(const struct crmsync_http_response *resp, size_t *len);
const char *http_response_header(const struct crmsync_http_response *resp, const char *name);
void http_response_free(struct crmsync_http_response *resp);

/* A connection (one curl handle, so keep-alive and TLS sessions are reused).
 * Not thread-safe: one per client. */
struct http_conn;
struct http_conn *http_conn_new(void);
void http_conn_free(struct http_conn *conn);

struct http_call {
	const char *method;
	const char *url;
	const char *const *headers;   /* "Name: value", NULL-terminated, or NULL */
	const char *body;             /* or NULL */
	size_t body_len;
	long timeout_ms;              /* 0: the default (60 s) */
};

/* One exchange, no retries. 0 with *resp set (any status), or a negative
 * errno for a transport failure (-ETIMEDOUT, -ECONNRESET, -ECONNREFUSED,
 * -EFBIG for a body over HTTP_MAX_BODY, -EPROTO for TLS, -EIO). Logs
 * transport failures at debug level only: the caller decides. */
int http_perform(struct http_conn *conn, const struct http_call *call,
		 struct crmsync_http_response **resp);

enum http_verdict {
	HTTP_DONE = 0,   /* a final answer, success or not */
	HTTP_RETRY = 1,  /* transient: back off and try again */
	HTTP_REAUTH = 2  /* credentials expired: the caller refreshes and calls again */
};

struct http_retry_policy {
	const char *tag;              /* for log lines: "salesforce" */
	int max_attempts;             /* total tries, >= 1 */
	long base_ms;                 /* first backoff ceiling */
	long cap_ms;                  /* largest backoff */
	/* Decide from a response; may set *retry_after_ms (>= 0) when the
	 * service says how long to wait. NULL: 429 and 5xx retry. */
	enum http_verdict (*classify)(const struct crmsync_http_response *resp, void *user,
				      long *retry_after_ms);
	void *user;
};

/* http_perform with retries of transport failures and of responses the
 * policy calls transient: capped exponential backoff with full jitter,
 * honouring Retry-After (seconds or an HTTP date) and the policy's own
 * delay. Returns like http_perform; *verdict (if set) tells whether the last
 * response asks for re-authentication. Stops early when cancelled. */
int http_perform_retry(struct http_conn *conn, const struct http_call *call,
		       const struct http_retry_policy *policy, struct crmsync_http_response **resp,
		       enum http_verdict *verdict);

/* The delay before retry number `attempt` (1-based): uniform in
 * [0, min(cap, base * 2^(attempt-1))]. */
long http_backoff_ms(int attempt, long base_ms, long cap_ms);
/* Parse a Retry-After value (delta seconds or IMF-fixdate) relative to now;
 * -1 when absent or unparsable. */
long http_retry_after_ms(const char *value, long long now_s);

/* A flag that, when set (e.g. by SIGTERM), stops backoff sleeps early. */
void http_set_cancel_flag(volatile int *flag);

/* Percent-encode s for a URL query (RFC 3986 unreserved kept). Caller frees. */
char *http_urlencode(const char *s);

/* Is url https, or http to 127.0.0.1/localhost/[::1]? (plain http leaves the
 * machine never). */
int http_url_allowed(const char *url);

#endif
