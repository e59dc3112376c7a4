/*
 * crmsync-sim, Salesforce side: Bulk API 2.0. Ingest jobs (create, one CSV
 * upload, UploadComplete, poll, successful/failed/unprocessed results) and
 * query jobs (results as CSV pages with Sforce-Locator). Rows go through the
 * same writes and rules as REST calls. A closed job is processed at once and
 * reports InProgress on its first poll, then JobComplete.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sf.h"

struct sf_job {
	char id[19];
	bool query, all_rows;
	char object[64], operation[16], ext[64], state[24], line_ending[8], delim_name[12];
	char delim;
	char *csv;                 /* uploaded data */
	size_t csv_len;
	char *ok, *fail, *unproc;  /* result CSVs */
	size_t ok_len, fail_len, unproc_len;
	long processed, failed;
	int polls_left;
	char error[256];
	int64_t created_ms, stamp_ms;
	struct soql_query *q;
	struct sf_rec **recs;
	size_t n;
	struct sf_job *next;
};

static void sf_job_free(struct sf_job *j)
{
	free(j->csv);
	free(j->ok);
	free(j->fail);
	free(j->unproc);
	soql_free(j->q);
	free(j->recs);
	free(j);
}

void sf_bulk_free(struct sim_side *s)
{
	while (s->jobs) {
		struct sf_job *j = s->jobs;
		s->jobs = j->next;
		sf_job_free(j);
	}
}

static const struct { const char *name; char c; } sf_delims[] = {
	{"COMMA", ','}, {"TAB", '\t'}, {"PIPE", '|'}, {"SEMICOLON", ';'}, {"CARET", '^'},
	{"BACKQUOTE", '`'},
};

static json_t *sf_job_info(struct sf_job *j)
{
	char cd[40], sm[40], url[96];
	json_t *o;

	sim_fmt_sf_time(j->created_ms, cd, sizeof(cd));
	sim_fmt_sf_time(j->stamp_ms, sm, sizeof(sm));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:s, s:s, s:s}",
		"id", j->id, "operation", j->operation, "object", j->object, "createdById", "",
		"createdDate", cd, "systemModstamp", sm, "state", j->state,
		"concurrencyMode", "Parallel", "apiVersion", 59.0,
		"jobType", j->query ? "V2Query" : "V2Ingest", "lineEnding", j->line_ending,
		"columnDelimiter", j->delim_name);
	json_object_set_new(o, "contentType", json_string("CSV"));
	if (!j->query) {
		snprintf(url, sizeof(url), "services/data/v59.0/jobs/ingest/%s/batches", j->id);
		json_object_set_new(o, "contentUrl", json_string(url));
		if (j->ext[0])
			json_object_set_new(o, "externalIdFieldName", json_string(j->ext));
	}
	json_object_set_new(o, "numberRecordsProcessed", json_integer(j->processed));
	json_object_set_new(o, "numberRecordsFailed", json_integer(j->failed));
	json_object_set_new(o, "retries", json_integer(0));
	json_object_set_new(o, "totalProcessingTime", json_integer(j->processed / 10));
	if (j->error[0])
		json_object_set_new(o, "errorMessage", json_string(j->error));
	return o;
}

static struct sf_job *sf_job_find(struct sim_side *s, const char *id, bool query)
{
	for (struct sf_job *j = s->jobs; j; j = j->next)
		if (strcmp(j->id, id) == 0 && j->query == query)
			return j;
	return NULL;
}

static struct sf_job *sf_job_new(struct sim_side *s, json_t *b, bool query, struct sf_out *o)
{
	const char *le = json_string_value(json_object_get(b, "lineEnding"));
	const char *cd = json_string_value(json_object_get(b, "columnDelimiter"));
	struct sf_job *j = calloc(1, sizeof(*j));

	if (!j) {
		sf_out_err(o, 500, "UNKNOWN_EXCEPTION", "out of memory");
		return NULL;
	}
	j->query = query;
	j->delim = ',';
	snprintf(j->delim_name, sizeof(j->delim_name), "COMMA");
	if (cd) {
		size_t i;
		for (i = 0; i < sizeof(sf_delims) / sizeof(sf_delims[0]); i++)
			if (strcmp(cd, sf_delims[i].name) == 0)
				break;
		if (i == sizeof(sf_delims) / sizeof(sf_delims[0])) {
			sf_out_err(o, 400, "INVALIDJOB", "Invalid column delimiter: %.40s", cd);
			free(j);
			return NULL;
		}
		j->delim = sf_delims[i].c;
		snprintf(j->delim_name, sizeof(j->delim_name), "%s", cd);
	}
	snprintf(j->line_ending, sizeof(j->line_ending), "%s", le && strcmp(le, "CRLF") == 0 ? "CRLF" : "LF");
	sf_id_make("750", ++s->next_job, j->id);
	j->created_ms = j->stamp_ms = sim_now_ms();
	return j;
}

