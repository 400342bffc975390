/* daemon-control.c: ovsdpd's control server and its commands.  Every
 * connection is read and written without blocking from the main loop, with
 * a deadline, so a slow, silent or vanished client costs nothing but its
 * own connection; each request is answered in text or JSON (control.h). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib-unix.h>

#include "control.h"
#include "daemon.h"
#include "json.h"
#include "policy.h"

struct control_server {
	struct daemon *d;
	char *path;
	int fd;
	guint watch;
	GList *conns;
};

struct conn {
	struct control_server *s;
	int fd;
	GByteArray *in;
	GString *out;
	size_t sent;
	guint watch;
	guint timeout;
};

/* A reply under construction: text or JSON, ok or error. */
struct reply {
	bool json;
	bool ok;
	GString *text;
	struct json *j;
};

static void
conn_close(struct conn *c)
{
	if (c->watch)
		g_source_remove(c->watch);
	if (c->timeout)
		g_source_remove(c->timeout);
	close(c->fd);
	c->s->conns = g_list_remove(c->s->conns, c);
	g_byte_array_unref(c->in);
	if (c->out)
		g_string_free(c->out, TRUE);
	g_free(c);
}

/* ---- replies ------------------------------------------------------------- */

static void
reply_init(struct reply *r, bool json)
{
	r->json = json;
	r->ok = true;
	r->text = g_string_new(NULL);
	r->j = json ? json_new() : NULL;
}

static void G_GNUC_PRINTF(2, 3)
reply_error(struct reply *r, const char *fmt, ...)
{
	g_autofree char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	r->ok = false;
	if (r->json) {
		g_string_free(r->j->out, TRUE);
		g_free(r->j);
		r->j = json_new();
		json_object_begin(r->j);
		json_kv_string(r->j, "error", msg);
		json_object_end(r->j);
	} else {
		g_string_assign(r->text, msg);
		g_string_append_c(r->text, '\n');
	}
}

/* "ok\n" or "error\n", then the body. */
static GString *
reply_finish(struct reply *r)
{
	GString *out = g_string_new(r->ok ? CONTROL_OK "\n" : CONTROL_ERROR "\n");

	if (r->json) {
		g_string_append(out, r->j->out->str);
		g_string_append_c(out, '\n');
		g_string_free(r->j->out, TRUE);
		g_free(r->j);
	} else {
		g_string_append(out, r->text->str);
	}
	g_string_free(r->text, TRUE);
	return out;
}

/* ---- commands -------------------------------------------------------------- */

static const char *
running_name(struct daemon *d)
{
	const char *n = ovsdp_handlers_plugin_name(d->hs);

	return n ? n : "none";
}

