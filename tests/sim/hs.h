/*
 * HubSpot side of crmsync-sim (hs_*.c): private declarations shared by its
 * files. Records live per object type in an array sorted by id (ids only
 * grow), with a hash index over unique property values (contact email and
 * properties with hasUniqueValue). All state belongs to one side and is only
 * touched from that side's server thread.
 */
#ifndef CRMSYNC_SIM_HS_H
#define CRMSYNC_SIM_HS_H

#include <stdbool.h>
#include <stdint.h>
#include "frame.h"

enum hs_type {
	HS_CONTACTS, HS_COMPANIES, HS_DEALS, HS_TASKS, HS_NOTES, HS_MEETINGS, HS_CALLS,
	HS_EMAILS, HS_NTYPES
};

#define HS_BATCH_MAX 100
#define HS_SEARCH_MAX 200
#define HS_SEARCH_CAP 10000
#define HS_LINK_TYPES 4

struct hs_link {
	uint64_t to_id;
	uint8_t to_type;
	uint8_t ntypes;
	int16_t types[HS_LINK_TYPES];  /* HUBSPOT_DEFINED association type ids */
};

struct hs_record {
	uint64_t id;
	int64_t created, updated;
	int64_t archived_at;            /* 0 while live */
	json_t *props;                  /* owned: name -> string */
	struct hs_link *links;          /* owned */
	uint32_t nlinks, caplinks;
};

struct hs_strmap_slot {
	char *key;                      /* owned; NULL = empty, HS_TOMB = deleted */
	uint64_t val;
};

struct hs_strmap {
	struct hs_strmap_slot *slots;
	size_t cap, n, used;
};

struct hs_objtype {
	enum hs_type t;
	const char *name;               /* "contacts" */
	const char *type_id;            /* "0-1" */
	const char *upper;              /* "CONTACT" (messages) */
	const char *singular;           /* "contact" (association labels) */
	const char *createprop;         /* "createdate" / "hs_createdate" */
	const char *modprop;            /* "lastmodifieddate" / "hs_lastmodifieddate" */
	struct hs_record **recs;        /* sorted by id */
	size_t n, cap;
	uint64_t next_id;
	struct hs_strmap uniq;          /* "prop\x1fvalue" (lower case) -> id, live records */
	json_t *propdefs;               /* name -> property definition (wire shape) */
};

struct hs_window {                     /* rolling window of call times */
	int64_t *t;
	int cap, head, n;
};

struct hs_access {
	char token[80];
	int64_t expires;
};

struct hs_submission {
	int64_t at;                     /* submittedAt, ms */
	char id[37];                    /* conversionId */
	json_t *json;                   /* owned: the wire shape */
};

struct hs_form {
	char id[37];
	int64_t created, archived_at;   /* archived_at 0 while live */
	json_t *json;                   /* owned: the wire shape (marketing/v3) */
	struct hs_submission *subs;     /* sorted by (at, id), oldest first */
	size_t nsubs, capsubs;
};

struct sim_side {
	struct sim_opts opts;
	struct hs_objtype types[HS_NTYPES];
	char pat[64];                   /* private app token */
	char client_id[40], client_secret[40], refresh_token[48];
	struct hs_access access[32];
	int naccess;
	uint64_t tokseq;
	bool refresh_revoked;  /* /__admin/config {"revoke_refresh_token": true}: the app was uninstalled */
	bool pat_revoked;      /* {"revoke_private_app_token": true}: the private app's token was rotated */
	struct hs_window burst_pat, burst_oauth, search;
	long daily_used;
	int64_t daily_day;
	int burst_limit, search_rate, assoc_limit, token_ttl;
	long daily_limit;
	json_t *pipelines;              /* deal pipelines (wire shape) */
	json_t *owners;
	struct hs_form **forms;         /* sorted by (created, id) */
	size_t nforms, capforms;
};

