/*
 * crmsync-sim, Salesforce side: Composite (POST /composite). Up to 25
 * subrequests run in order through the same router as top-level calls, with
 * @{referenceId.path} references into earlier results; the whole request
 * counts as one API call. allOrNone rolls everything back on the first
 * failure and marks the other subrequests PROCESSING_HALTED.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

#define SF_HALTED_MSG "The transaction was rolled back since another operation in the same " \
	"transaction failed."

static int sf_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *sf_urldecode(const char *s, size_t len)
{
	char *out = malloc(len + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < len && sf_hex(s[i + 1]) >= 0 &&
			   sf_hex(s[i + 2]) >= 0) {
			out[o++] = (char)(sf_hex(s[i + 1]) * 16 + sf_hex(s[i + 2]));
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return out;
}

/* "a=1&b=2" -> {"a":"1","b":"2"} (decoded). */
static json_t *sf_parse_query(const char *qs)
{
	json_t *args = json_object();

	while (qs && *qs) {
		const char *amp = strchr(qs, '&'), *eq;
		size_t len = amp ? (size_t)(amp - qs) : strlen(qs);
		eq = memchr(qs, '=', len);
		if (eq) {
			char *k = sf_urldecode(qs, (size_t)(eq - qs));
			char *v = sf_urldecode(eq + 1, len - (size_t)(eq - qs) - 1);
			if (k && v)
				json_object_set_new(args, k, json_string(v));
			free(k);
			free(v);
		}
		qs = amp ? amp + 1 : NULL;
	}
	return args;
}

/* Follow "id" or "records[0].Id" into a result body; NULL if absent. */
static json_t *sf_ref_path(json_t *v, const char *path)
{
	char key[128];

	while (v && *path) {
		size_t n = strcspn(path, ".[");
		if (n) {
			snprintf(key, sizeof(key), "%.*s", (int)(n < 127 ? n : 127), path);
			v = json_object_get(v, key);
			path += n;
		}
		if (*path == '[') {
			char *end;
			long idx = strtol(path + 1, &end, 10);
			if (*end != ']')
				return NULL;
			v = json_array_get(v, (size_t)idx);
			path = end + 1;
		}
		if (*path == '.')
			path++;
	}
	return v;
}

/* Resolve @{ref.path}; on failure fill why (the referenceId or the path). */
static json_t *sf_ref_value(json_t *results, const char *ref, size_t len, char *why, size_t wl)
{
	char buf[256], *dot;
	json_t *it;
	size_t i;

	snprintf(buf, sizeof(buf), "%.*s", (int)(len < 255 ? len : 255), ref);
	snprintf(why, wl, "%s", buf);
	dot = strchr(buf, '.');
	if (dot)
		*dot = '\0';
	json_array_foreach(results, i, it) {
		const char *rid = json_string_value(json_object_get(it, "referenceId"));
		if (rid && strcmp(rid, buf) == 0) {
			if (json_integer_value(json_object_get(it, "httpStatusCode")) >= 400)
				return NULL;
			return dot ? sf_ref_path(json_object_get(it, "body"), dot + 1) :
			       json_object_get(it, "body");
		}
	}
	return NULL;
}

