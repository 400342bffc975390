/* test-security.c: the privilege boundaries seen from outside: datapath
 * changes without CAP_NET_ADMIN fail with a message that names it (reads
 * still work), and dispatch plugins in places others can write (any
 * directory up to /, but for a root-owned sticky one like /tmp on the way)
 * or cut short are refused, with the reason. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ovsdp/ovsdp.h"
#include "knet.h"
#include "ktest.h"

#define DP "secdp0"
#define FLOW "in_port(1),eth(),eth_type(0x0800),ipv4(dst=10.0.0.2,frag=no)"

/* Who runs a command: nobody, or root that lost only CAP_NET_ADMIN (so a
 * refusal is the capability's doing, not the uid's or a file mode's). */
enum who { AS_NOBODY, AS_ROOT_WITHOUT_NET_ADMIN };

static const char *const who_name[] = { "uid 65534", "root without CAP_NET_ADMIN" };

/* Drop CAP_NET_ADMIN from every set of this process, the bounding set
 * included: otherwise a uid-0 execve() would get it back. */
static int
drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	const uint32_t bit = 1u << (CAP_NET_ADMIN % 32);
	const int word = CAP_NET_ADMIN / 32;

	if (prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0) < 0)
		return -errno;
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -errno;
	data[word].effective &= ~bit;
	data[word].permitted &= ~bit;
	data[word].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -errno;
	return 0;
}

/* g_spawn child setup: become 'who'; exit 99 when that fails. */
static void
become(gpointer data)
{
	enum who who = GPOINTER_TO_INT(data);

	if (who == AS_NOBODY) {
		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(99);
	} else if (drop_net_admin() < 0) {
		_exit(99);
	}
}

struct run {
	int status;
	char *out;
	char *err;
};

static void
run_clear(struct run *r)
{
	g_free(r->out);
	g_free(r->err);
	memset(r, 0, sizeof *r);
}

/* Run 'cmd' through /bin/sh as 'who' (-1: as we are). */
static struct run G_GNUC_PRINTF(2, 3)
run_as(int who, const char *fmt, ...)
{
	g_autofree char *cmd = NULL;
	g_autoptr(GError) err = NULL;
	const char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	struct run r = { 0 };
	va_list ap;

	va_start(ap, fmt);
	cmd = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	argv[2] = cmd;
	ck_assert_msg(g_spawn_sync("/", (char **)argv, NULL, G_SPAWN_DEFAULT,
				   who < 0 ? NULL : become, GINT_TO_POINTER(who),
				   &r.out, &r.err, &r.status, &err),
		      "%s: %s", cmd, err ? err->message : "");
	r.status = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1;
	ck_assert_msg(r.status != 99, "could not become %s to run %s",
		      who < 0 ? "ourselves" : who_name[who], cmd);
	return r;
}

/* 'args' to the ovsdp CLI as 'who' must fail, saying CAP_NET_ADMIN. */
static void
expect_needs_net_admin(enum who who, const char *args)
{
	const char *cli = who == AS_NOBODY ? knet_cli_for_nobody() : knet_cli();
	struct run r = run_as(who, "%s %s", cli, args);

	ck_assert_msg(r.status == 1, "ovsdp %s as %s: exit %d, stderr: %s", args,
		      who_name[who], r.status, r.err);
	ck_assert_msg(g_str_has_prefix(r.err, "ovsdp: ") && strstr(r.err, "CAP_NET_ADMIN"),
		      "ovsdp %s as %s: the error does not say the capability is missing: %s",
		      args, who_name[who], r.err);
	run_clear(&r);
}

/* 'args' to the ovsdp CLI as 'who' (-1: root) must succeed; its stdout. */
static char *
expect_ok(int who, const char *args)
{
	const char *cli = who == AS_NOBODY ? knet_cli_for_nobody() : knet_cli();
	struct run r = run_as(who, "%s %s", cli, args);
	char *out;

	ck_assert_msg(r.status == 0, "ovsdp %s as %s: exit %d, stderr: %s", args,
		      who < 0 ? "root" : who_name[who], r.status, r.err);
	out = g_steal_pointer(&r.out);
	run_clear(&r);
	return out;
}

