/*
 * property_mapping.c - resolver for a mapping that no longer fits: a mapped
 * Salesforce field/object or HubSpot property that does not exist (any
 * more), a read-only target, incompatible types, or a lookup (reference)
 * field fed with something that is not a record id. Shows the HubSpot
 * property, the Salesforce field and the problem. Never retried: the mapping
 * has to change. Must not claim state/country integrity errors (picklist).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "property_mapping"

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {
	"INVALID_FIELD",
	"INVALID_TYPE",
	"FIELD_INTEGRITY_EXCEPTION",
	"MALFORMED_ID",
	"JSON_PARSER_ERROR",
	"hubspot:VALIDATION_ERROR:PROPERTY_DOESNT_EXIST",
	"hubspot:VALIDATION_ERROR:READ_ONLY_VALUE",
	NULL,
};

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	struct crmsync_failure fcopy; /* f, with the fields its raw body names */
	struct ru_fields fstore;
	char hs_prop[RU_SHORT] = "", sf_field[RU_SHORT] = "", sf_object[RU_SHORT] = "";
	char sub[RU_SHORT], value[RU_SHORT] = "", hint[RU_LONG];
	const char *problem, *mapping, *v;
	int err = 0;

	(void)inst;
	(void)ctx;
	if (!f || !diag || !host)
		return -EINVAL;
	f = ru_with_fields(f, &fcopy, &fstore);
	if (!ru_match_any(f, codes) || ru_is_state_country_integrity(f))
		return CRMSYNC_DECLINED;
	snprintf(sf_object, sizeof(sf_object), "%s", ru_object_name(host, f, "the object"));
	/* The object component names the mapping the admin edits. */
	mapping = ru_nonempty(f->object) ? f->object : "this object";

	if (f->side == CRMSYNC_SIDE_HUBSPOT) {
		const char *errs = f->raw ? strstr(f->raw, "\"errors\"") : NULL;

		if (!ru_json_scalar(f->message, "name", hs_prop, sizeof(hs_prop)) &&
		    !ru_json_first(errs, "propertyName", hs_prop, sizeof(hs_prop)) &&
		    !ru_between(f->message, "Property \"", "\"", hs_prop, sizeof(hs_prop)) &&
		    ru_first_field(f))
			snprintf(hs_prop, sizeof(hs_prop), "%s", ru_first_field(f));
		problem = ru_streq(ru_hubspot_subcode(f, sub, sizeof(sub)), "READ_ONLY_VALUE")
				  ? "HubSpot property is read-only"
				  : "HubSpot property does not exist";
		snprintf(hint, sizeof(hint),
			 "The mapping of '%s' writes to HubSpot property '%s', which %s. Open the field "
			 "mapping of '%s' and %s, then resync.",
			 mapping, hs_prop[0] ? hs_prop : "(not named)",
			 strstr(problem, "read-only") ? "is read-only (calculated or set by HubSpot)"
						      : "does not exist (deleted or renamed)",
			 mapping,
			 strstr(problem, "read-only")
				 ? "make the mapping one-way towards Salesforce, or map another property"
				 : "map an existing property (Settings > Data Management > Properties "
				   "shows internal names) or remove the line");
		goto out;
	}

	if (ru_streq(f->code, "INVALID_FIELD")) {
		/* "No such column 'Foo__c' on sobject of type Contact" / "… on entity 'Contact'" */
		if (!ru_between(f->message, "No such column '", "'", sf_field, sizeof(sf_field)) &&
		    ru_first_field(f))
			snprintf(sf_field, sizeof(sf_field), "%s", ru_first_field(f));
		if (!ru_after(f->message, "sobject of type ", " .,'\n", sf_object, sizeof(sf_object)))
			ru_between(f->message, "on entity '", "'", sf_object, sizeof(sf_object));
		problem = "Salesforce field does not exist or is not visible";
		snprintf(hint, sizeof(hint),
			 "The mapping of '%s' uses Salesforce field %s.%s, which does not exist or is "
			 "hidden from the integration user. If it was deleted or renamed, update the "
			 "field mapping of '%s'; if it exists, grant the integration user read access in "
			 "Setup > Object Manager > %s > Fields & Relationships > %s > Set Field-Level "
			 "Security. Then resync.",
			 mapping, sf_object, sf_field[0] ? sf_field : "(not named)", mapping, sf_object,
			 sf_field[0] ? sf_field : "the field");
	} else if (ru_streq(f->code, "INVALID_TYPE")) {
		/* "sObject type 'Foo__c' is not supported." */
		ru_between(f->message, "sObject type '", "'", sf_object, sizeof(sf_object));
		problem = "Salesforce object does not exist or is not visible";
		snprintf(hint, sizeof(hint),
			 "The '%s' object is mapped to Salesforce object %s, which does not exist in this "
			 "org or is not available to the integration user. Fix the Salesforce object in "
			 "the [object %s] settings, or give the integration user's profile access to it "
			 "(Setup > Profiles/Permission Sets > Object Settings). Then resync.",
			 mapping, sf_object, mapping);
	} else if (ru_streq(f->code, "JSON_PARSER_ERROR")) {
		problem = "incompatible types";
		ru_between(f->message, "instance of ", " from", value, sizeof(value));
		snprintf(hint, sizeof(hint),
			 "Salesforce could not read a mapped value as %s: a HubSpot property is mapped "
			 "to a Salesforce field of an incompatible type. In the field mapping of '%s', "
			 "map %s to a field of the same type (text to text, number to number, date to "
			 "date), then resync.",
			 value[0] ? value : "the field's type", mapping,
			 ru_first_field(f) ? ru_first_field(f) : "the property");
		value[0] = '\0';
	} else {
		/* MALFORMED_ID "Account ID: id value of incorrect type: Acme", or
		 * FIELD_INTEGRITY_EXCEPTION on a lookup (an id of the wrong object). */
		if (ru_first_field(f))
			snprintf(sf_field, sizeof(sf_field), "%s", ru_first_field(f));
		ru_after(f->message, "incorrect type:", "\n", value, sizeof(value));
		v = ru_record_value(host, f, sf_field);
		if (ru_nonempty(v))
			snprintf(value, sizeof(value), "%s", v);
		problem = "lookup field needs a record mapping";
		snprintf(hint, sizeof(hint),
			 "Salesforce field %s on %s is a lookup (reference) field and got '%s', which is "
			 "not the id of a record of the right object. Do not map a text property to it: "
			 "in the field mapping of '%s', map it from the associated record (e.g. the "
			 "company association for AccountId) or remove it, then resync.",
			 sf_field[0] ? sf_field : "(not named)", sf_object,
			 value[0] ? value : "(empty)", mapping);
	}
out:
	ru_detail(host, diag, "hubspot_property", hs_prop, &err);
	ru_detail(host, diag, "salesforce_field", sf_field, &err);
	ru_detail(host, diag, "salesforce_object",
		  f->side == CRMSYNC_SIDE_HUBSPOT ? NULL : sf_object, &err);
	ru_detail(host, diag, "value", value, &err);
	ru_detail(host, diag, "problem", problem, &err);
	return ru_finish(host, diag, TYPE, hint, CRMSYNC_RETRY_NEVER, err);
}

static const struct crmsync_resolver_ops resolver_ops = {
	sizeof(struct crmsync_resolver_ops), 0, 0, NULL, NULL, NULL, TYPE, codes, classify,
};

static int plugin_init(const struct crmsync_host *h)
{
	if (!h || h->size < RU_HOST_MIN_SIZE)
		return -EINVAL;
	host = h;
	return 0;
}

static void plugin_fini(void)
{
	host = NULL;
}

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER, "property_mapping", VERSION,
	"classifies mappings that no longer fit: missing fields, types, lookups", plugin_init,
	plugin_fini, NULL, &resolver_ops, NULL,
};
