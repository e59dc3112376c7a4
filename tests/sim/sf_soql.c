/*
 * crmsync-sim, Salesforce side: a small SOQL engine. Tokenizer + recursive
 * descent parser for
 *   SELECT f[, ...] | COUNT() FROM Obj [WHERE cond] [ORDER BY f [ASC|DESC]
 *   [NULLS FIRST|LAST][, ...]] [LIMIT n] [OFFSET n]
 * with = != <> < <= > >= [NOT] IN (...) LIKE, AND/OR/NOT/parentheses, string,
 * number, boolean, null, date and datetime literals, and one level of parent
 * relationship (Account.Name). Errors carry the real codes and the real
 * message layout (query, caret, "ERROR at Row:r:Column:c", text).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"
#include "sf_soql.h"

enum tk { TK_EOF, TK_IDENT, TK_STR, TK_NUM, TK_DATE, TK_DT, TK_PUNCT };

struct tok {
	enum tk kind;
	const char *p;   /* into the query text */
	size_t len;
	char *str;       /* decoded string literal (TK_STR) */
};

struct parser {
	struct sim_side *s;
	const char *q;
	struct tok *t;
	size_t nt, i;
	struct sf_err *e;
	struct soql_query *res;
	bool failed;
};

/* ---- errors ------------------------------------------------------------- */

static void perr(struct parser *ps, const char *at, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void perr(struct parser *ps, const char *at, const char *code, const char *fmt, ...)
{
	char text[600], line[400];
	int row = 1, col = 1;
	const char *ls = ps->q, *le;
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	for (const char *p = ps->q; p < at; p++) {
		if (*p == '\n') {
			row++;
			col = 1;
			ls = p + 1;
		} else {
			col++;
		}
	}
	le = strchr(ls, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(le ? le - ls : (long)strlen(ls)), ls);
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sf_err_set(ps->e, 400, code, NULL, "\n%.300s\n%*s^\nERROR at Row:%d:Column:%d\n%s",
		   line, col - 1, "", row, col, text);
}

/* ---- tokenizer ---------------------------------------------------------- */

static int push_tok(struct parser *ps, enum tk kind, const char *p, size_t len, char *str)
{
	struct tok *nt = realloc(ps->t, (ps->nt + 1) * sizeof(*nt));
	if (!nt) {
		free(str);
		return -ENOMEM;
	}
	ps->t = nt;
	ps->t[ps->nt++] = (struct tok){kind, p, len, str};
	return 0;
}

static size_t datetime_len(const char *p)
{
	size_t n = 0;
	/* YYYY-MM-DD */
	for (int i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? p[i] != '-' : !isdigit((unsigned char)p[i]))
			return 0;
	n = 10;
	if (p[n] != 'T')
		return n;
	n++;
	while (isdigit((unsigned char)p[n]) || p[n] == ':' || p[n] == '.')
		n++;
	if (p[n] == 'Z')
		return n + 1;
	if (p[n] == '+' || p[n] == '-') {
		n++;
		while (isdigit((unsigned char)p[n]) || p[n] == ':')
			n++;
	}
	return n;
}

static int tokenize(struct parser *ps)
{
	const char *p = ps->q;

	while (*p) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '\'') {
			const char *st = p++;
			size_t cap = strlen(p) + 1, o = 0;
			char *buf = malloc(cap);
			if (!buf)
				return -ENOMEM;
			while (*p && *p != '\'') {
				if (*p == '\\' && p[1]) {
					p++;
					switch (*p) {
					case 'n': buf[o++] = '\n'; break;
					case 't': buf[o++] = '\t'; break;
					case 'r': buf[o++] = '\r'; break;
					case 'b': buf[o++] = '\b'; break;
					case 'f': buf[o++] = '\f'; break;
					case '\'': case '"': case '\\': buf[o++] = *p; break;
					case '%': case '_': buf[o++] = '\\'; buf[o++] = *p; break;
					default:
						free(buf);
						perr(ps, p - 1, "MALFORMED_QUERY", "Invalid string literal '%.40s'. "
						     "Illegal character sequence '\\%c' in string literal.", st, *p);
						return -EINVAL;
					}
					p++;
				} else {
					buf[o++] = *p++;
				}
			}
			if (*p != '\'') {
				free(buf);
				perr(ps, st, "MALFORMED_QUERY", "unexpected token: '%.40s'", st);
				return -EINVAL;
			}
			buf[o] = '\0';
			p++;
			if (push_tok(ps, TK_STR, st, (size_t)(p - st), buf) < 0)
				return -ENOMEM;
			continue;
		}
		if (isdigit((unsigned char)*p) || (*p == '-' && isdigit((unsigned char)p[1]))) {
			size_t dl = datetime_len(p);
			const char *st = p;
			if (dl) {
				if (push_tok(ps, dl == 10 ? TK_DATE : TK_DT, p, dl, NULL) < 0)
					return -ENOMEM;
				p += dl;
				continue;
			}
			p++;
			while (isdigit((unsigned char)*p) || *p == '.')
				p++;
			if (push_tok(ps, TK_NUM, st, (size_t)(p - st), NULL) < 0)
				return -ENOMEM;
			continue;
		}
		if (isalpha((unsigned char)*p) || *p == '_') {
			const char *st = p;
			while (isalnum((unsigned char)*p) || *p == '_' || *p == '.')
				p++;
			if (push_tok(ps, TK_IDENT, st, (size_t)(p - st), NULL) < 0)
				return -ENOMEM;
			continue;
		}
		if ((p[0] == '!' && p[1] == '=') || (p[0] == '<' && (p[1] == '=' || p[1] == '>')) ||
		    (p[0] == '>' && p[1] == '=')) {
			if (push_tok(ps, TK_PUNCT, p, 2, NULL) < 0)
				return -ENOMEM;
			p += 2;
			continue;
		}
		if (strchr(",()=<>", *p)) {
			if (push_tok(ps, TK_PUNCT, p, 1, NULL) < 0)
				return -ENOMEM;
			p++;
			continue;
		}
		perr(ps, p, "MALFORMED_QUERY", "unexpected token: '%c'", *p);
		return -EINVAL;
	}
	return push_tok(ps, TK_EOF, p, 0, NULL);
}

