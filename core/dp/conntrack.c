/* conntrack.c: dump and flush the connection tracker the datapath's ct()
 * action uses, through libnetfilter_conntrack, and print each connection
 * in ovs-dpctl dump-conntrack's text. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "ovsdp/conntrack.h"

static const char *const tcp_state_names[] = {
	[OVSDP_CT_TCP_CLOSED] = "CLOSED",
	[OVSDP_CT_TCP_LISTEN] = "LISTEN",
	[OVSDP_CT_TCP_SYN_SENT] = "SYN_SENT",
	[OVSDP_CT_TCP_SYN_RECV] = "SYN_RECV",
	[OVSDP_CT_TCP_ESTABLISHED] = "ESTABLISHED",
	[OVSDP_CT_TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[OVSDP_CT_TCP_FIN_WAIT_1] = "FIN_WAIT_1",
	[OVSDP_CT_TCP_CLOSING] = "CLOSING",
	[OVSDP_CT_TCP_LAST_ACK] = "LAST_ACK",
	[OVSDP_CT_TCP_FIN_WAIT_2] = "FIN_WAIT_2",
	[OVSDP_CT_TCP_TIME_WAIT] = "TIME_WAIT",
};

OVSDP_EXPORT const char *
ovsdp_ct_tcp_state_name(unsigned int state)
{
	return state < G_N_ELEMENTS(tcp_state_names) ? tcp_state_names[state] : NULL;
}

/* The kernel's TCP_CONNTRACK_* as OVS maps them to its states. */
static uint8_t
tcp_state_from_kernel(uint8_t s)
{
	switch (s) {
	case TCP_CONNTRACK_SYN_SENT:
	case TCP_CONNTRACK_SYN_SENT2:
		return OVSDP_CT_TCP_SYN_SENT;
	case TCP_CONNTRACK_SYN_RECV:
		return OVSDP_CT_TCP_SYN_RECV;
	case TCP_CONNTRACK_ESTABLISHED:
		return OVSDP_CT_TCP_ESTABLISHED;
	case TCP_CONNTRACK_FIN_WAIT:
		return OVSDP_CT_TCP_FIN_WAIT_1;
	case TCP_CONNTRACK_CLOSE_WAIT:
		return OVSDP_CT_TCP_CLOSE_WAIT;
	case TCP_CONNTRACK_LAST_ACK:
		return OVSDP_CT_TCP_LAST_ACK;
	case TCP_CONNTRACK_TIME_WAIT:
		return OVSDP_CT_TCP_TIME_WAIT;
	case TCP_CONNTRACK_CLOSE:
		return OVSDP_CT_TCP_CLOSING;
	default:
		return OVSDP_CT_TCP_CLOSED;
	}
}

static bool
is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

static bool
has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_DCCP;
}

/* The reply's ICMP type for a request type, as the kernel inverts it
 * (libnetfilter_conntrack keeps no ICMP type for the reply direction). */
static uint8_t
icmp_reply_type(uint8_t proto, uint8_t type)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 13, 14 }, { 15, 16 }, { 17, 18 },
					 { 0, 8 }, { 14, 13 }, { 16, 15 }, { 18, 17 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 }, { 139, 140 },
					 { 140, 139 } };
	const uint8_t (*t)[2] = proto == IPPROTO_ICMP ? v4 : v6;
	size_t n = proto == IPPROTO_ICMP ? G_N_ELEMENTS(v4) : G_N_ELEMENTS(v6);

	for (size_t i = 0; i < n; i++)
		if (t[i][0] == type)
			return t[i][1];
	return type;
}

static void
read_tuple(const struct nf_conntrack *ct, bool orig, uint8_t proto, struct ovsdp_ct_tuple *t)
{
	t->family = nfct_get_attr_u8(ct, orig ? ATTR_ORIG_L3PROTO : ATTR_REPL_L3PROTO);
	if (t->family == AF_INET) {
		uint32_t s = nfct_get_attr_u32(ct, orig ? ATTR_ORIG_IPV4_SRC : ATTR_REPL_IPV4_SRC);
		uint32_t d = nfct_get_attr_u32(ct, orig ? ATTR_ORIG_IPV4_DST : ATTR_REPL_IPV4_DST);

		memcpy(t->src, &s, 4);
		memcpy(t->dst, &d, 4);
	} else if (t->family == AF_INET6) {
		const void *s = nfct_get_attr(ct, orig ? ATTR_ORIG_IPV6_SRC : ATTR_REPL_IPV6_SRC);
		const void *d = nfct_get_attr(ct, orig ? ATTR_ORIG_IPV6_DST : ATTR_REPL_IPV6_DST);

		if (s)
			memcpy(t->src, s, 16);
		if (d)
			memcpy(t->dst, d, 16);
	}
	if (is_icmp(proto)) {
		t->icmp_ident = ntohs(nfct_get_attr_u16(ct, ATTR_ICMP_ID));
		t->icmp_type = nfct_get_attr_u8(ct, ATTR_ICMP_TYPE);
		t->icmp_code = nfct_get_attr_u8(ct, ATTR_ICMP_CODE);
		if (!orig)
			t->icmp_type = icmp_reply_type(proto, t->icmp_type);
	} else if (has_ports(proto)) {
		t->sport = ntohs(nfct_get_attr_u16(ct, orig ? ATTR_ORIG_PORT_SRC : ATTR_REPL_PORT_SRC));
		t->dport = ntohs(nfct_get_attr_u16(ct, orig ? ATTR_ORIG_PORT_DST : ATTR_REPL_PORT_DST));
	}
}

