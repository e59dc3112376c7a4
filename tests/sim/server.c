/*
 * crmsync-sim HTTP frame: one libmicrohttpd daemon per side, bound to
 * 127.0.0.1 only, served by a single internal epoll thread so that a side's
 * state is only touched from that thread. Accumulates request bodies (with a
 * cap), routes /__admin/ to admin.c and everything else to the side, counts
 * calls per endpoint label and applies injected faults to the answer.
 * It knows nothing of either API beyond the canned error bodies in admin.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"

struct conn_state {
	char *buf;
	size_t len, cap;
	size_t received;
	bool too_large;
};

/* ---- request accessors ------------------------------------------------ */

const char *sim_req_arg(const struct sim_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *sim_req_header(const struct sim_req *req, const char *name)
{
	if (!req->conn)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

struct arg_collect {
	const char *name;
	const char **out;
	size_t max, n;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct arg_collect *ac = cls;

	(void)kind;
	if (key && !strcmp(key, ac->name)) {
		if (ac->n < ac->max)
			ac->out[ac->n] = value ? value : "";
		ac->n++;
	}
	return MHD_YES;
}

size_t sim_req_arg_all(const struct sim_req *req, const char *name, const char **out, size_t max)
{
	struct arg_collect ac = { name, out, max, 0 };

	if (!req->conn)
		return 0;
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &ac);
	return ac.n < max ? ac.n : max;
}

bool sim_req_is_loopback(const struct sim_req *req)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	if (!req->conn)
		return true; /* in-process callers (unit tests) */
	ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return false;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return false;
}

/* ---- responses -------------------------------------------------------- */

void sim_resp_raw(struct sim_resp *resp, int status, const char *content_type,
		  const char *body, size_t len)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = status;
	resp->content_type = content_type;
	if (body && len) {
		resp->body = malloc(len + 1);
		if (!resp->body) {
			resp->status = 500;
			return;
		}
		memcpy(resp->body, body, len);
		resp->body[len] = '\0';
		resp->body_len = len;
	}
}

void sim_resp_json(struct sim_resp *resp, int status, json_t *body)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	resp->status = status;
	resp->content_type = NULL;
	if (!body)
		return;
	resp->body = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!resp->body) {
		resp->status = 500;
		return;
	}
	resp->body_len = strlen(resp->body);
}

void sim_resp_header(struct sim_resp *resp, const char *name, const char *fmt, ...)
{
	char value[512];
	va_list ap;

	if (resp->nheaders >= SIM_RESP_MAX_HEADERS)
		return;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	resp->hname[resp->nheaders] = strdup(name);
	resp->hvalue[resp->nheaders] = strdup(value);
	if (!resp->hname[resp->nheaders] || !resp->hvalue[resp->nheaders]) {
		free(resp->hname[resp->nheaders]);
		free(resp->hvalue[resp->nheaders]);
		return;
	}
	resp->nheaders++;
}

static void resp_release(struct sim_resp *resp)
{
	free(resp->body);
	for (int i = 0; i < resp->nheaders; i++) {
		free(resp->hname[i]);
		free(resp->hvalue[i]);
	}
	memset(resp, 0, sizeof(*resp));
}

/* ---- counters --------------------------------------------------------- */

void sim_counters_add(struct sim_counters *c, const char *label)
{
	c->total++;
	for (size_t i = 0; i < c->n; i++) {
		if (!strcmp(c->v[i].label, label)) {
			c->v[i].n++;
			return;
		}
	}
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 32;
		struct sim_counter *nv = realloc(c->v, ncap * sizeof(*nv));

		if (!nv)
			return;
		c->v = nv;
		c->cap = ncap;
	}
	snprintf(c->v[c->n].label, sizeof(c->v[c->n].label), "%s", label);
	c->v[c->n].n = 1;
	c->n++;
}

void sim_counters_reset(struct sim_counters *c)
{
	c->n = 0;
	c->total = 0;
}

void sim_counters_free(struct sim_counters *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* ---- truncated bodies ------------------------------------------------- */

struct trunc_body {
	char *data;
	size_t len;
};

static ssize_t trunc_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct trunc_body *tb = cls;
	size_t n;

	if (pos >= tb->len)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	n = tb->len - (size_t)pos;
	if (n > max)
		n = max;
	memcpy(buf, tb->data + pos, n);
	return (ssize_t)n;
}

static void trunc_free(void *cls)
{
	struct trunc_body *tb = cls;

	free(tb->data);
	free(tb);
}

/* Keep about half of the body and announce the full length plus some. */
static struct MHD_Response *truncated_response(struct sim_resp *resp)
{
	struct trunc_body *tb = calloc(1, sizeof(*tb));
	struct MHD_Response *r;
	size_t full = resp->body_len ? resp->body_len : 2;

	if (!tb)
		return NULL;
	tb->data = resp->body ? resp->body : strdup("{}");
	resp->body = NULL;
	tb->len = full / 2;
	r = MHD_create_response_from_callback(full + 64, 4096, trunc_read, tb, trunc_free);
	if (!r)
		trunc_free(tb);
	return r;
}

/* ---- the request handler ---------------------------------------------- */

