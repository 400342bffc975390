/* dispatch-sock.c: the upcall-socket plumbing the in-tree dispatch plugins
 * share (see dispatch-sock.h): reads that count overruns, epoll's fair
 * share, retirement, and the counters stats() and describe() report. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/epoll.h>

#include "dispatch-sock.h"

void *
dsock_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

void *
dsock_realloc(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > SIZE_MAX / size)
		abort();
	q = realloc(p, n && size ? n * size : 1);
	if (!q)
		abort();
	return q;
}

int64_t
dsock_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *
dsock_strerror(int e)
{
	/* glibc's strerror() returns its static table's text for known
	 * values, which is all a log line needs. */
	return strerror(e);
}

void
dsock_vec_push(struct dsock_vec *v, void *p)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = DSOCK_RENEW(void *, v->items, v->cap);
	}
	v->items[v->len++] = p;
}

void
dsock_vec_remove_fast(struct dsock_vec *v, size_t i)
{
	if (i >= v->len)
		return;
	v->items[i] = v->items[v->len - 1];
	v->len--;
}

void
dsock_vec_free(struct dsock_vec *v)
{
	free(v->items);
	memset(v, 0, sizeof *v);
}

/* The index of 'key' in m, or where it would go (with *found false). */
static size_t
map_find(const struct dsock_map *m, uint32_t key, bool *found)
{
	size_t lo = 0, hi = m->len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < m->len && m->keys[lo] == key;
	return lo;
}

void *
dsock_map_get(const struct dsock_map *m, uint32_t key)
{
	bool found;
	size_t i = map_find(m, key, &found);

	return found ? m->vals[i] : NULL;
}

void
dsock_map_put(struct dsock_map *m, uint32_t key, void *val)
{
	bool found;
	size_t i = map_find(m, key, &found);

	if (found) {
		m->vals[i] = val;
		return;
	}
	if (m->len == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->keys = DSOCK_RENEW(uint32_t, m->keys, m->cap);
		m->vals = DSOCK_RENEW(void *, m->vals, m->cap);
	}
	memmove(m->keys + i + 1, m->keys + i, (m->len - i) * sizeof *m->keys);
	memmove(m->vals + i + 1, m->vals + i, (m->len - i) * sizeof *m->vals);
	m->keys[i] = key;
	m->vals[i] = val;
	m->len++;
}

void *
dsock_map_remove(struct dsock_map *m, uint32_t key)
{
	bool found;
	size_t i = map_find(m, key, &found);
	void *val;

	if (!found)
		return NULL;
	val = m->vals[i];
	memmove(m->keys + i, m->keys + i + 1, (m->len - i - 1) * sizeof *m->keys);
	memmove(m->vals + i, m->vals + i + 1, (m->len - i - 1) * sizeof *m->vals);
	m->len--;
	return val;
}

