/*
 * crmsync-sim, Salesforce side: the initial data of an org. Users (the
 * integration user, an admin and two owners), Accounts from the generator's
 * companies, Leads and Contacts from persons [sim_gen_sf_first(), +records),
 * a few converted and deleted Leads/Contacts, Opportunities with contact
 * roles, Tasks and Events. Deterministic for a seed except for timestamps,
 * which are spread over the last 45 days in strictly increasing order.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

struct gen {
	struct sim_side *s;
	int64_t t, step;
	uint64_t rng;
	char owners[3][19];
};

static int64_t gen_stamp(struct gen *g)
{
	g->t += g->step;
	return g->t;
}

static struct sf_rec *gen_insert(struct gen *g, enum sf_obj_id kind, json_t *m)
{
	struct sf_object *o = &g->s->objs[kind];
	int64_t ts = gen_stamp(g);
	const char *owner;
	char buf[40];
	json_t *in = json_object();

	sf_derive(g->s, o, m, in, true);
	json_decref(in);
	owner = json_string_value(json_object_get(m, "OwnerId"));
	if (kind != SF_USER && kind != SF_OCR && (!owner || strcmp(owner, g->s->user_id) == 0))
		json_object_set_new(m, "OwnerId", json_string(g->owners[sim_rand_next(&g->rng) % 3]));
	sim_fmt_sf_time(ts, buf, sizeof(buf));
	json_object_set_new(m, "CreatedDate", json_string(buf));
	json_object_set_new(m, "LastModifiedDate", json_string(buf));
	json_object_set_new(m, "CreatedById", json_string(g->owners[0]));
	json_object_set_new(m, "LastModifiedById", json_string(g->owners[0]));
	return sf_rec_insert(g->s, o, m, ts, ts);
}

static void set_str(json_t *m, const char *k, const char *v)
{
	if (v && *v)
		json_object_set_new(m, k, json_string(v));
}

/* ---- addresses: the generator writes states/countries many ways ------- */

static const struct { const char *alias, *code; } country_alias[] = {
	{"USA", "US"}, {"U.S.A.", "US"}, {"United States of America", "US"}, {"CAN", "CA"},
	{"AUS", "AU"}, {"日本", "JP"}, {"JPN", "JP"}, {"Nippon", "JP"}, {"Deutschland", "DE"},
	{"GER", "DE"}, {"République française", "FR"}, {"España", "ES"}, {"UK", "GB"},
	{"Great Britain", "GB"}, {"England", "GB"},
};

static const char *norm_country(const char *in)
{
	char t[80];
	size_t n;

	snprintf(t, sizeof(t), "%s", in);
	n = strlen(t);
	while (n && t[n - 1] == ' ')
		t[--n] = '\0';
	if (sf_country_name(t))
		return t[0] ? (sf_country_code(sf_country_name(t))) : NULL;
	if (sf_country_code(t))
		return sf_country_code(t);
	for (size_t i = 0; i < sizeof(country_alias) / sizeof(country_alias[0]); i++)
		if (strcasecmp(country_alias[i].alias, t) == 0)
			return country_alias[i].code;
	return NULL;
}

static const char *norm_state(const char *cc, const char *in)
{
	char t[80], up[80];
	size_t o = 0;

	for (const char *p = in; *p && o + 1 < sizeof(t); p++)
		if (*p != '.')
			t[o++] = *p;
	t[o] = '\0';
	for (size_t i = 0; i <= o; i++)
		up[i] = (t[i] >= 'a' && t[i] <= 'z') ? (char)(t[i] - 32) : t[i];
	if (sf_state_name(cc, up))
		return sf_state_name(cc, up) ? sf_state_code(cc, sf_state_name(cc, up)) : NULL;
	if (sf_state_code(cc, t))
		return sf_state_code(cc, t);
	return NULL;
}

static void gen_address(struct sim_side *s, json_t *m, const char *sf, const char *cf,
			const char *state, const char *country)
{
	char scode[32], ccode[32];
	const char *cc = country && *country ? norm_country(country) : NULL;

	if (!json_is_true(sf_config_get(s, "state_country_picklists"))) {
		set_str(m, sf, state);
		set_str(m, cf, country);
		return;
	}
	if (!cc)
		return;
	snprintf(ccode, sizeof(ccode), "%sCode", cf);
	json_object_set_new(m, ccode, json_string(cc));
	json_object_set_new(m, cf, json_string(sf_country_name(cc)));
	if (!state || !*state)
		return;
	if (!sf_country_has_states(cc)) {
		set_str(m, sf, state);
		return;
	}
	{
		const char *sc = norm_state(cc, state);
		if (!sc)
			return;
		snprintf(scode, sizeof(scode), "%sCode", sf);
		json_object_set_new(m, scode, json_string(sc));
		json_object_set_new(m, sf, json_string(sf_state_name(cc, sc)));
	}
}

