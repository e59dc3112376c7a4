/*
 * crmsync-sim, Salesforce side: the org's schema. Built-in fields of the
 * standard objects crmsync uses, plus custom fields, picklist overrides and the
 * integration user's permissions from the config (see schema.example.json).
 * Describe output is in sf_describe.c; this file only builds the tables.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

struct sf_fdef {
	const char *name, *label;
	enum sf_type type;
	int len;
	unsigned fl;
	const char *pick;   /* '|'-separated values */
	const char *refs, *rel;
};

#define RW SF_F_RW
#define RO 0u
#define SRC "Web|Phone Inquiry|Partner Referral|Purchased List|Advertisement|" \
	"Employee Referral|External Referral|Trade Show|Word of mouth|Other"
#define IND "Agriculture|Apparel|Banking|Biotechnology|Chemicals|Communications|" \
	"Construction|Consulting|Education|Electronics|Energy|Engineering|" \
	"Entertainment|Environmental|Finance|Food & Beverage|Government|Healthcare|" \
	"Hospitality|Insurance|Machinery|Manufacturing|Media|Not For Profit|" \
	"Recreation|Retail|Shipping|Technology|Telecommunications|Transportation|" \
	"Utilities|Other"
#define SAL "Mr.|Ms.|Mrs.|Dr.|Prof."
#define RATING "Hot|Warm|Cold"

#define SYS_HEAD \
	{"Id", "Record ID", SF_T_ID, 18, SF_F_DEF | SF_F_IDL, NULL, NULL, NULL}, \
	{"IsDeleted", "Deleted", SF_T_BOOLEAN, 0, SF_F_DEF, NULL, NULL, NULL}
#define SYS_TAIL \
	{"CreatedDate", "Created Date", SF_T_DATETIME, 0, SF_F_DEF, NULL, NULL, NULL}, \
	{"CreatedById", "Created By ID", SF_T_REFERENCE, 18, SF_F_DEF, NULL, "User", "CreatedBy"}, \
	{"LastModifiedDate", "Last Modified Date", SF_T_DATETIME, 0, SF_F_DEF, NULL, NULL, NULL}, \
	{"LastModifiedById", "Last Modified By ID", SF_T_REFERENCE, 18, SF_F_DEF, NULL, "User", "LastModifiedBy"}, \
	{"SystemModstamp", "System Modstamp", SF_T_DATETIME, 0, SF_F_DEF, NULL, NULL, NULL}
#define OWNER {"OwnerId", "Owner ID", SF_T_REFERENCE, 18, SF_F_DEF | SF_F_CRE | SF_F_UPD, NULL, "User", "Owner"}
#define END {NULL, NULL, SF_T_ID, 0, 0, NULL, NULL, NULL}

