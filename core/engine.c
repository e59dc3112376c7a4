/*
 * engine.c - the sync cycle: set up each enabled object (its mapping checked
 * against both sides' metadata), pull both sides since their cursors, match
 * records (id map, then the object plugin's de-duplication key), hand the
 * units to push.c, and move the cursors only once every pulled change is
 * written or recorded as a sync error. Objects run in dependency order, each
 * in passes of at most about [core] batch_records changes per side, so that
 * memory follows that figure and not the size of the org.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "engine_priv.h"
#include "log.h"

/* Changes are re-read [core] change_overlap behind the cursor: commits that
 * became visible late (Salesforce transactions, HubSpot's eventually
 * consistent search). Echo suppression makes the re-read harmless. */
#define OVERLAP_MS (o->e->cfg->core.overlap_ms)
#define LOOKUP_CHUNK 100

const char *ext_field(const struct engine *e)
{
	return e->cfg->sf.external_id_field;
}

const char *ext_prop(const struct engine *e)
{
	return e->cfg->hs.external_id_property;
}

void object_use_pairing_mapping(struct config *cfg, struct crmsync_instance *inst)
{
	const char *map_name = NULL;
	const char *def = inst->plugin->object.default_mapping;

	object_pairing(inst, NULL, NULL, &map_name);
	if (map_name && def && strcmp(map_name, def) != 0 &&
	    !(inst->section && cfg_section_get(inst->section, "mapping"))) {
		/* the instance's own default mapping, in the same directory */
		free(inst->mapping);
		inst->mapping = xasprintf("%s/%s", cfg->core.mappings_dir, map_name);
	}
}

/* The HubSpot property group the external-id property goes in. */
static const char *ext_prop_group(const char *hs_object)
{
	static const struct { const char *object, *group; } groups[] = {
		{ "contacts", "contactinformation" }, { "companies", "companyinformation" },
		{ "deals", "dealinformation" }, { "tasks", "task" }, { "notes", "note" },
		{ "meetings", "meeting" }, { "calls", "call" }, { "emails", "email" },
	};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strcmp(groups[i].object, hs_object) == 0)
			return groups[i].group;
	return "companyinformation";
}

int engine_new(struct engine **out, struct config *cfg, struct store *store,
	       const struct engine_opts *opts)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	int err;

	e->cfg = cfg;
	e->store = store;
	e->opts = *opts;
	record_set_external_names(cfg->sf.external_id_field, cfg->hs.external_id_property);
	budget_new(&e->budget, store, cfg->sf.api_allocation);
	err = sf_client_new(&e->sf, &cfg->sf, e->budget);
	if (!err)
		err = hs_client_new(&e->hs, &cfg->hs);
	if (err) {
		engine_free(e);
		return err;
	}
	/* token refresh lease, rotation, refused-token record (issue 7) */
	sf_set_store(e->sf, store);
	hs_set_store(e->hs, store);
	*out = e;
	return 0;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	owners_release(e);
	sf_client_free(e->sf);
	hs_client_free(e->hs);
	budget_free(e->budget);
	free(e);
}

/* ---- records from wire JSON -------------------------------------------- */

static char *json_to_text(json_t *v)
{
	char buf[64];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return xstrdup(json_string_value(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return xstrdup(buf);
	case JSON_REAL:
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(v));
		return xstrdup(buf);
	case JSON_TRUE:
		return xstrdup("true");
	case JSON_FALSE:
		return xstrdup("false");
	default:
		return NULL;
	}
}

struct crmsync_record *record_from_sf(json_t *j, const char *type)
{
	const char *t = json_string_value(json_object_get(json_object_get(j, "attributes"), "type"));
	struct crmsync_record *rec = record_new(CRMSYNC_SIDE_SALESFORCE, t ? t : type,
						json_string_value(json_object_get(j, "Id")));
	const char *key;
	json_t *v;

	json_object_foreach(j, key, v) {
		char *s;

		if (strcmp(key, "attributes") == 0 || json_is_object(v) || json_is_array(v))
			continue;
		s = json_to_text(v);
		record_set(rec, key, s);
		free(s);
	}
	return rec;
}

struct crmsync_record *record_from_hs(json_t *j, const char *object)
{
	struct crmsync_record *rec = record_new(CRMSYNC_SIDE_HUBSPOT, object,
						json_string_value(json_object_get(j, "id")));
	json_t *props = json_object_get(j, "properties"), *v;
	const char *key;

	json_object_foreach(props, key, v) {
		char *s = json_to_text(v);

		record_set(rec, key, s);
		free(s);
	}
	return rec;
}

/* ---- units --------------------------------------------------------------- */

struct unit *unit_add(struct sync_obj *o)
{
	struct unit *u = xcalloc(1, sizeof(*u));

	if (o->nunits == o->capunits) {
		o->capunits = o->capunits ? o->capunits * 2 : 256;
		o->units = xrealloc(o->units, o->capunits * sizeof(*o->units));
	}
	o->units[o->nunits++] = u;
	return u;
}

static void unit_free(struct unit *u)
{
	record_free(u->hs);
	record_free(u->sf);
	record_free(u->out_sf);
	record_free(u->out_hs);
	for (size_t i = 0; i < u->nbase; i++) {
		free(u->base_names[i]);
		free(u->base_values[i]);
	}
	free(u->base_names);
	free(u->base_values);
	free(u->base_side);
	links_unit_release(u);
	free(u);
}

int field_in_use(const struct sync_obj *o, const struct mapping_field *f, const char *sf_type)
{
	for (size_t i = 0; i < o->nsfo; i++)
		if (sf_type && strcmp(o->sfo[i].name, sf_type) == 0)
			return mapping_field_applies(f, sf_type) &&
			       json_object_get(o->sfo[i].usable, f->salesforce) != NULL;
	return 0;
}

