/* ovsdp/plugin.h: finding, checking and choosing dispatch plugins.  The
 * loader refuses unsafe or incompatible files with a message naming the
 * file and the reason, and picks one plugin the way plugins.conf asks. */
#ifndef OVSDP_PLUGIN_H
#define OVSDP_PLUGIN_H

#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/config.h>
#include <ovsdp/dispatch.h>
#include <ovsdp/features.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The environment variable naming plugin directories (colon-separated),
 * searched after [plugin:NAME] path= files and before plugin-path and the
 * install directory. */
#define OVSDP_PLUGIN_PATH_ENV "OVSDP_PLUGIN_PATH"

/* One plugin file: loaded, or refused with a reason. */
struct ovsdp_plugin;
/* Every plugin file one search found, in search order. */
struct ovsdp_plugins;

enum ovsdp_plugin_status {
	OVSDP_PLUGIN_REFUSED = 0,       /* not loaded: see ovsdp_plugin_reason() */
	OVSDP_PLUGIN_LOADED = 1,        /* loaded; not probed (no features given) */
	OVSDP_PLUGIN_PROBE_FAILED = 2,  /* loaded, but cannot run here: see the reason */
	OVSDP_PLUGIN_OK = 3,            /* loaded and probed ok */
};

/* "refused", "loaded", "probe failed" or "ok". */
OVSDP_EXPORT const char *ovsdp_plugin_status_str(enum ovsdp_plugin_status s);

/* Load the plugin file 'path' and check it: owner and permissions of the
 * file and its directory, the exported symbol, the ABI version and the
 * descriptor.  Does not probe.  Returns 0 and *out (free with
 * ovsdp_plugin_close), or a negative errno and a GError "PATH: reason":
 *   -EPERM      unsafe owner or permissions
 *   -ENOENT     no such file
 *   -ELIBBAD    not loadable by the dynamic linker
 *   -ENOEXEC    not a dispatch plugin (symbol missing)
 *   -EPROTO     ABI major mismatch or newer minor
 *   -EINVAL     malformed descriptor */
OVSDP_EXPORT int ovsdp_plugin_open(const char *path, struct ovsdp_plugin **out, GError **error);

/* Unload a plugin from ovsdp_plugin_open().  NULL is ignored.  Plugins that
 * belong to a struct ovsdp_plugins are freed with it instead. */
OVSDP_EXPORT void ovsdp_plugin_close(struct ovsdp_plugin *p);

/* Run the plugin's probe against 'features' and record the result in the
 * plugin's status.  Returns 0, or the probe's negative errno with a GError
 * "NAME: reason" (-EINVAL for a refused plugin or bad arguments). */
OVSDP_EXPORT int ovsdp_plugin_probe(struct ovsdp_plugin *p, const struct ovsdp_features *features,
				    GError **error);

/* The file as found (before symlinks are resolved). */
OVSDP_EXPORT const char *ovsdp_plugin_path(const struct ovsdp_plugin *p);
/* Where the file came from: "path= in FILE:LINE", "OVSDP_PLUGIN_PATH",
 * "plugin-path in FILE" or "install directory" (or "file" from open). */
OVSDP_EXPORT const char *ovsdp_plugin_origin(const struct ovsdp_plugin *p);
/* The descriptor's name, or NULL when refused before it could be read. */
OVSDP_EXPORT const char *ovsdp_plugin_name(const struct ovsdp_plugin *p);
/* The descriptor's one-line description, or NULL. */
OVSDP_EXPORT const char *ovsdp_plugin_description(const struct ovsdp_plugin *p);
/* Store the ABI the plugin was built for.  Returns 0, or -ENOENT when the
 * descriptor could not be read. */
OVSDP_EXPORT int ovsdp_plugin_abi(const struct ovsdp_plugin *p, uint32_t *major, uint32_t *minor);
OVSDP_EXPORT enum ovsdp_plugin_status ovsdp_plugin_status(const struct ovsdp_plugin *p);
/* Why it was refused or why its probe failed ("PATH: ..." for a refusal,
 * the probe's reason for a probe failure); NULL when loaded or ok. */
