/*
 * HubSpot side of crmsync-sim: the initial portal built from the generator —
 * contacts for persons [0, records), their companies, and deals, tasks,
 * notes, meetings, calls and emails tied to them by associations, and three
 * forms with submissions from about a fifth of the contacts. Seeded
 * data is "already there", so it bypasses validation (dirty values stay).
 * Deterministic for a seed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "hs.h"

#define SEED_BASE_MS 1704067200000LL /* 2024-01-01T00:00:00Z */
#define DAY_MS 86400000LL

static const char *const ind_map[][2] = {
	{"Agriculture", "FARMING"}, {"Apparel", "APPAREL_FASHION"}, {"Banking", "BANKING"},
	{"Biotechnology", "BIOTECHNOLOGY"}, {"Chemicals", "CHEMICALS"},
	{"Communications", "TELECOMMUNICATIONS"}, {"Construction", "CONSTRUCTION"},
	{"Consulting", "MANAGEMENT_CONSULTING"}, {"Education", "EDUCATION_MANAGEMENT"},
	{"Electronics", "CONSUMER_ELECTRONICS"}, {"Energy", "OIL_ENERGY"},
	{"Engineering", "MECHANICAL_OR_INDUSTRIAL_ENGINEERING"}, {"Entertainment", "ENTERTAINMENT"},
	{"Environmental", "ENVIRONMENTAL_SERVICES"}, {"Finance", "FINANCIAL_SERVICES"},
	{"Food & Beverage", "FOOD_BEVERAGES"}, {"Government", "GOVERNMENT_ADMINISTRATION"},
	{"Healthcare", "HOSPITAL_HEALTH_CARE"}, {"Hospitality", "HOSPITALITY"},
	{"Insurance", "INSURANCE"}, {"Machinery", "MACHINERY"}, {"Manufacturing", "MANUFACTURING"},
	{"Media", "MEDIA_PRODUCTION"}, {"Not For Profit", "NON_PROFIT_ORGANIZATION_MANAGEMENT"},
	{"Recreation", "RECREATIONAL_FACILITIES_AND_SERVICES"}, {"Retail", "RETAIL"},
	{"Shipping", "PACKAGE_FREIGHT_DELIVERY"}, {"Technology", "INFORMATION_TECHNOLOGY_AND_SERVICES"},
	{"Telecommunications", "TELECOMMUNICATIONS"},
	{"Transportation", "TRANSPORTATION_TRUCKING_RAILROAD"}, {"Utilities", "UTILITIES"},
};

const char *hs_industry_from_sf(const char *sf)
{
	for (size_t i = 0; i < sizeof(ind_map) / sizeof(ind_map[0]); i++)
		if (!strcmp(sf, ind_map[i][0]))
			return ind_map[i][1];
	return NULL;
}

static void put(json_t *o, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(o, k, json_string(v));
}

static void putf(json_t *o, const char *k, long long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	json_object_set_new(o, k, json_string(buf));
}

static void put_time(json_t *o, const char *k, int64_t ms)
{
	char buf[32];

	hs_iso(ms, buf);
	json_object_set_new(o, k, json_string(buf));
}

static struct hs_record *add(struct hs_objtype *ot, uint64_t *st, json_t *props)
{
	int64_t created = SEED_BASE_MS + (int64_t)(sim_rand_next(st) % (300 * DAY_MS));
	int64_t updated = created + (int64_t)(sim_rand_next(st) % (60 * DAY_MS));
	struct hs_record *r = hs_rec_new(ot, 0, created);

	if (r)
		hs_rec_apply(ot, r, props, updated);
	json_decref(props);
	return r;
}

static const char *owner_of(struct sim_side *s, uint64_t *st)
{
	json_t *o = json_array_get(s->owners, sim_rand_next(st) % json_array_size(s->owners));

	return json_string_value(json_object_get(o, "id"));
}

