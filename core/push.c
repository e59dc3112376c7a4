/*
 * push.c - plans each unit (create, update, delete, nothing) by merging its
 * fields against the last synced values, then writes in batches at each
 * API's maximum: Salesforce sObject Collections (200, upserts on the external
 * id for creates), HubSpot batch upsert/update/archive (100). A create's
 * external id is committed to the id map before the call that carries it, so
 * replaying a batch after a crash updates instead of duplicating. Results
 * (pairs, bases, errors) are committed per batch.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "engine_priv.h"
#include "log.h"

#define SF_BATCH 200
#define HS_BATCH 100

/* ---- planning ------------------------------------------------------------- */

static void base_add(struct unit *u, const char *name, const char *value, int side)
{
	u->base_names = xrealloc(u->base_names, (u->nbase + 1) * sizeof(char *));
	u->base_values = xrealloc(u->base_values, (u->nbase + 1) * sizeof(char *));
	u->base_side = xrealloc(u->base_side, u->nbase + 1);
	u->base_names[u->nbase] = xstrdup(name);
	u->base_values[u->nbase] = value ? xstrdup(value) : NULL;
	u->base_side[u->nbase] = (unsigned char)side;
	u->nbase++;
}

static int blank(const char *v)
{
	return !v || !*v;
}

void record_failure(struct sync_obj *o, struct unit *u, enum crmsync_side side, int status,
		    const char *code, const char *subcode, const char *message, const char *raw)
{
	record_failure_field(o, u, side, status, code, subcode, message, raw, NULL);
}

void record_failure_field(struct sync_obj *o, struct unit *u, enum crmsync_side side, int status,
			  const char *code, const char *subcode, const char *message, const char *raw,
			  const char *field)
{
	const char *fields[2] = { field, NULL };
	struct failed_write fw = { 0 };

	if (o->settling && status == 0)
		return; /* a value the first pass already found unwritable */
	u->failed = 1;
	if (status != 0 && metadata_code(code))
		o->e->metadata_stale = 1;
	fw.object = o->inst->name;
	fw.side = side;
	fw.http_status = status;
	fw.code = code && *code ? code : "UNKNOWN";
	fw.subcode = subcode && *subcode ? subcode : NULL;
	fw.message = message ? message : "";
	fw.raw = raw;
	fw.fields = field ? fields : NULL;
	fw.hubspot = u->hs;
	fw.salesforce = u->sf;
	fw.hs_id = u->hs ? u->hs->id : (u->pair.hs_id[0] ? u->pair.hs_id : NULL);
	fw.sf_type = u->sf_type[0] ? u->sf_type : NULL;
	fw.sf_id = u->sf ? u->sf->id : (u->pair.sf_id[0] ? u->pair.sf_id : NULL);
	if (!o->e->opts.dry_run && dispatch_failure(o->e->cfg, o->e->store, &fw, NULL) == 0 &&
	    status != 0) {
		/* the service refused this record for this cause now: a cause it
		 * gave before and not this time (the admin fixed it, another
		 * check fails first now) is no longer what blocks the record */
		store_error_resolve_record_side(o->e->store, fw.object, fw.hs_id, fw.sf_id, side,
						o->pull_started, 0, "superseded", NULL);
	}
	o->n_failed++;
}

/* Convert and stage one field for a write; a value that cannot be written
 * becomes a property value error of the unit. Returns 0 or -1. */
static int stage(struct sync_obj *o, struct unit *u, const struct mapping_field *f, int to_sf,
		 const char *winner)
{
	char *v = NULL, *canon = NULL;
	int err;

	if (mapping_field_is_owner(f) && !to_sf) {
		/* winner is a Salesforce user id; the base stays in that space */
		err = mapping_canonical(f, 0, winner, &canon);
		if (!err && !blank(winner)) {
			const char *hs_owner = owner_translate(o->e, winner, 0);

			if (!hs_owner) {
				free(canon);
				return 0;
			}
			v = xstrdup(hs_owner);
		}
		if (!err) {
			record_set(u->out_hs, f->hubspot, blank(v) ? NULL : v);
			base_add(u, f->hubspot, canon, 2);
		}
		free(v);
		free(canon);
		return err ? -1 : 0;
	}
	err = to_sf ? mapping_value_to_sf(f, winner, &v) : mapping_value_to_hs(f, winner, &v);
	if (!err)
		err = mapping_canonical(f, to_sf, winner, &canon);
	if (err) {
		char msg[512];

		/* worded as the service would refuse it, so its resolver reads it */
		if (err == -EMSGSIZE && to_sf)
			snprintf(msg, sizeof(msg), "%s: data value too large: %.200s (max length=%d)",
				 f->salesforce, winner ? winner : "", f->max_length);
		else
			snprintf(msg, sizeof(msg), "%s value '%.200s' of %s cannot be written to %s %s: %s",
				 to_sf ? "HubSpot" : "Salesforce", winner ? winner : "",
				 to_sf ? f->hubspot : f->salesforce,
				 to_sf ? "Salesforce field" : "HubSpot property",
				 to_sf ? f->salesforce : f->hubspot,
				 err == -EMSGSIZE ? "too long" : "not of the field's type");
		record_failure_field(o, u, to_sf ? CRMSYNC_SIDE_SALESFORCE : CRMSYNC_SIDE_HUBSPOT, 0,
				     err == -EMSGSIZE ? "STRING_TOO_LONG"
						      : "INVALID_TYPE_ON_FIELD_IN_RECORD",
				     NULL, msg, NULL, to_sf ? f->salesforce : f->hubspot);
		free(v);
		return -1;
	}
	if (to_sf)
		record_set(u->out_sf, f->salesforce, blank(v) ? NULL : v);
	else
		record_set(u->out_hs, f->hubspot, blank(v) ? NULL : v);
	base_add(u, f->hubspot, canon, to_sf ? 1 : 2);
	free(v);
	free(canon);
	return 0;
}

