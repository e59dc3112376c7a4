/*
 * crmsync-sim: a stand-in for Salesforce REST and HubSpot CRM v3 on two
 * loopback ports, for crmsync's tests and benchmarks. Parses options, binds
 * both sides to 127.0.0.1, loads and saves the optional state file, prints one
 * JSON "ready" line with the base URLs and demo credentials, and runs until
 * SIGTERM/SIGINT. It must never listen on anything but loopback.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"

enum {
	OPT_SF_PORT = 256, OPT_HS_PORT, OPT_OVERLAP, OPT_DIRTY, OPT_SCHEMA, OPT_TOKEN_TTL,
	OPT_STATE, OPT_SF_DAILY, OPT_HS_DAILY, OPT_HS_BURST, OPT_HS_ASSOC, OPT_HS_SEARCH,
	OPT_ONLY,
};

static const struct option longopts[] = {
	{"salesforce-port", required_argument, NULL, OPT_SF_PORT},
	{"hubspot-port", required_argument, NULL, OPT_HS_PORT},
	{"seed", required_argument, NULL, 's'},
	{"records", required_argument, NULL, 'r'},
	{"overlap", required_argument, NULL, OPT_OVERLAP},
	{"dirty", required_argument, NULL, OPT_DIRTY},
	{"schema", required_argument, NULL, OPT_SCHEMA},
	{"token-ttl", required_argument, NULL, OPT_TOKEN_TTL},
	{"state", required_argument, NULL, OPT_STATE},
	{"sf-daily-limit", required_argument, NULL, OPT_SF_DAILY},
	{"hs-daily-limit", required_argument, NULL, OPT_HS_DAILY},
	{"hs-burst-limit", required_argument, NULL, OPT_HS_BURST},
	{"hs-assoc-limit", required_argument, NULL, OPT_HS_ASSOC},
	{"hs-search-rate", required_argument, NULL, OPT_HS_SEARCH},
	{"only", required_argument, NULL, OPT_ONLY},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static void usage(FILE *f)
{
	fputs("usage: crmsync-sim [options]\n"
	      "Serve stand-ins for Salesforce REST and HubSpot CRM v3 on 127.0.0.1.\n\n"
	      "  --salesforce-port N   Salesforce port (default 8401; 0 = any free port)\n"
	      "  --hubspot-port N      HubSpot port (default 8402; 0 = any free port)\n"
	      "  --seed S              data generator seed (default 1)\n"
	      "  --records R           records per object per side (default 1000)\n"
	      "  --overlap F           share of people on both sides, 0..1 (default 0.3)\n"
	      "  --dirty F             share of records that trigger sync errors, 0..1 (default 0.05)\n"
	      "  --schema FILE         Salesforce custom fields and rules (JSON)\n"
	      "  --token-ttl SECONDS   access token lifetime (default 7200; HubSpot caps at 1800)\n"
	      "  --state FILE          load state from FILE if it exists, save it on exit\n"
	      "  --sf-daily-limit N    Salesforce DailyApiRequests (default 100000)\n"
	      "  --hs-daily-limit N    HubSpot daily calls (default 250000; 0 = no limit)\n"
	      "  --hs-burst-limit N    HubSpot calls per 10 s (default 190; 0 = no limit)\n"
	      "  --hs-assoc-limit N    HubSpot associations per record and type (default 1000)\n"
	      "  --hs-search-rate N    HubSpot searches per second (default 4; 0 = no limit)\n"
	      "  --only SIDE           serve only 'hubspot' or 'salesforce'\n"
	      "  -h, --help            show this help\n\n"
	      "When ready, prints one JSON line with both base URLs and demo credentials.\n"
	      "Admin endpoints (loopback only) live under /__admin/ on each port.\n", f);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_share(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || end == s || v < 0 || v > 1)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct sim_opts *o, int *sf_port, int *hs_port,
		      const char **state, const char **only)
{
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "s:r:h", longopts, NULL)) != -1) {
		const char *name = NULL;
		int bad = 0;

		switch (c) {
		case OPT_SF_PORT: bad = parse_long(optarg, 0, 65535, &v); *sf_port = (int)v; name = "--salesforce-port"; break;
		case OPT_HS_PORT: bad = parse_long(optarg, 0, 65535, &v); *hs_port = (int)v; name = "--hubspot-port"; break;
		case 's': {
			char *end;

			errno = 0;
			o->seed = strtoull(optarg, &end, 10);
			bad = errno || *end || end == optarg;
			name = "--seed";
			break;
		}
		case 'r': bad = parse_long(optarg, 0, 10000000, &v); o->records = (size_t)v; name = "--records"; break;
		case OPT_OVERLAP: bad = parse_share(optarg, &o->overlap); name = "--overlap"; break;
		case OPT_DIRTY: bad = parse_share(optarg, &o->dirty); name = "--dirty"; break;
		case OPT_SCHEMA: o->schema_file = optarg; break;
		case OPT_TOKEN_TTL: bad = parse_long(optarg, 1, INT_MAX, &v); o->token_ttl = (int)v; name = "--token-ttl"; break;
		case OPT_STATE: *state = optarg; break;
		case OPT_SF_DAILY: bad = parse_long(optarg, 0, LONG_MAX, &o->sf_daily_limit); name = "--sf-daily-limit"; break;
		case OPT_HS_DAILY: bad = parse_long(optarg, 0, LONG_MAX, &o->hs_daily_limit); name = "--hs-daily-limit"; break;
		case OPT_HS_BURST: bad = parse_long(optarg, 0, INT_MAX, &v); o->hs_burst_limit = (int)v; name = "--hs-burst-limit"; break;
		case OPT_HS_ASSOC: bad = parse_long(optarg, 1, INT_MAX, &v); o->hs_assoc_limit = (int)v; name = "--hs-assoc-limit"; break;
		case OPT_HS_SEARCH: bad = parse_long(optarg, 0, INT_MAX, &v); o->hs_search_rate = (int)v; name = "--hs-search-rate"; break;
		case OPT_ONLY:
			*only = optarg;
			bad = strcmp(optarg, "hubspot") && strcmp(optarg, "salesforce");
			name = "--only";
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (bad) {
			fprintf(stderr, "crmsync-sim: invalid value '%s' for %s\n", optarg, name);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "crmsync-sim: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* ---- state file --------------------------------------------------------- */