static void dispatch(struct sim_server *srv, const struct sim_req *req, struct conn_state *cs,
		     struct sim_resp *resp, const struct sim_fault **fault)
{
	*fault = NULL;
	if (!strncmp(req->path, "/__admin/", 9) || !strcmp(req->path, "/__admin")) {
		if (!sim_req_is_loopback(req)) {
			sim_resp_raw(resp, 403, "text/plain", "admin is loopback only\n", 23);
			return;
		}
		if (cs->too_large) {
			sim_side_error(srv->ops, 413, "too_large", resp);
			return;
		}
		sim_admin_handle(srv, req, resp);
		return;
	}
	*fault = sim_faults_pick(&srv->faults, req);
	if (cs->too_large) {
		sim_side_error(srv->ops, 413, "too_large", resp);
		snprintf(resp->endpoint, sizeof(resp->endpoint), "%s (body too large)", req->method);
	} else if (*fault && ((*fault)->kind == SIM_FAULT_STATUS || (*fault)->kind == SIM_FAULT_429)) {
		if ((*fault)->kind == SIM_FAULT_STATUS)
			sim_side_error(srv->ops, (*fault)->status, "fault", resp);
		else
			sim_side_error(srv->ops, 429, "fault", resp);
		snprintf(resp->endpoint, sizeof(resp->endpoint), "%s (fault)", req->method);
	} else {
		srv->ops->handle(srv->side, req, resp);
	}
	sim_counters_add(&srv->counters, resp->endpoint[0] ? resp->endpoint : "unknown");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct sim_server *srv = cls;
	struct conn_state *cs = *con_cls;
	struct sim_resp resp;
	const struct sim_fault *fault;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)version;
	if (!cs) {
		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		cs->received += n;
		*upload_data_size = 0;
		if (cs->too_large || cs->received > SIM_BODY_CAP) {
			cs->too_large = true;
			free(cs->buf);
			cs->buf = NULL;
			cs->len = cs->cap = 0;
			return MHD_YES;
		}
		if (cs->len + n + 1 > cs->cap) {
			size_t ncap = cs->cap ? cs->cap : 4096;
			char *nb;

			while (ncap < cs->len + n + 1)
				ncap *= 2;
			nb = realloc(cs->buf, ncap);
			if (!nb)
				return MHD_NO;
			cs->buf = nb;
			cs->cap = ncap;
		}
		memcpy(cs->buf + cs->len, upload_data, n);
		cs->len += n;
		cs->buf[cs->len] = '\0';
		return MHD_YES;
	}

	struct sim_req req = {
		.method = method, .path = url,
		.body = cs->buf ? cs->buf : "", .body_len = cs->len, .conn = conn,
	};
	memset(&resp, 0, sizeof(resp));
	dispatch(srv, &req, cs, &resp, &fault);

	if (fault && fault->kind == SIM_FAULT_RESET) {
		resp_release(&resp);
		return MHD_NO;
	}
	if (fault && fault->kind == SIM_FAULT_MALFORMED) {
		static const char garbage[] = "{\"results\":[{\"id\":\"1\",\"properties\":{\"em";

		sim_resp_raw(&resp, 200, NULL, garbage, sizeof(garbage) - 1);
	}
	if (fault && fault->kind == SIM_FAULT_TRUNCATE)
		r = truncated_response(&resp);
	else if (resp.body_len)
		r = MHD_create_response_from_buffer(resp.body_len, resp.body, MHD_RESPMEM_MUST_FREE);
	else
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!r) {
		resp_release(&resp);
		return MHD_NO;
	}
	if (resp.body_len && !(fault && fault->kind == SIM_FAULT_TRUNCATE))
		resp.body = NULL; /* now owned by MHD */
	if (resp.status != 204 && resp.status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					resp.content_type ? resp.content_type
							  : "application/json;charset=UTF-8");
	for (int i = 0; i < resp.nheaders; i++)
		MHD_add_response_header(r, resp.hname[i], resp.hvalue[i]);
	ret = MHD_queue_response(conn, (unsigned)(resp.status ? resp.status : 500), r);
	MHD_destroy_response(r);
	resp_release(&resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (cs) {
		free(cs->buf);
		free(cs);
		*con_cls = NULL;
	}
}

/* ---- lifecycle -------------------------------------------------------- */

int sim_server_bind(struct sim_server *srv, const struct sim_side_ops *ops, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	int one = 1, fd, err;

	srv->ops = ops;
	srv->listen_fd = -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 256) ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen)) {
		err = -errno;
		close(fd);
		fprintf(stderr, "crmsync-sim: cannot listen on '127.0.0.1:%d' for %s: %s\n",
			port, ops->name, strerror(-err));
		return err;
	}
	srv->listen_fd = fd;
	srv->port = ntohs(sa.sin_port);
	snprintf(srv->base_url, sizeof(srv->base_url), "http://127.0.0.1:%d", srv->port);
	return 0;
}

int sim_server_start(struct sim_server *srv)
{
	srv->faults.prng ^= srv->opts ? srv->opts->seed * 0x2545F4914F6CDD1Dull : 1;
	srv->daemon = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG,
				       0, NULL, NULL, on_request, srv,
				       MHD_OPTION_LISTEN_SOCKET, srv->listen_fd,
				       MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
				       MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
				       MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
				       MHD_OPTION_END);
	if (!srv->daemon) {
		fprintf(stderr, "crmsync-sim: cannot start the %s server on port %d\n",
			srv->ops->name, srv->port);
		return -EIO;
	}
	srv->listen_fd = -1; /* MHD closes it on stop */
	return 0;
}

void sim_server_stop(struct sim_server *srv)
{
	if (srv->daemon) {
		MHD_stop_daemon(srv->daemon);
		srv->daemon = NULL;
	}
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		srv->listen_fd = -1;
	}
	sim_counters_free(&srv->counters);
}
