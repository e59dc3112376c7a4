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
	static const char *const local[] = { "http://127.0.0.1", "http://localhost", "http://[::1]" };

	if (strncasecmp(url, "https://", 8) == 0)
		return 1;
	for (size_t i = 0; i < ARRAY_SIZE(local); i++) {
		size_t n = strlen(local[i]);

		if (strncasecmp(url, local[i], n) == 0 &&
		    (url[n] == ':' || url[n] == '/' || url[n] == '\0'))
			return 1;
	}
	return 0;
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

int http_plugin_request(const char *tag, const struct crmsync_http_request *req,
			struct crmsync_http_response **resp)
{
	struct crmsync_http_response *r;
	struct curl_slist *hdrs = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;
	long status = 0;
	int err = 0;

	*resp = NULL;
	if (!req->method || !req->url)
		return -EINVAL;
	if (req->side != CRMSYNC_SIDE_NONE) {
		log_err("%s: requests to the services through the core need their API clients, "
			"which this build does not have yet; use side NONE with an absolute URL", tag);
		return -EOPNOTSUPP;
	}
	if (!http_url_allowed(req->url)) {
		log_err("%s: refusing to send a request to a URL that is neither https nor loopback", tag);
		return -EPERM;
	}
	c = curl_easy_init();
	if (!c)
		return -ENOMEM;
	r = xcalloc(1, sizeof(*r));
	curl_easy_setopt(c, CURLOPT_URL, req->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (req->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	for (const char *const *h = req->headers; h && *h; h++)
		hdrs = curl_slist_append(hdrs, *h);
	if (hdrs)
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
			 req->timeout_ms > 0 ? (long)req->timeout_ms : HTTP_DEFAULT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, HTTP_LOW_SPEED_BYTES);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, HTTP_LOW_SPEED_SECONDS);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)HTTP_MAX_BODY);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);

	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		/* the URL may carry a token in its query: name only the method */
		log_warn("%s: %s request failed: %s", tag, req->method,
			 errbuf[0] ? errbuf : curl_easy_strerror(rc));
		switch (rc) {
		case CURLE_OPERATION_TIMEDOUT:
			err = -ETIMEDOUT;
			break;
		case CURLE_WRITE_ERROR:
		case CURLE_FILESIZE_EXCEEDED:
			err = -EFBIG;
			break;
		case CURLE_COULDNT_CONNECT:
			err = -ECONNREFUSED;
			break;
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CONNECT_ERROR:
			err = -EPROTO;
			break;
		default:
			err = -EIO;
		}
		http_response_free(r);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	r->status = (int)status;
	*resp = r;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
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
