/*
 * test_config.c - the INI configuration: syntax and core sections through
 * config_parse_buffer(), plugin sections against the `good` fixture's option
 * table through config_load() with a private plugin directory, secrets, and
 * hostile input. Every error must name the file, line, section and key, and
 * all of them must be reported at once.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "fixture.h"
#include "testutil.h"

#define STR_(x) #x
#define STR(x) STR_(x)
#define ABI_NOW STR(CRMSYNC_ABI_MAJOR) "." STR(CRMSYNC_ABI_MINOR)

struct fx {
	char *dir;        /* config directory */
	char *plugins;    /* plugin directory (CRMSYNC_PLUGIN_DIR) */
	char *trace;
	struct config cfg;
	int have_cfg;
	struct errlist errs;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->dir = tu_mkdtemp();
	f->plugins = xasprintf("%s/plugins", f->dir);
	if (mkdir(f->plugins, 0755) < 0)
		fail_msg("mkdir: %s", strerror(errno));
	tu_copy_fixture(f->plugins, "good", "good");
	f->trace = xasprintf("%s/trace", f->dir);
	setenv("CRMSYNC_PLUGIN_DIR", f->plugins, 1);
	setenv(FIXTURE_TRACE_ENV, f->trace, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f->have_cfg)
		config_release(&f->cfg);
	errlist_release(&f->errs);
	unsetenv("CRMSYNC_PLUGIN_DIR");
	unsetenv(FIXTURE_TRACE_ENV);
	tu_rmrf(f->dir);
	free(f->dir);
	free(f->plugins);
	free(f->trace);
	free(f);
	return 0;
}

static int parse(struct fx *f, const char *text)
{
	f->have_cfg = 1;
	return config_parse_buffer(&f->cfg, "t.conf", text, strlen(text), &f->errs);
}

/* Write crmsync.conf into the fixture's directory and load it. */
static int load(struct fx *f, const char *text, char **path_out)
{
	char *path = tu_write(f->dir, "crmsync.conf", text, 0644);
	int err;

	f->have_cfg = 1;
	err = config_load(&f->cfg, path, &f->errs);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return err;
}

static struct crmsync_instance *instance(struct fx *f, enum component_kind kind, const char *name)
{
	for (size_t i = 0; i < f->cfg.ninst; i++)
		if (f->cfg.inst[i]->kind == kind && strcmp(f->cfg.inst[i]->name, name) == 0)
			return f->cfg.inst[i];
	fail_msg("no %s instance '%s'", kind_name(kind), name);
	return NULL;
}

/* ---- core sections, syntax ------------------------------------------------ */

static void test_empty_file_defaults(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, ""), 0);
	assert_no_errs(&f->errs);
	assert_int_equal(f->cfg.nsec, 0);
	assert_int_equal(f->cfg.core.interval_ms, 5 * 60 * 1000);
	assert_int_equal(f->cfg.core.log_level, 3); /* info */
	assert_int_equal(f->cfg.sf.api_allocation, 20000);
	assert_string_equal(f->cfg.sf.login_url, "https://login.salesforce.com");
	assert_string_equal(f->cfg.hs.base_url, "https://api.hubapi.com");
}

static void test_core_values(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "; comment\n# another\n[core]\ninterval = 1h30m\n"
				  "log_level = debug ; inline comment\nstate = /var/x.db\n"
				  "[salesforce]\napi_allocation = 15000\n"
				  "login_url = https://test.salesforce.com\n"
				  "[hubspot]\nbase_url = http://127.0.0.1:8081\n"),
			 0);
	assert_no_errs(&f->errs);
	assert_int_equal(f->cfg.core.interval_ms, 90 * 60 * 1000);
	assert_int_equal(f->cfg.core.log_level, 4);
	assert_string_equal(f->cfg.core.state, "/var/x.db");
	assert_int_equal(f->cfg.sf.api_allocation, 15000);
	assert_string_equal(f->cfg.hs.base_url, "http://127.0.0.1:8081");
}