/* ---- ingest ------------------------------------------------------------- */

static void sf_row_out(char **buf, size_t *len, size_t *cap, const char *a, const char *b,
		       json_t *row, char delim, const char *eol)
{
	json_t *v;
	size_t i;
	char d[2] = {delim, 0};

	sf_csv_put(buf, len, cap, a, true);
	sf_csv_put(buf, len, cap, d, false);
	sf_csv_put(buf, len, cap, b, true);
	json_array_foreach(row, i, v) {
		sf_csv_put(buf, len, cap, d, false);
		sf_csv_put(buf, len, cap, json_string_value(v), true);
	}
	sf_csv_put(buf, len, cap, eol, false);
}

/* Convert one CSV cell into the JSON value of field f (NULL: leave unset). */
static json_t *sf_cell(struct sim_side *s, const struct sf_field *f, const char *v)
{
	if (!*v)
		return NULL;
	if (strcmp(v, "#N/A") == 0)
		return json_null();
	switch (f->type) {
	case SF_T_BOOLEAN:
		return strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ? json_true() :
		       strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 ? json_false() : json_string(v);
	case SF_T_INT: {
		char *end;
		long long n = strtoll(v, &end, 10);
		return *end ? json_string(v) : json_integer(n);
	}
	case SF_T_DOUBLE: case SF_T_CURRENCY: case SF_T_PERCENT: {
		char *end;
		double d = strtod(v, &end);
		return *end ? json_string(v) : json_real(d);
	}
	default:
		(void)s;
		return json_string(v);
	}
}

/* Build the input of one row; relationship columns (Account.Ext__c) resolve
 * the parent through its indexed field. */
static int sf_row_input(struct sim_side *s, struct sf_object *obj, json_t *hdr, json_t *row,
			json_t *in, struct sf_err *e)
{
	json_t *h;
	size_t i;

	json_array_foreach(hdr, i, h) {
		const char *col = json_string_value(h), *val = json_string_value(json_array_get(row, i));
		const char *dot = strchr(col, '.');
		const struct sf_field *f;
		json_t *v;

		if (!val)
			val = "";
		if (dot) {
			char rel[128];
			const struct sf_field *pf = NULL;
			const struct sf_vec *hits;
			snprintf(rel, sizeof(rel), "%.*s", (int)(dot - col), col);
			f = NULL;
			for (size_t k = 0; k < obj->nfields; k++)
				if (obj->fields[k].rel && strcasecmp(obj->fields[k].rel, rel) == 0)
					f = &obj->fields[k];
			if (f) {
				char target[64];
				const char *comma = strchr(f->refs, ',');
				struct sf_object *to;
				snprintf(target, sizeof(target), "%.*s",
					 (int)(comma ? (size_t)(comma - f->refs) : strlen(f->refs)), f->refs);
				to = sf_object_find(s, target);
				pf = to ? sf_field_find(to, dot + 1) : NULL;
			}
			if (!f || !pf || !pf->idx) {
				sf_err_set(e, 400, "INVALID_FIELD", NULL, "Field name not found : %s", col);
				return -EINVAL;
			}
			if (!*val)
				continue;
			hits = sf_index_lookup(pf, val);
			if (!hits || hits->n == 0) {
				sf_err_set(e, 400, "INVALID_FIELD", f->name,
					   "Foreign key external ID: %s not found for field %s in entity %s",
					   val, pf->name, pf->name);
				return -EINVAL;
			}
			json_object_set_new(in, f->name, json_string(hits->v[0]->id));
			continue;
		}
		f = sf_field_find(obj, col);
		if (!f) {
			sf_err_set(e, 400, "INVALID_FIELD", NULL, "No such column '%s' on sobject of type %s",
				   col, obj->name);
			return -EINVAL;
		}
		if ((v = sf_cell(s, f, val)))
			json_object_set_new(in, f->name, v);
	}
	return 0;
}

