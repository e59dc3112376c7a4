/*
 * test_store_map.c - the id map (put, lookups, conflicts, pending creates
 * that survive a reopen with the same external id, tombstones, deletes),
 * base values (NULL and empty values, replacement, damaged blobs), cursors,
 * settings (secrets refused), the API-call ledger's rolling window and
 * pruning, the notifier schedule and cycle reports.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_priv.h"   /* the blob codec */
#include "storetest.h"
#include "util.h"

static void test_ext_id(void **state)
{
	char a[STORE_EXT_ID_LEN + 1], b[STORE_EXT_ID_LEN + 1];

	assert_int_equal(store_new_ext_id(a), 0);
	assert_int_equal(store_new_ext_id(b), 0);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_string_not_equal(a, b);
}

static void test_idmap(void **state)
{
	struct st_fx *f = *state;
	struct store_pair p;
	int64_t id, id2;

	assert_int_equal(store_idmap_put(f->s, "contact", NULL, NULL, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(store_idmap_put(f->s, "contact", "101", NULL, NULL, NULL, &id), 0);
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "101", &p), 0);
	assert_int_equal(p.id, id);
	assert_int_equal(strlen(p.ext_id), STORE_EXT_ID_LEN);
	assert_string_equal(p.sf_id, "");
	/* Completing the pair by its HubSpot id. */
	assert_int_equal(store_idmap_put(f->s, "contact", "101", "Lead", "00Q1", NULL, &id2), 0);
	assert_int_equal(id2, id);
	assert_int_equal(store_idmap_by_sf(f->s, "contact", "00Q1", &p), 0);
	assert_string_equal(p.hs_id, "101");
	assert_string_equal(p.sf_type, "Lead");
	/* The same ids again: no change, no error. */
	assert_int_equal(store_idmap_put(f->s, "contact", "101", "Lead", "00Q1", NULL, NULL), 0);
	/* Another Salesforce id for a pair that has one: refused. */
	assert_int_equal(store_idmap_put(f->s, "contact", "101", "Lead", "00Q9", NULL, NULL), -EEXIST);
	/* Ids of two different pairs: refused. */
	assert_int_equal(store_idmap_put(f->s, "contact", "102", "Lead", "00Q2", NULL, NULL), 0);
	assert_int_equal(store_idmap_put(f->s, "contact", "101", NULL, "00Q2", NULL, NULL), -EEXIST);
	/* Objects are separate namespaces. */
	assert_int_equal(store_idmap_by_hs(f->s, "company", "101", &p), -ENOENT);
	assert_int_equal(store_idmap_put(f->s, "company", "101", "Account", "001A", NULL, NULL), 0);
	assert_int_equal(store_idmap_by_ext(f->s, "contact", "nope", &p), -ENOENT);
	/* Too long an id is refused, not cut. */
	char longid[STORE_ID_MAX + 2];
	memset(longid, '7', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	assert_int_equal(store_idmap_put(f->s, "contact", longid, NULL, NULL, NULL, NULL), -EINVAL);
}

struct collect {
	int n;
	char ext[4][STORE_EXT_ID_LEN + 1];
};

static int collect_pair(const struct store_pair *p, void *arg)
{
	struct collect *c = arg;

	if (c->n < 4)
		strcpy(c->ext[c->n], p->ext_id);
	c->n++;
	return 0;
}

static void test_pending(void **state)
{
	struct st_fx *f = *state;
	struct store_pair p, again;
	struct collect c = { 0 };

	assert_int_equal(store_idmap_pending(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, "201", "Lead",
					     &p), 0);
	assert_int_equal(strlen(p.ext_id), STORE_EXT_ID_LEN);
	assert_string_equal(p.hs_id, "201");
	assert_string_equal(p.sf_id, "");
	assert_int_equal(store_idmap_pending(f->s, "contact", CRMSYNC_SIDE_SALESFORCE, "003X",
					     "Contact", &again), 0);
	assert_int_equal(store_idmap_put(f->s, "contact", "300", "Lead", "00Q3", NULL, NULL), 0);
	assert_int_equal(store_idmap_list_pending(f->s, "contact", collect_pair, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.ext[0], p.ext_id);
	/* "Crash" and restart: the same source record gets the same external id. */
	store_close(f->s);
	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(store_idmap_pending(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, "201", "Lead",
					     &again), 0);
	assert_string_equal(again.ext_id, p.ext_id);
	assert_int_equal(again.id, p.id);
	/* The create succeeded: completed by external id, no longer pending. */
	assert_int_equal(store_idmap_put(f->s, "contact", NULL, "Lead", "00Q4", p.ext_id, NULL), 0);
	assert_int_equal(store_idmap_by_sf(f->s, "contact", "00Q4", &again), 0);
	assert_string_equal(again.hs_id, "201");
	c.n = 0;
	assert_int_equal(store_idmap_list_pending(f->s, "contact", collect_pair, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(store_idmap_pending(f->s, "contact", CRMSYNC_SIDE_NONE, "1", NULL, &p),
			 -EINVAL);
}

static void test_tombstone_delete(void **state)
{
	struct st_fx *f = *state;
	struct store_pair p;
	struct store_fields b;
	const char *names[] = { "email" }, *values[] = { "a@example.com" };
	int64_t id;

	assert_int_equal(store_idmap_put(f->s, "contact", "1", "Lead", "00Q1", NULL, &id), 0);
	assert_int_equal(store_base_put(f->s, id, names, values, 1), 0);
	assert_int_equal(store_idmap_tombstone(f->s, id, 1234), 0);
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "1", &p), 0);
	assert_int_equal(p.deleted_at, 1234);
	assert_int_equal(store_idmap_tombstone(f->s, id + 100, 1), -ENOENT);
	assert_int_equal(store_idmap_delete(f->s, id), 0);
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "1", &p), -ENOENT);
	assert_int_equal(store_base_get(f->s, id, &b), -ENOENT);   /* went with the pair */
	assert_int_equal(store_idmap_delete(f->s, id), -ENOENT);
}

