/* ovsdp/dispatch.h: the upcall dispatch plugin SDK, ABI 1.0.  A dispatch
 * plugin is a shared object that owns the upcall sockets and decides which
 * socket the kernel sends each upcall to; the core owns parsing, threads and
 * the kernel.
 *
 * This header is self-contained: it includes only C standard headers, and
 * compiles alone as C99 -pedantic and as C++.  A plugin needs nothing else
 * of ovsdp (no libovsdp, no glib, no libnl): everything it needs from the
 * host (logging, upcall sockets, kernel calls, options, kernel features)
 * arrives through struct ovsdp_dispatch_host.  Build with
 * `pkg-config --cflags ovsdp-dispatch-1`; install into its `dispatchdir`.
 *
 * A plugin exports one function, ovsdp_dispatch_plugin_get(), returning a
 * const descriptor; the descriptor points at a vtable of methods, and the
 * core hands the plugin a "host" vtable for everything that needs netlink.
 * See docs/writing-a-dispatcher.md for the contract of every member.
 *
 * ABI rules
 * ---------
 * - The host accepts a plugin when descriptor->abi_major equals
 *   OVSDP_DISPATCH_ABI_MAJOR and descriptor->abi_minor is not greater than
 *   the host's OVSDP_DISPATCH_ABI_MINOR.
 * - abi_major and abi_minor are the first two fields of the descriptor in
 *   every major version, so a host can always read them.
 * - Within a major version structures only grow at the end, and the minor
 *   version goes up with each addition.  Each growing structure starts with
 *   'struct_size', set by whoever fills it to sizeof as that party was
 *   compiled.  The other side reads or calls a member only when
 *   OVSDP_DISPATCH_CAN() / OVSDP_DISPATCH_COVERS() says 'struct_size'
 *   covers it (and, for a method, that the pointer is non-NULL).  A NULL
 *   optional method means "not implemented".
 * - The vtable members marked "Required" must be set: the loader refuses,
 *   when it loads the file, a plugin whose vtable leaves one NULL or whose
 *   struct_size does not cover them (OVSDP_DISPATCH_VTABLE_MIN_SIZE).
 * - Arrays of fixed structures (struct ovsdp_dispatch_msg,
 *   struct ovsdp_dispatch_option) are frozen for the whole major version;
 *   arrays that may grow (the features' families) carry their element size.
 *
 * Errors cross the ABI as negative errno values; the human explanation goes
 * through host->log() (or, for probe(), into the reason buffer).
 *
 * The contract (what the core does: the files core/runtime/runtime.h lists; the
 * checking plugin in tests/plugins/checking asserts every rule below on
 * every call, through the conformance suite; docs/writing-a-dispatcher.md
 * has it as a table)
 * --------------------------------------------------------------------------
 * Locks.  The core keeps one dispatch lock per instance, a readers-writer
 * lock that prefers writers:
 * - "write": handlers_set, number_handlers_required, recv_set, port_added,
 *   port_deleted, stats, describe(d != NULL) and destroy run with it held
 *   for writing: never two at a time, never while a handler is inside
 *   wait_fd, wait or recv of the same instance, never concurrently with
 *   port_get_pid.  They come from whichever application thread asked
 *   (start, switch, resize, recv_set, stats), or from the core's port
 *   monitor thread (port_added, port_deleted), one at a time: the runtime's
 *   control mutex serialises them across all its instances.
 * - "read": wait_fd, wait, recv and port_get_pid run with it held for
 *   reading, concurrently with one another.
 * - create runs with the control mutex held but no dispatch lock (nothing
 *   else can reach the instance yet); probe with no lock and no instance
 *   (a 1.x core never calls describe(NULL)).
 * Threads.  wait_fd(h), wait(h) and recv(h) come only from handler thread h
 * (one thread per index, the same one while the index exists), so state
 * indexed by handler needs no lock.  port_get_pid comes from handler
 * threads (while building replies in the upcall callback) and from any
 * application thread (ovsdp_handlers_port_get_pid()).  A control method may
 * come from a handler thread too, when the application's upcall callback
 * calls the runtime (it holds no dispatch lock then).
 * Blocking.  Only wait may block (until work, its wake_fd or its timeout).
 * Control methods may make kernel calls through the host, nothing slower:
 * handlers of the instance wait meanwhile.  The other read-lock methods
 * never block.
 * Order, for one instance:
 *   create
 *   number_handlers_required             (if set)
 *   handlers_set(n)                      (at least once)
 *   port_added(p) for every port the datapath has (the local port 0
 *                                         included), in port list order
 *   recv_set(true)                       (the kernel now names its pids)
 *   ... handlers: wait_fd/wait/recv; port_get_pid from any thread ...
 *   ... control, in any order: port_added, port_deleted, handlers_set
 *       (resize, also while enabled), recv_set(false/true), stats, describe
 *   destroy                              (last; nothing after it)
 * A port_added always follows the port's creation in the kernel: the port
 * exists with whatever upcall pid its creator gave it (usually
 * ovsdp_handlers_new_port_pid(): this instance's pid for port 0, or 0), or
 * has already been deleted again (the call may then fail with -ENODEV).
 * The same port may be reported twice (by its creator and by the monitor);
 * port_deleted may name a port the plugin never saw, or one the kernel has
 * already removed.
 * Failure: if a step up to recv_set(true) fails (or the core's own step
 * right after it, leaving per-cpu dispatch), the core destroys the
 * instance without recv_set(false).
 * Live switch from A to B: B goes through create .. recv_set(true) while
 * A's handlers keep reading A; B becomes active; A is drained (its wait_fd
 * and recv go on being called, never wait) until every handler found it
 * empty, then destroyed -- A never sees recv_set(false).  Shutdown:
 * recv_set(false), drain as above, destroy.
 * recv_purge is never called by a 1.x core (reserved).
 * Plugin threads: allowed but not needed: the core's handler threads do
 * all the waiting.  A plugin that starts threads starts them in create or
 * handlers_set, joins them in handlers_set or destroy, and calls from them
 * only log, usock_fd, usock_portid and usock_recv.
 * Host methods: the ones that talk to the kernel (everything but log,
 * option, features, dp_name, usock_fd, usock_portid and usock_recv) may be
 * called only from methods called under the write lock, or from create. */
