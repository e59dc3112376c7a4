/*
 * config.c - reads the INI file with inih into sections, then checks it:
 * core sections against the core's own option tables, plugin sections
 * against their plugin's table, the dispatch table against the resolvers.
 * Collects every error before failing. Must not echo a secret's value.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "util.h"

static const char *const log_levels[] = { "error", "warning", "notice", "info", "debug", NULL };

static const struct crmsync_option core_options[] = {
	{ "state", CRMSYNC_OPT_STRING, 0, LOCALSTATEDIR "/lib/crmsync/state.db",
	  offsetof(struct core_settings, state), "state database (SQLite) path", NULL, 0, 0 },
	{ "plugin_dir", CRMSYNC_OPT_STRING, 0, PLUGINDIR, offsetof(struct core_settings, plugin_dir),
	  "directory plugins are loaded from (absolute; CRMSYNC_PLUGIN_DIR overrides)", NULL, 0, 0 },
	{ "mappings_dir", CRMSYNC_OPT_STRING, 0, SYSCONFDIR "/crmsync/mappings",
	  offsetof(struct core_settings, mappings_dir), "directory of the default field mappings",
	  NULL, 0, 0 },
	{ "interval", CRMSYNC_OPT_DURATION, 0, "5m", offsetof(struct core_settings, interval_ms),
	  "time between two sync cycles", NULL, 1000, 7 * 86400 * 1000LL },
	{ "change_overlap", CRMSYNC_OPT_DURATION, 0, "5m", offsetof(struct core_settings, overlap_ms),
	  "how far behind its cursor each cycle re-reads changes (late commits, eventually "
	  "consistent search); re-read records cost reads, never writes", NULL, 0, 86400 * 1000LL },
	{ "metadata_refresh", CRMSYNC_OPT_DURATION, 0, "15m", offsetof(struct core_settings, metadata_ms),
	  "how long a Salesforce describe or a HubSpot property list is reused before it is read "
	  "again (0: every cycle); a resync, SIGHUP or a write refused for a field reads it at once",
	  NULL, 0, 86400 * 1000LL },
	{ "batch_records", CRMSYNC_OPT_INT, 0, "20000", offsetof(struct core_settings, batch_records),
	  "the most changed records one pass of a cycle reads per side (a group sharing one "
	  "modification time is never split); memory grows with it, not with the org",
	  NULL, 100, 100000000 },
	{ "log_level", CRMSYNC_OPT_ENUM, 0, "info", offsetof(struct core_settings, log_level),
	  "least severe level logged", log_levels, 0, 0 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static const struct crmsync_option salesforce_options[] = {
	{ "login_url", CRMSYNC_OPT_STRING, 0, "https://login.salesforce.com",
	  offsetof(struct salesforce_settings, login_url),
	  "OAuth login host: login.salesforce.com, test.salesforce.com, or a My Domain URL", NULL, 0, 0 },
	{ "sandbox_login_url", CRMSYNC_OPT_STRING, 0, "https://test.salesforce.com",
	  offsetof(struct salesforce_settings, sandbox_login_url),
	  "login host of 'crmsync connect salesforce --sandbox': test.salesforce.com, or the "
	  "sandbox's My Domain URL", NULL, 0, 0 },
	{ "credentials", CRMSYNC_OPT_STRING, 0, SYSCONFDIR "/crmsync/salesforce.json",
	  offsetof(struct salesforce_settings, credentials),
	  "credentials file (mode 0600), written by 'crmsync connect salesforce'", NULL, 0, 0 },
	{ "api_version", CRMSYNC_OPT_STRING, 0, "59.0", offsetof(struct salesforce_settings, api_version),
	  "REST API version", NULL, 0, 0 },
	{ "external_id_field", CRMSYNC_OPT_STRING, 0, "CrmSync_Id__c",
	  offsetof(struct salesforce_settings, external_id_field),
	  "External ID (unique) text field crmsync creates records with, on every synced object; "
	  "makes a create after a crash an update, never a duplicate", NULL, 0, 0 },
	{ "api_allocation", CRMSYNC_OPT_INT, 0, "20000",
	  offsetof(struct salesforce_settings, api_allocation),
	  "Salesforce API calls crmsync may use per rolling 24 h", NULL, 1, 1000000000 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static const struct crmsync_option hubspot_options[] = {
	{ "base_url", CRMSYNC_OPT_STRING, 0, "https://api.hubapi.com",
	  offsetof(struct hubspot_settings, base_url), "HubSpot API base URL", NULL, 0, 0 },
	{ "credentials", CRMSYNC_OPT_STRING, 0, SYSCONFDIR "/crmsync/hubspot.json",
	  offsetof(struct hubspot_settings, credentials),
	  "credentials file (mode 0600), written by 'crmsync connect hubspot'", NULL, 0, 0 },
	{ "external_id_property", CRMSYNC_OPT_STRING, 0, "crmsync_id",
	  offsetof(struct hubspot_settings, external_id_property),
	  "unique-value property crmsync creates records with (created when missing)", NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static const char *const frequencies[] = { "immediate", "daily", "weekly", NULL };

/* Keys the core handles in plugin sections, by section type. */
static const char *const object_reserved[] = { "plugin", "enabled", "mapping", NULL };
static const char *const resolver_reserved[] = { "plugin", NULL };
static const char *const notifier_reserved[] = { "plugin", "enabled", "frequency", "digest_time",
						 "digest_day", NULL };
