/*
 * engine.h - one sync cycle: for each enabled object, in dependency order,
 * pull both sides since their cursors, match (id map, then the object
 * plugin's de-duplication key), merge field by field against the last synced
 * values, push in batches at each API's maximum, and record the results.
 */
#ifndef CRMSYNC_ENGINE_H
#define CRMSYNC_ENGINE_H

#include <stdio.h>

struct config;
struct engine;
struct store;

struct engine_opts {
	int dry_run;          /* compute the plan, write nothing */
	FILE *plan;           /* where the dry-run plan goes (stdout) */
	volatile int *stop;   /* set by SIGTERM: finish the batch in flight, then stop */
	int fresh_metadata;   /* read describes and property lists again (a reload) */
};

int engine_new(struct engine **out, struct config *cfg, struct store *store,
	       const struct engine_opts *opts);
void engine_free(struct engine *e);

/* Run one cycle over every enabled object. 0: everything written or
 * recorded as a sync error; 1: some object did not finish (paused by the
 * budget, a service unreachable, stopped): its cursors did not move;
 * negative errno: the cycle could not run at all. */
int engine_cycle(struct engine *e);

struct crmsync_instance;
/* What an object instance pairs: its plugin's static HubSpot object,
 * Salesforce objects and default mapping file name, as the plugin's
 * pairing hook (ABI 1.3) may change them per instance. Borrowed. */
void object_pairing(struct crmsync_instance *inst, const char **hubspot_object,
		    const char *const **salesforce_objects, const char **default_mapping);
/* When the pairing hook names another default mapping and the INI sets no
 * `mapping`, point the instance at that file in the mappings directory. */
void object_use_pairing_mapping(struct config *cfg, struct crmsync_instance *inst);
/* An object's instances in dependency order (enabled objects only); out
 * holds cfg->ninst entries. */
void engine_order_objects(struct config *cfg, struct crmsync_instance **out, size_t *n);

#endif
