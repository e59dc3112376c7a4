/*
 * main.c - `crmsyncd`, the daemon. Owns process-wide state: umask, locale,
 * signals, curl's global init, the ban on core dumps (they would hold
 * secrets). Loads the config and its plugins, starts the components, tells
 * systemd it is ready, reloads on SIGHUP and exits cleanly on SIGTERM/SIGINT.
 * The sync cycle itself lives in engine.c.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "engine.h"
#include "notify.h"
#include "http.h"
#include "store.h"
#include "log.h"
#include "util.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
		"usage: crmsyncd [-c FILE] [--once [--dry-run]] [--check]\n"
		"\n"
		"Keep HubSpot and Salesforce in step.\n"
		"\n"
		"  -c, --config FILE   configuration file (default %s/crmsync/crmsync.conf;\n"
		"                      CRMSYNC_CONFIG overrides the default)\n"
		"      --once          run one sync cycle and exit: 0 when every change was\n"
		"                      written or recorded as a sync error, 1 otherwise\n"
		"      --dry-run       with --once: print what would be created, updated and\n"
		"                      deleted, and the ambiguous matches; write nothing\n"
		"      --check         load and check the configuration and plugins, then exit\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and the plugin ABI, and exit\n"
		"\n"
		"signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads the configuration.\n",
		SYSCONFDIR);
}

/* Tell systemd (Type=notify) something, if it is listening. */
static void sd_notify_msg(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	n = strlen(path);
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		log_debug("cannot notify systemd: %s", strerror(errno));
	close(fd);
}

/* One loader for the process: a reload reuses the plugins already open, so
 * no plugin is initialised twice or finalised while in use. */
static struct loader plugins;

static int load_and_start(struct config *cfg, const char *path)
{
	struct errlist errs = { 0 };
	int err = config_load_shared(cfg, path, &plugins, &errs);

	if (err) {
		errlist_print(&errs, "crmsyncd");
		errlist_release(&errs);
		config_release(cfg);
		return err;
	}
	errlist_release(&errs);
	log_setup("crmsyncd", LOG_LVL_ERR + cfg->core.log_level);
	err = config_start_instances(cfg);
	if (err) {
		config_release(cfg);
		return err;
	}
	for (size_t i = 0; i < cfg->ninst; i++) {
		const struct crmsync_instance *inst = cfg->inst[i];

		log_info("%s: %s (plugin %s %s)", inst->tag, inst->enabled ? "enabled" : "disabled",
			 inst->plugin->desc.name, inst->plugin->desc.version ? inst->plugin->desc.version : "");
	}
	return 0;
}

static volatile int stop_flag;
static volatile int reload_flag;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_flag = 1;
	else
		stop_flag = sig;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* One cycle with a fresh engine over the current config. */
static int fresh_metadata;   /* after a reload: read the services' metadata again */

static int run_cycle(struct config *cfg, int dry_run)
{
	struct engine_opts opts = { dry_run, stdout, &stop_flag, fresh_metadata };
	struct engine *engine;
	struct store *store;
	int err;

	err = store_open(&store, cfg->core.state, 0);
	if (err)
		return err;
	err = engine_new(&engine, cfg, store, &opts);
	if (!err) {
		err = engine_cycle(engine);
		engine_free(engine);
	}
	store_close(store);
	return err;
}

/*
 * Conditions the admin hears about once when they begin and once when they
 * end: the state key in the store, and what to say.
 */
static const struct {
	const char *key;
	const char *begins, *ends, *ends_body;
} conditions[] = {
	{ "salesforce.paused", "crmsync paused: no Salesforce API calls left",
	  "crmsync resumed: Salesforce API calls are available again",
	  "The rolling 24 h budget has room again; the sync continues where it stopped." },
	/* set by the API clients when a refresh token is refused (auth_state.h) */
	{ "salesforce.auth_revoked",
	  "crmsync stopped: Salesforce refused its credentials; reconnect with 'crmsync connect "
	  "salesforce'",
	  "crmsync resumed: Salesforce accepts its credentials again",
	  "The Salesforce connection was renewed; the sync continues where it stopped." },
	{ "hubspot.auth_revoked",
	  "crmsync stopped: HubSpot refused its credentials; reconnect with 'crmsync connect hubspot'",
	  "crmsync resumed: HubSpot accepts its credentials again",
	  "The HubSpot connection was renewed; the sync continues where it stopped." },
};