static const struct sf_fdef sf_lead_defs[] = {
	SYS_HEAD,
	{"LastName", "Last Name", SF_T_STRING, 80, SF_F_CRE | SF_F_UPD, NULL, NULL, NULL},
	{"FirstName", "First Name", SF_T_STRING, 40, RW, NULL, NULL, NULL},
	{"Salutation", "Salutation", SF_T_PICKLIST, 40, RW, SAL, NULL, NULL},
	{"Name", "Full Name", SF_T_STRING, 121, SF_F_NAME | SF_F_CALC, NULL, NULL, NULL},
	{"Title", "Title", SF_T_STRING, 128, RW, NULL, NULL, NULL},
	{"Company", "Company", SF_T_STRING, 255, SF_F_CRE | SF_F_UPD, NULL, NULL, NULL},
	{"Street", "Street", SF_T_TEXTAREA, 255, RW, NULL, NULL, NULL},
	{"City", "City", SF_T_STRING, 40, RW, NULL, NULL, NULL},
	{"State", "State/Province", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"StateCode", "State/Province Code", SF_T_PICKLIST, 10, RW | SF_F_CODE | SF_F_RPL, NULL, NULL, NULL},
	{"PostalCode", "Zip/Postal Code", SF_T_STRING, 20, RW, NULL, NULL, NULL},
	{"Country", "Country", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"CountryCode", "Country Code", SF_T_PICKLIST, 10, RW | SF_F_CODE | SF_F_RPL, NULL, NULL, NULL},
	{"Phone", "Phone", SF_T_PHONE, 40, RW, NULL, NULL, NULL},
	{"MobilePhone", "Mobile Phone", SF_T_PHONE, 40, RW, NULL, NULL, NULL},
	{"Email", "Email", SF_T_EMAIL, 80, RW | SF_F_IDL, NULL, NULL, NULL},
	{"Website", "Website", SF_T_URL, 255, RW, NULL, NULL, NULL},
	{"Description", "Description", SF_T_TEXTAREA, 32000, RW, NULL, NULL, NULL},
	{"LeadSource", "Lead Source", SF_T_PICKLIST, 255, RW | SF_F_RPL, SRC, NULL, NULL},
	{"Status", "Status", SF_T_PICKLIST, 255, SF_F_CRE | SF_F_UPD | SF_F_DEF | SF_F_RPL,
	 "Open - Not Contacted|Working - Contacted|Closed - Converted|Closed - Not Converted", NULL, NULL},
	{"Industry", "Industry", SF_T_PICKLIST, 255, RW | SF_F_RPL, IND, NULL, NULL},
	{"Rating", "Rating", SF_T_PICKLIST, 255, RW, RATING, NULL, NULL},
	{"AnnualRevenue", "Annual Revenue", SF_T_CURRENCY, 0, RW, NULL, NULL, NULL},
	{"NumberOfEmployees", "Employees", SF_T_INT, 0, RW, NULL, NULL, NULL},
	{"HasOptedOutOfEmail", "Email Opt Out", SF_T_BOOLEAN, 0, SF_F_CRE | SF_F_UPD | SF_F_DEF, NULL, NULL, NULL},
	OWNER,
	{"IsConverted", "Converted", SF_T_BOOLEAN, 0, SF_F_DEF, NULL, NULL, NULL},
	{"ConvertedDate", "Converted Date", SF_T_DATE, 0, SF_F_NIL, NULL, NULL, NULL},
	{"ConvertedAccountId", "Converted Account ID", SF_T_REFERENCE, 18, SF_F_NIL, NULL, "Account", "ConvertedAccount"},
	{"ConvertedContactId", "Converted Contact ID", SF_T_REFERENCE, 18, SF_F_NIL, NULL, "Contact", "ConvertedContact"},
	{"ConvertedOpportunityId", "Converted Opportunity ID", SF_T_REFERENCE, 18, SF_F_NIL, NULL, "Opportunity", "ConvertedOpportunity"},
	{"IsUnreadByOwner", "Unread By Owner", SF_T_BOOLEAN, 0, SF_F_CRE | SF_F_UPD | SF_F_DEF, NULL, NULL, NULL},
	SYS_TAIL,
	{"LastActivityDate", "Last Activity", SF_T_DATE, 0, SF_F_NIL, NULL, NULL, NULL},
	END
};

static const struct sf_fdef sf_contact_defs[] = {
	SYS_HEAD,
	{"AccountId", "Account ID", SF_T_REFERENCE, 18, RW, NULL, "Account", "Account"},
	{"LastName", "Last Name", SF_T_STRING, 80, SF_F_CRE | SF_F_UPD, NULL, NULL, NULL},
	{"FirstName", "First Name", SF_T_STRING, 40, RW, NULL, NULL, NULL},
	{"Salutation", "Salutation", SF_T_PICKLIST, 40, RW, SAL, NULL, NULL},
	{"Name", "Full Name", SF_T_STRING, 121, SF_F_NAME | SF_F_CALC, NULL, NULL, NULL},
	{"MailingStreet", "Mailing Street", SF_T_TEXTAREA, 255, RW, NULL, NULL, NULL},
	{"MailingCity", "Mailing City", SF_T_STRING, 40, RW, NULL, NULL, NULL},
	{"MailingState", "Mailing State/Province", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"MailingStateCode", "Mailing State/Province Code", SF_T_PICKLIST, 10, RW | SF_F_CODE | SF_F_RPL, NULL, NULL, NULL},
	{"MailingPostalCode", "Mailing Zip/Postal Code", SF_T_STRING, 20, RW, NULL, NULL, NULL},
	{"MailingCountry", "Mailing Country", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"MailingCountryCode", "Mailing Country Code", SF_T_PICKLIST, 10, RW | SF_F_CODE | SF_F_RPL, NULL, NULL, NULL},
	{"Phone", "Business Phone", SF_T_PHONE, 40, RW, NULL, NULL, NULL},
	{"MobilePhone", "Mobile Phone", SF_T_PHONE, 40, RW, NULL, NULL, NULL},
	{"Email", "Email", SF_T_EMAIL, 80, RW | SF_F_IDL, NULL, NULL, NULL},
	{"Title", "Title", SF_T_STRING, 128, RW, NULL, NULL, NULL},
	{"Department", "Department", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"LeadSource", "Lead Source", SF_T_PICKLIST, 255, RW | SF_F_RPL, SRC, NULL, NULL},
	{"Birthdate", "Birthdate", SF_T_DATE, 0, RW, NULL, NULL, NULL},
	{"Description", "Contact Description", SF_T_TEXTAREA, 32000, RW, NULL, NULL, NULL},
	{"ReportsToId", "Reports To ID", SF_T_REFERENCE, 18, RW, NULL, "Contact", "ReportsTo"},
	{"HasOptedOutOfEmail", "Email Opt Out", SF_T_BOOLEAN, 0, SF_F_CRE | SF_F_UPD | SF_F_DEF, NULL, NULL, NULL},
	OWNER,
	SYS_TAIL,
	{"LastActivityDate", "Last Activity", SF_T_DATE, 0, SF_F_NIL, NULL, NULL, NULL},
	END
};

