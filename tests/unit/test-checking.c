/* test-checking.c: the checking plugin (tests/plugins/checking), which
 * holds the core to the contract of <ovsdp/dispatch.h> in the conformance
 * suite, can fail: calls out of the contract's order abort it, naming the
 * member and the rule.  No kernel: the host table has only log(). */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include <ovsdp/dispatch.h>

static void
quiet_log(struct ovsdp_dispatch_host_ctx *ctx, enum ovsdp_dispatch_log_level level,
	  const char *fmt, ...)
{
	(void)ctx;
	(void)level;
	(void)fmt;
}

static const struct ovsdp_dispatch_vtable *
checking_vtable(void)
{
	const struct ovsdp_dispatch_descriptor *(*get)(void);
	void *so = dlopen(CHECKING_SO, RTLD_NOW | RTLD_LOCAL);

	ck_assert_msg(so != NULL, "%s", dlerror());
	*(void **)&get = dlsym(so, OVSDP_DISPATCH_SYMBOL);
	ck_assert_ptr_nonnull(get);
	ck_assert_str_eq(get()->name, "checking");
	return get()->vtable;
}

static struct ovsdp_dispatch_instance *
create(const struct ovsdp_dispatch_vtable *vt)
{
	static struct ovsdp_dispatch_host host;
	struct ovsdp_dispatch_instance *d = NULL;

	host.struct_size = sizeof host;
	host.abi_major = OVSDP_DISPATCH_ABI_MAJOR;
	host.abi_minor = OVSDP_DISPATCH_ABI_MINOR;
	host.log = quiet_log;
	ck_assert_int_eq(vt->create(&host, NULL, &d), 0);
	return d;
}

/* The order create, handlers_set, number_handlers_required... is legal up
 * to the violation, which aborts (SIGABRT). */
START_TEST(recv_set_before_handlers_set_aborts)
{
	const struct ovsdp_dispatch_vtable *vt = checking_vtable();

	vt->recv_set(create(vt), true);
}
END_TEST

START_TEST(recv_before_recv_set_aborts)
{
	const struct ovsdp_dispatch_vtable *vt = checking_vtable();
	struct ovsdp_dispatch_instance *d = create(vt);
	struct ovsdp_dispatch_msg m = { 0 };
	uint32_t overruns = 0;

	ck_assert(!vt->number_handlers_required(d, &(uint32_t){ 0 }));
	ck_assert_int_eq(vt->handlers_set(d, 2), 0);
	vt->recv(d, 0, &m, 1, &overruns);
}
END_TEST

START_TEST(number_handlers_required_after_handlers_set_aborts)
{
	const struct ovsdp_dispatch_vtable *vt = checking_vtable();
	struct ovsdp_dispatch_instance *d = create(vt);

	ck_assert_int_eq(vt->handlers_set(d, 1), 0);
	vt->number_handlers_required(d, &(uint32_t){ 0 });
}
END_TEST

START_TEST(recv_purge_aborts)
{
	const struct ovsdp_dispatch_vtable *vt = checking_vtable();

	vt->recv_purge(create(vt));
}
END_TEST

/* And the legal prefix does not abort. */
START_TEST(legal_order_passes)
{
	const struct ovsdp_dispatch_vtable *vt = checking_vtable();
	struct ovsdp_dispatch_instance *d = create(vt);
	struct ovsdp_dispatch_stats st = { .struct_size = sizeof st };
	char text[128];

	ck_assert(!vt->number_handlers_required(d, &(uint32_t){ 0 }));
	ck_assert_int_eq(vt->handlers_set(d, 2), 0);
	ck_assert_int_eq(vt->handlers_set(d, 1), 0);
	ck_assert_int_eq(vt->stats(d, OVSDP_DISPATCH_ALL_HANDLERS, &st), 0);
	ck_assert_int_eq(vt->describe(d, text, sizeof text), 0);
	ck_assert_ptr_nonnull(strstr(text, "calls checked"));
	vt->destroy(d);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("checking");
	TCase *tc = tcase_create("violations");
	SRunner *sr;
	int failed;

	tcase_add_test_raise_signal(tc, recv_set_before_handlers_set_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, recv_before_recv_set_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, number_handlers_required_after_handlers_set_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, recv_purge_aborts, SIGABRT);
	tcase_add_test(tc, legal_order_passes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* Each violation aborts its process: every case needs its own child,
	 * also where CK_FORK=no (the valgrind setup). */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
