/*
 * cli_connect_hs.c - `crmsync connect hubspot`: a private-app token (read
 * from a file or stdin, checked against the API before it is saved) or the
 * OAuth install flow (authorize in a browser, code on a loopback redirect).
 * Refuses another portal while the state holds this one's id map, unless
 * --new-org. Never prints or logs the token.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "cli_connect.h"
#include "cred.h"
#include "http.h"
#include "hubspot.h"
#include "oauth.h"
#include "util.h"

#define EXIT_USAGE 2
#define HS_SCOPES "oauth crm.objects.contacts.read crm.objects.contacts.write " \
	"crm.objects.companies.read crm.objects.companies.write crm.objects.deals.read " \
	"crm.objects.deals.write crm.schemas.contacts.read crm.objects.owners.read"

struct hs_connect {
	const char *token_file, *client_id, *secret_file, *scopes;
	int oauth, new_org, port, timeout_s, no_listen;
};

static void usage_hs(FILE *f)
{
	fprintf(f, "usage: crmsync connect hubspot [--token-file FILE]   (private app; stdin without it)\n"
		   "       crmsync connect hubspot --oauth --client-id ID --client-secret-file FILE\n"
		   "         [--scopes \"S ...\"] [--port N | --no-listen] [--timeout SECONDS]\n"
		   "       either form also takes [--new-org]\n");
}

static int parse_hs(struct hs_connect *c, int argc, char **argv)
{
	enum { O_TOKEN = 256, O_OAUTH, O_CID, O_SECRET, O_SCOPES, O_PORT, O_NOLISTEN, O_TIMEOUT,
	       O_NEWORG };
	static const struct option opts[] = {
		{ "token-file", required_argument, NULL, O_TOKEN },
		{ "oauth", no_argument, NULL, O_OAUTH },
		{ "client-id", required_argument, NULL, O_CID },
		{ "client-secret-file", required_argument, NULL, O_SECRET },
		{ "scopes", required_argument, NULL, O_SCOPES },
		{ "port", required_argument, NULL, O_PORT },
		{ "no-listen", no_argument, NULL, O_NOLISTEN },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "new-org", no_argument, NULL, O_NEWORG },
		{ NULL, 0, NULL, 0 },
	};
	int64_t v;
	int o;

	c->port = 1717;
	c->timeout_s = 300;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case O_TOKEN: c->token_file = optarg; break;
		case O_OAUTH: c->oauth = 1; break;
		case O_CID: c->client_id = optarg; break;
		case O_SECRET: c->secret_file = optarg; break;
		case O_SCOPES: c->scopes = optarg; break;
		case O_NOLISTEN: c->no_listen = 1; break;
		case O_NEWORG: c->new_org = 1; break;
		case O_PORT:
		case O_TIMEOUT:
			if (parse_int64(optarg, &v) || v < (o == O_PORT ? 0 : 1) ||
			    v > (o == O_PORT ? 65535 : 86400)) {
				fprintf(stderr, "crmsync: bad value '%s' for --%s\n", optarg,
					o == O_PORT ? "port" : "timeout");
				return EXIT_USAGE;
			}
			if (o == O_PORT)
				c->port = (int)v;
			else
				c->timeout_s = (int)v;
			break;
		default:
			usage_hs(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || (c->oauth && (!c->client_id || !c->secret_file)) ||
	    (c->oauth && c->token_file)) {
		usage_hs(stderr);
		return EXIT_USAGE;
	}
	return 0;
}

/* The install flow: 0 and *tok (the token response). */
static int oauth_install(const struct hs_connect *c, const struct config *cfg, const char *secret,
			 json_t **tok)
{
	struct oauth_listener l = { -1, 0 };
	struct oauth_pkce pk;
	struct oauth_error oe;
	char *redirect, *auth, *e_cid, *e_red, *e_sc, *code = NULL, *form = NULL, *url;
	const char *base = cfg->hs.base_url;
	int err;

	if ((err = oauth_pkce_new(&pk)))
		return err;
	if (!c->no_listen && (err = oauth_listen(&l, c->port)))
		return err;
	redirect = xasprintf("http://localhost:%d/oauth-callback", c->no_listen ? c->port : l.port);
	e_cid = http_urlencode(c->client_id);
	e_red = http_urlencode(redirect);
	e_sc = http_urlencode(c->scopes ? c->scopes : HS_SCOPES);
	/* the authorize page lives on app.hubspot.com; a loopback base (the
	 * simulator) serves it itself */
	auth = xasprintf("%s/oauth/authorize?client_id=%s&redirect_uri=%s&scope=%s&state=%s",
			 strcmp(base, "https://api.hubapi.com") == 0 ? "https://app.hubspot.com" : base,
			 e_cid, e_red, e_sc, pk.state);
	free(e_cid);
	free(e_red);
	free(e_sc);
	err = connect_get_code(auth, c->no_listen ? NULL : &l, pk.state, c->timeout_s, &code);
	free(auth);
	oauth_listener_close(&l);
	if (!err) {
		oauth_form_add(&form, "grant_type", "authorization_code");
		oauth_form_add(&form, "client_id", c->client_id);
		oauth_form_add(&form, "client_secret", secret);
		oauth_form_add(&form, "redirect_uri", redirect);
		oauth_form_add(&form, "code", code);
		url = xasprintf("%s/oauth/v1/token", base);
		err = oauth_token_request(url, form, tok, &oe);
		if (err == -EKEYREJECTED)
			fprintf(stderr, "crmsync: hubspot refused the authorization code: %s: %s\n",
				oe.error, oe.description);
		free(url);
	}
	secure_zero(&pk, sizeof(pk));
	secret_free(&form);
	secret_free(&code);
	free(redirect);
	return err;
}

