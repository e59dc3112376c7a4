/*
 * other.c - the resolver of last resort: accepts every failure no other
 * resolver claimed, keeps the code, the HTTP status, the message and the raw
 * response (cut to raw_max bytes) so the admin or a bug report has the
 * evidence. Transient failures (row locks, 5xx, rate limits) are retried on
 * schedule; anything else waits for a resync, so an unknown permanent error
 * does not burn API calls every 20 minutes. Claims no codes by default.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "other"
#define TRUNCATED_MARK "…[truncated]"

/* Per instance: the parsed options. */
struct other_ctx {
	int64_t raw_max;
};

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {NULL};

static const struct crmsync_option options[] = {
	{"raw_max", CRMSYNC_OPT_INT, 0, "4096", offsetof(struct other_ctx, raw_max),
	 "bytes of the raw response kept with the error", NULL, 256, 65536},
	{NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0},
};

/* Codes that go away by themselves: locks, service trouble, rate limits. */
static const char *const transient[] = {
	"UNABLE_TO_LOCK_ROW", "UNKNOWN_EXCEPTION", "SERVER_UNAVAILABLE", "REQUEST_LIMIT_EXCEEDED",
	"hubspot:RATE_LIMITS", "hubspot:RATE_LIMIT", "hubspot:INTERNAL_ERROR", NULL,
};

static int is_transient(const struct crmsync_failure *f)
{
	if (ru_match_any(f, transient))
		return 1;
	return f->http_status == 408 || f->http_status == 429 || f->http_status >= 500;
}

/* A copy of raw cut to at most max bytes on a UTF-8 boundary, with a mark;
 * the caller frees it. */
static char *truncate_raw(const char *raw, size_t max)
{
	size_t len = strlen(raw), keep, mark = sizeof(TRUNCATED_MARK) - 1;
	char *out;

	if (len <= max)
		return strdup(raw);
	keep = max > mark ? max - mark : 0;
	while (keep && ((unsigned char)raw[keep] & 0xc0) == 0x80)
		keep--;
	out = malloc(keep + mark + 1);
	if (!out)
		return NULL;
	memcpy(out, raw, keep);
	memcpy(out + keep, TRUNCATED_MARK, mark + 1);
	return out;
}

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	const struct other_ctx *c = ctx;
	size_t max = c && c->raw_max > 0 ? (size_t)c->raw_max : 4096;
	char status[16] = "", corr[RU_SHORT] = "", sub[RU_SHORT], hint[RU_LONG];
	const char *side, *subcode = NULL, *code;
	char *raw = NULL;
	int transient_err, err = 0;

	(void)inst;
	if (!f || !diag || !host)
		return -EINVAL;
	side = f->side == CRMSYNC_SIDE_HUBSPOT ? "HubSpot"
	       : f->side == CRMSYNC_SIDE_SALESFORCE ? "Salesforce" : "the service";
	code = ru_nonempty(f->code) ? f->code : "(none)";
	if (f->side == CRMSYNC_SIDE_HUBSPOT) {
		subcode = ru_hubspot_subcode(f, sub, sizeof(sub));
		if (!ru_json_scalar(f->raw, "correlationId", corr, sizeof(corr)))
			corr[0] = '\0';
	} else {
		subcode = f->subcode;
	}
	if (f->http_status > 0)
		snprintf(status, sizeof(status), "%d", f->http_status);
	if (f->raw) {
		raw = truncate_raw(f->raw, max);
		if (!raw)
			return -ENOMEM;
	}
	transient_err = is_transient(f);

	ru_detail(host, diag, "code", code, &err);
	ru_detail(host, diag, "subcode", subcode, &err);
	ru_detail(host, diag, "status", status, &err);
	ru_detail(host, diag, "side", side, &err);
	ru_detail(host, diag, "message", f->message, &err);
	ru_detail(host, diag, "correlation_id", corr, &err);
	ru_detail(host, diag, "raw", raw, &err);
	free(raw);

	if (ru_code_matches(f, "UNABLE_TO_LOCK_ROW"))
		snprintf(hint, sizeof(hint),
			 "Salesforce could not lock the record because another job (a data load, a flow "
			 "or another integration) was updating it at the same time. crmsync retries "
			 "automatically; if this keeps coming back, schedule the other job at another "
			 "time. No action is needed otherwise.");
	else if (ru_code_matches(f, "REQUEST_LIMIT_EXCEEDED") || f->http_status == 429)
		snprintf(hint, sizeof(hint),
			 "%s refused the call because an API limit was reached (%s). crmsync retries "
			 "automatically once calls are available; if this happens often, %s.",
			 side, f->message ? f->message : code,
			 f->side == CRMSYNC_SIDE_HUBSPOT
				 ? "lower the number of objects synced at once or buy HubSpot's API "
				   "limit increase"
				 : "raise the API allocation in the [salesforce] settings or ask "
				   "Salesforce for a higher daily limit");
	else if (transient_err)
		snprintf(hint, sizeof(hint),
			 "%s had a temporary problem (%s%s%s). crmsync retries automatically; if it "
			 "persists for hours, check %s's status page and send the raw response%s%s to "
			 "support.",
			 side, code, status[0] ? ", HTTP " : "", status, side,
			 corr[0] ? " and correlation id " : "", corr);
	else
		snprintf(hint, sizeof(hint),
			 "crmsync does not know %s error %s%s%s%s. Read the message (\"%s\") and the raw "
			 "response in the details, fix the record or the setting it names, then resync. "
			 "If it is unclear, report it with the raw response%s%s so a resolver can learn it.",
			 side, code, status[0] ? " (HTTP " : "", status, status[0] ? ")" : "",
			 f->message ? f->message : "none", corr[0] ? " and correlation id " : "", corr);
	return ru_finish(host, diag, TYPE, hint,
			 transient_err ? CRMSYNC_RETRY_SCHEDULE : CRMSYNC_RETRY_NEVER, err);
}

static const struct crmsync_resolver_ops resolver_ops = {
	sizeof(struct crmsync_resolver_ops), 0, sizeof(struct other_ctx), options,
	NULL, NULL, TYPE, codes, classify,
};

static int plugin_init(const struct crmsync_host *h)
{
	if (!h || h->size < RU_HOST_MIN_SIZE)
		return -EINVAL;
	host = h;
	return 0;
}

static void plugin_fini(void)
{
	host = NULL;
}

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER, "other", VERSION,
	"keeps unknown sync errors with their raw response; retries transient ones", plugin_init,
	plugin_fini, NULL, &resolver_ops, NULL,
};