static void announce(struct config *cfg, struct store *st)
{
	for (size_t i = 0; i < sizeof(conditions) / sizeof(conditions[0]); i++) {
		char said_key[96], *why = NULL, *said = NULL;
		int on, told;

		snprintf(said_key, sizeof(said_key), "notify.told.%s", conditions[i].key);
		on = store_kv_get(st, conditions[i].key, &why) == 0;
		told = store_kv_get(st, said_key, &said) == 0;

		if (on && !told) {
			notify_event(cfg, st, conditions[i].begins, why);
			store_kv_put(st, said_key, "1");
		} else if (!on && told) {
			notify_event(cfg, st, conditions[i].ends, conditions[i].ends_body);
			store_kv_del(st, said_key);
		}
		free(why);
		free(said);
	}
}

/* After a cycle, and now and then while idle: tell the admin what is new. */
static void tell(struct config *cfg)
{
	struct store *st;

	if (store_open(&st, cfg->core.state, 0))
		return;
	announce(cfg, st);
	notify_run(cfg, st);
	store_close(st);
}

#define IDLE_POLL_MS 1000        /* how soon an idle daemon sees a resync request */
#define IDLE_NOTIFY_MS 30000     /* digests and channel retries while idle */

/* Sleep until the deadline, a signal, or a resync request (returns 1). */
static int sleep_until(struct config *cfg, int64_t deadline_ms)
{
	struct store *st = NULL;
	int64_t last_poll = 0, last_notify = 0;
	int rc = 0;

	store_open(&st, cfg->core.state, STORE_READONLY);
	for (;;) {
		struct timespec now, ts = { 0, 200 * 1000000L };
		int64_t t;

		clock_gettime(CLOCK_REALTIME, &now);
		t = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
		if (stop_flag || reload_flag || t >= deadline_ms)
			break;
		if (st && t - last_poll >= IDLE_POLL_MS) {
			int64_t pending = 0;

			last_poll = t;
			if (store_resync_pending(st, &pending) == 0 && pending > 0) {
				log_info("resync requested: starting a cycle now");
				rc = 1;
				break;
			}
		}
		if (!last_notify)
			last_notify = t;
		if (t - last_notify >= IDLE_NOTIFY_MS) {
			last_notify = t;
			tell(cfg);
		}
		nanosleep(&ts, NULL);
	}
	store_close(st);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("CRMSYNC_CONFIG");
	struct config cfg;
	int once = 0, check = 0, dry_run = 0, c, rc = 0;

	if (!path || !*path)
		path = SYSCONFDIR "/crmsync/crmsync.conf";
	while ((c = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'o':
			once = 1;
			break;
		case 'n':
			dry_run = 1;
			break;
		case 'k':
			check = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("crmsyncd %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, CRMSYNC_ABI_MAJOR,
			       CRMSYNC_ABI_MINOR);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || (dry_run && !once)) {
		if (dry_run && !once)
			fprintf(stderr, "crmsyncd: --dry-run needs --once\n");
		usage(stderr);
		return EXIT_USAGE;
	}

	umask(077);
	setlocale(LC_ALL, "C");
	/* secrets live in this process's memory: no core dumps, no ptrace by peers */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	log_setup("crmsyncd", LOG_LVL_INFO);
	install_signals();
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	http_set_cancel_flag(&stop_flag);

	if (http_global_init()) {
		log_err("cannot initialise libcurl");
		return 1;
	}
	if (load_and_start(&cfg, path)) {
		if (plugins.plugin_dir)
			loader_release(&plugins);
		http_global_cleanup();
		return 1;
	}
	if (check) {
		log_info("configuration '%s' loaded; check done", path);
		goto out;
	}
	if (once) {
		rc = run_cycle(&cfg, dry_run) ? 1 : 0;
		if (!dry_run)
			tell(&cfg);
		goto out;
	}
	log_notice("started with '%s'; a cycle every %lld s", path,
		   (long long)(cfg.core.interval_ms / 1000));
	sd_notify_msg("READY=1\nSTATUS=running");
	while (!stop_flag) {
		struct timespec now;
		int64_t start;

		clock_gettime(CLOCK_REALTIME, &now);
		start = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
		if (run_cycle(&cfg, 0))
			log_warn("the cycle did not finish; the next one resumes where it stopped");
		fresh_metadata = 0;
		tell(&cfg);
		sleep_until(&cfg, start + cfg.core.interval_ms);
		if (reload_flag) {
			struct config fresh;

			reload_flag = 0;
			sd_notify_msg("RELOADING=1");
			log_notice("reloading '%s'", path);
			if (load_and_start(&fresh, path)) {
				log_err("reload failed; keeping the running configuration");
			} else {
				config_release(&cfg);
				cfg = fresh;
			}
			fresh_metadata = 1;
			sd_notify_msg("READY=1");
		}
	}
	log_notice("stopping on signal %d", stop_flag);
	sd_notify_msg("STOPPING=1");
out:
	config_release(&cfg);
	if (plugins.plugin_dir)
		loader_release(&plugins);
	http_global_cleanup();
	return rc;
}
