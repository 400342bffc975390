/* test-daemon.c: ovsdpd and `ovsdp ctl` as a user runs them, on the real
 * datapath: a learning switch between namespaces that ping each other, a
 * dispatcher switched live ten times under steady traffic without losing an
 * upcall (nor leaving the kernel in per-cpu mode), a reload that restarts
 * the dispatcher with changed options, a start while frames already
 * arrive, refusals that leave the running dispatcher alone, the control
 * socket's permissions, recovery from ports and datapaths deleted behind
 * the daemon's back (ports changed while its notifications overran
 * included), and a clean stop on SIGTERM. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "ovsdp/ovsdp.h"
#include "kdaemon.h"
#include "knet.h"
#include "ktest.h"

#define DP "tdp0"
#define READY_MS 30000

static struct ovsdp_features features;

static struct kdaemon dmn;

static const char *
build_root(void)
{
	const char *root = g_getenv("OVSDP_BUILD_ROOT");

	/* meson test sets it (tests/meson.build). */
	if (!root)
		ck_abort_msg("OVSDP_BUILD_ROOT is not set: run through meson test");
	return root;
}

/* The result of one `ovsdp ctl` run. */
struct ctl {
	int status;
	char *out;
	char *err;
};

static void
ctl_clear(struct ctl *c)
{
	g_free(c->out);
	g_free(c->err);
	memset(c, 0, sizeof *c);
}

/* Run `ovsdp ctl --socket SOCK ARGS` (ARGS split on spaces). */
static struct ctl
ctl(const char *fmt, ...)
{
	g_autofree char *args = NULL;
	g_autofree char *cmd = NULL;
	g_auto(GStrv) argv = NULL;
	g_autoptr(GError) err = NULL;
	struct ctl c = { 0 };
	va_list ap;

	va_start(ap, fmt);
	args = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	cmd = g_strdup_printf("%s ctl --socket %s %s", knet_cli(), dmn.sock, args);
	argv = g_strsplit(cmd, " ", -1);
	ck_assert_msg(g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &c.out, &c.err,
				   &c.status, &err), "%s: %s", cmd, err ? err->message : "");
	c.status = WIFEXITED(c.status) ? WEXITSTATUS(c.status) : -1;
	return c;
}

/* How many times the daemon's log holds 'what'. */
static unsigned int
log_count(const char *what)
{
	g_autofree char *text = kdaemon_log(&dmn);
	unsigned int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* Send 'req' on a fresh connection and read the whole reply. */
static char *
raw_request(const char *req, size_t len)
{
	GString *s = g_string_new(NULL);
	char buf[512];
	ssize_t n;
	int fd = kdaemon_connect(&dmn, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
		g_string_append_len(s, buf, n);
	close(fd);
	return g_string_free(s, FALSE);
}

/* Ask the daemon directly (the protocol of control.h, no CLI process: the
 * lab spawns processes slowly): the body of an "ok" reply to "text|json
 * WORDS", or NULL with *status_line set when not ok.  */
static char *
query_status(const char *words, char **error_reply)
{
	g_autofree char *req = g_strdup_printf("%s\n", words);
	char *reply = raw_request(req, strlen(req));
	char *body;

	if (error_reply)
		*error_reply = NULL;
	if (g_str_has_prefix(reply, "ok\n")) {
		body = g_strdup(reply + 3);
		g_free(reply);
		return body;
	}
	if (error_reply)
		*error_reply = reply;
	else
		g_free(reply);
	return NULL;
}

static char *
query(const char *words)
{
	g_autofree char *err = NULL;
	char *body = query_status(words, &err);

	ck_assert_msg(body != NULL, "%s: %s", words, err);
	return body;
}

/* Wait until no job (a switch, a reload: SIGHUP's too) is in progress:
 * the daemon refuses a second one "busy" until the first was joined, which
 * can be well after its effect shows (the retired instance drains). */
static void
wait_idle(void)
{
	gint64 end = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
	char *st;

	for (;;) {
		st = query("text status");
		if (!strstr(st, "in progress: "))
			break;
		ck_assert_msg(g_get_monotonic_time() < end, "a job still in progress after 20 s:\n%s", st);
		g_free(st);
		g_usleep(50000);
	}
	g_free(st);
}

static void
write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	ck_assert_msg(fd >= 0, "cannot open %s: %s", path, strerror(errno));
	ck_assert_msg(write(fd, value, strlen(value)) == (ssize_t)strlen(value), "cannot write %s",
		      path);
	close(fd);
}

/* veth pairs dpN<->txN for N < n, up, without IPv6 (no stray packets), in
 * one `ip -batch` (the lab spawns processes slowly). */
static void
veths(int n)
{
	g_autofree char *batch = g_strdup_printf("%s/veths", dmn.dir);
	GString *cmds = g_string_new(NULL);

	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	for (int i = 0; i < n; i++)
		g_string_append_printf(cmds, "link add dp%d type veth peer name tx%d\n"
				       "link set dp%d up\nlink set tx%d up\n", i, i, i, i);
	ck_assert(g_file_set_contents(batch, cmds->str, -1, NULL));
	g_string_free(cmds, TRUE);
	ck_assert_int_eq(ktest_sh("ip -batch %s", batch), 0);
}

/* Write @DIR@/plugins.conf choosing dispatcher 'mode' (the dispatcher is
 * plugins.conf's setting alone). */
static void
pconf_mode(const char *mode)
{
	g_autofree char *path = g_build_filename(dmn.dir, "plugins.conf", NULL);
	g_autofree char *text = g_strdup_printf("[dispatch]\nmode = %s\n", mode);

	ck_assert(g_file_set_contents(path, text, -1, NULL));
}

/* Start ovsdpd with 'conf' (ovsdpd.conf text; "@SOCK@" and "@DIR@" are
 * replaced) and wait until it answers. */
static void
daemon_start(const char *conf)
{
	g_autofree char *cmd = NULL;
	g_autoptr(GError) err = NULL;
	g_autoptr(GString) text = g_string_new(conf);
	const char *argv[] = { "/bin/sh", "-c", NULL, NULL };

	g_string_replace(text, "@SOCK@", dmn.sock, 0);
	g_string_replace(text, "@DIR@", dmn.dir, 0);
	ck_assert(g_file_set_contents(dmn.conf, text->str, -1, NULL));
	cmd = g_strdup_printf("exec %s/tools/daemon/ovsdpd --config %s --log-level debug >%s 2>&1",
			      build_root(), dmn.conf, dmn.log);
	argv[2] = cmd;
	ck_assert_msg(g_spawn_async(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
				    kdaemon_child_setup, NULL, &dmn.pid, &err),
		      "%s", err ? err->message : "");
	for (int waited = 0; waited < READY_MS; waited += 100) {
		int status;

		if (waitpid(dmn.pid, &status, WNOHANG) == dmn.pid) {
			g_autofree char *log = kdaemon_log(&dmn);

			dmn.pid = 0;
			ck_abort_msg("ovsdpd exited (status %d) before answering:\n%s",
				     WEXITSTATUS(status), log);
		}
		if (access(dmn.sock, F_OK) == 0) {
			int fd = kdaemon_connect(&dmn, 0);

			if (fd >= 0) {
				close(fd);
				g_free(query("text status"));
				return;
			}
		}
		g_usleep(100000);
	}
	ck_abort_msg("ovsdpd did not answer within %d ms", READY_MS);
}

/* Send 'sig' and return the exit status (-1: killed by a signal). */
static int
daemon_stop(int sig)
{
	int status = 0;

	ck_assert_int_gt(dmn.pid, 0);
	kill(dmn.pid, sig);
	ck_assert_int_eq(waitpid(dmn.pid, &status, 0), dmn.pid);
	dmn.pid = 0;
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Wait for the daemon to exit on its own within ms; its status or -2. */
static int
daemon_wait_exit(int ms)
{
	for (int waited = 0; waited < ms; waited += 50) {
		int status;

		if (waitpid(dmn.pid, &status, WNOHANG) == dmn.pid) {
			dmn.pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		}
		g_usleep(50000);
	}
	return -2;
}

static void
setup(void)
{
	dmn.t_start = g_get_monotonic_time();
	ktest_netns_setup();
	ck_assert_int_eq(ovsdp_features_probe(&features, NULL), 0);
	kdaemon_init(&dmn, "ovsdpd-test-XXXXXX", "run/ovsdpd.sock");
	g_mkdir_with_parents("/var/run/openvswitch", 0755);     /* for ovs-dpctl */
}

static void
teardown(void)
{
	if (dmn.pid > 0)
		daemon_stop(SIGKILL);
	kdaemon_clear(&dmn);
}

static struct ovsdp_dp_stats
kernel_stats(void)
{
	struct ovsdp_dp *dp = NULL;
	struct ovsdp_dp_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_dp_open(DP, &dp, &err) == 0, "%s", err ? err->message : "");
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	ovsdp_dp_close(dp);
	return info.stats;
}

/* The datapath's user features, as the kernel reports them now. */
static uint32_t
dp_user_features(void)
{
	struct ovsdp_dp *dp = NULL;
	struct ovsdp_dp_info info;

	ck_assert_int_eq(ovsdp_dp_open(DP, &dp, NULL), 0);
	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	ovsdp_dp_close(dp);
	return info.user_features;
}

/* A counter from `ovsdp ctl --json status` ("upcalls", ...). */
static uint64_t
policy_counter(const char *name)
{
	g_autofree char *out = query("json status");
	g_autofree char *pat = g_strdup_printf("\"%s\":", name);
	const char *p = strstr(out, "\"counters\":");

	ck_assert_ptr_nonnull(p);
	p = strstr(p, pat);
	ck_assert_msg(p != NULL, "no counter %s in %s", name, out);
	return g_ascii_strtoull(p + strlen(pat), NULL, 10);
}

/* The sum of every value of "key": in JSON text (per-handler counters). */
static uint64_t
json_sum(const char *js, const char *key)
{
	g_autofree char *pat = g_strdup_printf("\"%s\":", key);
	uint64_t sum = 0;

	for (const char *p = strstr(js, pat); p; p = strstr(p + 1, pat))
		sum += g_ascii_strtoull(p + strlen(pat), NULL, 10);
	return sum;
}

/* The "description:" line of `ovsdp ctl dispatch show`. */
static char *
dispatcher_description(void)
{
	g_autofree char *out = query("text dispatch show");
	const char *p = strstr(out, "\ndescription: ");

	ck_assert_ptr_nonnull(p);
	p += strlen("\ndescription: ");
	return g_strndup(p, strcspn(p, "\n"));
}

static char *
active_dispatcher(void)
{
	g_autofree char *out = query("text dispatch show");

	ck_assert(g_str_has_prefix(out, "active: "));
	return g_strndup(out + 8, strcspn(out + 8, "\n"));
}

/* Lines of text that are flows (skip blanks). */
static unsigned int
count_lines(const char *text)
{
	unsigned int n = 0;
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (char **l = lines; *l; l++)
		n += **l != '\0';
	return n;
}

/* ---- a learning switch between three namespaces ------------------------- */

static char ns[3][32];
static int icmp_fd[3] = { -1, -1, -1 };


static void
ifr_set(int sock, const char *ifname, unsigned long req, const char *addr, const char *what)
{
	struct ifreq ifr = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

	g_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name);
	if (req == SIOCSIFFLAGS) {
		ck_assert_int_eq(ioctl(sock, SIOCGIFFLAGS, &ifr), 0);
		ifr.ifr_flags |= IFF_UP;
	} else {
		sin->sin_family = AF_INET;
		inet_pton(AF_INET, addr, &sin->sin_addr);
	}
	ck_assert_msg(ioctl(sock, req, &ifr) == 0, "%s %s: %s", what, ifname, strerror(errno));
}

