/*
 * match.c - completes the units pulled this cycle: reads the current values
 * of partners that did not change, and matches records without a pair by the
 * object plugin's de-duplication key (the oldest Salesforce record wins when
 * several share a key; the others are reported as ambiguous, never merged).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "log.h"

#define LOOKUP_CHUNK 100   /* HubSpot batch read inputs */

/* A feed's records by id: the copies kept since they were read (a record
 * without one has synced, or never existed). */
static int feed_read_by(struct sync_obj *o, char **keys, size_t n,
			int (*cb)(struct sync_obj *, json_t *, void *), void *arg)
{
	for (size_t i = 0; i < n; i++) {
		char *body = NULL;
		json_t *j;
		int err = store_feed_get(o->e->store, o->inst->name, keys[i], &body);

		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		j = json_loads(body, 0, NULL);
		free(body);
		if (!j) {
			log_warn("%s: the kept copy of HubSpot %s %s is unreadable; dropping it",
				 o->inst->tag, o->hs_object, keys[i]);
			store_feed_del(o->e->store, o->inst->name, keys[i]);
			continue;
		}
		cb(o, j, arg);
		json_decref(j);
	}
	return 0;
}

int hs_read_by(struct sync_obj *o, const char *id_property, char **keys, size_t n,
	       int (*cb)(struct sync_obj *, json_t *, void *), void *arg)
{
	json_t *props;
	int err = 0;

	if (o->feed)
		return id_property ? 0 : feed_read_by(o, keys, n, cb, arg);
	props = json_deep_copy(o->hs_props);

	json_array_append_new(props, json_string(o->hs_modprop));
	for (size_t i = 0; i < n && !err; i += LOOKUP_CHUNK) {
		json_t *inputs = json_array(), *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < n && k < i + LOOKUP_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", keys[k]));
		err = hs_batch_read(o->e->hs, o->hs_object, props, inputs, id_property, &resp, &herr);
		json_decref(inputs);
		if (err) {
			log_err("%s: cannot read HubSpot records: %s %s", o->inst->tag, herr.category,
				herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r)
			cb(o, r, arg);
		json_decref(resp);
	}
	json_decref(props);
	return err;
}

/* ---- fetch and match (used by run_object) -------------------------------- */

static int on_hs_partner(struct sync_obj *o, json_t *j, void *arg)
{
	struct crmsync_record *rec = record_from_hs(j, o->hs_object);
	struct unit *u = rec->id ? strmap_get(&o->by_hs, rec->id) : NULL;

	if (!u || u->hs) {
		record_free(rec);
		return 0;
	}
	u->hs = rec;
	u->hs_mod = hs_parse_time(record_get(rec, o->hs_modprop));
	return 0;
}

int on_sf_partner(json_t *j, void *user)
{
	struct pull_ctx *pc = user;
	struct crmsync_record *rec = record_from_sf(j, pc->so->name);
	struct unit *u = rec->id ? strmap_get(&pc->o->by_sf, rec->id) : NULL;

	if (!u || u->sf) {
		record_free(rec);
		return 0;
	}
	u->sf = rec;
	u->sf_mod = sf_parse_datetime(record_get(rec, "SystemModstamp"));
	u->sf_deleted = record_get(rec, "IsDeleted") && strcmp(record_get(rec, "IsDeleted"), "true") == 0;
	return 0;
}

/* 'value' quoted for SOQL. */
static void soql_quote(struct strbuf *sb, const char *v)
{
	strbuf_addstr(sb, "'");
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			strbuf_addstr(sb, "\\");
		strbuf_add(sb, v, 1);
	}
	strbuf_addstr(sb, "'");
}

#define IN_CHUNK 200   /* values per IN (...) list: well under the URL limit */

void lookups_add_soql(struct sf_lookups *l, const char *select, const char *field, char **vals,
		      size_t n, void *user)
{
	for (size_t i = 0; i < n; i += IN_CHUNK) {
		struct strbuf sb = { 0 };

		strbuf_addf(&sb, "%s WHERE %s IN (", select, field);
		for (size_t k = i; k < n && k < i + IN_CHUNK; k++) {
			if (k > i)
				strbuf_addstr(&sb, ",");
			soql_quote(&sb, vals[k]);
		}
		strbuf_addstr(&sb, ")");
		l->soql = xrealloc(l->soql, (l->n + 1) * sizeof(*l->soql));
		l->users = xrealloc(l->users, (l->n + 1) * sizeof(*l->users));
		l->soql[l->n] = strbuf_detach(&sb);
		l->users[l->n] = user;
		l->n++;
	}
}

