/*
 * transform.h - conversions of one field value between the HubSpot and the
 * Salesforce wire representations (dates, datetimes, numbers, booleans,
 * multi-select lists). Pure functions: no I/O, no global state, no logging.
 *
 * Every converter takes a NUL-terminated input and, on success, returns 0
 * and stores a newly allocated string in *out (the caller frees it with
 * free()). On bad input it returns -EINVAL and leaves *out untouched: there
 * is never a partial result. NULL input is bad input; a blank value is the
 * caller's business (see mapping.h).
 */
#ifndef CRMSYNC_TRANSFORM_H
#define CRMSYNC_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

/* Largest accepted input of a number, date or boolean (bytes). */
#define TRANSFORM_MAX_SCALAR 256

/*
 * Datetimes. Accepted input (either side): milliseconds since the epoch as a
 * base-10 integer ("1706704496000", HubSpot), or ISO 8601 with a date, 'T',
 * hours and minutes, optional seconds and fraction, and a mandatory zone:
 * "Z", "+HH", "+HHMM" or "+HH:MM" ("2024-01-31T12:34:56.789Z", HubSpot;
 * "2024-01-31T12:34:56.000+0000", Salesforce). Years 0001-9999. Fractions
 * past milliseconds are truncated. A string without a zone is refused: its
 * instant is unknown.
 */
int transform_parse_datetime(const char *in, int64_t *ms);
/* "2024-01-31T12:34:56.000+0000" (UTC, milliseconds) */
int transform_datetime_to_sf(const char *in, char **out);
/* "2024-01-31T12:34:56.000Z" (UTC, milliseconds) */
int transform_datetime_to_hs(const char *in, char **out);

/*
 * Dates. Accepted input: "YYYY-MM-DD", or a millisecond epoch at exactly
 * midnight UTC (HubSpot date properties). Output on both sides is
 * "YYYY-MM-DD", which both APIs accept.
 */
int transform_parse_date(const char *in, int64_t *days);  /* days since 1970-01-01 */
int transform_date(const char *in, char **out);

/*
 * A HubSpot datetime feeding a Salesforce date (hs_timestamp -> Task
 * ActivityDate): to Salesforce the UTC calendar day of the instant; back
 * to HubSpot midnight UTC of that day as a datetime.
 */
int transform_datetime_to_date(const char *in, char **out);
int transform_date_to_datetime(const char *in, char **out);

/*
 * Numbers: an optional sign, digits with an optional '.', an optional
 * exponent ("1234.50", "-0.5", "1.2345E3", ".5"). The output is the exact
 * decimal value in plain notation, without exponent, leading or trailing
 * zeros ("1234.5", "-0.5", "1234.5", "0.5"; "-0" is "0"), so two spellings of
 * one value compare equal as strings. No floating point is involved, so no
 * precision is lost. Thousands separators, "NaN", "Infinity", hex and values
 * whose plain form would exceed 100 digits are refused.
 */
int transform_number(const char *in, char **out);

/* Booleans: true/false, yes/no, 1/0 (any case, surrounding blanks) ->
 * "true"/"false" (what both APIs send and accept). */
int transform_bool(const char *in, char **out);
/* The same as a predicate result: 1, 0 or -EINVAL. */
int transform_parse_bool(const char *in);

/*
 * Multi-select values, "a;b;c" on both sides. Items are trimmed, empty items
 * dropped, each item passed through map (when not NULL; it returns the
 * replacement, borrowed, or NULL to keep the item), duplicates removed and
 * the rest sorted bytewise, so that two orderings of one set compare equal.
 * An item containing a control character is refused.
 */
typedef const char *(*transform_item_map_fn)(void *ctx, const char *item);
int transform_multi(const char *in, transform_item_map_fn map, void *ctx, char **out);

/* How many code points a UTF-8 string holds (bytes that are not
 * continuation bytes); used for max_length. */
size_t transform_utf8_length(const char *s);

#endif
