/*
 * test_notifiers - the email, slack and webhook notifier plugins end to
 * end: the real .so loaded by the real config/loader/host, talking over
 * loopback to the tools in tests/tools (smtp_sink, webhook_recv), which
 * write down what they received; the checks read that. Also: how each
 * plugin classifies failures (retry or permanent), and that no secret
 * (SMTP password, webhook secret, Slack URL) reaches a log line.
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

#include <cmocka.h>

#include "notify_tests.h"

char password_file[600], wrong_password_file[600], secret_file[600], wrong_secret_file[600];

#define EVENT_BODY \
	"crmsync paused the sync of Zoë Müller's org: the API allocation is used up.\n" \
	".this line starts with a dot\n" \
	"ratio = 20000/20000 & <nothing> left   \n" \
	"A long line: 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 " \
	"0123456789 0123456789 end\n"

const struct crmsync_message event = {
	sizeof(struct crmsync_message), CRMSYNC_MSG_EVENT, CRMSYNC_LOG_ERR, 0,
	"Synchronisation en pause : quota d'API épuisé", EVENT_BODY, 0, 0, NULL,
};

const char *const dup_examples[] = {
	"Contact 0031 ann@example.com exists as Lead 00Q1", "Company 'Acme <EU>' & 'ACME EU'", NULL
};
static const char *const pick_examples[] = { "State 'Calif.' has no match in the picklist", NULL };
static const struct crmsync_digest_entry dup_entry = {
	sizeof(struct crmsync_digest_entry), 0, "duplicate", 3, 10, 7, dup_examples
};
static const struct crmsync_digest_entry pick_entry = {
	sizeof(struct crmsync_digest_entry), 0, "picklist", 1, 2, 2, pick_examples
};
static const struct crmsync_digest_entry *const entries[] = { &dup_entry, &pick_entry, NULL };
/* 2026-11-21T00:00:00Z .. 2026-11-22T00:00:00Z */
const struct crmsync_message digest = {
	sizeof(struct crmsync_message), CRMSYNC_MSG_DIGEST, CRMSYNC_LOG_WARNING, 0,
	"crmsync daily digest: 4 new sync errors", "Sync errors of the last 24 hours.",
	1795219200000LL, 1795305600000LL, entries,
};

void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay ? hay : "(nothing)");
}

void assert_not_contains(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle))
		fail_msg("'%s' found in:\n%s", needle, hay);
}

void assert_no_secret(const char *log)
{
	assert_not_contains(log, PASSWORD);
	assert_not_contains(log, WRONG_PASSWORD);
	assert_not_contains(log, HOOK_SECRET);
	assert_not_contains(log, SLACK_TOKEN);
}

void assert_refused(const char *plugin, const char *opts, const char *why)
{
	struct config cfg;

	if (notifier_load(&cfg, plugin, opts))
		fail_msg("started with:\n%s", opts);
	assert_contains(log_last(), why);
	config_release(&cfg);
}

static void test_no_secret_in_any_log(void **state)
{
	assert_true(strlen(log_all()) > 0);
	assert_no_secret(log_all());
	assert_not_contains(log_all(), SLACK_PATH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_email_event, harness_stop_tools),
		cmocka_unit_test_teardown(test_email_digest, harness_stop_tools),
		cmocka_unit_test_teardown(test_email_long_text, harness_stop_tools),
		cmocka_unit_test_teardown(test_email_header_injection, harness_stop_tools),
		cmocka_unit_test_teardown(test_email_auth, harness_stop_tools),
		cmocka_unit_test_teardown(test_email_outcomes, harness_stop_tools),
		cmocka_unit_test_teardown(test_email_init_checks, harness_stop_tools),
		cmocka_unit_test_teardown(test_webhook_event, harness_stop_tools),
		cmocka_unit_test_teardown(test_webhook_digest, harness_stop_tools),
		cmocka_unit_test_teardown(test_webhook_failures, harness_stop_tools),
		cmocka_unit_test_teardown(test_slack_messages, harness_stop_tools),
		cmocka_unit_test_teardown(test_slack_failures, harness_stop_tools),
		cmocka_unit_test_teardown(test_no_secret_in_any_log, harness_stop_tools),
	};
	int rc;

	if (harness_setup())
		return 99;
	write_secret("smtp-password", PASSWORD, password_file, sizeof(password_file));
	write_secret("smtp-wrong", WRONG_PASSWORD, wrong_password_file, sizeof(wrong_password_file));
	write_secret("hook-secret", HOOK_SECRET, secret_file, sizeof(secret_file));
	write_secret("hook-wrong", "whsec-not-the-one-the-receiver-has", wrong_secret_file,
		     sizeof(wrong_secret_file));
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	harness_teardown();
	return rc;
}

