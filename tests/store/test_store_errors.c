/*
 * test_store_errors.c - the sync-error store: the same failure twice is one
 * row seen twice; details and held-back records round-trip; the cards count
 * current errors and distinct records affected per type; resolving moves an
 * error to history with when and how; lists by type, since a watermark and
 * due for retry; resync requests capped at 100, by id or by type, claimed
 * once, re-claimed after a lease runs out.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storetest.h"
#include "util.h"

static struct store_error dup_error(const char *hs_id, const char *sf_id)
{
	static const struct store_detail details[] = {
		{ "field", "Email" }, { "value", "a@example.com" }, { "empty", NULL },
	};
	struct store_error e = {
		.object = "contact", .side = CRMSYNC_SIDE_SALESFORCE, .hs_id = hs_id,
		.sf_type = "Lead", .sf_id = sf_id, .code = "DUPLICATE_VALUE", .type = "duplicate",
		.message = "duplicate value found: Email", .hint = "merge the two records",
		.details = details, .ndetails = 3, .retry = CRMSYNC_RETRY_NEVER,
	};
	return e;
}

static void test_upsert_twice(void **state)
{
	struct st_fx *f = *state;
	struct store_error e = dup_error("101", "00Q1"), got;
	int64_t id1, id2;

	e.last_seen = 1000;
	assert_int_equal(store_error_upsert(f->s, &e, &id1), 0);
	e.last_seen = 2000;
	e.message = "duplicate value found: Email (again)";
	assert_int_equal(store_error_upsert(f->s, &e, &id2), 0);
	assert_int_equal(id1, id2);
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM sync_error"), 1);
	assert_int_equal(store_error_get(f->s, id1, &got), 0);
	assert_int_equal(got.count, 2);
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.last_seen, 2000);
	assert_string_equal(got.message, "duplicate value found: Email (again)");
	assert_string_equal(got.hint, "merge the two records");
	assert_string_equal(got.sf_type, "Lead");
	assert_int_equal(got.ndetails, 3);
	assert_string_equal(got.details[1].key, "value");
	assert_string_equal(got.details[1].value, "a@example.com");
	assert_null(got.details[2].value);
	assert_null(got.raw);
	store_error_release(&got);
	/* Another cause on the same record, or the same cause on another record:
	 * separate errors. */
	e.code = "DUPLICATES_DETECTED";
	assert_int_equal(store_error_upsert(f->s, &e, &id2), 0);
	assert_int_not_equal(id1, id2);
	e = dup_error("102", NULL);
	assert_int_equal(store_error_upsert(f->s, &e, &id2), 0);
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM sync_error"), 3);
	assert_int_equal(store_error_get(f->s, 9999, &got), -ENOENT);
	e.type = NULL;
	assert_int_equal(store_error_upsert(f->s, &e, NULL), -EINVAL);
}

/* A record held back for its partner shows on the partner's current errors
 * (found by either id), once, and never on another record's. */
