/*
 * notify.h - the admin is told: new sync errors at once or in daily/weekly
 * digests, events at once, through the notifier channels of the config.
 */
#ifndef CRMSYNC_NOTIFY_H
#define CRMSYNC_NOTIFY_H

#include <stdint.h>

struct config;
struct crmsync_instance;
struct store;

enum { NOTIFY_IMMEDIATE = 0, NOTIFY_DAILY = 1, NOTIFY_WEEKLY = 2 };

/* Run every enabled channel: new errors (immediate channels), digests that
 * are due, sends waiting for a retry. Never blocks the sync for long: each
 * channel uses its own timeouts. 0, or a negative errno when some channel
 * failed (it is retried with backoff; `crmsync status` shows it). */
int notify_run(struct config *cfg, struct store *st);
/* Tell every enabled channel now, whatever its frequency (the sync paused,
 * a connection lost). Queued in the store first, so a failing channel gets
 * it when it recovers. */
int notify_event(struct config *cfg, struct store *st, const char *subject, const char *body);
/* The first digest slot of a daily/weekly channel after `after` (ms). */
int64_t notify_next_slot(const struct crmsync_instance *inst, int64_t after);
const char *notify_frequency_name(int f);
/* When a failing channel is tried next (0: not failing). */
int64_t notify_retry_at(struct store *st, const char *channel);

#endif