/* Every CLI command that changes the datapath is refused with a message
 * naming the capability; reads work; the kernel state is untouched; the
 * same commands then succeed as root. */
START_TEST(cli_changes_need_net_admin)
{
	enum who who = (enum who)_i;
	g_autofree char *show = NULL, *flows = NULL, *out = NULL;

	knet_veth("sec0", "sec0p");
	knet_veth("sec1", "sec1p");
	g_free(expect_ok(-1, "dp add " DP));
	g_free(expect_ok(-1, "port add " DP " sec0"));

	expect_needs_net_admin(who, "dp add secdp1");
	expect_needs_net_admin(who, "port add " DP " sec1");
	expect_needs_net_admin(who, "port del " DP " sec0");
	expect_needs_net_admin(who, "flow add " DP " '" FLOW "' 1");
	expect_needs_net_admin(who, "flow flush " DP);
	expect_needs_net_admin(who, "dp del " DP);

	/* Reading needs no privilege: the refusals above are not a broken
	 * client that cannot talk to the kernel at all. */
	show = expect_ok(who, "dp show " DP);
	ck_assert_msg(strstr(show, "sec0") && !strstr(show, "sec1"), "%s", show);
	g_free(expect_ok(who, "flow dump " DP));

	/* Nothing changed behind the refusals. */
	g_clear_pointer(&show, g_free);
	show = expect_ok(-1, "dp show " DP);
	ck_assert_msg(strstr(show, "sec0") && !strstr(show, "sec1"), "%s", show);
	flows = expect_ok(-1, "flow dump " DP);
	ck_assert_msg(flows[0] == '\0', "a flow appeared: %s", flows);
	ck_assert_int_ne(ktest_sh("%s dp show secdp1 >/dev/null 2>&1", knet_cli()), 0);
	if (ktest_have_ovs_dpctl()) {
		out = ktest_sh_output("ovs-dpctl dump-dps");
		ck_assert_msg(strstr(out, DP) && !strstr(out, "secdp1"), "%s", out);
	}

	/* The same commands as root: the refusals were about privilege only. */
	g_free(expect_ok(-1, "port add " DP " sec1"));
	g_free(expect_ok(-1, "flow add " DP " '" FLOW "' 1"));
	g_free(expect_ok(-1, "dp add secdp1"));
	g_free(expect_ok(-1, "dp del secdp1"));
	g_free(expect_ok(-1, "dp del " DP));
}
END_TEST

/* The library's own error, in-process: -EPERM, code EPERM, and a message
 * that names the datapath and the capability.  A read still works. */
START_TEST(library_error_names_net_admin)
{
	struct ovsdp_dp *dp = NULL, *other = NULL;
	struct ovsdp_vport_spec spec = { .name = "secint0", .type = OVSDP_VPORT_TYPE_INTERNAL };
	g_autoptr(GError) err = NULL;
	int r;

	ck_assert_int_eq(ovsdp_dp_create(DP, 0, OVSDP_DP_F_DEFAULT, &dp, NULL), 0);
	ovsdp_dp_close(dp);
	dp = NULL;
	/* This test runs in its own forked process: the drop ends with it. */
	ck_assert_int_eq(drop_net_admin(), 0);

	r = ovsdp_dp_create("secdp1", 0, OVSDP_DP_F_DEFAULT, &other, &err);
	ck_assert_int_eq(r, -EPERM);
	ck_assert_ptr_nonnull(err);
	ck_assert(err->domain == OVSDP_ERROR);
	ck_assert_int_eq(err->code, EPERM);
	ck_assert_msg(strstr(err->message, "secdp1") && strstr(err->message, "CAP_NET_ADMIN"),
		      "dp create: %s", err->message);
	g_clear_error(&err);

	ck_assert_int_eq(ovsdp_dp_open(DP, &dp, &err), 0);
	r = ovsdp_vport_add(dp, &spec, NULL, &err);
	ck_assert_int_eq(r, -EPERM);
	ck_assert_msg(err && strstr(err->message, "secint0") && strstr(err->message, "CAP_NET_ADMIN"),
		      "port add: %s", err ? err->message : "(no error)");
	g_clear_error(&err);
	r = ovsdp_dp_del(dp, &err);
	ck_assert_int_eq(r, -EPERM);
	ck_assert_msg(err && strstr(err->message, "CAP_NET_ADMIN"), "dp delete: %s",
		      err ? err->message : "(no error)");
	ovsdp_dp_close(dp);
}
END_TEST

