/* config.c: plugins.conf, read by the one strict reader (ini.h) against
 * the schema below; this file adds what only plugins.conf means: plugin
 * names, the prefer list, plugin directories and the [plugin:NAME]
 * sections, whose keys the loader checks against each plugin's own list. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "ini/ini.h"
#include "ovsdp/config.h"
#include "ovsdp/dispatch.h"

#define BUILTIN_PREFER "per-cpu;per-vport;legacy"
#define PLUGIN_PREFIX "plugin:"

struct ovsdp_config {
	char *file;                /* as named by the caller; NULL: built-in defaults */
	char *mode;
	char **prefer;
	char **plugin_path;
	unsigned int handlers;
	GPtrArray *sections;       /* plugin names of [plugin:NAME], NULL-terminated */
	GHashTable *plugin_keys;   /* plugin name -> GPtrArray of keys, NULL-terminated */
	struct ini *ini;           /* NULL for the built-in defaults */
};

static bool plugin_name_valid(const char *name);

/* What a name may be, for messages: ovsdp_config_name_valid()'s rule. */
#define NAME_RULE \
	"(1 to " G_STRINGIFY(OVSDP_DISPATCH_NAME_MAX) " characters: a-z, 0-9, '-', '_', " \
	"the first a letter or a digit)"

/* plugins.conf's schema: every section and key, and the types the reader
 * checks; the values' meaning is checked in check_value(). */
static const struct ini_key dispatch_keys[] = {
	{ .name = "mode", .type = INI_TEXT },
	{ .name = "prefer", .type = INI_TEXT },
	{ .name = "plugin-path", .type = INI_TEXT },
	{ .name = NULL },   /* the end */
};
static const struct ini_key handlers_keys[] = {
	{ .name = "count", .type = INI_UINT_AUTO, .min = 1, .max = OVSDP_HANDLERS_MAX },
	{ .name = NULL },   /* the end */
};
static const struct ini_section plugins_conf_sections[] = {
	{ .name = "dispatch", .keys = dispatch_keys },
	{ .name = "handlers", .keys = handlers_keys },
	/* Keys are the plugin's own (checked by ovsdp_plugins_check_config). */
	{ .name = PLUGIN_PREFIX, .prefix = true, .suffix_valid = plugin_name_valid,
	  .suffix_what = "a plugin name " NAME_RULE },
	{ .name = NULL },   /* the end */
};
static const struct ini_schema plugins_conf_schema = { plugins_conf_sections };

OVSDP_EXPORT const char *
ovsdp_config_default_path(void)
{
	return OVSDP_SYSCONF_DIR "/plugins.conf";
}

