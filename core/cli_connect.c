/*
 * cli_connect.c - `crmsync connect salesforce`: the OAuth 2.0 web-server
 * flow with PKCE (the code arrives on a loopback redirect, or is pasted on
 * a headless server) or the JWT bearer flow; reads who the user is from the
 * identity URL; refuses a switch to another org while the state holds that
 * org's id map (unless --new-org), and checks a new user of the same org
 * against every mapped object and field before switching; then writes the
 * credentials file (0600, atomically). Never prints or logs a token, a code
 * or a secret.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cfg.h"
#include "cli.h"
#include "cli_connect.h"
#include "cred.h"
#include "http.h"
#include "log.h"
#include "oauth.h"
#include "salesforce.h"
#include "util.h"

#define EXIT_USAGE 2
#define DEFAULT_PORT 1717          /* the callback port connected apps commonly register */
#define DEFAULT_TIMEOUT_S 300

/* ---- Salesforce ----------------------------------------------------------------- */

struct sf_connect {
	const char *login_url_opt, *client_id_opt, *secret_file, *jwt_key, *jwt_user;
	int sandbox, new_org, force, port, timeout_s, no_listen;
	char *login_url;      /* chosen */
	char *client_id;
	char *client_secret;  /* secret */
	int is_sandbox;
};

static int host_is(const char *url, const char *host)
{
	const char *p = strstr(url, "://");
	size_t n = strlen(host);

	p = p ? p + 3 : url;
	return strncasecmp(p, host, n) == 0 && (p[n] == '\0' || p[n] == '/' || p[n] == ':');
}

static int url_is_sandbox(const char *url)
{
	return host_is(url, "test.salesforce.com") || strstr(url, ".sandbox.my.salesforce.com");
}

/* login.salesforce.com vs test.salesforce.com ([salesforce] login_url and
 * sandbox_login_url) unless a My Domain URL is given with --login-url. */
static void choose_login(struct sf_connect *c, const struct config *cfg)
{
	const char *prod = cfg->sf.login_url ? cfg->sf.login_url : "https://login.salesforce.com";
	const char *sbx = cfg->sf.sandbox_login_url ? cfg->sf.sandbox_login_url
						    : "https://test.salesforce.com";

	if (c->login_url_opt)
		c->login_url = xstrdup(c->login_url_opt);
	else
		c->login_url = xstrdup(c->sandbox ? sbx : prod);
	while (str_has_suffix(c->login_url, "/"))
		c->login_url[strlen(c->login_url) - 1] = '\0';
	c->is_sandbox = c->sandbox || url_is_sandbox(c->login_url);
}

/* The JWT audience: the standard login host of the environment, or the
 * login URL itself for a loopback simulator. */
static char *jwt_audience(const struct sf_connect *c)
{
	if (host_is(c->login_url, "login.salesforce.com") || host_is(c->login_url, "test.salesforce.com"))
		return xstrdup(c->login_url);
	if (strncasecmp(c->login_url, "https://", 8) == 0)
		return xstrdup(c->is_sandbox ? "https://test.salesforce.com"
					     : "https://login.salesforce.com");
	return xstrdup(c->login_url);
}

/* signature = base64(HMAC-SHA256(client secret, id + issued_at)). */
static int signature_ok(const char *secret, json_t *tok)
{
	const char *id = cred_str(tok, "id"), *at = cred_str(tok, "issued_at");
	const char *sig = cred_str(tok, "signature");
	unsigned char mac[EVP_MAX_MD_SIZE], enc[128];
	unsigned int maclen = 0;
	char *msg;
	int ok;

	if (!secret || !id || !at || !sig)
		return 1; /* nothing to check with (PKCE without a secret, JWT) */
	msg = xasprintf("%s%s", id, at);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg, strlen(msg), mac,
	     &maclen);
	free(msg);
	EVP_EncodeBlock(enc, mac, (int)maclen);
	ok = strcmp((const char *)enc, sig) == 0;
	return ok;
}

