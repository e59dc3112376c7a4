/*
 * engine_priv.h - the engine's working data for one object during a cycle,
 * shared by engine.c (setup, pull, match) and push.c (plan, push, results).
 */
#ifndef CRMSYNC_ENGINE_PRIV_H
#define CRMSYNC_ENGINE_PRIV_H

#include <jansson.h>
#include <stdint.h>

#include "cfg.h"
#include "engine.h"
#include "hubspot.h"
#include "mapping.h"
#include "record.h"
#include "salesforce.h"
#include "store.h"
#include "util.h"

struct budget;

/* A failed record coming back this cycle (retry.c). */
struct retry_item {
	int64_t error_id;
	int64_t request_id;                 /* the admin's resync request, 0 if none */
	char object[64];
	char hs_id[STORE_ID_MAX + 1];
	char sf_type[STORE_TYPE_MAX + 1];
	char sf_id[STORE_ID_MAX + 1];
	int64_t attempts;
	int retry;
	int scheduled;                      /* an automatic retry (else only resync) */
	int seen, finished;                 /* its object ran / was done with it */
};

struct engine {
	struct config *cfg;
	struct store *store;
	struct engine_opts opts;
	struct budget *budget;
	struct sf_client *sf;
	struct hs_client *hs;
	int logged_in;
	/* owners: HubSpot owner id <-> Salesforce user id, through their emails
	 * (values are owned strings) */
	struct strmap owner_hs_to_sf, owner_sf_to_hs;
	int owners_loaded;
	struct retry_item *retries;         /* this cycle's resyncs and due retries */
	size_t nretries;
	int metadata_stale;                 /* a write was refused for a field: read it again */
};

/* Where one side's changes stand in this cycle's passes (engine.c). */
struct pass_side {
	long long since;         /* ms the next pass reads from; -1: the beginning */
	long long last;          /* newest change a pass took: the boundary; -1: none */
	long long keep;          /* the cursor to save for this side */
	int more;                /* this pass stopped before the end */
	int stopped;             /* some pass of this cycle did */
	int done;                /* read to the end (or past the cycle's start) */
};

/* One Salesforce object of an object component ("Lead"). */
struct sf_obj {
	char *name;
	json_t *types;           /* field name -> describe type (string) */
	json_t *usable;          /* mapped fields that passed the metadata check -> true */
	char **select;           /* SOQL field list */
	size_t nselect;
	long long cursor;        /* ms; -1: never synced */
	long long max_seen;
	struct pass_side pass;
};

enum unit_action {
	ACT_NONE = 0,
	ACT_CREATE_SF,
	ACT_CREATE_HS,
	ACT_UPDATE,
	ACT_DELETE_HS,
	ACT_SKIP
};

/* Links (ABI 1.3) sharing one Salesforce lookup field (WhatId: deal, then
 * company), in the plugin's order. */
#define LINK_GROUP_MAX 4
struct link_group {
	const char *field;
	char base_name[80];                 /* "link:AccountId" */
	const struct crmsync_link *links[LINK_GROUP_MAX];
	size_t n;
};

/* A unit's link of one group: its HubSpot association, in both id spaces,
 * and the association change queued for after the record writes. */
struct link_state {
	char *hs_id;                        /* the associated HubSpot record, or NULL */
	char *hs_sf;                        /* its Salesforce id; NULL: not synced */
	const struct crmsync_link *link;    /* the link hs_id came through */
	size_t link_index;
	int primary;
	int write_hs, failed;
	int refused;                        /* HubSpot refused it this cycle: not again */
	char *want_hs, *old_hs;             /* associate with want_hs, drop old_hs */
	const struct crmsync_link *want_link, *old_link;
};

/* A small owned list of strings. */
struct strlist {
	char **v;
	size_t n;
};

/* A unit's junction link (CRMSYNC_LINK_JUNCTION): the target records on
 * each side, and the changes queued for after the record writes. */
