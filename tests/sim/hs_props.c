/*
 * HubSpot side of crmsync-sim: property definitions per object type (the
 * built-in ones a portal has, plus the ones created through the API), value
 * validation with HubSpot's VALIDATION_ERROR shape, and the Properties API
 * (/crm/v3/properties/{objectType}). It does not store record values.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs.h"

#define C (1u << HS_CONTACTS)
#define CO (1u << HS_COMPANIES)
#define D (1u << HS_DEALS)
#define T (1u << HS_TASKS)
#define NO (1u << HS_NOTES)
#define M (1u << HS_MEETINGS)
#define CA (1u << HS_CALLS)
#define E (1u << HS_EMAILS)
#define ENG (T | NO | M | CA | E)
#define ALL (C | CO | D | ENG)

enum { RO = 1, UNIQ = 2, REQ = 4 };

struct propspec {
	unsigned mask;
	const char *name, *label, *type, *field, *group;
	const char *options; /* "value=Label|..." */
	int flags;
};

static const char lifecycle[] =
	"subscriber=Subscriber|lead=Lead|marketingqualifiedlead=Marketing Qualified Lead|"
	"salesqualifiedlead=Sales Qualified Lead|opportunity=Opportunity|customer=Customer|"
	"evangelist=Evangelist|other=Other";
static const char industry[] =
	"ACCOUNTING=Accounting|APPAREL_FASHION=Apparel & Fashion|BANKING=Banking|"
	"BIOTECHNOLOGY=Biotechnology|CHEMICALS=Chemicals|TELECOMMUNICATIONS=Telecommunications|"
	"CONSTRUCTION=Construction|MANAGEMENT_CONSULTING=Management Consulting|"
	"EDUCATION_MANAGEMENT=Education Management|CONSUMER_ELECTRONICS=Consumer Electronics|"
	"OIL_ENERGY=Oil & Energy|MECHANICAL_OR_INDUSTRIAL_ENGINEERING=Mechanical or Industrial Engineering|"
	"ENTERTAINMENT=Entertainment|ENVIRONMENTAL_SERVICES=Environmental Services|"
	"FINANCIAL_SERVICES=Financial Services|FOOD_BEVERAGES=Food & Beverages|FARMING=Farming|"
	"GOVERNMENT_ADMINISTRATION=Government Administration|HOSPITAL_HEALTH_CARE=Hospital & Health Care|"
	"HOSPITALITY=Hospitality|INSURANCE=Insurance|MACHINERY=Machinery|"
	"MEDIA_PRODUCTION=Media Production|NON_PROFIT_ORGANIZATION_MANAGEMENT=Non-Profit Organization Management|"
	"RECREATIONAL_FACILITIES_AND_SERVICES=Recreational Facilities & Services|RETAIL=Retail|"
	"PACKAGE_FREIGHT_DELIVERY=Package/Freight Delivery|COMPUTER_SOFTWARE=Computer Software|"
	"INFORMATION_TECHNOLOGY_AND_SERVICES=Information Technology & Services|"
	"TRANSPORTATION_TRUCKING_RAILROAD=Transportation/Trucking/Railroad|UTILITIES=Utilities|"
	"MANUFACTURING=Manufacturing";

