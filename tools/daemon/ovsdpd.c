/* ovsdpd.c: the ovsdp daemon.  It sets up a datapath and its ports from
 * ovsdpd.conf, runs the upcall handler runtime with the dispatcher that
 * plugins.conf picks and a policy as its callback, and answers `ovsdp ctl`.
 * Everything but the handler threads runs in one GMainLoop: signals, the
 * control socket, datapath and port notifications, and recovery when the
 * datapath or a port disappears behind its back; control commands that
 * wait (switch, reload, resize) run on a job thread (daemon-control.c). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib-unix.h>

#include "daemon.h"
#include "policy.h"

#define CHECK_INTERVAL_S 2

static GLogLevelFlags log_mask = G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL |
				 G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO;

static void
log_handler(const char *domain, GLogLevelFlags level, const char *msg, gpointer data)
{
	const char *what = "info";

	if (!(level & log_mask))
		return;
	if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
		what = "error";
	else if (level & G_LOG_LEVEL_WARNING)
		what = "warning";
	else if (level & G_LOG_LEVEL_DEBUG)
		what = "debug";
	fprintf(stderr, "ovsdpd: %s: %s%s%s\n", what, domain && strcmp(domain, "ovsdpd") ? domain : "",
		domain && strcmp(domain, "ovsdpd") ? ": " : "", msg);
}

static bool
set_log_level(const char *name)
{
	static const struct {
		const char *name;
		GLogLevelFlags mask;
	} levels[] = {
		{ "error", G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL },
		{ "warning", G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING },
		{ "info", G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING |
			  G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO },
		{ "debug", G_LOG_LEVEL_MASK },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(levels); i++) {
		if (!strcmp(name, levels[i].name)) {
			log_mask = levels[i].mask;
			return true;
		}
	}
	return false;
}

/* ---- ports ------------------------------------------------------------- */

/* The policy hears of ports only from here, and d->policy_ports records
 * what it was told (port_no -> name).  Notifications update both; after
 * the monitor overran (events lost), ports_resync() compares the record
 * with the kernel's list and tells the policy the difference. */

/* 'port_no' is called 'name' now.  A number the policy knows under
 * another name is a port that was deleted (its notification lost) and
 * made again: the policy hears of the old one's deletion first.  Returns
 * true when the policy was told anything. */
static bool
policy_port_add(struct daemon *d, uint32_t port_no, const char *name)
{
	const char *known = g_hash_table_lookup(d->policy_ports, GUINT_TO_POINTER(port_no));

	if (known && !strcmp(known, name))
		return false;
	if (known) {
		g_message("port %u is %s now, no longer %s", port_no, name, known);
		d->policy->cls->port_deleted(d->policy, port_no);
	}
	g_hash_table_insert(d->policy_ports, GUINT_TO_POINTER(port_no), g_strdup(name));
	d->policy->cls->port_added(d->policy, port_no, name);
	return true;
}

/* Port 'port_no' called 'name' is gone.  Nothing to tell when the policy
 * does not know it, or knows the number under another name (a later port
 * that took the number, already listed by a resync). */
static bool
policy_port_del(struct daemon *d, uint32_t port_no, const char *name)
{
	const char *known = g_hash_table_lookup(d->policy_ports, GUINT_TO_POINTER(port_no));

	if (!known || strcmp(known, name))
		return false;
	d->policy->cls->port_deleted(d->policy, port_no);
	g_hash_table_remove(d->policy_ports, GUINT_TO_POINTER(port_no));
	return true;
}

/* Make the policy's ports the kernel's as listed now: every known port
 * that is gone (or whose number has another name) deleted, every new one
 * added.  Returns 0 with how many of each, or -errno. */
static int
ports_resync(struct daemon *d, unsigned int *added, unsigned int *removed, GError **error)
{
	g_autoptr(GHashTable) now = g_hash_table_new(g_direct_hash, g_direct_equal);
	struct ovsdp_vport_info *ports = NULL;
	GHashTableIter it;
	gpointer k, v;
	int n = ovsdp_vport_list(d->dp, &ports, error);

	*added = *removed = 0;
	if (n < 0)
		return n;
	for (int i = 0; i < n; i++)
		g_hash_table_insert(now, GUINT_TO_POINTER(ports[i].port_no), ports[i].name);
	g_hash_table_iter_init(&it, d->policy_ports);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *name = g_hash_table_lookup(now, k);

		if (name && !strcmp(name, v))
			continue;
		g_message("port %s (%u) left %s unnoticed", (const char *)v, GPOINTER_TO_UINT(k),
			  d->cfg->dp_name);
		d->policy->cls->port_deleted(d->policy, GPOINTER_TO_UINT(k));
		g_hash_table_iter_remove(&it);
		(*removed)++;
	}
	for (int i = 0; i < n; i++) {
		if (policy_port_add(d, ports[i].port_no, ports[i].name))
			(*added)++;
	}
	g_free(ports);
	return 0;
}

/* The same at start and after a recovery, where ports the listing for
 * the policy missed may have come and gone before the monitor opened. */
static void
sync_ports(struct daemon *d)
{
	g_autoptr(GError) err = NULL;
	unsigned int added, removed;

	if (ports_resync(d, &added, &removed, &err) < 0)
		g_warning("cannot list the ports of %s: %s", d->cfg->dp_name, err->message);
}

