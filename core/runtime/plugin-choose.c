/* plugin-choose.c: checks plugins.conf's [plugin:NAME] sections against
 * the plugins found, and chooses the one to run: the mode named in
 * [dispatch] (or asked for), or with mode = auto the first of prefer that
 * probes ok here.  Every refusal names the file, line and key.  It sees the
 * plugins only through <ovsdp/plugin.h>. */
#include "config.h"

#define G_LOG_DOMAIN "ovsdp"

#include <errno.h>
#include <string.h>
#include <glib.h>

#include "ovsdp/config.h"
#include "ovsdp/dispatch.h"
#include "ovsdp/plugin.h"

/* A refused file that got as far as telling its name, for messages. */
static struct ovsdp_plugin *
find_refused(const struct ovsdp_plugins *l, const char *name)
{
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(l, i);

		if (ovsdp_plugin_status(p) == OVSDP_PLUGIN_REFUSED &&
		    !g_strcmp0(ovsdp_plugin_name(p), name))
			return p;
	}
	return NULL;
}

/* "a, b or c" */
static char *
join_or(char **items)
{
	GString *s = g_string_new(NULL);
	guint n = g_strv_length(items);

	for (guint i = 0; i < n; i++) {
		if (i)
			g_string_append(s, i + 1 == n ? " or " : ", ");
		g_string_append(s, items[i]);
	}
	return g_string_free(s, FALSE);
}

/* "legacy, per-cpu" or "none": the loaded plugins, for messages. */
static char *
found_names(const struct ovsdp_plugins *l)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(l, i);

		if (ovsdp_plugin_status(p) == OVSDP_PLUGIN_REFUSED)
			continue;
		if (s->len)
			g_string_append(s, ", ");
		g_string_append(s, ovsdp_plugin_name(p));
	}
	if (!s->len)
		g_string_append(s, "none");
	return g_string_free(s, FALSE);
}

/* "FILE:LINE: " for a key of the config, or "" for the built-in defaults. */
static char *
where(const struct ovsdp_config *c, const char *section, const char *key)
{
	unsigned int line = ovsdp_config_line(c, section, key);

	if (!ovsdp_config_file(c))
		return g_strdup("");
	if (!line)
		return g_strdup_printf("%s: ", ovsdp_config_file(c));
	return g_strdup_printf("%s:%u: ", ovsdp_config_file(c), line);
}

static struct ovsdp_plugin *
find_by_path(const struct ovsdp_plugins *l, const char *path)
{
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(l, i);

		if (!strcmp(ovsdp_plugin_path(p), path))
			return p;
	}
	return NULL;
}

static int
check_section(const struct ovsdp_plugins *l, const struct ovsdp_config *c, const char *name,
	      GError **error)
{
	g_autofree char *group = g_strconcat("plugin:", name, NULL);
	const char *file = ovsdp_config_plugin_file(c, name);
	struct ovsdp_plugin *p = ovsdp_plugins_find(l, name);
	const struct ovsdp_dispatch_descriptor *d;

	if (!p || (file && strcmp(ovsdp_plugin_path(p), file))) {
		g_autofree char *at = where(c, group, file ? "path" : NULL);
		g_autofree char *found = found_names(l);
		struct ovsdp_plugin *r = file ? find_by_path(l, file) : find_refused(l, name);

		if (r && ovsdp_plugin_status(r) == OVSDP_PLUGIN_REFUSED) {
			g_set_error(error, OVSDP_ERROR, -ovsdp_plugin_error(r), "%s[%s]: %s", at,
				    group, ovsdp_plugin_reason(r));
			return ovsdp_plugin_error(r);
		}
		g_set_error(error, OVSDP_ERROR, ENOENT,
			    "%s[%s]: no plugin named '%s' was found (found: %s)", at, group, name,
			    found);
		return -ENOENT;
	}
	d = ovsdp_plugin_descriptor(p);
	if (!OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_descriptor, d, options))
		return 0;
	for (const char *const *k = ovsdp_config_plugin_keys(c, name); k && *k; k++) {
		const struct ovsdp_dispatch_option *o;
		const char *v = ovsdp_config_plugin_option(c, name, *k);

		for (o = d->options; o->key; o++) {
			if (!strcmp(o->key, *k))
				break;
		}
		if (!o->key) {
			g_autofree char *at = where(c, group, *k);
			g_autoptr(GPtrArray) keys = g_ptr_array_new();
			g_autofree char *list = NULL;

			for (o = d->options; o->key; o++)
				g_ptr_array_add(keys, (gpointer)o->key);
			g_ptr_array_add(keys, NULL);
			list = g_strjoinv(", ", (char **)keys->pdata);
			if (*list)
				g_set_error(error, OVSDP_ERROR, EINVAL,
					    "%s[%s] unknown key '%s' (%s knows: path, %s)", at, group,
					    *k, name, list);
			else
				g_set_error(error, OVSDP_ERROR, EINVAL,
					    "%s[%s] unknown key '%s' (%s takes no options but path)",
					    at, group, *k, name);
			return -EINVAL;
		}
		if (o->values && v) {
			g_auto(GStrv) ok = g_strsplit(o->values, ";", -1);

			if (!g_strv_contains((const char *const *)ok, v)) {
				g_autofree char *at = where(c, group, *k);
				g_autofree char *list = join_or(ok);

				g_set_error(error, OVSDP_ERROR, EINVAL, "%s[%s] %s = %s: expected %s",
					    at, group, *k, v, list);
				return -EINVAL;
			}
		}
	}
	return 0;
}

