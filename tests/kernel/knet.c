/* knet.c: network helpers for the core's kernel tests (see knet.h). */
#include "config.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <check.h>
#include <glib.h>

#include "ktest.h"
#include "knet.h"

static void
write_sysctl(const char *path, const char *value)
{
	FILE *f = fopen(path, "we");

	if (f) {
		fputs(value, f);
		fclose(f);
	}
}

/* Bring a link up with an ioctl: spawning ip(8) costs seconds under TCG. */
static void
link_up(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	memset(&ifr, 0, sizeof ifr);
	g_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
	ck_assert_msg(ioctl(fd, SIOCGIFFLAGS, &ifr) == 0, "%s: %s", name, strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	ck_assert_msg(ioctl(fd, SIOCSIFFLAGS, &ifr) == 0, "%s up: %s", name, strerror(errno));
	close(fd);
}

void
knet_veth(const char *a, const char *b)
{
	write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
	write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
	ck_assert_int_eq(ktest_sh("ip link add %s type veth peer name %s", a, b), 0);
	link_up(a);
	link_up(b);
}

void
knet_veth_port(struct ovsdp_dp *dp, unsigned int i, uint32_t *port_no, int *raw_fd)
{
	char a[16], b[16];
	struct ovsdp_vport_spec spec = { 0 };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	g_snprintf(a, sizeof a, "dp%u", i);
	g_snprintf(b, sizeof b, "tx%u", i);
	knet_veth(a, b);
	spec.name = a;
	spec.type = OVSDP_VPORT_TYPE_NETDEV;
	ck_assert_msg(ovsdp_vport_add(dp, &spec, &info, &err) == 0, "%s", err ? err->message : "");
	*port_no = info.port_no;
	*raw_fd = knet_raw_open(b);
}

int
knet_raw_open(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));

	ck_assert_msg(fd >= 0, "AF_PACKET socket: %s", strerror(errno));
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	ck_assert_msg(sll.sll_ifindex > 0, "no interface %s", ifname);
	ck_assert_msg(bind(fd, (struct sockaddr *)&sll, sizeof sll) == 0, "bind to %s: %s",
		      ifname, strerror(errno));
	return fd;
}

size_t
knet_frame(uint8_t *buf, size_t size, const uint8_t dst[6], const uint8_t src[6], uint32_t tag,
	   size_t payload_len)
{
	uint16_t type = htons(KNET_ETHERTYPE);
	uint32_t t = htonl(tag);
	size_t len = 14 + payload_len;

	ck_assert_uint_ge(payload_len, 4);
	ck_assert_uint_le(len, size);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	memcpy(buf + 12, &type, 2);
	memcpy(buf + 14, &t, 4);
	for (size_t i = 18; i < len; i++)
		buf[i] = (uint8_t)i;
	return len;
}

void
knet_send(int fd, const void *frame, size_t len)
{
	ssize_t n = send(fd, frame, len, 0);

	ck_assert_msg(n == (ssize_t)len, "send: %s", n < 0 ? strerror(errno) : "short");
}

int
knet_recv_tag(int fd, uint32_t tag, void *buf, size_t size, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		struct sockaddr_ll from;
		socklen_t flen = sizeof from;
		uint8_t *b = buf;
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		n = recvfrom(fd, buf, size, MSG_DONTWAIT, (struct sockaddr *)&from, &flen);
		if (n < 18 || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (b[12] == (KNET_ETHERTYPE >> 8) && b[13] == (KNET_ETHERTYPE & 0xff)) {
			uint32_t t;

			memcpy(&t, b + 14, 4);
			if (ntohl(t) == tag)
				return (int)n;
		}
	}
}

/* The attributes of a test frame's key, or of its mask: the same three. */
static void
put_eth_key(struct ovsdp_buf *b, uint32_t in_port, const uint8_t src[6], const uint8_t dst[6],
	    uint16_t ethertype_be)
{
	struct ovs_key_ethernet eth;

	memcpy(eth.eth_src, src, 6);
	memcpy(eth.eth_dst, dst, 6);
	ovsdp_buf_put_u32(b, OVS_KEY_ATTR_IN_PORT, in_port);
	ovsdp_buf_put_attr(b, OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
	ovsdp_buf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, ethertype_be);
}

void
knet_key(struct ovsdp_buf *key, uint32_t in_port, const uint8_t src[6], const uint8_t dst[6])
{
	put_eth_key(key, in_port, src, dst, htons(KNET_ETHERTYPE));
}

