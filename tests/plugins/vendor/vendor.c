/* vendor.c: a per-port dispatcher written as a third party would, from
 * docs/writing-a-dispatcher.md and <ovsdp/dispatch.h> alone: one upcall
 * socket per port, each port pointed at its socket with
 * host->vport_set_upcall_pids, each socket polled by handler port_no % n.
 * It knows nothing of per-cpu dispatch (it never calls
 * dp_set_per_cpu_pids), so it holds the core to moving the datapath out of
 * per-cpu mode itself.  C and POSIX only: no glib, no libovsdp.
 *
 * Option in [plugin:vendor]: recv-delay-us, a pause at the start of every
 * recv that finds something, to slow the handlers during a live switch. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>

#include <ovsdp/dispatch.h>

#define VENDOR_MAX_HANDLERS 4096
#define VENDOR_EVENTS 16

struct vport {
	uint32_t port_no;
	struct ovsdp_usock *us;
	int fd;
	uint32_t handler;
};

struct ovsdp_dispatch_instance {
	const struct ovsdp_dispatch_host *host;
	struct ovsdp_dispatch_host_ctx *ctx;
	unsigned long recv_delay_us;
	bool enabled;
	uint32_t n_handlers;
	int *epfd;                 /* one epoll set per handler */
	struct vport **ports;
	unsigned int n_ports, cap_ports;
};

static int
vendor_create(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	      struct ovsdp_dispatch_instance **out)
{
	struct ovsdp_dispatch_instance *d = calloc(1, sizeof *d);
	const char *delay = host->option(ctx, "recv-delay-us");

	if (!d)
		return -ENOMEM;
	d->host = host;
	d->ctx = ctx;
	if (delay) {
		char *end;

		errno = 0;
		d->recv_delay_us = strtoul(delay, &end, 10);
		if (errno || *end || end == delay || d->recv_delay_us > 1000000) {
			host->log(ctx, OVSDP_DISPATCH_LOG_ERR,
				  "recv-delay-us: %s is not a count of microseconds up to 1000000",
				  delay);
			free(d);
			return -EINVAL;
		}
	}
	*out = d;
	return 0;
}

static struct vport *
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
watch(struct ovsdp_dispatch_instance *d, struct vport *p)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = p };

	if (d->n_handlers == 0)
		return 0;
	p->handler = p->port_no % d->n_handlers;
	if (epoll_ctl(d->epfd[p->handler], EPOLL_CTL_ADD, p->fd, &ev) < 0)
		return -errno;
	return 0;
}

static int
point(struct ovsdp_dispatch_instance *d, struct vport *p, bool here)
{
	uint32_t pid = here ? d->host->usock_portid(p->us) : 0;
	int r = d->host->vport_set_upcall_pids(d->ctx, p->port_no, &pid, 1);

	return r == -ENODEV ? 0 : r;    /* a port already gone needs no pid */
}

static void
close_port(struct ovsdp_dispatch_instance *d, struct vport *p)
{
	d->host->usock_close(d->ctx, p->us);
	free(p);
}

static void
vendor_destroy(struct ovsdp_dispatch_instance *d)
{
	for (unsigned int i = 0; i < d->n_ports; i++)
		close_port(d, d->ports[i]);
	for (uint32_t i = 0; i < d->n_handlers; i++)
		close(d->epfd[i]);
	free(d->ports);
	free(d->epfd);
	free(d);
}

static int
vendor_handlers_set(struct ovsdp_dispatch_instance *d, uint32_t n)
{
	int *epfd;

	if (n == 0 || n > VENDOR_MAX_HANDLERS)
		return -EINVAL;
	epfd = calloc(n, sizeof *epfd);
	if (!epfd)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		epfd[i] = epoll_create1(EPOLL_CLOEXEC);
		if (epfd[i] < 0) {
			int e = errno;

			while (i-- > 0)
				close(epfd[i]);
			free(epfd);
			return -e;
		}
	}
	for (uint32_t i = 0; i < d->n_handlers; i++)
		close(d->epfd[i]);
	free(d->epfd);
	d->epfd = epfd;
	d->n_handlers = n;
	for (unsigned int i = 0; i < d->n_ports; i++) {
		int r = watch(d, d->ports[i]);

		if (r < 0)
			return r;
	}
	return 0;
}

