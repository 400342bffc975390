/* ovsdp/handlers.h: the upcall handler runtime.  It runs one dispatch
 * plugin instance on a datapath with N handler threads: each thread waits on
 * the plugin's wait_fd, receives a batch, parses it into struct ovsdp_upcall
 * and hands it to the application's callback.  It also switches the running
 * plugin for another under traffic without losing queued upcalls. */
#ifndef OVSDP_HANDLERS_H
#define OVSDP_HANDLERS_H

#include <stdbool.h>
#include <stdint.h>
#include <ovsdp/common.h>
#include <ovsdp/config.h>
#include <ovsdp/flow.h>
#include <ovsdp/packet.h>
#include <ovsdp/plugin.h>
#include <ovsdp/upcall.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdp_handlers;
/* One handler thread, as the callback sees it. */
struct ovsdp_handler;
struct ovsdp_dp;

/* Called on handler thread 'h' with 'n' parsed upcalls.  The upcalls point
 * into the runtime's receive buffers: they are valid until the callback
 * returns.  Called without any runtime lock held; may call the library's
 * flow and packet functions on ovsdp_handler_dp(h). */
typedef void (*ovsdp_upcall_fn)(struct ovsdp_handler *h, const struct ovsdp_upcall *upcalls,
				unsigned int n, void *user_data);

/* Set struct_size to sizeof(struct ovsdp_handlers_options) (the
 * OVSDP_HANDLERS_OPTIONS_INIT designator does): a later minor appends
 * members and reads them only where the caller's struct_size covers them,
 * so a program built against 1.0 keeps working.  Members not set are 0. */
struct ovsdp_handlers_options {
	size_t struct_size;
	const char *dp_name;            /* an existing datapath */
	const struct ovsdp_config *config; /* plugin options, [handlers] count; NULL: defaults */
	unsigned int n_handlers;        /* 0: the config's count, else the online CPUs */
	unsigned int batch;             /* messages per receive; 0: 32 */
	unsigned int msg_size;          /* bytes per message buffer; 0: 65536 */
	ovsdp_upcall_fn callback;
	void *user_data;
	/* ABI 1.2.  true: the runtime starts no handler threads; the
	 * application runs each handler index on a thread of its own with
	 * ovsdp_handlers_pull_fd() and ovsdp_handlers_pull() (the way Open
	 * vSwitch's handler threads call dpif_recv()). */
	bool pull;
};

/* For a designated initialiser:
 *   struct ovsdp_handlers_options o = { OVSDP_HANDLERS_OPTIONS_INIT, .dp_name = "dp0", ... }; */
#define OVSDP_HANDLERS_OPTIONS_INIT .struct_size = sizeof(struct ovsdp_handlers_options)

/* Statistics are read as a snapshot: an opaque object the library
 * allocates, read through the accessors below, so that any counter, any
 * number of dispatchers and of plugin shares can be added in a minor
 * version without changing a layout the caller compiled in.  An index past
 * the end, or a counter this library does not know (a caller built against
 * a later minor), reads as 0 or NULL.  Strings returned by the accessors
 * belong to the snapshot and live until ovsdp_handlers_stats_free(). */
struct ovsdp_handlers_stats;

/* Counters of one handler thread.  New counters are appended. */
enum ovsdp_handler_counter {
	OVSDP_HANDLER_UPCALLS,          /* delivered to the callback */
	OVSDP_HANDLER_BATCHES,          /* callback invocations */
	OVSDP_HANDLER_WAKEUPS,          /* returns from waiting on the plugin */
	OVSDP_HANDLER_EMPTY_WAKEUPS,    /* wakeups that found no upcall */
	OVSDP_HANDLER_MALFORMED,        /* messages that failed to parse (dropped) */
	OVSDP_HANDLER_TRUNCATED,        /* messages larger than msg_size (dropped) */
	OVSDP_HANDLER_REPLIES,          /* flow puts and executes queued and sent */
	OVSDP_HANDLER_REPLY_ERRORS,     /* of which failed: refused by the kernel,
					 * or reply_unconfirmed */
	OVSDP_HANDLER_TRANSACTIONS,     /* netlink sends that carried them: one
					 * per callback that queued any, more only
					 * when a batch outgrows the socket's
					 * buffers */
	OVSDP_HANDLER_REPLY_UNCONFIRMED, /* of reply_errors, those without the
					  * kernel's verdict: never sent (no
					  * datapath handle, send failure) or the
					  * ack lost to a buffer overrun */
};

