/*
 * loader.h - loading plugins (libltdl) with their ABI checks, and the
 * component instances configured from the INI. Only loader.c knows libltdl.
 */
#ifndef CRMSYNC_LOADER_H
#define CRMSYNC_LOADER_H

#include <stddef.h>
#include <sys/types.h>

#include <crmsync/plugin.h>

#include "util.h"

enum component_kind {
	KIND_OBJECT = 1,
	KIND_RESOLVER = 2,
	KIND_NOTIFIER = 3
};

const char *kind_name(enum component_kind kind);

/* One loaded shared object. The copies of the descriptor and ops tables are
 * zero-extended to this daemon's struct sizes. */
struct plugin {
	char *file;                        /* name used in the config ("contact") */
	char *path;                        /* absolute path of the .so */
	void *handle;                      /* lt_dlhandle */
	struct crmsync_plugin desc;
	struct crmsync_object_ops object;
	struct crmsync_resolver_ops resolver;
	struct crmsync_notifier_ops notifier;
	unsigned has_object : 1, has_resolver : 1, has_notifier : 1, initialized : 1;
	struct plugin *next;
};

struct loader {
	char *plugin_dir;
	uid_t daemon_uid;
	struct plugin *plugins;
	int dl_ready;
	int dir_error;     /* plugin_dir was refused (reported once) */
};

void loader_init(struct loader *ld, const char *plugin_dir);
/* Load plugin `name` from plugin_dir (or return the one already loaded).
 * Every refusal adds one message to errs saying what is wrong and how to fix
 * it, and returns a negative errno. */
int loader_load(struct loader *ld, const char *name, struct plugin **out, struct errlist *errs);
/* Calls each plugin's fini and closes it. */
void loader_release(struct loader *ld);

int plugin_has(const struct plugin *p, enum component_kind kind);
const struct crmsync_option *plugin_options(const struct plugin *p, enum component_kind kind);
size_t plugin_ctx_size(const struct plugin *p, enum component_kind kind);
/* Human list of kinds: "object, resolver". Static buffer owned by caller. */
void plugin_kinds(const struct plugin *p, char *buf, size_t len);

/* A configured component: one INI section. */
struct cfg_section;
struct crmsync_instance {
	enum component_kind kind;
	char *name;                        /* INI section name */
	char *tag;                         /* for log lines: "object contact" */
	struct plugin *plugin;
	void *ctx;                         /* plugin_ctx_size() bytes, options parsed in */
	const struct crmsync_option *options;
	const struct cfg_section *section; /* raw INI keys, for option_text */
	int enabled;
	int initialized;
	/* keys the core handles itself */
	char *mapping;                     /* objects: mapping file */
	int frequency;                     /* notifiers: 0 immediate, 1 daily, 2 weekly */
	int digest_minute;                 /* notifiers: digest time, minutes after local midnight */
	int digest_wday;                   /* notifiers: weekly digest day, 0 = Sunday */
};

/* The host function table handed to plugins. */
extern const struct crmsync_host crmsync_host_table;

/* Run a component's init on an instance / its fini. */
int instance_start(struct crmsync_instance *inst);
void instance_stop(struct crmsync_instance *inst);

#endif
