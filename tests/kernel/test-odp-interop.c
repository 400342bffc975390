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

/* Keys as both tools print them; %u is the flow's own in_port, so that
 * every case's flow coexists in one table. */
#define IP_KEY "in_port(%u),eth(),eth_type(0x0800),ipv4(frag=no)"
#define TUN_KEY_TAIL ",in_port(%u),eth(),eth_type(0x0800),ipv4(frag=no)"

/* What the host's ovs-dpctl (3.1) makes of a case. */
enum dpctl_view {
	DPCTL_SAME,             /* prints it as ovsdp does, and reads the text back */
	DPCTL_PRINTS,           /* prints it as ovsdp does, has no parser for it */
	DPCTL_UNKNOWN,          /* has no name for it: "...for: actionN(bytes)" */
	DPCTL_MISREADS,         /* gives the type number to a user-space-only action */
};

struct odp_case {
	const char *what;
	int major, minor;       /* the first kernel that has it (5.10: all in the lab) */
	const char *key;
	const char *actions;
	enum dpctl_view dpctl;
	const char *generic;    /* DPCTL_UNKNOWN: the actionN() text it prints */
};

static const struct odp_case cases[] = {
	/* OVS 3.1 numbers its user-space-only drop 25 and tnl_pop 24: it
	 * prints the kernel's drop (24) as tnl_pop(0), its dec_ttl (23) as a
	 * tunnel push, and cannot install either. */
	{ "explicit drop", 6, 4, IP_KEY, "drop", DPCTL_MISREADS, NULL },
	{ "dec_ttl", 5, 10, IP_KEY, "dec_ttl(le_1(drop)),2", DPCTL_MISREADS, NULL },
	{ "add_mpls", 5, 10, IP_KEY, "add_mpls(label=100,tc=3,ttl=64,bos=1,eth_type=0x8847),2",
	  DPCTL_SAME, NULL },
	{ "push_nsh", 4, 16, IP_KEY,
	  "push_nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x100,si=255,c1=0x1,c2=0x2,c3=0x3,c4=0x4),2",
	  DPCTL_SAME, NULL },
	/* OVS 3.1 prints the NSH key but refuses this text ("syntax error"). */
	{ "NSH key and pop_nsh", 4, 16,
	  "in_port(%u),eth(),eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x100,si=255)", "pop_nsh(),2",
	  DPCTL_PRINTS, NULL },
	/* OVS 3.1 takes type 25 for its drop (4 bytes) and prints the rest
	 * as its generic form: the nested group and cookie, padded. */
	{ "psample", 6, 11, IP_KEY, "psample(group=7,cookie=0x1234),2", DPCTL_UNKNOWN,
	  "action25(08 00 01 00 07 00 00 00 06 00 02 00 12 34 00 00)" },
	{ "ERSPAN v1 tunnel options", 4, 18,
	  "tunnel(dst=1.1.1.1,ttl=64,erspan(ver=1,idx=0x7/0xffffffff),flags(-df-csum))" TUN_KEY_TAIL,
	  "2", DPCTL_SAME, NULL },
	{ "ERSPAN v2 tunnel options", 4, 18,
	  "tunnel(dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1/0x1,hwid=0x3/0xf),flags(-df-csum))" TUN_KEY_TAIL,
	  "2", DPCTL_SAME, NULL },
	{ "VXLAN group policy", 4, 5,
	  "tunnel(dst=1.1.1.2,ttl=64,vxlan(gbp(id=10,flags=0x1)),flags(-df-csum))" TUN_KEY_TAIL, "2",
	  DPCTL_SAME, NULL },
};

static struct ovsdp_dp *dp;