static int plugin_accepts(struct sync_obj *o, int kind, int dir, const struct crmsync_record *src,
			  const struct crmsync_record *dst, const char **why)
{
	struct crmsync_change chg = { sizeof(chg), (uint32_t)kind, (uint32_t)dir, 0, src, dst };

	*why = NULL;
	if (!o->ops->accept)
		return 1;
	return o->ops->accept(o->inst, o->inst->ctx, &chg, why) == 1;
}

static void plugin_transform(struct sync_obj *o, int kind, int dir, const struct crmsync_record *src,
			     const struct crmsync_record *dst, struct crmsync_record *out)
{
	struct crmsync_change chg = { sizeof(chg), (uint32_t)kind, (uint32_t)dir, 0, src, dst };

	if (o->ops->transform)
		o->ops->transform(o->inst, o->inst->ctx, &chg, out);
}

/* Drop the staged writes of one side (the plugin refused them). */
static void unstage(struct unit *u, int side, const struct store_fields *old)
{
	for (size_t i = 0; i < u->nbase; i++) {
		const char *v = NULL;

		if (u->base_side[i] != side)
			continue;
		free(u->base_values[i]);
		u->base_values[i] = old && store_fields_find(old, u->base_names[i], &v) && v ? xstrdup(v)
											     : NULL;
		u->base_side[i] = 0;
	}
	if (side == 1) {
		record_free(u->out_sf);
		u->out_sf = NULL;
	} else {
		record_free(u->out_hs);
		u->out_hs = NULL;
	}
}