#ifndef OVSDP_DISPATCH_H
#define OVSDP_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OVSDP_DISPATCH_ABI_MAJOR 1
#define OVSDP_DISPATCH_ABI_MINOR 1

/* The one symbol a plugin exports. */
#define OVSDP_DISPATCH_SYMBOL "ovsdp_dispatch_plugin_get"

#if defined(__GNUC__)
#define OVSDP_DISPATCH_EXPORT __attribute__((visibility("default")))
#define OVSDP_DISPATCH_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define OVSDP_DISPATCH_EXPORT
#define OVSDP_DISPATCH_PRINTF(fmt, args)
#endif

/* True when the structure at 'p' (of type 'type', starting with
 * uint32_t struct_size) is large enough to contain 'member'. */
#define OVSDP_DISPATCH_COVERS(type, p, member) \
	((p)->struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))

/* True when method 'member' of the table at 'p' may be called: the table
 * exists, its struct_size covers the member, and the pointer is set. */
#define OVSDP_DISPATCH_CAN(type, p, member) \
	((p) != NULL && OVSDP_DISPATCH_COVERS(type, p, member) && (p)->member != NULL)

/* Plugin names: 1 to OVSDP_DISPATCH_NAME_MAX characters from a-z, 0-9,
 * '-' and '_', starting with a letter or digit; "auto" is reserved.  The
 * name is what plugins.conf's 'mode' and 'prefer' and [plugin:NAME] use. */
#define OVSDP_DISPATCH_NAME_MAX 32

/* Opaque types.  The host defines the first two; each plugin defines
 * struct ovsdp_dispatch_instance for itself (one per datapath). */
struct ovsdp_dispatch_host_ctx;
struct ovsdp_usock;
struct ovsdp_dispatch_instance;

/* Severity for host->log(), numbered as syslog's. */
enum ovsdp_dispatch_log_level {
	OVSDP_DISPATCH_LOG_ERR = 3,
	OVSDP_DISPATCH_LOG_WARNING = 4,
	OVSDP_DISPATCH_LOG_INFO = 6,
	OVSDP_DISPATCH_LOG_DEBUG = 7,
};

