/*
 * test_objects - the company, deal and activity object plugins' hooks,
 * driven through the real loader, config and host table (records are the
 * core's own), like test_contact: matching keys and their opt-in, filters,
 * required fields, pipelines and stages, engagement pairing, history,
 * WhoId/WhatId rules, and the ABI 1.3 declarations (links, flags).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"
#include "plugin_env.h"
#include "engine.h"
#include "loader.h"
#include "record.h"
#include "util.h"

/* Load a config holding `sections` ("[object company]\nkey = v\n..."); the
 * first instance is returned. */
static struct crmsync_instance *load(struct config *cfg, const char *sections)
{
	return pe_load(cfg, sections);
}

static char *key(struct crmsync_instance *inst, struct crmsync_record *rec)
{
	static char buf[256];
	int r = pe_ops(inst)->dedupe_key(inst, inst->ctx, rec, buf, sizeof(buf));

	return r == 1 ? buf : NULL;
}

/* ---- company ------------------------------------------------------------- */

static void test_company_never_by_domain_alone(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "[object company]\n");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "companies", "1");
	const struct crmsync_link *const *l;
	int match = 0;

	(void)state;
	record_set(hs, "domain", "example.com");
	record_set(hs, "name", "Example");
	/* default: no content key at all */
	assert_null(key(inst, hs));
	assert_true(pe_ops(inst)->dedupe_flags & CRMSYNC_DEDUPE_AMBIGUOUS_SKIP);
	/* matching through contacts is declared: Contact.AccountId */
	for (l = pe_ops(inst)->links; l && *l; l++)
		if (((*l)->flags & CRMSYNC_LINK_MATCH) && strcmp((*l)->salesforce_field, "AccountId") == 0 &&
		    strcmp((*l)->target, "contact") == 0)
			match = 1;
	assert_true(match);
	assert_string_equal(pe_ops(inst)->hubspot_object, "companies");
	assert_string_equal(pe_ops(inst)->salesforce_objects[0], "Account");
	record_free(hs);
	config_release(&cfg);
}

static void test_company_domain_matcher(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "[object company]\nmatch_by_domain = yes\n");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "companies", "1");
	struct crmsync_record *sf = record_new(CRMSYNC_SIDE_SALESFORCE, "Account", "001A");
	char k1[256];

	(void)state;
	record_set(hs, "domain", "Example.COM");
	record_set(sf, "Website", "https://www.example.com/about?x=1");
	snprintf(k1, sizeof(k1), "%s", key(inst, hs));
	assert_string_equal(k1, "domain:example.com");
	assert_string_equal(key(inst, sf), k1);
	/* no domain: the normalised name, legal forms and punctuation dropped */
	record_set(hs, "domain", NULL);
	record_set(hs, "name", "ACME, Inc.");
	record_set(sf, "Website", NULL);
	record_set(sf, "Name", "Acme  Inc");
	snprintf(k1, sizeof(k1), "%s", key(inst, hs));
	assert_string_equal(k1, "name:acme");
	assert_string_equal(key(inst, sf), k1);
	/* "localhost" is no domain; a bare legal form is no name */
	record_set(hs, "domain", "localhost");
	record_set(hs, "name", "Inc.");
	assert_null(key(inst, hs));
	record_free(hs);
	record_free(sf);
	config_release(&cfg);
}

