/*
 * contact - the object plugin for HubSpot contacts <-> Salesforce Leads and
 * Contacts: the inclusion filter (HubSpot -> Salesforce), the valid-email
 * rule and selective sync (Salesforce -> HubSpot), Lead-or-Contact routing,
 * the lead and contact update/delete rules, the email de-duplication key,
 * state/country translation into Salesforce picklist codes, and the rule
 * that a lifecycle stage never moves backwards.
 *
 * It holds no state outside its per-instance context and never calls the
 * services itself: the core reads and writes, this plugin decides.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "geo.h"

#define CONTACT_VERSION "0.1.0"

static const struct crmsync_host *host;

enum create_as { CREATE_AS_LEAD, CREATE_AS_CONTACT };
enum update_rule { UPDATE_CREATE_OR_UPDATE, UPDATE_NOTHING };
enum delete_rule { DELETE_NOTHING, DELETE_HUBSPOT_CONTACT };
enum picklists { PICKLISTS_DISABLED, PICKLISTS_ENABLED, PICKLISTS_CUSTOMISED };

struct contact_ctx {
	int create_as;
	char *inclusion_property;
	char *inclusion_value;
	int require_valid_email;
	char *selective_sync_field;
	int lead_updates;
	int lead_deletes;
	int contact_rules_same_as_leads;
	int contact_updates;
	int contact_deletes;
	int state_country_picklists;
	int translate_state_country;
	int hubspot_creates_companies;
	int company_lifecycle_sync;
};

static const char *const create_as_choices[] = { "lead", "contact", NULL };
static const char *const update_choices[] = { "create_or_update", "nothing", NULL };
static const char *const delete_choices[] = { "nothing", "delete_hubspot_contact", NULL };
static const char *const picklist_choices[] = { "disabled", "enabled", "customised", NULL };

#define OPT(key, type, flags, def, member, help, choices) \
	{ key, type, flags, def, offsetof(struct contact_ctx, member), help, choices, 0, 0 }

static const struct crmsync_option contact_options[] = {
	OPT("create_as", CRMSYNC_OPT_ENUM, 0, "lead", create_as,
	    "create new HubSpot contacts in Salesforce as a Lead or as a Contact", create_as_choices),
	OPT("inclusion_property", CRMSYNC_OPT_STRING, 0, NULL, inclusion_property,
	    "inclusion list: only HubSpot contacts whose property is set (or equals "
	    "inclusion_value) sync to Salesforce; unset: every contact", NULL),
	OPT("inclusion_value", CRMSYNC_OPT_STRING, 0, NULL, inclusion_value,
	    "value inclusion_property must have (case-insensitive); unset: any non-empty value", NULL),
	OPT("require_valid_email", CRMSYNC_OPT_BOOL, 0, "yes", require_valid_email,
	    "only Salesforce records with a valid email address sync to HubSpot", NULL),
	OPT("selective_sync_field", CRMSYNC_OPT_STRING, 0, NULL, selective_sync_field,
	    "selective sync: a Salesforce checkbox field that must be true for a record to "
	    "enter HubSpot; unset: no extra filter", NULL),
	OPT("lead_updates", CRMSYNC_OPT_ENUM, 0, "create_or_update", lead_updates,
	    "when a Salesforce Lead is created or updated: create_or_update the HubSpot contact, "
	    "or do nothing", update_choices),
	OPT("lead_deletes", CRMSYNC_OPT_ENUM, 0, "nothing", lead_deletes,
	    "when a Salesforce Lead is deleted: delete_hubspot_contact, or do nothing "
	    "(never applied to earlier deletes)", delete_choices),
	OPT("contact_rules_same_as_leads", CRMSYNC_OPT_BOOL, 0, "yes", contact_rules_same_as_leads,
	    "apply the lead rules to Salesforce Contacts too; no: use contact_updates/contact_deletes",
	    NULL),
	OPT("contact_updates", CRMSYNC_OPT_ENUM, 0, "create_or_update", contact_updates,
	    "like lead_updates, for Salesforce Contacts", update_choices),
	OPT("contact_deletes", CRMSYNC_OPT_ENUM, 0, "nothing", contact_deletes,
	    "like lead_deletes, for Salesforce Contacts", delete_choices),
	OPT("state_country_picklists", CRMSYNC_OPT_ENUM, 0, "disabled", state_country_picklists,
	    "Salesforce state and country picklists: disabled, enabled, or customised", picklist_choices),
	OPT("translate_state_country", CRMSYNC_OPT_BOOL, 0, "yes", translate_state_country,
	    "with picklists on: translate HubSpot's free-text state/country into ISO codes "
	    "(\"Calif.\" -> CA, \"Japan\" -> JP); no: send HubSpot's text as is", NULL),
	OPT("hubspot_creates_companies", CRMSYNC_OPT_BOOL, 0, "no", hubspot_creates_companies,
	    "say yes if HubSpot auto-creates companies from email domains (crmsync then warns "
	    "about duplicate companies when creating Leads)", NULL),
	OPT("company_lifecycle_sync", CRMSYNC_OPT_BOOL, 0, "no", company_lifecycle_sync,
	    "company lifecycle stage sync: when a contact moves through a contact role (open -> "
	    "opportunity, won -> customer), every other contact of its Account moves too",
	    NULL),
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

/* Lifecycle stages in HubSpot's order; "other" stands outside it. */
static const char *const lifecycle_order[] = {
	"subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
	"opportunity", "customer", "evangelist", NULL
};

