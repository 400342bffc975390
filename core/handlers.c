/* handlers.c: the upcall handler runtime: handler threads that poll the
 * active dispatch plugin, parse what it receives and call the application,
 * plus the control side: start, resize, port tracking and the live switch
 * that drains the old plugin's sockets before destroying it. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/membarrier.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "datapath-internal.h"
#include "dispatch-host.h"
#include "handlers-internal.h"
#include "netlink.h"
#include "requests.h"
#include "ovsdp/datapath.h"
#include "ovsdp/handlers.h"
#include "ovsdp/operate.h"
#include "ovsdp/vport.h"

/* Locks are pthread's rather than glib's so that ThreadSanitizer sees them
 * (GMutex is a bare futex on Linux).
 *
 * One plugin instance on the datapath.  'lock' is the dispatch lock of
 * <ovsdp/dispatch.h>: writers for control methods, readers for recv,
 * wait_fd, wait and port_get_pid.  It prefers writers: a handler asleep in
 * the plugin's wait holds it for reading, so a writer first raises
 * 'writers' and wakes every handler (control_lock()), and a handler that
 * sees 'writers' does not go back to sleep inside wait. */
struct dispatcher {
	struct ovsdp_handlers *hs;
	const struct ovsdp_dispatch_vtable *vt;
	char name[OVSDP_DISPATCH_NAME_MAX + 1];
	struct ovsdp_dispatch_instance *inst;
	struct ovsdp_dispatch_host_ctx *ctx;
	const struct ovsdp_config *config;      /* what it was made with */
	pthread_rwlock_t lock;
	uint32_t n_handlers;
	bool dictates_handlers;
	uint64_t upcalls;       /* atomics: updated by handler threads */
	uint64_t overruns;
	uint64_t empty;
	guint warned;           /* atomic: WARNED_* failures already logged */
	uint32_t writers;       /* atomic: control_lock() callers of this instance */
};

/* Counters of one handler thread, updated with atomics; read through
 * a snapshot (ovsdp_handlers_stats_new). */
struct ovsdp_handler_stats {
	uint64_t upcalls;
	uint64_t batches;
	uint64_t wakeups;
	uint64_t empty_wakeups;
	uint64_t malformed;
	uint64_t truncated;
	uint64_t replies;
	uint64_t reply_errors;
	uint64_t transactions;
	uint64_t reply_unconfirmed;
};

/* One dispatcher in a snapshot. */
struct dispatcher_snapshot {
	char *name;
	char *description;
	bool active;
	uint64_t n_handlers;
	uint64_t n_sockets;
	uint64_t upcalls;
	uint64_t overruns;
	uint64_t empty_wakeups;
};

struct share_snapshot {
	char *name;
	uint64_t upcalls;
};

struct ovsdp_handlers_stats {
	uint64_t switches;
	uint64_t upcalls;
	uint64_t overruns;
	unsigned int n_handlers;
	struct ovsdp_handler_stats *per_handler;        /* n_handlers */
	unsigned int n_dispatchers;
	struct dispatcher_snapshot *dispatchers;        /* n_dispatchers */
	unsigned int n_shares;
	struct share_snapshot *shares;                  /* n_shares */
};

struct ovsdp_handler {
	struct ovsdp_handlers *hs;
	unsigned int index;
	GThread *thread;
	int wake_fd;
	gint stop;
	struct ovsdp_dp *dp;
	uint8_t *buf;
	struct ovsdp_dispatch_msg *msgs;
	struct ovsdp_upcall *ups;
	uint32_t *pids;         /* the receiving socket's port id of each of ups */
	uint64_t drained_epoch; /* atomic: last switch epoch whose old plugin it found empty */
	/* Replies the callback queued, encoded as netlink requests (the
	 * batches of ovsdp_dp_operate()): puts and executes apart, so that
	 * the puts go first whatever the order. */
	struct ovsdp_batch puts, execs;
	struct ovsdp_handler_stats st; /* fields updated with atomics */
};

struct ovsdp_handlers {
	char *dp_name;
	const struct ovsdp_config *config;
	struct ovsdp_features features;
	struct ovsdp_dp *control_dp;
	int dp_ifindex;
	uint16_t packet_family;
	ovsdp_upcall_fn callback;
	void *user_data;
	unsigned int batch;
	unsigned int msg_size;
	unsigned int requested;

	pthread_mutex_t control;         /* serialises control operations */
	pthread_mutex_t lock;            /* active, draining, epoch, handlers */
	pthread_cond_t drained;          /* a handler found 'draining' empty (with 'lock') */
	struct dispatcher *active;
	struct dispatcher *draining;
	uint64_t epoch;
	GPtrArray *handlers;    /* struct ovsdp_handler *, index order */
	uint64_t switches;
	GHashTable *shares;     /* plugin name -> uint64_t * upcalls of retired instances */
	uint64_t retired_overruns;

	struct ovsdp_monitor *mon;
	GThread *mon_thread;
	int mon_wake;
	gint mon_stop;
	bool detached;          /* ovsdp_handlers_detach(): the sockets went to another process */
	GHashTable *mon_known;  /* port_no -> name: the ports as the monitor knows
				 * them (its thread only, once started) */
	uint64_t mon_resyncs;   /* atomic: overruns it recovered from by a re-read */
};

