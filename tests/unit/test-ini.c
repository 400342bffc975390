/* test-ini.c: the one strict config reader (core/ini/ini.h), through both files
 * that use it: every hostile or careless input is refused by plugins.conf's
 * reader and by ovsdpd.conf's with the same exact "FILE[:LINE]: message",
 * and nothing hangs, grows or takes quadratic time. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ini.h"
#include "daemon.h"
#include "ovsdp/config.h"
#include "tsuite.h"

static char *tmpdir;

static void
setup(void)
{
	tmpdir = g_dir_make_tmp("ovsdp-ini-XXXXXX", NULL);
	ck_assert_ptr_nonnull(tmpdir);
}

static void
teardown(void)
{
	g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);

	ck_assert_int_eq(system(cmd), 0);
	g_clear_pointer(&tmpdir, g_free);
}

/* A file in tmpdir holding 'len' bytes of 'text', mode 0644. */
static char *
write_file(const char *name, const char *text, gssize len)
{
	char *path = g_build_filename(tmpdir, name, NULL);

	ck_assert(g_file_set_contents(path, text, len, NULL));
	ck_assert_int_eq(chmod(path, 0644), 0);
	return path;
}

/* Both readers refuse 'path' with exactly 'msg'. */
static void
both_refuse(const char *path, const char *msg)
{
	g_autoptr(GError) perr = NULL, derr = NULL;
	struct ovsdp_config *pc = NULL;
	struct daemon_config *dc = NULL;

	ck_assert_int_lt(ovsdp_config_load(path, &pc, &perr), 0);
	ck_assert_ptr_null(pc);
	ck_assert_ptr_nonnull(perr);
	ck_assert_str_eq(perr->message, msg);
	ck_assert_int_lt(daemon_config_load(path, &dc, &derr), 0);
	ck_assert_ptr_null(dc);
	ck_assert_ptr_nonnull(derr);
	ck_assert_str_eq(derr->message, msg);
}

/* ---- what the file is ---------------------------------------------------- */

/* A FIFO with no writer must not block the open or the read: the case has
 * a 5 s timeout, and fails when it hangs. */
START_TEST(fifo_refused_without_hanging)
{
	g_autofree char *path = g_build_filename(tmpdir, "fifo.conf", NULL);
	g_autofree char *msg = g_strdup_printf("%s: a FIFO, not a regular file: refused", path);

	ck_assert_int_eq(mkfifo(path, 0644), 0);
	both_refuse(path, msg);
}
END_TEST

START_TEST(devices_and_directories_refused)
{
	g_autofree char *msg = g_strdup_printf("%s: a directory, not a regular file: refused",
					       tmpdir);

	/* /dev/zero once grew ovsdpd to 4.4 GB in 9 s. */
	both_refuse("/dev/zero", "/dev/zero: a character device, not a regular file: refused");
	both_refuse(tmpdir, msg);
}
END_TEST

START_TEST(missing_file)
{
	g_autofree char *path = g_build_filename(tmpdir, "none.conf", NULL);
	g_autofree char *msg = g_strdup_printf("%s: No such file or directory", path);

	both_refuse(path, msg);
}
END_TEST

START_TEST(oversize_refused)
{
	gsize n = INI_SIZE_MAX + 1;
	g_autofree char *text = g_malloc(n);
	g_autofree char *path = NULL, *msg = NULL, *ok = NULL;
	g_autoptr(GError) err = NULL;
	struct daemon_config *dc = NULL;

	/* Comment lines: the size alone is wrong. */
	memset(text, '#', n);
	for (gsize i = 79; i < n; i += 80)
		text[i] = '\n';
	path = write_file("big.conf", text, (gssize)n);
	msg = g_strdup_printf("%s: larger than 1048576 bytes, the limit for a configuration "
			      "file: refused", path);
	both_refuse(path, msg);
	/* One byte less is read. */
	ok = write_file("limit.conf", text, (gssize)(n - 1));
	ck_assert_msg(daemon_config_load(ok, &dc, &err) == 0, "%s", err ? err->message : "");
	daemon_config_free(dc);
}
END_TEST

