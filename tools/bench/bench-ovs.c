/* bench-ovs.c: a peer of ovsdp-bench, Open vSwitch on the same kernel:
 * ovsdb-server with a fresh database on tmpfs, ovs-vswitchd, one bridge with
 * the same ports and a single OpenFlow rule (actions=LOCAL, or the
 * reference's actions=CONTROLLER:65535,LOCAL), every packet through user
 * space and then to the local port.  The programs are Debian's (package
 * openvswitch-switch, found in PATH) or an Open vSwitch build tree's
 * (contrib/ovs/build's: `ovsdp-bench --ovs-build`, on the stock system
 * datapath type, and `ovsdp-bench ab --ovs --spawn` on the ovsdp type). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <linux/openvswitch.h>

#include "bench.h"

#ifndef OVS_DP_F_DISPATCH_UPCALL_PER_CPU
#define OVS_DP_F_DISPATCH_UPCALL_PER_CPU (1 << 3)
#endif

#define OVS_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"
#define OVS_BRIDGE "br0"
#define VSCTL_TIMEOUT_S 1200

struct bench_ovs {
	char *src;              /* the build's src/; NULL: the installed programs */
	char *progs[BENCH_OVS_N_PROGRAMS];
	char *dir;
	char **env;
	char *db;               /* unix:DIR/db.sock */
	GPid ovsdb_pid;
	GPid vswitchd_pid;
	struct ovsdp_dp *dp;
	unsigned int handlers_set;      /* n-handler-threads asked (0: not) */
	char *schema;                   /* vswitch.ovsschema */
	char *type;                     /* the bridge's datapath_type (NULL: system's) */
	char *dp_name;                  /* its kernel datapath: ovs-system, ovs-TYPE */
};

static char *
schema_path(const char *src)
{
	return src ? g_build_filename(src, "vswitchd", "vswitch.ovsschema", NULL)
		   : g_strdup(OVS_SCHEMA);
}

bool
bench_ovs_available(const char *src, char **why)
{
	g_autofree char *schema = schema_path(src);

	for (int p = 0; p < BENCH_OVS_N_PROGRAMS; p++) {
		g_autofree char *prog = bench_ovs_program_path(src, p);
		g_autofree char *path = g_find_program_in_path(prog);

		if (!path) {
			*why = src ? g_strdup_printf("%s not found (not built?)", prog)
				   : g_strdup_printf("%s not found (Debian package openvswitch-switch)",
						     prog);
			return false;
		}
	}
	if (!g_file_test(schema, G_FILE_TEST_EXISTS)) {
		*why = g_strdup_printf("%s not found", schema);
		return false;
	}
	*why = NULL;
	return true;
}

static const char *
prog(const struct bench_ovs *o, enum bench_ovs_program p)
{
	return o->progs[p];
}

char *
bench_ovs_program(const struct bench_ovs *o, enum bench_ovs_program p)
{
	return g_strdup(prog(o, p));
}

/* Run an OVS tool in our environment; on failure set *error with its
 * output. */
static int
ovs_run(struct bench_ovs *o, const char *const *argv, char **output, GError **error)
{
	g_autofree char *out = NULL;
	int st = bench_run(argv, (const char *const *)o->env, &out);

	if (st != 0) {
		g_set_error(error, OVSDP_ERROR, EIO, "%s failed (%d): %s", argv[0], st,
			    g_strstrip(out));
		return -EIO;
	}
	if (output)
		*output = g_steal_pointer(&out);
	return 0;
}

static int
ovs_spawn(struct bench_ovs *o, const char *const *argv, GPid *pid, GError **error)
{
	if (!g_spawn_async(NULL, (char **)argv, o->env,
			   G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
			   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
			   NULL, NULL, pid, error))
		return -EIO;
	return 0;
}

/* Still running?  Reaps it when not. */
static bool
alive(GPid *pid)
{
	int st;

	if (*pid <= 0)
		return false;
	if (waitpid(*pid, &st, WNOHANG) == *pid) {
		*pid = 0;
		return false;
	}
	return true;
}

static void
terminate(GPid *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (int i = 0; i < 500 && alive(pid); i++)
		bench_sleep_ms(20);
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
		*pid = 0;
	}
}

