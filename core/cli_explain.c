/*
 * cli_explain.c - `crmsync explain [OBJECT]`: "how it works", in words, from
 * the live configuration: for each object, whether it is on, what it pairs,
 * the order and frequency it runs at, which way each field flows by its
 * rule, how records are matched and de-duplicated, the links it keeps in
 * step, and the object plugin's own rules (its explain hook). Reads the
 * config and the mapping files only; never calls a service, never prints a
 * secret.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cli.h"
#include "engine.h"
#include "hubspot.h"
#include "loader.h"
#include "mapping.h"
#include "util.h"

static void print_duration(int64_t ms)
{
	if (ms % 3600000 == 0 && ms >= 3600000)
		printf("%lld h", (long long)(ms / 3600000));
	else if (ms % 60000 == 0 && ms >= 60000)
		printf("%lld min", (long long)(ms / 60000));
	else if (ms % 1000 == 0)
		printf("%lld s", (long long)(ms / 1000));
	else
		printf("%lld ms", (long long)ms);
}

/* One line per rule in use: "  two-way (newest change wins): email, ...". */
static void explain_fields(const struct mapping *m)
{
	static const struct {
		enum mapping_rule rule;
		const char *words;
	} rules[] = {
		{ MAPPING_PREFER_SF_UNLESS_BLANK,
		  "Salesforce's value wins; HubSpot's fills a blank Salesforce field" },
		{ MAPPING_ALWAYS_SF, "Salesforce -> HubSpot, even blank" },
		{ MAPPING_TWO_WAY, "two-way, the newest change wins, clearing propagates" },
		{ MAPPING_HS_TO_SF, "HubSpot -> Salesforce only" },
		{ MAPPING_NONE, "not synced" },
	};
	int to_sf = 0, to_hs = 0;

	for (size_t r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		size_t n = 0;

		for (size_t i = 0; i < m->n_fields; i++) {
			const struct mapping_field *f = &m->fields[i];
			int dup = 0;

			if (f->rule != rules[r].rule)
				continue;
			for (size_t k = 0; k < i; k++)
				if (m->fields[k].rule == f->rule && strcmp(m->fields[k].hubspot, f->hubspot) == 0)
					dup = 1;
			if (dup)
				continue;
			if (n)
				printf(", %s", f->hubspot);
			else
				printf("    %s:\n      %s", rules[r].words, f->hubspot);
			n++;
		}
		if (n)
			printf("\n");
		if (n && rules[r].rule != MAPPING_NONE) {
			to_hs |= rules[r].rule != MAPPING_HS_TO_SF;
			to_sf |= rules[r].rule == MAPPING_PREFER_SF_UNLESS_BLANK ||
				 rules[r].rule == MAPPING_TWO_WAY || rules[r].rule == MAPPING_HS_TO_SF;
		}
	}
	printf("  direction: %s\n", to_sf && to_hs ? "both ways, field by field as above"
				    : to_sf	   ? "HubSpot -> Salesforce"
				    : to_hs	   ? "Salesforce -> HubSpot"
						   : "none (no field syncs)");
}

static int enabled_object(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->ninst; i++)
		if (cfg->inst[i]->kind == KIND_OBJECT && cfg->inst[i]->enabled &&
		    strcmp(cfg->inst[i]->name, name) == 0)
			return 1;
	return 0;
}

static void explain_links(const struct config *cfg, const struct crmsync_object_ops *ops)
{
	int any = 0;

	for (const struct crmsync_link *const *l = ops->links; l && *l; l++) {
		const struct crmsync_link *k = *l;
		int on = enabled_object(cfg, k->target);

		if (!any)
			printf("  links:\n");
		any = 1;
		if (k->flags & CRMSYNC_LINK_MATCH) {
			printf("    match through '%s': a record without a pair takes the Salesforce record its "
			       "synced %s point at (%s.%s)%s\n",
			       k->target, k->target_hubspot_object, k->salesforce_object, k->salesforce_field,
			       on ? "" : " [off: that object is not enabled]");
			continue;
		}
		if (k->flags & CRMSYNC_LINK_JUNCTION) {
			printf("    %s rows (%s -> this record, %s -> the %s) <-> HubSpot associations with "
			       "%s, as a set: added and removed on either side%s\n",
			       k->salesforce_object, k->junction_key ? k->junction_key : "?",
			       k->salesforce_field, k->target, k->target_hubspot_object,
			       on ? "" : " [off: that object is not enabled]");
			continue;
		}
		printf("    %s%s%s <-> HubSpot association with %s (object '%s')%s%s\n",
		       k->salesforce_object ? k->salesforce_object : "", k->salesforce_object ? "." : "",
		       k->salesforce_field, k->target_hubspot_object, k->target,
		       (k->flags & CRMSYNC_LINK_TO_SALESFORCE_ONLY) ? ", HubSpot -> Salesforce only" : "",
		       !on ? " [off: that object is not enabled]"
		       : (k->flags & CRMSYNC_LINK_WAIT)
			       ? "; a record whose partner has not synced waits (association error) and "
				 "syncs on the cycle after it does"
			       : "; the record syncs without it until the partner has synced");
	}
}

