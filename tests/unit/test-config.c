/* test-config.c: plugins.conf is read strictly: the shipped file parses to
 * the documented defaults, and every kind of mistake is refused with the
 * exact "FILE:LINE: ..." message an operator will read. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <check.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "ovsdp/config.h"
#include "tsuite.h"

/* What config.c says a plugin name may be. */
#define NAME_RULE "(1 to 32 characters: a-z, 0-9, '-', '_', the first a letter or a digit)"

/* Parse 'text' as "test.conf" and expect failure with exactly 'msg'. */
static void
expect_error(const char *text, const char *msg)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *c = NULL;
	int r = ovsdp_config_parse("test.conf", text, -1, &c, &err);

	ck_assert_msg(r == -EINVAL, "accepted:\n%s", text);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, EINVAL);
	ck_assert_str_eq(err->message, msg);
}

static struct ovsdp_config *
parse_ok(const char *text)
{
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *c = NULL;
	int r = ovsdp_config_parse("test.conf", text, -1, &c, &err);

	ck_assert_msg(r == 0, "%s", err ? err->message : "?");
	ck_assert_ptr_nonnull(c);
	return c;
}

/* The 1-based line of the first line of 'text' equal to 'line'. */
static unsigned int
line_of(const char *text, const char *line)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);

	for (unsigned int i = 0; lines[i]; i++) {
		if (!strcmp(lines[i], line))
			return i + 1;
	}
	return 0;
}

START_TEST(shipped_file)
{
	g_autofree char *path = g_build_filename(g_getenv("OVSDP_SOURCE_ROOT"), "plugins.conf", NULL);
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;
	struct ovsdp_config *c = NULL;
	const char *const *prefer, *const *sections, *const *keys;

	ck_assert(g_file_get_contents(path, &text, NULL, NULL));
	ck_assert_msg(ovsdp_config_load(path, &c, &err) == 0, "%s", err ? err->message : "?");
	ck_assert_str_eq(ovsdp_config_file(c), path);
	ck_assert_str_eq(ovsdp_config_mode(c), "auto");
	prefer = ovsdp_config_prefer(c);
	ck_assert_str_eq(prefer[0], "per-cpu");
	ck_assert_str_eq(prefer[1], "per-vport");
	ck_assert_str_eq(prefer[2], "legacy");
	ck_assert_ptr_null(prefer[3]);
	ck_assert_ptr_null(ovsdp_config_plugin_path(c)[0]);
	ck_assert_uint_eq(ovsdp_config_handlers(c), 0);
	sections = ovsdp_config_plugin_sections(c);
	ck_assert_str_eq(sections[0], "per-vport");
	ck_assert_ptr_null(sections[1]);
	keys = ovsdp_config_plugin_keys(c, "per-vport");
	ck_assert_str_eq(keys[0], "epoll-exclusive");
	ck_assert_ptr_null(keys[1]);
	ck_assert_str_eq(ovsdp_config_plugin_option(c, "per-vport", "epoll-exclusive"), "auto");
	ck_assert_ptr_null(ovsdp_config_plugin_file(c, "per-vport"));
	ck_assert_uint_eq(ovsdp_config_line(c, "dispatch", "mode"), line_of(text, "mode = auto"));
	ck_assert_uint_eq(ovsdp_config_line(c, "handlers", "count"), line_of(text, "count = auto"));
	ck_assert_uint_eq(ovsdp_config_line(c, "plugin:per-vport", NULL),
			  line_of(text, "[plugin:per-vport]"));
	ck_assert_uint_ne(line_of(text, "[plugin:per-vport]"), 0);
	ck_assert_uint_eq(ovsdp_config_line(c, "dispatch", "plugin-path"), 0);
	ovsdp_config_free(c);
}
END_TEST

START_TEST(defaults)
{
	struct ovsdp_config *c = NULL;

	ck_assert_int_eq(ovsdp_config_new_default(&c), 0);
	ck_assert_ptr_null(ovsdp_config_file(c));
	ck_assert_str_eq(ovsdp_config_mode(c), "auto");
	ck_assert_str_eq(ovsdp_config_prefer(c)[1], "per-vport");
	ck_assert_ptr_null(ovsdp_config_plugin_sections(c)[0]);
	ck_assert_ptr_null(ovsdp_config_plugin_keys(c, "per-vport"));
	ovsdp_config_free(c);

	/* An empty file means the defaults too. */
	c = parse_ok("# nothing\n\n");
	ck_assert_str_eq(ovsdp_config_mode(c), "auto");
	ck_assert_str_eq(ovsdp_config_prefer(c)[0], "per-cpu");
	ck_assert_str_eq(ovsdp_config_file(c), "test.conf");
	ovsdp_config_free(c);
}
END_TEST

