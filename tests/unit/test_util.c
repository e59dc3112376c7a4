/*
 * test_util.c - the core's small parsers and helpers at their edges:
 * durations, integers, booleans, plugin names, error lists, file reading.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "testutil.h"

static void test_duration(void **state)
{
	static const struct { const char *in; int64_t ms; } ok[] = {
		{ "0", 0 },           { "1", 1000 },          { "500ms", 500 },
		{ "30s", 30000 },     { "5m", 300000 },        { "2h", 7200000 },
		{ "1d", 86400000 },   { "1h30m", 5400000 },    { "1m30s", 90000 },
		{ "1s500ms", 1500 },  { "1d1h1m1s1ms", 90061001 }, { "10", 10000 },
		{ "106751991167d", 106751991167LL * 86400000 },
	};
	static const char *const bad[] = { "", "5x", "-1", "+1", " 5s", "5s ", "1.5s", "ms",
					   "5 m", "h", "5mss", "1e3", "0x10", "5S", "5M" };
	int64_t v;

	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		v = -1;
		if (parse_duration_ms(ok[i].in, &v) != 0)
			fail_msg("'%s' was refused", ok[i].in);
		if (v != ok[i].ms)
			fail_msg("'%s' gave %lld, not %lld", ok[i].in, (long long)v,
				 (long long)ok[i].ms);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		v = 42;
		if (parse_duration_ms(bad[i], &v) != -EINVAL)
			fail_msg("'%s' was not refused with -EINVAL", bad[i]);
		assert_int_equal(v, 42);
	}
	assert_int_equal(parse_duration_ms(NULL, &v), -EINVAL);
	assert_int_equal(parse_duration_ms("9223372036854775s", &v), 0);
	assert_true(v == 9223372036854775000LL);
	/* overflow, in the number and in the product */
	assert_int_equal(parse_duration_ms("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_duration_ms("106751991168d", &v), -ERANGE);
	assert_int_equal(parse_duration_ms("9223372036854776s", &v), -ERANGE);
	assert_int_equal(parse_duration_ms("106751991167d106751991167d", &v), -ERANGE);
}

static void test_int64(void **state)
{
	int64_t v;

	assert_int_equal(parse_int64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_int64("-1", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(parse_int64("9223372036854775807", &v), 0);
	assert_true(v == INT64_MAX);
	assert_int_equal(parse_int64("-9223372036854775808", &v), 0);
	assert_true(v == INT64_MIN);
	v = 7;
	assert_int_equal(parse_int64("9223372036854775808", &v), -ERANGE);
	assert_int_equal(parse_int64("-9223372036854775809", &v), -ERANGE);
	assert_int_equal(v, 7);
	assert_int_equal(parse_int64("", &v), -EINVAL);
	assert_int_equal(parse_int64(NULL, &v), -EINVAL);
	assert_int_equal(parse_int64("12a", &v), -EINVAL);
	assert_int_equal(parse_int64("1.0", &v), -EINVAL);
	assert_int_equal(parse_int64("0x10", &v), -EINVAL);
	assert_int_equal(parse_int64("-", &v), -EINVAL);
	assert_int_equal(parse_int64("5 ", &v), -EINVAL);
	assert_int_equal(v, 7);
}

static void test_bool(void **state)
{
	static const char *const yes[] = { "yes", "true", "on", "1", "YES", "True", "oN" };
	static const char *const no[] = { "no", "false", "off", "0", "NO", "False" };
	static const char *const bad[] = { "", "y", "n", "2", "yess", "enabled", " yes", "-1" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		assert_int_equal(parse_bool(yes[i]), 1);
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_int_equal(parse_bool(no[i]), 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (parse_bool(bad[i]) != -EINVAL)
			fail_msg("'%s' was accepted as a boolean", bad[i]);
}

static void test_name(void **state)
{
	static const char *const good[] = { "a", "contact", "custom_code", "a-b", "x9", "0", "a-",
					    "_x" };
	static const char *const bad[] = { "", "-a", "A", "a/b", "..", ".", "../x", "a.so", "a b",
					   "é", "a\n", "contact\t" };
	char n64[66], n65[67];

	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		if (!name_is_valid(good[i]))
			fail_msg("'%s' was refused as a name", good[i]);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (name_is_valid(bad[i]))
			fail_msg("'%s' was accepted as a name", bad[i]);
	assert_false(name_is_valid(NULL));
	memset(n64, 'a', 64);
	n64[64] = '\0';
	memset(n65, 'a', 65);
	n65[65] = '\0';
	assert_true(name_is_valid(n64));
	assert_false(name_is_valid(n65));
}

static void test_errlist(void **state)
{
	struct errlist el = { 0 };

	el.cap = 3;
	for (int i = 0; i < 10; i++)
		errlist_add(&el, "error %d", i);
	assert_int_equal(el.total, 10);
	assert_int_equal(el.n, 3);
	assert_string_equal(el.msg[2], "error 2");
	errlist_release(&el);
	assert_int_equal(el.total, 0);
	assert_int_equal(el.n, 0);
	assert_null(el.msg);
}

static void test_trim_and_suffix(void **state)
{
	char s[] = " \t a b \r\n";
	char e[] = " \t\r\n";

	assert_string_equal(str_trim(s), "a b");
	assert_string_equal(str_trim(e), "");
	assert_true(str_has_suffix("good.so", ".so"));
	assert_false(str_has_suffix("so", ".so"));
	assert_true(str_has_suffix("x", ""));
}

static void test_read_file(void **state)
{
	char *dir = tu_mkdtemp(), *path = tu_write(dir, "f", "hello\n", 0600), *buf;
	size_t len = 0;

	assert_int_equal(read_file(path, 6, &buf, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	free(buf);
	assert_int_equal(read_file(path, 5, &buf, &len), -EFBIG);
	assert_int_equal(read_file(dir, 100, &buf, &len), -EISDIR);
	free(path);
	path = xasprintf("%s/none", dir);
	assert_int_equal(read_file(path, 100, &buf, &len), -ENOENT);
	free(path);
	tu_rmrf(dir);
	free(dir);
}

static void test_strbuf(void **state)
{
	struct strbuf sb = { 0 };
	char *s;

	s = strbuf_detach(&sb);
	assert_string_equal(s, "");
	free(s);
	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i % 10);
	assert_int_equal(sb.len, 2000);
	s = strbuf_detach(&sb);
	assert_int_equal(strlen(s), 2000);
	assert_null(sb.buf);
	free(s);
}

/* TLS everywhere but this machine; the URL read the way curl reads it. */
static void test_url_allowed(void **state)
{
	(void)state;
	assert_true(http_url_allowed("https://api.hubapi.com/crm/v3"));
	assert_true(http_url_allowed("HTTPS://login.salesforce.com"));
	assert_true(http_url_allowed("http://127.0.0.1:8401/services"));
	assert_true(http_url_allowed("http://localhost/x"));
	assert_true(http_url_allowed("http://[::1]:9/"));
	assert_false(http_url_allowed("http://api.hubapi.com/"));
	assert_false(http_url_allowed("http://127.0.0.1:80@evil.example/"));
	assert_false(http_url_allowed("http://127.0.0.1.evil.example/"));
	assert_false(http_url_allowed("http://localhost.evil.example/"));
	assert_false(http_url_allowed("https://user:pw@api.hubapi.com/"));
	assert_false(http_url_allowed("ftp://127.0.0.1/"));
	assert_false(http_url_allowed("file:///etc/passwd"));
	assert_false(http_url_allowed("not a url"));
	assert_false(http_url_allowed(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_int64),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_errlist),
		cmocka_unit_test(test_trim_and_suffix),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_url_allowed),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
