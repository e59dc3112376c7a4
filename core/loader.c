/*
 * loader.c - finds, checks and opens plugins; the only file that knows
 * libltdl. A plugin is loaded only when the config names it, only from
 * plugin_dir, and only after the file and its descriptor pass every check
 * below; each refusal says what is wrong and how to fix it. Must not run
 * anything in a plugin before its descriptor has been checked.
 */
#include "config.h"

#include <errno.h>
#include <ltdl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "log.h"

/* The sizes of the 1.0 structs: anything smaller is not a 1.x plugin. */
#define DESC_MIN_SIZE (offsetof(struct crmsync_plugin, notifier) + sizeof(void *))
#define OBJECT_MIN_SIZE (offsetof(struct crmsync_object_ops, transform) + sizeof(void *))
#define RESOLVER_MIN_SIZE (offsetof(struct crmsync_resolver_ops, classify) + sizeof(void *))
#define NOTIFIER_MIN_SIZE (offsetof(struct crmsync_notifier_ops, deliver) + sizeof(void *))

const char *kind_name(enum component_kind kind)
{
	switch (kind) {
	case KIND_OBJECT:
		return "object";
	case KIND_RESOLVER:
		return "resolver";
	case KIND_NOTIFIER:
		return "notifier";
	}
	return "?";
}

void loader_init(struct loader *ld, const char *plugin_dir)
{
	memset(ld, 0, sizeof(*ld));
	ld->plugin_dir = xstrdup(plugin_dir);
	ld->daemon_uid = geteuid();
}

static int check_owner_mode(const struct loader *ld, const char *what, const char *path,
			    const struct stat *st, struct errlist *errs)
{
	if (st->st_mode & S_IWOTH) {
		errlist_add(errs, "refusing %s '%s': it is world-writable; fix with 'chmod o-w %s'",
			    what, path, path);
		return -EPERM;
	}
	if (st->st_uid != 0 && st->st_uid != ld->daemon_uid) {
		errlist_add(errs,
			    "refusing %s '%s': it is owned by uid %u, not by root or the daemon's user "
			    "(uid %u); fix with 'chown root %s'",
			    what, path, (unsigned)st->st_uid, (unsigned)ld->daemon_uid, path);
		return -EPERM;
	}
	return 0;
}

/* Copy min(src_size, dst_size) bytes into a zeroed dst. */
static void copy_sized(void *dst, size_t dst_size, const void *src, size_t src_size)
{
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
}

static int check_descriptor(const char *path, const struct crmsync_plugin *d, struct errlist *errs)
{
	if (d->magic != CRMSYNC_ABI_MAGIC) {
		errlist_add(errs,
			    "refusing plugin '%s': its descriptor '%s' has magic 0x%08x, not 0x%08x; "
			    "it is not a crmsync plugin, or is corrupt: rebuild it against "
			    "<crmsync/plugin.h>",
			    path, CRMSYNC_PLUGIN_SYMBOL, (unsigned)d->magic, CRMSYNC_ABI_MAGIC);
		return -EPROTO;
	}
	if (d->abi_major != CRMSYNC_ABI_MAJOR) {
		errlist_add(errs,
			    "refusing plugin '%s': it was built for ABI %u.%u, crmsyncd provides %u.%u: "
			    "rebuild it against this crmsync's header (pkg-config crmsync-plugin)",
			    path, d->abi_major, d->abi_minor, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR);
		return -EPROTO;
	}
	if (d->abi_minor > CRMSYNC_ABI_MINOR) {
		errlist_add(errs,
			    "refusing plugin '%s': it was built for ABI %u.%u, crmsyncd provides %u.%u: "
			    "upgrade crmsync to one providing ABI >= %u.%u, or rebuild the plugin "
			    "against this crmsync's header",
			    path, d->abi_major, d->abi_minor, CRMSYNC_ABI_MAJOR, CRMSYNC_ABI_MINOR,
			    d->abi_major, d->abi_minor);
		return -EPROTO;
	}
	if (d->size < DESC_MIN_SIZE) {
		errlist_add(errs,
			    "refusing plugin '%s': its descriptor is %u bytes, ABI %u.%u needs at least "
			    "%zu: rebuild it against this crmsync's header",
			    path, (unsigned)d->size, d->abi_major, d->abi_minor, (size_t)DESC_MIN_SIZE);
		return -EPROTO;
	}
	return 0;
}

