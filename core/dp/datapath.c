/* datapath.c: the ovs_datapath family: datapath handles (create, open,
 * delete, list), statistics, user-feature negotiation and per-CPU upcall
 * pids, and the request plumbing every family shares (ovsdp_dp_request,
 * ovsdp_dp_transact, the attribute getters).  The monitor is monitor.c;
 * the local port's upcall pid is a vport's (vport.c). */
#include "config.h"

#include <pthread.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "dp/datapath-internal.h"
#include "ovsdp/datapath.h"

G_STATIC_ASSERT(OVSDP_DP_F_UNALIGNED == OVS_DP_F_UNALIGNED);
G_STATIC_ASSERT(OVSDP_DP_F_VPORT_PIDS == OVS_DP_F_VPORT_PIDS);
G_STATIC_ASSERT(OVSDP_DP_F_TC_RECIRC_SHARING == OVS_DP_F_TC_RECIRC_SHARING);
G_STATIC_ASSERT(OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU == OVS_DP_F_DISPATCH_UPCALL_PER_CPU);
G_STATIC_ASSERT(OVSDP_NAME_MAX == IFNAMSIZ);

/* The datapath family's policy. */
static const struct nla_policy dp_nla[OVS_DP_ATTR_MAX + 1] = {
	[OVS_DP_ATTR_NAME] = { .type = NLA_STRING, .maxlen = OVSDP_NAME_MAX },
	[OVS_DP_ATTR_UPCALL_PID] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_DP_ATTR_STATS] = { .minlen = sizeof(struct ovs_dp_stats) },
	[OVS_DP_ATTR_MEGAFLOW_STATS] = { .minlen = sizeof(struct ovs_dp_megaflow_stats) },
	[OVS_DP_ATTR_USER_FEATURES] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_DP_ATTR_MASKS_CACHE_SIZE] = OVSDP_NLA_EXACT(NLA_U32, 4),
};
static const uint16_t dp_array[OVS_DP_ATTR_MAX + 1] = {
	[OVS_DP_ATTR_PER_CPU_PIDS] = sizeof(uint32_t),
};
const struct ovsdp_nl_policy ovsdp_dp_policy = {
	.where = "a datapath reply", .maxattr = OVS_DP_ATTR_MAX, .nla = dp_nla, .array = dp_array,
};

/* A fixed-size attribute the family's policy has checked: present? */
static bool
attr_exact(const struct nlattr *a, void *v, size_t size)
{
	if (!a)
		return false;
	memcpy(v, nla_data(a), size);
	return true;
}

bool
ovsdp_attr_u16(const struct nlattr *a, uint16_t *v)
{
	return attr_exact(a, v, sizeof *v);
}

bool
ovsdp_attr_u32(const struct nlattr *a, uint32_t *v)
{
	return attr_exact(a, v, sizeof *v);
}

bool
ovsdp_attr_u64(const struct nlattr *a, uint64_t *v)
{
	return attr_exact(a, v, sizeof *v);
}

int
ovsdp_attr_u32_array(const struct nlattr *a, uint32_t *out, size_t max)
{
	/* The policy made its length a multiple of 4. */
	size_t n = a ? (size_t)nla_len(a) / sizeof(uint32_t) : 0;

	if (out && n)
		memcpy(out, nla_data(a), MIN(n, max) * sizeof *out);
	return (int)n;
}

