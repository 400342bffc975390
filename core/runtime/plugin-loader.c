/* plugin-loader.c: finds dispatch plugins, refuses unsafe or incompatible
 * files with a reason naming the file and probes the rest against the
 * kernel's features (see <ovsdp/plugin.h>); core/runtime/plugin-choose.c chooses
 * one of them as plugins.conf asks. */
#include "config.h"

#define G_LOG_DOMAIN "ovsdp"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <gmodule.h>

#include "runtime/dispatch-host.h"
#include "ovsdp/plugin.h"
#include "runtime/plugin-trust.h"

struct ovsdp_plugin {
	char *path;                /* as found */
	char *origin;
	GModule *module;           /* NULL when refused */
	int module_fd;             /* the module's /proc/self/fd name; -1 when none */
	const struct ovsdp_dispatch_descriptor *desc;   /* NULL when refused */
	char *name;                /* copied: refusals after reading it keep it */
	char *description;
	bool have_abi;
	uint32_t abi_major, abi_minor;
	enum ovsdp_plugin_status status;
	char *reason;
	int error;                 /* negative errno, 0 when fine */
};

struct ovsdp_plugins {
	GPtrArray *plugins;        /* struct ovsdp_plugin * */
	GPtrArray *dirs;           /* searched directories, NULL-terminated */
	GHashTable *seen;          /* real paths already tried */
};

OVSDP_EXPORT const char *
ovsdp_plugin_status_str(enum ovsdp_plugin_status s)
{
	switch (s) {
	case OVSDP_PLUGIN_REFUSED:
		return "refused";
	case OVSDP_PLUGIN_LOADED:
		return "loaded";
	case OVSDP_PLUGIN_PROBE_FAILED:
		return "probe failed";
	case OVSDP_PLUGIN_OK:
		return "ok";
	}
	return "?";
}

/* The descriptor names the module: it is closed after it. */
static void
close_module(struct ovsdp_plugin *p)
{
	if (p->module)
		g_module_close(p->module);
	p->module = NULL;
	if (p->module_fd >= 0)
		close(p->module_fd);
	p->module_fd = -1;
}

static void
plugin_free(struct ovsdp_plugin *p)
{
	if (!p)
		return;
	close_module(p);
	g_free(p->path);
	g_free(p->origin);
	g_free(p->name);
	g_free(p->description);
	g_free(p->reason);
	g_free(p);
}

/* Mark 'p' refused, unload it, and report "PATH: reason". */
static int G_GNUC_PRINTF(4, 5)
refuse(struct ovsdp_plugin *p, int neg_errno, GError **error, const char *fmt, ...)
{
	g_autofree char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_free(p->reason);
	p->reason = g_strdup_printf("%s: %s", p->path, why);
	p->error = neg_errno;
	p->status = OVSDP_PLUGIN_REFUSED;
	p->desc = NULL;
	close_module(p);
	g_info("refusing plugin %s", p->reason);
	g_set_error_literal(error, OVSDP_ERROR, -neg_errno, p->reason);
	return neg_errno;
}

/* The vtable members a plugin must set (<ovsdp/dispatch.h> marks them
 * "Required"): refused at load, so that neither `ovsdp probe`, `config
 * check` nor `auto` ever takes a plugin the runtime could not call.  In
 * layout order; VTABLE_MIN_SIZE reaches the last. */
struct required_method {
	const char *name;
	size_t offset;
	size_t end;
};
#define REQUIRED(m) { #m, offsetof(struct ovsdp_dispatch_vtable, m), \
	offsetof(struct ovsdp_dispatch_vtable, m) + sizeof(void (*)(void)) }
static const struct required_method required_methods[] = {
	REQUIRED(create),
	REQUIRED(destroy),
	REQUIRED(recv_set),
	REQUIRED(handlers_set),
	REQUIRED(port_get_pid),
	REQUIRED(wait_fd),
	REQUIRED(recv),
};
#undef REQUIRED

