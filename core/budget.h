/*
 * budget.h - the Salesforce API budget: every call is counted in a rolling
 * 24 h ledger (in the state store) and checked against the admin's
 * allocation before it is sent; the org's own figures come from /limits and
 * the Sforce-Limit-Info header. Past 80 % of the allocation the engine slows
 * down; at 100 %, or when the org itself is out of calls, it pauses until the
 * window frees, and says why.
 */
#ifndef CRMSYNC_BUDGET_H
#define CRMSYNC_BUDGET_H

#include <stddef.h>
#include <stdint.h>

struct budget;
struct store;

/* allocation: the config's value; the store's "salesforce.allocation"
 * (set by `crmsync allocation set N`) overrides it. */
int budget_new(struct budget **out, struct store *store, int64_t allocation);
void budget_free(struct budget *b);

/* Ask for `calls` API calls now. 0: go ahead (they are counted). -EDQUOT:
 * the allocation (or the org's limit) is spent; *wait_ms says when the
 * window frees enough. */
int budget_take(struct budget *b, int calls, long *wait_ms);
/* What Salesforce reported: api-usage=used/max. */
void budget_observe(struct budget *b, long used, long max);

struct budget_status {
	int64_t used_24h;        /* calls crmsync made in the last 24 h */
	int64_t allocation;      /* what the admin allows */
	int64_t org_used, org_max; /* the org's figures, 0 when unknown */
	int paused;              /* 1 while calls are refused */
	char reason[200];        /* why it paused, when it did */
};
/* Read the figures (from the store: works for the CLI without a budget). */
int budget_status_read(struct store *store, int64_t cfg_allocation, struct budget_status *st);

/* May failed records be retried automatically now? 0 (with why) once 75 %
 * of the allocation (5,000 calls with none set) or of the org's limit is
 * used, or while paused. */
int budget_retries_allowed(struct store *store, int64_t cfg_allocation, char *why, size_t len);

#endif