static bool
wait_for_file(const char *path, GPid *pid, unsigned int max_ms)
{
	for (unsigned int waited = 0; waited < max_ms; waited += 50) {
		if (g_file_test(path, G_FILE_TEST_EXISTS))
			return true;
		if (!alive(pid))
			return false;
		bench_sleep_ms(50);
	}
	return false;
}

static char *
log_tail(struct bench_ovs *o, const char *name)
{
	g_autofree char *path = g_build_filename(o->dir, name, NULL);
	g_autofree char *text = NULL;
	size_t len;

	if (!g_file_get_contents(path, &text, &len, NULL))
		return g_strdup("(no log)");
	return g_strdup(len > 600 ? text + len - 600 : text);
}

/* "ovs-vswitchd (Open vSwitch) 3.1.0": what it logs once it is configured. */
static char *
log_version(struct bench_ovs *o)
{
	g_autofree char *path = g_build_filename(o->dir, "ovs-vswitchd.log", NULL);
	g_autofree char *text = NULL;
	const char *p, *end;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	p = strstr(text, "ovs-vswitchd (Open vSwitch) ");
	if (!p)
		return NULL;
	end = strchr(p, '\n');
	return end ? g_strndup(p, (gsize)(end - p)) : g_strdup(p);
}

/* The bridge and its ports, added in one ovsdb transaction while we watch
 * the kernel datapath fill up (ovs-vswitchd is slow at this in the lab). */
static int
add_ports(struct bench_ovs *o, unsigned int ports, char **veths, unsigned int n_veths,
	  GError **error)
{
	static const char *const add_br[] = {
		"add-br", OVS_BRIDGE, "--", "set", "Bridge", OVS_BRIDGE,
		"other-config:disable-in-band=true", NULL,
	};
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	unsigned int n = 1; /* the bridge's own port */
	GPid pid = 0;
	int st = 0;

	g_ptr_array_add(argv, g_strdup(prog(o, BENCH_OVS_VSCTL)));
	g_ptr_array_add(argv, g_strdup_printf("--db=%s", o->db));
	g_ptr_array_add(argv, g_strdup_printf("--timeout=%d", VSCTL_TIMEOUT_S));
	/* The bridge too, in the same transaction: one process less. */
	for (const char *const *a = add_br; *a; a++)
		g_ptr_array_add(argv, g_strdup(*a));
	if (o->type)
		g_ptr_array_add(argv, g_strdup_printf("datapath_type=%s", o->type));
	for (unsigned int i = 0; i < n_veths && n < ports; i++, n++) {
		g_ptr_array_add(argv, g_strdup("--"));
		g_ptr_array_add(argv, g_strdup("add-port"));
		g_ptr_array_add(argv, g_strdup(OVS_BRIDGE));
		g_ptr_array_add(argv, g_strdup(veths[i]));
	}
	/* Names of their own: ours (bi*) may still exist in this namespace. */
	for (unsigned int i = 0; n < ports; i++, n++) {
		g_ptr_array_add(argv, g_strdup("--"));
		g_ptr_array_add(argv, g_strdup("add-port"));
		g_ptr_array_add(argv, g_strdup(OVS_BRIDGE));
		g_ptr_array_add(argv, g_strdup_printf("oi%u", i));
		g_ptr_array_add(argv, g_strdup("--"));
		g_ptr_array_add(argv, g_strdup("set"));
		g_ptr_array_add(argv, g_strdup("Interface"));
		g_ptr_array_add(argv, g_strdup_printf("oi%u", i));
		g_ptr_array_add(argv, g_strdup("type=internal"));
	}
	g_ptr_array_add(argv, NULL);
	if (ovs_spawn(o, (const char *const *)argv->pdata, &pid, error) < 0)
		return -EIO;
	for (;;) {
		struct ovsdp_vport_info *list = NULL;
		int have;

		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		have = o->dp ? ovsdp_vport_list(o->dp, &list, NULL) : -1;
		g_free(list);
		if (have > 0)
			bench_progress("ovs-vswitchd: %d of %u ports in the kernel datapath", have - 1,
				       ports);
		if (!alive(&o->vswitchd_pid)) {
			g_autofree char *tail = log_tail(o, "ovs-vswitchd.log");

			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			g_set_error(error, OVSDP_ERROR, EIO, "ovs-vswitchd died adding ports: %s", tail);
			return -EIO;
		}
		bench_sleep_ms(1000);
		if (!o->dp)
			ovsdp_dp_open(o->dp_name, &o->dp, NULL);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		g_set_error(error, OVSDP_ERROR, EIO, "ovs-vsctl add-port failed (status %d)", st);
		return -EIO;
	}
	return 0;
}