static int lifecycle_rank(const char *stage)
{
	for (int i = 0; stage && lifecycle_order[i]; i++)
		if (strcmp(stage, lifecycle_order[i]) == 0)
			return i;
	return -1;
}

static int is_true(const char *v)
{
	return v && strcmp(v, "true") == 0;
}

/*
 * The lifecycle stage a Salesforce Contact's opportunity contact roles call
 * for ("roles.N.Opportunity.IsWon/IsClosed", attached by the core): a won
 * Opportunity makes a customer, an open one an opportunity; closed-lost ones
 * and no roles give nothing. Leads have no roles.
 */
static const char *stage_from(const struct crmsync_record *sf, const char *name, const char *path)
{
	char key[64];
	const char *count, *stage = NULL;
	long n;

	snprintf(key, sizeof(key), "%s.count", name);
	count = host->rec_get(sf, key);
	n = count ? atol(count) : 0;
	for (long i = 0; i < n && i < 10000; i++) {
		char won[96], closed[96];

		snprintf(won, sizeof(won), "%s.%ld.%sIsWon", name, i, path);
		snprintf(closed, sizeof(closed), "%s.%ld.%sIsClosed", name, i, path);
		if (is_true(host->rec_get(sf, won)))
			return "customer";
		if (!is_true(host->rec_get(sf, closed)))
			stage = "opportunity";
	}
	return stage;
}

/* With company lifecycle sync, the contact roles of the Opportunities of
 * the Contact's Account ("account_roles.N.Opportunity.IsWon", attached by
 * the core only when the option is on) count as well. */
static const char *stage_from_roles(const struct crmsync_record *sf)
{
	const char *a = stage_from(sf, "roles", "Opportunity.");
	const char *b = stage_from(sf, "account_roles", "Opportunity.");

	if ((a && strcmp(a, "customer") == 0) || !b)
		return a;
	return b;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int eq_nocase(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return 0;
	return *a == *b;
}

/*
 * A valid email for syncing: one '@', a non-empty local part without spaces,
 * a domain with a dot, labels of [A-Za-z0-9-] (or non-ASCII for IDNs) that
 * neither start nor end with '-', and a TLD of two or more letters.
 */
static int email_is_valid(const char *e)
{
	const char *at, *p, *label;
	size_t n;

	if (!e)
		return 0;
	n = strlen(e);
	at = strchr(e, '@');
	if (!at || at == e || strchr(at + 1, '@') || n > 254 || (size_t)(at - e) > 64)
		return 0;
	for (p = e; p < at; p++)
		if (*p == ' ' || *p == '\t' || *p == '"' || *p == ',' || *p == '<' || *p == '>')
			return 0;
	if (e[0] == '.' || at[-1] == '.' || strstr(e, ".."))
		return 0;
	label = at + 1;
	if (!strchr(label, '.'))
		return 0;
	for (p = label;; p++) {
		if (*p == '.' || *p == '\0') {
			size_t len = (size_t)(p - label);

			if (len == 0 || len > 63 || label[0] == '-' || p[-1] == '-')
				return 0;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || (unsigned char)*p >= 0x80))
			return 0;
	}
	/* the TLD: letters only (or an IDN), at least two */
	if (strlen(label) < 2)
		return 0;
	for (p = label; *p; p++)
		if ((*p >= '0' && *p <= '9') || *p == '-')
			return 0;
	return 1;
}

