/*
 * dispatch.c - classify a failed write with the configured resolvers and
 * record it in the error store. A resolver's bug (no type set) never loses
 * the error: it falls through to `other`, and failing that to a built-in
 * "other" classification with the raw response.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "dispatch.h"
#include "log.h"
#include "record.h"
#include "store.h"
#include "util.h"

#define RETRY_SPACING_MS (20LL * 60 * 1000)
#define RETRY_FAST_TRIES 10
#define DAY_MS (24LL * 3600 * 1000)

int64_t dispatch_next_retry(enum crmsync_retry retry, int64_t attempts, int64_t now_ms)
{
	if (retry != CRMSYNC_RETRY_SCHEDULE)
		return 0;
	if (attempts < RETRY_FAST_TRIES)
		return now_ms + RETRY_SPACING_MS;
	/* nightly: the next 02:00 UTC */
	return (now_ms / DAY_MS + 1) * DAY_MS + 2 * 3600 * 1000;
}

/* "hubspot:CATEGORY:SUB", "hubspot:CATEGORY", or the Salesforce code. */
static void code_keys(const struct failed_write *fw, char keys[3][160], int *n)
{
	*n = 0;
	if (fw->side == CRMSYNC_SIDE_HUBSPOT) {
		if (fw->subcode && *fw->subcode)
			snprintf(keys[(*n)++], 160, "hubspot:%s:%s", fw->code, fw->subcode);
		snprintf(keys[(*n)++], 160, "hubspot:%s", fw->code);
	} else {
		snprintf(keys[(*n)++], 160, "%s", fw->code);
	}
}

static int try_resolver(struct crmsync_instance *inst, const struct crmsync_failure *f,
			struct crmsync_diagnosis *d)
{
	int rc;

	if (!inst->plugin || !inst->plugin->resolver.classify || !inst->initialized)
		return CRMSYNC_DECLINED;
	diag_release(d);
	rc = inst->plugin->resolver.classify(inst, inst->ctx, f, d);
	if (rc == CRMSYNC_HANDLED && !d->type)
		d->type = xstrdup(inst->plugin->resolver.type ? inst->plugin->resolver.type : "other");
	return rc;
}

static struct crmsync_instance *resolver_named(struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ninst; i++)
		if (cfg->inst[i]->kind == KIND_RESOLVER && strcmp(cfg->inst[i]->name, name) == 0)
			return cfg->inst[i];
	return NULL;
}

static int classify(struct config *cfg, const struct failed_write *fw, struct crmsync_diagnosis *d)
{
	struct crmsync_failure f = { 0 };
	char keys[3][160];
	int nkeys;

	f.size = sizeof(f);
	f.side = fw->side;
	f.http_status = fw->http_status;
	f.object = fw->object;
	f.code = fw->code;
	f.subcode = fw->subcode;
	f.message = fw->message;
	f.fields = fw->fields;
	f.raw = fw->raw;
	f.hubspot = fw->hubspot;
	f.salesforce = fw->salesforce;
	code_keys(fw, keys, &nkeys);

	/* 1. the [dispatch] table, most specific key first */
	for (int k = 0; k < nkeys; k++) {
		for (size_t i = 0; i < cfg->ndispatch; i++) {
			struct crmsync_instance *inst;

			if (strcmp(cfg->dispatch[i].code, keys[k]) != 0)
				continue;
			inst = resolver_named(cfg, cfg->dispatch[i].resolver);
			if (inst && try_resolver(inst, &f, d) == CRMSYNC_HANDLED)
				return 0;
		}
	}
	/* 2. resolvers claiming the code */
	for (int k = 0; k < nkeys; k++) {
		for (size_t i = 0; i < cfg->ninst; i++) {
			struct crmsync_instance *inst = cfg->inst[i];

			if (inst->kind != KIND_RESOLVER || !inst->plugin)
				continue;
			for (const char *const *c = inst->plugin->resolver.codes; c && *c; c++)
				if (strcmp(*c, keys[k]) == 0 && try_resolver(inst, &f, d) == CRMSYNC_HANDLED)
					return 0;
		}
	}
	/* 3. every resolver, `other` last */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < cfg->ninst; i++) {
			struct crmsync_instance *inst = cfg->inst[i];
			int is_other;

			if (inst->kind != KIND_RESOLVER || !inst->plugin)
				continue;
			is_other = inst->plugin->resolver.type &&
				   strcmp(inst->plugin->resolver.type, "other") == 0;
			if (is_other != pass)
				continue;
			if (try_resolver(inst, &f, d) == CRMSYNC_HANDLED)
				return 0;
		}
	}
	/* no resolver configured or none took it: keep it as `other` */
	diag_release(d);
	d->type = xstrdup("other");
	d->hint = xstrdup("crmsync has no resolver for this error; read the service's message and "
			  "the raw response, fix the record, then resync it");
	d->retry = CRMSYNC_RETRY_NEVER;
	return 0;
}

int dispatch_failure(struct config *cfg, struct store *store, const struct failed_write *fw,
		     const char **type_out)
{
	static char last_type[64];
	struct crmsync_diagnosis d = { 0 };
	struct store_error e = { 0 };
	struct store_detail *details = NULL;
	struct store_ref *refs = NULL;
	/* the retry schedule runs on the daemon clock, which tests can move */
	int64_t now = clock_now_ms();
	int err;

	classify(cfg, fw, &d);
	details = xcalloc(d.ndetails + 1, sizeof(*details));
	for (size_t i = 0; i < d.ndetails; i++) {
		details[i].key = d.details[i].key;
		details[i].value = d.details[i].value;
	}
	refs = xcalloc(d.naffected + 1, sizeof(*refs));
	for (size_t i = 0; i < d.naffected; i++) {
		refs[i].side = d.affected[i].side;
		refs[i].object = d.affected[i].object;
		refs[i].id = d.affected[i].id;
	}
	e.object = fw->object;
	e.side = fw->side;
	e.hs_id = fw->hs_id;
	e.sf_type = fw->sf_type;
	e.sf_id = fw->sf_id;
	e.code = fw->code;
	e.type = d.type;
	e.message = fw->message;
	e.raw = fw->raw;
	e.hint = d.hint;
	e.details = details;
	e.ndetails = d.ndetails;
	e.affected = refs;
	e.naffected = d.naffected;
	e.retry = d.retry;
	e.next_retry_at = dispatch_next_retry(d.retry, 0, now);
	err = store_error_upsert(store, &e, NULL);
	snprintf(last_type, sizeof(last_type), "%s", d.type ? d.type : "other");
	if (type_out)
		*type_out = last_type;
	free(details);
	free(refs);
	diag_release(&d);
	return err;
}