/* Where the kernel offers no grace period to wait for (see
 * kernel_grace_period()), upcalls in flight get this long to land on the
 * old sockets before they are drained a second time.  Also a draining
 * handler's poll timeout, for a plugin whose wait_fd failed. */
#define DRAIN_SETTLE_MS 50
/* Handlers yet to find the old plugin empty must show progress this
 * often... */
#define DRAIN_TIMEOUT_MS 5000
/* ...and however busy they are, a drain ends after this long. */
#define DRAIN_LIMIT_MS 60000
/* A handler pauses this long after a failed recv: the plugin may keep
 * failing while its socket stays readable, and poll() would return at once. */
#define RECV_ERROR_BACKOFF_MS 20

#define WARNED_WAIT_FD 0x1u
#define WARNED_RECV 0x2u
#define WARNED_WAIT 0x4u

static void
wake(int fd)
{
	uint64_t one = 1;
	ssize_t r = write(fd, &one, sizeof one);

	(void)r;
}

static void
wake_all(struct ovsdp_handlers *hs)
{
	pthread_mutex_lock(&hs->lock);
	for (unsigned int i = 0; i < hs->handlers->len; i++)
		wake(((struct ovsdp_handler *)g_ptr_array_index(hs->handlers, i))->wake_fd);
	pthread_mutex_unlock(&hs->lock);
}

/* Take d's dispatch lock for writing, for a control method.  A handler
 * may be asleep in d's wait holding the read lock: raise 'writers' first
 * (a handler that sees it leaves instead of waiting again), then make
 * every handler's wake_fd readable, which ends a wait (what the contract
 * of 'wait' promises), then queue for the lock, which new readers then
 * wait behind. */
static void
control_lock(struct dispatcher *d)
{
	__atomic_add_fetch(&d->writers, 1, __ATOMIC_SEQ_CST);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, wait))
		wake_all(d->hs);
	pthread_rwlock_wrlock(&d->lock);
}

static void
control_unlock(struct dispatcher *d)
{
	/* Before the unlock: a reader let in by it must not see it. */
	__atomic_sub_fetch(&d->writers, 1, __ATOMIC_SEQ_CST);
	pthread_rwlock_unlock(&d->lock);
}

/* ---- handler threads ---------------------------------------------------- */

/* Replies the handler could not even queue (no datapath handle) count
 * as sent and failed, without a verdict. */
static void
count_unsendable(struct ovsdp_handler *h)
{
	__atomic_add_fetch(&h->st.replies, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.reply_errors, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.reply_unconfirmed, 1, __ATOMIC_RELAXED);
}

OVSDP_EXPORT int
ovsdp_handler_queue_flow_put(struct ovsdp_handler *h, const struct ovsdp_flow_put *put)
{
	struct ovsdp_op op = { OVSDP_OP_INIT };
	struct ovsdp_dp *dp;
	int r;

	if (!h || !put)
		return -EINVAL;
	dp = ovsdp_handler_dp(h);
	if (!dp) {
		count_unsendable(h);
		return -ENODEV;
	}
	op.type = OVSDP_OP_FLOW_PUT;
	op.put = *put;
	r = ovsdp_batch_add(&h->puts, dp, &op, NULL, h->puts.n, NULL);
	return r;
}

OVSDP_EXPORT int
ovsdp_handler_queue_execute(struct ovsdp_handler *h, const struct ovsdp_execute *ex)
{
	struct ovsdp_op op = { OVSDP_OP_INIT };
	struct ovsdp_dp *dp;

	if (!h || !ex)
		return -EINVAL;
	dp = ovsdp_handler_dp(h);
	if (!dp) {
		count_unsendable(h);
		return -ENODEV;
	}
	op.type = OVSDP_OP_EXECUTE;
	op.execute = *ex;
	return ovsdp_batch_add(&h->execs, dp, &op, NULL, h->execs.n, NULL);
}

/* Send what the callback queued, flow puts first, as one multi-message
 * transaction (more only when the socket's buffers cannot hold it). */
static void
flush_replies(struct ovsdp_handler *h)
{
	struct ovsdp_batch *b = &h->puts;
	g_autoptr(GError) err = NULL;
	unsigned int n, failed, unacked, sends;

	ovsdp_batch_append(b, &h->execs);
	if (b->n == 0)
		return;
	/* Queued requests imply the handle exists. */
	ovsdp_batch_send(h->dp, b, &err);
	n = b->n_done;
	failed = b->failed;
	unacked = b->unacked;
	sends = b->sends;
	if (failed)
		g_log("ovsdp", G_LOG_LEVEL_DEBUG, "%s: handler %u: %u of %u replies failed; "
		      "the first: %s", h->hs->dp_name, h->index, failed, n,
		      err ? err->message : "?");
	/* replies last, released: a reader that sees a flush's replies
	 * (loaded first, acquired) sees its errors and transactions too. */
	__atomic_add_fetch(&h->st.reply_errors, failed, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.reply_unconfirmed, unacked, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.transactions, (uint64_t)sends, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.replies, n, __ATOMIC_RELEASE);
	ovsdp_batch_reset(&h->puts);
	ovsdp_batch_reset(&h->execs);
}