static void
setup(void)
{
	g_autoptr(GError) err = NULL;

	ktest_netns_setup();
	/* Flows name ports by number only: no port needs to exist. */
	ck_assert_msg(ovsdp_dp_create("ovsdpt0", 0, OVSDP_DP_F_DEFAULT, &dp, &err) == 0, "%s",
		      err->message);
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

static char *
case_key(unsigned int i)
{
	const char *k = cases[i].key, *at = strstr(k, "%u");

	return g_strdup_printf("%.*s%u%s", (int)(at - k), k, 10 + i, at + 2);
}

/* The dump-flows line of case i, as ovsdp prints it. */
static char *
case_line(unsigned int i, const char *actions)
{
	g_autofree char *key = case_key(i);

	return g_strdup_printf("%s, packets:0, bytes:0, used:never, actions:%s", key, actions);
}

/* The line of 'dump' that starts with case i's key, or NULL. */
static char *
find_line(const char *dump, unsigned int i)
{
	g_autofree char *key = case_key(i);
	g_auto(GStrv) lines = g_strsplit(dump, "\n", -1);

	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, key) && (*l)[strlen(key)] == ',')
			return g_strdup(*l);
	return NULL;
}

/* Whether ovs-dpctl's generic text for an action ("actionN(bytes)")
 * parses, in ovsdp, to the very bytes of the first action of some flow the
 * kernel returns.  (The kernel dumps a nest without NLA_F_NESTED, which is
 * what the text keeps.) */
static bool
generic_matches_kernel(const char *generic)
{
	struct ovsdp_buf want = OVSDP_BUF_INIT;
	struct ovsdp_flow_dump *d = NULL;
	const struct ovsdp_flow *f;
	g_autoptr(GError) err = NULL;
	bool found = false;

	ck_assert_msg(ovsdp_odp_actions_from_string(generic, &want, &err) == 0, "%s", err->message);
	ck_assert_int_eq(ovsdp_flow_dump_start(dp, 0, &d, &err), 0);
	while (!found && ovsdp_flow_dump_next(d, &f, &err) == 1)
		found = f->actions_len >= want.len && !memcmp(f->actions, want.data, want.len);
	ovsdp_flow_dump_free(d);
	ovsdp_buf_clear(&want);
	return found;
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

/* ovsdp installs each case's text; ovsdp (text and JSON) prints it back
 * unchanged, and ovs-dpctl prints the same line where it knows the type.
 * One table for all cases keeps the run short under TCG. */
/* Every case is checked, and every failure reported, before the test
 * fails: a lab run is too slow to learn one failure at a time. */
#define CHECK(fails, cond, ...) do {                                    \
		if (!(cond))                                            \
			g_string_append_printf(fails, __VA_ARGS__);     \
	} while (0)

