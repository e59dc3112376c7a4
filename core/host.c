/*
 * host.c - the host function table: the only way plugins reach the daemon.
 * Each entry checks its arguments, because a plugin's bug must become an
 * error code, not a crash of the daemon.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "http.h"
#include "loader.h"
#include "log.h"
#include "record.h"
#include "util.h"

static void host_vlog(struct crmsync_instance *inst, int level, const char *fmt, va_list ap)
{
	log_vmsg_tagged(level, inst ? inst->tag : "plugin", fmt, ap);
}

static void host_log(struct crmsync_instance *inst, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	host_vlog(inst, level, fmt, ap);
	va_end(ap);
}

static const char *host_instance_name(const struct crmsync_instance *inst)
{
	return inst ? inst->name : NULL;
}

static const char *host_option_text(const struct crmsync_instance *inst, const char *key)
{
	const struct crmsync_option *o;

	if (!inst || !key)
		return NULL;
	for (o = inst->options; o && o->key; o++)
		if (strcmp(o->key, key) == 0 && (o->flags & CRMSYNC_OPT_SECRET))
			return NULL;
	return inst->section ? cfg_section_get(inst->section, key) : NULL;
}

static enum crmsync_side host_rec_side(const struct crmsync_record *rec)
{
	return rec ? rec->side : CRMSYNC_SIDE_NONE;
}

static const char *host_rec_object(const struct crmsync_record *rec)
{
	return rec ? rec->object : NULL;
}

static const char *host_rec_id(const struct crmsync_record *rec)
{
	return rec ? rec->id : NULL;
}

static const char *host_rec_get(const struct crmsync_record *rec, const char *field)
{
	return rec && field ? record_get(rec, field) : NULL;
}

static int host_rec_set(struct crmsync_record *rec, const char *field, const char *value)
{
	if (!rec || !field || !*field)
		return -EINVAL;
	return record_set(rec, field, value);
}

static size_t host_rec_count(const struct crmsync_record *rec)
{
	return rec ? rec->n : 0;
}

static int host_rec_field_at(const struct crmsync_record *rec, size_t i, const char **field,
			     const char **value)
{
	if (!rec || i >= rec->n)
		return -ENOENT;
	if (field)
		*field = rec->f[i].name;
	if (value)
		*value = rec->f[i].value;
	return 0;
}

static int host_http_request(struct crmsync_instance *inst, const struct crmsync_http_request *req,
			     struct crmsync_http_response **resp)
{
	struct crmsync_http_request r;

	if (!resp)
		return -EINVAL;
	*resp = NULL;
	if (!req || req->size < offsetof(struct crmsync_http_request, timeout_ms) + sizeof(int64_t))
		return -EINVAL;
	memset(&r, 0, sizeof(r));
	memcpy(&r, req, req->size < sizeof(r) ? req->size : sizeof(r));
	return http_plugin_request(inst ? inst->tag : "plugin", &r, resp);
}

static int host_diag_set_type(struct crmsync_diagnosis *d, const char *type)
{
	if (!d || !type || !name_is_valid(type))
		return -EINVAL;
	free(d->type);
	d->type = xstrdup(type);
	return 0;
}

static int host_diag_set_detail(struct crmsync_diagnosis *d, const char *key, const char *value)
{
	if (!d || !key || !*key)
		return -EINVAL;
	for (size_t i = 0; i < d->ndetails; i++) {
		if (strcmp(d->details[i].key, key) == 0) {
			free(d->details[i].value);
			d->details[i].value = xstrdup(value ? value : "");
			return 0;
		}
	}
	d->details = xrealloc(d->details, (d->ndetails + 1) * sizeof(*d->details));
	d->details[d->ndetails].key = xstrdup(key);
	d->details[d->ndetails].value = xstrdup(value ? value : "");
	d->ndetails++;
	return 0;
}

static int host_diag_set_hint(struct crmsync_diagnosis *d, const char *text)
{
	if (!d || !text)
		return -EINVAL;
	free(d->hint);
	d->hint = xstrdup(text);
	return 0;
}

static int host_diag_set_retry(struct crmsync_diagnosis *d, enum crmsync_retry retry)
{
	if (!d || (int)retry < CRMSYNC_RETRY_NEVER || retry > CRMSYNC_RETRY_WITH_PARTNER)
		return -EINVAL;
	d->retry = retry;
	return 0;
}

static int host_diag_add_affected(struct crmsync_diagnosis *d, enum crmsync_side side,
				  const char *object, const char *id)
{
	if (!d || !object || !id || (side != CRMSYNC_SIDE_HUBSPOT && side != CRMSYNC_SIDE_SALESFORCE))
		return -EINVAL;
	d->affected = xrealloc(d->affected, (d->naffected + 1) * sizeof(*d->affected));
	d->affected[d->naffected].side = side;
	d->affected[d->naffected].object = xstrdup(object);
	d->affected[d->naffected].id = xstrdup(id);
	d->naffected++;
	return 0;
}

static int64_t host_now_ms(void)
{
	return clock_now_ms();
}

const struct crmsync_host crmsync_host_table = {
	.size = sizeof(struct crmsync_host),
	.abi_major = CRMSYNC_ABI_MAJOR,
	.abi_minor = CRMSYNC_ABI_MINOR,
	.log = host_log,
	.vlog = host_vlog,
	.instance_name = host_instance_name,
	.option_text = host_option_text,
	.rec_side = host_rec_side,
	.rec_object = host_rec_object,
	.rec_id = host_rec_id,
	.rec_get = host_rec_get,
	.rec_set = host_rec_set,
	.rec_count = host_rec_count,
	.rec_field_at = host_rec_field_at,
	.http_request = host_http_request,
	.http_status = http_response_status,
	.http_body = http_response_body,
	.http_header = http_response_header,
	.http_free = http_response_free,
	.diag_set_type = host_diag_set_type,
	.diag_set_detail = host_diag_set_detail,
	.diag_set_hint = host_diag_set_hint,
	.diag_set_retry = host_diag_set_retry,
	.diag_add_affected = host_diag_add_affected,
	.now_ms = host_now_ms,
	.rec_external_id = record_external_id,
};
