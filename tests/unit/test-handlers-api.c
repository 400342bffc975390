/* test-handlers-api: the parts of the handler runtime's 1.0 API that need no
 * kernel: options carry a size the library checks, and the statistics
 * accessors answer 0 or NULL, never a crash, for what a snapshot does not
 * hold (no snapshot, an index past the end, a counter of a later minor). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>
#include <glib.h>

#include "ovsdp/handlers.h"
#include "tsuite.h"

/* struct ovsdp_handlers_options as ABI 1.0 laid it out: up to user_data. */
#define HANDLERS_OPTIONS_1_0_SIZE \
	(offsetof(struct ovsdp_handlers_options, user_data) + sizeof(void *))

static void
on_upcalls(struct ovsdp_handler *h, const struct ovsdp_upcall *ups, unsigned int n, void *data)
{
}

/* A caller that does not set struct_size (0), or sets one below the 1.0
 * layout, is refused with a message naming struct_size, before the
 * datapath is looked up. */
START_TEST(options_size_checked)
{
	static const size_t sizes[] = { 0, sizeof(size_t), HANDLERS_OPTIONS_1_0_SIZE - 1 };
	struct ovsdp_handlers_options o = {
		.dp_name = "no-such-dp-here", .callback = on_upcalls,
	};
	struct ovsdp_handlers *hs = (struct ovsdp_handlers *)&o;
	g_autoptr(GError) err = NULL;

	o.struct_size = sizes[_i];
	ck_assert_int_eq(ovsdp_handlers_new(&o, &hs, &err), -EINVAL);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err->message, "struct_size"), "%s", err->message);
	ck_assert_int_eq(err->code, EINVAL);
}
END_TEST

/* A correct size passes the check, today's or 1.0's (a program built
 * before pull mode): what fails next is the missing datapath (or the
 * missing kernel module), not the options. */
START_TEST(options_size_accepted)
{
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT, .dp_name = "no-such-dp-here", .callback = on_upcalls,
	};
	struct ovsdp_handlers *hs = NULL;
	g_autoptr(GError) err = NULL;
	int r;

	if (_i == 1)
		o.struct_size = HANDLERS_OPTIONS_1_0_SIZE;
	r = ovsdp_handlers_new(&o, &hs, &err);

	ck_assert_int_lt(r, 0);
	ck_assert_int_ne(r, -EINVAL);
	ck_assert_ptr_null(hs);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(!strstr(err->message, "struct_size"), "%s", err->message);
}
END_TEST

START_TEST(stats_accessors_bounded)
{
	struct ovsdp_handlers_stats *st = NULL;

	ck_assert_int_eq(ovsdp_handlers_stats_new(NULL, &st), -EINVAL);
	ck_assert_ptr_null(st);
	ck_assert_uint_eq(ovsdp_handlers_stats_n_handlers(NULL), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_n_dispatchers(NULL), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_n_shares(NULL), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_total(NULL, OVSDP_HANDLERS_UPCALLS), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_handler(NULL, 0, OVSDP_HANDLER_UPCALLS), 0);
	ck_assert_uint_eq(ovsdp_handlers_stats_dispatcher(NULL, 0, OVSDP_DISPATCHER_SOCKETS), 0);
	ck_assert_ptr_null(ovsdp_handlers_stats_dispatcher_name(NULL, 0));
	ck_assert_ptr_null(ovsdp_handlers_stats_dispatcher_description(NULL, 0));
	ck_assert(!ovsdp_handlers_stats_dispatcher_active(NULL, 0));
	ck_assert_ptr_null(ovsdp_handlers_stats_share_name(NULL, 0));
	ck_assert_uint_eq(ovsdp_handlers_stats_share_upcalls(NULL, 0), 0);
	/* A counter this library does not know: a later minor's. */
	ck_assert_uint_eq(ovsdp_handlers_stats_total(NULL, (enum ovsdp_handlers_counter)99), 0);
	ovsdp_handlers_stats_free(NULL);
	ck_assert_ptr_null(ovsdp_handlers_plugin_name(NULL));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("handlers-api");
	TCase *tc = tcase_create("api");

	tcase_add_loop_test(tc, options_size_checked, 0, 3);
	tcase_add_loop_test(tc, options_size_accepted, 0, 2);
	tcase_add_test(tc, stats_accessors_bounded);
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