static void sf_ingest_run(struct sim_side *s, struct sf_job *j)
{
	struct sf_object *obj = sf_object_find(s, j->object);
	const char *p = j->csv, *end = j->csv + j->csv_len, *eol = strcmp(j->line_ending, "CRLF") ? "\n" : "\r\n";
	size_t okc = 0, failc = 0;
	json_t *hdr = NULL, *row;
	const struct sf_field *ext = j->ext[0] ? sf_field_find(obj, j->ext) : NULL;
	int rc;

	j->polls_left = 1;
	snprintf(j->state, sizeof(j->state), "JobComplete");
	if (!j->csv || sf_csv_row(&p, end, j->delim, &hdr) <= 0) {
		snprintf(j->state, sizeof(j->state), "Failed");
		snprintf(j->error, sizeof(j->error), "InvalidBatch : No content or header row");
		json_decref(hdr);
		return;
	}
	sf_row_out(&j->ok, &j->ok_len, &okc, "sf__Id", "sf__Created", hdr, j->delim, eol);
	sf_row_out(&j->fail, &j->fail_len, &failc, "sf__Id", "sf__Error", hdr, j->delim, eol);
	{
		size_t uc = 0, i;
		json_t *h;
		char d[2] = {j->delim, 0};
		json_array_foreach(hdr, i, h) {
			if (i)
				sf_csv_put(&j->unproc, &j->unproc_len, &uc, d, false);
			sf_csv_put(&j->unproc, &j->unproc_len, &uc, json_string_value(h), false);
		}
		sf_csv_put(&j->unproc, &j->unproc_len, &uc, eol, false);
	}
	while ((rc = sf_csv_row(&p, end, j->delim, &row)) > 0) {
		struct sf_err e = {0};
		struct sf_rec *r = NULL;
		json_t *in = json_object();
		const char *id = NULL;
		int w = -EINVAL;
		char errtxt[700];

		if (json_array_size(row) == 1 && json_string_length(json_array_get(row, 0)) == 0) {
			json_decref(row);
			json_decref(in);
			continue;
		}
		j->processed++;
		if (sf_row_input(s, obj, hdr, row, in, &e) == 0) {
			id = json_string_value(json_object_get(in, "Id"));
			if (strcmp(j->operation, "insert") == 0) {
				w = sf_rec_write(s, obj, NULL, in, 0, &r, &e);
			} else if (strcmp(j->operation, "upsert") == 0) {
				const struct sf_vec *m = NULL;
				json_t *kv = json_object_get(in, ext->name);
				char val[512];
				snprintf(val, sizeof(val), "%s", json_is_string(kv) ? json_string_value(kv) : "");
				json_object_del(in, ext->name);
				if (!val[0]) {
					sf_err_set(&e, 400, "MISSING_ARGUMENT", ext->name, "%s not specified", ext->name);
				} else {
					w = sf_upsert_one(s, obj, ext, val, in, 0, &r, &e, &m);
					if (w == -EEXIST) {
						sf_err_set(&e, 300, "DUPLICATE_EXTERNAL_ID", ext->name,
							   "more than one record found for external id field");
						w = -EINVAL;
					}
				}
			} else if (!id || !(r = sf_rec_get(s, id)) || r->obj != obj) {
				sf_err_set(&e, 400, id ? "INVALID_CROSS_REFERENCE_KEY" : "MISSING_ARGUMENT",
					   "Id", id ? "invalid cross reference id" : "Id not specified");
			} else if (strcmp(j->operation, "update") == 0) {
				json_object_del(in, "Id");
				w = sf_rec_write(s, obj, r, in, 0, &r, &e);
			} else {
				w = sf_rec_delete(s, r, 0, &e);
			}
		}
		if (w < 0) {
			snprintf(errtxt, sizeof(errtxt), "%s:%s:%s --", e.code, e.msg,
				 json_string_value(json_array_get(e.fields, 0)) ?
				 json_string_value(json_array_get(e.fields, 0)) : "");
			sf_row_out(&j->fail, &j->fail_len, &failc, id ? id : "", errtxt, row, j->delim, eol);
			j->failed++;
		} else {
			sf_row_out(&j->ok, &j->ok_len, &okc, r->id,
				   (w == 1 || strcmp(j->operation, "insert") == 0) ? "true" : "false",
				   row, j->delim, eol);
		}
		sf_err_clear(&e);
		json_decref(in);
		json_decref(row);
	}
	if (rc < 0) {
		snprintf(j->state, sizeof(j->state), "Failed");
		snprintf(j->error, sizeof(j->error), "InvalidBatch : Failed to parse CSV: unterminated quote");
	}
	json_decref(hdr);
	j->stamp_ms = sim_now_ms();
}

