/*
 * activity - the object plugin for HubSpot engagements -> Salesforce
 * activities: tasks, notes, emails and calls become Tasks, meetings become
 * Events. One instance syncs one engagement type (`engagement`), so each
 * type is switched on and off by its own INI section; WhoId and WhatId come
 * from the engagement's associations (links to the contact, deal and
 * company objects). Salesforce -> HubSpot is off except, as an option, for
 * Tasks. Each engagement syncs once, keyed by its id (the id map and the
 * external id); history is not replayed when an instance is first turned
 * on unless `history = yes`.
 *
 * It holds no state outside its per-instance context and never calls the
 * services itself: the core reads and writes, this plugin decides.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <crmsync/plugin.h>

#define ACTIVITY_VERSION "0.1.0"

static const struct crmsync_host *host;

enum engagement { ENG_TASKS, ENG_NOTES, ENG_EMAILS, ENG_MEETINGS, ENG_CALLS, ENG_FORMS };

struct activity_ctx {
	int engagement;
	int history;
	int tasks_to_hubspot;
	char **forms;             /* engagement = forms: names or ids; NULL/empty: all */
};

static const char *const engagement_choices[] = {
	"tasks", "notes", "emails", "meetings", "calls", "forms", NULL
};

/* Per engagement type: the HubSpot object, the Salesforce object, the
 * default mapping, the Task subtype, the Subject when none is mapped. */
static const char *const task_objects[] = { "Task", NULL };
static const char *const event_objects[] = { "Event", NULL };
static const struct kind {
	const char *hubspot_object;
	const char *const *salesforce_objects;
	const char *mapping;
	const char *subtype;
	const char *subject;
} kinds[] = {
	[ENG_TASKS] = { "tasks", task_objects, "activity.yaml", "Task", "Task" },
	[ENG_NOTES] = { "notes", task_objects, "activity-notes.yaml", "Task", "Note" },
	[ENG_EMAILS] = { "emails", task_objects, "activity-emails.yaml", "Email", "Email" },
	[ENG_MEETINGS] = { "meetings", event_objects, "activity-meetings.yaml", NULL, "Meeting" },
	[ENG_CALLS] = { "calls", task_objects, "activity-calls.yaml", "Call", "Call" },
	/* form submissions: the core reads them as a feed (not CRM objects) */
	[ENG_FORMS] = { "form_submissions", task_objects, "activity-forms.yaml", "Task",
			"Form submission" },
};

#define OPT(key, type, def, member, help, choices) \
	{ key, type, 0, def, offsetof(struct activity_ctx, member), help, choices, 0, 0 }

