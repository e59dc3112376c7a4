/*
 * test_transform.c - the value conversions of core/transform.c: each
 * accepted spelling, round trips between the two sides, and refusals that
 * leave no output behind.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transform.h"
#include "testutil.h"

typedef int (*conv_fn)(const char *in, char **out);

static void ok(conv_fn fn, const char *in, const char *want)
{
	char *out = NULL;
	int r = fn(in, &out);

	if (r)
		fail_msg("'%s' was refused (%d), expected '%s'", in, r, want);
	assert_non_null(out);
	if (strcmp(out, want))
		fail_msg("'%s' -> '%s', expected '%s'", in, out, want);
	free(out);
}

static void bad(conv_fn fn, const char *in)
{
	char *sentinel = (char *)"untouched";
	char *out = sentinel;
	int r = fn(in, &out);

	if (r != -EINVAL)
		fail_msg("'%s' was accepted as '%s' (%d)", in ? in : "(null)",
			 out == sentinel ? "?" : out, r);
	assert_ptr_equal(out, sentinel);
}

static void test_datetime_to_sf(void **state)
{
	ok(transform_datetime_to_sf, "1706704496000", "2024-01-31T12:34:56.000+0000");
	ok(transform_datetime_to_sf, "1706704496789", "2024-01-31T12:34:56.789+0000");
	ok(transform_datetime_to_sf, "0", "1970-01-01T00:00:00.000+0000");
	ok(transform_datetime_to_sf, "-1", "1969-12-31T23:59:59.999+0000");
	ok(transform_datetime_to_sf, "2024-01-31T12:34:56.789Z", "2024-01-31T12:34:56.789+0000");
	ok(transform_datetime_to_sf, "2024-01-31T12:34:56Z", "2024-01-31T12:34:56.000+0000");
	ok(transform_datetime_to_sf, "2024-01-31T12:34Z", "2024-01-31T12:34:00.000+0000");
	ok(transform_datetime_to_sf, "2024-01-31T12:34:56.7Z", "2024-01-31T12:34:56.700+0000");
	ok(transform_datetime_to_sf, "2024-01-31T12:34:56.123456789Z", "2024-01-31T12:34:56.123+0000");
	/* offsets in every spelling, across midnight and a leap day */
	ok(transform_datetime_to_sf, "2024-01-31T14:34:56.000+0200", "2024-01-31T12:34:56.000+0000");
	ok(transform_datetime_to_sf, "2024-01-31T14:34:56+02:00", "2024-01-31T12:34:56.000+0000");
	ok(transform_datetime_to_sf, "2024-01-31T14:34:56+02", "2024-01-31T12:34:56.000+0000");
	ok(transform_datetime_to_sf, "2024-02-29T23:30:00-01:00", "2024-03-01T00:30:00.000+0000");
	ok(transform_datetime_to_sf, "2024-01-01T05:30:00+05:30", "2024-01-01T00:00:00.000+0000");
	ok(transform_datetime_to_sf, "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000+0000");
	ok(transform_datetime_to_sf, "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59.999+0000");
	ok(transform_datetime_to_sf, "2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000+0000");
}

static void test_datetime_to_hs(void **state)
{
	ok(transform_datetime_to_hs, "2024-01-31T12:34:56.000+0000", "2024-01-31T12:34:56.000Z");
	ok(transform_datetime_to_hs, "1706704496000", "2024-01-31T12:34:56.000Z");
	ok(transform_datetime_to_hs, "1900-03-01T00:00:00.000+0000", "1900-03-01T00:00:00.000Z");
}

