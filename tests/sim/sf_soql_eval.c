/*
 * crmsync-sim, Salesforce side: running a parsed SOQL query over the store
 * (filter, order, offset/limit) and projecting records on its select list.
 * Scans the object's array; 100k records take a few milliseconds.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"
#include "sf_soql.h"

enum ev_kind { E_NULL, E_STR, E_NUM, E_BOOL, E_MS };

struct ev {
	enum ev_kind k;
	const char *s;
	double num;
	bool b;
	int64_t ms;
};

static const struct sf_rec *path_rec(struct sim_side *s, const struct sf_rec *r,
				     const struct soql_path *p)
{
	const char *id;
	struct sf_rec *t;

	if (!p->pf)
		return r;
	id = json_string_value(json_object_get(r->f, p->f->name));
	t = id ? sf_map_get(s->ids, id) : NULL;
	return t && !t->dead ? t : NULL;
}

static void getv(const struct sf_rec *r, const struct sf_field *f, struct ev *out)
{
	json_t *v;

	memset(out, 0, sizeof(*out));
	if (!r)
		return;
	if (f->type == SF_T_ID) {
		out->k = E_STR;
		out->s = r->id;
		return;
	}
	if (f->type == SF_T_BOOLEAN && strcmp(f->name, "IsDeleted") == 0) {
		out->k = E_BOOL;
		out->b = r->deleted;
		return;
	}
	if (f->type == SF_T_DATETIME && strcmp(f->name, "SystemModstamp") == 0) {
		out->k = E_MS;
		out->ms = r->modstamp_ms;
		return;
	}
	v = json_object_get(r->f, f->name);
	if (!v || json_is_null(v))
		return;
	if (f->type == SF_T_DATETIME && json_is_string(v)) {
		out->k = E_MS;
		out->ms = sim_parse_time(json_string_value(v));
	} else if (json_is_string(v)) {
		out->k = E_STR;
		out->s = json_string_value(v);
	} else if (json_is_number(v)) {
		out->k = E_NUM;
		out->num = json_number_value(v);
	} else if (json_is_boolean(v)) {
		out->k = E_BOOL;
		out->b = json_is_true(v);
	}
}

static bool like(const char *s, const char *p)
{
	for (; *p; p++, s++) {
		if (*p == '%') {
			while (*p == '%')
				p++;
			if (!*p)
				return true;
			for (; *s; s++)
				if (like(s, p))
					return true;
			return false;
		}
		if (!*s)
			return false;
		if (*p == '\\' && (p[1] == '%' || p[1] == '_'))
			p++;
		else if (*p == '_')
			continue;
		if (tolower((unsigned char)*p) != tolower((unsigned char)*s))
			return false;
	}
	return *s == '\0';
}

/* <0, 0, >0; or 2 when not comparable. */
static int cmpv(const struct sf_field *f, const struct ev *a, const struct soql_val *v)
{
	switch (v->kind) {
	case V_DT:
		if (a->k != E_MS)
			return 2;
		return a->ms < v->ms ? -1 : a->ms > v->ms;
	case V_NUM:
		if (a->k != E_NUM)
			return 2;
		return a->num < v->num ? -1 : a->num > v->num;
	case V_BOOL:
		if (a->k != E_BOOL)
			return 2;
		return a->b == v->b ? 0 : a->b ? 1 : -1;
	case V_DATE:
		if (a->k != E_STR)
			return 2;
		return strncmp(a->s, v->s, 10);
	case V_STR:
		if (a->k != E_STR)
			return 2;
		if (f->type == SF_T_ID || f->type == SF_T_REFERENCE)
			return strcmp(a->s, v->s);
		return strcasecmp(a->s, v->s);
	default:
		return 2;
	}
}

static bool eval(struct sim_side *s, const struct soql_cond *c, const struct sf_rec *r)
{
	struct ev a;
	const struct sf_field *f;
	int k;

	switch (c->kind) {
	case C_AND:
		return eval(s, c->a, r) && eval(s, c->b, r);
	case C_OR:
		return eval(s, c->a, r) || eval(s, c->b, r);
	case C_NOT:
		return !eval(s, c->a, r);
	default:
		break;
	}
	f = c->path.pf ? c->path.pf : c->path.f;
	getv(path_rec(s, r, &c->path), f, &a);
	if (c->kind == C_IN || c->kind == C_NIN) {
		bool hit = false;
		for (size_t i = 0; i < c->nvals && !hit; i++)
			hit = c->vals[i].kind == V_NULL ? a.k == E_NULL : cmpv(f, &a, &c->vals[i]) == 0;
		return c->kind == C_IN ? hit : !hit;
	}
	if (c->kind == C_LIKE)
		return a.k == E_STR && like(a.s, c->vals[0].s);
	if (c->vals[0].kind == V_NULL) {
		if (c->op == OP_EQ)
			return a.k == E_NULL;
		if (c->op == OP_NE)
			return a.k != E_NULL;
		return false;
	}
	if (a.k == E_NULL)
		return c->op == OP_NE;
	k = cmpv(f, &a, &c->vals[0]);
	if (k == 2)
		return c->op == OP_NE;
	switch (c->op) {
	case OP_EQ: return k == 0;
	case OP_NE: return k != 0;
	case OP_LT: return k < 0;
	case OP_LE: return k <= 0;
	case OP_GT: return k > 0;
	default: return k >= 0;
	}
}

