/*
 * test_notify_email - the email notifier against smtp_sink: headers,
 * encodings, the digest table, header injection, AUTH PLAIN/LOGIN, and
 * which SMTP answers are retried. Part of test_notifiers.
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
#include "util.h"

/* ---- email -------------------------------------------------------------- */

/* An email instance sending to sink, with `starttls` and more options. */
static struct crmsync_instance *load_email_tls(struct config *cfg, const struct tool *sink,
					       const char *starttls, const char *extra)
{
	char opts[2048];
	struct crmsync_instance *inst;

	snprintf(opts, sizeof(opts),
		 "url = smtp://127.0.0.1:%d\nstarttls = %s\n"
		 "from = crmsync alerts <crmsync@example.com>\n"
		 "to = ops@example.com, Zoë Admin <zoe@example.org>\n%s\n",
		 sink->port, starttls, extra ? extra : "timeout = 10s");
	inst = notifier_load(cfg, "email", opts);
	if (!inst)
		fail_msg("the email notifier did not start:\n%s", log_last());
	return inst;
}

/* The sink has no STARTTLS: the tests use `starttls = off` (loopback only). */
static struct crmsync_instance *load_email(struct config *cfg, const struct tool *sink,
					   const char *extra)
{
	return load_email_tls(cfg, sink, "off", extra);
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

void test_email_event(void **state)
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

void test_email_digest(void **state)
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

/* A long non-ASCII subject folds into several encoded words, a long body
 * line into soft breaks, and both decode to what was sent. */
void test_email_long_text(void **state)
{
	const char *args[] = { NULL };
	struct crmsync_message m = event;
	struct strbuf subject = { 0 }, body = { 0 };
	struct tool sink;
	struct config cfg;
	struct crmsync_instance *inst;
	char *eml, *v, *text;

	for (int i = 0; i < 20; i++)
		strbuf_addstr(&subject, "Größe Ärger €");
	for (int i = 0; i < 40; i++)
		strbuf_addstr(&body, "çàé=€x");
	strbuf_addstr(&body, "\n");
	m.subject = subject.buf;
	m.body = body.buf;
	tool_start(&sink, "smtp_sink", args);
	inst = load_email(&cfg, &sink, NULL);
	assert_int_equal(notifier_deliver(inst, &m), CRMSYNC_HANDLED);
	eml = tool_file(&sink, "msg-1.eml");
	assert_non_null(eml);
	assert_lines_ok(eml);
	v = mail_header(eml, "Subject");
	text = header_decode(v);
	assert_string_equal(text, subject.buf);
	free(text);
	free(v);
	text = qp_decode(mail_body(eml));
	body.buf[body.len - 1] = '\0';
	assert_true(strncmp(text, body.buf, body.len - 1) == 0);
	assert_string_equal(text + body.len - 1, "\r\n");
	free(text);
	free(eml);
	strbuf_release(&subject);
	strbuf_release(&body);
	config_release(&cfg);
	tool_stop(&sink);
}

/* CR/LF in a subject can neither add a header nor end the header block. */
void test_email_header_injection(void **state)
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

void test_email_auth(void **state)
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

void test_email_outcomes(void **state)
{
	const char *args[] = { "--fail-transient", "1", "--fail-permanent", "1", NULL };
	const char *stall[] = { "--stall", NULL };
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
	/* STARTTLS required (the default) from a server without it: never sent
	 * in clear, permanent; opportunistic falls back to plain text */
	inst = load_email_tls(&cfg, &sink, "required", NULL);
	assert_int_equal(notifier_deliver(inst, &event), -EPROTO);
	assert_contains(log_last(), "does not offer STARTTLS");
	assert_int_equal(tool_count(&sink, "msg-"), 1);
	config_release(&cfg);
	inst = load_email_tls(&cfg, &sink, "opportunistic", NULL);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_HANDLED);
	assert_int_equal(tool_count(&sink, "msg-"), 2);
	config_release(&cfg);
	/* nobody listening: retry */
	port = sink.port;
	tool_stop(&sink);
	sink.port = port;
	inst = load_email(&cfg, &sink, NULL);
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	config_release(&cfg);
	/* a server that never answers: a timeout, retry */
	tool_start(&sink, "smtp_sink", stall);
	inst = load_email(&cfg, &sink, "timeout = 1s");
	assert_int_equal(notifier_deliver(inst, &event), CRMSYNC_RETRY);
	assert_contains(log_last(), "will retry");
	config_release(&cfg);
	tool_stop(&sink);
}

void test_email_init_checks(void **state)
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