/* Figures of one dispatcher (a plugin instance).  New ones are appended. */
enum ovsdp_dispatcher_counter {
	OVSDP_DISPATCHER_HANDLERS,      /* handler threads it serves */
	OVSDP_DISPATCHER_SOCKETS,       /* sockets it holds (its stats member) */
	OVSDP_DISPATCHER_UPCALLS,       /* messages received through it */
	OVSDP_DISPATCHER_OVERRUNS,      /* ENOBUFS overruns it reported */
	OVSDP_DISPATCHER_EMPTY_WAKEUPS, /* its wait_fd woke a handler with nothing */
};

/* Runtime totals.  New ones are appended. */
enum ovsdp_handlers_counter {
	OVSDP_HANDLERS_SWITCHES,        /* completed live switches */
	OVSDP_HANDLERS_UPCALLS,         /* sum over handlers */
	OVSDP_HANDLERS_OVERRUNS,        /* sum over dispatchers, past and present */
};

/* Take a snapshot of the runtime's statistics.  Returns 0 and *out (free
 * with ovsdp_handlers_stats_free), or -EINVAL. */
OVSDP_EXPORT int ovsdp_handlers_stats_new(struct ovsdp_handlers *hs,
					  struct ovsdp_handlers_stats **out);
/* NULL is ignored. */
OVSDP_EXPORT void ovsdp_handlers_stats_free(struct ovsdp_handlers_stats *st);

/* A runtime total. */
OVSDP_EXPORT uint64_t ovsdp_handlers_stats_total(const struct ovsdp_handlers_stats *st,
						 enum ovsdp_handlers_counter c);

/* Handler threads, and counter 'c' of handler 'i' (0 <= i < n_handlers). */
OVSDP_EXPORT unsigned int ovsdp_handlers_stats_n_handlers(const struct ovsdp_handlers_stats *st);
OVSDP_EXPORT uint64_t ovsdp_handlers_stats_handler(const struct ovsdp_handlers_stats *st,
						   unsigned int i,
						   enum ovsdp_handler_counter c);

/* The dispatchers running when the snapshot was taken, the active one
 * first (today only the active one is listed: a caller must not assume
 * there is at most one). */
OVSDP_EXPORT unsigned int
ovsdp_handlers_stats_n_dispatchers(const struct ovsdp_handlers_stats *st);
OVSDP_EXPORT const char *
ovsdp_handlers_stats_dispatcher_name(const struct ovsdp_handlers_stats *st, unsigned int i);
/* Its describe member's line ("" when it has none). */
OVSDP_EXPORT const char *
ovsdp_handlers_stats_dispatcher_description(const struct ovsdp_handlers_stats *st,
					    unsigned int i);
OVSDP_EXPORT bool ovsdp_handlers_stats_dispatcher_active(const struct ovsdp_handlers_stats *st,
							 unsigned int i);
OVSDP_EXPORT uint64_t ovsdp_handlers_stats_dispatcher(const struct ovsdp_handlers_stats *st,
						      unsigned int i,
						      enum ovsdp_dispatcher_counter c);

/* Upcalls received since the runtime started, per plugin name (every
 * instance of a name added up, past and present), for share reports: the
 * running plugin first, then the others in no particular order. */
OVSDP_EXPORT unsigned int ovsdp_handlers_stats_n_shares(const struct ovsdp_handlers_stats *st);
OVSDP_EXPORT const char *ovsdp_handlers_stats_share_name(const struct ovsdp_handlers_stats *st,
							 unsigned int i);
OVSDP_EXPORT uint64_t ovsdp_handlers_stats_share_upcalls(const struct ovsdp_handlers_stats *st,
							 unsigned int i);

/* Create a runtime for the datapath named in 'opts' (it must exist).  No
 * plugin runs yet: see ovsdp_handlers_start().  Returns 0 and *out, or a
 * negative errno (-ENODEV: no such datapath). */
OVSDP_EXPORT int ovsdp_handlers_new(const struct ovsdp_handlers_options *opts,
				    struct ovsdp_handlers **out, GError **error);

/* Instantiate 'plugin' (loaded and probed, owned by the caller's plugin list,
 * which must outlive the runtime), size it, register every current port,
 * point the kernel at it and start the handler threads.  On failure nothing
 * runs and the kernel is left as it was. */
OVSDP_EXPORT int ovsdp_handlers_start(struct ovsdp_handlers *hs, struct ovsdp_plugin *plugin,
				      GError **error);

