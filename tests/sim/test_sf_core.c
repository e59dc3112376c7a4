/*
 * Unit tests (cmocka) of the Salesforce side's core: id checksums, the SOQL
 * parser and evaluator, the write path with the org's rules, transactions,
 * the generated data and the default config. No HTTP here.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sf.h"

static struct sim_side *mk_side(size_t records)
{
	struct sim_side *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->opts.seed = 1;
	s->opts.records = records;
	s->opts.overlap = 0.3;
	s->opts.dirty = 0.05;
	s->opts.token_ttl = 7200;
	s->started_ms = sim_now_ms();
	s->config = sf_config_default();
	s->ids = sf_map_new();
	assert_non_null(s->config);
	assert_int_equal(sf_schema_build(s), 0);
	for (int i = 0; i < SF_NOBJ; i++)
		s->objs[i].next_id = 5000000 + (uint64_t)i * 1000;
	assert_int_equal(sf_generate(s), 0);
	return s;
}

static void free_side(struct sim_side *s)
{
	sf_store_free(s);
	sf_schema_free(s);
	json_decref(s->config);
	free(s);
}

/* ---- ids ------------------------------------------------------------------ */

static void test_ids(void **state)
{
	char out[19];

	(void)state;
	assert_int_equal(sf_id_norm("001A0000006Vm9r", out), 0);
	assert_string_equal(out, "001A0000006Vm9rIAC");
	assert_int_equal(sf_id_norm("001A0000006Vm9rIAC", out), 0);
	assert_int_equal(sf_id_norm("001A0000006Vm9riac", out), 0); /* suffix is case-insensitive */
	assert_int_equal(sf_id_norm("001A0000006Vm9rAAA", out), -EINVAL);
	assert_int_equal(sf_id_norm("001A0000006Vm9", out), -EINVAL);
	assert_int_equal(sf_id_norm("001A0000006Vm9r-AC", out), -EINVAL);
	assert_int_equal(sf_id_norm("003000000000000", out), 0);
	assert_string_equal(out, "003000000000000AAA");
	sf_id_make("00Q", 61 * 62 + 35, out);
	assert_int_equal(strlen(out), 18);
	assert_memory_equal(out, "00Q", 3);
	assert_int_equal(sf_id_norm(out, (char[19]){0}), 0);
}

/* ---- SOQL ------------------------------------------------------------------ */

static const char *parse_err(struct sim_side *s, const char *q, struct sf_err *e)
{
	struct soql_query *p;

	sf_err_clear(e);
	p = soql_parse(s, q, e);
	soql_free(p);
	return p ? "" : e->code;
}

static void test_soql_errors(void **state)
{
	struct sim_side *s = *state;
	struct sf_err e = {0};

	assert_string_equal(parse_err(s, "SELECT Id FROM Contact", &e), "");
	assert_string_equal(parse_err(s, "select id, email from contact where email = 'a' "
				      "order by systemmodstamp desc nulls last, id limit 5 offset 1", &e), "");
	assert_string_equal(parse_err(s, "SELECT FROM Contact", &e), "MALFORMED_QUERY");
	assert_string_equal(parse_err(s, "SELECT Id Contact", &e), "MALFORMED_QUERY");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact WHERE Email = 'x", &e), "MALFORMED_QUERY");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact LIMIT x", &e), "MALFORMED_QUERY");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact extra", &e), "MALFORMED_QUERY");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact WHERE Email = 'a\\qb'", &e), "MALFORMED_QUERY");
	assert_string_equal(parse_err(s, "SELECT Id FROM Widget__c", &e), "INVALID_TYPE");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact WHERE Nope = 1", &e), "INVALID_FIELD");
	assert_string_equal(parse_err(s, "SELECT Owner.Nope FROM Contact", &e), "INVALID_FIELD");
	assert_string_equal(parse_err(s, "SELECT Boss.Name FROM Contact", &e), "INVALID_FIELD");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact WHERE CreatedDate > 5", &e), "INVALID_FIELD");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact WHERE Email = 5", &e), "INVALID_FIELD");
	assert_string_equal(parse_err(s, "SELECT Id FROM Contact OFFSET 5000", &e),
			    "NUMBER_OUTSIDE_VALID_RANGE");
	/* the real message layout: query line, caret under the column, position */
	parse_err(s, "SELECT Id, Foo FROM Lead", &e);
	assert_string_equal(e.msg, "\nSELECT Id, Foo FROM Lead\n           ^\nERROR at Row:1:Column:12\n"
			    "No such column 'Foo' on entity 'Lead'. If you are attempting to use a "
			    "custom field, be sure to append the '__c' after the custom field name. "
			    "Please reference your WSDL or the describe call for the appropriate names.");
	parse_err(s, "SELECT Id\nFROM Lead\nWHERE", &e);
	assert_non_null(strstr(e.msg, "ERROR at Row:3:Column:6\nunexpected token: <EOF>"));
	sf_err_clear(&e);
}

