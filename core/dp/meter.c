/* meter.c: the ovs_meter family: features, set, get and delete.  The
 * kernel has no dump for meters, so listing reads ids one at a time. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "dp/datapath-internal.h"
#include "ovsdp/meter.h"

G_STATIC_ASSERT(OVSDP_METER_BAND_DROP == OVS_METER_BAND_TYPE_DROP);

/* -EOPNOTSUPP with a message when the kernel lacks ovs_meter. */
static int
need_family(struct ovsdp_dp *dp, const char *what, GError **error)
{
	if (!dp)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: no datapath", what);
	if (!dp->nl->fam[OVSDP_FAMILY_METER].present)
		return ovsdp_set_error(error, -EOPNOTSUPP, NULL,
				       "%s: this kernel has no ovs_meter generic netlink family "
				       "(openvswitch meters need Linux 4.15 or later)", what);
	return 0;
}

/* The meter family's policy, and its bands'. */
static const struct nla_policy meter_nla[OVS_METER_ATTR_MAX + 1] = {
	[OVS_METER_ATTR_ID] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_METER_ATTR_KBPS] = { .type = NLA_FLAG },
	[OVS_METER_ATTR_STATS] = OVSDP_NLA_EXACT(NLA_UNSPEC, sizeof(struct ovs_flow_stats)),
	[OVS_METER_ATTR_BANDS] = { .type = NLA_NESTED },
	[OVS_METER_ATTR_USED] = OVSDP_NLA_EXACT(NLA_U64, 8),
	[OVS_METER_ATTR_MAX_METERS] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_METER_ATTR_MAX_BANDS] = OVSDP_NLA_EXACT(NLA_U32, 4),
};
static const struct ovsdp_nl_policy meter_policy = {
	.where = "a meter reply", .maxattr = OVS_METER_ATTR_MAX, .nla = meter_nla,
};
static const struct nla_policy band_nla[OVS_BAND_ATTR_MAX + 1] = {
	[OVS_BAND_ATTR_TYPE] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_BAND_ATTR_RATE] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_BAND_ATTR_BURST] = OVSDP_NLA_EXACT(NLA_U32, 4),
	[OVS_BAND_ATTR_STATS] = OVSDP_NLA_EXACT(NLA_UNSPEC, sizeof(struct ovs_flow_stats)),
};
static const struct ovsdp_nl_policy band_policy = {
	.where = "a meter band", .maxattr = OVS_BAND_ATTR_MAX, .nla = band_nla,
};

static int
features_cb(struct nlmsghdr *nlh, void *arg)
{
	struct ovsdp_meter_features *f = arg;
	struct nlattr *tb[OVS_METER_ATTR_MAX + 1];
	struct nlattr *band;
	int rem;

	if (ovsdp_nl_parse(nlh, &meter_policy, tb, NULL) < 0)
		return -EPROTO;
	ovsdp_attr_u32(tb[OVS_METER_ATTR_MAX_METERS], &f->max_meters);
	ovsdp_attr_u32(tb[OVS_METER_ATTR_MAX_BANDS], &f->max_bands);
	if (tb[OVS_METER_ATTR_BANDS]) {
		nla_for_each_nested(band, tb[OVS_METER_ATTR_BANDS], rem) {
			struct nlattr *bt[OVS_BAND_ATTR_MAX + 1];
			uint32_t type;

			if (ovsdp_nla_parse_nested(bt, &band_policy, band) < 0)
				return -EPROTO;
			if (ovsdp_attr_u32(bt[OVS_BAND_ATTR_TYPE], &type) && type < 32)
				f->band_types |= 1u << type;
		}
	}
	return 0;
}

OVSDP_EXPORT int
ovsdp_meter_features(struct ovsdp_dp *dp, struct ovsdp_meter_features *out, GError **error)
{
	const char *what = "reading meter features";
	struct ovsdp_meter_features f;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if (!out)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad arguments", what);
	if ((r = need_family(dp, what, error)))
		return r;
	memset(&f, 0, sizeof f);
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_METER, OVS_METER_CMD_FEATURES, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	r = ovsdp_dp_transact(dp, &m, features_cb, &f, what, error);
	if (r < 0)
		return r;
	/* The kernel meters in either unit (OVS_METER_ATTR_KBPS or not). */
	f.kbps = f.pktps = true;
	*out = f;
	return 0;
}