static int is_truthy(const char *v)
{
	return v && *v && !eq_nocase(v, "false") && !eq_nocase(v, "0") && !eq_nocase(v, "no");
}

static int contact_init(struct crmsync_instance *inst, void *vctx)
{
	struct contact_ctx *ctx = vctx;

	if (ctx->inclusion_value && !ctx->inclusion_property) {
		host->log(inst, CRMSYNC_LOG_ERR,
			  "inclusion_value is set but inclusion_property is not: set inclusion_property "
			  "to the HubSpot property to compare");
		return -EINVAL;
	}
	if (ctx->create_as == CREATE_AS_LEAD && ctx->hubspot_creates_companies)
		host->log(inst, CRMSYNC_LOG_WARNING,
			  "contacts are created as Salesforce Leads while HubSpot auto-creates companies "
			  "from email domains: Leads have no Account, so companies cannot be matched "
			  "through their contacts and duplicates will appear; create contacts as "
			  "Contacts, or turn off HubSpot's automatic company creation");
	return 0;
}

/* HubSpot -> Salesforce: the inclusion list. */
static int accept_to_salesforce(const struct contact_ctx *ctx, const struct crmsync_change *chg,
				const char **reason)
{
	const char *v;

	if (chg->kind == CRMSYNC_CHANGE_DELETE) {
		*reason = "deleting a HubSpot contact never deletes Salesforce records";
		return 0;
	}
	if (!ctx->inclusion_property)
		return 1;
	v = host->rec_get(chg->source, ctx->inclusion_property);
	if (ctx->inclusion_value ? (v && eq_nocase(v, ctx->inclusion_value)) : is_truthy(v))
		return 1;
	*reason = "not in the inclusion list";
	return 0;
}

/* Salesforce -> HubSpot: email, selective sync, lead/contact rules. */
static int accept_to_hubspot(const struct contact_ctx *ctx, const struct crmsync_change *chg,
			     const char **reason)
{
	const char *object = host->rec_object(chg->source);
	int is_contact = object && strcmp(object, "Contact") == 0;
	int updates = ctx->lead_updates, deletes = ctx->lead_deletes;

	if (is_contact && !ctx->contact_rules_same_as_leads) {
		updates = ctx->contact_updates;
		deletes = ctx->contact_deletes;
	}
	if (chg->kind == CRMSYNC_CHANGE_DELETE) {
		if (deletes == DELETE_HUBSPOT_CONTACT && chg->target)
			return 1;
		*reason = is_contact ? "contact deletes are set to do nothing"
				     : "lead deletes are set to do nothing";
		return 0;
	}
	if (!is_contact && is_truthy(host->rec_get(chg->source, "IsConverted"))) {
		*reason = "the lead is converted: its Contact syncs instead";
		return 0;
	}
	if (updates == UPDATE_NOTHING) {
		*reason = is_contact ? "contact updates are set to do nothing"
				     : "lead updates are set to do nothing";
		return 0;
	}
	if (ctx->require_valid_email && !email_is_valid(host->rec_get(chg->source, "Email"))) {
		*reason = "no valid email address";
		return 0;
	}
	if (ctx->selective_sync_field &&
	    !is_truthy(host->rec_get(chg->source, ctx->selective_sync_field))) {
		*reason = "excluded by the selective sync field";
		return 0;
	}
	return 1;
}

static int contact_accept(struct crmsync_instance *inst, void *vctx,
			  const struct crmsync_change *chg, const char **reason)
{
	const struct contact_ctx *ctx = vctx;
	const char *why = NULL;
	int ok;

	if (!chg || !chg->source)
		return -EINVAL;
	ok = chg->direction == CRMSYNC_TO_SALESFORCE ? accept_to_salesforce(ctx, chg, &why)
						     : accept_to_hubspot(ctx, chg, &why);
	if (reason)
		*reason = why;
	return ok;
}

static int contact_route(struct crmsync_instance *inst, void *vctx,
			 const struct crmsync_record *hs, const char **sf_object)
{
	const struct contact_ctx *ctx = vctx;

	*sf_object = ctx->create_as == CREATE_AS_CONTACT ? "Contact" : "Lead";
	return 0;
}