static void test_datetime_round_trip(void **state)
{
	static const int64_t samples[] = { 0, 1, -1, 86399999, 951782400000, 1706704496789,
					   -62135596800000, 253402300799999, -2208988800000 };

	for (size_t i = 0; i < ARRAY_SIZE(samples); i++) {
		char in[32], *sf = NULL, *hs = NULL;
		int64_t back = 0;

		snprintf(in, sizeof(in), "%lld", (long long)samples[i]);
		assert_int_equal(transform_datetime_to_sf(in, &sf), 0);
		assert_int_equal(transform_datetime_to_hs(sf, &hs), 0);
		assert_int_equal(transform_parse_datetime(hs, &back), 0);
		assert_true(back == samples[i]);
		assert_int_equal(transform_parse_datetime(sf, &back), 0);
		assert_true(back == samples[i]);
		free(sf);
		free(hs);
	}
}

static void test_datetime_bad(void **state)
{
	static const char *const bads[] = {
		"", " ", "abc", "2024-01-31", "2024-01-31T12:34:56", /* no zone */
		"2024-01-31 12:34:56Z", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
		"2023-02-29T00:00:00Z", "2024-01-31T24:00:00Z", "2024-01-31T12:60:00Z",
		"2024-01-31T12:34:60Z", "2024-01-31T12:34:56.Z", "2024-01-31T12:34:56.0000000000Z",
		"2024-01-31T12:34:56+2", "2024-01-31T12:34:56+02:", "2024-01-31T12:34:56+0260",
		"2024-01-31T12:34:56+19:00", "2024-01-31T12:34:56Zjunk", "0000-12-31T00:00:00Z",
		"12345678901234567", "253402300800000", "-62135596800001", "1e3", "+1",
		"0001-01-01T00:00:00+01:00", "2024-1-31T12:34:56Z",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		bad(transform_datetime_to_sf, bads[i]);
		bad(transform_datetime_to_hs, bads[i]);
	}
	bad(transform_datetime_to_sf, NULL);
}

static void test_date(void **state)
{
	ok(transform_date, "2024-01-31", "2024-01-31");
	ok(transform_date, "1706659200000", "2024-01-31");   /* midnight UTC */
	ok(transform_date, "0", "1970-01-01");
	ok(transform_date, "-86400000", "1969-12-31");
	ok(transform_date, "2024-02-29", "2024-02-29");
	bad(transform_date, "1706704496000");                /* not midnight */
	bad(transform_date, "2023-02-29");
	bad(transform_date, "2024-01-31T00:00:00Z");
	bad(transform_date, "2024-01-31 ");
	bad(transform_date, "31/01/2024");
	bad(transform_date, "");
	bad(transform_date, NULL);
}

static void test_datetime_date(void **state)
{
	ok(transform_datetime_to_date, "1706704496000", "2024-01-31");
	ok(transform_datetime_to_date, "2024-01-31T23:30:00-02:00", "2024-02-01");
	ok(transform_datetime_to_date, "2024-01-31", "2024-01-31");
	ok(transform_datetime_to_date, "-1", "1969-12-31");
	ok(transform_date_to_datetime, "2024-01-31", "2024-01-31T00:00:00.000Z");
	ok(transform_date_to_datetime, "2024-01-31T12:00:00Z", "2024-01-31T12:00:00.000Z");
	bad(transform_datetime_to_date, "yesterday");
	bad(transform_date_to_datetime, "2024-02-30");
}

