/* bench-raw.c: the raw limit, a system of ovsdp-bench that every other is
 * compared with.  It is the smallest correct per-cpu receiver on libovsdp's
 * public API, with neither the handler runtime nor a plugin: one upcall
 * socket and one thread per handler, the datapath's per-cpu pids pointing
 * at them, recvmmsg() batches of RAW_BATCH, each upcall parsed and answered
 * with output to the local port, and a batch's executes sent together by
 * one ovsdp_dp_operate() call (one sendmsg() while the socket buffer holds
 * them).  What the kernel and netlink allow, less nothing but the parse.
 *
 * "raw-vport" is the same receiver in per-vport layout, per-vport
 * dispatch's limit: one upcall socket per port (each port's upcall pid its
 * socket's), every socket in every handler thread's epoll set with
 * EPOLLEXCLUSIVE (one thread woken per readiness), each thread reading a
 * ready socket until a batch comes back short. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <linux/openvswitch.h>

#include "bench.h"

#define RAW_BATCH 32
/* An upcall of a bench frame is a few hundred bytes; a slot holds any
 * frame of a 9000-byte MTU with its key.  Bigger ones are dropped and
 * counted by the socket (ovsdp_upcall_sock_truncated()). */
#define RAW_SLOT (16 * 1024)
/* raw-vport: readiness reports taken per epoll_wait. */
#define RAW_EVENTS 64

struct raw_handler {
	struct bench_raw *raw;
	unsigned int index;
	pthread_t thread;
	bool started;
	struct ovsdp_upcall_sock *sock; /* per-cpu layout: its socket */
	int epfd;                       /* per-vport layout: every port's socket, and stop_fd */
	struct ovsdp_dp *dp;            /* its own handle for the executes */
	_Atomic uint64_t upcalls, wakeups, empty_wakeups, overruns, exec_failures;
};

struct bench_raw {
	struct ovsdp_dp *dp;            /* the bench's datapath (not ours to close) */
	char *dp_name;
	uint32_t saved_features;
	uint16_t packet_family;
	int stop_fd;                    /* eventfd: readable when the threads must end */
	unsigned int n;
	struct raw_handler *h;
	struct ovsdp_buf actions;       /* output:0 */
	bool per_vport;                 /* raw-vport: a socket per port, not per handler */
	unsigned int n_socks;
	struct ovsdp_upcall_sock **socks;
};

static void
raw_answer(struct raw_handler *h, struct ovsdp_upcall_slot *slots, unsigned int n)
{
	struct bench_raw *raw = h->raw;
	struct ovsdp_op ops[RAW_BATCH];
	struct ovsdp_op *opp[RAW_BATCH];
	unsigned int n_ops = 0;

	for (unsigned int i = 0; i < n; i++) {
		struct ovsdp_upcall up;

		if (ovsdp_upcall_parse(slots[i].buf, slots[i].len, raw->packet_family, &up,
				       NULL) < 0 ||
		    up.packet_len < 14 || up.in_port == OVSDP_PORT_LOCAL)
			continue;
		ops[n_ops] = (struct ovsdp_op){
			OVSDP_OP_INIT, .type = OVSDP_OP_EXECUTE,
			.execute = {
				.packet = up.packet, .packet_len = up.packet_len,
				.key = up.key, .key_len = up.key_len,
				.actions = raw->actions.data, .actions_len = raw->actions.len,
				.mru = up.mru,
			},
		};
		opp[n_ops] = &ops[n_ops];
		n_ops++;
	}
	atomic_fetch_add_explicit(&h->upcalls, n, memory_order_relaxed);
	if (n_ops && ovsdp_dp_operate(h->dp, opp, n_ops, NULL) < 0)
		for (unsigned int i = 0; i < n_ops; i++)
			if (ops[i].error)
				atomic_fetch_add_explicit(&h->exec_failures, 1,
							  memory_order_relaxed);
}

