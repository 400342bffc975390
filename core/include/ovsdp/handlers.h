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

struct ovsdp_handlers_options {
	const char *dp_name;            /* an existing datapath */
	const struct ovsdp_config *config; /* plugin options, [handlers] count; NULL: defaults */
	unsigned int n_handlers;        /* 0: the config's count, else the online CPUs */
	unsigned int batch;             /* messages per receive; 0: 32 */
	unsigned int msg_size;          /* bytes per message buffer; 0: 65536 */
	ovsdp_upcall_fn callback;
	void *user_data;
};

/* Counters of one dispatcher (the active one, or the one being drained). */
struct ovsdp_dispatcher_stats {
	char name[OVSDP_DISPATCH_NAME_MAX + 1];
	char description[160];
	bool active;
	uint32_t n_handlers;
	uint64_t n_sockets;
	uint64_t upcalls;               /* messages received through it */
	uint64_t overruns;              /* ENOBUFS overruns it reported */
	uint64_t empty_wakeups;         /* its wait_fd woke a handler with nothing to read */
};

/* Counters of one handler thread.  Members are only ever appended. */
struct ovsdp_handler_stats {
	uint64_t upcalls;               /* delivered to the callback */
	uint64_t batches;               /* callback invocations */
	uint64_t wakeups;               /* returns from poll() */
	uint64_t empty_wakeups;         /* wakeups that found no upcall */
	uint64_t malformed;             /* messages that failed to parse (dropped) */
	uint64_t truncated;             /* messages larger than msg_size (dropped) */
	uint64_t replies;               /* flow puts and executes queued and sent */
	uint64_t reply_errors;          /* of which failed: refused by the kernel, or
					 * reply_unconfirmed */
	uint64_t transactions;          /* netlink sends that carried them: one per
					 * callback that queued any, more only when a
					 * batch outgrows the socket's buffers */
	uint64_t reply_unconfirmed;     /* of reply_errors, those without the kernel's
					 * verdict: never sent (no datapath handle, send
					 * failure) or the ack lost to a buffer overrun */
};

struct ovsdp_handlers_stats {
	unsigned int n_handlers;
	uint64_t switches;              /* completed live switches */
	uint64_t upcalls;               /* sum over handlers */
	uint64_t overruns;              /* sum over dispatchers, past and present */
	unsigned int n_dispatchers;     /* entries used in 'dispatchers' */
	struct ovsdp_dispatcher_stats dispatchers[2];
	/* Per-handler counters: an array of n_handlers entries (g_free), or
	 * NULL when the caller passed want_per_handler = false. */
	struct ovsdp_handler_stats *per_handler;
	/* Totals since the runtime started, per plugin name, as
	 * "name=upcalls" pairs separated by spaces, for share reports. */
	char shares[256];
};

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

/* Name of the running plugin. */
OVSDP_EXPORT const char *ovsdp_handlers_plugin_name(struct ovsdp_handlers *hs);

/* Fill *out.  per_handler is allocated when want_per_handler is true. */
OVSDP_EXPORT int ovsdp_handlers_get_stats(struct ovsdp_handlers *hs, bool want_per_handler,
					  struct ovsdp_handlers_stats *out);

/* Stop the threads, point the kernel away and destroy the plugin instance.
 * NULL is ignored. */
OVSDP_EXPORT void ovsdp_handlers_free(struct ovsdp_handlers *hs);

/* For the callback: queue a flow put or a packet execute.  Everything
 * queued during one callback goes to the kernel as one multi-message
 * netlink transaction when the callback returns, flow puts before
 * executes, so a packet runs after the flow it caused exists.  Each
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