static const struct propspec specs[] = {
	{ALL, "hs_object_id", "Record ID", "number", "number", "", NULL, RO},
	{C | CO | D, "createdate", "Create Date", "datetime", "date", "", NULL, 0},
	{ENG, "hs_createdate", "Create date", "datetime", "date", "", NULL, RO},
	{C, "lastmodifieddate", "Last Modified Date", "datetime", "date", "contactinformation", NULL, RO},
	{CO | D | ENG, "hs_lastmodifieddate", "Last Modified Date", "datetime", "date", "", NULL, RO},
	{C | CO | D | T, "hubspot_owner_id", "Owner", "enumeration", "select", "", "@owners", 0},
	{ALL, "crmsync_sf_id", "Salesforce ID (crmsync)", "string", "text", "crmsync", NULL, UNIQ},
	/* contacts */
	{C, "email", "Email", "string", "text", "contactinformation", NULL, UNIQ},
	{C, "firstname", "First Name", "string", "text", "contactinformation", NULL, 0},
	{C, "lastname", "Last Name", "string", "text", "contactinformation", NULL, 0},
	{C, "phone", "Phone Number", "string", "phonenumber", "contactinformation", NULL, 0},
	{C, "mobilephone", "Mobile Phone Number", "string", "phonenumber", "contactinformation", NULL, 0},
	{C, "jobtitle", "Job Title", "string", "text", "contactinformation", NULL, 0},
	{C, "company", "Company Name", "string", "text", "contactinformation", NULL, 0},
	{C | CO, "website", "Website URL", "string", "text", "contactinformation", NULL, 0},
	{C | CO, "address", "Street Address", "string", "text", "contactinformation", NULL, 0},
	{C | CO, "city", "City", "string", "text", "contactinformation", NULL, 0},
	{C | CO, "state", "State/Region", "string", "text", "contactinformation", NULL, 0},
	{C | CO, "zip", "Postal Code", "string", "text", "contactinformation", NULL, 0},
	{C | CO, "country", "Country/Region", "string", "text", "contactinformation", NULL, 0},
	{C, "industry", "Industry", "string", "text", "contactinformation", NULL, 0},
	{C, "annualrevenue", "Annual Revenue", "string", "text", "contactinformation", NULL, 0},
	{C | CO, "lifecyclestage", "Lifecycle Stage", "enumeration", "radio", "contactinformation", lifecycle, 0},
	{C, "hs_lead_status", "Lead Status", "enumeration", "radio", "sales_properties",
	 "NEW=New|OPEN=Open|IN_PROGRESS=In Progress|OPEN_DEAL=Open Deal|UNQUALIFIED=Unqualified|"
	 "ATTEMPTED_TO_CONTACT=Attempted to Contact|CONNECTED=Connected|BAD_TIMING=Bad Timing", 0},
	{C, "numemployees", "Number of Employees", "enumeration", "select", "contactinformation",
	 "1-5=1-5|5-25=5-25|25-50=25-50|50-100=50-100|100-500=100-500|500-1000=500-1000|1000+=1000+", 0},
	{C, "hs_email_optout", "Unsubscribed from all email", "bool", "booleancheckbox", "contactinformation",
	 "true=Yes|false=No", 0},
	{C, "hs_buying_role", "Buying Role", "enumeration", "checkbox", "sales_properties",
	 "BUDGET_HOLDER=Budget Holder|CHAMPION=Champion|DECISION_MAKER=Decision Maker|END_USER=End User|"
	 "INFLUENCER=Influencer|LEGAL_AND_COMPLIANCE=Legal and Compliance|OTHER=Other", 0},
	{C, "date_of_birth", "Date of birth", "date", "date", "contactinformation", NULL, 0},
	{C, "hs_analytics_source", "Original Source", "enumeration", "select", "analyticsinformation",
	 "ORGANIC_SEARCH=Organic Search|PAID_SEARCH=Paid Search|EMAIL_MARKETING=Email Marketing|"
	 "SOCIAL_MEDIA=Organic Social|REFERRALS=Referrals|OTHER_CAMPAIGNS=Other Campaigns|"
	 "DIRECT_TRAFFIC=Direct Traffic|OFFLINE=Offline Sources|PAID_SOCIAL=Paid Social", RO},
	{C, "message", "Message", "string", "textarea", "contactinformation", NULL, 0},
	/* conversion information: set by form submissions (hs_forms.c), read-only */
	{C, "first_conversion_date", "First Conversion Date", "datetime", "date", "conversioninformation", NULL, RO},
	{C, "first_conversion_event_name", "First Conversion", "string", "text", "conversioninformation", NULL, RO},
	{C, "recent_conversion_date", "Recent Conversion Date", "datetime", "date", "conversioninformation", NULL, RO},
	{C, "recent_conversion_event_name", "Recent Conversion", "string", "text", "conversioninformation", NULL, RO},
	{C, "num_conversion_events", "Number of Form Submissions", "number", "number", "conversioninformation", NULL, RO},
	{C, "salesforcecontactid", "Salesforce Contact ID", "string", "text", "salesforceinformation", NULL, 0},
	{C, "salesforceleadid", "Salesforce Lead ID", "string", "text", "salesforceinformation", NULL, 0},
	/* companies */
	{CO, "name", "Company name", "string", "text", "companyinformation", NULL, 0},
	{CO, "domain", "Company Domain Name", "string", "text", "companyinformation", NULL, 0},
	{CO, "phone", "Phone Number", "string", "phonenumber", "companyinformation", NULL, 0},
	{CO, "industry", "Industry", "enumeration", "select", "companyinformation", industry, 0},
	{CO, "numberofemployees", "Number of Employees", "number", "number", "companyinformation", NULL, 0},
	{CO, "annualrevenue", "Annual Revenue", "number", "number", "companyinformation", NULL, 0},
	{CO, "type", "Type", "enumeration", "select", "companyinformation",
	 "PROSPECT=Prospect|PARTNER=Partner|RESELLER=Reseller|VENDOR=Vendor|OTHER=Other", 0},
	{CO | D, "description", "Description", "string", "textarea", "companyinformation", NULL, 0},
	{CO, "salesforceaccountid", "Salesforce Account ID", "string", "text", "salesforceinformation", NULL, 0},
	/* deals */
	{D, "dealname", "Deal Name", "string", "text", "dealinformation", NULL, 0},
	{D, "amount", "Amount", "number", "number", "dealinformation", NULL, 0},
	{D, "closedate", "Close Date", "datetime", "date", "dealinformation", NULL, 0},
	{D, "pipeline", "Pipeline", "enumeration", "select", "dealinformation", "default=Sales Pipeline", 0},
	{D, "dealstage", "Deal Stage", "enumeration", "radio", "dealinformation",
	 "appointmentscheduled=Appointment Scheduled|qualifiedtobuy=Qualified To Buy|"
	 "presentationscheduled=Presentation Scheduled|decisionmakerboughtin=Decision Maker Bought-In|"
	 "contractsent=Contract Sent|closedwon=Closed Won|closedlost=Closed Lost", 0},
	{D, "dealtype", "Deal Type", "enumeration", "radio", "dealinformation",
	 "newbusiness=New Business|existingbusiness=Existing Business", 0},
	{D, "salesforceopportunityid", "Salesforce Opportunity ID", "string", "text", "salesforceinformation", NULL, 0},
	/* engagements */
	{ENG, "hs_timestamp", "Activity date", "datetime", "date", "engagement", NULL, REQ},
	{T, "hs_task_subject", "Task Title", "string", "text", "task", NULL, 0},
	{T, "hs_task_body", "Notes", "string", "html", "task", NULL, 0},
	{T, "hs_task_status", "Task Status", "enumeration", "select", "task",
	 "NOT_STARTED=Not started|IN_PROGRESS=In progress|WAITING=Waiting|COMPLETED=Completed|DEFERRED=Deferred", 0},
	{T, "hs_task_priority", "Priority", "enumeration", "select", "task",
	 "NONE=None|LOW=Low|MEDIUM=Medium|HIGH=High", 0},
	{T, "hs_task_type", "Task Type", "enumeration", "select", "task", "TODO=To-do|CALL=Call|EMAIL=Email", 0},
	{NO, "hs_note_body", "Note body", "string", "html", "note", NULL, 0},
	{M, "hs_meeting_title", "Meeting name", "string", "text", "meeting", NULL, 0},
	{M, "hs_meeting_body", "Meeting description", "string", "html", "meeting", NULL, 0},
	{M, "hs_meeting_start_time", "Start time", "datetime", "date", "meeting", NULL, 0},
	{M, "hs_meeting_end_time", "End time", "datetime", "date", "meeting", NULL, 0},
	{M, "hs_meeting_outcome", "Meeting outcome", "enumeration", "select", "meeting",
	 "SCHEDULED=Scheduled|COMPLETED=Completed|RESCHEDULED=Rescheduled|NO_SHOW=No Show|CANCELED=Canceled", 0},
	{CA, "hs_call_title", "Call Title", "string", "text", "call", NULL, 0},
	{CA, "hs_call_body", "Call notes", "string", "html", "call", NULL, 0},
	{CA, "hs_call_duration", "Call duration", "number", "number", "call", NULL, 0},
	{CA, "hs_call_direction", "Call direction", "enumeration", "select", "call",
	 "INBOUND=Inbound|OUTBOUND=Outbound", 0},
	{CA, "hs_call_status", "Call status", "enumeration", "select", "call",
	 "BUSY=Busy|CALLING_CRM_USER=Calling CRM user|CANCELED=Canceled|COMPLETED=Completed|"
	 "CONNECTING=Connecting|FAILED=Failed|IN_PROGRESS=In progress|NO_ANSWER=No answer|"
	 "QUEUED=Queued|RINGING=Ringing", 0},
	{E, "hs_email_subject", "Email subject", "string", "text", "email", NULL, 0},
	{E, "hs_email_text", "Email text", "string", "textarea", "email", NULL, 0},
	{E, "hs_email_direction", "Email direction", "enumeration", "select", "email",
	 "EMAIL=Logged email|INCOMING_EMAIL=Incoming email|FORWARDED_EMAIL=Forwarded email", 0},
	{E, "hs_email_status", "Email send status", "enumeration", "select", "email",
	 "BOUNCED=Bounced|FAILED=Failed|SCHEDULED=Scheduled|SENDING=Sending|SENT=Sent", 0},
};

