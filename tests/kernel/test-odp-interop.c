/* test-odp-interop.c: the actions and keys newer kernels accept (explicit
 * drop, dec_ttl, add_mpls, push_nsh/pop_nsh with the NSH key, psample,
 * ERSPAN and VXLAN-GBP tunnel options) installed from text with `ovsdp flow
 * add`, dumped by ovsdp and by the host's ovs-dpctl, and compared; and the
 * other way round, installed by ovs-dpctl and dumped by ovsdp.  A feature
 * the running kernel predates is reported as not applicable. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

#define IP_KEY "in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)"
#define TUN_KEY_TAIL ",in_port(1),eth(),eth_type(0x0800),ipv4(frag=no)"

struct odp_case {
	const char *what;
	int major, minor;       /* the first kernel that has it */
	const char *key;        /* as both tools print it */
	const char *actions;
	/* How ovs-dpctl 3.1 prints the actions, when not like ovsdp (an action
	 * it predates is "actionN(bytes)"); NULL: the same text. */
	const char *dpctl_actions;
	bool dpctl_parses;      /* ovs-dpctl 3.1 reads this text back */
};

static const struct odp_case cases[] = {
	{ "explicit drop", 6, 4, IP_KEY, "drop", NULL, true },
	{ "dec_ttl", 5, 11, IP_KEY, "dec_ttl(le_1(drop)),2", NULL, false },
	{ "add_mpls", 5, 15, IP_KEY, "add_mpls(label=100,tc=3,ttl=64,bos=1,eth_type=0x8847),2", NULL,
	  true },
	{ "push_nsh", 4, 16, IP_KEY,
	  "push_nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x100,si=255,c1=0x1,c2=0x2,c3=0x3,c4=0x4),2",
	  NULL, true },
	{ "NSH key and pop_nsh", 4, 16,
	  "in_port(1),eth(),eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x100,si=255)", "pop_nsh(),2",
	  NULL, true },
	{ "psample", 6, 11, IP_KEY, "psample(group=7,cookie=0x1234),2",
	  /* OVS 3.1 predates psample: the nested group and cookie, padded. */
	  "action25(08 00 01 00 07 00 00 00 06 00 02 00 12 34 00 00),2", false },
	{ "ERSPAN v1 tunnel options", 4, 18,
	  "tunnel(dst=1.1.1.1,ttl=64,erspan(ver=1,idx=0x7/0xffffffff),flags(-df-csum))" TUN_KEY_TAIL,
	  "2", NULL, true },
	{ "ERSPAN v2 tunnel options", 4, 18,
	  "tunnel(dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1/0x1,hwid=0x3/0xf),flags(-df-csum))" TUN_KEY_TAIL,
	  "2", NULL, true },
	{ "VXLAN group policy", 4, 5,
	  "tunnel(dst=1.1.1.2,ttl=64,vxlan(gbp(id=10,flags=0x1)),flags(-df-csum))" TUN_KEY_TAIL, "2",
	  NULL, true },
};

static struct ovsdp_dp *dp;

static void
setup(void)
{
	struct ovsdp_vport_spec spec = { .name = "vA" };
	struct ovsdp_vport_info info;
	g_autoptr(GError) err = NULL;

	ktest_netns_setup();
	ck_assert_msg(ovsdp_dp_create("ovsdpt0", 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err->message);
	knet_veth("vA", "vB");
	knet_veth("vC", "vD");
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, &err), 0);
	spec.name = "vC";
	ck_assert_int_eq(ovsdp_vport_add(dp, &spec, &info, &err), 0);
}

static void
teardown(void)
{
	ovsdp_dp_close(dp);
	dp = NULL;
}

static bool
kernel_has(const struct odp_case *c)
{
	int major, minor;

	ktest_kernel_version(&major, &minor);
	return major > c->major || (major == c->major && minor >= c->minor);
}

/* The one flow's line, "used:" normalised. */
static char *
one_line(const char *dump)
{
	char *n = knet_normalise_flows(dump);

	ck_assert_msg(strchr(n, '\n') && !strchr(n, '\n')[1], "expected one flow, got:\n%s", dump);
	return n;
}

static bool
dpctl_ready(void)
{
	if (!ktest_have_ovs_dpctl()) {
		ck_assert_str_ne(g_getenv("OVSDP_TEST_REQUIRE_DATAPATH") ?: "", "1");
		return false;
	}
	ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
	return true;
}

