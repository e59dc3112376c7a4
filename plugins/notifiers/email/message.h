/*
 * message.h - the email notifier's RFC 5322 / MIME message: headers that
 * cannot be injected into (control characters never reach a header),
 * RFC 2047 encoded words for non-ASCII text, a quoted-printable UTF-8 body
 * with CRLF line ends, and the digest rendered as a plain-text table.
 * Knows nothing of SMTP or curl.
 */
#ifndef CRMSYNC_EMAIL_MESSAGE_H
#define CRMSYNC_EMAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include <crmsync/plugin.h>

#include "../common/notify_util.h"

/* The bare address of "Name <user@host>" or "user@host" into out: one '@',
 * no space, control character, quote, comma, angle bracket or parenthesis.
 * Returns 0, -EINVAL for anything else, -ENAMETOOLONG if out is too small. */
CRMSYNC_HIDDEN int mail_address(const char *in, char *out, size_t size);

struct mail_envelope {
	const char *from;               /* as configured: "Name <a@b>" or "a@b" */
	const char *const *to;          /* same, NULL-terminated */
	int64_t now_ms;                 /* Date: */
	const char *unique;             /* random part of the Message-ID */
};

/* The whole message (headers, blank line, body), CRLF line ends, ready for
 * SMTP DATA before dot-stuffing. Returns a malloc'd string or NULL when out
 * of memory or when an address is invalid. */
CRMSYNC_HIDDEN char *mail_build(const struct crmsync_message *msg, const struct mail_envelope *env);

/* The body text as sent before transfer encoding: msg->body, and for a
 * digest the period and a table of its entries. Exposed for the QP step. */
CRMSYNC_HIDDEN void mail_render_text(struct nbuf *out, const struct crmsync_message *msg);

#endif
