/*
 * util.c - allocation, strings, error lists, file reading and small parsers
 * for the core. Must not log: callers decide what a failure means.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void oom(void)
{
	fputs("crmsync: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		oom();
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *p;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		oom();
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->len + n + 1 > sb->cap) {
		size_t cap = sb->cap ? sb->cap : 64;

		while (cap < sb->len + n + 1)
			cap *= 2;
		sb->buf = xrealloc(sb->buf, cap);
		sb->cap = cap;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_addstr(sb, p);
	free(p);
}

char *strbuf_detach(struct strbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");

	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void strbuf_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

void errlist_add(struct errlist *el, const char *fmt, ...)
{
	size_t cap = el->cap ? el->cap : 200;
	va_list ap;

	el->total++;
	if (el->n >= cap)
		return;
	el->msg = xrealloc(el->msg, (el->n + 1) * sizeof(*el->msg));
	va_start(ap, fmt);
	el->msg[el->n++] = xvasprintf(fmt, ap);
	va_end(ap);
}

void errlist_print(const struct errlist *el, const char *prog)
{
	for (size_t i = 0; i < el->n; i++)
		fprintf(stderr, "%s: %s\n", prog, el->msg[i]);
	if (el->total > el->n)
		fprintf(stderr, "%s: ... and %zu more errors\n", prog, el->total - el->n);
}

void errlist_release(struct errlist *el)
{
	for (size_t i = 0; i < el->n; i++)
		free(el->msg[i]);
	free(el->msg);
	el->msg = NULL;
	el->n = el->total = 0;
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		err = -EISDIR;
		goto out_close;
	}
	if ((uint64_t)st.st_size > max) {
		err = -EFBIG;
		goto out_close;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	for (;;) {
		ssize_t r;

		if (got == (size_t)st.st_size) {
			/* the file may have grown: read one more byte to know */
			char c;

			r = read(fd, &c, 1);
			if (r == 0)
				break;
			if (r < 0 && errno == EINTR)
				continue;
			err = r < 0 ? -errno : -EFBIG;
			goto out_free;
		}
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out_free;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	close(fd);
	*out = buf;
	if (len)
		*len = got;
	return 0;

out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}

char *str_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int str_casecmp_ascii(const char *a, const char *b)
{
	return strcasecmp(a, b);
}

int str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

int parse_int64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end || end == s)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_duration_ms(const char *s, int64_t *out)
{
	int64_t total = 0;
	const char *p = s;

	if (!s || !*s)
		return -EINVAL;
	while (*p) {
		int64_t v = 0, mult;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9') {
			if (v > (INT64_MAX - 9) / 10)
				return -ERANGE;
			v = v * 10 + (*p++ - '0');
		}
		if (strncmp(p, "ms", 2) == 0) {
			mult = 1;
			p += 2;
		} else if (*p == 's' || *p == '\0') {
			mult = 1000;
			p += *p ? 1 : 0;
		} else if (*p == 'm') {
			mult = 60 * 1000;
			p++;
		} else if (*p == 'h') {
			mult = 3600 * 1000;
			p++;
		} else if (*p == 'd') {
			mult = 86400 * 1000;
			p++;
		} else {
			return -EINVAL;
		}
		if (v > (INT64_MAX - total) / mult)
			return -ERANGE;
		total += v * mult;
	}
	*out = total;
	return 0;
}

int parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -EINVAL;
}

int name_is_valid(const char *s)
{
	size_t n = 0;

	if (!s || !*s || *s == '-')
		return 0;
	for (; *s; s++, n++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	}
	return n <= 64;
}

void secure_zero(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n--)
		*v++ = 0;
}

void secret_free(char **p)
{
	if (*p) {
		secure_zero(*p, strlen(*p));
		free(*p);
		*p = NULL;
	}
}

static uint64_t strmap_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

static void strmap_grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	size_t oldcap = m->cap;

	m->cap = m->cap ? m->cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	m->n = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (old[i].key) {
			size_t j = strmap_hash(old[i].key) & (m->cap - 1);

			while (m->slots[j].key)
				j = (j + 1) & (m->cap - 1);
			m->slots[j] = old[i];
			m->n++;
		}
	}
	free(old);
}

void strmap_put(struct strmap *m, const char *key, void *value)
{
	size_t j;

	if ((m->n + 1) * 2 > m->cap)
		strmap_grow(m);
	j = strmap_hash(key) & (m->cap - 1);
	while (m->slots[j].key) {
		if (strcmp(m->slots[j].key, key) == 0) {
			m->slots[j].value = value;
			return;
		}
		j = (j + 1) & (m->cap - 1);
	}
	m->slots[j].key = xstrdup(key);
	m->slots[j].value = value;
	m->n++;
}

void *strmap_get(const struct strmap *m, const char *key)
{
	size_t j;

	if (!m->cap)
		return NULL;
	j = strmap_hash(key) & (m->cap - 1);
	while (m->slots[j].key) {
		if (strcmp(m->slots[j].key, key) == 0)
			return m->slots[j].value;
		j = (j + 1) & (m->cap - 1);
	}
	return NULL;
}

void strmap_release(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

int64_t clock_now_ms(void)
{
	struct timespec ts;
	const char *fake = getenv("CRMSYNC_FAKE_NOW_MS");
	int64_t v;

	if (fake && parse_int64(fake, &v) == 0)
		return v;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