static void
cmd_status(struct daemon *d, char **argv, struct reply *r)
{
	struct ovsdp_vport_info *ports = NULL;
	struct ovsdp_handlers_stats st = { 0 };
	struct policy_counter ctr[POLICY_COUNTERS_MAX];
	unsigned int n_ctr = 0;
	g_autofree char *pdesc = NULL;
	g_autoptr(GError) err = NULL;
	uint64_t uptime = (uint64_t)(g_get_monotonic_time() - d->started_us) / G_USEC_PER_SEC;
	int n_ports = 0;

	if (d->dp)
		n_ports = ovsdp_vport_list(d->dp, &ports, &err);
	if (d->hs)
		ovsdp_handlers_get_stats(d->hs, false, &st);
	if (d->policy) {
		n_ctr = d->policy->cls->counters(d->policy, ctr, POLICY_COUNTERS_MAX);
		pdesc = d->policy->cls->describe(d->policy);
	}
	if (r->json) {
		struct json *j = r->j;

		json_object_begin(j);
		json_kv_string(j, "datapath", d->cfg->dp_name);
		json_kv_int(j, "ifindex", d->dp_ifindex);
		json_kv_bool(j, "created", d->dp_created);
		json_kv_bool(j, "delete_on_exit", d->cfg->delete_on_exit);
		json_kv_string(j, "policy", policy_kind_str(d->cfg->policy));
		json_kv_string(j, "policy_description", pdesc);
		json_kv_string(j, "dispatcher", running_name(d));
		json_kv_string(j, "dispatcher_reason", d->choice_why);
		json_kv_uint(j, "handlers", st.n_handlers);
		json_kv_uint(j, "uptime_s", uptime);
		json_kv_uint(j, "recoveries", d->recoveries);
		json_key(j, "ports");
		json_array_begin(j);
		for (int i = 0; i < n_ports; i++) {
			json_object_begin(j);
			json_kv_uint(j, "port_no", ports[i].port_no);
			json_kv_string(j, "name", ports[i].name);
			json_kv_string(j, "type", ovsdp_vport_type_str(ports[i].type));
			json_object_end(j);
		}
		json_array_end(j);
		json_key(j, "counters");
		json_object_begin(j);
		for (unsigned int i = 0; i < n_ctr; i++)
			json_kv_uint(j, ctr[i].name, ctr[i].value);
		json_object_end(j);
		json_object_end(j);
	} else {
		GString *t = r->text;

		g_string_append_printf(t, "datapath: %s (ifindex %d, %s%s)\n", d->cfg->dp_name,
				       d->dp_ifindex, d->dp_created ? "created by ovsdpd" : "attached",
				       d->cfg->delete_on_exit ? ", deleted on exit" : "");
		g_string_append_printf(t, "policy: %s\n", pdesc ? pdesc : "none");
		g_string_append_printf(t, "dispatcher: %s (%s)\n", running_name(d),
				       d->choice_why ? d->choice_why : "");
		g_string_append_printf(t, "handlers: %u\n", st.n_handlers);
		g_string_append_printf(t, "uptime: %" G_GUINT64_FORMAT " s\n", uptime);
		if (d->recoveries)
			g_string_append_printf(t, "datapath recreated: %" G_GUINT64_FORMAT " times\n",
					       d->recoveries);
		g_string_append(t, "ports:\n");
		for (int i = 0; i < n_ports; i++)
			g_string_append_printf(t, "  %u: %s (%s)\n", ports[i].port_no, ports[i].name,
					       ovsdp_vport_type_str(ports[i].type));
		if (n_ports < 0)
			g_string_append_printf(t, "  (cannot list: %s)\n", err->message);
		g_string_append(t, "policy counters:\n");
		for (unsigned int i = 0; i < n_ctr; i++)
			g_string_append_printf(t, "  %s: %" G_GUINT64_FORMAT "\n", ctr[i].name,
					       ctr[i].value);
	}
	g_free(ports);
}

static void
cmd_dispatch_show(struct daemon *d, char **argv, struct reply *r)
{
	struct ovsdp_handlers_stats st = { 0 };
	const struct ovsdp_dispatcher_stats *a = NULL;

	if (d->hs)
		ovsdp_handlers_get_stats(d->hs, false, &st);
	for (unsigned int i = 0; i < st.n_dispatchers; i++) {
		if (st.dispatchers[i].active)
			a = &st.dispatchers[i];
	}
	if (r->json) {
		struct json *j = r->j;

		json_object_begin(j);
		json_kv_string(j, "active", running_name(d));
		json_kv_string(j, "description", a ? a->description : "");
		json_kv_string(j, "reason", d->choice_why);
		json_kv_uint(j, "sockets", a ? a->n_sockets : 0);
		json_kv_uint(j, "handlers", a ? a->n_handlers : 0);
		json_key(j, "available");
		json_array_begin(j);
		for (unsigned int i = 0; i < ovsdp_plugins_count(d->plugins); i++) {
			struct ovsdp_plugin *p = ovsdp_plugins_get(d->plugins, i);

			json_object_begin(j);
			json_kv_string(j, "name", ovsdp_plugin_name(p));
			json_kv_string(j, "path", ovsdp_plugin_path(p));
			json_kv_string(j, "status", ovsdp_plugin_status_str(ovsdp_plugin_status(p)));
			json_kv_string(j, "reason", ovsdp_plugin_reason(p));
			json_object_end(j);
		}
		json_array_end(j);
		json_object_end(j);
		return;
	}
	g_string_append_printf(r->text, "active: %s\n", running_name(d));
	g_string_append_printf(r->text, "description: %s\n", a ? a->description : "");
	g_string_append_printf(r->text, "chosen: %s\n", d->choice_why ? d->choice_why : "");
	g_string_append_printf(r->text, "sockets: %" G_GUINT64_FORMAT "\n", a ? a->n_sockets : 0);
	g_string_append_printf(r->text, "handlers: %u\n", a ? a->n_handlers : 0);
	g_string_append(r->text, "available:\n");
	for (unsigned int i = 0; i < ovsdp_plugins_count(d->plugins); i++) {
		struct ovsdp_plugin *p = ovsdp_plugins_get(d->plugins, i);
		const char *reason = ovsdp_plugin_reason(p);

		g_string_append_printf(r->text, "  %s: %s%s%s\n",
				       ovsdp_plugin_name(p) ? ovsdp_plugin_name(p)
							    : ovsdp_plugin_path(p),
				       ovsdp_plugin_status_str(ovsdp_plugin_status(p)),
				       reason ? ": " : "", reason ? reason : "");
	}
}

