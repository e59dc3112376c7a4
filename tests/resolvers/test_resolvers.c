/*
 * test_resolvers.c - loads the eight built resolver plugins with dlopen(),
 * gives them a mock host table, and runs every recorded error body in
 * tests/resolvers/fixtures/ through all of them: exactly the expected
 * resolver (plus `other`, which accepts everything) must handle it, with
 * the expected type, details, a specific hint and retry policy.
 *
 * The failure handed to classify() is extracted from the fixture the way the
 * core does it (Salesforce errorCode/statusCode, message, fields; HubSpot
 * category, errors[0].code, message, context.propertyName), using jansson
 * here in the test only. Every case is run a second time without `fields`,
 * as the core passes a Collections result or a HubSpot batch error (raw
 * only), and must give the same diagnosis.
 *
 * With RESOLVER_FIXTURE_SOME=1, RESOLVER_FIXTURE_DIR holds bodies recorded
 * from crmsync-sim under the fixtures' file names (test_sim_bodies.sh writes
 * them): a fixture missing there is skipped, and every present one must
 * classify exactly as its hand-written twin in RESOLVER_TWIN_DIR (default:
 * the source fixtures): the same expectations, and the same details, except
 * that ids and limits the service mints only need to be of the same kind.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <crmsync/plugin.h>

#ifndef RESOLVER_PLUGIN_DIR
#define RESOLVER_PLUGIN_DIR "plugins/resolvers"
#endif
#ifndef RESOLVER_FIXTURE_DIR
#define RESOLVER_FIXTURE_DIR "tests/resolvers/fixtures"
#endif

#define NPLUGINS 8
#define MAXF 16

/* ---- mock records and diagnosis ------------------------------------------ */

struct crmsync_record {
	enum crmsync_side side;
	const char *object;
	const char *id;
	size_t n;
	char *key[MAXF], *val[MAXF];
};

struct affected {
	enum crmsync_side side;
	char object[64], id[64];
};

struct crmsync_diagnosis {
	char type[64];
	int type_calls;
	size_t ndetails;
	char *dkey[MAXF], *dval[MAXF];
	char *hint;
	int retry;
	size_t naffected;
	struct affected aff[MAXF];
};

static void diag_reset(struct crmsync_diagnosis *d)
{
	for (size_t i = 0; i < d->ndetails; i++) {
		free(d->dkey[i]);
		free(d->dval[i]);
	}
	free(d->hint);
	memset(d, 0, sizeof(*d));
	d->retry = -1;
}

static const char *diag_detail(const struct crmsync_diagnosis *d, const char *key)
{
	for (size_t i = 0; i < d->ndetails; i++)
		if (strcmp(d->dkey[i], key) == 0)
			return d->dval[i];
	return NULL;
}

static void mock_log(struct crmsync_instance *inst, int level, const char *fmt, ...)
{
	(void)inst;
	(void)level;
	(void)fmt;
}

static const char *mock_rec_get(const struct crmsync_record *rec, const char *field)
{
	for (size_t i = 0; rec && field && i < rec->n; i++)
		if (strcmp(rec->key[i], field) == 0)
			return rec->val[i];
	return NULL;
}

static enum crmsync_side mock_rec_side(const struct crmsync_record *rec)
{
	return rec ? rec->side : CRMSYNC_SIDE_NONE;
}

static const char *mock_rec_object(const struct crmsync_record *rec)
{
	return rec ? rec->object : NULL;
}

static const char *mock_rec_id(const struct crmsync_record *rec)
{
	return rec ? rec->id : NULL;
}

static size_t mock_rec_count(const struct crmsync_record *rec)
{
	return rec ? rec->n : 0;
}

static int mock_rec_field_at(const struct crmsync_record *rec, size_t i, const char **field,
			     const char **value)
{
	if (!rec || i >= rec->n)
		return -ENOENT;
	*field = rec->key[i];
	*value = rec->val[i];
	return 0;
}

static int mock_set_type(struct crmsync_diagnosis *d, const char *type)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";

	if (!d || !type || !*type || strspn(type, ok) != strlen(type))
		return -EINVAL;
	snprintf(d->type, sizeof(d->type), "%s", type);
	d->type_calls++;
	return 0;
}

static int mock_set_detail(struct crmsync_diagnosis *d, const char *key, const char *value)
{
	if (!d || !key || !*key)
		return -EINVAL;
	for (size_t i = 0; i < d->ndetails; i++)
		if (strcmp(d->dkey[i], key) == 0) {
			free(d->dval[i]);
			d->dval[i] = strdup(value ? value : "");
			return 0;
		}
	if (d->ndetails == MAXF)
		return -ENOSPC;
	d->dkey[d->ndetails] = strdup(key);
	d->dval[d->ndetails] = strdup(value ? value : "");
	d->ndetails++;
	return 0;
}

static int mock_set_hint(struct crmsync_diagnosis *d, const char *text)
{
	if (!d || !text)
		return -EINVAL;
	free(d->hint);
	d->hint = strdup(text);
	return 0;
}

static int mock_set_retry(struct crmsync_diagnosis *d, enum crmsync_retry retry)
{
	if (!d || (int)retry < 0 || retry > CRMSYNC_RETRY_WITH_PARTNER)
		return -EINVAL;
	d->retry = (int)retry;
	return 0;
}

static int mock_add_affected(struct crmsync_diagnosis *d, enum crmsync_side side,
			     const char *object, const char *id)
{
	if (!d || !object || !id || (side != CRMSYNC_SIDE_HUBSPOT && side != CRMSYNC_SIDE_SALESFORCE))
		return -EINVAL;
	if (d->naffected == MAXF)
		return -ENOSPC;
	d->aff[d->naffected].side = side;
	snprintf(d->aff[d->naffected].object, sizeof(d->aff[0].object), "%s", object);
	snprintf(d->aff[d->naffected].id, sizeof(d->aff[0].id), "%s", id);
	d->naffected++;
	return 0;
}

