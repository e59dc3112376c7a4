/*
 * cli_whoami.c - `crmsync whoami`: which Salesforce user crmsync acts as
 * (from the identity URL of a fresh token) and which HubSpot portal, and
 * whether each token works right now; and the same block, from what was
 * saved at connect time and the state's record (no network), at the top
 * of `crmsync status`. Never prints a token.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth_state.h"
#include "cfg.h"
#include "cli.h"
#include "cli_connect.h"
#include "cred.h"
#include "hubspot.h"
#include "log.h"
#include "salesforce.h"
#include "store.h"
#include "util.h"

static void fmt_ms(int64_t ms, char *buf, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The credentials file's object without logging when it is missing. */
static json_t *quiet_creds(const char *path, const char *service)
{
	json_t *o = NULL;

	if (access(path, F_OK) < 0)
		return NULL;
	if (cred_read(path, service, &o))
		return NULL;
	return o;
}

static const char *s_or(json_t *o, const char *k, const char *dflt)
{
	const char *v = cred_str(o, k);

	return v ? v : dflt;
}

/* The token's state as the daemon last saw it. */
static json_t *token_state(struct store *st, const char *side)
{
	char *reason = NULL, when[32];
	int64_t at = 0;
	json_t *o;

	if (st && auth_revoked_get(st, side, &reason, &at) == 0) {
		fmt_ms(at, when, sizeof(when));
		o = json_pack("{s:s, s:s, s:s}", "token", "refused", "since", when, "reason", reason);
		free(reason);
		return o;
	}
	if (st && auth_ok_get(st, side, &at) == 0) {
		fmt_ms(at, when, sizeof(when));
		return json_pack("{s:s, s:s}", "token", "works", "checked", when);
	}
	return json_pack("{s:s}", "token", "not checked yet");
}

static json_t *sf_block(json_t *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "name", s_or(c, "display_name", ""),
			 "username", s_or(c, "username", ""), "user_id", s_or(c, "user_id", ""),
			 "org_id", s_or(c, "org_id", ""), "environment",
			 s_or(c, "environment", "production"), "instance_url",
			 s_or(c, "instance_url", ""), "auth", cred_str(c, "jwt_key_file")
			 ? "jwt bearer" : "refresh token");
}

static void print_sf(json_t *sf, const char *prefix)
{
	const char *tok = s_or(sf, "token", "");

	if (!json_is_object(sf) || !cred_str(sf, "auth")) {   /* no credentials file */
		printf("%sSalesforce: not connected: run 'crmsync connect salesforce [--sandbox]'\n", prefix);
		return;
	}
	if (!*s_or(sf, "username", "")) {
		/* credentials written by hand, without the identity connect records */
		printf("%sSalesforce: credentials present, integration user not recorded (token: %s): "
		       "'crmsync whoami' asks Salesforce\n", prefix, tok);
		return;
	}
	printf("%sSalesforce integration user\n", prefix);
	printf("%s  user:         %s <%s>\n", prefix, s_or(sf, "name", ""), s_or(sf, "username", ""));
	printf("%s  user id:      %s\n", prefix, s_or(sf, "user_id", ""));
	printf("%s  org id:       %s (%s)\n", prefix, s_or(sf, "org_id", ""),
	       s_or(sf, "environment", "production"));
	printf("%s  instance:     %s\n", prefix, s_or(sf, "instance_url", ""));
	if (!strcmp(tok, "refused"))
		printf("%s  token:        REFUSED since %s (%s): reconnect with 'crmsync connect "
		       "salesforce'\n", prefix, s_or(sf, "since", "?"), s_or(sf, "reason", ""));
	else if (cred_str(sf, "checked"))
		printf("%s  token:        %s (%s)\n", prefix, tok, s_or(sf, "checked", ""));
	else
		printf("%s  token:        %s\n", prefix, tok);
}

static void print_hs(json_t *hs, const char *prefix)
{
	const char *tok = s_or(hs, "token", "");

	if (!json_is_object(hs) || !cred_str(hs, "auth")) {   /* no credentials file */
		printf("%sHubSpot: not connected: run 'crmsync connect hubspot'\n", prefix);
		return;
	}
	if (!json_is_integer(json_object_get(hs, "portal_id"))) {
		printf("%sHubSpot: %s credentials present, portal not recorded (token: %s): 'crmsync "
		       "whoami' asks HubSpot\n", prefix, s_or(hs, "auth", ""), tok);
		return;
	}
	printf("%sHubSpot account\n", prefix);
	printf("%s  portal id:    %" JSON_INTEGER_FORMAT " (%s)\n", prefix,
	       json_integer_value(json_object_get(hs, "portal_id")), s_or(hs, "auth", ""));
	if (!strcmp(tok, "refused"))
		printf("%s  token:        REFUSED since %s (%s): reconnect with 'crmsync connect "
		       "hubspot'\n", prefix, s_or(hs, "since", "?"), s_or(hs, "reason", ""));
	else if (cred_str(hs, "checked"))
		printf("%s  token:        %s (%s)\n", prefix, tok, s_or(hs, "checked", ""));
	else
		printf("%s  token:        %s\n", prefix, tok);
}

