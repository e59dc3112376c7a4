/*
 * mapping_merge.c - per-field value conversion (type, picklist value map,
 * max_length) and the 3-way merge rule the engine applies to each mapped
 * field of a record pair. Pure functions: nothing here reads the store or
 * the network, and nothing allocated survives a call except the returned
 * strings.
 *
 * The merge truth table (also in docs/mappings.md). Notation: values are
 * compared after normalisation (mapping_canonical and its HubSpot-side
 * twin), so "1234.50" equals "1234.5" and "a;b" equals "b;a".
 *   same   hs and sf are equivalent            -> NO_CHANGE (any rule but none)
 *   H / S  hs / sf differs from base (changed; with no base both count as changed)
 *   blank  NULL or ""
 *
 *   rule                  base  case (values differ)          result
 *   none                  any   any (also when same)          KEEP
 *   prefer_sf_unless_blank any  sf not blank                  WRITE_TO_HS (CONFLICT_TO_HS if H and S with a base)
 *                         any   sf blank                      WRITE_TO_SF (CONFLICT_TO_SF if H and S with a base)
 *   always_salesforce     set   any                           WRITE_TO_HS, sf even blank (CONFLICT_TO_HS if H and S)
 *                         NULL  sf blank                      KEEP (a first sync never clears)
 *                         NULL  sf not blank                  WRITE_TO_HS
 *   hubspot_to_salesforce set   H                             WRITE_TO_SF, hs even blank (CONFLICT_TO_SF if S too)
 *                         set   not H (only S)                KEEP (Salesforce edits stay; nothing flows back)
 *                         NULL  hs blank                      KEEP
 *                         NULL  hs not blank                  WRITE_TO_SF
 *   two_way               set   H, not S                      WRITE_TO_SF (clearing propagates)
 *                         set   S, not H                      WRITE_TO_HS (clearing propagates)
 *                         set   H and S                       newer side wins: CONFLICT_TO_SF if
 *                                                             hs_modified > sf_modified, else CONFLICT_TO_HS
 *                         NULL  one side blank                the other side is written to it
 *                         NULL  both set                      newer wins (WRITE_TO_SF / WRITE_TO_HS; tie: Salesforce)
 * A value that cannot be read as the field's type gives BAD_HS / BAD_SF
 * (checked HubSpot first) before any of the above, except under rule none.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mapping.h"
#include "transform.h"

static int blank(const char *s)
{
	return !s || !*s;
}

static const char *map_lookup(const struct mapping_value *v, size_t n, int from_hs,
			      const char *item)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(from_hs ? v[i].hs : v[i].sf, item))
			return from_hs ? v[i].sf : v[i].hs;
	}
	return NULL;
}

/* HubSpot value -> Salesforce value through `values`. */
static const char *map_to_sf(void *ctx, const char *item)
{
	const struct mapping_field *f = ctx;

	return map_lookup(f->values, f->n_values, 1, item);
}

/* Salesforce value -> HubSpot value: `reverse` first, then `values`
 * inverted (the first pair wins; the parser refuses ambiguity where the
 * rule writes to HubSpot). */
static const char *map_to_hs(void *ctx, const char *item)
{
	const struct mapping_field *f = ctx;
	const char *r = map_lookup(f->reverse, f->n_reverse, 0, item);

	return r ? r : map_lookup(f->values, f->n_values, 0, item);
}

enum side { TO_SF, TO_HS, NORM_SF, NORM_HS };

/* Convert or normalise one non-blank value. TO_*: type conversion and the
 * value map; NORM_*: type normalisation in the value's own representation,
 * no value map. */
static int convert(const struct mapping_field *f, enum side side, const char *in, char **out)
{
	transform_item_map_fn fn = side == TO_SF ? map_to_sf : side == TO_HS ? map_to_hs : NULL;
	int hs_out = side == TO_HS || side == NORM_HS;

	switch (f->type) {
	case MAPPING_TYPE_NUMBER:
		return transform_number(in, out);
	case MAPPING_TYPE_DATE:
		return transform_date(in, out);
	case MAPPING_TYPE_DATETIME:
		return hs_out ? transform_datetime_to_hs(in, out) : transform_datetime_to_sf(in, out);
	case MAPPING_TYPE_DATETIME_TO_DATE:
		/* HubSpot holds a datetime, Salesforce a date */
		if (side == TO_SF || side == NORM_SF)
			return transform_datetime_to_date(in, out);
		if (side == TO_HS)
			return transform_date_to_datetime(in, out);
		return transform_datetime_to_hs(in, out);
	case MAPPING_TYPE_BOOLEAN:
		return transform_bool(in, out);
	case MAPPING_TYPE_MULTISELECT:
		return transform_multi(in, fn, (void *)f, out);
	case MAPPING_TYPE_STRING:
	default: {
		const char *m = fn ? fn((void *)f, in) : NULL;

		*out = xstrdup(m ? m : in);
		return 0;
	}
	}
}

static int convert_blank(const struct mapping_field *f, enum side side, const char *in,
			 char **out)
{
	if (blank(in)) {
		*out = xstrdup("");
		return 0;
	}
	return convert(f, side, in, out);
}

int mapping_value_to_sf(const struct mapping_field *f, const char *hs, char **out)
{
	char *v;

	if (convert_blank(f, TO_SF, hs, &v))
		return -EINVAL;
	if (f->max_length && transform_utf8_length(v) > (size_t)f->max_length) {
		free(v);
		return -EMSGSIZE;
	}
	*out = v;
	return 0;
}