static void test_core_bad_values_all_reported(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "[core]\ninterval = 5x\nlog_level = loud\n"
				  "[salesforce]\napi_allocation = many\nlogin_url = http://example.com\n"
				  "[hubspot]\nbase_url = ftp://x\n"),
			 -EINVAL);
	assert_int_equal(f->errs.total, 5);
	assert_err(&f->errs, "t.conf:2: [core] interval: '5x' is not a duration", "5m");
	assert_err(&f->errs, "t.conf:3: [core] log_level: 'loud' is not one of: error, warning");
	assert_err(&f->errs, "t.conf:5: [salesforce] api_allocation: 'many' is not an integer");
	assert_err(&f->errs, "t.conf:6: [salesforce] login_url: 'http://example.com'", "https://");
	assert_err(&f->errs, "t.conf:8: [hubspot] base_url: 'ftp://x'");
}

static void test_core_out_of_range(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "[core]\ninterval = 500ms\n[salesforce]\napi_allocation = 0\n"),
			 -EINVAL);
	assert_int_equal(f->errs.total, 2);
	assert_err(&f->errs, "t.conf:2: [core] interval: '500ms' is out of range (1000 ms to");
	assert_err(&f->errs, "t.conf:4: [salesforce] api_allocation: 0 is out of range (1 to 1000000000)");
}

static void test_core_unknown_key(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "[core]\nintervall = 5m\nstuff = 1\n"), -EINVAL);
	assert_int_equal(f->errs.total, 2);
	assert_err(&f->errs, "t.conf:2: [core] intervall: unknown key", "did you mean 'interval'");
	assert_err(&f->errs, "t.conf:3: [core] stuff: unknown key");
}

static void test_repeated_section_and_key(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "[core]\ninterval = 1m\ninterval = 2m\n[hubspot]\n[core]\n"
				  "[object a]\n[object a]\n[resolver a]\n"),
			 -EINVAL);
	assert_int_equal(f->errs.total, 3);
	assert_err(&f->errs, "t.conf:3: [core] interval: key set twice (first at line 2)");
	assert_err(&f->errs, "t.conf:5: [core]: section repeated (first at line 1)");
	assert_err(&f->errs, "t.conf:7: [object a]: section repeated (first at line 6)");
	/* the first value wins and [resolver a] may share a name with [object a] */
	assert_int_equal(f->cfg.core.interval_ms, 60000);
	assert_int_equal(f->cfg.ninst, 2);
}

static void test_key_outside_section(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "interval = 5m\n[core]\n"), -EINVAL);
	assert_int_equal(f->errs.total, 1);
	assert_err(&f->errs, "t.conf:1: key 'interval' is outside any section");
}

static void test_bad_headers_and_lines(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "[coer]\n[object]\n[object Bad!]\n[core extra]\n[core\n"
				  "[hubspot] trailing\njust words\n= value\n"),
			 -EINVAL);
	assert_err(&f->errs, "t.conf:1: [coer]: unknown section", "[object NAME]");
	assert_err(&f->errs, "t.conf:2: [object]: bad section header", "[a-z0-9_-]");
	assert_err(&f->errs, "t.conf:3: [object Bad!]: bad section header");
	assert_err(&f->errs, "t.conf:4: [core extra]: bad section header");
	assert_err(&f->errs, "t.conf:5: a section header needs a closing ']'");
	assert_err(&f->errs, "t.conf:6: unexpected text after the section header");
	assert_err(&f->errs, "t.conf:7: expected 'key = value'");
	assert_err(&f->errs, "t.conf:8: a key is missing before '='");
	assert_int_equal(f->errs.total, 8);
}

static void test_keys_of_invalid_section_ignored(void **state)
{
	struct fx *f = *state;

	/* one error for the header, none for each key under it */
	assert_int_equal(parse(f, "[core]\n[bogus]\na = 1\nb = 2\n"), -EINVAL);
	assert_int_equal(f->errs.total, 1);
	assert_err(&f->errs, "t.conf:2: [bogus]: unknown section");
}

static void test_crlf_and_bom(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "\xEF\xBB\xBF[core]\r\ninterval = 10s\r\nlog_level = error\r\n"
				  "\r\n[object contact]\r\nenabled = no\r\n"),
			 0);
	assert_no_errs(&f->errs);
	assert_int_equal(f->cfg.core.interval_ms, 10000);
	assert_int_equal(f->cfg.core.log_level, 0);
	assert_int_equal(f->cfg.ninst, 1);
	assert_false(f->cfg.inst[0]->enabled);
}

