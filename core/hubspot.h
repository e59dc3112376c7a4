/*
 * hubspot.h - the HubSpot CRM v3 client: private-app token or OAuth refresh,
 * search with paging past the 10,000-result cap, batch read/create/update/
 * upsert/archive, properties, and (hs_forms.c) form submissions read as a
 * feed. With salesforce.c, the only core files that know URLs and wire JSON.
 */
#ifndef CRMSYNC_HUBSPOT_H
#define CRMSYNC_HUBSPOT_H

#include <jansson.h>
#include <stddef.h>

#include "cfg.h"

struct hs_client;
struct store;

struct hs_error {
	int http_status;
	char category[64];    /* VALIDATION_ERROR, CONFLICT, ... */
	char subcode[64];     /* errors[0].code or subCategory, if any */
	char message[512];
	char raw[2048];       /* the error body as received (cut), for the error store */
};

int hs_client_new(struct hs_client **out, const struct hubspot_settings *s);
void hs_client_free(struct hs_client *hs);
/* Read the credentials; with OAuth, get an access token. -EKEYREJECTED when
 * the refresh token is refused. */
int hs_login(struct hs_client *hs);
long hs_calls(const struct hs_client *hs);
/* With a store: a refused refresh token is recorded as hubspot.auth_revoked
 * and not tried again until the credentials file changes; refreshes take
 * the store's lease; a rotated refresh token is saved at once. */
void hs_set_store(struct hs_client *hs, struct store *store);
/* Use this access token (a private-app token being checked by `crmsync
 * connect`) instead of the credentials file. */
void hs_set_token(struct hs_client *hs, const char *access_token);
int hs_is_oauth(const struct hs_client *hs);
/* GET /account-info/v3/details: portalId, timeZone, uiDomain ... */
int hs_account(struct hs_client *hs, json_t **out, struct hs_error *herr);

/* Records of `object` modified at or after since_ms (by `modprop`), oldest
 * first, each once, past the search API's 10,000-result cap. cb gets each
 * record (borrowed) and returns 0 to go on, a negative errno to fail, or a
 * positive value to stop there (returned as is; that record is not taken).
 * *max_ms gets the newest modification of the records cb took. */
int hs_search_modified(struct hs_client *hs, const char *object, const char *modprop,
		       long long since_ms, const char *const *properties,
		       int (*cb)(json_t *record, void *user), void *user, long long *max_ms,
		       struct hs_error *err);

/* POST /crm/v3/objects/{object}/batch/{op} with {"inputs": inputs} (<= 100).
 * *out (new reference) is the whole response (results, errors); a 207 is
 * success with per-input errors. */
int hs_batch(struct hs_client *hs, const char *object, const char *op, json_t *inputs,
	     const char *id_property, json_t **out, struct hs_error *err);

/* POST .../batch/read with the properties to return; id_property NULL
 * means record ids, else a unique property such as "email". */
int hs_batch_read(struct hs_client *hs, const char *object, json_t *properties, json_t *inputs,
		  const char *id_property, json_t **out, struct hs_error *err);

/* POST /crm/v4/associations/{from}/{to}/batch/{op} with {"inputs": inputs};
 * op: "read", "create", "associate/default", "archive". *out (new
 * reference, may be NULL on 204) is the whole response. */
int hs_assoc_batch(struct hs_client *hs, const char *from, const char *to, const char *op,
		   json_t *inputs, json_t **out, struct hs_error *err);

/* Any call: method, path under the base URL, JSON body or NULL. */
int hs_request(struct hs_client *hs, const char *method, const char *path, json_t *body,
	       json_t **out, struct hs_error *err);

/* GET a path under the base URL ("/crm/v3/properties/contacts"). */
int hs_get(struct hs_client *hs, const char *path, json_t **out, struct hs_error *err);

/* ---- feeds: HubSpot data that is not a CRM object, read as records ------ */

/* The virtual object of form submissions (hs_forms.c): read-only records
 * keyed by conversionId, each once, never changed. */
#define HS_FEED_FORM_SUBMISSIONS "form_submissions"

struct hs_feed_prop {
	const char *name;
	const char *type;    /* HubSpot property type: "string", "datetime" */
};

/* Is this HubSpot object a feed? */
int hs_is_feed(const char *object);
/* The properties a feed's records carry, ended by a NULL name; NULL when
 * object is not a feed. */
const struct hs_feed_prop *hs_feed_props(const char *object);
/* The feed's records at or after since_ms, as {"id", "properties"}; cb
 * gets each (borrowed; nonzero stops). *max_ms gets the newest seen. */
int hs_feed_read(struct hs_client *hs, const char *object, long long since_ms,
		 int (*cb)(json_t *record, void *user), void *user, long long *max_ms,
		 struct hs_error *err);

void hs_error_from_body(struct hs_error *err, int status, const char *body, size_t len);
/* Parse HubSpot's ISO 8601 or ms-epoch timestamps into ms; -1 on error. */
long long hs_parse_time(const char *s);

#endif
