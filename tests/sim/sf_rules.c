/*
 * crmsync-sim, Salesforce side: the org's own rules, evaluated on the merged
 * values of a record being saved: state/country picklists, unique fields
 * (DUPLICATE_VALUE), duplicate rules (DUPLICATES_DETECTED, with the
 * duplicateResult naming the rule and the matched record), validation rules
 * (FIELD_CUSTOM_VALIDATION_EXCEPTION) and record-triggered flows
 * (CANNOT_EXECUTE_FLOW_TRIGGER). Rules come from the config (sf_config.c).
 */
#include "config.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

struct sf_addr {
	enum sf_obj_id obj;
	const char *state, *state_code, *country, *country_code;
};

static const struct sf_addr sf_addrs[] = {
	{SF_LEAD, "State", "StateCode", "Country", "CountryCode"},
	{SF_CONTACT, "MailingState", "MailingStateCode", "MailingCountry", "MailingCountryCode"},
	{SF_ACCOUNT, "BillingState", "BillingStateCode", "BillingCountry", "BillingCountryCode"},
};

static const char *sf_str(json_t *m, const char *k)
{
	return json_string_value(json_object_get(m, k));
}

int sf_address_check(struct sim_side *s, struct sf_object *o, json_t *m, json_t *in,
		     struct sf_err *e)
{
	const struct sf_addr *a = NULL;
	const char *cc, *cn, *sc, *sn, *v;

	if (!json_is_true(sf_config_get(s, "state_country_picklists")))
		return 0;
	for (size_t i = 0; i < sizeof(sf_addrs) / sizeof(sf_addrs[0]); i++)
		if (sf_addrs[i].obj == o->kind)
			a = &sf_addrs[i];
	if (!a)
		return 0;
	/* a pair member set alone replaces its partner */
	if (json_object_get(in, a->country_code) && !json_object_get(in, a->country))
		json_object_del(m, a->country);
	if (json_object_get(in, a->country) && !json_object_get(in, a->country_code))
		json_object_del(m, a->country_code);
	if (json_object_get(in, a->state_code) && !json_object_get(in, a->state))
		json_object_del(m, a->state);
	if (json_object_get(in, a->state) && !json_object_get(in, a->state_code))
		json_object_del(m, a->state_code);

	cc = sf_str(m, a->country_code);
	cn = sf_str(m, a->country);
	if (cc && !sf_country_name(cc)) {
		sf_err_set(e, 400, "FIELD_INTEGRITY_EXCEPTION", a->country_code,
			   "The %s field contains %.40s, which isn't an available country",
			   a->country_code, cc);
		return -EINVAL;
	}
	if (cn && !cc) {
		cc = sf_country_code(cn);
		if (!cc) {
			sf_err_set(e, 400, "FIELD_INTEGRITY_EXCEPTION", a->country,
				   "There's a problem with this country, even though it may appear "
				   "correct. Please select a country/territory from the list of valid "
				   "countries.");
			return -EINVAL;
		}
	}
	if (cc) {
		json_object_set_new(m, a->country_code, json_string(cc));
		json_object_set_new(m, a->country, json_string(sf_country_name(cc)));
	}
	sc = sf_str(m, a->state_code);
	sn = sf_str(m, a->state);
	if (!sc && !sn)
		return 0;
	if (!cc || !sf_country_has_states(cc)) {
		if (sc) {
			sf_err_set(e, 400, "FIELD_INTEGRITY_EXCEPTION", a->state_code,
				   "The %s field contains %.40s, which isn't an available state",
				   a->state_code, sc);
			return -EINVAL;
		}
		return 0; /* free-text state for countries without a state list */
	}
	if (sc && !sf_state_name(cc, sc)) {
		sf_err_set(e, 400, "FIELD_INTEGRITY_EXCEPTION", a->state_code,
			   "The %s field contains %.40s, which isn't an available state",
			   a->state_code, sc);
		return -EINVAL;
	}
	if (!sc) {
		sc = sf_state_code(cc, sn);
		if (!sc) {
			sf_err_set(e, 400, "FIELD_INTEGRITY_EXCEPTION", a->state,
				   "There's a problem with this state, even though it may appear "
				   "correct. Please select a state from the list of valid states.");
			return -EINVAL;
		}
	}
	v = sf_state_name(cc, sc);
	json_object_set_new(m, a->state_code, json_string(sc));
	json_object_set_new(m, a->state, json_string(v));
	return 0;
}

