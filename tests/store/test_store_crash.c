/*
 * test_store_crash.c - the store across processes, with real files: a writer
 * SIGKILLed in the middle of a batch leaves exactly the batches it committed;
 * a writer that hits the file size limit gets a clear error and loses
 * nothing committed; the CLI writing resync requests while the daemon takes
 * them (and writes its own batches) loses and repeats nothing.
 *
 * Children never use cmocka: they report through their exit status.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "storetest.h"
#include "util.h"

#define BATCH 1000
#define NFIELDS 20

static const char *const names[NFIELDS] = {
	"email", "firstname", "lastname", "phone", "company", "jobtitle", "city", "state",
	"country", "zip", "address", "website", "industry", "lifecyclestage", "owner",
	"leadsource", "status", "rating", "mobilephone", "fax",
};

/* Write pair i of batch b (id "b-i") and its base. 0 or -errno. */
static int write_pair(struct store *s, int b, int i)
{
	const char *values[NFIELDS];
	char hs[32], sf[32], v[64];
	int64_t id;
	int err;

	snprintf(hs, sizeof(hs), "%d-%d", b, i);
	snprintf(sf, sizeof(sf), "00Q%02d%012d", b, i);
	snprintf(v, sizeof(v), "value of record %d-%d, long enough to matter", b, i);
	for (int k = 0; k < NFIELDS; k++)
		values[k] = k % 7 == 3 ? NULL : v;
	if ((err = store_idmap_put(s, "contact", hs, "Lead", sf, NULL, &id)))
		return err;
	return store_base_put(s, id, names, values, NFIELDS);
}

static void say(int fd, char c)
{
	if (write(fd, &c, 1) != 1)
		_exit(90);
}

/* The child: three committed batches, then an endless fourth. */
static void crash_child(const char *path, int fd)
{
	struct store *s;
	char cur[32];

	if (store_open(&s, path, 0))
		_exit(91);
	for (int b = 0; b < 3; b++) {
		if (store_begin(s))
			_exit(92);
		for (int i = 0; i < BATCH; i++)
			if (write_pair(s, b, i))
				_exit(93);
		snprintf(cur, sizeof(cur), "batch %d", b);
		if (store_cursor_put(s, "contact", CRMSYNC_SIDE_HUBSPOT, cur) || store_commit(s))
			_exit(94);
		say(fd, 'C');
	}
	if (store_begin(s) || store_cursor_put(s, "contact", CRMSYNC_SIDE_HUBSPOT, "batch 3"))
		_exit(95);
	for (int i = 0;; i++) {
		if (write_pair(s, 3, i))
			_exit(96);
		/* Far past the page cache: uncommitted pages are in the WAL file. */
		if (i == 20000)
			say(fd, 'M');
	}
}

static void test_sigkill_mid_batch(void **state)
{
	struct st_fx *f = *state;
	char *wal = xasprintf("%s-wal", f->path);
	struct store_pair p;
	struct store_fields base;
	struct stat sb;
	int fds[2], status, got = 0;
	char c, *cur;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		crash_child(f->path, fds[1]);
	}
	close(fds[1]);
	while (read(fds[0], &c, 1) == 1) {
		got++;
		if (c == 'M')
			break;
	}
	close(fds[0]);
	assert_int_equal(got, 4);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	/* The killed batch did reach the disk, uncommitted. */
	assert_int_equal(stat(wal, &sb), 0);
	assert_true(sb.st_size > 4 * 1024 * 1024);
	free(wal);

	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM idmap"), 3 * BATCH);
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM base"), 3 * BATCH);
	for (int b = 0; b < 3; b++) {
		char hs[32];

		snprintf(hs, sizeof(hs), "%d-%d", b, BATCH - 1);
		assert_int_equal(store_idmap_by_hs(f->s, "contact", hs, &p), 0);
		assert_int_equal(store_base_get(f->s, p.id, &base), 0);
		assert_int_equal(base.n, NFIELDS);
		store_fields_release(&base);
	}
	assert_int_equal(store_idmap_by_hs(f->s, "contact", "3-0", &p), -ENOENT);
	assert_int_equal(store_cursor_get(f->s, "contact", CRMSYNC_SIDE_HUBSPOT, &cur), 0);
	assert_string_equal(cur, "batch 2");
	free(cur);
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM pragma_integrity_check"
					      " WHERE integrity_check <> 'ok'"), 0);
}