/* ---- hs_store.c ---------------------------------------------------------- */
extern const char *const hs_tomb;
int hs_strmap_put(struct hs_strmap *m, const char *key, uint64_t val);
int hs_strmap_get(const struct hs_strmap *m, const char *key, uint64_t *val);
void hs_strmap_del(struct hs_strmap *m, const char *key);
void hs_strmap_free(struct hs_strmap *m);

struct hs_objtype *hs_type_find(struct sim_side *s, const char *name); /* "contacts", "0-1", "contact" */
struct hs_record *hs_rec_find(const struct hs_objtype *ot, uint64_t id);
/* Find by id string, or by a unique property (idProperty) when prop is set. */
struct hs_record *hs_rec_lookup(struct hs_objtype *ot, const char *id, const char *prop);
struct hs_record *hs_rec_new(struct hs_objtype *ot, uint64_t id, int64_t now);
/* Apply normalised properties (null values clear) and advance the modstamp. */
void hs_rec_apply(struct hs_objtype *ot, struct hs_record *r, json_t *norm, int64_t now);
void hs_rec_archive(struct hs_objtype *ot, struct hs_record *r, int64_t now);
/* The id of the live record holding unique `prop`=`value`, or 0. */
uint64_t hs_uniq_owner(const struct hs_objtype *ot, const char *prop, const char *value);
/* Wire shape; props = NULL for the type's defaults; nprops < 0 = every property. */
json_t *hs_rec_json(struct sim_side *s, const struct hs_objtype *ot, const struct hs_record *r,
		    const char *const *props, int nprops, const char *const *assoc, int nassoc);
void hs_seed(struct sim_side *s);
json_t *hs_save(struct sim_side *s);
int hs_load(struct sim_side *s, json_t *st);
void hs_admin_dump(struct sim_side *s, const char *object, struct sim_resp *resp);
void hs_store_free(struct sim_side *s);

/* ---- hs_props.c ---------------------------------------------------------- */
struct hs_verr {
	char code[32];
	char name[96];
	char message[256];
};

#define HS_MAX_VERR 16

struct hs_verrs {
	struct hs_verr v[HS_MAX_VERR];
	int n;
};

void hs_props_init(struct sim_side *s);
void hs_meta_init(struct sim_side *s);
/* HubSpot company industry value for a Salesforce industry, or NULL. */
const char *hs_industry_from_sf(const char *sf);
/* Validate `in` (name -> value) for writing; returns normalised properties
 * (new reference) or NULL with errs filled. `create` checks required ones. */
json_t *hs_props_check(struct sim_side *s, struct hs_objtype *ot, json_t *in, bool create,
		       struct hs_verrs *errs);
/* The 400 VALIDATION_ERROR body for errs (new reference). */
json_t *hs_verr_body(const struct hs_verrs *errs);
const char *hs_prop_type(const struct hs_objtype *ot, const char *name); /* NULL if unknown */
bool hs_prop_unique(const struct hs_objtype *ot, const char *name);
void hs_props_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		  struct sim_resp *resp);
void hs_pipelines_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		      struct sim_resp *resp);
void hs_owners_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		   struct sim_resp *resp);

/* ---- hs_objects.c -------------------------------------------------------- */
/* Validate properties for a write to `self` (NULL = a new record) and check
 * unique values against the store and against `batch` (keys of this batch's
 * earlier inputs; may be NULL). 0 with *norm set, or the HTTP status with
 * *err set to the error body (new reference). */
int hs_write_check(struct sim_side *s, struct hs_objtype *ot, struct hs_record *self,
		   json_t *props, bool create, struct hs_strmap *batch, json_t **norm, json_t **err);
/* Remember this write's unique values in `batch`. */
void hs_batch_note_unique(struct hs_objtype *ot, json_t *norm, struct hs_strmap *batch);
/* The record with the written properties plus the defaults (new reference). */
json_t *hs_rec_json_written(struct sim_side *s, struct hs_objtype *ot, struct hs_record *r, json_t *norm);
void hs_batch_api(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
		  const char *op, struct sim_resp *resp);
