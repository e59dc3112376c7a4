/*
 * dispatch.h - turns a failed write into a sync error: the [dispatch] table
 * (error code -> resolver), else the resolvers' own claimed codes, else each
 * resolver in turn, ending with the one of type `other`; then the error
 * store. The core's only caller of resolver plugins.
 */
#ifndef CRMSYNC_DISPATCH_H
#define CRMSYNC_DISPATCH_H

#include <crmsync/plugin.h>

struct config;
struct store;

/* A failed write, as the engine saw it. */
struct failed_write {
	const char *object;          /* object component name */
	enum crmsync_side side;      /* the side that refused */
	int http_status;
	const char *code;            /* Salesforce errorCode, or HubSpot category */
	const char *subcode;         /* HubSpot errors[].code / subCategory, or NULL */
	const char *message;
	const char *const *fields;   /* NULL-terminated or NULL */
	const char *raw;             /* raw body or NULL */
	const struct crmsync_record *hubspot, *salesforce;  /* either may be NULL */
	const char *hs_id, *sf_type, *sf_id;                /* ids, when known */
};

/* Classify and store. Returns 0, or a negative errno from the store. The
 * chosen type is written to *type_out (static storage) when not NULL. */
int dispatch_failure(struct config *cfg, struct store *store, const struct failed_write *fw,
		     const char **type_out);

/* The next automatic retry for a policy, given attempts made so far:
 * ~20 minutes apart 10 times, then nightly; 0 = none. */
int64_t dispatch_next_retry(enum crmsync_retry retry, int64_t attempts, int64_t now_ms);

#endif
