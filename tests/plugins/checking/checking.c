/* checking.c: a dispatcher that holds the core to the contract in
 * <ovsdp/dispatch.h>.  It dispatches like tests/plugins/vendor (a socket
 * per port, port p read by handler p % n), and on every call of every
 * member it asserts what the header promises: the dispatch lock (no
 * write-lock method overlaps another or any read-lock method; read-lock
 * methods never overlap a write-lock one), the threads (wait_fd, wait and
 * recv of handler h always from one thread, a different one per h), the
 * order (create first, number_handlers_required before handlers_set,
 * handlers_set and the local port's port_added before the first
 * recv_set(true), handler methods only after it and only for indices
 * handlers_set gave, wait's wake_fd stable per index, recv_purge never).
 * A violation prints "checking: CONTRACT VIOLATION: MEMBER: RULE" on
 * stderr (and through host->log) and aborts, which fails the conformance
 * test that made the call.  Built from the SDK header alone, like a
 * vendor's plugin. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <ovsdp/dispatch.h>

#define CHECKING_MAX_HANDLERS 4096
#define CHECKING_EVENTS 16

struct cport {
	uint32_t port_no;
	struct ovsdp_usock *us;
	int fd;
};

struct chandler {
	int epfd;
	unsigned long tid;      /* atomic: pthread_self() of its thread, 0: none yet */
	int wake_fd;            /* atomic: wait's wake_fd, -1: none yet */
};

struct ovsdp_dispatch_instance {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	/* The lock state as the plugin sees it (atomics). */
	int writer;             /* a write-lock method runs */
	int readers;            /* read-lock methods running */
	/* Order (written under the write lock, read under either). */
	bool asked_handlers;    /* number_handlers_required was called */
	bool sized;             /* a handlers_set succeeded */
	bool local_port;        /* port 0 was port_added */
	bool enabled_once;      /* a recv_set(true) succeeded */
	bool enabled;
	uint32_t n_handlers;
	struct chandler *handlers;
	struct cport **ports;
	unsigned int n_ports, cap_ports;
	unsigned long calls;    /* atomic: member calls checked */
};

static void
violation(struct ovsdp_dispatch_instance *d, const char *member, const char *rule)
{
	fprintf(stderr, "checking: CONTRACT VIOLATION: %s: %s\n", member, rule);
	fflush(stderr);
	if (d)
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "CONTRACT VIOLATION: %s: %s",
			     member, rule);
	abort();
}

#define EXPECT(d, member, cond, rule) \
	do { \
		if (!(cond)) \
			violation((d), (member), (rule)); \
	} while (0)

/* ---- the lock, as seen from inside ---------------------------------------- */

static void
write_enter(struct ovsdp_dispatch_instance *d, const char *member)
{
	int zero = 0;

	__atomic_add_fetch(&d->calls, 1, __ATOMIC_RELAXED);
	EXPECT(d, member, __atomic_compare_exchange_n(&d->writer, &zero, 1, false,
						      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST),
	       "a write-lock method, called while another write-lock method of the "
	       "instance runs");
	EXPECT(d, member, __atomic_load_n(&d->readers, __ATOMIC_SEQ_CST) == 0,
	       "a write-lock method, called while a handler is inside wait_fd, wait or "
	       "recv, or a thread inside port_get_pid");
}

static void
write_leave(struct ovsdp_dispatch_instance *d)
{
	__atomic_store_n(&d->writer, 0, __ATOMIC_SEQ_CST);
}

static void
read_enter(struct ovsdp_dispatch_instance *d, const char *member)
{
	__atomic_add_fetch(&d->calls, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&d->readers, 1, __ATOMIC_SEQ_CST);
	EXPECT(d, member, __atomic_load_n(&d->writer, __ATOMIC_SEQ_CST) == 0,
	       "a read-lock method, called while a write-lock method of the instance runs");
}

static void
read_leave(struct ovsdp_dispatch_instance *d)
{
	__atomic_sub_fetch(&d->readers, 1, __ATOMIC_SEQ_CST);
}

