/* make-seeds.c: writes the fuzzers' seed corpora (tests/fuzz/corpus/) from
 * canonical flow text, so the seeds are valid messages the codecs and the
 * upcall parser accept.  Run by hand after a format change:
 *   build-fuzz/tests/fuzz/make-seeds tests/fuzz/corpus */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include "ovsdp/odp.h"

static const char *const keys[] = {
	"in_port(1),eth(src=00:01:02:03:04:05,dst=ff:ff:ff:ff:ff:ff),eth_type(0x88b5)",
	"recirc_id(0),dp_hash(0x1234),skb_priority(0x1),skb_mark(0x2),in_port(2),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),tcp(src=80,dst=1024),tcp_flags(syn)",
	"in_port(3),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x86dd),ipv6(src=2001:db8::1,dst=2001:db8::2,label=0,proto=17,tclass=0,hlimit=64,frag=no),udp(src=53,dst=5353)",
	"in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0806),arp(sip=10.0.0.1,tip=10.0.0.2,op=1,sha=02:00:00:00:00:01,tha=00:00:00:00:00:00))",
	"in_port(1),eth(src=02:00:00:00:00:01/ff:ff:ff:ff:ff:00,dst=02:00:00:00:00:02),eth_type(0x0800),ipv4(src=10.0.0.0/255.255.255.0,proto=1,frag=no),icmp(type=8,code=0)",
	"ct_state(+new+trk),ct_zone(5),ct_mark(0x1),in_port(1),eth_type(0x0800),ipv4(proto=132,frag=no),sctp(src=1,dst=2)",
	"tunnel(tun_id=0x1,src=1.1.1.1,dst=2.2.2.2,ttl=64,tp_dst=4789,flags(+key)),in_port(4),eth(),eth_type(0x0800),ipv4(frag=no)",
	"tunnel(dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1,hwid=0x3),vxlan(gbp(id=1),key2(01 02)),key16(),flags(-df)),in_port(1),eth(),eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x100,si=255,c1=0x1/0xff),key45(01 02/ff 00)",
};

static const char *const actions[] = {
	"2",
	"drop",
	"userspace(pid=4294967295,userdata(01020304))",
	"set(ipv4(src=1.2.3.4,dst=5.6.7.8,tos=0,ttl=63,frag=no)),1",
	"push_vlan(vid=10,pcp=0),2,pop_vlan,3",
	"recirc(0x1),hash(l4(0))",
	"sample(sample=50.0%,actions(1)),clone(2),trunc(100),meter(0)",
	"ct(commit,zone=1),recirc(0x2)",
	"dec_ttl(le_1(psample(group=1,cookie=0x1234),drop)),add_mpls(label=1,tc=0,ttl=64,bos=1,eth_type=0x8847),2",
	"push_nsh(mdtype=2,np=1,spi=0x5,si=3,md2=0x10203),pop_nsh(),action99(01 02),action30,drop(3)",
};

static const char *const configs[] = {
	"[dispatch]\nmode = auto\nprefer = per-cpu;per-vport;legacy\n\n[handlers]\ncount = auto\n",
	("[dispatch]\nmode = per-vport\nplugin-path = /opt/ovsdp\n[handlers]\ncount = 4\n"
	 "[plugin:per-vport]\nepoll-exclusive = on\n"),
	"[plugin:my-dispatcher]\npath = /opt/vendor/lib/my-dispatcher.so\nfoo = bar\n",
	"# only a comment\n",
};

static void
write_file(const char *dir, const char *sub, unsigned int i, const void *p, size_t len)
{
	g_autofree char *d = g_build_filename(dir, sub, NULL);
	g_autofree char *name = g_strdup_printf("%s/seed-%02u", d, i);
	g_autoptr(GError) err = NULL;

	g_mkdir_with_parents(d, 0755);
	if (!g_file_set_contents(name, p, (gssize)len, &err)) {
		fprintf(stderr, "make-seeds: %s\n", err->message);
		exit(1);
	}
}

/* A MISS upcall as the kernel sends it: nlmsghdr, genlmsghdr, ovs_header,
 * OVS_PACKET_ATTR_PACKET then OVS_PACKET_ATTR_KEY. */
