/*
 * webhook_recv - an HTTP receiver on 127.0.0.1 (libmicrohttpd) for the
 * webhook and slack notifiers' tests, and the reference for how a receiver
 * verifies crmsync's signature (plugins/notifiers/README.md).
 *
 * Every request N (from 1) is written to DIR as req-N.json (the body, byte
 * for byte), req-N.headers (method, path and the headers the notifiers
 * set) and req-N.verified: in webhook mode "ok", "missing signature",
 * "bad signature" or "stale timestamp" (answered 204, or 401 for the
 * others); in --slack mode "slack ok" or "slack bad payload" (answered 200
 * "ok", or 400 "invalid_payload"). --fail K answers the first K requests
 * with --fail-status (503 by default; Slack-style error bodies in --slack
 * mode, Retry-After with --retry-after S). Never for production use.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "../../plugins/notifiers/common/hmac_sha256.h"

#define MAX_BODY (1024 * 1024)
#define MAX_SKEW_S 300

struct recv_opts {
	const char *dir;
	char *secret;
	int slack;
	long fail;
	int fail_status;
	const char *retry_after;
	int count;
};

struct upload {
	char *body;
	size_t len;
	int too_big;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: webhook_recv --dir DIR (--secret-file F | --slack) [--port N]\n"
		   "                    [--fail K] [--fail-status CODE] [--retry-after S]\n"
		   "Prints 'webhook_recv ready port=N' when listening on 127.0.0.1.\n");
}

static void write_file(const char *dir, int n, const char *ext, const char *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/req-%d.%s", dir, n, ext);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(data, 1, len, f);
	fclose(f);
}

static const char *hdr(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The receiver's side of the scheme: HMAC-SHA256 of the raw body with the
 * shared secret, compared in constant time; then the signed timestamp (in
 * the body; the header must agree) no more than 5 minutes from now. */
static const char *verify(const struct recv_opts *o, struct MHD_Connection *c, const char *body,
			  size_t len)
{
	const char *sig = hdr(c, "X-Crmsync-Signature"), *ts = hdr(c, "X-Crmsync-Timestamp");
	uint8_t mac[SHA256_DIGEST_SIZE];
	char expect[SHA256_HEX_SIZE];
	json_t *root, *v;
	long long signed_ts;

	if (!sig || strncmp(sig, "sha256=", 7) != 0 || strlen(sig + 7) != 2 * SHA256_DIGEST_SIZE)
		return "missing signature";
	hmac_sha256(o->secret, strlen(o->secret), body, len, mac);
	hex_encode(mac, sizeof(mac), expect);
	if (!ct_equal(expect, sig + 7, 2 * SHA256_DIGEST_SIZE))
		return "bad signature";
	root = json_loadb(body, len, 0, NULL);
	v = root ? json_object_get(root, "timestamp") : NULL;
	if (!json_is_integer(v)) {
		json_decref(root);
		return "stale timestamp";
	}
	signed_ts = json_integer_value(v);
	json_decref(root);
	if (!ts || atoll(ts) != signed_ts || llabs((long long)time(NULL) - signed_ts) > MAX_SKEW_S)
		return "stale timestamp";
	return "ok";
}

static const char *slack_check(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, 0, NULL);
	int ok = json_is_string(json_object_get(root, "text")) &&
		 json_is_array(json_object_get(root, "blocks"));

	json_decref(root);
	return ok ? "slack ok" : "slack bad payload";
}

static const char *slack_error(int status)
{
	switch (status) {
	case 400: return "invalid_payload";
	case 403: return "invalid_token";
	case 404: return "no_service";
	case 410: return "channel_is_archived";
	case 429: return "rate_limited";
	default: return "service_unavailable";
	}
}