/* Three named namespaces, each with eth0 (10.0.0.N/24) paired with vethN
 * here.  One `ip -batch` makes them (the lab spawns processes slowly); the
 * rest happens in-process through setns(). */
static void
make_namespaces(void)
{
	g_autofree char *batch = g_strdup_printf("%s/batch", dmn.dir);
	GString *cmds = g_string_new(NULL);
	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(home, 0);
	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	for (int i = 0; i < 3; i++) {
		g_snprintf(ns[i], sizeof ns[i], "odt%dn%d", (int)getpid(), i + 1);
		g_string_append_printf(cmds, "netns add %s\n", ns[i]);
	}
	for (int i = 0; i < 3; i++)
		g_string_append_printf(cmds, "link add veth%d type veth peer name eth0 netns %s\n"
				       "link set veth%d up\n", i + 1, ns[i], i + 1);
	ck_assert(g_file_set_contents(batch, cmds->str, -1, NULL));
	g_string_free(cmds, TRUE);
	ck_assert_int_eq(ktest_sh("ip -batch %s", batch), 0);

	for (int i = 0; i < 3; i++) {
		g_autofree char *path = g_strdup_printf("/run/netns/%s", ns[i]);
		g_autofree char *addr = g_strdup_printf("10.0.0.%d", i + 1);
		int fd = open(path, O_RDONLY | O_CLOEXEC), sock;

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(setns(fd, CLONE_NEWNET), 0);
		close(fd);
		/* No IPv6 chatter, no ARP re-probes while the test measures. */
		write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
		write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
		write_sysctl("/proc/sys/net/ipv6/conf/eth0/disable_ipv6", "1");
		write_sysctl("/proc/sys/net/ipv4/neigh/eth0/base_reachable_time_ms", "600000");
		write_sysctl("/proc/sys/net/ipv4/neigh/eth0/delay_first_probe_time", "600");
		sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		ifr_set(sock, "lo", SIOCSIFFLAGS, NULL, "up");
		ifr_set(sock, "eth0", SIOCSIFADDR, addr, "address");
		ifr_set(sock, "eth0", SIOCSIFNETMASK, "255.255.255.0", "netmask");
		ifr_set(sock, "eth0", SIOCSIFFLAGS, NULL, "up");
		close(sock);
		icmp_fd[i] = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		ck_assert_int_ge(icmp_fd[i], 0);
	}
	ck_assert_int_eq(setns(home, CLONE_NEWNET), 0);
	close(home);
}

static void
drop_namespaces(void)
{
	for (int i = 0; i < 3; i++) {
		g_autofree char *path = g_strdup_printf("/run/netns/%s", ns[i]);

		if (icmp_fd[i] >= 0)
			close(icmp_fd[i]);
		icmp_fd[i] = -1;
		umount2(path, MNT_DETACH);
		unlink(path);
	}
}

static uint16_t
icmp_csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* 'count' ICMP echoes from namespace 'from' to 10.0.0.(to+1), each
 * answered within 5 s.  Returns how many were answered. */
static int
ping(int from, int to, int count)
{
	static uint16_t seq;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int answered = 0;

	dst.sin_addr.s_addr = htonl(0x0a000001u + (uint32_t)to);
	for (int k = 0; k < count; k++) {
		uint8_t pkt[64] = { 0 };
		struct icmphdr *h = (struct icmphdr *)pkt;
		gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
		uint16_t id = (uint16_t)(getpid() + from);

		h->type = ICMP_ECHO;
		h->un.echo.id = htons(id);
		h->un.echo.sequence = htons(++seq);
		h->checksum = icmp_csum(pkt, sizeof pkt);
		ck_assert_int_eq(sendto(icmp_fd[from], pkt, sizeof pkt, 0, (struct sockaddr *)&dst,
					sizeof dst), (ssize_t)sizeof pkt);
		for (;;) {
			uint8_t buf[256];
			struct pollfd p = { .fd = icmp_fd[from], .events = POLLIN };
			gint64 left = (deadline - g_get_monotonic_time()) / 1000;
			const struct icmphdr *r;
			size_t ihl;
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left) <= 0)
				break;
			n = recv(icmp_fd[from], buf, sizeof buf, 0);
			if (n < 20)
				continue;
			ihl = (size_t)(buf[0] & 0x0f) * 4;
			if ((size_t)n < ihl + sizeof *r)
				continue;
			r = (const struct icmphdr *)(buf + ihl);
			if (r->type == ICMP_ECHOREPLY && ntohs(r->un.echo.id) == id &&
			    ntohs(r->un.echo.sequence) == seq) {
				answered++;
				break;
			}
		}
		if (k + 1 < count)
			g_usleep(100000);
	}
	return answered;
}

static gint
str_ptr_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The key part of each flow line ("in_port(1),eth(...),eth_type(...)"),
 * sorted, one per line. */
static char *
flow_keys(const char *dump)
{
	g_auto(GStrv) lines = g_strsplit(dump, "\n", -1);
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *joined = NULL;

	for (char **l = lines; *l; l++) {
		const char *cut = strstr(*l, ", packets:");

		if (cut)
			g_ptr_array_add(keys, g_strndup(*l, cut - *l));
	}
	g_ptr_array_sort(keys, str_ptr_cmp);
	g_ptr_array_add(keys, NULL);
	joined = g_strjoinv("\n", (char **)keys->pdata);
	g_ptr_array_free(keys, TRUE);
	return g_steal_pointer(&joined);
}