static const char *const weekdays[] = { "sunday", "monday", "tuesday", "wednesday", "thursday",
					"friday", "saturday", NULL };

struct parse_state {
	struct config *cfg;
	const char *file;
	struct errlist *errs;
	const char *buf, *end, *pos;   /* the reader's input */
	int line;                      /* line the reader last returned */
	struct cfg_section *cur;       /* section of that line */
	int cur_valid;                 /* 0 after an invalid header: skip its keys */
	int seen_key;                  /* has the handler been called for this line */
	int key_colons;                /* the reader hid ':' in this line's key */
};

const struct cfg_kv *cfg_section_find(const struct cfg_section *sec, const char *key)
{
	for (size_t i = 0; i < sec->n; i++)
		if (strcmp(sec->kv[i].key, key) == 0)
			return &sec->kv[i];
	return NULL;
}

const char *cfg_section_get(const struct cfg_section *sec, const char *key)
{
	const struct cfg_kv *kv = cfg_section_find(sec, key);

	return kv ? kv->value : NULL;
}

static void section_free(struct cfg_section *sec)
{
	for (size_t i = 0; i < sec->n; i++) {
		free(sec->kv[i].key);
		free(sec->kv[i].value);
	}
	free(sec->kv);
	free(sec->header);
	free(sec->name);
	free(sec);
}

/* Parse a section header "object contact" into type and name. */
static int header_parse(const char *h, enum section_type *type, char **name)
{
	static const struct { const char *word; enum section_type type; int named; } words[] = {
		{ "core", SEC_CORE, 0 },         { "salesforce", SEC_SALESFORCE, 0 },
		{ "hubspot", SEC_HUBSPOT, 0 },   { "dispatch", SEC_DISPATCH, 0 },
		{ "object", SEC_OBJECT, 1 },     { "resolver", SEC_RESOLVER, 1 },
		{ "notifier", SEC_NOTIFIER, 1 },
	};
	const char *sp = strpbrk(h, " \t");
	size_t wl = sp ? (size_t)(sp - h) : strlen(h);

	*name = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (strlen(words[i].word) != wl || strncmp(words[i].word, h, wl) != 0)
			continue;
		*type = words[i].type;
		if (!words[i].named)
			return sp ? -EINVAL : 0;
		if (!sp)
			return -EINVAL;
		while (*sp == ' ' || *sp == '\t')
			sp++;
		if (!name_is_valid(sp))
			return -EINVAL;
		*name = xstrdup(sp);
		return 0;
	}
	return -ENOENT;
}

