/*
 * test_mapping_check.c - mapping_check() against describe-like fixtures of
 * Salesforce Lead/Contact/Opportunity/Task and HubSpot properties: a clean
 * pass for the shipped mappings, then one problem per broken thing, each
 * naming both ends and carrying its sync-error type.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "testutil.h"

static const char *const lead_status[] = { "Open - Not Contacted", "Working - Contacted",
					   "Closed - Converted", "Closed - Not Converted", NULL };
static const char *const hs_lead_status[] = { "NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL",
					      "UNQUALIFIED", "ATTEMPTED_TO_CONTACT", "CONNECTED",
					      "BAD_TIMING", NULL };
static const char *const rating[] = { "Hot", "Warm", "Cold", NULL };
static const char *const hs_rating[] = { "hot", "warm", "cold", NULL };

/* name, type, createable, updateable, nillable, length, picklist, restricted, reference_to */
#define SF_TEXT(n, len) { n, "string", 1, 1, 1, len, NULL, 0, NULL }
static const struct field_meta lead[] = {
	{ "Id", "id", 0, 0, 0, 18, NULL, 0, NULL },
	{ "Email", "email", 1, 1, 1, 80, NULL, 0, NULL },
	SF_TEXT("FirstName", 40),
	SF_TEXT("LastName", 80),
	{ "Phone", "phone", 1, 1, 1, 40, NULL, 0, NULL },
	{ "MobilePhone", "phone", 1, 1, 1, 40, NULL, 0, NULL },
	SF_TEXT("Title", 128),
	SF_TEXT("Company", 255),
	{ "Street", "textarea", 1, 1, 1, 255, NULL, 0, NULL },
	SF_TEXT("City", 40),
	SF_TEXT("State", 80),
	SF_TEXT("PostalCode", 20),
	SF_TEXT("Country", 80),
	{ "Website", "url", 1, 1, 1, 255, NULL, 0, NULL },
	{ "Industry", "picklist", 1, 1, 1, 255, NULL, 0, NULL },
	{ "Status", "picklist", 1, 1, 0, 255, lead_status, 1, NULL },
	{ "OwnerId", "reference", 1, 1, 0, 18, NULL, 0, "User" },
	{ "Rating", "picklist", 1, 1, 1, 255, rating, 1, NULL },
	{ "AnnualRevenue", "currency", 1, 1, 1, 0, NULL, 0, NULL },
	{ "ConvertedDate", "date", 0, 0, 1, 0, NULL, 0, NULL },
	{ "LastActivityDate", "date", 0, 0, 1, 0, NULL, 0, NULL },
	{ "ConvertedAccountId", "reference", 0, 0, 1, 18, NULL, 0, "Account" },
	{ "HasOptedOutOfEmail", "boolean", 1, 1, 0, 0, NULL, 0, NULL },
	{ "Score__c", "double", 1, 1, 1, 0, NULL, 0, NULL },
	{ "Seen__c", "datetime", 1, 1, 1, 0, NULL, 0, NULL },
	{ "Tags__c", "multipicklist", 1, 1, 1, 4099, rating, 1, NULL },
	SF_TEXT("Readonly__c", 255),
};

#define HS(n, t) { n, t, 1, 1, 1, 0, NULL, 0, NULL }
static const struct field_meta hs_contact[] = {
	HS("email", "string"), HS("firstname", "string"), HS("lastname", "string"),
	HS("phone", "string"), HS("mobilephone", "string"), HS("jobtitle", "string"),
	HS("company", "string"), HS("address", "string"), HS("city", "string"),
	HS("state", "string"), HS("zip", "string"), HS("country", "string"),
	HS("website", "string"), HS("industry", "string"),
	{ "hs_lead_status", "enumeration", 1, 1, 1, 0, hs_lead_status, 1, NULL },
	{ "hubspot_owner_id", "enumeration", 1, 1, 1, 0, NULL, 0, NULL },
	{ "rating", "enumeration", 1, 1, 1, 0, hs_rating, 1, NULL },
	HS("annualrevenue", "number"), HS("closedate", "date"), HS("lastseen", "datetime"),
	HS("optout", "bool"), HS("score", "number"),
	{ "hs_object_id", "number", 0, 0, 1, 0, NULL, 0, NULL },
	HS("tags", "enumeration"),
};

