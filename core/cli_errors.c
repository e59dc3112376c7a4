/*
 * cli_errors.c - `crmsync errors` and `crmsync resync`: the Sync health page
 * on the command line. One card per error type; a list; one error in full
 * with what to do; a CSV export that is safe to open in a spreadsheet; and
 * resync requests, at most STORE_RESYNC_MAX errors each, that the daemon
 * takes on its next cycle (at once when it is idle).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "store.h"
#include "util.h"

static const char *side_name(enum crmsync_side s)
{
	return s == CRMSYNC_SIDE_SALESFORCE ? "salesforce" : s == CRMSYNC_SIDE_HUBSPOT ? "hubspot" : "";
}

static const char *retry_name(enum crmsync_retry r)
{
	return r == CRMSYNC_RETRY_SCHEDULE ? "schedule"
	       : r == CRMSYNC_RETRY_WITH_PARTNER ? "with partner" : "never";
}

/* ---- the error as JSON: one shape for list --json, show --json, export --- */

static json_t *error_json(const struct store_error *e, int with_raw)
{
	char first[32], last[32], next[32], resolved[32];
	json_t *details = json_object(), *affected = json_array(), *j;

	cli_fmt_time(e->created_at, first, sizeof(first));
	cli_fmt_time(e->last_seen, last, sizeof(last));
	cli_fmt_time(e->next_retry_at, next, sizeof(next));
	cli_fmt_time(e->resolved_at, resolved, sizeof(resolved));
	for (size_t i = 0; i < e->ndetails; i++)
		json_object_set_new(details, e->details[i].key ? e->details[i].key : "",
				    e->details[i].value ? json_string(e->details[i].value) : json_null());
	for (size_t i = 0; i < e->naffected; i++)
		json_array_append_new(affected, json_pack("{s:s, s:s, s:s}", "side",
							  side_name(e->affected[i].side), "object",
							  e->affected[i].object ? e->affected[i].object : "",
							  "id", e->affected[i].id ? e->affected[i].id : ""));
	j = json_pack("{s:I, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:o, s:s?, s:o, s:I, s:s, s:s,"
		      " s:s, s:I, s:s?}",
		      "id", (json_int_t)e->id, "type", e->type ? e->type : "other", "object",
		      e->object ? e->object : "", "refused_by", side_name(e->side), "hubspot_id",
		      e->hs_id && *e->hs_id ? e->hs_id : NULL, "salesforce_object",
		      e->sf_type && *e->sf_type ? e->sf_type : NULL, "salesforce_id",
		      e->sf_id && *e->sf_id ? e->sf_id : NULL, "code", e->code ? e->code : "",
		      "message", e->message ? e->message : "", "details", details, "what_to_do",
		      e->hint, "affected_records", affected, "times_seen", (json_int_t)e->count,
		      "first_seen", first, "last_seen", last, "retry", retry_name(e->retry),
		      "automatic_retries", (json_int_t)e->attempts, "next_retry",
		      e->next_retry_at > 0 ? next : NULL);
	if (e->resolved_at)
		json_object_set_new(j, "resolved", json_pack("{s:s, s:s}", "at", resolved, "how",
							      e->how ? e->how : ""));
	if (with_raw && e->raw)
		json_object_set_new(j, "raw_response", json_string(e->raw));
	return j;
}

/* ---- cards --------------------------------------------------------------- */

static void add_type(char ***types, size_t *n, const char *t)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*types)[i], t) == 0)
			return;
	*types = xrealloc(*types, (*n + 1) * sizeof(**types));
	(*types)[(*n)++] = xstrdup(t);
}

