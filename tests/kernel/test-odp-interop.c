/* test-odp-interop.c: what ovsdp and Open vSwitch's ovs-dpctl make of each
 * other's flows, both ways: the actions and keys newer kernels accept
 * (explicit drop, dec_ttl, add_mpls, push_nsh/pop_nsh with the NSH key,
 * psample, ERSPAN and VXLAN-GBP tunnel options), meter, ct with NAT,
 * check_pkt_len and the older actions, installed from text by `ovsdp flow
 * add` and dumped by ovsdp and ovs-dpctl, then installed by ovs-dpctl and
 * dumped by both.  The second opinion is OVS 3.5's ovs-dpctl when its root
 * is cached (tests/lab/ovs-dpctl-3.5), else the host's (3.1), each with its
 * own expected view of every case.  Prints the table docs/odp-interop.md
 * shows.  A feature the running kernel predates is not applicable. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ktest.h"
#include "knet.h"

/* Keys as both tools print them; %u is the flow's own in_port, so that
 * every case's flow coexists in one table. */
#define IP_KEY "in_port(%u),eth(),eth_type(0x0800),ipv4(frag=no)"
#define IP6_KEY "in_port(%u),eth(),eth_type(0x86dd),ipv6(frag=no)"
#define TUN_KEY_TAIL ",in_port(%u),eth(),eth_type(0x0800),ipv4(frag=no)"

/* The meter the "meter" cases name (created in setup). */
#define METER_ID "1"

/* What one version of ovs-dpctl makes of a case. */
enum dpctl_view {
	DPCTL_SAME,             /* prints it as ovsdp does, and reads the text back */
	DPCTL_PRINTS,           /* prints it as ovsdp does, its parser refuses the text */
	DPCTL_UNKNOWN,          /* has no name for it: "...for: actionN(bytes)" */
	DPCTL_MISREADS,         /* gives the type number to a user-space-only action */
};

struct odp_case {
	const char *what;
	int major, minor;       /* the first kernel that has it (5.10: all in the lab) */
	const char *key;
	const char *actions;
	enum dpctl_view v31;    /* Debian bookworm's OVS 3.1 */
	enum dpctl_view v35;    /* Debian trixie's OVS 3.5 */
	const char *generic;    /* DPCTL_UNKNOWN: the actionN() text it prints */
	/* What a newer kernel adds to the key it gives back, after the key
	 * as written; the line may have it or not. */
	const char *kernel_adds;
};

/* OVS 3.5's texts, read off lib/odp-util.c's format_odp_action() and
 * parse_odp_action() and checked against its ovs-dpctl on Linux 7.x. */