OVSDP_EXPORT bool
ovsdp_config_name_valid(const char *name)
{
	size_t n;

	if (!name || !*name || !strcmp(name, "auto"))
		return false;
	n = strlen(name);
	if (n > OVSDP_DISPATCH_NAME_MAX || !g_ascii_isalnum(name[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!(g_ascii_islower(c) || g_ascii_isdigit(c) || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static bool
plugin_name_valid(const char *name)
{
	return ovsdp_config_name_valid(name);
}

static struct ovsdp_config *
config_alloc(const char *file)
{
	struct ovsdp_config *c = g_new0(struct ovsdp_config, 1);

	c->file = g_strdup(file);
	c->sections = g_ptr_array_new_with_free_func(g_free);
	c->plugin_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					       (GDestroyNotify)g_ptr_array_unref);
	return c;
}

OVSDP_EXPORT void
ovsdp_config_free(struct ovsdp_config *c)
{
	if (!c)
		return;
	g_free(c->file);
	g_free(c->mode);
	g_strfreev(c->prefer);
	g_strfreev(c->plugin_path);
	g_ptr_array_unref(c->sections);
	g_hash_table_unref(c->plugin_keys);
	ini_free(c->ini);
	g_free(c);
}

static void
set_defaults(struct ovsdp_config *c)
{
	c->mode = g_strdup("auto");
	c->prefer = g_strsplit(BUILTIN_PREFER, ";", -1);
	c->plugin_path = g_new0(char *, 1);
	c->handlers = 0;
	g_ptr_array_add(c->sections, NULL);
}

OVSDP_EXPORT int
ovsdp_config_new_default(struct ovsdp_config **out)
{
	struct ovsdp_config *c;

	if (!out)
		return -EINVAL;
	c = config_alloc(NULL);
	set_defaults(c);
	*out = c;
	return 0;
}

/* Nothing after a value is a comment: say so when it looks like one. */
static const char *
comment_hint(const char *v)
{
	return strchr(v, '#') ? " (comments go on their own line)" : "";
}

static int
check_value(struct ovsdp_config *c, const char *name, const struct ini_value *iv,
	    GError **error)
{
	const char *s = iv->section, *k = iv->key, *v = iv->value;
	unsigned int line = iv->line;

	if (!strcmp(s, "dispatch") && !strcmp(k, "mode")) {
		if (strcmp(v, "auto") && !ovsdp_config_name_valid(v))
			return ini_fail(error, name, line,
					"[dispatch] mode = %s: expected auto or a plugin name " NAME_RULE "%s",
					v, comment_hint(v));
		g_free(c->mode);
		c->mode = g_strdup(v);
	} else if (!strcmp(s, "dispatch") && !strcmp(k, "prefer")) {
		g_auto(GStrv) items = ini_split(v, ";");
		/* A set, not a scan of the names so far: 200,000 names once
		 * took 96 s. */
		g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
		GPtrArray *names = g_ptr_array_new_with_free_func(g_free);

		for (int i = 0; items[i]; i++) {
			char *it = g_strstrip(items[i]);

			if (!*it)
				continue;
			if (!ovsdp_config_name_valid(it)) {
				g_ptr_array_free(names, TRUE);
				return ini_fail(error, name, line,
						"[dispatch] prefer: '%s' is not a plugin name " NAME_RULE "%s",
						it, comment_hint(it));
			}
			if (!g_hash_table_add(seen, it)) {
				g_ptr_array_free(names, TRUE);
				return ini_fail(error, name, line, "[dispatch] prefer names %s twice", it);
			}
			g_ptr_array_add(names, g_strdup(it));
		}
		if (!names->len) {
			g_ptr_array_free(names, TRUE);
			return ini_fail(error, name, line, "[dispatch] prefer is empty");
		}
		g_ptr_array_add(names, NULL);
		g_strfreev(c->prefer);
		c->prefer = (char **)g_ptr_array_free(names, FALSE);
	} else if (!strcmp(s, "dispatch") && !strcmp(k, "plugin-path")) {
		g_auto(GStrv) items = ini_split(v, ";");
		GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);

		for (int i = 0; items[i]; i++) {
			char *it = g_strstrip(items[i]);

			if (!*it)
				continue;
			if (!g_path_is_absolute(it)) {
				g_ptr_array_free(dirs, TRUE);
				return ini_fail(error, name, line,
						"[dispatch] plugin-path: '%s' is not an absolute directory%s",
						it, comment_hint(it));
			}
			g_ptr_array_add(dirs, g_strdup(it));
		}
		g_ptr_array_add(dirs, NULL);
		g_strfreev(c->plugin_path);
		c->plugin_path = (char **)g_ptr_array_free(dirs, FALSE);
	} else if (!strcmp(s, "handlers") && !strcmp(k, "count")) {
		c->handlers = iv->u;   /* typed by the reader; 0 for auto */
	} else if (g_str_has_prefix(s, PLUGIN_PREFIX)) {
		const char *plugin = s + strlen(PLUGIN_PREFIX);

		if (!strcmp(k, "path")) {
			if (!g_path_is_absolute(v))
				return ini_fail(error, name, line,
						"[%s] path = %s: expected an absolute file name%s", s, v,
						comment_hint(v));
		} else {
			g_ptr_array_add(g_hash_table_lookup(c->plugin_keys, plugin), g_strdup(k));
		}
	}
	return 0;
}

OVSDP_EXPORT int
ovsdp_config_parse(const char *name, const char *text, gssize len, struct ovsdp_config **out,
		   GError **error)
{
	struct ovsdp_config *c;
	struct ini *ini = NULL;
	int r;

	if (!name || !text || !out)
		return -EINVAL;
	*out = NULL;
	if (len < 0)
		len = (gssize)strlen(text);
	r = ini_parse(name, text, (gsize)len, &plugins_conf_schema, &ini, error);
	if (r < 0)
		return r;

	c = config_alloc(name);
	set_defaults(c);
	c->ini = ini;
	g_ptr_array_set_size(c->sections, 0);   /* drop the terminator while filling */
	for (const char *const *sec = ini_sections(ini); *sec; sec++) {
		if (g_str_has_prefix(*sec, PLUGIN_PREFIX)) {
			const char *plugin = *sec + strlen(PLUGIN_PREFIX);

			g_ptr_array_add(c->sections, g_strdup(plugin));
			g_hash_table_insert(c->plugin_keys, g_strdup(plugin),
					    g_ptr_array_new_with_free_func(g_free));
		}
	}
	g_ptr_array_add(c->sections, NULL);
	for (unsigned int i = 0; i < ini_count(ini); i++) {
		r = check_value(c, name, ini_nth(ini, i), error);
		if (r < 0) {
			ovsdp_config_free(c);
			return r;
		}
	}
	{
		GHashTableIter it;
		gpointer keyarr;

		g_hash_table_iter_init(&it, c->plugin_keys);
		while (g_hash_table_iter_next(&it, NULL, &keyarr))
			g_ptr_array_add(keyarr, NULL);
	}
	*out = c;
	return 0;
}

OVSDP_EXPORT int
ovsdp_config_load(const char *path, struct ovsdp_config **out, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	int r;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!path) {
		path = ovsdp_config_default_path();
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return ovsdp_config_new_default(out);
	}
	r = ini_read_file(path, &text, &len, error);
	if (r < 0)
		return r;
	return ovsdp_config_parse(path, text, (gssize)len, out, error);
}

OVSDP_EXPORT const char *
ovsdp_config_file(const struct ovsdp_config *c)
{
	return c ? c->file : NULL;
}

OVSDP_EXPORT const char *
ovsdp_config_mode(const struct ovsdp_config *c)
{
	return c ? c->mode : NULL;
}

OVSDP_EXPORT const char *const *
ovsdp_config_prefer(const struct ovsdp_config *c)
{
	return c ? (const char *const *)c->prefer : NULL;
}

OVSDP_EXPORT const char *const *
ovsdp_config_plugin_path(const struct ovsdp_config *c)
{
	return c ? (const char *const *)c->plugin_path : NULL;
}

OVSDP_EXPORT unsigned int
ovsdp_config_handlers(const struct ovsdp_config *c)
{
	return c ? c->handlers : 0;
}

OVSDP_EXPORT const char *const *
ovsdp_config_plugin_sections(const struct ovsdp_config *c)
{
	return c ? (const char *const *)c->sections->pdata : NULL;
}

OVSDP_EXPORT const char *
ovsdp_config_plugin_file(const struct ovsdp_config *c, const char *name)
{
	return ovsdp_config_plugin_option(c, name, "path");
}

OVSDP_EXPORT const char *const *
ovsdp_config_plugin_keys(const struct ovsdp_config *c, const char *name)
{
	GPtrArray *keys;

	if (!c || !name)
		return NULL;
	keys = g_hash_table_lookup(c->plugin_keys, name);
	return keys ? (const char *const *)keys->pdata : NULL;
}

OVSDP_EXPORT const char *
ovsdp_config_plugin_option(const struct ovsdp_config *c, const char *name, const char *key)
{
	g_autofree char *group = NULL;
	const struct ini_value *v;

	if (!c || !name || !key)
		return NULL;
	group = g_strconcat(PLUGIN_PREFIX, name, NULL);
	v = ini_get(c->ini, group, key);
	return v ? v->value : NULL;
}

OVSDP_EXPORT unsigned int
ovsdp_config_line(const struct ovsdp_config *c, const char *section, const char *key)
{
	if (!c || !section)
		return 0;
	return ini_line(c->ini, section, key);
}
