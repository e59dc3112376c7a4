/*
 * HubSpot side of crmsync-sim: metadata APIs — Properties
 * (/crm/v3/properties/{objectType}), deal pipelines (/crm/v3/pipelines/deals)
 * and owners (/crm/v3/owners). Definitions live in hs_props.c; this file
 * only serves and edits them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hs.h"

static const char meta_ts[] = "2019-08-06T02:43:14.491Z";

static void split2(const char *rest, char *a, size_t alen, char *b, size_t blen)
{
	const char *slash = strchr(rest, '/');
	size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

	if (n >= alen)
		n = alen - 1;
	memcpy(a, rest, n);
	a[n] = '\0';
	snprintf(b, blen, "%s", slash ? slash + 1 : "");
}

static const char *const valid_types[] = {
	"string", "number", "date", "datetime", "enumeration", "bool", NULL,
};
static const char *const valid_fields[] = {
	"text", "textarea", "html", "number", "select", "radio", "checkbox", "booleancheckbox",
	"date", "file", "phonenumber", "calculation_equation", NULL,
};

static bool in_list(const char *v, const char *const *list)
{
	for (; v && *list; list++)
		if (!strcmp(v, *list))
			return true;
	return false;
}

/* Create one custom property from a PropertyCreate body; 0 or an error body. */
static int prop_create(struct hs_objtype *ot, json_t *in, json_t **out, int *status)
{
	const char *name = json_string_value(json_object_get(in, "name"));
	const char *label = json_string_value(json_object_get(in, "label"));
	const char *type = json_string_value(json_object_get(in, "type"));
	const char *field = json_string_value(json_object_get(in, "fieldType"));
	const char *group = json_string_value(json_object_get(in, "groupName"));
	json_t *opts = json_object_get(in, "options"), *def;

	*status = 400;
	if (!name || !label || !type || !field || !group) {
		*out = hs_err_body("VALIDATION_ERROR",
				   "Invalid input JSON on line 1: name, label, type, fieldType and groupName are required");
		return -EINVAL;
	}
	if (!in_list(type, valid_types) || !in_list(field, valid_fields)) {
		*out = hs_err_body("VALIDATION_ERROR", "Invalid type '%s' or fieldType '%s'", type, field);
		return -EINVAL;
	}
	if (!strcmp(type, "enumeration") && !json_is_array(opts)) {
		*out = hs_err_body("VALIDATION_ERROR", "Enumeration properties need options");
		return -EINVAL;
	}
	if (json_object_get(ot->propdefs, name)) {
		*status = 409;
		*out = hs_err_body("OBJECT_ALREADY_EXISTS", "Property named '%s' already exists.", name);
		return -EEXIST;
	}
	def = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:i,s:b,s:b,s:b,s:b,s:b,s:b,s:b,"
			"s:{s:b,s:b,s:b},s:s,s:s}",
		"name", name, "label", label, "type", type, "fieldType", field,
		"description", json_string_value(json_object_get(in, "description")) ?
			json_string_value(json_object_get(in, "description")) : "",
		"groupName", group, "options", json_is_array(opts) ? opts : json_array(),
		"displayOrder", -1, "calculated", 0, "externalOptions", 0,
		"hasUniqueValue", json_is_true(json_object_get(in, "hasUniqueValue")),
		"hidden", json_is_true(json_object_get(in, "hidden")), "hubspotDefined", 0,
		"formField", json_is_true(json_object_get(in, "formField")), "archived", 0,
		"modificationMetadata", "archivable", 1, "readOnlyDefinition", 0, "readOnlyValue", 0,
		"createdAt", meta_ts, "updatedAt", meta_ts);
	if (!json_is_array(opts))
		json_decref(json_object_get(def, "options")); /* the fresh array was O-packed */
	json_object_set(ot->propdefs, name, def);
	*out = def;
	*status = 201;
	return 0;
}

