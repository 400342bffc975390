/* ct-limit.c: the ovs_ct_limit family: conntrack connection limits per
 * zone, and the default for zones without one.  Requests and replies carry
 * one OVS_CT_LIMIT_ATTR_ZONE_LIMIT attribute whose payload is an array of
 * struct ovs_zone_limit. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dp/datapath-internal.h"
#include "ovsdp/ct-limit.h"

G_STATIC_ASSERT(OVSDP_CT_ZONE_DEFAULT == OVS_ZONE_LIMIT_DEFAULT_ZONE);

/* Each array element is padded to the netlink alignment. */
#define ZL_STRIDE NLA_ALIGN(sizeof(struct ovs_zone_limit))

static int
check(struct ovsdp_dp *dp, size_t n, bool need_n, const char *what, GError **error)
{
	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: no datapath", what);
	if (need_n && n == 0)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: no zone given", what);
	if (n > OVSDP_CT_ZONE_MAX + 2)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: too many zones (%zu)", what, n);
	if (!dp->nl->fam[OVSDP_FAMILY_CT_LIMIT].present)
		return ovsdp_set_error(error, -EOPNOTSUPP, NULL,
				       "%s: this kernel has no ovs_ct_limit generic netlink family "
				       "(conntrack limits need Linux 4.18 or later with "
				       "CONFIG_NETFILTER_CONNCOUNT)", what);
	return 0;
}

static int
check_zone(int32_t zone, const char *what, GError **error)
{
	if (zone != OVSDP_CT_ZONE_DEFAULT && (zone < 0 || zone > OVSDP_CT_ZONE_MAX))
		return ovsdp_set_error(error, -EINVAL, NULL,
				       "%s: zone %d is out of range (0..%d, or the default)", what,
				       zone, OVSDP_CT_ZONE_MAX);
	return 0;
}

/* A request carrying the 'n' zone limits as one array attribute. */
static int
zl_request(struct ovsdp_dp *dp, struct ovsdp_buf *m, uint8_t cmd,
	   const struct ovs_zone_limit *zl, size_t n)
{
	size_t a;

	if (ovsdp_dp_request(dp, m, OVSDP_FAMILY_CT_LIMIT, cmd, 0) < 0)
		return -ENOENT;
	if (n == 0)
		return 0;
	a = ovsdp_buf_put_attr(m, OVS_CT_LIMIT_ATTR_ZONE_LIMIT, NULL, n * ZL_STRIDE);
	if (a == OVSDP_BUF_TOO_BIG) {
		ovsdp_buf_clear(m);
		return -EMSGSIZE;
	}
	for (size_t i = 0; i < n; i++)
		memcpy(m->data + a + NLA_HDRLEN + i * ZL_STRIDE, &zl[i], sizeof zl[i]);
	return 0;
}

OVSDP_EXPORT int
ovsdp_ct_limit_set(struct ovsdp_dp *dp, const struct ovsdp_ct_zone_limit *limits, size_t n,
		   GError **error)
{
	const char *what = "setting conntrack limits";
	g_autofree struct ovs_zone_limit *zl = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if ((r = check(dp, n, true, what, error)))
		return r;
	if (!limits)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad arguments", what);
	zl = g_new0(struct ovs_zone_limit, n);
	for (size_t i = 0; i < n; i++) {
		if ((r = check_zone(limits[i].zone, what, error)))
			return r;
		zl[i].zone_id = limits[i].zone;
		zl[i].limit = limits[i].limit;
	}
	if (zl_request(dp, &m, OVS_CT_LIMIT_CMD_SET, zl, n) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	return ovsdp_dp_transact(dp, &m, NULL, NULL, what, error);
}

/* The conntrack limit family's policy: the zone limits are one array. */
static const uint16_t ct_limit_array[OVS_CT_LIMIT_ATTR_MAX + 1] = {
	[OVS_CT_LIMIT_ATTR_ZONE_LIMIT] = ZL_STRIDE,
};
static const struct ovsdp_nl_policy ct_limit_policy = {
	.where = "a conntrack limit reply", .maxattr = OVS_CT_LIMIT_ATTR_MAX,
	.array = ct_limit_array,
};

static int
get_cb(struct nlmsghdr *nlh, void *arg)
{
	GArray *out = arg;
	struct nlattr *tb[OVS_CT_LIMIT_ATTR_MAX + 1];
	const char *p;
	int len;

	if (ovsdp_nl_parse(nlh, &ct_limit_policy, tb, NULL) < 0)
		return -EPROTO;
	if (!tb[OVS_CT_LIMIT_ATTR_ZONE_LIMIT])
		return 0;
	p = nla_data(tb[OVS_CT_LIMIT_ATTR_ZONE_LIMIT]);
	len = nla_len(tb[OVS_CT_LIMIT_ATTR_ZONE_LIMIT]);
	for (; len > 0; p += ZL_STRIDE, len -= (int)ZL_STRIDE) {
		struct ovs_zone_limit z;
		struct ovsdp_ct_zone_limit e;

		memcpy(&z, p, sizeof z);
		e.zone = z.zone_id;
		e.limit = z.limit;
		e.count = z.count;
		g_array_append_val(out, e);
	}
	return 0;
}

OVSDP_EXPORT int
ovsdp_ct_limit_get(struct ovsdp_dp *dp, const int32_t *zones, size_t n,
		   struct ovsdp_ct_zone_limit **out, GError **error)
{
	const char *what = "reading conntrack limits";
	g_autofree struct ovs_zone_limit *zl = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	GArray *a;
	int r;

	if (!out || (n && !zones))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad arguments", what);
	*out = NULL;
	if ((r = check(dp, n, false, what, error)))
		return r;
	zl = g_new0(struct ovs_zone_limit, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		if ((r = check_zone(zones[i], what, error)))
			return r;
		zl[i].zone_id = zones[i];
	}
	if (zl_request(dp, &m, OVS_CT_LIMIT_CMD_GET, zl, n) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	a = g_array_new(FALSE, FALSE, sizeof(struct ovsdp_ct_zone_limit));
	r = ovsdp_dp_transact(dp, &m, get_cb, a, what, error);
	if (r < 0) {
		g_array_free(a, TRUE);
		return r;
	}
	r = (int)a->len;
	if (r)
		*out = (struct ovsdp_ct_zone_limit *)g_array_free(a, FALSE);
	else
		g_array_free(a, TRUE);
	return r;
}

OVSDP_EXPORT int
ovsdp_ct_limit_del(struct ovsdp_dp *dp, const int32_t *zones, size_t n, GError **error)
{
	const char *what = "deleting conntrack limits";
	g_autofree struct ovs_zone_limit *zl = NULL;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if ((r = check(dp, n, true, what, error)))
		return r;
	if (!zones)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad arguments", what);
	zl = g_new0(struct ovs_zone_limit, n);
	for (size_t i = 0; i < n; i++) {
		if ((r = check_zone(zones[i], what, error)))
			return r;
		zl[i].zone_id = zones[i];
	}
	if (zl_request(dp, &m, OVS_CT_LIMIT_CMD_DEL, zl, n) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	return ovsdp_dp_transact(dp, &m, NULL, NULL, what, error);
}