/* Add every configured port that is not on the datapath.  A port that
 * cannot be added is an error at start ('strict'), a warning later.  The
 * runtime runs already: each port is created pointing at one of the
 * dispatcher's sockets (its upcall pid in the same request), so no frame
 * that arrives before the dispatcher gives it sockets of its own is lost. */
static int
add_ports(struct daemon *d, bool strict, GError **error)
{
	for (int pass = 0; pass < 2; pass++) {
		char **names = pass == 0 ? d->cfg->ports : d->cfg->internal_ports;

		for (char **n = names; n && *n; n++) {
			uint32_t pid = d->hs ? ovsdp_handlers_new_port_pid(d->hs) : 0;
			struct ovsdp_vport_spec spec = {
				.name = *n,
				.type = pass == 0 ? OVSDP_VPORT_TYPE_NETDEV : OVSDP_VPORT_TYPE_INTERNAL,
				.upcall_pids = &pid,
				.n_upcall_pids = 1,
			};
			struct ovsdp_vport_info info;
			g_autoptr(GError) err = NULL;
			int r;

			if (ovsdp_vport_get_by_name(d->dp, *n, &info, NULL) == 0) {
				if (info.type != spec.type)
					g_warning("port %s is on %s as a %s port, not %s", *n,
						  d->cfg->dp_name, ovsdp_vport_type_str(info.type),
						  ovsdp_vport_type_str(spec.type));
				continue;
			}
			r = ovsdp_vport_add(d->dp, &spec, &info, &err);
			if (r < 0) {
				if (strict) {
					g_propagate_prefixed_error(error, g_steal_pointer(&err),
								   "%s: port %s: ", d->cfg->file, *n);
					return r;
				}
				g_warning("cannot add port %s: %s", *n, err->message);
				continue;
			}
			g_message("port %s added to %s as port %u", *n, d->cfg->dp_name, info.port_no);
		}
	}
	return 0;
}

/* Open or create the datapath.  Its ports come once the runtime points
 * the datapath at sockets (add_ports). */
static int
datapath_setup(struct daemon *d, GError **error)
{
	g_autoptr(GError) err = NULL;
	int r;

	r = ovsdp_dp_open(d->cfg->dp_name, &d->dp, &err);
	if (r == -ENODEV && d->cfg->create) {
		g_clear_error(&err);
		r = ovsdp_dp_create(d->cfg->dp_name, 0, OVSDP_DP_F_DEFAULT, &d->dp, &err);
		if (r == 0) {
			d->dp_created = true;
			g_message("created datapath %s", d->cfg->dp_name);
		}
	} else if (r == -ENODEV) {
		g_set_error(error, OVSDP_ERROR, ENODEV,
			    "datapath %s does not exist and %s says create = no", d->cfg->dp_name,
			    d->cfg->file ? d->cfg->file : "the configuration");
		return r;
	} else if (r == 0) {
		g_message("attached to existing datapath %s", d->cfg->dp_name);
	}
	if (r < 0) {
		g_propagate_prefixed_error(error, g_steal_pointer(&err), "datapath %s: ",
					   d->cfg->dp_name);
		return r;
	}
	d->dp_ifindex = ovsdp_dp_ifindex(d->dp);
	return 0;
}

/* ---- plugins ------------------------------------------------------------ */

static const char *
plugins_conf_path(struct daemon *d)
{
	return d->plugins_conf_override ? d->plugins_conf_override : d->cfg->plugins_conf;
}

/* Load plugins.conf, find the plugins and choose one ('mode' overrides the
 * file's choice when not NULL). */
static int
load_plugins(struct daemon *d, const char *mode, struct ovsdp_config **pconf,
	     struct ovsdp_plugins **plugins, struct ovsdp_plugin **chosen, char **why,
	     GError **error)
{
	int r;

	*pconf = NULL;
	*plugins = NULL;
	r = ovsdp_config_load(plugins_conf_path(d), pconf, error);
	if (r == 0)
		r = ovsdp_plugins_discover(*pconf, &d->features, plugins, error);
	if (r == 0)
		r = ovsdp_plugins_choose(*plugins, *pconf, mode, chosen, why, error);
	if (r < 0) {
		ovsdp_plugins_free(*plugins);
		ovsdp_config_free(*pconf);
		*plugins = NULL;
		*pconf = NULL;
	}
	return r;
}

/* The running plugin moved to the newest list: older lists can go. */
static void
drop_old_plugin_lists(struct daemon *d)
{
	g_ptr_array_set_size(d->old_plugins, 0);
}

static void
replace_plugins(struct daemon *d, struct ovsdp_config *pconf, struct ovsdp_plugins *plugins,
		char *why)
{
	/* The runtime keeps the plugins.conf it started with (its plugin
	 * options), so configs live until exit. */
	if (d->pconf)
		g_ptr_array_add(d->old_pconfs, d->pconf);
	if (d->plugins)
		g_ptr_array_add(d->old_plugins, d->plugins);
	d->pconf = pconf;
	d->plugins = plugins;
	g_free(d->choice_why);
	d->choice_why = why;
}

