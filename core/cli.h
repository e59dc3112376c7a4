/*
 * cli.h - the crmsync CLI's commands, split across files by subject.
 */
#ifndef CRMSYNC_CLI_H
#define CRMSYNC_CLI_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct store;

#define EXIT_USAGE 2

/* Load the config (with plugins when with_plugins), printing every error. */
int cli_load(struct config *cfg, const char *path, int with_plugins);
/* Open the state database named by the config; says what to do when it is
 * not there. */
int cli_open_store(const struct config *cfg, struct store **st, int flags);
/* ms since the epoch as "2026-11-22T08:00:00Z" ("never" for 0). */
void cli_fmt_time(int64_t ms, char *buf, size_t len);
int cmd_status(const char *path, int as_json);
int cmd_allocation(const char *path, int argc, char **argv);
int cmd_errors(const char *path, int argc, char **argv);
int cmd_resync(const char *path, int argc, char **argv);
/* cli_explain.c: "how it works" for every object, or one */
int cmd_explain(const char *path, const char *object);

#endif
