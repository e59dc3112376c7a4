/*
 * HubSpot side of crmsync-sim: storage of forms and their submissions (forms
 * sorted by creation, each form's submissions by submittedAt), HubSpot's
 * defaults for a form definition, a contact's conversion properties, and the
 * forms' part of save/load and the admin dump. No HTTP handling here (the
 * endpoints are in hs_forms.c and hs_forms_submit.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs.h"

/* ---- storage ----------------------------------------------------------------- */

int hs_form_key_cmp(int64_t a_at, const char *a_id, int64_t b_at, const char *b_id)
{
	if (a_at != b_at)
		return a_at < b_at ? -1 : 1;
	return strcmp(a_id, b_id);
}

size_t hs_forms_lower(const struct sim_side *s, int64_t at, const char *id)
{
	size_t lo = 0, hi = s->nforms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hs_form_key_cmp(s->forms[mid]->created, s->forms[mid]->id, at, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t hs_subs_lower(const struct hs_form *f, int64_t at, const char *id)
{
	size_t lo = 0, hi = f->nsubs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hs_form_key_cmp(f->subs[mid].at, f->subs[mid].id, at, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct hs_form *hs_form_find(struct sim_side *s, const char *id)
{
	for (size_t i = 0; i < s->nforms; i++)
		if (!strcmp(s->forms[i]->id, id))
			return s->forms[i];
	return NULL;
}

struct hs_form *hs_form_add(struct sim_side *s, const char *id, int64_t created, json_t *def)
{
	struct hs_form *f;
	char ts[32];
	size_t at;

	if (s->nforms == s->capforms) {
		size_t ncap = s->capforms ? s->capforms * 2 : 8;
		struct hs_form **nf = realloc(s->forms, ncap * sizeof(*nf));

		if (!nf)
			goto out_put_def;
		s->forms = nf;
		s->capforms = ncap;
	}
	f = calloc(1, sizeof(*f));
	if (!f)
		goto out_put_def;
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->created = created;
	hs_iso(created, ts);
	/* the members in the order HubSpot sends them; def's own times win */
	f->json = json_pack("{s:s,s:O,s:O,s:s,s:s,s:b}", "id", f->id,
			    "name", json_object_get(def, "name"), "formType", json_object_get(def, "formType"),
			    "createdAt", ts, "updatedAt", ts, "archived", 0);
	if (!f->json) {
		free(f);
		goto out_put_def;   /* no name or formType */
	}
	json_object_del(def, "id");
	json_object_update(f->json, def);
	json_decref(def);
	at = hs_forms_lower(s, created, f->id);
	memmove(s->forms + at + 1, s->forms + at, (s->nforms - at) * sizeof(*s->forms));
	s->forms[at] = f;
	s->nforms++;
	return f;
out_put_def:
	json_decref(def);
	return NULL;
}

int hs_form_record(struct hs_form *f, const char *cid, int64_t at, json_t *values,
		   const char *page_url, bool sorted)
{
	struct hs_submission *sub;
	size_t pos = f->nsubs;

	if (f->nsubs == f->capsubs) {
		size_t ncap = f->capsubs ? f->capsubs * 2 : 16;
		struct hs_submission *ns = realloc(f->subs, ncap * sizeof(*ns));

		if (!ns) {
			json_decref(values);
			return -ENOMEM;
		}
		f->subs = ns;
		f->capsubs = ncap;
	}
	if (sorted) {
		pos = hs_subs_lower(f, at, cid);
		memmove(f->subs + pos + 1, f->subs + pos, (f->nsubs - pos) * sizeof(*f->subs));
	}
	sub = &f->subs[pos];
	sub->at = at;
	snprintf(sub->id, sizeof(sub->id), "%s", cid);
	sub->json = json_pack("{s:s,s:I,s:o}", "conversionId", cid, "submittedAt",
			      (json_int_t)at, "values", values);
	if (page_url)
		json_object_set_new(sub->json, "pageUrl", json_string(page_url));
	f->nsubs++;
	return 0;
}

static int sub_cmp(const void *a, const void *b)
{
	const struct hs_submission *x = a, *y = b;

	return hs_form_key_cmp(x->at, x->id, y->at, y->id);
}

void hs_forms_sort(struct sim_side *s)
{
	for (size_t i = 0; i < s->nforms; i++)
		if (s->forms[i]->nsubs)   /* qsort's base must not be NULL, even for none */
			qsort(s->forms[i]->subs, s->forms[i]->nsubs, sizeof(struct hs_submission),
			      sub_cmp);
}

static void form_free(struct hs_form *f)
{
	for (size_t k = 0; k < f->nsubs; k++)
		json_decref(f->subs[k].json);
	free(f->subs);
	json_decref(f->json);
	free(f);
}

void hs_forms_free(struct sim_side *s)
{
	for (size_t i = 0; i < s->nforms; i++)
		form_free(s->forms[i]);
	free(s->forms);
	s->forms = NULL;
	s->nforms = s->capforms = 0;
}

/* ---- definitions ------------------------------------------------------------ */

static json_t *default_configuration(void)
{
	return json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:[],s:b,s:b,s:b,s:[],s:{s:s,s:s}}",
		"language", "en", "cloneable", 1, "editable", 1, "archivable", 1,
		"recaptchaEnabled", 0, "notifyContactOwner", 0, "notifyRecipients",
		"createNewContactForNewEmail", 1, "prePopulateKnownValues", 1,
		"allowLinkToResetKnownValues", 0, "lifecycleStages",
		"postSubmitAction", "type", "thank_you", "value", "Thanks for submitting the form.");
}

static json_t *default_display(void)
{
	return json_pack("{s:b,s:s,s:s,s:{}}", "renderRawHtml", 0, "theme", "default_style",
			 "submitButtonText", "Submit", "style");
}

static const char *field_type_of(const char *name)
{
	if (!strcmp(name, "email"))
		return "email";
	if (!strcmp(name, "phone"))
		return "phone";
	if (!strcmp(name, "mobilephone"))
		return "mobile_phone";
	if (!strcmp(name, "message"))
		return "multi_line_text";
	return "single_line_text";
}

/* Fill a field group's and its fields' missing members with the defaults. */
static void group_defaults(json_t *g)
{
	json_t *fld;
	size_t i;

	json_object_update_missing_new(g, json_pack("{s:s,s:s}", "groupType", "default_group",
						    "richTextType", "text"));
	json_array_foreach(json_object_get(g, "fields"), i, fld) {
		const char *name = json_string_value(json_object_get(fld, "name"));

		json_object_update_missing_new(fld, json_pack("{s:s,s:s,s:b,s:b,s:s}",
			"objectTypeId", "0-1", "label", name ? name : "", "required", 0, "hidden", 0,
			"fieldType", field_type_of(name ? name : "")));
	}
}

void hs_form_fill_defaults(json_t *def)
{
	json_t *conf = default_configuration(), *disp = default_display(), *g;
	size_t i;

	json_object_update(conf, json_object_get(def, "configuration"));
	json_object_update(disp, json_object_get(def, "displayOptions"));
	json_object_set_new(def, "configuration", conf);
	json_object_set_new(def, "displayOptions", disp);
	if (!json_is_object(json_object_get(def, "legalConsentOptions")))
		json_object_set_new(def, "legalConsentOptions", json_pack("{s:s}", "type", "none"));
	json_array_foreach(json_object_get(def, "fieldGroups"), i, g)
		group_defaults(g);
}

json_t *hs_form_def(struct sim_side *s, const char *name, const char *const *fields, int nfields)
{
	json_t *groups = json_array();

	for (int i = 0; i < nfields; i++) {
		json_t *pd = json_object_get(s->types[HS_CONTACTS].propdefs, fields[i]);
		const char *label = json_string_value(json_object_get(pd, "label"));

		json_array_append_new(groups, json_pack("{s:s,s:s,s:[{s:s,s:s,s:s,s:b,s:b,s:s}]}",
			"groupType", "default_group", "richTextType", "text", "fields",
			"objectTypeId", "0-1", "name", fields[i], "label", label ? label : fields[i],
			"required", i == 0, "hidden", 0, "fieldType", field_type_of(fields[i])));
	}
	return json_pack("{s:s,s:s,s:o,s:o,s:o,s:{s:s}}", "name", name, "formType", "hubspot",
			 "fieldGroups", groups, "configuration", default_configuration(),
			 "displayOptions", default_display(), "legalConsentOptions", "type", "none");
}

/* ---- contacts ------------------------------------------------------------------ */

static int64_t prop_ms(const struct hs_record *r, const char *name)
{
	const char *v = json_string_value(json_object_get(r->props, name));

	return v ? sim_parse_time(v) : -1;
}

void hs_contact_converted(struct sim_side *s, struct hs_record *r, json_t *norm,
			  const char *form_name, int64_t at, int64_t now)
{
	struct hs_objtype *ct = &s->types[HS_CONTACTS];
	const char *n = json_string_value(json_object_get(r->props, "num_conversion_events"));
	json_t *p = norm ? json_incref(norm) : json_object();
	int64_t first = prop_ms(r, "first_conversion_date");
	char ts[32], num[24];

	hs_iso(at, ts);
	if (first < 0 || at < first) {
		json_object_set_new(p, "first_conversion_date", json_string(ts));
		json_object_set_new(p, "first_conversion_event_name", json_string(form_name));
	}
	if (at >= prop_ms(r, "recent_conversion_date")) {
		json_object_set_new(p, "recent_conversion_date", json_string(ts));
		json_object_set_new(p, "recent_conversion_event_name", json_string(form_name));
	}
	snprintf(num, sizeof(num), "%lld", (n ? strtoll(n, NULL, 10) : 0) + 1);
	json_object_set_new(p, "num_conversion_events", json_string(num));
	hs_rec_apply(ct, r, p, now);
	json_decref(p);
}

/* ---- save / load / dump ----------------------------------------------------------- */

json_t *hs_forms_save(struct sim_side *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->nforms; i++) {
		struct hs_form *f = s->forms[i];
		json_t *subs = json_array();

		for (size_t k = 0; k < f->nsubs; k++)
			json_array_append(subs, f->subs[k].json);
		json_array_append_new(arr, json_pack("{s:O,s:I,s:I,s:o}", "form", f->json,
				      "c", (json_int_t)f->created, "a", (json_int_t)f->archived_at,
				      "subs", subs));
	}
	return arr;
}

static int form_load(struct sim_side *s, json_t *jf)
{
	json_t *def = json_object_get(jf, "form"), *js;
	const char *id = json_string_value(json_object_get(def, "id"));
	struct hs_form *f;
	size_t k;

	if (!id || !json_is_object(def))
		return -EINVAL;
	f = hs_form_add(s, id, json_integer_value(json_object_get(jf, "c")), json_deep_copy(def));
	if (!f)
		return -ENOMEM;
	f->archived_at = json_integer_value(json_object_get(jf, "a"));
	json_array_foreach(json_object_get(jf, "subs"), k, js) {
		const char *cid = json_string_value(json_object_get(js, "conversionId"));
		int64_t at = json_integer_value(json_object_get(js, "submittedAt"));
		json_t *values = json_object_get(js, "values");

		if (!cid || !json_is_array(values))
			return -EINVAL;
		if (hs_form_record(f, cid, at, json_deep_copy(values),
				   json_string_value(json_object_get(js, "pageUrl")), false))
			return -ENOMEM;
	}
	return 0;
}

int hs_forms_load(struct sim_side *s, json_t *forms)
{
	json_t *jf;
	size_t i;
	int err;

	hs_forms_free(s);
	json_array_foreach(forms, i, jf)
		if ((err = form_load(s, jf)))
			return err;
	hs_forms_sort(s);
	return 0;
}

bool hs_forms_dump(struct sim_side *s, const char *object, struct sim_resp *resp)
{
	bool subs = !strcmp(object, "form_submissions");
	json_t *arr;

	if (!subs && strcmp(object, "forms"))
		return false;
	arr = json_array();
	for (size_t i = 0; i < s->nforms; i++) {
		struct hs_form *f = s->forms[i];

		if (!subs)
			json_array_append(arr, f->json);
		for (size_t k = 0; subs && k < f->nsubs; k++) {
			json_t *o = json_copy(f->subs[k].json);

			json_object_set_new(o, "formId", json_string(f->id));
			json_array_append_new(arr, o);
		}
	}
	sim_resp_json(resp, 200, arr);
	return true;
}