static void open_section(struct parse_state *ps, const char *header)
{
	struct config *cfg = ps->cfg;
	struct cfg_section *sec;
	enum section_type type = 0;
	char *name = NULL;
	int err = header_parse(header, &type, &name);

	ps->cur = NULL;
	ps->cur_valid = 0;
	if (err == -ENOENT) {
		errlist_add(ps->errs,
			    "%s:%d: [%s]: unknown section; expected [core], [salesforce], [hubspot], "
			    "[object NAME], [resolver NAME], [notifier NAME] or [dispatch]",
			    ps->file, ps->line, header);
		return;
	}
	if (err) {
		errlist_add(ps->errs,
			    "%s:%d: [%s]: bad section header; write [core], [salesforce], [hubspot], "
			    "[dispatch], or [object|resolver|notifier NAME] with NAME made of [a-z0-9_-]",
			    ps->file, ps->line, header);
		return;
	}
	for (size_t i = 0; i < cfg->nsec; i++) {
		struct cfg_section *o = cfg->sec[i];

		if (o->type == type && ((!o->name && !name) || (o->name && name && !strcmp(o->name, name)))) {
			errlist_add(ps->errs, "%s:%d: [%s]: section repeated (first at line %d); merge them",
				    ps->file, ps->line, header, o->line);
			free(name);
			return;
		}
		/* one instance name per kind is enough: duplicate check by type+name */
	}
	sec = xcalloc(1, sizeof(*sec));
	sec->type = type;
	sec->header = xstrdup(header);
	sec->name = name;
	sec->line = ps->line;
	if ((cfg->nsec & (cfg->nsec - 1)) == 0)
		cfg->sec = xrealloc(cfg->sec, (cfg->nsec ? cfg->nsec * 2 : 1) * sizeof(*cfg->sec));
	cfg->sec[cfg->nsec++] = sec;
	ps->cur = sec;
	ps->cur_valid = 1;
}

/* Stands for ':' in a key while inih splits the line (see reader()). */
#define KEY_COLON '\x1f'

/* The reader hands inih one line at a time and classifies it first, so we
 * know line numbers and section headers, and catch syntax errors inih would
 * only count. */
static char *reader(char *str, int num, void *stream)
{
	struct parse_state *ps = stream;
	const char *nl;
	size_t len, copy;
	char *line, *t;

	ps->key_colons = 0;
	if (ps->pos >= ps->end)
		return NULL;
	nl = memchr(ps->pos, '\n', (size_t)(ps->end - ps->pos));
	len = nl ? (size_t)(nl - ps->pos) + 1 : (size_t)(ps->end - ps->pos);
	ps->line++;
	copy = len < (size_t)num - 1 ? len : (size_t)num - 1;
	memcpy(str, ps->pos, copy);
	str[copy] = '\0';
	ps->pos += len;

	line = xstrndup(str, copy);
	t = str_trim(line);
	if (ps->line == 1 && (unsigned char)t[0] == 0xEF && (unsigned char)t[1] == 0xBB &&
	    (unsigned char)t[2] == 0xBF)
		t = str_trim(t + 3);
	if (*t == '[') {
		char *close = strchr(t, ']');

		if (!close) {
			errlist_add(ps->errs, "%s:%d: a section header needs a closing ']'", ps->file,
				    ps->line);
			ps->cur = NULL;
			ps->cur_valid = 0;
		} else {
			char *rest = str_trim(close + 1);

			*close = '\0';
			if (*rest && *rest != ';' && *rest != '#')
				errlist_add(ps->errs, "%s:%d: unexpected text after the section header",
					    ps->file, ps->line);
			open_section(ps, str_trim(t + 1));
		}
		/* hide the header from inih's own section tracking */
		str[0] = '\0';
	} else if (*t && *t != ';' && *t != '#' && !strchr(t, '=')) {
		errlist_add(ps->errs, "%s:%d: expected 'key = value', a [section] or a comment", ps->file,
			    ps->line);
		str[0] = '\0';
	} else if (*t == '=') {
		errlist_add(ps->errs, "%s:%d: a key is missing before '='", ps->file, ps->line);
		str[0] = '\0';
	} else if (*t && *t != ';' && *t != '#') {
		/* inih splits at the first '=' or ':', but keys such as the dispatch
		 * table's CATEGORY:SUBCATEGORY codes contain ':'; hide those from
		 * inih as KEY_COLON and let the handler put them back */
		char *eq = strchr(str, '=');

		for (char *c = str; c < eq; c++) {
			if (*c == KEY_COLON) {
				errlist_add(ps->errs, "%s:%d: a key contains a control character",
					    ps->file, ps->line);
				str[0] = '\0';
				break;
			}
			if (*c == ':') {
				*c = KEY_COLON;
				ps->key_colons = 1;
			}
		}
	}
	free(line);
	return str;
}