static void explain_one(const struct config *cfg, struct crmsync_instance *inst, size_t pos)
{
	const struct crmsync_object_ops *ops = &inst->plugin->object;
	const char *hs = NULL, *map = NULL;
	const char *const *sf = NULL;
	struct mapping *m = NULL;
	struct errlist errs = { 0 };
	char *words;
	int need;

	object_use_pairing_mapping((struct config *)cfg, inst);
	object_pairing(inst, &hs, &sf, &map);
	printf("object %s (plugin %s %s): HubSpot %s <-> Salesforce", inst->name, inst->plugin->desc.name,
	       inst->plugin->desc.version ? inst->plugin->desc.version : "", hs ? hs : "?");
	for (size_t i = 0; sf && sf[i]; i++)
		printf("%s%s", i ? " / " : " ", sf[i]);
	printf("\n  frequency: runs %zu%s in each cycle, every ", pos,
	       pos == 1 ? "st" : pos == 2 ? "nd" : pos == 3 ? "rd" : "th");
	print_duration(cfg->core.interval_ms);
	if (hs_is_feed(hs))
		printf(" ([core] interval); reads what HubSpot added since the last cycle (a read-only "
		       "feed: nothing is read from Salesforce but the partners, nothing is written to "
		       "HubSpot)\n");
	else
		printf(" ([core] interval); reads the changes since the last cycle (HubSpot %s, "
		       "Salesforce SystemModstamp, deletes included)\n",
		       hs && strcmp(hs, "contacts") == 0 ? "lastmodifieddate" : "hs_lastmodifieddate");
	if (ops->depends_on && ops->depends_on[0]) {
		printf("  after:");
		for (const char *const *d = ops->depends_on; *d; d++)
			printf(" %s%s", *d, enabled_object(cfg, *d) ? "" : " (off)");
		printf("\n");
	}
	if (inst->mapping && mapping_load(inst->mapping, &m, &errs) == 0) {
		printf("  fields (%s):\n", inst->mapping);
		explain_fields(m);
		mapping_free(m);
	} else {
		printf("  fields: the mapping file '%s' does not load (see 'crmsync check-config')\n",
		       inst->mapping ? inst->mapping : "(none)");
	}
	errlist_release(&errs);
	printf("  matching: the id map first (a pair, once made, is kept), then crmsync's external id "
	       "on records it created (a replayed create updates instead of duplicating)");
	if (ops->dedupe_key && ops->dedupe_hubspot_property)
		printf(", then HubSpot '%s' = Salesforce '%s' (normalised; %s)",
		       ops->dedupe_hubspot_property, ops->dedupe_salesforce_field,
		       (ops->dedupe_flags & CRMSYNC_DEDUPE_AMBIGUOUS_SKIP)
			       ? "several candidates: reported as ambiguous, nothing created"
			       : "several Salesforce candidates: the oldest wins, the others are reported");
	else if (ops->dedupe_key)
		printf(", then the plugin's de-duplication key (see below)");
	else
		printf("; never by content");
	printf("\n");
	explain_links(cfg, ops);
	if (ops->explain && inst->initialized) {
		need = ops->explain(inst, inst->ctx, NULL, 0);
		if (need > 0) {
			words = xcalloc((size_t)need + 1, 1);
			ops->explain(inst, inst->ctx, words, (size_t)need + 1);
			for (char *line = strtok(words, "\n"); line; line = strtok(NULL, "\n"))
				printf("  - %s\n", line);
			free(words);
		}
	}
}

/* Combinations the seeds warn about. */
static void explain_warnings(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->ninst; i++) {
		const struct crmsync_instance *inst = cfg->inst[i];
		const char *create_as, *auto_co;

		if (inst->kind != KIND_OBJECT || !inst->enabled || !inst->plugin ||
		    strcmp(inst->plugin->desc.name, "contact") != 0 || !inst->section)
			continue;
		create_as = cfg_section_get(inst->section, "create_as");
		auto_co = cfg_section_get(inst->section, "hubspot_creates_companies");
		if ((!create_as || strcmp(create_as, "lead") == 0) && auto_co &&
		    (strcmp(auto_co, "yes") == 0 || strcmp(auto_co, "true") == 0 ||
		     strcmp(auto_co, "on") == 0 || strcmp(auto_co, "1") == 0))
			printf("warning: [object %s] creates contacts as Salesforce Leads while HubSpot "
			       "auto-creates companies from email domains: Leads have no Account, so "
			       "companies cannot be matched through their contacts and duplicate companies "
			       "appear. Create contacts as Contacts (create_as = contact), or turn off "
			       "HubSpot's automatic company creation.\n",
			       inst->name);
	}
}

int cmd_explain(const char *path, const char *object)
{
	struct config cfg;
	struct crmsync_instance **order;
	size_t n = 0, shown = 0;
	int err;

	err = cli_load(&cfg, path, 1);
	if (err)
		return 1;
	err = config_start_instances(&cfg);
	if (err) {
		fprintf(stderr, "crmsync: a plugin refused its configuration (see above)\n");
		config_release(&cfg);
		return 1;
	}
	order = xcalloc(cfg.ninst + 1, sizeof(*order));
	engine_order_objects(&cfg, order, &n);
	printf("How crmsync syncs, from '%s'\n\n", path);
	for (size_t i = 0; i < n; i++) {
		if (object && strcmp(order[i]->name, object) != 0)
			continue;
		explain_one(&cfg, order[i], i + 1);
		printf("\n");
		shown++;
	}
	for (size_t i = 0; i < cfg.ninst; i++) {
		const struct crmsync_instance *inst = cfg.inst[i];

		if (inst->kind != KIND_OBJECT || inst->enabled ||
		    (object && strcmp(inst->name, object) != 0))
			continue;
		printf("object %s: off (enabled = no): nothing of it is read or written, and links to it "
		       "from other objects are not kept\n\n",
		       inst->name);
		shown++;
	}
	if (!object)
		explain_warnings(&cfg);
	free(order);
	config_stop_instances(&cfg);
	config_release(&cfg);
	if (object && !shown) {
		fprintf(stderr, "crmsync: no object '%s' in '%s'\n", object, path);
		return 1;
	}
	return 0;
}
