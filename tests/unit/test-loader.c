/* test-loader.c: the plugin loader refuses each broken fixture of
 * tests/plugins with its exact reason, keeps the first file of a name,
 * checks [plugin:NAME] options against the plugin, and chooses per
 * plugins.conf: auto falls back along prefer, an explicit mode does not. */
#include "config.h"

#include <fcntl.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ovsdp/plugin.h"
#include "expect-refused.h"
#include "tsuite.h"

static char *fixtures;       /* build dir of tests/plugins */
static char *real_plugins;   /* OVSDP_PLUGIN_PATH of the test environment */
static char *tmpdir;         /* per-test scratch directory, mode 0700, in the
			      * build tree: plugins under /tmp are refused */

static void
setup(void)
{
	char buf[PATH_MAX];

	fixtures = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "tests", "plugins", NULL);
	real_plugins = g_strdup(g_getenv("OVSDP_PLUGIN_PATH"));
	ck_assert_ptr_nonnull(real_plugins);
	tmpdir = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "tests", "unit",
				  "scratch-loader-XXXXXX", NULL);
	ck_assert_ptr_nonnull(g_mkdtemp_full(tmpdir, 0700));
	/* Messages name the resolved directory. */
	ck_assert_ptr_nonnull(realpath(tmpdir, buf));
	g_free(tmpdir);
	tmpdir = g_strdup(buf);
}

static void
teardown(void)
{
	g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
	const char *n;

	while (d && (n = g_dir_read_name(d))) {
		g_autofree char *p = g_build_filename(tmpdir, n, NULL);

		g_unlink(p);
	}
	g_rmdir(tmpdir);
	g_setenv("OVSDP_PLUGIN_PATH", real_plugins, TRUE);
	g_free(fixtures);
	g_free(real_plugins);
	g_free(tmpdir);
}

static char *
fixture(const char *name)
{
	g_autofree char *file = g_strconcat(name, ".so", NULL);

	return g_build_filename(fixtures, file, NULL);
}

/* Copy fixture 'name' into the scratch directory with 'mode'. */
static char *
copy_fixture(const char *name, const char *as, mode_t mode)
{
	g_autofree char *src = fixture(name);
	g_autofree char *data = NULL;
	char *dst = g_build_filename(tmpdir, as, NULL);
	gsize len;

	ck_assert(g_file_get_contents(src, &data, &len, NULL));
	ck_assert(g_file_set_contents(dst, data, (gssize)len, NULL));
	ck_assert_int_eq(chmod(dst, mode), 0);
	return dst;
}

static void
expect_fixture_refused(const char *name, int neg_errno, const char *reason)
{
	g_autofree char *path = fixture(name);

	expect_refused(path, neg_errno, reason);
}

static struct ovsdp_config *
conf(const char *text)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *c = NULL;

	ck_assert_msg(ovsdp_config_parse("test.conf", text, -1, &c, &err) == 0, "%s",
		      err ? err->message : "?");
	return c;
}

/* What a kernel with (or without) per-cpu dispatch reports. */
static void
features(struct ovsdp_features *f, enum ovsdp_tristate per_cpu, int per_cpu_errno)
{
	memset(f, 0, sizeof *f);
	f->datapath_available = true;
	f->datapath_probed = true;
	f->rejects_unknown_features = OVSDP_YES;
	f->per_cpu_dispatch = per_cpu;
	f->per_cpu_errno = per_cpu_errno;
	f->cpu_ids = f->cpus_online = f->cpus_affinity = 4;
}

static void
use_path(const char *first, const char *second)
{
	g_autofree char *v = second ? g_strconcat(first, ":", second, NULL) : g_strdup(first);

	g_setenv("OVSDP_PLUGIN_PATH", v, TRUE);
}