struct sf_obj *sync_sf_obj(struct sync_obj *o, const char *name)
{
	for (size_t i = 0; i < o->nsfo; i++)
		if (name && strcmp(o->sfo[i].name, name) == 0)
			return &o->sfo[i];
	return NULL;
}

/* The records of a pass, once it is done with them. */
static void units_release(struct sync_obj *o)
{
	for (size_t i = 0; i < o->nunits; i++)
		unit_free(o->units[i]);
	free(o->units);
	o->units = NULL;
	o->nunits = o->capunits = 0;
	strmap_release(&o->by_hs);
	strmap_release(&o->by_sf);
}

static void sync_obj_release(struct sync_obj *o)
{
	units_release(o);
	for (size_t i = 0; i < o->nsfo; i++) {
		free(o->sfo[i].name);
		json_decref(o->sfo[i].types);
		json_decref(o->sfo[i].usable);
		for (size_t k = 0; k < o->sfo[i].nselect; k++)
			free(o->sfo[i].select[k]);
		free(o->sfo[i].select);
	}
	free(o->sfo);
	free(o->lg);
	free(o->fields);
	json_decref(o->hs_props);
	mapping_free(o->map);
	for (size_t i = 0; i < o->plan.nshown; i++)
		free(o->plan.shown[i]);
}

/* ---- setup: mapping and metadata ----------------------------------------- */

static void add_select(struct sf_obj *so, const char *field)
{
	for (size_t i = 0; i < so->nselect; i++)
		if (strcmp(so->select[i], field) == 0)
			return;
	if (!json_object_get(so->types, field))
		return; /* not on this object (e.g. IsConverted on Contact) */
	so->select = xrealloc(so->select, (so->nselect + 1) * sizeof(*so->select));
	so->select[so->nselect++] = xstrdup(field);
}

static void add_prop(struct sync_obj *o, const char *prop)
{
	size_t i;
	json_t *v;

	json_array_foreach(o->hs_props, i, v)
		if (strcmp(json_string_value(v), prop) == 0)
			return;
	json_array_append_new(o->hs_props, json_string(prop));
}

/* Describe one Salesforce object into field metadata. */
/* ---- the services' metadata, reused for [core] metadata_refresh ---------- */

/* The kept copy of `key` when it is fresh enough, else NULL. */
static json_t *meta_cached(struct engine *e, const char *key)
{
	char *body = NULL;
	json_t *j;

	if (e->cfg->core.metadata_ms <= 0 ||
	    store_meta_get(e->store, key, store_now_ms() - e->cfg->core.metadata_ms, &body))
		return NULL;
	j = json_loads(body, 0, NULL);
	free(body);
	return j;
}

static void meta_keep(struct engine *e, const char *key, json_t *v)
{
	char *body;

	if (e->cfg->core.metadata_ms <= 0 || e->opts.dry_run)
		return;
	body = json_dumps(v, JSON_COMPACT);
	if (body && store_meta_put(e->store, key, body))
		log_warn("cannot keep the metadata '%s'; it is read again next cycle", key);
	free(body);
}

/* Codes that say the metadata used for a write was out of date. */
int metadata_code(const char *code)
{
	static const char *const codes[] = { "INVALID_FIELD", "INVALID_FIELD_FOR_INSERT_UPDATE",
					     "INVALID_TYPE", "NO_SUCH_COLUMN", "PROPERTY_DOESNT_EXIST",
					     NULL };

	for (size_t i = 0; code && codes[i]; i++)
		if (strcmp(code, codes[i]) == 0)
			return 1;
	return 0;
}

static int describe_sf(struct sync_obj *o, const char *name, struct sf_obj *so, json_t **desc_out,
		       struct field_meta **meta, size_t *nmeta)
{
	struct sf_error serr;
	char path[160];
	json_t *desc, *fields, *f;
	size_t i;
	int err;

	snprintf(path, sizeof(path), "salesforce.describe.%s", name);
	desc = meta_cached(o->e, path);
	if (!desc) {
		char key[160];

		snprintf(key, sizeof(key), "%s", path);
		snprintf(path, sizeof(path), "/sobjects/%s/describe", name);
		err = sf_get(o->e->sf, path, &desc, &serr);
		if (err) {
			log_err("%s: cannot describe Salesforce object '%s': %s %s", o->inst->tag, name,
				serr.code, serr.message);
			return err;
		}
		meta_keep(o->e, key, desc);
	}
	fields = json_object_get(desc, "fields");
	so->types = json_object();
	*meta = xcalloc(json_array_size(fields) + 1, sizeof(**meta));
	*nmeta = 0;
	json_array_foreach(fields, i, f) {
		struct field_meta *m = &(*meta)[(*nmeta)++];
		const char *fname = json_string_value(json_object_get(f, "name"));

		if (!fname) {
			(*nmeta)--;
			continue;
		}
		m->name = fname;
		m->type = json_string_value(json_object_get(f, "type"));
		m->createable = json_is_true(json_object_get(f, "createable"));
		m->updateable = json_is_true(json_object_get(f, "updateable"));
		m->nillable = json_is_true(json_object_get(f, "nillable"));
		m->length = (int)json_integer_value(json_object_get(f, "length"));
		m->restricted = json_is_true(json_object_get(f, "restrictedPicklist"));
		m->reference_to = json_string_value(json_array_get(json_object_get(f, "referenceTo"), 0));
		json_object_set_new(so->types, fname, json_string(m->type ? m->type : "string"));
	}
	*desc_out = desc;
	return 0;
}

