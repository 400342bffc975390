/* bench-load.c: background load for ovsdp-bench from the kernel's own
 * packet generator, pktgen (/proc/net/pktgen, one per network namespace):
 * frames with random source MACs, source IPs and UDP ports, so each is a
 * new flow and an upcall, and a hashing dispatcher spreads them over its
 * sockets.  pktgen's threads are bound to their CPUs: thread t sends from
 * CPU t, so the sender runs on CPUs 0..threads-1 and nowhere else.
 * pktgen's "start" blocks until the run ends, so a helper thread issues it
 * and "stop" ends it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define PG_DIR "/proc/net/pktgen"

struct bench_load {
	char **devs;
	unsigned int n;
	char **threads;         /* the pktgen threads given devices */
	GThread *runner;
	int64_t t0;             /* our clock at start (a fallback for pktgen's) */
	int finished;           /* atomic: the runner's "start" returned */
};

static int
pg_write(const char *file, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static int
pg_write(const char *file, const char *fmt, ...)
{
	g_autofree char *path = g_build_filename(PG_DIR, file, NULL);
	g_autofree char *cmd = NULL;
	va_list ap;
	ssize_t n;
	int fd;

	va_start(ap, fmt);
	cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cmd = g_realloc(cmd, strlen(cmd) + 2);
	strcat(cmd, "\n");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* pgctrl takes the last byte written for a newline and drops it. */
	n = write(fd, cmd, strlen(cmd));
	close(fd);
	return n < 0 ? -errno : 0;
}

static int
cmp_thread(gconstpointer a, gconstpointer b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;

	return atoi(x + strlen("kpktgend_")) - atoi(y + strlen("kpktgend_"));
}

/* The pktgen threads of this namespace, by CPU number. */
static GPtrArray *
pg_threads(void)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDir) d = g_dir_open(PG_DIR, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d)))
		if (g_str_has_prefix(e, "kpktgend_"))
			g_ptr_array_add(names, g_strdup(e));
	g_ptr_array_sort(names, cmp_thread);
	return names;
}

bool
bench_load_available(char **why)
{
	g_autoptr(GPtrArray) threads = NULL;

	if (!g_file_test(PG_DIR "/pgctrl", G_FILE_TEST_EXISTS)) {
		const char *argv[] = { "modprobe", "pktgen", NULL };
		g_autofree char *out = NULL;

		if (bench_run(argv, NULL, &out) != 0 ||
		    !g_file_test(PG_DIR "/pgctrl", G_FILE_TEST_EXISTS)) {
			*why = g_strdup("no pktgen (" PG_DIR "/pgctrl absent and modprobe pktgen failed)");
			return false;
		}
	}
	threads = pg_threads();
	if (threads->len == 0) {
		*why = g_strdup("pktgen has no threads in this network namespace");
		return false;
	}
	*why = NULL;
	return true;
}

/* Whether a device of 'l' is still sending: the "Running:" line of its
 * thread's file lists it. */
static bool
any_running(const struct bench_load *l)
{
	for (char **t = l->threads; *t; t++) {
		g_autofree char *path = g_build_filename(PG_DIR, *t, NULL);
		g_autofree char *text = NULL;
		const char *p, *end;

		if (!g_file_get_contents(path, &text, NULL, NULL))
			continue;
		p = strstr(text, "Running:");
		if (!p)
			continue;
		p += strlen("Running:");
		end = strchr(p, '\n');
		for (; *p && p != end; p++)
			if (!g_ascii_isspace(*p))
				return true;
	}
	return false;
}

static gpointer
runner_main(gpointer data)
{
	struct bench_load *l = data;
	int r = pg_write("pgctrl", "start");

	if (r < 0 && r != -EINTR)
		g_warning("pktgen start: %s", g_strerror(-r));
	__atomic_store_n(&l->finished, 1, __ATOMIC_RELEASE);
	return NULL;
}

int
bench_load_start(char **devs, unsigned int n, unsigned int threads, uint64_t pps_per_dev,
		 struct bench_load **out, GError **error)
{
	g_autoptr(GPtrArray) names = pg_threads();
	struct bench_load *l;

