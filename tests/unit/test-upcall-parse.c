/* test-upcall-parse.c: the upcall parser on crafted messages: a good MISS
 * and ACTION message read field by field, every malformed length, nesting
 * and duplicate rejected with its exact message, and random corruption of
 * a valid message never read out of bounds (run it under valgrind). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <check.h>
#include <glib.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "ovsdp/upcall.h"
#include "ovsdp/vport.h"
#include "tsuite.h"

#define FAMILY 29
#define HDRS (NLMSG_HDRLEN + GENL_HDRLEN + 4)

/* A message under construction: headers first, attributes appended. */
static void
msg_begin(struct ovsdp_buf *b, uint16_t type, uint8_t cmd, int dp_ifindex)
{
	struct nlmsghdr nlh = { .nlmsg_type = type };
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };

	ovsdp_buf_init(b);
	ovsdp_buf_put(b, &nlh, sizeof nlh);
	ovsdp_buf_put(b, &g, sizeof g);
	ovsdp_buf_put(b, &dp_ifindex, 4);
}

/* Fix nlmsg_len to the bytes written so far. */
static size_t
msg_end(struct ovsdp_buf *b)
{
	uint32_t len = (uint32_t)b->len;

	memcpy(b->data, &len, 4);
	return b->len;
}

static void
put_key(struct ovsdp_buf *b, uint32_t in_port)
{
	struct ovs_key_ethernet eth = { .eth_src = { 2, 0, 0, 0, 0, 0xa },
					.eth_dst = { 2, 0, 0, 0, 0, 0xb } };
	size_t k = ovsdp_buf_nest_start(b, OVS_PACKET_ATTR_KEY);

	ovsdp_buf_put_u32(b, OVS_KEY_ATTR_PRIORITY, 0);
	ovsdp_buf_put_u32(b, OVS_KEY_ATTR_IN_PORT, in_port);
	ovsdp_buf_put_attr(b, OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
	ovsdp_buf_put_u16(b, OVS_KEY_ATTR_ETHERTYPE, 0xb588);
	ovsdp_buf_nest_end(b, k);
}

/* The packet attribute, last and (when 'unaligned') without padding, as
 * the kernel writes it for OVS_DP_F_UNALIGNED. */
static void
put_packet(struct ovsdp_buf *b, size_t len, bool unaligned)
{
	uint8_t pkt[128];

	for (size_t i = 0; i < sizeof pkt; i++)
		pkt[i] = (uint8_t)(0x40 + i);
	if (unaligned) {
		struct nlattr nla = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
				      .nla_type = OVS_PACKET_ATTR_PACKET };

		ovsdp_buf_put(b, &nla, sizeof nla);
		ovsdp_buf_put(b, pkt, len);
	} else {
		ovsdp_buf_put_attr(b, OVS_PACKET_ATTR_PACKET, pkt, len);
	}
}

/* A complete, valid MISS upcall. */
static size_t
good_miss(struct ovsdp_buf *b)
{
	msg_begin(b, FAMILY, OVS_PACKET_CMD_MISS, 7);
	put_key(b, 3);
	ovsdp_buf_put_u64(b, OVS_PACKET_ATTR_HASH, 0x1234567890ULL);
	put_packet(b, 61, true);
	return msg_end(b);
}

/* Parse and require failure with exactly 'want' as the message. */
static void
expect_error(const void *buf, size_t len, uint16_t family, const char *want)
{
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	int r = ovsdp_upcall_parse(buf, len, family, &up, &err);

	ck_assert_int_eq(r, -EPROTO);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, EPROTO);
	ck_assert_str_eq(err->message, want);
}