static int cards(const struct config *cfg, struct store *st, int as_json)
{
	struct store_error_count *counts = NULL;
	size_t ncounts = 0, ntypes = 0;
	char **types = NULL;
	int64_t total = 0, resyncs = 0;
	json_t *root = json_array();
	int err;

	/* every type a configured resolver gives, in config order, even at zero;
	 * then any other type found in the store (a resolver since removed) */
	for (size_t i = 0; i < cfg->ninst; i++) {
		const struct crmsync_instance *inst = cfg->inst[i];

		if (inst->kind == KIND_RESOLVER && inst->plugin && inst->plugin->has_resolver &&
		    inst->plugin->resolver.type)
			add_type(&types, &ntypes, inst->plugin->resolver.type);
	}
	err = store_error_counts(st, &counts, &ncounts);
	if (err) {
		fprintf(stderr, "crmsync: cannot read the sync errors: %s\n", strerror(-err));
		json_decref(root);
		free(types);
		return 1;
	}
	for (size_t i = 0; i < ncounts; i++)
		add_type(&types, &ntypes, counts[i].type);
	store_resync_pending(st, &resyncs);
	for (size_t i = 0; i < ntypes; i++) {
		int64_t errors = 0, records = 0;

		for (size_t k = 0; k < ncounts; k++)
			if (strcmp(counts[k].type, types[i]) == 0) {
				errors = counts[k].errors;
				records = counts[k].records;
			}
		total += errors;
		json_array_append_new(root, json_pack("{s:s, s:I, s:I}", "type", types[i], "errors",
						      (json_int_t)errors, "records_affected",
						      (json_int_t)records));
	}
	if (as_json) {
		char *s = json_dumps(root, JSON_INDENT(2));

		puts(s);
		free(s);
	} else {
		size_t i;
		json_t *c;

		printf("Sync errors: %" PRId64 " current\n\n", total);
		printf("  %-18s %8s %18s\n", "TYPE", "ERRORS", "RECORDS AFFECTED");
		json_array_foreach(root, i, c)
			printf("  %-18s %8" JSON_INTEGER_FORMAT " %18" JSON_INTEGER_FORMAT "\n",
			       json_string_value(json_object_get(c, "type")),
			       json_integer_value(json_object_get(c, "errors")),
			       json_integer_value(json_object_get(c, "records_affected")));
		if (resyncs)
			printf("\nResyncs waiting for the daemon: %" PRId64 "\n", resyncs);
		if (total)
			printf("\nSee them with 'crmsync errors list [--type TYPE]', one in full with "
			       "'crmsync errors show ID'.\n");
	}
	for (size_t i = 0; i < ntypes; i++)
		free(types[i]);
	free(types);
	free(counts);
	json_decref(root);
	return 0;
}

/* ---- list ------------------------------------------------------------------ */

struct list_ctx {
	json_t *arr;
	int as_json;
	size_t n;
};

/* One line of text: control characters become spaces, cut to `max` bytes on
 * a UTF-8 boundary. */
static void one_line(const char *in, char *out, size_t max)
{
	size_t n = in ? strlen(in) : 0;

	if (n >= max) {
		n = max - 1;
		while (n > 0 && ((unsigned char)in[n] & 0xC0) == 0x80)
			n--; /* in[n] is the first byte dropped: do not split its character */
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)in[i] < 0x20 ? ' ' : in[i];
	out[n] = '\0';
}

static int on_list(const struct store_error *e, void *arg)
{
	struct list_ctx *c = arg;
	char rec[160], msg[100], last[32];

	c->n++;
	if (c->as_json) {
		json_array_append_new(c->arr, error_json(e, 0));
		return 0;
	}
	if (e->hs_id && *e->hs_id && e->sf_id && *e->sf_id)
		snprintf(rec, sizeof(rec), "hs %s / %s %s", e->hs_id, e->sf_type ? e->sf_type : "",
			 e->sf_id);
	else if (e->hs_id && *e->hs_id)
		snprintf(rec, sizeof(rec), "hs %s", e->hs_id);
	else if (e->sf_id && *e->sf_id)
		snprintf(rec, sizeof(rec), "%s %s", e->sf_type ? e->sf_type : "", e->sf_id);
	else
		snprintf(rec, sizeof(rec), "(setup%s%s)", e->sf_type && *e->sf_type ? ": " : "",
			 e->sf_type ? e->sf_type : "");
	one_line(e->message, msg, sizeof(msg));
	cli_fmt_time(e->last_seen, last, sizeof(last));
	printf("%-6" PRId64 " %-16s %-8s %-34s %-20s %s\n", e->id, e->type ? e->type : "other",
	       e->object ? e->object : "", rec, last, msg);
	return 0;
}