struct junction_state {
	struct strlist hs, hs_ids;          /* target Salesforce ids via associations; their HubSpot ids */
	struct strlist sf, sf_rows;         /* target ids of the junction rows; the rows' ids */
	struct strlist add_sf, del_sf_rows; /* rows to create (target ids) / delete (row ids) */
	struct strlist add_hs, del_hs;      /* HubSpot ids to associate / to dissociate */
	int failed;
};
#define JUNCTION_MAX 4

/* One record pair being synced this cycle. */
struct unit {
	struct store_pair pair;
	int has_pair;
	struct crmsync_record *hs, *sf;     /* current values, NULL when absent */
	long long hs_mod, sf_mod;
	int sf_deleted;
	int ambiguous;                      /* several Salesforce candidates */
	enum unit_action action;
	char sf_type[STORE_TYPE_MAX + 1];
	struct crmsync_record *out_sf, *out_hs;  /* what to write */
	/* the new merge base, one entry per active field applying to sf_type */
	char **base_names, **base_values;
	unsigned char *base_side;           /* 0: settled, 1: needs the SF write, 2: the HS write */
	size_t nbase;
	int sf_failed, hs_failed;
	int failed;                         /* some failure was recorded this cycle */
	int synced;                         /* planned for a write or found in step */
	int settle;                         /* read back after a Salesforce write */
	const char *skip_reason;
	struct link_state *ls;              /* one per link group, or NULL */
	size_t nls;
	struct junction_state *js;          /* one per junction link, or NULL */
};

/* A dry run's plan, summed over the passes. */
#define PLAN_SHOWN 20
struct plan_tally {
	long c_sf, c_hs, u_sf, u_hs, del, same, amb;
	char *shown[PLAN_SHOWN];               /* the first ambiguous matches, owned lines */
	size_t nshown;
};

struct sync_obj {
	struct engine *e;
	struct crmsync_instance *inst;
	const struct crmsync_object_ops *ops;
	struct mapping *map;
	const struct mapping_field **fields;   /* fields that passed the metadata check */
	size_t nfields;
	struct sf_obj *sfo;
	size_t nsfo;
	const char *hs_object;
	const char *const *sf_names;           /* the Salesforce objects paired */
	const char *hs_modprop;
	int feed;                              /* hs_object is a read-only feed (hs_is_feed) */
	json_t *hs_props;                      /* array of property names to read */
	long long hs_cursor, hs_max;
	struct pass_side hs_pass;
	long long pull_started;                /* ms, this host's clock; this pass */
	long long cycle_started;               /* ms, the first pass's pull_started */
	int npass;                             /* passes so far, this one included */
	long sf_taken, hs_taken;               /* changes this pass took, per side */
	/* this pass read every record of the side (a first sync that fit one
	 * pass): a partner not in memory does not exist */
	int hs_whole, sf_whole;
	struct unit **units;
	size_t nunits, capunits;
	struct strmap by_hs, by_sf;            /* id -> unit */
	long n_read, n_created_sf, n_created_hs, n_updated_sf, n_updated_hs, n_deleted,
		n_failed, n_skipped, n_ambiguous, n_resolved;
	int incomplete;                        /* some change was neither written nor recorded */
	void *priv_lookup;                     /* match.c's candidate table during a lookup */
	int settling;                          /* the read-back pass: failures are already recorded */
	struct link_group *lg;                 /* active links, by lookup field */
	size_t nlg;
	const struct crmsync_link *match_link; /* CRMSYNC_LINK_MATCH, target enabled */
	const struct crmsync_link *jl[JUNCTION_MAX]; /* CRMSYNC_LINK_JUNCTION, targets enabled */
	size_t njl;
	long n_waiting, n_associated, n_matched_links;
	struct plan_tally plan;                /* dry run only */
};