static void test_company_rules(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst =
		load(&cfg, "[object company]\ncreate_companies = no\nstate_country_picklists = enabled\n");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "companies", "1");
	struct crmsync_record *sf = record_new(CRMSYNC_SIDE_SALESFORCE, "Account", "001A");
	struct crmsync_record *out = record_new(CRMSYNC_SIDE_SALESFORCE, "Account", NULL);
	const char *why;

	(void)state;
	record_set(sf, "Name", "Acme");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, sf, NULL, &why), 0);
	assert_non_null(strstr(why, "create_companies"));
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_DELETE, CRMSYNC_TO_HUBSPOT, sf, hs, &why), 0);
	/* a company with neither name nor domain does not create an Account */
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	record_set(hs, "domain", "acme.example");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	/* the Account gets the domain as its Name; the billing country a code */
	record_set(out, "BillingCountry", "Japan");
	record_set(out, "BillingState", "Tokyo");
	pe_transform(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, out);
	assert_string_equal(record_get(out, "Name"), "acme.example");
	assert_string_equal(record_get(out, "BillingCountryCode"), "JP");
	assert_null(record_get(out, "BillingCountry"));
	record_free(hs);
	record_free(sf);
	record_free(out);
	config_release(&cfg);
}

/* ---- deal ------------------------------------------------------------------ */

static void test_deal_never_deduplicated(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "[object deal]\n");
	const struct crmsync_link *const *l;
	int company = 0, roles = 0;

	(void)state;
	assert_null(pe_ops(inst)->dedupe_key);
	assert_null(pe_ops(inst)->dedupe_hubspot_property);
	for (l = pe_ops(inst)->links; l && *l; l++) {
		if (strcmp((*l)->salesforce_field, "AccountId") == 0 && ((*l)->flags & CRMSYNC_LINK_WAIT))
			company = (*l)->association_type == 341 && (*l)->primary_type == 5;
		if ((*l)->flags & CRMSYNC_LINK_JUNCTION)
			roles = strcmp((*l)->salesforce_object, "OpportunityContactRole") == 0 &&
				strcmp((*l)->junction_key, "OpportunityId") == 0 && (*l)->association_type == 3;
	}
	assert_true(company);
	assert_true(roles);
	/* companies and contacts sync first */
	assert_string_equal(pe_ops(inst)->depends_on[0], "company");
	assert_string_equal(pe_ops(inst)->depends_on[1], "contact");
	config_release(&cfg);
}

static void test_deal_pipelines_and_stages(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "[object deal]\npipelines = sales, default\n");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "deals", "9");
	struct crmsync_record *sf = record_new(CRMSYNC_SIDE_SALESFORCE, "Opportunity", "006A");
	struct crmsync_record *out_sf = record_new(CRMSYNC_SIDE_SALESFORCE, "Opportunity", NULL);
	struct crmsync_record *out_hs = record_new(CRMSYNC_SIDE_HUBSPOT, "deals", NULL);
	const char *why, *d;

	(void)state;
	record_set(hs, "pipeline", "renewals");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	assert_non_null(strstr(why, "pipeline"));
	record_set(hs, "pipeline", "default");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_DELETE, CRMSYNC_TO_HUBSPOT, sf, hs, &why), 0);
	/* Salesforce requires CloseDate and StageName */
	pe_transform(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, out_sf);
	d = record_get(out_sf, "CloseDate");
	assert_non_null(d);
	assert_int_equal(strlen(d), 10);
	assert_string_equal(record_get(out_sf, "StageName"), "Prospecting");
	/* to HubSpot: the first pipeline; a closed stage the mapping could not
	 * place comes from IsWon */
	record_set(sf, "StageName", "Closed - Signed");
	record_set(sf, "IsClosed", "true");
	record_set(sf, "IsWon", "true");
	pe_transform(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, sf, NULL, out_hs);
	assert_string_equal(record_get(out_hs, "pipeline"), "sales");
	assert_string_equal(record_get(out_hs, "dealstage"), "closedwon");
	record_set(out_hs, "dealstage", NULL);
	record_set(sf, "IsWon", "false");
	pe_transform(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, sf, NULL, out_hs);
	assert_string_equal(record_get(out_hs, "dealstage"), "closedlost");
	record_free(hs);
	record_free(sf);
	record_free(out_sf);
	record_free(out_hs);
	config_release(&cfg);
}

/* ---- activity ----------------------------------------------------------- */

