/*
 * deal - the object plugin for HubSpot deals <-> Salesforce Opportunities:
 * which pipelines sync, the stage a deal gets when Salesforce's StageName
 * has no mapped HubSpot stage (from IsClosed/IsWon), the fields Salesforce
 * requires on create (CloseDate, StageName), and the links to the company
 * (Opportunity.AccountId <-> the deal's primary company). Deals are never
 * de-duplicated by content: only the id map pairs them.
 *
 * It holds no state outside its per-instance context and never calls the
 * services itself: the core reads and writes, this plugin decides.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <crmsync/plugin.h>

#define DEAL_VERSION "0.1.0"

static const struct crmsync_host *host;

struct deal_ctx {
	char **pipelines;
	char *won_stage;
	char *lost_stage;
	int64_t close_days;
	char *open_stage_salesforce;
	int create_opportunities;
	int create_deals;
};

#define OPT(key, type, def, member, help) \
	{ key, type, 0, def, offsetof(struct deal_ctx, member), help, NULL, 0, 0 }

static const struct crmsync_option deal_options[] = {
	OPT("pipelines", CRMSYNC_OPT_LIST, "default", pipelines,
	    "HubSpot pipeline ids whose deals sync; the first one receives the deals created "
	    "from Salesforce"),
	OPT("won_stage", CRMSYNC_OPT_STRING, "closedwon", won_stage,
	    "HubSpot stage of a won Opportunity whose StageName has no mapped stage"),
	OPT("lost_stage", CRMSYNC_OPT_STRING, "closedlost", lost_stage,
	    "HubSpot stage of a lost Opportunity whose StageName has no mapped stage"),
	{ "close_days", CRMSYNC_OPT_INT, 0, "30", offsetof(struct deal_ctx, close_days),
	  "a deal without a close date gets one this many days after it syncs (Salesforce "
	  "requires CloseDate)", NULL, 0, 3650 },
	OPT("open_stage", CRMSYNC_OPT_STRING, "Prospecting", open_stage_salesforce,
	    "StageName of an Opportunity created from a deal whose stage is not mapped"),
	OPT("create_opportunities", CRMSYNC_OPT_BOOL, "yes", create_opportunities,
	    "create an Opportunity for a HubSpot deal that has none"),
	OPT("create_deals", CRMSYNC_OPT_BOOL, "yes", create_deals,
	    "create a HubSpot deal for an Opportunity that has none"),
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

static int in_pipelines(const struct deal_ctx *ctx, const char *p)
{
	if (!p)
		p = "default";
	for (char **v = ctx->pipelines; v && *v; v++)
		if (strcmp(*v, p) == 0 || strcmp(*v, "*") == 0)
			return 1;
	return 0;
}

static int is_true(const char *v)
{
	return v && strcmp(v, "true") == 0;
}

static int deal_init(struct crmsync_instance *inst, void *vctx)
{
	struct deal_ctx *ctx = vctx;

	if (!ctx->pipelines || !ctx->pipelines[0]) {
		host->log(inst, CRMSYNC_LOG_ERR, "pipelines is empty: name at least one HubSpot "
			  "pipeline id (\"default\" is HubSpot's sales pipeline)");
		return -EINVAL;
	}
	return 0;
}

static int deal_accept(struct crmsync_instance *inst, void *vctx, const struct crmsync_change *chg,
		       const char **reason)
{
	const struct deal_ctx *ctx = vctx;
	const char *why = NULL;
	int ok = 1;

	(void)inst;
	if (!chg || !chg->source)
		return -EINVAL;
	if (chg->kind == CRMSYNC_CHANGE_DELETE) {
		why = "deleting a deal or an Opportunity never deletes its partner";
		ok = 0;
	} else if (chg->direction == CRMSYNC_TO_SALESFORCE &&
		   !in_pipelines(ctx, host->rec_get(chg->source, "pipeline"))) {
		why = "the deal is in a pipeline that does not sync";
		ok = 0;
	} else if (chg->kind == CRMSYNC_CHANGE_CREATE && chg->direction == CRMSYNC_TO_SALESFORCE &&
		   !ctx->create_opportunities) {
		why = "Opportunity creation is turned off (create_opportunities = no)";
		ok = 0;
	} else if (chg->kind == CRMSYNC_CHANGE_CREATE && chg->direction == CRMSYNC_TO_HUBSPOT &&
		   !ctx->create_deals) {
		why = "deal creation is turned off (create_deals = no)";
		ok = 0;
	}
	if (reason)
		*reason = why;
	return ok;
}

/* YYYY-MM-DD of the UTC day `days` after now_ms (civil-from-days, no
 * libc time zone state). */
static void today_plus(int64_t now_ms, int64_t days, char *buf, size_t size)
{
	int64_t z = now_ms / 86400000 + days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	snprintf(buf, size, "%04lld-%02lld-%02lld", (long long)y, (long long)m, (long long)d);
}

