/*
 * test_objects_mock - the company, deal and activity plugins loaded with
 * dlopen() and given a mock host table (no core library linked): each must
 * start from its option table's defaults, reach the daemon only through the
 * host, never call the services itself (no http_request), and run its hooks
 * on the mock's records. The behaviour in depth is test_objects' (real host).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <crmsync/plugin.h>

#ifndef OBJECT_PLUGIN_DIR
#define OBJECT_PLUGIN_DIR "plugins/build"
#endif

/* ---- mock records ---------------------------------------------------------- */

#define MAXF 64

struct crmsync_record {
	enum crmsync_side side;
	const char *object, *id;
	char *name[MAXF], *value[MAXF];
	size_t n;
};

struct crmsync_instance {
	const char *name;
};

static int http_calls, log_calls, ext_calls;

static struct crmsync_record *rec(enum crmsync_side side, const char *object, const char *id)
{
	struct crmsync_record *r = calloc(1, sizeof(*r));

	r->side = side;
	r->object = object;
	r->id = id;
	return r;
}

static void rec_free(struct crmsync_record *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->name[i]);
		free(r->value[i]);
	}
	free(r);
}

static const char *m_get(const struct crmsync_record *r, const char *f)
{
	for (size_t i = 0; r && f && i < r->n; i++)
		if (strcmp(r->name[i], f) == 0)
			return r->value[i];
	return NULL;
}

static int m_set(struct crmsync_record *r, const char *f, const char *v)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->name[i], f) == 0) {
			free(r->value[i]);
			r->value[i] = v ? strdup(v) : NULL;
			return 0;
		}
	if (r->n == MAXF)
		return -ENOMEM;
	r->name[r->n] = strdup(f);
	r->value[r->n++] = v ? strdup(v) : NULL;
	return 0;
}

static void m_vlog(struct crmsync_instance *inst, int level, const char *fmt, va_list ap)
{
	(void)inst;
	(void)level;
	(void)fmt;
	(void)ap;
	log_calls++;
}

static void m_log(struct crmsync_instance *inst, int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	m_vlog(inst, level, fmt, ap);
	va_end(ap);
}

static const char *m_instance_name(const struct crmsync_instance *inst)
{
	return inst->name;
}

static const char *m_option_text(const struct crmsync_instance *inst, const char *key)
{
	(void)inst;
	(void)key;
	return NULL;
}

static enum crmsync_side m_side(const struct crmsync_record *r)
{
	return r->side;
}

static const char *m_object(const struct crmsync_record *r)
{
	return r->object;
}

static const char *m_id(const struct crmsync_record *r)
{
	return r->id;
}

static size_t m_count(const struct crmsync_record *r)
{
	return r->n;
}

static int m_field_at(const struct crmsync_record *r, size_t i, const char **f, const char **v)
{
	if (i >= r->n)
		return -ENOENT;
	*f = r->name[i];
	*v = r->value[i];
	return 0;
}

static int m_http(struct crmsync_instance *inst, const struct crmsync_http_request *req,
		  struct crmsync_http_response **resp)
{
	(void)inst;
	(void)req;
	*resp = NULL;
	http_calls++;
	return -EPERM;
}

static int64_t m_now(void)
{
	return 1700000000000LL;
}

static const char *m_ext(const struct crmsync_record *r)
{
	ext_calls++;
	return m_get(r, "CrmSync_Id__c");
}

static const struct crmsync_host host = {
	.size = sizeof(struct crmsync_host),
	.abi_major = CRMSYNC_ABI_MAJOR,
	.abi_minor = CRMSYNC_ABI_MINOR,
	.log = m_log,
	.vlog = m_vlog,
	.instance_name = m_instance_name,
	.option_text = m_option_text,
	.rec_side = m_side,
	.rec_object = m_object,
	.rec_id = m_id,
	.rec_get = m_get,
	.rec_set = m_set,
	.rec_count = m_count,
	.rec_field_at = m_field_at,
	.http_request = m_http,
	.now_ms = m_now,
	.rec_external_id = m_ext,
};

/* ---- loading, with the option table's defaults ------------------------- */