void
knet_mask(struct ovsdp_buf *mask)
{
	static const uint8_t exact[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	put_eth_key(mask, UINT32_MAX, exact, exact, 0xffff);
}

const void *
knet_attr_find(const void *attrs, size_t len, uint16_t type, size_t *plen)
{
	const uint8_t *p = attrs;

	while (len >= NLA_HDRLEN) {
		struct nlattr a;

		memcpy(&a, p, sizeof a);
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len)
			return NULL;
		if ((a.nla_type & NLA_TYPE_MASK) == type) {
			*plen = a.nla_len - NLA_HDRLEN;
			return p + NLA_HDRLEN;
		}
		if ((size_t)NLA_ALIGN(a.nla_len) >= len)
			break;
		p += NLA_ALIGN(a.nla_len);
		len -= NLA_ALIGN(a.nla_len);
	}
	return NULL;
}

void
knet_check_key(const void *key, size_t key_len, uint32_t in_port, const uint8_t src[6],
	       const uint8_t dst[6], uint16_t eth_type)
{
	const struct ovs_key_ethernet *eth;
	const uint32_t *port;
	const uint16_t *type;
	size_t n = 0;

	port = knet_attr_find(key, key_len, OVS_KEY_ATTR_IN_PORT, &n);
	ck_assert_msg(port && n == 4, "key has no in_port");
	ck_assert_uint_eq(*port, in_port);
	eth = knet_attr_find(key, key_len, OVS_KEY_ATTR_ETHERNET, &n);
	ck_assert_msg(eth && n == sizeof *eth, "key has no eth()");
	ck_assert_int_eq(memcmp(eth->eth_src, src, 6), 0);
	ck_assert_int_eq(memcmp(eth->eth_dst, dst, 6), 0);
	type = knet_attr_find(key, key_len, OVS_KEY_ATTR_ETHERTYPE, &n);
	ck_assert_msg(type && n == 2, "key has no eth_type()");
	ck_assert_uint_eq(ntohs(*type), eth_type);
}

int
knet_upcall_wait(struct ovsdp_upcall_sock *s, void *buf, size_t size, int timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	for (;;) {
		struct pollfd p = { .fd = ovsdp_upcall_sock_fd(s), .events = POLLIN };
		gint64 left = (deadline - g_get_monotonic_time()) / 1000;
		int n = ovsdp_upcall_sock_recv(s, buf, size);

		if (n != -EAGAIN)
			return n;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -ETIMEDOUT;
	}
}

const char *
knet_cli(void)
{
	static char path[4096];
	const char *root = g_getenv("OVSDP_BUILD_ROOT");

	g_snprintf(path, sizeof path, "%s/tools/cli/ovsdp", root ? root : ".");
	return path;
}

/* Whether uid 65534 may execute 'path' (asked in a child that becomes it). */
static bool
nobody_can_exec(const char *path)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		_exit(access(path, X_OK) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static char nobody_dir[64];

static void
nobody_dir_remove(void)
{
	g_autofree char *cmd = NULL;

	if (!nobody_dir[0])
		return;
	cmd = g_strdup_printf("rm -rf '%s'", nobody_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "knet: could not remove %s\n", nobody_dir);
	nobody_dir[0] = '\0';
}

/* Copy 'from' to 'to' (mode 0755). */
static void
copy_exec(const char *from, const char *to)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *data = NULL;
	gsize len;

	ck_assert_msg(g_file_get_contents(from, &data, &len, &err), "reading %s: %s", from,
		      err ? err->message : "");
	ck_assert_msg(g_file_set_contents_full(to, data, (gssize)len, G_FILE_SET_CONTENTS_NONE,
					       0755, &err), "writing %s: %s", to,
		      err ? err->message : "");
}

