/*
 * test_store_open.c - opening the state database: a new file is 0600, WAL,
 * at the latest schema; an old (v1) file made here is migrated with its data
 * kept; a newer, foreign or damaged file is refused with a message; the
 * read-only mode creates nothing; transactions commit, roll back and refuse
 * to nest; a write lock held too long gives -EBUSY.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storetest.h"
#include "util.h"

/* The schema of version 1 exactly as it was released: a frozen copy, so that
 * an accidental edit of the first migration step shows up here. */
static const char v1_schema[] =
	"PRAGMA application_id = 1668443507;"
	"CREATE TABLE idmap (id INTEGER PRIMARY KEY, object TEXT NOT NULL, ext_id TEXT NOT NULL,"
	"  hs_id TEXT, sf_type TEXT, sf_id TEXT, updated_at INTEGER NOT NULL,"
	"  UNIQUE (object, ext_id));"
	"CREATE UNIQUE INDEX idmap_hs ON idmap(object, hs_id) WHERE hs_id IS NOT NULL;"
	"CREATE UNIQUE INDEX idmap_sf ON idmap(object, sf_id) WHERE sf_id IS NOT NULL;"
	"CREATE INDEX idmap_pending ON idmap(object) WHERE hs_id IS NULL OR sf_id IS NULL;"
	"CREATE TABLE base (pair_id INTEGER PRIMARY KEY REFERENCES idmap(id) ON DELETE CASCADE,"
	"  fields BLOB NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE TABLE cursor (object TEXT NOT NULL, side INTEGER NOT NULL, value TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL, PRIMARY KEY (object, side)) WITHOUT ROWID;"
	"CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
	"  updated_at INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE ledger (side INTEGER NOT NULL, minute INTEGER NOT NULL, class TEXT NOT NULL,"
	"  calls INTEGER NOT NULL, PRIMARY KEY (side, minute, class)) WITHOUT ROWID;"
	"INSERT INTO idmap VALUES (7, 'contact', '0123456789abcdef0123456789abcdef', '101',"
	"  'Lead', '00Q000000000001AAA', 1700000000000);"
	"INSERT INTO cursor VALUES ('contact', 2, '2024-01-31T12:34:56.000Z|00Q1', 1);"
	"INSERT INTO kv VALUES ('salesforce.allocation', '20000', 1);"
	"PRAGMA user_version = 1;";

static void test_new_file(void **state)
{
	struct st_fx *f = *state;
	struct stat sb;
	char *wal = xasprintf("%s-wal", f->path);

	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(store_schema_version(f->s), store_schema_latest());
	assert_true(store_schema_latest() >= 3);
	assert_int_equal(access(wal, F_OK), 0);   /* WAL journaling is on */
	free(wal);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(st_query_int(f->path, "PRAGMA application_id"), 1668443507);
	/* Reopening an up-to-date file changes nothing. */
	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(store_schema_version(f->s), store_schema_latest());
}

static void test_umask_does_not_widen(void **state)
{
	struct st_fx *f = *state;
	char *p = xasprintf("%s/other.db", f->dir);
	struct store *s;
	struct stat sb;
	mode_t old = umask(0);

	assert_int_equal(store_open(&s, p, 0), 0);
	umask(old);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	store_close(s);
	free(p);
}

static void test_migrate_v1(void **state)
{
	struct st_fx *f = *state;
	struct store_pair p;
	char *v;

	st_exec(f->path, v1_schema);
	assert_int_equal(st_query_int(f->path, "PRAGMA user_version"), 1);
	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(store_schema_version(f->s), store_schema_latest());
	/* v1 data survived, and v2's tombstone column reads as "not deleted". */
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "101", &p), 0);
	assert_int_equal(p.id, 7);
	assert_string_equal(p.sf_id, "00Q000000000001AAA");
	assert_int_equal(p.deleted_at, 0);
	assert_int_equal(store_cursor_get(f->s, "contact", CRMSYNC_SIDE_SALESFORCE, &v), 0);
	assert_string_equal(v, "2024-01-31T12:34:56.000Z|00Q1");
	free(v);
	/* Tables of later versions work. */
	struct store_error e = { .object = "contact", .side = CRMSYNC_SIDE_SALESFORCE,
				 .hs_id = "101", .code = "X", .type = "other" };
	assert_int_equal(store_error_upsert(f->s, &e, NULL), 0);
	assert_int_equal(store_cycle_put(f->s, &(struct store_cycle){ .object = "contact",
							      .status = "ok" }), 0);
	assert_int_equal(store_idmap_tombstone(f->s, 7, 5), 0);
	/* Only a read-write open migrates: a read-only one of an old file refuses. */
	store_close(f->s);
	f->s = NULL;
	char *old = xasprintf("%s/old.db", f->dir);
	st_exec(old, v1_schema);
	assert_int_equal(store_open(&f->s, old, STORE_READONLY), -ENOTSUP);
	assert_int_equal(st_query_int(old, "PRAGMA user_version"), 1);
	free(old);
}

static void test_refuse_newer(void **state)
{
	struct st_fx *f = *state;
	char *sql = xasprintf("PRAGMA user_version = %d", store_schema_latest() + 1);

	store_close(f->s);
	f->s = NULL;
	st_exec(f->path, sql);
	free(sql);
	assert_int_equal(store_open(&f->s, f->path, 0), -ENOTSUP);
	assert_null(f->s);
	assert_int_equal(store_open(&f->s, f->path, STORE_READONLY), -ENOTSUP);
	/* Nothing was changed in the file. */
	assert_int_equal(st_query_int(f->path, "PRAGMA user_version"), store_schema_latest() + 1);
}

