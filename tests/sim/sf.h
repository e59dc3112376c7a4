/*
 * crmsync-sim, Salesforce side: private header shared by tests/sim/sf_*.c.
 *
 * The side keeps every record in memory: one array per sObject type, an id
 * hash map over all of them, and per-field hash indexes for unique/external-id
 * fields and e-mail (duplicate rules). Writes go through sf_rec_write(), which
 * runs the same checks a real org would (FLS, types, lengths, picklists,
 * lookups, required fields, unique fields, duplicate rules, validation rules,
 * flows) and can be rolled back inside a transaction (allOrNone).
 *
 * Nothing here is thread-safe: a side is only touched by its server thread.
 */
#ifndef CRMSYNC_SIM_SF_H
#define CRMSYNC_SIM_SF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "sim.h"

#define SF_VERSION "59.0"
#define SF_BASE "/services/data/v59.0"
#define SF_PAGE_MAX 2000
#define SF_COLLECTION_MAX 200
#define SF_COMPOSITE_MAX 25

/* ---- ids (sf_ids.c) -------------------------------------------------- */

/* Compute the 3-char case-safe suffix of a 15-char id into out[0..2]. */
void sf_id_suffix(const char *id15, char out[3]);
/* Normalise a 15- or 18-char id into an 18-char one (out: 19 bytes).
 * Returns 0, or -EINVAL when it is not a well-formed id. */
int sf_id_norm(const char *in, char out[19]);
/* Make the id number n for a 3-char key prefix (out: 19 bytes). */
void sf_id_make(const char *prefix, uint64_t n, char out[19]);

/* ---- a small string hash map (sf_map.c) ------------------------------ */

struct sf_map;
struct sf_map *sf_map_new(void);
void sf_map_free(struct sf_map *m, void (*free_val)(void *));
void *sf_map_get(const struct sf_map *m, const char *key);
int sf_map_put(struct sf_map *m, const char *key, void *val);
void *sf_map_del(struct sf_map *m, const char *key);

/* A vector of records, the value type of field indexes. */
struct sf_rec;
struct sf_vec {
	struct sf_rec **v;
	size_t n, cap;
};
int sf_vec_push(struct sf_vec *v, struct sf_rec *r);
void sf_vec_remove(struct sf_vec *v, const struct sf_rec *r);
void sf_vec_free(void *v);

/* ---- schema (sf_schema.c) -------------------------------------------- */

enum sf_type {
	SF_T_ID, SF_T_STRING, SF_T_TEXTAREA, SF_T_EMAIL, SF_T_PHONE, SF_T_URL,
	SF_T_PICKLIST, SF_T_MULTIPICKLIST, SF_T_COMBOBOX, SF_T_BOOLEAN, SF_T_INT,
	SF_T_DOUBLE, SF_T_CURRENCY, SF_T_PERCENT, SF_T_DATE, SF_T_DATETIME,
	SF_T_REFERENCE
};

#define SF_F_NIL    0x0001u /* nillable */
#define SF_F_CRE    0x0002u /* createable (by nature) */
#define SF_F_UPD    0x0004u /* updateable (by nature) */
#define SF_F_DEF    0x0008u /* defaulted on create */
#define SF_F_UNQ    0x0010u /* unique */
#define SF_F_EXT    0x0020u /* external id */
#define SF_F_NAME   0x0040u /* name field */
#define SF_F_RPL    0x0080u /* restricted picklist */
#define SF_F_CUST   0x0100u /* custom (__c) */
#define SF_F_CALC   0x0200u /* formula / derived */
#define SF_F_IDL    0x0400u /* idLookup */
#define SF_F_FLSRO  0x0800u /* integration user may read but not edit (FLS) */
#define SF_F_CODE   0x1000u /* state/country code field (integrity checked) */
#define SF_F_RW     (SF_F_NIL | SF_F_CRE | SF_F_UPD)

struct sf_field {
	char *name;
	char *label;
	enum sf_type type;
	int length;
	unsigned flags;
	char **picklist;  /* owned */
	size_t npicklist;
	char *refs;       /* "Account" or "Contact,Lead"; NULL if not a lookup */
	char *rel;        /* relationship name or NULL */
	struct sf_map *idx; /* lower(value) -> struct sf_vec, when indexed */
};

