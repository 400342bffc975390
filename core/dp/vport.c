/* vport.c: the ovs_vport family: adding, deleting, reading and listing a
 * datapath's ports, tunnel options, and the upcall pid arrays that say
 * which sockets receive each port's misses. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp/datapath-internal.h"
#include "ovsdp/vport.h"

G_STATIC_ASSERT((int)OVSDP_VPORT_TYPE_NETDEV == (int)OVS_VPORT_TYPE_NETDEV);
G_STATIC_ASSERT((int)OVSDP_VPORT_TYPE_INTERNAL == (int)OVS_VPORT_TYPE_INTERNAL);
G_STATIC_ASSERT((int)OVSDP_VPORT_TYPE_GRE == (int)OVS_VPORT_TYPE_GRE);
G_STATIC_ASSERT((int)OVSDP_VPORT_TYPE_VXLAN == (int)OVS_VPORT_TYPE_VXLAN);
G_STATIC_ASSERT((int)OVSDP_VPORT_TYPE_GENEVE == (int)OVS_VPORT_TYPE_GENEVE);
G_STATIC_ASSERT(sizeof(struct ovsdp_vport_stats) == sizeof(struct ovs_vport_stats));

/* The parse table must reach OVS_VPORT_ATTR_UPCALL_STATS even when the
 * build host's header predates it. */
#define VPORT_ATTR_MAX OVSDP_VPORT_ATTR_MAX

/* The vport family's policy, its tunnel options and upcall counters. */
static const struct nla_policy vport_nla[VPORT_ATTR_MAX + 1] = {
	[OVS_VPORT_ATTR_PORT_NO] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_VPORT_ATTR_TYPE] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_VPORT_ATTR_NAME] = { .type = NLA_STRING, .maxlen = OVSDP_NAME_MAX },
	[OVS_VPORT_ATTR_OPTIONS] = { .type = NLA_NESTED },
	[OVS_VPORT_ATTR_STATS] = { .minlen = sizeof(struct ovs_vport_stats) },
	[OVS_VPORT_ATTR_IFINDEX] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_VPORT_ATTR_NETNSID] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVSDP_VPORT_ATTR_UPCALL_STATS] = { .type = NLA_NESTED },
};
static const uint16_t vport_array[VPORT_ATTR_MAX + 1] = {
	[OVS_VPORT_ATTR_UPCALL_PID] = sizeof(uint32_t),
};
const struct ovsdp_nl_policy ovsdp_vport_policy = {
	.where = "a vport reply", .maxattr = VPORT_ATTR_MAX, .nla = vport_nla,
	.array = vport_array,
};

static const struct nla_policy tunnel_nla[OVS_TUNNEL_ATTR_MAX + 1] = {
	[OVS_TUNNEL_ATTR_DST_PORT] = OVSDP_NLA_EXACT(NLA_U16, 2),
};
static const struct ovsdp_nl_policy tunnel_policy = {
	.where = "vport options", .maxattr = OVS_TUNNEL_ATTR_MAX, .nla = tunnel_nla,
};

/* Counters whose types start at 0 (libnl's nla_parse() would drop them). */
static const struct nla_policy upcall_stats_nla[OVSDP_VPORT_UPCALL_ATTR_FAIL + 1] = {
	[OVSDP_VPORT_UPCALL_ATTR_SUCCESS] = OVSDP_NLA_EXACT(NLA_U64, 8),
	[OVSDP_VPORT_UPCALL_ATTR_FAIL] = OVSDP_NLA_EXACT(NLA_U64, 8),
};
static const struct ovsdp_nl_policy upcall_stats_policy = {
	.where = "vport upcall stats", .maxattr = OVSDP_VPORT_UPCALL_ATTR_FAIL,
	.nla = upcall_stats_nla,
};

#define VXLAN_DEFAULT_PORT 4789
#define GENEVE_DEFAULT_PORT 6081
#define MAX_UPCALL_PIDS 65536

static const char *const type_names[] = {
	[OVSDP_VPORT_TYPE_UNSPEC] = "unspec",
	[OVSDP_VPORT_TYPE_NETDEV] = "netdev",
	[OVSDP_VPORT_TYPE_INTERNAL] = "internal",
	[OVSDP_VPORT_TYPE_GRE] = "gre",
	[OVSDP_VPORT_TYPE_VXLAN] = "vxlan",
	[OVSDP_VPORT_TYPE_GENEVE] = "geneve",
};

OVSDP_EXPORT const char *
ovsdp_vport_type_str(uint32_t type)
{
	return type < G_N_ELEMENTS(type_names) ? type_names[type] : "unknown";
}

