/* test-conntrack.c: conntrack dump and flush on the real kernel, with
 * connections made by real UDP traffic through ct(commit) flows in two
 * zones: the library's entries, `ovsdp ct dump` in ovs-dpctl's text (and
 * the host's ovs-dpctl dump-conntrack as the second opinion), JSON, and
 * flush of one zone leaving the other, then of everything. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

static struct ovsdp_dp *dp;
static uint32_t port1, port2;
static int raw1 = -1, raw2 = -1;

#define LINE5 "udp,orig=(src=10.1.0.1,dst=10.1.0.2,sport=4000,dport=5000)," \
	"reply=(src=10.1.0.2,dst=10.1.0.1,sport=5000,dport=4000),zone=5"
#define LINE6 "udp,orig=(src=10.2.0.2,dst=10.2.0.1,sport=4001,dport=5001)," \
	"reply=(src=10.2.0.1,dst=10.2.0.2,sport=5001,dport=4001),zone=6"

static void
setup(void)
{
	dp = knet_netns_dp(KNET_DP);
	/* Unreplied UDP connections live 30 s, less than this test takes
	 * under emulation: 10 minutes in this namespace. */
	ck_assert_int_eq(ktest_sh("echo 600 >/proc/sys/net/netfilter/nf_conntrack_udp_timeout"), 0);
	knet_veth_port(dp, 1, &port1, &raw1);
	knet_veth_port(dp, 2, &port2, &raw2);
	knet_cli_expect(0, "flow add ovsdpt0 'in_port(%u),eth(),eth_type(0x0800),ipv4(frag=no)'"
			" 'ct(commit,zone=5),%u'", port1, port2);
	knet_cli_expect(0, "flow add ovsdpt0 'in_port(%u),eth(),eth_type(0x0800),ipv4(frag=no)'"
			" 'ct(commit,zone=6),%u'", port2, port1);
}

static void
teardown(void)
{
	close(raw1);
	close(raw2);
	knet_dp_close(&dp);
}