enum sf_obj_id {
	SF_LEAD, SF_CONTACT, SF_ACCOUNT, SF_OPPORTUNITY, SF_OCR, SF_TASK, SF_EVENT,
	SF_USER, SF_NOBJ
};

#define SF_P_CREATE 1u
#define SF_P_EDIT   2u
#define SF_P_DELETE 4u

struct sf_object {
	enum sf_obj_id kind;
	const char *name, *label, *plural, *prefix;
	struct sf_field *fields; /* owned */
	size_t nfields;
	struct sf_map *by_name;  /* lower(field name) -> struct sf_field */
	unsigned perms;          /* integration user's object permissions */
	struct sf_rec **recs;    /* every record, insertion order */
	size_t nrecs, cap;
	uint64_t next_id;
	int64_t describe_ms;     /* last schema change, for If-Modified-Since */
};

struct sf_field *sf_field_find(const struct sf_object *o, const char *name);
struct sf_object *sf_object_find(struct sim_side *s, const char *name);
/* Build the field tables from the built-ins plus config (custom fields,
 * permissions, picklist overrides). Returns 0 or -errno. */
int sf_schema_build(struct sim_side *s);
void sf_schema_free(struct sim_side *s);
/* Apply config changes that do not alter the set of fields. */
void sf_schema_apply_perms(struct sim_side *s);
const char *sf_type_name(enum sf_type t);
bool sf_field_is_text(const struct sf_field *f);
/* Country/state tables for state and country picklists. */
const char *sf_country_name(const char *code);
const char *sf_country_code(const char *name);
const char *sf_state_name(const char *country, const char *code);
const char *sf_state_code(const char *country, const char *name);
bool sf_country_has_states(const char *code);
size_t sf_country_list(const char *const **codes);
size_t sf_state_list(const char *const **codes);

/* ---- records and transactions (sf_store.c) ---------------------------- */

struct sf_rec {
	char id[19];
	struct sf_object *obj;
	json_t *f;           /* field name -> value; nulls are absent */
	int64_t created_ms, modstamp_ms, deleted_ms;
	bool deleted;
	bool dead;           /* rolled back: not reachable any more */
};

struct sf_rec *sf_rec_get(struct sim_side *s, const char *id);
/* A new modstamp: now, strictly after the previous one. */
int64_t sf_stamp(struct sim_side *s);
/* Insert a fully built record (takes f); NULL on allocation failure. */
struct sf_rec *sf_rec_insert(struct sim_side *s, struct sf_object *o, json_t *f,
			     int64_t created, int64_t modstamp);
/* Replace the fields of r (takes f) and advance its modstamp. */
void sf_rec_replace(struct sim_side *s, struct sf_rec *r, json_t *f, int64_t stamp);
void sf_rec_soft_delete(struct sim_side *s, struct sf_rec *r, int64_t stamp);
/* Records of o whose indexed field has this value (case-insensitive). */
const struct sf_vec *sf_index_lookup(const struct sf_field *f, const char *value);
void sf_index_add(struct sf_rec *r);
void sf_index_remove(struct sf_rec *r);
void sf_store_free(struct sim_side *s);

/* Transactions nest; the outermost end commits or rolls back. */
size_t sf_txn_begin(struct sim_side *s);
void sf_txn_end(struct sim_side *s, size_t mark, bool commit);

/* ---- errors ------------------------------------------------------------ */