/* ---- parser helpers ----------------------------------------------------- */

static struct tok *cur(struct parser *ps)
{
	return &ps->t[ps->i];
}

static bool is_kw(const struct tok *t, const char *kw)
{
	return t->kind == TK_IDENT && t->len == strlen(kw) && strncasecmp(t->p, kw, t->len) == 0;
}

static bool is_punct(const struct tok *t, const char *s)
{
	return t->kind == TK_PUNCT && t->len == strlen(s) && strncmp(t->p, s, t->len) == 0;
}

static void unexpected(struct parser *ps)
{
	struct tok *t = cur(ps);
	if (t->kind == TK_EOF)
		perr(ps, t->p, "MALFORMED_QUERY", "unexpected token: <EOF>");
	else
		perr(ps, t->p, "MALFORMED_QUERY", "unexpected token: '%.*s'", (int)t->len, t->p);
}

static bool expect_kw(struct parser *ps, const char *kw)
{
	if (!is_kw(cur(ps), kw)) {
		unexpected(ps);
		return false;
	}
	ps->i++;
	return true;
}

static bool resolve(struct parser *ps, struct soql_path *path, const char *at)
{
	struct sf_object *o = ps->res->obj;
	const char *dot = strchr(path->text, '.');
	char rel[128];

	if (!dot) {
		path->f = sf_field_find(o, path->text);
		if (!path->f) {
			perr(ps, at, "INVALID_FIELD", "No such column '%s' on entity '%s'. If you are "
			     "attempting to use a custom field, be sure to append the '__c' after the "
			     "custom field name. Please reference your WSDL or the describe call for the "
			     "appropriate names.", path->text, o->name);
			return false;
		}
		return true;
	}
	snprintf(rel, sizeof(rel), "%.*s", (int)(dot - path->text), path->text);
	for (size_t i = 0; i < o->nfields; i++)
		if (o->fields[i].rel && strcasecmp(o->fields[i].rel, rel) == 0)
			path->f = &o->fields[i];
	if (!path->f || strchr(dot + 1, '.')) {
		perr(ps, at, "INVALID_FIELD", "Didn't understand relationship '%s' in field path. If "
		     "you are attempting to use a custom relationship, be sure to append the '__r' "
		     "after the custom relationship name. Please reference your WSDL or the describe "
		     "call for the appropriate names.", rel);
		return false;
	}
	{
		char target[64];
		const char *comma = strchr(path->f->refs, ',');
		struct sf_object *to;
		snprintf(target, sizeof(target), "%.*s",
			 (int)(comma ? (size_t)(comma - path->f->refs) : strlen(path->f->refs)),
			 path->f->refs);
		to = sf_object_find(ps->s, target);
		path->pf = to ? sf_field_find(to, dot + 1) : NULL;
		if (!path->pf) {
			perr(ps, at, "INVALID_FIELD", "No such column '%s' on entity '%s'. If you are "
			     "attempting to use a custom field, be sure to append the '__c' after the "
			     "custom field name. Please reference your WSDL or the describe call for "
			     "the appropriate names.", dot + 1, target);
			return false;
		}
	}
	return true;
}