/* engine.c */
/* Does this error code say the metadata a write used was out of date? */
int metadata_code(const char *code);
struct unit *unit_add(struct sync_obj *o);
/* Does mapping line f sync on Salesforce object sf_type: it applies there,
 * and the metadata check found nothing wrong with it on that object? */
int field_in_use(const struct sync_obj *o, const struct mapping_field *f, const char *sf_type);
struct sf_obj *sync_sf_obj(struct sync_obj *o, const char *name);
const char *ext_field(const struct engine *e);
const char *ext_prop(const struct engine *e);
struct crmsync_record *record_from_sf(json_t *j, const char *type);
struct crmsync_record *record_from_hs(json_t *j, const char *object);

struct pull_ctx {
	struct sync_obj *o;
	struct sf_obj *so;
};
char *soql_select(const struct sf_obj *so);
/* Salesforce lookups by a field's values, queued per object and run
 * together (Composite folds up to five queries into one call). */
struct sf_lookups {
	char **soql;
	void **users;
	size_t n;
};
void lookups_add(struct sf_lookups *l, struct sf_obj *so, const char *field, char **vals,
		 size_t n, struct pull_ctx *pc);
/* The same with any "SELECT ... FROM ..." and any user pointer. */
void lookups_add_soql(struct sf_lookups *l, const char *select, const char *field, char **vals,
		      size_t n, void *user);
int lookups_run(struct sync_obj *o, struct sf_lookups *l, int (*cb)(json_t *, void *));
void lookups_release(struct sf_lookups *l);
struct pull_ctx *pull_ctxs(struct sync_obj *o);   /* one per Salesforce object; free() */
int hs_read_by(struct sync_obj *o, const char *id_property, char **keys, size_t n,
	       int (*cb)(struct sync_obj *, json_t *, void *), void *arg);
int on_sf_partner(json_t *j, void *user);

/* links.c */
int links_setup(struct sync_obj *o);
int links_requeue(struct sync_obj *o);
int links_match(struct sync_obj *o);
int links_read(struct sync_obj *o);
void links_stage(struct sync_obj *o, struct unit *u, int create_to_sf, int create_to_hs,
		 const struct store_fields *old);
int links_hold(struct sync_obj *o, struct unit *u);
int links_push(struct sync_obj *o);
void links_revert_failed(struct sync_obj *o, struct unit *u, const struct store_fields *old);
void links_unit_release(struct unit *u);

int on_hs_record(json_t *j, void *user);

/* retry.c */
int retry_collect(struct engine *e);
int retry_pull(struct sync_obj *o);
void retry_finish(struct sync_obj *o, int ok);
void retry_release(struct engine *e);

/* owners.c */
int owners_load(struct engine *e);
void owners_release(struct engine *e);
/* The value of an owner field in Salesforce's id space (to_sf) or HubSpot's;
 * NULL when the owner has no counterpart. Borrowed. */
const char *owner_translate(struct engine *e, const char *value, int to_sf);

/* related.c */
int related_triggers(struct sync_obj *o);
int related_attach(struct sync_obj *o);
int on_sf_record(json_t *j, void *user);

/* match.c */
int match_units(struct sync_obj *o);
int follow_conversions(struct sync_obj *o);
int fetch_partners(struct sync_obj *o);

/* push.c */
void plan_units(struct sync_obj *o);
void plan_update(struct sync_obj *o, struct unit *u);
int push_units(struct sync_obj *o);
int settle_units(struct sync_obj *o);
int resolve_synced(struct sync_obj *o);
void plan_tally(struct sync_obj *o);
void plan_print(const struct sync_obj *o, FILE *out);
void record_failure(struct sync_obj *o, struct unit *u, enum crmsync_side side, int status,
		    const char *code, const char *subcode, const char *message, const char *raw);
/* The same naming the field the failure is about. */
void record_failure_field(struct sync_obj *o, struct unit *u, enum crmsync_side side, int status,
			  const char *code, const char *subcode, const char *message, const char *raw,
			  const char *field);

#endif
