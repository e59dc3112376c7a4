/*
 * test_merge.c - every row of the merge truth table (core/mapping_merge.c,
 * docs/mappings.md) for every rule, echo suppression through normalised
 * values and lossy value maps, and the value conversions used for writes.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "testutil.h"

/* One field entry parsed from YAML (the test goes through the parser so the
 * fields are built exactly as in production). */
static struct mapping *one(const char *entry)
{
	struct errlist errs = { 0 };
	struct mapping *m = NULL;
	char *yaml = xasprintf("object: test\nfields:\n  - %s\n", entry);

	if (mapping_parse_buffer("t.yaml", yaml, strlen(yaml), &m, &errs)) {
		tu_errs_dump(&errs);
		fail_msg("entry refused: %s", entry);
	}
	free(yaml);
	errlist_release(&errs);
	return m;
}

enum who { W_NONE, W_HS, W_SF };

struct row {
	const char *base, *hs;
	int64_t hs_ms;
	const char *sf;
	int64_t sf_ms;
	enum merge_result want;
	enum who winner;
};

static void run(const char *entry, const struct row *rows, size_t n)
{
	struct mapping *m = one(entry);

	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		const char *w = (const char *)"sentinel";
		enum merge_result got = mapping_merge(&m->fields[0], r->base, r->hs, r->hs_ms,
						      r->sf, r->sf_ms, &w);
		const char *want_w = r->winner == W_HS ? r->hs : r->winner == W_SF ? r->sf : NULL;

		if (got != r->want || w != want_w)
			fail_msg("%s row %zu (base %s, hs %s, sf %s): got %s winner %s, want %s "
				 "winner %s", entry, i, r->base ? r->base : "NULL",
				 r->hs ? r->hs : "NULL", r->sf ? r->sf : "NULL",
				 merge_result_name(got), w == r->hs ? "hs" : w == r->sf ? "sf" : "NULL",
				 merge_result_name(r->want),
				 r->winner == W_HS ? "hs" : r->winner == W_SF ? "sf" : "NULL");
	}
	mapping_free(m);
}

#define RUN(entry, rows) run(entry, rows, ARRAY_SIZE(rows))

/* Rows every rule except none shares: equal values never write. */
static void test_same_values(void **state)
{
	static const struct row rows[] = {
		{ "a", "a", 1, "a", 2, MERGE_NO_CHANGE, W_SF },
		{ NULL, "a", 1, "a", 2, MERGE_NO_CHANGE, W_SF },
		{ "old", "a", 1, "a", 2, MERGE_NO_CHANGE, W_SF },  /* both changed alike */
		{ NULL, NULL, 1, "", 2, MERGE_NO_CHANGE, W_SF },   /* NULL and "" are blank */
		{ "a", "", 1, NULL, 2, MERGE_NO_CHANGE, W_SF },
	};

	RUN("{hubspot: p, salesforce: F}", rows);
	RUN("{hubspot: p, salesforce: F, rule: always_salesforce}", rows);
	RUN("{hubspot: p, salesforce: F, rule: two_way}", rows);
	RUN("{hubspot: p, salesforce: F, rule: hubspot_to_salesforce}", rows);
}

static void test_rule_none(void **state)
{
	static const struct row rows[] = {
		{ "a", "a", 1, "a", 2, MERGE_KEEP, W_NONE },
		{ "a", "b", 1, "a", 2, MERGE_KEEP, W_NONE },
		{ "a", "a", 1, "b", 2, MERGE_KEEP, W_NONE },
		{ NULL, "x", 1, NULL, 2, MERGE_KEEP, W_NONE },
		{ NULL, "not a number", 1, NULL, 2, MERGE_KEEP, W_NONE },
	};

	RUN("{hubspot: p, salesforce: F, rule: none}", rows);
	RUN("{hubspot: p, salesforce: F, rule: none, transform: {type: number}}", rows);
}

static void test_prefer_sf_unless_blank(void **state)
{
	static const struct row rows[] = {
		/* sf not blank: Salesforce wins */
		{ "a", "a", 1, "b", 2, MERGE_WRITE_TO_HS, W_SF },     /* S only */
		{ "a", "b", 9, "a", 2, MERGE_WRITE_TO_HS, W_SF },     /* H only: reverted */
		{ "a", "b", 9, "c", 2, MERGE_CONFLICT_TO_HS, W_SF },  /* both */
		{ "a", "", 9, "a", 2, MERGE_WRITE_TO_HS, W_SF },      /* HubSpot cleared */
		{ NULL, "b", 9, "c", 2, MERGE_WRITE_TO_HS, W_SF },    /* first sync */
		{ NULL, NULL, 9, "c", 2, MERGE_WRITE_TO_HS, W_SF },
		/* sf blank: HubSpot's value is used */
		{ "a", "a", 1, "", 2, MERGE_WRITE_TO_SF, W_HS },      /* SF cleared: refilled */
		{ "a", "b", 1, NULL, 2, MERGE_CONFLICT_TO_SF, W_HS }, /* both */
		{ "", "b", 1, "", 2, MERGE_WRITE_TO_SF, W_HS },       /* H only */
		{ NULL, "b", 1, NULL, 2, MERGE_WRITE_TO_SF, W_HS },   /* first sync */
	};

	RUN("{hubspot: p, salesforce: F}", rows);
	RUN("{hubspot: p, salesforce: F, rule: prefer_salesforce_unless_blank}", rows);
	RUN("{hubspot: p, salesforce: F, rule: prefer_sf_unless_blank}", rows);
}

