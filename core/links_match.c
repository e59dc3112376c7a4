/*
 * links_match.c - matching through partners (ABI 1.3, CRMSYNC_LINK_MATCH):
 * a company without a pair takes the Account its contacts belong to, and an
 * Account without a pair the company its Contacts' HubSpot partners are
 * associated with; contacts not synced yet are followed by email. Several
 * candidates: reported as ambiguous, never guessed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "links_priv.h"
#include "log.h"

/* ---- matching through partners (companies through their contacts) ------- */

struct match_read {
	struct strmap acc;      /* unit (as "%p") -> chosen Account id, "" when ambiguous */
	struct strmap contact_unit; /* Salesforce Contact id -> unit */
	char **contacts;
	size_t ncontacts;
	struct strmap unpaired; /* HubSpot contact id (not synced yet) -> unit */
	char **hs_unpaired;
	size_t nunpaired;
	struct strmap email_unit; /* lowercased email -> unit */
};

/* The target object's de-duplication property and field (contacts: email,
 * Email): the path to its records before they are paired. */
static const struct crmsync_object_ops *target_ops(struct sync_obj *o)
{
	struct crmsync_instance *t = lk_object_enabled(o->e->cfg, o->match_link->target);

	return t && t->plugin ? &t->plugin->object : NULL;
}