static size_t run(struct sim_side *s, const char *q, bool all, struct sf_rec ***out)
{
	struct sf_err e = {0};
	struct soql_query *p = soql_parse(s, q, &e);
	struct sf_rec **recs;
	size_t n;

	if (!p)
		fail_msg("%s: %s %s", q, e.code, e.msg);
	assert_int_equal(soql_run(s, p, all, &recs, &n), 0);
	soql_free(p);
	if (out)
		*out = recs;
	else
		free(recs);
	return n;
}

static struct sf_rec *mk(struct sim_side *s, const char *obj, const char *json, unsigned fl)
{
	struct sf_err e = {0};
	struct sf_rec *r = NULL;
	json_t *in = json_loads(json, 0, NULL);

	assert_non_null(in);
	if (sf_rec_write(s, sf_object_find(s, obj), NULL, in, fl, &r, &e) < 0)
		fail_msg("create %s %s: %s %s", obj, json, e.code, e.msg);
	json_decref(in);
	return r;
}

static void test_soql_eval(void **state)
{
	struct sim_side *s = *state;
	struct sf_rec **recs, *a, *b, *c;
	char q[512];
	size_t n, all, live;

	a = mk(s, "Contact", "{\"LastName\":\"Zeta\",\"Email\":\"zeta@eval.example\",\"Title\":\"CEO\"}", 0);
	b = mk(s, "Contact", "{\"LastName\":\"alpha\",\"Email\":\"alpha@eval.example\"}", 0);
	c = mk(s, "Contact", "{\"LastName\":\"Mid\",\"Email\":\"mid@eval.example\",\"Title\":\"cto\"}", 0);
	assert_int_equal(run(s, "SELECT Id FROM Contact WHERE Email LIKE '%@EVAL.example'", false, NULL), 3);
	n = run(s, "SELECT Id FROM Contact WHERE Email LIKE '%@eval.example' ORDER BY LastName", false, &recs);
	assert_int_equal(n, 3);
	assert_ptr_equal(recs[0], b); /* case-insensitive order */
	assert_ptr_equal(recs[2], a);
	free(recs);
	n = run(s, "SELECT Id FROM Contact WHERE Email LIKE '%@eval.example' ORDER BY Title DESC NULLS LAST "
		"LIMIT 2 OFFSET 1", false, &recs);
	assert_int_equal(n, 2);
	assert_ptr_equal(recs[0], a); /* cto, CEO, null -> skip cto */
	assert_ptr_equal(recs[1], b);
	free(recs);
	assert_int_equal(run(s, "SELECT Id FROM Contact WHERE Email LIKE '%@eval.example' AND Title = null",
			     false, NULL), 1);
	assert_int_equal(run(s, "SELECT Id FROM Contact WHERE Email LIKE '%@eval.example' AND "
			     "(Title = 'ceo' OR Title IN ('CTO', 'x')) AND NOT LastName = 'Zeta'", false, NULL), 1);
	snprintf(q, sizeof(q), "SELECT Id FROM Contact WHERE Id IN ('%.15s', '%s')", a->id, c->id);
	assert_int_equal(run(s, q, false, NULL), 2);
	/* (SystemModstamp, Id) order: strictly increasing stamps per write */
	assert_true(b->modstamp_ms > a->modstamp_ms && c->modstamp_ms > b->modstamp_ms);
	{
		char ts[40];
		sim_fmt_sf_time(b->modstamp_ms, ts, sizeof(ts));
		snprintf(q, sizeof(q), "SELECT Id FROM Contact WHERE SystemModstamp >= %s", ts);
		assert_int_equal(run(s, q, false, NULL), 2);
		snprintf(q, sizeof(q), "SELECT Id FROM Contact WHERE SystemModstamp > %.19sZ", ts);
		assert_true(run(s, q, false, NULL) >= 1);
	}
	all = run(s, "SELECT Id FROM Contact", true, NULL);
	live = run(s, "SELECT Id FROM Contact", false, NULL);
	assert_int_equal(run(s, "SELECT Id FROM Contact WHERE IsDeleted = true", true, NULL), all - live);
	assert_int_equal(run(s, "SELECT Id FROM Contact WHERE IsDeleted = true", false, NULL), 0);
	n = run(s, "SELECT Id, Account.Name FROM Contact WHERE Account.Name != null LIMIT 1", false, &recs);
	assert_int_equal(n, 1);
	{
		struct sf_err e = {0};
		struct soql_query *p = soql_parse(s, "SELECT Id, Account.Name FROM Contact", &e);
		json_t *j = soql_project(s, p, recs[0]);
		assert_true(json_is_string(json_object_get(json_object_get(j, "Account"), "Name")));
		json_decref(j);
		soql_free(p);
	}
	free(recs);
}

