/* bench-net.c: network plumbing for ovsdp-bench, done in-process rather
 * than by spawning ip(8) (a process start costs seconds in the emulated lab):
 * veth pairs over rtnetlink, packet sockets with receive timestamps, and
 * counting the netlink sockets and context switches of a process; and, for
 * the few programs it does run (OVS, gnuplot), bench_run. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bench.h"

int64_t
bench_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t
bench_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
bench_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
set_error(GError **error, int err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static int
set_error(GError **error, int err, const char *fmt, ...)
{
	va_list ap;

	if (error) {
		va_start(ap, fmt);
		*error = g_error_new_valist(OVSDP_ERROR, err, fmt, ap);
		va_end(ap);
	}
	return -err;
}

/* Send one rtnetlink request and read its acknowledgement. */
static int
rtnl_transact(struct ovsdp_buf *msg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h = (struct nlmsghdr *)msg->data;
	char reply[4096];
	int fd, r = -EPROTO;
	ssize_t n;

	h->nlmsg_len = (uint32_t)msg->len;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, msg->data, msg->len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
		r = -errno;
		goto out;
	}
	n = recv(fd, reply, sizeof reply, 0);
	if (n < 0) {
		r = -errno;
		goto out;
	}
	if ((size_t)n >= sizeof(struct nlmsghdr) + sizeof(struct nlmsgerr)) {
		struct nlmsghdr *rh = (struct nlmsghdr *)reply;

		if (rh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr *e = NLMSG_DATA(rh);

			r = e->error;
		}
	}
out:
	close(fd);
	return r;
}

int
bench_veth_add(const char *a, const char *b, GError **error)
{
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	struct nlmsghdr h = {
		.nlmsg_type = RTM_NEWLINK,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
		.nlmsg_seq = 1,
	};
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	size_t linkinfo, data, peer;
	int r;

	if (!a || !b || strlen(a) >= IFNAMSIZ || strlen(b) >= IFNAMSIZ)
		return set_error(error, EINVAL, "bad veth names");
	ovsdp_buf_put(&m, &h, sizeof h);
	ovsdp_buf_put(&m, &ifi, sizeof ifi);
	ovsdp_buf_put_attr(&m, IFLA_IFNAME, a, strlen(a) + 1);
	linkinfo = ovsdp_buf_nest_start(&m, IFLA_LINKINFO);
	ovsdp_buf_put_attr(&m, IFLA_INFO_KIND, "veth", 5);
	data = ovsdp_buf_nest_start(&m, IFLA_INFO_DATA);
	/* The peer's attributes follow a struct ifinfomsg of its own. */
	peer = ovsdp_buf_nest_start(&m, VETH_INFO_PEER);
	ovsdp_buf_put(&m, &ifi, sizeof ifi);
	ovsdp_buf_put_attr(&m, IFLA_IFNAME, b, strlen(b) + 1);
	ovsdp_buf_nest_end(&m, peer);
	ovsdp_buf_nest_end(&m, data);
	ovsdp_buf_nest_end(&m, linkinfo);
	r = rtnl_transact(&m);
	ovsdp_buf_clear(&m);
	if (r < 0)
		return set_error(error, -r, "veth pair %s/%s: %s", a, b, g_strerror(-r));
	/* Up only now: asked for at creation, the peer is opened before it
	 * knows its other end, and the kernel refuses (ENOTCONN). */
	r = bench_link_up(a, error);
	return r < 0 ? r : bench_link_up(b, error);
}

int
bench_link_up(const char *ifname, GError **error)
{
	struct ifreq ifr;
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r = 0;

	if (fd < 0)
		return set_error(error, errno, "socket: %s", g_strerror(errno));
	memset(&ifr, 0, sizeof ifr);
	g_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		r = set_error(error, errno, "%s: %s", ifname, g_strerror(errno));
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			r = set_error(error, errno, "%s up: %s", ifname, g_strerror(errno));
	}
	close(fd);
	return r;
}

int
bench_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
}

int
bench_softnet_dropped(uint64_t *per_cpu, unsigned int max, uint64_t *total)
{
	g_autofree char *text = NULL;

	*total = 0;
	if (!g_file_get_contents("/proc/net/softnet_stat", &text, NULL, NULL))
		return -ENOENT;
	return bench_parse_softnet_dropped(text, per_cpu, max, total);
}

int
bench_netdev_drops(const char *ifname, uint64_t *rx_drop, uint64_t *tx_drop)
{
	g_autofree char *text = NULL;

	*rx_drop = *tx_drop = 0;
	/* /proc/self/net: this thread's network namespace. */
	if (!g_file_get_contents("/proc/self/net/dev", &text, NULL, NULL))
		return -ENOENT;
	return bench_parse_netdev_drops(text, ifname, rx_drop, tx_drop);
}

int
bench_packet_socket(const char *ifname, uint16_t proto, GError **error)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(proto));
	int one = 1, rcvbuf = 16 << 20;

	if (fd < 0)
		return set_error(error, errno, "packet socket: %s", g_strerror(errno));
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0) {
		close(fd);
		return set_error(error, ENODEV, "no device %s", ifname);
	}
	if (proto) {
		/* The receive timestamp is the reference's end of the path: it
		 * leaves out when the receiver thread got scheduled. */
		if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0 ||
		    (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0 &&
		     setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)) {
			int e = errno;

			close(fd);
			return set_error(error, e, "%s: socket options: %s", ifname, g_strerror(e));
		}
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
		int e = errno;

		close(fd);
		return set_error(error, e, "bind to %s: %s", ifname, g_strerror(e));
	}
	return fd;
}

