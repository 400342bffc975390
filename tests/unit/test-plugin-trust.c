/* test-plugin-trust.c: the loader trusts a plugin like sshd's StrictModes
 * (every directory from / down, each symbolic link followed and the file:
 * owned by root or the running user, writable by no one else), loads it
 * from the descriptor it checked, and refuses a truncated or non-ELF file
 * with a message instead of a SIGBUS inside dlopen.
 *
 * With --root (a test of its own, skipped with 77 when not root): files
 * owned by another uid, and the race of issue 14: an unprivileged process
 * swaps two directories with renameat2(RENAME_EXCHANGE) while root loads
 * the path again and again; the attacker's constructor must never run. */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <link.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sched.h>
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ovsdp/plugin.h"
#include "expect-refused.h"
#include "tsuite.h"

#define NOBODY 65534

static char *scratch;        /* per-test directory in the build tree, 0755 */

static void
setup(void)
{
	scratch = g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), "tests", "unit",
				   "scratch-trust-XXXXXX", NULL);
	ck_assert_ptr_nonnull(g_mkdtemp_full(scratch, 0755));
	/* The build tree itself must pass, or every plugin test would fail. */
	ck_assert_int_eq(chmod(scratch, 0755), 0);
}

static void
teardown(void)
{
	g_autofree char *cmd = g_strdup_printf("chmod -R u+rwx '%s' && rm -rf '%s'", scratch,
					       scratch);

	/* Under valgrind (CK_FORK=no) the cases share one process. */
	ck_assert_int_eq(chdir(g_getenv("OVSDP_BUILD_ROOT")), 0);
	g_unsetenv("OVSDP_TEST_MARKER_DIR");
	ck_assert_int_eq(system(cmd), 0);
	g_free(scratch);
}

static char *
built(const char *rel)
{
	return g_build_filename(g_getenv("OVSDP_BUILD_ROOT"), rel, NULL);
}

/* scratch/REL made with 'mode' (whatever the umask). */
static char *
mkdir_mode(const char *rel, mode_t mode)
{
	char *p = g_build_filename(scratch, rel, NULL);

	ck_assert_int_eq(g_mkdir(p, 0700), 0);
	ck_assert_int_eq(chmod(p, mode), 0);
	return p;
}

/* A copy of 'src' as scratch/REL with 'mode', at most 'len' bytes (-1: all). */
static char *
copy_mode(const char *src, const char *rel, mode_t mode, gssize cut)
{
	g_autofree char *data = NULL;
	char *dst = g_build_filename(scratch, rel, NULL);
	gsize len;

	ck_assert(g_file_get_contents(src, &data, &len, NULL));
	ck_assert_uint_gt(len, (gsize)(cut > 0 ? cut : 0));
	ck_assert(g_file_set_contents(dst, data, cut >= 0 ? (gssize)len - cut : (gssize)len, NULL));
	ck_assert_int_eq(chmod(dst, mode), 0);
	return dst;
}

static char *
good_fixture(void)
{
	return built("tests/plugins/good.so");
}

static char *
real_plugin(void)
{
	return built("plugins/dispatch-per-vport/dispatch-per-vport.so");
}

static void
expect_loads(const char *path, const char *name)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugin *p = NULL;

	ck_assert_msg(ovsdp_plugin_open(path, &p, &err) == 0, "%s", err ? err->message : "?");
	ck_assert_str_eq(ovsdp_plugin_name(p), name);
	ck_assert_str_eq(ovsdp_plugin_path(p), path);
	ovsdp_plugin_close(p);
}

