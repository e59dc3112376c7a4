/*
 * options.c - option tables declared as data: parse INI text into a
 * component's context by type, apply defaults, enforce REQUIRED and bounds,
 * read SECRET values from protected files. The same tables drive
 * `crmsync plugins describe`. Must never put a secret into an error.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "util.h"

#define SECRET_MAX (64u * 1024)

const char *option_type_name(uint32_t type)
{
	switch (type) {
	case CRMSYNC_OPT_STRING:
		return "string";
	case CRMSYNC_OPT_INT:
		return "integer";
	case CRMSYNC_OPT_BOOL:
		return "boolean";
	case CRMSYNC_OPT_DURATION:
		return "duration";
	case CRMSYNC_OPT_ENUM:
		return "choice";
	case CRMSYNC_OPT_LIST:
		return "list";
	}
	return "?";
}

char *path_resolve(const char *base_dir, const char *path)
{
	if (path[0] == '/' || !base_dir || !*base_dir)
		return xstrdup(path);
	return xasprintf("%s/%s", base_dir, path);
}

static size_t value_size(uint32_t type)
{
	switch (type) {
	case CRMSYNC_OPT_STRING:
		return sizeof(char *);
	case CRMSYNC_OPT_INT:
	case CRMSYNC_OPT_DURATION:
		return sizeof(int64_t);
	case CRMSYNC_OPT_BOOL:
	case CRMSYNC_OPT_ENUM:
		return sizeof(int);
	case CRMSYNC_OPT_LIST:
		return sizeof(char **);
	}
	return 0;
}

int options_check_table(const struct crmsync_option *tab, size_t ctx_size, const char *who,
			struct errlist *errs)
{
	int bad = 0;

	for (const struct crmsync_option *o = tab; o && o->key; o++) {
		size_t vs = value_size(o->type);

		if (!name_is_valid(o->key) || strcmp(o->key, "plugin") == 0 ||
		    strcmp(o->key, "enabled") == 0) {
			errlist_add(errs, "%s: option '%s' has an invalid or reserved name", who, o->key);
			bad = 1;
		}
		if (!vs) {
			errlist_add(errs, "%s: option '%s' has unknown type %u", who, o->key,
				    (unsigned)o->type);
			bad = 1;
		} else if (o->offset + vs > ctx_size || o->offset % vs) {
			errlist_add(errs, "%s: option '%s' is stored outside its %zu-byte context or misaligned",
				    who, o->key, ctx_size);
			bad = 1;
		}
		if (o->type == CRMSYNC_OPT_ENUM && (!o->choices || !o->choices[0])) {
			errlist_add(errs, "%s: choice option '%s' lists no choices", who, o->key);
			bad = 1;
		}
		if ((o->flags & CRMSYNC_OPT_SECRET) && o->type != CRMSYNC_OPT_STRING) {
			errlist_add(errs, "%s: secret option '%s' must be a string", who, o->key);
			bad = 1;
		}
		for (const struct crmsync_option *p = tab; p < o; p++) {
			if (strcmp(p->key, o->key) == 0) {
				errlist_add(errs, "%s: option '%s' is declared twice", who, o->key);
				bad = 1;
			}
		}
	}
	return bad ? -EINVAL : 0;
}

static char *read_secret(const char *path, const char *where, struct errlist *errs)
{
	struct stat st;
	char *buf;
	size_t len;
	int err;

	if (stat(path, &st) < 0) {
		errlist_add(errs, "%s: cannot read secret file '%s': %s", where, path, strerror(errno));
		return NULL;
	}
	if (st.st_mode & 077) {
		errlist_add(errs,
			    "%s: secret file '%s' is readable or writable by others (mode %04o): fix with "
			    "'chmod 600 %s'",
			    where, path, (unsigned)(st.st_mode & 07777), path);
		return NULL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		errlist_add(errs, "%s: secret file '%s' is owned by uid %u, not by root or the daemon's user",
			    where, path, (unsigned)st.st_uid);
		return NULL;
	}
	err = read_file(path, SECRET_MAX, &buf, &len);
	if (err) {
		errlist_add(errs, "%s: cannot read secret file '%s': %s", where, path, strerror(-err));
		return NULL;
	}
	if (memchr(buf, '\0', len)) {
		errlist_add(errs, "%s: secret file '%s' contains a NUL byte", where, path);
		secure_zero(buf, len);
		free(buf);
		return NULL;
	}
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (!len) {
		errlist_add(errs, "%s: secret file '%s' is empty", where, path);
		free(buf);
		return NULL;
	}
	return buf;
}

static char **split_list(const char *s)
{
	char **v = NULL;
	size_t n = 0;
	const char *p = s;

	for (;;) {
		const char *e = strchr(p, ',');
		char *item = e ? xstrndup(p, (size_t)(e - p)) : xstrdup(p);
		char *t = str_trim(item);

		if (*t) {
			v = xrealloc(v, (n + 2) * sizeof(*v));
			v[n++] = xstrdup(t);
		}
		free(item);
		if (!e)
			break;
		p = e + 1;
	}
	if (!v)
		v = xcalloc(1, sizeof(*v));
	v[n] = NULL;
	return v;
}

static void free_value(const struct crmsync_option *o, void *ctx)
{
	char *base = ctx;

	if (o->type == CRMSYNC_OPT_STRING) {
		char **sp = (char **)(void *)(base + o->offset);

		if (*sp && (o->flags & CRMSYNC_OPT_SECRET))
			secure_zero(*sp, strlen(*sp));
		free(*sp);
		*sp = NULL;
	} else if (o->type == CRMSYNC_OPT_LIST) {
		char ***lp = (char ***)(void *)(base + o->offset);

		for (char **p = *lp; p && *p; p++)
			free(*p);
		free(*lp);
		*lp = NULL;
	}
}

/* Store `text` for option o. `where` prefixes errors. Returns 0 or -EINVAL. */
static int set_value(const struct crmsync_option *o, void *ctx, const char *text,
		     const char *where, const char *base_dir, struct errlist *errs)
{
	char *base = ctx;
	int64_t v;
	int b, err;

	switch (o->type) {
	case CRMSYNC_OPT_STRING: {
		char *s;

		if (o->flags & CRMSYNC_OPT_SECRET) {
			char *path = path_resolve(base_dir, text);

			s = read_secret(path, where, errs);
			free(path);
			if (!s)
				return -EINVAL;
		} else {
			s = xstrdup(text);
		}
		free_value(o, ctx);
		*(char **)(void *)(base + o->offset) = s;
		return 0;
	}
	case CRMSYNC_OPT_INT:
		err = parse_int64(text, &v);
		if (err) {
			errlist_add(errs, "%s: '%s' is not an integer", where, text);
			return -EINVAL;
		}
		goto check_range;
	case CRMSYNC_OPT_DURATION:
		err = parse_duration_ms(text, &v);
		if (err) {
			errlist_add(errs,
				    "%s: '%s' is not a duration (write e.g. 500ms, 30s, 5m, 2h, 1d)",
				    where, text);
			return -EINVAL;
		}
		goto check_range;
	case CRMSYNC_OPT_BOOL:
		b = parse_bool(text);
		if (b < 0) {
			errlist_add(errs, "%s: '%s' is not a boolean (write yes or no)", where, text);
			return -EINVAL;
		}
		*(int *)(void *)(base + o->offset) = b;
		return 0;
	case CRMSYNC_OPT_ENUM:
		for (int i = 0; o->choices[i]; i++) {
			if (strcmp(o->choices[i], text) == 0) {
				*(int *)(void *)(base + o->offset) = i;
				return 0;
			}
		}
		{
			struct strbuf sb = { 0 };
			char *list;

			for (int i = 0; o->choices[i]; i++)
				strbuf_addf(&sb, "%s%s", i ? ", " : "", o->choices[i]);
			list = strbuf_detach(&sb);
			errlist_add(errs, "%s: '%s' is not one of: %s", where, text, list);
			free(list);
		}
		return -EINVAL;
	case CRMSYNC_OPT_LIST:
		free_value(o, ctx);
		*(char ***)(void *)(base + o->offset) = split_list(text);
		return 0;
	}
	return -EINVAL;

check_range:
	if ((o->min || o->max) && (v < o->min || v > o->max)) {
		if (o->type == CRMSYNC_OPT_DURATION)
			errlist_add(errs, "%s: '%s' is out of range (%lld ms to %lld ms)", where, text,
				    (long long)o->min, (long long)o->max);
		else
			errlist_add(errs, "%s: %lld is out of range (%lld to %lld)", where, (long long)v,
				    (long long)o->min, (long long)o->max);
		return -EINVAL;
	}
	*(int64_t *)(void *)(base + o->offset) = v;
	return 0;
}