static int take_components(struct plugin *p, const struct crmsync_plugin *d, struct errlist *errs)
{
	if (!d->name || !name_is_valid(d->name)) {
		errlist_add(errs,
			    "refusing plugin '%s': its descriptor's name is missing or not made of "
			    "[a-z0-9_-]: fix the plugin's source",
			    p->path);
		return -EINVAL;
	}
	if (d->object) {
		if (d->object->size < OBJECT_MIN_SIZE)
			goto out_small;
		copy_sized(&p->object, sizeof(p->object), d->object, d->object->size);
		p->has_object = 1;
	}
	if (d->resolver) {
		if (d->resolver->size < RESOLVER_MIN_SIZE)
			goto out_small;
		copy_sized(&p->resolver, sizeof(p->resolver), d->resolver, d->resolver->size);
		p->has_resolver = 1;
	}
	if (d->notifier) {
		if (d->notifier->size < NOTIFIER_MIN_SIZE)
			goto out_small;
		copy_sized(&p->notifier, sizeof(p->notifier), d->notifier, d->notifier->size);
		p->has_notifier = 1;
	}
	if (!p->has_object && !p->has_resolver && !p->has_notifier) {
		errlist_add(errs,
			    "refusing plugin '%s': it offers no object, resolver or notifier component",
			    p->path);
		return -EINVAL;
	}
	return 0;

out_small:
	errlist_add(errs,
		    "refusing plugin '%s': an ops table is smaller than ABI 1.0 allows (its size "
		    "field is wrong): rebuild it against this crmsync's header",
		    p->path);
	return -EPROTO;
}

static int open_plugin(struct loader *ld, struct plugin *p, struct errlist *errs)
{
	lt_dladvise advise;
	lt_dlhandle h;
	const struct crmsync_plugin *d;
	int err;

	if (!ld->dl_ready) {
		if (lt_dlinit() != 0) {
			errlist_add(errs, "cannot initialise libltdl: %s", lt_dlerror());
			return -EIO;
		}
		ld->dl_ready = 1;
	}
	/* local symbols: a plugin's symbols never satisfy another plugin's */
	if (lt_dladvise_init(&advise) || lt_dladvise_local(&advise)) {
		errlist_add(errs, "cannot set up libltdl: %s", lt_dlerror());
		return -EIO;
	}
	h = lt_dlopenadvise(p->path, advise);
	lt_dladvise_destroy(&advise);
	if (!h) {
		errlist_add(errs, "cannot open plugin '%s': %s", p->path, lt_dlerror());
		return -ENOEXEC;
	}
	d = lt_dlsym(h, CRMSYNC_PLUGIN_SYMBOL);
	if (!d) {
		errlist_add(errs,
			    "refusing plugin '%s': it does not export '%s'; define it with "
			    "CRMSYNC_EXPORT const struct crmsync_plugin %s = { CRMSYNC_PLUGIN_HEADER, ... }",
			    p->path, CRMSYNC_PLUGIN_SYMBOL, CRMSYNC_PLUGIN_SYMBOL);
		err = -ENOENT;
		goto out_close;
	}
	err = check_descriptor(p->path, d, errs);
	if (err)
		goto out_close;
	copy_sized(&p->desc, sizeof(p->desc), d, d->size);
	err = take_components(p, d, errs);
	if (err)
		goto out_close;
	p->handle = h;
	return 0;

out_close:
	lt_dlclose(h);
	return err;
}

int loader_load(struct loader *ld, const char *name, struct plugin **out, struct errlist *errs)
{
	struct plugin *p;
	struct stat st;
	int err;

	*out = NULL;
	if (!name_is_valid(name)) {
		errlist_add(errs,
			    "refusing plugin name '%s': a plugin name is a file name in plugin_dir made of "
			    "[a-z0-9_-] (no '/', no '..'); set plugin = NAME",
			    name);
		return -EINVAL;
	}
	for (p = ld->plugins; p; p = p->next) {
		if (strcmp(p->file, name) == 0) {
			*out = p;
			return 0;
		}
	}
	if (ld->dir_error)
		return -EINVAL; /* already reported */
	if (ld->plugin_dir[0] != '/') {
		ld->dir_error = 1;
		errlist_add(errs, "plugin_dir '%s' is not an absolute path: set plugin_dir = /ABSOLUTE/PATH in [core]",
			    ld->plugin_dir);
		return -EINVAL;
	}
	if (stat(ld->plugin_dir, &st) < 0) {
		err = -errno;
		ld->dir_error = 1;
		errlist_add(errs, "cannot use plugin_dir '%s': %s", ld->plugin_dir, strerror(-err));
		return err;
	}
	err = check_owner_mode(ld, "plugin directory", ld->plugin_dir, &st, errs);
	if (err) {
		ld->dir_error = 1;
		return err;
	}

	p = xcalloc(1, sizeof(*p));
	p->file = xstrdup(name);
	p->path = xasprintf("%s/%s.so", ld->plugin_dir, name);
	if (stat(p->path, &st) < 0) {
		err = -errno;
		errlist_add(errs, "cannot find plugin '%s': '%s': %s; is it installed in plugin_dir?",
			    name, p->path, strerror(errno));
		goto out_free;
	}
	if (!S_ISREG(st.st_mode)) {
		errlist_add(errs,
			    "refusing plugin '%s': '%s' is not a regular file; install the plugin's .so "
			    "file there (a symlink to one is fine)",
			    name, p->path);
		err = -EINVAL;
		goto out_free;
	}
	err = check_owner_mode(ld, "plugin", p->path, &st, errs);
	if (err)
		goto out_free;
	err = open_plugin(ld, p, errs);
	if (err)
		goto out_free;
	for (struct plugin *q = ld->plugins; q; q = q->next) {
		if (strcmp(q->desc.name, p->desc.name) == 0) {
			errlist_add(errs,
				    "refusing plugin '%s': it calls itself '%s', like the plugin already "
				    "loaded from '%s'; rename one of them",
				    p->path, p->desc.name, q->path);
			err = -EEXIST;
			goto out_close;
		}
	}
	if (p->desc.init) {
		err = p->desc.init(&crmsync_host_table);
		if (err) {
			errlist_add(errs, "plugin '%s' failed to initialise: %s", p->path,
				    strerror(err < 0 ? -err : err));
			err = err < 0 ? err : -err;
			goto out_close;
		}
	}
	p->initialized = 1;
	{
		struct plugin **tail = &ld->plugins;

		while (*tail)
			tail = &(*tail)->next;
		*tail = p;
	}
	*out = p;
	return 0;

out_close:
	lt_dlclose(p->handle);
out_free:
	free(p->file);
	free(p->path);
	free(p);
	return err;
}

