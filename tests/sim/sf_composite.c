/* placeholder */
#include "config.h"

#include <stdio.h>
#include "sf.h"
void sf_composite_handle(struct sim_side *s, const struct sf_call *c, struct sf_out *o)
{
	(void)s; (void)c;
	snprintf(o->endpoint, sizeof(o->endpoint), "POST /composite");
	sf_out_err(o, 501, "NOT_IMPLEMENTED", "composite is not implemented yet");
}
