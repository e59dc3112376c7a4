/*
 * record.h - the core's record (a named set of string fields from one side)
 * and the diagnosis a resolver fills in. Plugins see both only through the
 * host table.
 */
#ifndef CRMSYNC_RECORD_H
#define CRMSYNC_RECORD_H

#include <stddef.h>

#include <crmsync/plugin.h>

struct record_field {
	char *name;
	char *value;  /* NULL: present but empty/null */
};

struct crmsync_record {
	enum crmsync_side side;
	char *object;
	char *id;
	struct record_field *f;
	size_t n, cap;
	int readonly;
};

struct crmsync_record *record_new(enum crmsync_side side, const char *object, const char *id);
void record_free(struct crmsync_record *rec);
/* 0 or -EPERM on a read-only record. value NULL clears the field. */
int record_set(struct crmsync_record *rec, const char *field, const char *value);
const char *record_get(const struct crmsync_record *rec, const char *field);
int record_has(const struct crmsync_record *rec, const char *field);
/* The field/property holding crmsync's external id on each side (set once
 * by the engine from the config; copied). */
void record_set_external_names(const char *sf_field, const char *hs_property);
/* The external id a record carries, or NULL. */
const char *record_external_id(const struct crmsync_record *rec);

struct diag_kv {
	char *key, *value;
};

struct diag_ref {
	enum crmsync_side side;
	char *object, *id;
};

struct crmsync_diagnosis {
	char *type;
	char *hint;
	enum crmsync_retry retry;
	struct diag_kv *details;
	size_t ndetails;
	struct diag_ref *affected;
	size_t naffected;
};

void diag_release(struct crmsync_diagnosis *d);
const char *diag_detail(const struct crmsync_diagnosis *d, const char *key);

#endif