/* CPU time (utime + stime, clock ticks) of process 'pid'. */
static uint64_t
cpu_ticks(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) f = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	/* Fields after the command name: state is the 3rd field of the
	 * line, utime and stime the 14th and 15th. */
	p = strrchr(text, ')');
	if (!p)
		return 0;
	f = g_strsplit(p + 2, " ", 14);
	if (g_strv_length(f) < 14)
		return 0;
	return g_ascii_strtoull(f[11], NULL, 10) + g_ascii_strtoull(f[12], NULL, 10);
}

/* ovs-vswitchd keeps reconfiguring for a while after ovs-vsctl returns,
 * and its handlers stall meanwhile: wait until it is nearly idle (under
 * 10 % of a CPU for a second), so that the first test does not measure
 * its start-up. */
static void
settle(struct bench_ovs *o)
{
	long hz = sysconf(_SC_CLK_TCK);

	for (int i = 0; i < 120; i++) {
		uint64_t t0 = cpu_ticks(o->vswitchd_pid), t1;

		bench_sleep_ms(1000);
		t1 = cpu_ticks(o->vswitchd_pid);
		if ((double)(t1 - t0) < 0.1 * (double)hz)
			return;
		bench_progress("ovs-vswitchd: waiting for it to settle (%.0f %% CPU)",
			       100.0 * (double)(t1 - t0) / (double)hz);
	}
}

/* The bridge's only OpenFlow rule becomes 'rule'. */
static int
set_rule(struct bench_ovs *o, const char *rule, GError **error)
{
	g_autofree char *text = g_strdup_printf("%s\n", rule);
	g_autofree char *flows = g_build_filename(o->dir, "flows.txt", NULL);
	const char *replace[] = { prog(o, BENCH_OVS_OFCTL), "replace-flows", OVS_BRIDGE, flows,
				  NULL };

	if (!g_file_set_contents(flows, text, -1, error))
		return -EIO;
	/* Right after add-br, ovs-vswitchd may still be setting up the
	 * bridge's management socket ("failed to connect to socket (Broken
	 * pipe)" seen in the lab): try again for a while. */
	for (int i = 0;; i++) {
		g_autoptr(GError) e = NULL;

		if (ovs_run(o, replace, NULL, &e) == 0)
			return 0;
		if (i == 20 || !alive(&o->vswitchd_pid)) {
			g_propagate_error(error, g_steal_pointer(&e));
			return -EIO;
		}
		bench_sleep_ms(500);
	}
}

/* What a system is, as the running ovs-vswitchd shows it. */
static void
describe(struct bench_ovs *o, struct bench_system *sys)
{
	struct ovsdp_dp_info info;
	struct bench_ctx handlers;

	/* The kernel's own word on how ovs-vswitchd set its datapath up
	 * (and no ovs-appctl to start: each process costs seconds in the
	 * emulated lab). */
	if (ovsdp_dp_get_info(o->dp, &info, NULL) == 0) {
		bool per_cpu = info.user_features & OVS_DP_F_DISPATCH_UPCALL_PER_CPU;

		sys->mode = g_strdup(per_cpu ? "per-cpu" : "per-vport");
		sys->description = g_strdup_printf(
			"%s%s; datapath %s (type %s): %s dispatch (user features 0x%x, %u per-cpu "
			"pids); rule %s", o->src ? "build " : "installed programs",
			o->src ? o->src : "", o->dp_name, o->type ? o->type : "system", sys->mode,
			info.user_features, info.n_per_cpu_pids, sys->rule);
	} else {
		sys->mode = g_strdup("dispatch mode unknown");
	}
	sys->version = log_version(o);
	if (!sys->version)
		sys->version = bench_ovs_version(o->src, NULL);
	bench_thread_ctx(o->vswitchd_pid, "handler", &handlers);
	sys->n_handlers = handlers.threads;
	sys->handlers_set = o->handlers_set;
	sys->dp = o->dp;
	g_strlcpy(sys->local_dev, OVS_BRIDGE, sizeof sys->local_dev);
	sys->pid = o->vswitchd_pid;
	sys->thread_prefix = "handler";
}