/* The first required method a vtable of vt->struct_size bytes lacks. */
static const char *
first_uncovered(const struct ovsdp_dispatch_vtable *vt)
{
	for (size_t i = 0; i < G_N_ELEMENTS(required_methods); i++)
		if (vt->struct_size < required_methods[i].end)
			return required_methods[i].name;
	return "?";
}

/* ABI 1 layout checks.  The major is read first because only the
 * major/minor pair keeps its place across major versions; the minor after
 * the name, which every 1.x descriptor has at its 1.0 place. */
static int
check_descriptor(struct ovsdp_plugin *p, const struct ovsdp_dispatch_descriptor *d,
		 GError **error)
{
	const struct ovsdp_dispatch_vtable *vt;

	if (!d)
		return refuse(p, -EINVAL, error, "malformed descriptor: %s() returned NULL",
			      OVSDP_DISPATCH_SYMBOL);
	p->have_abi = true;
	p->abi_major = d->abi_major;
	p->abi_minor = d->abi_minor;
	if (d->abi_major != OVSDP_DISPATCH_ABI_MAJOR)
		return refuse(p, -EPROTO, error, "built for ABI %u, this host speaks %u",
			      d->abi_major, OVSDP_DISPATCH_ABI_MAJOR);
	if (d->struct_size < OVSDP_DISPATCH_DESCRIPTOR_MIN_SIZE)
		return refuse(p, -EINVAL, error,
			      "malformed descriptor: struct_size %u is smaller than the %zu bytes of an ABI %u descriptor",
			      d->struct_size, (size_t)OVSDP_DISPATCH_DESCRIPTOR_MIN_SIZE,
			      OVSDP_DISPATCH_ABI_MAJOR);
	if (!d->name)
		return refuse(p, -EINVAL, error, "malformed descriptor: no name");
	if (!ovsdp_config_name_valid(d->name))
		return refuse(p, -EINVAL, error,
			      "malformed descriptor: name '%.64s' is not a plugin name (1 to "
			      G_STRINGIFY(OVSDP_DISPATCH_NAME_MAX) " characters: a-z, 0-9, '-', '_', "
			      "the first a letter or a digit; not auto)",
			      d->name);
	p->name = g_strdup(d->name);
	/* A later minor only appends, so the name is where 1.0 put it: naming
	 * the refused file lets `mode = NAME` say why instead of "not found". */
	if (d->abi_minor > OVSDP_DISPATCH_ABI_MINOR)
		return refuse(p, -EPROTO, error,
			      "built for ABI %u.%u, newer than this host's %u.%u",
			      d->abi_major, d->abi_minor, OVSDP_DISPATCH_ABI_MAJOR,
			      OVSDP_DISPATCH_ABI_MINOR);
	vt = d->vtable;
	if (!vt)
		return refuse(p, -EINVAL, error, "malformed descriptor: no vtable");
	if (vt->struct_size < OVSDP_DISPATCH_VTABLE_MIN_SIZE)
		return refuse(p, -EINVAL, error,
			      "malformed descriptor: vtable struct_size %u is smaller than the %zu bytes of an ABI %u vtable (%s is not covered)",
			      vt->struct_size, (size_t)OVSDP_DISPATCH_VTABLE_MIN_SIZE,
			      OVSDP_DISPATCH_ABI_MAJOR, first_uncovered(vt));
	for (size_t i = 0; i < G_N_ELEMENTS(required_methods); i++) {
		const struct required_method *m = &required_methods[i];
		void *fn;

		memcpy(&fn, (const char *)vt + m->offset, sizeof fn);
		if (!fn)
			return refuse(p, -EINVAL, error,
				      "malformed descriptor: %s is NULL (a required method of ABI %u)",
				      m->name, OVSDP_DISPATCH_ABI_MAJOR);
	}
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_descriptor, d, options)) {
		for (const struct ovsdp_dispatch_option *o = d->options; o->key; o++) {
			if (!strcmp(o->key, "path"))
				return refuse(p, -EINVAL, error,
					      "malformed descriptor: option 'path' is reserved for the loader");
			if (!*o->key)
				return refuse(p, -EINVAL, error,
					      "malformed descriptor: an option with an empty key");
			/* "" would accept no value at all, and say "expected " */
			if (o->values && !*o->values)
				return refuse(p, -EINVAL, error,
					      "malformed descriptor: option '%.64s' lists no values "
					      "(values = NULL accepts any)", o->key);
		}
	}
	p->description = g_strdup(d->description ? d->description : "");
	p->desc = d;
	return 0;
}