static void *
raw_thread(void *arg)
{
	struct raw_handler *h = arg;
	struct ovsdp_upcall_slot slots[RAW_BATCH];
	uint8_t *mem = g_malloc((size_t)RAW_BATCH * RAW_SLOT);
	char name[16];

	g_snprintf(name, sizeof name, "ovsdp-raw%u", h->index);
	pthread_setname_np(pthread_self(), name);
	for (unsigned int i = 0; i < RAW_BATCH; i++)
		slots[i] = (struct ovsdp_upcall_slot){ .buf = mem + (size_t)i * RAW_SLOT,
						       .size = RAW_SLOT };
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = ovsdp_upcall_sock_fd(h->sock), .events = POLLIN },
			{ .fd = h->raw->stop_fd, .events = POLLIN },
		};
		int r;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		atomic_fetch_add_explicit(&h->wakeups, 1, memory_order_relaxed);
		/* Read until the socket is empty: a full batch means more may
		 * be queued, and poll() would only say so again. */
		do {
			r = ovsdp_upcall_sock_recv_batch(h->sock, slots, RAW_BATCH);
			if (r > 0)
				raw_answer(h, slots, (unsigned int)r);
			else if (r == -ENOBUFS)
				atomic_fetch_add_explicit(&h->overruns, 1, memory_order_relaxed);
			else if (r == -EAGAIN && pfd[0].revents)
				atomic_fetch_add_explicit(&h->empty_wakeups, 1,
							  memory_order_relaxed);
			pfd[0].revents = 0;
		} while (r == RAW_BATCH || r == -ENOBUFS);
	}
	g_free(mem);
	return NULL;
}

/* raw-vport's thread: whatever socket its epoll set reports, read until a
 * batch comes back short (the socket is empty then); stop_fd, in every
 * set without EPOLLEXCLUSIVE, wakes them all to end. */
static void *
raw_vport_thread(void *arg)
{
	struct raw_handler *h = arg;
	struct ovsdp_upcall_slot slots[RAW_BATCH];
	uint8_t *mem = g_malloc((size_t)RAW_BATCH * RAW_SLOT);
	char name[16];
	bool stop = false;

	g_snprintf(name, sizeof name, "ovsdp-raw%u", h->index);
	pthread_setname_np(pthread_self(), name);
	for (unsigned int i = 0; i < RAW_BATCH; i++)
		slots[i] = (struct ovsdp_upcall_slot){ .buf = mem + (size_t)i * RAW_SLOT,
						       .size = RAW_SLOT };
	while (!stop) {
		struct epoll_event ev[RAW_EVENTS];
		uint64_t got = 0;
		int k = epoll_wait(h->epfd, ev, RAW_EVENTS, -1);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		atomic_fetch_add_explicit(&h->wakeups, 1, memory_order_relaxed);
		for (int e = 0; e < k && !stop; e++) {
			struct ovsdp_upcall_sock *s = ev[e].data.ptr;
			int r;

			if (!s) {
				stop = true;
				break;
			}
			do {
				r = ovsdp_upcall_sock_recv_batch(s, slots, RAW_BATCH);
				if (r > 0) {
					raw_answer(h, slots, (unsigned int)r);
					got += (uint64_t)r;
				} else if (r == -ENOBUFS) {
					atomic_fetch_add_explicit(&h->overruns, 1,
								  memory_order_relaxed);
				}
			} while (r == RAW_BATCH || r == -ENOBUFS);
		}
		if (!got && !stop)
			atomic_fetch_add_explicit(&h->empty_wakeups, 1, memory_order_relaxed);
	}
	g_free(mem);
	return NULL;
}

/* raw-vport's sockets: one per port, the port's upcall pid, each in every
 * handler's epoll set. */
