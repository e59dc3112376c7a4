/*
 * budget.c - counts Salesforce calls in the store's rolling ledger and holds
 * the engine to the admin's allocation. The ledger is the truth (several
 * processes share it); this file only adds a small cache so that a sync of
 * many batches does not sum the ledger before every call.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define DAY_MS (24LL * 3600 * 1000)
#define RETRY_CAP_NO_ALLOCATION 5000
#define SLOW_SHARE 0.8        /* past this share of the allocation, slow down */
#define SLOW_DELAY_MS 250     /* per call while slowed */

struct budget {
	struct store *store;
	int64_t cfg_allocation;
	int64_t used;             /* ledger sum at `summed_at` plus calls since */
	int64_t summed_at;
	int slowed_logged, paused_logged;
	int pause_cleared;        /* a pause stored by an earlier run was lifted */
};

static int64_t allocation_of(struct store *store, int64_t cfg_allocation)
{
	int64_t v;

	if (store_kv_get_int(store, "salesforce.allocation", &v) == 0 && v > 0)
		return v;
	return cfg_allocation;
}

int budget_new(struct budget **out, struct store *store, int64_t allocation)
{
	struct budget *b = xcalloc(1, sizeof(*b));

	b->store = store;
	b->cfg_allocation = allocation;
	b->summed_at = -1;
	*out = b;
	return 0;
}

void budget_free(struct budget *b)
{
	free(b);
}

static void set_pause(struct budget *b, const char *reason)
{
	char *old = NULL;

	if (store_kv_get(b->store, "salesforce.paused", &old) == 0 && strcmp(old, reason) == 0) {
		free(old);
		return;
	}
	free(old);
	store_kv_put(b->store, "salesforce.paused", reason);
}

static void clear_pause(struct budget *b)
{
	store_kv_del(b->store, "salesforce.paused");
	b->paused_logged = 0;
}

int budget_take(struct budget *b, int calls, long *wait_ms)
{
	int64_t now = store_now_ms(), alloc = allocation_of(b->store, b->cfg_allocation);
	int64_t org_used = 0, org_max = 0;

	*wait_ms = 0;
	/* re-read the ledger at most once a minute: other processes count too */
	if (b->summed_at < 0 || now - b->summed_at > 60000) {
		if (store_ledger_sum(b->store, CRMSYNC_SIDE_SALESFORCE, now - DAY_MS, &b->used))
			return -EIO;
		b->summed_at = now;
	}
	if (b->used + calls > alloc) {
		char reason[200];

		snprintf(reason, sizeof(reason),
			 "the allocation of %" PRId64 " Salesforce API calls per 24 h is used up (%" PRId64
			 " used)", alloc, b->used);
		if (!b->paused_logged)
			log_warn("pausing Salesforce calls: %s; raise it with 'crmsync allocation set N' "
				 "or wait for the rolling window", reason);
		b->paused_logged = 1;
		set_pause(b, reason);
		*wait_ms = 60000;
		b->summed_at = -1;
		return -EDQUOT;
	}
	store_kv_get_int(b->store, "salesforce.org_used", &org_used);
	store_kv_get_int(b->store, "salesforce.org_max", &org_max);
	if (org_max > 0 && org_used + calls > org_max) {
		char reason[200];

		snprintf(reason, sizeof(reason),
			 "the Salesforce org has used its %" PRId64 " daily API calls", org_max);
		if (!b->paused_logged)
			log_warn("pausing Salesforce calls: %s (the integration is suspended until "
				 "Salesforce frees calls)", reason);
		b->paused_logged = 1;
		set_pause(b, reason);
		*wait_ms = 300000;
		return -EDQUOT;
	}
	if (b->paused_logged || !b->pause_cleared) {
		clear_pause(b);
		b->pause_cleared = 1;
	}
	if (b->used + calls > (int64_t)((double)alloc * SLOW_SHARE)) {
		struct timespec ts = { 0, SLOW_DELAY_MS * 1000000L };

		if (!b->slowed_logged)
			log_notice("slowing Salesforce calls: %" PRId64 " of the %" PRId64
				   " allocated calls used in the last 24 h", b->used, alloc);
		b->slowed_logged = 1;
		nanosleep(&ts, NULL);
	}
	if (store_ledger_add(b->store, CRMSYNC_SIDE_SALESFORCE, now, calls, "rest"))
		return -EIO;
	b->used += calls;
	return 0;
}

void budget_observe(struct budget *b, long used, long max)
{
	char v[32];

	snprintf(v, sizeof(v), "%ld", used);
	store_kv_put(b->store, "salesforce.org_used", v);
	snprintf(v, sizeof(v), "%ld", max);
	store_kv_put(b->store, "salesforce.org_max", v);
}

int budget_status_read(struct store *store, int64_t cfg_allocation, struct budget_status *st)
{
	char *reason = NULL;
	int err;

	memset(st, 0, sizeof(*st));
	err = store_ledger_sum(store, CRMSYNC_SIDE_SALESFORCE, store_now_ms() - DAY_MS, &st->used_24h);
	if (err)
		return err;
	st->allocation = allocation_of(store, cfg_allocation);
	store_kv_get_int(store, "salesforce.org_used", &st->org_used);
	store_kv_get_int(store, "salesforce.org_max", &st->org_max);
	if (store_kv_get(store, "salesforce.paused", &reason) == 0) {
		st->paused = 1;
		snprintf(st->reason, sizeof(st->reason), "%s", reason);
		free(reason);
	}
	return 0;
}

/*
 * Automatic retries of failed records spend calls on records that failed
 * before; they stop once 75 % of the allocation is used (5,000 calls in 24 h
 * when no allocation is set), or 75 % of the org's own limit, so that they
 * never eat into what fresh changes need. An admin's resync is not held back.
 */
int budget_retries_allowed(struct store *store, int64_t cfg_allocation, char *why, size_t len)
{
	struct budget_status st;
	int64_t cap;

	if (budget_status_read(store, cfg_allocation, &st))
		return 0;
	cap = st.allocation > 0 ? st.allocation * 3 / 4 : RETRY_CAP_NO_ALLOCATION;
	if (st.paused) {
		snprintf(why, len, "the sync is paused (%s)", st.reason);
		return 0;
	}
	if (st.used_24h >= cap) {
		snprintf(why, len, "%lld of %lld allocated calls used in 24 h (retries stop at %lld)",
			 (long long)st.used_24h, (long long)st.allocation, (long long)cap);
		return 0;
	}
	if (st.org_max > 0 && st.org_used >= st.org_max * 3 / 4) {
		snprintf(why, len, "the org has used %lld of its %lld daily calls",
			 (long long)st.org_used, (long long)st.org_max);
		return 0;
	}
	return 1;
}