void lookups_add(struct sf_lookups *l, struct sf_obj *so, const char *field, char **vals,
		 size_t n, struct pull_ctx *pc)
{
	char *q = soql_select(so);

	lookups_add_soql(l, q, field, vals, n, pc);
	free(q);
}

int lookups_run(struct sync_obj *o, struct sf_lookups *l, int (*cb)(json_t *, void *))
{
	struct sf_error serr;
	int err;

	if (!l->n)
		return 0;
	/* queryAll: lookups must see deleted and archived records too */
	err = sf_query_many(o->e->sf, (const char *const *)l->soql, l->n, 1, cb, l->users, &serr);
	if (err)
		log_err("%s: cannot read Salesforce records: %s %s", o->inst->tag, serr.code,
			serr.message);
	return err;
}

void lookups_release(struct sf_lookups *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->soql[i]);
	free(l->soql);
	free(l->users);
	memset(l, 0, sizeof(*l));
}

struct pull_ctx *pull_ctxs(struct sync_obj *o)
{
	struct pull_ctx *pcs = xcalloc(o->nsfo + 1, sizeof(*pcs));

	for (size_t k = 0; k < o->nsfo; k++) {
		pcs[k].o = o;
		pcs[k].so = &o->sfo[k];
	}
	return pcs;
}

/* A Salesforce record found by the external id of a create whose result
 * was lost: paired like a pulled one, without moving the pull's cursor. */
static int on_sf_pending(json_t *j, void *user)
{
	struct pull_ctx *pc = user;
	long long seen = pc->so->max_seen;
	int err = on_sf_record(j, user);

	pc->so->max_seen = seen;
	return err;
}

/* Creates towards Salesforce whose result was lost (a crash, a cut
 * response): the pair has crmsync's external id but no Salesforce id. The
 * pull finds such a record when it was made inside its window; look the
 * rest up by the external id, so the replay updates the record instead of
 * upserting it as new (an upsert that finds the record sends create-only
 * fields such as Task.TaskSubtype as an update, which Salesforce refuses). */
static int fetch_pending_creates(struct sync_obj *o)
{
	struct pull_ctx *pcs;
	struct sf_lookups l = { 0 };
	char **ext = xcalloc(o->nunits + 1, sizeof(char *));
	size_t n = 0;
	int err;

	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (u->has_pair && u->hs && !u->sf && !u->pair.sf_id[0] && u->pair.ext_id[0] &&
		    !u->pair.deleted_at)
			ext[n++] = u->pair.ext_id;
	}
	if (!n) {
		free(ext);
		return 0;
	}
	pcs = pull_ctxs(o);
	for (size_t k = 0; k < o->nsfo; k++)
		lookups_add(&l, &o->sfo[k], ext_field(o->e), ext, n, &pcs[k]);
	err = lookups_run(o, &l, on_sf_pending);
	log_debug("%s: %zu creates whose result may have been lost looked up by external id",
		  o->inst->tag, n);
	lookups_release(&l);
	free(ext);
	free(pcs);
	return err;
}

int fetch_partners(struct sync_obj *o)
{
	char **hs_ids = xcalloc(o->nunits + 1, sizeof(char *));
	size_t nhs = 0;
	int err = 0;

	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (u->has_pair && !u->hs && u->pair.hs_id[0])
			hs_ids[nhs++] = u->pair.hs_id;
	}
	if (nhs)
		err = hs_read_by(o, NULL, hs_ids, nhs, on_hs_partner, NULL);
	free(hs_ids);
	if (!err) {
		struct pull_ctx *pcs = pull_ctxs(o);
		struct sf_lookups l = { 0 };
		char **ids = xcalloc(o->nunits + 1, sizeof(char *));

		for (size_t k = 0; k < o->nsfo; k++) {
			size_t n = 0;

			for (size_t i = 0; i < o->nunits; i++) {
				struct unit *u = o->units[i];

				if (u->has_pair && !u->sf && u->pair.sf_id[0] &&
				    strcmp(u->pair.sf_type, o->sfo[k].name) == 0)
					ids[n++] = u->pair.sf_id;
			}
			lookups_add(&l, &o->sfo[k], "Id", ids, n, &pcs[k]);
		}
		err = lookups_run(o, &l, on_sf_partner);
		lookups_release(&l);
		free(ids);
		free(pcs);
	}
	if (!err)
		err = fetch_pending_creates(o);
	return err;
}

