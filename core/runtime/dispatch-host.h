/* dispatch-host.h: the core's side of the plugin ABI: the host vtable a
 * dispatch plugin calls, and the per-instance context behind it. */
#ifndef OVSDP_DISPATCH_HOST_H
#define OVSDP_DISPATCH_HOST_H

#include "ovsdp/config.h"
#include "ovsdp/datapath.h"
#include "ovsdp/dispatch.h"
#include "ovsdp/features.h"

/* A context for one plugin instance on one datapath.  'dp' is the control
 * handle (used only from control methods, which the core serialises);
 * 'features' must outlive the context. */
struct ovsdp_dispatch_host_ctx *ovsdp_host_ctx_new(struct ovsdp_dp *dp,
						   const struct ovsdp_config *config,
						   const char *plugin_name,
						   const struct ovsdp_features *features);
/* Whether the plugin's last successful dp_set_per_cpu_pids() gave the
 * datapath a per-cpu array (true) or none yet / switched it off (false). */
bool ovsdp_host_ctx_per_cpu(const struct ovsdp_dispatch_host_ctx *ctx);
void ovsdp_host_ctx_free(struct ovsdp_dispatch_host_ctx *ctx);
/* The sockets were handed to another process: from now on the plugin's
 * calls that would repoint the kernel (vport and per-cpu pids) succeed
 * without doing anything, so its teardown leaves the kernel to the
 * successor. */
void ovsdp_host_ctx_freeze(struct ovsdp_dispatch_host_ctx *ctx);

const struct ovsdp_dispatch_host *ovsdp_host_vtable(void);

/* The plugin's view of struct ovsdp_features (<ovsdp/dispatch.h>'s struct
 * ovsdp_dispatch_features) with the storage its strings and arrays point
 * into: a copy of the features, the families and the affinity CPU ids. */
#define OVSDP_VIEW_MAX_CPUS 4096
struct ovsdp_features_view {
	struct ovsdp_dispatch_features view;
	struct ovsdp_features copy;
	struct ovsdp_dispatch_family families[OVSDP_N_FAMILIES];
	uint32_t cpus[OVSDP_VIEW_MAX_CPUS];
};

/* Fill *v from *f (a copy: *f may change or go afterwards). */
void ovsdp_features_view_fill(struct ovsdp_features_view *v, const struct ovsdp_features *f);

#endif
