/*
 * Unit tests (cmocka) for the simulator's data generator and time helpers:
 * determinism by seed, the variety the sync engine must cope with (Japanese
 * and accented names, states and countries written several ways), the dirty
 * share, the overlap arithmetic, and ISO/Salesforce time round trips.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <cmocka.h>

#include "sim.h"

static void test_deterministic(void **state)
{
	struct sim_person a, b;
	struct sim_company c, d;

	(void)state;
	for (size_t i = 0; i < 500; i++) {
		sim_gen_person(42, i, 0.1, &a);
		sim_gen_person(42, i, 0.1, &b);
		assert_memory_equal(&a, &b, sizeof(a));
		sim_gen_company(42, i, &c);
		sim_gen_company(42, i, &d);
		assert_memory_equal(&c, &d, sizeof(c));
	}
	sim_gen_person(42, 3, 0.0, &a);
	sim_gen_person(43, 3, 0.0, &b);
	assert_false(!strcmp(a.email, b.email) && !strcmp(a.first, b.first) && !strcmp(a.phone, b.phone));
}

static void test_variety(void **state)
{
	int japanese = 0, accented = 0, ca_full = 0, ca_code = 0, jp_kanji = 0, jp_latin = 0;
	struct sim_person p;

	(void)state;
	for (size_t i = 0; i < 5000; i++) {
		sim_gen_person(1, i, 0.0, &p);
		assert_non_null(strchr(p.email, '@'));
		assert_true(p.first[0] && p.last[0] && p.company[0] && p.country[0]);
		for (const char *c = p.email; *c; c++)
			assert_true((unsigned char)*c < 0x80); /* addresses are ASCII */
		if (!strcmp(p.last, "佐藤") || !strcmp(p.last, "鈴木") || !strcmp(p.last, "田中"))
			japanese++;
		if (strstr(p.first, "é") || strstr(p.first, "ë") || strstr(p.last, "ü") || strstr(p.last, "í"))
			accented++;
		if (!strcmp(p.state, "California"))
			ca_full++;
		if (!strcmp(p.state, "CA"))
			ca_code++;
		if (!strcmp(p.country, "日本"))
			jp_kanji++;
		if (!strcmp(p.country, "Japan"))
			jp_latin++;
	}
	assert_true(japanese > 50);
	assert_true(accented > 50);
	assert_true(ca_full > 5 && ca_code > 5);
	assert_true(jp_kanji > 5 && jp_latin > 5);
}

static void test_dirty_share(void **state)
{
	int counts[SIM_DIRT_COUNT] = { 0 };
	struct sim_person p;

	(void)state;
	for (size_t i = 0; i < 10000; i++) {
		sim_gen_person(9, i, 0.2, &p);
		counts[p.dirt]++;
		if (p.dirt == SIM_DIRT_TOO_LONG)
			assert_true(strlen(p.first) > 40);
		if (p.dirt == SIM_DIRT_MISSING_REQUIRED)
			assert_int_equal(p.last[0], '\0');
		if (p.dirt == SIM_DIRT_BAD_EMAIL) {
			const char *at = strchr(p.email, '@');

			assert_true(!at || strchr(at + 1, '@') || !strchr(at, '.') || strchr(p.email, ' '));
		}
	}
	assert_in_range(counts[SIM_DIRT_NONE], 7600, 8400);
	for (int k = 1; k < SIM_DIRT_COUNT; k++)
		assert_true(counts[k] > 150);
	for (size_t i = 0; i < 1000; i++) {
		sim_gen_person(9, i, 0.0, &p);
		assert_int_equal(p.dirt, SIM_DIRT_NONE);
	}
}

static void test_duplicate_copies_previous_email(void **state)
{
	struct sim_person p, prev;
	int seen = 0;

	(void)state;
	for (size_t i = 1; i < 3000 && !seen; i++) {
		sim_gen_person(5, i, 0.5, &p);
		if (p.dirt != SIM_DIRT_DUPLICATE)
			continue;
		sim_gen_person(5, i - 1, 0.0, &prev);
		assert_int_equal(strcasecmp(p.email, prev.email), 0);
		seen = 1;
	}
	assert_true(seen);
}

static void test_company_of_person(void **state)
{
	struct sim_person p;
	struct sim_company c;

	(void)state;
	sim_gen_person(2, SIM_GEN_NCOMPANIES + 7, 0.0, &p);
	sim_gen_company(2, 7, &c);
	assert_string_equal(p.company, c.name);
	assert_string_equal(p.website, c.website);
}

static void test_overlap(void **state)
{
	(void)state;
	assert_int_equal(sim_gen_sf_first(1000, 0.3), 700);
	assert_int_equal(sim_gen_sf_first(1000, 0.0), 1000);
	assert_int_equal(sim_gen_sf_first(1000, 1.0), 0);
}

static void test_times(void **state)
{
	char buf[40];

	(void)state;
	sim_fmt_iso_time(1706704496789LL, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-31T12:34:56.789Z");
	sim_fmt_sf_time(1706704496789LL, buf, sizeof(buf));
	assert_string_equal(buf, "2024-01-31T12:34:56.789+0000");
	assert_int_equal(sim_parse_time("2024-01-31T12:34:56.789Z"), 1706704496789LL);
	assert_int_equal(sim_parse_time("2024-01-31T12:34:56.789+0000"), 1706704496789LL);
	assert_int_equal(sim_parse_time("2024-01-31T13:34:56.789+01:00"), 1706704496789LL);
	assert_int_equal(sim_parse_time("2024-01-31"), 1706659200000LL);
	assert_int_equal(sim_parse_time("1969-12-31T23:59:59.000Z"), -1000);
	assert_int_equal(sim_parse_time("2024-13-01"), -1);
	assert_int_equal(sim_parse_time("yesterday"), -1);
	assert_int_equal(sim_parse_time("2024-01-31T12:34:56Zjunk"), -1);
	sim_fmt_iso_time(951782400000LL, buf, sizeof(buf)); /* leap day 2000 */
	assert_string_equal(buf, "2000-02-29T00:00:00.000Z");
}

static void test_prng(void **state)
{
	uint64_t a = 7, b = 7, c = 8;

	(void)state;
	assert_true(sim_rand_next(&a) == sim_rand_next(&b));
	assert_true(sim_rand_next(&a) != sim_rand_next(&c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_variety),
		cmocka_unit_test(test_dirty_share),
		cmocka_unit_test(test_duplicate_copies_previous_email),
		cmocka_unit_test(test_company_of_person),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_prng),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
