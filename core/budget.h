/*
 * budget.h - the Salesforce API budget: every call is counted in a rolling
 * 24 h ledger and checked against the admin's allocation before it is sent;
 * the org's own figures come from /limits and the Sforce-Limit-Info header.
 */
#ifndef CRMSYNC_BUDGET_H
#define CRMSYNC_BUDGET_H

struct budget;

/* Ask for `calls` API calls now. 0: go ahead (they are counted). -EDQUOT:
 * the allocation is spent; *wait_ms says when the window frees a call. */
int budget_take(struct budget *b, int calls, long *wait_ms);
/* What Salesforce reported: api-usage=used/max. */
void budget_observe(struct budget *b, long used, long max);

#endif
