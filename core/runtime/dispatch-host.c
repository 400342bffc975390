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

#include "runtime/dispatch-host.h"
#include "dp/upcall-internal.h"
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
	unsigned int n_opened;  /* sockets opened so far: the next one's number */
	gint frozen;            /* handed over: leave the kernel's pids alone */
};

/* The registry of plugin sockets (see <ovsdp/upcall.h>): those open now,
 * for a restart to hand over, and those a restarted process was offered,
 * for the plugins to take back. */
struct usock_rec {
	struct ovsdp_upcall_sock *s;    /* open: ours; offered: adopted, no owner yet */
	char *dp;
	char *plugin;
	unsigned int n;
};

static GMutex registry_lock;
static GPtrArray *registry_open;        /* struct usock_rec *, in opening order */
static GPtrArray *registry_offered;

static void
usock_rec_free(gpointer p)
{
	struct usock_rec *r = p;

	g_free(r->dp);
	g_free(r->plugin);
	g_free(r);
}

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

/* Which offered socket a plugin takes first: its own, in the order they
 * were opened, then other plugins' (by name, then order). */
static int
offered_cmp(const struct usock_rec *a, const struct usock_rec *b, const char *plugin)
{
	int a_other = strcmp(a->plugin, plugin) != 0, b_other = strcmp(b->plugin, plugin) != 0;
	int c;

	if (a_other != b_other)
		return a_other - b_other;
	if ((c = strcmp(a->plugin, b->plugin)))
		return c;
	return a->n < b->n ? -1 : a->n > b->n;
}

/* The offered socket this plugin instance takes next, on its datapath, or
 * NULL.  With registry_lock. */
static struct ovsdp_upcall_sock *
take_offered(struct ovsdp_dispatch_host_ctx *ctx)
{
	const char *dp = ovsdp_dp_name(ctx->dp);
	struct usock_rec *best = NULL;
	struct ovsdp_upcall_sock *s;

	for (guint i = 0; registry_offered && i < registry_offered->len; i++) {
		struct usock_rec *r = registry_offered->pdata[i];

		if (!strcmp(r->dp, dp) && (!best || offered_cmp(r, best, ctx->plugin) < 0))
			best = r;
	}
	if (!best)
		return NULL;
	s = best->s;
	g_ptr_array_remove_fast(registry_offered, best);
	return s;
}

static int
host_usock_open(struct ovsdp_dispatch_host_ctx *ctx, uint32_t rcvbuf, struct ovsdp_usock **out)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_upcall_sock *s = NULL;
	struct usock_rec *rec;
	int r = 0;

	if (!out)
		return -EINVAL;
	g_mutex_lock(&registry_lock);
	s = take_offered(ctx);
	g_mutex_unlock(&registry_lock);
	if (s) {
		host_log(ctx, OVSDP_DISPATCH_LOG_DEBUG, "upcall socket %u: port id %u, taken over",
			 ctx->n_opened, ovsdp_upcall_sock_portid(s));
	} else {
		r = ovsdp_upcall_sock_open(rcvbuf > INT32_MAX ? INT32_MAX : (int)rcvbuf, &s, &err);
	}
	if (r < 0) {
		host_log(ctx, OVSDP_DISPATCH_LOG_ERR, "opening an upcall socket: %s",
			 err ? err->message : g_strerror(-r));
		return r;
	}
	rec = g_new0(struct usock_rec, 1);
	rec->s = s;
	rec->dp = g_strdup(ovsdp_dp_name(ctx->dp));
	rec->plugin = g_strdup(ctx->plugin);
	rec->n = ctx->n_opened++;
	g_mutex_lock(&registry_lock);
	if (!registry_open)
		registry_open = g_ptr_array_new_with_free_func(usock_rec_free);
	g_ptr_array_add(registry_open, rec);
	g_mutex_unlock(&registry_lock);
	*out = (struct ovsdp_usock *)s;
	return 0;
}