static json_t *options_json(struct sim_side *s, const char *spec)
{
	json_t *arr = json_array();
	int order = 0;

	if (spec && !strcmp(spec, "@owners")) {
		size_t i;
		json_t *o;

		json_array_foreach(s->owners, i, o) {
			char label[160];

			snprintf(label, sizeof(label), "%s %s",
				 json_string_value(json_object_get(o, "firstName")),
				 json_string_value(json_object_get(o, "lastName")));
			json_array_append_new(arr, json_pack("{s:s,s:O,s:i,s:b}", "label", label,
				"value", json_object_get(o, "id"), "displayOrder", order++, "hidden", 0));
		}
		return arr;
	}
	for (const char *p = spec; p && *p;) {
		const char *bar = strchr(p, '|'), *eq = strchr(p, '=');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (eq && eq < p + len)
			json_array_append_new(arr, json_pack("{s:s%,s:s%,s:i,s:b,s:s}",
				"label", eq + 1, (size_t)(p + len - eq - 1), "value", p, (size_t)(eq - p),
				"displayOrder", order++, "hidden", 0, "description", ""));
		p = bar ? bar + 1 : NULL;
	}
	return arr;
}

static json_t *def_json(struct sim_side *s, const struct propspec *ps, const char *group)
{
	static const char ts[] = "2019-08-06T02:43:14.491Z";

	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:i,s:b,s:b,s:b,s:b,s:b,s:b,s:b,"
			 "s:{s:b,s:b,s:b},s:s,s:s}",
		"name", ps->name, "label", ps->label, "type", ps->type, "fieldType", ps->field,
		"description", "", "groupName", group,
		"options", options_json(s, ps->options), "displayOrder", -1,
		"calculated", 0, "externalOptions", ps->options && ps->options[0] == '@',
		"hasUniqueValue", (ps->flags & UNIQ) != 0, "hidden", 0, "hubspotDefined",
		strncmp(ps->name, "crmsync_", 8) != 0, "formField", !(ps->flags & RO),
		"archived", 0, "modificationMetadata", "archivable", !(ps->flags & RO),
		"readOnlyDefinition", 1, "readOnlyValue", (ps->flags & RO) != 0,
		"createdAt", ts, "updatedAt", ts);
}