static void test_always_salesforce(void **state)
{
	static const struct row rows[] = {
		{ "a", "a", 1, "b", 2, MERGE_WRITE_TO_HS, W_SF },     /* S only */
		{ "a", "a", 1, "", 2, MERGE_WRITE_TO_HS, W_SF },      /* SF cleared: HS cleared */
		{ "a", "a", 1, NULL, 2, MERGE_WRITE_TO_HS, W_SF },
		{ "a", "b", 9, "a", 2, MERGE_WRITE_TO_HS, W_SF },     /* H only: reverted */
		{ "a", "b", 9, "c", 2, MERGE_CONFLICT_TO_HS, W_SF },  /* both */
		{ "a", "b", 9, "", 2, MERGE_CONFLICT_TO_HS, W_SF },   /* both, SF blank */
		{ "", "b", 9, "", 2, MERGE_WRITE_TO_HS, W_SF },       /* HS filled: cleared */
		{ NULL, "b", 1, "c", 2, MERGE_WRITE_TO_HS, W_SF },    /* first sync */
		{ NULL, "b", 1, NULL, 2, MERGE_KEEP, W_NONE },        /* first sync never clears */
		{ NULL, "b", 1, "", 2, MERGE_KEEP, W_NONE },
	};

	RUN("{hubspot: p, salesforce: F, rule: always_salesforce}", rows);
	RUN("{hubspot: p, salesforce: F, rule: always_sf}", rows);
}

static void test_hubspot_to_salesforce(void **state)
{
	static const struct row rows[] = {
		{ "a", "b", 1, "a", 2, MERGE_WRITE_TO_SF, W_HS },     /* H only */
		{ "a", "", 1, "a", 2, MERGE_WRITE_TO_SF, W_HS },      /* HS cleared: SF cleared */
		{ "a", NULL, 1, "a", 2, MERGE_WRITE_TO_SF, W_HS },
		{ "a", "b", 1, "c", 9, MERGE_CONFLICT_TO_SF, W_HS },  /* both: HS wins anyway */
		{ "a", "a", 1, "c", 9, MERGE_KEEP, W_NONE },          /* S only: stays */
		{ "a", "a", 1, "", 9, MERGE_KEEP, W_NONE },
		{ NULL, "b", 1, "c", 2, MERGE_WRITE_TO_SF, W_HS },    /* first sync */
		{ NULL, "b", 1, NULL, 2, MERGE_WRITE_TO_SF, W_HS },
		{ NULL, "", 1, "c", 2, MERGE_KEEP, W_NONE },          /* first sync never clears */
		{ NULL, NULL, 1, "c", 2, MERGE_KEEP, W_NONE },
	};

	RUN("{hubspot: p, salesforce: F, rule: hubspot_to_salesforce}", rows);
	RUN("{hubspot: p, salesforce: F, rule: hs_to_sf}", rows);
}

static void test_two_way(void **state)
{
	static const struct row rows[] = {
		{ "a", "b", 1, "a", 2, MERGE_WRITE_TO_SF, W_HS },     /* H only, even if older */
		{ "a", "a", 9, "b", 2, MERGE_WRITE_TO_HS, W_SF },     /* S only, even if older */
		{ "a", "", 1, "a", 2, MERGE_WRITE_TO_SF, W_HS },      /* clearing propagates */
		{ "a", NULL, 1, "a", 2, MERGE_WRITE_TO_SF, W_HS },
		{ "a", "a", 1, "", 2, MERGE_WRITE_TO_HS, W_SF },
		{ "a", "b", 9, "c", 2, MERGE_CONFLICT_TO_SF, W_HS },  /* both: newer wins */
		{ "a", "b", 2, "c", 9, MERGE_CONFLICT_TO_HS, W_SF },
		{ "a", "b", 5, "c", 5, MERGE_CONFLICT_TO_HS, W_SF },  /* tie: Salesforce */
		{ "a", "", 9, "c", 2, MERGE_CONFLICT_TO_SF, W_HS },   /* newer clear wins */
		{ "a", "b", 2, NULL, 9, MERGE_CONFLICT_TO_HS, W_SF },
		{ NULL, "b", 1, NULL, 9, MERGE_WRITE_TO_SF, W_HS },   /* first sync: fill */
		{ NULL, "", 9, "c", 1, MERGE_WRITE_TO_HS, W_SF },
		{ NULL, "b", 9, "c", 1, MERGE_WRITE_TO_SF, W_HS },    /* first sync: newer */
		{ NULL, "b", 1, "c", 9, MERGE_WRITE_TO_HS, W_SF },
		{ NULL, "b", 5, "c", 5, MERGE_WRITE_TO_HS, W_SF },
	};

	RUN("{hubspot: p, salesforce: F, rule: two_way}", rows);
}