static int contact_dedupe_key(struct crmsync_instance *inst, void *vctx,
			      const struct crmsync_record *rec, char *buf, size_t size)
{
	const char *email = host->rec_get(rec, host->rec_side(rec) == CRMSYNC_SIDE_HUBSPOT ? "email"
											     : "Email");
	size_t n = 0;

	if (!email)
		return 0;
	while (*email == ' ' || *email == '\t')
		email++;
	for (; *email && *email != ' ' && *email != '\t'; email++) {
		if (n + 1 >= size)
			return -ENOSPC;
		buf[n++] = lower(*email);
	}
	buf[n] = '\0';
	return n && email_is_valid(buf) ? 1 : 0;
}

/* Replace free-text State/Country with picklist codes (Lead: State/Country,
 * Contact: MailingState/MailingCountry). A state is read against the
 * country being written, else the record's current country. */
static void translate_geo(struct crmsync_record *out, const struct crmsync_record *target,
			  const char *state_f, const char *country_f, const char *state_code_f,
			  const char *country_code_f)
{
	const char *country = host->rec_get(out, country_f);
	const char *state = host->rec_get(out, state_f);
	const char *cc = country ? geo_country_code(country) : NULL;

	if (cc) {
		host->rec_set(out, country_code_f, cc);
		host->rec_set(out, country_f, NULL);
	} else if (!country && target) {
		const char *t = host->rec_get(target, country_code_f);

		if (!t)
			t = host->rec_get(target, country_f);
		cc = t ? geo_country_code(t) : NULL;
	}
	if (state && cc) {
		const char *sc = geo_state_code(cc, state);

		if (sc) {
			host->rec_set(out, state_code_f, sc);
			host->rec_set(out, state_f, NULL);
		}
	}
}

static int contact_transform(struct crmsync_instance *inst, void *vctx,
			     const struct crmsync_change *chg, struct crmsync_record *out)
{
	const struct contact_ctx *ctx = vctx;

	if (chg->direction == CRMSYNC_TO_SALESFORCE) {
		const char *object = host->rec_object(out);

		if (ctx->state_country_picklists != PICKLISTS_DISABLED && ctx->translate_state_country) {
			if (object && strcmp(object, "Contact") == 0)
				translate_geo(out, chg->target, "MailingState", "MailingCountry",
					      "MailingStateCode", "MailingCountryCode");
			else
				translate_geo(out, chg->target, "State", "Country", "StateCode", "CountryCode");
		}
		return 0;
	}
	/* to HubSpot: the stage the contact's opportunity contact roles give
	 * (open -> opportunity, won -> customer), and never backwards */
	{
		const char *stage = stage_from_roles(chg->source);
		const char *have = chg->target ? host->rec_get(chg->target, "lifecyclestage") : NULL;

		if (stage && lifecycle_rank(stage) > lifecycle_rank(have))
			host->rec_set(out, "lifecyclestage", stage);
	}
	if (chg->target) {
		const char *want = host->rec_get(out, "lifecyclestage");
		const char *have = host->rec_get(chg->target, "lifecyclestage");

		if (want && have && lifecycle_rank(want) >= 0 &&
		    lifecycle_rank(want) < lifecycle_rank(have))
			host->rec_set(out, "lifecyclestage", NULL);
	}
	return 0;
}

static int contact_explain(struct crmsync_instance *inst, void *vctx, char *buf, size_t size)
{
	const struct contact_ctx *ctx = vctx;
	int n;

	(void)inst;
	n = snprintf(buf, size,
		     "New HubSpot contacts become Salesforce %ss; an existing match is updated in place.\n"
		     "%s%s%s\n"
		     "Salesforce -> HubSpot: %s; %s.\n"
		     "Lead updates: %s; Lead deletes: %s. Contacts: %s.\n"
		     "State/country picklists: %s%s.\n"
		     "Lifecycle stage: a Contact with a role on an open Opportunity becomes "
		     "'opportunity', on a Closed Won one 'customer'; never backwards; HubSpot's stage "
		     "never changes Salesforce.%s",
		     ctx->create_as == CREATE_AS_CONTACT ? "Contact" : "Lead",
		     ctx->inclusion_property ? "Only contacts whose '" : "Every HubSpot contact syncs to "
									  "Salesforce (no inclusion list)",
		     ctx->inclusion_property ? ctx->inclusion_property : "",
		     ctx->inclusion_property ? (ctx->inclusion_value ? "' equals the inclusion value sync "
								       "to Salesforce (inclusion list)"
								     : "' is set sync to Salesforce "
								       "(inclusion list)")
					     : "",
		     ctx->require_valid_email ? "only records with a valid email" : "records with any email",
		     ctx->selective_sync_field ? "selective sync by a checkbox field" : "no selective sync",
		     ctx->lead_updates == UPDATE_NOTHING ? "do nothing" : "create or update the contact",
		     ctx->lead_deletes == DELETE_HUBSPOT_CONTACT ? "delete the HubSpot contact (not "
								   "retroactive)" : "do nothing",
		     ctx->contact_rules_same_as_leads ? "the same rules as Leads" : "rules of their own",
		     ctx->state_country_picklists == PICKLISTS_DISABLED ? "off" : "on",
		     ctx->state_country_picklists != PICKLISTS_DISABLED && ctx->translate_state_country
			     ? ", free text translated into ISO codes" : "",
		     ctx->company_lifecycle_sync ? "\nCompany lifecycle sync is on: when a contact moves "
						   "through a contact role, every other contact of its Account "
						   "moves too."
						 : "");
	return n;
}

