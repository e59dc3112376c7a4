/*
 * simbench: a small load client for crmsync-sim's HubSpot side. Reuses one
 * keep-alive connection and sends batch/read, batch/create, batch/upsert,
 * search or list calls back to back for a while, counting the records the
 * simulator serves; prints records/s and calls/s. Not installed.
 *
 *   simbench BASE_URL TOKEN MODE SECONDS
 *   MODE: read | create | upsert | search | list
 */
#include "config.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct buf {
	char *p;
	size_t n, cap;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *u)
{
	struct buf *b = u;
	size_t n = sz * nm;

	if (b->n + n + 1 > b->cap) {
		size_t ncap = (b->n + n + 1) * 2;
		char *np = realloc(b->p, ncap);

		if (!np)
			return 0;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
	b->p[b->n] = '\0';
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One call; returns the parsed body (new reference) or NULL. */
static json_t *call(CURL *c, const char *url, const char *body, long *status, struct buf *b)
{
	json_error_t jerr;

	b->n = 0;
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	}
	if (curl_easy_perform(c) != CURLE_OK)
		return NULL;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return json_loadb(b->p ? b->p : "", b->n, 0, &jerr);
}

static int raw_call(CURL *c, const char *url, const char *body, long *status, struct buf *b)
{
	b->n = 0;
	if (b->p)
		b->p[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	else
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (curl_easy_perform(c) != CURLE_OK)
		return -1;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	return b->p ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *base, *token, *mode;
	double secs, t0, t;
	char url[512], auth[256], *body = NULL;
	struct curl_slist *h = NULL;
	struct buf b = { 0 };
	json_t *ids = json_array(), *emails = json_array(), *r;

	long status = 0, calls = 0, records = 0, errors = 0, seq = 0;
	size_t after = 0;
	CURL *c;

	if (argc != 5) {
		fprintf(stderr, "usage: simbench BASE_URL TOKEN read|create|upsert|search|list SECONDS\n");
		return 2;
	}
	base = argv[1];
	token = argv[2];
	mode = argv[3];
	secs = atof(argv[4]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);

	/* collect ids and emails of the existing contacts (not timed) */
	snprintf(url, sizeof(url), "%s/crm/v3/objects/contacts?limit=100&properties=email", base);
	while (json_array_size(ids) < 10000) {
		json_t *res, *o;
		size_t i;
		const char *next;

		r = call(c, url, NULL, &status, &b);
		if (!r || status != 200) {
			fprintf(stderr, "simbench: cannot list contacts (status %ld)\n", status);
			return 1;
		}
		res = json_object_get(r, "results");
		json_array_foreach(res, i, o) {
			json_array_append(ids, json_object_get(o, "id"));
			if (json_is_string(json_object_get(json_object_get(o, "properties"), "email")))
				json_array_append(emails, json_object_get(json_object_get(o, "properties"), "email"));
		}
		next = json_string_value(json_object_get(json_object_get(json_object_get(r, "paging"), "next"), "after"));
		if (!next) {
			json_decref(r);
			break;
		}
		snprintf(url, sizeof(url), "%s/crm/v3/objects/contacts?limit=100&properties=email&after=%s", base, next);
		json_decref(r);
	}
	if (!json_array_size(ids) || !json_array_size(emails)) {
		fprintf(stderr, "simbench: no contacts to work on\n");
		return 1;
	}

	t0 = now_s();
	while ((t = now_s()) - t0 < secs) {
		json_t *inputs = json_array(), *req;

		if (!strcmp(mode, "read") || !strcmp(mode, "create") || !strcmp(mode, "upsert")) {
			for (int i = 0; i < 100; i++) {
				size_t k = (size_t)(seq++);

				if (mode[0] == 'r')
					json_array_append_new(inputs, json_pack("{s:O}", "id",
						json_array_get(ids, k % json_array_size(ids))));
				else if (mode[0] == 'c')
					json_array_append_new(inputs, json_pack("{s:{s:s%,s:s}}", "properties",
						"email", "x", (size_t)0, "firstname", "Bench"));
				else
					json_array_append_new(inputs, json_pack("{s:O,s:s,s:{s:s}}", "id",
						json_array_get(emails, k % json_array_size(emails)), "idProperty", "email",
						"properties", "jobtitle", (k & 1) ? "Engineer" : "Manager"));
				if (mode[0] == 'c') {
					char email[64];

					snprintf(email, sizeof(email), "bench-%ld-%d@bench.example", seq, i);
					json_object_set_new(json_object_get(json_array_get(inputs, (size_t)i), "properties"),
							    "email", json_string(email));
				}
			}
			req = json_pack("{s:o,s:[s,s]}", "inputs", inputs, "properties", "email", "firstname");
			snprintf(url, sizeof(url), "%s/crm/v3/objects/contacts/batch/%s", base, mode);
		} else if (!strcmp(mode, "search")) {
			json_decref(inputs);
			req = json_pack("{s:[],s:[{s:s,s:s}],s:[s,s],s:i,s:I}", "filterGroups", "sorts",
					"propertyName", "lastmodifieddate", "direction", "ASCENDING",
					"properties", "email", "lastmodifieddate", "limit", 200, "after", (json_int_t)after);
			snprintf(url, sizeof(url), "%s/crm/v3/objects/contacts/search", base);
		} else {
			json_decref(inputs);
			req = NULL;
			snprintf(url, sizeof(url), "%s/crm/v3/objects/contacts?limit=100&properties=email,firstname&after=%s",
				 base, json_string_value(json_array_get(ids, (size_t)(seq % (long)json_array_size(ids)))));
			seq += 100;
		}
		free(body);
		body = req ? json_dumps(req, JSON_COMPACT) : NULL;
		json_decref(req);
		/* the timed loop does not parse answers (the client must not be the
		 * bottleneck): each served record carries exactly one "createdAt" */
		if (raw_call(c, url, body, &status, &b) || status >= 300) {
			if (!errors++)
				fprintf(stderr, "simbench: first error: status %ld: %.300s\n", status,
					b.p ? b.p : "");
		} else {
			const char *p = b.p, *next;

			while ((p = strstr(p, "\"createdAt\":"))) {
				records++;
				p += 12;
			}
			if (!strcmp(mode, "search")) {
				next = strstr(b.p, "\"paging\":{\"next\":{\"after\":\"");
				after = next ? strtoul(next + 27, NULL, 10) : 0;
				if (after >= 10000)
					after = 0;
			}
		}
		calls++;
	}
	t = now_s() - t0;
	printf("%-7s %8ld calls %9ld records %6.1f s %9.0f records/s %7.0f calls/s %ld errors\n",
	       mode, calls, records, t, records / t, calls / t, errors);
	free(body);
	free(b.p);
	json_decref(ids);
	json_decref(emails);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return errors ? 1 : 0;
}