int
bench_ovs_reuse(struct bench_ovs *o, struct bench_system *sys, GError **error)
{
	int r = set_rule(o, sys->rule, error);

	if (r < 0)
		return r;
	describe(o, sys);
	return 0;
}

/* ovsdb-server, ovs-vswitchd and the bridge for 'o', whose schema, type
 * and datapath name are set; frees 'o' on failure. */
static int
ovs_setup(struct bench_ovs *o, unsigned int ports, char **veths, unsigned int n_veths,
	  unsigned int n_handlers, struct bench_system *sys, struct bench_ovs **out,
	  GError **error)
{
	g_autofree char *db_path = NULL, *sock = NULL, *pidfile_db = NULL, *pidfile_vs = NULL;
	g_autofree char *log_db = NULL, *log_vs = NULL;
	g_autofree char *n_hand = NULL;
	int r;

	o->dir = g_dir_make_tmp("ovsdp-bench-ovs-XXXXXX", error);
	if (!o->dir) {
		bench_ovs_free(o, false);
		return -EIO;
	}
	if (!o->env)
		o->env = g_get_environ();
	o->env = g_environ_setenv(o->env, "OVS_RUNDIR", o->dir, TRUE);
	o->env = g_environ_setenv(o->env, "OVS_DBDIR", o->dir, TRUE);
	o->env = g_environ_setenv(o->env, "OVS_LOGDIR", o->dir, TRUE);
	o->env = g_environ_setenv(o->env, "OVS_SYSCONFDIR", o->dir, TRUE);
	db_path = g_build_filename(o->dir, "conf.db", NULL);
	sock = g_build_filename(o->dir, "db.sock", NULL);
	o->db = g_strdup_printf("unix:%s", sock);
	pidfile_db = g_strdup_printf("--pidfile=%s/ovsdb-server.pid", o->dir);
	pidfile_vs = g_strdup_printf("--pidfile=%s/ovs-vswitchd.pid", o->dir);
	log_db = g_strdup_printf("--log-file=%s/ovsdb-server.log", o->dir);
	log_vs = g_strdup_printf("--log-file=%s/ovs-vswitchd.log", o->dir);

	{
		const char *create[] = { prog(o, BENCH_OVSDB_TOOL), "create", db_path, o->schema,
					 NULL };
		g_autofree char *remote = g_strdup_printf("--remote=punix:%s", sock);
		const char *server[] = { prog(o, BENCH_OVSDB_SERVER), db_path, remote, pidfile_db,
					 log_db, "--no-chdir", "-vconsole:off", NULL };

		bench_progress("ovs-vswitchd: starting ovsdb-server");
		r = ovs_run(o, create, NULL, error);
		if (r == 0)
			r = ovs_spawn(o, server, &o->ovsdb_pid, error);
		if (r == 0 && !wait_for_file(sock, &o->ovsdb_pid, 120000)) {
			g_autofree char *tail = log_tail(o, "ovsdb-server.log");

			g_set_error(error, OVSDP_ERROR, EIO, "ovsdb-server did not start: %s", tail);
			r = -EIO;
		}
		if (r < 0)
			goto fail;
	}
	{
		g_autofree char *db_arg = g_strdup_printf("--db=%s", o->db);
		/* Since OVS 2.9 a controller action no longer sends the packet
		 * through user space: the datapath flow outputs to LOCAL itself
		 * and only sends a copy up.  With no datapath flow allowed,
		 * every packet is a miss that ovs-vswitchd executes, as in the
		 * reference (and as our slowpath callback does). */
		/* Handlers as many as ours; one revalidator, since with no
		 * datapath flow there is nothing to revalidate and ours run
		 * none.  (ovs-vswitchd may still choose its own handler count
		 * in per-cpu mode: the report shows the threads it runs.) */
		const char *init[] = { prog(o, BENCH_OVS_VSCTL), db_arg, "--no-wait", "init", "--",
				       "set", "Open_vSwitch", ".", "other_config:flow-limit=0", NULL,
				       NULL, NULL };

		if (n_handlers) {
			n_hand = g_strdup_printf("other_config:n-handler-threads=%u", n_handlers);
			init[9] = n_hand;
			init[10] = "other_config:n-revalidator-threads=1";
			o->handlers_set = n_handlers;
		}
		const char *vswitchd[] = { prog(o, BENCH_OVS_VSWITCHD), o->db, pidfile_vs, log_vs,
					   "--no-chdir", "-vconsole:off", NULL };

		r = ovs_run(o, init, NULL, error);
		if (r < 0)
			goto fail;
		bench_progress("ovs-vswitchd: starting ovs-vswitchd");
		r = ovs_spawn(o, vswitchd, &o->vswitchd_pid, error);
		if (r < 0)
			goto fail;
	}
	r = add_ports(o, ports, veths, n_veths, error);
	if (r == 0 && !o->dp)
		r = ovsdp_dp_open(o->dp_name, &o->dp, error);
	if (r < 0)
		goto fail;
	r = set_rule(o, sys->rule, error);
	if (r < 0)
		goto fail;
	r = bench_link_up(OVS_BRIDGE, error);
	if (r < 0)
		goto fail;
	settle(o);
	describe(o, sys);
	*out = o;
	return 0;
fail:
	bench_ovs_free(o, false);
	return r;
}