START_TEST(good_fixture)
{
	g_autofree char *path = fixture("good");
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugin *p = NULL;
	struct ovsdp_features f;
	uint32_t major = 9, minor = 9;

	ck_assert_msg(ovsdp_plugin_open(path, &p, &err) == 0, "%s", err ? err->message : "?");
	ck_assert_str_eq(ovsdp_plugin_name(p), "fixture");
	ck_assert_str_eq(ovsdp_plugin_description(p), "test fixture fixture");
	ck_assert_str_eq(ovsdp_plugin_path(p), path);
	ck_assert_int_eq(ovsdp_plugin_abi(p, &major, &minor), 0);
	ck_assert_uint_eq(major, OVSDP_DISPATCH_ABI_MAJOR);
	ck_assert_uint_eq(minor, OVSDP_DISPATCH_ABI_MINOR);
	ck_assert_int_eq(ovsdp_plugin_status(p), OVSDP_PLUGIN_LOADED);
	ck_assert_ptr_null(ovsdp_plugin_reason(p));
	ck_assert_ptr_nonnull(ovsdp_plugin_descriptor(p));
	features(&f, OVSDP_NO, EOPNOTSUPP);
	ck_assert_int_eq(ovsdp_plugin_probe(p, &f, NULL), 0);
	ck_assert_int_eq(ovsdp_plugin_status(p), OVSDP_PLUGIN_OK);
	ovsdp_plugin_close(p);
}
END_TEST

START_TEST(abi_refusals)
{
	expect_fixture_refused("wrong-major", -EPROTO, "built for ABI 2, this host speaks 1");
	expect_fixture_refused("newer-minor", -EPROTO,
			       "built for ABI 1.2, newer than this host's 1.1");
}
END_TEST

/* A plugin built against a newer minor keeps its name, so the operator who
 * names it in plugins.conf learns why it cannot run; it was "not found". */
START_TEST(newer_minor_named_in_config)
{
	g_autofree char *path = fixture("newer-minor");
	g_autofree char *want = g_strdup_printf("test.conf:2: [dispatch] mode = newer: the plugin "
						"was refused: %s: built for ABI 1.2, newer than "
						"this host's 1.1", path);
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p = NULL;
	struct ovsdp_config *c;
	struct ovsdp_features f;

	use_path(fixtures, NULL);
	features(&f, OVSDP_YES, 0);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &f, &l, NULL), 0);
	ck_assert_ptr_null(ovsdp_plugins_find(l, "newer"));
	c = conf("[dispatch]\nmode = newer\n");
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), -EPROTO);
	ck_assert_str_eq(err->message, want);
	ovsdp_config_free(c);
	ovsdp_plugins_free(l);
}
END_TEST

START_TEST(not_a_plugin)
{
	g_autofree char *junk = g_build_filename(tmpdir, "junk.so", NULL);
	g_autofree char *none = g_build_filename(tmpdir, "none.so", NULL);

	expect_fixture_refused("missing-symbol", -ENOEXEC,
			       "not a dispatch plugin: it does not export ovsdp_dispatch_plugin_get()");
	/* Longer than an ELF header: refused for what it holds, before dlopen. */
	ck_assert(g_file_set_contents(junk, "This is a text file named like a plugin, long "
				      "enough to hold an ELF header but not starting with one.\n",
				      -1, NULL));
	ck_assert_int_eq(chmod(junk, 0644), 0);
	expect_refused(junk, -ELIBBAD,
		       "not an ELF file: it does not start with the ELF magic number");
	expect_refused(none, -ENOENT, "No such file or directory");
	expect_refused(tmpdir, -EINVAL, "not a regular file");
}
END_TEST

