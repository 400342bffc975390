/* cmd-probe.c: `ovsdp probe`: everything features.c learns about the
 * running kernel, as text for people or JSON for scripts. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ovsdp/features.h"
#include "json.h"
#include "ovsdp.h"

static void
json_tristate(struct json *j, const char *key, enum ovsdp_tristate t)
{
	json_key(j, key);
	if (t == OVSDP_UNKNOWN)
		json_null(j);
	else
		json_bool(j, t == OVSDP_YES);
}

static void
print_json(const struct ovsdp_features *f)
{
	struct json *j = json_new();

	json_object_begin(j);
	json_kv_string(j, "kernel", f->kernel_release);
	json_kv_bool(j, "datapath_available", f->datapath_available);
	json_key(j, "families");
	json_array_begin(j);
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
	json_kv_bool(j, "vport_upcall_stats", f->vport_upcall_stats);
	json_kv_bool(j, "execute_upcall_pid", f->execute_upcall_pid);
	json_kv_bool(j, "epoll_exclusive", f->epoll_exclusive);
	json_key(j, "cpus");
	json_object_begin(j);
	json_kv_uint(j, "ids", f->cpu_ids);
	json_kv_uint(j, "online", f->cpus_online);
	json_kv_uint(j, "affinity", f->cpus_affinity);
	json_kv_string(j, "affinity_list", f->affinity_list);
	json_object_end(j);
	json_object_end(j);
	json_finish(j, stdout);
}

static const char *
yesno(bool b)
{
	return b ? "yes" : "no";
}

static void
print_text(const struct ovsdp_features *f)
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
}

int
cmd_probe(int argc, char **argv)
{
	struct ovsdp_features f;
	g_autoptr(GError) err = NULL;
	bool json = false;
	int r;

	if (!tool_parse(&argc, &argv, "",
			"Probe the kernel's openvswitch datapath: families, user-feature "
			"negotiation, per-cpu dispatch, EPOLLEXCLUSIVE, CPUs.",
			NULL, &json))
		return OVSDP_EXIT_USAGE;
	if (argc > 1)
		return tool_fail("probe takes no arguments (got '%s')", argv[1]), OVSDP_EXIT_USAGE;

	r = ovsdp_features_probe(&f, &err);
	if (json)
		print_json(&f);
	else
		print_text(&f);
	if (r < 0) {
		fprintf(stderr, "ovsdp: %s\n", err ? err->message : g_strerror(-r));
		return OVSDP_EXIT_FAIL;
	}
	return 0;
}