struct sf_err {
	int status;          /* HTTP status for a single-record call */
	char code[64];
	char msg[512];
	json_t *fields;      /* array of names, owned; may be NULL */
	json_t *extra;       /* more keys of the error object (duplicateResult), owned; may be NULL */
};
void sf_err_set(struct sf_err *e, int status, const char *code, const char *field,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void sf_err_clear(struct sf_err *e);
/* REST shape: [{"message","errorCode","fields"}] (new reference). */
json_t *sf_err_rest(const struct sf_err *e);
/* Collections shape: {"statusCode","message","fields"} (new reference). */
json_t *sf_err_item(const struct sf_err *e);
json_t *sf_error_body(const char *code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- writes with the org's rules (sf_rules.c, sf_write.c) -------------- */

#define SF_W_ADMIN     1u /* a user in the UI: no FLS, system fields allowed */
#define SF_W_ALLOWSAVE 2u /* Sforce-Duplicate-Rule-Header: allowSave=true */
#define SF_W_RAW       4u /* generator/loader: no rules at all */

/* Create (r == NULL) or update r with the fields of in. On success *out is the
 * record and 0 is returned; on failure e is filled and -EINVAL returned. */
int sf_rec_write(struct sim_side *s, struct sf_object *o, struct sf_rec *r,
		 json_t *in, unsigned wflags, struct sf_rec **out, struct sf_err *e);
/* Computed and defaulted fields of merged values m (in = what was sent). */
void sf_derive(struct sim_side *s, struct sf_object *o, json_t *m, json_t *in, bool create);
int sf_rec_delete(struct sim_side *s, struct sf_rec *r, unsigned wflags, struct sf_err *e);
/* Convert a lead (admin); opts may name accountId/contactId. */
int sf_lead_convert(struct sim_side *s, struct sf_rec *lead, json_t *opts, struct sf_err *e);
/* State and country/territory picklists: fill code <-> name pairs of the
 * merged values m from what in set, or fail with FIELD_INTEGRITY_EXCEPTION. */
int sf_address_check(struct sim_side *s, struct sf_object *o, json_t *m, json_t *in,
		     struct sf_err *e);
/* Run the org's rules (duplicate, validation, flows) on the merged values. */
int sf_rules_check(struct sim_side *s, struct sf_object *o, struct sf_rec *self,
		   json_t *merged, unsigned wflags, struct sf_err *e);
/* Wire shape of a record (new reference); fields == NULL means every field. */
json_t *sf_rec_json(struct sim_side *s, const struct sf_rec *r, json_t *fields);
json_t *sf_rec_value(const struct sf_rec *r, const struct sf_field *f);
/* Upsert one record by an external id field (or Id); shared by the REST,
 * collections and bulk paths. Returns 1 = created, 0 = updated, -EEXIST =
 * several matches (*matches set), -EINVAL = e filled. */
int sf_upsert_one(struct sim_side *s, struct sf_object *obj, const struct sf_field *f,
		  const char *value, json_t *body, unsigned wflags, struct sf_rec **out,
		  struct sf_err *e, const struct sf_vec **matches);

/* ---- SOQL (sf_soql.c) -------------------------------------------------- */

struct soql_query;
/* Parse and bind q against the schema. On error returns NULL and fills e
 * (MALFORMED_QUERY / INVALID_FIELD / INVALID_TYPE, message like the real one). */
struct soql_query *soql_parse(struct sim_side *s, const char *q, struct sf_err *e);
void soql_free(struct soql_query *q);
/* Run it: matching records (sorted, limited) into *out (malloc'd). */
int soql_run(struct sim_side *s, struct soql_query *q, bool all_rows,
	     struct sf_rec ***out, size_t *n);
bool soql_is_count(const struct soql_query *q);
struct sf_object *soql_object(const struct soql_query *q);
/* Project one record on the select list (new reference). */
json_t *soql_project(struct sim_side *s, const struct soql_query *q, const struct sf_rec *r);
/* Column names in select order (borrowed). */
size_t soql_columns(const struct soql_query *q, const char *const **names);

/* ---- the request being served ----------------------------------------- */

struct sf_call {
	const char *method;
	const char *path;        /* after the host: /services/data/v59.0/... */
	json_t *args;            /* query-string arguments: name -> string */
	const char *body;
	size_t body_len;
	const char *content_type;
	const char *query_options; /* Sforce-Query-Options */
	const char *dup_header;    /* Sforce-Duplicate-Rule-Header */
	const char *if_modified_since;
	bool internal;           /* composite subrequest: no auth/limit accounting */
};

/* The answer of one call; the dispatcher copies it into a sim_resp. */
struct sf_out {
	int status;
	json_t *json;            /* owned; NULL for no body */
	char *raw;               /* owned raw body (CSV), when json is NULL */
	size_t raw_len;
	const char *raw_type;
	char *hname[6], *hvalue[6];
	int nh;
	char endpoint[96];
};
void sf_out_json(struct sf_out *o, int status, json_t *body);
void sf_out_err(struct sf_out *o, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sf_out_header(struct sf_out *o, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void sf_out_free(struct sf_out *o);
const char *sf_arg(const struct sf_call *c, const char *name);
unsigned sf_call_wflags(const struct sf_call *c);
json_t *sf_parse_body(const struct sf_call *c, struct sf_out *o);

/* Route one call (paths below SF_BASE); used by the side and by composite. */
void sf_route(struct sim_side *s, const struct sf_call *c, struct sf_out *o);

/* Endpoint groups; each fills o (and o->endpoint). rest = path after SF_BASE. */
void sf_auth_token(struct sim_side *s, const struct sim_req *req, int org, struct sim_resp *resp);
/* The user index of a live access token for org, or -EACCES. */
int sf_auth_check(struct sim_side *s, const char *authz, int org);
void sf_query_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
		     struct sf_out *o);
void sf_replication_handle(struct sim_side *s, const struct sf_call *c,
			   struct sf_object *obj, bool deleted, struct sf_out *o);
void sf_records_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
		       struct sf_out *o);
void sf_collections_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
			   struct sf_out *o);
void sf_composite_handle(struct sim_side *s, const struct sf_call *c, struct sf_out *o);
void sf_describe_handle(struct sim_side *s, const struct sf_call *c, struct sf_object *obj,
			struct sf_out *o);
void sf_describe_global(struct sim_side *s, struct sf_out *o);
json_t *sf_describe_json(struct sim_side *s, struct sf_object *obj);
void sf_bulk_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
		    struct sf_out *o);