static void
deliver(struct ovsdp_handler *h, int n)
{
	struct ovsdp_handlers *hs = h->hs;
	unsigned int k = 0;

	for (int i = 0; i < n; i++) {
		struct ovsdp_dispatch_msg *m = &h->msgs[i];

		if (m->flags & OVSDP_DISPATCH_MSG_TRUNCATED || m->len > m->size) {
			__atomic_add_fetch(&h->st.truncated, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (ovsdp_upcall_parse(m->data, m->len, hs->packet_family, &h->ups[k], NULL) < 0) {
			__atomic_add_fetch(&h->st.malformed, 1, __ATOMIC_RELAXED);
			continue;
		}
		h->pids[k] = m->portid;
		k++;
	}
	if (k == 0)
		return;
	__atomic_add_fetch(&h->st.upcalls, k, __ATOMIC_RELAXED);
	__atomic_add_fetch(&h->st.batches, 1, __ATOMIC_RELAXED);
	hs->callback(h, h->ups, k, hs->user_data);
	flush_replies(h);
}

/* Log a failing handler-side call once per dispatcher and call: handler
 * threads have no caller to return the error to. */
static void
warn_once(struct ovsdp_handlers *hs, struct dispatcher *d, guint bit, const char *call,
	  unsigned int handler, int err)
{
	if (g_atomic_int_or(&d->warned, bit) & bit)
		return;
	g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: dispatcher %s: %s(handler %u) failed: %s "
	      "(logged once)", hs->dp_name, d->name, call, handler, g_strerror(err < 0 ? -err : err));
}

/* Take d's read lock if d is still one of the runtime's dispatchers. */
static bool
dispatcher_enter(struct ovsdp_handlers *hs, struct dispatcher *d, bool *is_draining,
		 uint64_t *epoch)
{
	bool ok;

	pthread_mutex_lock(&hs->lock);
	ok = d && (d == hs->active || d == hs->draining);
	if (ok) {
		*is_draining = d == hs->draining;
		*epoch = hs->epoch;
		pthread_rwlock_rdlock(&d->lock);
	}
	pthread_mutex_unlock(&hs->lock);
	return ok;
}

/* Read what handler h has on d, a few batches at most so that one busy
 * plugin cannot starve the other during a switch.  'woke': d's wait_fd
 * said readable (else finding nothing is no empty wakeup).  Returns the
 * count. */
static unsigned int
drain_one(struct ovsdp_handler *h, struct dispatcher *d, bool woke)
{
	unsigned int total = 0;

	for (int round = 0; round < 8; round++) {
		bool is_draining = false;
		uint64_t epoch = 0;
		uint32_t overruns = 0;
		bool failed;
		int n;

		if (!dispatcher_enter(h->hs, d, &is_draining, &epoch))
			break;
		if (h->index >= d->n_handlers || !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, recv)) {
			pthread_rwlock_unlock(&d->lock);
			break;
		}
		for (unsigned int i = 0; i < h->hs->batch; i++) {
			h->msgs[i].data = h->buf + (size_t)i * h->hs->msg_size;
			h->msgs[i].size = h->hs->msg_size;
			h->msgs[i].len = 0;
			h->msgs[i].flags = 0;
		}
		n = d->vt->recv(d->inst, h->index, h->msgs, h->hs->batch, &overruns);
		if (n > 0 && (unsigned int)n > h->hs->batch)
			n = (int)h->hs->batch;
		/* Everything about d is done under its read lock: once it is
		 * released, a draining d may be freed by retire() as soon as
		 * every handler has found it empty once. */
		if (overruns)
			__atomic_add_fetch(&d->overruns, overruns, __ATOMIC_RELAXED);
		if (n > 0)
			__atomic_add_fetch(&d->upcalls, (uint64_t)n, __ATOMIC_RELAXED);
		else if (total == 0 && woke)
			__atomic_add_fetch(&d->empty, 1, __ATOMIC_RELAXED);
		failed = n < 0 && n != -EAGAIN && n != -EINTR;
		if (failed)
			warn_once(h->hs, d, WARNED_RECV, "recv", h->index, n);
		pthread_rwlock_unlock(&d->lock);
		if (failed)
			g_usleep(RECV_ERROR_BACKOFF_MS * 1000);
		if (n <= 0) {
			if (is_draining) {
				pthread_mutex_lock(&h->hs->lock);
				__atomic_store_n(&h->drained_epoch, epoch, __ATOMIC_RELEASE);
				pthread_cond_broadcast(&h->hs->drained);
				pthread_mutex_unlock(&h->hs->lock);
			}
			break;
		}
		deliver(h, n);
		total += (unsigned int)n;
	}
	return total;
}

/* Empty the handler's wake_fd; true if it was readable. */
static bool
take_wakeup(struct ovsdp_handler *h)
{
	uint64_t v;

	return read(h->wake_fd, &v, sizeof v) == (ssize_t)sizeof v;
}