/* A handler method for 'handler': the index exists, the instance has been
 * enabled, and the calling thread is that handler's, and no other's. */
static void
handler_enter(struct ovsdp_dispatch_instance *d, const char *member, uint32_t handler)
{
	unsigned long self = (unsigned long)pthread_self(), none = 0;
	struct chandler *h;

	read_enter(d, member);
	EXPECT(d, member, d->sized, "a handler method before handlers_set");
	EXPECT(d, member, d->enabled_once, "a handler method before the first recv_set(true)");
	EXPECT(d, member, handler < d->n_handlers,
	       "a handler method for an index handlers_set did not give");
	h = &d->handlers[handler];
	if (!__atomic_compare_exchange_n(&h->tid, &none, self, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		EXPECT(d, member, none == self,
		       "handler index called from two threads (wait_fd, wait and recv of "
		       "handler h come only from handler thread h)");
	for (uint32_t i = 0; i < d->n_handlers; i++)
		EXPECT(d, member, i == handler ||
		       __atomic_load_n(&d->handlers[i].tid, __ATOMIC_SEQ_CST) != self,
		       "one thread called handler methods for two indices");
}

/* ---- dispatching: a socket per port, port p on handler p % n --------------- */

static struct cport *
find_port(struct ovsdp_dispatch_instance *d, uint32_t port_no, unsigned int *at)
{
	for (unsigned int i = 0; i < d->n_ports; i++) {
		if (d->ports[i]->port_no == port_no) {
			if (at)
				*at = i;
			return d->ports[i];
		}
	}
	return NULL;
}

static int
watch(struct ovsdp_dispatch_instance *d, struct cport *p)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = p };

	if (d->n_handlers == 0)
		return 0;
	if (epoll_ctl(d->handlers[p->port_no % d->n_handlers].epfd, EPOLL_CTL_ADD, p->fd, &ev) < 0)
		return -errno;
	return 0;
}

static int
point(struct ovsdp_dispatch_instance *d, struct cport *p, bool here)
{
	uint32_t pid = here ? d->host->usock_portid(p->us) : 0;
	int r = d->host->vport_set_upcall_pids(d->ctx, p->port_no, &pid, 1);

	return r == -ENODEV ? 0 : r;
}

static void
close_port(struct ovsdp_dispatch_instance *d, struct cport *p)
{
	d->host->usock_close(d->ctx, p->us);
	free(p);
}

/* ---- the members ------------------------------------------------------------ */

static int
checking_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		struct ovsdp_dispatch_instance **out)
{
	struct ovsdp_dispatch_instance *d;

	if (!host || !out || !OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_host, host, log))
		return -EINVAL;
	d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	d->host = host;
	d->ctx = ctx;
	*out = d;
	return 0;
}

static void
checking_destroy(struct ovsdp_dispatch_instance *d)
{
	write_enter(d, "destroy");
	for (unsigned int i = 0; i < d->n_ports; i++)
		close_port(d, d->ports[i]);
	for (uint32_t i = 0; i < d->n_handlers; i++)
		close(d->handlers[i].epfd);
	free(d->ports);
	free(d->handlers);
	free(d);
}

static bool
checking_number_handlers_required(struct ovsdp_dispatch_instance *d, uint32_t *n)
{
	write_enter(d, "number_handlers_required");
	EXPECT(d, "number_handlers_required", !d->sized && !d->asked_handlers,
	       "called after handlers_set, or twice (it comes right after create)");
	d->asked_handlers = true;
	(void)n;
	write_leave(d);
	return false;
}

