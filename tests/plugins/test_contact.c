/*
 * test_contact - the contact object plugin's hooks, driven through the real
 * loader, config and host table (records are the core's own): filters,
 * routing, the de-duplication key, state/country translation and the
 * lifecycle rule.
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
#include "loader.h"
#include "record.h"
#include "util.h"

/* Load a config whose [object contact] section holds `opts`. */
static struct crmsync_instance *load(struct config *cfg, const char *opts)
{
	char *sec = xasprintf("[object contact]\n%s", opts);
	struct crmsync_instance *inst = pe_load(cfg, sec);

	free(sec);
	assert_int_equal(cfg->ninst, 1);
	return inst;
}

static void test_route(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "create_as = contact");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	const char *obj = NULL;

	assert_int_equal(pe_ops(inst)->route(inst, inst->ctx, hs, &obj), 0);
	assert_string_equal(obj, "Contact");
	config_release(&cfg);
	inst = load(&cfg, "");
	assert_int_equal(pe_ops(inst)->route(inst, inst->ctx, hs, &obj), 0);
	assert_string_equal(obj, "Lead");
	record_free(hs);
	config_release(&cfg);
}

static void test_dedupe_key(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	struct crmsync_record *sf = record_new(CRMSYNC_SIDE_SALESFORCE, "Lead", "00Q");
	char buf[128], small[4];

	record_set(hs, "email", "  Ann.Lee@Example.COM ");
	assert_int_equal(pe_ops(inst)->dedupe_key(inst, inst->ctx, hs, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "ann.lee@example.com");
	assert_int_equal(pe_ops(inst)->dedupe_key(inst, inst->ctx, hs, small, sizeof(small)), -ENOSPC);
	/* the Salesforce side reads Email, not email */
	record_set(sf, "Email", "ANN.LEE@example.com");
	assert_int_equal(pe_ops(inst)->dedupe_key(inst, inst->ctx, sf, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "ann.lee@example.com");
	record_set(sf, "Email", "not-an-email");
	assert_int_equal(pe_ops(inst)->dedupe_key(inst, inst->ctx, sf, buf, sizeof(buf)), 0);
	record_set(sf, "Email", NULL);
	assert_int_equal(pe_ops(inst)->dedupe_key(inst, inst->ctx, sf, buf, sizeof(buf)), 0);
	record_free(hs);
	record_free(sf);
	config_release(&cfg);
}

static void test_inclusion_list(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst;
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	const char *why;

	record_set(hs, "email", "a@example.com");
	inst = load(&cfg, "");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	/* HubSpot deletes never delete Salesforce records */
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_DELETE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	assert_non_null(why);
	config_release(&cfg);

	inst = load(&cfg, "inclusion_property = sync_to_sf");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	assert_string_equal(why, "not in the inclusion list");
	record_set(hs, "sync_to_sf", "false");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	record_set(hs, "sync_to_sf", "true");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	config_release(&cfg);

	inst = load(&cfg, "inclusion_property = segment\ninclusion_value = Enterprise");
	record_set(hs, "segment", "smb");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	record_set(hs, "segment", "ENTERPRISE");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	record_free(hs);
	config_release(&cfg);
}

static void test_to_hubspot_rules(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst;
	struct crmsync_record *lead = record_new(CRMSYNC_SIDE_SALESFORCE, "Lead", "00Q1");
	struct crmsync_record *contact = record_new(CRMSYNC_SIDE_SALESFORCE, "Contact", "0031");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "7");
	const char *why;

	inst = load(&cfg, "selective_sync_field = Sync__c\nlead_deletes = delete_hubspot_contact\n"
			  "contact_rules_same_as_leads = no\ncontact_updates = nothing");
	record_set(lead, "Email", "bad@");
	record_set(lead, "Sync__c", "true");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, lead, NULL, &why), 0);
	assert_string_equal(why, "no valid email address");
	record_set(lead, "Email", "ok@example.co.jp");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, lead, NULL, &why), 1);
	record_set(lead, "Sync__c", "false");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, lead, NULL, &why), 0);
	assert_string_equal(why, "excluded by the selective sync field");
	record_set(lead, "Sync__c", "true");
	record_set(lead, "IsConverted", "true");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, lead, hs, &why), 0);
	/* lead deletes propagate only to an existing partner */
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_DELETE, CRMSYNC_TO_HUBSPOT, lead, hs, &why), 1);
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_DELETE, CRMSYNC_TO_HUBSPOT, lead, NULL, &why), 0);
	/* contacts follow their own rules here: updates do nothing, deletes do nothing */
	record_set(contact, "Email", "c@example.com");
	record_set(contact, "Sync__c", "true");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, contact, hs, &why), 0);
	assert_string_equal(why, "contact updates are set to do nothing");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_DELETE, CRMSYNC_TO_HUBSPOT, contact, hs, &why), 0);
	config_release(&cfg);

	inst = load(&cfg, "lead_updates = nothing");
	assert_int_equal(pe_accept(inst, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, contact, NULL, &why), 0);
	assert_string_equal(why, "contact updates are set to do nothing");
	config_release(&cfg);
	record_free(lead);
	record_free(contact);
	record_free(hs);
}

