/*
 * test_mapping_parse.c - mapping files written to a private temporary
 * directory and loaded with mapping_load(): what a good file yields, every
 * error with its FILE:LINE:COL and how to fix it, all errors of a file at
 * once, hostile input (alias bombs, huge files, deep nesting, NUL bytes,
 * invalid UTF-8, tabs), and the shipped etc/mappings files.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mapping.h"
#include "testutil.h"

#ifndef MAPPINGS_DIR
#error "MAPPINGS_DIR must name etc/mappings of the source tree"
#endif

struct fx {
	char *dir;
	char *path;       /* the last file written */
	struct errlist errs;
	struct mapping *m;
};

static struct fx *F;

static int setup(void **state)
{
	F = xcalloc(1, sizeof(*F));
	F->dir = tu_mkdtemp();
	*state = F;
	return 0;
}

static int teardown(void **state)
{
	mapping_free(F->m);
	errlist_release(&F->errs);
	tu_rmrf(F->dir);
	free(F->dir);
	free(F->path);
	free(F);
	return 0;
}

/* Write `len` bytes as DIR/m.yaml and load it. */
static int load_bytes(const char *buf, size_t len)
{
	FILE *fp;

	free(F->path);
	F->path = xasprintf("%s/m.yaml", F->dir);
	fp = fopen(F->path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(buf, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	mapping_free(F->m);
	F->m = NULL;
	errlist_release(&F->errs);
	return mapping_load(F->path, &F->m, &F->errs);
}

static int load(const char *text)
{
	return load_bytes(text, strlen(text));
}

/* Load text expecting a refusal that contains "m.yaml:WHERE: " and needle. */
static void refused(const char *text, const char *where, const char *needle)
{
	char *loc = xasprintf("m.yaml:%s: ", where);
	int r = load(text);

	if (r != -EINVAL) {
		tu_errs_dump(&F->errs);
		fail_msg("expected -EINVAL, got %d for:\n%s", r, text);
	}
	assert_null(F->m);
	assert_err(&F->errs, loc, needle);
	free(loc);
}

#define HEAD "object: contact\nfields:\n"

static void test_good_file(void **state)
{
	const struct mapping_field *f;

	assert_int_equal(load("# comment\n" HEAD
			      "  - hubspot: email\n"
			      "    salesforce: Email\n"
			      "    rule: two_way\n"
			      "  - hubspot: hs_lead_status\n"
			      "    salesforce: Status\n"
			      "    objects: [Lead]\n"
			      "    rule: always_salesforce\n"
			      "    backfill: yes\n"
			      "    transform:\n"
			      "      values: {NEW: Open - Not Contacted, OPEN: Working - Contacted}\n"
			      "      max_length: 40\n"
			      "  - hubspot: state\n"
			      "    salesforce: State\n"
			      "    objects:\n"
			      "      - Lead\n"
			      "      - Contact\n"
			      "    transform: {state_country: yes}\n"
			      "  - {hubspot: createdate, salesforce: Created__c, rule: none, "
			      "transform: {type: datetime}}\n"),
			 0);
	assert_no_errs(&F->errs);
	assert_non_null(F->m);
	assert_string_equal(F->m->object, "contact");
	assert_int_equal(F->m->n_fields, 4);
	f = &F->m->fields[0];
	assert_string_equal(f->hubspot, "email");
	assert_string_equal(f->salesforce, "Email");
	assert_int_equal(f->rule, MAPPING_TWO_WAY);
	assert_int_equal(f->n_objects, 0);
	assert_int_equal(f->line, 4);
	assert_int_equal(f->col, 5);
	assert_true(mapping_field_applies(f, "Lead"));
	f = &F->m->fields[1];
	assert_int_equal(f->rule, MAPPING_ALWAYS_SF);
	assert_int_equal(f->n_objects, 1);
	assert_string_equal(f->objects[0], "Lead");
	assert_true(mapping_field_applies(f, "Lead"));
	assert_false(mapping_field_applies(f, "Contact"));
	assert_int_equal(f->backfill, 1);
	assert_int_equal(f->n_values, 2);
	assert_string_equal(f->values[0].hs, "NEW");
	assert_string_equal(f->values[0].sf, "Open - Not Contacted");
	assert_int_equal(f->max_length, 40);
	f = &F->m->fields[2];
	assert_int_equal(f->rule, MAPPING_PREFER_SF_UNLESS_BLANK);
	assert_int_equal(f->n_objects, 2);
	assert_int_equal(f->state_country, 1);
	assert_int_equal(f->backfill, 0);
	f = &F->m->fields[3];
	assert_int_equal(f->rule, MAPPING_NONE);
	assert_int_equal(f->type, MAPPING_TYPE_DATETIME);
}

static void test_shipped_mappings_load(void **state)
{
	static const char *const names[] = { "contact.yaml", "company.yaml", "deal.yaml",
					     "activity.yaml", "activity-calls.yaml",
					     "activity-emails.yaml", "activity-meetings.yaml",
					     "activity-notes.yaml", "activity-forms.yaml" };
	static const char *const objects[] = { "contact", "company", "deal", "activity",
					       "activity", "activity", "activity", "activity",
					       "activity" };
	/* fields at least: a note has a body, a subject and a time; a form
	 * submission its values and its time (the subject is the plugin's) */
	static const size_t min_fields[] = { 5, 5, 5, 5, 3, 3, 3, 3, 2 };
	DIR *d = opendir(MAPPINGS_DIR);
	struct dirent *de;
	int seen = 0;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *p = xasprintf("%s/%s", MAPPINGS_DIR, names[i]);
		struct errlist errs = { 0 };
		struct mapping *m = NULL;

		if (mapping_load(p, &m, &errs)) {
			tu_errs_dump(&errs);
			fail_msg("%s does not load", p);
		}
		assert_string_equal(m->object, objects[i]);
		assert_true(m->n_fields >= min_fields[i]);
		/* every shipped owner mapping is two-way */
		for (size_t j = 0; j < m->n_fields; j++) {
			if (mapping_field_is_owner(&m->fields[j]))
				assert_int_equal(m->fields[j].rule, MAPPING_TWO_WAY);
		}
		mapping_free(m);
		errlist_release(&errs);
		free(p);
	}
	/* and nothing else in the folder is left untested */
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (str_has_suffix(de->d_name, ".yaml")) {
			size_t i;

			for (i = 0; i < ARRAY_SIZE(names); i++) {
				if (!strcmp(de->d_name, names[i]))
					break;
			}
			if (i == ARRAY_SIZE(names))
				fail_msg("%s/%s is not covered by this test", MAPPINGS_DIR, de->d_name);
			seen++;
		}
	}
	closedir(d);
	assert_int_equal(seen, ARRAY_SIZE(names));
}