bool
ovsdp_attr_str(const struct nlattr *a, char *out, size_t size)
{
	const char *s;
	size_t n;

	/* The policy made it NUL-terminated and at most 'size' bytes. */
	if (!a)
		return false;
	s = nla_data(a);
	n = strnlen(s, (size_t)nla_len(a));
	if (n >= size)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

int
ovsdp_dp_request(struct ovsdp_dp *dp, struct ovsdp_buf *b, enum ovsdp_family f, uint8_t cmd,
		 int nlm_flags)
{
	size_t off;

	return ovsdp_nl_msg_begin(dp->nl, b, f, cmd, nlm_flags, dp->ifindex, &off);
}

int
ovsdp_dp_transact(struct ovsdp_dp *dp, struct ovsdp_buf *req, ovsdp_nl_reply_fn fn, void *arg,
		  const char *what, GError **error)
{
	int r;

	pthread_mutex_lock(&dp->lock);
	r = ovsdp_nl_transact(dp->nl, req, fn, arg, what, error);
	pthread_mutex_unlock(&dp->lock);
	return r;
}

/* Socket buffers of a handle that sends batches (the kernel doubles it). */
#define BATCH_SOCKET_BUFFER (1 << 20)

void
ovsdp_dp_grow_buffers(struct ovsdp_dp *dp)
{
	int fd = nl_socket_get_fd(dp->nl->sk);
	int size = BATCH_SOCKET_BUFFER;

	if (dp->big_buffers)
		return;
	dp->big_buffers = true;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

/* Fill *info from an ovs_datapath reply; -EPROTO when an attribute has
 * the wrong size. */
int
ovsdp_dp_parse_reply(struct nlmsghdr *nlh, struct ovsdp_dp_info *info)
{
	struct nlattr *tb[OVS_DP_ATTR_MAX + 1];
	int ifindex = 0;

	memset(info, 0, sizeof *info);
	if (ovsdp_nl_parse(nlh, &ovsdp_dp_policy, tb, &ifindex) < 0)
		return -EPROTO;
	info->ifindex = ifindex;
	if (!ovsdp_attr_str(tb[OVS_DP_ATTR_NAME], info->name, sizeof info->name))
		return -EPROTO;
	if (tb[OVS_DP_ATTR_STATS]) {
		struct ovs_dp_stats s;

		memcpy(&s, nla_data(tb[OVS_DP_ATTR_STATS]), sizeof s);
		info->stats.n_hit = s.n_hit;
		info->stats.n_missed = s.n_missed;
		info->stats.n_lost = s.n_lost;
		info->stats.n_flows = s.n_flows;
	}
	if (tb[OVS_DP_ATTR_MEGAFLOW_STATS]) {
		struct ovs_dp_megaflow_stats m;

		memcpy(&m, nla_data(tb[OVS_DP_ATTR_MEGAFLOW_STATS]), sizeof m);
		info->stats.has_megaflow_stats = true;
		info->stats.n_mask_hit = m.n_mask_hit;
		info->stats.n_masks = m.n_masks;
		info->stats.n_cache_hit = m.n_cache_hit;
	}
	if (tb[OVS_DP_ATTR_USER_FEATURES] &&
	    !ovsdp_attr_u32(tb[OVS_DP_ATTR_USER_FEATURES], &info->user_features))
		return -EPROTO;
	if (tb[OVS_DP_ATTR_MASKS_CACHE_SIZE]) {
		if (!ovsdp_attr_u32(tb[OVS_DP_ATTR_MASKS_CACHE_SIZE], &info->masks_cache_size))
			return -EPROTO;
		info->has_masks_cache_size = true;
	}
	if (tb[OVS_DP_ATTR_PER_CPU_PIDS])
		info->n_per_cpu_pids = (uint32_t)nla_len(tb[OVS_DP_ATTR_PER_CPU_PIDS]) / 4;
	return 0;
}

static int
one_dp_cb(struct nlmsghdr *nlh, void *arg)
{
	return ovsdp_dp_parse_reply(nlh, arg);
}

static struct ovsdp_dp *
dp_alloc(struct ovsdp_nl *nl)
{
	struct ovsdp_dp *dp = g_new0(struct ovsdp_dp, 1);

	dp->nl = nl;
	pthread_mutex_init(&dp->lock, NULL);
	return dp;
}

static bool
valid_name(const char *name)
{
	return name && *name && strlen(name) < OVSDP_NAME_MAX && !strchr(name, '/');
}

/* A handle on a socket of its own and, in 'm', a request 'cmd' naming
 * datapath 'name'; *what says "VERB datapath NAME" for messages. */
static int
dp_begin(const char *name, const char *verb, uint8_t cmd, int nlm_flags, struct ovsdp_dp **out,
	 struct ovsdp_buf *m, char **what, GError **error)
{
	struct ovsdp_nl *nl = NULL;
	int r;

	if (!out || !valid_name(name))
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s datapath %.64s: bad name (1 to %d bytes, no '/')", verb,
				       name ? name : "(null)", OVSDP_NAME_MAX - 1);
	*what = g_strdup_printf("%s datapath %s", verb, name);
	r = ovsdp_nl_open(false, &nl, error);
	if (r < 0)
		return r;
	*out = dp_alloc(nl);
	if (ovsdp_dp_request(*out, m, OVSDP_FAMILY_DATAPATH, cmd, nlm_flags) < 0) {
		ovsdp_dp_close(*out);
		*out = NULL;
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", *what);
	}
	ovsdp_nl_put_string(m, OVS_DP_ATTR_NAME, name);
	return 0;
}

OVSDP_EXPORT int
ovsdp_dp_create(const char *name, uint32_t upcall_pid, uint32_t user_features,
		struct ovsdp_dp **out, GError **error)
{
	struct ovsdp_dp_info info = { .ifindex = 0 };
	g_autofree char *what = NULL;
	struct ovsdp_dp *dp = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if (out)
		*out = NULL;
	r = dp_begin(name, "creating", OVS_DP_CMD_NEW, NLM_F_ECHO, out ? &dp : NULL, &m, &what,
		     error);
	if (r < 0)
		return r;
	ovsdp_buf_put_u32(&m, OVS_DP_ATTR_UPCALL_PID, upcall_pid);
	ovsdp_buf_put_u32(&m, OVS_DP_ATTR_USER_FEATURES, user_features);
	r = ovsdp_dp_transact(dp, &m, one_dp_cb, &info, what, error);
	if (r < 0) {
		ovsdp_dp_close(dp);
		return r;
	}
	g_strlcpy(dp->name, info.name[0] ? info.name : name, sizeof dp->name);
	dp->ifindex = info.ifindex;
	dp->user_features = user_features;
	*out = dp;
	return 0;
}

OVSDP_EXPORT int
ovsdp_dp_open(const char *name, struct ovsdp_dp **out, GError **error)
{
	struct ovsdp_dp_info info;
	g_autofree char *what = NULL;
	struct ovsdp_dp *dp = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if (out)
		*out = NULL;
	r = dp_begin(name, "opening", OVS_DP_CMD_GET, 0, out ? &dp : NULL, &m, &what, error);
	if (r < 0)
		return r;
	memset(&info, 0, sizeof info);
	r = ovsdp_dp_transact(dp, &m, one_dp_cb, &info, what, error);
	if (r < 0) {
		ovsdp_dp_close(dp);
		return r;
	}
	g_strlcpy(dp->name, info.name, sizeof dp->name);
	dp->ifindex = info.ifindex;
	dp->user_features = info.user_features;
	*out = dp;
	return 0;
}

OVSDP_EXPORT void
ovsdp_dp_close(struct ovsdp_dp *dp)
{
	if (!dp)
		return;
	ovsdp_nl_close(dp->nl);
	pthread_mutex_destroy(&dp->lock);
	g_free(dp);
}

OVSDP_EXPORT int
ovsdp_dp_del(struct ovsdp_dp *dp, GError **error)
{
	g_autofree char *what = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;

	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "deleting a datapath: no handle");
	what = g_strdup_printf("deleting datapath %s", dp->name);
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_DATAPATH, OVS_DP_CMD_DEL, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	return ovsdp_dp_transact(dp, &m, NULL, NULL, what, error);
}

