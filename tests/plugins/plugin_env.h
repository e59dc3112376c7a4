/*
 * plugin_env.h - the set-up the plugin tests share: a temporary directory, the
 * build tree's plugins (CRMSYNC_PLUGIN_DIR), and a config written there and
 * loaded through the real loader with its instances started.
 */
#ifndef CRMSYNC_TEST_PLUGIN_ENV_H
#define CRMSYNC_TEST_PLUGIN_ENV_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "cfg.h"

/* The test's temporary directory (made by pe_run). */
extern char pe_dir[];

/* Write dir/crmsync.conf: the [core], [salesforce] and [hubspot] sections a
 * config needs, then `sections`; load it and start its instances (the test
 * fails on any error). Returns the first instance. */
struct crmsync_instance *pe_load(struct config *cfg, const char *sections);

/* Make the directory, point CRMSYNC_PLUGIN_DIR at the build tree, run the
 * tests, remove the directory. The test's exit status. */
int pe_run(const struct CMUnitTest *tests, size_t n, const char *name);

/* An object instance's hooks, called as the core calls them: accept
 * (returns its verdict, *why its reason) and transform (which must succeed). */
const struct crmsync_object_ops *pe_ops(struct crmsync_instance *inst);
int pe_accept(struct crmsync_instance *inst, int kind, int dir, struct crmsync_record *src,
	      struct crmsync_record *dst, const char **why);
void pe_transform(struct crmsync_instance *inst, int kind, int dir, struct crmsync_record *src,
		  struct crmsync_record *dst, struct crmsync_record *out);
#define PE_RUN(tests, name) pe_run((tests), sizeof(tests) / sizeof((tests)[0]), (name))

#endif