static void
reply_done(struct reply *r, const char *what)
{
	if (r->json) {
		json_object_begin(r->j);
		json_kv_string(r->j, "result", what);
		json_object_end(r->j);
	} else {
		g_string_append_printf(r->text, "%s\n", what);
	}
}

static void
cmd_dispatch_set(struct daemon *d, char **argv, struct reply *r)
{
	g_autofree char *what = NULL;
	g_autoptr(GError) err = NULL;

	if (!d->hs) {
		reply_error(r, "no dispatcher runs (the datapath is being recreated)");
		return;
	}
	if (daemon_dispatch_set(d, argv[2], &what, &err) < 0) {
		g_warning("dispatch set %s: %s", argv[2], err->message);
		reply_error(r, "dispatch set %s: %s", argv[2], err->message);
		return;
	}
	reply_done(r, what);
}

static void
cmd_handlers_set(struct daemon *d, char **argv, struct reply *r)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *what = NULL;
	guint64 n;

	if (!g_ascii_string_to_unsigned(argv[2], 10, 1, OVSDP_HANDLERS_MAX, &n, NULL)) {
		reply_error(r, "handlers set: '%s' is not a count from 1 to %u", argv[2],
			    OVSDP_HANDLERS_MAX);
		return;
	}
	if (!d->hs) {
		reply_error(r, "no dispatcher runs (the datapath is being recreated)");
		return;
	}
	if (ovsdp_handlers_resize(d->hs, (unsigned int)n, &err) < 0) {
		reply_error(r, "handlers set %s: %s", argv[2], err->message);
		return;
	}
	what = g_strdup_printf("%s now runs %u handler threads", running_name(d), (unsigned int)n);
	g_message("%s", what);
	reply_done(r, what);
}

static void
cmd_reload(struct daemon *d, char **argv, struct reply *r)
{
	g_autofree char *what = NULL;
	g_autoptr(GError) err = NULL;

	if (!d->hs) {
		reply_error(r, "no dispatcher runs (the datapath is being recreated)");
		return;
	}
	if (daemon_reload(d, &what, &err) < 0) {
		g_warning("%s", err->message);
		reply_error(r, "%s", err->message);
		return;
	}
	reply_done(r, what);
}

/* "name=N name=N" from the runtime, in its order (active first). */
static GPtrArray *
parse_shares(const char *s, uint64_t *total)
{
	g_auto(GStrv) parts = g_strsplit(s, " ", -1);
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	*total = 0;
	for (char **p = parts; *p; p++) {
		char *eq = strchr(*p, '=');

		if (!**p || !eq)
			continue;
		g_ptr_array_add(a, g_strdup(*p));
		*total += g_ascii_strtoull(eq + 1, NULL, 10);
	}
	return a;
}