static const struct sf_fdef sf_account_defs[] = {
	SYS_HEAD,
	{"Name", "Account Name", SF_T_STRING, 255, SF_F_CRE | SF_F_UPD | SF_F_NAME, NULL, NULL, NULL},
	{"Type", "Account Type", SF_T_PICKLIST, 255, RW,
	 "Prospect|Customer - Direct|Customer - Channel|Channel Partner / Reseller|"
	 "Installation Partner|Technology Partner|Other", NULL, NULL},
	{"ParentId", "Parent Account ID", SF_T_REFERENCE, 18, RW, NULL, "Account", "Parent"},
	{"BillingStreet", "Billing Street", SF_T_TEXTAREA, 255, RW, NULL, NULL, NULL},
	{"BillingCity", "Billing City", SF_T_STRING, 40, RW, NULL, NULL, NULL},
	{"BillingState", "Billing State/Province", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"BillingStateCode", "Billing State/Province Code", SF_T_PICKLIST, 10, RW | SF_F_CODE | SF_F_RPL, NULL, NULL, NULL},
	{"BillingPostalCode", "Billing Zip/Postal Code", SF_T_STRING, 20, RW, NULL, NULL, NULL},
	{"BillingCountry", "Billing Country", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"BillingCountryCode", "Billing Country Code", SF_T_PICKLIST, 10, RW | SF_F_CODE | SF_F_RPL, NULL, NULL, NULL},
	{"Phone", "Account Phone", SF_T_PHONE, 40, RW, NULL, NULL, NULL},
	{"Website", "Website", SF_T_URL, 255, RW, NULL, NULL, NULL},
	{"Industry", "Industry", SF_T_PICKLIST, 255, RW | SF_F_RPL, IND, NULL, NULL},
	{"AnnualRevenue", "Annual Revenue", SF_T_CURRENCY, 0, RW, NULL, NULL, NULL},
	{"NumberOfEmployees", "Employees", SF_T_INT, 0, RW, NULL, NULL, NULL},
	{"Description", "Account Description", SF_T_TEXTAREA, 32000, RW, NULL, NULL, NULL},
	{"Rating", "Account Rating", SF_T_PICKLIST, 255, RW, RATING, NULL, NULL},
	{"AccountSource", "Account Source", SF_T_PICKLIST, 255, RW | SF_F_RPL, SRC, NULL, NULL},
	OWNER,
	SYS_TAIL,
	{"LastActivityDate", "Last Activity", SF_T_DATE, 0, SF_F_NIL, NULL, NULL, NULL},
	END
};

