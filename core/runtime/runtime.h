/* runtime.h: private to the handler runtime (the files below); what
 * white-box tests read is in handlers-internal.h.
 *
 * The runtime in parts, one concept a file.  Each file calls only files
 * listed before it (no call cycles):
 *   dispatch-host.c   what plugins see: the host vtable and its context
 *   handler-thread.c  handler threads: wait, receive, parse, callback,
 *                     reply; the thread pool; the handler's public calls
 *   pull.c            pull mode: the application's threads drive the
 *                     handlers (pull fd, one round)
 *   dispatcher.c      one plugin instance: its dispatch lock, create and
 *                     destroy, control methods, bring-up
 *   port-monitor.c    the monitor thread (ports, CPU affinity) and the
 *                     public port calls
 *   live-switch.c     start, live switch, drain and retire
 *   handler-stats.c   the stats snapshot and its accessors
 *   handlers.c        the public lifecycle: new, resize, recv_set, free,
 *                     detach */
#ifndef OVSDP_RUNTIME_H
#define OVSDP_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "dp/datapath-internal.h"
#include "runtime/dispatch-host.h"
#include "nl/netlink.h"
#include "dp/requests.h"
#include "ovsdp/dispatch.h"
#include "ovsdp/features.h"
#include "ovsdp/handlers.h"
#include "ovsdp/operate.h"

/* Locks are pthread's rather than glib's so that ThreadSanitizer sees them
 * (GMutex is a bare futex on Linux).
 *
 * One plugin instance on the datapath.  'lock' is the dispatch lock of
 * <ovsdp/dispatch.h>: writers for control methods, readers for recv,
 * wait_fd, wait and port_get_pid.  It prefers writers: a handler asleep in
 * the plugin's wait holds it for reading, so a writer first raises
 * 'writers' and wakes every handler (dispatcher_control_lock()), and a handler that
 * sees 'writers' does not go back to sleep inside wait. */
struct dispatcher {
	struct ovsdp_handlers *hs;
	const struct ovsdp_dispatch_vtable *vt;
	char name[OVSDP_DISPATCH_NAME_MAX + 1];
	struct ovsdp_dispatch_instance *inst;
	struct ovsdp_dispatch_host_ctx *ctx;
	const struct ovsdp_config *config;      /* what it was made with */
	uint64_t serial;        /* never reused in a runtime, unlike its address */
	pthread_rwlock_t lock;
	uint32_t n_handlers;
	bool dictates_handlers;
	uint64_t upcalls;       /* atomics: updated by handler threads */
	uint64_t overruns;
	uint64_t empty;
	guint warned;           /* atomic: WARNED_* failures already logged */
	uint32_t writers;       /* atomic: dispatcher_control_lock() callers of this instance */
	uint64_t changes;       /* atomic: control methods called (handler-stats.c) */
	/* What the plugin's stats and describe said last (handler-stats.c),
	 * with hs->lock. */
	bool seen;
	uint64_t seen_changes;  /* 'changes' then */
	gint64 seen_at;         /* monotonic */
	uint64_t seen_sockets;
	char seen_description[160];
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
	gint64 drained_at;      /* with 'lock': when that look began (monotonic) */
	uint64_t armed_serial;  /* with 'lock': serial of the last active instance
				 * whose wait (or, without one, wait_fd) it
				 * has been through, 0: none */
	/* Replies the callback queued, encoded as netlink requests (the
	 * batches of ovsdp_dp_operate()): puts and executes apart, so that
	 * the puts go first whatever the order. */
	struct ovsdp_batch puts, execs;
	struct ovsdp_handler_stats st; /* fields updated with atomics */
	/* Pull mode (pull.c): no thread; the application's thread polls
	 * pull_epfd, which holds wake_fd, pull_timer (armed while a plugin
	 * drains) and a dup of the wait_fd of each dispatcher it reads,
	 * registered in pull_reg (its thread only), closed by pull.c when
	 * the instance is no longer read.  'pulling' (with hs->lock): a thread is inside
	 * ovsdp_handlers_pull() on it, so it may not be freed. */
	int pull_epfd;
	int pull_timer;
	struct { int fd; uint64_t serial; } pull_reg[2];
	bool pulling;
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
	pthread_cond_t armed;            /* a handler's armed_serial changed (with 'lock') */
	struct dispatcher *active;
	struct dispatcher *draining;
	uint64_t epoch;
	GPtrArray *handlers;    /* struct ovsdp_handler *, index order */
	bool pull;              /* options.pull: handlers without threads */
	uint64_t dispatcher_serial; /* with 'control': the last instance's serial */
	bool stopping;          /* with 'control': ovsdp_handlers_free() runs */
	pthread_cond_t pull_idle; /* a handler's 'pulling' went false (with 'lock') */
	uint64_t switches;      /* with 'lock' */
	GHashTable *shares;     /* plugin name -> uint64_t * upcalls of retired instances */
	uint64_t retired_overruns;