struct fx {
	struct mapping *m;
	struct mapping_problems probs;
	struct errlist errs;
};

static struct fx *F;

static int setup(void **state)
{
	F = xcalloc(1, sizeof(*F));
	*state = F;
	return 0;
}

static int teardown(void **state)
{
	mapping_free(F->m);
	mapping_problems_release(&F->probs);
	errlist_release(&F->errs);
	free(F);
	return 0;
}

static void parse(const char *fields)
{
	char *yaml = xasprintf("object: contact\nfields:\n%s", fields);

	mapping_free(F->m);
	F->m = NULL;
	if (mapping_parse_buffer("c.yaml", yaml, strlen(yaml), &F->m, &F->errs)) {
		tu_errs_dump(&F->errs);
		fail_msg("mapping refused:\n%s", yaml);
	}
	free(yaml);
}

static int check(const char *sf_object)
{
	mapping_problems_release(&F->probs);
	return mapping_check(F->m, lead, ARRAY_SIZE(lead), sf_object, hs_contact,
			     ARRAY_SIZE(hs_contact), &F->probs);
}

static void dump(void)
{
	for (size_t i = 0; i < F->probs.n; i++)
		print_message("  [%s] %s: %s\n", mapping_problem_type_name(F->probs.v[i].type),
			      F->probs.v[i].where, F->probs.v[i].message);
}

/* Exactly one problem, of this type, whose message holds the needle. */
static void one_problem(const char *fields, enum mapping_problem_type type, const char *needle)
{
	const struct mapping_problem *p;

	parse(fields);
	assert_int_equal(check("Lead"), -EINVAL);
	if (F->probs.n != 1) {
		dump();
		fail_msg("expected one problem, got %zu for:\n%s", F->probs.n, fields);
	}
	p = &F->probs.v[0];
	if (p->type != type || !strstr(p->message, needle)) {
		dump();
		fail_msg("expected [%s] '%s'", mapping_problem_type_name(type), needle);
	}
	assert_string_equal(p->hubspot, F->m->fields[0].hubspot);
	assert_true(!strncmp(p->salesforce, "Lead.", 5));
	assert_string_equal(p->salesforce + 5, F->m->fields[0].salesforce);
	assert_string_equal(p->where, "c.yaml:3:5");
}

static void test_shipped_contact_is_clean(void **state)
{
	char *p = xasprintf("%s/contact.yaml", MAPPINGS_DIR);

	assert_int_equal(mapping_load(p, &F->m, &F->errs), 0);
	free(p);
	if (check("Lead")) {
		dump();
		fail_msg("contact.yaml has problems against a standard Lead");
	}
	assert_int_equal(F->probs.n, 0);
}

static const char *const stages[] = { "Prospecting", "Qualification", "Needs Analysis",
				      "Value Proposition", "Id. Decision Makers",
				      "Perception Analysis", "Proposal/Price Quote",
				      "Negotiation/Review", "Closed Won", "Closed Lost", NULL };
static const char *const hs_stages[] = { "appointmentscheduled", "qualifiedtobuy",
					 "presentationscheduled", "decisionmakerboughtin",
					 "contractsent", "closedwon", "closedlost", NULL };
static const struct field_meta opportunity[] = {
	{ "Name", "string", 1, 1, 0, 120, NULL, 0, NULL },
	{ "Amount", "currency", 1, 1, 1, 0, NULL, 0, NULL },
	{ "CloseDate", "date", 1, 1, 0, 0, NULL, 0, NULL },
	{ "Description", "textarea", 1, 1, 1, 32000, NULL, 0, NULL },
	{ "StageName", "picklist", 1, 1, 0, 255, stages, 1, NULL },
	{ "OwnerId", "reference", 1, 1, 0, 18, NULL, 0, "User" },
};
static const struct field_meta hs_deal[] = {
	HS("dealname", "string"), HS("amount", "number"), HS("closedate", "datetime"),
	HS("description", "string"),
	{ "dealstage", "enumeration", 1, 1, 1, 0, hs_stages, 1, NULL },
	{ "hubspot_owner_id", "enumeration", 1, 1, 1, 0, NULL, 0, NULL },
};

static const char *const task_status[] = { "Not Started", "In Progress", "Completed",
					   "Waiting on someone else", "Deferred", NULL };