START_TEST(learning_switch_pings)
{
	struct ovsdp_dp_stats s0, s1;
	g_autofree char *flows = NULL, *dpctl = NULL, *macs = NULL;
	g_autofree char *ours = NULL, *theirs = NULL;

	kdaemon_step(&dmn, "learning: setup done");
	make_namespaces();
	kdaemon_step(&dmn, "learning: namespaces made");
	pconf_mode("per-vport");
	daemon_start("[datapath]\nname = " DP "\nports = veth1;veth2;veth3\ndelete-on-exit = yes\n"
		     "[policy]\ntype = learning\nidle-timeout = 120\n"
		     "[daemon]\ncontrol-socket = @SOCK@\nplugins-conf = @DIR@/plugins.conf\n");
	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			if (i != j)
				ck_assert_msg(ping(i, j, 1) == 1, "ns%d cannot ping 10.0.0.%d", i + 1,
					      j + 1);
		}
	}
	kdaemon_step(&dmn, "learning: daemon started, all pairs pinged");
	/* The kernel has the flows, and ovs-dpctl sees the same ones. */
	flows = query("text flows");
	printf("learning: flows after the first pings:\n%s", flows);
	ck_assert_uint_ge(count_lines(flows), 6);
	ck_assert_ptr_nonnull(strstr(flows, "eth_type(0x0800)"));
	ck_assert_ptr_nonnull(strstr(flows, "actions:"));
	if (ktest_have_ovs_dpctl()) {
		dpctl = ktest_sh_output("ovs-dpctl dump-flows %s", DP);
		ours = flow_keys(flows);
		theirs = flow_keys(dpctl);
		ck_assert_str_eq(ours, theirs);
	}
	macs = query("text macs");
	ck_assert_uint_eq(count_lines(macs), 1 + 3);

	/* Now the kernel forwards by itself: misses stop, hits grow. */
	g_free(flows);
	flows = query("text flows");
	s0 = kernel_stats();
	ck_assert_int_eq(ping(0, 1, 5), 5);
	ck_assert_int_eq(ping(2, 0, 5), 5);
	s1 = kernel_stats();
	printf("learning: 20 more packets: hit +%" G_GUINT64_FORMAT ", missed +%" G_GUINT64_FORMAT
	       "\n", s1.n_hit - s0.n_hit, s1.n_missed - s0.n_missed);
	if (s1.n_missed != s0.n_missed) {
		g_autofree char *after = query("text flows");
		g_autofree char *log = kdaemon_log(&dmn);

		ck_abort_msg("%" G_GUINT64_FORMAT " misses; flows before:\n%safter:\n%slog:\n%s",
			     s1.n_missed - s0.n_missed, flows, after, log);
	}
	ck_assert_uint_ge(s1.n_hit - s0.n_hit, 20);

	/* The policy's flow puts and floods went out batched: at most one
	 * transaction per callback, each carrying at least one reply. */
	{
		g_autofree char *js = query("json stats");
		g_autofree char *text = query("text stats");
		uint64_t replies = json_sum(js, "replies"), trans = json_sum(js, "transactions");
		uint64_t batches = json_sum(js, "batches");

		printf("learning: stats:\n%s", text);
		ck_assert_uint_gt(trans, 0);
		ck_assert_uint_le(trans, batches);
		ck_assert_uint_ge(replies, trans);
		ck_assert_ptr_nonnull(strstr(text, " transactions, "));
	}

	ck_assert_int_eq(daemon_stop(SIGTERM), 0);
	drop_namespaces();
	kdaemon_step(&dmn, "learning: done");
}
END_TEST

/* ---- live switch under steady traffic ---------------------------------- */

struct sender {
	int fd[2];
	gint stop;
	uint64_t sent;
};

static gpointer
sender_main(gpointer data)
{
	struct sender *s = data;
	uint8_t dst[6] = { 0x02, 0xee, 0, 0, 0, 1 };
	uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0 };
	uint8_t frame[128];

	/* Every frame a new source MAC: every frame an upcall. */
	while (!g_atomic_int_get(&s->stop)) {
		uint64_t n = s->sent;

		src[2] = (uint8_t)(n >> 24);
		src[3] = (uint8_t)(n >> 16);
		src[4] = (uint8_t)(n >> 8);
		src[5] = (uint8_t)n;
		knet_send(s->fd[n & 1], frame, knet_frame(frame, sizeof frame, dst, src, (uint32_t)n, 46));
		s->sent++;
		g_usleep(1000);
	}
	return NULL;
}

/* Stop the sender, then wait until all it sent is handled or counted lost
 * by the kernel, and the handled count has settled.  Returns the upcalls
 * handled since 'handled0'; *k1 and *lost get the kernel's side. */
static uint64_t
stop_and_settle(struct sender *s, GThread *t, uint64_t handled0, const struct ovsdp_dp_stats *k0,
		struct ovsdp_dp_stats *k1, uint64_t *lost)
{
	uint64_t handled = 0, last = UINT64_MAX;

	g_atomic_int_set(&s->stop, 1);
	g_thread_join(t);
	for (int waited = 0; waited < 10000; waited += 200) {
		handled = policy_counter("upcalls") - handled0;
		*k1 = kernel_stats();
		*lost = k1->n_lost - k0->n_lost;
		if (handled + *lost >= s->sent && handled == last)
			break;
		last = handled;
		g_usleep(200000);
	}
	return handled;
}

START_TEST(live_switch_loses_nothing)
{
	const char *modes[3];
	unsigned int n_modes = 0;
	struct sender s = { .stop = 0 };
	struct ovsdp_dp_stats k0, k1;
	uint64_t handled0, handled, lost;
	g_autofree char *stats = NULL;
	GThread *t;
	int switches = 0;
	bool shown = false;

	if (features.per_cpu_dispatch == OVSDP_YES)
		modes[n_modes++] = "per-cpu";
	modes[n_modes++] = "per-vport";
	modes[n_modes++] = "legacy";
	veths(2);
	pconf_mode("legacy");
	daemon_start("[datapath]\nname = " DP "\nports = dp0;dp1\n[policy]\ntype = drop\n"
		     "[daemon]\ncontrol-socket = @SOCK@\nplugins-conf = @DIR@/plugins.conf\n");
	s.fd[0] = knet_raw_open("tx0");
	s.fd[1] = knet_raw_open("tx1");
	handled0 = policy_counter("upcalls");
	k0 = kernel_stats();

	kdaemon_step(&dmn, "live switch: daemon started");
	t = g_thread_new("sender", sender_main, &s);
	g_usleep(300000);
	for (int i = 0; i < 10; i++) {
		const char *next = modes[i % n_modes];
		g_autofree char *req = g_strdup_printf("text dispatch set %s", next);
		g_autofree char *active = NULL;

		g_free(query(req));
		active = active_dispatcher();
		ck_assert_str_eq(active, next);
		/* Leaving per-cpu must take the kernel out of per-cpu mode, or
		 * it keeps sending upcalls to the per-cpu pids (sockets of the
		 * destroyed instance) and ignores the vport pids. */
		ck_assert_msg(!!(dp_user_features() & OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU) ==
			      !strcmp(next, "per-cpu"), "after switch %d to %s: user features 0x%x",
			      i + 1, next, dp_user_features());
		if (i > 0 && !strcmp(modes[(i - 1) % n_modes], "per-cpu") && !shown) {
			int st;
			g_autofree char *show = knet_cli_run(&st, "dp show %s", DP);
			const char *uf = strstr(show, "user features: ");
			g_autofree char *line = NULL;

			ck_assert_int_eq(st, 0);
			ck_assert_msg(uf != NULL, "%s", show);
			line = g_strndup(uf, strcspn(uf, "\n"));
			printf("live switch: per-cpu -> %s: `ovsdp dp show`: %s\n", next, line);
			ck_assert_msg(!strstr(line, "per-cpu"), "%s", line);
			shown = true;
		}
		g_usleep(150000);
	}
	g_usleep(300000);
	/* Wait until every queued upcall is handled. */
	handled = stop_and_settle(&s, t, handled0, &k0, &k1, &lost);
	kdaemon_step(&dmn, "live switch: traffic done");
	stats = query("text stats");
	printf("live switch: %s\n", stats);
	{
		g_autofree char *js = query("json stats");
		const char *p = strstr(js, "\"switches\":");

		ck_assert_ptr_nonnull(p);
		switches = (int)g_ascii_strtoull(p + 11, NULL, 10);
	}
	printf("live switch: switches %d, sent %" G_GUINT64_FORMAT ", handled %" G_GUINT64_FORMAT
	       ", kernel lost %" G_GUINT64_FORMAT "\n", switches, s.sent, handled, lost);
	ck_assert_uint_eq(handled + lost, s.sent);
	/* Nothing lost anywhere (the traffic is far below any socket's
	 * capacity), so nothing lost to a switch. */
	ck_assert_uint_eq(lost, 0);
	ck_assert_uint_eq(k1.n_missed - k0.n_missed, s.sent);
	for (unsigned int i = 0; i < n_modes; i++) {
		g_autofree char *pat = g_strdup_printf("\n  %-12s ", modes[i]);

		ck_assert_msg(strstr(stats, pat), "no share for %s in:\n%s", modes[i], stats);
	}
	ck_assert_int_eq(switches, 10);
	ck_assert_ptr_nonnull(strstr(stats, ", switches 10\n"));
	close(s.fd[0]);
	close(s.fd[1]);
	ck_assert_int_eq(daemon_stop(SIGTERM), 0);
}
END_TEST

