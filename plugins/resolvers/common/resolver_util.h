/*
 * resolver_util.h - small helpers shared by the eight resolver plugins:
 * matching a failure against a code pattern ("DUPLICATE_VALUE",
 * "hubspot:VALIDATION_ERROR:INVALID_OPTION"), pulling names, values and ids
 * out of the services' messages and raw bodies, and setting details.
 *
 * Everything here is static inline and compiled into each plugin, so nothing
 * becomes a second exported symbol. It must not grow a JSON parser: the
 * scanners below only look for a key and read the scalar after it, which is
 * all a diagnosis needs (the core parsed the body already).
 */
#ifndef CRMSYNC_RESOLVER_UTIL_H
#define CRMSYNC_RESOLVER_UTIL_H

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

/* The host members a resolver calls, all in ABI 1.0: a table shorter than
 * this is refused by init. */
#define RU_HOST_MIN_SIZE (offsetof(struct crmsync_host, diag_add_affected) + sizeof(void *))

/* Sizes of the scratch buffers a resolver keeps on its stack. */
#define RU_SHORT 128
#define RU_LONG 1024

static inline int ru_streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static inline int ru_nonempty(const char *s)
{
	return s && *s;
}

/* Case-insensitive strstr; NULL when either is NULL. */
static inline const char *ru_strcasestr(const char *hay, const char *needle)
{
	size_t n;

	if (!hay || !needle)
		return NULL;
	n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;

		while (i < n && hay[i] &&
		       tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return hay;
	}
	return n == 0 ? hay : NULL;
}

/* 1 when the message or the raw body of the failure mentions `what`. */
static inline int ru_mentions(const struct crmsync_failure *f, const char *what)
{
	return ru_strcasestr(f->message, what) || ru_strcasestr(f->raw, what);
}

/* Copies at most size-1 bytes of [s, s+len) into buf, trimmed of blanks and
 * of one pair of surrounding quotes; returns buf, or NULL when nothing is
 * left. */
static inline char *ru_copy_span(char *buf, size_t size, const char *s, size_t len)
{
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len && (isspace((unsigned char)s[len - 1]) || s[len - 1] == '.'))
		len--;
	if (len >= 2 && (s[0] == '\'' || s[0] == '"') && s[len - 1] == s[0]) {
		s++;
		len -= 2;
	}
	if (!len || !size)
		return NULL;
	if (len >= size)
		len = size - 1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return buf;
}

/*
 * The text that follows `prefix` in `text` (case-insensitive), up to the
 * first character of `stops` or the end. Returns buf, or NULL when the prefix
 * is absent or nothing follows it.
 */
static inline char *ru_after(const char *text, const char *prefix, const char *stops,
			     char *buf, size_t size)
{
	const char *p = ru_strcasestr(text, prefix);

	if (!p)
		return NULL;
	p += strlen(prefix);
	while (*p == ' ' || *p == '\t')
		p++;
	return ru_copy_span(buf, size, p, strcspn(p, stops));
}

/* The text between `open` and the next `close` after it. */
static inline char *ru_between(const char *text, const char *open, const char *close,
			       char *buf, size_t size)
{
	const char *p = ru_strcasestr(text, open), *e;

	if (!p)
		return NULL;
	p += strlen(open);
	e = ru_strcasestr(p, close);
	if (!e)
		return NULL;
	return ru_copy_span(buf, size, p, (size_t)(e - p));
}

/* The text from the start of `text` up to `marker` ("Last Name" in
 * "Last Name: data value too large: …" with marker ": data value"). */
static inline char *ru_before(const char *text, const char *marker, char *buf, size_t size)
{
	const char *e = ru_strcasestr(text, marker);

	if (!e)
		return NULL;
	return ru_copy_span(buf, size, text, (size_t)(e - text));
}

/*
 * Finds `"key"` in JSON text at or after `from`, and copies the scalar value
 * that follows (a string, unescaped; or a number/true/false) into buf.
 * Returns a pointer just past the value, or NULL when the key is absent or
 * its value is not a scalar. Escaped quotes inside a string are honoured;
 * \uXXXX escapes are kept as '?'.
 */