static void
cmd_stats(struct daemon *d, char **argv, struct reply *r)
{
	struct ovsdp_handlers_stats st = { 0 };
	struct ovsdp_dp_info info = { 0 };
	g_autoptr(GPtrArray) shares = NULL;
	bool have_info = d->dp && ovsdp_dp_get_info(d->dp, &info, NULL) == 0;
	uint64_t total;

	if (d->hs)
		ovsdp_handlers_get_stats(d->hs, true, &st);
	shares = parse_shares(st.shares, &total);
	if (r->json) {
		struct json *j = r->j;

		json_object_begin(j);
		json_kv_string(j, "active", running_name(d));
		json_kv_uint(j, "switches", st.switches);
		json_kv_uint(j, "upcalls", st.upcalls);
		json_kv_uint(j, "overruns", st.overruns);
		json_key(j, "dispatchers");
		json_array_begin(j);
		for (guint i = 0; i < shares->len; i++) {
			char *eq = strchr(shares->pdata[i], '=');
			g_autofree char *name = g_strndup(shares->pdata[i], eq - (char *)shares->pdata[i]);
			uint64_t n = g_ascii_strtoull(eq + 1, NULL, 10);

			json_object_begin(j);
			json_kv_string(j, "name", name);
			json_kv_uint(j, "upcalls", n);
			json_key(j, "share");
			json_double(j, total ? (double)n / (double)total : 0.0);
			json_kv_bool(j, "active", !strcmp(name, running_name(d)));
			json_object_end(j);
		}
		json_array_end(j);
		if (st.n_dispatchers) {
			const struct ovsdp_dispatcher_stats *a = &st.dispatchers[0];

			json_key(j, "active_dispatcher");
			json_object_begin(j);
			json_kv_string(j, "name", a->name);
			json_kv_uint(j, "sockets", a->n_sockets);
			json_kv_uint(j, "handlers", a->n_handlers);
			json_kv_uint(j, "upcalls", a->upcalls);
			json_kv_uint(j, "overruns", a->overruns);
			json_kv_uint(j, "empty_wakeups", a->empty_wakeups);
			json_object_end(j);
		}
		json_key(j, "handlers");
		json_array_begin(j);
		for (unsigned int i = 0; st.per_handler && i < st.n_handlers; i++) {
			const struct ovsdp_handler_stats *h = &st.per_handler[i];

			json_object_begin(j);
			json_kv_uint(j, "index", i);
			json_kv_uint(j, "upcalls", h->upcalls);
			json_kv_uint(j, "batches", h->batches);
			json_kv_uint(j, "wakeups", h->wakeups);
			json_kv_uint(j, "empty_wakeups", h->empty_wakeups);
			json_kv_uint(j, "replies", h->replies);
			json_kv_uint(j, "transactions", h->transactions);
			json_kv_uint(j, "reply_errors", h->reply_errors);
			json_kv_uint(j, "reply_unconfirmed", h->reply_unconfirmed);
			json_kv_uint(j, "malformed", h->malformed);
			json_kv_uint(j, "truncated", h->truncated);
			json_object_end(j);
		}
		json_array_end(j);
		json_key(j, "kernel");
		if (have_info) {
			json_object_begin(j);
			json_kv_uint(j, "hit", info.stats.n_hit);
			json_kv_uint(j, "missed", info.stats.n_missed);
			json_kv_uint(j, "lost", info.stats.n_lost);
			json_kv_uint(j, "flows", info.stats.n_flows);
			json_object_end(j);
		} else {
			json_null(j);
		}
		json_object_end(j);
	} else {
		GString *t = r->text;

		g_string_append(t, "dispatchers (upcalls since start, share):\n");
		for (guint i = 0; i < shares->len; i++) {
			char *eq = strchr(shares->pdata[i], '=');
			g_autofree char *name = g_strndup(shares->pdata[i], eq - (char *)shares->pdata[i]);
			uint64_t n = g_ascii_strtoull(eq + 1, NULL, 10);

			g_string_append_printf(t, "  %-12s %10" G_GUINT64_FORMAT "  %5.1f%%%s\n", name, n,
					       total ? 100.0 * (double)n / (double)total : 0.0,
					       !strcmp(name, running_name(d)) ? "  (active)" : "");
		}
		if (st.n_dispatchers) {
			const struct ovsdp_dispatcher_stats *a = &st.dispatchers[0];

			g_string_append_printf(t, "active %s: %" G_GUINT64_FORMAT " sockets, %u handlers, %"
					       G_GUINT64_FORMAT " upcalls, %" G_GUINT64_FORMAT
					       " overruns, %" G_GUINT64_FORMAT " empty wakeups\n",
					       a->name, a->n_sockets, a->n_handlers, a->upcalls,
					       a->overruns, a->empty_wakeups);
		}
		g_string_append(t, "handlers:\n");
		for (unsigned int i = 0; st.per_handler && i < st.n_handlers; i++) {
			const struct ovsdp_handler_stats *h = &st.per_handler[i];

			g_string_append_printf(t, "  %u: upcalls %" G_GUINT64_FORMAT ", batches %"
					       G_GUINT64_FORMAT ", empty wakeups %" G_GUINT64_FORMAT
					       ", replies %" G_GUINT64_FORMAT " in %" G_GUINT64_FORMAT
					       " transactions, %" G_GUINT64_FORMAT " failed", i,
					       h->upcalls, h->batches, h->empty_wakeups, h->replies,
					       h->transactions, h->reply_errors);
			if (h->reply_unconfirmed)
				g_string_append_printf(t, " (%" G_GUINT64_FORMAT " without a verdict)",
						       h->reply_unconfirmed);
			g_string_append_c(t, '\n');
		}
		g_string_append_printf(t, "runtime: upcalls %" G_GUINT64_FORMAT ", overruns %"
				       G_GUINT64_FORMAT ", switches %" G_GUINT64_FORMAT "\n",
				       st.upcalls, st.overruns, st.switches);
		if (have_info)
			g_string_append_printf(t, "kernel: hit %" G_GUINT64_FORMAT ", missed %"
					       G_GUINT64_FORMAT ", lost %" G_GUINT64_FORMAT ", flows %"
					       G_GUINT64_FORMAT "\n", info.stats.n_hit,
					       info.stats.n_missed, info.stats.n_lost,
					       info.stats.n_flows);
	}
	g_free(st.per_handler);
}