static char *lowered(const char *v)
{
	char *c = xstrdup(v);

	for (char *p = c; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return c;
}

static void propose(struct match_read *mr, struct unit *u, const char *acc)
{
	char key[32];
	const char *have;

	snprintf(key, sizeof(key), "%p", (void *)u);
	have = strmap_get(&mr->acc, key);
	if (!have)
		strmap_put(&mr->acc, key, xstrdup(acc));
	else if (*have && strcmp(have, acc) != 0) {
		free((char *)have);
		strmap_put(&mr->acc, key, xstrdup("")); /* contacts at different Accounts */
	}
}

static void on_match_assoc(struct sync_obj *o, struct unit *u, const char *to, int primary, void *arg)
{
	struct match_read *mr = arg;
	struct store_pair p;

	(void)primary;
	if (store_idmap_by_hs(o->e->store, o->match_link->target, to, &p) != 0) {
		/* not synced yet: found through its email below */
		if (!strmap_get(&mr->unpaired, to)) {
			strmap_put(&mr->unpaired, to, u);
			mr->hs_unpaired = xrealloc(mr->hs_unpaired,
						   (mr->nunpaired + 1) * sizeof(*mr->hs_unpaired));
			mr->hs_unpaired[mr->nunpaired++] = xstrdup(to);
		}
		return;
	}
	if (!p.sf_id[0] || p.deleted_at || strcmp(p.sf_type, o->match_link->salesforce_object) != 0)
		return;
	if (strmap_get(&mr->contact_unit, p.sf_id))
		return;
	strmap_put(&mr->contact_unit, p.sf_id, u);
	mr->contacts = xrealloc(mr->contacts, (mr->ncontacts + 1) * sizeof(*mr->contacts));
	mr->contacts[mr->ncontacts++] = xstrdup(p.sf_id);
}

struct match_cb {
	struct sync_obj *o;
	struct match_read *mr;
};

static int on_match_contact(json_t *j, void *user)
{
	struct match_cb *mc = user;
	const char *id = json_string_value(json_object_get(j, "Id"));
	const char *acc = json_string_value(json_object_get(j, mc->o->match_link->salesforce_field));
	struct unit *u = id ? strmap_get(&mc->mr->contact_unit, id) : NULL;

	if (u && acc && *acc)
		propose(mc->mr, u, acc);
	return 0;
}

/* A Salesforce Contact found by the email of an unpaired HubSpot contact. */
static int on_match_email(json_t *j, void *user)
{
	struct match_cb *mc = user;
	const struct crmsync_object_ops *t = target_ops(mc->o);
	const char *email = t ? json_string_value(json_object_get(j, t->dedupe_salesforce_field)) : NULL;
	const char *acc = json_string_value(json_object_get(j, mc->o->match_link->salesforce_field));
	struct unit *u;
	char *low;

	if (!email || !acc || !*acc)
		return 0;
	low = lowered(email);
	u = strmap_get(&mc->mr->email_unit, low);
	free(low);
	if (u)
		propose(mc->mr, u, acc);
	return 0;
}

/* Unpaired HubSpot contacts of the companies: their emails, then the
 * Salesforce Contacts with those emails and their Accounts. */
static int match_by_emails(struct sync_obj *o, struct match_read *mr)
{
	const struct crmsync_object_ops *t = target_ops(o);
	char **emails = NULL;
	size_t ne = 0;
	int err = 0;

	if (!t || !t->dedupe_hubspot_property || !t->dedupe_salesforce_field || !mr->nunpaired)
		return 0;
	for (size_t i = 0; i < mr->nunpaired && !err; i += ASSOC_CHUNK) {
		json_t *inputs = json_array(), *props = json_pack("[s]", t->dedupe_hubspot_property);
		json_t *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < mr->nunpaired && k < i + ASSOC_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", mr->hs_unpaired[k]));
		err = hs_batch_read(o->e->hs, o->match_link->target_hubspot_object, props, inputs, NULL,
				    &resp, &herr);
		json_decref(inputs);
		json_decref(props);
		if (err) {
			log_err("%s: cannot read HubSpot %s: %s %s", o->inst->tag,
				o->match_link->target_hubspot_object, herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			const char *id = json_string_value(json_object_get(r, "id"));
			const char *email = json_string_value(json_object_get(json_object_get(r, "properties"),
									       t->dedupe_hubspot_property));
			struct unit *u = id ? strmap_get(&mr->unpaired, id) : NULL;
			char *low;

			if (!u || !email || !*email)
				continue;
			low = lowered(email);
			if (!strmap_get(&mr->email_unit, low)) {
				strmap_put(&mr->email_unit, low, u);
				emails = xrealloc(emails, (ne + 1) * sizeof(*emails));
				emails[ne++] = low;
			} else {
				free(low);
			}
		}
		json_decref(resp);
	}
	if (!err && ne) {
		struct match_cb mc = { o, mr };
		struct sf_lookups l = { 0 };
		char *sel = xasprintf("SELECT Id, %s, %s FROM %s", o->match_link->salesforce_field,
				      t->dedupe_salesforce_field, o->match_link->salesforce_object);

		lookups_add_soql(&l, sel, t->dedupe_salesforce_field, emails, ne, &mc);
		free(sel);
		err = lookups_run(o, &l, on_match_email);
		lookups_release(&l);
	}
	for (size_t i = 0; i < ne; i++)
		free(emails[i]);
	free(emails);
	return err;
}

/* The other way round: an Account without a pair takes the one unpaired
 * HubSpot company that the HubSpot partners of its synced Contacts are
 * associated with (a company HubSpot created from an email domain, say), so
 * the Account does not create a second company. */
struct rmatch {
	struct sync_obj *o;
	struct strmap contact_acc;   /* HubSpot contact id -> Account id (borrowed from units) */
	struct strmap acc_company;   /* Account id -> company id (owned), "" when ambiguous */
	char **hs_contacts;
	size_t nhs;
	struct strmap email_acc;     /* lowercased email of an unpaired Contact -> Account id */
	char **emails;
	size_t nemails;
};

static int on_rmatch_contact(json_t *j, void *user)
{
	struct rmatch *rm = user;
	struct sync_obj *o = rm->o;
	const char *id = json_string_value(json_object_get(j, "Id"));
	const char *acc = json_string_value(json_object_get(j, o->match_link->salesforce_field));
	struct unit *u = acc ? strmap_get(&o->by_sf, acc) : NULL;
	struct store_pair p;

	if (!id || !u || !u->sf || strcmp(u->sf->id, acc) != 0)
		return 0;
	if (store_idmap_by_sf(o->e->store, o->match_link->target, id, &p) != 0) {
		/* not synced yet: its HubSpot partner is found by email below */
		const struct crmsync_object_ops *t = target_ops(o);
		const char *email = t && t->dedupe_salesforce_field
					    ? json_string_value(json_object_get(j, t->dedupe_salesforce_field))
					    : NULL;
		char *low;

		if (!email || !*email)
			return 0;
		low = lowered(email);
		if (!strmap_get(&rm->email_acc, low)) {
			strmap_put(&rm->email_acc, low, u->sf->id);
			rm->emails = xrealloc(rm->emails, (rm->nemails + 1) * sizeof(*rm->emails));
			rm->emails[rm->nemails++] = low;
		} else {
			free(low);
		}
		return 0;
	}
	if (!p.hs_id[0] || p.deleted_at || strmap_get(&rm->contact_acc, p.hs_id))
		return 0;
	strmap_put(&rm->contact_acc, p.hs_id, u->sf->id);
	rm->hs_contacts = xrealloc(rm->hs_contacts, (rm->nhs + 1) * sizeof(*rm->hs_contacts));
	rm->hs_contacts[rm->nhs++] = xstrdup(p.hs_id);
	return 0;
}

static int on_hs_company(struct sync_obj *o, json_t *j, void *arg)
{
	struct crmsync_record *rec = record_from_hs(j, o->hs_object);
	struct unit *u = rec->id ? strmap_get(&o->by_hs, rec->id) : NULL;

	(void)arg;
	if (!u || u->hs) {
		record_free(rec);
		return 0;
	}
	u->hs = rec;
	u->hs_mod = hs_parse_time(record_get(rec, o->hs_modprop));
	return 0;
}

static int match_sf_side(struct sync_obj *o)
{
	struct rmatch rm = { o, { 0 }, { 0 }, NULL, 0, { 0 }, NULL, 0 };
	const struct crmsync_object_ops *tops = target_ops(o);
	char **accs = xcalloc(o->nunits + 1, sizeof(*accs));
	size_t n = 0;
	int err = 0;

	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (u->sf && !u->hs && !u->has_pair && !u->sf_deleted && u->action != ACT_SKIP &&
		    strcmp(u->sf->object, o->match_link->target_salesforce_object) == 0)
			accs[n++] = u->sf->id;
	}
	if (n) {
		struct sf_lookups l = { 0 };
		char *sel = xasprintf("SELECT Id, %s%s%s FROM %s", o->match_link->salesforce_field,
				      tops && tops->dedupe_salesforce_field ? ", " : "",
				      tops && tops->dedupe_salesforce_field ? tops->dedupe_salesforce_field : "",
				      o->match_link->salesforce_object);

		lookups_add_soql(&l, sel, o->match_link->salesforce_field, accs, n, &rm);
		free(sel);
		err = lookups_run(o, &l, on_rmatch_contact);
		lookups_release(&l);
	}
	/* unpaired Contacts: their HubSpot contacts by email */
	for (size_t i = 0; !err && tops && tops->dedupe_hubspot_property && i < rm.nemails; i += ASSOC_CHUNK) {
		json_t *inputs = json_array(), *props = json_pack("[s]", tops->dedupe_hubspot_property);
		json_t *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < rm.nemails && k < i + ASSOC_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", rm.emails[k]));
		err = hs_batch_read(o->e->hs, o->match_link->target_hubspot_object, props, inputs,
				    tops->dedupe_hubspot_property, &resp, &herr);
		json_decref(inputs);
		json_decref(props);
		if (err) {
			log_err("%s: cannot read HubSpot %s by %s: %s %s", o->inst->tag,
				o->match_link->target_hubspot_object, tops->dedupe_hubspot_property,
				herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			const char *id = json_string_value(json_object_get(r, "id"));
			const char *email = json_string_value(json_object_get(json_object_get(r, "properties"),
									       tops->dedupe_hubspot_property));
			char *low = email ? lowered(email) : NULL;
			const char *acc = low ? strmap_get(&rm.email_acc, low) : NULL;

			free(low);
			if (!id || !acc || strmap_get(&rm.contact_acc, id))
				continue;
			strmap_put(&rm.contact_acc, id, (void *)acc);
			rm.hs_contacts = xrealloc(rm.hs_contacts, (rm.nhs + 1) * sizeof(*rm.hs_contacts));
			rm.hs_contacts[rm.nhs++] = xstrdup(id);
		}
		json_decref(resp);
	}
	for (size_t i = 0; !err && i < rm.nhs; i += ASSOC_READ_CHUNK) {
		json_t *inputs = json_array(), *resp = NULL, *r;
		struct hs_error herr;
		size_t k;

		for (k = i; k < rm.nhs && k < i + ASSOC_READ_CHUNK; k++)
			json_array_append_new(inputs, json_pack("{s:s}", "id", rm.hs_contacts[k]));
		err = hs_assoc_batch(o->e->hs, o->match_link->target_hubspot_object, o->hs_object, "read",
				     inputs, &resp, &herr);
		json_decref(inputs);
		if (err) {
			log_err("%s: cannot read HubSpot associations of %s: %s %s", o->inst->tag,
				o->match_link->target_hubspot_object, herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), k, r) {
			char b1[32], b2[32];
			const char *from = lk_to_id_text(json_object_get(json_object_get(r, "from"), "id"), b1,
						      sizeof(b1));
			const char *acc = from ? strmap_get(&rm.contact_acc, from) : NULL;
			json_t *t;
			size_t m;

			if (!acc)
				continue;
			json_array_foreach(json_object_get(r, "to"), m, t) {
				const char *co = lk_to_id_text(json_object_get(t, "toObjectId"), b2, sizeof(b2));
				char *have = strmap_get(&rm.acc_company, acc);
				struct store_pair p;

				if (!co || store_idmap_by_hs(o->e->store, o->inst->name, co, &p) == 0)
					continue; /* that company has its Account already */
				if (!have)
					strmap_put(&rm.acc_company, acc, xstrdup(co));
				else if (*have && strcmp(have, co) != 0) {
					free(have);
					strmap_put(&rm.acc_company, acc, xstrdup(""));
				}
			}
		}
		json_decref(resp);
	}
	if (!err) {
		char **fetch = xcalloc(n + 1, sizeof(*fetch));
		size_t nf = 0;

		for (size_t i = 0; i < n; i++) {
			struct unit *u = strmap_get(&o->by_sf, accs[i]), *other;
			const char *co = strmap_get(&rm.acc_company, accs[i]);

			if (!u || !co)
				continue;
			if (!*co) {
				u->ambiguous = 1;
				o->n_ambiguous++;
				log_info("%s: Account %s: its contacts' HubSpot contacts belong to different "
					 "companies; not matched", o->inst->tag, accs[i]);
				continue;
			}
			other = strmap_get(&o->by_hs, co);
			if (other && other != u) {
				if (other->sf || other->has_pair || !other->hs)
					continue;
				u->hs = other->hs;
				u->hs_mod = other->hs_mod;
				other->hs = NULL;
				other->action = ACT_SKIP;
				other->skip_reason = "merged";
			} else if (!other) {
				fetch[nf++] = xstrdup(co);
			}
			strmap_put(&o->by_hs, co, u);
			log_info("%s: Account %s matched company %s through its contacts", o->inst->tag,
				 accs[i], co);
			o->n_matched_links++;
		}
		if (nf)
			err = hs_read_by(o, NULL, fetch, nf, on_hs_company, NULL);
		for (size_t i = 0; i < nf; i++)
			free(fetch[i]);
		free(fetch);
	}
	for (size_t i = 0; i < rm.acc_company.cap; i++)
		if (rm.acc_company.slots && rm.acc_company.slots[i].key)
			free(rm.acc_company.slots[i].value);
	strmap_release(&rm.acc_company);
	strmap_release(&rm.contact_acc);
	strmap_release(&rm.email_acc);
	for (size_t i = 0; i < rm.nemails; i++)
		free(rm.emails[i]);
	free(rm.emails);
	for (size_t i = 0; i < rm.nhs; i++)
		free(rm.hs_contacts[i]);
	free(rm.hs_contacts);
	free(accs);
	return err;
}

int links_match(struct sync_obj *o)
{
	struct match_read mr = { 0 };
	struct unit **units;
	size_t n = 0;
	int err = 0;

	if (!o->match_link || !o->nsfo)
		return 0;
	units = xcalloc(o->nunits + 1, sizeof(*units));
	for (size_t i = 0; i < o->nunits; i++) {
		struct unit *u = o->units[i];

		if (u->hs && !u->sf && !u->has_pair && u->action != ACT_SKIP)
			units[n++] = u;
	}
	if (n)
		err = lk_read_assocs(o, o->match_link->target_hubspot_object, 0, units, n, on_match_assoc,
				  &mr);
	if (!err && mr.ncontacts) {
		struct match_cb mc = { o, &mr };
		struct sf_lookups l = { 0 };
		char *sel = xasprintf("SELECT Id, %s FROM %s", o->match_link->salesforce_field,
				      o->match_link->salesforce_object);

		lookups_add_soql(&l, sel, "Id", mr.contacts, mr.ncontacts, &mc);
		free(sel);
		err = lookups_run(o, &l, on_match_contact);
		lookups_release(&l);
	}
	if (!err)
		err = match_by_emails(o, &mr);
	if (!err) {
		char **ids = xcalloc(n + 1, sizeof(*ids));
		size_t nids = 0;

		for (size_t i = 0; i < n; i++) {
			struct unit *u = units[i], *other;
			char key[32];
			const char *acc;
			struct store_pair p;

			snprintf(key, sizeof(key), "%p", (void *)u);
			acc = strmap_get(&mr.acc, key);
			if (!acc)
				continue;
			if (!*acc) {
				u->ambiguous = 1;
				o->n_ambiguous++;
				log_info("%s: company %s: its contacts belong to different Accounts; not "
					 "matched", o->inst->tag, u->hs->id);
				continue;
			}
			if (store_idmap_by_sf(o->e->store, o->inst->name, acc, &p) == 0)
				continue; /* that Account has its company already */
			other = strmap_get(&o->by_sf, acc);
			if (other && other != u && other->sf && !other->has_pair) {
				u->sf = other->sf;
				u->sf_mod = other->sf_mod;
				snprintf(u->sf_type, sizeof(u->sf_type), "%s", other->sf_type);
				other->sf = NULL;
				other->action = ACT_SKIP;
				other->skip_reason = "merged";
				strmap_put(&o->by_sf, acc, u);
			} else if (!other) {
				strmap_put(&o->by_sf, acc, u);
				ids[nids++] = xstrdup(acc);
			} else {
				continue;
			}
			log_info("%s: company %s matched Account %s through its contacts", o->inst->tag,
				 u->hs->id, acc);
			o->n_matched_links++;
		}
		if (nids) {
			struct pull_ctx *pcs = pull_ctxs(o);
			struct sf_lookups l = { 0 };

			lookups_add(&l, &o->sfo[0], "Id", ids, nids, &pcs[0]);
			err = lookups_run(o, &l, on_sf_partner);
			lookups_release(&l);
			free(pcs);
			for (size_t i = 0; i < nids; i++) {
				struct unit *u = strmap_get(&o->by_sf, ids[i]);

				if (u && u->sf)
					snprintf(u->sf_type, sizeof(u->sf_type), "%s", u->sf->object);
			}
		}
		for (size_t i = 0; i < nids; i++)
			free(ids[i]);
		free(ids);
	}
	for (size_t i = 0; i < mr.acc.cap; i++)
		if (mr.acc.slots && mr.acc.slots[i].key)
			free(mr.acc.slots[i].value);
	strmap_release(&mr.acc);
	strmap_release(&mr.contact_unit);
	strmap_release(&mr.unpaired);
	strmap_release(&mr.email_unit);
	for (size_t i = 0; i < mr.ncontacts; i++)
		free(mr.contacts[i]);
	free(mr.contacts);
	for (size_t i = 0; i < mr.nunpaired; i++)
		free(mr.hs_unpaired[i]);
	free(mr.hs_unpaired);
	free(units);
	if (!err)
		err = match_sf_side(o);
	return err;
}