OVSDP_EXPORT int
ovsdp_vport_type_from_str(const char *name)
{
	if (!name)
		return -EINVAL;
	/* OVS calls a plain device "system". */
	if (!strcmp(name, "system"))
		return OVSDP_VPORT_TYPE_NETDEV;
	for (unsigned int i = 1; i < G_N_ELEMENTS(type_names); i++)
		if (!strcmp(name, type_names[i]))
			return (int)i;
	return -EINVAL;
}

/* Read the upcall success/fail counters (u64s whose types start at 0). */
static int
parse_upcall_stats(const struct nlattr *nest, struct ovsdp_vport_info *info)
{
	struct nlattr *tb[OVSDP_VPORT_UPCALL_ATTR_FAIL + 1];

	if (ovsdp_nla_parse_nested(tb, &upcall_stats_policy, nest) < 0)
		return -EPROTO;
	ovsdp_attr_u64(tb[OVSDP_VPORT_UPCALL_ATTR_SUCCESS], &info->upcall_success);
	ovsdp_attr_u64(tb[OVSDP_VPORT_UPCALL_ATTR_FAIL], &info->upcall_fail);
	info->has_upcall_stats = true;
	return 0;
}

/* Fill *info from a vport reply; also returns the pid array attribute in
 * *pids_attr when asked. */
int
ovsdp_vport_parse_reply(struct nlmsghdr *nlh, struct ovsdp_vport_info *info, struct nlattr **pids_attr)
{
	struct nlattr *tb[VPORT_ATTR_MAX + 1];
	struct nlattr *a;

	memset(info, 0, sizeof *info);
	if (ovsdp_nl_parse(nlh, &ovsdp_vport_policy, tb, &info->dp_ifindex) < 0)
		return -EPROTO;
	if (!ovsdp_attr_u32(tb[OVS_VPORT_ATTR_PORT_NO], &info->port_no) ||
	    !ovsdp_attr_u32(tb[OVS_VPORT_ATTR_TYPE], &info->type) ||
	    !ovsdp_attr_str(tb[OVS_VPORT_ATTR_NAME], info->name, sizeof info->name))
		return -EPROTO;
	ovsdp_attr_u32(tb[OVS_VPORT_ATTR_IFINDEX], (uint32_t *)&info->ifindex);
	info->has_netnsid = ovsdp_attr_u32(tb[OVS_VPORT_ATTR_NETNSID],
					   (uint32_t *)&info->netnsid);
	if ((a = tb[OVS_VPORT_ATTR_STATS]))
		memcpy(&info->stats, nla_data(a), sizeof info->stats);
	if ((a = tb[OVS_VPORT_ATTR_UPCALL_PID])) {
		info->n_upcall_pids = (uint32_t)nla_len(a) / 4;
		if (info->n_upcall_pids)
			memcpy(&info->upcall_pid, nla_data(a), 4);
	}
	if (pids_attr)
		*pids_attr = a;
	if ((a = tb[OVS_VPORT_ATTR_OPTIONS])) {
		struct nlattr *opt[OVS_TUNNEL_ATTR_MAX + 1];

		if (ovsdp_nla_parse_nested(opt, &tunnel_policy, a) < 0)
			return -EPROTO;
		info->has_dst_port = ovsdp_attr_u16(opt[OVS_TUNNEL_ATTR_DST_PORT],
						    &info->dst_port);
	}
	if ((a = tb[OVSDP_VPORT_ATTR_UPCALL_STATS]) && parse_upcall_stats(a, info) < 0)
		return -EPROTO;
	return 0;
}

static int
one_vport_cb(struct nlmsghdr *nlh, void *arg)
{
	return ovsdp_vport_parse_reply(nlh, arg, NULL);
}

