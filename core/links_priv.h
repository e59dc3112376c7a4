/*
 * links_priv.h - shared by the files of the links (ABI 1.3 struct
 * crmsync_link): links.c (setup, reading, holding back, waiting records),
 * links_write.c (merge and association writes), links_junction.c (junction
 * objects) and links_match.c (matching through partners).
 */
#ifndef CRMSYNC_LINKS_PRIV_H
#define CRMSYNC_LINKS_PRIV_H

#include <sys/types.h>

#include "engine_priv.h"

#define ASSOC_CHUNK 100                 /* HubSpot batch inputs (association writes, records) */
#define ASSOC_READ_CHUNK 1000           /* HubSpot association batch read inputs */
#define WAIT_CODE "PARTNER_NOT_SYNCED"  /* a record held back for its partner */

struct hs_error;

/* small owned string lists */
void lk_sl_add(struct strlist *l, const char *v);
void lk_sl_clear(struct strlist *l);
ssize_t lk_sl_find(const struct strlist *l, const char *v);
void lk_sl_remove_at(struct strlist *l, size_t i);
/* "a;b" base lists: membership, and a list sorted and joined (caller frees) */
int lk_in_base(const char *base, const char *id);
char *lk_sl_join_sorted(const struct strlist *l);

/* The enabled object component `name`, or NULL. */
struct crmsync_instance *lk_object_enabled(struct config *cfg, const char *name);
int lk_group_applies(const struct link_group *g, const char *sf_type);
struct link_state *lk_state_of(struct sync_obj *o, struct unit *u, size_t gi);
/* A record of the link's target in the other side's id space, through the
 * target's id map; NULL when not synced. Owned by the caller. */
char *lk_hs_to_sf(struct sync_obj *o, const struct crmsync_link *l, const char *hs_id);
char *lk_sf_to_hs(struct sync_obj *o, const struct crmsync_link *l, const char *sf_id);
/* The link of a group a Salesforce id belongs to (key prefix), or NULL. */
const struct crmsync_link *lk_link_of_sf_id(const struct link_group *g, const char *id);
/* A JSON id (string or integer) as text; buf holds the integer's. */
const char *lk_to_id_text(json_t *v, char *buf, size_t size);
/* Associations of units' HubSpot records with to_object: cb(unit, to_id,
 * is_primary) each (100 records a call). */
int lk_read_assocs(struct sync_obj *o, const char *to_object, uint32_t primary_type,
		   struct unit **units, size_t n,
		   void (*cb)(struct sync_obj *, struct unit *, const char *, int, void *), void *arg);
/* The record a HubSpot batch error names (context.fromObjectId or ids). */
const char *lk_error_record_id(json_t *e);
/* The stored base of `name` (*have: present). */
const char *lk_base_of(const struct store_fields *old, const char *name, int *have);
void lk_base_add(struct unit *u, const char *name, const char *value, int side);
int lk_same(const char *a, const char *b);

/* links_junction.c */
int lk_junction_read(struct sync_obj *o, struct unit **units, size_t n);
void lk_junction_stage(struct sync_obj *o, struct unit *u, int create_to_sf, int create_to_hs,
		       const struct store_fields *old);
int lk_junction_push(struct sync_obj *o);

#endif