static void test_enabled_and_frequency(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "[object a]\nenabled = no\n[object b]\n[object c]\nenabled = maybe\n"
				  "[notifier n]\nfrequency = weekly\n[notifier m]\nfrequency = hourly\n"),
			 -EINVAL);
	assert_int_equal(f->errs.total, 2);
	assert_err(&f->errs, "t.conf:5: [object c] enabled: 'maybe' is not a boolean");
	assert_err(&f->errs, "t.conf:9: [notifier m] frequency: 'hourly' is not one of");
	assert_false(instance(f, KIND_OBJECT, "a")->enabled);
	assert_true(instance(f, KIND_OBJECT, "b")->enabled);
	assert_int_equal(instance(f, KIND_NOTIFIER, "n")->frequency, 2);
	assert_string_equal(instance(f, KIND_OBJECT, "a")->tag, "object a");
}

static void test_dispatch(void **state)
{
	struct fx *f = *state;

	assert_int_equal(parse(f, "[resolver dup]\n[dispatch]\nDUPLICATE_VALUE = dup\n"
				  "FIELD_CUSTOM_VALIDATION_EXCEPTION = missing\nbad code = dup\n"),
			 -EINVAL);
	assert_err(&f->errs, "t.conf:4: [dispatch] FIELD_CUSTOM_VALIDATION_EXCEPTION:",
		   "no [resolver missing] section");
	assert_err(&f->errs, "t.conf:5: [dispatch] bad code:", "letters, digits");
	assert_true(f->cfg.ndispatch >= 1);
	assert_string_equal(f->cfg.dispatch[0].code, "DUPLICATE_VALUE");
	assert_string_equal(f->cfg.dispatch[0].resolver, "dup");
	assert_int_equal(f->cfg.dispatch[0].line, 3);
}

static void test_dispatch_code_with_colon(void **state)
{
	struct fx *f = *state;

	/* HubSpot codes are CATEGORY:SUBCATEGORY, and the dispatch table allows ':' */
	assert_int_equal(parse(f, "[resolver v]\n[dispatch]\nVALIDATION_ERROR:INVALID_EMAIL = v\n"), 0);
	assert_no_errs(&f->errs);
	assert_int_equal(f->cfg.ndispatch, 1);
	assert_string_equal(f->cfg.dispatch[0].code, "VALIDATION_ERROR:INVALID_EMAIL");
	assert_string_equal(f->cfg.dispatch[0].resolver, "v");
}

static void test_control_character_in_key(void **state)
{
	struct fx *f = *state;

	/* the reader uses \x1f to carry ':' through inih: a real one is refused */
	assert_int_equal(parse(f, "[dispatch]\nA\x1f" "B = v\n"), -EINVAL);
	assert_err(&f->errs, "t.conf:2: a key contains a control character");
}

/* ---- hostile input --------------------------------------------------------- */

static void test_long_line(void **state)
{
	struct fx *f = *state;
	size_t n = 100 * 1024;
	char *buf = xmalloc(n + 64);

	strcpy(buf, "[core]\nstate = ");
	memset(buf + strlen(buf), 'x', n);
	strcpy(buf + 15 + n, "\ninterval = 5m\n");
	assert_int_equal(parse(f, buf), -EINVAL);
	assert_err(&f->errs, "t.conf:2: line is", "bytes long; the limit is 8192");
	free(buf);
}

static void test_line_at_limit(void **state)
{
	struct fx *f = *state;
	char *buf = xmalloc(CFG_MAX_LINE + 64), *line;

	/* a line of exactly the limit is accepted and kept whole */
	strcpy(buf, "[core]\n");
	line = buf + strlen(buf);
	strcpy(line, "state = /");
	memset(line + 9, 's', CFG_MAX_LINE - 9);
	strcpy(line + CFG_MAX_LINE, "\n");
	assert_int_equal(parse(f, buf), 0);
	assert_no_errs(&f->errs);
	assert_int_equal(strlen(f->cfg.core.state), CFG_MAX_LINE - 8);
	free(buf);
}