START_TEST(malformed_descriptors)
{
	expect_fixture_refused("returns-null", -EINVAL,
			       "malformed descriptor: ovsdp_dispatch_plugin_get() returned NULL");
	expect_fixture_refused("null-vtable", -EINVAL, "malformed descriptor: no vtable");
	expect_fixture_refused("null-name", -EINVAL, "malformed descriptor: no name");
	/* It said "[plugin:novalues] shade = x: expected " when configured. */
	expect_fixture_refused("empty-values", -EINVAL,
			       "malformed descriptor: option 'shade' lists no values "
			       "(values = NULL accepts any)");
	expect_fixture_refused("bad-name", -EINVAL,
			       "malformed descriptor: name 'Bad Name' is not a plugin name "
			       "(1 to 32 characters: a-z, 0-9, '-', '_', the first a letter or a digit; "
			       "not auto)");
	/* The sizes pin the LP64 layout of ABI 1: changing them breaks plugins. */
	expect_fixture_refused("short-struct", -EINVAL,
			       "malformed descriptor: struct_size 8 is smaller than the 40 bytes "
			       "of an ABI 1 descriptor");
	expect_fixture_refused("short-vtable", -EINVAL,
			       "malformed descriptor: vtable struct_size 4 is smaller than the 96 "
			       "bytes of an ABI 1 vtable (create is not covered)");
	expect_fixture_refused("vtable-without-recv", -EINVAL,
			       "malformed descriptor: vtable struct_size 88 is smaller than the 96 "
			       "bytes of an ABI 1 vtable (recv is not covered)");
	expect_fixture_refused("null-recv", -EINVAL,
			       "malformed descriptor: recv is NULL (a required method of ABI 1)");
}
END_TEST

/* A plugin with a required method NULL is refused when it is loaded: it
 * is listed refused with the file and the member, `mode = NAME` is an
 * error saying so, and auto walks past it. */
START_TEST(required_method_null)
{
	g_autofree char *path = fixture("null-recv");
	g_autofree char *want = g_strdup_printf("%s: malformed descriptor: recv is NULL "
						"(a required method of ABI 1)", path);
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p = NULL, *listed = NULL;
	struct ovsdp_config *c;
	struct ovsdp_features f;

	use_path(fixtures, NULL);
	features(&f, OVSDP_YES, 0);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &f, &l, NULL), 0);
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++)
		if (!strcmp(ovsdp_plugin_path(ovsdp_plugins_get(l, i)), path))
			listed = ovsdp_plugins_get(l, i);
	ck_assert_ptr_nonnull(listed);
	ck_assert_int_eq(ovsdp_plugin_status(listed), OVSDP_PLUGIN_REFUSED);
	ck_assert_str_eq(ovsdp_plugin_reason(listed), want);
	ck_assert_ptr_null(ovsdp_plugins_find(l, "norecv"));

	c = conf("[dispatch]\nmode = auto\nprefer = norecv;fixture\n");
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), 0);
	ck_assert_str_eq(ovsdp_plugin_name(p), "fixture");
	ovsdp_config_free(c);

	c = conf("[dispatch]\nmode = norecv\n");
	ck_assert_int_lt(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), 0);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "recv is NULL") && strstr(err->message, path),
		      "%s", err->message);
	ovsdp_config_free(c);
	ovsdp_plugins_free(l);
}
END_TEST

START_TEST(unsafe_permissions)
{
	g_autofree char *gw = copy_fixture("good", "group-writable.so", 0664);
	g_autofree char *ow = copy_fixture("good", "other-writable.so", 0646);
	g_autofree char *ok = copy_fixture("good", "fine.so", 0644);
	g_autofree char *dirmsg = NULL;
	struct ovsdp_plugin *p = NULL;

	g_autofree char *gwmsg = g_strdup_printf("refused: %s is group-writable (mode 0664)", gw);
	g_autofree char *owmsg = g_strdup_printf("refused: %s is world-writable (mode 0646)", ow);

	expect_refused(gw, -EPERM, gwmsg);
	expect_refused(ow, -EPERM, owmsg);
	ck_assert_int_eq(ovsdp_plugin_open(ok, &p, NULL), 0);
	ovsdp_plugin_close(p);

	/* The directory counts too: whoever may write it may swap the file. */
	ck_assert_int_eq(chmod(tmpdir, 0775), 0);
	dirmsg = g_strdup_printf("refused: %s is group-writable (mode 0775)", tmpdir);
	expect_refused(ok, -EPERM, dirmsg);
	ck_assert_int_eq(chmod(tmpdir, 0700), 0);

	if (geteuid() == 0) {
		g_autofree char *uidmsg = g_strdup_printf("refused: %s is owned by uid 4242, "
							  "neither root nor the running user", ok);

		ck_assert_int_eq(chown(ok, 4242, 0), 0);
		expect_refused(ok, -EPERM, uidmsg);
	}
}
END_TEST