struct stats_reply {
	struct ovsdp_meter_stats *st;
	bool has_stats;
};

/* Counters whose size the policy checked. */
static bool
get_counts(const struct nlattr *a, struct ovsdp_meter_counts *c)
{
	struct ovs_flow_stats s;

	memcpy(&s, nla_data(a), sizeof s);
	c->packets = s.n_packets;
	c->bytes = s.n_bytes;
	return true;
}

static int
stats_cb(struct nlmsghdr *nlh, void *arg)
{
	struct stats_reply *sr = arg;
	struct ovsdp_meter_stats *st = sr->st;
	struct nlattr *tb[OVS_METER_ATTR_MAX + 1];
	struct nlattr *band;
	int rem;

	if (ovsdp_nl_parse(nlh, &meter_policy, tb, NULL) < 0)
		return -EPROTO;
	memset(st, 0, sizeof *st);
	ovsdp_attr_u32(tb[OVS_METER_ATTR_ID], &st->id);
	if (!tb[OVS_METER_ATTR_STATS])
		return 0;
	if (!get_counts(tb[OVS_METER_ATTR_STATS], &st->total))
		return -EPROTO;
	sr->has_stats = true;
	ovsdp_attr_u64(tb[OVS_METER_ATTR_USED], &st->used_ms);
	if (!tb[OVS_METER_ATTR_BANDS])
		return 0;
	nla_for_each_nested(band, tb[OVS_METER_ATTR_BANDS], rem) {
		struct nlattr *bt[OVS_BAND_ATTR_MAX + 1];

		if (st->n_bands >= OVSDP_METER_BANDS_MAX)
			break;
		if (ovsdp_nla_parse_nested(bt, &band_policy, band) < 0)
			return -EPROTO;
		if (bt[OVS_BAND_ATTR_STATS] &&
		    !get_counts(bt[OVS_BAND_ATTR_STATS], &st->bands[st->n_bands]))
			return -EPROTO;
		st->n_bands++;
	}
	return 0;
}

OVSDP_EXPORT int
ovsdp_meter_set(struct ovsdp_dp *dp, uint32_t id, uint32_t flags,
		const struct ovsdp_meter_band *bands, size_t n_bands, GError **error)
{
	g_autofree char *what = g_strdup_printf("setting meter %u", id);
	struct ovsdp_meter_stats old;
	struct stats_reply sr = { &old, false };
	size_t nest;
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if ((r = need_family(dp, what, error)))
		return r;
	if (!bands || n_bands == 0)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: a meter needs at least one band",
				       what);
	if ((flags & OVSDP_METER_F_KBPS) && (flags & OVSDP_METER_F_PKTPS))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: kbps and pktps are exclusive",
				       what);
	if (flags & ~(OVSDP_METER_F_KBPS | OVSDP_METER_F_PKTPS | OVSDP_METER_F_BURST |
		      OVSDP_METER_F_STATS))
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: unknown flags 0x%x", what, flags);
	for (size_t i = 0; i < n_bands; i++) {
		if (bands[i].type != OVSDP_METER_BAND_DROP)
			return ovsdp_set_error(error, -EINVAL, NULL,
					       "%s: band %zu: unknown type %u (only drop)", what,
					       i + 1, bands[i].type);
		if (bands[i].rate == 0)
			return ovsdp_set_error(error, -EINVAL, NULL, "%s: band %zu: rate must be > 0",
					       what, i + 1);
		if (bands[i].burst && !(flags & OVSDP_METER_F_BURST))
			return ovsdp_set_error(error, -EINVAL, NULL,
					       "%s: band %zu: a burst size needs the burst flag",
					       what, i + 1);
	}
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_METER, OVS_METER_CMD_SET, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	ovsdp_buf_put_u32(&m, OVS_METER_ATTR_ID, id);
	if (!(flags & OVSDP_METER_F_PKTPS))
		ovsdp_buf_put_flag(&m, OVS_METER_ATTR_KBPS);
	nest = ovsdp_buf_nest_start(&m, OVS_METER_ATTR_BANDS);
	for (size_t i = 0; i < n_bands; i++) {
		size_t b = ovsdp_buf_nest_start(&m, OVS_BAND_ATTR_UNSPEC);

		ovsdp_buf_put_u32(&m, OVS_BAND_ATTR_TYPE, bands[i].type);
		ovsdp_buf_put_u32(&m, OVS_BAND_ATTR_RATE, bands[i].rate);
		ovsdp_buf_put_u32(&m, OVS_BAND_ATTR_BURST,
			    (flags & OVSDP_METER_F_BURST) ? bands[i].burst : bands[i].rate);
		ovsdp_buf_nest_end(&m, b);
	}
	ovsdp_buf_nest_end(&m, nest);
	return ovsdp_dp_transact(dp, &m, stats_cb, &sr, what, error);
}

