/*
 * crmsync-sim, Salesforce side: describe resources. /sobjects (describeGlobal)
 * and /sobjects/{Obj}/describe with the field metadata a real org returns
 * (type, length, picklistValues, restrictedPicklist, createable/updateable as
 * seen by the integration user, nillable, unique, externalId, referenceTo),
 * honouring If-Modified-Since (304).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sf.h"

static const char *sf_soap_type(enum sf_type t)
{
	switch (t) {
	case SF_T_ID: case SF_T_REFERENCE: return "tns:ID";
	case SF_T_BOOLEAN: return "xsd:boolean";
	case SF_T_INT: return "xsd:int";
	case SF_T_DOUBLE: case SF_T_CURRENCY: case SF_T_PERCENT: return "xsd:double";
	case SF_T_DATE: return "xsd:date";
	case SF_T_DATETIME: return "xsd:dateTime";
	default: return "xsd:string";
	}
}

static json_t *sf_field_describe(struct sf_object *o, const struct sf_field *f)
{
	bool cre = (f->flags & SF_F_CRE) && !(f->flags & SF_F_FLSRO) && (o->perms & SF_P_CREATE);
	bool upd = (f->flags & SF_F_UPD) && !(f->flags & SF_F_FLSRO) && (o->perms & SF_P_EDIT);
	bool text = sf_field_is_text(f);
	bool num = f->type == SF_T_DOUBLE || f->type == SF_T_CURRENCY || f->type == SF_T_PERCENT;
	json_t *pl = json_array(), *refs = json_array(), *d;
	bool nillable = (f->flags & SF_F_NIL) != 0 ||
			(f->type != SF_T_BOOLEAN && (f->flags & SF_F_CALC) != 0);

	for (size_t i = 0; i < f->npicklist; i++)
		json_array_append_new(pl, json_pack("{s:b, s:b, s:s, s:n, s:s}", "active", 1,
			"defaultValue", 0, "label", f->picklist[i], "validFor", "value", f->picklist[i]));
	if (f->refs) {
		const char *p = f->refs;
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			json_array_append_new(refs, json_stringn(p, len));
			p += len + (comma ? 1 : 0);
		}
	}
	if (f->type == SF_T_COMBOBOX && !f->npicklist)
		json_array_clear(pl);
	d = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i}",
		"name", f->name, "label", f->label, "type", sf_type_name(f->type),
		"soapType", sf_soap_type(f->type),
		"length", text || f->type == SF_T_ID || f->type == SF_T_REFERENCE ? f->length : 0,
		"byteLength", text || f->type == SF_T_ID || f->type == SF_T_REFERENCE ? f->length * 3 : 0,
		"digits", f->type == SF_T_INT ? 9 : 0,
		"precision", num ? 18 : 0, "scale", num ? 2 : 0);
	json_object_update_new(d, json_pack(
		"{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}",
		"nillable", nillable, "createable", cre, "updateable", upd,
		"defaultedOnCreate", (f->flags & SF_F_DEF) != 0, "unique", (f->flags & SF_F_UNQ) != 0,
		"externalId", (f->flags & SF_F_EXT) != 0, "idLookup", (f->flags & SF_F_IDL) != 0,
		"nameField", (f->flags & SF_F_NAME) != 0, "calculated", (f->flags & SF_F_CALC) != 0,
		"custom", (f->flags & SF_F_CUST) != 0,
		"restrictedPicklist", (f->flags & SF_F_RPL) != 0 && f->type == SF_T_PICKLIST,
		"caseSensitive", false, "autoNumber", false, "filterable", f->type != SF_T_TEXTAREA,
		"sortable", f->type != SF_T_TEXTAREA));
	json_object_update_new(d, json_pack(
		"{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}",
		"aggregatable", f->type != SF_T_TEXTAREA, "groupable", f->type != SF_T_TEXTAREA,
		"aiPredictionField", false, "deprecatedAndHidden", false,
		"permissionable", (f->flags & SF_F_NIL) && !(f->flags & SF_F_CALC),
		"polymorphicForeignKey", f->refs && strchr(f->refs, ','),
		"queryByDistance", false, "searchPrefilterable", false, "cascadeDelete", false,
		"dependentPicklist", false, "htmlFormatted", false, "encrypted", false,
		"restrictedDelete", false));
	json_object_set_new(d, "picklistValues", pl);
	json_object_set_new(d, "referenceTo", refs);
	json_object_set_new(d, "relationshipName", f->rel ? json_string(f->rel) : json_null());
	json_object_set_new(d, "controllerName", json_null());
	json_object_set_new(d, "defaultValue", json_null());
	json_object_set_new(d, "inlineHelpText", json_null());
	json_object_set_new(d, "extraTypeInfo", json_null());
	json_object_set_new(d, "compoundFieldName", json_null());
	return d;
}

static json_t *sf_object_flags(struct sf_object *o)
{
	json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b}",
		"name", o->name, "label", o->label, "labelPlural", o->plural, "keyPrefix", o->prefix,
		"createable", (o->perms & SF_P_CREATE) != 0, "updateable", (o->perms & SF_P_EDIT) != 0,
		"deletable", (o->perms & SF_P_DELETE) != 0);
	json_object_update_new(d, json_pack(
		"{s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}",
		"activateable", false, "custom", false, "customSetting", false,
		"deepCloneable", false, "deprecatedAndHidden", false, "feedEnabled", true,
		"hasSubtypes", false, "isInterface", false, "isSubtype", false, "layoutable", true,
		"mergeable", o->kind == SF_LEAD || o->kind == SF_CONTACT || o->kind == SF_ACCOUNT,
		"mruEnabled", true, "queryable", true, "replicateable", true, "retrieveable", true,
		"searchable", o->kind != SF_OCR, "undeletable", o->kind != SF_USER));
	json_object_update_new(d, json_pack("{s:b, s:b, s:b, s:b}", "triggerable", true, "idEnabled", true,
		"dataTranslationEnabled", false, "compactLayoutable", true));
	{
		char buf[128];
		json_t *urls = json_object();
		snprintf(buf, sizeof(buf), SF_BASE "/sobjects/%s", o->name);
		json_object_set_new(urls, "sobject", json_string(buf));
		snprintf(buf, sizeof(buf), SF_BASE "/sobjects/%s/describe", o->name);
		json_object_set_new(urls, "describe", json_string(buf));
		snprintf(buf, sizeof(buf), SF_BASE "/sobjects/%s/{ID}", o->name);
		json_object_set_new(urls, "rowTemplate", json_string(buf));
		json_object_set_new(d, "urls", urls);
	}
	return d;
}

json_t *sf_describe_json(struct sim_side *s, struct sf_object *o)
{
	json_t *d = sf_object_flags(o), *fields = json_array(), *children = json_array();

	for (size_t i = 0; i < o->nfields; i++)
		json_array_append_new(fields, sf_field_describe(o, &o->fields[i]));
	/* child relationships: every lookup elsewhere that points at this object */
	for (int k = 0; k < SF_NOBJ; k++) {
		struct sf_object *x = &s->objs[k];
		for (size_t i = 0; i < x->nfields; i++) {
			const struct sf_field *f = &x->fields[i];
			if (!f->refs || !strstr(f->refs, o->name) || (f->flags & SF_F_DEF))
				continue;
			json_array_append_new(children, json_pack("{s:b, s:s, s:b, s:s, s:n, s:b}",
				"cascadeDelete", x->kind == SF_OCR, "childSObject", x->name,
				"deprecatedAndHidden", 0, "field", f->name, "relationshipName",
				"restrictedDelete", 0));
		}
	}
	json_object_set_new(d, "fields", fields);
	json_object_set_new(d, "childRelationships", children);
	json_object_set_new(d, "recordTypeInfos", json_pack("[{s:b, s:b, s:b, s:s, s:b, s:s, s:s}]",
		"active", 1, "available", 1, "defaultRecordTypeMapping", 1, "developerName", "Master",
		"master", 1, "name", "Master", "recordTypeId", "012000000000000AAA"));
	json_object_set_new(d, "namedLayoutInfos", json_array());
	json_object_set_new(d, "supportedScopes", json_pack("[{s:s, s:s}]", "label", "All " "records",
							    "name", "everything"));
	json_object_set_new(d, "actionOverrides", json_array());
	return d;
}

