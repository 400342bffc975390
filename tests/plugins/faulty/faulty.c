/* faulty.c: a working dispatch plugin for the hardening tests (one upcall
 * socket per port, each port's socket polled by handler port_no % n) whose
 * vtable calls fail on demand, so tests can check how the core survives a
 * plugin that returns errors.  Options in [plugin:faulty]: see faulty_options.
 * Probe fails when the environment has OVSDP_FAULTY_PROBE=fail. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <glib.h>
#include <ovsdp/dispatch.h>

#define HOST_CAN(h, m) OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_host, h, m)
#define STATS_HAS(out, m) OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, m)

/* The most handlers it sizes for: a bound on its own allocations, well
 * above what the core may ask for. */
#define FAULTY_MAX_HANDLERS 65536

/* What a failing number_handlers_required dictates: an absurd count a
 * core must refuse rather than start that many threads for. */
#define FAULTY_ABSURD_HANDLERS UINT32_MAX

#define RECV_EVENTS 16

/* The methods that can be made to fail (those that return something).
 * destroy, port_deleted and recv_purge return nothing, so a failure there
 * is invisible to the core by construction. */
enum method {
	M_NONE,
	M_CREATE,
	M_RECV_SET,
	M_HANDLERS_SET,
	M_NUMBER_HANDLERS_REQUIRED,
	M_PORT_ADDED,
	M_PORT_GET_PID,
	M_WAIT_FD,
	M_RECV,
	M_STATS,
	M_DESCRIBE,
};

static const char *const method_names[] = {
	[M_NONE] = "none",
	[M_CREATE] = "create",
	[M_RECV_SET] = "recv_set",
	[M_HANDLERS_SET] = "handlers_set",
	[M_NUMBER_HANDLERS_REQUIRED] = "number_handlers_required",
	[M_PORT_ADDED] = "port_added",
	[M_PORT_GET_PID] = "port_get_pid",
	[M_WAIT_FD] = "wait_fd",
	[M_RECV] = "recv",
	[M_STATS] = "stats",
	[M_DESCRIBE] = "describe",
};

/* create has no instance to count in: its calls are counted per process. */
static uint64_t create_calls;

struct fsock {
	struct ovsdp_usock *us;
	int fd;
	uint32_t portid;
	uint32_t port_no;
};

/* Written by handler thread i only; read by control methods, which the
 * dispatch lock keeps away from recv. */
struct fhandler {
	int epfd;
	uint64_t upcalls;
	uint64_t empty;
	uint64_t overruns;
};

struct ovsdp_dispatch_instance {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	uint32_t rcvbuf;
	enum method fail;
	uint64_t fail_after;    /* calls of 'fail' that succeed first */
	uint64_t fail_times;    /* failures before it works again; 0: forever */
	uint64_t calls;         /* atomic: calls of 'fail' so far */
	uint64_t failures;      /* atomic */
	bool enabled;
	uint32_t n_handlers;
	struct fhandler *handlers;
	GHashTable *ports;      /* port_no -> struct fsock * */
	uint64_t gone_upcalls, gone_empty, gone_overruns;
};

/* Should this call of method m fail?  Counts the call.  Handler methods
 * call it concurrently, hence the atomics. */
static bool
fail_now(struct ovsdp_dispatch_instance *d, enum method m)
{
	uint64_t n;

	if (d->fail != m)
		return false;
	n = __atomic_add_fetch(&d->calls, 1, __ATOMIC_RELAXED);
	if (n <= d->fail_after || (d->fail_times && n > d->fail_after + d->fail_times))
		return false;
	__atomic_add_fetch(&d->failures, 1, __ATOMIC_RELAXED);
	return true;
}

static int
faulty_probe(const struct ovsdp_dispatch_features *features, char *reason, size_t reason_len)
{
	(void)features;
	if (g_strcmp0(getenv("OVSDP_FAULTY_PROBE"), "fail") == 0) {
		snprintf(reason, reason_len, "probe fails: OVSDP_FAULTY_PROBE=fail");
		return -EIO;
	}
	if (reason_len)
		reason[0] = '\0';
	return 0;
}