static void seed_engagements(struct sim_side *s, uint64_t *st, struct hs_record **contacts,
			     size_t ncontacts)
{
	static const char *const subj[] = {
		"Follow up on proposal", "Send pricing", "Quarterly review", "Intro call",
		"契約書の確認", "Demo für das Team", "Relance devis", "Check renewal",
	};
	static const char *const tstat[] = {"NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"};
	static const char *const prio[] = {"LOW", "MEDIUM", "HIGH", "NONE"};
	static const char *const ttype[] = {"TODO", "CALL", "EMAIL"};
	size_t R = s->opts.records;

	for (int t = HS_TASKS; t <= HS_EMAILS && ncontacts; t++) {
		struct hs_objtype *ot = &s->types[t];
		size_t n = t == HS_TASKS ? R / 4 : R / 10;

		for (size_t k = 0; k < n; k++) {
			json_t *p = json_object();
			const char *sj = subj[sim_rand_next(st) % 8];
			int64_t when = SEED_BASE_MS + (int64_t)(sim_rand_next(st) % (400 * DAY_MS));
			struct hs_record *c = contacts[(k * 7919) % ncontacts], *r;

			put_time(p, "hs_timestamp", when);
			switch (t) {
			case HS_TASKS:
				put(p, "hs_task_subject", sj);
				put(p, "hs_task_body", "Created by the crmsync simulator");
				put(p, "hs_task_status", tstat[sim_rand_next(st) % 5]);
				put(p, "hs_task_priority", prio[sim_rand_next(st) % 4]);
				put(p, "hs_task_type", ttype[sim_rand_next(st) % 3]);
				put(p, "hubspot_owner_id", owner_of(s, st));
				break;
			case HS_NOTES:
				put(p, "hs_note_body", sj);
				break;
			case HS_MEETINGS:
				put(p, "hs_meeting_title", sj);
				put_time(p, "hs_meeting_start_time", when);
				put_time(p, "hs_meeting_end_time", when + 1800000);
				put(p, "hs_meeting_outcome", "SCHEDULED");
				break;
			case HS_CALLS:
				put(p, "hs_call_title", sj);
				put(p, "hs_call_direction", sim_rand_next(st) % 2 ? "INBOUND" : "OUTBOUND");
				put(p, "hs_call_status", "COMPLETED");
				putf(p, "hs_call_duration", (long long)(sim_rand_next(st) % 3600000));
				break;
			default:
				put(p, "hs_email_subject", sj);
				put(p, "hs_email_text", "Hello, following up on our conversation.");
				put(p, "hs_email_direction", "EMAIL");
				put(p, "hs_email_status", "SENT");
				break;
			}
			r = add(ot, st, p);
			if (r && c)
				hs_assoc_add(s, ot, r, &s->types[HS_CONTACTS], c,
					     hs_assoc_default_type(ot->t, HS_CONTACTS));
		}
	}
}

/* ---- forms and submissions ---------------------------------------------------- */

static const struct {
	const char *name, *page;
	const char *fields[6];
	int nfields;
	int64_t created;
} seed_forms[] = {
	{"Contact us", "https://www.example.com/contact",
	 {"email", "firstname", "lastname", "company", "message"}, 5,
	 SEED_BASE_MS - 56 * DAY_MS + 36000000},
	{"Request a demo", "https://www.example.com/demo",
	 {"email", "firstname", "lastname", "company", "jobtitle", "phone"}, 6,
	 SEED_BASE_MS - 42 * DAY_MS + 36000000},
	{"Newsletter signup", "https://www.example.com/newsletter", {"email", "firstname"}, 2,
	 SEED_BASE_MS - 28 * DAY_MS + 36000000},
};
#define NSEED_FORMS (sizeof(seed_forms) / sizeof(seed_forms[0]))

static void seed_uuid(uint64_t *st, char *buf)
{
	uint64_t a = sim_rand_next(st), b = sim_rand_next(st);

	snprintf(buf, 37, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(a >> 32),
		 (unsigned)(a >> 16) & 0xffff, (unsigned)a & 0xfff,
		 (unsigned)(0x8000 | ((b >> 48) & 0x3fff)),
		 (unsigned long long)(b & 0xffffffffffffull));
}

