/*
 * crmsync-sim, Salesforce side: the country and state tables used by the
 * state and country/territory picklists (ISO 3166 codes, integration values
 * = English names). Only pure lookups here.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

struct sf_geo {
	const char *country, *code, *name;
};

static const struct sf_geo sf_countries[] = {
	{NULL, "US", "United States"}, {NULL, "CA", "Canada"}, {NULL, "GB", "United Kingdom"},
	{NULL, "DE", "Germany"}, {NULL, "FR", "France"}, {NULL, "ES", "Spain"},
	{NULL, "IT", "Italy"}, {NULL, "NL", "Netherlands"}, {NULL, "BE", "Belgium"},
	{NULL, "CH", "Switzerland"}, {NULL, "AT", "Austria"}, {NULL, "SE", "Sweden"},
	{NULL, "NO", "Norway"}, {NULL, "DK", "Denmark"}, {NULL, "FI", "Finland"},
	{NULL, "IE", "Ireland"}, {NULL, "PT", "Portugal"}, {NULL, "PL", "Poland"},
	{NULL, "JP", "Japan"}, {NULL, "CN", "China"}, {NULL, "IN", "India"},
	{NULL, "AU", "Australia"}, {NULL, "NZ", "New Zealand"}, {NULL, "BR", "Brazil"},
	{NULL, "MX", "Mexico"}, {NULL, "AR", "Argentina"}, {NULL, "SG", "Singapore"},
	{NULL, "KR", "Korea, Republic of"}, {NULL, "ZA", "South Africa"},
	{NULL, "IL", "Israel"}, {NULL, "AE", "United Arab Emirates"},
};

static const struct sf_geo sf_states[] = {
	{"US", "AL", "Alabama"}, {"US", "AK", "Alaska"}, {"US", "AZ", "Arizona"},
	{"US", "AR", "Arkansas"}, {"US", "CA", "California"}, {"US", "CO", "Colorado"},
	{"US", "CT", "Connecticut"}, {"US", "DE", "Delaware"},
	{"US", "DC", "District of Columbia"}, {"US", "FL", "Florida"},
	{"US", "GA", "Georgia"}, {"US", "HI", "Hawaii"}, {"US", "ID", "Idaho"},
	{"US", "IL", "Illinois"}, {"US", "IN", "Indiana"}, {"US", "IA", "Iowa"},
	{"US", "KS", "Kansas"}, {"US", "KY", "Kentucky"}, {"US", "LA", "Louisiana"},
	{"US", "ME", "Maine"}, {"US", "MD", "Maryland"}, {"US", "MA", "Massachusetts"},
	{"US", "MI", "Michigan"}, {"US", "MN", "Minnesota"}, {"US", "MS", "Mississippi"},
	{"US", "MO", "Missouri"}, {"US", "MT", "Montana"}, {"US", "NE", "Nebraska"},
	{"US", "NV", "Nevada"}, {"US", "NH", "New Hampshire"}, {"US", "NJ", "New Jersey"},
	{"US", "NM", "New Mexico"}, {"US", "NY", "New York"},
	{"US", "NC", "North Carolina"}, {"US", "ND", "North Dakota"}, {"US", "OH", "Ohio"},
	{"US", "OK", "Oklahoma"}, {"US", "OR", "Oregon"}, {"US", "PA", "Pennsylvania"},
	{"US", "RI", "Rhode Island"}, {"US", "SC", "South Carolina"},
	{"US", "SD", "South Dakota"}, {"US", "TN", "Tennessee"}, {"US", "TX", "Texas"},
	{"US", "UT", "Utah"}, {"US", "VT", "Vermont"}, {"US", "VA", "Virginia"},
	{"US", "WA", "Washington"}, {"US", "WV", "West Virginia"},
	{"US", "WI", "Wisconsin"}, {"US", "WY", "Wyoming"},
	{"CA", "AB", "Alberta"}, {"CA", "BC", "British Columbia"}, {"CA", "MB", "Manitoba"},
	{"CA", "NB", "New Brunswick"}, {"CA", "NL", "Newfoundland and Labrador"},
	{"CA", "NS", "Nova Scotia"}, {"CA", "ON", "Ontario"},
	{"CA", "PE", "Prince Edward Island"}, {"CA", "QC", "Quebec"},
	{"CA", "SK", "Saskatchewan"}, {"CA", "NT", "Northwest Territories"},
	{"CA", "NU", "Nunavut"}, {"CA", "YT", "Yukon Territories"},
	{"AU", "ACT", "Australian Capital Territory"}, {"AU", "NSW", "New South Wales"},
	{"AU", "NT", "Northern Territory"}, {"AU", "QLD", "Queensland"},
	{"AU", "SA", "South Australia"}, {"AU", "TAS", "Tasmania"},
	{"AU", "VIC", "Victoria"}, {"AU", "WA", "Western Australia"},
};

#define SF_NCOUNTRIES (sizeof(sf_countries) / sizeof(sf_countries[0]))
#define SF_NSTATES (sizeof(sf_states) / sizeof(sf_states[0]))

const char *sf_country_name(const char *code)
{
	for (size_t i = 0; i < SF_NCOUNTRIES; i++)
		if (strcmp(sf_countries[i].code, code) == 0)
			return sf_countries[i].name;
	return NULL;
}

const char *sf_country_code(const char *name)
{
	for (size_t i = 0; i < SF_NCOUNTRIES; i++)
		if (strcasecmp(sf_countries[i].name, name) == 0)
			return sf_countries[i].code;
	return NULL;
}

bool sf_country_has_states(const char *code)
{
	for (size_t i = 0; i < SF_NSTATES; i++)
		if (strcmp(sf_states[i].country, code) == 0)
			return true;
	return false;
}

const char *sf_state_name(const char *country, const char *code)
{
	for (size_t i = 0; i < SF_NSTATES; i++)
		if (strcmp(sf_states[i].country, country) == 0 &&
		    strcmp(sf_states[i].code, code) == 0)
			return sf_states[i].name;
	return NULL;
}

const char *sf_state_code(const char *country, const char *name)
{
	for (size_t i = 0; i < SF_NSTATES; i++)
		if (strcmp(sf_states[i].country, country) == 0 &&
		    strcasecmp(sf_states[i].name, name) == 0)
			return sf_states[i].code;
	return NULL;
}

static const char *sf_country_codes[SF_NCOUNTRIES];
static const char *sf_state_codes[SF_NSTATES];

size_t sf_country_list(const char *const **codes)
{
	for (size_t i = 0; i < SF_NCOUNTRIES; i++)
		sf_country_codes[i] = sf_countries[i].code;
	*codes = sf_country_codes;
	return SF_NCOUNTRIES;
}

size_t sf_state_list(const char *const **codes)
{
	for (size_t i = 0; i < SF_NSTATES; i++)
		sf_state_codes[i] = sf_states[i].code;
	*codes = sf_state_codes;
	return SF_NSTATES;
}
