/* dispatcher.c: one plugin instance on the datapath as the runtime holds
 * it: its dispatch lock, creation and teardown, the control methods called
 * under the write lock, the handler count it gets, and bringing it up
 * (ports registered, the kernel pointed at it, the datapath in its
 * dispatch mode). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "runtime/runtime.h"
#include "ovsdp/datapath.h"
#include "ovsdp/vport.h"

/* Take d's dispatch lock for writing, for a control method.  A handler
 * may be asleep in d's wait holding the read lock: raise 'writers' first
 * (a handler that sees it leaves instead of waiting again), then make
 * every handler's wake_fd readable, which ends a wait (what the contract
 * of 'wait' promises), then queue for the lock, which new readers then
 * wait behind. */
void
dispatcher_control_lock(struct dispatcher *d)
{
	__atomic_add_fetch(&d->writers, 1, __ATOMIC_SEQ_CST);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, wait))
		handlers_wake_all(d->hs);
	pthread_rwlock_wrlock(&d->lock);
}

void
dispatcher_control_unlock(struct dispatcher *d)
{
	/* Before the unlock: a reader let in by it must not see it. */
	__atomic_sub_fetch(&d->writers, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&d->lock);
}

/* ---- dispatchers -------------------------------------------------------- */

int
dispatcher_new(struct ovsdp_handlers *hs, struct ovsdp_plugin *plugin, struct dispatcher **out,
	       GError **error)
{
	const struct ovsdp_dispatch_descriptor *desc = ovsdp_plugin_descriptor(plugin);
	struct dispatcher *d;
	int r;

	*out = NULL;
	if (!desc)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: the plugin is not loaded",
				       ovsdp_plugin_path(plugin));
	if (!OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, desc->vtable, create) ||
	    !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, desc->vtable, recv) ||
	    !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, desc->vtable, wait_fd) ||
	    !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, desc->vtable, recv_set)) {
		g_set_error(error, OVSDP_ERROR, ENOSYS,
			    "dispatcher %s cannot run: it lacks create, recv_set, wait_fd or recv",
			    desc->name);
		return -ENOSYS;
	}
	d = g_new0(struct dispatcher, 1);
	/* Under 'control': pull.c tells instances apart by it. */
	d->serial = ++hs->dispatcher_serial;
	d->vt = desc->vtable;
	g_strlcpy(d->name, desc->name, sizeof d->name);
	{
		pthread_rwlockattr_t la;

		pthread_rwlockattr_init(&la);
		pthread_rwlockattr_setkind_np(&la, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		pthread_rwlock_init(&d->lock, &la);
		pthread_rwlockattr_destroy(&la);
	}
	d->hs = hs;
	d->config = hs->config;
	d->ctx = ovsdp_host_ctx_new(hs->control_dp, d->config, d->name, &hs->features);
	r = d->vt->create(ovsdp_host_vtable(), d->ctx, &d->inst);
	if (r < 0 || !d->inst) {
		g_set_error(error, OVSDP_ERROR, r < 0 ? -r : EINVAL,
			    "dispatcher %s: create failed: %s", d->name,
			    g_strerror(r < 0 ? -r : EINVAL));
		ovsdp_host_ctx_free(d->ctx);
		pthread_rwlock_destroy(&d->lock);
		g_free(d);
		return r < 0 ? r : -EINVAL;
	}
	*out = d;
	return 0;
}

void
dispatcher_free(struct dispatcher *d)
{
	if (!d)
		return;
	dispatcher_control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, destroy))
		d->vt->destroy(d->inst);
	dispatcher_control_unlock(d);
	ovsdp_host_ctx_free(d->ctx);
	pthread_rwlock_destroy(&d->lock);
	g_free(d);
}

/* The end of a control method that may change what the plugin's stats
 * and describe say (the stats snapshot asks them again, handler-stats.c):
 * count the change, release the write lock. */
static void
control_done(struct dispatcher *d)
{
	__atomic_add_fetch(&d->changes, 1, __ATOMIC_RELAXED);
	dispatcher_control_unlock(d);
}

/* A control method under the dispatcher's write lock, as errno. */
int
dispatcher_handlers_set(struct dispatcher *d, uint32_t n)
{
	int r = 0;

	dispatcher_control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, handlers_set))
		r = d->vt->handlers_set(d->inst, n);
	if (r == 0)
		__atomic_store_n(&d->n_handlers, n, __ATOMIC_RELAXED);  /* stats read it unlocked */
	control_done(d);
	return r;
}

int
dispatcher_recv_set(struct dispatcher *d, bool enable)
{
	int r;

	dispatcher_control_lock(d);
	r = d->vt->recv_set(d->inst, enable);
	control_done(d);
	return r;
}

int
dispatcher_port_added(struct dispatcher *d, uint32_t port_no)
{
	int r = 0;

	dispatcher_control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, port_added))
		r = d->vt->port_added(d->inst, port_no);
	control_done(d);
	return r;
}

void
dispatcher_port_deleted(struct dispatcher *d, uint32_t port_no)
{
	dispatcher_control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, port_deleted))
		d->vt->port_deleted(d->inst, port_no);
	control_done(d);
}

/* How many handlers d gets: the plugin's demand, else the caller's, the
 * config's, or the CPUs this process may run on. */
