/*
 * crmsync-sim admin endpoints, under /__admin/ on each side's port and for
 * loopback peers only: call counters, data dumps, user-like record edits,
 * fault injection, the shared clock, plus whatever the side adds itself
 * (admin_other). Also the canned error bodies the frame sends on a side's
 * behalf (injected 5xx/429, bodies over the cap).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "frame.h"

static const char *const fault_names[SIM_FAULT_KIND_COUNT] = {
	"status", "429", "latency", "reset", "truncate", "malformed",
};

const char *sim_fault_kind_name(enum sim_fault_kind k)
{
	return (unsigned)k < SIM_FAULT_KIND_COUNT ? fault_names[k] : "?";
}

static void admin_error(struct sim_resp *resp, int status, const char *msg)
{
	sim_resp_json(resp, status, json_pack("{s:s}", "error", msg));
}

/* ---- canned side errors ----------------------------------------------- */

void sim_side_error(const struct sim_side_ops *ops, int status, const char *what,
		    struct sim_resp *resp)
{
	char cid[37];
	bool too_large = !strcmp(what, "too_large");

	sim_uuid(cid);
	if (!strcmp(ops->name, "hubspot")) {
		if (status == 429) {
			char rid[37];

			sim_uuid(rid);
			sim_resp_json(resp, 429, json_pack(
				"{s:s,s:s,s:s,s:s,s:s,s:s}", "status", "error",
				"message", "You have reached your ten secondly rolling limit.",
				"errorType", "RATE_LIMIT", "correlationId", cid,
				"policyName", "TEN_SECONDLY_ROLLING", "requestId", rid));
			return;
		}
		if (too_large) {
			char msg[128];

			snprintf(msg, sizeof(msg),
				 "Request body is too large; the maximum size is %u bytes",
				 SIM_BODY_CAP);
			sim_resp_json(resp, 413, json_pack("{s:s,s:s,s:s,s:s}", "status", "error",
							   "message", msg, "correlationId", cid,
							   "category", "VALIDATION_ERROR"));
			return;
		}
		sim_resp_json(resp, status, json_pack(
			"{s:s,s:s,s:s,s:s}", "status", "error",
			"message", status == 504 ? "The request timed out" :
				   "An internal error occurred while processing the request",
			"correlationId", cid, "category", "INTERNAL_ERROR"));
		return;
	}
	if (!strcmp(ops->name, "salesforce")) {
		if (status == 429) {
			sim_resp_json(resp, 403, json_pack("[{s:s,s:s}]",
				"message", "TotalRequests Limit exceeded.",
				"errorCode", "REQUEST_LIMIT_EXCEEDED"));
			return;
		}
		if (too_large) {
			sim_resp_json(resp, 413, json_pack("[{s:s,s:s}]",
				"message", "The request body exceeds the maximum size allowed",
				"errorCode", "JSON_PARSER_ERROR"));
			return;
		}
		sim_resp_json(resp, status, json_pack("[{s:s,s:s}]",
			"message", status == 503 ? "Server is temporarily unavailable" :
				   "An unexpected error occurred. Please include this ErrorId if you contact support",
			"errorCode", status == 503 ? "SERVER_UNAVAILABLE" : "UNKNOWN_EXCEPTION"));
		return;
	}
	admin_error(resp, status, too_large ? "request body too large" : "injected fault");
}

/* ---- faults ----------------------------------------------------------- */

static double prng_unit(uint64_t *st)
{
	return (double)(sim_rand_next(st) >> 11) / 9007199254740992.0;
}

static bool fault_matches(const struct sim_fault *f, const struct sim_req *req)
{
	if (f->path[0] && strncmp(req->path, f->path, strlen(f->path)))
		return false;
	if (f->method[0] && strcmp(req->method, f->method))
		return false;
	return true;
}

static bool fault_fires(struct sim_faults *fs, int i)
{
	struct sim_fault *f = &fs->v[i];

	if (f->next > 0) {
		f->next--;
		return true;
	}
	return f->rate > 0 && prng_unit(&fs->prng) < f->rate;
}

static void fault_drop_spent(struct sim_faults *fs)
{
	int o = 0;

	for (int i = 0; i < fs->n; i++)
		if (fs->v[i].next > 0 || fs->v[i].rate > 0)
			fs->v[o++] = fs->v[i];
	fs->n = o;
}