static void test_contact_defaults_kept(void **state)
{
	char *p = xasprintf("%s/contact.yaml", MAPPINGS_DIR);
	struct errlist errs = { 0 };
	struct mapping *m = NULL;
	int email = 0, owner = 0, lead_status = 0;

	assert_int_equal(mapping_load(p, &m, &errs), 0);
	for (size_t i = 0; i < m->n_fields; i++) {
		const struct mapping_field *f = &m->fields[i];

		if (!strcmp(f->hubspot, "email") && !strcmp(f->salesforce, "Email"))
			email = f->rule == MAPPING_TWO_WAY;
		if (!strcmp(f->hubspot, "hubspot_owner_id"))
			owner = f->rule == MAPPING_TWO_WAY && !strcmp(f->salesforce, "OwnerId");
		if (!strcmp(f->hubspot, "hs_lead_status"))
			lead_status = f->rule == MAPPING_ALWAYS_SF && f->n_objects == 1 &&
				      !strcmp(f->objects[0], "Lead");
	}
	assert_true(email && owner && lead_status);
	mapping_free(m);
	errlist_release(&errs);
	free(p);
}

static void test_structure_errors(void **state)
{
	refused("", "1:1", "the file is empty");
	refused("# only a comment\n", "1:1", "the file is empty");
	refused("- a\n- b\n", "1:1", "must be a mapping with 'object:' and 'fields:', not a list");
	refused("fields: []\n", "1:1", "no 'object:'");
	refused("object: contact\n", "1:1", "no 'fields:'");
	refused("object: contact\nfields: email\n", "2:9", "fields must be a list");
	refused("object: Contact Object\nfields: []\n", "1:9", "not a valid object name");
	refused("object:\nfields: []\n", "1:8", "object is empty");
	refused("object: contact\nfields: []\nextra: 1\n", "3:1",
		"unknown key 'extra' in the mapping file (expected one of: object, fields)");
	refused("object: contact\nobject: company\nfields: []\n", "2:1",
		"duplicate key 'object' in the mapping file (first at 1:1)");
	refused(HEAD "  - email\n", "3:5", "a field entry must be a mapping");
	refused(HEAD "  - salesforce: Email\n", "3:5", "no 'hubspot:'");
	refused(HEAD "  - hubspot: email\n", "3:5", "no 'salesforce:'");
	refused("object: contact\nfields:\n- hubspot: email\n  salesforce: Email\n---\n"
		"object: company\nfields: []\n", "5:1", "a second YAML document");
}

