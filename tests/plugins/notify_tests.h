/*
 * notify_tests.h - what the parts of test_notifiers share: the messages
 * delivered, the secrets that must never be logged, assertions, and the
 * test functions main() runs (test_notify_email.c, test_notify_http.c).
 */
#ifndef CRMSYNC_NOTIFY_TESTS_H
#define CRMSYNC_NOTIFY_TESTS_H

#include <crmsync/plugin.h>

#include "notify_harness.h"

#define PASSWORD "pw-S3cret-for-smtp"
#define WRONG_PASSWORD "pw-Wrong-guess-42"
#define HOOK_SECRET "whsec-0123456789abcdef-TOPSECRET"
#define SLACK_TOKEN "XoXoSLACKTOKEN0123456789"
#define SLACK_PATH "/services/T0000/B0000/" SLACK_TOKEN

/* Secret files (mode 0600) holding the values above, made by main(). */
extern char password_file[600], wrong_password_file[600], secret_file[600],
	wrong_secret_file[600];

/* An event whose subject and body exercise encodings (non-ASCII, '=', a
 * line starting with a dot, trailing blanks, a long line), and a digest of
 * two types, 2026-11-21T00:00:00Z to 2026-11-22T00:00:00Z. */
extern const struct crmsync_message event, digest;
extern const char *const dup_examples[];

void assert_contains(const char *hay, const char *needle);
void assert_not_contains(const char *hay, const char *needle);
/* None of the secrets above is in log. */
void assert_no_secret(const char *log);
/* Loading and starting [notifier] with opts fails, and the log says why. */
void assert_refused(const char *plugin, const char *opts, const char *why);

void test_email_event(void **state);
void test_email_digest(void **state);
void test_email_long_text(void **state);
void test_email_header_injection(void **state);
void test_email_auth(void **state);
void test_email_outcomes(void **state);
void test_email_init_checks(void **state);
void test_webhook_event(void **state);
void test_webhook_digest(void **state);
void test_webhook_failures(void **state);
void test_slack_messages(void **state);
void test_slack_failures(void **state);

#endif
