/*
 * retry.c - failed records come back: the ones an admin asked to resync
 * (`crmsync resync`, a queue in the state store) and the ones whose
 * automatic retry is due (~20 minutes apart ten times, then nightly; not
 * while the API budget is nearly spent). Their records are read again by id
 * and join the cycle as if they had changed, so they go through the same
 * match, merge and write as any other change; a record that then syncs
 * clears its errors (push.c), one that fails again updates them.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "dispatch.h"
#include "engine_priv.h"
#include "log.h"

#define RESYNC_LEASE_MS (15LL * 60 * 1000)   /* a taker that died frees its claim */
#define RETRY_MAX_PER_CYCLE 1000

static struct retry_item *item_add(struct engine *e, const struct store_error *err)
{
	struct retry_item *it;

	for (size_t i = 0; i < e->nretries; i++)
		if (e->retries[i].error_id == err->id)
			return &e->retries[i];
	e->retries = xrealloc(e->retries, (e->nretries + 1) * sizeof(*e->retries));
	it = &e->retries[e->nretries++];
	memset(it, 0, sizeof(*it));
	it->error_id = err->id;
	snprintf(it->object, sizeof(it->object), "%s", err->object ? err->object : "");
	snprintf(it->hs_id, sizeof(it->hs_id), "%s", err->hs_id ? err->hs_id : "");
	snprintf(it->sf_type, sizeof(it->sf_type), "%s", err->sf_type ? err->sf_type : "");
	snprintf(it->sf_id, sizeof(it->sf_id), "%s", err->sf_id ? err->sf_id : "");
	it->attempts = err->attempts;
	it->retry = err->retry;
	return it;
}

static int on_due(const struct store_error *err, void *arg)
{
	struct engine *e = arg;

	if (e->nretries >= RETRY_MAX_PER_CYCLE)
		return 1;
	item_add(e, err)->scheduled = 1;
	return 0;
}

int retry_collect(struct engine *e)
{
	struct store_resync rs[STORE_RESYNC_MAX];
	char why[256];
	size_t n = 0, nsched;
	int err;

	if (e->opts.dry_run)
		return 0;
	/* the admin's requests first: they are few and someone is waiting */
	err = store_resync_take(e->store, store_now_ms(), RESYNC_LEASE_MS, rs, STORE_RESYNC_MAX, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct store_error se;

		if (store_error_get(e->store, rs[i].error_id, &se)) {
			/* resolved since it was asked for: nothing to do */
			store_resync_done(e->store, rs[i].request_id);
			continue;
		}
		item_add(e, &se)->request_id = rs[i].request_id;
		store_error_release(&se);
	}
	if (n) {
		log_notice("resync: %zu record%s asked for by the admin", n, n == 1 ? "" : "s");
		/* the admin may have fixed a field or a permission: look again */
		store_meta_clear(e->store, NULL);
	}
	if (!budget_retries_allowed(e->store, e->cfg->sf.api_allocation, why, sizeof(why))) {
		log_info("automatic retries of failed records wait: %s", why);
		return 0;
	}
	nsched = e->nretries;
	err = store_error_list_due(e->store, clock_now_ms(), on_due, e);
	if (err == 1)
		err = 0;
	nsched = e->nretries - nsched;
	if (nsched)
		log_info("retrying %zu failed record%s on their schedule", nsched, nsched == 1 ? "" : "s");
	return err;
}

static int on_hs_retry(struct sync_obj *o, json_t *j, void *arg)
{
	(void)arg;
	return on_hs_record(j, o);
}

int retry_pull(struct sync_obj *o)
{
	struct engine *e = o->e;
	char **hs = xcalloc(e->nretries + 1, sizeof(char *));
	char **sf = xcalloc(e->nretries + 1, sizeof(char *));
	struct pull_ctx *pcs = NULL;
	struct sf_lookups l = { 0 };
	size_t nhs = 0, total = 0;
	int err;

	for (size_t i = 0; i < e->nretries; i++) {
		struct retry_item *it = &e->retries[i];

		if (strcmp(it->object, o->inst->name) != 0)
			continue;
		it->seen = 1;
		total++;
		if (it->hs_id[0] && !strmap_get(&o->by_hs, it->hs_id))
			hs[nhs++] = it->hs_id;
	}
	if (!total)
		goto out;
	err = hs_read_by(o, NULL, hs, nhs, on_hs_retry, NULL);
	if (err)
		goto fail;
	pcs = pull_ctxs(o);
	for (size_t k = 0; k < o->nsfo; k++) {
		size_t n = 0;

		for (size_t i = 0; i < e->nretries; i++) {
			struct retry_item *it = &e->retries[i];

			if (it->seen && strcmp(it->object, o->inst->name) == 0 && it->sf_id[0] &&
			    strcmp(it->sf_type, o->sfo[k].name) == 0 && !strmap_get(&o->by_sf, it->sf_id))
				sf[n++] = it->sf_id;
		}
		lookups_add(&l, &o->sfo[k], "Id", sf, n, &pcs[k]);
	}
	err = lookups_run(o, &l, on_sf_record);
	lookups_release(&l);
	if (err)
		goto fail;
	log_info("%s: %zu failed record%s read again for a retry", o->inst->tag, total,
		 total == 1 ? "" : "s");
out:
	free(pcs);
	free(hs);
	free(sf);
	return 0;
fail:
	free(pcs);
	free(hs);
	free(sf);
	return err;
}

/* After the object's cycle: a record that is gone on both sides takes its
 * error with it; a scheduled retry that failed again moves to its next
 * slot; an admin's request is done. */
void retry_finish(struct sync_obj *o, int ok)
{
	struct engine *e = o->e;
	int64_t now = clock_now_ms();

	for (size_t i = 0; i < e->nretries; i++) {
		struct retry_item *it = &e->retries[i];
		struct unit *u = NULL;
		struct store_error se;

		if (!it->seen || it->finished || strcmp(it->object, o->inst->name) != 0)
			continue;
		if (!ok)
			continue; /* the claim lapses and the next cycle takes it again */
		it->finished = 1;
		if (it->hs_id[0])
			u = strmap_get(&o->by_hs, it->hs_id);
		if (!u && it->sf_id[0])
			u = strmap_get(&o->by_sf, it->sf_id);
		if ((it->hs_id[0] || it->sf_id[0]) && (!u || (!u->hs && !u->sf)))
			store_error_resolve(e->store, it->error_id, 0, "record no longer exists");
		else if (it->scheduled && store_error_get(e->store, it->error_id, &se) == 0) {
			store_error_retried(e->store, it->error_id,
					    dispatch_next_retry(se.retry, se.attempts + 1, now));
			store_error_release(&se);
		}
		if (it->request_id)
			store_resync_done(e->store, it->request_id);
	}
}

void retry_release(struct engine *e)
{
	for (size_t i = 0; i < e->nretries; i++) {
		struct retry_item *it = &e->retries[i];

		if (it->request_id && !it->seen) {
			/* its object is not enabled: the request cannot be served */
			log_warn("resync of error %" PRId64 " dropped: object '%s' is not enabled",
				 it->error_id, it->object);
			store_resync_done(e->store, it->request_id);
		}
	}
	free(e->retries);
	e->retries = NULL;
	e->nretries = 0;
}
