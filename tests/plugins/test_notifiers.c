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
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "notify_harness.h"
#include "util.h"

#define PASSWORD "pw-S3cret-for-smtp"
#define WRONG_PASSWORD "pw-Wrong-guess-42"
#define HOOK_SECRET "whsec-0123456789abcdef-TOPSECRET"
#define SLACK_TOKEN "XoXoSLACKTOKEN0123456789"
#define SLACK_PATH "/services/T0000/B0000/" SLACK_TOKEN

static char password_file[600], wrong_password_file[600], secret_file[600], wrong_secret_file[600];

/* A body that exercises quoted-printable: non-ASCII, '=', a line that
 * starts with a dot (SMTP dot-stuffing), trailing blanks, a long line. */
#define EVENT_BODY \
	"crmsync paused the sync of Zoë Müller's org: the API allocation is used up.\n" \
	".this line starts with a dot\n" \
	"ratio = 20000/20000 & <nothing> left   \n" \
	"A long line: 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 " \
	"0123456789 0123456789 end\n"

static const struct crmsync_message event = {
	sizeof(struct crmsync_message), CRMSYNC_MSG_EVENT, CRMSYNC_LOG_ERR, 0,
	"Synchronisation en pause : quota d'API épuisé", EVENT_BODY, 0, 0, NULL,
};

static const char *const dup_examples[] = {
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
static const struct crmsync_message digest = {
	sizeof(struct crmsync_message), CRMSYNC_MSG_DIGEST, CRMSYNC_LOG_WARNING, 0,
	"crmsync daily digest: 4 new sync errors", "Sync errors of the last 24 hours.",
	1795219200000LL, 1795305600000LL, entries,
};

static void assert_contains(const char *hay, const char *needle)
{
	if (!hay || !strstr(hay, needle))
		fail_msg("'%s' not found in:\n%s", needle, hay ? hay : "(nothing)");
}

static void assert_not_contains(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle))
		fail_msg("'%s' found in:\n%s", needle, hay);
}

static void assert_no_secret(const char *log)
{
	assert_not_contains(log, PASSWORD);
	assert_not_contains(log, WRONG_PASSWORD);
	assert_not_contains(log, HOOK_SECRET);
	assert_not_contains(log, SLACK_TOKEN);
}

/* ---- email -------------------------------------------------------------- */

static struct crmsync_instance *load_email(struct config *cfg, const struct tool *sink,
					   const char *extra)
{
	char opts[2048];
	struct crmsync_instance *inst;

	snprintf(opts, sizeof(opts),
		 "url = smtp://127.0.0.1:%d\nstarttls = off\n"
		 "from = crmsync alerts <crmsync@example.com>\n"
		 "to = ops@example.com, Zoë Admin <zoe@example.org>\ntimeout = 10s\n%s",
		 sink->port, extra ? extra : "");
	inst = notifier_load(cfg, "email", opts);
	if (!inst)
		fail_msg("the email notifier did not start:\n%s", log_last());
	return inst;
}

/* Every line ends with CRLF and is at most 78 characters (RFC 5322 2.1.1
 * recommends 78; QP lines are at most 76). */
static void assert_lines_ok(const char *eml)
{
	const char *l = eml;

	while (*l) {
		const char *e = strstr(l, "\r\n");

		assert_non_null(e);
		for (const char *p = l; p < e; p++)
			assert_true(*p != '\n' && *p != '\r');
		if (e - l > 78)
			fail_msg("line longer than 78 characters: '%.*s'", (int)(e - l), l);
		l = e + 2;
	}
}