static void test_entry_errors(void **state)
{
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    rul: two_way\n", "5:5",
		"unknown key 'rul' in a field entry (expected one of: hubspot, salesforce, rule");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    rule: twoway\n", "5:11",
		"unknown rule 'twoway' (expected prefer_salesforce_unless_blank");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    rule: [two_way]\n", "5:11",
		"rule must be a single value, not a list");
	refused(HEAD "  - hubspot: ''\n    salesforce: Email\n", "3:14", "hubspot is empty");
	refused(HEAD "  - hubspot:\n    salesforce: Email\n", "3:13", "hubspot is empty");
	refused(HEAD "  - hubspot: email\n    salesforce: ~\n", "4:17", "salesforce is empty");
	refused(HEAD "  - hubspot: first name\n    salesforce: FirstName\n", "3:14",
		"hubspot 'first name' is not a valid name");
	refused(HEAD "  - hubspot: email\n    salesforce: 1Email\n", "4:17",
		"salesforce '1Email' is not a valid name");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    objects: Lead\n", "5:14",
		"objects must be a list of Salesforce objects (for example 'objects: [Lead]')");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    objects: []\n", "5:14",
		"objects is empty");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    objects: [Lead, Lead]\n",
		"5:21", "object 'Lead' is listed twice");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    backfill: maybe\n", "5:15",
		"backfill must be yes or no, not 'maybe'");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    backfill: 'yes'\n", "5:15",
		"backfill must be yes or no");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    salesforce: Email2\n", "5:5",
		"duplicate key 'salesforce' in a field entry (first at 4:5)");
}

static void test_transform_errors(void **state)
{
#define E HEAD "  - hubspot: p\n    salesforce: F\n    transform: "
	refused(E "date\n", "5:16", "transform must be a mapping");
	refused(E "{type: dat}\n", "5:23", "unknown type 'dat'");
	refused(E "{kind: date}\n", "5:17", "unknown key 'kind' in transform");
	refused(E "{max_length: 0}\n", "5:29", "max_length must be a whole number from 1");
	refused(E "{max_length: ten}\n", "5:29", "max_length must be a whole number");
	refused(E "{max_length: 99999999999}\n", "5:29", "max_length must be a whole number");
	refused(E "{state_country: sure}\n", "5:32", "state_country must be yes or no");
	refused(E "{values: [a, b]}\n", "5:25", "values must be a mapping of value: value pairs");
	refused(E "{values: {a: }}\n", "5:29", "a picklist value is empty");
	refused(E "{values: {a: X, a: Y}}\n", "5:32", "value 'a' is mapped twice in values");
	refused(E "{type: number, values: {a: X}}\n", "5:39",
		"values (a picklist value map) applies to string and multiselect fields");
	refused(E "{type: multiselect, values: {a: 'X;Y'}}\n", "5:48",
		"a multiselect value cannot contain ';'");
#undef E
}

static void test_value_map_inversion(void **state)
{
	const char *ambiguous = HEAD "  - hubspot: stage\n    salesforce: StageName\n    rule: two_way\n"
				"    transform:\n      values: {won: Closed Won, closedwon: Closed Won}\n";

	refused(ambiguous, "3:5", "hubspot values 'won' and 'closedwon' both map to salesforce "
				  "'Closed Won', so rule two_way cannot tell which one to write back");
	assert_err(&F->errs, "add 'reverse: {\"Closed Won\": won}' to choose");
	/* the default rule writes to HubSpot too */
	refused(HEAD "  - hubspot: s\n    salesforce: S\n    transform: {values: {a: X, b: X}}\n",
		"3:5", "rule prefer_salesforce_unless_blank cannot tell");
	/* reverse decides; a one-way rule needs no inversion */
	assert_int_equal(load(HEAD "  - hubspot: s\n    salesforce: S\n    rule: two_way\n"
				   "    transform: {values: {a: X, b: X}, reverse: {X: b}}\n"), 0);
	assert_int_equal(F->m->fields[0].n_reverse, 1);
	assert_string_equal(F->m->fields[0].reverse[0].sf, "X");
	assert_string_equal(F->m->fields[0].reverse[0].hs, "b");
	assert_int_equal(load(HEAD "  - hubspot: s\n    salesforce: S\n    rule: hubspot_to_salesforce\n"
				   "    transform: {values: {a: X, b: X}}\n"), 0);
}