START_TEST(failing_probe)
{
	g_autofree char *path = fixture("failing-probe");
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugin *p = NULL;
	struct ovsdp_features f;

	features(&f, OVSDP_YES, 0);
	ck_assert_int_eq(ovsdp_plugin_open(path, &p, NULL), 0);
	ck_assert_int_eq(ovsdp_plugin_probe(p, &f, &err), -ENODEV);
	ck_assert_str_eq(err->message, "failing: this fixture always fails its probe");
	ck_assert_int_eq(ovsdp_plugin_status(p), OVSDP_PLUGIN_PROBE_FAILED);
	ck_assert_str_eq(ovsdp_plugin_reason(p), "this fixture always fails its probe");
	ck_assert_int_eq(ovsdp_plugin_error(p), -ENODEV);
	ovsdp_plugin_close(p);
}
END_TEST

/* The whole fixture directory at once: every file is listed, refused ones
 * with the same reasons as alone, and the second "dup" loses. */
START_TEST(discover_fixtures)
{
	g_autofree char *first = fixture("dup-first");
	g_autofree char *second = fixture("dup-second");
	g_autofree char *dupmsg = NULL;
	g_autofree char *majmsg = NULL;
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_features f;
	unsigned int n_refused = 0, n_seen = 0;

	use_path(fixtures, NULL);
	features(&f, OVSDP_YES, 0);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &f, &l, NULL), 0);
	ck_assert_str_eq(ovsdp_plugins_search_path(l)[0], fixtures);
	ck_assert_str_eq(ovsdp_plugins_search_path(l)[1], OVSDP_DISPATCH_DIR);
	dupmsg = g_strdup_printf("%s: duplicate plugin name 'dup': %s was loaded first", second, first);
	majmsg = g_strdup_printf("%s/wrong-major.so: built for ABI 2, this host speaks 1", fixtures);
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(l, i);

		if (strcmp(ovsdp_plugin_origin(p), "OVSDP_PLUGIN_PATH"))
			continue;      /* installed plugins, if any */
		n_seen++;
		if (ovsdp_plugin_status(p) == OVSDP_PLUGIN_REFUSED)
			n_refused++;
		if (!strcmp(ovsdp_plugin_path(p), second)) {
			ck_assert_int_eq(ovsdp_plugin_status(p), OVSDP_PLUGIN_REFUSED);
			ck_assert_str_eq(ovsdp_plugin_reason(p), dupmsg);
			ck_assert_int_eq(ovsdp_plugin_error(p), -EEXIST);
		}
		if (g_str_has_suffix(ovsdp_plugin_path(p), "/wrong-major.so"))
			ck_assert_str_eq(ovsdp_plugin_reason(p), majmsg);
	}
	/* 17 fixtures: good, any-option, dup-first and failing-probe load. */
	ck_assert_uint_eq(n_seen, 17);
	ck_assert_uint_eq(n_refused, 13);
	ck_assert_str_eq(ovsdp_plugin_path(ovsdp_plugins_find(l, "dup")), first);
	ck_assert_int_eq(ovsdp_plugin_status(ovsdp_plugins_find(l, "failing")),
			 OVSDP_PLUGIN_PROBE_FAILED);
	ck_assert_int_eq(ovsdp_plugin_status(ovsdp_plugins_find(l, "fixture")), OVSDP_PLUGIN_OK);
	ck_assert_ptr_null(ovsdp_plugins_find(l, "Bad Name"));
	ck_assert_ptr_null(ovsdp_plugins_get(l, ovsdp_plugins_count(l)));
	ovsdp_plugins_free(l);

	/* Without features nothing is probed. */
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, &l, NULL), 0);
	ck_assert_int_eq(ovsdp_plugin_status(ovsdp_plugins_find(l, "failing")), OVSDP_PLUGIN_LOADED);
	ovsdp_plugins_free(l);
}
END_TEST

