/* soak-runtime.c: a long run of the handler runtime under traffic, for
 * tests/lab/soak (not part of the test suites).  Two veth ports carry
 * frames that miss (no flow is installed); the callback sends each packet
 * back out of the other port with a packet execute; every few seconds the
 * runtime switches live to the next dispatcher this kernel supports, and an
 * internal port is added and deleted every few hundred milliseconds.  Every
 * frame carries its port and a sequence number in its payload.  At the end
 * it prints and checks: each frame sent was handled exactly once (none
 * twice, none that failed to send, and no more missing than the kernel
 * counted lost), sent == handled + kernel lost, descriptors and RSS back
 * where they were after the warm-up; it reports send errors, and
 * descriptors and RSS at the start, after the warm-up and at the end.
 * Runs as root; it moves itself into a private network namespace.
 *   soak-runtime [--seconds N] [--switch-every S] [--churn-every MS]
 *                [--rate PPS] [--rss-slack KB] [--dispatchers "a b c"] */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/openvswitch.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>

#include "ovsdp/ovsdp.h"
#include "kstats.h"

#define DP_NAME "ovsdpsoak"

/* AddressSanitizer keeps freed memory in quarantine (256 MiB): RSS says
 * nothing about leaks there, and LeakSanitizer checks at exit instead. */
#if defined(__SANITIZE_ADDRESS__)
#define RSS_MEANINGFUL false
#else
#define RSS_MEANINGFUL true
#endif
#define ETHERTYPE 0x88b5
#define N_PORTS 2

static uint64_t handled;        /* atomics: our frames the callback saw */
static uint64_t others;         /* anything else */
static uint64_t exec_queued;
static uint64_t untracked;      /* atomic: a tag past the tables (a bug) */
static uint32_t port_no[N_PORTS];

/* Per port, per sequence number: times the callback saw the frame, and
 * whether it was sent (1) or send() failed (2).  Sized for the run and
 * written before the baseline, so their pages count in it. */
static uint8_t *seen[N_PORTS];
static uint8_t *sent_state[N_PORTS];
static uint32_t capacity;

/* Payload after the Ethernet header: the sequence number (big endian),
 * then the port index. */
#define TAG_OFFSET 14
#define PORT_OFFSET 18

/* Each packet goes back out of the other traffic port, through the
 * runtime's batched executes. */
static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	(void)data;
	for (unsigned int i = 0; i < n; i++) {
		const struct ovsdp_upcall *u = &ups[i];
		struct ovsdp_buf actions = OVSDP_BUF_INIT;
		struct ovsdp_execute ex = { 0 };

		if (u->packet_len < 18 || u->packet[12] != (ETHERTYPE >> 8) ||
		    u->packet[13] != (ETHERTYPE & 0xff)) {
			__atomic_add_fetch(&others, 1, __ATOMIC_RELAXED);
			continue;
		}
		__atomic_add_fetch(&handled, 1, __ATOMIC_RELAXED);
		if (u->packet_len > PORT_OFFSET) {
			uint32_t seq;
			uint8_t port = u->packet[PORT_OFFSET];

			memcpy(&seq, u->packet + TAG_OFFSET, 4);
			seq = ntohl(seq);
			if (port < N_PORTS && seq < capacity)
				__atomic_add_fetch(&seen[port][seq], 1, __ATOMIC_RELAXED);
			else
				__atomic_add_fetch(&untracked, 1, __ATOMIC_RELAXED);
		} else {
			__atomic_add_fetch(&untracked, 1, __ATOMIC_RELAXED);
		}
		ovsdp_buf_put_u32(&actions, OVS_ACTION_ATTR_OUTPUT,
				  u->in_port == port_no[0] ? port_no[1] : port_no[0]);
		ex = (struct ovsdp_execute){ .packet = u->packet, .packet_len = u->packet_len,
					     .key = u->key, .key_len = u->key_len,
					     .actions = actions.data, .actions_len = actions.len };
		if (ovsdp_handler_queue_execute(h, &ex) == 0)
			__atomic_add_fetch(&exec_queued, 1, __ATOMIC_RELAXED);
		ovsdp_buf_clear(&actions);
	}
}

