/*
 * write.c - sends the planned writes in batches and records the results:
 * the id map, the merge base, and sync errors for what a service refused,
 * one transaction per batch. No API call is made inside a transaction.
 * A batch that cannot be sent at all (budget spent, service unreachable)
 * stops the object: its cursors do not move, so nothing is lost.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "log.h"

#define SF_BATCH 200
#define HS_BATCH 100

/* SIGTERM: the batch in flight was committed; stop before the next one. */
static int stopping(struct sync_obj *o)
{
	if (o->e->opts.stop && *o->e->opts.stop) {
		o->incomplete = 1;
		return 1;
	}
	return 0;
}

static json_t *sf_value(const struct sf_obj *so, const char *field, const char *v)
{
	const char *type = json_string_value(json_object_get(so ? so->types : NULL, field));
	char *end;

	if (!v)
		return json_null();
	if (type && (!strcmp(type, "double") || !strcmp(type, "currency") || !strcmp(type, "percent"))) {
		double d = strtod(v, &end);

		if (*v && !*end)
			return json_real(d);
	} else if (type && !strcmp(type, "int")) {
		long long n = strtoll(v, &end, 10);

		if (*v && !*end)
			return json_integer(n);
	} else if (type && !strcmp(type, "boolean")) {
		return json_boolean(strcmp(v, "true") == 0);
	}
	return json_string(v);
}

static json_t *sf_json(struct sync_obj *o, const struct unit *u, const char *id, const char *ext)
{
	const struct sf_obj *so = sync_sf_obj(o, u->sf_type);
	json_t *j = json_pack("{s:{s:s}}", "attributes", "type", u->sf_type);

	if (id)
		json_object_set_new(j, "Id", json_string(id));
	if (ext)
		json_object_set_new(j, ext_field(o->e), json_string(ext));
	for (size_t i = 0; u->out_sf && i < u->out_sf->n; i++)
		json_object_set_new(j, u->out_sf->f[i].name,
				    sf_value(so, u->out_sf->f[i].name, u->out_sf->f[i].value));
	return j;
}

static json_t *hs_props_json(const struct unit *u)
{
	json_t *p = json_object();

	for (size_t i = 0; u->out_hs && i < u->out_hs->n; i++)
		json_object_set_new(p, u->out_hs->f[i].name,
				    json_string(u->out_hs->f[i].value ? u->out_hs->f[i].value : ""));
	return p;
}

/* Store the pair and its base; inside a transaction. */
static int commit_unit(struct sync_obj *o, struct unit *u, const char *hs_id, const char *sf_id,
		       const char *ext)
{
	const char **vals;
	int64_t pair_id = u->pair.id;
	int err;

	err = store_idmap_put(o->e->store, o->inst->name, hs_id, u->sf_type, sf_id, ext, &pair_id);
	if (err)
		return err;
	u->pair.id = pair_id;
	snprintf(u->pair.hs_id, sizeof(u->pair.hs_id), "%s", hs_id);
	snprintf(u->pair.sf_id, sizeof(u->pair.sf_id), "%s", sf_id);
	snprintf(u->pair.sf_type, sizeof(u->pair.sf_type), "%s", u->sf_type);
	if (ext)
		snprintf(u->pair.ext_id, sizeof(u->pair.ext_id), "%s", ext);
	vals = xcalloc(u->nbase + 1, sizeof(*vals));
	for (size_t i = 0; i < u->nbase; i++)
		vals[i] = u->base_values[i];
	err = store_base_put(o->e->store, pair_id, (const char *const *)u->base_names, vals, u->nbase);
	free(vals);
	return err;
}

static void sf_result_error(struct sync_obj *o, struct unit *u, json_t *res)
{
	json_t *e0 = json_array_get(json_object_get(res, "errors"), 0);
	char *raw = json_dumps(res, JSON_COMPACT);

	record_failure(o, u, CRMSYNC_SIDE_SALESFORCE, 400,
		       json_string_value(json_object_get(e0, "statusCode")), NULL,
		       json_string_value(json_object_get(e0, "message")), raw);
	free(raw);
	u->sf_failed = 1;
}

/* A batch refused as a whole: every unit in it gets the error, unless the
 * call never completed, which stops the object. */
