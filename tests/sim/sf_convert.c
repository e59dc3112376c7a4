/*
 * crmsync-sim, Salesforce side: lead conversion (what SOAP convertLead() or
 * the UI does; there is no REST call for it). Creates or reuses an Account and
 * a Contact and marks the Lead converted, all or nothing.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sf.h"

int sf_lead_convert(struct sim_side *s, struct sf_rec *lead, json_t *opts, struct sf_err *e)
{
	const char *acct = json_string_value(json_object_get(opts, "accountId"));
	const char *cont = json_string_value(json_object_get(opts, "contactId"));
	struct sf_rec *a = acct ? sf_rec_get(s, acct) : NULL;
	struct sf_rec *c = cont ? sf_rec_get(s, cont) : NULL;
	json_t *m, *in;
	char date[16], ts[40];
	size_t mark;
	int rc = -EINVAL;

	if (lead->obj->kind != SF_LEAD || lead->deleted) {
		sf_err_set(e, 400, "INVALID_CROSS_REFERENCE_KEY", NULL, "invalid cross reference id");
		return -EINVAL;
	}
	if (json_is_true(json_object_get(lead->f, "IsConverted"))) {
		sf_err_set(e, 400, "CANNOT_UPDATE_CONVERTED_LEAD", NULL, "cannot reference converted lead");
		return -EINVAL;
	}
	if ((acct && (!a || a->obj->kind != SF_ACCOUNT)) || (cont && (!c || c->obj->kind != SF_CONTACT))) {
		sf_err_set(e, 400, "INVALID_CROSS_REFERENCE_KEY", NULL, "invalid cross reference id");
		return -EINVAL;
	}
	mark = sf_txn_begin(s);
	if (!a) {
		const char *company = json_string_value(json_object_get(lead->f, "Company"));
		in = json_pack("{s:s}", "Name", company ? company : "Unknown company");
		rc = sf_rec_write(s, &s->objs[SF_ACCOUNT], NULL, in, SF_W_ADMIN | SF_W_ALLOWSAVE, &a, e);
		json_decref(in);
		if (rc < 0)
			goto out;
	}
	if (!c) {
		static const char *const copy[] = {"FirstName", "LastName", "Email", "Phone",
						   "MobilePhone", "Title", "LeadSource"};
		in = json_pack("{s:s}", "AccountId", a->id);
		for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
			if (json_object_get(lead->f, copy[i]))
				json_object_set(in, copy[i], json_object_get(lead->f, copy[i]));
		rc = sf_rec_write(s, &s->objs[SF_CONTACT], NULL, in, SF_W_ADMIN | SF_W_ALLOWSAVE, &c, e);
		json_decref(in);
		if (rc < 0)
			goto out;
	}
	m = json_copy(lead->f);
	json_object_set_new(m, "IsConverted", json_true());
	json_object_set_new(m, "ConvertedAccountId", json_string(a->id));
	json_object_set_new(m, "ConvertedContactId", json_string(c->id));
	json_object_set_new(m, "Status", json_string("Closed - Converted"));
	{
		int64_t st = sf_stamp(s);
		sim_fmt_sf_time(st, ts, sizeof(ts));
		snprintf(date, sizeof(date), "%.10s", ts);
		json_object_set_new(m, "ConvertedDate", json_string(date));
		json_object_set_new(m, "LastModifiedDate", json_string(ts));
		json_object_set_new(m, "LastModifiedById", json_string(s->admin_id));
		sf_rec_replace(s, lead, m, st);
	}
	rc = 0;
out:
	sf_txn_end(s, mark, rc == 0);
	return rc;
}