/* Load and check one file; always returns a plugin, refused or loaded.
 * The file is checked and opened once (plugin-trust.c: StrictModes on every
 * component of its path, then an ELF check) and loaded from that descriptor,
 * so nothing can be swapped between the check and the load. */
static struct ovsdp_plugin *
load(const char *path, const char *origin, GError **error)
{
	struct ovsdp_plugin *p = g_new0(struct ovsdp_plugin, 1);
	const struct ovsdp_dispatch_descriptor *(*get)(void);
	g_autofree char *real = NULL;
	g_autofree char *why = NULL;
	gpointer sym = NULL;
	int fd = -1, r;

	p->path = g_strdup(path);
	p->origin = g_strdup(origin);
	p->module_fd = -1;
	p->status = OVSDP_PLUGIN_REFUSED;
	r = ovsdp_trust_open(path, &fd, &real, &why);
	if (r == -EPERM) {
		refuse(p, r, error, "refused: %s", why);
		return p;
	}
	if (r < 0) {
		refuse(p, r, error, "%s", why);
		return p;
	}
	r = ovsdp_trust_check_elf(fd, &why);
	if (r < 0) {
		close(fd);
		refuse(p, r, error, "%s", why);
		return p;
	}
	p->module = ovsdp_trust_module_open(fd, real, &p->module_fd, &why);
	if (fd != p->module_fd)
		close(fd);
	if (!p->module) {
		refuse(p, -ELIBBAD, error, "%s", why);
		return p;
	}
	if (!g_module_symbol(p->module, OVSDP_DISPATCH_SYMBOL, &sym) || !sym) {
		refuse(p, -ENOEXEC, error, "not a dispatch plugin: it does not export %s()",
		       OVSDP_DISPATCH_SYMBOL);
		return p;
	}
	get = (const struct ovsdp_dispatch_descriptor *(*)(void))sym;
	if (check_descriptor(p, get(), error) < 0)
		return p;
	p->status = OVSDP_PLUGIN_LOADED;
	return p;
}

OVSDP_EXPORT int
ovsdp_plugin_open(const char *path, struct ovsdp_plugin **out, GError **error)
{
	struct ovsdp_plugin *p;
	int r;

	if (!path || !out)
		return -EINVAL;
	p = load(path, "file", error);
	r = p->error;
	if (r < 0) {
		plugin_free(p);
		*out = NULL;
		return r;
	}
	*out = p;
	return 0;
}

OVSDP_EXPORT void
ovsdp_plugin_close(struct ovsdp_plugin *p)
{
	plugin_free(p);
}

OVSDP_EXPORT int
ovsdp_plugin_probe(struct ovsdp_plugin *p, const struct ovsdp_features *features,
		   GError **error)
{
	const struct ovsdp_dispatch_vtable *vt;
	char reason[256] = "";
	int r = 0;

	if (!p || !features || !p->desc)
		return -EINVAL;
	vt = p->desc->vtable;
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, vt, probe)) {
		struct ovsdp_features_view *view = g_new(struct ovsdp_features_view, 1);

		ovsdp_features_view_fill(view, features);
		r = vt->probe(&view->view, reason, sizeof reason);
		g_free(view);
	}
	reason[sizeof reason - 1] = '\0';
	g_clear_pointer(&p->reason, g_free);
	if (r >= 0) {
		p->status = OVSDP_PLUGIN_OK;
		p->error = 0;
		return 0;
	}
	p->status = OVSDP_PLUGIN_PROBE_FAILED;
	p->error = r;
	p->reason = g_strdup(reason[0] ? reason : g_strerror(-r));
	g_info("plugin %s (%s) cannot run here: %s", p->name, p->path, p->reason);
	g_set_error(error, OVSDP_ERROR, -r, "%s: %s", p->name, p->reason);
	return r;
}