OVSDP_EXPORT const char *ovsdp_plugin_reason(const struct ovsdp_plugin *p);
/* The negative errno that goes with the reason, or 0. */
OVSDP_EXPORT int ovsdp_plugin_error(const struct ovsdp_plugin *p);
/* The descriptor, for calling the plugin; NULL unless loaded. */
OVSDP_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_plugin_descriptor(const struct ovsdp_plugin *p);

/* Search for plugins, in this order, keeping the first file of each name:
 *   1. each [plugin:NAME] path= of 'config' (the file must call itself NAME),
 *   2. each directory of $OVSDP_PLUGIN_PATH,
 *   3. each directory of [dispatch] plugin-path,
 *   4. the install directory (OVSDP_DISPATCH_DIR).
 * Every "*.so" of a directory is tried, in name order; a file reached twice
 * (same real path) counts once; a missing directory is skipped.  Refused
 * files stay in the list with their reason; later files of a name already
 * loaded are refused as duplicates.  When 'features' is not NULL every
 * loaded plugin is probed.  'config' may be NULL (built-in defaults).
 * Returns 0 and *out (free with ovsdp_plugins_free), or a negative errno
 * (only for bad arguments or memory: refusals are not errors). */
OVSDP_EXPORT int ovsdp_plugins_discover(const struct ovsdp_config *config,
					const struct ovsdp_features *features,
					struct ovsdp_plugins **out, GError **error);

/* NULL is ignored.  Unloads every plugin of the list. */
OVSDP_EXPORT void ovsdp_plugins_free(struct ovsdp_plugins *l);

/* Number of files in the list, and the i-th (NULL past the end). */
OVSDP_EXPORT unsigned int ovsdp_plugins_count(const struct ovsdp_plugins *l);
OVSDP_EXPORT struct ovsdp_plugin *ovsdp_plugins_get(const struct ovsdp_plugins *l, unsigned int i);

/* The loaded plugin called 'name' (refused files never match), or NULL. */
OVSDP_EXPORT struct ovsdp_plugin *ovsdp_plugins_find(const struct ovsdp_plugins *l,
						     const char *name);

/* The directories searched, in order, NULL-terminated. */
OVSDP_EXPORT const char *const *ovsdp_plugins_search_path(const struct ovsdp_plugins *l);

/* Check the [plugin:NAME] sections of 'config' against the plugins found:
 * the section must name a loaded plugin, and when that plugin lists its
 * options, every key must be one of them and every value one of the
 * accepted values.  Returns 0, or -EINVAL with "FILE:LINE: ..." */
OVSDP_EXPORT int ovsdp_plugins_check_config(const struct ovsdp_plugins *l,
					    const struct ovsdp_config *config, GError **error);

/* Choose the plugin to run.  'mode' overrides the config's mode when not
 * NULL ("auto" or a name).
 *   auto: the first plugin of [dispatch] prefer that is loaded and probes
 *         ok (or was not probed); names not found are skipped.
 *   NAME: that plugin; it is an error when it is not found, was refused or
 *         fails its probe (an explicit choice never falls back).
 * First checks the config (ovsdp_plugins_check_config).  Returns 0 with
 * *chosen (owned by the list) and, when 'why' is not NULL, *why: a line
 * explaining the choice (g_free), e.g. "first in prefer that probes ok" or
 * "per-cpu: kernel refused ...".  On failure a negative errno with a
 * GError naming the config file and line where one applies. */
OVSDP_EXPORT int ovsdp_plugins_choose(const struct ovsdp_plugins *l,
				      const struct ovsdp_config *config, const char *mode,
				      struct ovsdp_plugin **chosen, char **why, GError **error);

#ifdef __cplusplus
}
#endif
#endif