static enum MHD_Result respond(struct MHD_Connection *c, int status, const char *text,
			       const char *retry_after)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	MHD_add_response_header(r, "Content-Type", "text/plain");
	if (retry_after)
		MHD_add_response_header(r, "Retry-After", retry_after);
	ret = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *data_size, void **con_cls)
{
	struct recv_opts *o = cls;
	struct upload *u = *con_cls;
	char head[2048];
	const char *verdict;
	int n, status;

	if (!u) {
		u = calloc(1, sizeof(*u));
		if (!u)
			return MHD_NO;
		*con_cls = u;
		return MHD_YES;
	}
	if (*data_size) {
		if (u->len + *data_size > MAX_BODY) {
			u->too_big = 1;
		} else {
			char *b = realloc(u->body, u->len + *data_size + 1);

			if (!b)
				return MHD_NO;
			u->body = b;
			memcpy(u->body + u->len, data, *data_size);
			u->len += *data_size;
			u->body[u->len] = '\0';
		}
		*data_size = 0;
		return MHD_YES;
	}
	n = ++o->count;
	write_file(o->dir, n, "json", u->body ? u->body : "", u->len);
	snprintf(head, sizeof(head),
		 "Method: %s\nPath: %s\nContent-Type: %s\nUser-Agent: %s\n"
		 "X-Crmsync-Signature: %s\nX-Crmsync-Timestamp: %s\nX-Crmsync-Delivery: %s\n",
		 method, url, hdr(c, "Content-Type") ? hdr(c, "Content-Type") : "",
		 hdr(c, "User-Agent") ? hdr(c, "User-Agent") : "",
		 hdr(c, "X-Crmsync-Signature") ? hdr(c, "X-Crmsync-Signature") : "",
		 hdr(c, "X-Crmsync-Timestamp") ? hdr(c, "X-Crmsync-Timestamp") : "",
		 hdr(c, "X-Crmsync-Delivery") ? hdr(c, "X-Crmsync-Delivery") : "");
	write_file(o->dir, n, "headers", head, strlen(head));
	if (u->too_big)
		verdict = "too big";
	else if (o->slack)
		verdict = slack_check(u->body ? u->body : "", u->len);
	else
		verdict = verify(o, c, u->body ? u->body : "", u->len);
	write_file(o->dir, n, "verified", verdict, strlen(verdict));
	if (o->fail > 0) {
		o->fail--;
		status = o->fail_status;
		write_file(o->dir, n, "status", "failed", 6);
		return respond(c, status, o->slack ? slack_error(status) : "failing on purpose",
			       o->retry_after);
	}
	if (o->slack)
		return strcmp(verdict, "slack ok") == 0 ? respond(c, 200, "ok", NULL)
							: respond(c, 400, "invalid_payload", NULL);
	return strcmp(verdict, "ok") == 0 ? respond(c, 204, "", NULL) : respond(c, 401, verdict, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *con_cls;

	if (u) {
		free(u->body);
		free(u);
		*con_cls = NULL;
	}
}

static char *read_secret(const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the same rule as the daemon's secret files: no final newline */
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return strdup(buf);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "secret-file", required_argument, NULL, 's' },
		{ "slack", no_argument, NULL, 'k' },
		{ "fail", required_argument, NULL, 'f' },
		{ "fail-status", required_argument, NULL, 'c' },
		{ "retry-after", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct recv_opts o = { .fail_status = 503 };
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	struct MHD_Daemon *d;
	const char *secret_file = NULL;
	sigset_t set;
	int port = 0, opt, fd, one = 1, sig;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd': o.dir = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 's': secret_file = optarg; break;
		case 'k': o.slack = 1; break;
		case 'f': o.fail = atol(optarg); break;
		case 'c': o.fail_status = atoi(optarg); break;
		case 'r': o.retry_after = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!o.dir || (!secret_file && !o.slack)) {
		usage(stderr);
		return 2;
	}
	if (secret_file && !(o.secret = read_secret(secret_file))) {
		fprintf(stderr, "webhook_recv: cannot read '%s': %s\n", secret_file, strerror(errno));
		return 1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
		fprintf(stderr, "webhook_recv: cannot listen on 127.0.0.1:%d: %s\n", port,
			strerror(errno));
		return 1;
	}
	/* signals are taken by sigwait below, in the main thread only */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     on_request, &o, MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "webhook_recv: cannot start the HTTP server\n");
		return 1;
	}
	printf("webhook_recv ready port=%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	free(o.secret);
	return 0;
}