/* A full disk, made with the file size limit: the batch fails with a clear
 * errno and everything committed before is intact. */
static void test_file_size_limit(void **state)
{
	struct st_fx *f = *state;
	struct stat sb;
	int status;
	pid_t pid;

	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(write_pair(f->s, 0, i), 0);
	assert_int_equal(store_commit(f->s), 0);
	store_close(f->s);
	f->s = NULL;
	assert_int_equal(stat(f->path, &sb), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 512 * 1024, 512 * 1024 };
		struct store *s;
		int err = 0;

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) || store_open(&s, f->path, 0) || store_begin(s))
			_exit(91);
		for (int i = 0; !err && i < 100000; i++)
			err = write_pair(s, 1, i);
		if (!err)
			err = store_commit(s);
		store_rollback(s);
		store_close(s);
		_exit(err == -ENOSPC ? 10 : err == -EIO ? 11 : 12);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_in_range(WEXITSTATUS(status), 10, 11);
	assert_int_equal(store_open(&f->s, f->path, 0), 0);
	assert_int_equal(st_query_int(f->path, "SELECT count(*) FROM idmap"), 100);
}

#define NREQ 30

static void cli_child(const char *path, const int64_t *ids)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };
	struct store *s;

	if (store_open(&s, path, 0))
		_exit(91);
	for (int i = 0; i < NREQ; i++) {
		if (store_resync_request(s, &ids[i], 1, 0))
			_exit(92);
		nanosleep(&ts, NULL);
	}
	store_close(s);
	_exit(0);
}

static void test_cli_and_daemon(void **state)
{
	struct st_fx *f = *state;
	struct store_error e = { .object = "contact", .side = CRMSYNC_SIDE_SALESFORCE,
				 .code = "X", .type = "other" };
	int64_t ids[NREQ];
	int taken[NREQ] = { 0 }, ntaken = 0, status, batch = 0;
	struct store_resync got[8];
	struct store *ro;
	char hs[16];
	size_t n;
	pid_t pid;

	for (int i = 0; i < NREQ; i++) {
		snprintf(hs, sizeof(hs), "%d", i);
		e.hs_id = hs;
		assert_int_equal(store_error_upsert(f->s, &e, &ids[i]), 0);
	}
	assert_int_equal(store_open(&ro, f->path, STORE_READONLY), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		cli_child(f->path, ids);
	int64_t deadline = store_now_ms() + 10000;
	while (ntaken < NREQ && store_now_ms() < deadline) {
		/* The daemon's own work goes on meanwhile, in batches. */
		assert_int_equal(store_begin(f->s), 0);
		for (int i = 0; i < 50; i++)
			assert_int_equal(write_pair(f->s, 10 + batch, i), 0);
		assert_int_equal(store_commit(f->s), 0);
		batch++;
		assert_int_equal(store_resync_take(f->s, store_now_ms(), 600000, got, 8, &n), 0);
		for (size_t k = 0; k < n; k++) {
			int64_t i = got[k].error_id - ids[0];

			assert_in_range(i, 0, NREQ - 1);
			taken[i]++;
			ntaken++;
			assert_int_equal(store_resync_done(f->s, got[k].request_id), 0);
		}
		/* A read-only CLI command reads meanwhile. */
		struct store_error_count *c;
		size_t nc;
		assert_int_equal(store_error_counts(ro, &c, &nc), 0);
		assert_int_equal(nc, 1);
		assert_int_equal(c[0].errors, NREQ);
		free(c);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(ntaken, NREQ);
	for (int i = 0; i < NREQ; i++)
		assert_int_equal(taken[i], 1);
	store_close(ro);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sigkill_mid_batch, st_setup_noopen, st_teardown),
		cmocka_unit_test_setup_teardown(test_file_size_limit, st_setup_noopen, st_teardown),
		cmocka_unit_test_setup_teardown(test_cli_and_daemon, st_setup, st_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