static int list(struct store *st, const char *type, int as_json)
{
	struct list_ctx c = { json_array(), as_json, 0 };
	int err;

	if (!as_json)
		printf("%-6s %-16s %-8s %-34s %-20s %s\n", "ID", "TYPE", "OBJECT", "RECORD", "LAST SEEN",
		       "MESSAGE");
	err = store_error_list(st, type, on_list, &c);
	if (!err && as_json) {
		char *s = json_dumps(c.arr, JSON_INDENT(2));

		puts(s);
		free(s);
	} else if (!err && !c.n) {
		printf("(no current errors%s%s)\n", type ? " of type " : "", type ? type : "");
	}
	json_decref(c.arr);
	if (err)
		fprintf(stderr, "crmsync: cannot read the sync errors: %s\n", strerror(-err));
	return err ? 1 : 0;
}

/* ---- show ------------------------------------------------------------------ */

struct find_ctx {
	int64_t id;
	json_t *found;
};

static int on_history(const struct store_error *e, void *arg)
{
	struct find_ctx *f = arg;

	if (e->id != f->id)
		return 0;
	f->found = error_json(e, 1);
	return 1;
}

static void print_kv(const char *k, const char *v)
{
	if (v && *v)
		printf("  %-20s %s\n", k, v);
}

static int show(struct store *st, const char *arg, int as_json)
{
	struct find_ctx f = { 0, NULL };
	struct store_error e;
	const char *key;
	json_t *j, *v;
	size_t i;
	int err;

	if (parse_int64(arg, &f.id) || f.id < 1) {
		fprintf(stderr, "crmsync: '%s' is not an error id (see 'crmsync errors list')\n", arg);
		return EXIT_USAGE;
	}
	err = store_error_get(st, f.id, &e);
	if (err == 0) {
		j = error_json(&e, 1);
		store_error_release(&e);
	} else if (err == -ENOENT) {
		store_error_history(st, NULL, 0, on_history, &f);
		j = f.found;
	} else {
		fprintf(stderr, "crmsync: cannot read error %s: %s\n", arg, strerror(-err));
		return 1;
	}
	if (!j) {
		fprintf(stderr, "crmsync: no sync error %s, current or resolved (see 'crmsync errors "
				"list')\n", arg);
		return 1;
	}
	if (as_json) {
		char *s = json_dumps(j, JSON_INDENT(2));

		puts(s);
		free(s);
		json_decref(j);
		return 0;
	}
#define S(k) json_string_value(json_object_get(j, k))
	printf("Sync error %s: %s (object %s)\n", arg, S("type"), S("object"));
	if (json_object_get(j, "resolved"))
		printf("  %-20s resolved %s (%s)\n", "status",
		       json_string_value(json_object_get(json_object_get(j, "resolved"), "at")),
		       json_string_value(json_object_get(json_object_get(j, "resolved"), "how")));
	else
		printf("  %-20s current\n", "status");
	printf("  %-20s %s, with %s\n", "refused by", S("refused_by"), S("code"));
	print_kv("HubSpot record", S("hubspot_id") ? S("hubspot_id") : "(none yet)");
	if (S("salesforce_id"))
		printf("  %-20s %s %s\n", "Salesforce record", S("salesforce_object"), S("salesforce_id"));
	else
		printf("  %-20s %s%s(none yet)\n", "Salesforce record",
		       S("salesforce_object") ? S("salesforce_object") : "",
		       S("salesforce_object") ? " " : "");
	print_kv("message", S("message"));
	printf("  %-20s %" JSON_INTEGER_FORMAT " times, first %s, last %s\n", "seen",
	       json_integer_value(json_object_get(j, "times_seen")), S("first_seen"), S("last_seen"));
	if (json_object_size(json_object_get(j, "details"))) {
		printf("  details\n");
		json_object_foreach(json_object_get(j, "details"), key, v)
			printf("    %-18s %s\n", key, json_is_string(v) ? json_string_value(v) : "(empty)");
	}
	if (json_array_size(json_object_get(j, "affected_records"))) {
		printf("  held back by this error (affected records)\n");
		json_array_foreach(json_object_get(j, "affected_records"), i, v)
			printf("    %-10s %-14s %s\n", json_string_value(json_object_get(v, "side")),
			       json_string_value(json_object_get(v, "object")),
			       json_string_value(json_object_get(v, "id")));
	}
	print_kv("what to do", S("what_to_do"));
	if (strcmp(S("retry"), "schedule") == 0)
		printf("  %-20s automatic, %" JSON_INTEGER_FORMAT " made so far; next %s\n", "retry",
		       json_integer_value(json_object_get(j, "automatic_retries")),
		       S("next_retry") ? S("next_retry") : "none planned");
	else if (strcmp(S("retry"), "with partner") == 0)
		printf("  %-20s when the associated record syncs\n", "retry");
	else if (!json_object_get(j, "resolved"))
		printf("  %-20s after the fix: crmsync resync %s\n", "retry", arg);
	print_kv("raw response", S("raw_response"));
#undef S
	json_decref(j);
	return 0;
}

