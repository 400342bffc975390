/* bench-peers.c: which Open vSwitch peers a run compares with, and their
 * labels: the installed ovs-vswitchd (found in PATH) and each --ovs-build,
 * an Open vSwitch build tree (contrib/ovs/build's), each named by its
 * version once there is more than one ("ovs-vswitchd-3.1", "-3.5").
 * Plain GLib, so that the unit suite tests it without a kernel. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "bench.h"

static const struct {
	const char *name;
	const char *dir;        /* its folder in a build's src/ */
} programs[BENCH_OVS_N_PROGRAMS] = {
	[BENCH_OVSDB_TOOL] = { "ovsdb-tool", "ovsdb" },
	[BENCH_OVSDB_SERVER] = { "ovsdb-server", "ovsdb" },
	[BENCH_OVS_VSWITCHD] = { "ovs-vswitchd", "vswitchd" },
	[BENCH_OVS_VSCTL] = { "ovs-vsctl", "utilities" },
	[BENCH_OVS_OFCTL] = { "ovs-ofctl", "utilities" },
	[BENCH_OVS_APPCTL] = { "ovs-appctl", "utilities" },
};

const char *
bench_ovs_program_name(enum bench_ovs_program p)
{
	return programs[p].name;
}

char *
bench_ovs_program_path(const char *src, enum bench_ovs_program p)
{
	if (!src)
		return g_strdup(programs[p].name);
	return g_build_filename(src, programs[p].dir, programs[p].name, NULL);
}

char *
bench_ovs_build_src(const char *dir, GError **error)
{
	/* The build tree itself (ovs-sandbox's --builddir), or the folder
	 * contrib/ovs/build prints, which holds it as src/. */
	const char *const tries[] = { "", "src" };

	for (size_t i = 0; i < G_N_ELEMENTS(tries); i++) {
		g_autofree char *src = g_build_filename(dir, tries[i], NULL);
		g_autofree char *vswitchd = bench_ovs_program_path(src, BENCH_OVS_VSWITCHD);

		if (g_file_test(vswitchd, G_FILE_TEST_IS_REGULAR) &&
		    g_file_test(vswitchd, G_FILE_TEST_IS_EXECUTABLE))
			return g_canonicalize_filename(src, NULL);
	}
	g_set_error(error, OVSDP_ERROR, ENOENT,
		    "--ovs-build %s: not an Open vSwitch build (no vswitchd/ovs-vswitchd in it "
		    "or in its src/; 'contrib/ovs/build --path' prints one)", dir);
	return NULL;
}

char *
bench_ovs_version(const char *src, GError **error)
{
	g_autofree char *prog = bench_ovs_program_path(src, BENCH_OVS_VSWITCHD);
	const char *argv[] = { prog, "--version", NULL };
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(GError) e = NULL;
	int status = 0;
	char *nl;

	if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
			  &status, &e)) {
		g_set_error(error, OVSDP_ERROR, ENOENT, "%s --version: %s", prog, e->message);
		return NULL;
	}
	if (!g_spawn_check_wait_status(status, NULL) || !out || !*out) {
		/* The loader's complaint is on stderr, a program's own may be
		 * on either. */
		g_set_error(error, OVSDP_ERROR, EIO, "%s --version failed: %s", prog,
			    g_strstrip(err && *g_strstrip(err) ? err : out ? out : ""));
		return NULL;
	}
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return g_strdup(g_strstrip(out));
}

char *
bench_ovs_label(const char *version)
{
	const char *v, *dot;
	size_t len;

	/* "ovs-vswitchd (Open vSwitch) 3.5.0": its last word, to the minor. */
	if (!version)
		return g_strdup(BENCH_OVS_LABEL);
	v = strrchr(version, ' ');
	v = v ? v + 1 : version;
	dot = strchr(v, '.');
	if (!g_ascii_isdigit(*v) || !dot || !g_ascii_isdigit(dot[1]))
		return g_strdup(BENCH_OVS_LABEL);
	len = (size_t)(dot + 1 - v) + strspn(dot + 1, "0123456789");
	return g_strdup_printf(BENCH_OVS_LABEL "-%.*s", (int)len, v);
}

void
bench_peers_free(struct bench_peer *peers, unsigned int n)
{
	for (unsigned int i = 0; peers && i < n; i++) {
		g_free(peers[i].src);
		g_free(peers[i].version);
		g_free(peers[i].label);
		g_free(peers[i].why);
	}
	g_free(peers);
}

int
bench_peers_make(bool installed, char **builds, struct bench_peer **out, unsigned int *n_out,
		 GError **error)
{
	unsigned int n_builds = builds ? g_strv_length(builds) : 0;
	unsigned int n = (installed ? 1 : 0) + n_builds, k = 0;
	struct bench_peer *peers = g_new0(struct bench_peer, n ? n : 1);

	if (installed) {
		peers[k].index = k;
		/* Its version only names it beside another peer; a missing
		 * ovs-vswitchd is the run's to report (its systems skipped). */
		if (n_builds)
			peers[k].version = bench_ovs_version(NULL, NULL);
		k++;
	}
	for (unsigned int i = 0; i < n_builds; i++, k++) {
		peers[k].index = k;
		peers[k].src = bench_ovs_build_src(builds[i], error);
		if (!peers[k].src)
			goto fail;
		for (unsigned int j = 0; j < k; j++)
			if (!g_strcmp0(peers[j].src, peers[k].src)) {
				g_set_error(error, OVSDP_ERROR, EINVAL,
					    "--ovs-build %s: the same build twice", builds[i]);
				goto fail;
			}
		peers[k].version = bench_ovs_version(peers[k].src, error);
		if (!peers[k].version) {
			g_prefix_error(error, "--ovs-build %s: ", builds[i]);
			goto fail;
		}
	}
	for (k = 0; k < n; k++) {
		/* The installed one alone keeps the plain name its reports
		 * always had. */
		g_autofree char *base = n == 1 && installed ? g_strdup(BENCH_OVS_LABEL)
							    : bench_ovs_label(peers[k].version);
		char *label = g_strdup(base);

		/* Two builds of one version: numbered in the order given. */
		for (unsigned int dup = 2;; dup++) {
			bool taken = false;

			for (unsigned int j = 0; j < k; j++)
				taken = taken || !strcmp(peers[j].label, label);
			if (!taken)
				break;
			g_free(label);
			label = g_strdup_printf("%s-%u", base, dup);
		}
		peers[k].label = label;
	}
	*out = peers;
	*n_out = n;
	return 0;
fail:
	bench_peers_free(peers, n);
	return -EINVAL;
}
