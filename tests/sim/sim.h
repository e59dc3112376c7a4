/*
 * crmsync-sim: the contract between the simulator's shared frame (HTTP server,
 * admin endpoints, faults, generator, persistence: server.c, admin.c, gen.c,
 * main.c) and its two sides (Salesforce: sf_*.c; HubSpot: hs_*.c).
 *
 * Each side runs on its own port, served by one libmicrohttpd daemon with one
 * internal polling thread, so a side's state is only ever touched from that
 * thread (no locks inside a side). Admin requests for a side arrive on the same
 * port under /__admin/ and are also served from that thread.
 *
 * This header is private to the simulator; jansson types are fine here.
 */
#ifndef CRMSYNC_SIM_H
#define CRMSYNC_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* ---- requests and responses ------------------------------------------ */

struct sim_req {
	const char *method;   /* "GET", "POST", "PATCH", "PUT", "DELETE", ... */
	const char *path;     /* decoded path, without the query string */
	const char *body;     /* request body, NUL-terminated (may contain NULs) */
	size_t body_len;
	void *conn;           /* opaque: for sim_req_arg()/sim_req_header() */
};

/* A query-string argument, decoded, or NULL when absent. */
const char *sim_req_arg(const struct sim_req *req, const char *name);
/* A request header (case-insensitive name), or NULL when absent. */
const char *sim_req_header(const struct sim_req *req, const char *name);

#define SIM_RESP_MAX_HEADERS 16

struct sim_resp {
	int status;
	char *body;           /* owned: malloc'd, freed by the frame */
	size_t body_len;
	const char *content_type; /* static string; default "application/json;charset=UTF-8" */
	int nheaders;
	char *hname[SIM_RESP_MAX_HEADERS];  /* owned */
	char *hvalue[SIM_RESP_MAX_HEADERS]; /* owned */
	char endpoint[96];    /* label for the call counters, e.g. "GET /sobjects/{obj}/describe";
	                         the side fills it; empty means "unknown" */
};

/* Serialise body (reference stolen, may be NULL for an empty body). */
void sim_resp_json(struct sim_resp *resp, int status, json_t *body);
/* Raw body (copied). */
void sim_resp_raw(struct sim_resp *resp, int status, const char *content_type,
		  const char *body, size_t len);
