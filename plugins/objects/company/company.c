/*
 * company - the object plugin for HubSpot companies <-> Salesforce Accounts.
 * Companies match as the native integration matches them: through the id
 * map (the stored Account id) and through their contacts' Accounts (the
 * core's link matching, declared here); never by domain alone. An opt-in
 * matcher adds the normalised domain (else the normalised name) as a
 * de-duplication key, and a key shared by several Accounts is reported as
 * ambiguous instead of guessed. The contact <-> company association itself
 * is the contact plugin's link (Contact.AccountId).
 *
 * It holds no state outside its per-instance context and never calls the
 * services itself: the core reads and writes, this plugin decides.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../contact/geo.h"

#define COMPANY_VERSION "0.1.0"

static const struct crmsync_host *host;

enum picklists { PICKLISTS_DISABLED, PICKLISTS_ENABLED, PICKLISTS_CUSTOMISED };

struct company_ctx {
	int state_country_picklists;
	int translate_state_country;
	int match_by_domain;
	int hubspot_to_salesforce_creates;
	int salesforce_to_hubspot_creates;
};

#define OPT(key, type, def, member, help) \
	{ key, type, 0, def, offsetof(struct company_ctx, member), help, NULL, 0, 0 }

static const char *const picklist_choices[] = { "disabled", "enabled", "customised", NULL };

static const struct crmsync_option company_options[] = {
	{ "state_country_picklists", CRMSYNC_OPT_ENUM, 0, "disabled",
	  offsetof(struct company_ctx, state_country_picklists),
	  "Salesforce state and country picklists: disabled, enabled, or customised",
	  picklist_choices, 0, 0 },
	OPT("translate_state_country", CRMSYNC_OPT_BOOL, "yes", translate_state_country,
	    "with picklists on: translate HubSpot's free-text state/country into the billing "
	    "address's ISO codes; no: send HubSpot's text as is"),
	OPT("match_by_domain", CRMSYNC_OPT_BOOL, "no", match_by_domain,
	    "also match companies with no pair by normalised domain (Website), else by normalised "
	    "name; a key shared by several Accounts is reported as ambiguous, never guessed"),
	OPT("create_accounts", CRMSYNC_OPT_BOOL, "yes", hubspot_to_salesforce_creates,
	    "create a Salesforce Account for a HubSpot company that has none"),
	OPT("create_companies", CRMSYNC_OPT_BOOL, "yes", salesforce_to_hubspot_creates,
	    "create a HubSpot company for a Salesforce Account that has none"),
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int starts_with_nocase(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if (lower(*s) != *prefix)
			return 0;
	return 1;
}

/*
 * "https://www.Example.com/about" and "example.com" -> "example.com": no
 * scheme, no "www.", no port, path, query or final dot; lowercase.
 * Returns the length written, 0 for no domain, -ENOSPC.
 */
static int normalise_domain(const char *v, char *buf, size_t size)
{
	size_t n = 0;

	while (*v == ' ' || *v == '\t')
		v++;
	if (starts_with_nocase(v, "https://"))
		v += 8;
	else if (starts_with_nocase(v, "http://"))
		v += 7;
	if (starts_with_nocase(v, "www."))
		v += 4;
	for (; *v && *v != '/' && *v != ':' && *v != '?' && *v != '#' && *v != ' '; v++) {
		if (n + 1 >= size)
			return -ENOSPC;
		buf[n++] = lower(*v);
	}
	while (n && buf[n - 1] == '.')
		n--;
	buf[n] = '\0';
	return n && strchr(buf, '.') ? (int)n : 0;
}

/* Legal-form words that do not tell two companies apart. */
static const char *const legal_forms[] = {
	"inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
	"gmbh", "ag", "sa", "sarl", "bv", "nv", "plc", "kk", "kabushiki", "kaisha", "pty", NULL
};

static int is_legal_form(const char *w, size_t n)
{
	for (int i = 0; legal_forms[i]; i++)
		if (strlen(legal_forms[i]) == n && strncmp(legal_forms[i], w, n) == 0)
			return 1;
	return 0;
}

/*
 * "ACME, Inc." and "Acme Inc" -> "acme": ASCII letters and digits, lowercase,
 * words joined by one space, legal forms dropped; non-ASCII bytes kept as
 * they are (names in other scripts compare exactly).
 */
