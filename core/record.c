/*
 * record.c - records and diagnoses: small owned containers of strings.
 * Field lookup is linear: records carry tens of fields, not thousands.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "util.h"

struct crmsync_record *record_new(enum crmsync_side side, const char *object, const char *id)
{
	struct crmsync_record *rec = xcalloc(1, sizeof(*rec));

	rec->side = side;
	rec->object = xstrdup(object ? object : "");
	rec->id = id ? xstrdup(id) : NULL;
	return rec;
}

void record_free(struct crmsync_record *rec)
{
	if (!rec)
		return;
	for (size_t i = 0; i < rec->n; i++) {
		free(rec->f[i].name);
		free(rec->f[i].value);
	}
	free(rec->f);
	free(rec->object);
	free(rec->id);
	free(rec);
}

static struct record_field *find(const struct crmsync_record *rec, const char *field)
{
	for (size_t i = 0; i < rec->n; i++)
		if (strcmp(rec->f[i].name, field) == 0)
			return &rec->f[i];
	return NULL;
}

int record_set(struct crmsync_record *rec, const char *field, const char *value)
{
	struct record_field *f;

	if (rec->readonly)
		return -EPERM;
	f = find(rec, field);
	if (!f) {
		if (rec->n == rec->cap) {
			rec->cap = rec->cap ? rec->cap * 2 : 16;
			rec->f = xrealloc(rec->f, rec->cap * sizeof(*rec->f));
		}
		f = &rec->f[rec->n++];
		f->name = xstrdup(field);
		f->value = NULL;
	}
	free(f->value);
	f->value = value && *value ? xstrdup(value) : NULL;
	return 0;
}

const char *record_get(const struct crmsync_record *rec, const char *field)
{
	const struct record_field *f = find(rec, field);

	return f ? f->value : NULL;
}

int record_has(const struct crmsync_record *rec, const char *field)
{
	return find(rec, field) != NULL;
}

/* Process-wide, like the config they come from: set by engine_new. */
static char ext_names[2][128] = { "CrmSync_Id__c", "crmsync_id" };

void record_set_external_names(const char *sf_field, const char *hs_property)
{
	if (sf_field)
		snprintf(ext_names[0], sizeof(ext_names[0]), "%s", sf_field);
	if (hs_property)
		snprintf(ext_names[1], sizeof(ext_names[1]), "%s", hs_property);
}

const char *record_external_id(const struct crmsync_record *rec)
{
	const char *v;

	if (!rec)
		return NULL;
	v = record_get(rec, ext_names[rec->side == CRMSYNC_SIDE_HUBSPOT ? 1 : 0]);
	return v && *v ? v : NULL;
}

void diag_release(struct crmsync_diagnosis *d)
{
	free(d->type);
	free(d->hint);
	for (size_t i = 0; i < d->ndetails; i++) {
		free(d->details[i].key);
		free(d->details[i].value);
	}
	free(d->details);
	for (size_t i = 0; i < d->naffected; i++) {
		free(d->affected[i].object);
		free(d->affected[i].id);
	}
	free(d->affected);
	memset(d, 0, sizeof(*d));
}

const char *diag_detail(const struct crmsync_diagnosis *d, const char *key)
{
	for (size_t i = 0; i < d->ndetails; i++)
		if (strcmp(d->details[i].key, key) == 0)
			return d->details[i].value;
	return NULL;
}
