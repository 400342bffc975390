/* ovsdp/config.h: plugins.conf, the operator's choice of upcall dispatcher,
 * parsed strictly: every mistake is an error naming the file and line.
 * See the shipped plugins.conf for the keys. */
#ifndef OVSDP_CONFIG_H
#define OVSDP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <ovsdp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* [handlers] count accepts "auto" or 1 to this. */
#define OVSDP_HANDLERS_MAX 1024

/* A parsed plugins.conf.  Immutable once loaded. */
struct ovsdp_config;

/* The file used when none is named: OVSDP_SYSCONF_DIR "/plugins.conf". */
OVSDP_EXPORT const char *ovsdp_config_default_path(void);

/* Load and check 'path'.  NULL means the default path, and then a missing
 * file is not an error: the built-in defaults apply (mode auto, prefer
 * per-cpu;per-vport;legacy, handlers auto).  Returns 0 and *out (free with
 * ovsdp_config_free), or a negative errno with a GError whose message
 * starts with "FILE:LINE: " (or "FILE: " when no line applies).
 * Keys of [plugin:NAME] sections are checked later, against the plugin's
 * own list, by ovsdp_plugins_check_config(). */
OVSDP_EXPORT int ovsdp_config_load(const char *path, struct ovsdp_config **out, GError **error);

/* Same from text in memory; 'name' stands for the file name in messages.
 * 'len' may be -1 for a NUL-terminated string. */
OVSDP_EXPORT int ovsdp_config_parse(const char *name, const char *text, gssize len,
				    struct ovsdp_config **out, GError **error);

/* The built-in defaults, as if from an empty file. */
OVSDP_EXPORT int ovsdp_config_new_default(struct ovsdp_config **out);

/* NULL is ignored. */
OVSDP_EXPORT void ovsdp_config_free(struct ovsdp_config *c);

/* The file it was read from, or NULL for the built-in defaults. */
OVSDP_EXPORT const char *ovsdp_config_file(const struct ovsdp_config *c);

/* [dispatch] mode: "auto" or a plugin name. */
OVSDP_EXPORT const char *ovsdp_config_mode(const struct ovsdp_config *c);

/* [dispatch] prefer: plugin names, NULL-terminated. */
OVSDP_EXPORT const char *const *ovsdp_config_prefer(const struct ovsdp_config *c);

/* [dispatch] plugin-path: absolute directories, NULL-terminated (maybe empty). */
OVSDP_EXPORT const char *const *ovsdp_config_plugin_path(const struct ovsdp_config *c);

/* [handlers] count: 0 for auto, else 1..OVSDP_HANDLERS_MAX. */
OVSDP_EXPORT unsigned int ovsdp_config_handlers(const struct ovsdp_config *c);

/* Names of the [plugin:NAME] sections, NULL-terminated, in file order. */
OVSDP_EXPORT const char *const *ovsdp_config_plugin_sections(const struct ovsdp_config *c);

/* [plugin:NAME] path, or NULL when unset (or no such section). */
OVSDP_EXPORT const char *ovsdp_config_plugin_file(const struct ovsdp_config *c, const char *name);

/* The plugin-specific keys of [plugin:NAME] (every key but 'path'),
 * NULL-terminated, in file order; NULL when there is no such section. */
OVSDP_EXPORT const char *const *ovsdp_config_plugin_keys(const struct ovsdp_config *c,
							 const char *name);

/* The value of plugin-specific 'key' in [plugin:NAME], or NULL. */
OVSDP_EXPORT const char *ovsdp_config_plugin_option(const struct ovsdp_config *c,
						    const char *name, const char *key);

/* The line where 'section' (e.g. "dispatch", "plugin:per-vport") sets
 * 'key', or where the section starts when 'key' is NULL; 0 when absent. */
OVSDP_EXPORT unsigned int ovsdp_config_line(const struct ovsdp_config *c, const char *section,
					    const char *key);

/* True when 'name' is a valid plugin name (see OVSDP_DISPATCH_NAME_MAX in
 * <ovsdp/dispatch.h>); "auto" is not. */
OVSDP_EXPORT bool ovsdp_config_name_valid(const char *name);

#ifdef __cplusplus
}
#endif
#endif