/* One raw upcall: a complete generic netlink message from the kernel
 * (nlmsghdr, genlmsghdr, ovs_header, attributes), unparsed.  The core owns
 * the buffers: it sets 'data' and 'size'; host->usock_recv() fills the rest,
 * and for a message larger than 'size' points 'data' at a bigger buffer of
 * the core's (valid until the reading thread has received 64 more such
 * messages) with 'size' to match, so that it is read whole.  Frozen for the whole major version (it is passed as an array). */
struct ovsdp_dispatch_msg {
	void *data;                /* core: where the message goes */
	uint32_t size;             /* core: bytes available at 'data' */
	uint32_t len;              /* bytes of the message (more than 'size' if truncated) */
	uint32_t portid;           /* netlink portid of the socket it was read from */
	uint32_t flags;            /* OVSDP_DISPATCH_MSG_* */
};

/* The message did not fit: 'len' is its real length, the copy is partial
 * and the core drops it (and counts it). */
#define OVSDP_DISPATCH_MSG_TRUNCATED 0x1u

/* Counters for `ovsdp dispatch show`.  The core zeroes the structure and
 * sets struct_size; the plugin writes only the fields it covers
 * (OVSDP_DISPATCH_COVERS). */
struct ovsdp_dispatch_stats {
	uint32_t struct_size;
	uint32_t n_handlers;       /* handler threads the instance is sized for */
	uint64_t n_sockets;        /* upcall sockets open (or polled by this handler) */
	uint64_t n_upcalls;        /* messages returned by recv */
	uint64_t n_empty;          /* recv calls that found nothing (spurious wakeups) */
	uint64_t n_overruns;       /* ENOBUFS: the kernel dropped upcalls on a full socket */
};

/* What port_get_pid returns in per-cpu mode (as OVS does): any non-zero
 * value would do, the kernel routes by CPU. */
#define OVSDP_DISPATCH_PID_PER_CPU UINT32_MAX

/* stats() handler index meaning "the whole instance". */
#define OVSDP_DISPATCH_ALL_HANDLERS UINT32_MAX

/* A plugin-specific key a plugin accepts in its [plugin:NAME] section of
 * plugins.conf.  The loader rejects other keys and values outside 'values'
 * with the file and line.  Frozen for the whole major version (it is
 * passed as an array terminated by an entry whose key is NULL). */
struct ovsdp_dispatch_option {
	const char *key;           /* "epoll-exclusive" */
	const char *values;        /* accepted values, ';'-separated ("auto;on;off"), or NULL for any */
	const char *default_value; /* what the plugin uses when the key is absent (for docs and probe) */
	const char *help;          /* one line */
};

/* Whether the kernel does something, when only a test can tell. */
enum ovsdp_dispatch_tristate {
	OVSDP_DISPATCH_UNKNOWN = 0,
	OVSDP_DISPATCH_NO = 1,
	OVSDP_DISPATCH_YES = 2,
};

/* One generic netlink family of the datapath (ovs_datapath, ovs_vport,
 * ovs_flow, ovs_packet required; ovs_meter, ovs_ct_limit optional).  An
 * element of the features' families array: read it through
 * ovsdp_dispatch_features_family(), which honours the host's element size. */
struct ovsdp_dispatch_family {
	uint32_t struct_size;      /* the host's sizeof: the array's stride */
	uint32_t id;               /* generic netlink family id, 0 when absent */
	uint32_t version;
	uint32_t maxattr;
	const char *name;          /* "ovs_datapath" */
	bool required;
	bool present;
};

/* What the running kernel and system can do, as the host found by asking
 * the kernel (never by version numbers).  Filled by the host; a plugin
 * reads a member only when OVSDP_DISPATCH_COVERS() says struct_size covers
 * it.  Strings and arrays belong to the host, valid as long as the view. */
