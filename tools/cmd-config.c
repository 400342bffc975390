/* cmd-config.c: `ovsdp config check [FILE]`: read plugins.conf the way the
 * daemon will, check every plugin section against the plugins found, and
 * say which dispatcher it resolves to, or where the file is wrong. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovsdp/config.h"
#include "ovsdp/features.h"
#include "ovsdp/plugin.h"
#include "json.h"
#include "ovsdp.h"

static void
print_result(bool json, const char *file, const char *plugin, const char *why,
	     const GError *err)
{
	if (json) {
		struct json *j = json_new();

		json_object_begin(j);
		json_kv_string(j, "file", file);
		json_kv_bool(j, "ok", err == NULL);
		if (err) {
			json_kv_string(j, "error", err->message);
		} else {
			json_kv_string(j, "plugin", plugin);
			json_kv_string(j, "reason", why);
		}
		json_object_end(j);
		json_finish(j, stdout);
	} else if (err) {
		/* "FILE:LINE: message" alone on the line, as compilers print
		 * it, so editors can jump to the line. */
		fprintf(stderr, "%s\n", err->message);
	} else {
		printf("%s: ok\n", file);
		printf("dispatch: %s (%s)\n", plugin, why);
	}
}

static int
cmd_config_check(int argc, char **argv)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *cfg = NULL;
	struct ovsdp_plugins *plugins = NULL;
	struct ovsdp_plugin *chosen = NULL;
	struct ovsdp_features f;
	g_autofree char *why = NULL;
	const char *file;
	bool json = false;
	int r;

	if (!tool_parse(&argc, &argv, "[FILE]",
			"Check plugins.conf (default " OVSDP_SYSCONF_DIR "/plugins.conf) and "
			"show the dispatcher it resolves to on this host.",
			NULL, &json))
		return OVSDP_EXIT_USAGE;
	if (argc > 2)
		return tool_fail("config check takes at most one file (got '%s')", argv[2]),
		       OVSDP_EXIT_USAGE;

	r = ovsdp_config_load(argc > 1 ? argv[1] : NULL, &cfg, &err);
	file = argc > 1 ? argv[1] : ovsdp_config_default_path();
	if (r == 0 && !ovsdp_config_file(cfg))
		file = "(built-in defaults)";
	if (r == 0) {
		/* Without the datapath (or root) the probe still fills what the
		 * plugins' probes need to say why they cannot run. */
		ovsdp_features_probe(&f, NULL);
		r = ovsdp_plugins_discover(cfg, &f, &plugins, &err);
	}
	if (r == 0)
		r = ovsdp_plugins_choose(plugins, cfg, NULL, &chosen, &why, &err);
	print_result(json, file, chosen ? ovsdp_plugin_name(chosen) : NULL, why, err);
	ovsdp_plugins_free(plugins);
	ovsdp_config_free(cfg);
	return r < 0 ? OVSDP_EXIT_FAIL : 0;
}

static const struct ovsdp_cmd config_cmds[] = {
	{ "check", cmd_config_check, "check plugins.conf and show the dispatcher it picks" },
	{ NULL, NULL, NULL },
};

int
cmd_config(int argc, char **argv)
{
	return tool_dispatch("config", config_cmds, argc, argv);
}