START_TEST(values)
{
	struct ovsdp_config *c = parse_ok(
		"[dispatch]\n"
		"  mode=per-vport  \n"
		"prefer = legacy ; per-vport;\n"
		"plugin-path = /opt/a;/opt/b\n"
		"[handlers]\n"
		"count = 1024\n"
		"[plugin:my_disp-2]\n"
		"path = /opt/x.so\n"
		"label = a\\sb\n"
		"other = 1\n");
	const char *const *keys;

	ck_assert_str_eq(ovsdp_config_mode(c), "per-vport");
	ck_assert_str_eq(ovsdp_config_prefer(c)[0], "legacy");
	ck_assert_str_eq(ovsdp_config_prefer(c)[1], "per-vport");
	ck_assert_ptr_null(ovsdp_config_prefer(c)[2]);
	ck_assert_str_eq(ovsdp_config_plugin_path(c)[0], "/opt/a");
	ck_assert_str_eq(ovsdp_config_plugin_path(c)[1], "/opt/b");
	ck_assert_uint_eq(ovsdp_config_handlers(c), 1024);
	ck_assert_str_eq(ovsdp_config_plugin_file(c, "my_disp-2"), "/opt/x.so");
	/* GKeyFile escapes are honoured: \s is a space. */
	ck_assert_str_eq(ovsdp_config_plugin_option(c, "my_disp-2", "label"), "a b");
	keys = ovsdp_config_plugin_keys(c, "my_disp-2");
	ck_assert_str_eq(keys[0], "label");
	ck_assert_str_eq(keys[1], "other");
	ck_assert_ptr_null(keys[2]);
	ck_assert_uint_eq(ovsdp_config_line(c, "plugin:my_disp-2", "other"), 10);
	ck_assert_ptr_null(ovsdp_config_plugin_option(c, "my_disp-2", "absent"));
	ck_assert_ptr_null(ovsdp_config_plugin_option(c, "nosuch", "label"));
	ovsdp_config_free(c);

	c = parse_ok("[handlers]\ncount = 1\n");
	ck_assert_uint_eq(ovsdp_config_handlers(c), 1);
	ovsdp_config_free(c);
}
END_TEST

START_TEST(bad_values)
{
	expect_error("[dispatch]\nmode = per cpu\n",
		     "test.conf:2: [dispatch] mode = per cpu: expected auto or a plugin name " NAME_RULE);
	expect_error("[dispatch]\nmode =\n",
		     "test.conf:2: [dispatch] mode = : expected auto or a plugin name " NAME_RULE);
	expect_error("[dispatch]\nmode = Per-CPU\n",
		     "test.conf:2: [dispatch] mode = Per-CPU: expected auto or a plugin name " NAME_RULE);
	expect_error("[dispatch]\nmode = auto # or a plugin name\n",
		     "test.conf:2: [dispatch] mode = auto # or a plugin name: expected auto or a plugin name "
		     NAME_RULE " (comments go on their own line)");
	expect_error("\n[handlers]\ncount = abc\n",
		     "test.conf:3: [handlers] count = abc: expected auto or a number from 1 to 1024");
	expect_error("[handlers]\ncount = 0\n",
		     "test.conf:2: [handlers] count = 0: expected auto or a number from 1 to 1024");
	expect_error("[handlers]\ncount = 1025\n",
		     "test.conf:2: [handlers] count = 1025: expected auto or a number from 1 to 1024");
	expect_error("[handlers]\ncount = -4\n",
		     "test.conf:2: [handlers] count = -4: expected auto or a number from 1 to 1024");
	expect_error("[handlers]\ncount = +4\n",
		     "test.conf:2: [handlers] count = +4: expected auto or a number from 1 to 1024");
	expect_error("[dispatch]\nprefer = per-cpu;per cpu\n",
		     "test.conf:2: [dispatch] prefer: 'per cpu' is not a plugin name " NAME_RULE);
	expect_error("[dispatch]\nprefer = legacy;auto\n",
		     "test.conf:2: [dispatch] prefer: 'auto' is not a plugin name " NAME_RULE);
	expect_error("[dispatch]\nprefer = a23456789012345678901234567890123\n",
		     "test.conf:2: [dispatch] prefer: 'a23456789012345678901234567890123' is not "
		     "a plugin name " NAME_RULE);
	expect_error("[dispatch]\nprefer = legacy;per-cpu;legacy\n",
		     "test.conf:2: [dispatch] prefer names legacy twice");
	expect_error("[dispatch]\nprefer = ;\n", "test.conf:2: [dispatch] prefer is empty");
	expect_error("[dispatch]\nplugin-path = /opt/a;lib/dispatch\n",
		     "test.conf:2: [dispatch] plugin-path: 'lib/dispatch' is not an absolute directory");
	expect_error("[plugin:x]\npath = x.so\n",
		     "test.conf:2: [plugin:x] path = x.so: expected an absolute file name");
}
END_TEST

