/* bench-load.c: background load for ovsdp-bench from the kernel's own
 * packet generator, pktgen (/proc/net/pktgen, one per network namespace):
 * frames with random source MACs, so each is a new flow and an upcall.
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
				      "flag MACSRC_RND", NULL };

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

/* "pkts-sofar: N" of a device's pktgen file. */
static uint64_t
pg_sent(const char *dev)
{
	g_autofree char *path = g_build_filename(PG_DIR, dev, NULL);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	p = strstr(text, "pkts-sofar:");
	return p ? g_ascii_strtoull(p + strlen("pkts-sofar:"), NULL, 10) : 0;
}

uint64_t
bench_load_stop(struct bench_load *l)
{
	uint64_t sent = 0;
	int r;

	if (!l)
		return 0;
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
	for (unsigned int i = 0; i < l->n; i++)
		sent += pg_sent(l->devs[i]);
	g_strfreev(l->devs);
	g_strfreev(l->threads);
	g_free(l);
	return sent;
}