void plan_update(struct sync_obj *o, struct unit *u)
{
	struct store_fields old = { 0 };
	int have_base = u->has_pair && u->pair.id &&
			store_base_get(o->e->store, u->pair.id, &old) == 0;
	const char *why;

	u->out_sf = record_new(CRMSYNC_SIDE_SALESFORCE, u->sf_type, u->sf->id);
	u->out_hs = record_new(CRMSYNC_SIDE_HUBSPOT, o->hs_object, u->hs->id);
	for (size_t i = 0; i < o->nfields; i++) {
		const struct mapping_field *f = o->fields[i];
		const char *base = NULL, *winner = NULL, *hv, *sv;
		enum merge_result r;
		char *canon = NULL;

		if (!field_in_use(o, f, u->sf_type))
			continue;
		if (have_base && !store_fields_find(&old, f->hubspot, &base))
			base = NULL;
		else if (have_base && !base)
			base = "";
		hv = record_get(u->hs, f->hubspot);
		sv = record_get(u->sf, f->salesforce);
		if (mapping_field_is_owner(f)) {
			/* compare owners in Salesforce's id space; an owner without a
			 * counterpart on the other side is left alone */
			if (!blank(hv) && !(hv = owner_translate(o->e, hv, 1)))
				continue;
			if (!blank(sv) && !owner_translate(o->e, sv, 0))
				continue;
		}
		r = mapping_merge(f, base, hv, u->hs_mod, sv, u->sf_mod, &winner);
		switch (r) {
		case MERGE_NO_CHANGE:
			if (mapping_canonical(f, 0, sv, &canon) == 0)
				base_add(u, f->hubspot, canon, 0);
			free(canon);
			break;
		case MERGE_KEEP:
			if (base)
				base_add(u, f->hubspot, base, 0);
			break;
		case MERGE_WRITE_TO_SF:
		case MERGE_CONFLICT_TO_SF:
			stage(o, u, f, 1, winner);
			break;
		case MERGE_WRITE_TO_HS:
		case MERGE_CONFLICT_TO_HS:
			stage(o, u, f, 0, winner);
			break;
		case MERGE_BAD_HS:
		case MERGE_BAD_SF: {
			char msg[512];
			int hs_bad = r == MERGE_BAD_HS;

			snprintf(msg, sizeof(msg), "%s value '%.200s' of %s is not a valid %s",
				 hs_bad ? "HubSpot" : "Salesforce", (hs_bad ? hv : sv) ? (hs_bad ? hv : sv) : "",
				 hs_bad ? f->hubspot : f->salesforce, mapping_type_name(f->type));
			record_failure_field(o, u, hs_bad ? CRMSYNC_SIDE_SALESFORCE : CRMSYNC_SIDE_HUBSPOT,
					     0, "INVALID_TYPE_ON_FIELD_IN_RECORD", NULL, msg, NULL,
					     hs_bad ? f->salesforce : f->hubspot);
			if (base)
				base_add(u, f->hubspot, base, 0);
			break;
		}
		}
	}
	if (o->nlg || o->njl)
		links_stage(o, u, 0, 0, have_base ? &old : NULL);
	if (o->feed && u->out_hs->n) {
		unstage(u, 2, have_base ? &old : NULL);   /* a feed is never written */
	} else if (o->feed) {
		record_free(u->out_hs);
		u->out_hs = NULL;
	}
	if (u->out_sf->n &&
	    !plugin_accepts(o, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_SALESFORCE, u->hs, u->sf, &why))
		unstage(u, 1, have_base ? &old : NULL);
	if (u->out_hs && u->out_hs->n &&
	    !plugin_accepts(o, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, u->sf, u->hs, &why))
		unstage(u, 2, have_base ? &old : NULL);
	if (u->out_sf && u->out_sf->n)
		plugin_transform(o, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_SALESFORCE, u->hs, u->sf, u->out_sf);
	/* towards HubSpot the plugin may add values of its own (a lifecycle
	 * stage from related records) even when no mapped field changed */
	if (u->out_hs && (u->out_hs->n ||
			  plugin_accepts(o, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, u->sf, u->hs, &why)))
		plugin_transform(o, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, u->sf, u->hs, u->out_hs);
	u->action = ACT_UPDATE;
	if (log_level() >= LOG_LVL_DEBUG) {
		for (size_t i = 0; u->out_sf && i < u->out_sf->n; i++)
			log_debug("%s: %s %s: %s <- '%s'", o->inst->tag, u->sf_type, u->sf->id,
				  u->out_sf->f[i].name, u->out_sf->f[i].value ? u->out_sf->f[i].value : "");
		for (size_t i = 0; u->out_hs && i < u->out_hs->n; i++)
			log_debug("%s: contact %s: %s <- '%s'", o->inst->tag, u->hs->id,
				  u->out_hs->f[i].name, u->out_hs->f[i].value ? u->out_hs->f[i].value : "");
	}
	if (have_base)
		store_fields_release(&old);
}

static void plan_create(struct sync_obj *o, struct unit *u, int to_sf)
{
	const struct crmsync_record *src = to_sf ? u->hs : u->sf;
	const char *why = NULL, *sf_object = NULL;

	if (!plugin_accepts(o, CRMSYNC_CHANGE_CREATE, to_sf ? CRMSYNC_TO_SALESFORCE : CRMSYNC_TO_HUBSPOT,
			    src, NULL, &why)) {
		u->action = ACT_SKIP;
		u->skip_reason = why;
		return;
	}
	if (to_sf) {
		if (o->ops->route)
			o->ops->route(o->inst, o->inst->ctx, u->hs, &sf_object);
		if (!sf_object || !sync_sf_obj(o, sf_object))
			sf_object = o->sfo[0].name;
		snprintf(u->sf_type, sizeof(u->sf_type), "%s", sf_object);
		u->out_sf = record_new(CRMSYNC_SIDE_SALESFORCE, u->sf_type, NULL);
	} else {
		u->out_hs = record_new(CRMSYNC_SIDE_HUBSPOT, o->hs_object, NULL);
	}
	for (size_t i = 0; i < o->nfields; i++) {
		const struct mapping_field *f = o->fields[i];
		const char *v;

		if (!field_in_use(o, f, u->sf_type))
			continue;
		if (to_sf ? !mapping_rule_writes_sf(f->rule) : !mapping_rule_writes_hs(f->rule))
			continue;
		v = record_get(src, to_sf ? f->hubspot : f->salesforce);
		if (!blank(v) && mapping_field_is_owner(f) && to_sf && !(v = owner_translate(o->e, v, 1)))
			continue;
		if (blank(v)) {
			base_add(u, f->hubspot, "", 0);
			continue;
		}
		stage(o, u, f, to_sf, v);
	}
	if (o->nlg || o->njl)
		links_stage(o, u, to_sf, !to_sf, NULL);
	plugin_transform(o, CRMSYNC_CHANGE_CREATE, to_sf ? CRMSYNC_TO_SALESFORCE : CRMSYNC_TO_HUBSPOT,
			 src, NULL, to_sf ? u->out_sf : u->out_hs);
	u->action = to_sf ? ACT_CREATE_SF : ACT_CREATE_HS;
}