/* ---- refusals leave the running dispatcher alone ----------------------- */

/* The names of the loadable plugins, as the daemon lists them. */
static char *
found_list(void)
{
	struct ovsdp_plugins *l = NULL;
	GString *s = g_string_new(NULL);

	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &features, &l, NULL), 0);
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(l, i);

		if (ovsdp_plugin_status(p) != OVSDP_PLUGIN_REFUSED && ovsdp_plugin_name(p))
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", ovsdp_plugin_name(p));
	}
	ovsdp_plugins_free(l);
	return g_string_free(s, FALSE);
}

/* One frame through the drop policy must still be handled. */
static void
check_still_receiving(int fd, uint32_t tag)
{
	static const uint8_t dst[6] = { 0x02, 0xee, 0, 0, 0, 1 };
	uint8_t src[6] = { 0x02, 0xaa, 0, 0, 0, (uint8_t)tag };
	uint8_t frame[128];
	uint64_t before = policy_counter("upcalls");

	knet_send(fd, frame, knet_frame(frame, sizeof frame, dst, src, tag, 46));
	for (int waited = 0; waited < 5000; waited += 50) {
		if (policy_counter("upcalls") > before)
			return;
		g_usleep(50000);
	}
	ck_abort_msg("the daemon stopped receiving upcalls");
}

/* Host A (on fd0) sends to B (on fd1), then B answers: tags 1 and 2, each
 * delivered.  A's frame is flooded, and A is learned before B answers
 * (handlers run in parallel). */
static void
exchange(int fd0, const uint8_t a[6], int fd1, const uint8_t b[6])
{
	uint8_t frame[128];

	knet_send(fd0, frame, knet_frame(frame, sizeof frame, b, a, 1, 46));
	ck_assert_int_ge(knet_recv_tag(fd1, 1, frame, sizeof frame, 5000), 0);
	knet_send(fd1, frame, knet_frame(frame, sizeof frame, a, b, 2, 46));
	ck_assert_int_ge(knet_recv_tag(fd0, 2, frame, sizeof frame, 5000), 0);
}

/* The daemon's active dispatcher is 'want', and it still receives. */
static void
check_still_active(const char *want, int fd, uint32_t tag)
{
	g_autofree char *active = active_dispatcher();

	ck_assert_str_eq(active, want);
	check_still_receiving(fd, tag);
}

START_TEST(refusals_keep_dispatcher)
{
	g_autofree char *found = found_list();
	g_autofree char *pconf = NULL, *want = NULL, *active = NULL;
	g_autoptr(GError) cerr = NULL;
	struct ovsdp_config *bad = NULL;
	unsigned int n_refused;
	struct ctl c;
	int fd;

	veths(1);
	pconf = g_build_filename(dmn.dir, "plugins.conf", NULL);
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = per-vport\n", -1, NULL));
	daemon_start("[datapath]\nname = " DP "\nports = dp0\n[policy]\ntype = drop\n"
		     "[daemon]\ncontrol-socket = @SOCK@\nplugins-conf = @DIR@/plugins.conf\n");
	fd = knet_raw_open("tx0");
	active = active_dispatcher();
	ck_assert_str_eq(active, "per-vport");

	/* An unknown dispatcher. */
	c = ctl("dispatch set nonexistent");
	want = g_strdup_printf("ovsdp: dispatch set nonexistent: no dispatcher called 'nonexistent' "
			       "(found: %s); per-vport stays active\n", found);
	ck_assert_int_eq(c.status, 1);
	ck_assert_str_eq(c.err, want);
	ck_assert_str_eq(c.out, "");
	ctl_clear(&c);
	check_still_active("per-vport", fd, 1);

	/* The same in JSON: the error object on stdout, exit 1. */
	c = ctl("--json dispatch set nonexistent");
	ck_assert_int_eq(c.status, 1);
	ck_assert_ptr_nonnull(strstr(c.out, "{\"error\":\"dispatch set nonexistent: no dispatcher"));
	ctl_clear(&c);

	/* A dispatcher this kernel cannot run. */
	if (features.per_cpu_dispatch == OVSDP_NO) {
		struct ovsdp_plugins *l = NULL;
		g_autofree char *want2 = NULL;

		ck_assert_int_eq(ovsdp_plugins_discover(NULL, &features, &l, NULL), 0);
		want2 = g_strdup_printf("ovsdp: dispatch set per-cpu: dispatcher per-cpu cannot run "
					"here: %s; per-vport stays active\n",
					ovsdp_plugin_reason(ovsdp_plugins_find(l, "per-cpu")));
		ovsdp_plugins_free(l);
		c = ctl("dispatch set per-cpu");
		ck_assert_int_eq(c.status, 1);
		ck_assert_str_eq(c.err, want2);
		ctl_clear(&c);
	}

	/* A plugins.conf with an error: reload refuses, with file:line. */
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = legacy\nbogus = 1\n", -1, NULL));
	ck_assert_int_lt(ovsdp_config_load(pconf, &bad, &cerr), 0);
	g_free(want);
	want = g_strdup_printf("ovsdp: reload refused, per-vport stays active: %s\n",
			       cerr->message);
	ck_assert_ptr_nonnull(strstr(want, ":3: "));
	c = ctl("reload");
	ck_assert_int_eq(c.status, 1);
	ck_assert_str_eq(c.err, want);
	ctl_clear(&c);
	/* SIGHUP too: logged once more, still running, still per-vport. */
	n_refused = log_count(want + strlen("ovsdp: "));
	kill(dmn.pid, SIGHUP);
	ck_assert_msg(KTEST_WAIT(10000, log_count(want + strlen("ovsdp: ")) > n_refused),
		      "SIGHUP: no new '%s' in the log", want + strlen("ovsdp: "));
	check_still_active("per-vport", fd, 2);

	/* Fixed: the reload switches live to the file's new choice (once
	 * SIGHUP's job is over: a reload meanwhile would be refused "busy"). */
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = legacy\n", -1, NULL));
	wait_idle();
	c = ctl("reload");
	ck_assert_msg(c.status == 0, "ovsdp ctl reload: exit %d: %s%s", c.status, c.out, c.err);
	ck_assert_msg(g_str_has_prefix(c.out, "switched from per-vport to legacy in "), "%s", c.out);
	ctl_clear(&c);
	check_still_active("legacy", fd, 3);

	/* Bad requests are refused with a reason, and usage errors never
	 * reach the daemon. */
	c = ctl("handlers set 0");
	ck_assert_int_eq(c.status, 1);
	ck_assert_str_eq(c.err, "ovsdp: handlers set: '0' is not a count from 1 to 1024\n");
	ctl_clear(&c);
	c = ctl("dispatch frobnicate");
	ck_assert_int_eq(c.status, 2);
	ctl_clear(&c);
	c = ctl("handlers set 3");
	ck_assert_int_eq(c.status, 0);
	ck_assert_str_eq(c.out, "legacy now runs 3 handler threads\n");
	ctl_clear(&c);
	close(fd);
	ck_assert_int_eq(daemon_stop(SIGTERM), 0);
}
END_TEST

/* ---- start under traffic ------------------------------------------------ */

/* Ports already on the datapath, frames already arriving: every miss is
 * either counted lost by the kernel (no socket yet) or handled, none
 * vanishes between the kernel being pointed at a socket and the handler
 * threads reading it. */
