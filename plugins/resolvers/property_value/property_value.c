/*
 * property_value.c - resolver for an invalid value in the record itself: too
 * long, not an email address, out of range, of the wrong type for the field,
 * or required but empty. Shows the field, the value and the problem. Never
 * retried: the value has to change first. Must not claim picklist options
 * (picklist) or unknown/read-only properties (property_mapping).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "property_value"

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {
	"STRING_TOO_LONG",
	"INVALID_EMAIL_ADDRESS",
	"REQUIRED_FIELD_MISSING",
	"NUMBER_OUTSIDE_VALID_RANGE",
	"INVALID_TYPE_ON_FIELD_IN_RECORD",
	"hubspot:VALIDATION_ERROR:INVALID_EMAIL",
	"hubspot:VALIDATION_ERROR:INVALID_INTEGER",
	"hubspot:VALIDATION_ERROR:INVALID_LONG",
	"hubspot:VALIDATION_ERROR:INVALID_DATE",
	NULL,
};

enum problem { P_TOO_LONG, P_EMAIL, P_REQUIRED, P_RANGE, P_TYPE, P_NUMBER, P_DATE };

static const char *const problem_text[] = {
	[P_TOO_LONG] = "too long",
	[P_EMAIL] = "invalid email address",
	[P_REQUIRED] = "required but empty",
	[P_RANGE] = "number outside the field's range",
	[P_TYPE] = "wrong type for the field",
	[P_NUMBER] = "not a whole number",
	[P_DATE] = "not a valid date",
};

static enum problem problem_of(const struct crmsync_failure *f)
{
	char sub[RU_SHORT];
	const char *s;

	if (f->side == CRMSYNC_SIDE_HUBSPOT) {
		s = ru_hubspot_subcode(f, sub, sizeof(sub));
		if (ru_streq(s, "INVALID_EMAIL"))
			return P_EMAIL;
		if (ru_streq(s, "INVALID_DATE"))
			return P_DATE;
		return P_NUMBER;
	}
	if (ru_streq(f->code, "STRING_TOO_LONG"))
		return P_TOO_LONG;
	if (ru_streq(f->code, "INVALID_EMAIL_ADDRESS"))
		return P_EMAIL;
	if (ru_streq(f->code, "REQUIRED_FIELD_MISSING"))
		return P_REQUIRED;
	if (ru_streq(f->code, "NUMBER_OUTSIDE_VALID_RANGE"))
		return P_RANGE;
	return P_TYPE;
}

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	struct crmsync_failure fcopy; /* f, with the fields its raw body names */
	struct ru_fields fstore;
	char field[RU_SHORT] = "", label[RU_SHORT] = "", value[RU_SHORT] = "";
	char max[32] = "", len[32] = "", hint[RU_LONG];
	const char *object, *v, *where;
	enum problem p;
	int err = 0;

	(void)inst;
	(void)ctx;
	if (!f || !diag || !host)
		return -EINVAL;
	f = ru_with_fields(f, &fcopy, &fstore);
	if (!ru_match_any(f, codes))
		return CRMSYNC_DECLINED;
	object = ru_object_name(host, f, "record");
	p = problem_of(f);

	if (f->side == CRMSYNC_SIDE_HUBSPOT) {
		const char *errs = f->raw ? strstr(f->raw, "\"errors\"") : NULL;

		if (!ru_json_scalar(f->message, "name", field, sizeof(field)) &&
		    !ru_json_first(errs, "propertyName", field, sizeof(field)) && ru_first_field(f))
			snprintf(field, sizeof(field), "%s", ru_first_field(f));
		/* "Email address foo@ is invalid" */
		if (p == P_EMAIL && !ru_between(f->message, "Email address ", " is invalid", value,
						sizeof(value)))
			value[0] = '\0';
		/* "12 people was not a valid integer." in the embedded validation JSON */
		if (p != P_EMAIL) {
			char inner[RU_LONG];

			if (ru_json_scalar(f->message, "message", inner, sizeof(inner)) &&
			    !ru_before(inner, " was not a valid", value, sizeof(value)))
				value[0] = '\0';
		}
	} else if (p == P_REQUIRED) {
		/* "Required fields are missing: [LastName, Company]" */
		if (!ru_join_fields(f, field, sizeof(field)) &&
		    !ru_between(f->message, "missing: [", "]", field, sizeof(field)))
			field[0] = '\0';
	} else {
		if (ru_first_field(f))
			snprintf(field, sizeof(field), "%s", ru_first_field(f));
		/* "Last Name: data value too large: … (max length=80)",
		 * "Email: invalid email address: foo@", "Birthdate: value not of required type: x" */
		if (!ru_before(f->message, ": ", label, sizeof(label)) || strlen(label) > 60)
			label[0] = '\0';
		if (p == P_TOO_LONG)
			ru_after(f->message, "max length=", ")", max, sizeof(max));
		else if (p == P_EMAIL)
			ru_after(f->message, "invalid email address:", "\n", value, sizeof(value));
	}
	v = ru_record_value(host, f, field);
	if (ru_nonempty(v) && p != P_REQUIRED)
		snprintf(value, sizeof(value), "%s", v);
	if (p == P_TOO_LONG && ru_nonempty(v))
		snprintf(len, sizeof(len), "%zu", ru_utf8_len(v));

	ru_detail(host, diag, "field", field, &err);
	ru_detail(host, diag, "label", label, &err);
	ru_detail(host, diag, "value", value, &err);
	ru_detail(host, diag, "object", object, &err);
	ru_detail(host, diag, "problem", problem_text[p], &err);
	ru_detail(host, diag, "max_length", max, &err);
	ru_detail(host, diag, "length", len, &err);

	/* The value came from the other side: that is where the admin fixes it. */
	where = f->side == CRMSYNC_SIDE_HUBSPOT ? "Salesforce" : "HubSpot";
	switch (p) {
	case P_TOO_LONG:
		snprintf(hint, sizeof(hint),
			 "The value of %s%s%s%s on this %s is %s%s characters long; Salesforce allows at "
			 "most %s. Shorten it on the %s record, or raise the field's length in Salesforce "
			 "Setup > Object Manager > %s > Fields & Relationships > %s > Edit. Then resync.",
			 field, label[0] ? " (" : "", label, label[0] ? ")" : "", object,
			 len[0] ? len : "more than", len[0] ? "" : " the allowed", max[0] ? max : "fewer",
			 where, object, label[0] ? label : field);
		break;
	case P_EMAIL:
		snprintf(hint, sizeof(hint),
			 "'%s' in %s is not a valid email address for %s. Correct or clear the email on "
			 "the %s record (no spaces, one @, a domain with a dot), then resync.",
			 value[0] ? value : "(empty)", field[0] ? field : "the email field",
			 f->side == CRMSYNC_SIDE_HUBSPOT ? "HubSpot" : "Salesforce", where);
		break;
	case P_REQUIRED:
		snprintf(hint, sizeof(hint),
			 "Salesforce requires %s on %s but the record has no value for %s. Fill %s in on "
			 "the HubSpot record (or map a HubSpot property to %s, or give %s a default in the "
			 "object's mapping), then resync.",
			 field[0] ? field : "a field", object, strchr(field, ',') ? "them" : "it",
			 strchr(field, ',') ? "them" : "it", strchr(field, ',') ? "them" : "it",
			 strchr(field, ',') ? "them" : "it");
		break;
	case P_RANGE:
		snprintf(hint, sizeof(hint),
			 "The number '%s' does not fit Salesforce field %s on %s (too many digits before or "
			 "after the decimal point). Correct the value on the HubSpot record, or widen the "
			 "field's length/decimal places in Salesforce Setup > Object Manager > %s > Fields "
			 "& Relationships > %s. Then resync.",
			 value, field, object, object, label[0] ? label : field);
		break;
	case P_TYPE:
		snprintf(hint, sizeof(hint),
			 "The value '%s' is not of the type Salesforce field %s on %s expects (for example "
			 "text in a number, date or checkbox field). Correct the value on the HubSpot "
			 "record; if every record fails this way, the property is mapped to a field of "
			 "another type. Then resync.",
			 value, field, object);
		break;
	case P_NUMBER:
		snprintf(hint, sizeof(hint),
			 "HubSpot property %s on %s takes whole numbers, and '%s' is not one (decimals, "
			 "units, spaces or text). Correct the value on the Salesforce record, then resync.",
			 field[0] ? field : "(not named)", object, value);
		break;
	case P_DATE:
		snprintf(hint, sizeof(hint),
			 "HubSpot date property %s on %s refused '%s': date properties take a date only "
			 "(midnight UTC), date-and-time values need a datetime property. Correct the value "
			 "on the Salesforce record, or map the field to a datetime property. Then resync.",
			 field[0] ? field : "(not named)", object, value);
		break;
	}
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
	CRMSYNC_PLUGIN_HEADER, "property_value", VERSION,
	"classifies invalid values: too long, bad email, out of range, required", plugin_init,
	plugin_fini, NULL, &resolver_ops, NULL,
};
