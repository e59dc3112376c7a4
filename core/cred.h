/*
 * cred.h - credentials files (JSON, mode 0600) shared by the API clients:
 * checked, read and parsed in one place, with the buffer wiped after use.
 */
#ifndef CRMSYNC_CRED_H
#define CRMSYNC_CRED_H

#include <jansson.h>

#define CRED_MAX (64 * 1024)

/* Read the JSON object in `path` (the credentials of `service`, used in
 * messages: "salesforce"). Refuses a file others can access. 0 and *out (new
 * reference), or a negative errno after logging what is wrong and how to fix
 * it. */
int cred_read(const char *path, const char *service, json_t **out);
/* A string member, or NULL. */
const char *cred_str(json_t *o, const char *key);

/* Write obj as the credentials file at path, atomically: a temporary file
 * created 0600 in the same directory, flushed to disk, renamed over path,
 * and the directory synced. Never logs content. 0 or a negative errno
 * (logged, naming the file). */
int cred_write(const char *path, const char *service, json_t *obj);
/* Set the members of `changes` in the file's object (read, merge, write
 * atomically): a rotated refresh token is saved this way. */
int cred_update(const char *path, const char *service, json_t *changes);
/* The file's modification time in ms since the epoch, or -1. */
long long cred_mtime_ms(const char *path);

#endif