/* One round through the active plugin's blocking 'wait' (ABI 1.1), which
 * lets the plugin sleep in epoll_wait() on its own set, the only way
 * EPOLLEXCLUSIVE wakes one handler per upcall.  Returns false, having done
 * nothing, when this round must poll() instead: no such method, an
 * instance drains (poll() watches both), the index is not the plugin's,
 * or wait failed. */
static bool
wait_round(struct ovsdp_handler *h)
{
	struct ovsdp_handlers *hs = h->hs;
	struct dispatcher *d;
	bool mine = false, woken;
	unsigned int got = 0;
	int r = 0;

	pthread_mutex_lock(&hs->lock);
	d = hs->active;
	if (!d || hs->draining || !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, wait)) {
		pthread_mutex_unlock(&hs->lock);
		return false;
	}
	pthread_rwlock_rdlock(&d->lock);
	pthread_mutex_unlock(&hs->lock);
	if (__atomic_load_n(&d->writers, __ATOMIC_SEQ_CST)) {
		/* A control method is about to take the lock: let it. */
		pthread_rwlock_unlock(&d->lock);
		sched_yield();
		return true;
	}
	mine = h->index < d->n_handlers;
	if (mine)
		r = d->vt->wait(d->inst, h->index, h->wake_fd, -1);
	pthread_rwlock_unlock(&d->lock);
	if (!mine)
		return false;
	woken = take_wakeup(h);
	if (r < 0) {
		/* This round poll()s wait_fd instead, unless already woken. */
		warn_once(hs, d, WARNED_WAIT, "wait", h->index, r);
		return woken;
	}
	__atomic_add_fetch(&h->st.wakeups, 1, __ATOMIC_RELAXED);
	if (r > 0)
		got = drain_one(h, d, true);
	if (got == 0 && !woken)
		__atomic_add_fetch(&h->st.empty_wakeups, 1, __ATOMIC_RELAXED);
	return true;
}

static gpointer
handler_main(gpointer data)
{
	struct ovsdp_handler *h = data;
	struct ovsdp_handlers *hs = h->hs;

	while (!g_atomic_int_get(&h->stop)) {
		struct dispatcher *ds[2] = { NULL, NULL };
		bool is_drain[2] = { false, false };
		struct pollfd pfd[3];
		unsigned int nd = 0, got = 0;
		bool draining = false;
		bool woken = false;

		if (wait_round(h))
			continue;
		pthread_mutex_lock(&hs->lock);
		for (int k = 0; k < 2; k++) {
			struct dispatcher *d = k == 0 ? hs->active : hs->draining;
			bool mine;
			int fd = -1;

			if (!d || !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, wait_fd))
				continue;
			/* n_handlers changes under d->lock (resize). */
			pthread_rwlock_rdlock(&d->lock);
			mine = h->index < d->n_handlers;
			if (mine)
				fd = d->vt->wait_fd(d->inst, h->index);
			pthread_rwlock_unlock(&d->lock);
			if (!mine)
				continue;
			if (fd < 0) {
				warn_once(hs, d, WARNED_WAIT_FD, "wait_fd", h->index, fd);
				/* A draining dispatcher is still read, on the drain
				 * timer (poll ignores a negative fd): otherwise what
				 * it has queued is lost and the switch waits for
				 * nothing. */
				if (k == 0)
					continue;
			}
			ds[nd] = d;
			pfd[nd].fd = fd;
			pfd[nd].events = POLLIN;
			pfd[nd].revents = 0;
			is_drain[nd] = k == 1;
			draining |= k == 1;
			nd++;
		}
		pthread_mutex_unlock(&hs->lock);
		pfd[nd].fd = h->wake_fd;
		pfd[nd].events = POLLIN;
		pfd[nd].revents = 0;

		/* While a plugin drains, look at it even without a wakeup, so
		 * that "empty" is observed and the switch can finish. */
		if (poll(pfd, nd + 1, draining ? DRAIN_SETTLE_MS : -1) < 0 && errno != EINTR)
			g_usleep(1000);
		__atomic_add_fetch(&h->st.wakeups, 1, __ATOMIC_RELAXED);
		if (pfd[nd].revents & POLLIN) {
			uint64_t v;
			ssize_t r = read(h->wake_fd, &v, sizeof v);

			(void)r;
			woken = true;
		}
		for (unsigned int k = 0; k < nd; k++) {
			unsigned int n;

			if (!(pfd[k].revents & (POLLIN | POLLERR | POLLHUP)) && !is_drain[k])
				continue;
			n = drain_one(h, ds[k], pfd[k].revents & POLLIN);
			got += n;
		}
		if (got == 0 && !woken)
			__atomic_add_fetch(&h->st.empty_wakeups, 1, __ATOMIC_RELAXED);
	}
	ovsdp_dp_close(h->dp);
	h->dp = NULL;
	return NULL;
}

static struct ovsdp_handler *
handler_new(struct ovsdp_handlers *hs, unsigned int index, GError **error)
{
	struct ovsdp_handler *h = g_new0(struct ovsdp_handler, 1);

	h->hs = hs;
	h->index = index;
	h->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->wake_fd < 0) {
		int e = errno;

		g_free(h);
		g_set_error(error, OVSDP_ERROR, e, "handler %u: eventfd: %s", index, g_strerror(e));
		return NULL;
	}
	h->buf = g_malloc((size_t)hs->batch * hs->msg_size);
	h->msgs = g_new0(struct ovsdp_dispatch_msg, hs->batch);
	h->ups = g_new0(struct ovsdp_upcall, hs->batch);
	h->pids = g_new0(uint32_t, hs->batch);
	return h;
}