/* A daemon's reload: the same plugin files found again while the first
 * list is in use, that list freed, other descriptors opened, and found
 * again.  Each time every file must load as itself: the loader matches an
 * object by every /proc/self/fd/N name it was ever opened by, so a number
 * once used for one plugin and now another's must not be used again. */
START_TEST(reload_loads_each_file_as_itself)
{
	static const char *const names[] = { "legacy", "per-vport", "per-cpu" };
	struct ovsdp_plugins *first = NULL, *l = NULL;
	int dummies[8];
	unsigned int n_dummies = 0;

	g_setenv("OVSDP_PLUGIN_PATH", real_plugins, TRUE);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, &first, NULL), 0);
	for (unsigned int round = 0; round < G_N_ELEMENTS(dummies); round++) {
		ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, &l, NULL), 0);
		ovsdp_plugins_free(l);
		/* Shift the numbers the next search gets by one. */
		dummies[n_dummies] = open("/dev/null", O_RDONLY | O_CLOEXEC);
		ck_assert_int_ge(dummies[n_dummies++], 0);
		ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, &l, NULL), 0);
		for (unsigned int i = 0; i < G_N_ELEMENTS(names); i++) {
			struct ovsdp_plugin *p = ovsdp_plugins_find(l, names[i]);
			g_autofree char *dir = g_strconcat("dispatch-", names[i], NULL);

			ck_assert_msg(p != NULL, "round %u: %s not found", round, names[i]);
			ck_assert_msg(strstr(ovsdp_plugin_path(p), dir) != NULL,
				      "round %u: %s loaded from %s", round, names[i],
				      ovsdp_plugin_path(p));
		}
		for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
			struct ovsdp_plugin *p = ovsdp_plugins_get(l, i);

			ck_assert_msg(ovsdp_plugin_status(p) != OVSDP_PLUGIN_REFUSED,
				      "round %u: %s refused", round, ovsdp_plugin_path(p));
		}
		ovsdp_plugins_free(l);
	}
	ovsdp_plugins_free(first);
	while (n_dummies)
		close(dummies[--n_dummies]);
}
END_TEST

/* auto walks prefer past a failing probe and a name not found. */
START_TEST(fallback_chain)
{
	struct ovsdp_config *c = conf("[dispatch]\nprefer = failing;nosuch;per-vport;legacy\n");
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p = NULL;
	g_autofree char *why = NULL;
	struct ovsdp_features f;

	use_path(fixtures, real_plugins);
	features(&f, OVSDP_YES, 0);
	ck_assert_int_eq(ovsdp_plugins_discover(c, &f, &l, NULL), 0);
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, &why, NULL), 0);
	ck_assert_str_eq(ovsdp_plugin_name(p), "per-vport");
	ck_assert_str_eq(why, "failing: this fixture always fails its probe; nosuch: not found");
	g_clear_pointer(&why, g_free);

	/* The first preference that works needs no excuse. */
	ck_assert_int_eq(ovsdp_plugins_choose(l, NULL, NULL, &p, &why, NULL), 0);
	ck_assert_str_eq(ovsdp_plugin_name(p), "per-cpu");
	ck_assert_str_eq(why, "first in prefer that probes ok");
	ovsdp_plugins_free(l);
	ovsdp_config_free(c);
}
END_TEST

START_TEST(nothing_can_run)
{
	struct ovsdp_config *c = conf("[dispatch]\n\nprefer = failing;wrong\n");
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p = NULL;
	struct ovsdp_features f;

	use_path(fixtures, NULL);
	features(&f, OVSDP_YES, 0);
	ck_assert_int_eq(ovsdp_plugins_discover(c, &f, &l, NULL), 0);
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), -ENOENT);
	ck_assert_ptr_null(p);
	ck_assert_str_eq(err->message, "test.conf:3: no plugin in prefer can run here "
			 "(failing: this fixture always fails its probe; wrong: not found)");
	ovsdp_plugins_free(l);
	ovsdp_config_free(c);
}
END_TEST