const struct sim_fault *sim_faults_pick(struct sim_faults *fs, const struct sim_req *req)
{
	static _Thread_local struct sim_fault picked;
	bool have = false;

	for (int i = 0; i < fs->n; i++) {
		struct sim_fault *f = &fs->v[i];

		if (!fault_matches(f, req))
			continue;
		if (f->kind == SIM_FAULT_LATENCY) {
			if (fault_fires(fs, i)) {
				struct timespec ts = { f->ms / 1000, (f->ms % 1000) * 1000000 };

				f->fired++;
				fs->fired[f->kind]++;
				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (!have && fault_fires(fs, i)) {
			f->fired++;
			fs->fired[f->kind]++;
			picked = *f;
			have = true;
		}
	}
	fault_drop_spent(fs);
	return have ? &picked : NULL;
}

static int fault_parse(json_t *j, struct sim_fault *f, const char **err)
{
	const char *kind = json_string_value(json_object_get(j, "kind"));
	json_t *v;
	int k;

	memset(f, 0, sizeof(*f));
	*err = "'kind' must be one of status, 429, latency, reset, truncate, malformed";
	if (!json_is_object(j) || !kind)
		return -EINVAL;
	for (k = 0; k < SIM_FAULT_KIND_COUNT; k++)
		if (!strcmp(kind, fault_names[k]))
			break;
	if (k == SIM_FAULT_KIND_COUNT)
		return -EINVAL;
	f->kind = (enum sim_fault_kind)k;
	f->status = 503;
	if ((v = json_object_get(j, "status"))) {
		*err = "'status' must be an HTTP status from 400 to 599";
		if (!json_is_integer(v) || json_integer_value(v) < 400 || json_integer_value(v) > 599)
			return -EINVAL;
		f->status = (int)json_integer_value(v);
	}
	f->ms = 1000;
	if ((v = json_object_get(j, "ms"))) {
		*err = "'ms' must be an integer from 0 to 60000";
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 60000)
			return -EINVAL;
		f->ms = (long)json_integer_value(v);
	}
	if ((v = json_object_get(j, "rate"))) {
		*err = "'rate' must be a number from 0 to 1";
		if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 1)
			return -EINVAL;
		f->rate = json_number_value(v);
	}
	if ((v = json_object_get(j, "next"))) {
		*err = "'next' must be a positive integer";
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return -EINVAL;
		f->next = (long)json_integer_value(v);
	}
	*err = "a fault needs 'rate' (0..1) or 'next' (N calls)";
	if (f->rate <= 0 && f->next <= 0)
		return -EINVAL;
	if ((v = json_object_get(j, "path")))
		snprintf(f->path, sizeof(f->path), "%s", json_string_value(v) ? json_string_value(v) : "");
	if ((v = json_object_get(j, "method")))
		snprintf(f->method, sizeof(f->method), "%s", json_string_value(v) ? json_string_value(v) : "");
	return 0;
}

static json_t *faults_json(const struct sim_faults *fs)
{
	json_t *arr = json_array(), *fired = json_object();

	for (int i = 0; i < fs->n; i++) {
		const struct sim_fault *f = &fs->v[i];
		json_t *o = json_pack("{s:s,s:f,s:I,s:s,s:s,s:I}", "kind", fault_names[f->kind],
				      "rate", f->rate, "next", (json_int_t)f->next, "path", f->path,
				      "method", f->method, "fired", (json_int_t)f->fired);

		if (f->kind == SIM_FAULT_STATUS)
			json_object_set_new(o, "status", json_integer(f->status));
		if (f->kind == SIM_FAULT_LATENCY)
			json_object_set_new(o, "ms", json_integer(f->ms));
		json_array_append_new(arr, o);
	}
	for (int k = 0; k < SIM_FAULT_KIND_COUNT; k++)
		json_object_set_new(fired, fault_names[k], json_integer(fs->fired[k]));
	return json_pack("{s:o,s:o}", "faults", arr, "fired", fired);
}

static void admin_faults(struct sim_server *srv, const struct sim_req *req, json_t *body,
			 struct sim_resp *resp)
{
	struct sim_faults *fs = &srv->faults;

	if (!strcmp(req->method, "GET")) {
		sim_resp_json(resp, 200, faults_json(fs));
	} else if (!strcmp(req->method, "DELETE")) {
		fs->n = 0;
		sim_resp_json(resp, 204, NULL);
	} else if (!strcmp(req->method, "POST")) {
		size_t n = json_is_array(body) ? json_array_size(body) : 1;
		struct sim_fault add[SIM_MAX_FAULTS];
		const char *err;

		if (!body || n == 0 || fs->n + (int)n > SIM_MAX_FAULTS) {
			admin_error(resp, 400, body ? "too many faults" : "body must be a fault object or an array of them");
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (fault_parse(json_is_array(body) ? json_array_get(body, i) : body, &add[i], &err)) {
				admin_error(resp, 400, err);
				return;
			}
		}
		for (size_t i = 0; i < n; i++)
			fs->v[fs->n++] = add[i];
		sim_resp_json(resp, 201, faults_json(fs));
	} else {
		admin_error(resp, 405, "use GET, POST or DELETE");
	}
}