/* The text form of a value for rule conditions ("" when empty). */
static void sf_val_text(json_t *v, char *buf, size_t len)
{
	if (json_is_string(v))
		snprintf(buf, len, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, len, "%g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, len, "%s", json_is_true(v) ? "true" : "false");
	else
		buf[0] = '\0';
}

static bool sf_regex(const char *pat, const char *text)
{
	regex_t re;
	bool hit;

	if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	hit = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return hit;
}

/* A rule condition {field, op, value|values}: true when it holds. */
static bool sf_cond(json_t *rule, json_t *m)
{
	const char *field = sf_str(rule, "field");
	const char *op = sf_str(rule, "op");
	const char *val = sf_str(rule, "value");
	char text[2048];
	size_t tl, vl;

	if (!field || !op)
		return false;
	sf_val_text(json_object_get(m, field), text, sizeof(text));
	tl = strlen(text);
	vl = val ? strlen(val) : 0;
	if (strcmp(op, "empty") == 0)
		return tl == 0;
	if (strcmp(op, "not_empty") == 0)
		return tl != 0;
	if (strcmp(op, "longer_than") == 0)
		return (long)tl > (long)json_integer_value(json_object_get(rule, "value"));
	if (strcmp(op, "in") == 0) {
		json_t *vals = json_object_get(rule, "values"), *x;
		size_t i;
		json_array_foreach(vals, i, x)
			if (json_is_string(x) && strcasecmp(json_string_value(x), text) == 0)
				return true;
		return false;
	}
	if (!val)
		return false;
	if (strcmp(op, "equals") == 0)
		return strcmp(text, val) == 0;
	if (strcmp(op, "not_equals") == 0)
		return strcmp(text, val) != 0;
	if (strcmp(op, "contains") == 0)
		return strstr(text, val) != NULL;
	if (strcmp(op, "starts_with") == 0)
		return strncmp(text, val, vl) == 0;
	if (strcmp(op, "ends_with") == 0)
		return tl >= vl && strcmp(text + tl - vl, val) == 0;
	/* the *_matches ops only look at non-empty values */
	if (strcmp(op, "matches") == 0)
		return tl && sf_regex(val, text);
	if (strcmp(op, "not_matches") == 0)
		return tl && !sf_regex(val, text);
	return false;
}

static bool sf_rule_applies(json_t *rule, const struct sf_object *o)
{
	const char *obj = sf_str(rule, "object");
	json_t *active = json_object_get(rule, "active");
	return obj && strcmp(obj, o->name) == 0 && !json_is_false(active);
}

static int sf_unique(struct sf_object *o, struct sf_rec *self, json_t *m, struct sf_err *e)
{
	char key[1024];

	for (size_t i = 0; i < o->nfields; i++) {
		const struct sf_field *f = &o->fields[i];
		const struct sf_vec *hits;

		if (!(f->flags & SF_F_UNQ) || !f->idx)
			continue;
		sf_val_text(json_object_get(m, f->name), key, sizeof(key));
		if (!key[0] || !(hits = sf_index_lookup(f, key)))
			continue;
		for (size_t k = 0; k < hits->n; k++) {
			if (hits->v[k] == self || hits->v[k]->deleted)
				continue;
			sf_err_set(e, 400, "DUPLICATE_VALUE", f->name,
				   "duplicate value found: %s duplicates value on record with id: %s",
				   f->name, hits->v[k]->id);
			return -EINVAL;
		}
	}
	return 0;
}

/* The duplicateResult of a DuplicateError (SOAP API "DuplicateError",
 * "DuplicateResult", "MatchResult", "MatchRecord"): the rule, and the
 * existing record it matched. The simulator's matching is exact. */
static json_t *sf_dup_result(json_t *rule, const struct sf_object *o, const struct sf_object *to,
			     const struct sf_rec *x, const char *msg)
{
	char url[128], mrule[160];

	snprintf(url, sizeof(url), SF_BASE "/sobjects/%s/%s", to->name, x->id);
	if (sf_str(rule, "matchingRule"))
		snprintf(mrule, sizeof(mrule), "%s", sf_str(rule, "matchingRule"));
	else
		snprintf(mrule, sizeof(mrule), "Standard_%s_Match_Rule_v1_1", to->name);
	return json_pack("{s:{s:b, s:s, s:s, s:s, s:[{s:s, s:n, s:s, s:[{s:[], s:[], s:f, "
			 "s:{s:{s:s, s:s}, s:s}}], s:s, s:i, s:b}]}}",
			 "duplicateResult",
			 "allowSave", !json_is_false(json_object_get(rule, "allowSave")),
			 "duplicateRule", sf_str(rule, "name") ? sf_str(rule, "name") : "",
			 "duplicateRuleEntityType", o->name, "errorMessage", msg,
			 "matchResults", "entityType", to->name, "errorMessage",
			 "matchEngine", "ExactMatchEngine", "matchRecords",
			 "additionalInformation", "fieldDiffs", "matchConfidence", 100.0,
			 "record", "attributes", "type", to->name, "url", url, "Id", x->id,
			 "rule", mrule, "size", 1, "success", 1);
}

static int sf_dup_rules(struct sim_side *s, struct sf_object *o, struct sf_rec *self,
			json_t *m, unsigned wflags, struct sf_err *e)
{
	json_t *rules = sf_config_get(s, "duplicate_rules"), *rule;
	size_t i;

	json_array_foreach(rules, i, rule) {
		const char *field = sf_str(rule, "field");
		json_t *match = json_object_get(rule, "match"), *mo;
		const char *val;
		size_t k;

		if (!sf_rule_applies(rule, o) || !field)
			continue;
		if ((wflags & SF_W_ALLOWSAVE) && !json_is_false(json_object_get(rule, "allowSave")))
			continue;
		val = sf_str(m, field);
		if (!val || !*val)
			continue;
		if (!json_is_array(match) || json_array_size(match) == 0)
			match = NULL;
		for (k = 0; k < (match ? json_array_size(match) : 1); k++) {
			struct sf_object *to;
			const struct sf_field *tf;
			const struct sf_vec *hits;

			mo = match ? json_array_get(match, k) : NULL;
			to = mo ? sf_object_find(s, json_string_value(mo) ? json_string_value(mo) : "") : o;
			if (!to || !(tf = sf_field_find(to, field)))
				continue;
			hits = tf->idx ? sf_index_lookup(tf, val) : NULL;
			if (tf->idx && !hits)
				continue;
			/* an unindexed field (a phone number, a name): scan the records */
			for (size_t h = 0; h < (hits ? hits->n : to->nrecs); h++) {
				struct sf_rec *x = hits ? hits->v[h] : to->recs[h];
				const char *xv = hits ? val : sf_str(x->f, field);

				if (!xv || strcasecmp(xv, val) != 0)
					continue;
				if (x == self || x->deleted ||
				    json_is_true(json_object_get(x->f, "IsConverted")))
					continue;
				sf_err_set(e, 400, "DUPLICATES_DETECTED", NULL, "%s",
					   sf_str(rule, "message") ? sf_str(rule, "message") :
					   "Use one of these records?");
				e->extra = sf_dup_result(rule, o, to, x, e->msg);
				return -EINVAL;
			}
		}
	}
	return 0;
}

int sf_rules_check(struct sim_side *s, struct sf_object *o, struct sf_rec *self,
		   json_t *merged, unsigned wflags, struct sf_err *e)
{
	json_t *rule;
	size_t i;

	if (sf_unique(o, self, merged, e) < 0)
		return -EINVAL;
	json_array_foreach(sf_config_get(s, "validation_rules"), i, rule) {
		if (!sf_rule_applies(rule, o) || !sf_cond(rule, merged))
			continue;
		sf_err_set(e, 400, "FIELD_CUSTOM_VALIDATION_EXCEPTION", sf_str(rule, "errorField"),
			   "%s", sf_str(rule, "message") ? sf_str(rule, "message") :
			   "Validation rule failed");
		return -EINVAL;
	}
	if (sf_dup_rules(s, o, self, merged, wflags, e) < 0)
		return -EINVAL;
	/* "record_faults": platform conditions bound to matching records (a row
	 * lock held by another job, an internal error, an Apex exception), each
	 * with the errorCode and message the org would answer */
	json_array_foreach(sf_config_get(s, "record_faults"), i, rule) {
		if (!sf_rule_applies(rule, o) || !sf_cond(rule, merged))
			continue;
		sf_err_set(e, 400, sf_str(rule, "errorCode") ? sf_str(rule, "errorCode")
							     : "UNKNOWN_EXCEPTION",
			   sf_str(rule, "errorField"), "%s",
			   sf_str(rule, "message") ? sf_str(rule, "message")
						   : "An unexpected error occurred. Please include this "
						     "ErrorId if you contact support: 1234567890-12345 "
						     "(-1234567890)");
		return -EINVAL;
	}
	json_array_foreach(sf_config_get(s, "flows"), i, rule) {
		const char *name = sf_str(rule, "name");
		if (!sf_rule_applies(rule, o) || !sf_cond(rule, merged))
			continue;
		sf_err_set(e, 400, "CANNOT_EXECUTE_FLOW_TRIGGER", NULL,
			   "We can't save this record because the \xe2\x80\x9c%s\xe2\x80\x9d process "
			   "failed. Give your Salesforce admin these details. An unhandled fault has "
			   "occurred in this flow. An unhandled fault has occurred while processing the "
			   "flow. Please contact your system administrator for more information.",
			   name ? name : "Record-Triggered Flow");
		return -EINVAL;
	}
	return 0;
}
