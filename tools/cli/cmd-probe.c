/* cmd-probe.c: `ovsdp probe`: everything features.c learns about the
 * running kernel, the dispatch plugins found (and why any was refused or
 * cannot run) and which one 'auto' picks, as text for people or JSON. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ovsdp/config.h"
#include "ovsdp/features.h"
#include "ovsdp/plugin.h"
#include "json.h"
#include "ovsdp.h"

/* What the plugin loader makes of this host: every file found, the choice
 * 'auto' makes and, when plugins.conf names a mode, that choice too. */
struct probe_plugins {
	const struct ovsdp_config *cfg;
	struct ovsdp_plugins *list;
	struct ovsdp_plugin *auto_choice;
	char *auto_why;
	GError *auto_err;
	struct ovsdp_plugin *mode_choice;   /* only when mode is not auto */
	char *mode_why;
	GError *mode_err;
};

static bool
mode_is_auto(const struct probe_plugins *pp)
{
	return !strcmp(ovsdp_config_mode(pp->cfg), "auto");
}

static void
json_plugins(struct json *j, const struct probe_plugins *pp)
{
	const char *file = ovsdp_config_file(pp->cfg);

	json_key(j, "config");
	if (file)
		json_string(j, file);
	else
		json_null(j);
	json_kv_array_begin(j, "plugin_search_path");
	for (const char *const *d = ovsdp_plugins_search_path(pp->list); d && *d; d++)
		json_string(j, *d);
	json_array_end(j);
	json_kv_array_begin(j, "plugins");
	for (unsigned int i = 0; i < ovsdp_plugins_count(pp->list); i++) {
		const struct ovsdp_plugin *p = ovsdp_plugins_get(pp->list, i);
		uint32_t major, minor;

		json_object_begin(j);
		json_kv_string(j, "path", ovsdp_plugin_path(p));
		json_kv_string(j, "origin", ovsdp_plugin_origin(p));
		json_key(j, "name");
		if (ovsdp_plugin_name(p))
			json_string(j, ovsdp_plugin_name(p));
		else
			json_null(j);
		json_key(j, "abi");
		if (ovsdp_plugin_abi(p, &major, &minor) == 0) {
			g_autofree char *abi = g_strdup_printf("%u.%u", major, minor);

			json_string(j, abi);
		} else {
			json_null(j);
		}
		json_kv_string(j, "status", ovsdp_plugin_status_str(ovsdp_plugin_status(p)));
		if (ovsdp_plugin_reason(p))
			json_kv_string(j, "reason", ovsdp_plugin_reason(p));
		if (ovsdp_plugin_description(p))
			json_kv_string(j, "description", ovsdp_plugin_description(p));
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_object_begin(j, "auto");
	json_key(j, "plugin");
	if (pp->auto_choice)
		json_string(j, ovsdp_plugin_name(pp->auto_choice));
	else
		json_null(j);
	json_kv_string(j, "reason", pp->auto_choice ? pp->auto_why : pp->auto_err->message);
	json_object_end(j);
	json_kv_object_begin(j, "mode");
	json_kv_string(j, "configured", ovsdp_config_mode(pp->cfg));
	if (!mode_is_auto(pp)) {
		json_key(j, "plugin");
		if (pp->mode_choice)
			json_string(j, ovsdp_plugin_name(pp->mode_choice));
		else
			json_null(j);
		json_kv_string(j, "reason", pp->mode_choice ? pp->mode_why : pp->mode_err->message);
	}
	json_object_end(j);
}

/* Why the loader found nothing in search directory 'dir', or NULL when it
 * could list it: the loader passes such a directory by in silence, and a
 * mistyped OVSDP_PLUGIN_PATH then only showed as "none found". */
static const char *
dir_problem(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno == ENOENT ? "absent" : g_strerror(errno);
	if (!S_ISDIR(st.st_mode))
		return "not a directory";
	if (access(dir, R_OK | X_OK) < 0)
		return "cannot be read";
	return NULL;
}

static void
print_plugins(const struct probe_plugins *pp)
{
	const char *file = ovsdp_config_file(pp->cfg);

	printf("plugins.conf: %s\n", file ? file : "none (built-in defaults)");
	printf("plugin search path:");
	for (const char *const *d = ovsdp_plugins_search_path(pp->list); d && *d; d++) {
		const char *why = dir_problem(*d);

		printf(" %s%s%s%s", *d, why ? " (" : "", why ? why : "", why ? ")" : "");
	}
	printf("\ndispatch plugins:\n");
	if (!ovsdp_plugins_count(pp->list))
		printf("  none found\n");
	for (unsigned int i = 0; i < ovsdp_plugins_count(pp->list); i++) {
		const struct ovsdp_plugin *p = ovsdp_plugins_get(pp->list, i);
		enum ovsdp_plugin_status st = ovsdp_plugin_status(p);
		g_autofree char *abi = NULL;
		uint32_t major, minor;

		if (ovsdp_plugin_abi(p, &major, &minor) == 0)
			abi = g_strdup_printf("ABI %u.%u", major, minor);
		printf("  %-12s %-8s %-13s %s\n",
		       ovsdp_plugin_name(p) ? ovsdp_plugin_name(p) : "-", abi ? abi : "",
		       ovsdp_plugin_status_str(st), ovsdp_plugin_path(p));
		if (st == OVSDP_PLUGIN_REFUSED || st == OVSDP_PLUGIN_PROBE_FAILED)
			printf("  %-12s %s\n", "", ovsdp_plugin_reason(p));
	}
	if (pp->auto_choice)
		printf("auto: %s (%s)\n", ovsdp_plugin_name(pp->auto_choice), pp->auto_why);
	else
		printf("auto: none (%s)\n", pp->auto_err->message);
	if (mode_is_auto(pp))
		return;
	if (pp->mode_choice)
		printf("mode: %s (%s)\n", ovsdp_plugin_name(pp->mode_choice), pp->mode_why);
	else
		printf("mode: %s: error: %s\n", ovsdp_config_mode(pp->cfg), pp->mode_err->message);
}

static void
json_tristate(struct json *j, const char *key, enum ovsdp_tristate t)
{
	json_key(j, key);
	if (t == OVSDP_UNKNOWN)
		json_null(j);
	else
		json_bool(j, t == OVSDP_YES);
}

/* What was read from family attribute counts and the system, and the CPU
 * topology, in the order probe --json has them. */
static const struct json_field system_json[] = {
	JSON_FIELD("vport_upcall_stats", JSON_BOOL, struct ovsdp_features, vport_upcall_stats),
	JSON_FIELD("execute_upcall_pid", JSON_BOOL, struct ovsdp_features, execute_upcall_pid),
	JSON_FIELD("epoll_exclusive", JSON_BOOL, struct ovsdp_features, epoll_exclusive),
};

static const struct json_field cpus_json[] = {
	JSON_FIELD("ids", JSON_UINT, struct ovsdp_features, cpu_ids),
	JSON_FIELD("online", JSON_UINT, struct ovsdp_features, cpus_online),
	JSON_FIELD("affinity", JSON_UINT, struct ovsdp_features, cpus_affinity),
	JSON_FIELD("affinity_list", JSON_CHARS, struct ovsdp_features, affinity_list),
};

static void
print_json(const struct ovsdp_features *f, const struct probe_plugins *pp)
{
	struct json *j = json_new();

	json_object_begin(j);
	json_kv_string(j, "kernel", f->kernel_release);
	json_kv_bool(j, "datapath_available", f->datapath_available);
	json_kv_array_begin(j, "families");
	for (int i = 0; i < OVSDP_N_FAMILIES; i++) {
		const struct ovsdp_family_status *s = &f->families[i];

		if (!s->name[0])
			continue;
		json_object_begin(j);
		json_kv_string(j, "name", s->name);
		json_kv_bool(j, "required", s->required);
		json_kv_bool(j, "present", s->present);
		if (s->present) {
			json_kv_uint(j, "id", s->id);
			json_kv_uint(j, "version", s->version);
			json_kv_uint(j, "maxattr", s->maxattr);
		}
		json_object_end(j);
	}
	json_array_end(j);
	json_kv_bool(j, "datapath_probed", f->datapath_probed);
	if (f->probe_error[0])
		json_kv_string(j, "probe_error", f->probe_error);
	json_tristate(j, "rejects_unknown_features", f->rejects_unknown_features);
	json_tristate(j, "per_cpu_dispatch", f->per_cpu_dispatch);
	if (f->per_cpu_errno)
		json_kv_string(j, "per_cpu_error", g_strerror(f->per_cpu_errno));
	json_kv_fields(j, f, system_json, G_N_ELEMENTS(system_json));
	json_kv_object_begin(j, "cpus");
	json_kv_fields(j, f, cpus_json, G_N_ELEMENTS(cpus_json));
	json_object_end(j);
	if (pp)
		json_plugins(j, pp);
	json_object_end(j);
	json_finish(j, stdout);
}

static const char *
yesno(bool b)
{
	return b ? "yes" : "no";
}

static void
print_text(const struct ovsdp_features *f, const struct probe_plugins *pp)
{
	printf("kernel: %s\n", f->kernel_release);
	printf("generic netlink families:\n");
	for (int i = 0; i < OVSDP_N_FAMILIES; i++) {
		const struct ovsdp_family_status *s = &f->families[i];

		if (!s->name[0])
			continue;
		if (s->present)
			printf("  %-13s id %-4u version %u  maxattr %u\n", s->name, s->id,
			       s->version, s->maxattr);
		else
			printf("  %-13s absent%s\n", s->name, s->required ? " (required)" : "");
	}
	if (!f->datapath_probed) {
		printf("datapath probes: not run: %s\n", f->probe_error);
	} else {
		printf("rejects unknown user features: %s\n",
		       ovsdp_tristate_str(f->rejects_unknown_features));
		printf("per-cpu upcall dispatch: %s", ovsdp_tristate_str(f->per_cpu_dispatch));
		if (f->per_cpu_errno)
			printf(" (kernel refused: %s)", g_strerror(f->per_cpu_errno));
		else if (f->per_cpu_dispatch == OVSDP_UNKNOWN)
			printf(" (accepted, but this kernel accepts unknown bits too)");
		printf("\n");
	}
	printf("vport upcall stats: %s\n", yesno(f->vport_upcall_stats));
	printf("execute with upcall pid: %s\n", yesno(f->execute_upcall_pid));
	printf("EPOLLEXCLUSIVE: %s\n", yesno(f->epoll_exclusive));
	printf("cpus: %u ids, %u online, affinity %u (%s)\n", f->cpu_ids, f->cpus_online,
	       f->cpus_affinity, f->affinity_list);
	if (pp)
		print_plugins(pp);
}

int
cmd_probe(int argc, char **argv)
{
	struct ovsdp_features f;
	g_autoptr(GError) err = NULL;
	g_autoptr(GError) cfg_err = NULL;
	g_autofree char *config_file = NULL;
	struct ovsdp_config *cfg = NULL;
	struct probe_plugins pp = { 0 };
	bool json = false, have_plugins = false;
	int r, status = 0;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
		  "plugins.conf to choose with (default " OVSDP_SYSCONF_DIR "/plugins.conf)", "FILE" },
		G_OPTION_ENTRY_NULL
	};

	if (!tool_parse(&argc, &argv, "",
			"Probe the kernel's openvswitch datapath: families, user-feature "
			"negotiation, per-cpu dispatch, EPOLLEXCLUSIVE, CPUs; then list the "
			"dispatch plugins and the one 'auto' picks.",
			entries, &json))
		return OVSDP_EXIT_USAGE;
	if (argc > 1)
		return tool_fail("probe takes no arguments (got '%s')", argv[1]), OVSDP_EXIT_USAGE;

	r = ovsdp_features_probe(&f, &err);
	if (ovsdp_config_load(config_file, &cfg, &cfg_err) == 0 &&
	    ovsdp_plugins_discover(cfg, &f, &pp.list, &cfg_err) == 0) {
		have_plugins = true;
		pp.cfg = cfg;
		ovsdp_plugins_choose(pp.list, cfg, "auto", &pp.auto_choice, &pp.auto_why,
				     &pp.auto_err);
		if (strcmp(ovsdp_config_mode(cfg), "auto"))
			ovsdp_plugins_choose(pp.list, cfg, NULL, &pp.mode_choice, &pp.mode_why,
					     &pp.mode_err);
	}
	if (json)
		print_json(&f, have_plugins ? &pp : NULL);
	else
		print_text(&f, have_plugins ? &pp : NULL);
	if (r < 0) {
		fprintf(stderr, "ovsdp: %s\n", err ? err->message : g_strerror(-r));
		status = OVSDP_EXIT_FAIL;
	}
	if (cfg_err) {
		fprintf(stderr, "ovsdp: %s\n", cfg_err->message);
		status = OVSDP_EXIT_FAIL;
	}
	if (have_plugins && (!pp.auto_choice || pp.mode_err)) {
		fprintf(stderr, "ovsdp: %s\n", (pp.mode_err ? pp.mode_err : pp.auto_err)->message);
		status = OVSDP_EXIT_FAIL;
	}
	g_clear_error(&pp.auto_err);
	g_clear_error(&pp.mode_err);
	g_free(pp.auto_why);
	g_free(pp.mode_why);
	ovsdp_plugins_free(pp.list);
	ovsdp_config_free(cfg);
	return status;
}