void hs_objects_api(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
		    const char *rest, struct sim_resp *resp);
/* Create or update one record from a {properties:{}} input as a user would. */
void hs_admin_records(struct sim_side *s, const char *method, const char *object,
		      const char *id, json_t *body, struct sim_resp *resp);

/* ---- hs_search.c --------------------------------------------------------- */
enum hs_op {
	HS_EQ, HS_NEQ, HS_LT, HS_LTE, HS_GT, HS_GTE, HS_BETWEEN, HS_IN, HS_NOT_IN,
	HS_HAS, HS_NOT_HAS, HS_CONTAINS, HS_NOT_CONTAINS, HS_NOPS
};
enum hs_kind { HS_KIND_STRING, HS_KIND_NUMBER, HS_KIND_TIME, HS_KIND_BOOL };

struct hs_filter {
	char prop[96];
	enum hs_op op;
	enum hs_kind kind;
	const char *value, *high;       /* borrowed from the request or vbuf/hbuf */
	char vbuf[48], hbuf[48];
	double num, numhigh;
	const char **values;            /* owned array of borrowed strings */
	double *nums;                   /* owned */
	size_t nvalues;
};

enum hs_kind hs_kind_of(const char *prop_type);
/* Compile a filter object; 0 or -EINVAL with a message in err. */
int hs_filter_compile(json_t *jf, enum hs_kind kind, struct hs_filter *f, char *err, size_t errlen);
/* Does a record's value (NULL when unset) pass the filter? */
bool hs_filter_match(const struct hs_filter *f, const char *value);
/* The same for a number or time (ms) that is known to be set. */
bool hs_filter_match_num(const struct hs_filter *f, double n);
void hs_filter_release(struct hs_filter *f);
/* Number (or ms since the epoch for times) of a value; false if it has none. */
bool hs_value_num(enum hs_kind kind, const char *v, double *out);
void hs_search_api(struct sim_side *s, const struct sim_req *req, struct hs_objtype *ot,
		   struct sim_resp *resp);

/* ---- hs_assoc.c ---------------------------------------------------------- */
/* Default (HUBSPOT_DEFINED, unlabelled) type id from one object type to another, 0 if none. */
int hs_assoc_default_type(enum hs_type from, enum hs_type to);
/* Associate both ways; -ENOSPC when the per-record limit would be passed. */
int hs_assoc_add(struct sim_side *s, struct hs_objtype *fot, struct hs_record *from,
		 struct hs_objtype *tot, struct hs_record *to, int type_id);
void hs_assoc_remove(struct sim_side *s, struct hs_objtype *fot, struct hs_record *from,
		     struct hs_objtype *tot, uint64_t to_id);
/* {"companies":{"results":[{"id":"7","type":"contact_to_company"}]}} for the asked types. */
json_t *hs_assoc_json(struct sim_side *s, const struct hs_objtype *ot, const struct hs_record *r,
		      const char *const *types, int ntypes);
/* Apply a create's "associations": [{to:{id}, types:[...]}] to r, or only
 * check them when r is NULL; 0, or the HTTP status with *errbody set. */
int hs_assoc_apply_inputs(struct sim_side *s, struct hs_objtype *ot, struct hs_record *r,
			  json_t *assocs, json_t **errbody);
void hs_assoc_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		  struct sim_resp *resp);
void hs_assoc_objects_api(struct sim_side *s, const struct sim_req *req, const char *rest,
			  struct sim_resp *resp);

/* ---- hs_auth.c ----------------------------------------------------------- */
/* Authenticate and rate-limit an API call; 0 to go on, or -EACCES / -EAGAIN
 * with the error already in resp. Adds the X-HubSpot-RateLimit-* headers. */