static bool parse_path(struct parser *ps, struct soql_path *path)
{
	struct tok *t = cur(ps);
	if (t->kind != TK_IDENT) {
		unexpected(ps);
		return false;
	}
	path->text = strndup(t->p, t->len);
	ps->i++;
	return path->text && resolve(ps, path, t->p);
}

static const struct sf_field *leaf(const struct soql_path *p)
{
	return p->pf ? p->pf : p->f;
}

static bool parse_value(struct parser *ps, const struct soql_path *path, struct soql_val *v)
{
	struct tok *t = cur(ps);
	const struct sf_field *f = leaf(path);
	bool dt = f->type == SF_T_DATETIME, date = f->type == SF_T_DATE;
	bool num = f->type == SF_T_INT || f->type == SF_T_DOUBLE || f->type == SF_T_CURRENCY ||
		   f->type == SF_T_PERCENT;

	memset(v, 0, sizeof(*v));
	if (is_kw(t, "null")) {
		v->kind = V_NULL;
	} else if (is_kw(t, "true") || is_kw(t, "false")) {
		if (f->type != SF_T_BOOLEAN) {
			perr(ps, t->p, "INVALID_FIELD", "value of filter criterion for field '%s' must "
			     "be of type %s and should not be enclosed in quotes", f->name,
			     sf_type_name(f->type));
			return false;
		}
		v->kind = V_BOOL;
		v->b = is_kw(t, "true");
	} else if (t->kind == TK_STR) {
		if (dt || date || num || f->type == SF_T_BOOLEAN) {
			perr(ps, t->p, "INVALID_FIELD", "value of filter criterion for field '%s' must "
			     "be of type %s and should not be enclosed in quotes", f->name,
			     dt ? "dateTime" : sf_type_name(f->type));
			return false;
		}
		v->kind = V_STR;
		v->s = strdup(t->str);
		if (f->type == SF_T_ID || f->type == SF_T_REFERENCE) {
			char norm[19];
			if (sf_id_norm(v->s, norm) == 0) {
				free(v->s);
				v->s = strdup(norm);
			} else if (f->type == SF_T_ID) {
				perr(ps, t->p, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: %s", t->str);
				return false;
			}
		}
	} else if (t->kind == TK_NUM) {
		if (!num) {
			perr(ps, t->p, "INVALID_FIELD", "value of filter criterion for field '%s' must "
			     "be of type %s and should be enclosed in quotes", f->name,
			     dt ? "dateTime" : sf_type_name(f->type));
			return false;
		}
		v->kind = V_NUM;
		v->num = strtod(t->p, NULL);
	} else if (t->kind == TK_DT || t->kind == TK_DATE) {
		char buf[40];
		snprintf(buf, sizeof(buf), "%.*s", (int)t->len, t->p);
		if (dt && t->kind == TK_DT) {
			v->kind = V_DT;
			v->ms = sim_parse_time(buf);
		} else if (date && t->kind == TK_DATE) {
			v->kind = V_DATE;
			v->s = strdup(buf);
		} else {
			perr(ps, t->p, "INVALID_FIELD", "value of filter criterion for field '%s' must "
			     "be of type %s and should not be enclosed in quotes", f->name,
			     dt ? "dateTime" : sf_type_name(f->type));
			return false;
		}
		if (v->kind == V_DT && v->ms < 0) {
			perr(ps, t->p, "MALFORMED_QUERY", "line 1:%d no viable alternative at character",
			     (int)(t->p - ps->q));
			return false;
		}
	} else {
		unexpected(ps);
		return false;
	}
	ps->i++;
	return true;
}

static void cond_free(struct soql_cond *c);

static struct soql_cond *parse_or(struct parser *ps);

static struct soql_cond *mk(enum cond_kind k, struct soql_cond *a, struct soql_cond *b)
{
	struct soql_cond *c = calloc(1, sizeof(*c));
	if (c) {
		c->kind = k;
		c->a = a;
		c->b = b;
	}
	return c;
}

static struct soql_cond *parse_primary(struct parser *ps)
{
	struct soql_cond *c;
	struct tok *t = cur(ps);
	static const struct { const char *s; enum cmp_op op; } ops[] = {
		{"=", OP_EQ}, {"!=", OP_NE}, {"<>", OP_NE}, {"<", OP_LT}, {"<=", OP_LE},
		{">", OP_GT}, {">=", OP_GE},
	};

	if (is_punct(t, "(")) {
		ps->i++;
		c = parse_or(ps);
		if (!c)
			return NULL;
		if (!is_punct(cur(ps), ")")) {
			unexpected(ps);
			cond_free(c);
			return NULL;
		}
		ps->i++;
		return c;
	}
	if (is_kw(t, "NOT")) {
		ps->i++;
		c = parse_primary(ps);
		return c ? mk(C_NOT, c, NULL) : NULL;
	}
	c = mk(C_CMP, NULL, NULL);
	if (!c || !parse_path(ps, &c->path))
		goto out_fail;
	t = cur(ps);
	if (is_kw(t, "IN") || (is_kw(t, "NOT") && is_kw(&ps->t[ps->i + 1], "IN"))) {
		c->kind = is_kw(t, "NOT") ? C_NIN : C_IN;
		ps->i += c->kind == C_NIN ? 2 : 1;
		if (!is_punct(cur(ps), "(")) {
			unexpected(ps);
			goto out_fail;
		}
		ps->i++;
		for (;;) {
			struct soql_val *nv = realloc(c->vals, (c->nvals + 1) * sizeof(*nv));
			if (!nv)
				goto out_fail;
			c->vals = nv;
			if (!parse_value(ps, &c->path, &c->vals[c->nvals]))
				goto out_fail;
			c->nvals++;
			if (is_punct(cur(ps), ",")) {
				ps->i++;
				continue;
			}
			if (is_punct(cur(ps), ")")) {
				ps->i++;
				return c;
			}
			unexpected(ps);
			goto out_fail;
		}
	}
	if (is_kw(t, "LIKE")) {
		c->kind = C_LIKE;
		ps->i++;
		if (cur(ps)->kind != TK_STR) {
			unexpected(ps);
			goto out_fail;
		}
	} else {
		size_t k;
		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (is_punct(t, ops[k].s))
				break;
		if (k == sizeof(ops) / sizeof(ops[0])) {
			unexpected(ps);
			goto out_fail;
		}
		c->op = ops[k].op;
		ps->i++;
	}
	c->vals = calloc(1, sizeof(*c->vals));
	if (!c->vals || !parse_value(ps, &c->path, c->vals))
		goto out_fail;
	c->nvals = 1;
	return c;

out_fail:
	cond_free(c);
	return NULL;
}

static struct soql_cond *parse_and(struct parser *ps)
{
	struct soql_cond *l = parse_primary(ps), *r;
	while (l && is_kw(cur(ps), "AND")) {
		ps->i++;
		r = parse_primary(ps);
		if (!r) {
			cond_free(l);
			return NULL;
		}
		l = mk(C_AND, l, r);
	}
	return l;
}

static struct soql_cond *parse_or(struct parser *ps)
{
	struct soql_cond *l = parse_and(ps), *r;
	while (l && is_kw(cur(ps), "OR")) {
		ps->i++;
		r = parse_and(ps);
		if (!r) {
			cond_free(l);
			return NULL;
		}
		l = mk(C_OR, l, r);
	}
	return l;
}

static void path_free(struct soql_path *p)
{
	free(p->text);
}

static void cond_free(struct soql_cond *c)
{
	if (!c)
		return;
	cond_free(c->a);
	cond_free(c->b);
	path_free(&c->path);
	for (size_t i = 0; i < c->nvals; i++)
		free(c->vals[i].s);
	free(c->vals);
	free(c);
}

void soql_free(struct soql_query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nsel; i++)
		path_free(&q->sel[i]);
	free(q->sel);
	free(q->cols);
	cond_free(q->where);
	for (size_t i = 0; i < q->nord; i++)
		path_free(&q->ord[i].path);
	free(q->ord);
	free(q);
}