/* The case: a 0777 directory holding a 0755 one with the file. */
START_TEST(world_writable_ancestor)
{
	g_autofree char *src = good_fixture();
	g_autofree char *ww = mkdir_mode("ww", 0777);
	g_autofree char *sub = mkdir_mode("ww/plugins", 0755);
	g_autofree char *so = copy_mode(src, "ww/plugins/x.so", 0644, -1);
	g_autofree char *msg = g_strdup_printf("refused: %s is world-writable (mode 0777)", ww);

	expect_refused(so, -EPERM, msg);
	/* Sticky, like /tmp: others may add entries but not rename or remove
	 * root's, so when root owns it, it may be on the way to a plugin... */
	ck_assert_int_eq(chmod(ww, 01777), 0);
	g_free(msg);
	if (geteuid() == 0) {
		expect_loads(so, "fixture");
	} else {
		msg = g_strdup_printf("refused: %s is world-writable (mode 1777)", ww);
		expect_refused(so, -EPERM, msg);
		g_free(msg);
	}
	/* ...but never hold one, whoever owns it: others may add files and
	 * links beside it. */
	{
		g_autofree char *direct = copy_mode(src, "ww/y.so", 0644, -1);

		msg = g_strdup_printf("refused: %s is world-writable (mode 1777): a sticky directory "
				      "may be on the way to a plugin, not hold it", ww);
		if (geteuid() != 0) {
			g_free(msg);
			msg = g_strdup_printf("refused: %s is world-writable (mode 1777)", ww);
		}
		expect_refused(direct, -EPERM, msg);
		ck_assert_int_eq(unlink(direct), 0);
	}
	/* Group-writable two levels up counts as much. */
	ck_assert_int_eq(chmod(ww, 0775), 0);
	g_free(msg);
	msg = g_strdup_printf("refused: %s is group-writable (mode 0775)", ww);
	expect_refused(so, -EPERM, msg);
	/* The same tree, safe: it loads. */
	ck_assert_int_eq(chmod(ww, 0755), 0);
	expect_loads(so, "fixture");
}
END_TEST

START_TEST(group_writable_file)
{
	g_autofree char *src = good_fixture();
	g_autofree char *so = copy_mode(src, "gw.so", 0664, -1);
	g_autofree char *msg = g_strdup_printf("refused: %s is group-writable (mode 0664)", so);

	expect_refused(so, -EPERM, msg);
	/* setgid or not, a group-writable directory is refused. */
	ck_assert_int_eq(chmod(so, 0644), 0);
	ck_assert_int_eq(chmod(scratch, 02775), 0);
	g_free(msg);
	msg = g_strdup_printf("refused: %s is group-writable (mode 2775)", scratch);
	expect_refused(so, -EPERM, msg);
}
END_TEST

/* The section header table of the ELF file 'path' ends at this byte. */
static guint64
section_table_end(const char *path)
{
	g_autofree char *data = NULL;
	gsize len;
	ElfW(Ehdr) eh;

	ck_assert(g_file_get_contents(path, &data, &len, NULL));
	ck_assert_uint_ge(len, sizeof eh);
	memcpy(&eh, data, sizeof eh);
	return (guint64)eh.e_shoff + (guint64)eh.e_shnum * eh.e_shentsize;
}

/* A real plugin cut short by 1,000 to 24,000 bytes (the SIGBUS):
 * each copy refused before dlopen, with the reason, in-process. */