static int contact_plugin_init(const struct crmsync_host *h)
{
	host = h;
	return 0;
}

static void contact_plugin_fini(void)
{
	geo_release();
}

static const char *const sf_objects[] = { "Lead", "Contact", NULL };
static const char *const hs_properties[] = { "email", "lifecyclestage", "hs_object_id", NULL };
static const char *const sf_fields[] = { "Email", "IsConverted", "ConvertedContactId", "AccountId",
					 NULL };
/* companies first, so a contact finds its Account synced (ignored when the
 * company object is off) */
static const char *const deps[] = { "company", NULL };
static const char *const role_fields[] = { "Opportunity.IsClosed", "Opportunity.IsWon", NULL };
static const struct crmsync_related contact_roles = {
	.size = sizeof(struct crmsync_related),
	.name = "roles",
	.parent = "Contact",
	.object = "OpportunityContactRole",
	.key = "ContactId",
	.fields = role_fields,
	.watch = "Opportunity",
	.watch_key = "OpportunityId",
};
/* Company lifecycle sync (option): the contact roles of every Opportunity
 * of the Contact's Account, so that when one contact of a company moves,
 * every other contact of it moves too; Opportunities without contact roles
 * still move nobody. A change to a role or its Opportunity brings every
 * Contact of the Account in. */
static const struct crmsync_related account_roles = {
	.size = sizeof(struct crmsync_related),
	.name = "account_roles",
	.parent = "Contact",
	.object = "OpportunityContactRole",
	.key = "Opportunity.AccountId",
	.fields = role_fields,
	.watch = "Opportunity",
	.watch_key = "OpportunityId",
	.parent_key = "AccountId",
	.option = "company_lifecycle_sync",
};
static const struct crmsync_related *const related[] = { &contact_roles, &account_roles, NULL };

/* Contact.AccountId <-> the contact's primary company (contact -> company
 * 279, primary 1). Leads have no Account. A contact whose company has not
 * synced still syncs: contacts are the spine; the association follows. */
static const struct crmsync_link to_company = {
	.size = sizeof(struct crmsync_link),
	.name = "company",
	.target = "company",
	.salesforce_object = "Contact",
	.salesforce_field = "AccountId",
	.target_salesforce_object = "Account",
	.target_hubspot_object = "companies",
	.association_type = 279,
	.primary_type = 1,
};
static const struct crmsync_link *const links[] = { &to_company, NULL };

static const struct crmsync_object_ops contact_ops = {
	.size = sizeof(struct crmsync_object_ops),
	.ctx_size = sizeof(struct contact_ctx),
	.options = contact_options,
	.init = contact_init,
	.hubspot_object = "contacts",
	.salesforce_objects = sf_objects,
	.hubspot_properties = hs_properties,
	.salesforce_fields = sf_fields,
	.depends_on = deps,
	.default_mapping = "contact.yaml",
	.accept = contact_accept,
	.route = contact_route,
	.dedupe_key = contact_dedupe_key,
	.transform = contact_transform,
	.dedupe_hubspot_property = "email",
	.dedupe_salesforce_field = "Email",
	.salesforce_related = related,
	.links = links,
	.explain = contact_explain,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"contact",
	CONTACT_VERSION,
	"HubSpot contacts <-> Salesforce Leads and Contacts",
	contact_plugin_init,
	contact_plugin_fini,
	&contact_ops,
	NULL,
	NULL,
};
