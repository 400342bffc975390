/* dispatch-host.c: the services the core offers dispatch plugins (the
 * ovsdp_dispatch_host vtable): upcall sockets, vport and per-cpu pids, port
 * lists, features, options and logging, all without exposing libnl. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "dispatch-host.h"
#include "upcall-internal.h"
#include "ovsdp/upcall.h"
#include "ovsdp/vport.h"

struct ovsdp_dispatch_host_ctx {
	struct ovsdp_dp *dp;
	const struct ovsdp_config *config;
	char *plugin;
	const struct ovsdp_features *features;
	/* The plugin's view of *features, rebuilt when *features changed. */
	pthread_mutex_t view_lock;
	bool have_view;
	struct ovsdp_features_view view;
	bool per_cpu;           /* the plugin's last dp_set_per_cpu_pids() set an array */
};

static void
set_tristate(int32_t *out, enum ovsdp_tristate t)
{
	*out = t == OVSDP_YES ? OVSDP_DISPATCH_YES : t == OVSDP_NO ? OVSDP_DISPATCH_NO
								   : OVSDP_DISPATCH_UNKNOWN;
}

/* "0-3,8" -> 0 1 2 3 8; stops at the first malformed item or at max. */
static uint32_t
parse_cpu_list(const char *s, uint32_t *out, uint32_t max)
{
	uint32_t n = 0;

	while (s && *s && n < max) {
		char *end;
		unsigned long lo = strtoul(s, &end, 10), hi;

		if (end == s)
			break;
		hi = lo;
		s = end;
		if (*s == '-') {
			hi = strtoul(s + 1, &end, 10);
			if (end == s + 1 || hi < lo)
				break;
			s = end;
		}
		for (unsigned long c = lo; c <= hi && n < max; c++)
			out[n++] = (uint32_t)c;
		if (*s != ',')
			break;
		s++;
	}
	return n;
}

void
ovsdp_features_view_fill(struct ovsdp_features_view *v, const struct ovsdp_features *f)
{
	struct ovsdp_dispatch_features *o = &v->view;
	const struct ovsdp_features *c = &v->copy;

	memset(o, 0, sizeof *o);
	memcpy(&v->copy, f, sizeof *f);
	v->copy.kernel_release[sizeof v->copy.kernel_release - 1] = '\0';
	v->copy.probe_error[sizeof v->copy.probe_error - 1] = '\0';
	v->copy.affinity_list[sizeof v->copy.affinity_list - 1] = '\0';
	o->struct_size = sizeof *o;
	set_tristate(&o->per_cpu_dispatch, c->per_cpu_dispatch);
	o->per_cpu_errno = c->per_cpu_errno;
	set_tristate(&o->rejects_unknown_features, c->rejects_unknown_features);
	o->cpu_ids = c->cpu_ids;
	o->cpus_online = c->cpus_online;
	o->cpus_affinity = c->cpus_affinity;
	o->datapath_available = c->datapath_available;
	o->datapath_probed = c->datapath_probed;
	o->vport_upcall_stats = c->vport_upcall_stats;
	o->execute_upcall_pid = c->execute_upcall_pid;
	o->epoll_exclusive = c->epoll_exclusive;
	o->kernel_release = c->kernel_release;
	o->probe_error = c->datapath_probed ? "" : c->probe_error;
	o->affinity_list = c->affinity_list;
	o->n_affinity_cpus = parse_cpu_list(c->affinity_list, v->cpus, OVSDP_VIEW_MAX_CPUS);
	o->affinity_cpus = v->cpus;
	for (unsigned int i = 0; i < OVSDP_N_FAMILIES; i++) {
		struct ovsdp_dispatch_family *fam = &v->families[i];

		v->copy.families[i].name[sizeof v->copy.families[i].name - 1] = '\0';
		memset(fam, 0, sizeof *fam);
		fam->struct_size = sizeof *fam;
		fam->id = c->families[i].id;
		fam->version = c->families[i].version;
		fam->maxattr = c->families[i].maxattr;
		fam->name = c->families[i].name;
		fam->required = c->families[i].required;
		fam->present = c->families[i].present;
	}
	o->n_families = OVSDP_N_FAMILIES;
	o->families = v->families;
}

