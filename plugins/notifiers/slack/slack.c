/*
 * slack - a notifier that posts each message to a Slack incoming webhook:
 * a header block with the subject, a section with the body and, for a
 * digest, one section per error type with its counts and examples. The
 * webhook URL is a credential (whoever has it can post to the channel), so
 * it is read from a secret file and only its host is ever logged.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <crmsync/plugin.h>

#include "../common/notify_util.h"

#define SLACK_VERSION "0.1.0"
/* Slack's limits (Block Kit reference): header text 150 characters,
 * section text 3000, field text 2000, 50 blocks per message. We count
 * bytes, which is stricter. */
#define HEADER_MAX 150
#define SECTION_MAX 3000
#define BLOCKS_MAX 50
#define EXAMPLES_MAX 5

static const struct crmsync_host *host;

struct slack_ctx {
	char *url;                /* from webhook_url_file; owned by the daemon */
	int64_t timeout_ms;
	char host[256];
};

static const struct crmsync_option slack_options[] = {
	{ "webhook_url_file", CRMSYNC_OPT_STRING, CRMSYNC_OPT_REQUIRED | CRMSYNC_OPT_SECRET, NULL,
	  offsetof(struct slack_ctx, url),
	  "the incoming webhook URL, https://hooks.slack.com/services/...",
	  NULL, 0, 0 },
	{ "timeout", CRMSYNC_OPT_DURATION, 0, "10s", offsetof(struct slack_ctx, timeout_ms),
	  "how long one POST may take", NULL, 1000, 300000 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static int slack_init(struct crmsync_instance *inst, void *vctx)
{
	struct slack_ctx *ctx = vctx;
	const char *why;

	if (url_check_http(ctx->url, ctx->host, sizeof(ctx->host), &why)) {
		host->log(inst, CRMSYNC_LOG_ERR, "the URL in 'webhook_url_file' is refused: %s", why);
		return -EINVAL;
	}
	return 0;
}

static size_t escaped_len(char c)
{
	return c == '&' ? 5 : c == '<' || c == '>' ? 4 : 1;
}

/* Slack's escaping for text: &, < and > (nothing else). Longer than max
 * bytes once escaped, it is cut at a character boundary and ends with an
 * ellipsis. `oneline`: control characters become spaces. */
static void add_escaped(struct nbuf *b, const char *s, size_t max, int oneline)
{
	size_t total = 0, used = 0, i = 0;

	if (!s)
		return;
	for (const char *p = s; *p; p++)
		total += escaped_len(*p);
	while (s[i]) {
		size_t j = i + 1, cost = escaped_len(s[i]);

		while (((unsigned char)s[j] & 0xC0) == 0x80) /* the rest of the character */
			j++, cost++;
		if (total > max && used + cost + 3 > max) {
			nbuf_adds(b, "\xE2\x80\xA6"); /* U+2026, 3 bytes */
			return;
		}
		for (; i < j; i++) {
			if (s[i] == '&')
				nbuf_adds(b, "&amp;");
			else if (s[i] == '<')
				nbuf_adds(b, "&lt;");
			else if (s[i] == '>')
				nbuf_adds(b, "&gt;");
			else if (oneline && (unsigned char)s[i] < 0x20)
				nbuf_addc(b, ' ');
			else
				nbuf_addc(b, s[i]);
		}
		used += cost;
	}
}

static json_t *text_obj(const char *type, const char *text)
{
	json_t *v = json_string(text);

	return json_pack("{s:s,s:o}", "type", type,
			 "text", v ? v : json_string("(text that is not valid UTF-8)"));
}

static json_t *escaped_text(const char *type, const char *s, size_t max, int oneline)
{
	struct nbuf b = { 0 };
	json_t *v;

	add_escaped(&b, s, max, oneline);
	v = text_obj(type, b.p ? b.p : "");
	nbuf_free(&b);
	return v;
}

static json_t *entry_block(const struct crmsync_digest_entry *e)
{
	struct nbuf b = { 0 };
	json_t *fields = json_array(), *block;
	char num[32];
	int k = 0;

	nbuf_adds(&b, "*");
	add_escaped(&b, e->type ? e->type : "?", 200, 1);
	nbuf_adds(&b, "*");
	for (const char *const *x = e->examples; x && *x && k < EXAMPLES_MAX; x++, k++) {
		nbuf_adds(&b, "\n\xE2\x80\xA2 "); /* bullet */
		add_escaped(&b, *x, (SECTION_MAX - 300) / EXAMPLES_MAX, 1);
	}
	snprintf(num, sizeof(num), "*New*\n%llu", (unsigned long long)e->new_errors);
	json_array_append_new(fields, text_obj("mrkdwn", num));
	snprintf(num, sizeof(num), "*Current*\n%llu", (unsigned long long)e->current_errors);
	json_array_append_new(fields, text_obj("mrkdwn", num));
	snprintf(num, sizeof(num), "*Records affected*\n%llu",
		 (unsigned long long)e->records_affected);
	json_array_append_new(fields, text_obj("mrkdwn", num));
	block = json_pack("{s:s,s:o,s:o}", "type", "section", "text",
			  text_obj("mrkdwn", b.p ? b.p : ""), "fields", fields);
	nbuf_free(&b);
	return block;
}

/* The JSON payload; the caller frees it with free(). */
static char *build_payload(const struct crmsync_message *msg)
{
	const char *subject = msg->subject && *msg->subject ? msg->subject : "crmsync";
	json_t *blocks = json_array(), *root;
	struct nbuf fallback = { 0 };
	size_t n = 0, total = 0;
	char *text;

	json_array_append_new(blocks, json_pack("{s:s,s:o}", "type", "header", "text",
						escaped_text("plain_text", subject, HEADER_MAX, 1)));
	if (msg->body && *msg->body)
		json_array_append_new(blocks, json_pack("{s:s,s:o}", "type", "section", "text",
							escaped_text("mrkdwn", msg->body, SECTION_MAX, 0)));
	if (msg->kind == CRMSYNC_MSG_DIGEST) {
		char start[32], end[32], line[96];

		format_iso8601(msg->period_start_ms, start, sizeof(start));
		format_iso8601(msg->period_end_ms, end, sizeof(end));
		snprintf(line, sizeof(line), "Period: %s to %s", start, end);
		json_array_append_new(blocks, json_pack("{s:s,s:[o]}", "type", "context", "elements",
							text_obj("mrkdwn", line)));
		for (const struct crmsync_digest_entry *const *e = msg->entries; e && *e; e++)
			total++;
		for (const struct crmsync_digest_entry *const *e = msg->entries; e && *e; e++, n++) {
			if (json_array_size(blocks) >= BLOCKS_MAX - 1) {
				snprintf(line, sizeof(line), "and %zu more error types", total - n);
				json_array_append_new(blocks,
						      json_pack("{s:s,s:[o]}", "type", "context",
								"elements", text_obj("mrkdwn", line)));
				break;
			}
			json_array_append_new(blocks, entry_block(*e));
		}
	}
	/* "text" is what notifications and clients without blocks show */
	add_escaped(&fallback, subject, SECTION_MAX, 1);
	root = json_pack("{s:s,s:o}", "text", fallback.p ? fallback.p : "", "blocks", blocks);
	nbuf_free(&fallback);
	if (!root)
		return NULL;
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

/* Slack's error bodies are short codes ("no_service"); keep them printable. */
static void error_code(const struct crmsync_http_response *resp, char *out, size_t size)
{
	size_t len, n = 0;
	const char *body = host->http_body(resp, &len);

	for (size_t i = 0; i < len && n + 1 < size; i++)
		if (body[i] >= 0x20 && body[i] < 0x7f)
			out[n++] = body[i];
	out[n] = '\0';
	if (!n)
		snprintf(out, size, "no explanation");
}

static int classify(struct crmsync_instance *inst, struct slack_ctx *ctx,
		    const struct crmsync_http_response *resp)
{
	int status = host->http_status(resp);
	const char *retry_after;
	char code[80];

	if (status >= 200 && status < 300)
		return CRMSYNC_HANDLED;
	error_code(resp, code, sizeof(code));
	if (status == 429) {
		retry_after = host->http_header(resp, "Retry-After");
		host->log(inst, CRMSYNC_LOG_WARNING,
			  "'%s' is rate limiting this webhook (HTTP 429, Retry-After %s s): will retry",
			  ctx->host, retry_after ? retry_after : "unknown");
		return CRMSYNC_RETRY;
	}
	if (status == 408 || status >= 500) {
		host->log(inst, CRMSYNC_LOG_WARNING, "'%s' answered HTTP %d (%s): will retry",
			  ctx->host, status, code);
		return CRMSYNC_RETRY;
	}
	switch (status) {
	case 400:
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'%s' refused the message as malformed (HTTP 400, %s): not retrying",
			  ctx->host, code);
		return -EINVAL;
	case 403:
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'%s' refused the webhook (HTTP 403, %s): the app or token was revoked or "
			  "posting is not allowed; check the URL in 'webhook_url_file'", ctx->host, code);
		return -EACCES;
	case 404:
	case 410:
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'%s' does not know this webhook (HTTP %d, %s): the webhook or its channel "
			  "was removed or archived; put a current URL in 'webhook_url_file'",
			  ctx->host, status, code);
		return -ENOENT;
	default:
		host->log(inst, CRMSYNC_LOG_ERR, "'%s' answered HTTP %d (%s): not retrying", ctx->host,
			  status, code);
		return -EPROTO;
	}
}

