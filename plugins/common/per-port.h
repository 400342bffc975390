/* per-port.h: the base the per-port dispatch plugins (legacy and
 * per-vport) are built on.  Both keep a table of ports, each with its own
 * upcall socket(s), point the kernel's vport pids at them, take over from
 * a running dispatcher, retire the sockets of ports and handlers that go,
 * and report the same stats and describe() tail.  That much is here, once;
 * a plugin says through struct pport_ops what differs: how many sockets a
 * port has and which pids it names, how a socket leaves the epoll sets,
 * and how the handlers are resized.
 *
 * A plugin's struct ovsdp_dispatch_instance starts with a struct pport, so
 * the methods below serve directly in its vtable.  Plain C and POSIX, like
 * dispatch-sock.h: built against <ovsdp/dispatch.h> alone. */
#ifndef OVSDP_PLUGINS_PER_PORT_H
#define OVSDP_PLUGINS_PER_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ovsdp/dispatch.h>

#include "dispatch-sock.h"

struct pport;

/* One handler: its epoll set and what its thread counted. */
struct pport_handler {
	int epfd;
	int wake;                       /* a plugin's dup of the core's wake fd, in epfd; -1 */
	int wake_src;                   /* the core's wake fd it duplicates; -1 */
	struct dsock_counters c;        /* written by this handler's thread only */
	/* Per-vport's per-port order (its handlers' thread only, or a
	 * control method): the sockets this handler owns and reads first,
	 * and an eventfd in epfd kept readable while it owns any and the
	 * core poll()s epfd instead of calling wait. */
	struct dsock_vec owned;
	int more;                       /* -1 until the core first poll()s epfd */
	bool more_set;                  /* 'more' is readable */
	bool polled;                    /* the core poll()s epfd (wait_fd), not wait */
};

/* Called on one socket of a port. */
typedef void pport_sock_fn(struct pport *b, struct dsock *s, void *arg);

/* What differs between the plugins.  A port is the plugin's own structure
 * (the value in b->ports); a socket is a struct dsock first in the
 * plugin's socket structure.  The hooks marked "may be NULL" default to a
 * port that is one socket shared by every handler: a struct dsock first in
 * the port, its pid the socket's, its counters those it was opened with. */
struct pport_ops {
	/* Open the socket(s) of a new port: 0 and *port, or a negative errno
	 * (logged by the hook). */
	int (*port_open)(struct pport *b, uint32_t port_no, void **port);
	/* Point the kernel's pids for 'port' at its sockets for n handlers, or
	 * at pid 0 when n is 0.  0 or a negative errno. */
	int (*point)(struct pport *b, const void *port, uint32_t n);
	/* Take a socket out of every epoll set, close it and free it. */
	void (*sock_close)(struct pport *b, struct dsock *s);
	/* Go from b->n_handlers handlers to n (both > 0, different); on
	 * success b->n_handlers is n.  0 or a negative errno, all or nothing. */
	int (*resize)(struct pport *b, uint32_t n);
	/* Call fn on each socket of 'port' (none while it has none); may be
	 * NULL. */
	void (*port_socks)(struct pport *b, void *port, pport_sock_fn *fn, void *arg);
	/* Free what is left of 'port' once each of its sockets has been
	 * closed or retired; may be NULL (nothing is left). */
	void (*port_free)(void *port);
	/* The pid port_get_pid hands out (enabled, with handlers); may be NULL. */
	uint32_t (*port_pid)(const void *port);
	/* The port's counters, for describe(); may be NULL. */
	const struct dsock_port_counters *(*port_counters)(const void *port);
	/* How many sockets 'handler' (or OVSDP_DISPATCH_ALL_HANDLERS) polls;
	 * may be NULL (every handler polls every socket). */
	uint64_t (*sockets)(const struct pport *b, uint32_t handler);
};

struct pport {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	const struct pport_ops *ops;
	bool enabled;                   /* the kernel's vport pids name our sockets */
	uint32_t n_handlers;
	struct pport_handler **handlers;        /* n_handlers entries */
	struct dsock_map ports;         /* port_no -> the plugin's port */
	struct dsock_vec retiring;      /* struct dsock * out of service, not yet empty */
	struct dsock_counters gone;     /* of handlers removed by handlers_set */
};

/* The base of an instance (its first member). */
static inline struct pport *
pport_of(struct ovsdp_dispatch_instance *d)
{
	return (struct pport *)(void *)d;
}

static inline const struct pport *
pport_of_const(const struct ovsdp_dispatch_instance *d)
{
	return (const struct pport *)(const void *)d;
}

/* Check what create() was handed: -EINVAL for no host, no out or no log,
 * or the logged -ENOTSUP of a host without the socket methods. */
