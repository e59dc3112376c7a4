/*
 * hs_forms.c - HubSpot form submissions read as records of a feed, the
 * virtual object "form_submissions": they are not CRM objects, so they have
 * no search, no batch read and no associations API. The forms API lists the
 * forms (GET /marketing/v3/forms: the live ones, then those archived since
 * the cursor, whose last submissions may not have been read) and each
 * form's submissions, newest first (GET
 * /form-integrations/v1/submissions/forms/{guid}); a submission is keyed by
 * its conversionId and never changes. Its contact is the HubSpot
 * contact with the submitted email (HubSpot files a submission under that
 * contact), found with one batch read per page.
 *
 * A record comes out in the CRM's shape, {"id", "properties"}, so the engine
 * treats it like any other; the contact rides in the property
 * "feed.associations.contacts".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cred.h"
#include "http.h"
#include "hubspot.h"
#include "log.h"
#include "util.h"

#define FORMS_PAGE 100        /* GET /marketing/v3/forms: at most 100 a page */
#define SUBMISSIONS_PAGE 50   /* the submissions API's maximum */

static const struct hs_feed_prop form_props[] = {
	{ "hs_form_id", "string" },
	{ "hs_form_title", "string" },
	{ "hs_page_url", "string" },
	{ "hs_timestamp", "datetime" },
	{ "hs_createdate", "datetime" },
	{ "hs_lastmodifieddate", "datetime" },
	{ "email", "string" },
	{ "hs_submission_values", "string" },
	{ "feed.associations.contacts", "string" },
	{ NULL, NULL }
};

int hs_is_feed(const char *object)
{
	return object && strcmp(object, HS_FEED_FORM_SUBMISSIONS) == 0;
}

const struct hs_feed_prop *hs_feed_props(const char *object)
{
	return hs_is_feed(object) ? form_props : NULL;
}

static void iso_ms(long long ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	/* a hostile value: out of range, before 1970, or not a calendar time */
	if (size < 32 || ms < 0 || !gmtime_r(&t, &tm) || tm.tm_year < 0 || tm.tm_year > 8099) {
		snprintf(buf, size, "%lld", ms);
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* GET path, then path with &after=... while paging.next.after is given.
 * cb gets each page; a nonzero return stops (1: done, negative: error). */
static int get_pages(struct hs_client *hs, const char *path,
		     int (*cb)(json_t *page, void *user), void *user, struct hs_error *herr)
{
	char *after = NULL;
	int err = 0;

	for (;;) {
		char *enc = after ? http_urlencode(after) : NULL;
		char *url = enc ? xasprintf("%s&after=%s", path, enc) : xstrdup(path);
		json_t *resp = NULL;
		const char *next;

		free(enc);
		err = hs_get(hs, url, &resp, herr);
		free(url);
		if (err)
			break;
		if (!json_is_array(json_object_get(resp, "results"))) {
			log_warn("hubspot: the response to %s lacks results", path);
			memset(herr, 0, sizeof(*herr));
			snprintf(herr->category, sizeof(herr->category), "MALFORMED_RESPONSE");
			snprintf(herr->message, sizeof(herr->message), "no results array in %s", path);
			json_decref(resp);
			err = -EBADMSG;
			break;
		}
		err = cb(resp, user);
		next = cred_str(json_object_get(json_object_get(resp, "paging"), "next"), "after");
		/* an empty page, or the same cursor again, ends it as well: a
		 * broken server must not keep us paging forever */
		if (err || !next || (after && strcmp(after, next) == 0) ||
		    !json_array_size(json_object_get(resp, "results"))) {
			json_decref(resp);
			break;
		}
		free(after);
		after = xstrdup(next);
		json_decref(resp);
	}
	free(after);
	return err < 0 ? err : 0;
}

/* ---- the forms ----------------------------------------------------------- */

struct form_list {
	json_t *forms;
	long long archived_since;   /* -1: live forms; else archived at or after */
};

/* A form archived since the cursor may still hold submissions made before
 * it was archived that were not read yet; older archived forms cannot. */
static int on_forms_page(json_t *page, void *user)
{
	struct form_list *fl = user;
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(page, "results"), i, f) {
		int archived = json_is_true(json_object_get(f, "archived"));
		const char *at = cred_str(f, "archivedAt") ? cred_str(f, "archivedAt")
							   : cred_str(f, "updatedAt");

		if (!cred_str(f, "id") || archived != (fl->archived_since >= 0))
			continue;
		if (archived && hs_parse_time(at) >= 0 && hs_parse_time(at) < fl->archived_since)
			continue;
		json_array_append(fl->forms, f);
	}
	return 0;
}

/* A submission's text is "Label: value" lines, labels from the form's
 * fields (the name when the form no longer has the field), then the page. */
static const char *label_of(json_t *form, const char *name)
{
	json_t *g, *f;
	size_t i, k;

	json_array_foreach(json_object_get(form, "fieldGroups"), i, g)
		json_array_foreach(json_object_get(g, "fields"), k, f)
			if (cred_str(f, "name") && strcmp(cred_str(f, "name"), name) == 0)
				return cred_str(f, "label") ? cred_str(f, "label") : name;
	return name;
}

/* ---- submissions ----------------------------------------------------------- */

#define CONTACTS_BATCH 100    /* emails per batch read of contacts */

/* Submissions wait in `pending` ([form, submission] pairs) until a batch of
 * emails is full, so one contact lookup serves several pages or forms. */
struct sub_read {
	struct hs_client *hs;
	json_t *form;              /* the form being read */
	json_t *pending;
	long long since, newest;
	int (*cb)(json_t *record, void *user);
	void *user;
	struct hs_error *herr;
	long read;
};

static const char *submitted_email(json_t *sub)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(sub, "values"), i, v)
		if (cred_str(v, "name") && strcasecmp(cred_str(v, "name"), "email") == 0)
			return cred_str(v, "value");
	return NULL;
}

