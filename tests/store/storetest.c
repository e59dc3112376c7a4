/*
 * storetest.c - the state-store tests' fixtures (see storetest.h).
 */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "storetest.h"
#include "util.h"

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int make_dir(struct st_fx *f)
{
	const char *tmp = getenv("TMPDIR");
	char *tmpl = xasprintf("%s/crmsync-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(tmpl)) {
		free(tmpl);
		return -1;
	}
	f->dir = tmpl;
	f->path = xasprintf("%s/state.db", f->dir);
	return 0;
}

int st_setup_noopen(void **state)
{
	struct st_fx *f = xcalloc(1, sizeof(*f));

	if (make_dir(f) < 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int st_setup(void **state)
{
	struct st_fx *f;

	if (st_setup_noopen(state))
		return -1;
	f = *state;
	return store_open(&f->s, f->path, 0) ? -1 : 0;
}

int st_teardown(void **state)
{
	struct st_fx *f = *state;

	store_close(f->s);
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f->path);
	free(f->dir);
	free(f);
	return 0;
}

void st_exec(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("sql failed: %s: %s", sql, msg);
	sqlite3_close(db);
}

int64_t st_query_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("sql failed: %s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}
