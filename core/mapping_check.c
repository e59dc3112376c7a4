/*
 * mapping_check.c - check a parsed mapping against the metadata of both
 * sides (a Salesforce describe, the HubSpot properties) before the first
 * sync: the mapped field exists, the types fit, the conversion is declared,
 * the integration user may write where the rule writes, and mapped picklist
 * values exist in restricted picklists. Each problem names both ends and
 * carries the sync-error type the engine files it under. Pure: no I/O.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"

struct cctx {
	const struct mapping *m;
	const struct mapping_field *f;
	const char *sf_object;
	const struct field_meta *hs, *sf;  /* NULL when missing */
	struct mapping_problems *probs;
	size_t found;
};

static void problem(struct cctx *c, enum mapping_problem_type type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct cctx *c, enum mapping_problem_type type, const char *fmt, ...)
{
	struct mapping_problem *p;
	struct strbuf sb = { 0 };
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, "hubspot '%s'", c->f->hubspot);
	if (c->hs)
		strbuf_addf(&sb, " (%s)", c->hs->type ? c->hs->type : "?");
	strbuf_addf(&sb, " \xe2\x86\x94 salesforce %s.%s", c->sf_object, c->f->salesforce);
	if (c->sf)
		strbuf_addf(&sb, " (%s)", c->sf->type ? c->sf->type : "?");
	strbuf_addf(&sb, ": %s", what);
	free(what);

	c->probs->v = xrealloc(c->probs->v, (c->probs->n + 1) * sizeof(*c->probs->v));
	p = &c->probs->v[c->probs->n++];
	p->type = type;
	p->hubspot = xstrdup(c->f->hubspot);
	p->salesforce = xasprintf("%s.%s", c->sf_object, c->f->salesforce);
	p->where = xasprintf("%s:%u:%u", c->m->path ? c->m->path : "mapping", c->f->line,
			     c->f->col);
	p->message = strbuf_detach(&sb);
	c->found++;
}

static const struct field_meta *find(const struct field_meta *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].name && !strcmp(v[i].name, name))
			return &v[i];
	}
	return NULL;
}

static int is_one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++) {
		if (!strcmp(s, *set))
			return 1;
	}
	return 0;
}

static const char *const sf_text[] = { "string", "textarea", "email", "phone", "url",
				       "picklist", "combobox", "encryptedstring", NULL };
static const char *const sf_number[] = { "double", "currency", "percent", "int", "long", NULL };
static const char *const sf_choice[] = { "picklist", "multipicklist", "string", "textarea",
					 "combobox", NULL };

/* The conversion each pair of types needs; -1 = incompatible. */
static int needed_type(const char *hs, const char *sf)
{
	if (!strcmp(hs, "string") || !strcmp(hs, "phone_number"))
		return is_one_of(sf, sf_text) ? MAPPING_TYPE_STRING : -1;
	if (!strcmp(hs, "enumeration")) {
		if (!strcmp(sf, "multipicklist"))
			return MAPPING_TYPE_MULTISELECT;
		if (!strcmp(sf, "boolean"))
			return MAPPING_TYPE_BOOLEAN;
		return is_one_of(sf, sf_choice) ? MAPPING_TYPE_STRING : -1;
	}
	if (!strcmp(hs, "number"))
		return is_one_of(sf, sf_number) ? MAPPING_TYPE_NUMBER : -1;
	if (!strcmp(hs, "date"))
		return !strcmp(sf, "date") ? MAPPING_TYPE_DATE : -1;
	if (!strcmp(hs, "datetime")) {
		if (!strcmp(sf, "datetime"))
			return MAPPING_TYPE_DATETIME;
		return !strcmp(sf, "date") ? MAPPING_TYPE_DATETIME_TO_DATE : -1;
	}
	if (!strcmp(hs, "bool"))
		return !strcmp(sf, "boolean") ? MAPPING_TYPE_BOOLEAN : -1;
	return -1;
}

static void check_types(struct cctx *c)
{
	const struct mapping_field *f = c->f;
	const char *hst = c->hs->type ? c->hs->type : "";
	const char *sft = c->sf->type ? c->sf->type : "";
	int need;

	if (!strcmp(sft, "reference")) {
		if (!mapping_field_is_owner(f))
			problem(c, MAPPING_PROBLEM_PROPERTY_MAPPING,
				"a Salesforce lookup (reference to %s) needs a lookup mapping: map "
				"a text field instead, or remove the entry",
				c->sf->reference_to ? c->sf->reference_to : "another object");
		return; /* the owner is looked up by the engine */
	}
	if (!strcmp(sft, "id")) {
		problem(c, MAPPING_PROBLEM_PROPERTY_MAPPING,
			"the record id cannot be mapped (crmsync keeps the id map itself)");
		return;
	}
	need = needed_type(hst, sft);
	if (need < 0) {
		problem(c, MAPPING_PROBLEM_PROPERTY_MAPPING, "incompatible types");
		return;
	}
	/* a multi-select enumeration may live in a text field */
	if (need == MAPPING_TYPE_STRING && f->type == MAPPING_TYPE_MULTISELECT &&
	    !strcmp(hst, "enumeration"))
		return;
	if (need == MAPPING_TYPE_STRING && f->type != MAPPING_TYPE_STRING) {
		problem(c, MAPPING_PROBLEM_PROPERTY_MAPPING,
			"the entry's 'type: %s' does not fit these types: remove it",
			mapping_type_name(f->type));
		return;
	}
	if ((int)f->type != need)
		problem(c, MAPPING_PROBLEM_PROPERTY_MAPPING,
			"the values need converting: write 'transform: {type: %s}' (the entry "
			"says %s)", mapping_type_name((enum mapping_type)need),
			mapping_type_name(f->type));
}