/* The TCP flags as dump-flows prints them ("S.", "SF"...). */
static const char *
tcp_flags_str(uint8_t f, char buf[16])
{
	static const char names[] = "FSRPAUEC";
	char *p = buf;

	for (int i = 0; i < 8; i++) {
		if (f & (1u << i))
			*p++ = names[i] == 'A' ? '.' : names[i];
	}
	*p = '\0';
	return buf;
}

static void
cmd_flows(struct daemon *d, char **argv, struct reply *r)
{
	struct ovsdp_flow_dump *dump = NULL;
	const struct ovsdp_flow *f;
	g_autoptr(GError) err = NULL;
	uint64_t now = ovsdp_flow_now_ms();
	int rc;

	if (!d->dp || ovsdp_flow_dump_start(d->dp, 0, &dump, &err) < 0) {
		reply_error(r, "flows: %s", err ? err->message : "no datapath");
		return;
	}
	if (r->json)
		json_array_begin(r->j);
	while ((rc = ovsdp_flow_dump_next(dump, &f, &err)) == 1) {
		g_autoptr(GString) key = g_string_new(NULL);
		g_autoptr(GString) acts = g_string_new(NULL);
		char ufid[OVSDP_UFID_STRLEN] = "", flags[16];

		if (f->has_key)
			ovsdp_odp_key_to_string(f->key, f->key_len, f->mask, f->mask_len, key, NULL);
		if (f->has_actions)
			ovsdp_odp_actions_to_string(f->actions, f->actions_len, acts, NULL);
		if (f->has_ufid)
			ovsdp_ufid_format(&f->ufid, ufid);
		if (r->json) {
			json_object_begin(r->j);
			json_kv_string(r->j, "ufid", f->has_ufid ? ufid : NULL);
			json_kv_bool(r->j, "ours", f->has_ufid && f->ufid.u32[0] == POLICY_UFID_MAGIC);
			json_kv_string(r->j, "key", key->str);
			json_kv_uint(r->j, "packets", f->stats.n_packets);
			json_kv_uint(r->j, "bytes", f->stats.n_bytes);
			json_key(r->j, "used_ms_ago");
			if (f->stats.used_ms)
				json_uint(r->j, now > f->stats.used_ms ? now - f->stats.used_ms : 0);
			else
				json_null(r->j);
			json_kv_string(r->j, "actions", acts->str);
			json_object_end(r->j);
			continue;
		}
		g_string_append_printf(r->text, "%s, packets:%" G_GUINT64_FORMAT ", bytes:%"
				       G_GUINT64_FORMAT ", used:", key->str, f->stats.n_packets,
				       f->stats.n_bytes);
		if (f->stats.used_ms)
			g_string_append_printf(r->text, "%.3fs", (double)(int64_t)(now - f->stats.used_ms)
					       / 1000.0);
		else
			g_string_append(r->text, "never");
		if (f->stats.tcp_flags)
			g_string_append_printf(r->text, ", flags:%s",
					       tcp_flags_str(f->stats.tcp_flags, flags));
		g_string_append_printf(r->text, ", actions:%s\n", acts->len ? acts->str : "drop");
	}
	ovsdp_flow_dump_free(dump);
	if (rc < 0) {
		reply_error(r, "flows: %s", err ? err->message : g_strerror(-rc));
		return;
	}
	if (r->json)
		json_array_end(r->j);
}

