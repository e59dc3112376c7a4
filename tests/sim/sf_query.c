/*
 * crmsync-sim, Salesforce side: /query, /queryAll and /query/{locator}
 * (server-side cursors, 2000 rows a page or Sforce-Query-Options batchSize),
 * and the replication resources /sobjects/{Obj}/updated and /deleted.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

#define SF_MAX_CURSORS 64
#define SF_CURSOR_IDLE_MS (15 * 60 * 1000)

struct sf_cursor {
	char id[19];
	struct soql_query *q;
	struct sf_rec **recs;
	size_t n;
	int page;
	int64_t used_ms;
	struct sf_cursor *next;
};

static void sf_cursor_free(struct sf_cursor *c)
{
	soql_free(c->q);
	free(c->recs);
	free(c);
}

void sf_cursors_free(struct sim_side *s)
{
	while (s->cursors) {
		struct sf_cursor *c = s->cursors;
		s->cursors = c->next;
		sf_cursor_free(c);
	}
	s->ncursors = 0;
}

/* Drop idle cursors and, past the cap, the least recently used one. */
static void sf_cursors_trim(struct sim_side *s)
{
	int64_t now = sim_now_ms();
	struct sf_cursor **pp = &s->cursors, *oldest = NULL;

	while (*pp) {
		struct sf_cursor *c = *pp;
		if (now - c->used_ms > SF_CURSOR_IDLE_MS) {
			*pp = c->next;
			sf_cursor_free(c);
			s->ncursors--;
			continue;
		}
		if (!oldest || c->used_ms <= oldest->used_ms)
			oldest = c;
		pp = &c->next;
	}
	if (s->ncursors >= SF_MAX_CURSORS && oldest) {
		for (pp = &s->cursors; *pp != oldest; pp = &(*pp)->next)
			;
		*pp = oldest->next;
		sf_cursor_free(oldest);
		s->ncursors--;
	}
}

static int sf_page_size(const struct sf_call *c)
{
	const char *bs = c->query_options ? strstr(c->query_options, "batchSize=") : NULL;
	long n;

	if (!bs)
		return SF_PAGE_MAX;
	n = strtol(bs + 10, NULL, 10);
	if (n < 200)
		n = 200;
	if (n > SF_PAGE_MAX)
		n = SF_PAGE_MAX;
	return (int)n;
}

static void sf_page(struct sim_side *s, struct sf_cursor *cur, size_t from, struct sf_out *o)
{
	size_t to = from + (size_t)cur->page;
	json_t *recs = json_array(), *body;

	if (to > cur->n)
		to = cur->n;
	for (size_t i = from; i < to; i++)
		json_array_append_new(recs, soql_project(s, cur->q, cur->recs[i]));
	body = json_pack("{s:I, s:b}", "totalSize", (json_int_t)cur->n, "done", to >= cur->n);
	if (to < cur->n) {
		char url[96];
		snprintf(url, sizeof(url), SF_BASE "/query/%s-%zu", cur->id, to);
		json_object_set_new(body, "nextRecordsUrl", json_string(url));
	}
	json_object_set_new(body, "records", recs);
	sf_out_json(o, 200, body);
}

static void sf_query_more(struct sim_side *s, const char *loc, struct sf_out *o,
			  const struct sf_call *c)
{
	const char *dash = strrchr(loc, '-');
	struct sf_cursor *cur;
	char id[19];
	size_t from;
	char *end;

	snprintf(o->endpoint, sizeof(o->endpoint), "GET /query/{locator}");
	if (strcmp(c->method, "GET") != 0) {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are GET",
			   c->method);
		return;
	}
	sf_cursors_trim(s);
	if (!dash || dash - loc != 18)
		goto out_invalid;
	memcpy(id, loc, 18);
	id[18] = '\0';
	from = strtoul(dash + 1, &end, 10);
	if (*end)
		goto out_invalid;
	for (cur = s->cursors; cur; cur = cur->next)
		if (strcmp(cur->id, id) == 0)
			break;
	if (!cur || from > cur->n)
		goto out_invalid;
	cur->used_ms = sim_now_ms();
	sf_page(s, cur, from, o);
	return;

out_invalid:
	sf_out_err(o, 400, "INVALID_QUERY_LOCATOR", "invalid query locator");
}

void sf_query_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
		     struct sf_out *o)
{
	bool all = strncmp(rest, "/queryAll", 9) == 0;
	const char *tail = rest + (all ? 9 : 6);
	struct sf_err e = {0};
	struct soql_query *q;
	struct sf_cursor *cur;
	const char *text = sf_arg(c, "q");