/* ovsdpd without CAP_NET_ADMIN stops at once and says why, instead of
 * running on a datapath it cannot change. */
START_TEST(daemon_without_net_admin_says_so)
{
	g_autofree char *dir = g_dir_make_tmp("ovsdp-sec-XXXXXX", NULL);
	g_autofree char *conf = g_build_filename(dir, "ovsdpd.conf", NULL);
	g_autofree char *text = NULL;
	struct run r;

	ck_assert_ptr_nonnull(dir);
	text = g_strdup_printf("[datapath]\nname = " DP "\ncreate = yes\n"
			       "[policy]\ntype = drop\n"
			       "[daemon]\ncontrol-socket = %s/sock\n", dir);
	ck_assert(g_file_set_contents(conf, text, -1, NULL));
	/* Bounded: a daemon that wrongly starts would otherwise run forever. */
	r = run_as(AS_ROOT_WITHOUT_NET_ADMIN, "exec timeout 60 %s/tools/daemon/ovsdpd --config %s",
		   g_getenv("OVSDP_BUILD_ROOT"), conf);
	ck_assert_msg(r.status != 124, "ovsdpd kept running without CAP_NET_ADMIN: %s", r.err);
	ck_assert_msg(r.status != 0, "ovsdpd exited 0 without CAP_NET_ADMIN: %s", r.err);
	ck_assert_msg(strstr(r.err, "CAP_NET_ADMIN"), "ovsdpd's error does not name the "
		      "capability:\n%s", r.err);
	ck_assert_int_ne(ktest_sh("%s dp show " DP " >/dev/null 2>&1", knet_cli()), 0);
	run_clear(&r);
	ck_assert_int_eq(ktest_sh("rm -rf '%s'", dir), 0);
}
END_TEST

/* A copy of the build's per-vport plugin in a fresh directory under /run
 * (root's, 0755). */
static char *
plugin_copy(char **dir)
{
	g_autofree char *src = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "plugins",
						"dispatch-per-vport", "dispatch-per-vport.so", NULL);
	char *dst;

	*dir = g_strdup("/run/ovsdp-plug-XXXXXX");
	ck_assert_ptr_nonnull(g_mkdtemp_full(*dir, 0755));
	dst = g_build_filename(*dir, "dispatch-per-vport.so", NULL);
	ck_assert_int_eq(ktest_sh("cp '%s' '%s'", src, dst), 0);
	return dst;
}

/* `ovsdp probe` with only 'dir' on the plugin path: its plugin lines. */
static char *
probe_plugins(const char *dir)
{
	g_autofree char *out = ktest_sh_output("OVSDP_PLUGIN_PATH='%s' %s probe 2>&1", dir,
					       knet_cli());
	const char *p = strstr(out, "dispatch plugins:");

	ck_assert_msg(p, "no plugin list in:\n%s", out);
	return g_strdup(p);
}

/* Root loading code from a place someone else can write runs that
 * someone's code as root: every such place is refused, with the reason;
 * the same file from a safe place loads. */
START_TEST(plugins_others_can_write_are_refused)
{
	static const struct {
		mode_t dir, file;
		bool dir_unsafe;        /* else the file is */
	} cases[] = {
		{ 0757, 0644, true },
		{ 01777, 0644, true },  /* sticky, like /tmp: others may still add files */
		{ 0775, 0644, true },
		{ 0755, 0646, false },
		{ 0755, 0664, false },
	};
	g_autofree char *dir = NULL;
	g_autofree char *so = plugin_copy(&dir);
	g_autofree char *lines = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *want = NULL;

		unsigned int mode = cases[i].dir_unsafe ? cases[i].dir : cases[i].file;

		want = g_strdup_printf("%s: refused: %s is %s-writable (mode %04o)", so,
				       cases[i].dir_unsafe ? dir : so,
				       mode & S_IWOTH ? "world" : "group", mode);
		ck_assert_int_eq(chmod(dir, cases[i].dir), 0);
		ck_assert_int_eq(chmod(so, cases[i].file), 0);
		lines = probe_plugins(dir);
		ck_assert_msg(strstr(lines, "refused") && strstr(lines, want),
			      "dir %04o, file %04o: expected '%s' in:\n%s", cases[i].dir,
			      cases[i].file, want, lines);
		ck_assert_msg(strstr(lines, "auto: none"), "a refused plugin was picked:\n%s",
			      lines);
		g_clear_pointer(&lines, g_free);
	}

	/* The same file, from a directory and with a mode only root can write. */
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(chmod(so, 0644), 0);
	lines = probe_plugins(dir);
	ck_assert_msg(!strstr(lines, "refused") && strstr(lines, "per-vport") &&
		      strstr(lines, "auto: per-vport"), "a safe plugin was not loaded:\n%s", lines);
	ck_assert_int_eq(ktest_sh("rm -rf '%s'", dir), 0);
}
END_TEST

