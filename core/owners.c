/*
 * owners.c - record owners differ in id space on the two sides (HubSpot
 * owner ids, Salesforce user ids); they are paired through their email
 * addresses once per cycle, so an owner field can sync like any other: the
 * engine compares and stores it in Salesforce's id space.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "log.h"

static char *lower_dup(const char *s)
{
	char *d = xstrdup(s);

	for (char *p = d; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return d;
}

struct user_ctx {
	struct strmap by_email;   /* email -> Salesforce user id (owned) */
};

static int on_user(json_t *j, void *user)
{
	struct user_ctx *uc = user;
	const char *id = json_string_value(json_object_get(j, "Id"));
	const char *email = json_string_value(json_object_get(j, "Email"));
	char *key;

	if (!id || !email)
		return 0;
	key = lower_dup(email);
	if (!strmap_get(&uc->by_email, key))
		strmap_put(&uc->by_email, key, xstrdup(id));
	free(key);
	return 0;
}

static void free_values(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots && m->slots[i].key)
			free(m->slots[i].value);
	strmap_release(m);
}

int owners_load(struct engine *e)
{
	struct user_ctx uc = { { 0 } };
	struct sf_error serr;
	char *after = NULL;
	int err;

	if (e->owners_loaded)
		return 0;
	err = sf_query(e->sf, "SELECT Id, Email FROM User WHERE IsActive = true", 0, on_user, &uc,
		       &serr);
	if (err) {
		log_warn("cannot read Salesforce users (%s: %s); owner fields do not sync this cycle",
			 serr.code, serr.message);
		free_values(&uc.by_email);
		return err;
	}
	do {
		struct hs_error herr;
		json_t *resp = NULL, *r;
		char path[200];
		size_t i;

		snprintf(path, sizeof(path), "/crm/v3/owners/?limit=100%s%s", after ? "&after=" : "",
			 after ? after : "");
		free(after);
		after = NULL;
		err = hs_get(e->hs, path, &resp, &herr);
		if (err) {
			log_warn("cannot read HubSpot owners (%s: %s); owner fields do not sync this cycle",
				 herr.category, herr.message);
			break;
		}
		json_array_foreach(json_object_get(resp, "results"), i, r) {
			const char *id = json_string_value(json_object_get(r, "id"));
			const char *email = json_string_value(json_object_get(r, "email"));
			const char *sf_id;
			char *key;

			if (!id || !email)
				continue;
			key = lower_dup(email);
			sf_id = strmap_get(&uc.by_email, key);
			if (sf_id && !strmap_get(&e->owner_hs_to_sf, id)) {
				strmap_put(&e->owner_hs_to_sf, id, xstrdup(sf_id));
				strmap_put(&e->owner_sf_to_hs, sf_id, xstrdup(id));
			}
			free(key);
		}
		{
			const char *a = json_string_value(json_object_get(
				json_object_get(json_object_get(resp, "paging"), "next"), "after"));

			after = a ? xstrdup(a) : NULL;
		}
		json_decref(resp);
	} while (after);
	free_values(&uc.by_email);
	if (!err) {
		e->owners_loaded = 1;
		log_info("owners: %zu paired by email", e->owner_hs_to_sf.n);
	}
	return err;
}

void owners_release(struct engine *e)
{
	free_values(&e->owner_hs_to_sf);
	free_values(&e->owner_sf_to_hs);
	e->owners_loaded = 0;
}

const char *owner_translate(struct engine *e, const char *value, int to_sf)
{
	if (!value || !*value)
		return NULL;
	return strmap_get(to_sf ? &e->owner_hs_to_sf : &e->owner_sf_to_hs, value);
}
