/*
 * mapping.c - parse and validate one field-mapping YAML file (libyaml event
 * API) into a struct mapping. The file is hostile until proven otherwise:
 * size, NUL bytes, UTF-8, nesting, node count, anchors/aliases and tags are
 * checked before or while building a small tree, and every problem is
 * collected as "FILE:LINE:COL: what (how to fix)" rather than stopping at
 * the first. Must not log: the caller prints the error list.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "mapping.h"
#include "mapping_yaml.h"

#define MAX_FIELDS 2000
#define MAX_OBJECTS 20
#define MAX_VALUES 2000
#define MAX_LENGTH_LIMIT 1000000

struct pctx {
	const char *name;
	struct errlist *errs;
	size_t nerr;
};

static void perr(struct pctx *c, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct pctx *c, const struct ynode *n, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	errlist_add(c->errs, "%s:%u:%u: %s", c->name, n->line, n->col, msg);
	free(msg);
	c->nerr++;
}

static const struct {
	const char *name;
	enum mapping_rule rule;
} rules[] = {
	{ "prefer_salesforce_unless_blank", MAPPING_PREFER_SF_UNLESS_BLANK },
	{ "always_salesforce", MAPPING_ALWAYS_SF },
	{ "two_way", MAPPING_TWO_WAY },
	{ "hubspot_to_salesforce", MAPPING_HS_TO_SF },
	{ "none", MAPPING_NONE },
	/* the short spellings of DESIGN.md */
	{ "prefer_sf_unless_blank", MAPPING_PREFER_SF_UNLESS_BLANK },
	{ "always_sf", MAPPING_ALWAYS_SF },
	{ "hs_to_sf", MAPPING_HS_TO_SF },
};

static const struct {
	const char *name;
	enum mapping_type type;
} types[] = {
	{ "string", MAPPING_TYPE_STRING },
	{ "number", MAPPING_TYPE_NUMBER },
	{ "date", MAPPING_TYPE_DATE },
	{ "datetime", MAPPING_TYPE_DATETIME },
	{ "datetime_to_date", MAPPING_TYPE_DATETIME_TO_DATE },
	{ "boolean", MAPPING_TYPE_BOOLEAN },
	{ "multiselect", MAPPING_TYPE_MULTISELECT },
	{ "bool", MAPPING_TYPE_BOOLEAN },
};

const char *mapping_rule_name(enum mapping_rule rule)
{
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		if (rules[i].rule == rule)
			return rules[i].name;
	}
	return "?";
}

const char *mapping_type_name(enum mapping_type type)
{
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		if (types[i].type == type)
			return types[i].name;
	}
	return "?";
}

int mapping_rule_writes_sf(enum mapping_rule rule)
{
	return rule == MAPPING_PREFER_SF_UNLESS_BLANK || rule == MAPPING_TWO_WAY ||
	       rule == MAPPING_HS_TO_SF;
}

int mapping_rule_writes_hs(enum mapping_rule rule)
{
	return rule == MAPPING_PREFER_SF_UNLESS_BLANK || rule == MAPPING_ALWAYS_SF ||
	       rule == MAPPING_TWO_WAY;
}

int mapping_field_applies(const struct mapping_field *f, const char *sf_object)
{
	if (!f->n_objects)
		return 1;
	for (size_t i = 0; i < f->n_objects; i++) {
		if (!strcmp(f->objects[i], sf_object))
			return 1;
	}
	return 0;
}

int mapping_field_is_owner(const struct mapping_field *f)
{
	return !strcmp(f->hubspot, "hubspot_owner_id") || !strcmp(f->salesforce, "OwnerId");
}

/* ---- scalar readers -------------------------------------------------- */

static const char *kind_name(const struct ynode *n)
{
	switch (n->kind) {
	case YNODE_MAP:
		return "a mapping";
	case YNODE_SEQ:
		return "a list";
	case YNODE_ALIAS:
		return "an alias";
	default:
		return ynode_is_null(n) ? "empty" : "a scalar";
	}
}

/* A scalar string (not null, not empty); NULL after an error. */
static const char *want_string(struct pctx *c, const struct ynode *n, const char *what)
{
	if (n->kind == YNODE_ALIAS)
		return NULL; /* already reported */
	if (n->kind != YNODE_SCALAR) {
		perr(c, n, "%s must be a single value, not %s", what, kind_name(n));
		return NULL;
	}
	if (ynode_is_null(n) || !n->len) {
		perr(c, n, "%s is empty (give a value, or remove the key)", what);
		return NULL;
	}
	return n->s;
}