START_TEST(truncated_real_plugin)
{
	static const gssize cuts[] = { 1, 1000, 2000, 4000, 8000, 12000, 16000, 20000, 24000 };
	g_autofree char *src = real_plugin();
	g_autofree char *dir = mkdir_mode("cut", 0755);
	struct ovsdp_plugins *l = NULL;
	guint64 end = section_table_end(src);
	g_autofree char *saved = NULL;

	for (size_t i = 0; i < G_N_ELEMENTS(cuts); i++) {
		g_autofree char *rel = g_strdup_printf("cut/short-%zd.so", cuts[i]);
		g_autofree char *so = copy_mode(src, rel, 0644, cuts[i]);
		g_autofree char *prefix = g_strdup_printf("%s: truncated: ", so);
		g_autoptr(GError) err = NULL;
		struct ovsdp_plugin *p = NULL;

		ck_assert_int_eq(ovsdp_plugin_open(so, &p, &err), -ELIBBAD);
		ck_assert_ptr_null(p);
		ck_assert_msg(g_str_has_prefix(err->message, prefix), "cut %zd: %s", cuts[i],
			      err->message);
		ck_assert_msg(strstr(err->message, "past the end of the file"), "%s", err->message);
		if (cuts[i] == 1) {
			/* The section headers come last: exactly that is named. */
			struct stat st;
			g_autofree char *want = NULL;

			ck_assert_int_eq(stat(so, &st), 0);
			want = g_strdup_printf("%s: truncated: the section header table ends at byte "
					       "%" G_GUINT64_FORMAT ", past the end of the file (%lld "
					       "bytes)", so, end, (long long)st.st_size);
			ck_assert_str_eq(err->message, want);
		}
	}
	/* Cut into the loaded segments (a stripped plugin has little after
	 * them): the first segment that no longer fits is named. */
	{
		g_autofree char *data = NULL;
		g_autofree char *so = NULL, *want = NULL;
		g_autoptr(GError) err = NULL;
		struct ovsdp_plugin *p = NULL;
		const ElfW(Ehdr) *eh;
		const ElfW(Phdr) *ph;
		guint64 load_end = 0, keep;
		gsize len;
		int first = -1;

		ck_assert(g_file_get_contents(src, &data, &len, NULL));
		eh = (const ElfW(Ehdr) *)data;
		ph = (const ElfW(Phdr) *)(data + eh->e_phoff);
		for (int i = 0; i < eh->e_phnum; i++) {
			if (ph[i].p_type == PT_LOAD && ph[i].p_offset + ph[i].p_filesz > load_end)
				load_end = ph[i].p_offset + ph[i].p_filesz;
		}
		keep = load_end - 100;
		for (int i = 0; i < eh->e_phnum && first < 0; i++) {
			if (ph[i].p_filesz && ph[i].p_offset + ph[i].p_filesz > keep)
				first = i;
		}
		ck_assert_int_ge(first, 0);
		so = copy_mode(src, "cut/into-load.so", 0644, (gssize)(len - keep));
		want = g_strdup_printf("%s: truncated: segment %d (%s) ends at byte %" G_GUINT64_FORMAT
				       ", past the end of the file (%" G_GUINT64_FORMAT " bytes)", so,
				       first, ph[first].p_type == PT_LOAD ? "PT_LOAD" : "PT_DYNAMIC",
				       (guint64)(ph[first].p_offset + ph[first].p_filesz), keep);
		ck_assert_int_eq(ovsdp_plugin_open(so, &p, &err), -ELIBBAD);
		ck_assert_str_eq(err->message, want);
	}
	/* The same files found by a directory search (ovsdp probe, ovsdpd). */
	saved = g_strdup(g_getenv("OVSDP_PLUGIN_PATH"));
	g_setenv("OVSDP_PLUGIN_PATH", dir, TRUE);
	ck_assert_int_eq(ovsdp_plugins_discover(NULL, NULL, &l, NULL), 0);
	for (unsigned int i = 0; i < ovsdp_plugins_count(l); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(l, i);

		if (!g_str_has_prefix(ovsdp_plugin_path(p), dir))
			continue;
		ck_assert_int_eq(ovsdp_plugin_status(p), OVSDP_PLUGIN_REFUSED);
		ck_assert_int_eq(ovsdp_plugin_error(p), -ELIBBAD);
	}
	ovsdp_plugins_free(l);
	g_setenv("OVSDP_PLUGIN_PATH", saved, TRUE);
}
END_TEST

START_TEST(not_elf)
{
	g_autofree char *text = g_build_filename(scratch, "text.so", NULL);
	g_autofree char *tiny = g_build_filename(scratch, "tiny.so", NULL);
	g_autofree char *empty = g_build_filename(scratch, "empty.so", NULL);
	g_autofree char *fifo = g_build_filename(scratch, "fifo.so", NULL);
	g_autofree char *src = good_fixture();
	g_autofree char *so = copy_mode(src, "x.so", 0644, -1);
	g_autofree char *msg = NULL;

	ck_assert(g_file_set_contents(text, "#!/bin/sh\n# not a library, but long enough to "
				      "hold an ELF header if it were one\nexit 0\n", -1, NULL));
	ck_assert(g_file_set_contents(tiny, "\177ELF", -1, NULL));
	ck_assert(g_file_set_contents(empty, "", 0, NULL));
	expect_refused(text, -ELIBBAD, "not an ELF file: it does not start with the ELF magic "
		       "number");
	expect_refused(tiny, -ELIBBAD, "not an ELF file: 4 bytes, shorter than an ELF header (64)");
	expect_refused(empty, -ELIBBAD, "not an ELF file: 0 bytes, shorter than an ELF header (64)");
	/* A FIFO is refused, not opened (which would wait for a writer). */
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	expect_refused(fifo, -EINVAL, "not a regular file");
	/* An ELF file that is not a shared object. */
	{
		g_autofree char *data = NULL;
		gsize len;
		ElfW(Ehdr) *eh;

		ck_assert(g_file_get_contents(so, &data, &len, NULL));
		eh = (ElfW(Ehdr) *)data;
		eh->e_type = ET_EXEC;
		ck_assert(g_file_set_contents(so, data, (gssize)len, NULL));
		ck_assert_int_eq(chmod(so, 0644), 0);
		expect_refused(so, -ELIBBAD, "not a shared object: ELF type 2 (an executable)");
		eh->e_type = ET_DYN;
		eh->e_machine = eh->e_machine == EM_AARCH64 ? EM_X86_64 : EM_AARCH64;
		ck_assert(g_file_set_contents(so, data, (gssize)len, NULL));
		msg = g_strdup_printf("built for ELF machine %u, this host is machine %u",
				      eh->e_machine, eh->e_machine == EM_AARCH64 ? EM_X86_64
									   : EM_AARCH64);
		expect_refused(so, -ELIBBAD, msg);
	}
}
END_TEST

