/*
 * notify_harness.c - see notify_harness.h. Runs in the test process: the
 * plugins are the real .so files in plugins/build, loaded by the core.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"
#include "notify_harness.h"
#include "util.h"

char harness_dir[] = "/tmp/crmsync-notify-XXXXXX";
static char *last_log, *all_log;
static int tool_seq;
/* Tools still running: a failed assertion leaves the test function
 * without its tool_stop(), so the per-test teardown stops these. */
static pid_t running[16];

int harness_setup(void)
{
	const char *top = getenv("top_builddir");
	char dir[1024];

	if (!mkdtemp(harness_dir))
		return -1;
	snprintf(dir, sizeof(dir), "%s/plugins/build", top ? top : ".");
	setenv("CRMSYNC_PLUGIN_DIR", dir, 1);
	log_setup("test_notifiers", LOG_LVL_DEBUG);
	all_log = xstrdup("");
	return 0;
}

void harness_teardown(void)
{
	char cmd[1100];

	harness_stop_tools(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", harness_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", harness_dir);
	free(last_log);
	free(all_log);
}

/* ---- the daemon's log, captured ----------------------------------------- */

static int saved_stderr = -1;
static char capture_path[600];

static void capture_begin(void)
{
	int fd;

	snprintf(capture_path, sizeof(capture_path), "%s/capture.log", harness_dir);
	fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
}

static void capture_end(void)
{
	char *text = NULL;
	size_t len = 0;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
	if (read_file(capture_path, 16u << 20, &text, &len))
		text = xstrdup("");
	free(last_log);
	last_log = text;
	all_log = xrealloc(all_log, strlen(all_log) + len + 1);
	strcat(all_log, text);
	/* show it in the test's own output too, for whoever reads a failure */
	fputs(text, stderr);
}

const char *log_last(void)
{
	return last_log ? last_log : "";
}

const char *log_all(void)
{
	return all_log ? all_log : "";
}

/* ---- tools ------------------------------------------------------------- */