static int deal_transform(struct crmsync_instance *inst, void *vctx,
			  const struct crmsync_change *chg, struct crmsync_record *out)
{
	const struct deal_ctx *ctx = vctx;

	(void)inst;
	if (chg->direction == CRMSYNC_TO_SALESFORCE) {
		if (chg->kind != CRMSYNC_CHANGE_CREATE)
			return 0;
		if (!host->rec_get(out, "CloseDate")) {
			char day[64];

			today_plus(host->now_ms(), ctx->close_days, day, sizeof(day));
			host->rec_set(out, "CloseDate", day);
		}
		if (!host->rec_get(out, "StageName"))
			host->rec_set(out, "StageName", ctx->open_stage_salesforce);
		if (!host->rec_get(out, "Name"))
			host->rec_set(out, "Name", "(unnamed deal)");
		return 0;
	}
	/* to HubSpot: a new deal goes to the first pipeline; a closed stage
	 * the mapping cannot place comes from IsClosed/IsWon */
	if (chg->kind == CRMSYNC_CHANGE_CREATE)
		host->rec_set(out, "pipeline", ctx->pipelines[0]);
	if (chg->kind == CRMSYNC_CHANGE_CREATE && !host->rec_get(out, "dealstage") &&
	    is_true(host->rec_get(chg->source, "IsClosed")))
		host->rec_set(out, "dealstage", is_true(host->rec_get(chg->source, "IsWon"))
							? ctx->won_stage : ctx->lost_stage);
	return 0;
}

static int deal_explain(struct crmsync_instance *inst, void *vctx, char *buf, size_t size)
{
	const struct deal_ctx *ctx = vctx;
	char pipes[256] = "";
	size_t n = 0;

	(void)inst;
	for (char **v = ctx->pipelines; v && *v && n < sizeof(pipes); v++)
		n += (size_t)snprintf(pipes + n, sizeof(pipes) - n, "%s%s", n ? ", " : "", *v);
	return snprintf(buf, size,
			"Deals pair with Opportunities only through the id map: deals are never "
			"de-duplicated by content.\n"
			"Deals of the pipelines %s sync to Salesforce; deals created from Salesforce go "
			"to '%s'.\n"
			"Stages map through the mapping's dealstage <-> StageName values; a closed "
			"Opportunity whose stage has no mapped value becomes '%s' (won) or '%s' (lost).\n"
			"New deals %s in Salesforce (StageName '%s' and a close date %lld days ahead "
			"when missing); new Opportunities %s in HubSpot.\n"
			"The deal's primary company follows Opportunity.AccountId; the deal's contacts "
			"follow its contact roles (OpportunityContactRole), added and removed on either "
			"side; contacts with a role move HubSpot lifecycle stages: open -> opportunity, "
			"Closed Won -> customer, never backwards.\n"
			"Deletes are never synced.",
			pipes, ctx->pipelines[0], ctx->won_stage, ctx->lost_stage,
			ctx->create_opportunities ? "create Opportunities" : "are not created",
			ctx->open_stage_salesforce, (long long)ctx->close_days,
			ctx->create_deals ? "create deals" : "are not created");
}

static int deal_plugin_init(const struct crmsync_host *h)
{
	if (!h || h->abi_major != CRMSYNC_ABI_MAJOR || h->abi_minor < 3)
		return -EINVAL;
	host = h;
	return 0;
}

static const char *const sf_objects[] = { "Opportunity", NULL };
static const char *const hs_properties[] = { "pipeline", "dealstage", NULL };
static const char *const sf_fields[] = { "StageName", "IsClosed", "IsWon", NULL };
static const char *const deps[] = { "company", "contact", NULL };

/* Opportunity.AccountId <-> the deal's primary company (deal -> company
 * 341, primary 5); a deal whose company has not synced waits for it. */
static const struct crmsync_link to_company = {
	.size = sizeof(struct crmsync_link),
	.flags = CRMSYNC_LINK_WAIT,
	.name = "company",
	.target = "company",
	.salesforce_object = "Opportunity",
	.salesforce_field = "AccountId",
	.target_salesforce_object = "Account",
	.target_hubspot_object = "companies",
	.association_type = 341,
	.primary_type = 5,
};
/* Contact roles: OpportunityContactRole rows <-> the deal's contacts
 * (deal -> contact, 3), as a set; only contacts synced as Salesforce
 * Contacts can hold a role. */
static const struct crmsync_link roles = {
	.size = sizeof(struct crmsync_link),
	.flags = CRMSYNC_LINK_JUNCTION,
	.name = "contacts",
	.target = "contact",
	.salesforce_object = "OpportunityContactRole",
	.salesforce_field = "ContactId",
	.target_salesforce_object = "Contact",
	.target_hubspot_object = "contacts",
	.association_type = 3,
	.junction_key = "OpportunityId",
};
static const struct crmsync_link *const links[] = { &to_company, &roles, NULL };

/* A role added or removed in Salesforce brings its Opportunity into the
 * cycle. */
static const char *const role_fields[] = { "ContactId", NULL };
static const struct crmsync_related role_rows = {
	.size = sizeof(struct crmsync_related),
	.name = "roles",
	.parent = "Opportunity",
	.object = "OpportunityContactRole",
	.key = "OpportunityId",
	.fields = role_fields,
};
static const struct crmsync_related *const related[] = { &role_rows, NULL };

static const struct crmsync_object_ops deal_ops = {
	.size = sizeof(struct crmsync_object_ops),
	.ctx_size = sizeof(struct deal_ctx),
	.options = deal_options,
	.init = deal_init,
	.hubspot_object = "deals",
	.salesforce_objects = sf_objects,
	.hubspot_properties = hs_properties,
	.salesforce_fields = sf_fields,
	.depends_on = deps,
	.default_mapping = "deal.yaml",
	.accept = deal_accept,
	.transform = deal_transform,
	.salesforce_related = related,
	.links = links,
	.explain = deal_explain,
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER,
	"deal",
	DEAL_VERSION,
	"HubSpot deals <-> Salesforce Opportunities",
	deal_plugin_init,
	NULL,
	&deal_ops,
	NULL,
	NULL,
};
