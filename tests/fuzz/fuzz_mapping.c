/*
 * fuzz_mapping.c - libFuzzer target for the field-mapping parser
 * (mapping_parse_buffer) and the value transforms. Besides "no crash, no
 * leak, no undefined behaviour" it checks the contracts: a result or
 * errors, never both; every message starts with the file name; the
 * conversions are idempotent and leave no output on refusal; the merge of
 * two equal values never writes.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "transform.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.yaml"

static void require(int cond)
{
	if (!cond)
		abort();
}

typedef int (*conv_fn)(const char *in, char **out);

/* Converting an accepted value again must give the same string. */
static void idempotent(conv_fn fn, const char *in)
{
	static char sentinel[] = "untouched";
	char *a = sentinel, *b = NULL;
	int r = fn(in, &a);

	if (r) {
		require(r == -EINVAL && a == sentinel);
		return;
	}
	require(a != NULL);
	require(fn(a, &b) == 0);
	require(!strcmp(a, b));
	free(a);
	free(b);
}

static int multi_plain(const char *in, char **out)
{
	return transform_multi(in, NULL, NULL, out);
}

static int date_roundtrip(const char *in, char **out)
{
	return transform_datetime_to_date(in, out);
}

static void transforms(const char *s)
{
	int64_t ms;
	char *sf = NULL, *hs = NULL;

	idempotent(transform_number, s);
	idempotent(transform_bool, s);
	idempotent(transform_date, s);
	idempotent(transform_datetime_to_sf, s);
	idempotent(transform_datetime_to_hs, s);
	idempotent(date_roundtrip, s);
	idempotent(multi_plain, s);
	/* SF and HS datetime forms name the same instant */
	if (transform_datetime_to_sf(s, &sf) == 0) {
		int64_t a, b;

		require(transform_datetime_to_hs(sf, &hs) == 0);
		require(transform_parse_datetime(sf, &a) == 0);
		require(transform_parse_datetime(hs, &b) == 0);
		require(transform_parse_datetime(s, &ms) == 0);
		require(a == b && a == ms);
		free(sf);
		free(hs);
	}
}

static void exercise(const struct mapping *m, const char *s)
{
	static const char *const samples[] = { NULL, "", "a", "1234.50", "true",
					       "2024-01-31", "1706704496000",
					       "2024-01-31T12:34:56.000+0000", "a;b" };
	struct field_meta *sf = xcalloc(m->n_fields + 1, sizeof(*sf));
	struct field_meta *hsm = xcalloc(m->n_fields + 1, sizeof(*hsm));
	struct mapping_problems probs = { 0 };
	struct errlist errs = { 0 };

	for (size_t i = 0; i < m->n_fields; i++) {
		const struct mapping_field *f = &m->fields[i];

		/* metadata that names every field, with types varying by index */
		static const char *const sft[] = { "string", "double", "date", "datetime",
						   "boolean", "multipicklist", "reference",
						   "picklist" };
		static const char *const hst[] = { "string", "number", "date", "datetime",
						   "bool", "enumeration" };
		sf[i] = (struct field_meta){ f->salesforce, sft[i % ARRAY_SIZE(sft)], 1,
					     (int)(i % 3 != 0), 1, (int)(i % 50), NULL,
					     (int)(i & 1), NULL };
		hsm[i] = (struct field_meta){ f->hubspot, hst[i % ARRAY_SIZE(hst)], 1, 1, 1, 0,
					      NULL, 0, NULL };

		for (size_t a = 0; a < ARRAY_SIZE(samples) + 1; a++) {
			const char *x = a < ARRAY_SIZE(samples) ? samples[a] : s;
			const char *w = NULL;
			char *out = NULL;
			int r;

			r = mapping_value_to_sf(f, x, &out);
			require(r == 0 ? out != NULL : out == NULL);
			free(out);
			out = NULL;
			r = mapping_value_to_hs(f, x, &out);
			require(r == 0 ? out != NULL : out == NULL);
			free(out);
			out = NULL;
			if (mapping_canonical(f, 0, x, &out) == 0) {
				/* the canonical form is a fixed point */
				char *again = NULL;

				require(mapping_canonical(f, 0, out, &again) == 0);
				require(!strcmp(out, again));
				free(again);
				free(out);
				out = NULL;
			}
			/* a Salesforce value and its HubSpot form never write */
			if (mapping_value_to_hs(f, x, &out) == 0) {
				r = mapping_merge(f, NULL, out, 2, x, 1, &w);
				require(r == MERGE_NO_CHANGE || r == MERGE_KEEP);
				free(out);
			}
			for (size_t b = 0; b < ARRAY_SIZE(samples); b++) {
				r = mapping_merge(f, b & 1 ? NULL : samples[b], x, (int64_t)a,
						  samples[b], (int64_t)b, &w);
				require(merge_result_name((enum merge_result)r)[0] != '?');
			}
		}
	}
	mapping_check(m, sf, m->n_fields, "Lead", hsm, m->n_fields, &probs);
	mapping_problems_to_errlist(&probs, &errs);
	require(errs.total == probs.n);
	mapping_problems_release(&probs);
	errlist_release(&errs);
	free(sf);
	free(hsm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs = { .cap = 50 };
	struct mapping *m = (struct mapping *)&errs; /* must be reset */
	char s[TRANSFORM_MAX_SCALAR + 8];
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	int r;

	r = mapping_parse_buffer(NAME, (const char *)data, size, &m, &errs);
	require(r == 0 ? m != NULL && errs.total == 0 : m == NULL && errs.total > 0);
	for (size_t i = 0; i < errs.n; i++)
		require(!strncmp(errs.msg[i], NAME ":", strlen(NAME) + 1));

	/* the first bytes, as one value */
	memcpy(s, data, n);
	s[n] = '\0';
	transforms(s);
	if (m) {
		exercise(m, s);
		mapping_free(m);
	}
	errlist_release(&errs);
	return 0;
}