static int
checking_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n)
{
	struct chandler *hs;
	int r = 0;

	write_enter(d, "handlers_set");
	if (n == 0 || n > CHECKING_MAX_HANDLERS) {
		write_leave(d);
		return -EINVAL;
	}
	hs = calloc(n, sizeof *hs);
	if (!hs) {
		write_leave(d);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		/* An index that stays keeps its thread and its wake fd. */
		hs[i].tid = i < d->n_handlers ? d->handlers[i].tid : 0;
		hs[i].wake_fd = i < d->n_handlers ? d->handlers[i].wake_fd : -1;
		hs[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (hs[i].epfd < 0) {
			r = -errno;
			while (i-- > 0)
				close(hs[i].epfd);
			free(hs);
			write_leave(d);
			return r;
		}
	}
	for (uint32_t i = 0; i < d->n_handlers; i++)
		close(d->handlers[i].epfd);
	free(d->handlers);
	d->handlers = hs;
	d->n_handlers = n;
	for (unsigned int i = 0; i < d->n_ports && r == 0; i++)
		r = watch(d, d->ports[i]);
	d->sized = true;
	write_leave(d);
	return r;
}

static int
checking_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct cport *p;
	int r;

	write_enter(d, "port_added");
	if (find_port(d, port_no, NULL)) {
		/* Reported twice: allowed; point it again. */
		r = d->enabled ? point(d, find_port(d, port_no, NULL), true) : 0;
		write_leave(d);
		return r;
	}
	if (d->n_ports == d->cap_ports) {
		unsigned int cap = d->cap_ports ? 2 * d->cap_ports : 8;
		struct cport **ports = realloc(d->ports, cap * sizeof *ports);

		if (!ports) {
			write_leave(d);
			return -ENOMEM;
		}
		d->ports = ports;
		d->cap_ports = cap;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		write_leave(d);
		return -ENOMEM;
	}
	p->port_no = port_no;
	r = d->host->usock_open(d->ctx, 0, &p->us);
	if (r < 0) {
		free(p);
		write_leave(d);
		return r;
	}
	p->fd = d->host->usock_fd(p->us);
	r = watch(d, p);
	if (r == 0 && d->enabled)
		r = point(d, p, true);
	if (r < 0) {
		close_port(d, p);
		write_leave(d);
		return r;
	}
	d->ports[d->n_ports++] = p;
	if (port_no == 0)
		d->local_port = true;
	write_leave(d);
	return 0;
}

static void
checking_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	unsigned int at;
	struct cport *p;

	write_enter(d, "port_deleted");
	p = find_port(d, port_no, &at);
	if (p) {
		d->ports[at] = d->ports[--d->n_ports];
		close_port(d, p);
	}
	write_leave(d);
}

static int
checking_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	write_enter(d, "recv_set");
	if (enable && !d->enabled_once) {
		EXPECT(d, "recv_set", d->sized, "recv_set(true) before handlers_set");
		EXPECT(d, "recv_set", d->local_port,
		       "the first recv_set(true) before port_added of the local port 0 (every "
		       "port the datapath has is added first)");
	}
	for (unsigned int i = 0; i < d->n_ports; i++) {
		int r = point(d, d->ports[i], enable);

		if (r < 0) {
			while (i-- > 0)
				point(d, d->ports[i], !enable);
			write_leave(d);
			return r;
		}
	}
	d->enabled = enable;
	if (enable)
		d->enabled_once = true;
	write_leave(d);
	return 0;
}

static uint32_t
checking_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct cport *p;
	uint32_t pid;

	read_enter(d, "port_get_pid");
	p = find_port(d, port_no, NULL);
	pid = p ? d->host->usock_portid(p->us) : 0;
	read_leave(d);
	return pid;
}

static int
checking_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	int fd;

	handler_enter(d, "wait_fd", handler);
	fd = d->handlers[handler].epfd;
	read_leave(d);
	return fd;
}

static int
checking_wait(struct ovsdp_dispatch_instance *d, uint32_t handler, int wake_fd, int timeout_ms)
{
	struct pollfd pfd[2];
	struct chandler *h;
	int old = -1, r;

	handler_enter(d, "wait", handler);
	h = &d->handlers[handler];
	EXPECT(d, "wait", wake_fd >= 0, "wake_fd is not a descriptor");
	if (!__atomic_compare_exchange_n(&h->wake_fd, &old, wake_fd, false, __ATOMIC_SEQ_CST,
					 __ATOMIC_SEQ_CST))
		EXPECT(d, "wait", old == wake_fd,
		       "wake_fd changed for a handler index that handlers_set kept");
	pfd[0].fd = h->epfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = wake_fd;
	pfd[1].events = POLLIN;
	pfd[0].revents = pfd[1].revents = 0;
	r = poll(pfd, 2, timeout_ms);
	if (r < 0)
		r = errno == EINTR ? 0 : -errno;
	else
		r = (pfd[0].revents & POLLIN) ? 1 : 0;
	read_leave(d);
	return r;
}