/* An identifier: a letter, then letters, digits and '_'. */
static const char *want_name(struct pctx *c, const struct ynode *n, const char *what)
{
	const char *s = want_string(c, n, what);

	if (!s)
		return NULL;
	if (n->len > MAPPING_MAX_NAME) {
		perr(c, n, "%s is %zu bytes long, more than %d", what, n->len, MAPPING_MAX_NAME);
		return NULL;
	}
	for (size_t i = 0; i < n->len; i++) {
		char ch = s[i];
		int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			 (i && ((ch >= '0' && ch <= '9') || ch == '_'));

		if (!ok) {
			perr(c, n, "%s '%s' is not a valid name (API names start with a letter "
				   "and hold only letters, digits and '_')", what, s);
			return NULL;
		}
	}
	return s;
}

/* yes/no/true/false/on/off, plain only; -1 after an error. */
static int want_bool(struct pctx *c, const struct ynode *n, const char *what)
{
	const char *s = want_string(c, n, what);
	int b;

	if (!s)
		return -1;
	b = parse_bool(s);
	if (b < 0 || !n->plain) {
		perr(c, n, "%s must be yes or no, not '%s'", what, s);
		return -1;
	}
	return b;
}

/* ---- entries ---------------------------------------------------------- */

static void check_keys(struct pctx *c, const struct ynode *map, const char *where,
		       const char *const *allowed)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i];
		size_t j;

		if (k->kind != YNODE_SCALAR) {
			if (k->kind != YNODE_ALIAS)
				perr(c, k, "a key in %s must be a plain name, not %s", where,
				     kind_name(k));
			continue;
		}
		for (j = 0; allowed[j]; j++) {
			if (!strcmp(k->s, allowed[j]))
				break;
		}
		if (!allowed[j]) {
			struct strbuf sb = { 0 };

			for (j = 0; allowed[j]; j++)
				strbuf_addf(&sb, "%s%s", j ? ", " : "", allowed[j]);
			perr(c, k, "unknown key '%s' in %s (expected one of: %s)", k->s, where,
			     sb.buf);
			strbuf_release(&sb);
		}
		for (j = 0; j < i; j += 2) {
			const struct ynode *k2 = map->kids[j];

			if (k2->kind == YNODE_SCALAR && !strcmp(k2->s, k->s)) {
				perr(c, k, "duplicate key '%s' in %s (first at %u:%u): keep one",
				     k->s, where, k2->line, k2->col);
				break;
			}
		}
	}
}

static const struct ynode *lookup(const struct ynode *map, const char *key)
{
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kids[i];

		if (k->kind == YNODE_SCALAR && !strcmp(k->s, key))
			return map->kids[i + 1];
	}
	return NULL;
}

static void parse_value_map(struct pctx *c, const struct ynode *n, const char *what,
			    struct mapping_value **out, size_t *nout, int multiselect)
{
	if (n->kind != YNODE_MAP) {
		if (n->kind != YNODE_ALIAS)
			perr(c, n, "%s must be a mapping of value: value pairs, not %s", what,
			     kind_name(n));
		return;
	}
	if (n->n / 2 > MAX_VALUES) {
		perr(c, n, "%s has %zu pairs, more than %d", what, n->n / 2, MAX_VALUES);
		return;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->kids[i], *v = n->kids[i + 1];
		const char *ks = want_string(c, k, "a picklist value");
		const char *vs = want_string(c, v, "a picklist value");
		int dup = 0;

		if (!ks || !vs)
			continue;
		if (multiselect && (strchr(ks, ';') || strchr(vs, ';'))) {
			perr(c, strchr(ks, ';') ? k : v,
			     "a multiselect value cannot contain ';' (it separates the items)");
			continue;
		}
		for (size_t j = 0; j < *nout; j++) {
			if (!strcmp((*out)[j].hs, ks)) {
				perr(c, k, "value '%s' is mapped twice in %s: keep one", ks, what);
				dup = 1;
				break;
			}
		}
		if (dup)
			continue;
		*out = xrealloc(*out, (*nout + 1) * sizeof(**out));
		(*out)[*nout].hs = xstrdup(ks);
		(*out)[*nout].sf = xstrdup(vs);
		(*nout)++;
	}
}