static int hubspot_props(struct sync_obj *o, json_t **props_out, struct field_meta **meta,
			 size_t *nmeta)
{
	struct hs_error herr;
	char path[160];
	json_t *resp, *results, *p;
	size_t i;
	int err;

	if (o->feed) {
		/* a feed's properties are fixed and read-only */
		const struct hs_feed_prop *fp = hs_feed_props(o->hs_object);
		size_t n = 0;

		while (fp[n].name)
			n++;
		*meta = xcalloc(n + 1, sizeof(**meta));
		for (*nmeta = 0; *nmeta < n; (*nmeta)++) {
			(*meta)[*nmeta].name = fp[*nmeta].name;
			(*meta)[*nmeta].type = fp[*nmeta].type;
			(*meta)[*nmeta].nillable = 1;
		}
		*props_out = NULL;
		return 0;
	}
	snprintf(path, sizeof(path), "hubspot.properties.%s", o->hs_object);
	resp = meta_cached(o->e, path);
	if (!resp) {
		char key[160];

		snprintf(key, sizeof(key), "%s", path);
		snprintf(path, sizeof(path), "/crm/v3/properties/%s", o->hs_object);
		err = hs_get(o->e->hs, path, &resp, &herr);
		if (err) {
			log_err("%s: cannot read HubSpot '%s' properties: %s %s", o->inst->tag,
				o->hs_object, herr.category, herr.message);
			return err;
		}
		meta_keep(o->e, key, resp);
	}
	results = json_object_get(resp, "results");
	*meta = xcalloc(json_array_size(results) + 1, sizeof(**meta));
	*nmeta = 0;
	json_array_foreach(results, i, p) {
		struct field_meta *m = &(*meta)[*nmeta];
		json_t *mm = json_object_get(p, "modificationMetadata");

		m->name = json_string_value(json_object_get(p, "name"));
		if (!m->name)
			continue;
		m->type = json_string_value(json_object_get(p, "type"));
		m->createable = m->updateable = !json_is_true(json_object_get(mm, "readOnlyValue"));
		m->nillable = 1;
		(*nmeta)++;
	}
	*props_out = resp;
	return 0;
}

/* Make sure the external-id property exists on the HubSpot side: create it
 * (text, unique values) when it is missing. */
static int ensure_hs_ext_prop(struct sync_obj *o, const struct field_meta *meta, size_t n)
{
	struct hs_error herr;
	json_t *body, *resp = NULL;
	char path[160];
	int err;

	if (o->feed)
		return 0;   /* never written: nothing to key */
	for (size_t i = 0; i < n; i++)
		if (strcmp(meta[i].name, ext_prop(o->e)) == 0)
			return 0;
	if (o->e->opts.dry_run) {
		log_notice("%s: HubSpot property '%s' is missing; a real run creates it", o->inst->tag,
			   ext_prop(o->e));
		return 0;
	}
	snprintf(path, sizeof(path), "/crm/v3/properties/%s", o->hs_object);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "name", ext_prop(o->e), "label",
			 "crmsync ID", "type", "string", "fieldType", "text", "groupName",
			 ext_prop_group(o->hs_object),
			 "hasUniqueValue", 1, "description",
			 "Set by crmsync when it creates this record from Salesforce; do not edit");
	err = hs_request(o->e->hs, "POST", path, body, &resp, &herr);
	json_decref(body);
	json_decref(resp);
	if (err) {
		log_err("%s: HubSpot '%s' has no property '%s' and creating it failed (%s: %s): create "
			"it as a single-line text property with unique values, or set [hubspot] "
			"external_id_property", o->inst->tag, o->hs_object, ext_prop(o->e), herr.category,
			herr.message);
		return err;
	}
	log_notice("%s: created the HubSpot property '%s' (unique text)", o->inst->tag, ext_prop(o->e));
	{
		char key[160];

		snprintf(key, sizeof(key), "hubspot.properties.%s", o->hs_object);
		store_meta_clear(o->e->store, key);   /* the kept list lacks it */
	}
	return 0;
}

static void record_setup_problem(struct sync_obj *o, const struct mapping_problem *p)
{
	static const char *const types[] = { "", "property_mapping", "permission", "picklist" };
	struct store_error e = { 0 };

	e.object = o->inst->name;
	e.side = CRMSYNC_SIDE_SALESFORCE;
	e.code = p->type == MAPPING_PROBLEM_PERMISSION ? "MAPPING_PERMISSION" : "MAPPING_CHECK";
	e.type = types[p->type <= 3 ? p->type : 1];
	e.message = p->message;
	e.hint = "fix the mapping file or the field in Salesforce/HubSpot, then restart or reload "
		 "crmsync; the field does not sync until then";
	e.sf_type = p->salesforce;
	e.hs_id = NULL;
	if (!o->e->opts.dry_run)
		store_error_upsert(o->e->store, &e, NULL);
	log_warn("%s: %s: %s", o->inst->tag, p->where ? p->where : "mapping", p->message);
}

static int field_has_problem(const struct mapping_problems *probs, const struct mapping_field *f,
			     const char *sf_object)
{
	char want[256];

	snprintf(want, sizeof(want), "%s.%s", sf_object, f->salesforce);
	for (size_t i = 0; i < probs->n; i++)
		if ((probs->v[i].salesforce && strcmp(probs->v[i].salesforce, want) == 0) ||
		    (probs->v[i].hubspot && strcmp(probs->v[i].hubspot, f->hubspot) == 0 &&
		     probs->v[i].type == MAPPING_PROBLEM_PROPERTY_MAPPING))
			return 1;
	return 0;
}

void object_pairing(struct crmsync_instance *inst, const char **hubspot_object,
		    const char *const **salesforce_objects, const char **default_mapping)
{
	const struct crmsync_object_ops *ops = &inst->plugin->object;
	const char *hs = ops->hubspot_object, *map = ops->default_mapping;
	const char *const *sf = ops->salesforce_objects;

	if (ops->pairing && inst->initialized &&
	    ops->pairing(inst, inst->ctx, &hs, &sf, &map) < 0) {
		hs = ops->hubspot_object;
		sf = ops->salesforce_objects;
		map = ops->default_mapping;
	}
	if (hubspot_object)
		*hubspot_object = hs;
	if (salesforce_objects)
		*salesforce_objects = sf;
	if (default_mapping)
		*default_mapping = map;
}

