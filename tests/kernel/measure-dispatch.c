/* measure-dispatch.c: what a dispatcher costs at a given scale, for reports
 * rather than pass/fail: upcall sockets and descriptors at N ports, and
 * (with --herd) handler wakeups and context switches per upcall, and (with
 * --switch-to) whether a live switch under traffic loses anything.  Runs as
 * root in a private network namespace; in the lab:
 *   tests/lab/run --kernel 6.1 -- env OVSDP_PLUGIN_PATH=... \
 *       BUILD/tests/kernel/measure-dispatch legacy 2000 4 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "ovsdp/ovsdp.h"
#include "kfds.h"
#include "kstats.h"

#define DP_NAME "ovsdpmeasure"

static uint64_t delivered;     /* upcalls carrying one of our frames */

static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
	for (unsigned int i = 0; i < n; i++)
		if (ups[i].packet_len >= 14 && ups[i].packet[12] == 0x88 && ups[i].packet[13] == 0xb5)
			__atomic_add_fetch(&delivered, 1, __ATOMIC_RELAXED);
}

/* Descriptors of this process that are netlink sockets, and all of them
 * (0 and 0 where /proc cannot tell). */
static void
count_fds(unsigned int *netlink, unsigned int *all)
{
	kfds_count(netlink, all);
}

/* Voluntary context switches of this process's threads whose name starts
 * with 'prefix', and how many such threads there are. */
static uint64_t
thread_switches(const char *prefix, unsigned int *threads)
{
	uint64_t sum = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");

	*threads = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		g_autofree char *comm = NULL, *status = NULL, *p1 = NULL, *p2 = NULL;
		const char *v;

		if (e->d_name[0] == '.')
			continue;
		p1 = g_strdup_printf("/proc/self/task/%s/comm", e->d_name);
		p2 = g_strdup_printf("/proc/self/task/%s/status", e->d_name);
		if (!g_file_get_contents(p1, &comm, NULL, NULL) || !g_str_has_prefix(comm, prefix) ||
		    !g_file_get_contents(p2, &status, NULL, NULL))
			continue;
		v = strstr(status, "\nvoluntary_ctxt_switches:");
		if (v) {
			sum += g_ascii_strtoull(v + 25, NULL, 10);
			(*threads)++;
		}
	}
	closedir(d);
	return sum;
}

/* Send 'n' frames, 'gap_us' apart, each a new flow, into a veth peer. */
static int
send_spaced(const char *peer, unsigned int n, unsigned int gap_us)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	uint8_t frame[64] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0, 0x88, 0xb5 };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (fd < 0)
		return -errno;
	sll.sll_ifindex = (int)if_nametoindex(peer);
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		close(fd);
		return -errno;
	}
	for (unsigned int i = 0; i < n; i++) {
		frame[9] = (uint8_t)(i >> 16);
		frame[10] = (uint8_t)(i >> 8);
		frame[11] = (uint8_t)i;
		if (send(fd, frame, sizeof frame, 0) < 0)
			fprintf(stderr, "send: %s\n", g_strerror(errno));
		g_usleep(gap_us);
	}
	close(fd);
	return 0;
}

static unsigned int sender_frames;

static gpointer
sender_main(gpointer data)
{
	send_spaced("htx", sender_frames, 200);
	return NULL;
}

static uint64_t
kernel_lost(struct ovsdp_dp *dp)
{
	struct ovsdp_dp_info info;

	return ovsdp_dp_get_info(dp, &info, NULL) == 0 ? info.stats.n_lost : 0;
}

/* Switch from the running dispatcher to 'to' while a thread sends
 * 'frames' frames; report sent = delivered + kernel lost, or the gap. */
