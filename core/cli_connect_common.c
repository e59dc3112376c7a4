/*
 * cli_connect_common.c - what `crmsync connect salesforce` and `crmsync
 * connect hubspot` share: reading a one-line secret, the authorization URL
 * and the wait for its code, the state's guard against orphaning an id map
 * (another org or portal; --new-org moves the old state aside), and
 * recording a connection in the state. Never prints a secret.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "auth_state.h"
#include "cfg.h"
#include "cli_connect.h"
#include "oauth.h"
#include "store.h"
#include "util.h"

int connect_read_secret(const char *path, const char *what, char **out)
{
	char buf[4096];
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	char *s;

	struct termios tio, quiet;
	int echo_off = 0;

	*out = NULL;
	if (!f) {
		fprintf(stderr, "crmsync: cannot read the %s from '%s': %s\n", what, path, strerror(errno));
		return -errno;
	}
	/* typed or pasted at a terminal: not echoed */
	if (f == stdin && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tio) == 0) {
		quiet = tio;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	if (echo_off) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tio);
		fputc('\n', stderr);
	}
	if (f != stdin)
		fclose(f);
	s = str_trim(buf);
	s[strcspn(s, "\r\n")] = '\0';
	if (!*s) {
		fprintf(stderr, "crmsync: no %s in '%s'\n", what, path);
		secure_zero(buf, sizeof(buf));
		return -EINVAL;
	}
	*out = xstrdup(s);
	secure_zero(buf, sizeof(buf));
	return 0;
}

int connect_get_code(const char *url, struct oauth_listener *l, const char *state, int timeout_s,
		     char **code)
{
	int err;

	printf("Open this URL in a browser and approve crmsync:\n\n  %s\n\n", url);
	if (l)
		printf("Waiting for the browser's redirect to http://localhost:%d/ ... (on a machine "
		       "without a browser, paste the URL the browser ends on, or the code, here)\n",
		       l->port);
	else
		printf("Paste the URL the browser ends on (or the code) here:\n");
	fflush(stdout);
	err = oauth_wait_code(l, STDIN_FILENO, state, timeout_s, code);
	if (err == -ETIMEDOUT)
		fprintf(stderr, "crmsync: no authorization arrived within %d s; run the command again\n",
			timeout_s);
	else if (err == -EPROTO)
		fprintf(stderr, "crmsync: the redirect did not come from this request (state mismatch)\n");
	else if (err)
		fprintf(stderr, "crmsync: the authorization failed (see above)\n");
	return err;
}

static char *aside_name(const char *state, const char *what, const char *old)
{
	char stamp[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	return xasprintf("%s.%s-%s-%s", state, what, old, stamp);
}

int connect_check_state(const struct config *cfg, const char *kv_key, const char *previous,
			const char *incoming, const char *what, int new_org, int apply)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct store *st = NULL;
	char *recorded = NULL, *aside;
	const char *prev;

	if (access(cfg->core.state, F_OK) == 0 &&
	    store_open(&st, cfg->core.state, STORE_READONLY) == 0) {
		store_kv_get(st, kv_key, &recorded);
		store_close(st);
	} else {
		/* no state: nothing to orphan */
		return 0;
	}
	prev = recorded ? recorded : previous;
	if (!prev || !*prev || strcmp(prev, incoming) == 0) {
		free(recorded);
		return 0;
	}
	if (!new_org) {
		fprintf(stderr,
			"crmsync: refusing to switch: the state '%s' holds the id map of %s %s and the "
			"new connection is %s %s, which would orphan every pair; connect a user of %s "
			"%s, or start a fresh state with --new-org (the old one is kept aside)\n",
			cfg->core.state, what, prev, what, incoming, what, prev);
		free(recorded);
		return 1;
	}
	if (!apply) {
		free(recorded);
		return 0;
	}
	aside = aside_name(cfg->core.state, what, prev);
	for (size_t i = 0; i < ARRAY_SIZE(suffix); i++) {
		char *from = xasprintf("%s%s", cfg->core.state, suffix[i]);
		char *to = xasprintf("%s%s", aside, suffix[i]);

		if (rename(from, to) < 0 && errno != ENOENT) {
			fprintf(stderr, "crmsync: cannot move the state '%s' aside to '%s': %s\n", from, to,
				strerror(errno));
			free(from);
			free(to);
			free(aside);
			free(recorded);
			return 1;
		}
		free(from);
		free(to);
	}
	printf("new %s: the state of %s %s was moved to '%s'; crmsync starts afresh\n", what, what,
	       prev, aside);
	free(aside);
	free(recorded);
	return 0;
}

int connect_record(const struct config *cfg, const char *side, const char *const *kv)
{
	struct store *st;
	int err = store_open(&st, cfg->core.state, 0);

	if (err) {
		fprintf(stderr, "crmsync: cannot record the connection in '%s': %s\n", cfg->core.state,
			strerror(-err));
		return err;
	}
	for (; kv && kv[0]; kv += 2)
		if (kv[1])
			store_kv_put(st, kv[0], kv[1]);
	auth_revoked_clear(st, side);
	auth_ok(st, side);
	/* another user may see other fields and permissions: describe again */
	store_meta_clear(st, NULL);
	store_close(st);
	return 0;
}

char *connect_state_get(const struct config *cfg, const char *key)
{
	struct store *st;
	char *v = NULL;

	if (access(cfg->core.state, F_OK) == 0 &&
	    store_open(&st, cfg->core.state, STORE_READONLY) == 0) {
		store_kv_get(st, key, &v);
		store_close(st);
	}
	return v;
}