static int state_load(const char *path, struct sim_server *srv, int n)
{
	json_error_t jerr;
	json_t *root;
	int err = 0;

	if (access(path, F_OK))
		return 0;
	root = json_load_file(path, 0, &jerr);
	if (!json_is_object(root)) {
		fprintf(stderr, "crmsync-sim: cannot load state '%s': %s (line %d)\n", path,
			jerr.text, jerr.line);
		json_decref(root);
		return -EINVAL;
	}
	sim_clock_set_offset(json_integer_value(json_object_get(root, "clock_offset_ms")));
	for (int i = 0; i < n && !err; i++) {
		json_t *st = json_object_get(root, srv[i].ops->name);

		if (st && srv[i].ops->load)
			err = srv[i].ops->load(srv[i].side, st);
		if (err)
			fprintf(stderr, "crmsync-sim: cannot restore the %s side from '%s': %s\n",
				srv[i].ops->name, path, strerror(-err));
	}
	json_decref(root);
	return err;
}

static int state_save(const char *path, struct sim_server *srv, int n)
{
	char tmp[4096];
	json_t *root = json_pack("{s:s,s:i,s:I}", "format", "crmsync-sim-state", "version", 1,
				 "clock_offset_ms", (json_int_t)sim_clock_offset());

	for (int i = 0; i < n; i++)
		if (srv[i].ops->save)
			json_object_set_new(root, srv[i].ops->name, srv[i].ops->save(srv[i].side));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (json_dump_file(root, tmp, JSON_COMPACT) || rename(tmp, path)) {
		int err = -errno;

		fprintf(stderr, "crmsync-sim: cannot save state to '%s': %s\n", path, strerror(-err));
		json_decref(root);
		return err ? err : -EIO;
	}
	json_decref(root);
	return 0;
}

/* ---- main ----------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct sim_opts opts = {
		.seed = 1, .records = 1000, .overlap = 0.3, .dirty = 0.05, .token_ttl = 7200,
		.sf_daily_limit = 100000, .hs_daily_limit = 250000, .hs_burst_limit = 190,
		.hs_assoc_limit = 1000, .hs_search_rate = 4,
	};
	const struct sim_side_ops *all[2] = { &sim_salesforce_ops, &sim_hubspot_ops };
	struct sim_server srv[2];
	int ports[2] = { 8401, 8402 };
	const char *state = NULL, *only = NULL;
	int n = 0, rc = 1, sig;
	sigset_t set;
	json_t *ready;
	char *line;

	memset(srv, 0, sizeof(srv));
	if (parse_args(argc, argv, &opts, &ports[0], &ports[1], &state, &only))
		return 2;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* the servers' threads inherit it */
	signal(SIGPIPE, SIG_IGN);

	for (int i = 0; i < 2; i++) {
		if (only && strcmp(only, all[i]->name))
			continue;
		srv[n].opts = &opts;
		if (sim_server_bind(&srv[n], all[i], ports[i]))
			goto out_stop;
		if (all[i] == &sim_salesforce_ops)
			opts.sf_base_url = srv[n].base_url;
		else
			opts.hs_base_url = srv[n].base_url;
		n++;
	}
	for (int i = 0; i < n; i++) {
		srv[i].side = srv[i].ops->create(&opts);
		if (!srv[i].side) {
			fprintf(stderr, "crmsync-sim: cannot create the %s side\n", srv[i].ops->name);
			goto out_destroy;
		}
	}
	if (state && state_load(state, srv, n))
		goto out_destroy;
	for (int i = 0; i < n; i++)
		if (sim_server_start(&srv[i]))
			goto out_stop;

	ready = json_pack("{s:s,s:I,s:I,s:I}", "status", "ready", "pid", (json_int_t)getpid(),
			  "seed", (json_int_t)opts.seed, "records", (json_int_t)opts.records);
	for (int i = 0; i < n; i++) {
		json_t *side = srv[i].ops->credentials ? srv[i].ops->credentials(srv[i].side) : NULL;

		if (!json_is_object(side)) {
			json_decref(side);
			side = json_object();
		}
		json_object_set_new(side, "base_url", json_string(srv[i].base_url));
		json_object_set_new(side, "port", json_integer(srv[i].port));
		json_object_set_new(ready, srv[i].ops->name, side);
	}
	line = json_dumps(ready, JSON_COMPACT);
	json_decref(ready);
	if (!line)
		goto out_stop;
	printf("%s\n", line);
	fflush(stdout);
	free(line);

	do {
		if (sigwait(&set, &sig))
			break;
	} while (sig != SIGINT && sig != SIGTERM);
	rc = 0;

out_stop:
	for (int i = 0; i < n; i++)
		sim_server_stop(&srv[i]);
	if (!rc && state && state_save(state, srv, n))
		rc = 1;
out_destroy:
	for (int i = 0; i < n; i++) {
		sim_server_stop(&srv[i]);
		if (srv[i].side)
			srv[i].ops->destroy(srv[i].side);
	}
	return rc;
}