/* A non-negative integer option; 'def' when absent.  Returns false on junk. */
static bool
option_u64(struct ovsdp_dispatch_instance *d, const char *key, uint64_t def, uint64_t *out)
{
	const char *v = d->host->option(d->ctx, key);
	guint64 n;

	*out = def;
	if (!v)
		return true;
	if (!g_ascii_string_to_unsigned(v, 10, 0, G_MAXUINT64, &n, NULL)) {
		d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR, "%s = %s: expected a number", key, v);
		return false;
	}
	*out = n;
	return true;
}

static int
faulty_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	      struct ovsdp_dispatch_instance **out)
{
	struct ovsdp_dispatch_instance *d;
	const char *call;
	uint64_t rcvbuf, delay_ms;

	if (!host || !out || !HOST_CAN(host, log) || !HOST_CAN(host, option) ||
	    !HOST_CAN(host, usock_open) || !HOST_CAN(host, usock_close) ||
	    !HOST_CAN(host, usock_fd) || !HOST_CAN(host, usock_portid) ||
	    !HOST_CAN(host, usock_recv) || !HOST_CAN(host, usock_purge) ||
	    !HOST_CAN(host, vport_set_upcall_pids) || !HOST_CAN(host, features))
		return -ENOTSUP;
	d = g_new0(struct ovsdp_dispatch_instance, 1);
	d->host = host;
	d->ctx = ctx;
	call = host->option(ctx, "fail-call");
	for (size_t i = 0; call && i < G_N_ELEMENTS(method_names); i++)
		if (!strcmp(call, method_names[i]))
			d->fail = (enum method)i;
	if ((call && d->fail == M_NONE && strcmp(call, "none")) ||
	    !option_u64(d, "fail-after", 0, &d->fail_after) ||
	    !option_u64(d, "fail-times", 0, &d->fail_times) ||
	    !option_u64(d, "rcvbuf", 0, &rcvbuf) || rcvbuf > UINT32_MAX ||
	    !option_u64(d, "create-delay-ms", 0, &delay_ms) || delay_ms > 600000) {
		if (call && d->fail == M_NONE && strcmp(call, "none"))
			host->log(ctx, OVSDP_DISPATCH_LOG_ERR, "fail-call = %s: no such method", call);
		g_free(d);
		return -EINVAL;
	}
	d->rcvbuf = (uint32_t)rcvbuf;
	/* A slow start: the core calls create with its control lock held, so
	 * a live switch to faulty lasts at least this long. */
	if (delay_ms) {
		host->log(ctx, OVSDP_DISPATCH_LOG_INFO, "create sleeps %" PRIu64 " ms", delay_ms);
		g_usleep(delay_ms * 1000);
	}
	if (d->fail == M_CREATE) {
		uint64_t n = __atomic_add_fetch(&create_calls, 1, __ATOMIC_RELAXED);

		if (n > d->fail_after && (!d->fail_times || n <= d->fail_after + d->fail_times)) {
			g_free(d);
			return -EIO;
		}
	}
	d->ports = g_hash_table_new(NULL, NULL);
	*out = d;
	return 0;
}

/* ---- sockets -------------------------------------------------------------- */

static struct fhandler *
handler_of(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	return d->n_handlers ? &d->handlers[port_no % d->n_handlers] : NULL;
}

static int
sock_watch(struct fhandler *h, struct fsock *s)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = s };

	return epoll_ctl(h->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0 ? -errno : 0;
}

static void
sock_close(struct ovsdp_dispatch_instance *d, struct fsock *s)
{
	struct fhandler *h = handler_of(d, s->port_no);

	if (h)
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	d->host->usock_close(d->ctx, s->us);
	g_free(s);
}