static int
switch_under_traffic(struct ovsdp_handlers *hs, struct ovsdp_dp *dp, struct ovsdp_plugins *plugins,
		     const char *from, const char *to, unsigned int frames)
{
	struct ovsdp_plugin *p = ovsdp_plugins_find(plugins, to);
	g_autoptr(GError) err = NULL;
	g_autoptr(kstats) st = NULL;
	g_autofree char *shares = NULL;
	uint64_t lost0, lost, got;
	GThread *t;
	gint64 t0, took;
	int r;

	if (!p) {
		fprintf(stderr, "no dispatcher %s\n", to);
		return -ENOENT;
	}
	g_usleep(200000);
	lost0 = kernel_lost(dp);
	__atomic_store_n(&delivered, 0, __ATOMIC_RELAXED);
	sender_frames = frames;
	t = g_thread_new("sender", sender_main, NULL);
	g_usleep(frames * 200 / 3);
	t0 = g_get_monotonic_time();
	r = ovsdp_handlers_switch(hs, p, &err);
	took = g_get_monotonic_time() - t0;
	g_thread_join(t);
	for (int i = 0; i < 400; i++) {
		if (__atomic_load_n(&delivered, __ATOMIC_RELAXED) + kernel_lost(dp) - lost0 >= frames)
			break;
		g_usleep(20000);
	}
	g_usleep(300000);
	lost = kernel_lost(dp) - lost0;
	got = __atomic_load_n(&delivered, __ATOMIC_RELAXED);
	kstats_get(hs, &st);
	shares = kstats_shares(st);
	printf("%s -> %s under traffic: %s in %.0f ms; sent %u, delivered %" G_GUINT64_FORMAT
	       ", kernel lost %" G_GUINT64_FORMAT ", unaccounted %" G_GINT64_FORMAT " (%s)\n",
	       from, to, r == 0 ? "switched" : "refused", (double)took / 1000, frames, got, lost,
	       (gint64)frames - (gint64)(got + lost), shares);
	if (r < 0)
		printf("  %s\n", err->message);
	return r < 0 ? r : got + lost == frames ? 0 : -EIO;
}