static int
checking_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	      struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns)
{
	struct epoll_event ev[CHECKING_EVENTS];
	unsigned int got = 0;
	int k;

	handler_enter(d, "recv", handler);
	EXPECT(d, "recv", batch && n > 0 && overruns, "no batch or no overrun counter");
	k = epoll_wait(d->handlers[handler].epfd, ev, CHECKING_EVENTS, 0);
	for (int i = 0; i < k && got < n; i++) {
		struct cport *p = ev[i].data.ptr;

		for (;;) {
			int r = d->host->usock_recv(d->ctx, p->us, batch + got, n - got);

			if (r == -ENOBUFS) {
				(*overruns)++;
				continue;
			}
			if (r > 0)
				got += (unsigned int)r;
			break;
		}
	}
	read_leave(d);
	return k < 0 && errno != EINTR ? -errno : (int)got;
}

static void
checking_recv_purge(struct ovsdp_dispatch_instance *d)
{
	violation(d, "recv_purge", "called, but a 1.x core never calls it");
}

static int
checking_stats(struct ovsdp_dispatch_instance *d, uint32_t handler,
	       struct ovsdp_dispatch_stats *out)
{
	write_enter(d, "stats");
	EXPECT(d, "stats", handler == OVSDP_DISPATCH_ALL_HANDLERS,
	       "asked for one handler (the 1.x core asks for the whole instance)");
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_sockets)) {
		out->n_handlers = d->n_handlers;
		out->n_sockets = d->n_ports;
	}
	write_leave(d);
	return 0;
}

static int
checking_describe(const struct ovsdp_dispatch_instance *cd, char *buf, size_t len)
{
	struct ovsdp_dispatch_instance *d = (struct ovsdp_dispatch_instance *)cd;
	unsigned int waited = 0;

	if (!d) {
		snprintf(buf, len, "checking: a socket per port; asserts the contract");
		return 0;
	}
	write_enter(d, "describe");
	/* How many handler indices have called wait at least once: a test
	 * asserts that every one has by the time a start or switch returns. */
	for (uint32_t i = 0; i < d->n_handlers; i++)
		waited += __atomic_load_n(&d->handlers[i].wake_fd, __ATOMIC_SEQ_CST) >= 0;
	snprintf(buf, len, "checking: %u sockets, %u handlers, %u entered wait, %lu calls checked",
		 d->n_ports, (unsigned int)d->n_handlers, waited,
		 __atomic_load_n(&d->calls, __ATOMIC_RELAXED));
	write_leave(d);
	return 0;
}

static const struct ovsdp_dispatch_vtable checking_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_vtable),
	.create = checking_create,
	.destroy = checking_destroy,
	.recv_set = checking_recv_set,
	.handlers_set = checking_handlers_set,
	.number_handlers_required = checking_number_handlers_required,
	.port_added = checking_port_added,
	.port_deleted = checking_port_deleted,
	.port_get_pid = checking_port_get_pid,
	.wait_fd = checking_wait_fd,
	.recv = checking_recv,
	.recv_purge = checking_recv_purge,
	.stats = checking_stats,
	.describe = checking_describe,
	.wait = checking_wait,
};

static const struct ovsdp_dispatch_descriptor checking_descriptor = {
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.struct_size = sizeof(struct ovsdp_dispatch_descriptor),
	.name = "checking",
	.description = "test dispatcher that asserts the threading, locking and order contract",
	.vtable = &checking_vtable,
	.options = NULL,
};

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return &checking_descriptor;
}