/* dlopen's own errors name the file, not /proc/self/fd/N: an OS ABI the
 * dynamic loader refuses (the ELF check leaves that to it). */
START_TEST(loader_error_names_the_file)
{
	g_autofree char *src = good_fixture();
	g_autofree char *so = copy_mode(src, "osabi.so", 0644, -1);
	g_autofree char *data = NULL;
	g_autofree char *msg = NULL;
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugin *p = NULL;
	gsize len;

	ck_assert(g_file_get_contents(so, &data, &len, NULL));
	data[EI_OSABI] = ELFOSABI_ARM;
	ck_assert(g_file_set_contents(so, data, (gssize)len, NULL));
	ck_assert_int_eq(chmod(so, 0644), 0);
	ck_assert_int_eq(ovsdp_plugin_open(so, &p, &err), -ELIBBAD);
	msg = g_strdup_printf("%s: cannot be loaded: %s: ", so, so);
	ck_assert_msg(g_str_has_prefix(err->message, msg), "%s", err->message);
	ck_assert_msg(!strstr(err->message, "/proc/"), "%s", err->message);
}
END_TEST

/* Plugins opened one after the other, or together, are each themselves:
 * a /proc/self/fd/N name reused for another file must not bring back the
 * module loaded earlier under that name. */
START_TEST(descriptor_names_are_not_confused)
{
	g_autofree char *good = good_fixture();
	g_autofree char *failing = built("tests/plugins/failing-probe.so");
	g_autofree char *dup = built("tests/plugins/dup-first.so");
	struct ovsdp_plugin *a = NULL, *b = NULL, *c = NULL;

	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(ovsdp_plugin_open(good, &a, NULL), 0);
		ck_assert_int_eq(ovsdp_plugin_open(failing, &b, NULL), 0);
		ovsdp_plugin_close(a);
		ck_assert_int_eq(ovsdp_plugin_open(dup, &c, NULL), 0);
		ck_assert_str_eq(ovsdp_plugin_name(b), "failing");
		ck_assert_str_eq(ovsdp_plugin_name(c), "dup");
		ovsdp_plugin_close(b);
		ovsdp_plugin_close(c);
	}
}
END_TEST