static const struct crmsync_option activity_options[] = {
	OPT("engagement", CRMSYNC_OPT_ENUM, "tasks", engagement,
	    "the HubSpot engagement type this section syncs: tasks, notes, emails, calls, "
	    "forms (form submissions; Salesforce Tasks) or meetings (Events)", engagement_choices),
	OPT("history", CRMSYNC_OPT_BOOL, "no", history,
	    "when the section is first turned on, also sync the engagements that already exist; "
	    "no: only those created or changed from then on", NULL),
	OPT("tasks_to_hubspot", CRMSYNC_OPT_BOOL, "no", tasks_to_hubspot,
	    "engagement = tasks: Salesforce Tasks created in Salesforce also become HubSpot tasks",
	    NULL),
	OPT("forms", CRMSYNC_OPT_LIST, NULL, forms,
	    "engagement = forms: only the submissions of these forms (names or form ids, "
	    "comma-separated; a form added later syncs from then on); unset: every form", NULL),
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static const struct kind *kind_of(const struct activity_ctx *ctx)
{
	return &kinds[ctx->engagement >= ENG_TASKS && ctx->engagement <= ENG_FORMS ? ctx->engagement
										   : ENG_TASKS];
}

static int activity_init(struct crmsync_instance *inst, void *vctx)
{
	struct activity_ctx *ctx = vctx;

	if (ctx->tasks_to_hubspot && ctx->engagement != ENG_TASKS) {
		host->log(inst, CRMSYNC_LOG_ERR, "tasks_to_hubspot applies to engagement = tasks only: "
			  "remove it from this section");
		return -EINVAL;
	}
	if (ctx->forms && ctx->forms[0] && ctx->engagement != ENG_FORMS) {
		host->log(inst, CRMSYNC_LOG_ERR, "forms applies to engagement = forms only: "
			  "remove it from this section");
		return -EINVAL;
	}
	return 0;
}

static int activity_pairing(struct crmsync_instance *inst, void *vctx, const char **hs_object,
			    const char *const **sf_objects, const char **mapping)
{
	const struct kind *k = kind_of(vctx);

	(void)inst;
	*hs_object = k->hubspot_object;
	*sf_objects = k->salesforce_objects;
	*mapping = k->mapping;
	return 0;
}

static int64_t activity_start_ms(struct crmsync_instance *inst, void *vctx)
{
	const struct activity_ctx *ctx = vctx;

	(void)inst;
	return ctx->history ? 0 : host->now_ms();
}

/* Is the submission's form one of `forms` (by id, or by name ignoring
 * case)? No list: every form. */
static int form_wanted(const struct activity_ctx *ctx, const struct crmsync_record *rec)
{
	const char *id = host->rec_get(rec, "hs_form_id"), *name = host->rec_get(rec, "hs_form_title");

	if (!ctx->forms || !ctx->forms[0])
		return 1;
	for (char **f = ctx->forms; *f; f++)
		if ((id && strcmp(*f, id) == 0) || (name && strcasecmp(*f, name) == 0))
			return 1;
	return 0;
}

static int activity_accept(struct crmsync_instance *inst, void *vctx,
			   const struct crmsync_change *chg, const char **reason)
{
	const struct activity_ctx *ctx = vctx;
	const char *why = NULL, *sub;
	int ok = 1;

	(void)inst;
	if (!chg || !chg->source)
		return -EINVAL;
	if (chg->kind == CRMSYNC_CHANGE_DELETE) {
		why = "deleting an activity never deletes its partner";
		ok = 0;
	} else if (ctx->engagement == ENG_FORMS && chg->direction == CRMSYNC_TO_SALESFORCE &&
		   !form_wanted(ctx, chg->source)) {
		why = "the submission's form is not in this section's `forms` list";
		ok = 0;
	} else if (ctx->engagement == ENG_FORMS && chg->direction == CRMSYNC_TO_SALESFORCE &&
		   !host->rec_get(chg->source, "feed.associations.contacts")) {
		/* a timeline entry belongs on a person's record */
		why = host->rec_get(chg->source, "email")
			      ? "no HubSpot contact has the email address submitted with the form"
			      : "the form submission carries no email address, so no contact";
		ok = 0;
	} else if (chg->direction == CRMSYNC_TO_HUBSPOT && chg->kind == CRMSYNC_CHANGE_CREATE) {
		sub = host->rec_get(chg->source, "TaskSubtype");
		if (ctx->engagement != ENG_TASKS || !ctx->tasks_to_hubspot) {
			why = "Salesforce activities do not create HubSpot engagements "
			      "(tasks_to_hubspot = no)";
			ok = 0;
		} else if (host->rec_external_id(chg->source)) {
			/* crmsync made it from another engagement type (a note, an email) */
			why = "the Task was created by crmsync from another HubSpot engagement";
			ok = 0;
		} else if (sub && strcmp(sub, "Task") != 0) {
			why = "only Salesforce Tasks of subtype Task become HubSpot tasks";
			ok = 0;
		}
	}
	if (reason)
		*reason = why;
	return ok;
}

static int is_lead_id(const char *id)
{
	return id && strncmp(id, "00Q", 3) == 0;
}

/* "Form submission: Contact us", cut to the Subject's 255 characters at a
 * UTF-8 boundary; the kind's word alone without a title. */
static void set_subject(struct crmsync_record *out, const struct kind *k, const char *title)
{
	char buf[256];
	size_t n, cut = sizeof(buf) - 1;

	if (!title || !*title) {
		host->rec_set(out, "Subject", k->subject);
		return;
	}
	n = strlen(k->subject) + 2 + strlen(title);
	snprintf(buf, sizeof(buf), "%s: %s", k->subject, title);
	if (n > cut) {
		/* the byte after the cut is the title's: back up over a
		 * character it continues */
		const char *full_at = title + (cut - strlen(k->subject) - 2);

		while (cut > 0 && ((unsigned char)*full_at & 0xC0) == 0x80) {
			cut--;
			full_at--;
		}
		buf[cut] = '\0';
	}
	host->rec_set(out, "Subject", buf);
}

static int activity_transform(struct crmsync_instance *inst, void *vctx,
			      const struct crmsync_change *chg, struct crmsync_record *out)
{
	const struct activity_ctx *ctx = vctx;
	const struct kind *k = kind_of(ctx);
	const char *who;

	(void)inst;
	if (chg->direction != CRMSYNC_TO_SALESFORCE)
		return 0;
	who = host->rec_get(out, "WhoId");
	if (!who && chg->target)
		who = host->rec_get(chg->target, "WhoId");
	/* a Lead cannot be related to an Account or Opportunity */
	if (is_lead_id(who) && host->rec_get(out, "WhatId"))
		host->rec_set(out, "WhatId", NULL);
	if (chg->kind != CRMSYNC_CHANGE_CREATE)
		return 0;
	if (!host->rec_get(out, "Subject"))
		set_subject(out, k, ctx->engagement == ENG_FORMS
					    ? host->rec_get(chg->source, "hs_form_title") : NULL);
	if (k->subtype)
		host->rec_set(out, "TaskSubtype", k->subtype);
	if (ctx->engagement != ENG_TASKS && ctx->engagement != ENG_MEETINGS &&
	    !host->rec_get(out, "Status"))
		host->rec_set(out, "Status", "Completed"); /* a logged note, email or call is done */
	if (ctx->engagement == ENG_MEETINGS && host->rec_get(out, "StartDateTime") &&
	    !host->rec_get(out, "EndDateTime"))
		host->rec_set(out, "DurationInMinutes", "30");
	return 0;
}

static int activity_explain(struct crmsync_instance *inst, void *vctx, char *buf, size_t size)
{
	const struct activity_ctx *ctx = vctx;
	const struct kind *k = kind_of(ctx);

	(void)inst;
	if (ctx->engagement == ENG_FORMS)
		return snprintf(buf, size,
				"HubSpot form submissions become completed Salesforce Tasks (subject "
				"\"Form submission: <form>\", the submitted values and page as the "
				"description), once each: a submission is keyed by its conversion id and "
				"never changes.\n"
				"They are read through the forms API: two calls list the forms (live, and "
				"archived since the last cycle), one per form reads its new submissions, "
				"and one per page finds the contacts by the submitted email.\n"
				"WhoId is the synced Lead or Contact of the HubSpot contact with the "
				"submitted email; a submission whose contact has not synced yet waits for "
				"it, one without a contact is skipped.\n%s%s\nNothing flows from Salesforce "
				"to HubSpot; deletes are never synced.",
				ctx->forms && ctx->forms[0] ? "Only the forms listed in `forms` sync.\n" : "",
				ctx->history ? "Submissions made before the section was turned on are "
					       "synced too (history = yes)."
					     : "Only submissions made after the section was first turned "
					       "on sync (history = no).");
	return snprintf(buf, size,
			"HubSpot %s become Salesforce %ss%s%s%s, once each: an engagement is keyed by its "
			"id, never matched by content.\n"
			"WhoId is the synced contact (Lead or Contact) the engagement is associated with, "
			"WhatId its deal's Opportunity, else its company's Account (none for a Lead); an "
			"engagement whose contact, deal or company has not synced yet waits for it.\n"
			"%s\n%s\nDeletes are never synced.",
			k->hubspot_object, k->salesforce_objects[0], k->subtype ? " (subtype " : "",
			k->subtype ? k->subtype : "", k->subtype ? ")" : "",
			ctx->history ? "Engagements that existed when the section was turned on are synced "
				       "too (history = yes)."
				     : "Only engagements created or changed after the section was first "
				       "turned on sync (history = no).",
			ctx->engagement == ENG_TASKS && ctx->tasks_to_hubspot
				? "Salesforce Tasks created in Salesforce become HubSpot tasks "
				  "(tasks_to_hubspot = yes)."
				: "Nothing flows from Salesforce to HubSpot but the mapping's two-way "
				  "fields of synced records.");
}

static int activity_plugin_init(const struct crmsync_host *h)
{
	if (!h || h->abi_major != CRMSYNC_ABI_MAJOR || h->abi_minor < 3)
		return -EINVAL;
	host = h;
	return 0;
}

static const char *const hs_properties[] = { "hs_timestamp", NULL };
static const char *const sf_fields[] = { "WhoId", "WhatId", "TaskSubtype", NULL };
static const char *const deps[] = { "company", "contact", "deal", NULL };

/* WhoId: the contact (a Lead or a Contact); WhatId: the deal's Opportunity,
 * else the company's Account. Association types 0: HubSpot's default one for
 * the engagement type. An engagement whose partner has not synced waits. */
static const struct crmsync_link who = {
	.size = sizeof(struct crmsync_link),
	.flags = CRMSYNC_LINK_WAIT,
	.name = "contact",
	.target = "contact",
	.salesforce_field = "WhoId",
	.target_hubspot_object = "contacts",
};
static const struct crmsync_link what_deal = {
	.size = sizeof(struct crmsync_link),
	.flags = CRMSYNC_LINK_WAIT,
	.name = "deal",
	.target = "deal",
	.salesforce_field = "WhatId",
	.target_salesforce_object = "Opportunity",
	.target_hubspot_object = "deals",
};
static const struct crmsync_link what_company = {
	.size = sizeof(struct crmsync_link),
	.flags = CRMSYNC_LINK_WAIT,
	.name = "company",
	.target = "company",
	.salesforce_field = "WhatId",
	.target_salesforce_object = "Account",
	.target_hubspot_object = "companies",
};
static const struct crmsync_link *const links[] = { &who, &what_deal, &what_company, NULL };

static const struct crmsync_object_ops activity_ops = {
	.size = sizeof(struct crmsync_object_ops),
	.ctx_size = sizeof(struct activity_ctx),
	.options = activity_options,
	.init = activity_init,
	.hubspot_object = "tasks",
	.salesforce_objects = task_objects,
	.hubspot_properties = hs_properties,
	.salesforce_fields = sf_fields,
	.depends_on = deps,
	.default_mapping = "activity.yaml",
	.accept = activity_accept,
	.transform = activity_transform,
	.links = links,
	.pairing = activity_pairing,
	.start_ms = activity_start_ms,
	.explain = activity_explain,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"activity",
	ACTIVITY_VERSION,
	"HubSpot engagements -> Salesforce Tasks and Events",
	activity_plugin_init,
	NULL,
	&activity_ops,
	NULL,
	NULL,
};
