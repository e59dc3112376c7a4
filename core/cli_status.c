/*
 * cli_status.c - `crmsync status` and `crmsync allocation`: what the daemon
 * did, read from the state database it shares with the CLI. --json output is
 * for scripts; its keys are stable.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "budget.h"
#include "cfg.h"
#include "cli.h"
#include "cli_connect.h"
#include "notify.h"
#include "store.h"
#include "util.h"

void cli_fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(buf, len, "never");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cli_open_store(const struct config *cfg, struct store **st, int flags)
{
	int err = store_open(st, cfg->core.state, flags);

	if (err == -ENOENT)
		fprintf(stderr, "crmsync: no state database at '%s' yet: run crmsyncd first\n",
			cfg->core.state);
	return err;
}

static int add_cycle(const struct store_cycle *c, void *arg)
{
	json_t *objects = arg;
	char started[32], finished[32];

	cli_fmt_time(c->started_at, started, sizeof(started));
	cli_fmt_time(c->finished_at, finished, sizeof(finished));
	json_array_append_new(objects,
			      json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s}", "object", c->object,
					"started", started, "finished", finished, "read", (json_int_t)c->n_read,
					"written", (json_int_t)c->n_written, "failed",
					(json_int_t)c->n_failed, "status", c->status, "message", c->message));
	return 0;
}

int cmd_status(const char *path, int as_json)
{
	struct budget_status bs;
	struct store_error_count *counts = NULL;
	struct store *st;
	struct config cfg;
	json_t *root, *objects, *errors, *channels;
	size_t ncounts = 0;
	int64_t resyncs = 0;

	if (cli_load(&cfg, path, 0)) {
		config_release(&cfg);
		return 1;
	}
	if (cli_open_store(&cfg, &st, STORE_READONLY)) {
		config_release(&cfg);
		return 1;
	}
	budget_status_read(st, cfg.sf.api_allocation, &bs);
	objects = json_array();
	store_cycle_list(st, add_cycle, objects);
	store_error_counts(st, &counts, &ncounts);
	store_resync_pending(st, &resyncs);
	channels = json_array();
	for (size_t i = 0; i < cfg.ninst; i++) {
		const struct crmsync_instance *inst = cfg.inst[i];
		struct store_notify sn;
		char last[32], next[32];
		int known;

		if (inst->kind != KIND_NOTIFIER)
			continue;
		known = store_notify_get(st, inst->name, &sn) == 0;
		if (!known)
			memset(&sn, 0, sizeof(sn));
		cli_fmt_time(known ? sn.last_digest_at : 0, last, sizeof(last));
		cli_fmt_time(sn.failures ? notify_retry_at(st, inst->name) : sn.next_digest_at, next,
			     sizeof(next));
		json_array_append_new(channels,
				      json_pack("{s:s, s:s, s:b, s:s, s:s, s:s, s:I, s:s}", "name",
						inst->name, "plugin",
						cfg_section_get(inst->section, "plugin")
							? cfg_section_get(inst->section, "plugin") : inst->name,
						"enabled", inst->enabled, "frequency",
						notify_frequency_name(inst->frequency), "last_sent", last,
						"next", sn.failures || sn.next_digest_at ? next : "",
						"failures",
						(json_int_t)sn.failures, "last_error", sn.last_error));
	}
	errors = json_object();
	for (size_t i = 0; i < ncounts; i++)
		json_object_set_new(errors, counts[i].type,
				    json_pack("{s:I, s:I}", "errors", (json_int_t)counts[i].errors,
					      "records", (json_int_t)counts[i].records));
	root = json_pack("{s:{s:I, s:I, s:I, s:I, s:b, s:s}, s:o, s:o, s:I}", "salesforce_api",
			 "used_24h", (json_int_t)bs.used_24h, "allocation", (json_int_t)bs.allocation,
			 "org_used", (json_int_t)bs.org_used, "org_limit", (json_int_t)bs.org_max,
			 "paused", bs.paused, "pause_reason", bs.reason, "objects", objects, "errors",
			 errors, "resyncs_pending", (json_int_t)resyncs);
	json_object_set_new(root, "notifiers", channels);
	cli_identity_status(&cfg, st, as_json ? root : NULL);
	if (as_json) {
		char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);

		puts(s);
		free(s);
	} else {
		size_t i;
		json_t *o;

		printf("Salesforce API calls (rolling 24 h)\n");
		printf("  used by crmsync:  %" PRId64 " of %" PRId64 " allocated (%.1f%%)\n", bs.used_24h,
		       bs.allocation, bs.allocation ? 100.0 * (double)bs.used_24h / (double)bs.allocation : 0);
		if (bs.org_max)
			printf("  org-wide:         %" PRId64 " of %" PRId64 " (as Salesforce reports it)\n",
			       bs.org_used, bs.org_max);
		else
			printf("  org-wide:         not reported yet\n");
		if (bs.paused)
			printf("  PAUSED: %s\n", bs.reason);
		printf("\nLast cycle per object\n");
		if (!json_array_size(objects))
			printf("  (none yet)\n");
		json_array_foreach(objects, i, o)
			printf("  %-10s %-8s %s  read %" JSON_INTEGER_FORMAT ", written %" JSON_INTEGER_FORMAT
			       ", failed %" JSON_INTEGER_FORMAT "\n             %s\n",
			       json_string_value(json_object_get(o, "object")),
			       json_string_value(json_object_get(o, "status")),
			       json_string_value(json_object_get(o, "finished")),
			       json_integer_value(json_object_get(o, "read")),
			       json_integer_value(json_object_get(o, "written")),
			       json_integer_value(json_object_get(o, "failed")),
			       json_string_value(json_object_get(o, "message")));
		printf("\nSync errors (current)\n");
		if (!ncounts)
			printf("  none\n");
		for (i = 0; i < ncounts; i++)
			printf("  %-18s %6" PRId64 " errors, %6" PRId64 " records affected\n", counts[i].type,
			       counts[i].errors, counts[i].records);
		if (resyncs)
			printf("\nResyncs waiting: %" PRId64 "\n", resyncs);
		printf("\nNotifier channels\n");
		if (!json_array_size(channels))
			printf("  none configured\n");
		json_array_foreach(channels, i, o) {
			const char *name = json_string_value(json_object_get(o, "name"));
			json_int_t fails = json_integer_value(json_object_get(o, "failures"));

			if (!json_is_true(json_object_get(o, "enabled"))) {
				printf("  %-16s off\n", name);
				continue;
			}
			printf("  %-16s %-9s %s, last sent %s", name,
			       json_string_value(json_object_get(o, "frequency")),
			       fails ? "FAILING" : "ok", json_string_value(json_object_get(o, "last_sent")));
			if (*json_string_value(json_object_get(o, "next")))
				printf(", next %s %s", fails ? "try" : "digest",
				       json_string_value(json_object_get(o, "next")));
			printf("\n");
			if (fails)
				printf("  %-16s %" JSON_INTEGER_FORMAT " failed send%s in a row: %s\n", "",
				       fails, fails == 1 ? "" : "s",
				       json_string_value(json_object_get(o, "last_error")));
		}
	}
	json_decref(root);
	free(counts);
	store_close(st);
	config_release(&cfg);
	return 0;
}

int cmd_allocation(const char *path, int argc, char **argv)
{
	struct budget_status bs;
	struct store *st;
	struct config cfg;
	int64_t n;
	int rc = 1;

	if (argc == 2 && strcmp(argv[0], "set") == 0) {
		if (parse_int64(argv[1], &n) || n < 1 || n > 1000000000) {
			fprintf(stderr, "crmsync: allocation must be a number of calls from 1 to "
					"1000000000, not '%s'\n", argv[1]);
			return 2;
		}
	} else if (argc != 0) {
		fprintf(stderr, "crmsync: usage: crmsync allocation [set N]\n");
		return 2;
	}
	if (cli_load(&cfg, path, 0)) {
		config_release(&cfg);
		return 1;
	}
	if (cli_open_store(&cfg, &st, argc ? 0 : STORE_READONLY))
		goto out;
	if (argc) {
		char v[32];

		snprintf(v, sizeof(v), "%" PRId64, n);
		if (store_kv_put(st, "salesforce.allocation", v))
			goto out_close;
		printf("allocation set to %" PRId64 " Salesforce API calls per rolling 24 h\n", n);
	} else {
		budget_status_read(st, cfg.sf.api_allocation, &bs);
		printf("%" PRId64 " Salesforce API calls per rolling 24 h (%" PRId64 " used)\n",
		       bs.allocation, bs.used_24h);
	}
	rc = 0;
out_close:
	store_close(st);
out:
	config_release(&cfg);
	return rc;
}