OVSDP_EXPORT const char *
ovsdp_dp_name(const struct ovsdp_dp *dp)
{
	return dp ? dp->name : "";
}

OVSDP_EXPORT int
ovsdp_dp_ifindex(const struct ovsdp_dp *dp)
{
	return dp ? dp->ifindex : -EINVAL;
}

OVSDP_EXPORT int
ovsdp_dp_packet_family(const struct ovsdp_dp *dp)
{
	if (!dp || !dp->nl->fam[OVSDP_FAMILY_PACKET].present)
		return -EINVAL;
	return dp->nl->fam[OVSDP_FAMILY_PACKET].id;
}

OVSDP_EXPORT bool
ovsdp_dp_execute_has_upcall_pid(const struct ovsdp_dp *dp)
{
	return dp && dp->nl->fam[OVSDP_FAMILY_PACKET].maxattr >= OVSDP_PACKET_ATTR_UPCALL_PID;
}

OVSDP_EXPORT int
ovsdp_dp_get_info(struct ovsdp_dp *dp, struct ovsdp_dp_info *out, GError **error)
{
	g_autofree char *what = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if (!dp || !out)
		return ovsdp_set_error(error, -EINVAL, NULL, "reading a datapath: bad arguments");
	what = g_strdup_printf("reading datapath %s", dp->name);
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_DATAPATH, OVS_DP_CMD_GET, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	memset(out, 0, sizeof *out);
	r = ovsdp_dp_transact(dp, &m, one_dp_cb, out, what, error);
	if (r == 0)
		dp->user_features = out->user_features;
	return r;
}

