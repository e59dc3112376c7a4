/*
 * cli.c - `crmsync`, the admin command line. Reads the same config as the
 * daemon; never prints a secret. Exit codes: 0 success, 1 failure (config
 * errors, plugin refused), 2 usage error.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "cli_connect.h"
#include "http.h"
#include "log.h"
#include "mapping.h"
#include "util.h"

static const char *default_config(void)
{
	const char *env = getenv("CRMSYNC_CONFIG");

	return env && *env ? env : SYSCONFDIR "/crmsync/crmsync.conf";
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: crmsync [-c FILE] COMMAND [ARGS]\n"
		"\n"
		"Administer crmsync, the HubSpot <-> Salesforce sync daemon.\n"
		"\n"
		"commands:\n"
		"  check-config [FILE]      check the configuration and every plugin it names;\n"
		"                           prints every error, exits 1 if there is any\n"
		"  plugins list             the plugins the configuration loads: name, version,\n"
		"                           ABI, components, path\n"
		"  plugins describe NAME    a plugin's options and their help\n"
		"  status [--json]          API calls in the last 24 h against the allocation,\n"
		"                           the last cycle per object, sync errors by type\n"
		"  allocation [set N]       show, or set, the Salesforce API calls crmsync may\n"
		"                           use per rolling 24 h\n"
		"  connect salesforce [--sandbox] [--login-url URL] [--jwt KEYFILE --user NAME]\n"
		"                           connect (or switch) the Salesforce integration user:\n"
		"                           OAuth with PKCE in a browser, or the JWT bearer flow\n"
		"  connect hubspot [--token-file FILE | --oauth ...]\n"
		"                           connect the HubSpot account: a private-app token\n"
		"                           (checked first) or the OAuth install flow\n"
		"  whoami [--json]          the Salesforce user and HubSpot portal crmsync acts\n"
		"                           as, and whether each token works now\n"
		"  errors                   sync errors: one card per type (errors, records)\n"
		"  errors list [--type T] [--json]   the current errors\n"
		"  errors show ID           one error in full: both records, details, what to do\n"
		"  errors export [--type T] [-o FILE] [--bom]   as CSV (RFC 4180, UTF-8)\n"
		"  errors history [--type T] [--limit N]        resolved errors: when and how\n"
		"  resync ID... | --type T  retry these errors (at most 100) on the next cycle\n"
		"  explain [OBJECT]         how each enabled object syncs, in words: direction,\n"
		"                           frequency, matching and de-duplication\n"
		"\n"
		"options:\n"
		"  -c, --config FILE        configuration file (default %s;\n"
		"                           CRMSYNC_CONFIG overrides the default)\n"
		"  -h, --help               show this help and exit\n"
		"  -V, --version            show the version and the plugin ABI, and exit\n",
		default_config());
}

int cli_load(struct config *cfg, const char *path, int with_plugins)
{
	struct errlist errs = { 0 };
	int err = with_plugins ? config_load(cfg, path, &errs) : config_load_core(cfg, path, &errs);

	if (err) {
		errlist_print(&errs, "crmsync");
		fprintf(stderr, "crmsync: '%s': %zu error%s\n", path, errs.total,
			errs.total == 1 ? "" : "s");
	}
	errlist_release(&errs);
	return err;
}

/* The mapping file of every enabled object parses; prints what does not. */
static int check_mappings(const struct config *cfg)
{
	struct errlist errs = { 0 };
	int bad = 0;

	for (size_t i = 0; i < cfg->ninst; i++) {
		const struct crmsync_instance *inst = cfg->inst[i];
		struct mapping *m = NULL;

		if (inst->kind != KIND_OBJECT || !inst->enabled || !inst->mapping)
			continue;
		if (mapping_load(inst->mapping, &m, &errs)) {
			if (!errs.total)
				errlist_add(&errs, "%s: [object %s] mapping: cannot load '%s'", cfg->path,
					    inst->name, inst->mapping);
			bad = 1;
		}
		mapping_free(m);
	}
	if (bad) {
		errlist_print(&errs, "crmsync");
		fprintf(stderr, "crmsync: '%s': %zu error%s in mapping files\n", cfg->path, errs.total,
			errs.total == 1 ? "" : "s");
	}
	errlist_release(&errs);
	return bad;
}