START_TEST(good_miss_fields)
{
	struct ovsdp_buf b;
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	size_t len = good_miss(&b);

	ck_assert_uint_eq(len % 4, 1);          /* the unpadded last attribute */
	ck_assert_int_eq(ovsdp_upcall_parse(b.data, len, FAMILY, &up, &err), 0);
	ck_assert_uint_eq(up.cmd, OVSDP_UPCALL_MISS);
	ck_assert_int_eq(up.dp_ifindex, 7);
	ck_assert_uint_eq(up.in_port, 3);
	ck_assert_uint_eq(up.packet_len, 61);
	ck_assert_uint_eq(up.packet[0], 0x40);
	ck_assert_uint_eq(up.packet[60], 0x40 + 60);
	ck_assert_ptr_eq(up.packet + up.packet_len, b.data + len);
	ck_assert_uint_eq(up.key_len, 8 + 8 + 16 + 8);
	ck_assert(up.has_hash);
	ck_assert_uint_eq(up.hash, 0x1234567890ULL);
	ck_assert_ptr_null(up.userdata);
	ck_assert_ptr_null(up.egress_tun_key);
	ck_assert_uint_eq(up.mru, 0);
	ck_assert(!up.has_len);
	/* family 0 skips the family check */
	ck_assert_int_eq(ovsdp_upcall_parse(b.data, len, 0, &up, &err), 0);
	/* recv may hand over the padding too */
	ovsdp_buf_put(&b, NULL, 3);
	ck_assert_int_eq(ovsdp_upcall_parse(b.data, len + 3, FAMILY, &up, &err), 0);
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(good_action_fields)
{
	static const uint8_t cookie[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct ovsdp_buf b;
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	size_t tun, acts, len;

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_ACTION, 9);
	put_key(&b, 5);
	ovsdp_buf_put_attr(&b, OVS_PACKET_ATTR_USERDATA, cookie, sizeof cookie);
	tun = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_EGRESS_TUN_KEY);
	ovsdp_buf_put_u64(&b, OVS_TUNNEL_KEY_ATTR_ID, 42);
	ovsdp_buf_put_u32(&b, OVS_TUNNEL_KEY_ATTR_IPV4_DST, 0x0100000a);
	ovsdp_buf_nest_end(&b, tun);
	acts = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_ACTIONS);
	ovsdp_buf_put_u32(&b, OVS_ACTION_ATTR_OUTPUT, 2);
	ovsdp_buf_nest_end(&b, acts);
	ovsdp_buf_put_u16(&b, OVS_PACKET_ATTR_MRU, 1400);
	ovsdp_buf_put_u32(&b, OVS_PACKET_ATTR_LEN, 1514);
	ovsdp_buf_put_u32(&b, 40, 0);           /* a future attribute: skipped */
	put_packet(&b, 64, false);
	len = msg_end(&b);

	ck_assert_int_eq(ovsdp_upcall_parse(b.data, len, FAMILY, &up, &err), 0);
	ck_assert_uint_eq(up.cmd, OVSDP_UPCALL_ACTION);
	ck_assert_int_eq(up.dp_ifindex, 9);
	ck_assert_uint_eq(up.in_port, 5);
	ck_assert_uint_eq(up.userdata_len, sizeof cookie);
	ck_assert_int_eq(memcmp(up.userdata, cookie, sizeof cookie), 0);
	ck_assert_uint_eq(up.egress_tun_key_len, 12 + 8);
	ck_assert_uint_eq(up.actions_len, 8);
	ck_assert_uint_eq(up.mru, 1400);
	ck_assert(up.has_len);
	ck_assert_uint_eq(up.len, 1514);
	ck_assert(!up.has_hash);
	ck_assert_uint_eq(up.packet_len, 64);
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(header_errors)
{
	struct ovsdp_buf b;
	size_t len = good_miss(&b);
	uint8_t *d;
	uint32_t v;

	expect_error(b.data, 8, FAMILY,
		     "malformed upcall: 8 bytes is shorter than a netlink header");
	expect_error(b.data, 0, FAMILY,
		     "malformed upcall: 0 bytes is shorter than a netlink header");
	expect_error(b.data, len - 1, FAMILY,
		     "malformed upcall: nlmsg_len 145 exceeds the 144 bytes received");
	ovsdp_buf_put(&b, NULL, 8);
	expect_error(b.data, len + 7, FAMILY, "malformed upcall: 4 trailing bytes after the message");
	d = b.data;
	v = 20;
	memcpy(d, &v, 4);
	expect_error(d, len, FAMILY,
		     "malformed upcall: nlmsg_len 20 is shorter than the upcall headers (24 bytes)");
	v = (uint32_t)len;
	memcpy(d, &v, 4);
	d[4] = NLMSG_ERROR;
	expect_error(d, len, FAMILY, "malformed upcall: netlink control message (type 2)");
	d[4] = FAMILY + 1;
	expect_error(d, len, FAMILY,
		     "malformed upcall: message type 30 is not the ovs_packet family (29)");
	d[4] = FAMILY;
	d[NLMSG_HDRLEN] = OVS_PACKET_CMD_EXECUTE;
	expect_error(d, len, FAMILY, "malformed upcall: command 3 is neither MISS nor ACTION");
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(attribute_walk_errors)
{
	struct ovsdp_buf b;
	struct nlattr bad;
	size_t len;

	/* An attribute shorter than its own header. */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	bad = (struct nlattr){ .nla_len = 2, .nla_type = OVS_PACKET_ATTR_PACKET };
	ovsdp_buf_put(&b, &bad, sizeof bad);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: attribute 1 of the message has "
		     "length 2, shorter than its header");
	ovsdp_buf_clear(&b);

	/* An attribute longer than what is left. */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	bad = (struct nlattr){ .nla_len = 200, .nla_type = OVS_PACKET_ATTR_PACKET };
	ovsdp_buf_put(&b, &bad, sizeof bad);
	ovsdp_buf_put(&b, NULL, 60);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: attribute 1 of the message "
		     "(200 bytes) overruns it (64 bytes left)");
	ovsdp_buf_clear(&b);

	/* Stray bytes too few for an attribute header. */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	put_packet(&b, 60, false);
	ovsdp_buf_put(&b, NULL, 2);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY,
		     "malformed upcall: 2 stray bytes after the last attribute of the message");
	ovsdp_buf_clear(&b);

	/* A duplicate. */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	put_key(&b, 2);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: duplicate KEY attribute");
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(required_and_sized_attributes)
{
	struct ovsdp_buf b;
	size_t len;

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: no PACKET attribute");
	ovsdp_buf_clear(&b);

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: no KEY attribute");
	ovsdp_buf_clear(&b);

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	put_packet(&b, 10, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY,
		     "malformed upcall: PACKET is 10 bytes, shorter than an Ethernet header");
	ovsdp_buf_clear(&b);

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	ovsdp_buf_put_u32(&b, OVS_PACKET_ATTR_MRU, 1500);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: MRU must be 2 bytes, got 4");
	ovsdp_buf_clear(&b);

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	ovsdp_buf_put_u32(&b, OVS_PACKET_ATTR_HASH, 1);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: HASH must be 8 bytes, got 4");
	ovsdp_buf_clear(&b);

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	put_key(&b, 1);
	ovsdp_buf_put_u16(&b, OVS_PACKET_ATTR_LEN, 1);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: LEN must be 4 bytes, got 2");
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(key_errors)
{
	struct ovsdp_buf b;
	struct nlattr bad;
	size_t k, len;

	/* in_port of the wrong size */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	k = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put_u16(&b, OVS_KEY_ATTR_IN_PORT, 1);
	ovsdp_buf_nest_end(&b, k);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: KEY.IN_PORT must be 4 bytes, got 2");
	ovsdp_buf_clear(&b);

	/* no in_port at all */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	k = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put_u32(&b, OVS_KEY_ATTR_PRIORITY, 1);
	ovsdp_buf_nest_end(&b, k);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: KEY has no IN_PORT");
	ovsdp_buf_clear(&b);

	/* a key attribute shorter than its header */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	k = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put_u32(&b, OVS_KEY_ATTR_IN_PORT, 1);
	bad = (struct nlattr){ .nla_len = 3, .nla_type = OVS_KEY_ATTR_ETHERNET };
	ovsdp_buf_put(&b, &bad, sizeof bad);
	ovsdp_buf_nest_end(&b, k);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: attribute 4 of KEY has length 3, "
		     "shorter than its header");
	ovsdp_buf_clear(&b);

	/* an attribute inside ENCAP that overruns the ENCAP */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	k = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put_u32(&b, OVS_KEY_ATTR_IN_PORT, 1);
	{
		size_t e = ovsdp_buf_nest_start(&b, OVS_KEY_ATTR_ENCAP);

		bad = (struct nlattr){ .nla_len = 40, .nla_type = OVS_KEY_ATTR_ETHERTYPE };
		ovsdp_buf_put(&b, &bad, sizeof bad);
		ovsdp_buf_put(&b, NULL, 4);
		ovsdp_buf_nest_end(&b, e);
	}
	ovsdp_buf_nest_end(&b, k);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: attribute 6 of KEY (40 bytes) "
		     "overruns it (8 bytes left)");
	ovsdp_buf_clear(&b);

	/* a tunnel key inside the key, malformed one level down */
	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	k = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put_u32(&b, OVS_KEY_ATTR_IN_PORT, 1);
	{
		size_t t = ovsdp_buf_nest_start(&b, OVS_KEY_ATTR_TUNNEL);

		ovsdp_buf_put(&b, NULL, 2);
		ovsdp_buf_nest_end(&b, t);
		ovsdp_buf_put(&b, NULL, 2);     /* pad, as the kernel would */
	}
	ovsdp_buf_nest_end(&b, k);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY,
		     "malformed upcall: 2 stray bytes after the last attribute of KEY.TUNNEL");
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(nesting_depth_limited)
{
	struct ovsdp_buf b;
	size_t nests[12], k, len;

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_MISS, 1);
	k = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put_u32(&b, OVS_KEY_ATTR_IN_PORT, 1);
	for (int i = 0; i < 12; i++)
		nests[i] = ovsdp_buf_nest_start(&b, OVS_KEY_ATTR_ENCAP);
	for (int i = 11; i >= 0; i--)
		ovsdp_buf_nest_end(&b, nests[i]);
	ovsdp_buf_nest_end(&b, k);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: KEY nests deeper than 8 levels");
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(egress_tunnel_key_checked)
{
	struct ovsdp_buf b;
	struct nlattr bad = { .nla_len = 30, .nla_type = OVS_TUNNEL_KEY_ATTR_IPV4_DST };
	size_t t, len;

	msg_begin(&b, FAMILY, OVS_PACKET_CMD_ACTION, 1);
	put_key(&b, 1);
	t = ovsdp_buf_nest_start(&b, OVS_PACKET_ATTR_EGRESS_TUN_KEY);
	ovsdp_buf_put(&b, &bad, sizeof bad);
	ovsdp_buf_nest_end(&b, t);
	put_packet(&b, 60, false);
	len = msg_end(&b);
	expect_error(b.data, len, FAMILY, "malformed upcall: attribute 2 of EGRESS_TUN_KEY "
		     "(30 bytes) overruns it (4 bytes left)");
	ovsdp_buf_clear(&b);
}
END_TEST

