/*
 * message.c - see message.h. Every header value passes through one of the
 * add_* functions below, which drop CR, LF and every other control
 * character: that is what makes header injection impossible, so do not
 * write to the header buffer any other way.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "message.h"

#define QP_LINE_MAX 76

static int is_ascii_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int mail_address(const char *in, char *out, size_t size)
{
	const char *lt = strchr(in, '<'), *start = in, *end, *at = NULL;
	size_t n;

	if (lt) {
		start = lt + 1;
		end = strchr(start, '>');
		if (!end || end[1] != '\0')
			return -EINVAL;
	} else {
		while (*start == ' ')
			start++;
		end = start + strlen(start);
		while (end > start && end[-1] == ' ')
			end--;
	}
	for (const char *p = start; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= 0x20 || c == 0x7f || strchr("<>()[]\\,;:\"", c))
			return -EINVAL;
		if (c == '@') {
			if (at)
				return -EINVAL;
			at = p;
		}
	}
	if (!at || at == start || at + 1 == end)
		return -EINVAL;
	n = (size_t)(end - start);
	if (n >= size)
		return -ENAMETOOLONG;
	memcpy(out, start, n);
	out[n] = '\0';
	return 0;
}

static void add_base64(struct nbuf *b, const unsigned char *in, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
			     (i + 2 < n ? in[i + 2] : 0);

		nbuf_addc(b, tab[(v >> 18) & 63]);
		nbuf_addc(b, tab[(v >> 12) & 63]);
		nbuf_addc(b, i + 1 < n ? tab[(v >> 6) & 63] : '=');
		nbuf_addc(b, i + 2 < n ? tab[v & 63] : '=');
	}
}

/* s without control characters (each becomes a space): header-safe. */
static char *one_line(const char *s)
{
	char *r = strdup(s ? s : "");

	for (char *p = r; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return r;
}

/* Unstructured header text (RFC 5322 3.2.5) starting at column col: as is
 * when short printable ASCII, else RFC 2047 "B" encoded words of whole
 * UTF-8 characters, folded so that no line passes 76 characters. */
static void add_text(struct nbuf *b, const char *raw, size_t col)
{
	char *s = one_line(raw);
	size_t len, i = 0;

	if (!s) {
		b->oom = 1;
		return;
	}
	len = strlen(s);
	if (is_ascii_printable(s) && col + len <= 76 && !strstr(s, "=?")) {
		nbuf_adds(b, s);
		free(s);
		return;
	}
	while (i < len) {
		/* a word is 12 characters around 4 per 3 bytes */
		size_t room = col < 76 - 16 ? (76 - col - 12) / 4 * 3 : 3;
		size_t n = len - i > room ? room : len - i;

		while (i + n < len && n > 0 && ((unsigned char)s[i + n] & 0xC0) == 0x80)
			n--; /* never split a character across words */
		if (!n)
			n = 1;
		if (i)
			nbuf_adds(b, "\r\n ");
		nbuf_adds(b, "=?UTF-8?B?");
		add_base64(b, (const unsigned char *)s + i, n);
		nbuf_adds(b, "?=");
		i += n;
		col = 1;
	}
	free(s);
}

/* One mailbox: "Name <addr>" with the name quoted or encoded as needed. */
static int add_mailbox(struct nbuf *b, const char *raw)
{
	char addr[320], *name = NULL;
	const char *lt = strchr(raw, '<');

	if (mail_address(raw, addr, sizeof(addr)))
		return -EINVAL;
	if (lt) {
		char *n = one_line(raw), *e;

		if (!n)
			return -ENOMEM;
		n[lt - raw] = '\0';
		name = n;
		while (*name == ' ' || *name == '"')
			name++;
		e = name + strlen(name);
		while (e > name && (e[-1] == ' ' || e[-1] == '"'))
			*--e = '\0';
		if (*name) {
			if (is_ascii_printable(name)) {
				nbuf_addc(b, '"');
				for (const char *p = name; *p; p++) {
					if (*p == '"' || *p == '\\')
						nbuf_addc(b, '\\');
					nbuf_addc(b, *p);
				}
				nbuf_adds(b, "\" ");
			} else {
				add_text(b, name, 4);
				nbuf_addc(b, ' ');
			}
		}
		free(n);
	}
	nbuf_addf(b, "<%s>", addr);
	return 0;
}

static void add_date(struct nbuf *b, int64_t now_ms)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	/* RFC 5322 3.3, in UTC, with English names whatever the locale */
	gmtime_r(&t, &tm);
	nbuf_addf(b, "%s, %d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		  months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void mail_render_text(struct nbuf *out, const struct crmsync_message *msg)
{
	if (msg->body && *msg->body) {
		nbuf_adds(out, msg->body);
		if (msg->body[strlen(msg->body) - 1] != '\n')
			nbuf_addc(out, '\n');
	}
	if (msg->kind != CRMSYNC_MSG_DIGEST)
		return;
	{
		char start[32], end[32];

		format_iso8601(msg->period_start_ms, start, sizeof(start));
		format_iso8601(msg->period_end_ms, end, sizeof(end));
		nbuf_addf(out, "%sPeriod: %s to %s\n\n", out->len ? "\n" : "", start, end);
	}
	if (!msg->entries || !msg->entries[0]) {
		nbuf_adds(out, "No sync errors.\n");
		return;
	}
	nbuf_addf(out, "%-20s %10s %10s %17s\n", "Error type", "New", "Current", "Records affected");
	nbuf_addf(out, "%-20s %10s %10s %17s\n", "--------------------", "----------", "----------",
		  "-----------------");
	for (const struct crmsync_digest_entry *const *e = msg->entries; *e; e++) {
		char *type = one_line((*e)->type ? (*e)->type : "?");

		nbuf_addf(out, "%-20.20s %10llu %10llu %17llu\n", type ? type : "?",
			  (unsigned long long)(*e)->new_errors,
			  (unsigned long long)(*e)->current_errors,
			  (unsigned long long)(*e)->records_affected);
		free(type);
		for (const char *const *x = (*e)->examples; x && *x; x++) {
			char *ex = one_line(*x);

			nbuf_addf(out, "    - %s\n", ex ? ex : "");
			free(ex);
		}
	}
}

/* Quoted-printable (RFC 2045 6.7) of UTF-8 text, any line ends in, CRLF
 * out, lines at most 76 characters with soft breaks. */
static void add_qp(struct nbuf *b, const char *s)
{
	size_t col = 0;

	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int eol_next = p[1] == '\0' || p[1] == '\n' || p[1] == '\r';
		char tok[4];
		size_t n;

		if (c == '\r' || c == '\n') {
			if (c == '\r' && p[1] == '\n')
				p++;
			nbuf_adds(b, "\r\n");
			col = 0;
			continue;
		}
		if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !eol_next)) {
			tok[0] = (char)c;
			n = 1;
		} else {
			snprintf(tok, sizeof(tok), "=%02X", c);
			n = 3;
		}
		if (col + n > QP_LINE_MAX - 1) {
			nbuf_adds(b, "=\r\n");
			col = 0;
		}
		nbuf_add(b, tok, n);
		col += n;
	}
	if (col)
		nbuf_adds(b, "\r\n");
}