static inline const char *ru_json_scalar(const char *from, const char *key, char *buf,
					  size_t size)
{
	size_t klen = strlen(key), o;
	const char *p = from;

	if (!from || !size)
		return NULL;
	while ((p = strchr(p, '"')) != NULL) {
		const char *q = p + 1;

		if (strncmp(q, key, klen) != 0 || q[klen] != '"') {
			p++;
			continue;
		}
		q += klen + 1;
		while (isspace((unsigned char)*q))
			q++;
		if (*q != ':') {
			p++;
			continue;
		}
		q++;
		while (isspace((unsigned char)*q))
			q++;
		o = 0;
		if (*q == '"') {
			for (q++; *q && *q != '"'; q++) {
				char c = *q;

				if (c == '\\' && q[1]) {
					q++;
					switch (*q) {
					case 'n':
						c = '\n';
						break;
					case 't':
						c = '\t';
						break;
					case 'u':
						c = '?';
						for (int i = 0; i < 4 && isxdigit((unsigned char)q[1]); i++)
							q++;
						break;
					default:
						c = *q;
					}
				}
				if (o + 1 < size)
					buf[o++] = c;
			}
			buf[o] = '\0';
			return *q ? q + 1 : q;
		}
		if (*q == '{' || *q == '[' || !*q)
			return NULL;
		while (*q && !strchr(",}] \t\r\n", *q)) {
			if (o + 1 < size)
				buf[o++] = *q;
			q++;
		}
		buf[o] = '\0';
		return o ? q : NULL;
	}
	return NULL;
}

/* The first string of the JSON array value of `"key"` (context.propertyName
 * is ["email"]), or its scalar value. */
static inline char *ru_json_first(const char *from, const char *key, char *buf, size_t size)
{
	char pat[RU_SHORT];
	const char *p, *q;

	if (!from)
		return NULL;
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = strstr(from, pat);
	if (!p)
		return NULL;
	q = p + strlen(pat);
	while (isspace((unsigned char)*q) || *q == ':')
		q++;
	if (*q == '[') {
		q++;
		while (isspace((unsigned char)*q))
			q++;
		if (*q != '"')
			return NULL;
		p = ++q;
		while (*q && *q != '"')
			q++;
		return ru_copy_span(buf, size, p, (size_t)(q - p));
	}
	return ru_json_scalar(p, key, buf, size) ? buf : NULL;
}

/*
 * HubSpot's sub-code, wherever it is: failure->subcode (errors[].code or
 * subCategory as the core extracted it), else the "error" of the property
 * validation JSON that HubSpot embeds in `message`, else the first
 * errors[].code of the raw body.
 */
static inline const char *ru_hubspot_subcode(const struct crmsync_failure *f, char *buf,
					     size_t size)
{
	const char *errs;

	if (ru_nonempty(f->subcode))
		return f->subcode;
	if (ru_json_scalar(f->message, "error", buf, size))
		return buf;
	errs = f->raw ? strstr(f->raw, "\"errors\"") : NULL;
	if (errs && ru_json_scalar(errs, "code", buf, size))
		return buf;
	return NULL;
}

/*
 * 1 when the failure matches one code pattern:
 *   "CODE"                   Salesforce errorCode CODE
 *   "hubspot:CATEGORY"       HubSpot category, any sub-code
 *   "hubspot:CATEGORY:SUB"   HubSpot category with sub-code SUB
 */
static inline int ru_code_matches(const struct crmsync_failure *f, const char *pattern)
{
	static const char hs[] = "hubspot:";
	char cat[RU_SHORT], sub[RU_SHORT];
	const char *colon, *have;
	size_t n;

	if (!f->code || !pattern)
		return 0;
	if (strncmp(pattern, hs, sizeof(hs) - 1) != 0)
		return f->side != CRMSYNC_SIDE_HUBSPOT && strcmp(f->code, pattern) == 0;
	if (f->side != CRMSYNC_SIDE_HUBSPOT)
		return 0;
	pattern += sizeof(hs) - 1;
	colon = strchr(pattern, ':');
	n = colon ? (size_t)(colon - pattern) : strlen(pattern);
	if (n >= sizeof(cat))
		return 0;
	memcpy(cat, pattern, n);
	cat[n] = '\0';
	if (strcmp(f->code, cat) != 0)
		return 0;
	if (!colon)
		return 1;
	have = ru_hubspot_subcode(f, sub, sizeof(sub));
	return ru_streq(have, colon + 1);
}

