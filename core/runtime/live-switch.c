/* live-switch.c: putting a plugin in charge: start (from nothing) and the
 * live switch, which brings the new instance up beside the old one, then
 * drains the old one's sockets (every handler finds them empty after a
 * kernel grace period) and retires it.  Shutdown retires the last one the
 * same way. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>

#include "runtime/runtime.h"
#include "runtime/handlers-internal.h"

/* Handlers yet to find the old plugin empty must show progress this
 * often... */
#define DRAIN_TIMEOUT_MS 5000
/* ...and however busy they are, a drain ends after this long. */
#define DRAIN_LIMIT_MS 60000

OVSDP_EXPORT int
ovsdp_handlers_start(struct ovsdp_handlers *hs, struct ovsdp_plugin *plugin, GError **error)
{
	struct dispatcher *d;
	int r;

	if (!hs || !plugin)
		return ovsdp_set_error(error, -EINVAL, NULL, "handlers: no plugin");
	pthread_mutex_lock(&hs->control);
	if (hs->active) {
		pthread_mutex_unlock(&hs->control);
		return ovsdp_set_error(error, -EBUSY, NULL,
					       "handlers: dispatcher %s already runs (switch instead)",
					       hs->active->name);
	}
	r = dispatcher_new(hs, plugin, &d, error);
	if (r < 0) {
		pthread_mutex_unlock(&hs->control);
		return r;
	}
	r = dispatcher_bring_up(hs, d, hs->requested, error);
	if (r < 0) {
		handlers_set_thread_count(hs, 0, NULL);
		dispatcher_free(d);
		pthread_mutex_unlock(&hs->control);
		return r;
	}
	pthread_mutex_lock(&hs->lock);
	hs->active = d;
	pthread_mutex_unlock(&hs->lock);
	handlers_wake_all(hs);
	handlers_wait_armed(hs, d);
	pthread_mutex_unlock(&hs->control);
	return 0;
}

/* Wait until every handler that serves 'd' has found it empty at or after
 * the current epoch, in a look that began at 'not_before' (monotonic) or
 * later: each signals 'drained' when it does (a draining handler looks at
 * least every DRAIN_SETTLE_MS).  Returns false when the handlers yet to do
 * so made no progress (no wakeup, no upcall delivered) for
 * DRAIN_TIMEOUT_MS, or after DRAIN_LIMIT_MS in any case. */
static bool
wait_drained(struct ovsdp_handlers *hs, struct dispatcher *d, gint64 not_before)
{
	gint64 deadline = g_get_monotonic_time() + DRAIN_TIMEOUT_MS * 1000;
	gint64 limit = g_get_monotonic_time() + DRAIN_LIMIT_MS * 1000;
	uint64_t epoch, seen = UINT64_MAX;
	bool all;

	pthread_mutex_lock(&hs->lock);
	epoch = ++hs->epoch;
	pthread_mutex_unlock(&hs->lock);
	handlers_wake_all(hs);
	pthread_mutex_lock(&hs->lock);
	for (;;) {
		uint64_t busy = 0;
		struct timespec until;
		gint64 now, wake_at;

		all = true;
		for (unsigned int i = 0; i < hs->handlers->len && i < d->n_handlers; i++) {
			struct ovsdp_handler *h = g_ptr_array_index(hs->handlers, i);

			if (__atomic_load_n(&h->drained_epoch, __ATOMIC_ACQUIRE) < epoch ||
			    h->drained_at < not_before) {
				all = false;
				busy += __atomic_load_n(&h->st.wakeups, __ATOMIC_RELAXED) +
					__atomic_load_n(&h->st.upcalls, __ATOMIC_RELAXED);
			}
		}
		if (all)
			break;
		/* An overloaded handler may spend seconds on the other
		 * dispatcher's queue before it comes round to d; giving up
		 * then would destroy upcalls the kernel counted as sent.  The
		 * timeout is for a handler that is stuck. */
		now = g_get_monotonic_time();
		if (busy != seen) {
			seen = busy;
			deadline = MIN(now + DRAIN_TIMEOUT_MS * 1000, limit);
		}
		if (now > deadline)
			break;
		/* Progress is counted, not signalled: look again within a
		 * second even without a handler's word. */
		wake_at = MIN(deadline, now + G_USEC_PER_SEC);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (wake_at - now) / G_USEC_PER_SEC;
		until.tv_nsec += ((wake_at - now) % G_USEC_PER_SEC) * 1000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&hs->drained, &hs->lock, &until);
	}
	pthread_mutex_unlock(&hs->lock);
	return all;
}

/* Wait until every upcall the kernel routed with the pids it had before
 * this call has reached its socket's queue (or failed, counted as lost).
 * The kernel reads a port's or a CPU's pid and queues the upcall inside
 * one RCU read-side section of its receive path, and replaces pid arrays
 * with rcu_assign_pointer() without waiting; MEMBARRIER_CMD_GLOBAL waits
 * for an RCU grace period (synchronize_rcu(), nothing at all with one CPU
 * online, where no such section can be running during a system call).
 * Returns false where the kernel refuses it (nohz_full CPUs, or no
 * CONFIG_MEMBARRIER). */
