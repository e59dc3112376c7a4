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

/* Is url https, or http to 127.0.0.1/localhost/[::1]? (plain http leaves the
 * machine never). */
int http_url_allowed(const char *url);

#endif
