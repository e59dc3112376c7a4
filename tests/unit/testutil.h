/*
 * testutil.h - helpers shared by the cmocka tests: private temporary plugin
 * directories holding copies of the fixture plugins, small file helpers, the
 * fixtures' call trace, and assertions over an errlist that print every
 * collected message when they fail.
 */
#ifndef CRMSYNC_TESTUTIL_H
#define CRMSYNC_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "util.h"

/* A new directory (mode 0755) under $TMPDIR or /tmp; caller frees and
 * removes it with tu_rmrf(). */
char *tu_mkdtemp(void);
void tu_rmrf(const char *dir);
/* Copy tests/fixtures/.libs/FIXTURE.so to DIR/AS.so, mode 0755. */
void tu_copy_fixture(const char *dir, const char *fixture, const char *as);
/* Write a file with this content and mode; returns its path (caller frees). */
char *tu_write(const char *dir, const char *name, const char *content, mode_t mode);
/* Whole file, NUL-terminated, or NULL if it cannot be read (caller frees). */
char *tu_read(const char *path);
/* How many lines of the file equal `line` exactly. */
int tu_count_lines(const char *path, const char *line);

/* The index of the first message containing every one of the NULL-ended
 * needles, or -1. */
int tu_errs_find(const struct errlist *errs, ...);
void tu_errs_dump(const struct errlist *errs);

/* Fails the test (printing every message) unless one message contains all
 * the given substrings. */
#define assert_err(errs, ...)                                                 \
	do {                                                                  \
		if (tu_errs_find((errs), __VA_ARGS__, (const char *)NULL) < 0) { \
			tu_errs_dump(errs);                                   \
			fail_msg("no error message contains all of: %s", #__VA_ARGS__); \
		}                                                             \
	} while (0)

#define assert_no_errs(errs)                                                  \
	do {                                                                  \
		if ((errs)->total) {                                          \
			tu_errs_dump(errs);                                   \
			fail_msg("expected no errors, got %zu", (errs)->total); \
		}                                                             \
	} while (0)

#endif
