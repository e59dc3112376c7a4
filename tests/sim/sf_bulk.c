/* placeholder */
#include "config.h"

#include <stdio.h>
#include "sf.h"
void sf_bulk_handle(struct sim_side *s, const struct sf_call *c, const char *rest, struct sf_out *o)
{
	(void)s; (void)c; (void)rest;
	snprintf(o->endpoint, sizeof(o->endpoint), "%s /jobs", c->method);
	sf_out_err(o, 501, "NOT_IMPLEMENTED", "bulk is not implemented yet");
}
void sf_bulk_free(struct sim_side *s)
{
	(void)s;
}