static void
handler_free(struct ovsdp_handler *h)
{
	close(h->wake_fd);
	g_free(h->buf);
	g_free(h->msgs);
	g_free(h->ups);
	g_free(h->pids);
	ovsdp_batch_clear(&h->puts);
	ovsdp_batch_clear(&h->execs);
	g_free(h);
}

/* Grow or shrink the thread pool to n.  Called with 'control' held. */
static int
set_thread_count(struct ovsdp_handlers *hs, unsigned int n, GError **error)
{
	while (hs->handlers->len < n) {
		struct ovsdp_handler *h = handler_new(hs, hs->handlers->len, error);
		g_autofree char *name = NULL;

		if (!h)
			return -ENOMEM;
		name = g_strdup_printf("ovsdp-handler%u", h->index);
		h->thread = g_thread_try_new(name, handler_main, h, error);
		if (!h->thread) {
			handler_free(h);
			return -EAGAIN;
		}
		pthread_mutex_lock(&hs->lock);
		g_ptr_array_add(hs->handlers, h);
		pthread_mutex_unlock(&hs->lock);
	}
	while (hs->handlers->len > n) {
		struct ovsdp_handler *h;

		pthread_mutex_lock(&hs->lock);
		h = g_ptr_array_steal_index(hs->handlers, hs->handlers->len - 1);
		pthread_mutex_unlock(&hs->lock);
		g_atomic_int_set(&h->stop, 1);
		wake(h->wake_fd);
		g_thread_join(h->thread);
		handler_free(h);
	}
	return 0;
}

/* ---- dispatchers -------------------------------------------------------- */

static int
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

static void
dispatcher_free(struct dispatcher *d)
{
	if (!d)
		return;
	control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, destroy))
		d->vt->destroy(d->inst);
	control_unlock(d);
	ovsdp_host_ctx_free(d->ctx);
	pthread_rwlock_destroy(&d->lock);
	g_free(d);
}

/* A control method under the dispatcher's write lock, as errno. */
static int
dispatcher_handlers_set(struct dispatcher *d, uint32_t n)
{
	int r = 0;

	control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, handlers_set))
		r = d->vt->handlers_set(d->inst, n);
	if (r == 0)
		d->n_handlers = n;
	control_unlock(d);
	return r;
}

static int
dispatcher_recv_set(struct dispatcher *d, bool enable)
{
	int r;

	control_lock(d);
	r = d->vt->recv_set(d->inst, enable);
	control_unlock(d);
	return r;
}

static int
dispatcher_port_added(struct dispatcher *d, uint32_t port_no)
{
	int r = 0;

	control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, port_added))
		r = d->vt->port_added(d->inst, port_no);
	control_unlock(d);
	return r;
}

static void
dispatcher_port_deleted(struct dispatcher *d, uint32_t port_no)
{
	control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, port_deleted))
		d->vt->port_deleted(d->inst, port_no);
	control_unlock(d);
}

/* How many handlers d gets: the plugin's demand, else the caller's, the
 * config's, or the CPUs this process may run on. */
static uint32_t
choose_handler_count(struct ovsdp_handlers *hs, struct dispatcher *d, unsigned int asked)
{
	uint32_t n = 0;

	d->dictates_handlers = false;
	control_lock(d);
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, number_handlers_required) &&
	    d->vt->number_handlers_required(d->inst, &n) && n > 0)
		d->dictates_handlers = true;
	control_unlock(d);
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
static int
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
static int
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
	r = set_thread_count(hs, MAX(n, hs->active ? hs->active->n_handlers : 0), error);
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

/* ---- CPU affinity: per-cpu dispatch follows it ------------------------- */

/* Re-read the CPU affinity; when it changed, a dispatcher that dictates the
 * handler count (per-cpu: one per CPU it may run on) is asked again and
 * resized.  Called with hs->control held: from `handlers set`
 * (ovsdp_handlers_resize) and from the monitor thread when it sees the
 * affinity change. */
static void
refresh_affinity(struct ovsdp_handlers *hs)
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
	if (set_thread_count(hs, MAX(n, d->n_handlers), NULL) == 0 &&
	    dispatcher_handlers_set(d, n) < 0)
		g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: dispatcher %s: handlers_set(%u) for the new "
		      "affinity failed; %u handlers stay", hs->dp_name, d->name, n, d->n_handlers);
	wake_all(hs);
	set_thread_count(hs, d->n_handlers, NULL);
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
static GHashTable *
monitor_list_ports(struct ovsdp_handlers *hs)
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
	GHashTable *now = monitor_list_ports(hs);
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