/* Substitute every @{...} in s; returns a new string or NULL (why filled). */
static char *sf_subst_str(json_t *results, const char *s, json_t **whole, char *why, size_t wl)
{
	size_t cap = strlen(s) + 64, o = 0;
	char *out = malloc(cap);

	*whole = NULL;
	if (!out)
		return NULL;
	while (*s) {
		const char *st = strstr(s, "@{"), *end;
		json_t *v;
		char tmp[64];
		const char *txt;
		size_t tl;

		if (!st || !(end = strchr(st, '}'))) {
			st = s + strlen(s);
			end = NULL;
		}
		tl = (size_t)(st - s);
		if (o + tl + 1 > cap && !(out = realloc(out, cap = (o + tl) * 2 + 64)))
			return NULL;
		memcpy(out + o, s, tl);
		o += tl;
		if (!end)
			break;
		v = sf_ref_value(results, st + 2, (size_t)(end - st - 2), why, wl);
		if (!v) {
			free(out);
			return NULL;
		}
		if (st == s && end[1] == '\0' && o == 0)
			*whole = v;
		if (json_is_string(v)) {
			txt = json_string_value(v);
		} else if (json_is_integer(v)) {
			snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
			txt = tmp;
		} else if (json_is_real(v)) {
			snprintf(tmp, sizeof(tmp), "%g", json_real_value(v));
			txt = tmp;
		} else {
			txt = json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null";
		}
		tl = strlen(txt);
		if (o + tl + 1 > cap && !(out = realloc(out, cap = (o + tl) * 2 + 64)))
			return NULL;
		memcpy(out + o, txt, tl);
		o += tl;
		s = end + 1;
	}
	out[o] = '\0';
	return out;
}

/* Deep copy of a body with references substituted; NULL on a bad reference. */
static json_t *sf_subst_json(json_t *results, json_t *v, char *why, size_t wl)
{
	const char *k;
	json_t *x, *out;
	size_t i;

	if (json_is_string(v)) {
		json_t *whole;
		char *s = sf_subst_str(results, json_string_value(v), &whole, why, wl);
		if (!s)
			return NULL;
		out = whole && !json_is_string(whole) ? json_incref(whole) : json_string(s);
		free(s);
		return out;
	}
	if (json_is_object(v)) {
		out = json_object();
		json_object_foreach(v, k, x) {
			json_t *nx = sf_subst_json(results, x, why, wl);
			if (!nx) {
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, k, nx);
		}
		return out;
	}
	if (json_is_array(v)) {
		out = json_array();
		json_array_foreach(v, i, x) {
			json_t *nx = sf_subst_json(results, x, why, wl);
			if (!nx) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, nx);
		}
		return out;
	}
	return json_incref(v);
}

static json_t *sf_sub_result(json_t *body, json_t *headers, int status, const char *ref)
{
	return json_pack("{s:o, s:o, s:i, s:s}", "body", body ? body : json_null(),
			 "httpHeaders", headers ? headers : json_object(), "httpStatusCode", status,
			 "referenceId", ref);
}

static json_t *sf_halted(const char *msg)
{
	return json_pack("[{s:s, s:s}]", "errorCode", "PROCESSING_HALTED", "message", msg);
}

/* Run one subrequest; returns its status. */
static int sf_sub_run(struct sim_side *s, const struct sf_call *parent, json_t *sub,
		      json_t *results, json_t **res)
{
	const char *ref = json_string_value(json_object_get(sub, "referenceId"));
	const char *method = json_string_value(json_object_get(sub, "method"));
	const char *url = json_string_value(json_object_get(sub, "url"));
	json_t *body = json_object_get(sub, "body"), *nb = NULL, *whole;
	struct sf_call c = *parent;
	struct sf_out o = {0};
	char why[300], *path, *qs, *dumped = NULL;
	int status;

	path = url ? sf_subst_str(results, url, &whole, why, sizeof(why)) : NULL;
	if (body && path)
		nb = sf_subst_json(results, body, why, sizeof(why));
	if (!path || (body && !nb)) {
		char msg[512];
		snprintf(msg, sizeof(msg), "Invalid reference specification. No value for %s found. "
			 "Provided referenceId should have been run and succeeded.", why);
		free(path);
		*res = sf_sub_result(sf_halted(msg), NULL, 400, ref);
		return 400;
	}
	qs = strchr(path, '?');
	if (qs)
		*qs++ = '\0';
	c.method = method;
	c.path = path;
	c.args = sf_parse_query(qs);
	if (nb) {
		dumped = json_dumps(nb, JSON_COMPACT);
		c.body = dumped;
		c.body_len = dumped ? strlen(dumped) : 0;
	} else {
		c.body = NULL;
		c.body_len = 0;
	}
	c.internal = true;
	if (strncmp(path, SF_BASE "/", strlen(SF_BASE) + 1) != 0 ||
	    (strncmp(path, SF_BASE "/composite", strlen(SF_BASE) + 10) == 0 &&
	     strncmp(path, SF_BASE "/composite/sobjects", strlen(SF_BASE) + 19) != 0)) {
		sf_out_err(&o, 400, "INVALID_INPUT", "The url must start with " SF_BASE "/ and may not "
			   "be another composite request: %.200s", path);
	} else {
		sf_route(s, &c, &o);
	}
	status = o.status;
	{
		json_t *hdrs = json_object();
		for (int i = 0; i < o.nh; i++)
			json_object_set_new(hdrs, o.hname[i], json_string(o.hvalue[i]));
		*res = sf_sub_result(json_incref(o.json), hdrs, status, ref);
	}
	sf_out_free(&o);
	json_decref(c.args);
	json_decref(nb);
	free(dumped);
	free(path);
	return status;
}