START_TEST(symlinks)
{
	g_autofree char *src = good_fixture();
	g_autofree char *lib = mkdir_mode("lib", 0755);
	g_autofree char *so = copy_mode(src, "lib/x.so.1", 0644, -1);
	g_autofree char *link = g_build_filename(scratch, "lib", "x.so", NULL);
	g_autofree char *dirlink = g_build_filename(scratch, "dirlink", NULL);
	g_autofree char *via_dir = g_build_filename(dirlink, "x.so", NULL);
	g_autofree char *ww = mkdir_mode("ww", 0777);
	g_autofree char *bad = copy_mode(src, "ww/y.so", 0644, -1);
	g_autofree char *to_bad = g_build_filename(scratch, "lib", "y.so", NULL);
	g_autofree char *loop = g_build_filename(scratch, "lib", "loop.so", NULL);
	g_autofree char *rel = g_build_filename(scratch, "lib", "rel.so", NULL);
	g_autofree char *msg = NULL;

	/* A link in a checked directory, to a file that passes: followed. */
	ck_assert_int_eq(symlink("x.so.1", link), 0);
	expect_loads(link, "fixture");
	/* A link to a directory, then the link to the file. */
	ck_assert_int_eq(symlink(lib, dirlink), 0);
	expect_loads(via_dir, "fixture");
	/* The target is walked like any path: its directory is checked. */
	ck_assert_int_eq(symlink("../ww/y.so", to_bad), 0);
	msg = g_strdup_printf("refused: %s is world-writable (mode 0777)", ww);
	expect_refused(to_bad, -EPERM, msg);
	/* So is a relative path from a current directory. */
	ck_assert_int_eq(chdir(lib), 0);
	expect_refused("y.so", -EPERM, msg);
	expect_loads("x.so", "fixture");
	ck_assert_int_eq(symlink(".././lib/./x.so", rel), 0);
	expect_loads(rel, "fixture");
	(void)bad;
	(void)so;
	/* A loop ends. */
	ck_assert_int_eq(symlink("loop.so", loop), 0);
	{
		g_autoptr(GError) err = NULL;
		struct ovsdp_plugin *p = NULL;
		g_autofree char *want = g_strdup_printf("%s: %s: Too many levels of symbolic links",
							loop, loop);

		ck_assert_int_eq(ovsdp_plugin_open(loop, &p, &err), -ELOOP);
		ck_assert_str_eq(err->message, want);
	}
}
END_TEST

/* --root: another uid's file, directory or symbolic link is refused. */
START_TEST(other_owner)
{
	g_autofree char *src = good_fixture();
	g_autofree char *dir = mkdir_mode("theirs", 0755);
	g_autofree char *so = copy_mode(src, "theirs/x.so", 0644, -1);
	g_autofree char *mine = copy_mode(src, "mine.so", 0644, -1);
	g_autofree char *link = g_build_filename(scratch, "link.so", NULL);
	g_autofree char *msg = NULL;

	ck_assert_int_eq(chown(so, 4242, 4242), 0);
	msg = g_strdup_printf("refused: %s is owned by uid 4242, neither root nor the running "
			      "user", so);
	expect_refused(so, -EPERM, msg);
	ck_assert_int_eq(chown(so, 0, 0), 0);
	ck_assert_int_eq(chown(dir, 4242, 0), 0);
	g_free(msg);
	msg = g_strdup_printf("refused: %s is owned by uid 4242, neither root nor the running "
			      "user", dir);
	expect_refused(so, -EPERM, msg);
	/* A link someone else made (fs.protected_symlinks' rule). */
	ck_assert_int_eq(symlink(mine, link), 0);
	ck_assert_int_eq(lchown(link, 4242, 4242), 0);
	g_free(msg);
	msg = g_strdup_printf("refused: the symbolic link %s is owned by uid 4242, neither root "
			      "nor the running user", link);
	expect_refused(link, -EPERM, msg);
	ck_assert_int_eq(lchown(link, 0, 0), 0);
	expect_loads(link, "fixture");
}
END_TEST

/* --root: issue 14's race.  scratch/att belongs to nobody and holds two
 * directories: good/ (root's, with root's plugin) and evil/ (nobody's,
 * with a library whose constructor leaves a marker).  nobody exchanges
 * them with renameat2(RENAME_EXCHANGE) in a loop while root loads
 * scratch/att/good/plugin.so again and again.  A loader that checked one
 * path and dlopen()ed it again ran the constructor as root in 16 of 667
 * runs; now the walk refuses att (nobody's) every time. */