uint32_t
choose_handler_count(struct ovsdp_handlers *hs, struct dispatcher *d, unsigned int asked)
{
	uint32_t n = 0;

	d->dictates_handlers = false;
	dispatcher_control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, number_handlers_required) &&
	    d->vt->number_handlers_required(d->inst, &n) && n > 0)
		d->dictates_handlers = true;
	dispatcher_control_unlock(d);
	if (d->dictates_handlers) {
		unsigned int cfg = d->config ? ovsdp_config_handlers(d->config) : 0;
		unsigned int want = asked ? asked : cfg;

		if (want && want != n)
			g_log("ovsdp", G_LOG_LEVEL_MESSAGE,
			      "%s: dispatcher %s dictates %u handler threads; ignoring the "
			      "configured count %u", hs->dp_name, d->name, n, want);
		return n;
	}
	if (asked)
		return asked;
	if (d->config && ovsdp_config_handlers(d->config))
		return ovsdp_config_handlers(d->config);
	return hs->features.cpus_affinity ? hs->features.cpus_affinity : 1;
}

/* The datapath's dispatch mode is the core's: once d's recv_set(true) has
 * put its pids in place, the datapath is in per-cpu mode exactly when d
 * gave it a per-cpu array.  A plugin that only sets vport pids (as the
 * guide's per-port dispatcher does) knows nothing of per-cpu mode, and a
 * datapath may be in it from a plugin switched away from or a previous
 * process: until the feature bit goes, the kernel ignores vport pids and
 * sends every miss to the old per-cpu sockets.  Leaving it only now means
 * no miss finds the new pids missing.
 *
 * Outside per-cpu mode the kernel keeps the last per-cpu array, and it
 * uses it again the moment the mode comes back: one OVS_DP_CMD_SET that
 * enters per-cpu mode sets the feature bit first and allocates and
 * publishes the new array after (ovs_dp_change() in
 * net/openvswitch/datapath.c), so a miss in between is routed by the old
 * array.  Were that array left naming sockets of a retired per-cpu
 * instance, or were there none (a new datapath), the kernel would count
 * that miss lost (ECONNREFUSED, ENOTCONN) on the next switch to per-cpu.
 * So before leaving per-cpu mode, and whenever a per-port dispatcher takes
 * over, the array is parked on the socket d serves the local port with:
 * the next entry into per-cpu mode then finds a socket that is read until
 * the grace period and drain of that switch.  Parking needs the mode bit
 * (the kernel takes an array only in per-cpu mode): outside it, it is a
 * short entry whose own window finds the previous dispatcher's parked
 * socket, alive until this switch retires it. */
int
dispatcher_own_mode(struct ovsdp_handlers *hs, struct dispatcher *d, GError **error)
{
	struct ovsdp_dp_info info;
	uint32_t pid;
	int r;

	if (ovsdp_host_ctx_per_cpu(d->ctx) || hs->features.per_cpu_dispatch == OVSDP_NO)
		return 0;
	r = ovsdp_dp_get_info(hs->control_dp, &info, error);
	if (r < 0)
		return r;
	pthread_rwlock_rdlock(&d->lock);
	pid = d->vt->port_get_pid(d->inst, OVSDP_PORT_LOCAL);
	pthread_rwlock_unlock(&d->lock);
	if (hs->features.per_cpu_dispatch == OVSDP_YES && pid != 0 &&
	    pid != OVSDP_DISPATCH_PID_PER_CPU) {
		r = ovsdp_dp_set_per_cpu_pids(hs->control_dp, &pid, 1, error);
		if (r < 0)
			return r;
		info.user_features |= OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU;
	}
	if (!(info.user_features & OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU))
		return 0;
	return ovsdp_dp_set_user_features(hs->control_dp, info.user_features &
					  ~OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, error);
}

/* Size d, register every port, point the kernel at it and put the
 * datapath in d's dispatch mode.  On failure the kernel routes misses as
 * it did (a per-cpu datapath stays in per-cpu mode) and d is still to be
 * freed. */
int
dispatcher_bring_up(struct ovsdp_handlers *hs, struct dispatcher *d, unsigned int asked,
		    GError **error)
{
	g_autoptr(GError) lerr = NULL;
	struct ovsdp_vport_info *ports = NULL;
	uint32_t n = choose_handler_count(hs, d, asked);
	int count, r;

	if (d->dictates_handlers && n > OVSDP_HANDLERS_MAX)
		return ovsdp_set_error(error, -EINVAL, NULL, "dispatcher %s: "
				       "number_handlers_required dictates %u handlers, more than %u",
				       d->name, n, OVSDP_HANDLERS_MAX);
	r = dispatcher_handlers_set(d, n);
	if (r < 0)
		return ovsdp_set_error(error, r, NULL, "dispatcher %s: handlers_set(%u) failed",
					       d->name, n);
	count = ovsdp_vport_list(hs->control_dp, &ports, &lerr);
	if (count < 0) {
		g_propagate_error(error, g_steal_pointer(&lerr));
		return count;
	}
	for (int i = 0; i < count; i++) {
		r = dispatcher_port_added(d, ports[i].port_no);
		if (r < 0) {
			ovsdp_set_error(error, r, NULL, "dispatcher %s: port_added(%u, %s) failed",
						d->name, ports[i].port_no, ports[i].name);
			g_free(ports);
			return r;
		}
	}
	g_free(ports);
	r = handlers_set_thread_count(hs, MAX(n, hs->active ? hs->active->n_handlers : 0), error);
	if (r < 0)
		return r;
	r = dispatcher_recv_set(d, true);
	if (r < 0)
		return ovsdp_set_error(error, r, NULL, "dispatcher %s: recv_set(true) failed",
				       d->name);
	r = dispatcher_own_mode(hs, d, &lerr);
	if (r < 0)
		return ovsdp_set_error(error, r, NULL, "dispatcher %s: leaving per-cpu dispatch "
				       "failed: %s", d->name, lerr ? lerr->message : g_strerror(-r));
	return 0;
}