START_TEST(bad_structure)
{
	expect_error("[dispatch]\nmode = auto\n\n[dispach]\n",
		     "test.conf:4: unknown section [dispach] (known: [dispatch], [handlers], [plugin:NAME])");
	expect_error("[dispatch]\nmodes = auto\n",
		     "test.conf:2: [dispatch] unknown key 'modes' (known: mode, prefer, plugin-path)");
	expect_error("[handlers]\nthreads = 4\n",
		     "test.conf:2: [handlers] unknown key 'threads' (known: count)");
	expect_error("[dispatch]\nmode = auto\nmode = legacy\n",
		     "test.conf:3: [dispatch] mode is set twice (first at line 2)");
	expect_error("[dispatch]\nmode = auto\n[handlers]\n[dispatch]\nprefer = legacy\n",
		     "test.conf:4: section [dispatch] appears twice (first at line 1)");
	expect_error("mode = auto\n[dispatch]\n", "test.conf:1: key 'mode' is outside any section");
	expect_error("[dispatch]\nmode auto\n",
		     "test.conf:2: cannot parse 'mode auto': expected [section], key = value or a comment (# or ;)");
	expect_error("[dispatch\n",
		     "test.conf:1: cannot parse '[dispatch': a section is [name] alone on its line");
	expect_error("[dispatch] mode = auto\n",
		     "test.conf:1: cannot parse '[dispatch] mode = auto': a section is [name] alone on its line");
	expect_error("[dispatch]\nmode[de] = auto\n",
		     "test.conf:2: 'mode[de]' is not a key name (letters, digits, '-', '_')");
	expect_error("[plugin:Per CPU]\n",
		     "test.conf:1: [plugin:Per CPU]: 'Per CPU' is not a plugin name " NAME_RULE);
	expect_error("[plugin:x]\nfoo = 1\n[plugin:y]\nfoo = 2\nfoo = 3\n",
		     "test.conf:5: [plugin:y] foo is set twice (first at line 4)");
}
END_TEST

START_TEST(files)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *dir = g_dir_make_tmp("ovsdp-config-XXXXXX", NULL);
	g_autofree char *missing = g_build_filename(dir, "none.conf", NULL);
	g_autofree char *bad = g_build_filename(dir, "bad.conf", NULL);
	g_autofree char *msg = NULL;
	struct ovsdp_config *c = NULL;

	ck_assert_int_eq(ovsdp_config_load(missing, &c, &err), -ENOENT);
	ck_assert_ptr_null(c);
	msg = g_strdup_printf("%s: No such file or directory", missing);
	ck_assert_str_eq(err->message, msg);
	g_clear_error(&err);
	g_clear_pointer(&msg, g_free);

	ck_assert(g_file_set_contents(bad, "[dispatch]\n\n\nmode = x y\n", -1, NULL));
	ck_assert_int_eq(ovsdp_config_load(bad, &c, &err), -EINVAL);
	msg = g_strdup_printf("%s:4: [dispatch] mode = x y: expected auto or a plugin name "
			      NAME_RULE, bad);
	ck_assert_str_eq(err->message, msg);
	g_clear_error(&err);

	ck_assert_int_eq(ovsdp_config_load(dir, &c, &err), -EINVAL);
	g_clear_error(&err);

	g_unlink(bad);
	g_rmdir(dir);

	/* No file named and none installed: the built-in defaults. */
	if (access(ovsdp_config_default_path(), F_OK) < 0) {
		ck_assert_int_eq(ovsdp_config_load(NULL, &c, &err), 0);
		ck_assert_ptr_null(ovsdp_config_file(c));
		ck_assert_str_eq(ovsdp_config_mode(c), "auto");
		ovsdp_config_free(c);
	}
}
END_TEST

START_TEST(bad_arguments)
{
	struct ovsdp_config *c = NULL;

	ck_assert_int_eq(ovsdp_config_parse(NULL, "", 0, &c, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_config_parse("x", NULL, 0, &c, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_config_load("/x", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ovsdp_config_new_default(NULL), -EINVAL);
	ck_assert_ptr_null(ovsdp_config_mode(NULL));
	ck_assert_uint_eq(ovsdp_config_line(NULL, "dispatch", "mode"), 0);
	ovsdp_config_free(NULL);
	/* A NUL inside the text is not silently cut short. */
	ck_assert_int_eq(ovsdp_config_parse("x", "[dispatch]\0mode=1", 17, &c, NULL), -EINVAL);
	ck_assert(ovsdp_config_name_valid("per-cpu"));
	ck_assert(ovsdp_config_name_valid("a_1"));
	ck_assert(!ovsdp_config_name_valid("auto"));
	ck_assert(!ovsdp_config_name_valid("-x"));
	ck_assert(!ovsdp_config_name_valid("x.so"));
	ck_assert(!ovsdp_config_name_valid("abcdefghijklmnopqrstuvwxyz0123456"));
	ck_assert(ovsdp_config_name_valid("abcdefghijklmnopqrstuvwxyz012345"));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("plugins.conf");

	tcase_add_test(tc, shipped_file);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, values);
	tcase_add_test(tc, bad_values);
	tcase_add_test(tc, bad_structure);
	tcase_add_test(tc, files);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
