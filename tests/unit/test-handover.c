/* test-handover.c: the core's registry of upcall sockets for restarts
 * without loss (<ovsdp/upcall.h>): what it accepts from a previous process
 * and what it refuses, with the fd left to the caller on refusal. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <check.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include "ovsdp/upcall.h"
#include "tsuite.h"

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int
genl_socket(bool bind_it)
{
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	ck_assert_int_ge(fd, 0);
	if (bind_it)
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	return fd;
}

START_TEST(bad_names)
{
	static const char *const names[] = {
		"x", "ovsdp/dp0/per-vport", "ovsdp//per-vport/1", "ovsdp/dp0//1",
		"ovsdp/dp0/per-vport/x", "other/dp0/per-vport/1", "ovsdp/dp0/per-vport/1/2",
	};
	int fd = genl_socket(true);

	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		GError *err = NULL;

		ck_assert_int_eq(ovsdp_upcall_socks_offer(fd, names[i], &err), -EINVAL);
		ck_assert_ptr_nonnull(err);
		ck_assert_msg(strstr(err->message, "expected ovsdp/DATAPATH/PLUGIN/N") &&
			      strstr(err->message, names[i]), "%s", err->message);
		g_error_free(err);
		ck_assert(fd_open(fd));
	}
	close(fd);
	ck_assert_int_eq(ovsdp_upcall_socks_release(NULL), 0);
}
END_TEST

START_TEST(not_an_upcall_socket)
{
	int p[2], fd = genl_socket(false), udp = socket(AF_INET, SOCK_DGRAM, 0);
	GError *err = NULL;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(ovsdp_upcall_socks_offer(p[0], "ovsdp/dp0/per-vport/0", &err), -ENOTSOCK);
	ck_assert_msg(strstr(err->message, "ovsdp/dp0/per-vport/0: ") &&
		      strstr(err->message, "not a generic netlink socket"), "%s", err->message);
	g_clear_error(&err);
	ck_assert(fd_open(p[0]));
	ck_assert_int_eq(ovsdp_upcall_socks_offer(udp, "ovsdp/dp0/per-vport/0", &err), -ENOTSOCK);
	g_clear_error(&err);
	/* Never bound: it has no port id the kernel could be pointing at. */
	ck_assert_int_eq(ovsdp_upcall_socks_offer(fd, "ovsdp/dp0/per-vport/0", &err), -EINVAL);
	ck_assert_msg(strstr(err->message, "not bound"), "%s", err->message);
	g_clear_error(&err);
	ck_assert(fd_open(fd) && fd_open(udp));
	close(p[0]);
	close(p[1]);
	close(fd);
	close(udp);
	ck_assert_int_eq(ovsdp_upcall_socks_release(NULL), 0);
}
END_TEST

START_TEST(offered_then_released)
{
	int a = genl_socket(true), b = genl_socket(true);
	uint64_t dropped = 99;
	GError *err = NULL;

	ck_assert_int_eq(ovsdp_upcall_socks_offer(a, "ovsdp/dp0/per-vport/0", &err), 0);
	ck_assert_int_eq(ovsdp_upcall_socks_offer(b, "ovsdp/dp0/legacy/7", &err), 0);
	ck_assert_ptr_null(err);
	/* Offered is not open: nothing to hand on until a plugin takes it. */
	ck_assert_int_eq(ovsdp_upcall_socks_list(NULL, 0), 0);
	ck_assert_int_eq(ovsdp_upcall_socks_release(&dropped), 2);
	ck_assert_uint_eq(dropped, 0);
	ck_assert(!fd_open(a) && !fd_open(b));
	ck_assert_int_eq(ovsdp_upcall_socks_release(&dropped), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("handover");
	TCase *tc = tcase_create("registry");

	tcase_add_test(tc, bad_names);
	tcase_add_test(tc, not_an_upcall_socket);
	tcase_add_test(tc, offered_then_released);
	suite_add_tcase(s, tc);
	return tsuite_run(s);
}