static void parse_transform(struct pctx *c, const struct ynode *n, struct mapping_field *f)
{
	static const char *const keys[] = { "type", "values", "reverse", "state_country",
					    "max_length", NULL };
	const struct ynode *v;

	if (n->kind != YNODE_MAP) {
		if (n->kind != YNODE_ALIAS)
			perr(c, n, "transform must be a mapping (for example "
				   "'transform: {type: date}'), not %s", kind_name(n));
		return;
	}
	check_keys(c, n, "transform", keys);
	if ((v = lookup(n, "type"))) {
		const char *s = want_string(c, v, "type");
		size_t i;

		for (i = 0; s && i < ARRAY_SIZE(types); i++) {
			if (!strcmp(s, types[i].name)) {
				f->type = types[i].type;
				break;
			}
		}
		if (s && i == ARRAY_SIZE(types))
			perr(c, v, "unknown type '%s' (expected string, number, date, datetime, "
				   "datetime_to_date, boolean or multiselect)", s);
	}
	/* values after type: a multiselect map may not hold ';' */
	if ((v = lookup(n, "values"))) {
		parse_value_map(c, v, "values", &f->values, &f->n_values,
				f->type == MAPPING_TYPE_MULTISELECT);
		if (f->type != MAPPING_TYPE_STRING && f->type != MAPPING_TYPE_MULTISELECT)
			perr(c, v, "values (a picklist value map) applies to string and "
				   "multiselect fields, not to type %s", mapping_type_name(f->type));
	}
	if ((v = lookup(n, "reverse"))) {
		struct mapping_value *r = NULL;
		size_t nr = 0;

		/* written Salesforce: HubSpot; stored the other way round */
		parse_value_map(c, v, "reverse", &r, &nr, f->type == MAPPING_TYPE_MULTISELECT);
		for (size_t i = 0; i < nr; i++) {
			char *t = r[i].hs;

			r[i].hs = r[i].sf;
			r[i].sf = t;
		}
		f->reverse = r;
		f->n_reverse = nr;
	}
	if ((v = lookup(n, "state_country"))) {
		int b = want_bool(c, v, "state_country");

		if (b >= 0)
			f->state_country = b;
	}
	if ((v = lookup(n, "max_length"))) {
		const char *s = want_string(c, v, "max_length");
		int64_t len;

		if (s && (parse_int64(s, &len) || len < 1 || len > MAX_LENGTH_LIMIT || !v->plain))
			perr(c, v, "max_length must be a whole number from 1 to %d, not '%s'",
			     MAX_LENGTH_LIMIT, s);
		else if (s)
			f->max_length = (int)len;
	}
}

/* Salesforce -> HubSpot needs `values` inverted when the rule writes to
 * HubSpot: two HubSpot values sharing one Salesforce value make that
 * ambiguous unless `reverse` says which one wins. */
static void check_invertible(struct pctx *c, const struct ynode *entry,
			     const struct mapping_field *f)
{
	if (!mapping_rule_writes_hs(f->rule))
		return;
	for (size_t i = 0; i < f->n_values; i++) {
		for (size_t j = 0; j < i; j++) {
			const char *sfv = f->values[i].sf;
			size_t r;

			if (strcmp(f->values[j].sf, sfv))
				continue;
			for (r = 0; r < f->n_reverse; r++) {
				if (!strcmp(f->reverse[r].sf, sfv))
					break;
			}
			if (r == f->n_reverse)
				perr(c, entry, "hubspot values '%s' and '%s' both map to salesforce "
					       "'%s', so rule %s cannot tell which one to write back "
					       "(add 'reverse: {\"%s\": %s}' to choose, or use rule "
					       "hubspot_to_salesforce)",
				     f->values[j].hs, f->values[i].hs, sfv, mapping_rule_name(f->rule),
				     sfv, f->values[j].hs);
			break;
		}
	}
}