static int
meter_simple(struct ovsdp_dp *dp, uint8_t cmd, uint32_t id, struct ovsdp_meter_stats *out,
	     const char *what, GError **error)
{
	struct ovsdp_meter_stats st;
	struct stats_reply sr = { &st, false };
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	int r;

	if ((r = need_family(dp, what, error)))
		return r;
	if (ovsdp_dp_request(dp, &m, OVSDP_FAMILY_METER, cmd, 0) < 0)
		return ovsdp_set_error(error, -ENOMEM, NULL, "%s", what);
	ovsdp_buf_put_u32(&m, OVS_METER_ATTR_ID, id);
	r = ovsdp_dp_transact(dp, &m, stats_cb, &sr, what, error);
	if (r < 0)
		return r;
	/* DEL of a missing meter is acknowledged with the id alone. */
	if (!sr.has_stats)
		return ovsdp_set_error(error, -ENOENT, NULL, "%s: no such meter", what);
	st.id = id;
	if (out)
		*out = st;
	return 0;
}

OVSDP_EXPORT int
ovsdp_meter_get(struct ovsdp_dp *dp, uint32_t id, struct ovsdp_meter_stats *out, GError **error)
{
	g_autofree char *what = g_strdup_printf("reading meter %u", id);

	if (!out)
		return ovsdp_set_error(error, -EINVAL, NULL, "%s: bad arguments", what);
	return meter_simple(dp, OVS_METER_CMD_GET, id, out, what, error);
}

OVSDP_EXPORT int
ovsdp_meter_del(struct ovsdp_dp *dp, uint32_t id, struct ovsdp_meter_stats *out, GError **error)
{
	g_autofree char *what = g_strdup_printf("deleting meter %u", id);

	return meter_simple(dp, OVS_METER_CMD_DEL, id, out, what, error);
}

OVSDP_EXPORT int
ovsdp_meter_list(struct ovsdp_dp *dp, uint32_t limit, struct ovsdp_meter_stats **out,
		 GError **error)
{
	GArray *a;
	int r;

	if (!out)
		return ovsdp_set_error(error, -EINVAL, NULL, "listing meters: bad arguments");
	*out = NULL;
	if ((r = need_family(dp, "listing meters", error)))
		return r;
	a = g_array_new(FALSE, FALSE, sizeof(struct ovsdp_meter_stats));
	for (uint32_t id = 0; id < limit; id++) {
		struct ovsdp_meter_stats st;
		GError *e = NULL;

		r = ovsdp_meter_get(dp, id, &st, &e);
		if (r == -ENOENT) {
			g_clear_error(&e);
			continue;
		}
		if (r < 0) {
			g_propagate_error(error, e);
			g_array_free(a, TRUE);
			return r;
		}
		g_array_append_val(a, st);
	}
	r = (int)a->len;
	*out = r ? (struct ovsdp_meter_stats *)g_array_free(a, FALSE) : (g_array_free(a, TRUE), NULL);
	return r;
}