static const struct sf_fdef sf_opp_defs[] = {
	SYS_HEAD,
	{"AccountId", "Account ID", SF_T_REFERENCE, 18, RW, NULL, "Account", "Account"},
	{"Name", "Name", SF_T_STRING, 120, SF_F_CRE | SF_F_UPD | SF_F_NAME, NULL, NULL, NULL},
	{"Description", "Description", SF_T_TEXTAREA, 32000, RW, NULL, NULL, NULL},
	{"StageName", "Stage", SF_T_PICKLIST, 255, SF_F_CRE | SF_F_UPD | SF_F_RPL,
	 "Prospecting|Qualification|Needs Analysis|Value Proposition|Id. Decision Makers|"
	 "Perception Analysis|Proposal/Price Quote|Negotiation/Review|Closed Won|Closed Lost",
	 NULL, NULL},
	{"Amount", "Amount", SF_T_CURRENCY, 0, RW, NULL, NULL, NULL},
	{"Probability", "Probability (%)", SF_T_PERCENT, 0, RW | SF_F_DEF, NULL, NULL, NULL},
	{"CloseDate", "Close Date", SF_T_DATE, 0, SF_F_CRE | SF_F_UPD, NULL, NULL, NULL},
	{"Type", "Opportunity Type", SF_T_PICKLIST, 255, RW,
	 "Existing Customer - Upgrade|Existing Customer - Replacement|"
	 "Existing Customer - Downgrade|New Customer", NULL, NULL},
	{"NextStep", "Next Step", SF_T_STRING, 255, RW, NULL, NULL, NULL},
	{"LeadSource", "Lead Source", SF_T_PICKLIST, 255, RW | SF_F_RPL, SRC, NULL, NULL},
	{"IsClosed", "Closed", SF_T_BOOLEAN, 0, SF_F_DEF | SF_F_CALC, NULL, NULL, NULL},
	{"IsWon", "Won", SF_T_BOOLEAN, 0, SF_F_DEF | SF_F_CALC, NULL, NULL, NULL},
	{"ForecastCategoryName", "Forecast Category", SF_T_PICKLIST, 255, RW | SF_F_DEF,
	 "Omitted|Pipeline|Best Case|Commit|Closed", NULL, NULL},
	{"ContactId", "Contact ID", SF_T_REFERENCE, 18, RW, NULL, "Contact", "Contact"},
	OWNER,
	SYS_TAIL,
	{"LastActivityDate", "Last Activity", SF_T_DATE, 0, SF_F_NIL, NULL, NULL, NULL},
	END
};

static const struct sf_fdef sf_ocr_defs[] = {
	SYS_HEAD,
	{"OpportunityId", "Opportunity ID", SF_T_REFERENCE, 18, SF_F_CRE, NULL, "Opportunity", "Opportunity"},
	{"ContactId", "Contact ID", SF_T_REFERENCE, 18, SF_F_CRE | SF_F_UPD, NULL, "Contact", "Contact"},
	{"Role", "Role", SF_T_PICKLIST, 40, RW,
	 "Business User|Decision Maker|Economic Buyer|Economic Decision Maker|Evaluator|"
	 "Executive Sponsor|Influencer|Technical Buyer|Other", NULL, NULL},
	{"IsPrimary", "Primary", SF_T_BOOLEAN, 0, SF_F_CRE | SF_F_UPD | SF_F_DEF, NULL, NULL, NULL},
	SYS_TAIL,
	END
};

#define TASK_STATUS "Not Started|In Progress|Completed|Waiting on someone else|Deferred"
static const struct sf_fdef sf_task_defs[] = {
	SYS_HEAD,
	{"WhoId", "Name ID", SF_T_REFERENCE, 18, RW, NULL, "Contact,Lead", "Who"},
	{"WhatId", "Related To ID", SF_T_REFERENCE, 18, RW, NULL, "Account,Opportunity", "What"},
	{"Subject", "Subject", SF_T_COMBOBOX, 255, RW, "Call|Send Letter|Send Quote|Other", NULL, NULL},
	{"ActivityDate", "Due Date Only", SF_T_DATE, 0, RW, NULL, NULL, NULL},
	{"Status", "Status", SF_T_PICKLIST, 255, SF_F_CRE | SF_F_UPD | SF_F_DEF | SF_F_RPL, TASK_STATUS, NULL, NULL},
	{"Priority", "Priority", SF_T_PICKLIST, 40, SF_F_CRE | SF_F_UPD | SF_F_DEF | SF_F_RPL, "High|Normal|Low", NULL, NULL},
	{"IsHighPriority", "High Priority", SF_T_BOOLEAN, 0, SF_F_DEF | SF_F_CALC, NULL, NULL, NULL},
	OWNER,
	{"Description", "Description", SF_T_TEXTAREA, 32000, RW, NULL, NULL, NULL},
	{"AccountId", "Account ID", SF_T_REFERENCE, 18, SF_F_NIL | SF_F_CALC, NULL, "Account", "Account"},
	{"IsClosed", "Closed", SF_T_BOOLEAN, 0, SF_F_DEF | SF_F_CALC, NULL, NULL, NULL},
	{"TaskSubtype", "Task Subtype", SF_T_PICKLIST, 40, SF_F_NIL | SF_F_CRE | SF_F_DEF,
	 "Task|Email|ListEmail|Cadence|Call|LinkedIn", NULL, NULL},
	{"CompletedDateTime", "Completed Date/Time", SF_T_DATETIME, 0, SF_F_NIL | SF_F_CALC, NULL, NULL, NULL},
	{"IsArchived", "Archived", SF_T_BOOLEAN, 0, SF_F_DEF | SF_F_CALC, NULL, NULL, NULL},
	SYS_TAIL,
	END
};

