/*
 * test_connect.c - the pieces of issue 7 that need no service: credentials
 * written atomically with mode 0600 whatever the umask, a rotated token
 * merged into the file without losing the rest; the refresh lease (held by
 * another live process: wait, then -EBUSY; expired: taken; released only
 * by its holder); the refused-token record (set once); PKCE S256 against
 * RFC 7636's own example; the pasted redirect of a headless connect.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "auth_state.h"
#include "cred.h"
#include "oauth.h"
#include "store.h"

static void test_cred_write(void **state)
{
	char *dir = tu_mkdtemp(), *path = xasprintf("%s/sf.json", dir), *text;
	json_t *o = json_pack("{s:s, s:s}", "client_id", "cid", "refresh_token", "rt1"), *r;
	json_t *chg = json_pack("{s:s}", "refresh_token", "rt2");
	struct stat st;
	mode_t old = umask(0);

	assert_int_equal(cred_write(path, "salesforce", o), 0);
	umask(old);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(cred_update(path, "salesforce", chg), 0);
	assert_int_equal(cred_read(path, "salesforce", &r), 0);
	assert_string_equal(cred_str(r, "client_id"), "cid");
	assert_string_equal(cred_str(r, "refresh_token"), "rt2");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(cred_mtime_ms(path) > 0);
	/* no temporary file left behind */
	text = xasprintf("ls %s | grep -c tmp > /dev/null", dir);
	assert_int_not_equal(system(text), 0);
	free(text);
	json_decref(r);
	json_decref(o);
	json_decref(chg);
	tu_rmrf(dir);
	free(path);
	free(dir);
}

static struct store *open_tmp(char **dir)
{
	struct store *st;
	char *path;

	*dir = tu_mkdtemp();
	path = xasprintf("%s/state.db", *dir);
	assert_int_equal(store_open(&st, path, 0), 0);
	free(path);
	return st;
}

static void test_lease(void **state)
{
	char *dir, *v = NULL, other[64];
	struct store *st = open_tmp(&dir);
	int64_t t0;

	assert_int_equal(auth_lease_take(st, "salesforce", 0), 0);
	/* taking it again in the same process is fine (re-entrant refresh) */
	assert_int_equal(auth_lease_take(st, "salesforce", 0), 0);
	auth_lease_release(st, "salesforce");
	assert_int_equal(store_kv_get(st, "salesforce.refresh_lease", &v), -ENOENT);

	/* another live process holds it: wait, then give up */
	snprintf(other, sizeof(other), "%d %" PRId64, (int)getpid() + 1, store_now_ms() + 60000);
	assert_int_equal(store_kv_put(st, "salesforce.refresh_lease", other), 0);
	t0 = store_now_ms();
	assert_int_equal(auth_lease_take(st, "salesforce", 300), -EBUSY);
	assert_true(store_now_ms() - t0 >= 300);
	/* not ours: release leaves it */
	auth_lease_release(st, "salesforce");
	assert_int_equal(store_kv_get(st, "salesforce.refresh_lease", &v), 0);
	assert_string_equal(v, other);
	free(v);
	/* its holder died: the lease expired, and is taken */
	snprintf(other, sizeof(other), "%d %" PRId64, (int)getpid() + 1, store_now_ms() - 1);
	assert_int_equal(store_kv_put(st, "salesforce.refresh_lease", other), 0);
	assert_int_equal(auth_lease_take(st, "salesforce", 0), 0);
	/* inside a transaction: the caller goes on without it */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(auth_lease_take(st, "hubspot", 0), -EALREADY);
	store_rollback(st);
	store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void test_revoked(void **state)
{
	char *dir, *reason = NULL;
	struct store *st = open_tmp(&dir);
	int64_t at = 0;

	assert_int_equal(auth_revoked_get(st, "salesforce", &reason, &at), -ENOENT);
	assert_int_equal(auth_revoked_set(st, "salesforce", "invalid_grant: expired access/refresh token"), 1);
	assert_int_equal(auth_revoked_set(st, "salesforce", "again"), 0);
	assert_int_equal(auth_revoked_get(st, "salesforce", &reason, &at), 0);
	assert_string_equal(reason, "invalid_grant: expired access/refresh token");
	assert_true(at > 0);
	free(reason);
	auth_revoked_clear(st, "salesforce");
	assert_int_equal(auth_revoked_get(st, "salesforce", &reason, &at), -ENOENT);
	auth_ok(st, "hubspot");
	assert_int_equal(auth_ok_get(st, "hubspot", &at), 0);
	store_close(st);
	tu_rmrf(dir);
	free(dir);
}

static void test_pkce(void **state)
{
	struct oauth_pkce p;
	char c[64];

	/* RFC 7636, appendix B */
	oauth_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c, sizeof(c));
	assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	assert_int_equal(oauth_pkce_new(&p), 0);
	assert_int_equal(strlen(p.verifier), 43);
	assert_int_equal(strspn(p.verifier, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				"0123456789-_"), 43);
	oauth_s256(p.verifier, c, sizeof(c));
	assert_string_equal(c, p.challenge);
	assert_true(strlen(p.state) >= 20);
}

