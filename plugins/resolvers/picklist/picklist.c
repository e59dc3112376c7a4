/*
 * picklist.c - resolver for picklist mismatches: a value that the other
 * side's restricted picklist (Salesforce) or enumeration property (HubSpot)
 * does not offer, including Salesforce's state and country/territory
 * picklists. Shows the property or field and the value. Never retried: the
 * admin adds the value or fixes the record, then resyncs. Must not claim
 * other VALIDATION_ERROR sub-codes (those are property values or mappings).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "picklist"

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {
	"INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
	"BAD_VALUE_FOR_RESTRICTED_PICKLIST",
	"INVALID_PICKLIST_VALUE",
	"hubspot:VALIDATION_ERROR:INVALID_OPTION",
	NULL,
};

/* HubSpot: "Webinarr was not one of the allowed options: [...]", in the
 * validation JSON embedded in `message` or in errors[].message. */
static void parse_hubspot(const struct crmsync_failure *f, char *property, char *value)
{
	char inner[RU_LONG];
	const char *errs = f->raw ? strstr(f->raw, "\"errors\"") : NULL;

	if (!ru_json_scalar(f->message, "name", property, RU_SHORT) &&
	    !ru_json_first(errs, "propertyName", property, RU_SHORT) &&
	    !(ru_first_field(f) && snprintf(property, RU_SHORT, "%s", ru_first_field(f)) > 0))
		property[0] = '\0';
	if (!ru_json_scalar(f->message, "message", inner, sizeof(inner)) &&
	    !(errs && ru_json_scalar(errs, "message", inner, sizeof(inner))))
		snprintf(inner, sizeof(inner), "%s", f->message ? f->message : "");
	if (!ru_before(inner, " was not one of the allowed options", value, RU_SHORT))
		value[0] = '\0';
}

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	struct crmsync_failure fcopy; /* f, with the fields its raw body names */
	struct ru_fields fstore;
	char property[RU_SHORT] = "", field[RU_SHORT] = "", label[RU_SHORT] = "";
	char value[RU_SHORT] = "", hint[RU_LONG];
	const char *object, *problem, *v;
	int state_country, err = 0;

	(void)inst;
	(void)ctx;
	if (!f || !diag || !host)
		return -EINVAL;
	f = ru_with_fields(f, &fcopy, &fstore);
	state_country = ru_is_state_country_integrity(f);
	if (!state_country && !ru_match_any(f, codes))
		return CRMSYNC_DECLINED;
	object = ru_object_name(host, f, "record");

	if (f->side == CRMSYNC_SIDE_HUBSPOT) {
		parse_hubspot(f, property, value);
		problem = "value is not one of the property's options";
	} else if (state_country) {
		/* "The BillingStateCode field contains EP, which isn't an available state" */
		if (!ru_between(f->message, "The ", " field contains", field, sizeof(field)) &&
		    ru_first_field(f))
			snprintf(field, sizeof(field), "%s", ru_first_field(f));
		if (!ru_between(f->message, "contains ", ",", value, sizeof(value)))
			value[0] = '\0';
		problem = "state or country code is not enabled in Salesforce";
	} else {
		/* "Lead Source: bad value for restricted picklist field: Webinarr" */
		if (ru_first_field(f))
			snprintf(field, sizeof(field), "%s", ru_first_field(f));
		if (!ru_before(f->message, ": bad value for restricted picklist", label, sizeof(label)))
			label[0] = '\0';
		if (!ru_after(f->message, "picklist field:", "\n", value, sizeof(value)))
			value[0] = '\0';
		problem = "value is not in the restricted picklist";
	}
	/* What was written beats what the message quotes (it may be cut). */
	v = ru_record_value(host, f, f->side == CRMSYNC_SIDE_HUBSPOT ? property : field);
	if (ru_nonempty(v))
		snprintf(value, sizeof(value), "%s", v);

	ru_detail(host, diag, "property", property, &err);
	ru_detail(host, diag, "field", field, &err);
	ru_detail(host, diag, "label", label, &err);
	ru_detail(host, diag, "value", value, &err);
	ru_detail(host, diag, "object", object, &err);
	ru_detail(host, diag, "problem", problem, &err);

	if (f->side == CRMSYNC_SIDE_HUBSPOT)
		snprintf(hint, sizeof(hint),
			 "HubSpot property '%s' has no option '%s'. Either add '%s' as an option in HubSpot "
			 "(Settings > Data Management > Properties > %s > Field type options; use the same "
			 "internal value as the Salesforce picklist), or change the value on the "
			 "Salesforce record to one of the property's options. Then resync.",
			 property[0] ? property : "(not named)", value, value,
			 property[0] ? property : "the property");
	else if (state_country)
		snprintf(hint, sizeof(hint),
			 "Salesforce state and country/territory picklists are on, and '%s' is not an "
			 "available code for %s. Correct the state/country on the HubSpot record (use the "
			 "ISO code or the exact name Salesforce lists), or make the code visible in "
			 "Salesforce Setup > State and Country/Territory Picklists. Then resync.",
			 value, field[0] ? field : "the field");
	else
		snprintf(hint, sizeof(hint),
			 "Salesforce field %s%s%s%s on %s is a restricted picklist without the value '%s'. "
			 "Add '%s' to its values in Salesforce Setup > Object Manager > %s > Fields & "
			 "Relationships > %s > Values (and to the record type, if any), or change the "
			 "HubSpot property's option so it matches an existing Salesforce value. Then "
			 "resync.",
			 field[0] ? field : "(not named)", label[0] ? " (" : "", label, label[0] ? ")" : "",
			 object, value, value, object, label[0] ? label : field[0] ? field : "the field");
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
	CRMSYNC_PLUGIN_HEADER, "picklist", VERSION,
	"classifies values missing from a picklist or enumeration property", plugin_init,
	plugin_fini, NULL, &resolver_ops, NULL,
};