static int
point(struct ovsdp_dispatch_instance *d, const struct fsock *s, bool here)
{
	uint32_t pid = here ? s->portid : 0;

	return d->host->vport_set_upcall_pids(d->ctx, s->port_no, &pid, 1);
}

/* Point every port at its socket or away; on failure undo.  Ports the
 * kernel no longer has are skipped (their port_deleted follows). */
static int
point_all(struct ovsdp_dispatch_instance *d, bool here)
{
	g_autofree struct fsock **socks = g_new(struct fsock *, g_hash_table_size(d->ports) + 1);
	GHashTableIter it;
	gpointer v;
	guint n = 0;

	g_hash_table_iter_init(&it, d->ports);
	while (g_hash_table_iter_next(&it, NULL, &v))
		socks[n++] = v;
	for (guint i = 0; i < n; i++) {
		int r = point(d, socks[i], here);

		if (r == -ENODEV)
			continue;
		if (r < 0) {
			while (i-- > 0)
				point(d, socks[i], !here);
			return r;
		}
	}
	return 0;
}

/* ---- control methods ------------------------------------------------------ */

static void
faulty_destroy(struct ovsdp_dispatch_instance *d)
{
	GHashTableIter it;
	gpointer v;

	if (!d)
		return;
	g_hash_table_iter_init(&it, d->ports);
	while (g_hash_table_iter_next(&it, NULL, &v))
		sock_close(d, v);
	g_hash_table_destroy(d->ports);
	for (uint32_t i = 0; i < d->n_handlers; i++)
		close(d->handlers[i].epfd);
	g_free(d->handlers);
	g_free(d);
}

static int
faulty_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	const struct ovsdp_dispatch_features *f = d->host->features(d->ctx);
	int r;

	if (fail_now(d, M_RECV_SET))
		return -EIO;
	if (!enable) {
		r = d->enabled ? point_all(d, false) : 0;
		if (r == 0)
			d->enabled = false;
		return r;
	}
	r = point_all(d, true);
	/* Vport pids count only once the datapath leaves per-cpu dispatch. */
	if (r == 0 && (!f || f->per_cpu_dispatch != OVSDP_DISPATCH_NO) &&
	    HOST_CAN(d->host, dp_set_per_cpu_pids)) {
		r = d->host->dp_set_per_cpu_pids(d->ctx, NULL, 0);
		if (r < 0)
			point_all(d, false);
	}
	if (r == 0)
		d->enabled = true;
	return r;
}

/* New epoll sets are built aside and swapped in only when complete, so a
 * failure leaves the old size in force. */