static int normalise_name(const char *v, char *buf, size_t size)
{
	char words[512];
	size_t n = 0, out = 0;

	for (; *v && n + 1 < sizeof(words); v++) {
		unsigned char c = (unsigned char)*v;

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
			words[n++] = (char)c;
		else if (c >= 'A' && c <= 'Z')
			words[n++] = lower((char)c);
		else if (c == '&')
			words[n++] = '&';
		else if (n && words[n - 1] != ' ')
			words[n++] = ' ';
	}
	words[n] = '\0';
	for (char *w = words; *w;) {
		size_t len = strcspn(w, " ");

		if (len && !is_legal_form(w, len)) {
			if (out + len + 2 >= size)
				return -ENOSPC;
			if (out)
				buf[out++] = ' ';
			memcpy(buf + out, w, len);
			out += len;
		}
		w += len;
		while (*w == ' ')
			w++;
	}
	buf[out] = '\0';
	return (int)out;
}

static int company_dedupe_key(struct crmsync_instance *inst, void *vctx,
			      const struct crmsync_record *rec, char *buf, size_t size)
{
	const struct company_ctx *ctx = vctx;
	int hs = host->rec_side(rec) == CRMSYNC_SIDE_HUBSPOT;
	const char *domain = host->rec_get(rec, hs ? "domain" : "Website");
	const char *name = host->rec_get(rec, hs ? "name" : "Name");
	char tmp[512];
	int n;

	(void)inst;
	if (!ctx->match_by_domain)
		return 0; /* never by content: the id map and the contacts' Accounts only */
	n = domain ? normalise_domain(domain, tmp, sizeof(tmp)) : 0;
	if (n > 0) {
		if ((size_t)n + 8 > size)
			return -ENOSPC;
		snprintf(buf, size, "domain:%s", tmp);
		return 1;
	}
	n = name ? normalise_name(name, tmp, sizeof(tmp)) : 0;
	if (n < 0)
		return n;
	if (n == 0)
		return 0;
	if ((size_t)n + 6 > size)
		return -ENOSPC;
	snprintf(buf, size, "name:%s", tmp);
	return 1;
}

static int company_accept(struct crmsync_instance *inst, void *vctx,
			  const struct crmsync_change *chg, const char **reason)
{
	const struct company_ctx *ctx = vctx;
	const char *why = NULL;
	int ok = 1;

	(void)inst;
	if (!chg || !chg->source)
		return -EINVAL;
	if (chg->kind == CRMSYNC_CHANGE_DELETE) {
		why = "deleting a company or an Account never deletes its partner";
		ok = 0;
	} else if (chg->kind == CRMSYNC_CHANGE_CREATE && chg->direction == CRMSYNC_TO_SALESFORCE &&
		   !ctx->hubspot_to_salesforce_creates) {
		why = "Account creation is turned off (create_accounts = no)";
		ok = 0;
	} else if (chg->kind == CRMSYNC_CHANGE_CREATE && chg->direction == CRMSYNC_TO_HUBSPOT &&
		   !ctx->salesforce_to_hubspot_creates) {
		why = "company creation is turned off (create_companies = no)";
		ok = 0;
	} else if (chg->direction == CRMSYNC_TO_HUBSPOT && chg->kind == CRMSYNC_CHANGE_CREATE &&
		   !host->rec_get(chg->source, "Name")) {
		why = "the Account has no name";
		ok = 0;
	} else if (chg->direction == CRMSYNC_TO_SALESFORCE && chg->kind == CRMSYNC_CHANGE_CREATE &&
		   !host->rec_get(chg->source, "name") && !host->rec_get(chg->source, "domain")) {
		why = "the company has neither a name nor a domain";
		ok = 0;
	}
	if (reason)
		*reason = why;
	return ok;
}

/* BillingState/BillingCountry free text -> BillingStateCode/CountryCode;
 * a state is read against the country being written, else the Account's. */