/* Replace the running plugin with 'plugin' under traffic: the new instance
 * is created, sized and enabled (the kernel now sends new upcalls to it),
 * the handler threads drain what is queued on the old instance's sockets,
 * and only then is the old instance destroyed.  'plugin' may be the running
 * plugin itself: a fresh instance, made with the current configuration
 * (see ovsdp_handlers_set_config()), replaces the running one.  If the new
 * plugin fails to start, the old one stays active and the error is
 * returned. */
OVSDP_EXPORT int ovsdp_handlers_switch(struct ovsdp_handlers *hs, struct ovsdp_plugin *plugin,
				       GError **error);

/* Use 'config' (plugin options and [handlers] count; NULL: the built-in
 * defaults) for the plugin instances made from now on by
 * ovsdp_handlers_start() and ovsdp_handlers_switch().  The running
 * instance keeps the options it was made with: switch to its plugin again
 * to apply new ones live.  'config' must outlive the runtime (instances
 * keep reading their options from it).  Returns 0, or -EINVAL. */
OVSDP_EXPORT int ovsdp_handlers_set_config(struct ovsdp_handlers *hs,
					   const struct ovsdp_config *config);

/* Resize to n handler threads (1..OVSDP_HANDLERS_MAX).  When the plugin
 * dictates the count (per-cpu), the request is refused with -EPERM and a
 * message saying so. */
OVSDP_EXPORT int ovsdp_handlers_resize(struct ovsdp_handlers *hs, unsigned int n, GError **error);

/* Stop (false) or resume (true) receiving: the plugin points the kernel
 * away from, or back at, its sockets.  While stopped the kernel counts
 * misses as lost. */
OVSDP_EXPORT int ovsdp_handlers_recv_set(struct ovsdp_handlers *hs, bool enable, GError **error);

/* Tell the runtime about a port added or removed.  The runtime also
 * follows the kernel's vport notifications, so ports changed behind its
 * back are picked up by themselves; calling these is harmless. */
OVSDP_EXPORT int ovsdp_handlers_port_added(struct ovsdp_handlers *hs, uint32_t port_no,
					   GError **error);
OVSDP_EXPORT int ovsdp_handlers_port_deleted(struct ovsdp_handlers *hs, uint32_t port_no);

/* The netlink portid for a userspace action on packets from 'port_no'. */
OVSDP_EXPORT uint32_t ovsdp_handlers_port_get_pid(struct ovsdp_handlers *hs, uint32_t port_no);

/* The upcall pid to create a port with (ovsdp_vport_spec.upcall_pids):
 * one of the running dispatcher's sockets, the one it serves the
 * datapath's local port (0) with, so that a miss on the new port is
 * received before the dispatcher's port_added gives the port sockets of
 * its own.  0 when no dispatcher runs, when it serves no such socket, or
 * in per-cpu dispatch, where the kernel ignores vport pids. */
OVSDP_EXPORT uint32_t ovsdp_handlers_new_port_pid(struct ovsdp_handlers *hs);

/* A copy of the running plugin's name (free with free()), or NULL when
 * none runs.  A copy, because a live switch on another thread may free
 * the name the runtime holds. */
OVSDP_EXPORT char *ovsdp_handlers_plugin_name(struct ovsdp_handlers *hs);

/* Stop the threads, point the kernel away and destroy the plugin instance.
 * NULL is ignored. */
OVSDP_EXPORT void ovsdp_handlers_free(struct ovsdp_handlers *hs);

/* Stop handling for a restart: every handler thread finishes the batch it
 * holds and stops; the dispatcher, its sockets and the kernel's upcall
 * pids stay as they are, so upcalls queue on the sockets for the process
 * they were handed to (ovsdp_upcall_socks_list()).  Afterwards only
 * ovsdp_handlers_stats_new() and ovsdp_handlers_free() are of use; free
 * closes this process's sockets without pointing the kernel away. */
OVSDP_EXPORT int ovsdp_handlers_detach(struct ovsdp_handlers *hs);

