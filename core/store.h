/*
 * store.h - the state store: one SQLite file (WAL) shared by crmsyncd and the
 * crmsync CLI. It holds the id map, the base values of the 3-way merge, the
 * cursors, the API-call ledger, small settings, the sync-error store and its
 * history, resync requests, the notifier schedule and the last cycle of each
 * object. It is the only code that speaks SQL, and it never holds a secret.
 *
 * Conventions: actions return 0 or a negative errno, lookups -ENOENT when
 * nothing matches; a failure is logged once here, with the database path,
 * and callers only pass the code up. Database failures map to -EBUSY (locked
 * past the busy timeout), -ENOSPC (disk or file size full), -EIO (I/O error),
 * STORE_ECORRUPT (damaged or not a database), -ENOTSUP (schema newer than
 * this build). Times are milliseconds since the epoch (UTC).
 *
 * Every call outside store_begin()/store_commit() is its own durable
 * transaction; inside, nothing is visible to other connections, nor durable,
 * before store_commit(). After a failed call inside a transaction, roll back.
 */
#ifndef CRMSYNC_STORE_H
#define CRMSYNC_STORE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <crmsync/plugin.h>

#ifdef EUCLEAN
#define STORE_ECORRUPT EUCLEAN   /* "structure needs cleaning" */
#else
#define STORE_ECORRUPT EIO
#endif

struct store;

/* ---- opening ------------------------------------------------------------ */

enum {
	STORE_READONLY = 1 << 0,   /* the CLI's read-only commands: no create, no migration */
};

/* Open (creating it with mode 0600 unless STORE_READONLY) the state file at
 * path and bring its schema up to date in one transaction. Refuses a file
 * written by a newer crmsync (-ENOTSUP), a SQLite file of another program
 * (-EINVAL) and a damaged one (STORE_ECORRUPT), saying what to do. */
int store_open(struct store **out, const char *path, int flags);
void store_close(struct store *s);                 /* NULL is fine */
const char *store_path(const struct store *s);
/* The schema version this build writes, and the one of the open file. */
int store_schema_latest(void);
int store_schema_version(struct store *s);
/* How long a call waits for another connection's write lock (default 5 s). */
void store_set_busy_timeout(struct store *s, int ms);

/* ---- transactions ------------------------------------------------------- */

/* BEGIN IMMEDIATE: takes the write lock now (waiting up to the busy timeout),
 * so that a transaction never fails half-way on a lock. -EALREADY when one is
 * open. store_commit() is durable (synchronous=FULL) when it returns 0. */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);   /* no-op when none is open */
int store_in_transaction(struct store *s);   /* predicate */

/* ---- id map ------------------------------------------------------------- */

#define STORE_EXT_ID_LEN 32      /* 128 random bits, lowercase hex */
#define STORE_ID_MAX 64          /* longest record id kept (bytes) */
#define STORE_TYPE_MAX 80        /* longest Salesforce sObject type name */

/* One pair: a HubSpot record and its Salesforce record of one object
 * component. Empty strings stand for "not known (yet)". */
struct store_pair {
	int64_t id;                          /* the pair's own id, for base values */
	char ext_id[STORE_EXT_ID_LEN + 1];   /* crmsync's external id, never empty */
	char hs_id[STORE_ID_MAX + 1];
	char sf_type[STORE_TYPE_MAX + 1];    /* "Lead", "Contact", ... */
	char sf_id[STORE_ID_MAX + 1];
	int64_t updated_at;
	int64_t deleted_at;                  /* 0 unless tombstoned */
};

/* A fresh external id: 32 lowercase hex digits from the kernel's CSPRNG. */
int store_new_ext_id(char out[STORE_EXT_ID_LEN + 1]);

/* Record that a pair exists: finds the pair by ext_id, else hs_id, else
 * sf_id (any may be NULL, not all) and fills in the ids it lacks, or creates
 * it (with a new ext_id when ext_id is NULL). -EEXIST when the ids given
 * belong to two different pairs, or would change an id already set. pair_id
 * may be NULL. */