OVSDP_EXPORT int
ovsdp_vport_add(struct ovsdp_dp *dp, const struct ovsdp_vport_spec *spec,
		struct ovsdp_vport_info *out, GError **error)
{
	struct ovsdp_vport_info info;
	g_autofree char *what = NULL;
	uint32_t type, zero = 0;
	const uint32_t *pids = &zero;
	size_t n_pids = 1;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if (!dp || !spec || !spec->name || !*spec->name || strlen(spec->name) >= OVSDP_NAME_MAX)
		return ovsdp_set_error(error, -EINVAL, NULL, "adding port %.64s: bad name (1 to %d bytes)",
				       spec && spec->name ? spec->name : "(null)", OVSDP_NAME_MAX - 1);
	what = g_strdup_printf("adding port %s", spec->name);
	type = spec->type ? spec->type : OVSDP_VPORT_TYPE_NETDEV;
	if (type > OVSDP_VPORT_TYPE_GENEVE)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: unknown type %u", what, type);
	if (spec->dst_port && type != OVSDP_VPORT_TYPE_VXLAN && type != OVSDP_VPORT_TYPE_GENEVE)
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: a destination port needs type vxlan or geneve", what);
	if (spec->upcall_pids && spec->n_upcall_pids) {
		if (spec->n_upcall_pids > MAX_UPCALL_PIDS)
			return ovsdp_set_error(error, -EINVAL, NULL, "%s: too many upcall pids",
					       what);
		pids = spec->upcall_pids;
		n_pids = spec->n_upcall_pids;
	}

	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_VPORT, OVS_VPORT_CMD_NEW, NLM_F_ECHO) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	ovsdp_nl_put_string(&m, OVS_VPORT_ATTR_NAME, spec->name);
	ovsdp_buf_put_u32(&m, OVS_VPORT_ATTR_TYPE, type);
	if (spec->port_no)
		ovsdp_buf_put_u32(&m, OVS_VPORT_ATTR_PORT_NO, spec->port_no);
	ovsdp_buf_put_attr(&m, OVS_VPORT_ATTR_UPCALL_PID, pids, n_pids * sizeof *pids);
	if (type == OVSDP_VPORT_TYPE_VXLAN || type == OVSDP_VPORT_TYPE_GENEVE) {
		/* The kernel insists on a destination port for both. */
		uint16_t port = spec->dst_port ? spec->dst_port :
			type == OVSDP_VPORT_TYPE_VXLAN ? VXLAN_DEFAULT_PORT : GENEVE_DEFAULT_PORT;
		size_t opts = ovsdp_buf_nest_start(&m, OVS_VPORT_ATTR_OPTIONS);

		ovsdp_buf_put_u16(&m, OVS_TUNNEL_ATTR_DST_PORT, port);
		ovsdp_buf_nest_end(&m, opts);
	}
	r = ovsdp_dp_transact(dp, &m, one_vport_cb, &info, what, error);
	if (r == 0 && out)
		*out = info;
	return r;
}

static int
vport_simple(struct ovsdp_dp *dp, uint8_t cmd, const char *name, uint32_t port_no,
	     int nlm_flags, ovsdp_nl_reply_fn fn, void *arg, const char *what, GError **error)
{
	struct ovsdp_buf m = OVSDP_BUF_INIT;

	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_VPORT, cmd, nlm_flags) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	if (name)
		ovsdp_nl_put_string(&m, OVS_VPORT_ATTR_NAME, name);
	else
		ovsdp_buf_put_u32(&m, OVS_VPORT_ATTR_PORT_NO, port_no);
	return ovsdp_dp_transact(dp, &m, fn, arg, what, error);
}

/* Delete a port; when it was a tunnel device ovsdp created over
 * rtnetlink (tunnel.c), the device goes too, as with internal ports.  The
 * kernel's echo of the deleted port says which device it was. */
static int
vport_del(struct ovsdp_dp *dp, const char *name, uint32_t port_no, const char *what,
	  GError **error)
{
	struct ovsdp_vport_info info = { .type = OVSDP_VPORT_TYPE_UNSPEC };
	char kmsg[160] = "";
	int r = vport_simple(dp, OVS_VPORT_CMD_DEL, name, port_no, NLM_F_ECHO, one_vport_cb,
			     &info, what, error);

	if (r < 0)
		return r;
	r = ovsdp_tunnel_device_cleanup(&info, kmsg, sizeof kmsg);
	if (r < 0)
		return ovsdp_set_error(error, r, kmsg, "%s: deleting its tunnel device %s", what,
				       info.name);
	return 0;
}

OVSDP_EXPORT int
ovsdp_vport_del_by_name(struct ovsdp_dp *dp, const char *name, GError **error)
{
	g_autofree char *what = NULL;

	if (!dp || !name || !*name || strlen(name) >= OVSDP_NAME_MAX)
		return ovsdp_set_error(error, -EINVAL, NULL, "deleting port %.64s: bad name (1 to %d bytes)",
				       name ? name : "(null)", OVSDP_NAME_MAX - 1);
	what = g_strdup_printf("deleting port %s", name);
	return vport_del(dp, name, 0, what, error);
}

OVSDP_EXPORT int
ovsdp_vport_del(struct ovsdp_dp *dp, uint32_t port_no, GError **error)
{
	g_autofree char *what = g_strdup_printf("deleting port %u", port_no);

	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: no datapath", what);
	return vport_del(dp, NULL, port_no, what, error);
}

OVSDP_EXPORT int
ovsdp_vport_get_by_name(struct ovsdp_dp *dp, const char *name, struct ovsdp_vport_info *out,
			GError **error)
{
	g_autofree char *what = NULL;

	if (!dp || !out || !name || !*name || strlen(name) >= OVSDP_NAME_MAX)
		return ovsdp_set_error(error, -EINVAL, NULL, "reading port %s: bad arguments",
				       name ? name : "(null)");
	what = g_strdup_printf("reading port %s", name);
	return vport_simple(dp, OVS_VPORT_CMD_GET, name, 0, 0, one_vport_cb, out, what, error);
}