struct ovsdp_dispatch_features {
	uint32_t struct_size;
	/* Answers that need a temporary datapath (root, CAP_NET_ADMIN);
	 * UNKNOWN when datapath_probed is false. */
	int32_t per_cpu_dispatch;          /* enum ovsdp_dispatch_tristate: OVS_DP_F_DISPATCH_UPCALL_PER_CPU */
	int32_t per_cpu_errno;             /* positive errno of the refused request, 0 if accepted */
	int32_t rejects_unknown_features;  /* enum ovsdp_dispatch_tristate; old kernels accept any bit */
	/* CPU topology.  cpu_ids is the number of possible CPU ids (highest
	 * + 1): the length a per-cpu pid array must have.  The affinity set is
	 * this process's, as last read by the host. */
	uint32_t cpu_ids;
	uint32_t cpus_online;
	uint32_t cpus_affinity;
	bool datapath_available;           /* every required family is present */
	bool datapath_probed;              /* false: the reason is in probe_error */
	bool vport_upcall_stats;           /* OVS_VPORT_ATTR_UPCALL_STATS (6.2+) */
	bool execute_upcall_pid;           /* OVS_PACKET_ATTR_UPCALL_PID (6.17+) */
	bool epoll_exclusive;              /* EPOLLEXCLUSIVE honoured (4.5+) */
	const char *kernel_release;        /* uname -r */
	const char *probe_error;           /* why datapath_probed is false, "" otherwise */
	const char *affinity_list;         /* the affinity set as text: "0-3,8" */
	const uint32_t *affinity_cpus;     /* the affinity set's CPU ids, ascending */
	uint32_t n_affinity_cpus;
	uint32_t n_families;
	const struct ovsdp_dispatch_family *families;  /* n_families elements of families->struct_size bytes */
};

/* The services the core offers a plugin.  Passed to create(); valid until
 * destroy() returns.  Every method takes the ctx given to create(). */
struct ovsdp_dispatch_host {
	uint32_t struct_size;
	uint32_t abi_major;        /* the host's OVSDP_DISPATCH_ABI_MAJOR */
	uint32_t abi_minor;        /* the host's OVSDP_DISPATCH_ABI_MINOR */

	/* Log a line (no trailing newline needed) tagged with the plugin's
	 * name and the datapath.  Callable from any method and any thread. */
	void (*log)(struct ovsdp_dispatch_host_ctx *ctx, enum ovsdp_dispatch_log_level level,
		    const char *fmt, ...) OVSDP_DISPATCH_PRINTF(3, 4);

	/* The value of 'key' in this plugin's [plugin:NAME] section of
	 * plugins.conf, or NULL when absent.  The loader has already checked
	 * keys and values against the descriptor's 'options'.  The string
	 * stays valid until destroy(). */
	const char *(*option)(struct ovsdp_dispatch_host_ctx *ctx, const char *key);

	/* What the kernel and system can do, including CPU ids and this
	 * process's affinity as the core read them when its runtime started
	 * (the ABI 1.0 core does not re-read them later).  Never NULL.  Valid
	 * until destroy(); a later minor may refresh it, and will then say
	 * so and call handlers_set again. */
	const struct ovsdp_dispatch_features *(*features)(struct ovsdp_dispatch_host_ctx *ctx);

	/* The datapath's name, for messages. */
	const char *(*dp_name)(struct ovsdp_dispatch_host_ctx *ctx);

	/* Store up to 'n' port numbers of the datapath's vports in 'ports'.
	 * Returns the number of ports (which may exceed 'n': call again with
	 * a larger array) or a negative errno. */
	int (*port_list)(struct ovsdp_dispatch_host_ctx *ctx, uint32_t *ports, unsigned int n);

	/* Open an upcall socket: a non-blocking generic netlink socket bound
	 * to a kernel-assigned portid, its receive buffer set to 'rcvbuf'
	 * bytes (0: the default, 4 MiB) with SO_RCVBUFFORCE, falling back to
	 * SO_RCVBUF (capped by net.core.rmem_max; logged) without privilege.
	 * Returns 0 and *out, or a negative errno (-EMFILE, -ENOBUFS...). */
	int (*usock_open)(struct ovsdp_dispatch_host_ctx *ctx, uint32_t rcvbuf,
			  struct ovsdp_usock **out);

	/* Close a socket from usock_open().  NULL is ignored. */
	void (*usock_close)(struct ovsdp_dispatch_host_ctx *ctx, struct ovsdp_usock *s);

	/* The socket's netlink portid: what vport and per-cpu pid arrays and
	 * userspace actions name. */
	uint32_t (*usock_portid)(const struct ovsdp_usock *s);

	/* The socket's file descriptor, for the plugin's epoll set or to
	 * return from wait_fd.  Owned by the socket: never close it. */
	int (*usock_fd)(const struct ovsdp_usock *s);