void loader_release(struct loader *ld)
{
	struct plugin *p = ld->plugins, *next;

	for (; p; p = next) {
		next = p->next;
		if (p->initialized && p->desc.fini)
			p->desc.fini();
		lt_dlclose(p->handle);
		free(p->file);
		free(p->path);
		free(p);
	}
	ld->plugins = NULL;
	if (ld->dl_ready)
		lt_dlexit();
	free(ld->plugin_dir);
	ld->plugin_dir = NULL;
}

int plugin_has(const struct plugin *p, enum component_kind kind)
{
	switch (kind) {
	case KIND_OBJECT:
		return p->has_object;
	case KIND_RESOLVER:
		return p->has_resolver;
	case KIND_NOTIFIER:
		return p->has_notifier;
	}
	return 0;
}

const struct crmsync_option *plugin_options(const struct plugin *p, enum component_kind kind)
{
	switch (kind) {
	case KIND_OBJECT:
		return p->object.options;
	case KIND_RESOLVER:
		return p->resolver.options;
	case KIND_NOTIFIER:
		return p->notifier.options;
	}
	return NULL;
}

size_t plugin_ctx_size(const struct plugin *p, enum component_kind kind)
{
	switch (kind) {
	case KIND_OBJECT:
		return p->object.ctx_size;
	case KIND_RESOLVER:
		return p->resolver.ctx_size;
	case KIND_NOTIFIER:
		return p->notifier.ctx_size;
	}
	return 0;
}

void plugin_kinds(const struct plugin *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", p->has_object ? "object" : "",
		 p->has_object && (p->has_resolver || p->has_notifier) ? "," : "",
		 p->has_resolver ? "resolver" : "", p->has_resolver && p->has_notifier ? "," : "",
		 p->has_notifier ? "notifier" : "");
}

int instance_start(struct crmsync_instance *inst)
{
	int (*init)(struct crmsync_instance *, void *) = NULL;
	int err;

	switch (inst->kind) {
	case KIND_OBJECT:
		init = inst->plugin->object.init;
		break;
	case KIND_RESOLVER:
		init = inst->plugin->resolver.init;
		break;
	case KIND_NOTIFIER:
		init = inst->plugin->notifier.init;
		break;
	}
	if (init) {
		err = init(inst, inst->ctx);
		if (err) {
			log_err("%s: failed to start: %s", inst->tag, strerror(err < 0 ? -err : err));
			return err < 0 ? err : -err;
		}
	}
	inst->initialized = 1;
	return 0;
}

void instance_stop(struct crmsync_instance *inst)
{
	void (*fini)(struct crmsync_instance *, void *) = NULL;

	if (!inst->initialized)
		return;
	switch (inst->kind) {
	case KIND_OBJECT:
		fini = inst->plugin->object.fini;
		break;
	case KIND_RESOLVER:
		fini = inst->plugin->resolver.fini;
		break;
	case KIND_NOTIFIER:
		fini = inst->plugin->notifier.fini;
		break;
	}
	if (fini)
		fini(inst, inst->ctx);
	inst->initialized = 0;
}