OVSDP_EXPORT int
ovsdp_vport_get(struct ovsdp_dp *dp, uint32_t port_no, struct ovsdp_vport_info *out,
		GError **error)
{
	g_autofree char *what = g_strdup_printf("reading port %u", port_no);

	if (!dp || !out)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad arguments", what);
	return vport_simple(dp, OVS_VPORT_CMD_GET, NULL, port_no, 0, one_vport_cb, out, what,
			    error);
}

static int
list_cb(struct nlmsghdr *nlh, void *arg)
{
	GArray *a = arg;
	struct ovsdp_vport_info info;
	int r = ovsdp_vport_parse_reply(nlh, &info, NULL);

	if (r == 0)
		g_array_append_val(a, info);
	return r;
}

static gint
by_port_no(gconstpointer a, gconstpointer b)
{
	const struct ovsdp_vport_info *x = a, *y = b;

	return x->port_no < y->port_no ? -1 : x->port_no > y->port_no;
}

OVSDP_EXPORT int
ovsdp_vport_list(struct ovsdp_dp *dp, struct ovsdp_vport_info **out, GError **error)
{
	g_autofree char *what = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	GArray *a;
	int r;

	if (!dp || !out)
		return ovsdp_set_error(error, -EINVAL, NULL, "listing ports: bad arguments");
	*out = NULL;
	what = g_strdup_printf("listing the ports of datapath %s", dp->name);
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_VPORT, OVS_VPORT_CMD_GET, NLM_F_DUMP) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	a = g_array_new(FALSE, TRUE, sizeof(struct ovsdp_vport_info));
	r = ovsdp_dp_transact(dp, &m, list_cb, a, what, error);
	if (r < 0 || a->len == 0) {
		g_array_free(a, TRUE);
		return r;
	}
	g_array_sort(a, by_port_no);
	r = (int)a->len;
	*out = (struct ovsdp_vport_info *)(void *)g_array_free(a, FALSE);
	return r;
}

OVSDP_EXPORT int
ovsdp_vport_set_upcall_pids(struct ovsdp_dp *dp, uint32_t port_no, const uint32_t *pids,
			    size_t n, GError **error)
{
	g_autofree char *what = g_strdup_printf("setting the upcall pids of port %u", port_no);
	struct ovsdp_buf m = OVSDP_BUF_INIT;

	if (!dp || !pids || n == 0 || n > MAX_UPCALL_PIDS)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: need 1 to %d pids", what,
				       MAX_UPCALL_PIDS);
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_VPORT, OVS_VPORT_CMD_SET, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	ovsdp_buf_put_u32(&m, OVS_VPORT_ATTR_PORT_NO, port_no);
	if (ovsdp_buf_put_attr(&m, OVS_VPORT_ATTR_UPCALL_PID, pids, n * sizeof *pids) ==
	    OVSDP_BUF_TOO_BIG) {
		ovsdp_buf_clear(&m);
		return ovsdp_set_error(error, -EMSGSIZE, NULL, "%s", what);
	}
	return ovsdp_dp_transact(dp, &m, NULL, NULL, what, error);
}

static int
pids_cb(struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_pids_out *p = arg;
	struct ovsdp_vport_info info;
	struct nlattr *a = NULL;
	int r = ovsdp_vport_parse_reply(nlh, &info, &a);

	if (r < 0)
		return r;
	p->n = ovsdp_attr_u32_array(a, p->pids, p->max);
	return 0;
}

OVSDP_EXPORT int
ovsdp_vport_get_upcall_pids(struct ovsdp_dp *dp, uint32_t port_no, uint32_t *pids, size_t max,
			    GError **error)
{
	g_autofree char *what = g_strdup_printf("reading the upcall pids of port %u", port_no);
	struct ovsdp_pids_out p = { pids, max, 0 };
	int r;

	if (!dp || (!pids && max))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad arguments", what);
	r = vport_simple(dp, OVS_VPORT_CMD_GET, NULL, port_no, 0, pids_cb, &p, what, error);
	return r < 0 ? r : p.n;
}

/* The datapath's own port (OVSDP_PORT_LOCAL) is a vport: its pid is set
 * as any port's. */
OVSDP_EXPORT int
ovsdp_dp_set_upcall_pid(struct ovsdp_dp *dp, uint32_t pid, GError **error)
{
	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "setting the upcall pid: no handle");
	return ovsdp_vport_set_upcall_pids(dp, OVSDP_PORT_LOCAL, &pid, 1, error);
}
