/*
 * Unit tests (cmocka) for the HubSpot search filter logic of crmsync-sim
 * (hs_filter_compile/hs_filter_match): every operator on strings, numbers
 * and dates, missing values, and the errors for malformed filters.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hs.h"

static bool run(const char *filter_json, enum hs_kind kind, const char *value)
{
	struct hs_filter f;
	char err[200];
	json_error_t jerr;
	json_t *jf = json_loads(filter_json, 0, &jerr);
	bool r;

	assert_non_null(jf);
	assert_int_equal(hs_filter_compile(jf, kind, &f, err, sizeof(err)), 0);
	r = hs_filter_match(&f, value);
	hs_filter_release(&f);
	json_decref(jf);
	return r;
}

static int compile_err(const char *filter_json, enum hs_kind kind)
{
	struct hs_filter f;
	char err[200];
	json_error_t jerr;
	json_t *jf = json_loads(filter_json, 0, &jerr);
	int rc;

	assert_non_null(jf);
	rc = hs_filter_compile(jf, kind, &f, err, sizeof(err));
	hs_filter_release(&f);
	json_decref(jf);
	return rc;
}

#define S HS_KIND_STRING
#define NUM HS_KIND_NUMBER
#define TM HS_KIND_TIME

static void test_strings(void **state)
{
	(void)state;
	assert_true(run("{\"propertyName\":\"email\",\"operator\":\"EQ\",\"value\":\"A@B.com\"}", S, "a@b.com"));
	assert_false(run("{\"propertyName\":\"email\",\"operator\":\"EQ\",\"value\":\"a@b.com\"}", S, "a@c.com"));
	assert_false(run("{\"propertyName\":\"email\",\"operator\":\"EQ\",\"value\":\"a@b.com\"}", S, NULL));
	assert_true(run("{\"propertyName\":\"email\",\"operator\":\"NEQ\",\"value\":\"a@b.com\"}", S, NULL));
	assert_true(run("{\"propertyName\":\"x\",\"operator\":\"IN\",\"values\":[\"lead\",\"customer\"]}", S, "Customer"));
	assert_false(run("{\"propertyName\":\"x\",\"operator\":\"IN\",\"values\":[\"lead\"]}", S, "customer"));
	assert_true(run("{\"propertyName\":\"x\",\"operator\":\"NOT_IN\",\"values\":[\"lead\"]}", S, "customer"));
	assert_true(run("{\"propertyName\":\"x\",\"operator\":\"LT\",\"value\":\"m\"}", S, "apple"));
	assert_true(run("{\"propertyName\":\"x\",\"operator\":\"GTE\",\"value\":\"m\"}", S, "zebra"));
	assert_true(run("{\"propertyName\":\"x\",\"operator\":\"HAS_PROPERTY\"}", S, "v"));
	assert_false(run("{\"propertyName\":\"x\",\"operator\":\"HAS_PROPERTY\"}", S, ""));
	assert_true(run("{\"propertyName\":\"x\",\"operator\":\"NOT_HAS_PROPERTY\"}", S, NULL));
}

static void test_tokens(void **state)
{
	(void)state;
	assert_true(run("{\"propertyName\":\"n\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"garcia\"}", S, "Ana García Garcia"));
	assert_false(run("{\"propertyName\":\"n\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"gar\"}", S, "Ana Garcia"));
	assert_true(run("{\"propertyName\":\"n\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"gar*\"}", S, "Ana Garcia"));
	assert_true(run("{\"propertyName\":\"n\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"*cia\"}", S, "Ana Garcia"));
	assert_true(run("{\"propertyName\":\"n\",\"operator\":\"NOT_CONTAINS_TOKEN\",\"value\":\"bob\"}", S, "Ana Garcia"));
	assert_true(run("{\"propertyName\":\"e\",\"operator\":\"CONTAINS_TOKEN\",\"value\":\"example\"}", S, "ana@example.com"));
}

static void test_numbers(void **state)
{
	(void)state;
	assert_true(run("{\"propertyName\":\"a\",\"operator\":\"GT\",\"value\":\"9\"}", NUM, "10"));   /* not "10" < "9" */
	assert_false(run("{\"propertyName\":\"a\",\"operator\":\"GT\",\"value\":\"10\"}", NUM, "10"));
	assert_true(run("{\"propertyName\":\"a\",\"operator\":\"GTE\",\"value\":10}", NUM, "10.0"));
	assert_true(run("{\"propertyName\":\"a\",\"operator\":\"LTE\",\"value\":\"1e3\"}", NUM, "999.5"));
	assert_true(run("{\"propertyName\":\"a\",\"operator\":\"BETWEEN\",\"value\":\"5\",\"highValue\":\"7\"}", NUM, "7"));
	assert_false(run("{\"propertyName\":\"a\",\"operator\":\"BETWEEN\",\"value\":\"5\",\"highValue\":\"7\"}", NUM, "7.01"));
	assert_true(run("{\"propertyName\":\"a\",\"operator\":\"IN\",\"values\":[\"1\",\"2\"]}", NUM, "2.0"));
	assert_false(run("{\"propertyName\":\"a\",\"operator\":\"LT\",\"value\":\"5\"}", NUM, NULL));
}