	/* Read up to 'n' queued messages into 'msgs' without blocking.
	 * Returns the count (0: nothing queued), -ENOBUFS when the socket
	 * overflowed since the last read (upcalls were lost; the socket stays
	 * usable: read again), or another negative errno.  Thread-safe for
	 * distinct sockets; two threads may read one socket at once. */
	int (*usock_recv)(struct ovsdp_dispatch_host_ctx *ctx, struct ovsdp_usock *s,
			  struct ovsdp_dispatch_msg *msgs, unsigned int n);

	/* Drop every message queued on the socket.  Returns the number of
	 * messages dropped or a negative errno. */
	int (*usock_purge)(struct ovsdp_dispatch_host_ctx *ctx, struct ovsdp_usock *s);

	/* Set vport 'port_no''s OVS_VPORT_ATTR_UPCALL_PID array: the kernel
	 * sends a miss on that port to pids[skb_hash % n].  n == 1 with
	 * pids[0] == 0 stops upcalls from the port.  Returns 0 or a negative
	 * errno (-ENODEV: no such port). */
	int (*vport_set_upcall_pids)(struct ovsdp_dispatch_host_ctx *ctx, uint32_t port_no,
				     const uint32_t *pids, unsigned int n);

	/* Switch the datapath to per-cpu dispatch with OVS_DP_ATTR_PER_CPU_PIDS
	 * = pids[0..n-1] (a miss on CPU c goes to pids[c % n]; give
	 * features->cpu_ids entries or the kernel logs "cpu_id mismatch"),
	 * resending the full user-feature set with
	 * OVS_DP_F_DISPATCH_UPCALL_PER_CPU.  n == 0 switches back to per-vport
	 * dispatch.  Returns 0 or a negative errno (-EOPNOTSUPP on kernels
	 * without per-cpu dispatch). */
	int (*dp_set_per_cpu_pids)(struct ovsdp_dispatch_host_ctx *ctx, const uint32_t *pids,
				   unsigned int n);
};

/* The methods of a plugin.  Members in the order the core uses them; each
 * says who calls it (thread), under which lock, and whether it may block
 * (see "The contract" at the top of this file for the order of calls). */
struct ovsdp_dispatch_vtable {
	uint32_t struct_size;      /* sizeof(struct ovsdp_dispatch_vtable) */

	/* Can this plugin run with these kernel features?  Returns 0, or a
	 * negative errno with a one-line human reason in 'reason' (always
	 * NUL-terminated, at most reason_len bytes), e.g. "kernel refused
	 * OVS_DP_F_DISPATCH_UPCALL_PER_CPU: Operation not supported".  Must
	 * not change any system state.  Optional (NULL: the plugin runs
	 * anywhere).
	 * Thread: whoever lists or chooses plugins; no instance.  Lock: none.
	 * Blocks: no (answer from 'features' only). */
	int (*probe)(const struct ovsdp_dispatch_features *features, char *reason,
		     size_t reason_len);

	/* Make an instance for one datapath.  Keep 'host' and 'ctx' for the
	 * instance's lifetime; read options with host->option().  Open no
	 * sockets yet unless cheap: handlers_set and recv_set follow.
	 * Returns 0 and *out, or a negative errno (logged through host).
	 * Required.
	 * Thread: the one starting the runtime or asking for a live switch.
	 * Lock: no dispatch lock (nothing else can reach the instance); the
	 * runtime's control mutex is held, so no control method of any other
	 * instance runs meanwhile (handlers of the instance being replaced
	 * do).  Blocks: briefly (the start or switch waits for it).  First
	 * call of the instance. */
	int (*create)(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		      struct ovsdp_dispatch_instance **out);

	/* Free the instance: close every socket, join the plugin's own
	 * threads.  The kernel no longer names this instance's sockets: after
	 * recv_set(false) on shutdown, after another instance's recv_set(true)
	 * on a live switch (no recv_set(false) then), or after a failed start
	 * (a failed handlers_set, port_added or recv_set(true)).  On a switch
	 * and on shutdown every handler has found the instance empty first.
	 * Required.
	 * Thread: the start, switch or shutdown thread.  Lock: write.
	 * Blocks: no.  Last call of the instance. */
	void (*destroy)(struct ovsdp_dispatch_instance *d);

