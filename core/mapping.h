/*
 * mapping.h - field mappings: one YAML file per object pairs HubSpot
 * properties with Salesforce fields, each with a sync rule and optional
 * transforms. This module parses and validates the files (mapping.c),
 * checks them against both sides' metadata (mapping_check.c), converts
 * values and decides, per field, which side wins (mapping_merge.c).
 * It knows nothing of HTTP, JSON, the store or plugins; the file format is
 * documented in docs/mappings.md.
 */
#ifndef CRMSYNC_MAPPING_H
#define CRMSYNC_MAPPING_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Hard limits of a mapping file; past them the file is refused. */
#define MAPPING_MAX_FILE (1024 * 1024)   /* bytes */
#define MAPPING_MAX_DEPTH 16             /* nested collections */
#define MAPPING_MAX_NODES 100000         /* scalars + collections */
#define MAPPING_MAX_NAME 255             /* a property, field or object name */

enum mapping_rule {
	MAPPING_PREFER_SF_UNLESS_BLANK = 0,  /* the default */
	MAPPING_ALWAYS_SF,
	MAPPING_TWO_WAY,
	MAPPING_HS_TO_SF,
	MAPPING_NONE,
};

/* The conversion applied between the two wire forms (transform: type:). */
enum mapping_type {
	MAPPING_TYPE_STRING = 0,      /* as is (the default) */
	MAPPING_TYPE_NUMBER,
	MAPPING_TYPE_DATE,
	MAPPING_TYPE_DATETIME,
	MAPPING_TYPE_DATETIME_TO_DATE, /* HubSpot datetime <-> Salesforce date */
	MAPPING_TYPE_BOOLEAN,
	MAPPING_TYPE_MULTISELECT,     /* "a;b;c", the value map applies per item */
};

/* One pair of a picklist value map. */
struct mapping_value {
	char *hs;
	char *sf;
};

struct mapping_field {
	char *hubspot;               /* property name */
	char *salesforce;            /* field name */
	enum mapping_rule rule;
	char **objects;              /* Salesforce objects it applies to; */
	size_t n_objects;            /* 0 = every object of the mapping */
	enum mapping_type type;
	struct mapping_value *values;   /* transform: values: (HubSpot -> SF) */
	size_t n_values;
	struct mapping_value *reverse;  /* transform: reverse: (SF -> HubSpot), */
	size_t n_reverse;               /* consulted before inverting `values` */
	int state_country;           /* the object plugin translates state/country */
	int max_length;              /* 0 = none; longer values are refused */
	int backfill;                /* a new mapping copies existing values */
	unsigned line, col;          /* of the entry, 1-based */
};

struct mapping {
	char *path;                  /* as given to mapping_load / the name */
	char *object;                /* object: */
	struct mapping_field *fields;
	size_t n_fields;
};

/*
 * Parse a mapping file of at most MAPPING_MAX_FILE bytes. Returns 0 and a
 * mapping in *out (free with mapping_free), or a negative errno with *out
 * NULL and every problem found appended to errs as "FILE:LINE:COL: what is
 * wrong (how to fix it)": -EINVAL for a bad file, -EFBIG for a huge one, or
 * the errno of opening/reading it.
 */
int mapping_load(const char *path, struct mapping **out, struct errlist *errs);
/* The same over a buffer (len bytes, NUL bytes inside are errors); name is
 * used in messages. */
int mapping_parse_buffer(const char *name, const char *buf, size_t len,
			 struct mapping **out, struct errlist *errs);
void mapping_free(struct mapping *m);

const char *mapping_rule_name(enum mapping_rule rule);
const char *mapping_type_name(enum mapping_type type);
/* Predicates. */
int mapping_field_applies(const struct mapping_field *f, const char *sf_object);
int mapping_rule_writes_sf(enum mapping_rule rule);
int mapping_rule_writes_hs(enum mapping_rule rule);
int mapping_field_is_owner(const struct mapping_field *f);

/*
 * Value conversion for a write. hs/sf may be NULL (blank). On success *out
 * is a new string (free()); a blank value converts to "" (the caller sends
 * null). -EINVAL: the value cannot be read as the field's type;
 * -EMSGSIZE: the converted value is longer than max_length code points
 * (never truncated: the engine reports a property value error).
 * Unmapped picklist values pass through unchanged.
 */