static int
list_cb(struct nlmsghdr *nlh, void *arg)
{
	GArray *a = arg;
	struct ovsdp_dp_info info;
	int r = ovsdp_dp_parse_reply(nlh, &info);

	if (r == 0)
		g_array_append_val(a, info);
	return r;
}

OVSDP_EXPORT int
ovsdp_dp_list(struct ovsdp_dp_info **out, GError **error)
{
	struct ovsdp_nl *nl = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	GArray *a;
	size_t off;
	int r;

	if (!out)
		return ovsdp_set_error(error, -EINVAL, NULL, "listing datapaths: bad arguments");
	*out = NULL;
	r = ovsdp_nl_open(false, &nl, error);
	if (r < 0)
		return r;
	if (ovsdp_nl_msg_begin(nl, &m, OVSDP_FAMILY_DATAPATH, OVS_DP_CMD_GET, NLM_F_DUMP, 0,
			       &off) < 0) {
		ovsdp_nl_close(nl);
		return ovsdp_set_error(error, -ENOMEM, NULL, "listing datapaths");
	}
	a = g_array_new(FALSE, TRUE, sizeof(struct ovsdp_dp_info));
	r = ovsdp_nl_transact(nl, &m, list_cb, a, "listing datapaths", error);
	ovsdp_nl_close(nl);
	if (r < 0) {
		g_array_free(a, TRUE);
		return r;
	}
	r = (int)a->len;
	*out = r ? (struct ovsdp_dp_info *)(void *)g_array_free(a, FALSE) : NULL;
	if (!r)
		g_array_free(a, TRUE);
	return r;
}

OVSDP_EXPORT uint32_t
ovsdp_dp_user_features(const struct ovsdp_dp *dp)
{
	return dp ? dp->user_features : 0;
}

/* OVS_DP_CMD_SET carrying the whole feature set plus what 'extra' adds. */
static int
dp_set(struct ovsdp_dp *dp, uint32_t features, int (*extra)(struct ovsdp_buf *, const void *),
       const void *extra_arg, const char *what, GError **error)
{
	struct ovsdp_dp_info info;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_DATAPATH, OVS_DP_CMD_SET, NLM_F_ECHO) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	ovsdp_buf_put_u32(&m, OVS_DP_ATTR_USER_FEATURES, features);
	if (extra && extra(&m, extra_arg) < 0) {
		ovsdp_buf_clear(&m);
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s", what);
	}
	memset(&info, 0, sizeof info);
	info.user_features = features;
	r = ovsdp_dp_transact(dp, &m, one_dp_cb, &info, what, error);
	if (r == 0)
		dp->user_features = info.user_features;
	return r;
}