static void
read_entry(const struct nf_conntrack *ct, struct ovsdp_ct_entry *e)
{
	const struct nfct_bitmask *labels;

	memset(e, 0, sizeof *e);
	e->ip_proto = nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO);
	read_tuple(ct, true, e->ip_proto, &e->orig);
	read_tuple(ct, false, e->ip_proto, &e->reply);
	e->zone = nfct_get_attr_u16(ct, ATTR_ZONE);
	e->mark = nfct_get_attr_u32(ct, ATTR_MARK);
	e->id = nfct_get_attr_u32(ct, ATTR_ID);
	e->status = nfct_get_attr_u32(ct, ATTR_STATUS);
	e->timeout = nfct_get_attr_u32(ct, ATTR_TIMEOUT);
	if (e->ip_proto == IPPROTO_TCP && nfct_attr_is_set(ct, ATTR_TCP_STATE) > 0) {
		e->has_tcp_state = true;
		e->tcp_state = tcp_state_from_kernel(nfct_get_attr_u8(ct, ATTR_TCP_STATE));
	}
	e->packets_orig = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS);
	e->bytes_orig = nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES);
	e->packets_reply = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS);
	e->bytes_reply = nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES);
	/* Label bit i is bit i of a 128-bit number, kept big-endian as the
	 * flow key's ct_label. */
	labels = nfct_get_attr(ct, ATTR_CONNLABELS);
	if (labels) {
		unsigned int max = nfct_bitmask_maxbit(labels);

		for (unsigned int bit = 0; bit <= max && bit < 128; bit++)
			if (nfct_bitmask_test_bit(labels, bit))
				e->labels[15 - bit / 8] |= (uint8_t)(1u << (bit % 8));
	}
}

struct dump_ctx {
	int zone;
	GArray *entries;                /* struct ovsdp_ct_entry */
	GPtrArray *doomed;              /* struct nf_conntrack * clones to delete, or NULL */
};

static int
dump_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct dump_ctx *c = data;
	struct ovsdp_ct_entry e;

	(void)type;
	if (c->zone >= 0 && nfct_get_attr_u16(ct, ATTR_ZONE) != (uint16_t)c->zone)
		return NFCT_CB_CONTINUE;
	if (c->doomed) {
		struct nf_conntrack *copy = nfct_clone(ct);

		if (copy)
			g_ptr_array_add(c->doomed, copy);
		return NFCT_CB_CONTINUE;
	}
	read_entry(ct, &e);
	g_array_append_val(c->entries, e);
	return NFCT_CB_CONTINUE;
}

static int
fail(GError **error, int err, const char *what)
{
	if (error)
		g_set_error(error, OVSDP_ERROR, err, "conntrack: %s: %s%s", what, g_strerror(err),
			    err == EPROTONOSUPPORT ? " (no nfnetlink: is the nf_conntrack_netlink "
			    "module loaded?)" : "");
	return -err;
}

static int
check_zone(int zone, GError **error)
{
	if (zone > 65535) {
		if (error)
			g_set_error(error, OVSDP_ERROR, EINVAL,
				    "conntrack: zone %d is out of range (0..65535)", zone);
		return -EINVAL;
	}
	return 0;
}

/* Dump into c (entries or clones), on a handle of its own. */
static int
dump(struct dump_ctx *c, GError **error)
{
	uint32_t family = AF_UNSPEC;
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	int r = 0;

	if (!h)
		return fail(error, errno ? errno : EIO, "opening a ctnetlink socket");
	nfct_callback_register(h, NFCT_T_ALL, dump_cb, c);
	if (nfct_query(h, NFCT_Q_DUMP, &family) < 0)
		r = fail(error, errno ? errno : EIO, "dumping the connections");
	nfct_close(h);
	return r;
}

