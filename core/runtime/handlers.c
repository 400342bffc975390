/* handlers.c: the upcall handler runtime's public lifecycle: create (with
 * its port monitor), configure, resize, recv_set, name, free and detach.
 * The parts: runtime.h says which file holds what. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "runtime/runtime.h"
#include "ovsdp/datapath.h"

/* ---- public API --------------------------------------------------------- */

/* The options as ABI 1.0 has them: what every caller's struct_size covers. */
#define HANDLERS_OPTIONS_1_0_SIZE \
	(offsetof(struct ovsdp_handlers_options, user_data) + sizeof(void *))

OVSDP_EXPORT int
ovsdp_handlers_new(const struct ovsdp_handlers_options *caller_opts, struct ovsdp_handlers **out,
		   GError **error)
{
	struct ovsdp_handlers_options copy = { 0 };
	const struct ovsdp_handlers_options *opts = &copy;
	struct ovsdp_handlers *hs;
	int r;

	if (caller_opts && caller_opts->struct_size < HANDLERS_OPTIONS_1_0_SIZE)
		return ovsdp_set_error(error, -EINVAL, NULL, "handlers: options struct_size is %zu, "
				       "below the %zu bytes of ABI 1.0 (set it to sizeof(struct "
				       "ovsdp_handlers_options))", caller_opts->struct_size,
				       (size_t)HANDLERS_OPTIONS_1_0_SIZE);
	/* Members past the caller's struct_size (a later minor's) stay 0. */
	if (caller_opts)
		memcpy(&copy, caller_opts, MIN(caller_opts->struct_size, sizeof copy));
	if (!caller_opts || !out || !opts->dp_name || !opts->callback)
		return ovsdp_set_error(error, -EINVAL, NULL, "handlers: missing datapath name or callback");
	*out = NULL;
	if (opts->n_handlers > OVSDP_HANDLERS_MAX)
		return ovsdp_set_error(error, -EINVAL, NULL, "handlers: %u is more than %u",
					       opts->n_handlers, OVSDP_HANDLERS_MAX);
	hs = g_new0(struct ovsdp_handlers, 1);
	hs->dp_name = g_strdup(opts->dp_name);
	hs->config = opts->config;
	hs->callback = opts->callback;
	hs->user_data = opts->user_data;
	hs->batch = opts->batch ? MIN(opts->batch, 64u) : 32;
	hs->msg_size = opts->msg_size ? MAX(opts->msg_size, 1024u) : 65536;
	hs->requested = opts->n_handlers;
	hs->pull = opts->pull;
	pthread_mutex_init(&hs->control, NULL);
	pthread_mutex_init(&hs->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&hs->drained, &ca);
		pthread_cond_init(&hs->armed, &ca);
		pthread_cond_init(&hs->pull_idle, &ca);
		pthread_condattr_destroy(&ca);
	}
	hs->handlers = g_ptr_array_new();
	hs->shares = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	hs->mon_wake = -1;

	r = ovsdp_features_probe(&hs->features, error);
	if (r < 0)
		goto fail;
	r = ovsdp_dp_open(opts->dp_name, &hs->control_dp, error);
	if (r < 0)
		goto fail;
	hs->dp_ifindex = ovsdp_dp_ifindex(hs->control_dp);
	hs->packet_family = (uint16_t)ovsdp_dp_packet_family(hs->control_dp);
	r = ovsdp_monitor_open(OVSDP_MONITOR_VPORTS, &hs->mon, error);
	if (r < 0)
		goto fail;
	/* Tests make it overrun at once (test-churn's resync case). */
	if (g_getenv("OVSDP_TEST_MONITOR_RCVBUF")) {
		int size = atoi(g_getenv("OVSDP_TEST_MONITOR_RCVBUF"));

		setsockopt(ovsdp_monitor_fd(hs->mon), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	}
	/* Listed after the monitor opened: a port between the two is in both. */
	hs->mon_known = port_monitor_list(hs);
	if (!hs->mon_known) {
		r = ovsdp_set_error(error, -EIO, NULL, "%s: listing the ports failed", opts->dp_name);
		goto fail;
	}
	hs->mon_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	hs->mon_thread = g_thread_new("ovsdp-monitor", port_monitor_main, hs);
	*out = hs;
	return 0;
fail:
	ovsdp_handlers_free(hs);
	return r;
}

OVSDP_EXPORT int
ovsdp_handlers_set_config(struct ovsdp_handlers *hs, const struct ovsdp_config *config)
{
	if (!hs)
		return -EINVAL;
	pthread_mutex_lock(&hs->control);
	hs->config = config;
	pthread_mutex_unlock(&hs->control);
	return 0;
}