static char *
proc_path(pid_t pid, const char *rest)
{
	if (pid == 0)
		return g_strdup_printf("/proc/self/%s", rest);
	return g_strdup_printf("/proc/%d/%s", (int)pid, rest);
}

int
bench_netlink_sockets(pid_t pid)
{
	g_autofree char *nl_path = proc_path(pid, "net/netlink");
	g_autofree char *fd_path = proc_path(pid, "fd");
	g_autofree char *text = NULL;
	g_autoptr(GHashTable) genl = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_auto(GStrv) lines = NULL;
	struct dirent *e;
	DIR *d;
	int n = 0;

	if (!g_file_get_contents(nl_path, &text, NULL, NULL))
		return -ENOENT;
	/* Columns: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode. */
	lines = g_strsplit(text, "\n", -1);
	for (char **l = lines[0] ? lines + 1 : lines; *l; l++) {
		g_auto(GStrv) f = g_strsplit_set(*l, " \t", -1);
		const char *col[16];
		unsigned int k = 0;

		for (char **x = f; *x && k < G_N_ELEMENTS(col); x++)
			if (**x)
				col[k++] = *x;
		if (k >= 10 && !strcmp(col[1], "16"))
			g_hash_table_add(genl, g_strdup(col[k - 1]));
	}
	d = opendir(fd_path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		g_autofree char *link = NULL;
		char target[64];
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		link = g_build_filename(fd_path, e->d_name, NULL);
		len = readlink(link, target, sizeof target - 1);
		if (len <= 9)
			continue;
		target[len] = '\0';
		if (g_str_has_prefix(target, "socket:[") && target[len - 1] == ']') {
			target[len - 1] = '\0';
			if (g_hash_table_contains(genl, target + 8))
				n++;
		}
	}
	closedir(d);
	return n;
}

static uint64_t
status_field(const char *status, const char *name)
{
	const char *p = strstr(status, name);

	return p ? g_ascii_strtoull(p + strlen(name), NULL, 10) : 0;
}

/* utime + stime of one task: fields 14 and 15 of its stat, counted after
 * the ')' that ends its name (which may hold spaces and parentheses). */
static uint64_t
task_cpu_ticks(const char *task_dir, const char *tid)
{
	g_autofree char *path = g_build_filename(task_dir, tid, "stat", NULL);
	g_autofree char *stat = NULL;
	g_auto(GStrv) f = NULL;
	const char *p;

	if (!g_file_get_contents(path, &stat, NULL, NULL) || !(p = strrchr(stat, ')')))
		return 0;
	/* After the name: field 3 (state) is f[0], so field N is f[N - 3]. */
	f = g_strsplit(p + 2, " ", 14);
	if (g_strv_length(f) < 14)
		return 0;
	return g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10);
}

int
bench_thread_ctx(pid_t pid, const char *prefix, struct bench_ctx *out)
{
	g_autofree char *task = proc_path(pid, "task");
	struct dirent *e;
	DIR *d;

	memset(out, 0, sizeof *out);
	d = opendir(task);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		g_autofree char *comm_path = NULL, *status_path = NULL;
		g_autofree char *comm = NULL, *status = NULL;

		if (e->d_name[0] == '.')
			continue;
		comm_path = g_build_filename(task, e->d_name, "comm", NULL);
		status_path = g_build_filename(task, e->d_name, "status", NULL);
		if (!g_file_get_contents(comm_path, &comm, NULL, NULL) ||
		    !g_str_has_prefix(comm, prefix) ||
		    !g_file_get_contents(status_path, &status, NULL, NULL))
			continue;
		out->threads++;
		out->voluntary += status_field(status, "\nvoluntary_ctxt_switches:");
		out->involuntary += status_field(status, "\nnonvoluntary_ctxt_switches:");
		out->cpu_ticks += task_cpu_ticks(task, e->d_name);
	}
	closedir(d);
	return 0;
}

int
bench_pin_threads(pid_t pid, const char *prefix, const cpu_set_t *set)
{
	g_autofree char *task = proc_path(pid, "task");
	struct dirent *e;
	int pinned = 0, err = 0;
	DIR *d;

	d = opendir(task);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		g_autofree char *comm_path = NULL, *comm = NULL;

		if (e->d_name[0] == '.')
			continue;
		comm_path = g_build_filename(task, e->d_name, "comm", NULL);
		if (!g_file_get_contents(comm_path, &comm, NULL, NULL) ||
		    !g_str_has_prefix(comm, prefix))
			continue;
		if (sched_setaffinity((pid_t)atoi(e->d_name), sizeof *set, set) == 0)
			pinned++;
		else if (errno != ESRCH)
			err = errno;
	}
	closedir(d);
	return err && !pinned ? -err : pinned;
}

int
bench_run(const char *const *argv, const char *const *envp, char **output)
{
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) gerr = NULL;
	int status = 0;

	if (!g_spawn_sync(NULL, (char **)argv, (char **)envp, G_SPAWN_SEARCH_PATH, NULL, NULL,
			  &out, &err, &status, &gerr)) {
		*output = g_strdup(gerr->message);
		return -1;
	}
	*output = g_strconcat(out ? out : "", err ? err : "", NULL);
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}