static int batch_failed(struct sync_obj *o, struct unit **units, size_t n, enum crmsync_side side,
			int err, int status, const char *code, const char *sub, const char *msg,
			const char *raw)
{
	if (err != -EREMOTEIO) {
		o->incomplete = 1;
		return err;
	}
	store_begin(o->e->store);
	for (size_t i = 0; i < n; i++) {
		record_failure(o, units[i], side, status, code, sub, msg, raw && *raw ? raw : NULL);
		if (side == CRMSYNC_SIDE_SALESFORCE)
			units[i]->sf_failed = 1;
		else
			units[i]->hs_failed = 1;
	}
	store_commit(o->e->store);
	return 0;
}

static int sf_creates(struct sync_obj *o, const char *type)
{
	struct unit *batch[SF_BATCH];
	char ext[SF_BATCH][STORE_EXT_ID_LEN + 1];
	size_t i = 0;

	while (i < o->nunits) {
		json_t *records, *results = NULL;
		struct sf_error serr;
		size_t n = 0;
		int err;

		if (stopping(o))
			return -EINTR;
		records = json_array();
		store_begin(o->e->store);
		for (; i < o->nunits && n < SF_BATCH; i++) {
			struct unit *u = o->units[i];
			struct store_pair p;

			if (u->action != ACT_CREATE_SF || strcmp(u->sf_type, type) != 0)
				continue;
			if (store_idmap_pending(o->e->store, o->inst->name, CRMSYNC_SIDE_HUBSPOT, u->hs->id,
						u->sf_type, &p)) {
				o->incomplete = 1;
				continue;
			}
			u->pair = p;
			snprintf(ext[n], sizeof(ext[n]), "%s", p.ext_id);
			json_array_append_new(records, sf_json(o, u, NULL, p.ext_id));
			batch[n++] = u;
		}
		err = store_commit(o->e->store);
		if (err || !n) {
			json_decref(records);
			if (err)
				return err;
			continue;
		}
		err = sf_upsert_collection(o->e->sf, type, ext_field(o->e), records, &results, &serr);
		json_decref(records);
		if (err) {
			err = batch_failed(o, batch, n, CRMSYNC_SIDE_SALESFORCE, err, serr.http_status,
					   serr.code, NULL, serr.message, serr.raw);
			if (err)
				return err;
			continue;
		}
		store_begin(o->e->store);
		for (size_t k = 0; k < n; k++) {
			json_t *res = json_array_get(results, k);
			const char *id = json_string_value(json_object_get(res, "id"));

			if (json_is_true(json_object_get(res, "success")) && id) {
				if (commit_unit(o, batch[k], batch[k]->hs->id, id, ext[k]) == 0)
					o->n_created_sf++;
				else
					o->incomplete = 1;
			} else {
				sf_result_error(o, batch[k], res);
			}
		}
		err = store_commit(o->e->store);
		json_decref(results);
		if (err)
			return err;
	}
	return 0;
}

static int sf_updates(struct sync_obj *o)
{
	struct unit *batch[SF_BATCH];
	size_t i = 0;

	while (i < o->nunits) {
		json_t *records, *results = NULL;
		struct sf_error serr;
		size_t n = 0;
		int err;

		if (stopping(o))
			return -EINTR;
		records = json_array();
		for (; i < o->nunits && n < SF_BATCH; i++) {
			struct unit *u = o->units[i];

			if (u->action != ACT_UPDATE || !u->out_sf || !u->out_sf->n)
				continue;
			json_array_append_new(records, sf_json(o, u, u->sf->id, NULL));
			batch[n++] = u;
		}
		if (!n) {
			json_decref(records);
			break;
		}
		err = sf_update_collection(o->e->sf, records, &results, &serr);
		json_decref(records);
		if (err) {
			err = batch_failed(o, batch, n, CRMSYNC_SIDE_SALESFORCE, err, serr.http_status,
					   serr.code, NULL, serr.message, serr.raw);
			if (err)
				return err;
			continue;
		}
		store_begin(o->e->store);
		for (size_t k = 0; k < n; k++) {
			json_t *res = json_array_get(results, k);

			if (json_is_true(json_object_get(res, "success")))
				o->n_updated_sf++;
			else
				sf_result_error(o, batch[k], res);
		}
		store_commit(o->e->store);
		json_decref(results);
	}
	return 0;
}

/* The unit a HubSpot batch result or error belongs to, by its trace id. */
static struct unit *traced(struct unit **batch, char (*trace)[STORE_EXT_ID_LEN + STORE_ID_MAX + 2],
			   size_t n, const char *t)
{
	for (size_t k = 0; t && k < n; k++)
		if (strcmp(trace[k], t) == 0)
			return batch[k];
	return NULL;
}