	/* Enable or disable receiving.  Enabling opens whatever sockets are
	 * missing and points the kernel at them (vport pids or per-cpu pids);
	 * disabling points the kernel away (pid 0, or per-vport mode) but may
	 * keep the sockets so the core can drain what is queued (recv keeps
	 * working after recv_set(false) until destroy).  Toggling may change
	 * the pids port_get_pid returns.  handlers_set and every port_added of
	 * the ports the datapath had come before the first recv_set(true).
	 * Returns 0 or a negative errno; on failure the kernel must point
	 * where it did before the call.  Required.
	 * Thread: start/switch thread (true), or whoever calls
	 * ovsdp_handlers_recv_set() or frees the runtime.  Lock: write.
	 * Blocks: only for kernel calls.  On a live switch the old instance's
	 * handlers are still reading while the new one's recv_set(true) runs:
	 * take the kernel over without a gap. */
	int (*recv_set)(struct ovsdp_dispatch_instance *d, bool enable);

	/* Size the instance for 'n_handlers' handler threads, indexed 0 to
	 * n_handlers - 1 in recv, wait_fd and wait.  Called before the first
	 * recv_set(true) and on every resize (also while enabled: then
	 * re-point the kernel as needed; the count may be the current one).
	 * Growing: the handler threads for the new indices already exist.
	 * Shrinking: the threads of the removed indices stop after it
	 * returns, without another call for those indices.  Returns 0 or a
	 * negative errno; on failure the previous size stays in force.
	 * Required.
	 * Thread: start/switch thread, or whoever calls
	 * ovsdp_handlers_resize().  Lock: write.  Blocks: only for kernel
	 * calls. */
	int (*handlers_set)(struct ovsdp_dispatch_instance *d, uint32_t n_handlers);

	/* Does the plugin dictate the number of handlers?  If so, store it in
	 * *n_handlers and return true (per-cpu: one per CPU in the affinity
	 * set); the core then ignores plugins.conf's [handlers] count (with a
	 * log line).  Returns false to let the core decide.  Optional (NULL:
	 * false).
	 * Thread: start/switch thread, right after create.  Lock: write.
	 * Blocks: no. */
	bool (*number_handlers_required)(struct ovsdp_dispatch_instance *d, uint32_t *n_handlers);

	/* A vport is in the datapath: open its sockets if the strategy has
	 * per-port sockets and, once enabled, set its upcall pids.  The port
	 * already exists in the kernel with the pid its creator gave it (or
	 * is already gone: -ENODEV is then fine); it may be reported twice.
	 * Upcalls the port raises before this call go wherever that pid says
	 * (none when 0: the kernel counts them as lost).  Returns 0 or a
	 * negative errno.  Optional (NULL: the plugin has no per-port state).
	 * Thread: start/switch thread (every existing port, before
	 * recv_set(true)), whoever calls ovsdp_handlers_port_added(), or the
	 * core's port monitor thread on a vport-new notification.
	 * Lock: write.  Blocks: only for kernel calls. */
	int (*port_added)(struct ovsdp_dispatch_instance *d, uint32_t port_no);

	/* A vport was deleted: release its per-port state.  The port may
	 * already be gone from the kernel, or unknown to the plugin.  Upcalls
	 * already queued on its sockets may be dropped.  Optional.
	 * Thread: whoever calls ovsdp_handlers_port_deleted(), or the port
	 * monitor thread.  Lock: write.  Blocks: only for kernel calls. */
	void (*port_deleted)(struct ovsdp_dispatch_instance *d, uint32_t port_no);

	/* The portid to put in a userspace action for packets that entered on
	 * 'port_no', or 0 for "no socket".  Per-cpu plugins return
	 * OVSDP_DISPATCH_PID_PER_CPU: in that mode the kernel ignores the
	 * action's pid and uses its CPU array, but it refuses to install a
	 * userspace action whose pid is 0.  Required.
	 * Thread: any: handler threads (in the upcall callback) and
	 * application threads (ovsdp_handlers_port_get_pid(),
	 * ovsdp_handlers_new_port_pid()), concurrently.  Lock: read.
	 * Blocks: never. */
	uint32_t (*port_get_pid)(struct ovsdp_dispatch_instance *d, uint32_t port_no);

