/*
 * test_notify_http - the webhook and slack notifiers against webhook_recv:
 * the signed JSON and its verification, the Slack payload, and which HTTP
 * answers are retried. Part of test_notifiers.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "notify_tests.h"

/* ---- webhook ------------------------------------------------------------ */

static struct crmsync_instance *load_webhook(struct config *cfg, const struct tool *recv,
					     const char *secret)
{
	char opts[1400];
	struct crmsync_instance *inst;

	snprintf(opts, sizeof(opts), "url = http://127.0.0.1:%d/crmsync/hook\nsecret_file = %s\n",
		 recv->port, secret);
	inst = notifier_load(cfg, "webhook", opts);
	if (!inst)
		fail_msg("the webhook notifier did not start:\n%s", log_last());
	return inst;
}

static json_t *load_json(const struct tool *t, const char *name)
{
	char *text = tool_file(t, name);
	json_error_t jerr;
	json_t *root;

	assert_non_null(text);
	root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("%s is not JSON (%s): %s", name, jerr.text, text);
	free(text);
	return root;
}

static void assert_file(const struct tool *t, const char *name, const char *expect)
{
	char *text = tool_file(t, name);

	assert_non_null(text);
	assert_string_equal(text, expect);
	free(text);
}

void test_webhook_event(void **state)
{
	const char *args[] = { "--secret-file", secret_file, NULL };
	struct tool recv;
	struct config cfg;
	struct crmsync_instance *inst;
	char *head, want[128];
	json_t *root;
	const char *delivery;

	tool_start(&recv, "webhook_recv", args);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	assert_file(&recv, "req-1.verified", "ok");
	head = tool_file(&recv, "req-1.headers");
	assert_contains(head, "Method: POST\nPath: /crmsync/hook\n");
	assert_contains(head, "Content-Type: application/json\n");
	assert_contains(head, "User-Agent: crmsync/" PACKAGE_VERSION "\n");
	assert_contains(head, "X-Crmsync-Signature: sha256=");
	root = load_json(&recv, "req-1.json");
	assert_string_equal(json_string_value(json_object_get(root, "kind")), "event");
	assert_string_equal(json_string_value(json_object_get(root, "severity")), "error");
	assert_string_equal(json_string_value(json_object_get(root, "subject")), event.subject);
	assert_string_equal(json_string_value(json_object_get(root, "body")), event.body);
	assert_true(json_is_null(json_object_get(root, "period")));
	assert_int_equal(json_array_size(json_object_get(root, "entries")), 0);
	/* the headers repeat the signed timestamp and delivery id */
	snprintf(want, sizeof(want), "X-Crmsync-Timestamp: %lld\n",
		 (long long)json_integer_value(json_object_get(root, "timestamp")));
	assert_contains(head, want);
	delivery = json_string_value(json_object_get(root, "delivery"));
	assert_non_null(delivery);
	assert_int_equal(strlen(delivery), 32);
	snprintf(want, sizeof(want), "X-Crmsync-Delivery: %s\n", delivery);
	assert_contains(head, want);
	json_decref(root);
	free(head);
	/* a second delivery has another id */
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	root = load_json(&recv, "req-2.json");
	head = tool_file(&recv, "req-1.json");
	assert_not_contains(head, json_string_value(json_object_get(root, "delivery")));
	free(head);
	json_decref(root);
	config_release(&cfg);
	tool_stop(&recv);
	assert_no_secret(log_all());
}

void test_webhook_digest(void **state)
{
	const char *args[] = { "--secret-file", secret_file, NULL };
	struct tool recv;
	struct config cfg;
	struct crmsync_instance *inst;
	json_t *root, *e, *period;

	tool_start(&recv, "webhook_recv", args);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &digest), CRMSYNC_HANDLED);
	assert_file(&recv, "req-1.verified", "ok");
	root = load_json(&recv, "req-1.json");
	assert_string_equal(json_string_value(json_object_get(root, "kind")), "digest");
	assert_string_equal(json_string_value(json_object_get(root, "severity")), "warning");
	period = json_object_get(root, "period");
	assert_string_equal(json_string_value(json_object_get(period, "start")), "2026-11-21T00:00:00Z");
	assert_string_equal(json_string_value(json_object_get(period, "end")), "2026-11-22T00:00:00Z");
	assert_int_equal(json_array_size(json_object_get(root, "entries")), 2);
	e = json_array_get(json_object_get(root, "entries"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "type")), "duplicate");
	assert_int_equal(json_integer_value(json_object_get(e, "new_errors")), 3);
	assert_int_equal(json_integer_value(json_object_get(e, "current_errors")), 10);
	assert_int_equal(json_integer_value(json_object_get(e, "records_affected")), 7);
	assert_int_equal(json_array_size(json_object_get(e, "examples")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "examples"), 1)),
			    dup_examples[1]);
	e = json_array_get(json_object_get(root, "entries"), 1);
	assert_string_equal(json_string_value(json_object_get(e, "type")), "picklist");
	json_decref(root);
	config_release(&cfg);
	tool_stop(&recv);
}