static int handle_kv(struct parse_state *ps, struct cfg_section *sec, const char *name,
		     const char *value)
{
	const struct cfg_kv *prev;

	if (!sec) {
		if (ps->cur_valid || ps->cfg->nsec == 0)
			errlist_add(ps->errs, "%s:%d: key '%s' is outside any section", ps->file, ps->line,
				    name);
		return 1;
	}
	prev = cfg_section_find(sec, name);
	if (prev) {
		errlist_add(ps->errs, "%s:%d: [%s] %s: key set twice (first at line %d)", ps->file,
			    ps->line, sec->header, name, prev->line);
		return 1;
	}
	if (sec->n == sec->cap) {
		sec->cap = sec->cap ? sec->cap * 2 : 8;
		sec->kv = xrealloc(sec->kv, sec->cap * sizeof(*sec->kv));
	}
	sec->kv[sec->n].key = xstrdup(name);
	sec->kv[sec->n].value = xstrdup(value ? value : "");
	sec->kv[sec->n].line = ps->line;
	sec->n++;
	return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *ps = user;
	struct cfg_section *sec = ps->cur;
	char *key;
	int rc;

	(void)section;
	if (!name)
		return 1;
	if (ps->key_colons) {
		/* put back the ':' the reader hid from inih */
		key = xstrdup(name);
		for (char *c = key; *c; c++)
			if (*c == KEY_COLON)
				*c = ':';
		ps->key_colons = 0;
		rc = handle_kv(ps, sec, key, value);
		free(key);
		return rc;
	}
	return handle_kv(ps, sec, name, value);
}

static int check_raw(const char *file, const char *buf, size_t len, struct errlist *errs)
{
	int line = 1, bad = 0;
	size_t start = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && buf[i] == '\0') {
			errlist_add(errs, "%s:%d: the file contains a NUL byte; is it a text file?", file,
				    line);
			return -EINVAL;
		}
		if (i == len || buf[i] == '\n') {
			if (i - start > CFG_MAX_LINE) {
				errlist_add(errs, "%s:%d: line is %zu bytes long; the limit is %u", file,
					    line, i - start, CFG_MAX_LINE);
				bad = 1;
			}
			line++;
			start = i + 1;
		}
	}
	return bad ? -EINVAL : 0;
}

static int check_url(const char *file, const struct cfg_section *sec, const char *key,
		     const char *url, struct errlist *errs)
{
	const struct cfg_kv *kv = cfg_section_find(sec, key);

	if (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://127.0.0.1", 16) == 0 ||
	    strncmp(url, "http://localhost", 16) == 0 || strncmp(url, "http://[::1]", 12) == 0)
		return 0;
	errlist_add(errs, "%s:%d: [%s] %s: '%s' must be an https:// URL (plain http only to loopback)",
		    file, kv ? kv->line : sec->line, sec->header, key, url);
	return -EINVAL;
}