OVSDP_EXPORT int
ovsdp_plugins_check_config(const struct ovsdp_plugins *l, const struct ovsdp_config *config,
			   GError **error)
{
	if (!l || !config)
		return -EINVAL;
	for (const char *const *s = ovsdp_config_plugin_sections(config); s && *s; s++) {
		int r = check_section(l, config, *s, error);

		if (r < 0)
			return r;
	}
	return 0;
}

static int
choose_named(const struct ovsdp_plugins *l, const struct ovsdp_config *c, const char *mode,
	     bool from_config, struct ovsdp_plugin **chosen, char **why, GError **error)
{
	g_autofree char *at = from_config ? where(c, "dispatch", "mode") : g_strdup("");
	g_autofree char *what = from_config ? g_strdup_printf("[dispatch] mode = %s", mode)
					    : g_strdup_printf("mode %s", mode);
	struct ovsdp_plugin *p = ovsdp_plugins_find(l, mode);

	if (!p) {
		struct ovsdp_plugin *r = find_refused(l, mode);
		g_autofree char *found = found_names(l);

		if (r) {
			g_set_error(error, OVSDP_ERROR, -ovsdp_plugin_error(r),
				    "%s%s: the plugin was refused: %s", at, what,
				    ovsdp_plugin_reason(r));
			return ovsdp_plugin_error(r);
		}
		g_set_error(error, OVSDP_ERROR, ENOENT,
			    "%s%s: no plugin named '%s' was found (found: %s)", at, what, mode, found);
		return -ENOENT;
	}
	if (ovsdp_plugin_status(p) == OVSDP_PLUGIN_PROBE_FAILED) {
		g_set_error(error, OVSDP_ERROR, -ovsdp_plugin_error(p),
			    "%s%s: %s cannot run here: %s", at, what, mode, ovsdp_plugin_reason(p));
		return ovsdp_plugin_error(p);
	}
	*chosen = p;
	if (why) {
		if (from_config && ovsdp_config_file(c))
			*why = g_strdup_printf("mode = %s in %s", mode, ovsdp_config_file(c));
		else
			*why = g_strdup_printf("mode %s requested", mode);
	}
	return 0;
}

static int
choose_auto(const struct ovsdp_plugins *l, const struct ovsdp_config *c,
	    struct ovsdp_plugin **chosen, char **why, GError **error)
{
	g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func(g_free);
	const char *const *prefer = ovsdp_config_prefer(c);

	for (; prefer && *prefer; prefer++) {
		struct ovsdp_plugin *p = ovsdp_plugins_find(l, *prefer);

		if (!p) {
			g_ptr_array_add(skipped, g_strdup_printf(find_refused(l, *prefer) ?
								 "%s: refused" : "%s: not found",
								 *prefer));
			continue;
		}
		if (ovsdp_plugin_status(p) == OVSDP_PLUGIN_PROBE_FAILED) {
			g_ptr_array_add(skipped, g_strdup_printf("%s: %s", *prefer,
								 ovsdp_plugin_reason(p)));
			g_info("auto: skipping %s: %s", *prefer, ovsdp_plugin_reason(p));
			continue;
		}
		*chosen = p;
		g_ptr_array_add(skipped, NULL);
		if (why)
			*why = skipped->len > 1 ? g_strjoinv("; ", (char **)skipped->pdata)
						: g_strdup("first in prefer that probes ok");
		g_info("auto: chose %s", ovsdp_plugin_name(p));
		return 0;
	}
	{
		g_autofree char *at = where(c, "dispatch", "prefer");
		g_autofree char *list = NULL;

		g_ptr_array_add(skipped, NULL);
		list = g_strjoinv("; ", (char **)skipped->pdata);
		g_set_error(error, OVSDP_ERROR, ENOENT,
			    "%sno plugin in prefer can run here (%s)", at, list);
	}
	return -ENOENT;
}

OVSDP_EXPORT int
ovsdp_plugins_choose(const struct ovsdp_plugins *l, const struct ovsdp_config *config,
		     const char *mode, struct ovsdp_plugin **chosen, char **why, GError **error)
{
	struct ovsdp_config *defaults = NULL;
	bool from_config = mode == NULL;
	int r;

	if (!l || !chosen)
		return -EINVAL;
	*chosen = NULL;
	if (why)
		*why = NULL;
	if (!config) {
		ovsdp_config_new_default(&defaults);
		config = defaults;
	}
	r = ovsdp_plugins_check_config(l, config, error);
	if (r == 0) {
		if (!mode)
			mode = ovsdp_config_mode(config);
		if (!strcmp(mode, "auto"))
			r = choose_auto(l, config, chosen, why, error);
		else
			r = choose_named(l, config, mode, from_config, chosen, why, error);
	}
	ovsdp_config_free(defaults);
	return r;
}
