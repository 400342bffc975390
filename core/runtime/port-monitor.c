/* port-monitor.c: what changes behind the runtime's back: the monitor
 * thread follows vport notifications (re-reading the ports when its socket
 * overran) and the CPU affinity (a per-cpu dispatcher is resized with it);
 * and the public port calls, which the monitor uses too. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>

#include "runtime/runtime.h"
#include "runtime/handlers-internal.h"
#include "ovsdp/vport.h"

/* ---- CPU affinity: per-cpu dispatch follows it ------------------------- */

/* Re-read the CPU affinity; when it changed, a dispatcher that dictates the
 * handler count (per-cpu: one per CPU it may run on) is asked again and
 * resized.  Called with hs->control held: from `handlers set`
 * (ovsdp_handlers_resize) and from the monitor thread when it sees the
 * affinity change. */
void
handlers_refresh_affinity(struct ovsdp_handlers *hs)
{
	struct ovsdp_features now = hs->features;
	struct dispatcher *d = hs->active;
	uint32_t n;

	if (ovsdp_features_read_cpus(&now) < 0 ||
	    (now.cpus_affinity == hs->features.cpus_affinity &&
	     now.cpus_online == hs->features.cpus_online &&
	     !strcmp(now.affinity_list, hs->features.affinity_list)))
		return;
	g_log("ovsdp", G_LOG_LEVEL_MESSAGE, "%s: CPU affinity changed: %s (%u CPUs) -> %s (%u CPUs)",
	      hs->dp_name, hs->features.affinity_list, hs->features.cpus_affinity,
	      now.affinity_list, now.cpus_affinity);
	hs->features = now;
	if (!d || !d->dictates_handlers)
		return;
	n = choose_handler_count(hs, d, 0);
	if (!d->dictates_handlers || n == d->n_handlers || n == 0 || n > OVSDP_HANDLERS_MAX)
		return;
	if (handlers_set_thread_count(hs, MAX(n, d->n_handlers), NULL) == 0 &&
	    dispatcher_handlers_set(d, n) < 0)
		g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: dispatcher %s: handlers_set(%u) for the new "
		      "affinity failed; %u handlers stay", hs->dp_name, d->name, n, d->n_handlers);
	handlers_wake_all(hs);
	handlers_set_thread_count(hs, d->n_handlers, NULL);
	handlers_wait_armed(hs, d);
}

/* The affinity as last seen by the monitor thread: a cheap check each
 * second, the full refresh only on a change. */
static bool
affinity_changed(char *last, size_t size)
{
	struct ovsdp_features f;

	memset(&f, 0, sizeof f);
	if (ovsdp_features_read_cpus(&f) < 0 || !strcmp(last, f.affinity_list))
		return false;
	g_strlcpy(last, f.affinity_list, size);
	return true;
}

/* ---- monitor: ports that come and go behind the runtime's back ---------- */

/* The datapath's ports now, as port_no -> name; NULL on failure. */
GHashTable *
port_monitor_list(struct ovsdp_handlers *hs)
{
	struct ovsdp_vport_info *ports = NULL;
	GHashTable *t;
	int n;

	pthread_mutex_lock(&hs->control);
	n = ovsdp_vport_list(hs->control_dp, &ports, NULL);
	pthread_mutex_unlock(&hs->control);
	if (n < 0)
		return NULL;
	t = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	for (int i = 0; i < n; i++)
		g_hash_table_insert(t, GUINT_TO_POINTER(ports[i].port_no), g_strdup(ports[i].name));
	g_free(ports);
	return t;
}

static void
monitor_port_added(struct ovsdp_handlers *hs, uint32_t port_no, const char *name)
{
	g_autoptr(GError) err = NULL;

	g_hash_table_insert(hs->mon_known, GUINT_TO_POINTER(port_no), g_strdup(name));
	/* No caller to tell: a port left without a socket must at least be
	 * in the log (one already gone again, -ENODEV, needs none). */
	if (ovsdp_handlers_port_added(hs, port_no, &err) < 0 && err && err->code != ENODEV)
		g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: new port %u: %s", hs->dp_name, port_no,
		      err->message);
}

static void
monitor_port_deleted(struct ovsdp_handlers *hs, uint32_t port_no)
{
	g_hash_table_remove(hs->mon_known, GUINT_TO_POINTER(port_no));
	ovsdp_handlers_port_deleted(hs, port_no);
}

/* The monitor socket overran: events were lost.  Re-read the ports and
 * tell the dispatcher the difference with what the monitor knew: ports
 * that went (or came back under the same number with another name) are
 * deleted, ports it never heard of are added. */
