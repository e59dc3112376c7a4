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
};

int engine_new(struct engine **out, struct config *cfg, struct store *store,
	       const struct engine_opts *opts);
void engine_free(struct engine *e);

/* Run one cycle over every enabled object. 0: everything written or
 * recorded as a sync error; 1: some object did not finish (paused by the
 * budget, a service unreachable, stopped): its cursors did not move;
 * negative errno: the cycle could not run at all. */
int engine_cycle(struct engine *e);

#endif
