/* cmd-config.c: `ovsdp config check [--daemon] [FILE]`: read plugins.conf
 * the way the daemon will, check every plugin section against the plugins
 * found, and say which dispatcher it resolves to, or where the file is
 * wrong.  Given ovsdpd.conf (--daemon, or a file whose first section is
 * one of ovsdpd.conf's), check it and the plugins.conf it names exactly as
 * `ovsdpd --check-config` does, without the kernel. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovsdp/config.h"
#include "ovsdp/features.h"
#include "ovsdp/plugin.h"
#include "json.h"
#include "ovsdpd-conf.h"
#include "ovsdp.h"

/* The outcome of a check of 'file', plugins.conf or (daemon_conf)
 * ovsdpd.conf, which led to the plugins.conf 'pconf_file'. */
static void
print_result(bool json, const char *file, bool daemon_conf, const char *pconf_file,
	     const char *plugin, const char *why, const GError *err)
{
	if (json) {
		struct json *j = json_new();

		json_object_begin(j);
		json_kv_string(j, "file", file);
		if (daemon_conf)
			json_kv_string(j, "kind", "ovsdpd.conf");
		json_kv_bool(j, "ok", err == NULL);
		if (err) {
			json_kv_string(j, "error", err->message);
		} else {
			if (daemon_conf)
				json_kv_string(j, "plugins_conf", pconf_file);
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
		if (daemon_conf)
			printf("%s: ok\n", pconf_file);
		printf("dispatch: %s (%s%s)\n", plugin, why,
		       daemon_conf ? "; the kernel was not probed" : "");
	}
}

static int
check_daemon_conf(bool json, const char *file)
{
	g_autoptr(GError) err = NULL;
	struct daemon_config *dc = NULL;
	struct ovsdp_config *pconf = NULL;
	struct ovsdp_plugins *plugins = NULL;
	struct ovsdp_plugin *chosen = NULL;
	g_autofree char *why = NULL;
	const char *pfile = NULL;
	int r;

	r = daemon_config_load(file, &dc, &err);
	if (r == 0)
		r = daemon_config_check(dc, NULL, &pconf, &plugins, &chosen, &why, &err);
	if (r == 0)
		pfile = ovsdp_config_file(pconf) ? ovsdp_config_file(pconf)
						 : "plugins.conf (not installed: built-in defaults)";
	print_result(json, file, true, pfile, chosen ? ovsdp_plugin_name(chosen) : NULL, why, err);
	ovsdp_plugins_free(plugins);
	ovsdp_config_free(pconf);
	daemon_config_free(dc);
	return r < 0 ? OVSDP_EXIT_FAIL : 0;
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
	gboolean daemon = FALSE;
	GOptionEntry entries[] = {
		{ "daemon", 'd', 0, G_OPTION_ARG_NONE, &daemon,
		  "FILE is ovsdpd.conf (default " OVSDP_SYSCONF_DIR "/ovsdpd.conf): check it and "
		  "the plugins.conf it names as 'ovsdpd --check-config' does", NULL },
		G_OPTION_ENTRY_NULL
	};
	int r;

	if (!tool_parse(&argc, &argv, "[FILE]",
			"Check plugins.conf (default " OVSDP_SYSCONF_DIR "/plugins.conf) and "
			"show the dispatcher it resolves to on this host.\nA FILE whose first "
			"section is [datapath], [policy] or [daemon] is read as ovsdpd.conf, as "
			"with --daemon.",
			entries, &json))
		return OVSDP_EXIT_USAGE;
	if (argc > 2)
		return tool_fail("config check takes at most one file (got '%s')", argv[2]),
		       OVSDP_EXIT_USAGE;
	if (argc > 1 && !*argv[1])
		return tool_fail("config check: FILE is empty (omit it for the default)"),
		       OVSDP_EXIT_USAGE;
	if (daemon || (argc > 1 && daemon_config_sniff(argv[1])))
		return check_daemon_conf(json, argc > 1 ? argv[1] : DAEMON_CONFIG_DEFAULT);

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
	print_result(json, file, false, NULL, chosen ? ovsdp_plugin_name(chosen) : NULL, why, err);
	ovsdp_plugins_free(plugins);
	ovsdp_config_free(cfg);
	return r < 0 ? OVSDP_EXIT_FAIL : 0;
}

const struct ovsdp_cmd config_cmds[] = {
	{ "check", cmd_config_check, "check plugins.conf (or ovsdpd.conf) and show the dispatcher "
	  "it picks", NULL },
	{ NULL, NULL, NULL, NULL },
};