/* Switch to 'p' (of d->plugins) and say how it went. */
static int
switch_to(struct daemon *d, struct ovsdp_plugin *p, char **what, GError **error)
{
	g_autofree char *old = ovsdp_handlers_plugin_name(d->hs);
	g_autofree char *from = g_strdup(old ? old : "none");
	gint64 t0 = g_get_monotonic_time();
	int r;

	r = ovsdp_handlers_switch(d->hs, p, error);
	if (r < 0)
		return r;
	drop_old_plugin_lists(d);
	*what = g_strdup_printf("switched from %s to %s in %" G_GINT64_FORMAT " ms", from,
				ovsdp_plugin_name(p), (g_get_monotonic_time() - t0) / 1000);
	g_message("%s", *what);
	return 0;
}

/* One option of [plugin:NAME] that differs, as "key: old -> new". */
static void
option_change(GString *s, const char *key, const char *was, const char *now)
{
	if (!g_strcmp0(was, now))
		return;
	g_string_append_printf(s, "%s%s: %s -> %s", s->len ? ", " : "", key,
			       was ? was : "(default)", now ? now : "(default)");
}

/* How plugin 'name''s section differs between two plugins.confs, or NULL
 * when it does not. */
static char *
option_changes(const struct ovsdp_config *was, const struct ovsdp_config *now, const char *name)
{
	const char *const *keys[2] = {
		was ? ovsdp_config_plugin_keys(was, name) : NULL,
		now ? ovsdp_config_plugin_keys(now, name) : NULL,
	};
	g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
	GString *s = g_string_new(NULL);

	option_change(s, "path", was ? ovsdp_config_plugin_file(was, name) : NULL,
		      now ? ovsdp_config_plugin_file(now, name) : NULL);
	for (int i = 0; i < 2; i++) {
		for (const char *const *k = keys[i]; k && *k; k++) {
			if (!g_hash_table_add(seen, (gpointer)*k))
				continue;
			option_change(s, *k, was ? ovsdp_config_plugin_option(was, name, *k) : NULL,
				      now ? ovsdp_config_plugin_option(now, name, *k) : NULL);
		}
	}
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* Re-read plugins.conf.  A new choice is switched to live; a change of the
 * running dispatcher's own options restarts it live (a fresh instance made
 * with them replaces it, draining the old one); anything else only
 * updates the options future instances get.  On failure everything stays
 * as it was, plugins.conf in force included. */
int
daemon_reload(struct daemon *d, char **what, GError **error)
{
	struct ovsdp_config *pconf = NULL;
	struct ovsdp_plugins *plugins = NULL;
	struct ovsdp_plugin *chosen = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *running = ovsdp_handlers_plugin_name(d->hs);
	g_autofree char *changes = NULL;
	const char *file;
	char *why = NULL;
	bool same;
	gint64 t0;
	int r;

	*what = NULL;
	r = load_plugins(d, NULL, &pconf, &plugins, &chosen, &why, &err);
	if (r < 0) {
		g_set_error(error, OVSDP_ERROR, err->code, "reload refused, %s stays active: %s",
			    running ? running : "the running dispatcher", err->message);
		return r;
	}
	add_ports(d, false, NULL);
	file = ovsdp_config_file(pconf) ? ovsdp_config_file(pconf)
					: "plugins.conf (built-in defaults)";
	same = running && !strcmp(running, ovsdp_plugin_name(chosen));
	if (same)
		changes = option_changes(d->pconf, pconf, running);
	if (same && !changes) {
		ovsdp_handlers_set_config(d->hs, pconf);
		replace_plugins(d, pconf, plugins, why);
		*what = g_strdup_printf("%s reloaded: %s stays active, its options unchanged (%s)",
					file, running, d->choice_why);
		g_message("%s", *what);
		return 0;
	}
	t0 = g_get_monotonic_time();
	ovsdp_handlers_set_config(d->hs, pconf);
	r = ovsdp_handlers_switch(d->hs, chosen, &err);
	if (r < 0) {
		ovsdp_handlers_set_config(d->hs, d->pconf);
		ovsdp_plugins_free(plugins);
		ovsdp_config_free(pconf);
		g_free(why);
		if (err)
			g_set_error(error, OVSDP_ERROR, err->code, "reload: %s", err->message);
		else
			g_set_error(error, OVSDP_ERROR, -r, "reload: %s", g_strerror(-r));
		return r;
	}
	replace_plugins(d, pconf, plugins, why);
	drop_old_plugin_lists(d);
	if (same)
		*what = g_strdup_printf("%s reloaded: %s restarted live with new options (%s) in %"
					G_GINT64_FORMAT " ms", file, running, changes,
					(g_get_monotonic_time() - t0) / 1000);
	else
		*what = g_strdup_printf("switched from %s to %s in %" G_GINT64_FORMAT " ms",
					running ? running : "none", ovsdp_plugin_name(chosen),
					(g_get_monotonic_time() - t0) / 1000);
	g_message("%s", *what);
	return 0;
}