	if (n == 0 || names->len == 0) {
		g_set_error(error, OVSDP_ERROR, EINVAL, "pktgen: nothing to send on, or no threads");
		return -EINVAL;
	}
	if (threads == 0 || threads > names->len)
		threads = names->len;
	for (guint t = 0; t < names->len; t++)
		pg_write(names->pdata[t], "rem_device_all");
	for (unsigned int i = 0; i < n; i++) {
		const char *dev = devs[i];
		int r = pg_write(names->pdata[i % threads], "add_device %s", dev);
		/* Source MACs 02:<port>:xx:xx:xx:xx style, random in the low
		 * three bytes: a new flow with almost every frame. */
		const char *cfg[] = { "count 0", "clone_skb 0", "pkt_size 60",
				      "dst_mac ff:ff:ff:ff:ff:ff", "src_mac_count 16777215",
				      "flag MACSRC_RND",
				      /* ...and source IPs and UDP ports too: a
				       * dispatcher that hashes the 5-tuple sees
				       * many flows, not one. */
				      "src_min 10.0.0.1", "src_max 10.255.255.254",
				      "flag IPSRC_RND", "udp_src_min 1024", "udp_src_max 65535",
				      "flag UDPSRC_RND", "udp_dst_min 1024", "udp_dst_max 65535",
				      "flag UDPDST_RND", NULL };

		if (r < 0)
			goto fail;
		for (const char **c = cfg; *c && r == 0; c++)
			r = pg_write(dev, "%s", *c);
		if (r == 0)
			r = pg_write(dev, "src_mac 02:%02x:00:00:00:00", (i + 1) & 0xff);
		if (r == 0)
			r = pps_per_dev ? pg_write(dev, "ratep %" G_GUINT64_FORMAT, pps_per_dev)
					: pg_write(dev, "delay 0");
		if (r < 0) {
			g_set_error(error, OVSDP_ERROR, -r, "pktgen: configuring %s: %s", dev,
				    g_strerror(-r));
			goto out_clear;
		}
		continue;
fail:
		g_set_error(error, OVSDP_ERROR, -r, "pktgen: add_device %s: %s", dev, g_strerror(-r));
		goto out_clear;
	}
	l = g_new0(struct bench_load, 1);
	l->devs = g_new0(char *, n + 1);
	for (unsigned int i = 0; i < n; i++)
		l->devs[i] = g_strdup(devs[i]);
	l->n = n;
	l->threads = g_new0(char *, threads + 1);
	for (unsigned int t = 0; t < threads && t < n; t++)
		l->threads[t] = g_strdup(names->pdata[t]);
	l->t0 = bench_monotonic_ns();
	l->runner = g_thread_new("bench-pktgen", runner_main, l);
	/* "start" gives the threads only a moment to pick up their devices
	 * and may return before they do (the emulated lab is slow): wait
	 * until they actually send. */
	for (int i = 0; i < 300 && !any_running(l); i++)
		bench_sleep_ms(10);
	*out = l;
	return 0;
out_clear:
	for (guint t = 0; t < names->len; t++)
		pg_write(names->pdata[t], "rem_device_all");
	return -EIO;
}

/* A device's figures from its pktgen file: "pkts-sofar: N  errors: E" and,
 * once it stopped, "Result: OK: U(c..+d..) usec, ...": what it sent, what
 * it failed to send and for how long it ran, by pktgen's own clock. */
static void
pg_result(const char *dev, uint64_t *sent, uint64_t *errors, uint64_t *usec)
{
	g_autofree char *path = g_build_filename(PG_DIR, dev, NULL);
	g_autofree char *text = NULL;
	const char *p;

	*sent = *errors = *usec = 0;
	if (!g_file_get_contents(path, &text, NULL, NULL))
		return;
	p = strstr(text, "pkts-sofar:");
	if (p)
		*sent = g_ascii_strtoull(p + strlen("pkts-sofar:"), NULL, 10);
	p = p ? strstr(p, "errors:") : NULL;
	if (p)
		*errors = g_ascii_strtoull(p + strlen("errors:"), NULL, 10);
	p = strstr(text, "Result: OK:");
	if (p)
		*usec = g_ascii_strtoull(p + strlen("Result: OK:"), NULL, 10);
}

void
bench_load_stop(struct bench_load *l, struct bench_load_result *out)
{
	struct bench_load_result res = { 0 };
	double own_s;
	int r;

	if (out)
		*out = res;
	if (!l)
		return;
	/* A stop that reaches a pktgen thread before its start does is
	 * forgotten, and "start" may have returned before the devices ran:
	 * repeat it until nothing runs and the runner is back. */
	for (int i = 0; i < 2000; i++) {
		if (i % 25 == 0) {
			r = pg_write("pgctrl", "stop");
			if (r < 0)
				g_warning("pktgen stop: %s", g_strerror(-r));
		}
		bench_sleep_ms(10);
		if (__atomic_load_n(&l->finished, __ATOMIC_ACQUIRE) && !any_running(l))
			break;
	}
	g_thread_join(l->runner);
	own_s = (double)(bench_monotonic_ns() - l->t0) / 1e9;
	/* The devices run side by side: the offered rate is the sum of each
	 * one's frames over its own running time. */
	res.per_s = 0;
	for (unsigned int i = 0; i < l->n; i++) {
		uint64_t sent, errors, usec;

		pg_result(l->devs[i], &sent, &errors, &usec);
		res.sent += sent;
		res.errors += errors;
		if (usec) {
			res.per_s += (double)sent * 1e6 / (double)usec;
			res.seconds = MAX(res.seconds, (double)usec / 1e6);
		} else {
			res.per_s += own_s > 0 ? (double)sent / own_s : 0;
			res.seconds = MAX(res.seconds, own_s);
		}
	}
	g_strfreev(l->devs);
	g_strfreev(l->threads);
	g_free(l);
	if (out)
		*out = res;
}
