/*
 * association.c - resolver for records tied to a partner that is missing:
 * not synced yet, deleted, converted (Lead to Contact), or over an
 * association limit. Names the partner (object and id) and lists as
 * affected every partner record the failing one refers to, since they are
 * held back with it. Retried when the partner syncs; an association limit is
 * never retried (the admin removes associations or raises the limit, then
 * resyncs).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "../common/resolver_util.h"

#define TYPE "association"

static const struct crmsync_host *host; /* borrowed from init until fini */

static const char *const codes[] = {
	"INVALID_CROSS_REFERENCE_KEY",
	"ENTITY_IS_DELETED",
	"CANNOT_UPDATE_CONVERTED_LEAD",
	"NOT_FOUND",
	"hubspot:OBJECT_NOT_FOUND",
	/* crmsync held the record back: a link's partner has not synced */
	"PARTNER_NOT_SYNCED",
	"hubspot:PARTNER_NOT_SYNCED",
	NULL,
};

/* Fields that name a partner record, and the partner's object when the id
 * itself does not tell (HubSpot ids are plain numbers). */
static const struct partner_field {
	enum crmsync_side side;
	const char *field;
	const char *object;
} partner_fields[] = {
	{CRMSYNC_SIDE_HUBSPOT, "associatedcompanyid", "companies"},
	{CRMSYNC_SIDE_HUBSPOT, "associatedcontactid", "contacts"},
	{CRMSYNC_SIDE_HUBSPOT, "associateddealid", "deals"},
	{CRMSYNC_SIDE_HUBSPOT, "associations.companies", "companies"},
	{CRMSYNC_SIDE_HUBSPOT, "associations.contacts", "contacts"},
	{CRMSYNC_SIDE_HUBSPOT, "associations.deals", "deals"},
	{CRMSYNC_SIDE_SALESFORCE, "AccountId", "Account"},
	{CRMSYNC_SIDE_SALESFORCE, "ContactId", "Contact"},
	{CRMSYNC_SIDE_SALESFORCE, "OpportunityId", "Opportunity"},
	{CRMSYNC_SIDE_SALESFORCE, "WhoId", "Contact"},
	{CRMSYNC_SIDE_SALESFORCE, "WhatId", "Account"},
	{CRMSYNC_SIDE_SALESFORCE, "ParentId", "Account"},
	{CRMSYNC_SIDE_SALESFORCE, "ReportsToId", "Contact"},
	{CRMSYNC_SIDE_SALESFORCE, "ConvertedAccountId", "Account"},
	{CRMSYNC_SIDE_SALESFORCE, "ConvertedContactId", "Contact"},
	{CRMSYNC_SIDE_SALESFORCE, "ConvertedOpportunityId", "Opportunity"},
};

struct partner {
	const char *object;
	char id[RU_SHORT];
};

static const char *partner_object(const struct partner_field *pf, const char *id)
{
	const char *o = pf->side == CRMSYNC_SIDE_SALESFORCE ? ru_sf_object_of_id(id) : NULL;

	return o ? o : pf->object;
}

/* Adds every id of one field's value (HubSpot lists are ';' or ','
 * separated) as affected; the first becomes *first when still unset. */
static int add_partners(struct crmsync_diagnosis *diag, const struct partner_field *pf,
			const char *value, struct partner *first)
{
	const char *p = value;

	while (p && *p) {
		char id[RU_SHORT];
		size_t n = strcspn(p, ";, ");
		int e;

		if (n && ru_copy_span(id, sizeof(id), p, n)) {
			e = host->diag_add_affected(diag, pf->side, partner_object(pf, id), id);
			if (e < 0)
				return e;
			if (!first->id[0]) {
				first->object = partner_object(pf, id);
				snprintf(first->id, sizeof(first->id), "%s", id);
			}
		}
		p += n;
		while (*p == ';' || *p == ',' || *p == ' ')
			p++;
	}
	return 0;
}

/* Every partner the records refer to is added as affected. The partner shown
 * is the one the error names through its fields (AccountId), else the first
 * one on the refusing side, else the first one on the other side. */
static int collect_partners(const struct crmsync_failure *f, struct crmsync_diagnosis *diag,
			    struct partner *first)
{
	const char *named = ru_first_field(f);

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < sizeof(partner_fields) / sizeof(partner_fields[0]); i++) {
			const struct partner_field *pf = &partner_fields[i];
			const struct crmsync_record *rec =
				pf->side == CRMSYNC_SIDE_HUBSPOT ? f->hubspot : f->salesforce;
			const char *v = rec ? host->rec_get(rec, pf->field) : NULL;
			int e;

			/* Pass 0: the refusing side; pass 1: the other side. */
			if ((pf->side == f->side) != (pass == 0) || !ru_nonempty(v))
				continue;
			if (named && strcmp(named, pf->field) == 0) {
				first->object = partner_object(pf, v);
				snprintf(first->id, sizeof(first->id), "%s", v);
			}
			e = add_partners(diag, pf, v, first);
			if (e < 0)
				return e;
		}
	}
	return 0;
}