static gpointer
monitor_main(gpointer data)
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
			refresh_affinity(hs);
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
	pthread_mutex_init(&hs->control, NULL);
	pthread_mutex_init(&hs->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&hs->drained, &ca);
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
	hs->mon_known = monitor_list_ports(hs);
	if (!hs->mon_known) {
		r = ovsdp_set_error(error, -EIO, NULL, "%s: listing the ports failed", opts->dp_name);
		goto fail;
	}
	hs->mon_wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	hs->mon_thread = g_thread_new("ovsdp-monitor", monitor_main, hs);
	*out = hs;
	return 0;
fail:
	ovsdp_handlers_free(hs);
	return r;
}

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
		set_thread_count(hs, 0, NULL);
		dispatcher_free(d);
		pthread_mutex_unlock(&hs->control);
		return r;
	}
	pthread_mutex_lock(&hs->lock);
	hs->active = d;
	pthread_mutex_unlock(&hs->lock);
	wake_all(hs);
	pthread_mutex_unlock(&hs->control);
	return 0;
}

/* Wait until every handler that serves 'd' has found it empty at or after
 * the current epoch: each signals 'drained' when it does.  Returns false
 * when the handlers yet to do so made no progress (no wakeup, no upcall
 * delivered) for DRAIN_TIMEOUT_MS, or after DRAIN_LIMIT_MS in any case. */
static bool
wait_drained(struct ovsdp_handlers *hs, struct dispatcher *d)
{
	gint64 deadline = g_get_monotonic_time() + DRAIN_TIMEOUT_MS * 1000;
	gint64 limit = g_get_monotonic_time() + DRAIN_LIMIT_MS * 1000;
	uint64_t epoch, seen = UINT64_MAX;
	bool all;

	pthread_mutex_lock(&hs->lock);
	epoch = ++hs->epoch;
	pthread_mutex_unlock(&hs->lock);
	wake_all(hs);
	pthread_mutex_lock(&hs->lock);
	for (;;) {
		uint64_t busy = 0;
		struct timespec until;
		gint64 now, wake_at;

		all = true;
		for (unsigned int i = 0; i < hs->handlers->len && i < d->n_handlers; i++) {
			struct ovsdp_handler *h = g_ptr_array_index(hs->handlers, i);

			if (__atomic_load_n(&h->drained_epoch, __ATOMIC_ACQUIRE) < epoch) {
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

/* Drain 'd', which the kernel no longer points at, and retire it.  Once
 * a grace period has passed, nothing more can reach d's sockets, so one
 * pass that finds them all empty ends it; without one, a second pass
 * after a settle delay catches upcalls that were on their way. */
static void
retire(struct ovsdp_handlers *hs, struct dispatcher *d)
{
	uint64_t *total;
	bool settled;

	pthread_mutex_lock(&hs->lock);
	hs->draining = d;
	pthread_mutex_unlock(&hs->lock);
	settled = kernel_grace_period();
	for (int pass = 0; pass < (settled ? 1 : 2); pass++) {
		if (!wait_drained(hs, d))
			g_log("ovsdp", G_LOG_LEVEL_WARNING,
			      "%s: dispatcher %s did not drain: its handlers made no progress "
			      "for %d ms (or it took %d ms)", hs->dp_name, d->name,
			      DRAIN_TIMEOUT_MS, DRAIN_LIMIT_MS);
		if (pass == 0 && !settled)
			g_usleep(DRAIN_SETTLE_MS * 1000);
	}
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
	wake_all(hs);
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
		set_thread_count(hs, old->n_handlers, NULL);
		g_prefix_error(error, "switch to %s refused, %s stays active: ",
			       ovsdp_plugin_name(plugin), old->name);
		pthread_mutex_unlock(&hs->control);
		return r;
	}
	pthread_mutex_lock(&hs->lock);
	hs->active = d;
	pthread_mutex_unlock(&hs->lock);
	retire(hs, old);
	set_thread_count(hs, d->n_handlers, NULL);
	hs->switches++;
	pthread_mutex_unlock(&hs->control);
	return 0;
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
	refresh_affinity(hs);
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
	r = set_thread_count(hs, MAX(n, d->n_handlers), error);
	if (r == 0) {
		r = dispatcher_handlers_set(d, n);
		if (r < 0)
			ovsdp_set_error(error, r, NULL, "dispatcher %s: handlers_set(%u) failed, "
					"%u handlers stay", d->name, n, d->n_handlers);
		else
			hs->requested = n;  /* a refused count is not kept for the next plugin */
	}
	wake_all(hs);
	set_thread_count(hs, d->n_handlers, NULL);
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
	wake_all(hs);
	pthread_mutex_unlock(&hs->control);
	return r;
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
	wake_all(hs);
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
	wake_all(hs);
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

static void
snapshot_dispatcher(struct dispatcher *d, bool active, struct dispatcher_snapshot *o)
{
	struct ovsdp_dispatch_stats ds = { .struct_size = sizeof ds };
	char description[160] = "";

	o->name = g_strdup(d->name);
	o->active = active;
	o->upcalls = __atomic_load_n(&d->upcalls, __ATOMIC_RELAXED);
	o->overruns = __atomic_load_n(&d->overruns, __ATOMIC_RELAXED);
	o->empty_wakeups = __atomic_load_n(&d->empty, __ATOMIC_RELAXED);
	control_lock(d);
	o->n_handlers = d->n_handlers;
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, stats) &&
	    d->vt->stats(d->inst, OVSDP_DISPATCH_ALL_HANDLERS, &ds) == 0)
		o->n_sockets = ds.n_sockets;
	if (OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_vtable, d->vt, describe)) {
		int r = d->vt->describe(d->inst, description, sizeof description);

		if (r < 0)
			g_snprintf(description, sizeof description, "(describe failed: %s)",
				   g_strerror(-r));
	}
	control_unlock(d);
	o->description = g_strdup(description);
}

OVSDP_EXPORT int
ovsdp_handlers_stats_new(struct ovsdp_handlers *hs, struct ovsdp_handlers_stats **out)
{
	struct ovsdp_handlers_stats *st;
	GHashTableIter it;
	gpointer k, v;

	if (!hs || !out)
		return -EINVAL;
	st = g_new0(struct ovsdp_handlers_stats, 1);
	pthread_mutex_lock(&hs->control);
	st->switches = hs->switches;
	if (hs->active) {
		st->dispatchers = g_new0(struct dispatcher_snapshot, 1);
		snapshot_dispatcher(hs->active, true, &st->dispatchers[st->n_dispatchers++]);
	}

	pthread_mutex_lock(&hs->lock);
	st->n_handlers = hs->handlers->len;
	st->per_handler = g_new0(struct ovsdp_handler_stats, MAX(st->n_handlers, 1u));
	for (unsigned int i = 0; i < hs->handlers->len; i++) {
		struct ovsdp_handler *h = g_ptr_array_index(hs->handlers, i);
		struct ovsdp_handler_stats *p = &st->per_handler[i];

		p->replies = __atomic_load_n(&h->st.replies, __ATOMIC_ACQUIRE);
		p->upcalls = __atomic_load_n(&h->st.upcalls, __ATOMIC_RELAXED);
		p->batches = __atomic_load_n(&h->st.batches, __ATOMIC_RELAXED);
		p->wakeups = __atomic_load_n(&h->st.wakeups, __ATOMIC_RELAXED);
		p->empty_wakeups = __atomic_load_n(&h->st.empty_wakeups, __ATOMIC_RELAXED);
		p->malformed = __atomic_load_n(&h->st.malformed, __ATOMIC_RELAXED);
		p->truncated = __atomic_load_n(&h->st.truncated, __ATOMIC_RELAXED);
		p->reply_errors = __atomic_load_n(&h->st.reply_errors, __ATOMIC_RELAXED);
		p->transactions = __atomic_load_n(&h->st.transactions, __ATOMIC_RELAXED);
		p->reply_unconfirmed = __atomic_load_n(&h->st.reply_unconfirmed, __ATOMIC_RELAXED);
		st->upcalls += p->upcalls;
	}
	st->overruns = hs->retired_overruns + (hs->active ? st->dispatchers[0].overruns : 0);
	/* The running plugin first, its retired instances added in. */
	st->shares = g_new0(struct share_snapshot, g_hash_table_size(hs->shares) + 1);
	if (hs->active) {
		const uint64_t *retired = g_hash_table_lookup(hs->shares, hs->active->name);

		st->shares[0].name = g_strdup(hs->active->name);
		st->shares[0].upcalls = st->dispatchers[0].upcalls + (retired ? *retired : 0);
		st->n_shares = 1;
	}
	g_hash_table_iter_init(&it, hs->shares);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		if (hs->active && !strcmp(k, hs->active->name))
			continue;
		st->shares[st->n_shares].name = g_strdup(k);
		st->shares[st->n_shares].upcalls = *(uint64_t *)v;
		st->n_shares++;
	}
	pthread_mutex_unlock(&hs->lock);
	pthread_mutex_unlock(&hs->control);
	*out = st;
	return 0;
}

