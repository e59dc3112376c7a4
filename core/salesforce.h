/*
 * salesforce.h - the Salesforce REST API client: OAuth refresh, queries with
 * paging, describe, limits, sObject Collections, Composite. The only core
 * file besides hubspot.c that knows URLs and wire JSON. Every call is counted
 * by the budget before it is sent.
 */
#ifndef CRMSYNC_SALESFORCE_H
#define CRMSYNC_SALESFORCE_H

#include <jansson.h>
#include <stddef.h>

#include "cfg.h"

struct budget;
struct sf_client;
struct store;

/* A failed call: the service's first error, for the error store. */
struct sf_error {
	int http_status;
	char code[64];        /* errorCode / statusCode / OAuth "error" */
	char message[512];
	char raw[2048];       /* the error body as received (cut), for the error store */
};

int sf_client_new(struct sf_client **out, const struct salesforce_settings *s,
		  struct budget *budget);
void sf_client_free(struct sf_client *sf);

/* Read the credentials file and get an access token (refresh token, or the
 * JWT bearer flow). -EKEYREJECTED when the service refused the credentials
 * (invalid_grant: reconnect needed). With a store (sf_set_store), one
 * process at a time refreshes (a lease in the store), a rotated refresh
 * token is saved to the credentials file at once, a refusal is recorded as
 * salesforce.auth_revoked and later calls fail without asking the service
 * again until the credentials file changes. */
int sf_login(struct sf_client *sf);
void sf_set_store(struct sf_client *sf, struct store *store);
/* Use this session (from `crmsync connect`, before it is saved) instead of
 * the credentials file; it is never renewed. */
void sf_set_session(struct sf_client *sf, const char *access_token, const char *instance_url,
		    const char *identity_url);
/* The identity URL's answer (user, org, username ...); *out new reference. */
int sf_identity(struct sf_client *sf, json_t **out);
const char *sf_identity_url(const struct sf_client *sf);
const char *sf_instance_url(const struct sf_client *sf);
/* Calls made by this client since it was created. */
long sf_calls(const struct sf_client *sf);

/* Run SOQL (queryAll when all != 0), following nextRecordsUrl; cb gets each
 * record (borrowed) and returns 0 to go on, a negative errno to fail, or a
 * positive value to stop reading (returned as is). */
int sf_query(struct sf_client *sf, const char *soql, int all,
	     int (*cb)(json_t *record, void *user), void *user, struct sf_error *err);

/* Several queries (each with its own user pointer for cb), folded into
 * Composite requests of up to 5 queries: one API call where there were
 * five. Later pages follow nextRecordsUrl one call each. A positive return
 * from cb stops that query alone; the others are read to their end. */
int sf_query_many(struct sf_client *sf, const char *const *soql, size_t n, int all,
		  int (*cb)(json_t *record, void *user), void *const *users, struct sf_error *err);

/* GET a resource under /services/data/vXX.X (e.g. "/sobjects/Lead/describe",
 * "/limits"); *out is a new reference. */
int sf_get(struct sf_client *sf, const char *path, json_t **out, struct sf_error *err);

/* sObject Collections: upsert up to 200 records of one object on an external
 * id field, allOrNone false. *results (new reference) is the per-record array
 * in input order. */
int sf_upsert_collection(struct sf_client *sf, const char *object, const char *ext_field,
			 json_t *records, json_t **results, struct sf_error *err);
/* Update (records carry Id) or delete (ids) up to 200 records. */
int sf_update_collection(struct sf_client *sf, json_t *records, json_t **results,
			 struct sf_error *err);
/* POST /composite/sobjects: create up to 200 records (each with its
 * attributes.type) that carry no external id (junction rows). */
int sf_create_collection(struct sf_client *sf, json_t *records, json_t **results,
			 struct sf_error *serr);
int sf_delete_collection(struct sf_client *sf, const char *const *ids, size_t n,
			 json_t **results, struct sf_error *err);

/* Composite: up to 25 subrequests ({method,url,referenceId[,body]}); one call. */
int sf_composite(struct sf_client *sf, json_t *subrequests, int all_or_none, json_t **out,
		 struct sf_error *err);

/* Fill err from a REST error body (array of {message, errorCode|statusCode}). */
void sf_error_from_body(struct sf_error *err, int status, const char *body, size_t len);

/* Format milliseconds since the epoch as a SOQL datetime literal. */
void sf_soql_datetime(long long ms, char *buf, size_t len);
/* Parse Salesforce's "2024-01-31T12:34:56.000+0000" into ms; -1 on error. */
long long sf_parse_datetime(const char *s);

#endif