int
bench_ovs_setup(const char *src, const char *type, unsigned int ports, char **veths,
		unsigned int n_veths, unsigned int n_handlers, struct bench_system *sys,
		struct bench_ovs **out, GError **error)
{
	struct bench_ovs *o = g_new0(struct bench_ovs, 1);

	if (src) {
		g_autofree char *vswitchd = bench_ovs_program_path(src, BENCH_OVS_VSWITCHD);

		if (!g_file_test(vswitchd, G_FILE_TEST_IS_EXECUTABLE)) {
			g_set_error(error, OVSDP_ERROR, ENOENT,
				    "%s not found: not an Open vSwitch build's src/ "
				    "(contrib/ovs/build prints one)", vswitchd);
			g_free(o);
			return -ENOENT;
		}
		/* Its programs by their paths (never through PATH: the
		 * installed peer may run in the same process), and its own
		 * data directory. */
		o->src = g_strdup(src);
		o->env = g_environ_setenv(g_get_environ(), "OVS_PKGDATADIR", src, TRUE);
	}
	for (int p = 0; p < BENCH_OVS_N_PROGRAMS; p++)
		o->progs[p] = bench_ovs_program_path(src, p);
	o->schema = schema_path(src);
	o->type = g_strdup(type);
	o->dp_name = g_strdup_printf("ovs-%s", type ? type : "system");
	return ovs_setup(o, ports, veths, n_veths, n_handlers, sys, out, error);
}

const char *const *
bench_ovs_environ(const struct bench_ovs *o)
{
	return (const char *const *)o->env;
}

static void
remove_tree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *e;

	while (d && (e = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(dir, e, NULL);

		if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
			remove_tree(p);
		else
			unlink(p);
	}
	rmdir(dir);
}

void
bench_ovs_free(struct bench_ovs *o, bool delete_dp)
{
	if (!o)
		return;
	terminate(&o->vswitchd_pid);
	terminate(&o->ovsdb_pid);
	if (o->dp && delete_dp)
		ovsdp_dp_del(o->dp, NULL);
	ovsdp_dp_close(o->dp);
	if (o->dir && !g_getenv("OVSDP_BENCH_KEEP_OVS"))
		remove_tree(o->dir);
	g_free(o->dir);
	g_strfreev(o->env);
	g_free(o->db);
	g_free(o->schema);
	g_free(o->type);
	g_free(o->dp_name);
	g_free(o->src);
	for (int p = 0; p < BENCH_OVS_N_PROGRAMS; p++)
		g_free(o->progs[p]);
	g_free(o);
}