/* Echo suppression: a side that holds the base in another spelling did not
 * change. */
static void test_echo_suppression_normalised(void **state)
{
	static const struct row numbers[] = {
		{ "1234.5", "1234.50", 9, "1234.5", 1, MERGE_NO_CHANGE, W_SF },
		{ "1234.5", "1.2345e3", 9, "99", 1, MERGE_WRITE_TO_HS, W_SF },
		{ "1234.5", "1234.500", 1, "1234.6", 9, MERGE_WRITE_TO_HS, W_SF },
		{ "1234.5", "1234.6", 1, "1234.50", 9, MERGE_WRITE_TO_SF, W_HS },
		{ "1234.5", "x", 1, "1", 9, MERGE_BAD_HS, W_HS },
		{ "1234.5", "1", 1, "1,5", 9, MERGE_BAD_SF, W_SF },
	};
	static const struct row datetimes[] = {
		{ "2024-01-31T12:34:56.000+0000", "1706704496000", 9,
		  "2024-01-31T12:34:56.000+0000", 1, MERGE_NO_CHANGE, W_SF },
		{ "2024-01-31T12:34:56.000+0000", "2024-01-31T12:34:56Z", 9,
		  "2024-02-01T00:00:00.000+0000", 1, MERGE_WRITE_TO_HS, W_SF },
		{ "2024-01-31T12:34:56.000+0000", "2024-01-31T14:34:56+02:00", 9,
		  "2024-01-31T12:34:56.000+0000", 1, MERGE_NO_CHANGE, W_SF },
	};
	static const struct row bools[] = {
		{ "true", "Yes", 9, "false", 1, MERGE_WRITE_TO_HS, W_SF },
		{ "false", "1", 9, "false", 1, MERGE_WRITE_TO_SF, W_HS },
		{ "true", "TRUE", 9, "true", 1, MERGE_NO_CHANGE, W_SF },
	};
	static const struct row multi[] = {
		{ "a;b", "b;a", 9, "c", 1, MERGE_WRITE_TO_HS, W_SF },
		{ "a;b", "b;a;c", 9, "a;b", 1, MERGE_WRITE_TO_SF, W_HS },
		{ "a;b", "b ; a", 9, "a;b;", 1, MERGE_NO_CHANGE, W_SF },
	};

	RUN("{hubspot: p, salesforce: F, rule: two_way, transform: {type: number}}", numbers);
	RUN("{hubspot: p, salesforce: F, rule: two_way, transform: {type: datetime}}", datetimes);
	RUN("{hubspot: p, salesforce: F, rule: two_way, transform: {type: boolean}}", bools);
	RUN("{hubspot: p, salesforce: F, rule: two_way, transform: {type: multiselect}}", multi);
}

/* A lossy value map (two Salesforce stages onto one HubSpot stage) must not
 * write the same value back and forth. */
static void test_lossy_value_map(void **state)
{
	static const struct row rows[] = {
		/* SF moved to a stage HubSpot only knows as "qual": HS gets "qual" */
		{ "Prospecting", "pro", 1, "Needs Analysis", 9, MERGE_WRITE_TO_HS, W_SF },
		/* next cycle: HS holds "qual", SF "Needs Analysis", base "Needs Analysis" */
		{ "Needs Analysis", "qual", 1, "Needs Analysis", 9, MERGE_NO_CHANGE, W_SF },
		{ "Qualification", "qual", 1, "Needs Analysis", 9, MERGE_NO_CHANGE, W_SF },
		/* a real HubSpot change is still seen */
		{ "Needs Analysis", "pro", 9, "Needs Analysis", 1, MERGE_WRITE_TO_SF, W_HS },
		/* an unmapped value passes through as is */
		{ "Prospecting", "other", 9, "Prospecting", 1, MERGE_WRITE_TO_SF, W_HS },
		{ "other", "other", 9, "other", 1, MERGE_NO_CHANGE, W_SF },
	};

	RUN("{hubspot: p, salesforce: F, rule: two_way, transform: {values: {pro: Prospecting, "
	    "qual: Qualification}, reverse: {\"Needs Analysis\": qual}}}", rows);
}

