/* test-control-client.c: what `ovsdp ctl` and `ovsdp dispatch` say about a
 * command they refuse to send (tools/common/control.c's client): the word
 * that is empty or holds white space, or the line's length, and that no
 * connection is tried for it. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <check.h>
#include <glib.h>

#include "control.h"
#include "ovsdp/common.h"
#include "tsuite.h"

/* A socket path nothing listens on: a refused command must fail before
 * connecting, so its error never names this path. */
#define NOWHERE "/nonexistent/ovsdp-test.sock"

static char *
refusal(const char *const *argv, int *code)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *body = NULL;
	bool ok = true;

	ck_assert_int_eq(control_call(NOWHERE, false, argv, 1000, &ok, &body, &err), -1);
	ck_assert_ptr_nonnull(err);
	ck_assert(!ok);
	ck_assert_ptr_null(body);
	*code = err->code;
	return g_strdup(err->message);
}

START_TEST(empty_word_is_named)
{
	const char *argv[] = { "dispatch", "set", "", NULL };
	int code;
	g_autofree char *msg = refusal(argv, &code);

	ck_assert_str_eq(msg, "word 3 of the command is empty");
	ck_assert_int_eq(code, EINVAL);
}
END_TEST

START_TEST(white_space_is_named)
{
	const char *argv[] = { "dispatch", "set per-vport", NULL };
	g_autofree char *long_word = g_strnfill(100, 'a');
	const char *argv2[] = { "status", NULL, NULL };
	g_autofree char *msg = NULL, *msg2 = NULL;
	int code;

	msg = refusal(argv, &code);
	ck_assert_str_eq(msg, "word 2 of the command ('set per-vport') holds white space");
	long_word[70] = '\t';
	argv2[1] = long_word;
	msg2 = refusal(argv2, &code);
	ck_assert_str_eq(msg2, "word 2 of the command ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...') holds white space");
}
END_TEST

START_TEST(overlong_command_says_its_length)
{
	/* It said "the command has an empty word or white space" before. */
	g_autofree char *name = g_strnfill(1100, 'a');
	const char *argv[] = { "dispatch", "set", name, NULL };
	int code;
	g_autofree char *msg = refusal(argv, &code);

	ck_assert_str_eq(msg, "the command is 1119 bytes long, over the 1024 bytes of a "
			      "request line");
	ck_assert_int_eq(code, E2BIG);
	ck_assert_ptr_null(control_request_format(false, argv));
}
END_TEST

START_TEST(longest_command_is_sent)
{
	/* "text dispatch set " is 18 bytes and the newline one: a name of
	 * 1005 bytes makes the line exactly 1024 and goes to the socket. */
	g_autofree char *name = g_strnfill(1005, 'b');
	const char *argv[] = { "dispatch", "set", name, NULL };
	g_autofree char *line = control_request_format(false, argv);
	g_autoptr(GError) err = NULL;
	g_autofree char *body = NULL;
	bool ok;

	ck_assert_ptr_nonnull(line);
	ck_assert_uint_eq(strlen(line), 1024);
	ck_assert_int_eq(control_call(NOWHERE, false, argv, 1000, &ok, &body, &err), -1);
	ck_assert_int_eq(err->code, ENOENT);
	ck_assert_ptr_nonnull(strstr(err->message, NOWHERE));
}
END_TEST

START_TEST(empty_socket_path_is_named)
{
	/* It said "cannot connect to : nothing listens there". */
	const char *argv[] = { "status", NULL };
	g_autoptr(GError) err = NULL;
	g_autofree char *body = NULL;
	bool ok;

	ck_assert_int_eq(control_call("", false, argv, 1000, &ok, &body, &err), -1);
	ck_assert_str_eq(err->message, "the socket path is empty");
	ck_assert_int_eq(err->code, EINVAL);
}
END_TEST

int
main(void)
{
	return tsuite_main("control-client", "refused", NULL, NULL, 0,
			   TSUITE_TESTS(empty_word_is_named, white_space_is_named,
					overlong_command_says_its_length, longest_command_is_sent,
					empty_socket_path_is_named));
}