static int cmd_check_config(const char *path)
{
	struct config cfg;
	size_t objects = 0, enabled = 0, resolvers = 0, notifiers = 0;
	int err = cli_load(&cfg, path, 1);

	if (err || check_mappings(&cfg)) {
		config_release(&cfg);
		return 1;
	}
	for (size_t i = 0; i < cfg.ninst; i++) {
		const struct crmsync_instance *inst = cfg.inst[i];

		if (inst->kind == KIND_OBJECT) {
			objects++;
			enabled += inst->enabled ? 1 : 0;
		} else if (inst->kind == KIND_RESOLVER) {
			resolvers++;
		} else {
			notifiers++;
		}
	}
	printf("%s: OK (%zu object%s, %zu enabled; %zu resolver%s; %zu notifier%s; %zu dispatch "
	       "rule%s)\n",
	       path, objects, objects == 1 ? "" : "s", enabled, resolvers, resolvers == 1 ? "" : "s",
	       notifiers, notifiers == 1 ? "" : "s", cfg.ndispatch, cfg.ndispatch == 1 ? "" : "s");
	config_release(&cfg);
	return 0;
}

static int cmd_plugins_list(const char *path)
{
	struct config cfg;
	int err = cli_load(&cfg, path, 1);

	if (err) {
		config_release(&cfg);
		return 1;
	}
	printf("%-18s %-10s %-5s %-26s %s\n", "NAME", "VERSION", "ABI", "KINDS", "PATH");
	for (const struct plugin *p = cfg.ld ? cfg.ld->plugins : NULL; p; p = p->next) {
		char kinds[64], abi[16];

		plugin_kinds(p, kinds, sizeof(kinds));
		snprintf(abi, sizeof(abi), "%u.%u", p->desc.abi_major, p->desc.abi_minor);
		printf("%-18s %-10s %-5s %-26s %s\n", p->desc.name,
		       p->desc.version ? p->desc.version : "-", abi, kinds, p->path);
	}
	config_release(&cfg);
	return 0;
}

static void describe_table(const char *section, const struct crmsync_option *tab,
			   const char *const *core_keys)
{
	printf("\n[%s NAME]\n", section);
	for (const char *const *k = core_keys; *k; k += 2)
		printf("  %-22s %s\n", k[0], k[1]);
	for (const struct crmsync_option *o = tab; o && o->key; o++) {
		char type[256];

		if (o->type == CRMSYNC_OPT_ENUM) {
			struct strbuf sb = { 0 };
			char *s;

			for (int i = 0; o->choices && o->choices[i]; i++)
				strbuf_addf(&sb, "%s%s", i ? "|" : "", o->choices[i]);
			s = strbuf_detach(&sb);
			snprintf(type, sizeof(type), "%s", s);
			free(s);
		} else {
			snprintf(type, sizeof(type), "%s", option_type_name(o->type));
		}
		printf("  %-22s %s%s%s", o->key, o->help ? o->help : "",
		       o->flags & CRMSYNC_OPT_REQUIRED ? " (required)" : "",
		       o->flags & CRMSYNC_OPT_SECRET ? " (secret: the value is a file, mode 0600)" : "");
		printf("\n  %-22s   %s", "", type);
		if (o->def)
			printf(", default %s", o->def);
		if ((o->min || o->max) && o->type == CRMSYNC_OPT_INT)
			printf(", %lld..%lld", (long long)o->min, (long long)o->max);
		printf("\n");
	}
}