static int setup_object(struct sync_obj *o)
{
	const char *map_name = NULL;

	struct errlist errs = { 0 };
	struct field_meta *hs_meta = NULL;
	struct mapping_problems probs = { 0 };
	json_t *hs_resp = NULL;
	size_t n_hs = 0, nsf = 0;
	int64_t started = store_now_ms();
	int err;

	o->ops = &o->inst->plugin->object;
	object_pairing(o->inst, &o->hs_object, &o->sf_names, &map_name);
	object_use_pairing_mapping(o->e->cfg, o->inst);
	o->hs_modprop = strcmp(o->hs_object, "contacts") == 0 ? "lastmodifieddate"
							       : "hs_lastmodifieddate";
	o->feed = hs_is_feed(o->hs_object);
	if (!o->inst->mapping) {
		log_err("%s: no mapping file: set mapping = FILE in [object %s]", o->inst->tag,
			o->inst->name);
		return -EINVAL;
	}
	err = mapping_load(o->inst->mapping, &o->map, &errs);
	if (err) {
		for (size_t i = 0; i < errs.n; i++)
			log_err("%s: %s", o->inst->tag, errs.msg[i]);
		errlist_release(&errs);
		return err;
	}
	err = hubspot_props(o, &hs_resp, &hs_meta, &n_hs);
	if (!err)
		err = ensure_hs_ext_prop(o, hs_meta, n_hs);
	if (err)
		goto out;
	for (const char *const *s = o->sf_names; s && *s; s++)
		nsf++;
	o->sfo = xcalloc(nsf, sizeof(*o->sfo));
	o->fields = xcalloc(o->map->n_fields + 1, sizeof(*o->fields));
	for (size_t k = 0; k < nsf; k++) {
		struct sf_obj *so = &o->sfo[o->nsfo++];
		struct field_meta *meta = NULL;
		json_t *desc = NULL;
		size_t nmeta = 0;

		so->name = xstrdup(o->sf_names[k]);
		so->cursor = -1;
		so->usable = json_object();
		err = describe_sf(o, so->name, so, &desc, &meta, &nmeta);
		if (err)
			goto out;
		if (!json_object_get(so->types, ext_field(o->e))) {
			log_err("%s: Salesforce %s has no field '%s': create it as a Text(64) field marked "
				"External ID and Unique, or set [salesforce] external_id_field",
				o->inst->tag, so->name, ext_field(o->e));
			free(meta);
			json_decref(desc);
			err = -ENOENT;
			goto out;
		}
		mapping_check(o->map, meta, nmeta, so->name, hs_meta, n_hs, &probs);
		add_select(so, "Id");
		add_select(so, "SystemModstamp");
		add_select(so, "CreatedDate");
		add_select(so, "IsDeleted");
		add_select(so, ext_field(o->e));
		for (const char *const *f = o->ops->salesforce_fields; f && *f; f++)
			add_select(so, *f);
		for (size_t i = 0; i < o->map->n_fields; i++) {
			const struct mapping_field *mf = &o->map->fields[i];

			if (mapping_field_applies(mf, so->name) && !field_has_problem(&probs, mf, so->name) &&
			    json_object_get(so->types, mf->salesforce)) {
				add_select(so, mf->salesforce);
				json_object_set_new(so->usable, mf->salesforce, json_true());
			}
		}
		free(meta);
		json_decref(desc);
	}
	for (size_t i = 0; i < probs.n; i++)
		record_setup_problem(o, &probs.v[i]);
	/* the mapping and metadata problems this check no longer finds are fixed */
	if (!o->e->opts.dry_run)
		store_error_resolve_setup(o->e->store, o->inst->name, started, 0, "fixed", NULL);
	o->hs_props = json_array();
	add_prop(o, ext_prop(o->e));
	for (const char *const *p = o->ops->hubspot_properties; p && *p; p++)
		add_prop(o, *p);
	for (size_t i = 0; i < o->map->n_fields; i++) {
		const struct mapping_field *mf = &o->map->fields[i];
		int ok = 0;

		if (mf->rule == MAPPING_NONE)
			continue;
		for (size_t k = 0; k < o->nsfo; k++)
			if (mapping_field_applies(mf, o->sfo[k].name) &&
			    !field_has_problem(&probs, mf, o->sfo[k].name))
				ok = 1;
		if (!ok)
			continue;
		o->fields[o->nfields++] = mf;
		add_prop(o, mf->hubspot);
	}
	err = links_setup(o);
out:
	mapping_problems_release(&probs);
	free(hs_meta);
	json_decref(hs_resp);
	return err;
}

/* ---- cursors ------------------------------------------------------------- */

/*
 * Passes. A cycle reads each side's changes oldest first, at most about
 * batch_records of them per pass (o->sf_taken is shared by the Salesforce
 * objects), and processes them completely before the next pass reads on.
 * A pass never splits the changes sharing one modification time: past the
 * limit it takes the rest of the boundary's group and stops at the first
 * newer change, so the boundary is exact and the next pass reads from it
 * (at or after: the group is read again, does not count, and the id map
 * pairs it as before). Only a cycle's first pass reads change_overlap behind
 * the cursor. A side read to its end is done for the cycle.
 */
#define PASS_FULL 1   /* a pull callback's "this pass has enough" */

static void pass_start(struct sync_obj *o, struct pass_side *ps, long long cursor)
{
	long long since = cursor - OVERLAP_MS;

	ps->since = cursor < 0 ? -1 : since < 0 ? 0 : since;
	ps->last = -1;
	ps->keep = cursor;
	ps->more = ps->done = ps->stopped = 0;
}

/* Does this pass take a change made at `mod`? */
static int pass_takes(struct sync_obj *o, struct pass_side *ps, long *taken, long long mod)
{
	if (mod < 0 || mod <= ps->since)
		return 1;   /* taken by the pass before, or no time to order it by */
	if (*taken >= o->e->cfg->core.batch_records && mod != ps->last) {
		ps->more = 1;
		return 0;
	}
	(*taken)++;
	if (mod > ps->last)
		ps->last = mod;
	return 1;
}