/* An explicit mode never falls back: each failure names file and line. */
START_TEST(explicit_mode)
{
	struct ovsdp_config *c;
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p = NULL;
	g_autofree char *why = NULL;
	GError *err = NULL;
	struct ovsdp_features f;

	use_path(fixtures, real_plugins);
	features(&f, OVSDP_NO, EOPNOTSUPP);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, &f, &l, NULL), 0);

	c = conf("[dispatch]\nmode = failing\n");
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), -ENODEV);
	ck_assert_str_eq(err->message, "test.conf:2: [dispatch] mode = failing: failing cannot run here: "
			 "this fixture always fails its probe");
	g_clear_error(&err);
	ovsdp_config_free(c);

	c = conf("#\n[dispatch]\nmode = per-cpu\n");
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), -EOPNOTSUPP);
	ck_assert_str_eq(err->message, "test.conf:3: [dispatch] mode = per-cpu: per-cpu cannot run here: "
			 "kernel refused OVS_DP_F_DISPATCH_UPCALL_PER_CPU: Operation not supported");
	g_clear_error(&err);
	ovsdp_config_free(c);

	c = conf("[dispatch]\nmode = nosuch\n");
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), -ENOENT);
	ck_assert_str_eq(err->message, "test.conf:2: [dispatch] mode = nosuch: no plugin named 'nosuch' was "
			 "found (found: anything, dup, failing, fixture, legacy, per-vport, per-cpu)");
	g_clear_error(&err);
	ovsdp_config_free(c);

	c = conf("[dispatch]\nmode = legacy\n");
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, &why, NULL), 0);
	ck_assert_str_eq(ovsdp_plugin_name(p), "legacy");
	ck_assert_str_eq(why, "mode = legacy in test.conf");
	g_clear_pointer(&why, g_free);
	/* The caller's override wins over the file, and has no line. */
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, "failing", &p, NULL, &err), -ENODEV);
	ck_assert_str_eq(err->message, "mode failing: failing cannot run here: "
			 "this fixture always fails its probe");
	g_clear_error(&err);
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, "auto", &p, &why, NULL), 0);
	ck_assert_str_eq(ovsdp_plugin_name(p), "per-vport");
	ck_assert_str_eq(why, "per-cpu: kernel refused OVS_DP_F_DISPATCH_UPCALL_PER_CPU: "
			 "Operation not supported");
	ovsdp_config_free(c);
	ovsdp_plugins_free(l);
}
END_TEST

/* The real per-cpu plugin's probe, on each kind of kernel answer. */
START_TEST(auto_on_kernels)
{
	static const struct {
		enum ovsdp_tristate per_cpu;
		int err;
		bool probed;
		const char *plugin, *why;
	} cases[] = {
		{ OVSDP_YES, 0, true, "per-cpu", "first in prefer that probes ok" },
		{ OVSDP_NO, EOPNOTSUPP, true, "per-vport",
		  "per-cpu: kernel refused OVS_DP_F_DISPATCH_UPCALL_PER_CPU: Operation not supported" },
		{ OVSDP_UNKNOWN, 0, true, "per-vport",
		  "per-cpu: the kernel accepts unknown user features, so its acceptance of "
		  "OVS_DP_F_DISPATCH_UPCALL_PER_CPU proves nothing" },
		{ OVSDP_UNKNOWN, 0, false, "per-vport",
		  "per-cpu: per-cpu dispatch could not be probed: needs root" },
	};

	use_path(real_plugins, NULL);
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct ovsdp_plugins *l = NULL;
		struct ovsdp_plugin *p = NULL;
		g_autofree char *why = NULL;
		struct ovsdp_features f;

		features(&f, cases[i].per_cpu, cases[i].err);
		f.datapath_probed = cases[i].probed;
		if (!cases[i].probed)
			g_strlcpy(f.probe_error, "needs root", sizeof f.probe_error);
		ck_assert_int_eq(ovsdp_plugins_discover(NULL, &f, &l, NULL), 0);
		ck_assert_int_eq(ovsdp_plugins_choose(l, NULL, NULL, &p, &why, NULL), 0);
		ck_assert_str_eq(ovsdp_plugin_name(p), cases[i].plugin);
		ck_assert_str_eq(why, cases[i].why);
		ovsdp_plugins_free(l);
	}
}
END_TEST