static int cmd_plugins_describe(const char *path, const char *name)
{
	static const char *const object_keys[] = {
		"plugin", "plugin file name in plugin_dir (default: NAME)",
		"enabled", "yes|no: sync this object (default yes)",
		"mapping", "field mapping file (YAML; default: the plugin's, in mappings_dir)",
		NULL
	};
	static const char *const resolver_keys[] = {
		"plugin", "plugin file name in plugin_dir (default: NAME)", NULL
	};
	static const char *const notifier_keys[] = {
		"plugin", "plugin file name in plugin_dir (default: NAME)",
		"enabled", "yes|no (default yes)",
		"frequency", "immediate|daily|weekly (default immediate)",
		"digest_time", "HH:MM, local time, of daily and weekly digests (default 08:00)",
		"digest_day", "monday..sunday: the weekly digest's day (default monday)",
		NULL
	};
	struct errlist errs = { 0 };
	struct loader ld;
	struct config cfg;
	struct plugin *p;
	int rc = 1;

	/* the plugin need not be configured, and the rest of the file need not
	 * be right: only plugin_dir is taken from it */
	config_load_core(&cfg, path, &errs);
	errlist_release(&errs);
	loader_init(&ld, cfg.core.plugin_dir ? cfg.core.plugin_dir : PLUGINDIR);
	if (loader_load(&ld, name, &p, &errs)) {
		errlist_print(&errs, "crmsync");
		goto out;
	}
	printf("%s %s (ABI %u.%u): %s\n  %s\n", p->desc.name, p->desc.version ? p->desc.version : "-",
	       p->desc.abi_major, p->desc.abi_minor, p->desc.description ? p->desc.description : "",
	       p->path);
	if (p->has_object) {
		printf("\nobject: HubSpot %s <-> Salesforce", p->object.hubspot_object
		       ? p->object.hubspot_object : "?");
		for (const char *const *s = p->object.salesforce_objects; s && *s; s++)
			printf(" %s", *s);
		printf("\n");
		if (p->object.depends_on && p->object.depends_on[0]) {
			printf("  syncs after:");
			for (const char *const *s = p->object.depends_on; *s; s++)
				printf(" %s", *s);
			printf("\n");
		}
		describe_table("object", p->object.options, object_keys);
	}
	if (p->has_resolver) {
		printf("\nresolver: error type '%s'", p->resolver.type ? p->resolver.type : "?");
		if (p->resolver.codes && p->resolver.codes[0]) {
			printf(", claims by default:");
			for (const char *const *s = p->resolver.codes; *s; s++)
				printf(" %s", *s);
		}
		printf("\n");
		describe_table("resolver", p->resolver.options, resolver_keys);
	}
	if (p->has_notifier) {
		printf("\nnotifier\n");
		describe_table("notifier", p->notifier.options, notifier_keys);
	}
	rc = 0;
out:
	errlist_release(&errs);
	loader_release(&ld);
	config_release(&cfg);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config = NULL;
	const char *cmd;
	int c;

	log_setup("crmsync", LOG_LVL_WARNING);
	while ((c = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("crmsync %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, CRMSYNC_ABI_MAJOR,
			       CRMSYNC_ABI_MINOR);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!config)
		config = default_config();
	cmd = argv[optind++];
	if (strcmp(cmd, "check-config") == 0) {
		if (argc - optind > 1) {
			fprintf(stderr, "crmsync: check-config takes at most one FILE\n");
			return EXIT_USAGE;
		}
		return cmd_check_config(optind < argc ? argv[optind] : config);
	}
	if (strcmp(cmd, "plugins") == 0) {
		const char *sub = optind < argc ? argv[optind++] : NULL;

		if (sub && strcmp(sub, "list") == 0 && optind == argc)
			return cmd_plugins_list(config);
		if (sub && strcmp(sub, "describe") == 0 && argc - optind == 1)
			return cmd_plugins_describe(config, argv[optind]);
		fprintf(stderr, "crmsync: usage: crmsync plugins list | crmsync plugins describe NAME\n");
		return EXIT_USAGE;
	}
	if (strcmp(cmd, "status") == 0) {
		int as_json = optind < argc && strcmp(argv[optind], "--json") == 0;

		if (argc - optind > as_json) {
			fprintf(stderr, "crmsync: usage: crmsync status [--json]\n");
			return EXIT_USAGE;
		}
		return cmd_status(config, as_json);
	}
	if (strcmp(cmd, "allocation") == 0)
		return cmd_allocation(config, argc - optind, argv + optind);
	if (strcmp(cmd, "connect") == 0)
		return cmd_connect(config, argc - optind, argv + optind);
	if (strcmp(cmd, "whoami") == 0)
		return cmd_whoami(config, argc - optind, argv + optind);
	if (strcmp(cmd, "errors") == 0)
		return cmd_errors(config, argc - optind, argv + optind);
	if (strcmp(cmd, "resync") == 0)
		return cmd_resync(config, argc - optind, argv + optind);
	if (strcmp(cmd, "explain") == 0) {
		if (argc - optind > 1) {
			fprintf(stderr, "crmsync: usage: crmsync explain [OBJECT]\n");
			return EXIT_USAGE;
		}
		return cmd_explain(config, optind < argc ? argv[optind] : NULL);
	}
	if (strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "crmsync: unknown command '%s'; see 'crmsync --help'\n", cmd);
	return EXIT_USAGE;
}
