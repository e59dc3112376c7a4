/*
 * http.c - one HTTP exchange over libcurl with the project's safety rules.
 * Must not log request bodies or Authorization headers: they carry secrets.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "log.h"
#include "util.h"

#define HTTP_CONNECT_TIMEOUT_MS 10000L
#define HTTP_DEFAULT_TIMEOUT_MS 60000L
#define HTTP_LOW_SPEED_BYTES 64L
#define HTTP_LOW_SPEED_SECONDS 30L

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

void http_global_cleanup(void)
{
	curl_global_cleanup();
}

int http_url_allowed(const char *url)
{
	static const char *const local[] = { "127.0.0.1", "localhost", "[::1]", "::1" };
	char *scheme = NULL, *host = NULL, *user = NULL;
	CURLU *u = curl_url();
	int ok = 0;

	/* parsed as curl will parse it: "http://127.0.0.1:80@evil.example/"
	 * goes to evil.example, whatever its first characters say */
	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	curl_url_get(u, CURLUPART_USER, &user, 0);
	if (user)
		goto out; /* credentials never travel in a URL */
	if (strcasecmp(scheme, "https") == 0) {
		ok = 1;
	} else if (strcasecmp(scheme, "http") == 0) {
		/* plain HTTP only to this machine (the simulators, local tests) */
		for (size_t i = 0; i < ARRAY_SIZE(local); i++)
			if (strcasecmp(host, local[i]) == 0)
				ok = 1;
	}
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return ok;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
	struct crmsync_http_response *r = user;
	size_t n = size * nmemb;

	if (r->body_len + n > HTTP_MAX_BODY)
		return 0; /* makes curl fail with CURLE_WRITE_ERROR */
	r->body = xrealloc(r->body, r->body_len + n + 1);
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
	struct crmsync_http_response *r = user;
	size_t n = size * nmemb, len = n;

	while (len && (data[len - 1] == '\r' || data[len - 1] == '\n'))
		len--;
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a redirect or 100-continue): forget old headers */
		for (size_t i = 0; i < r->nheaders; i++)
			free(r->headers[i]);
		r->nheaders = 0;
		return n;
	}
	if (len == 0 || !memchr(data, ':', len) || r->nheaders >= 256)
		return n;
	r->headers = xrealloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
	r->headers[r->nheaders++] = xstrndup(data, len);
	return n;
}

struct http_conn {
	CURL *curl;
};

static volatile int *cancel_flag;

void http_set_cancel_flag(volatile int *flag)
{
	cancel_flag = flag;
}

struct http_conn *http_conn_new(void)
{
	struct http_conn *conn = xcalloc(1, sizeof(*conn));

	conn->curl = curl_easy_init();
	if (!conn->curl) {
		free(conn);
		return NULL;
	}
	return conn;
}

void http_conn_free(struct http_conn *conn)
{
	if (!conn)
		return;
	curl_easy_cleanup(conn->curl);
	free(conn);
}

static int curl_to_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		return -EFBIG;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return -ECONNREFUSED;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return -ECONNRESET;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CACERT_BADFILE:
		return -EPROTO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int http_perform(struct http_conn *conn, const struct http_call *call,
		 struct crmsync_http_response **resp)
{
	struct crmsync_http_response *r;
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c = conn->curl;
	CURLcode rc;
	long status = 0;
	int err = 0;

	*resp = NULL;
	if (!call->method || !call->url)
		return -EINVAL;
	if (!http_url_allowed(call->url))
		return -EPERM;
	r = xcalloc(1, sizeof(*r));
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, call->url);
	if (strcmp(call->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(call->method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, call->method);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->body ? call->body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(call->body ? call->body_len : 0));
	}
	/* no "Expect: 100-continue" round trip on large bodies */
	hdrs = curl_slist_append(hdrs, "Expect:");
	for (const char *const *h = call->headers; h && *h; h++)
		hdrs = curl_slist_append(hdrs, *h);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, HTTP_CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
			 call->timeout_ms > 0 ? call->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_BYTES);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, HTTP_LOW_SPEED_SECONDS);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_BODY);
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);

	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		/* the URL may carry a token in its query: name only the method */
		log_debug("%s request failed: %s", call->method,
			  errbuf[0] ? errbuf : curl_easy_strerror(rc));
		err = curl_to_errno(rc);
		http_response_free(r);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	r->status = (int)status;
	*resp = r;
out:
	curl_slist_free_all(hdrs);
	return err;
}

long http_backoff_ms(int attempt, long base_ms, long cap_ms)
{
	long ceiling = base_ms;

	for (int i = 1; i < attempt && ceiling < cap_ms; i++)
		ceiling *= 2;
	if (ceiling > cap_ms)
		ceiling = cap_ms;
	if (ceiling <= 0)
		return 0;
	/* full jitter: uniform in [0, ceiling] */
	return (long)(((double)rand() / ((double)RAND_MAX + 1.0)) * (double)(ceiling + 1));
}

long http_retry_after_ms(const char *value, long long now_s)
{
	int64_t secs;
	struct tm tm;
	const char *end;

	if (!value || !*value)
		return -1;
	if (parse_int64(value, &secs) == 0)
		return secs < 0 ? -1 : (secs > 86400 ? 86400000L : (long)secs * 1000);
	memset(&tm, 0, sizeof(tm));
	end = strptime(value, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end)
		return -1;
	secs = (int64_t)timegm(&tm) - now_s;
	if (secs < 0)
		return 0;
	return secs > 86400 ? 86400000L : (long)secs * 1000;
}