static void
monitor_resync(struct ovsdp_handlers *hs)
{
	GHashTable *now = port_monitor_list(hs);
	GHashTableIter it;
	gpointer k, v;
	GArray *gone;
	unsigned int added = 0;

	if (!now) {
		g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: port monitor overran and the ports could "
		      "not be re-read: ports added meanwhile may have no upcall socket", hs->dp_name);
		return;
	}
	gone = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	g_hash_table_iter_init(&it, hs->mon_known);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *name = g_hash_table_lookup(now, k);

		if (!name || strcmp(name, v)) {
			uint32_t p = GPOINTER_TO_UINT(k);

			g_array_append_val(gone, p);
		}
	}
	for (unsigned int i = 0; i < gone->len; i++)
		monitor_port_deleted(hs, g_array_index(gone, uint32_t, i));
	g_hash_table_iter_init(&it, now);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (g_hash_table_contains(hs->mon_known, k))
			continue;
		monitor_port_added(hs, GPOINTER_TO_UINT(k), v);
		added++;
	}
	__atomic_add_fetch(&hs->mon_resyncs, 1, __ATOMIC_RELAXED);
	g_log("ovsdp", G_LOG_LEVEL_MESSAGE, "%s: port monitor overran: re-read the ports, "
	      "%u added, %u deleted", hs->dp_name, added, gone->len);
	g_array_free(gone, TRUE);
	g_hash_table_destroy(now);
}

/* How often the monitor thread looks at the CPU affinity. */
#define AFFINITY_CHECK_MS 1000

gpointer
port_monitor_main(gpointer data)
{
	struct ovsdp_handlers *hs = data;
	char affinity[sizeof hs->features.affinity_list];
	bool resync = false;

	g_strlcpy(affinity, hs->features.affinity_list, sizeof affinity);
	while (!g_atomic_int_get(&hs->mon_stop)) {
		struct pollfd pfd[2] = {
			{ .fd = ovsdp_monitor_fd(hs->mon), .events = POLLIN },
			{ .fd = hs->mon_wake, .events = POLLIN },
		};
		struct ovsdp_event ev;
		int r = poll(pfd, 2, AFFINITY_CHECK_MS);

		if (r < 0 && errno != EINTR)
			break;
		if (r == 0 && affinity_changed(affinity, sizeof affinity)) {
			pthread_mutex_lock(&hs->control);
			handlers_refresh_affinity(hs);
			pthread_mutex_unlock(&hs->control);
		}
		if (pfd[1].revents & POLLIN)
			continue;
		while ((r = ovsdp_monitor_next(hs->mon, &ev, NULL)) != -EAGAIN) {
			if (r == -ENOBUFS) {
				resync = true;
				continue;
			}
			if (r < 0)
				break;
			if (ev.dp_ifindex != hs->dp_ifindex)
				continue;
			if (ev.kind == OVSDP_EVENT_VPORT_NEW)
				monitor_port_added(hs, ev.port_no, ev.name);
			else if (ev.kind == OVSDP_EVENT_VPORT_DEL)
				monitor_port_deleted(hs, ev.port_no);
		}
		/* Only now, the queue empty: the kernel reports one overrun
		 * until its queue empties, so events lost before this point
		 * say nothing more, while a port listed now is seen either way,
		 * and a drop after it is a new ENOBUFS. */
		if (resync && r == -EAGAIN) {
			resync = false;
			monitor_resync(hs);
		}
	}
	return NULL;
}

uint64_t
ovsdp_handlers_monitor_resyncs(struct ovsdp_handlers *hs)
{
	return hs ? __atomic_load_n(&hs->mon_resyncs, __ATOMIC_RELAXED) : 0;
}

OVSDP_EXPORT int
ovsdp_handlers_port_added(struct ovsdp_handlers *hs, uint32_t port_no, GError **error)
{
	int r = 0;

	if (!hs)
		return -EINVAL;
	pthread_mutex_lock(&hs->control);
	if (hs->active) {
		r = dispatcher_port_added(hs->active, port_no);
		if (r < 0)
			ovsdp_set_error(error, r, NULL, "dispatcher %s: port_added(%u) failed",
						hs->active->name, port_no);
	}
	handlers_wake_all(hs);
	pthread_mutex_unlock(&hs->control);
	return r;
}

OVSDP_EXPORT int
ovsdp_handlers_port_deleted(struct ovsdp_handlers *hs, uint32_t port_no)
{
	if (!hs)
		return -EINVAL;
	pthread_mutex_lock(&hs->control);
	if (hs->active)
		dispatcher_port_deleted(hs->active, port_no);
	handlers_wake_all(hs);
	pthread_mutex_unlock(&hs->control);
	return 0;
}

OVSDP_EXPORT uint32_t
ovsdp_handlers_port_get_pid(struct ovsdp_handlers *hs, uint32_t port_no)
{
	struct dispatcher *d;
	uint32_t pid = 0;

	if (!hs)
		return 0;
	pthread_mutex_lock(&hs->lock);
	d = hs->active;
	if (d && OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, port_get_pid)) {
		pthread_rwlock_rdlock(&d->lock);
		pid = d->vt->port_get_pid(d->inst, port_no);
		pthread_rwlock_unlock(&d->lock);
	}
	pthread_mutex_unlock(&hs->lock);
	return pid;
}

OVSDP_EXPORT uint32_t
ovsdp_handlers_new_port_pid(struct ovsdp_handlers *hs)
{
	uint32_t pid = ovsdp_handlers_port_get_pid(hs, 0);

	return pid == OVSDP_DISPATCH_PID_PER_CPU ? 0 : pid;
}