static void check_credentials_file(const char *file, const struct cfg_section *sec,
				   const char *path, struct errlist *errs)
{
	const struct cfg_kv *kv = cfg_section_find(sec, "credentials");
	struct stat st;

	/* a missing file is fine: 'crmsync connect' creates it */
	if (stat(path, &st) < 0)
		return;
	if (st.st_mode & 077)
		errlist_add(errs,
			    "%s:%d: [%s] credentials: '%s' is accessible to others (mode %04o); fix with "
			    "'chmod 600 %s'",
			    file, kv ? kv->line : sec->line, sec->header, path,
			    (unsigned)(st.st_mode & 07777), path);
}

static void apply_core(struct config *cfg, struct errlist *errs)
{
	static const struct cfg_section empty_core = { SEC_CORE, (char *)"core", NULL, 0, NULL, 0, 0 };
	static const struct cfg_section empty_sf = { SEC_SALESFORCE, (char *)"salesforce", NULL, 0,
						     NULL, 0, 0 };
	static const struct cfg_section empty_hs = { SEC_HUBSPOT, (char *)"hubspot", NULL, 0, NULL, 0,
						     0 };
	const struct cfg_section *core = &empty_core, *sf = &empty_sf, *hs = &empty_hs;
	char *p;

	for (size_t i = 0; i < cfg->nsec; i++) {
		if (cfg->sec[i]->type == SEC_CORE)
			core = cfg->sec[i];
		else if (cfg->sec[i]->type == SEC_SALESFORCE)
			sf = cfg->sec[i];
		else if (cfg->sec[i]->type == SEC_HUBSPOT)
			hs = cfg->sec[i];
	}
	options_apply(core_options, &cfg->core, core, cfg->path, cfg->dir, NULL, errs);
	options_apply(salesforce_options, &cfg->sf, sf, cfg->path, cfg->dir, NULL, errs);
	options_apply(hubspot_options, &cfg->hs, hs, cfg->path, cfg->dir, NULL, errs);

	/* paths are relative to the config file's directory */
	p = path_resolve(cfg->dir, cfg->core.state);
	free(cfg->core.state);
	cfg->core.state = p;
	p = path_resolve(cfg->dir, cfg->core.mappings_dir);
	free(cfg->core.mappings_dir);
	cfg->core.mappings_dir = p;
	if (getenv("CRMSYNC_PLUGIN_DIR") && *getenv("CRMSYNC_PLUGIN_DIR")) {
		free(cfg->core.plugin_dir);
		cfg->core.plugin_dir = xstrdup(getenv("CRMSYNC_PLUGIN_DIR"));
	}
	p = path_resolve(cfg->dir, cfg->core.plugin_dir);
	free(cfg->core.plugin_dir);
	cfg->core.plugin_dir = p;
	p = path_resolve(cfg->dir, cfg->sf.credentials);
	free(cfg->sf.credentials);
	cfg->sf.credentials = p;
	p = path_resolve(cfg->dir, cfg->hs.credentials);
	free(cfg->hs.credentials);
	cfg->hs.credentials = p;

	check_url(cfg->path, sf, "login_url", cfg->sf.login_url, errs);
	check_url(cfg->path, sf, "sandbox_login_url", cfg->sf.sandbox_login_url, errs);
	check_url(cfg->path, hs, "base_url", cfg->hs.base_url, errs);
	check_credentials_file(cfg->path, sf, cfg->sf.credentials, errs);
	check_credentials_file(cfg->path, hs, cfg->hs.credentials, errs);
}

/* Build instances for plugin sections: core keys always; plugin options only
 * when load_plugins is set. */