int store_idmap_put(struct store *s, const char *object, const char *hs_id,
		    const char *sf_type, const char *sf_id, const char *ext_id,
		    int64_t *pair_id);
/* Before a create call: the pair of the source record (side, id) with the
 * external id the create must carry. Returns the existing pair when there is
 * one, so a replay after a crash re-sends the same external id (as an
 * upsert) instead of creating a second record. `sf_type` is the type the
 * create targets or comes from (may be NULL). */
int store_idmap_pending(struct store *s, const char *object, enum crmsync_side side,
			const char *id, const char *sf_type, struct store_pair *out);
/* Lookups: 0 and *out, or -ENOENT. Tombstoned pairs are found too. */
int store_idmap_by_hs(struct store *s, const char *object, const char *hs_id,
		      struct store_pair *out);
int store_idmap_by_sf(struct store *s, const char *object, const char *sf_id,
		      struct store_pair *out);
int store_idmap_by_ext(struct store *s, const char *object, const char *ext_id,
		       struct store_pair *out);
/* Pairs still waiting for one remote id (a create not yet confirmed), for
 * the engine to re-send after a restart. cb returning non-zero stops the
 * walk and becomes the result. */
typedef int (*store_pair_cb)(const struct store_pair *p, void *arg);
int store_idmap_list_pending(struct store *s, const char *object, store_pair_cb cb, void *arg);
/* A pair whose record was deleted on one side: kept (so it is not created
 * again), marked with when. -ENOENT for an unknown pair. */
int store_idmap_tombstone(struct store *s, int64_t pair_id, int64_t when_ms);
/* Point a pair at another Salesforce record (a Lead converted into a
 * Contact). -EEXIST when that record already belongs to another pair,
 * -ENOENT for an unknown pair. */
int store_idmap_rekey_sf(struct store *s, int64_t pair_id, const char *sf_type, const char *sf_id);
/* Forget a pair and its base values. */
int store_idmap_delete(struct store *s, int64_t pair_id);

/* ---- base values (the last synced value of every mapped field) ---------- */

struct store_field {
	char *name;
	char *value;                          /* NULL: the field was empty */
};
struct store_fields {
	struct store_field *f;
	size_t n;
};
/* -ENOENT when the pair has no base yet. *out is the caller's, released
 * with store_fields_release(). */
int store_base_get(struct store *s, int64_t pair_id, struct store_fields *out);
/* Replace the pair's base with these n fields (values may be NULL). */
int store_base_put(struct store *s, int64_t pair_id, const char *const *names,
		   const char *const *values, size_t n);
void store_fields_release(struct store_fields *f);
/* 1 and *value (borrowed, may be NULL) when the field is there, else 0. */
int store_fields_find(const struct store_fields *f, const char *name, const char **value);

/* ---- cursors (opaque strings per object and side) ----------------------- */

/* 0 and *out (caller frees), or -ENOENT when none was stored yet. */
int store_cursor_get(struct store *s, const char *object, enum crmsync_side side, char **out);
int store_cursor_put(struct store *s, const char *object, enum crmsync_side side,
		     const char *cursor);

/* ---- small settings ----------------------------------------------------- */

/* salesforce.daily_limit, salesforce.allocation, pause state ... Keys that
 * name a secret (password, token, secret, credential) are refused: -EPERM. */
int store_kv_put(struct store *s, const char *key, const char *value);
int store_kv_get(struct store *s, const char *key, char **out);   /* caller frees; -ENOENT */
int store_kv_del(struct store *s, const char *key);
int store_kv_get_int(struct store *s, const char *key, int64_t *out);

/* Copies of a HubSpot feed's records (form submissions) as read, kept until
 * they sync: a feed cannot be read again by id. get: caller frees; -ENOENT. */
int store_feed_put(struct store *s, const char *object, const char *hs_id, const char *body);
int store_feed_get(struct store *s, const char *object, const char *hs_id, char **body);
int store_feed_del(struct store *s, const char *object, const char *hs_id);