START_TEST(swap_race)
{
	g_autofree char *good_src = good_fixture();
	g_autofree char *evil_src = built("tests/plugins/marker/marker.so");
	g_autofree char *att = mkdir_mode("att", 0755);
	g_autofree char *good = mkdir_mode("att/good", 0755);
	g_autofree char *evil = mkdir_mode("att/evil", 0755);
	g_autofree char *markers = mkdir_mode("markers", 0777);
	g_autofree char *good_so = copy_mode(good_src, "att/good/plugin.so", 0644, -1);
	g_autofree char *evil_so = copy_mode(evil_src, "att/evil/plugin.so", 0644, -1);
	g_autofree char *root_marker = g_build_filename(markers, "ran-as-uid-0", NULL);
	g_autofree char *want = g_strdup_printf("%s: refused: %s is owned by uid %u, neither root "
						"nor the running user", good_so, att, NOBODY);
	volatile unsigned long *swaps;
	void *handle;
	gint64 deadline;
	unsigned long loads = 0, refused = 0, swaps_seen;
	g_autofree char *other = NULL;
	pid_t pid;
	int dfd, status;

	/* The marker works: the evil library's constructor, loaded directly. */
	g_setenv("OVSDP_TEST_MARKER_DIR", markers, TRUE);
	handle = dlopen(evil_so, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(handle, "%s", dlerror());
	ck_assert_msg(g_file_test(root_marker, G_FILE_TEST_EXISTS), "the marker does not work");
	ck_assert_int_eq(dlclose(handle), 0);
	ck_assert_int_eq(g_unlink(root_marker), 0);

	ck_assert_int_eq(chown(att, NOBODY, NOBODY), 0);
	ck_assert_int_eq(chown(evil, NOBODY, NOBODY), 0);
	ck_assert_int_eq(chown(evil_so, NOBODY, NOBODY), 0);

	swaps = mmap(NULL, sizeof *swaps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert(swaps != MAP_FAILED);
	*swaps = 0;
	dfd = open(att, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dfd, 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The attacker: nobody, with only its own directory open. */
		gint64 stop = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

		if (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 || setuid(NOBODY) < 0)
			_exit(99);
		while (g_get_monotonic_time() < stop) {
			if (renameat2(dfd, "good", dfd, "evil", RENAME_EXCHANGE) < 0)
				_exit(98);
			(*swaps)++;
		}
		_exit(0);
	}
	close(dfd);
	/* Wait until it swaps, then load for three seconds. */
	deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
	while (*swaps == 0 && g_get_monotonic_time() < deadline && waitpid(pid, &status, WNOHANG) == 0)
		sched_yield();
	ck_assert_msg(*swaps > 0, "the attacker never swapped the directories");
	deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < deadline || loads < 100) {
		g_autoptr(GError) err = NULL;
		struct ovsdp_plugin *p = NULL;

		int r = ovsdp_plugin_open(good_so, &p, &err);

		ck_assert_msg(!g_file_test(root_marker, G_FILE_TEST_EXISTS),
			      "the attacker's constructor ran as root after %lu loads (%lu "
			      "refused as expected)", loads, refused);
		ovsdp_plugin_close(p);
		/* Every load, whichever directory it met, is refused at att. */
		if (r == -EPERM && !strcmp(err->message, want))
			refused++;
		else if (!other)
			other = g_strdup_printf("load %lu: %d, %s", loads, r,
						err ? err->message : "loaded");
		loads++;
	}
	swaps_seen = *swaps;
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);     /* still swapping */
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	printf("swap_race: %lu loads refused during %lu swaps; constructor never ran\n", loads,
	       swaps_seen);
	ck_assert_msg(!other, "%s", other);
	ck_assert_uint_eq(refused, loads);
	ck_assert_uint_gt(swaps_seen, loads);
	ck_assert(!g_file_test(root_marker, G_FILE_TEST_EXISTS));
	munmap((void *)swaps, sizeof *swaps);
}
END_TEST

int
main(int argc, char **argv)
{
	bool root = argc > 1 && !strcmp(argv[1], "--root");
	Suite *s = suite_create(root ? "plugin-trust-root" : "plugin-trust");
	TCase *tc = tcase_create(root ? "root" : "files");

	if (root && geteuid() != 0) {
		printf("SKIP: the ownership and race cases need root (chown, setuid)\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	if (root) {
		tcase_set_timeout(tc, 60);
		tcase_add_test(tc, other_owner);
		tcase_add_test(tc, swap_race);
	} else {
		tcase_add_test(tc, world_writable_ancestor);
		tcase_add_test(tc, group_writable_file);
		tcase_add_test(tc, truncated_real_plugin);
		tcase_add_test(tc, not_elf);
		tcase_add_test(tc, loader_error_names_the_file);
		tcase_add_test(tc, descriptor_names_are_not_confused);
		tcase_add_test(tc, symlinks);
	}
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
