/*
 * cred.c - reads a credentials file: mode checked (no group/other access),
 * size capped, parsed as JSON, the raw buffer wiped; writes one atomically
 * with mode 0600 (a reader never sees half a file, a crash never loses the
 * old one). Never logs content.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

long long cred_mtime_ms(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	return (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int cred_write(const char *path, const char *service, json_t *obj)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path), *dcopy = xstrdup(path);
	char *text = json_dumps(obj, JSON_INDENT(2) | JSON_SORT_KEYS);
	int fd, dfd, err = 0;

	if (!text) {
		err = -ENOMEM;
		goto out;
	}
	fd = mkstemp(tmp); /* mode 0600, whatever the umask */
	if (fd < 0) {
		err = -errno;
		log_err("cannot write %s credentials '%s': %s", service, path, strerror(-err));
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || (err = write_all(fd, text, strlen(text))) ||
	    (err = write_all(fd, "\n", 1)) || fsync(fd) < 0) {
		err = err ? err : -errno;
		close(fd);
		unlink(tmp);
		log_err("cannot write %s credentials '%s': %s", service, path, strerror(-err));
		goto out;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		err = -errno;
		unlink(tmp);
		log_err("cannot write %s credentials '%s': %s", service, path, strerror(-err));
		goto out;
	}
	dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
out:
	if (text) {
		secure_zero(text, strlen(text));
		free(text);
	}
	free(tmp);
	free(dcopy);
	return err;
}

int cred_update(const char *path, const char *service, json_t *changes)
{
	json_t *root;
	int err = cred_read(path, service, &root);

	if (err)
		return err;
	json_object_update(root, changes);
	err = cred_write(path, service, root);
	json_decref(root);
	return err;
}