struct ovsdp_dispatch_host_ctx *
ovsdp_host_ctx_new(struct ovsdp_dp *dp, const struct ovsdp_config *config,
		   const char *plugin_name, const struct ovsdp_features *features)
{
	struct ovsdp_dispatch_host_ctx *ctx = g_new0(struct ovsdp_dispatch_host_ctx, 1);

	ctx->dp = dp;
	ctx->config = config;
	ctx->plugin = g_strdup(plugin_name);
	ctx->features = features;
	pthread_mutex_init(&ctx->view_lock, NULL);
	return ctx;
}

bool
ovsdp_host_ctx_per_cpu(const struct ovsdp_dispatch_host_ctx *ctx)
{
	return ctx && ctx->per_cpu;
}

void
ovsdp_host_ctx_free(struct ovsdp_dispatch_host_ctx *ctx)
{
	if (!ctx)
		return;
	g_free(ctx->plugin);
	pthread_mutex_destroy(&ctx->view_lock);
	g_free(ctx);
}

static void host_log(struct ovsdp_dispatch_host_ctx *ctx, enum ovsdp_dispatch_log_level level,
		     const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
host_log(struct ovsdp_dispatch_host_ctx *ctx, enum ovsdp_dispatch_log_level level,
	 const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	GLogLevelFlags gl;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* G_LOG_LEVEL_ERROR aborts the process: a plugin's error is a warning
	 * to glib, and says "error" in its text. */
	switch (level) {
	case OVSDP_DISPATCH_LOG_ERR:
	case OVSDP_DISPATCH_LOG_WARNING:
		gl = G_LOG_LEVEL_WARNING;
		break;
	case OVSDP_DISPATCH_LOG_INFO:
		gl = G_LOG_LEVEL_MESSAGE;
		break;
	default:
		gl = G_LOG_LEVEL_DEBUG;
		break;
	}
	g_log("ovsdp", gl, "%s%s@%s: %s", level == OVSDP_DISPATCH_LOG_ERR ? "error: " : "",
	      ctx->plugin, ovsdp_dp_name(ctx->dp), msg);
}

static const char *
host_option(struct ovsdp_dispatch_host_ctx *ctx, const char *key)
{
	if (!ctx->config || !key)
		return NULL;
	return ovsdp_config_plugin_option(ctx->config, ctx->plugin, key);
}

/* Rebuilt only when the core's features changed (the core refreshes the
 * affinity between control calls), so a view a plugin holds is not
 * written under it by a call that changes nothing. */
static const struct ovsdp_dispatch_features *
host_features(struct ovsdp_dispatch_host_ctx *ctx)
{
	pthread_mutex_lock(&ctx->view_lock);
	if (!ctx->have_view || memcmp(&ctx->view.copy, ctx->features, sizeof *ctx->features)) {
		ovsdp_features_view_fill(&ctx->view, ctx->features);
		ctx->have_view = true;
	}
	pthread_mutex_unlock(&ctx->view_lock);
	return &ctx->view.view;
}

static const char *
host_dp_name(struct ovsdp_dispatch_host_ctx *ctx)
{
	return ovsdp_dp_name(ctx->dp);
}

static int
host_port_list(struct ovsdp_dispatch_host_ctx *ctx, uint32_t *ports, unsigned int n)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_vport_info *info = NULL;
	int count = ovsdp_vport_list(ctx->dp, &info, &err);

	if (count < 0) {
		host_log(ctx, OVSDP_DISPATCH_LOG_ERR, "listing ports: %s", err->message);
		return count;
	}
	for (int i = 0; i < count && (unsigned int)i < n; i++)
		ports[i] = info[i].port_no;
	g_free(info);
	return count;
}

static int
host_usock_open(struct ovsdp_dispatch_host_ctx *ctx, uint32_t rcvbuf, struct ovsdp_usock **out)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_upcall_sock *s = NULL;
	int r;

	if (!out)
		return -EINVAL;
	r = ovsdp_upcall_sock_open(rcvbuf > INT32_MAX ? INT32_MAX : (int)rcvbuf, &s, &err);
	if (r < 0) {
		host_log(ctx, OVSDP_DISPATCH_LOG_ERR, "opening an upcall socket: %s",
			 err ? err->message : g_strerror(-r));
		return r;
	}
	*out = (struct ovsdp_usock *)s;
	return 0;
}

static void
host_usock_close(struct ovsdp_dispatch_host_ctx *ctx, struct ovsdp_usock *s)
{
	ovsdp_upcall_sock_close((struct ovsdp_upcall_sock *)s);
}