START_TEST(start_under_traffic)
{
	struct sender s = { .stop = 0 };
	struct ovsdp_dp *dp = NULL;
	struct ovsdp_vport_spec spec = { .type = OVSDP_VPORT_TYPE_NETDEV };
	struct ovsdp_dp_stats k0, k1;
	uint64_t handled = 0, lost = 0;
	g_autofree char *active = NULL;
	GThread *t;

	veths(2);
	ck_assert_int_eq(ovsdp_dp_create(DP, 0, OVSDP_DP_F_DEFAULT, &dp, NULL), 0);
	spec.name = "dp0";
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, NULL), 0);
	spec.name = "dp1";
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, NULL, NULL), 0);
	ovsdp_dp_close(dp);
	s.fd[0] = knet_raw_open("tx0");
	s.fd[1] = knet_raw_open("tx1");
	k0 = kernel_stats();
	t = g_thread_new("sender", sender_main, &s);
	g_usleep(200000);
	daemon_start("[datapath]\nname = " DP "\ncreate = no\nports = dp0;dp1\n"
		     "[policy]\ntype = drop\n[daemon]\ncontrol-socket = @SOCK@\n");
	active = active_dispatcher();
	g_usleep(300000);
	handled = stop_and_settle(&s, t, 0, &k0, &k1, &lost);
	printf("start under traffic (%s): sent %" G_GUINT64_FORMAT ", handled %" G_GUINT64_FORMAT
	       ", kernel lost %" G_GUINT64_FORMAT " (before any socket existed)\n", active, s.sent,
	       handled, lost);
	ck_assert_uint_gt(handled, 0);
	ck_assert_uint_gt(lost, 0);
	ck_assert_uint_eq(k1.n_missed - k0.n_missed, s.sent);
	ck_assert_uint_eq(handled + lost, s.sent);
	close(s.fd[0]);
	close(s.fd[1]);
	ck_assert_int_eq(daemon_stop(SIGTERM), 0);
}
END_TEST

/* Frames already arriving on the interfaces when ovsdpd creates the
 * datapath and its ports: the dispatcher runs before any port exists and
 * each port is created pointing at one of its sockets, so every miss the
 * kernel counts is handled and none is lost. */
START_TEST(start_creates_ports_under_traffic)
{
	struct sender s = { .stop = 0 };
	struct ovsdp_dp_stats k1;
	uint64_t handled = 0;
	g_autofree char *active = NULL;
	GThread *t;

	veths(2);
	s.fd[0] = knet_raw_open("tx0");
	s.fd[1] = knet_raw_open("tx1");
	t = g_thread_new("sender", sender_main, &s);
	daemon_start("[datapath]\nname = " DP "\ncreate = yes\nports = dp0;dp1\n"
		     "[policy]\ntype = drop\n[daemon]\ncontrol-socket = @SOCK@\n");
	active = active_dispatcher();
	/* Traffic into the ports for a while: at least 100 misses. */
	for (int waited = 0; waited < 10000; waited += 20) {
		k1 = kernel_stats();
		if (k1.n_missed >= 100)
			break;
		g_usleep(20000);
	}
	g_atomic_int_set(&s.stop, 1);
	g_thread_join(t);
	for (int waited = 0; waited < 10000; waited += 50) {
		k1 = kernel_stats();
		handled = policy_counter("upcalls");
		if (handled + k1.n_lost >= k1.n_missed)
			break;
		g_usleep(50000);
	}
	printf("ports created under traffic (%s): sent %" G_GUINT64_FORMAT ", kernel missed %"
	       G_GUINT64_FORMAT ", handled %" G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT "\n",
	       active, s.sent, k1.n_missed, handled, k1.n_lost);
	ck_assert_uint_ge(k1.n_missed, 100);
	ck_assert_uint_eq(k1.n_lost, 0);
	ck_assert_uint_eq(handled, k1.n_missed);
	close(s.fd[0]);
	close(s.fd[1]);
	ck_assert_int_eq(daemon_stop(SIGTERM), 0);
}
END_TEST

/* ---- reload applies the running dispatcher's changed options ------------ */

START_TEST(reload_applies_options)
{
	const char *on = features.epoll_exclusive ? "on" : "auto";
	g_autofree char *pconf = NULL, *desc = NULL, *want = NULL, *log = NULL, *js = NULL;
	struct sender s = { .stop = 0 };
	struct ovsdp_dp_stats k0, k1;
	uint64_t handled0, handled = 0, lost = 0;
	GThread *t;
	struct ctl c;

	veths(2);
	pconf = g_build_filename(dmn.dir, "plugins.conf", NULL);
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = per-vport\n"
				      "[plugin:per-vport]\nepoll-exclusive = off\n", -1, NULL));
	daemon_start("[datapath]\nname = " DP "\nports = dp0;dp1\n[policy]\ntype = drop\n"
		     "[daemon]\ncontrol-socket = @SOCK@\nplugins-conf = @DIR@/plugins.conf\n");
	desc = dispatcher_description();
	ck_assert_msg(strstr(desc, "every one of") && strstr(desc, "(epoll-exclusive = off)"),
		      "%s", desc);
	s.fd[0] = knet_raw_open("tx0");
	s.fd[1] = knet_raw_open("tx1");
	handled0 = policy_counter("upcalls");
	k0 = kernel_stats();
	t = g_thread_new("sender", sender_main, &s);
	g_usleep(300000);

	/* off -> on through `ovsdp ctl reload`: a fresh per-vport instance
	 * replaces the running one, under traffic. */
	ck_assert(g_file_set_contents(pconf, features.epoll_exclusive ?
				      "[dispatch]\nmode = per-vport\n[plugin:per-vport]\n"
				      "epoll-exclusive = on\n" :
				      "[dispatch]\nmode = per-vport\n[plugin:per-vport]\n"
				      "epoll-exclusive = auto\n", -1, NULL));
	c = ctl("reload");
	want = g_strdup_printf("%s reloaded: per-vport restarted live with new options "
			       "(epoll-exclusive: off -> %s) in ", pconf, on);
	ck_assert_int_eq(c.status, 0);
	ck_assert_msg(g_str_has_prefix(c.out, want), "%s", c.out);
	ctl_clear(&c);
	g_free(desc);
	desc = dispatcher_description();
	printf("reload: after off -> %s: %s\n", on, desc);
	if (features.epoll_exclusive)
		ck_assert_msg(strstr(desc, "EPOLLEXCLUSIVE"), "%s", desc);
	ck_assert_msg(!strstr(desc, "epoll-exclusive = off"), "%s", desc);
	g_usleep(200000);

	/* Back to off on SIGHUP: the same, logged. */
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = per-vport\n"
				      "[plugin:per-vport]\nepoll-exclusive = off\n", -1, NULL));
	kill(dmn.pid, SIGHUP);
	g_free(desc);
	for (int waited = 0;; waited += 100) {
		desc = dispatcher_description();
		if (strstr(desc, "(epoll-exclusive = off)") || waited > 5000)
			break;
		g_free(desc);
		g_usleep(100000);
	}
	ck_assert_msg(strstr(desc, "(epoll-exclusive = off)"), "%s", desc);
	log = kdaemon_log(&dmn);
	g_free(want);
	want = g_strdup_printf("per-vport restarted live with new options (epoll-exclusive: %s -> off)",
			       on);
	ck_assert_msg(strstr(log, want), "no '%s' in:\n%s", want, log);
	g_usleep(200000);
	/* Nothing lost to either restart. */
	handled = stop_and_settle(&s, t, handled0, &k0, &k1, &lost);
	printf("reload: sent %" G_GUINT64_FORMAT ", handled %" G_GUINT64_FORMAT ", kernel lost %"
	       G_GUINT64_FORMAT "\n", s.sent, handled, lost);
	ck_assert_uint_eq(handled + lost, s.sent);
	ck_assert_uint_eq(lost, 0);
	js = query("json stats");
	ck_assert_uint_eq(json_sum(js, "switches"), 2);

	/* Unchanged: nothing restarts, and the reply says so. */
	wait_idle();
	c = ctl("reload");
	g_free(want);
	want = g_strdup_printf("%s reloaded: per-vport stays active, its options unchanged (", pconf);
	ck_assert_msg(c.status == 0, "ovsdp ctl reload: exit %d: %s%s", c.status, c.out, c.err);
	ck_assert_msg(g_str_has_prefix(c.out, want), "%s", c.out);
	ctl_clear(&c);
	g_free(js);
	js = query("json stats");
	ck_assert_uint_eq(json_sum(js, "switches"), 2);
	close(s.fd[0]);
	close(s.fd[1]);
	ck_assert_int_eq(daemon_stop(SIGTERM), 0);
}
END_TEST

