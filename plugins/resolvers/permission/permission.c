/*
 * permission.c - resolver for "the integration user may not do this": no
 * access to an object or record, a field that is not editable for it, a
 * referenced record it cannot see, API access turned off, or a HubSpot app
 * missing scopes. Shows the object, the field and the permission needed
 * (read, create, edit, api, scope). Never retried: access has to change.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "permission"

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {
	"INSUFFICIENT_ACCESS_OR_READONLY",
	"INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
	"INVALID_FIELD_FOR_INSERT_UPDATE",
	"INSUFFICIENT_ACCESS",
	"API_DISABLED_FOR_ORG",
	"API_CURRENTLY_DISABLED",
	"hubspot:MISSING_SCOPES",
	NULL,
};

/* HubSpot lists the scopes it wanted in context.requiredGranularScopes (newer)
 * or context.missingScopes; joined with ", ". */
static void hubspot_scopes(const char *raw, char *buf, size_t size)
{
	static const char *const keys[] = {"\"requiredGranularScopes\"", "\"missingScopes\""};
	size_t o = 0;

	buf[0] = '\0';
	for (size_t k = 0; raw && k < 2 && !o; k++) {
		const char *p = strstr(raw, keys[k]), *e;

		if (!p || !(p = strchr(p, '[')) || !(e = strchr(p, ']')))
			continue;
		while ((p = memchr(p, '"', (size_t)(e - p))) != NULL) {
			const char *q = memchr(p + 1, '"', (size_t)(e - p - 1));
			int n;

			if (!q)
				break;
			n = snprintf(buf + o, size - o, "%s%.*s", o ? ", " : "", (int)(q - p - 1), p + 1);
			if (n < 0 || (size_t)n >= size - o)
				break;
			o += (size_t)n;
			p = q + 1;
		}
	}
}

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	struct crmsync_failure fcopy; /* f, with the fields its raw body names */
	struct ru_fields fstore;
	char field[RU_SHORT] = "", ref[RU_SHORT] = "", scopes[RU_LONG / 2], hint[RU_LONG];
	const char *object, *perm, *ref_object = NULL;
	int err = 0;

	(void)inst;
	(void)ctx;
	if (!f || !diag || !host)
		return -EINVAL;
	f = ru_with_fields(f, &fcopy, &fstore);
	if (!ru_match_any(f, codes))
		return CRMSYNC_DECLINED;
	object = ru_object_name(host, f, "the object");
	perm = ru_is_create(host, f) ? "create" : "edit";

	if (f->side == CRMSYNC_SIDE_HUBSPOT) {
		hubspot_scopes(f->raw, scopes, sizeof(scopes));
		perm = "scope";
		snprintf(hint, sizeof(hint),
			 "The HubSpot private app or OAuth app crmsync uses lacks the scope%s %s needed to "
			 "write %s. Add %s to the app (HubSpot Settings > Integrations > Private Apps > "
			 "your app > Scopes), update the token in the [hubspot] credentials file, then "
			 "resync.",
			 strchr(scopes, ',') ? "s" : "", scopes[0] ? scopes : "(not listed)", object,
			 scopes[0] ? "them" : "the crm.objects write scope of this object");
		ru_detail(host, diag, "scopes", scopes, &err);
	} else if (ru_streq(f->code, "INVALID_FIELD_FOR_INSERT_UPDATE")) {
		/* "Unable to create/update fields: Foo__c, Bar__c. Please check …" */
		if (!ru_join_fields(f, field, sizeof(field)))
			ru_after(f->message, "fields:", ".\n", field, sizeof(field));
		snprintf(hint, sizeof(hint),
			 "The Salesforce integration user cannot %s %s on %s. In Salesforce Setup > "
			 "Object Manager > %s > Fields & Relationships > %s > Set Field-Level Security, "
			 "make it Visible and not Read-Only for the integration user's profile or "
			 "permission set. If the field can never be written (formula, auto-number, system "
			 "field), make its mapping one-way towards HubSpot instead. Then resync.",
			 perm, field[0] ? field : "a mapped field", object, object,
			 field[0] ? field : "the field");
	} else if (ru_streq(f->code, "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY")) {
		/* "insufficient access rights on cross-reference id: 001…" */
		ru_after(f->message, "cross-reference id:", " ,.;\n", ref, sizeof(ref));
		ref_object = ru_sf_object_of_id(ref);
		if (ru_first_field(f))
			snprintf(field, sizeof(field), "%s", ru_first_field(f));
		perm = "read";
		snprintf(hint, sizeof(hint),
			 "This %s refers%s%s to %s %s, which the Salesforce integration user cannot see "
			 "or share. Give the integration user access to that record (its owner, a "
			 "sharing rule, or the profile's 'View All' on %s; for OwnerId, the owner must be "
			 "an active user), then resync.",
			 object, field[0] ? " through " : "", field, ref_object ? ref_object : "record",
			 ref[0] ? ref : "(id not given)", ref_object ? ref_object : "the object");
	} else if (ru_streq(f->code, "API_DISABLED_FOR_ORG") ||
		   ru_streq(f->code, "API_CURRENTLY_DISABLED")) {
		perm = "api";
		snprintf(hint, sizeof(hint),
			 "Salesforce refuses API calls for the integration user. Turn on 'API Enabled' "
			 "in its profile or a permission set (Setup > Profiles > System Permissions); the "
			 "org's edition must include API access. Then resync.");
	} else {
		snprintf(hint, sizeof(hint),
			 "The Salesforce integration user may not %s this %s record. Give it %s access "
			 "to %s in its profile or a permission set (Setup > Object Manager > %s, or "
			 "Permission Sets > Object Settings), and check sharing: it must own the record or "
			 "reach it through a sharing rule or role. Then resync.",
			 perm, object, strcmp(perm, "create") == 0 ? "Create" : "Edit",
			 object, object);
	}
	ru_detail(host, diag, "object", object, &err);
	ru_detail(host, diag, "field", field, &err);
	ru_detail(host, diag, "permission", perm, &err);
	ru_detail(host, diag, "reference_id", ref, &err);
	ru_detail(host, diag, "reference_object", ref_object, &err);
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
	CRMSYNC_PLUGIN_HEADER, "permission", VERSION,
	"classifies objects, fields and records the integration user may not write", plugin_init,
	plugin_fini, NULL, &resolver_ops, NULL,
};