static void test_activity_pairing(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "[object activity]\n"
						   "[object meetings]\nplugin = activity\n"
						   "engagement = meetings\n");
	const char *hs = NULL, *map = NULL;
	const char *const *sf = NULL;

	(void)state;
	object_pairing(inst, &hs, &sf, &map);
	assert_string_equal(hs, "tasks");
	assert_string_equal(sf[0], "Task");
	assert_string_equal(map, "activity.yaml");
	object_pairing(cfg.inst[1], &hs, &sf, &map);
	assert_string_equal(hs, "meetings");
	assert_string_equal(sf[0], "Event");
	assert_string_equal(map, "activity-meetings.yaml");
	object_use_pairing_mapping(&cfg, cfg.inst[1]);
	assert_non_null(strstr(cfg.inst[1]->mapping, "/activity-meetings.yaml"));
	assert_null(pe_ops(inst)->dedupe_key); /* keyed by the engagement id only */
	config_release(&cfg);
}

static void test_activity_history(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst;

	(void)state;
	setenv("CRMSYNC_FAKE_NOW_MS", "1700000000000", 1);
	inst = load(&cfg, "[object activity]\n[object notes]\nplugin = activity\nengagement = notes\n"
			  "history = yes\n");
	assert_int_equal(pe_ops(inst)->start_ms(inst, inst->ctx), 1700000000000LL);
	assert_int_equal(pe_ops(inst)->start_ms(cfg.inst[1], cfg.inst[1]->ctx), 0);
	unsetenv("CRMSYNC_FAKE_NOW_MS");
	config_release(&cfg);
}

static void test_activity_rules(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "[object activity]\ntasks_to_hubspot = yes\n"
						   "[object notes]\nplugin = activity\n"
						   "engagement = notes\n");
	struct crmsync_instance *notes = cfg.inst[1];
	struct crmsync_record *task = record_new(CRMSYNC_SIDE_SALESFORCE, "Task", "00TA");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "notes", "5");
	struct crmsync_record *out = record_new(CRMSYNC_SIDE_SALESFORCE, "Task", NULL);
	const char *why;

	(void)state;
	record_set(task, "TaskSubtype", "Task");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, task, NULL, &why), 1);
	/* a Task crmsync made from another engagement never comes back */
	record_set(task, "CrmSync_Id__c", "abc");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, task, NULL, &why), 0);
	record_set(task, "CrmSync_Id__c", NULL);
	record_set(task, "TaskSubtype", "Email");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, task, NULL, &why), 0);
	/* notes never create HubSpot records */
	record_set(task, "TaskSubtype", "Task");
	assert_int_equal(pe_accept(notes, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, task, NULL, &why), 0);
	/* a note: Subject, a completed Task; a Lead's Task has no WhatId */
	record_set(out, "WhoId", "00QA");
	record_set(out, "WhatId", "001A");
	pe_transform(notes, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, out);
	assert_string_equal(record_get(out, "Subject"), "Note");
	assert_string_equal(record_get(out, "Status"), "Completed");
	assert_string_equal(record_get(out, "TaskSubtype"), "Task");
	assert_null(record_get(out, "WhatId"));
	record_set(out, "WhoId", "003A");
	record_set(out, "WhatId", "006A");
	pe_transform(notes, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_SALESFORCE, hs, NULL, out);
	assert_string_equal(record_get(out, "WhatId"), "006A");
	record_free(task);
	record_free(hs);
	record_free(out);
	config_release(&cfg);
}

static void test_activity_init_checks(void **state)
{
	struct config cfg;
	struct errlist errs = { 0 };
	char path[512];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.conf", pe_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[core]\nstate = s.db\n[object calls]\nplugin = activity\nengagement = calls\n"
		   "tasks_to_hubspot = yes\n");
	fclose(f);
	assert_int_equal(config_load(&cfg, path, &errs), 0);
	assert_int_not_equal(config_start_instances(&cfg), 0);
	errlist_release(&errs);
	config_release(&cfg);
}

/* ---- contact: company lifecycle sync ------------------------------------- */