struct loaded {
	void *dl;
	const struct crmsync_plugin *p;
	const struct crmsync_object_ops *ops;
	void *ctx;
	struct crmsync_instance inst;
};

static void set_option(void *ctx, const struct crmsync_option *o, const char *text)
{
	char *at = (char *)ctx + o->offset;

	switch (o->type) {
	case CRMSYNC_OPT_STRING:
		*(char **)at = text ? strdup(text) : NULL;
		break;
	case CRMSYNC_OPT_INT:
	case CRMSYNC_OPT_DURATION:
		*(int64_t *)at = text ? strtoll(text, NULL, 10) : 0;
		break;
	case CRMSYNC_OPT_BOOL:
		*(int *)at = text && (strcmp(text, "yes") == 0 || strcmp(text, "true") == 0);
		break;
	case CRMSYNC_OPT_ENUM:
		*(int *)at = 0;
		for (int i = 0; text && o->choices && o->choices[i]; i++)
			if (strcmp(o->choices[i], text) == 0)
				*(int *)at = i;
		break;
	case CRMSYNC_OPT_LIST: {
		char **v = calloc(2, sizeof(*v));

		v[0] = text ? strdup(text) : NULL;
		*(char ***)at = v;
		break;
	}
	default:
		fail_msg("option '%s' has an unknown type", o->key);
	}
}

/* Load NAME.so; kv: {key, value, ..., NULL} override defaults. */
static void load_kv(struct loaded *l, const char *name, const char *const *kv);

/* Load NAME.so; `key=value` overrides one default (or NULL). */
static void load(struct loaded *l, const char *name, const char *key, const char *value)
{
	const char *const kv[] = { key, value, NULL };

	load_kv(l, name, key ? kv : kv + 2);
}

static const char *kv_value(const char *const *kv, const char *key, const char *def)
{
	for (; kv && kv[0]; kv += 2)
		if (strcmp(kv[0], key) == 0)
			return kv[1];
	return def;
}

static void load_kv(struct loaded *l, const char *name, const char *const *kv)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s.so", OBJECT_PLUGIN_DIR, name);
	memset(l, 0, sizeof(*l));
	l->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!l->dl)
		fail_msg("cannot load '%s': %s", path, dlerror());
	l->p = dlsym(l->dl, CRMSYNC_PLUGIN_SYMBOL);
	assert_non_null(l->p);
	assert_int_equal(l->p->magic, CRMSYNC_ABI_MAGIC);
	assert_int_equal(l->p->abi_minor, CRMSYNC_ABI_MINOR);
	assert_int_equal(l->p->init(&host), 0);
	l->ops = l->p->object;
	assert_non_null(l->ops);
	assert_int_equal(l->ops->size, sizeof(struct crmsync_object_ops));
	l->ctx = calloc(1, l->ops->ctx_size + 1);
	for (const struct crmsync_option *o = l->ops->options; o && o->key; o++)
		set_option(l->ctx, o, kv_value(kv, o->key, o->def));
	l->inst.name = name;
	if (l->ops->init)
		assert_int_equal(l->ops->init(&l->inst, l->ctx), 0);
}

static void unload(struct loaded *l)
{
	for (const struct crmsync_option *o = l->ops->options; o && o->key; o++) {
		char *at = (char *)l->ctx + o->offset;

		if (o->type == CRMSYNC_OPT_STRING)
			free(*(char **)at);
		if (o->type == CRMSYNC_OPT_LIST) {
			char **v = *(char ***)at;

			for (size_t i = 0; v && v[i]; i++)
				free(v[i]);
			free(v);
		}
	}
	if (l->ops->fini)
		l->ops->fini(&l->inst, l->ctx);
	if (l->p->fini)
		l->p->fini();
	free(l->ctx);
	dlclose(l->dl);
}

static int accept(struct loaded *l, int kind, int dir, struct crmsync_record *src,
		  struct crmsync_record *dst, const char **why)
{
	struct crmsync_change chg = { sizeof(chg), (uint32_t)kind, (uint32_t)dir, 0, src, dst };