static char *lower(const char *s)
{
	char *low = xstrdup(s);

	for (char *p = low; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return low;
}

/* email (lower case) -> contact id, for the pending submissions */
static int contacts_by_email(struct sub_read *sr, json_t *ids)
{
	json_t *inputs = json_array(), *seen = json_object(), *props = json_pack("[s]", "email");
	json_t *resp = NULL, *r, *p;
	size_t i;
	int err = 0;

	json_array_foreach(sr->pending, i, p) {
		const char *email = submitted_email(json_array_get(p, 1));
		char *low;

		if (!email || !*email)
			continue;
		low = lower(email);
		if (!json_object_get(seen, low)) {
			json_object_set_new(seen, low, json_true());
			json_array_append_new(inputs, json_pack("{s:s}", "id", email));
		}
		free(low);
	}
	if (json_array_size(inputs))
		err = hs_batch_read(sr->hs, "contacts", props, inputs, "email", &resp, sr->herr);
	json_array_foreach(json_object_get(resp, "results"), i, r) {
		const char *id = cred_str(r, "id");
		const char *email = cred_str(json_object_get(r, "properties"), "email");

		if (id && email) {
			char *low = lower(email);

			json_object_set_new(ids, low, json_string(id));
			free(low);
		}
	}
	json_decref(resp);
	json_decref(inputs);
	json_decref(seen);
	json_decref(props);
	return err;
}

static json_t *submission_record(json_t *form, json_t *sub, long long at, json_t *ids)
{
	struct strbuf text = { 0 };
	const char *email = submitted_email(sub), *contact = NULL;
	json_t *props = json_object(), *v;
	char when[40];
	size_t i;

	iso_ms(at, when, sizeof(when));
	json_object_set_new(props, "hs_form_id", json_string(cred_str(form, "id")));
	if (cred_str(form, "name"))
		json_object_set_new(props, "hs_form_title", json_string(cred_str(form, "name")));
	if (cred_str(sub, "pageUrl"))
		json_object_set_new(props, "hs_page_url", json_string(cred_str(sub, "pageUrl")));
	json_object_set_new(props, "hs_timestamp", json_string(when));
	json_object_set_new(props, "hs_createdate", json_string(when));
	json_object_set_new(props, "hs_lastmodifieddate", json_string(when));
	json_array_foreach(json_object_get(sub, "values"), i, v) {
		const char *name = cred_str(v, "name"), *value = cred_str(v, "value");

		if (name && value)
			strbuf_addf(&text, "%s%s: %s", text.len ? "\n" : "", label_of(form, name), value);
	}
	if (cred_str(sub, "pageUrl"))
		strbuf_addf(&text, "%sPage: %s", text.len ? "\n" : "", cred_str(sub, "pageUrl"));
	if (text.len)
		json_object_set_new(props, "hs_submission_values", json_string(text.buf));
	strbuf_release(&text);
	if (email) {
		char *low = lower(email);

		json_object_set_new(props, "email", json_string(email));
		contact = cred_str(ids, low);
		free(low);
	}
	if (contact)
		json_object_set_new(props, "feed.associations.contacts", json_string(contact));
	return json_pack("{s:s, s:o}", "id", cred_str(sub, "conversionId"), "properties", props);
}

/* Find the pending submissions' contacts and hand them on as records. */
static int flush(struct sub_read *sr)
{
	json_t *ids = json_object(), *p;
	size_t i;
	int err;

	if (!json_array_size(sr->pending)) {
		json_decref(ids);
		return 0;
	}
	err = contacts_by_email(sr, ids);
	json_array_foreach(sr->pending, i, p) {
		json_t *sub = json_array_get(p, 1), *rec;
		long long at = json_integer_value(json_object_get(sub, "submittedAt"));

		if (err)
			break;
		rec = submission_record(json_array_get(p, 0), sub, at, ids);
		if (at > sr->newest)
			sr->newest = at;
		sr->read++;
		err = sr->cb(rec, sr->user);
		json_decref(rec);
	}
	json_array_clear(sr->pending);
	json_decref(ids);
	return err;
}

static int on_submissions_page(json_t *page, void *user)
{
	struct sub_read *sr = user;
	json_t *s;
	size_t i;
	int err = 0;

	json_array_foreach(json_object_get(page, "results"), i, s) {
		json_t *at = json_object_get(s, "submittedAt");

		if (!cred_str(s, "conversionId") || !json_is_integer(at)) {
			log_warn("hubspot: form %s: a submission without conversionId or submittedAt "
				 "is skipped", cred_str(sr->form, "id"));
			continue;
		}
		/* newest first: the rest of this form's submissions are older */
		if (json_integer_value(at) < sr->since)
			return 1;
		json_array_append_new(sr->pending, json_pack("[O, O]", sr->form, s));
		if (json_array_size(sr->pending) >= CONTACTS_BATCH && (err = flush(sr)))
			return err;
	}
	return 0;
}

/* ---- the feed -------------------------------------------------------------- */

int hs_feed_read(struct hs_client *hs, const char *object, long long since_ms,
		 int (*cb)(json_t *record, void *user), void *user, long long *max_ms,
		 struct hs_error *herr)
{
	struct sub_read sr = { hs, NULL, NULL, since_ms, since_ms, cb, user, herr, 0 };
	json_t *forms = json_array(), *f;
	char path[64];
	size_t i;
	int err;

	if (!hs_is_feed(object))
		return -EINVAL;
	if (max_ms)
		*max_ms = since_ms;
	snprintf(path, sizeof(path), "/marketing/v3/forms?limit=%d", FORMS_PAGE);
	err = get_pages(hs, path, on_forms_page, &(struct form_list){ forms, -1 }, herr);
	snprintf(path, sizeof(path), "/marketing/v3/forms?limit=%d&archived=true", FORMS_PAGE);
	if (!err)
		err = get_pages(hs, path, on_forms_page, &(struct form_list){ forms, since_ms }, herr);
	sr.pending = json_array();
	json_array_foreach(forms, i, f) {
		char *enc, *spath;
		long before = sr.read + (long)json_array_size(sr.pending);

		if (err)
			break;
		sr.form = f;
		enc = http_urlencode(cred_str(f, "id"));
		spath = xasprintf("/form-integrations/v1/submissions/forms/%s?limit=%d", enc,
				  SUBMISSIONS_PAGE);
		free(enc);
		err = get_pages(hs, spath, on_submissions_page, &sr, herr);
		free(spath);
		if (err && herr->http_status == 404) {
			/* archived or deleted since the list was read */
			log_info("hubspot: form %s is gone; its submissions are not read",
				 cred_str(f, "id"));
			err = 0;
		}
		if (!err && sr.read + (long)json_array_size(sr.pending) > before)
			log_debug("hubspot: form %s ('%s'): %ld submissions since %lld",
				  cred_str(f, "id"), cred_str(f, "name") ? cred_str(f, "name") : "",
				  sr.read + (long)json_array_size(sr.pending) - before, since_ms);
	}
	if (!err)
		err = flush(&sr);
	if (max_ms && sr.newest > *max_ms)
		*max_ms = sr.newest;
	json_decref(sr.pending);
	json_decref(forms);
	return err;
}
