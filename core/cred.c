/*
 * cred.c - reads a credentials file: mode checked (no group/other access),
 * size capped, parsed as JSON, the raw buffer wiped. Never logs content.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cred.h"
#include "log.h"
#include "util.h"

const char *cred_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

int cred_read(const char *path, const char *service, json_t **out)
{
	json_error_t jerr;
	struct stat st;
	json_t *root;
	char *buf;
	size_t len;
	int err;

	*out = NULL;
	if (stat(path, &st) < 0) {
		err = -errno;
		log_err("cannot read %s credentials '%s': %s; connect with 'crmsync connect %s'", service,
			path, strerror(errno), service);
		return err;
	}
	if (st.st_mode & 077) {
		log_err("%s credentials '%s' are accessible to others (mode %04o): fix with "
			"'chmod 600 %s'", service, path, (unsigned)(st.st_mode & 07777), path);
		return -EPERM;
	}
	err = read_file(path, CRED_MAX, &buf, &len);
	if (err) {
		log_err("cannot read %s credentials '%s': %s", service, path, strerror(-err));
		return err;
	}
	root = json_loadb(buf, len, 0, &jerr);
	secure_zero(buf, len);
	free(buf);
	if (!json_is_object(root)) {
		log_err("%s credentials '%s' are not a JSON object (line %d): reconnect with "
			"'crmsync connect %s'", service, path, root ? 1 : jerr.line, service);
		json_decref(root);
		return -EINVAL;
	}
	*out = root;
	return 0;
}
