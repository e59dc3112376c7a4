/*
 * notify.c - telling the admin: new sync errors go to every enabled notifier
 * channel, at once (one message per cycle, grouped by type) or as a daily or
 * weekly digest; events (the sync paused, a connection lost) go at once to
 * every channel. Each channel's schedule lives in the state store
 * (store_notify): the time of the next digest, the highest error id already
 * told, and its failures. A digest is marked sent only after the channel
 * took it, so a restart never loses one, and the next slot is planned from
 * the time it was sent, so a restart never repeats one. (A crash between the
 * channel taking a message and the store recording it sends it again at
 * most once; each digest carries a stable id so a receiver can tell.) A
 * channel that fails is retried with backoff, and never holds up the sync.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "log.h"
#include "notify.h"
#include "store.h"
#include "util.h"

#define BACKOFF_MIN_MS (60LL * 1000)
#define BACKOFF_MAX_MS (60LL * 60 * 1000)
#define EXAMPLES_PER_TYPE 3
#define EVENT_BODY_MAX 8192

static const char *const freq_names[] = { "immediate", "daily", "weekly" };

const char *notify_frequency_name(int f)
{
	return f >= 0 && f <= 2 ? freq_names[f] : "?";
}

/* The first digest slot strictly after `after`: digest_minute local time,
 * every day, or on digest_wday for weekly channels. */