static uint16_t
ip_csum(const uint8_t *h, size_t len)
{
	uint32_t sum = 0;

	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* An Ethernet/IPv4/UDP frame (UDP checksum 0: none) into the datapath. */
static void
send_udp(int fd, const char *src, const char *dst, uint16_t sport, uint16_t dport)
{
	uint8_t f[14 + 20 + 8 + 4] = { 2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 0x08, 0x00 };
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t v;

	ip[0] = 0x45;
	v = htons(20 + 8 + 4);
	memcpy(ip + 2, &v, 2);
	ip[8] = 64;
	ip[9] = 17;
	ck_assert_int_eq(inet_pton(AF_INET, src, ip + 12), 1);
	ck_assert_int_eq(inet_pton(AF_INET, dst, ip + 16), 1);
	v = htons(ip_csum(ip, 20));
	memcpy(ip + 10, &v, 2);
	v = htons(sport);
	memcpy(udp, &v, 2);
	v = htons(dport);
	memcpy(udp + 2, &v, 2);
	v = htons(8 + 4);
	memcpy(udp + 4, &v, 2);
	memcpy(udp + 8, "ovsd", 4);
	knet_send(fd, f, sizeof f);
}

/* The connections of 'zone' once there are 'want' of them (3 s). */
static int
wait_entries(int zone, int want, struct ovsdp_ct_entry **e)
{
	gint64 deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
	int n;

	for (;;) {
		g_autoptr(GError) err = NULL;

		*e = NULL;
		n = ovsdp_ct_dump(zone, e, &err);
		ck_assert_msg(n >= 0, "%s", err ? err->message : "?");
		if (n == want || g_get_monotonic_time() > deadline)
			return n;
		g_free(*e);
		g_usleep(20000);
	}
}

static char *
entry_text(const struct ovsdp_ct_entry *e)
{
	GString *s = g_string_new(NULL);

	ovsdp_ct_entry_format(e, s);
	return g_string_free(s, FALSE);
}

START_TEST(dump_and_flush)
{
	struct ovsdp_ct_entry *e = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL, *out = NULL, *json = NULL, *theirs = NULL;
	int st;

	send_udp(raw1, "10.1.0.1", "10.1.0.2", 4000, 5000);
	send_udp(raw2, "10.2.0.2", "10.2.0.1", 4001, 5001);
	ck_assert_int_eq(wait_entries(5, 1, &e), 1);
	ck_assert_uint_eq(e[0].ip_proto, 17);
	ck_assert_uint_eq(e[0].zone, 5);
	ck_assert_uint_eq(e[0].orig.family, AF_INET);
	ck_assert_uint_eq(e[0].orig.sport, 4000);
	ck_assert_uint_eq(e[0].reply.sport, 5000);
	ck_assert(!e[0].has_tcp_state);
	text = entry_text(&e[0]);
	ck_assert_str_eq(text, LINE5);
	g_free(e);
	ck_assert_int_eq(wait_entries(6, 1, &e), 1);
	g_free(text);
	text = entry_text(&e[0]);
	ck_assert_str_eq(text, LINE6);
	g_free(e);

	/* The CLI, in ovs-dpctl's text; ovs-dpctl itself agrees. */
	out = knet_cli_run(&st, "ct dump ovsdpt0 --zone 5");
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, LINE5 "\n");
	g_free(out);
	out = knet_cli_run(&st, "ct dump zone=6");
	ck_assert_int_eq(st, 0);
	ck_assert_str_eq(out, LINE6 "\n");
	if (ktest_have_ovs_dpctl()) {
		ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
		theirs = ktest_sh_output("ovs-dpctl dump-conntrack system@ovsdpt0 zone=5 2>&1");
		ck_assert_str_eq(theirs, LINE5 "\n");
	} else {
		fprintf(stderr, "dump_and_flush: no ovs-dpctl here: no second opinion\n");
	}
	json = knet_cli_run(&st, "ct dump --json --zone 5");
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(json, "\"zone\": 5") || strstr(json, "\"zone\":5"), "%s", json);
	ck_assert_msg(strstr(json, "\"text\": \"" LINE5 "\"") || strstr(json, "\"text\":\"" LINE5 "\""),
		      "%s", json);
	ck_assert_msg(strstr(json, "\"sport\": 4000") || strstr(json, "\"sport\":4000"), "%s", json);

	/* Flush zone 6: zone 5 stays.  Both are refreshed first. */
	send_udp(raw1, "10.1.0.1", "10.1.0.2", 4000, 5000);
	send_udp(raw2, "10.2.0.2", "10.2.0.1", 4001, 5001);
	ck_assert_int_eq(wait_entries(5, 1, &e), 1);
	g_free(e);
	ck_assert_int_eq(wait_entries(6, 1, &e), 1);
	g_free(e);
	g_free(out);
	out = knet_cli_run(&st, "ct flush ovsdpt0 --zone 6");
	ck_assert_msg(st == 0, "%s", out);
	ck_assert_int_eq(ovsdp_ct_dump(6, &e, &err), 0);
	ck_assert_ptr_null(e);
	ck_assert_int_eq(ovsdp_ct_dump(5, &e, &err), 1);
	g_free(e);
	/* Bad zones and a missing datapath are refused by name. */
	ck_assert_int_eq(ovsdp_ct_dump(70000, &e, &err), -EINVAL);
	ck_assert_str_eq(err->message, "conntrack: zone 70000 is out of range (0..65535)");
	g_clear_error(&err);
	g_free(out);
	out = knet_cli_run(&st, "ct flush --zone 65536");
	ck_assert_int_eq(st, 2);
	ck_assert_msg(strstr(out, "zone '65536' is not a number in 0..65535"), "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "ct dump nosuchdp");
	ck_assert_int_ne(st, 0);
	ck_assert_msg(strstr(out, "nosuchdp"), "%s", out);
	/* Flush everything. */
	ck_assert_int_eq(ovsdp_ct_flush(-1, &err), 0);
	ck_assert_int_eq(ovsdp_ct_dump(-1, &e, &err), 0);
	ck_assert_ptr_null(e);
}
END_TEST

int
main(void)
{
	return ktest_main("conntrack", "conntrack", setup, teardown, 120,
			  TSUITE_TESTS(dump_and_flush));
}