static void hs_errors(struct sync_obj *o, json_t *resp, struct unit **batch,
		      char (*trace)[STORE_EXT_ID_LEN + STORE_ID_MAX + 2], size_t n, int *failed)
{
	json_t *e;
	size_t k;

	json_array_foreach(json_object_get(resp, "errors"), k, e) {
		json_t *ctx = json_object_get(e, "context");
		const char *t = json_string_value(json_array_get(json_object_get(ctx, "objectWriteTraceId"), 0));
		struct unit *u = traced(batch, trace, n, t);
		json_t *sub = json_array_get(json_object_get(e, "errors"), 0);
		char *raw;

		if (!u)
			continue;
		raw = json_dumps(e, JSON_COMPACT);
		record_failure(o, u, CRMSYNC_SIDE_HUBSPOT, 400,
			       json_string_value(json_object_get(e, "category")),
			       json_string_value(json_object_get(sub, "code")),
			       json_string_value(json_object_get(e, "message")), raw);
		free(raw);
		u->hs_failed = 1;
		for (size_t j = 0; j < n; j++)
			if (batch[j] == u)
				failed[j] = 1;
	}
}

static int hs_writes(struct sync_obj *o, int creates)
{
	struct unit *batch[HS_BATCH];
	char trace[HS_BATCH][STORE_EXT_ID_LEN + STORE_ID_MAX + 2];
	size_t i = 0;

	while (i < o->nunits) {
		json_t *inputs, *resp = NULL, *r;
		int failed[HS_BATCH] = { 0 };
		struct hs_error herr;
		size_t n = 0, k;
		int err;

		if (stopping(o))
			return -EINTR;
		inputs = json_array();
		if (creates)
			store_begin(o->e->store);
		for (; i < o->nunits && n < HS_BATCH; i++) {
			struct unit *u = o->units[i];
			json_t *props;

			if (creates) {
				struct store_pair p;

				if (u->action != ACT_CREATE_HS)
					continue;
				if (store_idmap_pending(o->e->store, o->inst->name, CRMSYNC_SIDE_SALESFORCE,
							u->sf->id, u->sf_type, &p)) {
					o->incomplete = 1;
					continue;
				}
				u->pair = p;
				snprintf(trace[n], sizeof(trace[n]), "%s", p.ext_id);
				props = hs_props_json(u);
				json_object_set_new(props, ext_prop(o->e), json_string(p.ext_id));
				json_array_append_new(inputs, json_pack("{s:s, s:s, s:o, s:s}", "id", p.ext_id,
									"idProperty", ext_prop(o->e),
									"properties", props,
									"objectWriteTraceId", p.ext_id));
			} else {
				if (u->action != ACT_UPDATE || !u->out_hs || !u->out_hs->n)
					continue;
				snprintf(trace[n], sizeof(trace[n]), "%s", u->hs->id);
				json_array_append_new(inputs, json_pack("{s:s, s:o, s:s}", "id", u->hs->id,
									"properties", hs_props_json(u),
									"objectWriteTraceId", u->hs->id));
			}
			batch[n++] = u;
		}
		if (creates && (err = store_commit(o->e->store))) {
			json_decref(inputs);
			return err;
		}
		if (!n) {
			json_decref(inputs);
			break;
		}
		err = hs_batch(o->e->hs, o->hs_object, creates ? "upsert" : "update", inputs, NULL, &resp,
			       &herr);
		json_decref(inputs);
		if (err) {
			err = batch_failed(o, batch, n, CRMSYNC_SIDE_HUBSPOT, err, herr.http_status,
					   herr.category, herr.subcode, herr.message, herr.raw);
			if (err)
				return err;
			continue;
		}
		store_begin(o->e->store);
		hs_errors(o, resp, batch, trace, n, failed);
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			const char *id = json_string_value(json_object_get(r, "id"));
			const char *t = json_string_value(json_object_get(r, "objectWriteTraceId"));
			struct unit *u;

			if (!t && creates)
				t = json_string_value(json_object_get(json_object_get(r, "properties"),
								      ext_prop(o->e)));
			if (!t)
				t = id;
			u = traced(batch, trace, n, t);
			if (!u || !id)
				continue;
			if (creates) {
				if (commit_unit(o, u, id, u->sf->id, u->pair.ext_id) == 0)
					o->n_created_hs++;
				else
					o->incomplete = 1;
			} else {
				o->n_updated_hs++;
			}
		}
		store_commit(o->e->store);
		json_decref(resp);
	}
	return 0;
}