/* ---- the objects ------------------------------------------------------- */

static struct sf_rec *gen_user(struct gen *g, const char *first, const char *last,
			       const char *user)
{
	json_t *m = json_object();
	char email[96], alias[9];

	snprintf(email, sizeof(email), "%s@crmsync-sim.example", user);
	snprintf(alias, sizeof(alias), "%.1s%.4s", first, last);
	set_str(m, "FirstName", first);
	set_str(m, "LastName", last);
	set_str(m, "Username", email);
	set_str(m, "Email", email);
	set_str(m, "Alias", alias);
	json_object_set_new(m, "IsActive", json_true());
	return gen_insert(g, SF_USER, m);
}

static struct sf_rec *gen_account(struct gen *g, size_t ci)
{
	struct sim_company co;
	json_t *m = json_object();
	static const char *const types[] = {"Prospect", "Customer - Direct", "Customer - Channel",
					    "Technology Partner"};

	sim_gen_company(g->s->opts.seed, ci, &co);
	set_str(m, "Name", co.name);
	set_str(m, "Website", co.website);
	set_str(m, "Phone", co.phone);
	set_str(m, "BillingCity", co.city);
	gen_address(g->s, m, "BillingState", "BillingCountry", co.state, co.country);
	set_str(m, "Industry", co.industry);
	json_object_set_new(m, "NumberOfEmployees", json_integer(co.employees));
	json_object_set_new(m, "AnnualRevenue", json_real(co.annual_revenue));
	set_str(m, "Type", types[ci % 4]);
	return gen_insert(g, SF_ACCOUNT, m);
}

static json_t *gen_person_fields(struct gen *g, const struct sim_person *p, bool lead)
{
	json_t *m = json_object();

	set_str(m, "FirstName", p->first);
	set_str(m, "LastName", p->last);
	set_str(m, "Email", p->email);
	set_str(m, "Phone", p->phone);
	set_str(m, "MobilePhone", p->mobile);
	set_str(m, "Title", p->title);
	set_str(m, "LeadSource", p->lead_source);
	if (lead) {
		set_str(m, "Company", p->company);
		set_str(m, "Street", p->street);
		set_str(m, "City", p->city);
		set_str(m, "PostalCode", p->postal);
		gen_address(g->s, m, "State", "Country", p->state, p->country);
		set_str(m, "Website", p->website);
		set_str(m, "Industry", p->industry);
		json_object_set_new(m, "AnnualRevenue", json_real(p->annual_revenue));
		json_object_set_new(m, "NumberOfEmployees", json_integer(p->employees));
	} else {
		set_str(m, "MailingStreet", p->street);
		set_str(m, "MailingCity", p->city);
		set_str(m, "MailingPostalCode", p->postal);
		gen_address(g->s, m, "MailingState", "MailingCountry", p->state, p->country);
	}
	return m;
}

/* E-mails of people whose data makes the side's flows fail (SIM_DIRT_FLOW),
 * across the whole universe both sides draw from. */
static void gen_flow_emails(struct sim_side *s, size_t upto)
{
	json_t *emails = json_array(), *rule;
	struct sim_person p;
	size_t i;

	for (i = 0; i < upto; i++) {
		sim_gen_person(s->opts.seed, i, s->opts.dirty, &p);
		if (p.dirt == SIM_DIRT_FLOW)
			json_array_append_new(emails, json_string(p.email));
	}
	json_array_foreach(sf_config_get(s, "flows"), i, rule) {
		const char *op = json_string_value(json_object_get(rule, "op"));
		json_t *vals = json_object_get(rule, "values");
		if (op && strcmp(op, "in") == 0 && json_is_array(vals) && json_array_size(vals) == 0)
			json_object_set(rule, "values", emails);
	}
	json_decref(emails);
}

static void gen_activities(struct gen *g, struct sf_rec **contacts, size_t nc,
			   struct sf_rec **leads, size_t nl, struct sf_rec **opps, size_t no)
{
	static const char *const status[] = {"Not Started", "In Progress", "Completed",
					     "Waiting on someone else", "Deferred"};
	static const char *const prio[] = {"High", "Normal", "Low"};
	static const char *const subj[] = {"Call", "Send Letter", "Send Quote", "Other",
					   "Follow up on pricing", "Intro call"};
	size_t ntask = g->s->opts.records / 2, nev = g->s->opts.records / 10;
	char date[16], ts[40];