static void sleep_ms(long ms)
{
	while (ms > 0 && !(cancel_flag && *cancel_flag)) {
		long slice = ms > 100 ? 100 : ms;
		struct timespec ts = { slice / 1000, (slice % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		ms -= slice;
	}
}

static enum http_verdict default_classify(const struct crmsync_http_response *resp, void *user,
					  long *retry_after_ms)
{
	if (resp->status == 429 || resp->status >= 500)
		return HTTP_RETRY;
	return HTTP_DONE;
}

int http_perform_retry(struct http_conn *conn, const struct http_call *call,
		       const struct http_retry_policy *p, struct crmsync_http_response **resp,
		       enum http_verdict *verdict)
{
	enum http_verdict (*classify)(const struct crmsync_http_response *, void *, long *) =
		p->classify ? p->classify : default_classify;
	int err = 0;

	*resp = NULL;
	if (verdict)
		*verdict = HTTP_DONE;
	for (int attempt = 1;; attempt++) {
		long wait = -1;
		enum http_verdict v = HTTP_RETRY;

		err = http_perform(conn, call, resp);
		if (err == -EPERM || err == -EINVAL || err == -EPROTO || err == -EFBIG)
			return err; /* retrying cannot help */
		if (!err) {
			v = classify(*resp, p->user, &wait);
			if (v != HTTP_RETRY) {
				if (verdict)
					*verdict = v;
				return 0;
			}
			if (wait < 0)
				wait = http_retry_after_ms(http_response_header(*resp, "Retry-After"),
							   (long long)time(NULL));
		}
		if (attempt >= p->max_attempts || (cancel_flag && *cancel_flag)) {
			if (verdict && !err)
				*verdict = HTTP_RETRY;
			return err;
		}
		if (wait < 0)
			wait = http_backoff_ms(attempt, p->base_ms, p->cap_ms);
		if (wait > p->cap_ms)
			wait = p->cap_ms;
		if (err)
			log_info("%s: %s request failed (%s); retry %d of %d in %ld ms", p->tag,
				 call->method, strerror(-err), attempt, p->max_attempts - 1, wait);
		else
			log_info("%s: %s request got HTTP %d; retry %d of %d in %ld ms", p->tag,
				 call->method, (*resp)->status, attempt, p->max_attempts - 1, wait);
		http_response_free(*resp);
		*resp = NULL;
		sleep_ms(wait);
	}
}

char *http_urlencode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct strbuf sb = { 0 };

	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			char c1 = (char)ch;

			strbuf_add(&sb, &c1, 1);
		} else {
			char enc[3] = { '%', hex[ch >> 4], hex[ch & 15] };

			strbuf_add(&sb, enc, 3);
		}
	}
	return strbuf_detach(&sb);
}

int http_plugin_request(const char *tag, const struct crmsync_http_request *req,
			struct crmsync_http_response **resp)
{
	struct http_call call = { req->method, req->url, req->headers, req->body, req->body_len,
				  (long)req->timeout_ms };
	struct http_retry_policy policy = { tag, 3, 500, 10000, NULL, NULL };
	struct http_conn *conn;
	int err;

	*resp = NULL;
	if (!req->method || !req->url)
		return -EINVAL;
	if (req->side != CRMSYNC_SIDE_NONE) {
		log_err("%s: plugins cannot yet call the services through the host table (their "
			"authentication and API budget live in the engine); use side NONE with an "
			"absolute URL", tag);
		return -EOPNOTSUPP;
	}
	if (!http_url_allowed(req->url)) {
		log_err("%s: refusing to send a request to a URL that is neither https nor loopback", tag);
		return -EPERM;
	}
	conn = http_conn_new();
	if (!conn)
		return -ENOMEM;
	err = http_perform_retry(conn, &call, &policy, resp, NULL);
	if (err)
		log_warn("%s: %s request failed: %s", tag, req->method, strerror(-err));
	http_conn_free(conn);
	return err;
}

int http_response_status(const struct crmsync_http_response *resp)
{
	return resp ? resp->status : 0;
}

const char *http_response_body(const struct crmsync_http_response *resp, size_t *len)
{
	if (len)
		*len = resp && resp->body ? resp->body_len : 0;
	return resp && resp->body ? resp->body : "";
}

const char *http_response_header(const struct crmsync_http_response *resp, const char *name)
{
	size_t n;

	if (!resp || !name)
		return NULL;
	n = strlen(name);
	for (size_t i = 0; i < resp->nheaders; i++) {
		const char *h = resp->headers[i];

		if (strncasecmp(h, name, n) == 0 && h[n] == ':') {
			h += n + 1;
			while (*h == ' ' || *h == '\t')
				h++;
			return h;
		}
	}
	return NULL;
}

void http_response_free(struct crmsync_http_response *resp)
{
	if (!resp)
		return;
	for (size_t i = 0; i < resp->nheaders; i++)
		free(resp->headers[i]);
	free(resp->headers);
	free(resp->body);
	free(resp);
}