static void sf_ingest_create(struct sim_side *s, const struct sf_call *c, struct sf_out *o)
{
	json_t *b = sf_parse_body(c, o);
	const char *obj, *op, *ext;
	struct sf_object *so;
	struct sf_job *j;

	if (!b)
		return;
	obj = json_string_value(json_object_get(b, "object"));
	op = json_string_value(json_object_get(b, "operation"));
	ext = json_string_value(json_object_get(b, "externalIdFieldName"));
	so = obj ? sf_object_find(s, obj) : NULL;
	if (!so) {
		sf_out_err(o, 400, "INVALIDJOB", "Unable to find object: %.60s", obj ? obj : "");
	} else if (!op || (strcmp(op, "insert") && strcmp(op, "update") && strcmp(op, "upsert") &&
			   strcmp(op, "delete") && strcmp(op, "hardDelete"))) {
		sf_out_err(o, 400, "INVALIDJOB", "Invalid operation: %.40s", op ? op : "");
	} else if (strcmp(op, "upsert") == 0 && (!ext || !sf_field_find(so, ext) ||
		   !(sf_field_find(so, ext)->flags & SF_F_IDL))) {
		sf_out_err(o, 400, "INVALIDJOB", "External ID was blank or not an external id field for %s",
			   so->name);
	} else if ((j = sf_job_new(s, b, false, o))) {
		snprintf(j->object, sizeof(j->object), "%s", so->name);
		snprintf(j->operation, sizeof(j->operation), "%s", strcmp(op, "hardDelete") ? op : "delete");
		snprintf(j->ext, sizeof(j->ext), "%s", ext && strcmp(op, "upsert") == 0 ? ext : "");
		snprintf(j->state, sizeof(j->state), "Open");
		j->next = s->jobs;
		s->jobs = j;
		sf_out_json(o, 200, sf_job_info(j));
	}
	json_decref(b);
}

static void sf_raw(struct sf_out *o, const char *data, size_t len)
{
	o->status = 200;
	o->raw = malloc(len + 1);
	if (o->raw) {
		memcpy(o->raw, data ? data : "", len);
		o->raw[len] = '\0';
	}
	o->raw_len = len;
	o->raw_type = "text/csv";
}

static void sf_ingest(struct sim_side *s, const struct sf_call *c, const char *rest,
		      struct sf_out *o)
{
	char id[32] = "", sub[40] = "";
	struct sf_job *j;

	sscanf(rest, "%31[^/]/%39[^/]", id, sub);
	if (!id[0]) {
		snprintf(o->endpoint, sizeof(o->endpoint), "%s /jobs/ingest", c->method);
		if (strcmp(c->method, "POST") == 0) {
			sf_ingest_create(s, c, o);
		} else {
			json_t *recs = json_array();
			for (j = s->jobs; j; j = j->next)
				if (!j->query)
					json_array_append_new(recs, sf_job_info(j));
			sf_out_json(o, 200, json_pack("{s:b, s:o, s:n}", "done", 1, "records", recs,
						      "nextRecordsUrl"));
		}
		return;
	}
	snprintf(o->endpoint, sizeof(o->endpoint), "%s /jobs/ingest/{id}%s%s", c->method,
		 sub[0] ? "/" : "", sub);
	if (!(j = sf_job_find(s, id, false))) {
		sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
		return;
	}
	if (strcmp(sub, "batches") == 0 && strcmp(c->method, "PUT") == 0) {
		if (strcmp(j->state, "Open") != 0 || j->csv) {
			sf_out_err(o, 409, "INVALIDJOBSTATE", "Job is not in the Open state or data was already uploaded");
			return;
		}
		j->csv = malloc(c->body_len + 1);
		if (j->csv) {
			memcpy(j->csv, c->body ? c->body : "", c->body_len);
			j->csv[c->body_len] = '\0';
			j->csv_len = c->body_len;
		}
		sf_out_json(o, 201, NULL);
	} else if (!sub[0] && strcmp(c->method, "PATCH") == 0) {
		json_t *b = sf_parse_body(c, o);
		const char *st = b ? json_string_value(json_object_get(b, "state")) : NULL;
		if (!b)
			return;
		if (st && strcmp(st, "UploadComplete") == 0 && strcmp(j->state, "Open") == 0) {
			sf_ingest_run(s, j);
			sf_out_json(o, 200, sf_job_info(j));
			json_object_set_new(o->json, "state", json_string("UploadComplete"));
		} else if (st && strcmp(st, "Aborted") == 0 && strcmp(j->state, "Open") == 0) {
			snprintf(j->state, sizeof(j->state), "Aborted");
			sf_out_json(o, 200, sf_job_info(j));
		} else {
			sf_out_err(o, 409, "INVALIDJOBSTATE", "Cannot move the job from %s to %s", j->state,
				   st ? st : "?");
		}
		json_decref(b);
	} else if (!sub[0] && strcmp(c->method, "GET") == 0) {
		sf_out_json(o, 200, sf_job_info(j));
		if (j->polls_left > 0) {
			j->polls_left--;
			json_object_set_new(o->json, "state", json_string("InProgress"));
		}
	} else if (!sub[0] && strcmp(c->method, "DELETE") == 0) {
		struct sf_job **pp;
		for (pp = &s->jobs; *pp != j; pp = &(*pp)->next)
			;
		*pp = j->next;
		sf_job_free(j);
		sf_out_json(o, 204, NULL);
	} else if (strcmp(c->method, "GET") == 0 && (!strcmp(sub, "successfulResults") ||
		   !strcmp(sub, "failedResults") || !strcmp(sub, "unprocessedrecords"))) {
		if (strcmp(j->state, "JobComplete") != 0 && strcmp(j->state, "Failed") != 0 &&
		    strcmp(j->state, "Aborted") != 0) {
			sf_out_err(o, 409, "INVALIDJOBSTATE", "Job is still in state %s", j->state);
			return;
		}
		if (sub[0] == 's')
			sf_raw(o, j->ok, j->ok_len);
		else if (sub[0] == 'f')
			sf_raw(o, j->fail, j->fail_len);
		else
			sf_raw(o, j->unproc, j->unproc_len);
	} else {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed", c->method);
	}
}