static void test_base(void **state)
{
	struct st_fx *f = *state;
	const char *names[] = { "email", "phone", "note", "city" };
	const char *values[] = { "a@example.com", NULL, "", "東京" };
	struct store_fields b;
	const char *v;
	int64_t id;

	assert_int_equal(store_idmap_put(f->s, "contact", "1", "Lead", "00Q1", NULL, &id), 0);
	assert_int_equal(store_base_get(f->s, id, &b), -ENOENT);
	assert_int_equal(b.n, 0);
	assert_int_equal(store_base_put(f->s, id, names, values, 4), 0);
	assert_int_equal(store_base_get(f->s, id, &b), 0);
	assert_int_equal(b.n, 4);
	assert_true(store_fields_find(&b, "email", &v));
	assert_string_equal(v, "a@example.com");
	assert_true(store_fields_find(&b, "phone", &v));
	assert_null(v);                 /* NULL and "" stay distinct */
	assert_true(store_fields_find(&b, "note", &v));
	assert_string_equal(v, "");
	assert_true(store_fields_find(&b, "city", &v));
	assert_string_equal(v, "東京");
	assert_false(store_fields_find(&b, "fax", &v));
	store_fields_release(&b);
	/* A put replaces the whole base. */
	assert_int_equal(store_base_put(f->s, id, names + 1, values + 1, 1), 0);
	assert_int_equal(store_base_get(f->s, id, &b), 0);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.f[0].name, "phone");
	store_fields_release(&b);
	/* A base for a pair that does not exist. */
	assert_int_equal(store_base_put(f->s, id + 1000, names, values, 1), -ENOENT);
	/* Zero fields is a valid base. */
	assert_int_equal(store_base_put(f->s, id, NULL, NULL, 0), 0);
	assert_int_equal(store_base_get(f->s, id, &b), 0);
	assert_int_equal(b.n, 0);
	store_fields_release(&b);
	/* A damaged blob is reported, not trusted. */
	char *sql = xasprintf("UPDATE base SET fields = x'01050000000300' WHERE pair_id = %lld",
			      (long long)id);
	st_exec(f->path, sql);
	free(sql);
	assert_int_equal(store_base_get(f->s, id, &b), -STORE_ECORRUPT);
	assert_int_equal(b.n, 0);
}