/* Will this side be done once this pass is? */
static int pass_finishes(const struct sync_obj *o, const struct pass_side *ps)
{
	return ps->done || !ps->more || ps->last >= o->cycle_started;
}

static int pass_is_last(const struct sync_obj *o)
{
	if (!pass_finishes(o, &o->hs_pass))
		return 0;
	for (size_t k = 0; k < o->nsfo; k++)
		if (!pass_finishes(o, &o->sfo[k].pass))
			return 0;
	return 1;
}

static void load_cursors(struct sync_obj *o)
{
	char *c = NULL;

	o->hs_cursor = -1;
	if (store_cursor_get(o->e->store, o->inst->name, CRMSYNC_SIDE_HUBSPOT, &c) == 0) {
		o->hs_cursor = strtoll(c, NULL, 10);
		free(c);
	}
	o->hs_max = o->hs_cursor;
	if (store_cursor_get(o->e->store, o->inst->name, CRMSYNC_SIDE_SALESFORCE, &c) == 0) {
		/* "Lead=ms,Contact=ms" */
		for (char *tok = strtok(c, ","); tok; tok = strtok(NULL, ",")) {
			char *eq = strchr(tok, '=');
			struct sf_obj *so;

			if (!eq)
				continue;
			*eq = '\0';
			so = sync_sf_obj(o, tok);
			if (so)
				so->cursor = strtoll(eq + 1, NULL, 10);
		}
		free(c);
	}
	if (o->hs_cursor < 0 && o->ops->start_ms) {
		int found = 0;
		int64_t start;

		for (size_t k = 0; k < o->nsfo; k++)
			found |= o->sfo[k].cursor >= 0;
		start = found ? 0 : o->ops->start_ms(o->inst, o->inst->ctx);
		if (start > 0) {
			/* the object does not replay history: changes from now on */
			o->hs_cursor = start;
			for (size_t k = 0; k < o->nsfo; k++)
				o->sfo[k].cursor = start;
			log_info("%s: first cycle: reading changes since %lld, not the history", o->inst->tag,
				 (long long)start);
		}
	}
	o->hs_max = o->hs_cursor;
	pass_start(o, &o->hs_pass, o->hs_cursor);
	for (size_t k = 0; k < o->nsfo; k++) {
		o->sfo[k].max_seen = o->sfo[k].cursor;
		pass_start(o, &o->sfo[k].pass, o->sfo[k].cursor);
	}
}

/*
 * A cursor is the newest change seen, or, when that is older, the time the
 * pull started less the overlap: every change committed before then was
 * visible to this pull (that is what the overlap is for; it must exceed the
 * clock skew between this host and the services). So a quiet object does not
 * re-read its last batch of changes every cycle.
 */
static long long cursor_of(const struct sync_obj *o, long long seen)
{
	long long floor = o->pull_started - OVERLAP_MS;

	return seen > floor ? seen : floor;
}

/*
 * After a pass: the cursor each side can move to. A side read to its end in
 * one pass takes cursor_of, once: later passes do not read it again, and a
 * record read by id since (a partner) must not move its cursor past changes
 * no pass read. A side that stopped at a boundary takes the boundary exactly
 * (never less than the cursor the cycle began with); the next pass starts
 * there. When that boundary is past the cycle's start, the rest is left for
 * the next cycle: it changed after this one began (this cycle's own writes).
 */
static void pass_end_side(struct sync_obj *o, struct pass_side *ps, long long cursor,
			  long long seen)
{
	long long keep;

	if (ps->done)
		return;
	if (!ps->more && !ps->stopped) {
		ps->keep = cursor_of(o, seen);   /* one pass, as ever */
		ps->done = 1;
		return;
	}
	keep = ps->more ? ps->last : cursor_of(o, seen);
	if (ps->more) {
		ps->stopped = 1;
		if (ps->last > ps->since)
			ps->since = ps->last;
		if (ps->last >= o->cycle_started)
			ps->done = 1;
	} else {
		ps->done = 1;
	}
	/* The passes after the first read without the overlap: a change that
	 * became visible late, behind a boundary, is read by the next cycle,
	 * which re-reads the overlap behind the time this one began. */
	if (ps->done && keep > o->cycle_started)
		keep = o->cycle_started;
	ps->keep = keep > cursor ? keep : cursor;
}

static void pass_end(struct sync_obj *o)
{
	pass_end_side(o, &o->hs_pass, o->hs_cursor, o->hs_max);
	for (size_t k = 0; k < o->nsfo; k++)
		pass_end_side(o, &o->sfo[k].pass, o->sfo[k].cursor, o->sfo[k].max_seen);
}

static int save_cursors(struct sync_obj *o)
{
	struct strbuf sb = { 0 };
	char hs[32];
	int err;

	for (size_t k = 0; k < o->nsfo; k++)
		strbuf_addf(&sb, "%s%s=%lld", k ? "," : "", o->sfo[k].name, o->sfo[k].pass.keep);
	snprintf(hs, sizeof(hs), "%lld", o->hs_pass.keep);
	err = store_begin(o->e->store);
	if (!err)
		err = store_cursor_put(o->e->store, o->inst->name, CRMSYNC_SIDE_SALESFORCE, sb.buf);
	if (!err)
		err = store_cursor_put(o->e->store, o->inst->name, CRMSYNC_SIDE_HUBSPOT, hs);
	if (!err)
		err = store_commit(o->e->store);
	else
		store_rollback(o->e->store);
	strbuf_release(&sb);
	return err;
}

/* ---- pull ---------------------------------------------------------------- */

static struct unit *unit_for_pair(struct sync_obj *o, const struct store_pair *p)
{
	struct unit *u = NULL;