/* ---- query -------------------------------------------------------------- */

static const char *sf_num_text(json_t *v, char *buf, size_t len)
{
	if (json_is_integer(v))
		snprintf(buf, len, "%lld", (long long)json_integer_value(v));
	else
		snprintf(buf, len, "%.15g", json_real_value(v));
	return buf;
}

static void sf_query_job(struct sim_side *s, const struct sf_call *c, const char *rest,
			 struct sf_out *o)
{
	char id[32] = "", sub[40] = "";
	struct sf_job *j;

	sscanf(rest, "%31[^/]/%39[^/]", id, sub);
	snprintf(o->endpoint, sizeof(o->endpoint), "%s /jobs/query%s%s", c->method,
		 id[0] ? "/{id}" : "", sub[0] ? "/results" : "");
	if (!id[0] && strcmp(c->method, "POST") == 0) {
		json_t *b = sf_parse_body(c, o);
		const char *op, *text;
		struct sf_err e = {0};
		struct soql_query *q;
		if (!b)
			return;
		op = json_string_value(json_object_get(b, "operation"));
		text = json_string_value(json_object_get(b, "query"));
		if (!op || (strcmp(op, "query") && strcmp(op, "queryAll"))) {
			sf_out_err(o, 400, "INVALIDJOB", "Invalid operation: %.40s", op ? op : "");
		} else if (!(q = soql_parse(s, text, &e))) {
			sf_out_json(o, 400, sf_err_rest(&e));
			sf_err_clear(&e);
		} else if (soql_is_count(q)) {
			soql_free(q);
			sf_out_err(o, 400, "INVALIDJOB", "Aggregate queries are not supported by Bulk API 2.0");
		} else if (!(j = sf_job_new(s, b, true, o))) {
			soql_free(q);
		} else {
			j->q = q;
			j->all_rows = strcmp(op, "queryAll") == 0;
			snprintf(j->object, sizeof(j->object), "%s", soql_object(q)->name);
			snprintf(j->operation, sizeof(j->operation), "%s", op);
			soql_run(s, q, j->all_rows, &j->recs, &j->n);
			j->processed = (long)j->n;
			snprintf(j->state, sizeof(j->state), "JobComplete");
			j->polls_left = 1;
			j->next = s->jobs;
			s->jobs = j;
			sf_out_json(o, 200, sf_job_info(j));
			json_object_set_new(o->json, "state", json_string("UploadComplete"));
		}
		json_decref(b);
		return;
	}
	if (!id[0] || !(j = sf_job_find(s, id, true))) {
		sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
		return;
	}
	if (!sub[0] && strcmp(c->method, "GET") == 0) {
		sf_out_json(o, 200, sf_job_info(j));
		if (j->polls_left > 0) {
			j->polls_left--;
			json_object_set_new(o->json, "state", json_string("InProgress"));
		}
	} else if (strcmp(sub, "results") == 0 && strcmp(c->method, "GET") == 0) {
		const char *loc = sf_arg(c, "locator"), *mr = sf_arg(c, "maxRecords");
		const char *const *cols;
		size_t ncol = soql_columns(j->q, &cols), from = 0, max = 50000, len = 0, cap = 0, i;
		const char *eol = strcmp(j->line_ending, "CRLF") ? "\n" : "\r\n";
		char d[2] = {j->delim, 0}, *buf = NULL;

		if (loc && *loc && strcmp(loc, "null")) {
			char *end;
			from = strtoul(loc, &end, 36);
			if (*end || from > j->n) {
				sf_out_err(o, 400, "INVALIDLOCATOR", "Invalid locator: %.40s", loc);
				return;
			}
		}
		if (mr && strtoul(mr, NULL, 10) > 0)
			max = strtoul(mr, NULL, 10);
		for (i = 0; i < ncol; i++) {
			if (i)
				sf_csv_put(&buf, &len, &cap, d, false);
			sf_csv_put(&buf, &len, &cap, cols[i], true);
		}
		sf_csv_put(&buf, &len, &cap, eol, false);
		for (i = from; i < j->n && i < from + max; i++) {
			json_t *rec = soql_project(s, j->q, j->recs[i]);
			for (size_t k = 0; k < ncol; k++) {
				const char *dot = strchr(cols[k], '.');
				json_t *v = dot ? NULL : json_object_get(rec, cols[k]);
				char tmp[64];
				const char *txt = "";
				if (dot) {
					char rel[128];
					json_t *pr = NULL, *x;
					const char *key;
					snprintf(rel, sizeof(rel), "%.*s", (int)(dot - cols[k]), cols[k]);
					json_object_foreach(rec, key, x)
						if (strcasecmp(key, rel) == 0)
							pr = x;
					v = NULL;
					json_object_foreach(pr, key, x)
						if (strcasecmp(key, dot + 1) == 0)
							v = x;
				}
				if (json_is_string(v))
					txt = json_string_value(v);
				else if (json_is_integer(v) || json_is_real(v))
					txt = sf_num_text(v, tmp, sizeof(tmp));
				else if (json_is_boolean(v))
					txt = json_is_true(v) ? "true" : "false";
				if (k)
					sf_csv_put(&buf, &len, &cap, d, false);
				sf_csv_put(&buf, &len, &cap, txt, true);
			}
			sf_csv_put(&buf, &len, &cap, eol, false);
			json_decref(rec);
		}
		sf_raw(o, buf, len);
		free(buf);
		if (i < j->n) {
			char lb[32], *p = lb + sizeof(lb) - 1;
			size_t n = i;
			*p = '\0';
			do {
				*--p = "0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
				n /= 36;
			} while (n);
			sf_out_header(o, "Sforce-Locator", "%s", p);
		} else {
			sf_out_header(o, "Sforce-Locator", "null");
		}
		sf_out_header(o, "Sforce-NumberOfRecords", "%zu", i - (from < i ? from : i));
	} else if (!sub[0] && strcmp(c->method, "PATCH") == 0) {
		snprintf(j->state, sizeof(j->state), "Aborted");
		sf_out_json(o, 200, sf_job_info(j));
	} else if (!sub[0] && strcmp(c->method, "DELETE") == 0) {
		struct sf_job **pp;
		for (pp = &s->jobs; *pp != j; pp = &(*pp)->next)
			;
		*pp = j->next;
		sf_job_free(j);
		sf_out_json(o, 204, NULL);
	} else {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed", c->method);
	}
}

void sf_bulk_handle(struct sim_side *s, const struct sf_call *c, const char *rest,
		    struct sf_out *o)
{
	if (strncmp(rest, "/ingest", 7) == 0 && (rest[7] == '\0' || rest[7] == '/')) {
		sf_ingest(s, c, rest[7] ? rest + 8 : "", o);
		return;
	}
	if (strncmp(rest, "/query", 6) == 0 && (rest[6] == '\0' || rest[6] == '/')) {
		sf_query_job(s, c, rest[6] ? rest + 7 : "", o);
		return;
	}
	snprintf(o->endpoint, sizeof(o->endpoint), "%s /jobs (unknown)", c->method);
	sf_out_err(o, 404, "NOT_FOUND", "The requested resource does not exist");
}
