/*
 * testutil.c - see testutil.h. Test support only: aborts the test on any
 * failure of the environment (a full disk is not a pass).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name the built fixtures' .libs directory"
#endif

char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = xasprintf("%s/crmsync-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(dir))
		fail_msg("mkdtemp '%s': %s", dir, strerror(errno));
	if (chmod(dir, 0755) < 0)
		fail_msg("chmod '%s': %s", dir, strerror(errno));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 ? -1 : 0;
	return unlink(path) < 0 ? -1 : 0;
}

void tu_rmrf(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void tu_copy_fixture(const char *dir, const char *fixture, const char *as)
{
	char *src = xasprintf("%s/%s.so", FIXTURE_DIR, fixture);
	char *dst = xasprintf("%s/%s.so", dir, as);
	char *buf;
	size_t len;
	int err, fd;

	err = read_file(src, 64u * 1024 * 1024, &buf, &len);
	if (err)
		fail_msg("cannot read fixture '%s': %s (did 'make check' build it?)", src,
			 strerror(-err));
	fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len || close(fd) < 0)
		fail_msg("cannot write '%s': %s", dst, strerror(errno));
	if (chmod(dst, 0755) < 0)
		fail_msg("chmod '%s': %s", dst, strerror(errno));
	free(buf);
	free(src);
	free(dst);
}

char *tu_write(const char *dir, const char *name, const char *content, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	size_t len = strlen(content);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, content, len) != (ssize_t)len || close(fd) < 0)
		fail_msg("cannot write '%s': %s", path, strerror(errno));
	if (chmod(path, mode) < 0)
		fail_msg("chmod '%s': %s", path, strerror(errno));
	return path;
}

char *tu_read(const char *path)
{
	char *buf;
	size_t len;

	return read_file(path, 64u * 1024 * 1024, &buf, &len) ? NULL : buf;
}

int tu_count_lines(const char *path, const char *line)
{
	char *buf = tu_read(path), *p, *save = NULL;
	int n = 0;

	if (!buf)
		return 0;
	for (p = strtok_r(buf, "\n", &save); p; p = strtok_r(NULL, "\n", &save))
		if (strcmp(p, line) == 0)
			n++;
	free(buf);
	return n;
}

int tu_errs_find(const struct errlist *errs, ...)
{
	for (size_t i = 0; i < errs->n; i++) {
		const char *needle;
		int all = 1;
		va_list ap;

		va_start(ap, errs);
		while ((needle = va_arg(ap, const char *)))
			if (!strstr(errs->msg[i], needle))
				all = 0;
		va_end(ap);
		if (all)
			return (int)i;
	}
	return -1;
}

void tu_errs_dump(const struct errlist *errs)
{
	print_message("%zu error(s), %zu stored:\n", errs->total, errs->n);
	for (size_t i = 0; i < errs->n; i++)
		print_message("  [%zu] %s\n", i, errs->msg[i]);
}