/* The key of a record, or NULL (no key, or the plugin has no dedupe). */
static char *key_of(struct sync_obj *o, const struct crmsync_record *rec)
{
	char buf[512];

	if (!rec || !o->ops->dedupe_key)
		return NULL;
	if (o->ops->dedupe_key(o->inst, o->inst->ctx, rec, buf, sizeof(buf)) != 1)
		return NULL;
	return xstrdup(buf);
}

static long long created_of(const struct crmsync_record *sf)
{
	long long t = sf_parse_datetime(record_get(sf, "CreatedDate"));

	return t < 0 ? 0 : t;
}

/* Attach the Salesforce record of unit `from` to unit `to` (a HubSpot-only
 * unit), leaving `from` empty. */
static void join(struct sync_obj *o, struct unit *to, struct unit *from)
{
	to->sf = from->sf;
	to->sf_mod = from->sf_mod;
	to->sf_deleted = from->sf_deleted;
	snprintf(to->sf_type, sizeof(to->sf_type), "%s", from->sf_type);
	from->sf = NULL;
	from->action = ACT_SKIP;
	from->skip_reason = "merged";
	strmap_put(&o->by_sf, to->sf->id, to);
}

struct lookup {
	struct strmap best;     /* key -> struct crmsync_record * (owned) */
	struct strmap count;    /* key -> (void *)(uintptr_t)n */
};

static int on_sf_candidate(json_t *j, void *user)
{
	struct pull_ctx *pc = user;
	struct lookup *lk = pc->o->priv_lookup;
	struct crmsync_record *rec = record_from_sf(j, pc->so->name);
	char *key = key_of(pc->o, rec);
	struct store_pair p;
	struct crmsync_record *old;

	if (!key || !rec->id || strmap_get(&pc->o->by_sf, rec->id) ||
	    store_idmap_by_sf(pc->o->e->store, pc->o->inst->name, rec->id, &p) == 0 ||
	    (record_get(rec, "IsDeleted") && strcmp(record_get(rec, "IsDeleted"), "true") == 0) ||
	    (record_get(rec, "IsConverted") && strcmp(record_get(rec, "IsConverted"), "true") == 0)) {
		/* paired already, deleted or converted: not a candidate */
		free(key);
		record_free(rec);
		return 0;
	}
	strmap_put(&lk->count, key,
		   (void *)((uintptr_t)strmap_get(&lk->count, key) + 1));
	old = strmap_get(&lk->best, key);
	if (!old || created_of(rec) < created_of(old) ||
	    (created_of(rec) == created_of(old) && strcmp(rec->id, old->id) < 0)) {
		strmap_put(&lk->best, key, rec);
		record_free(old);
	} else {
		record_free(rec);
	}
	free(key);
	return 0;
}

static int on_hs_candidate(struct sync_obj *o, json_t *j, void *arg)
{
	struct strmap *found = arg;
	struct crmsync_record *rec = record_from_hs(j, o->hs_object);
	char *key = key_of(o, rec);

	if (key && !strmap_get(found, key))
		strmap_put(found, key, rec);
	else
		record_free(rec);
	free(key);
	return 0;
}