/* ---- pull mode (ABI 1.2): the application's threads are the handlers ----
 *
 * With options.pull the runtime creates the handlers (their receive
 * buffers, statistics and reply batches) but no threads: the application
 * drives handler 'index' (0 <= index < ovsdp_handlers_n_handlers()) from
 * one thread of its own, in a loop of poll() on ovsdp_handlers_pull_fd()
 * and ovsdp_handlers_pull().  Everything else is as with threads: the
 * running plugin decides which socket an upcall reaches, a live switch
 * drains the old plugin through the same calls, the callback gets the
 * parsed upcalls and may queue replies, which are sent before
 * ovsdp_handlers_pull() returns.
 *
 * A live switch waits for every handler to look at the plugin it
 * replaces: call ovsdp_handlers_pull() whenever the fd is readable, on
 * every index, or the switch waits for its timeout (it gives up after
 * seconds without progress and destroys what the old plugin still held).  The blocking 'wait' member of a plugin is not
 * used in pull mode: its wait_fd is polled (for per-vport, every handler
 * whose epoll set holds a port's socket wakes for an upcall on it, as
 * Open vSwitch's handlers do when they poll their epoll fds). */

/* The handler count: how many indexes the application must drive.  It
 * changes with ovsdp_handlers_resize(), a switch to a plugin that
 * dictates another count, or (for per-cpu) a new CPU affinity.  When
 * 'dictated' is not NULL it tells whether the running plugin dictates the
 * count (a resize is then refused): Open vSwitch's
 * number_handlers_required().  0 for NULL. */
OVSDP_EXPORT unsigned int ovsdp_handlers_n_handlers(struct ovsdp_handlers *hs, bool *dictated);

/* A file descriptor to poll() for POLLIN before pulling handler 'index':
 * readable while the plugin may have upcalls for it, after a switch, a
 * resize or a control call that needs it to look, and on a timer while an
 * old plugin drains.  It belongs to the runtime: do not read or close it.
 * It stays valid until the index goes away (a smaller count) or
 * ovsdp_handlers_free().  Returns the fd, or -EINVAL (not a pull
 * runtime), -ENOENT (no such index). */
OVSDP_EXPORT int ovsdp_handlers_pull_fd(struct ovsdp_handlers *hs, unsigned int index);

/* One round of handler 'index' on the calling thread, without blocking:
 * receive what its sockets hold on the running plugin (and on one that
 * drains), a few batches at most, call the callback with each batch and
 * send the replies it queued.  Returns the number of upcalls given to the
 * callback (0: none), or -EINVAL (not a pull runtime), -ENOENT (no such
 * index: the count shrank), -EBUSY (another thread is pulling this index
 * now; one thread an index).  Must not be called from the callback. */
OVSDP_EXPORT int ovsdp_handlers_pull(struct ovsdp_handlers *hs, unsigned int index);

/* For the callback: queue a flow put or a packet execute.  Everything
 * queued during one callback goes to the kernel as one multi-message
 * netlink transaction when the callback returns, flow puts before
 * executes, so a packet runs after the flow it caused exists (the batch
 * of ovsdp_dp_operate(): a put that may create a flow and names no ufid
 * gets ovsdp_ufid_from_key()'s).  Each
 * request is acked on its own: one the kernel refuses fails alone, and
 * the handler's statistics count it (replies, reply_errors,
 * transactions).  The request is encoded at once, so the structures and
 * the buffers they point to need not outlive the call.  Returns 0, or
 * -EINVAL (bad arguments or flags; nothing queued), -EMSGSIZE (larger than
 * one request may be), -ENODEV (the handler has no datapath handle: the
 * datapath is gone; counted as a failed reply). */
OVSDP_EXPORT int ovsdp_handler_queue_flow_put(struct ovsdp_handler *h,
					      const struct ovsdp_flow_put *put);
OVSDP_EXPORT int ovsdp_handler_queue_execute(struct ovsdp_handler *h,
					     const struct ovsdp_execute *ex);

/* For the callback: this handler's index, and a datapath handle of its own
 * for requests that need an answer (flow gets, dumps). */
OVSDP_EXPORT unsigned int ovsdp_handler_index(const struct ovsdp_handler *h);
OVSDP_EXPORT struct ovsdp_dp *ovsdp_handler_dp(struct ovsdp_handler *h);
/* For the callback: the ufid, receiving pid, packet type and hash of one
 * of the upcalls it was given (ovsdp_upcall_get_info() with the pid of the
 * socket it arrived on).  -EINVAL if 'up' is not one of them. */
OVSDP_EXPORT int ovsdp_handler_upcall_info(const struct ovsdp_handler *h,
					   const struct ovsdp_upcall *up,
					   struct ovsdp_upcall_info *out);

#ifdef __cplusplus
}
#endif
#endif
