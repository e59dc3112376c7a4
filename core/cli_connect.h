/*
 * cli_connect.h - `crmsync connect` and `crmsync whoami`: helpers shared by
 * cli_connect.c (Salesforce), cli_connect_hs.c (HubSpot) and cli_whoami.c.
 */
#ifndef CRMSYNC_CLI_CONNECT_H
#define CRMSYNC_CLI_CONNECT_H

#include <jansson.h>

struct config;
struct sf_client;

int cmd_connect(const char *path, int argc, char **argv);
int cmd_connect_salesforce(const char *path, int argc, char **argv);
int cmd_connect_hubspot(const char *path, int argc, char **argv);
int cmd_whoami(const char *path, int argc, char **argv);

/* The identity block at the top of `crmsync status`, from the credentials
 * files and the state (no network): printed, or added to json as
 * "connections" when json is not NULL. */
struct store;
void cli_identity_status(const struct config *cfg, struct store *st, json_t *json);

/* ---- shared by the connect commands ---- */

/* The state's record of which org/portal it syncs (kv key, e.g.
 * "salesforce.org_id"; else `previous`, from the old credentials) against
 * the one being connected. Returns 0 to go on (the same one, none known, no
 * state yet, or --new-org given: with apply, the old state is then moved
 * aside), 1 when the switch is refused (message printed). */
int connect_check_state(const struct config *cfg, const char *kv_key, const char *previous,
			const char *incoming, const char *what, int new_org, int apply);
/* Salesforce: can the session's user read and edit every mapped object and
 * field of the configuration? Prints each problem; *problems gets how many.
 * 0, or 1 when the check itself could not run. */
int cli_connect_check_permissions(const char *path, struct sf_client *sf, int *problems);
/* Record the connection in the state (created if missing): kv pairs
 * (NULL-terminated key, value list), the side's refused-token record
 * cleared, its token marked as working. */
int connect_record(const struct config *cfg, const char *side, const char *const *kv);
/* A setting of the state (caller frees), or NULL when there is none. */
char *connect_state_get(const struct config *cfg, const char *key);
/* Read a one-line secret (a file, or stdin when path is "-"); caller wipes. */
int connect_read_secret(const char *path, const char *what, char **out);
/* Print the authorization URL and wait for the code (listener on port,
 * and/or a pasted URL or code on stdin). 0 and *code (caller wipes). */
struct oauth_listener;
int connect_get_code(const char *url, struct oauth_listener *l, const char *state,
		     int timeout_s, char **code);

#endif