	/* One file descriptor that becomes readable when recv(handler) has
	 * work: an epoll fd over the handler's sockets, or a socket's fd.
	 * The fd stays valid until the next handlers_set, recv_set or destroy
	 * (the core re-asks each round).  Returns the fd or a negative errno
	 * (-EINVAL: no such handler).  Required.
	 * Thread: handler thread 'handler' only.  Lock: read.  Blocks: never.
	 * The core poll()s the fd, with its own wakeup fd and (during a live
	 * switch) the other instance's: a poll() wakes every handler polling
	 * a ready fd, whatever EPOLLEXCLUSIVE says.  A plugin that sets
	 * 'wait' is polled this way only while an instance drains. */
	int (*wait_fd)(struct ovsdp_dispatch_instance *d, uint32_t handler);

	/* Fill up to 'n' messages of 'batch' (see struct ovsdp_dispatch_msg)
	 * from handler 'handler''s sockets, without blocking: usually by
	 * handing the core's buffers to host->usock_recv().  Returns the number
	 * filled, 0 when nothing is queued (the core then waits again), or a
	 * negative errno.  A socket overrun (-ENOBUFS from usock_recv) is not
	 * an error: add one to *overruns and carry on.  Required.
	 * Thread: handler thread 'handler' only, after a wakeup, up to 8 times
	 * while it returns more; an instance being drained also every 50 ms
	 * without one.  Lock: read.  Blocks: never. */
	int (*recv)(struct ovsdp_dispatch_instance *d, uint32_t handler,
		    struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns);

	/* Drop every queued upcall on every socket.  Optional.  Reserved: a
	 * 1.x core never calls it. */
	void (*recv_purge)(struct ovsdp_dispatch_instance *d);

	/* Counters for one handler, or for the whole instance when 'handler'
	 * is OVSDP_DISPATCH_ALL_HANDLERS (the only value the 1.x core
	 * passes).  Returns 0 or a negative errno.  Optional.
	 * Thread: whoever calls ovsdp_handlers_stats_new() (ovsdpd's control
	 * socket thread for `ovsdp ctl stats`).  Lock: write (so counters
	 * written by handler threads under the read lock are stable).
	 * Blocks: no.  Not on every snapshot: the core asks again when a
	 * control method ran since or its last answer is a second old. */
	int (*stats)(struct ovsdp_dispatch_instance *d, uint32_t handler,
		     struct ovsdp_dispatch_stats *out);

	/* Write a one-line, NUL-terminated description of the mode into 'buf'
	 * (at most 'len' bytes), e.g. "per-vport: 12 sockets, EPOLLEXCLUSIVE".
	 * 'd' NULL asks for the strategy itself (the 1.x core always passes an
	 * instance).  Returns 0 or a negative errno.  Optional.
	 * Thread: as stats, right after it.  Lock: write (none when d is
	 * NULL).  Blocks: no. */
	int (*describe)(const struct ovsdp_dispatch_instance *d, char *buf, size_t len);

	/* ---- ABI 1.1 ---- */

	/* Block until recv(handler) may have work, until 'wake_fd' is
	 * readable, or for 'timeout_ms' (-1: no limit).  Returns 1 when
	 * recv should be called, 0 when woken by 'wake_fd' or the timeout
	 * (the core reads 'wake_fd' itself: never read it), or a negative
	 * errno.  An epoll plugin adds 'wake_fd' (level-triggered, not
	 * exclusive; dup() it to keep a descriptor of its own) to the epoll
	 * set it waits on with epoll_wait(): a thread asleep in epoll_wait()
	 * on a set is what EPOLLEXCLUSIVE wakes alone, so each upcall wakes
	 * one handler, with no thread of the plugin's.  'wake_fd' is the same
	 * for a handler index from the handlers_set that creates it to the one
	 * that removes it.  The core makes every handler's 'wake_fd' readable
	 * before it takes the write lock, so a handler inside wait never holds
	 * up a control method.  A handler's first call on an instance has
	 * 'timeout_ms' 0: a start, switch or resize returns once every
	 * handler has been through wait once (the place to set up per-handler
	 * state such as the dup of 'wake_fd').  Optional (NULL, or a 1.0
	 * plugin: the core poll()s wait_fd).
	 * Thread: handler thread 'handler' only, while no other instance
	 * drains.  Lock: read.  Blocks: yes, that is its job. */
	int (*wait)(struct ovsdp_dispatch_instance *d, uint32_t handler, int wake_fd,
		    int timeout_ms);
};

/* What ovsdp_dispatch_plugin_get() returns.  abi_major and abi_minor come
 * first in every major version. */
