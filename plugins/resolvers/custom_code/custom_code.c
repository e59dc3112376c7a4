/*
 * custom_code.c - resolver for writes that Salesforce automation rejected:
 * validation rules, lookup filters, Apex triggers, record-triggered flows and
 * processes, and records locked by an approval process. The details carry
 * Salesforce's own message (the admin wrote it, or it names the failing
 * code). Retried on schedule only when the automation failed on a lock
 * (UNABLE_TO_LOCK_ROW inside a trigger, ENTITY_IS_LOCKED), which clears by
 * itself; anything else fails the same way until the record or the
 * automation changes.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "custom_code"

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {
	"FIELD_CUSTOM_VALIDATION_EXCEPTION",
	"FIELD_FILTER_VALIDATION_EXCEPTION",
	"CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
	"CANNOT_EXECUTE_FLOW_TRIGGER",
	"APEX_ERROR",
	"ENTITY_IS_LOCKED",
	NULL,
};

/* The name between the quotes of `… because the "X" process failed`, with
 * ASCII or typographic (U+201C/U+201D) quotes. */
static char *flow_name(const char *msg, char *buf, size_t size)
{
	static const char *const opens[] = {"the \"", "the \xe2\x80\x9c"};
	static const char *const closes[] = {"\"", "\xe2\x80\x9d"};

	for (size_t i = 0; i < 2; i++)
		if (ru_between(msg, opens[i], closes[i], buf, size))
			return buf;
	return NULL;
}

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	struct crmsync_failure fcopy; /* f, with the fields its raw body names */
	struct ru_fields fstore;
	char name[RU_SHORT] = "", field[RU_SHORT] = "", message[RU_LONG / 2] = "";
	char hint[RU_LONG + RU_LONG / 2];
	const char *object, *kind;
	char what[RU_LONG];
	enum crmsync_retry retry = CRMSYNC_RETRY_NEVER;
	int err = 0;

	(void)inst;
	(void)ctx;
	if (!f || !diag || !host)
		return -EINVAL;
	f = ru_with_fields(f, &fcopy, &fstore);
	if (!ru_match_any(f, codes))
		return CRMSYNC_DECLINED;
	object = ru_object_name(host, f, "record");
	if (ru_first_field(f))
		snprintf(field, sizeof(field), "%s", ru_first_field(f));
	snprintf(message, sizeof(message), "%s", f->message ? f->message : "(no message)");

	if (ru_streq(f->code, "FIELD_CUSTOM_VALIDATION_EXCEPTION")) {
		kind = "validation rule";
		snprintf(what, sizeof(what),
			 "Change the record so it passes the rule, or have a Salesforce admin "
			 "adjust the rule (Setup > Object Manager > %s > Validation Rules), "
			 "e.g. exempt the integration user with a check on $User or a custom "
			 "permission.", object);
	} else if (ru_streq(f->code, "FIELD_FILTER_VALIDATION_EXCEPTION")) {
		kind = "lookup filter";
		snprintf(what, sizeof(what),
			 "The record chosen for a lookup does not pass the lookup field's "
			 "filter. Change the associated record, or relax the filter in Setup > "
			 "Object Manager > %s > Fields & Relationships > (the lookup field) > "
			 "Lookup Filter.", object);
	} else if (ru_streq(f->code, "ENTITY_IS_LOCKED")) {
		kind = "approval process";
		retry = CRMSYNC_RETRY_SCHEDULE;
		snprintf(what, sizeof(what),
			 "The %s record is locked by a pending approval process. crmsync "
			 "retries automatically; it goes through once the approval is "
			 "approved, rejected or recalled, or once an admin unlocks the record.", object);
	} else if (ru_streq(f->code, "CANNOT_EXECUTE_FLOW_TRIGGER") ||
		   flow_name(f->message, name, sizeof(name))) {
		kind = "flow";
		snprintf(what, sizeof(what),
			 "Open the flow or process in Salesforce Setup > Flows (it runs on "
			 "%s), look at the fault email or Debug, and fix the record data it "
			 "chokes on or the flow itself (e.g. make it skip records saved by the "
			 "integration user).", object);
	} else if (ru_streq(f->code, "APEX_ERROR")) {
		kind = "Apex code";
		snprintf(what, sizeof(what),
			 "Custom Apex code in Salesforce threw an error while saving the %s. "
			 "Give the message to the Salesforce developer who owns the code.", object);
	} else {
		/* "MyTrigger: execution of BeforeInsert caused by: …" */
		kind = "Apex trigger";
		if (!ru_before(f->message, ": execution of", name, sizeof(name)) ||
		    strchr(name, ' '))
			name[0] = '\0';
		snprintf(what, sizeof(what),
			 "An Apex trigger or other automation on %s threw an error. Give the "
			 "message to the Salesforce developer who owns the trigger (Setup > "
			 "Apex Triggers), or change the record data it fails on.", object);
	}
	if (strcmp(kind, "flow") == 0 && !name[0])
		flow_name(f->message, name, sizeof(name));
	/* A lock inside the automation is transient: row locks are released when
	 * the other transaction ends. */
	if (ru_mentions(f, "UNABLE_TO_LOCK_ROW"))
		retry = CRMSYNC_RETRY_SCHEDULE;

	{
		int n = snprintf(hint, sizeof(hint), "Salesforce %s%s%s%s rejected this %s: \"%s\". %s",
			     kind, name[0] ? " '" : "", name, name[0] ? "'" : "", object, message, what);
		if (retry == CRMSYNC_RETRY_SCHEDULE && n > 0 && (size_t)n < sizeof(hint))
			snprintf(hint + n, sizeof(hint) - (size_t)n, " %s",
				 strcmp(kind, "approval process") == 0
					 ? "No resync is needed."
					 : "It failed on a record lock held by another job; crmsync retries "
					   "automatically.");
		else if (n > 0 && (size_t)n < sizeof(hint))
			snprintf(hint + n, sizeof(hint) - (size_t)n, " Then resync.");
	}
	ru_detail(host, diag, "automation", kind, &err);
	ru_detail(host, diag, "automation_name", name, &err);
	ru_detail(host, diag, "message", f->message, &err);
	ru_detail(host, diag, "field", field, &err);
	ru_detail(host, diag, "object", object, &err);
	return ru_finish(host, diag, TYPE, hint, retry, err);
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
	CRMSYNC_PLUGIN_HEADER, "custom_code", VERSION,
	"classifies writes rejected by Salesforce validation rules, flows and triggers",
	plugin_init, plugin_fini, NULL, &resolver_ops, NULL,
};