void test_webhook_failures(void **state)
{
	const char *args[] = { "--secret-file", secret_file, NULL };
	const char *busy[] = { "--secret-file", secret_file, "--fail", "3", NULL };
	const char *bad[] = { "--secret-file", secret_file, "--fail", "1", "--fail-status", "400",
			      NULL };
	const char *limited[] = { "--secret-file", secret_file, "--fail", "3", "--fail-status", "429",
				  "--retry-after", "0", NULL };
	const char *timeout[] = { "--secret-file", secret_file, "--fail", "1", "--fail-status", "408",
				  NULL };
	struct tool recv;
	struct config cfg;
	struct crmsync_instance *inst;
	char ms[32];

	/* a receiver with another secret: the signature does not verify */
	tool_start(&recv, "webhook_recv", args);
	inst = load_webhook(&cfg, &recv, wrong_secret_file);
	assert_int_equal(notifier_deliver(inst, &event), -EACCES);
	assert_file(&recv, "req-1.verified", "bad signature");
	assert_contains(log_last(), "same secret");
	config_release(&cfg);

	/* an old timestamp is refused even with the right signature */
	snprintf(ms, sizeof(ms), "%lld", (long long)time(NULL) * 1000 - 10 * 60 * 1000);
	setenv("CRMSYNC_FAKE_NOW_MS", ms, 1);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &event), -EACCES);
	unsetenv("CRMSYNC_FAKE_NOW_MS");
	assert_file(&recv, "req-2.verified", "stale timestamp");
	config_release(&cfg);
	tool_stop(&recv);

	/* 503 on every try the host makes (3): retry later; then it goes through */
	tool_start(&recv, "webhook_recv", busy);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	assert_int_equal(tool_count(&recv, "req-") / 4, 3);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	config_release(&cfg);
	tool_stop(&recv);

	/* 429 (after the host's own tries) and 408: retry */
	tool_start(&recv, "webhook_recv", limited);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	assert_contains(log_last(), "HTTP 429");
	config_release(&cfg);
	tool_stop(&recv);
	tool_start(&recv, "webhook_recv", timeout);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	assert_contains(log_last(), "HTTP 408");
	config_release(&cfg);
	tool_stop(&recv);

	/* another 4xx: permanent */
	tool_start(&recv, "webhook_recv", bad);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &event), -EPROTO);
	config_release(&cfg);
	/* nobody listening: retry */
	tool_stop(&recv);
	inst = load_webhook(&cfg, &recv, secret_file);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	config_release(&cfg);

	assert_refused("webhook", "url = http://hooks.example.com/x\nsecret_file = /nonexistent",
		       "secret file");
	{
		char opts[1400];

		snprintf(opts, sizeof(opts), "url = http://hooks.example.com/x\nsecret_file = %s",
			 secret_file);
		assert_refused("webhook", opts, "plain http is allowed to a loopback host only");
		snprintf(opts, sizeof(opts), "url = https://user:pw@hooks.example.com/x\n"
			 "secret_file = %s", secret_file);
		assert_refused("webhook", opts, "without user:password@");
	}
	assert_no_secret(log_all());
}

/* ---- slack -------------------------------------------------------------- */

static struct crmsync_instance *load_slack(struct config *cfg, const struct tool *recv)
{
	char url[256], file[600], opts[1400];
	struct crmsync_instance *inst;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d" SLACK_PATH, recv->port);
	write_secret("slack-url", url, file, sizeof(file));
	snprintf(opts, sizeof(opts), "webhook_url_file = %s\n", file);
	inst = notifier_load(cfg, "slack", opts);
	if (!inst)
		fail_msg("the slack notifier did not start:\n%s", log_last());
	return inst;
}

