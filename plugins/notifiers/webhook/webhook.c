/*
 * webhook - a notifier that POSTs each message as JSON to a URL, signed
 * with HMAC-SHA256 over the exact body bytes (the receiver's side of the
 * scheme is in plugins/notifiers/README.md). The request goes through the
 * host's HTTP (TLS verification, timeouts, its own short retries). Must not
 * log the secret, nor the URL beyond its host: URLs often carry tokens.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <crmsync/plugin.h>

#include "../common/hmac_sha256.h"
#include "../common/notify_util.h"

#define WEBHOOK_VERSION "0.1.0"
#define DELIVERY_ID_BYTES 16

static const struct crmsync_host *host;

struct webhook_ctx {
	char *url;                /* owned by the daemon */
	char *secret;             /* owned by the daemon, wiped by it after fini */
	int64_t timeout_ms;
	char host[256];           /* the URL's host, the only part we log */
};

static const struct crmsync_option webhook_options[] = {
	{ "url", CRMSYNC_OPT_STRING, CRMSYNC_OPT_REQUIRED, NULL, offsetof(struct webhook_ctx, url),
	  "where to POST: https://..., or http:// to a loopback host", NULL, 0, 0 },
	{ "secret_file", CRMSYNC_OPT_STRING, CRMSYNC_OPT_REQUIRED | CRMSYNC_OPT_SECRET, NULL,
	  offsetof(struct webhook_ctx, secret),
	  "the shared HMAC-SHA256 signing secret", NULL, 0, 0 },
	{ "timeout", CRMSYNC_OPT_DURATION, 0, "10s", offsetof(struct webhook_ctx, timeout_ms),
	  "how long one POST may take", NULL, 1000, 300000 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static int webhook_init(struct crmsync_instance *inst, void *vctx)
{
	struct webhook_ctx *ctx = vctx;
	const char *why;

	if (url_check_http(ctx->url, ctx->host, sizeof(ctx->host), &why)) {
		/* the URL may hold a token: say what is wrong, not what it is */
		host->log(inst, CRMSYNC_LOG_ERR, "option 'url' is refused: %s", why);
		return -EINVAL;
	}
	if (strlen(ctx->secret) < 16)
		host->log(inst, CRMSYNC_LOG_WARNING,
			  "the secret in 'secret_file' is shorter than 16 bytes: receivers cannot "
			  "rely on the signature");
	return 0;
}

static json_t *json_str(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;

	/* not UTF-8: send it replaced rather than not at all */
	return v ? v : json_string(s ? "(text that is not valid UTF-8)" : "");
}

static json_t *entries_json(const struct crmsync_message *msg)
{
	json_t *arr = json_array();

	if (msg->kind != CRMSYNC_MSG_DIGEST)
		return arr;
	for (const struct crmsync_digest_entry *const *e = msg->entries; e && *e; e++) {
		json_t *ex = json_array();

		for (const char *const *x = (*e)->examples; x && *x; x++)
			json_array_append_new(ex, json_str(*x));
		json_array_append_new(
			arr, json_pack("{s:o,s:I,s:I,s:I,s:o}", "type", json_str((*e)->type),
				       "new_errors", (json_int_t)(*e)->new_errors,
				       "current_errors", (json_int_t)(*e)->current_errors,
				       "records_affected", (json_int_t)(*e)->records_affected,
				       "examples", ex));
	}
	return arr;
}

/* The JSON body, compact; the caller frees it with free(). */
static char *build_body(const struct crmsync_message *msg, int64_t now_s, const char *delivery)
{
	json_t *root, *period = json_null();
	char *text;

	if (msg->kind == CRMSYNC_MSG_DIGEST || msg->period_start_ms || msg->period_end_ms) {
		char start[32], end[32];

		format_iso8601(msg->period_start_ms, start, sizeof(start));
		format_iso8601(msg->period_end_ms, end, sizeof(end));
		json_decref(period);
		period = json_pack("{s:s,s:s}", "start", start, "end", end);
	}
	root = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:s}",
			 "kind", msg->kind == CRMSYNC_MSG_DIGEST ? "digest" : "event",
			 "severity", severity_name(msg->severity),
			 "subject", json_str(msg->subject),
			 "body", json_str(msg->body),
			 "period", period,
			 "entries", entries_json(msg),
			 "timestamp", (json_int_t)now_s,
			 "delivery", delivery);
	if (!root)
		return NULL;
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

/* Map the receiver's answer to an outcome. */
static int classify(struct crmsync_instance *inst, struct webhook_ctx *ctx, int status)
{
	if (status >= 200 && status < 300)
		return CRMSYNC_HANDLED;
	if (status == 408 || status == 429 || status >= 500) {
		host->log(inst, CRMSYNC_LOG_WARNING, "'%s' answered HTTP %d: will retry", ctx->host,
			  status);
		return CRMSYNC_RETRY;
	}
	if (status == 401 || status == 403) {
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'%s' refused the message with HTTP %d: check that the receiver uses the "
			  "same secret as 'secret_file' and that the clocks agree", ctx->host, status);
		return -EACCES;
	}
	host->log(inst, CRMSYNC_LOG_ERR, "'%s' refused the message with HTTP %d: not retrying",
		  ctx->host, status);
	return status == 404 || status == 410 ? -ENOENT : -EPROTO;
}