/* ---- the control socket and a clean stop -------------------------------- */

/* Run 'cmd' as uid 65534; its exit status, stderr in *err. */
static int
run_as_nobody(const char *cmd, char **err)
{
	int pipefd[2], status;
	pid_t pid;
	GString *s = g_string_new(NULL);
	char buf[256];
	ssize_t n;

	ck_assert_int_eq(pipe(pipefd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], 2);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(99);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(98);
	}
	close(pipefd[1]);
	while ((n = read(pipefd[0], buf, sizeof buf)) > 0)
		g_string_append_len(s, buf, n);
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	*err = g_string_free(s, FALSE);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(control_socket_and_clean_stop)
{
	static const uint8_t a[6] = { 0x02, 0xaa, 0, 0, 0, 1 }, b[6] = { 0x02, 0xbb, 0, 0, 0, 2 };
	g_autofree char *reply = NULL, *flows = NULL, *err = NULL, *cmd = NULL, *dir = NULL;
	g_autofree char *longreq = NULL;
	struct ovsdp_dp *dp = NULL;
	struct ovsdp_vport_info *ports = NULL;
	struct ovsdp_flow_dump *dump = NULL;
	const struct ovsdp_flow *f;
	uint8_t frame[128];
	struct stat st;
	int fd0, fd1, n, fd, r;

	veths(2);
	pconf_mode("per-vport");
	daemon_start("[datapath]\nname = " DP "\nports = dp0;dp1\ndelete-on-exit = no\n"
		     "[policy]\ntype = learning\n"
		     "[daemon]\ncontrol-socket = @SOCK@\nplugins-conf = @DIR@/plugins.conf\n");
	/* The socket: 0600, in a directory made 0755. */
	ck_assert_int_eq(stat(dmn.sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	dir = g_path_get_dirname(dmn.sock);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0755);

	/* Other users cannot connect (file mode), and when they can reach
	 * the socket anyway the daemon refuses them (SO_PEERCRED). */
	cmd = g_strdup_printf("%s ctl --socket %s status", knet_cli_for_nobody(), dmn.sock);
	r = run_as_nobody(cmd, &err);
	ck_assert_int_eq(r, 3);
	ck_assert_ptr_nonnull(strstr(err, "permission denied"));
	g_free(err);
	ck_assert_int_eq(chmod(dmn.sock, 0666), 0);
	ck_assert_int_eq(chmod(dmn.dir, 0755), 0);
	r = run_as_nobody(cmd, &err);
	ck_assert_msg(r == 1, "exit %d: %s", r, err);
	ck_assert_str_eq(err, "ovsdp: permission denied: uid 65534 may not control ovsdpd (only "
			 "root or uid 0)\n");
	ck_assert_int_eq(chmod(dmn.sock, 0600), 0);

	/* Clients that misbehave cost only their own connection. */
	fd = kdaemon_connect(&dmn, 0);
	ck_assert_int_ge(fd, 0);
	close(fd);                                      /* silent */
	fd = kdaemon_connect(&dmn, 0);
	ck_assert_int_eq(send(fd, "text sta", 8, 0), 8);
	close(fd);                                      /* half a request */
	fd = kdaemon_connect(&dmn, 0);
	ck_assert_int_eq(send(fd, "text flows\n", 11, 0), 11);
	close(fd);                                      /* gone before the reply */
	reply = raw_request("text bogus\n", 11);
	ck_assert_str_eq(reply, "error\nbad request: unknown command 'bogus'\n");
	g_free(reply);
	reply = raw_request("xml status\n", 11);
	ck_assert_str_eq(reply, "error\nbad request: unknown reply format 'xml' (expected text or "
			 "json)\n");
	g_free(reply);
	longreq = g_strnfill(2000, 'x');
	reply = raw_request(longreq, 2000);
	ck_assert_str_eq(reply, "error\nbad request: longer than 1024 bytes\n");
	g_free(reply);
	reply = raw_request("text status\n", 12);
	ck_assert(g_str_has_prefix(reply, "ok\ndatapath: " DP " "));

	/* Two hosts talk: the learning policy installs two flows. */
	fd0 = knet_raw_open("tx0");
	fd1 = knet_raw_open("tx1");
	exchange(fd0, a, fd1, b);
	knet_send(fd0, frame, knet_frame(frame, sizeof frame, b, a, 3, 46));
	ck_assert_int_ge(knet_recv_tag(fd1, 3, frame, sizeof frame, 5000), 0);
	for (int waited = 0; waited < 5000; waited += 100) {
		g_free(flows);
		flows = query("text flows");
		if (count_lines(flows) >= 2)
			break;
		g_usleep(100000);
	}
	if (count_lines(flows) != 2) {
		g_autofree char *status = query("text status");
		g_autofree char *log = kdaemon_log(&dmn);

		struct ovsdp_dp_stats ks = kernel_stats();

		ck_abort_msg("%u flows, want 2 (kernel missed %" G_GUINT64_FORMAT ", lost %"
			     G_GUINT64_FORMAT "):\n%s%s%s", count_lines(flows), ks.n_missed,
			     ks.n_lost, flows, status, log);
	}
	/* A flow that is not the daemon's must survive its stop. */
	{
		static const uint8_t c1[6] = { 0x02, 0xcc, 0, 0, 0, 1 }, c2[6] = { 0x02, 0xcc, 0, 0, 0, 2 };
		struct ovsdp_buf key = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
		struct ovsdp_flow_put put = { .flags = OVSDP_FLOW_PUT_CREATE };

		ck_assert_int_eq(ovsdp_dp_open(DP, &dp, NULL), 0);
		knet_key(&key, 1, c1, c2);
		ovsdp_buf_put_u32(&acts, 1 /* OVS_ACTION_ATTR_OUTPUT */, 2);
		put.key = key.data;
		put.key_len = key.len;
		put.actions = acts.data;
		put.actions_len = acts.len;
		ck_assert_int_eq(ovsdp_flow_put(dp, &put, NULL, NULL), 0);
		ovsdp_buf_clear(&key);
		ovsdp_buf_clear(&acts);
		ovsdp_dp_close(dp);
		dp = NULL;
	}

	ck_assert_int_eq(daemon_stop(SIGTERM), 0);
	ck_assert_int_ne(access(dmn.sock, F_OK), 0);
	/* The datapath stays (delete-on-exit = no) with no upcall pids and
	 * only the foreign flow. */
	ck_assert_int_eq(ovsdp_dp_open(DP, &dp, NULL), 0);
	n = ovsdp_vport_list(dp, &ports, NULL);
	ck_assert_int_eq(n, 3);
	for (int i = 0; i < n; i++) {
		uint32_t pids[64];
		int np = ovsdp_vport_get_upcall_pids(dp, ports[i].port_no, pids, 64, NULL);

		for (int k = 0; k < np && k < 64; k++)
			ck_assert_msg(pids[k] == 0, "port %s still has upcall pid %u", ports[i].name,
				      pids[k]);
	}
	g_free(ports);
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &dump, NULL), 0);
	n = 0;
	while (ovsdp_flow_dump_next(dump, &f, NULL) == 1) {
		ck_assert(!f->has_ufid || f->ufid.u32[0] != 0x6f767364u);
		n++;
	}
	ovsdp_flow_dump_free(dump);
	ck_assert_int_eq(n, 1);
	ovsdp_dp_del(dp, NULL);
	ovsdp_dp_close(dp);
	close(fd0);
	close(fd1);
}
END_TEST

/* ---- things deleted behind the daemon's back ---------------------------- */

/* Delete port 'name', or the datapath when NULL, as another tool would. */
static void
delete_behind_its_back(const char *name)
{
	struct ovsdp_dp *dp = NULL;
	g_autoptr(GError) err = NULL;

	ck_assert_int_eq(ovsdp_dp_open(DP, &dp, NULL), 0);
	if (name)
		ck_assert_msg(ovsdp_vport_del_by_name(dp, name, &err) == 0, "%s", err->message);
	else
		ck_assert_msg(ovsdp_dp_del(dp, &err) == 0, "%s", err->message);
	ovsdp_dp_close(dp);
}