/* ---- writes and rules -------------------------------------------------------- */

static const char *try_write(struct sim_side *s, const char *obj, struct sf_rec *r, const char *json,
			     unsigned fl)
{
	static char code[64];
	struct sf_err e = {0};
	json_t *in = json_loads(json, 0, NULL);
	int rc;

	assert_non_null(in);
	rc = sf_rec_write(s, sf_object_find(s, obj), r, in, fl, NULL, &e);
	json_decref(in);
	snprintf(code, sizeof(code), "%s", rc == 0 ? "OK" : e.code);
	sf_err_clear(&e);
	return code;
}

static void test_rules(void **state)
{
	struct sim_side *s = *state;
	struct sf_rec *lead, *conv = NULL;
	struct sf_err e = {0};

	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Email\":\"r@rules.example\","
				      "\"HubSpot_Id__c\":\"h1\"}", 0), "OK");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Email\":\"R@Rules.example\"}", 0),
			    "DUPLICATES_DETECTED");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Email\":\"R@Rules.example\"}",
				      SF_W_ALLOWSAVE), "OK");
	assert_string_equal(try_write(s, "Lead", NULL, "{\"LastName\":\"R\",\"Company\":\"C\","
				      "\"Email\":\"r@rules.example\"}", 0), "DUPLICATES_DETECTED");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"HubSpot_Id__c\":\"H1\"}", 0),
			    "DUPLICATE_VALUE");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Phone\":\"n/a\"}", 0),
			    "FIELD_CUSTOM_VALIDATION_EXCEPTION");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"MailingPostalCode\":\"ABCDE-?\"}", 0),
			    "FIELD_CUSTOM_VALIDATION_EXCEPTION");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Description\":\"#flowfail\"}", 0),
			    "CANNOT_EXECUTE_FLOW_TRIGGER");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"LeadSource\":\"Trade Show 2019\"}", 0),
			    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Level__c\":\"Primary\"}", 0),
			    "INVALID_FIELD_FOR_INSERT_UPDATE");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Level__c\":\"Primary\"}",
				      SF_W_ADMIN), "OK");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"SystemModstamp\":\"2020-01-01\"}",
				      SF_W_ADMIN), "INVALID_FIELD_FOR_INSERT_UPDATE");
	assert_string_equal(try_write(s, "User", NULL, "{\"LastName\":\"R\"}", 0),
			    "INSUFFICIENT_ACCESS_OR_READONLY");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Email\":\"a@@b.com\"}", 0),
			    "INVALID_EMAIL_ADDRESS");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Email\":\"a@localhost\"}", 0),
			    "INVALID_EMAIL_ADDRESS");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"FirstName\":"
				      "\"Maria-Guadalupe-Alexandra-Esperanza-Concepción\"}", 0), "STRING_TOO_LONG");
	/* length counts characters, not bytes: 40 kana fit in FirstName(40) */
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"FirstName\":"
				      "\"あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらり\"}", 0), "OK");
	assert_string_equal(try_write(s, "Lead", NULL, "{\"Company\":\"C\"}", 0), "REQUIRED_FIELD_MISSING");
	assert_string_equal(try_write(s, "Opportunity", NULL, "{\"Name\":\"O\"}", 0), "REQUIRED_FIELD_MISSING");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Nope__c\":1}", 0), "INVALID_FIELD");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"AccountId\":\"0010000000000AB\"}", 0),
			    "INVALID_CROSS_REFERENCE_KEY");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"AccountId\":\"x\"}", 0),
			    "MALFORMED_ID");
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"R\",\"Birthdate\":\"31/01/2000\"}", 0),
			    "JSON_PARSER_ERROR");
	assert_string_equal(try_write(s, "Lead", NULL, "{\"LastName\":\"R\",\"Company\":\"C\",\"Country\":\"日本\"}", 0),
			    "FIELD_INTEGRITY_EXCEPTION");
	assert_string_equal(try_write(s, "Lead", NULL, "{\"LastName\":\"R\",\"Company\":\"C\",\"Country\":\"Japan\","
				      "\"State\":\"Tokyo\"}", 0), "OK");
	assert_string_equal(try_write(s, "Lead", NULL, "{\"LastName\":\"R\",\"Company\":\"C\",\"CountryCode\":\"US\","
				      "\"StateCode\":\"EP\"}", 0), "FIELD_INTEGRITY_EXCEPTION");
	/* converted leads refuse updates; ENTITY_IS_DELETED for deleted targets */
	lead = mk(s, "Lead", "{\"LastName\":\"Conv\",\"Company\":\"ConvCo\"}", 0);
	assert_int_equal(sf_lead_convert(s, lead, NULL, &e), 0);
	assert_true(json_is_true(json_object_get(lead->f, "IsConverted")));
	conv = sf_rec_get(s, json_string_value(json_object_get(lead->f, "ConvertedContactId")));
	assert_non_null(conv);
	assert_string_equal(try_write(s, "Lead", lead, "{\"Title\":\"x\"}", 0), "CANNOT_UPDATE_CONVERTED_LEAD");
	assert_int_equal(sf_rec_delete(s, conv, 0, &e), 0);
	assert_string_equal(try_write(s, "Contact", conv, "{\"Title\":\"x\"}", 0), "ENTITY_IS_DELETED");
	assert_int_equal(sf_rec_delete(s, conv, 0, &e), -EINVAL);
	assert_string_equal(e.code, "ENTITY_IS_DELETED");
	sf_err_clear(&e);
}