static void test_nul_byte(void **state)
{
	struct fx *f = *state;
	static const char text[] = "[core]\ninterval = 5m\0hidden = 1\n";

	f->have_cfg = 1;
	assert_int_equal(config_parse_buffer(&f->cfg, "t.conf", text, sizeof(text) - 1, &f->errs),
			 -EINVAL);
	assert_int_equal(f->errs.total, 1);
	assert_err(&f->errs, "t.conf:2: the file contains a NUL byte");
}

static void test_ten_thousand_sections(void **state)
{
	struct fx *f = *state;
	struct strbuf sb = { 0 };
	char *text;

	strbuf_addstr(&sb, "[core]\ninterval = 1m\n");
	for (int i = 0; i < 10000; i++)
		strbuf_addf(&sb, "[object o%d]\nenabled = %s\n", i, i % 2 ? "yes" : "no");
	strbuf_addstr(&sb, "[object o42]\n");
	text = strbuf_detach(&sb);
	assert_int_equal(parse(f, text), -EINVAL);
	assert_int_equal(f->errs.total, 1);
	assert_err(&f->errs, "t.conf:20003: [object o42]: section repeated (first at line 87)");
	assert_int_equal(f->cfg.ninst, 10000);
	assert_false(instance(f, KIND_OBJECT, "o9998")->enabled);
	assert_true(instance(f, KIND_OBJECT, "o9999")->enabled);
	free(text);
}

static void test_ten_thousand_errors(void **state)
{
	struct fx *f = *state;
	struct strbuf sb = { 0 };
	char *text;

	for (int i = 0; i < 10000; i++)
		strbuf_addstr(&sb, "garbage\n");
	text = strbuf_detach(&sb);
	assert_int_equal(parse(f, text), -EINVAL);
	assert_int_equal(f->errs.total, 10000);
	assert_int_equal(f->errs.n, 200);
	assert_err(&f->errs, "t.conf:200: expected 'key = value'");
	free(text);
}

static void test_many_keys_in_one_section(void **state)
{
	struct fx *f = *state;
	struct strbuf sb = { 0 };
	char *text;

	strbuf_addstr(&sb, "[resolver r]\n[dispatch]\n");
	for (int i = 0; i < 10000; i++)
		strbuf_addf(&sb, "CODE_%d = r\n", i);
	text = strbuf_detach(&sb);
	assert_int_equal(parse(f, text), 0);
	assert_int_equal(f->cfg.ndispatch, 10000);
	assert_string_equal(f->cfg.dispatch[9999].code, "CODE_9999");
	free(text);
}

/* ---- plugin sections against the good fixture ------------------------------ */

#define GOOD_OBJECT "[object contact]\nplugin = good\nname = Alice\n"

static void test_load_good(void **state)
{
	struct fx *f = *state;
	struct crmsync_instance *inst;
	struct good_object_ctx *c;
	char *path;

	assert_int_equal(load(f, "[core]\nstate = state.db\nmappings_dir = maps\n"
				  GOOD_OBJECT "retries = 10\ntimeout = 2m\nverbose = yes\n"
				  "mode = fast\ntags = x, , y ,z\npath = rel/file\n"
				  "[resolver r]\nplugin = good\n[notifier n]\nplugin = good\nburst = 7\n"
				  "[dispatch]\nDUPLICATE_VALUE = r\n",
			      &path),
			 0);
	assert_no_errs(&f->errs);
	assert_string_equal(f->cfg.core.plugin_dir, f->plugins);
	inst = instance(f, KIND_OBJECT, "contact");
	assert_non_null(inst->plugin);
	assert_string_equal(inst->plugin->desc.name, "good");
	c = inst->ctx;
	assert_string_equal(c->name, "Alice");
	assert_null(c->token);
	assert_int_equal(c->retries, 10);
	assert_int_equal(c->timeout_ms, 120000);
	assert_int_equal(c->verbose, 1);
	assert_int_equal(c->mode, 0);
	assert_non_null(c->tags);
	assert_string_equal(c->tags[0], "x");
	assert_string_equal(c->tags[1], "y");
	assert_string_equal(c->tags[2], "z");
	assert_null(c->tags[3]);
	/* a plain string option is not a path: kept as written */
	assert_string_equal(c->path, "rel/file");
	assert_string_equal(((struct good_resolver_ctx *)instance(f, KIND_RESOLVER, "r")->ctx)->label,
			    "any");
	assert_int_equal(((struct good_notifier_ctx *)instance(f, KIND_NOTIFIER, "n")->ctx)->burst, 7);
	assert_string_equal(
		((struct good_notifier_ctx *)instance(f, KIND_NOTIFIER, "n")->ctx)->channel, "#ops");
	/* one .so, loaded once, for three instances */
	assert_int_equal(tu_count_lines(f->trace, "plugin-init good"), 1);
	assert_non_null(f->cfg.loader.plugins);
	assert_null(f->cfg.loader.plugins->next);
	free(path);
}