/* ---- the rest --------------------------------------------------------- */

static void admin_calls(struct sim_server *srv, const struct sim_req *req, struct sim_resp *resp)
{
	if (!strcmp(req->method, "DELETE")) {
		sim_counters_reset(&srv->counters);
		sim_resp_json(resp, 204, NULL);
		return;
	}
	if (strcmp(req->method, "GET")) {
		admin_error(resp, 405, "use GET or DELETE");
		return;
	}
	json_t *calls = json_object();

	for (size_t i = 0; i < srv->counters.n; i++)
		json_object_set_new(calls, srv->counters.v[i].label,
				    json_integer(srv->counters.v[i].n));
	sim_resp_json(resp, 200, json_pack("{s:s,s:I,s:o}", "side", srv->ops->name,
					   "total", (json_int_t)srv->counters.total, "calls", calls));
}

static void admin_clock(const struct sim_req *req, json_t *body, struct sim_resp *resp)
{
	if (!strcmp(req->method, "POST")) {
		json_t *off = json_object_get(body, "offset_ms");
		json_t *adv = json_object_get(body, "advance_ms");
		json_t *freeze = json_object_get(body, "freeze");

		if (json_is_integer(off))
			sim_clock_set_offset(json_integer_value(off));
		else if (json_is_integer(adv))
			sim_clock_set_offset(sim_clock_offset() + json_integer_value(adv));
		else if (json_is_boolean(freeze))
			sim_clock_freeze(json_is_true(freeze));
		else {
			admin_error(resp, 400, "body must be {\"offset_ms\": N}, {\"advance_ms\": N} or "
				    "{\"freeze\": true|false}");
			return;
		}
	} else if (strcmp(req->method, "GET")) {
		admin_error(resp, 405, "use GET or POST");
		return;
	}
	sim_resp_json(resp, 200, json_pack("{s:I,s:I,s:b}", "now_ms", (json_int_t)sim_now_ms(),
					   "offset_ms", (json_int_t)sim_clock_offset(), "frozen",
					   sim_clock_frozen()));
}

/* Split "records/contacts/123" after the "what/" prefix into object and id. */
static void split_obj_id(const char *rest, char *obj, size_t objlen, char *id, size_t idlen)
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

	if (n >= objlen)
		n = objlen - 1;
	memcpy(obj, rest, n);
	obj[n] = '\0';
	snprintf(id, idlen, "%s", slash ? slash + 1 : "");
}

void sim_admin_handle(struct sim_server *srv, const struct sim_req *req, struct sim_resp *resp)
{
	const char *what = req->path + strlen("/__admin");
	json_t *body = NULL;
	json_error_t jerr;
	char obj[64], id[128];

	if (*what == '/')
		what++;
	if (req->body_len) {
		body = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, &jerr);
		if (!body) {
			char msg[256];

			snprintf(msg, sizeof(msg), "invalid JSON at line %d: %s", jerr.line, jerr.text);
			admin_error(resp, 400, msg);
			return;
		}
	}
	if (!strcmp(what, "calls")) {
		admin_calls(srv, req, resp);
	} else if (!strcmp(what, "faults")) {
		admin_faults(srv, req, body, resp);
	} else if (!strcmp(what, "clock")) {
		admin_clock(req, body, resp);
	} else if (!strcmp(what, "health")) {
		sim_resp_json(resp, 200, json_pack("{s:s,s:s}", "status", "ok", "side", srv->ops->name));
	} else if (!strncmp(what, "dump/", 5) && what[5]) {
		split_obj_id(what + 5, obj, sizeof(obj), id, sizeof(id));
		if (strcmp(req->method, "GET"))
			admin_error(resp, 405, "use GET");
		else
			srv->ops->admin_dump(srv->side, obj, resp);
	} else if (!strncmp(what, "records/", 8) && what[8]) {
		split_obj_id(what + 8, obj, sizeof(obj), id, sizeof(id));
		srv->ops->admin_records(srv->side, req->method, obj, id[0] ? id : NULL, body, resp);
	} else if (!srv->ops->admin_other ||
		   srv->ops->admin_other(srv->side, req, what, resp) == -ENOENT) {
		admin_error(resp, 404, "unknown admin endpoint");
	}
	json_decref(body);
}