	if (p->hs_id[0])
		u = strmap_get(&o->by_hs, p->hs_id);
	if (!u && p->sf_id[0])
		u = strmap_get(&o->by_sf, p->sf_id);
	if (!u) {
		u = unit_add(o);
		u->pair = *p;
		u->has_pair = 1;
		snprintf(u->sf_type, sizeof(u->sf_type), "%s", p->sf_type);
	}
	if (p->hs_id[0])
		strmap_put(&o->by_hs, p->hs_id, u);
	if (p->sf_id[0])
		strmap_put(&o->by_sf, p->sf_id, u);
	return u;
}

int on_hs_record(json_t *j, void *user)
{
	struct sync_obj *o = user;
	struct crmsync_record *rec = record_from_hs(j, o->hs_object);
	struct store_pair p;
	const char *ext;
	struct unit *u;

	if (!rec->id) {
		record_free(rec);
		return 0;
	}
	o->n_read++;
	ext = record_get(rec, ext_prop(o->e));
	/* by id, else by the external id a create carried (a create whose
	 * result was lost in a crash: the pair knows the ext id, not the id) */
	if (store_idmap_by_hs(o->e->store, o->inst->name, rec->id, &p) == 0 ||
	    (ext && store_idmap_by_ext(o->e->store, o->inst->name, ext, &p) == 0)) {
		u = unit_for_pair(o, &p);
		strmap_put(&o->by_hs, rec->id, u);
	} else {
		u = strmap_get(&o->by_hs, rec->id);
		if (!u) {
			u = unit_add(o);
			strmap_put(&o->by_hs, rec->id, u);
		}
	}
	record_free(u->hs);
	u->hs = rec;
	u->hs_mod = hs_parse_time(record_get(rec, o->hs_modprop));
	return 0;
}

int on_sf_record(json_t *j, void *user)
{
	struct pull_ctx *pc = user;
	struct sync_obj *o = pc->o;
	struct crmsync_record *rec = record_from_sf(j, pc->so->name);
	const char *ext = record_get(rec, ext_field(o->e));
	struct store_pair p;
	struct unit *u;
	long long mod;

	if (!rec->id) {
		record_free(rec);
		return 0;
	}
	mod = sf_parse_datetime(record_get(rec, "SystemModstamp"));
	if (mod > pc->so->max_seen)
		pc->so->max_seen = mod;
	o->n_read++;
	if (store_idmap_by_sf(o->e->store, o->inst->name, rec->id, &p) == 0 ||
	    (ext && store_idmap_by_ext(o->e->store, o->inst->name, ext, &p) == 0)) {
		u = unit_for_pair(o, &p);
		strmap_put(&o->by_sf, rec->id, u);
	} else {
		u = strmap_get(&o->by_sf, rec->id);
		if (!u) {
			u = unit_add(o);
			strmap_put(&o->by_sf, rec->id, u);
		}
	}
	record_free(u->sf);
	u->sf = rec;
	u->sf_mod = mod;
	u->sf_deleted = record_get(rec, "IsDeleted") && strcmp(record_get(rec, "IsDeleted"), "true") == 0;
	snprintf(u->sf_type, sizeof(u->sf_type), "%s", rec->object);
	return 0;
}

