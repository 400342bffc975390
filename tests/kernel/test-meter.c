/* test-meter.c: datapath meters on the real kernel: features, a drop band
 * at a low packet rate metering real frames between veth pairs (the
 * meter's and the band's counters against what arrived), get, delete,
 * and the errors for a missing meter; the CLI's text, JSON and errors. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <linux/openvswitch.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

static const uint8_t mac_a[6] = { 0x02, 0, 0, 0, 0, 0x0a };
static const uint8_t mac_b[6] = { 0x02, 0, 0, 0, 0, 0x0b };

KNET_DP_FIXTURE(dp)

/* False, said visibly, when the kernel has no ovs_meter family; that is
 * only allowed before Linux 4.15, where meters did not exist. */
static bool
have_meters(void)
{
	struct ovsdp_meter_features f;
	g_autoptr(GError) err = NULL;
	int major, minor;

	if (ovsdp_meter_features(dp, &f, &err) != -EOPNOTSUPP)
		return true;
	ktest_kernel_version(&major, &minor);
	fprintf(stderr, "not applicable: Linux %d.%d has no ovs_meter family\n", major, minor);
	ck_assert_msg(major < 4 || (major == 4 && minor < 15),
		      "Linux %d.%d should have ovs_meter: %s", major, minor, err->message);
	return false;
}

START_TEST(features_nonzero)
{
	struct ovsdp_meter_features f;
	g_autoptr(GError) err = NULL;
	g_autofree char *out = NULL;
	int st;

	if (!have_meters())
		return;
	ck_assert_msg(ovsdp_meter_features(dp, &f, &err) == 0, "%s", err ? err->message : "");
	ck_assert_uint_gt(f.max_meters, 0);
	ck_assert_uint_gt(f.max_bands, 0);
	ck_assert(f.band_types & (1u << OVSDP_METER_BAND_DROP));
	ck_assert(f.kbps && f.pktps);
	out = knet_cli_run(&st, "meter features ovsdpt0");
	ck_assert_msg(st == 0, "%s", out);
	ck_assert_msg(strstr(out, "max_meter:") && strstr(out, "band_types: drop"), "%s", out);
	g_free(out);
	out = knet_cli_run(&st, "meter features ovsdpt0 --json");
	ck_assert_msg(st == 0 && strstr(out, "\"max_bands\":") && strstr(out, "\"drop\""), "%s",
		      out);
}
END_TEST

/* Read meter 'id' until its packet count reaches 'want' (the frames are
 * metered in softirq, after send() returned), or 5 s pass. */
static void
wait_metered(uint32_t id, uint64_t want, struct ovsdp_meter_stats *st)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	g_autoptr(GError) err = NULL;

	for (;;) {
		ck_assert_msg(ovsdp_meter_get(dp, id, st, &err) == 0, "%s",
			      err ? err->message : "");
		if (st->total.packets >= want || g_get_monotonic_time() > deadline)
			return;
		g_usleep(10000);
	}
}