int mapping_value_to_hs(const struct mapping_field *f, const char *sf, char **out)
{
	return convert_blank(f, TO_HS, sf, out) ? -EINVAL : 0;
}

int mapping_canonical(const struct mapping_field *f, int from_hs, const char *value, char **out)
{
	return convert_blank(f, from_hs ? TO_SF : NORM_SF, value, out) ? -EINVAL : 0;
}

/* The normalised forms of one value needed for comparisons. */
struct forms {
	char *sf;   /* in Salesforce form (canonical) */
	char *hs;   /* in HubSpot form */
};

static void forms_release(struct forms *x)
{
	free(x->sf);
	free(x->hs);
}

static int hs_forms(const struct mapping_field *f, const char *hs, struct forms *x)
{
	if (convert_blank(f, TO_SF, hs, &x->sf))
		return -EINVAL;
	if (convert_blank(f, NORM_HS, hs, &x->hs)) {
		free(x->sf);
		x->sf = NULL;
		return -EINVAL;
	}
	return 0;
}

static int sf_forms(const struct mapping_field *f, const char *sf, struct forms *x)
{
	if (convert_blank(f, NORM_SF, sf, &x->sf))
		return -EINVAL;
	if (convert_blank(f, TO_HS, sf, &x->hs)) {
		free(x->sf);
		x->sf = NULL;
		return -EINVAL;
	}
	return 0;
}

/* A HubSpot value and a Salesforce value are equivalent when either one,
 * carried to the other side, equals it: this keeps lossy maps (several
 * Salesforce stages onto one HubSpot stage, datetime onto date) from
 * writing the same value back and forth. */
static int equivalent(const struct forms *h, const struct forms *s)
{
	return !strcmp(h->sf, s->sf) || !strcmp(h->hs, s->hs);
}

enum merge_result mapping_merge(const struct mapping_field *f, const char *base,
				const char *hs, int64_t hs_modified_ms,
				const char *sf, int64_t sf_modified_ms,
				const char **winner)
{
	struct forms h = { 0 }, s = { 0 }, b = { 0 };
	enum merge_result r;
	int hs_changed, sf_changed, has_base = base != NULL;

	*winner = NULL;
	if (f->rule == MAPPING_NONE)
		return MERGE_KEEP;
	if (hs_forms(f, hs, &h)) {
		*winner = hs;
		return MERGE_BAD_HS;
	}
	if (sf_forms(f, sf, &s)) {
		forms_release(&h);
		*winner = sf;
		return MERGE_BAD_SF;
	}
	if (equivalent(&h, &s)) {
		*winner = sf;
		r = MERGE_NO_CHANGE;
		goto out;
	}
	hs_changed = sf_changed = 1;
	/* the base is canonical (Salesforce form); an unreadable base (the
	 * type changed since) counts as "both changed" */
	if (has_base && sf_forms(f, base, &b) == 0) {
		hs_changed = !equivalent(&h, &b);
		sf_changed = !equivalent(&s, &b);
	}

	switch (f->rule) {
	case MAPPING_PREFER_SF_UNLESS_BLANK:
		r = blank(s.sf) ? MERGE_WRITE_TO_SF : MERGE_WRITE_TO_HS;
		break;
	case MAPPING_ALWAYS_SF:
		r = !has_base && blank(s.sf) ? MERGE_KEEP : MERGE_WRITE_TO_HS;
		break;
	case MAPPING_HS_TO_SF:
		if (has_base)
			r = hs_changed ? MERGE_WRITE_TO_SF : MERGE_KEEP;
		else
			r = blank(h.sf) ? MERGE_KEEP : MERGE_WRITE_TO_SF;
		break;
	case MAPPING_TWO_WAY:
	default:
		if (!has_base && blank(h.sf))
			r = MERGE_WRITE_TO_HS;
		else if (!has_base && blank(s.sf))
			r = MERGE_WRITE_TO_SF;
		else if (has_base && hs_changed && !sf_changed)
			r = MERGE_WRITE_TO_SF;
		else if (has_base && sf_changed && !hs_changed)
			r = MERGE_WRITE_TO_HS;
		else
			r = hs_modified_ms > sf_modified_ms ? MERGE_WRITE_TO_SF : MERGE_WRITE_TO_HS;
		break;
	}
	if (has_base && hs_changed && sf_changed) {
		if (r == MERGE_WRITE_TO_SF)
			r = MERGE_CONFLICT_TO_SF;
		else if (r == MERGE_WRITE_TO_HS)
			r = MERGE_CONFLICT_TO_HS;
	}
	if (r == MERGE_WRITE_TO_SF || r == MERGE_CONFLICT_TO_SF)
		*winner = hs;
	else if (r == MERGE_WRITE_TO_HS || r == MERGE_CONFLICT_TO_HS)
		*winner = sf;
out:
	forms_release(&h);
	forms_release(&s);
	forms_release(&b);
	return r;
}

const char *merge_result_name(enum merge_result r)
{
	static const char *const names[] = {
		[MERGE_NO_CHANGE] = "no_change",
		[MERGE_KEEP] = "keep",
		[MERGE_WRITE_TO_SF] = "write_to_salesforce",
		[MERGE_WRITE_TO_HS] = "write_to_hubspot",
		[MERGE_CONFLICT_TO_SF] = "conflict_to_salesforce",
		[MERGE_CONFLICT_TO_HS] = "conflict_to_hubspot",
		[MERGE_BAD_HS] = "bad_hubspot_value",
		[MERGE_BAD_SF] = "bad_salesforce_value",
	};

	return (size_t)r < ARRAY_SIZE(names) && names[r] ? names[r] : "?";
}