int cmd_connect_hubspot(const char *path, int argc, char **argv)
{
	struct hs_connect c = { 0 };
	struct hs_client *hs = NULL;
	struct hs_error herr;
	struct config cfg;
	json_t *old = NULL, *tok = NULL, *acct = NULL, *creds = NULL;
	char *token = NULL, *secret = NULL, portal[32], when[32];
	time_t t = time(NULL);
	struct tm tm;
	int rc;

	rc = parse_hs(&c, argc, argv);
	if (rc)
		return rc;
	rc = 1;
	if (cli_load(&cfg, path, 0)) {
		config_release(&cfg);
		return 1;
	}
	if (access(cfg.hs.credentials, F_OK) == 0 && cred_read(cfg.hs.credentials, "hubspot", &old))
		goto out;
	if (c.oauth) {
		if (connect_read_secret(c.secret_file, "client secret", &secret) ||
		    oauth_install(&c, &cfg, secret, &tok))
			goto out;
		if (!cred_str(tok, "access_token") || !cred_str(tok, "refresh_token")) {
			fprintf(stderr, "crmsync: hubspot answered without access_token/refresh_token\n");
			goto out;
		}
		token = xstrdup(cred_str(tok, "access_token"));
	} else {
		if (!c.token_file && isatty(STDIN_FILENO))
			fprintf(stderr, "Paste the private app's access token, then Enter:\n");
		if (connect_read_secret(c.token_file ? c.token_file : "-", "access token", &token))
			goto out;
	}
	/* check the token before anything is saved */
	if (hs_client_new(&hs, &cfg.hs))
		goto out;
	hs_set_token(hs, token);
	if (hs_account(hs, &acct, &herr)) {
		fprintf(stderr, "crmsync: hubspot refused the token (HTTP %d %s: %s); nothing was saved\n",
			herr.http_status, herr.category, herr.message);
		goto out;
	}
	if (!json_is_integer(json_object_get(acct, "portalId"))) {
		fprintf(stderr, "crmsync: hubspot's account details name no portalId\n");
		goto out;
	}
	snprintf(portal, sizeof(portal), "%" JSON_INTEGER_FORMAT,
		 json_integer_value(json_object_get(acct, "portalId")));
	{
		char prev[32] = "";

		if (json_is_integer(json_object_get(old, "portal_id")))
			snprintf(prev, sizeof(prev), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(json_object_get(old, "portal_id")));
		if (connect_check_state(&cfg, "hubspot.portal_id", prev, portal, "portal", c.new_org, 1))
			goto out;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (c.oauth)
		creds = json_pack("{s:s, s:s, s:s, s:O, s:s}", "client_id", c.client_id, "client_secret",
				  secret, "refresh_token", cred_str(tok, "refresh_token"), "portal_id",
				  json_object_get(acct, "portalId"), "connected_at", when);
	else
		creds = json_pack("{s:s, s:O, s:s}", "access_token", token, "portal_id",
				  json_object_get(acct, "portalId"), "connected_at", when);
	if (json_is_string(json_object_get(acct, "uiDomain")))
		json_object_set(creds, "ui_domain", json_object_get(acct, "uiDomain"));
	if (cred_write(cfg.hs.credentials, "hubspot", creds))
		goto out;
	{
		const char *kv[] = { "hubspot.portal_id", portal, NULL };

		connect_record(&cfg, "hubspot", kv);
	}
	printf("connected to HubSpot portal %s (%s)\ncredentials saved to '%s' (mode 0600)\n", portal,
	       c.oauth ? "OAuth app" : "private app", cfg.hs.credentials);
	rc = 0;
out:
	hs_client_free(hs);
	json_decref(old);
	json_decref(tok);
	json_decref(acct);
	json_decref(creds);
	secret_free(&token);
	secret_free(&secret);
	config_release(&cfg);
	return rc;
}