static int
faulty_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n)
{
	struct fhandler *nh;
	GHashTableIter it;
	gpointer v;
	int r = 0;

	if (n == 0 || n > FAULTY_MAX_HANDLERS)
		return -EINVAL;
	if (fail_now(d, M_HANDLERS_SET))
		return -EIO;
	if (n == d->n_handlers)
		return 0;
	nh = g_new0(struct fhandler, n);
	for (uint32_t i = 0; i < n; i++)
		nh[i].epfd = -1;
	for (uint32_t i = 0; i < n && r == 0; i++) {
		nh[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (nh[i].epfd < 0)
			r = -errno;
	}
	g_hash_table_iter_init(&it, d->ports);
	while (r == 0 && g_hash_table_iter_next(&it, NULL, &v)) {
		struct fsock *s = v;

		r = sock_watch(&nh[s->port_no % n], s);
	}
	if (r < 0) {
		for (uint32_t i = 0; i < n; i++)
			if (nh[i].epfd >= 0)
				close(nh[i].epfd);
		g_free(nh);
		return r;
	}
	for (uint32_t i = 0; i < d->n_handlers; i++) {
		if (i < n) {
			nh[i].upcalls = d->handlers[i].upcalls;
			nh[i].empty = d->handlers[i].empty;
			nh[i].overruns = d->handlers[i].overruns;
		} else {
			d->gone_upcalls += d->handlers[i].upcalls;
			d->gone_empty += d->handlers[i].empty;
			d->gone_overruns += d->handlers[i].overruns;
		}
		close(d->handlers[i].epfd);
	}
	g_free(d->handlers);
	d->handlers = nh;
	d->n_handlers = n;
	return 0;
}

static bool
faulty_number_handlers_required(struct ovsdp_dispatch_instance *d, uint32_t *n_handlers)
{
	if (fail_now(d, M_NUMBER_HANDLERS_REQUIRED)) {
		*n_handlers = FAULTY_ABSURD_HANDLERS;
		return true;
	}
	return false;
}

static int
faulty_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct fsock *s;
	int r;

	if (fail_now(d, M_PORT_ADDED))
		return -EIO;
	s = g_hash_table_lookup(d->ports, GUINT_TO_POINTER(port_no));
	if (s)
		return d->enabled ? point(d, s, true) : 0;
	s = g_new0(struct fsock, 1);
	r = d->host->usock_open(d->ctx, d->rcvbuf, &s->us);
	if (r < 0) {
		g_free(s);
		return r;
	}
	s->fd = d->host->usock_fd(s->us);
	s->portid = d->host->usock_portid(s->us);
	s->port_no = port_no;
	r = handler_of(d, port_no) ? sock_watch(handler_of(d, port_no), s) : 0;
	if (r == 0 && d->enabled)
		r = point(d, s, true);
	if (r < 0) {
		sock_close(d, s);
		return r;
	}
	g_hash_table_insert(d->ports, GUINT_TO_POINTER(port_no), s);
	return 0;
}

static void
faulty_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct fsock *s = g_hash_table_lookup(d->ports, GUINT_TO_POINTER(port_no));

	if (!s)
		return;
	g_hash_table_remove(d->ports, GUINT_TO_POINTER(port_no));
	sock_close(d, s);
}

/* ---- handler methods ------------------------------------------------------ */

static uint32_t
faulty_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	const struct fsock *s;

	if (fail_now(d, M_PORT_GET_PID) || !d->enabled)
		return 0;
	s = g_hash_table_lookup(d->ports, GUINT_TO_POINTER(port_no));
	return s ? s->portid : 0;
}

static int
faulty_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	if (handler >= d->n_handlers)
		return -EINVAL;
	if (fail_now(d, M_WAIT_FD))
		return -EIO;
	return d->handlers[handler].epfd;
}

static int
faulty_recv(struct ovsdp_dispatch_instance *d, uint32_t handler, struct ovsdp_dispatch_msg *batch,
	    unsigned int n, uint32_t *overruns)
{
	struct epoll_event ev[RECV_EVENTS];
	struct fhandler *h;
	unsigned int got = 0;
	int r;

	if (handler >= d->n_handlers || !batch || !overruns)
		return -EINVAL;
	if (fail_now(d, M_RECV))
		return -EIO;
	h = &d->handlers[handler];
	r = epoll_wait(h->epfd, ev, RECV_EVENTS, 0);
	for (int k = 0; k < r && got < n; k++) {
		struct fsock *s = ev[k].data.ptr;
		int m = d->host->usock_recv(d->ctx, s->us, batch + got, n - got);

		if (m == -ENOBUFS) {
			h->overruns++;
			(*overruns)++;
			m = d->host->usock_recv(d->ctx, s->us, batch + got, n - got);
		}
		if (m > 0)
			got += (unsigned int)m;
	}
	if (got)
		h->upcalls += got;
	else
		h->empty++;
	return (int)got;
}

/* ---- control: purge, stats, describe --------------------------------------- */

static void
faulty_recv_purge(struct ovsdp_dispatch_instance *d)
{
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, d->ports);
	while (g_hash_table_iter_next(&it, NULL, &v))
		d->host->usock_purge(d->ctx, ((struct fsock *)v)->us);
}