void hs_props_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		  struct sim_resp *resp)
{
	char obj[64], name[128];
	struct hs_objtype *ot;
	json_t *body = NULL, *def;

	split2(rest, obj, sizeof(obj), name, sizeof(name));
	ot = hs_type_find(s, obj);
	hs_label(resp, req, "/crm/v3/properties/{objectType}%s",
		 !name[0] ? "" : !strncmp(name, "batch/", 6) ? "/batch" :
		 !strncmp(name, "groups", 6) ? "/groups" : "/{propertyName}");
	if (!ot) {
		hs_error(resp, 400, "VALIDATION_ERROR", "Unable to infer object type from: %s", obj);
		return;
	}
	if (!strcmp(name, "groups") && !strcmp(req->method, "GET")) {
		json_t *seen = json_object(), *res = json_array();
		const char *k;

		json_object_foreach(ot->propdefs, k, def) {
			const char *g = json_string_value(json_object_get(def, "groupName"));

			if (g && !json_object_get(seen, g)) {
				json_object_set_new(seen, g, json_true());
				json_array_append_new(res, json_pack("{s:s,s:s,s:i,s:b}", "name", g,
					"label", g, "displayOrder", -1, "archived", 0));
			}
		}
		json_decref(seen);
		sim_resp_json(resp, 200, json_pack("{s:o}", "results", res));
		return;
	}
	if (!name[0] && !strcmp(req->method, "GET")) {
		json_t *res = json_array();
		const char *k;

		if (strcmp(sim_req_arg(req, "archived") ? sim_req_arg(req, "archived") : "", "true"))
			json_object_foreach(ot->propdefs, k, def)
				json_array_append(res, def);
		sim_resp_json(resp, 200, json_pack("{s:o}", "results", res));
		return;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "DELETE")) {
		body = hs_parse_body(req, resp);
		if (!body)
			return;
	}
	if (!name[0] && !strcmp(req->method, "POST")) {
		json_t *out;
		int status;

		prop_create(ot, body, &out, &status);
		sim_resp_json(resp, status, out);
	} else if (!strcmp(name, "batch/read") && !strcmp(req->method, "POST")) {
		json_t *res = json_array(), *in;
		size_t i;

		json_array_foreach(json_object_get(body, "inputs"), i, in) {
			def = json_object_get(ot->propdefs, json_string_value(json_object_get(in, "name")) ?
					      json_string_value(json_object_get(in, "name")) : "");
			if (def)
				json_array_append(res, def);
		}
		sim_resp_json(resp, 200, json_pack("{s:s,s:o,s:s,s:s}", "status", "COMPLETE",
			"results", res, "startedAt", meta_ts, "completedAt", meta_ts));
	} else if (!strcmp(name, "batch/create") && !strcmp(req->method, "POST")) {
		json_t *res = json_array(), *in, *out;
		size_t i;
		int status;

		json_array_foreach(json_object_get(body, "inputs"), i, in) {
			if (prop_create(ot, in, &out, &status)) {
				json_decref(res);
				sim_resp_json(resp, status, out);
				goto out_body;
			}
			json_array_append_new(res, out);
		}
		sim_resp_json(resp, 201, json_pack("{s:s,s:o,s:s,s:s}", "status", "COMPLETE",
			"results", res, "startedAt", meta_ts, "completedAt", meta_ts));
	} else if (name[0] && strncmp(name, "batch/", 6)) {
		def = json_object_get(ot->propdefs, name);
		if (!def) {
			hs_error(resp, 404, "OBJECT_NOT_FOUND",
				 "Unable to find property with name '%s' on object type %s", name, ot->type_id);
		} else if (!strcmp(req->method, "GET")) {
			sim_resp_json(resp, 200, json_incref(def));
		} else if (!strcmp(req->method, "DELETE")) {
			if (json_is_true(json_object_get(def, "hubspotDefined")))
				hs_error(resp, 400, "VALIDATION_ERROR",
					 "Property '%s' is a HubSpot-defined property and cannot be archived", name);
			else {
				json_object_del(ot->propdefs, name);
				sim_resp_json(resp, 204, NULL);
			}
		} else if (!strcmp(req->method, "PATCH")) {
			static const char *const editable[] = {
				"label", "description", "options", "hidden", "displayOrder",
				"groupName", "formField", NULL,
			};
			for (int i = 0; editable[i]; i++)
				if (json_object_get(body, editable[i]))
					json_object_set(def, editable[i], json_object_get(body, editable[i]));
			sim_resp_json(resp, 200, json_incref(def));
		} else {
			hs_error(resp, 405, "VALIDATION_ERROR", "Method %s not allowed", req->method);
		}
	} else {
		hs_error(resp, 404, "OBJECT_NOT_FOUND", "Unknown properties endpoint");
	}
out_body:
	json_decref(body);
}

/* ---- pipelines and owners -------------------------------------------------- */

