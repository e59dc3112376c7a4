/*
 * test_loader.c - the loader against real fixture plugins, dlopen()ed from a
 * private plugin directory per test: a good plugin loads once and is
 * finalised on release; every refusal names what is wrong and how to fix it,
 * and no code of a refused plugin runs.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "fixture.h"
#include "testutil.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define ABI_NOW STR(CRMSYNC_ABI_MAJOR) "." STR(CRMSYNC_ABI_MINOR)

struct fx {
	char *dir;        /* the plugin directory */
	char *trace;      /* the fixtures' call trace */
	struct loader ld;
	struct errlist errs;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->dir = tu_mkdtemp();
	f->trace = xasprintf("%s/trace", f->dir);
	setenv(FIXTURE_TRACE_ENV, f->trace, 1);
	unsetenv("CRMSYNC_FIXTURE_FAIL_INIT");
	loader_init(&f->ld, f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	loader_release(&f->ld);
	errlist_release(&f->errs);
	unsetenv(FIXTURE_TRACE_ENV);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f->trace);
	free(f);
	return 0;
}

/* Load `name` expecting a refusal with error `err`; nothing may stay loaded
 * and the plugin's init must not have run. */
static void refused(struct fx *f, const char *name, int err)
{
	struct plugin *p = (struct plugin *)1;
	char line[128];

	assert_int_equal(loader_load(&f->ld, name, &p, &f->errs), err);
	assert_null(p);
	assert_null(f->ld.plugins);
	assert_int_equal(f->errs.total, 1);
	snprintf(line, sizeof(line), "plugin-init %s", name);
	assert_int_equal(tu_count_lines(f->trace, line), 0);
}

static void test_good_loads_once(void **state)
{
	struct fx *f = *state;
	struct plugin *p = NULL, *q = NULL;
	char kinds[64];

	tu_copy_fixture(f->dir, "good", "good");
	assert_int_equal(loader_load(&f->ld, "good", &p, &f->errs), 0);
	assert_no_errs(&f->errs);
	assert_non_null(p);
	assert_string_equal(p->desc.name, "good");
	assert_string_equal(p->desc.version, "1.2.3");
	assert_string_equal(p->file, "good");
	assert_true(strncmp(p->path, f->dir, strlen(f->dir)) == 0);
	assert_true(str_has_suffix(p->path, "/good.so"));
	assert_true(plugin_has(p, KIND_OBJECT) && plugin_has(p, KIND_RESOLVER) &&
		    plugin_has(p, KIND_NOTIFIER));
	plugin_kinds(p, kinds, sizeof(kinds));
	assert_string_equal(kinds, "object,resolver,notifier");
	assert_non_null(plugin_options(p, KIND_OBJECT));
	assert_string_equal(plugin_options(p, KIND_OBJECT)[0].key, "name");
	assert_int_equal(plugin_ctx_size(p, KIND_OBJECT), sizeof(struct good_object_ctx));
	assert_int_equal(plugin_ctx_size(p, KIND_NOTIFIER), sizeof(struct good_notifier_ctx));
	assert_int_equal(tu_count_lines(f->trace, "plugin-init good"), 1);

	/* the same name again: the same plugin, not a second init */
	assert_int_equal(loader_load(&f->ld, "good", &q, &f->errs), 0);
	assert_ptr_equal(p, q);
	assert_int_equal(tu_count_lines(f->trace, "plugin-init good"), 1);
	assert_int_equal(tu_count_lines(f->trace, "plugin-fini good"), 0);

	loader_release(&f->ld);
	assert_null(f->ld.plugins);
	assert_int_equal(tu_count_lines(f->trace, "plugin-fini good"), 1);
	loader_init(&f->ld, f->dir); /* for teardown */
}

static void test_init_failure(void **state)
{
	struct fx *f = *state;
	struct plugin *p;

	tu_copy_fixture(f->dir, "good", "good");
	setenv("CRMSYNC_FIXTURE_FAIL_INIT", "1", 1);
	assert_int_equal(loader_load(&f->ld, "good", &p, &f->errs), -EIO);
	assert_null(f->ld.plugins);
	assert_err(&f->errs, "good.so", "failed to initialise", strerror(EIO));
	/* a plugin whose init failed is not finalised */
	loader_release(&f->ld);
	assert_int_equal(tu_count_lines(f->trace, "plugin-fini good"), 0);
	loader_init(&f->ld, f->dir);
}