	for (size_t i = 0; i < ntask && (nc || nl); i++) {
		json_t *m = json_object();
		uint64_t r = sim_rand_next(&g->rng);
		bool lead = nl && (r % 10 < 3 || !nc);
		struct sf_rec *who = lead ? leads[r % nl] : contacts[r % nc];
		int64_t due = g->t + (int64_t)((r >> 8) % 60 - 30) * 86400000LL;

		json_object_set_new(m, "WhoId", json_string(who->id));
		if (!lead && no && (r >> 20) % 3 == 0)
			json_object_set_new(m, "WhatId", json_string(opps[(r >> 24) % no]->id));
		else if (!lead && json_object_get(who->f, "AccountId"))
			json_object_set(m, "WhatId", json_object_get(who->f, "AccountId"));
		set_str(m, "Subject", subj[(r >> 12) % 6]);
		set_str(m, "Status", status[(r >> 16) % 5]);
		set_str(m, "Priority", prio[(r >> 28) % 3]);
		sim_fmt_sf_time(due, ts, sizeof(ts));
		snprintf(date, sizeof(date), "%.10s", ts);
		set_str(m, "ActivityDate", date);
		gen_insert(g, SF_TASK, m);
	}
	for (size_t i = 0; i < nev && nc; i++) {
		json_t *m = json_object();
		uint64_t r = sim_rand_next(&g->rng);
		int64_t start = g->t + (int64_t)((r >> 8) % 30) * 86400000LL;
		struct sf_rec *who = contacts[r % nc];

		json_object_set_new(m, "WhoId", json_string(who->id));
		set_str(m, "Subject", "Meeting");
		sim_fmt_sf_time(start, ts, sizeof(ts));
		set_str(m, "StartDateTime", ts);
		set_str(m, "ActivityDateTime", ts);
		snprintf(date, sizeof(date), "%.10s", ts);
		set_str(m, "ActivityDate", date);
		sim_fmt_sf_time(start + 3600000, ts, sizeof(ts));
		set_str(m, "EndDateTime", ts);
		json_object_set_new(m, "DurationInMinutes", json_integer(60));
		gen_insert(g, SF_EVENT, m);
	}
}