/* /tmp is world-writable but sticky and root's: nobody else can rename or
 * remove a directory root made in it, so a plugin below it loads (a fresh
 * clone under /tmp works); /tmp itself may not hold a plugin. */
START_TEST(plugin_below_tmp_loads)
{
	g_autofree char *dir = g_strdup("/tmp/ovsdp-plug-XXXXXX");
	g_autofree char *src = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "plugins",
						"dispatch-per-vport", "dispatch-per-vport.so", NULL);
	g_autofree char *so = NULL, *lines = NULL;
	struct stat st;

	ck_assert_ptr_nonnull(g_mkdtemp_full(dir, 0755));
	ck_assert_int_eq(stat("/tmp", &st), 0);
	ck_assert_msg((st.st_mode & S_IWOTH) && (st.st_mode & S_ISVTX) && st.st_uid == 0,
		      "/tmp is not root's sticky world-writable directory here (mode %04o)",
		      (unsigned int)(st.st_mode & 07777));
	so = g_build_filename(dir, "dispatch-per-vport.so", NULL);
	ck_assert_int_eq(ktest_sh("cp '%s' '%s' && chmod 0755 '%s' && chmod 0644 '%s'", src, so,
				  dir, so), 0);
	lines = probe_plugins(dir);
	ck_assert_msg(!strstr(lines, "refused") && strstr(lines, "auto: per-vport"),
		      "a plugin below /tmp was not loaded:\n%s", lines);
	ck_assert_int_eq(ktest_sh("rm -rf '%s'", dir), 0);
}
END_TEST

/* A plugin cut short (issue 14: SIGBUS inside dlopen, no message) is
 * refused with the reason by `ovsdp probe` and by ovsdpd, which exit. */
START_TEST(truncated_plugin_is_refused)
{
	g_autofree char *dir = NULL;
	g_autofree char *so = plugin_copy(&dir);
	g_autofree char *conf = g_strconcat(dir, ".conf", NULL);
	g_autofree char *text = NULL, *lines = NULL, *want = NULL;
	struct run r;

	knet_veth("sec0", "sec0p");
	want = g_strdup_printf("%s: truncated: ", so);
	for (int cut = 1000; cut <= 24000; cut += 23000) {
		ck_assert_int_eq(ktest_sh("cp '%s/plugins/dispatch-per-vport/dispatch-per-vport.so' "
					  "'%s' && truncate -s -%d '%s'", g_getenv("OVSDP_BUILD_ROOT"),
					  so, cut, so), 0);
		r = run_as(-1, "OVSDP_PLUGIN_PATH='%s' %s probe", dir, knet_cli());
		ck_assert_msg(r.status == 0 || r.status == 1, "ovsdp probe, %d bytes cut: exit %d: %s",
			      cut, r.status, r.err);
		ck_assert_msg(strstr(r.out, want), "ovsdp probe, %d bytes cut: no '%s' in:\n%s",
			      cut, want, r.out);
		run_clear(&r);
	}
	text = g_strdup_printf("[datapath]\nname = " DP "\ncreate = yes\ndelete-on-exit = yes\n"
			       "ports = sec0\n[policy]\ntype = drop\n"
			       "[daemon]\ncontrol-socket = %s.sock\nplugins-conf = %s.plugins.conf\n",
			       dir, dir);
	ck_assert(g_file_set_contents(conf, text, -1, NULL));
	g_free(text);
	text = g_strdup_printf("%s.plugins.conf", dir);
	ck_assert(g_file_set_contents(text, "[dispatch]\nmode = per-vport\n", -1, NULL));
	r = run_as(-1, "OVSDP_PLUGIN_PATH='%s' exec timeout 60 %s/tools/daemon/ovsdpd --config %s",
		   dir, g_getenv("OVSDP_BUILD_ROOT"), conf);
	ck_assert_msg(r.status != 124 && r.status != 0 && r.status != -1,
		      "ovsdpd with a truncated plugin: exit %d: %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, "truncated: "), "ovsdpd's error does not say the plugin is "
		      "truncated:\n%s", r.err);
	run_clear(&r);
	ck_assert_int_eq(ktest_sh("rm -rf '%s' '%s' '%s.sock' '%s.plugins.conf'", dir, conf, dir,
				  dir), 0);
}
END_TEST