static void build_instances(struct config *cfg, int load_plugins, struct errlist *errs)
{
	for (size_t i = 0; i < cfg->nsec; i++) {
		struct cfg_section *sec = cfg->sec[i];
		struct crmsync_instance *inst;
		const struct cfg_kv *kv;
		const char *const *reserved;
		enum component_kind kind;
		const char *pname;
		size_t nerr = errs->total;

		if (sec->type == SEC_OBJECT) {
			kind = KIND_OBJECT;
			reserved = object_reserved;
		} else if (sec->type == SEC_RESOLVER) {
			kind = KIND_RESOLVER;
			reserved = resolver_reserved;
		} else if (sec->type == SEC_NOTIFIER) {
			kind = KIND_NOTIFIER;
			reserved = notifier_reserved;
		} else {
			continue;
		}
		inst = xcalloc(1, sizeof(*inst));
		inst->kind = kind;
		inst->name = xstrdup(sec->name);
		inst->tag = xasprintf("%s %s", kind_name(kind), sec->name);
		inst->section = sec;
		inst->enabled = 1;
		cfg->inst = xrealloc(cfg->inst, (cfg->ninst + 1) * sizeof(*cfg->inst));
		cfg->inst[cfg->ninst++] = inst;

		kv = cfg_section_find(sec, "enabled");
		if (kv && kind != KIND_RESOLVER) {
			int b = parse_bool(kv->value);

			if (b < 0)
				errlist_add(errs, "%s:%d: [%s] enabled: '%s' is not a boolean (write yes or no)",
					    cfg->path, kv->line, sec->header, kv->value);
			else
				inst->enabled = b;
		}
		kv = cfg_section_find(sec, "frequency");
		if (kv && kind == KIND_NOTIFIER) {
			int f = -1;

			for (int j = 0; frequencies[j]; j++)
				if (strcmp(frequencies[j], kv->value) == 0)
					f = j;
			if (f < 0)
				errlist_add(errs,
					    "%s:%d: [%s] frequency: '%s' is not one of: immediate, daily, weekly",
					    cfg->path, kv->line, sec->header, kv->value);
			else
				inst->frequency = f;
		}
		inst->digest_minute = 8 * 60;
		inst->digest_wday = 1;
		kv = cfg_section_find(sec, "digest_time");
		if (kv && kind == KIND_NOTIFIER) {
			unsigned hh, mm;
			char extra;

			if (sscanf(kv->value, "%2u:%2u%c", &hh, &mm, &extra) != 2 || hh > 23 || mm > 59)
				errlist_add(errs, "%s:%d: [%s] digest_time: '%s' is not a time of day (write "
						  "HH:MM, 24-hour, in the daemon's local time zone)",
					    cfg->path, kv->line, sec->header, kv->value);
			else
				inst->digest_minute = (int)(hh * 60 + mm);
		}
		kv = cfg_section_find(sec, "digest_day");
		if (kv && kind == KIND_NOTIFIER) {
			int d = -1;

			for (int j = 0; weekdays[j]; j++)
				if (strcasecmp(weekdays[j], kv->value) == 0)
					d = j;
			if (d < 0)
				errlist_add(errs, "%s:%d: [%s] digest_day: '%s' is not a day of the week "
						  "(monday ... sunday)", cfg->path, kv->line, sec->header,
					    kv->value);
			else
				inst->digest_wday = d;
		}
		pname = cfg_section_get(sec, "plugin");
		if (!pname)
			pname = sec->name;
		if (!load_plugins)
			continue;
		if (loader_load(cfg->ld, pname, &inst->plugin, errs)) {
			kv = cfg_section_find(sec, "plugin");
			errlist_add(errs, "%s:%d: [%s] plugin: cannot use plugin '%s' (see above)", cfg->path,
				    kv ? kv->line : sec->line, sec->header, pname);
			continue;
		}
		if (!plugin_has(inst->plugin, kind)) {
			char kinds[64];

			plugin_kinds(inst->plugin, kinds, sizeof(kinds));
			errlist_add(errs, "%s:%d: [%s]: plugin '%s' offers no %s component (it offers: %s)",
				    cfg->path, sec->line, sec->header, pname, kind_name(kind), kinds);
			inst->plugin = NULL;
			continue;
		}
		inst->options = plugin_options(inst->plugin, kind);
		if (options_check_table(inst->options, plugin_ctx_size(inst->plugin, kind),
					inst->plugin->path, errs)) {
			inst->plugin = NULL;
			continue;
		}
		inst->ctx = xcalloc(1, plugin_ctx_size(inst->plugin, kind));
		options_apply(inst->options, inst->ctx, sec, cfg->path, cfg->dir, reserved, errs);
		if (kind == KIND_OBJECT) {
			const char *m = cfg_section_get(sec, "mapping");

			if (m)
				inst->mapping = path_resolve(cfg->dir, m);
			else if (inst->plugin->object.default_mapping)
				inst->mapping = xasprintf("%s/%s", cfg->core.mappings_dir,
							  inst->plugin->object.default_mapping);
		}
		(void)nerr;
	}
}