void test_slack_messages(void **state)
{
	const char *args[] = { "--slack", NULL };
	struct crmsync_message m = event;
	struct tool recv;
	struct config cfg;
	struct crmsync_instance *inst;
	json_t *root, *blocks, *b, *fields;
	char *head;

	m.subject = "API <allocation> & quota\nreached";
	tool_start(&recv, "webhook_recv", args);
	inst = load_slack(&cfg, &recv);
	assert_int_equal(notifier_deliver(inst, &m), CRMSYNC_HANDLED);
	assert_file(&recv, "req-1.verified", "slack ok");
	head = tool_file(&recv, "req-1.headers");
	assert_contains(head, "Path: " SLACK_PATH "\n");
	assert_contains(head, "Content-Type: application/json");
	free(head);
	root = load_json(&recv, "req-1.json");
	assert_string_equal(json_string_value(json_object_get(root, "text")),
			    "API &lt;allocation&gt; &amp; quota reached");
	blocks = json_object_get(root, "blocks");
	assert_int_equal(json_array_size(blocks), 2);
	b = json_array_get(blocks, 0);
	assert_string_equal(json_string_value(json_object_get(b, "type")), "header");
	assert_string_equal(json_string_value(json_object_get(json_object_get(b, "text"), "type")),
			    "plain_text");
	b = json_array_get(blocks, 1);
	assert_string_equal(json_string_value(json_object_get(b, "type")), "section");
	assert_contains(json_string_value(json_object_get(json_object_get(b, "text"), "text")),
			"ratio = 20000/20000 &amp; &lt;nothing&gt; left");
	json_decref(root);

	assert_int_equal(notifier_deliver(inst, &digest), CRMSYNC_HANDLED);
	root = load_json(&recv, "req-2.json");
	blocks = json_object_get(root, "blocks");
	/* header, body, period, one section per type */
	assert_int_equal(json_array_size(blocks), 5);
	assert_contains(json_string_value(json_object_get(
				json_array_get(json_object_get(json_array_get(blocks, 2), "elements"), 0),
				"text")),
			"2026-11-21T00:00:00Z to 2026-11-22T00:00:00Z");
	b = json_array_get(blocks, 3);
	assert_string_equal(json_string_value(json_object_get(b, "type")), "section");
	assert_contains(json_string_value(json_object_get(json_object_get(b, "text"), "text")),
			"*duplicate*");
	assert_contains(json_string_value(json_object_get(json_object_get(b, "text"), "text")),
			"Company 'Acme &lt;EU&gt;' &amp; 'ACME EU'");
	fields = json_object_get(b, "fields");
	assert_int_equal(json_array_size(fields), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 0), "text")),
			    "*New*\n3");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 1), "text")),
			    "*Current*\n10");
	assert_string_equal(json_string_value(json_object_get(json_array_get(fields, 2), "text")),
			    "*Records affected*\n7");
	json_decref(root);
	config_release(&cfg);
	tool_stop(&recv);
	assert_no_secret(log_all());
}

void test_slack_failures(void **state)
{
	const char *gone[] = { "--slack", "--fail", "1", "--fail-status", "404", NULL };
	const char *limited[] = { "--slack", "--fail", "3", "--fail-status", "429", "--retry-after",
				  "0", NULL };
	const char *down[] = { "--slack", "--fail", "3", "--fail-status", "500", NULL };
	static const struct {
		const char *status;
		int rc;
		const char *code;
	} refusals[] = {
		{ "400", -EINVAL, "invalid_payload" },
		{ "403", -EACCES, "invalid_token" },
		{ "410", -ENOENT, "channel_is_archived" },
	};
	struct tool recv;
	struct config cfg;
	struct crmsync_instance *inst;

	tool_start(&recv, "webhook_recv", gone);
	inst = load_slack(&cfg, &recv);
	assert_int_equal(notifier_deliver(inst, &event), -ENOENT);
	assert_contains(log_last(), "no_service");
	assert_contains(log_last(), "'127.0.0.1'");
	config_release(&cfg);
	tool_stop(&recv);

	tool_start(&recv, "webhook_recv", limited);
	inst = load_slack(&cfg, &recv);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	assert_contains(log_last(), "429");
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	config_release(&cfg);
	tool_stop(&recv);

	tool_start(&recv, "webhook_recv", down);
	inst = load_slack(&cfg, &recv);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	config_release(&cfg);
	tool_stop(&recv);

	/* the other refusals Slack documents: permanent, each with its reason */
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const char *args[] = { "--slack", "--fail", "1", "--fail-status", refusals[i].status,
				       NULL };

		tool_start(&recv, "webhook_recv", args);
		inst = load_slack(&cfg, &recv);
		assert_int_equal(notifier_deliver(inst, &event), refusals[i].rc);
		assert_contains(log_last(), refusals[i].code);
		config_release(&cfg);
		tool_stop(&recv);
	}
	assert_no_secret(log_all());
}

/* Last: everything the plugins and the core logged during the whole run. */