/* ovsdpd told to run a plugin from a directory others can write refuses
 * to start and names the reason. */
START_TEST(daemon_refuses_unsafe_plugin)
{
	g_autofree char *dir = NULL;
	g_autofree char *so = plugin_copy(&dir);
	g_autofree char *conf = g_strconcat(dir, ".conf", NULL);
	g_autofree char *pconf = g_strconcat(dir, ".plugins.conf", NULL);
	g_autofree char *text = NULL, *want = NULL;
	struct run r;

	knet_veth("sec0", "sec0p");
	ck_assert_int_eq(chmod(dir, 0757), 0);
	text = g_strdup_printf("[datapath]\nname = " DP "\ncreate = yes\ndelete-on-exit = yes\n"
			       "ports = sec0\n[policy]\ntype = drop\n"
			       "[daemon]\ncontrol-socket = %s.sock\nplugins-conf = %s\n", dir, pconf);
	ck_assert(g_file_set_contents(conf, text, -1, NULL));
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = per-vport\n", -1, NULL));
	r = run_as(-1, "OVSDP_PLUGIN_PATH='%s' exec timeout 60 %s/tools/daemon/ovsdpd --config %s",
		   dir, g_getenv("OVSDP_BUILD_ROOT"), conf);
	want = g_strdup_printf("refused: %s is world-writable (mode 0757)", dir);
	ck_assert_msg(r.status != 124 && r.status != 0, "ovsdpd ran a plugin from a directory "
		      "others can write (exit %d): %s", r.status, r.err);
	ck_assert_msg(strstr(r.err, want), "ovsdpd's error does not give the reason '%s':\n%s",
		      want, r.err);
	run_clear(&r);
	ck_assert_int_eq(ktest_sh("rm -rf '%s' '%s' '%s'", dir, conf, pconf), 0);
}
END_TEST

/* Two parts (the first argument; both when none): "net-admin", what the
 * kernel refuses without CAP_NET_ADMIN, and "plugins", which plugin files
 * the loader refuses: the second is the same on every kernel, and
 * tests/run-all runs it on one (meson test security-plugins). */
int
main(int argc, char **argv)
{
	const char *part = argc > 1 ? argv[1] : "all";
	bool all = !strcmp(part, "all");
	Suite *s = suite_create("security");
	TCase *cap;

	if (!all && strcmp(part, "net-admin") && strcmp(part, "plugins")) {
		fprintf(stderr, "test-security: unknown part '%s' (net-admin, plugins)\n", part);
		return 2;
	}
	ktest_require_datapath();
	if (all || !strcmp(part, "net-admin")) {
		cap = tsuite_case(s, "net-admin", ktest_netns_setup, NULL, 120, NULL);
		tcase_add_loop_test(cap, cli_changes_need_net_admin, AS_NOBODY,
				    AS_ROOT_WITHOUT_NET_ADMIN + 1);
		tcase_add_test(cap, library_error_names_net_admin);
		tcase_add_test(cap, daemon_without_net_admin_says_so);
	}
	if (all || !strcmp(part, "plugins")) {
		tsuite_case(s, "plugins", ktest_netns_setup, NULL, 120,
			    TSUITE_TESTS(plugins_others_can_write_are_refused,
					 daemon_refuses_unsafe_plugin, plugin_below_tmp_loads,
					 truncated_plugin_is_refused));
	}
	return ktest_run_suite(s);
}