static int webhook_deliver(struct crmsync_instance *inst, void *vctx,
			   const struct crmsync_message *msg)
{
	struct webhook_ctx *ctx = vctx;
	int64_t now_s = host->now_ms() / 1000;
	uint8_t mac[SHA256_DIGEST_SIZE];
	char delivery[2 * DELIVERY_ID_BYTES + 1], sig[SHA256_HEX_SIZE];
	char h_sig[96], h_ts[64], h_del[96];
	const char *headers[6];
	struct crmsync_http_response *resp = NULL;
	char *body;
	int err;

	err = random_hex(delivery, DELIVERY_ID_BYTES);
	if (err) {
		host->log(inst, CRMSYNC_LOG_ERR, "cannot make a delivery id: %s", strerror(-err));
		return CRMSYNC_RETRY;
	}
	body = build_body(msg, now_s, delivery);
	if (!body) {
		host->log(inst, CRMSYNC_LOG_ERR, "cannot encode the message as JSON");
		return -ENOMEM;
	}
	hmac_sha256(ctx->secret, strlen(ctx->secret), body, strlen(body), mac);
	hex_encode(mac, sizeof(mac), sig);
	snprintf(h_sig, sizeof(h_sig), "X-Crmsync-Signature: sha256=%s", sig);
	snprintf(h_ts, sizeof(h_ts), "X-Crmsync-Timestamp: %lld", (long long)now_s);
	snprintf(h_del, sizeof(h_del), "X-Crmsync-Delivery: %s", delivery);
	headers[0] = "Content-Type: application/json";
	headers[1] = h_sig;
	headers[2] = h_ts;
	headers[3] = h_del;
	headers[4] = "User-Agent: crmsync/" PACKAGE_VERSION;
	headers[5] = NULL;

	err = post_body(host, inst, ctx->url, ctx->host, headers, body, ctx->timeout_ms, &resp);
	free(body);
	if (err)
		return err;
	err = classify(inst, ctx, host->http_status(resp));
	host->http_free(resp);
	return err;
}

static int webhook_plugin_init(const struct crmsync_host *h)
{
	host = h;
	return 0;
}

static const struct crmsync_notifier_ops webhook_ops = {
	.size = sizeof(struct crmsync_notifier_ops),
	.ctx_size = sizeof(struct webhook_ctx),
	.options = webhook_options,
	.init = webhook_init,
	.deliver = webhook_deliver,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"webhook",
	WEBHOOK_VERSION,
	"posts sync-health messages and digests as signed JSON to a URL",
	webhook_plugin_init,
	NULL,
	NULL,
	NULL,
	&webhook_ops,
};