static void test_blob_codec(void **state)
{
	const char *names[] = { "a", "b" }, *values[] = { "x", NULL };
	unsigned char *blob;
	size_t len;
	struct store_fields out;

	store_blob_encode(names, values, 2, &blob, &len);
	assert_int_equal(len, 1 + 4 + (4 + 1 + 4 + 1) + (4 + 1 + 4));
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(store_blob_decode(blob, cut, &out), -STORE_ECORRUPT);
	assert_int_equal(store_blob_decode(blob, len, &out), 0);
	assert_int_equal(out.n, 2);
	store_fields_release(&out);
	free(blob);
}

static void test_cursor(void **state)
{
	struct st_fx *f = *state;
	char *v;

	assert_int_equal(store_cursor_get(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, &v), -ENOENT);
	assert_int_equal(store_cursor_put(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, "1700000000000|9"), 0);
	assert_int_equal(store_cursor_put(f->s, "contact", CRMSYNC_SIDE_SALESFORCE,
					  "2024-01-31T12:34:56.000Z|003xx"), 0);
	assert_int_equal(store_cursor_put(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, "1700000000001|3"), 0);
	assert_int_equal(store_cursor_get(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, &v), 0);
	assert_string_equal(v, "1700000000001|3");
	free(v);
	assert_int_equal(store_cursor_get(f->s, "contact", CRMSYNC_SIDE_SALESFORCE, &v), 0);
	assert_string_equal(v, "2024-01-31T12:34:56.000Z|003xx");
	free(v);
	assert_int_equal(store_cursor_get(f->s, "deal", CRMSYNC_SIDE_SALESFORCE, &v), -ENOENT);
	assert_int_equal(store_cursor_put(f->s, "contact", CRMSYNC_SIDE_NONE, "x"), -EINVAL);
}

static void test_kv(void **state)
{
	struct st_fx *f = *state;
	int64_t n;
	char *v;

	assert_int_equal(store_kv_put(f->s, "salesforce.allocation", "20000"), 0);
	assert_int_equal(store_kv_get_int(f->s, "salesforce.allocation", &n), 0);
	assert_int_equal(n, 20000);
	assert_int_equal(store_kv_put(f->s, "salesforce.allocation", "15000"), 0);
	assert_int_equal(store_kv_get_int(f->s, "salesforce.allocation", &n), 0);
	assert_int_equal(n, 15000);
	assert_int_equal(store_kv_put(f->s, "pause.reason", "allocation reached"), 0);
	assert_int_equal(store_kv_get_int(f->s, "pause.reason", &n), -EINVAL);
	assert_int_equal(store_kv_get(f->s, "nope", &v), -ENOENT);
	assert_int_equal(store_kv_del(f->s, "pause.reason"), 0);
	assert_int_equal(store_kv_del(f->s, "pause.reason"), -ENOENT);
	/* No secret ever lands in the state file. */
	assert_int_equal(store_kv_put(f->s, "salesforce.refresh_token", "abc"), -EPERM);
	assert_int_equal(store_kv_put(f->s, "hubspot.Client_Secret", "abc"), -EPERM);
	assert_int_equal(store_kv_put(f->s, "smtp.password", "abc"), -EPERM);
	assert_int_equal(store_kv_get(f->s, "smtp.password", &v), -ENOENT);
}

#define H (3600LL * 1000)

