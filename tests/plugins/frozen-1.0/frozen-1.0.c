/* frozen-1.0.c: a frozen copy of examples/dispatch-single/dispatch-single.c
 * as of plugin ABI 1.0, built against tests/abi/dispatch-1.0 only (never
 * against core/include): it must keep loading and passing the conformance
 * suite in every later build.  NEVER EDIT this file or that header.
 *
 * Original comment: the smallest useful upcall dispatcher, built out of
 * tree against the installed SDK: one upcall socket for every port, and
 * every handler thread polls it.  Simple, and a thundering herd by design:
 * each upcall wakes every handler and one of them wins the read (a
 * per-handler epoll with EPOLLEXCLUSIVE would wake one, at the price of an
 * epoll set per handler; per-vport shows that).  Compare it with per-vport
 * and per-cpu in `ovsdp bench`. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ovsdp/dispatch.h>

/* Shorthand for "may this host method be called?". */
#define HOST_CAN(h, m) OVSDP_DISPATCH_CAN(struct ovsdp_dispatch_host, h, m)

/* Counters one handler thread writes and nobody else does. */
struct single_handler {
	uint64_t upcalls;
	uint64_t empty;
	uint64_t overruns;
};

struct ovsdp_dispatch_instance {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	uint32_t rcvbuf;                  /* [plugin:single] rcvbuf, 0: host default */
	struct ovsdp_usock *sock;         /* the one upcall socket, NULL until enabled */
	uint32_t portid;
	bool enabled;
	uint32_t n_handlers;
	struct single_handler *handlers;  /* n_handlers entries */
};

/* Any kernel with the datapath can send every port's upcalls to one pid. */
static int
single_probe(const struct ovsdp_dispatch_features *features, char *reason, size_t reason_len)
{
	(void)features;
	if (reason_len)
		reason[0] = '\0';
	return 0;
}

static int
single_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	      struct ovsdp_dispatch_instance **out)
{
	struct ovsdp_dispatch_instance *d;
	const char *v;

	/* Everything this plugin calls must exist in the host it runs in. */
	if (!HOST_CAN(host, log))
		return -ENOTSUP;
	if (!HOST_CAN(host, option) || !HOST_CAN(host, port_list) ||
	    !HOST_CAN(host, usock_open) || !HOST_CAN(host, usock_close) ||
	    !HOST_CAN(host, usock_portid) || !HOST_CAN(host, usock_fd) ||
	    !HOST_CAN(host, usock_recv) || !HOST_CAN(host, usock_purge) ||
	    !HOST_CAN(host, vport_set_upcall_pids) || !HOST_CAN(host, features) ||
	    !HOST_CAN(host, dp_set_per_cpu_pids)) {
		host->log(ctx, OVSDP_DISPATCH_LOG_ERR, "frozen-1-0: the host lacks a method this "
			  "plugin needs (host ABI %u.%u)", (unsigned int)host->abi_major,
			  (unsigned int)host->abi_minor);
		return -ENOTSUP;
	}
	d = calloc(1, sizeof *d);
	if (!d)
		return -ENOMEM;
	d->host = host;
	d->ctx = ctx;
	v = host->option(ctx, "rcvbuf");
	if (v) {
		char *end;
		unsigned long n = strtoul(v, &end, 10);

		if (*v < '0' || *v > '9' || *end || n > UINT32_MAX) {
			host->log(ctx, OVSDP_DISPATCH_LOG_ERR,
				  "frozen-1-0: rcvbuf = %s: expected a number of bytes", v);
			free(d);
			return -EINVAL;
		}
		d->rcvbuf = (uint32_t)n;
	}
	*out = d;
	return 0;
}

static void
single_destroy(struct ovsdp_dispatch_instance *d)
{
	d->host->usock_close(d->ctx, d->sock);
	free(d->handlers);
	free(d);
}

/* The datapath's port numbers in a malloc'ed array; returns the count or
 * a negative errno. */