static void test_owner_rule(void **state)
{
	refused(HEAD "  - hubspot: hubspot_owner_id\n    salesforce: OwnerId\n", "3:5",
		"the owner mapping (hubspot_owner_id <-> OwnerId) can only be two_way, not "
		"prefer_salesforce_unless_blank (write 'rule: two_way')");
	refused(HEAD "  - hubspot: hubspot_owner_id\n    salesforce: OwnerId\n    rule: none\n",
		"3:5", "can only be two_way, not none");
	refused(HEAD "  - hubspot: owner\n    salesforce: OwnerId\n    rule: two_way\n", "3:5",
		"the owner pairs hubspot 'hubspot_owner_id' with salesforce 'OwnerId' only");
	assert_int_equal(load(HEAD "  - hubspot: hubspot_owner_id\n    salesforce: OwnerId\n"
				   "    rule: two_way\n"), 0);
}

static void test_duplicates(void **state)
{
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n"
		     "  - hubspot: email\n    salesforce: Email2__c\n    objects: [Lead]\n",
		"5:5", "hubspot 'email' is mapped twice for the same Salesforce object (first at 3:5)");
	refused(HEAD "  - hubspot: city\n    salesforce: City\n    objects: [Lead, Contact]\n"
		     "  - hubspot: city\n    salesforce: MailingCity\n    objects: [Contact]\n",
		"6:5", "hubspot 'city' is mapped twice");
	refused(HEAD "  - hubspot: phone\n    salesforce: Phone\n"
		     "  - hubspot: mobilephone\n    salesforce: Phone\n",
		"5:5", "salesforce 'Phone' is written from both hubspot 'phone' (3:5) and hubspot "
		       "'mobilephone'");
	/* disjoint objects, or a second entry that never writes Salesforce: fine */
	assert_int_equal(load(HEAD "  - hubspot: city\n    salesforce: City\n    objects: [Lead]\n"
				   "  - hubspot: city\n    salesforce: MailingCity\n    objects: [Contact]\n"
				   "  - hubspot: phone2\n    salesforce: City\n    objects: [Lead]\n"
				   "    rule: always_salesforce\n"), 0);
}

static void test_all_errors_at_once(void **state)
{
	assert_int_equal(load("object: contact\nfields:\n"
			      "  - hubspot: email\n    salesforce: Email\n    rul: two_way\n"
			      "  - hubspot: hubspot_owner_id\n    salesforce: OwnerId\n"
			      "  - hubspot: x\n    salesforce: ''\n"
			      "  - hubspot: y\n    salesforce: Y\n    transform: {type: nope}\n"),
			 -EINVAL);
	assert_err(&F->errs, "m.yaml:5:5: ", "unknown key 'rul'");
	assert_err(&F->errs, "m.yaml:6:5: ", "can only be two_way");
	assert_err(&F->errs, "m.yaml:9:17: ", "salesforce is empty");
	assert_err(&F->errs, "m.yaml:12:23: ", "unknown type 'nope'");
	assert_int_equal(F->errs.total, 4);
	/* every message starts with the path */
	for (size_t i = 0; i < F->errs.n; i++)
		assert_int_equal(strncmp(F->errs.msg[i], F->path, strlen(F->path)), 0);
}

static void test_syntax_errors(void **state)
{
	refused(HEAD "  - hubspot: email\n    salesforce: \"Email\n", "5:1",
		"found unexpected end of stream, while scanning a quoted scalar at 4:17 "
		"(a quote is not closed)");
	refused(HEAD "  - hubspot: email\n   salesforce: Email\n", "4:4",
		"did not find expected '-' indicator");
	assert_err(&F->errs, "check the indentation of this line and the one above");
	refused(HEAD "  - hubspot: email\n    salesforce: Email: x\n", "4:22",
		"quote a value that contains ': '");
	refused(HEAD "  - hubspot: email\n\tsalesforce: Email\n", "4:1",
		"YAML cannot indent with tabs: use spaces");
	refused(HEAD "  - {hubspot: email, salesforce: Email\n", "4:1",
		"did not find expected ',' or '}', while parsing a flow mapping at 3:5 "
		"(a '{' or '[' is not closed)");
}