void sf_limits_handle(struct sim_side *s, struct sf_out *o);

/* ---- CSV for Bulk API 2.0 (sf_csv.c) ------------------------------------ */

int sf_csv_row(const char **pp, const char *end, char delim, json_t **row);
int sf_csv_put(char **buf, size_t *len, size_t *cap, const char *v, bool quote);

/* ---- data generation, admin, persistence ------------------------------ */

int sf_generate(struct sim_side *s);
void sf_admin_dump(struct sim_side *s, const char *object, struct sim_resp *resp);
void sf_admin_records(struct sim_side *s, const char *method, const char *object,
		      const char *id, json_t *body, struct sim_resp *resp);
int sf_admin_other(struct sim_side *s, const struct sim_req *req, const char *what,
		   struct sim_resp *resp);
json_t *sf_save(struct sim_side *s);
int sf_load(struct sim_side *s, json_t *state);
void sf_bulk_free(struct sim_side *s);
void sf_cursors_free(struct sim_side *s);

/* ---- crypto helpers for OAuth (sf_auth.c) ----------------------------- */

void sf_sha256(const unsigned char *data, size_t len, unsigned char out[32]);
void sf_hmac_sha256(const unsigned char *key, size_t klen, const unsigned char *msg,
		    size_t mlen, unsigned char out[32]);
void sf_base64(const unsigned char *in, size_t len, char *out, size_t outlen);

/* ---- the side itself ---------------------------------------------------- */

struct sf_token {
	char tok[96];
	int64_t expires_ms;
	int user;                   /* index into sim_side.users */
	int org;                    /* SF_ORG_PRODUCTION or SF_ORG_SANDBOX */
};

/* ---- users, orgs and OAuth flows (sf_oauth.c) --------------------------- */

/* Two orgs share the records (a full-copy sandbox made when the simulator
 * started) but have their own org ids, login hosts and sessions: the sandbox
 * is served under the path prefix /sandbox (its login and instance URL). */
enum { SF_ORG_PRODUCTION = 0, SF_ORG_SANDBOX = 1 };
#define SF_SANDBOX_PREFIX "/sandbox"

/* A user crmsync may connect as; its permissions override the org's
 * field_permissions/object_permissions (config "users", or the defaults). */
