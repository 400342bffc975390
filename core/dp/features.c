/* features.c: asks the running kernel what its openvswitch datapath can do:
 * which families exist, whether user features are negotiated, whether
 * per-cpu upcall dispatch is accepted, plus EPOLLEXCLUSIVE and CPU topology. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/utsname.h>

#include "nl/netlink.h"
#include "ovsdp/datapath.h"
#include "ovsdp/features.h"

OVSDP_EXPORT const char *
ovsdp_tristate_str(enum ovsdp_tristate t)
{
	return t == OVSDP_YES ? "yes" : t == OVSDP_NO ? "no" : "unknown";
}

/* Linux 4.5 added EPOLLEXCLUSIVE and, with it, a rule that EPOLL_CTL_MOD may
 * not carry it.  Older kernels ignore the unknown bit, so the MOD succeeds. */
static bool
probe_epoll_exclusive(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC);
	int fd = eventfd(0, EFD_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE };
	bool yes = false;

	if (ep >= 0 && fd >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0)
		yes = epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == EINVAL;
	if (fd >= 0)
		close(fd);
	if (ep >= 0)
		close(ep);
	return yes;
}

/* Parse a kernel CPU list ("0-3,8") into the highest id + 1 and a count. */
static void
parse_cpu_list(const char *s, unsigned int *max_plus_one, unsigned int *count)
{
	*max_plus_one = 0;
	*count = 0;
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b;

		if (end == s)
			break;
		b = a;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		if (b >= a) {
			*count += (unsigned int)(b - a + 1);
			if (b + 1 > *max_plus_one)
				*max_plus_one = (unsigned int)(b + 1);
		}
		s = end;
		if (*s == ',')
			s++;
		else
			break;
	}
}

static void
read_sys_cpu_list(const char *path, unsigned int *max_plus_one, unsigned int *count)
{
	char buf[4096] = "";
	FILE *f = fopen(path, "re");

	*max_plus_one = *count = 0;
	if (!f)
		return;
	if (fgets(buf, sizeof buf, f))
		parse_cpu_list(buf, max_plus_one, count);
	fclose(f);
}

/* Append "a" or "a-b" for each run of set bits to a comma list. */
static void
format_cpu_set(const cpu_set_t *set, size_t setsize, unsigned int n, char *out, size_t outlen)
{
	GString *s = g_string_new(NULL);

	for (unsigned int i = 0; i < n; i++) {
		unsigned int j = i;

		if (!CPU_ISSET_S(i, setsize, set))
			continue;
		while (j + 1 < n && CPU_ISSET_S(j + 1, setsize, set))
			j++;
		if (s->len)
			g_string_append_c(s, ',');
		if (j > i)
			g_string_append_printf(s, "%u-%u", i, j);
		else
			g_string_append_printf(s, "%u", i);
		i = j;
	}
	g_strlcpy(out, s->str, outlen);
	g_string_free(s, TRUE);
}

OVSDP_EXPORT int
ovsdp_features_read_cpus(struct ovsdp_features *f)
{
	unsigned int ids, n;
	size_t setsize;
	cpu_set_t *set;

	if (!f)
		return -EINVAL;
	read_sys_cpu_list("/sys/devices/system/cpu/possible", &ids, &n);
	if (ids == 0) {
		long c = sysconf(_SC_NPROCESSORS_CONF);

		ids = c > 0 ? (unsigned int)c : 1;
	}
	f->cpu_ids = ids;
	read_sys_cpu_list("/sys/devices/system/cpu/online", &ids, &n);
	f->cpus_online = n ? n : f->cpu_ids;

	setsize = CPU_ALLOC_SIZE(f->cpu_ids);
	set = CPU_ALLOC(f->cpu_ids);
	if (!set)
		return -ENOMEM;
	CPU_ZERO_S(setsize, set);
	/* The process's affinity: its main thread's (what taskset -p PID and
	 * systemd's CPUAffinity= change), whichever thread asks. */
	if (sched_getaffinity(getpid(), setsize, set) == 0) {
		f->cpus_affinity = (unsigned int)CPU_COUNT_S(setsize, set);
		format_cpu_set(set, setsize, f->cpu_ids, f->affinity_list,
			       sizeof f->affinity_list);
	} else {
		f->cpus_affinity = f->cpus_online;
		g_strlcpy(f->affinity_list, "?", sizeof f->affinity_list);
	}
	CPU_FREE(set);
	return 0;
}