static void check_permission(struct cctx *c)
{
	const struct mapping_field *f = c->f;

	if (mapping_rule_writes_sf(f->rule) && !c->sf->updateable)
		problem(c, MAPPING_PROBLEM_PERMISSION,
			"the integration user cannot update this field but rule %s writes to "
			"Salesforce: grant edit access (field-level security), or use rule "
			"always_salesforce", mapping_rule_name(f->rule));
	if (mapping_rule_writes_hs(f->rule) && !c->hs->updateable)
		problem(c, MAPPING_PROBLEM_PERMISSION,
			"the HubSpot property is read-only but rule %s writes to HubSpot: use "
			"rule hubspot_to_salesforce or none", mapping_rule_name(f->rule));
}

static void check_picklists(struct cctx *c)
{
	const struct mapping_field *f = c->f;

	for (size_t i = 0; i < f->n_values; i++) {
		if (c->sf->restricted && c->sf->picklist && mapping_rule_writes_sf(f->rule) &&
		    !is_one_of(f->values[i].sf, c->sf->picklist))
			problem(c, MAPPING_PROBLEM_PICKLIST,
				"value '%s' maps to '%s', which the restricted Salesforce picklist "
				"does not hold: add it to the picklist or fix the value map",
				f->values[i].hs, f->values[i].sf);
		if (c->hs->restricted && c->hs->picklist && mapping_rule_writes_hs(f->rule) &&
		    !is_one_of(f->values[i].hs, c->hs->picklist))
			problem(c, MAPPING_PROBLEM_PICKLIST,
				"value '%s' is not an option of the HubSpot property: add the option "
				"or fix the value map", f->values[i].hs);
	}
	for (size_t i = 0; i < f->n_reverse; i++) {
		if (c->hs->restricted && c->hs->picklist && mapping_rule_writes_hs(f->rule) &&
		    !is_one_of(f->reverse[i].hs, c->hs->picklist))
			problem(c, MAPPING_PROBLEM_PICKLIST,
				"reverse value '%s' maps to '%s', which is not an option of the "
				"HubSpot property", f->reverse[i].sf, f->reverse[i].hs);
	}
}

static void check_length(struct cctx *c)
{
	if (c->f->max_length && c->sf->length > 0 && c->f->max_length > c->sf->length)
		problem(c, MAPPING_PROBLEM_PROPERTY_MAPPING,
			"max_length %d is longer than the field (%d): lower it to %d",
			c->f->max_length, c->sf->length, c->sf->length);
}

int mapping_check(const struct mapping *m, const struct field_meta *sf_fields, size_t n_sf,
		  const char *sf_object, const struct field_meta *hs_props, size_t n_hs,
		  struct mapping_problems *probs)
{
	struct cctx c = { .m = m, .sf_object = sf_object, .probs = probs };

	for (size_t i = 0; i < m->n_fields; i++) {
		c.f = &m->fields[i];
		if (c.f->rule == MAPPING_NONE || !mapping_field_applies(c.f, sf_object))
			continue;
		c.hs = find(hs_props, n_hs, c.f->hubspot);
		c.sf = find(sf_fields, n_sf, c.f->salesforce);
		if (!c.hs)
			problem(&c, MAPPING_PROBLEM_PROPERTY_MAPPING,
				"the HubSpot property does not exist (create it, or fix the name "
				"in the mapping)");
		if (!c.sf)
			problem(&c, MAPPING_PROBLEM_PROPERTY_MAPPING,
				"the Salesforce field does not exist on %s or the integration user "
				"cannot see it (create it, grant read access, or fix the name)",
				sf_object);
		if (!c.hs || !c.sf)
			continue;
		check_types(&c);
		check_permission(&c);
		check_picklists(&c);
		check_length(&c);
	}
	return c.found ? -EINVAL : 0;
}

const char *mapping_problem_type_name(enum mapping_problem_type type)
{
	switch (type) {
	case MAPPING_PROBLEM_PROPERTY_MAPPING:
		return "property_mapping";
	case MAPPING_PROBLEM_PERMISSION:
		return "permission";
	case MAPPING_PROBLEM_PICKLIST:
		return "picklist";
	}
	return "other";
}

void mapping_problems_to_errlist(const struct mapping_problems *probs, struct errlist *errs)
{
	for (size_t i = 0; i < probs->n; i++)
		errlist_add(errs, "%s: [%s] %s", probs->v[i].where,
			    mapping_problem_type_name(probs->v[i].type), probs->v[i].message);
}

void mapping_problems_release(struct mapping_problems *probs)
{
	for (size_t i = 0; i < probs->n; i++) {
		free(probs->v[i].hubspot);
		free(probs->v[i].salesforce);
		free(probs->v[i].where);
		free(probs->v[i].message);
	}
	free(probs->v);
	probs->v = NULL;
	probs->n = 0;
}
