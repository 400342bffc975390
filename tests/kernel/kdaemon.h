/* kdaemon.h: what the kernel tests that run ovsdpd (test-daemon,
 * test-control) share: one daemon run, its log and its control socket. */
#ifndef OVSDP_KDAEMON_H
#define OVSDP_KDAEMON_H

#include <glib.h>

/* One ovsdpd run: its directory (config, socket, log) and pid, and when
 * the test started (the caller's, for kdaemon_step). */
struct kdaemon {
	char *dir;
	char *conf;
	char *sock;
	char *log;
	GPid pid;
	gint64 t_start;
};

/* A progress line with the time since d->t_start (the lab is slow: this
 * shows where the time goes). */
void kdaemon_step(const struct kdaemon *d, const char *what);

/* A new run (pid 0; t_start left as it is) in a fresh directory made from 'tmpl'
 * (g_dir_make_tmp): its ovsdpd.conf, its control socket at 'sock' below the
 * directory, and ovsdpd.log. */
void kdaemon_init(struct kdaemon *d, const char *tmpl, const char *sock);

/* Removes the run's directory and frees its names (the daemon is gone). */
void kdaemon_clear(struct kdaemon *d);

/* The daemon's log so far (g_free), or "(no log)". */
char *kdaemon_log(const struct kdaemon *d);

/* A connection to the daemon's control socket, or -errno.  With
 * 'timeout_s' > 0, sends and receives on it time out after that many
 * seconds (a hang fails instead of blocking the test). */
int kdaemon_connect(const struct kdaemon *d, int timeout_s);

/* g_spawn child setup: a failed test ends its process at once, and takes
 * the daemon along. */
void kdaemon_child_setup(gpointer data);

#endif
