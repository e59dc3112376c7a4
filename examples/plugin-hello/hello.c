/*
 * hello - an example crmsync plugin built out of tree, against the installed
 * header only (pkg-config crmsync-plugin). It is a notifier that appends each
 * message it is given to a file. Read docs/plugin-guide.md beside it.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

/* Kept from init(): the daemon's services. */
static const struct crmsync_host *host;

/* Per-instance state: one per [notifier NAME] section; the daemon allocates
 * it (ctx_size bytes, zeroed) and parses the options into it. */
struct hello_ctx {
	char *path;       /* owned by the daemon */
	char *greeting;
	int64_t max_bytes;
};

static const struct crmsync_option hello_options[] = {
	{ "path", CRMSYNC_OPT_STRING, CRMSYNC_OPT_REQUIRED, NULL,
	  offsetof(struct hello_ctx, path), "file the messages are appended to", NULL, 0, 0 },
	{ "greeting", CRMSYNC_OPT_STRING, 0, "hello", offsetof(struct hello_ctx, greeting),
	  "word written before each message", NULL, 0, 0 },
	{ "max_bytes", CRMSYNC_OPT_INT, 0, "1048576", offsetof(struct hello_ctx, max_bytes),
	  "stop appending once the file is this large", NULL, 1, 1073741824 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static int hello_deliver(struct crmsync_instance *inst, void *vctx,
			 const struct crmsync_message *msg)
{
	struct hello_ctx *ctx = vctx;
	FILE *f = fopen(ctx->path, "a");
	long size;

	if (!f) {
		host->log(inst, CRMSYNC_LOG_WARNING, "cannot open '%s': %s", ctx->path, strerror(errno));
		return CRMSYNC_RETRY;
	}
	size = ftell(f);
	if (size >= 0 && size < ctx->max_bytes)
		fprintf(f, "%s: %s\n", ctx->greeting, msg->subject ? msg->subject : "");
	if (fclose(f) != 0)
		return CRMSYNC_RETRY;
	return CRMSYNC_HANDLED;
}

static int hello_init(const struct crmsync_host *h)
{
	host = h;
	return 0;
}

static const struct crmsync_notifier_ops hello_ops = {
	sizeof(struct crmsync_notifier_ops), 0, sizeof(struct hello_ctx), hello_options,
	NULL, NULL, hello_deliver
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"hello",
	"1.0",
	"example notifier: appends messages to a file",
	hello_init,
	NULL,
	NULL,
	NULL,
	&hello_ops,
};
