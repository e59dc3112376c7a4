/*
 * auth_state.h - what the state store knows about each side's credentials:
 * the refresh lease (one token refresh at a time across every crmsync
 * process sharing the state), a refused refresh token (the side stays
 * stopped until someone reconnects) and when a token last worked. Never a
 * secret: only pids, times and the service's error code and description.
 */
#ifndef CRMSYNC_AUTH_STATE_H
#define CRMSYNC_AUTH_STATE_H

#include <stdint.h>

struct store;

/* How long a lease lasts when its holder dies without releasing it. */
#define AUTH_LEASE_MS 30000

/* Take the refresh lease of side ("salesforce", "hubspot"), waiting up to
 * wait_ms for another process to release it. 0 when taken, -EBUSY when it
 * stayed held, -EALREADY inside an open store transaction (the caller
 * refreshes without the lease), or a store error. */
int auth_lease_take(struct store *st, const char *side, int64_t wait_ms);
void auth_lease_release(struct store *st, const char *side);

/* Record that the service refused side's credentials (reason: "invalid_grant:
 * expired access/refresh token"). 1 when newly recorded, 0 when it already
 * was, or a negative errno. */
int auth_revoked_set(struct store *st, const char *side, const char *reason);
/* 0 with *reason (caller frees) and *at_ms, or -ENOENT. */
int auth_revoked_get(struct store *st, const char *side, char **reason, int64_t *at_ms);
void auth_revoked_clear(struct store *st, const char *side);
/* A token of side worked now. */
void auth_ok(struct store *st, const char *side);
/* When a token of side last worked: 0 and *at_ms, or -ENOENT. */
int auth_ok_get(struct store *st, const char *side, int64_t *at_ms);

#endif