static inline int ru_match_any(const struct crmsync_failure *f, const char *const *patterns)
{
	for (; patterns && *patterns; patterns++)
		if (ru_code_matches(f, *patterns))
			return 1;
	return 0;
}

/* FIELD_INTEGRITY_EXCEPTION raised by Salesforce's state and country/territory
 * picklists: a picklist problem, not a mapping one (picklist and
 * property_mapping both ask this, so they can never both claim it). */
static inline int ru_is_state_country_integrity(const struct crmsync_failure *f)
{
	return f->side != CRMSYNC_SIDE_HUBSPOT && ru_streq(f->code, "FIELD_INTEGRITY_EXCEPTION") &&
	       (ru_strcasestr(f->message, "available state") ||
		ru_strcasestr(f->message, "available country") ||
		ru_strcasestr(f->message, "problem with this state") ||
		ru_strcasestr(f->message, "problem with this country") ||
		ru_strcasestr(f->message, "StateCode") || ru_strcasestr(f->message, "CountryCode"));
}

/* A HubSpot error about associations (the v4 API or the associations of a
 * create), which the association resolver owns whatever its category. */
static inline int ru_is_hubspot_association(const struct crmsync_failure *f)
{
	return f->side == CRMSYNC_SIDE_HUBSPOT && ru_streq(f->code, "VALIDATION_ERROR") &&
	       ru_strcasestr(f->message, "association");
}

/*
 * The fields a failure names, read from its raw body when the core passed
 * none: the core hands a Salesforce Collections result or a HubSpot batch
 * error over as `raw` only, so `fields` is the first string array after
 * "fields" (Salesforce) or "propertyName" (HubSpot's errors[].context).
 */
#define RU_MAX_FIELDS 8

struct ru_fields {
	char buf[RU_LONG];
	const char *v[RU_MAX_FIELDS + 1];
};

static inline const char *const *ru_fields_from_raw(const char *raw, const char *key,
						     struct ru_fields *st)
{
	char pat[RU_SHORT];
	const char *p;
	size_t o = 0, n = 0;

	snprintf(pat, sizeof(pat), "\"%s\"", key);
	p = raw ? strstr(raw, pat) : NULL;
	if (!p)
		return NULL;
	p += strlen(pat);
	while (isspace((unsigned char)*p) || *p == ':')
		p++;
	if (*p != '[')
		return NULL;
	for (p++; *p && *p != ']' && n < RU_MAX_FIELDS;) {
		const char *q;
		size_t len;

		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (*p != '"')
			break;
		q = strchr(++p, '"');
		if (!q)
			break;
		len = (size_t)(q - p);
		if (len && o + len + 1 <= sizeof(st->buf)) {
			memcpy(st->buf + o, p, len);
			st->buf[o + len] = '\0';
			st->v[n++] = st->buf + o;
			o += len + 1;
		}
		p = q + 1;
	}
	st->v[n] = NULL;
	return n ? st->v : NULL;
}

/* f itself, or a copy in *copy whose `fields` come from the raw body. */
static inline const struct crmsync_failure *ru_with_fields(const struct crmsync_failure *f,
							   struct crmsync_failure *copy,
							   struct ru_fields *st)
{
	const char *const *v;
	size_t n;

	if (f->fields || !f->raw)
		return f;
	v = ru_fields_from_raw(f->raw, f->side == CRMSYNC_SIDE_HUBSPOT ? "propertyName" : "fields",
			       st);
	if (!v)
		return f;
	n = f->size < sizeof(*copy) ? f->size : sizeof(*copy);
	memset(copy, 0, sizeof(*copy));
	memcpy(copy, f, n);
	copy->fields = v;
	return copy;
}

/* The first field the service named, or NULL. */
static inline const char *ru_first_field(const struct crmsync_failure *f)
{
	return f->fields && ru_nonempty(f->fields[0]) ? f->fields[0] : NULL;
}

