/*
 * test_notify - the notify scheduler (core/notify.c) with the real syslog
 * notifier plugin, a real state store and a datagram socket standing in for
 * /dev/log: digest slots on a moved clock (daily, weekly, across a DST
 * change), a digest sent once and not again after a restart, an immediate
 * channel telling each new error once, a failing channel backing off and
 * recovering, events queued while a channel fails.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"
#include "plugin_env.h"
#include "loader.h"
#include "notify.h"
#include "store.h"
#include "util.h"

static char sock_path[100];   /* in the test's directory, pe_dir */
static int sock = -1;

#define DAY (24LL * 3600 * 1000)
#define MIN (60LL * 1000)
/* 2027-01-15 (a Friday) 00:00 UTC */
#define JAN15 1799971200000LL

static void set_now(int64_t ms)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)ms);
	setenv("CRMSYNC_FAKE_NOW_MS", buf, 1);
}

static void open_sink(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sock_path, sizeof(sock_path), "%s/log.sock", pe_dir);
	unlink(sock_path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	sock = socket(AF_UNIX, SOCK_DGRAM, 0);
	assert_true(sock >= 0);
	assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fcntl(sock, F_SETFL, O_NONBLOCK);
}

static void close_sink(void)
{
	if (sock >= 0)
		close(sock);
	sock = -1;
	unlink(sock_path);
}