static int
list_ports(struct ovsdp_dispatch_instance *d, uint32_t **out)
{
	unsigned int cap = 64;

	for (;;) {
		uint32_t *ports = calloc(cap, sizeof *ports);
		int n;

		if (!ports)
			return -ENOMEM;
		n = d->host->port_list(d->ctx, ports, cap);
		if (n < 0 || (unsigned int)n <= cap) {
			if (n < 0)
				free(ports);
			else
				*out = ports;
			return n;
		}
		free(ports);
		cap = (unsigned int)n;   /* ports appeared meanwhile: try again */
	}
}

/* Point every port at 'pid' (0: at nobody).  On failure, put back 'undo'
 * for the ports already changed. */
static int
point_ports(struct ovsdp_dispatch_instance *d, uint32_t pid, uint32_t undo)
{
	uint32_t *ports = NULL;
	int n = list_ports(d, &ports);
	int r = 0;

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		r = d->host->vport_set_upcall_pids(d->ctx, ports[i], &pid, 1);
		if (r == -ENODEV) {
			r = 0;           /* deleted meanwhile: port_deleted follows */
			continue;
		}
		if (r < 0) {
			d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR,
				     "frozen-1-0: setting port %u's upcall pid: %s", (unsigned int)ports[i],
				     strerror(-r));
			while (i-- > 0)
				d->host->vport_set_upcall_pids(d->ctx, ports[i], &undo, 1);
			break;
		}
	}
	free(ports);
	return r;
}

static int
single_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	int r;

	if (enable == d->enabled)
		return 0;
	if (!enable) {
		/* Keep the socket: the core drains what is queued before destroy. */
		r = point_ports(d, 0, d->portid);
		if (r == 0)
			d->enabled = false;
		return r;
	}
	if (!d->sock) {
		r = d->host->usock_open(d->ctx, d->rcvbuf, &d->sock);
		if (r < 0) {
			d->host->log(d->ctx, OVSDP_DISPATCH_LOG_ERR,
				     "frozen-1-0: cannot open the upcall socket: %s", strerror(-r));
			return r;
		}
		d->portid = d->host->usock_portid(d->sock);
	}
	r = point_ports(d, d->portid, 0);
	if (r < 0)
		return r;
	/* In per-cpu mode (a per-cpu dispatcher ran before us) the kernel
	 * ignores vport pids.  Leave that mode only now that every port names
	 * our socket, so that no miss finds nobody in between.  Should that
	 * fail, the kernel still routes by its per-cpu array, as before. */
	if (d->host->features(d->ctx)->per_cpu_dispatch == OVSDP_DISPATCH_YES) {
		r = d->host->dp_set_per_cpu_pids(d->ctx, NULL, 0);
		if (r < 0)
			return r;
	}
	d->enabled = true;
	return 0;
}

static int
single_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n_handlers)
{
	struct single_handler *h;

	if (n_handlers == d->n_handlers)
		return 0;
	h = calloc(n_handlers ? n_handlers : 1, sizeof *h);
	if (!h)
		return -ENOMEM;
	/* Keep the counters of the handlers that stay. */
	if (d->handlers)
		memcpy(h, d->handlers,
		       sizeof *h * (n_handlers < d->n_handlers ? n_handlers : d->n_handlers));
	free(d->handlers);
	d->handlers = h;
	d->n_handlers = n_handlers;
	return 0;
}

static int
single_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	if (!d->enabled)
		return 0;        /* recv_set(true) points every port */
	return d->host->vport_set_upcall_pids(d->ctx, port_no, &d->portid, 1);
}

static void
single_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	/* No per-port state: the one socket serves every port. */
	(void)d;
	(void)port_no;
}

static uint32_t
single_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	(void)port_no;
	return d->enabled ? d->portid : 0;
}

/* Every handler waits on the same socket: each upcall wakes them all. */
static int
single_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	if (handler >= d->n_handlers)
		return -EINVAL;
	if (!d->sock)
		return -ENOTCONN;
	return d->host->usock_fd(d->sock);
}

static int
single_recv(struct ovsdp_dispatch_instance *d, uint32_t handler,
	    struct ovsdp_dispatch_msg *batch, unsigned int n, uint32_t *overruns)
{
	struct single_handler *h;
	int r;