static int slack_deliver(struct crmsync_instance *inst, void *vctx,
			 const struct crmsync_message *msg)
{
	static const char *const headers[] = { "Content-Type: application/json; charset=utf-8",
					       NULL };
	struct slack_ctx *ctx = vctx;
	struct crmsync_http_response *resp = NULL;
	char *payload;
	int err;

	payload = build_payload(msg);
	if (!payload) {
		host->log(inst, CRMSYNC_LOG_ERR, "cannot encode the message as JSON");
		return -ENOMEM;
	}
	err = post_body(host, inst, ctx->url, ctx->host, headers, payload, ctx->timeout_ms, &resp);
	free(payload);
	if (err)
		return err;
	err = classify(inst, ctx, resp);
	host->http_free(resp);
	return err;
}

static int slack_plugin_init(const struct crmsync_host *h)
{
	host = h;
	return 0;
}

static const struct crmsync_notifier_ops slack_ops = {
	.size = sizeof(struct crmsync_notifier_ops),
	.ctx_size = sizeof(struct slack_ctx),
	.options = slack_options,
	.init = slack_init,
	.deliver = slack_deliver,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"slack",
	SLACK_VERSION,
	"posts sync-health messages and digests to a Slack incoming webhook",
	slack_plugin_init,
	NULL,
	NULL,
	NULL,
	&slack_ops,
};