static const struct sf_fdef sf_event_defs[] = {
	SYS_HEAD,
	{"WhoId", "Name ID", SF_T_REFERENCE, 18, RW, NULL, "Contact,Lead", "Who"},
	{"WhatId", "Related To ID", SF_T_REFERENCE, 18, RW, NULL, "Account,Opportunity", "What"},
	{"Subject", "Subject", SF_T_COMBOBOX, 255, RW, "Call|Email|Meeting|Send Letter/Quote|Other", NULL, NULL},
	{"Location", "Location", SF_T_STRING, 255, RW, NULL, NULL, NULL},
	{"IsAllDayEvent", "All-Day Event", SF_T_BOOLEAN, 0, SF_F_CRE | SF_F_UPD | SF_F_DEF, NULL, NULL, NULL},
	{"ActivityDateTime", "Due Date Time", SF_T_DATETIME, 0, RW, NULL, NULL, NULL},
	{"ActivityDate", "Due Date Only", SF_T_DATE, 0, RW, NULL, NULL, NULL},
	{"DurationInMinutes", "Duration", SF_T_INT, 0, RW, NULL, NULL, NULL},
	{"StartDateTime", "Start Date Time", SF_T_DATETIME, 0, RW, NULL, NULL, NULL},
	{"EndDateTime", "End Date Time", SF_T_DATETIME, 0, RW, NULL, NULL, NULL},
	{"Description", "Description", SF_T_TEXTAREA, 32000, RW, NULL, NULL, NULL},
	{"ShowAs", "Show Time As", SF_T_PICKLIST, 40, RW | SF_F_DEF, "Busy|OutOfOffice|Free", NULL, NULL},
	OWNER,
	SYS_TAIL,
	END
};