/* Add a response header (printf-style value). */
void sim_resp_header(struct sim_resp *resp, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- options shared by both sides ------------------------------------ */

struct sim_opts {
	uint64_t seed;
	size_t records;          /* records per object per side */
	double overlap;          /* share of people present on both sides (same email) */
	double dirty;            /* share of records that trigger sync errors */
	const char *schema_file; /* optional: Salesforce custom fields / rules (JSON) */
	int token_ttl;           /* seconds an access token lives (default 7200) */
	long sf_daily_limit;     /* Salesforce DailyApiRequests Max (default 100000) */
	long hs_daily_limit;     /* HubSpot daily limit (default 250000) */
	int hs_burst_limit;      /* HubSpot calls per 10 s window (default 190) */
	int hs_assoc_limit;      /* HubSpot associations per record and type (default 1000) */
	const char *sf_base_url; /* e.g. "http://127.0.0.1:8401", known once bound */
	const char *hs_base_url;
	/* appended by the frame: */
	int hs_search_rate;      /* HubSpot search requests per second per token (default 4; 0 = no limit) */
};

/* ---- one side --------------------------------------------------------- */

struct sim_side;

struct sim_side_ops {
	const char *name; /* "salesforce" or "hubspot" */
	struct sim_side *(*create)(const struct sim_opts *opts);
	void (*destroy)(struct sim_side *side);
	/* Answer one API request (anything not under /__admin/). Must set
	 * resp->endpoint to a stable label for the call counters. */
	void (*handle)(struct sim_side *side, const struct sim_req *req, struct sim_resp *resp);
	/* Admin: GET /__admin/dump/{object} -> JSON array of every record
	 * (deleted ones too, flagged) in the side's wire shape. */
	void (*admin_dump)(struct sim_side *side, const char *object, struct sim_resp *resp);
	/* Admin: /__admin/records/{object}[/{id}] with POST (create), PATCH
	 * (update), DELETE (delete) as a user would: modstamps advance, rules run
	 * (user edits bypass field-level security). */
	void (*admin_records)(struct sim_side *side, const char *method, const char *object,
			      const char *id, json_t *body, struct sim_resp *resp);
	/* Admin: any other /__admin/{what} the side understands (e.g. "config",
	 * "users", "limits"); return 0 if handled, -ENOENT if not. */
	int (*admin_other)(struct sim_side *side, const struct sim_req *req, const char *what,
			   struct sim_resp *resp);
	/* Persistence: the whole state as JSON (new reference) / restore it. */
	json_t *(*save)(struct sim_side *side);
	int (*load)(struct sim_side *side, json_t *state);
	/* Demo credentials for the ready line (new reference), e.g.
	 * {"login_url":..., "client_id":..., "client_secret":..., "refresh_token":...} */
	json_t *(*credentials)(struct sim_side *side);
};

extern const struct sim_side_ops sim_salesforce_ops;
extern const struct sim_side_ops sim_hubspot_ops;

/* ---- the deterministic data generator (gen.c) ------------------------ */

/* Kinds of dirt a generated record may carry; each one makes a write fail with
 * a specific error on the other side when crmsync syncs it. */
enum sim_dirt {
	SIM_DIRT_NONE = 0,
	SIM_DIRT_BAD_EMAIL,        /* INVALID_EMAIL_ADDRESS / HubSpot INVALID_EMAIL */
	SIM_DIRT_TOO_LONG,         /* STRING_TOO_LONG */
	SIM_DIRT_BAD_PICKLIST,     /* INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST */
	SIM_DIRT_MISSING_REQUIRED, /* REQUIRED_FIELD_MISSING (e.g. no last name / company) */
	SIM_DIRT_DUPLICATE,        /* DUPLICATES_DETECTED / DUPLICATE_VALUE */
	SIM_DIRT_VALIDATION,       /* FIELD_CUSTOM_VALIDATION_EXCEPTION */
	SIM_DIRT_FLOW,             /* CANNOT_EXECUTE_FLOW_TRIGGER */
	SIM_DIRT_COUNT
};

struct sim_person {
	char first[64], last[64];        /* may be Japanese or accented */
	char email[128];
	char phone[32], mobile[32];
	char title[96];
	char company[128];
	char website[128];               /* company domain as a URL */
	char street[128], city[64], state[64], postal[16], country[64];
	                                 /* state/country written many ways:
	                                    "California", "CA", "Calif.", "日本", "Japan", "JP" */
	char lead_source[32];
	char industry[48];
	int annual_revenue;
	int employees;
	enum sim_dirt dirt;
};

struct sim_company {
	char name[128];
	char domain[96];
	char website[128];
	char phone[32];
	char city[64], state[64], country[64];
	char industry[48];
	int employees;
	int annual_revenue;
};

/* Person number i of the universe for this seed; the same (seed, i) always
 * gives the same person. Person i is dirty with probability `dirty`. */
void sim_gen_person(uint64_t seed, size_t i, double dirty, struct sim_person *out);
/* Company number i (people belong to company i % ncompanies). */
void sim_gen_company(uint64_t seed, size_t i, struct sim_company *out);
/* Which people each side holds: HubSpot holds persons [0, records), Salesforce
 * holds persons [first, first + records) with first = records * (1 - overlap),
 * so persons [first, records) exist on both sides with the same email (case
 * may differ on the Salesforce side: emails match case-insensitively). */
size_t sim_gen_sf_first(size_t records, double overlap);

/* A small, fast, seedable PRNG (splitmix64), for the sides' own choices. */
uint64_t sim_rand_next(uint64_t *state);

/* ---- shared helpers --------------------------------------------------- */

/* Current time in milliseconds since the epoch (the simulator's clock; the
 * admin endpoint POST /__admin/clock {"offset_ms": N} shifts it for tests,
 * {"freeze": true} stops it). */
int64_t sim_now_ms(void);
/* Is the clock stopped (every write then carries the same time)? */
int sim_clock_frozen(void);
/* Format ms since the epoch as Salesforce "2024-01-31T12:34:56.000+0000". */
void sim_fmt_sf_time(int64_t ms, char *buf, size_t len);
/* Format ms since the epoch as ISO 8601 "2024-01-31T12:34:56.789Z" (HubSpot). */
void sim_fmt_iso_time(int64_t ms, char *buf, size_t len);
/* Parse either format (and a date-only "2024-01-31"); -1 on error. */
int64_t sim_parse_time(const char *s);

/* ---- appended by the frame (HubSpot helper) --------------------------- */

/* Every value of a repeated query-string argument (e.g. HubSpot's
 * `properties=a&properties=b`), decoded, in order; returns how many were
 * found (at most max are stored). */
size_t sim_req_arg_all(const struct sim_req *req, const char *name, const char **out, size_t max);

/* How many companies the generator's universe has: person i works for
 * company i % SIM_GEN_NCOMPANIES (sim_gen_person fills company/website from it). */
#define SIM_GEN_NCOMPANIES 500

#endif