static void test_datetime_onto_date(void **state)
{
	static const struct row rows[] = {
		/* same day: no change, whatever the time of day */
		{ "2024-01-31", "1706704496000", 9, "2024-01-31", 1, MERGE_NO_CHANGE, W_SF },
		{ "2024-01-31", "2024-02-01T08:00:00Z", 9, "2024-01-31", 1, MERGE_WRITE_TO_SF, W_HS },
		{ "2024-01-31", "1706704496000", 1, "2024-02-02", 9, MERGE_WRITE_TO_HS, W_SF },
	};

	RUN("{hubspot: p, salesforce: F, rule: two_way, transform: {type: datetime_to_date}}", rows);
}

typedef int (*write_fn)(const struct mapping_field *f, const char *in, char **out);

static void conv(const char *entry, write_fn fn, const char *in, int want_err, const char *want)
{
	struct mapping *m = one(entry);
	char *out = NULL;
	int r = fn(&m->fields[0], in, &out);

	if (r != want_err)
		fail_msg("%s: '%s' gave %d, want %d", entry, in ? in : "NULL", r, want_err);
	if (want)
		assert_string_equal(out, want);
	else
		assert_null(out);
	free(out);
	mapping_free(m);
}

static void test_write_conversions(void **state)
{
	const char *stage = "{hubspot: p, salesforce: F, transform: {values: {closedwon: "
			    "Closed Won, won: Closed Won}, reverse: {Closed Won: closedwon}}}";

	conv(stage, mapping_value_to_sf, "won", 0, "Closed Won");
	conv(stage, mapping_value_to_sf, "closedwon", 0, "Closed Won");
	conv(stage, mapping_value_to_hs, "Closed Won", 0, "closedwon");
	conv(stage, mapping_value_to_hs, "Other", 0, "Other");
	conv(stage, mapping_value_to_sf, NULL, 0, "");
	conv(stage, mapping_value_to_sf, "", 0, "");
	conv("{hubspot: p, salesforce: F, transform: {type: date}}", mapping_value_to_sf,
	     "1706659200000", 0, "2024-01-31");
	conv("{hubspot: p, salesforce: F, transform: {type: date}}", mapping_value_to_sf,
	     "1706704496000", -EINVAL, NULL);
	conv("{hubspot: p, salesforce: F, transform: {type: datetime}}", mapping_value_to_hs,
	     "2024-01-31T12:34:56.000+0000", 0, "2024-01-31T12:34:56.000Z");
	conv("{hubspot: p, salesforce: F, transform: {type: boolean}}", mapping_value_to_sf,
	     "Yes", 0, "true");
	conv("{hubspot: p, salesforce: F, transform: {type: multiselect, values: {a: A}}}",
	     mapping_value_to_sf, "b;a", 0, "A;b");
	conv("{hubspot: p, salesforce: F, transform: {type: multiselect, values: {a: A}}}",
	     mapping_value_to_hs, "A;b", 0, "a;b");
	/* max_length: flagged, never truncated; counted in code points */
	conv("{hubspot: p, salesforce: F, transform: {max_length: 3}}", mapping_value_to_sf,
	     "abcd", -EMSGSIZE, NULL);
	conv("{hubspot: p, salesforce: F, transform: {max_length: 3}}", mapping_value_to_sf,
	     "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 0, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	conv("{hubspot: p, salesforce: F, transform: {max_length: 3}}", mapping_value_to_hs,
	     "abcd", 0, "abcd");
}

static void test_canonical(void **state)
{
	struct mapping *m = one("{hubspot: p, salesforce: F, transform: {type: number}}");
	char *out = NULL;

	assert_int_equal(mapping_canonical(&m->fields[0], 1, "1.50", &out), 0);
	assert_string_equal(out, "1.5");
	free(out);
	assert_int_equal(mapping_canonical(&m->fields[0], 0, NULL, &out), 0);
	assert_string_equal(out, "");
	free(out);
	out = NULL;
	assert_int_equal(mapping_canonical(&m->fields[0], 0, "one", &out), -EINVAL);
	assert_null(out);
	mapping_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_values),
		cmocka_unit_test(test_rule_none),
		cmocka_unit_test(test_prefer_sf_unless_blank),
		cmocka_unit_test(test_always_salesforce),
		cmocka_unit_test(test_hubspot_to_salesforce),
		cmocka_unit_test(test_two_way),
		cmocka_unit_test(test_echo_suppression_normalised),
		cmocka_unit_test(test_lossy_value_map),
		cmocka_unit_test(test_datetime_onto_date),
		cmocka_unit_test(test_write_conversions),
		cmocka_unit_test(test_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