static const char *const hs_task_status[] = { "NOT_STARTED", "IN_PROGRESS", "WAITING",
					      "COMPLETED", "DEFERRED", NULL };
static const char *const priority[] = { "High", "Normal", "Low", NULL };
static const char *const hs_priority[] = { "NONE", "LOW", "MEDIUM", "HIGH", NULL };
static const struct field_meta task[] = {
	{ "Subject", "combobox", 1, 1, 1, 255, NULL, 0, NULL },
	{ "Description", "textarea", 1, 1, 1, 32000, NULL, 0, NULL },
	{ "Status", "picklist", 1, 1, 0, 255, task_status, 1, NULL },
	{ "Priority", "picklist", 1, 1, 0, 40, priority, 1, NULL },
	{ "ActivityDate", "date", 1, 1, 1, 0, NULL, 0, NULL },
	{ "OwnerId", "reference", 1, 1, 0, 18, NULL, 0, "User" },
};
static const struct field_meta hs_task[] = {
	HS("hs_task_subject", "string"), HS("hs_task_body", "string"),
	{ "hs_task_status", "enumeration", 1, 1, 1, 0, hs_task_status, 1, NULL },
	{ "hs_task_priority", "enumeration", 1, 1, 1, 0, hs_priority, 1, NULL },
	HS("hs_timestamp", "datetime"),
	{ "hubspot_owner_id", "enumeration", 1, 1, 1, 0, NULL, 0, NULL },
};

static void shipped_is_clean(const char *file, const char *sf_object, const struct field_meta *sf,
			     size_t n_sf, const struct field_meta *hs, size_t n_hs)
{
	char *p = xasprintf("%s/%s", MAPPINGS_DIR, file);

	mapping_free(F->m);
	F->m = NULL;
	assert_int_equal(mapping_load(p, &F->m, &F->errs), 0);
	free(p);
	mapping_problems_release(&F->probs);
	if (mapping_check(F->m, sf, n_sf, sf_object, hs, n_hs, &F->probs)) {
		dump();
		fail_msg("%s has problems against a standard %s", file, sf_object);
	}
}

static void test_shipped_deal_and_activity_are_clean(void **state)
{
	shipped_is_clean("deal.yaml", "Opportunity", opportunity, ARRAY_SIZE(opportunity), hs_deal,
			 ARRAY_SIZE(hs_deal));
	shipped_is_clean("activity.yaml", "Task", task, ARRAY_SIZE(task), hs_task,
			 ARRAY_SIZE(hs_task));
	/* and a renamed stage in Salesforce is caught */
	{
		struct field_meta renamed[ARRAY_SIZE(opportunity)];
		static const char *const fewer[] = { "Prospecting", "Qualification", "Closed Won",
						      "Closed Lost", NULL };

		char *p = xasprintf("%s/deal.yaml", MAPPINGS_DIR);

		memcpy(renamed, opportunity, sizeof(renamed));
		renamed[4].picklist = fewer;
		mapping_free(F->m);
		F->m = NULL;
		assert_int_equal(mapping_load(p, &F->m, &F->errs), 0);
		free(p);
		mapping_problems_release(&F->probs);
		assert_int_equal(mapping_check(F->m, renamed, ARRAY_SIZE(renamed), "Opportunity",
					       hs_deal, ARRAY_SIZE(hs_deal), &F->probs), -EINVAL);
		/* presentationscheduled, decisionmakerboughtin, contractsent */
		assert_int_equal(F->probs.n, 3);
		assert_int_equal(F->probs.v[0].type, MAPPING_PROBLEM_PICKLIST);
		assert_string_equal(F->probs.v[0].salesforce, "Opportunity.StageName");
		assert_non_null(strstr(F->probs.v[0].message, "'presentationscheduled' maps to "
							      "'Value Proposition'"));
	}
}