static int
raw_vport_setup(struct bench_raw *raw, const struct ovsdp_features *f, GError **error)
{
	g_autofree struct ovsdp_vport_info *ports = NULL;
	uint32_t flags = EPOLLIN | (f->epoll_exclusive ? EPOLLEXCLUSIVE : 0);
	int n, r;

	/* Per-vport pids count only without per-cpu dispatch. */
	if (raw->saved_features & OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU) {
		r = ovsdp_dp_set_user_features(raw->dp, raw->saved_features &
					       ~OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU, error);
		if (r < 0)
			return r;
	}
	n = ovsdp_vport_list(raw->dp, &ports, error);
	if (n < 0)
		return n;
	raw->socks = g_new0(struct ovsdp_upcall_sock *, MAX(n, 1));
	for (int i = 0; i < n; i++) {
		uint32_t pid;

		r = ovsdp_upcall_sock_open(0, &raw->socks[i], error);
		if (r < 0)
			return r;
		raw->n_socks++;
		pid = ovsdp_upcall_sock_portid(raw->socks[i]);
		r = ovsdp_vport_set_upcall_pids(raw->dp, ports[i].port_no, &pid, 1, error);
		if (r < 0)
			return r;
	}
	for (unsigned int i = 0; i < raw->n; i++) {
		struct raw_handler *h = &raw->h[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

		h->epfd = epoll_create1(EPOLL_CLOEXEC);
		if (h->epfd < 0 || epoll_ctl(h->epfd, EPOLL_CTL_ADD, raw->stop_fd, &ev) < 0)
			goto fail;
		for (unsigned int k = 0; k < raw->n_socks; k++) {
			ev = (struct epoll_event){ .events = flags, .data.ptr = raw->socks[k] };
			if (epoll_ctl(h->epfd, EPOLL_CTL_ADD, ovsdp_upcall_sock_fd(raw->socks[k]),
				      &ev) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	r = -errno;
	g_set_error(error, OVSDP_ERROR, -r, "raw-vport: epoll: %s", g_strerror(-r));
	return r;
}

int
bench_raw_start(struct ovsdp_dp *dp, const struct ovsdp_features *f, struct bench_system *sys,
		unsigned int n_handlers, GError **error)
{
	struct bench_raw *raw;
	bool per_vport = !g_strcmp0(sys->name, BENCH_RAW_VPORT_NAME);
	unsigned int cpus = f->cpus_online ? f->cpus_online : 1;
	g_autofree uint32_t *pids = NULL;
	int r;

	if (!per_vport && f->per_cpu_dispatch != OVSDP_YES) {
		g_set_error(error, OVSDP_ERROR, EOPNOTSUPP,
			    "the raw limit is a per-cpu receiver, and this kernel has no "
			    "OVS_DP_F_DISPATCH_UPCALL_PER_CPU (Linux 5.14 and later)");
		return -EOPNOTSUPP;
	}
	raw = g_new0(struct bench_raw, 1);
	raw->dp = dp;
	raw->per_vport = per_vport;
	raw->dp_name = g_strdup(ovsdp_dp_name(dp));
	raw->saved_features = ovsdp_dp_user_features(dp);
	raw->packet_family = (uint16_t)ovsdp_dp_packet_family(dp);
	raw->stop_fd = eventfd(0, EFD_CLOEXEC);
	/* Like per-cpu dispatch in OVS and ovsdp: a handler per CPU this
	 * process may run on, unless told otherwise. */
	raw->n = n_handlers ? n_handlers : MAX(g_get_num_processors(), 1);
	raw->h = g_new0(struct raw_handler, raw->n);
	for (unsigned int i = 0; i < raw->n; i++)
		raw->h[i].epfd = -1;
	ovsdp_buf_put_u32(&raw->actions, OVS_ACTION_ATTR_OUTPUT, OVSDP_PORT_LOCAL);
	sys->raw = raw;
	if (raw->stop_fd < 0) {
		r = -errno;
		g_set_error(error, OVSDP_ERROR, -r, "eventfd: %s", g_strerror(-r));
		goto fail;
	}
	for (unsigned int i = 0; i < raw->n; i++) {
		struct raw_handler *h = &raw->h[i];

		h->raw = raw;
		h->index = i;
		r = per_vport ? 0 : ovsdp_upcall_sock_open(0, &h->sock, error);
		if (r == 0)
			r = ovsdp_dp_open(raw->dp_name, &h->dp, error);
		if (r < 0)
			goto fail;
	}
	if (per_vport) {
		r = raw_vport_setup(raw, f, error);
		if (r < 0)
			goto fail;
	} else {
		/* The kernel takes pids[cpu], and pids[cpu % n] past the
		 * array's end: an entry per online CPU, handlers taken in
		 * turn. */
		pids = g_new(uint32_t, MAX(cpus, raw->n));
		for (unsigned int c = 0; c < MAX(cpus, raw->n); c++)
			pids[c] = ovsdp_upcall_sock_portid(raw->h[c % raw->n].sock);
		r = ovsdp_dp_set_per_cpu_pids(dp, pids, MAX(cpus, raw->n), error);
		if (r < 0)
			goto fail;
	}
	for (unsigned int i = 0; i < raw->n; i++) {
		if (pthread_create(&raw->h[i].thread, NULL, per_vport ? raw_vport_thread : raw_thread,
				   &raw->h[i]) != 0) {
			r = -EAGAIN;
			g_set_error(error, OVSDP_ERROR, EAGAIN, "cannot start a raw handler thread");
			goto fail;
		}
		raw->h[i].started = true;
	}
	sys->version = g_strdup_printf("ovsdp %s", OVSDP_VERSION);
	sys->mode = g_strdup(per_vport ? "raw per-vport" : "raw per-cpu");
	sys->description = per_vport ?
		g_strdup_printf("raw limit, per-vport layout: %u upcall sockets (one per port) in "
				"each of %u threads' epoll sets%s; recvmmsg batches of %u, one "
				"ovsdp_dp_operate() of executes per batch; no runtime, no plugin",
				raw->n_socks, raw->n, f->epoll_exclusive ? " with EPOLLEXCLUSIVE" : "",
				RAW_BATCH) :
		g_strdup_printf("raw limit: %u per-cpu upcall sockets, a thread each; recvmmsg "
				"batches of %u, one ovsdp_dp_operate() of executes per batch; no "
				"runtime, no plugin", raw->n, RAW_BATCH);
	sys->n_handlers = raw->n;
	sys->dp = dp;
	g_strlcpy(sys->local_dev, raw->dp_name, sizeof sys->local_dev);
	sys->pid = 0;
	sys->thread_prefix = "ovsdp-raw";
	return 0;
fail:
	bench_raw_stop(sys);
	return r;
}

unsigned int
bench_raw_sockets(const struct bench_system *sys)
{
	if (!sys->raw)
		return 0;
	return sys->raw->per_vport ? sys->raw->n_socks : sys->raw->n;
}

void
bench_raw_counters(const struct bench_system *sys, struct bench_counters *out)
{
	const struct bench_raw *raw = sys->raw;

	if (!raw)
		return;
	out->has_runtime = true;
	for (unsigned int i = 0; i < raw->n; i++) {
		const struct raw_handler *h = &raw->h[i];

		out->upcalls += atomic_load_explicit(&h->upcalls, memory_order_relaxed);
		out->wakeups += atomic_load_explicit(&h->wakeups, memory_order_relaxed);
		out->empty_wakeups += atomic_load_explicit(&h->empty_wakeups,
							   memory_order_relaxed);
		out->overruns += atomic_load_explicit(&h->overruns, memory_order_relaxed);
	}
}

void
bench_raw_stop(struct bench_system *sys)
{
	struct bench_raw *raw = sys->raw;
	uint64_t one = 1;

	if (!raw)
		return;
	if (raw->stop_fd >= 0 && write(raw->stop_fd, &one, sizeof one) < 0)
		g_warning("raw: cannot stop the handler threads: %s", g_strerror(errno));
	for (unsigned int i = 0; i < raw->n; i++)
		if (raw->h[i].started)
			pthread_join(raw->h[i].thread, NULL);
	/* Back to the features the datapath had (per-cpu dispatch off unless
	 * it was on), so the next system starts from what it would find. */
	if (ovsdp_dp_user_features(raw->dp) != raw->saved_features)
		ovsdp_dp_set_user_features(raw->dp, raw->saved_features, NULL);
	for (unsigned int i = 0; i < raw->n; i++) {
		ovsdp_upcall_sock_close(raw->h[i].sock);
		ovsdp_dp_close(raw->h[i].dp);
		if (raw->h[i].epfd >= 0)
			close(raw->h[i].epfd);
	}
	/* The ports keep pids of closed sockets: the next system sets its own. */
	for (unsigned int i = 0; i < raw->n_socks; i++)
		ovsdp_upcall_sock_close(raw->socks[i]);
	g_free(raw->socks);
	if (raw->stop_fd >= 0)
		close(raw->stop_fd);
	ovsdp_buf_clear(&raw->actions);
	g_free(raw->h);
	g_free(raw->dp_name);
	g_free(raw);
	sys->raw = NULL;
	sys->dp = NULL;
}