static void test_state_country(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst;
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	struct crmsync_record *out = record_new(CRMSYNC_SIDE_SALESFORCE, "Lead", NULL);
	struct crmsync_change chg = { sizeof(chg), CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, 0,
				      hs, NULL };

	inst = load(&cfg, "state_country_picklists = enabled");
	record_set(out, "State", "Calif.");
	record_set(out, "Country", "United States of America");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "StateCode"), "CA");
	assert_string_equal(record_get(out, "CountryCode"), "US");
	assert_null(record_get(out, "State"));
	assert_null(record_get(out, "Country"));
	record_free(out);

	out = record_new(CRMSYNC_SIDE_SALESFORCE, "Contact", NULL);
	record_set(out, "MailingState", "東京都");
	record_set(out, "MailingCountry", "日本");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "MailingCountryCode"), "JP");
	assert_string_equal(record_get(out, "MailingStateCode"), "13");
	record_free(out);

	/* an unknown country stays as text */
	out = record_new(CRMSYNC_SIDE_SALESFORCE, "Lead", NULL);
	record_set(out, "Country", "Atlantis");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "Country"), "Atlantis");
	assert_null(record_get(out, "CountryCode"));
	record_free(out);
	config_release(&cfg);

	/* picklists disabled: text goes as is */
	inst = load(&cfg, "state_country_picklists = disabled");
	out = record_new(CRMSYNC_SIDE_SALESFORCE, "Lead", NULL);
	record_set(out, "Country", "Japan");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "Country"), "Japan");
	assert_null(record_get(out, "CountryCode"));
	record_free(out);
	config_release(&cfg);

	inst = load(&cfg, "state_country_picklists = customised\ntranslate_state_country = no");
	out = record_new(CRMSYNC_SIDE_SALESFORCE, "Lead", NULL);
	record_set(out, "Country", "Japan");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "Country"), "Japan");
	record_free(out);
	record_free(hs);
	config_release(&cfg);
}

static void test_lifecycle_never_backwards(void **state)
{
	struct config cfg;
	struct crmsync_instance *inst = load(&cfg, "");
	struct crmsync_record *sf = record_new(CRMSYNC_SIDE_SALESFORCE, "Contact", "003");
	struct crmsync_record *hs = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	struct crmsync_record *out = record_new(CRMSYNC_SIDE_HUBSPOT, "contacts", "1");
	struct crmsync_change chg = { sizeof(chg), CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_HUBSPOT, 0, sf, hs };

	record_set(hs, "lifecyclestage", "customer");
	record_set(out, "lifecyclestage", "opportunity");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_null(record_get(out, "lifecyclestage"));

	record_set(hs, "lifecyclestage", "lead");
	record_set(out, "lifecyclestage", "opportunity");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "lifecyclestage"), "opportunity");

	/* from the contact roles the core attached: a lost and an open one */
	record_set(out, "lifecyclestage", NULL);
	record_set(sf, "roles.count", "2");
	record_set(sf, "roles.0.Opportunity.IsClosed", "true");
	record_set(sf, "roles.0.Opportunity.IsWon", "false");
	record_set(sf, "roles.1.Opportunity.IsClosed", "false");
	record_set(sf, "roles.1.Opportunity.IsWon", "false");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "lifecyclestage"), "opportunity");
	/* a won one makes a customer */
	record_set(sf, "roles.0.Opportunity.IsWon", "true");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_string_equal(record_get(out, "lifecyclestage"), "customer");
	/* never backwards: a customer with only an open role stays untouched */
	record_set(out, "lifecyclestage", NULL);
	record_set(hs, "lifecyclestage", "customer");
	record_set(sf, "roles.0.Opportunity.IsWon", "false");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_null(record_get(out, "lifecyclestage"));
	/* only closed-lost roles: nothing */
	record_set(hs, "lifecyclestage", "lead");
	record_set(sf, "roles.count", "1");
	assert_int_equal(pe_ops(inst)->transform(inst, inst->ctx, &chg, out), 0);
	assert_null(record_get(out, "lifecyclestage"));
	record_free(sf);
	record_free(hs);
	record_free(out);
	config_release(&cfg);
}

static void test_init_checks(void **state)
{
	struct config cfg;
	struct errlist errs = { 0 };
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad.conf", pe_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[core]\nstate = s.db\n[object contact]\ninclusion_value = x\n");
	fclose(f);
	assert_int_equal(config_load(&cfg, path, &errs), 0);
	/* the plugin refuses to start: a value without its property */
	assert_int_not_equal(config_start_instances(&cfg), 0);
	errlist_release(&errs);
	config_release(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_dedupe_key),
		cmocka_unit_test(test_inclusion_list),
		cmocka_unit_test(test_to_hubspot_rules),
		cmocka_unit_test(test_state_country),
		cmocka_unit_test(test_lifecycle_never_backwards),
		cmocka_unit_test(test_init_checks),
	};
	return PE_RUN(tests, "contact");
}
