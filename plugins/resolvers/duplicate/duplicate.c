/*
 * duplicate.c - resolver for "a record or unique value already exists":
 * Salesforce unique fields (DUPLICATE_VALUE), duplicate rules
 * (DUPLICATES_DETECTED), ambiguous external-id upserts and HubSpot's 409
 * CONFLICT. Shows the field, the duplicate value and the id of the record
 * that already holds it. Never retried: the admin merges or fixes, then
 * resyncs. Must not try to merge or link records itself.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "duplicate"

/* Per instance: the parsed options. */
struct duplicate_ctx {
	int extract_existing_id;
};

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {
	"DUPLICATE_VALUE",
	"DUPLICATES_DETECTED",
	"DUPLICATE_EXTERNAL_ID",
	"hubspot:CONFLICT",
	NULL,
};

static const struct crmsync_option options[] = {
	{"extract_existing_id", CRMSYNC_OPT_BOOL, 0, "yes",
	 offsetof(struct duplicate_ctx, extract_existing_id),
	 "show the id of the record that already holds the value (parsed from the error)", NULL,
	 0, 0},
	{NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0},
};

/* "duplicate value found: Email__c duplicates value on record with id: 003…";
 * Salesforce writes <unknown> for what the user may not see. */
static void parse_duplicate_value(const struct crmsync_failure *f, char *field, char *id)
{
	if (!ru_between(f->message, "duplicate value found:", " duplicates value", field, RU_SHORT) ||
	    strchr(field, '<'))
		field[0] = '\0';
	if (!ru_after(f->message, "record with id:", " ,;\"'", id, RU_SHORT) || !ru_is_sf_id(id))
		id[0] = '\0';
}

/* DUPLICATES_DETECTED: the first matched record's Id and the rule's name. */
static void parse_duplicate_rule(const struct crmsync_failure *f, char *id, char *rule,
				 int *allow_save)
{
	char b[RU_SHORT];
	const char *m = f->raw ? strstr(f->raw, "\"matchRecords\"") : NULL;

	if (!m || !ru_json_scalar(m, "Id", id, RU_SHORT) || !ru_is_sf_id(id))
		id[0] = '\0';
	if (!ru_json_scalar(f->raw, "duplicateRule", rule, RU_SHORT))
		rule[0] = '\0';
	*allow_save = ru_json_scalar(f->raw, "allowSave", b, sizeof(b)) && strcmp(b, "true") == 0;
}

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	struct crmsync_failure fcopy; /* f, with the fields its raw body names */
	struct ru_fields fstore;
	const struct duplicate_ctx *c = ctx;
	int want_id = c ? c->extract_existing_id : 1;
	char field[RU_SHORT] = "", id[RU_SHORT] = "", rule[RU_SHORT] = "", hint[RU_LONG];
	const char *object, *value = NULL;
	int allow_save = 0, err = 0;

	(void)inst;
	if (!f || !diag || !host)
		return -EINVAL;
	f = ru_with_fields(f, &fcopy, &fstore);
	if (!ru_match_any(f, codes))
		return CRMSYNC_DECLINED;
	object = ru_object_name(host, f, "record");

	if (f->side == CRMSYNC_SIDE_HUBSPOT) {
		/* "Contact already exists. Existing ID: 512" */
		if (!ru_after(f->message, "Existing ID:", " ,.;\"'", id, sizeof(id)))
			id[0] = '\0';
		if (ru_first_field(f))
			snprintf(field, sizeof(field), "%s", ru_first_field(f));
		else if (!ru_json_first(f->raw, "propertyName", field, sizeof(field)) &&
			 ru_strcasestr(f->message, "contact already exists"))
			snprintf(field, sizeof(field), "email");
	} else if (ru_streq(f->code, "DUPLICATE_VALUE")) {
		parse_duplicate_value(f, field, id);
	} else if (ru_streq(f->code, "DUPLICATES_DETECTED")) {
		parse_duplicate_rule(f, id, rule, &allow_save);
	}
	if (!field[0] && ru_first_field(f))
		snprintf(field, sizeof(field), "%s", ru_first_field(f));
	if (field[0])
		value = ru_record_value(host, f, field);
	if (!want_id)
		id[0] = '\0';

	ru_detail(host, diag, "field", field, &err);
	ru_detail(host, diag, "value", value, &err);
	ru_detail(host, diag, "existing_id", id, &err);
	ru_detail(host, diag, "duplicate_rule", rule, &err);

	if (f->side == CRMSYNC_SIDE_HUBSPOT)
		snprintf(hint, sizeof(hint),
			 "HubSpot already has a %s record%s%s%s with %s%s%s%s. If both are the same, merge "
			 "them in HubSpot (open the record, Actions > Merge) so only one is left; "
			 "otherwise change %s on the Salesforce record so it is unique. Then resync.",
			 object, id[0] ? " (ID " : "", id, id[0] ? ")" : "",
			 field[0] ? field : "this unique value", value ? " '" : "", value ? value : "",
			 value ? "'" : "", field[0] ? field : "the value");
	else if (ru_streq(f->code, "DUPLICATES_DETECTED"))
		snprintf(hint, sizeof(hint),
			 "Salesforce duplicate rule %s%s%s blocked this %s because it matches the existing "
			 "record%s%s. Merge the HubSpot record with the one already synced to that "
			 "Salesforce record, or fix the matching data; if these really are different, "
			 "change the rule's action for the integration user to Allow in Salesforce Setup > "
			 "Duplicate Management > Duplicate Rules%s. Then resync.",
			 rule[0] ? "'" : "", rule[0] ? rule : "(name not given)", rule[0] ? "'" : "",
			 object, id[0] ? " " : "", id,
			 allow_save ? " (the rule allows saving, so crmsync may send it with "
				      "allowSave once you enable that)" : "");
	else if (ru_streq(f->code, "DUPLICATE_EXTERNAL_ID"))
		snprintf(hint, sizeof(hint),
			 "More than one Salesforce %s has the external id%s%s%s%s used to upsert this "
			 "record. Merge or clear the extra Salesforce records so the external id is "
			 "unique (and mark the field Unique in Setup > Object Manager > %s > Fields), then "
			 "resync.",
			 object, field[0] ? " in " : "", field, value ? " = " : "", value ? value : "",
			 object);
	else
		snprintf(hint, sizeof(hint),
			 "Salesforce field %s on %s is unique and record %s already holds %s%s%s. Merge the "
			 "two records in Salesforce if they are the same, or change %s on the HubSpot "
			 "record to a unique value. Then resync.",
			 field[0] ? field : "(not named)", object, id[0] ? id : "(not visible to the "
			 "integration user)", value ? "'" : "the same value", value ? value : "",
			 value ? "'" : "", field[0] ? "the mapped property" : "the value");
	return ru_finish(host, diag, TYPE, hint, CRMSYNC_RETRY_NEVER, err);
}

static const struct crmsync_resolver_ops resolver_ops = {
	sizeof(struct crmsync_resolver_ops), 0, sizeof(struct duplicate_ctx), options,
	NULL, NULL, TYPE, codes, classify,
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
	CRMSYNC_PLUGIN_HEADER, "duplicate", VERSION,
	"classifies duplicate records and unique-value conflicts", plugin_init, plugin_fini,
	NULL, &resolver_ops, NULL,
};