static void
write_upcall(const char *dir, unsigned int i, const struct ovsdp_buf *key, uint8_t cmd)
{
	struct ovsdp_buf m = OVSDP_BUF_INIT;
	struct nlmsghdr nlh = { .nlmsg_type = 0x20 };
	struct genlmsghdr g = { .cmd = cmd, .version = OVS_PACKET_VERSION };
	struct ovs_header oh = { .dp_ifindex = 7 };
	uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5 };
	uint8_t cookie[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	size_t k;

	ovsdp_buf_put(&m, &nlh, sizeof nlh);
	ovsdp_buf_put(&m, &g, sizeof g);
	ovsdp_buf_put(&m, &oh, sizeof oh);
	ovsdp_buf_put_attr(&m, OVS_PACKET_ATTR_PACKET, frame, sizeof frame);
	k = ovsdp_buf_nest_start(&m, OVS_PACKET_ATTR_KEY);
	ovsdp_buf_put(&m, key->data, key->len);
	ovsdp_buf_nest_end(&m, k);
	if (cmd == OVS_PACKET_CMD_ACTION)
		ovsdp_buf_put_attr(&m, OVS_PACKET_ATTR_USERDATA, cookie, sizeof cookie);
	ovsdp_buf_put_u16(&m, OVS_PACKET_ATTR_MRU, 1500);
	ovsdp_buf_put_u64(&m, OVS_PACKET_ATTR_HASH, 0x123456789ULL);
	((struct nlmsghdr *)m.data)->nlmsg_len = (uint32_t)m.len;
	write_file(dir, "upcall", i, m.data, m.len);
	ovsdp_buf_clear(&m);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/fuzz/corpus";
	unsigned int n = 0;

	for (unsigned int i = 0; i < G_N_ELEMENTS(keys); i++) {
		struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT, b = OVSDP_BUF_INIT;
		g_autoptr(GError) err = NULL;
		uint8_t sel;

		if (ovsdp_odp_key_from_string(keys[i], &key, &mask, &err) < 0) {
			fprintf(stderr, "make-seeds: %s: %s\n", keys[i], err->message);
			return 1;
		}
		sel = 0;
		ovsdp_buf_put(&b, &sel, 1);
		ovsdp_buf_put(&b, key.data, key.len);
		write_file(dir, "odp-attrs", n++, b.data, b.len);
		b.len = 0;
		sel = 1;
		ovsdp_buf_put(&b, &sel, 1);
		ovsdp_buf_put(&b, key.data, key.len);
		ovsdp_buf_put(&b, mask.data, mask.len);
		write_file(dir, "odp-attrs", n++, b.data, b.len);
		write_upcall(dir, i, &key, i % 2 ? OVS_PACKET_CMD_ACTION : OVS_PACKET_CMD_MISS);
		b.len = 0;
		sel = 0;
		ovsdp_buf_put(&b, &sel, 1);
		ovsdp_buf_put(&b, keys[i], strlen(keys[i]));
		write_file(dir, "odp-text", i, b.data, b.len);
		ovsdp_buf_clear(&key);
		ovsdp_buf_clear(&mask);
		ovsdp_buf_clear(&b);
	}
	for (unsigned int i = 0; i < G_N_ELEMENTS(actions); i++) {
		struct ovsdp_buf a = OVSDP_BUF_INIT, b = OVSDP_BUF_INIT;
		g_autoptr(GError) err = NULL;
		uint8_t sel = 2;

		if (ovsdp_odp_actions_from_string(actions[i], &a, &err) < 0) {
			fprintf(stderr, "make-seeds: %s: %s\n", actions[i], err->message);
			return 1;
		}
		ovsdp_buf_put(&b, &sel, 1);
		ovsdp_buf_put(&b, a.data, a.len);
		write_file(dir, "odp-attrs", n++, b.data, b.len);
		b.len = 0;
		sel = 1;
		ovsdp_buf_put(&b, &sel, 1);
		ovsdp_buf_put(&b, actions[i], strlen(actions[i]));
		write_file(dir, "odp-text", 100 + i, b.data, b.len);
		ovsdp_buf_clear(&a);
		ovsdp_buf_clear(&b);
	}
	for (unsigned int i = 0; i < G_N_ELEMENTS(configs); i++)
		write_file(dir, "config", i, configs[i], strlen(configs[i]));
	printf("make-seeds: wrote corpora under %s\n", dir);
	return 0;
}