static void parse_entry(struct pctx *c, const struct ynode *n, struct mapping_field *f)
{
	static const char *const keys[] = { "hubspot", "salesforce", "rule", "objects",
					    "transform", "backfill", NULL };
	const struct ynode *v;
	size_t before = c->nerr;

	f->line = n->line;
	f->col = n->col;
	if (n->kind != YNODE_MAP) {
		if (n->kind != YNODE_ALIAS)
			perr(c, n, "a field entry must be a mapping with hubspot: and "
				   "salesforce:, not %s", kind_name(n));
		return;
	}
	check_keys(c, n, "a field entry", keys);
	if (!(v = lookup(n, "hubspot")))
		perr(c, n, "field entry has no 'hubspot:' (the HubSpot property name)");
	else if (want_name(c, v, "hubspot"))
		f->hubspot = xstrdup(v->s);
	if (!(v = lookup(n, "salesforce")))
		perr(c, n, "field entry has no 'salesforce:' (the Salesforce field name)");
	else if (want_name(c, v, "salesforce"))
		f->salesforce = xstrdup(v->s);
	if ((v = lookup(n, "rule"))) {
		const char *s = want_string(c, v, "rule");
		size_t i;

		for (i = 0; s && i < ARRAY_SIZE(rules); i++) {
			if (!strcmp(s, rules[i].name)) {
				f->rule = rules[i].rule;
				break;
			}
		}
		if (s && i == ARRAY_SIZE(rules))
			perr(c, v, "unknown rule '%s' (expected prefer_salesforce_unless_blank, "
				   "always_salesforce, two_way, hubspot_to_salesforce or none)", s);
	}
	if ((v = lookup(n, "objects"))) {
		if (v->kind != YNODE_SEQ) {
			if (v->kind != YNODE_ALIAS)
				perr(c, v, "objects must be a list of Salesforce objects (for "
					   "example 'objects: [Lead]'), not %s", kind_name(v));
		} else if (!v->n) {
			perr(c, v, "objects is empty (list the Salesforce objects, or remove "
				   "the key to apply the entry to all of them)");
		} else if (v->n > MAX_OBJECTS) {
			perr(c, v, "objects lists %zu objects, more than %d", v->n, MAX_OBJECTS);
		} else {
			for (size_t i = 0; i < v->n; i++) {
				const struct ynode *o = v->kids[i];
				const char *s = want_name(c, o, "a Salesforce object");
				int dup = 0;

				for (size_t j = 0; s && j < f->n_objects; j++)
					dup |= !strcmp(f->objects[j], s);
				if (dup) {
					perr(c, o, "object '%s' is listed twice", s);
				} else if (s) {
					f->objects = xrealloc(f->objects,
							      (f->n_objects + 1) * sizeof(char *));
					f->objects[f->n_objects++] = xstrdup(s);
				}
			}
		}
	}
	if ((v = lookup(n, "transform")))
		parse_transform(c, v, f);
	if ((v = lookup(n, "backfill"))) {
		int b = want_bool(c, v, "backfill");

		if (b >= 0)
			f->backfill = b;
	}
	if (c->nerr != before || !f->hubspot || !f->salesforce)
		return;
	if (mapping_field_is_owner(f)) {
		if (strcmp(f->hubspot, "hubspot_owner_id") || strcmp(f->salesforce, "OwnerId"))
			perr(c, n, "the owner pairs hubspot 'hubspot_owner_id' with salesforce "
				   "'OwnerId' only (found '%s' with '%s')", f->hubspot,
			     f->salesforce);
		else if (f->rule != MAPPING_TWO_WAY)
			perr(c, n, "the owner mapping (hubspot_owner_id <-> OwnerId) can only be "
				   "two_way, not %s (write 'rule: two_way')", mapping_rule_name(f->rule));
	}
	check_invertible(c, n, f);
}

static int objects_overlap(const struct mapping_field *a, const struct mapping_field *b)
{
	if (!a->n_objects || !b->n_objects)
		return 1;
	for (size_t i = 0; i < a->n_objects; i++) {
		if (mapping_field_applies(b, a->objects[i]))
			return 1;
	}
	return 0;
}

static void check_duplicates(struct pctx *c, const struct mapping *m)
{
	for (size_t i = 0; i < m->n_fields; i++) {
		const struct mapping_field *f = &m->fields[i];
		struct ynode at = { .line = f->line, .col = f->col };

		if (!f->hubspot || !f->salesforce)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct mapping_field *g = &m->fields[j];

			if (!g->hubspot || !g->salesforce || !objects_overlap(f, g))
				continue;
			if (!strcmp(f->hubspot, g->hubspot)) {
				perr(c, &at, "hubspot '%s' is mapped twice for the same Salesforce "
					     "object (first at %u:%u): remove one, or give each "
					     "its own 'objects:'", f->hubspot, g->line, g->col);
				break;
			}
			if (!strcmp(f->salesforce, g->salesforce) &&
			    mapping_rule_writes_sf(f->rule) && mapping_rule_writes_sf(g->rule)) {
				perr(c, &at, "salesforce '%s' is written from both hubspot '%s' "
					     "(%u:%u) and hubspot '%s': give one of them rule "
					     "always_salesforce or none, or separate them with "
					     "'objects:'", f->salesforce, g->hubspot, g->line, g->col,
				     f->hubspot);
				break;
			}
		}
	}
}