static void test_affected_of_record(void **state)
{
	struct st_fx *f = *state;
	struct store_error a = dup_error("101", "00Q1"), b = dup_error("202", "00Q2"), got;
	struct store_ref held = { CRMSYNC_SIDE_HUBSPOT, "deals", "9001" };
	int64_t ida, idb;
	size_t n = 99;

	assert_int_equal(store_error_upsert(f->s, &a, &ida), 0);
	assert_int_equal(store_error_upsert(f->s, &b, &idb), 0);
	assert_int_equal(store_error_add_affected_of_record(f->s, "contact", "101", NULL, &held, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_error_add_affected_of_record(f->s, "contact", NULL, "00Q1", &held, &n), 0);
	assert_int_equal(n, 0); /* already listed */
	assert_int_equal(store_error_get(f->s, ida, &got), 0);
	assert_int_equal(got.naffected, 1);
	assert_string_equal(got.affected[0].object, "deals");
	assert_string_equal(got.affected[0].id, "9001");
	store_error_release(&got);
	assert_int_equal(store_error_get(f->s, idb, &got), 0);
	assert_int_equal(got.naffected, 0);
	store_error_release(&got);
	/* another object, or no error at all: nothing */
	assert_int_equal(store_error_add_affected_of_record(f->s, "company", "101", NULL, &held, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_error_add_affected_of_record(f->s, "contact", NULL, NULL, &held, &n), -EINVAL);
}

static void test_raw_cut(void **state)
{
	struct st_fx *f = *state;
	struct store_error e = dup_error("1", NULL), got;
	size_t n = STORE_RAW_MAX + 100;
	char *raw = xmalloc(n + 1);
	int64_t id;

	/* "é" is 2 bytes: the cut must not split one. */
	for (size_t i = 0; i + 1 < n; i += 2)
		memcpy(raw + i, "\xc3\xa9", 2);
	raw[n] = '\0';
	e.raw = raw;
	assert_int_equal(store_error_upsert(f->s, &e, &id), 0);
	assert_int_equal(store_error_get(f->s, id, &got), 0);
	assert_true(strlen(got.raw) <= STORE_RAW_MAX);
	assert_true(strlen(got.raw) >= STORE_RAW_MAX - 1);
	assert_int_equal(strlen(got.raw) % 2, 0);
	store_error_release(&got);
	free(raw);
}

static void test_counts_affected(void **state)
{
	struct st_fx *f = *state;
	struct store_ref held1[] = {
		{ CRMSYNC_SIDE_HUBSPOT, "deal", "9001" }, { CRMSYNC_SIDE_HUBSPOT, "deal", "9002" },
	};
	struct store_ref held2[] = {
		{ CRMSYNC_SIDE_HUBSPOT, "deal", "9002" }, { CRMSYNC_SIDE_HUBSPOT, "deal", "9003" },
	};
	struct store_error a = {
		.object = "company", .side = CRMSYNC_SIDE_SALESFORCE, .hs_id = "55",
		.code = "PARTNER_NOT_SYNCED", .type = "association",
		.retry = CRMSYNC_RETRY_WITH_PARTNER, .affected = held1, .naffected = 2,
	};
	struct store_error d1 = dup_error("101", "00Q1"), d2 = dup_error("101", "00Q1"), got;
	struct store_error_count *c;
	size_t n;
	int64_t id;

	assert_int_equal(store_error_upsert(f->s, &a, &id), 0);
	a.affected = held2;   /* a recurrence names more held-back records: merged */
	assert_int_equal(store_error_upsert(f->s, &a, NULL), 0);
	assert_int_equal(store_error_get(f->s, id, &got), 0);
	assert_int_equal(got.naffected, 3);
	assert_string_equal(got.affected[2].id, "9003");
	assert_int_equal(got.affected[0].side, CRMSYNC_SIDE_HUBSPOT);
	store_error_release(&got);
	/* Two causes on one record: two errors, one record. */
	d2.code = "DUPLICATES_DETECTED";
	assert_int_equal(store_error_upsert(f->s, &d1, NULL), 0);
	assert_int_equal(store_error_upsert(f->s, &d2, NULL), 0);

	assert_int_equal(store_error_counts(f->s, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].type, "association");
	assert_int_equal(c[0].errors, 1);
	assert_int_equal(c[0].records, 4);   /* the company and three deals */
	assert_string_equal(c[1].type, "duplicate");
	assert_int_equal(c[1].errors, 2);
	assert_int_equal(c[1].records, 1);
	free(c);
	/* Resolved: gone from the cards, its held-back records too. */
	assert_int_equal(store_error_resolve(f->s, id, 0, "synced"), 0);
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM sync_error_affected"), 0);
	assert_int_equal(store_error_counts(f->s, &c, &n), 0);
	assert_int_equal(n, 1);
	free(c);
}

struct seen {
	int n;
	int64_t ids[8];
	char how[8][32];
	int64_t resolved[8];
};

static int seen_cb(const struct store_error *e, void *arg)
{
	struct seen *sn = arg;

	if (sn->n < 8) {
		sn->ids[sn->n] = e->id;
		snprintf(sn->how[sn->n], sizeof(sn->how[0]), "%s", e->how ? e->how : "");
		sn->resolved[sn->n] = e->resolved_at;
	}
	sn->n++;
	return 0;
}

/* A callback may write to the store: it resolves what it is shown. */
static int resolve_cb(const struct store_error *e, void *arg)
{
	return store_error_resolve(arg, e->id, 0, "record deleted");
}

static void test_resolve_history(void **state)
{
	struct st_fx *f = *state;
	struct store_error e = dup_error("1", NULL), got;
	struct seen sn = { 0 };
	int64_t id1, id2, id3;

	assert_int_equal(store_error_upsert(f->s, &e, &id1), 0);
	e.hs_id = "2";
	e.type = "picklist";
	assert_int_equal(store_error_upsert(f->s, &e, &id2), 0);
	assert_int_equal(store_error_resolve(f->s, id1, 5000, "resync"), 0);
	assert_int_equal(store_error_resolve(f->s, id1, 5000, "resync"), -ENOENT);
	assert_int_equal(store_error_get(f->s, id1, &got), -ENOENT);
	assert_int_equal(store_error_history(f->s, NULL, 0, seen_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.ids[0], id1);
	assert_string_equal(sn.how[0], "resync");
	assert_int_equal(sn.resolved[0], 5000);
	/* The same failure after resolution is a new error, with a new id. */
	e.hs_id = "1";
	e.type = "duplicate";
	assert_int_equal(store_error_upsert(f->s, &e, &id3), 0);
	assert_true(id3 > id2);
	assert_int_equal(store_error_get(f->s, id3, &got), 0);
	assert_int_equal(got.count, 1);
	store_error_release(&got);
	/* Lists by type; the callback resolves while listing. */
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_error_list(f->s, "picklist", seen_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.ids[0], id2);
	assert_int_equal(store_error_list(f->s, NULL, resolve_cb, f->s), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_error_list(f->s, NULL, seen_cb, &sn), 0);
	assert_int_equal(sn.n, 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_error_history(f->s, "duplicate", 0, seen_cb, &sn), 0);
	assert_int_equal(sn.n, 2);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_error_history(f->s, NULL, 1, seen_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_string_equal(sn.how[0], "record deleted");
	assert_int_equal(store_error_resolve(f->s, id3, 0, ""), -EINVAL);
}

static void test_since_and_due(void **state)
{
	struct st_fx *f = *state;
	struct store_error e = dup_error("1", NULL);
	struct seen sn = { 0 };
	int64_t id1, id2, id3;

	e.retry = CRMSYNC_RETRY_SCHEDULE;
	e.next_retry_at = 100;
	assert_int_equal(store_error_upsert(f->s, &e, &id1), 0);
	e.hs_id = "2";
	e.next_retry_at = 300;
	assert_int_equal(store_error_upsert(f->s, &e, &id2), 0);
	e.hs_id = "3";
	e.next_retry_at = 0;
	assert_int_equal(store_error_upsert(f->s, &e, &id3), 0);
	assert_int_equal(store_error_list_since(f->s, id1, seen_cb, &sn), 0);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.ids[0], id2);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_error_list_due(f->s, 200, seen_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.ids[0], id1);
	assert_int_equal(store_error_retried(f->s, id1, 1300), 0);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_error_list_due(f->s, 1000, seen_cb, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.ids[0], id2);
	struct store_error got;
	assert_int_equal(store_error_get(f->s, id1, &got), 0);
	assert_int_equal(got.attempts, 1);
	assert_int_equal(got.next_retry_at, 1300);
	store_error_release(&got);
	assert_int_equal(store_error_retried(f->s, 424242, 0), -ENOENT);
}

/* n errors of one type; their ids in ids (at least n long). */
static void make_errors(struct store *s, const char *type, int n, int64_t *ids)
{
	struct store_error e = dup_error(NULL, NULL);
	char hs[48];

	e.type = type;
	assert_int_equal(store_begin(s), 0);
	for (int i = 0; i < n; i++) {
		snprintf(hs, sizeof(hs), "%s%d", type, i);
		e.hs_id = hs;
		assert_int_equal(store_error_upsert(s, &e, &ids[i]), 0);
	}
	assert_int_equal(store_commit(s), 0);
}

static void test_resync(void **state)
{
	struct st_fx *f = *state;
	int64_t ids[250], pend;
	struct store_resync got[300];
	size_t queued, remaining, n;

	make_errors(f->s, "picklist", 250, ids);
	assert_int_equal(store_resync_request(f->s, ids, 101, 0), -E2BIG);
	assert_int_equal(store_resync_pending(f->s, &pend), 0);
	assert_int_equal(pend, 0);
	assert_int_equal(store_resync_request(f->s, ids, 100, 0), 0);
	assert_int_equal(store_resync_request(f->s, ids, 100, 0), 0);   /* not twice */
	assert_int_equal(store_resync_pending(f->s, &pend), 0);
	assert_int_equal(pend, 100);
	/* One unknown id: nothing of that request is queued. */
	int64_t bad[] = { ids[100], 99999 };
	assert_int_equal(store_resync_request(f->s, bad, 2, 0), -ENOENT);
	assert_int_equal(store_resync_pending(f->s, &pend), 0);
	assert_int_equal(pend, 100);
	/* By type: 100 at a time, saying how many remain. */
	assert_int_equal(store_resync_request_type(f->s, "picklist", 0, &queued, &remaining), 0);
	assert_int_equal(queued, 100);
	assert_int_equal(remaining, 50);
	assert_int_equal(store_resync_request_type(f->s, "picklist", 0, &queued, &remaining), 0);
	assert_int_equal(queued, 50);
	assert_int_equal(remaining, 0);
	assert_int_equal(store_resync_request_type(f->s, "nosuch", 0, &queued, &remaining), 0);
	assert_int_equal(queued, 0);

	/* The daemon claims; a second take finds nothing until the lease runs out. */
	assert_int_equal(store_resync_take(f->s, 1000, 600000, got, 200, &n), 0);
	assert_int_equal(n, 200);
	assert_int_equal(got[0].error_id, ids[0]);
	assert_int_equal(store_resync_take(f->s, 2000, 600000, got + 200, 100, &n), 0);
	assert_int_equal(n, 50);
	assert_int_equal(store_resync_take(f->s, 3000, 600000, got, 100, &n), 0);
	assert_int_equal(n, 0);
	for (size_t i = 0; i < 150; i++)
		assert_int_equal(store_resync_done(f->s, got[i].request_id), 0);
	/* Resolving an error drops its request. */
	assert_int_equal(store_error_resolve(f->s, got[150].error_id, 0, "resync"), 0);
	assert_int_equal(store_resync_done(f->s, got[150].request_id), 0);
	assert_int_equal(store_resync_pending(f->s, &pend), 0);
	assert_int_equal(pend, 99);
	/* The taker "died": after the lease the rest is taken again. */
	assert_int_equal(store_resync_take(f->s, 1000 + 600000, 600000, got, 300, &n), 0);
	assert_int_equal(n, 49);   /* claimed at 1000; those claimed at 2000 still leased */
	assert_int_equal(store_resync_take(f->s, 2000 + 600000, 600000, got, 300, &n), 0);
	assert_int_equal(n, 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_upsert_twice, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_raw_cut, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_affected_of_record, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_counts_affected, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_resolve_history, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_since_and_due, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_resync, st_setup, st_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