void hs_props_init(struct sim_side *s)
{
	static const char *const groups[HS_NTYPES] = {
		"contactinformation", "companyinformation", "dealinformation", "task", "note",
		"meeting", "call", "email",
	};

	for (int t = 0; t < HS_NTYPES; t++) {
		struct hs_objtype *ot = &s->types[t];

		ot->propdefs = json_object();
		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
			json_t *d;

			if (!(specs[i].mask & (1u << t)))
				continue;
			d = def_json(s, &specs[i], specs[i].group[0] ? specs[i].group : groups[t]);
			json_object_set_new(ot->propdefs, specs[i].name, d);
		}
	}
}

const char *hs_prop_type(const struct hs_objtype *ot, const char *name)
{
	return json_string_value(json_object_get(json_object_get(ot->propdefs, name), "type"));
}

bool hs_prop_unique(const struct hs_objtype *ot, const char *name)
{
	return json_is_true(json_object_get(json_object_get(ot->propdefs, name), "hasUniqueValue"));
}

/* ---- value validation ----------------------------------------------------- */

static void verr_add(struct hs_verrs *errs, const char *code, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void verr_add(struct hs_verrs *errs, const char *code, const char *name, const char *fmt, ...)
{
	struct hs_verr *e;
	va_list ap;

	if (errs->n >= HS_MAX_VERR)
		return;
	e = &errs->v[errs->n++];
	snprintf(e->code, sizeof(e->code), "%s", code);
	snprintf(e->name, sizeof(e->name), "%s", name);
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

static bool has_option(json_t *def, const char *v, size_t len)
{
	size_t i;
	json_t *o;

	json_array_foreach(json_object_get(def, "options"), i, o) {
		const char *ov = json_string_value(json_object_get(o, "value"));

		if (ov && strlen(ov) == len && !memcmp(ov, v, len))
			return true;
	}
	return false;
}

static bool email_valid(const char *v)
{
	const char *at = strchr(v, '@'), *dot;

	if (!at || at == v || strchr(at + 1, '@') || strchr(v, ' '))
		return false;
	dot = strrchr(at + 1, '.');
	return dot && dot > at + 1 && dot[1] != '\0';
}

static bool all_digits(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!isdigit((unsigned char)*v))
			return false;
	return true;
}

/* Check and normalise one value; returns a new reference or NULL (error added). */
static json_t *check_value(struct hs_objtype *ot, const char *name, json_t *def, json_t *jv,
			   struct hs_verrs *errs)
{
	const char *type = json_string_value(json_object_get(def, "type"));
	const char *field = json_string_value(json_object_get(def, "fieldType"));
	char buf[64], tbuf[32];
	const char *v;

	if (json_is_null(jv))
		return json_null();
	if (json_is_string(jv)) {
		v = json_string_value(jv);
	} else if (json_is_integer(jv)) {
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(jv));
		v = buf;
	} else if (json_is_real(jv)) {
		snprintf(buf, sizeof(buf), "%.15g", json_real_value(jv));
		v = buf;
	} else if (json_is_boolean(jv)) {
		v = json_is_true(jv) ? "true" : "false";
	} else {
		verr_add(errs, "INVALID_PROPERTY_VALUE", name, "%s must be a string, a number or a boolean", name);
		return NULL;
	}
	if (!*v)
		return json_null();
	if (!strcmp(type, "enumeration")) {
		bool multi = field && !strcmp(field, "checkbox");
		const char *p = v;

		while (*p) {
			const char *semi = multi ? strchr(p, ';') : NULL;
			size_t len = semi ? (size_t)(semi - p) : strlen(p);

			if (len && !has_option(def, p, len)) {
				char allowed[200];
				size_t o = 0, i;
				json_t *opt;

				allowed[0] = '\0';
				json_array_foreach(json_object_get(def, "options"), i, opt) {
					const char *ov = json_string_value(json_object_get(opt, "value"));
					int w = snprintf(allowed + o, sizeof(allowed) - o, "%s%s", i ? ", " : "",
							 ov ? ov : "");

					if (w < 0 || (size_t)w >= sizeof(allowed) - o)
						break;
					o += (size_t)w;
				}
				verr_add(errs, "INVALID_OPTION", name,
					 "%.*s was not one of the allowed options: [%s]", (int)len, p, allowed);
				return NULL;
			}
			p += len + (semi ? 1 : 0);
		}
	} else if (!strcmp(type, "number")) {
		char *end;
		double d = strtod(v, &end);

		if (*end || !isfinite(d)) {
			/* HubSpot names it INVALID_INTEGER even for decimal properties
			 * (a 2025 body: amount, "… was not a valid number.") */
			verr_add(errs, "INVALID_INTEGER", name, "%s was not a valid number.", v);
			return NULL;
		}
	} else if (!strcmp(type, "bool")) {
		if (strcasecmp(v, "true") && strcasecmp(v, "false")) {
			verr_add(errs, "INVALID_BOOLEAN", name, "%s was not a valid boolean.", v);
			return NULL;
		}
		return json_string(strcasecmp(v, "true") ? "false" : "true");
	} else if (!strcmp(type, "datetime") || !strcmp(type, "date")) {
		int64_t ms = all_digits(v) ? strtoll(v, NULL, 10) : sim_parse_time(v);

		if (ms < 0) {
			verr_add(errs, !strcmp(type, "date") ? "INVALID_DATE" : "INVALID_DATETIME", name,
				 "%s was not a valid %s.", v, type);
			return NULL;
		}
		if (!strcmp(type, "date")) {
			if (ms % 86400000) {
				int64_t r = ms % 86400000;

				verr_add(errs, "INVALID_DATE", name, "%s is at %d:%d:%d.%d UTC, not midnight!",
					 v, (int)(r / 3600000), (int)(r / 60000 % 60),
					 (int)(r / 1000 % 60), (int)(r % 1000));
				return NULL;
			}
			hs_iso(ms, tbuf);
			tbuf[10] = '\0';
			return json_string(tbuf);
		}
		hs_iso(ms, tbuf);
		return json_string(tbuf);
	} else if (ot->t == HS_CONTACTS && !strcmp(name, "email")) {
		char low[256];

		if (!email_valid(v)) {
			verr_add(errs, "INVALID_EMAIL", name, "Email address %s is invalid", v);
			return NULL;
		}
		sim_ascii_lower(low, v, sizeof(low));
		return json_string(low);
	} else if (strlen(v) > 65536) {
		verr_add(errs, "MAX_CHARACTERS", name, "%s is longer than 65536 characters", name);
		return NULL;
	}
	return jv == NULL || !json_is_string(jv) ? json_string(v) : json_incref(jv);
}

