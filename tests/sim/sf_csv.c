/*
 * crmsync-sim, Salesforce side: RFC 4180 CSV reading and writing for Bulk
 * API 2.0 (any one-byte delimiter, LF or CRLF). Pure text handling.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

/* Parse one row starting at *pp; fills a JSON array of strings. Returns 1 when
 * a row was read, 0 at the end, -EINVAL on a broken quote. */
int sf_csv_row(const char **pp, const char *end, char delim, json_t **row)
{
	const char *p = *pp;
	char *buf;
	size_t cap, o;
	json_t *r;

	if (p >= end)
		return 0;
	cap = (size_t)(end - p) + 1;
	buf = malloc(cap);
	r = json_array();
	if (!buf || !r) {
		free(buf);
		json_decref(r);
		return -ENOMEM;
	}
	for (;;) {
		o = 0;
		if (p < end && *p == '"') {
			p++;
			for (;;) {
				if (p >= end) {
					free(buf);
					json_decref(r);
					return -EINVAL;
				}
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						buf[o++] = '"';
						p += 2;
						continue;
					}
					p++;
					break;
				}
				buf[o++] = *p++;
			}
		} else {
			while (p < end && *p != delim && *p != '\n' && *p != '\r')
				buf[o++] = *p++;
		}
		json_array_append_new(r, json_stringn(buf, o));
		if (p < end && *p == delim) {
			p++;
			continue;
		}
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		break;
	}
	free(buf);
	*pp = p;
	*row = r;
	return 1;
}

/* Append one field, quoted, to a growing buffer. */
int sf_csv_put(char **buf, size_t *len, size_t *cap, const char *v, bool quote)
{
	size_t need = strlen(v) * 2 + 4;

	if (*len + need + 1 > *cap) {
		size_t ncap = (*cap + need) * 2 + 256;
		char *nb = realloc(*buf, ncap);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = ncap;
	}
	if (quote)
		(*buf)[(*len)++] = '"';
	for (; *v; v++) {
		if (*v == '"' && quote)
			(*buf)[(*len)++] = '"';
		(*buf)[(*len)++] = *v;
	}
	if (quote)
		(*buf)[(*len)++] = '"';
	(*buf)[*len] = '\0';
	return 0;
}