/* [plugin:NAME] keys reach only NAME, and NAME's own list judges them. */
START_TEST(plugin_options)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "[plugin:per-vport]\nepoll-exclusive = maybe\n",
		  "test.conf:2: [plugin:per-vport] epoll-exclusive = maybe: expected auto, on or off" },
		{ "[plugin:fixture]\n\ncolour = purple\n",
		  "test.conf:3: [plugin:fixture] colour = purple: expected red, green or blue" },
		{ "[plugin:fixture]\nlabel = x\nsize = 3\n",
		  "test.conf:3: [plugin:fixture] unknown key 'size' (fixture knows: path, colour, label)" },
		{ "[plugin:legacy]\nfoo = 1\n",
		  "test.conf:2: [plugin:legacy] unknown key 'foo' (legacy takes no options but path)" },
		{ "[handlers]\n[plugin:nosuch]\nfoo = 1\n",
		  "test.conf:2: [plugin:nosuch]: no plugin named 'nosuch' was found (found: anything, "
		  "dup, failing, fixture, legacy, per-vport, per-cpu)" },
	};
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p = NULL;
	struct ovsdp_config *c;
	GError *err = NULL;

	use_path(fixtures, real_plugins);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, &l, NULL), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		c = conf(bad[i].text);
		ck_assert_int_lt(ovsdp_plugins_check_config(l, c, &err), 0);
		ck_assert_str_eq(err->message, bad[i].msg);
		g_clear_error(&err);
		/* Choosing checks the same. */
		ck_assert_int_lt(ovsdp_plugins_choose(l, c, NULL, &p, NULL, &err), 0);
		ck_assert_str_eq(err->message, bad[i].msg);
		g_clear_error(&err);
		ovsdp_config_free(c);
	}
	c = conf("[plugin:per-vport]\nepoll-exclusive = off\n[plugin:anything]\nwhatever = 1\n"
		 "[plugin:fixture]\ncolour = green\nlabel = free text\n");
	ck_assert_int_eq(ovsdp_plugins_check_config(l, c, &err), 0);
	ck_assert_str_eq(ovsdp_config_plugin_option(c, "per-vport", "epoll-exclusive"), "off");
	ovsdp_config_free(c);
	ovsdp_plugins_free(l);
}
END_TEST

/* path= is searched first, must load a plugin of that name, and wins over
 * a file of the same name in a directory. */