static json_t *hs_block(json_t *c)
{
	json_t *o = json_pack("{s:s}", "auth", cred_str(c, "refresh_token") ? "OAuth app" : "private app");

	if (json_is_integer(json_object_get(c, "portal_id")))
		json_object_set(o, "portal_id", json_object_get(c, "portal_id"));
	return o;
}

void cli_identity_status(const struct config *cfg, struct store *st, json_t *json)
{
	json_t *sfc = quiet_creds(cfg->sf.credentials, "salesforce");
	json_t *hsc = quiet_creds(cfg->hs.credentials, "hubspot");
	json_t *sf = sfc ? sf_block(sfc) : json_object(), *hs = hsc ? hs_block(hsc) : json_object();

	json_object_update_new(sf, token_state(st, "salesforce"));
	json_object_update_new(hs, token_state(st, "hubspot"));
	if (json) {
		json_object_set_new(json, "connections", json_pack("{s:o, s:o}", "salesforce", sf,
								   "hubspot", hs));
	} else {
		print_sf(sf, "");
		print_hs(hs, "");
		printf("\n");
		json_decref(sf);
		json_decref(hs);
	}
	json_decref(sfc);
	json_decref(hsc);
}

/* ---- whoami: live ------------------------------------------------------------ */

static json_t *whoami_sf(const struct config *cfg, struct store *st)
{
	json_t *c = quiet_creds(cfg->sf.credentials, "salesforce"), *ident = NULL, *o;
	struct sf_client *sf = NULL;
	int err;

	if (!c)
		return json_object();
	o = sf_block(c);
	if (sf_client_new(&sf, &cfg->sf, NULL)) {
		json_decref(c);
		return o;
	}
	sf_set_store(sf, st);
	err = sf_login(sf);
	if (!err)
		err = sf_identity(sf, &ident);
	if (!err) {
		json_object_update_new(o, json_pack("{s:s, s:s, s:s, s:s, s:s}", "name",
			s_or(ident, "display_name", ""), "username", s_or(ident, "username", ""),
			"user_id", s_or(ident, "user_id", ""), "org_id", s_or(ident, "organization_id", ""),
			"token", "works"));
		if (sf_instance_url(sf))
			json_object_set_new(o, "instance_url", json_string(sf_instance_url(sf)));
	} else if (err == -EKEYREJECTED) {
		json_object_update_new(o, token_state(st, "salesforce"));
		json_object_set_new(o, "token", json_string("refused"));
	} else if (err == -EXDEV) {
		json_object_set_new(o, "token", json_string("works, but for another org than the state's "
							     "(see above)"));
	} else {
		json_object_set_new(o, "token", json_string("unreachable"));
		json_object_set_new(o, "error", json_string(strerror(-err)));
	}
	json_decref(ident);
	sf_client_free(sf);
	json_decref(c);
	return o;
}

static json_t *whoami_hs(const struct config *cfg, struct store *st)
{
	json_t *c = quiet_creds(cfg->hs.credentials, "hubspot"), *acct = NULL, *o;
	struct hs_client *hs = NULL;
	struct hs_error herr;
	int err;

	if (!c)
		return json_object();
	o = hs_block(c);
	if (hs_client_new(&hs, &cfg->hs)) {
		json_decref(c);
		return o;
	}
	hs_set_store(hs, st);
	err = hs_account(hs, &acct, &herr);
	if (!err) {
		json_object_set(o, "portal_id", json_object_get(acct, "portalId"));
		json_object_set_new(o, "token", json_string("works"));
		if (st)
			auth_ok(st, "hubspot");
	} else if (err == -EKEYREJECTED || herr.http_status == 401) {
		json_object_update_new(o, token_state(st, "hubspot"));
		json_object_set_new(o, "token", json_string("refused"));
		if (!json_object_get(o, "reason"))
			json_object_set_new(o, "reason", json_string(herr.message));
	} else {
		json_object_set_new(o, "token", json_string("unreachable"));
	}
	json_decref(acct);
	hs_client_free(hs);
	json_decref(c);
	return o;
}

int cmd_whoami(const char *path, int argc, char **argv)
{
	int as_json = argc == 1 && strcmp(argv[0], "--json") == 0;
	struct store *st = NULL;
	struct config cfg;
	json_t *sf, *hs;
	int rc;

	if (argc > as_json) {
		fprintf(stderr, "crmsync: usage: crmsync whoami [--json]\n");
		return 2;
	}
	if (cli_load(&cfg, path, 0)) {
		config_release(&cfg);
		return 1;
	}
	/* the state (when there is one) holds the refresh lease and the record
	 * of a refused token */
	if (access(cfg.core.state, F_OK) == 0 && store_open(&st, cfg.core.state, 0))
		st = NULL;
	sf = whoami_sf(&cfg, st);
	hs = whoami_hs(&cfg, st);
	rc = strcmp(s_or(sf, "token", ""), "works") || strcmp(s_or(hs, "token", ""), "works");
	if (as_json) {
		json_t *root = json_pack("{s:o, s:o}", "salesforce", sf, "hubspot", hs);
		char *s = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS);

		puts(s);
		free(s);
		json_decref(root);
	} else {
		print_sf(sf, "");
		print_hs(hs, "");
		json_decref(sf);
		json_decref(hs);
	}
	store_close(st);
	config_release(&cfg);
	return rc;
}