static uint32_t
host_usock_portid(const struct ovsdp_usock *s)
{
	return s ? ovsdp_upcall_sock_portid((const struct ovsdp_upcall_sock *)s) : 0;
}

static int
host_usock_fd(const struct ovsdp_usock *s)
{
	return s ? ovsdp_upcall_sock_fd((const struct ovsdp_upcall_sock *)s) : -EINVAL;
}

static int
host_usock_recv(struct ovsdp_dispatch_host_ctx *ctx, struct ovsdp_usock *s,
		struct ovsdp_dispatch_msg *msgs, unsigned int n)
{
	struct ovsdp_upcall_sock *us = (struct ovsdp_upcall_sock *)s;
	struct ovsdp_upcall_slot slots[64];
	uint32_t portid;
	int r;

	if (!s || !msgs)
		return -EINVAL;
	if (n > G_N_ELEMENTS(slots))
		n = G_N_ELEMENTS(slots);
	if (n == 0)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		slots[i].buf = msgs[i].data;
		slots[i].size = msgs[i].size;
		slots[i].len = 0;
	}
	r = ovsdp_upcall_sock_recv_batch_whole(us, slots, n);
	if (r == -EAGAIN)
		return 0;
	if (r < 0)
		return r;
	portid = ovsdp_upcall_sock_portid(us);
	for (int i = 0; i < r; i++) {
		/* Dropping a truncated message reorders the slots' buffers. */
		/* A message larger than its slot comes whole in a buffer
		 * of this thread's (upcall-internal.h). */
		msgs[i].data = slots[i].buf;
		msgs[i].size = (uint32_t)slots[i].size;
		msgs[i].len = (uint32_t)slots[i].len;
		msgs[i].portid = portid;
		msgs[i].flags = slots[i].len > msgs[i].size ? OVSDP_DISPATCH_MSG_TRUNCATED : 0;
	}
	return r;
}

static int
host_usock_purge(struct ovsdp_dispatch_host_ctx *ctx, struct ovsdp_usock *s)
{
	return s ? ovsdp_upcall_sock_purge((struct ovsdp_upcall_sock *)s) : -EINVAL;
}

static int
host_vport_set_upcall_pids(struct ovsdp_dispatch_host_ctx *ctx, uint32_t port_no,
			   const uint32_t *pids, unsigned int n)
{
	g_autoptr(GError) err = NULL;
	int r;

	if (!pids || n == 0)
		return -EINVAL;
	r = ovsdp_vport_set_upcall_pids(ctx->dp, port_no, pids, n, &err);
	if (r < 0 && r != -ENODEV && r != -ENOENT)
		host_log(ctx, OVSDP_DISPATCH_LOG_ERR, "setting upcall pids of port %u: %s",
			 port_no, err->message);
	return r == -ENOENT ? -ENODEV : r;
}

static int
host_dp_set_per_cpu_pids(struct ovsdp_dispatch_host_ctx *ctx, const uint32_t *pids,
			 unsigned int n)
{
	g_autoptr(GError) err = NULL;
	int r;

	if (n == 0)
		r = ovsdp_dp_set_user_features(ctx->dp, ovsdp_dp_user_features(ctx->dp) &
					       ~OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, &err);
	else if (!pids)
		return -EINVAL;
	else
		r = ovsdp_dp_set_per_cpu_pids(ctx->dp, pids, n, &err);
	if (r < 0)
		host_log(ctx, OVSDP_DISPATCH_LOG_ERR, "%s per-cpu dispatch: %s",
			 n ? "enabling" : "disabling", err->message);
	else
		ctx->per_cpu = n > 0;
	return r;
}

static const struct ovsdp_dispatch_host host_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_host),
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.log = host_log,
	.option = host_option,
	.features = host_features,
	.dp_name = host_dp_name,
	.port_list = host_port_list,
	.usock_open = host_usock_open,
	.usock_close = host_usock_close,
	.usock_portid = host_usock_portid,
	.usock_fd = host_usock_fd,
	.usock_recv = host_usock_recv,
	.usock_purge = host_usock_purge,
	.vport_set_upcall_pids = host_vport_set_upcall_pids,
	.dp_set_per_cpu_pids = host_dp_set_per_cpu_pids,
};

const struct ovsdp_dispatch_host *
ovsdp_host_vtable(void)
{
	return &host_vtable;
}
