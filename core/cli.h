/*
 * cli.h - the crmsync CLI's commands, split across files by subject.
 */
#ifndef CRMSYNC_CLI_H
#define CRMSYNC_CLI_H

struct config;

/* Load the config (with plugins when with_plugins), printing every error. */
int cli_load(struct config *cfg, const char *path, int with_plugins);
int cmd_status(const char *path, int as_json);
int cmd_allocation(const char *path, int argc, char **argv);
/* cli_explain.c: "how it works" for every object, or one */
int cmd_explain(const char *path, const char *object);

#endif
