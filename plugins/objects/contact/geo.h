/*
 * crmsync contact plugin: free-text country and state/province names to the
 * ISO 3166 codes used by Salesforce's State and Country/Territory picklists.
 *
 * Matching ignores ASCII case, whitespace, periods, commas, hyphens,
 * apostrophes and parentheses, folds common Latin accents (UTF-8, NFC or
 * NFD) and full-width ASCII, so "Québec" = "quebec", "Tōkyō" = "Tokyo" and
 * "Côte d’Ivoire" = "Cote d'Ivoire". Invalid UTF-8 never matches.
 *
 * All functions are thread-safe; the lookup tables are built once, on first
 * use, and are read-only afterwards. Returned strings are static.
 */
#ifndef CRMSYNC_CONTACT_GEO_H
#define CRMSYNC_CONTACT_GEO_H

/* Country free text -> ISO 3166-1 alpha-2 ("JP"), or NULL when unknown or
 * ambiguous ("Korea", "Virgin Islands"). Accepts alpha-2, alpha-3, the ISO
 * short name and common English, native and Japanese variants. */
const char *geo_country_code(const char *text);

/* Alpha-2 (any case) -> ISO 3166-1 English short name ("Japan"), or NULL. */
const char *geo_country_name(const char *alpha2);

/* Subdivision free text within a country -> the ISO 3166-2 code part after
 * the dash ("CA" for US-CA, "13" for JP-13, "QC" for CA-QC), or NULL when
 * unknown. Subdivisions are known for US, CA, AU and JP; country_alpha2 may
 * be any text geo_country_code() accepts. */
const char *geo_state_code(const char *country_alpha2, const char *text);

/* (country, code) -> English name ("California", "Tokyo"), or NULL. The
 * code may be given with or without the country prefix ("CA", "US-CA"). */
const char *geo_state_name(const char *country_alpha2, const char *code);

/* Free the lookup tables; only when no lookup can run any more (the
 * plugin's fini, before it is unloaded). */
void geo_release(void);

#endif