/* Why 'name' cannot be switched to, or NULL when it can (*p set). */
static char *
plugin_refusal(struct daemon *d, const char *name, struct ovsdp_plugin **p)
{
	GString *found;

	*p = ovsdp_plugins_find(d->plugins, name);
	if (*p && ovsdp_plugin_status(*p) == OVSDP_PLUGIN_PROBE_FAILED)
		return g_strdup_printf("dispatcher %s cannot run here: %s", name,
				       ovsdp_plugin_reason(*p));
	if (*p)
		return NULL;
	for (unsigned int i = 0; i < ovsdp_plugins_count(d->plugins); i++) {
		struct ovsdp_plugin *q = ovsdp_plugins_get(d->plugins, i);

		if (ovsdp_plugin_name(q) && !strcmp(ovsdp_plugin_name(q), name))
			return g_strdup_printf("dispatcher %s was refused: %s", name,
					       ovsdp_plugin_reason(q));
	}
	found = g_string_new(NULL);
	for (unsigned int i = 0; i < ovsdp_plugins_count(d->plugins); i++) {
		struct ovsdp_plugin *q = ovsdp_plugins_get(d->plugins, i);

		if (ovsdp_plugin_status(q) != OVSDP_PLUGIN_REFUSED && ovsdp_plugin_name(q))
			g_string_append_printf(found, "%s%s", found->len ? ", " : "",
					       ovsdp_plugin_name(q));
	}
	{
		char *msg = g_strdup_printf("no dispatcher called '%s' (found: %s)", name,
					    found->len ? found->str : "none");

		g_string_free(found, TRUE);
		return msg;
	}
}

int
daemon_dispatch_set(struct daemon *d, const char *name, char **what, GError **error)
{
	g_autofree char *running_own = ovsdp_handlers_plugin_name(d->hs);
	const char *running = running_own ? running_own : "none";
	struct ovsdp_plugin *p = NULL;
	g_autofree char *refusal = NULL;
	g_autoptr(GError) err = NULL;
	int r;

	*what = NULL;
	if (!strcmp(name, "auto")) {
		g_autofree char *why = NULL;

		r = ovsdp_plugins_choose(d->plugins, d->pconf, "auto", &p, &why, &err);
		if (r < 0) {
			g_set_error(error, OVSDP_ERROR, -r, "%s; %s stays active", err->message,
				    running);
			return r;
		}
	} else {
		refusal = plugin_refusal(d, name, &p);
		if (refusal) {
			g_set_error(error, OVSDP_ERROR, ENOENT, "%s; %s stays active", refusal,
				    running);
			return -ENOENT;
		}
	}
	if (!strcmp(running, ovsdp_plugin_name(p))) {
		*what = g_strdup_printf("%s is already active", running);
		return 0;
	}
	r = switch_to(d, p, what, &err);
	if (r < 0) {
		g_propagate_error(error, g_steal_pointer(&err));
		return r;
	}
	g_free(d->choice_why);
	d->choice_why = g_strdup_printf("set by a control request (dispatch set %s)", name);
	return 0;
}

/* ---- the runtime --------------------------------------------------------- */

/* The control server's jobs: this file's operations, handed down. */
static const struct control_jobs daemon_jobs = {
	.reload = daemon_reload,
	.dispatch_set = daemon_dispatch_set,
	.idle = daemon_notify_ready,
};

static int
runtime_start(struct daemon *d, struct ovsdp_plugin *p, GError **error)
{
	struct ovsdp_handlers_options o = {
		OVSDP_HANDLERS_OPTIONS_INIT,
		.dp_name = d->cfg->dp_name,
		.config = d->pconf,
		.n_handlers = 0,        /* plugins.conf's [handlers] count, else automatic */
		.callback = policy_upcall_fn,
	};
	g_autoptr(GError) err = NULL;
	struct ovsdp_vport_info *ports = NULL;
	int r, n;

	/* The policy starts with the ports recorded for it. */
	n = ovsdp_vport_list(d->dp, &ports, error);
	if (n < 0)
		return n;
	d->policy = policy_new(d->cfg, d->dp, ports, (unsigned int)n, error);
	if (!d->policy) {
		g_free(ports);
		return -EINVAL;
	}
	d->policy_ports = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	for (int i = 0; i < n; i++)
		g_hash_table_insert(d->policy_ports, GUINT_TO_POINTER(ports[i].port_no),
				    g_strdup(ports[i].name));
	g_free(ports);
	o.user_data = d->policy;
	r = ovsdp_handlers_new(&o, &d->hs, error);
	if (r == 0)
		r = ovsdp_handlers_start(d->hs, p, &err);
	if (r < 0 && err)
		g_propagate_prefixed_error(error, g_steal_pointer(&err),
					   "cannot start dispatcher %s: ", ovsdp_plugin_name(p));
	if (r < 0) {
		ovsdp_handlers_free(d->hs);
		d->hs = NULL;
		return r;
	}
	g_message("datapath %s: policy %s, dispatcher %s (%s), %s", d->cfg->dp_name,
		  d->policy->cls->name, ovsdp_plugin_name(p), d->choice_why ? d->choice_why : "",
		  ovsdp_config_handlers(d->pconf) ? "handler count from plugins.conf"
						  : "handler count automatic");
	return 0;
}

/* Stop receiving, then remove the policy's flows. */
static void
runtime_stop(struct daemon *d, bool dp_alive)
{
	ovsdp_handlers_free(d->hs);
	d->hs = NULL;
	policy_destroy(d->policy, dp_alive ? d->dp : NULL);
	d->policy = NULL;
	g_clear_pointer(&d->policy_ports, g_hash_table_destroy);
}

/* ---- watching the datapath ----------------------------------------------- */

