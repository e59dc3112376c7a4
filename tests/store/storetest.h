/*
 * storetest.h - helpers for the state-store tests: a private temporary
 * directory per test, and raw SQLite access for building fixture files the
 * store itself would never write (old schemas, foreign or damaged files).
 */
#ifndef CRMSYNC_STORETEST_H
#define CRMSYNC_STORETEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include "store.h"

struct st_fx {
	char *dir;
	char *path;     /* DIR/state.db */
	struct store *s;
};

/* cmocka setup/teardown: a fresh directory and an open store in it. */
int st_setup(void **state);
int st_setup_noopen(void **state);
int st_teardown(void **state);

/* Run sql on its own connection to path; fails the test on error. */
void st_exec(const char *path, const char *sql);
/* The first column of the first row of sql, as an integer. */
int64_t st_query_int(const char *path, const char *sql);

#endif
