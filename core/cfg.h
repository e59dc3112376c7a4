/*
 * cfg.h - the INI configuration (inih) turned into typed settings, component
 * instances and the dispatch table. Every error names the file, the line, the
 * section and the key, and all of them are collected before anything fails.
 */
#ifndef CRMSYNC_CFG_H
#define CRMSYNC_CFG_H

#include <stddef.h>
#include <stdint.h>

#include <crmsync/plugin.h>

#include "loader.h"
#include "util.h"

enum section_type {
	SEC_CORE = 1,
	SEC_SALESFORCE,
	SEC_HUBSPOT,
	SEC_OBJECT,
	SEC_RESOLVER,
	SEC_NOTIFIER,
	SEC_DISPATCH
};

struct cfg_kv {
	char *key;
	char *value;
	int line;
};

struct cfg_section {
	enum section_type type;
	char *header;          /* as written between the brackets, trimmed */
	char *name;            /* NAME of [object NAME] etc.; NULL otherwise */
	int line;
	struct cfg_kv *kv;
	size_t n, cap;
};

const char *cfg_section_get(const struct cfg_section *sec, const char *key);
const struct cfg_kv *cfg_section_find(const struct cfg_section *sec, const char *key);

struct core_settings {
	char *state;
	char *plugin_dir;
	char *mappings_dir;
	int64_t interval_ms;
	int64_t overlap_ms;
	int64_t metadata_ms;      /* how long describes and property lists are reused */
	int64_t batch_records;    /* changed records one pass reads per side */
	int log_level;         /* index into log level choices: 0 error .. 4 debug */
};

struct salesforce_settings {
	char *login_url;
	char *sandbox_login_url;   /* crmsync connect salesforce --sandbox */
	char *credentials;
	char *api_version;
	char *external_id_field;
	int64_t api_allocation;
};

struct hubspot_settings {
	char *base_url;
	char *credentials;
	char *external_id_property;
};

struct dispatch_entry {
	char *code;
	char *resolver;
	int line;
};

struct config {
	char *path;
	char *dir;             /* directory of the file: base of relative paths */
	struct cfg_section **sec;
	size_t nsec;
	struct core_settings core;
	struct salesforce_settings sf;
	struct hubspot_settings hs;
	struct crmsync_instance **inst;
	size_t ninst;
	struct dispatch_entry *dispatch;
	size_t ndispatch;
	struct loader loader;      /* own loader, unless a shared one is used */
	struct loader *ld;         /* the loader plugins come from (NULL: none) */
	struct loader *shared;     /* set before loading to use a process-wide loader */
	int loader_ready;
};

/* Limits on what a config file may be. */
#define CFG_MAX_FILE (4u * 1024 * 1024)
#define CFG_MAX_LINE 8192

/* Read and check `path` fully: syntax, core sections, plugin sections
 * against their plugins' option tables (loading those plugins), dispatch.
 * Returns 0, or -EINVAL with every problem in errs. */
int config_load(struct config *cfg, const char *path, struct errlist *errs);
/* config_load with a loader that outlives the config (the daemon's, kept
 * across reloads so a plugin is opened and initialised once). The loader is
 * initialised on first use; a reload naming another plugin_dir is refused. */
int config_load_shared(struct config *cfg, const char *path, struct loader *shared,
		       struct errlist *errs);
/* Read `path` without loading plugins: syntax and core sections only. */
int config_load_core(struct config *cfg, const char *path, struct errlist *errs);
/* The same on an in-memory buffer, without loading plugins (plugin sections
 * are only checked for their core keys). For tests and fuzzing. */
int config_parse_buffer(struct config *cfg, const char *name, const char *buf, size_t len,
			struct errlist *errs);
void config_release(struct config *cfg);

/* Start every enabled instance (objects, resolvers, notifiers). */
int config_start_instances(struct config *cfg);
void config_stop_instances(struct config *cfg);

/* --- option tables (options.c) --- */

/* Apply sec's keys to ctx by table; `reserved` keys (handled by the core) are
 * skipped. Errors go to errs, each naming file:line [section] key. */
void options_apply(const struct crmsync_option *tab, void *ctx, const struct cfg_section *sec,
		   const char *file, const char *base_dir, const char *const *reserved,
		   struct errlist *errs);
/* Free what options_apply stored (strings, lists; secrets are wiped). */
void options_free(const struct crmsync_option *tab, void *ctx);
/* Check that a table is well formed (plugin bugs): 0 or -EINVAL with errs. */
int options_check_table(const struct crmsync_option *tab, size_t ctx_size, const char *who,
			struct errlist *errs);
const char *option_type_name(uint32_t type);
/* Resolve a path relative to base_dir; returns a new string. */
char *path_resolve(const char *base_dir, const char *path);

#endif