int mapping_value_to_sf(const struct mapping_field *f, const char *hs, char **out);
int mapping_value_to_hs(const struct mapping_field *f, const char *sf, char **out);
/* The canonical form of a value, as stored as the merge base: the Salesforce
 * representation, normalised (numbers, dates, booleans, sorted lists).
 * from_hs selects which side the value comes from. Same returns as above,
 * except that max_length is not applied. */
int mapping_canonical(const struct mapping_field *f, int from_hs, const char *value, char **out);

/* ---- metadata check (mapping_check.c) ---------------------------------- */

/* One field of a Salesforce describe or one HubSpot property, as the API
 * clients fill it in. All strings borrowed. For HubSpot, type is the
 * property type (string, number, date, datetime, enumeration, bool,
 * phone_number), picklist its option values and restricted 1 for an
 * enumeration; createable/updateable 0 for a read-only property. */
struct field_meta {
	const char *name;
	const char *type;
	int createable, updateable, nillable;
	int length;                        /* 0 = unknown/unlimited */
	const char *const *picklist;       /* NULL-terminated values, or NULL */
	int restricted;
	const char *reference_to;          /* first referenceTo, or NULL */
};

enum mapping_problem_type {
	MAPPING_PROBLEM_PROPERTY_MAPPING = 1, /* sync error type "property_mapping" */
	MAPPING_PROBLEM_PERMISSION,           /* "permission" */
	MAPPING_PROBLEM_PICKLIST,             /* "picklist" */
};

struct mapping_problem {
	enum mapping_problem_type type;
	char *hubspot;     /* the property name */
	char *salesforce;  /* "Object.Field" */
	char *where;       /* "FILE:LINE:COL" of the entry */
	char *message;     /* the whole sentence, naming both ends */
};

struct mapping_problems {
	struct mapping_problem *v;
	size_t n;
};

/*
 * Check every entry of m that applies to sf_object against that object's
 * describe (sf_fields) and the HubSpot properties (hs_props). Problems are
 * appended to probs (owned by the caller; release with
 * mapping_problems_release). Returns 0 when none was found for this call,
 * -EINVAL otherwise. Never stops at the first.
 */
int mapping_check(const struct mapping *m, const struct field_meta *sf_fields, size_t n_sf,
		  const char *sf_object, const struct field_meta *hs_props, size_t n_hs,
		  struct mapping_problems *probs);
const char *mapping_problem_type_name(enum mapping_problem_type type);
/* "WHERE: [TYPE] MESSAGE" lines, for the CLI and logs. */
void mapping_problems_to_errlist(const struct mapping_problems *probs, struct errlist *errs);
void mapping_problems_release(struct mapping_problems *probs);

/* ---- merge (mapping_merge.c) ------------------------------------------- */

enum merge_result {
	MERGE_NO_CHANGE = 0,    /* both sides hold the same value; store it as base */
	MERGE_KEEP,             /* they differ but the rule writes nothing now;
				 * keep the old base */
	MERGE_WRITE_TO_SF,      /* *winner (the HubSpot value) goes to Salesforce */
	MERGE_WRITE_TO_HS,      /* *winner (the Salesforce value) goes to HubSpot */
	MERGE_CONFLICT_TO_SF,   /* both changed since the base; HubSpot won */
	MERGE_CONFLICT_TO_HS,   /* both changed since the base; Salesforce won */
	MERGE_BAD_HS,           /* the HubSpot value is not of the field's type */
	MERGE_BAD_SF,           /* the Salesforce value is not of the field's type */
};

/*
 * Decide one field of one record pair. base is the canonical value stored
 * after the last sync of this field (mapping_canonical; "" for a blank),
 * or NULL when the field never synced (a new record pair, or a new mapping
 * being back-filled). hs/sf are the current wire values, NULL or "" for
 * blank; *_modified_ms the sides' modification times (used by two_way
 * only). *winner is set to the winning input (hs or sf, possibly NULL =
 * blank, which clears the other side) for the WRITE and CONFLICT results,
 * to sf for NO_CHANGE, to NULL otherwise. The full truth table is in
 * mapping_merge.c and docs/mappings.md. Pure: no allocation survives.
 */
enum merge_result mapping_merge(const struct mapping_field *f, const char *base,
				const char *hs, int64_t hs_modified_ms,
				const char *sf, int64_t sf_modified_ms,
				const char **winner);
const char *merge_result_name(enum merge_result r);

#endif