static int hs_deletes(struct sync_obj *o)
{
	size_t i = 0;

	while (i < o->nunits) {
		struct unit *batch[HS_BATCH];
		json_t *inputs = json_array(), *resp = NULL;
		struct hs_error herr;
		size_t n = 0;
		int err;

		for (; i < o->nunits && n < HS_BATCH; i++) {
			if (o->units[i]->action != ACT_DELETE_HS)
				continue;
			json_array_append_new(inputs, json_pack("{s:s}", "id", o->units[i]->pair.hs_id));
			batch[n++] = o->units[i];
		}
		if (!n) {
			json_decref(inputs);
			break;
		}
		err = hs_batch(o->e->hs, o->hs_object, "archive", inputs, NULL, &resp, &herr);
		json_decref(inputs);
		json_decref(resp);
		if (err) {
			err = batch_failed(o, batch, n, CRMSYNC_SIDE_HUBSPOT, err, herr.http_status,
					   herr.category, herr.subcode, herr.message, herr.raw);
			if (err)
				return err;
			continue;
		}
		store_begin(o->e->store);
		for (size_t k = 0; k < n; k++)
			if (store_idmap_tombstone(o->e->store, batch[k]->pair.id, store_now_ms()) == 0)
				o->n_deleted++;
		store_commit(o->e->store);
	}
	return 0;
}

/* Pairs and bases of updated and newly matched units, after their writes:
 * a field whose write failed keeps its old base. */
static int finish_updates(struct sync_obj *o)
{
	size_t i = 0;
	int err = 0;

	while (i < o->nunits && !err) {
		err = store_begin(o->e->store);
		for (size_t n = 0; !err && i < o->nunits && n < 500; i++) {
			struct unit *u = o->units[i];
			struct store_fields old = { 0 };
			int have_old;

			if (u->action != ACT_UPDATE)
				continue;
			n++;
			have_old = u->has_pair && u->pair.id && store_base_get(o->e->store, u->pair.id, &old) == 0;
			for (size_t k = 0; k < u->nbase; k++) {
				const char *v = NULL;

				if (!((u->base_side[k] == 1 && u->sf_failed) ||
				      (u->base_side[k] == 2 && u->hs_failed)))
					continue;
				free(u->base_values[k]);
				u->base_values[k] = have_old && store_fields_find(&old, u->base_names[k], &v) && v
							    ? xstrdup(v) : NULL;
			}
			links_revert_failed(o, u, have_old ? &old : NULL);
			if (have_old)
				store_fields_release(&old);
			err = commit_unit(o, u, u->hs->id, u->sf->id, u->has_pair ? u->pair.ext_id : NULL);
		}
		if (err) {
			store_rollback(o->e->store);
			o->incomplete = 1;
		} else {
			err = store_commit(o->e->store);
		}
	}
	return err;
}

static int on_settled(json_t *j, void *user)
{
	struct pull_ctx *pc = user;
	struct crmsync_record *rec = record_from_sf(j, pc->so->name);
	struct unit *u = rec->id ? strmap_get(&pc->o->by_sf, rec->id) : NULL;

	if (!u) {
		record_free(rec);
		return 0;
	}
	record_free(u->sf);
	u->sf = rec;
	u->sf_mod = sf_parse_datetime(record_get(rec, "SystemModstamp"));
	return 0;
}

static int on_settled_hs(struct sync_obj *o, json_t *j, void *arg)
{
	struct crmsync_record *rec = record_from_hs(j, o->hs_object);
	struct unit *u = rec->id ? strmap_get(&o->by_hs, rec->id) : NULL;

	if (!u || !u->settle) {
		record_free(rec);
		return 0;
	}
	record_free(u->hs);
	u->hs = rec;
	u->hs_mod = hs_parse_time(record_get(rec, o->hs_modprop));
	return 0;
}

static void unit_reset_plan(struct unit *u)
{
	record_free(u->out_sf);
	record_free(u->out_hs);
	u->out_sf = u->out_hs = NULL;
	for (size_t i = 0; i < u->nbase; i++) {
		free(u->base_names[i]);
		free(u->base_values[i]);
	}
	free(u->base_names);
	free(u->base_values);
	free(u->base_side);
	u->base_names = u->base_values = NULL;
	u->base_side = NULL;
	u->nbase = 0;
	u->sf_failed = u->hs_failed = 0;
}

/*
 * Both services fill in and normalise values on write (defaults such as a
 * Lead's Status, a country name from its code, an email's case). Read the
 * records just written back and merge once more, so those values reach the
 * other side in this cycle and the next cycle finds both sides at their
 * base: no echo.
 */