char *soql_select(const struct sf_obj *so)
{
	struct strbuf sb = { 0 };

	strbuf_addstr(&sb, "SELECT ");
	for (size_t i = 0; i < so->nselect; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", so->select[i]);
	strbuf_addf(&sb, " FROM %s", so->name);
	return strbuf_detach(&sb);
}

/* A feed record: kept in the store until it syncs (the feed cannot be read
 * again by id: retries and waiting records read this copy), then handled
 * like a searched record. */
static int on_feed_record(json_t *j, void *user)
{
	struct sync_obj *o = user;
	const char *id = json_string_value(json_object_get(j, "id"));
	struct store_pair p;

	if (id && !o->e->opts.dry_run &&
	    store_idmap_by_hs(o->e->store, o->inst->name, id, &p) != 0) {
		char *body = json_dumps(j, JSON_COMPACT);
		int err = body ? store_feed_put(o->e->store, o->inst->name, id, body) : -ENOMEM;

		free(body);
		if (err)
			return err;
	}
	return on_hs_record(j, o);
}

static int pull_feed(struct sync_obj *o, long long since, struct hs_error *herr)
{
	int err;

	memset(herr, 0, sizeof(*herr));
	snprintf(herr->category, sizeof(herr->category), "STATE");
	snprintf(herr->message, sizeof(herr->message), "cannot keep the records read");
	err = store_begin(o->e->store);

	if (err)
		return err;
	err = hs_feed_read(o->e->hs, o->hs_object, since, on_feed_record, o, &o->hs_max, herr);
	/* the copies already kept are good whether or not the read finished */
	if (store_commit(o->e->store) && !err)
		err = -EIO;
	return err;
}

/* A changed record the search found, if the pass takes it. */
static int on_hs_pulled(json_t *j, void *user)
{
	struct sync_obj *o = user;
	json_t *props = json_object_get(j, "properties");
	long long mod = hs_parse_time(json_string_value(json_object_get(props, o->hs_modprop)));

	if (!pass_takes(o, &o->hs_pass, &o->hs_taken, mod))
		return PASS_FULL;
	return on_hs_record(j, o);
}

static int on_sf_pulled(json_t *j, void *user)
{
	struct pull_ctx *pc = user;
	long long mod = sf_parse_datetime(json_string_value(json_object_get(j, "SystemModstamp")));

	if (!pass_takes(pc->o, &pc->so->pass, &pc->o->sf_taken, mod))
		return PASS_FULL;
	return on_sf_record(j, user);
}

/* One pass's changes of the sides not done yet. */
static int pull(struct sync_obj *o)
{
	struct hs_error herr;
	long long since;
	int err = 0, sf_more = 0, sf_from_start = 1;

	o->pull_started = store_now_ms();
	if (o->npass == 1)
		o->cycle_started = o->pull_started;
	o->hs_taken = o->sf_taken = 0;
	o->hs_pass.more = 0;
	for (size_t k = 0; k < o->nsfo; k++)
		o->sfo[k].pass.more = 0;
	since = o->hs_pass.since < 0 ? 0 : o->hs_pass.since;
	/* a feed is read newest first, in one pass */
	if (!o->hs_pass.done && o->feed) {
		err = pull_feed(o, since, &herr);
	} else if (!o->hs_pass.done) {
		const char **props = xcalloc(json_array_size(o->hs_props) + 1, sizeof(*props));
		size_t i;
		json_t *v;

		json_array_foreach(o->hs_props, i, v)
			props[i] = json_string_value(v);
		err = hs_search_modified(o->e->hs, o->hs_object, o->hs_modprop, since, props,
					 on_hs_pulled, o, &o->hs_max, &herr);
		if (err == PASS_FULL)
			err = 0;
		free(props);
	}
	if (err) {
		log_err("%s: cannot read HubSpot changes: %s %s", o->inst->tag, herr.category,
			herr.message);
		return err;
	}
	/* a feed's records never change and nothing flows back to them: the
	 * Salesforce side has no changes to read (partners are read by id) */
	if (!o->feed) {
		struct pull_ctx *pcs = pull_ctxs(o);
		struct sf_lookups l = { 0 };
		struct sf_error serr;

		for (size_t k = 0; k < o->nsfo; k++) {
			struct sf_obj *so = &o->sfo[k];
			char *q, *full;
			char when[40];

			if (so->pass.done)
				continue;
			q = soql_select(so);
			if (so->pass.since >= 0) {
				sf_soql_datetime(so->pass.since, when, sizeof(when));
				full = xasprintf("%s WHERE SystemModstamp >= %s ORDER BY SystemModstamp, Id", q,
						 when);
			} else {
				full = xasprintf("%s ORDER BY SystemModstamp, Id", q);
			}
			free(q);
			l.soql = xrealloc(l.soql, (l.n + 1) * sizeof(*l.soql));
			l.users = xrealloc(l.users, (l.n + 1) * sizeof(*l.users));
			l.soql[l.n] = full;
			l.users[l.n++] = &pcs[k];
		}
		/* queryAll: deletes are changes too; the objects' first pages share
		 * one Composite call */
		if (l.n)
			err = sf_query_many(o->e->sf, (const char *const *)l.soql, l.n, 1, on_sf_pulled,
					    l.users, &serr);
		if (err)
			log_err("%s: cannot read Salesforce changes: %s %s", o->inst->tag, serr.code,
				serr.message);
		lookups_release(&l);
		free(pcs);
		if (err)
			return err;
	}
	for (size_t k = 0; k < o->nsfo; k++) {
		sf_more |= o->sfo[k].pass.more;
		sf_from_start &= o->sfo[k].cursor < 0;
	}
	o->hs_whole = o->npass == 1 && o->hs_cursor < 0 && !o->hs_pass.more;
	o->sf_whole = o->npass == 1 && sf_from_start && !sf_more;
	return 0;
}

/* ---- fetch current values and match ------------------------------------- */

int engine_cycle(struct engine *e);
static int run_object(struct engine *e, struct crmsync_instance *inst);

/* The org's daily API limit, from /limits when nothing is known yet; after
 * that every response's Sforce-Limit-Info keeps it current for free. */
static void read_org_limits(struct engine *e)
{
	struct sf_error serr;
	int64_t known = 0;
	json_t *lim = NULL, *d;

	if (store_kv_get_int(e->store, "salesforce.org_max", &known) == 0 && known > 0)
		return;
	if (sf_get(e->sf, "/limits", &lim, &serr)) {
		log_warn("cannot read the org's API limits: %s %s", serr.code, serr.message);
		return;
	}
	d = json_object_get(lim, "DailyApiRequests");
	if (json_is_integer(json_object_get(d, "Max")) && json_is_integer(json_object_get(d, "Remaining"))) {
		long max = (long)json_integer_value(json_object_get(d, "Max"));
		long rem = (long)json_integer_value(json_object_get(d, "Remaining"));

		budget_observe(e->budget, max - rem, max);
		log_info("Salesforce org: %ld of %ld daily API calls used", max - rem, max);
	}
	json_decref(lim);
}

static int login(struct engine *e)
{
	int err;

	if (e->logged_in)
		return 0;
	err = sf_login(e->sf);
	if (!err)
		err = hs_login(e->hs);
	if (!err)
		e->logged_in = 1;
	if (!err)
		read_org_limits(e);
	return err;
}

/* Dependency order: an object runs after every object it depends on. */
void engine_order_objects(struct config *cfg, struct crmsync_instance **out, size_t *n)
{
	size_t done = 0, total = 0;

	for (size_t i = 0; i < cfg->ninst; i++)
		if (cfg->inst[i]->kind == KIND_OBJECT && cfg->inst[i]->enabled && cfg->inst[i]->plugin)
			total++;
	while (done < total) {
		size_t before = done;

		for (size_t i = 0; i < cfg->ninst; i++) {
			struct crmsync_instance *inst = cfg->inst[i];
			int ready = 1, placed = 0;

			if (inst->kind != KIND_OBJECT || !inst->enabled || !inst->plugin)
				continue;
			for (size_t k = 0; k < done; k++)
				if (out[k] == inst)
					placed = 1;
			if (placed)
				continue;
			for (const char *const *d = inst->plugin->object.depends_on; d && *d; d++) {
				int dep_enabled = 0, dep_placed = 0;

				for (size_t k = 0; k < cfg->ninst; k++)
					if (cfg->inst[k]->kind == KIND_OBJECT && cfg->inst[k]->enabled &&
					    strcmp(cfg->inst[k]->name, *d) == 0)
						dep_enabled = 1;
				for (size_t k = 0; k < done; k++)
					if (strcmp(out[k]->name, *d) == 0)
						dep_placed = 1;
				if (dep_enabled && !dep_placed)
					ready = 0;
			}
			if (ready)
				out[done++] = inst;
		}
		if (done == before) {
			/* a cycle in depends_on: run the rest in config order */
			for (size_t i = 0; i < cfg->ninst; i++) {
				struct crmsync_instance *inst = cfg->inst[i];
				int placed = 0;

				if (inst->kind != KIND_OBJECT || !inst->enabled || !inst->plugin)
					continue;
				for (size_t k = 0; k < done; k++)
					if (out[k] == inst)
						placed = 1;
				if (!placed)
					out[done++] = inst;
			}
		}
	}
	*n = done;
}

int engine_cycle(struct engine *e)
{
	struct crmsync_instance **order = xcalloc(e->cfg->ninst + 1, sizeof(*order));
	size_t n = 0;
	int rc = 0, err;

	err = login(e);
	if (err) {
		free(order);
		return err;
	}
	if (e->opts.fresh_metadata && !e->opts.dry_run)
		store_meta_clear(e->store, NULL);
	owners_release(e);
	owners_load(e);
	if (retry_collect(e))
		log_warn("cannot read the resync queue and due retries; trying again next cycle");
	engine_order_objects(e->cfg, order, &n);
	for (size_t i = 0; i < n; i++) {
		if (e->opts.stop && *e->opts.stop) {
			rc = 1;
			break;
		}
		err = run_object(e, order[i]);
		if (err)
			rc = 1;
	}
	retry_release(e);
	if (e->metadata_stale && !e->opts.dry_run && store_meta_clear(e->store, NULL) == 0)
		log_info("a write was refused for a field: the metadata is read again next cycle");
	free(order);
	return rc;
}


/*
 * One pass: its changes, and this cycle's resyncs, due retries, records
 * waiting for a partner and related-record triggers in the first pass (the
 * waiting ones again in the last, when there are several: their partner may
 * have synced in between), matched, merged, written, settled; then the
 * cursors move to what the pass covered.
 */
static int run_pass(struct sync_obj *o)
{
	struct engine *e = o->e;
	int first, last, err;

	first = ++o->npass == 1;
	err = pull(o);
	last = pass_is_last(o);
	if (!err && first)
		err = retry_pull(o);
	if (!err && (first || last))
		err = links_requeue(o);
	if (!err && first)
		err = related_triggers(o);
	if (!err)
		err = follow_conversions(o);
	if (!err)
		err = fetch_partners(o);
	if (!err)
		err = match_units(o);
	if (!err)
		err = links_match(o);
	if (!err)
		err = related_attach(o);
	if (!err)
		err = links_read(o);
	if (!err) {
		plan_units(o);
		if (e->opts.dry_run)
			plan_tally(o);
		else
			err = push_units(o);
		if (!err && !e->opts.dry_run)
			err = settle_units(o);
		if (!err)
			err = resolve_synced(o);
	}
	if (!err && !o->incomplete) {
		pass_end(o);
		if (!e->opts.dry_run)
			err = save_cursors(o);
	}
	if (!e->opts.dry_run)
		retry_finish(o, !err);
	if (!err && !o->incomplete && (o->npass > 1 || !last))
		log_info("%s: pass %d: %ld HubSpot and %ld Salesforce changes%s", o->inst->tag,
			 o->npass, o->hs_taken, o->sf_taken,
			 last ? ", the last" : "; more to read after this boundary");
	return err;
}

static int run_object(struct engine *e, struct crmsync_instance *inst)
{
	struct sync_obj o = { 0 };
	struct store_cycle cyc = { 0 };
	long sf_calls0 = sf_calls(e->sf), hs_calls0 = hs_calls(e->hs);
	int err;

	o.e = e;
	o.inst = inst;
	snprintf(cyc.object, sizeof(cyc.object), "%s", inst->name);
	cyc.started_at = store_now_ms();
	err = setup_object(&o);
	if (!err)
		load_cursors(&o);
	while (!err) {
		err = run_pass(&o);
		if (err || o.incomplete || pass_is_last(&o))
			break;
		if (e->opts.stop && *e->opts.stop) {
			log_notice("%s: stopping after pass %d; the cursors are at its boundary",
				   inst->tag, o.npass);
			o.incomplete = 1;
			break;
		}
		units_release(&o);
	}
	if (!err && e->opts.dry_run)
		plan_print(&o, e->opts.plan ? e->opts.plan : stdout);
	cyc.finished_at = store_now_ms();
	cyc.n_read = o.n_read;
	cyc.n_written = o.n_created_sf + o.n_created_hs + o.n_updated_sf + o.n_updated_hs + o.n_deleted;
	cyc.n_failed = o.n_failed;
	snprintf(cyc.status, sizeof(cyc.status), "%s",
		 err == -EDQUOT ? "paused" : err ? "failed" : o.incomplete ? "partial" : "ok");
	snprintf(cyc.message, sizeof(cyc.message),
		 "sf creates %ld, hs creates %ld, sf updates %ld, hs updates %ld, deletes %ld, "
		 "skipped %ld, ambiguous %ld, waiting for a partner %ld, associations written %ld, "
		 "matched through links %ld, errors resolved %ld; calls: salesforce %ld, hubspot %ld; "
		 "passes %d",
		 o.n_created_sf, o.n_created_hs, o.n_updated_sf, o.n_updated_hs, o.n_deleted,
		 o.n_skipped, o.n_ambiguous, o.n_waiting, o.n_associated, o.n_matched_links,
		 o.n_resolved, sf_calls(e->sf) - sf_calls0, hs_calls(e->hs) - hs_calls0, o.npass);
	if (!e->opts.dry_run)
		store_cycle_put(e->store, &cyc);
	log_info("%s: %s: read %" PRId64 ", written %" PRId64 ", failed %" PRId64 " (%s)", inst->tag,
		 cyc.status, cyc.n_read, cyc.n_written, cyc.n_failed, cyc.message);
	sync_obj_release(&o);
	return err ? err : (o.incomplete ? -EAGAIN : 0);
}