static void test_defaults_applied(void **state)
{
	struct fx *f = *state;
	struct good_object_ctx *c;

	assert_int_equal(load(f, GOOD_OBJECT, NULL), 0);
	assert_no_errs(&f->errs);
	c = instance(f, KIND_OBJECT, "contact")->ctx;
	assert_int_equal(c->retries, 3);
	assert_int_equal(c->timeout_ms, 30000);
	assert_int_equal(c->verbose, 0);
	assert_int_equal(c->mode, 1);
	assert_string_equal(c->tags[0], "a");
	assert_string_equal(c->tags[1], "b");
	assert_null(c->tags[2]);
	assert_null(c->path);
}

static void test_relative_paths(void **state)
{
	struct fx *f = *state;
	struct crmsync_instance *inst;
	char *want;

	assert_int_equal(load(f, "[core]\nstate = state.db\nmappings_dir = maps\n" GOOD_OBJECT
				  "[object other]\nplugin = good\nname = B\nmapping = m/other.yaml\n",
			      NULL),
			 0);
	assert_no_errs(&f->errs);
	want = xasprintf("%s/state.db", f->dir);
	assert_string_equal(f->cfg.core.state, want);
	free(want);
	want = xasprintf("%s/maps/good.yaml", f->dir);
	inst = instance(f, KIND_OBJECT, "contact");
	assert_string_equal(inst->mapping, want);
	free(want);
	want = xasprintf("%s/m/other.yaml", f->dir);
	assert_string_equal(instance(f, KIND_OBJECT, "other")->mapping, want);
	free(want);
}

static void test_unknown_key_in_plugin_section(void **state)
{
	struct fx *f = *state;
	char *path, *want;

	assert_int_equal(load(f, GOOD_OBJECT "colour = red\nretris = 2\n", &path), -EINVAL);
	assert_int_equal(f->errs.total, 2);
	want = xasprintf("%s:4: [object contact] colour: unknown key", path);
	assert_err(&f->errs, want);
	free(want);
	want = xasprintf("%s:5: [object contact] retris: unknown key (did you mean 'retries'?)", path);
	assert_err(&f->errs, want);
	free(want);
	free(path);
}

static void test_plugin_option_errors_all_reported(void **state)
{
	struct fx *f = *state;
	char *path;

	assert_int_equal(load(f, "[object contact]\nplugin = good\nretries = 11\ntimeout = 999ms\n"
				  "timeout2 = 1\nverbose = sometimes\nmode = turbo\n"
				  "[object b]\nplugin = good\nname =\nretries = 2.5\ntimeout = 5q\n"
				  "[notifier n]\nplugin = good\nburst = 0\n",
			      &path),
			 -EINVAL);
	assert_err(&f->errs, ":1: [object contact] name: missing required key",
		   "display name of the pair");
	assert_err(&f->errs, ":3: [object contact] retries: 11 is out of range (0 to 10)");
	assert_err(&f->errs, ":4: [object contact] timeout: '999ms' is out of range (1000 ms to 3600000 ms)");
	assert_err(&f->errs, ":5: [object contact] timeout2: unknown key");
	assert_err(&f->errs, ":6: [object contact] verbose: 'sometimes' is not a boolean");
	assert_err(&f->errs, ":7: [object contact] mode: 'turbo' is not one of: fast, safe, slow");
	assert_err(&f->errs, ":10: [object b] name: a value is required");
	assert_err(&f->errs, ":11: [object b] retries: '2.5' is not an integer");
	assert_err(&f->errs, ":12: [object b] timeout: '5q' is not a duration");
	assert_err(&f->errs, ":15: [notifier n] burst: 0 is out of range (1 to 100)");
	assert_int_equal(f->errs.total, 10);
	assert_err(&f->errs, path);
	free(path);
}