static void
host_usock_close(struct ovsdp_dispatch_host_ctx *ctx, struct ovsdp_usock *s)
{
	g_mutex_lock(&registry_lock);
	for (guint i = 0; s && registry_open && i < registry_open->len; i++) {
		struct usock_rec *r = registry_open->pdata[i];

		if (r->s == (struct ovsdp_upcall_sock *)s) {
			g_ptr_array_remove_index(registry_open, i);
			break;
		}
	}
	g_mutex_unlock(&registry_lock);
	ovsdp_upcall_sock_close((struct ovsdp_upcall_sock *)s);
}

OVSDP_EXPORT int
ovsdp_upcall_socks_list(struct ovsdp_upcall_sock_entry *out, unsigned int n)
{
	int count;

	if (!out && n)
		return -EINVAL;
	g_mutex_lock(&registry_lock);
	count = registry_open ? (int)registry_open->len : 0;
	for (unsigned int i = 0; i < n && (int)i < count; i++) {
		const struct usock_rec *r = registry_open->pdata[i];

		out[i].fd = ovsdp_upcall_sock_fd(r->s);
		out[i].portid = ovsdp_upcall_sock_portid(r->s);
		g_snprintf(out[i].name, sizeof out[i].name, "ovsdp/%s/%s/%u", r->dp, r->plugin, r->n);
	}
	g_mutex_unlock(&registry_lock);
	return count;
}

OVSDP_EXPORT int
ovsdp_upcall_socks_offer(int fd, const char *name, GError **error)
{
	g_auto(GStrv) parts = name ? g_strsplit(name, "/", -1) : NULL;
	struct ovsdp_upcall_sock *s = NULL;
	struct usock_rec *rec;
	guint64 n;
	int r;

	if (!parts || g_strv_length(parts) != 4 || strcmp(parts[0], "ovsdp") || !*parts[1] ||
	    !*parts[2] || !g_ascii_string_to_unsigned(parts[3], 10, 0, G_MAXUINT, &n, NULL)) {
		g_set_error(error, OVSDP_ERROR, EINVAL, "upcall socket name '%s': expected "
			    "ovsdp/DATAPATH/PLUGIN/N", name ? name : "(null)");
		return -EINVAL;
	}
	r = ovsdp_upcall_sock_adopt(fd, 0, &s, error);
	if (r < 0) {
		g_prefix_error(error, "%s: ", name);
		return r;
	}
	rec = g_new0(struct usock_rec, 1);
	rec->s = s;
	rec->dp = g_strdup(parts[1]);
	rec->plugin = g_strdup(parts[2]);
	rec->n = (unsigned int)n;
	g_mutex_lock(&registry_lock);
	if (!registry_offered)
		registry_offered = g_ptr_array_new_with_free_func(usock_rec_free);
	g_ptr_array_add(registry_offered, rec);
	g_mutex_unlock(&registry_lock);
	return 0;
}

OVSDP_EXPORT int
ovsdp_upcall_socks_release(uint64_t *dropped)
{
	GPtrArray *left;
	uint64_t queued = 0;
	int count;

	g_mutex_lock(&registry_lock);
	left = registry_offered;
	registry_offered = NULL;
	g_mutex_unlock(&registry_lock);
	count = left ? (int)left->len : 0;
	for (int i = 0; i < count; i++) {
		struct usock_rec *r = left->pdata[i];
		int p = ovsdp_upcall_sock_purge(r->s);

		if (p > 0)
			queued += (uint64_t)p;
		ovsdp_upcall_sock_close(r->s);
	}
	if (left)
		g_ptr_array_unref(left);
	if (dropped)
		*dropped = queued;
	return count;
}

void
ovsdp_host_ctx_freeze(struct ovsdp_dispatch_host_ctx *ctx)
{
	if (ctx)
		g_atomic_int_set(&ctx->frozen, 1);
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
	if (g_atomic_int_get(&ctx->frozen))
		return 0;
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

	if (g_atomic_int_get(&ctx->frozen))
		return 0;
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
