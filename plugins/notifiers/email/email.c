/*
 * email - a notifier that sends each message as a plain-text UTF-8 email
 * over SMTP (libcurl: smtp:// with STARTTLS, or smtps://). The message
 * itself is built in message.c. TLS certificates are always verified.
 * Must not log the password, and must not call curl_global_*: the daemon
 * owns process-wide state, the plugin creates and frees handles only.
 */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crmsync/plugin.h>

#include "message.h"

#define EMAIL_VERSION "0.1.0"
#define CONNECT_TIMEOUT_MS 10000L

static const struct crmsync_host *host;

enum starttls_mode { STARTTLS_REQUIRED = 0, STARTTLS_OPPORTUNISTIC = 1, STARTTLS_OFF = 2 };

struct email_ctx {
	/* options, owned by the daemon */
	char *url;
	char *from;
	char **to;
	int starttls;             /* enum starttls_mode */
	char *username;
	char *password;           /* from password_file; wiped by the daemon */
	int64_t timeout_ms;
	char *ca_file;
	/* derived in init */
	char host[256];
	char envelope_from[320];
	struct curl_slist *rcpt;  /* owned until fini */
};

static const char *const starttls_modes[] = { "required", "opportunistic", "off", NULL };

static const struct crmsync_option email_options[] = {
	{ "url", CRMSYNC_OPT_STRING, CRMSYNC_OPT_REQUIRED, NULL, offsetof(struct email_ctx, url),
	  "SMTP server: smtp://host:587 (STARTTLS) or smtps://host:465", NULL, 0, 0 },
	{ "from", CRMSYNC_OPT_STRING, CRMSYNC_OPT_REQUIRED, NULL, offsetof(struct email_ctx, from),
	  "sender: user@example.com or \"Name <user@example.com>\"", NULL, 0, 0 },
	{ "to", CRMSYNC_OPT_LIST, CRMSYNC_OPT_REQUIRED, NULL, offsetof(struct email_ctx, to),
	  "recipients, comma-separated", NULL, 0, 0 },
	{ "starttls", CRMSYNC_OPT_ENUM, 0, "required", offsetof(struct email_ctx, starttls),
	  "TLS on smtp://: required, opportunistic, or off (loopback servers only)",
	  starttls_modes, 0, 0 },
	{ "username", CRMSYNC_OPT_STRING, 0, NULL, offsetof(struct email_ctx, username),
	  "SMTP AUTH user name (needs password_file)", NULL, 0, 0 },
	{ "password_file", CRMSYNC_OPT_STRING, CRMSYNC_OPT_SECRET, NULL,
	  offsetof(struct email_ctx, password), "the SMTP AUTH password",
	  NULL, 0, 0 },
	{ "timeout", CRMSYNC_OPT_DURATION, 0, "30s", offsetof(struct email_ctx, timeout_ms),
	  "how long one delivery may take", NULL, 1000, 600000 },
	{ "ca_file", CRMSYNC_OPT_STRING, 0, NULL, offsetof(struct email_ctx, ca_file),
	  "PEM file of CA certificates to verify the server with (default: the system's)", NULL,
	  0, 0 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static void email_fini(struct crmsync_instance *inst, void *vctx)
{
	struct email_ctx *ctx = vctx;

	curl_slist_free_all(ctx->rcpt);
	ctx->rcpt = NULL;
}

static int check_url(struct crmsync_instance *inst, struct email_ctx *ctx)
{
	char scheme[16];

	if (url_split(ctx->url, scheme, sizeof(scheme), ctx->host, sizeof(ctx->host))) {
		host->log(inst, CRMSYNC_LOG_ERR,
			  "option 'url' is not smtp://host[:port] or smtps://host[:port] (user names "
			  "go in 'username', passwords in 'password_file')");
		return -EINVAL;
	}
	if (strcmp(scheme, "smtp") != 0 && strcmp(scheme, "smtps") != 0) {
		host->log(inst, CRMSYNC_LOG_ERR, "option 'url' must start with smtp:// or smtps://, "
			  "not '%s://'", scheme);
		return -EINVAL;
	}
	if (ctx->starttls == STARTTLS_OFF && strcmp(scheme, "smtps") == 0) {
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'starttls = off' contradicts 'url = smtps://...', which always uses TLS");
		return -EINVAL;
	}
	if (ctx->starttls == STARTTLS_OFF && !host_is_loopback(ctx->host)) {
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'starttls = off' is allowed only for a loopback server, and '%s' is not "
			  "one: use 'starttls = required'", ctx->host);
		return -EINVAL;
	}
	return 0;
}

static int email_init(struct crmsync_instance *inst, void *vctx)
{
	struct email_ctx *ctx = vctx;
	char addr[320];
	int err;

	err = check_url(inst, ctx);
	if (err)
		return err;
	if (!!ctx->username != !!ctx->password) {
		host->log(inst, CRMSYNC_LOG_ERR, "options 'username' and 'password_file' go together: "
			  "set both or neither");
		return -EINVAL;
	}
	if (mail_address(ctx->from, ctx->envelope_from, sizeof(ctx->envelope_from))) {
		host->log(inst, CRMSYNC_LOG_ERR, "option 'from': '%s' is not an email address",
			  ctx->from);
		return -EINVAL;
	}
	if (!ctx->to || !ctx->to[0]) {
		host->log(inst, CRMSYNC_LOG_ERR, "option 'to' names no recipient");
		return -EINVAL;
	}
	for (char **t = ctx->to; *t; t++) {
		struct curl_slist *l;

		if (mail_address(*t, addr, sizeof(addr))) {
			host->log(inst, CRMSYNC_LOG_ERR, "option 'to': '%s' is not an email address", *t);
			err = -EINVAL;
			goto out_free_rcpt;
		}
		l = curl_slist_append(ctx->rcpt, addr);
		if (!l) {
			err = -ENOMEM;
			goto out_free_rcpt;
		}
		ctx->rcpt = l;
	}
	return 0;

out_free_rcpt:
	curl_slist_free_all(ctx->rcpt);
	ctx->rcpt = NULL;
	return err;
}

struct upload {
	const char *p;
	size_t left;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *user)
{
	struct upload *u = user;
	size_t n = size * nmemb < u->left ? size * nmemb : u->left;

	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/*
 * curl's result and the server's last reply code -> an outcome. SMTP says
 * 4xx is transient and 5xx permanent (RFC 5321 4.2.1); 535 (534) is a
 * refused login, 530 a server that wants one (RFC 4954). Connection problems and timeouts are transient; TLS problems are
 * configuration and are not retried.
 */
static int classify(struct crmsync_instance *inst, struct email_ctx *ctx, CURLcode rc, long reply,
		    const char *errbuf)
{
	const char *why = errbuf[0] ? errbuf : curl_easy_strerror(rc);

	if (rc == CURLE_OK)
		return CRMSYNC_HANDLED;
	if (rc == CURLE_LOGIN_DENIED || reply == 535 || reply == 534) {
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'%s' refused the login of '%s' (%s): check 'username' and 'password_file'",
			  ctx->host, ctx->username ? ctx->username : "", why);
		return -EACCES;
	}
	if (reply == 530) {
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'%s' requires authentication (%s): set 'username' and 'password_file'",
			  ctx->host, why);
		return -EACCES;
	}
	switch (rc) {
	case CURLE_USE_SSL_FAILED:
		host->log(inst, CRMSYNC_LOG_ERR,
			  "'%s' does not offer STARTTLS (%s): use smtps://, or 'starttls = "
			  "opportunistic' if the network is trusted", ctx->host, why);
		return -EPROTO;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
		host->log(inst, CRMSYNC_LOG_ERR, "TLS with '%s' failed (%s): check the server's "
			  "certificate or 'ca_file'", ctx->host, why);
		return -EPROTO;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		host->log(inst, CRMSYNC_LOG_ERR, "cannot send through '%s': %s", ctx->host, why);
		return -EINVAL;
	default:
		break;
	}
	if (reply >= 500 && reply < 600) {
		host->log(inst, CRMSYNC_LOG_ERR, "'%s' rejected the message with %ld (%s): not "
			  "retrying", ctx->host, reply, why);
		return -EPROTO;
	}
	if (reply >= 400 && reply < 500)
		host->log(inst, CRMSYNC_LOG_WARNING, "'%s' deferred the message with %ld (%s): will "
			  "retry", ctx->host, reply, why);
	else
		host->log(inst, CRMSYNC_LOG_WARNING, "cannot send through '%s': %s: will retry",
			  ctx->host, why);
	return CRMSYNC_RETRY;
}