static void
chmod_refused(mode_t mode, const char *who)
{
	g_autofree char *path = write_file("mode.conf", "[daemon]\n", -1);
	g_autofree char *msg = g_strdup_printf("%s: writable by %s (mode %04o): refused", path,
					       who, (unsigned int)mode);

	ck_assert_int_eq(chmod(path, mode), 0);
	both_refuse(path, msg);
}

START_TEST(group_writable_refused)
{
	chmod_refused(0664, "its group");
	chmod_refused(0620, "its group");
}
END_TEST

START_TEST(world_writable_refused)
{
	chmod_refused(0646, "everyone");
	chmod_refused(0666, "everyone");
}
END_TEST

/* Only root can give a file away; the unit suite runs as root in CI. */
START_TEST(foreign_owner_refused)
{
	struct passwd *nobody = getpwnam("nobody");
	g_autofree char *path = write_file("theirs.conf", "[daemon]\n", -1);
	g_autofree char *msg = NULL;

	ck_assert_ptr_nonnull(nobody);
	ck_assert_int_eq(chown(path, nobody->pw_uid, (gid_t)-1), 0);
	msg = g_strdup_printf("%s: owned by nobody (uid %u), not by root or the running user: "
			      "refused", path, (unsigned int)nobody->pw_uid);
	both_refuse(path, msg);
}
END_TEST

/* ---- the way to the file --------------------------------------------------- */

/* A 0644 file in a new directory 'sub' of tmpdir with mode 'mode', and the
 * canonical path of that directory (how the refusal names it). */
static char *
file_in_dir(const char *sub, mode_t mode, char **dir_real)
{
	g_autofree char *dir = g_build_filename(tmpdir, sub, NULL);
	char *path = g_build_filename(dir, "in.conf", NULL);
	char real[PATH_MAX];

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert(g_file_set_contents(path, "[daemon]\n", -1, NULL));
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(chmod(dir, mode), 0);
	ck_assert_ptr_nonnull(realpath(dir, real));
	*dir_real = g_strdup(real);
	return path;
}

/* Whoever may write a directory on the way can swap the file: refused,
 * naming the directory, as for a plugin. */
START_TEST(writable_directory_refused)
{
	g_autofree char *d1 = NULL, *d2 = NULL, *m1 = NULL, *m2 = NULL;
	g_autofree char *p1 = file_in_dir("world", 0777, &d1);
	g_autofree char *p2 = file_in_dir("group", 0775, &d2);

	m1 = g_strdup_printf("%s: %s is world-writable (mode 0777): refused", p1, d1);
	both_refuse(p1, m1);
	m2 = g_strdup_printf("%s: %s is group-writable (mode 0775): refused", p2, d2);
	both_refuse(p2, m2);
}
END_TEST

/* A link to a file in such a directory is walked like the rest. */
START_TEST(link_into_writable_directory_refused)
{
	g_autofree char *d = NULL, *msg = NULL;
	g_autofree char *target = file_in_dir("open", 0777, &d);
	g_autofree char *link = g_build_filename(tmpdir, "link.conf", NULL);

	ck_assert_int_eq(symlink(target, link), 0);
	msg = g_strdup_printf("%s: %s is world-writable (mode 0777): refused", link, d);
	both_refuse(link, msg);
}
END_TEST

/* Root only: a root-owned sticky directory (/tmp) may hold a configuration
 * file (nobody else can rename or remove it there), and a link another user
 * owns is refused however good its target. */
START_TEST(sticky_holder_and_foreign_link)
{
	struct passwd *nobody = getpwnam("nobody");
	g_autofree char *d = NULL, *msg = NULL;
	g_autofree char *path = file_in_dir("sticky", 01777, &d);
	g_autofree char *good = write_file("good.conf", "[daemon]\n", -1);
	g_autofree char *link = g_build_filename(tmpdir, "theirs-link.conf", NULL);
	g_autoptr(GError) err = NULL;
	struct daemon_config *dc = NULL;
	char real[PATH_MAX];

	ck_assert_msg(daemon_config_load(path, &dc, &err) == 0, "%s", err ? err->message : "");
	daemon_config_free(dc);
	ck_assert_ptr_nonnull(nobody);
	ck_assert_int_eq(symlink(good, link), 0);
	ck_assert_int_eq(lchown(link, nobody->pw_uid, (gid_t)-1), 0);
	ck_assert_ptr_nonnull(realpath(tmpdir, real));
	msg = g_strdup_printf("%s: the symbolic link %s/theirs-link.conf is owned by uid %u, "
			      "neither root nor the running user: refused", link, real,
			      (unsigned int)nobody->pw_uid);
	both_refuse(link, msg);
}
END_TEST