/* The number in "… limit of 10000 …", "maximum of 1", "limit (10)". */
static int parse_limit(const char *msg, char *buf, size_t size)
{
	static const char *const pats[] = {"limit of ", "maximum of ", "limit (", "limit: ", "limit="};

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		const char *p = ru_strcasestr(msg, pats[i]);
		size_t n = 0;

		if (!p)
			continue;
		p += strlen(pats[i]);
		while (isdigit((unsigned char)p[n]) || (n && p[n] == ','))
			n++;
		if (n && ru_copy_span(buf, size, p, n))
			return 1;
	}
	return 0;
}

static int classify(struct crmsync_instance *inst, void *ctx, const struct crmsync_failure *f,
		    struct crmsync_diagnosis *diag)
{
	struct crmsync_failure fcopy; /* f, with the fields its raw body names */
	struct ru_fields fstore;
	struct partner partner = {NULL, ""};
	char limit[32] = "", hint[RU_LONG];
	const char *object, *problem, *field;
	enum crmsync_retry retry = CRMSYNC_RETRY_WITH_PARTNER;
	int is_limit = 0, err;

	(void)inst;
	(void)ctx;
	if (!f || !diag || !host)
		return -EINVAL;
	f = ru_with_fields(f, &fcopy, &fstore);
	if (!ru_match_any(f, codes) && !ru_is_hubspot_association(f))
		return CRMSYNC_DECLINED;
	object = ru_object_name(host, f, "record");
	field = ru_first_field(f);

	err = collect_partners(f, diag, &partner);
	if (err < 0)
		return err;
	if (ru_is_hubspot_association(f) && ru_strcasestr(f->message, "limit")) {
		is_limit = 1;
		parse_limit(f->message, limit, sizeof(limit));
		retry = CRMSYNC_RETRY_NEVER;
		problem = "association limit reached";
		snprintf(hint, sizeof(hint),
			 "HubSpot refused the association because a record reached its association "
			 "limit%s%s. Remove associations that are no longer needed from the %s record or "
			 "its partner%s%s, or raise the limit in HubSpot Settings > Data Management > "
			 "Objects > (object) > Associations. Then resync.",
			 limit[0] ? " of " : "", limit, object, partner.id[0] ? " " : "", partner.id);
	} else if (ru_streq(f->code, "CANNOT_UPDATE_CONVERTED_LEAD")) {
		const struct crmsync_record *sf = f->salesforce;
		const char *lead = sf ? host->rec_id(sf) : NULL;

		if (!partner.id[0] && ru_nonempty(lead)) {
			partner.object = "Lead";
			snprintf(partner.id, sizeof(partner.id), "%s", lead);
		}
		problem = "Salesforce Lead was converted";
		snprintf(hint, sizeof(hint),
			 "Salesforce Lead %s was converted to a Contact, so it can no longer be updated. "
			 "crmsync retries when the converted Contact syncs and takes the Lead's place; if "
			 "it does not, check that Contacts are synced and that the Contact is visible to "
			 "the integration user, then resync.",
			 partner.id[0] ? partner.id : "(id unknown)");
	} else if (ru_streq(f->code, "ENTITY_IS_DELETED") || ru_streq(f->code, "NOT_FOUND") ||
		   ru_streq(f->code, "OBJECT_NOT_FOUND")) {
		problem = "associated record is deleted";
		snprintf(hint, sizeof(hint),
			 "The %s record or a record it is associated with%s%s%s%s%s is deleted in %s. "
			 "Restore it from the recycle bin, or remove the association on the other side; "
			 "crmsync retries when the partner syncs again.",
			 object, partner.id[0] ? " (" : "", partner.id[0] ? partner.object : "",
			 partner.id[0] ? " " : "", partner.id, partner.id[0] ? ")" : "",
			 f->side == CRMSYNC_SIDE_HUBSPOT ? "HubSpot" : "Salesforce");
	} else {
		problem = "associated record is not synced";
		snprintf(hint, sizeof(hint),
			 "This %s refers%s%s to %s %s, which %s does not have (not synced yet, or not "
			 "visible to the integration user). crmsync retries when that record syncs. If "
			 "it never does, check that it passes the inclusion list and object settings of "
			 "its object, or remove the association, then resync.",
			 object, field ? " through " : "", field ? field : "",
			 partner.object ? partner.object : "a record",
			 partner.id[0] ? partner.id : "(id not known)",
			 f->side == CRMSYNC_SIDE_HUBSPOT ? "HubSpot" : "Salesforce");
	}
	ru_detail(host, diag, "partner_object", partner.object, &err);
	ru_detail(host, diag, "partner_id", partner.id, &err);
	ru_detail(host, diag, "field", field, &err);
	ru_detail(host, diag, "limit", is_limit ? limit : NULL, &err);
	ru_detail(host, diag, "problem", problem, &err);
	return ru_finish(host, diag, TYPE, hint, retry, err);
}

static const struct crmsync_resolver_ops resolver_ops = {
	sizeof(struct crmsync_resolver_ops), 0, 0, NULL, NULL, NULL, TYPE, codes, classify,
};

static int plugin_init(const struct crmsync_host *h)
{
	if (!h || h->size < RU_HOST_MIN_SIZE)
		return -EINVAL;
	host = h;
	return 0;
}

static void plugin_fini(void)
{
	host = NULL;
}

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER, "association", VERSION,
	"classifies records held back by a missing, deleted or over-limit partner", plugin_init,
	plugin_fini, NULL, &resolver_ops, NULL,
};