/* OVS_DP_CMD_NEW/SET/DEL on a scratch datapath named after our pid. */
static int
dp_request(struct ovsdp_nl *nl, uint8_t cmd, const char *name, bool with_features,
	   uint32_t features, GError **error)
{
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	size_t off;

	if (ovsdp_nl_msg_begin(nl, &m, OVSDP_FAMILY_DATAPATH, cmd, 0, 0, &off) < 0)
		return ovsdp_set_error(error, -ENOENT, NULL, "building a datapath request");
	ovsdp_nl_put_string(&m, OVS_DP_ATTR_NAME, name);
	if (cmd == OVS_DP_CMD_NEW)
		ovsdp_buf_put_u32(&m, OVS_DP_ATTR_UPCALL_PID, 0);
	if (with_features)
		ovsdp_buf_put_u32(&m, OVS_DP_ATTR_USER_FEATURES, features);
	return ovsdp_nl_transact(nl, &m, NULL, NULL, name, error);
}

static void
probe_datapath(struct ovsdp_nl *nl, struct ovsdp_features *f)
{
	const uint32_t base = OVS_DP_F_UNALIGNED | OVS_DP_F_VPORT_PIDS;
	g_autoptr(GError) err = NULL;
	char name[16];
	int r;

	snprintf(name, sizeof name, "ovsdpp%u", (unsigned int)getpid() % 100000000u);
	r = dp_request(nl, OVS_DP_CMD_NEW, name, true, base, &err);
	if (r == -EEXIST) {
		g_clear_error(&err);
		dp_request(nl, OVS_DP_CMD_DEL, name, false, 0, NULL);
		r = dp_request(nl, OVS_DP_CMD_NEW, name, true, base, &err);
	}
	if (r < 0) {
		g_snprintf(f->probe_error, sizeof f->probe_error,
			   "could not create a scratch datapath%s: %s",
			   r == -EPERM ? " (needs root or CAP_NET_ADMIN)" : "",
			   err ? err->message : g_strerror(-r));
		return;
	}
	f->datapath_probed = true;

	/* Every SET replaces the whole feature set: always send base too. */
	r = dp_request(nl, OVS_DP_CMD_SET, name, true, base | OVSDP_DP_F_IMPOSSIBLE, NULL);
	f->rejects_unknown_features = r < 0 ? OVSDP_YES : OVSDP_NO;
	if (r == 0)
		dp_request(nl, OVS_DP_CMD_SET, name, true, base, NULL);

	r = dp_request(nl, OVS_DP_CMD_SET, name, true,
		       base | OVS_DP_F_DISPATCH_UPCALL_PER_CPU, NULL);
	f->per_cpu_errno = r < 0 ? -r : 0;
	if (r < 0)
		f->per_cpu_dispatch = OVSDP_NO;
	else if (f->rejects_unknown_features == OVSDP_YES)
		f->per_cpu_dispatch = OVSDP_YES;
	else
		f->per_cpu_dispatch = OVSDP_UNKNOWN;   /* it would have said yes to anything */

	dp_request(nl, OVS_DP_CMD_DEL, name, false, 0, NULL);
}

/* The scratch datapath is made where nobody sees it: in a network
 * namespace of its own, made by a thread of ours (a namespace is per
 * thread) and gone with the thread, datapath and all, even if we crash.
 * Where unshare() is refused (no CAP_SYS_ADMIN, or a seccomp policy), it is
 * made here, named ovsdpp<pid>, and deleted at once; the next probe sweeps
 * away the ones a crash left (probe_sweep_stale()). */
struct private_probe {
	struct ovsdp_features *f;
	bool done;
};