/* Only a contact with a plausible email submits a form. */
static bool can_submit(const struct hs_record *r)
{
	const char *e = r ? json_string_value(json_object_get(r->props, "email")) : NULL;
	const char *at = e ? strchr(e, '@') : NULL;

	return at && at > e && strchr(at, '.') && at[strlen(at) - 1] != '.';
}

/* One submission of form fi by contact r at `at`, values from its properties. */
static void seed_submission(struct sim_side *s, uint64_t *st, struct hs_form *f, size_t fi,
			    struct hs_record *r, int64_t at)
{
	static const char *const msgs[] = {
		"Please call me back.", "Could you send us a quote?", "Question about pricing",
		"Wir hätten gern ein Angebot.", "見積もりをお願いします。",
	};
	json_t *values = json_array(), *p = json_object();
	char cid[37];

	for (int k = 0; k < seed_forms[fi].nfields; k++) {
		const char *name = seed_forms[fi].fields[k];
		const char *v = json_string_value(json_object_get(r->props, name));

		if (!strcmp(name, "message")) {
			v = msgs[sim_rand_next(st) % 5];
			put(p, name, v);
		}
		if (v && *v)
			json_array_append_new(values, json_pack("{s:s,s:s}", "name", name, "value", v));
	}
	seed_uuid(st, cid);
	if (!hs_form_record(f, cid, at, values, seed_forms[fi].page, false))
		hs_contact_converted(s, r, p, seed_forms[fi].name, at, r->updated);
	json_decref(p);
}

/* About 20 % of the contacts submit once (a quarter of them twice), at a
 * time between their creation and last modification. */
static void seed_forms_and_submissions(struct sim_side *s, struct hs_record **contacts, size_t n)
{
	uint64_t st = s->opts.seed ^ 0xF0A3F0A3F0A3ull;
	struct hs_form *forms[NSEED_FORMS];
	char id[37];

	for (size_t fi = 0; fi < NSEED_FORMS; fi++) {
		seed_uuid(&st, id);
		forms[fi] = hs_form_add(s, id, seed_forms[fi].created,
					hs_form_def(s, seed_forms[fi].name, seed_forms[fi].fields,
						    seed_forms[fi].nfields));
	}
	for (size_t i = 0; i < n; i++) {
		struct hs_record *r = contacts[i];
		uint64_t roll = sim_rand_next(&st);
		int64_t span, at[2];
		int times = roll / 100 % 4 ? 1 : 2;

		if (roll % 100 >= 20 || !can_submit(r))
			continue;
		span = r->updated - r->created + 1;
		for (int k = 0; k < times; k++)
			at[k] = r->created + (int64_t)(sim_rand_next(&st) % (uint64_t)span);
		if (times == 2 && at[1] < at[0]) {
			int64_t t = at[0];

			at[0] = at[1];
			at[1] = t;
		}
		for (int k = 0; k < times; k++) {
			size_t fi = sim_rand_next(&st) % NSEED_FORMS;

			if (forms[fi])
				seed_submission(s, &st, forms[fi], fi, r, at[k]);
		}
	}
	hs_forms_sort(s);
}

