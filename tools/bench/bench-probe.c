/* bench-probe.c: the latency prober of ovsdp-bench, after the reference's
 * method: a sender puts its send time (CLOCK_REALTIME) in each frame's
 * payload; a receiver on the datapath's local port takes the kernel's
 * receive timestamp (SO_TIMESTAMPNS); latency is the difference.  Frames
 * carry a phase id and a sequence number, so late frames of an earlier
 * test never count in a later one, and losses and reordering are exact. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "bench.h"

#define PROBE_MAGIC 0x4f425031u /* "OBP1" */
#define HDR_LEN 14
#define PROBE_LEN 60            /* the Ethernet minimum without FCS */

/* The payload after the Ethernet header, in network byte order. */
struct probe_payload {
	uint32_t magic;
	uint32_t phase;
	uint32_t seq;
	uint16_t flow;
	uint16_t pad;
	uint32_t tx_hi, tx_lo;  /* CLOCK_REALTIME in ns */
} __attribute__((packed));

static uint32_t next_phase_id = 1;

struct bench_phase *
bench_phase_new(size_t n, unsigned int n_flows)
{
	struct bench_phase *ph = g_new0(struct bench_phase, 1);

	ph->id = __atomic_fetch_add(&next_phase_id, 1, __ATOMIC_RELAXED);
	ph->n = n;
	ph->probes = g_new0(struct bench_probe, n ? n : 1);
	ph->n_flows = n_flows ? n_flows : 1;
	ph->flow_next = g_new0(uint32_t, ph->n_flows);
	ph->flow_reordered = g_new0(uint64_t, ph->n_flows);
	return ph;
}

void
bench_phase_free(struct bench_phase *ph)
{
	if (!ph)
		return;
	g_free(ph->probes);
	g_free(ph->flow_next);
	g_free(ph->flow_reordered);
	g_free(ph);
}

uint64_t
bench_phase_received(const struct bench_phase *ph)
{
	return __atomic_load_n(&ph->received, __ATOMIC_RELAXED);
}

uint64_t
bench_phase_wait(struct bench_phase *ph, uint64_t want, unsigned int idle_ms, unsigned int max_ms)
{
	int64_t start = bench_monotonic_ns(), last_change = start;
	uint64_t seen = bench_phase_received(ph);

	while (seen < want) {
		int64_t now;
		uint64_t r;

		bench_sleep_ms(10);
		now = bench_monotonic_ns();
		r = bench_phase_received(ph);
		if (r != seen) {
			seen = r;
			last_change = now;
		}
		if (now - last_change >= (int64_t)idle_ms * 1000000 ||
		    now - start >= (int64_t)max_ms * 1000000)
			break;
	}
	return seen;
}

double *
bench_phase_latencies(const struct bench_phase *ph, size_t first, size_t count, size_t *n)
{
	double *lat = g_new(double, count ? count : 1);
	size_t k = 0;

	for (size_t i = first; i < first + count && i < ph->n; i++) {
		const struct bench_probe *p = &ph->probes[i];

		if (__atomic_load_n(&p->rx_ns, __ATOMIC_RELAXED))
			lat[k++] = (double)(p->rx_ns - p->tx_ns) / 1000.0;
	}
	*n = k;
	return lat;
}

/* ---- receiver ------------------------------------------------------------ */

struct bench_rx {
	int fd;
	int stop_fd;            /* eventfd */
	GThread *thread;
	GMutex lock;            /* guards 'phase' and its records */
	struct bench_phase *phase;
};

static void
take_probe(struct bench_rx *rx, const uint8_t *f, size_t len, int64_t rx_ns, bool kernel_clock)
{
	struct probe_payload p;
	struct bench_phase *ph = rx->phase;
	struct bench_probe *rec;
	uint32_t seq;
	uint16_t flow;

	if (!ph || len < HDR_LEN + sizeof p || f[12] != (BENCH_ETHERTYPE >> 8) ||
	    f[13] != (BENCH_ETHERTYPE & 0xff))
		return;
	memcpy(&p, f + HDR_LEN, sizeof p);
	if (ntohl(p.magic) != PROBE_MAGIC || ntohl(p.phase) != ph->id)
		return;
	seq = ntohl(p.seq);
	flow = ntohs(p.flow);
	if (seq >= ph->n || flow >= ph->n_flows)
		return;
	rec = &ph->probes[seq];
	if (rec->rx_ns) {
		__atomic_add_fetch(&ph->duplicates, 1, __ATOMIC_RELAXED);
		return;
	}
	rec->tx_ns = (int64_t)(((uint64_t)ntohl(p.tx_hi) << 32) | ntohl(p.tx_lo));
	__atomic_store_n(&rec->rx_ns, rx_ns, __ATOMIC_RELAXED);
	if (!kernel_clock)
		__atomic_add_fetch(&ph->user_clock, 1, __ATOMIC_RELAXED);
	if (seq < ph->flow_next[flow]) {
		ph->flow_reordered[flow]++;
		__atomic_add_fetch(&ph->reordered, 1, __ATOMIC_RELAXED);
	} else {
		ph->flow_next[flow] = seq + 1;
	}
	__atomic_add_fetch(&ph->received, 1, __ATOMIC_RELEASE);
}

