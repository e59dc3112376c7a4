/*
 * transform.c - value conversions between the HubSpot and Salesforce wire
 * representations. Pure: no I/O, no globals, no logging; every function
 * either succeeds with a fresh string or fails with -EINVAL and no output.
 * Calendar arithmetic is done here on integers (proleptic Gregorian, UTC)
 * rather than with timegm()/gmtime(), which depend on the C library and on
 * the width of time_t.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform.h"
#include "util.h"

#define MS_PER_DAY INT64_C(86400000)
/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z */
#define MIN_MS INT64_C(-62135596800000)
#define MAX_MS INT64_C(253402300799999)
#define NUMBER_MAX_DIGITS 100

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parse exactly n digits at s. */
static int digits(const char *s, int n, int *v)
{
	int r = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -EINVAL;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Days from 1970-01-01 to y-m-d: March-based years make the leap day the
 * last day of the year, so one formula covers every month. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;                       /* [0, 399] */
	int64_t mp = (m + 9) % 12;                          /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;           /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* [0, 146096] */

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DD" at s; sets *days and returns the number of bytes used. */
static int parse_ymd(const char *s, int64_t *days)
{
	int y, m, d;

	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &m) || s[7] != '-' ||
	    digits(s + 8, 2, &d))
		return -EINVAL;
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -EINVAL;
	*days = days_from_civil(y, m, d);
	return 10;
}

/* A whole-string base-10 integer of at most 16 digits (enough for any ms
 * epoch in 0001..9999), optional leading '-'. */
static int parse_epoch_ms(const char *s, int64_t *ms)
{
	int neg = 0;
	int64_t v = 0;
	size_t n = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	for (; is_digit(s[n]); n++) {
		if (n >= 16)
			return -EINVAL;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || s[n])
		return -EINVAL;
	*ms = neg ? -v : v;
	return 0;
}

int transform_parse_datetime(const char *in, int64_t *ms)
{
	int64_t days, v;
	int hh, mi, ss = 0, frac = 0, off = 0, n;
	const char *p;

	if (!in || strlen(in) > TRANSFORM_MAX_SCALAR)
		return -EINVAL;
	if (parse_epoch_ms(in, &v) == 0) {
		if (v < MIN_MS || v > MAX_MS)
			return -EINVAL;
		*ms = v;
		return 0;
	}
	n = parse_ymd(in, &days);
	if (n < 0 || in[n] != 'T')
		return -EINVAL;
	p = in + n + 1;
	if (digits(p, 2, &hh) || p[2] != ':' || digits(p + 3, 2, &mi))
		return -EINVAL;
	p += 5;
	if (*p == ':') {
		if (digits(p + 1, 2, &ss))
			return -EINVAL;
		p += 3;
		if (*p == '.') {
			int nd = 0;

			for (p++; is_digit(*p); p++, nd++) {
				if (nd < 3)
					frac = frac * 10 + (*p - '0');
			}
			if (nd == 0 || nd > 9)
				return -EINVAL;
			for (; nd < 3; nd++)
				frac *= 10;
		}
	}
	if (hh > 23 || mi > 59 || ss > 59)
		return -EINVAL;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om = 0, sign = *p == '-' ? -1 : 1;

		if (digits(p + 1, 2, &oh))
			return -EINVAL;
		p += 3;
		if (*p == ':')
			p++;
		if (is_digit(*p)) {
			if (digits(p, 2, &om))
				return -EINVAL;
			p += 2;
		} else if (p[-1] == ':') {
			return -EINVAL;
		}
		if (oh > 18 || om > 59)
			return -EINVAL;
		off = sign * (oh * 60 + om);
	} else {
		return -EINVAL; /* no zone: the instant is unknown */
	}
	if (*p)
		return -EINVAL;
	v = days * MS_PER_DAY + ((int64_t)hh * 3600 + mi * 60 + ss) * 1000 + frac -
	    (int64_t)off * 60000;
	if (v < MIN_MS || v > MAX_MS)
		return -EINVAL;
	*ms = v;
	return 0;
}

static char *format_datetime(int64_t ms, const char *zone)
{
	int64_t days = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
	int64_t rem = ms - days * MS_PER_DAY;
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	return xasprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03d%s", y, m, d,
			 (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60),
			 (int)(rem % 1000), zone);
}

int transform_datetime_to_sf(const char *in, char **out)
{
	int64_t ms;

	if (transform_parse_datetime(in, &ms))
		return -EINVAL;
	*out = format_datetime(ms, "+0000");
	return 0;
}

int transform_datetime_to_hs(const char *in, char **out)
{
	int64_t ms;

	if (transform_parse_datetime(in, &ms))
		return -EINVAL;
	*out = format_datetime(ms, "Z");
	return 0;
}

int transform_parse_date(const char *in, int64_t *days)
{
	int64_t ms;

	if (!in || strlen(in) > TRANSFORM_MAX_SCALAR)
		return -EINVAL;
	if (parse_epoch_ms(in, &ms) == 0) {
		if (ms < MIN_MS || ms > MAX_MS || ms % MS_PER_DAY != 0)
			return -EINVAL;
		*days = ms / MS_PER_DAY;
		return 0;
	}
	if (parse_ymd(in, days) != 10 || in[10])
		return -EINVAL;
	return 0;
}

static char *format_date(int64_t days)
{
	int y, m, d;

	civil_from_days(days, &y, &m, &d);
	return xasprintf("%04d-%02d-%02d", y, m, d);
}

int transform_date(const char *in, char **out)
{
	int64_t days;

	if (transform_parse_date(in, &days))
		return -EINVAL;
	*out = format_date(days);
	return 0;
}