/* RFC 1123 date (If-Modified-Since) to ms; -1 if not understood. */
static int64_t sf_http_date(const char *v)
{
	struct tm tm;
	char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S", &tm);
	if (!end)
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}

void sf_describe_handle(struct sim_side *s, const struct sf_call *c, struct sf_object *obj,
			struct sf_out *o)
{
	snprintf(o->endpoint, sizeof(o->endpoint), "GET /sobjects/{obj}/describe");
	if (strcmp(c->method, "GET") != 0) {
		sf_out_err(o, 405, "METHOD_NOT_ALLOWED", "HTTP Method '%s' not allowed. Allowed are GET",
			   c->method);
		return;
	}
	if (c->if_modified_since) {
		int64_t since = sf_http_date(c->if_modified_since);
		if (since >= 0 && obj->describe_ms / 1000 * 1000 <= since) {
			sf_out_json(o, 304, NULL);
			return;
		}
	}
	sf_out_json(o, 200, sf_describe_json(s, obj));
}

void sf_describe_global(struct sim_side *s, struct sf_out *o)
{
	json_t *list = json_array();

	for (int i = 0; i < SF_NOBJ; i++)
		json_array_append_new(list, sf_object_flags(&s->objs[i]));
	sf_out_json(o, 200, json_pack("{s:s, s:i, s:o}", "encoding", "UTF-8", "maxBatchSize", 200,
				      "sobjects", list));
}
