/*
 * crmsync/plugin.h - the plugin ABI of crmsync, and the only installed header.
 *
 * A plugin is one shared object that exports exactly one symbol,
 * CRMSYNC_PLUGIN_SYMBOL, a `struct crmsync_plugin` descriptor. The descriptor
 * offers up to three components: an object (a pair of HubSpot/Salesforce
 * objects), a resolver (classifies failed writes into one sync-error type) and
 * a notifier (delivers messages and digests). Plugins never link against the
 * daemon: everything they need from it comes through `struct crmsync_host`,
 * handed to the plugin's init().
 *
 * Rules that keep old plugins working with new daemons (see docs/plugin-guide.md):
 *  - the descriptor starts with magic and version; the daemon loads a plugin iff
 *    its major equals the daemon's and its minor is not newer;
 *  - every extensible struct starts with its own size; the daemon copies
 *    min(size, its own) into a zeroed struct, so members a plugin does not know
 *    read as zero/NULL;
 *  - structs and the host table only grow at the end; removing or reordering
 *    anything is a major bump.
 *
 * This header includes nothing but <stdarg.h>, <stddef.h> and <stdint.h>, and
 * compiles as C99 and as C++.
 */
#ifndef CRMSYNC_PLUGIN_H
#define CRMSYNC_PLUGIN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ABI change log (newest first; every entry names what it added):
 *
 * 1.3  struct crmsync_link; object ops: links (lookups and associations to
 *      other objects' records), pairing (per-instance HubSpot/Salesforce
 *      objects), start_ms (where a first cycle starts), explain (the
 *      object's rules in words), dedupe_flags; struct crmsync_related:
 *      parent_key, option; host: rec_external_id.
 * 1.2  struct crmsync_related; object ops: salesforce_related (Salesforce
 *      records related to an object's records, read and attached by the core).
 * 1.1  object ops: dedupe_hubspot_property, dedupe_salesforce_field (the
 *      fields the core searches the other side by for a de-duplication match).
 * 1.0  first ABI: descriptor, object/resolver/notifier ops, option tables,
 *      host table (log, options, records, HTTP, diagnosis, clock).
 */
#define CRMSYNC_ABI_MAGIC 0x53594e43u /* "CNYS": CRM SYNC */
#define CRMSYNC_ABI_MAJOR 1
#define CRMSYNC_ABI_MINOR 3

/* The one symbol a plugin exports. */
#define CRMSYNC_PLUGIN_SYMBOL "crmsync_plugin"

#if defined(__GNUC__) || defined(__clang__)
#define CRMSYNC_EXPORT __attribute__((visibility("default")))
#define CRMSYNC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CRMSYNC_EXPORT
#define CRMSYNC_PRINTF(f, a)
#endif

/* ---- opaque handles owned by the daemon ---------------------------------- */

/* One configured instance of a component (one INI section). Valid from the
 * component's init() until after its fini(). */
struct crmsync_instance;
/* One record of either side: a set of named string fields. Borrowed: valid
 * until the callback that received it returns. */
struct crmsync_record;
/* What a resolver fills in about a failed write. Borrowed, as above. */
struct crmsync_diagnosis;
/* An HTTP response; owned by the plugin that asked for it until it calls
 * host->http_free(). */
struct crmsync_http_response;

/* ---- small enums (append-only) ------------------------------------------- */

enum crmsync_side {
	CRMSYNC_SIDE_NONE = 0,
	CRMSYNC_SIDE_HUBSPOT = 1,
	CRMSYNC_SIDE_SALESFORCE = 2
};

/* Where a change is going. */
enum crmsync_direction {
	CRMSYNC_TO_SALESFORCE = 1,
	CRMSYNC_TO_HUBSPOT = 2
};

enum crmsync_change_kind {
	CRMSYNC_CHANGE_CREATE = 1, /* the target side has no partner yet */
	CRMSYNC_CHANGE_UPDATE = 2,
	CRMSYNC_CHANGE_DELETE = 3
};

/* Outcome of a dispatch callback (resolver classify, notifier deliver). */
enum crmsync_outcome {
	CRMSYNC_DECLINED = 0, /* not mine / nothing done: try the next one */
	CRMSYNC_HANDLED = 1,  /* done */
	CRMSYNC_RETRY = 2     /* could not do it now; try again later */
};

/* syslog(3) severities. */
enum crmsync_log_level {
	CRMSYNC_LOG_ERR = 3,
	CRMSYNC_LOG_WARNING = 4,
	CRMSYNC_LOG_NOTICE = 5,
	CRMSYNC_LOG_INFO = 6,
	CRMSYNC_LOG_DEBUG = 7
};

/* ---- options, declared as data ------------------------------------------- */

/*
 * Option types, and what the daemon stores at `offset` in the instance context:
 *   STRING    char *         (owned by the daemon until after fini)
 *   INT       int64_t
 *   BOOL      int            (1/0; INI: yes/no, true/false, on/off, 1/0)
 *   DURATION  int64_t        milliseconds (INI: 500ms, 30s, 5m, 2h, 1d; bare = seconds)
 *   ENUM      int            index into `choices`
 *   LIST      char **        NULL-terminated, comma-separated in the INI
 */
enum crmsync_option_type {
	CRMSYNC_OPT_STRING = 1,
	CRMSYNC_OPT_INT = 2,
	CRMSYNC_OPT_BOOL = 3,
	CRMSYNC_OPT_DURATION = 4,
	CRMSYNC_OPT_ENUM = 5,
	CRMSYNC_OPT_LIST = 6
};

#define CRMSYNC_OPT_REQUIRED 0x1u /* the section must set it */
/* The INI value names a file (mode 0600 or 0400, owned by the daemon's user or
 * root) whose content, without a final newline, is the value. The value never
 * appears in a log line, an error or `plugins describe`. STRING only. */
#define CRMSYNC_OPT_SECRET 0x2u

struct crmsync_option {
	const char *key;                /* NULL ends the table */
	uint32_t type;                  /* enum crmsync_option_type */
	uint32_t flags;                 /* CRMSYNC_OPT_* */
	const char *def;                /* default, as INI text; NULL for none */
	size_t offset;                  /* where the value goes in the context */
	const char *help;               /* one line, for `crmsync plugins describe` */
	const char *const *choices;     /* ENUM: NULL-terminated; else NULL */
	int64_t min, max;               /* INT/DURATION bounds, inclusive; 0,0 = none */
};

/* ---- the change an object plugin is asked about -------------------------- */

struct crmsync_change {
	uint32_t size;                          /* sizeof(struct crmsync_change) */
	uint32_t kind;                          /* enum crmsync_change_kind */
	uint32_t direction;                     /* enum crmsync_direction */
	uint32_t reserved;
	const struct crmsync_record *source;    /* the changed record */
	const struct crmsync_record *target;    /* its partner, NULL when none yet */
};

/* ---- object component ---------------------------------------------------- */

/*
 * Salesforce records related to an object's records (since 1.2), e.g. the
 * opportunity contact roles of a Contact. For each record of `parent` in a
 * cycle, the core reads `SELECT key, fields FROM object WHERE key IN (...)`
 * and attaches what it finds to the parent record as fields
 * "<name>.count" and "<name>.<i>.<field>" (i from 0; relationship paths
 * such as "Opportunity.IsWon" keep their dots). A change to an `object`
 * record, or to the `watch` record its `watch_key` points to, brings the
 * parent into the cycle.
 */
struct crmsync_related {
	uint32_t size;                          /* sizeof(struct crmsync_related) */
	uint32_t reserved;
	const char *name;                       /* "roles" */
	const char *parent;                     /* one of salesforce_objects: "Contact" */
	const char *object;                     /* "OpportunityContactRole" */
	const char *key;                        /* field (or, since 1.3, relationship path) of object
						 * holding the parent id: "ContactId" */
	const char *const *fields;              /* fields of object, NULL-terminated */
	const char *watch;                      /* or NULL: "Opportunity" */
	const char *watch_key;                  /* field of object pointing at watch: "OpportunityId" */
	/* since 1.3: the parent's field whose value `key` holds ("AccountId":
	 * the Opportunities of a Contact's Account); NULL: the parent's Id */
	const char *parent_key;
	/* since 1.3: a BOOL option of the instance that turns this spec on
	 * ("company_lifecycle_sync"); NULL: always on */
	const char *option;
};

/*
 * A link from an object's records to another object's records (since 1.3):
 * a Salesforce lookup field on one side (Contact.AccountId), a HubSpot
 * association on the other (contact -> company, type 279). The core reads
 * both, translates ids through the target object's id map, merges them like
 * a two-way field (base kept with the record's other fields), and writes the
 * lookup field or the association (removing the association the previous
 * value made). A link whose target object is not enabled is ignored.
 *
 * With CRMSYNC_LINK_WAIT, a record whose linked record exists but has not
 * synced yet is held back as an *association* sync error (code
 * PARTNER_NOT_SYNCED) and retried on each cycle until the partner syncs;
 * without it the record syncs and the link follows once the partner does.
 * Salesforce polymorphic lookups (Task.WhatId) are declared once per target
 * with the same salesforce_field; the id's key prefix says which applies.
 */
#define CRMSYNC_LINK_WAIT 0x1u
/* Only HubSpot -> Salesforce: the lookup field is written, never read back
 * into associations. */
#define CRMSYNC_LINK_TO_SALESFORCE_ONLY 0x2u

/* A matching link, read the other way round: `target`'s records carry the
 * lookup (salesforce_object.salesforce_field, e.g. Contact.AccountId) and
 * this object's HubSpot records are associated with them (company ->
 * contact, association_type 280). A record of this object without a pair
 * is matched with the one Salesforce record its associated, synced target
 * records point at (several different ones: ambiguous, not matched). Never
 * written. */
#define CRMSYNC_LINK_MATCH 0x4u
/* A many-to-many link through a Salesforce junction object: rows of
 * salesforce_object (OpportunityContactRole) whose junction_key
 * (OpportunityId) holds this object's record and salesforce_field
 * (ContactId) the target's, against the HubSpot associations with the
 * target (deal -> contact, type 3). Merged as a set: an addition or a
 * removal on either side is made on the other. */
#define CRMSYNC_LINK_JUNCTION 0x8u

struct crmsync_link {
	uint32_t size;                          /* sizeof(struct crmsync_link) */
	uint32_t flags;                         /* CRMSYNC_LINK_* */
	const char *name;                       /* "company": unique within the object */
	const char *target;                     /* object component linked to: "company" */
	const char *salesforce_object;          /* one of salesforce_objects carrying the field, or NULL: all */
	const char *salesforce_field;           /* "AccountId" */
	const char *target_salesforce_object;   /* the target's sObject the field points at: "Account" */
	const char *target_hubspot_object;      /* "companies" */
	uint32_t association_type;              /* HUBSPOT_DEFINED type, this -> target: 279 */
	uint32_t primary_type;                  /* or 0: the primary variant to add too: 1 */
	const char *junction_key;               /* JUNCTION: "OpportunityId" */
};

/* dedupe_flags (since 1.3) */
/* Several Salesforce candidates for one key: report the match as ambiguous
 * and create nothing, instead of choosing the oldest. */
#define CRMSYNC_DEDUPE_AMBIGUOUS_SKIP 0x1u

/*
 * An object pairs one HubSpot object with one or more Salesforce objects.
 * Callbacks get the instance and its context (ctx_size bytes, zeroed, options
 * already parsed into it). Any callback may be NULL: the daemon then uses the
 * documented default.
 */
struct crmsync_object_ops {
	uint32_t size;                          /* sizeof(struct crmsync_object_ops) */
	uint32_t reserved;
	size_t ctx_size;
	const struct crmsync_option *options;   /* NULL or ended by a NULL key */
	/* Set up / tear down one instance. init returns 0 or a negative errno and
	 * logs why it failed. */
	int (*init)(struct crmsync_instance *inst, void *ctx);
	void (*fini)(struct crmsync_instance *inst, void *ctx);

	/* What is paired: HubSpot object type ("contacts"), Salesforce objects
	 * ({"Lead", "Contact", NULL}), the fields the plugin itself reads (fetched
	 * in addition to the mapped ones), the objects that must sync before this
	 * one ({"company", NULL}: names of object components), and the file name
	 * of its default mapping under the mappings directory ("contact.yaml").
	 * hubspot_object may also name a read-only feed the core reads through
	 * another API: "form_submissions" (docs/plugin-guide.md). */
	const char *hubspot_object;
	const char *const *salesforce_objects;
	const char *const *hubspot_properties;
	const char *const *salesforce_fields;
	const char *const *depends_on;
	const char *default_mapping;

	/* Filter: may this change sync? Inclusion list, valid email, selective
	 * sync, lead/contact create-update-delete rules. Returns 1 (sync it), 0
	 * (skip it; *reason, if set, is a static string saying why), or a
	 * negative errno. Default: 1. */
	int (*accept)(struct crmsync_instance *inst, void *ctx,
		      const struct crmsync_change *change, const char **reason);
	/* Which Salesforce object a new HubSpot record is created as. Sets
	 * *sf_object to one of salesforce_objects. Returns 0 or a negative errno.
	 * Default: the first of salesforce_objects. */
	int (*route)(struct crmsync_instance *inst, void *ctx,
		     const struct crmsync_record *hubspot, const char **sf_object);
	/* De-duplication key of a record (e.g. its email, lowercased), written
	 * NUL-terminated into buf. Returns 1 when written, 0 when the record has
	 * no key (it is never matched by content), -ENOSPC if size is too small.
	 * Default (NULL): records are never matched by content. */
	int (*dedupe_key)(struct crmsync_instance *inst, void *ctx,
			  const struct crmsync_record *rec, char *buf, size_t size);
	/* Per-record transform of the outgoing record `out` (already mapped
	 * field by field) before it is written: state/country codes, lifecycle
	 * stage, defaults for required fields. Returns 0 or a negative errno. */
	int (*transform)(struct crmsync_instance *inst, void *ctx,
			 const struct crmsync_change *change, struct crmsync_record *out);

	/* since 1.1: the HubSpot property and Salesforce field whose values
	 * dedupe_key normalises ("email", "Email"); the core looks records up
	 * on the other side by them. NULL: no content matching. */
	const char *dedupe_hubspot_property;
	const char *dedupe_salesforce_field;

	/* since 1.2: related Salesforce records to attach, NULL-terminated. */
	const struct crmsync_related *const *salesforce_related;

	/* since 1.3: links to other objects' records, NULL-terminated. */
	const struct crmsync_link *const *links;
	/* since 1.3: what this instance pairs, when it differs from the static
	 * hubspot_object/salesforce_objects/default_mapping (one plugin, several
	 * engagement types). Called after init; may set any of the three
	 * (strings with static storage). Returns 0 or a negative errno. */
	int (*pairing)(struct crmsync_instance *inst, void *ctx, const char **hubspot_object,
		       const char *const **salesforce_objects, const char **default_mapping);
	/* since 1.3: where the first cycle of an instance (no cursor stored
	 * yet) starts reading changes, in ms since the epoch; 0 (or NULL) reads
	 * everything. Lets an object skip replaying history when turned on. */
	int64_t (*start_ms)(struct crmsync_instance *inst, void *ctx);
	/* since 1.3: the object's own rules in words (filters, routing,
	 * matching, options in force) for `crmsync explain`: sentences written
	 * NUL-terminated into buf, lines separated by '\n'. Returns the length
	 * it needed (snprintf-like) or a negative errno. */
	int (*explain)(struct crmsync_instance *inst, void *ctx, char *buf, size_t size);
	/* since 1.3: CRMSYNC_DEDUPE_* */
	uint32_t dedupe_flags;
	uint32_t reserved2;
};

/* ---- resolver component -------------------------------------------------- */

/*
 * A failed write, as the daemon saw it. `code` is Salesforce's errorCode
 * ("DUPLICATE_VALUE") or HubSpot's category ("VALIDATION_ERROR"), and
 * `subcode` HubSpot's errors[].code or subCategory when present.
 */
struct crmsync_failure {
	uint32_t size;                          /* sizeof(struct crmsync_failure) */
	uint32_t side;                          /* enum crmsync_side that refused */
	int http_status;
	uint32_t reserved;
	const char *object;                     /* object component name ("contact") */
	const char *code;
	const char *subcode;                    /* or NULL */
	const char *message;                    /* the service's message */
	const char *const *fields;              /* fields it names; NULL-terminated or NULL */
	const char *raw;                        /* raw response body, or NULL */
	const struct crmsync_record *hubspot;   /* records on both sides, either may be NULL */
	const struct crmsync_record *salesforce;
};

/* How the daemon retries an error once classified (append-only). */
enum crmsync_retry {
	CRMSYNC_RETRY_NEVER = 0,         /* only a resync by the admin */
	CRMSYNC_RETRY_SCHEDULE = 1,      /* ~every 20 min, 10 times, then nightly */
	CRMSYNC_RETRY_WITH_PARTNER = 2   /* when the associated record syncs */
};

struct crmsync_resolver_ops {
	uint32_t size;                          /* sizeof(struct crmsync_resolver_ops) */
	uint32_t reserved;
	size_t ctx_size;
	const struct crmsync_option *options;
	int (*init)(struct crmsync_instance *inst, void *ctx);
	void (*fini)(struct crmsync_instance *inst, void *ctx);

	/* The sync-error type this resolver produces ("duplicate"), and the codes
	 * it claims when the [dispatch] table says nothing about them. */
	const char *type;
	const char *const *codes;

	/* Classify a failed write and explain it: set the type's details, the
	 * plain-language hint and the retry policy through the host's diag_*
	 * functions. Returns an enum crmsync_outcome (DECLINED lets the daemon
	 * try the next resolver, ending with `other`) or a negative errno. */
	int (*classify)(struct crmsync_instance *inst, void *ctx,
			const struct crmsync_failure *failure, struct crmsync_diagnosis *diag);
};

/* ---- notifier component -------------------------------------------------- */

enum crmsync_message_kind {
	CRMSYNC_MSG_EVENT = 1,   /* one event, sent at once */
	CRMSYNC_MSG_DIGEST = 2   /* a daily or weekly summary */
};

/* One line of a digest: errors of one type. */
struct crmsync_digest_entry {
	uint32_t size;                          /* sizeof(struct crmsync_digest_entry) */
	uint32_t reserved;
	const char *type;                       /* "duplicate" */
	uint64_t new_errors;                    /* since the previous digest */
	uint64_t current_errors;
	uint64_t records_affected;
	const char *const *examples;            /* a few one-line examples, NULL-terminated */
};

struct crmsync_message {
	uint32_t size;                          /* sizeof(struct crmsync_message) */
	uint32_t kind;                          /* enum crmsync_message_kind */
	int severity;                           /* enum crmsync_log_level */
	uint32_t reserved;
	const char *subject;                    /* one line */
	const char *body;                       /* plain text, UTF-8 */
	int64_t period_start_ms, period_end_ms; /* DIGEST: the period covered */
	const struct crmsync_digest_entry *const *entries; /* DIGEST: NULL-terminated */
};

struct crmsync_notifier_ops {
	uint32_t size;                          /* sizeof(struct crmsync_notifier_ops) */
	uint32_t reserved;
	size_t ctx_size;
	const struct crmsync_option *options;
	int (*init)(struct crmsync_instance *inst, void *ctx);
	void (*fini)(struct crmsync_instance *inst, void *ctx);

	/* Deliver one message. Returns CRMSYNC_HANDLED, CRMSYNC_RETRY (the
	 * daemon retries with backoff and shows the failure in `status`), or a
	 * negative errno for a permanent failure. Must not block for long: use
	 * timeouts (the host's HTTP has them). */
	int (*deliver)(struct crmsync_instance *inst, void *ctx,
		       const struct crmsync_message *msg);
};

/* ---- HTTP through the daemon --------------------------------------------- */

/*
 * Requests go through the daemon's transport: TLS verification on, timeouts,
 * size caps, retries of transient failures, and, for CRMSYNC_SIDE_SALESFORCE
 * or CRMSYNC_SIDE_HUBSPOT, the service's authentication and the API budget.
 * With a side set, `url` may be a path relative to that service's base.
 */
struct crmsync_http_request {
	uint32_t size;                          /* sizeof(struct crmsync_http_request) */
	uint32_t side;                          /* enum crmsync_side; NONE = any URL */
	const char *method;                     /* "GET", "POST", ... */
	const char *url;
	const char *const *headers;             /* "Name: value", NULL-terminated, or NULL */
	const char *body;                       /* or NULL */
	size_t body_len;
	int64_t timeout_ms;                     /* 0 = the daemon's default */
};

/* ---- the host function table --------------------------------------------- */

/*
 * Everything the daemon offers to plugins. Append-only: new members go at the
 * end with a "since 1.x" note; a plugin checks host->size (or abi_minor) before
 * calling a member newer than the ABI it was built for.
 */
struct crmsync_host {
	uint32_t size;                          /* sizeof(struct crmsync_host) */
	uint16_t abi_major, abi_minor;          /* the daemon's ABI */

	/* Logging, tagged with the instance's kind, plugin and name. Never pass
	 * a secret. */
	void (*log)(struct crmsync_instance *inst, int level, const char *fmt, ...)
		CRMSYNC_PRINTF(3, 4);
	void (*vlog)(struct crmsync_instance *inst, int level, const char *fmt, va_list ap)
		CRMSYNC_PRINTF(3, 0);

	/* The instance: its INI section name ("contact" in [object contact]) and
	 * the raw INI text of an option (NULL if unset; SECRET options give NULL). */
	const char *(*instance_name)(const struct crmsync_instance *inst);
	const char *(*option_text)(const struct crmsync_instance *inst, const char *key);

	/* Records. Values are UTF-8 strings; NULL means absent or empty. */
	enum crmsync_side (*rec_side)(const struct crmsync_record *rec);
	const char *(*rec_object)(const struct crmsync_record *rec);   /* "contacts", "Lead" */
	const char *(*rec_id)(const struct crmsync_record *rec);       /* NULL before creation */
	const char *(*rec_get)(const struct crmsync_record *rec, const char *field);
	/* Set (value != NULL) or clear (value == NULL) a field; copies both.
	 * Returns 0 or -ENOMEM; -EPERM on a record the callback may not change. */
	int (*rec_set)(struct crmsync_record *rec, const char *field, const char *value);
	size_t (*rec_count)(const struct crmsync_record *rec);
	/* The i-th field (0 <= i < rec_count): 0, or -ENOENT past the end. */
	int (*rec_field_at)(const struct crmsync_record *rec, size_t i,
			    const char **field, const char **value);

	/* HTTP. On success (0) *resp is set, whatever the status; else a
	 * negative errno and *resp is NULL. */
	int (*http_request)(struct crmsync_instance *inst, const struct crmsync_http_request *req,
			    struct crmsync_http_response **resp);
	int (*http_status)(const struct crmsync_http_response *resp);
	const char *(*http_body)(const struct crmsync_http_response *resp, size_t *len);
	const char *(*http_header)(const struct crmsync_http_response *resp, const char *name);
	void (*http_free)(struct crmsync_http_response *resp);

	/* Diagnosis of a failed write (resolvers). Strings are copied. */
	int (*diag_set_type)(struct crmsync_diagnosis *diag, const char *type);
	int (*diag_set_detail)(struct crmsync_diagnosis *diag, const char *key, const char *value);
	int (*diag_set_hint)(struct crmsync_diagnosis *diag, const char *text);
	int (*diag_set_retry)(struct crmsync_diagnosis *diag, enum crmsync_retry retry);
	int (*diag_add_affected)(struct crmsync_diagnosis *diag, enum crmsync_side side,
				 const char *object, const char *id);

	/* The daemon's clock in milliseconds since the epoch (tests can move it). */
	int64_t (*now_ms)(void);

	/* since 1.3: the crmsync external id a record carries (crmsync created
	 * it on that side), or NULL. */
	const char *(*rec_external_id)(const struct crmsync_record *rec);
};

/* ---- the descriptor ------------------------------------------------------ */

struct crmsync_plugin {
	/* Read first, before anything else, by every daemon version. */
	uint32_t magic;                         /* CRMSYNC_ABI_MAGIC */
	uint16_t abi_major;                     /* CRMSYNC_ABI_MAJOR at build time */
	uint16_t abi_minor;                     /* CRMSYNC_ABI_MINOR at build time */
	uint32_t size;                          /* sizeof(struct crmsync_plugin) */
	uint32_t reserved;

	const char *name;                       /* [a-z0-9_-], unique among loaded plugins */
	const char *version;                    /* the plugin's own version */
	const char *description;                /* one line */

	/* Once per loaded .so: keep `host` (valid until fini). Returns 0 or a
	 * negative errno. Either may be NULL. */
	int (*init)(const struct crmsync_host *host);
	void (*fini)(void);

	/* The components it offers; at least one is non-NULL. */
	const struct crmsync_object_ops *object;
	const struct crmsync_resolver_ops *resolver;
	const struct crmsync_notifier_ops *notifier;
};

/* Fills the version fields; use as the first initialiser of the descriptor:
 *   CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
 *       CRMSYNC_PLUGIN_HEADER, "hello", "1.0", "says hello", ... };
 */
#define CRMSYNC_PLUGIN_HEADER \
	CRMSYNC_ABI_MAGIC, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR, \
	(uint32_t)sizeof(struct crmsync_plugin), 0

#ifdef __cplusplus
}
#endif

#endif /* CRMSYNC_PLUGIN_H */
