/* test-bench-peers.c: ovsdp-bench's Open vSwitch peers (tools/bench/
 * bench-peers.c): --ovs-build's directory found in either layout, labels
 * by version, the installed peer's plain name when it is alone, and the
 * refusals a user sees.  Fake builds whose ovs-vswitchd is a script. */
#include "config.h"

#include <check.h>
#include <glib/gstdio.h>

#include "bench.h"
#include "tsuite.h"

static char *scratch;
static char *saved_path;

/* An executable 'path' (its folders made) printing 'out', exiting 'status'. */
static void
fake_program(const char *path, const char *out, int status)
{
	g_autofree char *dir = g_path_get_dirname(path);
	g_autofree char *text = g_strdup_printf("#!/bin/sh\necho '%s'\nexit %d\n", out, status);

	ck_assert_int_eq(g_mkdir_with_parents(dir, 0755), 0);
	ck_assert(g_file_set_contents(path, text, -1, NULL));
	ck_assert_int_eq(g_chmod(path, 0755), 0);
}

/* A build in contrib/ovs/build's layout: DIR/src/vswitchd/ovs-vswitchd. */
static char *
fake_build(const char *name, const char *version)
{
	g_autofree char *vswitchd = g_build_filename(scratch, name, "src", "vswitchd",
						     "ovs-vswitchd", NULL);
	g_autofree char *line = g_strdup_printf("ovs-vswitchd (Open vSwitch) %s", version);

	fake_program(vswitchd, line, 0);
	return g_build_filename(scratch, name, NULL);
}

static void
setup(void)
{
	g_autofree char *host = NULL, *bin = NULL;

	scratch = g_dir_make_tmp("ovsdp-bench-peers-XXXXXX", NULL);
	ck_assert_ptr_nonnull(scratch);
	/* The installed ovs-vswitchd, as PATH finds it: 3.1 as in bookworm. */
	host = g_build_filename(scratch, "bin", "ovs-vswitchd", NULL);
	fake_program(host, "ovs-vswitchd (Open vSwitch) 3.1.0", 0);
	saved_path = g_strdup(g_getenv("PATH"));
	bin = g_build_filename(scratch, "bin", NULL);
	g_setenv("PATH", bin, TRUE);
}

static void
teardown(void)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", scratch);

	g_setenv("PATH", saved_path, TRUE);
	ck_assert_int_eq(system(cmd), 0);
	g_clear_pointer(&scratch, g_free);
	g_clear_pointer(&saved_path, g_free);
}

/* The peers of (installed, builds), whose labels must be 'labels' in
 * order (NULL-terminated); the caller frees them. */
static struct bench_peer *
peers_labelled(bool installed, char **builds, const char *const *labels)
{
	struct bench_peer *peers = NULL;
	unsigned int n = 0;

	ck_assert_int_eq(bench_peers_make(installed, builds, &peers, &n, NULL), 0);
	ck_assert_uint_eq(n, g_strv_length((char **)labels));
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_str_eq(peers[i].label, labels[i]);
		ck_assert_uint_eq(peers[i].index, i);
	}
	return peers;
}