const char *
knet_cli_for_nobody(void)
{
	static char path[128];
	const char *root = g_getenv("OVSDP_BUILD_ROOT");
	g_autofree char *lib = NULL, *dst = NULL;

	if (path[0])
		return path;
	if (nobody_can_exec(knet_cli()))
		return knet_cli();
	/* The same layout as the build's: the CLI's RUNPATH is
	 * $ORIGIN/../../core. */
	g_strlcpy(nobody_dir, "/tmp/ovsdp-cli-XXXXXX", sizeof nobody_dir);
	ck_assert_ptr_nonnull(g_mkdtemp_full(nobody_dir, 0755));
	atexit(nobody_dir_remove);
	dst = g_build_filename(nobody_dir, "tools", "cli", NULL);
	ck_assert_int_eq(g_mkdir_with_parents(dst, 0755), 0);
	g_free(dst);
	dst = g_build_filename(nobody_dir, "core", NULL);
	ck_assert_int_eq(g_mkdir_with_parents(dst, 0755), 0);
	g_free(dst);
	lib = g_strdup_printf("%s/core/libovsdp.so.1", root ? root : ".");
	dst = g_build_filename(nobody_dir, "core", "libovsdp.so.1", NULL);
	copy_exec(lib, dst);
	g_snprintf(path, sizeof path, "%s/tools/cli/ovsdp", nobody_dir);
	copy_exec(knet_cli(), path);
	ck_assert_msg(nobody_can_exec(path), "uid 65534 cannot run the copy %s either", path);
	return path;
}

/* knet_cli_run with the arguments in 'args'. */
static char *
cli_run(int *status, const char *args)
{
	g_autofree char *cmd = g_strdup_printf("%s %s 2>&1", knet_cli(), args);
	g_autoptr(GError) err = NULL;
	char *out = NULL;
	const char *argv[] = { "/bin/sh", "-c", cmd, NULL };
	int st = -1;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &st,
			  &err))
		ck_abort_msg("%s: %s", cmd, err->message);
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out ? out : g_strdup("");
}

char *
knet_cli_run(int *status, const char *fmt, ...)
{
	g_autofree char *args = NULL;
	va_list ap;

	va_start(ap, fmt);
	args = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	return cli_run(status, args);
}

/* knet_cli_expect(_out) with the arguments still to format; 'needle' NULL:
 * only the exit status counts. */
static void G_GNUC_PRINTF(3, 0)
cli_expect(int status, const char *needle, const char *fmt, va_list ap)
{
	g_autofree char *args = g_strdup_vprintf(fmt, ap);
	int st;
	g_autofree char *out = cli_run(&st, args);

	if (!needle)
		ck_assert_msg(st == status, "ovsdp %s: exit %d, want %d: %s", args, st, status, out);
	else
		ck_assert_msg(st == status && strstr(out, needle),
			      "ovsdp %s: exit %d, want %d and '%s': %s", args, st, status, needle, out);
}

void
knet_cli_expect(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_expect(status, NULL, fmt, ap);
	va_end(ap);
}

void
knet_cli_expect_out(int status, const char *needle, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_expect(status, needle, fmt, ap);
	va_end(ap);
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
knet_normalise_flows(const char *text)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GRegex) used = g_regex_new("used:[0-9]+\\.[0-9]{3}s", 0, 0, NULL);
	GString *out = g_string_new(NULL);

	for (char **l = lines; *l; l++) {
		/* ovs-dpctl logs to stderr with a timestamp: not flow lines. */
		if (!**l || g_regex_match_simple("^[0-9]{4}-[0-9]{2}-[0-9]{2}T", *l, 0, 0))
			continue;
		g_ptr_array_add(keep, g_regex_replace_literal(used, *l, -1, 0, "used:T", 0, NULL));
	}
	g_ptr_array_sort(keep, cmp_str);
	for (guint i = 0; i < keep->len; i++)
		g_string_append_printf(out, "%s\n", (char *)keep->pdata[i]);
	return g_string_free(out, FALSE);
}

struct ovsdp_dp_stats
knet_dp_stats(struct ovsdp_dp *dp)
{
	struct ovsdp_dp_info info;

	ck_assert_int_eq(ovsdp_dp_get_info(dp, &info, NULL), 0);
	return info.stats;
}

uint64_t
knet_dp_missed(struct ovsdp_dp *dp)
{
	return knet_dp_stats(dp).n_missed;
}

struct ovsdp_dp *
knet_netns_dp(const char *name)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_dp *dp = NULL;

	ktest_netns_setup();
	ck_assert_msg(ovsdp_dp_create(name, 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err ? err->message : "");
	return dp;
}

void
knet_dp_close(struct ovsdp_dp **dp)
{
	ovsdp_dp_close(*dp);
	*dp = NULL;
}