static bool
kernel_grace_period(void)
{
	return syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0;
}

/* Pull mode, when the runtime stops: the application's threads pull no
 * more, so the calling thread reads what each handler has on d (the
 * callback runs here), after upcalls on their way have landed. */
static void
drain_on_caller(struct ovsdp_handlers *hs, struct dispatcher *d, gint64 not_before)
{
	gint64 now = g_get_monotonic_time();

	if (not_before > now)
		g_usleep((gulong)(not_before - now));
	for (unsigned int i = 0; i < hs->handlers->len; i++) {
		struct ovsdp_handler *h = g_ptr_array_index(hs->handlers, i);

		while (handler_drain(h, d, false) > 0)
			;
	}
}

/* Drain 'd', which the kernel no longer points at, and retire it.  Once
 * a grace period has passed, nothing more can reach d's sockets, so one
 * look by each handler that finds them empty ends it; without one, the
 * looks that count are those begun DRAIN_SETTLE_MS from now or later,
 * which catches upcalls that were on their way.  Either way the caller
 * sleeps on 'drained' until the handlers say so. */
void
dispatcher_retire(struct ovsdp_handlers *hs, struct dispatcher *d)
{
	gint64 not_before = 0;
	uint64_t *total;

	pthread_mutex_lock(&hs->lock);
	hs->draining = d;
	pthread_mutex_unlock(&hs->lock);
	if (hs->skip_grace || !kernel_grace_period())
		not_before = g_get_monotonic_time() + DRAIN_SETTLE_MS * 1000;
	if (hs->pull && hs->stopping)
		drain_on_caller(hs, d, not_before);
	else if (!wait_drained(hs, d, not_before))
		g_log("ovsdp", G_LOG_LEVEL_WARNING,
		      "%s: dispatcher %s did not drain: its handlers made no progress "
		      "for %d ms (or it took %d ms)", hs->dp_name, d->name,
		      DRAIN_TIMEOUT_MS, DRAIN_LIMIT_MS);
	pthread_mutex_lock(&hs->lock);
	hs->draining = NULL;
	total = g_hash_table_lookup(hs->shares, d->name);
	if (!total) {
		total = g_new0(uint64_t, 1);
		g_hash_table_insert(hs->shares, g_strdup(d->name), total);
	}
	*total += __atomic_load_n(&d->upcalls, __ATOMIC_RELAXED);
	hs->retired_overruns += __atomic_load_n(&d->overruns, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&hs->lock);
	handlers_wake_all(hs);
	dispatcher_free(d);     /* waits for any handler still inside recv */
}

OVSDP_EXPORT int
ovsdp_handlers_switch(struct ovsdp_handlers *hs, struct ovsdp_plugin *plugin, GError **error)
{
	struct dispatcher *old, *d;
	int r;

	if (!hs || !plugin)
		return ovsdp_set_error(error, -EINVAL, NULL, "handlers: no plugin");
	pthread_mutex_lock(&hs->control);
	if (hs->detached) {
		pthread_mutex_unlock(&hs->control);
		return ovsdp_set_error(error, -ESHUTDOWN, NULL, "handlers: handed over to another "
				       "process");
	}
	old = hs->active;
	if (!old) {
		pthread_mutex_unlock(&hs->control);
		return ovsdp_handlers_start(hs, plugin, error);
	}
	r = dispatcher_new(hs, plugin, &d, error);
	if (r < 0) {
		g_prefix_error(error, "switch to %s refused, %s stays active: ",
			       ovsdp_plugin_name(plugin), old->name);
		pthread_mutex_unlock(&hs->control);
		return r;
	}
	r = dispatcher_bring_up(hs, d, hs->requested, error);
	if (r < 0) {
		/* The old dispatcher still owns the kernel: only the threads
		 * the new one wanted go. */
		dispatcher_free(d);
		handlers_set_thread_count(hs, old->n_handlers, NULL);
		g_prefix_error(error, "switch to %s refused, %s stays active: ",
			       ovsdp_plugin_name(plugin), old->name);
		pthread_mutex_unlock(&hs->control);
		return r;
	}
	pthread_mutex_lock(&hs->lock);
	hs->active = d;
	pthread_mutex_unlock(&hs->lock);
	dispatcher_retire(hs, old);
	handlers_set_thread_count(hs, d->n_handlers, NULL);
	handlers_wait_armed(hs, d);
	pthread_mutex_lock(&hs->lock);
	hs->switches++;
	pthread_mutex_unlock(&hs->lock);
	pthread_mutex_unlock(&hs->control);
	return 0;
}

void
ovsdp_handlers_test_skip_grace(struct ovsdp_handlers *hs, bool skip)
{
	pthread_mutex_lock(&hs->control);
	hs->skip_grace = skip;
	pthread_mutex_unlock(&hs->control);
}