json_t *hs_props_check(struct sim_side *s, struct hs_objtype *ot, json_t *in, bool create,
		       struct hs_verrs *errs)
{
	json_t *out = json_object(), *jv, *def;
	const char *name;

	(void)s;
	errs->n = 0;
	if (in && !json_is_object(in)) {
		verr_add(errs, "INVALID_PROPERTY_VALUE", "properties", "properties must be an object");
		json_decref(out);
		return NULL;
	}
	json_object_foreach(in, name, jv) {
		json_t *nv;

		def = json_object_get(ot->propdefs, name);
		if (!def) {
			verr_add(errs, "PROPERTY_DOESNT_EXIST", name, "Property \"%s\" does not exist", name);
			continue;
		}
		if (json_is_true(json_object_get(json_object_get(def, "modificationMetadata"), "readOnlyValue"))) {
			verr_add(errs, "READ_ONLY_VALUE", name,
				 "\"%s\" is a read only property; its value cannot be set.", name);
			continue;
		}
		nv = check_value(ot, name, def, jv, errs);
		if (nv)
			json_object_set_new(out, name, nv);
	}
	if (create) {
		for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
			if ((specs[i].flags & REQ) && (specs[i].mask & (1u << ot->t)) &&
			    !json_string_value(json_object_get(out, specs[i].name)))
				verr_add(errs, "REQUIRED_PROPERTY", specs[i].name,
					 "Property \"%s\" is required.", specs[i].name);
		}
	}
	if (errs->n) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *hs_verr_body(const struct hs_verrs *errs)
{
	json_t *inner = json_array(), *details = json_array(), *body;
	char *text;

	for (int i = 0; i < errs->n; i++) {
		const struct hs_verr *e = &errs->v[i];

		json_array_append_new(inner, json_pack("{s:b,s:s,s:s,s:s,s:s}", "isValid", 0,
			"message", e->message, "error", e->code, "name", e->name,
			"localizedErrorMessage", e->message));
		json_array_append_new(details, json_pack("{s:s,s:s,s:s,s:{s:[s]}}", "message",
			e->message, "in", e->name, "code", e->code, "context", "propertyName", e->name));
	}
	text = json_dumps(inner, JSON_COMPACT);
	json_decref(inner);
	body = hs_err_body("VALIDATION_ERROR", "Property values were not valid: %s", text ? text : "[]");
	free(text);
	json_object_set_new(body, "errors", details);
	return body;
}