static void test_core_and_plugin_errors_together(void **state)
{
	struct fx *f = *state;

	/* an error in [core] must not hide the errors of the plugin sections */
	assert_int_equal(load(f, "[core]\ninterval = soon\n" GOOD_OBJECT "colour = red\n", NULL),
			 -EINVAL);
	assert_err(&f->errs, ":2: [core] interval: 'soon' is not a duration");
	assert_err(&f->errs, ":6: [object contact] colour: unknown key");
	assert_int_equal(f->errs.total, 2);
}

static void test_enabled_no(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, GOOD_OBJECT "enabled = no\n[object on]\nplugin = good\nname = B\n",
			      NULL),
			 0);
	assert_no_errs(&f->errs);
	assert_false(instance(f, KIND_OBJECT, "contact")->enabled);
	assert_int_equal(config_start_instances(&f->cfg), 0);
	assert_int_equal(tu_count_lines(f->trace, "object-init on name=B"), 1);
	assert_int_equal(tu_count_lines(f->trace, "object-init contact name=Alice"), 0);
	config_release(&f->cfg);
	f->have_cfg = 0;
	assert_int_equal(tu_count_lines(f->trace, "object-fini on"), 1);
	assert_int_equal(tu_count_lines(f->trace, "object-fini contact"), 0);
	assert_int_equal(tu_count_lines(f->trace, "plugin-fini good"), 1);
}

static void test_start_stop_all_kinds(void **state)
{
	struct fx *f = *state;
	char *trace;

	assert_int_equal(load(f, GOOD_OBJECT "[resolver r]\nplugin = good\n"
				  "[notifier n]\nplugin = good\n", NULL),
			 0);
	assert_int_equal(config_start_instances(&f->cfg), 0);
	config_stop_instances(&f->cfg);
	config_release(&f->cfg);
	f->have_cfg = 0;
	trace = tu_read(f->trace);
	assert_non_null(trace);
	/* started in file order, stopped in reverse, the plugin last */
	assert_string_equal(trace, "plugin-init good\nobject-init contact name=Alice\n"
				   "resolver-init r\nnotifier-init n\nnotifier-fini n\n"
				   "resolver-fini r\nobject-fini contact\nplugin-fini good\n");
	free(trace);
}

static void test_plugin_refused_in_config(void **state)
{
	struct fx *f = *state;
	char *path, *want;

	tu_copy_fixture(f->plugins, "major2", "major2");
	assert_int_equal(load(f, "[object a]\nplugin = major2\n[object b]\nplugin = ../good\n"
				  "[object c]\nplugin = a/b\n[object d]\nplugin = absent\n",
			      &path),
			 -EINVAL);
	assert_err(&f->errs, "major2.so", "built for ABI 2.0", "provides " ABI_NOW);
	want = xasprintf("%s:2: [object a] plugin: cannot use plugin 'major2'", path);
	assert_err(&f->errs, want);
	free(want);
	assert_err(&f->errs, "refusing plugin name '../good'");
	assert_err(&f->errs, "refusing plugin name 'a/b'");
	assert_err(&f->errs, "cannot find plugin 'absent'");
	assert_int_equal(f->errs.total, 8);
	free(path);
}

static void test_plugin_default_is_section_name(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, "[object good]\nname = X\n", NULL), 0);
	assert_no_errs(&f->errs);
	assert_string_equal(instance(f, KIND_OBJECT, "good")->plugin->desc.name, "good");
}

static void test_bad_option_table(void **state)
{
	struct fx *f = *state;

	tu_copy_fixture(f->plugins, "badtable", "badtable");
	assert_int_equal(load(f, "[object x]\nplugin = badtable\nnear = 2\n"
				  "[resolver y]\nplugin = badtable\n", NULL),
			 -EINVAL);
	assert_err(&f->errs, "badtable.so", "option 'far'", "outside its 8-byte context");
	assert_err(&f->errs, "[resolver y]: plugin 'badtable' offers no resolver component",
		   "it offers: object");
}