static void test_bad_magic(void **state)
{
	struct fx *f = *state;

	tu_copy_fixture(f->dir, "badmagic", "badmagic");
	refused(f, "badmagic", -EPROTO);
	assert_err(&f->errs, "badmagic.so", "magic 0x12345678", "not a crmsync plugin",
		   "rebuild it");
}

static void test_other_major(void **state)
{
	struct fx *f = *state;
	char built[32];

	snprintf(built, sizeof(built), "built for ABI %d.0", CRMSYNC_ABI_MAJOR + 1);
	tu_copy_fixture(f->dir, "major2", "major2");
	refused(f, "major2", -EPROTO);
	assert_err(&f->errs, "major2.so", built, "crmsyncd provides " ABI_NOW, "rebuild it");
}

static void test_newer_minor(void **state)
{
	struct fx *f = *state;
	char built[32];

	snprintf(built, sizeof(built), "built for ABI %d.%d", CRMSYNC_ABI_MAJOR,
		 CRMSYNC_ABI_MINOR + 1);
	tu_copy_fixture(f->dir, "minor_newer", "minor_newer");
	refused(f, "minor_newer", -EPROTO);
	assert_err(&f->errs, "minor_newer.so", built, "crmsyncd provides " ABI_NOW,
		   "upgrade crmsync");
}

static void test_missing_symbol(void **state)
{
	struct fx *f = *state;

	tu_copy_fixture(f->dir, "nosym", "nosym");
	refused(f, "nosym", -ENOENT);
	assert_err(&f->errs, "nosym.so", "does not export 'crmsync_plugin'",
		   "CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin");
}

static void test_duplicate_name(void **state)
{
	struct fx *f = *state;
	struct plugin *p, *q = (struct plugin *)1;

	tu_copy_fixture(f->dir, "good", "good");
	tu_copy_fixture(f->dir, "dupname", "dupname");
	assert_int_equal(loader_load(&f->ld, "good", &p, &f->errs), 0);
	assert_int_equal(loader_load(&f->ld, "dupname", &q, &f->errs), -EEXIST);
	assert_null(q);
	assert_ptr_equal(f->ld.plugins, p);
	assert_null(p->next);
	assert_err(&f->errs, "dupname.so", "calls itself 'good'", "good.so", "rename one");
	assert_int_equal(tu_count_lines(f->trace, "plugin-init good"), 1);
}

static void test_bad_descriptor_name(void **state)
{
	struct fx *f = *state;

	tu_copy_fixture(f->dir, "badname", "badname");
	assert_int_equal(loader_load(&f->ld, "badname", &(struct plugin *){ NULL }, &f->errs),
			 -EINVAL);
	assert_null(f->ld.plugins);
	assert_err(&f->errs, "badname.so", "name", "[a-z0-9_-]", "fix the plugin");
	assert_int_equal(tu_count_lines(f->trace, "plugin-init Bad/Name!"), 0);
}

static void test_no_component(void **state)
{
	struct fx *f = *state;

	tu_copy_fixture(f->dir, "noops", "noops");
	refused(f, "noops", -EINVAL);
	assert_err(&f->errs, "noops.so", "offers no object, resolver or notifier");
}

static void test_small_ops(void **state)
{
	struct fx *f = *state;

	tu_copy_fixture(f->dir, "smallops", "smallops");
	refused(f, "smallops", -EPROTO);
	assert_err(&f->errs, "smallops.so", "smaller than ABI", "rebuild it");
}

static void test_bad_names(void **state)
{
	static const char *const names[] = { "../good", "a/b", "/abs", "..", "", "Good", "-x",
					     "good.so", "x y" };
	struct fx *f = *state;

	tu_copy_fixture(f->dir, "good", "good");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct plugin *p = (struct plugin *)1;

		errlist_release(&f->errs);
		assert_int_equal(loader_load(&f->ld, names[i], &p, &f->errs), -EINVAL);
		assert_null(p);
		assert_err(&f->errs, "refusing plugin name", "[a-z0-9_-]", "no '/', no '..'",
			   "plugin = NAME");
	}
	assert_null(f->ld.plugins);
	assert_int_equal(tu_count_lines(f->trace, "plugin-init good"), 0);
}