static void test_contact_company_lifecycle(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "[object contact]\ncompany_lifecycle_sync = yes\n");
	struct crmsync_record *sf = record_new(CRMSYNC_SIDE_SALESFORCE, "Contact", "003A");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	struct crmsync_record *out = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	const struct crmsync_related *const *r;
	int found = 0;
	char buf[2048];

	(void)state;
	for (r = pe_ops(inst)->salesforce_related; r && *r; r++)
		if ((*r)->parent_key && strcmp((*r)->parent_key, "AccountId") == 0 &&
		    strcmp((*r)->key, "Opportunity.AccountId") == 0 &&
		    strcmp((*r)->option, "company_lifecycle_sync") == 0)
			found = 1;
	assert_true(found);
	/* no role of its own, but another contact's role on a won Opportunity
	 * of the Account: customer */
	record_set(sf, "roles.count", "0");
	record_set(sf, "account_roles.count", "2");
	record_set(sf, "account_roles.0.Opportunity.IsClosed", "false");
	record_set(sf, "account_roles.1.Opportunity.IsClosed", "true");
	record_set(sf, "account_roles.1.Opportunity.IsWon", "true");
	record_set(hs, "lifecyclestage", "lead");
	pe_transform(inst, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, sf, hs, out);
	assert_string_equal(record_get(out, "lifecyclestage"), "customer");
	/* only open ones: opportunity; never backwards from customer */
	record_set(out, "lifecyclestage", NULL);
	record_set(sf, "account_roles.1.Opportunity.IsWon", "false");
	record_set(sf, "account_roles.1.Opportunity.IsClosed", "false");
	pe_transform(inst, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, sf, hs, out);
	assert_string_equal(record_get(out, "lifecyclestage"), "opportunity");
	record_set(out, "lifecyclestage", NULL);
	record_set(hs, "lifecyclestage", "customer");
	pe_transform(inst, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, sf, hs, out);
	assert_null(record_get(out, "lifecyclestage"));
	assert_true(pe_ops(inst)->explain(inst, inst->ctx, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "Company lifecycle sync is on"));
	record_free(sf);
	record_free(hs);
	record_free(out);
	config_release(&cfg);
}

static void test_explain_hooks(void **state)
{
	struct config cfg;
	char buf[4096];

	(void)state;
	load(&cfg, "[object company]\nmatch_by_domain = yes\n[object deal]\n[object activity]\n");
	for (size_t i = 0; i < cfg.ninst; i++) {
		struct crmsync_instance *inst = cfg.inst[i];
		int n = pe_ops(inst)->explain(inst, inst->ctx, buf, sizeof(buf));

		assert_true(n > 0 && (size_t)n < sizeof(buf));
	}
	pe_ops(cfg.inst[0])->explain(cfg.inst[0], cfg.inst[0]->ctx, buf, sizeof(buf));
	assert_non_null(strstr(buf, "ambiguous"));
	pe_ops(cfg.inst[1])->explain(cfg.inst[1], cfg.inst[1]->ctx, buf, sizeof(buf));
	assert_non_null(strstr(buf, "never de-duplicated"));
	pe_ops(cfg.inst[2])->explain(cfg.inst[2], cfg.inst[2]->ctx, buf, sizeof(buf));
	assert_non_null(strstr(buf, "history = no"));
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_company_never_by_domain_alone),
		cmocka_unit_test(test_company_domain_matcher),
		cmocka_unit_test(test_company_rules),
		cmocka_unit_test(test_deal_never_deduplicated),
		cmocka_unit_test(test_deal_pipelines_and_stages),
		cmocka_unit_test(test_activity_pairing),
		cmocka_unit_test(test_activity_history),
		cmocka_unit_test(test_activity_rules),
		cmocka_unit_test(test_activity_init_checks),
		cmocka_unit_test(test_contact_company_lifecycle),
		cmocka_unit_test(test_explain_hooks),
	};
	return PE_RUN(tests, "objects");
}