struct sf_user {
	char username[96], name[96], id[19];
	int org;
	json_t *fls, *ops;          /* owned; may be NULL */
};

struct sf_refresh {
	char tok[96];
	int user;
	bool revoked;
};

struct sf_code {
	char code[48];
	int user, org;
	char challenge[96];
	char redirect[256];
	int64_t expires_ms;
	bool used;
};
#define SF_MAX_CODES 16

int sf_users_init(struct sim_side *s);
void sf_users_free(struct sim_side *s);
int sf_user_find(struct sim_side *s, const char *username);
/* Make user u the one whose permissions describe and writes apply. */
void sf_user_activate(struct sim_side *s, int u);
/* A new refresh token for user u (out: 96 bytes); -ENOMEM. */
int sf_refresh_issue(struct sim_side *s, int u, char *out, size_t len);
/* The user of a live refresh token, or -ENOENT. */
int sf_refresh_lookup(struct sim_side *s, const char *tok);
void sf_refresh_revoke(struct sim_side *s, const char *tok);
/* The login/instance URL of an org (out: 256 bytes). */
void sf_org_url(struct sim_side *s, int org, char *out, size_t len);
const char *sf_org_id(struct sim_side *s, int org);
void sf_oauth_authorize(struct sim_side *s, const struct sim_req *req, int org,
			struct sim_resp *resp);
void sf_identity(struct sim_side *s, const struct sim_req *req, int org, struct sim_resp *resp);
/* Admin POST /__admin/auth keys beyond the session ones. */
void sf_oauth_admin(struct sim_side *s, json_t *body);
json_t *sf_oauth_admin_json(struct sim_side *s);
json_t *sf_oauth_save(struct sim_side *s);
void sf_oauth_load(struct sim_side *s, json_t *st);
/* Token endpoint grants beyond refresh_token/client_credentials. */
int sf_grant_code(struct sim_side *s, const struct sim_req *req, int org, int *user,
		  struct sim_resp *resp);
int sf_grant_jwt(struct sim_side *s, const struct sim_req *req, int org, int *user,
		 struct sim_resp *resp);
void sf_base64url(const unsigned char *in, size_t len, char *out, size_t outlen);
int sf_form_get(const char *body, size_t len, const char *name, char *out, size_t outlen);
void sf_oauth_error(struct sim_resp *resp, int status, const char *err, const char *desc);

struct sf_cursor;
struct sf_job;
struct sf_undo;

struct sim_side {
	struct sim_opts opts;
	char *base_url;
	uint64_t rng;
	struct sf_object objs[SF_NOBJ];
	struct sf_map *ids;         /* id -> struct sf_rec */
	int64_t last_stamp;
	int64_t started_ms;
	long api_used, api_max;
	struct sf_token *tokens;
	size_t ntokens, captokens;
	char org_id[19], user_id[19];  /* the org; the integration user */
	char admin_id[19];             /* the user that edits through admin */
	char client_id[64], client_secret[64], refresh_token[96], username[64];
	bool refresh_revoked;
	char sandbox_org_id[19];
	struct sf_user *users;
	size_t nusers;
	int cur_user;               /* whose permissions are applied */
	int approve_user;           /* who the authorize endpoint signs in */
	bool rotate_refresh;        /* refresh-token rotation on */
	struct sf_refresh *refresh;
	size_t nrefresh, caprefresh;
	struct sf_code codes[SF_MAX_CODES];
	size_t next_code;
	char *jwt_cert;             /* PEM public key for the JWT bearer flow */
	json_t *config;             /* rules, permissions, custom fields */
	struct sf_cursor *cursors;  /* linked list, newest first */
	size_t ncursors;
	uint64_t next_cursor, next_job;
	struct sf_job *jobs;
	struct sf_undo *undo;
	size_t nundo, capundo;
	int txn_depth;
	struct sf_rec **graveyard;  /* rolled-back records (freed at destroy) */
	size_t ngrave, capgrave;
};

/* Config accessors (sf_config.c). */
json_t *sf_config_default(void);
int sf_config_merge(json_t *dst, json_t *src);
json_t *sf_config_get(struct sim_side *s, const char *key);

#endif