static const struct sf_fdef sf_user_defs[] = {
	SYS_HEAD,
	{"Username", "Username", SF_T_STRING, 80, SF_F_CRE | SF_F_UPD | SF_F_UNQ | SF_F_IDL, NULL, NULL, NULL},
	{"LastName", "Last Name", SF_T_STRING, 80, SF_F_CRE | SF_F_UPD, NULL, NULL, NULL},
	{"FirstName", "First Name", SF_T_STRING, 40, RW, NULL, NULL, NULL},
	{"Name", "Full Name", SF_T_STRING, 121, SF_F_NAME | SF_F_CALC, NULL, NULL, NULL},
	{"Email", "Email", SF_T_EMAIL, 128, SF_F_CRE | SF_F_UPD, NULL, NULL, NULL},
	{"Alias", "Alias", SF_T_STRING, 8, SF_F_CRE | SF_F_UPD, NULL, NULL, NULL},
	{"IsActive", "Active", SF_T_BOOLEAN, 0, SF_F_CRE | SF_F_UPD | SF_F_DEF, NULL, NULL, NULL},
	{"Title", "Title", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"CompanyName", "Company Name", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	{"Department", "Department", SF_T_STRING, 80, RW, NULL, NULL, NULL},
	SYS_TAIL,
	END
};

struct sf_odef {
	const char *name, *label, *plural, *prefix;
	const struct sf_fdef *defs;
};

static const struct sf_odef sf_odefs[SF_NOBJ] = {
	[SF_LEAD] = {"Lead", "Lead", "Leads", "00Q", sf_lead_defs},
	[SF_CONTACT] = {"Contact", "Contact", "Contacts", "003", sf_contact_defs},
	[SF_ACCOUNT] = {"Account", "Account", "Accounts", "001", sf_account_defs},
	[SF_OPPORTUNITY] = {"Opportunity", "Opportunity", "Opportunities", "006", sf_opp_defs},
	[SF_OCR] = {"OpportunityContactRole", "Contact Role", "Contact Roles", "00K", sf_ocr_defs},
	[SF_TASK] = {"Task", "Task", "Tasks", "00T", sf_task_defs},
	[SF_EVENT] = {"Event", "Event", "Events", "00U", sf_event_defs},
	[SF_USER] = {"User", "User", "Users", "005", sf_user_defs},
};

static const char *const sf_type_names[] = {
	"id", "string", "textarea", "email", "phone", "url", "picklist", "multipicklist",
	"combobox", "boolean", "int", "double", "currency", "percent", "date", "datetime",
	"reference"
};

const char *sf_type_name(enum sf_type t)
{
	return sf_type_names[t];
}

bool sf_field_is_text(const struct sf_field *f)
{
	switch (f->type) {
	case SF_T_STRING: case SF_T_TEXTAREA: case SF_T_EMAIL: case SF_T_PHONE:
	case SF_T_URL: case SF_T_PICKLIST: case SF_T_MULTIPICKLIST: case SF_T_COMBOBOX:
		return true;
	default:
		return false;
	}
}

static void sf_lower(const char *in, char *out, size_t len)
{
	size_t i;
	for (i = 0; in[i] && i + 1 < len; i++)
		out[i] = (in[i] >= 'A' && in[i] <= 'Z') ? (char)(in[i] + 32) : in[i];
	out[i] = '\0';
}

struct sf_field *sf_field_find(const struct sf_object *o, const char *name)
{
	char low[128];
	sf_lower(name, low, sizeof(low));
	return sf_map_get(o->by_name, low);
}

struct sf_object *sf_object_find(struct sim_side *s, const char *name)
{
	for (int i = 0; i < SF_NOBJ; i++)
		if (strcasecmp(s->objs[i].name, name) == 0)
			return &s->objs[i];
	return NULL;
}

static int sf_pick_add(struct sf_field *f, const char *v, size_t len)
{
	char **np = realloc(f->picklist, (f->npicklist + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	f->picklist = np;
	np[f->npicklist] = strndup(v, len);
	if (!np[f->npicklist])
		return -ENOMEM;
	f->npicklist++;
	return 0;
}

static void sf_pick_clear(struct sf_field *f)
{
	for (size_t i = 0; i < f->npicklist; i++)
		free(f->picklist[i]);
	free(f->picklist);
	f->picklist = NULL;
	f->npicklist = 0;
}

static int sf_pick_fill(struct sf_field *f, const char *name, const char *pick)
{
	const char *const *codes;
	size_t n;

	if (f->flags & SF_F_CODE) {
		bool state = strstr(name, "State") != NULL;
		n = state ? sf_state_list(&codes) : sf_country_list(&codes);
		for (size_t i = 0; i < n; i++) {
			bool dup = false;
			for (size_t j = 0; j < f->npicklist; j++)
				dup |= strcmp(f->picklist[j], codes[i]) == 0;
			if (!dup && sf_pick_add(f, codes[i], strlen(codes[i])) < 0)
				return -ENOMEM;
		}
		return 0;
	}
	while (pick && *pick) {
		const char *bar = strchr(pick, '|');
		size_t len = bar ? (size_t)(bar - pick) : strlen(pick);
		if (sf_pick_add(f, pick, len) < 0)
			return -ENOMEM;
		pick = bar ? bar + 1 : NULL;
	}
	return 0;
}

static const struct { const char *name; enum sf_type t; } sf_type_by_name[] = {
	{"string", SF_T_STRING}, {"text", SF_T_STRING}, {"textarea", SF_T_TEXTAREA},
	{"email", SF_T_EMAIL}, {"phone", SF_T_PHONE}, {"url", SF_T_URL},
	{"picklist", SF_T_PICKLIST}, {"multipicklist", SF_T_MULTIPICKLIST},
	{"boolean", SF_T_BOOLEAN}, {"int", SF_T_INT}, {"double", SF_T_DOUBLE},
	{"number", SF_T_DOUBLE}, {"currency", SF_T_CURRENCY}, {"percent", SF_T_PERCENT},
	{"date", SF_T_DATE}, {"datetime", SF_T_DATETIME}, {"reference", SF_T_REFERENCE},
};

/* One custom field from the config: {name, label, type, length, required,
 * unique, externalId, picklist:[...], restricted, referenceTo}. */
static int sf_custom_field(struct sf_field *f, json_t *def)
{
	const char *name = json_string_value(json_object_get(def, "name"));
	const char *label = json_string_value(json_object_get(def, "label"));
	const char *type = json_string_value(json_object_get(def, "type"));
	const char *ref = json_string_value(json_object_get(def, "referenceTo"));
	json_t *pl = json_object_get(def, "picklist");
	size_t i;
	json_t *v;

	if (!name || strlen(name) < 4 || strcmp(name + strlen(name) - 3, "__c") != 0)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	f->type = SF_T_STRING;
	for (i = 0; type && i < sizeof(sf_type_by_name) / sizeof(sf_type_by_name[0]); i++)
		if (strcmp(type, sf_type_by_name[i].name) == 0)
			f->type = sf_type_by_name[i].t;
	f->name = strdup(name);
	f->label = strdup(label ? label : name);
	if (!f->name || !f->label)
		return -ENOMEM;
	f->length = (int)json_integer_value(json_object_get(def, "length"));
	if (!f->length && sf_field_is_text(f))
		f->length = f->type == SF_T_TEXTAREA ? 32768 : 255;
	if (f->type == SF_T_REFERENCE)
		f->length = 18;
	f->flags = SF_F_CUST | SF_F_CRE | SF_F_UPD;
	if (!json_is_true(json_object_get(def, "required")))
		f->flags |= SF_F_NIL;
	if (json_is_true(json_object_get(def, "unique")))
		f->flags |= SF_F_UNQ;
	if (json_is_true(json_object_get(def, "externalId")))
		f->flags |= SF_F_EXT | SF_F_IDL;
	if (json_is_true(json_object_get(def, "restricted")))
		f->flags |= SF_F_RPL;
	json_array_foreach(pl, i, v)
		if (json_is_string(v) && sf_pick_add(f, json_string_value(v), json_string_length(v)) < 0)
			return -ENOMEM;
	if (ref) {
		f->refs = strdup(ref);
		f->rel = strndup(name, strlen(name) - 3);
		if (!f->refs || !f->rel)
			return -ENOMEM;
		f->rel = realloc(f->rel, strlen(f->rel) + 4);
		if (!f->rel)
			return -ENOMEM;
		strcat(f->rel, "__r");
	}
	return 0;
}

static int sf_field_from_def(struct sf_field *f, const struct sf_fdef *d)
{
	memset(f, 0, sizeof(*f));
	f->name = strdup(d->name);
	f->label = strdup(d->label);
	f->type = d->type;
	f->length = d->len;
	f->flags = d->fl;
	if (d->refs) {
		f->refs = strdup(d->refs);
		f->rel = strdup(d->rel);
	}
	if (!f->name || !f->label || (d->refs && (!f->refs || !f->rel)))
		return -ENOMEM;
	return sf_pick_fill(f, d->name, d->pick);
}

static int sf_object_build(struct sim_side *s, struct sf_object *o, const struct sf_odef *od)
{
	json_t *customs = json_object_get(json_object_get(s->config, "custom_fields"), od->name);
	json_t *picks = json_object_get(s->config, "picklists");
	size_t nb = 0, i, cap;
	json_t *v;
	int rc;

	while (od->defs[nb].name)
		nb++;
	cap = nb + json_array_size(customs);
	o->name = od->name;
	o->label = od->label;
	o->plural = od->plural;
	o->prefix = od->prefix;
	o->fields = calloc(cap, sizeof(*o->fields));
	o->by_name = sf_map_new();
	if (!o->fields || !o->by_name)
		return -ENOMEM;
	for (i = 0; i < nb; i++) {
		rc = sf_field_from_def(&o->fields[o->nfields++], &od->defs[i]);
		if (rc < 0)
			return rc;
	}
	json_array_foreach(customs, i, v) {
		struct sf_field *f = &o->fields[o->nfields];
		rc = sf_custom_field(f, v);
		if (rc == -EINVAL)
			continue; /* a bad definition is skipped, not fatal */
		o->nfields++;
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < o->nfields; i++) {
		struct sf_field *f = &o->fields[i];
		char key[160], low[128];
		json_t *ov;

		snprintf(key, sizeof(key), "%s.%s", o->name, f->name);
		ov = json_object_get(picks, key);
		if (json_is_object(ov)) {
			json_t *vals = json_object_get(ov, "values"), *pv;
			size_t k;
			if (json_is_array(vals)) {
				sf_pick_clear(f);
				json_array_foreach(vals, k, pv)
					if (json_is_string(pv) &&
					    sf_pick_add(f, json_string_value(pv), json_string_length(pv)) < 0)
						return -ENOMEM;
			}
			if (json_is_boolean(json_object_get(ov, "restricted"))) {
				f->flags &= ~SF_F_RPL;
				if (json_is_true(json_object_get(ov, "restricted")))
					f->flags |= SF_F_RPL;
			}
		}
		if ((f->flags & (SF_F_UNQ | SF_F_EXT)) || f->type == SF_T_EMAIL) {
			f->idx = sf_map_new();
			if (!f->idx)
				return -ENOMEM;
		}
		sf_lower(f->name, low, sizeof(low));
		if (sf_map_put(o->by_name, low, f) < 0)
			return -ENOMEM;
	}
	o->describe_ms = s->started_ms;
	return 0;
}

void sf_schema_apply_perms(struct sim_side *s)
{
	json_t *fls = json_object_get(s->config, "field_permissions");
	json_t *ops = json_object_get(s->config, "object_permissions");
	const struct sf_user *u = s->users && s->cur_user >= 0 && (size_t)s->cur_user < s->nusers
					  ? &s->users[s->cur_user] : NULL;

	/* the org's permissions, overridden by the signed-in user's */
	for (int i = 0; i < SF_NOBJ; i++) {
		struct sf_object *o = &s->objs[i];
		json_t *ofls = json_object_get(fls, o->name);
		json_t *ufls = u ? json_object_get(u->fls, o->name) : NULL;
		const char *op = json_string_value(json_object_get(u ? u->ops : NULL, o->name));

		if (!op)
			op = json_string_value(json_object_get(ops, o->name));
		o->perms = SF_P_CREATE | SF_P_EDIT | SF_P_DELETE;
		if (op && (strcmp(op, "read") == 0 || strcmp(op, "none") == 0))
			o->perms = 0;
		else if (op && strcmp(op, "edit") == 0)
			o->perms = SF_P_CREATE | SF_P_EDIT;
		for (size_t k = 0; k < o->nfields; k++) {
			struct sf_field *f = &o->fields[k];
			const char *p = json_string_value(json_object_get(ufls, f->name));
			if (!p)
				p = json_string_value(json_object_get(ofls, f->name));
			f->flags &= ~SF_F_FLSRO;
			if (p && strcmp(p, "read") == 0)
				f->flags |= SF_F_FLSRO;
		}
		o->describe_ms = sim_now_ms();
	}
}

int sf_schema_build(struct sim_side *s)
{
	for (int i = 0; i < SF_NOBJ; i++) {
		s->objs[i].kind = (enum sf_obj_id)i;
		int rc = sf_object_build(s, &s->objs[i], &sf_odefs[i]);
		if (rc < 0)
			return rc;
	}
	sf_schema_apply_perms(s);
	return 0;
}

void sf_schema_free(struct sim_side *s)
{
	for (int i = 0; i < SF_NOBJ; i++) {
		struct sf_object *o = &s->objs[i];
		for (size_t k = 0; k < o->nfields; k++) {
			struct sf_field *f = &o->fields[k];
			free(f->name);
			free(f->label);
			sf_pick_clear(f);
			free(f->refs);
			free(f->rel);
			sf_map_free(f->idx, sf_vec_free);
		}
		free(o->fields);
		sf_map_free(o->by_name, NULL);
		o->fields = NULL;
		o->nfields = 0;
		o->by_name = NULL;
	}
}