void hs_seed(struct sim_side *s)
{
	static const char *const stages[] = {
		"appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
		"decisionmakerboughtin", "contractsent", "closedwon", "closedlost",
	};
	static const char *const products[] = {
		"Annual licence", "Pilot", "Expansion", "Renewal", "Support plan", "導入支援",
	};
	static const char *const lcs[] = {"lead", "marketingqualifiedlead", "salesqualifiedlead",
					  "opportunity", "customer", "subscriber"};
	static const char *const lead_status[] = {"NEW", "OPEN", "IN_PROGRESS", "CONNECTED", "ATTEMPTED_TO_CONTACT"};
	struct hs_objtype *co = &s->types[HS_COMPANIES], *ct = &s->types[HS_CONTACTS];
	struct hs_objtype *dl = &s->types[HS_DEALS];
	size_t R = s->opts.records, ncomp = R < SIM_GEN_NCOMPANIES ? R : SIM_GEN_NCOMPANIES;
	struct hs_record **comps = calloc(ncomp ? ncomp : 1, sizeof(*comps));
	struct hs_record **contacts = calloc(R ? R : 1, sizeof(*contacts));
	uint64_t st = s->opts.seed ^ 0x5EED5EED5EEDull;

	if (!comps || !contacts)
		goto out_free;
	for (size_t i = 0; i < ncomp; i++) {
		struct sim_company c;
		json_t *p = json_object();

		sim_gen_company(s->opts.seed, i, &c);
		put(p, "name", c.name);
		put(p, "domain", c.domain);
		put(p, "website", c.website);
		put(p, "phone", c.phone);
		put(p, "city", c.city);
		put(p, "state", c.state);
		put(p, "country", c.country);
		put(p, "industry", hs_industry_from_sf(c.industry));
		putf(p, "numberofemployees", c.employees);
		putf(p, "annualrevenue", c.annual_revenue);
		put(p, "lifecyclestage", lcs[sim_rand_next(&st) % 6]);
		put(p, "hubspot_owner_id", owner_of(s, &st));
		comps[i] = add(co, &st, p);
	}
	for (size_t i = 0; i < R; i++) {
		struct sim_person pr;
		json_t *p = json_object();
		char email[128];

		sim_gen_person(s->opts.seed, i, s->opts.dirty, &pr);
		sim_ascii_lower(email, pr.email, sizeof(email));
		put(p, "firstname", pr.first);
		put(p, "lastname", pr.last);
		if (!hs_uniq_owner(ct, "email", email))
			put(p, "email", email); /* a duplicate is kept without an email */
		put(p, "phone", pr.phone);
		put(p, "mobilephone", pr.mobile);
		put(p, "jobtitle", pr.title);
		put(p, "company", pr.company);
		put(p, "website", pr.website);
		put(p, "address", pr.street);
		put(p, "city", pr.city);
		put(p, "state", pr.state);
		put(p, "zip", pr.postal);
		put(p, "country", pr.country);
		put(p, "industry", pr.industry);
		putf(p, "annualrevenue", pr.annual_revenue);
		put(p, "lifecyclestage", lcs[sim_rand_next(&st) % 6]);
		put(p, "hs_lead_status", lead_status[sim_rand_next(&st) % 5]);
		put(p, "hubspot_owner_id", owner_of(s, &st));
		contacts[i] = add(ct, &st, p);
		if (contacts[i] && i % SIM_GEN_NCOMPANIES < ncomp && comps[i % SIM_GEN_NCOMPANIES]) {
			hs_assoc_add(s, ct, contacts[i], co, comps[i % SIM_GEN_NCOMPANIES], 1);
			hs_assoc_add(s, ct, contacts[i], co, comps[i % SIM_GEN_NCOMPANIES], 279);
		}
	}
	for (size_t k = 0; k < R / 4 && ncomp; k++) {
		size_t j = k % ncomp;
		json_t *p = json_object();
		char name[200];
		struct hs_record *d;
		int64_t close = SEED_BASE_MS + (int64_t)(sim_rand_next(&st) % (500 * DAY_MS));

		snprintf(name, sizeof(name), "%s - %s",
			 json_string_value(json_object_get(comps[j]->props, "name")),
			 products[sim_rand_next(&st) % 6]);
		put(p, "dealname", name);
		putf(p, "amount", (long long)(1000 + sim_rand_next(&st) % 250000));
		put_time(p, "closedate", close);
		put(p, "pipeline", "default");
		put(p, "dealstage", stages[sim_rand_next(&st) % 7]);
		put(p, "dealtype", sim_rand_next(&st) % 2 ? "newbusiness" : "existingbusiness");
		put(p, "hubspot_owner_id", owner_of(s, &st));
		d = add(dl, &st, p);
		if (!d)
			continue;
		hs_assoc_add(s, dl, d, co, comps[j], 5);
		hs_assoc_add(s, dl, d, co, comps[j], 341);
		if (j < R && contacts[j])
			hs_assoc_add(s, dl, d, ct, contacts[j], 3);
	}
	seed_engagements(s, &st, contacts, R);
	seed_forms_and_submissions(s, contacts, R);
out_free:
	free(comps);
	free(contacts);
}