static int
faulty_stats(struct ovsdp_dispatch_instance *d, uint32_t handler, struct ovsdp_dispatch_stats *out)
{
	uint64_t up = 0, empty = 0, over = 0;

	if (!out)
		return -EINVAL;
	if (fail_now(d, M_STATS))
		return -EIO;
	if (handler == OVSDP_DISPATCH_ALL_HANDLERS) {
		up = d->gone_upcalls;
		empty = d->gone_empty;
		over = d->gone_overruns;
		for (uint32_t i = 0; i < d->n_handlers; i++) {
			up += d->handlers[i].upcalls;
			empty += d->handlers[i].empty;
			over += d->handlers[i].overruns;
		}
	} else if (handler < d->n_handlers) {
		up = d->handlers[handler].upcalls;
		empty = d->handlers[handler].empty;
		over = d->handlers[handler].overruns;
	} else {
		return -EINVAL;
	}
	if (STATS_HAS(out, n_handlers))
		out->n_handlers = d->n_handlers;
	if (STATS_HAS(out, n_sockets))
		out->n_sockets = g_hash_table_size(d->ports);
	if (STATS_HAS(out, n_upcalls))
		out->n_upcalls = up;
	if (STATS_HAS(out, n_empty))
		out->n_empty = empty;
	if (STATS_HAS(out, n_overruns))
		out->n_overruns = over;
	return 0;
}

static int
faulty_describe(const struct ovsdp_dispatch_instance *d, char *buf, size_t len)
{
	if (!buf || !len)
		return -EINVAL;
	if (!d) {
		snprintf(buf, len, "faulty: one socket per port; fails a chosen call (tests only)");
		return 0;
	}
	/* describe takes a const instance; the call count is the one mutable
	 * thing it touches. */
	if (fail_now((struct ovsdp_dispatch_instance *)d, M_DESCRIBE))
		return -EIO;
	snprintf(buf, len, "faulty: %u sockets, %u handlers, fails %s after %" PRIu64 " calls "
		 "(%" PRIu64 " failed)", g_hash_table_size(d->ports), (unsigned int)d->n_handlers,
		 method_names[d->fail], d->fail_after,
		 __atomic_load_n(&d->failures, __ATOMIC_RELAXED));
	return 0;
}

static const struct ovsdp_dispatch_vtable faulty_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_vtable),
	.probe = faulty_probe,
	.create = faulty_create,
	.destroy = faulty_destroy,
	.recv_set = faulty_recv_set,
	.handlers_set = faulty_handlers_set,
	.number_handlers_required = faulty_number_handlers_required,
	.port_added = faulty_port_added,
	.port_deleted = faulty_port_deleted,
	.port_get_pid = faulty_port_get_pid,
	.wait_fd = faulty_wait_fd,
	.recv = faulty_recv,
	.recv_purge = faulty_recv_purge,
	.stats = faulty_stats,
	.describe = faulty_describe,
};

static const struct ovsdp_dispatch_option faulty_options[] = {
	{ "fail-call", "none;create;recv_set;handlers_set;number_handlers_required;port_added;"
	  "port_get_pid;wait_fd;recv;stats;describe", "none",
	  "the method that fails (-EIO; number_handlers_required dictates 4294967295 handlers)" },
	{ "fail-after", NULL, "0", "calls of that method that succeed first (create: per process)" },
	{ "fail-times", NULL, "0", "failures before the method works again; 0: it never does" },
	{ "rcvbuf", NULL, "0", "receive buffer of each upcall socket in bytes; 0: the host's default" },
	{ "create-delay-ms", NULL, "0", "milliseconds create sleeps before it returns (a slow "
	  "switch)" },
	{ NULL, NULL, NULL, NULL },
};

static const struct ovsdp_dispatch_descriptor faulty_descriptor = {
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.struct_size = sizeof(struct ovsdp_dispatch_descriptor),
	.name = "faulty",
	.description = "test dispatcher: one socket per port, fails a chosen call on demand",
	.vtable = &faulty_vtable,
	.options = faulty_options,
};

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return &faulty_descriptor;
}