void sf_composite_handle(struct sim_side *s, const struct sf_call *c, struct sf_out *o)
{
	json_t *body, *reqs, *results, *sub;
	bool all_or_none, failed = false;
	size_t i, mark, nfail = 0;

	snprintf(o->endpoint, sizeof(o->endpoint), "POST /composite");
	if (strcmp(c->method, "POST") != 0) {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are POST",
			   c->method);
		return;
	}
	if (!(body = sf_parse_body(c, o)))
		return;
	reqs = json_object_get(body, "compositeRequest");
	if (!json_is_array(reqs) || json_array_size(reqs) == 0) {
		sf_out_err(o, 400, "JSON_PARSER_ERROR", "compositeRequest is required");
		goto out;
	}
	if (json_array_size(reqs) > SF_COMPOSITE_MAX) {
		sf_out_err(o, 400, "LIMIT_EXCEEDED", "Limit Exceeded: Composite requests are limited "
			   "to 25 subrequests");
		goto out;
	}
	json_array_foreach(reqs, i, sub) {
		const char *ref = json_string_value(json_object_get(sub, "referenceId"));
		const char *m = json_string_value(json_object_get(sub, "method"));
		const char *u = json_string_value(json_object_get(sub, "url"));
		if (!ref || !m || !u || !*ref) {
			sf_out_err(o, 400, "INVALID_INPUT", "Each subrequest needs method, url and "
				   "referenceId (subrequest %zu)", i);
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(ref, json_string_value(json_object_get(json_array_get(reqs, k),
									"referenceId"))) == 0) {
				sf_out_err(o, 400, "INVALID_INPUT", "Duplicate referenceId provided "
					   "in the request: %s", ref);
				goto out;
			}
	}
	all_or_none = json_is_true(json_object_get(body, "allOrNone"));
	results = json_array();
	mark = sf_txn_begin(s);
	json_array_foreach(reqs, i, sub) {
		json_t *res;
		int st;

		if (failed && all_or_none) {
			json_array_append_new(results, sf_sub_result(sf_halted(SF_HALTED_MSG), NULL, 400,
				json_string_value(json_object_get(sub, "referenceId"))));
			continue;
		}
		st = sf_sub_run(s, c, sub, results, &res);
		json_array_append_new(results, res);
		if (st >= 400) {
			failed = true;
			nfail = i;
		}
	}
	if (failed && all_or_none) {
		json_array_foreach(results, i, sub) {
			if (i < nfail) {
				json_object_set_new(sub, "body", sf_halted(SF_HALTED_MSG));
				json_object_set_new(sub, "httpHeaders", json_object());
				json_object_set_new(sub, "httpStatusCode", json_integer(400));
			}
		}
	}
	sf_txn_end(s, mark, !(failed && all_or_none));
	sf_out_json(o, 200, json_pack("{s:o}", "compositeResponse", results));
out:
	json_decref(body);
}