START_TEST(bad_arguments)
{
	struct ovsdp_upcall up;
	g_autoptr(GError) err = NULL;
	uint8_t byte = 0;

	ck_assert_int_eq(ovsdp_upcall_parse(NULL, 10, 0, &up, &err), -EINVAL);
	ck_assert_str_eq(err->message, "parsing an upcall: no message");
	ck_assert_int_eq(ovsdp_upcall_parse(&byte, 1, 0, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_upcall_parse(&byte, 1, 0, &up, NULL), -EPROTO);
}
END_TEST

/* Every prefix of a valid message, and random corruption of it: the parser
 * answers 0 or -EPROTO and, when it accepts, points only inside the buffer. */
START_TEST(truncation_and_corruption)
{
	struct ovsdp_buf b;
	size_t len = good_miss(&b);
	GRand *rnd = g_rand_new_with_seed(20261122);
	int accepted = 0;

	for (size_t n = 0; n < len; n++) {
		/* Copy into an exact-size heap block so valgrind sees overreads. */
		uint8_t *copy = g_memdup2(b.data, n ? n : 1);
		struct ovsdp_upcall up;

		ck_assert_int_eq(ovsdp_upcall_parse(copy, n, FAMILY, &up, NULL), -EPROTO);
		g_free(copy);
	}
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t *copy = g_memdup2(b.data, len);
		int flips = g_rand_int_range(rnd, 1, 6);
		struct ovsdp_upcall up;
		int r;

		for (int f = 0; f < flips; f++)
			copy[g_rand_int_range(rnd, 0, (gint32)len)] = (uint8_t)g_rand_int(rnd);
		r = ovsdp_upcall_parse(copy, len, FAMILY, &up, NULL);
		ck_assert(r == 0 || r == -EPROTO);
		if (r == 0) {
			const uint8_t *end = copy + len;

			accepted++;
			ck_assert(up.packet >= copy && up.packet + up.packet_len <= end);
			ck_assert((const uint8_t *)up.key >= copy &&
				  (const uint8_t *)up.key + up.key_len <= end);
			ck_assert(!up.userdata || (const uint8_t *)up.userdata +
				  up.userdata_len <= end);
		}
		g_free(copy);
	}
	/* Flips in the packet bytes leave a valid message. */
	ck_assert_int_gt(accepted, 0);
	g_rand_free(rnd);
	ovsdp_buf_clear(&b);
}
END_TEST