START_TEST(labels_by_version)
{
	static const struct { const char *version, *label; } cases[] = {
		{ "ovs-vswitchd (Open vSwitch) 3.5.0", "ovs-vswitchd-3.5" },
		{ "ovs-vswitchd (Open vSwitch) 3.1.0", "ovs-vswitchd-3.1" },
		{ "ovs-vswitchd (Open vSwitch) 3.10.2", "ovs-vswitchd-3.10" },
		{ "ovs-vswitchd (Open vSwitch) 3.5.90", "ovs-vswitchd-3.5" },
		{ "3.2", "ovs-vswitchd-3.2" },
		{ "ovs-vswitchd (Open vSwitch)", "ovs-vswitchd" },
		{ "ovs-vswitchd (Open vSwitch) 3.", "ovs-vswitchd" },
		{ "", "ovs-vswitchd" },
		{ NULL, "ovs-vswitchd" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *label = bench_ovs_label(cases[i].version);

		ck_assert_str_eq(label, cases[i].label);
	}
}
END_TEST

START_TEST(build_dir_in_either_layout)
{
	g_autofree char *top = fake_build("ovs35", "3.5.0");
	g_autofree char *src = g_build_filename(top, "src", NULL);
	g_autofree char *from_top = bench_ovs_build_src(top, NULL);
	g_autofree char *from_src = bench_ovs_build_src(src, NULL);
	g_autofree char *appctl = bench_ovs_program_path(src, BENCH_OVS_APPCTL);
	g_autofree char *db = bench_ovs_program_path(src, BENCH_OVSDB_SERVER);
	g_autofree char *bare = bench_ovs_program_path(NULL, BENCH_OVS_VSCTL);
	g_autofree char *want_appctl = g_build_filename(src, "utilities", "ovs-appctl", NULL);
	g_autofree char *want_db = g_build_filename(src, "ovsdb", "ovsdb-server", NULL);
	g_autoptr(GError) err = NULL;
	g_autofree char *none = bench_ovs_build_src(scratch, &err);

	/* contrib/ovs/build's folder and the build tree itself. */
	ck_assert_str_eq(from_top, src);
	ck_assert_str_eq(from_src, src);
	ck_assert_str_eq(appctl, want_appctl);
	ck_assert_str_eq(db, want_db);
	ck_assert_str_eq(bare, "ovs-vsctl");
	ck_assert_ptr_null(none);
	ck_assert_ptr_nonnull(strstr(err->message, scratch));
	ck_assert_ptr_nonnull(strstr(err->message, "not an Open vSwitch build"));
}
END_TEST

START_TEST(installed_alone_keeps_its_name)
{
	const char *const plain[] = { BENCH_OVS_LABEL, NULL };
	const char *const none[] = { NULL };
	struct bench_peer *peers = peers_labelled(true, NULL, plain);

	ck_assert_str_eq(BENCH_OVS_NAME_LOCAL, "ovs-vswitchd:LOCAL");
	ck_assert_str_eq(BENCH_OVS_NAME_REF, "ovs-vswitchd:reference");
	ck_assert_ptr_null(peers[0].src);
	ck_assert_ptr_null(peers[0].version);
	bench_peers_free(peers, 1);
	bench_peers_free(peers_labelled(false, NULL, none), 0);
}
END_TEST

START_TEST(several_are_named_by_version)
{
	g_autofree char *b35 = fake_build("ovs35", "3.5.0");
	g_autofree char *src35 = g_build_filename(b35, "src", NULL);
	char *builds[] = { b35, NULL };
	const char *const both[] = { "ovs-vswitchd-3.1", "ovs-vswitchd-3.5", NULL };
	const char *const alone[] = { "ovs-vswitchd-3.5", NULL };
	struct bench_peer *peers;

	/* The installed 3.1 and the build's 3.5, in that order. */
	peers = peers_labelled(true, builds, both);
	ck_assert_str_eq(peers[0].version, "ovs-vswitchd (Open vSwitch) 3.1.0");
	ck_assert_ptr_null(peers[0].src);
	ck_assert_str_eq(peers[1].version, "ovs-vswitchd (Open vSwitch) 3.5.0");
	ck_assert_str_eq(peers[1].src, src35);
	bench_peers_free(peers, 2);
	/* --no-ovs: the build alone, still by its version. */
	bench_peers_free(peers_labelled(false, builds, alone), 1);
}
END_TEST

START_TEST(one_version_twice_is_numbered)
{
	g_autofree char *a = fake_build("a", "3.5.0");
	g_autofree char *b = fake_build("b", "3.5.1");
	g_autofree char *c = fake_build("c", "3.1.0");
	char *builds[] = { a, b, c, NULL };
	const char *const labels[] = { "ovs-vswitchd-3.1", "ovs-vswitchd-3.5",
				       "ovs-vswitchd-3.5-2", "ovs-vswitchd-3.1-2", NULL };

	bench_peers_free(peers_labelled(true, builds, labels), 4);
}
END_TEST

START_TEST(refusals_name_the_build)
{
	g_autofree char *good = fake_build("good", "3.5.0");
	g_autofree char *good_src = g_build_filename(good, "src", NULL);
	g_autofree char *broken = g_build_filename(scratch, "broken", NULL);
	g_autofree char *broken_vs = g_build_filename(broken, "vswitchd", "ovs-vswitchd", NULL);
	g_autofree char *missing = g_build_filename(scratch, "missing", NULL);
	char *twice[] = { good, good_src, NULL };
	char *cannot_run[] = { broken, NULL };
	char *not_one[] = { good, missing, NULL };
	struct bench_peer *peers = NULL;
	unsigned int n = 0;

	{
		g_autoptr(GError) err = NULL;

		ck_assert_int_eq(bench_peers_make(true, twice, &peers, &n, &err), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err->message, "the same build twice"));
	}
	{
		g_autoptr(GError) err = NULL;

		/* A build whose libovsdp is gone fails like this. */
		fake_program(broken_vs, "error while loading shared libraries", 127);
		ck_assert_int_eq(bench_peers_make(false, cannot_run, &peers, &n, &err), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err->message, broken));
		ck_assert_ptr_nonnull(strstr(err->message, "--version failed"));
		ck_assert_ptr_nonnull(strstr(err->message, "error while loading shared"));
	}
	{
		g_autoptr(GError) err = NULL;

		ck_assert_int_eq(bench_peers_make(true, not_one, &peers, &n, &err), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err->message, missing));
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bench-peers");

	tsuite_case(s, "peers", setup, teardown, 0,
		    TSUITE_TESTS(labels_by_version, build_dir_in_either_layout,
				 installed_alone_keeps_its_name, several_are_named_by_version,
				 one_version_twice_is_numbered, refusals_name_the_build));
	return tsuite_run(s);
}