static void test_missing_config_file(void **state)
{
	struct fx *f = *state;
	char *path = xasprintf("%s/none.conf", f->dir);

	f->have_cfg = 1;
	assert_int_equal(config_load(&f->cfg, path, &f->errs), -ENOENT);
	assert_err(&f->errs, path, "cannot read", strerror(ENOENT));
	free(path);
}

/* ---- secrets -------------------------------------------------------------- */

#define SECRET "s3cr3t-T0KEN-do-not-print"

static void assert_secret_absent(const struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msg[i], SECRET) || strstr(errs->msg[i], "s3cr3t"))
			fail_msg("error message [%zu] echoes the secret: %s", i, errs->msg[i]);
}

static void test_secret_readable_by_others(void **state)
{
	struct fx *f = *state;
	char *secret = tu_write(f->dir, "token", SECRET "\n", 0644);

	assert_int_equal(load(f, GOOD_OBJECT "token = token\n", NULL),
			 -EINVAL);
	assert_err(&f->errs, "[object contact] token: secret file", secret, "mode 0644",
		   "chmod 600");
	assert_null(((struct good_object_ctx *)instance(f, KIND_OBJECT, "contact")->ctx)->token);
	assert_secret_absent(&f->errs);
	free(secret);
}

static void test_secret_read(void **state)
{
	struct fx *f = *state;
	char *secret = tu_write(f->dir, "token", SECRET "\r\n", 0600);
	struct crmsync_instance *inst;

	assert_int_equal(load(f, GOOD_OBJECT "token = token\n", NULL), 0);
	assert_no_errs(&f->errs);
	inst = instance(f, KIND_OBJECT, "contact");
	assert_string_equal(((struct good_object_ctx *)inst->ctx)->token, SECRET);
	/* the host never hands the raw INI text of a secret to a plugin */
	assert_null(crmsync_host_table.option_text(inst, "token"));
	assert_string_equal(crmsync_host_table.option_text(inst, "name"), "Alice");
	free(secret);
}

static void test_secret_other_problems(void **state)
{
	struct fx *f = *state;
	char *nul = xasprintf("%s/nul", f->dir);
	FILE *fp = fopen(nul, "w");

	assert_non_null(fp);
	fputs(SECRET, fp);
	fputc('\0', fp);
	fputs(SECRET, fp);
	fclose(fp);
	assert_int_equal(chmod(nul, 0600), 0);
	free(tu_write(f->dir, "empty", "\n", 0400));
	assert_int_equal(load(f, GOOD_OBJECT "token = nul\n[object b]\nplugin = good\nname = B\n"
				  "token = empty\n[object c]\nplugin = good\nname = C\ntoken = nowhere\n",
			      NULL),
			 -EINVAL);
	assert_int_equal(f->errs.total, 3);
	assert_err(&f->errs, "[object contact] token: secret file", "contains a NUL byte");
	assert_err(&f->errs, "[object b] token: secret file", "is empty");
	assert_err(&f->errs, "[object c] token: cannot read secret file", "nowhere");
	assert_secret_absent(&f->errs);
	free(nul);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty_file_defaults),
		T(test_core_values),
		T(test_core_bad_values_all_reported),
		T(test_core_out_of_range),
		T(test_core_unknown_key),
		T(test_repeated_section_and_key),
		T(test_key_outside_section),
		T(test_bad_headers_and_lines),
		T(test_keys_of_invalid_section_ignored),
		T(test_crlf_and_bom),
		T(test_enabled_and_frequency),
		T(test_dispatch),
		T(test_dispatch_code_with_colon),
		T(test_control_character_in_key),
		T(test_long_line),
		T(test_line_at_limit),
		T(test_nul_byte),
		T(test_ten_thousand_sections),
		T(test_ten_thousand_errors),
		T(test_many_keys_in_one_section),
		T(test_load_good),
		T(test_defaults_applied),
		T(test_relative_paths),
		T(test_unknown_key_in_plugin_section),
		T(test_plugin_option_errors_all_reported),
		T(test_core_and_plugin_errors_together),
		T(test_enabled_no),
		T(test_start_stop_all_kinds),
		T(test_plugin_refused_in_config),
		T(test_plugin_default_is_section_name),
		T(test_bad_option_table),
		T(test_missing_config_file),
		T(test_secret_readable_by_others),
		T(test_secret_read),
		T(test_secret_other_problems),
	};
#undef T
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