static void test_email_event(void **state)
{
	const char *args[] = { NULL };
	struct tool sink;
	struct config cfg;
	struct crmsync_instance *inst;
	char *eml, *v, *body;

	tool_start(&sink, "smtp_sink", args);
	inst = load_email(&cfg, &sink, NULL);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	eml = tool_file(&sink, "msg-1.eml");
	assert_non_null(eml);
	/* the envelope */
	assert_contains(eml, "X-Envelope-From: <crmsync@example.com>\r\n");
	assert_contains(eml, "X-Envelope-To: <ops@example.com>\r\n");
	assert_contains(eml, "X-Envelope-To: <zoe@example.org>\r\n");
	assert_lines_ok(eml);
	/* the headers */
	v = mail_header(eml, "From");
	assert_string_equal(v, "\"crmsync alerts\" <crmsync@example.com>");
	free(v);
	v = mail_header(eml, "To");
	assert_contains(v, "<ops@example.com>");
	assert_contains(v, "<zoe@example.org>");
	free(v);
	v = mail_header(eml, "Subject");
	assert_contains(v, "=?UTF-8?B?"); /* non-ASCII: RFC 2047 encoded */
	body = header_decode(v);
	assert_string_equal(body, event.subject);
	free(body);
	free(v);
	v = mail_header(eml, "Date");
	assert_non_null(v);
	assert_true(strlen(v) >= 29 && strstr(v, " +0000")); /* "Sun, 22 Nov 2026 16:41:04 +0000" */
	free(v);
	v = mail_header(eml, "Message-ID");
	assert_non_null(v);
	assert_true(v[0] == '<' && strstr(v, "@example.com>"));
	free(v);
	v = mail_header(eml, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = mail_header(eml, "Content-Type");
	assert_string_equal(v, "text/plain; charset=UTF-8");
	free(v);
	v = mail_header(eml, "Content-Transfer-Encoding");
	assert_string_equal(v, "quoted-printable");
	free(v);
	/* the body, intact once decoded (line ends become CRLF) */
	body = qp_decode(mail_body(eml));
	assert_string_equal(body,
			    "crmsync paused the sync of Zoë Müller's org: the API allocation is used up.\r\n"
			    ".this line starts with a dot\r\n"
			    "ratio = 20000/20000 & <nothing> left   \r\n"
			    "A long line: 0123456789 0123456789 0123456789 0123456789 0123456789 "
			    "0123456789 0123456789 0123456789 end\r\n");
	free(body);
	free(eml);
	assert_no_secret(log_all());
	config_release(&cfg);
	tool_stop(&sink);
}

static void test_email_digest(void **state)
{
	const char *args[] = { NULL };
	struct tool sink;
	struct config cfg;
	struct crmsync_instance *inst;
	char *eml, *body, *v;

	tool_start(&sink, "smtp_sink", args);
	inst = load_email(&cfg, &sink, NULL);
	assert_int_equal(notifier_deliver(inst, &digest), CRMSYNC_HANDLED);
	eml = tool_file(&sink, "msg-1.eml");
	assert_non_null(eml);
	assert_lines_ok(eml);
	v = mail_header(eml, "Subject"); /* short ASCII: as is */
	assert_string_equal(v, digest.subject);
	free(v);
	body = qp_decode(mail_body(eml));
	assert_contains(body, "Sync errors of the last 24 hours.\r\n");
	assert_contains(body, "Period: 2026-11-21T00:00:00Z to 2026-11-22T00:00:00Z");
	assert_contains(body, "Error type                  New    Current  Records affected\r\n");
	assert_contains(body, "duplicate                     3         10                 7\r\n");
	assert_contains(body, "    - Contact 0031 ann@example.com exists as Lead 00Q1\r\n");
	assert_contains(body, "    - Company 'Acme <EU>' & 'ACME EU'\r\n");
	assert_contains(body, "picklist                      1          2                 2\r\n");
	assert_contains(body, "    - State 'Calif.' has no match in the picklist\r\n");
	free(body);
	free(eml);
	config_release(&cfg);
	tool_stop(&sink);
}

/* CR/LF in a subject can neither add a header nor end the header block. */
static void test_email_header_injection(void **state)
{
	const char *args[] = { NULL };
	struct crmsync_message m = event;
	struct tool sink;
	struct config cfg;
	struct crmsync_instance *inst;
	const char *l, *end;
	char *eml, *v;

	m.subject = "Alert\r\nBcc: victim@evil.example\r\n\r\nInjected body";
	tool_start(&sink, "smtp_sink", args);
	inst = load_email(&cfg, &sink, NULL);
	assert_int_equal(notifier_deliver(inst, &m), CRMSYNC_HANDLED);
	eml = tool_file(&sink, "msg-1.eml");
	assert_non_null(eml);
	assert_not_contains(eml, "X-Envelope-To: <victim@evil.example>");
	end = strstr(eml, "\r\n\r\n");
	for (l = eml; l < end; l = strstr(l, "\r\n") + 2)
		if (strncasecmp(l, "Bcc:", 4) == 0)
			fail_msg("an injected header: %s", eml);
	v = mail_header(eml, "Subject");
	assert_string_equal(v, "Alert  Bcc: victim@evil.example    Injected body");
	free(v);
	assert_true(strncmp(mail_body(eml), "crmsync paused", 14) == 0);
	free(eml);
	config_release(&cfg);
	tool_stop(&sink);
}

static void test_email_auth(void **state)
{
	const char *plain[] = { "--user", "ops", "--password-file", password_file, "--auth", "plain",
				NULL };
	const char *login[] = { "--user", "ops", "--password-file", password_file, "--auth", "login",
				NULL };
	char extra[1400];
	struct tool sink;
	struct config cfg;
	struct crmsync_instance *inst;
	int rc;

	snprintf(extra, sizeof(extra), "username = ops\npassword_file = %s\n", password_file);
	/* AUTH PLAIN, then AUTH LOGIN: accepted */
	tool_start(&sink, "smtp_sink", plain);
	inst = load_email(&cfg, &sink, extra);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	assert_int_equal(tool_count(&sink, "msg-"), 1);
	config_release(&cfg);
	tool_stop(&sink);
	tool_start(&sink, "smtp_sink", login);
	inst = load_email(&cfg, &sink, extra);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	assert_int_equal(tool_count(&sink, "msg-"), 1);
	config_release(&cfg);

	/* a wrong password: refused, permanent, and the log says what to check */
	snprintf(extra, sizeof(extra), "username = ops\npassword_file = %s\n", wrong_password_file);
	inst = load_email(&cfg, &sink, extra);
	rc = notifier_deliver(inst, &event);
	assert_int_equal(rc, -EACCES);
	assert_contains(log_last(), "check 'username' and 'password_file'");
	assert_int_equal(tool_count(&sink, "msg-"), 1);
	config_release(&cfg);
	tool_stop(&sink);

	/* no credentials where the server wants them: 530 is permanent */
	tool_start(&sink, "smtp_sink", plain);
	inst = load_email(&cfg, &sink, NULL);
	rc = notifier_deliver(inst, &event);
	assert_int_equal(rc, -EACCES);
	assert_contains(log_last(), "requires authentication");
	assert_int_equal(tool_count(&sink, "msg-"), 0);
	config_release(&cfg);
	tool_stop(&sink);
	assert_no_secret(log_all());
}

static void test_email_outcomes(void **state)
{
	const char *args[] = { "--fail-transient", "1", "--fail-permanent", "1", NULL };
	struct tool sink;
	struct config cfg;
	struct crmsync_instance *inst;
	int port;

	tool_start(&sink, "smtp_sink", args);
	inst = load_email(&cfg, &sink, NULL);
	/* 451: try again later */
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	assert_contains(log_last(), "451");
	/* 550: permanent */
	assert_int_equal(notifier_deliver(inst, &event), -EPROTO);
	assert_contains(log_last(), "550");
	assert_int_equal(tool_count(&sink, "msg-"), 0);
	/* then it goes through */
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	assert_int_equal(tool_count(&sink, "msg-"), 1);
	config_release(&cfg);
	/* nobody listening: retry */
	port = sink.port;
	tool_stop(&sink);
	sink.port = port;
	inst = load_email(&cfg, &sink, NULL);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	config_release(&cfg);
}

static void assert_refused(const char *plugin, const char *opts, const char *why)
{
	struct config cfg;

	if (notifier_load(&cfg, plugin, opts))
		fail_msg("started with:\n%s", opts);
	assert_contains(log_last(), why);
	config_release(&cfg);
}

static void test_email_init_checks(void **state)
{
	char opts[1400];

	assert_refused("email", "url = smtp://mail.example.com:587\nstarttls = off\n"
				"from = a@example.com\nto = b@example.com",
		       "'starttls = off' is allowed only for a loopback server");
	assert_refused("email", "url = https://mail.example.com\nfrom = a@example.com\n"
				"to = b@example.com", "must start with smtp:// or smtps://");
	assert_refused("email", "url = smtps://mail.example.com\nstarttls = off\n"
				"from = a@example.com\nto = b@example.com", "contradicts");
	assert_refused("email", "url = smtp://u:p@mail.example.com\nfrom = a@example.com\n"
				"to = b@example.com", "go in 'username'");
	assert_refused("email", "url = smtp://mail.example.com\nfrom = a@example.com\n"
				"to = b@example.com\nusername = ops", "go together");
	assert_refused("email", "url = smtp://mail.example.com\nfrom = a@example.com>, x@evil.example\n"
				"to = b@example.com", "option 'from'");
	assert_refused("email", "url = smtp://mail.example.com\nfrom = a@example.com\n"
				"to = b@example.com, not an address", "option 'to'");
	/* the secret's content never shows, even when its file is refused */
	snprintf(opts, sizeof(opts), "url = smtp://mail.example.com\nfrom = a@example.com\n"
		 "to = b@example.com\nusername = ops\npassword_file = %s", password_file);
	{
		struct config cfg;

		assert_non_null(notifier_load(&cfg, "email", opts));
		config_release(&cfg);
	}
	assert_no_secret(log_all());
}

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

static void test_webhook_event(void **state)
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

static void test_webhook_digest(void **state)
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

static void test_webhook_failures(void **state)
{
	const char *args[] = { "--secret-file", secret_file, NULL };
	const char *busy[] = { "--secret-file", secret_file, "--fail", "3", NULL };
	const char *bad[] = { "--secret-file", secret_file, "--fail", "1", "--fail-status", "400",
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

static void test_slack_messages(void **state)
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

static void test_slack_failures(void **state)
{
	const char *gone[] = { "--slack", "--fail", "1", "--fail-status", "404", NULL };
	const char *limited[] = { "--slack", "--fail", "3", "--fail-status", "429", "--retry-after",
				  "0", NULL };
	const char *down[] = { "--slack", "--fail", "3", "--fail-status", "500", NULL };
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
	assert_no_secret(log_all());
}

/* Last: everything the plugins and the core logged during the whole run. */
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