int hs_auth_check(struct sim_side *s, const struct sim_req *req, bool search, struct sim_resp *resp);
/* The install flow's authorize page (app.hubspot.com/oauth/authorize in
 * production): approves at once and redirects with the demo code. */
void hs_oauth_authorize(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp);
void hs_oauth_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		  struct sim_resp *resp);
void hs_auth_init(struct sim_side *s);
void hs_auth_free(struct sim_side *s);
int hs_admin_config(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp);

/* ---- hs_forms_store.c ---------------------------------------------------- */
#define HS_PORTAL_ID 4410001

/* Order of (time, uuid) keys: forms by creation, submissions by submittedAt. */
int hs_form_key_cmp(int64_t a_at, const char *a_id, int64_t b_at, const char *b_id);
/* Index of the first form / submission whose key is >= (at, id). */
size_t hs_forms_lower(const struct sim_side *s, int64_t at, const char *id);
size_t hs_subs_lower(const struct hs_form *f, int64_t at, const char *id);
struct hs_form *hs_form_find(struct sim_side *s, const char *id); /* archived ones too */
/* Add a form (def stolen); NULL without memory or without name and formType. */
struct hs_form *hs_form_add(struct sim_side *s, const char *id, int64_t created, json_t *def);
/* Record a submission (values stolen); with sorted = false the caller sorts
 * every form's submissions afterwards with hs_forms_sort(). */
int hs_form_record(struct hs_form *f, const char *cid, int64_t at, json_t *values,
		   const char *page_url, bool sorted);
void hs_forms_sort(struct sim_side *s);
/* Fill a create input's missing configuration, display and legal-consent
 * options and its field groups' and fields' missing members. */
void hs_form_fill_defaults(json_t *def);
/* A form definition (wire shape without id, times, archived) with HubSpot's
 * defaults for `name` and one field group per contact property in `fields`
 * (the first one, "email", required); new reference. */
json_t *hs_form_def(struct sim_side *s, const char *name, const char *const *fields, int nfields);
/* Apply `norm` (may be NULL) and the conversion properties of a submission
 * of `form_name` at `at` to contact r, modified at `now`. */
void hs_contact_converted(struct sim_side *s, struct hs_record *r, json_t *norm,
			  const char *form_name, int64_t at, int64_t now);
json_t *hs_forms_save(struct sim_side *s);
int hs_forms_load(struct sim_side *s, json_t *forms);
/* Admin dump of "forms" / "form_submissions"; false for other objects. */
bool hs_forms_dump(struct sim_side *s, const char *object, struct sim_resp *resp);
void hs_forms_free(struct sim_side *s);

/* ---- hs_forms.c ------------------------------------------------------------ */
/* Is this a forms path (marketing/v3/forms, form-integrations, submissions)? */
bool hs_forms_path(const char *path);
void hs_forms_api(struct sim_side *s, const struct sim_req *req, struct sim_resp *resp);

/* ---- hs_forms_submit.c ------------------------------------------------------ */
/* POST /submissions/v3/integration[/secure]/submit/{portalId}/{formGuid};
 * rest = "{portalId}/{formGuid}". Only the secure one checks the token. */
void hs_forms_submit(struct sim_side *s, const struct sim_req *req, const char *rest, bool secure,
		     struct sim_resp *resp);

/* ---- errors (hs_main.c) ------------------------------------------------------ */
json_t *hs_err_body(const char *category, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void hs_error(struct sim_resp *resp, int status, const char *category, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A StandardError for a batch's errors[] (new reference). */
json_t *hs_std_error(const char *category, const char *message, json_t *context);
/* Parse a request body as a JSON object; on failure sends the real 400. */
json_t *hs_parse_body(const struct sim_req *req, struct sim_resp *resp);
void hs_label(struct sim_resp *resp, const struct sim_req *req, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void hs_iso(int64_t ms, char *buf);   /* buf >= 32 */

#endif