OVSDP_EXPORT const char *
ovsdp_plugin_path(const struct ovsdp_plugin *p)
{
	return p ? p->path : NULL;
}

OVSDP_EXPORT const char *
ovsdp_plugin_origin(const struct ovsdp_plugin *p)
{
	return p ? p->origin : NULL;
}

OVSDP_EXPORT const char *
ovsdp_plugin_name(const struct ovsdp_plugin *p)
{
	return p ? p->name : NULL;
}

OVSDP_EXPORT const char *
ovsdp_plugin_description(const struct ovsdp_plugin *p)
{
	return p ? p->description : NULL;
}

OVSDP_EXPORT int
ovsdp_plugin_abi(const struct ovsdp_plugin *p, uint32_t *major, uint32_t *minor)
{
	if (!p)
		return -EINVAL;
	if (!p->have_abi)
		return -ENOENT;
	if (major)
		*major = p->abi_major;
	if (minor)
		*minor = p->abi_minor;
	return 0;
}

OVSDP_EXPORT enum ovsdp_plugin_status
ovsdp_plugin_status(const struct ovsdp_plugin *p)
{
	return p ? p->status : OVSDP_PLUGIN_REFUSED;
}

OVSDP_EXPORT const char *
ovsdp_plugin_reason(const struct ovsdp_plugin *p)
{
	return p ? p->reason : NULL;
}

OVSDP_EXPORT int
ovsdp_plugin_error(const struct ovsdp_plugin *p)
{
	return p ? p->error : -EINVAL;
}

OVSDP_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_plugin_descriptor(const struct ovsdp_plugin *p)
{
	return p ? p->desc : NULL;
}

OVSDP_EXPORT struct ovsdp_plugin *
ovsdp_plugins_find(const struct ovsdp_plugins *l, const char *name)
{
	if (!l || !name)
		return NULL;
	for (guint i = 0; i < l->plugins->len; i++) {
		struct ovsdp_plugin *p = l->plugins->pdata[i];

		if (p->status != OVSDP_PLUGIN_REFUSED && !g_strcmp0(p->name, name))
			return p;
	}
	return NULL;
}

/* Try one file found by the search; 'expect' is the [plugin:NAME] that
 * named it with path=, or NULL. */
static void
consider(struct ovsdp_plugins *l, const char *path, const char *origin, const char *expect,
	 const struct ovsdp_features *features)
{
	char buf[PATH_MAX];
	const char *real = realpath(path, buf);     /* to try each file once */
	struct ovsdp_plugin *p, *first;

	if (real) {
		if (g_hash_table_contains(l->seen, real))
			return;
		g_hash_table_add(l->seen, g_strdup(real));
	}
	p = load(path, origin, NULL);
	g_ptr_array_add(l->plugins, p);
	if (p->status == OVSDP_PLUGIN_REFUSED)
		return;
	if (expect && strcmp(p->name, expect)) {
		refuse(p, -EINVAL, NULL, "calls itself '%s', but [plugin:%s] loads it with path=",
		       p->name, expect);
		return;
	}
	first = ovsdp_plugins_find(l, p->name);
	if (first != p) {
		refuse(p, -EEXIST, NULL, "duplicate plugin name '%s': %s was loaded first",
		       p->name, first->path);
		return;
	}
	if (features)
		ovsdp_plugin_probe(p, features, NULL);
}