/* The fields the service named, joined with ", ". */
static inline char *ru_join_fields(const struct crmsync_failure *f, char *buf, size_t size)
{
	size_t o = 0;

	if (!size || !f->fields || !f->fields[0])
		return NULL;
	buf[0] = '\0';
	for (const char *const *p = f->fields; *p; p++) {
		int n = snprintf(buf + o, size - o, "%s%s", o ? ", " : "", *p);

		if (n < 0 || (size_t)n >= size - o)
			break;
		o += (size_t)n;
	}
	return o ? buf : NULL;
}

/* The record on the side that refused the write, and the other one. */
static inline const struct crmsync_record *ru_refusing_record(const struct crmsync_failure *f)
{
	return f->side == CRMSYNC_SIDE_HUBSPOT ? f->hubspot : f->salesforce;
}

static inline const struct crmsync_record *ru_other_record(const struct crmsync_failure *f)
{
	return f->side == CRMSYNC_SIDE_HUBSPOT ? f->salesforce : f->hubspot;
}

/* The value of `field` in the refusing side's record (what was written). */
static inline const char *ru_record_value(const struct crmsync_host *host,
					  const struct crmsync_failure *f, const char *field)
{
	const struct crmsync_record *rec = ru_refusing_record(f);

	if (!rec || !field)
		return NULL;
	return host->rec_get(rec, field);
}

/* The refusing side's object name: its record's object, else the failure's
 * object component, else `def`. */
static inline const char *ru_object_name(const struct crmsync_host *host,
					 const struct crmsync_failure *f, const char *def)
{
	const struct crmsync_record *rec = ru_refusing_record(f);
	const char *o = rec ? host->rec_object(rec) : NULL;

	if (ru_nonempty(o))
		return o;
	return ru_nonempty(f->object) ? f->object : def;
}

/* 1 when the write was a create (the refusing side had no id yet). */
static inline int ru_is_create(const struct crmsync_host *host, const struct crmsync_failure *f)
{
	const struct crmsync_record *rec = ru_refusing_record(f);

	return !rec || !ru_nonempty(host->rec_id(rec));
}

/* Salesforce's object from the 3-character key prefix of an id, or NULL. */
static inline const char *ru_sf_object_of_id(const char *id)
{
	static const char *const map[][2] = {
		{"001", "Account"}, {"003", "Contact"}, {"00Q", "Lead"},     {"006", "Opportunity"},
		{"00T", "Task"},    {"00U", "Event"},   {"500", "Case"},     {"701", "Campaign"},
		{"005", "User"},    {"00G", "Group"},   {"800", "Contract"}, {"01t", "Product2"},
	};
	size_t len = id ? strlen(id) : 0;

	if (len != 15 && len != 18)
		return NULL;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(id, map[i][0], 3) == 0)
			return map[i][1];
	return NULL;
}

/* 1 when s looks like a Salesforce id (15 or 18 alphanumerics). */
static inline int ru_is_sf_id(const char *s)
{
	size_t n = 0;

	if (!s)
		return 0;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]))
			return 0;
	return n == 15 || n == 18;
}

/* Number of characters (not bytes) of a UTF-8 string. */
static inline size_t ru_utf8_len(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Sets a detail when the value is known; the first error is kept in *err. */
static inline void ru_detail(const struct crmsync_host *host, struct crmsync_diagnosis *diag,
			     const char *key, const char *value, int *err)
{
	int e;

	if (!ru_nonempty(value))
		return;
	e = host->diag_set_detail(diag, key, value);
	if (e < 0 && !*err)
		*err = e;
}

/* Sets type, hint and retry; returns CRMSYNC_HANDLED or the first error. */
static inline int ru_finish(const struct crmsync_host *host, struct crmsync_diagnosis *diag,
			    const char *type, const char *hint, enum crmsync_retry retry, int err)
{
	int e;

	if (err < 0)
		return err;
	e = host->diag_set_type(diag, type);
	if (e < 0)
		return e;
	e = host->diag_set_hint(diag, hint);
	if (e < 0)
		return e;
	e = host->diag_set_retry(diag, retry);
	if (e < 0)
		return e;
	return CRMSYNC_HANDLED;
}

#endif /* CRMSYNC_RESOLVER_UTIL_H */