int settle_units(struct sync_obj *o)
{
	char **hs_ids = xcalloc(o->nunits + 1, sizeof(char *));
	size_t nhs = 0;
	int err = 0;

	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];
		int wrote_sf = (u->action == ACT_CREATE_SF && u->pair.sf_id[0]) ||
			       (u->action == ACT_UPDATE && u->out_sf && u->out_sf->n && !u->sf_failed);
		int wrote_hs = (u->action == ACT_CREATE_HS && u->pair.hs_id[0]) ||
			       (u->action == ACT_UPDATE && u->out_hs && u->out_hs->n && !u->hs_failed);

		u->settle = 0;
		if (!(wrote_sf || wrote_hs) || !u->pair.sf_id[0] || !u->pair.hs_id[0])
			continue;
		u->settle = 1;
		strmap_put(&o->by_sf, u->pair.sf_id, u);
		strmap_put(&o->by_hs, u->pair.hs_id, u);
		if (wrote_hs)
			hs_ids[nhs++] = u->pair.hs_id;
	}
	if (nhs)
		err = hs_read_by(o, NULL, hs_ids, nhs, on_settled_hs, NULL);
	free(hs_ids);
	if (!err) {
		struct pull_ctx *pcs = pull_ctxs(o);
		struct sf_lookups l = { 0 };
		char **ids = xcalloc(o->nunits + 1, sizeof(char *));

		for (size_t k = 0; k < o->nsfo; k++) {
			size_t n = 0;

			for (size_t i = 0; i < o->nunits; i++) {
				struct unit *u = o->units[i];
				int wrote_sf = (u->action == ACT_CREATE_SF) ||
					       (u->action == ACT_UPDATE && u->out_sf && u->out_sf->n);

				if (u->settle && wrote_sf && strcmp(u->sf_type, o->sfo[k].name) == 0)
					ids[n++] = u->pair.sf_id;
			}
			lookups_add(&l, &o->sfo[k], "Id", ids, n, &pcs[k]);
		}
		err = lookups_run(o, &l, on_settled);
		lookups_release(&l);
		free(ids);
		free(pcs);
	}
	if (err) {
		/* the writes are committed; the next cycle merges what is left */
		return 0;
	}
	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (!u->settle || !u->sf || !u->hs) {
			u->action = ACT_NONE;
			continue;
		}
		unit_reset_plan(u);
		u->has_pair = 1;
		plan_update(o, u);
	}
	o->settling = 1;
	err = push_units(o);
	o->settling = 0;
	return err;
}

int push_units(struct sync_obj *o)
{
	int err = 0;

	for (size_t k = 0; !err && k < o->nsfo; k++)
		err = sf_creates(o, o->sfo[k].name);
	if (!err)
		err = sf_updates(o);
	if (!err)
		err = hs_writes(o, 1);
	if (!err)
		err = hs_writes(o, 0);
	if (!err)
		err = hs_deletes(o);
	if (!err)
		err = links_push(o);
	if (!err)
		err = finish_updates(o);
	return err;
}

/* Records that synced this cycle without a failure: their earlier sync
 * errors are resolved ("synced"), moving to history. Errors seen during this
 * cycle stay current. */
int resolve_synced(struct sync_obj *o)
{
	int err = 0;

	if (o->e->opts.dry_run)
		return 0;
	err = store_begin(o->e->store);
	for (size_t i = 0; i < o->nunits && !err; i++) {
		struct unit *u = o->units[i];
		size_t n = 0;

		/* a feed record skipped for good (no contact) needs no copy */
		if (o->feed && u->skip_reason && !u->failed && !o->incomplete && u->hs && u->hs->id)
			err = store_feed_del(o->e->store, o->inst->name, u->hs->id);
		if (err || !u->synced || u->failed || u->sf_failed || u->hs_failed ||
		    !(u->pair.hs_id[0] || u->pair.sf_id[0]))
			continue;
		err = store_error_resolve_record(o->e->store, o->inst->name, u->pair.hs_id,
						 u->pair.sf_id, o->pull_started, 0, "synced", &n);
		if (!err && o->feed && u->pair.hs_id[0] && u->pair.sf_id[0])
			err = store_feed_del(o->e->store, o->inst->name, u->pair.hs_id);
		if (!err && u->sf && u->sf->id && strcmp(u->sf->id, u->pair.sf_id) != 0) {
			size_t m = 0;

			err = store_error_resolve_record(o->e->store, o->inst->name, NULL, u->sf->id,
							 o->pull_started, 0, "synced", &m);
			n += m;
		}
		o->n_resolved += (long)n;
	}
	if (err)
		store_rollback(o->e->store);
	else
		err = store_commit(o->e->store);
	return err;
}