/* ---- what the text is ---------------------------------------------------- */

START_TEST(nul_byte_refused)
{
	/* A NUL once ended the file silently: the default socket was bound. */
	static const char text[] = "[daemon]\n\0control-socket = /tmp/x.sock\n";
	g_autofree char *path = write_file("nul.conf", text, sizeof text - 1);
	g_autofree char *msg = g_strdup_printf("%s:2: contains a NUL byte: not a text file", path);

	both_refuse(path, msg);
}
END_TEST

START_TEST(invalid_utf8_refused)
{
	/* Once dropped, and the default used in its place. */
	g_autofree char *path = write_file("utf8.conf", "# ok\n[daemon]\nplugins-conf = /x\xff\n", -1);
	g_autofree char *msg = g_strdup_printf("%s:3: not valid UTF-8 (byte 0xff at column 18)",
					       path);

	both_refuse(path, msg);
}
END_TEST

/* The same structural mistakes get the same messages from both files. */
START_TEST(same_structure_rules)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *pc = NULL;
	struct daemon_config *dc = NULL;

	/* ';' and '#' are comments, at the start of a line, in both. */
	ck_assert_msg(ovsdp_config_parse("p.conf", "; one\n  # two\n[dispatch]\n;mode = x\n"
					 "mode = legacy\n", -1, &pc, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_str_eq(ovsdp_config_mode(pc), "legacy");
	ovsdp_config_free(pc);
	ck_assert_msg(daemon_config_parse("d.conf", "; one\n  # two\n[datapath]\n;name = x\n"
					  "name = dp7\n", &dc, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_str_eq(dc->dp_name, "dp7");
	daemon_config_free(dc);

	ck_assert_int_eq(ovsdp_config_parse("p.conf", "[handlers]\n[handlers]\n", -1, &pc, &err),
			 -EINVAL);
	ck_assert_str_eq(err->message, "p.conf:2: section [handlers] appears twice (first at line 1)");
	g_clear_error(&err);
	ck_assert_int_eq(daemon_config_parse("d.conf", "[daemon]\n\n[daemon]\n", &dc, &err), -EINVAL);
	ck_assert_str_eq(err->message, "d.conf:3: section [daemon] appears twice (first at line 1)");
	g_clear_error(&err);

	ck_assert_int_eq(ovsdp_config_parse("p.conf", "[dispatch]\nmode = a\nmode = b\n", -1, &pc,
					    &err), -EINVAL);
	ck_assert_str_eq(err->message, "p.conf:3: [dispatch] mode is set twice (first at line 2)");
	g_clear_error(&err);
	ck_assert_int_eq(daemon_config_parse("d.conf", "[datapath]\nname = a\nname = b\n", &dc,
					     &err), -EINVAL);
	ck_assert_str_eq(err->message, "d.conf:3: [datapath] name is set twice (first at line 2)");
	g_clear_error(&err);

	ck_assert_int_eq(ovsdp_config_parse("p.conf", "[handlers]\nthreads = 2\n", -1, &pc, &err),
			 -EINVAL);
	ck_assert_str_eq(err->message, "p.conf:2: [handlers] unknown key 'threads' (known: count)");
	g_clear_error(&err);
	ck_assert_int_eq(daemon_config_parse("d.conf", "[daemon]\nsocket = /x\n", &dc, &err),
			 -EINVAL);
	ck_assert_str_eq(err->message, "d.conf:2: [daemon] unknown key 'socket' (known: "
			 "control-socket, plugins-conf)");
	g_clear_error(&err);

	/* Nothing after a value is a comment. */
	ck_assert_int_eq(ovsdp_config_parse("p.conf", "[handlers]\ncount = 4 ; four\n", -1, &pc,
					    &err), -EINVAL);
	ck_assert_str_eq(err->message, "p.conf:2: [handlers] count = 4 ; four: expected auto or a "
			 "number from 1 to 1024 (comments go on their own line)");
	g_clear_error(&err);
	ck_assert_int_eq(daemon_config_parse("d.conf", "[policy]\nmac-age = 4 # s\n", &dc, &err),
			 -EINVAL);
	ck_assert_str_eq(err->message, "d.conf:2: [policy] mac-age = 4 # s: expected a number "
			 "from 1 to 86400 (comments go on their own line)");
	g_clear_error(&err);

	/* GKeyFile's escapes keep their meaning; others are refused. */
	ck_assert_int_eq(daemon_config_parse("d.conf", "[daemon]\nplugins-conf = /a\\qb\n", &dc,
					     &err), -EINVAL);
	ck_assert_str_eq(err->message, "d.conf:2: [daemon] plugins-conf: unknown escape '\\q' "
			 "(known: \\s \\t \\n \\r \\\\)");
	g_clear_error(&err);
	ck_assert_int_eq(daemon_config_parse("d.conf", "[daemon]\nplugins-conf = /a\\\n", &dc,
					     &err), -EINVAL);
	ck_assert_str_eq(err->message, "d.conf:2: [daemon] plugins-conf: the value ends with a "
			 "lone '\\'");
	g_clear_error(&err);
}
END_TEST

/* ---- linear time ---------------------------------------------------------- */

/* CPU seconds of this process: what the parse costs, whatever else the
 * (shared, loaded) machine runs meanwhile. */
static gint64
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (gint64)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static double
seconds_since(gint64 t0)
{
	return (double)(cpu_now() - t0) / 1e6;
}

/* 1 s of CPU (about 20 times what it takes); valgrind runs code some 20 to
 * 50 times slower.  The quadratic check it replaces took 96 s. */
static double
cpu_limit(void)
{
	return g_getenv("OVSDP_VALGRIND") ? 20.0 : 1.0;
}

/* 200,000 distinct names (4 base-36 digits each): the duplicate check
 * once was quadratic and took 96 s. */
START_TEST(long_prefer_list_is_fast)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	GString *s = g_string_new("[dispatch]\nprefer = ");
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *c = NULL;
	g_autofree char *path = NULL;
	const char *const *prefer;
	unsigned int n = 0;
	gint64 t0;

	for (unsigned int i = 0; i < 200000; i++) {
		unsigned int v = i;
		char name[5];

		for (int d = 3; d >= 0; d--) {
			name[d] = digits[v % 36];
			v /= 36;
		}
		name[4] = '\0';
		g_string_append_printf(s, "%s%s", i ? ";" : "", name);
	}
	g_string_append_c(s, '\n');
	ck_assert_uint_le(s->len, INI_SIZE_MAX);
	path = write_file("prefer.conf", s->str, (gssize)s->len);
	t0 = cpu_now();
	ck_assert_msg(ovsdp_config_load(path, &c, &err) == 0, "%s", err ? err->message : "");
	ck_assert_msg(seconds_since(t0) < cpu_limit(), "200,000 names took %.2f s of CPU", seconds_since(t0));
	fprintf(stderr, "ini: 200,000 prefer names read in %.3f s of CPU\n", seconds_since(t0));
	prefer = ovsdp_config_prefer(c);
	while (prefer[n])
		n++;
	ck_assert_uint_eq(n, 200000);
	ck_assert_str_eq(prefer[0], "0000");
	ck_assert_str_eq(prefer[199999], "4abj");
	ovsdp_config_free(c);

	/* The same list with its first name again at the end: the message
	 * names it, still in linear time. */
	g_string_truncate(s, s->len - 1);
	g_string_append(s, ";0000\n");
	t0 = cpu_now();
	ck_assert_int_eq(ovsdp_config_parse("p.conf", s->str, (gssize)s->len, &c, &err), -EINVAL);
	ck_assert_msg(seconds_since(t0) < cpu_limit(), "took %.2f s", seconds_since(t0));
	ck_assert_str_eq(err->message, "p.conf:2: [dispatch] prefer names 0000 twice");
	g_string_free(s, TRUE);
}
END_TEST

/* ovsdpd.conf's port lists and a file of many keys, for the same reason. */
START_TEST(long_port_list_is_fast)
{
	GString *s = g_string_new("[datapath]\nports = ");
	g_autoptr(GError) err = NULL;
	struct daemon_config *dc = NULL;
	unsigned int n = 0;
	gint64 t0;

	for (unsigned int i = 0; i < 100000; i++)
		g_string_append_printf(s, "%sp%x", i ? "," : "", i);
	g_string_append_c(s, '\n');
	ck_assert_uint_le(s->len, INI_SIZE_MAX);
	t0 = cpu_now();
	ck_assert_msg(daemon_config_parse_data("d.conf", s->str, s->len, &dc, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert_msg(seconds_since(t0) < cpu_limit(), "100,000 ports took %.2f s", seconds_since(t0));
	while (dc->ports[n])
		n++;
	ck_assert_uint_eq(n, 100000);
	daemon_config_free(dc);
	g_string_free(s, TRUE);
}
END_TEST

/* ---- the reader's own schema rules ----------------------------------------- */

static bool
suffix_ok(const char *s)
{
	return !strcmp(s, "a");
}

static const struct ini_key test_keys[] = {
	{ .name = "flag", .type = INI_BOOL },
	{ .name = "n", .type = INI_UINT, .min = 2, .max = 9 },
	{ .name = "m", .type = INI_UINT_AUTO, .min = 1, .max = 3 },
	{ .name = "t", .type = INI_TEXT },
	{ .name = "old", .type = INI_REMOVED, .moved_to = "[new] key" },
	{ NULL },
};
static const struct ini_section test_sections[] = {
	{ .name = "s", .keys = test_keys },
	{ .name = "x:", .prefix = true, .suffix_valid = suffix_ok, .suffix_what = "'a'" },
	{ NULL },
};
static const struct ini_schema test_schema = { test_sections };

static void
ini_refuses(const char *text, const char *msg)
{
	g_autoptr(GError) err = NULL;
	struct ini *ini = NULL;

	ck_assert_msg(ini_parse("t.conf", text, strlen(text), &test_schema, &ini, &err) == -EINVAL,
		      "accepted:\n%s", text);
	ck_assert_ptr_null(ini);
	ck_assert_str_eq(err->message, msg);
}

START_TEST(schema_types)
{
	static const char text[] = "[s]\nflag = On\nn = 9\nm = auto\nt =  a\\sb\\tc\\\\  \n"
				   "[x:a]\nfree-key = 1\n";
	g_autoptr(GError) err = NULL;
	struct ini *ini = NULL;
	const struct ini_value *v;

	ck_assert_msg(ini_parse("t.conf", text, strlen(text), &test_schema, &ini, &err) == 0, "%s",
		      err ? err->message : "");
	ck_assert(ini_get(ini, "s", "flag")->b);
	ck_assert_uint_eq(ini_get(ini, "s", "n")->u, 9);
	ck_assert(ini_get(ini, "s", "m")->is_auto);
	ck_assert_str_eq(ini_get(ini, "s", "t")->value, "a b\tc\\");
	v = ini_get(ini, "x:a", "free-key");
	ck_assert_str_eq(v->value, "1");
	ck_assert_uint_eq(v->line, 7);
	ck_assert_uint_eq(ini_line(ini, "x:a", NULL), 6);
	ck_assert_uint_eq(ini_count(ini), 5);
	ck_assert_str_eq(ini_nth(ini, 4)->key, "free-key");
	ck_assert_str_eq(ini_sections(ini)[1], "x:a");
	ck_assert_ptr_null(ini_sections(ini)[2]);
	ck_assert_ptr_null(ini_get(ini, "s", "absent"));
	ini_free(ini);

	ini_refuses("[s]\nflag = maybe\n",
		    "t.conf:2: [s] flag = maybe: expected a boolean (yes/no, true/false, on/off, 1/0)");
	ini_refuses("[s]\nn = 1\n", "t.conf:2: [s] n = 1: expected a number from 2 to 9");
	ini_refuses("[s]\nn = +3\n", "t.conf:2: [s] n = +3: expected a number from 2 to 9");
	ini_refuses("[s]\nm = 4\n", "t.conf:2: [s] m = 4: expected auto or a number from 1 to 3");
	ini_refuses("[s]\nold = 1\n", "t.conf:2: [s] old is not read here any more: set [new] key");
	ini_refuses("[x:b]\n", "t.conf:1: [x:b]: 'b' is not 'a'");
	ini_refuses("[y]\n", "t.conf:1: unknown section [y] (known: [s], [x:NAME])");
	ini_refuses("[]\n", "t.conf:1: cannot parse '[]': a section is [name] alone on its line");
	ini_refuses("n = 3\n", "t.conf:1: key 'n' is outside any section");
	ini_refuses("[s]\nn 3\n",
		    "t.conf:2: cannot parse 'n 3': expected [section], key = value or a comment (# or ;)");
	ini_refuses("[s]\nn[de] = 3\n", "t.conf:2: 'n[de]' is not a key name (letters, digits, '-', '_')");
}
END_TEST

START_TEST(in_memory_limits)
{
	g_autoptr(GError) err = NULL;
	struct ini *ini = NULL;
	g_autofree char *big = g_malloc0(INI_SIZE_MAX + 1);

	ck_assert_int_eq(ini_parse("t.conf", big, INI_SIZE_MAX + 1, &test_schema, &ini, &err),
			 -EINVAL);
	ck_assert_str_eq(err->message, "t.conf: larger than 1048576 bytes, the limit for a "
			 "configuration file: refused");
	g_clear_error(&err);
	ck_assert_int_eq(ini_parse("t.conf", "[s]\n\n\0", 7, &test_schema, &ini, &err), -EINVAL);
	ck_assert_str_eq(err->message, "t.conf:3: contains a NUL byte: not a text file");
	g_clear_error(&err);
	ck_assert_int_eq(ini_parse("t.conf", "[s]\nt = \xc3\x28\n", 11, &test_schema, &ini, &err),
			 -EINVAL);
	ck_assert_str_eq(err->message, "t.conf:2: not valid UTF-8 (byte 0xc3 at column 5)");
	g_clear_error(&err);
	/* Valid UTF-8 is text like any other. */
	ck_assert_int_eq(ini_parse("t.conf", "[s]\nt = h\xc3\xa9\n", 12, &test_schema, &ini, &err), 0);
	ck_assert_str_eq(ini_get(ini, "s", "t")->value, "h\xc3\xa9");
	ini_free(ini);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("ini");
	TCase *files;

	tsuite_case(s, "fifo", setup, teardown, 5, TSUITE_TESTS(fifo_refused_without_hanging));
	files = tsuite_case(s, "files", setup, teardown, 120,
			    TSUITE_TESTS(devices_and_directories_refused, missing_file,
					 oversize_refused, group_writable_refused,
					 world_writable_refused));
	tcase_add_test(files, writable_directory_refused);
	tcase_add_test(files, link_into_writable_directory_refused);
	if (geteuid() == 0) {
		tcase_add_test(files, foreign_owner_refused);
		tcase_add_test(files, sticky_holder_and_foreign_link);
	} else {
		fprintf(stderr, "ini: foreign_owner_refused and sticky_holder_and_foreign_link "
			"need root to chown: NOT RUN\n");
	}
	tcase_add_test(files, nul_byte_refused);
	tcase_add_test(files, invalid_utf8_refused);
	tcase_add_test(files, long_prefer_list_is_fast);
	tsuite_case(s, "text", NULL, NULL, 0,
		    TSUITE_TESTS(same_structure_rules, long_port_list_is_fast, schema_types,
				 in_memory_limits));

	return tsuite_run(s);
}