static json_t *make_pipelines(void)
{
	static const struct { const char *id, *label, *prob; int closed; } st[] = {
		{"appointmentscheduled", "Appointment Scheduled", "0.2", 0},
		{"qualifiedtobuy", "Qualified To Buy", "0.4", 0},
		{"presentationscheduled", "Presentation Scheduled", "0.6", 0},
		{"decisionmakerboughtin", "Decision Maker Bought-In", "0.8", 0},
		{"contractsent", "Contract Sent", "0.9", 0},
		{"closedwon", "Closed Won", "1.0", 1},
		{"closedlost", "Closed Lost", "0.0", 1},
	};
	json_t *stages = json_array();

	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		json_array_append_new(stages, json_pack(
			"{s:s,s:s,s:i,s:{s:s,s:s},s:s,s:s,s:b,s:s}", "id", st[i].id, "label", st[i].label,
			"displayOrder", (int)i, "metadata", "isClosed", st[i].closed ? "true" : "false",
			"probability", st[i].prob, "createdAt", meta_ts, "updatedAt", meta_ts,
			"archived", 0, "writePermissions", "CRM_PERMISSIONS_ENFORCEMENT"));
	return json_pack("[{s:s,s:s,s:i,s:o,s:s,s:s,s:b}]", "id", "default", "label",
			 "Sales Pipeline", "displayOrder", 0, "stages", stages, "createdAt", meta_ts,
			 "updatedAt", meta_ts, "archived", 0);
}

static json_t *make_owners(void)
{
	static const char *const who[][3] = {
		{"Alex", "Morgan", "alex.morgan@crmsync-demo.example"},
		{"Yuki", "Tanaka", "yuki.tanaka@crmsync-demo.example"},
		{"Chloé", "Dubois", "chloe.dubois@crmsync-demo.example"},
		{"Sam", "O'Neill", "sam.oneill@crmsync-demo.example"},
		{"Priya", "Raman", "priya.raman@crmsync-demo.example"},
	};
	json_t *arr = json_array();

	for (int i = 0; i < 5; i++) {
		char id[16];

		snprintf(id, sizeof(id), "%d", 80000001 + i);
		json_array_append_new(arr, json_pack(
			"{s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:b,s:[{s:s,s:s,s:b}]}", "id", id,
			"email", who[i][2], "firstName", who[i][0], "lastName", who[i][1],
			"userId", 9100001 + i, "createdAt", meta_ts, "updatedAt", meta_ts, "archived", 0,
			"teams", "id", "4001", "name", "Sales", "primary", 1));
	}
	return arr;
}

void hs_meta_init(struct sim_side *s)
{
	s->pipelines = make_pipelines();
	s->owners = make_owners();
}

void hs_pipelines_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		      struct sim_resp *resp)
{
	char obj[64], id[96];
	size_t i;
	json_t *p;

	split2(rest, obj, sizeof(obj), id, sizeof(id));
	hs_label(resp, req, "/crm/v3/pipelines/{objectType}%s", id[0] ? "/{pipelineId}" : "");
	if (strcmp(req->method, "GET")) {
		hs_error(resp, 405, "VALIDATION_ERROR", "Pipelines are read-only in the simulator");
		return;
	}
	if (strcmp(obj, "deals") && strcmp(obj, "0-3")) {
		hs_error(resp, 400, "VALIDATION_ERROR", "Object type %s does not have pipelines", obj);
		return;
	}
	if (!id[0]) {
		sim_resp_json(resp, 200, json_pack("{s:O}", "results", s->pipelines));
		return;
	}
	if (strchr(id, '/')) {
		char pid[48], tail[48];

		split2(id, pid, sizeof(pid), tail, sizeof(tail));
		json_array_foreach(s->pipelines, i, p)
			if (!strcmp(pid, json_string_value(json_object_get(p, "id"))) && !strcmp(tail, "stages")) {
				sim_resp_json(resp, 200, json_pack("{s:O}", "results", json_object_get(p, "stages")));
				return;
			}
	} else {
		json_array_foreach(s->pipelines, i, p)
			if (!strcmp(id, json_string_value(json_object_get(p, "id")))) {
				sim_resp_json(resp, 200, json_incref(p));
				return;
			}
	}
	hs_error(resp, 404, "OBJECT_NOT_FOUND", "Unable to find pipeline %s", id);
}

void hs_owners_api(struct sim_side *s, const struct sim_req *req, const char *rest,
		   struct sim_resp *resp)
{
	size_t i;
	json_t *o;

	hs_label(resp, req, "/crm/v3/owners%s", rest[0] ? "/{ownerId}" : "/");
	if (!rest[0]) {
		const char *email = sim_req_arg(req, "email");
		json_t *res = json_array();

		json_array_foreach(s->owners, i, o)
			if (!email || !strcasecmp(email, json_string_value(json_object_get(o, "email"))))
				json_array_append(res, o);
		sim_resp_json(resp, 200, json_pack("{s:o}", "results", res));
		return;
	}
	json_array_foreach(s->owners, i, o)
		if (!strcmp(rest, json_string_value(json_object_get(o, "id")))) {
			sim_resp_json(resp, 200, json_incref(o));
			return;
		}
	hs_error(resp, 404, "OBJECT_NOT_FOUND", "Owner %s not found", rest);
}