static void build_dispatch(struct config *cfg, struct errlist *errs)
{
	for (size_t i = 0; i < cfg->nsec; i++) {
		struct cfg_section *sec = cfg->sec[i];

		if (sec->type != SEC_DISPATCH)
			continue;
		for (size_t k = 0; k < sec->n; k++) {
			const struct cfg_kv *kv = &sec->kv[k];
			struct dispatch_entry *d;
			int found = 0;

			for (const char *c = kv->key; *c; c++) {
				if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
				      (*c >= '0' && *c <= '9') || *c == '_' || *c == '.' || *c == ':' ||
				      *c == '-')) {
					errlist_add(errs,
						    "%s:%d: [dispatch] %s: an error code is made of letters, "
						    "digits and _ . : -",
						    cfg->path, kv->line, kv->key);
					break;
				}
			}
			for (size_t j = 0; j < cfg->ninst; j++)
				if (cfg->inst[j]->kind == KIND_RESOLVER &&
				    strcmp(cfg->inst[j]->name, kv->value) == 0)
					found = 1;
			if (!found) {
				errlist_add(errs,
					    "%s:%d: [dispatch] %s: no [resolver %s] section; add one or route "
					    "the code to an existing resolver",
					    cfg->path, kv->line, kv->key, kv->value);
				continue;
			}
			cfg->dispatch = xrealloc(cfg->dispatch,
						 (cfg->ndispatch + 1) * sizeof(*cfg->dispatch));
			d = &cfg->dispatch[cfg->ndispatch++];
			d->code = xstrdup(kv->key);
			d->resolver = xstrdup(kv->value);
			d->line = kv->line;
		}
	}
}

static int parse(struct config *cfg, const char *name, const char *buf, size_t len,
		 int load_plugins, struct errlist *errs)
{
	struct parse_state ps = { 0 };
	size_t before = errs->total;
	const char *slash;

	struct loader *shared = cfg->shared;

	memset(cfg, 0, sizeof(*cfg));
	cfg->shared = shared;
	cfg->path = xstrdup(name);
	slash = strrchr(name, '/');
	cfg->dir = slash ? xstrndup(name, slash == name ? 1 : (size_t)(slash - name)) : xstrdup(".");
	/* relative paths in the file are relative to its directory: make that
	 * directory absolute, so they stay right whatever the working directory */
	{
		char *abs = realpath(cfg->dir, NULL);

		if (abs) {
			free(cfg->dir);
			cfg->dir = abs;
		}
	}

	if (check_raw(name, buf, len, errs))
		return -EINVAL;
	ps.cfg = cfg;
	ps.file = name;
	ps.errs = errs;
	ps.buf = ps.pos = buf;
	ps.end = buf + len;
	ini_allow_multiline = false;
	ini_use_stack = false;
	ini_allow_realloc = false;
	ini_max_line = CFG_MAX_LINE + 3;
	/* without realloc, inih's heap line buffer has ini_initial_alloc bytes,
	 * not ini_max_line: lines past 197 bytes were cut short */
	ini_initial_alloc = CFG_MAX_LINE + 3;
	ini_parse_stream(reader, &ps, handler, &ps);

	apply_core(cfg, errs);
	/* plugin sections are checked even when other sections have errors, so
	 * that every error is reported at once */
	if (load_plugins && cfg->shared) {
		if (!cfg->shared->plugin_dir) {
			loader_init(cfg->shared, cfg->core.plugin_dir);
		} else if (strcmp(cfg->shared->plugin_dir, cfg->core.plugin_dir) != 0) {
			errlist_add(errs, "%s: plugin_dir changed from '%s' to '%s': restart crmsyncd to "
				    "load plugins from another directory", name, cfg->shared->plugin_dir,
				    cfg->core.plugin_dir);
		}
		cfg->ld = cfg->shared;
		cfg->loader_ready = 1;
	} else if (load_plugins) {
		loader_init(&cfg->loader, cfg->core.plugin_dir);
		cfg->ld = &cfg->loader;
		cfg->loader_ready = 1;
	}
	build_instances(cfg, load_plugins && cfg->loader_ready, errs);
	build_dispatch(cfg, errs);
	return errs->total == before ? 0 : -EINVAL;
}