/* The services' metadata by key ("salesforce.describe.Lead"): get gives the
 * body (caller frees) when fetched at or after min_fetched_at, else -ENOENT;
 * clear forgets `key`, or all of it (NULL), so the next cycle reads it again. */
int store_meta_put(struct store *s, const char *key, const char *body);
int store_meta_get(struct store *s, const char *key, int64_t min_fetched_at, char **body);
int store_meta_clear(struct store *s, const char *key);

/* ---- the API-call ledger ------------------------------------------------- */

/* Calls are counted in one-minute buckets per side and endpoint class;
 * buckets older than 48 h are pruned as time moves on. */
#define STORE_LEDGER_KEEP_MS (48LL * 3600 * 1000)
int store_ledger_add(struct store *s, enum crmsync_side side, int64_t when_ms,
		     int64_t n_calls, const char *endpoint_class);
/* Calls in the buckets from the one holding since_ms on: at most a minute
 * more than exactly since_ms, never less (the budget errs on the safe side). */
int store_ledger_sum(struct store *s, enum crmsync_side side, int64_t since_ms, int64_t *out);
int store_ledger_prune(struct store *s, int64_t before_ms);

/* ---- sync errors ---------------------------------------------------------- */

struct store_detail {
	const char *key, *value;
};
struct store_ref {
	enum crmsync_side side;
	const char *object;   /* for Salesforce, the sObject type */
	const char *id;
};

#define STORE_RAW_MAX 4096        /* raw responses are cut to this */

/* One sync error. As input to store_error_upsert() the pointers are borrowed;
 * as output they are owned by the store until the callback returns, or by
 * the caller of store_error_get() until store_error_release(). */
struct store_error {
	int64_t id;
	const char *object;          /* object component ("contact") */
	enum crmsync_side side;      /* the side that refused the write */
	const char *hs_id;           /* may be NULL */
	const char *sf_type, *sf_id; /* may be NULL */
	const char *code;            /* cause: the service's code (and field) */
	const char *type;            /* the resolver's error type ("duplicate") */
	const char *message, *raw, *hint;
	const struct store_detail *details;
	size_t ndetails;
	const struct store_ref *affected;   /* records held back by this one */
	size_t naffected;
	enum crmsync_retry retry;
	int64_t next_retry_at;       /* 0: none */
	int64_t attempts;            /* automatic retries made */
	int64_t count;               /* times seen */
	int64_t created_at, last_seen;   /* upsert: last_seen 0 = now */
	/* history only */
	int64_t resolved_at;
	const char *how;
	void *priv_;                 /* the store's allocations */
};

/* Insert, or when the same (object, side, hs_id, sf_id, code) is already
 * current, update it: count + 1, last_seen, message, details, hint, retry;
 * affected records are merged. *id (may be NULL) gets the error's id. */
int store_error_upsert(struct store *s, const struct store_error *e, int64_t *id);
typedef int (*store_error_cb)(const struct store_error *e, void *arg);
/* Current errors of one type (NULL: all), oldest first. */
int store_error_list(struct store *s, const char *type, store_error_cb cb, void *arg);
/* Current errors with an id above after_id (new since a notifier's watermark). */
int store_error_list_since(struct store *s, int64_t after_id, store_error_cb cb, void *arg);
/* Current errors with an automatic retry due (next_retry_at <= now). */
int store_error_list_due(struct store *s, int64_t now_ms, store_error_cb cb, void *arg);
int store_error_get(struct store *s, int64_t id, struct store_error *out);   /* -ENOENT */
void store_error_release(struct store_error *e);
/* An automatic retry was made: attempts + 1 and the next one (0: none). */
int store_error_retried(struct store *s, int64_t id, int64_t next_retry_at);

struct store_error_count {
	char type[32];
	int64_t errors;     /* current errors */
	int64_t records;    /* distinct records affected, held-back ones included */
};
/* One entry per type that has current errors, by type name; *out is the
 * caller's (free()). */
int store_error_counts(struct store *s, struct store_error_count **out, size_t *n);
/* Move an error to history with when and how ("synced", "resync", "record
 * deleted" ...). -ENOENT when it is not current. */