static void test_ledger(void **state)
{
	struct st_fx *f = *state;
	int64_t now = 1700000000000LL - 1700000000000LL % 60000, n;

	/* 50 h ago, 30 h ago, 23 h ago, now: the last two are in the window. */
	assert_int_equal(store_ledger_add(f->s, CRMSYNC_SIDE_SALESFORCE, now - 50 * H, 1000, "query"), 0);
	assert_int_equal(store_ledger_add(f->s, CRMSYNC_SIDE_SALESFORCE, now - 30 * H, 100, "query"), 0);
	assert_int_equal(store_ledger_add(f->s, CRMSYNC_SIDE_SALESFORCE, now - 23 * H, 10, "write"), 0);
	assert_int_equal(store_ledger_add(f->s, CRMSYNC_SIDE_SALESFORCE, now, 1, "query"), 0);
	assert_int_equal(store_ledger_add(f->s, CRMSYNC_SIDE_SALESFORCE, now + 1000, 2, "query"), 0);
	assert_int_equal(store_ledger_add(f->s, CRMSYNC_SIDE_HUBSPOT, now, 7, "search"), 0);
	assert_int_equal(store_ledger_sum(f->s, CRMSYNC_SIDE_SALESFORCE, now - 24 * H, &n), 0);
	assert_int_equal(n, 13);
	assert_int_equal(store_ledger_sum(f->s, CRMSYNC_SIDE_HUBSPOT, now - 24 * H, &n), 0);
	assert_int_equal(n, 7);
	/* The 50 h old bucket was pruned when "now" was counted; 30 h is kept. */
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM ledger WHERE side = 2"), 3);
	assert_int_equal(store_ledger_sum(f->s, CRMSYNC_SIDE_SALESFORCE, now - 49 * H, &n), 0);
	assert_int_equal(n, 113);
	/* The window never counts less than the calls since the given instant. */
	assert_int_equal(store_ledger_sum(f->s, CRMSYNC_SIDE_SALESFORCE, now + 59999, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_ledger_sum(f->s, CRMSYNC_SIDE_SALESFORCE, now + 60000, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_ledger_prune(f->s, now), 0);
	assert_int_equal(store_ledger_sum(f->s, CRMSYNC_SIDE_SALESFORCE, 0, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_ledger_add(f->s, CRMSYNC_SIDE_NONE, now, 1, "x"), -EINVAL);
}

static void test_notify(void **state)
{
	struct st_fx *f = *state;
	struct store_notify n = { .last_digest_at = 10, .next_digest_at = 20, .failures = 2,
				  .last_error = "cannot reach 'smtp.example.com'", .watermark = 41 };
	struct store_notify got;

	assert_int_equal(store_notify_get(f->s, "ops-mail", &got), -ENOENT);
	assert_int_equal(store_notify_put(f->s, "ops-mail", &n), 0);
	store_close(f->s);
	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(store_notify_get(f->s, "ops-mail", &got), 0);
	assert_int_equal(got.last_digest_at, 10);
	assert_int_equal(got.next_digest_at, 20);
	assert_int_equal(got.failures, 2);
	assert_int_equal(got.watermark, 41);
	assert_string_equal(got.last_error, "cannot reach 'smtp.example.com'");
	n.last_error[0] = '\0';
	n.failures = 0;
	assert_int_equal(store_notify_put(f->s, "ops-mail", &n), 0);
	assert_int_equal(store_notify_get(f->s, "ops-mail", &got), 0);
	assert_string_equal(got.last_error, "");
	assert_int_equal(got.failures, 0);
}

static int count_cycle(const struct store_cycle *c, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void test_cycle(void **state)
{
	struct st_fx *f = *state;
	struct store_cycle c = { .object = "contact", .started_at = 1, .finished_at = 2,
				 .n_read = 10, .n_written = 8, .n_failed = 2, .status = "partial",
				 .message = "2 records failed" };
	struct store_cycle got;
	int n = 0;

	assert_int_equal(store_cycle_get(f->s, "contact", &got), -ENOENT);
	assert_int_equal(store_cycle_put(f->s, &c), 0);
	c.n_read = 11;
	assert_int_equal(store_cycle_put(f->s, &c), 0);
	strcpy(c.object, "company");
	assert_int_equal(store_cycle_put(f->s, &c), 0);
	assert_int_equal(store_cycle_get(f->s, "contact", &got), 0);
	assert_int_equal(got.n_read, 11);
	assert_int_equal(got.n_failed, 2);
	assert_string_equal(got.status, "partial");
	assert_string_equal(got.message, "2 records failed");
	assert_int_equal(store_cycle_list(f->s, count_cycle, &n), 0);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext_id),
		cmocka_unit_test(test_blob_codec),
		cmocka_unit_test_setup_teardown(test_idmap, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_pending, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_tombstone_delete, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_base, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_cursor, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_kv, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_ledger, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_notify, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_cycle, st_setup, st_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