struct ovsdp_dispatch_descriptor {
	uint32_t abi_major;        /* OVSDP_DISPATCH_ABI_MAJOR as the plugin was built */
	uint32_t abi_minor;        /* OVSDP_DISPATCH_ABI_MINOR as the plugin was built */
	uint32_t struct_size;      /* sizeof(struct ovsdp_dispatch_descriptor) */
	const char *name;          /* see OVSDP_DISPATCH_NAME_MAX */
	const char *description;   /* one line, for `ovsdp probe` */
	const struct ovsdp_dispatch_vtable *vtable;
	/* The keys the plugin accepts in [plugin:NAME], terminated by a NULL
	 * key.  NULL: accept any key (and check them yourself in create). */
	const struct ovsdp_dispatch_option *options;
};

/* The smallest descriptor and vtable an ABI 1 host accepts: the vtable
 * must cover every required member (the last of them is recv). */
#define OVSDP_DISPATCH_DESCRIPTOR_MIN_SIZE \
	(offsetof(struct ovsdp_dispatch_descriptor, vtable) + sizeof(void *))
#define OVSDP_DISPATCH_VTABLE_MIN_SIZE \
	(offsetof(struct ovsdp_dispatch_vtable, recv) + sizeof(void *))

/* Fill the leading fields of a descriptor (positional form). */
#define OVSDP_DISPATCH_DESCRIPTOR_INIT \
	OVSDP_DISPATCH_ABI_MAJOR, OVSDP_DISPATCH_ABI_MINOR, \
	(uint32_t)sizeof(struct ovsdp_dispatch_descriptor)

/* Initialisers without designated initialisers or positional lists, for
 * C++ (before C++20) and for code that fills tables at run time:
 *
 *   static ovsdp_dispatch_vtable make_vtable() {
 *       ovsdp_dispatch_vtable vt = ovsdp_dispatch_vtable_make();
 *       vt.create = my_create;  vt.recv = my_recv;  ...
 *       return vt;
 *   }
 *   static const ovsdp_dispatch_vtable my_vtable = make_vtable();
 *   static const ovsdp_dispatch_descriptor my_descriptor =
 *       ovsdp_dispatch_descriptor_make("mine", "one line", &my_vtable, NULL);
 *
 * Every member not set stays NULL or 0; struct_size and the ABI version are
 * this header's. */
static inline struct ovsdp_dispatch_vtable
ovsdp_dispatch_vtable_make(void)
{
	struct ovsdp_dispatch_vtable vt;

	memset(&vt, 0, sizeof vt);
	vt.struct_size = (uint32_t)sizeof vt;
	return vt;
}

static inline struct ovsdp_dispatch_descriptor
ovsdp_dispatch_descriptor_make(const char *name, const char *description,
			       const struct ovsdp_dispatch_vtable *vtable,
			       const struct ovsdp_dispatch_option *options)
{
	struct ovsdp_dispatch_descriptor d;

	memset(&d, 0, sizeof d);
	d.abi_major = OVSDP_DISPATCH_ABI_MAJOR;
	d.abi_minor = OVSDP_DISPATCH_ABI_MINOR;
	d.struct_size = (uint32_t)sizeof d;
	d.name = name;
	d.description = description;
	d.vtable = vtable;
	d.options = options;
	return d;
}

/* Element i of f's families, or NULL past the end (or when the host's view
 * has no families).  Steps by the host's element size, so a plugin built
 * against a newer minor reads an older host's array correctly (check
 * OVSDP_DISPATCH_COVERS on the element for members a minor added). */
static inline const struct ovsdp_dispatch_family *
ovsdp_dispatch_features_family(const struct ovsdp_dispatch_features *f, uint32_t i)
{
	const char *base;

	if (!f || !OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_features, f, families) ||
	    !f->families || i >= f->n_families)
		return NULL;
	base = (const char *)(const void *)f->families;
	return (const struct ovsdp_dispatch_family *)(const void *)
		(base + (size_t)i * f->families->struct_size);
}

/* The plugin's entry point: define it (with OVSDP_DISPATCH_EXPORT) and
 * return a pointer to a static descriptor.  Called once per load, from one
 * thread; must not fail or allocate. */
OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *ovsdp_dispatch_plugin_get(void);

#ifdef __cplusplus
}
#endif
#endif
