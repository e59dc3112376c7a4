/*
 * cli_connect_check.c - before crmsync switches to another Salesforce user:
 * can that user read and edit every object and field the configuration's
 * mappings need? Describes each object with the new user's session and
 * runs mapping_check() on it (the same check the engine runs before a
 * cycle), keeping the permission problems, plus object access (queryable,
 * createable, updateable) and fields the user cannot see. Prints each, so
 * the admin sees the permission errors before they happen. No writes.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "cli_connect.h"
#include "mapping.h"
#include "salesforce.h"
#include "util.h"

static int rules_write_sf(const struct mapping *m, const char *object)
{
	for (size_t i = 0; i < m->n_fields; i++)
		if (mapping_field_applies(&m->fields[i], object) &&
		    mapping_rule_writes_sf(m->fields[i].rule))
			return 1;
	return 0;
}

static void report(int *problems, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void report(int *problems, const char *fmt, ...)
{
	va_list ap;

	if (!*problems)
		printf("The new Salesforce user lacks access that the mappings need:\n");
	va_start(ap, fmt);
	printf("  ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	(*problems)++;
}

/* One Salesforce object of one mapping. */
static int check_object(struct sf_client *sf, const struct mapping *m, const char *object,
			int *problems)
{
	struct mapping_problems probs = { 0 };
	struct field_meta *meta, *hs;
	struct sf_error serr;
	json_t *desc = NULL, *fields, *f;
	char path[160];
	size_t i, n = 0, nhs = 0;
	int err;

	snprintf(path, sizeof(path), "/sobjects/%s/describe", object);
	err = sf_get(sf, path, &desc, &serr);
	if (err) {
		if (serr.http_status == 404 || serr.http_status == 403 || !strcmp(serr.code, "NOT_FOUND") ||
		    !strcmp(serr.code, "INVALID_TYPE")) {
			report(problems, "%s: the user cannot access this object (%s)", object, serr.code);
			return 0;
		}
		fprintf(stderr, "crmsync: cannot describe Salesforce '%s' as the new user: %s %s\n", object,
			serr.code, serr.message);
		return err;
	}
	if (json_is_false(json_object_get(desc, "queryable")))
		report(problems, "%s: the user cannot read this object (object permission Read)", object);
	if (rules_write_sf(m, object)) {
		if (json_is_false(json_object_get(desc, "createable")))
			report(problems, "%s: the user cannot create records (object permission Create), "
					 "but the mapping writes to Salesforce", object);
		if (json_is_false(json_object_get(desc, "updateable")))
			report(problems, "%s: the user cannot edit records (object permission Edit), "
					 "but the mapping writes to Salesforce", object);
	}
	fields = json_object_get(desc, "fields");
	meta = xcalloc(json_array_size(fields) + 1, sizeof(*meta));
	json_array_foreach(fields, i, f) {
		struct field_meta *x = &meta[n];

		x->name = json_string_value(json_object_get(f, "name"));
		if (!x->name)
			continue;
		x->type = json_string_value(json_object_get(f, "type"));
		x->createable = json_is_true(json_object_get(f, "createable"));
		x->updateable = json_is_true(json_object_get(f, "updateable"));
		x->nillable = json_is_true(json_object_get(f, "nillable"));
		n++;
	}
	/* the HubSpot side is not in question here: every mapped property is
	 * taken as present and writable, and only Salesforce problems kept */
	hs = xcalloc(m->n_fields + 1, sizeof(*hs));
	for (i = 0; i < m->n_fields; i++) {
		const struct mapping_field *mf = &m->fields[i];
		int seen = 0;

		hs[nhs].name = mf->hubspot;
		hs[nhs].createable = hs[nhs].updateable = hs[nhs].nillable = 1;
		nhs++;
		if (mf->rule == MAPPING_NONE || !mapping_field_applies(mf, object))
			continue;
		for (size_t k = 0; k < n && !seen; k++)
			seen = !strcmp(meta[k].name, mf->salesforce);
		if (!seen)
			report(problems, "%s.%s (HubSpot '%s'): the user cannot see this field (field-level "
					 "security: grant Read)", object, mf->salesforce, mf->hubspot);
	}
	mapping_check(m, meta, n, object, hs, nhs, &probs);
	for (i = 0; i < probs.n; i++)
		if (probs.v[i].type == MAPPING_PROBLEM_PERMISSION)
			report(problems, "%s: %s", probs.v[i].salesforce, probs.v[i].message);
	mapping_problems_release(&probs);
	free(hs);
	free(meta);
	json_decref(desc);
	return 0;
}

int cli_connect_check_permissions(const char *path, struct sf_client *sf, int *problems)
{
	struct errlist errs = { 0 };
	struct config cfg;
	int rc = 0;

	*problems = 0;
	if (config_load(&cfg, path, &errs)) {
		printf("note: the configuration has errors (see 'crmsync check-config'), so the new "
		       "user's access to the mapped fields was not checked\n");
		errlist_release(&errs);
		config_release(&cfg);
		return 0;
	}
	errlist_release(&errs);
	for (size_t i = 0; i < cfg.ninst && !rc; i++) {
		const struct crmsync_instance *inst = cfg.inst[i];
		struct mapping *m = NULL;

		if (inst->kind != KIND_OBJECT || !inst->enabled || !inst->mapping || !inst->plugin ||
		    !inst->plugin->has_object)
			continue;
		if (mapping_load(inst->mapping, &m, &errs)) {
			errlist_print(&errs, "crmsync");
			errlist_release(&errs);
			continue;
		}
		for (const char *const *so = inst->plugin->object.salesforce_objects; so && *so && !rc; so++)
			rc = check_object(sf, m, *so, problems) ? 1 : 0;
		mapping_free(m);
	}
	config_release(&cfg);
	return rc;
}
