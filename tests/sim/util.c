/*
 * crmsync-sim helpers shared by the frame and the sides: the simulator's
 * clock (shiftable and freezable by /__admin/clock), time formatting and parsing in both
 * services' formats, correlation ids and form-body decoding.
 * Nothing here keeps per-side state.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "frame.h"

static _Atomic int64_t clock_offset_ms;
static _Atomic int64_t clock_frozen_ms;   /* 0: the clock runs */
static _Atomic uint64_t uuid_counter;

void sim_clock_set_offset(int64_t offset_ms)
{
	atomic_store(&clock_offset_ms, offset_ms);
}

void sim_clock_freeze(bool freeze)
{
	atomic_store(&clock_frozen_ms, 0);
	if (freeze)
		atomic_store(&clock_frozen_ms, sim_now_ms());
}

int sim_clock_frozen(void)
{
	return atomic_load(&clock_frozen_ms) != 0;
}

int64_t sim_clock_offset(void)
{
	return atomic_load(&clock_offset_ms);
}

int64_t sim_now_ms(void)
{
	struct timespec ts;
	int64_t frozen = atomic_load(&clock_frozen_ms);

	if (frozen)
		return frozen;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&clock_offset_ms);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void split_ms(int64_t ms, int *y, int *mo, int *d, int *h, int *mi, int *s, int *frac)
{
	int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	int64_t rest = ms - days * 86400000;

	civil_from_days(days, y, mo, d);
	*h = (int)(rest / 3600000);
	*mi = (int)(rest / 60000 % 60);
	*s = (int)(rest / 1000 % 60);
	*frac = (int)(rest % 1000);
}

void sim_fmt_iso_time(int64_t ms, char *buf, size_t len)
{
	int y, mo, d, h, mi, s, f;

	split_ms(ms, &y, &mo, &d, &h, &mi, &s, &f);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, h, mi, s, f);
}

void sim_fmt_sf_time(int64_t ms, char *buf, size_t len)
{
	int y, mo, d, h, mi, s, f;

	split_ms(ms, &y, &mo, &d, &h, &mi, &s, &f);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", y, mo, d, h, mi, s, f);
}

static int take_digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

int64_t sim_parse_time(const char *s)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, tzsign = 0, tzh = 0, tzm = 0;

	if (!s || take_digits(&p, 4, &y) || *p++ != '-' || take_digits(&p, 2, &mo) ||
	    *p++ != '-' || take_digits(&p, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (*p == '\0')
		goto done;
	if (*p != 'T' && *p != ' ')
		return -1;
	p++;
	if (take_digits(&p, 2, &h) || *p++ != ':' || take_digits(&p, 2, &mi))
		return -1;
	if (*p == ':') {
		p++;
		if (take_digits(&p, 2, &sec))
			return -1;
		if (*p == '.') {
			int scale = 100;

			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p)) {
				ms += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		tzsign = *p == '+' ? 1 : -1;
		p++;
		if (take_digits(&p, 2, &tzh))
			return -1;
		if (*p == ':')
			p++;
		if (take_digits(&p, 2, &tzm))
			return -1;
	}
	if (*p != '\0' || h > 23 || mi > 59 || sec > 60)
		return -1;
done:
	return days_from_civil(y, mo, d) * 86400000 + (int64_t)h * 3600000 + mi * 60000 +
	       sec * 1000 + ms - (int64_t)tzsign * (tzh * 3600000 + tzm * 60000);
}

void sim_uuid(char *buf)
{
	uint64_t st = atomic_fetch_add(&uuid_counter, 1) * 0x9E3779B97F4A7C15ull ^
		      (uint64_t)sim_now_ms();
	uint64_t a = sim_rand_next(&st), b = sim_rand_next(&st);

	snprintf(buf, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
		 (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
		 (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
		 (unsigned long long)(b & 0xffffffffffffull));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int sim_form_get(const char *body, size_t len, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name);
	const char *p = body, *end = body + len;

	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;

		if ((size_t)(stop - p) > nlen && !memcmp(p, name, nlen) && p[nlen] == '=') {
			size_t o = 0;

			for (const char *q = p + nlen + 1; q < stop; q++) {
				int c = (unsigned char)*q;

				if (c == '+') {
					c = ' ';
				} else if (c == '%' && stop - q > 2 && hexval(q[1]) >= 0 &&
					   hexval(q[2]) >= 0) {
					c = hexval(q[1]) * 16 + hexval(q[2]);
					q += 2;
				}
				if (o + 1 >= outlen)
					return -ENOSPC;
				out[o++] = (char)c;
			}
			out[o] = '\0';
			return 0;
		}
		p = amp ? amp + 1 : NULL;
	}
	return -ENOENT;
}

void sim_ascii_lower(char *dst, const char *src, size_t dstlen)
{
	size_t i = 0;

	if (!dstlen)
		return;
	for (; src[i] && i + 1 < dstlen; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}