	return l->ops->accept(&l->inst, l->ctx, &chg, why);
}

static void transform(struct loaded *l, int kind, int dir, struct crmsync_record *src,
		      struct crmsync_record *out)
{
	struct crmsync_change chg = { sizeof(chg), (uint32_t)kind, (uint32_t)dir, 0, src, NULL };

	assert_int_equal(l->ops->transform(&l->inst, l->ctx, &chg, out), 0);
}

/* ---- the tests --------------------------------------------------------------- */

static void test_company(void **state)
{
	struct loaded l;
	struct crmsync_record *hs = rec(CRMSYNC_SIDE_HUBSPOT, "companies", "1");
	struct crmsync_record *sf = rec(CRMSYNC_SIDE_SALESFORCE, "Account", "001A");
	struct crmsync_record *out = rec(CRMSYNC_SIDE_SALESFORCE, "Account", NULL);
	char k1[128], k2[128];
	const char *why = NULL;

	(void)state;
	load(&l, "company", NULL, NULL);
	m_set(hs, "domain", "www.Example.com");
	assert_int_equal(l.ops->dedupe_key(&l.inst, l.ctx, hs, k1, sizeof(k1)), 0); /* opt-in */
	unload(&l);
	load(&l, "company", "match_by_domain", "yes");
	m_set(sf, "Website", "http://example.com/");
	assert_int_equal(l.ops->dedupe_key(&l.inst, l.ctx, hs, k1, sizeof(k1)), 1);
	assert_int_equal(l.ops->dedupe_key(&l.inst, l.ctx, sf, k2, sizeof(k2)), 1);
	assert_string_equal(k1, k2);
	assert_int_equal(l.ops->dedupe_key(&l.inst, l.ctx, hs, k1, 4), -ENOSPC);
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	transform(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, out);
	assert_string_equal(m_get(out, "Name"), "www.Example.com");
	unload(&l);
	rec_free(hs);
	rec_free(sf);
	rec_free(out);
}

static void test_deal(void **state)
{
	struct loaded l;
	struct crmsync_record *hs = rec(CRMSYNC_SIDE_HUBSPOT, "deals", "9");
	struct crmsync_record *out = rec(CRMSYNC_SIDE_SALESFORCE, "Opportunity", NULL);
	const char *why = NULL;

	(void)state;
	load(&l, "deal", NULL, NULL);
	assert_null(l.ops->dedupe_key);
	m_set(hs, "pipeline", "other");
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_UPDATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	transform(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, out);
	/* the mock clock: 2023-11-14, plus the default 30 days */
	assert_string_equal(m_get(out, "CloseDate"), "2023-12-14");
	assert_string_equal(m_get(out, "StageName"), "Prospecting");
	unload(&l);
	rec_free(hs);
	rec_free(out);
}

static void test_activity(void **state)
{
	struct loaded l;
	struct crmsync_record *task = rec(CRMSYNC_SIDE_SALESFORCE, "Task", "00TA");
	struct crmsync_record *hs = rec(CRMSYNC_SIDE_HUBSPOT, "tasks", "5");
	struct crmsync_record *out = rec(CRMSYNC_SIDE_SALESFORCE, "Task", NULL);
	const char *h = NULL, *map = NULL, *why = NULL;
	const char *const *sf = NULL;

	(void)state;
	load(&l, "activity", "engagement", "meetings");
	assert_int_equal(l.ops->pairing(&l.inst, l.ctx, &h, &sf, &map), 0);
	assert_string_equal(h, "meetings");
	assert_string_equal(sf[0], "Event");
	assert_int_equal(l.ops->start_ms(&l.inst, l.ctx), 1700000000000LL);
	unload(&l);
	load(&l, "activity", "tasks_to_hubspot", "yes");
	ext_calls = 0;
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, task, NULL, &why), 1);
	m_set(task, "CrmSync_Id__c", "x");
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, task, NULL, &why), 0);
	assert_true(ext_calls >= 2); /* through the host, not a field name of its own */
	m_set(out, "WhoId", "00QA");
	m_set(out, "WhatId", "006A");
	transform(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, out);
	assert_null(m_get(out, "WhatId"));
	assert_string_equal(m_get(out, "Subject"), "Task");
	unload(&l);
	rec_free(task);
	rec_free(hs);
	rec_free(out);
}