void plan_units(struct sync_obj *o)
{
	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];
		const char *why;

		if (u->action == ACT_SKIP) {
			if (!u->skip_reason || strcmp(u->skip_reason, "merged") != 0)
				o->n_skipped++;
			continue;
		}
		if (u->sf && u->sf_deleted) {
			if (u->has_pair && u->pair.hs_id[0] && !u->pair.deleted_at &&
			    plugin_accepts(o, CRMSYNC_CHANGE_DELETE, CRMSYNC_TO_HUBSPOT, u->sf,
					   u->hs ? u->hs : u->sf, &why))
				u->action = ACT_DELETE_HS;
			else
				u->action = ACT_NONE;
			continue;
		}
		if (u->hs && u->sf) {
			plan_update(o, u);
		} else if (u->hs && !(u->has_pair && u->pair.sf_id[0])) {
			plan_create(o, u, 1);
		} else if (u->sf && !(u->has_pair && u->pair.hs_id[0])) {
			plan_create(o, u, 0);
		} else {
			/* the partner is gone (deleted or archived on its side) */
			u->action = ACT_SKIP;
			u->skip_reason = "its partner record no longer exists";
		}
		if (o->nlg && links_hold(o, u))
			continue;
		if (u->action == ACT_SKIP && u->skip_reason)
			o->n_skipped++;
		u->synced = u->action == ACT_UPDATE || u->action == ACT_CREATE_SF ||
			    u->action == ACT_CREATE_HS || u->action == ACT_DELETE_HS;
	}
}

/* Add this pass's plan to the cycle's (a dry run prints it at the end). */
void plan_tally(struct sync_obj *o)
{
	struct plan_tally *t = &o->plan;

	for (size_t i = 0; i < o->nunits; i++) {
		const struct unit *u = o->units[i];

		switch (u->action) {
		case ACT_CREATE_SF:
			t->c_sf++;
			break;
		case ACT_CREATE_HS:
			t->c_hs++;
			break;
		case ACT_UPDATE:
			t->u_sf += u->out_sf && u->out_sf->n;
			t->u_hs += u->out_hs && u->out_hs->n;
			t->same += !(u->out_sf && u->out_sf->n) && !(u->out_hs && u->out_hs->n);
			break;
		case ACT_DELETE_HS:
			t->del++;
			break;
		default:
			break;
		}
		t->amb += u->ambiguous;
		if (u->ambiguous && t->nshown < PLAN_SHOWN)
			t->shown[t->nshown++] = xasprintf(
				"    %s %s: %s\n", u->sf ? u->sf->object : "HubSpot",
				u->sf ? u->sf->id : (u->hs ? u->hs->id : "?"),
				u->skip_reason ? u->skip_reason
					       : "several Salesforce records share this email; the oldest was "
						 "chosen");
	}
}

void plan_print(const struct sync_obj *o, FILE *out)
{
	const struct plan_tally *t = &o->plan;

	fprintf(out, "object %s (dry run: nothing written)\n", o->inst->name);
	fprintf(out, "  read:                        %ld\n", o->n_read);
	fprintf(out, "  create in Salesforce:        %ld\n", t->c_sf);
	fprintf(out, "  create in HubSpot:           %ld\n", t->c_hs);
	fprintf(out, "  update in Salesforce:        %ld\n", t->u_sf);
	fprintf(out, "  update in HubSpot:           %ld\n", t->u_hs);
	fprintf(out, "  delete in HubSpot:           %ld\n", t->del);
	fprintf(out, "  matched, already in step:    %ld\n", t->same);
	fprintf(out, "  skipped by the rules:        %ld\n", o->n_skipped);
	fprintf(out, "  ambiguous matches:           %ld\n", t->amb);
	if (o->nlg || o->njl || o->match_link)
		fprintf(out, "  waiting for a partner:       %ld\n", o->n_waiting);
	if (o->npass > 1)
		fprintf(out, "  passes:                      %d\n", o->npass);
	for (size_t i = 0; i < t->nshown; i++)
		fputs(t->shown[i], out);
}
