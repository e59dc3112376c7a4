/*
 * crmsync-sim, Salesforce side: the parsed form of a SOQL query, shared by the
 * parser (sf_soql.c) and the evaluator (sf_soql_eval.c) only.
 */
#ifndef CRMSYNC_SIM_SF_SOQL_H
#define CRMSYNC_SIM_SF_SOQL_H

#include "sf.h"

struct soql_path {
	char *text;
	const struct sf_field *f;   /* field on the queried object (or the lookup) */
	const struct sf_field *pf;  /* parent field when f is a relationship */
};

enum val_kind { V_NULL, V_STR, V_NUM, V_BOOL, V_DT, V_DATE };

struct soql_val {
	enum val_kind kind;
	char *s;
	double num;
	bool b;
	int64_t ms;
};

enum cond_kind { C_AND, C_OR, C_NOT, C_CMP, C_IN, C_NIN, C_LIKE };
enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

struct soql_cond {
	enum cond_kind kind;
	enum cmp_op op;
	struct soql_path path;
	struct soql_val *vals;
	size_t nvals;
	struct soql_cond *a, *b;
};

struct soql_order {
	struct soql_path path;
	bool desc, nulls_last;
};

struct soql_query {
	struct sf_object *obj;
	bool count;
	struct soql_path *sel;
	size_t nsel;
	const char **cols;
	struct soql_cond *where;
	struct soql_order *ord;
	size_t nord;
	long limit, offset;
};

#endif