static void *
private_probe_main(void *data)
{
	struct private_probe *p = data;
	struct ovsdp_nl *nl = NULL;

	if (unshare(CLONE_NEWNET) < 0)
		return NULL;
	if (ovsdp_nl_open(true, &nl, NULL) < 0) {
		ovsdp_nl_close(nl);
		return NULL;
	}
	probe_datapath(nl, p->f);
	ovsdp_nl_close(nl);
	p->done = p->f->datapath_probed;
	return NULL;
}

static bool
probe_datapath_private(struct ovsdp_features *f)
{
	struct private_probe p = { .f = f };
	pthread_t t;

	if (getenv("OVSDP_PROBE_NO_NETNS"))     /* tests: take the fallback */
		return false;
	if (pthread_create(&t, NULL, private_probe_main, &p) != 0)
		return false;
	pthread_join(t, NULL);
	return p.done;
}

/* Delete the scratch datapaths (ovsdpp<pid>) whose process is gone: what
 * a probe killed before it deleted its own left.  A pid that exists (or
 * belongs to another pid namespace, where kill() fails with EPERM, never
 * ESRCH) keeps its datapath.  Returns how many were deleted. */
static int
probe_sweep_stale(void)
{
	struct ovsdp_dp_info *dps = NULL;
	int n = ovsdp_dp_list(&dps, NULL), swept = 0;

	for (int i = 0; i < n; i++) {
		const char *name = dps[i].name, *digits = name + 6;
		struct ovsdp_dp *dp = NULL;
		guint64 pid;

		if (!g_str_has_prefix(name, "ovsdpp") ||
		    !g_ascii_string_to_unsigned(digits, 10, 1, G_MAXINT32, &pid, NULL) ||
		    (pid_t)pid == getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		if (ovsdp_dp_open(name, &dp, NULL) == 0 && ovsdp_dp_del(dp, NULL) == 0) {
			g_log("ovsdp", G_LOG_LEVEL_MESSAGE, "deleted %s, the scratch datapath of "
			      "probe %" G_GUINT64_FORMAT " that no longer runs", name, pid);
			swept++;
		}
		ovsdp_dp_close(dp);
	}
	g_free(dps);
	return swept;
}

OVSDP_EXPORT int
ovsdp_features_probe(struct ovsdp_features *f, GError **error)
{
	struct ovsdp_nl *nl = NULL;
	struct utsname u;
	int r;

	if (!f)
		return -EINVAL;
	memset(f, 0, sizeof *f);
	if (uname(&u) == 0)
		g_strlcpy(f->kernel_release, u.release, sizeof f->kernel_release);
	f->epoll_exclusive = probe_epoll_exclusive();
	ovsdp_features_read_cpus(f);

	r = ovsdp_nl_open(true, &nl, error);
	if (nl) {
		for (int i = 0; i < OVSDP_FAMILY_N && i < OVSDP_N_FAMILIES; i++) {
			struct ovsdp_family_status *s = &f->families[i];
			const struct ovsdp_family_info *fi = &nl->fam[i];

			g_strlcpy(s->name, ovsdp_nl_family_name((enum ovsdp_family)i),
				  sizeof s->name);
			s->required = fi->required;
			s->present = fi->present;
			s->id = fi->id;
			s->version = fi->version;
			s->maxattr = fi->maxattr;
		}
	}
	if (r < 0) {
		g_strlcpy(f->probe_error, "the openvswitch datapath is not available",
			  sizeof f->probe_error);
		ovsdp_nl_close(nl);
		return r;
	}
	f->datapath_available = true;
	f->vport_upcall_stats = nl->fam[OVSDP_FAMILY_VPORT].maxattr >= OVSDP_VPORT_ATTR_UPCALL_STATS;
	f->execute_upcall_pid = nl->fam[OVSDP_FAMILY_PACKET].maxattr >= OVSDP_PACKET_ATTR_UPCALL_PID;
	probe_sweep_stale();
	if (!probe_datapath_private(f)) {
		memset(f->probe_error, 0, sizeof f->probe_error);
		probe_datapath(nl, f);
	}
	ovsdp_nl_close(nl);
	return 0;
}