static const struct crmsync_host mock_host = {
	.size = sizeof(struct crmsync_host),
	.abi_major = CRMSYNC_ABI_MAJOR,
	.abi_minor = CRMSYNC_ABI_MINOR,
	.log = mock_log,
	.rec_side = mock_rec_side,
	.rec_object = mock_rec_object,
	.rec_id = mock_rec_id,
	.rec_get = mock_rec_get,
	.rec_count = mock_rec_count,
	.rec_field_at = mock_rec_field_at,
	.diag_set_type = mock_set_type,
	.diag_set_detail = mock_set_detail,
	.diag_set_hint = mock_set_hint,
	.diag_set_retry = mock_set_retry,
	.diag_add_affected = mock_add_affected,
};

/* "k=v;k=v" into a record. */
static void rec_fill(struct crmsync_record *r, enum crmsync_side side, const char *object,
		     const char *id, const char *kv)
{
	char *copy, *tok, *save = NULL;

	memset(r, 0, sizeof(*r));
	r->side = side;
	r->object = object;
	r->id = id;
	if (!kv)
		return;
	copy = strdup(kv);
	for (tok = strtok_r(copy, ";", &save); tok && r->n < MAXF; tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '=');

		assert_non_null(eq);
		*eq = '\0';
		r->key[r->n] = strdup(tok);
		r->val[r->n] = strdup(eq + 1);
		r->n++;
	}
	free(copy);
}

static void rec_free(struct crmsync_record *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->key[i]);
		free(r->val[i]);
	}
	r->n = 0;
}

/* ---- the plugins ---------------------------------------------------------- */

static const char *const names[NPLUGINS] = {
	"association", "custom_code", "duplicate", "permission",
	"picklist", "property_mapping", "property_value", "other",
};

struct loaded {
	void *dl;
	const struct crmsync_plugin *desc;
	void *ctx; /* zeroed, then defaults of its options */
};

static struct loaded plugins[NPLUGINS];

static int plugin_index(const char *name)
{
	for (int i = 0; i < NPLUGINS; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

/* Applies the declared defaults of BOOL and INT options, as the core does. */
static void apply_defaults(const struct crmsync_resolver_ops *ops, void *ctx)
{
	for (const struct crmsync_option *o = ops->options; o && o->key; o++) {
		if (!o->def)
			continue;
		if (o->type == CRMSYNC_OPT_BOOL)
			*(int *)((char *)ctx + o->offset) = strcmp(o->def, "yes") == 0;
		else if (o->type == CRMSYNC_OPT_INT)
			*(int64_t *)((char *)ctx + o->offset) = strtoll(o->def, NULL, 10);
	}
}

static int setup_plugins(void **state)
{
	const char *dir = getenv("RESOLVER_PLUGIN_DIR");
	char path[1024];

	(void)state;
	if (!dir)
		dir = RESOLVER_PLUGIN_DIR;
	for (int i = 0; i < NPLUGINS; i++) {
		const struct crmsync_resolver_ops *ops;

		snprintf(path, sizeof(path), "%s/%s/.libs/%s.so", dir, names[i], names[i]);
		plugins[i].dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!plugins[i].dl) {
			fprintf(stderr, "cannot load '%s': %s\n", path, dlerror());
			return -1;
		}
		plugins[i].desc = dlsym(plugins[i].dl, CRMSYNC_PLUGIN_SYMBOL);
		if (!plugins[i].desc || plugins[i].desc->init(&mock_host) != 0)
			return -1;
		ops = plugins[i].desc->resolver;
		plugins[i].ctx = calloc(1, ops->ctx_size ? ops->ctx_size : 1);
		apply_defaults(ops, plugins[i].ctx);
	}
	return 0;
}

static int teardown_plugins(void **state)
{
	(void)state;
	for (int i = 0; i < NPLUGINS; i++) {
		if (plugins[i].desc && plugins[i].desc->fini)
			plugins[i].desc->fini();
		free(plugins[i].ctx);
		if (plugins[i].dl)
			dlclose(plugins[i].dl);
	}
	return 0;
}

static int run_classify(int i, const struct crmsync_failure *f, struct crmsync_diagnosis *d)
{
	const struct crmsync_resolver_ops *ops = plugins[i].desc->resolver;

	diag_reset(d);
	return ops->classify(NULL, plugins[i].ctx, f, d);
}

/* ---- fixtures -> failures, as the core extracts them ---------------------- */

struct extracted {
	json_t *root;
	char *raw;
	const char *code, *subcode, *message;
	const char *fields[MAXF];
};

/* Where the bodies under test are (hand-written, or recorded from the
 * simulator), and where their hand-written twins are. */
static const char *body_dir(void)
{
	const char *dir = getenv("RESOLVER_FIXTURE_DIR");

	return dir ? dir : RESOLVER_FIXTURE_DIR;
}

/* 1 when only some fixtures are present (recorded bodies). */
static int some_mode(void)
{
	const char *v = getenv("RESOLVER_FIXTURE_SOME");

	return v && strcmp(v, "1") == 0;
}

static const char *twin_dir(void)
{
	const char *dir = getenv("RESOLVER_TWIN_DIR");

	if (dir)
		return dir;
	return some_mode() ? RESOLVER_FIXTURE_DIR : body_dir();
}

static int fixture_present(const char *dir, const char *name)
{
	char path[1024];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		return 0;
	fclose(fp);
	return 1;
}

static char *slurp(const char *dir, const char *name)
{
	char path[1024];
	FILE *fp;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		fail_msg("cannot open fixture '%s'", path);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
	buf[len] = '\0';
	fclose(fp);
	return buf;
}

static void fields_from(json_t *arr, struct extracted *x)
{
	size_t i, n = 0;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && n + 1 < MAXF)
			x->fields[n++] = json_string_value(v);
	x->fields[n] = NULL;
}