static gint
compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
scan_dir(struct ovsdp_plugins *l, const char *dir, const char *origin,
	 const struct ovsdp_features *features)
{
	g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
	GDir *d;
	const char *n;

	for (guint i = 0; i < l->dirs->len; i++) {
		if (!strcmp(l->dirs->pdata[i], dir))
			return;      /* named twice: its files were tried already */
	}
	g_ptr_array_add(l->dirs, g_strdup(dir));
	d = g_dir_open(dir, 0, NULL);
	if (!d)
		return;
	while ((n = g_dir_read_name(d))) {
		if (g_str_has_suffix(n, ".so"))
			g_ptr_array_add(names, g_strdup(n));
	}
	g_dir_close(d);
	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);

		if (g_file_test(path, G_FILE_TEST_IS_DIR))
			continue;
		consider(l, path, origin, NULL, features);
	}
}

OVSDP_EXPORT int
ovsdp_plugins_discover(const struct ovsdp_config *config, const struct ovsdp_features *features,
		       struct ovsdp_plugins **out, GError **error)
{
	struct ovsdp_config *defaults = NULL;
	struct ovsdp_plugins *l;
	const char *env;

	if (!out)
		return -EINVAL;
	if (!g_module_supported()) {
		g_set_error(error, OVSDP_ERROR, ENOTSUP, "this platform cannot load modules");
		return -ENOTSUP;
	}
	if (!config) {
		ovsdp_config_new_default(&defaults);
		config = defaults;
	}
	l = g_new0(struct ovsdp_plugins, 1);
	l->plugins = g_ptr_array_new_with_free_func((GDestroyNotify)plugin_free);
	l->dirs = g_ptr_array_new_with_free_func(g_free);
	l->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (const char *const *s = ovsdp_config_plugin_sections(config); s && *s; s++) {
		const char *file = ovsdp_config_plugin_file(config, *s);
		g_autofree char *group = NULL;
		g_autofree char *origin = NULL;

		if (!file)
			continue;
		group = g_strconcat("plugin:", *s, NULL);
		origin = g_strdup_printf("path= in %s:%u", ovsdp_config_file(config),
					 ovsdp_config_line(config, group, "path"));
		consider(l, file, origin, *s, features);
	}
	/* The library knows no build tree: a tool run from one finds its
	 * plugins through this variable, which `meson test` and `meson
	 * devenv` set. */
	env = g_getenv(OVSDP_PLUGIN_PATH_ENV);
	if (env) {
		g_auto(GStrv) dirs = g_strsplit(env, ":", -1);

		for (int i = 0; dirs[i]; i++) {
			if (*dirs[i])
				scan_dir(l, dirs[i], OVSDP_PLUGIN_PATH_ENV, features);
		}
	}
	for (const char *const *d = ovsdp_config_plugin_path(config); d && *d; d++) {
		g_autofree char *origin = g_strdup_printf("plugin-path in %s",
							  ovsdp_config_file(config));

		scan_dir(l, *d, origin, features);
	}
	scan_dir(l, OVSDP_DISPATCH_DIR, "install directory", features);
	g_ptr_array_add(l->dirs, NULL);
	ovsdp_config_free(defaults);
	*out = l;
	return 0;
}

OVSDP_EXPORT void
ovsdp_plugins_free(struct ovsdp_plugins *l)
{
	if (!l)
		return;
	g_ptr_array_unref(l->plugins);
	g_ptr_array_unref(l->dirs);
	g_hash_table_unref(l->seen);
	g_free(l);
}

OVSDP_EXPORT unsigned int
ovsdp_plugins_count(const struct ovsdp_plugins *l)
{
	return l ? l->plugins->len : 0;
}

OVSDP_EXPORT struct ovsdp_plugin *
ovsdp_plugins_get(const struct ovsdp_plugins *l, unsigned int i)
{
	return l && i < l->plugins->len ? l->plugins->pdata[i] : NULL;
}

OVSDP_EXPORT const char *const *
ovsdp_plugins_search_path(const struct ovsdp_plugins *l)
{
	return l ? (const char *const *)l->dirs->pdata : NULL;
}