static void
quit_with(struct daemon *d, int code)
{
	d->exit_code = code;
	g_main_loop_quit(d->loop);
}

/* The datapath is gone: rebuild it when the config says create, else stop. */
static void
datapath_lost(struct daemon *d)
{
	g_autofree char *plugin = ovsdp_handlers_plugin_name(d->hs);
	g_autoptr(GError) err = NULL;
	struct ovsdp_plugin *p;

	g_warning("datapath %s was deleted behind ovsdpd's back", d->cfg->dp_name);
	runtime_stop(d, false);
	ovsdp_dp_close(d->dp);
	d->dp = NULL;
	if (!d->cfg->create) {
		g_critical("datapath %s is gone and %s says create = no: exiting", d->cfg->dp_name,
			   d->cfg->file ? d->cfg->file : "the configuration");
		quit_with(d, EXIT_FAILURE);
		return;
	}
	p = plugin ? ovsdp_plugins_find(d->plugins, plugin) : NULL;
	if (!p) {
		g_autofree char *why = NULL;

		if (ovsdp_plugins_choose(d->plugins, d->pconf, NULL, &p, &why, &err) < 0) {
			g_critical("cannot choose a dispatcher for the new datapath: %s: exiting",
				   err->message);
			quit_with(d, EXIT_FAILURE);
			return;
		}
	}
	if (datapath_setup(d, &err) < 0 || runtime_start(d, p, &err) < 0) {
		g_critical("cannot recreate datapath %s: %s: exiting", d->cfg->dp_name,
			   err ? err->message : "unknown error");
		quit_with(d, EXIT_FAILURE);
		return;
	}
	add_ports(d, false, NULL);
	sync_ports(d);
	d->recoveries++;
	g_message("datapath %s recreated with its ports; dispatcher %s runs again",
		  d->cfg->dp_name, ovsdp_plugin_name(p));
}

/* True while our datapath exists (a failed check that is not "gone" keeps
 * the benefit of the doubt). */
static bool
datapath_alive(struct daemon *d)
{
	struct ovsdp_dp_info info;
	int r = ovsdp_dp_get_info(d->dp, &info, NULL);

	return r != -ENODEV && r != -ENOENT;
}

static gboolean
check_timer(gpointer data)
{
	struct daemon *d = data;

	/* Not while a control job uses the runtime: the next tick sees it. */
	if (d->dp && !control_server_busy(d->ctl) && !datapath_alive(d))
		datapath_lost(d);
	return G_SOURCE_CONTINUE;
}

static void
port_event(struct daemon *d, const struct ovsdp_event *ev)
{
	if (!d->policy)
		return;
	if (ev->kind == OVSDP_EVENT_VPORT_NEW) {
		g_message("port %s (%u) appeared on %s", ev->name, ev->port_no, d->cfg->dp_name);
		policy_port_add(d, ev->port_no, ev->name);
	} else if (ev->kind == OVSDP_EVENT_VPORT_DEL) {
		bool ours = g_strv_contains((const char *const *)d->cfg->ports, ev->name) ||
			    g_strv_contains((const char *const *)d->cfg->internal_ports, ev->name);

		if (ours)
			g_warning("port %s (%u) was deleted behind ovsdpd's back (it is in %s; "
				  "'ovsdp ctl reload' adds it again)", ev->name, ev->port_no,
				  d->cfg->file ? d->cfg->file : "the configuration");
		else
			g_message("port %s (%u) left %s", ev->name, ev->port_no, d->cfg->dp_name);
		policy_port_del(d, ev->port_no, ev->name);
	}
}

/* The monitor overran: notifications were lost.  Called once its queue is
 * drained, so that the list read now is newer than every event applied;
 * what is still to come is applied on top (policy_port_add/_del ignore
 * what the list already told). */
static void
monitor_resync(struct daemon *d)
{
	g_autoptr(GError) err = NULL;
	unsigned int added, removed;

	if (ports_resync(d, &added, &removed, &err) < 0) {
		/* The datapath gone is the caller's to see. */
		g_debug("port monitor overran; cannot list the ports of %s: %s", d->cfg->dp_name,
			err->message);
		return;
	}
	d->port_resyncs++;
	g_message("port monitor overran (notifications lost): re-read the ports of %s for the "
		  "policy: %u added, %u deleted", d->cfg->dp_name, added, removed);
}

/* Tests shrink the monitor's receive buffer so that it overruns at once
 * (test-daemon's recovery case), as the runtime's own monitor does with
 * the same variable (core/runtime/handlers.c): the kernel rounds it up to its
 * minimum. */
static void
monitor_test_rcvbuf(struct daemon *d)
{
	const char *env = g_getenv("OVSDP_TEST_MONITOR_RCVBUF");
	guint64 size;

	if (!env)
		return;
	if (!g_ascii_string_to_unsigned(env, 10, 1, INT_MAX, &size, NULL)) {
		g_warning("OVSDP_TEST_MONITOR_RCVBUF=%s: not a size in bytes; ignored", env);
		return;
	}
	if (setsockopt(ovsdp_monitor_fd(d->mon), SOL_SOCKET, SO_RCVBUF, &(int){ (int)size },
		       sizeof(int)) < 0)
		g_warning("OVSDP_TEST_MONITOR_RCVBUF: %s", g_strerror(errno));
	else
		g_message("port monitor: receive buffer of %" G_GUINT64_FORMAT " bytes asked "
			  "(OVSDP_TEST_MONITOR_RCVBUF)", size);
}

