/* daemon.h: what the parts of ovsdpd share: its configuration (ovsdpd.conf,
 * tools/common/ovsdpd-conf.h), the daemon state driven from the main loop (ovsdpd.c),
 * and the control server with its commands (daemon-control.c). */
#ifndef OVSDP_TOOLS_DAEMON_H
#define OVSDP_TOOLS_DAEMON_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ovsdp/ovsdp.h"
#include "ovsdpd-conf.h"

struct policy;
struct control_server;

/* The whole daemon.  The main thread owns it, except that while a control
 * job runs (control_server_busy()) its worker thread alone changes the
 * dispatcher state (pconf, plugins, old_*, choice_why, the runtime's
 * plugin and handler count): the main loop then leaves those and the
 * runtime's life cycle (hs, policy, dp) alone.  Handler threads see only
 * the policy. */
struct daemon {
	struct daemon_config *cfg;
	char *plugins_conf_override;    /* --plugins-conf */
	GMainLoop *loop;
	int exit_code;
	gint64 started_us;              /* monotonic */

	struct ovsdp_features features;
	struct ovsdp_config *pconf;     /* plugins.conf in force */
	GPtrArray *old_pconfs;          /* earlier ones the runtime may still point at */
	struct ovsdp_plugins *plugins;  /* owns the running plugin */
	GPtrArray *old_plugins;         /* lists whose plugin may still run */
	char *choice_why;               /* why the running dispatcher was chosen */

	struct ovsdp_dp *dp;            /* control handle */
	int dp_ifindex;
	bool dp_created;                /* by us, this run */
	struct ovsdp_monitor *mon;
	guint mon_watch;
	guint check_timer;
	struct ovsdp_handlers *hs;
	struct policy *policy;
	GHashTable *policy_ports;       /* port_no -> name: the ports the policy was told of */
	struct control_server *ctl;
	uint64_t recoveries;            /* datapath recreated */
	uint64_t port_resyncs;          /* port monitor overruns made good by a re-read */

	/* systemd notification state (daemon-notify.c) */
	guint notify_status_timer;
	guint notify_watchdog_timer;
	gint64 notify_last_us;
	uint64_t notify_last_upcalls;

	/* --metrics-textfile */
	char *metrics_textfile;
	unsigned int metrics_interval_s;
	guint metrics_timer;
	bool metrics_failing;
	/* Restarts without loss (daemon-handover.c) */
	bool takeover;                  /* --takeover: take the running daemon's sockets */
	bool fd_store;                  /* --fd-store: into systemd's store at stop */
	bool handed_over;               /* our sockets went to a successor: leave the kernel */
	gint64 handover_stopped_us;     /* when the old daemon's handlers stopped (monotonic) */
};

/* Re-read plugins.conf and switch when its choice changed.  Returns 0, or
 * -errno with *error; the running dispatcher is untouched on error. */
int daemon_reload(struct daemon *d, char **what, GError **error);

/* Switch to the plugin called 'name' ("auto": plugins.conf's choice).
 * Same contract as daemon_reload(). */
int daemon_dispatch_set(struct daemon *d, const char *name, char **what, GError **error);

/* What the control server's jobs run: the daemon's own operations, handed
 * down by ovsdpd.c so that the server (below it) never calls back up.
 * reload and dispatch_set run on the job's worker thread (the contracts of
 * daemon_reload() and daemon_dispatch_set()); idle on the main thread once
 * no job is left (systemd's READY=1 after a reload). */
struct control_jobs {
	int (*reload)(struct daemon *d, char **what, GError **error);
	int (*dispatch_set)(struct daemon *d, const char *name, char **what, GError **error);
	void (*idle)(struct daemon *d);
};

/* The control server: accept connections on 'path' and answer them from
 * the main loop; commands that wait (dispatch set, reload, handlers set)
 * run one at a time on a worker thread, through 'jobs' (kept, not copied).
 * NULL with *error when the socket cannot be made.  control_server_free()
 * waits for a job in progress. */
struct control_server *control_server_new(struct daemon *d, const struct control_jobs *jobs,
					  const char *path, GError **error);
void control_server_free(struct control_server *s);
/* True while a job runs (NULL: false). */
bool control_server_busy(struct control_server *s);
/* SIGHUP: reload as a job, or once the job in progress ends. */
void control_server_hup(struct control_server *s);

/* Restarts without loss (daemon-handover.c).  The running daemon: stop
 * the handlers and send the upcall sockets over the control connection
 * 'sock' (the `takeover` command); returns how many or -errno with *error. */
int daemon_handover_send(struct daemon *d, int sock, GError **error);
/* --takeover: ask the daemon at the configured control socket for its
 * sockets and offer them to the core.  Returns how many, or -errno. */
int daemon_handover_receive(struct daemon *d, GError **error);
/* Offer the upcall sockets systemd passed (LISTEN_FDNAMES "ovsdp/...");
 * returns how many. */
int daemon_handover_from_systemd(struct daemon *d);
/* --fd-store at stop: stop the handlers and put the sockets in systemd's
 * file descriptor store.  Returns how many were stored. */
int daemon_handover_fdstore(struct daemon *d);

/* systemd (daemon-notify.c): no-ops outside systemd. */
void daemon_raise_nofile(void);
void daemon_notify_ready(struct daemon *d);
void daemon_notify_reloading(struct daemon *d);
void daemon_notify_stopping(struct daemon *d);

/* Every counter in the Prometheus text exposition format (g_free), and the
 * same written atomically to 'path' (daemon-metrics.c). */
char *daemon_metrics_text(struct daemon *d);
int daemon_metrics_write(struct daemon *d, const char *path, GError **error);

#endif