void tool_start(struct tool *t, const char *name, const char *const *args)
{
	const char *top = getenv("top_builddir");
	char path[1024], line[256];
	const char *argv[32];
	struct pollfd pfd;
	int fds[2], n = 0;
	size_t len = 0;
	char *p;

	snprintf(t->dir, sizeof(t->dir), "%s/%s-%d", harness_dir, name, ++tool_seq);
	assert_int_equal(mkdir(t->dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/tests/tools/%s", top ? top : ".", name);
	argv[n++] = path;
	argv[n++] = "--dir";
	argv[n++] = t->dir;
	for (; args && *args && n < 30; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	assert_int_equal(pipe(fds), 0);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the test */
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++) {
		if (!running[i]) {
			running[i] = t->pid;
			break;
		}
	}
	/* the ready line, within 10 s */
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	while (len < sizeof(line) - 1 && !memchr(line, '\n', len)) {
		ssize_t r;

		if (poll(&pfd, 1, 10000) <= 0)
			break;
		r = read(fds[0], line + len, sizeof(line) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fds[0]);
	line[len] = '\0';
	p = strstr(line, " ready port=");
	if (!p) {
		tool_stop(t);
		fail_msg("%s did not get ready: '%s'", name, line);
	}
	t->port = atoi(p + strlen(" ready port="));
	assert_true(t->port > 0);
}

static void stop_pid(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++)
		if (running[i] == pid)
			running[i] = 0;
}

void tool_stop(struct tool *t)
{
	if (t->pid > 0)
		stop_pid(t->pid);
	t->pid = 0;
}

int harness_stop_tools(void **state)
{
	for (size_t i = 0; i < sizeof(running) / sizeof(running[0]); i++)
		if (running[i])
			stop_pid(running[i]);
	return 0;
}

char *tool_file(const struct tool *t, const char *name)
{
	char path[1024], *text;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	if (read_file(path, 16u << 20, &text, &len))
		return NULL;
	return text;
}

int tool_count(const struct tool *t, const char *prefix)
{
	DIR *d = opendir(t->dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

void write_secret(const char *name, const char *content, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", harness_dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
}

/* ---- instances ---------------------------------------------------------- */

struct crmsync_instance *notifier_load(struct config *cfg, const char *plugin, const char *opts)
{
	struct errlist errs = { 0 };
	char path[600];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/crmsync.conf", harness_dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "[core]\nstate = state.db\n[salesforce]\ncredentials = sf.json\n"
		   "[hubspot]\ncredentials = hs.json\n[notifier test-%s]\nplugin = %s\n%s\n",
		plugin, plugin, opts);
	fclose(f);
	capture_begin();
	err = config_load(cfg, path, &errs);
	if (err)
		errlist_print(&errs, "test_notifiers");
	errlist_release(&errs);
	if (!err && cfg->ninst == 1)
		err = config_start_instances(cfg);
	capture_end();
	if (err || cfg->ninst != 1)
		return NULL;
	return cfg->inst[0];
}

int notifier_deliver(struct crmsync_instance *inst, const struct crmsync_message *msg)
{
	int rc;

	capture_begin();
	rc = inst->plugin->notifier.deliver(inst, inst->ctx, msg);
	capture_end();
	return rc;
}

/* ---- decoders ----------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

char *qp_decode(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	while (*s) {
		if (s[0] == '=' && s[1] == '\r' && s[2] == '\n') {
			s += 3; /* soft line break */
		} else if (s[0] == '=' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static size_t b64_decode(const char *in, size_t n, char *out)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0;
	int bits = 0;
	size_t len = 0;

	for (size_t i = 0; i < n && in[i] != '='; i++) {
		const char *p = strchr(tab, in[i]);

		assert_non_null(p);
		acc = (acc << 6) | (unsigned)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[len++] = (char)((acc >> bits) & 0xff);
		}
	}
	return len;
}

char *header_decode(const char *v)
{
	struct strbuf sb = { 0 };
	int prev_word = 0;

	while (*v) {
		const char *end;

		if (strncasecmp(v, "=?UTF-8?B?", 10) == 0 && (end = strstr(v + 10, "?="))) {
			char buf[256];
			size_t n = b64_decode(v + 10, (size_t)(end - v - 10), buf);

			strbuf_add(&sb, buf, n);
			v = end + 2;
			prev_word = 1;
			continue;
		}
		/* whitespace between two encoded words is not part of the text */
		if (prev_word && *v == ' ') {
			const char *w = v;

			while (*w == ' ')
				w++;
			if (strncasecmp(w, "=?UTF-8?B?", 10) == 0) {
				v = w;
				continue;
			}
		}
		strbuf_add(&sb, v, 1);
		v++;
		prev_word = 0;
	}
	return strbuf_detach(&sb);
}

char *mail_header(const char *eml, const char *name)
{
	size_t n = strlen(name);
	const char *end = strstr(eml, "\r\n\r\n");

	for (const char *l = eml; l && l < end; l = strstr(l, "\r\n") ? strstr(l, "\r\n") + 2 : NULL) {
		if (strncasecmp(l, name, n) == 0 && l[n] == ':') {
			struct strbuf sb = { 0 };
			const char *p = l + n + 1;

			while (*p == ' ')
				p++;
			/* unfold: CRLF followed by white space continues the value */
			for (; p < end; p++) {
				if (p[0] == '\r' && p[1] == '\n') {
					if (p[2] != ' ' && p[2] != '\t')
						break;
					p += 1;
					continue;
				}
				strbuf_add(&sb, p, 1);
			}
			return strbuf_detach(&sb);
		}
	}
	return NULL;
}

const char *mail_body(const char *eml)
{
	const char *p = strstr(eml, "\r\n\r\n");

	return p ? p + 4 : NULL;
}