static const struct odp_case cases[] = {
	/* OVS 3.1 numbers its user-space-only drop 25 and tnl_pop 24: it
	 * prints the kernel's drop (24) as tnl_pop(0), its dec_ttl (23) as a
	 * tunnel push, and cannot install either.  OVS 3.5 numbers them as
	 * the kernel does; it parses "drop" (as a whole action list only),
	 * not dec_ttl. */
	{ "explicit drop", 6, 4, IP_KEY, "drop", DPCTL_MISREADS, DPCTL_SAME, NULL, NULL },
	{ "dec_ttl", 5, 10, IP_KEY, "dec_ttl(le_1(drop)),2", DPCTL_MISREADS, DPCTL_PRINTS, NULL, NULL },
	{ "add_mpls", 5, 10, IP_KEY, "add_mpls(label=100,tc=3,ttl=64,bos=1,eth_type=0x8847),2",
	  DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "push_nsh", 4, 16, IP_KEY,
	  "push_nsh(flags=0,ttl=63,mdtype=1,np=3,spi=0x100,si=255,c1=0x1,c2=0x2,c3=0x3,c4=0x4),2",
	  DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	/* OVS 3.1 and 3.5 print the NSH key but refuse this text ("syntax
	 * error": their key parser reads nsh(...), then falls through to
	 * its final "return -EINVAL"). */
	{ "NSH key and pop_nsh", 4, 16,
	  "in_port(%u),eth(),eth_type(0x894f),nsh(mdtype=1,np=3,spi=0x100,si=255)", "pop_nsh(),2",
	  DPCTL_PRINTS, DPCTL_PRINTS, NULL, NULL },
	/* OVS 3.1 takes type 25 for its drop (4 bytes) and prints the rest
	 * as its generic form: the nested group and cookie, padded. */
	{ "psample", 6, 11, IP_KEY, "psample(group=7,cookie=0x1234),2", DPCTL_UNKNOWN, DPCTL_SAME,
	  "action25(08 00 01 00 07 00 00 00 06 00 02 00 12 34 00 00)", NULL },
	{ "ERSPAN v1 tunnel options", 4, 18,
	  "tunnel(dst=1.1.1.1,ttl=64,erspan(ver=1,idx=0x7/0xffffffff),flags(-df-csum))" TUN_KEY_TAIL,
	  "2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "ERSPAN v2 tunnel options", 4, 18,
	  "tunnel(dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1/0x1,hwid=0x3/0xf),flags(-df-csum))" TUN_KEY_TAIL,
	  "2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "VXLAN group policy", 4, 5,
	  "tunnel(dst=1.1.1.2,ttl=64,vxlan(gbp(id=10,flags=0x1)),flags(-df-csum))" TUN_KEY_TAIL, "2",
	  DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	/* The same options set on the way out. */
	{ "set tunnel, ERSPAN v1 options", 4, 18, IP_KEY,
	  "set(tunnel(dst=1.1.1.1,ttl=64,erspan(ver=1,idx=0x7),flags(df))),2", DPCTL_SAME, DPCTL_SAME,
	  NULL, NULL },
	{ "set tunnel, ERSPAN v2 options", 4, 18, IP_KEY,
	  "set(tunnel(dst=1.1.1.1,ttl=64,erspan(ver=2,dir=1,hwid=0x3),flags(df))),2", DPCTL_SAME,
	  DPCTL_SAME, NULL, NULL },
	{ "set tunnel, VXLAN group policy", 4, 5, IP_KEY,
	  "set(tunnel(tun_id=0x2,dst=1.1.1.1,ttl=64,tp_dst=4789,vxlan(gbp(id=5,flags=0x2)),flags(df|key))),2",
	  DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	/* Through meter 1, which exists (a missing one would be ignored). */
	{ "meter", 4, 15, IP_KEY, "meter(" METER_ID "),2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	/* The kernel keeps a NAT range's end only when it differs from its
	 * start, and gives back "random" and "hash" as it took them. */
	{ "ct with source NAT range", 4, 6, IP_KEY,
	  "ct(commit,nat(src=10.0.0.1-10.0.0.9:1000-2000,persistent,random)),2", DPCTL_SAME,
	  DPCTL_SAME, NULL, NULL },
	{ "ct with source NAT, hash", 4, 6, IP_KEY, "ct(commit,nat(src=10.0.0.1,hash)),2",
	  DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "ct with zone, mark, destination NAT", 4, 6, IP_KEY,
	  "ct(commit,zone=5,mark=0x1/0xff,nat(dst=10.1.1.1:80)),2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "ct with plain nat", 4, 6, IP_KEY, "ct(zone=7,nat),2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	/* Linux 7 gives an IPv6 flow's key back with the IPv6 extension
	 * header field (type 32) fully wildcarded; neither ovsdp nor OVS
	 * 3.5 has a name for it. */
	{ "ct with IPv6 destination NAT", 4, 6, IP6_KEY, "ct(commit,nat(dst=[2001:db8::1]:80)),2",
	  DPCTL_SAME, DPCTL_SAME, NULL, ",key32(00 00/00 00)" },
	{ "check_pkt_len", 5, 3, IP_KEY, "check_pkt_len(size=200,gt(2),le(3))", DPCTL_SAME,
	  DPCTL_SAME, NULL, NULL },
	/* An empty branch prints, and is read, as "drop". */
	{ "check_pkt_len, empty branch", 5, 3, IP_KEY,
	  "check_pkt_len(size=1500,gt(drop),le(meter(" METER_ID "),2))", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	/* What OVS 3.1 already named. */
	{ "push_vlan", 4, 0, IP_KEY, "push_vlan(vid=10,pcp=3),2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "masked set", 4, 0, IP_KEY, "set(ipv4(ttl=3)),2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "trunc", 4, 10, IP_KEY, "trunc(100),2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "clone", 4, 13, IP_KEY, "clone(push_vlan(vid=7,pcp=0),2),3", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "sample", 4, 0, IP_KEY, "sample(sample=50.0%,actions(2)),3", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	{ "ct_clear", 4, 18, IP_KEY, "ct_clear,2", DPCTL_SAME, DPCTL_SAME, NULL, NULL },
	/* Printed by both, parsed by neither (their parse_odp_action()
	 * has no pop_eth, push_mpls nor hash, and reads recirc in decimal
	 * only). */
	{ "pop_eth", 4, 12, IP_KEY, "pop_eth,2", DPCTL_PRINTS, DPCTL_PRINTS, NULL, NULL },
	{ "push_mpls", 4, 0, IP_KEY, "push_mpls(label=7,tc=0,ttl=64,bos=1,eth_type=0x8847),2",
	  DPCTL_PRINTS, DPCTL_PRINTS, NULL, NULL },
	{ "hash and recirc", 4, 0, IP_KEY, "hash(l4(0)),recirc(0x1)", DPCTL_PRINTS, DPCTL_PRINTS,
	  NULL, NULL },
	{ "userspace", 4, 0, IP_KEY, "userspace(pid=5,userdata(0102030405060708)),2", DPCTL_SAME,
	  DPCTL_SAME, NULL, NULL },
};

static struct ovsdp_dp *dp;

/* Flows name ports by number only: no port needs to exist. */
static void
setup(void)
{
	g_autofree char *out = NULL;
	int st;

	dp = knet_netns_dp(KNET_DP);
	out = knet_cli_run(&st, "meter set ovsdpt0 " METER_ID " pktps band=drop,rate=1000");
	ck_assert_msg(st == 0, "ovsdp meter set: %s", out);
}

static void
teardown(void)
{
	knet_dp_close(&dp);
}

static bool
kernel_has(const struct odp_case *c)
{
	int major, minor;

	ktest_kernel_version(&major, &minor);
	return major > c->major || (major == c->major && minor >= c->minor);
}

/* ---- The second opinions -------------------------------------------------
 * Each test case runs once per ovs-dpctl: OVS 3.5's (tests/lab/ovs-dpctl-3.5,
 * from the cached trixie root) and the host's (Debian bookworm: 3.1), each
 * with its own view of the cases.  One that is absent is reported, not
 * compared; none at all fails where the datapath is required, and in CI on
 * Linux 7 or later OVS 3.5 must be there (as in tests/lab/test-dpctl-interop). */
enum { OPINION_OVS35_ROOT, OPINION_HOST, N_OPINIONS };

struct dpctl {
	char *cmd;              /* shell-quoted, ready for "%s dump-flows ..." */
	char *version;          /* "3.5.0" */
	bool v35;               /* 3.5 or later: its view of the cases */
};

static struct dpctl second;

static char *
dpctl_version(const char *cmd)
{
	g_autofree char *out = ktest_sh_output("%s --version 2>/dev/null", cmd);
	const char *v = strstr(out, "Open vSwitch) ");
	size_t n;

	if (!v)
		return NULL;
	v += strlen("Open vSwitch) ");
	n = strspn(v, "0123456789.");
	return n ? g_strndup(v, n) : NULL;
}

static bool
ci(void)
{
	const char *c = g_getenv("CI");

	return c && *c && strcmp(c, "false");
}

static char *
lab_dpctl(void)
{
	g_autofree char *p = g_build_filename(g_getenv("OVSDP_SOURCE_ROOT") ?: ".", "tests", "lab",
					      "ovs-dpctl-3.5", NULL);

	return g_shell_quote(p);
}

/* Which opinions this run asks: OVSDP_INTEROP_OPINIONS is "all", "3.5" or
 * "host"; by default OVS 3.5's on Linux 7 or later (the pair this project
 * promises: today's kernel, today's Open vSwitch) and the host's (3.1)
 * on older kernels, so that each kernel pays for one.  The case that is
 * not asked says so and checks nothing: the other one checks ovsdp's own
 * output. */
static bool
opinion_asked(int which)
{
	const char *want = g_getenv("OVSDP_INTEROP_OPINIONS");
	int major, minor;

	if (want && !strcmp(want, "all"))
		return true;
	if (want && !strcmp(want, "3.5"))
		return which == OPINION_OVS35_ROOT;
	if (want && !strcmp(want, "host"))
		return which == OPINION_HOST;
	ck_assert_msg(!want || !*want, "OVSDP_INTEROP_OPINIONS=%s: not all, 3.5 or host", want);
	ktest_kernel_version(&major, &minor);
	return (which == OPINION_OVS35_ROOT) == (major >= 7);
}

/* Whether opinion 'which' is here; sets 'second' to it. */
static bool
dpctl_ready(int which)
{
	int major, minor, vmaj = 0, vmin = 0;

	g_clear_pointer(&second.cmd, g_free);
	g_clear_pointer(&second.version, g_free);
	ktest_kernel_version(&major, &minor);
	second.cmd = which == OPINION_OVS35_ROOT ? lab_dpctl() : g_strdup("ovs-dpctl");
	second.version = dpctl_version(second.cmd);
	if (!second.version) {
		g_autofree char *other = which == OPINION_OVS35_ROOT ? g_strdup("ovs-dpctl") : lab_dpctl();
		g_autofree char *other_version = dpctl_version(other);

		ck_assert_msg(which != OPINION_OVS35_ROOT || !ci() || major < 7,
			      "CI on Linux %d.%d needs OVS 3.5's ovs-dpctl (%s): build its root with "
			      "tests/lab/trixie-root", major, minor, second.cmd);
		ck_assert_msg(other_version || g_strcmp0(g_getenv("OVSDP_TEST_REQUIRE_DATAPATH"), "1"),
			      "no ovs-dpctl at all (neither Debian's openvswitch-switch nor OVS 3.5's root)");
		printf("not compared with %s: it is not here\n",
		       which == OPINION_OVS35_ROOT ? "OVS 3.5's ovs-dpctl (no cached trixie root)"
		       : "the host's ovs-dpctl (no openvswitch-switch)");
		g_clear_pointer(&second.cmd, g_free);
		return false;
	}
	sscanf(second.version, "%d.%d", &vmaj, &vmin);
	second.v35 = vmaj > 3 || (vmaj == 3 && vmin >= 5);
	ck_assert_int_eq(ktest_sh("mkdir -p /var/run/openvswitch"), 0);
	printf("second opinion: ovs-dpctl %s (%s) on Linux %d.%d\n", second.version, second.cmd, major,
	       minor);
	return true;
}

static enum dpctl_view
view(const struct odp_case *c)
{
	return second.v35 ? c->v35 : c->v31;
}

/* ---- Lines and the table -------------------------------------------------- */

static char *
case_key(unsigned int i)
{
	const char *k = cases[i].key, *at = strstr(k, "%u");

	return g_strdup_printf("%.*s%u%s", (int)(at - k), k, 10 + i, at + 2);
}

#define STATS ", packets:0, bytes:0, used:never"

/* The dump-flows line of case i, as ovsdp prints it. */
static char *
case_line(unsigned int i, const char *actions)
{
	g_autofree char *key = case_key(i);

	return g_strdup_printf("%s" STATS ", actions:%s", key, actions);
}

/* Whether 'line' is the dump-flows line of case i: as written, or with
 * what the kernel adds to its key. */
static bool
is_case_line(const char *line, unsigned int i, const char *actions)
{
	g_autofree char *want = case_line(i, actions), *key = NULL, *alt = NULL;

	if (!line)
		return false;
	if (!strcmp(line, want) || !cases[i].kernel_adds)
		return !strcmp(line, want);
	key = case_key(i);
	alt = g_strdup_printf("%s%s" STATS ", actions:%s", key, cases[i].kernel_adds, actions);
	return !strcmp(line, alt);
}

/* The line of 'dump' that starts with case i's key, or NULL. */
static char *
find_line(const char *dump, unsigned int i)
{
	g_autofree char *key = case_key(i);
	g_auto(GStrv) lines = g_strsplit(dump ?: "", "\n", -1);

	for (char **l = lines; *l; l++)
		if (g_str_has_prefix(*l, key) && (*l)[strlen(key)] == ',')
			return g_strdup(*l);
	return NULL;
}

/* A flow line as a cell of a Markdown table: without its counters, and
 * "|" (as in "flags(df|key)") escaped. */
static char *
table_cell(const char *line)
{
	g_autoptr(GRegex) stats = g_regex_new(", packets:[0-9]+, bytes:[0-9]+, used:[^,]+", 0, 0, NULL);
	g_autofree char *s = g_regex_replace_literal(stats, line, -1, 0, "", 0, NULL);
	g_auto(GStrv) parts = g_strsplit(s, "|", -1);

	return g_strjoinv("\\|", parts);
}

/* One row of the table the test prints (docs/odp-interop.md holds a copy):
 * the flow line without its counters, "-" for none. */
static void
row(const struct odp_case *c, const char *by, const char *ours, const char *theirs,
    const char *result)
{
	g_autofree char *o = ours ? table_cell(ours) : NULL, *t = theirs ? table_cell(theirs) : NULL;

	if (!second.cmd)
		return;         /* no second opinion: no table */
	printf("| %s | %s | `%s` | `%s` | %s |\n", c->what, by, o ?: "-", t ?: "-", result);
}

static void
table_head(const char *title)
{
	if (second.cmd)
		printf("\n%s\n\n| case | installed by | ovsdp's dump | ovs-dpctl %s's dump | result |\n"
		       "|---|---|---|---|---|\n", title, second.version);
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

/* Every case is checked, and every failure reported, before the test
 * fails: a lab run is too slow to learn one failure at a time. */
#define CHECK(fails, cond, ...) do {                                    \
		if (!(cond))                                            \
			g_string_append_printf(fails, __VA_ARGS__);     \
	} while (0)

/* ovsdp installs each case's text; ovsdp (text and JSON) prints it back
 * unchanged, and ovs-dpctl prints the same line where it knows the type.
 * One table for all cases keeps the run short under TCG. */
START_TEST(ovsdp_installs)
{
	g_autoptr(GString) fails = g_string_new(NULL);
	g_autofree char *ours = NULL, *json = NULL, *theirs = NULL;
	unsigned int ran = 0, applicable = 0, same = 0;
	bool dpctl;
	int st;

	if (!opinion_asked(_i)) {
		printf("%s: not asked on this kernel (OVSDP_INTEROP_OPINIONS=all runs it)\n",
		       _i == OPINION_OVS35_ROOT ? "OVS 3.5's ovs-dpctl" : "the host's ovs-dpctl");
		return;
	}
	/* One `ovsdp flow add-flows` for all (a process start costs a second
	 * under TCG): case i is line i + 1, and a line that fails is named
	 * FILE:LINE in its output. */
	{
		g_autoptr(GString) batch = g_string_new(NULL), gone = g_string_new(NULL);
		g_autoptr(GError) err = NULL;
		g_autofree char *file = NULL, *out = NULL;
		unsigned int failed = 0;
		int fd;

		for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
			g_autofree char *key = case_key(i);

			g_string_append_printf(batch, "%s %s\n", key, cases[i].actions);
		}
		fd = g_file_open_tmp("odp-interop-XXXXXX", &file, &err);
		ck_assert_msg(fd >= 0, "%s", err ? err->message : "");
		close(fd);
		ck_assert(g_file_set_contents(file, batch->str, -1, &err));
		out = knet_cli_run(&st, "flow add-flows ovsdpt0 %s", file);
		for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
			const struct odp_case *c = &cases[i];
			g_autofree char *at = g_strdup_printf("%s:%u: ", file, i + 1);
			bool ok = !strstr(out, at);

			failed += !ok;
			if (!kernel_has(c)) {
				printf("not applicable: %s needs Linux %d.%d\n", c->what, c->major,
				       c->minor);
				/* Refused with an error, not a crash; "drop" falls
				 * back to no actions, which every kernel has. */
				CHECK(fails, ok == !strcmp(c->actions, "drop"), "%s: %s\n", c->what, out);
				if (ok) {
					g_autofree char *key = case_key(i);

					g_string_append_printf(gone, "%s\n", key);
				}
				continue;
			}
			applicable++;
			CHECK(fails, ok, "%s: ovsdp flow add-flows: %s", c->what, out);
		}
		/* The exit status says whether any line failed. */
		CHECK(fails, st == (failed ? 1 : 0), "add-flows: status %d with %u lines failed: %s\n",
		      st, failed, out);
		if (gone->len) {
			g_autofree char *del = NULL;

			ck_assert(g_file_set_contents(file, gone->str, -1, &err));
			del = knet_cli_run(&st, "flow del-flows ovsdpt0 %s", file);
			CHECK(fails, st == 0, "del-flows: %s\n", del);
		}
		unlink(file);
	}

	ours = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_msg(st == 0, "%s", ours);
	json = knet_cli_run(&st, "flow dump --json ovsdpt0");
	ck_assert_int_eq(st, 0);
	dpctl = dpctl_ready(_i);
	if (dpctl)
		theirs = ktest_sh_output("%s dump-flows ovsdpt0 2>&1", second.cmd);
	table_head("Installed by ovsdp (`ovsdp flow add-flows`), dumped by both:");

	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *want = case_line(i, c->actions), *line = find_line(ours, i);
		g_autofree char *needle = g_strdup_printf("\"actions\":\"%s\"", c->actions);
		g_autofree char *tline = NULL, *result = NULL;
		enum dpctl_view v = view(c);

		if (!kernel_has(c)) {
			g_autofree char *na = g_strdup_printf("not applicable: needs Linux %d.%d", c->major,
							      c->minor);

			row(c, "ovsdp", NULL, NULL, na);
			continue;
		}
		ran++;
		if (!line) {
			g_string_append_printf(fails, "%s: no line in ovsdp's dump\n", c->what);
			row(c, "ovsdp", NULL, NULL, "FAIL: not in ovsdp's dump");
			continue;
		}
		CHECK(fails, is_case_line(line, i, c->actions), "%s: ovsdp prints\n  %s\nwanted\n  %s\n",
		      c->what, line, want);
		CHECK(fails, strstr(json, needle), "%s: %s not in the JSON dump\n", c->what, needle);
		if (!dpctl)
			continue;
		tline = find_line(theirs, i);
		if (!tline) {
			g_string_append_printf(fails, "%s: no line in ovs-dpctl's dump:\n%s\n", c->what, theirs);
			row(c, "ovsdp", line, NULL, "FAIL: not in ovs-dpctl's dump");
			continue;
		}
		switch (v) {
		case DPCTL_SAME:
		case DPCTL_PRINTS:
			CHECK(fails, !strcmp(tline, line), "%s: ovs-dpctl prints\n  %s\novsdp\n  %s\n", c->what,
			      tline, line);
			result = g_strdup(strcmp(tline, line) || !is_case_line(line, i, c->actions)
					  ? "FAIL: they differ" : "same");
			break;
		case DPCTL_UNKNOWN:
			/* What it cannot name it prints as bytes, which ovsdp
			 * reads back to the very same action. */
			CHECK(fails, strstr(tline, c->generic), "%s: %s not in ovs-dpctl's\n  %s\n", c->what,
			      c->generic, tline);
			CHECK(fails, generic_matches_kernel(c->generic), "%s: ovsdp reads %s to other bytes "
			      "than the kernel's\n", c->what, c->generic);
			result = g_strdup_printf("its generic text (ovsdp reads it to the kernel's bytes)");
			break;
		case DPCTL_MISREADS:
			printf("not compared: ovs-dpctl %s misreads %s: %s\n", second.version, c->what, tline);
			result = g_strdup_printf("not compared: ovs-dpctl %s misreads it", second.version);
			break;
		}
		same += g_str_equal(result, "same");
		row(c, "ovsdp", line, tline, result);
	}
	printf("\nodp-interop: %u of %u cases ran on this kernel; ovs-dpctl %s printed %u of them "
	       "as ovsdp does\n", ran, (unsigned)G_N_ELEMENTS(cases), second.version ?: "(none)", same);
	fflush(stdout);
	ck_assert_uint_eq(ran, applicable);
	ck_assert_msg(!fails->len, "\n%s", fails->str);
}
END_TEST

/* ovs-dpctl installs the text; ovsdp prints the same lines it does.  A
 * text it refuses where its view says it reads it is a failure; one it
 * reads where its view says it refuses is checked all the same (and
 * shown: the view wants updating). */
START_TEST(ovs_dpctl_installs)
{
	g_autoptr(GString) fails = g_string_new(NULL);
	g_autofree char *ours = NULL, *theirs = NULL, *a = NULL, *b = NULL;
	g_autoptr(GString) batch = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *file = NULL, *added = NULL;
	bool installed[G_N_ELEMENTS(cases)] = { false };
	unsigned int n = 0, same = 0;
	int st, fd;

	if (!opinion_asked(_i) || !dpctl_ready(_i))
		return;
	/* One add-flows for all (a run of OVS 3.5's ovs-dpctl, in its root,
	 * costs seconds under TCG); it goes on past a line it refuses. */
	batch = g_string_new(NULL);
	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *key = case_key(i);
		enum dpctl_view v = view(c);

		if (kernel_has(c) && (v == DPCTL_SAME || v == DPCTL_PRINTS))
			g_string_append_printf(batch, "%s %s\n", key, c->actions);
	}
	fd = g_file_open_tmp("odp-interop-XXXXXX", &file, &err);
	ck_assert_msg(fd >= 0, "%s", err ? err->message : "");
	close(fd);
	ck_assert(g_file_set_contents(file, batch->str, -1, &err));
	added = ktest_sh_output("%s add-flows ovsdpt0 - <%s 2>&1", second.cmd, file);
	unlink(file);
	theirs = ktest_sh_output("%s dump-flows ovsdpt0", second.cmd);
	ours = knet_cli_run(&st, "flow dump ovsdpt0");
	ck_assert_int_eq(st, 0);
	a = knet_normalise_flows(ours);
	b = knet_normalise_flows(theirs);
	CHECK(fails, !strcmp(a, b), "ovsdp's dump\n%sovs-dpctl's\n%s", a, b);
	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *tline = find_line(theirs, i);
		enum dpctl_view v = view(c);

		if (!kernel_has(c) || (v != DPCTL_SAME && v != DPCTL_PRINTS))
			continue;
		installed[i] = tline != NULL;
		n += installed[i];
		CHECK(fails, installed[i] || v == DPCTL_PRINTS, "ovs-dpctl add-flows: %s not installed:\n%s\n",
		      c->what, added);
		if (installed[i] && v == DPCTL_PRINTS)
			printf("note: ovs-dpctl %s now reads the text of %s (its view says it refuses it)\n",
			       second.version, c->what);
	}

	table_head("Installed by ovs-dpctl (`ovs-dpctl add-flows`), dumped by both:");
	for (unsigned int i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct odp_case *c = &cases[i];
		g_autofree char *want = case_line(i, c->actions), *line = find_line(ours, i);
		g_autofree char *tline = find_line(theirs, i), *by = NULL;
		bool ok;

		by = g_strdup_printf("ovs-dpctl %s", second.version);
		if (!kernel_has(c)) {
			row(c, by, NULL, NULL, "not applicable on this kernel");
			continue;
		}
		if (!installed[i]) {
			row(c, by, NULL, NULL, view(c) == DPCTL_PRINTS ? "its parser refuses the text"
			    : view(c) == DPCTL_SAME ? "FAIL: its parser refused the text"
			    : view(c) == DPCTL_UNKNOWN ? "not installed: it has no name for the type"
			    : "not installed: it numbers the type otherwise");
			continue;
		}
		ok = is_case_line(line, i, c->actions) && is_case_line(tline, i, c->actions);
		CHECK(fails, is_case_line(line, i, c->actions), "%s: ovsdp prints\n  %s\nwanted\n  %s\n",
		      c->what, line ? line : "(nothing)", want);
		CHECK(fails, is_case_line(tline, i, c->actions), "%s: ovs-dpctl prints\n  %s\nwanted\n  %s\n",
		      c->what, tline ? tline : "(nothing)", want);
		same += ok;
		row(c, by, line, tline, ok ? "same" : "FAIL: they differ");
	}
	printf("\nodp-interop: ovs-dpctl %s installed %u cases; ovsdp printed %u of them as it does\n",
	       second.version, n, same);
	fflush(stdout);
	ck_assert_msg(!fails->len, "\n%s", fails->str);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("odp-interop");
	TCase *tc;

	ktest_require_datapath();
	tc = tsuite_case(s, "odp-interop", setup, teardown, 300, NULL);
	tcase_add_loop_test(tc, ovsdp_installs, 0, N_OPINIONS);
	tcase_add_loop_test(tc, ovs_dpctl_installs, 0, N_OPINIONS);
	return ktest_run_suite(s);
}