static void extract_from(const char *dir, const char *fixture, enum crmsync_side side,
			 struct extracted *x)
{
	json_error_t jerr;
	json_t *e;

	memset(x, 0, sizeof(*x));
	x->raw = slurp(dir, fixture);
	x->root = json_loads(x->raw, 0, &jerr);
	if (!x->root)
		fail_msg("fixture '%s' is not JSON: %s", fixture, jerr.text);
	if (side == CRMSYNC_SIDE_SALESFORCE) {
		e = json_is_array(x->root) ? json_array_get(x->root, 0) : x->root;
		if (json_object_get(e, "errors")) /* sObject Collections result */
			e = json_array_get(json_object_get(e, "errors"), 0);
		x->code = json_string_value(json_object_get(e, "errorCode"));
		if (!x->code)
			x->code = json_string_value(json_object_get(e, "statusCode"));
		x->message = json_string_value(json_object_get(e, "message"));
		fields_from(json_object_get(e, "fields"), x);
	} else {
		json_t *err0 = json_array_get(json_object_get(x->root, "errors"), 0);

		x->code = json_string_value(json_object_get(x->root, "category"));
		if (!x->code)
			x->code = json_string_value(json_object_get(x->root, "errorType"));
		x->subcode = json_string_value(json_object_get(err0, "code"));
		if (!x->subcode)
			x->subcode = json_string_value(json_object_get(x->root, "subCategory"));
		x->message = json_string_value(json_object_get(x->root, "message"));
		fields_from(json_object_get(json_object_get(err0, "context"), "propertyName"), x);
	}
	assert_non_null(x->code);
}

/* The hand-written fixture of that name. */
static void extract(const char *fixture, enum crmsync_side side, struct extracted *x)
{
	extract_from(twin_dir(), fixture, side, x);
}

static void extracted_free(struct extracted *x)
{
	json_decref(x->root);
	free(x->raw);
}

/* ---- the cases ------------------------------------------------------------ */

#define SF CRMSYNC_SIDE_SALESFORCE
#define HS CRMSYNC_SIDE_HUBSPOT
#define NEVER CRMSYNC_RETRY_NEVER
#define SCHED CRMSYNC_RETRY_SCHEDULE
#define PARTNER CRMSYNC_RETRY_WITH_PARTNER

struct tcase {
	const char *fixture;
	enum crmsync_side side;
	int status;
	const char *expect;        /* the resolver that must handle it */
	enum crmsync_retry retry;
	const char *sf_object, *sf_id, *sf_fields; /* the Salesforce record, "k=v;k=v" */
	const char *hs_id, *hs_fields;             /* the HubSpot record (contacts) */
	const char *details;       /* "key=value|key=value": exact values */
	const char *hint_has;      /* a specific word the hint must contain */
	size_t affected;           /* records added with diag_add_affected */
};