/* ovsdp installs the text; ovsdp and ovs-dpctl print it back. */
START_TEST(ovsdp_installs)
{
	const struct odp_case *c = &cases[_i];
	g_autofree char *out = NULL, *ours = NULL, *theirs = NULL, *want = NULL, *json = NULL;
	g_autofree char *a = NULL, *b = NULL, *want_theirs = NULL;
	int st;

	if (!kernel_has(c)) {
		printf("not applicable: %s needs Linux %d.%d\n", c->what, c->major, c->minor);
		/* The kernel refuses it, with an error, not a crash. */
		out = knet_cli_run(&st, "flow add ovsdpt0 '%s' '%s'", c->key, c->actions);
		if (strcmp(c->actions, "drop"))
			ck_assert_msg(st == 0 || st == 1, "status %d: %s", st, out);
		else    /* "drop" falls back to no actions, which every kernel has */
			ck_assert_msg(st == 0, "%s", out);
		return;
	}
	out = knet_cli_run(&st, "flow add ovsdpt0 '%s' '%s'", c->key, c->actions);
	ck_assert_msg(st == 0, "%s: %s", c->what, out);

	ours = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_msg(st == 0, "%s", ours);
	want = g_strdup_printf("%s, packets:0, bytes:0, used:never, actions:%s\n", c->key, c->actions);
	ck_assert_str_eq(ours, want);

	json = knet_cli_run(&st, "flow dump --json ovsdpt0");
	ck_assert_int_eq(st, 0);
	{
		g_autofree char *needle = g_strdup_printf("\"actions\":\"%s\"", c->actions);

		ck_assert_msg(strstr(json, needle), "%s not in %s", needle, json);
	}

	if (!dpctl_ready())
		return;
	theirs = ktest_sh_output("ovs-dpctl dump-flows ovsdpt0");
	a = one_line(ours);
	b = one_line(theirs);
	if (c->dpctl_actions) {
		/* ovs-dpctl names what it can; the rest must be ovsdp's
		 * reading of the same bytes. */
		g_autofree char *back = NULL;

		want_theirs = g_strdup_printf("%s, packets:0, bytes:0, used:never, actions:%s\n", c->key,
					      c->dpctl_actions);
		ck_assert_str_eq(b, want_theirs);
		/* ovsdp reads ovs-dpctl's actionN() back to the same action. */
		g_free(out);
		out = knet_cli_run(&st, "flow mod ovsdpt0 '%s' '%s'", c->key, c->dpctl_actions);
		ck_assert_msg(st == 0, "%s", out);
		back = knet_cli_run(&st, "flow dump ovsdpt0");
		ck_assert_str_eq(back, want);
	} else {
		ck_assert_str_eq(a, b);
	}
}
END_TEST

/* ovs-dpctl installs the text; ovsdp prints it as ovs-dpctl does. */
START_TEST(ovs_dpctl_installs)
{
	const struct odp_case *c = &cases[_i];
	g_autofree char *ours = NULL, *theirs = NULL;
	int st;

	if (!kernel_has(c)) {
		printf("not applicable: %s needs Linux %d.%d\n", c->what, c->major, c->minor);
		return;
	}
	if (!c->dpctl_parses) {
		printf("not applicable: ovs-dpctl 3.1 cannot read '%s'\n", c->actions);
		return;
	}
	if (!dpctl_ready())
		return;
	ck_assert_int_eq(ktest_sh("ovs-dpctl add-flow ovsdpt0 '%s' '%s' 2>&1", c->key, c->actions), 0);
	theirs = ktest_sh_output("ovs-dpctl dump-flows ovsdpt0");
	ours = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_int_eq(st, 0);
	g_autofree char *a = one_line(ours), *b = one_line(theirs);

	ck_assert_str_eq(a, b);
	ck_assert_msg(strstr(a, c->actions), "%s", a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("odp-interop");
	TCase *tc = tcase_create("odp-interop");

	ktest_require_datapath();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, ovsdp_installs, 0, G_N_ELEMENTS(cases));
	tcase_add_loop_test(tc, ovs_dpctl_installs, 0, G_N_ELEMENTS(cases));
	suite_add_tcase(s, tc);
	return ktest_run_suite(s);
}