static int match_hs_only(struct sync_obj *o, struct strmap *sf_by_key)
{
	char **keys = xcalloc(o->nunits + 1, sizeof(char *));
	struct unit **owners = xcalloc(o->nunits + 1, sizeof(*owners));
	struct lookup lk = { 0 };
	size_t n = 0;
	int err = 0;

	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i], *su;
		char *key;

		if (u->has_pair || !u->hs || u->sf || u->action == ACT_SKIP)
			continue;
		key = key_of(o, u->hs);
		if (!key)
			continue;
		su = strmap_get(sf_by_key, key);
		if (su && su->ambiguous && (o->ops->dedupe_flags & CRMSYNC_DEDUPE_AMBIGUOUS_SKIP)) {
			u->action = ACT_SKIP;
			u->ambiguous = 1;
			u->skip_reason = "several Salesforce records share this de-duplication key: not "
					 "matched, and nothing created";
			o->n_ambiguous++;
			free(key);
			continue;
		}
		if (su && su->sf) {
			join(o, u, su);
			free(key);
			continue;
		}
		keys[n] = key;
		owners[n++] = u;
	}
	o->priv_lookup = &lk;
	/* after a full pull in one pass every Salesforce record is in memory
	 * already: the join above found all there is */
	if (n && o->ops->dedupe_salesforce_field && !o->sf_whole) {
		struct pull_ctx *pcs = pull_ctxs(o);
		struct sf_lookups l = { 0 };

		for (size_t k = 0; k < o->nsfo; k++)
			if (json_object_get(o->sfo[k].types, o->ops->dedupe_salesforce_field))
				lookups_add(&l, &o->sfo[k], o->ops->dedupe_salesforce_field, keys, n, &pcs[k]);
		err = lookups_run(o, &l, on_sf_candidate);
		lookups_release(&l);
		free(pcs);
	}
	o->priv_lookup = NULL;
	for (size_t i = 0; i < n; i++) {
		struct crmsync_record *best = strmap_get(&lk.best, keys[i]);
		struct unit *u = owners[i];

		if (!err && best) {
			u->sf = best;
			u->sf_mod = sf_parse_datetime(record_get(best, "SystemModstamp"));
			snprintf(u->sf_type, sizeof(u->sf_type), "%s", best->object);
			strmap_put(&o->by_sf, best->id, u);
			strmap_put(&lk.best, keys[i], NULL);
			if ((uintptr_t)strmap_get(&lk.count, keys[i]) > 1) {
				u->ambiguous = 1;
				o->n_ambiguous++;
			}
		}
		free(keys[i]);
	}
	for (size_t i = 0; i < lk.best.cap; i++)
		if (lk.best.slots && lk.best.slots[i].key)
			record_free(lk.best.slots[i].value);
	strmap_release(&lk.best);
	strmap_release(&lk.count);
	free(keys);
	free(owners);
	return err;
}

static int match_sf_only(struct sync_obj *o)
{
	char **keys = xcalloc(o->nunits + 1, sizeof(char *));
	struct unit **owners = xcalloc(o->nunits + 1, sizeof(*owners));
	struct strmap found = { 0 };
	size_t n = 0;
	int err = 0;

	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];
		char *key;

		if (u->has_pair || !u->sf || u->hs || u->sf_deleted || u->action == ACT_SKIP)
			continue;
		key = key_of(o, u->sf);
		if (!key)
			continue;
		keys[n] = key;
		owners[n++] = u;
	}
	if (n && o->hs_whole) {
		/* a full pull read every HubSpot record: a key they hold belongs
		 * to a contact already matched with another Salesforce record */
		struct strmap held = { 0 };

		for (size_t i = 0; i < o->nunits; i++) {
			char *key = o->units[i]->hs ? key_of(o, o->units[i]->hs) : NULL;

			if (key)
				strmap_put(&held, key, o->units[i]);
			free(key);
		}
		for (size_t i = 0; i < n; i++) {
			if (strmap_get(&held, keys[i])) {
				owners[i]->action = ACT_SKIP;
				owners[i]->ambiguous = 1;
				owners[i]->skip_reason = "another Salesforce record with the same email is "
							 "already synced with this HubSpot contact";
				o->n_ambiguous++;
			}
			free(keys[i]);
		}
		strmap_release(&held);
		n = 0;
	} else if (n && o->ops->dedupe_hubspot_property) {
		err = hs_read_by(o, o->ops->dedupe_hubspot_property, keys, n, on_hs_candidate, &found);
	}
	for (size_t i = 0; i < n; i++) {
		struct crmsync_record *hs = err ? NULL : strmap_get(&found, keys[i]);
		struct unit *u = owners[i];
		struct store_pair p;

		if (hs) {
			strmap_put(&found, keys[i], NULL);
			if (store_idmap_by_hs(o->e->store, o->inst->name, hs->id, &p) == 0 ||
			    strmap_get(&o->by_hs, hs->id)) {
				/* the contact is paired with another Salesforce record that
				 * shares this email: never merge two Salesforce records */
				u->action = ACT_SKIP;
				u->ambiguous = 1;
				u->skip_reason = "another Salesforce record with the same email is already synced "
						 "with this HubSpot contact";
				o->n_ambiguous++;
				record_free(hs);
			} else {
				u->hs = hs;
				u->hs_mod = hs_parse_time(record_get(hs, o->hs_modprop));
				strmap_put(&o->by_hs, hs->id, u);
			}
		}
		free(keys[i]);
	}
	for (size_t i = 0; i < found.cap; i++)
		if (found.slots && found.slots[i].key)
			record_free(found.slots[i].value);
	strmap_release(&found);
	free(keys);
	free(owners);
	return err;
}