OVSDP_EXPORT int
ovsdp_dp_set_user_features(struct ovsdp_dp *dp, uint32_t features, GError **error)
{
	g_autofree char *what = NULL;

	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "setting user features: no handle");
	what = g_strdup_printf("setting user features 0x%x on datapath %s", features, dp->name);
	return dp_set(dp, features, NULL, NULL, what, error);
}

struct pid_array {
	const uint32_t *pids;
	size_t n;
};

static int
put_per_cpu_pids(struct ovsdp_buf *m, const void *arg)
{
	const struct pid_array *p = arg;

	return ovsdp_buf_put_attr(m, OVS_DP_ATTR_PER_CPU_PIDS, p->pids, p->n * sizeof *p->pids) ==
		OVSDP_BUF_TOO_BIG ? -EMSGSIZE : 0;
}

OVSDP_EXPORT int
ovsdp_dp_set_per_cpu_pids(struct ovsdp_dp *dp, const uint32_t *pids, size_t n, GError **error)
{
	struct pid_array p = { pids, n };
	g_autofree char *what = NULL;

	if (!dp || !pids || n == 0 || n > 65536)
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "setting per-cpu upcall pids: need 1 to 65536 pids");
	what = g_strdup_printf("setting %zu per-cpu upcall pids on datapath %s", n, dp->name);
	return dp_set(dp, dp->user_features | OVSDP_DP_F_DISPATCH_UPCALL_PER_CPU,
		      put_per_cpu_pids, &p, what, error);
}

static int
per_cpu_pids_cb(struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_pids_out *p = arg;
	struct nlattr *tb[OVS_DP_ATTR_MAX + 1];

	if (ovsdp_nl_parse(nlh, &ovsdp_dp_policy, tb, NULL) < 0)
		return -EPROTO;
	p->n = ovsdp_attr_u32_array(tb[OVS_DP_ATTR_PER_CPU_PIDS], p->pids, p->max);
	return 0;
}

OVSDP_EXPORT int
ovsdp_dp_get_per_cpu_pids(struct ovsdp_dp *dp, uint32_t *pids, size_t max, GError **error)
{
	struct ovsdp_pids_out p = { pids, max, 0 };
	g_autofree char *what = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if (!dp || (!pids && max))
		return ovsdp_set_error(error, -EINVAL, NULL, "reading per-cpu pids: bad arguments");
	what = g_strdup_printf("reading the per-cpu upcall pids of datapath %s", dp->name);
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_DATAPATH, OVS_DP_CMD_GET, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	r = ovsdp_dp_transact(dp, &m, per_cpu_pids_cb, &p, what, error);
	return r < 0 ? r : p.n;
}

static int
put_cache_size(struct ovsdp_buf *m, const void *arg)
{
	ovsdp_buf_put_u32(m, OVS_DP_ATTR_MASKS_CACHE_SIZE, *(const uint32_t *)arg);
	return 0;
}

OVSDP_EXPORT int
ovsdp_dp_set_masks_cache_size(struct ovsdp_dp *dp, uint32_t size, GError **error)
{
	g_autofree char *what = NULL;

	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "setting the masks cache size: no handle");
	what = g_strdup_printf("setting the masks cache size of datapath %s to %u", dp->name, size);
	/* Older kernels would silently ignore the attribute. */
	if (dp->nl->fam[OVSDP_FAMILY_DATAPATH].maxattr < OVS_DP_ATTR_MASKS_CACHE_SIZE)
		return ovsdp_set_error(error, -EOPNOTSUPP, NULL, "%s", what);
	return dp_set(dp, dp->user_features, put_cache_size, &size, what, error);
}