int64_t notify_next_slot(const struct crmsync_instance *inst, int64_t after)
{
	time_t t = (time_t)(after / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = inst->digest_minute / 60;
	tm.tm_min = inst->digest_minute % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	for (int i = 0; i < 15; i++) {
		struct tm probe = tm;
		time_t s;

		probe.tm_mday += i;
		probe.tm_isdst = -1;
		s = mktime(&probe);
		if (s == (time_t)-1)
			continue;
		if ((int64_t)s * 1000 <= after)
			continue;
		if (inst->frequency == NOTIFY_WEEKLY && probe.tm_wday != inst->digest_wday)
			continue;
		return (int64_t)s * 1000;
	}
	return after + 24LL * 3600 * 1000; /* not reached with a sane clock */
}

static int64_t backoff_ms(int64_t failures)
{
	int64_t d = BACKOFF_MIN_MS;

	for (int64_t i = 1; i < failures && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

/* ---- what is new ------------------------------------------------------------ */

struct type_acc {
	char type[32];
	uint64_t new_errors, current, records;
	char *examples[EXAMPLES_PER_TYPE + 1];
	size_t nex;
	struct crmsync_digest_entry entry;
};

struct news {
	struct type_acc *t;
	size_t n;
	uint64_t total_new, total_current;
	int64_t max_id;
};

static struct type_acc *acc_of(struct news *nw, const char *type)
{
	for (size_t i = 0; i < nw->n; i++)
		if (strcmp(nw->t[i].type, type) == 0)
			return &nw->t[i];
	nw->t = xrealloc(nw->t, (nw->n + 1) * sizeof(*nw->t));
	memset(&nw->t[nw->n], 0, sizeof(*nw->t));
	snprintf(nw->t[nw->n].type, sizeof(nw->t[nw->n].type), "%s", type);
	return &nw->t[nw->n++];
}

static char *example_of(const struct store_error *e)
{
	char msg[121];
	size_t n = e->message ? strlen(e->message) : 0;

	if (n > 120) {
		n = 120;
		while (n > 0 && ((unsigned char)e->message[n] & 0xC0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++)
		msg[i] = (unsigned char)e->message[i] < 0x20 ? ' ' : e->message[i];
	msg[n] = '\0';
	if (e->sf_id && *e->sf_id)
		return xasprintf("#%" PRId64 " %s %s%s%s %s: %s", e->id, e->object ? e->object : "",
				 e->hs_id && *e->hs_id ? "HubSpot " : "", e->hs_id ? e->hs_id : "",
				 e->hs_id && *e->hs_id ? " / Salesforce" : "Salesforce", e->sf_id, msg);
	return xasprintf("#%" PRId64 " %s%s%s: %s", e->id, e->object ? e->object : "",
			 e->hs_id && *e->hs_id ? " HubSpot " : "", e->hs_id ? e->hs_id : "", msg);
}

static int on_new(const struct store_error *e, void *arg)
{
	struct news *nw = arg;
	struct type_acc *a = acc_of(nw, e->type ? e->type : "other");

	a->new_errors++;
	nw->total_new++;
	if (e->id > nw->max_id)
		nw->max_id = e->id;
	if (a->nex < EXAMPLES_PER_TYPE)
		a->examples[a->nex++] = example_of(e);
	return 0;
}

static int news_read(struct store *st, int64_t watermark, struct news *nw)
{
	struct store_error_count *c = NULL;
	size_t nc = 0;
	int err;

	memset(nw, 0, sizeof(*nw));
	nw->max_id = watermark;
	err = store_error_list_since(st, watermark, on_new, nw);
	if (!err)
		err = store_error_counts(st, &c, &nc);
	for (size_t i = 0; !err && i < nc; i++) {
		struct type_acc *a = acc_of(nw, c[i].type);

		a->current = (uint64_t)c[i].errors;
		a->records = (uint64_t)c[i].records;
		nw->total_current += a->current;
	}
	free(c);
	return err;
}

static void news_release(struct news *nw)
{
	for (size_t i = 0; i < nw->n; i++)
		for (size_t k = 0; k < nw->t[i].nex; k++)
			free(nw->t[i].examples[k]);
	free(nw->t);
	memset(nw, 0, sizeof(*nw));
}

/* ---- delivery ----------------------------------------------------------------- */

static int deliver(struct crmsync_instance *inst, const struct crmsync_message *msg,
		   char *why, size_t len)
{
	int rc;

	if (!inst->plugin || !inst->initialized || !inst->plugin->notifier.deliver) {
		snprintf(why, len, "the channel's plugin did not start");
		return -ENODEV;
	}
	rc = inst->plugin->notifier.deliver(inst, inst->ctx, msg);
	if (rc == CRMSYNC_HANDLED)
		return 0;
	if (rc == CRMSYNC_RETRY)
		snprintf(why, len, "the channel could not deliver now (see the log)");
	else if (rc < 0)
		snprintf(why, len, "the channel refused the message: %s (see the log)", strerror(-rc));
	else
		snprintf(why, len, "the channel declined the message");
	return rc < 0 ? rc : -EAGAIN;
}

static void fmt_local(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M %Z", &tm);
}

/* Build the message of a channel's send: a digest, or an immediate note. */
static void build(const struct crmsync_instance *inst, const struct store_notify *sn,
		  struct news *nw, int64_t now, struct crmsync_message *msg,
		  const struct crmsync_digest_entry ***entries, char **subject, char **body)
{
	struct strbuf sb = { 0 };
	char from[40], to[40];
	size_t k = 0;

	*entries = xcalloc(nw->n + 1, sizeof(**entries));
	for (size_t i = 0; i < nw->n; i++) {
		struct type_acc *a = &nw->t[i];

		a->entry.size = sizeof(a->entry);
		a->entry.type = a->type;
		a->entry.new_errors = a->new_errors;
		a->entry.current_errors = a->current;
		a->entry.records_affected = a->records;
		a->entry.examples = (const char *const *)a->examples;
		(*entries)[k++] = &a->entry;
		/* a digest's channel renders its entries; an event carries them in
		 * its text */
		if (inst->frequency != NOTIFY_IMMEDIATE)
			continue;
		strbuf_addf(&sb, "%s: %" PRIu64 " new, %" PRIu64 " current, %" PRIu64
			    " records affected\n", a->type, a->new_errors, a->current, a->records);
		for (size_t e = 0; e < a->nex; e++)
			strbuf_addf(&sb, "  %s\n", a->examples[e]);
	}
	strbuf_addstr(&sb, inst->frequency == NOTIFY_IMMEDIATE ? "\n" : "");
	strbuf_addstr(&sb, "Details: crmsync errors list; one in full: crmsync errors show ID; "
			   "after a fix: crmsync resync ID.\n");
	memset(msg, 0, sizeof(*msg));
	msg->size = sizeof(*msg);
	msg->severity = nw->total_new ? CRMSYNC_LOG_WARNING : CRMSYNC_LOG_NOTICE;
	if (inst->frequency == NOTIFY_IMMEDIATE) {
		msg->kind = CRMSYNC_MSG_EVENT;
		*subject = xasprintf("crmsync: %" PRIu64 " new sync error%s (%" PRIu64 " current)",
				     nw->total_new, nw->total_new == 1 ? "" : "s", nw->total_current);
	} else {
		msg->kind = CRMSYNC_MSG_DIGEST;
		msg->period_start_ms = sn->last_digest_at ? sn->last_digest_at : now - (inst->frequency ==
						NOTIFY_WEEKLY ? 7 : 1) * 24LL * 3600 * 1000;
		msg->period_end_ms = now;
		fmt_local(msg->period_start_ms, from, sizeof(from));
		fmt_local(now, to, sizeof(to));
		*subject = xasprintf("crmsync %s digest: %" PRIu64 " new sync error%s, %" PRIu64
				     " current", notify_frequency_name(inst->frequency), nw->total_new,
				     nw->total_new == 1 ? "" : "s", nw->total_current);
		{
			char *head = xasprintf("Sync errors from %s to %s, by type below.\n\n", from, to);
			struct strbuf full = { 0 };

			strbuf_addstr(&full, head);
			strbuf_addstr(&full, sb.buf);
			free(head);
			strbuf_release(&sb);
			sb = full;
		}
	}
	msg->entries = *entries;
	*body = strbuf_detach(&sb);
	msg->subject = *subject;
	msg->body = *body;
}

static int load_state(struct store *st, const struct crmsync_instance *inst, int64_t now,
		      struct store_notify *sn)
{
	int err = store_notify_get(st, inst->name, sn);

	if (err == -ENOENT) {
		memset(sn, 0, sizeof(*sn));
		if (inst->frequency != NOTIFY_IMMEDIATE)
			sn->next_digest_at = notify_next_slot(inst, now);
		err = store_notify_put(st, inst->name, sn);
	}
	return err;
}

/* When a failing channel is tried again: kept beside its schedule, so a
 * retry never moves the next digest. */
static char *retry_key(const struct crmsync_instance *inst)
{
	return xasprintf("notify.retry_at.%s", inst->name);
}

int64_t notify_retry_at(struct store *st, const char *channel)
{
	char *key = xasprintf("notify.retry_at.%s", channel);
	int64_t v = 0;

	if (store_kv_get_int(st, key, &v))
		v = 0;
	free(key);
	return v;
}

static void failed(struct store *st, const struct crmsync_instance *inst, struct store_notify *sn,
		   int64_t now, const char *why)
{
	char *key = retry_key(inst), val[32];

	sn->failures++;
	snprintf(sn->last_error, sizeof(sn->last_error), "%s", why);
	snprintf(val, sizeof(val), "%" PRId64, now + backoff_ms(sn->failures));
	log_warn("%s: delivery failed (%" PRId64 " in a row): %s; next try in %" PRId64 " s",
		 inst->tag, sn->failures, why, backoff_ms(sn->failures) / 1000);
	store_notify_put(st, inst->name, sn);
	store_kv_put(st, key, val);
	free(key);
}

static void succeeded(struct store *st, const struct crmsync_instance *inst, struct store_notify *sn)
{
	char *key = retry_key(inst);

	sn->failures = 0;
	sn->last_error[0] = '\0';
	store_kv_del(st, key);
	free(key);
}

/* A pending event (one that could not be delivered yet), per channel. */
static char *pending_key(const struct crmsync_instance *inst)
{
	return xasprintf("notify.pending.%s", inst->name);
}

static int send_pending_event(struct store *st, struct crmsync_instance *inst,
			      struct store_notify *sn, int64_t now)
{
	char *key = pending_key(inst), *text = NULL, *nl;
	struct crmsync_message msg = { 0 };
	char why[256];
	int err;

	if (store_kv_get(st, key, &text)) {
		free(key);
		return 0;
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	msg.size = sizeof(msg);
	msg.kind = CRMSYNC_MSG_EVENT;
	msg.severity = CRMSYNC_LOG_ERR;
	msg.subject = text;
	msg.body = nl ? nl + 1 : "";
	err = deliver(inst, &msg, why, sizeof(why));
	if (err) {
		failed(st, inst, sn, now, why);
	} else {
		store_kv_del(st, key);
		succeeded(st, inst, sn);
		store_notify_put(st, inst->name, sn);
		log_info("%s: delivered: %s", inst->tag, text);
	}
	free(text);
	free(key);
	return err;
}

int notify_run(struct config *cfg, struct store *st)
{
	int64_t now = clock_now_ms();
	int rc = 0;

	for (size_t i = 0; i < cfg->ninst; i++) {
		struct crmsync_instance *inst = cfg->inst[i];
		const struct crmsync_digest_entry **entries = NULL;
		struct crmsync_message msg;
		struct store_notify sn;
		char *subject = NULL, *body = NULL, why[256];
		struct news nw;
		int digest, err;

		if (inst->kind != KIND_NOTIFIER || !inst->enabled)
			continue;
		if (load_state(st, inst, now, &sn)) {
			rc = -EIO;
			continue;
		}
		digest = inst->frequency != NOTIFY_IMMEDIATE;
		if (sn.failures && now < notify_retry_at(st, inst->name))
			continue; /* backing off */
		if (send_pending_event(st, inst, &sn, now)) {
			rc = -EAGAIN;
			continue;
		}
		if (digest && now < sn.next_digest_at)
			continue;
		if (news_read(st, sn.watermark, &nw)) {
			rc = -EIO;
			continue;
		}
		if (!nw.total_new && (!digest || !nw.total_current)) {
			/* nothing to tell: a digest slot passes quietly */
			if (digest || sn.failures) {
				succeeded(st, inst, &sn);
				if (digest)
					sn.next_digest_at = notify_next_slot(inst, now);
				store_notify_put(st, inst->name, &sn);
			}
			news_release(&nw);
			continue;
		}
		build(inst, &sn, &nw, now, &msg, &entries, &subject, &body);
		err = deliver(inst, &msg, why, sizeof(why));
		if (err) {
			failed(st, inst, &sn, now, why);
			rc = -EAGAIN;
		} else {
			log_info("%s: sent: %s", inst->tag, subject);
			succeeded(st, inst, &sn);
			sn.watermark = nw.max_id;
			sn.last_digest_at = now;
			sn.next_digest_at = digest ? notify_next_slot(inst, now) : 0;
			if (store_notify_put(st, inst->name, &sn))
				rc = -EIO;
		}
		free(entries);
		free(subject);
		free(body);
		news_release(&nw);
	}
	return rc;
}

int notify_event(struct config *cfg, struct store *st, const char *subject, const char *body)
{
	int64_t now = clock_now_ms();
	int rc = 0;

	for (size_t i = 0; i < cfg->ninst; i++) {
		struct crmsync_instance *inst = cfg->inst[i];
		struct store_notify sn;
		char *key, *text, *old = NULL;

		if (inst->kind != KIND_NOTIFIER || !inst->enabled)
			continue;
		if (load_state(st, inst, now, &sn)) {
			rc = -EIO;
			continue;
		}
		/* queued first, so it survives a failed send and a restart; events
		 * waiting on a failing channel are merged into one message */
		key = pending_key(inst);
		if (store_kv_get(st, key, &old) == 0 && strlen(old) < EVENT_BODY_MAX)
			text = xasprintf("%s\n%s\n\nEarlier, not delivered yet:\n%s", subject, body, old);
		else
			text = xasprintf("%s\n%s", subject, body);
		free(old);
		if (store_kv_put(st, key, text))
			rc = -EIO;
		free(text);
		free(key);
		if (!sn.failures || now >= notify_retry_at(st, inst->name))
			if (send_pending_event(st, inst, &sn, now))
				rc = -EAGAIN;
	}
	return rc;
}
