/*
 * crmsync-sim frame internals: what server.c, admin.c, main.c, util.c and the
 * HubSpot side share beyond the public contract in sim.h. The Salesforce side
 * must not depend on this header (it codes against sim.h only).
 */
#ifndef CRMSYNC_SIM_FRAME_H
#define CRMSYNC_SIM_FRAME_H

#include <stdbool.h>
#include <stdint.h>
#include "sim.h"

/* Request bodies larger than this get the side's "too large" error. */
#define SIM_BODY_CAP (4u * 1024u * 1024u)

/* ---- call counters ---------------------------------------------------- */

struct sim_counter {
	char label[112];
	long n;
};

struct sim_counters {
	struct sim_counter *v;
	size_t n, cap;
	long total;
};

void sim_counters_add(struct sim_counters *c, const char *label);
void sim_counters_reset(struct sim_counters *c);
void sim_counters_free(struct sim_counters *c);

/* ---- injected faults -------------------------------------------------- */

enum sim_fault_kind {
	SIM_FAULT_STATUS = 0,  /* answer `status` (5xx) with the side's error body */
	SIM_FAULT_429,         /* answer the side's rate-limit error */
	SIM_FAULT_LATENCY,     /* wait `ms` before answering normally */
	SIM_FAULT_RESET,       /* close the connection without any answer */
	SIM_FAULT_TRUNCATE,    /* announce a longer body than is sent, then close */
	SIM_FAULT_MALFORMED,   /* 200 with a body that is not valid JSON */
	SIM_FAULT_KIND_COUNT
};

#define SIM_MAX_FAULTS 32

struct sim_fault {
	enum sim_fault_kind kind;
	int status;          /* SIM_FAULT_STATUS */
	long ms;             /* SIM_FAULT_LATENCY */
	double rate;         /* 0..1, used when next == 0 */
	long next;           /* > 0: fire on the next N matching calls */
	char path[128];      /* only requests whose path starts with this ("" = all) */
	char method[12];     /* only this method ("" = all) */
	long fired;
};

struct sim_faults {
	struct sim_fault v[SIM_MAX_FAULTS];
	int n;
	uint64_t prng;
	long fired[SIM_FAULT_KIND_COUNT];
};

const char *sim_fault_kind_name(enum sim_fault_kind k);

/* ---- one side's server ------------------------------------------------ */

struct sim_server {
	const struct sim_side_ops *ops;
	struct sim_side *side;
	int listen_fd;
	int port;
	char base_url[64];
	void *daemon;                 /* struct MHD_Daemon * */
	struct sim_counters counters;
	struct sim_faults faults;
	const struct sim_opts *opts;
};

/* Bind 127.0.0.1:port (0 = any free port); fills srv->port and base_url. */
int sim_server_bind(struct sim_server *srv, const struct sim_side_ops *ops, int port);
/* Start serving srv->side from one internal thread. */
int sim_server_start(struct sim_server *srv);
void sim_server_stop(struct sim_server *srv);

/* Admin dispatch (admin.c), called from the side's thread for /__admin/... */
void sim_admin_handle(struct sim_server *srv, const struct sim_req *req, struct sim_resp *resp);
/* Pick the fault that applies to this request, or NULL; latency faults are
 * applied (slept) here and never returned. */
const struct sim_fault *sim_faults_pick(struct sim_faults *f, const struct sim_req *req);
/* The side's canned error body for a fault (status/429) or a too-large body. */
void sim_side_error(const struct sim_side_ops *ops, int status, const char *what,
		    struct sim_resp *resp);
/* Is the peer of this request on the loopback interface? */
bool sim_req_is_loopback(const struct sim_req *req);

/* ---- helpers (util.c) -------------------------------------------------- */

void sim_clock_set_offset(int64_t offset_ms);
int64_t sim_clock_offset(void);
/* Stop the clock at the current time (every write then carries the same
 * modification time), or let it run again. */
void sim_clock_freeze(bool freeze);
/* A random (version 4 layout) UUID, for correlation ids. buf >= 37 bytes. */
void sim_uuid(char *buf);
/* Value of `name` in an application/x-www-form-urlencoded body, decoded into
 * out; 0 if found, -ENOENT if absent, -ENOSPC if it does not fit. */
int sim_form_get(const char *body, size_t len, const char *name, char *out, size_t outlen);
/* Lower-case ASCII copy (other bytes kept). */
void sim_ascii_lower(char *dst, const char *src, size_t dstlen);

#endif