static int get_tokens(struct sf_connect *c, json_t **tok, char **redirect_out)
{
	struct oauth_error oe;
	char *form = NULL, *url, *code = NULL;
	int err;

	url = xasprintf("%s/services/oauth2/token", c->login_url);
	if (c->jwt_key) {
		char *aud = jwt_audience(c), *assertion = NULL;

		err = oauth_jwt_assertion(c->jwt_key, c->client_id, c->jwt_user, aud, &assertion);
		free(aud);
		if (err)
			goto out;
		oauth_form_add(&form, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
		oauth_form_add(&form, "assertion", assertion);
		secret_free(&assertion);
	} else {
		struct oauth_listener l = { -1, 0 };
		struct oauth_pkce pk;
		char *auth, *e_cid, *e_redir;

		err = oauth_pkce_new(&pk);
		if (err)
			goto out;
		if (!c->no_listen && (err = oauth_listen(&l, c->port)))
			goto out;
		*redirect_out = xasprintf("http://localhost:%d/OauthRedirect",
					  c->no_listen ? (c->port ? c->port : DEFAULT_PORT) : l.port);
		e_cid = http_urlencode(c->client_id);
		e_redir = http_urlencode(*redirect_out);
		auth = xasprintf("%s/services/oauth2/authorize?response_type=code&client_id=%s"
				 "&redirect_uri=%s&code_challenge=%s&code_challenge_method=S256"
				 "&scope=api%%20refresh_token%%20id&state=%s",
				 c->login_url, e_cid, e_redir, pk.challenge, pk.state);
		free(e_cid);
		free(e_redir);
		err = connect_get_code(auth, c->no_listen ? NULL : &l, pk.state, c->timeout_s, &code);
		free(auth);
		oauth_listener_close(&l);
		if (err) {
			secure_zero(&pk, sizeof(pk));
			goto out;
		}
		oauth_form_add(&form, "grant_type", "authorization_code");
		oauth_form_add(&form, "code", code);
		oauth_form_add(&form, "client_id", c->client_id);
		if (c->client_secret)
			oauth_form_add(&form, "client_secret", c->client_secret);
		oauth_form_add(&form, "redirect_uri", *redirect_out);
		oauth_form_add(&form, "code_verifier", pk.verifier);
		secure_zero(&pk, sizeof(pk));
	}
	oauth_form_add(&form, "format", "json");
	err = oauth_token_request(url, form, tok, &oe);
	if (err == -EKEYREJECTED)
		fprintf(stderr, "crmsync: salesforce refused the %s: %s: %s\n",
			c->jwt_key ? "JWT assertion" : "authorization code", oe.error, oe.description);
out:
	secret_free(&form);
	secret_free(&code);
	free(url);
	return err;
}

/* Who the token belongs to, from its identity URL. */
static int read_identity(json_t *tok, json_t **ident)
{
	int status = 0, err;

	err = oauth_get_json(cred_str(tok, "id"), cred_str(tok, "access_token"), ident, &status);
	if (err)
		fprintf(stderr, "crmsync: cannot read the identity URL '%s': %s\n", cred_str(tok, "id"),
			status ? "refused" : strerror(-err));
	return err;
}


static void usage_sf(FILE *f)
{
	fprintf(f,
		"usage: crmsync connect salesforce [--sandbox] [--login-url URL] [--client-id KEY]\n"
		"         [--client-secret-file FILE] [--port N | --no-listen] [--timeout SECONDS]\n"
		"         [--jwt KEYFILE --user USERNAME] [--new-org] [--force]\n");
}

static int parse_sf(struct sf_connect *c, int argc, char **argv)
{
	enum { O_SANDBOX = 256, O_LOGIN, O_CID, O_SECRET, O_PORT, O_NOLISTEN, O_TIMEOUT, O_JWT, O_USER,
	       O_NEWORG, O_FORCE };
	static const struct option opts[] = {
		{ "sandbox", no_argument, NULL, O_SANDBOX },
		{ "login-url", required_argument, NULL, O_LOGIN },
		{ "client-id", required_argument, NULL, O_CID },
		{ "client-secret-file", required_argument, NULL, O_SECRET },
		{ "port", required_argument, NULL, O_PORT },
		{ "no-listen", no_argument, NULL, O_NOLISTEN },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "jwt", required_argument, NULL, O_JWT },
		{ "user", required_argument, NULL, O_USER },
		{ "new-org", no_argument, NULL, O_NEWORG },
		{ "force", no_argument, NULL, O_FORCE },
		{ NULL, 0, NULL, 0 },
	};
	int64_t v;
	int o;

	c->port = DEFAULT_PORT;
	c->timeout_s = DEFAULT_TIMEOUT_S;
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case O_SANDBOX: c->sandbox = 1; break;
		case O_LOGIN: c->login_url_opt = optarg; break;
		case O_CID: c->client_id_opt = optarg; break;
		case O_SECRET: c->secret_file = optarg; break;
		case O_NOLISTEN: c->no_listen = 1; break;
		case O_JWT: c->jwt_key = optarg; break;
		case O_USER: c->jwt_user = optarg; break;
		case O_NEWORG: c->new_org = 1; break;
		case O_FORCE: c->force = 1; break;
		case O_PORT:
			if (parse_int64(optarg, &v) || v < 0 || v > 65535) {
				fprintf(stderr, "crmsync: --port takes 0..65535, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			c->port = (int)v;
			break;
		case O_TIMEOUT:
			if (parse_int64(optarg, &v) || v < 1 || v > 86400) {
				fprintf(stderr, "crmsync: --timeout takes 1..86400 seconds, not '%s'\n", optarg);
				return EXIT_USAGE;
			}
			c->timeout_s = (int)v;
			break;
		default:
			usage_sf(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc || (!c->jwt_key != !c->jwt_user)) {
		if (optind >= argc)
			fprintf(stderr, "crmsync: --jwt KEYFILE and --user USERNAME go together\n");
		usage_sf(stderr);
		return EXIT_USAGE;
	}
	if (c->login_url_opt && !http_url_allowed(c->login_url_opt)) {
		fprintf(stderr, "crmsync: --login-url must be https (or http to a loopback host), not '%s'\n",
			c->login_url_opt);
		return EXIT_USAGE;
	}
	return 0;
}

/* The consumer key and secret: options first, else the current file's. */
static int client_credentials(struct sf_connect *c, json_t *old)
{
	const char *old_cid = cred_str(old, "client_id");

	c->client_id = xstrdup(c->client_id_opt ? c->client_id_opt : old_cid ? old_cid : "");
	if (!*c->client_id) {
		fprintf(stderr, "crmsync: the connected app's consumer key is needed: --client-id KEY\n");
		return 1;
	}
	if (c->secret_file) {
		if (connect_read_secret(c->secret_file, "consumer secret", &c->client_secret))
			return 1;
	} else if (cred_str(old, "client_secret") && old_cid && strcmp(old_cid, c->client_id) == 0) {
		c->client_secret = xstrdup(cred_str(old, "client_secret"));
	}
	return 0;
}

static json_t *new_credentials(const struct sf_connect *c, json_t *tok, json_t *ident)
{
	char when[32];
	time_t t = time(NULL);
	struct tm tm;
	json_t *o;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "client_id", c->client_id,
		      "login_url", c->login_url, "instance_url", cred_str(tok, "instance_url"),
		      "identity_url", cred_str(tok, "id"), "environment",
		      c->is_sandbox ? "sandbox" : "production", "org_id",
		      cred_str(ident, "organization_id"), "user_id", cred_str(ident, "user_id"),
		      "username", cred_str(ident, "username"), "connected_at", when);
	if (cred_str(ident, "display_name"))
		json_object_set_new(o, "display_name", json_string(cred_str(ident, "display_name")));
	if (c->client_secret)
		json_object_set_new(o, "client_secret", json_string(c->client_secret));
	if (c->jwt_key) {
		char *abs = realpath(c->jwt_key, NULL), *aud = jwt_audience(c);

		json_object_set_new(o, "jwt_key_file", json_string(abs ? abs : c->jwt_key));
		json_object_set_new(o, "audience", json_string(aud));
		free(abs);
		free(aud);
	} else {
		json_object_set_new(o, "refresh_token", json_string(cred_str(tok, "refresh_token")));
	}
	return o;
}

int cmd_connect_salesforce(const char *path, int argc, char **argv)
{
	struct sf_connect c = { 0 };
	struct config cfg;
	json_t *old = NULL, *tok = NULL, *ident = NULL, *creds = NULL;
	struct sf_client *sf = NULL;
	char *redirect = NULL;
	const char *org, *user, *old_user;
	char *synced_user = NULL;
	int rc, problems = 0;

	rc = parse_sf(&c, argc, argv);
	if (rc)
		return rc;
	rc = 1;
	if (cli_load(&cfg, path, 0)) {
		config_release(&cfg);
		return 1;
	}
	choose_login(&c, &cfg);
	if (access(cfg.sf.credentials, F_OK) == 0 && cred_read(cfg.sf.credentials, "salesforce", &old))
		goto out;
	if (client_credentials(&c, old))
		goto out;
	if (get_tokens(&c, &tok, &redirect))
		goto out;
	if (!cred_str(tok, "access_token") || !cred_str(tok, "instance_url") || !cred_str(tok, "id") ||
	    (!c.jwt_key && !cred_str(tok, "refresh_token"))) {
		fprintf(stderr, "crmsync: salesforce answered without access_token, instance_url, id%s: "
				"is the connected app's scope 'api refresh_token id'?\n",
			c.jwt_key ? "" : " or refresh_token");
		goto out;
	}
	if (!http_url_allowed(cred_str(tok, "instance_url")) || !http_url_allowed(cred_str(tok, "id"))) {
		fprintf(stderr, "crmsync: salesforce gave an instance or identity URL that is neither "
				"https nor loopback; refusing it\n");
		goto out;
	}
	if (!signature_ok(c.client_secret, tok)) {
		fprintf(stderr, "crmsync: the token response's signature does not match its identity URL "
				"(tampered with, or another consumer secret); not saving it\n");
		goto out;
	}
	if (read_identity(tok, &ident))
		goto out;
	org = cred_str(ident, "organization_id");
	user = cred_str(ident, "user_id");
	if (!org || !user || !cred_str(ident, "username")) {
		fprintf(stderr, "crmsync: the identity URL did not name the user and org\n");
		goto out;
	}
	/* switching: another org orphans the id map; another user of the same
	 * org must be able to do what the mappings need */
	if (connect_check_state(&cfg, "salesforce.org_id", cred_str(old, "org_id"), org, "org",
				c.new_org, 0))
		goto out;
	/* the user the state last synced as, else the one of the old file */
	synced_user = connect_state_get(&cfg, "salesforce.user_id");
	old_user = synced_user ? synced_user : cred_str(old, "user_id");
	if (sf_client_new(&sf, &cfg.sf, NULL))
		goto out;
	sf_set_session(sf, cred_str(tok, "access_token"), cred_str(tok, "instance_url"),
		       cred_str(tok, "id"));
	if (cli_connect_check_permissions(path, sf, &problems))
		goto out;
	if (problems && old_user && strcmp(old_user, user) != 0 && !c.force) {
		fprintf(stderr, "crmsync: not switching to '%s': the %d permission problem%s above "
				"would become sync errors; grant the access, or switch anyway with "
				"--force\n",
			cred_str(ident, "username"), problems, problems == 1 ? "" : "s");
		goto out;
	}
	creds = new_credentials(&c, tok, ident);
	if (connect_check_state(&cfg, "salesforce.org_id", cred_str(old, "org_id"), org, "org",
				c.new_org, 1) ||
	    cred_write(cfg.sf.credentials, "salesforce", creds))
		goto out;
	{
		const char *kv[] = { "salesforce.org_id", org, "salesforce.user_id", user,
				     "salesforce.environment", c.is_sandbox ? "sandbox" : "production",
				     NULL };

		connect_record(&cfg, "salesforce", kv);
	}
	printf("connected to Salesforce (%s) as %s <%s>\n  user id %s, org id %s\n  instance %s\n"
	       "credentials saved to '%s' (mode 0600)\n",
	       c.is_sandbox ? "sandbox" : "production",
	       cred_str(ident, "display_name") ? cred_str(ident, "display_name") : "",
	       cred_str(ident, "username"), user, org, cred_str(tok, "instance_url"),
	       cfg.sf.credentials);
	if (problems)
		printf("warning: %d permission problem%s listed above will show as sync errors\n",
		       problems, problems == 1 ? "" : "s");
	rc = 0;
out:
	sf_client_free(sf);
	json_decref(old);
	json_decref(tok);
	json_decref(ident);
	json_decref(creds);
	free(redirect);
	free(synced_user);
	free(c.login_url);
	free(c.client_id);
	secret_free(&c.client_secret);
	config_release(&cfg);
	return rc;
}

int cmd_connect(const char *path, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "salesforce") == 0)
		return cmd_connect_salesforce(path, argc, argv);
	if (argc >= 1 && strcmp(argv[0], "hubspot") == 0)
		return cmd_connect_hubspot(path, argc, argv);
	fprintf(stderr, "crmsync: usage: crmsync connect salesforce|hubspot [OPTIONS]; see "
			"'crmsync --help'\n");
	return EXIT_USAGE;
}
