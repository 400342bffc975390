/* test-daemon-config.c: ovsdpd.conf's reader (tools/common/ovsdpd-conf.c) called
 * directly: the shipped file, every key's value, the exact FILE:LINE
 * message for each mistake, no silent default; and `ovsdpd --check-config`
 * run natively on a good and a bad configuration, without a kernel and
 * without creating anything. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "daemon.h"
#include "tsuite.h"

static struct daemon_config *
parse_ok(const char *text)
{
	g_autoptr(GError) err = NULL;
	struct daemon_config *c = NULL;

	ck_assert_msg(daemon_config_parse("d.conf", text, &c, &err) == 0, "%s",
		      err ? err->message : "?");
	return c;
}

static void
expect_error(const char *text, const char *msg)
{
	g_autoptr(GError) err = NULL;
	struct daemon_config *c = NULL;

	ck_assert_msg(daemon_config_parse("d.conf", text, &c, &err) == -EINVAL, "accepted:\n%s",
		      text);
	ck_assert_ptr_null(c);
	ck_assert_int_eq(err->code, EINVAL);
	ck_assert_str_eq(err->message, msg);
}

START_TEST(shipped_file)
{
	g_autofree char *path = g_build_filename(g_getenv("OVSDP_SOURCE_ROOT"), "tools", "daemon",
						 "ovsdpd.conf", NULL);
	g_autoptr(GError) err = NULL;
	struct daemon_config *c = NULL;

	ck_assert_msg(daemon_config_load(path, &c, &err) == 0, "%s", err ? err->message : "?");
	ck_assert_str_eq(c->file, path);
	ck_assert_str_eq(c->dp_name, "ovsdp0");
	ck_assert(c->create);
	ck_assert_int_eq(c->policy, POLICY_LEARNING);
	ck_assert_str_eq(c->control_socket, "/run/ovsdp/ovsdpd.sock");
	ck_assert_ptr_null(c->plugins_conf);
	daemon_config_free(c);
}
END_TEST

START_TEST(defaults_and_values)
{
	struct daemon_config *c = parse_ok("");

	ck_assert_str_eq(c->dp_name, "ovsdp0");
	ck_assert(c->create);
	ck_assert(!c->delete_on_exit);
	ck_assert_ptr_null(c->ports[0]);
	ck_assert_int_eq(c->policy, POLICY_LEARNING);
	ck_assert_uint_eq(c->idle_timeout_s, 10);
	ck_assert_uint_eq(c->max_macs, 4096);
	ck_assert_uint_eq(c->mac_age_s, 300);
	ck_assert_str_eq(c->control_socket, "/run/ovsdp/ovsdpd.sock");
	daemon_config_free(c);

	c = parse_ok("[datapath]\nname = dp1\ncreate = no\ndelete-on-exit = TRUE\n"
		     "ports = a, b;c\ninternal-ports = i0\n"
		     "[policy]\ntype = learning\nidle-timeout = 3600\nmax-macs = 1\nmac-age = 86400\n"
		     "[daemon]\ncontrol-socket = /tmp/s\\sx.sock\nplugins-conf = /etc/p.conf\n");
	ck_assert_str_eq(c->dp_name, "dp1");
	ck_assert(!c->create);
	ck_assert(c->delete_on_exit);
	ck_assert_str_eq(c->ports[0], "a");
	ck_assert_str_eq(c->ports[1], "b");
	ck_assert_str_eq(c->ports[2], "c");
	ck_assert_ptr_null(c->ports[3]);
	ck_assert_str_eq(c->internal_ports[0], "i0");
	ck_assert_uint_eq(c->idle_timeout_s, 3600);
	ck_assert_uint_eq(c->max_macs, 1);
	ck_assert_uint_eq(c->mac_age_s, 86400);
	ck_assert_str_eq(c->control_socket, "/tmp/s x.sock");
	ck_assert_str_eq(c->plugins_conf, "/etc/p.conf");
	daemon_config_free(c);

	c = parse_ok("[policy]\ntype = slowpath\noutput = eth2\n");
	ck_assert_int_eq(c->policy, POLICY_SLOWPATH);
	ck_assert_str_eq(c->output, "eth2");
	daemon_config_free(c);
}
END_TEST

START_TEST(bad_values)
{
	expect_error("[datapath]\nname = a/b\n", "d.conf:2: [datapath] name: 'a/b' is not a datapath "
		     "name (1 to 15 characters, no '/', ':' or blanks)");
	expect_error("[datapath]\ncreate = maybe\n", "d.conf:2: [datapath] create = maybe: expected "
		     "a boolean (yes/no, true/false, on/off, 1/0)");
	expect_error("[datapath]\nports = a;b;a\n", "d.conf:2: [datapath] ports: 'a' is listed twice");
	expect_error("[datapath]\nname = x\ninternal-ports = x\n", "d.conf:3: [datapath] "
		     "internal-ports: 'x' is listed twice");
	expect_error("[policy]\ntype = flood\n", "d.conf:2: [policy] type: unknown policy 'flood' "
		     "(known: learning, slowpath, drop)");
	expect_error("[policy]\nidle-timeout = 0\n", "d.conf:2: [policy] idle-timeout = 0: expected "
		     "a number from 1 to 3600");
	expect_error("[policy]\nmax-macs = 1048577\n", "d.conf:2: [policy] max-macs = 1048577: "
		     "expected a number from 1 to 1048576");
	expect_error("[policy]\ntype = slowpath\n", "d.conf:1: [policy] the slowpath policy needs "
		     "'output' (the port every packet goes to)");
	expect_error("[policy]\ntype = drop\nmac-age = 5\n", "d.conf:3: [policy] mac-age is an "
		     "option of the learning policy, not of drop");
	expect_error("[daemon]\ncontrol-socket = run/x.sock\n", "d.conf:2: [daemon] control-socket: "
		     "'run/x.sock' is not an absolute path of at most 107 bytes");
	expect_error("[daemon]\nplugins-conf =\n", "d.conf:2: [daemon] plugins-conf: empty path");
	expect_error("[bogus]\n", "d.conf:1: unknown section [bogus] (known: [datapath], [policy], "
		     "[daemon])");
	expect_error("name = x\n", "d.conf:1: key 'name' is outside any section");
}
END_TEST

/* One place for each setting: the old spellings point to plugins.conf. */
START_TEST(moved_settings)
{
	expect_error("[daemon]\nhandlers = 4\n", "d.conf:2: [daemon] handlers is not read here any "
		     "more: set [handlers] count in plugins.conf (the file [daemon] plugins-conf "
		     "names)");
	expect_error("[daemon]\ndispatch = legacy\n", "d.conf:2: [daemon] dispatch is not read here "
		     "any more: set [dispatch] mode in plugins.conf (the file [daemon] plugins-conf "
		     "names), or 'ovsdp ctl dispatch set' at run time");
}
END_TEST