START_TEST(explicit_path)
{
	g_autofree char *copy = copy_fixture("good", "vendor.so", 0644);
	g_autofree char *text = NULL;
	g_autofree char *msg = NULL;
	g_autofree char *good = fixture("good");
	struct ovsdp_plugins *l = NULL;
	struct ovsdp_plugin *p;
	struct ovsdp_config *c;
	GError *err = NULL;

	use_path(fixtures, NULL);
	text = g_strdup_printf("[dispatch]\nmode = fixture\n[plugin:fixture]\npath = %s\n", copy);
	c = conf(text);
	ck_assert_int_eq(ovsdp_plugins_discover(c, NULL, &l, NULL), 0);
	p = ovsdp_plugins_find(l, "fixture");
	ck_assert_str_eq(ovsdp_plugin_path(p), copy);
	ck_assert_str_eq(ovsdp_plugin_origin(p), "path= in test.conf:4");
	ck_assert_int_eq(ovsdp_plugins_choose(l, c, NULL, &p, NULL, NULL), 0);
	ck_assert_str_eq(ovsdp_plugin_path(p), copy);
	msg = g_strdup_printf("%s: duplicate plugin name 'fixture': %s was loaded first", good, copy);
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
		if (!strcmp(ovsdp_plugin_path(ovsdp_plugins_get(l, i)), good))
			ck_assert_str_eq(ovsdp_plugin_reason(ovsdp_plugins_get(l, i)), msg);
	}
	ovsdp_plugins_free(l);
	ovsdp_config_free(c);
	g_clear_pointer(&text, g_free);
	g_clear_pointer(&msg, g_free);

	/* The file must call itself what the section says. */
	text = g_strdup_printf("[plugin:other]\npath = %s\n", copy);
	c = conf(text);
	ck_assert_int_eq(ovsdp_plugins_discover(c, NULL, &l, NULL), 0);
	ck_assert_int_eq(ovsdp_plugins_check_config(l, c, &err), -EINVAL);
	msg = g_strdup_printf("test.conf:2: [plugin:other]: %s: calls itself 'fixture', but "
			      "[plugin:other] loads it with path=", copy);
	ck_assert_str_eq(err->message, msg);
	g_clear_error(&err);
	ovsdp_plugins_free(l);
	ovsdp_config_free(c);
	g_clear_pointer(&text, g_free);
	g_clear_pointer(&msg, g_free);

	/* A refused path= file reports its refusal at the path= line. */
	ck_assert_int_eq(chmod(copy, 0666), 0);
	text = g_strdup_printf("[plugin:fixture]\n\npath = %s\n", copy);
	c = conf(text);
	ck_assert_int_eq(ovsdp_plugins_discover(c, NULL, &l, NULL), 0);
	ck_assert_int_eq(ovsdp_plugins_check_config(l, c, &err), -EPERM);
	msg = g_strdup_printf("test.conf:3: [plugin:fixture]: %s: refused: %s is "
			      "world-writable (mode 0666)", copy, copy);
	ck_assert_str_eq(err->message, msg);
	g_clear_error(&err);
	ovsdp_plugins_free(l);
	ovsdp_config_free(c);
}
END_TEST

/* A file reached through two directories of the path counts once. */
START_TEST(same_file_twice)
{
	struct ovsdp_plugins *l = NULL;
	g_autofree char *twice = g_strconcat(real_plugins, ":", real_plugins, NULL);

	g_setenv("OVSDP_PLUGIN_PATH", twice, TRUE);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, &l, NULL), 0);
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++)
		ck_assert_int_ne(ovsdp_plugin_status(ovsdp_plugins_get(l, i)), OVSDP_PLUGIN_REFUSED);
	ck_assert_ptr_nonnull(ovsdp_plugins_find(l, "legacy"));
	ck_assert_ptr_nonnull(ovsdp_plugins_find(l, "per-vport"));
	ck_assert_ptr_nonnull(ovsdp_plugins_find(l, "per-cpu"));
	ovsdp_plugins_free(l);
}
END_TEST

START_TEST(bad_arguments)
{
	struct ovsdp_plugin *p = NULL;
	struct ovsdp_features f;

	ck_assert_int_eq(ovsdp_plugin_open(NULL, &p, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_plugin_open("/x.so", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_plugin_probe(NULL, &f, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_plugins_choose(NULL, NULL, NULL, &p, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_plugins_check_config(NULL, NULL, NULL), -EINVAL);
	ck_assert_ptr_null(ovsdp_plugin_name(NULL));
	ck_assert_int_eq(ovsdp_plugin_abi(NULL, NULL, NULL), -EINVAL);
	ck_assert_uint_eq(ovsdp_plugins_count(NULL), 0);
	ovsdp_plugins_free(NULL);
	ovsdp_plugin_close(NULL);
	ck_assert_str_eq(ovsdp_plugin_status_str(OVSDP_PLUGIN_PROBE_FAILED), "probe failed");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("loader");

	tsuite_case(s, "files", setup, teardown, 0,
		    TSUITE_TESTS(good_fixture, abi_refusals, newer_minor_named_in_config,
				 not_a_plugin, malformed_descriptors, required_method_null,
				 unsafe_permissions, failing_probe, discover_fixtures,
				 same_file_twice, bad_arguments));
	tsuite_case(s, "choice", setup, teardown, 0,
		    TSUITE_TESTS(fallback_chain, nothing_can_run, explicit_mode, auto_on_kernels,
				 plugin_options, explicit_path, reload_loads_each_file_as_itself));
	return tsuite_run(s);
}
