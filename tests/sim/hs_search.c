/*
 * HubSpot side of crmsync-sim: the CRM Search API
 * (POST /crm/v3/objects/{objectType}/search): filterGroups (filters AND-ed in
 * a group, groups OR-ed), one sort, properties, limit <= 200, offset-like
 * `after`, and the 10,000-results-per-query cap. Archived records never
 * match. The filter logic is exposed for unit tests (hs_filter_*).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs.h"

static const char *const op_names[HS_NOPS] = {
	"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
	"NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN",
};

enum hs_kind hs_kind_of(const char *t)
{
	if (!t)
		return HS_KIND_STRING;
	if (!strcmp(t, "number"))
		return HS_KIND_NUMBER;
	if (!strcmp(t, "datetime") || !strcmp(t, "date"))
		return HS_KIND_TIME;
	if (!strcmp(t, "bool"))
		return HS_KIND_BOOL;
	return HS_KIND_STRING;
}

bool hs_value_num(enum hs_kind kind, const char *v, double *out)
{
	char *end;

	if (!v || !*v)
		return false;
	if (kind == HS_KIND_TIME) {
		bool digits = true;

		for (const char *p = v; *p; p++)
			digits = digits && isdigit((unsigned char)*p);
		if (digits) {
			*out = strtod(v, NULL);
			return true;
		}
		int64_t ms = sim_parse_time(v);

		if (ms < 0)
			return false;
		*out = (double)ms;
		return true;
	}
	*out = strtod(v, &end);
	return !*end;
}

/* A JSON scalar as a string, into buf when it is not one already. */
static const char *scalar(json_t *j, char *buf, size_t len)
{
	if (json_is_string(j))
		return json_string_value(j);
	if (json_is_integer(j))
		snprintf(buf, len, "%lld", (long long)json_integer_value(j));
	else if (json_is_real(j))
		snprintf(buf, len, "%.17g", json_real_value(j));
	else if (json_is_boolean(j))
		snprintf(buf, len, "%s", json_is_true(j) ? "true" : "false");
	else
		return NULL;
	return buf;
}

