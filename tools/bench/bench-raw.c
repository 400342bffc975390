/* bench-raw.c: the raw limit, a system of ovsdp-bench that every other is
 * compared with.  It is the smallest correct per-cpu receiver on libovsdp's
 * public API, with neither the handler runtime nor a plugin: one upcall
 * socket and one thread per handler, the datapath's per-cpu pids pointing
 * at them, recvmmsg() batches of RAW_BATCH, each upcall parsed and answered
 * with output to the local port, and a batch's executes sent together by
 * one ovsdp_dp_operate() call (one sendmsg() while the socket buffer holds
 * them).  What the kernel and netlink allow, less nothing but the parse. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <linux/openvswitch.h>

#include "bench.h"

#define RAW_BATCH 32
/* An upcall of a bench frame is a few hundred bytes; a slot holds any
 * frame of a 9000-byte MTU with its key.  Bigger ones are dropped and
 * counted by the socket (ovsdp_upcall_sock_truncated()). */
#define RAW_SLOT (16 * 1024)

struct raw_handler {
	struct bench_raw *raw;
	unsigned int index;
	pthread_t thread;
	bool started;
	struct ovsdp_upcall_sock *sock;
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

int
bench_raw_start(struct ovsdp_dp *dp, const struct ovsdp_features *f, struct bench_system *sys,
		unsigned int n_handlers, GError **error)
{
	struct bench_raw *raw;
	unsigned int cpus = f->cpus_online ? f->cpus_online : 1;
	g_autofree uint32_t *pids = NULL;
	int r;

	if (f->per_cpu_dispatch != OVSDP_YES) {
		g_set_error(error, OVSDP_ERROR, EOPNOTSUPP,
			    "the raw limit is a per-cpu receiver, and this kernel has no "
			    "OVS_DP_F_DISPATCH_UPCALL_PER_CPU (Linux 5.14 and later)");
		return -EOPNOTSUPP;
	}
	raw = g_new0(struct bench_raw, 1);
	raw->dp = dp;
	raw->dp_name = g_strdup(ovsdp_dp_name(dp));
	raw->saved_features = ovsdp_dp_user_features(dp);
	raw->packet_family = (uint16_t)ovsdp_dp_packet_family(dp);
	raw->stop_fd = eventfd(0, EFD_CLOEXEC);
	/* Like per-cpu dispatch in OVS and ovsdp: a handler per CPU this
	 * process may run on, unless told otherwise. */
	raw->n = n_handlers ? n_handlers : MAX(g_get_num_processors(), 1);
	raw->h = g_new0(struct raw_handler, raw->n);
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
		r = ovsdp_upcall_sock_open(0, &h->sock, error);
		if (r == 0)
			r = ovsdp_dp_open(raw->dp_name, &h->dp, error);
		if (r < 0)
			goto fail;
	}
	/* The kernel takes pids[cpu], and pids[cpu % n] past the array's end:
	 * an entry per online CPU, handlers taken in turn. */
	pids = g_new(uint32_t, MAX(cpus, raw->n));
	for (unsigned int c = 0; c < MAX(cpus, raw->n); c++)
		pids[c] = ovsdp_upcall_sock_portid(raw->h[c % raw->n].sock);
	r = ovsdp_dp_set_per_cpu_pids(dp, pids, MAX(cpus, raw->n), error);
	if (r < 0)
		goto fail;
	for (unsigned int i = 0; i < raw->n; i++) {
		if (pthread_create(&raw->h[i].thread, NULL, raw_thread, &raw->h[i]) != 0) {
			r = -EAGAIN;
			g_set_error(error, OVSDP_ERROR, EAGAIN, "cannot start a raw handler thread");
			goto fail;
		}
		raw->h[i].started = true;
	}
	sys->version = g_strdup_printf("ovsdp %s", OVSDP_VERSION);
	sys->mode = g_strdup("raw per-cpu");
	sys->description = g_strdup_printf(
		"raw limit: %u per-cpu upcall sockets, a thread each; recvmmsg batches of %u, "
		"one ovsdp_dp_operate() of executes per batch; no runtime, no plugin",
		raw->n, RAW_BATCH);
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
	return sys->raw ? sys->raw->n : 0;
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
	}
	if (raw->stop_fd >= 0)
		close(raw->stop_fd);
	ovsdp_buf_clear(&raw->actions);
	g_free(raw->h);
	g_free(raw->dp_name);
	g_free(raw);
	sys->raw = NULL;
	sys->dp = NULL;
}
