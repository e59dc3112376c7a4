/*
 * util.h - small helpers shared by the core: checked allocation, string
 * building, error lists, file reading. No knowledge of plugins or services.
 */
#ifndef CRMSYNC_UTIL_H
#define CRMSYNC_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that aborts on exhaustion: the core cannot continue safely
 * without memory, and every caller checking would hide real errors. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A growable string. */
struct strbuf {
	char *buf;
	size_t len, cap;
};
void strbuf_add(struct strbuf *sb, const char *s, size_t n);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *strbuf_detach(struct strbuf *sb); /* caller frees; never NULL */
void strbuf_release(struct strbuf *sb);

/* A list of error messages, collected so that all of them are reported at
 * once. Past `cap` messages only the count grows. */
struct errlist {
	char **msg;
	size_t n;        /* stored */
	size_t total;    /* reported, stored or not */
	size_t cap;      /* 0 = default (200) */
};
void errlist_add(struct errlist *el, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errlist_print(const struct errlist *el, const char *prog);
void errlist_release(struct errlist *el);

/* Read a whole regular file of at most max bytes. Returns 0 and a
 * NUL-terminated buffer (caller frees), or a negative errno (-EFBIG when too
 * large). */
int read_file(const char *path, size_t max, char **out, size_t *len);

/* String helpers. */
char *str_trim(char *s);                 /* in place; returns s past leading space */
int str_casecmp_ascii(const char *a, const char *b);
int str_has_suffix(const char *s, const char *suffix);
/* Parse "500ms", "30s", "5m", "2h", "1d", "1h30m", bare seconds. 0 or -EINVAL/-ERANGE. */
int parse_duration_ms(const char *s, int64_t *out);
/* Parse a base-10 integer, whole string. 0 or -EINVAL/-ERANGE. */
int parse_int64(const char *s, int64_t *out);
/* yes/no, true/false, on/off, 1/0 -> 1/0; -EINVAL otherwise. */
int parse_bool(const char *s);
/* Is s a valid plugin/instance name: [a-z0-9_-]{1,64}, not starting with '-'. */
int name_is_valid(const char *s);

/* Zero memory in a way the compiler cannot remove (for secrets). */
void secure_zero(void *p, size_t n);
/* Wipe and free a secret string, and set the pointer to NULL. */
void secret_free(char **p);



/* A string-keyed hash map (keys copied, values borrowed). */
struct strmap_slot {
	char *key;
	void *value;
};
struct strmap {
	struct strmap_slot *slots;
	size_t cap, n;
};
void strmap_put(struct strmap *m, const char *key, void *value);
void *strmap_get(const struct strmap *m, const char *key);
void strmap_release(struct strmap *m);

/* The daemon's clock for schedules (retries, digests) and plugins, in ms
 * since the epoch: CRMSYNC_FAKE_NOW_MS, when set, stands in for the real
 * time so tests can move it. Sync cursors use the real clock. */
int64_t clock_now_ms(void);

#endif