static int
vendor_port_added(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct vport *p;
	int r;

	if (find_port(d, port_no, NULL))
		return 0;
	if (d->n_ports == d->cap_ports) {
		unsigned int cap = d->cap_ports ? 2 * d->cap_ports : 8;
		struct vport **ports = realloc(d->ports, cap * sizeof *ports);

		if (!ports)
			return -ENOMEM;
		d->ports = ports;
		d->cap_ports = cap;
	}
	p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->port_no = port_no;
	r = d->host->usock_open(d->ctx, 0, &p->us);
	if (r < 0) {
		free(p);
		return r;
	}
	p->fd = d->host->usock_fd(p->us);
	r = watch(d, p);
	if (r == 0 && d->enabled)
		r = point(d, p, true);
	if (r < 0) {
		close_port(d, p);
		return r;
	}
	d->ports[d->n_ports++] = p;
	return 0;
}

static void
vendor_port_deleted(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	unsigned int at;
	struct vport *p = find_port(d, port_no, &at);

	if (!p)
		return;
	d->ports[at] = d->ports[--d->n_ports];
	close_port(d, p);
}

static int
vendor_recv_set(struct ovsdp_dispatch_instance *d, bool enable)
{
	for (unsigned int i = 0; i < d->n_ports; i++) {
		int r = point(d, d->ports[i], enable);

		if (r < 0) {
			/* Point back where the kernel pointed before. */
			while (i-- > 0)
				point(d, d->ports[i], !enable);
			return r;
		}
	}
	d->enabled = enable;
	return 0;
}

static uint32_t
vendor_port_get_pid(struct ovsdp_dispatch_instance *d, uint32_t port_no)
{
	struct vport *p = find_port(d, port_no, NULL);

	return p ? d->host->usock_portid(p->us) : 0;
}

static int
vendor_wait_fd(struct ovsdp_dispatch_instance *d, uint32_t handler)
{
	return handler < d->n_handlers ? d->epfd[handler] : -EINVAL;
}

static int
vendor_recv(struct ovsdp_dispatch_instance *d, uint32_t handler, struct ovsdp_dispatch_msg *batch,
	    unsigned int n, uint32_t *overruns)
{
	struct epoll_event ev[VENDOR_EVENTS];
	unsigned int got = 0;
	int k;

	if (handler >= d->n_handlers)
		return -EINVAL;
	k = epoll_wait(d->epfd[handler], ev, VENDOR_EVENTS, 0);
	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	if (k > 0 && d->recv_delay_us) {
		struct timespec ts = {
			.tv_sec = (time_t)(d->recv_delay_us / 1000000),
			.tv_nsec = (long)(d->recv_delay_us % 1000000) * 1000,
		};

		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < k && got < n; i++) {
		struct vport *p = ev[i].data.ptr;

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
	return (int)got;
}

static const struct ovsdp_dispatch_option vendor_options[] = {
	{ "recv-delay-us", NULL, "0", "pause in every recv that finds something (microseconds)" },
	{ NULL, NULL, NULL, NULL },
};

static const struct ovsdp_dispatch_vtable vendor_vtable = {
	.struct_size = sizeof(struct ovsdp_dispatch_vtable),
	.create = vendor_create,
	.destroy = vendor_destroy,
	.recv_set = vendor_recv_set,
	.handlers_set = vendor_handlers_set,
	.port_added = vendor_port_added,
	.port_deleted = vendor_port_deleted,
	.port_get_pid = vendor_port_get_pid,
	.wait_fd = vendor_wait_fd,
	.recv = vendor_recv,
};

static const struct ovsdp_dispatch_descriptor vendor_descriptor = {
	.abi_major = OVSDP_DISPATCH_ABI_MAJOR,
	.abi_minor = OVSDP_DISPATCH_ABI_MINOR,
	.struct_size = sizeof(struct ovsdp_dispatch_descriptor),
	.name = "vendor",
	.description = "test dispatcher written from the guide alone: a socket per port, vport pids only",
	.vtable = &vendor_vtable,
	.options = vendor_options,
};

OVSDP_DISPATCH_EXPORT const struct ovsdp_dispatch_descriptor *
ovsdp_dispatch_plugin_get(void)
{
	return &vendor_descriptor;
}