	struct ovsdp_monitor *mon;
	GThread *mon_thread;
	int mon_wake;
	gint mon_stop;
	bool skip_grace;        /* with 'control': tests, see handlers-internal.h */
	bool detached;          /* ovsdp_handlers_detach(): the sockets went to another process */
	GHashTable *mon_known;  /* port_no -> name: the ports as the monitor knows
				 * them (its thread only, once started) */
	uint64_t mon_resyncs;   /* atomic: overruns it recovered from by a re-read */
};

/* Where the kernel offers no grace period to wait for (see
 * kernel_grace_period()), upcalls in flight get this long to land on the
 * old sockets: only a handler's look begun after it ends the drain.  Also
 * a draining handler's poll timeout: it looks at least this often. */
#define DRAIN_SETTLE_MS 50

/* ---- handler-thread.c ---- */

/* Make eventfd 'fd' readable. */
void handlers_wake(int fd);
/* Wake every handler thread (takes hs->lock). */
void handlers_wake_all(struct ovsdp_handlers *hs);
/* Wait until every handler thread serving the active instance d has been
 * through d's wait once (d's wait_fd, for a plugin without wait), or
 * HANDLERS_ARM_TIMEOUT_MS.  Called with 'control' held, after d became
 * active and the handlers were woken. */
void handlers_wait_armed(struct ovsdp_handlers *hs, struct dispatcher *d);
/* Grow or shrink the thread pool to n (in pull mode, the handlers
 * without threads).  Called with 'control' held. */
int handlers_set_thread_count(struct ovsdp_handlers *hs, unsigned int n, GError **error);
/* One plugin instance a handler reads, as seen under hs->lock: the
 * pointer may be compared, not followed, once the lock is released (a
 * drained instance is freed); handler_drain() checks it again. */
struct handler_wait {
	struct dispatcher *d;
	uint64_t serial;
	int fd;                 /* its wait_fd; -1 for one that drains without.
				 * Pull mode: a dup of it, registered in the
				 * handler's epoll set or, when 'fresh', to be */
	bool fresh;             /* pull mode: a new dup the caller now owns */
	bool is_drain;
};
/* What handler h waits on: the active dispatcher and one that drains, when
 * h is one of their handlers.  With hs->lock.  Returns the count (<= 2);
 * *draining tells whether one drains. */
unsigned int handler_waits(struct ovsdp_handler *h, struct handler_wait w[2], bool *draining);
/* Read what h has on d, a few batches at most, deliver it to the callback
 * and send the replies ('woke': d's wait_fd said readable).  Returns the
 * count of messages received. */
unsigned int handler_drain(struct ovsdp_handler *h, struct dispatcher *d, bool woke);
/* Empty h's wake_fd; true if it was readable. */
bool handler_take_wakeup(struct ovsdp_handler *h);

/* ---- dispatcher.c ---- */

void dispatcher_control_lock(struct dispatcher *d);
void dispatcher_control_unlock(struct dispatcher *d);
int dispatcher_new(struct ovsdp_handlers *hs, struct ovsdp_plugin *plugin,
		   struct dispatcher **out, GError **error);
void dispatcher_free(struct dispatcher *d);
int dispatcher_handlers_set(struct dispatcher *d, uint32_t n);
int dispatcher_recv_set(struct dispatcher *d, bool enable);
int dispatcher_port_added(struct dispatcher *d, uint32_t port_no);
void dispatcher_port_deleted(struct dispatcher *d, uint32_t port_no);
/* How many handlers d gets (asks the plugin: takes d's write lock). */
uint32_t choose_handler_count(struct ovsdp_handlers *hs, struct dispatcher *d, unsigned int asked);
int dispatcher_own_mode(struct ovsdp_handlers *hs, struct dispatcher *d, GError **error);
int dispatcher_bring_up(struct ovsdp_handlers *hs, struct dispatcher *d, unsigned int asked,
			GError **error);

/* ---- port-monitor.c ---- */

/* Re-read the CPU affinity and follow a change.  With hs->control held. */
void handlers_refresh_affinity(struct ovsdp_handlers *hs);
/* The datapath's ports now, as port_no -> name; NULL on failure. */
GHashTable *port_monitor_list(struct ovsdp_handlers *hs);
/* The monitor thread's body (data: the runtime). */
gpointer port_monitor_main(gpointer data);

/* ---- live-switch.c ---- */

/* Drain 'd', which the kernel no longer points at, and destroy it.  With
 * hs->control held. */
void dispatcher_retire(struct ovsdp_handlers *hs, struct dispatcher *d);

#endif