/* What struct ovsdp_upcall_info adds: the ufid from the key (stable, and
 * different for another key), the pid passed through, the packet type
 * (Ethernet, or layer 3 when the key has no ETHERNET, whose packet may be
 * shorter than an Ethernet header) and the hash. */
START_TEST(upcall_info)
{
	struct ovsdp_buf b, l3;
	struct ovsdp_upcall up, up3;
	struct ovsdp_upcall_info info = { .struct_size = sizeof info }, info3 = info, small = { 0 };
	struct ovsdp_ufid again;
	g_autoptr(GError) err = NULL;
	size_t len = good_miss(&b), k;
	static const uint8_t ip[9] = { 0x45, 0, 0, 9 };

	ck_assert_int_eq(ovsdp_upcall_parse(b.data, len, FAMILY, &up, &err), 0);
	ck_assert_int_eq(ovsdp_upcall_get_info(&up, 4242, &info), 0);
	ck_assert_uint_eq(info.pid, 4242);
	ck_assert_uint_eq(info.packet_type, OVSDP_PACKET_TYPE_ETHERNET);
	ck_assert(info.has_hash);
	ck_assert_uint_eq(info.hash, 0x1234567890ULL);
	ovsdp_ufid_from_key(up.key, up.key_len, &again);
	ck_assert_int_eq(memcmp(&again, &info.ufid, sizeof again), 0);
	ck_assert(again.u32[0] | again.u32[1] | again.u32[2] | again.u32[3]);

	/* A layer-3 packet: IN_PORT and ETHERTYPE, no ETHERNET. */
	msg_begin(&l3, FAMILY, OVS_PACKET_CMD_MISS, 7);
	k = ovsdp_buf_nest_start(&l3, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put_u32(&l3, OVS_KEY_ATTR_IN_PORT, 3);
	ovsdp_buf_put_u16(&l3, OVS_KEY_ATTR_ETHERTYPE, g_htons(0x0800));
	ovsdp_buf_nest_end(&l3, k);
	ovsdp_buf_put_attr(&l3, OVS_PACKET_ATTR_PACKET, ip, sizeof ip);
	len = msg_end(&l3);
	ck_assert_msg(ovsdp_upcall_parse(l3.data, len, FAMILY, &up3, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_uint_eq(up3.packet_len, sizeof ip);
	ck_assert_int_eq(ovsdp_upcall_get_info(&up3, 0, &info3), 0);
	ck_assert_uint_eq(info3.packet_type, OVSDP_PACKET_TYPE_L3(0x0800));
	ck_assert_uint_eq(info3.packet_type, 0x10800);
	ck_assert(!info3.has_hash);
	ck_assert_int_ne(memcmp(&info3.ufid, &info.ufid, sizeof info.ufid), 0);

	/* A wrong struct_size or NULL is refused. */
	ck_assert_int_eq(ovsdp_upcall_get_info(&up, 0, &small), -EINVAL);
	ck_assert_int_eq(ovsdp_upcall_get_info(NULL, 0, &info), -EINVAL);
	ck_assert_int_eq(ovsdp_upcall_get_info(&up, 0, NULL), -EINVAL);
	ovsdp_buf_clear(&b);
	ovsdp_buf_clear(&l3);
}
END_TEST

/* The ufid from a key: every byte counts, the order counts, the length
 * counts (a zero tail is not the same key). */
START_TEST(ufid_from_key)
{
	uint8_t key[40];
	struct ovsdp_ufid a, b;

	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)i;
	ovsdp_ufid_from_key(key, sizeof key, &a);
	ovsdp_ufid_from_key(key, sizeof key, &b);
	ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
	for (size_t i = 0; i < sizeof key; i++) {
		key[i] ^= 0x01;
		ovsdp_ufid_from_key(key, sizeof key, &b);
		ck_assert_int_ne(memcmp(&a, &b, sizeof a), 0);
		key[i] ^= 0x01;
	}
	ovsdp_ufid_from_key(key, sizeof key - 1, &b);
	ck_assert_int_ne(memcmp(&a, &b, sizeof a), 0);
	memcpy(key, key + 8, 8);
	memset(key + 8, 0, 8);
	ovsdp_ufid_from_key(key, sizeof key, &b);
	ck_assert_int_ne(memcmp(&a, &b, sizeof a), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("upcall-parse");

	tsuite_case(s, "valid", NULL, NULL, 0,
		    TSUITE_TESTS(good_miss_fields, good_action_fields, upcall_info, ufid_from_key));
	tsuite_case(s, "malformed", NULL, NULL, 300,
		    TSUITE_TESTS(header_errors, attribute_walk_errors,
				 required_and_sized_attributes, key_errors, nesting_depth_limited,
				 egress_tunnel_key_checked, bad_arguments,
				 truncation_and_corruption));
	return tsuite_run(s);
}