static void
cmd_macs(struct daemon *d, char **argv, struct reply *r)
{
	g_autoptr(GArray) macs = d->policy ? d->policy->cls->macs(d->policy) : NULL;

	if (!macs) {
		reply_error(r, "macs: the %s policy keeps no MAC table",
			    policy_kind_str(d->cfg->policy));
		return;
	}
	if (r->json)
		json_array_begin(r->j);
	else
		g_string_append(r->text, " port  MAC                Age\n");
	for (guint i = 0; i < macs->len; i++) {
		const struct policy_mac *m = &g_array_index(macs, struct policy_mac, i);
		char mac[18];

		g_snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m->mac[0], m->mac[1],
			   m->mac[2], m->mac[3], m->mac[4], m->mac[5]);
		if (r->json) {
			json_object_begin(r->j);
			json_kv_string(r->j, "mac", mac);
			json_kv_uint(r->j, "port_no", m->port_no);
			json_kv_uint(r->j, "age_s", m->age_ms / 1000);
			json_object_end(r->j);
		} else {
			g_string_append_printf(r->text, "%5u  %s  %4" G_GUINT64_FORMAT "\n", m->port_no,
					       mac, m->age_ms / 1000);
		}
	}
	if (r->json)
		json_array_end(r->j);
}

static void
cmd_metrics(struct daemon *d, char **argv, struct reply *r)
{
	g_autofree char *text = daemon_metrics_text(d);

	if (r->json) {
		json_object_begin(r->j);
		json_kv_string(r->j, "content_type", "text/plain; version=0.0.4");
		json_kv_string(r->j, "metrics", text);
		json_object_end(r->j);
	} else {
		g_string_append(r->text, text);
	}
}

static const struct {
	const char *words[2];
	unsigned int n_args;
	void (*run)(struct daemon *d, char **argv, struct reply *r);
} commands[] = {
	{ { "status", NULL }, 0, cmd_status },
	{ { "dispatch", "show" }, 0, cmd_dispatch_show },
	{ { "dispatch", "set" }, 1, cmd_dispatch_set },
	{ { "handlers", "set" }, 1, cmd_handlers_set },
	{ { "stats", NULL }, 0, cmd_stats },
	{ { "reload", NULL }, 0, cmd_reload },
	{ { "flows", NULL }, 0, cmd_flows },
	{ { "macs", NULL }, 0, cmd_macs },
	{ { "metrics", NULL }, 0, cmd_metrics },
};

static GString *
run_request(struct daemon *d, const char *line)
{
	g_auto(GStrv) argv = NULL;
	g_autofree char *why = NULL;
	struct reply r;
	bool json = false;
	guint argc;

	if (!control_request_parse(line, &json, &argv, &why)) {
		reply_init(&r, strncmp(line, "json", 4) == 0);
		reply_error(&r, "bad request: %s", why);
		return reply_finish(&r);
	}
	reply_init(&r, json);
	argc = g_strv_length(argv);
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		unsigned int words = commands[i].words[1] ? 2 : 1;

		if (strcmp(argv[0], commands[i].words[0]) ||
		    (words == 2 && (argc < 2 || strcmp(argv[1], commands[i].words[1]))))
			continue;
		if (argc != words + commands[i].n_args)
			reply_error(&r, "bad request: '%s%s%s' takes %u argument%s", argv[0],
				    words == 2 ? " " : "", words == 2 ? argv[1] : "",
				    commands[i].n_args, commands[i].n_args == 1 ? "" : "s");
		else
			commands[i].run(d, argv, &r);
		return reply_finish(&r);
	}
	reply_error(&r, "bad request: unknown command '%s%s%s'", argv[0], argc > 1 ? " " : "",
		    argc > 1 ? argv[1] : "");
	return reply_finish(&r);
}

/* ---- connections ------------------------------------------------------------ */

/* After the reply: read and discard until the client closes.  Closing
 * with its bytes unread would reset the connection, and the client could
 * lose the reply it has not read yet. */