/* engagement = forms: the feed of form submissions, filed under a contact */
static void test_activity_forms(void **state)
{
	struct loaded l;
	struct crmsync_record *hs = rec(CRMSYNC_SIDE_HUBSPOT, "form_submissions", "c0ffee");
	struct crmsync_record *out = rec(CRMSYNC_SIDE_SALESFORCE, "Task", NULL);
	const char *h = NULL, *map = NULL, *why = NULL;
	const char *const *sf = NULL;
	char title[400];

	(void)state;
	load(&l, "activity", "engagement", "forms");
	assert_int_equal(l.ops->pairing(&l.inst, l.ctx, &h, &sf, &map), 0);
	assert_string_equal(h, "form_submissions");
	assert_string_equal(sf[0], "Task");
	assert_string_equal(map, "activity-forms.yaml");
	/* no email, then an email no contact has: skipped, saying which */
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	assert_non_null(strstr(why, "no email"));
	m_set(hs, "email", "ann@example.com");
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	assert_non_null(strstr(why, "no HubSpot contact"));
	m_set(hs, "feed.associations.contacts", "101");
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	m_set(hs, "hs_form_title", "Contact us");
	transform(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, out);
	assert_string_equal(m_get(out, "Subject"), "Form submission: Contact us");
	assert_string_equal(m_get(out, "Status"), "Completed");
	assert_string_equal(m_get(out, "TaskSubtype"), "Task");
	/* a long title is cut to 255 bytes, never inside a UTF-8 character */
	memset(title, 0, sizeof(title));
	for (size_t i = 0; i + 3 < sizeof(title) - 1; i += 3)
		memcpy(title + i, "\xe6\x97\xa5", 3); /* 日 */
	m_set(hs, "hs_form_title", title);
	m_set(out, "Subject", NULL);
	transform(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, out);
	assert_true(strlen(m_get(out, "Subject")) <= 255);
	assert_int_equal((strlen(m_get(out, "Subject")) - strlen("Form submission: ")) % 3, 0);
	/* nothing comes back from Salesforce */
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_HUBSPOT, out, NULL, &why), 0);
	unload(&l);
	/* forms = a list: by id or by name (any case), else skipped */
	load_kv(&l, "activity",
		(const char *const[]){ "engagement", "forms", "forms", "contact US", NULL });
	m_set(hs, "hs_form_title", "Contact us");
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 1);
	m_set(hs, "hs_form_title", "Newsletter signup");
	assert_int_equal(accept(&l, CRMSYNC_CHANGE_CREATE, CRMSYNC_TO_SALESFORCE, hs, NULL, &why), 0);
	assert_non_null(strstr(why, "`forms` list"));
	unload(&l);
	rec_free(hs);
	rec_free(out);
}

/* An older daemon (ABI 1.2) is refused by plugins that need 1.3. */
static void test_needs_1_3(void **state)
{
	static const char *const names[] = { "company", "deal", "activity" };

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct crmsync_host old = host;
		char path[1024];
		void *dl;
		const struct crmsync_plugin *p;

		snprintf(path, sizeof(path), "%s/%s.so", OBJECT_PLUGIN_DIR, names[i]);
		dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		assert_non_null(dl);
		p = dlsym(dl, CRMSYNC_PLUGIN_SYMBOL);
		old.abi_minor = 2;
		old.size = offsetof(struct crmsync_host, rec_external_id);
		assert_int_not_equal(p->init(&old), 0);
		dlclose(dl);
	}
}

static void test_no_service_calls(void **state)
{
	(void)state;
	/* every hook above ran without one HTTP request */
	assert_int_equal(http_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_company),
		cmocka_unit_test(test_deal),
		cmocka_unit_test(test_activity),
		cmocka_unit_test(test_activity_forms),
		cmocka_unit_test(test_needs_1_3),
		cmocka_unit_test(test_no_service_calls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