static void test_number(void **state)
{
	ok(transform_number, "1234.5", "1234.5");
	ok(transform_number, "1234.50", "1234.5");
	ok(transform_number, "001234.500", "1234.5");
	ok(transform_number, "+1234", "1234");
	ok(transform_number, "-0.5", "-0.5");
	ok(transform_number, "-.5", "-0.5");
	ok(transform_number, "5.", "5");
	ok(transform_number, "-0", "0");
	ok(transform_number, "0.000", "0");
	ok(transform_number, "1.2345E3", "1234.5");
	ok(transform_number, "1.2345e+3", "1234.5");
	ok(transform_number, "12345e-1", "1234.5");
	ok(transform_number, "1e2", "100");
	ok(transform_number, "1E-3", "0.001");
	ok(transform_number, "0e99999", "0");
	ok(transform_number, " 42 ", "42");
	ok(transform_number, "123456789012345678901234567890",
	   "123456789012345678901234567890");
	ok(transform_number, "0.1000000000000000055511151231257827",
	   "0.1000000000000000055511151231257827");
	bad(transform_number, "1,234.50");
	bad(transform_number, "");
	bad(transform_number, "-");
	bad(transform_number, ".");
	bad(transform_number, "1e");
	bad(transform_number, "1e+");
	bad(transform_number, "NaN");
	bad(transform_number, "Infinity");
	bad(transform_number, "0x10");
	bad(transform_number, "1 2");
	bad(transform_number, "1e1000000");
	bad(transform_number, "1e200");
	bad(transform_number, "1e-200");
	bad(transform_number, "--1");
	bad(transform_number, NULL);
}

static void test_number_idempotent(void **state)
{
	static const char *const in[] = { "1234.50", "-0.000120", "9.99e5", "7", "1e-3" };

	for (size_t i = 0; i < ARRAY_SIZE(in); i++) {
		char *a = NULL, *b = NULL;

		assert_int_equal(transform_number(in[i], &a), 0);
		assert_int_equal(transform_number(a, &b), 0);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
}

static void test_bool(void **state)
{
	ok(transform_bool, "true", "true");
	ok(transform_bool, "TRUE", "true");
	ok(transform_bool, "Yes", "true");
	ok(transform_bool, "1", "true");
	ok(transform_bool, " false ", "false");
	ok(transform_bool, "No", "false");
	ok(transform_bool, "0", "false");
	bad(transform_bool, "");
	bad(transform_bool, "y");
	bad(transform_bool, "on");
	bad(transform_bool, "truee");
	bad(transform_bool, "true false");
	bad(transform_bool, "2");
	bad(transform_bool, NULL);
	assert_int_equal(transform_parse_bool("yes"), 1);
	assert_int_equal(transform_parse_bool("no"), 0);
	assert_int_equal(transform_parse_bool("maybe"), -EINVAL);
}

static const char *upper_map(void *ctx, const char *item)
{
	return !strcmp(item, "a") ? "A" : !strcmp(item, "bad") ? "x;y" : NULL;
}

static int multi_plain(const char *in, char **out)
{
	return transform_multi(in, NULL, NULL, out);
}

static int multi_mapped(const char *in, char **out)
{
	return transform_multi(in, upper_map, NULL, out);
}

static void test_multi(void **state)
{
	ok(multi_plain, "a;b;c", "a;b;c");
	ok(multi_plain, "c;a;b", "a;b;c");
	ok(multi_plain, " b ; a ;; a ;", "a;b");
	ok(multi_plain, "", "");
	ok(multi_plain, ";;", "");
	ok(multi_plain, "Web Site;Email", "Email;Web Site");
	ok(multi_mapped, "b;a", "A;b");
	bad(multi_mapped, "a;bad");
	bad(multi_plain, "a\001;b");
	bad(multi_plain, NULL);
}

static void test_utf8_length(void **state)
{
	assert_int_equal(transform_utf8_length(""), 0);
	assert_int_equal(transform_utf8_length("abc"), 3);
	assert_int_equal(transform_utf8_length("\xe6\x97\xa5\xe6\x9c\xac"), 2); /* 日本 */
}

static void test_oversized_input(void **state)
{
	char big[TRANSFORM_MAX_SCALAR + 2];

	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bad(transform_number, big);
	bad(transform_datetime_to_sf, big);
	bad(transform_date, big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datetime_to_sf),
		cmocka_unit_test(test_datetime_to_hs),
		cmocka_unit_test(test_datetime_round_trip),
		cmocka_unit_test(test_datetime_bad),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_datetime_date),
		cmocka_unit_test(test_number),
		cmocka_unit_test(test_number_idempotent),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_utf8_length),
		cmocka_unit_test(test_oversized_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