static void test_aliases_and_anchors(void **state)
{
	refused(HEAD "  - hubspot: &h email\n    salesforce: Email\n", "3:14",
		"anchor '&h' is not allowed in a mapping file");
	refused(HEAD "  - hubspot: email\n    salesforce: Email\n    rule: &r two_way\n"
		     "  - hubspot: phone\n    salesforce: Phone\n    rule: *r\n", "8:11",
		"alias '*r' is not allowed");
	refused(HEAD "  - hubspot: !!binary ZW1haWw=\n    salesforce: Email\n", "3:14",
		"tag 'tag:yaml.org,2002:binary' is not allowed");
	/* !!str is allowed: it makes a string, as quoting does */
	assert_int_equal(load(HEAD "  - hubspot: !!str email\n    salesforce: Email\n"), 0);
}

static void test_billion_laughs(void **state)
{
	struct strbuf sb = { 0 };

	strbuf_addstr(&sb, "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
	for (char c = 'b'; c <= 'j'; c++)
		strbuf_addf(&sb, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", c, c, c - 1, c - 1,
			    c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
	strbuf_addstr(&sb, "object: contact\nfields: *j\n");
	assert_int_equal(load(sb.buf), -EINVAL);
	assert_err(&F->errs, "m.yaml:1:4: ", "anchor '&a' is not allowed");
	assert_err(&F->errs, "m.yaml:2:8: ", "alias '*a' is not allowed");
	assert_err(&F->errs, "m.yaml:12:9: ", "alias '*j' is not allowed");
	assert_null(F->m);
	strbuf_release(&sb);
}

static void test_huge_file(void **state)
{
	size_t n = MAPPING_MAX_FILE + 1;
	char *buf = xmalloc(n);
	struct errlist errs = { 0 };
	struct mapping dummy = { 0 };
	struct mapping *m = &dummy; /* must be reset to NULL */

	memset(buf, '#', n);
	buf[n - 1] = '\n';
	assert_int_equal(load_bytes(buf, n), -EFBIG);
	assert_null(F->m);
	assert_err(&F->errs, "m.yaml: ", "larger than the 1048576-byte limit");
	/* the buffer entry point refuses it too */
	assert_int_equal(mapping_parse_buffer("buf.yaml", buf, n, &m, &errs), -EFBIG);
	assert_null(m);
	assert_err(&errs, "buf.yaml: ", "larger than the 1048576-byte limit");
	errlist_release(&errs);
	/* exactly at the limit is read (and found empty) */
	assert_int_equal(load_bytes(buf, n - 1), -EINVAL);
	assert_err(&F->errs, "m.yaml:1:1: ", "the file is empty");
	free(buf);
}

static void test_deep_nesting(void **state)
{
	size_t depth = 10000;
	struct strbuf sb = { 0 };

	/* flow style */
	strbuf_addstr(&sb, "object: contact\nfields: ");
	for (size_t i = 0; i < depth; i++)
		strbuf_addstr(&sb, "[");
	for (size_t i = 0; i < depth; i++)
		strbuf_addstr(&sb, "]");
	strbuf_addstr(&sb, "\n");
	assert_int_equal(load(sb.buf), -EINVAL);
	assert_err(&F->errs, "nesting deeper than 16 levels");
	strbuf_release(&sb);
	/* block style */
	strbuf_addstr(&sb, "object: contact\nfields:\n");
	for (size_t i = 0; i < depth; i++) {
		for (size_t j = 0; j < i; j++)
			strbuf_addstr(&sb, " ");
		strbuf_addstr(&sb, "- \n");
		if (sb.len > MAPPING_MAX_FILE / 2)
			break;
	}
	assert_int_equal(load(sb.buf), -EINVAL);
	assert_err(&F->errs, "nesting deeper than 16 levels");
	strbuf_release(&sb);
}

static void test_too_many_nodes(void **state)
{
	struct strbuf sb = { 0 };

	strbuf_addstr(&sb, "object: contact\nfields: [");
	for (int i = 0; i <= MAPPING_MAX_NODES; i++)
		strbuf_addstr(&sb, "1,");
	strbuf_addstr(&sb, "1]\n");
	assert_true(sb.len < MAPPING_MAX_FILE);
	assert_int_equal(load(sb.buf), -EINVAL);
	assert_err(&F->errs, "more than 100000 values in one file");
	strbuf_release(&sb);
}

static void test_nul_bytes(void **state)
{
	static const char file[] = "object: contact\nfields:\n  - hubspot: em\0ail\n";

	assert_int_equal(load_bytes(file, sizeof(file) - 1), -EINVAL);
	assert_err(&F->errs, "m.yaml:3:16: ", "the file holds a NUL byte");
	/* an escaped NUL inside a double-quoted value */
	refused(HEAD "  - hubspot: \"em\\0ail\"\n    salesforce: Email\n", "3:14",
		"a value holds a NUL character");
}

static void test_invalid_utf8(void **state)
{
	refused(HEAD "  - hubspot: caf\xe9\n    salesforce: Email\n", "3:17",
		"invalid UTF-8 (byte 0xe9): save the file as UTF-8");
	/* the column counts characters: two 3-byte characters before */
	refused(HEAD "  - hubspot: \xe6\x97\xa5\xe6\x9c\xac\xc0\xaf\n", "3:16",
		"invalid UTF-8 (byte 0xc0)");
	refused(HEAD "  - hubspot: \xed\xa0\x80\n", "3:14", "invalid UTF-8 (byte 0xed)"); /* surrogate */
	refused(HEAD "  - hubspot: \xf4\x90\x80\x80\n", "3:14", "invalid UTF-8");          /* > U+10FFFF */
	refused(HEAD "  - hubspot: \xe6\x97\n", "3:14", "invalid UTF-8");                   /* truncated */
	refused("\xff\xfeo\0b\0", "1:1", "invalid UTF-8 (byte 0xff)");                      /* UTF-16 BOM */
	/* a UTF-8 BOM and non-ASCII values are fine */
	assert_int_equal(load("\xef\xbb\xbf" HEAD "  - hubspot: p\n    salesforce: F\n"
			      "    transform: {values: {\xe6\x97\xa5\xe6\x9c\xac: JP}}\n"), 0);
	assert_string_equal(F->m->fields[0].values[0].hs, "\xe6\x97\xa5\xe6\x9c\xac");
	/* positions after a BOM are those an editor shows */
	refused("\xef\xbb\xbfobject: contact\nfields:\n\t- hubspot: p\n", "3:1",
		"YAML cannot indent with tabs");
	refused("\xef\xbb\xbf\tobject: contact\n", "1:1", "YAML cannot indent with tabs");
}

static void test_control_characters(void **state)
{
	refused(HEAD "  - hubspot: a\x01" "b\n", "3:15", "control characters are not allowed");
}

static void test_unreadable(void **state)
{
	char *p = xasprintf("%s/missing.yaml", F->dir);

	assert_int_equal(mapping_load(p, &F->m, &F->errs), -ENOENT);
	assert_null(F->m);
	assert_err(&F->errs, "missing.yaml: cannot read the mapping file: ");
	free(p);
	assert_int_equal(mapping_load(F->dir, &F->m, &F->errs), -EISDIR);
}

static void test_names(void **state)
{
	assert_string_equal(mapping_rule_name(MAPPING_PREFER_SF_UNLESS_BLANK),
			    "prefer_salesforce_unless_blank");
	assert_string_equal(mapping_rule_name(MAPPING_HS_TO_SF), "hubspot_to_salesforce");
	assert_string_equal(mapping_type_name(MAPPING_TYPE_DATETIME_TO_DATE), "datetime_to_date");
	assert_true(mapping_rule_writes_sf(MAPPING_TWO_WAY));
	assert_false(mapping_rule_writes_sf(MAPPING_ALWAYS_SF));
	assert_true(mapping_rule_writes_hs(MAPPING_ALWAYS_SF));
	assert_false(mapping_rule_writes_hs(MAPPING_HS_TO_SF));
	assert_false(mapping_rule_writes_hs(MAPPING_NONE));
	assert_string_equal(merge_result_name(MERGE_CONFLICT_TO_HS), "conflict_to_hubspot");
}

int main(void)
{
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_good_file),
		T(test_shipped_mappings_load),
		T(test_contact_defaults_kept),
		T(test_structure_errors),
		T(test_entry_errors),
		T(test_transform_errors),
		T(test_value_map_inversion),
		T(test_owner_rule),
		T(test_duplicates),
		T(test_all_errors_at_once),
		T(test_syntax_errors),
		T(test_aliases_and_anchors),
		T(test_billion_laughs),
		T(test_huge_file),
		T(test_deep_nesting),
		T(test_too_many_nodes),
		T(test_nul_bytes),
		T(test_invalid_utf8),
		T(test_control_characters),
		T(test_unreadable),
		T(test_names),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