START_TEST(drop_band_meters_traffic)
{
	const uint32_t id = 7, n_sent = 40;
	struct ovsdp_meter_band band = { OVSDP_METER_BAND_DROP, 1, 0 };
	struct ovsdp_buf key = OVSDP_BUF_INIT, mask = OVSDP_BUF_INIT, acts = OVSDP_BUF_INIT;
	struct ovsdp_flow_put put = { 0 };
	struct ovsdp_meter_stats st;
	g_autoptr(GError) err = NULL;
	g_autofree char *out = NULL;
	uint32_t p_in, p_out, n_recv = 0;
	uint8_t frame[128], got[256];
	size_t len = knet_frame(frame, sizeof frame, mac_b, mac_a, 77, 60);
	int fd_in, fd_out, stc;

	if (!have_meters())
		return;
	knet_veth_port(dp, 0, &p_in, &fd_in);
	knet_veth_port(dp, 1, &p_out, &fd_out);
	/* One packet a second, no burst: the bucket starts with one packet. */
	ck_assert_msg(ovsdp_meter_set(dp, id, OVSDP_METER_F_PKTPS, &band, 1, &err) == 0, "%s",
		      err ? err->message : "");
	knet_key(&key, p_in, mac_a, mac_b);
	knet_mask(&mask);
	/* The action text the CLI and ovs-dpctl use: meter(7),<out>. */
	{
		g_autofree char *text = g_strdup_printf("meter(%u),%u", id, p_out);

		ck_assert_msg(ovsdp_odp_actions_from_string(text, &acts, &err) == 0, "%s",
			      err ? err->message : "");
	}
	put.flags = OVSDP_FLOW_PUT_CREATE;
	knet_flow_put_set(&put, &key, &mask, &acts);
	ck_assert_msg(ovsdp_flow_put(dp, &put, NULL, &err) == 0, "%s", err ? err->message : "");

	for (uint32_t i = 0; i < n_sent; i++)
		knet_send(fd_in, frame, len);
	wait_metered(id, n_sent, &st);
	while (knet_recv_tag(fd_out, 77, got, sizeof got, n_recv ? 300 : 3000) == (int)len)
		n_recv++;
	ck_assert_uint_eq(st.id, id);
	ck_assert_uint_eq(st.total.packets, n_sent);
	ck_assert_uint_eq(st.total.bytes, (uint64_t)n_sent * len);
	ck_assert_uint_eq(st.n_bands, 1);
	/* The first frame passes; the band drops the excess. */
	ck_assert_uint_ge(n_recv, 1);
	ck_assert_uint_lt(n_recv, n_sent);
	ck_assert_uint_eq(st.bands[0].packets + n_recv, n_sent);
	ck_assert_uint_eq(st.bands[0].bytes, st.bands[0].packets * len);
	fprintf(stderr, "meter %u: %u sent, %u received, %" G_GUINT64_FORMAT " dropped\n", id,
		n_sent, n_recv, st.bands[0].packets);

	/* The CLI reads the same counters. */
	out = knet_cli_run(&stc, "meter get ovsdpt0 %u", id);
	ck_assert_msg(stc == 0, "%s", out);
	{
		g_autofree char *want = g_strdup_printf("meter:%u packet_in_count:%u ", id, n_sent);
		g_autofree char *band0 = g_strdup_printf("0: packet_count:%" G_GUINT64_FORMAT " ",
							 st.bands[0].packets);

		ck_assert_msg(strstr(out, want) && strstr(out, band0), "%s", out);
	}
	g_free(out);
	out = knet_cli_run(&stc, "meter get ovsdpt0 --json");
	ck_assert_msg(stc == 0 && strstr(out, "\"id\":7") && strstr(out, "\"bands\":[{"), "%s",
		      out);

	ovsdp_buf_clear(&key);
	ovsdp_buf_clear(&mask);
	ovsdp_buf_clear(&acts);
	close(fd_in);
	close(fd_out);
}
END_TEST

START_TEST(get_del_and_missing)
{
	struct ovsdp_meter_band bands[1] = { { OVSDP_METER_BAND_DROP, 1000, 100 } };
	struct ovsdp_meter_stats st, *all = NULL;
	GError *err = NULL;

	if (!have_meters())
		return;
	/* A burst without the burst flag is refused before the kernel. */
	ck_assert_int_eq(ovsdp_meter_set(dp, 3, 0, bands, 1, &err), -EINVAL);
	ck_assert_msg(strstr(err->message, "burst"), "%s", err->message);
	g_clear_error(&err);
	ck_assert_msg(ovsdp_meter_set(dp, 3, OVSDP_METER_F_KBPS | OVSDP_METER_F_BURST, bands, 1,
				      &err) == 0, "%s", err ? err->message : "");
	ck_assert_int_eq(ovsdp_meter_get(dp, 3, &st, &err), 0);
	ck_assert_uint_eq(st.id, 3);
	ck_assert_uint_eq(st.total.packets, 0);
	ck_assert_uint_eq(st.n_bands, 1);
	ck_assert_int_eq(ovsdp_meter_list(dp, 16, &all, &err), 1);
	ck_assert_uint_eq(all[0].id, 3);
	g_free(all);
	ck_assert_int_eq(ovsdp_meter_del(dp, 3, &st, &err), 0);
	ck_assert_uint_eq(st.id, 3);
	/* Gone: get and del both say so. */
	ck_assert_int_eq(ovsdp_meter_get(dp, 3, &st, &err), -ENOENT);
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_meter_del(dp, 3, NULL, &err), -ENOENT);
	ck_assert_msg(strstr(err->message, "deleting meter 3") &&
		      strstr(err->message, "no such meter"), "%s", err->message);
	g_clear_error(&err);

	/* The CLI, for set, del and the missing meter. */
	knet_cli_expect(0, "meter set ovsdpt0 9 pktps burst band=drop,rate=10,burst=5");
	knet_cli_expect(0, "meter del ovsdpt0 9");
	knet_cli_expect_out(1, "no such meter", "meter del ovsdpt0 9");
	knet_cli_expect_out(1, "reading meter 9", "meter get ovsdpt0 9");
	knet_cli_expect_out(2, "rate", "meter set ovsdpt0 9 band=drop,rate=0");
}
END_TEST

int
main(void)
{
	return ktest_main("meter", "meter", setup, teardown, 180,
			  TSUITE_TESTS(features_nonzero, drop_band_meters_traffic,
				       get_del_and_missing));
}