/* The datapath's ports as "N:name N:name ..." in port order. */
static char *
kernel_port_set(void)
{
	struct ovsdp_dp *dp = NULL;
	struct ovsdp_vport_info *ports = NULL;
	GString *set = g_string_new(NULL);
	int n;

	ck_assert_int_eq(ovsdp_dp_open(DP, &dp, NULL), 0);
	n = ovsdp_vport_list(dp, &ports, NULL);
	ovsdp_dp_close(dp);
	ck_assert_int_ge(n, 1);
	for (uint32_t no = 0, left = (uint32_t)n; left; no++) {
		for (int i = 0; i < n; i++) {
			if (ports[i].port_no == no) {
				g_string_append_printf(set, "%s%u:%s", set->len ? " " : "", no,
						       ports[i].name);
				left--;
			}
		}
	}
	g_free(ports);
	return g_string_free(set, FALSE);
}

/* The ports ovsdpd's policy knows, from `status --json` ("policy_ports",
 * in port order), as kernel_port_set() writes them. */
static char *
policy_port_set(const char *status)
{
	GString *set = g_string_new(NULL);
	const char *p = strstr(status, "\"policy_ports\":[");
	unsigned int no;
	char name[IFNAMSIZ];
	int len;

	ck_assert_msg(p != NULL, "no policy_ports in %s", status);
	p += strlen("\"policy_ports\":[");
	while (sscanf(p, "{\"port_no\":%u,\"name\":\"%15[^\"]\"}%n", &no, name, &len) == 2) {
		g_string_append_printf(set, "%s%u:%s", set->len ? " " : "", no, name);
		p += len;
		if (*p == ',')
			p++;
	}
	ck_assert_msg(*p == ']', "policy_ports unreadable at %.40s", p);
	return g_string_free(set, FALSE);
}

/* A number at the top of `status --json` ("recoveries", "port_resyncs"). */
static uint64_t
status_number(const char *status, const char *key)
{
	g_autofree char *pat = g_strdup_printf("\"%s\":", key);
	const char *p = strstr(status, pat);

	ck_assert_msg(p != NULL, "no %s in %s", key, status);
	return g_ascii_strtoull(p + strlen(pat), NULL, 10);
}

/* Wait (10 s at most) until the policy knows exactly the datapath's ports
 * and the daemon has re-read them more than 'resyncs' times; the status
 * seen last. */
static char *
wait_policy_ports(uint64_t resyncs)
{
	gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	char *status = NULL;

	for (;;) {
		g_autofree char *want = kernel_port_set();
		g_autofree char *have = NULL;

		g_free(status);
		status = query("json status");
		have = policy_port_set(status);
		if (!strcmp(want, have) && status_number(status, "port_resyncs") > resyncs)
			return status;
		if (g_get_monotonic_time() >= end) {
			g_autofree char *log = kdaemon_log(&dmn);

			ck_abort_msg("after 10 s the policy knows\n  %s\nthe datapath has\n  %s\n"
				     "port_resyncs %" G_GUINT64_FORMAT " (wanted > %" G_GUINT64_FORMAT
				     ")\n%s", have, want, status_number(status, "port_resyncs"),
				     resyncs, log);
		}
		g_usleep(50000);
	}
}

/* Add internal port 'name' (as port 'port_no', 0: the kernel's choice);
 * its number. */
static uint32_t
add_internal(struct ovsdp_dp *dp, const char *name, uint32_t port_no)
{
	struct ovsdp_vport_spec spec = {
		.name = name, .type = OVSDP_VPORT_TYPE_INTERNAL, .port_no = port_no,
	};
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ck_assert_msg(ovsdp_vport_add(dp, &spec, &info, &err) == 0, "%s", err->message);
	return info.port_no;
}

/* Ports come and go while ovsdpd reads no notification: it is stopped
 * (SIGSTOP), and its monitor's receive buffer was shrunk to the kernel's
 * minimum at start (OVSDP_TEST_MONITOR_RCVBUF), so the notifications
 * overrun it.  Once it runs again it must see the overrun, re-read the
 * ports and tell the policy: the ports deleted meanwhile are forgotten
 * (the learning policy logs each), a port deleted and made again under
 * the same number with another name is renamed, the new ones are known,
 * and the untouched ones (dp0 and the MAC learned on it) stay. */
static void
ports_change_while_stopped(void)
{
	enum { N = 16, NEW = 8 };
	struct ovsdp_dp *dp = NULL;
	uint32_t rs[N];
	unsigned int gone0[N], gone0_total;
	g_autofree char *status = NULL, *macs = NULL, *set = NULL, *text = NULL;
	g_autofree char *metrics = NULL, *rename_pat = NULL;
	const char *p;
	uint64_t resyncs;
	int wstatus;
	char name[IFNAMSIZ];
	gint64 t0 = g_get_monotonic_time();

	ck_assert_int_eq(ovsdp_dp_open(DP, &dp, NULL), 0);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "rs%u", i);
		rs[i] = add_internal(dp, name, 0);
	}
	/* Running, it follows the notifications (or re-reads the ports when
	 * even these overran its buffer). */
	for (gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;;) {
		g_autofree char *want = kernel_port_set();
		g_autofree char *have = NULL;

		g_free(status);
		status = query("json status");
		have = policy_port_set(status);
		if (!strcmp(want, have))
			break;
		ck_assert_msg(g_get_monotonic_time() < end, "the policy knows %s, the datapath "
			      "has %s", have, want);
		g_usleep(50000);
	}
	resyncs = status_number(status, "port_resyncs");
	gone0_total = log_count("learning: port ");
	for (unsigned int i = 0; i < N; i++) {
		g_autofree char *pat = g_strdup_printf("learning: port %u is gone", rs[i]);

		gone0[i] = log_count(pat);
	}

	/* Stopped for sure (waitpid sees the whole process stop) before
	 * anything changes. */
	ck_assert_int_eq(kill(dmn.pid, SIGSTOP), 0);
	ck_assert_int_eq(waitpid(dmn.pid, &wstatus, WUNTRACED), dmn.pid);
	ck_assert(WIFSTOPPED(wstatus));
	for (unsigned int i = 0; i < NEW; i++) {
		snprintf(name, sizeof name, "rt%u", i);
		add_internal(dp, name, 0);
	}
	for (unsigned int i = 0; i < N; i += 2)
		ck_assert_int_eq(ovsdp_vport_del(dp, rs[i], NULL), 0);
	ck_assert_int_eq(ovsdp_vport_del(dp, rs[1], NULL), 0);
	ck_assert_uint_eq(add_internal(dp, "rn1", rs[1]), rs[1]);
	ck_assert_int_eq(kill(dmn.pid, SIGCONT), 0);
	ck_assert_int_eq(waitpid(dmn.pid, &wstatus, WCONTINUED), dmn.pid);
	ovsdp_dp_close(dp);

	g_free(status);
	status = wait_policy_ports(resyncs);
	set = kernel_port_set();
	printf("%.1f s after the first of %u ports was added: resyncs %" G_GUINT64_FORMAT
	       " before the stop, %" G_GUINT64_FORMAT " now; policy ports %s\n",
	       (double)(g_get_monotonic_time() - t0) / 1e6, N, resyncs,
	       status_number(status, "port_resyncs"), set);
	{
		g_autofree char *log = kdaemon_log(&dmn);
		g_auto(GStrv) lines = g_strsplit(log, "\n", -1);

		for (char **l = lines; *l; l++) {
			if (strstr(*l, "port monitor overran") || strstr(*l, "unnoticed") ||
			    strstr(*l, " no longer "))
				printf("  %s\n", *l);
		}
	}
	/* What the equal sets mean, spelt out ("N:name" between spaces). */
	text = g_strdup_printf(" %s ", set);
	for (unsigned int i = 0; i < N; i += 2) {
		g_autofree char *pat = g_strdup_printf(" %u:", rs[i]);
		g_autofree char *gone = g_strdup_printf("learning: port %u is gone", rs[i]);

		ck_assert_msg(strstr(text, pat) == NULL, "port %u (rs%u) is still known:%s", rs[i],
			      i, text);
		ck_assert_uint_eq(log_count(gone), gone0[i] + 1);
	}
	rename_pat = g_strdup_printf(" %u:rn1 ", rs[1]);
	ck_assert_msg(strstr(text, rename_pat) != NULL, "no%sin%s", rename_pat, text);
	{
		g_autofree char *gone = g_strdup_printf("learning: port %u is gone", rs[1]);

		ck_assert_uint_eq(log_count(gone), gone0[1] + 1);
	}
	for (unsigned int i = 0; i < NEW; i++) {
		g_autofree char *pat = g_strdup_printf(":rt%u ", i);

		ck_assert_msg(strstr(text, pat) != NULL, "rt%u unknown:%s", i, text);
	}
	for (unsigned int i = 3; i < N; i += 2) {
		g_autofree char *pat = g_strdup_printf(" %u:rs%u ", rs[i], i);

		ck_assert_msg(strstr(text, pat) != NULL, "no%sin%s", pat, text);
	}
	ck_assert_ptr_nonnull(strstr(text, ":dp0 "));
	/* Each port that went was forgotten once: N / 2 deleted, one renamed. */
	ck_assert_uint_eq(log_count("learning: port "), gone0_total + N / 2 + 1);
	macs = query("text macs");
	ck_assert_msg(strstr(macs, "02:aa:00:00:00:01") != NULL, "%s", macs);
	/* The user sees it in `ovsdp ctl status` and in the metrics (the
	 * count may have risen since: the runtime's own monitor re-reads the
	 * ports too, and what its dispatcher sets on them is notified). */
	{
		struct ctl c = ctl("status");
		const char *line = "\nports re-read after a monitor overrun: ";

		ck_assert_msg(c.status == 0, "%s", c.err);
		p = strstr(c.out, line);
		ck_assert_msg(p != NULL, "no '%s' in\n%s", line + 1, c.out);
		ck_assert_uint_ge(g_ascii_strtoull(p + strlen(line), NULL, 10),
				  status_number(status, "port_resyncs"));
		ck_assert_msg(strstr(c.out, "[not known to the policy") == NULL &&
			      strstr(c.out, "[gone; the policy") == NULL, "%s", c.out);
		ctl_clear(&c);
	}
	metrics = query("text metrics");
	p = strstr(metrics, "\novsdp_port_resyncs_total{datapath=\"" DP "\"} ");
	ck_assert_msg(p != NULL, "%s", metrics);
	ck_assert_uint_ge(g_ascii_strtoull(strchr(p, '}') + 2, NULL, 10),
			  status_number(status, "port_resyncs"));
}