static int
sh(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
sh(const char *fmt, ...)
{
	g_autofree char *cmd = NULL;
	va_list ap;

	va_start(ap, fmt);
	cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return system(cmd);
}

static unsigned int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* VmRSS in KiB. */
static unsigned long
rss_kb(void)
{
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents("/proc/self/status", &text, NULL, NULL))
		return 0;
	p = strstr(text, "VmRSS:");
	return p ? strtoul(p + 6, NULL, 10) : 0;
}

struct sender {
	unsigned int port;
	int fd;
	unsigned int rate;      /* frames per second */
	gint stop;
	uint64_t sent;          /* atomic */
	uint64_t send_errors;   /* read after the join */
	int last_errno;
	uint32_t next_seq;      /* read after the join: sequence numbers used */
};

static gpointer
sender_main(gpointer data)
{
	struct sender *s = data;
	uint8_t frame[78];
	gint64 start = g_get_monotonic_time();
	uint64_t seq = 0;

	memset(frame, 0, sizeof frame);
	memset(frame, 0xff, 6);
	frame[6] = 0x02;
	frame[12] = ETHERTYPE >> 8;
	frame[13] = ETHERTYPE & 0xff;
	while (!g_atomic_int_get(&s->stop) && seq < capacity) {
		gint64 due = start + (gint64)(seq * 1000000 / s->rate);
		gint64 now = g_get_monotonic_time();
		uint32_t tag = htonl((uint32_t)seq);

		if (due > now) {
			g_usleep((gulong)MIN(due - now, 100000));
			continue;
		}
		/* A new source MAC per frame: every frame is a new flow. */
		frame[7] = (uint8_t)s->port;
		frame[8] = (uint8_t)(seq >> 24);
		frame[9] = (uint8_t)(seq >> 16);
		frame[10] = (uint8_t)(seq >> 8);
		frame[11] = (uint8_t)seq;
		memcpy(frame + TAG_OFFSET, &tag, 4);
		frame[PORT_OFFSET] = (uint8_t)s->port;
		if (send(s->fd, frame, sizeof frame, 0) == (ssize_t)sizeof frame) {
			sent_state[s->port][seq] = 1;
			__atomic_add_fetch(&s->sent, 1, __ATOMIC_RELAXED);
		} else {
			sent_state[s->port][seq] = 2;
			s->last_errno = errno;
			s->send_errors++;
		}
		seq++;
	}
	s->next_seq = (uint32_t)seq;
	return NULL;
}