int sf_generate(struct sim_side *s)
{
	size_t n = s->opts.records, first = sim_gen_sf_first(n, s->opts.overlap);
	size_t nc = 0, nl = 0, no = 0, ndel = 0, nopp = n / 4;
	struct sf_rec **contacts = calloc(n + 1, sizeof(*contacts));
	struct sf_rec **leads = calloc(n + 1, sizeof(*leads));
	struct sf_rec **opps = calloc(nopp + 1, sizeof(*opps));
	struct sf_rec **dels = calloc(n + 1, sizeof(*dels));
	struct sf_rec *accounts[SIM_GEN_NCOMPANIES] = {0};
	struct gen g = {.s = s, .rng = s->opts.seed * 31 + 7};
	int64_t now = sim_now_ms();
	size_t total = 4 + (n < SIM_GEN_NCOMPANIES ? n : SIM_GEN_NCOMPANIES) + n + n / 50 +
		       nopp * 7 / 3 + n / 2 + n / 10 + n / 100;
	struct sf_rec *u;
	int rc = -ENOMEM;

	if (!contacts || !leads || !opps || !dels)
		goto out;
	g.t = now - 45LL * 86400000;
	g.step = (45LL * 86400000 - 120000) / (int64_t)total;
	if (g.step < 1)
		g.step = 1;
	gen_flow_emails(s, first + n);

	if (!(u = gen_user(&g, "crmsync", "Integration", "integration")))
		goto out;
	memcpy(s->user_id, u->id, 19);
	snprintf(g.owners[0], 19, "%s", u->id);
	if (!(u = gen_user(&g, "Ada", "Admin", "admin")))
		goto out;
	memcpy(s->admin_id, u->id, 19);
	memcpy(g.owners[0], u->id, 19);
	if (!(u = gen_user(&g, "Sam", "Seller", "sam.seller")))
		goto out;
	memcpy(g.owners[1], u->id, 19);
	if (!(u = gen_user(&g, "Olga", "Owner", "olga.owner")))
		goto out;
	memcpy(g.owners[2], u->id, 19);

	for (size_t i = first; i < first + n; i++) {
		struct sim_person p;
		size_t ci = i % SIM_GEN_NCOMPANIES;
		uint64_t h = i * 0x9E3779B97F4A7C15ull + s->opts.seed;
		bool lead;
		struct sf_rec *r;
		json_t *m;

		sim_rand_next(&h);
		lead = h % 100 < 35;
		sim_gen_person(s->opts.seed, i, s->opts.dirty, &p);
		if (!lead && !accounts[ci] && !(accounts[ci] = gen_account(&g, ci)))
			goto out;
		m = gen_person_fields(&g, &p, lead);
		if (!lead)
			json_object_set_new(m, "AccountId", json_string(accounts[ci]->id));
		if (lead)
			set_str(m, "Status", (h >> 8) % 3 ? "Open - Not Contacted" : "Working - Contacted");
		if (!(r = gen_insert(&g, lead ? SF_LEAD : SF_CONTACT, m)))
			goto out;
		if (lead && (h >> 16) % 50 == 0) {
			/* converted: the person now also is a Contact of an Account */
			json_t *cm = gen_person_fields(&g, &p, false), *lm;
			struct sf_rec *c;
			char date[16];
			if (!accounts[ci] && !(accounts[ci] = gen_account(&g, ci)))
				goto out;
			json_object_set_new(cm, "AccountId", json_string(accounts[ci]->id));
			if (!(c = gen_insert(&g, SF_CONTACT, cm)))
				goto out;
			contacts[nc++] = c;
			lm = json_copy(r->f);
			json_object_set_new(lm, "IsConverted", json_true());
			json_object_set_new(lm, "ConvertedContactId", json_string(c->id));
			json_object_set_new(lm, "ConvertedAccountId", json_string(accounts[ci]->id));
			json_object_set_new(lm, "Status", json_string("Closed - Converted"));
			snprintf(date, sizeof(date), "%.10s", json_string_value(json_object_get(c->f, "CreatedDate")));
			json_object_set_new(lm, "ConvertedDate", json_string(date));
			sf_rec_replace(s, r, lm, gen_stamp(&g));
		} else if (lead) {
			leads[nl++] = r;
		} else {
			contacts[nc++] = r;
		}
		if ((h >> 24) % 100 == 1)
			dels[ndel++] = r;
	}
	for (size_t j = 0; j < nopp && nc; j++) {
		static const char *const stages[] = {"Prospecting", "Qualification", "Needs Analysis",
			"Value Proposition", "Proposal/Price Quote", "Negotiation/Review",
			"Closed Won", "Closed Lost"};
		static const char *const roles[] = {"Decision Maker", "Economic Buyer",
			"Technical Buyer", "Influencer", "Evaluator"};
		uint64_t r = sim_rand_next(&g.rng);
		struct sf_rec *c = contacts[r % nc], *opp;
		const char *acct = json_string_value(json_object_get(c->f, "AccountId"));
		struct sf_rec *a = acct ? sf_rec_get(s, acct) : NULL;
		json_t *m = json_object();
		char name[200], date[16], ts[40];

		snprintf(name, sizeof(name), "%s - %s", a ? json_string_value(json_object_get(a->f, "Name")) : "Deal",
			 (r >> 8) % 2 ? "New Business" : "Renewal");
		set_str(m, "Name", name);
		if (acct)
			set_str(m, "AccountId", acct);
		set_str(m, "StageName", stages[(r >> 12) % 8]);
		json_object_set_new(m, "Amount", json_real((double)(1000 * (1 + (r >> 20) % 500))));
		sim_fmt_sf_time(g.t + (int64_t)((r >> 32) % 120) * 86400000LL, ts, sizeof(ts));
		snprintf(date, sizeof(date), "%.10s", ts);
		set_str(m, "CloseDate", date);
		set_str(m, "Type", (r >> 8) % 2 ? "New Customer" : "Existing Customer - Upgrade");
		json_object_set_new(m, "StageName", json_string(stages[(r >> 12) % 8]));
		{
			json_t *in = json_pack("{s:s}", "StageName", stages[(r >> 12) % 8]);
			sf_derive(s, &s->objs[SF_OPPORTUNITY], m, in, true);
			json_decref(in);
		}
		if (!(opp = gen_insert(&g, SF_OPPORTUNITY, m)))
			goto out;
		opps[no++] = opp;
		m = json_pack("{s:s, s:s, s:s, s:b}", "OpportunityId", opp->id, "ContactId", c->id,
			      "Role", roles[(r >> 40) % 5], "IsPrimary", 1);
		if (!gen_insert(&g, SF_OCR, m))
			goto out;
		if ((r >> 44) % 3 == 0 && nc > 1) {
			struct sf_rec *c2 = contacts[(r >> 46) % nc];
			if (c2 != c) {
				m = json_pack("{s:s, s:s, s:s, s:b}", "OpportunityId", opp->id,
					      "ContactId", c2->id, "Role", roles[(r >> 50) % 5], "IsPrimary", 0);
				if (!gen_insert(&g, SF_OCR, m))
					goto out;
			}
		}
	}
	gen_activities(&g, contacts, nc, leads, nl, opps, no);
	/* deletions last, so the recent delete log has entries */
	for (size_t i = 0; i < ndel; i++)
		sf_rec_soft_delete(s, dels[i], gen_stamp(&g));
	s->last_stamp = g.t;
	rc = 0;
out:
	free(contacts);
	free(leads);
	free(opps);
	free(dels);
	return rc;
}