static gboolean
monitor_ready(gint fd, GIOCondition cond, gpointer data)
{
	struct daemon *d = data;
	struct ovsdp_event ev;
	bool check = false, overrun = false;
	int r;

	while ((r = ovsdp_monitor_next(d->mon, &ev, NULL)) != -EAGAIN) {
		if (r == -ENOBUFS) {
			/* Events were lost: look at the kernel instead, once
			 * what is queued is read. */
			check = overrun = true;
			continue;
		}
		if (r < 0)
			break;
		if (ev.kind == OVSDP_EVENT_DP_DEL &&
		    (!strcmp(ev.name, d->cfg->dp_name) || ev.dp_ifindex == d->dp_ifindex))
			check = true;
		else if (ev.dp_ifindex == d->dp_ifindex)
			port_event(d, &ev);
	}
	if (overrun && d->policy && d->dp)
		monitor_resync(d);
	if (check && d->dp && !control_server_busy(d->ctl) && !datapath_alive(d))
		datapath_lost(d);
	return G_SOURCE_CONTINUE;
}

/* ---- signals and life cycle ----------------------------------------------- */

static gboolean
on_term(gpointer data)
{
	struct daemon *d = data;

	g_message("stopping");
	/* --fd-store: systemd keeps the sockets for the restarted daemon (at
	 * a plain stop it closes them).  Not in the middle of a job: a switch
	 * holds the runtime; the stop then tears down as usual. */
	if (d->fd_store && d->hs && !d->handed_over && !control_server_busy(d->ctl))
		daemon_handover_fdstore(d);
	quit_with(d, EXIT_SUCCESS);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_hup(gpointer data)
{
	struct daemon *d = data;

	g_message("SIGHUP: reloading %s", plugins_conf_path(d) ? plugins_conf_path(d)
							       : ovsdp_config_default_path());
	daemon_notify_reloading(d);    /* READY=1 again when the job ends */
	control_server_hup(d->ctl);     /* off the main loop, like `ovsdp ctl reload` */
	return G_SOURCE_CONTINUE;
}

static gboolean
metrics_timer(gpointer data)
{
	struct daemon *d = data;
	g_autoptr(GError) err = NULL;
	bool failing = d->metrics_failing;

	/* Not while a switch holds the runtime's control lock (the main loop
	 * must not wait on it): the file keeps the last figures meanwhile. */
	if (control_server_busy(d->ctl))
		return G_SOURCE_CONTINUE;

	d->metrics_failing = daemon_metrics_write(d, d->metrics_textfile, &err) < 0;
	/* One line when writing starts failing, one when it works again. */
	if (d->metrics_failing && !failing)
		g_warning("--metrics-textfile: %s", err->message);
	else if (!d->metrics_failing && failing)
		g_message("--metrics-textfile: writing %s again", d->metrics_textfile);
	return G_SOURCE_CONTINUE;
}

static void
metrics_start(struct daemon *d)
{
	if (!d->metrics_textfile)
		return;
	metrics_timer(d);
	d->metrics_timer = g_timeout_add_seconds(d->metrics_interval_s, metrics_timer, d);
	g_message("metrics: %s every %u s", d->metrics_textfile, d->metrics_interval_s);
}

/* Inherited sockets the dispatcher did not take (it has fewer than the
 * previous one had): what was queued on them is lost. */
static void
handover_release(struct daemon *d)
{
	uint64_t dropped = 0;
	int n = ovsdp_upcall_socks_release(&dropped);

	if (n > 0)
		g_warning("takeover: %d inherited upcall sockets unused by dispatcher %s: closed, "
			  "%" G_GUINT64_FORMAT " upcalls queued on them lost", n,
			  d->hs ? ovsdp_handlers_plugin_name(d->hs) : "none", dropped);
}

/* Start with the configuration daemon_config_check() accepted (owned from here
 * on): bind the control socket, probe the kernel and the plugins, choose,
 * set up the datapath and run. */
static int
daemon_start(struct daemon *d, struct ovsdp_config *pconf, struct ovsdp_plugins *plugins,
	     GError **error)
{
	struct ovsdp_plugin *chosen = NULL;
	char *why = NULL;
	int r;

	replace_plugins(d, pconf, plugins, NULL);
	/* With --takeover the running daemon holds the control socket until
	 * it hands over: everything that can be ready before comes first. */
	if (!d->takeover) {
		d->ctl = control_server_new(d, &daemon_jobs, d->cfg->control_socket, error);
		if (!d->ctl)
			return -EINVAL;
	}
	r = ovsdp_features_probe(&d->features, error);
	if (r < 0)
		return r;
	for (unsigned int i = 0; i < ovsdp_plugins_count(plugins); i++)
		ovsdp_plugin_probe(ovsdp_plugins_get(plugins, i), &d->features, NULL);
	r = ovsdp_plugins_choose(plugins, pconf, NULL, &chosen, &why, error);
	if (r < 0)
		return r;
	g_free(d->choice_why);
	d->choice_why = why;
	r = datapath_setup(d, error);
	if (r < 0)
		return r;
	/* Upcall sockets of the previous daemon, for the dispatcher to take
	 * back: from systemd's store, or from the running daemon. */
	daemon_handover_from_systemd(d);
	if (d->takeover) {
		/* The policy starts by removing the flows an earlier run left
		 * (they point at MACs it does not know); most go now, while
		 * the running daemon still handles the misses that follow, so
		 * that little is left to remove between its stop and our start. */
		int n = policy_flows_purge(d->dp, NULL, NULL);

		if (n > 0)
			g_message("takeover: removed %d flows of the running ovsdpd beforehand", n);
		if (daemon_handover_receive(d, error) < 0)
			return -EINVAL;
		d->ctl = control_server_new(d, &daemon_jobs, d->cfg->control_socket, error);
		if (!d->ctl)
			return -EINVAL;
	}
	/* The dispatcher first, then the ports: nothing is lost between. */
	r = runtime_start(d, chosen, error);
	if (r < 0)
		return r;
	if (d->handover_stopped_us)
		g_message("takeover: handling again %.1f ms after the previous ovsdpd stopped",
			  (double)(g_get_monotonic_time() - d->handover_stopped_us) / 1000.0);
	handover_release(d);
	r = add_ports(d, true, error);
	if (r < 0)
		return r;
	r = ovsdp_monitor_open(OVSDP_MONITOR_DATAPATHS | OVSDP_MONITOR_VPORTS, &d->mon, error);
	if (r < 0)
		return r;
	monitor_test_rcvbuf(d);
	d->mon_watch = g_unix_fd_add(ovsdp_monitor_fd(d->mon), G_IO_IN, monitor_ready, d);
	/* Ports that came or went between the policy's list and the monitor. */
	sync_ports(d);
	d->check_timer = g_timeout_add_seconds(CHECK_INTERVAL_S, check_timer, d);
	return 0;
}

static void
daemon_stop(struct daemon *d)
{
	g_autoptr(GError) err = NULL;

	control_server_free(d->ctl);
	d->ctl = NULL;
	if (d->check_timer)
		g_source_remove(d->check_timer);
	if (d->mon_watch)
		g_source_remove(d->mon_watch);
	ovsdp_monitor_close(d->mon);
	/* Handed over: the successor reads our sockets, the datapath, its
	 * ports, flows and upcall pids stay as they are. */
	runtime_stop(d, !d->handed_over && d->dp && datapath_alive(d));
	handover_release(d);
	if (d->handed_over) {
		g_message("left datapath %s to the next ovsdpd", d->cfg->dp_name);
	} else if (d->dp && d->cfg->delete_on_exit) {
		if (ovsdp_dp_del(d->dp, &err) < 0 && err->code != ENODEV)
			g_warning("deleting datapath %s: %s", d->cfg->dp_name, err->message);
		else
			g_message("deleted datapath %s", d->cfg->dp_name);
	}
	ovsdp_dp_close(d->dp);
	d->dp = NULL;
	ovsdp_plugins_free(d->plugins);
	ovsdp_config_free(d->pconf);
	g_ptr_array_unref(d->old_plugins);
	g_ptr_array_unref(d->old_pconfs);
	g_free(d->choice_why);
}

int
main(int argc, char **argv)
{
	g_autofree char *config_path = NULL;
	g_autofree char *plugins_conf = NULL;
	g_autofree char *log_level = NULL;
	g_autofree char *metrics_textfile = NULL;
	gint metrics_interval = 15;
	gboolean foreground = TRUE, version = FALSE, check_config = FALSE;
	gboolean takeover = FALSE, fd_store = FALSE;
	GOptionEntry entries[] = {
		{ "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path,
		  "Daemon configuration (default " DAEMON_CONFIG_DEFAULT ")", "FILE" },
		{ "plugins-conf", 'p', 0, G_OPTION_ARG_FILENAME, &plugins_conf,
		  "Dispatcher configuration (default: the config's plugins-conf, else "
		  OVSDP_SYSCONF_DIR "/plugins.conf)", "FILE" },
		{ "check-config", 'C', 0, G_OPTION_ARG_NONE, &check_config,
		  "Check ovsdpd.conf, plugins.conf and the plugins as the daemon would, without "
		  "touching the kernel, and exit (0: valid)", NULL },
		{ "foreground", 'f', 0, G_OPTION_ARG_NONE, &foreground,
		  "Stay in the foreground (the default; ovsdpd never forks)", NULL },
		{ "log-level", 'l', 0, G_OPTION_ARG_STRING, &log_level,
		  "error, warning, info (default) or debug", "LEVEL" },
		{ "metrics-textfile", 0, 0, G_OPTION_ARG_FILENAME, &metrics_textfile,
		  "Write every counter in Prometheus' text format to FILE (replaced atomically), "
		  "for node-exporter's textfile collector", "FILE" },
		{ "metrics-interval", 0, 0, G_OPTION_ARG_INT, &metrics_interval,
		  "Seconds between writes of --metrics-textfile (default 15)", "S" },
		{ "takeover", 'T', 0, G_OPTION_ARG_NONE, &takeover,
		  "Take over from the ovsdpd running on the same control socket: its upcall "
		  "sockets, datapath and ports, without losing an upcall (for a restart or an "
		  "upgrade)", NULL },
		{ "fd-store", 0, 0, G_OPTION_ARG_NONE, &fd_store,
		  "Under systemd: at stop, keep the upcall sockets in the service's file "
		  "descriptor store and leave the datapath as it is, for a restart that loses "
		  "nothing (the unit sets FileDescriptorStoreMax=)", NULL },
		{ "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
		G_OPTION_ENTRY_NULL
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(GError) err = NULL;
	struct daemon d = { 0 };
	struct ovsdp_config *pconf = NULL;
	struct ovsdp_plugins *plugins = NULL;
	struct ovsdp_plugin *chosen = NULL;
	g_autofree char *why = NULL;
	int r;

	g_option_context_set_summary(ctx, "Run the ovsdp upcall handlers on a datapath, with a "
				     "policy (learning, slowpath or drop)\nand a live-switchable "
				     "dispatcher; control it with 'ovsdp ctl'.");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
		fprintf(stderr, "ovsdpd: %s (see --help)\n", err->message);
		return 2;
	}
	if (version) {
		printf("ovsdpd %s\n", OVSDP_VERSION);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "ovsdpd: unexpected argument '%s' (see --help)\n", argv[1]);
		return 2;
	}
	/* "" would read as "No such file" (--config) or as no option at all
	 * (--plugins-conf silently fell back to the config's file). */
	if ((config_path && !*config_path) || (plugins_conf && !*plugins_conf) ||
	    (metrics_textfile && !*metrics_textfile)) {
		fprintf(stderr, "ovsdpd: --%s: an empty file name (see --help)\n",
			config_path && !*config_path ? "config"
			: plugins_conf && !*plugins_conf ? "plugins-conf" : "metrics-textfile");
		return 2;
	}
	if (metrics_interval < 1 || metrics_interval > 3600) {
		fprintf(stderr, "ovsdpd: --metrics-interval %d: give 1 to 3600 seconds\n",
			metrics_interval);
		return 2;
	}
	if (metrics_textfile && !g_str_has_suffix(metrics_textfile, ".prom")) {
		fprintf(stderr, "ovsdpd: --metrics-textfile %s: node-exporter reads only *.prom files\n",
			metrics_textfile);
		return 2;
	}
	if (log_level && !set_log_level(log_level)) {
		fprintf(stderr, "ovsdpd: unknown log level '%s' (error, warning, info, debug)\n",
			log_level);
		return 2;
	}
	if (check_config && !log_level)
		set_log_level("warning");       /* the check's own lines only */
	g_log_set_default_handler(log_handler, NULL);
	signal(SIGPIPE, SIG_IGN);
	daemon_raise_nofile();

	/* The whole configuration first: nothing is bound, created or probed
	 * before it is valid. */
	r = daemon_config_load(config_path ? config_path : DAEMON_CONFIG_DEFAULT, &d.cfg, &err);
	if (r < 0) {
		fprintf(stderr, "ovsdpd: %s\n", err->message);
		return EXIT_FAILURE;
	}
	d.plugins_conf_override = plugins_conf;
	d.metrics_textfile = metrics_textfile;
	d.metrics_interval_s = (unsigned int)metrics_interval;
	d.takeover = takeover;
	d.fd_store = fd_store;
	r = daemon_config_check(d.cfg, plugins_conf, &pconf, &plugins, &chosen, &why, &err);
	if (r < 0) {
		fprintf(stderr, "ovsdpd: %s\n", err->message);
		daemon_config_free(d.cfg);
		return EXIT_FAILURE;
	}
	if (check_config) {
		printf("%s: ok\n", d.cfg->file);
		printf("%s: ok\n", ovsdp_config_file(pconf) ? ovsdp_config_file(pconf)
				    : "plugins.conf (not installed: built-in defaults)");
		printf("dispatch: %s (%s; the kernel was not probed)\n", ovsdp_plugin_name(chosen),
		       why);
		ovsdp_plugins_free(plugins);
		ovsdp_config_free(pconf);
		daemon_config_free(d.cfg);
		return EXIT_SUCCESS;
	}
	d.loop = g_main_loop_new(NULL, FALSE);
	d.started_us = g_get_monotonic_time();
	d.old_plugins = g_ptr_array_new_with_free_func((GDestroyNotify)ovsdp_plugins_free);
	d.old_pconfs = g_ptr_array_new_with_free_func((GDestroyNotify)ovsdp_config_free);
	g_unix_signal_add(SIGTERM, on_term, &d);
	g_unix_signal_add(SIGINT, on_term, &d);
	g_unix_signal_add(SIGHUP, on_hup, &d);

	if (daemon_start(&d, pconf, plugins, &err) < 0) {
		fprintf(stderr, "ovsdpd: %s\n", err ? err->message : "cannot start");
		d.exit_code = EXIT_FAILURE;
	} else {
		g_message("ready: control socket %s", d.cfg->control_socket);
		daemon_notify_ready(&d);
		metrics_start(&d);
		g_main_loop_run(d.loop);
	}
	daemon_notify_stopping(&d);
	if (d.metrics_timer)
		g_source_remove(d.metrics_timer);
	daemon_stop(&d);
	g_main_loop_unref(d.loop);
	daemon_config_free(d.cfg);
	if (d.exit_code == 0)
		g_message("stopped");
	return d.exit_code;
}