static bool parse_long(struct parser *ps, long *out)
{
	struct tok *t = cur(ps);
	if (t->kind != TK_NUM || memchr(t->p, '.', t->len) || *t->p == '-') {
		unexpected(ps);
		return false;
	}
	*out = strtol(t->p, NULL, 10);
	ps->i++;
	return true;
}

static bool parse_tail(struct parser *ps)
{
	struct soql_query *q = ps->res;

	if (is_kw(cur(ps), "WHERE")) {
		ps->i++;
		q->where = parse_or(ps);
		if (!q->where)
			return false;
	}
	if (is_kw(cur(ps), "ORDER")) {
		ps->i++;
		if (!expect_kw(ps, "BY"))
			return false;
		do {
			struct soql_order *no = realloc(q->ord, (q->nord + 1) * sizeof(*no));
			if (!no)
				return false;
			q->ord = no;
			memset(&q->ord[q->nord], 0, sizeof(*no));
			q->nord++;
			if (q->nord > 1)
				ps->i++; /* the comma */
			if (!parse_path(ps, &q->ord[q->nord - 1].path))
				return false;
			if (is_kw(cur(ps), "ASC")) {
				ps->i++;
			} else if (is_kw(cur(ps), "DESC")) {
				q->ord[q->nord - 1].desc = true;
				ps->i++;
			}
			q->ord[q->nord - 1].nulls_last = q->ord[q->nord - 1].desc;
			if (is_kw(cur(ps), "NULLS")) {
				ps->i++;
				if (is_kw(cur(ps), "FIRST"))
					q->ord[q->nord - 1].nulls_last = false;
				else if (is_kw(cur(ps), "LAST"))
					q->ord[q->nord - 1].nulls_last = true;
				else {
					unexpected(ps);
					return false;
				}
				ps->i++;
			}
		} while (is_punct(cur(ps), ","));
	}
	if (is_kw(cur(ps), "LIMIT")) {
		ps->i++;
		if (!parse_long(ps, &q->limit))
			return false;
	}
	if (is_kw(cur(ps), "OFFSET")) {
		ps->i++;
		if (!parse_long(ps, &q->offset))
			return false;
		if (q->offset > 2000) {
			perr(ps, cur(ps)[-1].p, "NUMBER_OUTSIDE_VALID_RANGE",
			     "Maximum SOQL offset allowed is 2000");
			return false;
		}
	}
	if (cur(ps)->kind != TK_EOF) {
		unexpected(ps);
		return false;
	}
	return true;
}

