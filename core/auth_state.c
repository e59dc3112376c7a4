/*
 * auth_state.c - the credentials' state in the store's settings table (no
 * schema of its own): a lease row "<pid> <expiry ms>" taken in an IMMEDIATE
 * transaction, so two processes never refresh (and rotate) one token at the
 * same time, and the record of a refused token. Must not hold secrets.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth_state.h"
#include "log.h"
#include "store.h"
#include "util.h"

static void key(char *buf, size_t len, const char *side, const char *what)
{
	snprintf(buf, len, "%s.%s", side, what);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* One attempt: 1 taken, 0 held by another live process, < 0 error. */
static int lease_try(struct store *st, const char *k)
{
	long long pid = 0, until = 0;
	int64_t now = store_now_ms();
	char *cur = NULL, val[64];
	int err;

	err = store_begin(st);
	if (err)
		return err;
	err = store_kv_get(st, k, &cur);
	if (err && err != -ENOENT)
		goto out_rollback;
	if (cur && sscanf(cur, "%lld %lld", &pid, &until) == 2 && until > now &&
	    pid != (long long)getpid()) {
		free(cur);
		store_rollback(st);
		return 0;
	}
	free(cur);
	snprintf(val, sizeof(val), "%lld %" PRId64, (long long)getpid(), now + AUTH_LEASE_MS);
	err = store_kv_put(st, k, val);
	if (err)
		goto out_rollback;
	err = store_commit(st);
	if (err)
		goto out_rollback;
	return 1;
out_rollback:
	store_rollback(st);
	return err;
}

int auth_lease_take(struct store *st, const char *side, int64_t wait_ms)
{
	int64_t deadline = store_now_ms() + wait_ms;
	char k[64];
	int rc;

	if (store_in_transaction(st))
		return -EALREADY;
	key(k, sizeof(k), side, "refresh_lease");
	for (;;) {
		rc = lease_try(st, k);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		if (store_now_ms() >= deadline) {
			log_warn("%s: another crmsync process is refreshing the access token and has not "
				 "finished after %" PRId64 " ms", side, wait_ms);
			return -EBUSY;
		}
		nap_ms(100);
	}
}

void auth_lease_release(struct store *st, const char *side)
{
	long long pid = 0, until = 0;
	char k[64], *cur = NULL;

	key(k, sizeof(k), side, "refresh_lease");
	if (store_in_transaction(st) || store_begin(st))
		return;
	if (store_kv_get(st, k, &cur) == 0 && sscanf(cur, "%lld %lld", &pid, &until) == 2 &&
	    pid == (long long)getpid())
		store_kv_del(st, k);
	free(cur);
	store_commit(st);
}

int auth_revoked_set(struct store *st, const char *side, const char *reason)
{
	char k[64], at[32], *cur = NULL;
	int err;

	key(k, sizeof(k), side, "auth_revoked");
	if (store_kv_get(st, k, &cur) == 0) {
		free(cur);
		return 0;
	}
	snprintf(at, sizeof(at), "%" PRId64, store_now_ms());
	err = store_kv_put(st, k, reason);
	if (!err) {
		key(k, sizeof(k), side, "auth_revoked_at");
		err = store_kv_put(st, k, at);
	}
	return err ? err : 1;
}

int auth_revoked_get(struct store *st, const char *side, char **reason, int64_t *at_ms)
{
	char k[64];
	int err;

	*reason = NULL;
	*at_ms = 0;
	key(k, sizeof(k), side, "auth_revoked");
	err = store_kv_get(st, k, reason);
	if (err)
		return err;
	key(k, sizeof(k), side, "auth_revoked_at");
	store_kv_get_int(st, k, at_ms);
	return 0;
}

void auth_revoked_clear(struct store *st, const char *side)
{
	char k[64];

	key(k, sizeof(k), side, "auth_revoked");
	store_kv_del(st, k);
	key(k, sizeof(k), side, "auth_revoked_at");
	store_kv_del(st, k);
}

void auth_ok(struct store *st, const char *side)
{
	char k[64], v[32];

	key(k, sizeof(k), side, "auth_ok_at");
	snprintf(v, sizeof(v), "%" PRId64, store_now_ms());
	store_kv_put(st, k, v);
}

int auth_ok_get(struct store *st, const char *side, int64_t *at_ms)
{
	char k[64];

	key(k, sizeof(k), side, "auth_ok_at");
	return store_kv_get_int(st, k, at_ms);
}