int pport_host_check(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		     struct ovsdp_dispatch_instance **out, const char *plugin);

/* A zeroed instance of 'size' bytes whose base is set up. */
struct ovsdp_dispatch_instance *pport_new(size_t size, const struct ovsdp_dispatch_host *host,
					  struct ovsdp_dispatch_host_ctx *ctx,
					  const struct pport_ops *ops);

/* Open handlers b->n_handlers..n-1 (their epoll sets), leaving
 * b->n_handlers as it is.  All or nothing: 0 or a negative errno. */
int pport_handlers_open(struct pport *b, uint32_t n);

/* Close handlers from..to-1 (their epoll sets and wake fds), their counts
 * kept in b->gone when 'count'. */
void pport_handlers_close(struct pport *b, uint32_t from, uint32_t to, bool count);

/* Point every port at its sockets for 'want' handlers (0: at nobody); on
 * failure put those already changed back to 'undo' and return the error.
 * A port the kernel no longer has (-ENODEV) is skipped: its port_deleted
 * follows. */
int pport_point_all(struct pport *b, uint32_t want, uint32_t undo);

/* Every socket, the ports' then the retiring ones, in one array; *n of them. */
struct dsock **pport_sock_array(struct pport *b, unsigned int *n);

/* Callbacks for port_socks: take a socket out of service
 * (dsock_retire), or close it through sock_close. */
pport_sock_fn pport_sock_retire;
pport_sock_fn pport_sock_close;

/* Close every socket of 'port' (through sock_close), then port_free it. */
void pport_port_close(struct pport *b, void *port);

/* Close the retired sockets that settled and are empty.  Every control
 * method below starts with it. */
void pport_reap(struct pport *b);

/* Vtable methods. */
int pport_probe(const struct ovsdp_dispatch_features *features, char *reason, size_t reason_len);
void pport_destroy(struct ovsdp_dispatch_instance *d);
int pport_recv_set(struct ovsdp_dispatch_instance *d, bool enable);
int pport_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n_handlers);
int pport_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no);
void pport_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no);
uint32_t pport_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no);
int pport_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler);
int pport_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	       struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns);
void pport_recv_purge(struct ovsdp_dispatch_instance *d);
int pport_stats(struct ovsdp_dispatch_instance *d, uint32_t handler,
		struct ovsdp_dispatch_stats *out);

/* A per-port plugin's vtable: the base's methods but for create,
 * recv_set, describe, wait (NULL: none), wait_fd and recv, which are the
 * plugin's (pport_wait_fd and pport_recv serve where nothing differs). */
#define PPORT_VTABLE(create_, recv_set_, describe_, wait_, wait_fd_, recv_) {   \
		.struct_size = sizeof(struct ovsdp_dispatch_vtable),            \
		.probe = pport_probe,                                           \
		.create = (create_),                                            \
		.destroy = pport_destroy,                                       \
		.recv_set = (recv_set_),                                        \
		.handlers_set = pport_handlers_set,                             \
		.number_handlers_required = NULL,  /* the core decides */       \
		.port_added = pport_port_added,                                 \
		.port_deleted = pport_port_deleted,                             \
		.port_get_pid = pport_port_get_pid,                             \
		.wait_fd = (wait_fd_),                                          \
		.recv = (recv_),                                                \
		.recv_purge = pport_recv_purge,                                 \
		.stats = pport_stats,                                           \
		.describe = (describe_),                                        \
		.wait = (wait_),                                                \
	}

/* The plugin's descriptor and its one exported symbol. */
#define PPORT_PLUGIN(name_, description_, vtable_, options_)                    \
	static const struct ovsdp_dispatch_descriptor pport_descriptor = {      \
		.abi_major = OVSDP_DISPATCH_ABI_MAJOR,                          \
		.abi_minor = OVSDP_DISPATCH_ABI_MINOR,                          \
		.struct_size = sizeof(struct ovsdp_dispatch_descriptor),        \
		.name = (name_),                                                \
		.description = (description_),                                 \
		.vtable = (vtable_),                                            \
		.options = (options_),                                          \
	};                                                                      \
	OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *          \
	ovsdp_dispatch_plugin_get(void)                                         \
	{                                                                       \
		return &pport_descriptor;                                       \
	}

/* describe() when d is NULL (the plugin in general: 'idle'), or when buf
 * is NULL or len 0 (-EINVAL). */
int pport_describe_idle(char *buf, size_t len, const char *idle);

/* The end of describe(), after the plugin's k bytes of snprintf: the
 * sockets still draining, the port with the most overruns and whether it
 * is receiving.  Returns 0. */
int pport_describe_tail(const struct ovsdp_dispatch_instance *d, char *buf, size_t len, int k);

#endif