static void translate_geo(struct crmsync_record *out, const struct crmsync_record *target)
{
	const char *country = host->rec_get(out, "BillingCountry");
	const char *state = host->rec_get(out, "BillingState");
	const char *cc = country ? geo_country_code(country) : NULL;

	if (cc) {
		host->rec_set(out, "BillingCountryCode", cc);
		host->rec_set(out, "BillingCountry", NULL);
	} else if (!country && target) {
		const char *t = host->rec_get(target, "BillingCountryCode");

		if (!t)
			t = host->rec_get(target, "BillingCountry");
		cc = t ? geo_country_code(t) : NULL;
	}
	if (state && cc) {
		const char *sc = geo_state_code(cc, state);

		if (sc) {
			host->rec_set(out, "BillingStateCode", sc);
			host->rec_set(out, "BillingState", NULL);
		}
	}
}

/* State/country codes; an Account needs a Name: a HubSpot company known
 * only by its domain gets the domain as its name. */
static int company_transform(struct crmsync_instance *inst, void *vctx,
			     const struct crmsync_change *chg, struct crmsync_record *out)
{
	const struct company_ctx *ctx = vctx;

	(void)inst;
	if (chg->direction == CRMSYNC_TO_SALESFORCE &&
	    ctx->state_country_picklists != PICKLISTS_DISABLED && ctx->translate_state_country)
		translate_geo(out, chg->target);
	if (chg->direction == CRMSYNC_TO_SALESFORCE && chg->kind == CRMSYNC_CHANGE_CREATE &&
	    !host->rec_get(out, "Name")) {
		const char *d = host->rec_get(chg->source, "domain");

		if (d)
			host->rec_set(out, "Name", d);
	}
	return 0;
}

static int company_explain(struct crmsync_instance *inst, void *vctx, char *buf, size_t size)
{
	const struct company_ctx *ctx = vctx;

	(void)inst;
	return snprintf(buf, size,
			"Companies match through the stored Account id, then through their contacts: a "
			"company without a pair takes the Account its synced contacts belong to "
			"(Contact.AccountId), never a domain alone.\n"
			"%s\n"
			"New HubSpot companies %s in Salesforce; new Accounts %s in HubSpot.\n"
			"Deletes are never synced.",
			ctx->match_by_domain
				? "Also by content (match_by_domain = yes): the normalised domain (Website), "
				  "else the normalised name; a key shared by several Accounts is reported "
				  "as ambiguous and nothing is created."
				: "No content matching (match_by_domain = no).",
			ctx->hubspot_to_salesforce_creates ? "create Accounts" : "are not created",
			ctx->salesforce_to_hubspot_creates ? "create companies" : "are not created");
}

static int company_plugin_init(const struct crmsync_host *h)
{
	if (!h || h->abi_major != CRMSYNC_ABI_MAJOR || h->abi_minor < 3)
		return -EINVAL;
	host = h;
	return 0;
}

static void company_plugin_fini(void)
{
	geo_release();
}

static const char *const sf_objects[] = { "Account", NULL };
static const char *const hs_properties[] = { "name", "domain", NULL };
static const char *const sf_fields[] = { "Name", "Website", NULL };
static const char *const no_deps[] = { NULL };

/* Matching through contacts: the contact object's Contact.AccountId,
 * against this company's associated contacts (company -> contact, 280). */
static const struct crmsync_link through_contacts = {
	.size = sizeof(struct crmsync_link),
	.flags = CRMSYNC_LINK_MATCH,
	.name = "contacts",
	.target = "contact",
	.salesforce_object = "Contact",
	.salesforce_field = "AccountId",
	.target_salesforce_object = "Account",
	.target_hubspot_object = "contacts",
	.association_type = 280,
};
static const struct crmsync_link *const links[] = { &through_contacts, NULL };

static const struct crmsync_object_ops company_ops = {
	.size = sizeof(struct crmsync_object_ops),
	.ctx_size = sizeof(struct company_ctx),
	.options = company_options,
	.hubspot_object = "companies",
	.salesforce_objects = sf_objects,
	.hubspot_properties = hs_properties,
	.salesforce_fields = sf_fields,
	.depends_on = no_deps,
	.default_mapping = "company.yaml",
	.accept = company_accept,
	.dedupe_key = company_dedupe_key,
	.transform = company_transform,
	.links = links,
	.explain = company_explain,
	.dedupe_flags = CRMSYNC_DEDUPE_AMBIGUOUS_SKIP,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"company",
	COMPANY_VERSION,
	"HubSpot companies <-> Salesforce Accounts",
	company_plugin_init,
	company_plugin_fini,
	&company_ops,
	NULL,
	NULL,
};
