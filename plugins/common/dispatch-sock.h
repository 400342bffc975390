/* dispatch-sock.h: what the in-tree dispatch plugins share about their
 * upcall sockets: reading them with overruns counted, one epoll wakeup's
 * fair share, retiring them without losing what they hold, and the
 * counters behind stats() and describe().  A static library linked into
 * each plugin; plugin.map keeps all of it out of the plugins' exports.
 * examples/dispatch-single does without it: it shows the SDK alone.
 * Plain C and POSIX: plugins link nothing of ovsdp, glib or libnl. */
#ifndef OVSDP_PLUGINS_DISPATCH_SOCK_H
#define OVSDP_PLUGINS_DISPATCH_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ovsdp/dispatch.h>

#define HOST_CAN(h, m) OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_host, h, m)
#define DSOCK_MIN(a, b) ((a) < (b) ? (a) : (b))

/* Memory.  Running out aborts, as everywhere else in the process. */
void *dsock_calloc(size_t n, size_t size);
void *dsock_realloc(void *p, size_t n, size_t size);
#define DSOCK_NEW0(type, n) ((type *)dsock_calloc((n), sizeof(type)))
#define DSOCK_RENEW(type, p, n) ((type *)dsock_realloc((p), (n), sizeof(type)))

/* CLOCK_MONOTONIC in microseconds. */
int64_t dsock_now_us(void);

/* The text of a positive errno value. */
const char *dsock_strerror(int e);

/* A growable array of pointers. */
struct dsock_vec {
	void **items;
	size_t len, cap;
};
void dsock_vec_push(struct dsock_vec *v, void *p);
/* Remove item i, moving the last one into its place. */
void dsock_vec_remove_fast(struct dsock_vec *v, size_t i);
void dsock_vec_free(struct dsock_vec *v);

/* Port number -> pointer, sorted by port number: lookups are a binary
 * search (port_get_pid runs once per upcall), iteration is
 * keys[i], vals[i] for i < len. */
struct dsock_map {
	uint32_t *keys;
	void **vals;
	size_t len, cap;
};
void *dsock_map_get(const struct dsock_map *m, uint32_t key);
/* Insert or replace. */
void dsock_map_put(struct dsock_map *m, uint32_t key, void *val);
/* Remove 'key'; returns its value, or NULL when absent. */
void *dsock_map_remove(struct dsock_map *m, uint32_t key);
void dsock_map_free(struct dsock_map *m);

/* A socket that leaves service (its port or its handler went away) keeps
 * what is queued on it until it is found empty this long after the kernel
 * stopped naming it, so that upcalls which had already picked its pid
 * have landed, and been read. */
#define DSOCK_RETIRE_SETTLE_US (200 * 1000)

/* Ready sockets looked at per recv call (epoll_wait's maxevents). */
#define DSOCK_RECV_EVENTS 64

/* What a handler, or the sum of several, has counted. */
struct dsock_counters {
	uint64_t upcalls;
	uint64_t empty;         /* wakeups that found nothing */
	uint64_t overruns;      /* ENOBUFS: the kernel dropped upcalls */
};

/* A port's counters: every handler adds to them, with atomics. */
struct dsock_port_counters {
	uint64_t upcalls;
	uint64_t overruns;
};

/* One upcall socket of a port.  Plugins embed it as the first member of
 * their own socket structure; epoll's data.ptr points at it. */
struct dsock {
	struct ovsdp_usock *us;
	int fd;
	uint32_t portid;
	uint32_t port_no;
	int64_t retired_at;                  /* when it left service; 0 in service */
	struct dsock_port_counters *port;   /* NULL once retired */
};

/* True when the host has every method upcall sockets need (usock_open,
 * _close, _portid, _fd, _recv, _purge and vport_set_upcall_pids). */
bool dsock_host_usable(const struct ovsdp_dispatch_host *host);

/* Log that the host lacks a method 'plugin' needs; returns -ENOTSUP. */
int dsock_host_lacks(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		     const char *plugin);

/* Open an upcall socket for port_no into 's' (the host's default receive
 * buffer), counting into 'port' (may be NULL).  0 or a negative errno. */
int dsock_open(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	       uint32_t port_no, struct dsock_port_counters *port, struct dsock *s);

/* Read up to n messages of 'us' into msgs.  An overrun costs the upcalls
 * the kernel dropped, not the socket: each ENOBUFS is counted in c, in
 * 'port' (may be NULL) and in *overruns (may be NULL), and read past once.
 * Returns the count, 0 when nothing is queued, or another negative errno. */
int dsock_recv(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	       struct ovsdp_usock *us, struct ovsdp_dispatch_msg *msgs, unsigned int n,
	       struct dsock_counters *c, struct dsock_port_counters *port, uint32_t *overruns);

/* Read what epoll set 'epfd' has ready (each data.ptr a struct dsock *, a
 * NULL one ignored), up to n messages.  The ready sockets share the batch,
 * so one busy port cannot starve the others; epoll puts a socket it
 * reported at the back of its ready list, so the next call starts with
 * those this one did not reach.  Counts the upcalls, or an empty wakeup,
 * in c; returns the number of messages read. */
unsigned int dsock_epoll_recv(const struct ovsdp_dispatch_host *host,
			      struct ovsdp_dispatch_host_ctx *ctx, int epfd,
			      struct ovsdp_dispatch_msg *batch, unsigned int n,
			      struct dsock_counters *c, uint32_t *overruns);

/* Take 's' out of service into 'retiring': it stops counting for its port
 * and is closed by dsock_reap() once settled and empty. */
void dsock_retire(struct dsock *s, struct dsock_vec *retiring);

/* Close, through close_fn(owner, s), the retired sockets that settled and
 * are empty.  For control methods only: no handler reads meanwhile, so
 * "empty" stays true until the close. */
void dsock_reap(struct dsock_vec *retiring, void (*close_fn)(void *owner, struct dsock *s), void *owner);

/* True when fd has something to read now. */
bool dsock_readable(int fd);

/* Leave per-cpu dispatch when the datapath may be in it, so that the
 * kernel routes by vport pids again.  Call once every port names this
 * plugin's sockets: until the feature bit goes, the kernel ignores them,
 * so a switch from per-cpu loses nothing.  0 or a negative errno. */
int dsock_leave_per_cpu(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx);

void dsock_counters_add(struct dsock_counters *sum, const struct dsock_counters *c);

/* Write what 'out' has room for. */
void dsock_stats_fill(struct ovsdp_dispatch_stats *out, uint32_t n_handlers, uint64_t n_sockets,
		      const struct dsock_counters *c);

/* Append to buf (len bytes, *k of them used) what fits. */
void dsock_appendf(char *buf, size_t len, int *k, const char *fmt, ...) OVSDP_DISPATCH_PRINTF(4, 5);

/* The end of a per-port plugin's describe(): sockets still draining, the
 * port with the most overruns among 'ports' (port_no -> a value whose
 * counters get() returns), and whether it is receiving. */
void dsock_describe_tail(char *buf, size_t len, int *k, unsigned int draining,
			 const struct dsock_map *ports,
			 const struct dsock_port_counters *(*get)(const void *value), bool enabled);

#endif