static void test_not_installed(void **state)
{
	struct fx *f = *state;

	refused(f, "absent", -ENOENT);
	assert_err(&f->errs, "cannot find plugin 'absent'", "absent.so", "installed in plugin_dir");
}

static void test_world_writable(void **state)
{
	struct fx *f = *state;
	char *path = xasprintf("%s/good.so", f->dir);

	tu_copy_fixture(f->dir, "good", "good");
	assert_int_equal(chmod(path, 0757), 0);
	refused(f, "good", -EPERM);
	assert_err(&f->errs, path, "world-writable", "chmod o-w");
	free(path);
}

static void test_world_writable_dir(void **state)
{
	struct fx *f = *state;

	tu_copy_fixture(f->dir, "good", "good");
	assert_int_equal(chmod(f->dir, 0757), 0);
	refused(f, "good", -EPERM);
	assert_err(&f->errs, "plugin directory", f->dir, "world-writable", "chmod o-w");
	assert_int_equal(chmod(f->dir, 0755), 0);
}

static void test_foreign_owner(void **state)
{
	struct fx *f = *state;
	char *path;

	if (geteuid() != 0) {
		print_message("skipped: giving a file to uid 65534 needs root (CI runs as root)\n");
		skip();
	}
	path = xasprintf("%s/good.so", f->dir);
	tu_copy_fixture(f->dir, "good", "good");
	assert_int_equal(chown(path, 65534, 65534), 0);
	refused(f, "good", -EPERM);
	assert_err(&f->errs, path, "owned by uid 65534", "not by root or the daemon's user",
		   "chown root");
	free(path);
}

static void test_not_regular(void **state)
{
	struct fx *f = *state;
	char *d = xasprintf("%s/x.so", f->dir), *fifo = xasprintf("%s/y.so", f->dir);

	assert_int_equal(mkdir(d, 0755), 0);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	refused(f, "x", -EINVAL);
	assert_err(&f->errs, d, "not a regular file", "install");
	errlist_release(&f->errs);
	refused(f, "y", -EINVAL);
	assert_err(&f->errs, fifo, "not a regular file", "install");
	free(d);
	free(fifo);
}

static void test_symlink_to_regular(void **state)
{
	struct fx *f = *state;
	char *target = xasprintf("%s/real", f->dir), *link = xasprintf("%s/good.so", f->dir);
	struct plugin *p;

	/* build trees point plugin_dir at symlinks to the libtool output */
	assert_int_equal(mkdir(target, 0755), 0);
	tu_copy_fixture(target, "good", "good");
	free(target);
	target = xasprintf("%s/real/good.so", f->dir);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(loader_load(&f->ld, "good", &p, &f->errs), 0);
	assert_no_errs(&f->errs);
	free(target);
	free(link);
}

static void test_relative_plugin_dir(void **state)
{
	struct fx *f = *state;
	struct plugin *p;

	loader_release(&f->ld);
	loader_init(&f->ld, "relative/dir");
	assert_true(loader_load(&f->ld, "good", &p, &f->errs) < 0);
	assert_err(&f->errs, "relative/dir", "not an absolute path", "plugin_dir = /");
}

static void test_missing_plugin_dir(void **state)
{
	struct fx *f = *state;
	char *gone = xasprintf("%s/gone", f->dir);
	struct plugin *p;

	loader_release(&f->ld);
	loader_init(&f->ld, gone);
	assert_int_equal(loader_load(&f->ld, "good", &p, &f->errs), -ENOENT);
	assert_err(&f->errs, gone, "plugin_dir", strerror(ENOENT));
	free(gone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_loads_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_init_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_magic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_major, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_minor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_symbol, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_descriptor_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_component, setup, teardown),
		cmocka_unit_test_setup_teardown(test_small_ops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_installed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_world_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_world_writable_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_to_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_plugin_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_plugin_dir, setup, teardown),
	};

	return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