int store_error_resolve(struct store *s, int64_t id, int64_t when_ms, const char *how);
/* A record synced: move its current errors (by HubSpot or Salesforce id)
 * last seen before seen_before to history with `how`. *n (may be NULL) gets
 * how many. */
int store_error_resolve_record(struct store *s, const char *object, const char *hs_id,
			       const char *sf_id, int64_t seen_before, int64_t when_ms, const char *how,
			       size_t *n);
/* The same, only for errors where `side` refused (CRMSYNC_SIDE_NONE: any). */
int store_error_resolve_record_side(struct store *s, const char *object, const char *hs_id,
				    const char *sf_id, enum crmsync_side side, int64_t seen_before,
				    int64_t when_ms, const char *how, size_t *n);
/* The object's setup passed: move its current errors that name no record
 * (mapping and metadata problems) last seen before seen_before to history. */
int store_error_resolve_setup(struct store *s, const char *object, int64_t seen_before,
			      int64_t when_ms, const char *how, size_t *n);
/* A record held back because of another (its partner has not synced): list
 * `ref` as affected on every current error of that other record (object,
 * by HubSpot or Salesforce id). *n (may be NULL) gets how many errors. */
int store_error_add_affected_of_record(struct store *s, const char *object, const char *hs_id,
				       const char *sf_id, const struct store_ref *ref, size_t *n);
/* Resolved errors of one type (NULL: all), most recent first; at most limit
 * (0: all). */
int store_error_history(struct store *s, const char *type, size_t limit,
			store_error_cb cb, void *arg);

/* ---- resync requests (the CLI writes, the daemon takes) ------------------ */

#define STORE_RESYNC_MAX 100     /* errors per request */

/* Ask for these current errors to be retried now. -E2BIG past
 * STORE_RESYNC_MAX ids, -ENOENT (nothing queued) when an id is not a current
 * error. An error already waiting is not queued twice. */
int store_resync_request(struct store *s, const int64_t *ids, size_t n, int64_t now_ms);
/* The same for the oldest current errors of one type not already waiting,
 * at most STORE_RESYNC_MAX: *queued of them, *remaining left for another
 * request (either may be NULL). */
int store_resync_request_type(struct store *s, const char *type, int64_t now_ms,
			      size_t *queued, size_t *remaining);
struct store_resync {
	int64_t request_id, error_id;
};
/* Claim up to max waiting requests (and requests claimed more than lease_ms
 * ago, whose taker died) in one transaction; out holds max entries. */
int store_resync_take(struct store *s, int64_t now_ms, int64_t lease_ms,
		      struct store_resync *out, size_t max, size_t *n);
/* Finished with a request (0 also when it went with its resolved error). */
int store_resync_done(struct store *s, int64_t request_id);
int store_resync_pending(struct store *s, int64_t *n);   /* waiting or claimed */

/* ---- notifier schedule --------------------------------------------------- */

struct store_notify {
	int64_t last_digest_at, next_digest_at;   /* 0: never / not planned */
	int64_t failures;                         /* consecutive failed sends */
	char last_error[256];                     /* "": none; longer ones are cut */
	int64_t watermark;                        /* highest error id already notified */
};
int store_notify_get(struct store *s, const char *channel, struct store_notify *out);  /* -ENOENT */
int store_notify_put(struct store *s, const char *channel, const struct store_notify *n);

/* ---- cycle reports ------------------------------------------------------- */

struct store_cycle {
	char object[64];
	int64_t started_at, finished_at;   /* finished 0: running, or died */
	int64_t n_read, n_written, n_failed;
	char status[32];                   /* "ok", "partial", "failed", "paused" */
	char message[256];
};
int store_cycle_put(struct store *s, const struct store_cycle *c);
int store_cycle_get(struct store *s, const char *object, struct store_cycle *out);  /* -ENOENT */
typedef int (*store_cycle_cb)(const struct store_cycle *c, void *arg);
int store_cycle_list(struct store *s, store_cycle_cb cb, void *arg);

/* ---- misc ---------------------------------------------------------------- */

int64_t store_now_ms(void);

#endif