struct soql_query *soql_parse(struct sim_side *s, const char *text, struct sf_err *e)
{
	struct parser ps = {.s = s, .q = text, .e = e};
	struct soql_query *q = calloc(1, sizeof(*q));
	size_t sel_start, nsel = 0;
	bool ok = false;

	if (!q)
		return NULL;
	q->limit = -1;
	ps.res = q;
	if (!text || !*text) {
		sf_err_set(e, 400, "MALFORMED_QUERY", NULL, "unexpected token: <EOF>");
		goto out;
	}
	if (tokenize(&ps) < 0)
		goto out;
	if (!expect_kw(&ps, "SELECT"))
		goto out;
	sel_start = ps.i;
	if (is_kw(cur(&ps), "COUNT") && is_punct(&ps.t[ps.i + 1], "(") &&
	    is_punct(&ps.t[ps.i + 2], ")")) {
		q->count = true;
		ps.i += 3;
	} else {
		for (;;) {
			if (cur(&ps)->kind != TK_IDENT || is_kw(cur(&ps), "FROM")) {
				unexpected(&ps);
				goto out;
			}
			nsel++;
			ps.i++;
			if (!is_punct(cur(&ps), ","))
				break;
			ps.i++;
		}
	}
	if (!expect_kw(&ps, "FROM"))
		goto out;
	if (cur(&ps)->kind != TK_IDENT) {
		unexpected(&ps);
		goto out;
	}
	{
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)cur(&ps)->len, cur(&ps)->p);
		q->obj = sf_object_find(s, name);
		if (!q->obj) {
			perr(&ps, cur(&ps)->p, "INVALID_TYPE", "sObject type '%s' is not supported. If "
			     "you are attempting to use a custom object, be sure to append the '__c' "
			     "after the entity name. Please reference your WSDL or the describe call for "
			     "the appropriate names.", name);
			goto out;
		}
		ps.i++;
	}
	q->sel = calloc(nsel ? nsel : 1, sizeof(*q->sel));
	q->cols = calloc(nsel ? nsel : 1, sizeof(*q->cols));
	if (!q->sel || !q->cols)
		goto out;
	for (size_t k = 0; k < nsel; k++) {
		struct tok *t = &ps.t[sel_start + 2 * k];
		q->sel[k].text = strndup(t->p, t->len);
		q->nsel++;
		if (!q->sel[k].text || !resolve(&ps, &q->sel[k], t->p))
			goto out;
		q->cols[k] = q->sel[k].pf ? q->sel[k].text : q->sel[k].f->name;
	}
	ok = parse_tail(&ps);

out:
	for (size_t i = 0; i < ps.nt; i++)
		free(ps.t[i].str);
	free(ps.t);
	if (!ok) {
		if (!e->code[0])
			sf_err_set(e, 500, "UNKNOWN_EXCEPTION", NULL, "out of memory");
		soql_free(q);
		return NULL;
	}
	return q;
}

bool soql_is_count(const struct soql_query *q)
{
	return q->count;
}

struct sf_object *soql_object(const struct soql_query *q)
{
	return q->obj;
}

size_t soql_columns(const struct soql_query *q, const char *const **names)
{
	*names = q->cols;
	return q->nsel;
}