static int is_reserved(const char *key, const char *const *reserved)
{
	for (; reserved && *reserved; reserved++)
		if (strcmp(*reserved, key) == 0)
			return 1;
	return 0;
}

/* Suggest a key that differs by one edit or by case, for "did you mean". */
static const char *suggest(const struct crmsync_option *tab, const char *key)
{
	for (const struct crmsync_option *o = tab; o && o->key; o++) {
		size_t a = strlen(o->key), b = strlen(key), i = 0, j;

		if (str_casecmp_ascii(o->key, key) == 0)
			return o->key;
		if (a > b + 1 || b > a + 1)
			continue;
		while (i < a && i < b && o->key[i] == key[i])
			i++;
		for (j = 0; j < a - i && j < b - i && o->key[a - 1 - j] == key[b - 1 - j]; j++)
			;
		if (i + j + 1 >= (a > b ? a : b))
			return o->key;
	}
	return NULL;
}

void options_apply(const struct crmsync_option *tab, void *ctx, const struct cfg_section *sec,
		   const char *file, const char *base_dir, const char *const *reserved,
		   struct errlist *errs)
{
	const struct crmsync_option *o;

	for (size_t i = 0; i < sec->n; i++) {
		const struct cfg_kv *kv = &sec->kv[i];
		char *where;

		if (is_reserved(kv->key, reserved))
			continue;
		for (o = tab; o && o->key; o++)
			if (strcmp(o->key, kv->key) == 0)
				break;
		if (!o || !o->key) {
			const char *s = suggest(tab, kv->key);

			errlist_add(errs, "%s:%d: [%s] %s: unknown key%s%s%s", file, kv->line, sec->header,
				    kv->key, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
			continue;
		}
		where = xasprintf("%s:%d: [%s] %s", file, kv->line, sec->header, kv->key);
		if (!*kv->value && (o->flags & CRMSYNC_OPT_REQUIRED))
			errlist_add(errs, "%s: a value is required", where);
		else
			set_value(o, ctx, kv->value, where, base_dir, errs);
		free(where);
	}
	for (o = tab; o && o->key; o++) {
		char *where;

		if (cfg_section_find(sec, o->key))
			continue;
		if (o->flags & CRMSYNC_OPT_REQUIRED) {
			errlist_add(errs, "%s:%d: [%s] %s: missing required key (%s)", file, sec->line,
				    sec->header, o->key, o->help ? o->help : option_type_name(o->type));
			continue;
		}
		if (!o->def)
			continue;
		where = xasprintf("%s:%d: [%s] %s (default '%s')", file, sec->line, sec->header,
				  o->key, o->def);
		set_value(o, ctx, o->def, where, base_dir, errs);
		free(where);
	}
}

void options_free(const struct crmsync_option *tab, void *ctx)
{
	if (!ctx)
		return;
	for (const struct crmsync_option *o = tab; o && o->key; o++)
		free_value(o, ctx);
}
