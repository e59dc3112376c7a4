/*
 * syslog - a notifier that writes each message to the local syslog socket
 * (RFC 3164 framing over a datagram socket, /dev/log by default). It opens
 * its own socket per instance instead of calling openlog(3), which would
 * change process-wide state that belongs to the daemon.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <crmsync/plugin.h>

#define SYSLOG_VERSION "0.1.0"
#define LINE_MAX_BYTES 1024

static const struct crmsync_host *host;

struct syslog_ctx {
	char *socket_path;
	char *ident;
	int facility;
	int fd;
};

/* In the order of their RFC 3164 codes: daemon is 3, local0..7 are 16..23. */
static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", NULL
};

static const struct crmsync_option syslog_options[] = {
	{ "socket", CRMSYNC_OPT_STRING, 0, "/dev/log", offsetof(struct syslog_ctx, socket_path),
	  "syslog datagram socket", NULL, 0, 0 },
	{ "ident", CRMSYNC_OPT_STRING, 0, "crmsync", offsetof(struct syslog_ctx, ident),
	  "program name shown in each syslog line", NULL, 0, 0 },
	{ "facility", CRMSYNC_OPT_ENUM, 0, "daemon", offsetof(struct syslog_ctx, facility),
	  "syslog facility", facilities, 0, 0 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static int syslog_init(struct crmsync_instance *inst, void *vctx)
{
	struct syslog_ctx *ctx = vctx;

	ctx->fd = -1;
	if (strlen(ctx->socket_path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		host->log(inst, CRMSYNC_LOG_ERR, "socket path '%s' is too long", ctx->socket_path);
		return -ENAMETOOLONG;
	}
	return 0;
}

static void syslog_fini(struct crmsync_instance *inst, void *vctx)
{
	struct syslog_ctx *ctx = vctx;

	if (ctx->fd >= 0)
		close(ctx->fd);
	ctx->fd = -1;
}

static int connect_socket(struct syslog_ctx *ctx)
{
	struct sockaddr_un sa;

	if (ctx->fd >= 0)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, ctx->socket_path, strlen(ctx->socket_path) + 1);
	ctx->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (ctx->fd < 0)
		return -errno;
	if (connect(ctx->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(ctx->fd);
		ctx->fd = -1;
		return err;
	}
	return 0;
}

/* One syslog line; control characters become spaces so a line stays a line. */
static int send_line(struct syslog_ctx *ctx, int severity, const char *text)
{
	char line[LINE_MAX_BYTES];
	char stamp[32];
	time_t now = (time_t)(host->now_ms() / 1000);
	struct tm tm;
	int n;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "<%d>%s %s[%ld]: ", ctx->facility * 8 + severity, stamp,
		     ctx->ident, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;
	for (const char *p = text; *p && (size_t)n < sizeof(line) - 1; p++)
		line[n++] = (unsigned char)*p < 0x20 ? ' ' : *p;
	if (send(ctx->fd, line, (size_t)n, 0) < 0)
		return -errno;
	return 0;
}

static int syslog_deliver(struct crmsync_instance *inst, void *vctx,
			  const struct crmsync_message *msg)
{
	struct syslog_ctx *ctx = vctx;
	int severity = msg->severity >= CRMSYNC_LOG_ERR && msg->severity <= CRMSYNC_LOG_DEBUG
			       ? msg->severity : CRMSYNC_LOG_NOTICE;
	int err;

	err = connect_socket(ctx);
	if (!err)
		err = send_line(ctx, severity, msg->subject ? msg->subject : "crmsync");
	for (const struct crmsync_digest_entry *const *e = msg->entries;
	     !err && msg->kind == CRMSYNC_MSG_DIGEST && e && *e; e++) {
		char line[512];

		snprintf(line, sizeof(line), "%s: %llu new, %llu current, %llu records affected",
			 (*e)->type ? (*e)->type : "?", (unsigned long long)(*e)->new_errors,
			 (unsigned long long)(*e)->current_errors,
			 (unsigned long long)(*e)->records_affected);
		err = send_line(ctx, severity, line);
	}
	if (err) {
		host->log(inst, CRMSYNC_LOG_WARNING, "cannot write to '%s': %s", ctx->socket_path,
			  strerror(-err));
		if (ctx->fd >= 0)
			close(ctx->fd);
		ctx->fd = -1;
		return CRMSYNC_RETRY;
	}
	return CRMSYNC_HANDLED;
}

static int syslog_plugin_init(const struct crmsync_host *h)
{
	host = h;
	return 0;
}

static const struct crmsync_notifier_ops syslog_ops = {
	.size = sizeof(struct crmsync_notifier_ops),
	.ctx_size = sizeof(struct syslog_ctx),
	.options = syslog_options,
	.init = syslog_init,
	.fini = syslog_fini,
	.deliver = syslog_deliver,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"syslog",
	SYSLOG_VERSION,
	"sends sync-health messages and digests to the local syslog",
	syslog_plugin_init,
	NULL,
	NULL,
	NULL,
	&syslog_ops,
};