static int email_deliver(struct crmsync_instance *inst, void *vctx,
			 const struct crmsync_message *msg)
{
	struct email_ctx *ctx = vctx;
	char unique[33], errbuf[CURL_ERROR_SIZE] = "", mail_from[330];
	struct mail_envelope env = { ctx->from, (const char *const *)ctx->to, host->now_ms(),
				     unique };
	struct upload up;
	char *text;
	long reply = 0;
	CURLcode rc;
	CURL *c;
	int err;

	err = random_hex(unique, 16);
	if (err) {
		host->log(inst, CRMSYNC_LOG_ERR, "cannot make a Message-ID: %s", strerror(-err));
		return CRMSYNC_RETRY;
	}
	text = mail_build(msg, &env);
	if (!text) {
		host->log(inst, CRMSYNC_LOG_ERR, "cannot build the message: out of memory");
		return -ENOMEM;
	}
	c = curl_easy_init();
	if (!c) {
		err = -ENOMEM;
		goto out_free_text;
	}
	up.p = text;
	up.left = strlen(text);
	snprintf(mail_from, sizeof(mail_from), "<%s>", ctx->envelope_from);
	curl_easy_setopt(c, CURLOPT_URL, ctx->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL,
			 ctx->starttls == STARTTLS_OFF ? (long)CURLUSESSL_NONE
			 : ctx->starttls == STARTTLS_OPPORTUNISTIC ? (long)CURLUSESSL_TRY
								   : (long)CURLUSESSL_ALL);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (ctx->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ctx->ca_file);
	if (ctx->username) {
		curl_easy_setopt(c, CURLOPT_USERNAME, ctx->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, ctx->password);
	}
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, ctx->rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.left);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 ctx->timeout_ms < CONNECT_TIMEOUT_MS ? (long)ctx->timeout_ms
							      : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ctx->timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);

	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
	err = classify(inst, ctx, rc, reply, errbuf);
	curl_easy_cleanup(c);
out_free_text:
	free(text);
	return err;
}

static int email_plugin_init(const struct crmsync_host *h)
{
	host = h;
	return 0;
}

static const struct crmsync_notifier_ops email_ops = {
	.size = sizeof(struct crmsync_notifier_ops),
	.ctx_size = sizeof(struct email_ctx),
	.options = email_options,
	.init = email_init,
	.fini = email_fini,
	.deliver = email_deliver,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"email",
	EMAIL_VERSION,
	"sends sync-health messages and digests as email over SMTP",
	email_plugin_init,
	NULL,
	NULL,
	NULL,
	&email_ops,
};