void
dsock_map_free(struct dsock_map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

bool
dsock_host_usable(const struct ovsdp_dispatch_host *host)
{
	return HOST_CAN(host, usock_open) && HOST_CAN(host, usock_close) &&
	       HOST_CAN(host, usock_portid) && HOST_CAN(host, usock_fd) &&
	       HOST_CAN(host, usock_recv) && HOST_CAN(host, usock_purge) &&
	       HOST_CAN(host, vport_set_upcall_pids);
}

int
dsock_host_lacks(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 const char *plugin)
{
	host->log(ctx, OVSDP_DISPATCH_LOG_ERR, "the host lacks a method %s needs (host ABI %u.%u)",
		  plugin, (unsigned int)host->abi_major, (unsigned int)host->abi_minor);
	return -ENOTSUP;
}

int
dsock_open(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	   uint32_t port_no, struct dsock_port_counters *port, struct dsock *s)
{
	int r = host->usock_open(ctx, 0, &s->us);

	if (r < 0)
		return r;
	s->fd = host->usock_fd(s->us);
	s->portid = host->usock_portid(s->us);
	s->port_no = port_no;
	s->retired_at = 0;
	s->port = port;
	return 0;
}

int
dsock_recv(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
	   struct ovsdp_usock *us, struct ovsdp_dispatch_msg *msgs, unsigned int n,
	   struct dsock_counters *c, struct dsock_port_counters *port, uint32_t *overruns)
{
	int r = -ENOBUFS;

	for (int tries = 0; tries < 2 && r == -ENOBUFS; tries++) {
		r = host->usock_recv(ctx, us, msgs, n);
		if (r != -ENOBUFS)
			break;
		c->overruns++;
		if (overruns)
			(*overruns)++;
		if (port)
			__atomic_add_fetch(&port->overruns, 1, __ATOMIC_RELAXED);
	}
	if (r == -ENOBUFS || r == -EAGAIN)
		return 0;       /* overran again: the next wakeup reads on */
	if (r > 0 && port)
		__atomic_add_fetch(&port->upcalls, (uint64_t)r, __ATOMIC_RELAXED);
	return r;
}

unsigned int
dsock_epoll_recv(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx,
		 int epfd, struct ovsdp_dispatch_msg *batch, unsigned int n,
		 struct dsock_counters *c, uint32_t *overruns)
{
	struct epoll_event ev[DSOCK_RECV_EVENTS];
	struct dsock *ready[DSOCK_RECV_EVENTS];
	unsigned int got = 0, nr = 0;
	int r;

	r = epoll_wait(epfd, ev, (int)DSOCK_MIN(n ? n : 1, (unsigned int)DSOCK_RECV_EVENTS), 0);
	for (int k = 0; k < r; k++)
		if (ev[k].data.ptr)
			ready[nr++] = ev[k].data.ptr;
	for (unsigned int k = 0; k < nr && got < n; k++) {
		unsigned int left = nr - k;
		unsigned int share = (n - got + left - 1) / left;
		struct dsock *s = ready[k];

		/* A socket's own errors are its next wakeup's business. */
		r = dsock_recv(host, ctx, s->us, batch + got, share, c, s->port, overruns);
		if (r > 0)
			got += (unsigned int)r;
	}
	if (got == 0)
		c->empty++;
	else
		c->upcalls += got;
	return got;
}

void
dsock_retire(struct dsock *s, struct dsock_vec *retiring)
{
	s->port = NULL;
	s->retired_at = dsock_now_us();
	dsock_vec_push(retiring, s);
}

void
dsock_reap(struct dsock_vec *retiring, void (*close_fn)(void *owner, struct dsock *s), void *owner)
{
	int64_t now = dsock_now_us();
	size_t n = retiring->len;
	struct pollfd *pfd;

	if (n == 0)
		return;
	/* One poll for all of them: a resize of legacy retires ports x
	 * handlers sockets at once. */
	pfd = DSOCK_NEW0(struct pollfd, n);
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = ((struct dsock *)retiring->items[i])->fd;
		pfd[i].events = POLLIN;
	}
	if (poll(pfd, n, 0) < 0) {
		free(pfd);
		return;
	}
	/* From the end: remove_fast moves the last item, already seen. */
	for (size_t i = n; i-- > 0;) {
		struct dsock *s = retiring->items[i];

		if (now - s->retired_at < DSOCK_RETIRE_SETTLE_US || pfd[i].revents)
			continue;
		dsock_vec_remove_fast(retiring, i);
		close_fn(owner, s);
	}
	free(pfd);
}

bool
dsock_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

int
dsock_leave_per_cpu(const struct ovsdp_dispatch_host *host, struct ovsdp_dispatch_host_ctx *ctx)
{
	const struct ovsdp_dispatch_features *f = HOST_CAN(host, features) ? host->features(ctx) : NULL;

	if ((f && OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_features, f, per_cpu_dispatch) &&
	     f->per_cpu_dispatch == OVSDP_DISPATCH_NO) || !HOST_CAN(host, dp_set_per_cpu_pids))
		return 0;
	return host->dp_set_per_cpu_pids(ctx, NULL, 0);
}

void
dsock_counters_add(struct dsock_counters *sum, const struct dsock_counters *c)
{
	sum->upcalls += c->upcalls;
	sum->empty += c->empty;
	sum->overruns += c->overruns;
}

void
dsock_stats_fill(struct ovsdp_dispatch_stats *out, uint32_t n_handlers, uint64_t n_sockets,
		 const struct dsock_counters *c)
{
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_handlers))
		out->n_handlers = n_handlers;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_sockets))
		out->n_sockets = n_sockets;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_upcalls))
		out->n_upcalls = c->upcalls;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_empty))
		out->n_empty = c->empty;
	if (OVSDP_DISPATCH_COVERS(struct ovsdp_dispatch_stats, out, n_overruns))
		out->n_overruns = c->overruns;
}

void
dsock_appendf(char *buf, size_t len, int *k, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*k < 0 || (size_t)*k >= len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *k, len - (size_t)*k, fmt, ap);
	va_end(ap);
	*k = r < 0 ? r : *k + r;
}

void
dsock_describe_tail(char *buf, size_t len, int *k, unsigned int draining,
		    const struct dsock_map *ports,
		    const struct dsock_port_counters *(*get)(const void *value), bool enabled)
{
	const struct dsock_port_counters *worst = NULL;
	uint32_t worst_port = 0;

	if (draining)
		dsock_appendf(buf, len, k, " (+%u draining)", draining);
	for (size_t i = 0; i < ports->len; i++) {
		const struct dsock_port_counters *pc = get(ports->vals[i]);

		if (pc->overruns && (!worst || pc->overruns > worst->overruns)) {
			worst = pc;
			worst_port = ports->keys[i];
		}
	}
	if (worst)
		dsock_appendf(buf, len, k, ", overruns: most on port %u (%" PRIu64 ")",
			      (unsigned int)worst_port, worst->overruns);
	if (!enabled)
		dsock_appendf(buf, len, k, ", not receiving");
}