OVSDP_EXPORT void
ovsdp_handlers_stats_free(struct ovsdp_handlers_stats *st)
{
	if (!st)
		return;
	for (unsigned int i = 0; i < st->n_dispatchers; i++) {
		g_free(st->dispatchers[i].name);
		g_free(st->dispatchers[i].description);
	}
	for (unsigned int i = 0; i < st->n_shares; i++)
		g_free(st->shares[i].name);
	g_free(st->dispatchers);
	g_free(st->shares);
	g_free(st->per_handler);
	g_free(st);
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_total(const struct ovsdp_handlers_stats *st, enum ovsdp_handlers_counter c)
{
	if (!st)
		return 0;
	switch (c) {
	case OVSDP_HANDLERS_SWITCHES:
		return st->switches;
	case OVSDP_HANDLERS_UPCALLS:
		return st->upcalls;
	case OVSDP_HANDLERS_OVERRUNS:
		return st->overruns;
	}
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handlers_stats_n_handlers(const struct ovsdp_handlers_stats *st)
{
	return st ? st->n_handlers : 0;
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_handler(const struct ovsdp_handlers_stats *st, unsigned int i,
			     enum ovsdp_handler_counter c)
{
	const struct ovsdp_handler_stats *h;

	if (!st || i >= st->n_handlers)
		return 0;
	h = &st->per_handler[i];
	switch (c) {
	case OVSDP_HANDLER_UPCALLS:
		return h->upcalls;
	case OVSDP_HANDLER_BATCHES:
		return h->batches;
	case OVSDP_HANDLER_WAKEUPS:
		return h->wakeups;
	case OVSDP_HANDLER_EMPTY_WAKEUPS:
		return h->empty_wakeups;
	case OVSDP_HANDLER_MALFORMED:
		return h->malformed;
	case OVSDP_HANDLER_TRUNCATED:
		return h->truncated;
	case OVSDP_HANDLER_REPLIES:
		return h->replies;
	case OVSDP_HANDLER_REPLY_ERRORS:
		return h->reply_errors;
	case OVSDP_HANDLER_TRANSACTIONS:
		return h->transactions;
	case OVSDP_HANDLER_REPLY_UNCONFIRMED:
		return h->reply_unconfirmed;
	}
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handlers_stats_n_dispatchers(const struct ovsdp_handlers_stats *st)
{
	return st ? st->n_dispatchers : 0;
}

static const struct dispatcher_snapshot *
snapshot_get_dispatcher(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	return st && i < st->n_dispatchers ? &st->dispatchers[i] : NULL;
}

OVSDP_EXPORT const char *
ovsdp_handlers_stats_dispatcher_name(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	return d ? d->name : NULL;
}

OVSDP_EXPORT const char *
ovsdp_handlers_stats_dispatcher_description(const struct ovsdp_handlers_stats *st,
					    unsigned int i)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	return d ? d->description : NULL;
}

OVSDP_EXPORT bool
ovsdp_handlers_stats_dispatcher_active(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	return d && d->active;
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_dispatcher(const struct ovsdp_handlers_stats *st, unsigned int i,
				enum ovsdp_dispatcher_counter c)
{
	const struct dispatcher_snapshot *d = snapshot_get_dispatcher(st, i);

	if (!d)
		return 0;
	switch (c) {
	case OVSDP_DISPATCHER_HANDLERS:
		return d->n_handlers;
	case OVSDP_DISPATCHER_SOCKETS:
		return d->n_sockets;
	case OVSDP_DISPATCHER_UPCALLS:
		return d->upcalls;
	case OVSDP_DISPATCHER_OVERRUNS:
		return d->overruns;
	case OVSDP_DISPATCHER_EMPTY_WAKEUPS:
		return d->empty_wakeups;
	}
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handlers_stats_n_shares(const struct ovsdp_handlers_stats *st)
{
	return st ? st->n_shares : 0;
}

OVSDP_EXPORT const char *
ovsdp_handlers_stats_share_name(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	return st && i < st->n_shares ? st->shares[i].name : NULL;
}

OVSDP_EXPORT uint64_t
ovsdp_handlers_stats_share_upcalls(const struct ovsdp_handlers_stats *st, unsigned int i)
{
	return st && i < st->n_shares ? st->shares[i].upcalls : 0;
}

OVSDP_EXPORT void
ovsdp_handlers_free(struct ovsdp_handlers *hs)
{
	if (!hs)
		return;
	if (hs->mon_thread) {
		g_atomic_int_set(&hs->mon_stop, 1);
		wake(hs->mon_wake);
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

		/* Point the kernel away, then deliver what is already queued. */
		r = dispatcher_recv_set(d, false);
		if (r < 0)
			g_log("ovsdp", G_LOG_LEVEL_WARNING, "%s: dispatcher %s: recv_set(false) failed "
			      "while stopping: %s; the kernel counts its upcalls as lost from now on",
			      hs->dp_name, d->name, g_strerror(-r));
		pthread_mutex_lock(&hs->lock);
		hs->active = NULL;
		pthread_mutex_unlock(&hs->lock);
		retire(hs, d);
	}
	set_thread_count(hs, 0, NULL);
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
	set_thread_count(hs, 0, NULL);
	hs->detached = true;
	if (hs->active)
		ovsdp_host_ctx_freeze(hs->active->ctx);
	pthread_mutex_unlock(&hs->control);
	return 0;
}

OVSDP_EXPORT unsigned int
ovsdp_handler_index(const struct ovsdp_handler *h)
{
	return h ? h->index : 0;
}

OVSDP_EXPORT struct ovsdp_dp *
ovsdp_handler_dp(struct ovsdp_handler *h)
{
	if (!h)
		return NULL;
	if (!h->dp && ovsdp_dp_open(h->hs->dp_name, &h->dp, NULL) == 0)
		ovsdp_dp_grow_buffers(h->dp);  /* not shared yet: no lock needed */
	return h->dp;
}

OVSDP_EXPORT int
ovsdp_handler_upcall_info(const struct ovsdp_handler *h, const struct ovsdp_upcall *up,
			  struct ovsdp_upcall_info *out)
{
	uintptr_t first, at;

	if (!h || !up)
		return -EINVAL;
	first = (uintptr_t)h->ups;
	at = (uintptr_t)up;
	if (at < first || (at - first) % sizeof *up || (at - first) / sizeof *up >= h->hs->batch)
		return -EINVAL;
	return ovsdp_upcall_get_info(up, h->pids[(at - first) / sizeof *up], out);
}
