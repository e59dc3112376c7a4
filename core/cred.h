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

#endif