/* ---- ovsdpd --check-config ------------------------------------------------ */

struct run {
	int status;
	char *out, *err;
};

/* ovsdpd --check-config (or, with 'start', a real start) on 'conf'. */
static struct run
run_ovsdpd_how(const char *conf, const char *pconf, bool start)
{
	g_autofree char *exe = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "tools", "daemon", "ovsdpd",
						NULL);
	const char *argv[] = { exe, "--check-config", "--config", conf, "--plugins-conf", pconf,
			       NULL };
	g_autoptr(GError) err = NULL;
	struct run r = { 0 };

	if (!pconf)
		argv[4] = NULL;
	if (start)
		argv[1] = "--log-level=warning";
	ck_assert_msg(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL, &r.out, &r.err,
				   &r.status, &err), "%s", err ? err->message : "");
	return r;
}

static struct run
run_ovsdpd(const char *conf, const char *pconf)
{
	return run_ovsdpd_how(conf, pconf, false);
}

static void
run_clear(struct run *r)
{
	g_free(r->out);
	g_free(r->err);
}

/* ovsdpd --check-config on 'conf' exits 1 saying exactly 'want' on stderr;
 * what it ran, for more checks (run_clear). */
static struct run
expect_exit_1(const char *conf, const char *want)
{
	struct run r = run_ovsdpd(conf, NULL);

	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	ck_assert_str_eq(r.err, want);
	return r;
}