int match_units(struct sync_obj *o)
{
	struct strmap sf_by_key = { 0 };
	int err;

	if (!o->ops->dedupe_key)
		return 0;
	/* Salesforce-only units pulled this cycle, by key: the oldest wins */
	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i], *other;
		char *key;

		if (u->has_pair || !u->sf || u->hs || u->sf_deleted)
			continue;
		if (record_get(u->sf, "IsConverted") && strcmp(record_get(u->sf, "IsConverted"), "true") == 0)
			continue;
		key = key_of(o, u->sf);
		if (!key)
			continue;
		other = strmap_get(&sf_by_key, key);
		if (other && (o->ops->dedupe_flags & CRMSYNC_DEDUPE_AMBIGUOUS_SKIP)) {
			/* several Salesforce records share the key: report, never guess */
			for (struct unit *x = u; x; x = x == u ? other : NULL) {
				if (!x->ambiguous)
					o->n_ambiguous++;
				x->action = ACT_SKIP;
				x->ambiguous = 1;
				x->skip_reason = "several Salesforce records share this de-duplication key: "
						 "not matched; resolve the duplicates or pair them by hand";
			}
		} else if (other && created_of(other->sf) <= created_of(u->sf)) {
			u->action = ACT_SKIP;
			u->ambiguous = 1;
			u->skip_reason = "an older Salesforce record has the same email";
			o->n_ambiguous++;
		} else {
			if (other) {
				other->action = ACT_SKIP;
				other->ambiguous = 1;
				other->skip_reason = "an older Salesforce record has the same email";
				o->n_ambiguous++;
			}
			strmap_put(&sf_by_key, key, u);
		}
		free(key);
	}
	err = match_hs_only(o, &sf_by_key);
	strmap_release(&sf_by_key);
	if (!err)
		err = match_sf_only(o);
	return err;
}

/*
 * A Lead converted in Salesforce becomes a Contact (ConvertedContactId): its
 * pair follows it, so the HubSpot contact keeps syncing with the Contact and
 * is never created again. When the Contact already has a pair of its own,
 * the Lead's pair is retired instead.
 */
int follow_conversions(struct sync_obj *o)
{
	int err = 0;

	for (size_t i = 0; i < o->nunits && !err; i++) {
		struct unit *u = o->units[i], *other;
		const char *conv, *c;
		char cid[STORE_ID_MAX + 1];
		struct store_pair p;

		if (!u->sf || !u->has_pair || strcmp(u->sf->object, "Lead") != 0)
			continue;
		conv = record_get(u->sf, "IsConverted");
		c = record_get(u->sf, "ConvertedContactId");
		if (!conv || strcmp(conv, "true") != 0 || !c || strlen(c) > STORE_ID_MAX ||
		    !sync_sf_obj(o, "Contact"))
			continue;
		/* a copy: the Lead's record, which holds the value, is freed below */
		snprintf(cid, sizeof(cid), "%s", c);
		if (store_idmap_by_sf(o->e->store, o->inst->name, cid, &p) == 0) {
			if (!o->e->opts.dry_run)
				err = store_idmap_tombstone(o->e->store, u->pair.id, 0);
			u->action = ACT_SKIP;
			u->skip_reason = "the Lead was converted into a Contact that is synced already";
			continue;
		}
		if (!o->e->opts.dry_run)
			err = store_idmap_rekey_sf(o->e->store, u->pair.id, "Contact", cid);
		if (err)
			break;
		log_info("%s: Lead %s was converted: its pair follows Contact %s", o->inst->tag,
			 u->sf->id, cid);
		snprintf(u->pair.sf_type, sizeof(u->pair.sf_type), "Contact");
		snprintf(u->pair.sf_id, sizeof(u->pair.sf_id), "%s", cid);
		snprintf(u->sf_type, sizeof(u->sf_type), "Contact");
		record_free(u->sf);
		u->sf = NULL;
		u->sf_mod = 0;
		u->sf_deleted = 0;
		/* the Contact may have been pulled as a record of its own */
		other = strmap_get(&o->by_sf, cid);
		if (other && other != u && other->sf && !other->has_pair) {
			u->sf = other->sf;
			u->sf_mod = other->sf_mod;
			other->sf = NULL;
			other->action = ACT_SKIP;
			other->skip_reason = "merged";
		}
		strmap_put(&o->by_sf, cid, u);
	}
	return err;
}