static void parse_root(struct pctx *c, const struct ynode *root, struct mapping *m)
{
	static const char *const keys[] = { "object", "fields", NULL };
	const struct ynode *v;

	if (root->kind != YNODE_MAP) {
		perr(c, root, "a mapping file must be a mapping with 'object:' and 'fields:', "
			      "not %s", kind_name(root));
		return;
	}
	check_keys(c, root, "the mapping file", keys);
	if (!(v = lookup(root, "object"))) {
		perr(c, root, "no 'object:' (the crmsync object this file maps, e.g. "
			      "'object: contact')");
	} else if (want_string(c, v, "object")) {
		if (!name_is_valid(v->s))
			perr(c, v, "object '%s' is not a valid object name (lowercase letters, "
				   "digits, '_' and '-')", v->s);
		else
			m->object = xstrdup(v->s);
	}
	if (!(v = lookup(root, "fields"))) {
		perr(c, root, "no 'fields:' (the list of hubspot/salesforce pairs)");
		return;
	}
	if (v->kind != YNODE_SEQ) {
		if (v->kind != YNODE_ALIAS)
			perr(c, v, "fields must be a list of entries ('- hubspot: ...'), not %s",
			     kind_name(v));
		return;
	}
	if (v->n > MAX_FIELDS) {
		perr(c, v, "fields has %zu entries, more than %d", v->n, MAX_FIELDS);
		return;
	}
	m->fields = xcalloc(v->n, sizeof(*m->fields));
	m->n_fields = v->n;
	for (size_t i = 0; i < v->n; i++)
		parse_entry(c, v->kids[i], &m->fields[i]);
	check_duplicates(c, m);
}

static void free_values(struct mapping_value *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].hs);
		free(v[i].sf);
	}
	free(v);
}

void mapping_free(struct mapping *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_fields; i++) {
		struct mapping_field *f = &m->fields[i];

		free(f->hubspot);
		free(f->salesforce);
		for (size_t j = 0; j < f->n_objects; j++)
			free(f->objects[j]);
		free(f->objects);
		free_values(f->values, f->n_values);
		free_values(f->reverse, f->n_reverse);
	}
	free(m->fields);
	free(m->object);
	free(m->path);
	free(m);
}

int mapping_parse_buffer(const char *name, const char *buf, size_t len,
			 struct mapping **out, struct errlist *errs)
{
	struct pctx c = { .name = name, .errs = errs };
	struct ynode *root = NULL;
	struct mapping *m;
	size_t before = errs->total;

	*out = NULL;
	if (ynode_parse(name, buf, len, &root, errs) < 0)
		return len > MAPPING_MAX_FILE ? -EFBIG : -EINVAL;
	m = xcalloc(1, sizeof(*m));
	m->path = xstrdup(name);
	if (!root)
		errlist_add(errs, "%s:1:1: the file is empty (a mapping file needs 'object:' "
				  "and 'fields:')", name);
	else
		parse_root(&c, root, m);
	ynode_free(root);
	if (errs->total != before) {
		mapping_free(m);
		return -EINVAL;
	}
	*out = m;
	return 0;
}

int mapping_load(const char *path, struct mapping **out, struct errlist *errs)
{
	char *buf;
	size_t len;
	int err;

	*out = NULL;
	err = read_file(path, MAPPING_MAX_FILE, &buf, &len);
	if (err == -EFBIG) {
		errlist_add(errs, "%s: the file is larger than the %d-byte limit of a mapping "
				  "file (split it per object, or remove unused entries)", path,
			    MAPPING_MAX_FILE);
		return err;
	}
	if (err) {
		errlist_add(errs, "%s: cannot read the mapping file: %s", path, strerror(-err));
		return err;
	}
	err = mapping_parse_buffer(path, buf, len, out, errs);
	free(buf);
	return err;
}