OVSDP_EXPORT int
ovsdp_ct_dump(int zone, struct ovsdp_ct_entry **out, GError **error)
{
	struct dump_ctx c = { .zone = zone };
	int r;

	if (!out) {
		if (error)
			g_set_error(error, OVSDP_ERROR, EINVAL, "conntrack dump: no output");
		return -EINVAL;
	}
	*out = NULL;
	if ((r = check_zone(zone, error)) < 0)
		return r;
	c.entries = g_array_new(FALSE, FALSE, sizeof(struct ovsdp_ct_entry));
	r = dump(&c, error);
	if (r < 0) {
		g_array_free(c.entries, TRUE);
		return r;
	}
	r = (int)c.entries->len;
	*out = r ? (struct ovsdp_ct_entry *)(void *)g_array_free(c.entries, FALSE) : NULL;
	if (!r)
		g_array_free(c.entries, TRUE);
	return r;
}

OVSDP_EXPORT int
ovsdp_ct_flush(int zone, GError **error)
{
	struct nfct_handle *h;
	struct dump_ctx c = { .zone = zone };
	int r, deleted = 0;

	if ((r = check_zone(zone, error)) < 0)
		return r;
	if (zone < 0) {
		/* Each family in turn: a kernel that ignores the family of a
		 * flush empties everything with the first. */
		static const uint32_t families[] = { AF_INET, AF_INET6 };

		h = nfct_open(CONNTRACK, 0);
		if (!h)
			return fail(error, errno ? errno : EIO, "opening a ctnetlink socket");
		for (size_t i = 0; i < G_N_ELEMENTS(families) && r == 0; i++) {
			uint32_t f = families[i];

			if (nfct_query(h, NFCT_Q_FLUSH, &f) < 0)
				r = fail(error, errno ? errno : EIO, "flushing the connections");
		}
		nfct_close(h);
		return r;
	}
	/* One zone: every kernel can delete connections one by one (a flush
	 * filtered by zone is recent). */
	c.doomed = g_ptr_array_new_with_free_func((GDestroyNotify)nfct_destroy);
	r = dump(&c, error);
	if (r == 0 && c.doomed->len) {
		h = nfct_open(CONNTRACK, 0);
		if (!h)
			r = fail(error, errno ? errno : EIO, "opening a ctnetlink socket");
		for (unsigned int i = 0; h && i < c.doomed->len; i++) {
			if (nfct_query(h, NFCT_Q_DESTROY, g_ptr_array_index(c.doomed, i)) == 0)
				deleted++;
			else if (errno != ENOENT) {
				r = fail(error, errno, "deleting a connection");
				break;
			}
		}
		if (h)
			nfct_close(h);
	}
	g_ptr_array_free(c.doomed, TRUE);
	return r < 0 ? r : deleted;
}

static void
format_addr(GString *out, uint8_t family, const uint8_t *a)
{
	char buf[INET6_ADDRSTRLEN];

	if ((family == AF_INET || family == AF_INET6) && inet_ntop(family, a, buf, sizeof buf))
		g_string_append(out, buf);
	else
		g_string_append(out, "?");
}

static void
format_tuple(GString *out, uint8_t proto, const struct ovsdp_ct_tuple *t)
{
	if (t->family != AF_INET && t->family != AF_INET6) {
		g_string_append_printf(out, "Unsupported address family: %u", t->family);
	} else {
		g_string_append(out, "src=");
		format_addr(out, t->family, t->src);
		g_string_append(out, ",dst=");
		format_addr(out, t->family, t->dst);
	}
	if (is_icmp(proto))
		g_string_append_printf(out, ",id=%u,type=%u,code=%u", t->icmp_ident, t->icmp_type,
				       t->icmp_code);
	else if (has_ports(proto))
		g_string_append_printf(out, ",sport=%u,dport=%u", t->sport, t->dport);
}

static const char *
proto_name(uint8_t p)
{
	switch (p) {
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_IGMP: return "igmp";
	default: return NULL;
	}
}

OVSDP_EXPORT void
ovsdp_ct_entry_format(const struct ovsdp_ct_entry *e, GString *out)
{
	const char *name;
	size_t first = 0;

	if (!e || !out)
		return;
	name = proto_name(e->ip_proto);
	if (name)
		g_string_append(out, name);
	else
		g_string_append_printf(out, "%u", e->ip_proto);
	g_string_append(out, ",orig=(");
	format_tuple(out, e->ip_proto, &e->orig);
	g_string_append(out, "),reply=(");
	format_tuple(out, e->ip_proto, &e->reply);
	g_string_append(out, ")");
	if (e->zone)
		g_string_append_printf(out, ",zone=%u", e->zone);
	if (e->mark)
		g_string_append_printf(out, ",mark=%u", e->mark);
	while (first < sizeof e->labels && !e->labels[first])
		first++;
	if (first < sizeof e->labels) {
		/* Hex without leading zeros, as OVS prints a 128-bit label. */
		g_string_append_printf(out, ",labels=0x%x", e->labels[first]);
		for (size_t i = first + 1; i < sizeof e->labels; i++)
			g_string_append_printf(out, "%02x", e->labels[i]);
	}
	if (e->has_tcp_state)
		g_string_append_printf(out, ",protoinfo=(state=%s)",
				       ovsdp_ct_tcp_state_name(e->tcp_state));
}
