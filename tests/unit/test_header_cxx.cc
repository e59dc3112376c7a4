/*
 * test_header_cxx.cc - <crmsync/plugin.h> alone, as C++11: built with
 * -std=c++11 -pedantic -Werror -Wall -Wextra. A plugin written in C++ must
 * see the same declarations, with C linkage, as one written in C.
 */
#include <crmsync/plugin.h>

#include <cstddef>

namespace {

int object_init(struct crmsync_instance *, void *)
{
	return 0;
}

const char *const sf_objects[] = { "Lead", "Contact", NULL };

const struct crmsync_option options[] = {
	{ "mode", CRMSYNC_OPT_STRING, 0, "safe", 0, "how careful to be", NULL, 0, 0 },
	{ NULL, 0, 0, NULL, 0, NULL, NULL, 0, 0 }
};

/* C++11 has no designated initialisers: start from a value-initialised
 * struct so members a later minor adds stay zero */
struct crmsync_object_ops make_object_ops()
{
	struct crmsync_object_ops o = {};

	o.size = sizeof(struct crmsync_object_ops);
	o.ctx_size = sizeof(char *);
	o.options = options;
	o.init = object_init;
	o.hubspot_object = "contacts";
	o.salesforce_objects = sf_objects;
	return o;
}

const struct crmsync_object_ops object_ops = make_object_ops();

} // namespace

/* In C++ a const object at namespace scope has internal linkage: the
 * descriptor needs `extern` (and C linkage) to be exported. */
extern "C" {
CRMSYNC_EXPORT extern const struct crmsync_plugin crmsync_plugin = {
	CRMSYNC_PLUGIN_HEADER, "cxx", "1.0", "written in C++", NULL, NULL, &object_ops, NULL, NULL
};
}

static_assert(offsetof(struct crmsync_plugin, magic) == 0, "magic comes first");
static_assert(offsetof(struct crmsync_plugin, abi_major) == 4, "then the major");
static_assert(offsetof(struct crmsync_plugin, abi_minor) == 6, "then the minor");

int main()
{
	const struct crmsync_plugin *p = &crmsync_plugin;

	if (p->magic != CRMSYNC_ABI_MAGIC || p->abi_major != CRMSYNC_ABI_MAJOR ||
	    p->object->init(NULL, NULL) != 0 || p->object->salesforce_objects[1] == NULL)
		return 1;
	return 0;
}