/* ---- export (CSV, RFC 4180) -------------------------------------------------- */

/*
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or CR, which
 * some strip before looking) as a formula: such a cell gets a leading
 * apostrophe, so it shows as text. The fullwidth forms count too (Japanese
 * spreadsheets read ＝ as =).
 */
static int formula_like(const char *s)
{
	static const char *const fullwidth[] = { "\xef\xbc\x9d", "\xef\xbc\x8b", "\xef\xbc\x8d",
						 "\xef\xbc\xa0", NULL };

	if (!s || !*s)
		return 0;
	if (strchr("=+-@\t\r\n", *s))
		return 1;
	for (int i = 0; fullwidth[i]; i++)
		if (strncmp(s, fullwidth[i], 3) == 0)
			return 1;
	return 0;
}

static void csv_cell(FILE *out, const char *s, int first)
{
	if (!first)
		fputc(',', out);
	fputc('"', out);
	if (formula_like(s))
		fputc('\'', out);
	for (; s && *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static const char *const csv_columns[] = {
	"id", "type", "object", "refused_by", "hubspot_id", "salesforce_object", "salesforce_id",
	"code", "message", "details", "what_to_do", "affected_records", "times_seen", "first_seen",
	"last_seen", "retry", "automatic_retries", "next_retry", NULL
};

struct export_ctx {
	FILE *out;
	size_t n;
};

static int on_export(const struct store_error *e, void *arg)
{
	struct export_ctx *c = arg;
	json_t *j = error_json(e, 0);

	for (int i = 0; csv_columns[i]; i++) {
		json_t *v = json_object_get(j, csv_columns[i]);
		struct strbuf sb = { 0 };
		const char *key;
		json_t *x;
		size_t k;

		if (json_is_object(v)) {
			json_object_foreach(v, key, x)
				strbuf_addf(&sb, "%s%s=%s", sb.len ? "; " : "", key,
					    json_is_string(x) ? json_string_value(x) : "");
		} else if (json_is_array(v)) {
			json_array_foreach(v, k, x)
				strbuf_addf(&sb, "%s%s %s %s", sb.len ? "; " : "",
					    json_string_value(json_object_get(x, "side")),
					    json_string_value(json_object_get(x, "object")),
					    json_string_value(json_object_get(x, "id")));
		} else if (json_is_integer(v)) {
			strbuf_addf(&sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else if (json_is_string(v)) {
			strbuf_addstr(&sb, json_string_value(v));
		}
		csv_cell(c->out, sb.buf ? sb.buf : "", i == 0);
		strbuf_release(&sb);
	}
	fputs("\r\n", c->out);
	json_decref(j);
	c->n++;
	return 0;
}

static int export(struct store *st, const char *type, const char *file, int bom)
{
	struct export_ctx c = { stdout, 0 };
	char *tmp = NULL;
	int err, fd = -1;

	if (file && strcmp(file, "-") != 0) {
		/* beside the target, renamed into place when complete: a failed
		 * export never leaves half a file under the name asked for */
		tmp = xasprintf("%s.XXXXXX", file);
		fd = mkstemp(tmp);
		if (fd < 0 || !(c.out = fdopen(fd, "w"))) {
			fprintf(stderr, "crmsync: cannot write '%s': %s\n", file, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp);
			}
			free(tmp);
			return 1;
		}
	}
	if (bom)
		fputs("\xef\xbb\xbf", c.out);
	for (int i = 0; csv_columns[i]; i++)
		csv_cell(c.out, csv_columns[i], i == 0);
	fputs("\r\n", c.out);
	err = store_error_list(st, type, on_export, &c);
	if (fflush(c.out) || ferror(c.out))
		err = err ? err : -errno;
	if (tmp) {
		if (!err && fsync(fileno(c.out)))
			err = -errno;
		if (fclose(c.out) && !err)
			err = -errno;
		if (!err && rename(tmp, file))
			err = -errno;
		if (err)
			unlink(tmp);
		free(tmp);
	}
	if (err) {
		fprintf(stderr, "crmsync: export failed: %s\n", strerror(-err));
		return 1;
	}
	if (file && strcmp(file, "-") != 0)
		fprintf(stderr, "crmsync: %zu error%s written to '%s'\n", c.n, c.n == 1 ? "" : "s", file);
	return 0;
}

/* ---- history ----------------------------------------------------------------- */

static int on_hist_line(const struct store_error *e, void *arg)
{
	char when[32], msg[80];

	(void)arg;
	cli_fmt_time(e->resolved_at, when, sizeof(when));
	one_line(e->message, msg, sizeof(msg));
	printf("%-6" PRId64 " %-16s %-8s %-20s %-24s %s\n", e->id, e->type ? e->type : "other",
	       e->object ? e->object : "", when, e->how ? e->how : "", msg);
	return 0;
}

/* ---- the command ----------------------------------------------------------- */

static void errors_usage(FILE *out)
{
	fprintf(out,
		"usage: crmsync errors                      one card per error type: errors, records affected\n"
		"       crmsync errors list [--type T] [--json]\n"
		"       crmsync errors show ID [--json]     one error in full, with what to do\n"
		"       crmsync errors export [--type T] [-o FILE] [--bom]\n"
		"                                           CSV (RFC 4180, UTF-8; --bom for Excel)\n"
		"       crmsync errors history [--type T] [--limit N]\n"
		"                                           resolved errors: when and how\n");
}

int cmd_errors(const char *path, int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : NULL, *type = NULL, *file = NULL, *id = NULL;
	int as_json = 0, bom = 0, rc;
	int64_t limit = 50;
	struct config cfg;
	struct store *st;

	for (int i = sub ? 1 : 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			as_json = 1;
		} else if (strcmp(argv[i], "--bom") == 0) {
			bom = 1;
		} else if ((strcmp(argv[i], "--type") == 0 || strcmp(argv[i], "-t") == 0) && i + 1 < argc) {
			type = argv[++i];
		} else if ((strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0) && i + 1 < argc) {
			file = argv[++i];
		} else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			if (parse_int64(argv[++i], &limit) || limit < 0) {
				fprintf(stderr, "crmsync: --limit takes a number\n");
				return EXIT_USAGE;
			}
		} else if (argv[i][0] != '-' && !id && sub && strcmp(sub, "show") == 0) {
			id = argv[i];
		} else {
			fprintf(stderr, "crmsync: errors: unexpected '%s'\n", argv[i]);
			errors_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (sub && strcmp(sub, "--json") == 0) {
		sub = NULL;
		as_json = 1;
	}
	if (sub && strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "export") &&
	    strcmp(sub, "history")) {
		fprintf(stderr, "crmsync: errors: unknown subcommand '%s'\n", sub);
		errors_usage(stderr);
		return EXIT_USAGE;
	}
	if (sub && strcmp(sub, "show") == 0 && !id) {
		errors_usage(stderr);
		return EXIT_USAGE;
	}
	/* the cards name every configured resolver's type: that needs the plugins */
	if (cli_load(&cfg, path, !sub)) {
		config_release(&cfg);
		return 1;
	}
	if (cli_open_store(&cfg, &st, STORE_READONLY)) {
		config_release(&cfg);
		return 1;
	}
	if (!sub)
		rc = cards(&cfg, st, as_json);
	else if (strcmp(sub, "list") == 0)
		rc = list(st, type, as_json);
	else if (strcmp(sub, "show") == 0)
		rc = show(st, id, as_json);
	else if (strcmp(sub, "export") == 0)
		rc = export(st, type, file, bom);
	else {
		printf("%-6s %-16s %-8s %-20s %-24s %s\n", "ID", "TYPE", "OBJECT", "RESOLVED", "HOW",
		       "MESSAGE");
		rc = store_error_history(st, type, (size_t)limit, on_hist_line, NULL) ? 1 : 0;
	}
	store_close(st);
	config_release(&cfg);
	return rc;
}

/* ---- resync ------------------------------------------------------------------ */

int cmd_resync(const char *path, int argc, char **argv)
{
	const char *type = NULL;
	int64_t *ids = NULL;
	size_t n = 0, queued = 0, remaining = 0;
	struct config cfg;
	struct store *st;
	int rc = 1, err;

	if (argc == 2 && (strcmp(argv[0], "--type") == 0 || strcmp(argv[0], "-t") == 0)) {
		type = argv[1];
	} else if (argc > 0 && argv[0][0] != '-') {
		if ((size_t)argc > STORE_RESYNC_MAX) {
			fprintf(stderr,
				"crmsync: resync: %d errors in one request; at most %d are allowed.\n"
				"  Send them in requests of %d or fewer (crmsync resync ID...), or resync "
				"a whole type with\n  'crmsync resync --type TYPE', which queues its %d "
				"oldest errors; run it again once the daemon\n  has taken them ('crmsync "
				"status' shows the resyncs waiting).\n",
				argc, STORE_RESYNC_MAX, STORE_RESYNC_MAX, STORE_RESYNC_MAX);
			return EXIT_USAGE;
		}
		ids = xcalloc((size_t)argc, sizeof(*ids));
		for (int i = 0; i < argc; i++)
			if (parse_int64(argv[i], &ids[n++]) || ids[n - 1] < 1) {
				fprintf(stderr, "crmsync: resync: '%s' is not an error id (see 'crmsync errors "
						"list')\n", argv[i]);
				free(ids);
				return EXIT_USAGE;
			}
	} else {
		fprintf(stderr, "usage: crmsync resync ID...      (at most %d error ids)\n"
				"       crmsync resync --type TYPE  (the oldest %d errors of a type)\n",
			STORE_RESYNC_MAX, STORE_RESYNC_MAX);
		return EXIT_USAGE;
	}
	if (cli_load(&cfg, path, 0)) {
		config_release(&cfg);
		free(ids);
		return 1;
	}
	if (cli_open_store(&cfg, &st, 0))
		goto out;
	if (type) {
		err = store_resync_request_type(st, type, store_now_ms(), &queued, &remaining);
		if (err) {
			fprintf(stderr, "crmsync: resync: cannot queue: %s\n", strerror(-err));
			goto out_close;
		}
		if (!queued && !remaining) {
			printf("no current errors of type '%s' wait for a resync\n", type);
		} else {
			printf("%zu error%s of type '%s' queued for a resync\n", queued,
			       queued == 1 ? "" : "s", type);
			if (remaining)
				printf("%zu more remain (at most %d per request): run 'crmsync resync --type "
				       "%s' again once the daemon has taken these\n", remaining,
				       STORE_RESYNC_MAX, type);
		}
	} else {
		for (size_t i = 0; i < n; i++) {
			struct store_error e;

			if (store_error_get(st, ids[i], &e)) {
				fprintf(stderr, "crmsync: resync: %" PRId64 " is not a current sync error "
						"(resolved already, or never was; see 'crmsync errors list'); "
						"nothing queued\n", ids[i]);
				goto out_close;
			}
			store_error_release(&e);
		}
		err = store_resync_request(st, ids, n, store_now_ms());
		if (err) {
			fprintf(stderr, "crmsync: resync: cannot queue: %s\n", strerror(-err));
			goto out_close;
		}
		printf("%zu error%s queued for a resync\n", n, n == 1 ? "" : "s");
	}
	printf("the daemon retries them on its next cycle (at once when it is idle); follow them "
	       "with 'crmsync errors'\n");
	rc = 0;
out_close:
	store_close(st);
out:
	free(ids);
	config_release(&cfg);
	return rc;
}