void
knet_flow_put_set(struct ovsdp_flow_put *put, const struct ovsdp_buf *key,
		  const struct ovsdp_buf *mask, const struct ovsdp_buf *acts)
{
	*put = (struct ovsdp_flow_put){
		.flags = put->flags, .ufid = put->ufid,
		.key = key->data, .key_len = key->len,
		.mask = mask->data, .mask_len = mask->len,
		.actions = acts->data, .actions_len = acts->len,
	};
}

bool
knet_upcall_tag(const struct ovsdp_upcall *u, uint32_t *tag)
{
	if (u->packet_len < 18 || u->packet[12] != (KNET_ETHERTYPE >> 8) ||
	    u->packet[13] != (KNET_ETHERTYPE & 0xff))
		return false;
	memcpy(tag, u->packet + 14, 4);
	*tag = ntohl(*tag);
	return true;
}

uint32_t
knet_msg_tag(const struct ovsdp_dispatch_msg *m, uint16_t family)
{
	struct ovsdp_upcall u;
	uint32_t tag;

	ck_assert_uint_eq(m->flags, 0);
	ck_assert_int_eq(ovsdp_upcall_parse(m->data, m->len, family, &u, NULL), 0);
	return knet_upcall_tag(&u, &tag) ? tag : UINT32_MAX;
}

void
knet_send_misses(int fd, unsigned int port, uint32_t first, uint32_t count, unsigned int gap_us)
{
	static const uint8_t dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0 };
	uint8_t frame[128];

	for (uint32_t s = first; s < first + count; s++) {
		src[3] = (uint8_t)(port | s >> 16);
		src[4] = (uint8_t)(s >> 8);
		src[5] = (uint8_t)s;
		knet_send(fd, frame, knet_frame(frame, sizeof frame, dst, src, (port << 20) | s, 64));
		if (gap_us)
			g_usleep(gap_us);
	}
}

unsigned int
knet_count_entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

void
knet_rx_init(struct knet_rx *r)
{
	memset(r, 0, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
	r->count = g_hash_table_new(NULL, NULL);
	r->in_port = g_hash_table_new(NULL, NULL);
}

void
knet_rx_free(struct knet_rx *r)
{
	g_hash_table_destroy(r->count);
	g_hash_table_destroy(r->in_port);
}

bool
knet_rx_note(struct knet_rx *r, const struct ovsdp_upcall *u, uint32_t *tag)
{
	gpointer key, old;

	if (!knet_upcall_tag(u, tag)) {
		r->others++;
		return false;
	}
	r->ours++;
	key = GUINT_TO_POINTER(*tag + 1);
	old = g_hash_table_lookup(r->count, key);
	g_hash_table_insert(r->count, key, GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + 1));
	g_hash_table_insert(r->in_port, key, GUINT_TO_POINTER(u->in_port + 1));
	return true;
}

/* The upcalls with a test frame, plus the others when 'all'. */
static uint64_t
rx_count(struct knet_rx *r, bool all)
{
	uint64_t v;

	pthread_mutex_lock(&r->lock);
	v = r->ours + (all ? r->others : 0);
	pthread_mutex_unlock(&r->lock);
	return v;
}

uint64_t
knet_rx_ours(struct knet_rx *r)
{
	return rx_count(r, false);
}

uint64_t
knet_rx_total(struct knet_rx *r)
{
	return rx_count(r, true);
}

bool
knet_rx_wait(struct knet_rx *r, uint64_t want, int timeout_ms)
{
	return KTEST_WAIT(timeout_ms, knet_rx_ours(r) >= want);
}

void
knet_rx_check_once(struct knet_rx *r, unsigned int port, uint32_t first, uint32_t count,
		   uint32_t in_port)
{
	pthread_mutex_lock(&r->lock);
	for (uint32_t s = first; s < first + count; s++) {
		gpointer key = GUINT_TO_POINTER(((port << 20) | s) + 1);
		guint n = GPOINTER_TO_UINT(g_hash_table_lookup(r->count, key));
		guint got = GPOINTER_TO_UINT(g_hash_table_lookup(r->in_port, key));

		if (n != 1 || (in_port != UINT32_MAX && got != in_port + 1)) {
			pthread_mutex_unlock(&r->lock);
			ck_abort_msg("port %u frame %u: delivered %u times, in_port %d (want 1, %d)",
				     port, s, n, (int)got - 1, (int)in_port);
		}
	}
	pthread_mutex_unlock(&r->lock);
}