int
main(int argc, char **argv)
{
	static gint nofile = 1 << 20, herd = 0, frames = 3000;
	static gchar *conf = NULL, *switch_to = NULL;
	GOptionEntry entries[] = {
		{ "nofile", 0, 0, G_OPTION_ARG_INT, &nofile, "RLIMIT_NOFILE to run with", "N" },
		{ "conf", 0, 0, G_OPTION_ARG_FILENAME, &conf, "plugins.conf for plugin options", "FILE" },
		{ "herd", 0, 0, G_OPTION_ARG_INT, &herd, "send N spaced frames on a veth port and "
		  "count wakeups", "N" },
		{ "switch-to", 0, 0, G_OPTION_ARG_STRING, &switch_to, "switch to this dispatcher "
		  "while frames flow, and account for every frame", "NAME" },
		{ "frames", 0, 0, G_OPTION_ARG_INT, &frames, "frames sent during --switch-to "
		  "(3000)", "N" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("DISPATCHER PORTS HANDLERS");
	g_autoptr(GError) err = NULL;
	struct ovsdp_handlers_options o = { OVSDP_HANDLERS_OPTIONS_INIT, .dp_name = DP_NAME,
					    .callback = on_upcalls };
	struct ovsdp_config *cfg = NULL;
	struct ovsdp_features features;
	struct ovsdp_plugins *plugins = NULL;
	struct ovsdp_plugin *p;
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(kstats) st = NULL;
	struct ovsdp_dp *dp = NULL;
	struct rlimit rl;
	unsigned int ports, nl0, all0, nl1, all1;
	gint64 t0;
	int r, status = 1;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &err) || argc != 4) {
		fprintf(stderr, "%s\n", err ? err->message : g_option_context_get_help(oc, TRUE, NULL));
		return 2;
	}
	ports = (unsigned int)atoi(argv[2]);
	o.n_handlers = (unsigned int)atoi(argv[3]);
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "unshare(CLONE_NEWNET): %s (run as root)\n", g_strerror(errno));
		return 1;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)nofile;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		fprintf(stderr, "setrlimit(RLIMIT_NOFILE, %d): %s\n", nofile, g_strerror(errno));
	if (conf && ovsdp_config_load(conf, &cfg, &err) < 0)
		goto out;
	o.config = cfg;
	if (ovsdp_features_probe(&features, &err) < 0 ||
	    ovsdp_dp_create(DP_NAME, 0, OVSDP_DP_F_DEFAULT, &dp, &err) < 0 ||
	    ovsdp_plugins_discover(cfg, &features, &plugins, &err) < 0)
		goto out;
	p = ovsdp_plugins_find(plugins, argv[1]);
	if (!p) {
		fprintf(stderr, "no dispatcher %s (OVSDP_PLUGIN_PATH=%s)\n", argv[1],
			g_getenv("OVSDP_PLUGIN_PATH"));
		goto out;
	}
	t0 = g_get_monotonic_time();
	for (unsigned int i = 0; i < ports; i++) {
		struct ovsdp_vport_spec spec = { .type = OVSDP_VPORT_TYPE_INTERNAL };
		char name[16];

		g_snprintf(name, sizeof name, "m%u", i);
		spec.name = name;
		if (ovsdp_vport_add(dp, &spec, NULL, &err) < 0)
			goto out;
	}
	if (herd || switch_to) {
		struct ovsdp_vport_spec spec = { .name = "hdp", .type = OVSDP_VPORT_TYPE_NETDEV };

		if (system("ip link add hdp type veth peer name htx && ip link set hdp up && "
			   "ip link set htx up") != 0 ||
		    ovsdp_vport_add(dp, &spec, NULL, &err) < 0) {
			fprintf(stderr, "veth port: %s\n", err ? err->message : "ip link failed");
			goto out;
		}
		ports++;
	}
	printf("%s on %s, %u CPU ids: %u ports + the local port added in %.1f s\n", argv[1],
	       features.kernel_release, features.cpu_ids, ports,
	       (double)(g_get_monotonic_time() - t0) / 1e6);
	if (ovsdp_handlers_new(&o, &hs, &err) < 0)
		goto out;
	count_fds(&nl0, &all0);
	t0 = g_get_monotonic_time();
	r = ovsdp_handlers_start(hs, p, &err);
	if (r < 0) {
		printf("%s: start refused with RLIMIT_NOFILE %d: %s\n", argv[1], nofile, err->message);
		status = 3;
		goto out;
	}
	count_fds(&nl1, &all1);
	kstats_get(hs, &st);
	printf("%s: %u ports, %u handlers: %u upcall sockets (stats say %" G_GUINT64_FORMAT
	       "), %u descriptors in all, started in %.2f s\n  %s\n", argv[1], ports + 1,
	       ovsdp_handlers_stats_n_handlers(st), nl1 - nl0, KST_DISP(st, SOCKETS), all1 - all0,
	       (double)(g_get_monotonic_time() - t0) / 1e6, ovsdp_handlers_stats_dispatcher_description(st, 0));
	if (herd) {
		uint64_t h0, w0, h1, w1;
		unsigned int nh, nw;

		g_usleep(200000);
		h0 = thread_switches("ovsdp-handler", &nh);
		w0 = thread_switches("pervport-wait", &nw);
		send_spaced("htx", (unsigned int)herd, 20000);
		g_usleep(300000);
		h1 = thread_switches("ovsdp-handler", &nh);
		w1 = thread_switches("pervport-wait", &nw);
		kstats_get(hs, &st);
		printf("%s: %d spaced frames, %" G_GUINT64_FORMAT " upcalls delivered, %"
		       G_GUINT64_FORMAT " empty wakeups; voluntary context switches: %" G_GUINT64_FORMAT
		       " in %u handler threads, %" G_GUINT64_FORMAT " in %u waiter threads (%.1f per "
		       "frame in all)\n", argv[1], herd, (uint64_t)delivered,
		       KST_DISP(st, EMPTY_WAKEUPS), h1 - h0, nh, w1 - w0, nw,
		       (double)(h1 - h0 + w1 - w0) / herd);
	}
	status = 0;
	if (switch_to && switch_under_traffic(hs, dp, plugins, argv[1], switch_to,
					      (unsigned int)frames) < 0)
		status = 4;
out:
	if (err && status == 1)
		fprintf(stderr, "%s\n", err->message);
	ovsdp_handlers_free(hs);
	if (dp)
		ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	ovsdp_plugins_free(plugins);
	ovsdp_config_free(cfg);
	return status;
}