static gpointer
rx_main(gpointer data)
{
	struct bench_rx *rx = data;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = rx->fd, .events = POLLIN },
			{ .fd = rx->stop_fd, .events = POLLIN },
		};

		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents)
			break;
		g_mutex_lock(&rx->lock);
		for (int i = 0; i < 256; i++) {
			uint8_t frame[256];
			char control[CMSG_SPACE(sizeof(struct timespec)) + 64];
			struct sockaddr_ll from;
			struct iovec iov = { frame, sizeof frame };
			struct msghdr mh = {
				.msg_name = &from, .msg_namelen = sizeof from,
				.msg_iov = &iov, .msg_iovlen = 1,
				.msg_control = control, .msg_controllen = sizeof control,
			};
			int64_t rx_ns = 0;
			ssize_t n = recvmsg(rx->fd, &mh, MSG_DONTWAIT);

			if (n < 0)
				break;
			if (from.sll_pkttype == PACKET_OUTGOING)
				continue;
			for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
				if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
					struct timespec ts;

					memcpy(&ts, CMSG_DATA(c), sizeof ts);
					rx_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
				}
			}
			/* Without SO_TIMESTAMPNS's stamp the receive time is
			 * ours, later by the wakeup: counted, and the report
			 * marks every figure that holds such a probe. */
			take_probe(rx, frame, (size_t)n, rx_ns ? rx_ns : bench_realtime_ns(),
				   rx_ns != 0);
		}
		g_mutex_unlock(&rx->lock);
	}
	return NULL;
}

struct bench_rx *
bench_rx_start(const char *ifname, GError **error)
{
	struct bench_rx *rx;
	int fd = bench_packet_socket(ifname, BENCH_ETHERTYPE, error);

	if (fd < 0)
		return NULL;
	rx = g_new0(struct bench_rx, 1);
	rx->fd = fd;
	rx->stop_fd = eventfd(0, EFD_CLOEXEC);
	g_mutex_init(&rx->lock);
	rx->thread = g_thread_new("bench-rx", rx_main, rx);
	return rx;
}

void
bench_rx_set_phase(struct bench_rx *rx, struct bench_phase *ph)
{
	g_mutex_lock(&rx->lock);
	rx->phase = ph;
	g_mutex_unlock(&rx->lock);
}

void
bench_rx_stop(struct bench_rx *rx)
{
	uint64_t one = 1;

	if (!rx)
		return;
	if (write(rx->stop_fd, &one, sizeof one) < 0)
		g_warning("receiver stop: %s", g_strerror(errno));
	g_thread_join(rx->thread);
	close(rx->fd);
	close(rx->stop_fd);
	g_mutex_clear(&rx->lock);
	g_free(rx);
}

/* ---- sender -------------------------------------------------------------- */

int
bench_probe_send(int fd, const struct bench_phase *ph, uint32_t seq, uint16_t flow, bool new_flow)
{
	uint8_t f[PROBE_LEN];
	struct probe_payload p;
	uint64_t tx;

	memset(f, 0, sizeof f);
	memset(f, 0xff, 6);
	if (new_flow) {
		/* Locally administered, unique per (phase, seq): a flow of its own. */
		f[6] = 0x02;
		f[7] = (uint8_t)ph->id;
		f[8] = (uint8_t)(seq >> 24);
		f[9] = (uint8_t)(seq >> 16);
		f[10] = (uint8_t)(seq >> 8);
		f[11] = (uint8_t)seq;
	} else {
		f[6] = 0x06;
		f[7] = (uint8_t)ph->id;
		f[8] = 0xff;
		f[9] = 0xff;
		f[10] = (uint8_t)(flow >> 8);
		f[11] = (uint8_t)flow;
	}
	f[12] = BENCH_ETHERTYPE >> 8;
	f[13] = BENCH_ETHERTYPE & 0xff;
	p.magic = htonl(PROBE_MAGIC);
	p.phase = htonl(ph->id);
	p.seq = htonl(seq);
	p.flow = htons(flow);
	p.pad = 0;
	tx = (uint64_t)bench_realtime_ns();
	p.tx_hi = htonl((uint32_t)(tx >> 32));
	p.tx_lo = htonl((uint32_t)tx);
	memcpy(f + HDR_LEN, &p, sizeof p);
	if (send(fd, f, sizeof f, 0) != (ssize_t)sizeof f)
		return -errno;
	return 0;
}

uint64_t
bench_probe_send_paced(int fd, const struct bench_phase *ph, uint32_t first, uint32_t count,
		       int64_t interval_ns, uint16_t flow, bool new_flow)
{
	int64_t next = bench_monotonic_ns();
	uint64_t sent = 0;

	for (uint32_t s = first; s < first + count; s++) {
		if (interval_ns > 0) {
			struct timespec ts = { next / 1000000000, next % 1000000000 };
			int64_t now;

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
			now = bench_monotonic_ns();
			/* A late wakeup (the emulated lab has many) moves the
			 * schedule instead of sending a burst to catch up. */
			next = (now - next > interval_ns ? now : next) + interval_ns;
		}
		if (bench_probe_send(fd, ph, s, flow, new_flow) == 0)
			sent++;
	}
	return sent;
}
