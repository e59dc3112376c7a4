/*
 * bench_store.c - how fast the store writes a backfill: N pairs with a base
 * of 20 fields each in one transaction, through the store's API (one blob
 * row per pair), against the other layout, one row per field, written with
 * raw SQLite under the same pragmas. Also times reading every base back.
 * Not a test: `tests/store/bench_store [N] [DIR]` prints the figures.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"
#include "util.h"

#define NF 20

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long file_kb(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (long long)sb.st_size / 1024 : -1;
}

static void fill(int i, char names[NF][24], char vals[NF][64], const char **np, const char **vp)
{
	for (int k = 0; k < NF; k++) {
		snprintf(names[k], 24, "property_%02d", k);
		snprintf(vals[k], 64, "value %d of record %d", k, i);
		np[k] = names[k];
		vp[k] = k % 5 == 4 ? NULL : vals[k];
	}
}

static int bench_blob(const char *path, int n)
{
	char names[NF][24], vals[NF][64], hs[24], sf[24];
	const char *np[NF], *vp[NF];
	struct store *s;
	struct store_fields f;
	double t0, t1, t2, tb, tbase = 0;
	int64_t id;

	if (store_open(&s, path, 0))
		return 1;
	t0 = now_s();
	if (store_begin(s))
		return 1;
	for (int i = 0; i < n; i++) {
		snprintf(hs, sizeof(hs), "%d", 1000000 + i);
		snprintf(sf, sizeof(sf), "00Q%015d", i);
		fill(i, names, vals, np, vp);
		if (store_idmap_put(s, "contact", hs, "Lead", sf, NULL, &id))
			return 1;
		tb = now_s();
		if (store_base_put(s, id, np, vp, NF))
			return 1;
		tbase += now_s() - tb;
	}
	if (store_commit(s))
		return 1;
	t1 = now_s();
	for (int i = 0; i < n; i++) {
		struct store_pair p;

		snprintf(hs, sizeof(hs), "%d", 1000000 + i);
		if (store_idmap_by_hs(s, "contact", hs, &p) || store_base_get(s, p.id, &f))
			return 1;
		store_fields_release(&f);
	}
	t2 = now_s();
	store_close(s);
	printf("blob row per pair: %d pairs + bases written in one transaction in %.2f s "
	       "(%.0f pairs/s; of which base_put %.2f s); all read back (lookup by HubSpot "
	       "id + base) in %.2f s; file %lld KiB\n", n, t1 - t0, n / (t1 - t0), tbase,
	       t2 - t1, file_kb(path));
	return 0;
}

static int bench_rows(const char *path, int n)
{
	char names[NF][24], vals[NF][64];
	const char *np[NF], *vp[NF];
	sqlite3 *db;
	sqlite3_stmt *ins, *sel;
	double t0, t1, t2;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
			 "CREATE TABLE base_field (pair_id INTEGER NOT NULL, name TEXT NOT NULL,"
			 " value TEXT, PRIMARY KEY (pair_id, name)) WITHOUT ROWID",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO base_field VALUES (?1, ?2, ?3)", -1,
			       &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT name, value FROM base_field WHERE pair_id = ?1", -1,
			       &sel, NULL) != SQLITE_OK)
		return 1;
	t0 = now_s();
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	for (int i = 0; i < n; i++) {
		fill(i, names, vals, np, vp);
		for (int k = 0; k < NF; k++) {
			sqlite3_bind_int64(ins, 1, i + 1);
			sqlite3_bind_text(ins, 2, np[k], -1, SQLITE_STATIC);
			if (vp[k])
				sqlite3_bind_text(ins, 3, vp[k], -1, SQLITE_STATIC);
			else
				sqlite3_bind_null(ins, 3);
			if (sqlite3_step(ins) != SQLITE_DONE)
				return 1;
			sqlite3_reset(ins);
		}
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	t1 = now_s();
	for (int i = 0; i < n; i++) {
		int got = 0;

		sqlite3_bind_int64(sel, 1, i + 1);
		while (sqlite3_step(sel) == SQLITE_ROW) {
			free(xstrdup((const char *)sqlite3_column_text(sel, 0)));
			got++;
		}
		sqlite3_reset(sel);
		if (got != NF)
			return 1;
	}
	t2 = now_s();
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	sqlite3_close(db);
	printf("row per field (bases only, no id map): %d x %d rows written in one transaction "
	       "in %.2f s; all read back in %.2f s; file %lld KiB\n", n, NF, t1 - t0, t2 - t1,
	       file_kb(path));
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 100000;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	char *a = xasprintf("%s/bench-blob-%d.db", dir, (int)getpid());
	char *b = xasprintf("%s/bench-rows-%d.db", dir, (int)getpid());
	int rc = bench_blob(a, n) || bench_rows(b, n);

	for (int k = 0; k < 2; k++) {
		const char *p = k ? b : a;
		char *w = xasprintf("%s-wal", p), *m = xasprintf("%s-shm", p);

		unlink(p);
		unlink(w);
		unlink(m);
		free(w);
		free(m);
	}
	free(a);
	free(b);
	return rc;
}