static void test_refuse_foreign_and_damaged(void **state)
{
	struct st_fx *f = *state;
	char *junk = xasprintf("%s/junk.db", f->dir);
	FILE *fp;

	st_exec(f->path, "CREATE TABLE songs (title TEXT)");
	assert_int_equal(store_open(&f->s, f->path, 0), -EINVAL);
	fp = fopen(junk, "w");
	assert_non_null(fp);
	for (int i = 0; i < 512; i++)
		fputs("this is not a database, just text. ", fp);
	fclose(fp);
	assert_int_equal(store_open(&f->s, junk, 0), -STORE_ECORRUPT);
	assert_int_equal(store_open(&f->s, junk, STORE_READONLY), -STORE_ECORRUPT);
	assert_null(f->s);
	free(junk);
}

static void test_readonly(void **state)
{
	struct st_fx *f = *state;
	char *missing = xasprintf("%s/missing.db", f->dir);
	struct store *ro;
	char *v;

	assert_int_equal(store_open(&ro, missing, STORE_READONLY), -ENOENT);
	assert_int_equal(access(missing, F_OK), -1);
	free(missing);
	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(store_kv_put(f->s, "salesforce.allocation", "20000"), 0);
	assert_int_equal(store_open(&ro, f->path, STORE_READONLY), 0);
	assert_int_equal(store_kv_get(ro, "salesforce.allocation", &v), 0);
	assert_string_equal(v, "20000");
	free(v);
	assert_int_equal(store_kv_put(ro, "x", "y"), -EROFS);
	store_close(ro);
}

static void test_transactions(void **state)
{
	struct st_fx *f = *state;
	struct store_pair p;
	char *v;

	assert_false(store_in_transaction(f->s));
	assert_int_equal(store_begin(f->s), 0);
	assert_true(store_in_transaction(f->s));
	assert_int_equal(store_begin(f->s), -EALREADY);
	assert_int_equal(store_idmap_put(f->s, "contact", "1", "Lead", "00Q1", NULL, NULL), 0);
	assert_int_equal(store_cursor_put(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, "c1"), 0);
	assert_int_equal(store_rollback(f->s), 0);
	assert_false(store_in_transaction(f->s));
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "1", &p), -ENOENT);
	assert_int_equal(store_cursor_get(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, &v), -ENOENT);
	assert_null(v);
	assert_int_equal(store_rollback(f->s), 0);   /* none open: no-op */

	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_idmap_put(f->s, "contact", "1", "Lead", "00Q1", NULL, NULL), 0);
	assert_int_equal(store_cursor_put(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, "c1"), 0);
	assert_int_equal(store_commit(f->s), 0);
	/* Visible to another connection once committed. */
	store_close(f->s);
	assert_int_equal(store_open(&f->s, f->path, STORE_READONLY), 0);
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "1", &p), 0);
	assert_int_equal(store_cursor_get(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, &v), 0);
	assert_string_equal(v, "c1");
	free(v);
}

/* A failed call inside a transaction undoes only its own part. */
static void test_failed_call_in_transaction(void **state)
{
	struct st_fx *f = *state;
	struct store_pair p;

	assert_int_equal(store_idmap_put(f->s, "contact", "1", "Lead", "00Q1", NULL, NULL), 0);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_idmap_put(f->s, "contact", "2", "Lead", "00Q2", NULL, NULL), 0);
	/* hs 1 and sf 00Q2 are two different pairs. */
	assert_int_equal(store_idmap_put(f->s, "contact", "1", "Lead", "00Q2", NULL, NULL), -EEXIST);
	assert_true(store_in_transaction(f->s));
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "2", &p), 0);
	assert_string_equal(p.sf_id, "00Q2");
}

static void test_busy(void **state)
{
	struct st_fx *f = *state;
	struct store *other;
	int64_t n;

	assert_int_equal(store_open(&other, f->path, 0), 0);
	store_set_busy_timeout(other, 50);
	assert_int_equal(store_begin(f->s), 0);
	assert_int_equal(store_kv_put(f->s, "k", "uncommitted"), 0);
	assert_int_equal(store_begin(other), -EBUSY);
	assert_int_equal(store_kv_put(other, "k2", "v"), -EBUSY);
	/* Readers are not blocked by the writer, and do not see its work. */
	char *v;
	assert_int_equal(store_kv_get(other, "k", &v), -ENOENT);
	assert_int_equal(store_ledger_sum(other, CRMSYNC_SIDE_SALESFORCE, 0, &n), 0);
	assert_int_equal(store_commit(f->s), 0);
	assert_int_equal(store_kv_get(other, "k", &v), 0);
	assert_string_equal(v, "uncommitted");
	free(v);
	assert_int_equal(store_kv_put(other, "k2", "v"), 0);
	store_close(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_umask_does_not_widen, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, st_setup_noopen, st_teardown),
		cmocka_unit_test_setup_teardown(test_refuse_newer, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_refuse_foreign_and_damaged, st_setup_noopen,
						st_teardown),
		cmocka_unit_test_setup_teardown(test_readonly, st_setup_noopen, st_teardown),
		cmocka_unit_test_setup_teardown(test_transactions, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_failed_call_in_transaction, st_setup, st_teardown),
		cmocka_unit_test_setup_teardown(test_busy, st_setup, st_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
