/*
 * crmsync-sim, Salesforce side: error values and the per-call answer
 * (struct sf_out) with its helpers. Shapes follow API-NOTES §2: REST errors
 * are an array of {message, errorCode, fields}; collection items use
 * statusCode instead of errorCode. Either may carry more keys (a duplicate
 * rule's duplicateResult, as the SOAP API's DuplicateError has).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sf.h"

void sf_err_set(struct sf_err *e, int status, const char *code, const char *field,
		const char *fmt, ...)
{
	va_list ap;

	e->status = status;
	snprintf(e->code, sizeof(e->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	json_decref(e->fields);
	json_decref(e->extra);
	e->extra = NULL;
	e->fields = json_array();
	if (field)
		json_array_append_new(e->fields, json_string(field));
}

void sf_err_clear(struct sf_err *e)
{
	json_decref(e->fields);
	json_decref(e->extra);
	memset(e, 0, sizeof(*e));
}

json_t *sf_err_rest(const struct sf_err *e)
{
	json_t *o = json_pack("{s:s, s:s}", "message", e->msg, "errorCode", e->code);
	if (e->fields)
		json_object_set(o, "fields", e->fields);
	if (e->extra)
		json_object_update(o, e->extra);
	return json_pack("[o]", o);
}

json_t *sf_err_item(const struct sf_err *e)
{
	json_t *o = json_pack("{s:s, s:s, s:O}", "statusCode", e->code, "message", e->msg,
			      "fields", e->fields ? e->fields : json_array());
	if (e->extra)
		json_object_update(o, e->extra);
	return o;
}

json_t *sf_error_body(const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return json_pack("[{s:s, s:s}]", "message", msg, "errorCode", code);
}

void sf_out_json(struct sf_out *o, int status, json_t *body)
{
	json_decref(o->json);
	o->status = status;
	o->json = body;
}

void sf_out_err(struct sf_out *o, int status, const char *code, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sf_out_json(o, status, json_pack("[{s:s, s:s}]", "message", msg, "errorCode", code));
}

void sf_out_header(struct sf_out *o, const char *name, const char *fmt, ...)
{
	char val[512];
	va_list ap;

	if (o->nh >= (int)(sizeof(o->hname) / sizeof(o->hname[0])))
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	o->hname[o->nh] = strdup(name);
	o->hvalue[o->nh] = strdup(val);
	o->nh++;
}

void sf_out_free(struct sf_out *o)
{
	json_decref(o->json);
	free(o->raw);
	for (int i = 0; i < o->nh; i++) {
		free(o->hname[i]);
		free(o->hvalue[i]);
	}
	memset(o, 0, sizeof(*o));
}

const char *sf_arg(const struct sf_call *c, const char *name)
{
	return json_string_value(json_object_get(c->args, name));
}

unsigned sf_call_wflags(const struct sf_call *c)
{
	if (c->dup_header && strstr(c->dup_header, "allowSave=true"))
		return SF_W_ALLOWSAVE;
	return 0;
}

json_t *sf_parse_body(const struct sf_call *c, struct sf_out *o)
{
	json_error_t jerr;
	json_t *j;

	if (!c->body || c->body_len == 0) {
		sf_out_err(o, 400, "JSON_PARSER_ERROR",
			   "The request body is either invalid or incomplete");
		return NULL;
	}
	j = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j) {
		sf_out_err(o, 400, "JSON_PARSER_ERROR",
			   "Unexpected character ('%c' (code %d)): was expecting a valid value "
			   "at [line:%d, column:%d]",
			   jerr.position < (int)c->body_len ? c->body[jerr.position] : ' ',
			   jerr.position < (int)c->body_len ? (unsigned char)c->body[jerr.position] : 32,
			   jerr.line, jerr.column);
		return NULL;
	}
	return j;
}