struct sortent {
	struct sf_rec *r;
	size_t pos;
};

static const struct soql_query *sort_q;
static struct sim_side *sort_s;

static int cmp_ev(const struct ev *a, const struct ev *b)
{
	switch (a->k) {
	case E_STR: return strcasecmp(a->s, b->s);
	case E_NUM: return a->num < b->num ? -1 : a->num > b->num;
	case E_BOOL: return (int)a->b - (int)b->b;
	case E_MS: return a->ms < b->ms ? -1 : a->ms > b->ms;
	default: return 0;
	}
}

static int sort_cmp(const void *pa, const void *pb)
{
	const struct sortent *x = pa, *y = pb;

	for (size_t i = 0; i < sort_q->nord; i++) {
		const struct soql_order *o = &sort_q->ord[i];
		const struct sf_field *f = o->path.pf ? o->path.pf : o->path.f;
		struct ev a, b;
		int k;

		getv(path_rec(sort_s, x->r, &o->path), f, &a);
		getv(path_rec(sort_s, y->r, &o->path), f, &b);
		if (a.k == E_NULL || b.k == E_NULL) {
			if (a.k == b.k)
				continue;
			k = a.k == E_NULL ? -1 : 1;
			return o->nulls_last ? -k : k;
		}
		k = a.k == b.k ? cmp_ev(&a, &b) : (int)a.k - (int)b.k;
		if (k)
			return o->desc ? -k : k;
	}
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

int soql_run(struct sim_side *s, struct soql_query *q, bool all_rows,
	     struct sf_rec ***out, size_t *n)
{
	struct sf_object *o = q->obj;
	struct sortent *ents = malloc((o->nrecs ? o->nrecs : 1) * sizeof(*ents));
	size_t m = 0, start, cnt;
	struct sf_rec **res;

	if (!ents)
		return -ENOMEM;
	for (size_t i = 0; i < o->nrecs; i++) {
		struct sf_rec *r = o->recs[i];
		if (r->deleted && !all_rows)
			continue;
		if (q->where && !eval(s, q->where, r))
			continue;
		ents[m].r = r;
		ents[m].pos = i;
		m++;
	}
	if (q->nord && m > 1) {
		sort_q = q;
		sort_s = s;
		qsort(ents, m, sizeof(*ents), sort_cmp);
	}
	start = q->offset > 0 ? (size_t)q->offset : 0;
	if (start > m)
		start = m;
	cnt = m - start;
	if (q->limit >= 0 && (size_t)q->limit < cnt)
		cnt = (size_t)q->limit;
	res = malloc((cnt ? cnt : 1) * sizeof(*res));
	if (!res) {
		free(ents);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cnt; i++)
		res[i] = ents[start + i].r;
	free(ents);
	*out = res;
	*n = cnt;
	return 0;
}

json_t *soql_project(struct sim_side *s, const struct soql_query *q, const struct sf_rec *r)
{
	json_t *o = json_object();
	char url[128];

	snprintf(url, sizeof(url), SF_BASE "/sobjects/%s/%s", r->obj->name, r->id);
	json_object_set_new(o, "attributes", json_pack("{s:s, s:s}", "type", r->obj->name, "url", url));
	for (size_t i = 0; i < q->nsel; i++) {
		const struct soql_path *p = &q->sel[i];
		const struct sf_rec *pr;
		json_t *nested;

		if (!p->pf) {
			json_object_set_new(o, p->f->name, sf_rec_value(r, p->f));
			continue;
		}
		pr = path_rec(s, r, p);
		if (!pr) {
			if (!json_object_get(o, p->f->rel))
				json_object_set_new(o, p->f->rel, json_null());
			continue;
		}
		nested = json_object_get(o, p->f->rel);
		if (!json_is_object(nested)) {
			snprintf(url, sizeof(url), SF_BASE "/sobjects/%s/%s", pr->obj->name, pr->id);
			nested = json_pack("{s:{s:s, s:s}}", "attributes", "type", pr->obj->name,
					   "url", url);
			json_object_set_new(o, p->f->rel, nested);
		}
		json_object_set_new(nested, p->pf->name, sf_rec_value(pr, p->pf));
	}
	return o;
}
