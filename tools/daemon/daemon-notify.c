/* daemon-notify.c: ovsdpd under systemd, through libsystemd: READY=1 once the
 * datapath, ports and dispatcher are live, STATUS= with the active
 * dispatcher and the upcall rate, WATCHDOG=1 from the main loop (a stalled
 * loop stops the pings and systemd restarts the service), RELOADING=1 around
 * SIGHUP; and the descriptor limit raised to the hard one at start.  Outside
 * systemd every sd_notify() call is a no-op. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"

/* How often STATUS= is refreshed. */
#define STATUS_INTERVAL_S 5

void
daemon_raise_nofile(void)
{
	struct rlimit rl;

	/* systemd's advice for programs that need many descriptors: the soft
	 * limit stays 1024 for select(), the hard one is what we may use.
	 * Legacy dispatch needs ports x handlers sockets. */
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rlim_t was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		g_warning("cannot raise the open-file limit from %llu to %llu: %s",
			  (unsigned long long)was, (unsigned long long)rl.rlim_max,
			  g_strerror(errno));
	else
		g_debug("open-file limit raised from %llu to %llu", (unsigned long long)was,
			(unsigned long long)rl.rlim_max);
}

/* "per-cpu, 2 handlers, 1520 upcalls/s" since the previous call. */
static char *
status_line(struct daemon *d)
{
	struct ovsdp_handlers_stats *st = NULL;
	gint64 now = g_get_monotonic_time();
	g_autofree char *name = NULL;
	uint64_t upcalls;
	double rate = 0;

	if (!d->hs)
		return g_strdup("no dispatcher running");
	name = ovsdp_handlers_plugin_name(d->hs);
	ovsdp_handlers_stats_new(d->hs, &st);
	upcalls = ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_UPCALLS);
	if (d->notify_last_us && now > d->notify_last_us && upcalls >= d->notify_last_upcalls)
		rate = (double)(upcalls - d->notify_last_upcalls) * 1e6 /
		       (double)(now - d->notify_last_us);
	d->notify_last_us = now;
	d->notify_last_upcalls = upcalls;
	char *s = g_strdup_printf("dispatcher %s, %u handlers, %.0f upcalls/s, %" G_GUINT64_FORMAT
				  " live switches", name ? name : "none",
				  ovsdp_handlers_stats_n_handlers(st), rate,
				  ovsdp_handlers_stats_total(st, OVSDP_HANDLERS_SWITCHES));
	ovsdp_handlers_stats_free(st);
	return s;
}

static gboolean
status_timer(gpointer data)
{
	struct daemon *d = data;
	g_autofree char *s = NULL;

	/* A switch holds the runtime's control lock to its end: the main
	 * loop must not wait on it; the next tick will do. */
	if (control_server_busy(d->ctl))
		return G_SOURCE_CONTINUE;
	s = status_line(d);
	sd_notifyf(0, "STATUS=%s", s);
	return G_SOURCE_CONTINUE;
}

static gboolean
watchdog_timer(gpointer data)
{
	sd_notify(0, "WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

void
daemon_notify_ready(struct daemon *d)
{
	g_autofree char *s = status_line(d);
	uint64_t usec = 0;

	sd_notifyf(0, "READY=1\nSTATUS=%s", s);
	if (!d->notify_status_timer && getenv("NOTIFY_SOCKET"))
		d->notify_status_timer = g_timeout_add_seconds(STATUS_INTERVAL_S, status_timer, d);
	/* Pinged from the main loop at half the interval: if the loop stalls,
	 * the pings stop and systemd acts (WatchdogSec=, Restart=). */
	if (!d->notify_watchdog_timer && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		guint ms = (guint)MAX(usec / 2000, 1);

		d->notify_watchdog_timer = g_timeout_add(ms, watchdog_timer, d);
		g_message("systemd watchdog: pinging every %u ms", ms);
	}
}

void
daemon_notify_reloading(struct daemon *d)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=%llu",
		   (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
}

void
daemon_notify_stopping(struct daemon *d)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	if (d->notify_status_timer)
		g_source_remove(d->notify_status_timer);
	if (d->notify_watchdog_timer)
		g_source_remove(d->notify_watchdog_timer);
	d->notify_status_timer = d->notify_watchdog_timer = 0;
}