OVSDP_EXPORT int
ovsdp_handlers_resize(struct ovsdp_handlers *hs, unsigned int n, GError **error)
{
	struct dispatcher *d;
	int r;

	if (!hs || n == 0 || n > OVSDP_HANDLERS_MAX)
		return ovsdp_set_error(error, -EINVAL, NULL, "handlers: count must be 1 to %u",
					       OVSDP_HANDLERS_MAX);
	pthread_mutex_lock(&hs->control);
	if (hs->detached) {
		pthread_mutex_unlock(&hs->control);
		return ovsdp_set_error(error, -ESHUTDOWN, NULL, "handlers: handed over to another "
				       "process");
	}
	/* The affinity may have changed since: a dictated count follows it. */
	handlers_refresh_affinity(hs);
	d = hs->active;
	if (d && d->dictates_handlers) {
		pthread_mutex_unlock(&hs->control);
		return ovsdp_set_error(error, -EPERM, NULL,
					       "dispatcher %s dictates the handler count (%u, from "
					       "the CPU affinity %s)", d->name, d->n_handlers,
					       hs->features.affinity_list);
	}
	if (!d) {
		hs->requested = n;
		pthread_mutex_unlock(&hs->control);
		return 0;
	}
	/* Threads first when growing, so every index the plugin serves has
	 * one; the plugin first when shrinking, so no thread loses its fd. */
	r = handlers_set_thread_count(hs, MAX(n, d->n_handlers), error);
	if (r == 0) {
		r = dispatcher_handlers_set(d, n);
		if (r < 0)
			ovsdp_set_error(error, r, NULL, "dispatcher %s: handlers_set(%u) failed, "
					"%u handlers stay", d->name, n, d->n_handlers);
		else
			hs->requested = n;  /* a refused count is not kept for the next plugin */
	}
	handlers_wake_all(hs);
	handlers_set_thread_count(hs, d->n_handlers, NULL);
	handlers_wait_armed(hs, d);
	pthread_mutex_unlock(&hs->control);
	return r;
}

OVSDP_EXPORT int
ovsdp_handlers_recv_set(struct ovsdp_handlers *hs, bool enable, GError **error)
{
	int r = 0;

	if (!hs)
		return -EINVAL;
	pthread_mutex_lock(&hs->control);
	if (hs->active) {
		r = dispatcher_recv_set(hs->active, enable);
		if (r < 0)
			ovsdp_set_error(error, r, NULL, "dispatcher %s: recv_set(%s) failed",
						hs->active->name, enable ? "true" : "false");
		else if (enable)
			r = dispatcher_own_mode(hs, hs->active, error);
	}
	handlers_wake_all(hs);
	pthread_mutex_unlock(&hs->control);
	return r;
}

OVSDP_EXPORT char *
ovsdp_handlers_plugin_name(struct ovsdp_handlers *hs)
{
	char *name = NULL;

	if (!hs)
		return NULL;
	/* 'lock' guards 'active'; a switch replaces it under that lock. */
	pthread_mutex_lock(&hs->lock);
	if (hs->active)
		name = strdup(hs->active->name);
	pthread_mutex_unlock(&hs->lock);
	return name;
}

OVSDP_EXPORT void
ovsdp_handlers_free(struct ovsdp_handlers *hs)
{
	if (!hs)
		return;
	if (hs->mon_thread) {
		g_atomic_int_set(&hs->mon_stop, 1);
		handlers_wake(hs->mon_wake);
		g_thread_join(hs->mon_thread);
	}
	pthread_mutex_lock(&hs->control);
	if (hs->active && hs->detached) {
		/* The successor reads these sockets: no drain, and the frozen
		 * host keeps the plugin's teardown from repointing the kernel. */
		dispatcher_free(hs->active);
		hs->active = NULL;
	} else if (hs->active) {
		struct dispatcher *d = hs->active;
		int r;

		/* Point the kernel away, then deliver what is already queued
		 * (in pull mode, on this thread: see dispatcher_retire()). */
		hs->stopping = true;
		r = dispatcher_recv_set(d, false);
		if (r < 0)
			g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: dispatcher %s: recv_set(false) failed "
			      "while stopping: %s; the kernel counts its upcalls as lost from now on",
			      hs->dp_name, d->name, g_strerror(-r));
		pthread_mutex_lock(&hs->lock);
		hs->active = NULL;
		pthread_mutex_unlock(&hs->lock);
		dispatcher_retire(hs, d);
	}
	handlers_set_thread_count(hs, 0, NULL);
	pthread_mutex_unlock(&hs->control);
	ovsdp_monitor_close(hs->mon);
	if (hs->mon_wake >= 0)
		close(hs->mon_wake);
	if (hs->mon_known)
		g_hash_table_destroy(hs->mon_known);
	ovsdp_dp_close(hs->control_dp);
	g_ptr_array_free(hs->handlers, TRUE);
	g_hash_table_destroy(hs->shares);
	pthread_mutex_destroy(&hs->control);
	pthread_mutex_destroy(&hs->lock);
	pthread_cond_destroy(&hs->drained);
	pthread_cond_destroy(&hs->armed);
	pthread_cond_destroy(&hs->pull_idle);
	g_free(hs->dp_name);
	g_free(hs);
}

OVSDP_EXPORT int
ovsdp_handlers_detach(struct ovsdp_handlers *hs)
{
	if (!hs)
		return -EINVAL;
	pthread_mutex_lock(&hs->control);
	/* Each handler finishes the batch it holds (its replies sent) and
	 * stops; what is queued stays on the sockets for the successor. */
	handlers_set_thread_count(hs, 0, NULL);
	hs->detached = true;
	if (hs->active)
		ovsdp_host_ctx_freeze(hs->active->ctx);
	pthread_mutex_unlock(&hs->control);
	return 0;
}