START_TEST(ovsdp_installs)
{
	g_autoptr(GString) fails = g_string_new(NULL);
	g_autofree char *ours = NULL, *json = NULL, *theirs = NULL;
	unsigned int ran = 0, applicable = 0;
	bool dpctl;
	int st;

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *key = case_key(i), *out = NULL;

		out = knet_cli_run(&st, "flow add ovsdpt0 '%s' '%s'", key, c->actions);
		if (!kernel_has(c)) {
			printf("not applicable: %s needs Linux %d.%d\n", c->what, c->major, c->minor);
			/* Refused with an error, not a crash; "drop" falls back
			 * to no actions, which every kernel has. */
			CHECK(fails, st == (strcmp(c->actions, "drop") ? 1 : 0), "%s: status %d: %s\n",
			      c->what, st, out);
			if (st == 0)
				ktest_sh("%s flow del ovsdpt0 '%s'", knet_cli(), key);
			continue;
		}
		applicable++;
		CHECK(fails, st == 0, "%s: ovsdp flow add: %s", c->what, out);
	}

	ours = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_msg(st == 0, "%s", ours);
	json = knet_cli_run(&st, "flow dump --json ovsdpt0");
	ck_assert_int_eq(st, 0);
	dpctl = dpctl_ready();
	if (dpctl)
		theirs = ktest_sh_output("ovs-dpctl dump-flows ovsdpt0 2>&1");

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *want = case_line(i, c->actions), *line = find_line(ours, i);
		g_autofree char *needle = g_strdup_printf("\"actions\":\"%s\"", c->actions);
		g_autofree char *tline = NULL, *twant = NULL;

		if (!kernel_has(c))
			continue;
		ran++;
		if (!line) {
			g_string_append_printf(fails, "%s: no line in ovsdp's dump\n", c->what);
			continue;
		}
		CHECK(fails, !strcmp(line, want), "%s: ovsdp prints\n  %s\nwanted\n  %s\n", c->what, line,
		      want);
		CHECK(fails, strstr(json, needle), "%s: %s not in the JSON dump\n", c->what, needle);
		if (!dpctl)
			continue;
		tline = find_line(theirs, i);
		if (!tline) {
			g_string_append_printf(fails, "%s: no line in ovs-dpctl's dump:\n%s\n", c->what, theirs);
			continue;
		}
		switch (c->dpctl) {
		case DPCTL_SAME:
		case DPCTL_PRINTS:
			CHECK(fails, !strcmp(tline, want), "%s: ovs-dpctl prints\n  %s\novsdp\n  %s\n", c->what,
			      tline, want);
			break;
		case DPCTL_UNKNOWN:
			/* What it cannot name it prints as bytes, which ovsdp
			 * reads back to the very same action. */
			CHECK(fails, strstr(tline, c->generic), "%s: %s not in ovs-dpctl's\n  %s\n", c->what,
			      c->generic, tline);
			CHECK(fails, generic_matches_kernel(c->generic), "%s: ovsdp reads %s to other bytes "
			      "than the kernel's\n", c->what, c->generic);
			break;
		case DPCTL_MISREADS:
			printf("not compared: ovs-dpctl 3.1 misreads %s: %s\n", c->what, tline);
			break;
		}
	}
	printf("odp-interop: %u of %u cases ran on this kernel\n", ran, (unsigned)G_N_ELEMENTS(cases));
	ck_assert_uint_eq(ran, applicable);
	ck_assert_msg(!fails->len, "\n%s", fails->str);
}
END_TEST

/* ovs-dpctl installs the text; ovsdp prints the same lines it does. */
START_TEST(ovs_dpctl_installs)
{
	g_autoptr(GString) fails = g_string_new(NULL);
	g_autofree char *ours = NULL, *theirs = NULL;

	if (!dpctl_ready())
		return;
	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *key = case_key(i);

		if (!kernel_has(c) || c->dpctl != DPCTL_SAME)
			continue;
		CHECK(fails, ktest_sh("ovs-dpctl add-flow ovsdpt0 '%s' '%s' 2>&1", key, c->actions) == 0,
		      "ovs-dpctl add-flow: %s\n", c->what);
	}
	{
		int st;

		theirs = ktest_sh_output("ovs-dpctl dump-flows ovsdpt0");
		ours = knet_cli_run(&st, "flow dump ovsdpt0");
		ck_assert_int_eq(st, 0);
	}
	g_autofree char *a = knet_normalise_flows(ours), *b = knet_normalise_flows(theirs);

	CHECK(fails, !strcmp(a, b), "ovsdp's dump\n%sovs-dpctl's\n%s", a, b);
	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *want = case_line(i, c->actions), *line = find_line(ours, i);

		if (!kernel_has(c) || c->dpctl != DPCTL_SAME)
			continue;
		CHECK(fails, line && !strcmp(line, want), "%s: ovsdp prints\n  %s\nwanted\n  %s\n", c->what,
		      line ? line : "(nothing)", want);
	}
	ck_assert_msg(!fails->len, "\n%s", fails->str);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("odp-interop");
	TCase *tc = tcase_create("odp-interop");

	ktest_require_datapath();
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, ovsdp_installs);
	tcase_add_test(tc, ovs_dpctl_installs);
	suite_add_tcase(s, tc);
	return ktest_run_suite(s);
}