static int paste(const char *line, const char *state, char **code)
{
	int fds[2], err;
	ssize_t w;

	assert_int_equal(pipe(fds), 0);
	w = write(fds[1], line, strlen(line));
	assert_int_equal(w, (ssize_t)strlen(line));
	close(fds[1]);
	err = oauth_wait_code(NULL, fds[0], state, 5, code);
	close(fds[0]);
	return err;
}

static void test_paste(void **state)
{
	char *code = NULL;

	assert_int_equal(paste("http://localhost:1717/OauthRedirect?code=aPrx%3D%3D&state=s1\n", "s1",
			       &code), 0);
	assert_string_equal(code, "aPrx==");
	secret_free(&code);
	assert_int_equal(paste("  aPrxBareCode  \n", "s1", &code), 0);
	assert_string_equal(code, "aPrxBareCode");
	secret_free(&code);
	assert_int_equal(paste("http://localhost:1717/OauthRedirect?code=x&state=other\n", "s1", &code),
			 -EPROTO);
	assert_null(code);
	assert_int_equal(paste("http://localhost:1717/cb?error=access_denied&error_description=no\n",
			       "s1", &code), -EACCES);
	/* end of input without a code: nothing else to wait for */
	assert_int_equal(paste("", "s1", &code), -ETIMEDOUT);
}

static void test_listener(void **state)
{
	struct oauth_listener l;
	char *cmd, *sh, *code = NULL;
	FILE *p;

	assert_int_equal(oauth_listen(&l, 0), 0);
	assert_true(l.port > 0);
	/* a browser's redirect, sent from a child */
	cmd = xasprintf("sleep 0.2; printf 'GET /favicon.ico HTTP/1.1\\r\\n\\r\\n' | "
			"(exec 3<>/dev/tcp/127.0.0.1/%d; cat >&3; cat <&3 >/dev/null) ; "
			"printf 'GET /OauthRedirect?code=abc&state=s2 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n' | "
			"(exec 3<>/dev/tcp/127.0.0.1/%d; cat >&3; cat <&3)", l.port, l.port);
	sh = xasprintf("bash -c \"%s\" > /dev/null 2>&1 &", cmd);
	p = popen(sh, "r");
	free(sh);
	assert_non_null(p);
	assert_int_equal(oauth_wait_code(&l, -1, "s2", 10, &code), 0);
	assert_string_equal(code, "abc");
	secret_free(&code);
	pclose(p);
	oauth_listener_close(&l);
	free(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cred_write),
		cmocka_unit_test(test_lease),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_pkce),
		cmocka_unit_test(test_paste),
		cmocka_unit_test(test_listener),
	};

	return cmocka_run_group_tests_name("connect", tests, NULL, NULL);
}
