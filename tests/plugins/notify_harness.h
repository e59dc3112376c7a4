/*
 * notify_harness.h - what tests/plugins/test_notifiers needs around the
 * notifier plugins: the loopback tools (tests/tools) as child processes,
 * notifier instances loaded through the real config, loader and host
 * table, the daemon's log captured per call, and decoders for what the
 * tools wrote (RFC 2047 words, quoted-printable).
 */
#ifndef CRMSYNC_NOTIFY_HARNESS_H
#define CRMSYNC_NOTIFY_HARNESS_H

#include <stddef.h>
#include <sys/types.h>

#include "cfg.h"

/* The scratch directory of the whole run (made by harness_setup). */
extern char harness_dir[];

int harness_setup(void);
void harness_teardown(void);

/* A tool from tests/tools, started with "--dir DIR args..." (DIR made
 * fresh under harness_dir). Fails the test when it does not get ready. */
struct tool {
	pid_t pid;
	int port;
	char dir[512];
};
void tool_start(struct tool *t, const char *name, const char *const *args);
void tool_stop(struct tool *t);
/* Stop every tool still running; a cmocka teardown (state unused). */
int harness_stop_tools(void **state);
/* The content of DIR/NAME (malloc'd), or NULL if it does not exist. */
char *tool_file(const struct tool *t, const char *name);
/* How many DIR entries start with prefix. */
int tool_count(const struct tool *t, const char *prefix);

/* Write a secret file (mode 0600) under harness_dir; returns its path
 * (static storage per call site is the caller's: copy it). */
void write_secret(const char *name, const char *content, char *path, size_t size);

/* Load a config with one section "[notifier NAME]\nplugin = PLUGIN\n<opts>"
 * and start it. Returns the instance, or NULL when loading or starting
 * failed (the log is captured either way). */
struct crmsync_instance *notifier_load(struct config *cfg, const char *plugin, const char *opts);
/* deliver() through the plugin's ops with the log captured. */
int notifier_deliver(struct crmsync_instance *inst, const struct crmsync_message *msg);

/* The log written during the last notifier_load or notifier_deliver, and
 * everything captured since harness_setup. Borrowed until the next call. */
const char *log_last(void);
const char *log_all(void);

/* Decoders for checking emails. Results are malloc'd. */
char *qp_decode(const char *s);
/* An unfolded header value with its RFC 2047 B/Q UTF-8 words decoded. */
char *header_decode(const char *value);
/* The unfolded value of header `name` in the header block of an email. */
char *mail_header(const char *eml, const char *name);
/* The body of an email (after the first empty line). */
const char *mail_body(const char *eml);

#endif