int transform_datetime_to_date(const char *in, char **out)
{
	int64_t ms, days;

	/* a plain date is accepted too, so the function is idempotent */
	if (transform_parse_datetime(in, &ms) == 0) {
		days = ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY);
	} else if (!in || parse_ymd(in, &days) != 10 || in[10]) {
		return -EINVAL;
	}
	*out = format_date(days);
	return 0;
}

int transform_date_to_datetime(const char *in, char **out)
{
	int64_t days, ms;

	if (transform_parse_date(in, &days) == 0) {
		*out = format_datetime(days * MS_PER_DAY, "Z");
		return 0;
	}
	if (transform_parse_datetime(in, &ms))
		return -EINVAL;
	*out = format_datetime(ms, "Z");
	return 0;
}

int transform_number(const char *in, char **out)
{
	char dig[TRANSFORM_MAX_SCALAR + 1];
	size_t nd = 0, start = 0, i, n;
	long point = 0, exp = 0;
	int neg = 0, seen = 0;
	struct strbuf sb = { 0 };
	const char *p = in;

	if (!in || strlen(in) > TRANSFORM_MAX_SCALAR)
		return -EINVAL;
	while (is_blank(*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; is_digit(*p); p++, seen = 1)
		dig[nd++] = *p;
	point = (long)nd;
	if (*p == '.') {
		for (p++; is_digit(*p); p++, seen = 1)
			dig[nd++] = *p;
	}
	if (!seen)
		return -EINVAL;
	if (*p == 'e' || *p == 'E') {
		int eneg = 0, ne = 0;

		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		for (; is_digit(*p); p++, ne++) {
			if (ne >= 6)
				return -EINVAL;
			exp = exp * 10 + (*p - '0');
		}
		if (ne == 0)
			return -EINVAL;
		if (eneg)
			exp = -exp;
	}
	while (is_blank(*p))
		p++;
	if (*p)
		return -EINVAL;
	point += exp;
	/* strip leading zeros (moving the point) and trailing zeros */
	while (start < nd && dig[start] == '0') {
		start++;
		point--;
	}
	while (nd > start && dig[nd - 1] == '0')
		nd--;
	n = nd - start;
	if (n == 0) {
		*out = xstrdup("0");
		return 0;
	}
	if (point > NUMBER_MAX_DIGITS || point < -NUMBER_MAX_DIGITS ||
	    n + (size_t)labs(point) > NUMBER_MAX_DIGITS)
		return -EINVAL;
	if (neg)
		strbuf_addstr(&sb, "-");
	if (point <= 0) {
		strbuf_addstr(&sb, "0.");
		for (i = 0; i < (size_t)-point; i++)
			strbuf_addstr(&sb, "0");
		strbuf_add(&sb, dig + start, n);
	} else if ((size_t)point >= n) {
		strbuf_add(&sb, dig + start, n);
		for (i = n; i < (size_t)point; i++)
			strbuf_addstr(&sb, "0");
	} else {
		strbuf_add(&sb, dig + start, (size_t)point);
		strbuf_addstr(&sb, ".");
		strbuf_add(&sb, dig + start + point, n - (size_t)point);
	}
	*out = strbuf_detach(&sb);
	return 0;
}

int transform_parse_bool(const char *in)
{
	static const char *const yes[] = { "true", "yes", "1" };
	static const char *const no[] = { "false", "no", "0" };
	char w[8];
	size_t n = 0;
	const char *p = in;

	if (!in)
		return -EINVAL;
	while (is_blank(*p))
		p++;
	while (*p && !is_blank(*p)) {
		if (n >= sizeof(w) - 1)
			return -EINVAL;
		w[n++] = *p++;
	}
	w[n] = '\0';
	while (is_blank(*p))
		p++;
	if (*p)
		return -EINVAL;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!str_casecmp_ascii(w, yes[i]))
			return 1;
		if (!str_casecmp_ascii(w, no[i]))
			return 0;
	}
	return -EINVAL;
}

int transform_bool(const char *in, char **out)
{
	int b = transform_parse_bool(in);

	if (b < 0)
		return -EINVAL;
	*out = xstrdup(b ? "true" : "false");
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int transform_multi(const char *in, transform_item_map_fn map, void *ctx, char **out)
{
	char **items = NULL;
	size_t n = 0;
	struct strbuf sb = { 0 };
	const char *p = in;
	int err = 0;

	if (!in)
		return -EINVAL;
	for (const char *q = in; *q; q++) {
		if ((unsigned char)*q < 0x20 && !is_blank(*q))
			return -EINVAL;
	}
	while (*p) {
		const char *e = strchr(p, ';');
		const char *b = p, *end = e ? e : p + strlen(p);

		while (b < end && is_blank(*b))
			b++;
		while (end > b && is_blank(end[-1]))
			end--;
		if (end > b) {
			char *item = xstrndup(b, (size_t)(end - b));
			const char *m = map ? map(ctx, item) : NULL;

			if (m) {
				if (strchr(m, ';')) {
					free(item);
					err = -EINVAL;
					goto out_free;
				}
				free(item);
				item = xstrdup(m);
			}
			items = xrealloc(items, (n + 1) * sizeof(*items));
			items[n++] = item;
		}
		if (!e)
			break;
		p = e + 1;
	}
	if (n)
		qsort(items, n, sizeof(*items), cmp_str);
	for (size_t i = 0; i < n; i++) {
		if (i && !strcmp(items[i], items[i - 1]))
			continue;
		if (sb.len)
			strbuf_addstr(&sb, ";");
		strbuf_addstr(&sb, items[i]);
	}
	*out = strbuf_detach(&sb);
out_free:
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
	return err;
}

size_t transform_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	}
	return n;
}
