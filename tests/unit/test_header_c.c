/*
 * test_header_c.c - <crmsync/plugin.h> alone, as strict C99: built with
 * -std=c99 -pedantic -Werror -Wall -Wextra and nothing included before it.
 * Running it checks that a descriptor written the documented way holds the
 * version fields first.
 */
#include <crmsync/plugin.h>

static const struct crmsync_option options[] = {
	{ "name", CRMSYNC_OPT_STRING, CRMSYNC_OPT_REQUIRED, NULL, 0, "a name", NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

/* designated initialisers: members a later minor adds stay zero, and no
 * -Wmissing-field-initializers warning breaks a -Werror build of the plugin */
static const struct crmsync_object_ops object_ops = {
	.size = sizeof(struct crmsync_object_ops),
	.ctx_size = sizeof(char *),
	.options = options,
	.hubspot_object = "contacts",
};

CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin;
CRMSYNC_EXPORT const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER, "hello", "1.0", "says hello", NULL, NULL, &object_ops, NULL, NULL
};

int main(void)
{
	const struct crmsync_plugin *p = &crmsync_plugin;

	if (p->magic != CRMSYNC_ABI_MAGIC || p->abi_major != CRMSYNC_ABI_MAJOR ||
	    p->abi_minor != CRMSYNC_ABI_MINOR || p->size != sizeof(struct crmsync_plugin) ||
	    p->object->options[0].flags != CRMSYNC_OPT_REQUIRED)
		return 1;
	return 0;
}