static void test_times(void **state)
{
	(void)state;
	/* ms and ISO values compare as instants */
	assert_true(run("{\"propertyName\":\"d\",\"operator\":\"GTE\",\"value\":\"1714557600000\"}", TM,
			"2024-05-01T10:00:00.000Z"));
	assert_false(run("{\"propertyName\":\"d\",\"operator\":\"GT\",\"value\":\"1714557600000\"}", TM,
			 "2024-05-01T10:00:00.000Z"));
	assert_true(run("{\"propertyName\":\"d\",\"operator\":\"LT\",\"value\":\"2024-05-02\"}", TM,
			"2024-05-01T23:59:59.999Z"));
	assert_true(run("{\"propertyName\":\"d\",\"operator\":\"EQ\",\"value\":\"2024-05-01T12:00:00+02:00\"}", TM,
			"2024-05-01T10:00:00.000Z"));
}

static void test_errors(void **state)
{
	(void)state;
	assert_int_equal(compile_err("{\"operator\":\"EQ\",\"value\":\"1\"}", S), -EINVAL);
	assert_int_equal(compile_err("{\"propertyName\":\"a\",\"operator\":\"LIKE\",\"value\":\"1\"}", S), -EINVAL);
	assert_int_equal(compile_err("{\"propertyName\":\"a\",\"operator\":\"EQ\"}", S), -EINVAL);
	assert_int_equal(compile_err("{\"propertyName\":\"a\",\"operator\":\"IN\",\"values\":[]}", S), -EINVAL);
	assert_int_equal(compile_err("{\"propertyName\":\"a\",\"operator\":\"BETWEEN\",\"value\":\"1\"}", NUM), -EINVAL);
	assert_int_equal(compile_err("{\"propertyName\":\"a\",\"operator\":\"GT\",\"value\":\"abc\"}", NUM), -EINVAL);
	assert_int_equal(compile_err("{\"propertyName\":\"d\",\"operator\":\"GT\",\"value\":\"not a date\"}", TM), -EINVAL);
	assert_int_equal(compile_err("{\"propertyName\":\"a\",\"operator\":\"HAS_PROPERTY\"}", NUM), 0);
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(hs_kind_of("number"), HS_KIND_NUMBER);
	assert_int_equal(hs_kind_of("datetime"), HS_KIND_TIME);
	assert_int_equal(hs_kind_of("date"), HS_KIND_TIME);
	assert_int_equal(hs_kind_of("enumeration"), HS_KIND_STRING);
	assert_int_equal(hs_kind_of(NULL), HS_KIND_STRING);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