/* Lines received since the last call, joined with '\n' (caller frees). */
static char *drain(void)
{
	struct strbuf sb = { 0 };
	char buf[2048];
	ssize_t n;

	while (sock >= 0 && (n = recv(sock, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		strbuf_addf(&sb, "%s\n", buf);
	}
	return strbuf_detach(&sb);
}

static int count_of(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void load(struct config *cfg, const char *frequency, const char *extra)
{
	char *sec;

	snprintf(sock_path, sizeof(sock_path), "%s/log.sock", pe_dir);
	sec = xasprintf("[notifier ops]\nplugin = syslog\nsocket = %s\nfrequency = %s\n%s",
			      sock_path, frequency, extra);

	pe_load(cfg, sec);
	free(sec);
}

static struct store *open_store(void)
{
	char path[512];
	struct store *st;

	snprintf(path, sizeof(path), "%s/state.db", pe_dir);
	assert_int_equal(store_open(&st, path, 0), 0);
	return st;
}

static void fresh_store(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -f '%s'/state.db*", pe_dir);
	assert_int_equal(system(cmd), 0);
}

static int64_t add_error(struct store *st, const char *type, const char *hs_id, const char *msg)
{
	struct store_error e = { 0 };
	int64_t id = 0;

	e.object = "contact";
	e.side = CRMSYNC_SIDE_SALESFORCE;
	e.hs_id = hs_id;
	e.code = "X";
	e.type = type;
	e.message = msg;
	assert_int_equal(store_error_upsert(st, &e, &id), 0);
	return id;
}

static void test_slots(void **state)
{
	struct crmsync_instance inst = { 0 };

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	inst.frequency = NOTIFY_DAILY;
	inst.digest_minute = 8 * 60;
	inst.digest_wday = 1;
	/* before 08:00: today; at or after: tomorrow */
	assert_int_equal(notify_next_slot(&inst, JAN15 + 3 * 3600 * 1000),
			 JAN15 + 8 * 3600 * 1000);
	assert_int_equal(notify_next_slot(&inst, JAN15 + 8 * 3600 * 1000),
			 JAN15 + DAY + 8 * 3600 * 1000);
	/* weekly on Monday: from Friday the 15th, Monday the 18th */
	inst.frequency = NOTIFY_WEEKLY;
	assert_int_equal(notify_next_slot(&inst, JAN15), JAN15 + 3 * DAY + 8 * 3600 * 1000);
	/* local time across a DST change: 08:00 Berlin is 07:00 UTC in summer,
	 * 08:00 before; the day of the change (2027-03-28) still gets 08:00 */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	inst.frequency = NOTIFY_DAILY;
	{
		int64_t mar27_9utc = 1806138000000LL; /* 2027-03-27T09:00:00Z, after 08:00 CET */
		int64_t slot = notify_next_slot(&inst, mar27_9utc);

		assert_int_equal(slot, 1806213600000LL); /* 2027-03-28T06:00:00Z = 08:00 CEST */
	}
	setenv("TZ", "UTC", 1);
	tzset();
}

/* A daily digest fires at its slot once; a restart (a new config and store
 * handle) neither repeats it nor loses the next one. */
static void test_daily_once_across_restart(void **state)
{
	struct config cfg;
	struct store *st;
	struct store_notify sn;
	char *got;

	(void)state;
	fresh_store();
	open_sink();
	set_now(JAN15 + 7 * 3600 * 1000);        /* 07:00 */
	load(&cfg, "daily", "digest_time = 08:00");
	st = open_store();
	add_error(st, "duplicate", "101", "dup one");
	add_error(st, "duplicate", "102", "dup two");
	add_error(st, "picklist", "103", "=bad value");
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_string_equal(got, "");            /* not yet 08:00 */
	free(got);
	assert_int_equal(store_notify_get(st, "ops", &sn), 0);
	assert_int_equal(sn.next_digest_at, JAN15 + 8 * 3600 * 1000);

	set_now(JAN15 + 8 * 3600 * 1000 + 5000); /* 08:00:05 */
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_int_equal(count_of(got, "daily digest: 3 new sync errors"), 1);
	assert_int_equal(count_of(got, "duplicate: 2 new, 2 current, 2 records affected"), 1);
	assert_int_equal(count_of(got, "picklist: 1 new"), 1);
	free(got);
	assert_int_equal(notify_run(&cfg, st), 0);   /* the same minute again */
	got = drain();
	assert_string_equal(got, "");
	free(got);
	store_close(st);
	config_release(&cfg);

	/* restart ten minutes later */
	set_now(JAN15 + 8 * 3600 * 1000 + 10 * MIN);
	load(&cfg, "daily", "digest_time = 08:00");
	st = open_store();
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_string_equal(got, "");
	free(got);
	/* the next day's digest: nothing new, 3 current: still sent */
	add_error(st, "other", "104", "boom");
	set_now(JAN15 + DAY + 8 * 3600 * 1000 + 1000);
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_int_equal(count_of(got, "daily digest: 1 new sync error, 4 current"), 1);
	free(got);
	store_close(st);
	config_release(&cfg);
	close_sink();
}

/* Immediate: each new error is told once; a failing channel backs off, shows
 * its failure, and recovers with what it missed. */
static void test_immediate_and_backoff(void **state)
{
	struct config cfg;
	struct store *st;
	struct store_notify sn;
	char *got;

	(void)state;
	fresh_store();
	open_sink();
	set_now(JAN15);
	load(&cfg, "immediate", "");
	st = open_store();
	add_error(st, "permission", "201", "no access");
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_int_equal(count_of(got, "1 new sync error (1 current)"), 1);
	free(got);
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_string_equal(got, "");
	free(got);

	close_sink();                             /* the channel breaks */
	add_error(st, "permission", "202", "no access either");
	assert_true(notify_run(&cfg, st) < 0);
	assert_int_equal(store_notify_get(st, "ops", &sn), 0);
	assert_int_equal(sn.failures, 1);
	assert_true(strlen(sn.last_error) > 0);
	assert_int_equal(notify_retry_at(st, "ops"), JAN15 + MIN);
	open_sink();                              /* back, but inside the backoff */
	set_now(JAN15 + 30000);
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_string_equal(got, "");
	free(got);
	set_now(JAN15 + MIN);
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_int_equal(count_of(got, "1 new sync error (2 current)"), 1);
	free(got);
	assert_int_equal(store_notify_get(st, "ops", &sn), 0);
	assert_int_equal(sn.failures, 0);
	assert_string_equal(sn.last_error, "");

	/* an event while the channel fails is queued, and arrives once */
	close_sink();
	assert_true(notify_event(&cfg, st, "crmsync paused", "allocation spent") < 0);
	open_sink();
	set_now(JAN15 + 3 * MIN);
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_int_equal(count_of(got, "crmsync paused"), 1);
	free(got);
	set_now(JAN15 + 10 * MIN);
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_int_equal(count_of(got, "crmsync paused"), 0);
	free(got);
	store_close(st);
	config_release(&cfg);
	close_sink();
}

/* A failing daily channel: the retry of an event does not bring the next
 * digest forward. */
static void test_retry_keeps_schedule(void **state)
{
	struct config cfg;
	struct store *st;
	struct store_notify sn;
	char *got;

	(void)state;
	fresh_store();
	set_now(JAN15 + 14 * 3600 * 1000);       /* 14:00, digest at 08:00 */
	load(&cfg, "daily", "digest_time = 08:00");
	st = open_store();
	add_error(st, "duplicate", "301", "dup");
	assert_true(notify_event(&cfg, st, "crmsync paused", "spent") < 0);   /* no socket */
	open_sink();
	set_now(JAN15 + 14 * 3600 * 1000 + 2 * MIN);
	assert_int_equal(notify_run(&cfg, st), 0);
	got = drain();
	assert_int_equal(count_of(got, "crmsync paused"), 1);
	assert_int_equal(count_of(got, "digest"), 0);
	free(got);
	assert_int_equal(store_notify_get(st, "ops", &sn), 0);
	assert_int_equal(sn.next_digest_at, JAN15 + DAY + 8 * 3600 * 1000);
	assert_int_equal(sn.failures, 0);
	store_close(st);
	config_release(&cfg);
	close_sink();
}

static void test_config_errors(void **state)
{
	struct errlist errs = { 0 };
	struct config cfg;
	char path[512];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.conf", pe_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[core]\nstate = state.db\n[salesforce]\ncredentials = sf.json\n[hubspot]\n"
		   "credentials = hs.json\n[notifier ops]\nplugin = syslog\nfrequency = daily\n"
		   "digest_time = 25:00\ndigest_day = someday\n");
	fclose(f);
	assert_int_not_equal(config_load(&cfg, path, &errs), 0);
	assert_int_equal(errs.total, 2);
	assert_non_null(strstr(errs.msg[0], "digest_time: '25:00' is not a time of day"));
	assert_non_null(strstr(errs.msg[1], "digest_day: 'someday'"));
	errlist_release(&errs);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots),
		cmocka_unit_test(test_daily_once_across_restart),
		cmocka_unit_test(test_immediate_and_backoff),
		cmocka_unit_test(test_retry_keeps_schedule),
		cmocka_unit_test(test_config_errors),
	};
	return PE_RUN(tests, "notify");
}