static const struct tcase cases[] = {
	/* duplicate */
	{"sf_duplicate_value.json", SF, 400, "duplicate", NEVER, "Contact", NULL,
	 "HubSpot_Id__c=512", "512", NULL,
	 "field=HubSpot_Id__c|value=512|existing_id=0035g00000AbCdEAAZ", "Merge", 0},
	{"sf_duplicates_detected.json", SF, 400, "duplicate", NEVER, "Contact", NULL,
	 "Email=ann@example.com", "512", NULL,
	 "existing_id=0035g00000XyZ12AAB|duplicate_rule=Standard_Contact_Duplicate_Rule",
	 "Duplicate Rules", 0},
	{"sf_duplicate_external_id.json", SF, 400, "duplicate", NEVER, "Contact", NULL,
	 "HubSpot_Id__c=512", "512", NULL, "field=HubSpot_Id__c|value=512", "external id", 0},
	{"hs_conflict.json", HS, 409, "duplicate", NEVER, "Contact", "0035g00000AbCdEAAZ", NULL,
	 NULL, "email=ann@example.com", "field=email|value=ann@example.com|existing_id=512",
	 "Merge", 0},
	/* custom code */
	{"sf_field_custom_validation_exception.json", SF, 400, "custom_code", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", NULL,
	 "automation=validation rule|field=Phone|message=Phone must be in the format (999) 999-9999.",
	 "Validation Rules", 0},
	{"sf_field_filter_validation_exception.json", SF, 400, "custom_code", NEVER, "Contact",
	 NULL, NULL, "512", NULL, "automation=lookup filter|field=AccountId", "Lookup Filter", 0},
	{"sf_cannot_insert_update_activate_entity.json", SF, 400, "custom_code", NEVER, "Contact",
	 NULL, NULL, "512", NULL, "automation=Apex trigger|automation_name=ContactTrigger",
	 "NullPointerException", 0},
	{"sf_cannot_insert_update_activate_entity_lock.json", SF, 400, "custom_code", SCHED,
	 "Contact", "0035g00000AbCdEAAZ", NULL, "512", NULL,
	 "automation=Apex trigger|automation_name=ContactTrigger", "retries automatically", 0},
	{"sf_cannot_execute_flow_trigger.json", SF, 400, "custom_code", NEVER, "Lead", NULL, NULL,
	 "512", NULL, "automation=flow|automation_name=Lead Routing", "Flows", 0},
	{"sf_apex_error.json", SF, 500, "custom_code", NEVER, "Contact", NULL, NULL, "512", NULL,
	 "automation=Apex code", "Too many SOQL queries", 0},
	{"sf_entity_is_locked.json", SF, 400, "custom_code", SCHED, "Opportunity",
	 "0065g00000AbCdEAAZ", NULL, "9001", NULL, "automation=approval process",
	 "approval", 0},
	/* permission */
	{"sf_insufficient_access_or_readonly.json", SF, 400, "permission", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", NULL, "object=Contact|permission=edit", "sharing", 0},
	{"sf_insufficient_access_on_cross_reference_entity.json", SF, 400, "permission", NEVER,
	 "Contact", NULL, NULL, "512", NULL,
	 "permission=read|reference_id=0015g00000QwErTAAZ|reference_object=Account",
	 "0015g00000QwErTAAZ", 0},
	{"sf_invalid_field_for_insert_update.json", SF, 400, "permission", NEVER, "Lead", NULL,
	 NULL, "512", NULL, "object=Lead|field=Lead_Score__c|permission=create",
	 "Field-Level Security", 0},
	{"sf_insufficient_access.json", SF, 403, "permission", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", NULL, "permission=edit", "permission set", 0},
	{"sf_api_disabled_for_org.json", SF, 403, "permission", NEVER, "Contact", NULL, NULL,
	 "512", NULL, "permission=api", "API Enabled", 0},
	{"sf_api_currently_disabled.json", SF, 403, "permission", NEVER, "Contact", NULL, NULL,
	 "512", NULL, "permission=api", "API Enabled", 0},
	{"hs_missing_scopes.json", HS, 403, "permission", NEVER, "Contact", "0035g00000AbCdEAAZ",
	 NULL, NULL, NULL,
	 "permission=scope|scopes=crm.objects.contacts.write, crm.objects.companies.read",
	 "Private Apps", 0},
	/* picklist */
	{"sf_invalid_or_null_for_restricted_picklist.json", SF, 400, "picklist", NEVER, "Lead",
	 NULL, "LeadSource=Webinarr", "512", NULL,
	 "field=LeadSource|label=Lead Source|value=Webinarr|object=Lead", "Object Manager > Lead", 0},
	{"sf_bad_value_for_restricted_picklist.json", SF, 400, "picklist", NEVER, "Account", NULL,
	 NULL, "77", NULL, "field=Industry|label=Industry|value=Aerospace", "Aerospace", 0},
	{"sf_invalid_picklist_value.json", SF, 400, "picklist", NEVER, "Lead", NULL,
	 "Status=Qualifiedd", "512", NULL, "field=Status|value=Qualifiedd", "Qualifiedd", 0},
	{"sf_field_integrity_exception_state.json", SF, 400, "picklist", NEVER, "Contact", NULL,
	 "MailingState=Bavaria", "512", NULL, "field=MailingState|value=Bavaria",
	 "State and Country/Territory Picklists", 0},
	{"sf_field_integrity_exception_statecode.json", SF, 400, "picklist", NEVER, "Account",
	 NULL, NULL, "77", NULL, "field=BillingStateCode|value=EP", "EP", 0},
	{"hs_validation_error_invalid_option.json", HS, 400, "picklist", NEVER, "Lead",
	 "00Q5g00000AbCdEAAZ", NULL, "512", "hs_lead_status=Webinarr",
	 "property=hs_lead_status|value=Webinarr", "hs_lead_status", 0},
	{"hs_validation_error_invalid_option_legacy.json", HS, 400, "picklist", NEVER, "Contact",
	 NULL, NULL, "512", NULL, "property=monthly_visitors|value=Less than 5,000",
	 "monthly_visitors", 0},
	/* property mapping */
	{"sf_invalid_field.json", SF, 400, "property_mapping", NEVER, "Contact", NULL, NULL, "512",
	 NULL, "salesforce_field=Region__c|salesforce_object=Contact", "Region__c", 0},
	{"sf_invalid_type.json", SF, 400, "property_mapping", NEVER, "Contact", NULL, NULL, "512",
	 NULL, "salesforce_object=Partner_Account__c", "Partner_Account__c", 0},
	{"sf_field_integrity_exception_lookup.json", SF, 400, "property_mapping", NEVER, "Contact",
	 NULL, "AccountId=0035g00000AbCdEAAZ", "512", NULL,
	 "salesforce_field=AccountId|problem=lookup field needs a record mapping", "lookup", 0},
	{"sf_malformed_id.json", SF, 400, "property_mapping", NEVER, "Contact", NULL,
	 "AccountId=Acme Corp", "512", NULL, "salesforce_field=AccountId|value=Acme Corp",
	 "lookup", 0},
	{"sf_json_parser_error.json", SF, 400, "property_mapping", NEVER, "Contact", NULL, NULL,
	 "512", NULL, "problem=incompatible types", "date", 0},
	{"hs_validation_error_property_doesnt_exist.json", HS, 400, "property_mapping", NEVER,
	 "Contact", "0035g00000AbCdEAAZ", NULL, "512", NULL,
	 "hubspot_property=region_code|problem=HubSpot property does not exist", "region_code", 0},
	{"hs_validation_error_read_only_value.json", HS, 400, "property_mapping", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", NULL,
	 "hubspot_property=hs_analytics_source|problem=HubSpot property is read-only", "one-way", 0},
	/* property value */
	{"sf_string_too_long.json", SF, 400, "property_value", NEVER, "Lead", NULL,
	 "LastName=Wolfeschlegelsteinhausenbergerdorff-Wolfeschlegelsteinhausenbergerdorff-Sr.",
	 "512", NULL, "field=LastName|label=Last Name|max_length=80|length=75|problem=too long",
	 "at most 80", 0},
	{"sf_invalid_email_address.json", SF, 400, "property_value", NEVER, "Contact", NULL, NULL,
	 "512", NULL, "field=Email|value=ann@example|problem=invalid email address", "ann@example", 0},
	{"sf_required_field_missing.json", SF, 400, "property_value", NEVER, "Lead", NULL, NULL,
	 "512", NULL, "field=LastName, Company|problem=required but empty", "LastName, Company", 0},
	{"sf_collections_required_field_missing.json", SF, 400, "property_value", NEVER, "Contact",
	 NULL, NULL, "512", NULL, "field=LastName|problem=required but empty", "LastName", 0},
	{"sf_number_outside_valid_range.json", SF, 400, "property_value", NEVER, "Account", NULL,
	 "AnnualRevenue=1.0E19", "77", NULL, "field=AnnualRevenue|value=1.0E19", "decimal", 0},
	{"sf_invalid_type_on_field_in_record.json", SF, 400, "property_value", NEVER, "Contact",
	 NULL, "Birthdate=next tuesday", "512", NULL,
	 "field=Birthdate|value=next tuesday|problem=wrong type for the field", "next tuesday", 0},
	{"hs_validation_error_invalid_email.json", HS, 400, "property_value", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", NULL,
	 "field=email|value=foo@|problem=invalid email address", "foo@", 0},
	{"hs_validation_error_invalid_integer.json", HS, 400, "property_value", NEVER, "Account",
	 "0015g00000QwErTAAZ", NULL, "77", "numberofemployees=12 people",
	 "field=numberofemployees|value=12 people|problem=not a whole number", "whole numbers", 0},
	{"hs_validation_error_invalid_long.json", HS, 400, "property_value", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", NULL, "field=hs_v2_date_entered_lead|value=2025-10-23", "whole numbers", 0},
	{"hs_validation_error_invalid_date.json", HS, 400, "property_value", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", "date_of_birth=1714557600001",
	 "field=date_of_birth|value=1714557600001|problem=not a valid date", "midnight", 0},
	/* association */
	{"sf_invalid_cross_reference_key.json", SF, 400, "association", PARTNER, "Contact", NULL,
	 "AccountId=0015g00000QwErTAAZ;OwnerId=0055g00000AbCdEAAZ", "512",
	 "associatedcompanyid=77",
	 "partner_object=Account|partner_id=0015g00000QwErTAAZ|field=AccountId",
	 "0015g00000QwErTAAZ", 2},
	{"sf_entity_is_deleted.json", SF, 400, "association", PARTNER, "Opportunity", NULL,
	 "AccountId=0015g00000QwErTAAZ", "9001", NULL,
	 "partner_object=Account|partner_id=0015g00000QwErTAAZ", "recycle bin", 1},
	{"sf_cannot_update_converted_lead.json", SF, 400, "association", PARTNER, "Lead",
	 "00Q5g00000AbCdEAAZ", NULL, "512", NULL,
	 "partner_object=Lead|partner_id=00Q5g00000AbCdEAAZ", "converted", 0},
	{"sf_not_found.json", SF, 404, "association", PARTNER, "Contact", "0035g00000AbCdEAAZ",
	 NULL, "512", NULL, "problem=associated record is deleted", "recycle bin", 0},
	{"hs_object_not_found.json", HS, 404, "association", PARTNER, "Contact",
	 "0035g00000AbCdEAAZ", "AccountId=0015g00000QwErTAAZ", "987", NULL,
	 "partner_object=Account", "HubSpot", 1},
	/* made by crmsync itself: a record held back until its link's partner syncs */
	{"sf_partner_not_synced.json", SF, 0, "association", PARTNER, "Opportunity", NULL,
	 "AccountId=0015g00000QwErTAAZ", "9001", NULL,
	 "partner_object=Account|partner_id=0015g00000QwErTAAZ|field=AccountId|"
	 "problem=associated record is not synced", "retries", 1},
	{"hs_partner_not_synced.json", HS, 0, "association", PARTNER, "Opportunity", NULL, NULL,
	 "9001", "associations.companies=77",
	 "partner_object=companies|partner_id=77|problem=associated record is not synced",
	 "retries", 1},
	{"hs_validation_error_association_limit.json", HS, 400, "association", NEVER, "Contact",
	 "0035g00000AbCdEAAZ", NULL, "512", "associatedcompanyid=77",
	 "limit=10000|partner_object=companies|partner_id=77|problem=association limit reached",
	 "Associations", 1},
	/* other */
	{"sf_unable_to_lock_row.json", SF, 400, "other", SCHED, "Contact", NULL, NULL, "512", NULL,
	 "code=UNABLE_TO_LOCK_ROW|status=400|side=Salesforce", "another job", 0},
	{"sf_unknown_exception.json", SF, 500, "other", SCHED, "Contact", NULL, NULL, "512", NULL,
	 "code=UNKNOWN_EXCEPTION|status=500", "temporary", 0},
	{"sf_request_limit_exceeded.json", SF, 403, "other", SCHED, "Contact", NULL, NULL, "512",
	 NULL, "code=REQUEST_LIMIT_EXCEEDED|status=403", "allocation", 0},
	{"sf_invalid_operation_with_expired_password.json", SF, 400, "other", NEVER, "Contact",
	 NULL, NULL, "512", NULL, "code=INVALID_OPERATION_WITH_EXPIRED_PASSWORD|status=400",
	 "SetPassword", 0},
	{"hs_validation_error_batch_inputs.json", HS, 400, "other", NEVER, "Contact", NULL, NULL,
	 "512", NULL,
	 "code=VALIDATION_ERROR|side=HubSpot|correlation_id=3d1e9a43-5f8b-4f7e-9e4e-8c6d1b2c7f00",
	 "correlation id", 0},
	{"hs_rate_limit.json", HS, 429, "other", SCHED, "Contact", NULL, NULL, "512", NULL,
	 "code=RATE_LIMIT|status=429", "API limit", 0},
	{"hs_internal_error.json", HS, 500, "other", SCHED, "Contact", NULL, NULL, "512", NULL,
	 "code=INTERNAL_ERROR|status=500", "retries automatically", 0},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* Builds the failure of one case; records and extraction are the caller's. */
/* Builds the failure of one case from the body in dir; records and
 * extraction are the caller's. */
static void build_from(const char *dir, const struct tcase *c, struct extracted *x,
		       struct crmsync_record *hs, struct crmsync_record *sf,
		       struct crmsync_failure *f)
{
	extract_from(dir, c->fixture, c->side, x);
	rec_fill(hs, HS, "contacts", c->hs_id, c->hs_fields);
	rec_fill(sf, SF, c->sf_object, c->sf_id, c->sf_fields);
	memset(f, 0, sizeof(*f));
	f->size = sizeof(*f);
	f->side = c->side;
	f->http_status = c->status;
	f->object = "contact";
	f->code = x->code;
	f->subcode = x->subcode;
	f->message = x->message;
	f->fields = x->fields[0] ? x->fields : NULL;
	f->raw = x->raw;
	f->hubspot = hs;
	f->salesforce = sf;
}

static void build(const struct tcase *c, struct extracted *x, struct crmsync_record *hs,
		  struct crmsync_record *sf, struct crmsync_failure *f)
{
	build_from(twin_dir(), c, x, hs, sf, f);
}

/* Details whose value the service mints (record ids, its configured
 * limits): a recorded body carries the simulator's, not the fixture's. */
static int minted_key(const char *key)
{
	static const char *const keys[] = {"existing_id", "partner_id", "reference_id", "limit",
					   "correlation_id"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return 1;
	return 0;
}

/* "sf:003" for a Salesforce id of that key prefix, "number" for a HubSpot
 * id or a count, "" otherwise. */
static void value_kind(const char *v, char *buf, size_t size)
{
	size_t n = strspn(v, "0123456789"), len = strlen(v), alnum = 0;

	while (alnum < len && ((v[alnum] >= '0' && v[alnum] <= '9') ||
			       (v[alnum] >= 'a' && v[alnum] <= 'z') ||
			       (v[alnum] >= 'A' && v[alnum] <= 'Z')))
		alnum++;
	if (len && n == len)
		snprintf(buf, size, "number");
	else if (len == 36 && v[8] == '-' && v[13] == '-' && v[18] == '-' && v[23] == '-')
		snprintf(buf, size, "uuid");
	else if (alnum == len && (len == 15 || len == 18))
		snprintf(buf, size, "sf:%.3s", v);
	else
		buf[0] = '\0';
}

/* got equals want, or (recorded bodies, minted keys) is of the same kind. */
static int detail_matches(const char *key, const char *got, const char *want, int recorded)
{
	char kg[16], kw[16];

	if (!got || !want)
		return got == want;
	if (strcmp(got, want) == 0)
		return 1;
	if (!recorded || !minted_key(key))
		return 0;
	value_kind(got, kg, sizeof(kg));
	value_kind(want, kw, sizeof(kw));
	return kg[0] && strcmp(kg, kw) == 0;
}

static void check_details(const struct tcase *c, const struct crmsync_diagnosis *d, int recorded)
{
	char *spec = strdup(c->details), *tok, *save = NULL;

	for (tok = strtok_r(spec, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
		char *eq = strchr(tok, '=');
		const char *got;

		assert_non_null(eq);
		*eq = '\0';
		got = diag_detail(d, tok);
		if (!detail_matches(tok, got, eq + 1, recorded))
			fail_msg("%s: detail '%s' is '%s', expected '%s'", c->fixture, tok,
				 got ? got : "(unset)", eq + 1);
	}
	free(spec);
}

/* A recorded body's diagnosis against its hand-written twin's: the same
 * type, retry, affected records and details, key by key. Details that copy
 * the body itself (message, raw) are held against the recorded body. */
static void check_twin(const struct tcase *c, const struct crmsync_diagnosis *got,
		       const struct crmsync_failure *rf)
{
	struct extracted x;
	struct crmsync_record hs, sf;
	struct crmsync_failure f;
	struct crmsync_diagnosis t;
	int want = plugin_index(c->expect);

	memset(&t, 0, sizeof(t));
	build(c, &x, &hs, &sf, &f);
	assert_int_equal(run_classify(want, &f, &t), CRMSYNC_HANDLED);
	if (strcmp(got->type, t.type) != 0 || got->retry != t.retry ||
	    got->naffected != t.naffected)
		fail_msg("%s: recorded body gives %s/retry %d/%zu affected, its twin %s/retry "
			 "%d/%zu affected", c->fixture, got->type, got->retry, got->naffected,
			 t.type, t.retry, t.naffected);
	for (size_t i = 0; i < t.ndetails; i++) {
		const char *g = diag_detail(got, t.dkey[i]);

		if (strcmp(t.dkey[i], "message") == 0) {
			if (!g || !rf->message || strcmp(g, rf->message) != 0)
				fail_msg("%s: message detail '%s' is not the recorded body's", c->fixture,
					 g ? g : "(unset)");
			continue;
		}
		if (strcmp(t.dkey[i], "raw") == 0) {
			if (!g || !rf->raw || strncmp(g, rf->raw, strcspn(g, "\xe2")) != 0)
				fail_msg("%s: raw detail is not the recorded body", c->fixture);
			continue;
		}
		if (!detail_matches(t.dkey[i], g, t.dval[i], 1))
			fail_msg("%s: recorded body gives %s='%s', its twin '%s'", c->fixture,
				 t.dkey[i], g ? g : "(unset)", t.dval[i]);
	}
	for (size_t i = 0; i < got->ndetails; i++)
		if (!diag_detail(&t, got->dkey[i]))
			fail_msg("%s: recorded body gives %s='%s', its twin has none", c->fixture,
				 got->dkey[i], got->dval[i]);
	diag_reset(&t);
	rec_free(&hs);
	rec_free(&sf);
	extracted_free(&x);
}

/* The core passes a Salesforce Collections result or a HubSpot batch error
 * as `raw` only, without `fields`: the resolvers must read them from the
 * body and reach the same diagnosis. */
static void check_without_fields(const struct tcase *c, const struct crmsync_failure *f,
				 const struct crmsync_diagnosis *with)
{
	struct crmsync_failure bare = *f;
	struct crmsync_diagnosis d;
	int want = plugin_index(c->expect);

	memset(&d, 0, sizeof(d));
	bare.fields = NULL;
	for (int i = 0; i < NPLUGINS; i++) {
		int rc = run_classify(i, &bare, &d);

		if ((i == want || strcmp(names[i], "other") == 0) != (rc == CRMSYNC_HANDLED))
			fail_msg("%s without fields: '%s' returned %d", c->fixture, names[i], rc);
	}
	assert_int_equal(run_classify(want, &bare, &d), CRMSYNC_HANDLED);
	if (strcmp(d.type, with->type) != 0 || d.retry != with->retry ||
	    d.naffected != with->naffected || d.ndetails != with->ndetails)
		fail_msg("%s without fields: %s/retry %d/%zu affected/%zu details, with them "
			 "%s/retry %d/%zu affected/%zu details", c->fixture, d.type, d.retry,
			 d.naffected, d.ndetails, with->type, with->retry, with->naffected,
			 with->ndetails);
	for (size_t i = 0; i < with->ndetails; i++) {
		const char *g = diag_detail(&d, with->dkey[i]);

		if (!g || strcmp(g, with->dval[i]) != 0)
			fail_msg("%s without fields: %s='%s', with them '%s'", c->fixture,
				 with->dkey[i], g ? g : "(unset)", with->dval[i]);
	}
	diag_reset(&d);
}

static void test_case(const char *dir, const struct tcase *c, int recorded)
{
	struct extracted x;
	struct crmsync_record hs, sf;
	struct crmsync_failure f;
	struct crmsync_diagnosis d;
	int want = plugin_index(c->expect);

	assert_true(want >= 0);
	memset(&d, 0, sizeof(d));
	build_from(dir, c, &x, &hs, &sf, &f);
	for (int i = 0; i < NPLUGINS; i++) {
		int rc = run_classify(i, &f, &d);

		if (i == want || strcmp(names[i], "other") == 0) {
			if (rc != CRMSYNC_HANDLED)
				fail_msg("%s: '%s' returned %d, expected HANDLED", c->fixture, names[i], rc);
		} else if (rc != CRMSYNC_DECLINED) {
			fail_msg("%s: '%s' returned %d, expected DECLINED (belongs to '%s')", c->fixture,
				 names[i], rc, c->expect);
		}
		if (rc == CRMSYNC_DECLINED && (d.type_calls || d.ndetails || d.hint || d.naffected))
			fail_msg("%s: '%s' declined but changed the diagnosis", c->fixture, names[i]);
	}
	/* The expected resolver, last, so its diagnosis is the one examined. */
	assert_int_equal(run_classify(want, &f, &d), CRMSYNC_HANDLED);
	assert_string_equal(d.type, c->expect);
	if (d.retry != (int)c->retry)
		fail_msg("%s: retry %d, expected %d", c->fixture, d.retry, (int)c->retry);
	assert_non_null(d.hint);
	if (strlen(d.hint) < 60 || !strstr(d.hint, c->hint_has))
		fail_msg("%s: hint lacks '%s': %s", c->fixture, c->hint_has, d.hint);
	check_details(c, &d, recorded);
	if (recorded)
		check_twin(c, &d, &f);
	check_without_fields(c, &f, &d);
	if (getenv("RESOLVER_TEST_VERBOSE"))
		fprintf(stderr, "%s -> %s (retry %d): %s\n", c->fixture, d.type, d.retry, d.hint);
	if (d.naffected != c->affected)
		fail_msg("%s: %zu affected records, expected %zu", c->fixture, d.naffected,
			 c->affected);
	diag_reset(&d);
	rec_free(&hs);
	rec_free(&sf);
	extracted_free(&x);
}

/* Every case; with RESOLVER_FIXTURE_SOME=1 only those whose body is in
 * RESOLVER_FIXTURE_DIR, each also held against its twin. */
static void test_all_cases(void **state)
{
	const char *dir = body_dir();
	int some = some_mode();
	size_t ran = 0;

	(void)state;
	for (size_t i = 0; i < NCASES; i++) {
		if (some && !fixture_present(dir, cases[i].fixture)) {
			printf("SKIP %s: not recorded\n", cases[i].fixture);
			continue;
		}
		test_case(dir, &cases[i], some);
		if (some)
			printf("PASS %s: classified as its twin\n", cases[i].fixture);
		ran++;
	}
	if (some)
		printf("recorded bodies classified: %zu of %zu cases\n", ran, (size_t)NCASES);
}

/* Every code a resolver claims by default has a fixture it handles. */
static void test_every_claimed_code_has_a_fixture(void **state)
{
	(void)state;
	for (int i = 0; i < NPLUGINS; i++) {
		const char *const *codes = plugins[i].desc->resolver->codes;

		assert_non_null(codes);
		for (; *codes; codes++) {
			int found = 0;

			for (size_t k = 0; k < NCASES && !found; k++) {
				struct extracted x;
				char pat[256];

				if (strcmp(cases[k].expect, names[i]) != 0)
					continue;
				extract(cases[k].fixture, cases[k].side, &x);
				if (cases[k].side == SF)
					snprintf(pat, sizeof(pat), "%s", x.code);
				else
					snprintf(pat, sizeof(pat), "hubspot:%s", x.code);
				found = strcmp(pat, *codes) == 0;
				if (!found && x.subcode) {
					snprintf(pat, sizeof(pat), "hubspot:%s:%s", x.code, x.subcode);
					found = strcmp(pat, *codes) == 0;
				}
				extracted_free(&x);
			}
			if (!found)
				fail_msg("'%s' claims %s but no fixture exercises it", names[i], *codes);
		}
	}
}

static void test_descriptors(void **state)
{
	(void)state;
	for (int i = 0; i < NPLUGINS; i++) {
		const struct crmsync_plugin *p = plugins[i].desc;
		const struct crmsync_resolver_ops *ops = p->resolver;

		assert_int_equal(p->magic, CRMSYNC_ABI_MAGIC);
		assert_int_equal(p->abi_major, CRMSYNC_ABI_MAJOR);
		assert_int_equal(p->size, sizeof(struct crmsync_plugin));
		assert_string_equal(p->name, names[i]);
		assert_non_null(ops);
		assert_null(p->object);
		assert_null(p->notifier);
		assert_int_equal(ops->size, sizeof(struct crmsync_resolver_ops));
		assert_string_equal(ops->type, names[i]);
		/* Nothing but the descriptor is visible. */
		assert_null(dlsym(plugins[i].dl, "classify"));
		assert_null(dlsym(plugins[i].dl, "host"));
		assert_null(dlsym(plugins[i].dl, "plugin_init"));
		/* Options fit the context. */
		for (const struct crmsync_option *o = ops->options; o && o->key; o++) {
			assert_true(ops->ctx_size > 0);
			assert_true(o->offset + sizeof(int) <= ops->ctx_size);
			assert_non_null(o->help);
		}
		if (!ops->options)
			assert_int_equal(ops->ctx_size, 0);
	}
	/* `other` claims nothing; every other resolver claims something. */
	assert_null(plugins[plugin_index("other")].desc->resolver->codes[0]);
	for (int i = 0; i < NPLUGINS; i++)
		if (strcmp(names[i], "other") != 0)
			assert_non_null(plugins[i].desc->resolver->codes[0]);
}

static void test_init_refuses_short_host(void **state)
{
	struct crmsync_host small = mock_host;

	(void)state;
	small.size = (uint32_t)offsetof(struct crmsync_host, diag_set_type);
	for (int i = 0; i < NPLUGINS; i++) {
		assert_int_equal(plugins[i].desc->init(&small), -EINVAL);
		assert_int_equal(plugins[i].desc->init(&mock_host), 0);
	}
}

static void test_duplicate_option_hides_existing_id(void **state)
{
	const struct tcase *c = &cases[0];
	int i = plugin_index("duplicate");
	int *opt = plugins[i].ctx, saved = *opt;
	struct extracted x;
	struct crmsync_record hs, sf;
	struct crmsync_failure f;
	struct crmsync_diagnosis d;

	(void)state;
	memset(&d, 0, sizeof(d));
	build(c, &x, &hs, &sf, &f);
	assert_int_equal(saved, 1); /* the default is yes */
	*opt = 0;
	assert_int_equal(run_classify(i, &f, &d), CRMSYNC_HANDLED);
	*opt = saved;
	assert_null(diag_detail(&d, "existing_id"));
	assert_string_equal(diag_detail(&d, "field"), "HubSpot_Id__c");
	diag_reset(&d);
	rec_free(&hs);
	rec_free(&sf);
	extracted_free(&x);
}

static void test_other_truncates_raw(void **state)
{
	int i = plugin_index("other");
	int64_t *max = plugins[i].ctx, saved = *max;
	char *big = malloc(20000);
	struct crmsync_failure f;
	struct crmsync_diagnosis d;
	const char *raw;

	(void)state;
	assert_int_equal(saved, 4096);
	memset(big, 'x', 19999);
	memcpy(big + 250, "\xc3\xa9\xc3\xa9\xc3\xa9", 6); /* UTF-8 across the cut */
	big[19999] = '\0';
	memset(&f, 0, sizeof(f));
	memset(&d, 0, sizeof(d));
	f.size = sizeof(f);
	f.side = SF;
	f.http_status = 400;
	f.code = "SOMETHING_NEW";
	f.message = "a brand new error";
	f.raw = big;
	*max = 256;
	assert_int_equal(run_classify(i, &f, &d), CRMSYNC_HANDLED);
	*max = saved;
	raw = diag_detail(&d, "raw");
	assert_non_null(raw);
	assert_true(strlen(raw) <= 256);
	assert_non_null(strstr(raw, "[truncated]"));
	assert_int_equal(d.retry, CRMSYNC_RETRY_NEVER);
	assert_non_null(strstr(d.hint, "SOMETHING_NEW"));
	/* No code and no body at all still gives a diagnosis. */
	f.code = NULL;
	f.raw = NULL;
	f.message = NULL;
	assert_int_equal(run_classify(i, &f, &d), CRMSYNC_HANDLED);
	assert_string_equal(diag_detail(&d, "code"), "(none)");
	diag_reset(&d);
	free(big);
}

static void test_null_arguments(void **state)
{
	struct crmsync_diagnosis d;

	(void)state;
	memset(&d, 0, sizeof(d));
	for (int i = 0; i < NPLUGINS; i++)
		assert_int_equal(run_classify(i, NULL, &d), -EINVAL);
	diag_reset(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_init_refuses_short_host),
		cmocka_unit_test(test_all_cases),
		cmocka_unit_test(test_every_claimed_code_has_a_fixture),
		cmocka_unit_test(test_duplicate_option_hides_existing_id),
		cmocka_unit_test(test_other_truncates_raw),
		cmocka_unit_test(test_null_arguments),
	};

	return cmocka_run_group_tests_name("resolvers", tests, setup_plugins, teardown_plugins);
}