	if (handler >= d->n_handlers)
		return -EINVAL;
	if (!d->sock)
		return 0;
	h = &d->handlers[handler];
	r = d->host->usock_recv(d->ctx, d->sock, batch, n);
	if (r == -ENOBUFS) {
		/* The kernel dropped upcalls on the full socket (it counts
		 * them as lost); the socket itself is fine: read on. */
		h->overruns++;
		(*overruns)++;
		r = d->host->usock_recv(d->ctx, d->sock, batch, n);
	}
	if (r == -ENOBUFS || r == -EAGAIN)
		r = 0;           /* overran again: the next wakeup reads on */
	if (r == 0)
		h->empty++;      /* another handler was faster */
	else if (r > 0)
		h->upcalls += (uint64_t)r;
	return r;
}

static void
single_recv_purge(struct ovsdp_dispatch_instance *d)
{
	if (d->sock)
		d->host->usock_purge(d->ctx, d->sock);
}

static int
single_stats(struct ovsdp_dispatch_instance *d, uint32_t handler, struct ovsdp_dispatch_stats *out)
{
	struct single_handler sum = { 0, 0, 0 };
	uint32_t first = handler, last = handler;

	if (handler == OVSDP_DISPATCH_ALL_HANDLERS) {
		first = 0;
		last = d->n_handlers ? d->n_handlers - 1 : 0;
	} else if (handler >= d->n_handlers) {
		return -EINVAL;
	}
	for (uint32_t i = first; d->n_handlers && i <= last; i++) {
		sum.upcalls += d->handlers[i].upcalls;
		sum.empty += d->handlers[i].empty;
		sum.overruns += d->handlers[i].overruns;
	}
	/* Write only what the core's structure has room for. */
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_handlers))
		out->n_handlers = d->n_handlers;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_sockets))
		out->n_sockets = d->sock ? 1 : 0;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_upcalls))
		out->n_upcalls = sum.upcalls;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_empty))
		out->n_empty = sum.empty;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_overruns))
		out->n_overruns = sum.overruns;
	return 0;
}

static int
single_describe(const struct ovsdp_dispatch_instance *d, char *buf, size_t len)
{
	if (!d)
		snprintf(buf, len, "frozen-1-0: one socket for every port, polled by every handler");
	else if (!d->sock)
		snprintf(buf, len, "frozen-1-0: no socket yet, %u handlers", (unsigned int)d->n_handlers);
	else
		snprintf(buf, len, "frozen-1-0: 1 socket (portid %u) %s, %u handlers polling it",
			 (unsigned int)d->portid, d->enabled ? "receiving" : "draining",
			 (unsigned int)d->n_handlers);
	return 0;
}

/* Designated initialisers: handlers_set and port_added have the same type,
 * so only the names keep them apart. */
static const struct ovsdp_dispatch_vtable single_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_vtable),
	.probe = single_probe,
	.create = single_create,
	.destroy = single_destroy,
	.recv_set = single_recv_set,
	.handlers_set = single_handlers_set,
	.number_handlers_required = NULL,      /* the core decides the count */
	.port_added = single_port_added,
	.port_deleted = single_port_deleted,
	.port_get_pid = single_port_get_pid,
	.wait_fd = single_wait_fd,
	.recv = single_recv,
	.recv_purge = single_recv_purge,
	.stats = single_stats,
	.describe = single_describe,
};

static const struct ovsdp_dispatch_option single_options[] = {
	{ "rcvbuf", NULL, "0", "receive buffer of the socket in bytes (0: the host's default, 4 MiB)" },
	{ NULL, NULL, NULL, NULL },
};

static const struct ovsdp_dispatch_descriptor single_descriptor = {
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.struct_size = sizeof(struct ovsdp_dispatch_descriptor),
	.name = "frozen-1-0",
	.description = "one socket for every port, polled by every handler (example)",
	.vtable = &single_vtable,
	.options = single_options,
};

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return &single_descriptor;
}