int hs_filter_compile(json_t *jf, enum hs_kind kind, struct hs_filter *f, char *err, size_t errlen)
{
	const char *prop = json_string_value(json_object_get(jf, "propertyName"));
	const char *op = json_string_value(json_object_get(jf, "operator"));
	json_t *vals = json_object_get(jf, "values");
	int k;

	memset(f, 0, sizeof(*f));
	if (!prop || !op) {
		snprintf(err, errlen, "a filter needs propertyName and operator");
		return -EINVAL;
	}
	for (k = 0; k < HS_NOPS; k++)
		if (!strcmp(op, op_names[k]))
			break;
	if (k == HS_NOPS) {
		snprintf(err, errlen, "Unknown filter operator: %s", op);
		return -EINVAL;
	}
	snprintf(f->prop, sizeof(f->prop), "%s", prop);
	f->op = (enum hs_op)k;
	f->kind = kind;
	f->value = scalar(json_object_get(jf, "value"), f->vbuf, sizeof(f->vbuf));
	f->high = scalar(json_object_get(jf, "highValue"), f->hbuf, sizeof(f->hbuf));
	if (f->op == HS_IN || f->op == HS_NOT_IN) {
		size_t i;
		json_t *v;

		if (!json_is_array(vals) || !json_array_size(vals)) {
			snprintf(err, errlen, "%s needs a non-empty 'values' array on '%s'", op, prop);
			return -EINVAL;
		}
		f->values = calloc(json_array_size(vals), sizeof(*f->values));
		f->nums = calloc(json_array_size(vals), sizeof(*f->nums));
		if (!f->values || !f->nums) {
			hs_filter_release(f);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		json_array_foreach(vals, i, v) {
			if (!json_is_string(v) && !json_is_number(v))
				continue;
			f->values[f->nvalues] = json_string_value(v);
			if (json_is_number(v))
				f->nums[f->nvalues] = json_number_value(v);
			else if (!hs_value_num(kind, json_string_value(v), &f->nums[f->nvalues]))
				f->nums[f->nvalues] = 0;
			f->nvalues++;
		}
		return 0;
	}
	if (f->op == HS_HAS || f->op == HS_NOT_HAS)
		return 0;
	if (!f->value || (f->op == HS_BETWEEN && !f->high)) {
		snprintf(err, errlen, "%s on '%s' needs %s", op, prop,
			 f->op == HS_BETWEEN ? "value and highValue" : "a value");
		return -EINVAL;
	}
	if ((kind == HS_KIND_NUMBER || kind == HS_KIND_TIME) && f->op != HS_CONTAINS &&
	    f->op != HS_NOT_CONTAINS) {
		if (!hs_value_num(kind, f->value, &f->num) ||
		    (f->op == HS_BETWEEN && !hs_value_num(kind, f->high, &f->numhigh))) {
			snprintf(err, errlen, "'%s' is not a valid value for the %s property '%s'",
				 f->value, kind == HS_KIND_TIME ? "date" : "number", prop);
			return -EINVAL;
		}
	}
	return 0;
}

void hs_filter_release(struct hs_filter *f)
{
	free(f->values);
	free(f->nums);
	f->values = NULL;
	f->nums = NULL;
	f->nvalues = 0;
}

/* Does `text` contain `tok` as a whole token (with * wildcards at the ends)? */
static bool has_token(const char *text, const char *tok)
{
	size_t tl = strlen(tok);
	bool pre = tl && tok[0] == '*', suf = tl > 1 && tok[tl - 1] == '*';
	const char *core = tok + pre;
	size_t cl = tl - pre - suf;
	const char *p = text;

	if (!cl)
		return true;
	while (*p) {
		const char *start, *end;

		while (*p && !isalnum((unsigned char)*p) && !((unsigned char)*p & 0x80))
			p++;
		start = p;
		while (*p && (isalnum((unsigned char)*p) || ((unsigned char)*p & 0x80)))
			p++;
		end = p;
		for (const char *q = start; q + cl <= end; q++) {
			if (strncasecmp(q, core, cl))
				continue;
			if ((q == start || pre) && (q + cl == end || suf))
				return true;
		}
	}
	return false;
}

static int cmp_values(const struct hs_filter *f, const char *v, double n, const char *ref, double refn)
{
	if (f->kind == HS_KIND_NUMBER || f->kind == HS_KIND_TIME)
		return n < refn ? -1 : n > refn;
	(void)v;
	return strcasecmp(v, ref);
}

bool hs_filter_match(const struct hs_filter *f, const char *v)
{
	bool present = v && *v;
	double n = 0;

	switch (f->op) {
	case HS_HAS: return present;
	case HS_NOT_HAS: return !present;
	case HS_CONTAINS: return present && has_token(v, f->value);
	case HS_NOT_CONTAINS: return !present || !has_token(v, f->value);
	default: break;
	}
	if (!present)
		return f->op == HS_NEQ || f->op == HS_NOT_IN;
	if (f->kind == HS_KIND_NUMBER || f->kind == HS_KIND_TIME) {
		if (!hs_value_num(f->kind, v, &n))
			return f->op == HS_NEQ || f->op == HS_NOT_IN;
		return hs_filter_match_num(f, n);
	}
	if (f->op == HS_IN || f->op == HS_NOT_IN) {
		bool found = false;

		for (size_t i = 0; i < f->nvalues && !found; i++)
			found = f->values[i] && !strcasecmp(v, f->values[i]);
		return f->op == HS_IN ? found : !found;
	}
	int c = cmp_values(f, v, n, f->value, f->num);

	switch (f->op) {
	case HS_EQ: return c == 0;
	case HS_NEQ: return c != 0;
	case HS_LT: return c < 0;
	case HS_LTE: return c <= 0;
	case HS_GT: return c > 0;
	case HS_GTE: return c >= 0;
	case HS_BETWEEN: return c >= 0 && cmp_values(f, v, n, f->high, f->numhigh) <= 0;
	default: return false;
	}
}

bool hs_filter_match_num(const struct hs_filter *f, double n)
{
	switch (f->op) {
	case HS_HAS: return true;
	case HS_NOT_HAS: return false;
	case HS_EQ: return n == f->num;
	case HS_NEQ: return n != f->num;
	case HS_LT: return n < f->num;
	case HS_LTE: return n <= f->num;
	case HS_GT: return n > f->num;
	case HS_GTE: return n >= f->num;
	case HS_BETWEEN: return n >= f->num && n <= f->numhigh;
	case HS_IN:
	case HS_NOT_IN: {
		bool found = false;

		for (size_t i = 0; i < f->nvalues && !found; i++)
			found = n == f->nums[i];
		return f->op == HS_IN ? found : !found;
	}
	default: return false; /* token operators need the text */
	}
}

/* Numeric value of a property kept outside the property map: the record id
 * and the modification stamp (both read-only, so always in step). */
static bool fast_num(const struct hs_objtype *ot, const struct hs_record *r, const char *prop,
		     double *out)
{
	if (!strcmp(prop, ot->modprop)) {
		*out = (double)r->updated;
		return true;
	}
	if (!strcmp(prop, "hs_object_id")) {
		*out = (double)r->id;
		return true;
	}
	return false;
}

static bool rec_matches(const struct hs_objtype *ot, const struct hs_record *r,
			const struct hs_filter *f, const bool *fast)
{
	double n;

	if (*fast && fast_num(ot, r, f->prop, &n))
		return hs_filter_match_num(f, n);
	return hs_filter_match(f, json_string_value(json_object_get(r->props, f->prop)));
}

/* ---- the search endpoint ---------------------------------------------------- */

struct sort_item {
	struct hs_record *r;
	const char *s;
	double n;
	bool has;
};

static _Thread_local int sort_dir;
static _Thread_local bool sort_numeric;

static int sort_cmp(const void *a, const void *b)
{
	const struct sort_item *x = a, *y = b;
	int c;

	if (x->has != y->has)
		return x->has ? -1 : 1; /* unset values last */
	if (!x->has)
		c = 0;
	else if (sort_numeric)
		c = x->n < y->n ? -1 : x->n > y->n;
	else
		c = strcasecmp(x->s, y->s);
	if (c)
		return c * sort_dir;
	return x->r->id < y->r->id ? -1 : x->r->id > y->r->id;
}

static const char *const query_props[HS_NTYPES][6] = {
	[HS_CONTACTS] = {"firstname", "lastname", "email", "phone", "company"},
	[HS_COMPANIES] = {"name", "domain", "website", "phone"},
	[HS_DEALS] = {"dealname"},
	[HS_TASKS] = {"hs_task_subject", "hs_task_body"},
	[HS_NOTES] = {"hs_note_body"},
	[HS_MEETINGS] = {"hs_meeting_title", "hs_meeting_body"},
	[HS_CALLS] = {"hs_call_title", "hs_call_body"},
	[HS_EMAILS] = {"hs_email_subject", "hs_email_text"},
};

static bool query_match(const struct hs_objtype *ot, const struct hs_record *r, const char *q)
{
	char tok[128];

	snprintf(tok, sizeof(tok), "%s*", q);
	for (int i = 0; query_props[ot->t][i]; i++) {
		const char *v = json_string_value(json_object_get(r->props, query_props[ot->t][i]));

		if (v && (has_token(v, tok) || strcasestr(v, q)))
			return true;
	}
	return false;
}

#define MAX_FILTERS 25

void hs_search_api(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
		   struct sim_resp *resp)
{
	struct hs_filter filters[MAX_FILTERS];
	bool fastf[MAX_FILTERS], sort_fast = false;
	enum hs_kind sort_kind;
	int group_end[5], nf = 0, ng = 0;
	json_t *body = hs_parse_body(req, resp), *groups, *g, *sorts, *jp, *v, *results, *out;
	const char *props[256], *sprop = NULL, *query;
	struct sort_item *items = NULL;
	size_t i, nitems = 0, after = 0, limit = 10, end;
	char err[256];
	int np = 0;

	if (!body)
		return;
	groups = json_object_get(body, "filterGroups");
	if (json_array_size(groups) > 5) {
		hs_error(resp, 400, "VALIDATION_ERROR",
			 "Too many filter groups: %zu. The maximum is 5.", json_array_size(groups));
		goto out_body;
	}
	json_array_foreach(groups, i, g) {
		json_t *fl = json_object_get(g, "filters"), *jf;
		size_t k;

		if (json_array_size(fl) > 10 || nf + (int)json_array_size(fl) > MAX_FILTERS) {
			hs_error(resp, 400, "VALIDATION_ERROR",
				 "Too many filters: at most 10 per group and 25 in total are allowed");
			goto out_filters;
		}
		json_array_foreach(fl, k, jf) {
			const char *pn = json_string_value(json_object_get(jf, "propertyName"));
			const char *pt = pn ? hs_prop_type(ot, pn) : NULL;

			if (pn && !pt) {
				hs_error(resp, 400, "VALIDATION_ERROR",
					 "Property '%s' does not exist on object type %s", pn, ot->type_id);
				goto out_filters;
			}
			if (hs_filter_compile(jf, hs_kind_of(pt), &filters[nf], err, sizeof(err))) {
				hs_error(resp, 400, "VALIDATION_ERROR", "%s", err);
				goto out_filters;
			}
			nf++;
		}
		group_end[ng++] = nf;
	}
	if ((v = json_object_get(body, "limit"))) {
		json_int_t l = json_is_integer(v) ? json_integer_value(v) :
			       json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) : -1;

		if (l < 0 || l > HS_SEARCH_MAX) {
			hs_error(resp, 400, "VALIDATION_ERROR",
				 "limit must be between 0 and %d, got %lld", HS_SEARCH_MAX, (long long)l);
			goto out_filters;
		}
		limit = l ? (size_t)l : 10;
	}
	if ((v = json_object_get(body, "after"))) {
		const char *a = json_is_string(v) ? json_string_value(v) : NULL;

		after = json_is_integer(v) ? (size_t)json_integer_value(v) : a ? strtoull(a, NULL, 10) : 0;
		if (after >= HS_SEARCH_CAP) {
			hs_error(resp, 400, "VALIDATION_ERROR",
				 "The search API can return at most %d results per query; 'after' (%zu) is past that. Narrow the query (for example with a GTE filter on the last value seen) and start again.",
				 HS_SEARCH_CAP, after);
			goto out_filters;
		}
	}
	sorts = json_object_get(body, "sorts");
	sort_dir = 1;
	if (json_array_size(sorts)) {
		json_t *s0 = json_array_get(sorts, 0);

		if (json_is_string(s0)) {
			sprop = json_string_value(s0);
			if (*sprop == '-') {
				sprop++;
				sort_dir = -1;
			}
		} else {
			const char *dir = json_string_value(json_object_get(s0, "direction"));

			sprop = json_string_value(json_object_get(s0, "propertyName"));
			if (dir && !strcmp(dir, "DESCENDING"))
				sort_dir = -1;
		}
	}
	sort_numeric = sprop && hs_kind_of(hs_prop_type(ot, sprop)) != HS_KIND_STRING &&
		       hs_kind_of(hs_prop_type(ot, sprop)) != HS_KIND_BOOL;
	query = json_string_value(json_object_get(body, "query"));
	jp = json_object_get(body, "properties");
	json_array_foreach(jp, i, v)
		if (json_string_value(v) && np < 256)
			props[np++] = json_string_value(v);

	for (int k = 0; k < nf; k++) {
		double dummy;

		fastf[k] = (filters[k].kind == HS_KIND_NUMBER || filters[k].kind == HS_KIND_TIME) &&
			   filters[k].op != HS_CONTAINS && filters[k].op != HS_NOT_CONTAINS &&
			   ot->n && fast_num(ot, ot->recs[0], filters[k].prop, &dummy);
	}
	sort_kind = hs_kind_of(sprop ? hs_prop_type(ot, sprop) : NULL);
	if (sprop && sort_numeric && ot->n) {
		double dummy;

		sort_fast = fast_num(ot, ot->recs[0], sprop, &dummy);
	}
	items = malloc((ot->n ? ot->n : 1) * sizeof(*items));
	if (!items) {
		hs_error(resp, 500, "INTERNAL_ERROR", "out of memory");
		goto out_filters;
	}
	for (i = 0; i < ot->n; i++) {
		struct hs_record *r = ot->recs[i];
		bool ok = ng == 0;

		if (r->archived_at)
			continue;
		for (int gi = 0, fi = 0; gi < ng && !ok; fi = group_end[gi++]) {
			bool all = true;

			for (; fi < group_end[gi] && all; fi++)
				all = rec_matches(ot, r, &filters[fi], &fastf[fi]);
			ok = all;
		}
		if (!ok || (query && *query && !query_match(ot, r, query)))
			continue;
		items[nitems].r = r;
		items[nitems].s = NULL;
		if (sort_fast) {
			items[nitems].has = fast_num(ot, r, sprop, &items[nitems].n);
		} else {
			items[nitems].s = sprop ? json_string_value(json_object_get(r->props, sprop)) : NULL;
			items[nitems].has = items[nitems].s && *items[nitems].s;
			if (sort_numeric)
				items[nitems].has = hs_value_num(sort_kind, items[nitems].s, &items[nitems].n);
		}
		nitems++;
	}
	if (sprop)
		qsort(items, nitems, sizeof(*items), sort_cmp);
	results = json_array();
	end = after + limit;
	if (end > nitems)
		end = nitems;
	if (end > HS_SEARCH_CAP)
		end = HS_SEARCH_CAP;
	for (i = after; i < end; i++)
		json_array_append_new(results, hs_rec_json(s, ot, items[i].r,
			json_is_array(jp) ? props : NULL, json_is_array(jp) ? np : 0, NULL, 0));
	out = json_pack("{s:I,s:o}", "total", (json_int_t)nitems, "results", results);
	if (end < nitems) {
		char next[24];

		snprintf(next, sizeof(next), "%zu", end);
		json_object_set_new(out, "paging", json_pack("{s:{s:s,s:s}}", "next", "after", next,
							     "link", ""));
		json_object_del(json_object_get(json_object_get(out, "paging"), "next"), "link");
	}
	sim_resp_json(resp, 200, out);
	free(items);
out_filters:
	for (int k = 0; k < nf; k++)
		hs_filter_release(&filters[k]);
out_body:
	json_decref(body);
}