static int
raw_open(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	/* Bound with protocol 0: it sends, and never queues what arrives. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sll.sll_protocol = 0;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex <= 0 || bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct ovsdp_dp_stats
dp_stats(struct ovsdp_dp *dp)
{
	struct ovsdp_dp_info info;

	memset(&info, 0, sizeof info);
	ovsdp_dp_get_info(dp, &info, NULL);
	return info.stats;
}

static uint64_t
total_sent(struct sender *s)
{
	uint64_t n = 0;

	for (int i = 0; i < N_PORTS; i++)
		n += __atomic_load_n(&s[i].sent, __ATOMIC_RELAXED);
	return n;
}

/* Add and delete internal port "soakchurn"; 'tell' says whether the
 * runtime hears of it from us or only from its vport monitor. */
static int
churn_once(struct ovsdp_dp *dp, struct ovsdp_handlers *hs, bool tell)
{
	struct ovsdp_vport_spec spec = { .name = "soakchurn", .type = OVSDP_VPORT_TYPE_INTERNAL };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	if (ovsdp_vport_add(dp, &spec, &info, &err) < 0) {
		fprintf(stderr, "soak: %s\n", err->message);
		return -1;
	}
	if (tell)
		ovsdp_handlers_port_added(hs, info.port_no, NULL);
	if (ovsdp_vport_del(dp, info.port_no, &err) < 0) {
		fprintf(stderr, "soak: %s\n", err->message);
		return -1;
	}
	if (tell)
		ovsdp_handlers_port_deleted(hs, info.port_no);
	return 0;
}

/* Switch to 'p' unless it already runs; counts failures. */
static int
switch_to(struct ovsdp_handlers *hs, struct ovsdp_plugin *p, unsigned int *switches,
	  unsigned int *failures)
{
	g_autoptr(GError) err = NULL;

	g_autofree char *running = ovsdp_handlers_plugin_name(hs);

	if (!g_strcmp0(running, ovsdp_plugin_name(p)))
		return 0;
	if (ovsdp_handlers_switch(hs, p, &err) < 0) {
		fprintf(stderr, "soak: switch to %s failed: %s\n", ovsdp_plugin_name(p), err->message);
		(*failures)++;
		return -1;
	}
	(*switches)++;
	return 0;
}

/* Descriptors once the plugin has closed what deleted ports left (it does
 * so in control calls, a settle time after the port went; reading stats
 * asks the plugin at most once a second, PLUGIN_VIEW_MAX_AGE_MS in
 * core/runtime/handler-stats.c): with 'want', the count as soon as it is back to it
 * (10 s at most); without, the count once it held still for STILL_US,
 * long enough for two of the plugin's stats calls, so that a retired socket
 * still open then would have been closed within it (the baseline). */
#define STILL_US (2500 * 1000)
static unsigned int
settled_fds(struct ovsdp_handlers *hs, unsigned int want)
{
	g_autoptr(kstats) st = NULL;
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	gint64 still = g_get_monotonic_time();  /* since when the count held */
	unsigned int n = count_fds(), last = n;

	while (g_get_monotonic_time() < end) {
		kstats_get(hs, &st);
		n = count_fds();
		if (want && n == want)
			break;
		if (n != last)
			still = g_get_monotonic_time();
		else if (!want && g_get_monotonic_time() - still >= STILL_US)
			break;
		last = n;
		g_usleep(50000);
	}
	return n;
}

/* Each frame exactly once: prints what is wrong; returns the frames never
 * handled (*missing), and false on a duplicate, a frame handled that was
 * never sent, or a frame past the tables. */
static bool
check_each_once(const struct sender *snd, uint64_t *missing)
{
	uint64_t dup = 0, ghost = 0, shown = 0;

	*missing = 0;
	for (unsigned int p = 0; p < N_PORTS; p++) {
		for (uint32_t q = 0; q < capacity; q++) {
			uint8_t k = __atomic_load_n(&seen[p][q], __ATOMIC_RELAXED);
			bool was_sent = q < snd[p].next_seq && sent_state[p][q] == 1;

			if (was_sent && k == 1)
				continue;
			if (was_sent && k == 0)
				(*missing)++;
			else if (k > 1)
				dup++;
			else if (k == 1)
				ghost++;
			else
				continue;
			if (shown++ < 10)
				printf("soak: port %u frame %u: sent %s, handled %u times\n", p, q,
				       was_sent ? "yes" : "no", k);
		}
	}
	if (dup || ghost || __atomic_load_n(&untracked, __ATOMIC_RELAXED)) {
		printf("soak: FAIL: %" G_GUINT64_FORMAT " frames handled more than once, %"
		       G_GUINT64_FORMAT " handled but never sent, %" G_GUINT64_FORMAT
		       " with a tag past the tables\n", dup, ghost,
		       __atomic_load_n(&untracked, __ATOMIC_RELAXED));
		return false;
	}
	return true;
}

int
main(int argc, char **argv)
{
	gint seconds = 600, switch_every = 5, churn_every_ms = 250, rate = 200, rss_slack_kb = 4096;
	g_autofree char *names = NULL;
	GOptionEntry entries[] = {
		{ "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "how long to run (600)", "N" },
		{ "switch-every", 0, 0, G_OPTION_ARG_INT, &switch_every, "seconds between live switches (5)", "S" },
		{ "churn-every", 0, 0, G_OPTION_ARG_INT, &churn_every_ms, "milliseconds between port add/delete cycles (250)", "MS" },
		{ "rate", 0, 0, G_OPTION_ARG_INT, &rate, "frames per second per traffic port (200)", "PPS" },
		{ "rss-slack", 0, 0, G_OPTION_ARG_INT, &rss_slack_kb, "RSS growth allowed, KiB (4096)", "KB" },
		{ "dispatchers", 0, 0, G_OPTION_ARG_STRING, &names, "dispatchers to rotate through (legacy per-vport per-cpu)", "LIST" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- soak the upcall handler runtime");
	g_autoptr(GError) err = NULL;
	struct ovsdp_features features;
	struct ovsdp_plugins *plugins = NULL;
	struct ovsdp_plugin *rot[8];
	unsigned int n_rot = 0, next = 0, switches = 0, switch_failures = 0, churns = 0;
	unsigned int churn_failures = 0, fds_start, fds0, fds1;
	struct ovsdp_handlers_options o = { OVSDP_HANDLERS_OPTIONS_INIT, .dp_name = DP_NAME,
					    .n_handlers = 2, .callback = on_upcalls };
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(kstats) st = NULL;
	g_autofree char *shares = NULL;
	struct ovsdp_dp *dp = NULL;
	struct sender snd[N_PORTS];
	GThread *threads[N_PORTS];
	struct ovsdp_dp_stats s0, s1;
	unsigned long rss_start, rss0, rss1;
	uint64_t sent, got, lost, missed, missing, send_errors = 0;
	gint64 t_start, t_end, last_switch, last_churn, last_report;
	g_auto(GStrv) list = NULL;
	bool ok = true;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err)) {
		fprintf(stderr, "soak: %s\n", err->message);
		return 2;
	}
	if (seconds < 20 || switch_every < 1 || churn_every_ms < 10 || rate < 1) {
		fprintf(stderr, "soak: --seconds >= 20, --switch-every >= 1, --churn-every >= 10, --rate >= 1\n");
		return 2;
	}
	fds_start = count_fds();
	rss_start = rss_kb();
	/* Sequence numbers for the whole run at 'rate', with room for the
	 * warm-up's and the loop's overrun; written now, so the baseline has
	 * their pages. */
	capacity = (uint32_t)MIN((uint64_t)rate * ((uint64_t)seconds + 30) + 1024, G_MAXUINT32);
	for (unsigned int i = 0; i < N_PORTS; i++) {
		seen[i] = g_malloc(capacity);
		sent_state[i] = g_malloc(capacity);
		memset(seen[i], 0, capacity);
		memset(sent_state[i], 0, capacity);
	}
	if (unshare(CLONE_NEWNET) < 0) {
		perror("soak: unshare(CLONE_NEWNET) (run as root)");
		return 2;
	}
	if (sh("ip link set lo up && sysctl -qw net.ipv6.conf.all.disable_ipv6=1 "
	       "net.ipv6.conf.default.disable_ipv6=1") != 0)
		return 2;
	if (ovsdp_features_probe(&features, &err) < 0 ||
	    ovsdp_dp_create(DP_NAME, 0, OVSDP_DP_F_DEFAULT, &dp, &err) < 0 ||
	    ovsdp_plugins_discover(NULL, &features, &plugins, &err) < 0) {
		fprintf(stderr, "soak: %s\n", err->message);
		return 2;
	}
	list = g_strsplit_set(names ? names : "legacy per-vport per-cpu", " ,", -1);
	for (char **n = list; *n && n_rot < G_N_ELEMENTS(rot); n++) {
		struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, *n);

		if (**n == '\0')
			continue;
		if (p && ovsdp_plugin_status(p) == OVSDP_PLUGIN_OK)
			rot[n_rot++] = p;
		else
			printf("soak: %s cannot run here: %s\n", *n,
			       p ? ovsdp_plugin_reason(p) : "not found");
	}
	if (n_rot == 0) {
		fprintf(stderr, "soak: no dispatcher to run\n");
		return 2;
	}
	for (unsigned int i = 0; i < N_PORTS; i++) {
		struct ovsdp_vport_spec spec = { .type = OVSDP_VPORT_TYPE_NETDEV };
		struct ovsdp_vport_info info;
		char a[16], b[16];

		g_snprintf(a, sizeof a, "dp%u", i);
		g_snprintf(b, sizeof b, "tx%u", i);
		if (sh("ip link add %s type veth peer name %s && ip link set %s up && "
		       "ip link set %s up", a, b, a, b) != 0)
			return 2;
		spec.name = a;
		if (ovsdp_vport_add(dp, &spec, &info, &err) < 0) {
			fprintf(stderr, "soak: %s\n", err->message);
			return 2;
		}
		port_no[i] = info.port_no;
		memset(&snd[i], 0, sizeof snd[i]);
		snd[i].port = i;
		snd[i].rate = (unsigned int)rate;
		snd[i].fd = raw_open(b);
		if (snd[i].fd < 0) {
			perror("soak: AF_PACKET");
			return 2;
		}
	}
	if (ovsdp_handlers_new(&o, &hs, &err) < 0 || ovsdp_handlers_start(hs, rot[0], &err) < 0) {
		fprintf(stderr, "soak: %s\n", err->message);
		return 2;
	}
	printf("soak: %d s, dispatchers:", seconds);
	for (unsigned int i = 0; i < n_rot; i++)
		printf(" %s", ovsdp_plugin_name(rot[i]));
	printf(", switch every %d s, port churn every %d ms, %d frames/s on each of %d ports, "
	       "kernel %s\n", switch_every, churn_every_ms, rate, N_PORTS, features.kernel_release);
	fflush(stdout);

	s0 = dp_stats(dp);
	t_start = g_get_monotonic_time();
	t_end = t_start + (gint64)seconds * G_USEC_PER_SEC;
	for (unsigned int i = 0; i < N_PORTS; i++)
		threads[i] = g_thread_new("soak-sender", sender_main, &snd[i]);

	/* Warm-up: every dispatcher once, and some churn, so that what the
	 * process allocates once (thread arenas, stacks, buffers) is in the
	 * baseline.  The baseline is taken with rot[0] running again. */
	for (unsigned int i = 1; i <= n_rot; i++) {
		g_usleep(1000000);
		switch_to(hs, rot[i % n_rot], &switches, &switch_failures);
		for (int c = 0; c < 4; c++)
			churn_failures += churn_once(dp, hs, c % 2) < 0;
	}
	fds0 = settled_fds(hs, 0);
	rss0 = rss_kb();
	printf("soak: at the start: %u fds, RSS %lu KiB; baseline after warm-up: %u fds, RSS %lu "
	       "KiB\n", fds_start, rss_start, fds0, rss0);
	fflush(stdout);

	last_switch = last_churn = last_report = g_get_monotonic_time();
	while (g_get_monotonic_time() < t_end) {
		gint64 now = g_get_monotonic_time();

		if (now - last_switch >= (gint64)switch_every * G_USEC_PER_SEC) {
			next = (next + 1) % n_rot;
			switch_to(hs, rot[next], &switches, &switch_failures);
			last_switch = now;
		}
		if (now - last_churn >= (gint64)churn_every_ms * 1000) {
			churn_failures += churn_once(dp, hs, churns % 2) < 0;
			churns++;
			last_churn = now;
		}
		if (now - last_report >= 30 * G_USEC_PER_SEC) {
			struct ovsdp_dp_stats s = dp_stats(dp);
			g_autofree char *running = ovsdp_handlers_plugin_name(hs);

			printf("soak: %3" G_GINT64_FORMAT " s: %s, %u switches, sent %" G_GUINT64_FORMAT
			       ", handled %" G_GUINT64_FORMAT ", kernel lost %" G_GUINT64_FORMAT
			       ", %u fds, RSS %lu KiB\n", (now - t_start) / G_USEC_PER_SEC,
			       running, switches, total_sent(snd),
			       __atomic_load_n(&handled, __ATOMIC_RELAXED), s.n_lost - s0.n_lost,
			       count_fds(), rss_kb());
			fflush(stdout);
			last_report = now;
		}
		g_usleep(20000);
	}
	for (unsigned int i = 0; i < N_PORTS; i++) {
		g_atomic_int_set(&snd[i].stop, 1);
		g_thread_join(threads[i]);
		send_errors += snd[i].send_errors;
	}
	sent = total_sent(snd);
	/* Let what is queued be handled: done when every frame is accounted
	 * for, or when nothing moves any more. */
	for (int quiet = 0, waited = 0; waited < 60000; waited += 100) {
		uint64_t before = __atomic_load_n(&handled, __ATOMIC_RELAXED);

		s1 = dp_stats(dp);
		if (before + (s1.n_lost - s0.n_lost) >= sent)
			break;
		g_usleep(100000);
		quiet = __atomic_load_n(&handled, __ATOMIC_RELAXED) == before ? quiet + 1 : 0;
		if (quiet >= 50)
			break;
	}
	switch_to(hs, rot[0], &switches, &switch_failures);
	fds1 = settled_fds(hs, fds0);
	rss1 = rss_kb();
	s1 = dp_stats(dp);
	got = __atomic_load_n(&handled, __ATOMIC_RELAXED);
	lost = s1.n_lost - s0.n_lost;
	missed = s1.n_missed - s0.n_missed;
	kstats_get(hs, &st);

	printf("soak: duration %.1f s\n", (double)(g_get_monotonic_time() - t_start) / G_USEC_PER_SEC);
	printf("soak: switches %u (failed %u), port churn cycles %u (failed %u)\n", switches,
	       switch_failures, churns, churn_failures);
	printf("soak: packets sent %" G_GUINT64_FORMAT ", kernel missed %" G_GUINT64_FORMAT
	       ", handled %" G_GUINT64_FORMAT ", kernel lost %" G_GUINT64_FORMAT
	       ", executes queued %" G_GUINT64_FORMAT ", other upcalls %" G_GUINT64_FORMAT "\n",
	       sent, missed, got, lost, __atomic_load_n(&exec_queued, __ATOMIC_RELAXED),
	       __atomic_load_n(&others, __ATOMIC_RELAXED));
	shares = kstats_shares(st);
	printf("soak: send errors %" G_GUINT64_FORMAT, send_errors);
	for (unsigned int i = 0; i < N_PORTS; i++)
		if (snd[i].send_errors)
			printf(" (port %u: %" G_GUINT64_FORMAT ", last: %s)", i, snd[i].send_errors,
			       g_strerror(snd[i].last_errno));
	printf("\n");
	printf("soak: dispatcher shares: %s\n", shares);
	printf("soak: fds at the start %u, after the warm-up %u, at the end %u\n", fds_start, fds0,
	       fds1);
	printf("soak: RSS at the start %lu KiB, after the warm-up %lu KiB, at the end %lu KiB "
	       "(growth %ld KiB, slack %d KiB)\n", rss_start, rss0, rss1, (long)rss1 - (long)rss0,
	       rss_slack_kb);
	if (!check_each_once(snd, &missing))
		ok = false;
	printf("soak: each frame: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " sent were handled "
	       "once, %" G_GUINT64_FORMAT " never (kernel lost %" G_GUINT64_FORMAT ")\n",
	       sent - missing, sent, missing, lost);
	if (missing > lost) {
		printf("soak: FAIL: %" G_GUINT64_FORMAT " frames never handled, more than the %"
		       G_GUINT64_FORMAT " the kernel counted lost\n", missing, lost);
		ok = false;
	}
	if (missed != got + __atomic_load_n(&others, __ATOMIC_RELAXED) + lost) {
		printf("soak: FAIL: kernel missed %" G_GUINT64_FORMAT " != handled %" G_GUINT64_FORMAT
		       " + other upcalls %" G_GUINT64_FORMAT " + lost %" G_GUINT64_FORMAT "\n", missed,
		       got, __atomic_load_n(&others, __ATOMIC_RELAXED), lost);
		ok = false;
	}
	if (sent != got + lost) {
		printf("soak: FAIL: sent %" G_GUINT64_FORMAT " != handled %" G_GUINT64_FORMAT
		       " + kernel lost %" G_GUINT64_FORMAT "\n", sent, got, lost);
		ok = false;
	}
	if (fds1 != fds0) {
		printf("soak: FAIL: descriptors %u -> %u\n", fds0, fds1);
		ok = false;
	}
	if (!RSS_MEANINGFUL)
		printf("soak: RSS not checked: AddressSanitizer build\n");
	else if (rss1 > rss0 + (unsigned long)rss_slack_kb) {
		printf("soak: FAIL: RSS grew by %lu KiB\n", rss1 - rss0);
		ok = false;
	}
	if (switch_failures || churn_failures || switches < 2) {
		printf("soak: FAIL: %u switch failures, %u churn failures, %u switches\n",
		       switch_failures, churn_failures, switches);
		ok = false;
	}
	ovsdp_handlers_free(hs);
	for (unsigned int i = 0; i < N_PORTS; i++)
		close(snd[i].fd);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
	for (unsigned int i = 0; i < N_PORTS; i++) {
		g_free(seen[i]);
		g_free(sent_state[i]);
	}
	printf("soak: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