START_TEST(deleted_behind_its_back)
{
	static const uint8_t a[6] = { 0x02, 0xaa, 0, 0, 0, 1 }, b[6] = { 0x02, 0xbb, 0, 0, 0, 2 };
	g_autofree char *macs = NULL, *status = NULL, *log = NULL;
	uint8_t frame[128];
	int fd0, fd1, r;

	veths(2);
	/* The port monitor's buffer at the kernel's minimum: it overruns as
	 * soon as a few notifications wait (ports_change_while_stopped). */
	ck_assert(g_setenv("OVSDP_TEST_MONITOR_RCVBUF", "1", TRUE));
	daemon_start("[datapath]\nname = " DP "\nports = dp0;dp1\ncreate = yes\n"
		     "[policy]\ntype = learning\n[daemon]\ncontrol-socket = @SOCK@\n");
	g_unsetenv("OVSDP_TEST_MONITOR_RCVBUF");
	fd0 = knet_raw_open("tx0");
	fd1 = knet_raw_open("tx1");
	exchange(fd0, a, fd1, b);
	macs = query("text macs");
	ck_assert_uint_eq(count_lines(macs), 3);

	/* A port goes: its MAC is forgotten. */
	delete_behind_its_back("dp1");
	for (int waited = 0; waited < 5000; waited += 100) {
		g_free(macs);
		macs = query("text macs");
		if (count_lines(macs) == 2)
			break;
		g_usleep(100000);
	}
	ck_assert_uint_eq(count_lines(macs), 2);
	ck_assert_ptr_nonnull(strstr(macs, "02:aa:00:00:00:01"));
	ck_assert_ptr_null(strstr(macs, "02:bb:00:00:00:02"));

	/* Ports change while the daemon misses the notifications. */
	ports_change_while_stopped();

	/* The datapath goes: recreated with its ports, traffic flows again. */
	delete_behind_its_back(NULL);
	for (int waited = 0; waited < 10000; waited += 200) {
		g_free(status);
		status = query("text status");
		if (strstr(status, "datapath recreated: 1 times"))
			break;
		g_usleep(200000);
	}
	ck_assert_msg(strstr(status, "datapath recreated: 1 times") != NULL, "%s", status);
	ck_assert_ptr_nonnull(strstr(status, ": dp0 (netdev)"));
	ck_assert_ptr_nonnull(strstr(status, ": dp1 (netdev)"));
	/* The new policy knows the new datapath's ports, none of the old. */
	{
		g_autofree char *js = query("json status");
		g_autofree char *have = policy_port_set(js);
		g_autofree char *want = kernel_port_set();

		ck_assert_str_eq(have, want);
	}
	knet_send(fd0, frame, knet_frame(frame, sizeof frame, b, a, 3, 46));
	ck_assert_int_ge(knet_recv_tag(fd1, 3, frame, sizeof frame, 5000), 0);
	log = kdaemon_log(&dmn);
	ck_assert_ptr_nonnull(strstr(log, "datapath " DP " was deleted behind ovsdpd's back"));
	ck_assert_int_eq(daemon_stop(SIGTERM), 0);

	/* With create = no, it stops with a clear message instead. */
	daemon_start("[datapath]\nname = " DP "\nports = dp0\ncreate = no\n"
		     "[policy]\ntype = drop\n[daemon]\ncontrol-socket = @SOCK@\n");
	delete_behind_its_back(NULL);
	r = daemon_wait_exit(10000);
	g_free(log);
	log = kdaemon_log(&dmn);
	ck_assert_msg(r == 1, "exit %d:\n%s", r, log);
	ck_assert_ptr_nonnull(strstr(log, "datapath " DP " is gone and "));
	ck_assert_ptr_nonnull(strstr(log, " says create = no: exiting"));
	close(fd0);
	close(fd1);
}
END_TEST

/* ---- configuration errors ------------------------------------------------ */

START_TEST(config_errors_name_the_line)
{
	static const struct {
		const char *text;
		const char *want;       /* after "ovsdpd: FILE:" */
	} cases[] = {
		{ "[datapath]\nname = x\n[bogus]\n", "3: unknown section [bogus] (known: [datapath], "
		  "[policy], [daemon])" },
		{ "[datapath]\nname = x\nport = a\n", "3: [datapath] unknown key 'port' (known: name, "
		  "create, delete-on-exit, ports, internal-ports)" },
		{ "[policy]\ntype = learning\nidle-timeout = 0\n", "3: [policy] idle-timeout = 0: "
		  "expected a number from 1 to 3600" },
		{ "[policy]\ntype = slowpath\n", "1: [policy] the slowpath policy needs 'output' (the "
		  "port every packet goes to)" },
		{ "[policy]\ntype = drop\noutput = eth0\n", "3: [policy] output is an option of the "
		  "slowpath policy, not of drop" },
		{ "[datapath]\ncreate = maybe\n", "2: [datapath] create = maybe: expected a boolean "
		  "(yes/no, true/false, on/off, 1/0)" },
		{ "[datapath]\nports = a;b;a\n", "2: [datapath] ports: 'a' is listed twice" },
		{ "[daemon]\ncontrol-socket = /a\ncontrol-socket = /b\n", "3: [daemon] control-socket "
		  "is set twice (first at line 2)" },
		{ "; a comment\n[daemon]\ndispatch = legacy\n", "3: [daemon] dispatch is not read "
		  "here any more: set [dispatch] mode in plugins.conf (the file [daemon] plugins-conf "
		  "names), or 'ovsdp ctl dispatch set' at run time" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *exe = g_strdup_printf("%s/tools/daemon/ovsdpd", build_root());
		g_autofree char *err = NULL, *want = NULL;
		const char *argv[] = { exe, "--config", dmn.conf, NULL };
		int status;

		ck_assert(g_file_set_contents(dmn.conf, cases[i].text, -1, NULL));
		ck_assert(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
				       NULL, NULL, &err, &status, NULL));
		want = g_strdup_printf("ovsdpd: %s:%s\n", dmn.conf, cases[i].want);
		ck_assert_str_eq(err, want);
		ck_assert(WIFEXITED(status));
		ck_assert_int_eq(WEXITSTATUS(status), 1);
	}
}
END_TEST

int
main(void)
{
	const struct ktest_case cases[] = {
		{ "config", config_errors_name_the_line },
		{ "learning", learning_switch_pings },
		{ "live-switch", live_switch_loses_nothing },
		{ "refusals", refusals_keep_dispatcher },
		{ "reload-options", reload_applies_options },
		{ "start-under-traffic", start_under_traffic },
		{ "start-creates-ports", start_creates_ports_under_traffic },
		{ "control", control_socket_and_clean_stop },
		{ "recovery", deleted_behind_its_back },
	};

	return ktest_main_cases("daemon", setup, teardown, 240, cases, G_N_ELEMENTS(cases));
}