static gboolean
conn_drain(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *c = data;
	char buf[512];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);

	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return G_SOURCE_CONTINUE;
	c->watch = 0;
	conn_close(c);
	return G_SOURCE_REMOVE;
}

static gboolean
conn_writable(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *c = data;

	while (c->sent < c->out->len) {
		ssize_t n = send(c->fd, c->out->str + c->sent, c->out->len - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->sent += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return G_SOURCE_CONTINUE;
		/* the client went away: its loss */
		c->watch = 0;
		conn_close(c);
		return G_SOURCE_REMOVE;
	}
	shutdown(c->fd, SHUT_WR);
	c->watch = g_unix_fd_add(c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, conn_drain, c);
	return G_SOURCE_REMOVE;
}

static void
conn_respond(struct conn *c, GString *out)
{
	c->out = out;
	if (c->watch)
		g_source_remove(c->watch);
	c->watch = g_unix_fd_add(c->fd, G_IO_OUT, conn_writable, c);
}

static gboolean
conn_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct conn *c = data;
	uint8_t buf[512];
	ssize_t n;
	guint8 *nl;

	n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return G_SOURCE_CONTINUE;
	if (n <= 0) {
		/* Closed before a whole request: nothing to answer. */
		c->watch = 0;
		conn_close(c);
		return G_SOURCE_REMOVE;
	}
	g_byte_array_append(c->in, buf, (guint)n);
	nl = memchr(c->in->data, '\n', c->in->len);
	if (!nl && c->in->len < CONTROL_REQUEST_MAX)
		return G_SOURCE_CONTINUE;
	c->watch = 0;
	if (!nl) {
		struct reply r;

		reply_init(&r, false);
		reply_error(&r, "bad request: longer than %d bytes", CONTROL_REQUEST_MAX);
		conn_respond(c, reply_finish(&r));
	} else {
		g_autofree char *line = g_strndup((char *)c->in->data, nl - c->in->data);

		if (strchr(line, '\r'))
			*strchr(line, '\r') = '\0';
		conn_respond(c, run_request(c->s->d, line));
	}
	return G_SOURCE_REMOVE;
}

static gboolean
conn_expired(gpointer data)
{
	struct conn *c = data;

	c->timeout = 0;
	g_debug("control: dropping a client that neither sent a request nor read its reply");
	conn_close(c);
	return G_SOURCE_REMOVE;
}

static gboolean
server_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct control_server *s = data;

	for (;;) {
		int cfd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;
		uid_t uid;

		if (cfd < 0)
			break;
		c = g_new0(struct conn, 1);
		c->s = s;
		c->fd = cfd;
		c->in = g_byte_array_new();
		s->conns = g_list_prepend(s->conns, c);
		c->timeout = g_timeout_add(CONTROL_SERVER_TIMEOUT_MS, conn_expired, c);
		uid = control_peer_uid(cfd);
		if (uid != 0 && uid != geteuid()) {
			struct reply r;

			g_warning("control: refused a client with uid %d (only root or uid %u may "
				  "control ovsdpd)", (int)uid, (unsigned int)geteuid());
			reply_init(&r, false);
			reply_error(&r, "permission denied: uid %d may not control ovsdpd (only root "
				    "or uid %u)", (int)uid, (unsigned int)geteuid());
			conn_respond(c, reply_finish(&r));
			continue;
		}
		c->watch = g_unix_fd_add(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR, conn_readable, c);
	}
	return G_SOURCE_CONTINUE;
}

struct control_server *
control_server_new(struct daemon *d, const char *path, GError **error)
{
	struct control_server *s;
	int fd = control_listen(path, error);

	if (fd < 0) {
		g_prefix_error(error, "control socket: ");
		return NULL;
	}
	s = g_new0(struct control_server, 1);
	s->d = d;
	s->path = g_strdup(path);
	s->fd = fd;
	s->watch = g_unix_fd_add(fd, G_IO_IN, server_accept, s);
	return s;
}

void
control_server_free(struct control_server *s)
{
	if (!s)
		return;
	while (s->conns)
		conn_close(s->conns->data);
	g_source_remove(s->watch);
	close(s->fd);
	unlink(s->path);
	g_free(s->path);
	g_free(s);
}