START_TEST(check_config_good_and_bad)
{
	g_autofree char *dir = g_dir_make_tmp("ovsdp-dconf-XXXXXX", NULL);
	g_autofree char *conf = g_build_filename(dir, "ovsdpd.conf", NULL);
	g_autofree char *pconf = g_build_filename(dir, "plugins.conf", NULL);
	g_autofree char *rundir = g_build_filename(dir, "run", NULL);
	g_autofree char *text = NULL, *want = NULL, *cmd = NULL;
	struct run r;

	/* Good: ovsdpd.conf names plugins.conf, which names a plugin the
	 * build tree has.  No kernel is touched: this runs without one. */
	text = g_strdup_printf("[datapath]\nname = chk0\nports = nosuch0\n[daemon]\n"
			       "control-socket = %s/ovsdpd.sock\nplugins-conf = %s\n", rundir, pconf);
	ck_assert(g_file_set_contents(conf, text, -1, NULL));
	ck_assert(g_file_set_contents(pconf, "; pick one\n[dispatch]\nmode = legacy\n", -1, NULL));
	r = run_ovsdpd(conf, NULL);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %d: %s", r.status,
		      r.err);
	want = g_strdup_printf("%s: ok\n%s: ok\ndispatch: legacy (mode = legacy in %s; the "
			       "kernel was not probed)\n", conf, pconf, pconf);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	/* Nothing was created. */
	ck_assert(!g_file_test(rundir, G_FILE_TEST_EXISTS));
	run_clear(&r);

	/* Bad plugins.conf: its FILE:LINE, exit 1, still nothing created. */
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = legacy\nbogus = 1\n", -1, NULL));
	g_free(want);
	want = g_strdup_printf("ovsdpd: %s:3: [dispatch] unknown key 'bogus' (known: mode, prefer, "
			       "plugin-path)\n", pconf);
	r = expect_exit_1(conf, want);
	ck_assert_str_eq(r.out, "");
	ck_assert(!g_file_test(rundir, G_FILE_TEST_EXISTS));
	run_clear(&r);
	/* A real start stops at the same line, before it binds the control
	 * socket (its directory is not created) or asks the kernel anything:
	 * on a host without openvswitch.ko too. */
	r = run_ovsdpd_how(conf, NULL, true);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	ck_assert_str_eq(r.err, want);
	ck_assert(!g_file_test(rundir, G_FILE_TEST_EXISTS));
	run_clear(&r);

	/* A plugin plugins.conf names that does not exist. */
	ck_assert(g_file_set_contents(pconf, "[dispatch]\nmode = nosuch\n", -1, NULL));
	r = run_ovsdpd(conf, NULL);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1);
	ck_assert_msg(g_str_has_prefix(r.err, "ovsdpd: ") && strstr(r.err, pconf) &&
		      strstr(r.err, ":2: [dispatch] mode = nosuch: no plugin named 'nosuch' was "
			     "found"), "%s", r.err);
	run_clear(&r);

	/* --plugins-conf overrides the file's plugins-conf. */
	g_free(text);
	text = g_strconcat(pconf, ".other", NULL);
	ck_assert(g_file_set_contents(text, "[dispatch]\nmode = per-vport\n", -1, NULL));
	r = run_ovsdpd(conf, text);
	ck_assert_msg(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.out, "dispatch: per-vport ("));
	run_clear(&r);

	/* Bad ovsdpd.conf: its FILE:LINE. */
	ck_assert(g_file_set_contents(conf, "[daemon]\nhandlers = 2\n", -1, NULL));
	g_free(want);
	want = g_strdup_printf("ovsdpd: %s:2: [daemon] handlers is not read here any more: set "
			       "[handlers] count in plugins.conf (the file [daemon] plugins-conf "
			       "names)\n", conf);
	r = expect_exit_1(conf, want);
	run_clear(&r);

	/* A FIFO as ovsdpd.conf: refused at once, not waited on. */
	g_unlink(conf);
	ck_assert_int_eq(mkfifo(conf, 0600), 0);
	g_free(want);
	want = g_strdup_printf("ovsdpd: %s: a FIFO, not a regular file: refused\n", conf);
	r = expect_exit_1(conf, want);
	run_clear(&r);

	/* An empty file name is a usage error naming the option: --config ""
	 * said ": No such file or directory", --plugins-conf "" was ignored. */
	r = run_ovsdpd("", NULL);
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	ck_assert_str_eq(r.err, "ovsdpd: --config: an empty file name (see --help)\n");
	run_clear(&r);
	r = run_ovsdpd(conf, "");
	ck_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2);
	ck_assert_str_eq(r.err, "ovsdpd: --plugins-conf: an empty file name (see --help)\n");
	ck_assert_str_eq(r.out, "");
	run_clear(&r);

	cmd = g_strdup_printf("rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("daemon-config");

	tsuite_case(s, "ovsdpd.conf", NULL, NULL, 0,
		    TSUITE_TESTS(shipped_file, defaults_and_values, bad_values, moved_settings));
	tsuite_case(s, "check-config", NULL, NULL, 30, TSUITE_TESTS(check_config_good_and_bad));
	return tsuite_run(s);
}