static void add_domain_of(struct nbuf *b, const char *from)
{
	char addr[320];
	const char *at;

	if (mail_address(from, addr, sizeof(addr)) == 0 && (at = strchr(addr, '@')))
		nbuf_adds(b, at + 1);
	else
		nbuf_adds(b, "crmsync.invalid");
}

char *mail_build(const struct crmsync_message *msg, const struct mail_envelope *env)
{
	struct nbuf b = { 0 }, text = { 0 };
	int err = 0;

	nbuf_adds(&b, "Date: ");
	add_date(&b, env->now_ms);
	nbuf_adds(&b, "\r\nFrom: ");
	err |= add_mailbox(&b, env->from);
	nbuf_adds(&b, "\r\nTo: ");
	for (size_t i = 0; env->to[i]; i++) {
		if (i)
			nbuf_adds(&b, ",\r\n ");
		err |= add_mailbox(&b, env->to[i]);
	}
	nbuf_adds(&b, "\r\nSubject: ");
	add_text(&b, msg->subject && *msg->subject ? msg->subject : "crmsync", strlen("Subject: "));
	nbuf_addf(&b, "\r\nMessage-ID: <%s.%lld@", env->unique, (long long)env->now_ms);
	add_domain_of(&b, env->from);
	nbuf_adds(&b, ">\r\n"
		      "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=UTF-8\r\n"
		      "Content-Transfer-Encoding: quoted-printable\r\n"
		      "Auto-Submitted: auto-generated\r\n"
		      "X-Mailer: crmsync/" PACKAGE_VERSION "\r\n");
	nbuf_addf(&b, "X-Crmsync-Kind: %s\r\nX-Crmsync-Severity: %s\r\n\r\n",
		  msg->kind == CRMSYNC_MSG_DIGEST ? "digest" : "event", severity_name(msg->severity));
	mail_render_text(&text, msg);
	add_qp(&b, text.p ? text.p : "");
	if (err || b.oom || text.oom) {
		nbuf_free(&text);
		nbuf_free(&b);
		return NULL;
	}
	nbuf_free(&text);
	return b.p;
}
