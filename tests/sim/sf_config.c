/*
 * crmsync-sim, Salesforce side: the org configuration (custom fields,
 * permissions, duplicate/validation rules, flows). The built-in default is the
 * same document as tests/sim/schema.example.json without its "_doc" (a test
 * checks they agree); a schema file and PATCH /__admin/config merge over it.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "sf.h"

static const char sf_default_config[] =
	"{\"state_country_picklists\":true,\"custom_fields\":{\"Contact\":[{\"name\":\"HubSpot_Id__c\",\"label"
	"\":\"HubSpot ID\",\"type\":\"string\",\"length\":64,\"externalId\":true,\"unique\":true},{\"name\":\"Level"
	"__c\",\"label\":\"Level\",\"type\":\"picklist\",\"picklist\":[\"Primary\",\"Secondary\",\"Tertiary\"]},{\"na"
	"me\":\"Languages__c\",\"label\":\"Languages\",\"type\":\"string\",\"length\":100}],\"Lead\":[{\"name\":\"Hub"
	"Spot_Id__c\",\"label\":\"HubSpot ID\",\"type\":\"string\",\"length\":64,\"externalId\":true,\"unique\":tr"
	"ue},{\"name\":\"ProductInterest__c\",\"label\":\"Product Interest\",\"type\":\"picklist\",\"picklist\":["
	"\"GC1000 series\",\"GC5000 series\",\"GC3000 series\"],\"restricted\":true}],\"Account\":[{\"name\":\"H"
	"ubSpot_Id__c\",\"label\":\"HubSpot ID\",\"type\":\"string\",\"length\":64,\"externalId\":true,\"unique\":"
	"true},{\"name\":\"CustomerPriority__c\",\"label\":\"Customer Priority\",\"type\":\"picklist\",\"picklis"
	"t\":[\"High\",\"Low\",\"Medium\"]}],\"Opportunity\":[{\"name\":\"HubSpot_Id__c\",\"label\":\"HubSpot ID\",\""
	"type\":\"string\",\"length\":64,\"externalId\":true,\"unique\":true}],\"Task\":[{\"name\":\"HubSpot_Id__"
	"c\",\"label\":\"HubSpot ID\",\"type\":\"string\",\"length\":64,\"externalId\":true,\"unique\":true}]},\"pi"
	"cklists\":{\"Lead.Rating\":{\"restricted\":true}},\"field_permissions\":{\"Lead\":{\"Rating\":\"read\"}"
	",\"Account\":{\"Rating\":\"read\"},\"Contact\":{\"Level__c\":\"read\"}},\"object_permissions\":{\"User\":\""
	"read\"},\"duplicate_rules\":[{\"name\":\"Standard_Contact_Duplicate_Rule\",\"object\":\"Contact\",\"fi"
	"eld\":\"Email\",\"match\":[\"Contact\"],\"active\":true,\"allowSave\":true,\"message\":\"Use one of thes"
	"e records?\"},{\"name\":\"Standard_Lead_Duplicate_Rule\",\"object\":\"Lead\",\"field\":\"Email\",\"match"
	"\":[\"Lead\",\"Contact\"],\"active\":true,\"allowSave\":true,\"message\":\"Use one of these records?\"}"
	"],\"validation_rules\":[{\"name\":\"Phone_Must_Have_Digits\",\"object\":\"Contact\",\"active\":true,\"f"
	"ield\":\"Phone\",\"op\":\"not_matches\",\"value\":\"[0-9]\",\"message\":\"Enter a phone number with digi"
	"ts.\",\"errorField\":\"Phone\"},{\"name\":\"Phone_Must_Have_Digits\",\"object\":\"Lead\",\"active\":true,"
	"\"field\":\"Phone\",\"op\":\"not_matches\",\"value\":\"[0-9]\",\"message\":\"Enter a phone number with di"
	"gits.\",\"errorField\":\"Phone\"},{\"name\":\"Postal_Code_Format\",\"object\":\"Contact\",\"active\":true"
	",\"field\":\"MailingPostalCode\",\"op\":\"not_matches\",\"value\":\"^[A-Za-z0-9 -]+$\",\"message\":\"Zip/"
	"Postal Code may only contain letters, digits, spaces and hyphens.\",\"errorField\":\"MailingPo"
	"stalCode\"},{\"name\":\"Postal_Code_Format\",\"object\":\"Lead\",\"active\":true,\"field\":\"PostalCode\""
	",\"op\":\"not_matches\",\"value\":\"^[A-Za-z0-9 -]+$\",\"message\":\"Zip/Postal Code may only contain"
	" letters, digits, spaces and hyphens.\",\"errorField\":\"PostalCode\"},{\"name\":\"Description_No_"
	"Invalid_Marker\",\"object\":\"Opportunity\",\"active\":true,\"field\":\"Description\",\"op\":\"contains\""
	",\"value\":\"#invalid\",\"message\":\"Description may not contain #invalid.\",\"errorField\":\"Descri"
	"ption\"}],\"flows\":[{\"name\":\"Lead_Routing_Flow\",\"object\":\"Lead\",\"active\":true,\"field\":\"Descr"
	"iption\",\"op\":\"contains\",\"value\":\"#flowfail\"},{\"name\":\"Lead_Routing_Flow\",\"object\":\"Lead\",\""
	"active\":true,\"field\":\"Email\",\"op\":\"in\",\"values\":[]},{\"name\":\"Contact_Enrichment_Flow\",\"obj"
	"ect\":\"Contact\",\"active\":true,\"field\":\"Description\",\"op\":\"contains\",\"value\":\"#flowfail\"},{\""
	"name\":\"Contact_Enrichment_Flow\",\"object\":\"Contact\",\"active\":true,\"field\":\"Email\",\"op\":\"in\""
	",\"values\":[]}]}";

json_t *sf_config_default(void)
{
	return json_loads(sf_default_config, 0, NULL);
}

/* Merge src into dst: objects key by key (recursively), anything else replaces. */
int sf_config_merge(json_t *dst, json_t *src)
{
	const char *key;
	json_t *v;

	if (!json_is_object(dst) || !json_is_object(src))
		return -EINVAL;
	json_object_foreach(src, key, v) {
		json_t *cur = json_object_get(dst, key);
		if (json_is_object(cur) && json_is_object(v)) {
			if (sf_config_merge(cur, v) < 0)
				return -EINVAL;
		} else if (json_object_set(dst, key, v) < 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

json_t *sf_config_get(struct sim_side *s, const char *key)
{
	return json_object_get(s->config, key);
}
