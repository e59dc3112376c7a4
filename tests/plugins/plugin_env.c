/*
 * plugin_env.c - see plugin_env.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_env.h"
#include "util.h"

char pe_dir[64];

struct crmsync_instance *pe_load(struct config *cfg, const char *sections)
{
	struct errlist errs = { 0 };
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/crmsync.conf", pe_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[core]\nstate = state.db\nmappings_dir = /m\n[salesforce]\ncredentials = sf.json\n"
		   "[hubspot]\ncredentials = hs.json\n%s\n", sections);
	fclose(f);
	if (config_load(cfg, path, &errs)) {
		errlist_print(&errs, "test");
		fail_msg("config did not load");
	}
	errlist_release(&errs);
	assert_true(cfg->ninst >= 1);
	assert_int_equal(config_start_instances(cfg), 0);
	return cfg->inst[0];
}

int pe_run(const struct CMUnitTest *tests, size_t n, const char *name)
{
	const char *top = getenv("top_builddir");
	char dir[1024], cmd[200];
	int rc;

	snprintf(pe_dir, sizeof(pe_dir), "/tmp/crmsync-%s-XXXXXX", name);
	if (!mkdtemp(pe_dir))
		return 99;
	snprintf(dir, sizeof(dir), "%s/plugins/build", top ? top : ".");
	setenv("CRMSYNC_PLUGIN_DIR", dir, 1);
	rc = _cmocka_run_group_tests(name, tests, n, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pe_dir);
	if (system(cmd) != 0)
		rc = rc ? rc : 1;
	return rc;
}

const struct crmsync_object_ops *pe_ops(struct crmsync_instance *inst)
{
	return &inst->plugin->object;
}

int pe_accept(struct crmsync_instance *inst, int kind, int dir, struct crmsync_record *src,
	      struct crmsync_record *dst, const char **why)
{
	struct crmsync_change chg = { sizeof(chg), (uint32_t)kind, (uint32_t)dir, 0, src, dst };

	*why = NULL;
	return pe_ops(inst)->accept(inst, inst->ctx, &chg, why);
}

void pe_transform(struct crmsync_instance *inst, int kind, int dir, struct crmsync_record *src,
		  struct crmsync_record *dst, struct crmsync_record *out)
{
	struct crmsync_change chg = { sizeof(chg), (uint32_t)kind, (uint32_t)dir, 0, src, dst };

	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
}