	if (*tail == '/' && tail[1]) {
		sf_query_more(s, tail + 1, o, c);
		return;
	}
	if (*tail && strcmp(tail, "/") != 0) {
		snprintf(o->endpoint, sizeof(o->endpoint), "%s (unknown)", c->method);
		sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
		return;
	}
	snprintf(o->endpoint, sizeof(o->endpoint), "GET /%s", all ? "queryAll" : "query");
	if (strcmp(c->method, "GET") != 0) {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are GET",
			   c->method);
		return;
	}
	if (!text) {
		sf_out_err(o, 400, "MALFORMED_QUERY", "A query string has to be specified");
		return;
	}
	q = soql_parse(s, text, &e);
	if (!q) {
		sf_out_json(o, e.status, sf_err_rest(&e));
		sf_err_clear(&e);
		return;
	}
	cur = calloc(1, sizeof(*cur));
	if (!cur || soql_run(s, q, all, &cur->recs, &cur->n) < 0) {
		free(cur);
		soql_free(q);
		sf_out_err(o, 500, "UNKNOWN_EXCEPTION", "out of memory");
		return;
	}
	cur->q = q;
	if (soql_is_count(q)) {
		sf_out_json(o, 200, json_pack("{s:I, s:b, s:[]}", "totalSize", (json_int_t)cur->n,
					      "done", 1, "records"));
		sf_cursor_free(cur);
		return;
	}
	cur->page = sf_page_size(c);
	cur->used_ms = sim_now_ms();
	sf_id_make("01g", ++s->next_cursor, cur->id);
	sf_page(s, cur, 0, o);
	if ((size_t)cur->page >= cur->n) {
		sf_cursor_free(cur);
		return;
	}
	sf_cursors_trim(s);
	cur->next = s->cursors;
	s->cursors = cur;
	s->ncursors++;
}

/* ---- getUpdated / getDeleted ----------------------------------------- */

#define SF_MINUTE 60000

void sf_replication_handle(struct sim_side *s, const struct sf_call *c,
			   struct sf_object *obj, bool deleted, struct sf_out *o)
{
	const char *a = sf_arg(c, "start"), *b = sf_arg(c, "end");
	int64_t now = sim_now_ms(), start, end, latest, earliest;
	char ts[40];
	json_t *list = json_array(), *body;

	snprintf(o->endpoint, sizeof(o->endpoint), "GET /sobjects/{obj}/%s",
		 deleted ? "deleted" : "updated");
	if (strcmp(c->method, "GET") != 0) {
		json_decref(list);
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are GET",
			   c->method);
		return;
	}
	start = a ? sim_parse_time(a) : -1;
	end = b ? sim_parse_time(b) : -1;
	if (!a || !b) {
		json_decref(list);
		sf_out_err(o, 400, "MISSING_ARGUMENT", "start and end parameters are required");
		return;
	}
	if (start < 0 || end < 0 || start >= end) {
		json_decref(list);
		sf_out_err(o, 400, "INVALID_REPLICATION_DATE",
			   start < 0 || end < 0 ? "invalid start or end date" :
			   "start date must chronologically precede end date");
		return;
	}
	if (!deleted && start < now - 30LL * 24 * 3600 * 1000) {
		json_decref(list);
		sf_out_err(o, 400, "INVALID_REPLICATION_DATE",
			   "startDate cannot be more than 30 days ago");
		return;
	}
	start -= start % SF_MINUTE;
	end -= end % SF_MINUTE;
	latest = end < now - now % SF_MINUTE ? end : now - now % SF_MINUTE;
	for (size_t i = 0; i < obj->nrecs; i++) {
		struct sf_rec *r = obj->recs[i];
		if (deleted) {
			if (r->deleted && r->deleted_ms >= start && r->deleted_ms < latest) {
				sim_fmt_sf_time(r->deleted_ms, ts, sizeof(ts));
				json_array_append_new(list, json_pack("{s:s, s:s}", "id", r->id,
								      "deletedDate", ts));
			}
		} else if (!r->deleted && r->modstamp_ms >= start && r->modstamp_ms < latest) {
			json_array_append_new(list, json_string(r->id));
		}
	}
	if (json_array_size(list) > 600000) {
		json_decref(list);
		sf_out_err(o, 400, "EXCEEDED_ID_LIMIT", "record limit reached. narrow the time window");
		return;
	}
	sim_fmt_sf_time(latest, ts, sizeof(ts));
	if (deleted) {
		char ets[40];
		earliest = s->started_ms - 15LL * 24 * 3600 * 1000;
		earliest -= earliest % SF_MINUTE;
		sim_fmt_sf_time(earliest, ets, sizeof(ets));
		body = json_pack("{s:o, s:s, s:s}", "deletedRecords", list,
				 "earliestDateAvailable", ets, "latestDateCovered", ts);
	} else {
		body = json_pack("{s:o, s:s}", "ids", list, "latestDateCovered", ts);
	}
	sf_out_json(o, 200, body);
}