static void test_txn(void **state)
{
	struct sim_side *s = *state;
	struct sf_object *o = sf_object_find(s, "Contact");
	const struct sf_field *ext = sf_field_find(o, "HubSpot_Id__c");
	struct sf_rec *keep = mk(s, "Contact", "{\"LastName\":\"Keep\",\"HubSpot_Id__c\":\"t-keep\"}", 0);
	size_t before = o->nrecs, mark;
	int64_t stamp = keep->modstamp_ms;
	struct sf_err e = {0};

	mark = sf_txn_begin(s);
	mk(s, "Contact", "{\"LastName\":\"Gone\",\"HubSpot_Id__c\":\"t-gone\"}", 0);
	assert_string_equal(try_write(s, "Contact", keep, "{\"HubSpot_Id__c\":\"t-renamed\"}", 0), "OK");
	assert_int_equal(sf_rec_delete(s, keep, 0, &e), 0);
	sf_txn_end(s, mark, false);
	assert_int_equal(o->nrecs, before);
	assert_false(keep->deleted);
	assert_int_equal(keep->modstamp_ms, stamp);
	assert_non_null(sf_index_lookup(ext, "t-keep"));
	assert_null(sf_index_lookup(ext, "t-renamed"));
	assert_null(sf_index_lookup(ext, "t-gone"));
	assert_string_equal(try_write(s, "Contact", NULL, "{\"LastName\":\"Again\",\"HubSpot_Id__c\":\"t-gone\"}", 0),
			    "OK");
}

/* ---- generated data and config --------------------------------------------- */

static void test_generated(void **state)
{
	struct sim_side *s = *state;
	struct sf_object *c = sf_object_find(s, "Contact"), *l = sf_object_find(s, "Lead");
	size_t n = 0;

	assert_true(c->nrecs > 50 && l->nrecs > 20);
	assert_true(sf_object_find(s, "Opportunity")->nrecs > 0);
	assert_true(sf_object_find(s, "OpportunityContactRole")->nrecs > 0);
	assert_true(sf_object_find(s, "Task")->nrecs > 0);
	assert_int_equal(sf_object_find(s, "User")->nrecs, 4);
	for (size_t i = 0; i < c->nrecs; i++) {
		const char *a = json_string_value(json_object_get(c->recs[i]->f, "AccountId"));
		struct sf_rec *acc = a ? sf_rec_get(s, a) : NULL;
		if (c->recs[i]->obj != c)
			fail();
		if (a && (!acc || acc->obj->kind != SF_ACCOUNT))
			fail_msg("dangling AccountId on %s", c->recs[i]->id);
	}
	for (size_t i = 0; i < l->nrecs; i++)
		n += json_is_true(json_object_get(l->recs[i]->f, "IsConverted"));
	assert_true(n > 0);
	/* every record re-serialises with its 18-char id */
	for (size_t i = 0; i < l->nrecs; i++)
		assert_int_equal(sf_id_norm(l->recs[i]->id, (char[19]){0}), 0);
}

static void test_default_config(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	json_t *file, *def = sf_config_default();

	(void)state;
	snprintf(path, sizeof(path), "%s/tests/sim/schema.example.json", top ? top : ".");
	file = json_load_file(path, 0, NULL);
	if (!file)
		skip();
	json_object_del(file, "_doc");
	assert_true(json_equal(file, def));
	json_decref(file);
	json_decref(def);
}

static int setup(void **state)
{
	*state = mk_side(400);
	return 0;
}

static int teardown(void **state)
{
	free_side(*state);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test_setup_teardown(test_soql_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soql_eval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_txn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generated, setup, teardown),
		cmocka_unit_test(test_default_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