int config_parse_buffer(struct config *cfg, const char *name, const char *buf, size_t len,
			struct errlist *errs)
{
	return parse(cfg, name, buf, len, 0, errs);
}

static int load_file(struct config *cfg, const char *path, int load_plugins, struct errlist *errs)
{
	char *buf;
	size_t len;
	int err;

	err = read_file(path, CFG_MAX_FILE, &buf, &len);
	if (err) {
		memset(cfg, 0, sizeof(*cfg));
		if (err == -EFBIG)
			errlist_add(errs, "%s: the file is larger than %u bytes; is it a config file?", path,
				    CFG_MAX_FILE);
		else
			errlist_add(errs, "%s: cannot read: %s", path, strerror(-err));
		return err;
	}
	err = parse(cfg, path, buf, len, load_plugins, errs);
	free(buf);
	return err;
}

int config_load(struct config *cfg, const char *path, struct errlist *errs)
{
	cfg->shared = NULL;
	return load_file(cfg, path, 1, errs);
}

int config_load_shared(struct config *cfg, const char *path, struct loader *shared,
		       struct errlist *errs)
{
	cfg->shared = shared;
	return load_file(cfg, path, 1, errs);
}

int config_load_core(struct config *cfg, const char *path, struct errlist *errs)
{
	cfg->shared = NULL;
	return load_file(cfg, path, 0, errs);
}

int config_start_instances(struct config *cfg)
{
	for (size_t i = 0; i < cfg->ninst; i++) {
		struct crmsync_instance *inst = cfg->inst[i];
		int err;

		if (!inst->enabled || !inst->plugin)
			continue;
		err = instance_start(inst);
		if (err) {
			config_stop_instances(cfg);
			return err;
		}
	}
	return 0;
}

void config_stop_instances(struct config *cfg)
{
	for (size_t i = cfg->ninst; i-- > 0;)
		instance_stop(cfg->inst[i]);
}

void config_release(struct config *cfg)
{
	config_stop_instances(cfg);
	for (size_t i = 0; i < cfg->ninst; i++) {
		struct crmsync_instance *inst = cfg->inst[i];

		if (inst->ctx)
			options_free(inst->options, inst->ctx);
		free(inst->ctx);
		free(inst->name);
		free(inst->tag);
		free(inst->mapping);
		free(inst);
	}
	free(cfg->inst);
	for (size_t i = 0; i < cfg->ndispatch; i++) {
		free(cfg->dispatch[i].code);
		free(cfg->dispatch[i].resolver);
	}
	free(cfg->dispatch);
	options_free(core_options, &cfg->core);
	options_free(salesforce_options, &cfg->sf);
	options_free(hubspot_options, &cfg->hs);
	if (cfg->loader_ready && cfg->ld == &cfg->loader)
		loader_release(&cfg->loader);
	for (size_t i = 0; i < cfg->nsec; i++)
		section_free(cfg->sec[i]);
	free(cfg->sec);
	free(cfg->path);
	free(cfg->dir);
	memset(cfg, 0, sizeof(*cfg));
}