static void test_missing_ends(void **state)
{
	one_problem("  - {hubspot: nosuch, salesforce: Email}\n", MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "hubspot 'nosuch' \xe2\x86\x94 salesforce Lead.Email (email): the HubSpot "
		    "property does not exist");
	one_problem("  - {hubspot: email, salesforce: NoSuch__c}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "hubspot 'email' (string) \xe2\x86\x94 salesforce Lead.NoSuch__c: the Salesforce "
		    "field does not exist on Lead");
	/* both missing: two problems */
	parse("  - {hubspot: nosuch, salesforce: NoSuch__c}\n");
	assert_int_equal(check("Lead"), -EINVAL);
	assert_int_equal(F->probs.n, 2);
	/* rule none and entries for other objects are not checked */
	parse("  - {hubspot: nosuch, salesforce: NoSuch__c, rule: none}\n"
	      "  - {hubspot: nosuch2, salesforce: NoSuch2__c, objects: [Contact]}\n");
	assert_int_equal(check("Lead"), 0);
	assert_int_equal(F->probs.n, 0);
}

static void test_incompatible_types(void **state)
{
	one_problem("  - {hubspot: rating, salesforce: Score__c, rule: hubspot_to_salesforce}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "hubspot 'rating' (enumeration) \xe2\x86\x94 salesforce Lead.Score__c (double): "
		    "incompatible types");
	one_problem("  - {hubspot: score, salesforce: FirstName}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING, "incompatible types");
	one_problem("  - {hubspot: closedate, salesforce: Seen__c, transform: {type: datetime}}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING, "(date) \xe2\x86\x94 salesforce Lead.Seen__c "
						      "(datetime): incompatible types");
	one_problem("  - {hubspot: optout, salesforce: City}\n", MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "incompatible types");
	one_problem("  - {hubspot: email, salesforce: HasOptedOutOfEmail}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING, "incompatible types");
}

static void test_missing_conversion(void **state)
{
	one_problem("  - {hubspot: score, salesforce: Score__c}\n", MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "the values need converting: write 'transform: {type: number}'");
	one_problem("  - {hubspot: lastseen, salesforce: Seen__c}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING, "write 'transform: {type: datetime}'");
	one_problem("  - {hubspot: optout, salesforce: HasOptedOutOfEmail}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING, "write 'transform: {type: boolean}'");
	one_problem("  - {hubspot: tags, salesforce: Tags__c}\n", MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "write 'transform: {type: multiselect}'");
	one_problem("  - {hubspot: email, salesforce: Email, transform: {type: number}}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "the entry's 'type: number' does not fit these types: remove it");
	/* declared: fine, including datetime onto a date */
	parse("  - {hubspot: score, salesforce: Score__c, transform: {type: number}}\n"
	      "  - {hubspot: annualrevenue, salesforce: AnnualRevenue, transform: {type: number}}\n"
	      "  - {hubspot: lastseen, salesforce: Seen__c, transform: {type: datetime}}\n"
	      "  - {hubspot: optout, salesforce: HasOptedOutOfEmail, transform: {type: boolean}}\n"
	      "  - {hubspot: tags, salesforce: Tags__c, transform: {type: multiselect}}\n"
	      "  - {hubspot: closedate, salesforce: ConvertedDate, rule: always_salesforce, "
	      "transform: {type: date}}\n");
	if (check("Lead")) {
		dump();
		fail_msg("declared conversions were refused");
	}
	parse("  - {hubspot: lastseen, salesforce: LastActivityDate, rule: always_salesforce, "
	      "transform: {type: datetime_to_date}}\n"
	      "  - {hubspot: tags, salesforce: Readonly__c, rule: always_salesforce, "
	      "transform: {type: multiselect}}\n");
	if (check("Lead")) {
		dump();
		fail_msg("datetime onto date, or a multi-select kept as text, was refused");
	}
}

static void test_reference_needs_lookup(void **state)
{
	one_problem("  - {hubspot: company, salesforce: ConvertedAccountId, "
		    "rule: always_salesforce, objects: [Lead]}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING, "needs a lookup mapping");
	assert_non_null(strstr(F->probs.v[0].message, "reference to Account"));
}

static void test_id_cannot_be_mapped(void **state)
{
	one_problem("  - {hubspot: email, salesforce: Id, rule: always_salesforce}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING, "the record id cannot be mapped");
}

static void test_permissions(void **state)
{
	/* ConvertedDate is read-only: a rule that writes Salesforce is a problem */
	one_problem("  - {hubspot: closedate, salesforce: ConvertedDate, transform: {type: date}}\n",
		    MAPPING_PROBLEM_PERMISSION,
		    "the integration user cannot update this field but rule "
		    "prefer_salesforce_unless_blank writes to Salesforce");
	one_problem("  - {hubspot: closedate, salesforce: ConvertedDate, rule: two_way, "
		    "transform: {type: date}}\n", MAPPING_PROBLEM_PERMISSION, "cannot update");
	/* hs_object_id is read-only in HubSpot */
	one_problem("  - {hubspot: hs_object_id, salesforce: Score__c, transform: {type: number}}\n",
		    MAPPING_PROBLEM_PERMISSION, "the HubSpot property is read-only");
	/* always_salesforce never writes Salesforce; hubspot_to_salesforce never HubSpot */
	parse("  - {hubspot: closedate, salesforce: ConvertedDate, rule: always_salesforce, "
	      "transform: {type: date}}\n"
	      "  - {hubspot: hs_object_id, salesforce: Score__c, rule: hubspot_to_salesforce, "
	      "transform: {type: number}}\n");
	assert_int_equal(check("Lead"), 0);
}

static void test_restricted_picklists(void **state)
{
	one_problem("  - hubspot: rating\n    salesforce: Rating\n    rule: two_way\n"
		    "    transform: {values: {hot: Hot, warm: Tepid, cold: Cold}}\n",
		    MAPPING_PROBLEM_PICKLIST,
		    "value 'warm' maps to 'Tepid', which the restricted Salesforce picklist does "
		    "not hold");
	one_problem("  - hubspot: rating\n    salesforce: Rating\n    rule: two_way\n"
		    "    transform: {values: {hot: Hot, lukewarm: Warm, cold: Cold}}\n",
		    MAPPING_PROBLEM_PICKLIST, "value 'lukewarm' is not an option of the HubSpot "
					      "property");
	one_problem("  - hubspot: hs_lead_status\n    salesforce: Status\n"
		    "    rule: always_salesforce\n"
		    "    transform: {reverse: {Open - Not Contacted: FRESH}}\n",
		    MAPPING_PROBLEM_PICKLIST, "reverse value 'Open - Not Contacted' maps to 'FRESH'");
	/* a one-way rule only checks the side it writes */
	parse("  - hubspot: rating\n    salesforce: Rating\n    rule: always_salesforce\n"
	      "    transform: {values: {hot: Hot, warm: Tepid, cold: Cold}}\n");
	assert_int_equal(check("Lead"), 0);
}

static void test_max_length(void **state)
{
	one_problem("  - {hubspot: city, salesforce: City, transform: {max_length: 80}}\n",
		    MAPPING_PROBLEM_PROPERTY_MAPPING,
		    "max_length 80 is longer than the field (40): lower it to 40");
}

static void test_owner_reference_allowed(void **state)
{
	parse("  - {hubspot: hubspot_owner_id, salesforce: OwnerId, rule: two_way}\n");
	assert_int_equal(check("Lead"), 0);
}

static void test_all_problems_and_errlist(void **state)
{
	parse("  - {hubspot: nosuch, salesforce: Email}\n"
	      "  - {hubspot: score, salesforce: FirstName}\n"
	      "  - {hubspot: closedate, salesforce: ConvertedDate, transform: {type: date}}\n");
	assert_int_equal(check("Lead"), -EINVAL);
	assert_int_equal(F->probs.n, 3);
	/* problems accumulate over calls (one per Salesforce object) */
	assert_int_equal(mapping_check(F->m, lead, ARRAY_SIZE(lead), "Contact", hs_contact,
				       ARRAY_SIZE(hs_contact), &F->probs), -EINVAL);
	assert_int_equal(F->probs.n, 6);
	assert_string_equal(F->probs.v[3].salesforce, "Contact.Email");
	mapping_problems_to_errlist(&F->probs, &F->errs);
	assert_int_equal(F->errs.total, 6);
	assert_err(&F->errs, "c.yaml:3:5: [property_mapping] hubspot 'nosuch'");
	assert_err(&F->errs, "c.yaml:5:5: [permission] hubspot 'closedate' (date)");
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_shipped_contact_is_clean),
		T(test_shipped_deal_and_activity_are_clean),
		T(test_missing_ends),
		T(test_incompatible_types),
		T(test_missing_conversion),
		T(test_reference_needs_lookup),
		T(test_id_cannot_be_mapped),
		T(test_permissions),
		T(test_restricted_picklists),
		T(test_max_length),
		T(test_owner_reference_allowed),
		T(test_all_problems_and_errlist),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
