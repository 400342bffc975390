/* kdaemon.c: one ovsdpd run of a kernel test (see kdaemon.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <check.h>

#include "kdaemon.h"
#include "ktest.h"

void
kdaemon_step(const struct kdaemon *d, const char *what)
{
	printf("[%5.1f s] %s\n", (double)(g_get_monotonic_time() - d->t_start) / 1e6, what);
	fflush(stdout);
}

void
kdaemon_init(struct kdaemon *d, const char *tmpl, const char *sock)
{
	d->pid = 0;
	d->dir = g_dir_make_tmp(tmpl, NULL);
	ck_assert_ptr_nonnull(d->dir);
	d->conf = g_build_filename(d->dir, "ovsdpd.conf", NULL);
	d->sock = g_build_filename(d->dir, sock, NULL);
	d->log = g_build_filename(d->dir, "ovsdpd.log", NULL);
}

void
kdaemon_clear(struct kdaemon *d)
{
	ktest_sh("rm -rf %s", d->dir);
	g_free(d->dir);
	g_free(d->conf);
	g_free(d->sock);
	g_free(d->log);
}

char *
kdaemon_log(const struct kdaemon *d)
{
	char *text = NULL;

	if (!g_file_get_contents(d->log, &text, NULL, NULL))
		text = g_strdup("(no log)");
	return text;
}

int
kdaemon_connect(const struct kdaemon *d, int timeout_s)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (timeout_s > 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	}
	g_strlcpy(sun.sun_path, d->sock, sizeof sun.sun_path);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

void
kdaemon_child_setup(gpointer data)
{
	(void)data;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
}
